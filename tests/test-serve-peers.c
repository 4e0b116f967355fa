/* test-serve-peers.c: three alloyd peers with static discovery, as one
 * source cluster: any peer answers a view for all of them, the loci cover
 * the dataset exactly once, and peers that die or hang are left out, their
 * partitions going to other holders or failing the view by name.
 *
 * Every listener is a unix socket in the test's directory, so the peers
 * know each other's addresses before they start and no port can be taken
 * by another process.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "serve-test-utils.h"

#include "alloy-connector.h"
#include "alloy-data-file.h"
#include "alloy-peer-client.h"
#include "alloy-view-client.h"
#include "alloy-view-plan.h"

#include <json-glib/json-glib.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define N_PEERS 3
#define N_FILES 6
/* A hung peer is left out after this long. */
#define PEER_TIMEOUT "1s"
#define VIEW_TIMEOUT_MS 60000

typedef struct {
  char *dir;
  GStrv user_ids;              /* every user's flurryId, in fixture order */
  ServeTestDaemon *peers[N_PEERS];
  AlloyConnector *connector;
  const char *drain_delay; /* the peers' drain-delay */
} Fixture;

/* Keeps arrays short: the peers then press little, and the data is still
 * the quo schema's. */
static void
trim (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(GList) members = json_object_get_values (json_node_get_object (node));

      for (GList *l = members; l != NULL; l = l->next)
        trim (l->data);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      while (json_array_get_length (array) > 3)
        json_array_remove_element (array, json_array_get_length (array) - 1);
      for (guint i = 0; i < json_array_get_length (array); i++)
        trim (json_array_get_element (array, i));
    }
}

/* The users, trimmed, as NDJSON lines: user i goes to file i % N_FILES. */
static GStrv
file_texts (Fixture *fixture)
{
  g_autofree char *path = g_build_filename (alloy_test_fixtures_dir (), "data", "quo",
                                            "quo-view.json.gz", NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  GString *texts[N_FILES];
  GStrv result = g_new0 (char *, N_FILES + 1);
  JsonArray *users;

  bytes = alloy_data_file_read_all (path, NULL, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                              &error);
  g_assert_no_error (error);
  users = json_node_get_array (json_parser_get_root (parser));
  for (guint f = 0; f < N_FILES; f++)
    texts[f] = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonNode *user = json_array_get_element (users, i);
      g_autofree char *line = NULL;

      trim (user);
      line = json_to_string (user, FALSE);
      g_string_append_printf (texts[i % N_FILES], "%s\n", line);
      g_strv_builder_add (ids, json_object_get_string_member (json_node_get_object (user),
                                                              "flurryId"));
    }
  fixture->user_ids = g_strv_builder_end (ids);
  for (guint f = 0; f < N_FILES; f++)
    result[f] = g_string_free (texts[f], FALSE);
  return result;
}

/* ROOT/quo with the files whose numbers are in @files ("013"). */
static char *
make_location (Fixture *fixture, const char *name, GStrv texts, const char *files)
{
  g_autofree char *root = g_build_filename (fixture->dir, name, NULL);
  g_autofree char *quo = g_build_filename (root, "quo", NULL);

  g_assert_cmpint (g_mkdir_with_parents (quo, 0755), ==, 0);
  for (const char *f = files; *f; f++)
    {
      g_autofree char *file = g_strdup_printf ("%s/p%c.ndjson", quo, *f);

      g_assert_true (g_file_set_contents (file, texts[*f - '0'], -1, NULL));
    }
  return g_steal_pointer (&root);
}

static char *
socket_path (Fixture *fixture, guint peer, const char *protocol)
{
  g_autofree char *name = g_strdup_printf ("n%u.%s", peer + 1, protocol);

  return g_build_filename (fixture->dir, name, NULL);
}

