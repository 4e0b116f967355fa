/* alloy-tcp-transport.c: listens on and connects to TCP addresses.
 *
 * listen=host:port;[v6]:port;... Each entry is bound on its own socket;
 * port 0 picks a free port, which get_bound_addresses reports. A host name
 * is resolved at start and every address it resolves to is bound (on one
 * port, the first one picked when the entry says 0). IPv6 sockets are
 * IPv6-only, so that 0.0.0.0:P and [::]:P can be listed together.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include <alloy/alloy.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

/* GSocketListener's default of 10 drops connections under a burst. */
#define LISTEN_BACKLOG 128

typedef struct {
  char *text; /* as configured, for messages */
  char *host;
  guint16 port;
} ListenEntry;

typedef struct {
  /* This start's cancellable: stop, or a later start, makes it stale. */
  GCancellable *cancellable;
  GCancellable *caller_cancellable;
  gulong caller_cancel_id;
  guint next; /* the first listen entry not bound yet */
} StartData;

struct _AlloyTcpTransport {
  GObject parent_instance;

  char *group;
  GPtrArray *listen; /* ListenEntry */

  GSocketService *service; /* set from start until stop */
  gulong incoming_id;
  GPtrArray *bound;        /* GSocketAddress, port 0 resolved */
  GCancellable *cancellable;
  gboolean listening;
};

#define ALLOY_TYPE_TCP_TRANSPORT (alloy_tcp_transport_get_type ())
G_DECLARE_FINAL_TYPE (AlloyTcpTransport, alloy_tcp_transport, ALLOY, TCP_TRANSPORT, GObject)

static void alloy_tcp_transport_plugin_iface_init (AlloyPluginInstanceInterface *iface);
static void alloy_tcp_transport_transport_iface_init (AlloyTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AlloyTcpTransport, alloy_tcp_transport, G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_PLUGIN_INSTANCE, alloy_tcp_transport_plugin_iface_init)
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_TRANSPORT, alloy_tcp_transport_transport_iface_init))

static void
listen_entry_free (ListenEntry *entry)
{
  g_free (entry->text);
  g_free (entry->host);
  g_free (entry);
}

static void
start_data_free (StartData *data)
{
  if (data->caller_cancellable != NULL)
    {
      g_cancellable_disconnect (data->caller_cancellable, data->caller_cancel_id);
      g_object_unref (data->caller_cancellable);
    }
  g_object_unref (data->cancellable);
  g_free (data);
}

static const char *
group_name (AlloyTcpTransport *self)
{
  return self->group != NULL ? self->group
                             : alloy_plugin_instance_get_name (ALLOY_PLUGIN_INSTANCE (self));
}

/* Closes the listening sockets, so that their ports are free when this
 * returns, and drops every accept still in flight. */
static void
close_listener (AlloyTcpTransport *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->service != NULL)
    {
      /* An accept that already completed is still dispatched by the
       * service; without our handler it only drops the connection. */
      g_clear_signal_handler (&self->incoming_id, self->service);
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_clear_object (&self->service);
    }
  g_ptr_array_set_size (self->bound, 0);
  self->listening = FALSE;
}

static void
alloy_tcp_transport_finalize (GObject *object)
{
  AlloyTcpTransport *self = ALLOY_TCP_TRANSPORT (object);

  close_listener (self);
  g_ptr_array_unref (self->bound);
  g_ptr_array_unref (self->listen);
  g_free (self->group);

  G_OBJECT_CLASS (alloy_tcp_transport_parent_class)->finalize (object);
}

static void
alloy_tcp_transport_class_init (AlloyTcpTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = alloy_tcp_transport_finalize;
}

static void
alloy_tcp_transport_init (AlloyTcpTransport *self)
{
  self->listen = g_ptr_array_new_with_free_func ((GDestroyNotify) listen_entry_free);
  self->bound = g_ptr_array_new_with_free_func (g_object_unref);
}

