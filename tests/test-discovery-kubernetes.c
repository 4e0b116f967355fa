/* test-discovery-kubernetes.c: the discovery_kubernetes plugin.
 *
 * A fake API server on 127.0.0.1 (GIO, TLS with a certificate that the
 * test makes with openssl at run time) answers the EndpointSlice LIST and
 * holds each WATCH open as a chunked stream that the test feeds event by
 * event. Nothing sleeps: the main context runs until a deadline.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"
#include "kubernetes-test-server.h"

#include <string.h>

#define GROUP "discovery:peers"
/* Generous: TLS under valgrind is slow. Only an upper bound. */
#define WAIT_MS 60000

static char *cert_dir; /* crt.pem and key.pem, made once */

/* --- JSON ------------------------------------------------------------- */

/* An endpoint with a pod name and conditions (JSON members, or ""). */
static char *
endpoint (const char *address, const char *pod, const char *conditions)
{
  return g_strdup_printf ("{\"addresses\":[\"%s\"],\"conditions\":{%s},"
                          "\"targetRef\":{\"kind\":\"Pod\",\"namespace\":\"alloy\",\"name\":\"%s\"}}",
                          address, conditions, pod);
}

#define READY "\"ready\":true,\"serving\":true,\"terminating\":false"

/* A slice with the nexus port 1270; @endpoints is a JSON array. */
static char *
slice (const char *name, const char *rv, const char *endpoints)
{
  return g_strdup_printf ("{\"metadata\":{\"name\":\"%s\",\"namespace\":\"alloy\","
                          "\"resourceVersion\":\"%s\",\"labels\":{\"kubernetes.io/service-name\":"
                          "\"alloy-peers\"}},\"addressType\":\"IPv4\",\"endpoints\":%s,"
                          "\"ports\":[{\"name\":\"metrics\",\"port\":9090},"
                          "{\"name\":\"nexus\",\"protocol\":\"TCP\",\"port\":1270}]}",
                          name, rv, endpoints);
}

static char *
list (const char *rv, const char *items)
{
  return g_strdup_printf ("{\"kind\":\"EndpointSliceList\",\"apiVersion\":\"discovery.k8s.io/v1\","
                          "\"metadata\":{\"resourceVersion\":\"%s\"},\"items\":[%s]}", rv, items);
}

static char *
event (const char *type, const char *object)
{
  return g_strdup_printf ("{\"type\":\"%s\",\"object\":%s}", type, object);
}

/* Two slices: a has alloy-0 and alloy-1, b has alloy-2. */
static char *
two_slices (const char *rv)
{
  g_autofree char *e0 = endpoint ("10.1.0.7", "alloy-0", READY);
  g_autofree char *e1 = endpoint ("10.1.0.8", "alloy-1", READY);
  g_autofree char *e2 = endpoint ("10.1.0.9", "alloy-2", "");
  g_autofree char *a_eps = g_strdup_printf ("[%s,%s]", e0, e1);
  g_autofree char *b_eps = g_strdup_printf ("[%s]", e2);
  g_autofree char *a = slice ("alloy-peers-a", "198", a_eps);
  g_autofree char *b = slice ("alloy-peers-b", "199", b_eps);
  g_autofree char *items = g_strdup_printf ("%s,%s", a, b);

  return list (rv, items);
}

/* --- fixture ---------------------------------------------------------- */

typedef struct {
  AlloyTestTmpDir tmp;
  FakeApi *api;
  char *token_file;
  AlloyPluginInstance *discovery;
  GPtrArray *snapshots;
} Fixture;

static void
on_snapshot (AlloyDiscovery *discovery, AlloyPeerSnapshot *snapshot, gpointer user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->snapshots, alloy_peer_snapshot_ref (snapshot));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  alloy_test_tmp_dir_set_up (&fixture->tmp, data);
  fixture->api = fake_api_new (cert_dir);
  fixture->token_file = g_build_filename (fixture->tmp.dir, "token", NULL);
  g_assert_true (g_file_set_contents (fixture->token_file, "test-token\n", -1, NULL));
  fixture->snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_snapshot_unref);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  if (fixture->discovery != NULL)
    {
      alloy_plugin_instance_stop (fixture->discovery);
      g_object_unref (fixture->discovery);
    }
  fake_api_free (fixture->api);
  /* Let cancelled requests and closed streams finish. */
  for (int i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_ptr_array_unref (fixture->snapshots);
  g_free (fixture->token_file);
  alloy_test_tmp_dir_tear_down (&fixture->tmp, data);
}

