/* test-catalog-monitor.c: the catalog's file monitor and its settle rule,
 * with real files written, changed and removed in a temporary directory.
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
  ADD ("monitor", test_monitor);
  ADD ("monitor-appending", test_monitor_appending);
  ADD ("monitor-stop", test_monitor_stop);
  ADD ("monitor-without-load", test_monitor_without_load);
#undef ADD

  return g_test_run ();
}