static gboolean
alloy_tcp_transport_configure (AlloyPluginInstance *instance, GKeyFile *config, const char *group,
                               GError **error)
{
  AlloyTcpTransport *self = ALLOY_TCP_TRANSPORT (instance);
  g_auto(GStrv) addresses = g_key_file_get_string_list (config, group, "listen", NULL, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_free (self->group);
  self->group = g_strdup (group);
  g_ptr_array_set_size (self->listen, 0);

  for (char **text = addresses; text && *text; text++)
    {
      g_autoptr(GError) address_error = NULL;
      ListenEntry *entry;

      g_strstrip (*text);
      if (**text == '\0')
        continue;
      entry = g_new0 (ListenEntry, 1);
      entry->text = g_strdup (*text);
      if (!alloy_option_parse_address (*text, &entry->host, &entry->port, &address_error))
        {
          alloy_set_invalid_value (error, group, "listen", "%s", address_error->message);
          listen_entry_free (entry);
          return FALSE;
        }
      g_ptr_array_add (self->listen, entry);
      if (!g_hash_table_add (seen, entry->text))
        {
          alloy_set_invalid_value (error, group, "listen", "'%s' is listed twice", entry->text);
          return FALSE;
        }
    }
  if (self->listen->len == 0)
    {
      alloy_set_invalid_value (error, group, "listen",
                               "no address to listen on: write HOST:PORT, e.g. 0.0.0.0:1270");
      return FALSE;
    }
  return TRUE;
}

static void
set_socket_option (GSocket *socket, int level, int option, const char *what)
{
  g_autoptr(GError) error = NULL;

  /* Not worth failing a connection over: it works, only slower. */
  if (!g_socket_set_option (socket, level, option, TRUE, &error))
    g_debug ("cannot set %s: %s", what, error->message);
}

static gboolean
on_service_incoming (GSocketService *service, GSocketConnection *connection,
                     GObject *source_object, gpointer user_data)
{
  AlloyTcpTransport *self = user_data;
  GSocket *socket = g_socket_connection_get_socket (connection);
  g_autoptr(GSocketAddress) remote = NULL;
  g_autofree char *remote_text = NULL;

  /* Request/response traffic: latency matters more than segment count,
   * and keepalive notices peers that vanished without a FIN. */
  set_socket_option (socket, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY");
  g_socket_set_keepalive (socket, TRUE);

  /* A peer that reset before we got here has no address any more; the
   * core still gets the connection, whose first read then fails. */
  remote = g_socket_connection_get_remote_address (connection, NULL);
  remote_text = remote != NULL ? alloy_socket_address_to_string (remote) : g_strdup ("unknown");
  alloy_transport_emit_incoming (ALLOY_TRANSPORT (self), G_IO_STREAM (connection), remote_text);
  return TRUE;
}

/* Binds and listens on @address; @text names it in errors. */
static gboolean
bind_address (AlloyTcpTransport *self, GSocketAddress *address, const char *text, GError **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GError) local_error = NULL;
  GSocketFamily family = g_socket_address_get_family (address);

  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &local_error);
  if (socket != NULL && family == G_SOCKET_FAMILY_IPV6 &&
      !g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, TRUE, &local_error))
    g_clear_object (&socket);
  if (socket != NULL)
    {
      g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
      /* allow_reuse: SO_REUSEADDR, so that connections of an earlier run
       * lingering in TIME_WAIT do not hold the port. */
      if (g_socket_bind (socket, address, TRUE, &local_error) &&
          g_socket_listen (socket, &local_error) &&
          g_socket_listener_add_socket (G_SOCKET_LISTENER (self->service), socket, NULL,
                                        &local_error))
        local = g_socket_get_local_address (socket, &local_error);
    }
  if (local == NULL)
    {
      gboolean in_use = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);

      g_set_error (error, in_use ? ALLOY_TRANSPORT_ERROR : local_error->domain,
                   in_use ? ALLOY_TRANSPORT_ERROR_ADDRESS_IN_USE : local_error->code,
                   "%s: cannot listen on %s: %s", group_name (self), text, local_error->message);
      if (socket != NULL)
        g_socket_close (socket, NULL);
      return FALSE;
    }
  g_ptr_array_add (self->bound, g_steal_pointer (&local));
  return TRUE;
}

static void
start_fail (GTask *task, GError *error)
{
  AlloyTcpTransport *self = g_task_get_source_object (task);
  StartData *data = g_task_get_task_data (task);

  /* Undo only our own work: after a stop, or a stop and a new start, the
   * listener is no longer ours to close. */
  if (self->cancellable == data->cancellable)
    close_listener (self);
  g_task_return_error (task, error);
}

static void
start_done (GTask *task)
{
  AlloyTcpTransport *self = g_task_get_source_object (task);
  StartData *data = g_task_get_task_data (task);

  if (g_cancellable_is_cancelled (data->cancellable))
    {
      start_fail (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                     "%s: start was cancelled", group_name (self)));
      return;
    }
  self->listening = TRUE;
  g_socket_service_start (self->service);
  g_task_return_boolean (task, TRUE);
}

