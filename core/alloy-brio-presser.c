/* alloy-brio-presser.c: JSON items into Brio V2 blobs, through json-glib.
 *
 * The reference presser: it parses an item into a tree and rolls the tree
 * into the layout of docs/brio.md. A faster single-pass presser must
 * produce the same blobs as this one.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-presser.h"

#include "alloy-brio-coerce.h"
#include "alloy-brio-dictionary.h"

#include <string.h>

struct _AlloyBrioPresser {
  AlloyBrioSchema *schema;
  guint version;
  gint32 root_version;
  gsize item_max_bytes;
  AlloyBrioDictionary *dictionary;
  GByteArray *roll;
  JsonParser *parser;
};

/* Where a value is in the item: built on the stack as the presser
 * descends, and formatted only for an error message. */
typedef struct Path {
  const struct Path *parent;
  const char *member; /* NULL for an array index */
  guint index;
} Path;

static void
append_path (GString *out, const Path *path)
{
  if (path == NULL)
    {
      g_string_append_c (out, '$');
      return;
    }
  append_path (out, path->parent);
  if (path->member != NULL)
    g_string_append_printf (out, ".%s", path->member);
  else
    g_string_append_printf (out, "[%u]", path->index);
}

static gboolean G_GNUC_PRINTF (4, 5)
fail (GError **error, AlloyBrioError code, const Path *path, const char *format, ...)
{
  g_autoptr(GString) place = g_string_new (NULL);
  g_autofree char *message = NULL;
  va_list args;

  append_path (place, path);
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, ALLOY_BRIO_ERROR, code, "%s: %s", place->str, message);
  return FALSE;
}

static const char *
describe_node (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT: return "an object";
    case JSON_NODE_ARRAY: return "an array";
    case JSON_NODE_NULL: return "null";
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING: return "a string";
        case G_TYPE_BOOLEAN: return "a boolean";
        default: return "a number";
        }
    }
}

/* --- little-endian output --------------------------------------------- */

static void
append_bytes (GByteArray *roll, const void *data, gsize size)
{
  g_byte_array_append (roll, data, size);
}

static void
append_i16 (GByteArray *roll, gint16 value)
{
  guint16 le = GUINT16_TO_LE ((guint16) value);
  append_bytes (roll, &le, sizeof le);
}

static void
append_i32 (GByteArray *roll, gint32 value)
{
  guint32 le = GUINT32_TO_LE ((guint32) value);
  append_bytes (roll, &le, sizeof le);
}

static void
append_i64 (GByteArray *roll, gint64 value)
{
  guint64 le = GUINT64_TO_LE ((guint64) value);
  append_bytes (roll, &le, sizeof le);
}

static void
append_double (GByteArray *roll, gdouble value)
{
  guint64 bits;

  memcpy (&bits, &value, sizeof bits);
  append_i64 (roll, (gint64) bits);
}

static void
append_zeros (GByteArray *roll, gsize size)
{
  gsize at = roll->len;

  g_byte_array_set_size (roll, at + size);
  memset (roll->data + at, 0, size);
}

static void
patch_i32 (GByteArray *roll, gsize at, gint32 value)
{
  guint32 le = GUINT32_TO_LE ((guint32) value);
  memcpy (roll->data + at, &le, sizeof le);
}

static void
patch_i64 (GByteArray *roll, gsize at, guint64 value)
{
  guint64 le = GUINT64_TO_LE (value);
  memcpy (roll->data + at, &le, sizeof le);
}

/* --- values ----------------------------------------------------------- */

static gboolean
add_string (AlloyBrioPresser *self, const char *text, const Path *path, gint16 *out_key,
            GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!alloy_brio_dictionary_add (self->dictionary, text, strlen (text), out_key, &local_error))
    return fail (error, local_error->code, path, "%s", local_error->message);
  return TRUE;
}