/* Starts the three peers, peer k on @locations[k]. */
static void
start_peers (Fixture *fixture, char **locations)
{
  g_autoptr(GString) peers = g_string_new (NULL);
  g_autofree char *schemas = g_build_filename (alloy_test_fixtures_dir (), "schemas", NULL);

  for (guint k = 0; k < N_PEERS; k++)
    {
      g_autofree char *nexus = socket_path (fixture, k, "nexus");
      g_string_append_printf (peers, "n%u@unix:%s;", k + 1, nexus);
    }
  for (guint k = 0; k < N_PEERS; k++)
    {
      g_autofree char *thrift = socket_path (fixture, k, "thrift");
      g_autofree char *nexus = socket_path (fixture, k, "nexus");
      g_autofree char *health = socket_path (fixture, k, "health");
      g_autofree char *name = g_strdup_printf ("n%u", k + 1);
      g_autofree char *config = g_strdup_printf (
        "[alloy]\nnode-id=%s\nalloy.samplestore.location=%s\n"
        "alloy.samplestore.schema.path=%s\nalloy.samplestore.dataset.settle=0s\n"
        "drain-timeout=5s\ndrain-delay=%s\npeer-timeout=" PEER_TIMEOUT "\n"
        "[transport:thrift]\nplugin=transport_unix\nprotocol=thrift\npath=%s\n"
        "[transport:nexus]\nplugin=transport_unix\nprotocol=nexus\npath=%s\n"
        "[transport:health]\nplugin=transport_unix\nprotocol=http\npath=%s\n"
        "[discovery:peers]\nplugin=discovery_static\npeers=%s\n",
        name, locations[k], schemas,
        fixture->drain_delay != NULL ? fixture->drain_delay : "0s", thrift, nexus, health,
        peers->str);

      fixture->peers[k] = serve_test_daemon_start (fixture->dir, name, config);
    }
}

/* The three peers on one location holding every file; FALSE (the test
 * skipped) without the fixtures. */
static gboolean
start_shared_peers (Fixture *fixture)
{
  g_auto(GStrv) texts = NULL;
  g_autofree char *shared = NULL;
  char *locations[N_PEERS];

  if (alloy_test_fixtures_dir () == NULL)
    {
      g_test_skip ("no fixtures");
      return FALSE;
    }
  texts = file_texts (fixture);
  shared = make_location (fixture, "shared", texts, "012345");
  for (guint k = 0; k < N_PEERS; k++)
    locations[k] = shared;
  start_peers (fixture, locations);
  return TRUE;
}

/* getViewGenerator through peer @peer, as a cell asks it: the answer, or
 * the cell's error. */
static AlloyViewAnswer *
ask_view (Fixture *fixture, guint peer, GError **error)
{
  g_autofree char *thrift = socket_path (fixture, peer, "thrift");
  g_autofree char *address = g_strconcat ("unix:", thrift, NULL);
  g_autoptr(AlloyViewRequest) request = alloy_view_request_new ();
  g_autoptr(GAsyncResult) connected = NULL;
  g_autoptr(GAsyncResult) answered = NULL;
  g_autoptr(GIOStream) stream = NULL;
  GAsyncResult *result = NULL;

  alloy_connector_connect_async (fixture->connector, address, VIEW_TIMEOUT_MS, NULL,
                                 alloy_test_keep_result, &result);
  connected = alloy_test_wait_result (&result, VIEW_TIMEOUT_MS + 5000);
  stream = alloy_connector_connect_finish (fixture->connector, connected, error);
  if (stream == NULL)
    return NULL;
  g_free (request->guid);
  request->guid = alloy_burst_uid_new ();
  g_free (request->schema_name);
  request->schema_name = g_strdup ("quo");
  g_free (request->view_motif);
  request->view_motif = g_strdup ("VIEW v { INCLUDE user }");
  g_hash_table_insert (request->store_properties, g_strdup (ALLOY_VIEW_KEY_SOURCE_NAME),
                       g_strdup (ALLOY_VIEW_SOURCE_ALLOY));
  g_hash_table_insert (request->store_properties, g_strdup (ALLOY_VIEW_KEY_DATASET),
                       g_strdup ("quo"));
  alloy_view_client_call_async (stream, request, VIEW_TIMEOUT_MS, NULL, alloy_test_keep_result,
                                &result);
  answered = alloy_test_wait_result (&result, VIEW_TIMEOUT_MS + 5000);
  return alloy_view_client_call_finish (stream, answered, error);
}

/* The layout a cell sees, without the random suids: per locus its address
 * and what it streams; then the generation. */
