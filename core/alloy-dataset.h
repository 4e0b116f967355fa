/* alloy-dataset.h: one dataset, an immutable snapshot of a directory under
 * the location root: its files, partitions, settings and generation.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

/* The settings file inside a dataset directory, and its one group. */
#define ALLOY_DATASET_SETTINGS_FILE "dataset.conf"
#define ALLOY_DATASET_SETTINGS_GROUP "dataset"

/* Reader modules, chosen by extension (case-insensitively):
 * .json .json.gz -> reader_json; .ndjson .jsonl (.gz) -> reader_ndjson. */
#define ALLOY_DATASET_READER_JSON "reader_json"
#define ALLOY_DATASET_READER_NDJSON "reader_ndjson"

/**
 * AlloyPartition:
 * @id: stable and unique in the dataset: the file's relative path, with
 *   `@START-END` appended for a byte range (`big.ndjson@0-268435456`)
 * @path: the file, relative to the dataset directory, `/`-separated
 * @file: the file's resolved absolute path, what a stream opens
 * @reader: the reader module's name
 * @compressed: a gzip file (read as a whole)
 * @is_range: one of several byte ranges of one uncompressed NDJSON file
 * @range_start: the range's first byte (0 for a whole file)
 * @range_end: one past the range's last byte (the file size for a whole
 *   file); readers align ranges to lines
 * @size: @range_end - @range_start
 * @file_size: the whole file's size when it was scanned
 * @mtime_us: the file's modification time, microseconds since the epoch
 * @digest: SHA-256 of the whole file's bytes, in hex
 *
 * Owned by its dataset and as immutable.
 */
typedef struct {
  char *id;
  char *path;
  char *file;
  const char *reader;
  gboolean compressed;
  gboolean is_range;
  guint64 range_start;
  guint64 range_end;
  guint64 size;
  guint64 file_size;
  gint64 mtime_us;
  char *digest;
} AlloyPartition;

/* An entry that is neither data nor ignored, and why (a symbolic link out
 * of the location root, a special file, an unreadable file, a cycle). */
typedef struct {
  char *path; /* relative to the dataset directory */
  char *reason;
} AlloyRefusedFile;

#define ALLOY_TYPE_DATASET (alloy_dataset_get_type ())
ALLOY_INTERNAL
G_DECLARE_FINAL_TYPE (AlloyDataset, alloy_dataset, ALLOY, DATASET, GObject)

/* The directory's name under the location root. */
ALLOY_INTERNAL
const char *alloy_dataset_get_name (AlloyDataset *self);
/* The directory's resolved absolute path (ROOT/NAME when it could not be
 * resolved). */
ALLOY_INTERNAL
const char *alloy_dataset_get_path (AlloyDataset *self);

/* Why this dataset cannot be served, or NULL: ALLOY_CATALOG_ERROR_SETTINGS
 * (a bad dataset.conf), _OUTSIDE_ROOT (the directory is a symbolic link out
 * of the root), _UNSETTLED or a G_IO_ERROR (the directory cannot be read).
 * Files and partitions are still listed when the directory could be read. */
ALLOY_INTERNAL
const GError *alloy_dataset_get_error (AlloyDataset *self);

/* dataset.conf: `schema`, or NULL (the view's schema name is used). */
ALLOY_INTERNAL
const char *alloy_dataset_get_schema (AlloyDataset *self);
/* `root-version`, or 0 when unset (alloy.samplestore.json.rootVersion). */
ALLOY_INTERNAL
gint alloy_dataset_get_root_version (AlloyDataset *self);
/* `description`, or NULL. */
ALLOY_INTERNAL
const char *alloy_dataset_get_description (AlloyDataset *self);

/* Sorted by path, then by range_start: the order of @id for a file's
 * ranges, which a plain string order would not keep (`@100-` < `@20-`). */
ALLOY_INTERNAL
guint alloy_dataset_get_n_partitions (AlloyDataset *self);
ALLOY_INTERNAL
const AlloyPartition *alloy_dataset_get_partition (AlloyDataset *self, guint index);
ALLOY_INTERNAL
const AlloyPartition *alloy_dataset_find_partition (AlloyDataset *self, const char *id);
/* Data files (a file cut into ranges counts once), and their bytes. */
ALLOY_INTERNAL
guint alloy_dataset_get_n_files (AlloyDataset *self);
ALLOY_INTERNAL
guint64 alloy_dataset_get_total_bytes (AlloyDataset *self);

/* SHA-256 in hex over dataset.conf's bytes and, for each partition in
 * order, its id, range and file digest: it changes exactly when what a
 * stream would deliver changes. */
ALLOY_INTERNAL
const char *alloy_dataset_get_generation (AlloyDataset *self);

/* Files no reader takes (hidden ones included; a hidden directory is one
 * entry ending in `/`, not descended into), sorted, NULL-terminated. */
ALLOY_INTERNAL
const char *const *alloy_dataset_get_ignored (AlloyDataset *self);
ALLOY_INTERNAL
guint alloy_dataset_get_n_refused (AlloyDataset *self);
ALLOY_INTERNAL
const AlloyRefusedFile *alloy_dataset_get_refused (AlloyDataset *self, guint index);

/* How many files this snapshot had to read to digest them: the others came
 * from the previous snapshot's cache (same size, mtime and inode). */
ALLOY_INTERNAL
guint alloy_dataset_get_n_files_read (AlloyDataset *self);

/* Scanning, in two steps so that the catalog can wait for a directory to
 * be quiet without reading any file. Both block and are thread-safe. */
typedef struct _AlloyDatasetListing AlloyDatasetListing;

/* Walks ROOT/NAME (@root is the location root's resolved path) and stats
 * every entry; reads no file. Never fails: problems are in the listing. */
ALLOY_INTERNAL
AlloyDatasetListing *alloy_dataset_listing_new (const char *root, const char *name,
                                                GCancellable *cancellable);
ALLOY_INTERNAL
void alloy_dataset_listing_free (AlloyDatasetListing *listing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyDatasetListing, alloy_dataset_listing_free)

/* A digest of the names, types, sizes, mtimes and inodes seen: equal
 * fingerprints mean that nothing visibly changed in between. */
ALLOY_INTERNAL
const char *alloy_dataset_listing_get_fingerprint (const AlloyDatasetListing *listing);
/* The resolved paths of the dataset's directories, its own first: what to
 * monitor. */
ALLOY_INTERNAL
const char *const *alloy_dataset_listing_get_directories (const AlloyDatasetListing *listing);

/* Reads dataset.conf and digests the data files, reusing @previous's
 * digests (nullable) for files whose size, mtime and inode did not change.
 * NULL with ALLOY_CATALOG_ERROR_UNSETTLED when a file changed while it was
 * read, or G_IO_ERROR_CANCELLED. */
ALLOY_INTERNAL
AlloyDataset *alloy_dataset_build (const AlloyDatasetListing *listing,
                                   guint64 partition_max_bytes, AlloyDataset *previous,
                                   GCancellable *cancellable, GError **error);

/* A snapshot of the listing that cannot be served because of @error. */
ALLOY_INTERNAL
AlloyDataset *alloy_dataset_new_failed (const AlloyDatasetListing *listing, const GError *error);

G_END_DECLS
