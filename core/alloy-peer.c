/* alloy-peer.c: peers and discovery snapshots.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-private.h"

G_DEFINE_BOXED_TYPE (AlloyPeer, alloy_peer, alloy_peer_copy, alloy_peer_free)

AlloyPeer *
alloy_peer_new (const char *id, const char *host, guint16 port)
{
  AlloyPeer *peer;

  g_return_val_if_fail (host != NULL, NULL);

  peer = g_new0 (AlloyPeer, 1);
  peer->id = g_strdup (id);
  peer->host = g_strdup (host);
  peer->port = port;
  peer->ready = TRUE;
  peer->serving = TRUE;
  return peer;
}

AlloyPeer *
alloy_peer_copy (const AlloyPeer *peer)
{
  AlloyPeer *copy;

  g_return_val_if_fail (peer != NULL, NULL);

  copy = g_memdup2 (peer, sizeof *peer);
  copy->id = g_strdup (peer->id);
  copy->host = g_strdup (peer->host);
  copy->zone = g_strdup (peer->zone);
  return copy;
}

void
alloy_peer_free (AlloyPeer *peer)
{
  if (peer == NULL)
    return;
  g_free (peer->id);
  g_free (peer->host);
  g_free (peer->zone);
  g_free (peer);
}

int
alloy_peer_compare (const AlloyPeer *a, const AlloyPeer *b)
{
  int order = g_strcmp0 (a->id, b->id);

  if (order == 0)
    order = g_strcmp0 (a->host, b->host);
  if (order == 0)
    order = (a->port > b->port) - (a->port < b->port);
  return order;
}

gboolean
alloy_peer_equal (const AlloyPeer *a, const AlloyPeer *b)
{
  return alloy_peer_compare (a, b) == 0 && a->priority == b->priority &&
         a->weight == b->weight && g_strcmp0 (a->zone, b->zone) == 0 && a->ready == b->ready &&
         a->serving == b->serving && a->terminating == b->terminating;
}

char *
alloy_peer_to_string (const AlloyPeer *peer)
{
  gboolean ipv6 = strchr (peer->host, ':') != NULL;

  /* A unix socket peer: its path says it all. */
  if (g_str_has_prefix (peer->host, "unix:"))
    return g_strdup_printf ("%s%s%s", peer->id ? peer->id : "", peer->id ? "@" : "", peer->host);
  return g_strdup_printf ("%s%s%s%s%s:%u", peer->id ? peer->id : "", peer->id ? "@" : "",
                          ipv6 ? "[" : "", peer->host, ipv6 ? "]" : "", peer->port);
}

struct _AlloyPeerSnapshot {
  gatomicrefcount ref_count;
  char *source;
  guint64 generation;
  AlloySnapshotOutcome outcome;
  GPtrArray *peers;
  GError *error;
  guint next_refresh_hint_ms;
};

G_DEFINE_BOXED_TYPE (AlloyPeerSnapshot, alloy_peer_snapshot, alloy_peer_snapshot_ref,
                     alloy_peer_snapshot_unref)

static gint
compare_peer_pointers (gconstpointer a, gconstpointer b)
{
  return alloy_peer_compare (*(AlloyPeer *const *) a, *(AlloyPeer *const *) b);
}

static AlloyPeerSnapshot *
snapshot_new (const char *source, guint64 generation, guint next_refresh_hint_ms)
{
  AlloyPeerSnapshot *snapshot = g_new0 (AlloyPeerSnapshot, 1);

  g_atomic_ref_count_init (&snapshot->ref_count);
  snapshot->source = g_strdup (source);
  snapshot->generation = generation;
  snapshot->next_refresh_hint_ms = next_refresh_hint_ms;
  return snapshot;
}

AlloyPeerSnapshot *
alloy_peer_snapshot_new_authoritative (const char *source, guint64 generation, GPtrArray *peers,
                                       guint next_refresh_hint_ms)
{
  AlloyPeerSnapshot *snapshot;

  g_return_val_if_fail (peers != NULL, NULL);

  snapshot = snapshot_new (source, generation, next_refresh_hint_ms);
  snapshot->outcome = ALLOY_SNAPSHOT_AUTHORITATIVE;
  /* A private sorted copy: the snapshot is immutable whatever the caller
   * does with its array afterwards. */
  snapshot->peers = g_ptr_array_new_full (peers->len, (GDestroyNotify) alloy_peer_free);
  for (guint i = 0; i < peers->len; i++)
    g_ptr_array_add (snapshot->peers, alloy_peer_copy (g_ptr_array_index (peers, i)));
  g_ptr_array_sort (snapshot->peers, compare_peer_pointers);
  return snapshot;
}

AlloyPeerSnapshot *
alloy_peer_snapshot_new_failed (const char *source, guint64 generation, const GError *error,
                                guint next_refresh_hint_ms)
{
  AlloyPeerSnapshot *snapshot;

  g_return_val_if_fail (error != NULL, NULL);

  snapshot = snapshot_new (source, generation, next_refresh_hint_ms);
  snapshot->outcome = ALLOY_SNAPSHOT_FAILED;
  snapshot->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_free);
  snapshot->error = g_error_copy (error);
  return snapshot;
}

AlloyPeerSnapshot *
alloy_peer_snapshot_ref (AlloyPeerSnapshot *snapshot)
{
  g_return_val_if_fail (snapshot != NULL, NULL);

  g_atomic_ref_count_inc (&snapshot->ref_count);
  return snapshot;
}

void
alloy_peer_snapshot_unref (AlloyPeerSnapshot *snapshot)
{
  g_return_if_fail (snapshot != NULL);

  if (!g_atomic_ref_count_dec (&snapshot->ref_count))
    return;
  g_free (snapshot->source);
  g_ptr_array_unref (snapshot->peers);
  g_clear_error (&snapshot->error);
  g_free (snapshot);
}

const char *
alloy_peer_snapshot_get_source (const AlloyPeerSnapshot *snapshot)
{
  return snapshot->source;
}

guint64
alloy_peer_snapshot_get_generation (const AlloyPeerSnapshot *snapshot)
{
  return snapshot->generation;
}

AlloySnapshotOutcome
alloy_peer_snapshot_get_outcome (const AlloyPeerSnapshot *snapshot)
{
  return snapshot->outcome;
}

GPtrArray *
alloy_peer_snapshot_get_peers (const AlloyPeerSnapshot *snapshot)
{
  return snapshot->peers;
}

const GError *
alloy_peer_snapshot_get_error (const AlloyPeerSnapshot *snapshot)
{
  return snapshot->error;
}

guint
alloy_peer_snapshot_get_next_refresh_hint_ms (const AlloyPeerSnapshot *snapshot)
{
  return snapshot->next_refresh_hint_ms;
}
