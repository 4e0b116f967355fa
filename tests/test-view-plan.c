/* test-view-plan.c: selecting a view's dataset, laying its partitions out
 * over loci, the partition properties, the generation hash, and reading a
 * locus's share back; datasets are real directories in a temporary root.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "catalog-test-utils.h"
#include "alloy-view-plan.h"

#include <string.h>

#define ROOT "/srv/alloy"
#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SOURCES "Alloy serves 'alloy' views (and 'JsonBrio' views of Burst's retired JSON source)"
#define OUTSIDE "lies outside the location root " ROOT ": name a dataset directory under it, or a file in one"
#define IS_ROOT "is the location root " ROOT " and names no dataset: name a dataset directory under it, or a file in one"
/* Simulated item indices per partition for the coverage check. */
#define N_ITEMS 60

static const char *const planner_keys[] = {
  ALLOY_VIEW_KEY_SOURCE_NAME, ALLOY_VIEW_KEY_DATASET,    ALLOY_VIEW_KEY_SCHEMA,
  ALLOY_VIEW_KEY_ROOT_VERSION, ALLOY_VIEW_KEY_SKIP_INDEX, ALLOY_VIEW_KEY_LOCI_COUNT,
  ALLOY_VIEW_KEY_GENERATION,  ALLOY_VIEW_KEY_PARTITIONS, NULL,
};

/* Selection */

static AlloyViewRequest *
store_request (const char *source, const char *key, const char *value)
{
  AlloyViewRequest *request = alloy_view_request_new ();

  if (source != NULL)
    g_hash_table_insert (request->store_properties, g_strdup (ALLOY_VIEW_KEY_SOURCE_NAME),
                         g_strdup (source));
  if (key != NULL)
    g_hash_table_insert (request->store_properties, g_strdup (key), g_strdup (value));
  return request;
}

static void
assert_selects (const char *root, const char *source, const char *key, const char *value,
                const char *dataset, const char *path)
{
  g_autoptr(AlloyViewRequest) request = store_request (source, key, value);
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewSelection) selection = alloy_view_select (request, root, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (selection->source_name, ==, source);
  g_assert_cmpstr (selection->dataset, ==, dataset);
  g_assert_cmpstr (selection->path, ==, path);
}

