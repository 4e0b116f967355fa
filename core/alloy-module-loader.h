/* alloy-module-loader.h: opening plugin modules through libltdl.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

/* One entry of the table of plugins linked into the program (static
 * builds); laid out as libltdl's lt_dlsymlist. */
typedef struct {
  const char *name;
  void *address;
} AlloyPreloadedSymbol;

/* Must run before the first load; the generated table of a static build
 * calls it from a constructor. */
ALLOY_INTERNAL
void alloy_module_loader_set_preloaded (const AlloyPreloadedSymbol *table);

/* Names of the modules linked into the program, sorted. */
ALLOY_INTERNAL
GStrv alloy_module_loader_list_preloaded (void);

/* Opens the built-in module @name. Returns FALSE without an error when no
 * such module is built in. */
ALLOY_INTERNAL
gboolean alloy_module_loader_open_preloaded (const char *name, AlloyPluginQueryFunc *out_query,
                                             GError **error);

/* Opens the module file @path (resident, local symbols) and finds its entry
 * point @module_name_LTX_alloy_plugin_query. */
ALLOY_INTERNAL
gboolean alloy_module_loader_open_file (const char *path, const char *module_name,
                                        AlloyPluginQueryFunc *out_query, GError **error);

G_END_DECLS
