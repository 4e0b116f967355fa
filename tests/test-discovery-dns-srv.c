/* test-discovery-dns-srv.c: the discovery_dns_srv plugin against dnsmasq.
 *
 * Each test starts a dnsmasq of its own on 127.0.0.1 and a free port, with
 * the records of a file the test writes (docs: the discovery reference,
 * §7.1). dnsmasq rereads --srv-host lines only when restarted, so a change
 * of records restarts it on the same port. Skipped without dnsmasq.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

#define SRV_NAME "_nexus._tcp.cluster.test."

/* Two peers, the first one's address from a host-record (the additional
 * section), the second's from address= (its own A query). */
#define RECORDS_TWO \
  "srv-host=_nexus._tcp.cluster.test,node-0.cluster.test,7400,10,60\n" \
  "srv-host=_nexus._tcp.cluster.test,node-1.cluster.test,7401,20,5\n" \
  "host-record=node-0.cluster.test,127.0.0.10\n" \
  "address=/node-1.cluster.test/127.0.0.11\n" \
  "srv-host=_gone._tcp.cluster.test\n"
static const char records_two[] = RECORDS_TWO;

/* node-1 left, node-2 joined. */
static const char records_changed[] =
  "srv-host=_nexus._tcp.cluster.test,node-0.cluster.test,7400,10,60\n"
  "srv-host=_nexus._tcp.cluster.test,node-2.cluster.test,7402,10,40\n"
  "host-record=node-0.cluster.test,127.0.0.10\n"
  "host-record=node-2.cluster.test,127.0.0.12,::1\n";

/* The zone is there, the name is not: NXDOMAIN. */
static const char records_none[] = "host-record=node-0.cluster.test,127.0.0.10\n";

typedef struct {
  char *dir;
  char *conf;
  char *pid_file;
  guint16 port;
  GPid pid;
  gboolean exited;
  AlloyPluginInstance *discovery;
  GPtrArray *snapshots;
  GArray *times; /* monotonic µs of each snapshot */
} Fixture;

static void
on_snapshot (AlloyDiscovery *discovery, AlloyPeerSnapshot *snapshot, gpointer user_data)
{
  Fixture *fixture = user_data;
  gint64 now = g_get_monotonic_time ();

  g_ptr_array_add (fixture->snapshots, alloy_peer_snapshot_ref (snapshot));
  g_array_append_val (fixture->times, now);
}

/* A port free for UDP and TCP on 127.0.0.1 a moment ago. */
static guint16
pick_port (void)
{
  for (int attempt = 0; attempt < 50; attempt++)
    {
      g_autoptr(GSocket) udp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                             G_SOCKET_PROTOCOL_UDP, NULL);
      g_autoptr(GSocket) tcp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, NULL);
      g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
      g_autoptr(GSocketAddress) bound = NULL;
      g_autoptr(GSocketAddress) same = NULL;
      guint16 port;

      g_assert_nonnull (udp);
      g_assert_nonnull (tcp);
      if (!g_socket_bind (udp, any, FALSE, NULL))
        continue;
      bound = g_socket_get_local_address (udp, NULL);
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
      same = g_inet_socket_address_new (loopback, port);
      if (g_socket_bind (tcp, same, TRUE, NULL))
        return port;
    }
  g_error ("no free port on 127.0.0.1");
}

static void
on_dnsmasq_exit (GPid pid, gint status, gpointer user_data)
{
  Fixture *fixture = user_data;

  g_spawn_close_pid (pid);
  fixture->exited = TRUE;
}

static void
write_records (Fixture *fixture, const char *records)
{
  g_autofree char *text = g_strdup_printf ("local=/cluster.test/\n%s", records);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (fixture->conf, text, -1, &error);
  g_assert_no_error (error);
}

/* dnsmasq dies with the test, even when the test aborts. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Starts dnsmasq on fixture->port; FALSE when it exited (the port was
 * taken meanwhile). Ready once it wrote its pid file, which it does after
 * binding its sockets. */