static void
assert_rejects (const char *source, const char *key, const char *value, const char *message)
{
  g_autoptr(AlloyViewRequest) request = store_request (source, key, value);
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewSelection) selection = alloy_view_select (request, ROOT, &error);

  g_assert_null (selection);
  g_assert_error (error, ALLOY_VIEW_ERROR, ALLOY_VIEW_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_select_alloy (void)
{
  const char *key = ALLOY_VIEW_KEY_DATASET;

  assert_selects (ROOT, "alloy", key, "quo", "quo", NULL);
  assert_selects (ROOT, "alloy", key, "quo users 2026", "quo users 2026", NULL);
  assert_rejects ("alloy", NULL, NULL,
                  "the view's store properties name no dataset: set alloy.samplestore.dataset");
  /* The JsonBrio key does not select for an alloy view. */
  assert_rejects ("alloy", ALLOY_VIEW_KEY_JSON_LOCATION, ROOT "/quo",
                  "the view's store properties name no dataset: set alloy.samplestore.dataset");
  assert_rejects ("alloy", key, "",
                  "alloy.samplestore.dataset: '' is not a dataset name: it is empty");
  assert_rejects ("alloy", key, ".hidden",
                  "alloy.samplestore.dataset: '.hidden' is not a dataset name: it begins with '.'");
  assert_rejects ("alloy", key, "..",
                  "alloy.samplestore.dataset: '..' is not a dataset name: it begins with '.'");
  assert_rejects ("alloy", key, "quo/a.json",
                  "alloy.samplestore.dataset: 'quo/a.json' is not a dataset name: "
                  "it contains '/' or '\\'");
  assert_rejects ("alloy", key, "/etc",
                  "alloy.samplestore.dataset: '/etc' is not a dataset name: "
                  "it contains '/' or '\\'");
  assert_rejects ("alloy", key, "a\\b",
                  "alloy.samplestore.dataset: 'a\\b' is not a dataset name: "
                  "it contains '/' or '\\'");
}

static void
test_select_json_brio (void)
{
  const char *key = ALLOY_VIEW_KEY_JSON_LOCATION;

  /* A directory: the dataset. */
  assert_selects (ROOT, "JsonBrio", key, ROOT "/quo", "quo", NULL);
  assert_selects (ROOT, "JsonBrio", key, ROOT "/quo/", "quo", NULL);
  assert_selects (ROOT, "JsonBrio", key, ROOT "//quo", "quo", NULL);
  assert_selects (ROOT, "JsonBrio", key, "quo", "quo", NULL);
  assert_selects (ROOT, "JsonBrio", key, "./quo/sub/..", "quo", NULL);
  assert_selects (ROOT "/", "JsonBrio", key, ROOT "/quo", "quo", NULL);
  /* A file: one file of the dataset. */
  assert_selects (ROOT, "JsonBrio", key, ROOT "/quo/quo-view.json.gz", "quo", "quo-view.json.gz");
  assert_selects (ROOT, "JsonBrio", key, "quo/2026/11/a.ndjson", "quo", "2026/11/a.ndjson");
  assert_selects (ROOT, "JsonBrio", key, ROOT "/quo/./x/../a.json", "quo", "a.json");
  assert_selects (ROOT, "JsonBrio", key, "quo/../other/b.json", "other", "b.json");
  assert_selects (ROOT, "JsonBrio", key, "/" ROOT "/quo/a.json", "quo", "a.json");
  assert_selects ("/", "JsonBrio", key, "/quo/a.json", "quo", "a.json");

  assert_rejects ("JsonBrio", NULL, NULL,
                  "the view's store properties name no dataset: set json.samplestore.location");
  /* ALLOY_VIEW_KEY_DATASET does not select for a JsonBrio view. */
  assert_rejects ("JsonBrio", ALLOY_VIEW_KEY_DATASET, "quo",
                  "the view's store properties name no dataset: set json.samplestore.location");
  assert_rejects ("JsonBrio", key, ROOT, "json.samplestore.location '" ROOT "' " IS_ROOT);
  assert_rejects ("JsonBrio", key, ROOT "/", "json.samplestore.location '" ROOT "/' " IS_ROOT);
  assert_rejects ("JsonBrio", key, "", "json.samplestore.location '' " IS_ROOT);
  assert_rejects ("JsonBrio", key, ".", "json.samplestore.location '.' " IS_ROOT);
  assert_rejects ("JsonBrio", key, "quo/..", "json.samplestore.location 'quo/..' " IS_ROOT);
  assert_rejects ("JsonBrio", key, "..", "json.samplestore.location '..' " OUTSIDE);
  assert_rejects ("JsonBrio", key, "../etc/passwd",
                  "json.samplestore.location '../etc/passwd' " OUTSIDE);
  assert_rejects ("JsonBrio", key, "quo/../../alloy2/x.json",
                  "json.samplestore.location 'quo/../../alloy2/x.json' " OUTSIDE);
  assert_rejects ("JsonBrio", key, ROOT "/quo/../../etc",
                  "json.samplestore.location '" ROOT "/quo/../../etc' " OUTSIDE);
  assert_rejects ("JsonBrio", key, "/etc/passwd",
                  "json.samplestore.location '/etc/passwd' " OUTSIDE);
  /* A sibling whose name starts like the root is outside too. */
  assert_rejects ("JsonBrio", key, ROOT "x/quo", "json.samplestore.location '" ROOT "x/quo' " OUTSIDE);
  assert_rejects ("JsonBrio", key, ROOT "/.quo/a.json",
                  "json.samplestore.location '" ROOT "/.quo/a.json': "
                  "'.quo' is not a dataset name: it begins with '.'");
}

static void
test_select_source_name (void)
{
  g_autoptr(AlloyViewRequest) request = store_request (NULL, ALLOY_VIEW_KEY_DATASET, "quo");
  g_autoptr(GError) error = NULL;

  assert_rejects (NULL, ALLOY_VIEW_KEY_DATASET, "quo",
                  "burst.samplestore.source.name is not set: " SOURCES);
  assert_rejects ("x", ALLOY_VIEW_KEY_DATASET, "quo",
                  "burst.samplestore.source.name is 'x': " SOURCES);
  assert_rejects ("", ALLOY_VIEW_KEY_DATASET, "quo",
                  "burst.samplestore.source.name is '': " SOURCES);
  assert_rejects ("Alloy", ALLOY_VIEW_KEY_DATASET, "quo",
                  "burst.samplestore.source.name is 'Alloy': " SOURCES);
  assert_rejects ("jsonbrio", ALLOY_VIEW_KEY_JSON_LOCATION, "quo",
                  "burst.samplestore.source.name is 'jsonbrio': " SOURCES);
  /* View and domain properties do not select. */
  g_hash_table_insert (request->view_properties, g_strdup (ALLOY_VIEW_KEY_SOURCE_NAME),
                       g_strdup ("alloy"));
  g_hash_table_insert (request->domain_properties, g_strdup (ALLOY_VIEW_KEY_SOURCE_NAME),
                       g_strdup ("alloy"));
  g_assert_null (alloy_view_select (request, ROOT, &error));
  g_assert_error (error, ALLOY_VIEW_ERROR, ALLOY_VIEW_ERROR_INVALID);
}

/* Share */

static GHashTable *
share_properties (void)
{
  GHashTable *properties = alloy_view_properties_new ();
  static const char *const pairs[] = {
    ALLOY_VIEW_KEY_DATASET,      "quo",
    ALLOY_VIEW_KEY_SCHEMA,       "quo",
    ALLOY_VIEW_KEY_ROOT_VERSION, "3",
    ALLOY_VIEW_KEY_LOCI_COUNT,   "3",
    ALLOY_VIEW_KEY_SKIP_INDEX,   "2",
    ALLOY_VIEW_KEY_GENERATION,   HEX_A,
    ALLOY_VIEW_KEY_PARTITIONS,   "[{\"id\":\"a.json\",\"digest\":\"" HEX_B "\",\"modulus\":2,"
                                 "\"residue\":1},{\"id\":\"b.ndjson@0-9\",\"digest\":\"" HEX_A
                                 "\",\"modulus\":1,\"residue\":0}]",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (pairs); i += 2)
    g_hash_table_insert (properties, g_strdup (pairs[i]), g_strdup (pairs[i + 1]));
  return properties;
}

static void
test_share_parse (void)
{
  g_autoptr(GHashTable) properties = share_properties ();
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewShare) share = alloy_view_share_parse (properties, &error);
  g_autoptr(AlloyViewShare) empty = NULL;
  const AlloyViewSlice *slice;

  g_assert_no_error (error);
  g_assert_cmpstr (share->dataset, ==, "quo");
  g_assert_cmpstr (share->schema, ==, "quo");
  g_assert_cmpint (share->root_version, ==, 3);
  g_assert_cmpuint (share->skip_index, ==, 2);
  g_assert_cmpuint (share->loci_count, ==, 3);
  g_assert_cmpstr (share->generation, ==, HEX_A);
  g_assert_cmpuint (share->slices->len, ==, 2);
  slice = share->slices->pdata[0];
  g_assert_cmpstr (slice->partition, ==, "a.json");
  g_assert_cmpstr (slice->digest, ==, HEX_B);
  g_assert_cmpuint (slice->modulus, ==, 2);
  g_assert_cmpuint (slice->residue, ==, 1);
  slice = share->slices->pdata[1];
  g_assert_cmpstr (slice->partition, ==, "b.ndjson@0-9");
  g_assert_cmpuint (slice->modulus, ==, 1);
  g_assert_cmpuint (slice->residue, ==, 0);

  /* A locus of a peer that won no partition: it streams no data. */
  g_hash_table_insert (properties, g_strdup (ALLOY_VIEW_KEY_PARTITIONS), g_strdup ("[]"));
  empty = alloy_view_share_parse (properties, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (empty->slices->len, ==, 0);
}

static void
test_share_rejected (void)
{
#define P "partition property "
#define S(json) "[{\"id\":\"a.json\",\"digest\":\"" HEX_B "\"," json "}]"
#define SLICE0 P "alloy.samplestore.partitions: slice 0"
  static const struct {
    const char *key;
    const char *value; /* NULL: removed */
    const char *message;
  } cases[] = {
    { ALLOY_VIEW_KEY_DATASET, NULL, P "alloy.samplestore.dataset is missing" },
    { ALLOY_VIEW_KEY_SCHEMA, "", P "alloy.samplestore.schema is empty" },
    { ALLOY_VIEW_KEY_ROOT_VERSION, NULL, P "alloy.samplestore.json.rootVersion is missing" },
    { ALLOY_VIEW_KEY_ROOT_VERSION, "0",
      P "alloy.samplestore.json.rootVersion is '0': expected a decimal integer from 1 to 2147483647" },
    { ALLOY_VIEW_KEY_ROOT_VERSION, "+1",
      P "alloy.samplestore.json.rootVersion is '+1': expected a decimal integer from 1 to 2147483647" },
    { ALLOY_VIEW_KEY_ROOT_VERSION, " 1",
      P "alloy.samplestore.json.rootVersion is ' 1': expected a decimal integer from 1 to 2147483647" },
    { ALLOY_VIEW_KEY_ROOT_VERSION, "2147483648",
      P "alloy.samplestore.json.rootVersion is '2147483648': expected a decimal integer from 1 to 2147483647" },
    { ALLOY_VIEW_KEY_LOCI_COUNT, "0",
      P "alloy.samplestore.loci.count is '0': expected a decimal integer from 1 to 2147483647" },
    { ALLOY_VIEW_KEY_LOCI_COUNT, "-3",
      P "alloy.samplestore.loci.count is '-3': expected a decimal integer from 1 to 2147483647" },
    { ALLOY_VIEW_KEY_SKIP_INDEX, NULL, P "alloy.samplestore.stream.skipIndex is missing" },
    { ALLOY_VIEW_KEY_SKIP_INDEX, "3",
      P "alloy.samplestore.stream.skipIndex is '3': expected a decimal integer from 0 to 2" },
    { ALLOY_VIEW_KEY_SKIP_INDEX, "0x1",
      P "alloy.samplestore.stream.skipIndex is '0x1': expected a decimal integer from 0 to 2" },
    { ALLOY_VIEW_KEY_GENERATION, NULL, P "alloy.samplestore.generation is missing" },
    { ALLOY_VIEW_KEY_GENERATION, "NO_HASH",
      P "alloy.samplestore.generation is 'NO_HASH': expected a SHA-256 in lower-case hex" },
    { ALLOY_VIEW_KEY_GENERATION, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      P "alloy.samplestore.generation is 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA': "
        "expected a SHA-256 in lower-case hex" },
    { ALLOY_VIEW_KEY_PARTITIONS, NULL, P "alloy.samplestore.partitions is missing" },
    { ALLOY_VIEW_KEY_PARTITIONS, "{}", P "alloy.samplestore.partitions is no JSON array" },
    { ALLOY_VIEW_KEY_PARTITIONS, "[1]", SLICE0 " is no object" },
    { ALLOY_VIEW_KEY_PARTITIONS, S ("\"modulus\":0,\"residue\":0"),
      SLICE0 ": \"modulus\" must be an integer from 1 to 2147483647" },
    { ALLOY_VIEW_KEY_PARTITIONS, S ("\"modulus\":-2,\"residue\":0"),
      SLICE0 ": \"modulus\" must be an integer from 1 to 2147483647" },
    { ALLOY_VIEW_KEY_PARTITIONS, S ("\"modulus\":2.0,\"residue\":0"),
      SLICE0 ": \"modulus\" must be an integer from 1 to 2147483647" },
    { ALLOY_VIEW_KEY_PARTITIONS, S ("\"modulus\":\"2\",\"residue\":0"),
      SLICE0 ": \"modulus\" must be an integer from 1 to 2147483647" },
    { ALLOY_VIEW_KEY_PARTITIONS, S ("\"residue\":0"),
      SLICE0 ": \"modulus\" must be an integer from 1 to 2147483647" },
    { ALLOY_VIEW_KEY_PARTITIONS, S ("\"modulus\":2,\"residue\":2"),
      SLICE0 ": \"residue\" must be an integer from 0 to 1" },
    { ALLOY_VIEW_KEY_PARTITIONS, S ("\"modulus\":2,\"residue\":-1"),
      SLICE0 ": \"residue\" must be an integer from 0 to 1" },
    { ALLOY_VIEW_KEY_PARTITIONS, S ("\"modulus\":1,\"residue\":0,\"path\":\"a.json\""),
      SLICE0 ": unknown member \"path\"" },
    { ALLOY_VIEW_KEY_PARTITIONS, "[{\"id\":\"\",\"digest\":\"" HEX_B "\",\"modulus\":1,\"residue\":0}]",
      SLICE0 ": \"id\" must be a non-empty string" },
    { ALLOY_VIEW_KEY_PARTITIONS, "[{\"id\":7,\"digest\":\"" HEX_B "\",\"modulus\":1,\"residue\":0}]",
      SLICE0 ": \"id\" must be a non-empty string" },
    { ALLOY_VIEW_KEY_PARTITIONS, "[{\"id\":\"a\",\"digest\":\"abc\",\"modulus\":1,\"residue\":0}]",
      SLICE0 ": \"digest\" must be a SHA-256 in lower-case hex" },
    { ALLOY_VIEW_KEY_PARTITIONS, "[{\"id\":\"a\",\"digest\":\"" HEX_B "\",\"modulus\":1,\"residue\":0},"
                                 "{\"id\":\"b\",\"modulus\":1,\"residue\":0}]",
      P "alloy.samplestore.partitions: slice 1: \"digest\" must be a SHA-256 in lower-case hex" },
  };
  g_autoptr(GHashTable) properties = share_properties ();
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GHashTable) broken = share_properties ();

      if (cases[i].value == NULL)
        g_hash_table_remove (broken, cases[i].key);
      else
        g_hash_table_insert (broken, g_strdup (cases[i].key), g_strdup (cases[i].value));
      g_assert_null (alloy_view_share_parse (broken, &error));
      g_assert_error (error, ALLOY_VIEW_ERROR, ALLOY_VIEW_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_clear_error (&error);
    }
  g_hash_table_insert (properties, g_strdup (ALLOY_VIEW_KEY_PARTITIONS), g_strdup ("[{"));
  g_assert_null (alloy_view_share_parse (properties, &error));
  g_assert_error (error, ALLOY_VIEW_ERROR, ALLOY_VIEW_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, P "alloy.samplestore.partitions is not JSON: "));
