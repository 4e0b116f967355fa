/* alloy-cli-press.c: `alloy press`: JSON files into a file of blobs, laid
 * out as an inflated Nexus parcel: [int32 LE size][blob]...
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-cli.h"

#include "alloy-brio-presser.h"
#include "alloy-data-file.h"
#include "alloy-plugin-registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  AlloyBrioPresser *presser;
  GPtrArray *readers; /* AlloyReader */
  GOutputStream *out;
  guint64 pressed;
  guint64 rejected;
  guint64 lost;       /* files whose rest could not be read */
  guint64 bytes;
} Press;

static gboolean
write_slot (Press *press, GBytes *blob, GError **error)
{
  gsize size = g_bytes_get_size (blob);
  guint32 le = GUINT32_TO_LE ((guint32) size);

  if (!g_output_stream_write_all (press->out, &le, sizeof le, NULL, NULL, error) ||
      !g_output_stream_write_all (press->out, g_bytes_get_data (blob, NULL), size, NULL, NULL,
                                  error))
    return FALSE;
  press->pressed++;
  press->bytes += 4 + size;
  return TRUE;
}

/* Every item of one input, through the reader that claims it. Rejected
 * items are reported and counted; a file that cannot be read on is
 * reported and counted as lost. Only output errors are fatal. */
static gboolean
press_file (Press *press, const char *input, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(AlloyDataFile) file = alloy_data_file_open (input, NULL, &local_error);
  g_autoptr(AlloyItemIter) iter = NULL;
  AlloyReaderInput whole = { .display_name = input, .range_start = 0, .range_end = G_MAXUINT64 };
  AlloyReader *reader = NULL;

  if (file != NULL)
    reader = alloy_data_file_pick_reader (file, press->readers, &local_error);
  if (reader != NULL)
    iter = alloy_reader_open (reader, alloy_data_file_get_stream (file), &whole, NULL,
                              &local_error);
  if (iter == NULL)
    {
      fprintf (stderr, "alloy: %s\n", local_error->message);
      press->lost++;
      return TRUE;
    }
  for (;;)
    {
      g_autoptr(GBytes) item = NULL;
      g_autoptr(GBytes) blob = NULL;
      AlloyItemLocation at;
      gsize length = 0;
      const char *text;

      if (!alloy_item_iter_next (iter, &item, &at, NULL, &local_error))
        {
          if (local_error == NULL)
            return TRUE;
          if (g_error_matches (local_error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_ITEM))
            {
              fprintf (stderr, "alloy: %s (item %" G_GUINT64_FORMAT " rejected)\n",
                       local_error->message, at.index);
              press->rejected++;
              g_clear_error (&local_error);
              continue;
            }
          fprintf (stderr, "alloy: %s\n", local_error->message);
          press->lost++;
          return TRUE;
        }
      text = g_bytes_get_data (item, &length);
      blob = alloy_brio_presser_press (press->presser, text, length, &local_error);
      if (blob == NULL)
        {
          /* Whole files only here, so the line is known. */
          fprintf (stderr, "alloy: %s:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ": item %"
                   G_GUINT64_FORMAT " rejected: %s\n", at.file, at.line, at.column, at.index,
                   local_error->message);
          press->rejected++;
          g_clear_error (&local_error);
          continue;
        }
      if (!write_slot (press, blob, error))
        return FALSE;
    }
}

/* One instance of each reader module, configured with its defaults. */
static GPtrArray *
load_readers (const char *const *plugin_path, GError **error)
{
  static const char *const modules[] = { "reader_json", "reader_ndjson" };
  g_autoptr(GPtrArray) readers = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) search_path = alloy_plugin_search_path_build (plugin_path, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (modules); i++)
    {
      const AlloyPlugin *plugin = alloy_plugin_registry_load (modules[i],
                                                              (const char *const *) search_path,
                                                              error);
      g_autoptr(GKeyFile) config = g_key_file_new ();
      g_autofree char *group = g_strdup_printf ("reader:%s", modules[i] + strlen ("reader_"));
      g_autoptr(AlloyPluginInstance) instance = NULL;

      if (plugin == NULL)
        return NULL;
      if (plugin->descriptor->kind != ALLOY_PLUGIN_KIND_READER)
        {
          g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_WRONG_INTERFACE,
                       "%s is not a reader plugin", modules[i]);
          return NULL;
        }
      g_key_file_set_string (config, group, "plugin", modules[i]);
      for (const AlloyOptionSpec *spec = plugin->descriptor->options; spec && spec->key; spec++)
        if (spec->default_value != NULL)
          g_key_file_set_value (config, group, spec->key, spec->default_value);
      instance = g_object_new (plugin->type, NULL);
      alloy_plugin_instance_set_name (instance, group);
      if (!alloy_plugin_instance_configure (instance, config, group, error))
        return NULL;
      g_ptr_array_add (readers, g_steal_pointer (&instance));
    }
  return g_steal_pointer (&readers);
}

