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
 * last authoritative snapshot, plus the local peer (which a snapshot entry
 * with the same id stands for). A new array of AlloyPeer. */
ALLOY_INTERNAL
GPtrArray *alloy_cluster_get_members (AlloyCluster *self);

ALLOY_INTERNAL
const AlloyPeer *alloy_cluster_get_self (AlloyCluster *self);

/* The local peer is draining: it leaves the members (new views are served
 * by the others) but stays reachable for the streams already handed out. */
ALLOY_INTERNAL
void alloy_cluster_set_draining (AlloyCluster *self);
ALLOY_INTERNAL
gboolean alloy_cluster_is_draining (AlloyCluster *self);

/* What @peer held of @dataset when it last answered (partition ids), so
 * that a view can name what goes missing when it falls silent. Forgotten
 * when the peer leaves the members. */
ALLOY_INTERNAL
void alloy_cluster_remember_holding (AlloyCluster *self, const AlloyPeer *peer,
                                     const char *dataset, const char *const *partition_ids);
/* (transfer none) (nullable): NULL when @peer never answered for @dataset. */
ALLOY_INTERNAL
const char *const *alloy_cluster_recall_holding (AlloyCluster *self, const AlloyPeer *peer,
                                                 const char *dataset);

G_END_DECLS