static void bind_next (GTask *task);

static void
on_listen_host_resolved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  AlloyTcpTransport *self = g_task_get_source_object (task);
  StartData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  ListenEntry *entry;
  guint16 port;

  if (g_cancellable_is_cancelled (data->cancellable))
    {
      g_resolver_free_addresses (addresses);
      start_done (task);
      return;
    }
  entry = g_ptr_array_index (self->listen, data->next);
  port = entry->port;
  if (addresses == NULL)
    {
      start_fail (task, g_error_new (error->domain, error->code,
                                     "%s: cannot listen on %s: cannot resolve '%s': %s",
                                     group_name (self), entry->text, entry->host,
                                     error->message));
      return;
    }
  for (GList *l = addresses; l != NULL; l = l->next)
    {
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (l->data, port);
      g_autofree char *numeric = alloy_socket_address_to_string (address);
      g_autofree char *text = g_strdup_printf ("%s (%s)", entry->text, numeric);
      GError *bind_error = NULL;

      if (!bind_address (self, address, text, &bind_error))
        {
          g_resolver_free_addresses (addresses);
          start_fail (task, bind_error);
          return;
        }
      /* One name, one port: the rest take the port the first one got. */
      if (port == 0)
        port = g_inet_socket_address_get_port (
          G_INET_SOCKET_ADDRESS (g_ptr_array_index (self->bound, self->bound->len - 1)));
    }
  g_resolver_free_addresses (addresses);
  data->next++;
  bind_next (g_steal_pointer (&task));
}

/* Binds the entries from data->next on; takes the reference on @task. */
static void
bind_next (GTask *task)
{
  AlloyTcpTransport *self = g_task_get_source_object (task);
  StartData *data = g_task_get_task_data (task);

  for (; data->next < self->listen->len; data->next++)
    {
      ListenEntry *entry = g_ptr_array_index (self->listen, data->next);
      g_autoptr(GInetAddress) ip = g_inet_address_new_from_string (entry->host);
      g_autoptr(GSocketAddress) address = NULL;
      GError *error = NULL;

      if (ip == NULL)
        {
          g_autoptr(GResolver) resolver = g_resolver_get_default ();

          g_resolver_lookup_by_name_async (resolver, entry->host, data->cancellable,
                                           on_listen_host_resolved, task);
          return;
        }
      address = g_inet_socket_address_new (ip, entry->port);
      if (!bind_address (self, address, entry->text, &error))
        {
          start_fail (task, error);
          g_object_unref (task);
          return;
        }
    }
  start_done (task);
  g_object_unref (task);
}

static void
on_caller_cancelled (GCancellable *caller_cancellable, gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
alloy_tcp_transport_start_async (AlloyPluginInstance *instance, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  AlloyTcpTransport *self = ALLOY_TCP_TRANSPORT (instance);
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  StartData *data;

  g_task_set_source_tag (task, alloy_tcp_transport_start_async);
  /* Cancellation is handled here: a generic check could report failure
   * with the sockets still bound. */
  g_task_set_check_cancellable (task, FALSE);
  if (self->service != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s: already started",
                               group_name (self));
      g_object_unref (task);
      return;
    }
  if (self->listen->len == 0)
    {
      g_task_return_new_error (task, ALLOY_TRANSPORT_ERROR, ALLOY_TRANSPORT_ERROR_NOT_LISTENING,
                               "%s: not configured: no address to listen on", group_name (self));
      g_object_unref (task);
      return;
    }

  /* Inactive until every address is bound, so that a failed start never
   * accepted anything. */
  self->service = g_object_new (G_TYPE_SOCKET_SERVICE, "active", FALSE, NULL);
  self->incoming_id = g_signal_connect (self->service, "incoming",
                                        G_CALLBACK (on_service_incoming), self);
  self->cancellable = g_cancellable_new ();

  data = g_new0 (StartData, 1);
  data->cancellable = g_object_ref (self->cancellable);
  g_task_set_task_data (task, data, (GDestroyNotify) start_data_free);
  if (cancellable != NULL)
    {
      data->caller_cancellable = g_object_ref (cancellable);
      data->caller_cancel_id = g_cancellable_connect (cancellable,
                                                      G_CALLBACK (on_caller_cancelled),
                                                      g_object_ref (data->cancellable),
                                                      g_object_unref);
    }
  bind_next (task);
}

static gboolean
alloy_tcp_transport_start_finish (AlloyPluginInstance *instance, GAsyncResult *result,
                                  GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, instance), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
