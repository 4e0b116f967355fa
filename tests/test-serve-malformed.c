/* test-serve-malformed.c: alloyd against clients that misbehave or push
 * the protocol's edges, over raw sockets. Bad frames on the Thrift and
 * Nexus ports each close their own connection only (a well-framed message
 * of an unknown type is dropped and the connection goes on); a client that
 * vanishes mid-stream frees its stream; streams follow one another on a
 * pooled connection; a StreamAbort ends a stream with Complete(Abort); a
 * draining peer answers NotReady. After each, the server still serves.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"
#include "serve-test-utils.h"

#include "alloy-frame-io.h"
#include "alloy-nexus-message.h"
#include "alloy-thrift-codec.h"

#include <glib/gstdio.h>

#include <signal.h>
#include <string.h>

typedef struct {
  char *dir;
  char *datasets;
  gboolean have_fixtures;
  ServeTestDaemon *daemon;
  GSocketAddress *thrift;
  GSocketAddress *nexus;
} Fixture;

static GSocketAddress *
address_of (ServeTestDaemon *daemon, const char *protocol)
{
  g_autofree char *text = serve_test_daemon_address (daemon, protocol, "tcp");
  const char *host_port = text + strlen ("tcp:");
  const char *colon = strrchr (host_port, ':');
  g_autofree char *host = g_strndup (host_port, colon - host_port);

  return g_inet_socket_address_new_from_string (host, atoi (colon + 1));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *config = NULL;

  fixture->dir = alloy_test_make_tmp_dir ();
  fixture->datasets = g_build_filename (fixture->dir, "datasets", NULL);
  g_assert_cmpint (g_mkdir (fixture->datasets, 0755), ==, 0);
  fixture->have_fixtures = serve_test_make_quo_dataset (fixture->datasets);
  if (!fixture->have_fixtures)
    return;
  config = serve_test_config (fixture->datasets, data);
  fixture->daemon = serve_test_daemon_start (fixture->dir, "alloy", config);
  fixture->thrift = address_of (fixture->daemon, "thrift");
  fixture->nexus = address_of (fixture->daemon, "nexus");
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->thrift);
  g_clear_object (&fixture->nexus);
  g_clear_pointer (&fixture->daemon, serve_test_daemon_free);
  alloy_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->datasets);
}

/* A blocking client socket: every call is bounded by a timeout, so a
 * server that fails to close is a test failure, never a hang. */
static GSocket *
connect_to (GSocketAddress *address)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_socket_set_timeout (socket, 20);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&socket);
}

static void
send_bytes (GSocket *socket, const void *data, gsize length)
{
  g_autoptr(GError) error = NULL;
  gsize sent = 0;

  while (sent < length)
    {
      gssize n = g_socket_send (socket, (const char *) data + sent, length - sent, NULL, &error);
      g_assert_no_error (error);
      sent += n;
    }
}

/* Reads until the server closes; asserts it does (no timeout) and returns
 * what came before. */
static GByteArray *
read_until_closed (GSocket *socket)
{
  GByteArray *received = g_byte_array_new ();
  char buffer[4096];

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);

      if (n == 0 || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
        return received;
      g_assert_no_error (error);
      g_byte_array_append (received, (const guint8 *) buffer, n);
    }
}

