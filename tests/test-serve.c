/* test-serve.c: alloyd and `alloy fetch` end to end, as subprocesses: the
 * quo fixture over TCP and unix sockets, both Nexus framings, replication,
 * load concurrency, rejected items, empty datasets and refused views.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"
#include "brio-expected.h"
#include "serve-test-utils.h"

#include "alloy-brio-schema.h"
#include "alloy-data-file.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <string.h>

typedef struct {
  char *dir;
  char *datasets;
  char *schemas;
  gboolean have_fixtures;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *small = NULL;
  g_autofree char *small_file = NULL;

  fixture->dir = alloy_test_make_tmp_dir ();
  fixture->datasets = g_build_filename (fixture->dir, "datasets", NULL);
  g_assert_cmpint (g_mkdir (fixture->datasets, 0755), ==, 0);
  fixture->have_fixtures = serve_test_make_quo_dataset (fixture->datasets);
  /* A dataset that costs nothing to press, for the cases where the data
   * is beside the point. */
  small = g_build_filename (fixture->datasets, "small", NULL);
  small_file = g_build_filename (small, "users.ndjson", NULL);
  g_assert_cmpint (g_mkdir (small, 0755), ==, 0);
  g_assert_true (g_file_set_contents (small_file,
                                      "{\"flurryId\":\"s1\"}\n{\"flurryId\":\"s2\"}\n"
                                      "{\"flurryId\":\"s3\"}\n", -1, NULL));
  if (fixture->have_fixtures)
    fixture->schemas = g_build_filename (alloy_test_fixtures_dir (), "schemas", NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  alloy_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->datasets);
  g_free (fixture->schemas);
}

/* The fixture's users by flurryId, as they must decode: built once, since
 * it parses 23 MB of JSON. */
static GHashTable *quo_users;

static GHashTable *
expected_quo_users (void)
{
  g_autofree char *schemas = g_build_filename (alloy_test_fixtures_dir (), "schemas", NULL);
  g_autofree char *path = g_build_filename (alloy_test_fixtures_dir (), "data", "quo",
                                            "quo-view.json.gz", NULL);
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GHashTable *users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) json_node_unref);
  JsonArray *array;

  schema = alloy_brio_schema_find ((const char *const[]) { schemas, NULL }, "quo", &error);
  g_assert_no_error (error);
  data = alloy_data_file_read_all (path, NULL, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                              &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *user = json_array_get_element (array, i);
      const char *id = json_object_get_string_member (json_node_get_object (user), "flurryId");

      g_hash_table_insert (users, g_strdup (id),
                           brio_expected_item (schema, alloy_brio_schema_get_root (schema), user));
    }
  return users;
}

/* Every line of @path decodes to a distinct expected user, and all of
 * them are there: the loci were disjoint and their union whole. */
static void
assert_quo_decoded (const char *path)
{
  GHashTable *expected;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 events = 0;

  if (quo_users == NULL)
    quo_users = expected_quo_users ();
  expected = quo_users;
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autoptr(JsonNode) decoded = json_from_string (lines[i], NULL);
      JsonObject *object;
      JsonArray *sessions;
      const char *id;

      g_assert_nonnull (decoded);
      object = json_node_get_object (decoded);
      id = json_object_get_string_member (object, "flurryId");
      g_assert_false (g_hash_table_contains (seen, id));
      g_assert_true (json_node_equal (decoded, g_hash_table_lookup (expected, id)));
      g_hash_table_add (seen, g_strdup (id));
      sessions = json_object_get_array_member (object, "sessions");
      for (guint s = 0; s < json_array_get_length (sessions); s++)
        events += json_array_get_length (
            json_object_get_array_member (json_array_get_object_element (sessions, s), "events"));
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 26);
  /* Burst's golden facts for this dataset. */
  g_assert_cmpuint (events, ==, 164482);
}

/* Starts alloyd on the fixture's datasets, with @extra_keys in [alloy];
 * NULL, the test skipped, without the fixtures. */
static ServeTestDaemon *
start_daemon (Fixture *fixture, const char *extra_keys, char **thrift)
{
  g_autofree char *config = NULL;
  ServeTestDaemon *daemon;

  if (!fixture->have_fixtures)
    {
      g_test_skip ("no ../shared/fixtures");
      return NULL;
    }
  config = serve_test_config (fixture->datasets, extra_keys);
  daemon = serve_test_daemon_start (fixture->dir, "alloy", config);
  *thrift = serve_test_daemon_address (daemon, "thrift", "tcp");
  return daemon;
}

