/* alloy-kubernetes-discovery.c: peers from the EndpointSlices of a Service.
 *
 * LIST the slices labelled kubernetes.io/service-name=SERVICE, publish the
 * whole peer set, then WATCH from the list's resourceVersion with
 * bookmarks. Every ADDED, MODIFIED or DELETED event publishes the whole set
 * again; a BOOKMARK only advances the resourceVersion; a 410 (the watch's
 * HTTP status or an ERROR event) relists, and the set is published again
 * only once that list is complete. Failures publish a failure, so that the
 * core keeps the last good set, and are retried after a jittered backoff.
 * The token is read from its file for every request, and a 401 is retried
 * once at once. See discovery.md §6.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "alloy-kubernetes-private.h"

#include <string.h>

static void alloy_kubernetes_discovery_plugin_iface_init (AlloyPluginInstanceInterface *iface);
static void alloy_kubernetes_discovery_discovery_iface_init (AlloyDiscoveryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AlloyKubernetesDiscovery, alloy_kubernetes_discovery,
                               G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_PLUGIN_INSTANCE,
                         alloy_kubernetes_discovery_plugin_iface_init)
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_DISCOVERY, alloy_kubernetes_discovery_discovery_iface_init))

static const char *
group_name (AlloyKubernetesDiscovery *self)
{
  return alloy_plugin_instance_get_name (ALLOY_PLUGIN_INSTANCE (self));
}

static void alloy_kubernetes_discovery_stop (AlloyPluginInstance *instance);

static void
alloy_kubernetes_discovery_dispose (GObject *object)
{
  alloy_kubernetes_discovery_stop (ALLOY_PLUGIN_INSTANCE (object));

  G_OBJECT_CLASS (alloy_kubernetes_discovery_parent_class)->dispose (object);
}

static void
clear_config (AlloyKubernetesDiscovery *self)
{
  g_clear_pointer (&self->api_server, g_free);
  g_clear_pointer (&self->ca_file, g_free);
  g_clear_pointer (&self->token_file, g_free);
  g_clear_pointer (&self->namespace_, g_free);
  g_clear_pointer (&self->namespace_file, g_free);
  g_clear_pointer (&self->service, g_free);
  g_clear_pointer (&self->port_name, g_free);
}

static void
alloy_kubernetes_discovery_finalize (GObject *object)
{
  AlloyKubernetesDiscovery *self = ALLOY_KUBERNETES_DISCOVERY (object);

  clear_config (self);
  g_free (self->list_url);
  g_free (self->resource_version);
  g_hash_table_unref (self->slices);

  G_OBJECT_CLASS (alloy_kubernetes_discovery_parent_class)->finalize (object);
}

static void
alloy_kubernetes_discovery_class_init (AlloyKubernetesDiscoveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = alloy_kubernetes_discovery_dispose;
  object_class->finalize = alloy_kubernetes_discovery_finalize;
}

static void
alloy_kubernetes_discovery_init (AlloyKubernetesDiscovery *self)
{
  self->slices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) kube_slice_free);
}

/* A string key, or NULL when blank. */
static char *
get_path (GKeyFile *config, const char *group, const char *key)
{
  g_autofree char *value = g_key_file_get_string (config, group, key, NULL);

  if (value == NULL || *g_strstrip (value) == '\0')
    return NULL;
  return g_steal_pointer (&value);
}

/* https://HOST:PORT from the in-cluster environment (client-go's
 * rest.InClusterConfig), with an IPv6 host in brackets. */
static char *
in_cluster_url (void)
{
  const char *host = g_getenv ("KUBERNETES_SERVICE_HOST");
  const char *port = g_getenv ("KUBERNETES_SERVICE_PORT");

  if (host == NULL || *host == '\0' || port == NULL || *port == '\0')
    return NULL;
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("https://[%s]:%s", host, port);
  return g_strdup_printf ("https://%s:%s", host, port);
}