static char *
layout_of (const AlloyViewAnswer *answer)
{
  GString *text = g_string_new (NULL);

  for (guint l = 0; l < answer->loci->len; l++)
    {
      const AlloyLocus *locus = answer->loci->pdata[l];

      g_string_append_printf (text, "%s %s:%d %s\n", locus->host_name, locus->host_address,
                              locus->port,
                              (const char *) g_hash_table_lookup (locus->partition_properties,
                                                                  ALLOY_VIEW_KEY_PARTITIONS));
    }
  g_string_append (text, answer->generation_hash);
  return g_string_free (text, FALSE);
}

/* The peers (node ids) that have loci, in order: "n1 n2 n3". */
static char *
peers_of (const AlloyViewAnswer *answer)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint l = 0; l < answer->loci->len; l++)
    g_string_append_printf (text, "%s%s", l > 0 ? " " : "",
                            ((AlloyLocus *) answer->loci->pdata[l])->host_name);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* `alloy fetch` through peer @peer: every user exactly once. */
static void
fetch_all (Fixture *fixture, guint peer, guint expected_loci)
{
  g_autofree char *thrift = socket_path (fixture, peer, "thrift");
  g_autofree char *server = g_strconcat ("unix:", thrift, NULL);
  g_autofree char *out = g_strdup_printf ("%s/decoded-%u.jsonl", fixture->dir, peer);
  g_autofree char *schemas = g_build_filename (alloy_test_fixtures_dir (), "schemas", NULL);
  const char *args[] = { "--server", server, "--schema", "quo", "--dataset", "quo",
                         "--out", out, "--decode", "--schema-path", schemas,
                         "--timeout", "60", NULL };
  g_autoptr(ServeTestFetch) fetch = serve_test_fetch_start (args);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *decoded = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 items, rejected;
  guint loci, n_lines = 0;

  serve_test_fetch_assert_status (fetch, 0);
  serve_test_parse_summary (fetch->out, &loci, &items, &rejected);
  g_assert_cmpuint (loci, ==, expected_loci);
  g_assert_cmpuint (items, ==, g_strv_length (fixture->user_ids));
  g_assert_cmpuint (rejected, ==, 0);

  g_assert_true (g_file_get_contents (out, &decoded, NULL, NULL));
  lines = g_strsplit (decoded, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) user = NULL;

      if (*lines[i] == '\0')
        continue;
      user = json_from_string (lines[i], NULL);
      g_assert_nonnull (user);
      g_assert_true (g_hash_table_add (
        seen, g_strdup (json_object_get_string_member (json_node_get_object (user), "flurryId"))));
      n_lines++;
    }
  g_assert_cmpuint (n_lines, ==, g_strv_length (fixture->user_ids));
  for (guint i = 0; fixture->user_ids[i] != NULL; i++)
    g_assert_true (g_hash_table_contains (seen, fixture->user_ids[i]));
}

/* Every peer answers with the same layout, over all three peers. */
static char *
assert_same_answers (Fixture *fixture, guint n_live, const guint *live)
{
  char *first = NULL;

  for (guint i = 0; i < n_live; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AlloyViewAnswer) answer = ask_view (fixture, live[i], &error);
      g_autofree char *layout = NULL;

      g_assert_no_error (error);
      layout = layout_of (answer);
      if (first == NULL)
        first = g_steal_pointer (&layout);
      else
        g_assert_cmpstr (layout, ==, first);
    }
  return first;
}

/* GET /readyz of peer @peer: the status line and the body. */
static char *
readiness_of (Fixture *fixture, guint peer)
{
  static const char request[] = "GET /readyz HTTP/1.1\r\nHost: peer\r\n\r\n";
  g_autofree char *health = socket_path (fixture, peer, "health");
  g_autofree char *address = g_strconcat ("unix:", health, NULL);
  g_autoptr(GAsyncResult) connected = NULL;
  g_autoptr(GAsyncResult) read = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  char response[4096] = { 0 };
  gsize length = 0;
  const char *status_end, *body;

  alloy_connector_connect_async (fixture->connector, address, 10000, NULL,
                                 alloy_test_keep_result, &result);
  connected = alloy_test_wait_result (&result, 15000);
  stream = alloy_connector_connect_finish (fixture->connector, connected, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (stream), request,
                             sizeof request - 1, NULL, NULL, &error);
  g_assert_no_error (error);
  /* The endpoint answers one request per connection, then closes it. */
  g_input_stream_read_all_async (g_io_stream_get_input_stream (stream), response,
                                 sizeof response - 1, G_PRIORITY_DEFAULT, NULL,
                                 alloy_test_keep_result, &result);
  read = alloy_test_wait_result (&result, 15000);
  g_input_stream_read_all_finish (g_io_stream_get_input_stream (stream), read, &length, &error);
  g_assert_no_error (error);
  status_end = strstr (response, "\r\n");
  body = strstr (response, "\r\n\r\n");
  g_assert_nonnull (status_end);
  g_assert_nonnull (body);
  return g_strdup_printf ("%.*s | %s", (int) (status_end - response), response, body + 4);
}