/* Runs one fetch of @dataset in schema quo and returns its stdout. */
static char *
fetch (Fixture *fixture, const char *server, const char *dataset, const char *const *extra,
       int expected_status, char **err)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(ServeTestFetch) run = NULL;

  g_ptr_array_add (args, (gpointer) "--server");
  g_ptr_array_add (args, (gpointer) server);
  g_ptr_array_add (args, (gpointer) "--schema");
  g_ptr_array_add (args, (gpointer) "quo");
  if (dataset != NULL)
    {
      g_ptr_array_add (args, (gpointer) "--dataset");
      g_ptr_array_add (args, (gpointer) dataset);
    }
  g_ptr_array_add (args, (gpointer) "--schema-path");
  g_ptr_array_add (args, (gpointer) fixture->schemas);
  for (const char *const *arg = extra; arg && *arg; arg++)
    g_ptr_array_add (args, (gpointer) *arg);
  g_ptr_array_add (args, NULL);
  run = serve_test_fetch_start ((const char *const *) args->pdata);
  serve_test_fetch_assert_status (run, expected_status);
  if (err != NULL)
    *err = g_strdup (run->err);
  return g_strdup (run->out);
}

static void
fetch_quo_decoded (Fixture *fixture, const char *server, const char *variant, guint loci)
{
  g_autofree char *out_path = g_build_filename (fixture->dir, "quo.ndjson", NULL);
  const char *const extra[] = { "--decode", "--out", out_path, "--variant", variant, NULL };
  g_autofree char *out = fetch (fixture, server, "quo", extra, 0, NULL);
  guint got_loci = 0;
  guint64 items = 0, rejected = 0;

  serve_test_parse_summary (out, &got_loci, &items, &rejected);
  g_assert_cmpuint (got_loci, ==, loci);
  g_assert_cmpuint (items, ==, 26);
  g_assert_cmpuint (rejected, ==, 0);
  assert_quo_decoded (out_path);
}

static void
test_quo_tcp (Fixture *fixture, gconstpointer data)
{
  g_autoptr(ServeTestDaemon) daemon = NULL;
  g_autofree char *thrift = NULL;

  daemon = start_daemon (fixture, NULL, &thrift);
  if (daemon == NULL)
    return;
  fetch_quo_decoded (fixture, thrift, "trace", 1);
  g_assert_true (serve_test_daemon_log_has (daemon, "the motif filter is passed through"));
  serve_test_daemon_stop (daemon);
}

/* Three loci of one gzipped JSON file: each streams every third item. */
static void
test_quo_replication (Fixture *fixture, gconstpointer data)
{
  g_autoptr(ServeTestDaemon) daemon = NULL;
  g_autofree char *thrift = NULL;

  daemon = start_daemon (fixture, "alloy.samplestore.loci.replication=3", &thrift);
  if (daemon == NULL)
    return;
  fetch_quo_decoded (fixture, thrift, "trace", 3);
  serve_test_daemon_stop (daemon);
}

static void
test_quo_unix (Fixture *fixture, gconstpointer data)
{
  g_autofree char *config = NULL;
  g_autoptr(ServeTestDaemon) daemon = NULL;
  g_autofree char *thrift = NULL;

  if (!fixture->have_fixtures)
    {
      g_test_skip ("no ../shared/fixtures");
      return;
    }
  config = g_strdup_printf ("[alloy]\nnode-id=unix-peer\nalloy.samplestore.location=%s\n"
                            "alloy.samplestore.schema.path=%s\n"
                            "alloy.samplestore.loci.replication=2\n"
                            "[transport:thrift]\nplugin=transport_unix\nprotocol=thrift\n"
                            "path=%s/thrift.sock\n"
                            "[transport:nexus]\nplugin=transport_unix\nprotocol=nexus\n"
                            "path=%s/nexus.sock\n",
                            fixture->datasets, fixture->schemas, fixture->dir, fixture->dir);
  daemon = serve_test_daemon_start (fixture->dir, "alloy", config);
  thrift = serve_test_daemon_address (daemon, "thrift", "unix");
  /* Burst cells from before August 2023 frame without the trace block. */
  fetch_quo_decoded (fixture, thrift, "old", 2);
  serve_test_daemon_stop (daemon);
}

/* load.concurrency=1: simultaneous fetches wait their turn with
 * heartbeats running, and all complete. */
static void
test_concurrency_one (Fixture *fixture, gconstpointer data)
{
  g_autoptr(ServeTestDaemon) daemon = NULL;
  g_autofree char *thrift = NULL;
  ServeTestFetch *fetches[3];

  daemon = start_daemon (fixture,
                         "alloy.samplestore.load.concurrency=1\n"
                         "alloy.samplestore.heartbeat.interval=50ms", &thrift);
  if (daemon == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (fetches); i++)
    {
      const char *const args[] = { "--server", thrift, "--schema", "quo", "--dataset", "quo",
                                   "--verbose", NULL };
      fetches[i] = serve_test_fetch_start (args);
    }
  for (guint i = 0; i < G_N_ELEMENTS (fetches); i++)
    {
      guint loci = 0;
      guint64 items = 0, rejected = 0;

      serve_test_fetch_assert_status (fetches[i], 0);
      serve_test_parse_summary (fetches[i]->out, &loci, &items, &rejected);
      g_assert_cmpuint (loci, ==, 1);
      g_assert_cmpuint (items, ==, 26);
      serve_test_fetch_free (fetches[i]);
    }
  serve_test_daemon_stop (daemon);
}

/* A bad line is rejected, counted and logged with its place; the rest
 * arrives. An empty dataset completes with NoData. */
