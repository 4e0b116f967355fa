/* alloy-macros.h: symbol visibility for the Alloy API.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#if !defined(ALLOY_INSIDE) && !defined(ALLOY_COMPILATION)
#error "Only <alloy/alloy.h> can be included directly."
#endif

#include <glib.h>

/* liballoy is built with hidden visibility; only symbols marked with this
 * macro are exported. */
#if defined(ALLOY_COMPILATION)
#define ALLOY_AVAILABLE_IN_ALL __attribute__ ((visibility ("default"))) extern
#else
#define ALLOY_AVAILABLE_IN_ALL extern
#endif

/* Marks the one symbol a plugin module exports. */
#define ALLOY_PLUGIN_VISIBLE __attribute__ ((visibility ("default")))