static void
start_with (Fixture *fixture, const char *extra)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = g_build_filename (cert_dir, "crt.pem", NULL);
  g_autofree char *text = g_strdup_printf ("api-server=https://127.0.0.1:%u\nca-file=%s\n"
                                           "token-file=%s\nnamespace=alloy\nservice=alloy-peers\n"
                                           "backoff-initial=5ms\nbackoff-max=40ms\n%s",
                                           fixture->api->port, ca, fixture->token_file,
                                           extra ? extra : "");

  fixture->discovery = alloy_test_new_instance ("discovery_kubernetes", GROUP, text);
  g_signal_connect (fixture->discovery, "snapshot", G_CALLBACK (on_snapshot), fixture);
  g_assert_true (alloy_test_start_instance (fixture->discovery, &error));
  g_assert_no_error (error);
}

static void
start (Fixture *fixture)
{
  start_with (fixture, NULL);
}

static AlloyPeerSnapshot *
wait_snapshot (Fixture *fixture, guint n)
{
  ALLOY_TEST_WAIT_UNTIL (fixture->snapshots->len >= n, WAIT_MS);
  g_assert_cmpuint (fixture->snapshots->len, ==, n);
  return g_ptr_array_index (fixture->snapshots, n - 1);
}

/* Waits for snapshot @n and checks that it is authoritative with @expected. */
static void
assert_peers (Fixture *fixture, guint n, const char *expected)
{
  AlloyPeerSnapshot *snapshot = wait_snapshot (fixture, n);
  g_autofree char *text = NULL;

  if (alloy_peer_snapshot_get_outcome (snapshot) != ALLOY_SNAPSHOT_AUTHORITATIVE)
    g_error ("snapshot %u failed: %s", n, alloy_peer_snapshot_get_error (snapshot)->message);
  text = alloy_test_peers_text (snapshot);
  g_assert_cmpstr (text, ==, expected);
}

static const char *
request_at (Fixture *fixture, guint i)
{
  ALLOY_TEST_WAIT_UNTIL (fixture->api->requests->len > i, WAIT_MS);
  return g_ptr_array_index (fixture->api->requests, i);
}

static void
wait_watch (Fixture *fixture, guint request_index, const char *expected)
{
  g_assert_cmpstr (request_at (fixture, request_index), ==, expected);
  ALLOY_TEST_WAIT_UNTIL (fixture->api->watch != NULL, WAIT_MS);
}

/* --- tests ------------------------------------------------------------ */

#define THREE "alloy-0@10.1.0.7:1270 alloy-1@10.1.0.8:1270 alloy-2@10.1.0.9:1270"

static void
test_list_then_watch (Fixture *fixture, gconstpointer data)
{
  FakeApi *api = fixture->api;
  g_autofree char *e3 = endpoint ("10.1.0.10", "alloy-3", READY);
  g_autofree char *e3_eps = g_strdup_printf ("[%s]", e3);
  g_autofree char *c = slice ("alloy-peers-c", "201", e3_eps);
  g_autofree char *added = event ("ADDED", c);
  g_autofree char *e1_term = endpoint ("10.1.0.8", "alloy-1",
                                       "\"ready\":false,\"serving\":true,\"terminating\":true");
  g_autofree char *e0 = endpoint ("10.1.0.7", "alloy-0", READY);
  g_autofree char *a_eps = g_strdup_printf ("[%s,%s]", e0, e1_term);
  g_autofree char *a = slice ("alloy-peers-a", "202", a_eps);
  g_autofree char *modified = event ("MODIFIED", a);
  g_autofree char *b = slice ("alloy-peers-b", "203", "[]");
  g_autofree char *deleted = event ("DELETED", b);
  g_autofree char *two = NULL;
  g_autofree char *half = NULL;
  AlloyPeerSnapshot *snapshot;

  api->list_body = two_slices ("200");
  start (fixture);
  assert_peers (fixture, 1, THREE);
  snapshot = g_ptr_array_index (fixture->snapshots, 0);
  g_assert_cmpstr (alloy_peer_snapshot_get_source (snapshot), ==, GROUP);
  g_assert_cmpuint (alloy_peer_snapshot_get_generation (snapshot), ==, 1);
  g_assert_cmpstr (request_at (fixture, 0), ==, "list");
  wait_watch (fixture, 1, "watch 200");

  /* ADDED: a third slice joins. */
  fake_api_watch_event (api, added);
  assert_peers (fixture, 2, THREE " alloy-3@10.1.0.10:1270");

  /* MODIFIED: alloy-1 terminates (still serving): it leaves. The event is
   * split across two chunks. */
  half = g_strndup (modified, strlen (modified) / 2);
  fake_api_watch_chunk (api, half);
  fake_api_watch_chunk (api, modified + strlen (half));
  fake_api_watch_chunk (api, "\n");
  assert_peers (fixture, 3, "alloy-0@10.1.0.7:1270 alloy-2@10.1.0.9:1270 alloy-3@10.1.0.10:1270");

  /* DELETED removes only that slice's peers; a BOOKMARK in the same chunk
   * publishes nothing. */
  two = g_strdup_printf ("%s\n{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"EndpointSlice\","
                         "\"apiVersion\":\"discovery.k8s.io/v1\",\"metadata\":"
                         "{\"resourceVersion\":\"230\"}}}\n", deleted);
  fake_api_watch_chunk (api, two);
  assert_peers (fixture, 4, "alloy-0@10.1.0.7:1270 alloy-3@10.1.0.10:1270");

  /* A clean end: rewatch from the bookmark's RV, without a relist. */
  fake_api_watch_end (api);
  wait_watch (fixture, 2, "watch 230");
  g_assert_cmpuint (api->requests->len, ==, 3);
  g_assert_cmpuint (fixture->snapshots->len, ==, 4);
}

