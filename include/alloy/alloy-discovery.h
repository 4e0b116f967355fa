/* alloy-discovery.h: the interface of discovery plugins.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#if !defined(ALLOY_INSIDE) && !defined(ALLOY_COMPILATION)
#error "Only <alloy/alloy.h> can be included directly."
#endif

#include <glib-object.h>
#include <alloy/alloy-macros.h>
#include <alloy/alloy-peer.h>
#include <alloy/alloy-plugin-instance.h>

G_BEGIN_DECLS

#define ALLOY_DISCOVERY_ERROR (alloy_discovery_error_quark ())
ALLOY_AVAILABLE_IN_ALL
GQuark alloy_discovery_error_quark (void);

typedef enum {
  ALLOY_DISCOVERY_ERROR_TIMEOUT,
  ALLOY_DISCOVERY_ERROR_SERVFAIL,
  ALLOY_DISCOVERY_ERROR_REFUSED,
  ALLOY_DISCOVERY_ERROR_NETWORK,
  ALLOY_DISCOVERY_ERROR_MALFORMED,
  ALLOY_DISCOVERY_ERROR_HTTP,
  ALLOY_DISCOVERY_ERROR_AUTH,
  ALLOY_DISCOVERY_ERROR_FORBIDDEN,
  ALLOY_DISCOVERY_ERROR_EXPIRED,
  ALLOY_DISCOVERY_ERROR_CONFIG,
  ALLOY_DISCOVERY_ERROR_RESOLVE, /* no entry's host name resolved */
} AlloyDiscoveryError;

#define ALLOY_TYPE_DISCOVERY (alloy_discovery_get_type ())
ALLOY_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (AlloyDiscovery, alloy_discovery, ALLOY, DISCOVERY, AlloyPluginInstance)

/**
 * AlloyDiscoveryInterface:
 * @refresh_now: ask for an immediate refresh; a no-op while one is running
 *
 * A discovery instance tells the core which peers are live. After start it
 * publishes complete answers with alloy_discovery_publish_peers() or
 * alloy_discovery_publish_failure(), on the core context; the core sees
 * them as the #AlloyDiscovery::snapshot signal. The local peer is added by
 * the core, so a plugin reports only what its source says.
 */
struct _AlloyDiscoveryInterface {
  GTypeInterface g_iface;

  void (*refresh_now) (AlloyDiscovery *self);
};

ALLOY_AVAILABLE_IN_ALL
void alloy_discovery_refresh_now (AlloyDiscovery *self);

/* For implementations. Both emit ::snapshot with the next generation of
 * this instance; @peers is the complete list (AlloyPeer elements). */
ALLOY_AVAILABLE_IN_ALL
void alloy_discovery_publish_peers (AlloyDiscovery *self, GPtrArray *peers,
                                    guint next_refresh_hint_ms);
ALLOY_AVAILABLE_IN_ALL
void alloy_discovery_publish_failure (AlloyDiscovery *self, const GError *error,
                                      guint next_refresh_hint_ms);

G_END_DECLS
