/* alloy-connection.h: one accepted client connection.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

#define ALLOY_TYPE_CONNECTION (alloy_connection_get_type ())
ALLOY_INTERNAL
G_DECLARE_FINAL_TYPE (AlloyConnection, alloy_connection, ALLOY, CONNECTION, GObject)

/* Takes a reference on @stream. @protocol is "thrift" or "nexus". */
ALLOY_INTERNAL
AlloyConnection *alloy_connection_new (GIOStream *stream, const char *protocol,
                                       const char *listener, const char *remote);
/* Starts serving; ::closed is emitted once, when the connection ends. */
ALLOY_INTERNAL
void alloy_connection_start (AlloyConnection *self);
/* Ends the connection now (end of a drain period). */
ALLOY_INTERNAL
void alloy_connection_close (AlloyConnection *self);
ALLOY_INTERNAL
const char *alloy_connection_get_remote (AlloyConnection *self);
ALLOY_INTERNAL
guint64 alloy_connection_get_bytes_received (AlloyConnection *self);

G_END_DECLS
