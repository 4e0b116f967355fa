/* view-plan-test-utils.c: the helpers shared by the view-plan test
 * programs: property tables, peers, selections, plan inputs and requests,
 * and the checks every successful plan must pass.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "view-plan-test-utils.h"

#include <string.h>

/* Simulated item indices per partition for the coverage check. */
#define N_ITEMS 60

static const char *const planner_keys[] = {
  ALLOY_VIEW_KEY_SOURCE_NAME, ALLOY_VIEW_KEY_DATASET,    ALLOY_VIEW_KEY_SCHEMA,
  ALLOY_VIEW_KEY_ROOT_VERSION, ALLOY_VIEW_KEY_SKIP_INDEX, ALLOY_VIEW_KEY_LOCI_COUNT,
  ALLOY_VIEW_KEY_GENERATION,  ALLOY_VIEW_KEY_PARTITIONS, NULL,
};

void
insert_pairs (GHashTable *table, const char *const *pairs)
{
  for (guint i = 0; pairs[i] != NULL; i += 2)
    g_hash_table_insert (table, g_strdup (pairs[i]), g_strdup (pairs[i + 1]));
}

/* One NDJSON line of exactly @size bytes (0, or at least 32), distinct per
 * @seed. */
void
put_sized (Fixture *fixture, const char *rel, gsize size, guint seed)
{
  g_autoptr(GString) line = g_string_new (NULL);

  if (size > 0)
    {
      g_string_printf (line, "{\"seed\":%u,\"pad\":\"", seed);
      g_assert_cmpuint (line->len + 3, <=, size);
      while (line->len < size - 3)
        g_string_append_c (line, 'x');
      g_string_append (line, "\"}\n");
    }
  put (fixture, rel, line->str);
}

GPtrArray *
peers_new (guint n)
{
  GPtrArray *peers = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_free);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("peer-%u", i);
      g_autofree char *host = g_strdup_printf ("10.0.0.%u", i + 1);

      g_ptr_array_add (peers, alloy_peer_new (id, host, 1270));
    }
  return peers;
}

AlloyViewSelection *
selection_new (const char *source_name, const char *dataset, const char *path)
{
  AlloyViewSelection *selection = g_new0 (AlloyViewSelection, 1);

  selection->source_name = g_strdup (source_name);
  selection->dataset = g_strdup (dataset);
  selection->path = g_strdup (path);
  return selection;
}

AlloyViewPlanInput
input_of (const AlloyViewSelection *selection, AlloyDataset *dataset, GPtrArray *peers,
          guint replication)
{
  return (AlloyViewPlanInput) { selection, dataset, "quo", HEX_B, 1, "item.max=64M",
                                peers, replication };
}

/* Keys at every level, so that the checker sees the precedence, and
 * planner keys a cell could send that the planner must overwrite. */
AlloyViewRequest *
plan_request (const char *guid)
{
  static const char *const store[] = { "k.all", "store", "k.sd", "store", "k.s", "store",
                                       ALLOY_VIEW_KEY_SKIP_INDEX, "99",
                                       ALLOY_VIEW_KEY_SOURCE_NAME, "alloy", NULL };
  static const char *const domain[] = { "k.all", "domain", "k.sd", "domain", "k.d", "domain",
                                        ALLOY_VIEW_KEY_GENERATION, "stale", NULL };
  static const char *const view[] = { "k.all", "view", "k.v", "view", NULL };
  AlloyViewRequest *request = alloy_view_request_new ();

  g_free (request->guid);
  request->guid = g_strdup (guid);
  g_free (request->view_motif);
  request->view_motif = g_strdup ("VIEW v { INCLUDE user }");
  insert_pairs (request->store_properties, store);
  insert_pairs (request->domain_properties, domain);
  insert_pairs (request->view_properties, view);
  return request;
}

