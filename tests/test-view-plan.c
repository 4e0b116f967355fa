/* test-view-plan.c: laying a view's partitions out over loci, the
 * partition properties, the generation hash; datasets are real
 * directories in a temporary root. Selecting a view's dataset and reading
 * a locus's share back are test-view-select.c's.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "view-plan-test-utils.h"

#include <glib/gstdio.h>

/* Plans */

static void
test_plan_single_locus (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyDataset) dataset = NULL;
  g_autoptr(AlloyViewAnswer) answer = NULL;
  g_autofree char *layout = NULL;
  g_autofree char *json = NULL;
  GHashTable *properties;

  put_sized (fixture, "set/b.ndjson", 64, 1);
  put_sized (fixture, "set/a.ndjson", 32, 2);
  put_sized (fixture, "set/c/d.ndjson", 0, 3);
  fixture->catalog = load (fixture, 0);
  dataset = lookup (fixture->catalog, "set");
  answer = plan_dataset (fixture->catalog, "set", 1, 1);
  layout = layout_of (answer);
  g_assert_cmpstr (layout, ==, "a.ndjson b.ndjson c/d.ndjson");

  json = g_strdup_printf ("[{\"id\":\"a.ndjson\",\"digest\":\"%s\",\"modulus\":1,\"residue\":0},"
                          "{\"id\":\"b.ndjson\",\"digest\":\"%s\",\"modulus\":1,\"residue\":0},"
                          "{\"id\":\"c/d.ndjson\",\"digest\":\"%s\",\"modulus\":1,\"residue\":0}]",
                          alloy_dataset_get_partition (dataset, 0)->digest,
                          alloy_dataset_get_partition (dataset, 1)->digest,
                          alloy_dataset_get_partition (dataset, 2)->digest);
  {
    const char *const expected[] = {
      ALLOY_VIEW_KEY_PARTITIONS, json, ALLOY_VIEW_KEY_SKIP_INDEX, "0",
      ALLOY_VIEW_KEY_LOCI_COUNT, "1", ALLOY_VIEW_KEY_ROOT_VERSION, "1",
      ALLOY_VIEW_KEY_SCHEMA, "quo", ALLOY_VIEW_KEY_DATASET, "set",
      ALLOY_VIEW_KEY_SOURCE_NAME, "alloy", ALLOY_VIEW_KEY_GENERATION, answer->generation_hash,
      "k.all", "view", "k.sd", "domain", "k.s", "store", "k.d", "domain", "k.v", "view", NULL,
    };

    properties = ((AlloyLocus *) answer->loci->pdata[0])->partition_properties;
    g_assert_cmpuint (g_hash_table_size (properties), ==, g_strv_length ((GStrv) expected) / 2);
    for (guint i = 0; expected[i] != NULL; i += 2)
      g_assert_cmpstr (g_hash_table_lookup (properties, expected[i]), ==, expected[i + 1]);
  }
}

static void
test_plan_striping (Fixture *fixture, gconstpointer data)
{
  put_sized (fixture, "one/a.ndjson", 100, 1);
  put_sized (fixture, "two/a.ndjson", 100, 1);
  put_sized (fixture, "two/b.ndjson", 900, 2);
  fixture->catalog = load (fixture, 0);

  assert_layout (fixture->catalog, "one", 1, 3, "a.ndjson%3=0 | a.ndjson%3=1 | a.ndjson%3=2");
  /* 5 loci, 2 partitions: the first gets 3 loci, the second 2. */
  assert_layout (fixture->catalog, "two", 1, 5,
                 "a.ndjson%3=0 | a.ndjson%3=1 | a.ndjson%3=2 | b.ndjson%2=0 | b.ndjson%2=1");
}

static void
test_plan_balanced (Fixture *fixture, gconstpointer data)
{
  static const gsize sizes[] = { 100, 500, 300, 400, 200 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *rel = g_strdup_printf ("set/p%u.ndjson", i + 1);

      put_sized (fixture, rel, sizes[i], i);
    }
  put_sized (fixture, "empty/a.ndjson", 0, 0);
  put_sized (fixture, "empty/b.ndjson", 0, 0);
  put_sized (fixture, "empty/c.ndjson", 0, 0);
  fixture->catalog = load (fixture, 0);

  /* Largest first to the lightest locus: p2 L0, p4 L1, p3 L1, p5 L0, and p1
   * to L0 (700 bytes and 2 partitions each: the lowest index). */
  assert_layout (fixture->catalog, "set", 1, 2,
                 "p1.ndjson p2.ndjson p5.ndjson | p3.ndjson p4.ndjson");
  assert_layout (fixture->catalog, "set", 1, 3,
                 "p2.ndjson | p1.ndjson p4.ndjson | p3.ndjson p5.ndjson");
  assert_layout (fixture->catalog, "set", 1, 5,
                 "p2.ndjson | p4.ndjson | p3.ndjson | p5.ndjson | p1.ndjson");
  /* Empty files weigh nothing, yet every locus gets one. */
  assert_layout (fixture->catalog, "empty", 1, 2, "a.ndjson c.ndjson | b.ndjson");
}

