/* alloy-view-holdings.c: the peers' answers about a dataset, checked
 * before planning. A view must never be silently partial (a partition
 * with no live holder) nor silently mixed (holders that would press one
 * item differently, or hold different bytes under one name).
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-view-holdings.h"

#include <stdarg.h>
#include <string.h>

static gboolean G_GNUC_PRINTF (3, 4)
fail (GError **error, AlloyViewError code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (ALLOY_VIEW_ERROR, code, format, args));
  va_end (args);
  return FALSE;
}

static char *
describe (const AlloyPeer *peer)
{
  return alloy_peer_to_string (peer);
}

/* The first field two holders press differently, or NULL. */
static const char *
press_difference (const AlloyInventory *a, const AlloyInventory *b, char **a_value,
                  char **b_value)
{
  if (g_strcmp0 (a->schema_name, b->schema_name) != 0)
    {
      *a_value = g_strdup (a->schema_name), *b_value = g_strdup (b->schema_name);
      return "schema";
    }
  if (g_strcmp0 (a->schema_digest, b->schema_digest) != 0)
    {
      *a_value = g_strdup (a->schema_digest), *b_value = g_strdup (b->schema_digest);
      return "schema files (digest)";
    }
  if (a->root_version != b->root_version)
    {
      *a_value = g_strdup_printf ("%d", a->root_version);
      *b_value = g_strdup_printf ("%d", b->root_version);
      return "rootVersion";
    }
  if (g_strcmp0 (a->press_options, b->press_options) != 0)
    {
      *a_value = g_strdup (a->press_options), *b_value = g_strdup (b->press_options);
      return "press options";
    }
  return NULL;
}

static void
string_free (gpointer string)
{
  g_string_free (string, TRUE);
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Per file: its partitions, digests and ranges, as one string to compare:
 * two holders that cut one file differently would stream some bytes twice
 * or not at all. */
static GHashTable *
files_of (const AlloyInventory *inventory)
{
  GHashTable *files = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, string_free);

  for (guint i = 0; i < inventory->partitions->len; i++)
    {
      const AlloyInventoryPartition *partition = inventory->partitions->pdata[i];
      GString *shape = g_hash_table_lookup (files, partition->path);

      if (shape == NULL)
        g_hash_table_insert (files, partition->path, shape = g_string_new (NULL));
      g_string_append_printf (shape, "%s %s %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "\n",
                              partition->id, partition->digest, partition->range_start,
                              partition->range_end);
    }
  return files;
}

static gboolean
check_files (GPtrArray *holders, GPtrArray *inventories, GError **error)
{
  g_autoptr(GHashTable) first_shape = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) first_holder = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);

  for (guint p = 0; p < holders->len; p++)
    {
      GHashTable *files = files_of (inventories->pdata[p]);
      GHashTableIter iter;
      gpointer path, shape;

      g_ptr_array_add (all, files);
      g_hash_table_iter_init (&iter, files);
      while (g_hash_table_iter_next (&iter, &path, &shape))
        {
          GString *seen = g_hash_table_lookup (first_shape, path);

          if (seen == NULL)
            {
              g_hash_table_insert (first_shape, path, shape);
              g_hash_table_insert (first_holder, path, holders->pdata[p]);
            }
          else if (!g_string_equal (seen, shape))
            {
              g_autofree char *a = describe (g_hash_table_lookup (first_holder, path));
              g_autofree char *b = describe (holders->pdata[p]);

              return fail (error, ALLOY_VIEW_ERROR_FAILED,
                           "file %s differs between peers %s and %s (other contents, or other "
                           "partitions): copies of a dataset must be identical",
                           (const char *) path, a, b);
            }
        }
    }
  return TRUE;
}

/* "a, b, c and N more", sorted. */
static char *
name_some (GHashTable *names)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  GString *text = g_string_new (NULL);
  GHashTableIter iter;
  gpointer name;

  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    g_ptr_array_add (sorted, name);
  g_ptr_array_sort (sorted, compare_strings);
  for (guint i = 0; i < sorted->len && i < ALLOY_VIEW_NAMED_MAX; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", (const char *) sorted->pdata[i]);
  if (sorted->len > ALLOY_VIEW_NAMED_MAX)
    g_string_append_printf (text, " and %u more", sorted->len - ALLOY_VIEW_NAMED_MAX);
  return g_string_free (text, FALSE);
}

static GHashTable *
held_paths (GPtrArray *inventories)
{
  GHashTable *held = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint p = 0; p < inventories->len; p++)
    {
      const AlloyInventory *inventory = inventories->pdata[p];

      for (guint i = 0; i < inventory->partitions->len; i++)
        g_hash_table_add (held,
                          ((AlloyInventoryPartition *) inventory->partitions->pdata[i])->path);
    }
  return held;
}

/* A file a holder cannot read (or refuses) is data the view would lack,
 * unless another live holder serves it. */
