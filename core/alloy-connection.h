/* alloy-connection.h: one accepted client connection: frames in, frames
 * out, and a protocol handler in between.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"
#include "alloy-frame-io.h"

G_BEGIN_DECLS

#define ALLOY_TYPE_CONNECTION (alloy_connection_get_type ())
ALLOY_INTERNAL
G_DECLARE_FINAL_TYPE (AlloyConnection, alloy_connection, ALLOY, CONNECTION, GObject)

/**
 * AlloyConnectionHandler:
 * @max_frame: the largest frame the protocol takes; a longer one ends the
 *   connection
 * @frame: a frame arrived (its body); FALSE with an error ends the
 *   connection, with the error logged
 * @closed: the connection ended: stop what runs for it (@state is freed
 *   right after)
 * @free_state: frees @state
 * @busy: (nullable): whether work runs for the connection (a stream); an
 *   idle connection is closed at once when the peer stops
 *
 * A protocol: Thrift and Nexus are both length-prefixed frames, so the
 * connection frames and the handler speaks.
 */
typedef struct {
  gsize max_frame;
  gboolean (*frame) (gpointer state, GBytes *frame, GError **error);
  void (*closed) (gpointer state);
  GDestroyNotify free_state;
  gboolean (*busy) (gpointer state);
} AlloyConnectionHandler;

/* Takes a reference on @stream. @protocol is "thrift" or "nexus". */
ALLOY_INTERNAL
AlloyConnection *alloy_connection_new (GIOStream *stream, const char *protocol,
                                       const char *listener, const char *remote);
/* Before start. Without a handler, what arrives is read and discarded. */
ALLOY_INTERNAL
void alloy_connection_set_handler (AlloyConnection *self, const AlloyConnectionHandler *handler,
                                   gpointer state);
/* Starts serving; ::closed is emitted once, when the connection ends. */
ALLOY_INTERNAL
void alloy_connection_start (AlloyConnection *self);
/* Queues a whole frame (length included); see alloy_frame_writer_push. */
ALLOY_INTERNAL
void alloy_connection_send (AlloyConnection *self, GBytes *frame, AlloyFrameWrittenFunc written,
                            gpointer user_data);
/* From a frame handler: read no further frame until release (a call
 * answered asynchronously, one at a time). The client's further calls wait
 * in the socket, as they would with a busy server. */
ALLOY_INTERNAL
void alloy_connection_hold_reading (AlloyConnection *self);
ALLOY_INTERNAL
void alloy_connection_release_reading (AlloyConnection *self);
/* Ends the connection once what was queued is written, logging @reason. */
ALLOY_INTERNAL
void alloy_connection_close_after_writes (AlloyConnection *self, const char *reason);
/* TRUE while the handler has work under way for this connection. */
ALLOY_INTERNAL
gboolean alloy_connection_is_busy (AlloyConnection *self);
/* Ends the connection now (end of a drain period). */
ALLOY_INTERNAL
void alloy_connection_close (AlloyConnection *self);
/* "[transport:nexus] 127.0.0.1:51234": for log lines. */
ALLOY_INTERNAL
const char *alloy_connection_get_description (AlloyConnection *self);

G_END_DECLS
