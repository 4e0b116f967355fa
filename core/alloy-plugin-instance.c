/* alloy-plugin-instance.c: the life cycle every plugin object shares.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-private.h"

G_DEFINE_INTERFACE (AlloyPluginInstance, alloy_plugin_instance, G_TYPE_OBJECT)

static GQuark name_quark;

static gboolean
default_configure (AlloyPluginInstance *self, GKeyFile *config, const char *group, GError **error)
{
  return TRUE;
}

static void
default_start_async (AlloyPluginInstance *self, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, default_start_async);
  g_task_return_boolean (task, TRUE);
}

static gboolean
default_start_finish (AlloyPluginInstance *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
default_stop (AlloyPluginInstance *self)
{
}

static char *
default_describe (AlloyPluginInstance *self)
{
  return g_strdup_printf ("%s (%s)", alloy_plugin_instance_get_name (self),
                          G_OBJECT_TYPE_NAME (self));
}

static void
alloy_plugin_instance_default_init (AlloyPluginInstanceInterface *iface)
{
  name_quark = g_quark_from_static_string ("alloy-plugin-instance-name");
  iface->configure = default_configure;
  iface->start_async = default_start_async;
  iface->start_finish = default_start_finish;
  iface->stop = default_stop;
  iface->describe = default_describe;
}

gboolean
alloy_plugin_instance_configure (AlloyPluginInstance *self, GKeyFile *config, const char *group,
                                 GError **error)
{
  g_return_val_if_fail (ALLOY_IS_PLUGIN_INSTANCE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return ALLOY_PLUGIN_INSTANCE_GET_IFACE (self)->configure (self, config, group, error);
}

void
alloy_plugin_instance_start_async (AlloyPluginInstance *self, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (ALLOY_IS_PLUGIN_INSTANCE (self));

  ALLOY_PLUGIN_INSTANCE_GET_IFACE (self)->start_async (self, cancellable, callback, user_data);
}

gboolean
alloy_plugin_instance_start_finish (AlloyPluginInstance *self, GAsyncResult *result,
                                    GError **error)
{
  g_return_val_if_fail (ALLOY_IS_PLUGIN_INSTANCE (self), FALSE);

  return ALLOY_PLUGIN_INSTANCE_GET_IFACE (self)->start_finish (self, result, error);
}

void
alloy_plugin_instance_stop (AlloyPluginInstance *self)
{
  g_return_if_fail (ALLOY_IS_PLUGIN_INSTANCE (self));

  ALLOY_PLUGIN_INSTANCE_GET_IFACE (self)->stop (self);
}

char *
alloy_plugin_instance_describe (AlloyPluginInstance *self)
{
  g_return_val_if_fail (ALLOY_IS_PLUGIN_INSTANCE (self), NULL);

  return ALLOY_PLUGIN_INSTANCE_GET_IFACE (self)->describe (self);
}

const char *
alloy_plugin_instance_get_name (AlloyPluginInstance *self)
{
  const char *name;

  g_return_val_if_fail (ALLOY_IS_PLUGIN_INSTANCE (self), NULL);

  name = g_object_get_qdata (G_OBJECT (self), name_quark);
  return name != NULL ? name : G_OBJECT_TYPE_NAME (self);
}

void
alloy_plugin_instance_set_name (AlloyPluginInstance *self, const char *name)
{
  g_return_if_fail (ALLOY_IS_PLUGIN_INSTANCE (self));

  g_object_set_qdata_full (G_OBJECT (self), name_quark, g_strdup (name), g_free);
}
