/* alloy-server.c: a running peer: plugin instances, listeners, connections.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-server.h"

#include "alloy-cluster-watch.h"
#include "alloy-connection.h"
#include "alloy-core-options.h"
#include "alloy-health.h"
#include "alloy-nexus-service.h"
#include "alloy-source.h"
#include "alloy-thrift-service.h"

#include <gio/gunixsocketaddress.h>

#include <string.h>

typedef struct {
  AlloyServer *server; /* unowned */
  char *group;
  char *protocol;
  char *scheme;
  AlloyTransport *transport;
  gulong incoming_id;
} Listener;

struct _AlloyServer {
  GObject parent_instance;

  AlloyConfig *config;
  GPtrArray *instances;  /* AlloyPluginInstance, in start order */
  GPtrArray *listeners;  /* Listener */
  AlloyDiscovery *discovery;
  gulong snapshot_id;
  AlloyCluster *cluster;
  AlloySource *source;
  AlloyHealth *health;
  AlloyClusterWatch *watch;
  gulong cluster_changed_id;
  GHashTable *connections; /* AlloyConnection set */

  GTask *start_task;
  GCancellable *start_cancellable;
  guint next_to_start;
  GTask *shutdown_task;
  guint drain_delay_id;
  guint drain_timeout_id;
  gboolean started;
  gboolean draining;
  gboolean stopping;
  gboolean instances_stopped;
};

G_DEFINE_FINAL_TYPE (AlloyServer, alloy_server, G_TYPE_OBJECT)

static void
listener_free (Listener *listener)
{
  if (listener->incoming_id != 0)
    g_signal_handler_disconnect (listener->transport, listener->incoming_id);
  g_free (listener->group);
  g_free (listener->protocol);
  g_free (listener->scheme);
  g_object_unref (listener->transport);
  g_free (listener);
}

static void
stop_instances (AlloyServer *self)
{
  if (self->instances_stopped)
    return;
  self->instances_stopped = TRUE;
  /* In reverse: discovery first, listeners last. */
  for (guint i = self->instances->len; i > 0; i--)
    alloy_plugin_instance_stop (g_ptr_array_index (self->instances, i - 1));
}

/* A reference to every open connection: closing one emits ::closed, which
 * removes it from the table while the caller iterates. */
static GList *
open_connections (AlloyServer *self)
{
  g_autoptr(GList) keys = g_hash_table_get_keys (self->connections);

  return g_list_copy_deep (keys, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
}

static void
alloy_server_dispose (GObject *object)
{
  AlloyServer *self = ALLOY_SERVER (object);

  stop_instances (self);
  if (self->snapshot_id != 0)
    g_clear_signal_handler (&self->snapshot_id, self->discovery);
  if (self->cluster_changed_id != 0)
    g_clear_signal_handler (&self->cluster_changed_id, self->cluster);
  g_clear_handle_id (&self->drain_delay_id, g_source_remove);
  g_clear_handle_id (&self->drain_timeout_id, g_source_remove);
  if (self->health != NULL)
    alloy_health_close (self->health);
  if (self->watch != NULL)
    alloy_cluster_watch_stop (self->watch);
  g_clear_object (&self->watch);
  if (self->connections != NULL)
    {
      g_autolist(AlloyConnection) open = open_connections (self);
      /* A connection may outlive the server by its read in flight. */
      for (GList *l = open; l; l = l->next)
        {
          g_signal_handlers_disconnect_by_data (l->data, self);
          alloy_connection_close (l->data);
        }
      g_hash_table_remove_all (self->connections);
    }
  /* After the connections: their streams are cancelled by now, and the
   * source waits for the work still under way. */
  g_clear_object (&self->source);
  g_clear_object (&self->health);
  g_clear_pointer (&self->listeners, g_ptr_array_unref);
  g_clear_pointer (&self->instances, g_ptr_array_unref);
  g_clear_object (&self->discovery);
  g_clear_object (&self->cluster);
  g_clear_object (&self->config);
  g_clear_object (&self->start_cancellable);

  G_OBJECT_CLASS (alloy_server_parent_class)->dispose (object);
}

static void
alloy_server_finalize (GObject *object)
{
  AlloyServer *self = ALLOY_SERVER (object);

  g_hash_table_unref (self->connections);

  G_OBJECT_CLASS (alloy_server_parent_class)->finalize (object);
}

static void
alloy_server_class_init (AlloyServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = alloy_server_dispose;
  object_class->finalize = alloy_server_finalize;
}

static void
alloy_server_init (AlloyServer *self)
{
  self->instances = g_ptr_array_new_with_free_func (g_object_unref);
  self->listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) listener_free);
  self->connections = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);
  self->start_cancellable = g_cancellable_new ();
  self->health = alloy_health_new ();
}

