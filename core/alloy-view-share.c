/* alloy-view-share.c: the serving side of a view: what one locus streams,
 * read back from the partition properties a Nexus Initiate brings (written
 * by alloy-view-plan.c). Unknown members and malformed values are refused:
 * a share this peer cannot honour must fail the stream rather than deliver
 * other items.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-view-plan.h"

#include <string.h>

#include <json-glib/json-glib.h>

static void
slice_free (AlloyViewSlice *slice)
{
  g_free (slice->partition);
  g_free (slice->digest);
  g_free (slice);
}

void
alloy_view_share_free (AlloyViewShare *share)
{
  if (share == NULL)
    return;
  g_free (share->dataset);
  g_free (share->schema);
  g_free (share->generation);
  g_clear_pointer (&share->slices, g_ptr_array_unref);
  g_free (share);
}

static gboolean
is_sha256_hex (const char *text)
{
  gsize i;

  for (i = 0; text[i] != '\0'; i++)
    if (!g_ascii_isdigit (text[i]) && !(text[i] >= 'a' && text[i] <= 'f'))
      return FALSE;
  return i == 64;
}

static const char *
get_required (GHashTable *properties, const char *key, GError **error)
{
  const char *value = g_hash_table_lookup (properties, key);

  if (value == NULL || *value == '\0')
    alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID, "partition property %s is %s", key,
          value == NULL ? "missing" : "empty");
  return value != NULL && *value != '\0' ? value : NULL;
}

/* Plain decimal digits only: no sign, no space, no base prefix. */
static gboolean
get_decimal (GHashTable *properties, const char *key, guint64 min, guint64 max, guint64 *out,
             GError **error)
{
  const char *value = get_required (properties, key, error);

  if (value == NULL)
    return FALSE;
  if (strspn (value, "0123456789") != strlen (value) ||
      !g_ascii_string_to_unsigned (value, 10, min, max, out, NULL))
    {
      alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID,
            "partition property %s is '%s': expected a decimal integer from %" G_GUINT64_FORMAT
            " to %" G_GUINT64_FORMAT,
            key, value, min, max);
      return FALSE;
    }
  return TRUE;
}

static const char *
node_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* JSON integers only: 2.0 and "2" are refused. */
static gint64
node_int (JsonNode *node, gint64 otherwise)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return otherwise;
  return json_node_get_int (node);
}

/* Unknown members are refused: a newer planner's slice that this peer
 * cannot honour must fail the stream rather than deliver the wrong items. */
static AlloyViewSlice *
parse_slice (JsonNode *node, guint index, GError **error)
{
  static const char *const members[] = { "id", "digest", "modulus", "residue", NULL };
  g_autoptr(GList) names = NULL;
  const char *id, *digest, *member = NULL, *must = NULL, *unknown = NULL;
  char range[64];
  JsonObject *object;
  gint64 modulus, residue;
  AlloyViewSlice *slice;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID, "partition property %s: slice %u is no object",
                 ALLOY_VIEW_KEY_PARTITIONS, index);
  object = json_node_get_object (node);
  names = json_object_get_members (object);
  for (GList *l = names; l != NULL && unknown == NULL; l = l->next)
    if (!g_strv_contains (members, l->data))
      unknown = l->data;
  if (unknown != NULL)
    return alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID,
                 "partition property %s: slice %u: unknown member \"%s\"",
                 ALLOY_VIEW_KEY_PARTITIONS, index, unknown);

  id = node_string (json_object_get_member (object, "id"));
  digest = node_string (json_object_get_member (object, "digest"));
  modulus = node_int (json_object_get_member (object, "modulus"), 0);
  residue = node_int (json_object_get_member (object, "residue"), -1);
  if (id == NULL || *id == '\0')
    member = "id", must = "a non-empty string";
  else if (digest == NULL || !is_sha256_hex (digest))
    member = "digest", must = "a SHA-256 in lower-case hex";
  else if (modulus < 1 || modulus > G_MAXINT32)
    member = "modulus", must = "an integer from 1 to 2147483647";
  else if (residue < 0 || residue >= modulus)
    {
      g_snprintf (range, sizeof range, "an integer from 0 to %" G_GINT64_FORMAT, modulus - 1);
      member = "residue", must = range;
    }
  if (member != NULL)
    return alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID,
                 "partition property %s: slice %u: \"%s\" must be %s", ALLOY_VIEW_KEY_PARTITIONS,
                 index, member, must);

  slice = g_new0 (AlloyViewSlice, 1);
  slice->partition = g_strdup (id);
  slice->digest = g_strdup (digest);
  slice->modulus = (guint) modulus;
  slice->residue = (guint) residue;
  return slice;
}

static GPtrArray *
parse_slices (const char *text, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) slices = g_ptr_array_new_with_free_func ((GDestroyNotify) slice_free);
  g_autoptr(GError) local = NULL;
  JsonNode *root;
  JsonArray *array;

  if (!json_parser_load_from_data (parser, text, -1, &local))
    return alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID, "partition property %s is not JSON: %s",
                 ALLOY_VIEW_KEY_PARTITIONS, local->message);
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID, "partition property %s is no JSON array",
                 ALLOY_VIEW_KEY_PARTITIONS);
  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      AlloyViewSlice *slice = parse_slice (json_array_get_element (array, i), i, error);

      if (slice == NULL)
        return NULL;
      g_ptr_array_add (slices, slice);
    }
  return g_steal_pointer (&slices);
}

AlloyViewShare *
alloy_view_share_parse (GHashTable *partition_properties, GError **error)
{
  g_autoptr(AlloyViewShare) share = g_new0 (AlloyViewShare, 1);
  GHashTable *p = partition_properties;
  const char *dataset, *schema, *generation, *partitions;
  guint64 root_version, loci_count, skip_index;

  if ((dataset = get_required (p, ALLOY_VIEW_KEY_DATASET, error)) == NULL ||
      (schema = get_required (p, ALLOY_VIEW_KEY_SCHEMA, error)) == NULL ||
      !get_decimal (p, ALLOY_VIEW_KEY_ROOT_VERSION, 1, G_MAXINT32, &root_version, error) ||
      !get_decimal (p, ALLOY_VIEW_KEY_LOCI_COUNT, 1, G_MAXINT32, &loci_count, error) ||
      !get_decimal (p, ALLOY_VIEW_KEY_SKIP_INDEX, 0, loci_count - 1, &skip_index, error) ||
      (generation = get_required (p, ALLOY_VIEW_KEY_GENERATION, error)) == NULL ||
      (partitions = get_required (p, ALLOY_VIEW_KEY_PARTITIONS, error)) == NULL)
    return NULL;
  if (!is_sha256_hex (generation))
    return alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID,
                 "partition property %s is '%s': expected a SHA-256 in lower-case hex",
                 ALLOY_VIEW_KEY_GENERATION, generation);

  share->slices = parse_slices (partitions, error);
  if (share->slices == NULL)
    return NULL;
  share->dataset = g_strdup (dataset);
  share->schema = g_strdup (schema);
  share->root_version = (gint32) root_version;
  share->skip_index = (guint) skip_index;
  share->loci_count = (guint) loci_count;
  share->generation = g_strdup (generation);
  return g_steal_pointer (&share);
}
