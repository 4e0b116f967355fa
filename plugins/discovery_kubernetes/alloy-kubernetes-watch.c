/* alloy-kubernetes-watch.c: the LIST/WATCH cycle of discovery_kubernetes.
 *
 * LIST, publish the whole set, WATCH from the list's resourceVersion; see
 * alloy-kubernetes-discovery.c for the rules. Everything runs on the core
 * context with libsoup's async API.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "alloy-kubernetes-private.h"

/* One request in flight. Callbacks hold no reference to the instance:
 * after stop they see the cancellable cancelled and touch nothing else. */
typedef struct {
  AlloyKubernetesDiscovery *self;
  GCancellable *cancellable;
  SoupMessage *message;
  gboolean watch;
  gboolean auth_retried;
  guint events;
} Request;

static void
request_free (Request *request)
{
  g_object_unref (request->cancellable);
  g_clear_object (&request->message);
  g_free (request);
}

static const char *
group_name (AlloyKubernetesDiscovery *self)
{
  return alloy_plugin_instance_get_name (ALLOY_PLUGIN_INSTANCE (self));
}

static void start_request (AlloyKubernetesDiscovery *self, gboolean watch, gboolean auth_retried);

static gboolean
on_backoff_timer (gpointer user_data)
{
  AlloyKubernetesDiscovery *self = user_data;

  self->timer_id = 0;
  /* Rewatch from the last resourceVersion, or relist when there is none. */
  start_request (self, self->resource_version != NULL, FALSE);
  return G_SOURCE_REMOVE;
}

/* The next delay: the current step plus up to 100 % jitter, bounded. */
static guint
next_backoff (AlloyKubernetesDiscovery *self)
{
  gint64 step = CLAMP (self->backoff_ms, self->backoff_initial_ms, self->backoff_max_ms);
  gint64 delay = step + (gint64) (g_random_double () * (double) step);

  self->backoff_ms = MIN (step * 2, self->backoff_max_ms);
  return (guint) CLAMP (delay, 1, MIN (self->backoff_max_ms, G_MAXUINT));
}

static void
schedule_retry (AlloyKubernetesDiscovery *self, guint delay_ms)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_id = g_timeout_add (delay_ms, on_backoff_timer, self);
}

/* Publishes a failure (the core keeps the last good set) and retries
 * after a backoff. */
static void G_GNUC_PRINTF (3, 4)
fail (AlloyKubernetesDiscovery *self, AlloyDiscoveryError code, const char *format, ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  guint delay = next_backoff (self);
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  error = g_error_new (ALLOY_DISCOVERY_ERROR, code, "%s: %s", group_name (self), message);
  g_debug ("[%s] %s; retrying in %u ms", group_name (self), error->message, delay);
  alloy_discovery_publish_failure (ALLOY_DISCOVERY (self), error, delay);
  schedule_retry (self, delay);
}

static void
publish (AlloyKubernetesDiscovery *self)
{
  g_autoptr(GPtrArray) peers = kube_slices_to_peers (self->slices, self->include_not_serving,
                                                     self->include_terminating);

  alloy_discovery_publish_peers (ALLOY_DISCOVERY (self), peers, 0);
}

