/* alloy-cluster-watch.c: learning what each member holds as it joins.
 *
 * A view fails when a silent member's holdings were never known (never a
 * silently partial dataset). Learning them when a member joins, rather than
 * at the first view, keeps a cluster whose peer died early serving: with a
 * shared location its files are known to be held by the others.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-cluster-watch.h"

#include "alloy-dataset.h"
#include "alloy-peer-client.h"
#include "alloy-view-gather.h"

#define RETRY_FIRST_MS 5000
#define RETRY_MAX_MS 60000

typedef struct {
  AlloyClusterWatch *watch; /* unowned: the watch cancels before it goes */
  AlloyPeer *peer;
  char *key;
  guint round;          /* which round the call in flight belongs to */
  GStrv datasets;       /* this round's: asked one after another */
  guint next;
  guint retry_ms;
  guint retry_id;
} Learning;

struct _AlloyClusterWatch {
  GObject parent_instance;

  AlloyCluster *cluster;
  AlloyConnector *connector;
  AlloyCatalog *catalog;
  guint timeout_ms;
  gulong changed_id;
  GCancellable *cancellable;
  GHashTable *learning; /* peer key -> Learning: members being or done learning */
  guint rounds;
};

G_DEFINE_FINAL_TYPE (AlloyClusterWatch, alloy_cluster_watch, G_TYPE_OBJECT)

static void
learning_free (Learning *learning)
{
  g_clear_handle_id (&learning->retry_id, g_source_remove);
  g_strfreev (learning->datasets);
  alloy_peer_free (learning->peer);
  g_free (learning->key);
  g_free (learning);
}

void
alloy_cluster_watch_stop (AlloyClusterWatch *self)
{
  g_cancellable_cancel (self->cancellable);
  if (self->changed_id != 0)
    g_clear_signal_handler (&self->changed_id, self->cluster);
  g_hash_table_remove_all (self->learning);
}

static void
alloy_cluster_watch_dispose (GObject *object)
{
  AlloyClusterWatch *self = ALLOY_CLUSTER_WATCH (object);

  alloy_cluster_watch_stop (self);
  g_clear_object (&self->cluster);
  g_clear_object (&self->connector);
  g_clear_object (&self->catalog);

  G_OBJECT_CLASS (alloy_cluster_watch_parent_class)->dispose (object);
}

static void
alloy_cluster_watch_finalize (GObject *object)
{
  AlloyClusterWatch *self = ALLOY_CLUSTER_WATCH (object);

  g_hash_table_unref (self->learning);
  g_object_unref (self->cancellable);

  G_OBJECT_CLASS (alloy_cluster_watch_parent_class)->finalize (object);
}

static void
alloy_cluster_watch_class_init (AlloyClusterWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = alloy_cluster_watch_dispose;
  object_class->finalize = alloy_cluster_watch_finalize;
}

static void
alloy_cluster_watch_init (AlloyClusterWatch *self)
{
  self->learning = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) learning_free);
  self->cancellable = g_cancellable_new ();
}

static void ask (AlloyClusterWatch *self, Learning *learning);
static void ask_next (AlloyClusterWatch *self, Learning *learning);

static gboolean
on_retry (gpointer user_data)
{
  Learning *learning = user_data;

  learning->retry_id = 0;
  ask (learning->watch, learning);
  return G_SOURCE_REMOVE;
}

typedef struct {
  AlloyClusterWatch *watch;
  char *key;
  guint round;
  char *dataset;
} Ask;

static void
ask_free (Ask *call)
{
  g_object_unref (call->watch);
  g_free (call->key);
  g_free (call->dataset);
  g_free (call);
}