static void
test_watch_gone_relists (Fixture *fixture, gconstpointer data)
{
  FakeApi *api = fixture->api;

  api->list_body = two_slices ("200");
  api->next_watch_status = 410;
  start (fixture);
  assert_peers (fixture, 1, THREE);
  /* HTTP 410 on the watch: relist, publish that list, watch from its RV. */
  g_assert_cmpstr (request_at (fixture, 1), ==, "watch 200");
  g_free (api->list_body);
  api->list_body = list ("300", "");
  g_assert_cmpstr (request_at (fixture, 2), ==, "list");
  assert_peers (fixture, 2, "");
  wait_watch (fixture, 3, "watch 300");
}

static void
test_error_event_relists (Fixture *fixture, gconstpointer data)
{
  FakeApi *api = fixture->api;

  api->list_body = two_slices ("200");
  start (fixture);
  assert_peers (fixture, 1, THREE);
  wait_watch (fixture, 1, "watch 200");
  g_free (api->list_body);
  api->list_body = two_slices ("260");
  fake_api_watch_event (api, "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                    "\"status\":\"Failure\",\"message\":\"too old resource version: 200 (250)\","
                    "\"reason\":\"Expired\",\"code\":410}}");
  g_assert_cmpstr (request_at (fixture, 2), ==, "list");
  /* The set is published again only once the relist is complete. */
  assert_peers (fixture, 2, THREE);
  wait_watch (fixture, 3, "watch 260");
}

static void
test_token_reread_on_401 (Fixture *fixture, gconstpointer data)
{
  FakeApi *api = fixture->api;

  /* The token rotates: the server answers 401 to the old one and the
   * kubelet (here the server) writes the new one before the retry. */
  api->list_body = two_slices ("200");
  g_free (api->token);
  api->token = g_strdup ("rotated-token");
  api->token_file = g_strdup (fixture->token_file);
  start (fixture);
  assert_peers (fixture, 1, THREE);
  g_assert_cmpuint (api->unauthorized->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (api->unauthorized, 0), ==, "Bearer test-token");
  wait_watch (fixture, 1, "watch 200");
}

