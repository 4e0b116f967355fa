/* alloy-peer-client.h: asking another peer for its inventory of a dataset
 * over the peer API (alloy-peer-codec.h), on a connection of its own.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-connector.h"
#include "alloy-inventory.h"

G_BEGIN_DECLS

/* Connects to @peer's Nexus address, calls getInventory and reads the
 * reply, all within @timeout_ms, then closes. Errors: the connector's,
 * the exchange's (G_IO_ERROR_TIMED_OUT...), ALLOY_THRIFT_ERROR for a reply
 * that breaks the codec's rules. */
ALLOY_INTERNAL
void alloy_peer_client_inventory_async (AlloyConnector *connector, const AlloyPeer *peer,
                                        const char *dataset, const char *schema_name,
                                        guint timeout_ms, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data);
ALLOY_INTERNAL
AlloyInventory *alloy_peer_client_inventory_finish (AlloyConnector *connector,
                                                    GAsyncResult *result, GError **error);

G_END_DECLS
