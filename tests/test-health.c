/* test-health.c: the HTTP health endpoint. A GSocketService on loopback
 * TCP (or a unix socket) hands its connections to alloy_health_accept as
 * the server core does; raw client sockets write requests, whole or byte
 * by byte, and read each response to the end of the connection.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-health.h"
#include "alloy-test-utils.h"

#include <gio/gunixsocketaddress.h>
#include <signal.h>
#include <string.h>

#define WAIT_MS 5000

typedef struct {
  gboolean unix_socket;
  guint idle_timeout_ms; /* 0: the default */
} Params;

static const Params tcp_params = { FALSE, 0 };
static const Params unix_params = { TRUE, 0 };
static const Params short_timeout_params = { FALSE, 200 };

typedef struct {
  AlloyHealth *health;
  GSocketService *service;
  GSocketAddress *address; /* where clients connect */
  char *dir;               /* of the unix socket */
  GPtrArray *accepted;     /* the server ends, in order */
  GError *accept_error;    /* of the last refused connection */
} Fixture;

static gboolean
on_incoming (GSocketService *service, GSocketConnection *connection, GObject *source,
             gpointer user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->accepted, g_object_ref (connection));
  g_clear_error (&fixture->accept_error);
  /* As the server core does: a refused connection is the caller's to close. */
  if (!alloy_health_accept (fixture->health, G_IO_STREAM (connection), "[transport:health] test",
                            &fixture->accept_error))
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  const Params *params = data;
  g_autoptr(GSocketAddress) wanted = NULL;
  g_autoptr(GError) error = NULL;

  fixture->health = params->idle_timeout_ms > 0
                      ? g_object_new (ALLOY_TYPE_HEALTH, "idle-timeout", params->idle_timeout_ms,
                                      NULL)
                      : alloy_health_new ();
  fixture->accepted = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->service = g_socket_service_new ();
  if (params->unix_socket)
    {
      g_autofree char *path = NULL;

      fixture->dir = alloy_test_make_tmp_dir ();
      path = g_build_filename (fixture->dir, "health.sock", NULL);
      wanted = g_unix_socket_address_new (path);
    }
  else
    wanted = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_socket_listener_add_address (G_SOCKET_LISTENER (fixture->service), wanted,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, NULL,
                                 &fixture->address, &error);
  g_assert_no_error (error);
  g_signal_connect (fixture->service, "incoming", G_CALLBACK (on_incoming), fixture);
  g_socket_service_start (fixture->service);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_socket_service_stop (fixture->service);
  g_socket_listener_close (G_SOCKET_LISTENER (fixture->service));
  g_clear_object (&fixture->service);
  /* Disposing of it closes what it still serves. */
  g_clear_object (&fixture->health);
  for (guint i = 0; i < fixture->accepted->len; i++)
    g_assert_true (g_io_stream_is_closed (g_ptr_array_index (fixture->accepted, i)));
  g_ptr_array_unref (fixture->accepted);
  g_clear_object (&fixture->address);
  g_clear_error (&fixture->accept_error);
  if (fixture->dir != NULL)
    {
      alloy_test_remove_tree (fixture->dir);
      g_free (fixture->dir);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* A connected client; the server end is fixture->accepted[n] once
 * accepted. A loopback connect completes before the service accepts. */
static GSocketConnection *
client_connect (Fixture *fixture)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;
  guint before = fixture->accepted->len;

  /* Loopback: no proxy resolver thread. */
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (fixture->address), NULL,
                                        &error);
  g_assert_no_error (error);
  ALLOY_TEST_WAIT_UNTIL (fixture->accepted->len == before + 1, WAIT_MS);
  return connection;
}

static GIOStream *
server_end (Fixture *fixture, guint index)
{
  g_assert_cmpuint (index, <, fixture->accepted->len);
  return g_ptr_array_index (fixture->accepted, index);
}

/* Lets the server side take what arrived. */
static void
drain_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
client_send (GSocketConnection *connection, const char *text, gboolean byte_by_byte)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  gsize length = strlen (text);
  g_autoptr(GError) error = NULL;

  if (!byte_by_byte)
    {
      /* Small writes to a loopback socket do not block. */
      g_output_stream_write_all (out, text, length, NULL, NULL, &error);
      g_assert_no_error (error);
      return;
    }
  for (gsize i = 0; i < length; i++)
    {
      g_output_stream_write_all (out, text + i, 1, NULL, NULL, &error);
      g_assert_no_error (error);
      drain_main_context ();
    }
}

