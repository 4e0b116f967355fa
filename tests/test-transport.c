/* test-transport.c: the transport_tcp and transport_unix plugins.
 *
 * Every test runs a listening instance whose ::incoming handler echoes what
 * it reads, and clients that connect through a second, unconfigured
 * instance. All I/O is asynchronous on the default main context, which the
 * tests iterate until a condition holds or a deadline passes.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#define BIG_SIZE (8 * 1024 * 1024)
#define CHUNK_SIZE (64 * 1024)
#define N_CLIENTS 64
/* Upper bounds only: waits end as soon as their condition holds. They are
 * generous so that the program also passes under valgrind. */
#define TIMEOUT_MS 60000

/* --- Helpers ------------------------------------------------------------ */

/* Deterministic bytes (xorshift32), so that a failure can be replayed. */
static GBytes *
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
static void
drain_main_context (void)
{
  for (guint i = 0; i < 1000 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static AlloyPluginInstance *
new_unconfigured_instance (const char *plugin_name)
{
  const AlloyPlugin *plugin = alloy_test_load_plugin (plugin_name);

  return g_object_new (plugin->type, NULL);
}

static AlloyPluginInstance *
start_new_instance (const char *plugin_name, const char *group, const char *group_text)
{
  AlloyPluginInstance *instance = alloy_test_new_instance (plugin_name, group, group_text);
  g_autoptr(GError) error = NULL;

  g_assert_true (alloy_test_start_instance (instance, &error));
  g_assert_no_error (error);
  return instance;
}

/* The one address @instance is bound to, as connect_async takes it. */
static char *
bound_address (AlloyPluginInstance *instance)
{
  g_autoptr(GPtrArray) bound = alloy_transport_get_bound_addresses (ALLOY_TRANSPORT (instance));

  g_assert_cmpuint (bound->len, ==, 1);
  if (G_IS_INET_SOCKET_ADDRESS (bound->pdata[0]))
    g_assert_cmpuint (g_inet_socket_address_get_port (bound->pdata[0]), !=, 0);
  return alloy_socket_address_to_string (bound->pdata[0]);
}

static guint16
bound_port (AlloyPluginInstance *instance)
{
  g_autoptr(GPtrArray) bound = alloy_transport_get_bound_addresses (ALLOY_TRANSPORT (instance));
  guint16 port;

  g_assert_cmpuint (bound->len, ==, 1);
  g_assert_true (G_IS_INET_SOCKET_ADDRESS (bound->pdata[0]));
  port = g_inet_socket_address_get_port (bound->pdata[0]);
  g_assert_cmpuint (port, !=, 0);
  return port;
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

static GIOStream *
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
  guint incoming;   /* ::incoming emissions */
  guint active;     /* connections still being echoed */
  guint eof;        /* connections that ended with a clean end of stream */
  guint errors;     /* connections that ended with a read or write error */
  guint64 echoed;
  char *last_remote;
} EchoServer;

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

static void
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

static void
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
static void
assert_round_trip (AlloyPluginInstance *client, const char *address, gsize size, guint32 seed)
{
  g_autoptr(GBytes) message = make_pattern (size, seed);
  Exchange *exchange = exchange_start (client, address, message);

  ALLOY_TEST_WAIT_UNTIL (exchange_settled (exchange), TIMEOUT_MS);
  exchange_assert_echoed (exchange);
  exchange_free (exchange);
}

/* --- Fixture: an echoing listener and a client instance ------------------ */

typedef struct {
  AlloyPluginInstance *server;
  AlloyPluginInstance *client;
  EchoServer echo;
  char *address; /* where the server listens, as connect_async takes it */
  char *tmp_dir;
} Fixture;

/* @user_data: "tcp4", "tcp6" or "unix". Without IPv6 loopback the tcp6
 * fixture stays empty and the test skips. */
static void
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

static void
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

/* --- Tests shared by both transports -------------------------------------- */

static void
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

static void
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

static void
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

/* --- TCP ------------------------------------------------------------------ */

static void
test_tcp_address_in_use (void)
{
  g_autoptr(AlloyPluginInstance) first = start_new_instance ("transport_tcp", "transport:first",
                                                             "listen=127.0.0.1:0");
  g_autoptr(AlloyPluginInstance) client = new_unconfigured_instance ("transport_tcp");
  g_autoptr(AlloyPluginInstance) second = NULL;
  g_autoptr(GPtrArray) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = bound_address (first);
  g_autofree char *listen = g_strdup_printf ("listen=%s", address);
  EchoServer echo = { 0 };

  g_signal_connect (first, "incoming", G_CALLBACK (on_incoming), &echo);
  second = alloy_test_new_instance ("transport_tcp", "transport:second", listen);
  g_assert_false (alloy_test_start_instance (second, &error));
  g_assert_error (error, ALLOY_TRANSPORT_ERROR, ALLOY_TRANSPORT_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, address));
  g_assert_nonnull (strstr (error->message, "transport:second"));
  bound = alloy_transport_get_bound_addresses (ALLOY_TRANSPORT (second));
  g_assert_cmpuint (bound->len, ==, 0);
  alloy_plugin_instance_stop (second);

  /* The failed start took nothing from the first. */
  assert_round_trip (client, address, 4096, 1);
  g_assert_cmpuint (echo.incoming, ==, 1);

  ALLOY_TEST_WAIT_UNTIL (echo.active == 0, TIMEOUT_MS);
  alloy_plugin_instance_stop (first);
  g_signal_handlers_disconnect_by_data (first, &echo);
  drain_main_context ();
  echo_server_clear (&echo);
}

static void
test_tcp_stop_frees_port (void)
{
  g_autoptr(AlloyPluginInstance) first = start_new_instance ("transport_tcp", "transport:first",
                                                             "listen=127.0.0.1:0");
  g_autoptr(AlloyPluginInstance) client = new_unconfigured_instance ("transport_tcp");
  g_autoptr(AlloyPluginInstance) second = NULL;
  g_autoptr(GPtrArray) bound = NULL;
  g_autofree char *address = bound_address (first);
  g_autofree char *listen = NULL;
  guint16 port = bound_port (first);
  EchoServer first_echo = { 0 };
  EchoServer second_echo = { 0 };

  g_signal_connect (first, "incoming", G_CALLBACK (on_incoming), &first_echo);
  /* A served connection first: its remains must not hold the port. */
  assert_round_trip (client, address, 4096, 2);
  ALLOY_TEST_WAIT_UNTIL (first_echo.active == 0, TIMEOUT_MS);

  alloy_plugin_instance_stop (first);
  bound = alloy_transport_get_bound_addresses (ALLOY_TRANSPORT (first));
  g_assert_cmpuint (bound->len, ==, 0);
  /* Binding the port again shows that it was closed, not just left
   * unattended (SO_REUSEADDR never allows a second listener). Connecting to
   * it while nobody listens would not: on loopback, Linux may pick P as the
   * client port and connect the socket to itself. */
  listen = g_strdup_printf ("listen=127.0.0.1:%u", port);
  second = start_new_instance ("transport_tcp", "transport:second", listen);
  g_assert_cmpuint (bound_port (second), ==, port);
  g_signal_connect (second, "incoming", G_CALLBACK (on_incoming), &second_echo);
  assert_round_trip (client, address, 4096, 3);
  g_assert_cmpuint (second_echo.incoming, ==, 1);
  /* No signal from the stopped instance. */
  g_assert_cmpuint (first_echo.incoming, ==, 1);

  ALLOY_TEST_WAIT_UNTIL (second_echo.active == 0, TIMEOUT_MS);
  alloy_plugin_instance_stop (second);
  g_signal_handlers_disconnect_by_data (first, &first_echo);
  g_signal_handlers_disconnect_by_data (second, &second_echo);
  drain_main_context ();
  echo_server_clear (&first_echo);
  echo_server_clear (&second_echo);
}

static void
test_tcp_connect_bad_address (void)
{
  g_autoptr(AlloyPluginInstance) client = new_unconfigured_instance ("transport_tcp");
  const char *const bad[] = {
    "nonsense", "127.0.0.1", "127.0.0.1:99999", "127.0.0.1:http", "::1:80", "[::1", "[::1]",
    ":80", "127.0.0.1:0", "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GIOStream) stream = connect_to (client, bad[i], &error);

      g_test_message ("address '%s': %s", bad[i], error ? error->message : "connected");
      g_assert_null (stream);
      g_assert_error (error, ALLOY_TRANSPORT_ERROR, ALLOY_TRANSPORT_ERROR_INVALID_ADDRESS);
    }
  drain_main_context ();
}

/* --- Unix ----------------------------------------------------------------- */

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  return st.st_mode & 07777;
}

