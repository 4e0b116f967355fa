/* test-reader-ndjson.c: the reader_ndjson plugin: framing, locations,
 * rejections, gzip damage, bounded memory and cancellation. Byte ranges
 * are in test-reader-ndjson-ranges.c.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "reader-test-utils.h"

#include <string.h>

#define NAME RN_NAME

/* --- whole files ------------------------------------------------------ */

static void
test_probe (void)
{
  g_autoptr(AlloyReader) reader = rn_new_reader (NULL);
  const guint8 *array = (const guint8 *) "[{}]";
  const guint8 *object = (const guint8 *) "\xEF\xBB\xBF \r\n\t{\"a\":1}";

  g_assert_cmpuint (alloy_reader_probe (reader, "a.ndjson", array, 4), ==, 70);
  g_assert_cmpuint (alloy_reader_probe (reader, "a.jsonl", NULL, 0), ==, 70);
  g_assert_cmpuint (alloy_reader_probe (reader, "a.ndjson.gz", array, 4), ==, 70);
  g_assert_cmpuint (alloy_reader_probe (reader, "A.JSONL.GZ", array, 4), ==, 70);
  g_assert_cmpuint (alloy_reader_probe (reader, "a.json", object, 14), ==, 10);
  g_assert_cmpuint (alloy_reader_probe (reader, "a.gz", object, 14), ==, 10);
  g_assert_cmpuint (alloy_reader_probe (reader, "a.json", array, 4), ==, 0);
  g_assert_cmpuint (alloy_reader_probe (reader, "a.json", object, 3), ==, 0);
  g_assert_cmpuint (alloy_reader_probe (reader, "a.txt", NULL, 0), ==, 0);
  g_assert_cmpuint (alloy_reader_probe (reader, "ndjson", object, 14), ==, 10);
  g_assert_cmpuint (alloy_reader_probe (reader, "a.ndjson.txt", array, 4), ==, 0);
}

/* Whole files read with the defaults: the input, every event, and the
 * counts of items and rejections. */
typedef struct {
  const char *path;
  const char *text;
  gsize len; /* 0: strlen (text) */
  const char *expected;
  guint items, rejected;
} TextCase;

static const char rejections_text[] =
  "{\"ok\":1}\n"
  "[1,2]\n"
  "\"s\"\n"
  "-1\n"
  "true\n"
  "\x01{}\n"
  "{\"a\":\"\xFF\"}\n"
  "  {\"overlong\":\"\xC0\xAF\"}\n"
  "{\"surrogate\":\"\xED\xA0\x80\"}\n"
  "{\"cut\":\"\xE2\x82\"}\n"
  "{\"nul\":\"\0\"}\n"
  "{\"ok\":2}\n";

