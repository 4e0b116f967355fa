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

static void
refused_free (AlloyInventoryRefused *refused)
{
  g_free (refused->path);
  g_free (refused->reason);
  g_free (refused);
}

AlloyInventory *
alloy_inventory_new (AlloyInventoryState state, const char *peer_id, const char *message)
{
  AlloyInventory *inventory = g_new0 (AlloyInventory, 1);

  inventory->state = state;
  inventory->peer_id = g_strdup (peer_id);
  inventory->message = g_strdup (message != NULL ? message : "OK");
  inventory->partitions = g_ptr_array_new_with_free_func ((GDestroyNotify) partition_free);
  inventory->refused = g_ptr_array_new_with_free_func ((GDestroyNotify) refused_free);
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
  g_ptr_array_unref (inventory->refused);
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

void
alloy_inventory_add_refused (AlloyInventory *inventory, const char *path, const char *reason)
{
  AlloyInventoryRefused *refused = g_new0 (AlloyInventoryRefused, 1);

  refused->path = g_strdup (path);
  refused->reason = g_strdup (reason);
  g_ptr_array_add (inventory->refused, refused);
}

GStrv
alloy_inventory_get_paths (const AlloyInventory *inventory)
{
  g_autoptr(GStrvBuilder) paths = g_strv_builder_new ();
  const char *previous = NULL;

  /* A file's ranges are consecutive. */
  for (guint i = 0; i < inventory->partitions->len; i++)
    {
      const AlloyInventoryPartition *partition = inventory->partitions->pdata[i];

      if (g_strcmp0 (partition->path, previous) != 0)
        g_strv_builder_add (paths, partition->path);
      previous = partition->path;
    }
  return g_strv_builder_end (paths);
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
