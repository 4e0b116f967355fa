/* test-catalog.c: datasets, partitions, settings, generations and path
 * safety, with real files in a temporary directory.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "catalog-test-utils.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

static void
test_datasets (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyCatalog) catalog = NULL;
  g_autoptr(GPtrArray) datasets = NULL;
  g_autofree char *empty = g_build_filename (fixture->root, "empty", NULL);

  put (fixture, "b/x.ndjson", "{}\n");
  put (fixture, "a/x.json", "[]");
  put (fixture, ".hidden/x.json", "[]");
  put (fixture, "readme.txt", "not a dataset");
  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);

  catalog = load (fixture, 0);
  datasets = alloy_catalog_list (catalog);
  g_assert_cmpuint (datasets->len, ==, 3);
  g_assert_cmpstr (alloy_dataset_get_name (datasets->pdata[0]), ==, "a");
  g_assert_cmpstr (alloy_dataset_get_name (datasets->pdata[1]), ==, "b");
  g_assert_cmpstr (alloy_dataset_get_name (datasets->pdata[2]), ==, "empty");
  g_assert_cmpuint (alloy_dataset_get_n_partitions (datasets->pdata[2]), ==, 0);
  g_assert_null (alloy_dataset_get_error (datasets->pdata[2]));
}

static void
test_root_missing (Fixture *fixture, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (fixture->dir, "nowhere", NULL);
  g_autoptr(AlloyCatalog) catalog = alloy_catalog_new (missing, 0, SETTLE_MS);
  g_autoptr(GError) error = NULL;

  g_assert_false (alloy_catalog_load (catalog, NULL, &error));
  g_assert_error (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_ROOT);
  g_assert_nonnull (strstr (error->message, "nowhere"));
}

static void
test_grouping (Fixture *fixture, gconstpointer data)
{
  static const struct {
    const char *id;
    const char *reader;
    gboolean compressed;
  } expected[] = {
    { "2026/11/a.ndjson", ALLOY_DATASET_READER_NDJSON, FALSE },
    { "UPPER.JSON", ALLOY_DATASET_READER_JSON, FALSE },
    { "a.json", ALLOY_DATASET_READER_JSON, FALSE },
    { "b.json.gz", ALLOY_DATASET_READER_JSON, TRUE },
    { "c.ndjson", ALLOY_DATASET_READER_NDJSON, FALSE },
    { "d.jsonl", ALLOY_DATASET_READER_NDJSON, FALSE },
    { "e.ndjson.gz", ALLOY_DATASET_READER_NDJSON, TRUE },
    { "f.jsonl.gz", ALLOY_DATASET_READER_NDJSON, TRUE },
  };
  const char *const ignored[] = { ".cache/", ".e.ndjson.swp", "2026/notes.txt", "g.json.bak",
                                  "notes.txt", NULL };
  g_autoptr(AlloyCatalog) catalog = NULL;
  g_autoptr(AlloyDataset) dataset = NULL;
  g_autofree char *dir = NULL;
  guint64 total = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *rel = g_build_filename ("set", expected[i].id, NULL);
      g_autofree char *contents = g_strdup_printf ("{\"n\":%zu}\n", i);

      put (fixture, rel, contents);
      total += strlen (contents);
    }
  put (fixture, "set/notes.txt", "x");
  put (fixture, "set/2026/notes.txt", "x");
  put (fixture, "set/g.json.bak", "x");
  put (fixture, "set/.e.ndjson.swp", "x");
  put (fixture, "set/.cache/x.ndjson", "{}\n");

  catalog = load (fixture, 0);
  dataset = lookup (catalog, "set");
  dir = g_build_filename (fixture->root, "set", NULL);
  g_assert_cmpstr (alloy_dataset_get_path (dataset), ==, dir);
  g_assert_cmpuint (alloy_dataset_get_n_partitions (dataset), ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (alloy_dataset_get_n_files (dataset), ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (alloy_dataset_get_total_bytes (dataset), ==, total);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const AlloyPartition *partition = alloy_dataset_get_partition (dataset, i);
      g_autofree char *file = g_build_filename (dir, expected[i].id, NULL);

      g_assert_cmpstr (partition->id, ==, expected[i].id);
      g_assert_cmpstr (partition->path, ==, expected[i].id);
      g_assert_cmpstr (partition->file, ==, file);
      g_assert_cmpstr (partition->reader, ==, expected[i].reader);
      g_assert_cmpint (partition->compressed, ==, expected[i].compressed);
      g_assert_false (partition->is_range);
      g_assert_cmpuint (partition->range_start, ==, 0);
      g_assert_cmpuint (partition->range_end, ==, partition->file_size);
      g_assert_cmpuint (partition->size, ==, partition->file_size);
      g_assert_cmpint (partition->mtime_us, ==, mtime_us (fixture, file));
      g_assert_cmpuint (strlen (partition->digest), ==, 64);
    }
  g_assert_cmpstrv (alloy_dataset_get_ignored (dataset), ignored);
  g_assert_cmpuint (alloy_dataset_get_n_refused (dataset), ==, 0);
  g_assert_null (alloy_dataset_get_schema (dataset));
  g_assert_cmpint (alloy_dataset_get_root_version (dataset), ==, 0);
  g_assert_null (alloy_dataset_get_description (dataset));
}

static void
test_settings (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyCatalog) catalog = NULL;
  g_autoptr(AlloyDataset) dataset = NULL;

  put (fixture, "quo/dataset.conf",
       "# the quo sample\n[dataset]\nschema = quo\nroot-version=3\n"
       "description=Quo events, 2026\n");
  put (fixture, "quo/x.ndjson", "{}\n");
  catalog = load (fixture, 0);
  dataset = lookup (catalog, "quo");
  g_assert_cmpstr (alloy_dataset_get_schema (dataset), ==, "quo");
  g_assert_cmpint (alloy_dataset_get_root_version (dataset), ==, 3);
  g_assert_cmpstr (alloy_dataset_get_description (dataset), ==, "Quo events, 2026");
  /* The settings file is neither data nor ignored. */
  g_assert_cmpuint (alloy_dataset_get_n_partitions (dataset), ==, 1);
  g_assert_cmpstrv (alloy_dataset_get_ignored (dataset), ((const char *const[]) { NULL }));
}

