/* transport-test-utils.c: helpers shared by the transport plugin test
 * programs (test-transport-tcp, test-transport-unix): the echo server, the
 * client exchanges that check it, the fixture, and the test bodies both
 * transports run.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "transport-test-utils.h"

#include <string.h>

/* Deterministic bytes (xorshift32), so that a failure can be replayed. */
GBytes *
make_pattern (gsize size, guint32 seed)
{
  guint8 *data = g_malloc (MAX (size, 1));
  guint32 x = seed != 0 ? seed : 0x9e3779b9;

  for (gsize i = 0; i < size; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      data[i] = (guint8) (x >> 24);
    }
  return g_bytes_new_take (data, size);
}

/* Dispatches what is ready (cancelled accepts, closed client attempts), so
 * that no test leaves work behind for the next one. */
void
drain_main_context (void)
{
  for (guint i = 0; i < 1000 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

AlloyPluginInstance *
new_unconfigured_instance (const char *plugin_name)
{
  const AlloyPlugin *plugin = alloy_test_load_plugin (plugin_name);

  return g_object_new (plugin->type, NULL);
}

AlloyPluginInstance *
start_new_instance (const char *plugin_name, const char *group, const char *group_text)
{
  AlloyPluginInstance *instance = alloy_test_new_instance (plugin_name, group, group_text);
  g_autoptr(GError) error = NULL;

  g_assert_true (alloy_test_start_instance (instance, &error));
  g_assert_no_error (error);
  return instance;
}

/* The one address @instance is bound to, as connect_async takes it. */
char *
bound_address (AlloyPluginInstance *instance)
{
  g_autoptr(GPtrArray) bound = alloy_transport_get_bound_addresses (ALLOY_TRANSPORT (instance));

  g_assert_cmpuint (bound->len, ==, 1);
  if (G_IS_INET_SOCKET_ADDRESS (bound->pdata[0]))
    g_assert_cmpuint (g_inet_socket_address_get_port (bound->pdata[0]), !=, 0);
  return alloy_socket_address_to_string (bound->pdata[0]);
}

typedef struct {
  GIOStream *stream;
  GError *error;
  gboolean done;
} ConnectResult;

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ConnectResult *connect = user_data;

  connect->stream = alloy_transport_connect_finish (ALLOY_TRANSPORT (source), result,
                                                    &connect->error);
  connect->done = TRUE;
}

GIOStream *
connect_to (AlloyPluginInstance *client, const char *address, GError **error)
{
  ConnectResult connect = { NULL, NULL, FALSE };

  alloy_transport_connect_async (ALLOY_TRANSPORT (client), address, NULL, on_connected,
                                 &connect);
  ALLOY_TEST_WAIT_UNTIL (connect.done, TIMEOUT_MS);
  g_assert_true ((connect.stream == NULL) != (connect.error == NULL));
  if (connect.error != NULL)
    g_propagate_error (error, connect.error);
  return connect.stream;
}

static gboolean
have_ipv6_loopback (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  return socket != NULL && g_socket_bind (socket, address, FALSE, NULL);
}

/* --- The echo server ------------------------------------------------------ */

typedef struct {
  EchoServer *server;
  GIOStream *stream;
  guint8 buffer[CHUNK_SIZE];
} Echo;

static void
echo_finish (Echo *echo, gboolean eof)
{
  if (eof)
    echo->server->eof++;
  else
    echo->server->errors++;
  echo->server->active--;
  g_io_stream_close (echo->stream, NULL, NULL);
  g_object_unref (echo->stream);
  g_free (echo);
}

static void echo_read_next (Echo *echo);

static void
on_echo_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Echo *echo = user_data;
  g_autoptr(GError) error = NULL;
  gsize written = 0;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, &error))
    {
      echo_finish (echo, FALSE);
      return;
    }
  echo->server->echoed += written;
  echo_read_next (echo);
}

static void
on_echo_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Echo *echo = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n <= 0)
    {
      echo_finish (echo, n == 0);
      return;
    }
  g_output_stream_write_all_async (g_io_stream_get_output_stream (echo->stream), echo->buffer,
                                   (gsize) n, G_PRIORITY_DEFAULT, NULL, on_echo_written, echo);
}

static void
echo_read_next (Echo *echo)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (echo->stream), echo->buffer,
                             sizeof echo->buffer, G_PRIORITY_DEFAULT, NULL, on_echo_read, echo);
}

void
on_incoming (AlloyTransport *transport, GIOStream *stream, const char *remote,
             gpointer user_data)
{
  EchoServer *server = user_data;
  Echo *echo = g_new0 (Echo, 1);

  g_assert_true (G_IS_IO_STREAM (stream));
  g_assert_nonnull (remote);
  g_free (server->last_remote);
  server->last_remote = g_strdup (remote);
  server->incoming++;
  server->active++;
  echo->server = server;
  echo->stream = g_object_ref (stream);
  echo_read_next (echo);
}

void
echo_server_clear (EchoServer *server)
{
  g_clear_pointer (&server->last_remote, g_free);
}

/* --- A client exchange: send a message, read the echo back --------------- */