/* Reads exactly one frame (blocking, bounded by the socket timeout). */
static GBytes *
read_frame (GSocket *socket)
{
  g_autoptr(GError) error = NULL;
  guint32 be = 0;
  gsize length;
  guint8 *body;

  g_assert_cmpint (g_socket_receive (socket, (char *) &be, 4, NULL, &error), ==, 4);
  length = GUINT32_FROM_BE (be);
  body = g_malloc (length);
  for (gsize got = 0; got < length;)
    {
      gssize n = g_socket_receive (socket, (char *) body + got, length - got, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      got += n;
    }
  return g_bytes_new_take (body, length);
}

static void
assert_closed_after (GSocketAddress *address, const void *data, gsize length,
                     gboolean shut_write)
{
  g_autoptr(GSocket) socket = connect_to (address);
  g_autoptr(GByteArray) received = NULL;

  send_bytes (socket, data, length);
  if (shut_write)
    g_socket_shutdown (socket, FALSE, TRUE, NULL);
  received = read_until_closed (socket);
  g_socket_close (socket, NULL);
}

/* A view of the quo dataset. */
static AlloyViewRequest *
quo_request (void)
{
  AlloyViewRequest *request = alloy_view_request_new ();

  g_hash_table_insert (request->store_properties, g_strdup ("burst.samplestore.source.name"),
                       g_strdup ("alloy"));
  g_hash_table_insert (request->store_properties, g_strdup ("alloy.samplestore.dataset"),
                       g_strdup ("quo"));
  g_free (request->schema_name);
  request->schema_name = g_strdup ("quo");
  return request;
}

static void
assert_fetch_works (Fixture *fixture)
{
  g_autofree char *server = serve_test_daemon_address (fixture->daemon, "thrift", "tcp");
  g_autofree char *schemas = g_build_filename (alloy_test_fixtures_dir (), "schemas", NULL);
  const char *const args[] = { "--server", server, "--schema", "quo", "--dataset", "quo", NULL };
  g_autoptr(ServeTestFetch) fetch = serve_test_fetch_start (args);
  guint loci = 0;
  guint64 items = 0, rejected = 0;

  serve_test_fetch_assert_status (fetch, 0);
  serve_test_parse_summary (fetch->out, &loci, &items, &rejected);
  g_assert_cmpuint (items, ==, 26);
}

static void
test_thrift (Fixture *fixture, gconstpointer data)
{
  /* A strict CALL header whose method name has length -5. */
  static const guint8 bad_string[] = { 0, 0, 0, 8, 0x80, 0x01, 0x00, 0x01, 0xff, 0xff, 0xff, 0xfb };
  static const guint8 garbage[] = { 0, 0, 0, 6, 'h', 'e', 'l', 'l', 'o', '!' };
  g_autoptr(GSocket) idle = NULL;

  if (!fixture->have_fixtures)
    {
      g_test_skip ("no ../shared/fixtures");
      return;
    }
  /* An idle connection must outlive the bad ones next to it. */
  idle = connect_to (fixture->thrift);
  assert_closed_after (fixture->thrift, "\0\0\0\0", 4, FALSE);
  assert_closed_after (fixture->thrift, "\x7f\xff\xff\xff", 4, FALSE);
  assert_closed_after (fixture->thrift, "\0\0", 2, TRUE);
  assert_closed_after (fixture->thrift, "\0\0\0\x40" "\x80\x01", 6, TRUE);
  assert_closed_after (fixture->thrift, bad_string, sizeof bad_string, FALSE);
  assert_closed_after (fixture->thrift, garbage, sizeof garbage, FALSE);
  ALLOY_TEST_WAIT_UNTIL (serve_test_daemon_log_has (fixture->daemon,
                                                    "a frame of length 0"), 10000);
  ALLOY_TEST_WAIT_UNTIL (serve_test_daemon_log_has (fixture->daemon,
                                                    "a frame of 2147483647 bytes, over the limit"),
                         10000);

  /* The idle connection still answers a call. */
  {
    g_autoptr(AlloyViewRequest) request = quo_request ();
    g_autoptr(GBytes) call = NULL;
    g_autoptr(GBytes) reply = NULL;
    g_autoptr(AlloyViewAnswer) answer = NULL;
    g_autoptr(GError) error = NULL;

    call = alloy_thrift_encode_call (-7, request);
    send_bytes (idle, g_bytes_get_data (call, NULL), g_bytes_get_size (call));
    reply = read_frame (idle);
    answer = alloy_thrift_decode_reply (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                        -7, &error);
    g_assert_no_error (error);
    g_assert_cmpint (answer->state, ==, ALLOY_VIEW_STATE_SUCCESS);
    g_assert_cmpuint (answer->loci->len, ==, 1);
  }

  /* Calls sent together are answered one at a time, in order: a view, an
   * unknown method (an exception, and the connection goes on), a view with
   * no schema (Invalid), a view. */
  {
    g_autoptr(AlloyViewRequest) request = quo_request ();
    g_autoptr(AlloyViewRequest) no_schema = quo_request ();
    g_autoptr(GByteArray) calls = g_byte_array_new ();
    GBytes *parts[4];
    const gint32 seqids[] = { 11, 12, 13, 14 };

    g_free (no_schema->schema_name);
    no_schema->schema_name = g_strdup ("");
    parts[0] = alloy_thrift_encode_call (11, request);
    /* An EXCEPTION message, not a CALL, whose name is no method either. */
    parts[1] = alloy_thrift_encode_exception ("getFoo", 12, 1, "x");
    parts[2] = alloy_thrift_encode_call (13, no_schema);
    parts[3] = alloy_thrift_encode_call (14, request);
    for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
      {
        g_byte_array_append (calls, g_bytes_get_data (parts[i], NULL),
                             g_bytes_get_size (parts[i]));
        g_bytes_unref (parts[i]);
      }
    send_bytes (idle, calls->data, calls->len);
    for (guint i = 0; i < G_N_ELEMENTS (seqids); i++)
      {
        g_autoptr(GBytes) reply = read_frame (idle);
        g_autoptr(AlloyViewAnswer) answer = NULL;
        g_autoptr(GError) error = NULL;

        answer = alloy_thrift_decode_reply (g_bytes_get_data (reply, NULL),
                                            g_bytes_get_size (reply), seqids[i], &error);
        if (i == 1)
          {
            g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_APPLICATION_EXCEPTION);
            g_assert_nonnull (strstr (error->message, "unknown method 'getFoo'"));
            continue;
          }
        g_assert_no_error (error);
        if (i == 2)
          {
            g_assert_cmpint (answer->state, ==, ALLOY_VIEW_STATE_INVALID);
            g_assert_cmpstr (answer->message, ==, "the view names no schema");
          }
        else
          g_assert_cmpint (answer->state, ==, ALLOY_VIEW_STATE_SUCCESS);
      }
  }
  assert_fetch_works (fixture);
  /* Or the stop would wait out the drain period for it. */
  g_socket_close (idle, NULL);
  serve_test_daemon_stop (fixture->daemon);
}

