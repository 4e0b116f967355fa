/* alloy-health.c: the HTTP health endpoint.
 *
 * libsoup's SoupServer speaks HTTP on the connections the transports
 * accept (soup_server_accept_iostream); it never listens itself. /livez
 * answers whenever the main loop runs; /readyz answers the readiness the
 * server core sets. Everything is decided from the request head, on the
 * main context.
 *
 * One request per connection: every response says `Connection: close` and
 * libsoup closes the connection once it is written. libsoup 3.2 closes an
 * accepted stream after its first response anyway (it keeps a connection
 * alive only while the server has a listener of its own), and its 3.2
 * series leaks a kept-alive connection that the client closes while idle
 * (fixed in 3.3), so saying so is both honest and safe.
 *
 * SoupServer has no idle timeout of its own: a connection still open
 * "idle-timeout" (10 s by default) after it was accepted has not
 * delivered its one request, and is taken back from libsoup and closed, so
 * that silent or stalled clients cannot pile up.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-health.h"

#include <libsoup/soup.h>
#include <string.h>

#define DEFAULT_IDLE_TIMEOUT_MS 10000

typedef struct {
  AlloyHealth *health;
  GIOStream *stream;
  GSocketAddress *remote; /* the key in AlloyHealth.connections */
  char *description;
  SoupServerMessage *msg; /* the latest message libsoup announced */
  gulong disconnected_id;
  GSource *idle_source;
} HealthConnection;

struct _AlloyHealth {
  GObject parent_instance;

  SoupServer *server;
  gulong request_started_id;
  gboolean ready;
  char *reason; /* why not ready */
  guint idle_timeout_ms;
  gboolean closed;
  /* The remote address handed to libsoup with a connection -> its
   * HealthConnection (owned). A message's connection is found by that
   * address: soup_server_message_get_remote_address returns the very
   * object, and the connection itself is not public API. */
  GHashTable *connections;
};

G_DEFINE_FINAL_TYPE (AlloyHealth, alloy_health, G_TYPE_OBJECT)

enum { PROP_0, PROP_IDLE_TIMEOUT, N_PROPS };
static GParamSpec *props[N_PROPS];

static void
health_connection_free (HealthConnection *conn)
{
  if (conn->msg != NULL)
    {
      g_clear_signal_handler (&conn->disconnected_id, conn->msg);
      g_object_unref (conn->msg);
    }
  if (conn->idle_source != NULL)
    {
      g_source_destroy (conn->idle_source);
      g_source_unref (conn->idle_source);
    }
  g_object_unref (conn->stream);
  g_object_unref (conn->remote);
  g_free (conn->description);
  g_free (conn);
}

static HealthConnection *
lookup_connection (AlloyHealth *self, SoupServerMessage *msg)
{
  return g_hash_table_lookup (self->connections, soup_server_message_get_remote_address (msg));
}

/* Every message of a connection is told when the connection ends, however
 * it ends: answered, dropped by the client, timed out, or closed. */
static void
on_message_disconnected (SoupServerMessage *msg, gpointer user_data)
{
  HealthConnection *conn = user_data;

  g_debug ("%s: closed", conn->description);
  g_hash_table_remove (conn->health->connections, conn->remote);
}

static void
on_request_started (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  HealthConnection *conn = lookup_connection (user_data, msg);

  if (conn == NULL || conn->msg == msg)
    return;
  /* Held so that its ::disconnected comes even when libsoup drops its own
   * reference first (soup_server_disconnect does). */
  if (conn->msg != NULL)
    {
      g_clear_signal_handler (&conn->disconnected_id, conn->msg);
      g_object_unref (conn->msg);
    }
  conn->msg = g_object_ref (msg);
  conn->disconnected_id = g_signal_connect (msg, "disconnected",
                                            G_CALLBACK (on_message_disconnected), conn);
}

/* An early handler: it answers from the request head, so that a body,
 * which no path takes, is never waited for in order to decide. */
