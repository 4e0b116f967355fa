/* alloy-config.c: layering, validation and provenance of the configuration.
 *
 * Layers, strongest first: --set, the environment (only for [alloy]), the
 * file, the defaults of the option schemas. Every value remembers where it
 * came from, so that errors and --check-config can say so.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-config.h"

#include "alloy-core-options.h"

#include <string.h>

typedef struct {
  AlloyConfigSource source;
  char *detail;
} ValueOrigin;

typedef struct {
  char *group;
  char *key;
  char *value;
  char *text;
} Override;

struct _AlloyConfig {
  GObject parent_instance;

  GKeyFile *file_layer;
  char *file_name;
  char *base_dir;
  GHashTable *file_lines;  /* "group\037key" or "group" → line number */
  GPtrArray *overrides;    /* Override */
  GStrv cli_plugin_path;

  GKeyFile *effective;
  GHashTable *origins;     /* "group\037key" → ValueOrigin */
  GHashTable *plugins;     /* group → const AlloyPlugin */
  GStrv search_path;
  gboolean resolved;
};

G_DEFINE_FINAL_TYPE (AlloyConfig, alloy_config, G_TYPE_OBJECT)

static void
value_origin_free (ValueOrigin *origin)
{
  g_free (origin->detail);
  g_free (origin);
}

static void
override_free (Override *override)
{
  g_free (override->group);
  g_free (override->key);
  g_free (override->value);
  g_free (override->text);
  g_free (override);
}

static char *
origin_key (const char *group, const char *key)
{
  return key ? g_strconcat (group, "\037", key, NULL) : g_strdup (group);
}

static void
alloy_config_finalize (GObject *object)
{
  AlloyConfig *self = ALLOY_CONFIG (object);

  g_key_file_unref (self->file_layer);
  g_free (self->file_name);
  g_free (self->base_dir);
  g_hash_table_unref (self->file_lines);
  g_ptr_array_unref (self->overrides);
  g_strfreev (self->cli_plugin_path);
  g_clear_pointer (&self->effective, g_key_file_unref);
  g_hash_table_unref (self->origins);
  g_hash_table_unref (self->plugins);
  g_strfreev (self->search_path);

  G_OBJECT_CLASS (alloy_config_parent_class)->finalize (object);
}

static void
alloy_config_class_init (AlloyConfigClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = alloy_config_finalize;
}

static void
alloy_config_init (AlloyConfig *self)
{
  self->file_layer = g_key_file_new ();
  self->file_lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->overrides = g_ptr_array_new_with_free_func ((GDestroyNotify) override_free);
  self->origins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) value_origin_free);
  self->plugins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

AlloyConfig *
alloy_config_new (void)
{
  return g_object_new (ALLOY_TYPE_CONFIG, NULL);
}

/* GKeyFile keeps no line numbers, so find them with a plain scan. */
static gboolean
index_lines (AlloyConfig *self, const char *data, GError **error)
{
  g_auto(GStrv) lines = g_strsplit (data, "\n", -1);
  g_autofree char *group = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *equals;

      if (line[0] == '[')
        {
          char *close = strchr (line, ']');
          if (close == NULL)
            continue;
          g_free (group);
          group = g_strndup (line + 1, close - line - 1);
          g_hash_table_replace (self->file_lines, g_strdup (group), GUINT_TO_POINTER (i + 1));
        }
      else if (group != NULL && line[0] != '#' && (equals = strchr (line, '=')) != NULL)
        {
          g_autofree char *lookup = NULL;
          gpointer earlier;

          *equals = '\0';
          lookup = origin_key (group, g_strstrip (line));
          /* GKeyFile would keep both and let the last win, silently. */
          if (g_hash_table_lookup_extended (self->file_lines, lookup, NULL, &earlier))
            {
              g_set_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_PARSE,
                           "%s:%u: [%s] %s: set twice (first on line %u)", self->file_name, i + 1,
                           group, line, GPOINTER_TO_UINT (earlier));
              return FALSE;
            }
          g_hash_table_replace (self->file_lines, g_steal_pointer (&lookup),
                                GUINT_TO_POINTER (i + 1));
        }
    }
  return TRUE;
}

