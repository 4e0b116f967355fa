/* alloy-frame-io.c: length-prefixed frames over a stream.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-frame-io.h"

#include <string.h>

G_DEFINE_QUARK (alloy-frame-error-quark, alloy_frame_error)

GBytes *
alloy_frame_wrap (const guint8 *body, gsize length)
{
  guint8 *frame;
  guint32 be = GUINT32_TO_BE ((guint32) length);

  g_return_val_if_fail (length <= G_MAXUINT32 - 4, NULL);
  frame = g_malloc (length + 4);
  memcpy (frame, &be, 4);
  if (length > 0)
    memcpy (frame + 4, body, length);
  return g_bytes_new_take (frame, length + 4);
}

/* Reading. */

typedef struct {
  gsize max_length;
  guint64 *offset;
  guint64 frame_offset;
  guint8 header[4];
  gsize header_read;
  guint8 *body;
  gsize length;
  gsize body_read;
} FrameRead;

static void
frame_read_free (FrameRead *read)
{
  g_free (read->body);
  g_free (read);
}

static void read_more (GTask *task);

static void
on_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  FrameRead *read = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n < 0)
    {
      g_task_return_error (task, error);
      return;
    }
  if (n == 0)
    {
      if (read->header_read == 0)
        g_task_return_pointer (task, NULL, NULL);
      else
        {
          if (read->header_read < 4)
            g_task_return_new_error (task, ALLOY_FRAME_ERROR, ALLOY_FRAME_ERROR_TRUNCATED,
                                     "offset %" G_GUINT64_FORMAT ": the stream ended inside a "
                                     "frame (%" G_GSIZE_FORMAT " of 4 header bytes)",
                                     read->frame_offset, read->header_read);
          else
            g_task_return_new_error (task, ALLOY_FRAME_ERROR, ALLOY_FRAME_ERROR_TRUNCATED,
                                     "offset %" G_GUINT64_FORMAT ": the stream ended inside a "
                                     "frame (%" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes)",
                                     read->frame_offset, 4 + read->body_read, 4 + read->length);
        }
      return;
    }
  if (read->header_read < 4)
    {
      read->header_read += n;
      if (read->header_read == 4)
        {
          guint32 be;

          memcpy (&be, read->header, 4);
          read->length = GUINT32_FROM_BE (be);
          if (read->length == 0)
            {
              g_task_return_new_error (task, ALLOY_FRAME_ERROR, ALLOY_FRAME_ERROR_EMPTY,
                                       "offset %" G_GUINT64_FORMAT ": a frame of length 0",
                                       read->frame_offset);
              return;
            }
          if (read->length > read->max_length)
            {
              g_task_return_new_error (task, ALLOY_FRAME_ERROR, ALLOY_FRAME_ERROR_TOO_LARGE,
                                       "offset %" G_GUINT64_FORMAT ": a frame of %" G_GSIZE_FORMAT
                                       " bytes, over the limit of %" G_GSIZE_FORMAT,
                                       read->frame_offset, read->length, read->max_length);
              return;
            }
          /* Allocated only once the length is known to be acceptable. */
          read->body = g_malloc (read->length);
        }
    }
  else
    read->body_read += n;
  read_more (g_steal_pointer (&task));
}

static void
read_more (GTask *task)
{
  FrameRead *read = g_task_get_task_data (task);
  GInputStream *stream = g_task_get_source_object (task);

  if (read->header_read == 4 && read->body_read == read->length)
    {
      GBytes *body = g_bytes_new_take (g_steal_pointer (&read->body), read->length);

      if (read->offset != NULL)
        *read->offset = read->frame_offset + 4 + read->length;
      g_task_return_pointer (task, body, (GDestroyNotify) g_bytes_unref);
      g_object_unref (task);
      return;
    }
  if (read->header_read < 4)
    g_input_stream_read_async (stream, read->header + read->header_read, 4 - read->header_read,
                               g_task_get_priority (task), g_task_get_cancellable (task), on_read,
                               task);
  else
    g_input_stream_read_async (stream, read->body + read->body_read,
                               read->length - read->body_read, g_task_get_priority (task),
                               g_task_get_cancellable (task), on_read, task);
}

void
alloy_frame_read_async (GInputStream *stream, gsize max_length, guint64 *offset,
                        GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data)
{
  GTask *task = g_task_new (stream, cancellable, callback, user_data);
  FrameRead *read = g_new0 (FrameRead, 1);

  g_task_set_source_tag (task, alloy_frame_read_async);
  read->max_length = max_length;
  read->offset = offset;
  read->frame_offset = offset ? *offset : 0;
  g_task_set_task_data (task, read, (GDestroyNotify) frame_read_free);
  read_more (task);
}

