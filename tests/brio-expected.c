/* brio-expected.c: what a pressed item must decode to, computed from the
 * JSON and the schema without pressing: the mapping rules of docs/brio.md
 * (unknown members and nulls dropped, scalars coerced, long vectors sorted,
 * map values as text).
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "brio-expected.h"

#include "alloy-brio-coerce.h"

static gint
compare_long_nodes (gconstpointer a, gconstpointer b)
{
  gint64 x = json_node_get_int (*(JsonNode *const *) a);
  gint64 y = json_node_get_int (*(JsonNode *const *) b);

  return (x > y) - (x < y);
}

static JsonNode *
expected_value (AlloyBrioValueType type, JsonNode *node)
{
  JsonNode *out = json_node_alloc ();
  g_autofree char *text = NULL;

  switch (type)
    {
    case ALLOY_BRIO_BOOLEAN:
      return json_node_init_boolean (out, alloy_brio_coerce_boolean (node));
    case ALLOY_BRIO_BYTE:
      return json_node_init_int (out, (gint8) alloy_brio_coerce_int (node));
    case ALLOY_BRIO_SHORT:
      return json_node_init_int (out, (gint16) alloy_brio_coerce_int (node));
    case ALLOY_BRIO_INTEGER:
      return json_node_init_int (out, alloy_brio_coerce_int (node));
    case ALLOY_BRIO_LONG:
      return json_node_init_int (out, alloy_brio_coerce_long (node));
    case ALLOY_BRIO_DOUBLE:
      return json_node_init_double (out, alloy_brio_coerce_double (node));
    default:
      text = alloy_brio_coerce_text (node);
      return json_node_init_string (out, text);
    }
}

JsonNode *
brio_expected_item (const AlloyBrioSchema *schema, const AlloyBrioStructure *structure,
                    JsonNode *item)
{
  guint version = alloy_brio_schema_get_version_count (schema);
  g_autoptr(JsonObject) out = json_object_new ();
  JsonObject *in = json_node_get_object (item);
  guint n = 0;
  const AlloyBrioRelation *const *relations =
      alloy_brio_structure_get_relations (structure, version, &n);

  for (guint i = 0; i < n; i++)
    {
      const AlloyBrioRelation *relation = relations[i];
      JsonNode *node = json_object_get_member (in, relation->name);
      JsonNode *value = NULL;

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      switch (relation->form)
        {
        case ALLOY_BRIO_VALUE_SCALAR:
          value = expected_value (relation->value_type, node);
          break;
        case ALLOY_BRIO_VALUE_VECTOR:
          {
            JsonArray *elements = json_node_get_array (node);
            g_autoptr(GPtrArray) nodes = g_ptr_array_new ();
            g_autoptr(JsonArray) array = json_array_new ();

            for (guint e = 0; e < json_array_get_length (elements); e++)
              g_ptr_array_add (nodes, expected_value (relation->value_type,
                                                      json_array_get_element (elements, e)));
            if (relation->value_type == ALLOY_BRIO_LONG)
              g_ptr_array_sort (nodes, compare_long_nodes);
            for (guint e = 0; e < nodes->len; e++)
              json_array_add_element (array, g_ptr_array_index (nodes, e));
            value = json_node_init_array (json_node_alloc (), array);
            break;
          }
        case ALLOY_BRIO_VALUE_MAP:
          {
            g_autoptr(JsonObject) map = json_object_new ();
            JsonObjectIter iter;
            const char *name;
            JsonNode *entry;

            json_object_iter_init (&iter, json_node_get_object (node));
            while (json_object_iter_next (&iter, &name, &entry))
              {
                g_autofree char *key = NULL;
                gint64 number = 0;

                if (relation->value_type == ALLOY_BRIO_LONG)
                  {
                    g_ascii_string_to_signed (name, 10, G_MININT64, G_MAXINT64, &number, NULL);
                    key = g_strdup_printf ("%" G_GINT64_FORMAT, number);
                  }
                else
                  key = g_strdup (name);
                json_object_set_member (map, key,
                                        expected_value (relation->map_value_type, entry));
              }
            value = json_node_init_object (json_node_alloc (), map);
            break;
          }
        case ALLOY_BRIO_REFERENCE_SCALAR:
          value = brio_expected_item (schema, relation->structure, node);
          break;
        case ALLOY_BRIO_REFERENCE_VECTOR:
          {
            JsonArray *members = json_node_get_array (node);
            g_autoptr(JsonArray) array = json_array_new ();

            for (guint m = 0; m < json_array_get_length (members); m++)
              json_array_add_element (array,
                                      brio_expected_item (schema, relation->structure,
                                                          json_array_get_element (members, m)));
            value = json_node_init_array (json_node_alloc (), array);
            break;
          }
        default:
          g_assert_not_reached ();
        }
      json_object_set_member (out, relation->name, value);
    }
  return json_node_init_object (json_node_alloc (), out);
}