/* The state letter of /proc/PID/stat ('T' once stopped), or 0. */
static char
process_state (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (process));
  g_autofree char *stat = NULL;
  const char *end;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (end = strrchr (stat, ')')) == NULL)
    return 0;
  return end[1] == ' ' ? end[2] : 0;
}

/* Signals peer @peer at once (g_subprocess_send_signal goes through GLib's
 * worker thread, so the next view could come first); a stopped peer is
 * waited for until the kernel shows it stopped, a killed one until gone. */
static void
kill_peer (Fixture *fixture, guint peer, int signal_number)
{
  GSubprocess *process = fixture->peers[peer]->process;

  g_assert_cmpint (kill ((pid_t) atoi (g_subprocess_get_identifier (process)), signal_number),
                   ==, 0);
  if (signal_number == SIGSTOP)
    ALLOY_TEST_WAIT_UNTIL (process_state (process) == 'T', 10000);
  if (signal_number == SIGKILL)
    {
      g_subprocess_wait (process, NULL, NULL);
      g_clear_pointer (&fixture->peers[peer], serve_test_daemon_free);
    }
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_auto(GStrv) search_path = alloy_plugin_search_path_build (NULL, NULL);

  fixture->dir = alloy_test_make_tmp_dir ();
  fixture->connector = alloy_connector_new ((const char *const *) search_path);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  for (guint k = 0; k < N_PEERS; k++)
    if (fixture->peers[k] != NULL)
      {
        /* A stopped peer must run again to stop cleanly. */
        g_subprocess_send_signal (fixture->peers[k]->process, SIGCONT);
        /* With a drain delay, a second signal ends it. */
        if (fixture->drain_delay != NULL)
          {
            g_subprocess_send_signal (fixture->peers[k]->process, SIGTERM);
            ALLOY_TEST_WAIT_UNTIL (serve_test_daemon_log_has (fixture->peers[k], "draining: "),
                                   10000);
          }
        serve_test_daemon_stop (fixture->peers[k]);
        g_clear_pointer (&fixture->peers[k], serve_test_daemon_free);
      }
  g_clear_object (&fixture->connector);
  g_strfreev (fixture->user_ids);
  alloy_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* One location for all: every peer holds every partition. */
static void
test_shared_location (Fixture *fixture, gconstpointer data)
{
  g_autofree char *layout = NULL;
  g_autofree char *after_kill = NULL;
  g_autoptr(AlloyViewAnswer) hung = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hung_peers = NULL;
  const guint all[] = { 0, 1, 2 };
  const guint two[] = { 0, 1 };

  if (!start_shared_peers (fixture))
    return;

  layout = assert_same_answers (fixture, G_N_ELEMENTS (all), all);
  for (guint k = 0; k < N_PEERS; k++)
    fetch_all (fixture, k, N_PEERS);

  /* A hung peer is left out after the peer timeout; its partitions are
   * held by the others. */
  kill_peer (fixture, 2, SIGSTOP);
  hung = ask_view (fixture, 0, &error);
  g_assert_no_error (error);
  hung_peers = peers_of (hung);
  g_assert_cmpstr (hung_peers, ==, "n1 n2");
  ALLOY_TEST_WAIT_UNTIL (serve_test_daemon_log_has (fixture->peers[0], "is left out: no reply "
                                                    "from peer unix:"), 5000);
  kill_peer (fixture, 2, SIGCONT);

  /* A dead peer: the next views go to the two left, the same through
   * either, and still cover everything. */
  kill_peer (fixture, 2, SIGKILL);
  after_kill = assert_same_answers (fixture, G_N_ELEMENTS (two), two);
  g_assert_cmpstr (after_kill, !=, layout);
  fetch_all (fixture, 1, 2);
}

/* A peer that dies before any view asked it: the others learned what it
 * held when it joined, so with a shared location views go on. */
static void
test_dead_before_any_view (Fixture *fixture, gconstpointer data)
{
  g_autofree char *layout = NULL;
  g_autofree char *nexus = socket_path (fixture, 1, "nexus");
  g_autofree char *learned = g_strdup_printf ("learned what peer n2@unix:%s holds", nexus);
  const guint alive[] = { 0, 2 };

  if (!start_shared_peers (fixture))
    return;
  ALLOY_TEST_WAIT_UNTIL (serve_test_daemon_log_has (fixture->peers[0], learned) &&
                         serve_test_daemon_log_has (fixture->peers[2], learned), 30000);

  kill_peer (fixture, 1, SIGKILL);
  layout = assert_same_answers (fixture, G_N_ELEMENTS (alive), alive);
  fetch_all (fixture, 2, 2);
}

/* Each peer its own files; p0 and p1 have two holders each. */
static void
test_own_locations (Fixture *fixture, gconstpointer data)
{
  g_auto(GStrv) texts = NULL;
  g_autofree char *layout = NULL;
  g_autofree char *failover = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewAnswer) failed = NULL;
  char *locations[N_PEERS];
  const guint all[] = { 0, 1, 2 };
  const guint two[] = { 1, 2 };

  if (alloy_test_fixtures_dir () == NULL)
    {
      g_test_skip ("no fixtures");
      return;
    }
  texts = file_texts (fixture);
  locations[0] = make_location (fixture, "own-1", texts, "01");
  locations[1] = make_location (fixture, "own-2", texts, "123");
  locations[2] = make_location (fixture, "own-3", texts, "045");
  start_peers (fixture, locations);

  layout = assert_same_answers (fixture, G_N_ELEMENTS (all), all);
  for (guint k = 0; k < N_PEERS; k++)
    fetch_all (fixture, k, N_PEERS);

  /* n1 dies: p0 and p1 each have another holder. */
  kill_peer (fixture, 0, SIGKILL);
  failover = assert_same_answers (fixture, G_N_ELEMENTS (two), two);
  g_assert_cmpstr (failover, !=, layout);
  fetch_all (fixture, 1, 2);

  /* n3 dies too: p0 (n1, n3), p4 and p5 (n3) have no live holder left. */
  kill_peer (fixture, 2, SIGKILL);
  failed = ask_view (fixture, 1, &error);
  g_assert_null (failed);
  g_assert_error (error, ALLOY_VIEW_CLIENT_ERROR, ALLOY_VIEW_CLIENT_ERROR_STATE);
  g_assert_nonnull (strstr (error->message,
                            "Got Exception from samplestore master: 3 file(s) of dataset "
                            "quo have no live holder: p0.ndjson, p4.ndjson, p5.ndjson; last "
                            "held by n1@unix:"));
  g_assert_nonnull (strstr (error->message, "n3@unix:"));

  for (guint k = 0; k < N_PEERS; k++)
    g_free (locations[k]);
}