/* Readiness never depends on other peers: this peer's listeners, its
 * first discovery snapshot, and whether it is going away. */
static void
update_readiness (AlloyServer *self)
{
  if (self->stopping && !self->draining)
    alloy_health_set_ready (self->health, FALSE, "stopping");
  else if (self->draining)
    alloy_health_set_ready (self->health, FALSE, "draining: SIGTERM received");
  else if (!self->started)
    alloy_health_set_ready (self->health, FALSE, "starting");
  else if (self->cluster == NULL || !alloy_cluster_is_ready (self->cluster))
    alloy_health_set_ready (self->health, FALSE, "starting: no discovery snapshot yet");
  else
    alloy_health_set_ready (self->health, TRUE, NULL);
}

static void
on_cluster_changed (AlloyCluster *cluster, gpointer user_data)
{
  update_readiness (user_data);
}

static AlloyPluginInstance *
create_instance (AlloyServer *self, const char *group, GError **error)
{
  const AlloyPlugin *plugin = alloy_config_get_plugin (self->config, group);
  g_autoptr(AlloyPluginInstance) instance = g_object_new (plugin->type, NULL);

  alloy_plugin_instance_set_name (instance, group);
  if (!alloy_plugin_instance_configure (instance, alloy_config_get_key_file (self->config), group,
                                        error))
    {
      alloy_config_locate_error (self->config, group, error);
      return NULL;
    }
  g_ptr_array_add (self->instances, g_object_ref (instance));
  return g_steal_pointer (&instance);
}

static void on_incoming (AlloyTransport *transport, GIOStream *stream, const char *remote,
                         gpointer user_data);

AlloyServer *
alloy_server_new (AlloyConfig *config, GError **error)
{
  g_autoptr(AlloyServer) self = g_object_new (ALLOY_TYPE_SERVER, NULL);
  static const AlloyPluginKind start_order[] = {
    ALLOY_PLUGIN_KIND_TRANSPORT, ALLOY_PLUGIN_KIND_READER, ALLOY_PLUGIN_KIND_DISCOVERY,
  };

  g_autoptr(GHashTable) readers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         g_object_unref);

  self->config = g_object_ref (config);
  for (gsize k = 0; k < G_N_ELEMENTS (start_order); k++)
    {
      g_auto(GStrv) groups = alloy_config_get_groups (config, start_order[k]);

      for (char **group = groups; *group; group++)
        {
          g_autoptr(AlloyPluginInstance) instance = create_instance (self, *group, error);

          if (instance == NULL)
            return NULL;
          if (start_order[k] == ALLOY_PLUGIN_KIND_TRANSPORT)
            {
              Listener *listener = g_new0 (Listener, 1);
              const char *module = alloy_config_get_plugin (config, *group)->name;

              listener->server = self;
              listener->group = g_strdup (*group);
              listener->protocol = alloy_config_get_string (config, *group, ALLOY_KEY_PROTOCOL);
              /* transport_SCHEME serves SCHEME: addresses. */
              listener->scheme = g_strdup (g_str_has_prefix (module, "transport_")
                                             ? module + strlen ("transport_") : module);
              listener->transport = ALLOY_TRANSPORT (g_object_ref (instance));
              /* Before the start: a transport may accept at once. */
              listener->incoming_id = g_signal_connect (listener->transport, "incoming",
                                                        G_CALLBACK (on_incoming), listener);
              g_ptr_array_add (self->listeners, listener);
            }
          else if (start_order[k] == ALLOY_PLUGIN_KIND_DISCOVERY)
            self->discovery = ALLOY_DISCOVERY (g_object_ref (instance));
          else if (start_order[k] == ALLOY_PLUGIN_KIND_READER)
            {
              const char *module = alloy_config_get_plugin (config, *group)->name;

              /* The first group of a module serves its partitions. */
              if (!g_hash_table_contains (readers, module))
                g_hash_table_insert (readers, g_strdup (module), g_object_ref (instance));
            }
        }
    }
  self->source = alloy_source_new (config, readers);
  return g_steal_pointer (&self);
}

static void finish_shutdown_if_idle (AlloyServer *self);

static gboolean
on_source_idle (gpointer user_data)
{
  finish_shutdown_if_idle (user_data);
  return G_SOURCE_REMOVE;
}

/* The shutdown completes once the last connection has really closed and
 * the last stream's work has returned from the pool. */
