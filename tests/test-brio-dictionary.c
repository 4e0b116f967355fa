/* test-brio-dictionary.c: the Java-compatible Brio dictionary: hashing,
 * building, the image layout and limits. Reading images back, corrupt and
 * truncated, is test-brio-dictionary-view.c.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-dictionary.h"
#include "alloy-test-utils.h"
#include "brio-test-utils.h"

#include <string.h>

/* --- helpers ------------------------------------------------------------- */

/* String.hashCode computed apart from the code under test: GLib's UTF-16
 * conversion, then the polynomial. */
static gint32
reference_hash (const char *utf8)
{
  g_autoptr(GError) error = NULL;
  g_autofree gunichar2 *units = NULL;
  glong n_units = 0;
  guint32 h = 0;

  units = g_utf8_to_utf16 (utf8, -1, NULL, &n_units, &error);
  g_assert_no_error (error);
  for (glong i = 0; i < n_units; i++)
    h = 31 * h + units[i];
  return (gint32) h;
}

static guint
reference_bucket (const char *utf8)
{
  gint32 h = reference_hash (utf8);

  return h == G_MININT32 ? 0 : (guint) ABS (h) % 64;
}

/* Short generated strings whose bucket is @bucket, the first @count of
 * them. */
static GPtrArray *
strings_in_bucket (guint bucket, guint count)
{
  GPtrArray *strings = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; strings->len < count; i++)
    {
      char *text = g_strdup_printf ("k%u", i);

      if (alloy_brio_dictionary_bucket (alloy_brio_java_string_hash (text, -1)) == bucket)
        g_ptr_array_add (strings, text);
      else
        g_free (text);
    }
  return strings;
}

/* --- String.hashCode ----------------------------------------------------- */

static void
test_hash_vectors (void)
{
  static const struct { const char *text; gint32 hash; guint bucket; } cases[] = {
    { "", 0, 0 },
    { "a", 97, 33 },
    { "hello", 99162322, 18 },
    { "\xC3\xA9", 233, 41 },               /* é */
    { "\xF0\x9F\x98\x80", 1772899, 35 },   /* U+1F600 */
    { "flurryId", -2097415643, 27 },
    { "polygenelubricants", G_MININT32, 0 },
    { "!", 33, 33 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint32 h = alloy_brio_java_string_hash (cases[i].text, -1);

      g_assert_cmpint (h, ==, cases[i].hash);
      g_assert_cmpint (alloy_brio_java_string_hash (cases[i].text, strlen (cases[i].text)), ==,
                       cases[i].hash);
      g_assert_cmpuint (alloy_brio_dictionary_bucket (h), ==, cases[i].bucket);
    }

  /* Java's Math.abs(Integer.MIN_VALUE) stays negative; % 64 makes it 0. */
  g_assert_cmpuint (alloy_brio_dictionary_bucket (G_MININT32), ==, 0);
  g_assert_cmpuint (alloy_brio_dictionary_bucket (G_MININT32 + 1), ==, 63);
  g_assert_cmpuint (alloy_brio_dictionary_bucket (-97), ==, 33);
  g_assert_cmpuint (alloy_brio_dictionary_bucket (G_MAXINT32), ==, 63);
}

static void
test_hash_independent (void)
{
  static const struct { const char *text; gint32 hash; } cases[] = {
    /* Latin-1: one unit per character, two UTF-8 bytes. */
    { "Gr\xC3\xBC\xC3\x9F" "e, na\xC3\xAFve fa\xC3\xA7" "ade \xC3\xBF", 1278528789 },
    /* BMP and non-BMP mixed: a, U+1F600, é, U+10FFFF, 中, U+1D11E, x. */
    { "a\xF0\x9F\x98\x80\xC3\xA9\xF4\x8F\xBF\xBF\xE4\xB8\xAD\xF0\x9D\x84\x9Ex", -267987706 },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpint (reference_hash (cases[i].text), ==, cases[i].hash);
      g_assert_cmpint (alloy_brio_java_string_hash (cases[i].text, -1), ==, cases[i].hash);
    }

  /* Random code points of every UTF-8 length against GLib's UTF-16. */
  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      guint n = g_rand_int_range (rand, 0, 24);

      for (guint j = 0; j < n; j++)
        {
          static const guint32 limits[] = { 0x80, 0x800, 0x10000, 0x110000 };
          gunichar c = g_rand_int_range (rand, 1, limits[g_rand_int_range (rand, 0, 4)]);

          if (c >= 0xD800 && c <= 0xDFFF)
            c = 0xFFFD;
          g_string_append_unichar (text, c);
        }
      g_assert_cmpint (alloy_brio_java_string_hash (text->str, text->len), ==,
                       reference_hash (text->str));
    }

  /* An embedded NUL is a unit like any other. */
  g_assert_cmpint (alloy_brio_java_string_hash ("a\0b", 3), ==, (31 * 97 + 0) * 31 + 98);
}