gboolean
alloy_config_load_data (AlloyConfig *self, const char *data, const char *display_name,
                        const char *base_dir, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (ALLOY_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (!self->resolved, FALSE);

  g_free (self->file_name);
  self->file_name = g_strdup (display_name);
  g_free (self->base_dir);
  self->base_dir = g_strdup (base_dir);
  if (!g_key_file_load_from_data (self->file_layer, data, -1, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_PARSE, "%s: %s", display_name,
                   local_error->message);
      return FALSE;
    }
  return index_lines (self, data, error);
}

gboolean
alloy_config_load_file (AlloyConfig *self, const char *path, GError **error)
{
  g_autofree char *data = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_get_contents (path, &data, NULL, &local_error))
    {
      g_set_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_PARSE, "%s",
                   local_error->message);
      return FALSE;
    }
  /* Absolute, so that relative paths in the file never depend on the
   * working directory. */
  dir = g_path_get_dirname (path);
  base = g_canonicalize_filename (dir, NULL);
  return alloy_config_load_data (self, data, path, base, error);
}

gboolean
alloy_config_add_override (AlloyConfig *self, const char *assignment, GError **error)
{
  const char *equals = strchr (assignment, '=');
  g_autofree char *left = NULL;
  Override *override;
  char *colon;

  g_return_val_if_fail (!self->resolved, FALSE);

  if (equals == NULL || equals == assignment)
    {
      g_set_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_PARSE,
                   "--set %s: expected KEY=VALUE or GROUP:KEY=VALUE", assignment);
      return FALSE;
    }
  left = g_strndup (assignment, equals - assignment);
  override = g_new0 (Override, 1);
  /* Keys hold dots but never colons, and group names are kind:instance, so
   * the last colon ends the group. */
  colon = strrchr (left, ':');
  override->group = colon ? g_strndup (left, colon - left) : g_strdup (ALLOY_CORE_GROUP);
  override->key = g_strdup (colon ? colon + 1 : left);
  override->value = g_strdup (equals + 1);
  override->text = g_strdup (assignment);
  if (*override->key == '\0' || *override->group == '\0')
    {
      g_set_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_PARSE,
                   "--set %s: expected KEY=VALUE or GROUP:KEY=VALUE", assignment);
      override_free (override);
      return FALSE;
    }
  g_ptr_array_add (self->overrides, override);
  return TRUE;
}

void
alloy_config_set_cli_plugin_path (AlloyConfig *self, const char *const *dirs)
{
  g_strfreev (self->cli_plugin_path);
  self->cli_plugin_path = g_strdupv ((char **) dirs);
}

static void
set_origin (AlloyConfig *self, const char *group, const char *key, AlloyConfigSource source,
            char *detail)
{
  ValueOrigin *origin = g_new0 (ValueOrigin, 1);

  origin->source = source;
  origin->detail = detail;
  g_hash_table_replace (self->origins, origin_key (group, key), origin);
}

/* "alloy.conf:12: [group] key" and its kin: where a value came from. */
char *
alloy_config_describe_place (AlloyConfig *self, const char *group, const char *key)
{
  g_autofree char *lookup = origin_key (group, key);
  ValueOrigin *origin = g_hash_table_lookup (self->origins, lookup);
  g_autofree char *where = NULL;
  gpointer line;

  if (origin != NULL && origin->source != ALLOY_CONFIG_SOURCE_FILE)
    where = g_strdup (origin->detail);
  else if (g_hash_table_lookup_extended (self->file_lines, lookup, NULL, &line) ||
           g_hash_table_lookup_extended (self->file_lines, group, NULL, &line))
    where = g_strdup_printf ("%s:%u", self->file_name, GPOINTER_TO_UINT (line));
  else
    where = g_strdup (self->file_name ? self->file_name : "configuration");
  if (key != NULL)
    return g_strdup_printf ("%s: [%s] %s", where, group, key);
  return g_strdup_printf ("%s: [%s]", where, group);
}

static gboolean G_GNUC_PRINTF (6, 7)
fail (AlloyConfig *self, GError **error, AlloyConfigError code, const char *group,
      const char *key, const char *format, ...)
{
  g_autofree char *place = alloy_config_describe_place (self, group, key);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, ALLOY_CONFIG_ERROR, code, "%s: %s", place, message);
  return FALSE;
}

