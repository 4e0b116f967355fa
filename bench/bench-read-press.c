/* bench-read-press.c: reader plugins plus the presser on large files.
 *
 * Writes N MiB of quo users (the Burst fixture's records, repeated) as an
 * NDJSON file and as a JSON array file (rates are in MB, 10^6 bytes, of the
 * files' real sizes), then for each measures, in child
 * processes so that each has its own peak RSS:
 *   - json-glib parse only: the reader frames items and json-glib parses
 *     each, nothing else;
 *   - read + press: the reader frames items, the presser writes blobs.
 * It prints MB/s, items/s, the ratio to the baseline, and peak RSS at two
 * file sizes, which must not grow with the file.
 *
 * Usage: bench-read-press [MB]   (default 1024; ALLOY_FIXTURES must be set,
 * and ALLOY_PLUGIN_PATH must find the reader plugins in a shared build)
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-presser.h"
#include "alloy-data-file.h"
#include "alloy-plugin-registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <sys/resource.h>

static GPtrArray *
quo_users (const char *fixtures, GError **error)
{
  g_autofree char *path = g_build_filename (fixtures, "data", "quo", "quo-view.json.gz", NULL);
  g_autoptr(GBytes) data = alloy_data_file_read_all (path, NULL, error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *users;
  JsonArray *array;

  if (data == NULL)
    return NULL;
  if (!json_parser_load_from_data (parser, g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                   error))
    return NULL;
  users = g_ptr_array_new_with_free_func (g_free);
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (users, json_to_string (json_array_get_element (array, i), FALSE));
  return users;
}

/* Writes users until @bytes; returns the number of items. */
static guint64
write_file (const char *path, GPtrArray *users, guint64 bytes, gboolean array)
{
  FILE *out = fopen (path, "w");
  guint64 written = 0, items = 0;

  if (out == NULL)
    g_error ("cannot write %s", path);
  if (array)
    fputs ("[\n", out);
  while (written < bytes)
    {
      const char *user = g_ptr_array_index (users, items % users->len);
      if (array && items > 0)
        fputs (",\n", out);
      fputs (user, out);
      if (!array)
        fputc ('\n', out);
      written += strlen (user) + 1;
      items++;
    }
  if (array)
    fputs ("\n]\n", out);
  fclose (out);
  return items;
}

static AlloyReader *
reader_for (const char *module)
{
  g_auto(GStrv) path = alloy_plugin_search_path_build (NULL, NULL);
  g_autoptr(GError) error = NULL;
  const AlloyPlugin *plugin = alloy_plugin_registry_load (module, (const char *const *) path,
                                                          &error);
  g_autoptr(GKeyFile) config = g_key_file_new ();
  g_autofree char *group = g_strdup_printf ("reader:%s", module);
  AlloyPluginInstance *reader;

  if (plugin == NULL)
    g_error ("%s", error->message);
  for (const AlloyOptionSpec *spec = plugin->descriptor->options; spec && spec->key; spec++)
    if (spec->default_value != NULL)
      g_key_file_set_value (config, group, spec->key, spec->default_value);
  reader = g_object_new (plugin->type, NULL);
  if (!alloy_plugin_instance_configure (reader, config, group, &error))
    g_error ("%s", error->message);
  return ALLOY_READER (reader);
}

