/* alloy-catalog.c: every dataset under the location root, kept up to date
 * by file monitors.
 *
 * The settle rule. Any event from a dataset's monitors (a file or
 * directory in it created, written, removed, moved or touched) marks the
 * dataset and arms a settle timer, which events do not re-arm. When the
 * timer fires, a worker lists the dataset: names, types, sizes, mtimes and
 * inodes, no file read. The dataset is rescanned only when no event came
 * since the previous timer and the listing equals the previous timer's;
 * otherwise the timer is armed again. So the directory has been quiet for
 * a whole settle period, by its events and by its stats (which also covers
 * events the monitor coalesces or misses), and a change is taken between
 * one and two settle periods after the last write. Until then the dataset
 * keeps its previous snapshot. The rescan reads only files whose stat
 * changed, in a worker thread; it is thrown away (and the rule starts
 * again) if a file changed while it was read or an event came meanwhile.
 * The new snapshot replaces the old one; ::changed is emitted only when
 * the generation differs.
 *
 * The root's own monitor adds and removes datasets: a directory that
 * appears becomes a dataset through the same rule (::dataset-added once it
 * settled); one that disappears is removed at once (::dataset-removed).
 * A dataset directory replaced by another (new inode) is a change.
 *
 * This file holds the catalog's state, the settle rule, the monitors and
 * the queries; the blocking work (listing the root, scanning a dataset)
 * is in alloy-catalog-scan.c.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-catalog-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

G_DEFINE_QUARK (alloy-catalog-error-quark, alloy_catalog_error)

typedef struct {
  GFileMonitor *monitor;
  gulong handler;
  guint64 dev;
  guint64 ino;
} Watch;

typedef struct {
  AlloyCatalog *catalog; /* unowned: the catalog owns its entries */
  char *name;
  guint64 dev; /* ROOT/NAME as lstat saw it */
  guint64 ino;
  AlloyDataset *dataset;    /* the published snapshot; NULL until one settled */
  AlloyDataset *last_built; /* whose digests the next scan reuses */
  char *fingerprint;        /* of the last listing; NULL starts a new round */
  GStrv directories;        /* of the last listing */
  GHashTable *watches;      /* resolved directory -> Watch */
  GSource *settle;
  GCancellable *job; /* a scan under way */
  gboolean events;   /* an event came since the timer was armed */
} Entry;

struct _AlloyCatalog {
  GObject parent_instance;

  char *root;
  char *root_real;
  guint64 partition_max_bytes;
  gint64 settle_ms;
  GMainContext *context;
  GHashTable *entries; /* name -> Entry */
  GFileMonitor *root_monitor;
  gulong root_handler;
  GSource *relist;
  gboolean monitoring;
  gboolean stopped;
};

G_DEFINE_FINAL_TYPE (AlloyCatalog, alloy_catalog, G_TYPE_OBJECT)

enum { DATASET_ADDED, DATASET_REMOVED, CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void entry_arm (AlloyCatalog *self, Entry *entry);

static void
watch_free (Watch *watch)
{
  g_clear_signal_handler (&watch->handler, watch->monitor);
  g_file_monitor_cancel (watch->monitor);
  g_object_unref (watch->monitor);
  g_free (watch);
}

static void
entry_quiesce (Entry *entry)
{
  if (entry->settle != NULL)
    {
      g_source_destroy (entry->settle);
      g_clear_pointer (&entry->settle, g_source_unref);
    }
  if (entry->job != NULL)
    {
      g_cancellable_cancel (entry->job);
      g_clear_object (&entry->job);
    }
  g_clear_pointer (&entry->watches, g_hash_table_unref);
}

static void
entry_free (Entry *entry)
{
  entry_quiesce (entry);
  g_free (entry->name);
  g_clear_object (&entry->dataset);
  g_clear_object (&entry->last_built);
  g_free (entry->fingerprint);
  g_strfreev (entry->directories);
  g_free (entry);
}

static Entry *
entry_new (AlloyCatalog *self, const char *name)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->catalog = self;
  entry->name = g_strdup (name);
  g_hash_table_insert (self->entries, entry->name, entry);
  return entry;
}

static void
alloy_catalog_dispose (GObject *object)
{
  AlloyCatalog *self = ALLOY_CATALOG (object);

  alloy_catalog_stop (self);
  g_hash_table_remove_all (self->entries);

  G_OBJECT_CLASS (alloy_catalog_parent_class)->dispose (object);
}

