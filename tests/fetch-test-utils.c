/* fetch-test-utils.c: the fake servers of the fetch tests, in this
 * process: a Thrift one that answers getViewGenerator as its mode says,
 * a Nexus one (on TCP and a unix socket) that answers each Initiate as the
 * script its suid names says; and the fixture that runs both.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "fetch-test-utils.h"

#include "alloy-nexus-parcel.h"
#include "alloy-thrift-codec.h"

#include <gio/gunixsocketaddress.h>
#include <string.h>

/* --- Fake servers ------------------------------------------------------- */

const Script scripts[] = {
  { "good", 3, -100, 3, NULL, 0 },
  { "after-complete", 3, -100, 3, "AFTER_COMPLETE", ALLOY_NEXUS_ERROR_PROTOCOL },
  { "wrong-guid", 0, NONE, 0, "CROSSED_NEXUS_STREAMS", ALLOY_NEXUS_ERROR_PROTOCOL },
  { "wrong-suid", 0, NONE, 0, "CROSSED_NEXUS_STREAMS", ALLOY_NEXUS_ERROR_PROTOCOL },
  { "wrong-ruid", 0, NONE, 0, "INITIATED_ECHO", ALLOY_NEXUS_ERROR_PROTOCOL },
  { "crossed-parcel", 0, NONE, 0, "CROSSED_NEXUS_STREAMS", ALLOY_NEXUS_ERROR_PROTOCOL },
  { "heartbeat-699", 0, NONE, 0, "HEARTBEAT_STATUS", ALLOY_NEXUS_ERROR_PROTOCOL },
  { "incomplete", 1, -100, 3, "SAMPLE_STORE_STREAM_INCOMPLETE", ALLOY_NEXUS_ERROR_PROTOCOL },
  { "exception", 0, -300, 0, "SAMPLE_STORE_STREAM_EXCEPTION", ALLOY_NEXUS_ERROR_STREAM_FAILED },
  { "abort", 1, -600, 2, "SAMPLE_STORE_STREAM_ABORT", ALLOY_NEXUS_ERROR_STREAM_FAILED },
  { "timeout-status", 0, -200, 0, "SAMPLE_STORE_STREAM_TIMEOUT", ALLOY_NEXUS_ERROR_STREAM_FAILED },
  { "status-zero", 3, 0, 3, "COMPLETE_STATUS", ALLOY_NEXUS_ERROR_PROTOCOL },
  { "no-data-with-items", 2, -400, 1, "COMPLETE_STATUS", ALLOY_NEXUS_ERROR_PROTOCOL },
  { "end-without-items", 0, -100, 0, "COMPLETE_STATUS", ALLOY_NEXUS_ERROR_PROTOCOL },
  { "no-initiated", 0, NONE, 0, "INITIATED_TIMEOUT", ALLOY_NEXUS_ERROR_TIMEOUT },
  { "silent", 0, NONE, 0, "SAMPLE_STORE_STREAM_TIMEOUT", ALLOY_NEXUS_ERROR_TIMEOUT },
  { "bad-preamble", 0, NONE, 0, "BAD_PARCEL", ALLOY_NEXUS_ERROR_PROTOCOL },
  { "empty-parcel", 0, NONE, 0, "EMPTY_PARCEL", ALLOY_NEXUS_ERROR_PROTOCOL },
  { "closes", 0, NONE, 0, "STREAM_CLOSED", ALLOY_NEXUS_ERROR_PROTOCOL },
  { "other-variant", 0, NONE, 0, "WRONG_VARIANT", ALLOY_NEXUS_ERROR_PROTOCOL },
};

static const Script *
script_for (const char *suid)
{
  g_autofree char *name = g_strndup (suid, strcspn (suid, "."));

  for (gsize i = 0; i < G_N_ELEMENTS (scripts); i++)
    if (strcmp (scripts[i].name, name) == 0)
      return &scripts[i];
  g_error ("no script '%s'", name);
}

