/* test-data-file.c: opening dataset files: gzip by name and magic (in any
 * case), gzip files of several members, trailing data, the head, and the
 * choice of the reader.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-data-file.h"
#include "alloy-gzip-members.h"
#include "alloy-test-utils.h"

#include <string.h>

typedef AlloyTestTmpDir Fixture;

/* One gzip member holding @len bytes of @text. */
static GBytes *
gzip_member (const char *text, gssize len)
{
  g_autoptr(GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (gzip));
  g_autoptr(GError) error = NULL;
  gsize written = 0;

  if (len < 0)
    len = (gssize) strlen (text);
  g_output_stream_write_all (out, text, (gsize) len, &written, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

/* The members of @texts, each compressed alone, one after the other, then
 * @tail_len bytes of @tail. */
static GBytes *
gzip_members (const char *const *texts, const char *tail, gsize tail_len)
{
  GByteArray *all = g_byte_array_new ();

  for (gsize i = 0; texts[i] != NULL; i++)
    {
      g_autoptr(GBytes) member = gzip_member (texts[i], -1);
      gsize size;
      const guint8 *bytes = g_bytes_get_data (member, &size);

      g_byte_array_append (all, bytes, (guint) size);
    }
  if (tail_len > 0)
    g_byte_array_append (all, (const guint8 *) tail, (guint) tail_len);
  return g_byte_array_free_to_bytes (all);
}

static char *
put (Fixture *fixture, const char *name, GBytes *content)
{
  char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (content, &size);

  g_file_set_contents (path, data, (gssize) size, &error);
  g_assert_no_error (error);
  return path;
}

/* The whole content of the file's stream, or NULL with @error. */
static GBytes *
read_stream (GInputStream *stream, GError **error)
{
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();

  if (g_output_stream_splice (memory, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL,
                              error) < 0)
    return NULL;
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static GBytes *
read_file (const char *path, GError **error)
{
  g_autoptr(AlloyDataFile) file = alloy_data_file_open (path, NULL, error);

  if (file == NULL)
    return NULL;
  g_assert_true (alloy_data_file_is_compressed (file));
  return read_stream (alloy_data_file_get_stream (file), error);
}

static void
assert_bytes_equal (GBytes *bytes, const char *expected, gsize expected_len)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  g_assert_cmpmem (data, size, expected, expected_len);
}

/* A few hundred KB that compress badly, so that the members span many reads. */
static char *
noise (guint seed, gsize len)
{
  char *text = g_malloc (len + 1);
  guint32 x = seed * 2654435761u + 1;

  for (gsize i = 0; i < len; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      text[i] = (char) ('a' + x % 26);
    }
  text[len] = '\0';
  return text;
}

/* --- whole files --------------------------------------------------------- */

static void
test_single_member (Fixture *fixture, gconstpointer data)
{
  const char *texts[] = { "[{\"a\":1}]\n", NULL };
  g_autoptr(GBytes) gz = gzip_members (texts, NULL, 0);
  g_autofree char *path = put (fixture, "one.json.gz", gz);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = read_file (path, &error);

  g_assert_no_error (error);
  assert_bytes_equal (content, texts[0], strlen (texts[0]));
}

static void
test_two_members (Fixture *fixture, gconstpointer data)
{
  const char *texts[] = { "{\"a\":1}\n", "{\"b\":2}\n", NULL };
  g_autoptr(GBytes) gz = gzip_members (texts, NULL, 0);
  g_autofree char *path = put (fixture, "two.ndjson.gz", gz);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = read_file (path, &error);

  g_assert_no_error (error);
  assert_bytes_equal (content, "{\"a\":1}\n{\"b\":2}\n", 16);
}

/* Large members, and an empty one between them. */
static void
test_three_members (Fixture *fixture, gconstpointer data)
{
  g_autofree char *first = noise (1, 300000);
  g_autofree char *third = noise (3, 200001);
  const char *texts[] = { first, "", third, NULL };
  g_autoptr(GBytes) gz = gzip_members (texts, NULL, 0);
  g_autofree char *path = put (fixture, "three.ndjson.gz", gz);
  g_autofree char *expected = g_strconcat (first, third, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = read_file (path, &error);

  g_assert_no_error (error);
  assert_bytes_equal (content, expected, strlen (expected));
}

static void
test_empty_members (Fixture *fixture, gconstpointer data)
{
  const char *texts[] = { "", "", NULL };
  g_autoptr(GBytes) gz = gzip_members (texts, NULL, 0);
  g_autofree char *path = put (fixture, "empty.json.gz", gz);
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyDataFile) file = alloy_data_file_open (path, NULL, &error);
  g_autoptr(GBytes) content = NULL;
  gsize head_length = 1;

  g_assert_no_error (error);
  alloy_data_file_get_head (file, &head_length);
  g_assert_cmpuint (head_length, ==, 0);
  content = read_stream (alloy_data_file_get_stream (file), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (content), ==, 0);
}

static void
test_trailing_garbage (Fixture *fixture, gconstpointer data)
{
  const struct {
    const char *tail;
    gsize tail_len;
    guint members;
    const char *message;
  } cases[] = {
    { "garbage", 7, 1, "trailing data after gzip member 1" },
    { "\0\0\0\0", 4, 1, "trailing data after gzip member 1" },
    { "x", 1, 2, "trailing data after gzip member 2" },
    { "\x1f", 1, 1, "gzip member 2 is truncated" },
    { "\x1f\x8b", 2, 2, "gzip member 3 is truncated" },
    { "\x1f\x8b\x09\0\0\0\0\0\0\x03", 10, 1, "gzip member 2: " },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *texts[] = { "{\"a\":1}\n", "{\"b\":2}\n", NULL };
      g_autoptr(GBytes) gz = NULL;
      g_autofree char *name = g_strdup_printf ("tail%zu.ndjson.gz", i);
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) content = NULL;

      if (cases[i].members == 1)
        texts[1] = NULL;
      gz = gzip_members (texts, cases[i].tail, cases[i].tail_len);
      path = put (fixture, name, gz);
      content = read_file (path, &error);
      g_assert_null (content);
      g_assert_nonnull (error);
      g_test_message ("%s: %s", name, error->message);
      g_assert_true (error->domain == G_IO_ERROR);
      g_assert_nonnull (strstr (error->message, cases[i].message));
    }
}

/* The rest of the member is cut. */
static void
test_truncated (Fixture *fixture, gconstpointer data)
{
  g_autofree char *text = noise (7, 10000);
  const char *texts[] = { "{\"a\":1}\n", text, NULL };
  g_autoptr(GBytes) gz = gzip_members (texts, NULL, 0);
  g_autoptr(GBytes) cut = g_bytes_new_from_bytes (gz, 0, g_bytes_get_size (gz) - 20);
  g_autofree char *path = put (fixture, "cut.ndjson.gz", cut);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) content = read_file (path, &error);

  g_assert_null (content);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
  g_assert_nonnull (strstr (error->message, "gzip member 2 is truncated"));
}