static gboolean
try_start_dnsmasq (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  g_unlink (fixture->pid_file);
  g_ptr_array_add (argv, g_strdup ("dnsmasq"));
  g_ptr_array_add (argv, g_strdup ("--keep-in-foreground"));
  g_ptr_array_add (argv, g_strdup ("--no-resolv"));
  g_ptr_array_add (argv, g_strdup ("--no-hosts"));
  g_ptr_array_add (argv, g_strdup ("--bind-interfaces"));
  g_ptr_array_add (argv, g_strdup ("--listen-address=127.0.0.1"));
  g_ptr_array_add (argv, g_strdup_printf ("--conf-file=%s", fixture->conf));
  g_ptr_array_add (argv, g_strdup_printf ("--port=%u", fixture->port));
  g_ptr_array_add (argv, g_strdup_printf ("--pid-file=%s", fixture->pid_file));
  g_ptr_array_add (argv, g_strdup_printf ("--log-facility=%s/dnsmasq.log", fixture->dir));
  if (geteuid () == 0)
    {
      g_ptr_array_add (argv, g_strdup ("--user=root"));
      g_ptr_array_add (argv, g_strdup ("--group=root"));
    }
  g_ptr_array_add (argv, NULL);

  fixture->exited = FALSE;
  g_spawn_async (fixture->dir, (char **) argv->pdata, NULL,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, die_with_parent, NULL,
                 &fixture->pid, &error);
  g_assert_no_error (error);
  g_child_watch_add (fixture->pid, on_dnsmasq_exit, fixture);
  ALLOY_TEST_WAIT_UNTIL (fixture->exited || g_file_test (fixture->pid_file, G_FILE_TEST_EXISTS),
                         30000);
  return !fixture->exited;
}

static void
stop_dnsmasq (Fixture *fixture)
{
  if (fixture->pid == 0)
    return;
  if (!fixture->exited)
    {
      kill (fixture->pid, SIGCONT);
      kill (fixture->pid, SIGTERM);
      ALLOY_TEST_WAIT_UNTIL (fixture->exited, 30000);
    }
  fixture->pid = 0;
}

/* Restarts dnsmasq on the same port with new records. */
static void
restart_dnsmasq (Fixture *fixture, const char *records)
{
  stop_dnsmasq (fixture);
  write_records (fixture, records);
  g_assert_true (try_start_dnsmasq (fixture));
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dnsmasq = g_find_program_in_path ("dnsmasq");
  gboolean in_path = dnsmasq != NULL;

  fixture->snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_snapshot_unref);
  fixture->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (dnsmasq == NULL)
    dnsmasq = g_strdup ("/usr/sbin/dnsmasq"); /* outside PATH for users */
  if (!g_file_test (dnsmasq, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("dnsmasq is not installed (apt-get install dnsmasq)");
      return;
    }
  if (!in_path)
    {
      g_autofree char *path = g_strdup_printf ("%s:/usr/sbin", g_getenv ("PATH"));
      g_setenv ("PATH", path, TRUE);
    }
  fixture->dir = alloy_test_make_tmp_dir ();
  fixture->conf = g_build_filename (fixture->dir, "dnsmasq.conf", NULL);
  fixture->pid_file = g_build_filename (fixture->dir, "dnsmasq.pid", NULL);
  write_records (fixture, (const char *) data);
  for (int attempt = 0; attempt < 10; attempt++)
    {
      fixture->port = pick_port ();
      if (try_start_dnsmasq (fixture))
        return;
    }
  g_error ("dnsmasq did not start");
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  if (fixture->discovery != NULL)
    {
      alloy_plugin_instance_stop (fixture->discovery);
      g_object_unref (fixture->discovery);
    }
  stop_dnsmasq (fixture);
  if (fixture->dir != NULL)
    alloy_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->conf);
  g_free (fixture->pid_file);
  g_ptr_array_unref (fixture->snapshots);
  g_array_unref (fixture->times);
}

/* Starts the plugin on @name, with the test's nameserver, 100 ms refreshes
 * and @extra settings. */
static void
start (Fixture *fixture, const char *name, const char *extra)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf ("name=%s\nnameserver=127.0.0.1:%u\n"
                                           "min-refresh=100ms\nrefresh-interval=100ms\n"
                                           "timeout=300ms\nattempts=1\n%s",
                                           name, fixture->port, extra ? extra : "");

  fixture->discovery = alloy_test_new_instance ("discovery_dns_srv", "discovery:peers", text);
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

static AlloyPeerSnapshot *
wait_snapshot (Fixture *fixture, guint n)
{
  ALLOY_TEST_WAIT_UNTIL (fixture->snapshots->len >= n, 20000);
  return snapshot_at (fixture, n - 1);
}

/* Waits for a snapshot after the first @from that satisfies @want;
 * returns its index. */
