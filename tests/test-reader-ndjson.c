/* test-reader-ndjson.c: the reader_ndjson plugin: framing, locations,
 * rejections, gzip damage, byte ranges (edge cases and a property test)
 * and cancellation.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"

#include <string.h>

#define NAME "people.ndjson"
#define DEFAULT_SEED 20240611

static AlloyReader *
new_reader (const char *group_text)
{
  return ALLOY_READER (alloy_test_new_instance ("reader_ndjson", "reader:ndjson", group_text));
}

/* --- a stream that returns short reads and can cancel mid-read -------- */

struct _TestTrickleStream {
  GInputStream parent_instance;
  GBytes *bytes;
  gsize pos;
  guint64 filler; /* this many 'x' come first, made up as they are read */
  GRand *rand;
  guint max_read;
  /* Cancels this cancellable at read number cancel_at (1-based), then
   * honours it, as a stream blocked on a socket would. */
  GCancellable *cancel;
  guint cancel_at;
  guint reads;
};

#define TEST_TYPE_TRICKLE_STREAM (test_trickle_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestTrickleStream, test_trickle_stream, TEST, TRICKLE_STREAM, GInputStream)
G_DEFINE_FINAL_TYPE (TestTrickleStream, test_trickle_stream, G_TYPE_INPUT_STREAM)

static gssize
test_trickle_stream_read (GInputStream *stream, void *buffer, gsize count,
                          GCancellable *cancellable, GError **error)
{
  TestTrickleStream *self = TEST_TRICKLE_STREAM (stream);
  gsize size, n;
  const guint8 *data = g_bytes_get_data (self->bytes, &size);

  if (++self->reads == self->cancel_at && self->cancel != NULL)
    g_cancellable_cancel (self->cancel);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  if (self->filler > 0)
    {
      n = MIN (count, self->filler);
      memset (buffer, 'x', n);
      self->filler -= n;
      return n;
    }
  n = g_rand_int_range (self->rand, 1, self->max_read + 1); /* MIN evaluates twice */
  n = MIN (n, MIN (count, size - self->pos));
  memcpy (buffer, data + self->pos, n);
  self->pos += n;
  return n;
}

static void
test_trickle_stream_finalize (GObject *object)
{
  TestTrickleStream *self = TEST_TRICKLE_STREAM (object);

  g_bytes_unref (self->bytes);
  g_rand_free (self->rand);
  g_clear_object (&self->cancel);
  G_OBJECT_CLASS (test_trickle_stream_parent_class)->finalize (object);
}

static void
test_trickle_stream_class_init (TestTrickleStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_trickle_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = test_trickle_stream_read;
}

static void
test_trickle_stream_init (TestTrickleStream *self)
{
}

static GInputStream *
trickle_stream_new (const char *data, gsize len, guint max_read, guint32 seed)
{
  TestTrickleStream *self = g_object_new (TEST_TYPE_TRICKLE_STREAM, NULL);

  self->bytes = g_bytes_new (data, len);
  self->max_read = max_read;
  self->rand = g_rand_new_with_seed (seed);
  return G_INPUT_STREAM (self);
}

/* --- helpers ---------------------------------------------------------- */

static AlloyItemIter *
open_stream (AlloyReader *reader, GInputStream *stream, guint64 start, guint64 end)
{
  AlloyReaderInput input = { .display_name = NAME, .range_start = start, .range_end = end };
  g_autoptr(GError) error = NULL;
  AlloyItemIter *iter = alloy_reader_open (reader, stream, &input, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (iter);
  return iter;
}

static AlloyItemIter *
open_data (AlloyReader *reader, const char *data, gssize len)
{
  g_autoptr(GInputStream) stream = NULL;

  if (len < 0)
    len = strlen (data);
  stream = g_memory_input_stream_new_from_data (g_memdup2 (data, len), len, g_free);
  return open_stream (reader, stream, 0, G_MAXUINT64);
}

static AlloyItemIter *
open_file (AlloyReader *reader, const char *path, guint64 start, guint64 end)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, &error);

  g_assert_no_error (error);
  return open_stream (reader, G_INPUT_STREAM (stream), start, end);
}