GBytes *
alloy_frame_read_finish (GInputStream *stream, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Writing. */

typedef struct {
  GBytes *frame;
  AlloyFrameWrittenFunc written;
  gpointer user_data;
} QueuedFrame;

struct _AlloyFrameWriter {
  GOutputStream *stream;
  GCancellable *cancellable;
  GQueue queue;   /* QueuedFrame, the head in flight while writing */
  gboolean writing;
  gsize pending;
  GError *error;
  GSourceFunc drained;
  gpointer drained_data;
  gboolean freed;
};

static AlloyFrameWriter *
writer_ref (AlloyFrameWriter *writer)
{
  return g_rc_box_acquire (writer);
}

static void
writer_clear (AlloyFrameWriter *writer)
{
  g_object_unref (writer->stream);
  g_object_unref (writer->cancellable);
  g_clear_error (&writer->error);
}

static void
writer_unref (AlloyFrameWriter *writer)
{
  g_rc_box_release_full (writer, (GDestroyNotify) writer_clear);
}

AlloyFrameWriter *
alloy_frame_writer_new (GOutputStream *stream)
{
  AlloyFrameWriter *writer = g_rc_box_new0 (AlloyFrameWriter);

  writer->stream = g_object_ref (stream);
  writer->cancellable = g_cancellable_new ();
  g_queue_init (&writer->queue);
  return writer;
}

static void
finish_frame (QueuedFrame *queued, const GError *error)
{
  if (queued->written != NULL)
    queued->written (queued->user_data, error);
  g_bytes_unref (queued->frame);
  g_free (queued);
}

static void
notify_drained (AlloyFrameWriter *writer)
{
  GSourceFunc drained = writer->drained;

  if (drained == NULL || writer->writing || !g_queue_is_empty (&writer->queue))
    return;
  writer->drained = NULL;
  drained (writer->drained_data);
}

/* Fails every queued frame (not the one in flight, whose write reports). */
static void
fail_queued (AlloyFrameWriter *writer)
{
  QueuedFrame *in_flight = writer->writing ? g_queue_pop_head (&writer->queue) : NULL;
  QueuedFrame *queued;

  while ((queued = g_queue_pop_head (&writer->queue)) != NULL)
    {
      writer->pending -= g_bytes_get_size (queued->frame);
      finish_frame (queued, writer->error);
    }
  if (in_flight != NULL)
    g_queue_push_head (&writer->queue, in_flight);
}

static void write_next (AlloyFrameWriter *writer);

static void
on_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AlloyFrameWriter *writer = user_data;
  g_autoptr(GError) error = NULL;
  QueuedFrame *queued = g_queue_pop_head (&writer->queue);

  writer->writing = FALSE;
  writer->pending -= g_bytes_get_size (queued->frame);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error) &&
      writer->error == NULL)
    writer->error = g_error_copy (error);
  finish_frame (queued, writer->error);
  if (writer->error != NULL)
    fail_queued (writer);
  else if (!writer->freed)
    write_next (writer);
  if (!writer->freed)
    notify_drained (writer);
  writer_unref (writer);
}

static void
write_next (AlloyFrameWriter *writer)
{
  QueuedFrame *queued = g_queue_peek_head (&writer->queue);
  gsize size;
  const guint8 *data;

  if (writer->writing || queued == NULL)
    return;
  writer->writing = TRUE;
  data = g_bytes_get_data (queued->frame, &size);
  g_output_stream_write_all_async (writer->stream, data, size, G_PRIORITY_DEFAULT,
                                   writer->cancellable, on_written, writer_ref (writer));
}

void
alloy_frame_writer_push (AlloyFrameWriter *writer, GBytes *frame, AlloyFrameWrittenFunc written,
                         gpointer user_data)
{
  QueuedFrame *queued = g_new0 (QueuedFrame, 1);

  queued->frame = g_bytes_ref (frame);
  queued->written = written;
  queued->user_data = user_data;
  if (writer->error != NULL)
    {
      finish_frame (queued, writer->error);
      return;
    }
  writer->pending += g_bytes_get_size (frame);
  g_queue_push_tail (&writer->queue, queued);
  write_next (writer);
}

gsize
alloy_frame_writer_get_pending (AlloyFrameWriter *writer)
{
  return writer->pending;
}

const GError *
alloy_frame_writer_get_error (AlloyFrameWriter *writer)
{
  return writer->error;
}

void
alloy_frame_writer_when_drained (AlloyFrameWriter *writer, GSourceFunc drained,
                                 gpointer user_data)
{
  writer->drained = drained;
  writer->drained_data = user_data;
  notify_drained (writer);
}

void
alloy_frame_writer_close (AlloyFrameWriter *writer)
{
  if (writer->error == NULL)
    writer->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "the connection was closed");
  g_cancellable_cancel (writer->cancellable);
  fail_queued (writer);
}

void
alloy_frame_writer_free (AlloyFrameWriter *writer)
{
  if (writer == NULL)
    return;
  writer->drained = NULL;
  alloy_frame_writer_close (writer);
  /* The write in flight completes later: its owner is gone by then. */
  for (GList *l = writer->queue.head; l; l = l->next)
    ((QueuedFrame *) l->data)->written = NULL;
  writer->freed = TRUE;
  writer_unref (writer);
}
