/* alloy.h: the Alloy plugin API (umbrella header).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#define ALLOY_INSIDE
#include <alloy/alloy-macros.h>
#include <alloy/alloy-version.h>
#include <alloy/alloy-option.h>
#include <alloy/alloy-plugin.h>
#include <alloy/alloy-plugin-instance.h>
#include <alloy/alloy-transport.h>
#include <alloy/alloy-peer.h>
#include <alloy/alloy-discovery.h>
#include <alloy/alloy-reader.h>
#undef ALLOY_INSIDE
