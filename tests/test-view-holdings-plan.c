/* test-view-holdings-plan.c: planning over the holdings that
 * alloy_view_check_holdings accepts: every partition streamed exactly once
 * and only by a peer that holds it, a hash that does not depend on the
 * order answers came in, and failover that moves only a lost peer's
 * partitions. Inventories are built by hand; no I/O.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "view-holdings-test-utils.h"

#include <string.h>

/* Simulated item indices per partition for the coverage check. */
#define N_ITEMS 60

static void
string_free_func (gpointer string)
{
  if (string != NULL)
    g_string_free (string, TRUE);
}

static gint
compare_peers (gconstpointer a, gconstpointer b)
{
  return alloy_peer_compare (*(const AlloyPeer *const *) a, *(const AlloyPeer *const *) b);
}

static const AlloyInventoryPartition *
find_partition (const AlloyInventory *inventory, const char *id)
{
  for (guint i = 0; i < inventory->partitions->len; i++)
    {
      const AlloyInventoryPartition *partition = inventory->partitions->pdata[i];

      if (strcmp (partition->id, id) == 0)
        return partition;
    }
  return NULL;
}

/* What every plan over holdings must be: the loci in peer order, every
 * share readable, every slice a partition its locus's peer holds (with
 * that peer's digest), each partition on one peer, and every selected
 * item of the union of the inventories streamed exactly once (items
 * 0 .. N_ITEMS - 1 simulated per partition). Returns each streamed
 * partition's peer id. */
static GHashTable *
check_plan (const AlloyViewRequest *request, const AlloyViewPlanInput *input,
            const AlloyViewAnswer *answer)
{
  const char *path = input->selection->path;
  guint n = input->replication;
  g_autoptr(GPtrArray) sorted = g_ptr_array_copy (input->peers, NULL, NULL);
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) selected = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTable *owners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer id, value;

  g_ptr_array_set_free_func (sorted, NULL);
  g_ptr_array_sort (sorted, compare_peers);
  for (guint p = 0; p < input->inventories->len; p++)
    {
      const AlloyInventory *inventory = input->inventories->pdata[p];

      for (guint i = 0; i < inventory->partitions->len; i++)
        {
          const AlloyInventoryPartition *partition = inventory->partitions->pdata[i];

          if (!g_hash_table_contains (counts, partition->id))
            g_hash_table_insert (counts, partition->id, g_new0 (guint, N_ITEMS));
          if (path == NULL || strcmp (partition->path, path) == 0)
            g_hash_table_add (selected, partition->id);
        }
    }

  g_assert_cmpint (answer->state, ==, ALLOY_VIEW_STATE_SUCCESS);
  g_assert_cmpstr (answer->guid, ==, request->guid);
  g_assert_cmpuint (strlen (answer->generation_hash), ==, 64);
  g_assert_cmpuint (answer->loci->len, ==, input->peers->len * n);
  for (guint l = 0; l < answer->loci->len; l++)
    {
      const AlloyLocus *locus = answer->loci->pdata[l];
      const AlloyPeer *peer = sorted->pdata[l / n];
      const AlloyInventory *inventory = NULL;
      g_autoptr(AlloyViewShare) share = share_of (answer, l);

      for (guint p = 0; p < input->peers->len; p++)
        if (input->peers->pdata[p] == peer)
          inventory = input->inventories->pdata[p];
      g_assert_nonnull (inventory);
      g_assert_cmpstr (locus->host_address, ==, peer->host);
      g_assert_cmpstr (locus->host_name, ==, peer->id);
      g_assert_cmpint (locus->port, ==, peer->port);
      g_assert_cmpstr (share->dataset, ==, input->selection->dataset);
      g_assert_cmpstr (share->schema, ==, input->schema_name);
      g_assert_cmpint (share->root_version, ==, input->root_version);
      g_assert_cmpuint (share->skip_index, ==, l);
      g_assert_cmpuint (share->loci_count, ==, answer->loci->len);
      g_assert_cmpstr (share->generation, ==, answer->generation_hash);
      for (guint s = 0; s < share->slices->len; s++)
        {
          const AlloyViewSlice *slice = share->slices->pdata[s];
          const AlloyInventoryPartition *partition = find_partition (inventory, slice->partition);
          const char *owner = g_hash_table_lookup (owners, slice->partition);
          guint *count = g_hash_table_lookup (counts, slice->partition);

          /* Only a holder streams a partition, as its copy says. */
          if (partition == NULL)
            g_error ("locus %u on %s streams %s, which it does not hold", l, peer->id,
                     slice->partition);
          g_assert_cmpstr (slice->digest, ==, partition->digest);
          g_assert_true (g_hash_table_contains (selected, slice->partition));
          g_assert_true (owner == NULL || strcmp (owner, peer->id) == 0);
          if (owner == NULL)
            g_hash_table_insert (owners, g_strdup (slice->partition), g_strdup (peer->id));
          for (guint i = slice->residue; i < N_ITEMS; i += slice->modulus)
            count[i]++;
        }
    }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &id, &value))
    {
      guint expected = g_hash_table_contains (selected, id) ? 1 : 0;

      for (guint i = 0; i < N_ITEMS; i++)
        if (((guint *) value)[i] != expected)
          g_error ("item %u of %s streamed %u times, not %u", i, (const char *) id,
                   ((guint *) value)[i], expected);
    }
  return owners;
}

