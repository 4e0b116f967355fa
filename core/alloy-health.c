/* alloy-health.c: the HTTP health endpoint. Stub: being written.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-health.h"
