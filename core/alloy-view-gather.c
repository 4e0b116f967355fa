/* alloy-view-gather.c: every member's inventory of a view's dataset.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-view-gather.h"

#include "alloy-peer-client.h"

typedef struct {
  AlloyPeer *peer;
  AlloyInventory *inventory; /* NULL: silent */
  char *reason;
} Answer;

typedef struct {
  char *dataset;
  GPtrArray *answers; /* Answer, in member order */
  guint pending;
} Gather;

typedef struct {
  GTask *task;
  guint index;
} Ask;

static void
answer_free (Answer *answer)
{
  alloy_peer_free (answer->peer);
  alloy_inventory_free (answer->inventory);
  g_free (answer->reason);
  g_free (answer);
}

static void
gather_free (Gather *gather)
{
  g_free (gather->dataset);
  g_ptr_array_unref (gather->answers);
  g_free (gather);
}

static void
silent_free (AlloyViewSilentPeer *silent)
{
  alloy_peer_free ((AlloyPeer *) silent->peer);
  g_free ((char *) silent->reason);
  g_strfreev ((char **) silent->last_known);
  g_free (silent);
}

void
alloy_view_gathered_free (AlloyViewGathered *gathered)
{
  if (gathered == NULL)
    return;
  g_ptr_array_unref (gathered->answered);
  g_ptr_array_unref (gathered->inventories);
  g_ptr_array_unref (gathered->silent);
  g_free (gathered);
}

static void
remember (AlloyCluster *cluster, const char *dataset, const Answer *answer)
{
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;

  for (guint i = 0; i < answer->inventory->partitions->len; i++)
    g_strv_builder_add (ids, ((AlloyInventoryPartition *)
                              answer->inventory->partitions->pdata[i])->id);
  strv = g_strv_builder_end (ids);
  alloy_cluster_remember_holding (cluster, answer->peer, dataset, (const char *const *) strv);
}

static void
finish (GTask *task)
{
  AlloyCluster *cluster = g_task_get_source_object (task);
  Gather *gather = g_task_get_task_data (task);
  AlloyViewGathered *gathered = g_new0 (AlloyViewGathered, 1);

  gathered->answered = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_free);
  gathered->inventories = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_inventory_free);
  gathered->silent = g_ptr_array_new_with_free_func ((GDestroyNotify) silent_free);
  for (guint i = 0; i < gather->answers->len; i++)
    {
      Answer *answer = gather->answers->pdata[i];

      if (answer->inventory != NULL)
        {
          remember (cluster, gather->dataset, answer);
          g_ptr_array_add (gathered->answered, g_steal_pointer (&answer->peer));
          g_ptr_array_add (gathered->inventories, g_steal_pointer (&answer->inventory));
        }
      else
        {
          AlloyViewSilentPeer *silent = g_new0 (AlloyViewSilentPeer, 1);
          const char *const *known = alloy_cluster_recall_holding (cluster, answer->peer,
                                                                   gather->dataset);
          g_autofree char *text = alloy_peer_to_string (answer->peer);

          g_warning ("view of dataset %s: peer %s is left out: %s", gather->dataset, text,
                     answer->reason);
          silent->last_known = (const char *const *) g_strdupv ((char **) known);
          silent->reason = g_steal_pointer (&answer->reason);
          silent->peer = g_steal_pointer (&answer->peer);
          g_ptr_array_add (gathered->silent, silent);
        }
    }
  g_task_return_pointer (task, gathered, (GDestroyNotify) alloy_view_gathered_free);
}

/* A NOT_READY answer makes the peer silent too: it serves nothing new. */
static void
settle (GTask *task, guint index, AlloyInventory *inventory, const GError *error)
{
  Gather *gather = g_task_get_task_data (task);
  Answer *answer = gather->answers->pdata[index];

  if (inventory != NULL && inventory->state == ALLOY_INVENTORY_NOT_READY)
    {
      answer->reason = g_strdup_printf ("not ready: %s", inventory->message);
      alloy_inventory_free (inventory);
    }
  else if (inventory != NULL)
    answer->inventory = inventory;
  else
    answer->reason = g_strdup (error->message);
  if (--gather->pending == 0)
    finish (task);
}

static void
on_inventory (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Ask *ask = user_data;
  g_autoptr(GTask) task = ask->task;
  g_autoptr(GError) error = NULL;
  AlloyInventory *inventory = alloy_peer_client_inventory_finish (ALLOY_CONNECTOR (source),
                                                                  result, &error);

  settle (task, ask->index, inventory, error);
  g_free (ask);
}

void
alloy_view_gather_async (AlloyCluster *cluster, AlloyConnector *connector,
                         AlloyInventory *local, const char *dataset, const char *schema_name,
                         guint timeout_ms, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (cluster, NULL, callback, user_data);
  g_autoptr(GPtrArray) members = alloy_cluster_get_members (cluster);
  const AlloyPeer *self_peer = alloy_cluster_get_self (cluster);
  Gather *gather = g_new0 (Gather, 1);
  gint local_index = -1;

  g_task_set_source_tag (task, alloy_view_gather_async);
  gather->dataset = g_strdup (dataset);
  gather->answers = g_ptr_array_new_with_free_func ((GDestroyNotify) answer_free);
  g_task_set_task_data (task, gather, (GDestroyNotify) gather_free);
  for (guint i = 0; i < members->len; i++)
    {
      Answer *answer = g_new0 (Answer, 1);

      answer->peer = alloy_peer_copy (members->pdata[i]);
      g_ptr_array_add (gather->answers, answer);
      if (alloy_peer_equal (members->pdata[i], self_peer))
        local_index = (gint) i;
    }
  /* One count held while asking, so that no answer finishes early. */
  gather->pending = members->len + 1;
  for (guint i = 0; i < members->len; i++)
    {
      Ask *ask;

      if ((gint) i == local_index)
        continue;
      ask = g_new0 (Ask, 1);
      ask->task = g_object_ref (task);
      ask->index = i;
      alloy_peer_client_inventory_async (connector, members->pdata[i], dataset, schema_name,
                                         timeout_ms, NULL, on_inventory, ask);
    }
  if (local_index >= 0)
    settle (task, (guint) local_index, g_steal_pointer (&local), NULL);
  alloy_inventory_free (local);
  if (--gather->pending == 0)
    finish (task);
}

AlloyViewGathered *
alloy_view_gather_finish (AlloyCluster *cluster, GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, cluster), NULL);
  return g_task_propagate_pointer (G_TASK (result), NULL);
}
