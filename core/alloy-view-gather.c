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
  char *self_id;
  gint local_index;
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
  g_free (gather->self_id);
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

/* Remembered: what a peer holds (HELD), or still holds while not ready;
 * an ABSENT answer empties what was remembered. A peer that fails to
 * answer properly (INVALID, FAILED) keeps what it was known to hold. */
void
alloy_view_gather_remember (AlloyCluster *cluster, const char *dataset, const AlloyPeer *peer,
                            const AlloyInventory *inventory)
{
  static const char *const none[] = { NULL };
  g_auto(GStrv) paths = NULL;

  switch (inventory->state)
    {
    case ALLOY_INVENTORY_HELD:
    case ALLOY_INVENTORY_NOT_READY:
      if (inventory->state == ALLOY_INVENTORY_NOT_READY && inventory->partitions->len == 0)
        return;
      paths = alloy_inventory_get_paths (inventory);
      alloy_cluster_remember_holding (cluster, peer, dataset, (const char *const *) paths);
      break;
    case ALLOY_INVENTORY_ABSENT:
      if (alloy_cluster_recall_holding (cluster, peer, dataset) != NULL)
        alloy_cluster_remember_holding (cluster, peer, dataset, none);
      break;
    default:
      break;
    }
}

static void
add_silent (AlloyCluster *cluster, const char *dataset, AlloyViewGathered *gathered,
            AlloyPeer *peer /* taken */, char *reason /* taken */)
{
  AlloyViewSilentPeer *silent = g_new0 (AlloyViewSilentPeer, 1);
  const char *const *known = alloy_cluster_recall_holding (cluster, peer, dataset);
  g_autofree char *text = alloy_peer_to_string (peer);

  /* Said once when it happens, not on every view. */
  if (alloy_cluster_note_silent (cluster, peer, TRUE))
    g_warning ("view of dataset %s: peer %s is left out: %s", dataset, text, reason);
  else
    g_debug ("view of dataset %s: peer %s is left out: %s", dataset, text, reason);
  silent->last_known = (const char *const *) g_strdupv ((char **) known);
  silent->reason = reason;
  silent->peer = peer;
  g_ptr_array_add (gathered->silent, silent);
}

static void
finish (GTask *task)
{
  AlloyCluster *cluster = g_task_get_source_object (task);
  Gather *gather = g_task_get_task_data (task);
  AlloyViewGathered *gathered = g_new0 (AlloyViewGathered, 1);
  g_autoptr(GPtrArray) departed = alloy_cluster_get_departed (cluster);

  gathered->answered = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_free);
  gathered->inventories = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_inventory_free);
  gathered->silent = g_ptr_array_new_with_free_func ((GDestroyNotify) silent_free);
  for (guint i = 0; i < gather->answers->len; i++)
    {
      Answer *answer = gather->answers->pdata[i];
      g_autofree char *text = alloy_peer_to_string (answer->peer);

      if (answer->reason != NULL && answer->reason[0] == '\0')
        continue;
      if (answer->inventory != NULL)
        alloy_view_gather_remember (cluster, gather->dataset, answer->peer, answer->inventory);
      if (answer->reason == NULL && alloy_cluster_note_silent (cluster, answer->peer, FALSE))
        g_message ("peer %s answers again", text);
      if (answer->reason == NULL)
        {
          g_ptr_array_add (gathered->answered, g_steal_pointer (&answer->peer));
          g_ptr_array_add (gathered->inventories, g_steal_pointer (&answer->inventory));
        }
      else
        add_silent (cluster, gather->dataset, gathered, g_steal_pointer (&answer->peer),
                    g_steal_pointer (&answer->reason));
    }
  /* What departed peers held is still expected, unless an operator made
   * the cluster forget them. */
  for (guint i = 0; i < departed->len; i++)
    if (alloy_cluster_recall_holding (cluster, departed->pdata[i], gather->dataset) != NULL)
      add_silent (cluster, gather->dataset, gathered, alloy_peer_copy (departed->pdata[i]),
                  g_strdup ("it left the cluster (not serving, or gone from discovery)"));
  g_task_return_pointer (task, gathered, (GDestroyNotify) alloy_view_gathered_free);
}

/* A NOT_READY answer makes the peer silent too: it serves nothing new.
 * A reply from this very peer, reached over the network under another
 * entry (a wildcard listener without advertise=), counts once: as the
 * local answer (its reason is "", which drops it). */
static void
settle (GTask *task, guint index, AlloyInventory *inventory, const GError *error)
{
  Gather *gather = g_task_get_task_data (task);
  Answer *answer = gather->answers->pdata[index];

  answer->inventory = inventory;
  if (inventory != NULL && gather->self_id != NULL && (gint) index != gather->local_index &&
      g_strcmp0 (inventory->peer_id, gather->self_id) == 0)
    {
      g_autofree char *text = alloy_peer_to_string (answer->peer);

      g_warning ("peer %s is this very peer (node-id %s): set advertise= so that discovery "
                 "and this peer agree on its address", text, gather->self_id);
      answer->reason = g_strdup ("");
    }
  else if (inventory != NULL && inventory->state == ALLOY_INVENTORY_NOT_READY)
    answer->reason = g_strdup_printf ("not ready: %s", inventory->message);
  else if (inventory == NULL)
    answer->reason = g_strdup (error != NULL ? error->message : "no answer");
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
  gather->self_id = g_strdup (self_peer->id);
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
  gather->local_index = local_index;
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