/* A JsonBrio view of one file; a file the dataset lacks; no peer. */
static void
test_plan_file (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyViewRequest) request = plan_request ("G1");
  g_autoptr(AlloyViewSelection) file = selection_new ("JsonBrio", "set", "sub/b.json");
  g_autoptr(AlloyViewSelection) big = selection_new ("JsonBrio", "set", "big.ndjson");
  g_autoptr(AlloyViewSelection) missing = selection_new ("JsonBrio", "set", "sub/x.json");
  g_autoptr(AlloyViewSelection) directory = selection_new ("JsonBrio", "set", "sub");
  const AlloyViewSelection *failing[] = { missing, directory };
  g_autoptr(GPtrArray) peers = peers_new (1);
  g_autoptr(AlloyDataset) dataset = NULL;
  g_autoptr(AlloyViewAnswer) one = NULL;
  g_autoptr(AlloyViewAnswer) ranges = NULL;
  g_autofree char *one_layout = NULL;
  g_autofree char *ranges_layout = NULL;
  g_autoptr(GError) no_peer = NULL;
  AlloyViewPlanInput input;

  put (fixture, "set/a.ndjson", "{}\n");
  put (fixture, "set/sub/b.json", "[{}]");
  put (fixture, "set/sub/c.ndjson", "{}\n");
  put_sized (fixture, "set/big.ndjson", 200, 1);
  fixture->catalog = load (fixture, 64);
  dataset = lookup (fixture->catalog, "set");
  g_assert_cmpuint (alloy_dataset_get_n_partitions (dataset), ==, 7);

  input = input_of (file, dataset, peers, 2);
  one = plan_ok (request, &input);
  one_layout = layout_of (one);
  g_assert_cmpstr (one_layout, ==, "sub/b.json%2=0 | sub/b.json%2=1");
  /* Every range of a file cut into ranges is selected. */
  input = input_of (big, dataset, peers, 2);
  ranges = plan_ok (request, &input);
  ranges_layout = layout_of (ranges);
  g_assert_cmpstr (ranges_layout, ==,
                   "big.ndjson@0-64 big.ndjson@128-192 | big.ndjson@64-128 big.ndjson@192-200");

  for (guint i = 0; i < G_N_ELEMENTS (failing); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *message = g_strdup_printf ("dataset set has no file %s", failing[i]->path);

      input = input_of (failing[i], dataset, peers, 2);
      g_assert_null (alloy_view_plan (request, &input, &error));
      g_assert_error (error, ALLOY_VIEW_ERROR, ALLOY_VIEW_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, message);
    }
  g_ptr_array_set_size (peers, 0);
  g_assert_null (alloy_view_plan (request, &input, &no_peer));
  g_assert_error (no_peer, ALLOY_VIEW_ERROR, ALLOY_VIEW_ERROR_NOT_READY);
  g_assert_cmpstr (no_peer->message, ==, "no live peer to serve the view yet");
}

/* Random datasets (0 to 12 partitions of random sizes, empty files
 * included), peers and replication; check_answer holds the properties. */
