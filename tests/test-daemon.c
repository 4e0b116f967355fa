/* test-daemon.c: alloyd as a subprocess: options, configuration checks,
 * listening, and shutting down with a drain period.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"

#include <glib/gstdio.h>

#include <signal.h>

typedef struct {
  char *dir;
  char *config_path;
  GSubprocess *process;
  GDataInputStream *stderr_lines;
  GString *stderr_text;
  gboolean stderr_done;
  GCancellable *cancellable;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *datasets = NULL;

  fixture->dir = alloy_test_make_tmp_dir ();
  fixture->config_path = g_build_filename (fixture->dir, "alloy.conf", NULL);
  datasets = g_build_filename (fixture->dir, "datasets", NULL);
  g_mkdir (datasets, 0755);
  fixture->stderr_text = g_string_new (NULL);
  fixture->cancellable = g_cancellable_new ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_cancellable_cancel (fixture->cancellable);
  if (fixture->process != NULL)
    {
      g_subprocess_force_exit (fixture->process);
      ALLOY_TEST_WAIT_UNTIL (fixture->stderr_done, 10000);
    }
  g_clear_object (&fixture->stderr_lines);
  g_clear_object (&fixture->process);
  g_object_unref (fixture->cancellable);
  g_string_free (fixture->stderr_text, TRUE);
  alloy_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->config_path);
}

static void
write_config (Fixture *fixture, const char *text)
{
  g_autofree char *full = g_strconcat ("[alloy]\nalloy.samplestore.location=datasets\n", text, NULL);

  g_assert_true (g_file_set_contents (fixture->config_path, full, -1, NULL));
}

/* Runs alloyd to completion; returns its exit status. */
static int
run (const char *const *args, char **out, char **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) g_getenv ("ALLOYD"));
  for (const char *const *arg = args; *arg; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

static void read_stderr_line (Fixture *fixture);

static void
on_stderr_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                     result, NULL, &error);

  if (line == NULL)
    {
      fixture->stderr_done = TRUE;
      return;
    }
  g_string_append_printf (fixture->stderr_text, "%s\n", line);
  if (g_test_verbose ())
    g_printerr ("alloyd: %s\n", line);
  read_stderr_line (fixture);
}

static void
read_stderr_line (Fixture *fixture)
{
  g_data_input_stream_read_line_async (fixture->stderr_lines, G_PRIORITY_DEFAULT, NULL,
                                       on_stderr_line, fixture);
}

static void
spawn (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  /* --verbose: the tests wait for debug lines such as accepted connections. */
  fixture->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE, &error, g_getenv ("ALLOYD"),
                                       "--verbose", "--config", fixture->config_path, NULL);
  g_assert_no_error (error);
  fixture->stderr_lines = g_data_input_stream_new (g_subprocess_get_stderr_pipe (fixture->process));
  read_stderr_line (fixture);
}

static gboolean
stderr_has (Fixture *fixture, const char *text)
{
  return strstr (fixture->stderr_text->str, text) != NULL;
}

/* The address after "listening: PROTOCOL SCHEME:" in alloyd's log. */
static char *
listen_address (Fixture *fixture, const char *protocol, const char *scheme)
{
  g_autofree char *marker = g_strdup_printf ("listening: %s %s:", protocol, scheme);
  const char *start = strstr (fixture->stderr_text->str, marker);
  const char *end;

  g_assert_nonnull (start);
  start += strlen (marker);
  end = strchr (start, ' ');
  return g_strndup (start, end - start);
}

static void
wait_ready (Fixture *fixture)
{
  ALLOY_TEST_WAIT_UNTIL (stderr_has (fixture, " ready") || fixture->stderr_done, 20000);
  if (!stderr_has (fixture, " ready"))
    g_error ("alloyd did not start:\n%s", fixture->stderr_text->str);
}

static void
wait_exit (Fixture *fixture, int expected_status)
{
  ALLOY_TEST_WAIT_UNTIL (fixture->stderr_done, 20000);
  g_subprocess_wait (fixture->process, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (fixture->process));
  if (g_subprocess_get_exit_status (fixture->process) != expected_status)
    g_error ("alloyd exited %d, expected %d:\n%s", g_subprocess_get_exit_status (fixture->process),
             expected_status, fixture->stderr_text->str);
  g_clear_object (&fixture->process);
}

