/* test-reader-json.c: the reader_json plugin: framing of JSON array files
 * and single objects, locations, gzip, the Burst fixture, bounded memory,
 * probe scores and cancellation. Rejections and what follows them are in
 * test-reader-json-errors.c.
 *
 * Most cases compare a transcript (one line per item or error) and run it
 * three ways: from a memory stream, and from streams that hand out 1 and 7
 * bytes per read, so that every chunk boundary is crossed.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "reader-test-utils.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* --- valid input ---------------------------------------------------------- */

static void
test_array (void)
{
  rj_check ("[{\"a\":1},\n {\"b\":[1,2,{\"c\":\"]\"}]}]\n", -1,
            "1:2@1#0 {\"a\":1}\n"
            "2:2@11#1 {\"b\":[1,2,{\"c\":\"]\"}]}\n");
  /* Nesting, and columns in bytes after multi-byte characters. */
  rj_check ("[{\"a\":{\"b\":{\"c\":[{\"d\":{}}]}}},{\"é\":\"ü😀\",\"x\":\"☕\"},{\"z\":1}]", -1,
            "1:2@1#0 {\"a\":{\"b\":{\"c\":[{\"d\":{}}]}}}\n"
            "1:31@30#1 {\"é\":\"ü😀\",\"x\":\"☕\"}\n"
            "1:57@56#2 {\"z\":1}\n");
}

#define ESCAPED_1 "{\"s\":\"a\\\"]}[{\"}"
#define ESCAPED_2 "{\"t\":\"\\\\\"}"
#define ESCAPED_3 "{\"u\":\"\\\\\\\"}\"}"

static void
test_strings (void)
{
  /* Quotes, backslashes and brackets inside strings end nothing. */
  rj_check ("[" ESCAPED_1 "," ESCAPED_2 "," ESCAPED_3 "]", -1,
            "1:2@1#0 " ESCAPED_1 "\n"
            "1:18@17#1 " ESCAPED_2 "\n"
            "1:29@28#2 " ESCAPED_3 "\n");
  /* An escaped line end inside a string still counts as a line. */
  rj_check ("[{\"a\":\"x\\\ny\"},{}]", -1, "1:2@1#0 {\"a\":\"x\\\ny\"}\n2:5@14#1 {}\n");
}

static void
test_single_object (void)
{
  rj_check ("{\"a\":1}\n", -1, "1:1@0#0 {\"a\":1}\n");
  rj_check ("\n  {\"a\": [1]}  \n", -1, "2:3@3#0 {\"a\": [1]}\n");
}

static void
test_empty (void)
{
  /* No items, no error: an empty file is an empty dataset file. */
  rj_check ("", -1, "");
  rj_check (" \n\t\r\n", -1, "");
  rj_check ("[]", -1, "");
  rj_check (" [ \n ] \n", -1, "");
}

static void
test_bom (void)
{
  /* Skipped at offset 0; columns and offsets still count its bytes. */
  rj_check ("\xef\xbb\xbf[{\"a\":1}]", -1, "1:5@4#0 {\"a\":1}\n");
  rj_check ("\xef\xbb\xbf{}", -1, "1:4@3#0 {}\n");
  rj_check ("\xef\xbb\xbf", -1, "");
  rj_check ("\xef\xbb", -1, "STREAM 1:3@2#0 t.json:1:3: the file ends inside a byte order mark\n");
  rj_check ("\xef\xbb" "x[]", -1,
            "STREAM 1:3@2#0 t.json:1:3: the file is neither a JSON array nor an object: expected "
            "'[' or '{', got 'x': the rest of the file is lost\n");
  rj_check (" \xef\xbb\xbf[]", -1,
            "STREAM 1:2@1#0 t.json:1:2: the file is neither a JSON array nor an object: expected "
            "'[' or '{', got byte 0xef: the rest of the file is lost\n");
}

static void
test_crlf (void)
{
  rj_check ("[\r\n{\"a\":1},\r\n{\r\n\"b\":2\r\n}, 7\r\n]\r\n", -1,
            "2:1@3#0 {\"a\":1}\n"
            "3:1@13#1 {\r\n\"b\":2\r\n}\n"
            "ITEM 5:4@26#2 t.json:5:4: expected an object, got a number\n");
}


/* --- gzip ------------------------------------------------------------------ */

