/* test-brio-decode.c: the decoder's strictness: damaged and truncated
 * blobs, map keys out of order, NaN and infinities, nesting depth.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-decoder.h"
#include "alloy-brio-presser.h"
#include "alloy-test-utils.h"
#include "brio-test-utils.h"

#include <string.h>

static void
test_damaged_blobs (void)
{
  g_autoptr(AlloyBrioSchema) schema = brio_test_schema_from_text ("Test", BRIO_TEST_SCHEMA);
  g_autoptr(AlloyBrioPresser) presser = brio_test_presser_for (schema);
  const char *item = "{\"t\":\"a\",\"longs\":[1,2],\"tags\":{\"k\":\"v\"},"
                     "\"children\":[{\"name\":\"n\",\"values\":[1.5]}],\"child\":{}}";
  g_autoptr(GBytes) blob = alloy_brio_presser_press (presser, item, strlen (item), NULL);
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (blob, &size);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261124);

  /* Every truncation is an error. */
  for (gsize cut = 0; cut < size; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) decoded = alloy_brio_decode (schema, copy, cut, NULL, &error);

      g_assert_null (decoded);
      g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT);
    }
  /* Damaged bytes give an error or some item, never a read past the end
   * (this runs under AddressSanitizer and valgrind). */
  for (int round = 0; round < 2000; round++)
    {
      g_autofree guint8 *copy = g_memdup2 (data, size);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) decoded = NULL;

      for (int flips = g_rand_int_range (rand, 1, 4); flips > 0; flips--)
        copy[g_rand_int_range (rand, 0, (gint32) size)] = (guint8) g_rand_int (rand);
      decoded = alloy_brio_decode (schema, copy, size, NULL, &error);
      g_assert_true ((decoded == NULL) != (error == NULL));
    }
}

static void
test_decode_unordered_keys (void)
{
  g_autoptr(AlloyBrioSchema) schema = brio_test_schema_from_text ("Test", BRIO_TEST_SCHEMA);
  g_autoptr(AlloyBrioPresser) presser = brio_test_presser_for (schema);
  const char *items[] = { "{\"codes\":{\"1\":\"a\",\"2\":\"b\"}}",
                          "{\"tags\":{\"a\":\"x\",\"b\":\"x\"}}" };

  for (guint n = 0; n < G_N_ELEMENTS (items); n++)
    {
      g_autoptr(GBytes) blob = alloy_brio_presser_press (presser, items[n], strlen (items[n]),
                                                         NULL);
      gsize size = 0;
      g_autofree guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (blob), &size);
      guint8 *map = copy + (brio_test_root_variable (blob, n == 0 ? 3 : 2) -
                            (const guint8 *) g_bytes_get_data (blob, NULL));
      guint width = n == 0 ? 8 : 2;
      g_autofree char *offset = g_strdup_printf ("blob offset %" G_GSIZE_FORMAT ": ",
                                                 (gsize) (map + 2 + width - copy));
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) decoded = NULL;
      guint8 first[8];

      /* Swapped keys, then equal keys. */
      memcpy (first, map + 2, width);
      memcpy (map + 2, map + 2 + width, width);
      memcpy (map + 2 + width, first, width);
      decoded = alloy_brio_decode (schema, copy, size, NULL, &error);
      g_assert_null (decoded);
      g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT);
      g_assert_true (g_str_has_prefix (error->message, offset));
      g_assert_nonnull (strstr (error->message, ": keys must be strictly ascending"));
      g_clear_error (&error);
      memcpy (map + 2, map + 2 + width, width);
      decoded = alloy_brio_decode (schema, copy, size, NULL, &error);
      g_assert_null (decoded);
      g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT);
      g_assert_true (g_str_has_prefix (error->message, offset));
    }
}

static void
test_decode_non_finite (void)
{
  g_autoptr(AlloyBrioSchema) schema = brio_test_schema_from_text ("Test", BRIO_TEST_SCHEMA);
  g_autoptr(AlloyBrioPresser) presser = brio_test_presser_for (schema);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *item = brio_test_press_and_decode (
      schema, presser, "{\"d\":\"-Infinity\",\"child\":{\"values\":[\"NaN\",\"Infinity\",1]}}",
      &node);
  g_autofree char *text = json_to_string (node, FALSE);

  g_assert_cmpstr (json_object_get_string_member (item, "d"), ==, "-Infinity");
  g_assert_cmpstr (text, ==, "{\"d\":\"-Infinity\",\"child\":{\"values\":[\"NaN\",\"Infinity\",1.0]}}");
  /* Valid JSON: it parses back. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) again = json_from_string (text, &error);
    g_assert_no_error (error);
  }
}

/* Structures nest up to ALLOY_BRIO_DECODE_MAX_DEPTH below the root. */
static void
test_decode_depth (void)
{
  g_autoptr(AlloyBrioSchema) schema = brio_test_schema_from_text (
      "Deep", "schema Deep {\n version: 1\n root) n : Node\n structure Node {\n"
              "  0) next : Node\n }\n}\n");
  g_autoptr(AlloyBrioPresser) presser = brio_test_presser_for (schema);

  for (int extra = 0; extra < 2; extra++)
    {
      g_autoptr(GString) json = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) blob = NULL;
      g_autoptr(JsonNode) decoded = NULL;
      int levels = ALLOY_BRIO_DECODE_MAX_DEPTH + 1 + extra;

      for (int i = 0; i < levels - 1; i++)
        g_string_append (json, "{\"next\":");
      g_string_append (json, "{}");
      for (int i = 0; i < levels - 1; i++)
        g_string_append_c (json, '}');
      blob = alloy_brio_presser_press (presser, json->str, json->len, &error);
      g_assert_no_error (error);
      decoded = alloy_brio_decode (schema, g_bytes_get_data (blob, NULL), g_bytes_get_size (blob),
                                   NULL, &error);
      if (extra == 0)
        {
          g_assert_no_error (error);
          g_assert_nonnull (decoded);
        }
      else
        {
          g_assert_null (decoded);
          g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT);
          g_assert_nonnull (strstr (error->message, "structures nested deeper than 1000"));
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/brio-decode/unordered-keys", test_decode_unordered_keys);
  g_test_add_func ("/brio-decode/non-finite", test_decode_non_finite);
  g_test_add_func ("/brio-decode/depth", test_decode_depth);
  g_test_add_func ("/brio-decode/damaged-blobs", test_damaged_blobs);

  return g_test_run ();
}
