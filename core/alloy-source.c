/* alloy-source.c: one peer's sample source.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-source.h"

#include "alloy-brio-schema.h"
#include "alloy-core-options.h"
#include "alloy-view-gather.h"
#include "alloy-view-plan.h"

#include <string.h>

typedef struct {
  GFunc work;
  gpointer data;
} Work;

struct _AlloySource {
  GObject parent_instance;

  AlloyCluster *cluster;
  AlloyConnector *connector;
  guint peer_timeout_ms;
  GHashTable *readers; /* module name -> AlloyReader */
  AlloyCatalog *catalog;
  GStrv schema_path;
  gint32 root_version;
  guint replication;
  gsize item_max_bytes;
  guint json_max_depth;
  gsize parcel_max_bytes;
  guint heartbeat_ms;
  guint load_wait_max_ms;
  GThreadPool *pool;
  guint n_work;
  gboolean stopping;
  GSourceFunc idle;
  gpointer idle_data;
};

G_DEFINE_FINAL_TYPE (AlloySource, alloy_source, G_TYPE_OBJECT)

static void
alloy_source_dispose (GObject *object)
{
  AlloySource *self = ALLOY_SOURCE (object);

  if (self->catalog != NULL)
    alloy_catalog_stop (self->catalog);
  /* The server waited for the work (alloy_source_when_idle): nothing is
   * queued or running any more. */
  g_warn_if_fail (self->n_work == 0);
  if (self->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);
  g_clear_object (&self->catalog);
  g_clear_object (&self->cluster);
  g_clear_object (&self->connector);
  g_clear_pointer (&self->readers, g_hash_table_unref);

  G_OBJECT_CLASS (alloy_source_parent_class)->dispose (object);
}

static void
alloy_source_finalize (GObject *object)
{
  AlloySource *self = ALLOY_SOURCE (object);

  g_strfreev (self->schema_path);

  G_OBJECT_CLASS (alloy_source_parent_class)->finalize (object);
}

static void
alloy_source_class_init (AlloySourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = alloy_source_dispose;
  object_class->finalize = alloy_source_finalize;
}

static void
alloy_source_init (AlloySource *self)
{
}

static void
run_work (gpointer data, gpointer user_data)
{
  Work *work = data;

  work->work (work->data, NULL);
  g_free (work);
}

AlloySource *
alloy_source_new (AlloyConfig *config, GHashTable *readers)
{
  AlloySource *self = g_object_new (ALLOY_TYPE_SOURCE, NULL);
  g_autofree char *location = alloy_config_get_string (config, ALLOY_CORE_GROUP,
                                                       ALLOY_KEY_LOCATION);
  GKeyFile *key_file = alloy_config_get_key_file (config);

  self->readers = g_hash_table_ref (readers);
  self->schema_path = g_key_file_get_string_list (key_file, ALLOY_CORE_GROUP,
                                                  ALLOY_KEY_SCHEMA_PATH, NULL, NULL);
  if (self->schema_path == NULL)
    self->schema_path = g_new0 (char *, 1);
  self->root_version = alloy_config_get_int (config, ALLOY_CORE_GROUP, ALLOY_KEY_JSON_ROOT_VERSION);
  self->replication = alloy_config_get_int (config, ALLOY_CORE_GROUP, ALLOY_KEY_LOCI_REPLICATION);
  self->item_max_bytes = alloy_config_get_size (config, ALLOY_CORE_GROUP, ALLOY_KEY_ITEM_MAX_BYTES);
  self->json_max_depth = alloy_config_get_int (config, ALLOY_CORE_GROUP, ALLOY_KEY_JSON_MAX_DEPTH);
  self->parcel_max_bytes = alloy_config_get_size (config, ALLOY_CORE_GROUP,
                                                  ALLOY_KEY_PARCEL_MAX_BYTES);
  self->heartbeat_ms = alloy_config_get_duration_ms (config, ALLOY_CORE_GROUP,
                                                     ALLOY_KEY_HEARTBEAT_INTERVAL);
  self->load_wait_max_ms = alloy_config_get_duration_ms (config, ALLOY_CORE_GROUP,
                                                         ALLOY_KEY_LOAD_WAIT_MAX);
  self->peer_timeout_ms = alloy_config_get_duration_ms (config, ALLOY_CORE_GROUP,
                                                        ALLOY_KEY_PEER_TIMEOUT);
  self->catalog = alloy_catalog_new (location,
                                     alloy_config_get_size (config, ALLOY_CORE_GROUP,
                                                            ALLOY_KEY_PARTITION_MAX_BYTES),
                                     alloy_config_get_duration_ms (config, ALLOY_CORE_GROUP,
                                                                   ALLOY_KEY_DATASET_SETTLE));
  /* Cannot fail when not exclusive. */
  self->pool = g_thread_pool_new (run_work, self,
                                  alloy_config_get_int (config, ALLOY_CORE_GROUP,
                                                        ALLOY_KEY_LOAD_CONCURRENCY),
                                  FALSE, NULL);
  return self;
}

