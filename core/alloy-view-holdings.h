/* alloy-view-holdings.h: what the peers of the source cluster answered
 * about a view's dataset, checked before it is planned: every partition
 * has a live holder, holders agree, and a peer that cannot serve the view
 * says so. Pure: no I/O (alloy-view-gather.c asks the peers).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-inventory.h"
#include "alloy-view-plan.h"

G_BEGIN_DECLS

/**
 * AlloyViewSilentPeer:
 * @peer: a member of the cluster that gave no usable answer
 * @reason: why ("no reply from ... within 5.0 s", "not ready: draining")
 * @last_known: (nullable): the files (paths) it held when it last
 *   answered for this dataset; NULL when it never did
 */
typedef struct {
  const AlloyPeer *peer;
  const char *reason;
  const char *const *last_known;
} AlloyViewSilentPeer;

/* Partitions named in a message, before "and N more". */
#define ALLOY_VIEW_NAMED_MAX 10

/* Checks the answers for dataset @dataset: @answered (AlloyPeer) with
 * @inventories (AlloyInventory, same index; any state but NOT_READY) and
 * @silent (AlloyViewSilentPeer). In this order:
 *   - no member at all (this peer drains and knows no other): NOT_READY;
 *   - a peer answering INVALID or FAILED fails the view in that state
 *     (INVALID, FAILED), its message prefixed with "peer ID: ";
 *   - a silent peer never heard from fails it (FAILED): what it holds is
 *     unknown, so the view cannot be known to be complete;
 *   - holders that press differently (schema name or digest, rootVersion,
 *     press options): FAILED naming two peers and what differs;
 *   - a file held with different partitions or contents: FAILED naming
 *     the file and two peers;
 *   - a file a holder refuses (unreadable, a link out of the root) that
 *     no live peer holds: FAILED naming it, the peer and the reason;
 *   - files a silent peer held that no live peer holds: FAILED naming
 *     them (at most ALLOY_VIEW_NAMED_MAX, then how many more) and the
 *     silent peers with their reasons;
 *   - no peer holding the dataset: INVALID, "dataset D is on no live peer"
 *     (with the first ABSENT message).
 * On success, sets @input's peers and inventories (new arrays of borrowed
 * pointers: free them with g_ptr_array_unref) to the holders, @dataset to
 * NULL, and the schema and press fields to what the holders share. */
ALLOY_INTERNAL
gboolean alloy_view_check_holdings (const char *dataset, GPtrArray *answered,
                                    GPtrArray *inventories, GPtrArray *silent,
                                    AlloyViewPlanInput *input, GError **error);

G_END_DECLS