/* Checks @answers' holdings, plans over them with @replication (and
 * @selection, else the whole dataset) and checks the plan; @owners gets
 * each partition's peer id. */
static AlloyViewAnswer *
plan_answers (Answers *answers, const AlloyViewSelection *selection, guint replication,
              GHashTable **owners)
{
  g_autoptr(AlloyViewSelection) whole = selection_new ("alloy", DATASET, NULL);
  g_autoptr(AlloyViewRequest) request = plan_request ("G1");
  AlloyViewPlanInput input = input_of (selection != NULL ? selection : whole, NULL, NULL,
                                       replication);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) peers = NULL;
  g_autoptr(GPtrArray) inventories = NULL;
  g_autoptr(GHashTable) streamed = NULL;
  AlloyViewAnswer *answer;

  g_assert_true (check (answers, &input, &error));
  g_assert_no_error (error);
  peers = input.peers;
  inventories = input.inventories;
  answer = alloy_view_plan (request, &input, &error);
  g_assert_no_error (error);
  streamed = check_plan (request, &input, answer);
  if (owners != NULL)
    *owners = g_steal_pointer (&streamed);
  return answer;
}

/* Holders of some files only: each peer streams what it holds, and each
 * item goes out once, with every replication. */
static void
test_plan_holders_only (void)
{
  static const Answer table[] = {
    { 'a', HELD, "a.ndjson b.ndjson@0-100 b.ndjson@100-200 c.ndjson" },
    { 'b', ABSENT, "no dataset events here" },
    { 'c', HELD, "b.ndjson@0-100 b.ndjson@100-200 d.ndjson e.ndjson" },
    { 'd', HELD, "" },
    { 'e', HELD, "e.ndjson f.ndjson" },
    { 'f', SILENT, "draining", "a.ndjson f.ndjson" },
    { 0 },
  };

  for (guint replication = 1; replication <= 4; replication++)
    {
      g_auto(Answers) answers = { 0 };
      g_autoptr(AlloyViewAnswer) plan = NULL;
      g_autoptr(GHashTable) owners = NULL;

      answers_init (&answers);
      add_answers (&answers, table);
      plan = plan_answers (&answers, NULL, replication, &owners);
      /* Four holders, b left out; every partition streamed. */
      g_assert_cmpuint (plan->loci->len, ==, 4 * replication);
      g_assert_cmpuint (g_hash_table_size (owners), ==, 7);
      /* Held by one peer only. */
      g_assert_cmpstr (g_hash_table_lookup (owners, "c.ndjson"), ==, "peer-a");
      g_assert_cmpstr (g_hash_table_lookup (owners, "d.ndjson"), ==, "peer-c");
      g_assert_cmpstr (g_hash_table_lookup (owners, "f.ndjson"), ==, "peer-e");
    }
}