static void
test_hash_malformed (void)
{
  /* Not UTF-8, which the caller must not pass: the hash stays inside the
   * bytes it is given (exact heap blocks, for ASan and valgrind): truncated
   * sequences, stray continuations, a surrogate, an overlong form and a
   * code point past U+10FFFF. */
  static const char *const cases[] = { "\xF0\x9F\x98", "\xE4\xB8", "\xC3", "\xFF", "\x80\x80",
                                       "\xED\xA0\x80", "\xC0\xAF", "\xF4\x90\x80\x80" };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize length = strlen (cases[i]);
      g_autofree char *copy = g_memdup2 (cases[i], length);
      guint32 expected = 0;

      /* Each byte of these counts as one U+FFFD. */
      for (gsize j = 0; j < length; j++)
        expected = 31 * expected + 0xFFFD;
      g_assert_cmpint (alloy_brio_java_string_hash (copy, length), ==, (gint32) expected);
    }
}

/* --- building ------------------------------------------------------------ */

static void
test_worked_example (void)
{
  g_autoptr(AlloyBrioDictionary) dictionary = alloy_brio_dictionary_new (
    ALLOY_BRIO_DICTIONARY_DEFAULT_CAPACITY);
  g_autofree guint8 *image = NULL;
  guint8 expected[277] = { 0 };
  gsize size;

  g_assert_cmpuint (alloy_brio_dictionary_get_size (dictionary), ==, 0);
  g_assert_cmpint (brio_test_add_word (dictionary, "a"), ==, 0x0021);
  g_assert_cmpuint (alloy_brio_dictionary_get_n_words (dictionary), ==, 1);

  /* The reference's 5.8, byte for byte. */
  memcpy (expected, "\x01\x00\x00\x00" "\x00\x00\x00\x00" "\x15\x01\x00\x00", 12);
  memcpy (expected + 144, "\x0C\x01\x00\x00", 4);
  memcpy (expected + 268, "\x21\x00" "\x00\x00\x00\x00" "\x01\x00" "a", 9);
  image = brio_test_image_of (dictionary, &size);
  g_assert_cmpmem (image, size, expected, sizeof expected);
}

