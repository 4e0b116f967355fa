/* alloy-transport.c: the transport interface.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-private.h"

G_DEFINE_QUARK (alloy-transport-error-quark, alloy_transport_error)

G_DEFINE_INTERFACE (AlloyTransport, alloy_transport, ALLOY_TYPE_PLUGIN_INSTANCE)

enum { INCOMING, N_SIGNALS };
static guint signals[N_SIGNALS];

static GPtrArray *
default_get_bound_addresses (AlloyTransport *self)
{
  return g_ptr_array_new_with_free_func (g_object_unref);
}

/* For the usual implementation, which returns its stream through a GTask. */
static GIOStream *
default_connect_finish (AlloyTransport *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
alloy_transport_default_init (AlloyTransportInterface *iface)
{
  iface->get_bound_addresses = default_get_bound_addresses;
  iface->connect_finish = default_connect_finish;

  /**
   * AlloyTransport::incoming:
   * @connection: the accepted connection
   * @remote: who connected, for logs
   *
   * Emitted on the core context for every accepted connection. The handler
   * takes its own reference.
   */
  signals[INCOMING] = g_signal_new ("incoming", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_IO_STREAM,
                                    G_TYPE_STRING);
}

GPtrArray *
alloy_transport_get_bound_addresses (AlloyTransport *self)
{
  g_return_val_if_fail (ALLOY_IS_TRANSPORT (self), NULL);

  return ALLOY_TRANSPORT_GET_IFACE (self)->get_bound_addresses (self);
}

void
alloy_transport_connect_async (AlloyTransport *self, const char *address,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  AlloyTransportInterface *iface;

  g_return_if_fail (ALLOY_IS_TRANSPORT (self));
  g_return_if_fail (address != NULL);

  iface = ALLOY_TRANSPORT_GET_IFACE (self);
  if (iface->connect_async == NULL)
    {
      g_task_report_new_error (self, callback, user_data, alloy_transport_connect_async,
                               G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "transport %s cannot connect", G_OBJECT_TYPE_NAME (self));
      return;
    }
  iface->connect_async (self, address, cancellable, callback, user_data);
}

GIOStream *
alloy_transport_connect_finish (AlloyTransport *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (ALLOY_IS_TRANSPORT (self), NULL);

  if (g_async_result_is_tagged (result, alloy_transport_connect_async))
    return g_task_propagate_pointer (G_TASK (result), error);
  return ALLOY_TRANSPORT_GET_IFACE (self)->connect_finish (self, result, error);
}

void
alloy_transport_emit_incoming (AlloyTransport *self, GIOStream *connection, const char *remote)
{
  g_return_if_fail (ALLOY_IS_TRANSPORT (self));
  g_return_if_fail (G_IS_IO_STREAM (connection));

  g_signal_emit (self, signals[INCOMING], 0, connection, remote);
}

char *
alloy_socket_address_to_string (GSocketAddress *address)
{
  g_return_val_if_fail (G_IS_SOCKET_ADDRESS (address), NULL);

  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
      GInetAddress *ip = g_inet_socket_address_get_address (inet);
      g_autofree char *host = g_inet_address_to_string (ip);
      guint16 port = g_inet_socket_address_get_port (inet);

      if (g_inet_address_get_family (ip) == G_SOCKET_FAMILY_IPV6)
        return g_strdup_printf ("[%s]:%u", host, port);
      return g_strdup_printf ("%s:%u", host, port);
    }
  if (G_IS_UNIX_SOCKET_ADDRESS (address))
    return g_strdup (g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (address)));
  return g_strdup (G_OBJECT_TYPE_NAME (address));
}