#undef P
#undef S
#undef SLICE0
}

/* Plans */

/* One NDJSON line of exactly @size bytes (0, or at least 32), distinct per
 * @seed. */
static void
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

static GPtrArray *
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

static AlloyViewSelection *
selection_new (const char *source_name, const char *dataset, const char *path)
{
  AlloyViewSelection *selection = g_new0 (AlloyViewSelection, 1);

  selection->source_name = g_strdup (source_name);
  selection->dataset = g_strdup (dataset);
  selection->path = g_strdup (path);
  return selection;
}

static AlloyViewPlanInput
input_of (const AlloyViewSelection *selection, AlloyDataset *dataset, GPtrArray *peers,
          guint replication)
{
  return (AlloyViewPlanInput) { selection, dataset, "quo", HEX_B, 1, "item.max=64M",
                                peers, replication };
}

/* Every key at every level, so that the checker sees the precedence, and
 * planner keys a cell could send that the planner must overwrite. */
static AlloyViewRequest *
plan_request (const char *guid)
{
  AlloyViewRequest *request = alloy_view_request_new ();
  static const char *const store[] = { "k.all", "store", "k.sd", "store", "k.s", "store",
                                       ALLOY_VIEW_KEY_SKIP_INDEX, "99",
                                       ALLOY_VIEW_KEY_SOURCE_NAME, "alloy", NULL };
  static const char *const domain[] = { "k.all", "domain", "k.sd", "domain", "k.d", "domain",
                                        ALLOY_VIEW_KEY_GENERATION, "stale", NULL };
  static const char *const view[] = { "k.all", "view", "k.v", "view", NULL };

  g_free (request->guid);
  request->guid = g_strdup (guid);
  g_free (request->view_motif);
  request->view_motif = g_strdup ("VIEW v { INCLUDE user }");
  for (guint i = 0; store[i] != NULL; i += 2)
    g_hash_table_insert (request->store_properties, g_strdup (store[i]), g_strdup (store[i + 1]));
  for (guint i = 0; domain[i] != NULL; i += 2)
    g_hash_table_insert (request->domain_properties, g_strdup (domain[i]),
                         g_strdup (domain[i + 1]));
  for (guint i = 0; view[i] != NULL; i += 2)
    g_hash_table_insert (request->view_properties, g_strdup (view[i]), g_strdup (view[i + 1]));
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
      const AlloyPeer *peer = input->peers->pdata[l / n];
      g_autoptr(GError) error = NULL;
      g_autoptr(AlloyViewShare) share = NULL;
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

      share = alloy_view_share_parse (locus->partition_properties, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (share->dataset, ==, input->selection->dataset);
      g_assert_cmpstr (share->schema, ==, input->schema_name);
      g_assert_cmpint (share->root_version, ==, input->root_version);
      g_assert_cmpuint (share->skip_index, ==, l);
      g_assert_cmpuint (share->loci_count, ==, answer->loci->len);
      g_assert_cmpstr (share->generation, ==, answer->generation_hash);
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
    {
      g_autoptr(AlloyViewShare) share =
        alloy_view_share_parse (((AlloyLocus *) answer->loci->pdata[l])->partition_properties, NULL);

      g_assert_true (share->slices->len > 0 || !owns[l / n]);
    }
  for (guint k = 0; k < n_partitions; k++)
    {
      const AlloyPartition *partition = alloy_dataset_get_partition (dataset, k);
      guint expected = input->selection->path == NULL ||
                       strcmp (partition->path, input->selection->path) == 0;

      for (guint i = 0; i < N_ITEMS; i++)
        g_assert_cmpuint (counts[k * N_ITEMS + i], ==, expected);
    }
}

static AlloyViewAnswer *
plan_ok (const AlloyViewRequest *request, const AlloyViewPlanInput *input)
{
  g_autoptr(GError) error = NULL;
  AlloyViewAnswer *answer = alloy_view_plan (request, input, &error);

  g_assert_no_error (error);
  check_answer (request, input, answer);
  return answer;
}

static AlloyViewShare *
share_of (const AlloyViewAnswer *answer, guint locus)
{
  g_autoptr(GError) error = NULL;
  AlloyViewShare *share =
    alloy_view_share_parse (((AlloyLocus *) answer->loci->pdata[locus])->partition_properties,
                            &error);

  g_assert_no_error (error);
  return share;
}

/* The slices of @locus as "id%modulus=residue ...", or "id ..." for whole
 * partitions. */
static char *
slices_of (const AlloyViewAnswer *answer, guint locus)
{
  g_autoptr(AlloyViewShare) share = share_of (answer, locus);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint s = 0; s < share->slices->len; s++)
    {
      const AlloyViewSlice *slice = share->slices->pdata[s];

      g_string_append_printf (text, s > 0 ? " %s" : "%s", slice->partition);
      if (slice->modulus != 1)
        g_string_append_printf (text, "%%%u=%u", slice->modulus, slice->residue);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

#define assert_slices(answer, locus, expected) \
  G_STMT_START                                  \
  {                                             \
    g_autofree char *slices_ = slices_of (answer, locus); \
    g_assert_cmpstr (slices_, ==, expected);    \
  }                                             \
  G_STMT_END

static void
test_plan_single_locus (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyViewRequest) request = plan_request ("G1");
  g_autoptr(AlloyViewSelection) selection = selection_new ("alloy", "set", NULL);
  g_autoptr(GPtrArray) peers = peers_new (1);
  g_autoptr(AlloyDataset) dataset = NULL;
  g_autoptr(AlloyViewAnswer) answer = NULL;
  g_autofree char *json = NULL;
  AlloyViewPlanInput input;
  GHashTable *properties;

  put_sized (fixture, "set/b.ndjson", 64, 1);
  put_sized (fixture, "set/a.ndjson", 32, 2);
  put_sized (fixture, "set/c/d.ndjson", 0, 3);
  fixture->catalog = load (fixture, 0);
  dataset = lookup (fixture->catalog, "set");
  input = input_of (selection, dataset, peers, 1);
  answer = plan_ok (request, &input);

  g_assert_cmpuint (answer->loci->len, ==, 1);
  assert_slices (answer, 0, "a.ndjson b.ndjson c/d.ndjson");
  properties = ((AlloyLocus *) answer->loci->pdata[0])->partition_properties;
  json = g_strdup_printf ("[{\"id\":\"a.ndjson\",\"digest\":\"%s\",\"modulus\":1,\"residue\":0},"
                          "{\"id\":\"b.ndjson\",\"digest\":\"%s\",\"modulus\":1,\"residue\":0},"
                          "{\"id\":\"c/d.ndjson\",\"digest\":\"%s\",\"modulus\":1,\"residue\":0}]",
                          alloy_dataset_get_partition (dataset, 0)->digest,
                          alloy_dataset_get_partition (dataset, 1)->digest,
                          alloy_dataset_get_partition (dataset, 2)->digest);
  g_assert_cmpstr (g_hash_table_lookup (properties, ALLOY_VIEW_KEY_PARTITIONS), ==, json);
  g_assert_cmpstr (g_hash_table_lookup (properties, ALLOY_VIEW_KEY_SKIP_INDEX), ==, "0");
  g_assert_cmpstr (g_hash_table_lookup (properties, ALLOY_VIEW_KEY_LOCI_COUNT), ==, "1");
  g_assert_cmpstr (g_hash_table_lookup (properties, ALLOY_VIEW_KEY_ROOT_VERSION), ==, "1");
  g_assert_cmpstr (g_hash_table_lookup (properties, ALLOY_VIEW_KEY_SCHEMA), ==, "quo");
  g_assert_cmpstr (g_hash_table_lookup (properties, ALLOY_VIEW_KEY_DATASET), ==, "set");
  g_assert_cmpstr (g_hash_table_lookup (properties, ALLOY_VIEW_KEY_SOURCE_NAME), ==, "alloy");
  g_assert_cmpstr (g_hash_table_lookup (properties, "k.all"), ==, "view");
  g_assert_cmpstr (g_hash_table_lookup (properties, "k.sd"), ==, "domain");
  g_assert_cmpstr (g_hash_table_lookup (properties, "k.s"), ==, "store");
  g_assert_cmpstr (g_hash_table_lookup (properties, "k.d"), ==, "domain");
  g_assert_cmpstr (g_hash_table_lookup (properties, "k.v"), ==, "view");
}

static void
test_plan_striping (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyViewRequest) request = plan_request ("G1");
  g_autoptr(AlloyViewSelection) one = selection_new ("alloy", "one", NULL);
  g_autoptr(AlloyViewSelection) two = selection_new ("alloy", "two", NULL);
  g_autoptr(GPtrArray) peers = peers_new (1);
  g_autoptr(AlloyDataset) first = NULL;
  g_autoptr(AlloyDataset) second = NULL;
  g_autoptr(AlloyViewAnswer) striped = NULL;
  g_autoptr(AlloyViewAnswer) uneven = NULL;
  AlloyViewPlanInput input;

  put_sized (fixture, "one/a.ndjson", 100, 1);
  put_sized (fixture, "two/a.ndjson", 100, 1);
  put_sized (fixture, "two/b.ndjson", 900, 2);
  fixture->catalog = load (fixture, 0);
  first = lookup (fixture->catalog, "one");
  second = lookup (fixture->catalog, "two");

  input = input_of (one, first, peers, 3);
  striped = plan_ok (request, &input);
  g_assert_cmpuint (striped->loci->len, ==, 3);
  assert_slices (striped, 0, "a.ndjson%3=0");
  assert_slices (striped, 1, "a.ndjson%3=1");
  assert_slices (striped, 2, "a.ndjson%3=2");

  /* 5 loci, 2 partitions: the first gets 3 loci, the second 2. */
  input = input_of (two, second, peers, 5);
  uneven = plan_ok (request, &input);
  assert_slices (uneven, 0, "a.ndjson%3=0");
  assert_slices (uneven, 1, "a.ndjson%3=1");
  assert_slices (uneven, 2, "a.ndjson%3=2");
  assert_slices (uneven, 3, "b.ndjson%2=0");
  assert_slices (uneven, 4, "b.ndjson%2=1");
}