void
alloy_source_set_cluster (AlloySource *self, AlloyCluster *cluster, AlloyConnector *connector)
{
  g_set_object (&self->cluster, cluster);
  g_set_object (&self->connector, connector);
}

gboolean
alloy_source_start (AlloySource *self, GError **error)
{
  g_autoptr(GPtrArray) datasets = NULL;

  if (!alloy_catalog_load (self->catalog, NULL, error))
    return FALSE;
  datasets = alloy_catalog_list (self->catalog);
  for (guint i = 0; i < datasets->len; i++)
    {
      AlloyDataset *dataset = datasets->pdata[i];
      const GError *problem = alloy_dataset_get_error (dataset);

      if (problem != NULL)
        g_warning ("dataset %s cannot be served: %s", alloy_dataset_get_name (dataset),
                   problem->message);
      else
        g_message ("dataset %s: %u partitions, %" G_GUINT64_FORMAT " bytes",
                   alloy_dataset_get_name (dataset), alloy_dataset_get_n_partitions (dataset),
                   alloy_dataset_get_total_bytes (dataset));
    }
  return alloy_catalog_start_monitoring (self->catalog, error);
}

void
alloy_source_set_stopping (AlloySource *self)
{
  self->stopping = TRUE;
  alloy_catalog_stop (self->catalog);
}

gboolean
alloy_source_is_stopping (AlloySource *self)
{
  return self->stopping;
}

AlloyCatalog *
alloy_source_get_catalog (AlloySource *self)
{
  return self->catalog;
}

/* SHA-256 of the schema's files in version order: a schema edited in
 * place changes every view's generation. */
static char *
digest_schema (AlloyBrioSchema *schema, GError **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  const char *const *files = alloy_brio_schema_get_files (schema);

  for (guint i = 0; files[i] != NULL; i++)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;
      guint64 length_le;

      if (!g_file_get_contents (files[i], &contents, &length, error))
        return NULL;
      length_le = GUINT64_TO_LE ((guint64) length);
      g_checksum_update (checksum, (const guchar *) &length_le, sizeof length_le);
      g_checksum_update (checksum, (const guchar *) contents, length);
    }
  return g_strdup (g_checksum_get_string (checksum));
}

static void
add_files (AlloyInventory *inventory, AlloyDataset *dataset)
{
  for (guint k = 0; k < alloy_dataset_get_n_partitions (dataset); k++)
    {
      const AlloyPartition *partition = alloy_dataset_get_partition (dataset, k);

      alloy_inventory_add_partition (inventory, partition->id, partition->path,
                                     partition->digest, partition->range_start,
                                     partition->range_end);
    }
  for (guint k = 0; k < alloy_dataset_get_n_refused (dataset); k++)
    {
      const AlloyRefusedFile *refused = alloy_dataset_get_refused (dataset, k);

      alloy_inventory_add_refused (inventory, refused->path, refused->reason);
    }
}