static char *
list_keys (const AlloyOptionSpec *const *schemas)
{
  g_autoptr(GString) keys = g_string_new (NULL);

  for (guint s = 0; schemas[s] != NULL; s++)
    for (const AlloyOptionSpec *spec = schemas[s]; spec->key; spec++)
      if (!(spec->flags & ALLOY_OPTION_FLAG_FORBIDDEN))
        g_string_append_printf (keys, "%s%s", keys->len ? ", " : "", spec->key);
  return g_string_free (g_steal_pointer (&keys), FALSE);
}

static const AlloyOptionSpec *
find_spec (const AlloyOptionSpec *const *schemas, const char *key)
{
  for (guint s = 0; schemas[s] != NULL; s++)
    for (const AlloyOptionSpec *spec = schemas[s]; spec->key; spec++)
      if (strcmp (spec->key, key) == 0)
        return spec;
  return NULL;
}

static gboolean
validate_group (AlloyConfig *self, const char *group, const AlloyOptionSpec *const *schemas,
                GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys (self->effective, group, NULL, NULL);

  for (char **key = keys; key && *key; key++)
    {
      const AlloyOptionSpec *spec = find_spec (schemas, *key);
      g_autofree char *value = NULL;
      g_autoptr(GError) value_error = NULL;

      if (spec == NULL)
        {
          g_autofree char *allowed = list_keys (schemas);
          return fail (self, error, ALLOY_CONFIG_ERROR_UNKNOWN_KEY, group, *key,
                       "unknown key; the keys of this group are: %s", allowed);
        }
      if (spec->flags & ALLOY_OPTION_FLAG_FORBIDDEN)
        return fail (self, error, ALLOY_CONFIG_ERROR_INVALID_VALUE, group, *key,
                     "cannot be set here: %s", spec->description);
      value = g_key_file_get_value (self->effective, group, *key, NULL);
      if (spec->type == ALLOY_OPTION_STRING || spec->type == ALLOY_OPTION_ENUM ||
          spec->type == ALLOY_OPTION_ADDRESS)
        {
          /* Read through GKeyFile's unescaping, as the plugin will. */
          g_free (value);
          value = g_key_file_get_string (self->effective, group, *key, &value_error);
          if (value == NULL)
            return fail (self, error, ALLOY_CONFIG_ERROR_INVALID_VALUE, group, *key, "%s",
                         value_error->message);
        }
      if (spec->flags & ALLOY_OPTION_FLAG_REQUIRED)
        {
          g_autofree char *stripped = g_strstrip (g_strdup (value));
          if (stripped[0] == '\0')
            return fail (self, error, ALLOY_CONFIG_ERROR_MISSING_KEY, group, *key,
                         "a value is required");
        }
      if (!alloy_option_check_value (spec, value, &value_error))
        return fail (self, error, ALLOY_CONFIG_ERROR_INVALID_VALUE, group, *key, "%s",
                     value_error->message);
    }

  for (guint s = 0; schemas[s] != NULL; s++)
    for (const AlloyOptionSpec *spec = schemas[s]; spec->key; spec++)
      {
        if (g_key_file_has_key (self->effective, group, spec->key, NULL))
          continue;
        if (spec->flags & ALLOY_OPTION_FLAG_REQUIRED)
          return fail (self, error, ALLOY_CONFIG_ERROR_MISSING_KEY, group, spec->key,
                       "required key is missing (%s)", spec->description);
        if (spec->default_value != NULL)
          {
            g_key_file_set_value (self->effective, group, spec->key, spec->default_value);
            set_origin (self, group, spec->key, ALLOY_CONFIG_SOURCE_DEFAULT, g_strdup ("default"));
          }
      }
  return TRUE;
}

/* Relative paths in the file are relative to the file's directory; from
 * the environment or --set, to the working directory. */
