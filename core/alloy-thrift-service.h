/* alloy-thrift-service.h: the sample-store API on a Thrift connection.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-connection.h"
#include "alloy-source.h"
#include "alloy-thrift-codec.h"

G_BEGIN_DECLS

/* Makes @connection answer getViewGenerator calls from @source: one call
 * at a time, in order, for as long as the client keeps the connection.
 * Before alloy_connection_start(). */
ALLOY_INTERNAL
void alloy_thrift_service_attach (AlloyConnection *connection, AlloySource *source);

/* Answers a call that did not decode (@header as far as it did): a
 * TApplicationException when the header was read; an unknown method or
 * message type is counted in @refused and logged, and the connection goes
 * on (TRUE); anything else ends it after the exception (FALSE). */
ALLOY_INTERNAL
gboolean alloy_thrift_service_refuse (AlloyConnection *connection,
                                      const AlloyThriftHeader *header, const GError *error,
                                      guint64 *refused);

G_END_DECLS