/* --- the converter alone, with tiny buffers ------------------------------ */

/* Feeds @gz @in_step bytes at a time into @out_step bytes of output space,
 * as a careful caller would; returns the output or NULL with @error. */
static GBytes *
convert_in_steps (GBytes *gz, gsize in_step, gsize out_step, GError **error)
{
  g_autoptr(AlloyGzipMembers) members = alloy_gzip_members_new ();
  GByteArray *out = g_byte_array_new ();
  gsize size;
  const guint8 *in = g_bytes_get_data (gz, &size);
  gsize offset = 0;
  gsize avail = MIN (in_step, size);
  guint8 buffer[64];

  g_assert_cmpuint (out_step, <=, sizeof buffer);
  for (;;)
    {
      gsize nread = 0;
      gsize nwritten = 0;
      GConverterFlags flags = offset + avail == size ? G_CONVERTER_INPUT_AT_END : 0;
      g_autoptr(GError) local_error = NULL;
      GConverterResult result = g_converter_convert (G_CONVERTER (members), in + offset, avail,
                                                     buffer, out_step, flags, &nread, &nwritten,
                                                     &local_error);

      if (result == G_CONVERTER_ERROR)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT)
              && offset + avail < size)
            {
              avail = MIN (avail + in_step, size - offset);
              continue;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          g_byte_array_unref (out);
          return NULL;
        }
      /* Every CONVERTED must move, or a GConverterInputStream spins. */
      g_assert_false (result == G_CONVERTER_CONVERTED && nread == 0 && nwritten == 0);
      g_byte_array_append (out, buffer, (guint) nwritten);
      offset += nread;
      avail -= nread;
      if (result == G_CONVERTER_FINISHED)
        break;
      if (avail == 0)
        avail = MIN (in_step, size - offset);
    }
  g_assert_cmpuint (offset, ==, size);
  return g_byte_array_free_to_bytes (out);
}

