/* alloy-core-options.c: the option schemas the core owns.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-core-options.h"

#include <string.h>

static const AlloyOptionSpec main_options[] = {
  { ALLOY_KEY_PLUGIN_PATH, ALLOY_OPTION_STRING_LIST, 0, NULL,
    "directories searched for plugin modules, before ALLOY_PLUGIN_PATH and the built-in directory" },
  { ALLOY_KEY_NODE_ID, ALLOY_OPTION_STRING, 0, NULL,
    "this peer's stable identity among its peers (default: the host name)" },
  { ALLOY_KEY_DRAIN_TIMEOUT, ALLOY_OPTION_DURATION, 0, "10s",
    "on SIGTERM or SIGINT, how long open connections may finish before they are closed",
    0, 3600 * 1000 },
  { ALLOY_KEY_DRAIN_DELAY, ALLOY_OPTION_DURATION, 0, "0s",
    "on SIGTERM, how long this peer stays reachable before it stops listening: readiness is "
    "false and new answers leave it out, but its listeners still accept streams",
    0, 600 * 1000 },
  { ALLOY_KEY_PEER_TIMEOUT, ALLOY_OPTION_DURATION, 0, "5s",
    "how long a view waits for each other peer's inventory; a peer that has not answered by "
    "then is left out of the view", 10, 600 * 1000 },
  { ALLOY_KEY_LOCATION, ALLOY_OPTION_STRING, ALLOY_OPTION_FLAG_REQUIRED, NULL,
    "the dataset root: every directory directly below it is one dataset" },
  { ALLOY_KEY_LOAD_CONCURRENCY, ALLOY_OPTION_INT, 0, "4",
    "at most this many streams are read and pressed at once on this peer", 1, 1024 },
  { ALLOY_KEY_LOCI_REPLICATION, ALLOY_OPTION_INT, 0, "1",
    "loci per live peer in a view's answer; each locus streams a distinct partition", 1, 1024 },
  { ALLOY_KEY_JSON_ROOT_VERSION, ALLOY_OPTION_INT, 0, "1",
    "the root schema version written into every blob header", 1, G_MAXINT32 },
  { ALLOY_KEY_SCHEMA_PATH, ALLOY_OPTION_STRING_LIST, 0, NULL,
    "directories holding Brio schemas (NAME_v1.brio ... NAME_vN.brio, directly or one "
    "directory down); a view names its schema case-insensitively" },
  { ALLOY_KEY_ITEM_MAX_BYTES, ALLOY_OPTION_SIZE, 0, "10000000",
    "an item whose blob would be larger is rejected", 1024, G_MAXINT32 },
  { ALLOY_KEY_JSON_MAX_DEPTH, ALLOY_OPTION_INT, 0, "512",
    "an item nested deeper than this many objects and arrays is rejected (at most 1000: "
    "json-glib 1.6 recurses and would overflow the stack)", 1, 1000 },
  { ALLOY_KEY_PARTITION_MAX_BYTES, ALLOY_OPTION_SIZE, 0, "256M",
    "an uncompressed NDJSON file larger than this is cut into byte ranges of this size, each "
    "its own partition", 4096, G_MAXINT64 },
  { ALLOY_KEY_DATASET_SETTLE, ALLOY_OPTION_DURATION, 0, "2s",
    "a changed file is served only once it has stayed unchanged this long", 0, 3600 * 1000 },
  { ALLOY_KEY_HEARTBEAT_INTERVAL, ALLOY_OPTION_DURATION, 0, "10s",
    "how often a Nexus stream sends a heartbeat until it completes (a cell gives up after 30 s "
    "of silence, so at most 10 s)", 10, 10 * 1000 },
  { ALLOY_KEY_PARCEL_MAX_BYTES, ALLOY_OPTION_SIZE, 0, "4M",
    "a parcel is sent once its inflated slots reach this size (a larger blob travels alone)",
    64 * 1024, 16 * 1024 * 1024 },
  { ALLOY_KEY_LOAD_WAIT_MAX, ALLOY_OPTION_DURATION, 0, "5m",
    "a stream that waited this long for its turn under load.concurrency fails with Exception",
    10, 24 * 3600 * 1000 },
  { ALLOY_KEY_STREAM_SKIP_INDEX, ALLOY_OPTION_INT, ALLOY_OPTION_FLAG_FORBIDDEN, NULL,
    "the partition index of one locus: the server sets it in each locus's partition properties, "
    "so it cannot be configured" },
  { NULL }
};

static const AlloyOptionSpec plugin_group_options[] = {
  { ALLOY_KEY_PLUGIN, ALLOY_OPTION_STRING, ALLOY_OPTION_FLAG_REQUIRED, NULL,
    "the module that implements this instance" },
  { NULL }
};

static const char *const protocols[] = { "thrift", "nexus", "http", NULL };

static const AlloyOptionSpec transport_group_options[] = {
  { ALLOY_KEY_PLUGIN, ALLOY_OPTION_STRING, ALLOY_OPTION_FLAG_REQUIRED, NULL,
    "the module that implements this instance" },
  { ALLOY_KEY_PROTOCOL, ALLOY_OPTION_ENUM, ALLOY_OPTION_FLAG_REQUIRED, NULL,
    "which protocol connections accepted here speak", 0, 0, protocols },
  { ALLOY_KEY_ADVERTISE, ALLOY_OPTION_ADDRESS, 0, NULL,
    "host:port that cells are told to connect to, when it differs from the bound address" },
  { NULL }
};

const AlloyOptionSpec *
alloy_core_options_main (void)
{
  return main_options;
}

const AlloyOptionSpec *
alloy_core_options_for_kind (AlloyPluginKind kind)
{
  return kind == ALLOY_PLUGIN_KIND_TRANSPORT ? transport_group_options : plugin_group_options;
}

char *
alloy_core_option_env_name (const char *key)
{
  g_autofree char *name = NULL;

  /* ALLOY_PLUGIN_PATH is the plugin search path itself, which comes after
   * the file's plugin-path rather than replacing it. */
  if (strcmp (key, ALLOY_KEY_PLUGIN_PATH) == 0)
    return NULL;
  /* The Burst-derived keys keep Java's rule (dots to underscores, upper
   * case); Alloy's own keys get the ALLOY_ prefix. */
  name = g_str_has_prefix (key, "alloy.") ? g_strdup (key) : g_strconcat ("alloy.", key, NULL);
  g_strdelimit (name, ".-", '_');
  return g_ascii_strup (name, -1);
}
