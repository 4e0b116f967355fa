/* alloy-dataset.c: one dataset: its files, partitions, settings and
 * generation.
 *
 * Scanning has two steps. The listing walks the directory and stats every
 * entry without opening a file: cheap enough to repeat while the catalog
 * waits for a directory to settle. The build reads dataset.conf and
 * digests the data files, taking the previous snapshot's digest for every
 * file whose size, mtime (with nanoseconds), inode and device did not
 * change: an unchanged dataset is never read again, and a touched file is
 * read again but keeps its digest, so the generation stays.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-dataset.h"
#include "alloy-catalog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#define READ_CHUNK (1024 * 1024)

typedef struct {
  const char *suffix;
  const char *reader;
  gboolean compressed;
} Format;

/* Matched against the lower-cased name; no suffix ends another. */
static const Format formats[] = {
  { ".ndjson.gz", ALLOY_DATASET_READER_NDJSON, TRUE },
  { ".jsonl.gz", ALLOY_DATASET_READER_NDJSON, TRUE },
  { ".json.gz", ALLOY_DATASET_READER_JSON, TRUE },
  { ".ndjson", ALLOY_DATASET_READER_NDJSON, FALSE },
  { ".jsonl", ALLOY_DATASET_READER_NDJSON, FALSE },
  { ".json", ALLOY_DATASET_READER_JSON, FALSE },
};

static const char *const settings_keys[] = { "schema", "root-version", "description", NULL };

typedef struct {
  char *path; /* relative to the dataset directory */
  char *real;
  const Format *format; /* NULL for dataset.conf */
  char *key;            /* stat_key() */
  guint64 size;
  gint64 mtime_us;
} ListedFile;

struct _AlloyDatasetListing {
  char *root;
  char *name;
  char *path; /* ROOT/NAME */
  char *real; /* resolved, NULL when refused */
  GError *error;
  ListedFile *settings;
  char *settings_problem;
  GPtrArray *files;       /* ListedFile, sorted by path */
  GPtrArray *ignored;     /* char *, sorted, NULL-terminated */
  GPtrArray *refused;     /* AlloyRefusedFile */
  GPtrArray *directories; /* char *, NULL-terminated */
  GPtrArray *ancestors;   /* "dev:ino" during the walk: a link back to one is a cycle */
  GChecksum *checksum;    /* during the walk */
  char *fingerprint;
};

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
listed_file_free (ListedFile *file)
{
  g_free (file->path);
  g_free (file->real);
  g_free (file->key);
  g_free (file);
}

static AlloyRefusedFile *
refused_file_new (const char *path, const char *reason)
{
  AlloyRefusedFile *refused = g_new0 (AlloyRefusedFile, 1);

  refused->path = g_strdup (path);
  refused->reason = g_strdup (reason);
  return refused;
}

static void
refused_file_free (AlloyRefusedFile *refused)
{
  g_free (refused->path);
  g_free (refused->reason);
  g_free (refused);
}

static void
partition_free (AlloyPartition *partition)
{
  g_free (partition->id);
  g_free (partition->path);
  g_free (partition->file);
  g_free (partition->digest);
  g_free (partition);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* ListedFile and AlloyRefusedFile both begin with their path. */
static gint
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (**(const char *const *const *) a, **(const char *const *const *) b);
}

/* What identifies a file's bytes without reading them: the digest cache
 * key, and what a read checks before and after. */
static char *
stat_key (const struct stat *st)
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

static const Format *
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
  g_ptr_array_add (listing->refused, refused_file_new (path, reason));
  fingerprint_add (listing, 'r', path, reason);
}