static const TextCase text_cases[] = {
  /* Brackets and escaped quotes in strings, UTF-8, leading and trailing
   * blanks (trimmed; the column and offset point at the '{'). */
  { "valid",
    "{\"a\":1}\n"
    "{\"s\":\"}]{[\\\"\",\"t\":\"caf\xC3\xA9 \xF0\x9F\x98\x80\"}\n"
    "  \t{\"b\":[1,{\"c\":null}]} \t\n"
    "{not json, but framed}\n", 0,
    "1:1@0#0 {\"a\":1}\n"
    "2:1@8#1 {\"s\":\"}]{[\\\"\",\"t\":\"caf\xC3\xA9 \xF0\x9F\x98\x80\"}\n"
    "3:4@43#2 {\"b\":[1,{\"c\":null}]}\n"
    "4:1@66#3 {not json, but framed}\n", 4, 0 },
  { "empty", "", 0, "", 0, 0 },
  { "blank-only", " \n\t\n\r\n\n   ", 0, "", 0, 0 },
  /* Blank lines count for line numbers, not for indexes. */
  { "blank-lines", "\n  \n{}\n\t\n{}", 0, "3:1@4#0 {}\n5:1@9#1 {}\n", 2, 0 },
  /* The column does not count the BOM; the offset does. */
  { "bom", "\xEF\xBB\xBF{\"a\":1}\n{}\n", 0, "1:1@3#0 {\"a\":1}\n2:1@11#1 {}\n", 2, 0 },
  { "bom-only", "\xEF\xBB\xBF", 0, "", 0, 0 },
  { "bom-then-blank", "\xEF\xBB\xBF \n\n {}", 0, "3:2@7#0 {}\n", 1, 0 },
  { "bom-not-first", "{}\n\xEF\xBB\xBF{}\n", 0,
    "1:1@0#0 {}\n2:1@3#1 ! " NAME ":2:1: expected an object, got byte 0xEF\n", 1, 1 },
  { "crlf", "{\"a\":1}\r\n\r\n  {\"b\":2} \r\n{\"c\":3}\r", 0,
    "1:1@0#0 {\"a\":1}\n3:3@13#1 {\"b\":2}\n4:1@23#2 {\"c\":3}\n", 3, 0 },
  { "last-line", "{}\n{\"z\":0}", 0, "1:1@0#0 {}\n2:1@3#1 {\"z\":0}\n", 2, 0 },
  { "last-line-blank", "{}\n  ", 0, "1:1@0#0 {}\n", 1, 0 },
  { "last-line-bad", "[1]", 0,
    "1:1@0#0 ! " NAME ":1:1: expected an object, got an array\n", 0, 1 },
  /* Each rejection, and reading goes on. */
  { "rejections", rejections_text, sizeof rejections_text - 1,
    "1:1@0#0 {\"ok\":1}\n"
    "2:1@9#1 ! " NAME ":2:1: expected an object, got an array\n"
    "3:1@15#2 ! " NAME ":3:1: expected an object, got a string\n"
    "4:1@19#3 ! " NAME ":4:1: expected an object, got a number\n"
    "5:1@22#4 ! " NAME ":5:1: expected an object, got 't'\n"
    "6:1@27#5 ! " NAME ":6:1: expected an object, got byte 0x01\n"
    "7:1@31#6 ! " NAME ":7:1: invalid UTF-8 at column 7\n"
    "8:3@43#7 ! " NAME ":8:3: invalid UTF-8 at column 16\n"
    "9:1@61#8 ! " NAME ":9:1: invalid UTF-8 at column 15\n"
    "10:1@81#9 ! " NAME ":10:1: invalid UTF-8 at column 9\n"
    "11:1@94#10 ! " NAME ":11:1: NUL byte at column 9\n"
    "12:1@106#11 {\"ok\":2}\n", 2, 10 },
};

static void
test_text (gconstpointer data)
{
  const TextCase *c = data;
  g_autoptr(AlloyReader) reader = rn_new_reader (NULL);

  rn_assert_dump (reader, c->text, c->len ? c->len : strlen (c->text), c->expected, c->items,
                  c->rejected);
}

static void
test_depth (void)
{
  g_autoptr(AlloyReader) reader = rn_new_reader ("[alloy]\nalloy.samplestore.json.max.depth=3");
  g_autoptr(AlloyReader) standard = rn_new_reader (NULL);
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autofree char *got = NULL;
  guint items, rejected;

  rn_assert_dump (reader,
                  "{\"a\":{\"b\":[1]}}\n"
                  "{\"a\":{\"b\":[[1]]}}\n"
                  "{\"a\":\"[[[[[[\",\"b\":\"\\\"[[[[\"}\n"
                  "{\"a\":[],\"b\":[],\"c\":{\"d\":[]}}\n",
                  -1,
                  "1:1@0#0 {\"a\":{\"b\":[1]}}\n"
                  "2:1@16#1 ! " NAME ":2:1: nested deeper than 3 (alloy.samplestore.json.max.depth)"
                  " at column 12\n"
                  "3:1@34#2 {\"a\":\"[[[[[[\",\"b\":\"\\\"[[[[\"}\n"
                  "4:1@62#3 {\"a\":[],\"b\":[],\"c\":{\"d\":[]}}\n",
                  3, 1);

  /* The default is 512, counting the root object. */
  g_string_append (deep, "{\"a\":");
  rn_append_n (deep, '[', 511);
  rn_append_n (deep, ']', 511);
  g_string_append (deep, "}\n{\"a\":");
  rn_append_n (deep, '[', 512);
  g_string_append (deep, "}\n");
  got = rn_dump_data (standard, deep->str, deep->len, &items, &rejected);
  g_assert_cmpuint (items, ==, 1);
  g_assert_cmpuint (rejected, ==, 1);
  g_assert_nonnull (strstr (got, NAME ":2:1: nested deeper than 512 "
                            "(alloy.samplestore.json.max.depth) at column 517\n"));
}

