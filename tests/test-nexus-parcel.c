/* test-nexus-parcel.c: the parcel builder and the client's checks: the
 * reference's one-blob parcel (§5.8), the flush rule, every rejection of
 * alloy_parcel_inflate, and random blobs through build, take and inflate.
 * Compressed bytes may differ between Snappy versions, so only inflated
 * bytes are compared.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"

#include "alloy-nexus-parcel.h"

#include <snappy-c.h>
#include <string.h>

static void
append_i32_le (GByteArray *bytes, gint32 value)
{
  guint32 le = GUINT32_TO_LE ((guint32) value);

  g_byte_array_append (bytes, (const guint8 *) &le, 4);
}

static guint32
read_u32 (const guint8 *data, gboolean big_endian)
{
  guint32 value;

  memcpy (&value, data, 4);
  return big_endian ? GUINT32_FROM_BE (value) : GUINT32_FROM_LE (value);
}

/* The 327-byte blob of the reference's §5.8, put together from its parts. */
static GBytes *
worked_blob (void)
{
  g_autoptr(GByteArray) blob = g_byte_array_new ();

  alloy_test_append_hex (blob, "02000000 01000000 15010000");
  /* Dictionary: words, poolId, nextSlotOffset, 64 buckets, one slot. */
  alloy_test_append_hex (blob, "01000000 00000000 15010000");
  for (guint bucket = 0; bucket < 64; bucket++)
    alloy_test_append_hex (blob, bucket == 33 ? "0C010000" : "00000000");
  alloy_test_append_hex (blob, "2100 00000000 0100 61");
  /* Root area. */
  alloy_test_append_hex (blob, "22000000");
  alloy_test_append_hex (blob, "01000000 0800000000000000 2100 0500000000000000 0700"
                    "20000000 20000000 0000");
  g_assert_cmpuint (blob->len, ==, 327);
  return g_byte_array_free_to_bytes (g_steal_pointer (&blob));
}

/* Raw Snappy of @area, compressed here rather than by the builder. */
static GBytes *
deflate_area (const guint8 *area, gsize size)
{
  gsize out_size = snappy_max_compressed_length (size);
  char *out = g_malloc (out_size);

  g_assert_cmpint (snappy_compress ((const char *) area, size, out, &out_size), ==, SNAPPY_OK);
  return g_bytes_new_take (out, out_size);
}

static GBytes *
inflate_independently (GBytes *deflated, gsize expected_size)
{
  gsize size;
  const char *data = g_bytes_get_data (deflated, &size);
  gsize out_size = 0;
  char *out;

  g_assert_cmpint (snappy_uncompressed_length (data, size, &out_size), ==, SNAPPY_OK);
  g_assert_cmpuint (out_size, ==, expected_size);
  out = g_malloc (out_size);
  g_assert_cmpint (snappy_uncompress (data, size, out, &out_size), ==, SNAPPY_OK);
  g_assert_cmpuint (out_size, ==, expected_size);
  return g_bytes_new_take (out, out_size);
}

static GBytes *
patterned_blob (gsize size, guint seed)
{
  guint8 *data = g_malloc (size);

  for (gsize n = 0; n < size; n++)
    data[n] = (guint8) (seed * 31 + n * 7 + n / 13);
  return g_bytes_new_take (data, size);
}

