/* test-cli.c: the `alloy` tool as a subprocess: schema check, press and
 * decode, their output and their errors.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

typedef AlloyTestTmpDir Fixture;

/* Runs `alloy ARGS...`; returns the exit status. */
static int
run (char **out, char **err, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("ALLOY_CLI"));
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

static char *
write_file (Fixture *fixture, const char *name, const char *text)
{
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

#define SCHEMA                                     \
  "schema Shop {\n version: 1\n root) visit : Visit\n" \
  " structure Visit {\n  0) id : long key\n  1) page : string\n  2) tags : vector[string]\n }\n}\n"

static void
test_schema_check (Fixture *fixture, gconstpointer data)
{
  const char *fixtures = alloy_test_fixtures_dir ();
  g_autofree char *quo = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (fixtures == NULL)
    {
      g_test_skip ("no ../shared/fixtures");
      return;
    }
  quo = g_build_filename (fixtures, "schemas", "quo", NULL);
  g_assert_cmpint (run (&out, &err, "schema", "check", quo, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "schema Quo: 3 version(s), root user : User\n"));
  g_assert_nonnull (strstr (out, "  structure Session (type key 61): 23 relation(s)\n"));
  g_assert_nonnull (strstr (out, "    8) parameters : map[string,string]  (since v2)\n"));
  g_assert_nonnull (strstr (out, "    0) flurryId : string key  (since v1)\n"));
}

static void
test_schema_check_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *bad = write_file (fixture, "Bad_v1.brio",
                                     "schema Bad {\n version: 1\n root) r : Root\n"
                                     " structure Root {\n  0) a : lnog\n }\n}\n");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = g_strdup_printf ("alloy: %s:5:", bad);

  g_assert_cmpint (run (&out, &err, "schema", "check", bad, NULL), ==, 1);
  g_assert_true (g_str_has_prefix (err, expected));
  g_assert_nonnull (strstr (err, "lnog"));
}