static void
alloy_catalog_finalize (GObject *object)
{
  AlloyCatalog *self = ALLOY_CATALOG (object);

  g_free (self->root);
  g_free (self->root_real);
  g_hash_table_unref (self->entries);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (alloy_catalog_parent_class)->finalize (object);
}

static void
alloy_catalog_class_init (AlloyCatalogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = alloy_catalog_dispose;
  object_class->finalize = alloy_catalog_finalize;

  signals[DATASET_ADDED] = g_signal_new ("dataset-added", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                         G_TYPE_STRING);
  signals[DATASET_REMOVED] = g_signal_new ("dataset-removed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           1, G_TYPE_STRING);
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
alloy_catalog_init (AlloyCatalog *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) entry_free);
}

AlloyCatalog *
alloy_catalog_new (const char *root, guint64 partition_max_bytes, gint64 settle_ms)
{
  AlloyCatalog *self = g_object_new (ALLOY_TYPE_CATALOG, NULL);

  self->root = g_strdup (root);
  self->partition_max_bytes = partition_max_bytes;
  self->settle_ms = CLAMP (settle_ms, 0, G_MAXUINT);
  self->context = g_main_context_ref_thread_default ();
  return self;
}

const char *
alloy_catalog_get_root (AlloyCatalog *self)
{
  return self->root;
}

static gboolean
resolve_root (AlloyCatalog *self, GError **error)
{
  struct stat st;
  char *real;
  int saved_errno;

  if (self->root_real != NULL)
    return TRUE;
  real = realpath (self->root, NULL);
  saved_errno = errno;
  if (real == NULL || stat (real, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      g_set_error (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_ROOT, "%s: %s", self->root,
                   real == NULL ? g_strerror (saved_errno) : "not a directory");
      free (real);
      return FALSE;
    }
  self->root_real = g_strdup (real);
  free (real);
  return TRUE;
}

/* Publishing */

static void
log_problems (Entry *entry, AlloyDataset *old, AlloyDataset *dataset)
{
  const GError *error = alloy_dataset_get_error (dataset);
  const GError *old_error = old ? alloy_dataset_get_error (old) : NULL;

  if (error != NULL && (old_error == NULL || strcmp (old_error->message, error->message) != 0))
    g_warning ("dataset %s cannot be served: %s", entry->name, error->message);
  for (guint i = 0; i < alloy_dataset_get_n_refused (dataset); i++)
    {
      const AlloyRefusedFile *refused = alloy_dataset_get_refused (dataset, i);
      gboolean known = FALSE;

      for (guint j = 0; old != NULL && !known && j < alloy_dataset_get_n_refused (old); j++)
        {
          const AlloyRefusedFile *before = alloy_dataset_get_refused (old, j);
          known = strcmp (before->path, refused->path) == 0 &&
                  strcmp (before->reason, refused->reason) == 0;
        }
      if (!known)
        g_warning ("dataset %s: %s refused: %s", entry->name, refused->path, refused->reason);
    }
}

static void
entry_publish (AlloyCatalog *self, Entry *entry, AlloyDataset *dataset)
{
  g_autoptr(AlloyDataset) old = g_steal_pointer (&entry->dataset);
  g_autofree char *name = g_strdup (entry->name);

  /* Problems found by a load are reported by its caller. */
  if (self->monitoring)
    log_problems (entry, old, dataset);
  entry->dataset = g_object_ref (dataset);
  g_debug ("dataset %s: %u partitions, %u files read, generation %.16s", name,
           alloy_dataset_get_n_partitions (dataset), alloy_dataset_get_n_files_read (dataset),
           alloy_dataset_get_generation (dataset));
  if (self->stopped)
    return;
  if (old == NULL)
    {
      g_info ("dataset %s added", name);
      g_signal_emit (self, signals[DATASET_ADDED], 0, name);
    }
  else if (strcmp (alloy_dataset_get_generation (old), alloy_dataset_get_generation (dataset)))
    {
      g_info ("dataset %s changed", name);
      g_signal_emit (self, signals[CHANGED], 0, name);
    }
}

static void
entry_remove (AlloyCatalog *self, const char *name)
{
  g_autofree char *copy = g_strdup (name);
  Entry *entry = g_hash_table_lookup (self->entries, name);
  gboolean published = entry != NULL && entry->dataset != NULL;

  g_hash_table_remove (self->entries, copy);
  if (published && !self->stopped)
    {
      g_info ("dataset %s removed", copy);
      g_signal_emit (self, signals[DATASET_REMOVED], 0, copy);
    }
}

/* Monitors */

static void
on_dataset_event (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event,
                  gpointer user_data)
{
  Entry *entry = user_data;

  entry->events = TRUE;
  entry_arm (entry->catalog, entry);
}

static Watch *
watch_new (Entry *entry, const char *dir, const struct stat *st)
{
  g_autoptr(GFile) file = g_file_new_for_path (dir);
  g_autoptr(GError) error = NULL;
  GFileMonitor *monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL,
                                                    &error);
  Watch *watch;

  if (monitor == NULL)
    {
      g_warning ("dataset %s: cannot watch %s: %s; its changes will be noticed late or not at "
                 "all", entry->name, dir, error->message);
      return NULL;
    }
  watch = g_new0 (Watch, 1);
  watch->monitor = monitor;
  watch->dev = st->st_dev;
  watch->ino = st->st_ino;
  watch->handler = g_signal_connect (monitor, "changed", G_CALLBACK (on_dataset_event), entry);
  return watch;
}