static char *
gzip_element (guint i)
{
  return g_strdup_printf ("{\"i\":%u,\"text\":\"element %u of the gzip test, %x\"}", i, i * 7919,
                          i * 104729);
}

static GBytes *
gzip_input (guint n)
{
  g_autoptr(GString) text = g_string_new ("[");

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *element = gzip_element (i);

      g_string_append_printf (text, "%s%s", i ? ",\n" : "", element);
    }
  g_string_append (text, "]\n");
  return reader_test_gzip (text->str, text->len);
}

/* Reads gzip @data through a decompressor: the items must be the first ones
 * of the file, in order, and a STREAM error must end them. */
static guint
read_broken_gzip (GBytes *data, guint n)
{
  g_autoptr(AlloyReader) reader = rj_new_reader (NULL);
  g_autoptr(GInputStream) stream = reader_test_gunzip_stream (data);
  g_autoptr(AlloyItemIter) iter = rj_open_stream (reader, stream);
  g_autoptr(GError) error = NULL;
  AlloyItemLocation location;
  guint items = 0;

  while (TRUE)
    {
      g_autoptr(GBytes) item = NULL;
      g_autofree char *expected = gzip_element (items);

      if (!alloy_item_iter_next (iter, &item, &location, NULL, &error))
        break;
      g_assert_cmpmem (g_bytes_get_data (item, NULL), g_bytes_get_size (item), expected,
                       strlen (expected));
      items++;
    }
  g_assert_error (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_STREAM);
  g_test_message ("%u of %u items, then: %s", items, n, error->message);
  g_assert_true (g_pattern_match_simple ("t.json:*:*: cannot read item * (starting at line *): "
                                         "*: the rest of the file, after item *, is lost",
                                         error->message));
  rj_assert_finished (iter);
  return items;
}

static void
test_gzip (void)
{
  const guint n = 4000;
  g_autoptr(GBytes) good = gzip_input (n);
  g_autoptr(GBytes) truncated = reader_test_gzip_damage (good, TRUE);
  g_autoptr(GBytes) corrupted = reader_test_gzip_damage (good, FALSE);
  guint items;

  /* A gzip stream cut in half, and one with its middle overwritten. */
  items = read_broken_gzip (truncated, n);
  g_assert_cmpuint (items, >, 0);
  g_assert_cmpuint (items, <, n);
  items = read_broken_gzip (corrupted, n);
  g_assert_cmpuint (items, >, 0);
  g_assert_cmpuint (items, <, n);
}

/* The Burst fixture: 26 users in one array, the largest about 15.5 MB. */
static void
test_quo_fixture (void)
{
  const char *fixtures = alloy_test_fixtures_dir ();
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GInputStream) base = NULL;
  g_autoptr(GZlibDecompressor) decompressor = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(AlloyReader) reader = rj_new_reader (NULL);
  g_autoptr(AlloyItemIter) iter = NULL;
  g_autoptr(GError) error = NULL;
  guint64 total = 0, next_offset = 1;
  guint items = 0;

  if (fixtures == NULL)
    {
      g_test_skip ("no fixtures (ALLOY_FIXTURES)");
      return;
    }
  path = g_build_filename (fixtures, "data", "quo", "quo-view.json.gz", NULL);
  file = g_file_new_for_path (path);
  base = G_INPUT_STREAM (g_file_read (file, NULL, &error));
  g_assert_no_error (error);
  decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  stream = g_converter_input_stream_new (base, G_CONVERTER (decompressor));
  iter = rj_open_stream (reader, stream);
  while (TRUE)
    {
      g_autoptr(GBytes) item = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      AlloyItemLocation location;
      gsize size = 0;
      const char *data;
      JsonNode *root;
      const char *id;

      if (!alloy_item_iter_next (iter, &item, &location, NULL, &error))
        break;
      data = g_bytes_get_data (item, &size);
      g_assert_cmpuint (location.index, ==, items);
      g_assert_cmpuint (location.line, ==, 1);
      g_assert_cmpuint (location.offset, ==, next_offset);
      g_assert_cmpuint (location.column, ==, next_offset + 1);
      g_assert_true (json_parser_load_from_data (parser, data, (gssize) size, &error));
      g_assert_no_error (error);
      root = json_parser_get_root (parser);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
      id = json_object_get_string_member_with_default (json_node_get_object (root), "flurryId",
                                                       "");
      g_assert_cmpuint (strlen (id), ==, 40);
      next_offset = location.offset + size + 1; /* elements are separated by ',' alone */
      total += size;
      items++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (items, ==, 26);
  /* Every byte but the brackets, the commas and the final newline. */
  g_assert_cmpuint (total, ==, 23089370 - 2 - 25 - 1);
}