static void
test_worked_parcel (void)
{
  g_autoptr(AlloyParcelBuilder) builder = alloy_parcel_builder_new (
      ALLOY_NEXUS_PARCEL_DEFAULT_BYTES);
  g_autoptr(GBytes) blob = worked_blob ();
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  g_autoptr(GBytes) deflated = NULL;
  g_autoptr(GBytes) inflated = NULL;
  g_autoptr(GPtrArray) blobs = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GError) error = NULL;
  gint32 buffer_count = 0;
  gint32 inflated_size = 0;
  gsize deflated_size;
  const guint8 *f;

  alloy_test_append_hex (expected, "47010000");
  g_byte_array_append (expected, g_bytes_get_data (blob, NULL), 327);

  g_assert_false (alloy_parcel_builder_add (builder, blob));
  g_assert_cmpuint (alloy_parcel_builder_get_n_blobs (builder), ==, 1);
  g_assert_cmpuint (alloy_parcel_builder_get_inflated_size (builder), ==, 4 + 327);
  deflated = alloy_parcel_builder_take (builder, &buffer_count, &inflated_size);
  g_assert_nonnull (deflated);
  g_assert_cmpint (buffer_count, ==, 1);
  g_assert_cmpint (inflated_size, ==, 331);
  deflated_size = g_bytes_get_size (deflated);
  g_assert_cmpuint (deflated_size, <=, snappy_max_compressed_length (331));

  inflated = inflate_independently (deflated, 331);
  g_assert_cmpmem (g_bytes_get_data (inflated, NULL), 331, expected->data, expected->len);

  blobs = alloy_parcel_inflate (deflated, buffer_count, inflated_size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (blobs->len, ==, 1);
  g_assert_true (g_bytes_equal (blobs->pdata[0], blob));

  /* The frame around it, as §3.9 lays it out. */
  frame = alloy_nexus_encode_parcel (ALLOY_NEXUS_VARIANT_TRACE, "g", "s", deflated, buffer_count,
                                     inflated_size);
  f = g_bytes_get_data (frame, NULL);
  g_assert_cmpuint (g_bytes_get_size (frame), ==, 4 + 1 + 4 + 4 + 2 + 2 + 12 + deflated_size);
  g_assert_cmpuint (read_u32 (f, TRUE), ==, 1 + 4 + 4 + 2 + 2 + 12 + deflated_size);
  g_assert_cmpmem (f + 4, 13, "\xff\x00\x00\x00\x03\x00\x00\x00\x00\x01g\x01s", 13);
  g_assert_cmpuint (read_u32 (f + 17, TRUE), ==, deflated_size);
  g_assert_cmpmem (f + 21, 8, "\x00\x00\x00\x01\x00\x00\x01\x4b", 8);
  g_assert_cmpmem (f + 29, deflated_size, g_bytes_get_data (deflated, NULL), deflated_size);
}

static void
test_flush_threshold (void)
{
  g_autoptr(AlloyParcelBuilder) builder = alloy_parcel_builder_new (100);
  g_autoptr(GBytes) forty = patterned_blob (40, 1);
  g_autoptr(GBytes) eight = patterned_blob (8, 2);

  /* An empty builder never overflows, whatever comes. */
  g_assert_false (alloy_parcel_builder_would_overflow (builder, 1000));
  g_assert_false (alloy_parcel_builder_add (builder, forty));
  g_assert_cmpuint (alloy_parcel_builder_get_inflated_size (builder), ==, 44);
  g_assert_false (alloy_parcel_builder_would_overflow (builder, 40));
  g_assert_false (alloy_parcel_builder_add (builder, forty));
  g_assert_cmpuint (alloy_parcel_builder_get_inflated_size (builder), ==, 88);
  /* 88 + 4 + 8 = 100 fits exactly; 9 would not; the size field counts. */
  g_assert_false (alloy_parcel_builder_would_overflow (builder, 8));
  g_assert_true (alloy_parcel_builder_would_overflow (builder, 9));
  g_assert_true (alloy_parcel_builder_would_overflow (builder, G_MAXSIZE));
  /* Reaching the maximum says: flush now. */
  g_assert_true (alloy_parcel_builder_add (builder, eight));
  g_assert_cmpuint (alloy_parcel_builder_get_inflated_size (builder), ==, 100);
  g_assert_cmpuint (alloy_parcel_builder_get_n_blobs (builder), ==, 3);
  g_assert_true (alloy_parcel_builder_would_overflow (builder, 1));
}