void
kube_watch_close (AlloyKubernetesDiscovery *self)
{
  g_autoptr(GDataInputStream) watch = g_steal_pointer (&self->watch);

  if (watch != NULL)
    g_input_stream_close_async (G_INPUT_STREAM (watch), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
}

static void
relist (AlloyKubernetesDiscovery *self)
{
  kube_watch_close (self);
  g_clear_pointer (&self->resource_version, g_free);
  start_request (self, FALSE, FALSE);
}

static void
set_resource_version (AlloyKubernetesDiscovery *self, const char *resource_version)
{
  if (resource_version != NULL && *resource_version != '\0')
    {
      g_free (self->resource_version);
      self->resource_version = g_strdup (resource_version);
    }
}

static gboolean
store_slice (AlloyKubernetesDiscovery *self, JsonObject *object, GError **error)
{
  KubeSlice *slice = kube_slice_parse (object, self->port_name, error);

  if (slice == NULL)
    return FALSE;
  if (slice->fqdn && !self->fqdn_logged)
    {
      self->fqdn_logged = TRUE;
      g_message ("[%s] skipping FQDN EndpointSlice %s: only IPv4 and IPv6 slices give peers",
                 group_name (self), slice->name);
    }
  g_hash_table_replace (self->slices, slice->name, slice);
  return TRUE;
}

/* The message of a Status body, or NULL. */
static char *
status_message (GBytes *body)
{
  g_autoptr(JsonNode) root = NULL;
  gsize length = 0;
  const char *data = body ? g_bytes_get_data (body, &length) : NULL;
  const char *message;

  if (data == NULL || length == 0)
    return NULL;
  root = kube_json_parse (data, (gssize) length, NULL);
  if (root == NULL)
    return NULL;
  message = kube_json_get_string (json_node_get_object (root), "message");
  return message ? g_strdup (message) : NULL;
}

/* Handles a response that is not a 200; the caller has the body, if any. */
static void
handle_http_error (AlloyKubernetesDiscovery *self, Request *request, guint status, GBytes *body)
{
  g_autofree char *detail = status_message (body);
  const char *verb = request->watch ? "watch" : "list";
  const char *namespace_ = self->namespace_;

  if (status == SOUP_STATUS_UNAUTHORIZED && !request->auth_retried)
    {
      /* The token may just have been rotated: read it again, once. */
      g_debug ("[%s] %s: 401 Unauthorized; retrying with the token read again",
               group_name (self), verb);
      start_request (self, request->watch, TRUE);
      return;
    }
  if (status == SOUP_STATUS_GONE && request->watch)
    {
      relist (self);
      return;
    }
  if (status == SOUP_STATUS_UNAUTHORIZED)
    fail (self, ALLOY_DISCOVERY_ERROR_AUTH, "%s: 401 Unauthorized (token from %s)%s%s", verb,
          self->token_file ? self->token_file : "nowhere", detail ? ": " : "",
          detail ? detail : "");
  else if (status == SOUP_STATUS_FORBIDDEN)
    fail (self, ALLOY_DISCOVERY_ERROR_FORBIDDEN,
          "%s: 403 Forbidden: the service account needs 'list' and 'watch' on "
          "endpointslices.discovery.k8s.io in namespace %s (an RBAC Role and RoleBinding)%s%s",
          verb, namespace_, detail ? ": " : "", detail ? detail : "");
  else
    fail (self, ALLOY_DISCOVERY_ERROR_HTTP, "%s: HTTP %u %s%s%s", verb, status,
          soup_status_get_phrase (status), detail ? ": " : "", detail ? detail : "");
}

static void
fail_transport (AlloyKubernetesDiscovery *self, Request *request, const GError *error)
{
  fail (self, ALLOY_DISCOVERY_ERROR_NETWORK, "%s %s: %s", request->watch ? "watch" : "list",
        self->api_server, error->message);
}

static void
on_list_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Request *request = user_data;
  AlloyKubernetesDiscovery *self = request->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                              &error);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) previous = NULL;
  JsonArray *items;
  guint status;

  if (g_cancellable_is_cancelled (request->cancellable))
    {
      request_free (request);
      return;
    }
  status = soup_message_get_status (request->message);
  if (body == NULL)
    fail_transport (self, request, error);
  else if (status != SOUP_STATUS_OK)
    handle_http_error (self, request, status, body);
  else if ((root = kube_json_parse (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body),
                                    &error)) == NULL)
    fail (self, ALLOY_DISCOVERY_ERROR_MALFORMED, "list: %s", error->message);
  else
    {
      JsonObject *list = json_node_get_object (root);
      const char *resource_version = kube_object_get_resource_version (list);
      JsonNode *items_node = json_object_get_member (list, "items");

      items = (items_node && JSON_NODE_HOLDS_ARRAY (items_node))
              ? json_node_get_array (items_node) : NULL;
      /* Build the new state aside: a bad item keeps the old one whole. */
      previous = g_steal_pointer (&self->slices);
      self->slices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify) kube_slice_free);
      for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
        {
          JsonNode *item = json_array_get_element (items, i);

          if (!JSON_NODE_HOLDS_OBJECT (item)
              || !store_slice (self, json_node_get_object (item), &error))
            break;
        }
      if (error != NULL || resource_version == NULL || *resource_version == '\0')
        {
          g_hash_table_unref (self->slices);
          self->slices = g_steal_pointer (&previous);
          fail (self, ALLOY_DISCOVERY_ERROR_MALFORMED, "list: %s",
                error ? error->message : "no metadata.resourceVersion");
        }
      else
        {
          set_resource_version (self, resource_version);
          self->backoff_ms = self->backoff_initial_ms;
          publish (self);
          start_request (self, TRUE, FALSE);
        }
    }
  request_free (request);
}

