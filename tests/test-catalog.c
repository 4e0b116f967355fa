/* test-catalog.c: datasets, partitions, settings, generations and the
 * monitor, with real files in a temporary directory.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-catalog.h"
#include "alloy-test-utils.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#define SETTLE_MS 100
#define WAIT_MS 10000

typedef struct {
  char *dir;
  char *root;
  char *outside;
  AlloyCatalog *catalog;
  guint added;
  guint removed;
  guint changed;
  char *last_name;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *tmp = alloy_test_make_tmp_dir ();

  /* Resolved, as the catalog reports resolved paths. */
  fixture->dir = realpath (tmp, NULL);
  fixture->root = g_build_filename (fixture->dir, "datasets", NULL);
  fixture->outside = g_build_filename (fixture->dir, "outside", NULL);
  g_assert_cmpint (g_mkdir (fixture->root, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (fixture->outside, 0755), ==, 0);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  if (fixture->catalog != NULL)
    alloy_catalog_stop (fixture->catalog);
  g_clear_object (&fixture->catalog);
  alloy_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->root);
  g_free (fixture->outside);
  g_free (fixture->last_name);
  alloy_test_assert_expected_logs ();
}

/* Writes @contents to ROOT/@rel, creating the directories. */
static char *
write_file (Fixture *fixture, const char *rel, const char *contents)
{
  char *path = g_build_filename (fixture->root, rel, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

static void
put (Fixture *fixture, const char *rel, const char *contents)
{
  g_free (write_file (fixture, rel, contents));
}

static void
make_link (Fixture *fixture, const char *target, const char *rel)
{
  g_autofree char *path = g_build_filename (fixture->root, rel, NULL);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

/* Same bytes, an mtime one second later. */
static void
touch (Fixture *fixture, const char *rel)
{
  g_autofree char *path = g_build_filename (fixture->root, rel, NULL);
  struct timespec times[2];
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  times[0] = st.st_atim;
  times[1] = st.st_mtim;
  times[1].tv_sec += 1;
  g_assert_cmpint (utimensat (AT_FDCWD, path, times, 0), ==, 0);
}

/* @rel: relative to the root, or absolute. */
static gint64
mtime_us (Fixture *fixture, const char *rel)
{
  g_autofree char *path = g_path_is_absolute (rel) ? g_strdup (rel)
                                                   : g_build_filename (fixture->root, rel, NULL);
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  return (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
}

static AlloyCatalog *
load (Fixture *fixture, guint64 partition_max_bytes)
{
  AlloyCatalog *catalog = alloy_catalog_new (fixture->root, partition_max_bytes, SETTLE_MS);
  g_autoptr(GError) error = NULL;

  g_assert_true (alloy_catalog_load (catalog, NULL, &error));
  g_assert_no_error (error);
  return catalog;
}

static AlloyDataset *
lookup (AlloyCatalog *catalog, const char *name)
{
  g_autoptr(GError) error = NULL;
  AlloyDataset *dataset = alloy_catalog_lookup (catalog, name, &error);

  g_assert_no_error (error);
  return dataset;
}

static char *
generation_of (AlloyCatalog *catalog, const char *name)
{
  g_autoptr(AlloyDataset) dataset = lookup (catalog, name);

  return g_strdup (alloy_dataset_get_generation (dataset));
}

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

/* Monitoring */

static void
on_added (AlloyCatalog *catalog, const char *name, Fixture *fixture)
{
  fixture->added++;
  g_free (fixture->last_name);
  fixture->last_name = g_strdup (name);
}

static void
on_removed (AlloyCatalog *catalog, const char *name, Fixture *fixture)
{
  fixture->removed++;
  g_free (fixture->last_name);
  fixture->last_name = g_strdup (name);
}

static void
on_changed (AlloyCatalog *catalog, const char *name, Fixture *fixture)
{
  fixture->changed++;
  g_free (fixture->last_name);
  fixture->last_name = g_strdup (name);
}

static void
start_monitoring (Fixture *fixture, gint64 settle_ms)
{
  g_autoptr(GError) error = NULL;

  fixture->catalog = alloy_catalog_new (fixture->root, 0, settle_ms);
  g_signal_connect (fixture->catalog, "dataset-added", G_CALLBACK (on_added), fixture);
  g_signal_connect (fixture->catalog, "dataset-removed", G_CALLBACK (on_removed), fixture);
  g_signal_connect (fixture->catalog, "changed", G_CALLBACK (on_changed), fixture);
  g_assert_true (alloy_catalog_load (fixture->catalog, NULL, &error));
  g_assert_no_error (error);
  fixture->added = 0;
  g_assert_true (alloy_catalog_start_monitoring (fixture->catalog, &error));
  g_assert_no_error (error);
  g_assert_false (alloy_catalog_is_settled (fixture->catalog));
  ALLOY_TEST_WAIT_UNTIL (alloy_catalog_is_settled (fixture->catalog), WAIT_MS);
}

static gint64
partition_mtime (Fixture *fixture, const char *name, const char *id)
{
  g_autoptr(AlloyDataset) dataset = lookup (fixture->catalog, name);
  const AlloyPartition *partition = alloy_dataset_find_partition (dataset, id);

  return partition ? partition->mtime_us : -1;
}

static void
test_monitor (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyDataset) before = NULL;
  g_autoptr(AlloyDataset) dataset = NULL;
  g_autofree char *generation = NULL;
  g_autofree char *b = g_build_filename (fixture->root, "b", NULL);
  g_autofree char *y = NULL;
  gint64 touched;

  put (fixture, "a/x.ndjson", "{\"x\":1}\n");
  start_monitoring (fixture, SETTLE_MS);
  /* The check after the load read nothing and changed nothing. */
  before = lookup (fixture->catalog, "a");
  g_assert_cmpuint (alloy_dataset_get_n_files_read (before), ==, 0);
  g_assert_cmpuint (fixture->changed, ==, 0);

  /* A new file. */
  y = write_file (fixture, "a/y.ndjson", "{\"y\":1}\n");
  ALLOY_TEST_WAIT_UNTIL (fixture->changed == 1, WAIT_MS);
  g_assert_cmpstr (fixture->last_name, ==, "a");
  dataset = lookup (fixture->catalog, "a");
  g_assert_cmpuint (alloy_dataset_get_n_partitions (dataset), ==, 2);
  g_assert_cmpuint (alloy_dataset_get_n_files_read (dataset), ==, 1);
  g_assert_cmpstr (alloy_dataset_get_generation (dataset), !=,
                   alloy_dataset_get_generation (before));
  /* The snapshot handed out before is untouched. */
  g_assert_cmpuint (alloy_dataset_get_n_partitions (before), ==, 1);
  g_clear_object (&dataset);

  /* A changed file. */
  put (fixture, "a/x.ndjson", "{\"x\":2}\n");
  ALLOY_TEST_WAIT_UNTIL (fixture->changed == 2, WAIT_MS);

  /* A removed file. */
  g_assert_cmpint (g_unlink (y), ==, 0);
  ALLOY_TEST_WAIT_UNTIL (fixture->changed == 3, WAIT_MS);
  dataset = lookup (fixture->catalog, "a");
  g_assert_cmpuint (alloy_dataset_get_n_partitions (dataset), ==, 1);
  generation = g_strdup (alloy_dataset_get_generation (dataset));
  g_clear_object (&dataset);

  /* A touch: a new snapshot with the new mtime, the same generation, no
   * signal. */
  touch (fixture, "a/x.ndjson");
  touched = mtime_us (fixture, "a/x.ndjson");
  ALLOY_TEST_WAIT_UNTIL (partition_mtime (fixture, "a", "x.ndjson") == touched, WAIT_MS);
  ALLOY_TEST_WAIT_UNTIL (alloy_catalog_is_settled (fixture->catalog), WAIT_MS);
  g_assert_cmpuint (fixture->changed, ==, 3);
  dataset = lookup (fixture->catalog, "a");
  g_assert_cmpstr (alloy_dataset_get_generation (dataset), ==, generation);
  g_clear_object (&dataset);

  /* Subdirectories, created and then changed: they are watched too. */
  put (fixture, "a/2026/11/z.ndjson", "{\"z\":1}\n");
  ALLOY_TEST_WAIT_UNTIL (fixture->changed == 4, WAIT_MS);
  g_assert_cmpint (partition_mtime (fixture, "a", "2026/11/z.ndjson"), >, 0);
  put (fixture, "a/2026/11/z.ndjson", "{\"z\":2}\n");
  ALLOY_TEST_WAIT_UNTIL (fixture->changed == 5, WAIT_MS);

  /* A broken dataset.conf is a change, and a warning. */
  alloy_test_expect_log ("alloy", G_LOG_LEVEL_WARNING,
                         "dataset a cannot be served: */a/dataset.conf:2: [dataset] "
                         "root-version: 'x' is not an integer");
  put (fixture, "a/dataset.conf", "[dataset]\nroot-version=x\n");
  ALLOY_TEST_WAIT_UNTIL (fixture->changed == 6, WAIT_MS);
  g_assert_null (alloy_catalog_lookup (fixture->catalog, "a", NULL));
  put (fixture, "a/dataset.conf", "[dataset]\nroot-version=2\n");
  ALLOY_TEST_WAIT_UNTIL (fixture->changed == 7, WAIT_MS);
  dataset = lookup (fixture->catalog, "a");
  g_assert_cmpint (alloy_dataset_get_root_version (dataset), ==, 2);
  g_clear_object (&dataset);

  /* A new dataset, then its removal. */
  g_assert_cmpint (g_mkdir (b, 0755), ==, 0);
  put (fixture, "b/z.json", "[{\"z\":1}]");
  ALLOY_TEST_WAIT_UNTIL (fixture->added == 1, WAIT_MS);
  g_assert_cmpstr (fixture->last_name, ==, "b");
  dataset = lookup (fixture->catalog, "b");
  g_assert_cmpuint (alloy_dataset_get_n_partitions (dataset), ==, 1);
  g_clear_object (&dataset);
  alloy_test_remove_tree (b);
  ALLOY_TEST_WAIT_UNTIL (fixture->removed == 1, WAIT_MS);
  g_assert_cmpstr (fixture->last_name, ==, "b");
  g_assert_null (alloy_catalog_lookup (fixture->catalog, "b", NULL));

  ALLOY_TEST_WAIT_UNTIL (alloy_catalog_is_settled (fixture->catalog), WAIT_MS);
  g_assert_cmpuint (fixture->changed, ==, 7);
  g_assert_cmpuint (fixture->added, ==, 1);
  g_assert_cmpuint (fixture->removed, ==, 1);
}

typedef struct {
  Fixture *fixture;
  char *path;
  GChecksum *checksum;
  guint appends;
  gboolean failed;
} Appender;

static gboolean
on_append (gpointer user_data)
{
  Appender *appender = user_data;
  g_autoptr(AlloyDataset) dataset = lookup (appender->fixture->catalog, "a");
  g_autofree char *line = g_strdup_printf ("{\"n\":%u}\n", appender->appends);
  FILE *file;

  /* Never picked up while it is being written. */
  if (appender->fixture->changed != 0 ||
      alloy_dataset_find_partition (dataset, "growing.ndjson") != NULL)
    appender->failed = TRUE;
  file = fopen (appender->path, "a");
  g_assert_nonnull (file);
  fputs (line, file);
  fclose (file);
  g_checksum_update (appender->checksum, (const guchar *) line, strlen (line));
  appender->appends++;
  return appender->appends < 60 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
test_monitor_appending (Fixture *fixture, gconstpointer data)
{
  const gint64 settle_ms = 200;
  Appender appender = { fixture };
  g_autoptr(AlloyDataset) dataset = NULL;
  const AlloyPartition *partition;

  put (fixture, "a/x.ndjson", "{}\n");
  start_monitoring (fixture, settle_ms);
  appender.path = g_build_filename (fixture->root, "a", "growing.ndjson", NULL);
  appender.checksum = g_checksum_new (G_CHECKSUM_SHA256);

  /* 60 appends 10 ms apart: three settle periods of writing. */
  g_timeout_add (10, on_append, &appender);
  ALLOY_TEST_WAIT_UNTIL (appender.appends == 60, WAIT_MS);
  g_assert_false (appender.failed);
  g_assert_cmpuint (fixture->changed, ==, 0);

  ALLOY_TEST_WAIT_UNTIL (fixture->changed == 1, WAIT_MS);
  dataset = lookup (fixture->catalog, "a");
  partition = alloy_dataset_find_partition (dataset, "growing.ndjson");
  g_assert_nonnull (partition);
  g_assert_cmpstr (partition->digest, ==, g_checksum_get_string (appender.checksum));
  ALLOY_TEST_WAIT_UNTIL (alloy_catalog_is_settled (fixture->catalog), WAIT_MS);
  g_assert_cmpuint (fixture->changed, ==, 1);

  g_checksum_free (appender.checksum);
  g_free (appender.path);
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context for @ms: room for signals that must not come. */
static void
run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timeout, &done);
  ALLOY_TEST_WAIT_UNTIL (done, ms + WAIT_MS);
}

static void
test_monitor_stop (Fixture *fixture, gconstpointer data)
{
  put (fixture, "a/x.ndjson", "{}\n");
  start_monitoring (fixture, SETTLE_MS);

  /* Stopped while a change waits to settle. */
  put (fixture, "a/x.ndjson", "{\"x\":1}\n");
  ALLOY_TEST_WAIT_UNTIL (!alloy_catalog_is_settled (fixture->catalog), WAIT_MS);
  alloy_catalog_stop (fixture->catalog);
  g_assert_true (alloy_catalog_is_settled (fixture->catalog));
  put (fixture, "b/x.ndjson", "{}\n");
  run_for (4 * SETTLE_MS);
  g_assert_cmpuint (fixture->changed + fixture->added + fixture->removed, ==, 0);
  alloy_catalog_stop (fixture->catalog);
}

/* The server's start: no load, every dataset scanned in the background. */
static void
test_monitor_without_load (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) initial = NULL;
  g_autoptr(GPtrArray) datasets = NULL;

  put (fixture, "a/x.ndjson", "{}\n");
  put (fixture, "b/y.json", "[]");
  fixture->catalog = alloy_catalog_new (fixture->root, 0, SETTLE_MS);
  g_signal_connect (fixture->catalog, "dataset-added", G_CALLBACK (on_added), fixture);
  g_signal_connect (fixture->catalog, "changed", G_CALLBACK (on_changed), fixture);
  g_assert_true (alloy_catalog_start_monitoring (fixture->catalog, &error));
  g_assert_no_error (error);
  initial = alloy_catalog_list (fixture->catalog);
  g_assert_cmpuint (initial->len, ==, 0);
  ALLOY_TEST_WAIT_UNTIL (fixture->added == 2, WAIT_MS);
  ALLOY_TEST_WAIT_UNTIL (alloy_catalog_is_settled (fixture->catalog), WAIT_MS);
  datasets = alloy_catalog_list (fixture->catalog);
  g_assert_cmpuint (datasets->len, ==, 2);
  g_assert_cmpuint (alloy_dataset_get_n_partitions (datasets->pdata[0]), ==, 1);
  g_assert_cmpuint (alloy_dataset_get_n_files_read (datasets->pdata[1]), ==, 1);
  g_assert_cmpuint (fixture->changed, ==, 0);
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
  ADD ("monitor", test_monitor);
  ADD ("monitor-appending", test_monitor_appending);
  ADD ("monitor-stop", test_monitor_stop);
  ADD ("monitor-without-load", test_monitor_without_load);
#undef ADD

  return g_test_run ();
}