typedef struct {
  GInputStream *in;
  GString *data;
  gboolean done;
  GError *error;
  char buffer[4096];
} Reader;

static void
on_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Reader *reader = user_data;
  gssize n = g_input_stream_read_finish (reader->in, result, &reader->error);

  if (n <= 0)
    {
      reader->done = TRUE;
      return;
    }
  g_string_append_len (reader->data, reader->buffer, n);
  g_input_stream_read_async (reader->in, reader->buffer, sizeof reader->buffer,
                             G_PRIORITY_DEFAULT, NULL, on_read, reader);
}

/* Everything the server sends until it closes the connection. */
static char *
client_read_to_end (GSocketConnection *connection)
{
  Reader reader = { 0 };

  reader.in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  reader.data = g_string_new (NULL);
  g_input_stream_read_async (reader.in, reader.buffer, sizeof reader.buffer, G_PRIORITY_DEFAULT,
                             NULL, on_read, &reader);
  ALLOY_TEST_WAIT_UNTIL (reader.done, WAIT_MS);
  g_assert_no_error (reader.error);
  return g_string_free (reader.data, FALSE);
}

typedef struct {
  char *version;
  guint status;
  GHashTable *headers; /* lower-case name -> value */
  char *body;
} Response;

static void
response_free (Response *response)
{
  g_free (response->version);
  g_hash_table_unref (response->headers);
  g_free (response->body);
  g_free (response);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

/* The body is everything after the head, up to the end of the
 * connection: a second response would show in it. */
static Response *
parse_response (const char *data)
{
  Response *response = g_new0 (Response, 1);
  const char *end = strstr (data, "\r\n\r\n");
  g_autofree char *head = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) status_line = NULL;

  g_assert_nonnull (end);
  head = g_strndup (data, end - data);
  lines = g_strsplit (head, "\r\n", -1);
  status_line = g_strsplit (lines[0], " ", 3);
  g_assert_cmpuint (g_strv_length (status_line), ==, 3);
  g_assert_true (g_str_has_prefix (status_line[0], "HTTP/1."));
  response->version = g_strdup (status_line[0]);
  response->status = (guint) g_ascii_strtoull (status_line[1], NULL, 10);
  response->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');

      g_assert_nonnull (colon);
      g_hash_table_insert (response->headers, g_ascii_strdown (lines[i], colon - lines[i]),
                           g_strstrip (g_strdup (colon + 1)));
    }
  response->body = g_strdup (end + 4);
  return response;
}

static const char *
header (Response *response, const char *name)
{
  return g_hash_table_lookup (response->headers, name);
}

/* What every answer carries; @length is that of the GET body. */
static void
assert_common_headers (Response *response, gsize length)
{
  g_autofree char *text = g_strdup_printf ("%" G_GSIZE_FORMAT, length);

  g_assert_cmpstr (header (response, "content-type"), ==, "text/plain; charset=utf-8");
  g_assert_cmpstr (header (response, "content-length"), ==, text);
  g_assert_cmpstr (header (response, "cache-control"), ==, "no-store");
  g_assert_cmpstr (header (response, "connection"), ==, "close");
}

static void
assert_response (Response *response, guint status, const char *body)
{
  g_assert_cmpuint (response->status, ==, status);
  g_assert_cmpstr (response->body, ==, body);
  assert_common_headers (response, strlen (body));
}

/* A new connection, @request on it, and the whole answer. */
static Response *
exchange (Fixture *fixture, const char *request, gboolean byte_by_byte)
{
  g_autoptr(GSocketConnection) client = client_connect (fixture);
  GIOStream *server = server_end (fixture, fixture->accepted->len - 1);
  g_autofree char *data = NULL;

  client_send (client, request, byte_by_byte);
  data = client_read_to_end (client);
  /* The server closed its end after answering. */
  ALLOY_TEST_WAIT_UNTIL (g_io_stream_is_closed (server), WAIT_MS);
  return parse_response (data);
}

static Response *
get (Fixture *fixture, const char *method, const char *path)
{
  g_autofree char *request = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: localhost\r\n\r\n",
                                              method, path);

  return exchange (fixture, request, FALSE);
}

