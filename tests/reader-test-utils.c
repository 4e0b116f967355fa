/* reader-test-utils.c: helpers shared by the reader plugin test programs
 * (test-reader-json*, test-reader-ndjson*): input streams that hand out
 * bytes a few at a time, gzip compression and damage, and for each reader
 * the helpers that turn what an iterator says into text to compare.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "reader-test-utils.h"

#include <string.h>

#define DEFAULT_SEED 20240611

/* --- TestStream ----------------------------------------------------------- */

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

GInputStream *
reader_test_stream_new (GBytes *bytes, gsize step)
{
  TestStream *self = g_object_new (TEST_TYPE_STREAM, NULL);

  self->bytes = g_bytes_ref (bytes);
  self->step = step;
  return G_INPUT_STREAM (self);
}

GInputStream *
reader_test_stream_new_generated (guint n, gsize fill, guint big_index, gsize big_fill)
{
  TestStream *self = g_object_new (TEST_TYPE_STREAM, NULL);

  self->n = n;
  self->fill = fill;
  self->big_index = big_index;
  self->big_fill = big_fill;
  return G_INPUT_STREAM (self);
}

/* --- TestTrickleStream ---------------------------------------------------- */

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

GInputStream *
reader_test_trickle_stream_new (const char *data, gsize len, guint max_read, guint32 seed)
{
  TestTrickleStream *self = g_object_new (TEST_TYPE_TRICKLE_STREAM, NULL);

  self->bytes = g_bytes_new (data, len);
  self->max_read = max_read;
  self->rand = g_rand_new_with_seed (seed);
  return G_INPUT_STREAM (self);
}

/* --- gzip ----------------------------------------------------------------- */

GBytes *
reader_test_gzip (const char *data, gsize len)
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

GInputStream *
reader_test_gunzip_stream (GBytes *compressed)
{
  g_autoptr(GInputStream) raw = g_memory_input_stream_new_from_bytes (compressed);
  g_autoptr(GZlibDecompressor) decompressor =
    g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);

  return g_converter_input_stream_new (raw, G_CONVERTER (decompressor));
}

GBytes *
reader_test_gzip_damage (GBytes *compressed, gboolean cut)
{
  gsize size = g_bytes_get_size (compressed);
  guint8 *data;

  if (cut)
    return g_bytes_new_from_bytes (compressed, 0, size / 2);
  data = g_memdup2 (g_bytes_get_data (compressed, NULL), size);
  memset (data + size / 2, 0xff, 64);
  return g_bytes_new_take (data, size);
}

/* --- reader_json: transcripts --------------------------------------------- */

/* A reader configured from @text: lines of [reader:json], then maybe other
 * groups such as [alloy]. Defaults are filled in as the core does. */
AlloyReader *
rj_new_reader_full (const char *text, GError **error)
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

AlloyReader *
rj_new_reader (const char *text)
{
  g_autoptr(GError) error = NULL;
  AlloyReader *reader = rj_new_reader_full (text ? text : "", &error);

  g_assert_no_error (error);
  return reader;
}

AlloyItemIter *
rj_open_stream (AlloyReader *reader, GInputStream *stream)
{
  AlloyReaderInput input = { .display_name = "t.json", .range_start = 0,
                             .range_end = G_MAXUINT64 };
  g_autoptr(GError) error = NULL;
  AlloyItemIter *iter = alloy_reader_open (reader, stream, &input, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (iter);
  return iter;
}

void
rj_assert_finished (AlloyItemIter *iter)
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
char *
rj_transcript (AlloyReader *reader, GInputStream *stream)
{
  g_autoptr(AlloyItemIter) iter = rj_open_stream (reader, stream);
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
  rj_assert_finished (iter);
  return g_string_free (out, FALSE);
}

void
rj_check_with (AlloyReader *reader, const char *text, gssize len, const char *expected)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, len < 0 ? strlen (text) : (gsize) len);
  const gsize steps[] = { 0, 1, 7 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(GInputStream) stream = steps[i] ? reader_test_stream_new (bytes, steps[i])
                                                : g_memory_input_stream_new_from_bytes (bytes);
      g_autofree char *got = rj_transcript (reader, stream);

      g_assert_cmpstr (got, ==, expected);
    }
}