static void
test_too_long (void)
{
  g_autoptr(AlloyReader) reader = rn_new_reader ("item-max-bytes=1k");
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GString) fits = g_string_new ("{\"a\":\"");
  guint64 offset;

  /* 1024 bytes fit, also with a CRLF; 1025 do not. */
  rn_append_n (fits, 'x', 1022 - fits->len);
  g_string_append (fits, "\"}");
  g_string_append_printf (text, "%s\n%s\r\n %s \n", fits->str, fits->str, fits->str);
  g_string_append_printf (expected, "1:1@0#0 %s\n2:1@1025#1 %s\n", fits->str, fits->str);
  g_string_append_printf (expected, "3:2@2052#2 ! " NAME ":3:2: line of 1025 bytes is longer "
                          "than item-max-bytes (1024)\n");
  /* Three megabytes, across many reads, skipped; the next line is fine. */
  offset = text->len;
  g_string_append (text, "\t{");
  rn_append_n (text, 'y', 3 * 1024 * 1024);
  g_string_append (text, "}\n{}");
  g_string_append_printf (expected, "4:2@%" G_GUINT64_FORMAT "#3 ! " NAME ":4:2: line of %u "
                          "bytes is longer than item-max-bytes (1024)\n", offset + 1,
                          3 * 1024 * 1024 + 2);
  g_string_append_printf (expected, "5:1@%" G_GUINT64_FORMAT "#4 {}\n", offset + 3 * 1024 * 1024 + 4);
  rn_assert_dump (reader, text->str, text->len, expected->str, 3, 2);
  /* A blank line is blank at any length. */
  g_string_truncate (text, 0);
  for (guint i = 0; i < 100000; i++)
    g_string_append (text, " \t");
  g_string_append (text, "\n{}\n");
  rn_assert_dump (reader, text->str, text->len, "2:1@200001#0 {}\n", 1, 0);
}


/* A 96 MiB line is skipped without being kept: the peak RSS grows by far
 * less (first test, so that no earlier peak hides the growth). */
static void
test_bounded_memory (void)
{
  g_autoptr(AlloyReader) reader = rn_new_reader ("item-max-bytes=1k");
  const char *tail = "}\n{\"after\":1}\n";
  g_autoptr(GInputStream) stream = reader_test_trickle_stream_new (tail, strlen (tail), 64 * 1024, 1);
  g_autoptr(AlloyItemIter) iter = NULL;
  g_autofree char *got = NULL;
  gsize before = alloy_test_peak_rss_kib ();

  TEST_TRICKLE_STREAM (stream)->filler = 96 * 1024 * 1024;
  iter = rn_open_stream (reader, stream, 0, G_MAXUINT64);
  got = rn_dump (iter, NULL, FALSE, NULL, NULL);
  g_assert_cmpstr (got, ==, "1:1@0#0 ! " NAME ":1:1: line of 100663297 bytes is longer than "
                            "item-max-bytes (1024)\n"
                            "2:1@100663298#1 {\"after\":1}\n");
  g_test_message ("peak RSS grew by %zu KiB", alloy_test_peak_rss_kib () - before);
  g_assert_cmpuint (alloy_test_peak_rss_kib () - before, <, 32 * 1024);
}

/* Items bigger than a read chunk, and reads of 1 to 16 bytes: the same
 * events as one read of everything. */
