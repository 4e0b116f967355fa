/* test-brio-dictionary-view.c: reading Brio dictionary images strictly:
 * truncated and corrupt images, random damage, and Java's overflowed
 * dictionaries.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-dictionary.h"
#include "alloy-test-utils.h"
#include "brio-test-utils.h"

#include <string.h>

/* --- reading ------------------------------------------------------------- */

/* "a", "!", "hello", "", "é": slots at 268, 277, 286, 299, 307; 317 bytes. */
static guint8 *
sample_image (gsize *out_size)
{
  g_autoptr(AlloyBrioDictionary) dictionary = alloy_brio_dictionary_new (
    ALLOY_BRIO_DICTIONARY_DEFAULT_CAPACITY);
  guint8 *image;

  brio_test_add_word (dictionary, "a");
  brio_test_add_word (dictionary, "!");
  brio_test_add_word (dictionary, "hello");
  brio_test_add_word (dictionary, "");
  brio_test_add_word (dictionary, "\xC3\xA9");
  image = brio_test_image_of (dictionary, out_size);
  g_assert_cmpuint (*out_size, ==, 317);
  g_assert_cmpint (brio_test_get_i32 (image + 12 + 4 * 0), ==, 299);
  g_assert_cmpint (brio_test_get_i32 (image + 12 + 4 * 18), ==, 286);
  g_assert_cmpint (brio_test_get_i32 (image + 12 + 4 * 33), ==, 268);
  g_assert_cmpint (brio_test_get_i32 (image + 12 + 4 * 41), ==, 307);
  g_assert_cmpint (brio_test_get_i32 (image + 270), ==, 277);
  return image;
}

static void
assert_corrupt (const guint8 *image, gsize size, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *copy = g_memdup2 (image, MAX (size, 1));
  AlloyBrioDictionaryView view;

  g_assert_false (alloy_brio_dictionary_view_init (&view, copy, size, &error));
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
  else
    g_assert_true (g_str_has_prefix (error->message, "offset "));
  /* A failed view is empty, never half-trusted. */
  g_assert_null (view.data);
  g_assert_cmpuint (view.size, ==, 0);
}

static void
test_view_truncated (void)
{
  gsize size;
  g_autofree guint8 *image = sample_image (&size);

  assert_corrupt (image, 4, "offset 0: a 4-byte image is shorter than the 268-byte header");
  assert_corrupt (image, 267, "offset 0: a 267-byte image is shorter than the 268-byte header");
  assert_corrupt (image, 300, "offset 8: nextSlotOffset 317, but the image is 300 bytes");
  for (gsize cut = 1; cut < size; cut++)
    assert_corrupt (image, cut, NULL);

  /* Truncated with a consistent nextSlotOffset: the slots tell. */
  for (gsize cut = 268; cut < size; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (image, cut);

      brio_test_put_i32 (copy + 8, (gint32) cut);
      assert_corrupt (copy, cut, NULL);
    }
  {
    g_autofree guint8 *copy = g_memdup2 (image, 312);

    brio_test_put_i32 (copy + 8, 312);
    assert_corrupt (copy, 312, "offset 307: a slot header of 8 bytes runs past the end of the "
                    "312-byte image");
    brio_test_put_i32 (copy + 8, 316);
    assert_corrupt (copy, 312, "offset 8: nextSlotOffset 316, but the image is 312 bytes");
  }
  {
    g_autofree guint8 *copy = g_memdup2 (image, 316);

    brio_test_put_i32 (copy + 8, 316);
    assert_corrupt (copy, 316, "offset 313: a string of 2 bytes runs past the end of the "
                    "316-byte image");
  }
  {
    g_autofree guint8 *copy = g_memdup2 (image, 299);

    /* Cut at a slot boundary: the count no longer matches. */
    brio_test_put_i32 (copy + 8, 299);
    assert_corrupt (copy, 299, "offset 0: a word count of 5, but the image holds 3 slots");
  }
}

typedef struct {
  gsize at;
  gboolean is_i16;
  gint32 value;
  const char *message;
} Patch;