static ListedFile *
listed_file_new (const char *path, const char *real, const struct stat *st, const Format *format)
{
  ListedFile *file = g_new0 (ListedFile, 1);

  file->path = g_strdup (path);
  file->real = g_strdup (real);
  file->format = format;
  file->key = stat_key (st);
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
  const Format *format;
  struct stat st;

  if (lstat (full, &st) != 0)
    {
      /* Gone since the directory was read: not listed, but noticed. */
      fingerprint_add (listing, 'x', rel, g_strerror (errno));
      return;
    }
  if (name[0] == '.')
    {
      key = stat_key (&st);
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

  key = stat_key (&st);
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
  listing->refused = g_ptr_array_new_with_free_func ((GDestroyNotify) refused_file_free);
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

  g_ptr_array_sort (listing->files, compare_paths);
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

/* Reading */

static gboolean
set_unsettled (GError **error, const ListedFile *file)
{
  g_set_error (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_UNSETTLED,
               "%s changed while it was read", file->path);
  return FALSE;
}

static gboolean
is_unchanged (int fd, const ListedFile *file)
{
  g_autofree char *key = NULL;
  struct stat st;

  if (fstat (fd, &st) != 0)
    return FALSE;
  key = stat_key (&st);
  return strcmp (key, file->key) == 0;
}

/* Reads the whole file into @checksum and, if not NULL, @contents; fails
 * with UNSETTLED unless the file is the one listed, unchanged throughout. */
static gboolean
read_file (const ListedFile *file, GChecksum *checksum, GByteArray *contents,
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

static gboolean settings_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
settings_error (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (ALLOY_CATALOG_ERROR,
                                                ALLOY_CATALOG_ERROR_SETTINGS, format, args));
  va_end (args);
  return FALSE;
}

static gboolean
is_schema_name (const char *name)
{
  return *name != '\0' &&
         strspn (name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.") ==
           strlen (name);
}

/* The group and keys, with the line of each key for the value checks:
 * GKeyFile itself keeps the last of duplicate keys and knows no lines. */
static gboolean
check_settings_lines (const char *display, const char *text, GHashTable *lines, GError **error)
{
  g_auto(GStrv) split = g_strsplit (text, "\n", -1);

  for (guint i = 0; split[i] != NULL; i++)
    {
      char *line = g_strstrip (split[i]);
      guint number = i + 1;
      g_autofree char *key = NULL;
      char *equals;

      if (*line == '\0' || *line == '#')
        continue;
      if (*line == '[')
        {
          g_autofree char *group = g_strndup (line + 1, strcspn (line + 1, "]"));
          if (strcmp (group, ALLOY_DATASET_SETTINGS_GROUP) != 0)
            return settings_error (error, "%s:%u: unknown group [%s]; the settings are in [%s]",
                                   display, number, group, ALLOY_DATASET_SETTINGS_GROUP);
          continue;
        }
      equals = strchr (line, '=');
      if (equals == NULL)
        continue;
      key = g_strstrip (g_strndup (line, equals - line));
      if (!g_strv_contains (settings_keys, key))
        return settings_error (error, "%s:%u: [%s] %s: unknown key (known keys: schema, "
                               "root-version, description)", display, number,
                               ALLOY_DATASET_SETTINGS_GROUP, key);
      if (g_hash_table_contains (lines, key))
        return settings_error (error, "%s:%u: [%s] %s: set twice (first on line %u)", display,
                               number, ALLOY_DATASET_SETTINGS_GROUP, key,
                               GPOINTER_TO_UINT (g_hash_table_lookup (lines, key)));
      g_hash_table_insert (lines, g_steal_pointer (&key), GUINT_TO_POINTER (number));
    }
  return TRUE;
}

static gboolean
parse_settings (AlloyDataset *self, const char *display, GByteArray *contents, GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GHashTable) lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = g_strndup ((const char *) contents->data, contents->len);
  const char *group = ALLOY_DATASET_SETTINGS_GROUP;

  if (strlen (text) != contents->len || !g_utf8_validate (text, -1, NULL))
    return settings_error (error, "%s: not UTF-8 text", display);
  if (!g_key_file_load_from_data (key_file, text, -1, G_KEY_FILE_NONE, &local_error))
    return settings_error (error, "%s: %s", display, local_error->message);
  if (!check_settings_lines (display, text, lines, error))
    return FALSE;

  if (g_key_file_has_key (key_file, group, "schema", NULL))
    {
      g_autofree char *schema = g_key_file_get_string (key_file, group, "schema", NULL);
      if (schema == NULL || !is_schema_name (g_strstrip (schema)))
        return settings_error (error, "%s:%u: [%s] schema: '%s' is not a schema name (letters, "
                               "digits, '_', '-' and '.')", display,
                               GPOINTER_TO_UINT (g_hash_table_lookup (lines, "schema")), group,
                               schema ? schema : "");
      self->schema = g_steal_pointer (&schema);
    }
  if (g_key_file_has_key (key_file, group, "root-version", NULL))
    {
      g_autofree char *value = g_key_file_get_value (key_file, group, "root-version", NULL);
      g_autoptr(GError) number_error = NULL;
      gint64 version = 0;
      guint line = GPOINTER_TO_UINT (g_hash_table_lookup (lines, "root-version"));

      if (!g_ascii_string_to_signed (g_strstrip (value), 10, 1, G_MAXINT32, &version,
                                     &number_error))
        {
          if (g_error_matches (number_error, G_NUMBER_PARSER_ERROR,
                               G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
            return settings_error (error, "%s:%u: [%s] root-version: '%s' is out of range (1 to "
                                   "%d)", display, line, group, value, G_MAXINT32);
          return settings_error (error, "%s:%u: [%s] root-version: '%s' is not an integer",
                                 display, line, group, value);
        }
      self->root_version = (gint) version;
    }
  if (g_key_file_has_key (key_file, group, "description", NULL))
    self->description = g_key_file_get_string (key_file, group, "description", NULL);
  return TRUE;
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
  self->refused = g_ptr_array_new_with_free_func ((GDestroyNotify) refused_file_free);
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
      g_ptr_array_add (self->refused, refused_file_new (refused->path, refused->reason));
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
add_partitions (AlloyDataset *self, const ListedFile *file, const char *digest,
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
    settings_error (&settings_problem, "%s: %s", display, listing->settings_problem);
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
          settings_error (&settings_problem, "%s: %s", display, read_error->message);
        }
      else
        parse_settings (self, display, settings, &settings_problem);
    }

  for (guint i = 0; i < listing->files->len; i++)
    {
      const ListedFile *file = g_ptr_array_index (listing->files, i);
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
          g_ptr_array_add (self->refused, refused_file_new (file->path, read_error->message));
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
  g_ptr_array_sort (self->refused, compare_paths);
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