static void
test_chain (void)
{
  g_autoptr(AlloyBrioDictionary) dictionary = alloy_brio_dictionary_new (
    ALLOY_BRIO_DICTIONARY_DEFAULT_CAPACITY);
  g_autoptr(GPtrArray) more = strings_in_bucket (33, 3);
  g_autofree guint8 *image = NULL;
  const char *third = NULL;
  gsize size;

  g_assert_cmpint (brio_test_add_word (dictionary, "a"), ==, 0x0021);
  g_assert_cmpint (brio_test_add_word (dictionary, "!"), ==, 0x00A1);
  /* A string of another bucket in between does not disturb the chain. */
  g_assert_cmpint (brio_test_add_word (dictionary, "hello"), ==, 0x0012);
  for (guint i = 0; i < more->len && third == NULL; i++)
    if (strcmp (more->pdata[i], "a") != 0 && strcmp (more->pdata[i], "!") != 0)
      third = more->pdata[i];
  g_assert_nonnull (third);
  g_assert_cmpint (brio_test_add_word (dictionary, third), ==, 0x00E1);  /* ordinal 3 */

  image = brio_test_image_of (dictionary, &size);
  g_assert_cmpuint (size, ==, 268 + 9 + 9 + 13 + 8 + strlen (third));
  g_assert_cmpint (brio_test_get_i32 (image), ==, 4);
  g_assert_cmpint (brio_test_get_i32 (image + 8), ==, (gint32) size);
  g_assert_cmpint (brio_test_get_i32 (image + 12 + 4 * 33), ==, 268);
  g_assert_cmpint (brio_test_get_i32 (image + 12 + 4 * 18), ==, 286);
  /* "a" links to "!", "!" to the third string, which ends the chain. */
  g_assert_cmpint (brio_test_get_i32 (image + 268 + 2), ==, 277);
  g_assert_cmpint (brio_test_get_i16 (image + 277), ==, 0x00A1);
  g_assert_cmpint (brio_test_get_i32 (image + 277 + 2), ==, 299);
  g_assert_cmpint (brio_test_get_i32 (image + 286 + 2), ==, 0);
  g_assert_cmpint (brio_test_get_i16 (image + 299), ==, 0x00E1);
  g_assert_cmpint (brio_test_get_i32 (image + 299 + 2), ==, 0);
}

static void
test_dedup (void)
{
  g_autoptr(AlloyBrioDictionary) dictionary = alloy_brio_dictionary_new (
    ALLOY_BRIO_DICTIONARY_DEFAULT_CAPACITY);
  g_autoptr(GError) error = NULL;
  gint16 key = 0;

  /* The empty string is an entry of bucket 0, like "polygenelubricants". */
  g_assert_cmpint (brio_test_add_word (dictionary, ""), ==, 0x0000);
  g_assert_cmpuint (alloy_brio_dictionary_get_size (dictionary), ==, 276);
  g_assert_cmpint (brio_test_add_word (dictionary, "polygenelubricants"), ==, 0x0080);
  g_assert_cmpint (brio_test_add_word (dictionary, "a"), ==, 0x0021);

  g_assert_cmpint (brio_test_add_word (dictionary, ""), ==, 0x0000);
  g_assert_cmpint (brio_test_add_word (dictionary, "a"), ==, 0x0021);
  g_assert_cmpint (brio_test_add_word (dictionary, "polygenelubricants"), ==, 0x0080);
  g_assert_true (alloy_brio_dictionary_add (dictionary, NULL, 0, &key, &error));
  g_assert_no_error (error);
  g_assert_cmpint (key, ==, 0x0000);
  /* Same bytes up to a length: different strings. */
  g_assert_true (alloy_brio_dictionary_add (dictionary, "ab", 1, &key, &error));
  g_assert_cmpint (key, ==, 0x0021);
  g_assert_true (alloy_brio_dictionary_add (dictionary, "a\0", 2, &key, &error));
  g_assert_no_error (error);
  g_assert_cmpint (key & 0x3F, ==, alloy_brio_dictionary_bucket (31 * 97));
  g_assert_cmpuint (alloy_brio_dictionary_get_n_words (dictionary), ==, 4);
}

