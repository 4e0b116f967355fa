/* test-reader-json.c: the reader_json plugin: framing of JSON array files
 * and single objects, locations, every rejection and what follows it, gzip,
 * the Burst fixture, bounded memory, probe scores and cancellation.
 *
 * Most cases compare a transcript (one line per item or error) and run it
 * three ways: from a memory stream, and from streams that hand out 1 and 7
 * bytes per read, so that every chunk boundary is crossed.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* --- a stream for the tests ---------------------------------------------- */

/* Hands out @bytes at most @step at a time, so that every chunk boundary is
 * crossed, and fails with "injected failure" once @fail_at bytes are out.
 * Without @bytes, it makes [{"pad":"aaa…"},\n{"pad":"aaa…"},\n…] as it is
 * read: @n elements of @fill filler bytes (fill + 10 bytes in all), except
 * element @big_index with @big_fill; it keeps nothing, and can cancel
 * @cancellable once @cancel_at bytes are out. */
struct _TestStream {
  GInputStream parent_instance;
  GBytes *bytes;
  gsize step;
  guint64 fail_at;
  guint64 produced;
  guint n, big_index, element;
  guint phase; /* 0: an element's head is next, 1: its filler, 2: its tail */
  gsize fill, big_fill, fill_left;
  char text[32];
  gsize text_len, text_pos;
  guint64 cancel_at;
  GCancellable *cancellable;
};

#define TEST_TYPE_STREAM (test_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestStream, test_stream, TEST, STREAM, GInputStream)
G_DEFINE_FINAL_TYPE (TestStream, test_stream, G_TYPE_INPUT_STREAM)

static gboolean
test_stream_next_piece (TestStream *self)
{
  gboolean big = self->element == self->big_index;

  if (self->element == self->n)
    return FALSE;
  self->text_pos = self->text_len = 0;
  if (self->phase == 0)
    self->text_len = (gsize) g_snprintf (self->text, sizeof self->text, "%s{\"pad\":\"",
                                         self->element == 0 ? "[" : ",\n");
  else if (self->phase == 1)
    self->fill_left = big ? self->big_fill : self->fill;
  else
    self->text_len = (gsize) g_snprintf (self->text, sizeof self->text, "\"}%s",
                                         ++self->element == self->n ? "]\n" : "");
  self->phase = (self->phase + 1) % 3;
  return TRUE;
}

static gssize
test_stream_read (GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable,
                  GError **error)
{
  TestStream *self = TEST_STREAM (stream);
  char *out = buffer;
  gsize n = 0, size = 0;

  if (self->produced == self->fail_at)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "injected failure");
      return -1;
    }
  count = (gsize) MIN (MIN (count, self->step), self->fail_at - self->produced);
  if (self->bytes != NULL)
    {
      const guint8 *data = g_bytes_get_data (self->bytes, &size);

      n = MIN (count, size - self->produced);
      if (n > 0)
        memcpy (buffer, data + self->produced, n);
    }
  while (self->bytes == NULL && n < count)
    {
      gsize m;

      if (self->text_pos < self->text_len)
        {
          m = MIN (count - n, self->text_len - self->text_pos);
          memcpy (out + n, self->text + self->text_pos, m);
          self->text_pos += m;
          n += m;
        }
      else if (self->fill_left > 0)
        {
          m = MIN (count - n, self->fill_left);
          memset (out + n, 'a', m);
          self->fill_left -= m;
          n += m;
        }
      else if (!test_stream_next_piece (self))
        break;
    }
  self->produced += n;
  if (self->cancellable != NULL && self->produced >= self->cancel_at)
    g_cancellable_cancel (self->cancellable);
  return (gssize) n;
}

static void
test_stream_finalize (GObject *object)
{
  g_clear_pointer (&TEST_STREAM (object)->bytes, g_bytes_unref);
  G_OBJECT_CLASS (test_stream_parent_class)->finalize (object);
}

static void
test_stream_class_init (TestStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = test_stream_read;
}

static void
test_stream_init (TestStream *self)
{
  self->step = G_MAXSIZE;
  self->fail_at = G_MAXUINT64;
}