int
alloy_cli_press (int argc, char **argv)
{
  g_auto(GStrv) schema_path = NULL;
  g_auto(GStrv) plugin_path = NULL;
  g_autofree char *schema_name = NULL;
  g_autofree char *output = NULL;
  g_auto(GStrv) inputs = NULL;
  int root_version = 1;
  gint64 item_max = ALLOY_BRIO_DEFAULT_ITEM_MAX_BYTES;
  const GOptionEntry entries[] = {
    { "schema-path", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &schema_path,
      "Search DIR for schemas (repeatable)", "DIR" },
    { "schema", 's', 0, G_OPTION_ARG_STRING, &schema_name, "The schema's name", "NAME" },
    { "root-version", 0, 0, G_OPTION_ARG_INT, &root_version,
      "rootVersion in every blob header (default 1)", "N" },
    { "item-max-bytes", 0, 0, G_OPTION_ARG_INT64, &item_max,
      "Reject an item whose blob would be larger (default 10000000)", "BYTES" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the blobs to FILE", "FILE" },
    { "plugin-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_path,
      "Search DIR for the reader plugins first (repeatable)", "DIR" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL, "INPUT..." },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("INPUT... - press JSON into Brio blobs");
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(GFile) out_file = NULL;
  Press press = { 0 };
  int status = EXIT_SUCCESS;

  g_option_context_set_summary (context,
                                "Inputs are read by the reader plugins: .json files hold a JSON "
                                "array of objects or one object, .ndjson and .jsonl files one "
                                "object per line; each may be gzipped (.gz). OUTPUT receives "
                                "[int32 LE size][blob] slots, the layout of an inflated Nexus "
                                "parcel. Rejected items are reported with their place and "
                                "reason; the exit status is 1 when any item was rejected or any "
                                "file could not be read to its end.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "alloy press: %s\n", error->message);
      return 2;
    }
  if (schema_name == NULL || output == NULL || inputs == NULL || schema_path == NULL)
    {
      fprintf (stderr, "alloy press: --schema-path, --schema, -o and an INPUT are required\n");
      return 2;
    }
  /* A slot's size is an int32. */
  if (root_version < 1 || item_max < 16 || item_max > G_MAXINT32)
    {
      fprintf (stderr, "alloy press: --root-version must be 1 or more, --item-max-bytes from 16 "
                       "to %d\n", G_MAXINT32);
      return 2;
    }
  schema = alloy_brio_schema_find ((const char *const *) schema_path, schema_name, &error);
  if (schema != NULL)
    press.readers = load_readers ((const char *const *) plugin_path, &error);
  if (press.readers != NULL)
    press.presser = alloy_brio_presser_new (schema, root_version, (gsize) item_max, &error);
  if (press.presser == NULL)
    {
      fprintf (stderr, "alloy press: %s\n", error->message);
      g_clear_pointer (&press.readers, g_ptr_array_unref);
      return EXIT_FAILURE;
    }
  out_file = g_file_new_for_commandline_arg (output);
  press.out = G_OUTPUT_STREAM (g_file_replace (out_file, NULL, FALSE, G_FILE_CREATE_NONE, NULL,
                                               &error));
  for (char **input = inputs; press.out != NULL && *input; input++)
    if (!press_file (&press, *input, &error))
      break;
  if (press.out != NULL && error == NULL)
    g_output_stream_close (press.out, NULL, &error);
  if (error != NULL)
    {
      fprintf (stderr, "alloy press: %s\n", error->message);
      status = EXIT_FAILURE;
    }
  else if (press.rejected > 0 || press.lost > 0)
    status = EXIT_FAILURE;
  printf ("pressed %" G_GUINT64_FORMAT ", rejected %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
          " bytes written to %s", press.pressed, press.rejected, press.bytes, output);
  if (press.lost > 0)
    printf ("; %" G_GUINT64_FORMAT " file(s) could not be read to the end", press.lost);
  printf ("\n");
  g_clear_object (&press.out);
  alloy_brio_presser_free (press.presser);
  g_ptr_array_unref (press.readers);
  return status;
}
