/* alloy-frame-io.h: length-prefixed frames over a stream, the framing
 * Thrift's framed transport and Nexus share: a uint32 BE length, then that
 * many bytes.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

#define ALLOY_FRAME_ERROR (alloy_frame_error_quark ())
ALLOY_INTERNAL
GQuark alloy_frame_error_quark (void);

typedef enum {
  ALLOY_FRAME_ERROR_EMPTY,     /* a length of 0 */
  ALLOY_FRAME_ERROR_TOO_LARGE, /* a length over the reader's limit */
  ALLOY_FRAME_ERROR_TRUNCATED, /* the stream ended inside a frame */
} AlloyFrameError;

/* Reads one frame: its body, without the length. At a clean end of the
 * stream (before any byte of a frame) the result is NULL with no error.
 * Errors name the offset of the frame in the stream when @offset is
 * given (it is advanced past the frame). */
ALLOY_INTERNAL
void alloy_frame_read_async (GInputStream *stream, gsize max_length, guint64 *offset,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data);
ALLOY_INTERNAL
GBytes *alloy_frame_read_finish (GInputStream *stream, GAsyncResult *result, GError **error);

/* Prepends the uint32 BE length to @body. */
ALLOY_INTERNAL
GBytes *alloy_frame_wrap (const guint8 *body, gsize length);

/* Writes whole frames in order, one write in flight at a time, so frames
 * never interleave. Lives on the thread-default main context of its
 * creation. */
typedef struct _AlloyFrameWriter AlloyFrameWriter;

/* Called on the writer's context once @frame is written (@error NULL), or
 * when it never will be (@error set: the write failed or the writer was
 * closed). */
typedef void (*AlloyFrameWrittenFunc) (gpointer user_data, const GError *error);

ALLOY_INTERNAL
AlloyFrameWriter *alloy_frame_writer_new (GOutputStream *stream);
/* Queues a complete frame (length included). @written may be NULL. After
 * a failure or a close, @written gets the error at once. */
ALLOY_INTERNAL
void alloy_frame_writer_push (AlloyFrameWriter *writer, GBytes *frame,
                              AlloyFrameWrittenFunc written, gpointer user_data);
/* Bytes queued and not yet written. */
ALLOY_INTERNAL
gsize alloy_frame_writer_get_pending (AlloyFrameWriter *writer);
/* The first write error, or NULL. */
ALLOY_INTERNAL
const GError *alloy_frame_writer_get_error (AlloyFrameWriter *writer);
/* Calls @drained once nothing is queued or in flight (at once when idle). */
ALLOY_INTERNAL
void alloy_frame_writer_when_drained (AlloyFrameWriter *writer, GSourceFunc drained,
                                      gpointer user_data);
/* Cancels the write in flight and fails every queued frame; callbacks run
 * before this returns or from the cancelled write's completion. */
ALLOY_INTERNAL
void alloy_frame_writer_close (AlloyFrameWriter *writer);
/* Closes the writer; no callback runs after this returns. */
ALLOY_INTERNAL
void alloy_frame_writer_free (AlloyFrameWriter *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyFrameWriter, alloy_frame_writer_free)

G_END_DECLS
