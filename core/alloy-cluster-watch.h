/* alloy-cluster-watch.h: learning what each member holds as soon as it
 * joins, so that a peer that dies before any view asked it is not unknown.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-catalog.h"
#include "alloy-cluster.h"
#include "alloy-connector.h"

G_BEGIN_DECLS

#define ALLOY_TYPE_CLUSTER_WATCH (alloy_cluster_watch_get_type ())
ALLOY_INTERNAL
G_DECLARE_FINAL_TYPE (AlloyClusterWatch, alloy_cluster_watch, ALLOY, CLUSTER_WATCH, GObject)

/* Whenever a member joins @cluster, asks it (getInventory, files only,
 * within @timeout_ms, one dataset after another) about every dataset of
 * @catalog, and remembers the answers in @cluster; a member that does not
 * answer is asked again, every 5 s at first and at most every minute,
 * while it stays a member. */
ALLOY_INTERNAL
AlloyClusterWatch *alloy_cluster_watch_new (AlloyCluster *cluster, AlloyConnector *connector,
                                            AlloyCatalog *catalog, guint timeout_ms);
/* Stops asking (shutdown). */
ALLOY_INTERNAL
void alloy_cluster_watch_stop (AlloyClusterWatch *self);

G_END_DECLS
