/* test-fetch-cli.c: `alloy fetch` end to end, run as a subprocess against
 * the fake servers of this process: blobs from several loci into one
 * file, a locus that breaks a rule, a view that fails.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "fetch-test-utils.h"

#include <string.h>

/* --- alloy fetch ------------------------------------------------------------ */

typedef struct {
  gboolean done;
  int status;
  char *out;
  char *err;
} Run;

static void
on_communicated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err,
                                        &error);
  g_assert_no_error (error);
  run->status = g_subprocess_get_if_exited (G_SUBPROCESS (source)) ?
                g_subprocess_get_exit_status (G_SUBPROCESS (source)) : -1;
  run->done = TRUE;
}

/* Runs `alloy fetch` against the fixture's Thrift server, plus @extra
 * (NULL-terminated), while this context serves. */
static void
run_fetch (Fixture *fixture, Run *run, const char *const *extra)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, g_strdup (g_getenv ("ALLOY_CLI")));
  g_ptr_array_add (argv, g_strdup ("fetch"));
  g_ptr_array_add (argv, g_strdup_printf ("--server=tcp:127.0.0.1:%u", fixture->thrift.port));
  for (; *extra != NULL; extra++)
    g_ptr_array_add (argv, g_strdup (*extra));
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char *const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  memset (run, 0, sizeof *run);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_communicated, run);
  ALLOY_TEST_WAIT_UNTIL (run->done, WAIT_MS);
  g_test_message ("stdout:\n%sstderr:\n%s", run->out, run->err);
}

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

static const char *
last_line (const char *text)
{
  const char *end = text + strlen (text);
  const char *start;

  g_assert_true (end > text && end[-1] == '\n');
  for (start = end - 1; start > text && start[-1] != '\n'; start--)
    ;
  return start;
}

static void
set_loci (Fixture *fixture, const char *const *suids)
{
  g_ptr_array_set_size (fixture->thrift.loci, 0);
  for (guint i = 0; suids[i] != NULL; i++)
    {
      g_autofree char *unix_host = g_strconcat ("unix:", fixture->nexus.unix_path, NULL);
      gboolean by_unix = i == 1;

      g_ptr_array_add (fixture->thrift.loci,
                       alloy_locus_new (suids[i], by_unix ? unix_host : "127.0.0.1", "localhost",
                                        by_unix ? 0 : fixture->nexus.port));
    }
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Three loci, one over the unix socket: every blob lands in the file. */
static void
test_cli_good (Fixture *fixture, gconstpointer data)
{
  static const char *const suids[] = { "good.0", "good.1", "good.2", NULL };
  g_autofree char *out = g_build_filename (fixture->tmp, "blobs", NULL);
  g_autofree char *out_arg = g_strconcat ("--out=", out, NULL);
  const char *const extra[] = { "--schema=quo", "--dataset=demo", "--verbose", "--timeout=20",
                                out_arg, NULL };
  g_autoptr(GRegex) summary = g_regex_new ("^loci 3, items 9, rejected 3, parcels 6, bytes 42, "
                                           "[0-9.]+ s, [0-9.]+ items/s, [0-9.]+ MB/s\n$", 0, 0,
                                           NULL);
  g_autofree char *contents = NULL;
  g_autofree char *joined = NULL;
  g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func (g_free);
  gsize length = 0;
  GHashTable *store;
  Run run;

  set_loci (fixture, suids);
  run_fetch (fixture, &run, extra);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_regex_match (summary, last_line (run.out), 0, NULL));
  g_assert_nonnull (strstr (run.out, "locus 1: good.1 at unix:"));
  g_assert_nonnull (strstr (run.out, "status -100 (End)"));
  /* Not equal to "": valgrind may trace the child and speak there. */
  g_assert_null (strstr (run.err, "alloy fetch:"));
  g_assert_cmpuint (fixture->nexus.initiates, ==, 3);
  g_assert_cmpuint (fixture->nexus.peers->len, ==, 3);
  store = fixture->thrift.request->store_properties;
  g_assert_cmpstr (g_hash_table_lookup (store, "burst.store.name"), ==, "sample");
  g_assert_cmpstr (g_hash_table_lookup (store, "burst.samplestore.source.name"), ==, "alloy");
  g_assert_cmpstr (g_hash_table_lookup (store, "alloy.samplestore.dataset"), ==, "demo");
  g_assert_cmpstr (fixture->thrift.request->schema_name, ==, "quo");
  g_assert_cmpuint (strlen (fixture->thrift.request->guid), ==, 33);
  g_assert_cmpint (fixture->thrift.request->guid[0], ==, 'B');
  g_assert_cmpuint (strspn (fixture->thrift.request->guid + 1, "0123456789ABCDEF"), ==, 32);
  g_assert_cmpstr (fixture->nexus.initiate->guid, ==, fixture->thrift.request->guid);

  /* Parcels of different loci interleave: compare the sorted blobs. */
  g_assert_true (g_file_get_contents (out, &contents, &length, NULL));
  for (gsize at = 0, size; at < length; at += 4 + size)
    {
      guint32 le;

      g_assert_cmpuint (length - at, >=, 4);
      memcpy (&le, contents + at, 4);
      size = GUINT32_FROM_LE (le);
      g_assert_cmpuint (length - at - 4, >=, size);
      g_ptr_array_add (blobs, g_strndup (contents + at + 4, size));
    }
  g_ptr_array_sort (blobs, compare_strings);
  g_ptr_array_add (blobs, NULL);
  joined = g_strjoinv (",", (char **) blobs->pdata);
  g_assert_cmpstr (joined, ==, "alpha,alpha,alpha,beta,beta,beta,gamma,gamma,gamma");
  run_clear (&run);
}

/* One locus breaks a rule: it is named, the other finishes, exit 1. */
static void
test_cli_bad_locus (Fixture *fixture, gconstpointer data)
{
  static const char *const suids[] = { "good.0", "heartbeat-699.1", NULL };
  const char *const extra[] = { "--schema=quo", "--dataset=demo", "--variant=old", NULL };
  g_autofree char *expected = g_strdup_printf ("alloy fetch: locus 1 (heartbeat-699.1 at unix:%s"
                                               "): HEARTBEAT_STATUS", fixture->nexus.unix_path);
  Run run;

  set_loci (fixture, suids);
  run_fetch (fixture, &run, extra);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, expected));
  g_assert_true (g_str_has_prefix (last_line (run.out),
                                   "loci 2, items 3, rejected 1, parcels 2, bytes 14, "));
  run_clear (&run);
}

static void
test_cli_view_fails (Fixture *fixture, gconstpointer data)
{
  const char *const extra[] = { "--schema=quo", "--dataset=nope", NULL };
  const char *const usage[] = { "--schema=quo", NULL };
  Run run;

  fixture->thrift.mode = THRIFT_STATE;
  run_fetch (fixture, &run, extra);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "alloy fetch: Got Invalid from samplestore master: "
                                     "no dataset 'nope'\n"));
  g_assert_cmpstr (run.out, ==, "");
  run_clear (&run);
  run_fetch (fixture, &run, usage);
  g_assert_cmpint (run.status, ==, 2);
  run_clear (&run);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  alloy_test_log_init ();

#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("/fetch-client/cli/good", NULL, test_cli_good);
  ADD ("/fetch-client/cli/bad-locus", NULL, test_cli_bad_locus);
  ADD ("/fetch-client/cli/view-fails", NULL, test_cli_view_fails);
#undef ADD
  return g_test_run ();
}
