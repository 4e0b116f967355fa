/* catalog-test-utils.c: the fixture and file helpers of the catalog tests:
 * a location root and an outside directory in a temporary directory.
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

void
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

void
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
char *
write_file (Fixture *fixture, const char *rel, const char *contents)
{
  char *path = g_build_filename (fixture->root, rel, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

void
put (Fixture *fixture, const char *rel, const char *contents)
{
  g_free (write_file (fixture, rel, contents));
}

void
make_link (Fixture *fixture, const char *target, const char *rel)
{
  g_autofree char *path = g_build_filename (fixture->root, rel, NULL);

  g_assert_cmpint (symlink (target, path), ==, 0);
}

/* Same bytes, an mtime one second later. */
void
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
gint64
mtime_us (Fixture *fixture, const char *rel)
{
  g_autofree char *path = g_path_is_absolute (rel) ? g_strdup (rel)
                                                   : g_build_filename (fixture->root, rel, NULL);
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  return (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
}

AlloyCatalog *
load (Fixture *fixture, guint64 partition_max_bytes)
{
  AlloyCatalog *catalog = alloy_catalog_new (fixture->root, partition_max_bytes, SETTLE_MS);
  g_autoptr(GError) error = NULL;

  g_assert_true (alloy_catalog_load (catalog, NULL, &error));
  g_assert_no_error (error);
  return catalog;
}

AlloyDataset *
lookup (AlloyCatalog *catalog, const char *name)
{
  g_autoptr(GError) error = NULL;
  AlloyDataset *dataset = alloy_catalog_lookup (catalog, name, &error);

  g_assert_no_error (error);
  return dataset;
}

char *
generation_of (AlloyCatalog *catalog, const char *name)
{
  g_autoptr(AlloyDataset) dataset = lookup (catalog, name);

  return g_strdup (alloy_dataset_get_generation (dataset));
}
