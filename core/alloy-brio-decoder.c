/* alloy-brio-decoder.c: Brio V2 blobs back into JSON.
 *
 * Every read is bounds-checked against the blob and against the extent of
 * the structure being read, so that a damaged blob gives an error that
 * names the offset instead of a crash.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-decoder.h"

#include "alloy-brio-dictionary.h"

#include <math.h>
#include <string.h>

typedef struct {
  AlloyBrioSchema *schema;
  const guint8 *root;    /* the root area */
  gsize root_size;
  gsize root_offset;     /* of the root area in the blob, for messages */
  AlloyBrioDictionaryView dictionary;
} Decoder;

static gboolean G_GNUC_PRINTF (4, 5)
corrupt (const Decoder *decoder, GError **error, gsize at, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT, "blob offset %" G_GSIZE_FORMAT
               ": %s", decoder->root_offset + at, message);
  return FALSE;
}

/* Reads @size bytes at @at of the root area, within [.., @limit). */
static gboolean
read_bytes (const Decoder *decoder, gsize at, gsize size, gsize limit, void *out, GError **error)
{
  if (limit > decoder->root_size || at > limit || size > limit - at)
    return corrupt (decoder, error, at, "%" G_GSIZE_FORMAT " bytes needed, %" G_GSIZE_FORMAT
                    " left", size, at > limit ? 0 : limit - at);
  memcpy (out, decoder->root + at, size);
  return TRUE;
}

static gboolean
read_i16 (const Decoder *decoder, gsize at, gsize limit, gint16 *out, GError **error)
{
  guint16 le = 0;

  if (!read_bytes (decoder, at, 2, limit, &le, error))
    return FALSE;
  *out = (gint16) GUINT16_FROM_LE (le);
  return TRUE;
}

static gboolean
read_i32 (const Decoder *decoder, gsize at, gsize limit, gint32 *out, GError **error)
{
  guint32 le = 0;

  if (!read_bytes (decoder, at, 4, limit, &le, error))
    return FALSE;
  *out = (gint32) GUINT32_FROM_LE (le);
  return TRUE;
}

static gboolean
read_i64 (const Decoder *decoder, gsize at, gsize limit, gint64 *out, GError **error)
{
  guint64 le = 0;

  if (!read_bytes (decoder, at, 8, limit, &le, error))
    return FALSE;
  *out = (gint64) GUINT64_FROM_LE (le);
  return TRUE;
}

static JsonNode *
string_node (const Decoder *decoder, gint16 key, gsize at, GError **error)
{
  g_autoptr(GError) lookup_error = NULL;
  g_autofree char *copy = NULL;
  const char *text;
  gsize length;

  if (!alloy_brio_dictionary_view_lookup_key (&decoder->dictionary, key, &text, &length,
                                              &lookup_error))
    {
      corrupt (decoder, error, at, "string key 0x%04x: %s", (guint16) key, lookup_error->message);
      return NULL;
    }
  copy = g_strndup (text, length);
  return json_node_init_string (json_node_alloc (), copy);
}

