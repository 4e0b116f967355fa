/* alloy-dataset-private.h: what the pieces of a dataset share: the listing
 * (alloy-dataset-listing.c) that the build (alloy-dataset.c) reads, and the
 * parsing of dataset.conf (alloy-dataset-settings.c).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-dataset.h"

#include <sys/stat.h>

G_BEGIN_DECLS

/* A data file's format, by the ending of its name. */
typedef struct {
  const char *suffix;
  const char *reader;
  gboolean compressed;
} AlloyDatasetFormat;

typedef struct {
  char *path; /* relative to the dataset directory */
  char *real;
  const AlloyDatasetFormat *format; /* NULL for dataset.conf */
  char *key;                        /* alloy_dataset_stat_key() */
  guint64 size;
  gint64 mtime_us;
} AlloyListedFile;

struct _AlloyDatasetListing {
  char *root;
  char *name;
  char *path; /* ROOT/NAME */
  char *real; /* resolved, NULL when refused */
  GError *error;
  AlloyListedFile *settings;
  char *settings_problem;
  GPtrArray *files;       /* AlloyListedFile, sorted by path */
  GPtrArray *ignored;     /* char *, sorted, NULL-terminated */
  GPtrArray *refused;     /* AlloyRefusedFile */
  GPtrArray *directories; /* char *, NULL-terminated */
  GPtrArray *ancestors;   /* "dev:ino" during the walk: a link back to one is a cycle */
  GChecksum *checksum;    /* during the walk */
  char *fingerprint;
};

/* alloy-dataset-listing.c */

/* What identifies a file's bytes without reading them: the digest cache
 * key, and what a read checks before and after. */
char *alloy_dataset_stat_key (const struct stat *st);
AlloyRefusedFile *alloy_refused_file_new (const char *path, const char *reason);
void alloy_refused_file_free (AlloyRefusedFile *refused);
/* For g_ptr_array_sort(): AlloyListedFile and AlloyRefusedFile both begin
 * with their path. */
gint alloy_dataset_compare_paths (gconstpointer a, gconstpointer b);

/* alloy-dataset-settings.c */

/* Parses and checks dataset.conf's @contents (@display names it in errors).
 * FALSE with ALLOY_CATALOG_ERROR_SETTINGS. Each value is stored as soon as
 * it is checked: on an error, the ones before the bad one are set. */
gboolean alloy_dataset_settings_parse (const char *display, GByteArray *contents, char **schema,
                                       gint *root_version, char **description, GError **error);

G_END_DECLS