typedef struct {
  GBytes *message;
  gsize size;
  guint8 *reply;
  gsize received;
  GIOStream *stream;
  GCancellable *cancellable;
  guint pending; /* operations in flight, the connect included */
  gboolean sent;
  GError *error;
} Exchange;

static void
exchange_fail (Exchange *exchange, GError *error)
{
  if (exchange->error == NULL)
    exchange->error = error;
  else
    g_error_free (error);
  /* Ends the other direction too, so that the exchange settles. */
  g_cancellable_cancel (exchange->cancellable);
}

static void exchange_read_next (Exchange *exchange);

static void
on_exchange_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Exchange *exchange = user_data;
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  exchange->pending--;
  if (n < 0)
    {
      exchange_fail (exchange, error);
      return;
    }
  if (n == 0)
    {
      exchange_fail (exchange, g_error_new (G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                            "end of stream after %" G_GSIZE_FORMAT " of %"
                                            G_GSIZE_FORMAT " bytes",
                                            exchange->received, exchange->size));
      return;
    }
  exchange->received += (gsize) n;
  exchange_read_next (exchange);
}

static void
exchange_read_next (Exchange *exchange)
{
  if (exchange->received == exchange->size || exchange->error != NULL)
    return;
  exchange->pending++;
  g_input_stream_read_async (g_io_stream_get_input_stream (exchange->stream),
                             exchange->reply + exchange->received,
                             MIN (CHUNK_SIZE, exchange->size - exchange->received),
                             G_PRIORITY_DEFAULT, exchange->cancellable, on_exchange_read,
                             exchange);
}

static void
on_exchange_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Exchange *exchange = user_data;
  GError *error = NULL;
  gsize written = 0;

  exchange->pending--;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &written, &error))
    {
      exchange_fail (exchange, error);
      return;
    }
  g_assert_cmpuint (written, ==, exchange->size);
  exchange->sent = TRUE;
}

static void
on_exchange_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Exchange *exchange = user_data;
  GError *error = NULL;

  exchange->pending--;
  exchange->stream = alloy_transport_connect_finish (ALLOY_TRANSPORT (source), result, &error);
  if (exchange->stream == NULL)
    {
      exchange_fail (exchange, error);
      return;
    }
  /* Write and read at once: the echo comes back while we still send, and
   * a client that only wrote would stall once the socket buffers fill. */
  exchange->pending++;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (exchange->stream),
                                   g_bytes_get_data (exchange->message, NULL), exchange->size,
                                   G_PRIORITY_DEFAULT, exchange->cancellable, on_exchange_sent,
                                   exchange);
  exchange_read_next (exchange);
}

static Exchange *
exchange_start (AlloyPluginInstance *client, const char *address, GBytes *message)
{
  Exchange *exchange = g_new0 (Exchange, 1);

  exchange->message = g_bytes_ref (message);
  exchange->size = g_bytes_get_size (message);
  exchange->reply = g_malloc (MAX (exchange->size, 1));
  exchange->cancellable = g_cancellable_new ();
  exchange->pending = 1;
  alloy_transport_connect_async (ALLOY_TRANSPORT (client), address, exchange->cancellable,
                                 on_exchange_connected, exchange);
  return exchange;
}

static gboolean
exchange_settled (Exchange *exchange)
{
  return exchange->pending == 0;
}

static gboolean
all_settled (GPtrArray *exchanges)
{
  for (guint i = 0; i < exchanges->len; i++)
    if (!exchange_settled (exchanges->pdata[i]))
      return FALSE;
  return TRUE;
}

/* Asserts that the whole message came back, byte for byte. */
static void
exchange_assert_echoed (Exchange *exchange)
{
  const guint8 *sent = g_bytes_get_data (exchange->message, NULL);

  g_assert_no_error (exchange->error);
  g_assert_true (exchange->sent);
  g_assert_cmpuint (exchange->received, ==, exchange->size);
  if (memcmp (sent, exchange->reply, exchange->size) != 0)
    for (gsize i = 0; i < exchange->size; i++)
      if (sent[i] != exchange->reply[i])
        g_error ("echo differs at byte %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
                 ": sent 0x%02x, got 0x%02x", i, exchange->size, sent[i], exchange->reply[i]);
}

static void
exchange_free (Exchange *exchange)
{
  g_assert_cmpuint (exchange->pending, ==, 0);
  if (exchange->stream != NULL)
    {
      g_io_stream_close (exchange->stream, NULL, NULL);
      g_object_unref (exchange->stream);
    }
  g_clear_error (&exchange->error);
  g_object_unref (exchange->cancellable);
  g_free (exchange->reply);
  g_bytes_unref (exchange->message);
  g_free (exchange);
}

/* One exchange to completion; asserts the echo. */
void
assert_round_trip (AlloyPluginInstance *client, const char *address, gsize size, guint32 seed)
{
  g_autoptr(GBytes) message = make_pattern (size, seed);
  Exchange *exchange = exchange_start (client, address, message);

  ALLOY_TEST_WAIT_UNTIL (exchange_settled (exchange), TIMEOUT_MS);
  exchange_assert_echoed (exchange);
  exchange_free (exchange);
}