static GBytes *
initiate_frame (AlloyNexusVariant variant, const char *guid, const char *suid,
                GHashTable *properties)
{
  g_autoptr(AlloyNexusMessage) initiate = alloy_nexus_message_new (ALLOY_NEXUS_INITIATE, 5, guid,
                                                                   suid);
  GHashTableIter iter;
  gpointer key, value;

  if (properties != NULL)
    {
      g_hash_table_iter_init (&iter, properties);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (initiate->properties, g_strdup (key), g_strdup (value));
    }
  initiate->schema = g_strdup ("quo");
  initiate->client_hostname = g_strdup ("test");
  initiate->server_hostname = g_strdup ("alloy");
  return alloy_nexus_message_encode (initiate, variant);
}

static AlloyNexusMessage *
read_message (GSocket *socket, AlloyNexusVariant variant)
{
  g_autoptr(GBytes) frame = read_frame (socket);
  g_autoptr(GError) error = NULL;
  AlloyNexusMessage *message = alloy_nexus_message_decode (g_bytes_get_data (frame, NULL),
                                                           g_bytes_get_size (frame), variant,
                                                           &error);

  g_assert_no_error (error);
  return message;
}

/* The locus properties of a real answer, fetched over Thrift. */
static AlloyViewAnswer *
plan_quo (Fixture *fixture)
{
  g_autoptr(GSocket) socket = connect_to (fixture->thrift);
  g_autoptr(AlloyViewRequest) request = quo_request ();
  g_autoptr(GBytes) call = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  AlloyViewAnswer *answer;

  call = alloy_thrift_encode_call (1, request);
  send_bytes (socket, g_bytes_get_data (call, NULL), g_bytes_get_size (call));
  reply = read_frame (socket);
  answer = alloy_thrift_decode_reply (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), 1,
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpint (answer->state, ==, ALLOY_VIEW_STATE_SUCCESS);
  return answer;
}