static gboolean
is_socket_file (const char *path)
{
  GStatBuf st;

  return g_lstat (path, &st) == 0 && S_ISSOCK (st.st_mode);
}

static gboolean
path_exists (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) == 0)
    return TRUE;
  g_assert_cmpint (errno, ==, ENOENT);
  return FALSE;
}

static char *
unix_group_text (const char *path, const char *mode)
{
  if (mode == NULL)
    return g_strdup_printf ("path=%s", path);
  return g_strdup_printf ("path=%s\nmode=%s", path, mode);
}

/* A socket file as a dead process leaves it: bound, never unlinked. */
static void
make_dead_socket (const char *path)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                         &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (g_socket_close (socket, &error));
  g_assert_no_error (error);
  g_assert_true (is_socket_file (path));
}

static void
test_unix_round_trip (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr(GPtrArray) bound = alloy_transport_get_bound_addresses (
    ALLOY_TRANSPORT (fixture->server));

  g_assert_cmpuint (bound->len, ==, 1);
  g_assert_true (G_IS_UNIX_SOCKET_ADDRESS (bound->pdata[0]));
  g_assert_true (g_str_has_prefix (fixture->address, fixture->tmp_dir));
  g_assert_cmpuint (file_mode (fixture->address), ==, 0660);
  test_round_trip (fixture, user_data);
}

