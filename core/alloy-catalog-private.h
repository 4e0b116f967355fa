/* alloy-catalog-private.h: what the catalog (alloy-catalog.c) takes from
 * its blocking, thread-safe part (alloy-catalog-scan.c): the listing of the
 * location root and the scan of one dataset.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-catalog.h"

G_BEGIN_DECLS

/* A dataset directory directly under the location root. */
typedef struct {
  char *name;
  guint64 dev; /* ROOT/NAME as lstat saw it */
  guint64 ino;
} AlloyRootItem;

/* The directories (or links to directories) directly under the root, not
 * hidden, sorted: a new array of AlloyRootItem, or NULL with
 * ALLOY_CATALOG_ERROR_ROOT. Thread-safe. */
GPtrArray *alloy_catalog_list_root (const char *root_real, GError **error);

/* One scan of a dataset: the listing, then the build unless the listing
 * says to wait. */
typedef struct {
  char *root_real;
  char *name;
  guint64 partition_max_bytes;
  char *expect;   /* build only when the listing has this fingerprint */
  gboolean force; /* a load: build whatever the listing, retry when unsettled */
  AlloyDataset *previous;
  AlloyDatasetListing *listing;
  AlloyDataset *dataset;
  gboolean unsettled;
} AlloyScanJob;

/* @previous (nullable): the snapshot whose digests the build reuses. */
AlloyScanJob *alloy_scan_job_new (const char *root_real, const char *name,
                                  guint64 partition_max_bytes, AlloyDataset *previous);
void alloy_scan_job_free (AlloyScanJob *job);
/* Blocking; thread-safe: touches nothing but @job. FALSE when cancelled. */
gboolean alloy_scan_job_run (AlloyScanJob *job, GCancellable *cancellable, GError **error);

G_END_DECLS
