/* alloy-health.h: the HTTP health endpoint (GET /livez, /readyz) served on
 * connections of a `protocol=http` listener.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

#define ALLOY_TYPE_HEALTH (alloy_health_get_type ())
ALLOY_INTERNAL
G_DECLARE_FINAL_TYPE (AlloyHealth, alloy_health, ALLOY, HEALTH, GObject)

/* Not ready ("starting") until told otherwise. The construct-only
 * "idle-timeout" property (milliseconds, default 10000, 0 for none)
 * bounds how long a connection may stay open before its request is in. */
ALLOY_INTERNAL
AlloyHealth *alloy_health_new (void);

/* Readiness: TRUE, or FALSE with a one-line @reason ("starting: no
 * discovery snapshot yet", "draining: SIGTERM received"), which /readyz
 * answers as its body. @reason is ignored when @ready is TRUE. */
ALLOY_INTERNAL
void alloy_health_set_ready (AlloyHealth *self, gboolean ready, const char *reason);
ALLOY_INTERNAL
gboolean alloy_health_get_ready (AlloyHealth *self);

/* Serves HTTP/1.1 on an accepted connection (takes its own reference):
 * one request, answered with `Connection: close`. @description names it
 * in logs ("[transport:health] 127.0.0.1:5123"). FALSE with an error if
 * libsoup refuses it, or G_IO_ERROR_CLOSED after alloy_health_close (the
 * caller closes the stream). */
ALLOY_INTERNAL
gboolean alloy_health_accept (AlloyHealth *self, GIOStream *stream, const char *description,
                              GError **error);

/* Closes every connection it serves, and refuses new ones (shutdown). */
ALLOY_INTERNAL
void alloy_health_close (AlloyHealth *self);

G_END_DECLS
