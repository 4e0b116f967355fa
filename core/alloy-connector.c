/* alloy-connector.c: client connections through the transport plugins.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-connector.h"

#include "alloy-deadline.h"
#include "alloy-plugin-registry.h"

#include <string.h>

struct _AlloyConnector {
  GObject parent_instance;

  GStrv search_path;
  GHashTable *transports; /* scheme -> AlloyTransport */
};

G_DEFINE_FINAL_TYPE (AlloyConnector, alloy_connector, G_TYPE_OBJECT)

static void
alloy_connector_finalize (GObject *object)
{
  AlloyConnector *self = ALLOY_CONNECTOR (object);

  g_strfreev (self->search_path);
  g_hash_table_unref (self->transports);

  G_OBJECT_CLASS (alloy_connector_parent_class)->finalize (object);
}

static void
alloy_connector_class_init (AlloyConnectorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = alloy_connector_finalize;
}

static void
alloy_connector_init (AlloyConnector *self)
{
  self->transports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

AlloyConnector *
alloy_connector_new (const char *const *search_path)
{
  AlloyConnector *self = g_object_new (ALLOY_TYPE_CONNECTOR, NULL);

  self->search_path = g_strdupv ((char **) search_path);
  return self;
}

void
alloy_connector_add_transport (AlloyConnector *self, const char *scheme,
                               AlloyTransport *transport)
{
  g_return_if_fail (ALLOY_IS_CONNECTOR (self) && ALLOY_IS_TRANSPORT (transport));

  if (!g_hash_table_contains (self->transports, scheme))
    g_hash_table_insert (self->transports, g_strdup (scheme), g_object_ref (transport));
}

char *
alloy_connector_address_for (const char *host, guint16 port)
{
  if (g_str_has_prefix (host, "unix:"))
    return g_strdup (host);
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("tcp:[%s]:%u", host, port);
  return g_strdup_printf ("tcp:%s:%u", host, port);
}

/* transport_SCHEME serves SCHEME: addresses; loaded once. */
static AlloyTransport *
get_transport (AlloyConnector *self, const char *scheme, GError **error)
{
  AlloyTransport *transport = g_hash_table_lookup (self->transports, scheme);
  g_autofree char *module = NULL;
  g_autofree char *name = NULL;
  const AlloyPlugin *plugin;

  if (transport != NULL)
    return transport;
  module = g_strdup_printf ("transport_%s", scheme);
  plugin = alloy_plugin_registry_load (module, (const char *const *) self->search_path, error);
  if (plugin == NULL)
    return NULL;
  if (plugin->descriptor->kind != ALLOY_PLUGIN_KIND_TRANSPORT)
    {
      g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_WRONG_INTERFACE,
                   "%s is not a transport plugin", module);
      return NULL;
    }
  transport = g_object_new (plugin->type, NULL);
  name = g_strdup_printf ("transport:client-%s", scheme);
  alloy_plugin_instance_set_name (ALLOY_PLUGIN_INSTANCE (transport), name);
  g_hash_table_insert (self->transports, g_strdup (scheme), transport);
  return transport;
}

/* SCHEME:ADDRESS into its parts; FALSE when it is not of that form. */
static gboolean
split_address (const char *text, char **scheme, const char **address)
{
  const char *colon = strchr (text, ':');

  if (colon == NULL || colon == text || colon[1] == '\0')
    return FALSE;
  for (const char *c = text; c < colon; c++)
    if (!g_ascii_isalnum (*c) && *c != '_')
      return FALSE;
  *scheme = g_strndup (text, colon - text);
  *address = colon + 1;
  return TRUE;
}

typedef struct {
  char *address;
  AlloyDeadline *deadline;
} Connect;

static void
connect_free (Connect *connect)
{
  alloy_deadline_free (connect->deadline);
  g_free (connect->address);
  g_free (connect);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Connect *connect = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GIOStream *stream = alloy_transport_connect_finish (ALLOY_TRANSPORT (source), result, &error);

  if (stream != NULL)
    g_task_return_pointer (task, stream, g_object_unref);
  else if (alloy_deadline_expired (connect->deadline))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                             "cannot connect to %s: no connection within %.1f s",
                             connect->address, alloy_deadline_get_seconds (connect->deadline));
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
alloy_connector_connect_async (AlloyConnector *self, const char *address, guint timeout_ms,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *scheme = NULL;
  g_autoptr(GError) error = NULL;
  const char *rest = NULL;
  AlloyTransport *transport;
  Connect *connect;

  g_return_if_fail (ALLOY_IS_CONNECTOR (self) && address != NULL && timeout_ms > 0);

  g_task_set_source_tag (task, alloy_connector_connect_async);
  if (!split_address (address, &scheme, &rest))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "'%s' is no address: write SCHEME:ADDRESS (tcp:HOST:PORT, "
                               "unix:PATH)", address);
      return;
    }
  transport = get_transport (self, scheme, &error);
  if (transport == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  connect = g_new0 (Connect, 1);
  connect->address = g_strdup (address);
  connect->deadline = alloy_deadline_new (timeout_ms, cancellable);
  g_task_set_task_data (task, connect, (GDestroyNotify) connect_free);
  alloy_transport_connect_async (transport, rest, alloy_deadline_get_cancellable (connect->deadline),
                                 on_connected,
                                 g_steal_pointer (&task));
}

GIOStream *
alloy_connector_connect_finish (AlloyConnector *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