static void
test_lone_large_blob (void)
{
  g_autoptr(AlloyParcelBuilder) builder = alloy_parcel_builder_new (100);
  g_autoptr(GBytes) large = patterned_blob (500, 3);
  g_autoptr(GBytes) small = patterned_blob (10, 4);
  g_autoptr(GBytes) deflated = NULL;
  g_autoptr(GPtrArray) blobs = NULL;
  g_autoptr(GError) error = NULL;
  gint32 buffer_count = 0;
  gint32 inflated_size = 0;

  /* Behind another blob it overflows; alone it goes in and flushes. */
  g_assert_false (alloy_parcel_builder_add (builder, small));
  g_assert_true (alloy_parcel_builder_would_overflow (builder, 500));
  deflated = alloy_parcel_builder_take (builder, &buffer_count, &inflated_size);
  g_assert_cmpint (buffer_count, ==, 1);
  g_assert_cmpint (inflated_size, ==, 14);
  g_assert_false (alloy_parcel_builder_would_overflow (builder, 500));
  g_assert_true (alloy_parcel_builder_add (builder, large));
  g_assert_cmpuint (alloy_parcel_builder_get_inflated_size (builder), ==, 504);
  g_clear_pointer (&deflated, g_bytes_unref);
  deflated = alloy_parcel_builder_take (builder, &buffer_count, &inflated_size);
  g_assert_cmpint (buffer_count, ==, 1);
  g_assert_cmpint (inflated_size, ==, 504);
  blobs = alloy_parcel_inflate (deflated, buffer_count, inflated_size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (blobs->len, ==, 1);
  g_assert_true (g_bytes_equal (blobs->pdata[0], large));
  /* The builder goes on with the small maximum. */
  g_assert_false (alloy_parcel_builder_add (builder, small));
  g_assert_true (alloy_parcel_builder_would_overflow (builder, 90));
}

static void
test_take_resets (void)
{
  g_autoptr(AlloyParcelBuilder) builder = alloy_parcel_builder_new (1024);
  g_autoptr(GBytes) a = patterned_blob (100, 5);
  g_autoptr(GBytes) b = patterned_blob (7, 6);
  g_autoptr(GBytes) c = patterned_blob (33, 7);
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  g_autoptr(GBytes) inflated = NULL;
  g_autoptr(GPtrArray) blobs = NULL;
  g_autoptr(GError) error = NULL;
  gint32 buffer_count = 0;
  gint32 inflated_size = 0;

  alloy_parcel_builder_add (builder, a);
  alloy_parcel_builder_add (builder, b);
  first = alloy_parcel_builder_take (builder, &buffer_count, &inflated_size);
  g_assert_cmpint (buffer_count, ==, 2);
  g_assert_cmpint (inflated_size, ==, 4 + 100 + 4 + 7);
  g_assert_cmpuint (alloy_parcel_builder_get_n_blobs (builder), ==, 0);
  g_assert_cmpuint (alloy_parcel_builder_get_inflated_size (builder), ==, 0);
  g_assert_false (alloy_parcel_builder_would_overflow (builder, 5000));

  /* The next parcel holds only what came after the take. */
  alloy_parcel_builder_add (builder, c);
  second = alloy_parcel_builder_take (builder, &buffer_count, &inflated_size);
  g_assert_cmpint (buffer_count, ==, 1);
  g_assert_cmpint (inflated_size, ==, 37);
  inflated = inflate_independently (second, 37);
  g_assert_cmpuint (read_u32 (g_bytes_get_data (inflated, NULL), FALSE), ==, 33);
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (inflated, NULL) + 4, 33,
                   g_bytes_get_data (c, NULL), 33);

  /* The first parcel's blobs are slices of one buffer, in order. */
  blobs = alloy_parcel_inflate (first, 2, 115, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (blobs->len, ==, 2);
  g_assert_true (g_bytes_equal (blobs->pdata[0], a));
  g_assert_true (g_bytes_equal (blobs->pdata[1], b));
  g_assert_true ((const guint8 *) g_bytes_get_data (blobs->pdata[1], NULL) ==
                 (const guint8 *) g_bytes_get_data (blobs->pdata[0], NULL) + 100 + 4);
}

/* Take on an empty builder is a programming error. */
static void
test_take_empty (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(AlloyParcelBuilder) builder = alloy_parcel_builder_new (1024);
      g_autoptr(GBytes) deflated = alloy_parcel_builder_take (builder, NULL, NULL);

      g_assert_null (deflated);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*n_blobs > 0*");
}

static void
assert_rejected (GBytes *deflated, gint32 buffer_count, gint32 inflated_size,
                 const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) blobs = alloy_parcel_inflate (deflated, buffer_count, inflated_size,
                                                     &error);

  g_assert_null (blobs);
  g_assert_error (error, ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==, message);
}

