/* alloy-transport.h: the interface of transport plugins.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#if !defined(ALLOY_INSIDE) && !defined(ALLOY_COMPILATION)
#error "Only <alloy/alloy.h> can be included directly."
#endif

#include <gio/gio.h>
#include <alloy/alloy-macros.h>
#include <alloy/alloy-plugin-instance.h>

G_BEGIN_DECLS

#define ALLOY_TRANSPORT_ERROR (alloy_transport_error_quark ())
ALLOY_AVAILABLE_IN_ALL
GQuark alloy_transport_error_quark (void);

typedef enum {
  ALLOY_TRANSPORT_ERROR_INVALID_ADDRESS, /* the address does not parse for this transport */
  ALLOY_TRANSPORT_ERROR_ADDRESS_IN_USE,  /* something live already listens there */
  ALLOY_TRANSPORT_ERROR_NOT_LISTENING,   /* the instance was never started */
} AlloyTransportError;

#define ALLOY_TYPE_TRANSPORT (alloy_transport_get_type ())
ALLOY_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (AlloyTransport, alloy_transport, ALLOY, TRANSPORT, AlloyPluginInstance)

/**
 * AlloyTransportInterface:
 * @get_bound_addresses: the addresses really bound once started (port 0
 *   resolved), as a new array of #GSocketAddress
 * @connect_async: open a client connection to @address, written without the
 *   scheme (`127.0.0.1:1270`, `[::1]:1270`, `/run/alloy/nexus.sock`)
 * @connect_finish: completes @connect_async with the connection's stream;
 *   the default propagates the pointer of a GTask, so an implementation that
 *   returns the stream with g_task_return_pointer() need not set it
 *
 * A transport listens where its group says (start), hands each accepted
 * connection to the core through the #AlloyTransport::incoming signal on the
 * core context, and opens client connections. A module named
 * `transport_SCHEME` serves addresses written `SCHEME:ADDRESS`; connecting
 * needs no configure or start.
 */
struct _AlloyTransportInterface {
  GTypeInterface g_iface;

  GPtrArray *(*get_bound_addresses) (AlloyTransport *self);
  void (*connect_async) (AlloyTransport *self, const char *address, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data);
  GIOStream *(*connect_finish) (AlloyTransport *self, GAsyncResult *result, GError **error);
};

ALLOY_AVAILABLE_IN_ALL
GPtrArray *alloy_transport_get_bound_addresses (AlloyTransport *self);
ALLOY_AVAILABLE_IN_ALL
void alloy_transport_connect_async (AlloyTransport *self, const char *address,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data);
ALLOY_AVAILABLE_IN_ALL
GIOStream *alloy_transport_connect_finish (AlloyTransport *self, GAsyncResult *result,
                                           GError **error);

/* For implementations: emits ::incoming. Call it on the core context. */
ALLOY_AVAILABLE_IN_ALL
void alloy_transport_emit_incoming (AlloyTransport *self, GIOStream *connection,
                                    const char *remote);

/* `127.0.0.1:1270`, `[::1]:1270` or the socket path: the form addresses
 * take in configuration, logs and connect_async. */
ALLOY_AVAILABLE_IN_ALL
char *alloy_socket_address_to_string (GSocketAddress *address);

G_END_DECLS