/* A JsonBrio view of one file: only that file's partitions, by holders. */
static void
test_plan_one_file (void)
{
  static const Answer table[] = {
    { 'a', HELD, "a.ndjson b.ndjson@0-100 b.ndjson@100-200" },
    { 'b', HELD, "b.ndjson@0-100 b.ndjson@100-200 c.ndjson" },
    { 0 },
  };
  g_autoptr(AlloyViewSelection) selection = selection_new ("JsonBrio", DATASET, "b.ndjson");
  g_autoptr(AlloyViewSelection) other = selection_new ("JsonBrio", DATASET, "z.ndjson");
  g_autoptr(AlloyViewRequest) request = plan_request ("G1");
  g_auto(Answers) answers = { 0 };
  g_autoptr(AlloyViewAnswer) plan = NULL;
  g_autoptr(AlloyViewAnswer) refused = NULL;
  g_autoptr(GHashTable) owners = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) peers = NULL;
  g_autoptr(GPtrArray) inventories = NULL;
  AlloyViewPlanInput input = input_of (other, NULL, NULL, 2);

  answers_init (&answers);
  add_answers (&answers, table);
  plan = plan_answers (&answers, selection, 2, &owners);
  g_assert_cmpuint (g_hash_table_size (owners), ==, 2);
  g_assert_true (g_hash_table_contains (owners, "b.ndjson@0-100"));
  g_assert_true (g_hash_table_contains (owners, "b.ndjson@100-200"));

  /* A file no holder has. */
  g_assert_true (check (&answers, &input, &error));
  peers = input.peers;
  inventories = input.inventories;
  refused = alloy_view_plan (request, &input, &error);
  g_assert_null (refused);
  g_assert_error (error, ALLOY_VIEW_ERROR, ALLOY_VIEW_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "dataset events has no file z.ndjson");
}

/* The hash and the layout do not depend on the order answers come in:
 * every order of four answers (one ABSENT), with a silent peer. */
static void
test_plan_answer_order (void)
{
  static const char *const holdings[] = {
    "a.ndjson b.ndjson@0-100 b.ndjson@100-200 c.ndjson",
    NULL, /* ABSENT */
    "b.ndjson@0-100 b.ndjson@100-200 c.ndjson d.ndjson",
    "a.ndjson d.ndjson e.ndjson",
  };
  static const guint orders[][4] = {
    { 0, 1, 2, 3 }, { 0, 1, 3, 2 }, { 0, 2, 1, 3 }, { 0, 2, 3, 1 }, { 0, 3, 1, 2 },
    { 0, 3, 2, 1 }, { 1, 0, 2, 3 }, { 1, 0, 3, 2 }, { 1, 2, 0, 3 }, { 1, 2, 3, 0 },
    { 1, 3, 0, 2 }, { 1, 3, 2, 0 }, { 2, 0, 1, 3 }, { 2, 0, 3, 1 }, { 2, 1, 0, 3 },
    { 2, 1, 3, 0 }, { 2, 3, 0, 1 }, { 2, 3, 1, 0 }, { 3, 0, 1, 2 }, { 3, 0, 2, 1 },
    { 3, 1, 0, 2 }, { 3, 1, 2, 0 }, { 3, 2, 0, 1 }, { 3, 2, 1, 0 },
  };
  g_autofree char *hash = NULL;
  g_autofree char *layout = NULL;

  for (gsize o = 0; o < G_N_ELEMENTS (orders); o++)
    {
      g_auto(Answers) answers = { 0 };
      g_autoptr(AlloyViewAnswer) plan = NULL;
      g_autofree char *this_layout = NULL;

      answers_init (&answers);
      add_silent (&answers, 4, "draining", "e.ndjson");
      for (guint i = 0; i < 4; i++)
        {
          guint p = orders[o][i];
          g_autofree char *id = g_strdup_printf ("peer-%c", 'a' + p);

          add_answer (&answers, p,
                      holdings[p] != NULL
                        ? held_new (id, holdings[p], NULL)
                        : alloy_inventory_new (ALLOY_INVENTORY_ABSENT, id, "no dataset here"));
        }
      plan = plan_answers (&answers, NULL, 2, NULL);
      this_layout = layout_of (plan);
      if (hash == NULL)
        {
          hash = g_strdup (plan->generation_hash);
          layout = g_steal_pointer (&this_layout);
          continue;
        }
      g_assert_cmpstr (plan->generation_hash, ==, hash);
      g_assert_cmpstr (this_layout, ==, layout);
    }
}