static void
on_request (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
            gpointer user_data)
{
  AlloyHealth *self = user_data;
  HealthConnection *conn = lookup_connection (self, msg);
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *body = NULL;
  g_autofree char *shown_method = NULL;
  g_autofree char *shown_path = NULL;
  gsize length;
  guint status;

  /* libsoup still reads a body before it answers: dropped as it comes,
   * never gathered in memory. */
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);

  if (strcmp (path, "/livez") == 0 || strcmp (path, "/readyz") == 0)
    {
      /* Liveness depends on nothing but this code running. */
      gboolean ok = strcmp (path, "/livez") == 0 || self->ready;

      status = ok ? SOUP_STATUS_OK : SOUP_STATUS_SERVICE_UNAVAILABLE;
      body = ok ? g_strdup ("ok\n") : g_strconcat (self->reason, "\n", NULL);
      /* libsoup interns methods: pointers compare. */
      if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
        {
          status = SOUP_STATUS_METHOD_NOT_ALLOWED;
          g_free (body);
          body = g_strdup ("method not allowed\n");
          soup_message_headers_replace (headers, "Allow", "GET, HEAD");
        }
    }
  else
    {
      status = SOUP_STATUS_NOT_FOUND;
      body = g_strdup ("not found\n");
    }

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Connection", "close");
  soup_server_message_set_status (msg, status, NULL);
  length = strlen (body);
  /* HEAD: libsoup sends the Content-Length of this body, not the body. */
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&body), length);
  /* Whatever the client wrote, one line in the log. */
  shown_method = g_strescape (method, NULL);
  shown_path = g_strescape (path, NULL);
  g_debug ("%s: %s %s: %u", conn != NULL ? conn->description : "[health]", shown_method,
           shown_path, status);
}

static gboolean
on_idle_timeout (gpointer user_data)
{
  HealthConnection *conn = user_data;
  AlloyHealth *self = conn->health;
  g_autoptr(GIOStream) stream = g_object_ref (conn->stream);
  g_autoptr(GSocketAddress) remote = g_object_ref (conn->remote);
  g_autoptr(SoupServerMessage) msg = conn->msg != NULL ? g_object_ref (conn->msg) : NULL;
  g_autoptr(GIOStream) stolen = NULL;

  g_debug ("%s: closing: no request within %u ms", conn->description,
           self->idle_timeout_ms);
  /* Being dispatched: the main context holds the source until we return. */
  g_clear_pointer (&conn->idle_source, g_source_unref);
  /* Taking the stream back stops libsoup's reading and emits
   * ::disconnected, which frees @conn; closing it is then ours. */
  if (msg != NULL)
    stolen = soup_server_message_steal_connection (msg);
  /* Gone already, unless libsoup never announced a message. */
  g_hash_table_remove (self->connections, remote);
  if (stolen != NULL)
    g_io_stream_close (stolen, NULL, NULL);
  g_io_stream_close (stream, NULL, NULL);
  return G_SOURCE_REMOVE;
}

/* libsoup 3.2 wants both addresses (NULL fails a precondition there,
 * whatever its documentation says), and makes the URI of a Host-less
 * HTTP/1.0 request from the local one as an IP address: a loopback
 * stand-in serves where the stream has none (unix sockets). */
static GSocketAddress *
stream_address (GIOStream *stream, gboolean local)
{
  GSocketAddress *address = NULL;

  if (G_IS_SOCKET_CONNECTION (stream))
    {
      GSocketConnection *connection = G_SOCKET_CONNECTION (stream);

      address = local ? g_socket_connection_get_local_address (connection, NULL)
                      : g_socket_connection_get_remote_address (connection, NULL);
    }
  if (local && address != NULL && !G_IS_INET_SOCKET_ADDRESS (address))
    g_clear_object (&address);
  if (address == NULL)
    address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  return address;
}

static void
close_stream (gpointer key, gpointer value, gpointer user_data)
{
  HealthConnection *conn = value;

  g_io_stream_close (conn->stream, NULL, NULL);
}