static void
test_nexus (Fixture *fixture, gconstpointer data)
{
  /* Old variant (first byte 0x00), Initiate, guid length -3. */
  static const guint8 bad_guid[] = { 0, 0, 0, 10, 0, 0, 0, 1, 0, 0, 0, 0, 0xfd, 'x' };
  /* New variant, a trace entry whose key length is negative. */
  static const guint8 bad_trace[] = { 0, 0, 0, 3, 0xfe, 0x80, 0 };
  /* Neither variant: 0x42 cannot start a frame. */
  static const guint8 garbage[] = { 0, 0, 0, 4, 0x42, 0x42, 0x42, 0x42 };
  g_autoptr(AlloyViewAnswer) answer = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GBytes) unknown = NULL;
  g_autoptr(GBytes) initiate = NULL;
  g_autoptr(AlloyNexusMessage) reply = NULL;
  g_autoptr(AlloyNexusMessage) unknown_message = NULL;
  AlloyLocus *locus;

  if (!fixture->have_fixtures)
    {
      g_test_skip ("no ../shared/fixtures");
      return;
    }
  assert_closed_after (fixture->nexus, "\0\0\0\0", 4, FALSE);
  assert_closed_after (fixture->nexus, "\xff\xff\xff\xf0", 4, FALSE);
  assert_closed_after (fixture->nexus, "\0\0\0", 3, TRUE);
  assert_closed_after (fixture->nexus, "\0\0\0\x20\xff\0\0\0\x01", 9, TRUE);
  assert_closed_after (fixture->nexus, bad_guid, sizeof bad_guid, FALSE);
  assert_closed_after (fixture->nexus, bad_trace, sizeof bad_trace, FALSE);
  assert_closed_after (fixture->nexus, garbage, sizeof garbage, FALSE);

  /* A well-framed message of type 77 is dropped and counted; the same
   * connection then serves a stream. */
  answer = plan_quo (fixture);
  locus = answer->loci->pdata[0];
  socket = connect_to (fixture->nexus);
  unknown_message = alloy_nexus_message_new (77, 0, "G", "S");
  unknown = alloy_nexus_message_encode (unknown_message, ALLOY_NEXUS_VARIANT_TRACE);
  send_bytes (socket, g_bytes_get_data (unknown, NULL), g_bytes_get_size (unknown));
  initiate = initiate_frame (ALLOY_NEXUS_VARIANT_TRACE, "G", locus->suid,
                             locus->partition_properties);
  send_bytes (socket, g_bytes_get_data (initiate, NULL), g_bytes_get_size (initiate));
  reply = read_message (socket, ALLOY_NEXUS_VARIANT_TRACE);
  g_assert_cmpint (reply->type, ==, ALLOY_NEXUS_INITIATED);
  g_assert_cmpint (reply->ruid, ==, 5);
  g_assert_cmpstr (reply->suid, ==, locus->suid);
  ALLOY_TEST_WAIT_UNTIL (serve_test_daemon_log_has (fixture->daemon, "type 77"), 10000);
  /* Gone mid-stream: the server frees the stream and serves on. */
  g_socket_close (socket, NULL);

  /* Bad partition properties: Initiated, then Complete(-300), with the
   * reason in the log. */
  {
    g_autoptr(GSocket) other = connect_to (fixture->nexus);
    g_autoptr(GHashTable) properties = g_hash_table_new (g_str_hash, g_str_equal);
    g_autoptr(GBytes) bad = NULL;
    g_autoptr(AlloyNexusMessage) initiated = NULL;
    g_autoptr(AlloyNexusMessage) message = NULL;

    g_hash_table_insert (properties, "burst.samplestore.source.name", "alloy");
    bad = initiate_frame (ALLOY_NEXUS_VARIANT_OLD, "G2", "S2", properties);
    send_bytes (other, g_bytes_get_data (bad, NULL), g_bytes_get_size (bad));
    initiated = read_message (other, ALLOY_NEXUS_VARIANT_OLD);
    g_assert_cmpint (initiated->type, ==, ALLOY_NEXUS_INITIATED);
    do
      {
        g_clear_pointer (&message, alloy_nexus_message_free);
        message = read_message (other, ALLOY_NEXUS_VARIANT_OLD);
        g_assert_cmpstr (message->guid, ==, "G2");
        g_assert_cmpstr (message->suid, ==, "S2");
      }
    while (message->type == ALLOY_NEXUS_HEARTBEAT);
    g_assert_cmpint (message->type, ==, ALLOY_NEXUS_COMPLETE);
    g_assert_cmpint (message->status, ==, ALLOY_NEXUS_STATUS_EXCEPTION);
    g_assert_cmpint (message->item_count, ==, 0);
  }
  assert_fetch_works (fixture);
  serve_test_daemon_stop (fixture->daemon);
}