/* Failover: partitions s00..s07 are held by peers a and b, r00..r15 by a,
 * b and c. When a goes silent, only what a had won moves, the s's to b;
 * the plan is the one a's absence gives. */
static void
test_plan_failover (void)
{
  g_autoptr(GString) shared = g_string_new (NULL);
  g_autoptr(GString) all = g_string_new (NULL);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GHashTable) gone = NULL;
  g_autoptr(AlloyViewAnswer) full = NULL;
  g_autoptr(AlloyViewAnswer) failed_over = NULL;
  g_autoptr(AlloyViewAnswer) without = NULL;
  g_auto(Answers) three = { 0 };
  g_auto(Answers) two = { 0 };
  g_auto(Answers) left = { 0 };
  GHashTableIter iter;
  gpointer id, owner;
  guint moved = 0, moved_s = 0;

  for (guint k = 0; k < 8; k++)
    g_string_append_printf (shared, "s%02u ", k);
  for (guint k = 0; k < 16; k++)
    g_string_append_printf (all, "r%02u ", k);
  g_string_prepend (all, shared->str);

  answers_init (&three);
  add_answer (&three, 0, held_new ("peer-a", all->str, NULL));
  add_answer (&three, 1, held_new ("peer-b", all->str, NULL));
  add_answer (&three, 2, held_new ("peer-c", all->str + shared->len, NULL));
  full = plan_answers (&three, NULL, 1, &before);
  g_assert_cmpuint (g_hash_table_size (before), ==, 24);

  /* a silent, all it held held by others. */
  answers_init (&two);
  add_answer (&two, 1, held_new ("peer-b", all->str, NULL));
  add_answer (&two, 2, held_new ("peer-c", all->str + shared->len, NULL));
  add_silent (&two, 0, "no reply from " PA " within 5.0 s", all->str);
  failed_over = plan_answers (&two, NULL, 1, &after);
  g_assert_cmpuint (g_hash_table_size (after), ==, 24);

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, &id, &owner))
    {
      const char *now = g_hash_table_lookup (after, id);

      if (strcmp (owner, "peer-a") != 0)
        {
          g_assert_cmpstr (now, ==, owner);
          continue;
        }
      moved++;
      g_assert_cmpstr (now, !=, "peer-a");
      if (((const char *) id)[0] == 's')
        {
          g_assert_cmpstr (now, ==, "peer-b");
          moved_s++;
        }
    }
  /* These names give a some of each. */
  g_assert_cmpuint (moved, >, moved_s);
  g_assert_cmpuint (moved_s, >, 0);

  /* The same plan as with a simply gone. */
  answers_init (&left);
  add_answer (&left, 2, held_new ("peer-c", all->str + shared->len, NULL));
  add_answer (&left, 1, held_new ("peer-b", all->str, NULL));
  without = plan_answers (&left, NULL, 1, &gone);
  g_assert_cmpstr (without->generation_hash, ==, failed_over->generation_hash);
  g_assert_cmpstr (full->generation_hash, !=, failed_over->generation_hash);
}

/* Random holdings: 1 to 5 answering peers (some ABSENT), 0 to 8 files of
 * 1 to 3 ranges each held by a random non-empty set of peers, silent peers
 * whose partitions are all held, replication 1 to 4, sometimes one file
 * selected, answers in random order: accepted, and planned exactly once
 * over holders only. */
