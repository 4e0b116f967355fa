/* alloy-peer.h: a peer of the source cluster, and a discovery snapshot.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#if !defined(ALLOY_INSIDE) && !defined(ALLOY_COMPILATION)
#error "Only <alloy/alloy.h> can be included directly."
#endif

#include <glib-object.h>
#include <alloy/alloy-macros.h>

G_BEGIN_DECLS

/**
 * AlloyPeer:
 * @id: a stable identity (node-id, pod name, SRV target), or %NULL
 * @host: an IP literal or a host name
 * @port: the peer's Nexus port
 * @priority: ordering metadata (DNS-SRV); never used for membership
 * @weight: ordering metadata (DNS-SRV)
 * @zone: a topology zone, or %NULL
 * @ready: the peer reports ready
 * @serving: the peer accepts new streams
 * @terminating: the peer is going away
 *
 * A Nexus endpoint other peers and cells can reach. Allocate it only with
 * alloy_peer_new(), so that fields can be appended without breaking plugins.
 */
typedef struct {
  char *id;
  char *host;
  guint16 port;
  guint16 priority;
  guint16 weight;
  char *zone;
  gboolean ready;
  gboolean serving;
  gboolean terminating;
} AlloyPeer;

#define ALLOY_TYPE_PEER (alloy_peer_get_type ())
ALLOY_AVAILABLE_IN_ALL
GType alloy_peer_get_type (void);
/* A ready, serving, not terminating peer. */
ALLOY_AVAILABLE_IN_ALL
AlloyPeer *alloy_peer_new (const char *id, const char *host, guint16 port);
ALLOY_AVAILABLE_IN_ALL
AlloyPeer *alloy_peer_copy (const AlloyPeer *peer);
ALLOY_AVAILABLE_IN_ALL
void alloy_peer_free (AlloyPeer *peer);
ALLOY_AVAILABLE_IN_ALL
gboolean alloy_peer_equal (const AlloyPeer *a, const AlloyPeer *b);
/* Orders by id, then host, then port: the deterministic loci order. */
ALLOY_AVAILABLE_IN_ALL
int alloy_peer_compare (const AlloyPeer *a, const AlloyPeer *b);
/* `id@host:port` (`id@[v6]:port`), or `id@unix:/path` for a host written
 * `unix:/path`: the forms of the static plugin's peers= entries. */
ALLOY_AVAILABLE_IN_ALL
char *alloy_peer_to_string (const AlloyPeer *peer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyPeer, alloy_peer_free)

typedef enum {
  ALLOY_SNAPSHOT_AUTHORITATIVE = 1, /* the peer list is the whole truth, possibly empty */
  ALLOY_SNAPSHOT_FAILED,            /* no answer: keep the previous list */
} AlloySnapshotOutcome;

/**
 * AlloyPeerSnapshot:
 *
 * One complete answer of a discovery instance: the full peer list or a
 * failure, never a partial list. Immutable and reference counted.
 */
typedef struct _AlloyPeerSnapshot AlloyPeerSnapshot;

#define ALLOY_TYPE_PEER_SNAPSHOT (alloy_peer_snapshot_get_type ())
ALLOY_AVAILABLE_IN_ALL
GType alloy_peer_snapshot_get_type (void);
/* Keeps a sorted copy (alloy_peer_compare) of @peers, an array of
 * AlloyPeer; the caller keeps its array. */
ALLOY_AVAILABLE_IN_ALL
AlloyPeerSnapshot *alloy_peer_snapshot_new_authoritative (const char *source, guint64 generation,
                                                          GPtrArray *peers,
                                                          guint next_refresh_hint_ms);
ALLOY_AVAILABLE_IN_ALL
AlloyPeerSnapshot *alloy_peer_snapshot_new_failed (const char *source, guint64 generation,
                                                   const GError *error,
                                                   guint next_refresh_hint_ms);
ALLOY_AVAILABLE_IN_ALL
AlloyPeerSnapshot *alloy_peer_snapshot_ref (AlloyPeerSnapshot *snapshot);
ALLOY_AVAILABLE_IN_ALL
void alloy_peer_snapshot_unref (AlloyPeerSnapshot *snapshot);
ALLOY_AVAILABLE_IN_ALL
const char *alloy_peer_snapshot_get_source (const AlloyPeerSnapshot *snapshot);
ALLOY_AVAILABLE_IN_ALL
guint64 alloy_peer_snapshot_get_generation (const AlloyPeerSnapshot *snapshot);
ALLOY_AVAILABLE_IN_ALL
AlloySnapshotOutcome alloy_peer_snapshot_get_outcome (const AlloyPeerSnapshot *snapshot);
/* The sorted peers (transfer none, do not modify); empty when the
 * snapshot failed. */
ALLOY_AVAILABLE_IN_ALL
GPtrArray *alloy_peer_snapshot_get_peers (const AlloyPeerSnapshot *snapshot);
/* The failure, or %NULL. */
ALLOY_AVAILABLE_IN_ALL
const GError *alloy_peer_snapshot_get_error (const AlloyPeerSnapshot *snapshot);
ALLOY_AVAILABLE_IN_ALL
guint alloy_peer_snapshot_get_next_refresh_hint_ms (const AlloyPeerSnapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyPeerSnapshot, alloy_peer_snapshot_unref)

G_END_DECLS