static void
test_livez (Fixture *fixture, gconstpointer data)
{
  const char *paths[] = { "/livez", "/livez?verbose=1" };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(Response) response = get (fixture, "GET", paths[i]);

      assert_response (response, 200, "ok\n");
      g_assert_cmpstr (response->version, ==, "HTTP/1.1");
      g_assert_null (header (response, "allow"));
    }
  /* Liveness does not wait for readiness. */
  g_assert_false (alloy_health_get_ready (fixture->health));
}

static void
test_readyz (Fixture *fixture, gconstpointer data)
{
  g_autoptr(Response) starting = NULL;
  g_autoptr(Response) ready = NULL;
  g_autoptr(Response) draining = NULL;
  g_autoptr(Response) one_line = NULL;
  g_autoptr(Response) no_reason = NULL;

  g_assert_false (alloy_health_get_ready (fixture->health));
  starting = get (fixture, "GET", "/readyz");
  g_assert_cmpuint (starting->status, ==, 503);
  g_assert_true (g_str_has_prefix (starting->body, "starting"));
  /* One line. */
  g_assert_cmpuint (strcspn (starting->body, "\n"), ==, strlen (starting->body) - 1);
  assert_common_headers (starting, strlen (starting->body));

  alloy_health_set_ready (fixture->health, TRUE, NULL);
  g_assert_true (alloy_health_get_ready (fixture->health));
  ready = get (fixture, "GET", "/readyz");
  assert_response (ready, 200, "ok\n");

  alloy_health_set_ready (fixture->health, FALSE, "draining: SIGTERM received");
  g_assert_false (alloy_health_get_ready (fixture->health));
  draining = get (fixture, "GET", "/readyz");
  assert_response (draining, 503, "draining: SIGTERM received\n");

  /* The reason is the whole body: one line, whatever was passed. */
  alloy_health_set_ready (fixture->health, FALSE, "starting:\r\nno snapshot");
  one_line = get (fixture, "GET", "/readyz");
  assert_response (one_line, 503, "starting:  no snapshot\n");
  alloy_health_set_ready (fixture->health, FALSE, NULL);
  no_reason = get (fixture, "GET", "/readyz");
  assert_response (no_reason, 503, "not ready\n");
}

static void
test_head (Fixture *fixture, gconstpointer data)
{
  g_autoptr(Response) livez = get (fixture, "HEAD", "/livez");
  g_autoptr(Response) readyz = get (fixture, "HEAD", "/readyz");
  g_autoptr(Response) missing = get (fixture, "HEAD", "/nothing");

  /* The head of the GET answer, Content-Length included; no body. */
  g_assert_cmpuint (livez->status, ==, 200);
  g_assert_cmpstr (livez->body, ==, "");
  assert_common_headers (livez, strlen ("ok\n"));
  g_assert_cmpuint (readyz->status, ==, 503);
  g_assert_cmpstr (readyz->body, ==, "");
  assert_common_headers (readyz, strlen ("starting\n"));
  g_assert_cmpuint (missing->status, ==, 404);
  g_assert_cmpstr (missing->body, ==, "");
  assert_common_headers (missing, strlen ("not found\n"));
}

static void
test_not_found (Fixture *fixture, gconstpointer data)
{
  const char *paths[] = { "/", "/livez/", "/readyz/x", "/healthz", "/LIVEZ" };

  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(Response) response = get (fixture, "GET", paths[i]);

      assert_response (response, 404, "not found\n");
    }
  {
    /* Another method on another path is still not found. */
    g_autoptr(Response) response = get (fixture, "DELETE", "/metrics");

    assert_response (response, 404, "not found\n");
  }
}

static void
test_method_not_allowed (Fixture *fixture, gconstpointer data)
{
  const char *requests[] = {
    "POST /livez HTTP/1.1\r\nHost: localhost\r\nContent-Length: 9\r\n\r\nready=yes",
    "PUT /readyz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n",
    "DELETE /readyz HTTP/1.1\r\nHost: localhost\r\n\r\n",
    "OPTIONS /livez HTTP/1.1\r\nHost: localhost\r\n\r\n",
    "POST /readyz HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
    "3\r\nabc\r\n0\r\n\r\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr(Response) response = exchange (fixture, requests[i], FALSE);

      assert_response (response, 405, "method not allowed\n");
      g_assert_cmpstr (header (response, "allow"), ==, "GET, HEAD");
    }
}

static void
test_byte_by_byte (Fixture *fixture, gconstpointer data)
{
  g_autoptr(Response) response = NULL;

  alloy_health_set_ready (fixture->health, TRUE, NULL);
  response = exchange (fixture,
                       "GET /readyz HTTP/1.1\r\nHost: localhost\r\nUser-Agent: kube-probe/1.29\r\n"
                       "Accept: */*\r\n\r\n",
                       TRUE);
  assert_response (response, 200, "ok\n");
}

