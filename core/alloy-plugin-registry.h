/* alloy-plugin-registry.h: the process-wide table of loaded plugins.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

/**
 * AlloyPlugin:
 * @name: the module name
 * @path: the file it came from, or %NULL for a built-in module
 * @descriptor: the checked descriptor
 * @type: the GType implementing the kind's interface
 *
 * A loaded, checked and initialised plugin. Plugins stay loaded for the
 * life of the process, so these pointers never dangle.
 */
typedef struct {
  char *name;
  char *path;
  const AlloyPluginDescriptor *descriptor;
  GType type;
  /*< private >*/
  gboolean initialised;
} AlloyPlugin;

/* The directories to search, in order: @cli_dirs, @config_dirs,
 * ALLOY_PLUGIN_PATH (ignored in setuid processes), then the compiled-in
 * plugin directory. Either list may be NULL. */
ALLOY_INTERNAL
GStrv alloy_plugin_search_path_build (const char *const *cli_dirs,
                                      const char *const *config_dirs);

/* Loads (once per process) and checks the module @name: a built-in module
 * first, then the first NAME.so in @search_path. */
ALLOY_INTERNAL
const AlloyPlugin *alloy_plugin_registry_load (const char *name, const char *const *search_path,
                                               GError **error);

/* Loads one module file. Fails with DUPLICATE when a module of that name
 * was loaded from elsewhere. */
ALLOY_INTERNAL
const AlloyPlugin *alloy_plugin_registry_load_file (const char *path, GError **error);

/* An already loaded and initialised plugin, or NULL. */
ALLOY_INTERNAL
const AlloyPlugin *alloy_plugin_registry_lookup (const char *name);

typedef struct {
  char *name;
  char *path;              /* NULL for built-in */
  const AlloyPlugin *plugin; /* NULL when it was refused */
  GError *error;           /* why it was refused */
  GStrv shadowed;          /* files of the same name later in the path */
} AlloyPluginCandidate;

ALLOY_INTERNAL
void alloy_plugin_candidate_free (AlloyPluginCandidate *candidate);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyPluginCandidate, alloy_plugin_candidate_free)

/* Every module in @search_path and every built-in one, loaded and checked
 * but not initialised, sorted by name. Loading runs each module's
 * constructors: for listings only. */
ALLOY_INTERNAL
GPtrArray *alloy_plugin_registry_scan (const char *const *search_path);

/* Runs the shutdown hook of every loaded plugin once. */
ALLOY_INTERNAL
void alloy_plugin_registry_shutdown (void);

G_END_DECLS