static guint
wait_for (Fixture *fixture, guint from, gboolean (*want) (AlloyPeerSnapshot *, gconstpointer),
          gconstpointer data)
{
  for (guint i = from;; i++)
    if (want (wait_snapshot (fixture, i + 1), data))
      return i;
}

static gboolean
has_peers (AlloyPeerSnapshot *snapshot, gconstpointer data)
{
  g_autofree char *text = alloy_test_peers_text (snapshot);

  return alloy_peer_snapshot_get_outcome (snapshot) == ALLOY_SNAPSHOT_AUTHORITATIVE &&
         g_str_equal (text, data);
}

static gboolean
is_failed (AlloyPeerSnapshot *snapshot, gconstpointer data)
{
  return alloy_peer_snapshot_get_outcome (snapshot) == ALLOY_SNAPSHOT_FAILED;
}

static AlloyPeer *
peer_at (AlloyPeerSnapshot *snapshot, guint i)
{
  GPtrArray *peers = alloy_peer_snapshot_get_peers (snapshot);

  g_assert_cmpuint (peers->len, >, i);
  return g_ptr_array_index (peers, i);
}

static void
test_found (Fixture *fixture, gconstpointer data)
{
  AlloyPeerSnapshot *snapshot;
  g_autofree char *text = NULL;
  guint hint;

  if (fixture->dir == NULL)
    return;
  start (fixture, SRV_NAME, NULL);
  snapshot = wait_snapshot (fixture, 1);
  g_assert_no_error ((GError *) alloy_peer_snapshot_get_error (snapshot));
  g_assert_cmpint (alloy_peer_snapshot_get_outcome (snapshot), ==, ALLOY_SNAPSHOT_AUTHORITATIVE);
  g_assert_cmpstr (alloy_peer_snapshot_get_source (snapshot), ==, "discovery:peers");
  text = alloy_test_peers_text (snapshot);
  g_assert_cmpstr (text, ==,
                   "node-0.cluster.test@127.0.0.10:7400 node-1.cluster.test@127.0.0.11:7401");
  /* dnsmasq's TTL is 0: refresh-interval, with its jitter. */
  hint = alloy_peer_snapshot_get_next_refresh_hint_ms (snapshot);
  g_assert_cmpuint (hint, >=, 90);
  g_assert_cmpuint (hint, <=, 110);

  /* Priority and weight are metadata, as published. */
  g_assert_cmpuint (peer_at (snapshot, 0)->priority, ==, 10);
  g_assert_cmpuint (peer_at (snapshot, 0)->weight, ==, 60);
  g_assert_cmpuint (peer_at (snapshot, 1)->priority, ==, 20);
  g_assert_cmpuint (peer_at (snapshot, 1)->weight, ==, 5);
  g_assert_true (peer_at (snapshot, 0)->ready && peer_at (snapshot, 0)->serving);

  /* The refresh comes by itself, and so does the same answer. */
  snapshot = wait_snapshot (fixture, 2);
  g_assert_cmpuint (alloy_peer_snapshot_get_generation (snapshot), ==, 2);
  g_assert_true (has_peers (snapshot, text));
}

static void
test_ttl (Fixture *fixture, gconstpointer data)
{
  guint hint;

  if (fixture->dir == NULL)
    return;
  /* TTL 2 s, within [100 ms, 1 min]: the next lookup in 2 s ± 10 %. */
  start (fixture, SRV_NAME, "refresh-interval=1m\n");
  hint = alloy_peer_snapshot_get_next_refresh_hint_ms (wait_snapshot (fixture, 1));
  g_assert_cmpuint (hint, >=, 1800);
  g_assert_cmpuint (hint, <=, 2200);
}

static void
test_changed (Fixture *fixture, gconstpointer data)
{
  AlloyPeerSnapshot *snapshot;
  guint i;

  if (fixture->dir == NULL)
    return;
  start (fixture, SRV_NAME, NULL);
  g_assert_true (has_peers (wait_snapshot (fixture, 1), "node-0.cluster.test@127.0.0.10:7400 "
                                                        "node-1.cluster.test@127.0.0.11:7401"));
  restart_dnsmasq (fixture, records_changed);
  /* node-2 has A and AAAA records: IPv4 is preferred. */
  i = wait_for (fixture, 1, has_peers,
                "node-0.cluster.test@127.0.0.10:7400 node-2.cluster.test@127.0.0.12:7402");
  snapshot = snapshot_at (fixture, i);
  g_assert_cmpuint (peer_at (snapshot, 1)->weight, ==, 40);
}