static gboolean
alloy_kubernetes_discovery_configure (AlloyPluginInstance *instance, GKeyFile *config,
                                      const char *group, GError **error)
{
  AlloyKubernetesDiscovery *self = ALLOY_KUBERNETES_DISCOVERY (instance);
  g_autofree char *api_server = get_path (config, group, "api-server");
  g_autoptr(GUri) uri = NULL;
  const char *paths[] = { "ca-file", "token-file", "namespace-file" };

  clear_config (self);
  if (api_server == NULL)
    {
      api_server = in_cluster_url ();
      if (api_server == NULL)
        {
          alloy_set_invalid_value (error, group, "api-server",
                                   "not set, and KUBERNETES_SERVICE_HOST or "
                                   "KUBERNETES_SERVICE_PORT is not in the environment "
                                   "(not running in a cluster)");
          return FALSE;
        }
    }
  uri = g_uri_parse (api_server, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL
      || (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0
          && g_strcmp0 (g_uri_get_scheme (uri), "http") != 0)
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || (*g_uri_get_path (uri) != '\0' && g_strcmp0 (g_uri_get_path (uri), "/") != 0)
      || g_uri_get_query (uri) != NULL)
    {
      alloy_set_invalid_value (error, group, "api-server",
                               "'%s' is not an API server URL: write https://HOST[:PORT]",
                               api_server);
      return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autofree char *path = get_path (config, group, paths[i]);

      if (path != NULL && !g_path_is_absolute (path))
        {
          alloy_set_invalid_value (error, group, paths[i], "'%s' is not an absolute path",
                                   path);
          return FALSE;
        }
    }
  self->backoff_initial_ms = alloy_key_file_get_duration (config, group, "backoff-initial", NULL);
  self->backoff_max_ms = alloy_key_file_get_duration (config, group, "backoff-max", NULL);
  if (self->backoff_max_ms < self->backoff_initial_ms)
    {
      alloy_set_invalid_value (error, group, "backoff-max", "is shorter than backoff-initial");
      return FALSE;
    }
  self->service = get_path (config, group, "service");
  if (self->service == NULL)
    {
      alloy_set_invalid_value (error, group, "service", "must not be empty");
      return FALSE;
    }
  self->api_server = g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD);
  if (g_str_has_suffix (self->api_server, "/"))
    self->api_server[strlen (self->api_server) - 1] = '\0';
  self->ca_file = get_path (config, group, "ca-file");
  self->token_file = get_path (config, group, "token-file");
  self->namespace_ = get_path (config, group, "namespace");
  self->namespace_file = get_path (config, group, "namespace-file");
  self->port_name = g_key_file_get_string (config, group, "port-name", NULL);
  if (self->port_name == NULL)
    self->port_name = g_strdup ("");
  g_strstrip (self->port_name);
  self->include_not_serving = g_key_file_get_boolean (config, group, "include-not-serving", NULL);
  self->include_terminating = g_key_file_get_boolean (config, group, "include-terminating", NULL);
  return TRUE;
}

/* --- life cycle ------------------------------------------------------- */

static char *
read_namespace (AlloyKubernetesDiscovery *self, GError **error)
{
  const char *path = self->namespace_file ? self->namespace_file
                                          : SERVICEACCOUNT_DIR "/namespace";
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;

  if (self->namespace_ != NULL)
    return g_strdup (self->namespace_);
  if (!g_file_get_contents (path, &text, NULL, &local_error))
    {
      g_set_error (error, ALLOY_DISCOVERY_ERROR, ALLOY_DISCOVERY_ERROR_CONFIG,
                   "%s: namespace not set, and %s", group_name (self), local_error->message);
      return NULL;
    }
  if (*g_strstrip (text) == '\0')
    {
      g_set_error (error, ALLOY_DISCOVERY_ERROR, ALLOY_DISCOVERY_ERROR_CONFIG,
                   "%s: namespace not set, and %s is empty", group_name (self), path);
      return NULL;
    }
  return g_steal_pointer (&text);
}

