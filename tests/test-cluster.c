/* test-cluster.c: peers, snapshots and the membership a peer derives.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-cluster.h"
#include "alloy-test-utils.h"

static GPtrArray *
peers_of (const char *const *specs)
{
  GPtrArray *peers = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_free);

  for (const char *const *spec = specs; *spec; spec += 3)
    g_ptr_array_add (peers, alloy_peer_new (spec[0], spec[1], (guint16) atoi (spec[2])));
  return peers;
}

static char *
members_text (AlloyCluster *cluster)
{
  g_autoptr(GPtrArray) members = alloy_cluster_get_members (cluster);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < members->len; i++)
    {
      g_autofree char *peer = alloy_peer_to_string (g_ptr_array_index (members, i));
      g_string_append_printf (text, "%s%s", i ? " " : "", peer);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_peer (void)
{
  g_autoptr(AlloyPeer) v4 = alloy_peer_new ("a", "10.0.0.5", 1270);
  g_autoptr(AlloyPeer) v6 = alloy_peer_new (NULL, "::1", 1271);
  g_autoptr(AlloyPeer) copy = alloy_peer_copy (v4);
  g_autofree char *v4_text = alloy_peer_to_string (v4);
  g_autofree char *v6_text = alloy_peer_to_string (v6);

  g_assert_cmpstr (v4_text, ==, "a@10.0.0.5:1270");
  g_assert_cmpstr (v6_text, ==, "[::1]:1271");
  g_assert_true (v4->ready && v4->serving && !v4->terminating);
  g_assert_true (alloy_peer_equal (v4, copy));
  copy->weight = 5;
  g_assert_false (alloy_peer_equal (v4, copy));
  g_assert_cmpint (alloy_peer_compare (v4, copy), ==, 0);
}

static void
test_snapshot (void)
{
  const char *const specs[] = { "b", "10.0.0.2", "1270", "a", "10.0.0.1", "1270", NULL };
  g_autoptr(GPtrArray) peers = peers_of (specs);
  g_autoptr(AlloyPeerSnapshot) good = alloy_peer_snapshot_new_authoritative ("discovery:x", 3,
                                                                            peers, 500);
  g_autoptr(GError) failure = g_error_new (ALLOY_DISCOVERY_ERROR, ALLOY_DISCOVERY_ERROR_TIMEOUT,
                                           "no answer");
  g_autoptr(AlloyPeerSnapshot) failed = alloy_peer_snapshot_new_failed ("discovery:x", 4, failure,
                                                                        1000);
  GPtrArray *sorted = alloy_peer_snapshot_get_peers (good);

  /* Sorted, and a private copy: changing the caller's array changes nothing. */
  g_ptr_array_set_size (peers, 0);
  g_assert_cmpuint (sorted->len, ==, 2);
  g_assert_cmpstr (((AlloyPeer *) g_ptr_array_index (sorted, 0))->id, ==, "a");
  g_assert_cmpint (alloy_peer_snapshot_get_outcome (good), ==, ALLOY_SNAPSHOT_AUTHORITATIVE);
  g_assert_cmpuint (alloy_peer_snapshot_get_generation (good), ==, 3);
  g_assert_null (alloy_peer_snapshot_get_error (good));
  g_assert_cmpuint (alloy_peer_snapshot_get_next_refresh_hint_ms (good), ==, 500);

  g_assert_cmpint (alloy_peer_snapshot_get_outcome (failed), ==, ALLOY_SNAPSHOT_FAILED);
  g_assert_cmpuint (alloy_peer_snapshot_get_peers (failed)->len, ==, 0);
  g_assert_error ((GError *) alloy_peer_snapshot_get_error (failed), ALLOY_DISCOVERY_ERROR,
                  ALLOY_DISCOVERY_ERROR_TIMEOUT);
  g_assert_cmpstr (alloy_peer_snapshot_get_source (failed), ==, "discovery:x");
}