/* Compresses the slot area written as @sizes (-1 ends): each size field
 * followed by that many bytes, or by @tail bytes for the last when
 * @tail >= 0. */
static GBytes *
deflate_slots (const gint32 *sizes, gint32 tail, gsize *area_size)
{
  g_autoptr(GByteArray) area = g_byte_array_new ();

  for (guint n = 0; sizes[n] != -1; n++)
    {
      gint32 fill = sizes[n + 1] == -1 && tail >= 0 ? tail : MAX (sizes[n], 0);

      append_i32_le (area, sizes[n]);
      for (gint32 k = 0; k < fill; k++)
        g_byte_array_append (area, (const guint8 *) "x", 1);
    }
  *area_size = area->len;
  return deflate_area (area->data, area->len);
}

static void
test_inflate_rejects_slots (void)
{
  static const gint32 two[] = { 3, 4, -1 };
  static const gint32 zero[] = { 3, 0, 4, -1 };
  static const gint32 negative[] = { 3, -5, -1 };
  static const gint32 overflow[] = { 3, 500, -1 };
  gsize size = 0;
  g_autoptr(GBytes) deflated = deflate_slots (two, -1, &size);
  g_autoptr(GBytes) zero_deflated = NULL;
  g_autoptr(GBytes) negative_deflated = NULL;
  g_autoptr(GBytes) overflow_deflated = NULL;
  g_autoptr(GBytes) short_deflated = NULL;
  g_autoptr(GPtrArray) blobs = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (size, ==, 15);
  blobs = alloy_parcel_inflate (deflated, 2, 15, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (blobs->len, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (blobs->pdata[0]), ==, 3);
  g_assert_cmpuint (g_bytes_get_size (blobs->pdata[1]), ==, 4);

  /* Counts that do not match the slots. */
  assert_rejected (deflated, 3, 15, "parcel: 2 slots fill the 15 inflated bytes but bufferCount "
                   "is 3");
  assert_rejected (deflated, 1, 15, "parcel: bufferCount is 1 but 8 bytes follow the last slot");
  assert_rejected (deflated, 0, 15, "parcel: bufferCount 0: a parcel holds at least one blob");
  assert_rejected (deflated, -1, 15, "parcel: bufferCount -1: a parcel holds at least one blob");
  assert_rejected (deflated, 2, -15, "parcel: inflatedSize -15 is negative");

  /* Slots that are empty, negative, or run past the area. */
  zero_deflated = deflate_slots (zero, -1, &size);
  assert_rejected (zero_deflated, 3, (gint32) size, "parcel: slot 1 at offset 7 says 0 bytes: "
                   "a slot holds at least one byte");
  negative_deflated = deflate_slots (negative, -1, &size);
  assert_rejected (negative_deflated, 2, (gint32) size, "parcel: slot 1 at offset 7 says -5 "
                   "bytes: a slot holds at least one byte");
  overflow_deflated = deflate_slots (overflow, 120, &size);
  g_assert_cmpuint (size, ==, 7 + 4 + 120);
  assert_rejected (overflow_deflated, 2, (gint32) size,
                   "parcel: slot 1 says 500 bytes but only 120 remain");
  /* A size field cut short by the end of the area. */
  {
    static const guint8 area[] = { 3, 0, 0, 0, 'a', 'b', 'c', 1, 0 };

    short_deflated = deflate_area (area, sizeof area);
    assert_rejected (short_deflated, 2, sizeof area,
                     "parcel: slot 1: its size field needs 4 bytes but only 2 remain");
  }
}

static void
test_inflate_rejects_snappy (void)
{
  g_autoptr(GBytes) blob = worked_blob ();
  g_autoptr(AlloyParcelBuilder) builder = alloy_parcel_builder_new (1024);
  g_autoptr(GBytes) deflated = NULL;
  g_autoptr(GBytes) truncated = NULL;
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) bad_preamble = g_bytes_new_static ("\xff\xff\xff\xff\xff\xff", 6);
  /* Preamble 10, then a copy of 4 bytes from 65535 back: nothing there. */
  g_autoptr(GBytes) bad_copy = g_bytes_new_static ("\x0a\x0e\xff\xff", 4);
  /* Preamble 2^31 - 1 with nearly nothing behind it: refused before any
   * allocation of that size. */
  g_autoptr(GBytes) huge = g_bytes_new_static ("\xff\xff\xff\xff\x07\x00\x61", 7);
  g_autofree char *message = NULL;
  gint32 buffer_count = 0;
  gint32 inflated_size = 0;
  gsize size;

  alloy_parcel_builder_add (builder, blob);
  deflated = alloy_parcel_builder_take (builder, &buffer_count, &inflated_size);
  size = g_bytes_get_size (deflated);

  /* The preamble must say inflatedSize. */
  assert_rejected (deflated, 1, 332, "parcel: the Snappy preamble says 331 inflated bytes but "
                   "inflatedSize is 332");
  assert_rejected (deflated, 1, 330, "parcel: the Snappy preamble says 331 inflated bytes but "
                   "inflatedSize is 330");
  assert_rejected (empty, 1, 0, "parcel: the 0 deflated bytes have no Snappy preamble");
  assert_rejected (bad_preamble, 1, 10, "parcel: the 6 deflated bytes have no Snappy preamble");

  /* Data that does not inflate to what the preamble says. */
  truncated = g_bytes_new_from_bytes (deflated, 0, size - 1);
  message = g_strdup_printf ("parcel: the %" G_GSIZE_FORMAT " deflated bytes are not valid "
                             "Snappy data for 331 bytes", size - 1);
  assert_rejected (truncated, 1, 331, message);
  assert_rejected (bad_copy, 1, 10, "parcel: the 4 deflated bytes are not valid Snappy data for "
                   "10 bytes");
  assert_rejected (huge, 1, G_MAXINT32, "parcel: the 7 deflated bytes are not valid Snappy data "
                   "for 2147483647 bytes");
}

