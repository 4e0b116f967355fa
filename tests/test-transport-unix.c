/* test-transport-unix.c: the transport_unix plugin. The echo server, the
 * fixture and the test bodies shared with test-transport-tcp are in
 * transport-test-utils.c.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "transport-test-utils.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  return st.st_mode & 07777;
}

static gboolean
is_socket_file (const char *path)
{
  GStatBuf st;

  return g_lstat (path, &st) == 0 && S_ISSOCK (st.st_mode);
}

static gboolean
path_exists (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) == 0)
    return TRUE;
  g_assert_cmpint (errno, ==, ENOENT);
  return FALSE;
}

static char *
unix_group_text (const char *path, const char *mode)
{
  if (mode == NULL)
    return g_strdup_printf ("path=%s", path);
  return g_strdup_printf ("path=%s\nmode=%s", path, mode);
}

/* A socket file as a dead process leaves it: bound, never unlinked. */
static void
make_dead_socket (const char *path)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                         &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (g_socket_close (socket, &error));
  g_assert_no_error (error);
  g_assert_true (is_socket_file (path));
}

static void
test_unix_round_trip (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr(GPtrArray) bound = alloy_transport_get_bound_addresses (
    ALLOY_TRANSPORT (fixture->server));

  g_assert_cmpuint (bound->len, ==, 1);
  g_assert_true (G_IS_UNIX_SOCKET_ADDRESS (bound->pdata[0]));
  g_assert_true (g_str_has_prefix (fixture->address, fixture->tmp_dir));
  g_assert_cmpuint (file_mode (fixture->address), ==, 0660);
  test_round_trip (fixture, user_data);
}

static GError *
configure_unix_error (const char *path, const char *mode)
{
  const AlloyPlugin *plugin = alloy_test_load_plugin ("transport_unix");
  g_autoptr(AlloyPluginInstance) instance = g_object_new (plugin->type, NULL);
  g_autoptr(GKeyFile) config = g_key_file_new ();
  const char *group = "transport:bad-mode";
  GError *error = NULL;

  g_key_file_set_string (config, group, "plugin", "transport_unix");
  g_key_file_set_string (config, group, "path", path);
  g_key_file_set_string (config, group, "mode", mode);
  alloy_plugin_instance_set_name (instance, group);
  g_assert_false (alloy_plugin_instance_configure (instance, config, group, &error));
  g_assert_nonnull (error);
  return error;
}

static void
test_unix_mode (void)
{
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "mode.sock", NULL);
  g_autofree char *text = unix_group_text (path, "0600");
  g_autoptr(AlloyPluginInstance) instance = start_new_instance ("transport_unix",
                                                                "transport:mode", text);
  const char *const bad[] = { "0999", "abc", "01000", "-660", "0x1a4", "" };

  g_assert_cmpuint (file_mode (path), ==, 0600);
  alloy_plugin_instance_stop (instance);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = configure_unix_error (path, bad[i]);

      g_test_message ("mode '%s': %s", bad[i], error->message);
      g_assert_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE);
      g_assert_nonnull (strstr (error->message, "transport:bad-mode:mode:"));
    }
  alloy_test_remove_tree (dir);
}

static void
test_unix_stale_socket_replaced (void)
{
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "stale.sock", NULL);
  g_autofree char *text = unix_group_text (path, NULL);
  g_autoptr(AlloyPluginInstance) server = NULL;
  g_autoptr(AlloyPluginInstance) client = new_unconfigured_instance ("transport_unix");
  EchoServer echo = { 0 };

  make_dead_socket (path);
  server = start_new_instance ("transport_unix", "transport:stale", text);
  g_assert_cmpuint (file_mode (path), ==, 0660);
  g_signal_connect (server, "incoming", G_CALLBACK (on_incoming), &echo);
  assert_round_trip (client, path, 256 * 1024, 4);
  g_assert_cmpuint (echo.incoming, ==, 1);

  ALLOY_TEST_WAIT_UNTIL (echo.active == 0, TIMEOUT_MS);
  alloy_plugin_instance_stop (server);
  g_assert_false (path_exists (path));
  g_signal_handlers_disconnect_by_data (server, &echo);
  drain_main_context ();
  echo_server_clear (&echo);
  alloy_test_remove_tree (dir);
}