static gboolean
make_session (AlloyKubernetesDiscovery *self, GError **error)
{
  const char *ca_file = self->ca_file;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) local_error = NULL;

  /* No I/O timeout: a quiet watch is healthy. */
  self->session = soup_session_new_with_options ("timeout", 0, "user-agent", "alloyd", NULL);
  /* Plain http, or no ca-file: the system's trust store. */
  if (g_str_has_prefix (self->api_server, "http:") || ca_file == NULL)
    return TRUE;
  database = g_tls_file_database_new (ca_file, &local_error);
  if (database == NULL)
    {
      g_set_error (error, ALLOY_DISCOVERY_ERROR, ALLOY_DISCOVERY_ERROR_CONFIG,
                   "%s: cannot load the CA file %s: %s", group_name (self), ca_file,
                   local_error->message);
      return FALSE;
    }
  soup_session_set_tls_database (self->session, database);
  return TRUE;
}

static void
alloy_kubernetes_discovery_start_async (AlloyPluginInstance *instance, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data)
{
  AlloyKubernetesDiscovery *self = ALLOY_KUBERNETES_DISCOVERY (instance);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *namespace_ = NULL;
  g_autofree char *selector = NULL;
  g_autofree char *escaped_namespace = NULL;
  g_autofree char *path = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, alloy_kubernetes_discovery_start_async);
  alloy_kubernetes_discovery_stop (instance);
  if (self->api_server == NULL)
    {
      g_task_return_new_error (task, ALLOY_DISCOVERY_ERROR, ALLOY_DISCOVERY_ERROR_CONFIG,
                               "%s: not configured", group_name (self));
      return;
    }
  namespace_ = read_namespace (self, &error);
  if (namespace_ == NULL || !make_session (self, &error))
    {
      g_clear_object (&self->session);
      g_task_return_error (task, error);
      return;
    }
  if (self->namespace_ == NULL)
    self->namespace_ = g_strdup (namespace_);
  escaped_namespace = g_uri_escape_string (namespace_, NULL, FALSE);
  selector = g_uri_escape_string ("kubernetes.io/service-name=", NULL, FALSE);
  path = g_strdup_printf (SLICES_API, escaped_namespace);
  g_free (self->list_url);
  {
    g_autofree char *service = g_uri_escape_string (self->service, NULL, FALSE);

    self->list_url = g_strdup_printf ("%s%s?labelSelector=%s%s", self->api_server, path,
                                      selector, service);
  }
  self->cancellable = g_cancellable_new ();
  /* The first snapshot comes when the LIST completed (or failed). */
  kube_watch_begin (self);
  g_task_return_boolean (task, TRUE);
}

