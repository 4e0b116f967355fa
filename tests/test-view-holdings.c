/* test-view-holdings.c: checking what the peers answered about a view's
 * dataset (alloy_view_check_holdings), and planning over the holdings it
 * accepts: every partition streamed exactly once and only by a peer that
 * holds it, a hash that does not depend on the order answers came in,
 * and failover that moves only a lost peer's partitions. Inventories are
 * built by hand; no I/O.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-view-holdings.h"
#include "view-plan-test-utils.h"

#include <stdlib.h>
#include <string.h>

#define DATASET "events"
/* Simulated item indices per partition for the coverage check. */
#define N_ITEMS 60
#define SILENT 99 /* an Answer that is no answer */

/* The answers of one round: peers with their inventories, and silent
 * members with what they last held. */
typedef struct {
  GPtrArray *peers;        /* AlloyPeer */
  GPtrArray *inventories;  /* AlloyInventory, same index */
  GPtrArray *silent;       /* AlloyViewSilentPeer */
  GPtrArray *owned;        /* what the silent entries point to */
} Answers;

static void
answers_init (Answers *answers)
{
  answers->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_free);
  answers->inventories = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_inventory_free);
  answers->silent = g_ptr_array_new_with_free_func (g_free);
  answers->owned = g_ptr_array_new_with_free_func (g_free);
}

static void
answers_clear (Answers *answers)
{
  g_clear_pointer (&answers->peers, g_ptr_array_unref);
  g_clear_pointer (&answers->inventories, g_ptr_array_unref);
  g_clear_pointer (&answers->silent, g_ptr_array_unref);
  g_clear_pointer (&answers->owned, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answers, answers_clear)

/* Peer @index: peer-a at 10.0.0.1, peer-b at 10.0.0.2, ... */
static AlloyPeer *
peer_at (guint index)
{
  g_autofree char *id = g_strdup_printf ("peer-%c", 'a' + index);
  g_autofree char *host = g_strdup_printf ("10.0.0.%u", index + 1);

  return alloy_peer_new (id, host, 1270);
}

static void
add_partition (AlloyInventory *inventory, const char *token)
{
  g_autofree char *id = g_strdup (token);
  g_autofree char *path = NULL;
  g_autofree char *digest = NULL;
  char *mark;
  guint64 start = 0, end;

  if ((mark = strchr (id, '#')) != NULL)
    {
      digest = g_strnfill (64, mark[1]);
      *mark = '\0';
    }
  if ((mark = strchr (id, ':')) != NULL)
    {
      *mark = '\0';
      start = g_ascii_strtoull (mark + 1, &mark, 10);
      g_assert_cmpint (*mark, ==, '-');
      end = g_ascii_strtoull (mark + 1, NULL, 10);
    }
  path = g_strdup (id);
  if ((mark = strchr (path, '@')) != NULL)
    {
      *mark = '\0';
      if (strchr (token, ':') == NULL)
        {
          start = g_ascii_strtoull (mark + 1, &mark, 10);
          g_assert_cmpint (*mark, ==, '-');
          end = g_ascii_strtoull (mark + 1, NULL, 10);
        }
    }
  else if (strchr (token, ':') == NULL)
    end = 64 + 16 * strlen (path);
  if (digest == NULL)
    digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, path, -1);
  alloy_inventory_add_partition (inventory, id, path, digest, start, end);
}

/* A HELD inventory of @partitions, space-separated tokens ID[:S-E][#X]:
 * the path is the id up to an '@', the range the one the id names
 * ("f@0-100") or S-E, else a size per path; the digest SHA-256 of the path,
 * or 64 times X. It presses with schema quo (HEX_B), rootVersion 1 and
 * item.max=64M unless @tweak ("schema=", "schema-digest=", "root=",
 * "options=") says otherwise. */
static AlloyInventory *
held_new (const char *peer_id, const char *partitions, const char *tweak)
{
  AlloyInventory *inventory = alloy_inventory_new (ALLOY_INVENTORY_HELD, peer_id, NULL);
  g_auto(GStrv) tokens = g_strsplit (partitions, " ", -1);

  inventory->schema_name = g_strdup ("quo");
  inventory->schema_digest = g_strdup (HEX_B);
  inventory->root_version = 1;
  inventory->press_options = g_strdup ("item.max=64M");
  if (tweak == NULL)
    ;
  else if (g_str_has_prefix (tweak, "schema="))
    g_free (inventory->schema_name), inventory->schema_name = g_strdup (tweak + 7);
  else if (g_str_has_prefix (tweak, "schema-digest="))
    g_free (inventory->schema_digest), inventory->schema_digest = g_strdup (tweak + 14);
  else if (g_str_has_prefix (tweak, "root="))
    inventory->root_version = atoi (tweak + 5);
  else if (g_str_has_prefix (tweak, "options="))
    g_free (inventory->press_options), inventory->press_options = g_strdup (tweak + 8);
  else
    g_assert_not_reached ();
  for (guint i = 0; tokens[i] != NULL; i++)
    if (*tokens[i] != '\0')
      add_partition (inventory, tokens[i]);
  return inventory;
}

static void
answer (Answers *answers, guint index, AlloyInventory *inventory /* transfer full */)
{
  g_ptr_array_add (answers->peers, peer_at (index));
  g_ptr_array_add (answers->inventories, inventory);
}

/* A silent member: @last_known space-separated ids, NULL never known. */
static void
silent (Answers *answers, guint index, const char *reason, const char *last_known)
{
  AlloyViewSilentPeer *entry = g_new0 (AlloyViewSilentPeer, 1);
  AlloyPeer *peer = peer_at (index);

  entry->peer = peer;
  g_ptr_array_add (answers->owned, peer);
  g_ptr_array_set_free_func (answers->owned, NULL);
  /* The peer goes with a destroy function of its own kind. */
  g_ptr_array_remove_index (answers->owned, answers->owned->len - 1);
  g_ptr_array_set_free_func (answers->owned, g_free);
  g_ptr_array_add (answers->peers->len > 0 || TRUE ? answers->owned : NULL, NULL);
  answers->owned->pdata[answers->owned->len - 1] = NULL;
  g_ptr_array_remove_index (answers->owned, answers->owned->len - 1);
  entry->reason = g_strdup (reason);
  g_ptr_array_add (answers->owned, (gpointer) entry->reason);
  if (last_known != NULL)
    {
      GStrv ids = g_strsplit (last_known, " ", -1);

      if (*last_known == '\0')
        g_clear_pointer (&ids[0], g_free);
      entry->last_known = (const char *const *) ids;
      for (guint i = 0; ids[i] != NULL; i++)
        g_ptr_array_add (answers->owned, ids[i]);
      g_ptr_array_add (answers->owned, ids);
    }
  /* Peers are freed with alloy_peer_free: keep them with the answered
   * ones' destroy function, in a list of their own. */
  g_ptr_array_add (answers->silent, entry);
  g_object_set_data_full (G_OBJECT (NULL), "", peer, NULL);
}
