/* alloy-frame-exchange.h: one request frame out, one reply frame in, within
 * a deadline: how the Thrift clients (the view client, the peer client)
 * talk.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

#include <gio/gio.h>

G_BEGIN_DECLS

/* Writes @frame (length included) on @stream, then reads one frame of at
 * most @max_reply bytes, all within @timeout_ms (> 0). On the
 * thread-default main context. Errors: G_IO_ERROR_TIMED_OUT "no reply
 * from @peer within N s"; G_IO_ERROR_CONNECTION_CLOSED "@peer closed the
 * connection without a reply"; I/O errors prefixed with "sending the
 * call: " or "reading the reply: ". The stream is left mid-frame after an
 * error: close it then. */
ALLOY_INTERNAL
void alloy_frame_exchange_async (GIOStream *stream, GBytes *frame, gsize max_reply,
                                 guint timeout_ms, const char *peer, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
/* The reply's body, without its length. */
ALLOY_INTERNAL
GBytes *alloy_frame_exchange_finish (GIOStream *stream, GAsyncResult *result, GError **error);

G_END_DECLS
