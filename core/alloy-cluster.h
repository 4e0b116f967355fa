/* alloy-cluster.h: this peer's view of the source cluster.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

#define ALLOY_TYPE_CLUSTER (alloy_cluster_get_type ())
ALLOY_INTERNAL
G_DECLARE_FINAL_TYPE (AlloyCluster, alloy_cluster, ALLOY, CLUSTER, GObject)

/* Takes a copy of @self_peer, the local peer (its id is the node-id). */
ALLOY_INTERNAL
AlloyCluster *alloy_cluster_new (const AlloyPeer *self_peer);

/* Applies a discovery snapshot: an authoritative one replaces the peer
 * set, a failed one keeps the previous set. Emits ::changed when the
 * members changed. */
ALLOY_INTERNAL
void alloy_cluster_apply (AlloyCluster *self, AlloyPeerSnapshot *snapshot);

/* TRUE once an authoritative snapshot was applied. */
ALLOY_INTERNAL
gboolean alloy_cluster_is_ready (AlloyCluster *self);

/* The live members, sorted: the serving, not terminating peers of the
 * last authoritative snapshot, plus the local peer unless it drains (as
 * its own entry gives it when discovery lists it). A new array of
 * AlloyPeer. */
ALLOY_INTERNAL
GPtrArray *alloy_cluster_get_members (AlloyCluster *self);

/* The local peer as a member: the discovery entry standing for it (found
 * by node-id or advertised address), else its own description. */
ALLOY_INTERNAL
const AlloyPeer *alloy_cluster_get_self (AlloyCluster *self);

/* A peer's key among peers: its id, or `host:port` without one. */
ALLOY_INTERNAL
char *alloy_cluster_peer_key (const AlloyPeer *peer);

/* The peers that were members and are not any more (left discovery, stop
 * serving, terminate), sorted: views still expect what they held. */
ALLOY_INTERNAL
GPtrArray *alloy_cluster_get_departed (AlloyCluster *self);
/* Forgets the departed peers and what they held (an operator's SIGHUP,
 * after removing peers that held their own data). */
ALLOY_INTERNAL
void alloy_cluster_forget_departed (AlloyCluster *self);

/* The local peer is draining: it leaves the members (new views are served
 * by the others) but stays reachable for the streams already handed out. */
ALLOY_INTERNAL
void alloy_cluster_set_draining (AlloyCluster *self);
ALLOY_INTERNAL
gboolean alloy_cluster_is_draining (AlloyCluster *self);

/* The files (paths) @peer held of @dataset when it last answered, so that
 * a view can name what goes missing when it falls silent or departs. By
 * path, not partition id: a file whose byte ranges moved is the same file. */
ALLOY_INTERNAL
void alloy_cluster_remember_holding (AlloyCluster *self, const AlloyPeer *peer,
                                     const char *dataset, const char *const *paths);
/* (transfer none) (nullable): NULL when @peer never answered for @dataset. */
ALLOY_INTERNAL
const char *const *alloy_cluster_recall_holding (AlloyCluster *self, const AlloyPeer *peer,
                                                 const char *dataset);
/* Records whether @peer was left out of the last view that asked it;
 * TRUE when that changed (so that it is logged once, not per view). */
ALLOY_INTERNAL
gboolean alloy_cluster_note_silent (AlloyCluster *self, const AlloyPeer *peer, gboolean silent);

G_END_DECLS