/* Everything the iterator says, one line per call:
 *   LINE:COLUMN@OFFSET#INDEX ITEM-BYTES
 *   LINE:COLUMN@OFFSET#INDEX ! MESSAGE         (an ITEM rejection)
 *   LINE:COLUMN@OFFSET#INDEX STREAM MESSAGE
 *   CANCELLED
 * With @comparable, lines and indexes (which differ between a range and
 * the whole file) and the message prefixes are left out. */
static char *
dump (AlloyItemIter *iter, GCancellable *cancellable, gboolean comparable, guint *n_items,
      guint *n_rejected)
{
  GString *out = g_string_new (NULL);
  guint items = 0, rejected = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) item = NULL;
      AlloyItemLocation location;
      gboolean ok = alloy_item_iter_next (iter, &item, &location, cancellable, &error);
      const char *message;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_string_append (out, "CANCELLED\n");
          break;
        }
      if (!ok && error == NULL)
        break;
      g_assert_cmpstr (location.file, ==, NAME);
      if (comparable)
        g_string_append_printf (out, "%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT " ",
                                location.column, location.offset);
      else
        g_string_append_printf (out, "%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT "@%"
                                G_GUINT64_FORMAT "#%" G_GUINT64_FORMAT " ", location.line,
                                location.column, location.offset, location.index);
      if (ok)
        {
          gsize size;
          const char *data = g_bytes_get_data (item, &size);

          g_string_append_len (out, data, size);
          g_string_append_c (out, '\n');
          items++;
          continue;
        }
      g_assert_true (error->domain == ALLOY_READER_ERROR);
      message = error->message;
      if (comparable)
        message = strstr (message, ": ") + 2;
      if (error->code == ALLOY_READER_ERROR_STREAM)
        {
          g_string_append_printf (out, "STREAM %s\n", message);
          break;
        }
      g_assert_cmpint (error->code, ==, ALLOY_READER_ERROR_ITEM);
      g_string_append_printf (out, "! %s\n", message);
      rejected++;
    }

  /* Finished for good: no error, no item. */
  {
    g_autoptr(GError) error = NULL;
    GBytes *none = NULL;
    AlloyItemLocation location;

    g_assert_false (alloy_item_iter_next (iter, &none, &location, NULL, &error));
    g_assert_no_error (error);
    g_assert_null (none);
  }
  if (n_items)
    *n_items = items;
  if (n_rejected)
    *n_rejected = rejected;
  return g_string_free (out, FALSE);
}

static char *
dump_data (AlloyReader *reader, const char *data, gssize len, guint *n_items, guint *n_rejected)
{
  g_autoptr(AlloyItemIter) iter = open_data (reader, data, len);

  return dump (iter, NULL, FALSE, n_items, n_rejected);
}

static char *
dump_file (AlloyReader *reader, const char *path, guint64 start, guint64 end,
           gboolean comparable)
{
  g_autoptr(AlloyItemIter) iter = open_file (reader, path, start, end);

  return dump (iter, NULL, comparable, NULL, NULL);
}

static void
assert_dump (AlloyReader *reader, const char *data, gssize len, const char *expected,
             guint expected_items, guint expected_rejected)
{
  guint items, rejected;
  g_autofree char *got = dump_data (reader, data, len, &items, &rejected);

  g_assert_cmpstr (got, ==, expected);
  g_assert_cmpuint (items, ==, expected_items);
  g_assert_cmpuint (rejected, ==, expected_rejected);
}

static void
append_n (GString *string, char c, gsize n)
{
  gsize len = string->len;

  g_string_set_size (string, len + n);
  memset (string->str + len, c, n);
}

static char *
write_tmp (const char *dir, const char *name, const char *data, gssize len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
  return path;
}

