/* alloy-view-client.c: one getViewGenerator call, checked as a cell does.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-view-client.h"

#include "alloy-frame-exchange.h"
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

/* The exchange's errors in the view client's terms. */
static GError *
to_client_error (GError *error)
{
  gint code = -1;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    code = ALLOY_VIEW_CLIENT_ERROR_TIMEOUT;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
    code = ALLOY_VIEW_CLIENT_ERROR_CLOSED;
  if (code < 0)
    return error;
  error->domain = ALLOY_VIEW_CLIENT_ERROR;
  error->code = code;
  return error;
}

static void
on_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  gint32 seqid = GPOINTER_TO_INT (g_task_get_task_data (task));
  GError *error = NULL;
  g_autoptr(GBytes) frame = alloy_frame_exchange_finish (G_IO_STREAM (source), result, &error);
  g_autoptr(AlloyViewAnswer) answer = NULL;
  const guint8 *data;
  gsize size = 0;

  if (frame == NULL)
    {
      g_task_return_error (task, to_client_error (error));
      return;
    }
  data = g_bytes_get_data (frame, &size);
  answer = alloy_thrift_decode_reply (data, size, seqid, &error);
  if (answer == NULL || !alloy_view_client_check_answer (answer, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&answer), (GDestroyNotify) alloy_view_answer_free);
}

void
alloy_view_client_call_async (GIOStream *stream, const AlloyViewRequest *request,
                              guint timeout_ms, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  /* Any int32, negative ones included: the reply must echo it exactly. */
  gint32 seqid = (gint32) g_random_int ();
  g_autoptr(GBytes) frame = NULL;
  GTask *task;

  g_return_if_fail (G_IS_IO_STREAM (stream));
  g_return_if_fail (request != NULL);

  task = g_task_new (stream, cancellable, callback, user_data);
  g_task_set_source_tag (task, alloy_view_client_call_async);
  g_task_set_task_data (task, GINT_TO_POINTER (seqid), NULL);
  frame = alloy_thrift_encode_call (seqid, request);
  alloy_frame_exchange_async (stream, frame, ALLOY_THRIFT_FRAME_MAX,
                              timeout_ms > 0 ? timeout_ms : ALLOY_VIEW_CLIENT_DEFAULT_TIMEOUT_MS,
                              "the sample store", cancellable, on_reply, task);
}

AlloyViewAnswer *
alloy_view_client_call_finish (GIOStream *stream, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, alloy_view_client_call_async), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