static const struct {
  const char *name;
  const char *text;
  const char *message; /* after ROOT/NAME/dataset.conf */
} bad_settings[] = {
  { "range", "[dataset]\nroot-version=0\n",
    ":2: [dataset] root-version: '0' is out of range (1 to 2147483647)" },
  { "not-int", "[dataset]\n\nroot-version=two\n",
    ":3: [dataset] root-version: 'two' is not an integer" },
  { "unknown-key", "[dataset]\nschema=quo\ncolour=blue\n",
    ":3: [dataset] colour: unknown key (known keys: schema, root-version, description)" },
  { "twice", "[dataset]\nschema=a\nschema=b\n",
    ":3: [dataset] schema: set twice (first on line 2)" },
  { "group", "[dataset]\nschema=a\n[other]\nx=1\n",
    ":3: unknown group [other]; the settings are in [dataset]" },
  { "schema-name", "[dataset]\nschema=no/slash\n",
    ":2: [dataset] schema: 'no/slash' is not a schema name (letters, digits, '_', '-' and '.')" },
  { "syntax", "schema=a\n", ": Key file does not start with a group" },
};

static void
test_settings_broken (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyCatalog) catalog = NULL;
  g_autoptr(GPtrArray) datasets = NULL;
  g_autoptr(AlloyDataset) good = NULL;

  put (fixture, "good/x.ndjson", "{}\n");
  for (gsize i = 0; i < G_N_ELEMENTS (bad_settings); i++)
    {
      g_autofree char *conf = g_build_filename (bad_settings[i].name, "dataset.conf", NULL);
      g_autofree char *file = g_build_filename (bad_settings[i].name, "x.ndjson", NULL);

      put (fixture, conf, bad_settings[i].text);
      put (fixture, file, "{}\n");
    }
  catalog = load (fixture, 0);
  good = lookup (catalog, "good");
  g_assert_cmpuint (alloy_dataset_get_n_partitions (good), ==, 1);

  datasets = alloy_catalog_list (catalog);
  g_assert_cmpuint (datasets->len, ==, G_N_ELEMENTS (bad_settings) + 1);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_settings); i++)
    {
      g_autoptr(AlloyDataset) broken = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *message = g_strconcat (fixture->root, "/", bad_settings[i].name,
                                              "/dataset.conf", bad_settings[i].message, NULL);
      const GError *problem;

      broken = alloy_catalog_lookup (catalog, bad_settings[i].name, &error);
      g_assert_null (broken);
      g_assert_error (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_BROKEN);
      for (guint j = 0; j < datasets->len; j++)
        if (strcmp (alloy_dataset_get_name (datasets->pdata[j]), bad_settings[i].name) == 0)
          broken = g_object_ref (datasets->pdata[j]);
      g_assert_nonnull (broken);
      problem = alloy_dataset_get_error (broken);
      g_assert_error (problem, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_SETTINGS);
      if (!g_str_has_prefix (problem->message, message))
        g_error ("case %s: expected\n  %s\nbut got\n  %s", bad_settings[i].name, message,
                 problem->message);
      g_assert_nonnull (strstr (error->message, problem->message));
      /* Still listed, with its files. */
      g_assert_cmpuint (alloy_dataset_get_n_partitions (broken), ==, 1);
    }
}

