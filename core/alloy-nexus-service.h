/* alloy-nexus-service.h: Nexus streams on a connection.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-connection.h"
#include "alloy-source.h"

G_BEGIN_DECLS

/* Makes @connection serve Nexus streams from @source: the wire variant is
 * taken from the client's first frame and kept; streams run one after
 * another, as a cell's pooled connection sends them. Before
 * alloy_connection_start(). */
ALLOY_INTERNAL
void alloy_nexus_service_attach (AlloyConnection *connection, AlloySource *source);

G_END_DECLS
