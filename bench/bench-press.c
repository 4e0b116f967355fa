/* bench-press.c: pressing throughput on Burst's quo dataset, next to
 * json-glib parsing the same bytes in the same run.
 *
 * Prints MB/s of JSON input and items/s for both, and their ratio: the
 * baseline is measured here, on this machine, every time.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-presser.h"
#include "alloy-data-file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
report (const char *what, gint64 microseconds, gsize bytes, guint items)
{
  gdouble seconds = microseconds / 1e6;

  printf ("%-32s %8.1f MB/s %10.0f items/s  (%.2f s)\n", what, bytes / 1e6 / seconds,
          items / seconds, seconds);
}

int
main (int argc, char **argv)
{
  const char *fixtures = g_getenv ("ALLOY_FIXTURES");
  const char *rounds_text = g_getenv ("ALLOY_BENCH_ROUNDS");
  guint rounds = rounds_text ? (guint) MAX (atoi (rounds_text), 1) : 5;
  g_autofree char *schemas = NULL;
  g_autofree char *data_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonParser) baseline = json_parser_new_immutable ();
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(AlloyBrioPresser) presser = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  gsize bytes = 0, blob_bytes = 0;
  gint64 parse_us = 0, press_us = 0;

  if (fixtures == NULL)
    {
      fprintf (stderr, "bench-press: set ALLOY_FIXTURES to ../shared/fixtures\n");
      return 77;
    }
  schemas = g_build_filename (fixtures, "schemas", NULL);
  data_path = g_build_filename (fixtures, "data", "quo", "quo-view.json.gz", NULL);
  schema = alloy_brio_schema_find ((const char *const[]) { schemas, NULL }, "quo", &error);
  if (schema != NULL)
    presser = alloy_brio_presser_new (schema, 1, ALLOY_BRIO_DEFAULT_ITEM_MAX_BYTES, &error);
  if (presser != NULL)
    data = alloy_data_file_read_all (data_path, NULL, &error);
  if (data == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                   &error))
    {
      fprintf (stderr, "bench-press: %s\n", error->message);
      return 1;
    }
  /* One JSON text per item, as readers will hand them over. */
  {
    JsonArray *users = json_node_get_array (json_parser_get_root (parser));
    for (guint i = 0; i < json_array_get_length (users); i++)
      {
        char *text = json_to_string (json_array_get_element (users, i), FALSE);
        bytes += strlen (text);
        g_ptr_array_add (items, text);
      }
  }

  for (guint round = 0; round <= rounds; round++)
    {
      /* Round 0 warms caches and allocators up and is not counted. */
      gint64 start = g_get_monotonic_time ();
      for (guint i = 0; i < items->len; i++)
        {
          const char *text = g_ptr_array_index (items, i);
          if (!json_parser_load_from_data (baseline, text, strlen (text), &error))
            {
              fprintf (stderr, "bench-press: item %u: %s\n", i, error->message);
              return 1;
            }
        }
      if (round > 0)
        parse_us += g_get_monotonic_time () - start;

      start = g_get_monotonic_time ();
      for (guint i = 0; i < items->len; i++)
        {
          const char *text = g_ptr_array_index (items, i);
          g_autoptr(GBytes) blob = alloy_brio_presser_press (presser, text, strlen (text), &error);
          if (blob == NULL)
            {
              fprintf (stderr, "bench-press: item %u: %s\n", i, error->message);
              return 1;
            }
          if (round == 1)
            blob_bytes += g_bytes_get_size (blob);
        }
      if (round > 0)
        press_us += g_get_monotonic_time () - start;
    }

  printf ("quo: %u items, %.1f MB of JSON, %.1f MB of blobs; %u rounds\n", items->len,
          bytes / 1e6, blob_bytes / 1e6, rounds);
  report ("json-glib parse only (baseline)", parse_us, bytes * rounds, items->len * rounds);
  report ("alloy press (json-glib presser)", press_us, bytes * rounds, items->len * rounds);
  printf ("ratio press/parse-only: %.2f\n", (gdouble) parse_us / (gdouble) press_us);
  return 0;
}