static GError *
configure_unix_error (const char *path, const char *mode)
{
  const AlloyPlugin *plugin = alloy_test_load_plugin ("transport_unix");
  g_autoptr(AlloyPluginInstance) instance = g_object_new (plugin->type, NULL);
  g_autoptr(GKeyFile) config = g_key_file_new ();
  const char *group = "transport:bad-mode";
  GError *error = NULL;

  g_key_file_set_string (config, group, "plugin", "transport_unix");
  g_key_file_set_string (config, group, "path", path);
  g_key_file_set_string (config, group, "mode", mode);
  alloy_plugin_instance_set_name (instance, group);
  g_assert_false (alloy_plugin_instance_configure (instance, config, group, &error));
  g_assert_nonnull (error);
  return error;
}

static void
test_unix_mode (void)
{
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "mode.sock", NULL);
  g_autofree char *text = unix_group_text (path, "0600");
  g_autoptr(AlloyPluginInstance) instance = start_new_instance ("transport_unix",
                                                                "transport:mode", text);
  const char *const bad[] = { "0999", "abc", "01000", "-660", "0x1a4", "" };

  g_assert_cmpuint (file_mode (path), ==, 0600);
  alloy_plugin_instance_stop (instance);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = configure_unix_error (path, bad[i]);

      g_test_message ("mode '%s': %s", bad[i], error->message);
      g_assert_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (error->message, "transport:bad-mode:mode:"));
    }
  alloy_test_remove_tree (dir);
}

static void
test_unix_stale_socket_replaced (void)
{
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "stale.sock", NULL);
  g_autofree char *text = unix_group_text (path, NULL);
  g_autoptr(AlloyPluginInstance) server = NULL;
  g_autoptr(AlloyPluginInstance) client = new_unconfigured_instance ("transport_unix");
  EchoServer echo = { 0 };

  make_dead_socket (path);
  server = start_new_instance ("transport_unix", "transport:stale", text);
  g_assert_cmpuint (file_mode (path), ==, 0660);
  g_signal_connect (server, "incoming", G_CALLBACK (on_incoming), &echo);
  assert_round_trip (client, path, 256 * 1024, 4);
  g_assert_cmpuint (echo.incoming, ==, 1);

  ALLOY_TEST_WAIT_UNTIL (echo.active == 0, TIMEOUT_MS);
  alloy_plugin_instance_stop (server);
  g_assert_false (path_exists (path));
  g_signal_handlers_disconnect_by_data (server, &echo);
  drain_main_context ();
  echo_server_clear (&echo);
  alloy_test_remove_tree (dir);
}

static void
test_unix_live_socket_refused (void)
{
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "live.sock", NULL);
  g_autofree char *text = unix_group_text (path, NULL);
  g_autoptr(AlloyPluginInstance) first = start_new_instance ("transport_unix", "transport:first",
                                                             text);
  g_autoptr(AlloyPluginInstance) second = NULL;
  g_autoptr(AlloyPluginInstance) client = new_unconfigured_instance ("transport_unix");
  g_autoptr(GPtrArray) bound = NULL;
  g_autoptr(GError) error = NULL;
  EchoServer echo = { 0 };

  g_signal_connect (first, "incoming", G_CALLBACK (on_incoming), &echo);
  second = alloy_test_new_instance ("transport_unix", "transport:second", text);
  g_assert_false (alloy_test_start_instance (second, &error));
  g_assert_error (error, ALLOY_TRANSPORT_ERROR, ALLOY_TRANSPORT_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, path));
  bound = alloy_transport_get_bound_addresses (ALLOY_TRANSPORT (second));
  g_assert_cmpuint (bound->len, ==, 0);
  /* Stopping the loser must not remove the winner's socket. */
  alloy_plugin_instance_stop (second);
  g_clear_object (&second);
  g_assert_true (is_socket_file (path));

  assert_round_trip (client, path, 256 * 1024, 5);
  /* The second's liveness probe is a connection too; it ends at once. */
  g_assert_cmpuint (echo.incoming, >=, 1);
  g_assert_cmpuint (echo.incoming, <=, 2);

  ALLOY_TEST_WAIT_UNTIL (echo.active == 0, TIMEOUT_MS);
  alloy_plugin_instance_stop (first);
  g_assert_false (path_exists (path));
  g_signal_handlers_disconnect_by_data (first, &echo);
  drain_main_context ();
  echo_server_clear (&echo);
  alloy_test_remove_tree (dir);
}