typedef enum {
  EVENT_CONTINUE,
  EVENT_RELIST,
  EVENT_FAILED,
} EventOutcome;

static EventOutcome
apply_event (AlloyKubernetesDiscovery *self, const char *line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = kube_json_parse (line, -1, &error);
  const char *type;
  JsonObject *object;

  if (root == NULL)
    {
      fail (self, ALLOY_DISCOVERY_ERROR_MALFORMED, "watch: an event is not JSON: %s",
            error->message);
      return EVENT_FAILED;
    }
  type = kube_json_get_string (json_node_get_object (root), "type");
  object = kube_json_get_object (json_node_get_object (root), "object");
  if (type == NULL || object == NULL)
    {
      fail (self, ALLOY_DISCOVERY_ERROR_MALFORMED, "watch: an event without type or object");
      return EVENT_FAILED;
    }
  if (g_str_equal (type, "ERROR"))
    {
      gint64 code = kube_json_get_int (object, "code", 0);
      const char *message = kube_json_get_string (object, "message");

      if (code == SOUP_STATUS_GONE)
        {
          g_debug ("[%s] watch: %s; relisting", group_name (self), message ? message : "Gone");
          return EVENT_RELIST;
        }
      fail (self, code == 401 ? ALLOY_DISCOVERY_ERROR_AUTH
                  : code == 403 ? ALLOY_DISCOVERY_ERROR_FORBIDDEN : ALLOY_DISCOVERY_ERROR_HTTP,
            "watch: ERROR %" G_GINT64_FORMAT ": %s", code, message ? message : "(no message)");
      return EVENT_FAILED;
    }
  if (g_str_equal (type, "BOOKMARK"))
    {
      set_resource_version (self, kube_object_get_resource_version (object));
      return EVENT_CONTINUE;
    }
  if (g_str_equal (type, "ADDED") || g_str_equal (type, "MODIFIED"))
    {
      if (!store_slice (self, object, &error))
        {
          fail (self, ALLOY_DISCOVERY_ERROR_MALFORMED, "watch: %s", error->message);
          return EVENT_FAILED;
        }
    }
  else if (g_str_equal (type, "DELETED"))
    {
      const char *name = kube_object_get_name (object);

      if (name != NULL)
        g_hash_table_remove (self->slices, name);
    }
  else
    {
      g_debug ("[%s] watch: ignoring an event of type %s", group_name (self), type);
      return EVENT_CONTINUE;
    }
  set_resource_version (self, kube_object_get_resource_version (object));
  publish (self);
  return EVENT_CONTINUE;
}

static void
on_watch_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Request *request = user_data;
  AlloyKubernetesDiscovery *self = request->self;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  g_autofree char *line = g_data_input_stream_read_line_finish (G_DATA_INPUT_STREAM (source),
                                                                result, &length, &error);

  if (g_cancellable_is_cancelled (request->cancellable)
      || (gpointer) source != (gpointer) self->watch)
    {
      request_free (request);
      return;
    }
  if (line == NULL && error != NULL)
    {
      /* A reset mid-stream: rewatch from the last resourceVersion. */
      kube_watch_close (self);
      fail (self, ALLOY_DISCOVERY_ERROR_NETWORK, "watch: the stream broke: %s", error->message);
      request_free (request);
      return;
    }
  if (line == NULL)
    {
      /* A clean end (timeoutSeconds): rewatch without relisting. An
       * empty stream goes through the backoff, so that a server ending
       * every watch at once is not hammered. */
      kube_watch_close (self);
      if (request->events > 0)
        start_request (self, TRUE, FALSE);
      else
        schedule_retry (self, next_backoff (self));
      request_free (request);
      return;
    }
  g_strstrip (line);
  if (*line != '\0')
    {
      EventOutcome outcome;

      request->events++;
      self->backoff_ms = self->backoff_initial_ms;
      outcome = apply_event (self, line);
      if (outcome != EVENT_CONTINUE)
        {
          if (outcome == EVENT_RELIST)
            relist (self);
          else
            kube_watch_close (self);
          request_free (request);
          return;
        }
    }
  g_data_input_stream_read_line_async (self->watch, G_PRIORITY_DEFAULT, request->cancellable,
                                       on_watch_line, request);
}