static void
on_inventory (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Ask *call = user_data;
  AlloyClusterWatch *self = call->watch;
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyInventory) inventory = alloy_peer_client_inventory_finish (
      ALLOY_CONNECTOR (source), result, &error);
  Learning *learning = g_hash_table_lookup (self->learning, call->key);

  /* Gone from the members (or back as another round), or the watch
   * stopped, meanwhile. */
  if (learning == NULL || learning->round != call->round ||
      g_cancellable_is_cancelled (self->cancellable))
    {
      ask_free (call);
      return;
    }
  if (inventory == NULL)
    {
      /* Unreachable: the rest of the round would fail alike. */
      g_debug ("learning what %s holds of dataset %s: %s", learning->key, call->dataset,
               error->message);
      learning->retry_id = g_timeout_add (learning->retry_ms, on_retry, learning);
      learning->retry_ms = MIN (learning->retry_ms * 2, RETRY_MAX_MS);
      ask_free (call);
      return;
    }
  alloy_view_gather_remember (self->cluster, call->dataset, learning->peer, inventory);
  ask_next (self, learning);
  ask_free (call);
}

/* The next dataset of the round, one call at a time per peer. */
static void
ask_next (AlloyClusterWatch *self, Learning *learning)
{
  Ask *call;

  if (learning->datasets[learning->next] == NULL)
    {
      g_autofree char *text = alloy_peer_to_string (learning->peer);

      g_info ("learned what peer %s holds", text);
      return;
    }
  call = g_new0 (Ask, 1);
  call->watch = g_object_ref (self);
  call->key = g_strdup (learning->key);
  call->round = learning->round;
  call->dataset = g_strdup (learning->datasets[learning->next++]);
  alloy_peer_client_inventory_async (self->connector, learning->peer, call->dataset, "",
                                     self->timeout_ms, self->cancellable, on_inventory, call);
}

/* One round: every dataset of the catalog, files only (no schema). */
static void
ask (AlloyClusterWatch *self, Learning *learning)
{
  g_autoptr(GPtrArray) datasets = alloy_catalog_list (self->catalog);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  for (guint i = 0; i < datasets->len; i++)
    g_strv_builder_add (names, alloy_dataset_get_name (datasets->pdata[i]));
  g_strfreev (learning->datasets);
  learning->datasets = g_strv_builder_end (names);
  learning->next = 0;
  learning->round = ++self->rounds;
  ask_next (self, learning);
}

/* New members are asked; members that left stop being asked. */
static void
on_changed (AlloyCluster *cluster, gpointer user_data)
{
  AlloyClusterWatch *self = user_data;
  g_autoptr(GPtrArray) members = alloy_cluster_get_members (cluster);
  g_autoptr(GHashTable) current = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *self_key = alloy_cluster_peer_key (alloy_cluster_get_self (cluster));
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < members->len; i++)
    {
      g_autofree char *member = alloy_cluster_peer_key (members->pdata[i]);
      Learning *learning;

      if (g_str_equal (member, self_key))
        continue;
      g_hash_table_add (current, g_strdup (member));
      if (g_hash_table_contains (self->learning, member))
        continue;
      learning = g_new0 (Learning, 1);
      learning->watch = self;
      learning->peer = alloy_peer_copy (members->pdata[i]);
      learning->key = g_steal_pointer (&member);
      learning->retry_ms = RETRY_FIRST_MS;
      g_hash_table_insert (self->learning, learning->key, learning);
      ask (self, learning);
    }
  g_hash_table_iter_init (&iter, self->learning);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (current, key))
      g_hash_table_iter_remove (&iter);
}

AlloyClusterWatch *
alloy_cluster_watch_new (AlloyCluster *cluster, AlloyConnector *connector,
                         AlloyCatalog *catalog, guint timeout_ms)
{
  AlloyClusterWatch *self = g_object_new (ALLOY_TYPE_CLUSTER_WATCH, NULL);

  self->cluster = g_object_ref (cluster);
  self->connector = g_object_ref (connector);
  self->catalog = g_object_ref (catalog);
  self->timeout_ms = timeout_ms;
  self->changed_id = g_signal_connect (cluster, "changed", G_CALLBACK (on_changed), self);
  return self;
}