/* Damaged parcels give blobs or an error, never a read out of bounds
 * (this runs under AddressSanitizer and valgrind). */
static void
test_inflate_damaged (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240803);
  g_autoptr(AlloyParcelBuilder) builder = alloy_parcel_builder_new (4096);
  g_autoptr(GBytes) deflated = NULL;
  gint32 buffer_count = 0;
  gint32 inflated_size = 0;
  gsize size;
  const guint8 *data;

  for (guint n = 0; n < 5; n++)
    {
      g_autoptr(GBytes) blob = patterned_blob (20 + n * 9, n);

      alloy_parcel_builder_add (builder, blob);
    }
  deflated = alloy_parcel_builder_take (builder, &buffer_count, &inflated_size);
  data = g_bytes_get_data (deflated, &size);
  for (guint round = 0; round < 1000; round++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, size);
      g_autoptr(GBytes) damaged = NULL;
      g_autoptr(GPtrArray) blobs = NULL;
      g_autoptr(GError) error = NULL;

      for (gint32 flips = g_rand_int_range (rand, 1, 4); flips > 0; flips--)
        copy[g_rand_int_range (rand, 0, (gint32) size)] = (guint8) g_rand_int (rand);
      damaged = g_bytes_new_take (g_steal_pointer (&copy), size);
      blobs = alloy_parcel_inflate (damaged, buffer_count, inflated_size, &error);
      g_assert_true ((blobs == NULL) != (error == NULL));
      if (error != NULL)
        g_assert_error (error, ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_PROTOCOL);
      else
        g_assert_cmpuint (blobs->len, ==, (guint) buffer_count);
    }
}