static void
test_chunk_boundaries (void)
{
  g_autoptr(AlloyReader) reader = rn_new_reader ("item-max-bytes=300k");
  g_autoptr(GString) text = g_string_new ("\xEF\xBB\xBF");
  g_autoptr(GRand) rand = g_rand_new_with_seed (rn_test_seed ());
  g_autofree char *whole = NULL;
  guint items, rejected;

  for (guint i = 0; i < 40; i++)
    {
      guint kind = g_rand_int_range (rand, 0, 6);
      guint size = g_rand_int_range (rand, 0, kind == 0 ? 150000 : 200);

      if (kind == 1)
        g_string_append (text, " \t");
      g_string_append (text, kind == 2 ? "[\"" : "{\"v\":\"");
      rn_append_n (text, 'a' + size % 26, size);
      g_string_append (text, kind == 2 ? "\"]" : "\"}");
      g_string_append (text, kind == 3 ? "\r\n" : kind == 4 ? "\n\n" : "\n");
    }
  whole = rn_dump_data (reader, text->str, text->len, &items, &rejected);
  g_assert_cmpuint (items + rejected, ==, 40);
  g_assert_cmpuint (rejected, >, 0);
  for (guint max_read = 1; max_read < 64; max_read *= 4)
    {
      g_autoptr(GInputStream) stream = reader_test_trickle_stream_new (text->str, text->len, max_read,
                                                                       max_read);
      g_autoptr(AlloyItemIter) iter = rn_open_stream (reader, stream, 0, G_MAXUINT64);
      g_autofree char *trickled = rn_dump (iter, NULL, FALSE, NULL, NULL);

      g_assert_cmpstr (trickled, ==, whole);
    }
}

static void
test_gzip (void)
{
  g_autoptr(AlloyReader) reader = rn_new_reader (NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GBytes) compressed = NULL;
  g_autofree char *plain = NULL;
  GRand *rand = g_rand_new_with_seed (7);
  g_autoptr(GRegex) stream_pattern =
    g_regex_new (" STREAM " NAME ":([0-9]+):1: cannot read: [^\n]+; lost the line in progress "
                 "and the rest of the file after line ([0-9]+)\n$", G_REGEX_DOLLAR_ENDONLY, 0,
                 NULL);

  /* Random digits compress poorly, so damage lands mid-file. */
  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (text, "{\"i\":%u,\"r\":%u}\n", i, g_rand_int (rand));
  g_rand_free (rand);
  compressed = reader_test_gzip (text->str, text->len);
  plain = rn_dump_data (reader, text->str, text->len, NULL, NULL);

  /* Intact: the same items as the plain file. */
  {
    g_autoptr(GInputStream) stream = reader_test_gunzip_stream (compressed);
    g_autoptr(AlloyItemIter) iter = rn_open_stream (reader, stream, 0, G_MAXUINT64);
    g_autofree char *got = rn_dump (iter, NULL, FALSE, NULL, NULL);

    g_assert_cmpstr (got, ==, plain);
  }

  /* Damaged in the middle, or cut short: the plain file's items, then
   * STREAM as the last word. Decompressed garbage may hold blank lines,
   * so line numbers and counts agree only when cut. */
  for (guint cut = 0; cut < 2; cut++)
    {
      g_autoptr(GBytes) bytes = reader_test_gzip_damage (compressed, cut);
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(AlloyItemIter) iter = NULL;
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree char *got = NULL, *line_text = NULL, *after_text = NULL;
      guint items, rejected;
      guint64 line, after;

      stream = reader_test_gunzip_stream (bytes);
      iter = rn_open_stream (reader, stream, 0, G_MAXUINT64);
      got = rn_dump (iter, NULL, FALSE, &items, &rejected);
      g_test_message ("%s: %u items, %u rejected", cut ? "cut" : "damaged", items, rejected);
      g_assert_true (g_regex_match (stream_pattern, got, 0, &match));
      line_text = g_match_info_fetch (match, 1);
      after_text = g_match_info_fetch (match, 2);
      line = g_ascii_strtoull (line_text, NULL, 10);
      after = g_ascii_strtoull (after_text, NULL, 10);
      g_assert_cmpuint (after + 1, ==, line);
      g_assert_true (!cut || line == items + 1);
      g_assert_cmpuint (items, >, 5000);
      g_assert_cmpuint (items, <, 20000);
      g_assert_cmpint (strncmp (got, plain, 10000), ==, 0);
    }
}