static void
finish_shutdown_if_idle (AlloyServer *self)
{
  g_autoptr(GTask) task = NULL;

  /* During the drain delay the peer still takes connections. */
  if (self->shutdown_task == NULL || self->draining ||
      g_hash_table_size (self->connections) > 0)
    return;
  if (alloy_source_get_n_work (self->source) > 0)
    {
      alloy_source_when_idle (self->source, on_source_idle, self);
      return;
    }
  g_clear_handle_id (&self->drain_timeout_id, g_source_remove);
  task = g_steal_pointer (&self->shutdown_task);
  stop_instances (self);
  g_task_return_boolean (task, TRUE);
}

static void
on_connection_closed (AlloyConnection *connection, gpointer user_data)
{
  AlloyServer *self = user_data;

  g_signal_handlers_disconnect_by_data (connection, self);
  g_hash_table_remove (self->connections, connection);
  finish_shutdown_if_idle (self);
}

static void
on_incoming (AlloyTransport *transport, GIOStream *stream, const char *remote, gpointer user_data)
{
  Listener *listener = user_data;
  AlloyServer *self = listener->server;
  g_autoptr(AlloyConnection) connection = NULL;

  if (self->stopping && !self->draining)
    {
      g_io_stream_close (stream, NULL, NULL);
      return;
    }
  /* Health checks are HTTP, which libsoup serves on the stream itself. */
  if (strcmp (listener->protocol, "http") == 0)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *description = g_strdup_printf ("[%s] %s", listener->group, remote);

      if (!alloy_health_accept (self->health, stream, description, &error))
        {
          g_debug ("%s: %s", description, error->message);
          g_io_stream_close (stream, NULL, NULL);
        }
      return;
    }
  connection = alloy_connection_new (stream, listener->protocol, listener->group, remote);
  if (strcmp (listener->protocol, "thrift") == 0)
    alloy_thrift_service_attach (connection, self->source);
  else
    alloy_nexus_service_attach (connection, self->source);
  g_signal_connect (connection, "closed", G_CALLBACK (on_connection_closed), self);
  g_hash_table_add (self->connections, g_object_ref (connection));
  alloy_connection_start (connection);
}

static void
on_snapshot (AlloyDiscovery *discovery, AlloyPeerSnapshot *snapshot, gpointer user_data)
{
  AlloyServer *self = user_data;

  alloy_cluster_apply (self->cluster, snapshot);
}

/* The local peer as other peers and cells reach it: node-id, and the
 * advertised (else the first bound) address of the first Nexus listener;
 * a unix socket is `unix:PATH` with port 0. */
static AlloyPeer *
build_self_peer (AlloyServer *self)
{
  g_autofree char *node_id = alloy_config_get_string (self->config, ALLOY_CORE_GROUP,
                                                      ALLOY_KEY_NODE_ID);
  g_autofree char *host = NULL;
  guint16 port = 1270;

  if (node_id == NULL)
    node_id = g_strdup (g_get_host_name ());
  for (guint i = 0; i < self->listeners->len && host == NULL; i++)
    {
      Listener *listener = g_ptr_array_index (self->listeners, i);
      g_autofree char *advertise = NULL;
      g_autoptr(GPtrArray) bound = NULL;

      if (strcmp (listener->protocol, "nexus") != 0)
        continue;
      advertise = alloy_config_get_string (self->config, listener->group, ALLOY_KEY_ADVERTISE);
      if (advertise != NULL)
        {
          alloy_option_parse_address (advertise, &host, &port, NULL);
          break;
        }
      bound = alloy_transport_get_bound_addresses (listener->transport);
      for (guint j = 0; j < bound->len && host == NULL; j++)
        {
          GSocketAddress *address = g_ptr_array_index (bound, j);
          GInetAddress *ip;

          /* Only alloy fetch follows a unix socket locus. */
          if (G_IS_UNIX_SOCKET_ADDRESS (address))
            {
              host = g_strconcat ("unix:", g_unix_socket_address_get_path (
                                                G_UNIX_SOCKET_ADDRESS (address)), NULL);
              port = 0;
              continue;
            }
          if (!G_IS_INET_SOCKET_ADDRESS (address))
            continue;
          ip = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
          port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
          /* A wildcard address is no address to give out. */
          if (g_inet_address_get_is_any (ip))
            {
              host = g_strdup (g_get_host_name ());
              g_warning ("[%s] listens on a wildcard address without advertise=: loci will "
                         "name the host '%s', which every cell worker must resolve to this "
                         "peer; set advertise= to an IP literal", listener->group, host);
            }
          else
            host = g_inet_address_to_string (ip);
        }
    }
  return alloy_peer_new (node_id, host ? host : g_get_host_name (), port);
}

