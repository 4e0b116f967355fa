/* alloy-cli-press.c: `alloy press`: JSON files into a file of blobs, laid
 * out as an inflated Nexus parcel: [int32 LE size][blob]...
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-cli.h"

#include "alloy-brio-presser.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct {
  AlloyBrioPresser *presser;
  GOutputStream *out;
  guint64 pressed;
  guint64 rejected;
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

/* One item; a rejection is reported and counted, never fatal. */
static gboolean
press_item (Press *press, const char *input, gint64 index, JsonNode *item, GError **error)
{
  g_autoptr(GError) item_error = NULL;
  g_autoptr(GBytes) blob = alloy_brio_presser_press_node (press->presser, item, &item_error);

  if (blob == NULL)
    {
      press->rejected++;
      if (index < 0)
        fprintf (stderr, "alloy: %s: rejected: %s\n", input, item_error->message);
      else
        fprintf (stderr, "alloy: %s: item %" G_GINT64_FORMAT ": rejected: %s\n", input, index,
                 item_error->message);
      return TRUE;
    }
  return write_slot (press, blob, error);
}

static gboolean
press_file (Press *press, const char *input, GError **error)
{
  g_autoptr(GBytes) data = alloy_cli_read_file (input, error);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;
  gsize size = 0;
  const char *text;

  if (data == NULL)
    return FALSE;
  text = g_bytes_get_data (data, &size);
  if (!json_parser_load_from_data (parser, text, (gssize) size, &parse_error))
    {
      g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_ITEM, "%s: not JSON: %s", input,
                   parse_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *items = json_node_get_array (root);
      for (guint i = 0; i < json_array_get_length (items); i++)
        if (!press_item (press, input, i, json_array_get_element (items, i), error))
          return FALSE;
      return TRUE;
    }
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    return press_item (press, input, -1, root, error);
  g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_ITEM,
               "%s: expected a JSON object or an array of objects", input);
  return FALSE;
}

int
alloy_cli_press (int argc, char **argv)
{
  g_auto(GStrv) schema_path = NULL;
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
                                "Each input holds one JSON object or a JSON array of objects "
                                "(optionally gzipped). OUTPUT receives [int32 LE size][blob] "
                                "slots, the layout of an inflated Nexus parcel. Rejected items "
                                "are reported with their reason; the exit status is 1 when any "
                                "was rejected.");
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
  if (root_version < 1 || item_max < 16)
    {
      fprintf (stderr, "alloy press: --root-version must be 1 or more, --item-max-bytes 16 or "
                       "more\n");
      return 2;
    }
  schema = alloy_brio_schema_find ((const char *const *) schema_path, schema_name, &error);
  if (schema != NULL)
    press.presser = alloy_brio_presser_new (schema, root_version, (gsize) item_max, &error);
  if (press.presser == NULL)
    {
      fprintf (stderr, "alloy press: %s\n", error->message);
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
  else if (press.rejected > 0)
    status = EXIT_FAILURE;
  printf ("pressed %" G_GUINT64_FORMAT ", rejected %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
          " bytes written to %s\n", press.pressed, press.rejected, press.bytes, output);
  g_clear_object (&press.out);
  alloy_brio_presser_free (press.presser);
  return status;
}