static char *
absolute_path (AlloyConfig *self, const char *group, const char *key, const char *path)
{
  const char *detail = NULL;
  AlloyConfigSource source = alloy_config_get_source (self, group, key, &detail);
  g_autofree char *cwd = NULL;

  if (g_path_is_absolute (path))
    return g_strdup (path);
  if (source == ALLOY_CONFIG_SOURCE_FILE && self->base_dir != NULL)
    return g_canonicalize_filename (path, self->base_dir);
  cwd = g_get_current_dir ();
  return g_canonicalize_filename (path, cwd);
}

/* Rewrites the [alloy] list @key with absolute paths; returns the list. */
static GStrv
absolute_path_list (AlloyConfig *self, const char *key)
{
  gsize n = 0;
  GStrv paths = g_key_file_get_string_list (self->effective, ALLOY_CORE_GROUP, key, &n, NULL);

  for (gsize i = 0; i < n; i++)
    {
      char *absolute = absolute_path (self, ALLOY_CORE_GROUP, key, paths[i]);
      g_free (paths[i]);
      paths[i] = absolute;
    }
  if (n > 0)
    g_key_file_set_string_list (self->effective, ALLOY_CORE_GROUP, key,
                                (const char *const *) paths, n);
  return paths;
}

static gboolean
resolve_core (AlloyConfig *self, GError **error)
{
  const AlloyOptionSpec *schemas[] = { alloy_core_options_main (), NULL };
  g_autofree char *location = NULL;
  g_auto(GStrv) plugin_dirs = NULL;
  g_auto(GStrv) schema_dirs = NULL;

  if (!validate_group (self, ALLOY_CORE_GROUP, schemas, error))
    return FALSE;

  location = g_key_file_get_string (self->effective, ALLOY_CORE_GROUP, ALLOY_KEY_LOCATION, NULL);
  if (location != NULL)
    {
      g_autofree char *absolute = absolute_path (self, ALLOY_CORE_GROUP, ALLOY_KEY_LOCATION,
                                                 location);
      if (!g_file_test (absolute, G_FILE_TEST_IS_DIR))
        return fail (self, error, ALLOY_CONFIG_ERROR_INVALID_VALUE, ALLOY_CORE_GROUP,
                     ALLOY_KEY_LOCATION, "'%s' is not a directory", absolute);
      g_key_file_set_string (self->effective, ALLOY_CORE_GROUP, ALLOY_KEY_LOCATION, absolute);
    }

  schema_dirs = absolute_path_list (self, ALLOY_KEY_SCHEMA_PATH);
  plugin_dirs = absolute_path_list (self, ALLOY_KEY_PLUGIN_PATH);
  self->search_path = alloy_plugin_search_path_build ((const char *const *) self->cli_plugin_path,
                                                      (const char *const *) plugin_dirs);
  return TRUE;
}