static GInputStream *
trickle_new (GBytes *bytes, gsize step)
{
  TestStream *self = g_object_new (TEST_TYPE_STREAM, NULL);

  self->bytes = g_bytes_ref (bytes);
  self->step = step;
  return G_INPUT_STREAM (self);
}

static GInputStream *
gen_new (guint n, gsize fill, guint big_index, gsize big_fill)
{
  TestStream *self = g_object_new (TEST_TYPE_STREAM, NULL);

  self->n = n;
  self->fill = fill;
  self->big_index = big_index;
  self->big_fill = big_fill;
  return G_INPUT_STREAM (self);
}

/* --- helpers ------------------------------------------------------------ */

/* A reader configured from @text: lines of [reader:json], then maybe other
 * groups such as [alloy]. Defaults are filled in as the core does. */
static AlloyReader *
new_reader_full (const char *text, GError **error)
{
  const AlloyPlugin *plugin = alloy_test_load_plugin ("reader_json");
  g_autofree char *data = g_strdup_printf ("[reader:json]\nplugin=reader_json\n%s\n", text);
  g_autoptr(GKeyFile) config = g_key_file_new ();
  g_autoptr(GError) load_error = NULL;
  g_autoptr(AlloyPluginInstance) instance = NULL;

  g_key_file_load_from_data (config, data, -1, G_KEY_FILE_NONE, &load_error);
  g_assert_no_error (load_error);
  for (const AlloyOptionSpec *spec = plugin->descriptor->options; spec && spec->key; spec++)
    if (!g_key_file_has_key (config, "reader:json", spec->key, NULL) && spec->default_value)
      g_key_file_set_value (config, "reader:json", spec->key, spec->default_value);
  instance = g_object_new (plugin->type, NULL);
  alloy_plugin_instance_set_name (instance, "reader:json");
  if (!alloy_plugin_instance_configure (instance, config, "reader:json", error))
    return NULL;
  return ALLOY_READER (g_steal_pointer (&instance));
}

static AlloyReader *
new_reader (const char *text)
{
  g_autoptr(GError) error = NULL;
  AlloyReader *reader = new_reader_full (text ? text : "", &error);

  g_assert_no_error (error);
  return reader;
}