static void
test_plan_balanced (Fixture *fixture, gconstpointer data)
{
  static const gsize sizes[] = { 100, 500, 300, 400, 200 };
  g_autoptr(AlloyViewRequest) request = plan_request ("G1");
  g_autoptr(AlloyViewSelection) selection = selection_new ("alloy", "set", NULL);
  g_autoptr(AlloyViewSelection) empties = selection_new ("alloy", "empty", NULL);
  g_autoptr(GPtrArray) peers = peers_new (1);
  g_autoptr(AlloyDataset) dataset = NULL;
  g_autoptr(AlloyDataset) empty = NULL;
  g_autoptr(AlloyViewAnswer) two = NULL;
  g_autoptr(AlloyViewAnswer) three = NULL;
  g_autoptr(AlloyViewAnswer) zero = NULL;
  AlloyViewPlanInput input;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *rel = g_strdup_printf ("set/p%u.ndjson", i + 1);

      put_sized (fixture, rel, sizes[i], i);
    }
  put_sized (fixture, "empty/a.ndjson", 0, 0);
  put_sized (fixture, "empty/b.ndjson", 0, 0);
  put_sized (fixture, "empty/c.ndjson", 0, 0);
  fixture->catalog = load (fixture, 0);
  dataset = lookup (fixture->catalog, "set");
  empty = lookup (fixture->catalog, "empty");

  /* Largest first to the lightest locus: p2 L0, p4 L1, p3 L1, p5 L0, and p1
   * to L0 (700 bytes and 2 partitions each: the lowest index). */
  input = input_of (selection, dataset, peers, 2);
  two = plan_ok (request, &input);
  assert_slices (two, 0, "p1.ndjson p2.ndjson p5.ndjson");
  assert_slices (two, 1, "p3.ndjson p4.ndjson");

  input = input_of (selection, dataset, peers, 3);
  three = plan_ok (request, &input);
  assert_slices (three, 0, "p2.ndjson");
  assert_slices (three, 1, "p1.ndjson p4.ndjson");
  assert_slices (three, 2, "p3.ndjson p5.ndjson");

  /* Empty files weigh nothing, yet every locus gets one. */
  input = input_of (empties, empty, peers, 2);
  zero = plan_ok (request, &input);
  assert_slices (zero, 0, "a.ndjson c.ndjson");
  assert_slices (zero, 1, "b.ndjson");
}

