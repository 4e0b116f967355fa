/* alloy-frame-exchange.c: one request frame out, one reply frame in.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-frame-exchange.h"

#include "alloy-deadline.h"
#include "alloy-frame-io.h"

typedef struct {
  GBytes *frame;
  gsize max_reply;
  char *peer;
  AlloyDeadline *deadline;
} Exchange;

static void
exchange_free (Exchange *exchange)
{
  alloy_deadline_free (exchange->deadline);
  g_bytes_unref (exchange->frame);
  g_free (exchange->peer);
  g_free (exchange);
}

/* An error of the exchange, a timeout shown as one. */
static void
return_error (GTask *task, GError *error, const char *prefix)
{
  Exchange *exchange = g_task_get_task_data (task);

  if (alloy_deadline_expired (exchange->deadline) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "no reply from %s within %.1f s", exchange->peer,
                               alloy_deadline_get_seconds (exchange->deadline));
      return;
    }
  g_prefix_error (&error, "%s", prefix);
  g_task_return_error (task, error);
}

static void
on_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Exchange *exchange = g_task_get_task_data (task);
  GError *error = NULL;
  GBytes *frame = alloy_frame_read_finish (G_INPUT_STREAM (source), result, &error);

  if (frame != NULL)
    g_task_return_pointer (task, frame, (GDestroyNotify) g_bytes_unref);
  else if (error != NULL)
    return_error (task, error, "reading the reply: ");
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                             "%s closed the connection without a reply", exchange->peer);
}

static void
on_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Exchange *exchange = g_task_get_task_data (task);
  GIOStream *stream = g_task_get_source_object (task);
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      return_error (task, error, "sending the call: ");
      return;
    }
  alloy_frame_read_async (g_io_stream_get_input_stream (stream), exchange->max_reply, NULL,
                          alloy_deadline_get_cancellable (exchange->deadline), on_reply, g_steal_pointer (&task));
}

void
alloy_frame_exchange_async (GIOStream *stream, GBytes *frame, gsize max_reply, guint timeout_ms,
                            const char *peer, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  Exchange *exchange;
  const guint8 *data;
  gsize size = 0;

  g_return_if_fail (G_IS_IO_STREAM (stream));
  g_return_if_fail (frame != NULL && timeout_ms > 0);

  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, alloy_frame_exchange_async);
  exchange = g_new0 (Exchange, 1);
  exchange->frame = g_bytes_ref (frame);
  exchange->max_reply = max_reply;
  exchange->peer = g_strdup (peer);
  exchange->deadline = alloy_deadline_new (timeout_ms, cancellable);
  g_task_set_task_data (task, exchange, (GDestroyNotify) exchange_free);

  data = g_bytes_get_data (frame, &size);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream), data, size,
                                   G_PRIORITY_DEFAULT,
                                   alloy_deadline_get_cancellable (exchange->deadline),
                                   on_written, task);
}

GBytes *
alloy_frame_exchange_finish (GIOStream *stream, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, alloy_frame_exchange_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
