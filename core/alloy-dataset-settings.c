/* alloy-dataset-settings.c: dataset.conf, a dataset's settings: the
 * parsing of its text and the checks of its group, keys and values, each
 * problem reported with its line.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-dataset-private.h"
#include "alloy-catalog.h"

#include <string.h>

static const char *const settings_keys[] = { "schema", "root-version", "description", NULL };

static gboolean settings_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
settings_error (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (ALLOY_CATALOG_ERROR,
                                                ALLOY_CATALOG_ERROR_SETTINGS, format, args));
  va_end (args);
  return FALSE;
}

static gboolean
is_schema_name (const char *name)
{
  return *name != '\0' &&
         strspn (name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.") ==
           strlen (name);
}

/* The group and keys, with the line of each key for the value checks:
 * GKeyFile itself keeps the last of duplicate keys and knows no lines. */
static gboolean
check_settings_lines (const char *display, const char *text, GHashTable *lines, GError **error)
{
  g_auto(GStrv) split = g_strsplit (text, "\n", -1);

  for (guint i = 0; split[i] != NULL; i++)
    {
      char *line = g_strstrip (split[i]);
      guint number = i + 1;
      g_autofree char *key = NULL;
      char *equals;

      if (*line == '\0' || *line == '#')
        continue;
      if (*line == '[')
        {
          g_autofree char *group = g_strndup (line + 1, strcspn (line + 1, "]"));
          if (strcmp (group, ALLOY_DATASET_SETTINGS_GROUP) != 0)
            return settings_error (error, "%s:%u: unknown group [%s]; the settings are in [%s]",
                                   display, number, group, ALLOY_DATASET_SETTINGS_GROUP);
          continue;
        }
      equals = strchr (line, '=');
      if (equals == NULL)
        continue;
      key = g_strstrip (g_strndup (line, equals - line));
      if (!g_strv_contains (settings_keys, key))
        return settings_error (error, "%s:%u: [%s] %s: unknown key (known keys: schema, "
                               "root-version, description)", display, number,
                               ALLOY_DATASET_SETTINGS_GROUP, key);
      if (g_hash_table_contains (lines, key))
        return settings_error (error, "%s:%u: [%s] %s: set twice (first on line %u)", display,
                               number, ALLOY_DATASET_SETTINGS_GROUP, key,
                               GPOINTER_TO_UINT (g_hash_table_lookup (lines, key)));
      g_hash_table_insert (lines, g_steal_pointer (&key), GUINT_TO_POINTER (number));
    }
  return TRUE;
}

gboolean
alloy_dataset_settings_parse (const char *display, GByteArray *contents, char **schema,
                              gint *root_version, char **description, GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GHashTable) lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = g_strndup ((const char *) contents->data, contents->len);
  const char *group = ALLOY_DATASET_SETTINGS_GROUP;

  if (strlen (text) != contents->len || !g_utf8_validate (text, -1, NULL))
    return settings_error (error, "%s: not UTF-8 text", display);
  if (!g_key_file_load_from_data (key_file, text, -1, G_KEY_FILE_NONE, &local_error))
    return settings_error (error, "%s: %s", display, local_error->message);
  if (!check_settings_lines (display, text, lines, error))
    return FALSE;

  if (g_key_file_has_key (key_file, group, "schema", NULL))
    {
      g_autofree char *value = g_key_file_get_string (key_file, group, "schema", NULL);
      if (value == NULL || !is_schema_name (g_strstrip (value)))
        return settings_error (error, "%s:%u: [%s] schema: '%s' is not a schema name (letters, "
                               "digits, '_', '-' and '.')", display,
                               GPOINTER_TO_UINT (g_hash_table_lookup (lines, "schema")), group,
                               value ? value : "");
      *schema = g_steal_pointer (&value);
    }
  if (g_key_file_has_key (key_file, group, "root-version", NULL))
    {
      g_autofree char *value = g_key_file_get_value (key_file, group, "root-version", NULL);
      g_autoptr(GError) number_error = NULL;
      gint64 version = 0;
      guint line = GPOINTER_TO_UINT (g_hash_table_lookup (lines, "root-version"));

      if (!g_ascii_string_to_signed (g_strstrip (value), 10, 1, G_MAXINT32, &version,
                                     &number_error))
        {
          if (g_error_matches (number_error, G_NUMBER_PARSER_ERROR,
                               G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
            return settings_error (error, "%s:%u: [%s] root-version: '%s' is out of range (1 to "
                                   "%d)", display, line, group, value, G_MAXINT32);
          return settings_error (error, "%s:%u: [%s] root-version: '%s' is not an integer",
                                 display, line, group, value);
        }
      *root_version = (gint) version;
    }
  if (g_key_file_has_key (key_file, group, "description", NULL))
    *description = g_key_file_get_string (key_file, group, "description", NULL);
  return TRUE;
}
