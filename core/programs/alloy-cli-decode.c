/* alloy-cli-decode.c: `alloy decode`: a file of blobs as NDJSON.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-cli.h"

#include "alloy-brio-decoder.h"
#include "alloy-data-file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
alloy_cli_decode (int argc, char **argv)
{
  g_auto(GStrv) schema_path = NULL;
  g_autofree char *schema_name = NULL;
  g_auto(GStrv) inputs = NULL;
  const GOptionEntry entries[] = {
    { "schema-path", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &schema_path,
      "Search DIR for schemas (repeatable)", "DIR" },
    { "schema", 's', 0, G_OPTION_ARG_STRING, &schema_name, "The schema's name", "NAME" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL, "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE - print blobs as NDJSON");
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(GBytes) data = NULL;
  const guint8 *bytes;
  gsize size = 0, at = 0;
  guint64 slot = 0;

  g_option_context_set_summary (context, "FILE holds [int32 LE size][blob] slots, as written by "
                                         "alloy press; each blob is printed as one JSON line.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "alloy decode: %s\n", error->message);
      return 2;
    }
  if (schema_name == NULL || schema_path == NULL || inputs == NULL || inputs[1] != NULL)
    {
      fprintf (stderr, "alloy decode: --schema-path, --schema and one FILE are required\n");
      return 2;
    }
  schema = alloy_brio_schema_find ((const char *const *) schema_path, schema_name, &error);
  if (schema != NULL)
    data = alloy_data_file_read_all (inputs[0], NULL, &error);
  if (data == NULL)
    {
      fprintf (stderr, "alloy decode: %s\n", error->message);
      return EXIT_FAILURE;
    }
  bytes = g_bytes_get_data (data, &size);
  while (at < size)
    {
      g_autoptr(JsonNode) item = NULL;
      g_autofree char *line = NULL;
      guint32 le;
      gsize blob_size;

      if (size - at < 4)
        {
          fprintf (stderr, "alloy decode: %s: offset %" G_GSIZE_FORMAT ": a slot header needs 4 "
                   "bytes, %" G_GSIZE_FORMAT " left\n", inputs[0], at, size - at);
          return EXIT_FAILURE;
        }
      memcpy (&le, bytes + at, 4);
      blob_size = GUINT32_FROM_LE (le);
      if (blob_size > size - at - 4)
        {
          fprintf (stderr, "alloy decode: %s: slot %" G_GUINT64_FORMAT " at offset %"
                   G_GSIZE_FORMAT ": a %" G_GSIZE_FORMAT "-byte blob, but %" G_GSIZE_FORMAT
                   " bytes are left\n", inputs[0], slot, at, blob_size, size - at - 4);
          return EXIT_FAILURE;
        }
      item = alloy_brio_decode (schema, bytes + at + 4, blob_size, NULL, &error);
      if (item == NULL)
        {
          fprintf (stderr, "alloy decode: %s: slot %" G_GUINT64_FORMAT " at offset %"
                   G_GSIZE_FORMAT ": %s\n", inputs[0], slot, at, error->message);
          return EXIT_FAILURE;
        }
      line = json_to_string (item, FALSE);
      printf ("%s\n", line);
      at += 4 + blob_size;
      slot++;
    }
  return EXIT_SUCCESS;
}
