/* test-view-select.c: selecting a view's dataset from its store
 * properties, and reading a locus's share back from its partition
 * properties.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "view-plan-test-utils.h"

#define ROOT "/srv/alloy"
#define SOURCES \
  "Alloy serves 'alloy' views (and 'JsonBrio' views of Burst's retired JSON source)"
#define NOT_SET "burst.samplestore.source.name is not set: " SOURCES
#define NAME_ONE "name a dataset directory under it, or a file in one"
#define OUTSIDE "lies outside the location root " ROOT ": " NAME_ONE
#define IS_ROOT "is the location root " ROOT " and names no dataset: " NAME_ONE

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
#define NAME(value, why)                                                                    \
  assert_rejects ("alloy", ALLOY_VIEW_KEY_DATASET, value,                                   \
                  ALLOY_VIEW_KEY_DATASET ": '" value "' is not a dataset name: " why)
  assert_selects (ROOT, "alloy", ALLOY_VIEW_KEY_DATASET, "quo", "quo", NULL);
  assert_selects (ROOT, "alloy", ALLOY_VIEW_KEY_DATASET, "quo users 2026", "quo users 2026", NULL);
  assert_rejects ("alloy", NULL, NULL,
                  "the view's store properties name no dataset: set alloy.samplestore.dataset");
  /* The JsonBrio key does not select for an alloy view. */
  assert_rejects ("alloy", ALLOY_VIEW_KEY_JSON_LOCATION, ROOT "/quo",
                  "the view's store properties name no dataset: set alloy.samplestore.dataset");
  NAME ("", "it is empty");
  NAME (".hidden", "it begins with '.'");
  NAME ("..", "it begins with '.'");
  NAME ("quo/a.json", "it contains '/' or '\\'");
  NAME ("/etc", "it contains '/' or '\\'");
  NAME ("a\\b", "it contains '/' or '\\'");
#undef NAME
}

static void
test_select_json_brio (void)
{
#define SELECTS(location, dataset, path) \
  assert_selects (ROOT, "JsonBrio", ALLOY_VIEW_KEY_JSON_LOCATION, location, dataset, path)
#define REJECTS(location, why)                                    \
  assert_rejects ("JsonBrio", ALLOY_VIEW_KEY_JSON_LOCATION, location, \
                  ALLOY_VIEW_KEY_JSON_LOCATION " '" location "'" why)
  /* A directory: the dataset. */
  SELECTS (ROOT "/quo", "quo", NULL);
  SELECTS (ROOT "/quo/", "quo", NULL);
  SELECTS (ROOT "//quo", "quo", NULL);
  SELECTS ("quo", "quo", NULL);
  SELECTS ("./quo/sub/..", "quo", NULL);
  assert_selects (ROOT "/", "JsonBrio", ALLOY_VIEW_KEY_JSON_LOCATION, ROOT "/quo", "quo", NULL);
  /* A file: one file of the dataset. */
  SELECTS (ROOT "/quo/quo-view.json.gz", "quo", "quo-view.json.gz");
  SELECTS ("quo/2026/11/a.ndjson", "quo", "2026/11/a.ndjson");
  SELECTS (ROOT "/quo/./x/../a.json", "quo", "a.json");
  SELECTS ("quo/../other/b.json", "other", "b.json");
  SELECTS ("/" ROOT "/quo/a.json", "quo", "a.json");
  assert_selects ("/", "JsonBrio", ALLOY_VIEW_KEY_JSON_LOCATION, "/quo/a.json", "quo", "a.json");

  assert_rejects ("JsonBrio", NULL, NULL,
                  "the view's store properties name no dataset: set json.samplestore.location");
  /* ALLOY_VIEW_KEY_DATASET does not select for a JsonBrio view. */
  assert_rejects ("JsonBrio", ALLOY_VIEW_KEY_DATASET, "quo",
                  "the view's store properties name no dataset: set json.samplestore.location");
  REJECTS (ROOT, " " IS_ROOT);
  REJECTS (ROOT "/", " " IS_ROOT);
  REJECTS ("", " " IS_ROOT);
  REJECTS (".", " " IS_ROOT);
  REJECTS ("quo/..", " " IS_ROOT);
  REJECTS ("..", " " OUTSIDE);
  REJECTS ("../etc/passwd", " " OUTSIDE);
  REJECTS ("quo/../../alloy2/x.json", " " OUTSIDE);
  REJECTS (ROOT "/quo/../../etc", " " OUTSIDE);
  REJECTS ("/etc/passwd", " " OUTSIDE);
  /* A sibling whose name starts like the root is outside too. */
  REJECTS (ROOT "x/quo", " " OUTSIDE);
  REJECTS (ROOT "/.quo/a.json", ": '.quo' is not a dataset name: it begins with '.'");
#undef SELECTS
#undef REJECTS
}

static void
test_select_source_name (void)
{
#define SOURCE(value, key) \
  assert_rejects (value, key, "quo", ALLOY_VIEW_KEY_SOURCE_NAME " is '" value "': " SOURCES)
  g_autoptr(AlloyViewRequest) request = store_request (NULL, ALLOY_VIEW_KEY_DATASET, "quo");
  g_autoptr(GError) error = NULL;

  assert_rejects (NULL, ALLOY_VIEW_KEY_DATASET, "quo", NOT_SET);
  SOURCE ("x", ALLOY_VIEW_KEY_DATASET);
  SOURCE ("", ALLOY_VIEW_KEY_DATASET);
  SOURCE ("Alloy", ALLOY_VIEW_KEY_DATASET);
  SOURCE ("jsonbrio", ALLOY_VIEW_KEY_JSON_LOCATION);
  /* View and domain properties do not select. */
  g_hash_table_insert (request->view_properties, g_strdup (ALLOY_VIEW_KEY_SOURCE_NAME),
                       g_strdup ("alloy"));
  g_hash_table_insert (request->domain_properties, g_strdup (ALLOY_VIEW_KEY_SOURCE_NAME),
                       g_strdup ("alloy"));
  g_assert_null (alloy_view_select (request, ROOT, &error));
  g_assert_error (error, ALLOY_VIEW_ERROR, ALLOY_VIEW_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, NOT_SET);
#undef SOURCE
}