/* The child: one pass over @path; prints "items seconds peak_kb". */
static int
measure (const char *mode, const char *path, const char *fixtures)
{
  g_autoptr(GError) error = NULL;
  const char *module = g_str_has_suffix (path, ".ndjson") ? "reader_ndjson" : "reader_json";
  g_autoptr(AlloyReader) reader = reader_for (module);
  g_autoptr(AlloyDataFile) file = alloy_data_file_open (path, NULL, &error);
  g_autoptr(AlloyItemIter) iter = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(AlloyBrioPresser) presser = NULL;
  AlloyReaderInput whole = { .display_name = path, .range_start = 0, .range_end = G_MAXUINT64 };
  gboolean press = strcmp (mode, "press") == 0;
  guint64 items = 0;
  gint64 start;
  struct rusage usage;

  if (press)
    {
      g_autofree char *schemas = g_build_filename (fixtures, "schemas", NULL);
      g_autoptr(AlloyBrioSchema) schema = alloy_brio_schema_find (
          (const char *const[]) { schemas, NULL }, "quo", &error);
      if (schema == NULL)
        g_error ("%s", error->message);
      presser = alloy_brio_presser_new (schema, 1, ALLOY_BRIO_DEFAULT_ITEM_MAX_BYTES, &error);
    }
  if (file == NULL)
    g_error ("%s", error->message);
  start = g_get_monotonic_time ();
  iter = alloy_reader_open (reader, alloy_data_file_get_stream (file), &whole, NULL, &error);
  for (;;)
    {
      g_autoptr(GBytes) item = NULL;
      AlloyItemLocation at;
      gsize length;
      const char *text;

      if (!alloy_item_iter_next (iter, &item, &at, NULL, &error))
        {
          if (error != NULL)
            g_error ("%s", error->message);
          break;
        }
      text = g_bytes_get_data (item, &length);
      if (press)
        {
          g_autoptr(GBytes) blob = alloy_brio_presser_press (presser, text, length, &error);
          if (blob == NULL)
            g_error ("%s", error->message);
        }
      else if (!json_parser_load_from_data (parser, text, (gssize) length, &error))
        g_error ("%s", error->message);
      items++;
    }
  getrusage (RUSAGE_SELF, &usage);
  printf ("%" G_GUINT64_FORMAT " %.3f %ld\n", items, (g_get_monotonic_time () - start) / 1e6,
          usage.ru_maxrss);
  return 0;
}

static void
run_child (const char *self, const char *mode, const char *path, guint64 *items,
           gdouble *seconds, long *peak_kb)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GSubprocess) child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, self,
                                                   "--measure", mode, path, NULL);

  if (child == NULL || !g_subprocess_communicate_utf8 (child, NULL, NULL, &out, NULL, &error))
    g_error ("%s", error->message);
  if (!g_subprocess_get_successful (child) ||
      sscanf (out, "%" G_GUINT64_FORMAT " %lf %ld", items, seconds, peak_kb) != 3)
    g_error ("the %s pass over %s failed", mode, path);
}

int
main (int argc, char **argv)
{
  const char *fixtures = g_getenv ("ALLOY_FIXTURES");
  guint64 megabytes = argc > 1 && argv[1][0] != '-' ? g_ascii_strtoull (argv[1], NULL, 10) : 1024;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autofree char *dir = NULL;
  const guint64 sizes[] = { megabytes / 4, megabytes };

  if (fixtures == NULL)
    {
      fprintf (stderr, "bench-read-press: set ALLOY_FIXTURES to ../shared/fixtures\n");
      return 77;
    }
  if (argc == 4 && strcmp (argv[1], "--measure") == 0)
    return measure (argv[2], argv[3], fixtures);

  users = quo_users (fixtures, &error);
  dir = g_dir_make_tmp ("alloy-bench-XXXXXX", &error);
  if (users == NULL || dir == NULL)
    g_error ("%s", error->message);
  printf ("quo users repeated; sizes %" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT " MB\n",
          sizes[0], sizes[1]);
  printf ("%-28s %8s %10s %10s %8s %10s\n", "file", "MB", "MB/s", "items/s", "ratio", "peak RSS");
  for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (int array = 0; array <= 1; array++)
      {
        g_autofree char *name = g_strdup_printf ("users-%" G_GUINT64_FORMAT "M.%s", sizes[s],
                                                 array ? "json" : "ndjson");
        g_autofree char *path = g_build_filename (dir, name, NULL);
        guint64 items, parse_items;
        gdouble seconds, parse_seconds;
        long peak, parse_peak;
        GStatBuf st;
        gdouble mb;

        /* Rates from the real size: the last user overshoots the target. */
        write_file (path, users, sizes[s] << 20, array);
        if (g_stat (path, &st) != 0)
          g_error ("cannot stat %s", path);
        mb = st.st_size / 1e6;
        run_child (argv[0], "parse", path, &parse_items, &parse_seconds, &parse_peak);
        run_child (argv[0], "press", path, &items, &seconds, &peak);
        printf ("%-28s %8.0f %10.1f %10.0f %8s %8ld MB  (json-glib parse only)\n", name, mb,
                mb / parse_seconds, parse_items / parse_seconds, "1.00", parse_peak / 1024);
        printf ("%-28s %8.0f %10.1f %10.0f %8.2f %8ld MB  (reader + presser)\n", name, mb,
                mb / seconds, items / seconds, parse_seconds / seconds, peak / 1024);
        g_unlink (path);
      }
  g_rmdir (dir);
  return 0;
}