/* One value of @type at @at. */
static JsonNode *
read_value (const Decoder *decoder, AlloyBrioValueType type, gsize at, gsize limit,
            GError **error)
{
  guint8 byte = 0; /* GCC 12 -O3 cannot see read_bytes set it */
  gint16 i16;
  gint32 i32;
  gint64 i64;
  gdouble d;

  switch (type)
    {
    case ALLOY_BRIO_BOOLEAN:
      if (!read_bytes (decoder, at, 1, limit, &byte, error))
        return NULL;
      if (byte > 1)
        {
          corrupt (decoder, error, at, "a boolean of %u", byte);
          return NULL;
        }
      return json_node_init_boolean (json_node_alloc (), byte != 0);
    case ALLOY_BRIO_BYTE:
      if (!read_bytes (decoder, at, 1, limit, &byte, error))
        return NULL;
      return json_node_init_int (json_node_alloc (), (gint8) byte);
    case ALLOY_BRIO_SHORT:
      if (!read_i16 (decoder, at, limit, &i16, error))
        return NULL;
      return json_node_init_int (json_node_alloc (), i16);
    case ALLOY_BRIO_INTEGER:
      if (!read_i32 (decoder, at, limit, &i32, error))
        return NULL;
      return json_node_init_int (json_node_alloc (), i32);
    case ALLOY_BRIO_LONG:
      if (!read_i64 (decoder, at, limit, &i64, error))
        return NULL;
      return json_node_init_int (json_node_alloc (), i64);
    case ALLOY_BRIO_DOUBLE:
      if (!read_i64 (decoder, at, limit, &i64, error))
        return NULL;
      memcpy (&d, &i64, sizeof d);
      /* JSON has no NaN or infinities: Java's spellings, as strings. */
      if (isnan (d))
        return json_node_init_string (json_node_alloc (), "NaN");
      if (isinf (d))
        return json_node_init_string (json_node_alloc (), d > 0 ? "Infinity" : "-Infinity");
      return json_node_init_double (json_node_alloc (), d);
    case ALLOY_BRIO_STRING:
      if (!read_i16 (decoder, at, limit, &i16, error))
        return NULL;
      return string_node (decoder, i16, at, error);
    default:
      corrupt (decoder, error, at, "value type %d", type);
      return NULL;
    }
}

static gboolean
read_count (const Decoder *decoder, gsize at, gsize limit, gint16 *out, GError **error)
{
  if (!read_i16 (decoder, at, limit, out, error))
    return FALSE;
  if (*out < 0)
    return corrupt (decoder, error, at, "a negative count %d", *out);
  return TRUE;
}

static JsonNode *
read_value_vector (const Decoder *decoder, const AlloyBrioRelation *relation, gsize at,
                   gsize limit, GError **error)
{
  guint width = alloy_brio_value_type_size (relation->value_type);
  g_autoptr(JsonArray) array = json_array_new ();
  gint16 count;

  if (!read_count (decoder, at, limit, &count, error))
    return NULL;
  for (gint i = 0; i < count; i++)
    {
      JsonNode *element = read_value (decoder, relation->value_type, at + 2 + (gsize) i * width,
                                      limit, error);
      if (element == NULL)
        return NULL;
      json_array_add_element (array, element);
    }
  return json_node_init_array (json_node_alloc (), array);
}

static JsonNode *
read_value_map (const Decoder *decoder, const AlloyBrioRelation *relation, gsize at, gsize limit,
                GError **error)
{
  gboolean long_keys = relation->value_type == ALLOY_BRIO_LONG;
  guint key_width = long_keys ? 8 : 2;
  g_autoptr(JsonObject) object = json_object_new ();
  gsize values_at;
  gint64 previous = 0;
  gint16 count;

  if (!read_count (decoder, at, limit, &count, error))
    return NULL;
  values_at = at + 2 + (gsize) count * key_width;
  for (gint i = 0; i < count; i++)
    {
      gsize key_at = at + 2 + (gsize) i * key_width;
      g_autofree char *name = NULL;
      JsonNode *value;

      gint64 key;

      if (long_keys)
        {
          if (!read_i64 (decoder, key_at, limit, &key, error))
            return NULL;
          name = g_strdup_printf ("%" G_GINT64_FORMAT, key);
        }
      else
        {
          g_autoptr(JsonNode) key_node = NULL;
          gint16 key16;
          if (!read_i16 (decoder, key_at, limit, &key16, error) ||
              (key_node = string_node (decoder, key16, key_at, error)) == NULL)
            return NULL;
          key = key16;
          name = g_strdup (json_node_get_string (key_node));
        }
      /* A cell binary-searches the keys. */
      if (i > 0 && key <= previous)
        {
          corrupt (decoder, error, key_at, "map key %" G_GINT64_FORMAT " after %" G_GINT64_FORMAT
                   ": keys must be strictly ascending", key, previous);
          return NULL;
        }
      previous = key;
      value = read_value (decoder, relation->map_value_type, values_at + (gsize) i * 2, limit,
                          error);
      if (value == NULL)
        return NULL;
      if (json_object_has_member (object, name))
        {
          json_node_unref (value);
          corrupt (decoder, error, key_at, "the map key '%s' appears twice", name);
          return NULL;
        }
      json_object_set_member (object, name, value);
    }
  return json_node_init_object (json_node_alloc (), object);
}

