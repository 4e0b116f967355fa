/* alloy-config.h: the effective configuration of one process.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"
#include "alloy-plugin-registry.h"

G_BEGIN_DECLS

typedef enum {
  ALLOY_CONFIG_SOURCE_DEFAULT,
  ALLOY_CONFIG_SOURCE_FILE,
  ALLOY_CONFIG_SOURCE_ENVIRONMENT,
  ALLOY_CONFIG_SOURCE_COMMAND_LINE,
} AlloyConfigSource;

#define ALLOY_TYPE_CONFIG (alloy_config_get_type ())
ALLOY_INTERNAL
G_DECLARE_FINAL_TYPE (AlloyConfig, alloy_config, ALLOY, CONFIG, GObject)

ALLOY_INTERNAL
AlloyConfig *alloy_config_new (void);

/* The file layer; @display_name names it in errors (the path by default). */
ALLOY_INTERNAL
gboolean alloy_config_load_file (AlloyConfig *self, const char *path, GError **error);
ALLOY_INTERNAL
gboolean alloy_config_load_data (AlloyConfig *self, const char *data, const char *display_name,
                                 const char *base_dir, GError **error);

/* A `--set` assignment: KEY=VALUE for [alloy], GROUP:KEY=VALUE otherwise. */
ALLOY_INTERNAL
gboolean alloy_config_add_override (AlloyConfig *self, const char *assignment, GError **error);

/* Directories given with --plugin-path; searched before the file's. */
ALLOY_INTERNAL
void alloy_config_set_cli_plugin_path (AlloyConfig *self, const char *const *dirs);

/* Layers the environment and the overrides over the file, adds the default
 * groups, loads the plugins the groups name and validates every group and
 * key. Nothing may be read before this succeeded. */
ALLOY_INTERNAL
gboolean alloy_config_resolve (AlloyConfig *self, GError **error);

/* The effective key file: every known key with its value or default. */
ALLOY_INTERNAL
GKeyFile *alloy_config_get_key_file (AlloyConfig *self);
ALLOY_INTERNAL
GStrv alloy_config_get_plugin_search_path (AlloyConfig *self);

/* The plugin groups of @kind, in file order. */
ALLOY_INTERNAL
GStrv alloy_config_get_groups (AlloyConfig *self, AlloyPluginKind kind);
ALLOY_INTERNAL
const AlloyPlugin *alloy_config_get_plugin (AlloyConfig *self, const char *group);

/* Typed reads of validated values. */
ALLOY_INTERNAL
char *alloy_config_get_string (AlloyConfig *self, const char *group, const char *key);
ALLOY_INTERNAL
gint64 alloy_config_get_int (AlloyConfig *self, const char *group, const char *key);
ALLOY_INTERNAL
gint64 alloy_config_get_duration_ms (AlloyConfig *self, const char *group, const char *key);
ALLOY_INTERNAL
guint64 alloy_config_get_size (AlloyConfig *self, const char *group, const char *key);

/* Where a value came from, e.g. "alloy.conf:12", "ALLOY_NODE_ID", "--set". */
ALLOY_INTERNAL
AlloyConfigSource alloy_config_get_source (AlloyConfig *self, const char *group, const char *key,
                                           const char **detail);

/* "alloy.conf:12: [group] key", "--set ...: [group] key",
 * "environment NAME: [alloy] key": where a value (or, with @key NULL, a
 * group) came from. */
ALLOY_INTERNAL
char *alloy_config_describe_place (AlloyConfig *self, const char *group, const char *key);

/* Rewrites an error from @group's plugin (configure) so that it starts with
 * the place of the key it names, as the core's own errors do. */
ALLOY_INTERNAL
void alloy_config_locate_error (AlloyConfig *self, const char *group, GError **error);

/* The effective configuration as a key file, each value annotated with its
 * source: the output of `alloyd --check-config`. */
ALLOY_INTERNAL
char *alloy_config_dump (AlloyConfig *self);

G_END_DECLS
