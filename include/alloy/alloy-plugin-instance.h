/* alloy-plugin-instance.h: the life cycle every plugin object shares.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#if !defined(ALLOY_INSIDE) && !defined(ALLOY_COMPILATION)
#error "Only <alloy/alloy.h> can be included directly."
#endif

#include <gio/gio.h>
#include <alloy/alloy-macros.h>

G_BEGIN_DECLS

#define ALLOY_TYPE_PLUGIN_INSTANCE (alloy_plugin_instance_get_type ())
ALLOY_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (AlloyPluginInstance, alloy_plugin_instance, ALLOY, PLUGIN_INSTANCE, GObject)

/**
 * AlloyPluginInstanceInterface:
 * @configure: read the instance's group; the core has rejected unknown keys,
 *   checked every value and filled in defaults, so only checks across keys
 *   remain. No I/O. Runs on the core context.
 * @start_async: acquire resources (bind, open, first lookup). Runs on the
 *   core context. An error names the instance's group
 *   (`transport:nexus: cannot listen on ...`); the core adds no prefix of
 *   its own but "cannot start: ".
 * @start_finish: completes @start_async.
 * @stop: cancel all work; no signal or callback is emitted after it
 *   returns, except that a start still pending completes with
 *   G_IO_ERROR_CANCELLED; every thread the instance started has ended.
 * @describe: one status line for logs.
 *
 * The core creates one object per `[kind:instance]` group, then calls
 * configure, start, and finally stop before the last unref. Every vfunc has
 * a default, so a plugin overrides only what it needs.
 */
struct _AlloyPluginInstanceInterface {
  GTypeInterface g_iface;

  gboolean (*configure) (AlloyPluginInstance *self, GKeyFile *config, const char *group,
                         GError **error);
  void (*start_async) (AlloyPluginInstance *self, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*start_finish) (AlloyPluginInstance *self, GAsyncResult *result, GError **error);
  void (*stop) (AlloyPluginInstance *self);
  char *(*describe) (AlloyPluginInstance *self);
};

ALLOY_AVAILABLE_IN_ALL
gboolean alloy_plugin_instance_configure (AlloyPluginInstance *self, GKeyFile *config,
                                          const char *group, GError **error);
ALLOY_AVAILABLE_IN_ALL
void alloy_plugin_instance_start_async (AlloyPluginInstance *self, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
ALLOY_AVAILABLE_IN_ALL
gboolean alloy_plugin_instance_start_finish (AlloyPluginInstance *self, GAsyncResult *result,
                                             GError **error);
ALLOY_AVAILABLE_IN_ALL
void alloy_plugin_instance_stop (AlloyPluginInstance *self);
ALLOY_AVAILABLE_IN_ALL
char *alloy_plugin_instance_describe (AlloyPluginInstance *self);

/* The configuration group this instance was created for (`transport:nexus`),
 * or the type name for an instance the core made for its own use. */
ALLOY_AVAILABLE_IN_ALL
const char *alloy_plugin_instance_get_name (AlloyPluginInstance *self);
ALLOY_AVAILABLE_IN_ALL
void alloy_plugin_instance_set_name (AlloyPluginInstance *self, const char *name);

G_END_DECLS