/* Takes the parcel, checks it against the maximum and inflates it into
 * @received. */
static void
flush_into (AlloyParcelBuilder *builder, gsize max, GPtrArray *received)
{
  g_autoptr(GBytes) deflated = NULL;
  g_autoptr(GPtrArray) blobs = NULL;
  g_autoptr(GError) error = NULL;
  gint32 buffer_count = 0;
  gint32 inflated_size = 0;

  deflated = alloy_parcel_builder_take (builder, &buffer_count, &inflated_size);
  g_assert_cmpint (buffer_count, >=, 1);
  if (buffer_count > 1)
    g_assert_cmpint (inflated_size, <=, (gint32) max);
  blobs = alloy_parcel_inflate (deflated, buffer_count, inflated_size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (blobs->len, ==, (guint) buffer_count);
  for (guint k = 0; k < blobs->len; k++)
    g_ptr_array_add (received, g_bytes_ref (blobs->pdata[k]));
}

/* Random blobs, fed as a stream feeds them (flush before an overflow and
 * when add says so), come back the same and in order, and no parcel but a
 * lone blob's goes over the maximum. */
static void
test_round_trip_random (void)
{
  /* A fixed seed: the same cases on every run. */
  g_autoptr(GRand) rand = g_rand_new_with_seed (1270);

  for (guint round = 0; round < 60; round++)
    {
      gsize max = (gsize) g_rand_int_range (rand, 16, 4096);
      g_autoptr(AlloyParcelBuilder) builder = alloy_parcel_builder_new (max);
      g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      g_autoptr(GPtrArray) received = g_ptr_array_new_with_free_func (
          (GDestroyNotify) g_bytes_unref);
      gint32 n_blobs = g_rand_int_range (rand, 1, 60);

      for (gint32 n = 0; n < n_blobs; n++)
        {
          gsize size = (gsize) g_rand_int_range (rand, 1, (gint32) (max * 3 / 2 + 2));
          guint8 *data = g_malloc (size);
          GBytes *blob;

          /* Some runs, some noise: Snappy finds matches in part. */
          for (gsize k = 0; k < size; k++)
            data[k] = (guint8) g_rand_int_range (rand, 0, k % 3 == 0 ? 256 : 4);
          blob = g_bytes_new_take (data, size);
          g_ptr_array_add (sent, blob);
          if (alloy_parcel_builder_would_overflow (builder, size))
            flush_into (builder, max, received);
          if (alloy_parcel_builder_add (builder, blob))
            flush_into (builder, max, received);
        }
      if (alloy_parcel_builder_get_n_blobs (builder) > 0)
        flush_into (builder, max, received);
      g_assert_cmpuint (received->len, ==, sent->len);
      for (guint k = 0; k < sent->len; k++)
        g_assert_true (g_bytes_equal (received->pdata[k], sent->pdata[k]));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nexus-parcel/worked", test_worked_parcel);
  g_test_add_func ("/nexus-parcel/flush-threshold", test_flush_threshold);
  g_test_add_func ("/nexus-parcel/lone-large-blob", test_lone_large_blob);
  g_test_add_func ("/nexus-parcel/take-resets", test_take_resets);
  g_test_add_func ("/nexus-parcel/take-empty", test_take_empty);
  g_test_add_func ("/nexus-parcel/inflate/rejects-slots", test_inflate_rejects_slots);
  g_test_add_func ("/nexus-parcel/inflate/rejects-snappy", test_inflate_rejects_snappy);
  g_test_add_func ("/nexus-parcel/inflate/damaged", test_inflate_damaged);
  g_test_add_func ("/nexus-parcel/round-trip-random", test_round_trip_random);
  return g_test_run ();
}
