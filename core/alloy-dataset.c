/* alloy-dataset.c: one dataset: the snapshot that a scan builds from a
 * listing (alloy-dataset-listing.c), with its partitions and generation.
 *
 * Scanning has two steps. The listing walks the directory and stats every
 * entry without opening a file: cheap enough to repeat while the catalog
 * waits for a directory to settle. The build reads dataset.conf (parsed by
 * alloy-dataset-settings.c) and digests the data files, taking the previous
 * snapshot's digest for every file whose size, mtime (with nanoseconds),
 * inode and device did not change: an unchanged dataset is never read
 * again, and a touched file is read again but keeps its digest, so the
 * generation stays.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-dataset-private.h"
#include "alloy-catalog.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#define READ_CHUNK (1024 * 1024)

struct _AlloyDataset {
  GObject parent_instance;

  char *name;
  char *path;
  GError *error;
  char *schema;
  gint root_version;
  char *description;
  GPtrArray *partitions; /* AlloyPartition */
  guint n_files;
  guint64 total_bytes;
  char *generation;
  GStrv ignored;
  GPtrArray *refused;  /* AlloyRefusedFile */
  GHashTable *digests; /* "PATH\nKEY" -> hex: the next scan's cache */
  guint n_files_read;
};

G_DEFINE_FINAL_TYPE (AlloyDataset, alloy_dataset, G_TYPE_OBJECT)

static void
partition_free (AlloyPartition *partition)
{
  g_free (partition->id);
  g_free (partition->path);
  g_free (partition->file);
  g_free (partition->digest);
  g_free (partition);
}

/* Reading */

static gboolean
set_unsettled (GError **error, const AlloyListedFile *file)
{
  g_set_error (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_UNSETTLED,
               "%s changed while it was read", file->path);
  return FALSE;
}

static gboolean
is_unchanged (int fd, const AlloyListedFile *file)
{
  g_autofree char *key = NULL;
  struct stat st;

  if (fstat (fd, &st) != 0)
    return FALSE;
  key = alloy_dataset_stat_key (&st);
  return strcmp (key, file->key) == 0;
}

/* Reads the whole file into @checksum and, if not NULL, @contents; fails
 * with UNSETTLED unless the file is the one listed, unchanged throughout. */
static gboolean
read_file (const AlloyListedFile *file, GChecksum *checksum, GByteArray *contents,
           GCancellable *cancellable, GError **error)
{
  g_autofree guchar *buffer = NULL;
  guint64 total = 0;
  gboolean ok;
  /* O_NONBLOCK: a FIFO swapped in since the listing must not block us. */
  int fd = g_open (file->real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0);
  int saved_errno = errno;

  if (fd < 0 && (saved_errno == ENOENT || saved_errno == ELOOP))
    return set_unsettled (error, file);
  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "cannot be read: %s",
                   g_strerror (saved_errno));
      return FALSE;
    }
  ok = is_unchanged (fd, file) || set_unsettled (error, file);
  buffer = g_malloc (READ_CHUNK);
  while (ok)
    {
      gssize n = -1;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        ok = FALSE;
      else if ((n = read (fd, buffer, READ_CHUNK)) < 0 && errno != EINTR)
        {
          saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "cannot be read: %s", g_strerror (saved_errno));
          ok = FALSE;
        }
      else if (n == 0)
        break;
      else if (n > 0)
        {
          g_checksum_update (checksum, buffer, n);
          if (contents != NULL)
            g_byte_array_append (contents, buffer, n);
          total += n;
        }
    }
  if (ok && (!is_unchanged (fd, file) || total != file->size))
    ok = set_unsettled (error, file);
  g_close (fd, NULL);
  return ok;
}

/* Building */

static void
alloy_dataset_finalize (GObject *object)
{
  AlloyDataset *self = ALLOY_DATASET (object);

  g_free (self->name);
  g_free (self->path);
  g_clear_error (&self->error);
  g_free (self->schema);
  g_free (self->description);
  g_ptr_array_unref (self->partitions);
  g_free (self->generation);
  g_strfreev (self->ignored);
  g_ptr_array_unref (self->refused);
  g_hash_table_unref (self->digests);

  G_OBJECT_CLASS (alloy_dataset_parent_class)->finalize (object);
}

static void
alloy_dataset_class_init (AlloyDatasetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = alloy_dataset_finalize;
}

