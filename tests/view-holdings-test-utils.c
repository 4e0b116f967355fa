/* view-holdings-test-utils.c: the helpers shared by the holdings test
 * programs: the answers of a round, built by hand, and the check over them.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "view-holdings-test-utils.h"

#include <stdlib.h>
#include <string.h>

void
answers_init (Answers *answers)
{
  answers->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_free);
  answers->inventories = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_inventory_free);
  answers->silent = g_ptr_array_new_with_free_func (g_free);
  answers->silent_peers = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_free);
  answers->strings = g_ptr_array_new_with_free_func (g_free);
  answers->last_known = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
}

void
answers_clear (Answers *answers)
{
  g_clear_pointer (&answers->peers, g_ptr_array_unref);
  g_clear_pointer (&answers->inventories, g_ptr_array_unref);
  g_clear_pointer (&answers->silent, g_ptr_array_unref);
  g_clear_pointer (&answers->silent_peers, g_ptr_array_unref);
  g_clear_pointer (&answers->strings, g_ptr_array_unref);
  g_clear_pointer (&answers->last_known, g_ptr_array_unref);
}

/* Peer @index: peer-a at 10.0.0.1, peer-b at 10.0.0.2, ... */
static AlloyPeer *
peer_at (guint index)
{
  g_autofree char *id = g_strdup_printf ("peer-%c", 'a' + index);
  g_autofree char *host = g_strdup_printf ("10.0.0.%u", index + 1);

  return alloy_peer_new (id, host, 1270);
}

static void
parse_range (const char *text, guint64 *start, guint64 *end)
{
  char *dash;

  *start = g_ascii_strtoull (text, &dash, 10);
  g_assert_cmpint (*dash, ==, '-');
  *end = g_ascii_strtoull (dash + 1, NULL, 10);
}

/* A token ID[:S-E][#X]: the path is the id up to an '@'; the range S-E,
 * else the one the id names ("f@0-100"), else 0 to a size of the path's;
 * the digest 64 times X, else SHA-256 of the path. */
static void
add_partition (AlloyInventory *inventory, const char *token)
{
  g_autofree char *id = g_strdup (token);
  g_autofree char *path = NULL;
  g_autofree char *digest = NULL;
  char *mark;
  guint64 start, end;

  if ((mark = strchr (id, '#')) != NULL)
    {
      digest = g_strnfill (64, mark[1]);
      *mark = '\0';
    }
  path = g_strdup (id);
  if ((mark = strchr (path, '@')) != NULL)
    {
      *mark = '\0';
      parse_range (mark + 1, &start, &end);
    }
  else
    start = 0, end = 64 + 16 * strlen (path);
  if ((mark = strchr (id, ':')) != NULL)
    {
      *mark = '\0';
      parse_range (mark + 1, &start, &end);
    }
  if (digest == NULL)
    digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, path, -1);
  alloy_inventory_add_partition (inventory, id, path, digest, start, end);
}

/* A HELD inventory of @partitions (space-separated tokens, see
 * add_partition), pressed with schema quo (HEX_B), rootVersion 1 and
 * item.max=64M unless @tweak ("schema=", "schema-digest=", "root=",
 * "options=") says otherwise. */
AlloyInventory *
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
  else if (g_str_has_prefix (tweak, "refused="))
    alloy_inventory_add_refused (inventory, tweak + 8, "Permission denied");
  else
    g_assert_not_reached ();
  for (guint i = 0; tokens[i] != NULL; i++)
    if (*tokens[i] != '\0')
      add_partition (inventory, tokens[i]);
  return inventory;
}

void
add_answer (Answers *answers, guint index, AlloyInventory *inventory /* transfer full */)
{
  g_ptr_array_add (answers->peers, peer_at (index));
  g_ptr_array_add (answers->inventories, inventory);
}

/* A silent member: @last_known space-separated ids ("" none), NULL: never
 * known. */
void
add_silent (Answers *answers, guint index, const char *reason, const char *last_known)
{
  AlloyViewSilentPeer *entry = g_new0 (AlloyViewSilentPeer, 1);
  AlloyPeer *peer = peer_at (index);
  char *text = g_strdup (reason);

  g_ptr_array_add (answers->silent_peers, peer);
  g_ptr_array_add (answers->strings, text);
  entry->peer = peer;
  entry->reason = text;
  if (last_known != NULL)
    {
      GStrv ids = g_strsplit (last_known, " ", -1);
      guint kept = 0;

      /* Words only: no empty id from doubled or trailing spaces. */
      for (guint i = 0; ids[i] != NULL; i++)
        if (*ids[i] != '\0')
          ids[kept++] = ids[i];
        else
          g_free (ids[i]);
      ids[kept] = NULL;

      g_ptr_array_add (answers->last_known, ids);
      entry->last_known = (const char *const *) ids;
    }
  g_ptr_array_add (answers->silent, entry);
}

void
add_answers (Answers *answers, const Answer *table)
{
  for (guint i = 0; table[i].peer != '\0'; i++)
    {
      const Answer *a = &table[i];
      guint index = (guint) (a->peer - 'a');
      g_autofree char *id = g_strdup_printf ("peer-%c", a->peer);

      if (a->state == SILENT)
        add_silent (answers, index, a->text, a->extra);
      else if (a->state == ALLOY_INVENTORY_HELD)
        add_answer (answers, index, held_new (id, a->text, a->extra));
      else
        add_answer (answers, index, alloy_inventory_new (a->state, id, a->text));
    }
}

gboolean
check (Answers *answers, AlloyViewPlanInput *input, GError **error)
{
  return alloy_view_check_holdings (DATASET, answers->peers, answers->inventories,
                                    answers->silent, input, error);
}