static void
test_persistent_401_fails (Fixture *fixture, gconstpointer data)
{
  FakeApi *api = fixture->api;
  AlloyPeerSnapshot *snapshot;

  api->list_body = two_slices ("200");
  g_free (api->token);
  api->token = g_strdup ("other-token");
  start (fixture);
  /* One retry with the token read again, then a failure and a backoff. */
  snapshot = wait_snapshot (fixture, 1);
  g_assert_cmpint (alloy_peer_snapshot_get_outcome (snapshot), ==, ALLOY_SNAPSHOT_FAILED);
  g_assert_error ((GError *) alloy_peer_snapshot_get_error (snapshot), ALLOY_DISCOVERY_ERROR,
                  ALLOY_DISCOVERY_ERROR_AUTH);
  g_assert_true (g_str_has_prefix (alloy_peer_snapshot_get_error (snapshot)->message,
                                   GROUP ": list: 401 Unauthorized"));
  g_assert_cmpuint (api->unauthorized->len, >=, 2);
  g_assert_cmpuint (alloy_peer_snapshot_get_next_refresh_hint_ms (snapshot), <=, 40);

  /* The test rewrites the token file: the next attempt reads it. */
  g_assert_true (g_file_set_contents (fixture->token_file, "other-token\n", -1, NULL));
  ALLOY_TEST_WAIT_UNTIL (api->requests->len >= 1, WAIT_MS);
  snapshot = g_ptr_array_index (fixture->snapshots, fixture->snapshots->len - 1);
  ALLOY_TEST_WAIT_UNTIL (alloy_peer_snapshot_get_outcome (
                           g_ptr_array_index (fixture->snapshots, fixture->snapshots->len - 1))
                         == ALLOY_SNAPSHOT_AUTHORITATIVE, WAIT_MS);
  assert_peers (fixture, fixture->snapshots->len, THREE);
}

static void
test_forbidden_keeps_set (Fixture *fixture, gconstpointer data)
{
  FakeApi *api = fixture->api;
  AlloyPeerSnapshot *snapshot;

  api->list_body = two_slices ("200");
  api->next_watch_status = 403;
  start (fixture);
  assert_peers (fixture, 1, THREE);
  /* The watch is refused: a failure with an RBAC hint (the core keeps the
   * set), then after the backoff a rewatch from the same RV. */
  snapshot = wait_snapshot (fixture, 2);
  g_assert_error ((GError *) alloy_peer_snapshot_get_error (snapshot), ALLOY_DISCOVERY_ERROR,
                  ALLOY_DISCOVERY_ERROR_FORBIDDEN);
  g_assert_nonnull (strstr (alloy_peer_snapshot_get_error (snapshot)->message,
                            "'list' and 'watch' on endpointslices.discovery.k8s.io in "
                            "namespace alloy"));
  wait_watch (fixture, 2, "watch 200");
  g_assert_cmpuint (fixture->snapshots->len, ==, 2);
}

static void
test_conditions (Fixture *fixture, gconstpointer data)
{
  FakeApi *api = fixture->api;
  /* As with publishNotReadyAddresses: ready everywhere, serving is what counts. */
  g_autofree char *ok = endpoint ("10.1.0.1", "ok", READY);
  g_autofree char *not_serving = endpoint ("10.1.0.2", "not-serving", "\"ready\":true,\"serving\":false");
  g_autofree char *terminating = endpoint ("10.1.0.3", "terminating",
                                           "\"ready\":false,\"serving\":true,\"terminating\":true");
  g_autofree char *not_ready = endpoint ("10.1.0.4", "not-ready", "\"ready\":false");
  g_autofree char *nil = endpoint ("10.1.0.5", "nil", "\"ready\":null");
  g_autofree char *dup = endpoint ("10.1.0.1", "ok", READY);
  g_autofree char *a_eps = g_strdup_printf ("[%s,%s,%s,%s,%s]", ok, not_serving, terminating,
                                            not_ready, nil);
  g_autofree char *b_eps = g_strdup_printf ("[%s,{\"addresses\":[\"fd00::6\"],"
                                            "\"hostname\":\"by-hostname\",\"zone\":\"z1\"}]",
                                            dup);
  g_autofree char *a = slice ("s-a", "1", a_eps);
  g_autofree char *b = slice ("s-b", "2", b_eps);
  g_autofree char *nulls = slice ("s-c", "3", "null");
  g_autofree char *items = g_strdup_printf (
    "%s,%s,%s,{\"metadata\":{\"name\":\"s-d\"},\"addressType\":\"IPv4\",\"endpoints\":[%s],"
    "\"ports\":null},{\"metadata\":{\"name\":\"s-e\"},\"addressType\":\"FQDN\",\"endpoints\":"
    "[{\"addresses\":[\"x.example\"]}],\"ports\":[{\"name\":\"nexus\",\"port\":1}]},"
    "{\"metadata\":{\"name\":\"s-f\"},\"addressType\":\"IPv4\",\"endpoints\":[%s],"
    "\"ports\":[{\"port\":7}]}", a, b, nulls, ok, ok);
  AlloyPeerSnapshot *snapshot;
  GPtrArray *peers;

  api->list_body = list ("10", items);
  alloy_test_expect_log ("alloy-discovery_kubernetes", G_LOG_LEVEL_MESSAGE,
                         "*skipping FQDN EndpointSlice s-e*");
  start (fixture);
  assert_peers (fixture, 1, "by-hostname@[fd00::6]:1270 nil@10.1.0.5:1270 ok@10.1.0.1:1270");
  snapshot = g_ptr_array_index (fixture->snapshots, 0);
  peers = alloy_peer_snapshot_get_peers (snapshot);
  g_assert_cmpstr (((AlloyPeer *) g_ptr_array_index (peers, 0))->zone, ==, "z1");
  g_assert_true (((AlloyPeer *) g_ptr_array_index (peers, 1))->serving);
  alloy_test_assert_expected_logs ();
}