static void
on_watch_response (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Request *request = user_data;
  AlloyKubernetesDiscovery *self = request->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = soup_session_send_finish (SOUP_SESSION (source), result,
                                                             &error);
  guint status;

  if (g_cancellable_is_cancelled (request->cancellable))
    {
      request_free (request);
      return;
    }
  if (stream == NULL)
    {
      fail_transport (self, request, error);
      request_free (request);
      return;
    }
  status = soup_message_get_status (request->message);
  if (status != SOUP_STATUS_OK)
    {
      /* A Status body is small; the message is for the log only. */
      g_input_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      handle_http_error (self, request, status, NULL);
      request_free (request);
      return;
    }
  kube_watch_close (self);
  self->watch = g_data_input_stream_new (stream);
  g_data_input_stream_set_newline_type (self->watch, G_DATA_STREAM_NEWLINE_TYPE_LF);
  g_data_input_stream_read_line_async (self->watch, G_PRIORITY_DEFAULT, request->cancellable,
                                       on_watch_line, request);
}

/* The bearer token, read again for every request; FALSE with a failure
 * published when the file cannot be read. */
static gboolean
add_token (AlloyKubernetesDiscovery *self, SoupMessage *message)
{
  g_autofree char *token = NULL;
  g_autofree char *header = NULL;
  g_autoptr(GError) error = NULL;

  if (self->token_file == NULL)
    return TRUE;
  if (!g_file_get_contents (self->token_file, &token, NULL, &error))
    {
      fail (self, ALLOY_DISCOVERY_ERROR_AUTH, "cannot read the token: %s", error->message);
      return FALSE;
    }
  g_strstrip (token);
  header = g_strconcat ("Bearer ", token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                header);
  return TRUE;
}

static void
start_request (AlloyKubernetesDiscovery *self, gboolean watch, gboolean auth_retried)
{
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) message = NULL;
  Request *request;

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (watch)
    url = g_strdup_printf ("%s&watch=1&resourceVersion=%s&allowWatchBookmarks=true"
                           "&timeoutSeconds=%d", self->list_url, self->resource_version,
                           g_random_int_range (300, 601));
  else
    url = g_strdup (self->list_url);
  message = soup_message_new (SOUP_METHOD_GET, url);
  if (message == NULL)
    {
      fail (self, ALLOY_DISCOVERY_ERROR_CONFIG, "'%s' is not a valid URL", url);
      return;
    }
  if (!add_token (self, message))
    return;
  soup_message_headers_replace (soup_message_get_request_headers (message), "Accept",
                                "application/json");
  request = g_new0 (Request, 1);
  request->self = self;
  request->cancellable = g_object_ref (self->cancellable);
  request->message = g_steal_pointer (&message);
  request->watch = watch;
  request->auth_retried = auth_retried;
  if (watch)
    soup_session_send_async (self->session, request->message, G_PRIORITY_DEFAULT,
                             request->cancellable, on_watch_response, request);
  else
    soup_session_send_and_read_async (self->session, request->message, G_PRIORITY_DEFAULT,
                                      request->cancellable, on_list_done, request);
}

void
kube_watch_begin (AlloyKubernetesDiscovery *self)
{
  self->backoff_ms = self->backoff_initial_ms;
  start_request (self, FALSE, FALSE);
}

void
kube_watch_retry_now (AlloyKubernetesDiscovery *self)
{
  if (self->timer_id != 0)
    on_backoff_timer (self);
}