/* Share */

static GHashTable *
share_properties (void)
{
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
    NULL,
  };
  GHashTable *properties = alloy_view_properties_new ();

  insert_pairs (properties, pairs);
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
#define INT(key, value, range) \
  { key, value, P key " is '" value "': expected a decimal integer from " range }
#define S(json) "[{\"id\":\"a.json\",\"digest\":\"" HEX_B "\"," json "}]"
#define SLICE(json, message) \
  { ALLOY_VIEW_KEY_PARTITIONS, json, P ALLOY_VIEW_KEY_PARTITIONS ": slice " message }
#define MODULUS(json) SLICE (S (json), "0: \"modulus\" must be an integer from 1 to 2147483647")
  static const struct {
    const char *key;
    const char *value; /* NULL: removed */
    const char *message;
  } cases[] = {
    { ALLOY_VIEW_KEY_DATASET, NULL, P ALLOY_VIEW_KEY_DATASET " is missing" },
    { ALLOY_VIEW_KEY_SCHEMA, "", P ALLOY_VIEW_KEY_SCHEMA " is empty" },
    { ALLOY_VIEW_KEY_ROOT_VERSION, NULL, P ALLOY_VIEW_KEY_ROOT_VERSION " is missing" },
    INT (ALLOY_VIEW_KEY_ROOT_VERSION, "0", "1 to 2147483647"),
    INT (ALLOY_VIEW_KEY_ROOT_VERSION, "+1", "1 to 2147483647"),
    INT (ALLOY_VIEW_KEY_ROOT_VERSION, " 1", "1 to 2147483647"),
    INT (ALLOY_VIEW_KEY_ROOT_VERSION, "2147483648", "1 to 2147483647"),
    INT (ALLOY_VIEW_KEY_LOCI_COUNT, "0", "1 to 2147483647"),
    INT (ALLOY_VIEW_KEY_LOCI_COUNT, "-3", "1 to 2147483647"),
    { ALLOY_VIEW_KEY_SKIP_INDEX, NULL, P ALLOY_VIEW_KEY_SKIP_INDEX " is missing" },
    INT (ALLOY_VIEW_KEY_SKIP_INDEX, "3", "0 to 2"),
    INT (ALLOY_VIEW_KEY_SKIP_INDEX, "0x1", "0 to 2"),
    { ALLOY_VIEW_KEY_GENERATION, NULL, P ALLOY_VIEW_KEY_GENERATION " is missing" },
    { ALLOY_VIEW_KEY_GENERATION, "NO_HASH",
      P ALLOY_VIEW_KEY_GENERATION " is 'NO_HASH': expected a SHA-256 in lower-case hex" },
    { ALLOY_VIEW_KEY_GENERATION, HEX_A "0",
      P ALLOY_VIEW_KEY_GENERATION " is '" HEX_A "0': expected a SHA-256 in lower-case hex" },
    { ALLOY_VIEW_KEY_PARTITIONS, NULL, P ALLOY_VIEW_KEY_PARTITIONS " is missing" },
    { ALLOY_VIEW_KEY_PARTITIONS, "{}", P ALLOY_VIEW_KEY_PARTITIONS " is no JSON array" },
    SLICE ("[1]", "0 is no object"),
    MODULUS ("\"modulus\":0,\"residue\":0"),
    MODULUS ("\"modulus\":-9223372036854775808,\"residue\":0"),
    MODULUS ("\"modulus\":2147483648,\"residue\":0"),
    MODULUS ("\"modulus\":2.0,\"residue\":0"),
    MODULUS ("\"modulus\":\"2\",\"residue\":0"),
    MODULUS ("\"residue\":0"),
    SLICE (S ("\"modulus\":2,\"residue\":2"), "0: \"residue\" must be an integer from 0 to 1"),
    SLICE (S ("\"modulus\":2,\"residue\":-1"), "0: \"residue\" must be an integer from 0 to 1"),
    SLICE (S ("\"modulus\":2"), "0: \"residue\" must be an integer from 0 to 1"),
    SLICE (S ("\"modulus\":1,\"residue\":0,\"path\":\"a.json\""), "0: unknown member \"path\""),
    SLICE ("[{\"id\":\"\",\"digest\":\"" HEX_B "\",\"modulus\":1,\"residue\":0}]",
           "0: \"id\" must be a non-empty string"),
    SLICE ("[{\"id\":7,\"digest\":\"" HEX_B "\",\"modulus\":1,\"residue\":0}]",
           "0: \"id\" must be a non-empty string"),
    SLICE ("[{\"id\":\"a\",\"digest\":\"" HEX_A "\",\"modulus\":1,\"residue\":0},"
           "{\"id\":\"b\",\"digest\":\"ABC\",\"modulus\":1,\"residue\":0}]",
           "1: \"digest\" must be a SHA-256 in lower-case hex"),
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
  g_assert_true (g_str_has_prefix (error->message, P ALLOY_VIEW_KEY_PARTITIONS " is not JSON: "));
#undef P
#undef INT
#undef S
#undef SLICE
#undef MODULUS
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

  return g_test_run ();
}