/* The dictionary key of a value node's text. */
static gboolean
string_key (AlloyBrioPresser *self, JsonNode *node, const Path *path, gint16 *out_key,
            GError **error)
{
  g_autofree char *text = NULL;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return add_string (self, json_node_get_string (node), path, out_key, error);
  text = alloy_brio_coerce_text (node);
  return add_string (self, text, path, out_key, error);
}

/* One value-scalar of @type from a value or null node. */
static gboolean
append_value (AlloyBrioPresser *self, AlloyBrioValueType type, JsonNode *node, const Path *path,
              GError **error)
{
  GByteArray *roll = self->roll;
  gint16 key;

  switch (type)
    {
    case ALLOY_BRIO_BOOLEAN:
      g_byte_array_append (roll, (const guint8[]) { alloy_brio_coerce_boolean (node) ? 1 : 0 }, 1);
      return TRUE;
    case ALLOY_BRIO_BYTE:
      /* Java's (byte) asInt () keeps the low bits. */
      g_byte_array_append (roll, (const guint8[]) { (guint8) alloy_brio_coerce_int (node) }, 1);
      return TRUE;
    case ALLOY_BRIO_SHORT:
      append_i16 (roll, (gint16) (guint16) alloy_brio_coerce_int (node));
      return TRUE;
    case ALLOY_BRIO_INTEGER:
      append_i32 (roll, alloy_brio_coerce_int (node));
      return TRUE;
    case ALLOY_BRIO_LONG:
      append_i64 (roll, alloy_brio_coerce_long (node));
      return TRUE;
    case ALLOY_BRIO_DOUBLE:
      append_double (roll, alloy_brio_coerce_double (node));
      return TRUE;
    case ALLOY_BRIO_STRING:
      if (!string_key (self, node, path, &key, error))
        return FALSE;
      append_i16 (roll, key);
      return TRUE;
    default:
      return fail (error, ALLOY_BRIO_ERROR_UNSUPPORTED, path, "value type %d cannot be pressed",
                   type);
    }
}

static gboolean
check_count (guint count, const char *what, const Path *path, GError **error)
{
  if (count <= ALLOY_BRIO_MAX_ENTRIES)
    return TRUE;
  return fail (error, ALLOY_BRIO_ERROR_TOO_LARGE, path,
               "%s of %u entries, over Brio's limit of %d", what, count, ALLOY_BRIO_MAX_ENTRIES);
}

/* The item limit, checked while pressing so that a huge item fails where
 * it crosses the limit, not after its whole blob is built: @pending bytes
 * are about to be written. The final check in press_node gives the exact
 * total of the blobs that cross it only at the end. */
static gboolean
check_size (AlloyBrioPresser *self, gsize pending, const Path *path, GError **error)
{
  gsize total = 16 + alloy_brio_dictionary_get_size (self->dictionary) + self->roll->len + pending;

  if (total <= self->item_max_bytes)
    return TRUE;
  return fail (error, ALLOY_BRIO_ERROR_TOO_LARGE, path,
               "the blob reaches %" G_GSIZE_FORMAT " bytes here, over the item limit of %"
               G_GSIZE_FORMAT " bytes", total, self->item_max_bytes);
}

