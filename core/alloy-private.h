/* alloy-private.h: included first by every core source file.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <alloy/alloy.h>

/* The core API that alloyd, alloy and the tests use. It is exported from
 * liballoy but its headers are not installed: no stability promise. */
#define ALLOY_INTERNAL __attribute__ ((visibility ("default"))) extern