static void
test_partitions (Fixture *fixture, gconstpointer data)
{
  GString *big = g_string_new (NULL);
  g_autoptr(AlloyCatalog) catalog = NULL;
  g_autoptr(AlloyDataset) dataset = NULL;
  g_autofree char *small = g_strnfill (4096, 'x');
  guint64 next = 0;

  while (big->len < 10000)
    g_string_append_printf (big, "{\"line\":%u}\n", (guint) big->len);
  g_string_truncate (big, 10000);
  put (fixture, "p/big.ndjson", big->str);
  put (fixture, "p/big.ndjson.gz", big->str);
  put (fixture, "p/big.json", big->str);
  put (fixture, "p/small.jsonl", small);

  catalog = load (fixture, 4096);
  dataset = lookup (catalog, "p");
  g_assert_cmpuint (alloy_dataset_get_n_partitions (dataset), ==, 6);
  g_assert_cmpuint (alloy_dataset_get_n_files (dataset), ==, 4);
  g_assert_cmpuint (alloy_dataset_get_total_bytes (dataset), ==, 3 * 10000 + 4096);
  g_assert_cmpstr (alloy_dataset_get_partition (dataset, 0)->id, ==, "big.json");
  g_assert_cmpstr (alloy_dataset_get_partition (dataset, 1)->id, ==, "big.ndjson@0-4096");
  g_assert_cmpstr (alloy_dataset_get_partition (dataset, 2)->id, ==, "big.ndjson@4096-8192");
  g_assert_cmpstr (alloy_dataset_get_partition (dataset, 3)->id, ==, "big.ndjson@8192-10000");
  g_assert_cmpstr (alloy_dataset_get_partition (dataset, 4)->id, ==, "big.ndjson.gz");
  g_assert_cmpstr (alloy_dataset_get_partition (dataset, 5)->id, ==, "small.jsonl");
  /* The ranges cover the file exactly. */
  for (guint i = 1; i <= 3; i++)
    {
      const AlloyPartition *partition = alloy_dataset_get_partition (dataset, i);

      g_assert_cmpstr (partition->path, ==, "big.ndjson");
      g_assert_true (partition->is_range);
      g_assert_cmpuint (partition->range_start, ==, next);
      g_assert_cmpuint (partition->size, ==, partition->range_end - partition->range_start);
      g_assert_cmpuint (partition->size, <=, 4096);
      g_assert_cmpuint (partition->file_size, ==, 10000);
      next = partition->range_end;
    }
  g_assert_cmpuint (next, ==, 10000);
  g_assert_cmpuint (alloy_dataset_get_partition (dataset, 4)->size, ==, 10000);
  g_assert_true (alloy_dataset_get_partition (dataset, 4)->compressed);
  g_assert_false (alloy_dataset_get_partition (dataset, 5)->is_range);
  g_assert_true (alloy_dataset_find_partition (dataset, "big.ndjson@4096-8192") ==
                 alloy_dataset_get_partition (dataset, 2));
  g_assert_null (alloy_dataset_find_partition (dataset, "big.ndjson"));
  g_string_free (big, TRUE);
}

