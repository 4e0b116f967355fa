/* alloy-peer-service.h: the peer API (getInventory) on a connection of the
 * Nexus port, which the first frame's first byte selects.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-connection.h"
#include "alloy-source.h"

G_BEGIN_DECLS

/* Whether @frame (a body) is a peer call rather than a Nexus message. */
ALLOY_INTERNAL
gboolean alloy_peer_service_claims (GBytes *frame);

/* Answers one call: the reply carries @source's inventory of the dataset.
 * A call that does not decode is refused as on the Thrift port
 * (alloy_thrift_service_refuse, which counts in @refused). */
ALLOY_INTERNAL
void alloy_peer_service_answer (AlloyConnection *connection, AlloySource *source, GBytes *frame,
                                guint64 *refused);

G_END_DECLS