static gint
compare_longs (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static gboolean
press_value_vector (AlloyBrioPresser *self, const AlloyBrioRelation *relation, JsonArray *array,
                    const Path *path, GError **error)
{
  guint count = json_array_get_length (array);
  g_autofree gint64 *longs = NULL;

  if (!check_count (count, "a vector", path, error))
    return FALSE;
  append_i16 (self->roll, (gint16) count);
  if (relation->value_type == ALLOY_BRIO_LONG)
    longs = g_new (gint64, MAX (count, 1));
  for (guint i = 0; i < count; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      Path element_path = { path, NULL, i };

      if (JSON_NODE_HOLDS_OBJECT (element) || JSON_NODE_HOLDS_ARRAY (element))
        return fail (error, ALLOY_BRIO_ERROR_ITEM, &element_path,
                     "expected a %s value, got %s",
                     alloy_brio_value_type_to_string (relation->value_type),
                     describe_node (element));
      if (longs != NULL)
        longs[i] = alloy_brio_coerce_long (element);
      else if (!append_value (self, relation->value_type, element, &element_path, error))
        return FALSE;
      if (!check_size (self, longs != NULL ? 8 * ((gsize) i + 1) : 0, &element_path, error))
        return FALSE;
    }
  /* Burst sorts long vectors, and only those. */
  if (longs != NULL)
    {
      qsort (longs, count, sizeof (gint64), compare_longs);
      for (guint i = 0; i < count; i++)
        append_i64 (self->roll, longs[i]);
    }
  return TRUE;
}

typedef struct {
  gint64 key; /* an int16 dictionary key, or a long */
  gint16 value;
} MapEntry;

static gint
compare_entries (gconstpointer a, gconstpointer b)
{
  const MapEntry *x = a, *y = b;

  return (x->key > y->key) - (x->key < y->key);
}

static gboolean
press_value_map (AlloyBrioPresser *self, const AlloyBrioRelation *relation, JsonObject *object,
                 const Path *path, GError **error)
{
  gboolean long_keys = relation->value_type == ALLOY_BRIO_LONG;
  g_autoptr(GArray) entries = g_array_new (FALSE, FALSE, sizeof (MapEntry));
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;
  guint kept = 0;

  if (!check_count (json_object_get_size (object), "a map", path, error))
    return FALSE;
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &value))
    {
      Path entry_path = { path, name, 0 };
      MapEntry entry = { 0 };
      gint16 key;

      /* Java dropped such entries silently; Alloy rejects the item. */
      if (JSON_NODE_HOLDS_OBJECT (value) || JSON_NODE_HOLDS_ARRAY (value))
        return fail (error, ALLOY_BRIO_ERROR_ITEM, &entry_path,
                     "expected a string map value, got %s", describe_node (value));
      if (long_keys)
        {
          if (!g_ascii_string_to_signed (name, 10, G_MININT64, G_MAXINT64, &entry.key, NULL))
            return fail (error, ALLOY_BRIO_ERROR_ITEM, &entry_path,
                         "map[long,string] needs integer keys, not '%s'", name);
        }
      else
        {
          if (!add_string (self, name, &entry_path, &key, error))
            return FALSE;
          entry.key = key;
        }
      if (!string_key (self, value, &entry_path, &entry.value, error) ||
          !check_size (self, 0, &entry_path, error))
        return FALSE;
      g_array_append_val (entries, entry);
    }
  /* Readers binary-search the keys: signed int16 order for dictionary
   * keys, numeric order for longs. */
  g_array_sort (entries, compare_entries);
  /* Two texts of one long ("1", "01"): the last wins, as in Java. */
  for (guint i = 0; i < entries->len; i++)
    {
      MapEntry *entry = &g_array_index (entries, MapEntry, i);
      if (kept > 0 && g_array_index (entries, MapEntry, kept - 1).key == entry->key)
        g_array_index (entries, MapEntry, kept - 1) = *entry;
      else
        g_array_index (entries, MapEntry, kept++) = *entry;
    }
  append_i16 (self->roll, (gint16) kept);
  for (guint i = 0; i < kept; i++)
    {
      gint64 key = g_array_index (entries, MapEntry, i).key;
      if (long_keys)
        append_i64 (self->roll, key);
      else
        append_i16 (self->roll, (gint16) key);
    }
  for (guint i = 0; i < kept; i++)
    append_i16 (self->roll, g_array_index (entries, MapEntry, i).value);
  return TRUE;
}

/* --- structures ------------------------------------------------------- */

static gboolean press_structure (AlloyBrioPresser *self, const AlloyBrioStructure *structure,
                                 JsonObject *object, const Path *path, GError **error);