/* SIGTERM with a drain delay: the peer turns unready at once and the
 * views through any peer leave it out, its partitions going to the
 * others; a second signal ends the delay and the peer exits cleanly. */
static void
test_drain (Fixture *fixture, gconstpointer data)
{

  fixture->drain_delay = "10m";
  if (!start_shared_peers (fixture))
    return;

  for (guint k = 0; k < N_PEERS; k++)
    {
      g_autofree char *ready = readiness_of (fixture, k);
      g_autoptr(GError) error = NULL;
      g_autoptr(AlloyViewAnswer) answer = ask_view (fixture, k, &error);
      g_autofree char *peers = NULL;

      g_assert_cmpstr (ready, ==, "HTTP/1.1 200 OK | ok\n");
      g_assert_no_error (error);
      peers = peers_of (answer);
      g_assert_cmpstr (peers, ==, "n1 n2 n3");
    }

  kill_peer (fixture, 2, SIGTERM);
  ALLOY_TEST_WAIT_UNTIL (serve_test_daemon_log_has (fixture->peers[2], "draining: leaving new "
                                                    "views to the other peers"), 10000);
  {
    g_autofree char *ready = readiness_of (fixture, 2);

    g_assert_cmpstr (ready, ==, "HTTP/1.1 503 Service Unavailable | draining: SIGTERM received\n");
  }
  /* Through the draining peer too: it still answers, for the others. */
  for (guint k = 0; k < N_PEERS; k++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AlloyViewAnswer) answer = ask_view (fixture, k, &error);
      g_autofree char *peers = NULL;

      g_assert_no_error (error);
      peers = peers_of (answer);
      g_assert_cmpstr (peers, ==, "n1 n2");
    }
  fetch_all (fixture, 0, 2);

  kill_peer (fixture, 2, SIGTERM);
  ALLOY_TEST_WAIT_UNTIL (serve_test_daemon_log_has (fixture->peers[2], "second signal"), 10000);
  g_subprocess_wait (fixture->peers[2]->process, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (fixture->peers[2]->process));
  g_assert_cmpint (g_subprocess_get_exit_status (fixture->peers[2]->process), ==, 0);
  g_clear_pointer (&fixture->peers[2], serve_test_daemon_free);
}