static void
test_diagnostic_includes (Fixture *fixture, gconstpointer data)
{
  FakeApi *api = fixture->api;
  g_autofree char *terminating = endpoint ("10.1.0.3", "terminating",
                                           "\"ready\":false,\"serving\":true,\"terminating\":true");
  g_autofree char *not_serving = endpoint ("10.1.0.2", "not-serving", "\"ready\":true,\"serving\":false");
  g_autofree char *eps = g_strdup_printf ("[%s,%s]", terminating, not_serving);
  g_autofree char *a = slice ("s-a", "1", eps);
  GPtrArray *peers;
  AlloyPeer *peer;

  api->list_body = list ("10", a);
  start_with (fixture, "include-terminating=true\n");
  assert_peers (fixture, 1, "terminating@10.1.0.3:1270");
  peers = alloy_peer_snapshot_get_peers (g_ptr_array_index (fixture->snapshots, 0));
  peer = g_ptr_array_index (peers, 0);
  g_assert_true (peer->terminating);
  g_assert_false (peer->ready);
  g_assert_true (peer->serving);
}

static void
test_server_down (Fixture *fixture, gconstpointer data)
{
  AlloyPeerSnapshot *snapshot;

  /* Nothing listens any more: failures, never a peer set. */
  g_socket_service_stop (fixture->api->service);
  g_socket_listener_close (G_SOCKET_LISTENER (fixture->api->service));
  start (fixture);
  snapshot = wait_snapshot (fixture, 1);
  g_assert_cmpint (alloy_peer_snapshot_get_outcome (snapshot), ==, ALLOY_SNAPSHOT_FAILED);
  g_assert_error ((GError *) alloy_peer_snapshot_get_error (snapshot), ALLOY_DISCOVERY_ERROR,
                  ALLOY_DISCOVERY_ERROR_NETWORK);
  ALLOY_TEST_WAIT_UNTIL (fixture->snapshots->len >= 3, WAIT_MS);
  for (guint i = 0; i < fixture->snapshots->len; i++)
    g_assert_cmpint (alloy_peer_snapshot_get_outcome (g_ptr_array_index (fixture->snapshots, i)),
                     ==, ALLOY_SNAPSHOT_FAILED);
}

static void
test_stop_silences (Fixture *fixture, gconstpointer data)
{
  FakeApi *api = fixture->api;
  g_autofree char *b = slice ("alloy-peers-b", "203", "[]");
  g_autofree char *deleted = event ("DELETED", b);

  api->list_body = two_slices ("200");
  start (fixture);
  assert_peers (fixture, 1, THREE);
  wait_watch (fixture, 1, "watch 200");
  alloy_plugin_instance_stop (fixture->discovery);
  alloy_plugin_instance_stop (fixture->discovery);
  fake_api_watch_event (api, deleted);
  alloy_discovery_refresh_now (ALLOY_DISCOVERY (fixture->discovery));
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (fixture->snapshots->len, ==, 1);
}

static void
test_missing_namespace_file (Fixture *fixture, gconstpointer data)
{
  g_autofree char *ca = g_build_filename (cert_dir, "crt.pem", NULL);
  g_autofree char *text = g_strdup_printf ("api-server=https://127.0.0.1:%u\nca-file=%s\n"
                                           "token-file=%s\nnamespace-file=%s/none\n"
                                           "service=alloy-peers\n", fixture->api->port, ca,
                                           fixture->token_file, fixture->tmp.dir);
  g_autoptr(GError) error = NULL;

  fixture->discovery = alloy_test_new_instance ("discovery_kubernetes", GROUP, text);
  g_signal_connect (fixture->discovery, "snapshot", G_CALLBACK (on_snapshot), fixture);
  g_assert_false (alloy_test_start_instance (fixture->discovery, &error));
  g_assert_error (error, ALLOY_DISCOVERY_ERROR, ALLOY_DISCOVERY_ERROR_CONFIG);
  g_assert_true (g_str_has_prefix (error->message, GROUP ": namespace not set, and "));
  g_assert_cmpuint (fixture->snapshots->len, ==, 0);
}