static GSocketService *
listen_loopback (guint16 *port)
{
  g_autoptr(GError) error = NULL;
  GSocketService *service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  /* Stopped until its sockets are all there: GLib drops a connection
   * that an accept cancelled by a new socket took. The caller starts it. */
  g_socket_service_stop (service);
  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return service;
}

static void
stop_service (GSocketService *service)
{
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  g_object_unref (service);
}

static void
drain (void)
{
  for (guint i = 0; i < 100; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

GIOStream *
connect_loopback (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  return G_IO_STREAM (connection);
}

static AlloyLocus *
locus_copy (const AlloyLocus *locus)
{
  AlloyLocus *copy = alloy_locus_new (locus->suid, locus->host_address, locus->host_name,
                                      locus->port);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, locus->partition_properties);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->partition_properties, g_strdup (key), g_strdup (value));
  return copy;
}

static void
on_thrift_call (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GIOStream) conn = user_data;
  ThriftServer *server = g_object_get_data (G_OBJECT (conn), "server");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = alloy_frame_read_finish (G_INPUT_STREAM (source), result, &error);
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(AlloyViewAnswer) answer = NULL;
  g_autoptr(GBytes) reply = NULL;
  const guint8 *data;
  gsize size = 0;

  if (frame == NULL)
    return;
  data = g_bytes_get_data (frame, &size);
  g_clear_pointer (&server->request, alloy_view_request_free);
  server->request = alloy_thrift_decode_call (data, size, &header, &error);
  g_assert_no_error (error);
  if (server->mode == THRIFT_SILENT)
    return;
  if (server->mode == THRIFT_STATE)
    answer = alloy_view_answer_new_failure (server->request->guid, ALLOY_VIEW_STATE_INVALID,
                                            "no dataset 'nope'");
  else
    answer = alloy_view_answer_new_success (server->request->guid, "HASH",
                                            server->mode == THRIFT_NO_MOTIF ? NULL :
                                            server->request->view_motif);
  for (guint i = 0; server->mode != THRIFT_NO_LOCI && answer->loci && i < server->loci->len; i++)
    g_ptr_array_add (answer->loci, locus_copy (g_ptr_array_index (server->loci, i)));
  /* Any other seqid would do: the client must notice. */
  reply = alloy_thrift_encode_reply (header.seqid + (server->mode == THRIFT_WRONG_SEQID),
                                     answer);
  g_output_stream_write_all (g_io_stream_get_output_stream (conn), g_bytes_get_data (reply, NULL),
                             g_bytes_get_size (reply), NULL, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
on_thrift_incoming (GSocketService *service, GSocketConnection *connection, GObject *source,
                    gpointer user_data)
{
  ThriftServer *server = user_data;

  g_ptr_array_add (server->connections, g_object_ref (connection));
  g_object_set_data (G_OBJECT (connection), "server", server);
  alloy_frame_read_async (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                          ALLOY_THRIFT_FRAME_MAX, NULL, NULL, on_thrift_call,
                          g_object_ref (connection));
  return TRUE;
}

static void
send_frame (Peer *peer, GBytes *frame)
{
  alloy_frame_writer_push (peer->writer, frame, NULL, NULL);
  g_bytes_unref (frame);
}

/* A parcel of @blobs; @inflated_delta makes its inflatedSize disagree
 * with the Snappy preamble. */
static GBytes *
parcel_frame (AlloyNexusVariant variant, const char *guid, const char *suid,
              const char *const *blobs, gint32 inflated_delta, gint32 count_override)
{
  g_autoptr(AlloyParcelBuilder) builder = alloy_parcel_builder_new (ALLOY_NEXUS_PARCEL_MIN_BYTES);
  g_autoptr(GBytes) deflated = NULL;
  gint32 count = 0, inflated = 0;

  for (; *blobs != NULL; blobs++)
    {
      g_autoptr(GBytes) blob = g_bytes_new_static (*blobs, strlen (*blobs));

      alloy_parcel_builder_add (builder, blob);
    }
  deflated = alloy_parcel_builder_take (builder, &count, &inflated);
  return alloy_nexus_encode_parcel (variant, guid, suid, deflated,
                                    count_override >= 0 ? count_override : count,
                                    inflated + inflated_delta);
}

static const char *const parcel_a[] = { "alpha", "beta", NULL };
static const char *const parcel_b[] = { "gamma", NULL };

static gboolean
shut_down_writes (gpointer user_data)
{
  Peer *peer = user_data;

  g_socket_shutdown (g_socket_connection_get_socket (G_SOCKET_CONNECTION (peer->conn)), FALSE,
                     TRUE, NULL);
  return G_SOURCE_REMOVE;
}

static void
respond (Peer *peer, const AlloyNexusMessage *in)
{
  const Script *script = script_for (in->suid);
  const char *name = script->name;
  AlloyNexusVariant v = peer->variant;
  const char *guid = in->guid, *suid = in->suid;

  if (strcmp (name, "no-initiated") == 0)
    return;
  send_frame (peer, alloy_nexus_encode_initiated (v, in->ruid + !strcmp (name, "wrong-ruid"),
                                                  strcmp (name, "wrong-guid") ? guid : "Bwrong",
                                                  strcmp (name, "wrong-suid") ? suid : "Swrong"));
  if (g_str_has_prefix (name, "wrong-") || strcmp (name, "silent") == 0)
    return;
  if (strcmp (name, "heartbeat-699") == 0)
    {
      g_autoptr(AlloyNexusMessage) heartbeat = alloy_nexus_message_new (ALLOY_NEXUS_HEARTBEAT, 0,
                                                                        guid, suid);

      heartbeat->status = -699;
      send_frame (peer, alloy_nexus_message_encode (heartbeat, v));
      return;
    }
  send_frame (peer, alloy_nexus_encode_heartbeat (v, guid, suid));
  if (strcmp (name, "closes") == 0)
    alloy_frame_writer_when_drained (peer->writer, shut_down_writes, peer);
  else if (strcmp (name, "other-variant") == 0)
    send_frame (peer, alloy_nexus_encode_heartbeat (v == ALLOY_NEXUS_VARIANT_OLD ?
                                                    ALLOY_NEXUS_VARIANT_TRACE :
                                                    ALLOY_NEXUS_VARIANT_OLD, guid, suid));
  else if (strcmp (name, "bad-preamble") == 0)
    send_frame (peer, parcel_frame (v, guid, suid, parcel_a, 1, -1));
  else if (strcmp (name, "empty-parcel") == 0)
    send_frame (peer, parcel_frame (v, guid, suid, parcel_a, 0, 0));
  else if (strcmp (name, "crossed-parcel") == 0)
    send_frame (peer, parcel_frame (v, guid, "Sother", parcel_a, 0, -1));
  if (script->status == NONE)
    return;
  if (script->parcels & 1)
    send_frame (peer, parcel_frame (v, guid, suid, parcel_a, 0, -1));
  if (script->parcels & 2)
    send_frame (peer, parcel_frame (v, guid, suid, parcel_b, 0, -1));
  send_frame (peer, alloy_nexus_encode_complete (v, guid, suid, script->status, script->items,
                                                 script->items, script->items + 1, 1));
  if (strcmp (name, "after-complete") == 0)
    send_frame (peer, parcel_frame (v, guid, suid, parcel_b, 0, -1));
}

static void
on_peer_frame (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = alloy_frame_read_finish (G_INPUT_STREAM (source), result, &error);
  Peer *peer = user_data;
  const guint8 *data;
  gsize size = 0;

  /* Cancelled: the peer is gone. */
  if (frame == NULL)
    return;
  data = g_bytes_get_data (frame, &size);
  if (peer->variant == ALLOY_NEXUS_VARIANT_UNKNOWN)
    {
      g_assert_true (alloy_nexus_sniff_variant (data, size, &peer->variant, &error));
      g_assert_no_error (error);
    }
  g_clear_pointer (&peer->server->initiate, alloy_nexus_message_free);
  peer->server->initiate = alloy_nexus_message_decode (data, size, peer->variant, &error);
  g_assert_no_error (error);
  g_assert_cmpint (peer->server->initiate->type, ==, ALLOY_NEXUS_INITIATE);
  peer->server->initiates++;
  respond (peer, peer->server->initiate);
  alloy_frame_read_async (G_INPUT_STREAM (source), ALLOY_NEXUS_FRAME_MAX, NULL, peer->cancellable,
                          on_peer_frame, peer);
}

static gboolean
on_nexus_incoming (GSocketService *service, GSocketConnection *connection, GObject *source,
                   gpointer user_data)
{
  NexusServer *server = user_data;
  Peer *peer = g_new0 (Peer, 1);

  peer->server = server;
  peer->conn = g_object_ref (G_IO_STREAM (connection));
  peer->writer = alloy_frame_writer_new (g_io_stream_get_output_stream (peer->conn));
  peer->cancellable = g_cancellable_new ();
  g_ptr_array_add (server->peers, peer);
  alloy_frame_read_async (g_io_stream_get_input_stream (peer->conn), ALLOY_NEXUS_FRAME_MAX, NULL,
                          peer->cancellable, on_peer_frame, peer);
  return TRUE;
}

static void
peer_free (Peer *peer)
{
  alloy_frame_writer_free (peer->writer);
  g_object_unref (peer->cancellable);
  g_object_unref (peer->conn);
  g_free (peer);
}

/* --- Fixture: both servers, the Nexus one on TCP and a unix socket ------ */

void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSocketAddress) unix_address = NULL;
  g_autoptr(GError) error = NULL;

  fixture->tmp = alloy_test_make_tmp_dir ();
  fixture->thrift.service = listen_loopback (&fixture->thrift.port);
  fixture->thrift.loci = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_locus_free);
  fixture->thrift.connections = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (fixture->thrift.service, "incoming", G_CALLBACK (on_thrift_incoming),
                    &fixture->thrift);
  g_socket_service_start (fixture->thrift.service);
  fixture->nexus.service = listen_loopback (&fixture->nexus.port);
  fixture->nexus.unix_path = g_build_filename (fixture->tmp, "nexus.sock", NULL);
  unix_address = g_unix_socket_address_new (fixture->nexus.unix_path);
  g_socket_listener_add_address (G_SOCKET_LISTENER (fixture->nexus.service), unix_address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL,
                                 &error);
  g_assert_no_error (error);
  fixture->nexus.peers = g_ptr_array_new ();
  g_signal_connect (fixture->nexus.service, "incoming", G_CALLBACK (on_nexus_incoming),
                    &fixture->nexus);
  g_socket_service_start (fixture->nexus.service);
  g_ptr_array_add (fixture->thrift.loci, alloy_locus_new ("S1", "127.0.0.1", "localhost",
                                                          fixture->nexus.port));
}

void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  stop_service (fixture->thrift.service);
  stop_service (fixture->nexus.service);
  for (guint i = 0; i < fixture->nexus.peers->len; i++)
    g_cancellable_cancel (((Peer *) g_ptr_array_index (fixture->nexus.peers, i))->cancellable);
  drain ();
  for (guint i = 0; i < fixture->nexus.peers->len; i++)
    peer_free (g_ptr_array_index (fixture->nexus.peers, i));
  g_ptr_array_unref (fixture->nexus.peers);
  g_clear_pointer (&fixture->nexus.initiate, alloy_nexus_message_free);
  g_free (fixture->nexus.unix_path);
  g_ptr_array_unref (fixture->thrift.connections);
  g_ptr_array_unref (fixture->thrift.loci);
  g_clear_pointer (&fixture->thrift.request, alloy_view_request_free);
  drain ();
  alloy_test_remove_tree (fixture->tmp);
  g_free (fixture->tmp);
}
