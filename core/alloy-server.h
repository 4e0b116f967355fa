/* alloy-server.h: a running peer: plugin instances, listeners, connections.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"
#include "alloy-cluster.h"
#include "alloy-config.h"

G_BEGIN_DECLS

#define ALLOY_TYPE_SERVER (alloy_server_get_type ())
ALLOY_INTERNAL
G_DECLARE_FINAL_TYPE (AlloyServer, alloy_server, ALLOY, SERVER, GObject)

/* Creates and configures one instance per plugin group of @config (which
 * must be resolved). No I/O happens yet, so this is also the last step of
 * `alloyd --check-config`. */
ALLOY_INTERNAL
AlloyServer *alloy_server_new (AlloyConfig *config, GError **error);

/* Binds the listeners, then starts the readers and discovery. */
ALLOY_INTERNAL
void alloy_server_start_async (AlloyServer *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
ALLOY_INTERNAL
gboolean alloy_server_start_finish (AlloyServer *self, GAsyncResult *result, GError **error);

/* Stops listening, lets open connections finish for the drain timeout,
 * closes what is left, then stops every instance. */
ALLOY_INTERNAL
void alloy_server_shutdown_async (AlloyServer *self, GAsyncReadyCallback callback,
                                  gpointer user_data);
ALLOY_INTERNAL
gboolean alloy_server_shutdown_finish (AlloyServer *self, GAsyncResult *result, GError **error);

/* Ends the drain period now. */
ALLOY_INTERNAL
void alloy_server_close_connections (AlloyServer *self);

/* "thrift tcp:127.0.0.1:37020" for every bound address, in config order. */
ALLOY_INTERNAL
GStrv alloy_server_get_listen_addresses (AlloyServer *self);
ALLOY_INTERNAL
guint alloy_server_get_n_connections (AlloyServer *self);
ALLOY_INTERNAL
AlloyCluster *alloy_server_get_cluster (AlloyServer *self);
/* SIGHUP: asks discovery for a refresh, and forgets what departed peers
 * held (views stop expecting their files). */
ALLOY_INTERNAL
void alloy_server_refresh_discovery (AlloyServer *self);

G_END_DECLS