static void
test_empty (void)
{
  g_autoptr(AlloyBrioDictionary) dictionary = alloy_brio_dictionary_new (
    ALLOY_BRIO_DICTIONARY_DEFAULT_CAPACITY);
  g_autoptr(GError) error = NULL;
  AlloyBrioDictionaryView view;
  const char *text = NULL;
  gint16 key;

  g_assert_cmpuint (alloy_brio_dictionary_get_size (dictionary), ==, 0);
  g_assert_cmpuint (alloy_brio_dictionary_get_n_words (dictionary), ==, 0);
  alloy_brio_dictionary_write (dictionary, NULL);

  g_assert_true (alloy_brio_dictionary_view_init (&view, NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (view.words, ==, 0);
  g_assert_false (alloy_brio_dictionary_view_lookup_string (&view, "", 0, &key));
  g_assert_false (alloy_brio_dictionary_view_lookup_key (&view, 0, &text, NULL, &error));
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==, "key 0x0000: the dictionary is empty");
}

/* Strings of every kind, some repeated, each added twice, against an
 * independent model of the keys; then the image read back both ways. */
static void
test_round_trip (void)
{
  g_autoptr(AlloyBrioDictionary) dictionary = alloy_brio_dictionary_new (
    ALLOY_BRIO_DICTIONARY_DEFAULT_CAPACITY);
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) model = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree guint8 *image = NULL;
  g_autoptr(GError) error = NULL;
  guint chain_len[64] = { 0 };
  AlloyBrioDictionaryView view;
  gsize size, expected_size = 268;
  const guint n = 5000;

  for (guint i = 0; i < n; i++)
    {
      switch (i % 5)
        {
        case 0: /* ASCII */
          g_ptr_array_add (strings, g_strdup_printf ("user-%u", i));
          break;
        case 1: /* Latin-1 */
          g_ptr_array_add (strings, g_strdup_printf ("\xC3\xB1" "and\xC3\xBA-%u", i));
          break;
        case 2: /* U+1F600 and U+4E2D */
          g_ptr_array_add (strings, g_strdup_printf ("\xF0\x9F\x98\x80%u\xE4\xB8\xAD", i));
          break;
        case 3: /* repeats */
          g_ptr_array_add (strings, g_strdup_printf ("%u", i * 7919 % 1000));
          break;
        default: /* long, and repeats */
          g_ptr_array_add (strings, g_strnfill (i % 300, 'a' + i % 26));
          break;
        }
    }
  g_ptr_array_add (strings, g_strdup (""));

  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < strings->len; i++)
      {
        const char *text = strings->pdata[i];
        gint16 key = brio_test_add_word (dictionary, text);
        gpointer expected;

        if (g_hash_table_lookup_extended (model, text, NULL, &expected))
          g_assert_cmpint (key, ==, (gint16) GPOINTER_TO_INT (expected));
        else
          {
            guint bucket = reference_bucket (text);
            guint ordinal = chain_len[bucket] == 0 ? 0 : chain_len[bucket] + 1;

            g_assert_cmpuint (pass, ==, 0);
            g_assert_cmpint (key, ==, (gint16) (guint16) ((ordinal << 6) | bucket));
            chain_len[bucket]++;
            g_hash_table_insert (model, (gpointer) text, GINT_TO_POINTER (key));
            expected_size += 8 + strlen (text);
          }
      }
  /* The generator repeats some strings (numbers, fills). */
  g_assert_cmpuint (g_hash_table_size (model), <, strings->len);
  g_assert_cmpuint (g_hash_table_size (model), >, 3500);
  g_assert_cmpuint (alloy_brio_dictionary_get_n_words (dictionary), ==,
                    g_hash_table_size (model));

  image = brio_test_image_of (dictionary, &size);
  g_assert_cmpuint (size, ==, expected_size);
  g_assert_true (alloy_brio_dictionary_view_init (&view, image, size, &error));
  g_assert_no_error (error);
  g_assert_cmpint (view.words, ==, g_hash_table_size (model));
  for (guint i = 0; i < strings->len; i++)
    {
      const char *text = strings->pdata[i];
      gint16 expected = (gint16) GPOINTER_TO_INT (g_hash_table_lookup (model, text));
      const char *found = NULL;
      gsize length = 1;
      gint16 key = 0x7777;

      g_assert_true (alloy_brio_dictionary_view_lookup_key (&view, expected, &found, &length,
                                                            &error));
      g_assert_no_error (error);
      g_assert_cmpmem (found, length, text, strlen (text));
      g_assert_true (alloy_brio_dictionary_view_lookup_string (&view, text, strlen (text),
                                                               &key));
      g_assert_cmpint (key, ==, expected);
    }
  g_assert_false (alloy_brio_dictionary_view_lookup_string (&view, "absent", 6, NULL));
  g_assert_false (alloy_brio_dictionary_view_lookup_key (&view, 0x7FC0 | 33, NULL, NULL,
                                                         &error));
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT);
  g_assert_cmpstr (error->message, ==, "key 0x7fe1 is not in bucket 33's chain");
}