/* HTTP/1.0 without Host: libsoup makes the URI from the local address,
 * which a unix socket does not have. */
static void
test_http10 (Fixture *fixture, gconstpointer data)
{
  g_autoptr(Response) response = exchange (fixture, "GET /livez HTTP/1.0\r\n\r\n", FALSE);

  assert_response (response, 200, "ok\n");
  g_assert_cmpstr (response->version, ==, "HTTP/1.0");
}

/* One request per connection: the answer says `Connection: close` and
 * the connection ends after it, even when a second request was already
 * sent on it (libsoup 3.2 does not keep accepted streams alive). */
static void
test_one_request_per_connection (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSocketConnection) client = client_connect (fixture);
  g_autofree char *data_read = NULL;
  g_autoptr(Response) response = NULL;

  client_send (client,
               "GET /livez HTTP/1.1\r\nHost: localhost\r\n\r\n"
               "GET /readyz HTTP/1.1\r\nHost: localhost\r\n\r\n",
               FALSE);
  data_read = client_read_to_end (client);
  response = parse_response (data_read);
  assert_response (response, 200, "ok\n");
  g_assert_true (g_io_stream_is_closed (server_end (fixture, 0)));
}

/* Clients that leave early disturb nothing: the next one is answered. */
static void
test_client_gone (Fixture *fixture, gconstpointer data)
{
  const char *partial[] = {
    /* Connects and leaves. */
    "",
    /* Half a request line. */
    "GET /liv",
    /* Half a head. */
    "GET /livez HTTP/1.1\r\nHost: loc",
    /* Half a body. */
    "POST /livez HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nabc",
    /* A whole request, but the answer is not read. */
    "GET /livez HTTP/1.1\r\nHost: localhost\r\n\r\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (partial); i++)
    {
      g_autoptr(GSocketConnection) client = client_connect (fixture);
      g_autoptr(GError) error = NULL;
      GIOStream *server = server_end (fixture, fixture->accepted->len - 1);
      g_autoptr(Response) next = NULL;

      client_send (client, partial[i], TRUE);
      g_io_stream_close (G_IO_STREAM (client), NULL, &error);
      g_assert_no_error (error);
      ALLOY_TEST_WAIT_UNTIL (g_io_stream_is_closed (server), WAIT_MS);
      next = get (fixture, "GET", "/livez");
      assert_response (next, 200, "ok\n");
    }
}

/* What libsoup refuses itself ends the connection and nothing else. (Not
 * an unknown Transfer-Encoding: libsoup 3.2.3 answers 501 but leaks the
 * request path doing so, fixed upstream in 450d43c4.) */
static void
test_malformed (Fixture *fixture, gconstpointer data)
{
  const struct {
    const char *request;
    guint status;
  } cases[] = {
    { "NOT HTTP AT ALL\r\n\r\n", 400 },
    { "GET /livez HTTP/1.1\r\nHost: a/b\r\n\r\n", 400 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Response) refused = exchange (fixture, cases[i].request, FALSE);
      g_autoptr(Response) next = NULL;

      g_assert_cmpuint (refused->status, ==, cases[i].status);
      next = get (fixture, "GET", "/livez");
      assert_response (next, 200, "ok\n");
    }
}

/* A client waiting for 100 Continue gets the final answer instead. */
static void
test_expect_continue (Fixture *fixture, gconstpointer data)
{
  g_autoptr(Response) response = exchange (fixture,
                                           "POST /livez HTTP/1.1\r\nHost: localhost\r\n"
                                           "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n",
                                           FALSE);

  assert_response (response, 405, "method not allowed\n");
}

/* Silent and stalled connections are closed after the idle timeout;
 * prompt ones are answered as usual. */
static void
test_idle_timeout (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSocketConnection) stalled = NULL;
  g_autoptr(GSocketConnection) silent = NULL;
  g_autofree char *silent_data = NULL;
  g_autofree char *stalled_data = NULL;
  g_autoptr(Response) prompt = NULL;
  guint timeout_ms = 0;

  g_object_get (fixture->health, "idle-timeout", &timeout_ms, NULL);
  g_assert_cmpuint (timeout_ms, ==, 200);
  /* Sent at once, well within the timeout even under valgrind. */
  stalled = client_connect (fixture);
  client_send (stalled, "GET /livez HTTP/1.1\r\nHost: local", FALSE);
  silent = client_connect (fixture);
  prompt = get (fixture, "GET", "/livez");
  assert_response (prompt, 200, "ok\n");

  silent_data = client_read_to_end (silent);
  stalled_data = client_read_to_end (stalled);
  g_assert_cmpstr (silent_data, ==, "");
  g_assert_cmpstr (stalled_data, ==, "");
  for (guint i = 0; i < fixture->accepted->len; i++)
    g_assert_true (g_io_stream_is_closed (server_end (fixture, i)));

  /* It still serves after having timed connections out. */
  g_clear_pointer (&prompt, response_free);
  prompt = get (fixture, "GET", "/livez");
  assert_response (prompt, 200, "ok\n");
}

