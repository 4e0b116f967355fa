/* alloy-thrift-service.h: the sample-store API on a Thrift connection.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-connection.h"
#include "alloy-source.h"

G_BEGIN_DECLS

/* Makes @connection answer getViewGenerator calls from @source: one call
 * at a time, as a Finagle client sends them, for as long as the client
 * keeps the connection. Before alloy_connection_start(). */
ALLOY_INTERNAL
void alloy_thrift_service_attach (AlloyConnection *connection, AlloySource *source);

G_END_DECLS