static void
test_plan_file (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyViewRequest) request = plan_request ("G1");
  g_autoptr(AlloyViewSelection) file = selection_new ("JsonBrio", "set", "sub/b.json");
  g_autoptr(AlloyViewSelection) big = selection_new ("JsonBrio", "set", "big.ndjson");
  g_autoptr(AlloyViewSelection) missing = selection_new ("JsonBrio", "set", "sub/x.json");
  g_autoptr(AlloyViewSelection) directory = selection_new ("JsonBrio", "set", "sub");
  const AlloyViewSelection *failing[] = { missing, directory };
  g_autoptr(GPtrArray) peers = peers_new (2);
  g_autoptr(AlloyDataset) dataset = NULL;
  g_autoptr(AlloyViewAnswer) one = NULL;
  g_autoptr(AlloyViewAnswer) ranges = NULL;
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
  /* Every range of a file cut into ranges is selected. */
  input = input_of (big, dataset, peers, 2);
  ranges = plan_ok (request, &input);

  for (guint i = 0; i < G_N_ELEMENTS (failing); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *message = g_strdup_printf ("dataset set has no file %s", failing[i]->path);

      input = input_of (failing[i], dataset, peers, 2);
      g_assert_null (alloy_view_plan (request, &input, &error));
      g_assert_error (error, ALLOY_VIEW_ERROR, ALLOY_VIEW_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, message);
    }
}