typedef struct {
  const char *text;
  const char *message;
} BadConfig;

static const BadConfig bad_configs[] = {
  { "service=s\n", GROUP ":api-server: not set, and KUBERNETES_SERVICE_HOST" },
  { "service=s\napi-server=ftp://x\n", GROUP ":api-server: 'ftp://x' is not an API server URL" },
  { "service=s\napi-server=https://h/path\n", GROUP ":api-server: 'https://h/path' is not" },
  { "service=s\napi-server=https://h\nca-file=rel.pem\n",
    GROUP ":ca-file: 'rel.pem' is not an absolute path" },
  { "service=s\napi-server=https://h\nbackoff-initial=2s\nbackoff-max=1s\n",
    GROUP ":backoff-max: is shorter than backoff-initial" },
};

static void
test_bad_config (Fixture *fixture, gconstpointer data)
{
  g_unsetenv ("KUBERNETES_SERVICE_HOST");
  for (gsize i = 0; i < G_N_ELEMENTS (bad_configs); i++)
    alloy_test_assert_bad_config ("discovery_kubernetes", GROUP, bad_configs[i].text,
                                  bad_configs[i].message);
}

static void
test_in_cluster_defaults (Fixture *fixture, gconstpointer data)
{
  g_autofree char *describe = NULL;

  /* KUBERNETES_SERVICE_HOST/PORT give the URL, an IPv6 host in brackets. */
  fixture->discovery = alloy_test_new_instance ("discovery_kubernetes", GROUP,
                                                "service=alloy-peers\n");
  describe = alloy_plugin_instance_describe (fixture->discovery);
  g_assert_nonnull (strstr (describe, "at https://[fd00::1]:6443,"));
}

/* --- main ------------------------------------------------------------- */

static gboolean
make_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *crt = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GSubprocess) openssl = NULL;

  cert_dir = alloy_test_make_tmp_dir ();
  crt = g_build_filename (cert_dir, "crt.pem", NULL);
  key = g_build_filename (cert_dir, "key.pem", NULL);
  openssl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                              "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                              "/CN=test-kube-apiserver", "-addext",
                              "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key,
                              "-out", crt, NULL);
  return openssl != NULL && g_subprocess_wait_check (openssl, NULL, &error);
}

int
main (int argc, char **argv)
{
  int status;

  /* For the in-cluster case; set before any thread exists. */
  g_setenv ("KUBERNETES_SERVICE_HOST", "fd00::1", TRUE);
  g_setenv ("KUBERNETES_SERVICE_PORT", "6443", TRUE);
  g_test_init (&argc, &argv, NULL);
  alloy_test_log_init ();

  if (!make_certificate ())
    {
      g_test_skip ("openssl could not make a test certificate");
      alloy_test_remove_tree (cert_dir);
      g_free (cert_dir);
      return g_test_run ();
    }

#define ADD(path, func) \
  g_test_add ("/discovery-kubernetes/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("in-cluster-defaults", test_in_cluster_defaults);
  ADD ("list-then-watch", test_list_then_watch);
  ADD ("watch-gone-relists", test_watch_gone_relists);
  ADD ("error-event-relists", test_error_event_relists);
  ADD ("token-reread-on-401", test_token_reread_on_401);
  ADD ("persistent-401-fails", test_persistent_401_fails);
  ADD ("forbidden-keeps-set", test_forbidden_keeps_set);
  ADD ("conditions", test_conditions);
  ADD ("diagnostic-includes", test_diagnostic_includes);
  ADD ("server-down", test_server_down);
  ADD ("stop-silences", test_stop_silences);
  ADD ("missing-namespace-file", test_missing_namespace_file);
  ADD ("bad-config", test_bad_config);
#undef ADD

  status = g_test_run ();
  alloy_test_remove_tree (cert_dir);
  g_free (cert_dir);
  return status;
}