/* --- bounded memory ------------------------------------------------------------ */


/* Not under ASan, whose quarantine keeps freed items around, nor under
 * valgrind (when it follows children), whose own memory is counted. */
static gboolean
rss_is_meaningful (void)
{
#if defined(__SANITIZE_ADDRESS__)
  return FALSE;
#else
  const char *preload = g_getenv ("LD_PRELOAD");

  return preload == NULL || strstr (preload, "valgrind") == NULL;
#endif
}

/* About 200 MB: 131072 elements of 1 KiB and, in the middle, one of 64 MiB
 * that item-max-bytes=4M rejects. Runs in a fresh process so that its peak
 * RSS says what reading cost. */
static void
test_bounded_memory (void)
{
  const guint n = 131073, big = 65536;
  g_autoptr(AlloyReader) reader = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(AlloyItemIter) iter = NULL;
  gsize largest = 0;
  guint items = 0, rejected = 0;
  glong before;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  reader = rj_new_reader ("item-max-bytes=4M\n");
  stream = reader_test_stream_new_generated (n, 1014, big, 64 * 1024 * 1024);
  iter = rj_open_stream (reader, stream);
  before = alloy_test_peak_rss_kib ();
  while (TRUE)
    {
      g_autoptr(GBytes) item = NULL;
      g_autoptr(GError) error = NULL;
      AlloyItemLocation location;

      if (alloy_item_iter_next (iter, &item, &location, NULL, &error))
        {
          largest = MAX (largest, g_bytes_get_size (item));
          items++;
          continue;
        }
      if (error == NULL)
        break;
      g_assert_error (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_ITEM);
      g_assert_cmpstr (error->message, ==,
                       "t.json:65537:1: item of 67108874 bytes is larger than item-max-bytes "
                       "(4194304 bytes)");
      g_assert_cmpuint (location.index, ==, big);
      rejected++;
    }
  g_assert_cmpuint (items, ==, n - 1);
  g_assert_cmpuint (rejected, ==, 1);
  g_assert_cmpuint (largest, ==, 1024);
  g_assert_cmpuint (TEST_STREAM (stream)->produced, >, 200 * 1000 * 1000);
  /* One chunk, at most 4 MiB of the big element, and allocator slack:
   * never the 64 MiB element nor the 200 MB file. */
  g_test_message ("peak RSS grew by %ld KiB", alloy_test_peak_rss_kib () - before);
  if (rss_is_meaningful ())
    g_assert_cmpint (alloy_test_peak_rss_kib () - before, <, 32 * 1024);
}

/* --- probe, ranges, cancellation, configuration ---------------------------- */