static void
alloy_health_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AlloyHealth *self = ALLOY_HEALTH (object);

  switch (prop_id)
    {
    case PROP_IDLE_TIMEOUT:
      g_value_set_uint (value, self->idle_timeout_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
alloy_health_set_property (GObject *object, guint prop_id, const GValue *value,
                           GParamSpec *pspec)
{
  AlloyHealth *self = ALLOY_HEALTH (object);

  switch (prop_id)
    {
    case PROP_IDLE_TIMEOUT:
      self->idle_timeout_ms = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
alloy_health_dispose (GObject *object)
{
  AlloyHealth *self = ALLOY_HEALTH (object);

  if (self->server != NULL)
    {
      alloy_health_close (self);
      g_clear_signal_handler (&self->request_started_id, self->server);
      g_clear_object (&self->server);
    }

  G_OBJECT_CLASS (alloy_health_parent_class)->dispose (object);
}

static void
alloy_health_finalize (GObject *object)
{
  AlloyHealth *self = ALLOY_HEALTH (object);

  g_hash_table_unref (self->connections);
  g_free (self->reason);

  G_OBJECT_CLASS (alloy_health_parent_class)->finalize (object);
}

static void
alloy_health_class_init (AlloyHealthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = alloy_health_get_property;
  object_class->set_property = alloy_health_set_property;
  object_class->dispose = alloy_health_dispose;
  object_class->finalize = alloy_health_finalize;

  /* Milliseconds a connection may stay open, 0 for no limit: it serves
   * one request, which a client sends as soon as it has connected. */
  props[PROP_IDLE_TIMEOUT] = g_param_spec_uint ("idle-timeout", NULL, NULL, 0, G_MAXUINT,
                                                DEFAULT_IDLE_TIMEOUT_MS,
                                                G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                                  G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
alloy_health_init (AlloyHealth *self)
{
  self->reason = g_strdup ("starting");
  self->connections = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                             (GDestroyNotify) health_connection_free);
  self->server = g_object_new (SOUP_TYPE_SERVER, NULL);
  /* The default handler (path NULL) serves every path. */
  soup_server_add_early_handler (self->server, NULL, on_request, self, NULL);
  self->request_started_id = g_signal_connect (self->server, "request-started",
                                               G_CALLBACK (on_request_started), self);
}

AlloyHealth *
alloy_health_new (void)
{
  return g_object_new (ALLOY_TYPE_HEALTH, NULL);
}

void
alloy_health_set_ready (AlloyHealth *self, gboolean ready, const char *reason)
{
  g_return_if_fail (ALLOY_IS_HEALTH (self));

  g_clear_pointer (&self->reason, g_free);
  self->ready = ready;
  /* One line: it is the whole body of /readyz. */
  if (!ready)
    self->reason = g_strdelimit (g_strdup (reason != NULL && *reason != '\0' ? reason
                                                                             : "not ready"),
                                 "\r\n", ' ');
  if (ready)
    g_debug ("health: ready");
  else
    g_debug ("health: not ready: %s", self->reason);
}

gboolean
alloy_health_get_ready (AlloyHealth *self)
{
  g_return_val_if_fail (ALLOY_IS_HEALTH (self), FALSE);

  return self->ready;
}

gboolean
alloy_health_accept (AlloyHealth *self, GIOStream *stream, const char *description,
                     GError **error)
{
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  HealthConnection *conn;

  g_return_val_if_fail (ALLOY_IS_HEALTH (self), FALSE);
  g_return_val_if_fail (G_IS_IO_STREAM (stream), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->closed)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "the health endpoint is closed");
      return FALSE;
    }

  local = stream_address (stream, TRUE);
  remote = stream_address (stream, FALSE);
  conn = g_new0 (HealthConnection, 1);
  conn->health = self;
  conn->stream = g_object_ref (stream);
  conn->remote = g_object_ref (remote);
  conn->description = g_strdup (description != NULL ? description : "[health]");
  if (self->idle_timeout_ms > 0)
    {
      conn->idle_source = g_timeout_source_new (self->idle_timeout_ms);
      g_source_set_callback (conn->idle_source, on_idle_timeout, conn, NULL);
      g_source_set_static_name (conn->idle_source, "[alloy] health idle timeout");
      g_source_attach (conn->idle_source, g_main_context_get_thread_default ());
    }
  /* Before the hand-over: libsoup announces the first message from
   * inside it. */
  g_hash_table_insert (self->connections, conn->remote, conn);
  if (!soup_server_accept_iostream (self->server, stream, local, remote, error))
    {
      g_hash_table_remove (self->connections, remote);
      return FALSE;
    }
  g_debug ("%s: serving HTTP", description != NULL ? description : "[health]");
  return TRUE;
}

void
alloy_health_close (AlloyHealth *self)
{
  g_return_if_fail (ALLOY_IS_HEALTH (self));

  self->closed = TRUE;
  /* Each connection's messages are told (::disconnected), which empties
   * the table... */
  soup_server_disconnect (self->server);
  /* ...but for one libsoup never announced a message on. */
  g_hash_table_foreach (self->connections, close_stream, NULL);
  g_hash_table_remove_all (self->connections);
}