static void
test_reset (void)
{
  g_autoptr(AlloyBrioDictionary) dictionary = alloy_brio_dictionary_new (
    ALLOY_BRIO_DICTIONARY_DEFAULT_CAPACITY);
  g_autoptr(AlloyBrioDictionary) fresh = alloy_brio_dictionary_new (
    ALLOY_BRIO_DICTIONARY_DEFAULT_CAPACITY);
  g_autofree guint8 *expected = NULL;
  gsize expected_size;

  brio_test_add_word (fresh, "a");
  brio_test_add_word (fresh, "!");
  brio_test_add_word (fresh, "hello");
  expected = brio_test_image_of (fresh, &expected_size);

  for (guint item = 0; item < 50; item++)
    {
      g_autofree guint8 *image = NULL;
      gsize size;

      /* Items of varying sizes, so that the dedup table grows. */
      for (guint i = 0; i < item * 40; i++)
        {
          g_autofree char *text = g_strdup_printf ("item%u-%u", item, i);
          brio_test_add_word (dictionary, text);
        }
      alloy_brio_dictionary_reset (dictionary);
      g_assert_cmpuint (alloy_brio_dictionary_get_size (dictionary), ==, 0);
      g_assert_cmpuint (alloy_brio_dictionary_get_n_words (dictionary), ==, 0);

      /* Nothing of the last item is remembered: "a" is new again. */
      g_assert_cmpint (brio_test_add_word (dictionary, "a"), ==, 0x0021);
      g_assert_cmpint (brio_test_add_word (dictionary, "!"), ==, 0x00A1);
      g_assert_cmpint (brio_test_add_word (dictionary, "hello"), ==, 0x0012);
      image = brio_test_image_of (dictionary, &size);
      g_assert_cmpmem (image, size, expected, expected_size);
      alloy_brio_dictionary_reset (dictionary);
    }
}

/* --- limits -------------------------------------------------------------- */

/* A failed add leaves the dictionary as it was. */
static void
assert_add_fails (AlloyBrioDictionary *dictionary, const char *utf8, gsize length,
                  const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *before = NULL;
  g_autofree guint8 *after = NULL;
  guint words = alloy_brio_dictionary_get_n_words (dictionary);
  gsize before_size, after_size;
  gint16 key = 0x7777;

  before = brio_test_image_of (dictionary, &before_size);
  g_assert_false (alloy_brio_dictionary_add (dictionary, utf8, length, &key, &error));
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, message);
  g_assert_cmpint (key, ==, 0x7777);
  g_assert_cmpuint (alloy_brio_dictionary_get_n_words (dictionary), ==, words);
  after = brio_test_image_of (dictionary, &after_size);
  g_assert_cmpmem (after, after_size, before, before_size);
}

