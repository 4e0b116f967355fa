/* alloy-catalog-scan.c: the catalog's blocking work, safe in any thread:
 * listing the location root (which datasets there are), and a scan of one
 * dataset (its listing, then its build; a load retries an unsettled one).
 * The catalog runs scans in worker threads when it monitors, and in its
 * own thread when it loads.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-catalog-private.h"

#include <string.h>
#include <sys/stat.h>

/* A load retries a scan that sees files changing this often before it
 * lists the dataset with the UNSETTLED error. */
#define LOAD_ATTEMPTS 3

static void
root_item_free (AlloyRootItem *item)
{
  g_free (item->name);
  g_free (item);
}

static gint
compare_root_items (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(AlloyRootItem *const *) a)->name, (*(AlloyRootItem *const *) b)->name);
}

GPtrArray *
alloy_catalog_list_root (const char *root_real, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = g_dir_open (root_real, 0, &local_error);
  g_autoptr(GPtrArray) items = NULL;
  const char *name;

  if (dir == NULL)
    {
      g_set_error (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_ROOT, "%s",
                   local_error->message);
      return NULL;
    }
  items = g_ptr_array_new_with_free_func ((GDestroyNotify) root_item_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (root_real, name, NULL);
      struct stat st, target;
      AlloyRootItem *item;

      if (name[0] == '.' || lstat (path, &st) != 0)
        continue;
      if (!S_ISDIR (st.st_mode) &&
          !(S_ISLNK (st.st_mode) && stat (path, &target) == 0 && S_ISDIR (target.st_mode)))
        continue;
      item = g_new0 (AlloyRootItem, 1);
      item->name = g_strdup (name);
      item->dev = st.st_dev;
      item->ino = st.st_ino;
      g_ptr_array_add (items, item);
    }
  g_ptr_array_sort (items, compare_root_items);
  return g_steal_pointer (&items);
}

AlloyScanJob *
alloy_scan_job_new (const char *root_real, const char *name, guint64 partition_max_bytes,
                    AlloyDataset *previous)
{
  AlloyScanJob *job = g_new0 (AlloyScanJob, 1);

  job->root_real = g_strdup (root_real);
  job->name = g_strdup (name);
  job->partition_max_bytes = partition_max_bytes;
  job->previous = previous ? g_object_ref (previous) : NULL;
  return job;
}

void
alloy_scan_job_free (AlloyScanJob *job)
{
  g_free (job->root_real);
  g_free (job->name);
  g_free (job->expect);
  g_clear_object (&job->previous);
  alloy_dataset_listing_free (job->listing);
  g_clear_object (&job->dataset);
  g_free (job);
}

gboolean
alloy_scan_job_run (AlloyScanJob *job, GCancellable *cancellable, GError **error)
{
  for (guint attempt = 1;; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      alloy_dataset_listing_free (job->listing);
      job->listing = alloy_dataset_listing_new (job->root_real, job->name, cancellable);
      if (!job->force &&
          g_strcmp0 (job->expect, alloy_dataset_listing_get_fingerprint (job->listing)) != 0)
        return TRUE;
      job->dataset = alloy_dataset_build (job->listing, job->partition_max_bytes, job->previous,
                                          cancellable, &local_error);
      job->unsettled = job->dataset == NULL;
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (job->dataset != NULL || !job->force)
        return TRUE;
      if (attempt == LOAD_ATTEMPTS)
        {
          job->dataset = alloy_dataset_new_failed (job->listing, local_error);
          return TRUE;
        }
    }
}
