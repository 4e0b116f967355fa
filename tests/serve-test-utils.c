/* serve-test-utils.c: alloyd and `alloy fetch` as subprocesses.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "serve-test-utils.h"

#include "alloy-data-file.h"

#include <glib/gstdio.h>

#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

static void read_stderr_line (ServeTestDaemon *daemon);

static void
on_stderr_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ServeTestDaemon *daemon = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                     result, NULL, &error);

  if (line == NULL)
    {
      daemon->stderr_done = TRUE;
      return;
    }
  g_string_append_printf (daemon->stderr_text, "%s\n", line);
  if (g_test_verbose ())
    g_printerr ("alloyd: %s\n", line);
  read_stderr_line (daemon);
}

static void
read_stderr_line (ServeTestDaemon *daemon)
{
  g_data_input_stream_read_line_async (daemon->stderr_lines, G_PRIORITY_DEFAULT, NULL,
                                       on_stderr_line, daemon);
}

gboolean
serve_test_daemon_log_has (ServeTestDaemon *daemon, const char *text)
{
  return strstr (daemon->stderr_text->str, text) != NULL;
}

/* A daemon dies with the test, even when the test aborts. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

ServeTestDaemon *
serve_test_daemon_start (const char *dir, const char *name, const char *config_text)
{
  ServeTestDaemon *daemon = g_new0 (ServeTestDaemon, 1);
  g_autofree char *file = g_strconcat (name, ".conf", NULL);
  g_autoptr(GError) error = NULL;
  /* Not the test's standard output: meson waits for it to close. */
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);

  daemon->config_path = g_build_filename (dir, file, NULL);
  g_assert_true (g_file_set_contents (daemon->config_path, config_text, -1, NULL));
  daemon->stderr_text = g_string_new (NULL);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  daemon->process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("ALLOYD"),
                                                 "--verbose", "--config", daemon->config_path,
                                                 NULL);
  g_assert_no_error (error);
  daemon->stderr_lines = g_data_input_stream_new (g_subprocess_get_stderr_pipe (daemon->process));
  read_stderr_line (daemon);
  /* Under valgrind the start takes seconds. */
  ALLOY_TEST_WAIT_UNTIL (serve_test_daemon_log_has (daemon, "this peer is") ||
                         daemon->stderr_done, 60000);
  if (daemon->stderr_done)
    g_error ("alloyd did not start:\n%s", daemon->stderr_text->str);
  return daemon;
}

char *
serve_test_daemon_address (ServeTestDaemon *daemon, const char *protocol, const char *scheme)
{
  g_autofree char *marker = g_strdup_printf ("listening: %s %s:", protocol, scheme);
  const char *start = strstr (daemon->stderr_text->str, marker);
  const char *end;

  g_assert_nonnull (start);
  start += strlen (marker);
  end = strchr (start, ' ');
  return g_strdup_printf ("%s:%.*s", scheme, (int) (end - start), start);
}

void
serve_test_daemon_stop (ServeTestDaemon *daemon)
{
  g_subprocess_send_signal (daemon->process, SIGTERM);
  ALLOY_TEST_WAIT_UNTIL (daemon->stderr_done, 60000);
  g_assert_true (g_subprocess_wait (daemon->process, NULL, NULL));
  if (!g_subprocess_get_if_exited (daemon->process) ||
      g_subprocess_get_exit_status (daemon->process) != 0)
    g_error ("alloyd did not exit cleanly:\n%s", daemon->stderr_text->str);
}

void
serve_test_daemon_free (ServeTestDaemon *daemon)
{
  if (daemon == NULL)
    return;
  if (!daemon->stderr_done)
    {
      g_subprocess_force_exit (daemon->process);
      ALLOY_TEST_WAIT_UNTIL (daemon->stderr_done, 60000);
    }
  g_clear_object (&daemon->stderr_lines);
  g_clear_object (&daemon->process);
  g_string_free (daemon->stderr_text, TRUE);
  g_free (daemon->config_path);
  g_free (daemon);
}