static void
test_press_and_decode (Fixture *fixture, gconstpointer data)
{
  g_autofree char *schema = write_file (fixture, "Shop_v1.brio", SCHEMA);
  g_autofree char *input = write_file (
      fixture, "visits.json",
      "[{\"id\":2,\"page\":\"home\",\"tags\":[\"a\",\"b\"]},"
      "{\"id\":\"x\",\"page\":{\"no\":1}},"
      "{\"id\":3,\"tags\":\"oops\"},"
      "{\"id\":4,\"extra\":true},"
      "17]");
  g_autofree char *blobs = g_build_filename (fixture->dir, "visits.blobs", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *decode_err = NULL;
  g_autofree char *prefix = g_strdup_printf ("alloy: %s:1:", input);

  /* Two items press; three are rejected, each with its place (file, line,
   * column) and reason. */
  g_assert_cmpint (run (&out, &err, "press", "--schema-path", fixture->dir, "--schema", "shop",
                        "-o", blobs, input, NULL), ==, 1);
  g_assert_true (g_str_has_prefix (out, "pressed 2, rejected 3, "));
  g_assert_nonnull (strstr (err, ":1:42: item 1 rejected: $.page: expected a string value, got "
                                 "an object\n"));
  g_assert_nonnull (strstr (err, ":1:69: item 2 rejected: $.tags: expected an array, got a "
                                 "string\n"));
  /* The reader rejects what is no object before the presser sees it. */
  g_assert_nonnull (strstr (err, ":1:114: expected an object, got a number (item 4 rejected)\n"));
  g_assert_true (g_str_has_prefix (err, prefix));

  g_assert_cmpint (run (&decoded, &decode_err, "decode", "--schema-path", fixture->dir,
                        "--schema", "Shop", blobs, NULL), ==, 0);
  g_assert_cmpstr (decoded, ==,
                   "{\"id\":2,\"page\":\"home\",\"tags\":[\"a\",\"b\"]}\n{\"id\":4}\n");
}

static void
test_press_ndjson (Fixture *fixture, gconstpointer data)
{
  g_autofree char *schema = write_file (fixture, "Shop_v1.brio", SCHEMA);
  g_autofree char *input = write_file (fixture, "visits.jsonl",
                                       "{\"id\":1}\n\n[1]\r\n{\"id\":2,\"page\":\"p\"}");
  g_autofree char *blobs = g_build_filename (fixture->dir, "visits.blobs", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *decode_err = NULL;
  g_autofree char *expected = g_strdup_printf ("alloy: %s:3:1: expected an object, got an array "
                                               "(item 1 rejected)\n", input);

  /* One object per line; blank lines are no items, CRLF is a line end. */
  g_assert_cmpint (run (&out, &err, "press", "-p", fixture->dir, "-s", "Shop", "-o", blobs, input,
                        NULL), ==, 1);
  g_assert_true (g_str_has_prefix (out, "pressed 2, rejected 1, "));
  g_assert_cmpstr (err, ==, expected);
  g_assert_cmpint (run (&decoded, &decode_err, "decode", "-p", fixture->dir, "-s", "Shop", blobs,
                        NULL), ==, 0);
  g_assert_cmpstr (decoded, ==, "{\"id\":1}\n{\"id\":2,\"page\":\"p\"}\n");
}

static void
test_decode_truncated (Fixture *fixture, gconstpointer data)
{
  g_autofree char *schema = write_file (fixture, "Shop_v1.brio", SCHEMA);
  g_autofree char *input = write_file (fixture, "one.json", "{\"id\":1,\"page\":\"p\"}");
  g_autofree char *blobs = g_build_filename (fixture->dir, "one.blobs", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gsize size = 0;

  g_assert_cmpint (run (&out, &err, "press", "-p", fixture->dir, "-s", "Shop", "-o", blobs, input,
                        NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_get_contents (blobs, &contents, &size, NULL));
  g_assert_true (g_file_set_contents (blobs, contents, size - 3, NULL));
  g_assert_cmpint (run (&out, &err, "decode", "-p", fixture->dir, "-s", "Shop", blobs, NULL), ==,
                   1);
  g_assert_nonnull (strstr (err, "slot 0 at offset 0: a "));
  g_assert_nonnull (strstr (err, "bytes are left"));
}

static void
test_press_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *schema = write_file (fixture, "Shop_v1.brio", SCHEMA);
  g_autofree char *fake_gz = write_file (fixture, "fake.json.gz", "[]");
  g_autofree char *blobs = g_build_filename (fixture->dir, "x.blobs", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (&out, &err, "press", "-p", fixture->dir, "-s", "Shop", "-o", blobs,
                        fake_gz, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "fake.json.gz: the name ends in .gz but the content is not "
                                 "gzip"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run (&out, &err, "press", "-p", fixture->dir, "-s", "nothing", "-o", blobs,
                        fake_gz, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "nothing"));
}

static void
test_datasets (Fixture *fixture, gconstpointer data)
{
  g_autofree char *datasets = g_build_filename (fixture->dir, "datasets", NULL);
  g_autofree char *outside = g_build_filename (fixture->dir, "outside", NULL);
  g_autofree char *config = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *const dirs[] = { "datasets/events/2026/11", "datasets/legacy", "outside", NULL };
  static const char *const files[][2] = {
    { "datasets/events/dataset.conf", "[dataset]\nschema=unity\ndescription=Unity events\n" },
    { "datasets/events/a.ndjson", "{\"a\":1}\n{\"a\":2}\n" },
    { "datasets/events/2026/11/b.json", "[{\"b\":1}]" },
    { "datasets/events/notes.txt", "x" },
    { "outside/x.ndjson", "{}\n" },
    { "datasets/legacy/dataset.conf", "[dataset]\nroot-version=0\n" },
    { "datasets/legacy/c.json", "[]" },
  };

  for (const char *const *dir = dirs; *dir; dir++)
    {
      g_autofree char *path = g_build_filename (fixture->dir, *dir, NULL);
      g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    g_free (write_file (fixture, files[i][0], files[i][1]));
  {
    g_autofree char *leak = g_build_filename (datasets, "events", "leak.ndjson", NULL);
    g_autofree char *target = g_build_filename (outside, "x.ndjson", NULL);
    g_autofree char *evil = g_build_filename (datasets, "evil", NULL);
    g_assert_cmpint (symlink (target, leak), ==, 0);
    g_assert_cmpint (symlink (outside, evil), ==, 0);
  }
  config = write_file (fixture, "alloy.conf",
                       "[alloy]\nalloy.samplestore.location=datasets\n"
                       "alloy.samplestore.partition.max.bytes=4k\n");

  /* Data, ignored files, refusals and broken settings all listed. */
  expected = g_strdup_printf (
      "location: %s\n"
      "datasets: 3 (1 broken, 1 refused)\n"
      "\n"
      "events\n"
      "  description: Unity events\n"
      "  schema: unity\n"
      "  partitions: 2 from 2 files\n"
      "  bytes: 25\n"
      "  generation: c4ebcbb3b433d84e\n"
      "  ignored: notes.txt\n"
      "  refused: leak.ndjson (symbolic link to %s/x.ndjson, outside the location root)\n"
      "\n"
      "evil\n"
      "  refused: %s/evil: symbolic link to %s, outside the location root\n"
      "\n"
      "legacy\n"
      "  broken: %s/legacy/dataset.conf:2: [dataset] root-version: '0' is out of range (1 to "
      "2147483647)\n"
      "  schema: from the view\n"
      "  partitions: 1 from 1 file\n"
      "  bytes: 2\n"
      "  generation: 3a674d99f707daec\n",
      datasets, outside, datasets, outside, datasets);
  g_assert_cmpint (run (&out, &err, "datasets", "--config", config, NULL), ==, 0);
  g_assert_cmpstr (out, ==, expected);
}

static void
test_press_quo (Fixture *fixture, gconstpointer data)
{
  const char *fixtures = alloy_test_fixtures_dir ();
  g_autofree char *schemas = NULL;
  g_autofree char *input = NULL;
  g_autofree char *blobs = g_build_filename (fixture->dir, "quo.blobs", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *decode_err = NULL;
  g_auto(GStrv) lines = NULL;

  if (fixtures == NULL)
    {
      g_test_skip ("no ../shared/fixtures");
      return;
    }
  schemas = g_build_filename (fixtures, "schemas", NULL);
  input = g_build_filename (fixtures, "data", "quo", "quo-view.json.gz", NULL);
  g_assert_cmpint (run (&out, &err, "press", "-p", schemas, "-s", "quo", "--root-version", "3",
                        "-o", blobs, input, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "pressed 26, rejected 0, "));
  /* The first slot's blob: [size][encodingVersion 2][rootVersion 3]... */
  {
    g_autofree char *contents = NULL;
    gsize size = 0;
    guint32 header[3];

    g_assert_true (g_file_get_contents (blobs, &contents, &size, NULL));
    g_assert_cmpuint (size, >, sizeof header);
    memcpy (header, contents, sizeof header);
    g_assert_cmpuint (GUINT32_FROM_LE (header[1]), ==, 2);
    g_assert_cmpuint (GUINT32_FROM_LE (header[2]), ==, 3);
  }
  g_assert_cmpint (run (&decoded, &decode_err, "decode", "-p", schemas, "-s", "quo", blobs, NULL),
                   ==, 0);
  lines = g_strsplit (decoded, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 27); /* 26 and the empty tail */
  g_assert_true (g_str_has_prefix (lines[0], "{\"flurryId\":\""));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/cli/" path, Fixture, NULL, alloy_test_tmp_dir_set_up, func, alloy_test_tmp_dir_tear_down)
  ADD ("schema-check", test_schema_check);
  ADD ("schema-check-errors", test_schema_check_errors);
  ADD ("press-and-decode", test_press_and_decode);
  ADD ("press-ndjson", test_press_ndjson);
  ADD ("decode-truncated", test_decode_truncated);
  ADD ("press-errors", test_press_errors);
  ADD ("press-quo", test_press_quo);
  ADD ("datasets", test_datasets);
#undef ADD

  return g_test_run ();
}