static JsonNode *read_structure (const Decoder *decoder, const AlloyBrioStructure *structure,
                                 gsize start, gsize limit, guint depth, GError **error);

static JsonNode *
read_reference_vector (const Decoder *decoder, const AlloyBrioRelation *relation, gsize at,
                       gsize limit, guint depth, GError **error)
{
  g_autoptr(JsonArray) array = json_array_new ();
  gsize member_at = at + 2;
  gint16 count;

  if (!read_count (decoder, at, limit, &count, error))
    return NULL;
  for (gint i = 0; i < count; i++)
    {
      gint32 size;
      JsonNode *member;

      if (!read_i32 (decoder, member_at, limit, &size, error))
        return NULL;
      if (size < 0 || (gsize) size > limit - member_at - 4)
        {
          corrupt (decoder, error, member_at, "a member size of %d runs past its parent", size);
          return NULL;
        }
      member = read_structure (decoder, relation->structure, member_at + 4, member_at + 4 + size,
                               depth + 1, error);
      if (member == NULL)
        return NULL;
      json_array_add_element (array, member);
      member_at += 4 + (gsize) size;
    }
  return json_node_init_array (json_node_alloc (), array);
}

static JsonNode *
read_structure (const Decoder *decoder, const AlloyBrioStructure *structure, gsize start,
                gsize limit, guint depth, GError **error)
{
  g_autoptr(JsonObject) object = json_object_new ();
  const AlloyBrioRelation *const *relations;
  guint version_count = alloy_brio_schema_get_version_count (decoder->schema);
  guint n_relations = 0, n_words, n_variable = 0;
  g_autofree guint64 *nulls = NULL;
  gsize fixed_at, table_at, data_at;
  gint32 version;

  /* Nesting is bounded by the schema's structures only through the data:
   * bound it, so a crafted blob cannot exhaust the stack. */
  if (depth > ALLOY_BRIO_DECODE_MAX_DEPTH)
    {
      corrupt (decoder, error, start, "structures nested deeper than %d",
               ALLOY_BRIO_DECODE_MAX_DEPTH);
      return NULL;
    }
  if (!read_i32 (decoder, start, limit, &version, error))
    return NULL;
  if (version < 1 || (guint) version > version_count)
    {
      corrupt (decoder, error, start, "%s has version %d; the schema has versions 1 to %u",
               alloy_brio_structure_get_name (structure), version, version_count);
      return NULL;
    }
  relations = alloy_brio_structure_get_relations (structure, (guint) version, &n_relations);
  n_words = n_relations / 64 + 1;
  nulls = g_new0 (guint64, n_words);
  for (guint w = 0; w < n_words; w++)
    if (!read_i64 (decoder, start + 4 + 8 * w, limit, (gint64 *) &nulls[w], error))
      return NULL;

  fixed_at = start + 4 + 8 * n_words;
  table_at = fixed_at;
  for (guint i = 0; i < n_relations; i++)
    if (relations[i]->form == ALLOY_BRIO_VALUE_SCALAR)
      table_at += alloy_brio_value_type_size (relations[i]->value_type);
    else
      n_variable++;
  data_at = table_at + 4 * n_variable;
  if (data_at > limit)
    {
      corrupt (decoder, error, start, "%s needs %" G_GSIZE_FORMAT " bytes of header, has %"
               G_GSIZE_FORMAT, alloy_brio_structure_get_name (structure), data_at - start,
               limit - start);
      return NULL;
    }

  for (guint i = 0, slot = 0; i < n_relations; i++)
    {
      const AlloyBrioRelation *relation = relations[i];
      gboolean is_null = (nulls[relation->ordinal / 64] >>
                          (relation->ordinal & 63)) & 1;
      JsonNode *value = NULL;
      gsize at;

      if (relation->form == ALLOY_BRIO_VALUE_SCALAR)
        {
          at = fixed_at;
          fixed_at += alloy_brio_value_type_size (relation->value_type);
          if (is_null)
            continue;
          value = read_value (decoder, relation->value_type, at, limit, error);
        }
      else
        {
          gint32 offset;

          if (!read_i32 (decoder, table_at + 4 * slot++, limit, &offset, error))
            return NULL;
          if (is_null)
            continue;
          if (offset < 0 || start + (gsize) offset < data_at || start + (gsize) offset > limit)
            {
              corrupt (decoder, error, table_at + 4 * (slot - 1),
                       "%s.%s points at %d, outside its structure",
                       alloy_brio_structure_get_name (structure), relation->name, offset);
              return NULL;
            }
          at = start + (gsize) offset;
          switch (relation->form)
            {
            case ALLOY_BRIO_VALUE_VECTOR:
              value = read_value_vector (decoder, relation, at, limit, error);
              break;
            case ALLOY_BRIO_VALUE_MAP:
              value = read_value_map (decoder, relation, at, limit, error);
              break;
            case ALLOY_BRIO_REFERENCE_SCALAR:
              value = read_structure (decoder, relation->structure, at, limit, depth + 1, error);
              break;
            case ALLOY_BRIO_REFERENCE_VECTOR:
              value = read_reference_vector (decoder, relation, at, limit, depth, error);
              break;
            default:
              corrupt (decoder, error, at, "%s.%s cannot be decoded",
                       alloy_brio_structure_get_name (structure), relation->name);
              return NULL;
            }
        }
      if (value == NULL)
        return NULL;
      json_object_set_member (object, relation->name, value);
    }
  return json_node_init_object (json_node_alloc (), object);
}

