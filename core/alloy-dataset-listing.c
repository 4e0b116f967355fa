/* alloy-dataset-listing.c: the listing of one dataset, the first step of
 * a scan: walks the directory and stats every entry without opening a
 * file, sorting what it finds into data files, dataset.conf, ignored and
 * refused entries, and digests what it saw into a fingerprint. Cheap
 * enough to repeat while the catalog waits for a directory to settle.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-dataset-private.h"
#include "alloy-catalog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Matched against the lower-cased name; no suffix ends another. */
static const AlloyDatasetFormat formats[] = {
  { ".ndjson.gz", ALLOY_DATASET_READER_NDJSON, TRUE },
  { ".jsonl.gz", ALLOY_DATASET_READER_NDJSON, TRUE },
  { ".json.gz", ALLOY_DATASET_READER_JSON, TRUE },
  { ".ndjson", ALLOY_DATASET_READER_NDJSON, FALSE },
  { ".jsonl", ALLOY_DATASET_READER_NDJSON, FALSE },
  { ".json", ALLOY_DATASET_READER_JSON, FALSE },
};

static void
listed_file_free (AlloyListedFile *file)
{
  g_free (file->path);
  g_free (file->real);
  g_free (file->key);
  g_free (file);
}

AlloyRefusedFile *
alloy_refused_file_new (const char *path, const char *reason)
{
  AlloyRefusedFile *refused = g_new0 (AlloyRefusedFile, 1);

  refused->path = g_strdup (path);
  refused->reason = g_strdup (reason);
  return refused;
}

void
alloy_refused_file_free (AlloyRefusedFile *refused)
{
  g_free (refused->path);
  g_free (refused->reason);
  g_free (refused);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

gint
alloy_dataset_compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (**(const char *const *const *) a, **(const char *const *const *) b);
}

char *
alloy_dataset_stat_key (const struct stat *st)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ":%" G_GINT64_FORMAT
                          ":%" G_GINT64_FORMAT ".%09ld", (guint64) st->st_dev,
                          (guint64) st->st_ino, (gint64) st->st_size,
                          (gint64) st->st_mtim.tv_sec, (long) st->st_mtim.tv_nsec);
}

static gboolean
is_inside (const char *root, const char *path)
{
  gsize n = strlen (root);

  if (strcmp (root, "/") == 0)
    return path[0] == '/' && path[1] != '\0';
  return strncmp (path, root, n) == 0 && path[n] == '/';
}

/* realpath(3), which resolves a symbolic link in any component; NULL with
 * errno set. */
static char *
resolve (const char *path)
{
  char *resolved = realpath (path, NULL);
  char *copy = g_strdup (resolved);
  int saved_errno = errno;

  free (resolved);
  errno = saved_errno;
  return copy;
}

static const AlloyDatasetFormat *
find_format (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_str_has_suffix (lower, formats[i].suffix) && strlen (lower) > strlen (formats[i].suffix))
      return &formats[i];
  return NULL;
}

/* One record of the fingerprint, NUL-separated: names may hold anything. */
static void
fingerprint_add (AlloyDatasetListing *listing, char kind, const char *path, const char *detail)
{
  g_checksum_update (listing->checksum, (const guchar *) &kind, 1);
  g_checksum_update (listing->checksum, (const guchar *) path, strlen (path) + 1);
  g_checksum_update (listing->checksum, (const guchar *) detail, strlen (detail) + 1);
}

static void refuse (AlloyDatasetListing *listing, const char *path, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

static void
refuse (AlloyDatasetListing *listing, const char *path, const char *format, ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (listing->refused, alloy_refused_file_new (path, reason));
  fingerprint_add (listing, 'r', path, reason);
}

static AlloyListedFile *
listed_file_new (const char *path, const char *real, const struct stat *st,
                 const AlloyDatasetFormat *format)
{
  AlloyListedFile *file = g_new0 (AlloyListedFile, 1);

  file->path = g_strdup (path);
  file->real = g_strdup (real);
  file->format = format;
  file->key = alloy_dataset_stat_key (st);
  file->size = st->st_size;
  file->mtime_us = (gint64) st->st_mtim.tv_sec * G_USEC_PER_SEC + st->st_mtim.tv_nsec / 1000;
  return file;
}

static char *
dir_id (const struct stat *st)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, (guint64) st->st_dev,
                          (guint64) st->st_ino);
}