static gboolean
press_reference_vector (AlloyBrioPresser *self, const AlloyBrioRelation *relation,
                        JsonArray *array, const Path *path, GError **error)
{
  guint count = json_array_get_length (array);

  if (!check_count (count, "a vector", path, error))
    return FALSE;
  append_i16 (self->roll, (gint16) count);
  for (guint i = 0; i < count; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      Path element_path = { path, NULL, i };
      gsize size_at;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return fail (error, ALLOY_BRIO_ERROR_ITEM, &element_path, "expected a %s object, got %s",
                     alloy_brio_structure_get_name (relation->structure),
                     describe_node (element));
      /* The member's size, back-patched once it is written. */
      size_at = self->roll->len;
      append_i32 (self->roll, 0);
      if (!press_structure (self, relation->structure, json_node_get_object (element),
                            &element_path, error))
        return FALSE;
      patch_i32 (self->roll, size_at, (gint32) (self->roll->len - size_at - 4));
    }
  return TRUE;
}

static gboolean
press_variable (AlloyBrioPresser *self, const AlloyBrioRelation *relation, JsonNode *node,
                const Path *path, GError **error)
{
  switch (relation->form)
    {
    case ALLOY_BRIO_VALUE_VECTOR:
      if (!JSON_NODE_HOLDS_ARRAY (node))
        break;
      return press_value_vector (self, relation, json_node_get_array (node), path, error);
    case ALLOY_BRIO_VALUE_MAP:
      if (!JSON_NODE_HOLDS_OBJECT (node))
        break;
      return press_value_map (self, relation, json_node_get_object (node), path, error);
    case ALLOY_BRIO_REFERENCE_SCALAR:
      if (!JSON_NODE_HOLDS_OBJECT (node))
        break;
      return press_structure (self, relation->structure, json_node_get_object (node), path,
                              error);
    case ALLOY_BRIO_REFERENCE_VECTOR:
      if (!JSON_NODE_HOLDS_ARRAY (node))
        break;
      return press_reference_vector (self, relation, json_node_get_array (node), path, error);
    default:
      return fail (error, ALLOY_BRIO_ERROR_UNSUPPORTED, path, "relation %s cannot be pressed",
                   relation->name);
    }
  return fail (error, ALLOY_BRIO_ERROR_ITEM, path, "expected %s, got %s",
               relation->form == ALLOY_BRIO_VALUE_MAP || relation->form == ALLOY_BRIO_REFERENCE_SCALAR
                 ? "an object" : "an array",
               describe_node (node));
}

/* One structure instance at the roll's end: version, null map, fixed
 * area, offset table, then the variable data depth first. */
static gboolean
press_structure (AlloyBrioPresser *self, const AlloyBrioStructure *structure, JsonObject *object,
                 const Path *path, GError **error)
{
  GByteArray *roll = self->roll;
  gsize start = roll->len;
  guint n_relations = 0;
  const AlloyBrioRelation *const *relations =
      alloy_brio_structure_get_relations (structure, self->version, &n_relations);
  guint n_words = n_relations / 64 + 1;
  g_autofree guint64 *nulls = g_new0 (guint64, n_words);
  gsize nulls_at, table_at;
  guint n_variable = 0;

  append_i32 (roll, (gint32) self->version);
  nulls_at = roll->len;
  append_zeros (roll, 8 * n_words);

  for (guint i = 0; i < n_relations; i++)
    {
      const AlloyBrioRelation *relation = relations[i];
      JsonNode *node = json_object_get_member (object, relation->name);
      Path member_path = { path, relation->name, 0 };

      if (relation->form != ALLOY_BRIO_VALUE_SCALAR)
        {
          n_variable++;
          continue;
        }
      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        {
          /* A null scalar's slot holds zeros, never stale bytes. */
          nulls[relation->ordinal / 64] |= G_GUINT64_CONSTANT (1) << (relation->ordinal & 63);
          append_zeros (roll, alloy_brio_value_type_size (relation->value_type));
          continue;
        }
      if (!JSON_NODE_HOLDS_VALUE (node))
        return fail (error, ALLOY_BRIO_ERROR_ITEM, &member_path, "expected a %s value, got %s",
                     alloy_brio_value_type_to_string (relation->value_type),
                     describe_node (node));
      if (!append_value (self, relation->value_type, node, &member_path, error))
        return FALSE;
    }

  table_at = roll->len;
  append_zeros (roll, 4 * n_variable);
  for (guint i = 0, slot = 0; i < n_relations; i++)
    {
      const AlloyBrioRelation *relation = relations[i];
      JsonNode *node;
      Path member_path = { path, relation->name, 0 };

      if (relation->form == ALLOY_BRIO_VALUE_SCALAR)
        continue;
      /* Set before the value is looked at: a null relation has an entry
       * too, where its data would have started. */
      patch_i32 (roll, table_at + 4 * slot++, (gint32) (roll->len - start));
      node = json_object_get_member (object, relation->name);
      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        {
          nulls[relation->ordinal / 64] |= G_GUINT64_CONSTANT (1) << (relation->ordinal & 63);
          continue;
        }
      if (!press_variable (self, relation, node, &member_path, error))
        return FALSE;
    }

  for (guint w = 0; w < n_words; w++)
    patch_i64 (roll, nulls_at + 8 * w, nulls[w]);
  /* The root is left to the final check and its exact total. */
  return path == NULL || check_size (self, 0, path, error);
}