/* Reads one stream's messages to its Complete; returns the Complete and
 * the slots its parcels carried. */
static AlloyNexusMessage *
read_to_complete (GSocket *socket, const char *suid, gint64 *slots)
{
  *slots = 0;
  for (;;)
    {
      AlloyNexusMessage *message = read_message (socket, ALLOY_NEXUS_VARIANT_TRACE);

      g_assert_cmpstr (message->suid, ==, suid);
      if (message->type == ALLOY_NEXUS_COMPLETE)
        return message;
      if (message->type == ALLOY_NEXUS_PARCEL)
        *slots += message->buffer_count;
      else if (message->type == ALLOY_NEXUS_HEARTBEAT)
        g_assert_cmpint (message->status, ==, ALLOY_NEXUS_STATUS_HEARTBEAT);
      else
        g_assert_cmpint (message->type, ==, ALLOY_NEXUS_INITIATED);
      alloy_nexus_message_free (message);
    }
}

static void
send_frame (GSocket *socket, GBytes *frame)
{
  send_bytes (socket, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
}

/* Two streams one after the other on one connection, as a cell's pooled
 * connection carries them; and a StreamAbort for a stream that waits for
 * its turn (load.concurrency=1) ends it with Complete(Abort). */
static void
test_streams (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyViewAnswer) answer = NULL;
  g_autoptr(GSocket) pooled = NULL;
  g_autoptr(GSocket) waiting = NULL;
  GHashTable *properties;
  gint64 slots = 0;

  if (!fixture->have_fixtures)
    {
      g_test_skip ("no ../shared/fixtures");
      return;
    }
  answer = plan_quo (fixture);
  properties = ((AlloyLocus *) answer->loci->pdata[0])->partition_properties;
  pooled = connect_to (fixture->nexus);
  for (guint round = 0; round < 2; round++)
    {
      g_autofree char *suid = g_strdup_printf ("S%u", round);
      g_autoptr(GBytes) initiate = initiate_frame (ALLOY_NEXUS_VARIANT_TRACE, "G", suid,
                                                   properties);
      g_autoptr(AlloyNexusMessage) complete = NULL;

      send_frame (pooled, initiate);
      complete = read_to_complete (pooled, suid, &slots);
      g_assert_cmpint (complete->status, ==, ALLOY_NEXUS_STATUS_END);
      g_assert_cmpint (complete->item_count, ==, 26);
      g_assert_cmpint (slots, ==, 26);
    }

  /* The pooled connection's stream holds the only pool thread... */
  {
    g_autoptr(GBytes) busy = initiate_frame (ALLOY_NEXUS_VARIANT_TRACE, "G", "busy", properties);
    g_autoptr(GBytes) queued = initiate_frame (ALLOY_NEXUS_VARIANT_TRACE, "G", "queued",
                                               properties);
    g_autoptr(AlloyNexusMessage) abort = alloy_nexus_message_new (ALLOY_NEXUS_ABORT, 0, "G",
                                                                  "queued");
    g_autoptr(GBytes) abort_frame = NULL;
    g_autoptr(AlloyNexusMessage) initiated = NULL;
    g_autoptr(AlloyNexusMessage) complete = NULL;
    g_autoptr(AlloyNexusMessage) busy_complete = NULL;

    send_frame (pooled, busy);
    waiting = connect_to (fixture->nexus);
    send_frame (waiting, queued);
    initiated = read_message (waiting, ALLOY_NEXUS_VARIANT_TRACE);
    g_assert_cmpint (initiated->type, ==, ALLOY_NEXUS_INITIATED);
    /* ...so this one waits for its turn when the Abort comes. */
    abort->abort_status = ALLOY_NEXUS_STATUS_ABORT;
    abort_frame = alloy_nexus_message_encode (abort, ALLOY_NEXUS_VARIANT_TRACE);
    send_frame (waiting, abort_frame);
    complete = read_to_complete (waiting, "queued", &slots);
    g_assert_cmpint (complete->status, ==, ALLOY_NEXUS_STATUS_ABORT);
    g_assert_cmpint (complete->item_count, ==, slots);
    busy_complete = read_to_complete (pooled, "busy", &slots);
    g_assert_cmpint (busy_complete->item_count, ==, 26);
  }
  g_socket_close (pooled, NULL);
  g_socket_close (waiting, NULL);
  serve_test_daemon_stop (fixture->daemon);
}