/* What this peer holds of @dataset_name, ready or not. */
static AlloyInventory *
inspect_dataset (AlloySource *self, const char *dataset_name, const char *schema_name,
                 const char *peer_id)
{
  g_autoptr(AlloyDataset) dataset = NULL;
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyInventory) inventory = NULL;
  g_autofree char *schema_digest = NULL;
  const char *bound;

  dataset = alloy_catalog_lookup (self->catalog, dataset_name, &error);
  if (dataset == NULL)
    {
      AlloyInventoryState state = ALLOY_INVENTORY_FAILED;

      if (g_error_matches (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_NOT_FOUND))
        state = ALLOY_INVENTORY_ABSENT;
      else if (g_error_matches (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_INVALID_NAME) ||
               g_error_matches (error, ALLOY_CATALOG_ERROR, ALLOY_CATALOG_ERROR_OUTSIDE_ROOT))
        state = ALLOY_INVENTORY_INVALID;
      return alloy_inventory_new (state, peer_id, error->message);
    }
  /* No schema: the files only, for a peer learning what this one holds
   * (alloy-cluster-watch.c); no press fields. */
  if (*schema_name == '\0')
    {
      inventory = alloy_inventory_new (ALLOY_INVENTORY_HELD, peer_id, NULL);
      inventory->schema_name = g_strdup ("");
      inventory->schema_digest = g_strdup ("");
      inventory->press_options = g_strdup ("");
      inventory->root_version = 1;
      add_files (inventory, dataset);
      return g_steal_pointer (&inventory);
    }
  /* A dataset.conf that names its schema binds its views to it. */
  bound = alloy_dataset_get_schema (dataset);
  if (bound != NULL && g_ascii_strcasecmp (bound, schema_name) != 0)
    {
      g_autofree char *message = g_strdup_printf ("dataset %s is of schema %s; the view asks "
                                                  "for schema %s", dataset_name, bound,
                                                  schema_name);
      return alloy_inventory_new (ALLOY_INVENTORY_INVALID, peer_id, message);
    }
  schema = alloy_brio_schema_find ((const char *const *) self->schema_path, schema_name, &error);
  if (schema == NULL)
    return alloy_inventory_new (ALLOY_INVENTORY_INVALID, peer_id, error->message);
  schema_digest = digest_schema (schema, &error);
  if (schema_digest == NULL)
    return alloy_inventory_new (ALLOY_INVENTORY_FAILED, peer_id, error->message);

  inventory = alloy_inventory_new (ALLOY_INVENTORY_HELD, peer_id, NULL);
  inventory->schema_name = g_strdup (alloy_brio_schema_get_name (schema));
  inventory->schema_digest = g_steal_pointer (&schema_digest);
  inventory->root_version = alloy_dataset_get_root_version (dataset);
  if (inventory->root_version == 0)
    inventory->root_version = self->root_version;
  inventory->press_options = g_strdup_printf ("item.max.bytes=%" G_GSIZE_FORMAT
                                              ";json.max.depth=%u",
                                              self->item_max_bytes, self->json_max_depth);
  add_files (inventory, dataset);
  return g_steal_pointer (&inventory);
}

AlloyInventory *
alloy_source_take_inventory (AlloySource *self, const char *dataset_name,
                             const char *schema_name)
{
  const char *peer_id = self->cluster != NULL ? alloy_cluster_get_self (self->cluster)->id : NULL;
  AlloyInventory *inventory = inspect_dataset (self, dataset_name, schema_name, peer_id);
  const char *not_ready = NULL;

  if (self->cluster == NULL)
    not_ready = "starting";
  else if (self->stopping || alloy_cluster_is_draining (self->cluster))
    not_ready = self->stopping ? "shutting down" : "draining";
  if (not_ready == NULL)
    return inventory;
  /* A peer that is not ready still says what it holds (its catalog is
   * read before it listens): the others then know what it takes along. */
  if (inventory->state != ALLOY_INVENTORY_HELD)
    g_ptr_array_set_size (inventory->partitions, 0);
  inventory->state = ALLOY_INVENTORY_NOT_READY;
  g_free (inventory->message);
  inventory->message = g_strdup (not_ready);
  return inventory;
}

typedef struct {
  AlloyViewRequest *request;
  AlloyViewSelection *selection;
} Answering;

static void
answering_free (Answering *answering)
{
  alloy_view_request_free (answering->request);
  alloy_view_selection_free (answering->selection);
  g_free (answering);
}

static AlloyViewAnswer *
answer (const AlloyViewRequest *request, AlloyViewAnswer *planned, const GError *error)
{
  if (planned == NULL)
    {
      g_warning ("view %s (schema %s): %s", request->guid, request->schema_name, error->message);
      return alloy_view_plan_failure (request, error);
    }
  /* The motif rides along unapplied (docs/protocol-notes.md). */
  g_message ("view %s (schema %s): %u loci, generation %.12s; the motif filter is passed "
             "through, not applied", request->guid, request->schema_name, planned->loci->len,
             planned->generation_hash);
  return planned;
}