/* One watch per directory of the last listing; a directory replaced under
 * the same path gets a new one. */
static void
entry_sync_watches (AlloyCatalog *self, Entry *entry)
{
  g_autoptr(GHashTable) old = g_steal_pointer (&entry->watches);

  entry->watches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) watch_free);
  for (char **dir = entry->directories; dir != NULL && *dir != NULL; dir++)
    {
      gpointer key = NULL, value = NULL;
      Watch *watch = NULL;
      struct stat st;

      if (g_hash_table_contains (entry->watches, *dir) || stat (*dir, &st) != 0)
        continue;
      if (old != NULL && g_hash_table_steal_extended (old, *dir, &key, &value))
        {
          g_free (key);
          watch = value;
          if (watch->dev != (guint64) st.st_dev || watch->ino != (guint64) st.st_ino)
            g_clear_pointer (&watch, watch_free);
        }
      if (watch == NULL)
        watch = watch_new (entry, *dir, &st);
      if (watch != NULL)
        g_hash_table_insert (entry->watches, g_strdup (*dir), watch);
    }
}

static void
entry_set_directories (AlloyCatalog *self, Entry *entry, const char *const *directories)
{
  g_strfreev (entry->directories);
  entry->directories = g_strdupv ((char **) directories);
  if (self->monitoring)
    entry_sync_watches (self, entry);
}

/* Scans */