static void
check_properties (const AlloyViewRequest *request, GHashTable *properties)
{
  GHashTable *levels[] = { request->store_properties, request->domain_properties,
                           request->view_properties };
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; planner_keys[i] != NULL; i++)
    g_hash_table_add (keys, (gpointer) planner_keys[i]);
  for (guint l = 0; l < G_N_ELEMENTS (levels); l++)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, levels[l]);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          const char *expected = g_hash_table_lookup (request->view_properties, key);

          if (g_strv_contains (planner_keys, key))
            continue;
          if (expected == NULL)
            expected = g_hash_table_lookup (request->domain_properties, key);
          if (expected == NULL)
            expected = g_hash_table_lookup (request->store_properties, key);
          g_assert_cmpstr (g_hash_table_lookup (properties, key), ==, expected);
          g_hash_table_add (keys, key);
        }
    }
  g_assert_cmpuint (g_hash_table_size (properties), ==, g_hash_table_size (keys));
}

static gboolean
is_suid (const char *suid)
{
  if (strlen (suid) != 33 || suid[0] != 'B')
    return FALSE;
  for (guint i = 1; i < 33; i++)
    if (!g_ascii_isdigit (suid[i]) && !(suid[i] >= 'A' && suid[i] <= 'F'))
      return FALSE;
  return TRUE;
}

AlloyViewShare *
share_of (const AlloyViewAnswer *answer, guint locus)
{
  g_autoptr(GError) error = NULL;
  AlloyViewShare *share =
    alloy_view_share_parse (((AlloyLocus *) answer->loci->pdata[locus])->partition_properties,
                            &error);

  g_assert_no_error (error);
  return share;
}

static gint
compare_peers (gconstpointer a, gconstpointer b)
{
  return alloy_peer_compare (*(const AlloyPeer *const *) a, *(const AlloyPeer *const *) b);
}

/* What every successful answer must be: the loci in peer order, every
 * share readable and in dataset order, every selected item streamed
 * exactly once (items 0 .. N_ITEMS - 1 simulated per partition), a
 * partition's loci on one peer, loci without slices only on a peer that
 * won no partition. */
