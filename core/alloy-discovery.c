/* alloy-discovery.c: the discovery interface.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-private.h"

G_DEFINE_QUARK (alloy-discovery-error-quark, alloy_discovery_error)

G_DEFINE_INTERFACE (AlloyDiscovery, alloy_discovery, ALLOY_TYPE_PLUGIN_INSTANCE)

enum { SNAPSHOT, N_SIGNALS };
static guint signals[N_SIGNALS];
static GQuark generation_quark;

static void
default_refresh_now (AlloyDiscovery *self)
{
}

static void
alloy_discovery_default_init (AlloyDiscoveryInterface *iface)
{
  generation_quark = g_quark_from_static_string ("alloy-discovery-generation");
  iface->refresh_now = default_refresh_now;

  /**
   * AlloyDiscovery::snapshot:
   * @snapshot: a complete answer: every peer, or a failure
   *
   * Emitted on the core context.
   */
  signals[SNAPSHOT] = g_signal_new ("snapshot", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                    ALLOY_TYPE_PEER_SNAPSHOT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

void
alloy_discovery_refresh_now (AlloyDiscovery *self)
{
  g_return_if_fail (ALLOY_IS_DISCOVERY (self));

  ALLOY_DISCOVERY_GET_IFACE (self)->refresh_now (self);
}

/* Generations count from 1 per instance; the counter lives on the object
 * so that plugins cannot get it wrong. */
static guint64
next_generation (AlloyDiscovery *self)
{
  guint64 generation = GPOINTER_TO_SIZE (g_object_get_qdata (G_OBJECT (self), generation_quark)) + 1;

  g_object_set_qdata (G_OBJECT (self), generation_quark, GSIZE_TO_POINTER (generation));
  return generation;
}

void
alloy_discovery_publish_peers (AlloyDiscovery *self, GPtrArray *peers, guint next_refresh_hint_ms)
{
  g_autoptr(AlloyPeerSnapshot) snapshot = NULL;

  g_return_if_fail (ALLOY_IS_DISCOVERY (self));
  g_return_if_fail (peers != NULL);

  snapshot = alloy_peer_snapshot_new_authoritative (
      alloy_plugin_instance_get_name (ALLOY_PLUGIN_INSTANCE (self)), next_generation (self), peers,
      next_refresh_hint_ms);
  g_signal_emit (self, signals[SNAPSHOT], 0, snapshot);
}

void
alloy_discovery_publish_failure (AlloyDiscovery *self, const GError *error,
                                 guint next_refresh_hint_ms)
{
  g_autoptr(AlloyPeerSnapshot) snapshot = NULL;

  g_return_if_fail (ALLOY_IS_DISCOVERY (self));
  g_return_if_fail (error != NULL);

  snapshot = alloy_peer_snapshot_new_failed (
      alloy_plugin_instance_get_name (ALLOY_PLUGIN_INSTANCE (self)), next_generation (self), error,
      next_refresh_hint_ms);
  g_signal_emit (self, signals[SNAPSHOT], 0, snapshot);
}