static AlloyInventory *
ask_inventory (Fixture *fixture, const AlloyPeer *peer, const char *dataset, const char *schema)
{
  g_autoptr(GAsyncResult) answered = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;
  AlloyInventory *inventory;

  alloy_peer_client_inventory_async (fixture->connector, peer, dataset, schema, 10000, NULL,
                                     alloy_test_keep_result, &result);
  answered = alloy_test_wait_result (&result, 15000);
  inventory = alloy_peer_client_inventory_finish (fixture->connector, answered, &error);
  g_assert_no_error (error);
  return inventory;
}

/* The peer API over TCP, as another peer calls it: on the Nexus port,
 * which goes on serving streams. */
static void
test_inventory_over_tcp (Fixture *fixture, gconstpointer data)
{
  g_auto(GStrv) texts = NULL;
  g_autofree char *root = NULL;
  g_autofree char *config = NULL;
  g_autofree char *nexus = NULL;
  g_autofree char *thrift = NULL;
  g_autofree char *host = NULL;
  g_autoptr(AlloyPeer) peer = NULL;
  g_autoptr(AlloyInventory) held = NULL;
  g_autoptr(AlloyInventory) absent = NULL;
  g_autoptr(AlloyInventory) invalid = NULL;
  g_autoptr(ServeTestFetch) fetch = NULL;
  guint16 port = 0;

  if (alloy_test_fixtures_dir () == NULL)
    {
      g_test_skip ("no fixtures");
      return;
    }
  texts = file_texts (fixture);
  root = make_location (fixture, "tcp", texts, "012345");
  config = serve_test_config (root, NULL);
  fixture->peers[0] = serve_test_daemon_start (fixture->dir, "solo", config);
  nexus = serve_test_daemon_address (fixture->peers[0], "nexus", "tcp");
  thrift = serve_test_daemon_address (fixture->peers[0], "thrift", "tcp");
  g_assert_true (alloy_option_parse_address (nexus + strlen ("tcp:"), &host, &port, NULL));
  peer = alloy_peer_new ("test-peer", host, port);

  held = ask_inventory (fixture, peer, "quo", "QUO");
  g_assert_cmpint (held->state, ==, ALLOY_INVENTORY_HELD);
  g_assert_cmpstr (held->peer_id, ==, "test-peer");
  g_assert_cmpstr (held->schema_name, ==, "Quo"); /* as its files spell it */
  g_assert_cmpuint (strlen (held->schema_digest), ==, 64);
  g_assert_cmpint (held->root_version, ==, 1);
  g_assert_cmpuint (held->partitions->len, ==, N_FILES);
  for (guint f = 0; f < N_FILES; f++)
    {
      const AlloyInventoryPartition *partition = held->partitions->pdata[f];
      g_autofree char *id = g_strdup_printf ("p%u.ndjson", f);
      g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, texts[f], -1);

      g_assert_cmpstr (partition->id, ==, id);
      g_assert_cmpstr (partition->path, ==, id);
      g_assert_cmpstr (partition->digest, ==, digest);
      g_assert_cmpuint (partition->range_start, ==, 0);
      g_assert_cmpuint (partition->range_end, ==, strlen (texts[f]));
    }

  absent = ask_inventory (fixture, peer, "nosuch", "quo");
  g_assert_cmpint (absent->state, ==, ALLOY_INVENTORY_ABSENT);
  g_assert_cmpuint (absent->partitions->len, ==, 0);
  invalid = ask_inventory (fixture, peer, "quo", "nosuch");
  g_assert_cmpint (invalid->state, ==, ALLOY_INVENTORY_INVALID);
  g_assert_nonnull (strstr (invalid->message, "nosuch"));

  {
    const char *args[] = { "--server", thrift, "--schema", "quo", "--dataset", "quo",
                           "--timeout", "60", NULL };
    guint loci;
    guint64 items, rejected;

    fetch = serve_test_fetch_start (args);
    serve_test_fetch_assert_status (fetch, 0);
    serve_test_parse_summary (fetch->out, &loci, &items, &rejected);
    g_assert_cmpuint (items, ==, g_strv_length (fixture->user_ids));
  }
}