/* --- Fixture: an echoing listener and a client instance ------------------ */

/* @user_data: "tcp4", "tcp6" or "unix". Without IPv6 loopback the tcp6
 * fixture stays empty and the test skips. */
void
fixture_setup (Fixture *fixture, gconstpointer user_data)
{
  const char *flavour = user_data;

  if (strcmp (flavour, "unix") == 0)
    {
      g_autofree char *path = NULL;
      g_autofree char *text = NULL;

      fixture->tmp_dir = alloy_test_make_tmp_dir ();
      path = g_build_filename (fixture->tmp_dir, "echo.sock", NULL);
      text = g_strdup_printf ("path=%s", path);
      fixture->server = start_new_instance ("transport_unix", "transport:echo", text);
      fixture->client = new_unconfigured_instance ("transport_unix");
    }
  else
    {
      gboolean v6 = strcmp (flavour, "tcp6") == 0;

      if (v6 && !have_ipv6_loopback ())
        return;
      fixture->server = start_new_instance ("transport_tcp", "transport:echo",
                                            v6 ? "listen=[::1]:0" : "listen=127.0.0.1:0");
      fixture->client = new_unconfigured_instance ("transport_tcp");
    }
  fixture->address = bound_address (fixture->server);
  g_signal_connect (fixture->server, "incoming", G_CALLBACK (on_incoming), &fixture->echo);
}

void
fixture_teardown (Fixture *fixture, gconstpointer user_data)
{
  /* Every client closed its end, so every echo ends on its own. */
  ALLOY_TEST_WAIT_UNTIL (fixture->echo.active == 0, TIMEOUT_MS);
  if (fixture->server != NULL)
    {
      alloy_plugin_instance_stop (fixture->server);
      g_object_unref (fixture->server);
    }
  g_clear_object (&fixture->client);
  drain_main_context ();
  echo_server_clear (&fixture->echo);
  g_free (fixture->address);
  if (fixture->tmp_dir != NULL)
    {
      alloy_test_remove_tree (fixture->tmp_dir);
      g_free (fixture->tmp_dir);
    }
}

/* --- Test bodies shared by both transports ------------------------------- */

void
test_round_trip (Fixture *fixture, gconstpointer user_data)
{
  const char *flavour = user_data;

  if (fixture->server == NULL)
    {
      g_test_skip ("no IPv6 loopback on this machine");
      return;
    }
  assert_round_trip (fixture->client, fixture->address, BIG_SIZE, 20240601);
  g_assert_cmpuint (fixture->echo.incoming, ==, 1);
  g_assert_cmpuint (fixture->echo.echoed, ==, BIG_SIZE);
  if (strcmp (flavour, "unix") == 0)
    g_assert_cmpstr (fixture->echo.last_remote, ==, "unix");
  else
    g_assert_true (g_str_has_prefix (fixture->echo.last_remote,
                                     strcmp (flavour, "tcp6") == 0 ? "[::1]:" : "127.0.0.1:"));
}

void
test_many_connections (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr(GPtrArray) exchanges = g_ptr_array_new_with_free_func ((GDestroyNotify) exchange_free);

  /* All connect and send before any finishes: 64 connections open at once. */
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GBytes) message = NULL;

      g_string_printf (text, "client %02u:", i);
      /* Distinct lengths as well as distinct contents. */
      for (guint j = 0; j <= i; j++)
        g_string_append_printf (text, " %u", i * 1000 + j);
      g_string_append_c (text, '\n');
      message = g_string_free_to_bytes (g_steal_pointer (&text));
      g_ptr_array_add (exchanges, exchange_start (fixture->client, fixture->address, message));
    }
  ALLOY_TEST_WAIT_UNTIL (all_settled (exchanges), TIMEOUT_MS);
  for (guint i = 0; i < exchanges->len; i++)
    exchange_assert_echoed (exchanges->pdata[i]);
  g_assert_cmpuint (fixture->echo.incoming, ==, N_CLIENTS);
}

void
test_peer_closes_mid_stream (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr(GBytes) message = make_pattern (2 * CHUNK_SIZE, 7);
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  gsize half = g_bytes_get_size (message) / 2;
  gsize written = 0;

  stream = connect_to (fixture->client, fixture->address, &error);
  g_assert_no_error (error);
  /* Half the message, then gone: the server is mid-read when we close. */
  g_output_stream_write_all (g_io_stream_get_output_stream (stream),
                             g_bytes_get_data (message, NULL), half, &written, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, half);
  ALLOY_TEST_WAIT_UNTIL (fixture->echo.incoming == 1, TIMEOUT_MS);
  g_io_stream_close (stream, NULL, &error);
  g_assert_no_error (error);

  ALLOY_TEST_WAIT_UNTIL (fixture->echo.eof + fixture->echo.errors == 1, TIMEOUT_MS);
  g_assert_cmpuint (fixture->echo.active, ==, 0);
  g_assert_cmpuint (fixture->echo.echoed, <=, half);

  /* The listener is unharmed. */
  assert_round_trip (fixture->client, fixture->address, 4096, 8);
  g_assert_cmpuint (fixture->echo.incoming, ==, 2);
}