static void
test_converter_steps (void)
{
  g_autofree char *big = noise (5, 3000);
  const char *texts[] = { "abc", "", big, "\n", NULL };
  g_autoptr(GBytes) gz = gzip_members (texts, NULL, 0);
  g_autofree char *expected = g_strconcat ("abc", big, "\n", NULL);
  const gsize steps[][2] = { { 1, 1 }, { 1, 64 }, { 7, 3 }, { 64, 1 }, { 4096, 64 } };

  for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) content = convert_in_steps (gz, steps[i][0], steps[i][1], &error);

      g_assert_no_error (error);
      assert_bytes_equal (content, expected, strlen (expected));
    }

  /* The same with garbage after it: the content comes out, then the error. */
  {
    g_autoptr(GBytes) bad = gzip_members (texts, "zz", 2);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) content = convert_in_steps (bad, 5, 9, &error);

    g_assert_null (content);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_cmpstr (error->message, ==, "trailing data after gzip member 4");
  }
}

static void
test_converter_empty (void)
{
  g_autoptr(AlloyGzipMembers) members = alloy_gzip_members_new ();
  g_autoptr(GError) error = NULL;
  guint8 out[16];
  gsize nread = 1;
  gsize nwritten = 1;

  g_assert_cmpint (g_converter_convert (G_CONVERTER (members), "", 0, out, sizeof out,
                                        G_CONVERTER_INPUT_AT_END, &nread, &nwritten, &error),
                   ==, G_CONVERTER_ERROR);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
  g_assert_cmpstr (error->message, ==, "no gzip member: the input is empty");
  g_assert_cmpuint (alloy_gzip_members_get_count (members), ==, 0);
}

/* --- the head and names --------------------------------------------------- */

/* A tiny first member: the head still holds the start of the content. */
static void
test_head (Fixture *fixture, gconstpointer data)
{
  g_autofree char *rest = noise (9, 5000);
  const char *texts[] = { "[", "", rest, NULL };
  g_autoptr(GBytes) gz = gzip_members (texts, NULL, 0);
  g_autofree char *path = put (fixture, "head.json.gz", gz);
  g_autofree char *expected = g_strconcat ("[", rest, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyDataFile) file = alloy_data_file_open (path, NULL, &error);
  g_autoptr(GBytes) content = NULL;
  const guint8 *head;
  gsize head_length = 0;

  g_assert_no_error (error);
  head = alloy_data_file_get_head (file, &head_length);
  g_assert_cmpmem (head, head_length, expected, ALLOY_DATA_FILE_HEAD_SIZE);
  /* Peeked, not consumed. */
  content = read_stream (alloy_data_file_get_stream (file), &error);
  g_assert_no_error (error);
  assert_bytes_equal (content, expected, strlen (expected));
}

static void
test_name_case (Fixture *fixture, gconstpointer data)
{
  const char *names[] = { "UP.NDJSON.GZ", "mixed.json.Gz", "x.jsonl.gZ" };
  const char *texts[] = { "{\"a\":1}\n", "{\"b\":2}\n", NULL };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GBytes) gz = gzip_members (texts, NULL, 0);
      g_autofree char *path = put (fixture, names[i], gz);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) content = read_file (path, &error);

      g_assert_no_error (error);
      assert_bytes_equal (content, "{\"a\":1}\n{\"b\":2}\n", 16);
    }
}