static void
test_plan_property (Fixture *fixture, gconstpointer data)
{
  for (guint d = 0; d <= 12; d++)
    {
      g_autofree char *dir = g_strdup_printf ("%s/d%u", fixture->root, d);

      g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
      for (guint k = 0; k < d; k++)
        {
          g_autofree char *rel = g_strdup_printf ("d%u/%s%02u.ndjson", d, k % 3 ? "" : "x/", k);
          gsize size = g_test_rand_int_range (0, 4) == 0 ? 0 : g_test_rand_int_range (32, 400);

          put_sized (fixture, rel, size, d * 100 + k);
        }
    }
  fixture->catalog = load (fixture, 0);

  for (guint round = 0; round < 100; round++)
    {
      g_autofree char *name = g_strdup_printf ("d%d", g_test_rand_int_range (0, 13));
      g_autoptr(AlloyDataset) dataset = lookup (fixture->catalog, name);
      g_autoptr(GPtrArray) peers = peers_new (g_test_rand_int_range (1, 5));
      guint n = alloy_dataset_get_n_partitions (dataset);
      g_autoptr(AlloyViewSelection) selection = NULL;
      g_autoptr(AlloyViewRequest) request = plan_request ("G1");
      g_autoptr(AlloyViewRequest) again = plan_request ("G2");
      g_autoptr(AlloyViewAnswer) answer = NULL;
      g_autoptr(AlloyViewAnswer) same = NULL;
      AlloyViewPlanInput input;

      /* The planner orders the peers itself. */
      for (guint p = 0; p < peers->len; p++)
        {
          guint q = g_test_rand_int_range (0, peers->len);
          gpointer swap = peers->pdata[p];

          peers->pdata[p] = peers->pdata[q];
          peers->pdata[q] = swap;
        }
      if (n > 0 && g_test_rand_int_range (0, 3) == 0)
        selection = selection_new (
          "JsonBrio", name,
          alloy_dataset_get_partition (dataset, g_test_rand_int_range (0, n))->path);
      else
        selection = selection_new ("alloy", name, NULL);
      input = input_of (selection, dataset, peers, g_test_rand_int_range (1, 6));
      answer = plan_ok (request, &input);
      same = plan_ok (again, &input);
      g_assert_cmpstr (answer->generation_hash, ==, same->generation_hash);
      for (guint l = 0; l < answer->loci->len; l++)
        g_assert_cmpstr (((AlloyLocus *) answer->loci->pdata[l])->suid, !=,
                         ((AlloyLocus *) same->loci->pdata[l])->suid);
    }
}

static char *
hash_of (const AlloyViewPlanInput *input)
{
  g_autoptr(AlloyViewRequest) request = plan_request ("G1");
  g_autoptr(AlloyViewAnswer) answer = plan_ok (request, input);

  return g_strdup (answer->generation_hash);
}

static void
test_hash (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyViewSelection) selection = selection_new ("alloy", "set", NULL);
  g_autoptr(AlloyViewSelection) json_brio = selection_new ("JsonBrio", "set", NULL);
  g_autoptr(AlloyViewRequest) other = plan_request ("G2");
  g_autoptr(GPtrArray) peers = peers_new (2);
  g_autoptr(GPtrArray) more = peers_new (3);
  g_autoptr(GPtrArray) reversed = peers_new (2);
  g_autoptr(AlloyDataset) dataset = NULL;
  g_autoptr(AlloyDataset) touched = NULL;
  g_autoptr(AlloyDataset) changed = NULL;
  g_autoptr(AlloyViewAnswer) answer = NULL;
  g_autofree char *base = NULL;
  g_autofree char *again = NULL;
  AlloyViewPlanInput input;
  struct {
    const char *what;
    AlloyViewPlanInput input;
  } changes[9];
  guint n = 0;

  put_sized (fixture, "set/a.ndjson", 100, 1);
  put_sized (fixture, "set/b.ndjson", 200, 2);
  put_sized (fixture, "set/c.ndjson", 300, 3);
  fixture->catalog = load (fixture, 0);
  dataset = lookup (fixture->catalog, "set");
  input = input_of (selection, dataset, peers, 2);
  base = hash_of (&input);

  /* Not the guid, the motif, the properties or the suids. */
  g_hash_table_insert (other->view_properties, g_strdup ("k.new"), g_strdup ("x"));
  g_free (other->view_motif);
  other->view_motif = g_strdup ("VIEW w { INCLUDE user.sessions }");
  answer = plan_ok (other, &input);
  g_assert_cmpstr (answer->generation_hash, ==, base);

  /* Nor the order the peers come in. */
  g_ptr_array_add (reversed, g_ptr_array_steal_index (reversed, 0));
  input = input_of (selection, dataset, reversed, 2);
  again = hash_of (&input);
  g_assert_cmpstr (again, ==, base);
  g_clear_pointer (&again, g_free);

  /* Not a touched file either: its digest stays. */
  touch (fixture, "set/b.ndjson");
  g_clear_object (&fixture->catalog);
  fixture->catalog = load (fixture, 0);
  touched = lookup (fixture->catalog, "set");
  g_assert_true (touched != dataset);
  input = input_of (selection, touched, peers, 2);
  again = hash_of (&input);
  g_assert_cmpstr (again, ==, base);

  /* Same size, other bytes. */
  put_sized (fixture, "set/b.ndjson", 200, 9);
  g_clear_object (&fixture->catalog);
  fixture->catalog = load (fixture, 0);
  changed = lookup (fixture->catalog, "set");

#define CHANGE(label, field, value)              \
  changes[n].what = label;                       \
  changes[n].input = input_of (selection, dataset, peers, 2); \
  changes[n++].input.field = value
  CHANGE ("a file", dataset, changed);
  CHANGE ("replication", replication, 3);
  CHANGE ("a peer added", peers, more);
  CHANGE ("root version", root_version, 2);
  CHANGE ("schema digest", schema_digest, HEX_A);
  CHANGE ("schema name", schema_name, "quo2");
  CHANGE ("press options", press_options, "item.max=32M");
  CHANGE ("source name", selection, json_brio);