/* --- the presser ------------------------------------------------------ */

AlloyBrioPresser *
alloy_brio_presser_new (AlloyBrioSchema *schema, gint32 root_version, gsize item_max_bytes,
                        GError **error)
{
  AlloyBrioPresser *self;

  if (!alloy_brio_schema_check_pressable (schema, error))
    return NULL;
  self = g_new0 (AlloyBrioPresser, 1);
  self->schema = alloy_brio_schema_ref (schema);
  self->version = alloy_brio_schema_get_version_count (schema);
  self->root_version = root_version;
  self->item_max_bytes = item_max_bytes;
  self->dictionary = alloy_brio_dictionary_new (ALLOY_BRIO_DICTIONARY_DEFAULT_CAPACITY);
  self->roll = g_byte_array_new ();
  self->parser = json_parser_new_immutable ();
  return self;
}

void
alloy_brio_presser_free (AlloyBrioPresser *self)
{
  if (self == NULL)
    return;
  alloy_brio_schema_unref (self->schema);
  alloy_brio_dictionary_free (self->dictionary);
  g_byte_array_unref (self->roll);
  g_object_unref (self->parser);
  g_free (self);
}

GBytes *
alloy_brio_presser_press_node (AlloyBrioPresser *self, JsonNode *item, GError **error)
{
  gsize dict_size, total;
  guint8 *blob;
  guint32 le;

  if (!JSON_NODE_HOLDS_OBJECT (item))
    {
      fail (error, ALLOY_BRIO_ERROR_ITEM, NULL, "expected a %s object, got %s",
            alloy_brio_structure_get_name (alloy_brio_schema_get_root (self->schema)),
            describe_node (item));
      return NULL;
    }
  alloy_brio_dictionary_reset (self->dictionary);
  g_byte_array_set_size (self->roll, 0);
  if (!press_structure (self, alloy_brio_schema_get_root (self->schema),
                        json_node_get_object (item), NULL, error))
    return NULL;

  dict_size = alloy_brio_dictionary_get_size (self->dictionary);
  total = 16 + dict_size + self->roll->len;
  if (total > self->item_max_bytes || self->roll->len > G_MAXINT32)
    {
      fail (error, ALLOY_BRIO_ERROR_TOO_LARGE, NULL,
            "the blob would be %" G_GSIZE_FORMAT " bytes, over the item limit of %" G_GSIZE_FORMAT
            " bytes",
            total, self->item_max_bytes);
      return NULL;
    }

  blob = g_malloc (total);
  le = GUINT32_TO_LE (2);
  memcpy (blob, &le, 4);
  le = GUINT32_TO_LE ((guint32) self->root_version);
  memcpy (blob + 4, &le, 4);
  le = GUINT32_TO_LE ((guint32) dict_size);
  memcpy (blob + 8, &le, 4);
  alloy_brio_dictionary_write (self->dictionary, blob + 12);
  le = GUINT32_TO_LE ((guint32) self->roll->len);
  memcpy (blob + 12 + dict_size, &le, 4);
  memcpy (blob + 16 + dict_size, self->roll->data, self->roll->len);
  return g_bytes_new_take (blob, total);
}