static void
test_generation (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyCatalog) first = NULL;
  g_autoptr(AlloyCatalog) second = NULL;
  g_autoptr(AlloyDataset) dataset = NULL;
  g_autofree char *initial = NULL;
  g_autofree char *again = NULL;
  g_autofree char *other = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *touched = NULL;
  g_autofree char *described = NULL;
  g_autofree char *renamed = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  put (fixture, "g/a.ndjson", "{\"a\":1}\n{\"a\":2}\n");
  put (fixture, "g/b.json", "[{\"b\":1}]");
  put (fixture, "h/a.ndjson", "{\"a\":1}\n{\"a\":2}\n");

  first = load (fixture, 8);
  second = load (fixture, 8);
  initial = generation_of (first, "g");
  again = generation_of (second, "g");
  other = generation_of (first, "h");
  g_assert_cmpuint (strlen (initial), ==, 64);
  g_assert_cmpstr (initial, ==, again);
  g_assert_cmpstr (initial, !=, other);

  /* Reloading an unchanged dataset reads nothing. */
  g_assert_true (alloy_catalog_load (first, NULL, NULL));
  dataset = lookup (first, "g");
  g_assert_cmpuint (alloy_dataset_get_n_files_read (dataset), ==, 0);
  g_assert_cmpstr (alloy_dataset_get_generation (dataset), ==, initial);
  g_clear_object (&dataset);

  /* Same size, other bytes. */
  put (fixture, "g/a.ndjson", "{\"a\":1}\n{\"a\":3}\n");
  g_assert_true (alloy_catalog_load (first, NULL, NULL));
  dataset = lookup (first, "g");
  g_assert_cmpuint (alloy_dataset_get_n_files_read (dataset), ==, 1);
  changed = g_strdup (alloy_dataset_get_generation (dataset));
  g_assert_cmpstr (changed, !=, initial);
  g_clear_object (&dataset);

  /* A touch reads the file again but keeps the generation. */
  touch (fixture, "g/a.ndjson");
  g_assert_true (alloy_catalog_load (first, NULL, NULL));
  dataset = lookup (first, "g");
  g_assert_cmpuint (alloy_dataset_get_n_files_read (dataset), ==, 1);
  touched = g_strdup (alloy_dataset_get_generation (dataset));
  g_assert_cmpstr (touched, ==, changed);
  g_clear_object (&dataset);

  /* The settings are part of it. */
  put (fixture, "g/dataset.conf", "[dataset]\ndescription=g\n");
  g_assert_true (alloy_catalog_load (first, NULL, NULL));
  described = generation_of (first, "g");
  g_assert_cmpstr (described, !=, touched);

  /* So is a partition's id. */
  from = g_build_filename (fixture->root, "g", "b.json", NULL);
  to = g_build_filename (fixture->root, "g", "c.json", NULL);
  g_assert_cmpint (g_rename (from, to), ==, 0);
  g_assert_true (alloy_catalog_load (first, NULL, NULL));
  renamed = generation_of (first, "g");
  g_assert_cmpstr (renamed, !=, described);
}