static void
test_probe (void)
{
  g_autoptr(AlloyReader) reader = rj_new_reader (NULL);
  static const struct {
    const char *name;
    const char *head;
    guint score;
  } cases[] = {
    { "x.json", "[{}]", 60 },
    { "x.json", "{}", 60 },
    { "x.json.gz", "\xef\xbb\xbf \r\n\t[", 60 },
    { "x.json", "", 30 },
    { "x.json", "  ", 30 },
    { "x.json.gz", "\x1f\x8b", 30 },
    { "x.txt", " \n[", 20 },
    { "x.jsonl", "[1]", 20 },
    { "x.txt", "{}", 0 },
    { "x.ndjson", "{\"a\":1}\n", 0 },
    { "x.json.bak", "{", 0 },
    { "json", "[", 20 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpuint (alloy_reader_probe (reader, cases[i].name, (const guint8 *) cases[i].head,
                                          strlen (cases[i].head)), ==, cases[i].score);
}

static void
test_range_unsupported (void)
{
  g_autoptr(AlloyReader) reader = rj_new_reader (NULL);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data ("[]", 2, NULL);
  const guint64 ranges[][2] = { { 10, G_MAXUINT64 }, { 0, 100 } };

  for (guint i = 0; i < G_N_ELEMENTS (ranges); i++)
    {
      AlloyReaderInput input = { .display_name = "t.json", .range_start = ranges[i][0],
                                 .range_end = ranges[i][1] };
      g_autoptr(GError) error = NULL;
      g_autoptr(AlloyItemIter) iter = alloy_reader_open (reader, stream, &input, NULL, &error);

      g_assert_null (iter);
      g_assert_error (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_UNSUPPORTED);
      g_assert_cmpstr (error->message, ==,
                       "t.json: reader_json reads whole files only: a JSON array has no record "
                       "boundaries to split it into byte ranges");
    }
}

static void
test_cancelled (void)
{
  g_autoptr(AlloyReader) reader = rj_new_reader (NULL);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data ("[{},{}]", 7, NULL);
  g_autoptr(AlloyItemIter) iter = rj_open_stream (reader, stream);
  g_autoptr(GInputStream) gen = reader_test_stream_new_generated (3, 10, 1, 64 * 1024 * 1024);
  g_autoptr(AlloyItemIter) gen_iter = rj_open_stream (reader, gen);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) reading = g_cancellable_new ();
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GError) error = NULL;
  AlloyItemLocation location;
  GBytes *none = NULL;

  /* Between items. */
  g_assert_true (alloy_item_iter_next (iter, &first, &location, cancellable, &error));
  g_cancellable_cancel (cancellable);
  g_assert_false (alloy_item_iter_next (iter, &none, &location, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (none);
  g_clear_error (&error);
  rj_assert_finished (iter);

  /* Inside a 64 MiB element, from a stream that does not look at the
   * cancellable itself: stopped after the next read, not at its end. */
  g_clear_pointer (&first, g_bytes_unref);
  g_assert_true (alloy_item_iter_next (gen_iter, &first, &location, reading, &error));
  TEST_STREAM (gen)->cancellable = reading;
  TEST_STREAM (gen)->cancel_at = 1024 * 1024;
  g_assert_false (alloy_item_iter_next (gen_iter, &none, &location, reading, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (TEST_STREAM (gen)->produced, <, 2 * 1024 * 1024);
  TEST_STREAM (gen)->cancellable = NULL;
  g_clear_error (&error);
  rj_assert_finished (gen_iter);
}

static void
test_configure (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyReader) reader = rj_new_reader_full ("[alloy]\nalloy.samplestore.json.max.depth=0\n",
                                                      &error);
  g_autoptr(GError) small_error = NULL;
  /* The core checks the value first; an instance made without it, too. */
  g_autoptr(AlloyReader) small = rj_new_reader_full ("item-max-bytes=0\n", &small_error);
  g_autoptr(AlloyReader) described = rj_new_reader ("item-max-bytes=1M\n");
  g_autofree char *line = alloy_plugin_instance_describe (ALLOY_PLUGIN_INSTANCE (described));

  g_assert_null (reader);
  g_assert_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE);
  g_assert_cmpstr (error->message, ==,
                   "alloy:alloy.samplestore.json.max.depth: expected a whole number from 1 to "
                   "1000");
  g_assert_null (small);
  g_assert_error (small_error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE);
  g_assert_cmpstr (small_error->message, ==,
                   "reader:json:item-max-bytes: expected a size from 1k to 2G-1 bytes");
  g_assert_cmpstr (line, ==,
                   "[reader:json] JSON arrays of objects: items up to 1048576 bytes, nested up to "
                   "512 levels");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reader-json/array", test_array);
  g_test_add_func ("/reader-json/strings", test_strings);
  g_test_add_func ("/reader-json/single-object", test_single_object);
  g_test_add_func ("/reader-json/empty", test_empty);
  g_test_add_func ("/reader-json/bom", test_bom);
  g_test_add_func ("/reader-json/crlf", test_crlf);
  g_test_add_func ("/reader-json/gzip", test_gzip);
  g_test_add_func ("/reader-json/quo-fixture", test_quo_fixture);
  g_test_add_func ("/reader-json/bounded-memory", test_bounded_memory);
  g_test_add_func ("/reader-json/probe", test_probe);
  g_test_add_func ("/reader-json/range-unsupported", test_range_unsupported);
  g_test_add_func ("/reader-json/cancelled", test_cancelled);
  g_test_add_func ("/reader-json/configure", test_configure);

  return g_test_run ();
}