static void
on_gathered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  AlloySource *self = g_task_get_source_object (task);
  Answering *answering = g_task_get_task_data (task);
  g_autoptr(AlloyViewGathered) gathered = alloy_view_gather_finish (ALLOY_CLUSTER (source),
                                                                    result);
  g_autoptr(GError) error = NULL;
  AlloyViewPlanInput input = { 0 };
  AlloyViewAnswer *planned = NULL;

  input.selection = answering->selection;
  input.replication = self->replication;
  if (alloy_view_check_holdings (answering->selection->dataset, gathered->answered,
                                 gathered->inventories, gathered->silent, &input, &error))
    {
      planned = alloy_view_plan (answering->request, &input, &error);
      g_ptr_array_unref (input.peers);
      g_ptr_array_unref (input.inventories);
    }
  /* Input the planner refuses is a bug, which must still be an answer. */
  if (planned == NULL && error == NULL)
    g_set_error (&error, ALLOY_VIEW_ERROR, ALLOY_VIEW_ERROR_FAILED,
                 "internal error: the view's plan failed without a reason");
  g_task_return_pointer (task, answer (answering->request, planned, error),
                         (GDestroyNotify) alloy_view_answer_free);
}

void
alloy_source_answer_view_async (AlloySource *self, AlloyViewRequest *request,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  g_autoptr(GError) error = NULL;
  AlloyInventory *local = NULL;
  Answering *answering;

  g_task_set_source_tag (task, alloy_source_answer_view_async);
  if (self->cluster == NULL || self->stopping)
    g_set_error (&error, ALLOY_VIEW_ERROR, ALLOY_VIEW_ERROR_NOT_READY,
                 self->stopping ? "this peer is shutting down" : "this peer is still starting");
  answering = g_new0 (Answering, 1);
  answering->request = request;
  g_task_set_task_data (task, answering, (GDestroyNotify) answering_free);
  /* An empty schema name asks peers for files only: no view has it. */
  if (error == NULL && *request->schema_name == '\0')
    g_set_error_literal (&error, ALLOY_VIEW_ERROR, ALLOY_VIEW_ERROR_INVALID,
                         "the view names no schema");
  if (error == NULL)
    answering->selection = alloy_view_select (request, alloy_catalog_get_root (self->catalog),
                                              &error);
  if (error != NULL)
    {
      g_task_return_pointer (task, answer (request, NULL, error),
                             (GDestroyNotify) alloy_view_answer_free);
      return;
    }
  if (!alloy_cluster_is_draining (self->cluster))
    local = alloy_source_take_inventory (self, answering->selection->dataset,
                                         request->schema_name);
  alloy_view_gather_async (self->cluster, self->connector, local, answering->selection->dataset,
                           request->schema_name, self->peer_timeout_ms, on_gathered,
                           g_steal_pointer (&task));
}

AlloyViewAnswer *
alloy_source_answer_view_finish (AlloySource *self, GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), NULL);
}

AlloyReader *
alloy_source_get_reader (AlloySource *self, const char *module)
{
  return g_hash_table_lookup (self->readers, module);
}

const char *const *
alloy_source_get_schema_path (AlloySource *self)
{
  return (const char *const *) self->schema_path;
}

gsize
alloy_source_get_item_max_bytes (AlloySource *self)
{
  return self->item_max_bytes;
}

gsize
alloy_source_get_parcel_max_bytes (AlloySource *self)
{
  return self->parcel_max_bytes;
}

guint
alloy_source_get_heartbeat_interval_ms (AlloySource *self)
{
  return self->heartbeat_ms;
}

guint
alloy_source_get_load_wait_max_ms (AlloySource *self)
{
  return self->load_wait_max_ms;
}

void
alloy_source_run (AlloySource *self, GFunc work, gpointer data)
{
  Work *item = g_new0 (Work, 1);

  item->work = work;
  item->data = data;
  self->n_work++;
  g_thread_pool_push (self->pool, item, NULL);
}

void
alloy_source_work_done (AlloySource *self)
{
  GSourceFunc idle = self->idle;

  g_return_if_fail (self->n_work > 0);
  if (--self->n_work > 0 || idle == NULL)
    return;
  self->idle = NULL;
  idle (self->idle_data);
}

guint
alloy_source_get_n_work (AlloySource *self)
{
  return self->n_work;
}

void
alloy_source_when_idle (AlloySource *self, GSourceFunc idle, gpointer user_data)
{
  if (self->n_work == 0)
    {
      idle (user_data);
      return;
    }
  self->idle = idle;
  self->idle_data = user_data;
}