static gboolean
alloy_kubernetes_discovery_start_finish (AlloyPluginInstance *instance, GAsyncResult *result,
                                         GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
alloy_kubernetes_discovery_stop (AlloyPluginInstance *instance)
{
  AlloyKubernetesDiscovery *self = ALLOY_KUBERNETES_DISCOVERY (instance);

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  kube_watch_close (self);
  /* Requests in flight complete as cancelled and touch nothing else. */
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_hash_table_remove_all (self->slices);
  g_clear_pointer (&self->resource_version, g_free);
}

static char *
alloy_kubernetes_discovery_describe (AlloyPluginInstance *instance)
{
  AlloyKubernetesDiscovery *self = ALLOY_KUBERNETES_DISCOVERY (instance);

  return g_strdup_printf ("[%s] kubernetes discovery, service %s in namespace %s at %s, "
                          "%u slice(s)", group_name (self), self->service,
                          self->namespace_ ? self->namespace_ : "(from the service account)",
                          self->api_server, g_hash_table_size (self->slices));
}

static void
alloy_kubernetes_discovery_refresh_now (AlloyDiscovery *discovery)
{
  AlloyKubernetesDiscovery *self = ALLOY_KUBERNETES_DISCOVERY (discovery);

  /* The watch pushes every change; only a pending retry is hastened. */
  if (self->cancellable != NULL)
    kube_watch_retry_now (self);
}

static void
alloy_kubernetes_discovery_plugin_iface_init (AlloyPluginInstanceInterface *iface)
{
  iface->configure = alloy_kubernetes_discovery_configure;
  iface->start_async = alloy_kubernetes_discovery_start_async;
  iface->start_finish = alloy_kubernetes_discovery_start_finish;
  iface->stop = alloy_kubernetes_discovery_stop;
  iface->describe = alloy_kubernetes_discovery_describe;
}

static void
alloy_kubernetes_discovery_discovery_iface_init (AlloyDiscoveryInterface *iface)
{
  iface->refresh_now = alloy_kubernetes_discovery_refresh_now;
}

static const AlloyOptionSpec kubernetes_discovery_options[] = {
  { .key = "service", .type = ALLOY_OPTION_STRING, .flags = ALLOY_OPTION_FLAG_REQUIRED,
    .description = "the Service whose EndpointSlices list the peers "
                   "(label kubernetes.io/service-name)" },
  { .key = "namespace", .type = ALLOY_OPTION_STRING, .default_value = "",
    .description = "the Service's namespace; empty: the one in namespace-file" },
  { .key = "port-name", .type = ALLOY_OPTION_STRING, .default_value = "nexus",
    .description = "the EndpointSlice port that is the peers' Nexus port" },
  { .key = "api-server", .type = ALLOY_OPTION_STRING, .default_value = "",
    .description = "the API server URL, https://HOST:PORT; empty: in the cluster, from "
                   "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT" },
  { .key = "ca-file", .type = ALLOY_OPTION_STRING,
    .default_value = SERVICEACCOUNT_DIR "/ca.crt",
    .description = "the CA certificates (PEM) the API server's certificate is checked "
                   "against; empty: the system's trust store" },
  { .key = "token-file", .type = ALLOY_OPTION_STRING,
    .default_value = SERVICEACCOUNT_DIR "/token",
    .description = "the bearer token, read again for each request; empty: no token" },
  { .key = "namespace-file", .type = ALLOY_OPTION_STRING,
    .default_value = SERVICEACCOUNT_DIR "/namespace",
    .description = "where the namespace is read when namespace is empty" },
  { .key = "include-not-serving", .type = ALLOY_OPTION_BOOL, .default_value = "false",
    .description = "also list endpoints that are not serving (diagnostics only)" },
  { .key = "include-terminating", .type = ALLOY_OPTION_BOOL, .default_value = "false",
    .description = "also list terminating endpoints (diagnostics only)" },
  { .key = "backoff-initial", .type = ALLOY_OPTION_DURATION, .default_value = "800ms",
    .description = "the first retry delay after a failure (doubled up to backoff-max, "
                   "plus up to 100 % jitter)",
    .min = 1, .max = 3600 * 1000 },
  { .key = "backoff-max", .type = ALLOY_OPTION_DURATION, .default_value = "30s",
    .description = "the longest retry delay", .min = 1, .max = 3600 * 1000 },
  { .key = NULL }
};

static const AlloyPluginDescriptor kubernetes_discovery_descriptor = {
  ALLOY_PLUGIN_DESCRIPTOR_HEADER,
  .name = "discovery_kubernetes",
  .kind = ALLOY_PLUGIN_KIND_DISCOVERY,
  .version = ALLOY_VERSION_STRING,
  .description = "Peers from the EndpointSlices of a Kubernetes Service (LIST, then WATCH)",
  .license = "Apache-2.0",
  .options = kubernetes_discovery_options,
  .get_type = alloy_kubernetes_discovery_get_type,
};

ALLOY_PLUGIN_EXPORT (discovery_kubernetes, kubernetes_discovery_descriptor)