static guint32
test_seed (void)
{
  const char *text = g_getenv ("ALLOY_TEST_SEED");
  guint32 seed = text ? (guint32) g_ascii_strtoull (text, NULL, 10) : DEFAULT_SEED;

  g_test_message ("seed %u (set ALLOY_TEST_SEED to repeat another)", seed);
  return seed;
}

static GBytes *
gzip (const char *data, gsize len)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP,
                                                                 6);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory,
                                                                G_CONVERTER (compressor));
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (out, data, len, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static GInputStream *
gunzip_stream (GBytes *compressed)
{
  g_autoptr(GInputStream) raw = g_memory_input_stream_new_from_bytes (compressed);
  g_autoptr(GZlibDecompressor) decompressor =
    g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);

  return g_converter_input_stream_new (raw, G_CONVERTER (decompressor));
}

/* --- whole files ------------------------------------------------------ */

static void
test_probe (void)
{
  g_autoptr(AlloyReader) reader = new_reader (NULL);
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
  g_autoptr(AlloyReader) reader = new_reader (NULL);

  assert_dump (reader, c->text, c->len ? c->len : strlen (c->text), c->expected, c->items,
               c->rejected);
}

static void
test_depth (void)
{
  g_autoptr(AlloyReader) reader = new_reader ("[alloy]\nalloy.samplestore.json.max.depth=3");
  g_autoptr(AlloyReader) standard = new_reader (NULL);
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autofree char *got = NULL;
  guint items, rejected;

  assert_dump (reader,
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
  append_n (deep, '[', 511);
  append_n (deep, ']', 511);
  g_string_append (deep, "}\n{\"a\":");
  append_n (deep, '[', 512);
  g_string_append (deep, "}\n");
  got = dump_data (standard, deep->str, deep->len, &items, &rejected);
  g_assert_cmpuint (items, ==, 1);
  g_assert_cmpuint (rejected, ==, 1);
  g_assert_nonnull (strstr (got, NAME ":2:1: nested deeper than 512 "
                            "(alloy.samplestore.json.max.depth) at column 517\n"));
}

static void
test_too_long (void)
{
  g_autoptr(AlloyReader) reader = new_reader ("item-max-bytes=1k");
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  g_autoptr(GString) fits = g_string_new ("{\"a\":\"");
  guint64 offset;

  /* 1024 bytes fit, also with a CRLF; 1025 do not. */
  append_n (fits, 'x', 1022 - fits->len);
  g_string_append (fits, "\"}");
  g_string_append_printf (text, "%s\n%s\r\n %s \n", fits->str, fits->str, fits->str);
  g_string_append_printf (expected, "1:1@0#0 %s\n2:1@1025#1 %s\n", fits->str, fits->str);
  g_string_append_printf (expected, "3:2@2052#2 ! " NAME ":3:2: line of 1025 bytes is longer "
                          "than item-max-bytes (1024)\n");
  /* Three megabytes, across many reads, skipped; the next line is fine. */
  offset = text->len;
  g_string_append (text, "\t{");
  append_n (text, 'y', 3 * 1024 * 1024);
  g_string_append (text, "}\n{}");
  g_string_append_printf (expected, "4:2@%" G_GUINT64_FORMAT "#3 ! " NAME ":4:2: line of %u "
                          "bytes is longer than item-max-bytes (1024)\n", offset + 1,
                          3 * 1024 * 1024 + 2);
  g_string_append_printf (expected, "5:1@%" G_GUINT64_FORMAT "#4 {}\n", offset + 3 * 1024 * 1024 + 4);
  assert_dump (reader, text->str, text->len, expected->str, 3, 2);
  /* A blank line is blank at any length. */
  g_string_truncate (text, 0);
  for (guint i = 0; i < 100000; i++)
    g_string_append (text, " \t");
  g_string_append (text, "\n{}\n");
  assert_dump (reader, text->str, text->len, "2:1@200001#0 {}\n", 1, 0);
}


/* A 96 MiB line is skipped without being kept: the peak RSS grows by far
 * less (first test, so that no earlier peak hides the growth). */
static void
test_bounded_memory (void)
{
  g_autoptr(AlloyReader) reader = new_reader ("item-max-bytes=1k");
  const char *tail = "}\n{\"after\":1}\n";
  g_autoptr(GInputStream) stream = trickle_stream_new (tail, strlen (tail), 64 * 1024, 1);
  g_autoptr(AlloyItemIter) iter = NULL;
  g_autofree char *got = NULL;
  gsize before = alloy_test_peak_rss_kib ();

  TEST_TRICKLE_STREAM (stream)->filler = 96 * 1024 * 1024;
  iter = open_stream (reader, stream, 0, G_MAXUINT64);
  got = dump (iter, NULL, FALSE, NULL, NULL);
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
  g_autoptr(AlloyReader) reader = new_reader ("item-max-bytes=300k");
  g_autoptr(GString) text = g_string_new ("\xEF\xBB\xBF");
  g_autoptr(GRand) rand = g_rand_new_with_seed (test_seed ());
  g_autofree char *whole = NULL;
  guint items, rejected;

  for (guint i = 0; i < 40; i++)
    {
      guint kind = g_rand_int_range (rand, 0, 6);
      guint size = g_rand_int_range (rand, 0, kind == 0 ? 150000 : 200);

      if (kind == 1)
        g_string_append (text, " \t");
      g_string_append (text, kind == 2 ? "[\"" : "{\"v\":\"");
      append_n (text, 'a' + size % 26, size);
      g_string_append (text, kind == 2 ? "\"]" : "\"}");
      g_string_append (text, kind == 3 ? "\r\n" : kind == 4 ? "\n\n" : "\n");
    }
  whole = dump_data (reader, text->str, text->len, &items, &rejected);
  g_assert_cmpuint (items + rejected, ==, 40);
  g_assert_cmpuint (rejected, >, 0);
  for (guint max_read = 1; max_read < 64; max_read *= 4)
    {
      g_autoptr(GInputStream) stream = trickle_stream_new (text->str, text->len, max_read,
                                                           max_read);
      g_autoptr(AlloyItemIter) iter = open_stream (reader, stream, 0, G_MAXUINT64);
      g_autofree char *trickled = dump (iter, NULL, FALSE, NULL, NULL);

      g_assert_cmpstr (trickled, ==, whole);
    }
}

static void
test_gzip (void)
{
  g_autoptr(AlloyReader) reader = new_reader (NULL);
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
  compressed = gzip (text->str, text->len);
  plain = dump_data (reader, text->str, text->len, NULL, NULL);

  /* Intact: the same items as the plain file. */
  {
    g_autoptr(GInputStream) stream = gunzip_stream (compressed);
    g_autoptr(AlloyItemIter) iter = open_stream (reader, stream, 0, G_MAXUINT64);
    g_autofree char *got = dump (iter, NULL, FALSE, NULL, NULL);

    g_assert_cmpstr (got, ==, plain);
  }

  /* Damaged in the middle, or cut short: the plain file's items, then
   * STREAM as the last word. Decompressed garbage may hold blank lines,
   * so line numbers and counts agree only when cut. */
  for (guint cut = 0; cut < 2; cut++)
    {
      g_autoptr(GByteArray) damaged = g_bytes_unref_to_array (g_bytes_ref (compressed));
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(AlloyItemIter) iter = NULL;
      g_autoptr(GMatchInfo) match = NULL;
      g_autofree char *got = NULL, *line_text = NULL, *after_text = NULL;
      guint items, rejected;
      guint64 line, after;

      if (cut)
        g_byte_array_set_size (damaged, damaged->len / 2);
      else
        memset (damaged->data + damaged->len / 2, 0xFF, 64);
      bytes = g_bytes_new (damaged->data, damaged->len);
      stream = gunzip_stream (bytes);
      iter = open_stream (reader, stream, 0, G_MAXUINT64);
      got = dump (iter, NULL, FALSE, &items, &rejected);
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

/* --- byte ranges ------------------------------------------------------ */

typedef struct {
  guint64 start, end;
  const char *expected;
} RangeCase;

/* Each case on the file holding @text; then ranges of size 1, which
 * together must give the whole file. */
static void
check_ranges (const char *text, const RangeCase *cases, gsize n_cases)
{
  g_autoptr(AlloyReader) reader = new_reader (NULL);
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *path = write_tmp (dir, NAME, text, -1);
  g_autofree char *whole = dump_file (reader, path, 0, G_MAXUINT64, TRUE);
  g_autoptr(GString) ones = g_string_new (NULL);

  for (gsize i = 0; i < n_cases; i++)
    {
      g_autofree char *got = dump_file (reader, path, cases[i].start, cases[i].end, FALSE);

      g_assert_cmpstr (got, ==, cases[i].expected);
    }
  for (guint64 start = 0; start < strlen (text) + 3; start++)
    {
      g_autofree char *got = dump_file (reader, path, start, start + 1, TRUE);

      g_string_append (ones, got);
    }
  g_assert_cmpstr (ones->str, ==, whole);
  alloy_test_remove_tree (dir);
}

static void
test_range_edges (void)
{
  /* a: 0-7 ('\n' at 7), b: 8-15, blank: 16, c: 17-24, size 25 */
  static const RangeCase cases[] = {
    { 0, G_MAXUINT64, "1:1@0#0 {\"a\":1}\n2:1@8#1 {\"b\":2}\n4:1@17#2 {\"c\":3}\n" },
    { 0, 8, "1:1@0#0 {\"a\":1}\n" },          /* b begins at the end: not ours */
    { 0, 9, "1:1@0#0 {\"a\":1}\n2:1@8#1 {\"b\":2}\n" }, /* b straddles the end */
    { 8, G_MAXUINT64, "0:1@8#0 {\"b\":2}\n0:1@17#1 {\"c\":3}\n" }, /* at a line start */
    { 7, G_MAXUINT64, "0:1@8#0 {\"b\":2}\n0:1@17#1 {\"c\":3}\n" }, /* at a '\n' */
    { 3, 8, "" },                             /* inside a: nothing begins here */
    { 3, 9, "0:1@8#0 {\"b\":2}\n" },
    { 0, 1, "1:1@0#0 {\"a\":1}\n" },          /* size 1 */
    { 8, 9, "0:1@8#0 {\"b\":2}\n" },
    { 16, 17, "" },                           /* the blank line */
    { 17, 18, "0:1@17#0 {\"c\":3}\n" },
    { 24, G_MAXUINT64, "" },
    { 25, G_MAXUINT64, "" },                  /* past the end */
    { 100, 200, "" },
    { 5, 5, "" },                             /* empty */
    { 0, 0, "" },
  };

  check_ranges ("{\"a\":1}\n{\"b\":2}\n\n{\"c\":3}\n", cases, G_N_ELEMENTS (cases));
}

static void
test_range_crlf_and_errors (void)
{
  /* a: 0-8 ('\r' 7, '\n' 8), b: 9-17, bad: 18- */
  static const RangeCase cases[] = {
    { 0, 9, "1:1@0#0 {\"a\":1}\n" },
    { 0, 10, "1:1@0#0 {\"a\":1}\n2:1@9#1 {\"b\":2}\n" },
    { 7, 18, "0:1@9#0 {\"b\":2}\n" },  /* at the '\r' */
    { 8, 18, "0:1@9#0 {\"b\":2}\n" },  /* at the '\n' */
    { 9, 18, "0:1@9#0 {\"b\":2}\n" },
    /* Unknown line numbers: FILE@OFFSET; the column is known. */
    { 10, G_MAXUINT64, "0:2@19#0 ! " NAME "@19: expected an object, got an array\n" },
    { 0, G_MAXUINT64, "1:1@0#0 {\"a\":1}\n2:1@9#1 {\"b\":2}\n"
                      "3:2@19#2 ! " NAME ":3:2: expected an object, got an array\n" },
  };

  check_ranges ("{\"a\":1}\r\n{\"b\":2}\r\n [true]\r\n", cases, G_N_ELEMENTS (cases));
}

static void
append_random_line (GString *text, GRand *rand)
{
  guint kind = g_rand_int_range (rand, 0, 100);
  guint lead = g_rand_int_range (rand, 0, 4) == 0 ? g_rand_int_range (rand, 1, 4) : 0;

  if (kind < 10)
    return; /* empty */
  if (kind < 20)
    {
      for (guint i = g_rand_int_range (rand, 1, 6); i > 0; i--)
        g_string_append_c (text, g_rand_boolean (rand) ? ' ' : '\t');
      return;
    }
  for (guint i = 0; i < lead; i++)
    g_string_append_c (text, ' ');
  if (kind < 26)
    g_string_append (text, g_rand_boolean (rand) ? "[1,2]" : "{\"bad\":\"\xFF\"}");
  else
    {
      guint size = kind < 29 ? g_rand_int_range (rand, 1025, 2000)
                             : g_rand_int_range (rand, 0, 120);
      static const char alphabet[] = "abcXYZ019 {}[]:,\xC3\xA9";

      g_string_append (text, "{\"k\":\"");
      for (guint i = 0; i < size; i++)
        {
          char c = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 3)];
          if (c == '\xC3')
            g_string_append (text, "\xC3\xA9");
          else
            g_string_append_c (text, c);
        }
      g_string_append (text, "\"}");
    }
  if (g_rand_int_range (rand, 0, 5) == 0)
    g_string_append (text, " ");
}

static int
compare_offsets (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

/* The property: for any split of a file into ranges, the ranges' items and
 * rejections, concatenated, are the whole file's, each once, in order. */
static void
test_range_property (void)
{
  g_autoptr(AlloyReader) reader = new_reader ("item-max-bytes=1k");
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (test_seed ());
  guint n_ranges = 0;

  for (guint file_no = 0; file_no < 120; file_no++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *name = g_strdup_printf ("f%u.ndjson", file_no);
      g_autofree char *path = NULL;
      g_autofree char *whole = NULL;
      gboolean crlf = g_rand_int_range (rand, 0, 4) == 0;
      guint n_lines = g_rand_int_range (rand, 0, 40);

      if (g_rand_int_range (rand, 0, 10) == 0)
        g_string_append (text, "\xEF\xBB\xBF");
      for (guint i = 0; i < n_lines; i++)
        {
          append_random_line (text, rand);
          if (i + 1 < n_lines || g_rand_boolean (rand))
            g_string_append (text, crlf || g_rand_int_range (rand, 0, 10) == 0 ? "\r\n" : "\n");
        }
      path = write_tmp (dir, name, text->str, text->len);
      whole = dump_file (reader, path, 0, G_MAXUINT64, TRUE);

      /* Tiny ranges cost one open per byte: every third file. */
      for (guint split = file_no % 3 == 0 ? 0 : 1; split < 6; split++)
        {
          g_autoptr(GString) joined = g_string_new (NULL);
          g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (guint64));
          guint64 start = 0;

          /* Split 0: ranges of 1 to 4 bytes; the others: up to 8 ranges
           * cut anywhere, empty ones included. */
          if (split == 0)
            for (guint64 at = g_rand_int_range (rand, 1, 5); at < text->len + 4;
                 at += g_rand_int_range (rand, 1, 5))
              g_array_append_val (cuts, at);
          else
            for (guint i = g_rand_int_range (rand, 0, 8); i > 0; i--)
              {
                guint64 at = g_rand_int_range (rand, 0, text->len + 3);
                g_array_append_val (cuts, at);
              }
          g_array_sort (cuts, compare_offsets);
          for (guint i = 0; i <= cuts->len; i++)
            {
              guint64 end = i < cuts->len ? g_array_index (cuts, guint64, i)
                            : g_rand_boolean (rand) ? G_MAXUINT64 : text->len;
              g_autofree char *part = dump_file (reader, path, start, end, TRUE);

              g_string_append (joined, part);
              start = end;
              n_ranges++;
            }
          if (g_strcmp0 (joined->str, whole) != 0)
            g_test_message ("file %u, split %u, %u cuts", file_no, split, cuts->len);
          g_assert_cmpstr (joined->str, ==, whole);
        }
    }
  g_test_message ("%u ranges checked", n_ranges);
  alloy_test_remove_tree (dir);
}

static void
test_range_unsupported (void)
{
  g_autoptr(AlloyReader) reader = new_reader (NULL);
  const char *text = "{\"a\":1}\n{\"b\":2}\n";
  g_autoptr(GBytes) compressed = gzip (text, strlen (text));
  g_autoptr(GError) error = NULL;
  AlloyReaderInput input = { .display_name = NAME, .range_start = 10,
                             .range_end = G_MAXUINT64 };
  g_autoptr(GInputStream) stream = gunzip_stream (compressed);
  g_autoptr(AlloyItemIter) iter = alloy_reader_open (reader, stream, &input, NULL, &error);
  g_autoptr(GInputStream) again = gunzip_stream (compressed);
  g_autoptr(AlloyItemIter) head = NULL;
  g_autofree char *got = NULL;

  g_assert_null (iter);
  g_assert_error (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_UNSUPPORTED);
  g_assert_cmpstr (error->message, ==, NAME ": a byte range from 10 needs a seekable, "
                                       "uncompressed stream");
  /* A range from 0 needs no seek. */
  head = open_stream (reader, again, 0, 8);
  got = dump (head, NULL, FALSE, NULL, NULL);
  g_assert_cmpstr (got, ==, "1:1@0#0 {\"a\":1}\n");
}

static void
test_cancelled (void)
{
  g_autoptr(AlloyReader) reader = new_reader (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(AlloyItemIter) before = open_data (reader, "{}\n{}\n", -1);
  g_autoptr(AlloyItemIter) between = open_data (reader, "{}\n{}\n", -1);
  g_autoptr(GString) text = g_string_new ("{\"first\":1}\n{\"second\":");
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(AlloyItemIter) in_read = NULL;
  g_autoptr(GBytes) item = NULL;
  g_autofree char *got_before = NULL, *got_between = NULL, *got_in_read = NULL;
  AlloyItemLocation location;

  g_cancellable_cancel (cancellable);
  got_before = dump (before, cancellable, FALSE, NULL, NULL);
  g_assert_cmpstr (got_before, ==, "CANCELLED\n");

  g_cancellable_reset (cancellable);
  g_assert_true (alloy_item_iter_next (between, &item, &location, cancellable, NULL));
  g_cancellable_cancel (cancellable);
  got_between = dump (between, cancellable, FALSE, NULL, NULL);
  g_assert_cmpstr (got_between, ==, "CANCELLED\n");

  /* In a read, in the middle of a line: a cancellation, not STREAM. */
  g_cancellable_reset (cancellable);
  append_n (text, '1', 1000);
  g_string_append (text, "}\n");
  stream = trickle_stream_new (text->str, text->len, 100, 1);
  TEST_TRICKLE_STREAM (stream)->cancel = g_object_ref (cancellable);
  TEST_TRICKLE_STREAM (stream)->cancel_at = 5;
  in_read = open_stream (reader, stream, 0, G_MAXUINT64);
  got_in_read = dump (in_read, cancellable, FALSE, NULL, NULL);
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
  g_test_add_func ("/reader-ndjson/range-edges", test_range_edges);
  g_test_add_func ("/reader-ndjson/range-crlf-and-errors", test_range_crlf_and_errors);
  g_test_add_func ("/reader-ndjson/range-property", test_range_property);
  g_test_add_func ("/reader-ndjson/range-unsupported", test_range_unsupported);
  g_test_add_func ("/reader-ndjson/cancelled", test_cancelled);

  return g_test_run ();
}