static gboolean
instance_name_is_valid (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

static gboolean
resolve_plugin_group (AlloyConfig *self, const char *group, GError **error)
{
  const char *colon = strchr (group, ':');
  g_autofree char *kind_name = colon ? g_strndup (group, colon - group) : NULL;
  g_autofree char *module = NULL;
  g_autoptr(GError) load_error = NULL;
  const AlloyPluginDescriptor *desc;
  const AlloyOptionSpec *schemas[3] = { NULL };
  const AlloyPlugin *plugin;
  AlloyPluginKind kind;

  if (colon == NULL || !alloy_plugin_kind_from_string (kind_name, &kind) ||
      !instance_name_is_valid (colon + 1))
    return fail (self, error, ALLOY_CONFIG_ERROR_UNKNOWN_GROUP, group, NULL,
                 "unknown group; groups are [alloy] and [KIND:INSTANCE] with KIND one of "
                 "transport, discovery, reader and INSTANCE made of letters, digits, '_', '-', '.'");

  module = g_key_file_get_string (self->effective, group, ALLOY_KEY_PLUGIN, NULL);
  if (module == NULL)
    return fail (self, error, ALLOY_CONFIG_ERROR_MISSING_KEY, group, ALLOY_KEY_PLUGIN,
                 "required key is missing (the module that implements this instance)");
  plugin = alloy_plugin_registry_load (module, (const char *const *) self->search_path,
                                       &load_error);
  if (plugin == NULL)
    {
      g_autofree char *place = alloy_config_describe_place (self, group, ALLOY_KEY_PLUGIN);
      g_propagate_prefixed_error (error, g_steal_pointer (&load_error), "%s: ", place);
      return FALSE;
    }
  desc = plugin->descriptor;
  if (desc->kind != kind)
    return fail (self, error, ALLOY_CONFIG_ERROR_KIND_MISMATCH, group, ALLOY_KEY_PLUGIN,
                 "%s is a %s plugin, but this is a %s group", module,
                 alloy_plugin_kind_to_string (desc->kind), kind_name);
  g_hash_table_replace (self->plugins, g_strdup (group), (gpointer) plugin);

  schemas[0] = alloy_core_options_for_kind (kind);
  schemas[1] = desc->options;
  return validate_group (self, group, schemas, error);
}

/* Values marked UNIQUE (listen addresses, socket paths) may appear in only
 * one group per plugin. */
static gboolean
check_conflicts (AlloyConfig *self, GError **error)
{
  g_autoptr(GHashTable) claimed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *first_discovery = NULL;
  g_auto(GStrv) groups = g_key_file_get_groups (self->effective, NULL);

  for (char **group = groups; *group; group++)
    {
      const AlloyPlugin *plugin = g_hash_table_lookup (self->plugins, *group);

      if (plugin == NULL)
        continue;
      if (plugin->descriptor->kind == ALLOY_PLUGIN_KIND_DISCOVERY)
        {
          if (first_discovery != NULL)
            return fail (self, error, ALLOY_CONFIG_ERROR_CONFLICT, *group, NULL,
                         "a second discovery instance; [%s] is already configured and a peer "
                         "has exactly one",
                         first_discovery);
          first_discovery = g_strdup (*group);
        }
      for (const AlloyOptionSpec *spec = plugin->descriptor->options; spec && spec->key; spec++)
        {
          g_auto(GStrv) values = NULL;

          if (!(spec->flags & ALLOY_OPTION_FLAG_UNIQUE))
            continue;
          values = g_key_file_get_string_list (self->effective, *group, spec->key, NULL, NULL);
          for (char **value = values; value && *value; value++)
            {
              g_autofree char *claim = g_strdup_printf ("%s\037%s", plugin->name, *value);
              guint16 port = 1;

              /* Port 0 asks for any free port, which never conflicts. */
              if ((spec->type == ALLOY_OPTION_ADDRESS || spec->type == ALLOY_OPTION_ADDRESS_LIST) &&
                  alloy_option_parse_address (*value, NULL, &port, NULL) && port == 0)
                continue;
              const char *owner = g_hash_table_lookup (claimed, claim);

              if (owner != NULL && strcmp (owner, *group) != 0)
                return fail (self, error, ALLOY_CONFIG_ERROR_CONFLICT, *group, spec->key,
                             "'%s' is already used by [%s]", *value, owner);
              g_hash_table_replace (claimed, g_steal_pointer (&claim), g_strdup (*group));
            }
        }
    }
  return TRUE;
}

static gboolean
has_group_of_kind (GKeyFile *key_file, const char *kind)
{
  g_auto(GStrv) groups = g_key_file_get_groups (key_file, NULL);
  g_autofree char *prefix = g_strconcat (kind, ":", NULL);

  for (char **group = groups; *group; group++)
    if (g_str_has_prefix (*group, prefix))
      return TRUE;
  return FALSE;
}

static void
add_default_group (AlloyConfig *self, const char *group, const char *const *assignments)
{
  for (guint i = 0; assignments[i] != NULL; i += 2)
    {
      g_key_file_set_value (self->effective, group, assignments[i], assignments[i + 1]);
      set_origin (self, group, assignments[i], ALLOY_CONFIG_SOURCE_DEFAULT,
                  g_strdup ("default"));
    }
}

static void
layer_sources (AlloyConfig *self)
{
  g_autofree char *data = g_key_file_to_data (self->file_layer, NULL, NULL);
  g_auto(GStrv) groups = NULL;

  self->effective = g_key_file_new ();
  g_key_file_load_from_data (self->effective, data, -1, G_KEY_FILE_NONE, NULL);
  groups = g_key_file_get_groups (self->effective, NULL);
  for (char **group = groups; *group; group++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (self->effective, *group, NULL, NULL);
      for (char **key = keys; key && *key; key++)
        {
          g_autofree char *lookup = origin_key (*group, *key);
          gpointer line = g_hash_table_lookup (self->file_lines, lookup);
          set_origin (self, *group, *key, ALLOY_CONFIG_SOURCE_FILE,
                      g_strdup_printf ("%s:%u", self->file_name, GPOINTER_TO_UINT (line)));
        }
    }

  /* Burst's defaults: Thrift on 37020 and Nexus on 1270, all interfaces.
   * Decided by the file alone, so that --set can change a default group. */
  if (!has_group_of_kind (self->file_layer, "transport"))
    {
      static const char *const thrift[] = { ALLOY_KEY_PLUGIN, "transport_tcp", ALLOY_KEY_PROTOCOL,
                                            "thrift", "listen", "0.0.0.0:37020", NULL };
      static const char *const nexus[] = { ALLOY_KEY_PLUGIN, "transport_tcp", ALLOY_KEY_PROTOCOL,
                                           "nexus", "listen", "0.0.0.0:1270", NULL };
      add_default_group (self, "transport:thrift", thrift);
      add_default_group (self, "transport:nexus", nexus);
    }
  if (!has_group_of_kind (self->file_layer, "discovery"))
    {
      static const char *const self_only[] = { ALLOY_KEY_PLUGIN, "discovery_static", NULL };
      add_default_group (self, "discovery:default", self_only);
    }
  /* Every dataset format needs its reader. */
  if (!has_group_of_kind (self->file_layer, "reader"))
    {
      static const char *const json[] = { ALLOY_KEY_PLUGIN, "reader_json", NULL };
      static const char *const ndjson[] = { ALLOY_KEY_PLUGIN, "reader_ndjson", NULL };
      add_default_group (self, "reader:json", json);
      add_default_group (self, "reader:ndjson", ndjson);
    }

  for (const AlloyOptionSpec *spec = alloy_core_options_main (); spec->key; spec++)
    {
      g_autofree char *env_name = alloy_core_option_env_name (spec->key);
      const char *value = env_name ? g_getenv (env_name) : NULL;

      if (value == NULL)
        continue;
      g_key_file_set_value (self->effective, ALLOY_CORE_GROUP, spec->key, value);
      set_origin (self, ALLOY_CORE_GROUP, spec->key, ALLOY_CONFIG_SOURCE_ENVIRONMENT,
                  g_strdup_printf ("environment %s", env_name));
    }

  for (guint i = 0; i < self->overrides->len; i++)
    {
      Override *override = g_ptr_array_index (self->overrides, i);
      g_key_file_set_value (self->effective, override->group, override->key, override->value);
      set_origin (self, override->group, override->key, ALLOY_CONFIG_SOURCE_COMMAND_LINE,
                  g_strdup_printf ("--set %s", override->text));
    }
}

gboolean
alloy_config_resolve (AlloyConfig *self, GError **error)
{
  g_auto(GStrv) groups = NULL;

  g_return_val_if_fail (ALLOY_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (!self->resolved, FALSE);

  layer_sources (self);
  if (!resolve_core (self, error))
    return FALSE;
  groups = g_key_file_get_groups (self->effective, NULL);
  for (char **group = groups; *group; group++)
    if (strcmp (*group, ALLOY_CORE_GROUP) != 0 && !resolve_plugin_group (self, *group, error))
      return FALSE;
  if (!check_conflicts (self, error))
    return FALSE;
  self->resolved = TRUE;
  return TRUE;
}

GKeyFile *
alloy_config_get_key_file (AlloyConfig *self)
{
  g_return_val_if_fail (self->resolved, NULL);
  return self->effective;
}

GStrv
alloy_config_get_plugin_search_path (AlloyConfig *self)
{
  g_return_val_if_fail (self->resolved, NULL);
  return self->search_path;
}

GStrv
alloy_config_get_groups (AlloyConfig *self, AlloyPluginKind kind)
{
  g_autoptr(GStrvBuilder) result = g_strv_builder_new ();
  g_auto(GStrv) groups = NULL;

  g_return_val_if_fail (self->resolved, NULL);

  groups = g_key_file_get_groups (self->effective, NULL);
  for (char **group = groups; *group; group++)
    {
      const AlloyPlugin *plugin = g_hash_table_lookup (self->plugins, *group);
      if (plugin != NULL && plugin->descriptor->kind == kind)
        g_strv_builder_add (result, *group);
    }
  return g_strv_builder_end (result);
}

const AlloyPlugin *
alloy_config_get_plugin (AlloyConfig *self, const char *group)
{
  return g_hash_table_lookup (self->plugins, group);
}

char *
alloy_config_get_string (AlloyConfig *self, const char *group, const char *key)
{
  g_return_val_if_fail (self->resolved, NULL);
  return g_key_file_get_string (self->effective, group, key, NULL);
}

gint64
alloy_config_get_int (AlloyConfig *self, const char *group, const char *key)
{
  g_autofree char *value = alloy_config_get_string (self, group, key);
  gint64 number = 0;

  if (value != NULL)
    g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &number, NULL);
  return number;
}

gint64
alloy_config_get_duration_ms (AlloyConfig *self, const char *group, const char *key)
{
  g_autofree char *value = alloy_config_get_string (self, group, key);
  gint64 ms = 0;

  if (value != NULL)
    alloy_option_parse_duration (value, &ms, NULL);
  return ms;
}

guint64
alloy_config_get_size (AlloyConfig *self, const char *group, const char *key)
{
  g_autofree char *value = alloy_config_get_string (self, group, key);
  guint64 bytes = 0;

  if (value != NULL)
    alloy_option_parse_size (value, &bytes, NULL);
  return bytes;
}

AlloyConfigSource
alloy_config_get_source (AlloyConfig *self, const char *group, const char *key,
                         const char **detail)
{
  g_autofree char *lookup = origin_key (group, key);
  ValueOrigin *origin = g_hash_table_lookup (self->origins, lookup);

  if (detail != NULL)
    *detail = origin ? origin->detail : "default";
  return origin ? origin->source : ALLOY_CONFIG_SOURCE_DEFAULT;
}

void
alloy_config_locate_error (AlloyConfig *self, const char *group, GError **error)
{
  g_autofree char *prefix = NULL;
  g_autofree char *key = NULL;
  g_autofree char *place = NULL;
  g_autofree char *message = NULL;
  const char *rest;
  const char *colon;

  if (error == NULL || *error == NULL)
    return;
  prefix = g_strconcat (group, ":", NULL);
  /* alloy_set_invalid_value writes "GROUP:KEY: message". */
  if ((*error)->domain == ALLOY_CONFIG_ERROR && g_str_has_prefix ((*error)->message, prefix) &&
      (colon = strstr ((*error)->message + strlen (prefix), ": ")) != NULL)
    {
      key = g_strndup ((*error)->message + strlen (prefix),
                       colon - (*error)->message - strlen (prefix));
      if (g_key_file_has_key (self->effective, group, key, NULL))
        {
          rest = colon + 2;
          place = alloy_config_describe_place (self, group, key);
          message = g_strdup_printf ("%s: %s", place, rest);
          g_free ((*error)->message);
          (*error)->message = g_steal_pointer (&message);
          return;
        }
    }
  place = alloy_config_describe_place (self, group, NULL);
  g_prefix_error (error, "%s: ", place);
}

char *
alloy_config_dump (AlloyConfig *self)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) groups = NULL;

  g_return_val_if_fail (self->resolved, NULL);

  /* Stays a valid key file: each value's source is a comment above it. */
  groups = g_key_file_get_groups (self->effective, NULL);
  for (char **group = groups; *group; group++)
    {
      g_auto(GStrv) keys = g_key_file_get_keys (self->effective, *group, NULL, NULL);

      g_string_append_printf (out, "%s[%s]\n", out->len ? "\n" : "", *group);
      for (char **key = keys; key && *key; key++)
        {
          g_autofree char *value = g_key_file_get_value (self->effective, *group, *key, NULL);
          const char *detail = NULL;

          alloy_config_get_source (self, *group, *key, &detail);
          g_string_append_printf (out, "# %s\n%s=%s\n", detail, *key, value);
        }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