static void
alloy_dataset_init (AlloyDataset *self)
{
  self->partitions = g_ptr_array_new_with_free_func ((GDestroyNotify) partition_free);
  self->refused = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_refused_file_free);
  self->digests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static AlloyDataset *
dataset_new (const AlloyDatasetListing *listing)
{
  AlloyDataset *self = g_object_new (ALLOY_TYPE_DATASET, NULL);

  self->name = g_strdup (listing->name);
  self->path = g_strdup (listing->real ? listing->real : listing->path);
  self->ignored = g_strdupv ((char **) listing->ignored->pdata);
  for (guint i = 0; i < listing->refused->len; i++)
    {
      const AlloyRefusedFile *refused = g_ptr_array_index (listing->refused, i);
      g_ptr_array_add (self->refused, alloy_refused_file_new (refused->path, refused->reason));
    }
  return self;
}

AlloyDataset *
alloy_dataset_new_failed (const AlloyDatasetListing *listing, const GError *error)
{
  AlloyDataset *self = dataset_new (listing);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  self->error = g_error_copy (error);
  g_checksum_update (checksum, (const guchar *) "failed", sizeof "failed");
  g_checksum_update (checksum, (const guchar *) error->message, strlen (error->message));
  self->generation = g_strdup (g_checksum_get_string (checksum));
  return self;
}

static void
add_partitions (AlloyDataset *self, const AlloyListedFile *file, const char *digest,
                guint64 partition_max_bytes)
{
  gboolean split = !file->format->compressed &&
                   strcmp (file->format->reader, ALLOY_DATASET_READER_NDJSON) == 0 &&
                   partition_max_bytes > 0 && file->size > partition_max_bytes;
  guint64 start = 0;

  do
    {
      AlloyPartition *partition = g_new0 (AlloyPartition, 1);

      partition->range_start = start;
      partition->range_end = split ? MIN (start + partition_max_bytes, file->size) : file->size;
      partition->id = split ? g_strdup_printf ("%s@%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT,
                                               file->path, partition->range_start,
                                               partition->range_end)
                            : g_strdup (file->path);
      partition->path = g_strdup (file->path);
      partition->file = g_strdup (file->real);
      partition->reader = file->format->reader;
      partition->compressed = file->format->compressed;
      partition->is_range = split;
      partition->size = partition->range_end - partition->range_start;
      partition->file_size = file->size;
      partition->mtime_us = file->mtime_us;
      partition->digest = g_strdup (digest);
      g_ptr_array_add (self->partitions, partition);
      start = partition->range_end;
    }
  while (split && start < file->size);
}

static void
update_string (GChecksum *checksum, const char *text)
{
  g_checksum_update (checksum, (const guchar *) text, strlen (text) + 1);
}

static char *
compute_generation (AlloyDataset *self, GByteArray *settings)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  update_string (checksum, "alloy-dataset-generation-1");
  if (settings != NULL)
    {
      g_autofree char *length = g_strdup_printf ("%u", settings->len);

      update_string (checksum, "settings");
      update_string (checksum, length);
      g_checksum_update (checksum, settings->data, settings->len);
    }
  else
    update_string (checksum, "no settings");
  for (guint i = 0; i < self->partitions->len; i++)
    {
      const AlloyPartition *partition = g_ptr_array_index (self->partitions, i);
      g_autofree char *range = g_strdup_printf ("%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT,
                                                partition->range_start, partition->range_end);

      update_string (checksum, partition->id);
      update_string (checksum, range);
      update_string (checksum, partition->digest);
    }
  return g_strdup (g_checksum_get_string (checksum));
}