static gboolean
is_json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* What json-glib 1.6 gets wrong, found in one pass over the bytes before
 * it parses them: it ignores whatever follows the root value, truncates a
 * string at a \u0000, mangles integers outside int64, and answers a NULL
 * root for empty input. The scan only follows strings, escapes and depth;
 * the rest of the syntax is json-glib's to check. */
static gboolean
scan_item (const char *json, gsize length, GError **error)
{
  gsize depth = 0;
  gboolean in_string = FALSE, seen = FALSE, closed = FALSE;
  char root = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = json[i];

      if (in_string)
        {
          if (c == '"')
            in_string = FALSE;
          else if (c == '\\')
            {
              if (length - i > 5 && memcmp (json + i + 1, "u0000", 5) == 0)
                return fail (error, ALLOY_BRIO_ERROR_ITEM, NULL,
                             "a NUL character (\\u0000) in a string at byte %" G_GSIZE_FORMAT
                             "; Brio strings cannot hold it", i);
              i++; /* the escaped character */
            }
          continue;
        }
      if (is_json_space (c))
        continue;
      if (closed)
        return fail (error, ALLOY_BRIO_ERROR_ITEM, NULL,
                     "data after the %s at byte %" G_GSIZE_FORMAT,
                     root == '{' ? "object" : "array", i);
      seen = TRUE;
      if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (depth++ == 0)
            root = c;
        }
      else if (c == '}' || c == ']')
        {
          if (depth > 0 && --depth == 0)
            closed = TRUE;
        }
      else if (c == '-' || g_ascii_isdigit (c))
        {
          /* A number: an integer (no '.', 'e', 'E') must fit in int64. */
          gsize start = i, digits_at = c == '-' ? i + 1 : i;
          gboolean integer = TRUE, overflow = FALSE;
          guint64 magnitude = 0;

          for (i = digits_at; i < length && (g_ascii_isdigit (json[i]) || json[i] == '.' ||
                                             json[i] == 'e' || json[i] == 'E' ||
                                             json[i] == '+' || json[i] == '-');
               i++)
            {
              guint digit = (guint) (json[i] - '0');

              if (!g_ascii_isdigit (json[i]))
                integer = FALSE;
              else if (magnitude > (G_MAXUINT64 - digit) / 10)
                overflow = TRUE;
              else
                magnitude = magnitude * 10 + digit;
            }
          if (integer && (overflow || magnitude > (guint64) G_MAXINT64 + (c == '-')))
            return fail (error, ALLOY_BRIO_ERROR_ITEM, NULL,
                         "an integer out of range at byte %" G_GSIZE_FORMAT, start);
          i--; /* the loop steps past the number's last byte */
        }
    }
  if (!seen)
    return fail (error, ALLOY_BRIO_ERROR_ITEM, NULL, "empty input");
  return TRUE;
}

GBytes *
alloy_brio_presser_press (AlloyBrioPresser *self, const char *json, gsize length, GError **error)
{
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!scan_item (json, length, error))
    return NULL;
  if (!json_parser_load_from_data (self->parser, json, (gssize) length, &parse_error))
    {
      fail (error, ALLOY_BRIO_ERROR_ITEM, NULL, "not JSON: %s", parse_error->message);
      return NULL;
    }
  /* Taken from the parser, so that the tree goes with this item instead of
   * living until the next one. */
  root = json_parser_steal_root (self->parser);
  if (root == NULL)
    {
      fail (error, ALLOY_BRIO_ERROR_ITEM, NULL, "empty input");
      return NULL;
    }
  return alloy_brio_presser_press_node (self, root, error);
}
