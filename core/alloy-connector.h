/* alloy-connector.h: client connections to `SCHEME:ADDRESS` through the
 * transport plugins, each connect within a deadline: how a peer reaches
 * its peers and `alloy fetch` its loci.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

#define ALLOY_TYPE_CONNECTOR (alloy_connector_get_type ())
ALLOY_INTERNAL
G_DECLARE_FINAL_TYPE (AlloyConnector, alloy_connector, ALLOY, CONNECTOR, GObject)

/* Transports not added are loaded from @search_path when first needed
 * (connecting needs no configuration). */
ALLOY_INTERNAL
AlloyConnector *alloy_connector_new (const char *const *search_path);
/* Connects to SCHEME: addresses through @transport (a listener's, say). */
ALLOY_INTERNAL
void alloy_connector_add_transport (AlloyConnector *self, const char *scheme,
                                    AlloyTransport *transport);

/* Where a peer or a locus is reached: `unix:PATH` for a host written
 * `unix:PATH`, else `tcp:HOST:PORT` (`tcp:[V6]:PORT`). */
ALLOY_INTERNAL
char *alloy_connector_address_for (const char *host, guint16 port);

/* Connects to @address (`SCHEME:ADDRESS`) within @timeout_ms (> 0).
 * Errors: G_IO_ERROR_INVALID_ARGUMENT for an address of another form, the
 * registry's for a scheme no transport serves, G_IO_ERROR_TIMED_OUT
 * "cannot connect to ADDRESS: no connection within N s", the transport's. */
ALLOY_INTERNAL
void alloy_connector_connect_async (AlloyConnector *self, const char *address, guint timeout_ms,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data);
ALLOY_INTERNAL
GIOStream *alloy_connector_connect_finish (AlloyConnector *self, GAsyncResult *result,
                                           GError **error);

G_END_DECLS