static void start_next (AlloyServer *self);

static void
log_listener (Listener *listener)
{
  g_autoptr(GPtrArray) bound = alloy_transport_get_bound_addresses (listener->transport);

  for (guint i = 0; i < bound->len; i++)
    {
      g_autofree char *address = alloy_socket_address_to_string (g_ptr_array_index (bound, i));
      g_message ("listening: %s %s:%s [%s]", listener->protocol, listener->scheme, address,
                 listener->group);
    }
}

static void
on_instance_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(AlloyServer) self = user_data;
  g_autoptr(GError) error = NULL;
  AlloyPluginInstance *instance = ALLOY_PLUGIN_INSTANCE (source);
  gboolean started = alloy_plugin_instance_start_finish (instance, result, &error);

  /* A shutdown came while this instance was starting: start no more. */
  if (self->stopping)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->start_task);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "shut down while starting");
      return;
    }
  if (!started)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->start_task);
      /* Plugins name their group in start errors (see start_async). */
      g_prefix_error (&error, "cannot start: ");
      stop_instances (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < self->listeners->len; i++)
    {
      Listener *listener = g_ptr_array_index (self->listeners, i);
      if (ALLOY_PLUGIN_INSTANCE (listener->transport) == instance)
        {
          log_listener (listener);
        }
    }
  start_next (self);
}

static void
start_next (AlloyServer *self)
{
  AlloyPluginInstance *instance;

  if (self->next_to_start == self->instances->len)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->start_task);
      self->started = TRUE;
      update_readiness (self);
      g_task_return_boolean (task, TRUE);
      return;
    }
  instance = g_ptr_array_index (self->instances, self->next_to_start++);
  /* Discovery goes last: by then the listeners are bound, so the local
   * peer's address is known when the first snapshot arrives. */
  if (ALLOY_IS_DISCOVERY (instance) && self->cluster == NULL)
    {
      g_autoptr(AlloyPeer) self_peer = build_self_peer (self);
      g_autofree char *text = alloy_peer_to_string (self_peer);

      g_message ("this peer is %s", text);
      GStrv search_path = alloy_config_get_plugin_search_path (self->config);
      g_autoptr(AlloyConnector) connector = alloy_connector_new ((const char *const *) search_path);

      /* Peers are reached through the listeners' own transports. */
      for (guint i = 0; i < self->listeners->len; i++)
        {
          Listener *listener = g_ptr_array_index (self->listeners, i);
          alloy_connector_add_transport (connector, listener->scheme, listener->transport);
        }
      self->cluster = alloy_cluster_new (self_peer);
      self->cluster_changed_id = g_signal_connect (self->cluster, "changed",
                                                   G_CALLBACK (on_cluster_changed), self);
      alloy_source_set_cluster (self->source, self->cluster, connector);
      self->watch = alloy_cluster_watch_new (
          self->cluster, connector, alloy_source_get_catalog (self->source),
          alloy_config_get_duration_ms (self->config, ALLOY_CORE_GROUP, ALLOY_KEY_PEER_TIMEOUT));
      self->snapshot_id = g_signal_connect (self->discovery, "snapshot", G_CALLBACK (on_snapshot),
                                            self);
    }
  alloy_plugin_instance_start_async (instance, self->start_cancellable, on_instance_started,
                                     g_object_ref (self));
}

void
alloy_server_start_async (AlloyServer *self, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (ALLOY_IS_SERVER (self));
  g_return_if_fail (self->start_task == NULL && self->next_to_start == 0);

  self->start_task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->start_task, alloy_server_start_async);
  /* Datasets first: a view is never answered from a half-read catalog. */
  if (!alloy_source_start (self->source, &error))
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->start_task);
      g_prefix_error (&error, "cannot start: ");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  start_next (self);
}

