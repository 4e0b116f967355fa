/* alloy-view-client.c: one getViewGenerator call, checked as a cell does.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-view-client.h"

#include "alloy-frame-io.h"
#include "alloy-thrift-codec.h"

G_DEFINE_QUARK (alloy-view-client-error-quark, alloy_view_client_error)

char *
alloy_burst_uid_new (void)
{
  GString *uid = g_string_sized_new (34);

  g_string_append_c (uid, 'B');
  for (guint i = 0; i < 4; i++)
    g_string_append_printf (uid, "%08X", g_random_int ());
  return g_string_free (uid, FALSE);
}

gboolean
alloy_view_client_check_answer (const AlloyViewAnswer *answer, GError **error)
{
  if (answer->state != ALLOY_VIEW_STATE_SUCCESS)
    {
      g_autofree char *name = NULL;

      if (answer->state >= ALLOY_VIEW_STATE_TIMEOUT && answer->state <= ALLOY_VIEW_STATE_NOT_READY)
        name = g_strdup (alloy_view_state_to_string (answer->state));
      else
        name = g_strdup_printf ("state %d", (int) answer->state);
      g_set_error (error, ALLOY_VIEW_CLIENT_ERROR, ALLOY_VIEW_CLIENT_ERROR_STATE,
                   "Got %s from samplestore master: %s", name,
                   answer->message ? answer->message : "");
      return FALSE;
    }
  if (answer->loci == NULL || answer->loci->len == 0)
    {
      g_set_error_literal (error, ALLOY_VIEW_CLIENT_ERROR, ALLOY_VIEW_CLIENT_ERROR_NO_LOCI,
                           "Got no loci from sample store supervisor");
      return FALSE;
    }
  if (answer->motif_filter == NULL)
    {
      g_set_error_literal (error, ALLOY_VIEW_CLIENT_ERROR, ALLOY_VIEW_CLIENT_ERROR_NO_MOTIF_FILTER,
                           "no motif filter!");
      return FALSE;
    }
  return TRUE;
}

/* One call in flight. Its own cancellable is cancelled by the deadline and
 * by the caller's, since an I/O call takes only one. */
typedef struct {
  GBytes *frame;
  gint32 seqid;
  guint timeout_ms;
  GCancellable *cancellable;
  GCancellable *outer;
  gulong outer_id;
  GSource *deadline;
  gboolean timed_out;
} Call;

static void
call_free (Call *call)
{
  if (call->deadline != NULL)
    {
      g_source_destroy (call->deadline);
      g_source_unref (call->deadline);
    }
  if (call->outer_id != 0)
    g_cancellable_disconnect (call->outer, call->outer_id);
  g_clear_object (&call->outer);
  g_clear_object (&call->cancellable);
  g_bytes_unref (call->frame);
  g_free (call);
}

static void
on_outer_cancelled (GCancellable *outer, gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static gboolean
on_deadline (gpointer user_data)
{
  Call *call = user_data;

  call->timed_out = TRUE;
  g_cancellable_cancel (call->cancellable);
  return G_SOURCE_REMOVE;
}

/* An error of the exchange, a timeout shown as one. */
static void
call_return_error (GTask *task, GError *error)
{
  Call *call = g_task_get_task_data (task);

  if (call->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      g_task_return_new_error (task, ALLOY_VIEW_CLIENT_ERROR, ALLOY_VIEW_CLIENT_ERROR_TIMEOUT,
                               "no reply from the sample store within %.1f s",
                               call->timeout_ms / 1000.0);
      return;
    }
  g_task_return_error (task, error);
}

static void
on_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) frame = alloy_frame_read_finish (G_INPUT_STREAM (source), result, &error);
  g_autoptr(AlloyViewAnswer) answer = NULL;
  const guint8 *data;
  gsize size = 0;

  if (frame == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (ALLOY_VIEW_CLIENT_ERROR, ALLOY_VIEW_CLIENT_ERROR_CLOSED,
                                     "the sample store closed the connection without a reply");
      else
        g_prefix_error (&error, "reading the reply: ");
      call_return_error (task, error);
      return;
    }
  data = g_bytes_get_data (frame, &size);
  answer = alloy_thrift_decode_reply (data, size, call->seqid, &error);
  if (answer == NULL || !alloy_view_client_check_answer (answer, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&answer), (GDestroyNotify) alloy_view_answer_free);
}

static void
on_call_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  GIOStream *stream = g_task_get_source_object (task);
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_prefix_error (&error, "sending the call: ");
      call_return_error (task, error);
      return;
    }
  alloy_frame_read_async (g_io_stream_get_input_stream (stream), ALLOY_THRIFT_FRAME_MAX, NULL,
                          call->cancellable, on_reply, g_steal_pointer (&task));
}

void
alloy_view_client_call_async (GIOStream *stream, const AlloyViewRequest *request,
                              guint timeout_ms, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  Call *call;
  const guint8 *data;
  gsize size = 0;

  g_return_if_fail (G_IS_IO_STREAM (stream));
  g_return_if_fail (request != NULL);

  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, alloy_view_client_call_async);
  call = g_new0 (Call, 1);
  /* Any int32, negative ones included: the reply must echo it exactly. */
  call->seqid = (gint32) g_random_int ();
  call->timeout_ms = timeout_ms > 0 ? timeout_ms : ALLOY_VIEW_CLIENT_DEFAULT_TIMEOUT_MS;
  call->frame = alloy_thrift_encode_call (call->seqid, request);
  call->cancellable = g_cancellable_new ();
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  if (cancellable != NULL)
    {
      call->outer = g_object_ref (cancellable);
      call->outer_id = g_cancellable_connect (cancellable, G_CALLBACK (on_outer_cancelled),
                                              g_object_ref (call->cancellable), g_object_unref);
    }
  call->deadline = g_timeout_source_new (call->timeout_ms);
  g_source_set_callback (call->deadline, on_deadline, call, NULL);
  g_source_attach (call->deadline, g_main_context_get_thread_default ());

  data = g_bytes_get_data (call->frame, &size);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream), data, size,
                                   G_PRIORITY_DEFAULT, call->cancellable, on_call_written, task);
}

AlloyViewAnswer *
alloy_view_client_call_finish (GIOStream *stream, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, alloy_view_client_call_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
