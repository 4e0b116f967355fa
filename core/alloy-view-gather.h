/* alloy-view-gather.h: a view's dataset as the whole source cluster holds
 * it: the local peer's inventory and every other member's, asked in
 * parallel, each within the peer timeout.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-cluster.h"
#include "alloy-connector.h"
#include "alloy-inventory.h"
#include "alloy-view-holdings.h"

G_BEGIN_DECLS

/**
 * AlloyViewGathered:
 * @answered: (element-type AlloyPeer): the members that answered (not
 *   NOT_READY), in member order
 * @inventories: (element-type AlloyInventory): their answers, same index
 * @silent: (element-type AlloyViewSilentPeer): the others, with the
 *   cluster's memory of what they held
 */
typedef struct {
  GPtrArray *answered;
  GPtrArray *inventories;
  GPtrArray *silent;
} AlloyViewGathered;

ALLOY_INTERNAL
void alloy_view_gathered_free (AlloyViewGathered *gathered);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyViewGathered, alloy_view_gathered_free)

/* Asks every member of @cluster: the local peer by @local (taken), the
 * others by getInventory through @connector within @timeout_ms. What each
 * answering member holds is remembered in @cluster; a member that is
 * silent is logged with the reason. Never fails. */
ALLOY_INTERNAL
void alloy_view_gather_async (AlloyCluster *cluster, AlloyConnector *connector,
                              AlloyInventory *local, const char *dataset,
                              const char *schema_name, guint timeout_ms,
                              GAsyncReadyCallback callback, gpointer user_data);
ALLOY_INTERNAL
AlloyViewGathered *alloy_view_gather_finish (AlloyCluster *cluster, GAsyncResult *result);

/* Remembers in @cluster what @inventory says @peer holds of @dataset: HELD
 * (and NOT_READY with partitions) its files; ABSENT none, when something
 * was remembered; INVALID and FAILED change nothing. */
ALLOY_INTERNAL
void alloy_view_gather_remember (AlloyCluster *cluster, const char *dataset,
                                 const AlloyPeer *peer, const AlloyInventory *inventory);

G_END_DECLS
