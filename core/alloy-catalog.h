/* alloy-catalog.h: every dataset under the location root, kept up to date
 * by file monitors.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"
#include "alloy-dataset.h"

G_BEGIN_DECLS

#define ALLOY_CATALOG_ERROR (alloy_catalog_error_quark ())
ALLOY_INTERNAL
GQuark alloy_catalog_error_quark (void);

typedef enum {
  ALLOY_CATALOG_ERROR_NOT_FOUND,    /* no dataset of that name */
  ALLOY_CATALOG_ERROR_INVALID_NAME, /* empty, ".", "..", hidden, or with '/' or '\\' */
  ALLOY_CATALOG_ERROR_OUTSIDE_ROOT, /* a symbolic link resolving out of the location root */
  ALLOY_CATALOG_ERROR_SETTINGS,     /* dataset.conf is invalid */
  ALLOY_CATALOG_ERROR_BROKEN,       /* lookup: the dataset has an error (in the message) */
  ALLOY_CATALOG_ERROR_UNSETTLED,    /* a file changed while it was read */
  ALLOY_CATALOG_ERROR_ROOT,         /* the location root is not a readable directory */
} AlloyCatalogError;

#define ALLOY_TYPE_CATALOG (alloy_catalog_get_type ())
ALLOY_INTERNAL
G_DECLARE_FINAL_TYPE (AlloyCatalog, alloy_catalog, ALLOY, CATALOG, GObject)

/* @root: alloy.samplestore.location; @partition_max_bytes: an uncompressed
 * NDJSON file larger than this is cut into ranges (0: never);
 * @settle_ms: how long a dataset must stay quiet before a change is taken.
 * Nothing is read yet. Every call below is made from the thread-default
 * main context current here, where signals and monitoring run.
 *
 * Signals, each with the dataset's name:
 * ::dataset-added: a dataset is in the catalog (also for the first load);
 * ::dataset-removed: its directory is gone;
 * ::changed: a dataset's generation changed (new snapshot in the catalog).
 * A new snapshot with the same generation (a touched file, a new ignored
 * or refused file) replaces the old one silently. Problems monitoring
 * finds (a dataset that cannot be served, a refused file) are logged as
 * warnings; the caller of a load reports what the load found. */
ALLOY_INTERNAL
AlloyCatalog *alloy_catalog_new (const char *root, guint64 partition_max_bytes, gint64 settle_ms);

/* Scans every dataset now, blocking (files are read in this thread): for
 * the CLI and tests. Before alloy_catalog_start_monitoring() only. FALSE
 * with ALLOY_CATALOG_ERROR_ROOT, or G_IO_ERROR_CANCELLED. */
ALLOY_INTERNAL
gboolean alloy_catalog_load (AlloyCatalog *self, GCancellable *cancellable, GError **error);

/* Watches the root and every dataset directory (recursively); scans run
 * in worker threads. After a load, each dataset is checked once against
 * its loaded listing. Without a load, this is the non-blocking start: every
 * dataset is scanned in the background and announced by ::dataset-added
 * once settled (after two settle periods). A dataset is rescanned when it
 * has been quiet for the settle time: see alloy-catalog.c for the rule. */
ALLOY_INTERNAL
gboolean alloy_catalog_start_monitoring (AlloyCatalog *self, GError **error);
/* Stops monitoring and cancels scans under way; no signal is emitted after
 * this. The datasets stay readable. Idempotent. */
ALLOY_INTERNAL
void alloy_catalog_stop (AlloyCatalog *self);

/* TRUE when no change is waiting to settle and no scan is running. */
ALLOY_INTERNAL
gboolean alloy_catalog_is_settled (AlloyCatalog *self);

ALLOY_INTERNAL
const char *alloy_catalog_get_root (AlloyCatalog *self);

/* Every dataset, broken and refused ones included, sorted by name: a new
 * array of references to immutable snapshots. */
ALLOY_INTERNAL
GPtrArray *alloy_catalog_list (AlloyCatalog *self);

/* FALSE with ALLOY_CATALOG_ERROR_INVALID_NAME unless @name can name a
 * dataset: not empty, not hidden (so not "." or ".."), no '/' or '\\'. */
ALLOY_INTERNAL
gboolean alloy_catalog_check_name (const char *name, GError **error);

/* The current snapshot of a servable dataset (a new reference), or NULL
 * with INVALID_NAME, NOT_FOUND, OUTSIDE_ROOT or BROKEN. */
ALLOY_INTERNAL
AlloyDataset *alloy_catalog_lookup (AlloyCatalog *self, const char *name, GError **error);

G_END_DECLS