static void
test_default_idle_timeout (void)
{
  g_autoptr(AlloyHealth) health = alloy_health_new ();
  guint timeout_ms = 0;

  g_object_get (health, "idle-timeout", &timeout_ms, NULL);
  g_assert_cmpuint (timeout_ms, ==, 10000);
}

/* alloy_health_close ends every open connection at once and refuses new
 * ones. */
static void
test_close (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSocketConnection) idle = client_connect (fixture);
  g_autoptr(GSocketConnection) partial = client_connect (fixture);
  g_autoptr(GSocketConnection) late = NULL;
  g_autofree char *idle_data = NULL;
  g_autofree char *partial_data = NULL;
  g_autofree char *late_data = NULL;

  client_send (partial, "GET /readyz HTTP/1.1\r\n", TRUE);
  g_assert_false (g_io_stream_is_closed (server_end (fixture, 0)));
  g_assert_false (g_io_stream_is_closed (server_end (fixture, 1)));

  alloy_health_close (fixture->health);
  g_assert_true (g_io_stream_is_closed (server_end (fixture, 0)));
  g_assert_true (g_io_stream_is_closed (server_end (fixture, 1)));
  idle_data = client_read_to_end (idle);
  partial_data = client_read_to_end (partial);
  g_assert_cmpstr (idle_data, ==, "");
  g_assert_cmpstr (partial_data, ==, "");
  /* Idempotent. */
  alloy_health_close (fixture->health);

  late = client_connect (fixture);
  g_assert_error (fixture->accept_error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  late_data = client_read_to_end (late);
  g_assert_cmpstr (late_data, ==, "");
}

/* The last reference going away closes what is still open. */
static void
test_dispose_open (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSocketConnection) idle = client_connect (fixture);
  g_autofree char *idle_data = NULL;

  client_send (idle, "GET /", TRUE);
  g_clear_object (&fixture->health);
  g_assert_true (g_io_stream_is_closed (server_end (fixture, 0)));
  idle_data = client_read_to_end (idle);
  g_assert_cmpstr (idle_data, ==, "");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  alloy_test_log_init ();
  /* A write to a closed socket must be an error, not a signal. */
  signal (SIGPIPE, SIG_IGN);

#define ADD(path, params, func) \
  g_test_add (path, Fixture, &params, fixture_set_up, func, fixture_tear_down)
  ADD ("/health/livez", tcp_params, test_livez);
  ADD ("/health/readyz", tcp_params, test_readyz);
  ADD ("/health/head", tcp_params, test_head);
  ADD ("/health/not-found", tcp_params, test_not_found);
  ADD ("/health/method-not-allowed", tcp_params, test_method_not_allowed);
  ADD ("/health/byte-by-byte", tcp_params, test_byte_by_byte);
  ADD ("/health/http10/tcp", tcp_params, test_http10);
  ADD ("/health/http10/unix", unix_params, test_http10);
  ADD ("/health/unix/readyz", unix_params, test_readyz);
  ADD ("/health/one-request-per-connection", tcp_params, test_one_request_per_connection);
  ADD ("/health/client-gone", tcp_params, test_client_gone);
  ADD ("/health/malformed", tcp_params, test_malformed);
  ADD ("/health/expect-continue", tcp_params, test_expect_continue);
  ADD ("/health/idle-timeout", short_timeout_params, test_idle_timeout);
  ADD ("/health/close", tcp_params, test_close);
  ADD ("/health/dispose-open", tcp_params, test_dispose_open);
#undef ADD
  g_test_add_func ("/health/default-idle-timeout", test_default_idle_timeout);
  return g_test_run ();
}