static void
test_plan_no_peers (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyViewRequest) request = plan_request ("G1");
  g_autoptr(AlloyViewSelection) selection = selection_new ("alloy", "set", NULL);
  g_autoptr(GPtrArray) peers = peers_new (0);
  g_autoptr(AlloyDataset) dataset = NULL;
  g_autoptr(GError) error = NULL;
  AlloyViewPlanInput input;

  put (fixture, "set/a.ndjson", "{}\n");
  fixture->catalog = load (fixture, 0);
  dataset = lookup (fixture->catalog, "set");
  input = input_of (selection, dataset, peers, 1);
  g_assert_null (alloy_view_plan (request, &input, &error));
  g_assert_error (error, ALLOY_VIEW_ERROR, ALLOY_VIEW_ERROR_NOT_READY);
  g_assert_cmpstr (error->message, ==, "no live peer to serve the view yet");
}

/* Random datasets (0 to 12 partitions of random sizes, empty files
 * included), peers and replication; check_answer holds the properties. */
static void
test_plan_property (Fixture *fixture, gconstpointer data)
{
  for (guint d = 0; d <= 12; d++)
    for (guint k = 0; k < d; k++)
      {
        g_autofree char *rel = g_strdup_printf ("d%u/%s%02u.ndjson", d, k % 3 ? "" : "x/", k);
        gsize size = g_test_rand_int_range (0, 4) == 0 ? 0 : g_test_rand_int_range (32, 400);

        put_sized (fixture, rel, size, d * 100 + k);
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
    GQuark domain;
    int code;
    AlloyViewState state;
  } cases[] = {
    { 0, ALLOY_VIEW_ERROR_INVALID, ALLOY_VIEW_STATE_INVALID },
    { 0, ALLOY_VIEW_ERROR_NOT_READY, ALLOY_VIEW_STATE_NOT_READY },
    { 0, ALLOY_VIEW_ERROR_FAILED, ALLOY_VIEW_STATE_EXCEPTION },
    { 0, ALLOY_VIEW_ERROR_STALE, ALLOY_VIEW_STATE_EXCEPTION },
    { 1, G_IO_ERROR_NOT_FOUND, ALLOY_VIEW_STATE_EXCEPTION },
  };
  g_autoptr(AlloyViewRequest) request = plan_request ("G7");

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new (cases[i].domain ? G_IO_ERROR : ALLOY_VIEW_ERROR,
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

  g_test_add_func ("/view-plan/select/alloy", test_select_alloy);
  g_test_add_func ("/view-plan/select/json-brio", test_select_json_brio);
  g_test_add_func ("/view-plan/select/source-name", test_select_source_name);
  g_test_add_func ("/view-plan/share/parse", test_share_parse);
  g_test_add_func ("/view-plan/share/rejected", test_share_rejected);
#define ADD(path, func) \
  g_test_add ("/view-plan/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("plan/single-locus", test_plan_single_locus);
  ADD ("plan/striping", test_plan_striping);
  ADD ("plan/balanced", test_plan_balanced);
  ADD ("plan/file", test_plan_file);
  ADD ("plan/no-peers", test_plan_no_peers);
  ADD ("plan/property", test_plan_property);
  ADD ("hash", test_hash);
  ADD ("rendezvous", test_rendezvous);
#undef ADD
  g_test_add_func ("/view-plan/failure", test_failure);

  return g_test_run ();
}