static void
test_cancelled (void)
{
  g_autoptr(AlloyReader) reader = rn_new_reader (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(AlloyItemIter) before = rn_open_data (reader, "{}\n{}\n", -1);
  g_autoptr(AlloyItemIter) between = rn_open_data (reader, "{}\n{}\n", -1);
  g_autoptr(GString) text = g_string_new ("{\"first\":1}\n{\"second\":");
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(AlloyItemIter) in_read = NULL;
  g_autoptr(GBytes) item = NULL;
  g_autofree char *got_before = NULL, *got_between = NULL, *got_in_read = NULL;
  AlloyItemLocation location;

  g_cancellable_cancel (cancellable);
  got_before = rn_dump (before, cancellable, FALSE, NULL, NULL);
  g_assert_cmpstr (got_before, ==, "CANCELLED\n");

  g_cancellable_reset (cancellable);
  g_assert_true (alloy_item_iter_next (between, &item, &location, cancellable, NULL));
  g_cancellable_cancel (cancellable);
  got_between = rn_dump (between, cancellable, FALSE, NULL, NULL);
  g_assert_cmpstr (got_between, ==, "CANCELLED\n");

  /* In a read, in the middle of a line: a cancellation, not STREAM. */
  g_cancellable_reset (cancellable);
  rn_append_n (text, '1', 1000);
  g_string_append (text, "}\n");
  stream = reader_test_trickle_stream_new (text->str, text->len, 100, 1);
  TEST_TRICKLE_STREAM (stream)->cancel = g_object_ref (cancellable);
  TEST_TRICKLE_STREAM (stream)->cancel_at = 5;
  in_read = rn_open_stream (reader, stream, 0, G_MAXUINT64);
  got_in_read = rn_dump (in_read, cancellable, FALSE, NULL, NULL);
  g_assert_cmpstr (got_in_read, ==, "1:1@0#0 {\"first\":1}\nCANCELLED\n");
}

static void
test_configure (void)
{
  const AlloyPlugin *plugin = alloy_test_load_plugin ("reader_ndjson");
  g_autoptr(AlloyPluginInstance) instance = g_object_new (plugin->type, NULL);
  g_autoptr(AlloyPluginInstance) configured = NULL;
  g_autoptr(GKeyFile) config = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;

  /* Without any key: the defaults. */
  g_assert_true (alloy_plugin_instance_configure (instance, config, "reader:ndjson", &error));
  g_assert_no_error (error);
  alloy_plugin_instance_set_name (instance, "reader:ndjson");
  description = alloy_plugin_instance_describe (instance);
  g_assert_cmpstr (description, ==, "reader:ndjson: NDJSON, items up to 67108864 bytes, "
                                    "depth 512");

  g_key_file_set_string (config, "alloy", "alloy.samplestore.json.max.depth", "deep");
  g_assert_false (alloy_plugin_instance_configure (instance, config, "reader:ndjson", &error));
  g_assert_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE);
  g_assert_cmpstr (error->message, ==, "alloy:alloy.samplestore.json.max.depth: 'deep' is not "
                                       "a depth from 1 to 1000");

  configured = alloy_test_new_instance ("reader_ndjson", "reader:big",
                                        "item-max-bytes=2k\n[alloy]\n"
                                        "alloy.samplestore.json.max.depth=7");
  g_clear_pointer (&description, g_free);
  description = alloy_plugin_instance_describe (configured);
  g_assert_cmpstr (description, ==, "reader:big: NDJSON, items up to 2048 bytes, depth 7");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reader-ndjson/bounded-memory", test_bounded_memory);
  g_test_add_func ("/reader-ndjson/probe", test_probe);
  g_test_add_func ("/reader-ndjson/configure", test_configure);
  for (gsize i = 0; i < G_N_ELEMENTS (text_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/reader-ndjson/text/", text_cases[i].path, NULL);

      g_test_add_data_func (path, &text_cases[i], test_text);
    }
  g_test_add_func ("/reader-ndjson/depth", test_depth);
  g_test_add_func ("/reader-ndjson/too-long", test_too_long);
  g_test_add_func ("/reader-ndjson/chunk-boundaries", test_chunk_boundaries);
  g_test_add_func ("/reader-ndjson/gzip", test_gzip);
  g_test_add_func ("/reader-ndjson/cancelled", test_cancelled);

  return g_test_run ();
}
