/* alloy-peer-client.c: one getInventory call to another peer.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-peer-client.h"

#include "alloy-frame-exchange.h"
#include "alloy-peer-codec.h"

typedef struct {
  char *address;
  GBytes *call;
  gint32 seqid;
  gint64 deadline_us;
  GIOStream *stream;
} Call;

static void
call_free (Call *call)
{
  /* Closing a socket stream does not block. */
  if (call->stream != NULL)
    g_io_stream_close (call->stream, NULL, NULL);
  g_clear_object (&call->stream);
  g_bytes_unref (call->call);
  g_free (call->address);
  g_free (call);
}

static void
on_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GBytes) frame = alloy_frame_exchange_finish (G_IO_STREAM (source), result, &error);
  AlloyInventory *inventory;
  const guint8 *data;
  gsize size = 0;

  if (frame == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data = g_bytes_get_data (frame, &size);
  inventory = alloy_peer_decode_reply (data, size, call->seqid, &error);
  if (inventory == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, inventory, (GDestroyNotify) alloy_inventory_free);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  GError *error = NULL;
  gint64 left_ms;
  g_autofree char *who = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);

  call->stream = alloy_connector_connect_finish (ALLOY_CONNECTOR (source), result, &error);
  if (call->stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* One deadline for the whole call. */
  left_ms = MAX (1, (call->deadline_us - g_get_monotonic_time ()) / 1000);
  who = g_strdup_printf ("peer %s", call->address);
  alloy_frame_exchange_async (call->stream, call->call, ALLOY_THRIFT_FRAME_MAX, (guint) left_ms,
                              who, cancellable, on_reply,
                              g_steal_pointer (&task));
}

void
alloy_peer_client_inventory_async (AlloyConnector *connector, const AlloyPeer *peer,
                                   const char *dataset, const char *schema_name,
                                   guint timeout_ms, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (connector, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);

  g_task_set_source_tag (task, alloy_peer_client_inventory_async);
  call->address = alloy_connector_address_for (peer->host, peer->port);
  call->seqid = (gint32) g_random_int ();
  call->call = alloy_peer_encode_call (call->seqid, dataset, schema_name);
  call->deadline_us = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  alloy_connector_connect_async (connector, call->address, timeout_ms, cancellable, on_connected,
                                 task);
}

AlloyInventory *
alloy_peer_client_inventory_finish (AlloyConnector *connector, GAsyncResult *result,
                                    GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connector), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