static void walk (AlloyDatasetListing *listing, const char *dir_real, const char *prefix,
                  GCancellable *cancellable);

static void
walk_directory (AlloyDatasetListing *listing, const char *real, const char *prefix,
                const struct stat *st, GCancellable *cancellable)
{
  g_ptr_array_add (listing->directories, g_strdup (real));
  g_ptr_array_add (listing->ancestors, dir_id (st));
  walk (listing, real, prefix, cancellable);
  g_ptr_array_set_size (listing->ancestors, listing->ancestors->len - 1);
}

static void
walk_entry (AlloyDatasetListing *listing, const char *full, const char *rel, const char *name,
            gboolean at_top, GCancellable *cancellable)
{
  gboolean is_settings = at_top && strcmp (name, ALLOY_DATASET_SETTINGS_FILE) == 0;
  g_autofree char *real = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *key = NULL;
  g_autofree char *id = NULL;
  const AlloyDatasetFormat *format;
  struct stat st;

  if (lstat (full, &st) != 0)
    {
      /* Gone since the directory was read: not listed, but noticed. */
      fingerprint_add (listing, 'x', rel, g_strerror (errno));
      return;
    }
  if (name[0] == '.')
    {
      key = alloy_dataset_stat_key (&st);
      g_ptr_array_add (listing->ignored, S_ISDIR (st.st_mode) ? g_strconcat (rel, "/", NULL)
                                                              : g_strdup (rel));
      fingerprint_add (listing, 'i', rel, key);
      return;
    }
  real = S_ISLNK (st.st_mode) ? resolve (full) : g_strdup (full);
  if (real == NULL)
    reason = g_strdup_printf ("broken symbolic link: %s", g_strerror (errno));
  else if (!is_inside (listing->root, real))
    reason = g_strdup_printf ("symbolic link to %s, outside the location root", real);
  else if (S_ISLNK (st.st_mode) && stat (real, &st) != 0)
    reason = g_strdup_printf ("cannot be read: %s", g_strerror (errno));
  else if (is_settings && !S_ISREG (st.st_mode))
    reason = g_strdup ("not a regular file");
  else if (S_ISDIR (st.st_mode) &&
           g_ptr_array_find_with_equal_func (listing->ancestors, (id = dir_id (&st)),
                                             g_str_equal, NULL))
    reason = g_strdup_printf ("symbolic link to %s, a directory that contains it", real);
  else if (!S_ISDIR (st.st_mode) && !S_ISREG (st.st_mode))
    reason = g_strdup ("not a regular file or directory");
  if (reason != NULL)
    {
      refuse (listing, rel, "%s", reason);
      /* Unknown settings break the dataset. */
      if (is_settings)
        listing->settings_problem = g_steal_pointer (&reason);
      return;
    }

  key = alloy_dataset_stat_key (&st);
  if (is_settings)
    {
      listing->settings = listed_file_new (rel, real, &st, NULL);
      fingerprint_add (listing, 's', rel, key);
    }
  else if (S_ISDIR (st.st_mode))
    {
      fingerprint_add (listing, 'd', rel, key);
      walk_directory (listing, real, rel, &st, cancellable);
    }
  else if ((format = find_format (name)) == NULL)
    {
      g_ptr_array_add (listing->ignored, g_strdup (rel));
      fingerprint_add (listing, 'i', rel, key);
    }
  else
    {
      g_ptr_array_add (listing->files, listed_file_new (rel, real, &st, format));
      fingerprint_add (listing, 'f', rel, key);
    }
}