static void
on_fetch_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ServeTestFetch *fetch = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &fetch->out, &fetch->err,
                                        &error);
  g_assert_no_error (error);
  fetch->status = g_subprocess_get_if_exited (fetch->process)
                      ? g_subprocess_get_exit_status (fetch->process) : -1;
  fetch->done = TRUE;
}

ServeTestFetch *
serve_test_fetch_start (const char *const *args)
{
  ServeTestFetch *fetch = g_new0 (ServeTestFetch, 1);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) g_getenv ("ALLOY_CLI"));
  g_ptr_array_add (argv, (gpointer) "fetch");
  for (const char *const *arg = args; *arg; arg++)
    g_ptr_array_add (argv, (gpointer) *arg);
  g_ptr_array_add (argv, NULL);
  fetch->process = g_subprocess_newv ((const char *const *) argv->pdata,
                                      G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                          G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                      &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (fetch->process, NULL, NULL, on_fetch_done, fetch);
  return fetch;
}

int
serve_test_fetch_wait (ServeTestFetch *fetch)
{
  ALLOY_TEST_WAIT_UNTIL (fetch->done, 240000);
  if (g_test_verbose ())
    g_printerr ("alloy fetch: status %d\n%s%s", fetch->status, fetch->out, fetch->err);
  return fetch->status;
}

void
serve_test_fetch_assert_status (ServeTestFetch *fetch, int expected)
{
  if (serve_test_fetch_wait (fetch) != expected)
    g_error ("alloy fetch exited with %d, not %d:\n%s%s", fetch->status, expected, fetch->out,
             fetch->err);
}

void
serve_test_fetch_free (ServeTestFetch *fetch)
{
  if (fetch == NULL)
    return;
  if (!fetch->done)
    {
      g_subprocess_force_exit (fetch->process);
      ALLOY_TEST_WAIT_UNTIL (fetch->done, 60000);
    }
  g_clear_object (&fetch->process);
  g_free (fetch->out);
  g_free (fetch->err);
  g_free (fetch);
}

void
serve_test_parse_summary (const char *out, guint *loci, guint64 *items, guint64 *rejected)
{
  const char *line = strstr (out, "loci ");

  if (line == NULL ||
      sscanf (line, "loci %u, items %" G_GUINT64_FORMAT ", rejected %" G_GUINT64_FORMAT, loci,
              items, rejected) != 3)
    g_error ("no summary line in:\n%s", out);
}

gboolean
serve_test_make_quo_dataset (const char *datasets)
{
  const char *fixtures = alloy_test_fixtures_dir ();
  g_autofree char *from = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *to = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (fixtures == NULL)
    return FALSE;
  from = g_build_filename (fixtures, "data", "quo", "quo-view.json.gz", NULL);
  dir = g_build_filename (datasets, "quo", NULL);
  to = g_build_filename (dir, "quo-view.json.gz", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_get_contents (from, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (to, contents, length, NULL));
  return TRUE;
}

char *
serve_test_config (const char *datasets, const char *extra_alloy_keys)
{
  const char *fixtures = alloy_test_fixtures_dir ();
  g_autofree char *schemas = g_build_filename (fixtures ? fixtures : ".", "schemas", NULL);

  return g_strdup_printf ("[alloy]\n"
                          "node-id=test-peer\n"
                          "alloy.samplestore.location=%s\n"
                          "alloy.samplestore.schema.path=%s\n"
                          "alloy.samplestore.dataset.settle=0s\n"
                          "drain-timeout=30s\n"
                          "%s\n"
                          "[transport:thrift]\nplugin=transport_tcp\nprotocol=thrift\n"
                          "listen=127.0.0.1:0\n"
                          "[transport:nexus]\nplugin=transport_tcp\nprotocol=nexus\n"
                          "listen=127.0.0.1:0\n",
                          datasets, schemas, extra_alloy_keys ? extra_alloy_keys : "");
}