#undef CHANGE
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *hash = hash_of (&changes[i].input);

      g_test_message ("changed: %s", changes[i].what);
      g_assert_cmpstr (hash, !=, base);
    }
}

/* Rendezvous hashing: a fourth peer takes partitions only for itself (and
 * so, read backwards, a peer leaving gives up only its own). */
static void
test_rendezvous (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyViewSelection) selection = selection_new ("alloy", "set", NULL);
  g_autoptr(AlloyViewRequest) request = plan_request ("G1");
  g_autoptr(GPtrArray) three = peers_new (3);
  g_autoptr(GPtrArray) four = peers_new (4);
  g_autoptr(AlloyDataset) dataset = NULL;
  g_autoptr(GHashTable) before = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint moved = 0;

  for (guint k = 0; k < 24; k++)
    {
      g_autofree char *rel = g_strdup_printf ("set/%02u.ndjson", k);

      put_sized (fixture, rel, 32 + k, k);
    }
  fixture->catalog = load (fixture, 0);
  dataset = lookup (fixture->catalog, "set");

  for (guint round = 0; round < 2; round++)
    {
      AlloyViewPlanInput input = input_of (selection, dataset, round == 0 ? three : four, 1);
      g_autoptr(AlloyViewAnswer) answer = plan_ok (request, &input);

      for (guint l = 0; l < answer->loci->len; l++)
        {
          g_autoptr(AlloyViewShare) share = share_of (answer, l);
          guint peer = l; /* replication 1 */

          for (guint s = 0; s < share->slices->len; s++)
            {
              const char *id = ((AlloyViewSlice *) share->slices->pdata[s])->partition;
              gpointer was;

              if (round == 0)
                g_hash_table_insert (before, g_strdup (id), GUINT_TO_POINTER (peer));
              else if (g_hash_table_lookup_extended (before, id, NULL, &was) &&
                       GPOINTER_TO_UINT (was) != peer)
                {
                  g_assert_cmpuint (peer, ==, 3);
                  moved++;
                }
            }
        }
      g_assert_cmpuint (g_hash_table_size (before), ==, 24);
    }
  /* A quarter on average; these names give the new peer some. */
  g_assert_cmpuint (moved, >, 0);
  g_assert_cmpuint (moved, <, 24);
}

static void
test_failure (void)
{
  static const struct {
    gboolean io; /* G_IO_ERROR, else ALLOY_VIEW_ERROR */
    int code;
    AlloyViewState state;
  } cases[] = {
    { FALSE, ALLOY_VIEW_ERROR_INVALID, ALLOY_VIEW_STATE_INVALID },
    { FALSE, ALLOY_VIEW_ERROR_NOT_READY, ALLOY_VIEW_STATE_NOT_READY },
    { FALSE, ALLOY_VIEW_ERROR_FAILED, ALLOY_VIEW_STATE_EXCEPTION },
    { FALSE, ALLOY_VIEW_ERROR_STALE, ALLOY_VIEW_STATE_EXCEPTION },
    { TRUE, G_IO_ERROR_NOT_FOUND, ALLOY_VIEW_STATE_EXCEPTION },
    { TRUE, ALLOY_VIEW_ERROR_INVALID, ALLOY_VIEW_STATE_EXCEPTION },
  };
  g_autoptr(AlloyViewRequest) request = plan_request ("G7");

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new (cases[i].io ? G_IO_ERROR : ALLOY_VIEW_ERROR,
                                             cases[i].code, "failure %zu", i);
      g_autoptr(AlloyViewAnswer) answer = alloy_view_plan_failure (request, error);

      g_assert_cmpstr (answer->guid, ==, "G7");
      g_assert_cmpint (answer->state, ==, cases[i].state);
      g_assert_cmpstr (answer->message, ==, error->message);
      g_assert_cmpstr (answer->generation_hash, ==, ALLOY_VIEW_NO_HASH);
      g_assert_null (answer->loci);
      g_assert_null (answer->motif_filter);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  alloy_test_log_init ();

#define ADD(path, func) \
  g_test_add ("/view-plan/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("plan/single-locus", test_plan_single_locus);
  ADD ("plan/striping", test_plan_striping);
  ADD ("plan/balanced", test_plan_balanced);
  ADD ("plan/file", test_plan_file);
  ADD ("plan/property", test_plan_property);
  ADD ("hash", test_hash);
  ADD ("rendezvous", test_rendezvous);
#undef ADD
  g_test_add_func ("/view-plan/failure", test_failure);

  return g_test_run ();
}