static gboolean
check_refused (const char *dataset, GPtrArray *holders, GPtrArray *inventories, GHashTable *held,
               GError **error)
{
  for (guint p = 0; p < inventories->len; p++)
    {
      const AlloyInventory *inventory = inventories->pdata[p];

      for (guint i = 0; i < inventory->refused->len; i++)
        {
          const AlloyInventoryRefused *refused = inventory->refused->pdata[i];
          g_autofree char *peer = NULL;

          if (g_hash_table_contains (held, refused->path))
            continue;
          peer = describe (holders->pdata[p]);
          return fail (error, ALLOY_VIEW_ERROR_FAILED,
                       "file %s of dataset %s cannot be served by peer %s (%s), and no live peer "
                       "holds it", refused->path, dataset, peer, refused->reason);
        }
    }
  return TRUE;
}

static gboolean
check_missing (const char *dataset, GHashTable *held, GPtrArray *silent, GError **error)
{
  g_autoptr(GHashTable) missing = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) peers = g_string_new (NULL);
  g_autofree char *names = NULL;

  for (guint s = 0; s < silent->len; s++)
    {
      const AlloyViewSilentPeer *peer = silent->pdata[s];
      gboolean counted = FALSE;

      for (guint i = 0; peer->last_known[i] != NULL; i++)
        if (!g_hash_table_contains (held, peer->last_known[i]))
          {
            g_hash_table_add (missing, (gpointer) peer->last_known[i]);
            if (!counted)
              {
                g_autofree char *text = describe (peer->peer);

                g_string_append_printf (peers, "%s%s (%s)", peers->len > 0 ? "; " : "", text,
                                        peer->reason);
                counted = TRUE;
              }
          }
    }
  if (g_hash_table_size (missing) == 0)
    return TRUE;
  names = name_some (missing);
  return fail (error, ALLOY_VIEW_ERROR_FAILED,
               "%u file(s) of dataset %s have no live holder: %s; last held by %s",
               g_hash_table_size (missing), dataset, names, peers->str);
}

gboolean
alloy_view_check_holdings (const char *dataset, GPtrArray *answered, GPtrArray *inventories,
                           GPtrArray *silent, AlloyViewPlanInput *input, GError **error)
{
  g_autoptr(GPtrArray) holders = g_ptr_array_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new ();
  g_autoptr(GHashTable) paths = NULL;
  const AlloyInventory *absent = NULL;

  g_return_val_if_fail (answered->len == inventories->len, FALSE);

  if (answered->len == 0 && silent->len == 0)
    return fail (error, ALLOY_VIEW_ERROR_NOT_READY,
                 "no peer serves views now (this peer drains and knows no other)");

  for (guint p = 0; p < answered->len; p++)
    {
      const AlloyInventory *inventory = inventories->pdata[p];
      g_autofree char *peer = describe (answered->pdata[p]);

      g_return_val_if_fail (inventory->state != ALLOY_INVENTORY_NOT_READY, FALSE);
      if (inventory->state == ALLOY_INVENTORY_INVALID || inventory->state == ALLOY_INVENTORY_FAILED)
        return fail (error,
                     inventory->state == ALLOY_INVENTORY_INVALID ? ALLOY_VIEW_ERROR_INVALID
                                                                 : ALLOY_VIEW_ERROR_FAILED,
                     "peer %s: %s", peer, inventory->message);
      if (inventory->state == ALLOY_INVENTORY_ABSENT)
        absent = absent != NULL ? absent : inventory;
      else
        {
          g_ptr_array_add (holders, answered->pdata[p]);
          g_ptr_array_add (held, inventories->pdata[p]);
        }
    }
  for (guint s = 0; s < silent->len; s++)
    {
      const AlloyViewSilentPeer *peer = silent->pdata[s];
      g_autofree char *text = describe (peer->peer);

      if (peer->last_known == NULL)
        return fail (error, ALLOY_VIEW_ERROR_FAILED,
                     "peer %s is a member but gave no answer (%s), and what it holds of dataset "
                     "%s was never known here: the view could be incomplete", text, peer->reason,
                     dataset);
    }
  for (guint p = 1; p < held->len; p++)
    {
      g_autofree char *a_value = NULL, *b_value = NULL;
      const char *what = press_difference (held->pdata[0], held->pdata[p], &a_value, &b_value);

      if (what != NULL)
        {
          g_autofree char *a = describe (holders->pdata[0]);
          g_autofree char *b = describe (holders->pdata[p]);

          return fail (error, ALLOY_VIEW_ERROR_FAILED,
                       "peers %s and %s press dataset %s differently: %s %s and %s", a, b,
                       dataset, what, a_value, b_value);
        }
    }
  paths = held_paths (held);
  if (!check_files (holders, held, error) || !check_refused (dataset, holders, held, paths, error)
      || !check_missing (dataset, paths, silent, error))
    return FALSE;
  if (holders->len == 0)
    return fail (error, ALLOY_VIEW_ERROR_INVALID, "dataset %s is on no live peer%s%s", dataset,
                 absent != NULL ? ": " : "", absent != NULL ? absent->message : "");

  input->dataset = NULL;
  input->schema_name = ((AlloyInventory *) held->pdata[0])->schema_name;
  input->schema_digest = ((AlloyInventory *) held->pdata[0])->schema_digest;
  input->root_version = ((AlloyInventory *) held->pdata[0])->root_version;
  input->press_options = ((AlloyInventory *) held->pdata[0])->press_options;
  input->peers = g_steal_pointer (&holders);
  input->inventories = g_steal_pointer (&held);
  return TRUE;
}