static void
check_answer (const AlloyViewRequest *request, const AlloyViewPlanInput *input,
              const AlloyViewAnswer *answer)
{
  AlloyDataset *dataset = input->dataset;
  guint n = input->replication, n_partitions = alloy_dataset_get_n_partitions (dataset);
  g_autoptr(GHashTable) suids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) index_of = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree guint *counts = g_new0 (guint, n_partitions * N_ITEMS);
  g_autofree guint *owner = g_new0 (guint, n_partitions); /* peer + 1 */
  g_autofree gboolean *owns = g_new0 (gboolean, input->peers->len);
  g_autofree gboolean *empty = g_new0 (gboolean, answer->loci->len);
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

  for (guint p = 0; p < input->peers->len; p++)
    g_ptr_array_add (sorted, input->peers->pdata[p]);
  g_ptr_array_sort (sorted, compare_peers);

  g_assert_cmpint (answer->state, ==, ALLOY_VIEW_STATE_SUCCESS);
  g_assert_cmpstr (answer->message, ==, "OK");
  g_assert_cmpstr (answer->guid, ==, request->guid);
  g_assert_cmpstr (answer->motif_filter, ==, request->view_motif);
  g_assert_cmpuint (strlen (answer->generation_hash), ==, 64);
  g_assert_cmpuint (answer->loci->len, ==, input->peers->len * n);
  for (guint k = 0; k < n_partitions; k++)
    g_hash_table_insert (index_of, alloy_dataset_get_partition (dataset, k)->id,
                         GUINT_TO_POINTER (k + 1));

  for (guint l = 0; l < answer->loci->len; l++)
    {
      const AlloyLocus *locus = answer->loci->pdata[l];
      const AlloyPeer *peer = sorted->pdata[l / n];
      g_autoptr(AlloyViewShare) share = share_of (answer, l);
      guint previous = 0;

      g_assert_true (is_suid (locus->suid));
      g_assert_true (g_hash_table_add (suids, locus->suid));
      g_assert_cmpstr (locus->host_address, ==, peer->host);
      g_assert_cmpstr (locus->host_name, ==, peer->id);
      g_assert_cmpint (locus->port, ==, peer->port);
      check_properties (request, locus->partition_properties);
      g_assert_cmpstr (g_hash_table_lookup (locus->partition_properties,
                                            ALLOY_VIEW_KEY_SOURCE_NAME),
                       ==, input->selection->source_name);

      g_assert_cmpstr (share->dataset, ==, input->selection->dataset);
      g_assert_cmpstr (share->schema, ==, input->schema_name);
      g_assert_cmpint (share->root_version, ==, input->root_version);
      g_assert_cmpuint (share->skip_index, ==, l);
      g_assert_cmpuint (share->loci_count, ==, answer->loci->len);
      g_assert_cmpstr (share->generation, ==, answer->generation_hash);
      empty[l] = share->slices->len == 0;
      for (guint s = 0; s < share->slices->len; s++)
        {
          const AlloyViewSlice *slice = share->slices->pdata[s];
          guint k = GPOINTER_TO_UINT (g_hash_table_lookup (index_of, slice->partition));
          const AlloyPartition *partition;

          g_assert_cmpuint (k, >, previous);
          previous = k--;
          partition = alloy_dataset_get_partition (dataset, k);
          g_assert_true (input->selection->path == NULL ||
                         strcmp (partition->path, input->selection->path) == 0);
          g_assert_cmpstr (slice->digest, ==, partition->digest);
          g_assert_true (owner[k] == 0 || owner[k] == l / n + 1);
          owner[k] = l / n + 1;
          owns[l / n] = TRUE;
          for (guint i = slice->residue; i < N_ITEMS; i += slice->modulus)
            counts[k * N_ITEMS + i]++;
        }
    }
  for (guint l = 0; l < answer->loci->len; l++)
    g_assert_true (!empty[l] || !owns[l / n]);
  for (guint k = 0; k < n_partitions; k++)
    {
      const AlloyPartition *partition = alloy_dataset_get_partition (dataset, k);
      guint expected = input->selection->path == NULL ||
                       strcmp (partition->path, input->selection->path) == 0;

      for (guint i = 0; i < N_ITEMS; i++)
        g_assert_cmpuint (counts[k * N_ITEMS + i], ==, expected);
    }
}

AlloyViewAnswer *
plan_ok (const AlloyViewRequest *request, const AlloyViewPlanInput *input)
{
  g_autoptr(GError) error = NULL;
  AlloyViewAnswer *answer = alloy_view_plan (request, input, &error);

  g_assert_no_error (error);
  check_answer (request, input, answer);
  return answer;
}

/* The layout: each locus's slices, "id" for a whole partition and
 * "id%modulus=residue" for a stripe, loci separated by " | ". */
char *
layout_of (const AlloyViewAnswer *answer)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint l = 0; l < answer->loci->len; l++)
    {
      g_autoptr(AlloyViewShare) share = share_of (answer, l);

      g_string_append (text, l > 0 ? " | " : "");
      for (guint s = 0; s < share->slices->len; s++)
        {
          const AlloyViewSlice *slice = share->slices->pdata[s];

          g_string_append_printf (text, s > 0 ? " %s" : "%s", slice->partition);
          if (slice->modulus != 1)
            g_string_append_printf (text, "%%%u=%u", slice->modulus, slice->residue);
        }
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Plans dataset @name of the alloy source over @n_peers peers. */
AlloyViewAnswer *
plan_dataset (AlloyCatalog *catalog, const char *name, guint n_peers, guint replication)
{
  g_autoptr(AlloyViewRequest) request = plan_request ("G1");
  g_autoptr(AlloyViewSelection) selection = selection_new ("alloy", name, NULL);
  g_autoptr(GPtrArray) peers = peers_new (n_peers);
  g_autoptr(AlloyDataset) dataset = lookup (catalog, name);
  AlloyViewPlanInput input = input_of (selection, dataset, peers, replication);

  return plan_ok (request, &input);
}
