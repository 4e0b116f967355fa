/* alloy-cli-datasets.c: `alloy datasets`: the datasets under the
 * configured location root, as the server would see them at start.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-cli-datasets.h"

#include "alloy-catalog.h"
#include "alloy-config.h"
#include "alloy-core-options.h"
#include "alloy-plugin-registry.h"

#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_CONFIG ALLOY_SYSCONFDIR "/alloy.conf"

static AlloyConfig *
load_config (const char *path, char **set, char **plugin_path, GError **error)
{
  g_autoptr(AlloyConfig) config = alloy_config_new ();

  if (!alloy_config_load_file (config, path, error))
    return NULL;
  for (char **assignment = set; assignment && *assignment; assignment++)
    if (!alloy_config_add_override (config, *assignment, error))
      return NULL;
  alloy_config_set_cli_plugin_path (config, (const char *const *) plugin_path);
  if (!alloy_config_resolve (config, error))
    return NULL;
  return g_steal_pointer (&config);
}

static void
print_partition (const AlloyPartition *partition)
{
  printf ("  partition %s: %s%s, %" G_GUINT64_FORMAT " bytes\n", partition->id, partition->reader,
          partition->compressed ? ", gzip" : "", partition->size);
}

static void
print_dataset (AlloyDataset *dataset, gboolean partitions)
{
  const GError *error = alloy_dataset_get_error (dataset);
  const char *const *ignored = alloy_dataset_get_ignored (dataset);
  guint n_files = alloy_dataset_get_n_files (dataset);

  printf ("\n%s\n", alloy_dataset_get_name (dataset));
  if (g_error_matches (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_OUTSIDE_ROOT))
    {
      /* Nothing of it was looked at. */
      printf ("  refused: %s\n", error->message);
      return;
    }
  if (error != NULL)
    printf ("  broken: %s\n", error->message);
  if (alloy_dataset_get_description (dataset) != NULL)
    printf ("  description: %s\n", alloy_dataset_get_description (dataset));
  printf ("  schema: %s\n", alloy_dataset_get_schema (dataset) ? alloy_dataset_get_schema (dataset)
                                                               : "from the view");
  if (alloy_dataset_get_root_version (dataset) > 0)
    printf ("  root version: %d\n", alloy_dataset_get_root_version (dataset));
  printf ("  partitions: %u from %u file%s\n", alloy_dataset_get_n_partitions (dataset), n_files,
          n_files == 1 ? "" : "s");
  printf ("  bytes: %" G_GUINT64_FORMAT "\n", alloy_dataset_get_total_bytes (dataset));
  printf ("  generation: %.16s\n", alloy_dataset_get_generation (dataset));
  for (guint i = 0; partitions && i < alloy_dataset_get_n_partitions (dataset); i++)
    print_partition (alloy_dataset_get_partition (dataset, i));
  for (; ignored && *ignored; ignored++)
    printf ("  ignored: %s\n", *ignored);
  for (guint i = 0; i < alloy_dataset_get_n_refused (dataset); i++)
    {
      const AlloyRefusedFile *refused = alloy_dataset_get_refused (dataset, i);
      printf ("  refused: %s (%s)\n", refused->path, refused->reason);
    }
}

static int
list_datasets (AlloyConfig *config, gboolean partitions)
{
  g_autofree char *location = alloy_config_get_string (config, ALLOY_CORE_GROUP,
                                                       ALLOY_KEY_LOCATION);
  g_autofree char *max_text = alloy_config_get_string (config, ALLOY_CORE_GROUP,
                                                       ALLOY_KEY_PARTITION_MAX_BYTES);
  g_autoptr(AlloyCatalog) catalog = NULL;
  g_autoptr(GPtrArray) datasets = NULL;
  g_autoptr(GError) error = NULL;
  guint64 partition_max_bytes = 0;
  guint broken = 0, refused = 0;

  /* Validated by the configuration already. */
  alloy_option_parse_size (max_text, &partition_max_bytes, NULL);
  catalog = alloy_catalog_new (location, partition_max_bytes, 0);
  if (!alloy_catalog_load (catalog, NULL, &error))
    {
      fprintf (stderr, "alloy datasets: %s\n", error->message);
      return EXIT_FAILURE;
    }
  datasets = alloy_catalog_list (catalog);
  for (guint i = 0; i < datasets->len; i++)
    {
      const GError *problem = alloy_dataset_get_error (datasets->pdata[i]);

      if (g_error_matches (problem, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_OUTSIDE_ROOT))
        refused++;
      else if (problem != NULL)
        broken++;
    }
  printf ("location: %s\n", location);
  printf ("datasets: %u (%u broken, %u refused)\n", datasets->len, broken, refused);
  for (guint i = 0; i < datasets->len; i++)
    print_dataset (datasets->pdata[i], partitions);
  return EXIT_SUCCESS;
}

int
alloy_cli_datasets (int argc, char **argv)
{
  g_autofree char *config_path = NULL;
  g_auto(GStrv) set = NULL;
  g_auto(GStrv) plugin_path = NULL;
  gboolean partitions = FALSE;
  const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      "Configuration file (default " DEFAULT_CONFIG ")", "FILE" },
    { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &set,
      "Set a key, over the file and the environment: KEY=VALUE for [alloy], GROUP:KEY=VALUE "
      "otherwise (repeatable)", "KEY=VALUE" },
    { "plugin-path", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_path,
      "Search DIR for plugins first (repeatable)", "DIR" },
    { "partitions", 0, 0, G_OPTION_ARG_NONE, &partitions, "List every partition", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- list the datasets");
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyConfig) config = NULL;
  int status;

  g_option_context_set_summary (context,
                                "Scans alloy.samplestore.location as alloyd does at start and "
                                "prints every dataset: its schema, partitions, bytes and "
                                "generation, the files it ignores or refuses, and why a dataset "
                                "cannot be served.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "alloy datasets: %s\n", error->message);
      return 2;
    }
  if (argc > 1)
    {
      fprintf (stderr, "alloy datasets: unexpected argument '%s'\n", argv[1]);
      return 2;
    }
  config = load_config (config_path ? config_path : DEFAULT_CONFIG, set, plugin_path, &error);
  if (config == NULL)
    {
      fprintf (stderr, "alloy datasets: %s\n", error->message);
      return EXIT_FAILURE;
    }
  status = list_datasets (config, partitions);
  g_clear_object (&config);
  alloy_plugin_registry_shutdown ();
  return status;
}
