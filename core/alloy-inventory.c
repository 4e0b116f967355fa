/* alloy-inventory.c: what one peer holds of one dataset.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-inventory.h"

static void
partition_free (AlloyInventoryPartition *partition)
{
  g_free (partition->id);
  g_free (partition->path);
  g_free (partition->digest);
  g_free (partition);
}

AlloyInventory *
alloy_inventory_new (AlloyInventoryState state, const char *peer_id, const char *message)
{
  AlloyInventory *inventory = g_new0 (AlloyInventory, 1);

  inventory->state = state;
  inventory->peer_id = g_strdup (peer_id);
  inventory->message = g_strdup (message != NULL ? message : "OK");
  inventory->partitions = g_ptr_array_new_with_free_func ((GDestroyNotify) partition_free);
  return inventory;
}

void
alloy_inventory_free (AlloyInventory *inventory)
{
  if (inventory == NULL)
    return;
  g_free (inventory->message);
  g_free (inventory->peer_id);
  g_free (inventory->schema_name);
  g_free (inventory->schema_digest);
  g_free (inventory->press_options);
  g_ptr_array_unref (inventory->partitions);
  g_free (inventory);
}

void
alloy_inventory_add_partition (AlloyInventory *inventory, const char *id, const char *path,
                               const char *digest, guint64 range_start, guint64 range_end)
{
  AlloyInventoryPartition *partition = g_new0 (AlloyInventoryPartition, 1);

  partition->id = g_strdup (id);
  partition->path = g_strdup (path);
  partition->digest = g_strdup (digest);
  partition->range_start = range_start;
  partition->range_end = range_end;
  g_ptr_array_add (inventory->partitions, partition);
}

const char *
alloy_inventory_state_to_string (gint state)
{
  static const char *const names[] = { "held", "absent", "invalid", "failed", "not ready" };
  static GPrivate buffer = G_PRIVATE_INIT (g_free);
  char *text;

  if (state >= 0 && state < (gint) G_N_ELEMENTS (names))
    return names[state];
  text = g_strdup_printf ("state %d", state);
  g_private_replace (&buffer, text);
  return text;
}
