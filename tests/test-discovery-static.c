/* test-discovery-static.c: the discovery_static plugin.
 *
 * Host names are resolved by a resolver the test installs as GLib's
 * default, so no lookup leaves the process.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"

/* --- a resolver that knows a few names -------------------------------- */

typedef struct {
  GResolver parent_instance;
  guint lookups;
} FakeResolver;

typedef struct {
  GResolverClass parent_class;
} FakeResolverClass;

static GType fake_resolver_get_type (void);
G_DEFINE_TYPE (FakeResolver, fake_resolver, G_TYPE_RESOLVER)

static GList *
fake_lookup (FakeResolver *self, const char *name, GError **error)
{
  self->lookups++;
  if (g_str_equal (name, "peer-a.test"))
    return g_list_append (NULL, g_inet_address_new_from_string ("127.0.0.11"));
  if (g_str_equal (name, "peer-b.test"))
    return g_list_append (NULL, g_inet_address_new_from_string ("::1"));
  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no such host %s", name);
  return NULL;
}

static GList *
fake_lookup_by_name (GResolver *resolver, const char *name, GCancellable *cancellable,
                     GError **error)
{
  return fake_lookup ((FakeResolver *) resolver, name, error);
}

static void
fake_lookup_by_name_async (GResolver *resolver, const char *name, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *addresses = fake_lookup ((FakeResolver *) resolver, name, &error);

  if (addresses != NULL)
    g_task_return_pointer (task, addresses, (GDestroyNotify) g_resolver_free_addresses);
  else
    g_task_return_error (task, error);
}