static void
test_view_corrupt (void)
{
  static const Patch patches[] = {
    { 8, FALSE, 316, "offset 8: nextSlotOffset 316, but the image is 317 bytes" },
    { 8, FALSE, -317, "offset 8: nextSlotOffset -317, but the image is 317 bytes" },
    { 0, FALSE, 4, "offset 0: a word count of 4, but the image holds 5 slots" },
    { 0, FALSE, 6, "offset 0: a word count of 6, but the image holds 5 slots" },
    /* Heads and links outside the image, before the slots, inside a slot. */
    { 12 + 4 * 33, FALSE, 5000, "offset 144: head 5000 of bucket 33's chain is not the start "
                                "of a slot" },
    { 12 + 4 * 33, FALSE, 12, "offset 144: head 12 of bucket 33's chain is not the start of a "
                              "slot" },
    { 12 + 4 * 33, FALSE, -268, "offset 144: head -268 of bucket 33's chain is not the start "
                                "of a slot" },
    { 12 + 4 * 7, FALSE, 317, "offset 40: head 317 of bucket 7's chain is not the start of a "
                              "slot" },
    { 270, FALSE, 400, "offset 270: link 400 of bucket 33's chain is not the start of a slot" },
    { 270, FALSE, 280, "offset 270: link 280 of bucket 33's chain is not the start of a slot" },
    { 270, FALSE, G_MININT32, "offset 270: link -2147483648 of bucket 33's chain is not the "
                              "start of a slot" },
    /* Cycles: a slot linking to itself or back to its chain's head. */
    { 270, FALSE, 268, "offset 270: link 268 closes a cycle in bucket 33's chain" },
    { 279, FALSE, 268, "offset 279: link 268 closes a cycle in bucket 33's chain" },
    /* "hello" (bucket 18) hung onto bucket 33's chain. */
    { 279, FALSE, 286, "offset 286: key 0x0012 names bucket 18, but the slot is in bucket "
                       "33's chain" },
    /* Another bucket's head pointing into bucket 33's chain. */
    { 12 + 4 * 5, FALSE, 277, "offset 277: key 0x00a1 names bucket 33, but the slot is in "
                              "bucket 5's chain" },
    /* Keys whose bucket bits disagree with the string's hash. */
    { 277, TRUE, 0x00A2, "offset 277: key 0x00a2 names bucket 34, but its string hashes to "
                         "bucket 33" },
    { 268, TRUE, -1, "offset 268: key 0xffff names bucket 63, but its string hashes to "
                     "bucket 33" },
    { 277, TRUE, 0x0021, "offset 277: key 0x0021 appears twice in bucket 33's chain" },
    /* Lengths: past the end, negative, too short (the tiling breaks). */
    { 313, TRUE, 20, "offset 313: a string of 20 bytes runs past the end of the 317-byte "
                     "image" },
    { 313, TRUE, 3, "offset 313: a string of 3 bytes runs past the end of the 317-byte "
                    "image" },
    { 313, TRUE, -1, "offset 313: a negative string length -1" },
    { 313, TRUE, G_MININT16, "offset 313: a negative string length -32768" },
    { 313, TRUE, 1, "offset 316: a slot header of 8 bytes runs past the end of the 317-byte "
                    "image" },
    /* "a" shortened to 0 bytes: the next slot header is read from 276, a
     * length of 0x0100 at 282. */
    { 274, TRUE, 0, "offset 282: a string of 256 bytes runs past the end of the 317-byte "
                    "image" },
    /* One slot tiling the whole image. */
    { 274, TRUE, 41, "offset 0: a word count of 5, but the image holds 1 slots" },
    { 274, TRUE, 42, "offset 274: a string of 42 bytes runs past the end of the 317-byte "
                     "image" },
    /* A slot no chain reaches. */
    { 12 + 4 * 18, FALSE, 0, "offset 286: the slot is in no bucket's chain" },
    { 12 + 4 * 0, FALSE, 0, "offset 299: the slot is in no bucket's chain" },
  };
  gsize size;
  g_autofree guint8 *image = sample_image (&size);

  for (gsize i = 0; i < G_N_ELEMENTS (patches); i++)
    {
      g_autofree guint8 *copy = g_memdup2 (image, size);

      if (patches[i].is_i16)
        brio_test_put_i16 (copy + patches[i].at, (gint16) patches[i].value);
      else
        brio_test_put_i32 (copy + patches[i].at, patches[i].value);
      assert_corrupt (copy, size, patches[i].message);
    }

  {
    g_autofree guint8 *copy = g_memdup2 (image, size);

    /* "a" becomes "b", of bucket 34. */
    copy[276] = 'b';
    assert_corrupt (copy, size, "offset 268: key 0x0021 names bucket 33, but its string hashes "
                    "to bucket 34");
    /* "é" becomes C3 41. */
    copy[276] = 'a';
    copy[316] = 'A';
    assert_corrupt (copy, size, "offset 315: the string of the slot at offset 307 is not valid "
                    "UTF-8");
  }
}