static AlloyItemIter *
open_stream (AlloyReader *reader, GInputStream *stream)
{
  AlloyReaderInput input = { .display_name = "t.json", .range_start = 0,
                             .range_end = G_MAXUINT64 };
  g_autoptr(GError) error = NULL;
  AlloyItemIter *iter = alloy_reader_open (reader, stream, &input, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (iter);
  return iter;
}

static void
assert_finished (AlloyItemIter *iter)
{
  g_autoptr(GError) error = NULL;
  GBytes *none = NULL;
  AlloyItemLocation location;

  g_assert_false (alloy_item_iter_next (iter, &none, &location, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (none);
}

/* Every item and error, one a line: LINE:COLUMN@OFFSET#INDEX, then the
 * item's bytes or ITEM/STREAM and the message. */
static char *
transcript (AlloyReader *reader, GInputStream *stream)
{
  g_autoptr(AlloyItemIter) iter = open_stream (reader, stream);
  GString *out = g_string_new (NULL);

  while (TRUE)
    {
      g_autoptr(GBytes) item = NULL;
      g_autoptr(GError) error = NULL;
      AlloyItemLocation location;
      gboolean ok = alloy_item_iter_next (iter, &item, &location, NULL, &error);
      gsize size = 0;
      const char *data;

      if (!ok && error == NULL)
        break;
      g_assert_cmpstr (location.file, ==, "t.json");
      if (!ok)
        {
          g_assert_true (error->domain == ALLOY_READER_ERROR);
          g_string_append (out, error->code == ALLOY_READER_ERROR_ITEM ? "ITEM " : "STREAM ");
        }
      g_string_append_printf (out, "%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT "@%"
                              G_GUINT64_FORMAT "#%" G_GUINT64_FORMAT " ", location.line,
                              location.column, location.offset, location.index);
      if (ok)
        {
          data = g_bytes_get_data (item, &size);
          g_string_append_len (out, data, (gssize) size);
        }
      else
        g_string_append (out, error->message);
      g_string_append_c (out, '\n');
      if (!ok && error->code == ALLOY_READER_ERROR_STREAM)
        break;
    }
  /* Whatever ended it, nothing follows. */
  assert_finished (iter);
  return g_string_free (out, FALSE);
}

static void
check_with (AlloyReader *reader, const char *text, gssize len, const char *expected)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, len < 0 ? strlen (text) : (gsize) len);
  const gsize steps[] = { 0, 1, 7 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(GInputStream) stream = steps[i] ? trickle_new (bytes, steps[i])
                                                : g_memory_input_stream_new_from_bytes (bytes);
      g_autofree char *got = transcript (reader, stream);

      g_assert_cmpstr (got, ==, expected);
    }
}

static void
check (const char *text, gssize len, const char *expected)
{
  g_autoptr(AlloyReader) reader = new_reader (NULL);

  check_with (reader, text, len, expected);
}

/* --- valid input ---------------------------------------------------------- */

static void
test_array (void)
{
  check ("[{\"a\":1},\n {\"b\":[1,2,{\"c\":\"]\"}]}]\n", -1,
         "1:2@1#0 {\"a\":1}\n"
         "2:2@11#1 {\"b\":[1,2,{\"c\":\"]\"}]}\n");
  /* Nesting, and columns in bytes after multi-byte characters. */
  check ("[{\"a\":{\"b\":{\"c\":[{\"d\":{}}]}}},{\"é\":\"ü😀\",\"x\":\"☕\"},{\"z\":1}]", -1,
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
  check ("[" ESCAPED_1 "," ESCAPED_2 "," ESCAPED_3 "]", -1,
         "1:2@1#0 " ESCAPED_1 "\n"
         "1:18@17#1 " ESCAPED_2 "\n"
         "1:29@28#2 " ESCAPED_3 "\n");
  /* An escaped line end inside a string still counts as a line. */
  check ("[{\"a\":\"x\\\ny\"},{}]", -1, "1:2@1#0 {\"a\":\"x\\\ny\"}\n2:5@14#1 {}\n");
}

static void
test_single_object (void)
{
  check ("{\"a\":1}\n", -1, "1:1@0#0 {\"a\":1}\n");
  check ("\n  {\"a\": [1]}  \n", -1, "2:3@3#0 {\"a\": [1]}\n");
}

static void
test_empty (void)
{
  /* No items, no error: an empty file is an empty dataset file. */
  check ("", -1, "");
  check (" \n\t\r\n", -1, "");
  check ("[]", -1, "");
  check (" [ \n ] \n", -1, "");
}

static void
test_bom (void)
{
  /* Skipped at offset 0; columns and offsets still count its bytes. */
  check ("\xef\xbb\xbf[{\"a\":1}]", -1, "1:5@4#0 {\"a\":1}\n");
  check ("\xef\xbb\xbf{}", -1, "1:4@3#0 {}\n");
  check ("\xef\xbb\xbf", -1, "");
  check ("\xef\xbb", -1, "STREAM 1:3@2#0 t.json:1:3: the file ends inside a byte order mark\n");
  check ("\xef\xbb" "x[]", -1,
         "STREAM 1:3@2#0 t.json:1:3: the file is neither a JSON array nor an object: expected "
         "'[' or '{', got 'x': the rest of the file is lost\n");
  check (" \xef\xbb\xbf[]", -1,
         "STREAM 1:2@1#0 t.json:1:2: the file is neither a JSON array nor an object: expected "
         "'[' or '{', got byte 0xef: the rest of the file is lost\n");
}

static void
test_crlf (void)
{
  check ("[\r\n{\"a\":1},\r\n{\r\n\"b\":2\r\n}, 7\r\n]\r\n", -1,
         "2:1@3#0 {\"a\":1}\n"
         "3:1@13#1 {\r\n\"b\":2\r\n}\n"
         "ITEM 5:4@26#2 t.json:5:4: expected an object, got a number\n");
}

/* --- rejected elements: reading goes on ----------------------------------- */

static void
test_not_objects (void)
{
  check ("[{\"a\":1}, 5, {\"b\":2}]", -1,
         "1:2@1#0 {\"a\":1}\n"
         "ITEM 1:11@10#1 t.json:1:11: expected an object, got a number\n"
         "1:14@13#2 {\"b\":2}\n");
  check ("[-1.5e3,\"x\\\"]\",true,false,null,[1,{\"a\":[]}],nul,{\"ok\":1},tru]", -1,
         "ITEM 1:2@1#0 t.json:1:2: expected an object, got a number\n"
         "ITEM 1:9@8#1 t.json:1:9: expected an object, got a string\n"
         "ITEM 1:16@15#2 t.json:1:16: expected an object, got true\n"
         "ITEM 1:21@20#3 t.json:1:21: expected an object, got false\n"
         "ITEM 1:27@26#4 t.json:1:27: expected an object, got null\n"
         "ITEM 1:32@31#5 t.json:1:32: expected an object, got an array\n"
         "ITEM 1:45@44#6 t.json:1:45: expected an object, got an invalid literal\n"
         "1:49@48#7 {\"ok\":1}\n"
         "ITEM 1:58@57#8 t.json:1:58: expected an object, got an invalid literal\n");
  /* Framing needs no valid JSON inside an object: the presser judges. */
  check ("[{\"a\" 1}]", -1, "1:2@1#0 {\"a\" 1}\n");
}

static void
test_invalid_utf8 (void)
{
  static const char nul[] = "[{\"a\":\"x\0y\"},{}]";

  check ("[{\"a\":\"\xff\"},\n{\"b\":\n\"x\xc3\"},{\"c\":\"\xc3\xa9\"}]", -1,
         "ITEM 1:2@1#0 t.json:1:2: not valid UTF-8: byte 0xff at line 1, column 8\n"
         "ITEM 2:1@12#1 t.json:2:1: not valid UTF-8: byte 0xc3 at line 3, column 3\n"
         "3:7@24#2 {\"c\":\"\xc3\xa9\"}\n");
  check (nul, sizeof nul - 1,
         "ITEM 1:2@1#0 t.json:1:2: a NUL byte at line 1, column 9 (JSON text cannot hold one)\n"
         "1:14@13#1 {}\n");
}

static char *
nested (guint depth)
{
  GString *text = g_string_new (NULL);

  for (guint i = 1; i < depth; i++)
    g_string_append (text, "{\"a\":");
  g_string_append (text, "{}");
  for (guint i = 1; i < depth; i++)
    g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

static void
test_too_deep (void)
{
  g_autoptr(AlloyReader) three = new_reader ("[alloy]\nalloy.samplestore.json.max.depth=3\n");
  g_autoptr(AlloyReader) reader = new_reader (NULL);
  g_autofree char *deep_512 = nested (512);
  g_autofree char *deep_513 = nested (513);
  g_autofree char *deep_100000 = nested (100000);
  g_autofree char *text = g_strdup_printf ("[%s,\n%s,\n%s,\n{}]", deep_512, deep_513, deep_100000);
  g_autofree char *expected = g_strdup_printf (
    "1:2@1#0 %s\n"
    "ITEM 2:1@%zu#1 t.json:2:1: item nested 513 levels deep, over the limit of 512 "
    "(alloy.samplestore.json.max.depth)\n"
    "ITEM 3:1@%zu#2 t.json:3:1: item nested 100000 levels deep, over the limit of 512 "
    "(alloy.samplestore.json.max.depth)\n"
    "4:1@%zu#3 {}\n", deep_512, strlen (deep_512) + 3, strlen (deep_512) + strlen (deep_513) + 5,
    strlen (deep_512) + strlen (deep_513) + strlen (deep_100000) + 7);

  /* Brackets inside strings do not nest; arrays are rejected for what they
   * are before their depth. */
  check_with (three,
              "[{\"a\":{\"b\":{\"c\":{}}}},{\"a\":{\"b\":[]}},[[[[]]]],{\"d\":\"{{{{{\"}]", -1,
              "ITEM 1:2@1#0 t.json:1:2: item nested 4 levels deep, over the limit of 3 "
              "(alloy.samplestore.json.max.depth)\n"
              "1:23@22#1 {\"a\":{\"b\":[]}}\n"
              "ITEM 1:38@37#2 t.json:1:38: expected an object, got an array\n"
              "1:47@46#3 {\"d\":\"{{{{{\"}\n");
  /* The default is 512; far deeper elements are skipped too. */
  check_with (reader, text, -1, expected);
}

static void
test_too_large (void)
{
  g_autoptr(AlloyReader) reader = new_reader ("item-max-bytes=1024\n");
  g_autofree char *x2000 = g_strnfill (2000, 'x');
  g_autofree char *x1016 = g_strnfill (1016, 'x');
  g_autofree char *x1017 = g_strnfill (1017, 'x');
  /* 2008, 7, 1024 (the limit: kept) and 1025 bytes. */
  g_autofree char *text = g_strdup_printf (
    "[{\"s\":\"%s\"},{\"b\":1},{\"s\":\"%s\"},\n{\"s\":\"%s\"}]", x2000, x1016, x1017);
  g_autofree char *expected = g_strdup_printf (
    "ITEM 1:2@1#0 t.json:1:2: item of 2008 bytes is larger than item-max-bytes (1024 bytes)\n"
    "1:2011@2010#1 {\"b\":1}\n"
    "1:2019@2018#2 {\"s\":\"%s\"}\n"
    "ITEM 2:1@3044#3 t.json:2:1: item of 1025 bytes is larger than item-max-bytes "
    "(1024 bytes)\n", x1016);

  check_with (reader, text, -1, expected);
}

/* --- broken structure: a STREAM error says what is lost ------------------- */

static void
test_not_array (void)
{
  check ("5", -1,
         "STREAM 1:1@0#0 t.json:1:1: the file is neither a JSON array nor an object: expected "
         "'[' or '{', got '5': the rest of the file is lost\n");
  check ("\"x\"", -1,
         "STREAM 1:1@0#0 t.json:1:1: the file is neither a JSON array nor an object: expected "
         "'[' or '{', got '\"': the rest of the file is lost\n");
  check ("\n nope", -1,
         "STREAM 2:2@2#0 t.json:2:2: the file is neither a JSON array nor an object: expected "
         "'[' or '{', got 'n': the rest of the file is lost\n");
}

static void
test_mismatch (void)
{
  check ("[{\"a\":1}, {\"b\":[1}, {\"c\":3}]", -1,
         "1:2@1#0 {\"a\":1}\n"
         "STREAM 1:18@17#1 t.json:1:18: '}' does not match the '[' it closes in item 2 (starting "
         "at line 1): the rest of the file, after item 1, is lost\n");
  check ("{ ]", -1,
         "STREAM 1:3@2#0 t.json:1:3: ']' does not match the '{' it closes in item 1 (starting at "
         "line 1): the rest of the file is lost\n");
}

static void
test_garbage (void)
{
  check ("[{\"a\":1} x {\"b\":2}]", -1,
         "1:2@1#0 {\"a\":1}\n"
         "STREAM 1:10@9#1 t.json:1:10: expected ',' or ']' after item 1, got 'x': the rest of the "
         "file, after item 1, is lost\n");
  check ("[{\"a\":1} {\"b\":2}]", -1,
         "1:2@1#0 {\"a\":1}\n"
         "STREAM 1:10@9#1 t.json:1:10: expected ',' or ']' after item 1, got '{': the rest of the "
         "file, after item 1, is lost\n");
  check ("[{\"a\":1}\xff]", -1,
         "1:2@1#0 {\"a\":1}\n"
         "STREAM 1:9@8#1 t.json:1:9: expected ',' or ']' after item 1, got byte 0xff: the rest of "
         "the file, after item 1, is lost\n");
  check ("[{\"a\":1},]", -1,
         "1:2@1#0 {\"a\":1}\n"
         "STREAM 1:10@9#1 t.json:1:10: expected an array element after item 1 and ',', got ']': "
         "the rest of the file, after item 1, is lost\n");
  check ("[{\"a\":1},,{}]", -1,
         "1:2@1#0 {\"a\":1}\n"
         "STREAM 1:10@9#1 t.json:1:10: expected an array element after item 1 and ',', got ',': "
         "the rest of the file, after item 1, is lost\n");
  check ("[,{}]", -1,
         "STREAM 1:2@1#0 t.json:1:2: expected an array element, got ',': the rest of the file is "
         "lost\n");
  check ("[}", -1,
         "STREAM 1:2@1#0 t.json:1:2: expected an array element, got '}': the rest of the file is "
         "lost\n");
}

static void
test_trailing_data (void)
{
  check ("[{\"a\":1}] {\"b\":2}", -1,
         "1:2@1#0 {\"a\":1}\n"
         "STREAM 1:11@10#1 t.json:1:11: expected nothing after the closing ']', got '{': the rest "
         "of the file, after item 1, is lost\n");
  check ("{\"a\":1}\n{\"b\":2}\n", -1,
         "1:1@0#0 {\"a\":1}\n"
         "STREAM 2:1@8#1 t.json:2:1: expected nothing after the root object, got '{': the rest "
         "of the file, after item 1, is lost\n");
  check ("{\"a\":1}]", -1,
         "1:1@0#0 {\"a\":1}\n"
         "STREAM 1:8@7#1 t.json:1:8: expected nothing after the root object, got ']': the rest "
         "of the file, after item 1, is lost\n");
  /* A rejected single object still ends the file. */
  check ("{\"a\":\"\xff\"} []", -1,
         "ITEM 1:1@0#0 t.json:1:1: not valid UTF-8: byte 0xff at line 1, column 7\n"
         "STREAM 1:11@10#1 t.json:1:11: expected nothing after the root object, got '[': the "
         "rest of the file, after item 1, is lost\n");
}

static void
test_truncated (void)
{
  check ("[{\"a\":1}, {\"b\":", -1,
         "1:2@1#0 {\"a\":1}\n"
         "STREAM 1:16@15#1 t.json:1:16: truncated after item 1: item 2 starting at line 1 is "
         "lost\n");
  check ("[{\"a\":1},", -1,
         "1:2@1#0 {\"a\":1}\n"
         "STREAM 1:10@9#1 t.json:1:10: truncated after item 1: the array has no closing ']'; any "
         "later items are lost\n");
  check ("[{\"a\":1}\n", -1,
         "1:2@1#0 {\"a\":1}\n"
         "STREAM 2:1@9#1 t.json:2:1: truncated after item 1: the array has no closing ']'; any "
         "later items are lost\n");
  check ("[", -1,
         "STREAM 1:2@1#0 t.json:1:2: truncated before the first item: the array has no closing "
         "']'; any later items are lost\n");
  check ("{\"a\":\n\"x\\", -1,
         "STREAM 2:4@9#0 t.json:2:4: truncated before the first item: item 1 starting at line 1 "
         "is lost\n");
  check ("[{},\n12", -1,
         "1:2@1#0 {}\n"
         "STREAM 2:3@7#1 t.json:2:3: truncated after item 1: item 2 starting at line 2 is lost\n");
}

static void
test_read_error (void)
{
  g_autoptr(AlloyReader) reader = new_reader (NULL);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("[{},{\"a\":1}]", 12);
  g_autoptr(GInputStream) between = trickle_new (bytes, 3);
  g_autoptr(GInputStream) inside = trickle_new (bytes, 3);
  g_autofree char *between_got = NULL;
  g_autofree char *inside_got = NULL;

  TEST_STREAM (between)->fail_at = 4;
  between_got = transcript (reader, between);
  g_assert_cmpstr (between_got, ==,
                   "1:2@1#0 {}\n"
                   "STREAM 1:5@4#1 t.json:1:5: cannot read after item 1: injected failure: the "
                   "rest of the file, after item 1, is lost\n");
  TEST_STREAM (inside)->fail_at = 7;
  inside_got = transcript (reader, inside);
  g_assert_cmpstr (inside_got, ==,
                   "1:2@1#0 {}\n"
                   "STREAM 1:8@7#1 t.json:1:8: cannot read item 2 (starting at line 1): injected "
                   "failure: the rest of the file, after item 1, is lost\n");
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
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  g_autoptr(GString) text = g_string_new ("[");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *element = gzip_element (i);

      g_string_append_printf (text, "%s%s", i ? ",\n" : "", element);
    }
  g_string_append (text, "]\n");
  g_assert_true (g_output_stream_write_all (out, text->str, text->len, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

/* Reads gzip @data through a decompressor: the items must be the first ones
 * of the file, in order, and a STREAM error must end them. */
static guint
read_broken_gzip (GBytes *data, guint n)
{
  g_autoptr(AlloyReader) reader = new_reader (NULL);
  g_autoptr(GZlibDecompressor) decompressor =
    g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GInputStream) base = g_memory_input_stream_new_from_bytes (data);
  g_autoptr(GInputStream) stream = g_converter_input_stream_new (base, G_CONVERTER (decompressor));
  g_autoptr(AlloyItemIter) iter = open_stream (reader, stream);
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
  assert_finished (iter);
  return items;
}

static void
test_gzip (void)
{
  const guint n = 4000;
  g_autoptr(GBytes) good = gzip_input (n);
  gsize size = g_bytes_get_size (good);
  g_autoptr(GBytes) truncated = g_bytes_new_from_bytes (good, 0, size / 2);
  guint8 *corrupt = g_memdup2 (g_bytes_get_data (good, NULL), size);
  g_autoptr(GBytes) corrupted = NULL;
  guint items;

  /* A gzip stream cut in half, and one with its middle overwritten. */
  items = read_broken_gzip (truncated, n);
  g_assert_cmpuint (items, >, 0);
  g_assert_cmpuint (items, <, n);
  memset (corrupt + size / 2, 0xff, 64);
  corrupted = g_bytes_new_take (corrupt, size);
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
  g_autoptr(AlloyReader) reader = new_reader (NULL);
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
  iter = open_stream (reader, stream);
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

  reader = new_reader ("item-max-bytes=4M\n");
  stream = gen_new (n, 1014, big, 64 * 1024 * 1024);
  iter = open_stream (reader, stream);
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
  g_autoptr(AlloyReader) reader = new_reader (NULL);
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
  g_autoptr(AlloyReader) reader = new_reader (NULL);
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
  g_autoptr(AlloyReader) reader = new_reader (NULL);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data ("[{},{}]", 7, NULL);
  g_autoptr(AlloyItemIter) iter = open_stream (reader, stream);
  g_autoptr(GInputStream) gen = gen_new (3, 10, 1, 64 * 1024 * 1024);
  g_autoptr(AlloyItemIter) gen_iter = open_stream (reader, gen);
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
  assert_finished (iter);

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
  assert_finished (gen_iter);
}

static void
test_configure (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyReader) reader = new_reader_full ("[alloy]\nalloy.samplestore.json.max.depth=0\n",
                                                   &error);
  g_autoptr(GError) small_error = NULL;
  /* The core checks the value first; an instance made without it, too. */
  g_autoptr(AlloyReader) small = new_reader_full ("item-max-bytes=0\n", &small_error);
  g_autoptr(AlloyReader) described = new_reader ("item-max-bytes=1M\n");
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
  g_test_add_func ("/reader-json/not-objects", test_not_objects);
  g_test_add_func ("/reader-json/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/reader-json/too-deep", test_too_deep);
  g_test_add_func ("/reader-json/too-large", test_too_large);
  g_test_add_func ("/reader-json/not-array", test_not_array);
  g_test_add_func ("/reader-json/mismatch", test_mismatch);
  g_test_add_func ("/reader-json/garbage", test_garbage);
  g_test_add_func ("/reader-json/trailing-data", test_trailing_data);
  g_test_add_func ("/reader-json/truncated", test_truncated);
  g_test_add_func ("/reader-json/read-error", test_read_error);
  g_test_add_func ("/reader-json/gzip", test_gzip);
  g_test_add_func ("/reader-json/quo-fixture", test_quo_fixture);
  g_test_add_func ("/reader-json/bounded-memory", test_bounded_memory);
  g_test_add_func ("/reader-json/probe", test_probe);
  g_test_add_func ("/reader-json/range-unsupported", test_range_unsupported);
  g_test_add_func ("/reader-json/cancelled", test_cancelled);
  g_test_add_func ("/reader-json/configure", test_configure);

  return g_test_run ();
}