static void
test_mismatch (Fixture *fixture, gconstpointer data)
{
  const char *texts[] = { "[]", NULL };
  g_autoptr(GBytes) gz = gzip_members (texts, NULL, 0);
  g_autoptr(GBytes) plain = g_bytes_new_static ("[]", 2);
  const struct {
    const char *name;
    GBytes *content;
    const char *message;
  } cases[] = {
    { "fake.json.gz", plain, "fake.json.gz: the name ends in .gz but the content is not gzip" },
    { "FAKE.JSON.GZ", plain, "FAKE.JSON.GZ: the name ends in .gz but the content is not gzip" },
    { "real.json", gz, "real.json: the content is gzip but the name does not end in .gz" },
    { "real.gzip", gz, "real.gzip: the content is gzip but the name does not end in .gz" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = put (fixture, cases[i].name, cases[i].content);
      g_autoptr(GError) error = NULL;
      g_autoptr(AlloyDataFile) file = alloy_data_file_open (path, NULL, &error);

      g_assert_null (file);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      g_assert_true (g_str_has_suffix (error->message, cases[i].message));
      g_assert_true (g_str_has_prefix (error->message, fixture->dir));
    }
}

/* --- choosing the reader --------------------------------------------------- */

static void
test_pick_reader (Fixture *fixture, gconstpointer data)
{
  g_autoptr(GPtrArray) readers = g_ptr_array_new_with_free_func (g_object_unref);
  AlloyReader *json;
  AlloyReader *ndjson;
  const char *pretty = "{\n  \"a\": 1,\n  \"b\": [1, 2]\n}\n";
  const char *lines = "{\"a\":1}\n{\"a\":2}\n";
  const char *lines_list[] = { "{\"a\":1}\n", "{\"a\":2}\n", NULL };
  const char *pretty_list[] = { "{\n  \"a\": 1,\n", "  \"b\": [1, 2]\n}\n", NULL };
  g_autoptr(GBytes) pretty_plain = g_bytes_new_static (pretty, strlen (pretty));
  g_autoptr(GBytes) lines_plain = g_bytes_new_static (lines, strlen (lines));
  g_autoptr(GBytes) pretty_gz = gzip_members (pretty_list, NULL, 0);
  g_autoptr(GBytes) lines_gz = gzip_members (lines_list, NULL, 0);
  const struct {
    const char *name;
    GBytes *content;
    gboolean is_json;
  } cases[] = {
    { "PRETTY.JSON", pretty_plain, TRUE },
    { "pretty.Json", pretty_plain, TRUE },
    { "pretty.json", pretty_plain, TRUE },
    { "PRETTY.JSON.GZ", pretty_gz, TRUE },
    { "Pretty.Json.Gz", pretty_gz, TRUE },
    { "UP.NDJSON.GZ", lines_gz, FALSE },
    { "UP.NDJSON", lines_plain, FALSE },
    { "up.JSONL", lines_plain, FALSE },
  };

  json = ALLOY_READER (alloy_test_new_instance ("reader_json", "reader:json", NULL));
  ndjson = ALLOY_READER (alloy_test_new_instance ("reader_ndjson", "reader:ndjson", NULL));
  g_ptr_array_add (readers, ndjson);
  g_ptr_array_add (readers, json);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = put (fixture, cases[i].name, cases[i].content);
      g_autoptr(GError) error = NULL;
      g_autoptr(AlloyDataFile) file = alloy_data_file_open (path, NULL, &error);
      AlloyReader *picked;

      g_assert_no_error (error);
      picked = alloy_data_file_pick_reader (file, readers, &error);
      g_assert_no_error (error);
      g_test_message ("%s", cases[i].name);
      g_assert_true (picked == (cases[i].is_json ? json : ndjson));
    }

  /* The probe alone, on names in any case. */
  g_assert_cmpuint (alloy_reader_probe (json, "A.JSON", (const guint8 *) "{", 1), ==, 60);
  g_assert_cmpuint (alloy_reader_probe (json, "a.Json.Gz", (const guint8 *) "[", 1), ==, 60);
  g_assert_cmpuint (alloy_reader_probe (json, "A.JSON.GZ", (const guint8 *) "x", 1), ==, 30);
  g_assert_cmpuint (alloy_reader_probe (json, "a.jsonx", (const guint8 *) "{", 1), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  alloy_test_log_init ();

#define ADD(path, func) \
  g_test_add ("/data-file/" path, Fixture, NULL, alloy_test_tmp_dir_set_up, func, alloy_test_tmp_dir_tear_down)

  ADD ("single-member", test_single_member);
  ADD ("two-members", test_two_members);
  ADD ("three-members", test_three_members);
  ADD ("empty-members", test_empty_members);
  ADD ("trailing-garbage", test_trailing_garbage);
  ADD ("truncated", test_truncated);
  g_test_add_func ("/data-file/converter-steps", test_converter_steps);
  g_test_add_func ("/data-file/converter-empty", test_converter_empty);
  ADD ("head", test_head);
  ADD ("name-case", test_name_case);
  ADD ("mismatch", test_mismatch);
  ADD ("pick-reader", test_pick_reader);

#undef ADD

  return g_test_run ();
}
