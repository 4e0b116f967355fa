/* alloy-source.h: one peer's sample source: what answering views and
 * serving streams share (the catalog, the readers, the cluster, the
 * settings) and the pool of threads that read and press.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-catalog.h"
#include "alloy-cluster.h"
#include "alloy-config.h"
#include "alloy-connector.h"
#include "alloy-inventory.h"
#include "alloy-view.h"

G_BEGIN_DECLS

#define ALLOY_TYPE_SOURCE (alloy_source_get_type ())
ALLOY_INTERNAL
G_DECLARE_FINAL_TYPE (AlloySource, alloy_source, ALLOY, SOURCE, GObject)

/* Reads the [alloy] settings of @config (resolved). @readers: module name
 * to reader instance (AlloyReader), by which streams open partitions. */
ALLOY_INTERNAL
AlloySource *alloy_source_new (AlloyConfig *config, GHashTable *readers);
/* The cluster exists once the listeners are bound (the local peer's
 * address is known then); until it is set, views are answered NotReady.
 * @connector reaches the other peers. */
ALLOY_INTERNAL
void alloy_source_set_cluster (AlloySource *self, AlloyCluster *cluster,
                               AlloyConnector *connector);

/* Scans every dataset (blocking: at start, before any listener takes a
 * connection), then keeps the catalog up to date. */
ALLOY_INTERNAL
gboolean alloy_source_start (AlloySource *self, GError **error);
/* The peer is going away: views are answered NotReady and new streams
 * refused from now on; monitoring stops. */
ALLOY_INTERNAL
void alloy_source_set_stopping (AlloySource *self);
ALLOY_INTERNAL
gboolean alloy_source_is_stopping (AlloySource *self);

ALLOY_INTERNAL
AlloyCatalog *alloy_source_get_catalog (AlloySource *self);

/* The answer to a getViewGenerator request for the whole source cluster:
 * every member is asked for its inventory of the dataset (within
 * peer-timeout), the answers are checked (alloy-view-holdings.h) and the
 * partitions laid out over their holders. Takes @request. The finish
 * never returns NULL: failures are answers with their state and message
 * (logged). */
ALLOY_INTERNAL
void alloy_source_answer_view_async (AlloySource *self, AlloyViewRequest *request,
                                     GAsyncReadyCallback callback, gpointer user_data);
ALLOY_INTERNAL
AlloyViewAnswer *alloy_source_answer_view_finish (AlloySource *self, GAsyncResult *result);

/* What this peer holds of @dataset for views of @schema_name (the answer
 * to a peer's getInventory): never NULL. NOT_READY while it starts,
 * drains or stops. */
ALLOY_INTERNAL
AlloyInventory *alloy_source_take_inventory (AlloySource *self, const char *dataset,
                                             const char *schema_name);

/* The reader instance of module @module ("reader_json"), or NULL. */
ALLOY_INTERNAL
AlloyReader *alloy_source_get_reader (AlloySource *self, const char *module);
/* alloy.samplestore.schema.path, absolute. */
ALLOY_INTERNAL
const char *const *alloy_source_get_schema_path (AlloySource *self);
ALLOY_INTERNAL
gsize alloy_source_get_item_max_bytes (AlloySource *self);
ALLOY_INTERNAL
gsize alloy_source_get_parcel_max_bytes (AlloySource *self);
ALLOY_INTERNAL
guint alloy_source_get_heartbeat_interval_ms (AlloySource *self);
ALLOY_INTERNAL
guint alloy_source_get_load_wait_max_ms (AlloySource *self);

/* Runs @work(@data) on one of load.concurrency threads, in order of
 * submission: a stream waits here for its turn. Every piece of work ends,
 * on the main context, with alloy_source_work_done(). */
ALLOY_INTERNAL
void alloy_source_run (AlloySource *self, GFunc work, gpointer data);
ALLOY_INTERNAL
void alloy_source_work_done (AlloySource *self);
/* Work queued or running. */
ALLOY_INTERNAL
guint alloy_source_get_n_work (AlloySource *self);
/* Calls @idle once no work is queued or running (at once when none is). */
ALLOY_INTERNAL
void alloy_source_when_idle (AlloySource *self, GSourceFunc idle, gpointer user_data);

G_END_DECLS