alloy_tcp_transport_stop (AlloyPluginInstance *instance)
{
  close_listener (ALLOY_TCP_TRANSPORT (instance));
}

static char *
alloy_tcp_transport_describe (AlloyPluginInstance *instance)
{
  AlloyTcpTransport *self = ALLOY_TCP_TRANSPORT (instance);
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_printf (text, "[%s] tcp transport, ", alloy_plugin_instance_get_name (instance));
  if (!self->listening)
    {
      g_string_append (text, "not listening");
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  g_string_append (text, "listening on ");
  for (guint i = 0; i < self->bound->len; i++)
    {
      g_autofree char *address = alloy_socket_address_to_string (self->bound->pdata[i]);
      g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", address);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static GPtrArray *
alloy_tcp_transport_get_bound_addresses (AlloyTransport *transport)
{
  AlloyTcpTransport *self = ALLOY_TCP_TRANSPORT (transport);
  GPtrArray *addresses = g_ptr_array_new_full (self->bound->len, g_object_unref);

  if (self->listening)
    for (guint i = 0; i < self->bound->len; i++)
      g_ptr_array_add (addresses, g_object_ref (self->bound->pdata[i]));
  return addresses;
}

static void
on_client_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      g_prefix_error (&error, "cannot connect to %s: ", (const char *) g_task_get_task_data (task));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  set_socket_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY,
                     "TCP_NODELAY");
  g_task_return_pointer (task, g_steal_pointer (&connection), g_object_unref);
}

static void
alloy_tcp_transport_connect_async (AlloyTransport *transport, const char *address,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (transport, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autofree char *host = NULL;
  guint16 port = 0;

  g_task_set_source_tag (task, alloy_tcp_transport_connect_async);
  g_task_set_task_data (task, g_strdup (address), g_free);
  if (!alloy_option_parse_address (address, &host, &port, &error))
    {
      g_task_return_new_error (task, ALLOY_TRANSPORT_ERROR, ALLOY_TRANSPORT_ERROR_INVALID_ADDRESS,
                               "%s", error->message);
      return;
    }
  if (port == 0)
    {
      g_task_return_new_error (task, ALLOY_TRANSPORT_ERROR, ALLOY_TRANSPORT_ERROR_INVALID_ADDRESS,
                               "'%s': port 0 cannot be connected to", address);
      return;
    }

  client = g_socket_client_new ();
  /* Peers talk directly; a desktop proxy setting must not reroute them. */
  g_socket_client_set_enable_proxy (client, FALSE);
  connectable = g_network_address_new (host, port);
  g_socket_client_connect_async (client, connectable, cancellable, on_client_connected,
                                 g_steal_pointer (&task));
}

static void
alloy_tcp_transport_plugin_iface_init (AlloyPluginInstanceInterface *iface)
{
  iface->configure = alloy_tcp_transport_configure;
  iface->start_async = alloy_tcp_transport_start_async;
  iface->start_finish = alloy_tcp_transport_start_finish;
  iface->stop = alloy_tcp_transport_stop;
  iface->describe = alloy_tcp_transport_describe;
}

static void
alloy_tcp_transport_transport_iface_init (AlloyTransportInterface *iface)
{
  iface->get_bound_addresses = alloy_tcp_transport_get_bound_addresses;
  iface->connect_async = alloy_tcp_transport_connect_async;
}

static const AlloyOptionSpec tcp_transport_options[] = {
  { .key = "listen", .type = ALLOY_OPTION_ADDRESS_LIST,
    .flags = ALLOY_OPTION_FLAG_REQUIRED | ALLOY_OPTION_FLAG_UNIQUE,
    .description = "addresses to listen on, HOST:PORT;[IPV6]:PORT;... (HOST an IP or a name "
                   "resolved at start; port 0 picks a free port)" },
  { .key = NULL }
};

static const AlloyPluginDescriptor tcp_transport_descriptor = {
  ALLOY_PLUGIN_DESCRIPTOR_HEADER,
  .name = "transport_tcp",
  .kind = ALLOY_PLUGIN_KIND_TRANSPORT,
  .version = ALLOY_VERSION_STRING,
  .description = "TCP listener and client over IPv4 and IPv6",
  .license = "Apache-2.0",
  .options = tcp_transport_options,
  .get_type = alloy_tcp_transport_get_type,
};

ALLOY_PLUGIN_EXPORT (transport_tcp, tcp_transport_descriptor)