static void
test_server_stopped (Fixture *fixture, gconstpointer data)
{
  AlloyPeerSnapshot *snapshot;
  const GError *error;
  guint i;

  if (fixture->dir == NULL)
    return;
  start (fixture, SRV_NAME, NULL);
  g_assert_cmpint (alloy_peer_snapshot_get_outcome (wait_snapshot (fixture, 1)), ==,
                   ALLOY_SNAPSHOT_AUTHORITATIVE);
  stop_dnsmasq (fixture);
  /* A failure, never a smaller or empty set: the core keeps the last one. */
  i = wait_for (fixture, 1, is_failed, NULL);
  for (guint j = 1; j < i; j++)
    g_assert_cmpuint (alloy_peer_snapshot_get_peers (snapshot_at (fixture, j))->len, ==, 2);
  snapshot = snapshot_at (fixture, i);
  error = alloy_peer_snapshot_get_error (snapshot);
  g_assert_true (error->domain == ALLOY_DISCOVERY_ERROR);
  g_assert_true (error->code == ALLOY_DISCOVERY_ERROR_REFUSED ||
                 error->code == ALLOY_DISCOVERY_ERROR_TIMEOUT);
  g_assert_true (g_str_has_prefix (error->message, "discovery:peers: SRV " SRV_NAME ": "));
  g_assert_cmpuint (alloy_peer_snapshot_get_peers (snapshot)->len, ==, 0);
  /* Failures go on, and retries are scheduled. */
  snapshot = wait_snapshot (fixture, i + 2);
  g_assert_cmpint (alloy_peer_snapshot_get_outcome (snapshot), ==, ALLOY_SNAPSHOT_FAILED);
  g_assert_cmpuint (alloy_peer_snapshot_get_next_refresh_hint_ms (snapshot), >, 0);

  /* Back again: the set comes back. */
  g_assert_true (try_start_dnsmasq (fixture));
  wait_for (fixture, i + 2, has_peers,
            "node-0.cluster.test@127.0.0.10:7400 node-1.cluster.test@127.0.0.11:7401");
}

static void
test_server_hangs (Fixture *fixture, gconstpointer data)
{
  AlloyPeerSnapshot *snapshot;
  guint i;

  if (fixture->dir == NULL)
    return;
  start (fixture, SRV_NAME, NULL);
  g_assert_cmpint (alloy_peer_snapshot_get_outcome (wait_snapshot (fixture, 1)), ==,
                   ALLOY_SNAPSHOT_AUTHORITATIVE);
  kill (fixture->pid, SIGSTOP);
  i = wait_for (fixture, 1, is_failed, NULL);
  snapshot = snapshot_at (fixture, i);
  g_assert_error ((GError *) alloy_peer_snapshot_get_error (snapshot), ALLOY_DISCOVERY_ERROR,
                  ALLOY_DISCOVERY_ERROR_TIMEOUT);
  kill (fixture->pid, SIGCONT);
  wait_for (fixture, i + 1, has_peers,
            "node-0.cluster.test@127.0.0.10:7400 node-1.cluster.test@127.0.0.11:7401");
}

static void
test_hold_down (Fixture *fixture, gconstpointer data)
{
  AlloyPeerSnapshot *snapshot;
  guint first_failed, empty;
  gint64 held_us;

  if (fixture->dir == NULL)
    return;
  start (fixture, SRV_NAME, "hold-down=600ms\n");
  g_assert_cmpuint (alloy_peer_snapshot_get_peers (wait_snapshot (fixture, 1))->len, ==, 2);
  restart_dnsmasq (fixture, records_none);

  /* NXDOMAIN first holds the set (a failure), then empties it. */
  empty = wait_for (fixture, 1, has_peers, "");
  for (first_failed = 1; first_failed < empty; first_failed++)
    {
      snapshot = snapshot_at (fixture, first_failed);
      if (alloy_peer_snapshot_get_outcome (snapshot) != ALLOY_SNAPSHOT_FAILED)
        continue;
      if (strstr (alloy_peer_snapshot_get_error (snapshot)->message, "NXDOMAIN") != NULL)
        break;
    }
  g_assert_cmpuint (first_failed, <, empty);
  g_assert_error ((GError *) alloy_peer_snapshot_get_error (snapshot_at (fixture, first_failed)),
                  ALLOY_DISCOVERY_ERROR, ALLOY_DISCOVERY_ERROR_RESOLVE);
  for (guint i = first_failed; i < empty; i++)
    g_assert_cmpint (alloy_peer_snapshot_get_outcome (snapshot_at (fixture, i)), ==,
                     ALLOY_SNAPSHOT_FAILED);
  held_us = g_array_index (fixture->times, gint64, empty) -
            g_array_index (fixture->times, gint64, first_failed);
  g_assert_cmpint (held_us, >=, 590 * 1000);

  /* Once empty, the next empty answers apply at once. */
  g_assert_true (has_peers (wait_snapshot (fixture, empty + 2), ""));
}