static void
walk (AlloyDatasetListing *listing, const char *dir_real, const char *prefix,
      GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_real, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL && prefix == NULL)
    g_set_error (&listing->error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", listing->path,
                 error->message);
  else if (dir == NULL)
    refuse (listing, prefix, "cannot be read: %s", error->message);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      const char *entry = g_ptr_array_index (names, i);
      g_autofree char *rel = prefix ? g_strconcat (prefix, "/", entry, NULL) : g_strdup (entry);
      g_autofree char *full = g_build_filename (dir_real, entry, NULL);

      walk_entry (listing, full, rel, entry, prefix == NULL, cancellable);
    }
}

AlloyDatasetListing *
alloy_dataset_listing_new (const char *root, const char *name, GCancellable *cancellable)
{
  AlloyDatasetListing *listing = g_new0 (AlloyDatasetListing, 1);
  struct stat st;

  listing->root = g_strdup (root);
  listing->name = g_strdup (name);
  listing->path = g_build_filename (root, name, NULL);
  listing->files = g_ptr_array_new_with_free_func ((GDestroyNotify) listed_file_free);
  listing->ignored = g_ptr_array_new_with_free_func (g_free);
  listing->refused = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_refused_file_free);
  listing->directories = g_ptr_array_new_with_free_func (g_free);
  listing->ancestors = g_ptr_array_new_with_free_func (g_free);
  listing->checksum = g_checksum_new (G_CHECKSUM_SHA256);

  if (lstat (listing->path, &st) != 0)
    g_set_error (&listing->error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s",
                 listing->path, g_strerror (errno));
  else if ((listing->real = resolve (listing->path)) == NULL)
    g_set_error (&listing->error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 "%s: broken symbolic link: %s", listing->path, g_strerror (errno));
  else if (!is_inside (root, listing->real))
    g_set_error (&listing->error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_OUTSIDE_ROOT,
                 "%s: symbolic link to %s, outside the location root", listing->path,
                 listing->real);
  else if (stat (listing->real, &st) != 0 || !S_ISDIR (st.st_mode))
    g_set_error (&listing->error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY, "%s: not a directory",
                 listing->path);
  else
    walk_directory (listing, listing->real, NULL, &st, cancellable);
  if (listing->error != NULL)
    {
      g_clear_pointer (&listing->real, g_free);
      g_ptr_array_set_size (listing->directories, 0);
      fingerprint_add (listing, 'e', "", listing->error->message);
    }
  if (listing->settings_problem != NULL)
    fingerprint_add (listing, 'p', "", listing->settings_problem);

  g_ptr_array_sort (listing->files, alloy_dataset_compare_paths);
  g_ptr_array_sort (listing->ignored, compare_strings);
  g_ptr_array_add (listing->ignored, NULL);
  g_ptr_array_add (listing->directories, NULL);
  listing->fingerprint = g_strdup (g_checksum_get_string (listing->checksum));
  g_clear_pointer (&listing->checksum, g_checksum_free);
  g_clear_pointer (&listing->ancestors, g_ptr_array_unref);
  return listing;
}

void
alloy_dataset_listing_free (AlloyDatasetListing *listing)
{
  if (listing == NULL)
    return;
  g_free (listing->root);
  g_free (listing->name);
  g_free (listing->path);
  g_free (listing->real);
  g_clear_error (&listing->error);
  g_clear_pointer (&listing->settings, listed_file_free);
  g_free (listing->settings_problem);
  g_ptr_array_unref (listing->files);
  g_ptr_array_unref (listing->ignored);
  g_ptr_array_unref (listing->refused);
  g_ptr_array_unref (listing->directories);
  g_free (listing->fingerprint);
  g_free (listing);
}

const char *
alloy_dataset_listing_get_fingerprint (const AlloyDatasetListing *listing)
{
  return listing->fingerprint;
}

const char *const *
alloy_dataset_listing_get_directories (const AlloyDatasetListing *listing)
{
  return (const char *const *) listing->directories->pdata;
}