static gboolean
is_fatal_read_error (const GError *error)
{
  return g_error_matches (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_UNSETTLED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

AlloyDataset *
alloy_dataset_build (const AlloyDatasetListing *listing, guint64 partition_max_bytes,
                     AlloyDataset *previous, GCancellable *cancellable, GError **error)
{
  g_autoptr(AlloyDataset) self = NULL;
  g_autoptr(GByteArray) settings = NULL;
  g_autoptr(GError) settings_problem = NULL;
  g_autofree char *display = NULL;

  g_return_val_if_fail (previous == NULL || ALLOY_IS_DATASET (previous), NULL);

  if (listing->error != NULL)
    return alloy_dataset_new_failed (listing, listing->error);
  self = dataset_new (listing);
  display = g_build_filename (listing->path, ALLOY_DATASET_SETTINGS_FILE, NULL);
  if (listing->settings_problem != NULL)
    g_set_error (&settings_problem, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_SETTINGS, "%s: %s",
                 display, listing->settings_problem);
  else if (listing->settings != NULL)
    {
      g_autoptr(GChecksum) ignored = g_checksum_new (G_CHECKSUM_SHA256);
      g_autoptr(GError) read_error = NULL;

      settings = g_byte_array_new ();
      if (!read_file (listing->settings, ignored, settings, cancellable, &read_error))
        {
          if (is_fatal_read_error (read_error))
            {
              g_propagate_error (error, g_steal_pointer (&read_error));
              return NULL;
            }
          g_set_error (&settings_problem, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_SETTINGS,
                       "%s: %s", display, read_error->message);
        }
      else
        alloy_dataset_settings_parse (display, settings, &self->schema, &self->root_version,
                                      &self->description, &settings_problem);
    }

  for (guint i = 0; i < listing->files->len; i++)
    {
      const AlloyListedFile *file = g_ptr_array_index (listing->files, i);
      g_autofree char *cache_key = g_strconcat (file->path, "\n", file->key, NULL);
      const char *known = previous ? g_hash_table_lookup (previous->digests, cache_key) : NULL;
      g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
      g_autoptr(GError) read_error = NULL;

      if (known == NULL && !read_file (file, checksum, NULL, cancellable, &read_error))
        {
          if (is_fatal_read_error (read_error))
            {
              g_propagate_error (error, g_steal_pointer (&read_error));
              return NULL;
            }
          g_ptr_array_add (self->refused,
                           alloy_refused_file_new (file->path, read_error->message));
          continue;
        }
      if (known == NULL)
        {
          known = g_checksum_get_string (checksum);
          self->n_files_read++;
        }
      g_hash_table_insert (self->digests, g_steal_pointer (&cache_key), g_strdup (known));
      add_partitions (self, file, known, partition_max_bytes);
      self->n_files++;
      self->total_bytes += file->size;
    }
  g_ptr_array_sort (self->refused, alloy_dataset_compare_paths);
  self->error = g_steal_pointer (&settings_problem);
  self->generation = compute_generation (self, settings);
  return g_steal_pointer (&self);
}

/* Getters */

const char *
alloy_dataset_get_name (AlloyDataset *self)
{
  return self->name;
}

const char *
alloy_dataset_get_path (AlloyDataset *self)
{
  return self->path;
}

const GError *
alloy_dataset_get_error (AlloyDataset *self)
{
  return self->error;
}

const char *
alloy_dataset_get_schema (AlloyDataset *self)
{
  return self->schema;
}

gint
alloy_dataset_get_root_version (AlloyDataset *self)
{
  return self->root_version;
}

const char *
alloy_dataset_get_description (AlloyDataset *self)
{
  return self->description;
}

guint
alloy_dataset_get_n_partitions (AlloyDataset *self)
{
  return self->partitions->len;
}

const AlloyPartition *
alloy_dataset_get_partition (AlloyDataset *self, guint index)
{
  g_return_val_if_fail (index < self->partitions->len, NULL);
  return g_ptr_array_index (self->partitions, index);
}

const AlloyPartition *
alloy_dataset_find_partition (AlloyDataset *self, const char *id)
{
  for (guint i = 0; i < self->partitions->len; i++)
    {
      const AlloyPartition *partition = g_ptr_array_index (self->partitions, i);
      if (strcmp (partition->id, id) == 0)
        return partition;
    }
  return NULL;
}

guint
alloy_dataset_get_n_files (AlloyDataset *self)
{
  return self->n_files;
}

guint64
alloy_dataset_get_total_bytes (AlloyDataset *self)
{
  return self->total_bytes;
}

const char *
alloy_dataset_get_generation (AlloyDataset *self)
{
  return self->generation;
}

const char *const *
alloy_dataset_get_ignored (AlloyDataset *self)
{
  return (const char *const *) self->ignored;
}

guint
alloy_dataset_get_n_refused (AlloyDataset *self)
{
  return self->refused->len;
}

const AlloyRefusedFile *
alloy_dataset_get_refused (AlloyDataset *self, guint index)
{
  g_return_val_if_fail (index < self->refused->len, NULL);
  return g_ptr_array_index (self->refused, index);
}

guint
alloy_dataset_get_n_files_read (AlloyDataset *self)
{
  return self->n_files_read;
}