static void
test_unix_regular_file_kept (void)
{
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "precious.sock", NULL);
  g_autofree char *text = unix_group_text (path, NULL);
  g_autoptr(AlloyPluginInstance) instance = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  const char *precious = "not a socket: keep me\n";

  g_assert_true (g_file_set_contents (path, precious, -1, &error));
  g_assert_no_error (error);
  instance = alloy_test_new_instance ("transport_unix", "transport:precious", text);
  g_assert_false (alloy_test_start_instance (instance, &error));
  g_assert_nonnull (error);
  g_test_message ("start: %s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  alloy_plugin_instance_stop (instance);
  g_clear_object (&instance);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, precious);
  alloy_test_remove_tree (dir);
}

static void
test_unix_stop_unlinks (void)
{
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "stop.sock", NULL);
  g_autofree char *moved = g_build_filename (dir, "stop.sock.moved", NULL);
  g_autofree char *text = unix_group_text (path, NULL);
  g_autoptr(AlloyPluginInstance) instance = start_new_instance ("transport_unix",
                                                                "transport:stop", text);
  g_autoptr(GError) error = NULL;

  g_assert_true (is_socket_file (path));
  alloy_plugin_instance_stop (instance);
  g_assert_false (path_exists (path));

  /* Started again, then its file is replaced by another socket: stop must
   * leave the replacement. Our file is moved rather than removed so that
   * its inode cannot be recycled for the replacement. */
  g_assert_true (alloy_test_start_instance (instance, &error));
  g_assert_no_error (error);
  g_assert_true (is_socket_file (path));
  g_assert_cmpint (g_rename (path, moved), ==, 0);
  make_dead_socket (path);
  alloy_plugin_instance_stop (instance);
  g_assert_true (is_socket_file (path));

  drain_main_context ();
  alloy_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/transport/tcp/ipv4/round-trip", Fixture, "tcp4", fixture_setup, test_round_trip,
              fixture_teardown);
  g_test_add ("/transport/tcp/ipv6/round-trip", Fixture, "tcp6", fixture_setup, test_round_trip,
              fixture_teardown);
  g_test_add ("/transport/tcp/many-connections", Fixture, "tcp4", fixture_setup,
              test_many_connections, fixture_teardown);
  g_test_add ("/transport/tcp/peer-closes-mid-stream", Fixture, "tcp4", fixture_setup,
              test_peer_closes_mid_stream, fixture_teardown);
  g_test_add_func ("/transport/tcp/address-in-use", test_tcp_address_in_use);
  g_test_add_func ("/transport/tcp/stop-frees-port", test_tcp_stop_frees_port);
  g_test_add_func ("/transport/tcp/connect-bad-address", test_tcp_connect_bad_address);

  g_test_add ("/transport/unix/round-trip", Fixture, "unix", fixture_setup, test_unix_round_trip,
              fixture_teardown);
  g_test_add_func ("/transport/unix/mode", test_unix_mode);
  g_test_add_func ("/transport/unix/stale-socket-replaced", test_unix_stale_socket_replaced);
  g_test_add_func ("/transport/unix/live-socket-refused", test_unix_live_socket_refused);
  g_test_add_func ("/transport/unix/regular-file-kept", test_unix_regular_file_kept);
  g_test_add_func ("/transport/unix/stop-unlinks", test_unix_stop_unlinks);
  g_test_add ("/transport/unix/many-connections", Fixture, "unix", fixture_setup,
              test_many_connections, fixture_teardown);
  g_test_add ("/transport/unix/peer-closes-mid-stream", Fixture, "unix", fixture_setup,
              test_peer_closes_mid_stream, fixture_teardown);

  return g_test_run ();
}