static void
test_symlinks (Fixture *fixture, gconstpointer data)
{
  g_autofree char *outside_file = g_build_filename (fixture->outside, "x.ndjson", NULL);
  g_autofree char *evil_reason = NULL;
  g_autoptr(AlloyCatalog) catalog = NULL;
  g_autoptr(AlloyDataset) a = NULL;
  g_autoptr(AlloyDataset) alias = NULL;
  g_autoptr(AlloyDataset) evil = NULL;
  g_autoptr(GPtrArray) datasets = NULL;
  g_autoptr(GError) error = NULL;
  const AlloyRefusedFile *refused;

  g_assert_true (g_file_set_contents (outside_file, "{\"secret\":1}\n", -1, NULL));
  put (fixture, "a/x.ndjson", "{}\n");
  put (fixture, "b/y.ndjson", "{}\n");
  make_link (fixture, outside_file, "a/leak.ndjson");
  make_link (fixture, "../b/y.ndjson", "a/inner.ndjson");
  make_link (fixture, "nowhere.ndjson", "a/dangling.ndjson");
  make_link (fixture, ".", "a/loop");
  make_link (fixture, fixture->outside, "evil");
  make_link (fixture, "a", "alias");

  catalog = load (fixture, 0);
  a = lookup (catalog, "a");
  g_assert_cmpuint (alloy_dataset_get_n_partitions (a), ==, 2);
  g_assert_cmpstr (alloy_dataset_get_partition (a, 0)->id, ==, "inner.ndjson");
  g_assert_true (g_str_has_suffix (alloy_dataset_get_partition (a, 0)->file, "/b/y.ndjson"));
  g_assert_cmpstr (alloy_dataset_get_partition (a, 1)->id, ==, "x.ndjson");
  g_assert_cmpuint (alloy_dataset_get_n_refused (a), ==, 3);
  refused = alloy_dataset_get_refused (a, 0);
  g_assert_cmpstr (refused->path, ==, "dangling.ndjson");
  g_assert_true (g_str_has_prefix (refused->reason, "broken symbolic link: "));
  refused = alloy_dataset_get_refused (a, 1);
  g_assert_cmpstr (refused->path, ==, "leak.ndjson");
  evil_reason = g_strdup_printf ("symbolic link to %s, outside the location root", outside_file);
  g_assert_cmpstr (refused->reason, ==, evil_reason);
  refused = alloy_dataset_get_refused (a, 2);
  g_assert_cmpstr (refused->path, ==, "loop");
  g_assert_true (g_str_has_suffix (refused->reason, ", a directory that contains it"));

  /* A dataset linked to another one inside the root is fine. */
  alias = lookup (catalog, "alias");
  g_assert_cmpstr (alloy_dataset_get_generation (alias), ==, alloy_dataset_get_generation (a));
  g_assert_cmpstr (alloy_dataset_get_path (alias), ==, alloy_dataset_get_path (a));

  /* One leaving the root is listed as refused, never as data. */
  g_assert_null (alloy_catalog_lookup (catalog, "evil", &error));
  g_assert_error (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_OUTSIDE_ROOT);
  g_assert_nonnull (strstr (error->message, "outside the location root"));
  datasets = alloy_catalog_list (catalog);
  g_assert_cmpuint (datasets->len, ==, 4);
  evil = g_object_ref (datasets->pdata[3]);
  g_assert_cmpstr (alloy_dataset_get_name (evil), ==, "evil");
  g_assert_error (alloy_dataset_get_error (evil), ALLOY_CATALOG_ERROR,
                  ALLOY_CATALOG_ERROR_OUTSIDE_ROOT);
  g_assert_cmpuint (alloy_dataset_get_n_partitions (evil), ==, 0);
}

static void
test_names (Fixture *fixture, gconstpointer data)
{
  const char *const bad[] = { "", ".", "..", "../a", "a/b", "a\\b", ".hidden", "/etc" };
  g_autoptr(AlloyCatalog) catalog = NULL;
  g_autoptr(GError) error = NULL;

  put (fixture, "a/x.json", "[]");
  put (fixture, ".hidden/x.json", "[]");
  catalog = load (fixture, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_null (alloy_catalog_lookup (catalog, bad[i], &error));
      g_assert_error (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_INVALID_NAME);
      g_clear_error (&error);
    }
  g_assert_null (alloy_catalog_lookup (catalog, "nope", &error));
  g_assert_error (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_NOT_FOUND);
  g_assert_true (alloy_catalog_check_name ("a b.c-d_e", NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  alloy_test_log_init ();

#define ADD(path, func) \
  g_test_add ("/catalog/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("datasets", test_datasets);
  ADD ("root-missing", test_root_missing);
  ADD ("grouping", test_grouping);
  ADD ("settings", test_settings);
  ADD ("settings-broken", test_settings_broken);
  ADD ("partitions", test_partitions);
  ADD ("generation", test_generation);
  ADD ("symlinks", test_symlinks);
  ADD ("names", test_names);
#undef ADD

  return g_test_run ();
}
