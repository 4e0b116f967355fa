/* brio-test-utils.c: helpers shared by the Brio test programs.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "brio-test-utils.h"

#include "alloy-brio-decoder.h"
#include "alloy-test-utils.h"

#include <string.h>

/* --- dictionary images --------------------------------------------------- */

gint16
brio_test_add_word (AlloyBrioDictionary *dictionary, const char *utf8)
{
  g_autoptr(GError) error = NULL;
  gint16 key = 0x7777;

  g_assert_true (alloy_brio_dictionary_add (dictionary, utf8, strlen (utf8), &key, &error));
  g_assert_no_error (error);
  return key;
}

guint8 *
brio_test_image_of (const AlloyBrioDictionary *dictionary, gsize *out_size)
{
  gsize size = alloy_brio_dictionary_get_size (dictionary);
  guint8 *image = g_malloc (MAX (size, 1));

  alloy_brio_dictionary_write (dictionary, image);
  *out_size = size;
  return image;
}

gint32
brio_test_get_i32 (const guint8 *at)
{
  guint32 le;

  memcpy (&le, at, 4);
  return (gint32) GUINT32_FROM_LE (le);
}

gint16
brio_test_get_i16 (const guint8 *at)
{
  guint16 le;

  memcpy (&le, at, 2);
  return (gint16) GUINT16_FROM_LE (le);
}

void
brio_test_put_i32 (guint8 *at, gint32 value)
{
  guint32 le = GUINT32_TO_LE ((guint32) value);

  memcpy (at, &le, 4);
}

void
brio_test_put_i16 (guint8 *at, gint16 value)
{
  guint16 le = GUINT16_TO_LE ((guint16) value);

  memcpy (at, &le, 2);
}

/* --- schemas, pressing and decoding -------------------------------------- */

AlloyBrioSchema *
brio_test_schema_from_text (const char *name, const char *text)
{
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *file = g_strdup_printf ("%s_v1.brio", name);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  const char *const files[] = { path, NULL };
  g_autoptr(GError) error = NULL;
  AlloyBrioSchema *schema;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  schema = alloy_brio_schema_load_files (files, &error);
  g_assert_no_error (error);
  alloy_test_remove_tree (dir);
  return schema;
}

AlloyBrioPresser *
brio_test_presser_for (AlloyBrioSchema *schema)
{
  g_autoptr(GError) error = NULL;
  AlloyBrioPresser *presser = alloy_brio_presser_new (schema, 1, ALLOY_BRIO_DEFAULT_ITEM_MAX_BYTES,
                                                      &error);

  g_assert_no_error (error);
  return presser;
}

JsonNode *
brio_test_decode_blob (AlloyBrioSchema *schema, GBytes *blob)
{
  g_autoptr(GError) error = NULL;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (blob, &size);
  JsonNode *item = alloy_brio_decode (schema, data, size, NULL, &error);

  g_assert_no_error (error);
  return item;
}

JsonObject *
brio_test_press_and_decode (AlloyBrioSchema *schema, AlloyBrioPresser *presser, const char *item,
                            JsonNode **out_node)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) blob = alloy_brio_presser_press (presser, item, strlen (item), &error);

  g_assert_no_error (error);
  *out_node = brio_test_decode_blob (schema, blob);
  return json_node_get_object (*out_node);
}

gint64
brio_test_get_le (const guint8 *at, guint width)
{
  guint64 value = 0;

  for (guint i = 0; i < width; i++)
    value |= (guint64) at[i] << (8 * i);
  if (width < 8 && (value >> (8 * width - 1)) & 1)
    value |= ~G_GUINT64_CONSTANT (0) << (8 * width);
  return (gint64) value;
}

const guint8 *
brio_test_root_variable (GBytes *blob, guint slot)
{
  const guint8 *data = g_bytes_get_data (blob, NULL);
  const guint8 *root = data + 16 + brio_test_get_le (data + 8, 4);

  return root + brio_test_get_le (root + 38 + 4 * slot, 4);
}