static GList *
fake_lookup_by_name_finish (GResolver *resolver, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
fake_resolver_class_init (FakeResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  resolver_class->lookup_by_name = fake_lookup_by_name;
  resolver_class->lookup_by_name_async = fake_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = fake_lookup_by_name_finish;
}

static void
fake_resolver_init (FakeResolver *self)
{
}

/* --- fixture ---------------------------------------------------------- */

typedef struct {
  FakeResolver *resolver;
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
  fixture->resolver = g_object_new (fake_resolver_get_type (), NULL);
  g_resolver_set_default (G_RESOLVER (fixture->resolver));
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
  g_ptr_array_unref (fixture->snapshots);
  g_object_unref (fixture->resolver);
}

static void
start (Fixture *fixture, const char *group_text)
{
  g_autoptr(GError) error = NULL;

  fixture->discovery = alloy_test_new_instance ("discovery_static", "discovery:peers", group_text);
  g_signal_connect (fixture->discovery, "snapshot", G_CALLBACK (on_snapshot), fixture);
  g_assert_true (alloy_test_start_instance (fixture->discovery, &error));
  g_assert_no_error (error);
}

static AlloyPeerSnapshot *
snapshot_at (Fixture *fixture, guint i)
{
  g_assert_cmpuint (fixture->snapshots->len, >, i);
  return g_ptr_array_index (fixture->snapshots, i);
}

static void
test_literals (Fixture *fixture, gconstpointer data)
{
  g_autofree char *text = NULL;
  AlloyPeerSnapshot *snapshot;

  start (fixture, "peers=alloy-1@127.0.0.1:1271; alloy-0@127.0.0.1:1270;alloy-2@[::1]:1272;\n");
  /* IP literals: the answer is there as soon as start returns. */
  snapshot = snapshot_at (fixture, 0);
  text = alloy_test_peers_text (snapshot);
  g_assert_cmpstr (text, ==, "alloy-0@127.0.0.1:1270 alloy-1@127.0.0.1:1271 alloy-2@[::1]:1272");
  g_assert_cmpint (alloy_peer_snapshot_get_outcome (snapshot), ==, ALLOY_SNAPSHOT_AUTHORITATIVE);
  g_assert_cmpuint (alloy_peer_snapshot_get_generation (snapshot), ==, 1);
  g_assert_cmpstr (alloy_peer_snapshot_get_source (snapshot), ==, "discovery:peers");
  g_assert_cmpuint (alloy_peer_snapshot_get_next_refresh_hint_ms (snapshot), ==, 0);
  g_assert_cmpuint (fixture->resolver->lookups, ==, 0);

  alloy_discovery_refresh_now (ALLOY_DISCOVERY (fixture->discovery));
  g_assert_cmpuint (alloy_peer_snapshot_get_generation (snapshot_at (fixture, 1)), ==, 2);
}

static void
test_empty (Fixture *fixture, gconstpointer data)
{
  start (fixture, NULL);
  g_assert_cmpuint (fixture->snapshots->len, ==, 1);
  g_assert_cmpint (alloy_peer_snapshot_get_outcome (snapshot_at (fixture, 0)), ==,
                   ALLOY_SNAPSHOT_AUTHORITATIVE);
  g_assert_cmpuint (alloy_peer_snapshot_get_peers (snapshot_at (fixture, 0))->len, ==, 0);
}

static void
test_names (Fixture *fixture, gconstpointer data)
{
  g_autofree char *text = NULL;

  start (fixture, "peers=b@peer-b.test:1272;a@peer-a.test:1271;c@127.0.0.1:1273\n"
                  "resolve-interval=1h\n");
  ALLOY_TEST_WAIT_UNTIL (fixture->snapshots->len == 1, 5000);
  text = alloy_test_peers_text (snapshot_at (fixture, 0));
  g_assert_cmpstr (text, ==, "a@127.0.0.11:1271 b@[::1]:1272 c@127.0.0.1:1273");
  g_assert_cmpuint (fixture->resolver->lookups, ==, 2);
  g_assert_cmpuint (alloy_peer_snapshot_get_next_refresh_hint_ms (snapshot_at (fixture, 0)), ==,
                    3600000);
}

static AlloyPeerSnapshot *
wait_snapshot (Fixture *fixture, guint n)
{
  ALLOY_TEST_WAIT_UNTIL (fixture->snapshots->len == n, 5000);
  return snapshot_at (fixture, n - 1);
}

static void
test_unresolvable_entry_fails (Fixture *fixture, gconstpointer data)
{
  AlloyPeerSnapshot *snapshot;

  /* One name failing fails the answer: never a set without that peer. */
  start (fixture, "peers=gone@gone.test:1270;a@peer-a.test:1271;b@127.0.0.1:1\n");
  snapshot = wait_snapshot (fixture, 1);
  g_assert_cmpint (alloy_peer_snapshot_get_outcome (snapshot), ==, ALLOY_SNAPSHOT_FAILED);
  g_assert_cmpuint (alloy_peer_snapshot_get_peers (snapshot)->len, ==, 0);
  g_assert_error ((GError *) alloy_peer_snapshot_get_error (snapshot), ALLOY_DISCOVERY_ERROR,
                  ALLOY_DISCOVERY_ERROR_RESOLVE);
  g_assert_cmpstr (alloy_peer_snapshot_get_error (snapshot)->message, ==,
                   "discovery:peers: cannot resolve gone (gone.test: no such host gone.test)");
}

static void
test_nothing_resolves (Fixture *fixture, gconstpointer data)
{
  AlloyPeerSnapshot *snapshot;

  start (fixture, "peers=x@x.test:1;y@y.test:2\n");
  snapshot = wait_snapshot (fixture, 1);
  g_assert_cmpint (alloy_peer_snapshot_get_outcome (snapshot), ==, ALLOY_SNAPSHOT_FAILED);
  g_assert_cmpstr (alloy_peer_snapshot_get_error (snapshot)->message, ==,
                   "discovery:peers: cannot resolve x (x.test: no such host x.test), "
                   "y (y.test: no such host y.test)");

  /* The next round starts afresh. */
  alloy_discovery_refresh_now (ALLOY_DISCOVERY (fixture->discovery));
  snapshot = wait_snapshot (fixture, 2);
  g_assert_cmpuint (alloy_peer_snapshot_get_generation (snapshot), ==, 2);
  g_assert_cmpstr (alloy_peer_snapshot_get_error (snapshot)->message, ==,
                   "discovery:peers: cannot resolve x (x.test: no such host x.test), "
                   "y (y.test: no such host y.test)");
}

/* Peer @i of @snapshot, field by field: alloy_peer_to_string would put a
 * unix host in IPv6 brackets. */
static void
assert_peer (AlloyPeerSnapshot *snapshot, guint i, const char *id, const char *host,
             guint16 port)
{
  GPtrArray *peers = alloy_peer_snapshot_get_peers (snapshot);
  const AlloyPeer *peer;

  g_assert_cmpuint (peers->len, >, i);
  peer = g_ptr_array_index (peers, i);
  g_assert_cmpstr (peer->id, ==, id);
  g_assert_cmpstr (peer->host, ==, host);
  g_assert_cmpuint (peer->port, ==, port);
}

static void
test_unix_sockets (Fixture *fixture, gconstpointer data)
{
  AlloyPeerSnapshot *snapshot;

  /* A unix socket is never resolved: with IP literals alone the answer is
   * there as soon as start returns, and nothing is looked up again. */
  start (fixture, "peers=c@unix:/run/alloy/c.sock;b@127.0.0.1:1272; a@unix:/tmp/x@y/a.sock ;"
                  "d@[::1]:1274\n");
  snapshot = snapshot_at (fixture, 0);
  g_assert_cmpint (alloy_peer_snapshot_get_outcome (snapshot), ==, ALLOY_SNAPSHOT_AUTHORITATIVE);
  g_assert_cmpuint (alloy_peer_snapshot_get_peers (snapshot)->len, ==, 4);
  /* Host "unix:PATH" and port 0, as the core describes its own peer on a
   * unix Nexus listener; sorted as the core sorts, by id. */
  assert_peer (snapshot, 0, "a", "unix:/tmp/x@y/a.sock", 0);
  assert_peer (snapshot, 1, "b", "127.0.0.1", 1272);
  assert_peer (snapshot, 2, "c", "unix:/run/alloy/c.sock", 0);
  assert_peer (snapshot, 3, "d", "::1", 1274);
  g_assert_cmpuint (alloy_peer_snapshot_get_next_refresh_hint_ms (snapshot), ==, 0);
  g_assert_cmpuint (fixture->resolver->lookups, ==, 0);
}

static void
test_unix_sockets_with_names (Fixture *fixture, gconstpointer data)
{
  AlloyPeerSnapshot *snapshot;

  start (fixture, "peers=b@unix:/run/alloy/b.sock;a@peer-a.test:1271\nresolve-interval=1h\n");
  snapshot = wait_snapshot (fixture, 1);
  g_assert_cmpint (alloy_peer_snapshot_get_outcome (snapshot), ==, ALLOY_SNAPSHOT_AUTHORITATIVE);
  g_assert_cmpuint (alloy_peer_snapshot_get_peers (snapshot)->len, ==, 2);
  assert_peer (snapshot, 0, "a", "127.0.0.11", 1271);
  assert_peer (snapshot, 1, "b", "unix:/run/alloy/b.sock", 0);
  /* Only the host name was looked up. */
  g_assert_cmpuint (fixture->resolver->lookups, ==, 1);
  g_assert_cmpuint (alloy_peer_snapshot_get_next_refresh_hint_ms (snapshot), ==, 3600000);
}

static void
test_unix_socket_self (Fixture *fixture, gconstpointer data)
{
  AlloyPeerSnapshot *snapshot;

  /* The entry for this peer's own node-id is reported like any other: the
   * core, not the plugin, tells its own entry apart. */
  start (fixture, "peers=alloy-0@unix:/run/alloy-0/nexus.sock;"
                  "alloy-1@unix:/run/alloy-1/nexus.sock\n"
                  "[alloy]\nnode-id=alloy-0\n");
  snapshot = snapshot_at (fixture, 0);
  g_assert_cmpuint (alloy_peer_snapshot_get_peers (snapshot)->len, ==, 2);
  assert_peer (snapshot, 0, "alloy-0", "unix:/run/alloy-0/nexus.sock", 0);
  assert_peer (snapshot, 1, "alloy-1", "unix:/run/alloy-1/nexus.sock", 0);
}

static void
test_stop_silences (Fixture *fixture, gconstpointer data)
{
  start (fixture, "peers=a@127.0.0.1:1\n");
  g_assert_cmpuint (fixture->snapshots->len, ==, 1);
  alloy_plugin_instance_stop (fixture->discovery);
  alloy_discovery_refresh_now (ALLOY_DISCOVERY (fixture->discovery));
  g_assert_cmpuint (fixture->snapshots->len, ==, 1);
}

typedef struct {
  const char *peers;
  const char *message;
} BadPeers;

static const BadPeers bad_peers[] = {
  { "alloy-1",
    "discovery:peers:peers: 'alloy-1' is not a peer: write ID@HOST:PORT or ID@unix:/PATH" },
  { "@127.0.0.1:1", "discovery:peers:peers: '@127.0.0.1:1' is not a peer" },
  { "@unix:/run/a.sock", "discovery:peers:peers: '@unix:/run/a.sock' is not a peer" },
  { "a@127.0.0.1", "discovery:peers:peers: peer 'a': '127.0.0.1' is not an address" },
  { "a@/run/a.sock",
    "discovery:peers:peers: peer 'a': '/run/a.sock' is not an address (host:port, or "
    "[ipv6]:port); write ID@HOST:PORT or ID@unix:/PATH" },
  { "a@127.0.0.1:0", "discovery:peers:peers: peer 'a': port 0 cannot be reached" },
  { "a@127.0.0.1:1;a@127.0.0.2:1", "discovery:peers:peers: peer id 'a' is listed twice" },
  /* A unix socket path must be absolute: the daemon's working directory is
   * no reliable base. */
  { "a@127.0.0.1:1;b@unix:run/b.sock",
    "discovery:peers:peers: peer 'b': 'unix:run/b.sock' is relative: write ID@unix:/PATH" },
  { "b@unix:./b.sock", "discovery:peers:peers: peer 'b': 'unix:./b.sock' is relative" },
  { "b@unix:", "discovery:peers:peers: peer 'b': 'unix:' names no socket: "
               "write ID@HOST:PORT or ID@unix:/PATH" },
  { "a@unix:/run/a.sock;a@127.0.0.1:1", "discovery:peers:peers: peer id 'a' is listed twice" },
};

static void
test_bad_peers (Fixture *fixture, gconstpointer data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_peers); i++)
    {
      g_autofree char *text = g_strdup_printf ("peers=%s\nresolve-interval=30s",
                                               bad_peers[i].peers);

      alloy_test_assert_bad_config ("discovery_static", "discovery:peers", text,
                                    bad_peers[i].message);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  alloy_test_log_init ();

#define ADD(path, func) \
  g_test_add ("/discovery-static/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("literals", test_literals);
  ADD ("empty", test_empty);
  ADD ("names", test_names);
  ADD ("unresolvable-entry-fails", test_unresolvable_entry_fails);
  ADD ("nothing-resolves", test_nothing_resolves);
  ADD ("unix-sockets", test_unix_sockets);
  ADD ("unix-sockets-with-names", test_unix_sockets_with_names);
  ADD ("unix-socket-self", test_unix_socket_self);
  ADD ("stop-silences", test_stop_silences);
  ADD ("bad-peers", test_bad_peers);
#undef ADD

  return g_test_run ();
}