gboolean
alloy_server_start_finish (AlloyServer *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void stop_serving (AlloyServer *self);

void
alloy_server_close_connections (AlloyServer *self)
{
  g_autolist(AlloyConnection) open = NULL;

  /* During the drain delay: cut it short. */
  if (self->drain_delay_id != 0)
    {
      stop_serving (self);
      return;
    }
  open = open_connections (self);
  g_clear_handle_id (&self->drain_timeout_id, g_source_remove);
  if (open != NULL)
    g_message ("closing %u open connection(s)", g_list_length (open));
  for (GList *l = open; l; l = l->next)
    alloy_connection_close (l->data);
  finish_shutdown_if_idle (self);
}

static gboolean
on_drain_timeout (gpointer user_data)
{
  AlloyServer *self = user_data;

  self->drain_timeout_id = 0;
  g_message ("drain period over");
  alloy_server_close_connections (self);
  return G_SOURCE_REMOVE;
}

/* After the drain delay: no new views, streams or connections; the open
 * connections finish within drain-timeout. */
static void
stop_serving (AlloyServer *self)
{
  gint64 drain_ms;
  guint open;

  g_clear_handle_id (&self->drain_delay_id, g_source_remove);
  self->draining = FALSE;
  update_readiness (self);
  if (self->watch != NULL)
    alloy_cluster_watch_stop (self->watch);
  /* Views are answered NotReady, new streams refused; running ones go on. */
  alloy_source_set_stopping (self->source);

  /* No new connections from here on. */
  for (guint i = 0; i < self->listeners->len; i++)
    {
      Listener *listener = g_ptr_array_index (self->listeners, i);
      alloy_plugin_instance_stop (ALLOY_PLUGIN_INSTANCE (listener->transport));
    }
  alloy_health_close (self->health);

  open = g_hash_table_size (self->connections);
  drain_ms = alloy_config_get_duration_ms (self->config, ALLOY_CORE_GROUP,
                                           ALLOY_KEY_DRAIN_TIMEOUT);
  if (open == 0 || drain_ms == 0)
    {
      alloy_server_close_connections (self);
      return;
    }
  g_message ("listeners closed; draining %u open connection(s) for up to %" G_GINT64_FORMAT " ms",
             open, drain_ms);
  self->drain_timeout_id = g_timeout_add (MIN (drain_ms, G_MAXUINT), on_drain_timeout, self);
}

static gboolean
on_drain_delay (gpointer user_data)
{
  AlloyServer *self = user_data;

  self->drain_delay_id = 0;
  g_message ("drain delay over");
  stop_serving (self);
  return G_SOURCE_REMOVE;
}

void
alloy_server_shutdown_async (AlloyServer *self, GAsyncReadyCallback callback, gpointer user_data)
{
  gint64 delay_ms;

  g_return_if_fail (ALLOY_IS_SERVER (self));
  g_return_if_fail (self->shutdown_task == NULL && !self->stopping);

  self->stopping = TRUE;
  self->shutdown_task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (self->shutdown_task, alloy_server_shutdown_async);
  g_cancellable_cancel (self->start_cancellable);

  delay_ms = alloy_config_get_duration_ms (self->config, ALLOY_CORE_GROUP, ALLOY_KEY_DRAIN_DELAY);
  if (delay_ms == 0 || !self->started || self->cluster == NULL)
    {
      stop_serving (self);
      return;
    }
  /* Readiness goes false and new answers leave this peer out while the
   * endpoint's removal reaches the cells; streams of loci handed out just
   * before still come in and are served. */
  self->draining = TRUE;
  update_readiness (self);
  alloy_cluster_set_draining (self->cluster);
  g_message ("draining: leaving new views to the other peers for %" G_GINT64_FORMAT " ms",
             delay_ms);
  self->drain_delay_id = g_timeout_add (MIN (delay_ms, G_MAXUINT), on_drain_delay, self);
}

gboolean
alloy_server_shutdown_finish (AlloyServer *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

GStrv
alloy_server_get_listen_addresses (AlloyServer *self)
{
  g_autoptr(GStrvBuilder) result = g_strv_builder_new ();

  for (guint i = 0; i < self->listeners->len; i++)
    {
      Listener *listener = g_ptr_array_index (self->listeners, i);
      g_autoptr(GPtrArray) bound = alloy_transport_get_bound_addresses (listener->transport);

      for (guint j = 0; j < bound->len; j++)
        {
          g_autofree char *address = alloy_socket_address_to_string (g_ptr_array_index (bound, j));
          g_autofree char *line = g_strdup_printf ("%s %s:%s", listener->protocol,
                                                   listener->scheme, address);
          g_strv_builder_add (result, line);
        }
    }
  return g_strv_builder_end (result);
}

guint
alloy_server_get_n_connections (AlloyServer *self)
{
  return g_hash_table_size (self->connections);
}

AlloyCluster *
alloy_server_get_cluster (AlloyServer *self)
{
  return self->cluster;
}

void
alloy_server_refresh_discovery (AlloyServer *self)
{
  if (self->discovery != NULL)
    alloy_discovery_refresh_now (self->discovery);
  if (self->cluster != NULL)
    alloy_cluster_forget_departed (self->cluster);
}