static void
test_limit_string_length (void)
{
  g_autoptr(AlloyBrioDictionary) dictionary = alloy_brio_dictionary_new (
    ALLOY_BRIO_DICTIONARY_DEFAULT_CAPACITY);
  g_autofree char *text = g_strnfill (32768, 'x');
  g_autofree char *message = NULL;
  g_autoptr(GError) error = NULL;
  AlloyBrioDictionaryView view;
  g_autofree guint8 *image = NULL;
  const char *found;
  gsize size, length;
  gint16 key;

  brio_test_add_word (dictionary, "a");
  assert_add_fails (dictionary, text, 32768,
                    "a string of 32768 bytes, over the dictionary's limit of 32767 bytes per "
                    "string");
  message = g_strdup_printf ("a string of %" G_GSIZE_FORMAT " bytes, over the dictionary's "
                             "limit of 32767 bytes per string", G_MAXSIZE);
  assert_add_fails (dictionary, text, G_MAXSIZE, message);

  /* 32,767 bytes is fine: its int16 length is exactly representable. */
  g_assert_true (alloy_brio_dictionary_add (dictionary, text, 32767, &key, &error));
  g_assert_no_error (error);
  image = brio_test_image_of (dictionary, &size);
  g_assert_cmpuint (size, ==, 268 + 9 + 8 + 32767);
  g_assert_true (alloy_brio_dictionary_view_init (&view, image, size, &error));
  g_assert_no_error (error);
  g_assert_true (alloy_brio_dictionary_view_lookup_key (&view, key, &found, &length, &error));
  g_assert_cmpmem (found, length, text, 32767);
}