/* A peer listed under another address that reaches itself (here a unix
 * path spelled with "//") counts once, with a warning. */
static void
test_reaches_itself (Fixture *fixture, gconstpointer data)
{
  g_auto(GStrv) texts = NULL;
  g_autofree char *root = NULL;
  g_autofree char *config = NULL;
  g_autofree char *thrift = socket_path (fixture, 0, "thrift");
  g_autofree char *nexus = socket_path (fixture, 0, "nexus");
  g_autofree char *schemas = NULL;
  g_autoptr(AlloyViewAnswer) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *peers = NULL;

  if (alloy_test_fixtures_dir () == NULL)
    {
      g_test_skip ("no fixtures");
      return;
    }
  schemas = g_build_filename (alloy_test_fixtures_dir (), "schemas", NULL);
  texts = file_texts (fixture);
  root = make_location (fixture, "self", texts, "01");
  config = g_strdup_printf (
    "[alloy]\nnode-id=n1\nalloy.samplestore.location=%s\nalloy.samplestore.schema.path=%s\n"
    "alloy.samplestore.dataset.settle=0s\ndrain-timeout=5s\n"
    "[transport:thrift]\nplugin=transport_unix\nprotocol=thrift\npath=%s\n"
    "[transport:nexus]\nplugin=transport_unix\nprotocol=nexus\npath=%s\n"
    "[discovery:peers]\nplugin=discovery_static\npeers=ghost@unix:%s/%s\n",
    root, schemas, thrift, nexus, fixture->dir, strrchr (nexus, '/'));
  fixture->peers[0] = serve_test_daemon_start (fixture->dir, "n1", config);

  answer = ask_view (fixture, 0, &error);
  g_assert_no_error (error);
  peers = peers_of (answer);
  g_assert_cmpstr (peers, ==, "n1");
  ALLOY_TEST_WAIT_UNTIL (serve_test_daemon_log_has (fixture->peers[0], "is this very peer "
                                                    "(node-id n1): set advertise="), 10000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/serve-peers/shared-location", Fixture, NULL, fixture_set_up,
              test_shared_location, fixture_tear_down);
  g_test_add ("/serve-peers/own-locations", Fixture, NULL, fixture_set_up, test_own_locations,
              fixture_tear_down);
  g_test_add ("/serve-peers/drain", Fixture, NULL, fixture_set_up, test_drain,
              fixture_tear_down);
  g_test_add ("/serve-peers/dead-before-any-view", Fixture, NULL, fixture_set_up,
              test_dead_before_any_view, fixture_tear_down);
  g_test_add ("/serve-peers/reaches-itself", Fixture, NULL, fixture_set_up, test_reaches_itself,
              fixture_tear_down);
  g_test_add ("/serve-peers/inventory-over-tcp", Fixture, NULL, fixture_set_up,
              test_inventory_over_tcp, fixture_tear_down);
  return g_test_run ();
}