static void
job_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (alloy_scan_job_run (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
entry_apply (AlloyCatalog *self, Entry *entry, AlloyScanJob *job)
{
  entry_set_directories (self, entry, alloy_dataset_listing_get_directories (job->listing));
  g_free (entry->fingerprint);
  entry->fingerprint = job->unsettled
                         ? NULL
                         : g_strdup (alloy_dataset_listing_get_fingerprint (job->listing));
  /* Even a snapshot thrown away keeps the digests it computed. */
  if (job->dataset != NULL)
    g_set_object (&entry->last_built, job->dataset);
  if (job->dataset == NULL || entry->events)
    entry_arm (self, entry);
  else
    entry_publish (self, entry, job->dataset);
}

static void
on_job_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(AlloyCatalog) self = g_weak_ref_get (weak);
  AlloyScanJob *job = g_task_get_task_data (G_TASK (result));
  Entry *entry;

  g_weak_ref_clear (weak);
  g_free (weak);
  /* Cancelled: the entry is gone or the catalog stopped or was disposed. */
  if (!g_task_propagate_boolean (G_TASK (result), NULL) || self == NULL)
    return;
  entry = g_hash_table_lookup (self->entries, job->name);
  if (self->stopped || entry == NULL || entry->job != g_task_get_cancellable (G_TASK (result)))
    return;
  g_clear_object (&entry->job);
  g_main_context_push_thread_default (self->context);
  entry_apply (self, entry, job);
  g_main_context_pop_thread_default (self->context);
}

static gboolean
on_settle (gpointer user_data)
{
  Entry *entry = user_data;
  AlloyCatalog *self = entry->catalog;
  AlloyScanJob *job = alloy_scan_job_new (self->root_real, entry->name,
                                          self->partition_max_bytes, entry->last_built);
  GWeakRef *weak = g_new0 (GWeakRef, 1);
  g_autoptr(GTask) task = NULL;

  g_clear_pointer (&entry->settle, g_source_unref);
  /* An event since the last timer: the listing only starts a new round. */
  job->expect = entry->events ? NULL : g_strdup (entry->fingerprint);
  entry->events = FALSE;
  entry->job = g_cancellable_new ();
  /* No source object: a scan under way must not keep the catalog alive. */
  g_weak_ref_init (weak, self);
  g_main_context_push_thread_default (self->context);
  task = g_task_new (NULL, entry->job, on_job_done, weak);
  g_main_context_pop_thread_default (self->context);
  g_task_set_source_tag (task, on_settle);
  g_task_set_task_data (task, job, (GDestroyNotify) alloy_scan_job_free);
  g_task_run_in_thread (task, job_thread);
  return G_SOURCE_REMOVE;
}

static void
entry_arm (AlloyCatalog *self, Entry *entry)
{
  if (!self->monitoring || entry->settle != NULL || entry->job != NULL)
    return;
  entry->settle = g_timeout_source_new ((guint) self->settle_ms);
  g_source_set_callback (entry->settle, on_settle, entry, NULL);
  g_source_attach (entry->settle, self->context);
}

/* The root */

/* Removes the entries whose names are not in @present. */
static void
remove_missing (AlloyCatalog *self, GHashTable *present)
{
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer name;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if (!g_hash_table_contains (present, name))
      g_ptr_array_add (gone, g_strdup (name));
  for (guint i = 0; i < gone->len; i++)
    entry_remove (self, g_ptr_array_index (gone, i));
}

static void
relist (AlloyCatalog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = alloy_catalog_list_root (self->root_real, &error);
  g_autoptr(GHashTable) present = g_hash_table_new (g_str_hash, g_str_equal);

  if (items == NULL)
    {
      g_warning ("the location root cannot be read: %s; every dataset is removed",
                 error->message);
      items = g_ptr_array_new ();
    }
  for (guint i = 0; i < items->len; i++)
    g_hash_table_add (present, ((AlloyRootItem *) g_ptr_array_index (items, i))->name);
  remove_missing (self, present);

  for (guint i = 0; i < items->len && self->monitoring; i++)
    {
      AlloyRootItem *item = g_ptr_array_index (items, i);
      Entry *entry = g_hash_table_lookup (self->entries, item->name);

      if (entry != NULL && entry->dev == item->dev && entry->ino == item->ino)
        continue;
      if (entry == NULL)
        entry = entry_new (self, item->name);
      entry->dev = item->dev;
      entry->ino = item->ino;
      entry->events = TRUE;
      entry_arm (self, entry);
    }
}

static gboolean
on_relist (gpointer user_data)
{
  AlloyCatalog *self = user_data;

  g_clear_pointer (&self->relist, g_source_unref);
  relist (self);
  return G_SOURCE_REMOVE;
}

static void
on_root_event (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event,
               gpointer user_data)
{
  AlloyCatalog *self = user_data;

  if (self->relist != NULL || !self->monitoring)
    return;
  self->relist = g_idle_source_new ();
  g_source_set_callback (self->relist, on_relist, self, NULL);
  g_source_attach (self->relist, self->context);
}

/* Loading */

gboolean
alloy_catalog_load (AlloyCatalog *self, GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GHashTable) present = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (ALLOY_IS_CATALOG (self), FALSE);
  g_return_val_if_fail (!self->monitoring && !self->stopped, FALSE);

  if (!resolve_root (self, error) ||
      (items = alloy_catalog_list_root (self->root_real, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    g_hash_table_add (present, ((AlloyRootItem *) g_ptr_array_index (items, i))->name);
  remove_missing (self, present);
  for (guint i = 0; i < items->len; i++)
    {
      AlloyRootItem *item = g_ptr_array_index (items, i);
      Entry *entry = g_hash_table_lookup (self->entries, item->name);
      AlloyScanJob *job = alloy_scan_job_new (self->root_real, item->name,
                                              self->partition_max_bytes,
                                              entry ? entry->last_built : NULL);

      job->force = TRUE;
      if (!alloy_scan_job_run (job, cancellable, error))
        {
          alloy_scan_job_free (job);
          return FALSE;
        }
      if (entry == NULL)
        entry = entry_new (self, item->name);
      entry->dev = item->dev;
      entry->ino = item->ino;
      entry_apply (self, entry, job);
      alloy_scan_job_free (job);
    }
  return TRUE;
}

/* Monitoring */

gboolean
alloy_catalog_start_monitoring (AlloyCatalog *self, GError **error)
{
  g_autoptr(GFile) root = NULL;
  GHashTableIter iter;
  Entry *entry;

  g_return_val_if_fail (ALLOY_IS_CATALOG (self), FALSE);
  g_return_val_if_fail (!self->monitoring && !self->stopped, FALSE);

  if (!resolve_root (self, error))
    return FALSE;
  root = g_file_new_for_path (self->root_real);
  g_main_context_push_thread_default (self->context);
  self->root_monitor = g_file_monitor_directory (root, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  if (self->root_monitor == NULL)
    {
      g_main_context_pop_thread_default (self->context);
      g_prefix_error (error, "%s: ", self->root);
      return FALSE;
    }
  self->root_handler = g_signal_connect (self->root_monitor, "changed",
                                         G_CALLBACK (on_root_event), self);
  self->monitoring = TRUE;
  /* What changed since the load is found by comparing its listing. */
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    {
      entry_sync_watches (self, entry);
      entry_arm (self, entry);
    }
  relist (self);
  g_main_context_pop_thread_default (self->context);
  return TRUE;
}

void
alloy_catalog_stop (AlloyCatalog *self)
{
  GHashTableIter iter;
  Entry *entry;

  g_return_if_fail (ALLOY_IS_CATALOG (self));

  self->stopped = TRUE;
  self->monitoring = FALSE;
  if (self->root_monitor != NULL)
    {
      g_clear_signal_handler (&self->root_handler, self->root_monitor);
      g_file_monitor_cancel (self->root_monitor);
      g_clear_object (&self->root_monitor);
    }
  if (self->relist != NULL)
    {
      g_source_destroy (self->relist);
      g_clear_pointer (&self->relist, g_source_unref);
    }
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    entry_quiesce (entry);
}

gboolean
alloy_catalog_is_settled (AlloyCatalog *self)
{
  GHashTableIter iter;
  Entry *entry;

  if (self->relist != NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->settle != NULL || entry->job != NULL)
      return FALSE;
  return TRUE;
}

/* Queries */

static gint
compare_datasets (gconstpointer a, gconstpointer b)
{
  return strcmp (alloy_dataset_get_name (*(AlloyDataset *const *) a),
                 alloy_dataset_get_name (*(AlloyDataset *const *) b));
}

GPtrArray *
alloy_catalog_list (AlloyCatalog *self)
{
  GPtrArray *datasets = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry))
    if (entry->dataset != NULL)
      g_ptr_array_add (datasets, g_object_ref (entry->dataset));
  g_ptr_array_sort (datasets, compare_datasets);
  return datasets;
}

gboolean
alloy_catalog_check_name (const char *name, GError **error)
{
  const char *problem = NULL;

  if (name == NULL || *name == '\0')
    problem = "it is empty";
  else if (!g_utf8_validate (name, -1, NULL))
    {
      g_set_error_literal (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_INVALID_NAME,
                           "a dataset name must be UTF-8");
      return FALSE;
    }
  else if (name[0] == '.')
    problem = "it begins with '.'";
  else if (strpbrk (name, "/\\") != NULL)
    problem = "it contains '/' or '\\'";
  if (problem != NULL)
    {
      g_set_error (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_INVALID_NAME,
                   "'%s' is not a dataset name: %s", name ? name : "", problem);
      return FALSE;
    }
  return TRUE;
}

AlloyDataset *
alloy_catalog_lookup (AlloyCatalog *self, const char *name, GError **error)
{
  Entry *entry;
  const GError *problem;

  g_return_val_if_fail (ALLOY_IS_CATALOG (self), NULL);

  if (!alloy_catalog_check_name (name, error))
    return NULL;
  entry = g_hash_table_lookup (self->entries, name);
  if (entry == NULL || entry->dataset == NULL)
    {
      g_set_error (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_NOT_FOUND,
                   "no dataset '%s' in %s", name, self->root);
      return NULL;
    }
  problem = alloy_dataset_get_error (entry->dataset);
  if (g_error_matches (problem, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_OUTSIDE_ROOT))
    {
      g_set_error (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_OUTSIDE_ROOT,
                   "dataset '%s' is refused: %s", name, problem->message);
      return NULL;
    }
  if (problem != NULL)
    {
      g_set_error (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_BROKEN,
                   "dataset '%s' is broken: %s", name, problem->message);
      return NULL;
    }
  return g_object_ref (entry->dataset);
}