void
rj_check (const char *text, gssize len, const char *expected)
{
  g_autoptr(AlloyReader) reader = rj_new_reader (NULL);

  rj_check_with (reader, text, len, expected);
}

/* --- reader_ndjson: dumps ------------------------------------------------- */

AlloyReader *
rn_new_reader (const char *group_text)
{
  return ALLOY_READER (alloy_test_new_instance ("reader_ndjson", "reader:ndjson", group_text));
}

AlloyItemIter *
rn_open_stream (AlloyReader *reader, GInputStream *stream, guint64 start, guint64 end)
{
  AlloyReaderInput input = { .display_name = RN_NAME, .range_start = start, .range_end = end };
  g_autoptr(GError) error = NULL;
  AlloyItemIter *iter = alloy_reader_open (reader, stream, &input, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (iter);
  return iter;
}

AlloyItemIter *
rn_open_data (AlloyReader *reader, const char *data, gssize len)
{
  g_autoptr(GInputStream) stream = NULL;

  if (len < 0)
    len = strlen (data);
  stream = g_memory_input_stream_new_from_data (g_memdup2 (data, len), len, g_free);
  return rn_open_stream (reader, stream, 0, G_MAXUINT64);
}

AlloyItemIter *
rn_open_file (AlloyReader *reader, const char *path, guint64 start, guint64 end)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) stream = g_file_read (file, NULL, &error);

  g_assert_no_error (error);
  return rn_open_stream (reader, G_INPUT_STREAM (stream), start, end);
}

/* Everything the iterator says, one line per call:
 *   LINE:COLUMN@OFFSET#INDEX ITEM-BYTES
 *   LINE:COLUMN@OFFSET#INDEX ! MESSAGE         (an ITEM rejection)
 *   LINE:COLUMN@OFFSET#INDEX STREAM MESSAGE
 *   CANCELLED
 * With @comparable, lines and indexes (which differ between a range and
 * the whole file) and the message prefixes are left out. */
char *
rn_dump (AlloyItemIter *iter, GCancellable *cancellable, gboolean comparable, guint *n_items,
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
      g_assert_cmpstr (location.file, ==, RN_NAME);
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

char *
rn_dump_data (AlloyReader *reader, const char *data, gssize len, guint *n_items, guint *n_rejected)
{
  g_autoptr(AlloyItemIter) iter = rn_open_data (reader, data, len);

  return rn_dump (iter, NULL, FALSE, n_items, n_rejected);
}

char *
rn_dump_file (AlloyReader *reader, const char *path, guint64 start, guint64 end,
              gboolean comparable)
{
  g_autoptr(AlloyItemIter) iter = rn_open_file (reader, path, start, end);

  return rn_dump (iter, NULL, comparable, NULL, NULL);
}

void
rn_assert_dump (AlloyReader *reader, const char *data, gssize len, const char *expected,
                guint expected_items, guint expected_rejected)
{
  guint items, rejected;
  g_autofree char *got = rn_dump_data (reader, data, len, &items, &rejected);

  g_assert_cmpstr (got, ==, expected);
  g_assert_cmpuint (items, ==, expected_items);
  g_assert_cmpuint (rejected, ==, expected_rejected);
}

void
rn_append_n (GString *string, char c, gsize n)
{
  gsize len = string->len;

  g_string_set_size (string, len + n);
  memset (string->str + len, c, n);
}

char *
rn_write_tmp (const char *dir, const char *name, const char *data, gssize len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
  return path;
}

guint32
rn_test_seed (void)
{
  const char *text = g_getenv ("ALLOY_TEST_SEED");
  guint32 seed = text ? (guint32) g_ascii_strtoull (text, NULL, 10) : DEFAULT_SEED;

  g_test_message ("seed %u (set ALLOY_TEST_SEED to repeat another)", seed);
  return seed;
}