/* Connects, and waits until alloyd has accepted the connection: before
 * that, a SIGTERM would find nothing to drain. */
static GIOStream *
connect_to (Fixture *fixture, const char *address)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  g_autoptr(GSocketAddress) local = NULL;
  g_autofree char *local_text = NULL;
  g_autofree char *accepted = NULL;

  connection = g_socket_client_connect_to_host (client, address, 0, NULL, &error);
  g_assert_no_error (error);
  local = g_socket_connection_get_local_address (connection, &error);
  g_assert_no_error (error);
  local_text = alloy_socket_address_to_string (local);
  accepted = g_strdup_printf ("connection from %s", local_text);
  ALLOY_TEST_WAIT_UNTIL (stderr_has (fixture, accepted), 10000);
  return G_IO_STREAM (connection);
}

static void
on_read_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gssize *read = user_data;

  *read = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);
}

#define LISTENERS                                                                  \
  "[transport:thrift]\nplugin=transport_tcp\nprotocol=thrift\nlisten=127.0.0.1:0\n" \
  "[transport:nexus]\nplugin=transport_tcp\nprotocol=nexus\nlisten=127.0.0.1:0\n"

static void
test_version (Fixture *fixture, gconstpointer data)
{
  const char *const args[] = { "--version", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (args, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "alloyd " ALLOY_VERSION " (plugin ABI 1.0)\n");
}

static void
test_help (Fixture *fixture, gconstpointer data)
{
  const char *const args[] = { "--help", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (args, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "--check-config"));
  g_assert_nonnull (strstr (out, "--set=KEY=VALUE"));
  g_assert_nonnull (strstr (out, "--list-plugins"));
}

static void
test_check_config_good (Fixture *fixture, gconstpointer data)
{
  const char *const args[] = { "--config", fixture->config_path, "--check-config",
                               "--set", "alloy.samplestore.loci.replication=3", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line2 = g_strdup_printf ("# %s:2\nalloy.samplestore.location=", fixture->config_path);

  write_config (fixture, LISTENERS);
  g_assert_cmpint (run (args, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, line2));
  g_assert_nonnull (strstr (out, "# --set alloy.samplestore.loci.replication=3\n"
                                 "alloy.samplestore.loci.replication=3\n"));
  g_assert_nonnull (strstr (out, "# default\nalloy.samplestore.load.concurrency=4\n"));
  g_assert_nonnull (strstr (out, "[discovery:default]\n# default\nplugin=discovery_static\n"));
  g_assert_null (strstr (err, "listening"));
}

static void
test_check_config_relative (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = g_path_get_dirname (fixture->dir);
  g_autofree char *base = g_path_get_basename (fixture->dir);
  g_autofree char *relative = g_build_filename (base, "alloy.conf", NULL);
  g_autofree char *expected = g_strdup_printf ("alloy.samplestore.location=%s/datasets\n",
                                               fixture->dir);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* Relative to the file, not to the working directory. */
  write_config (fixture, LISTENERS);
  g_subprocess_launcher_set_cwd (launcher, parent);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("ALLOYD"), "--config", relative,
                                         "--check-config", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("alloyd failed: %s", err);
  g_assert_nonnull (strstr (out, expected));
}

static void
test_check_config_bad (Fixture *fixture, gconstpointer data)
{
  const char *const args[] = { "--config", fixture->config_path, "--check-config", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = g_strdup_printf ("alloyd: %s:3: [alloy] lokation: unknown key",
                                               fixture->config_path);

  write_config (fixture, "lokation=/srv\n");
  g_assert_cmpint (run (args, &out, &err), ==, 1);
  g_assert_true (g_str_has_prefix (err, expected));
  g_assert_cmpstr (out, ==, "");
}

static void
test_check_config_plugin_error (Fixture *fixture, gconstpointer data)
{
  const char *const args[] = { "--config", fixture->config_path, "--check-config", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* Checked by the plugin's configure, which --check-config runs too. */
  write_config (fixture, "[transport:local]\nplugin=transport_unix\nprotocol=nexus\n"
                         "path=/tmp/x.sock\nmode=0999\n");
  g_autofree char *expected = g_strdup_printf ("alloyd: %s:7: [transport:local] mode: ",
                                               fixture->config_path);
  const char *const set_args[] = { "--config", fixture->config_path, "--check-config",
                                   "--set", "transport:local:mode=77x", NULL };
  g_autofree char *set_out = NULL;
  g_autofree char *set_err = NULL;

  g_assert_cmpint (run (args, &out, &err), ==, 1);
  if (!g_str_has_prefix (err, expected))
    g_error ("expected %s..., got %s", expected, err);
  /* The place is where the value came from. */
  g_assert_cmpint (run (set_args, &set_out, &set_err), ==, 1);
  g_assert_true (g_str_has_prefix (set_err, "alloyd: --set transport:local:mode=77x: "
                                            "[transport:local] mode: "));
}

static void
test_missing_config_file (Fixture *fixture, gconstpointer data)
{
  const char *const args[] = { "--config", "/nonexistent/alloy.conf", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (args, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "/nonexistent/alloy.conf"));
}

static void
test_list_plugins (Fixture *fixture, gconstpointer data)
{
  const char *const args[] = { "--list-plugins", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (args, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "\ndiscovery_static " ALLOY_VERSION ": discovery plugin ("));
  g_assert_nonnull (strstr (out, "\ntransport_tcp " ALLOY_VERSION ": transport plugin ("));
  g_assert_nonnull (strstr (out, "\ntransport_unix " ALLOY_VERSION ": transport plugin ("));
  g_assert_nonnull (strstr (out, "    protocol (enum, required): "));
  g_assert_nonnull (strstr (out, "      one of: thrift, nexus, http\n"));
  g_assert_nonnull (strstr (out, "    resolve-interval (duration, default 30s): "));
}

static void
test_list_plugins_from_config (Fixture *fixture, gconstpointer data)
{
  const char *const args[] = { "--list-plugins", "--config", fixture->config_path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *text = g_strdup_printf ("plugin-path=%s\n", g_getenv ("ALLOY_TEST_PLUGIN_DIR"));

  /* The file's plugin-path is searched too; the broken test modules are
   * listed with the reason each was refused. */
  write_config (fixture, text);
  g_assert_cmpint (run (args, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "\ngood_reader 1.0.0: reader plugin ("));
  g_assert_nonnull (strstr (out, "\nname_mismatch: refused ("));
  g_assert_nonnull (strstr (out, "name mismatch: the descriptor says 'some_other_name'"));
}

static void
test_cli_version (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, g_getenv ("ALLOY_CLI"),
                              "version", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "alloy " ALLOY_VERSION " (plugin ABI 1.0)\n");
  g_assert_true (g_subprocess_get_successful (process));
}

static void
test_stop_on_sigterm (Fixture *fixture, gconstpointer data)
{
  g_autofree char *socket_path = g_build_filename (fixture->dir, "nexus.sock", NULL);
  g_autofree char *text = g_strdup_printf (
      LISTENERS "[transport:local]\nplugin=transport_unix\nprotocol=nexus\npath=%s\n",
      socket_path);

  write_config (fixture, text);
  spawn (fixture);
  wait_ready (fixture);
  g_assert_true (stderr_has (fixture, "listening: thrift tcp:127.0.0.1:"));
  g_assert_true (stderr_has (fixture, "listening: nexus tcp:127.0.0.1:"));
  g_assert_true (stderr_has (fixture, "listening: nexus unix:"));
  g_assert_true (g_file_test (socket_path, G_FILE_TEST_EXISTS));

  g_subprocess_send_signal (fixture->process, SIGTERM);
  wait_exit (fixture, 0);
  g_assert_true (stderr_has (fixture, "stopped"));
  /* The unix listener cleaned up after itself. */
  g_assert_false (g_file_test (socket_path, G_FILE_TEST_EXISTS));
}

static void
test_stop_on_sigint (Fixture *fixture, gconstpointer data)
{
  write_config (fixture, LISTENERS);
  spawn (fixture);
  wait_ready (fixture);
  g_subprocess_send_signal (fixture->process, SIGINT);
  wait_exit (fixture, 0);
}

static void
test_drain_period_ends (Fixture *fixture, gconstpointer data)
{
  g_autofree char *address = NULL;
  g_autoptr(GIOStream) client = NULL;
  guint8 buffer[16];
  gssize read = -2;

  write_config (fixture, "drain-timeout=1s\n" LISTENERS);
  spawn (fixture);
  wait_ready (fixture);
  address = listen_address (fixture, "nexus", "tcp");
  /* An idle Nexus connection, as a cell's pool keeps them. */
  client = connect_to (fixture, address);
  g_input_stream_read_async (g_io_stream_get_input_stream (client), buffer, sizeof buffer,
                             G_PRIORITY_DEFAULT, NULL, on_read_done, &read);

  g_subprocess_send_signal (fixture->process, SIGTERM);
  ALLOY_TEST_WAIT_UNTIL (stderr_has (fixture, "draining 1 open connection(s) for up to 1000 ms"),
                         10000);
  /* The open connection is closed by the server when the period ends. */
  ALLOY_TEST_WAIT_UNTIL (read != -2, 10000);
  g_assert_cmpint (read, <=, 0);
  wait_exit (fixture, 0);
  g_assert_true (stderr_has (fixture, "drain period over"));
  g_assert_true (stderr_has (fixture, "closing 1 open connection(s)"));
}

static void
test_drain_ends_early (Fixture *fixture, gconstpointer data)
{
  g_autofree char *address = NULL;
  g_autoptr(GIOStream) client = NULL;

  /* A drain period far longer than the wait below. */
  write_config (fixture, "drain-timeout=5m\n" LISTENERS);
  spawn (fixture);
  wait_ready (fixture);
  address = listen_address (fixture, "thrift", "tcp");
  client = connect_to (fixture, address);
  g_subprocess_send_signal (fixture->process, SIGTERM);
  ALLOY_TEST_WAIT_UNTIL (stderr_has (fixture, "draining 1 open connection(s)"), 10000);
  g_assert_false (fixture->stderr_done);

  /* The last connection going away ends the drain. */
  g_io_stream_close (client, NULL, NULL);
  wait_exit (fixture, 0);
  g_assert_false (stderr_has (fixture, "drain period over"));
}

static void
test_second_signal_closes_now (Fixture *fixture, gconstpointer data)
{
  g_autofree char *address = NULL;
  g_autoptr(GIOStream) client = NULL;

  write_config (fixture, "drain-timeout=5m\n" LISTENERS);
  spawn (fixture);
  wait_ready (fixture);
  address = listen_address (fixture, "nexus", "tcp");
  client = connect_to (fixture, address);
  g_subprocess_send_signal (fixture->process, SIGTERM);
  ALLOY_TEST_WAIT_UNTIL (stderr_has (fixture, "draining 1 open connection(s)"), 10000);
  g_subprocess_send_signal (fixture->process, SIGTERM);
  wait_exit (fixture, 0);
  g_assert_true (stderr_has (fixture, "second signal"));
}

static void
test_fails_before_listening (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GSocketListener) blocker = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (blocker, NULL, &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  /* The thrift port is free, the nexus port taken: nothing may be left
   * listening, and the status is non-zero. */
  text = g_strdup_printf ("[transport:thrift]\nplugin=transport_tcp\nprotocol=thrift\n"
                          "listen=127.0.0.1:0\n"
                          "[transport:nexus]\nplugin=transport_tcp\nprotocol=nexus\n"
                          "listen=0.0.0.0:%u\n", port);
  write_config (fixture, text);
  spawn (fixture);
  wait_exit (fixture, 1);
  g_assert_true (stderr_has (fixture, "alloyd: cannot start: transport:nexus: cannot listen on 0.0.0.0:"));
  g_assert_false (stderr_has (fixture, " ready"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/daemon/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("version", test_version);
  ADD ("help", test_help);
  ADD ("check-config/good", test_check_config_good);
  ADD ("check-config/bad", test_check_config_bad);
  ADD ("check-config/relative-path", test_check_config_relative);
  ADD ("check-config/plugin-error", test_check_config_plugin_error);
  ADD ("missing-config-file", test_missing_config_file);
  ADD ("list-plugins", test_list_plugins);
  ADD ("list-plugins-from-config", test_list_plugins_from_config);
  ADD ("cli-version", test_cli_version);
  ADD ("stop/sigterm", test_stop_on_sigterm);
  ADD ("stop/sigint", test_stop_on_sigint);
  ADD ("stop/drain-period-ends", test_drain_period_ends);
  ADD ("stop/drain-ends-early", test_drain_ends_early);
  ADD ("stop/second-signal", test_second_signal_closes_now);
  ADD ("fails-before-listening", test_fails_before_listening);
#undef ADD

  return g_test_run ();
}