/* Random damage: either an error, or a view whose every lookup stays in
 * bounds (ASan and valgrind watch). */
static void
test_view_fuzz (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  gsize size;
  g_autofree guint8 *image = sample_image (&size);
  guint accepted = 0;

  for (guint round = 0; round < 5000; round++)
    {
      g_autofree guint8 *copy = g_memdup2 (image, size);
      g_autoptr(GError) error = NULL;
      AlloyBrioDictionaryView view;
      guint flips = g_rand_int_range (rand, 1, 4);

      for (guint f = 0; f < flips; f++)
        {
          /* Mostly the header and slot headers, where damage matters. */
          gsize at = g_rand_boolean (rand) ? g_rand_int_range (rand, 0, 12)
                                           : g_rand_int_range (rand, 0, size);
          copy[at] ^= 1u << g_rand_int_range (rand, 0, 8);
        }
      if (!alloy_brio_dictionary_view_init (&view, copy, size, &error))
        {
          g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT);
          continue;
        }
      accepted++;
      for (gint key = G_MININT16; key <= G_MAXINT16; key += 61)
        {
          g_autoptr(GError) lookup_error = NULL;
          const char *found;
          gsize length;

          if (alloy_brio_dictionary_view_lookup_key (&view, (gint16) key, &found, &length,
                                                     &lookup_error))
            g_assert_true (found >= (const char *) copy
                           && found + length <= (const char *) copy + size);
        }
      alloy_brio_dictionary_view_lookup_string (&view, "a", 1, NULL);
      alloy_brio_dictionary_view_lookup_string (&view, "hello", 5, NULL);
    }
  g_test_message ("%u of 5000 damaged images accepted", accepted);
  /* Flips in poolId or in string bytes that keep the hash bucket pass. */
  g_assert_cmpuint (accepted, >, 0);
}

static void
test_view_overflowed (void)
{
  static const gint32 words[] = { -1, -2, -3, G_MININT32 };
  gsize size;
  g_autofree guint8 *image = sample_image (&size);

  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    {
      g_autofree guint8 *copy = g_memdup2 (image, size);
      g_autoptr(GError) error = NULL;
      g_autofree char *message = NULL;
      AlloyBrioDictionaryView view;
      const char *found = NULL;
      gint16 key;

      brio_test_put_i32 (copy, words[i]);
      /* Java may leave the rest half-written: it is not read. */
      brio_test_put_i32 (copy + 12 + 4 * 33, 99999);
      g_assert_true (alloy_brio_dictionary_view_init (&view, copy, size, &error));
      g_assert_no_error (error);
      g_assert_cmpint (view.words, ==, words[i]);
      g_assert_false (alloy_brio_dictionary_view_lookup_key (&view, 0x0021, &found, NULL,
                                                             &error));
      g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT);
      message = g_strdup_printf ("the dictionary overflowed when it was written (words %d): "
                                 "no string can be looked up", words[i]);
      g_assert_cmpstr (error->message, ==, message);
      g_assert_null (found);
      g_assert_false (alloy_brio_dictionary_view_lookup_string (&view, "a", 1, &key));
    }

  {
    /* Java's slot overflow on the first string: a bare header. */
    guint8 header[268] = { 0 };
    g_autoptr(GError) error = NULL;
    AlloyBrioDictionaryView view;

    brio_test_put_i32 (header, -3);
    brio_test_put_i32 (header + 8, 268);
    g_assert_true (alloy_brio_dictionary_view_init (&view, header, sizeof header, &error));
    g_assert_no_error (error);
    g_assert_false (alloy_brio_dictionary_view_lookup_key (&view, 0, NULL, NULL, &error));
    g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/brio-dictionary/view/truncated", test_view_truncated);
  g_test_add_func ("/brio-dictionary/view/corrupt", test_view_corrupt);
  g_test_add_func ("/brio-dictionary/view/fuzz", test_view_fuzz);
  g_test_add_func ("/brio-dictionary/view/overflowed", test_view_overflowed);

  return g_test_run ();
}