static void
test_limit_chain (void)
{
  g_autoptr(AlloyBrioDictionary) dictionary = alloy_brio_dictionary_new (
    ALLOY_BRIO_DICTIONARY_DEFAULT_CAPACITY);
  g_autoptr(GPtrArray) strings = strings_in_bucket (0, 1024);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *image = NULL;
  g_autofree char *message = NULL;
  AlloyBrioDictionaryView view;
  gsize size;

  /* Ordinals 0, 2, 3, ..., 1023: 1023 strings. */
  for (guint i = 0; i < 1023; i++)
    g_assert_cmpint (brio_test_add_word (dictionary, strings->pdata[i]), ==,
                     (gint16) (guint16) ((i == 0 ? 0 : i + 1) << 6));
  message = g_strdup_printf ("dictionary bucket 0 already holds 1023 strings: a new one would "
                             "need ordinal 1024, over the limit of 1023");
  assert_add_fails (dictionary, strings->pdata[1023], strlen (strings->pdata[1023]), message);
  assert_add_fails (dictionary, "polygenelubricants", 18, message);
  /* The strings already in stay reachable, and other buckets take more. */
  g_assert_cmpint (brio_test_add_word (dictionary, strings->pdata[1022]), ==, (gint16) 0xFFC0);
  g_assert_cmpint (brio_test_add_word (dictionary, "a"), ==, 0x0021);

  image = brio_test_image_of (dictionary, &size);
  g_assert_true (alloy_brio_dictionary_view_init (&view, image, size, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 1023; i++)
    {
      const char *found;
      gsize length;
      gint16 key;

      g_assert_true (alloy_brio_dictionary_view_lookup_string (&view, strings->pdata[i],
                                                               strlen (strings->pdata[i]), &key));
      g_assert_true (alloy_brio_dictionary_view_lookup_key (&view, key, &found, &length, &error));
      g_assert_cmpmem (found, length, strings->pdata[i], strlen (strings->pdata[i]));
    }
}

static void
test_limit_not_found_key (void)
{
  g_autoptr(AlloyBrioDictionary) dictionary = alloy_brio_dictionary_new (
    ALLOY_BRIO_DICTIONARY_DEFAULT_CAPACITY);
  g_autoptr(GPtrArray) strings = strings_in_bucket (63, 1023);

  /* Ordinal 1023 in bucket 63 would be key -1, Burst's "not found". */
  for (guint i = 0; i < 1022; i++)
    brio_test_add_word (dictionary, strings->pdata[i]);
  assert_add_fails (dictionary, strings->pdata[1022], strlen (strings->pdata[1022]),
                    "dictionary bucket 63 already holds 1022 strings: the next key, 0xffff, is "
                    "Burst's not-found key");
}

static void
test_limit_capacity (void)
{
  g_autoptr(AlloyBrioDictionary) dictionary = alloy_brio_dictionary_new (1024);
  g_autoptr(AlloyBrioDictionary) tiny = alloy_brio_dictionary_new (100);
  g_autoptr(AlloyBrioDictionary) huge = alloy_brio_dictionary_new (G_MAXSIZE);
  g_autofree guint8 *image = NULL;
  g_autoptr(GError) error = NULL;
  AlloyBrioDictionaryView view;
  gsize size;

  /* 3-byte strings take 11-byte slots: 268 + 22 * 11 = 510 stays below
   * 1024 - 512; a 23rd would reach 521. */
  for (guint i = 0; i < 22; i++)
    {
      g_autofree char *text = g_strdup_printf ("s%02u", i);
      brio_test_add_word (dictionary, text);
    }
  g_assert_cmpuint (alloy_brio_dictionary_get_size (dictionary), ==, 510);
  assert_add_fails (dictionary, "s22", 3,
                    "dictionary full: a 3-byte string would grow it from 510 to 521 bytes, "
                    "reaching its limit of 512 bytes (a capacity of 1024 bytes less Java's "
                    "512-byte reserve)");
  assert_add_fails (dictionary, "", 0,
                    "dictionary full: a 0-byte string would grow it from 510 to 518 bytes, "
                    "reaching its limit of 512 bytes (a capacity of 1024 bytes less Java's "
                    "512-byte reserve)");
  /* A full dictionary still finds what it holds. */
  g_assert_cmpint (brio_test_add_word (dictionary, "s00"), ==,
                   alloy_brio_dictionary_bucket (alloy_brio_java_string_hash ("s00", -1)));
  image = brio_test_image_of (dictionary, &size);
  g_assert_true (alloy_brio_dictionary_view_init (&view, image, size, &error));
  g_assert_no_error (error);
  g_assert_cmpint (view.words, ==, 22);

  assert_add_fails (tiny, "a", 1,
                    "dictionary full: a 1-byte string would grow it from 0 to 277 bytes, "
                    "reaching its limit of 0 bytes (a capacity of 100 bytes less Java's 512-byte "
                    "reserve)");
  /* Reaching the limit exactly is too far, as Java's ">=" has it. */
  {
    g_autoptr(AlloyBrioDictionary) edge = alloy_brio_dictionary_new (1024);
    g_autofree char *text = g_strnfill (236, 'e');

    assert_add_fails (edge, text, 236,
                      "dictionary full: a 236-byte string would grow it from 0 to 512 bytes, "
                      "reaching its limit of 512 bytes (a capacity of 1024 bytes less Java's "
                      "512-byte reserve)");
    g_assert_true (alloy_brio_dictionary_add (edge, text, 235, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (alloy_brio_dictionary_get_size (edge), ==, 511);
  }
  /* Capacities past int32 offsets are held to them. */
  g_assert_cmpint (brio_test_add_word (huge, "a"), ==, 0x0021);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/brio-dictionary/hash/vectors", test_hash_vectors);
  g_test_add_func ("/brio-dictionary/hash/independent", test_hash_independent);
  g_test_add_func ("/brio-dictionary/hash/malformed", test_hash_malformed);
  g_test_add_func ("/brio-dictionary/build/worked-example", test_worked_example);
  g_test_add_func ("/brio-dictionary/build/chain", test_chain);
  g_test_add_func ("/brio-dictionary/build/dedup", test_dedup);
  g_test_add_func ("/brio-dictionary/build/empty", test_empty);
  g_test_add_func ("/brio-dictionary/build/round-trip", test_round_trip);
  g_test_add_func ("/brio-dictionary/build/reset", test_reset);
  g_test_add_func ("/brio-dictionary/limit/string-length", test_limit_string_length);
  g_test_add_func ("/brio-dictionary/limit/chain", test_limit_chain);
  g_test_add_func ("/brio-dictionary/limit/not-found-key", test_limit_not_found_key);
  g_test_add_func ("/brio-dictionary/limit/capacity", test_limit_capacity);

  return g_test_run ();
}