JsonNode *
alloy_brio_decode (AlloyBrioSchema *schema, const guint8 *blob, gsize size,
                   gint32 *out_root_version, GError **error)
{
  Decoder decoder = { .schema = schema };
  guint32 header[3];
  guint32 root_size_le;
  gsize dict_size, root_size;

  if (size < 16)
    {
      g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT,
                   "blob offset 0: a blob needs at least 16 bytes, this one has %" G_GSIZE_FORMAT,
                   size);
      return NULL;
    }
  memcpy (header, blob, sizeof header);
  if (GUINT32_FROM_LE (header[0]) != 2)
    {
      g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT,
                   "blob offset 0: encoding version %d, expected 2",
                   (gint32) GUINT32_FROM_LE (header[0]));
      return NULL;
    }
  dict_size = GUINT32_FROM_LE (header[2]);
  if (dict_size > size - 12 || size - 12 - dict_size < 4)
    {
      g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT,
                   "blob offset 8: a dictionary of %" G_GSIZE_FORMAT " bytes does not fit in a "
                   "%" G_GSIZE_FORMAT "-byte blob", dict_size, size);
      return NULL;
    }
  if (!alloy_brio_dictionary_view_init (&decoder.dictionary, blob + 12, dict_size, error))
    {
      g_prefix_error (error, "blob offset 12: dictionary: ");
      return NULL;
    }
  memcpy (&root_size_le, blob + 12 + dict_size, 4);
  root_size = GUINT32_FROM_LE (root_size_le);
  if (root_size != size - 16 - dict_size)
    {
      g_set_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_CORRUPT,
                   "blob offset %" G_GSIZE_FORMAT ": a root of %" G_GSIZE_FORMAT " bytes, but %"
                   G_GSIZE_FORMAT " follow", 12 + dict_size, root_size, size - 16 - dict_size);
      return NULL;
    }
  decoder.root = blob + 16 + dict_size;
  decoder.root_size = root_size;
  decoder.root_offset = 16 + dict_size;
  if (out_root_version != NULL)
    *out_root_version = (gint32) GUINT32_FROM_LE (header[1]);
  return read_structure (&decoder, alloy_brio_schema_get_root (schema), 0, root_size, 0, error);
}
