/* test-transport-tcp.c: the transport_tcp plugin. The echo server, the
 * fixture and the test bodies shared with test-transport-unix are in
 * transport-test-utils.c.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "transport-test-utils.h"

#include <string.h>

static guint16
bound_port (AlloyPluginInstance *instance)
{
  g_autoptr(GPtrArray) bound = alloy_transport_get_bound_addresses (ALLOY_TRANSPORT (instance));
  guint16 port;

  g_assert_cmpuint (bound->len, ==, 1);
  g_assert_true (G_IS_INET_SOCKET_ADDRESS (bound->pdata[0]));
  port = g_inet_socket_address_get_port (bound->pdata[0]);
  g_assert_cmpuint (port, !=, 0);
  return port;
}

static void
test_tcp_address_in_use (void)
{
  g_autoptr(AlloyPluginInstance) first = start_new_instance ("transport_tcp", "transport:first",
                                                             "listen=127.0.0.1:0");
  g_autoptr(AlloyPluginInstance) client = new_unconfigured_instance ("transport_tcp");
  g_autoptr(AlloyPluginInstance) second = NULL;
  g_autoptr(GPtrArray) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = bound_address (first);
  g_autofree char *listen = g_strdup_printf ("listen=%s", address);
  EchoServer echo = { 0 };

  g_signal_connect (first, "incoming", G_CALLBACK (on_incoming), &echo);
  second = alloy_test_new_instance ("transport_tcp", "transport:second", listen);
  g_assert_false (alloy_test_start_instance (second, &error));
  g_assert_error (error, ALLOY_TRANSPORT_ERROR, ALLOY_TRANSPORT_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, address));
  g_assert_nonnull (strstr (error->message, "transport:second"));
  bound = alloy_transport_get_bound_addresses (ALLOY_TRANSPORT (second));
  g_assert_cmpuint (bound->len, ==, 0);
  alloy_plugin_instance_stop (second);

  /* The failed start took nothing from the first. */
  assert_round_trip (client, address, 4096, 1);
  g_assert_cmpuint (echo.incoming, ==, 1);

  ALLOY_TEST_WAIT_UNTIL (echo.active == 0, TIMEOUT_MS);
  alloy_plugin_instance_stop (first);
  g_signal_handlers_disconnect_by_data (first, &echo);
  drain_main_context ();
  echo_server_clear (&echo);
}

static void
test_tcp_stop_frees_port (void)
{
  g_autoptr(AlloyPluginInstance) first = start_new_instance ("transport_tcp", "transport:first",
                                                             "listen=127.0.0.1:0");
  g_autoptr(AlloyPluginInstance) client = new_unconfigured_instance ("transport_tcp");
  g_autoptr(AlloyPluginInstance) second = NULL;
  g_autoptr(GPtrArray) bound = NULL;
  g_autofree char *address = bound_address (first);
  g_autofree char *listen = NULL;
  guint16 port = bound_port (first);
  EchoServer first_echo = { 0 };
  EchoServer second_echo = { 0 };

  g_signal_connect (first, "incoming", G_CALLBACK (on_incoming), &first_echo);
  /* A served connection first: its remains must not hold the port. */
  assert_round_trip (client, address, 4096, 2);
  ALLOY_TEST_WAIT_UNTIL (first_echo.active == 0, TIMEOUT_MS);

  alloy_plugin_instance_stop (first);
  bound = alloy_transport_get_bound_addresses (ALLOY_TRANSPORT (first));
  g_assert_cmpuint (bound->len, ==, 0);
  /* Binding the port again shows that it was closed, not just left
   * unattended (SO_REUSEADDR never allows a second listener). Connecting to
   * it while nobody listens would not: on loopback, Linux may pick P as the
   * client port and connect the socket to itself. */
  listen = g_strdup_printf ("listen=127.0.0.1:%u", port);
  second = start_new_instance ("transport_tcp", "transport:second", listen);
  g_assert_cmpuint (bound_port (second), ==, port);
  g_signal_connect (second, "incoming", G_CALLBACK (on_incoming), &second_echo);
  assert_round_trip (client, address, 4096, 3);
  g_assert_cmpuint (second_echo.incoming, ==, 1);
  /* No signal from the stopped instance. */
  g_assert_cmpuint (first_echo.incoming, ==, 1);

  ALLOY_TEST_WAIT_UNTIL (second_echo.active == 0, TIMEOUT_MS);
  alloy_plugin_instance_stop (second);
  g_signal_handlers_disconnect_by_data (first, &first_echo);
  g_signal_handlers_disconnect_by_data (second, &second_echo);
  drain_main_context ();
  echo_server_clear (&first_echo);
  echo_server_clear (&second_echo);
}

static void
test_tcp_connect_bad_address (void)
{
  g_autoptr(AlloyPluginInstance) client = new_unconfigured_instance ("transport_tcp");
  const char *const bad[] = {
    "nonsense", "127.0.0.1", "127.0.0.1:99999", "127.0.0.1:http", "::1:80", "[::1", "[::1]",
    ":80", "127.0.0.1:0", "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GIOStream) stream = connect_to (client, bad[i], &error);

      g_test_message ("address '%s': %s", bad[i], error ? error->message : "connected");
      g_assert_null (stream);
      g_assert_error (error, ALLOY_TRANSPORT_ERROR, ALLOY_TRANSPORT_ERROR_INVALID_ADDRESS);
    }
  drain_main_context ();
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/transport/tcp/ipv4/round-trip", Fixture, "tcp4", fixture_setup, test_round_trip,
              fixture_teardown);
  g_test_add ("/transport/tcp/ipv6/round-trip", Fixture, "tcp6", fixture_setup, test_round_trip,
              fixture_teardown);
  g_test_add ("/transport/tcp/many-connections", Fixture, "tcp4", fixture_setup,
              test_many_connections, fixture_teardown);
  g_test_add ("/transport/tcp/peer-closes-mid-stream", Fixture, "tcp4", fixture_setup,
              test_peer_closes_mid_stream, fixture_teardown);
  g_test_add_func ("/transport/tcp/address-in-use", test_tcp_address_in_use);
  g_test_add_func ("/transport/tcp/stop-frees-port", test_tcp_stop_frees_port);
  g_test_add_func ("/transport/tcp/connect-bad-address", test_tcp_connect_bad_address);

  return g_test_run ();
}