/* Once alloyd drains, a view on a connection still open is answered
 * NotReady, and the drain ends when that connection goes. */
static void
test_drain (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(AlloyViewRequest) request = quo_request ();
  g_autoptr(GBytes) call = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(AlloyViewAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;

  if (!fixture->have_fixtures)
    {
      g_test_skip ("no ../shared/fixtures");
      return;
    }
  socket = connect_to (fixture->thrift);
  ALLOY_TEST_WAIT_UNTIL (serve_test_daemon_log_has (fixture->daemon, "thrift connection from"),
                         10000);
  g_subprocess_send_signal (fixture->daemon->process, SIGTERM);
  ALLOY_TEST_WAIT_UNTIL (serve_test_daemon_log_has (fixture->daemon, "draining 1 open"), 10000);
  call = alloy_thrift_encode_call (3, request);
  send_bytes (socket, g_bytes_get_data (call, NULL), g_bytes_get_size (call));
  reply = read_frame (socket);
  answer = alloy_thrift_decode_reply (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), 3,
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpint (answer->state, ==, ALLOY_VIEW_STATE_NOT_READY);
  g_assert_cmpstr (answer->message, ==, "this peer is shutting down");
  g_assert_null (answer->loci);
  g_socket_close (socket, NULL);
  serve_test_daemon_stop (fixture->daemon);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/serve-malformed/thrift", Fixture, NULL, fixture_set_up, test_thrift,
              fixture_tear_down);
  g_test_add ("/serve-malformed/nexus", Fixture, NULL, fixture_set_up, test_nexus,
              fixture_tear_down);
  g_test_add ("/serve-malformed/drain", Fixture, NULL, fixture_set_up, test_drain,
              fixture_tear_down);
  g_test_add ("/serve-malformed/streams", Fixture, "alloy.samplestore.load.concurrency=1",
              fixture_set_up, test_streams, fixture_tear_down);
  return g_test_run ();
}