static void
test_rejected_and_empty (Fixture *fixture, gconstpointer data)
{
  g_autofree char *bad = g_build_filename (fixture->datasets, "bad", NULL);
  g_autofree char *bad_file = g_build_filename (bad, "users.ndjson", NULL);
  g_autofree char *empty = g_build_filename (fixture->datasets, "empty", NULL);
  g_autoptr(ServeTestDaemon) daemon = NULL;
  g_autofree char *thrift = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *const verbose[] = { "--verbose", NULL };
  guint loci = 0;
  guint64 items = 0, rejected = 0;

  g_assert_cmpint (g_mkdir (bad, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  g_assert_true (g_file_set_contents (bad_file,
                                      "{\"flurryId\":\"a\"}\n"
                                      "{\"flurryId\":\"b\",\"sessions\":7}\n"
                                      "{\"flurryId\":\"c\"}\n"
                                      "7\n", -1, NULL));
  daemon = start_daemon (fixture, NULL, &thrift);
  if (daemon == NULL)
    return;

  out = fetch (fixture, thrift, "bad", verbose, 0, &err);
  serve_test_parse_summary (out, &loci, &items, &rejected);
  g_assert_cmpuint (items, ==, 2);
  g_assert_cmpuint (rejected, ==, 2);
  /* The presser's rejection, placed by the stream; the reader's, which
   * places itself, with its place once. */
  ALLOY_TEST_WAIT_UNTIL (serve_test_daemon_log_has (daemon, "users.ndjson:2:1: item 1 rejected"),
                         10000);
  ALLOY_TEST_WAIT_UNTIL (serve_test_daemon_log_has (daemon, "item 3 rejected: "), 10000);
  g_assert_true (serve_test_daemon_log_has (daemon, "users.ndjson:4:1: expected an object"));
  g_assert_false (serve_test_daemon_log_has (daemon, "users.ndjson:4:1: item 3"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  out = fetch (fixture, thrift, "empty", NULL, 0, &err);
  serve_test_parse_summary (out, &loci, &items, &rejected);
  g_assert_cmpuint (loci, ==, 1);
  g_assert_cmpuint (items, ==, 0);
  serve_test_daemon_stop (daemon);
}

/* A view that cannot be served is an answer with its state and message;
 * the server goes on serving. */
static void
test_refused_views (Fixture *fixture, gconstpointer data)
{
  g_autoptr(ServeTestDaemon) daemon = NULL;
  g_autofree char *thrift = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *const wrong_source[] = { "--source-name", "Synthetic", NULL };
  guint loci = 0;
  guint64 items = 0, rejected = 0;

  daemon = start_daemon (fixture, NULL, &thrift);
  if (daemon == NULL)
    return;

  out = fetch (fixture, thrift, "missing", NULL, 1, &err);
  g_assert_nonnull (strstr (err, "Got Invalid from samplestore master"));
  g_assert_nonnull (strstr (err, "missing"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  out = fetch (fixture, thrift, "quo", wrong_source, 1, &err);
  g_assert_nonnull (strstr (err, "Got Invalid from samplestore master"));
  g_assert_nonnull (strstr (err, "Synthetic"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  out = fetch (fixture, thrift, "small", NULL, 0, &err);
  serve_test_parse_summary (out, &loci, &items, &rejected);
  g_assert_cmpuint (items, ==, 3);
  serve_test_daemon_stop (daemon);
}

/* Views of Burst's retired JsonBrio source name a path under the root. */
static void
test_json_brio_views (Fixture *fixture, gconstpointer data)
{
  g_autoptr(ServeTestDaemon) daemon = NULL;
  g_autofree char *thrift = NULL;
  g_autofree char *file = g_build_filename (fixture->datasets, "small", "users.ndjson", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *const by_file[] = { "--json-location", file, NULL };
  const char *const outside[] = { "--json-location", "/etc", NULL };
  guint loci = 0;
  guint64 items = 0, rejected = 0;

  daemon = start_daemon (fixture, NULL, &thrift);
  if (daemon == NULL)
    return;

  out = fetch (fixture, thrift, NULL, by_file, 0, &err);
  serve_test_parse_summary (out, &loci, &items, &rejected);
  g_assert_cmpuint (items, ==, 3);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  out = fetch (fixture, thrift, NULL, outside, 1, &err);
  g_assert_nonnull (strstr (err, "Got Invalid from samplestore master"));
  g_assert_nonnull (strstr (err, "outside the location root"));
  serve_test_daemon_stop (daemon);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/serve/quo/tcp", test_quo_tcp);
  ADD ("/serve/quo/replication", test_quo_replication);
  ADD ("/serve/quo/unix", test_quo_unix);
  ADD ("/serve/concurrency-one", test_concurrency_one);
  ADD ("/serve/rejected-and-empty", test_rejected_and_empty);
  ADD ("/serve/refused-views", test_refused_views);
  ADD ("/serve/json-brio-views", test_json_brio_views);
#undef ADD
  status = g_test_run ();
  g_clear_pointer (&quo_users, g_hash_table_unref);
  return status;
}