static void
test_plan_property (void)
{
  for (guint round = 0; round < 100; round++)
    {
      guint n_peers = g_test_rand_int_range (1, 6);
      guint n_files = g_test_rand_int_range (0, 9);
      guint replication = g_test_rand_int_range (1, 5);
      g_autoptr(GPtrArray) holdings = g_ptr_array_new_with_free_func (string_free_func);
      g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(AlloyViewSelection) selection = NULL;
      g_autoptr(AlloyViewAnswer) plan = NULL;
      g_autoptr(GHashTable) owners = NULL;
      g_autofree guint *order = g_new (guint, n_peers);
      g_auto(Answers) answers = { 0 };
      guint n_holders = 0;

      for (guint p = 0; p < n_peers; p++)
        g_ptr_array_add (holdings, NULL);
      for (guint f = 0; f < n_files; f++)
        {
          guint ranges = g_test_rand_int_range (1, 4);
          guint mask = g_test_rand_int_range (1, 1 << n_peers);
          g_autoptr(GString) partitions = g_string_new (NULL);

          for (guint r = 0; r < ranges; r++)
            {
              char *id = ranges == 1 ? g_strdup_printf ("f%u.ndjson", f)
                                     : g_strdup_printf ("f%u.ndjson@%u-%u", f, r * 100,
                                                        r * 100 + 100);

              g_string_append_printf (partitions, "%s ", id);
              g_ptr_array_add (ids, id);
            }
          for (guint p = 0; p < n_peers; p++)
            if (mask & (1u << p))
              {
                if (holdings->pdata[p] == NULL)
                  holdings->pdata[p] = g_string_new (NULL);
                g_string_append (holdings->pdata[p], partitions->str);
              }
        }

      answers_init (&answers);
      for (guint p = 0; p < n_peers; p++)
        order[p] = p;
      for (guint p = 0; p < n_peers; p++)
        {
          guint q = g_test_rand_int_range (0, n_peers);
          guint swap = order[p];

          order[p] = order[q], order[q] = swap;
        }
      for (guint i = 0; i < n_peers; i++)
        {
          guint p = order[i];
          g_autofree char *id = g_strdup_printf ("peer-%c", 'a' + p);
          GString *held = holdings->pdata[p];

          /* A peer holding no file may answer either way; one must hold. */
          if (held != NULL || g_test_rand_bit () || (i == n_peers - 1 && n_holders == 0))
            {
              add_answer (&answers, p, held_new (id, held != NULL ? held->str : "", NULL));
              n_holders++;
            }
          else
            add_answer (&answers, p,
                        alloy_inventory_new (ALLOY_INVENTORY_ABSENT, id, "no dataset here"));
        }
      for (guint s = 0, n_silent = g_test_rand_int_range (0, 3); s < n_silent; s++)
        {
          g_autoptr(GString) last_known = g_string_new (NULL);

          /* Remembered by file: the path, without a range. */
          for (guint k = 0; k < ids->len; k++)
            if (g_test_rand_bit ())
              g_string_append_printf (last_known, "%s%.*s", last_known->len > 0 ? " " : "",
                                      (int) strcspn (ids->pdata[k], "@"),
                                      (const char *) ids->pdata[k]);
          add_silent (&answers, 5 + s, "draining", last_known->str);
        }
      if (n_files > 0 && g_test_rand_int_range (0, 4) == 0)
        {
          g_autofree char *path = g_strdup_printf ("f%u.ndjson",
                                                   g_test_rand_int_range (0, n_files));

          selection = selection_new ("JsonBrio", DATASET, path);
        }

      plan = plan_answers (&answers, selection, replication, &owners);
      g_assert_cmpuint (plan->loci->len, ==, n_holders * replication);
      if (selection == NULL)
        g_assert_cmpuint (g_hash_table_size (owners), ==, ids->len);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  alloy_test_log_init ();

  g_test_add_func ("/view-holdings/plan/holders-only", test_plan_holders_only);
  g_test_add_func ("/view-holdings/plan/one-file", test_plan_one_file);
  g_test_add_func ("/view-holdings/plan/answer-order", test_plan_answer_order);
  g_test_add_func ("/view-holdings/plan/failover", test_plan_failover);
  g_test_add_func ("/view-holdings/plan/property", test_plan_property);
  return g_test_run ();
}