static void
test_not_available (Fixture *fixture, gconstpointer data)
{
  AlloyPeerSnapshot *snapshot;

  if (fixture->dir == NULL)
    return;
  /* The "." target, and no record at all: the first answer is an empty
   * set at once, since nothing was known before (a cold start). */
  start (fixture, "_gone._tcp.cluster.test", "hold-down=1h\n");
  snapshot = wait_snapshot (fixture, 1);
  g_assert_no_error ((GError *) alloy_peer_snapshot_get_error (snapshot));
  g_assert_cmpuint (alloy_peer_snapshot_get_peers (snapshot)->len, ==, 0);
  alloy_plugin_instance_stop (fixture->discovery);
  g_clear_object (&fixture->discovery);

  g_ptr_array_set_size (fixture->snapshots, 0);
  start (fixture, "_nope._tcp.cluster.test", "hold-down=1h\n");
  snapshot = wait_snapshot (fixture, 1);
  g_assert_cmpint (alloy_peer_snapshot_get_outcome (snapshot), ==, ALLOY_SNAPSHOT_AUTHORITATIVE);
  g_assert_cmpuint (alloy_peer_snapshot_get_peers (snapshot)->len, ==, 0);
}

static void
test_stop_silences (Fixture *fixture, gconstpointer data)
{
  gint64 deadline;
  GSource *tick;

  if (fixture->dir == NULL)
    return;
  /* Stopped with the first query in flight: nothing comes, ever. */
  start (fixture, SRV_NAME, NULL);
  alloy_plugin_instance_stop (fixture->discovery);
  alloy_plugin_instance_stop (fixture->discovery);
  alloy_discovery_refresh_now (ALLOY_DISCOVERY (fixture->discovery));
  deadline = g_get_monotonic_time () + 300 * 1000;
  tick = alloy_test_tick_source_new ();
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  g_source_destroy (tick);
  g_source_unref (tick);
  g_assert_cmpuint (fixture->snapshots->len, ==, 0);
}

typedef struct {
  const char *text;
  const char *message;
} BadConfig;

static const BadConfig bad_configs[] = {
  { "name=a b\n", "discovery:peers:name: 'a b' is not a DNS name" },
  { "name=x.test.\nnameserver=localhost:53\n",
    "discovery:peers:nameserver: 'localhost:53' is not an IP address with a port" },
  { "name=x.test.\nnameserver=127.0.0.1:0\n", "discovery:peers:nameserver: '127.0.0.1:0'" },
  { "name=x.test.\nmin-refresh=1m\n", "discovery:peers:min-refresh: 60000 ms is longer than" },
};

static void
test_bad_config (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_configs); i++)
    alloy_test_assert_bad_config ("discovery_dns_srv", "discovery:peers", bad_configs[i].text,
                                  bad_configs[i].message);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  alloy_test_log_init ();

#define ADD(path, records, func) \
  g_test_add ("/discovery-dns-srv/" path, Fixture, records, fixture_set_up, func, \
              fixture_tear_down)
  ADD ("found", records_two, test_found);
  ADD ("ttl", "local-ttl=2\n" RECORDS_TWO, test_ttl);
  ADD ("changed", records_two, test_changed);
  ADD ("server-stopped", records_two, test_server_stopped);
  ADD ("server-hangs", records_two, test_server_hangs);
  ADD ("hold-down", records_two, test_hold_down);
  ADD ("not-available", records_two, test_not_available);
  ADD ("stop-silences", records_two, test_stop_silences);
#undef ADD
  g_test_add_func ("/discovery-dns-srv/bad-config", test_bad_config);

  return g_test_run ();
}