static void
on_changed (AlloyCluster *cluster, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_membership (void)
{
  g_autoptr(AlloyPeer) me = alloy_peer_new ("alloy-1", "127.0.0.1", 1271);
  g_autoptr(AlloyCluster) cluster = alloy_cluster_new (me);
  const char *const listed[] = { "alloy-0", "127.0.0.1", "1270", "alloy-1", "127.0.0.9", "9",
                                 "alloy-2", "127.0.0.1", "1272", NULL };
  g_autoptr(GPtrArray) peers = peers_of (listed);
  g_autoptr(AlloyPeerSnapshot) first = NULL;
  g_autoptr(AlloyPeerSnapshot) again = NULL;
  g_autoptr(AlloyPeerSnapshot) failed = NULL;
  g_autoptr(AlloyPeerSnapshot) alone = NULL;
  g_autoptr(GPtrArray) nobody = g_ptr_array_new ();
  g_autoptr(GError) failure = g_error_new (ALLOY_DISCOVERY_ERROR, ALLOY_DISCOVERY_ERROR_SERVFAIL,
                                           "discovery:peers: SERVFAIL");
  g_autofree char *text = NULL;
  guint changes = 0;

  g_signal_connect (cluster, "changed", G_CALLBACK (on_changed), &changes);
  g_assert_false (alloy_cluster_is_ready (cluster));

  /* The local peer's own entry stands for it, as the others know it: by
   * that entry's address (terminating or not, the local peer serves). */
  ((AlloyPeer *) g_ptr_array_index (peers, 2))->terminating = TRUE;
  first = alloy_peer_snapshot_new_authoritative ("discovery:peers", 1, peers, 0);
  alloy_cluster_apply (cluster, first);
  g_assert_true (alloy_cluster_is_ready (cluster));
  text = members_text (cluster);
  g_assert_cmpstr (text, ==, "alloy-0@127.0.0.1:1270 alloy-1@127.0.0.9:9");
  g_assert_cmpuint (changes, ==, 1);

  /* The same set again is no change. */
  again = alloy_peer_snapshot_new_authoritative ("discovery:peers", 2, peers, 0);
  alloy_cluster_apply (cluster, again);
  g_assert_cmpuint (changes, ==, 1);

  /* A failure keeps the last good set. */
  failed = alloy_peer_snapshot_new_failed ("discovery:peers", 3, failure, 0);
  alloy_test_expect_log ("alloy", G_LOG_LEVEL_WARNING,
                         "discovery:peers: SERVFAIL; keeping the last known peers");
  alloy_cluster_apply (cluster, failed);
  alloy_test_assert_expected_logs ();
  g_clear_pointer (&text, g_free);
  text = members_text (cluster);
  g_assert_cmpstr (text, ==, "alloy-0@127.0.0.1:1270 alloy-1@127.0.0.9:9");

  /* An authoritative empty list leaves the local peer alone, as itself. */
  alone = alloy_peer_snapshot_new_authoritative ("discovery:peers", 4, nobody, 0);
  alloy_cluster_apply (cluster, alone);
  g_clear_pointer (&text, g_free);
  text = members_text (cluster);
  g_assert_cmpstr (text, ==, "alloy-1@127.0.0.1:1271");
  g_assert_cmpuint (changes, ==, 2);
}

/* DNS-SRV names a peer by its SRV target: the entry with this peer's
 * advertised address stands for it, under the id the others use. */
static void
test_self_by_address (void)
{
  g_autoptr(AlloyPeer) me = alloy_peer_new ("alloy-1", "10.0.0.2", 1270);
  g_autoptr(AlloyCluster) cluster = alloy_cluster_new (me);
  const char *const listed[] = { "10-0-0-1.alloy-ready", "10.0.0.1", "1270",
                                 "10-0-0-2.alloy-ready", "10.0.0.2", "1270", NULL };
  g_autoptr(GPtrArray) peers = peers_of (listed);
  g_autoptr(AlloyPeerSnapshot) snapshot = alloy_peer_snapshot_new_authoritative ("d", 1, peers,
                                                                                 0);
  g_autofree char *text = NULL;

  alloy_test_expect_log ("alloy", G_LOG_LEVEL_MESSAGE,
                         "this peer is 10-0-0-2.alloy-ready@10.0.0.2:1270 among its peers");
  alloy_cluster_apply (cluster, snapshot);
  alloy_test_assert_expected_logs ();
  text = members_text (cluster);
  g_assert_cmpstr (text, ==,
                   "10-0-0-1.alloy-ready@10.0.0.1:1270 10-0-0-2.alloy-ready@10.0.0.2:1270");
  g_assert_cmpstr (alloy_cluster_get_self (cluster)->id, ==, "10-0-0-2.alloy-ready");
}

/* What a peer held is kept when it departs, until an operator forgets
 * it; silence is noted once. */
static void
test_departed (void)
{
  g_autoptr(AlloyPeer) me = alloy_peer_new ("a", "127.0.0.1", 1);
  g_autoptr(AlloyCluster) cluster = alloy_cluster_new (me);
  const char *const three[] = { "a", "127.0.0.1", "1", "b", "127.0.0.1", "2", "c", "127.0.0.1",
                                "3", NULL };
  const char *const files[] = { "x.ndjson", "y.ndjson", NULL };
  g_autoptr(GPtrArray) peers = peers_of (three);
  g_autoptr(AlloyPeerSnapshot) all = alloy_peer_snapshot_new_authoritative ("d", 1, peers, 0);
  g_autoptr(AlloyPeerSnapshot) two = NULL;
  g_autoptr(GPtrArray) departed = NULL;
  g_autoptr(GPtrArray) none = NULL;
  const AlloyPeer *c;

  alloy_cluster_apply (cluster, all);
  c = g_ptr_array_index (peers, 2);
  alloy_cluster_remember_holding (cluster, c, "events", files);
  g_assert_true (alloy_cluster_note_silent (cluster, c, TRUE));
  g_assert_false (alloy_cluster_note_silent (cluster, c, TRUE));

  /* c stops serving: no longer a member, still expected. */
  ((AlloyPeer *) g_ptr_array_index (peers, 2))->serving = FALSE;
  two = alloy_peer_snapshot_new_authoritative ("d", 2, peers, 0);
  alloy_cluster_apply (cluster, two);
  departed = alloy_cluster_get_departed (cluster);
  g_assert_cmpuint (departed->len, ==, 1);
  g_assert_cmpstr (((AlloyPeer *) departed->pdata[0])->id, ==, "c");
  g_assert_cmpstrv ((char **) alloy_cluster_recall_holding (cluster, departed->pdata[0],
                                                            "events"),
                    (char **) files);
  g_assert_null (alloy_cluster_recall_holding (cluster, departed->pdata[0], "other"));

  alloy_test_expect_log ("alloy", G_LOG_LEVEL_MESSAGE,
                         "forgetting what c@127.0.0.1:3 held: it left the cluster");
  alloy_cluster_forget_departed (cluster);
  alloy_test_assert_expected_logs ();
  none = alloy_cluster_get_departed (cluster);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_null (alloy_cluster_recall_holding (cluster, departed->pdata[0], "events"));
  /* Forgotten silence too: a new one is noted again. */
  g_assert_true (alloy_cluster_note_silent (cluster, c, TRUE));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  alloy_test_log_init ();

  g_test_add_func ("/cluster/peer", test_peer);
  g_test_add_func ("/cluster/snapshot", test_snapshot);
  g_test_add_func ("/cluster/membership", test_membership);
  g_test_add_func ("/cluster/self-by-address", test_self_by_address);
  g_test_add_func ("/cluster/departed", test_departed);

  return g_test_run ();
}
