/* alloy-core-options.h: the option schemas the core owns.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

#define ALLOY_CORE_GROUP "alloy"

/* Names of the core keys other modules read. */
#define ALLOY_KEY_PLUGIN_PATH "plugin-path"
#define ALLOY_KEY_NODE_ID "node-id"
#define ALLOY_KEY_DRAIN_TIMEOUT "drain-timeout"
#define ALLOY_KEY_DRAIN_DELAY "drain-delay"
#define ALLOY_KEY_PEER_TIMEOUT "peer-timeout"
#define ALLOY_KEY_LOCATION "alloy.samplestore.location"
#define ALLOY_KEY_LOAD_CONCURRENCY "alloy.samplestore.load.concurrency"
#define ALLOY_KEY_LOCI_REPLICATION "alloy.samplestore.loci.replication"
#define ALLOY_KEY_JSON_ROOT_VERSION "alloy.samplestore.json.rootVersion"
#define ALLOY_KEY_STREAM_SKIP_INDEX "alloy.samplestore.stream.skipIndex"
#define ALLOY_KEY_SCHEMA_PATH "alloy.samplestore.schema.path"
#define ALLOY_KEY_ITEM_MAX_BYTES "alloy.samplestore.press.item.max.bytes"
#define ALLOY_KEY_JSON_MAX_DEPTH "alloy.samplestore.json.max.depth"
#define ALLOY_KEY_PARTITION_MAX_BYTES "alloy.samplestore.partition.max.bytes"
#define ALLOY_KEY_DATASET_SETTLE "alloy.samplestore.dataset.settle"
#define ALLOY_KEY_HEARTBEAT_INTERVAL "alloy.samplestore.heartbeat.interval"
#define ALLOY_KEY_PARCEL_MAX_BYTES "alloy.samplestore.parcel.max.bytes"
#define ALLOY_KEY_LOAD_WAIT_MAX "alloy.samplestore.load.wait.max"
#define ALLOY_KEY_PLUGIN "plugin"
#define ALLOY_KEY_PROTOCOL "protocol"
#define ALLOY_KEY_ADVERTISE "advertise"

/* The [alloy] group. */
ALLOY_INTERNAL
const AlloyOptionSpec *alloy_core_options_main (void);

/* The keys the core reads in every [KIND:instance] group (plugin=, and
 * protocol= and advertise= for transports); a plugin may not declare them. */
ALLOY_INTERNAL
const AlloyOptionSpec *alloy_core_options_for_kind (AlloyPluginKind kind);

/* The environment variable that sets @key of [alloy], or NULL when the key
 * has none. */
ALLOY_INTERNAL
char *alloy_core_option_env_name (const char *key);

G_END_DECLS
