/* test-reader-ndjson-ranges.c: the reader_ndjson plugin's byte ranges: edge
 * cases, CRLF and rejections across range boundaries, a property test over
 * random files and splits, and compressed streams, which have no ranges.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "reader-test-utils.h"

#include <string.h>

#define NAME RN_NAME

typedef struct {
  guint64 start, end;
  const char *expected;
} RangeCase;

/* Each case on the file holding @text; then ranges of size 1, which
 * together must give the whole file. */
static void
check_ranges (const char *text, const RangeCase *cases, gsize n_cases)
{
  g_autoptr(AlloyReader) reader = rn_new_reader (NULL);
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *path = rn_write_tmp (dir, NAME, text, -1);
  g_autofree char *whole = rn_dump_file (reader, path, 0, G_MAXUINT64, TRUE);
  g_autoptr(GString) ones = g_string_new (NULL);

  for (gsize i = 0; i < n_cases; i++)
    {
      g_autofree char *got = rn_dump_file (reader, path, cases[i].start, cases[i].end, FALSE);

      g_assert_cmpstr (got, ==, cases[i].expected);
    }
  for (guint64 start = 0; start < strlen (text) + 3; start++)
    {
      g_autofree char *got = rn_dump_file (reader, path, start, start + 1, TRUE);

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
  g_autoptr(AlloyReader) reader = rn_new_reader ("item-max-bytes=1k");
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (rn_test_seed ());
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
      path = rn_write_tmp (dir, name, text->str, text->len);
      whole = rn_dump_file (reader, path, 0, G_MAXUINT64, TRUE);

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
              g_autofree char *part = rn_dump_file (reader, path, start, end, TRUE);

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
  g_autoptr(AlloyReader) reader = rn_new_reader (NULL);
  const char *text = "{\"a\":1}\n{\"b\":2}\n";
  g_autoptr(GBytes) compressed = reader_test_gzip (text, strlen (text));
  g_autoptr(GError) error = NULL;
  AlloyReaderInput input = { .display_name = NAME, .range_start = 10,
                             .range_end = G_MAXUINT64 };
  g_autoptr(GInputStream) stream = reader_test_gunzip_stream (compressed);
  g_autoptr(AlloyItemIter) iter = alloy_reader_open (reader, stream, &input, NULL, &error);
  g_autoptr(GInputStream) again = reader_test_gunzip_stream (compressed);
  g_autoptr(AlloyItemIter) head = NULL;
  g_autofree char *got = NULL;

  g_assert_null (iter);
  g_assert_error (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_UNSUPPORTED);
  g_assert_cmpstr (error->message, ==, NAME ": a byte range from 10 needs a seekable, "
                                       "uncompressed stream");
  /* A range from 0 needs no seek. */
  head = rn_open_stream (reader, again, 0, 8);
  got = rn_dump (head, NULL, FALSE, NULL, NULL);
  g_assert_cmpstr (got, ==, "1:1@0#0 {\"a\":1}\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reader-ndjson/range-edges", test_range_edges);
  g_test_add_func ("/reader-ndjson/range-crlf-and-errors", test_range_crlf_and_errors);
  g_test_add_func ("/reader-ndjson/range-property", test_range_property);
  g_test_add_func ("/reader-ndjson/range-unsupported", test_range_unsupported);

  return g_test_run ();
}
