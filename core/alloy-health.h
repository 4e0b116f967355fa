/* alloy-health.h: the HTTP health endpoint (GET /livez, /readyz) served on
 * connections of a `protocol=http` listener. Stub: being written.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

G_END_DECLS