static void
test_unix_live_socket_refused (void)
{
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "live.sock", NULL);
  g_autofree char *text = unix_group_text (path, NULL);
  g_autoptr(AlloyPluginInstance) first = start_new_instance ("transport_unix", "transport:first",
                                                             text);
  g_autoptr(AlloyPluginInstance) second = NULL;
  g_autoptr(AlloyPluginInstance) client = new_unconfigured_instance ("transport_unix");
  g_autoptr(GPtrArray) bound = NULL;
  g_autoptr(GError) error = NULL;
  EchoServer echo = { 0 };

  g_signal_connect (first, "incoming", G_CALLBACK (on_incoming), &echo);
  second = alloy_test_new_instance ("transport_unix", "transport:second", text);
  g_assert_false (alloy_test_start_instance (second, &error));
  g_assert_error (error, ALLOY_TRANSPORT_ERROR, ALLOY_TRANSPORT_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, path));
  bound = alloy_transport_get_bound_addresses (ALLOY_TRANSPORT (second));
  g_assert_cmpuint (bound->len, ==, 0);
  /* Stopping the loser must not remove the winner's socket. */
  alloy_plugin_instance_stop (second);
  g_clear_object (&second);
  g_assert_true (is_socket_file (path));

  assert_round_trip (client, path, 256 * 1024, 5);
  /* The second's liveness probe is a connection too; it ends at once. */
  g_assert_cmpuint (echo.incoming, >=, 1);
  g_assert_cmpuint (echo.incoming, <=, 2);

  ALLOY_TEST_WAIT_UNTIL (echo.active == 0, TIMEOUT_MS);
  alloy_plugin_instance_stop (first);
  g_assert_false (path_exists (path));
  g_signal_handlers_disconnect_by_data (first, &echo);
  drain_main_context ();
  echo_server_clear (&echo);
  alloy_test_remove_tree (dir);
}

static void
test_unix_regular_file_kept (void)
{
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "precious.sock", NULL);
  g_autofree char *text = unix_group_text (path, NULL);
  g_autoptr(AlloyPluginInstance) instance = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  const char *precious = "not a socket: keep me\n";

  g_assert_true (g_file_set_contents (path, precious, -1, &error));
  g_assert_no_error (error);
  instance = alloy_test_new_instance ("transport_unix", "transport:precious", text);
  g_assert_false (alloy_test_start_instance (instance, &error));
  g_assert_nonnull (error);
  g_test_message ("start: %s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  alloy_plugin_instance_stop (instance);
  g_clear_object (&instance);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, precious);
  alloy_test_remove_tree (dir);
}

static void
test_unix_stop_unlinks (void)
{
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "stop.sock", NULL);
  g_autofree char *moved = g_build_filename (dir, "stop.sock.moved", NULL);
  g_autofree char *text = unix_group_text (path, NULL);
  g_autoptr(AlloyPluginInstance) instance = start_new_instance ("transport_unix",
                                                                "transport:stop", text);
  g_autoptr(GError) error = NULL;

  g_assert_true (is_socket_file (path));
  alloy_plugin_instance_stop (instance);
  g_assert_false (path_exists (path));

  /* Started again, then its file is replaced by another socket: stop must
   * leave the replacement. Our file is moved rather than removed so that
   * its inode cannot be recycled for the replacement. */
  g_assert_true (alloy_test_start_instance (instance, &error));
  g_assert_no_error (error);
  g_assert_true (is_socket_file (path));
  g_assert_cmpint (g_rename (path, moved), ==, 0);
  make_dead_socket (path);
  alloy_plugin_instance_stop (instance);
  g_assert_true (is_socket_file (path));

  drain_main_context ();
  alloy_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/transport/unix/round-trip", Fixture, "unix", fixture_setup, test_unix_round_trip,
              fixture_teardown);
  g_test_add_func ("/transport/unix/mode", test_unix_mode);
  g_test_add_func ("/transport/unix/stale-socket-replaced", test_unix_stale_socket_replaced);
  g_test_add_func ("/transport/unix/live-socket-refused", test_unix_live_socket_refused);
  g_test_add_func ("/transport/unix/regular-file-kept", test_unix_regular_file_kept);
  g_test_add_func ("/transport/unix/stop-unlinks", test_unix_stop_unlinks);
  g_test_add ("/transport/unix/many-connections", Fixture, "unix", fixture_setup,
              test_many_connections, fixture_teardown);
  g_test_add ("/transport/unix/peer-closes-mid-stream", Fixture, "unix", fixture_setup,
              test_peer_closes_mid_stream, fixture_teardown);

  return g_test_run ();
}
