/* alloy-kubernetes-slices.c: EndpointSlice JSON and the peers it yields.
 *
 * Only the fields of discovery.md §6.4 are read. Every member is looked up
 * with its type checked, so a null or mistyped member reads as absent:
 * "endpoints": null and "ports": null are empty lists.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "alloy-kubernetes-slices.h"

#include <string.h>

static JsonNode *
get_member (JsonObject *object, const char *member, JsonNodeType type)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, member);
  if (node == NULL || JSON_NODE_TYPE (node) != type)
    return NULL;
  return node;
}

JsonObject *
kube_json_get_object (JsonObject *object, const char *member)
{
  JsonNode *node = get_member (object, member, JSON_NODE_OBJECT);

  return node ? json_node_get_object (node) : NULL;
}

static JsonArray *
get_array (JsonObject *object, const char *member)
{
  JsonNode *node = get_member (object, member, JSON_NODE_ARRAY);

  return node ? json_node_get_array (node) : NULL;
}

const char *
kube_json_get_string (JsonObject *object, const char *member)
{
  JsonNode *node = get_member (object, member, JSON_NODE_VALUE);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gint64
kube_json_get_int (JsonObject *object, const char *member, gint64 absent)
{
  JsonNode *node = get_member (object, member, JSON_NODE_VALUE);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return absent;
  return json_node_get_int (node);
}

/* A *bool condition: -1 when absent or null. */
static int
get_condition (JsonObject *conditions, const char *member)
{
  JsonNode *node = get_member (conditions, member, JSON_NODE_VALUE);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return -1;
  return json_node_get_boolean (node) ? 1 : 0;
}

const char *
kube_object_get_resource_version (JsonObject *object)
{
  return kube_json_get_string (kube_json_get_object (object, "metadata"), "resourceVersion");
}

const char *
kube_object_get_name (JsonObject *object)
{
  return kube_json_get_string (kube_json_get_object (object, "metadata"), "name");
}

JsonNode *
kube_json_parse (const char *data, gssize length, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, length, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "the document is not a JSON object");
      return NULL;
    }
  return json_node_ref (root);
}

static void
endpoint_free (KubeEndpoint *endpoint)
{
  g_free (endpoint->id);
  g_free (endpoint->host);
  g_free (endpoint->zone);
  g_free (endpoint);
}

void
kube_slice_free (KubeSlice *slice)
{
  g_free (slice->name);
  g_ptr_array_unref (slice->endpoints);
  g_free (slice);
}

/* The port named @port_name; an empty @port_name matches an unnamed port. */
static gboolean
find_port (JsonObject *object, const char *port_name, guint16 *out_port)
{
  JsonArray *ports = get_array (object, "ports");

  for (guint i = 0; ports != NULL && i < json_array_get_length (ports); i++)
    {
      JsonNode *node = json_array_get_element (ports, i);
      JsonObject *port;
      const char *name;
      gint64 number;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      port = json_node_get_object (node);
      name = kube_json_get_string (port, "name");
      if (g_strcmp0 (name ? name : "", port_name) != 0)
        continue;
      number = kube_json_get_int (port, "port", -1);
      if (number <= 0 || number > G_MAXUINT16)
        continue;
      *out_port = (guint16) number;
      return TRUE;
    }
  return FALSE;
}

static KubeEndpoint *
parse_endpoint (JsonObject *object)
{
  JsonArray *addresses = get_array (object, "addresses");
  JsonObject *conditions = kube_json_get_object (object, "conditions");
  const char *host = NULL;
  const char *id;
  KubeEndpoint *endpoint;
  int ready, serving, terminating;

  if (addresses != NULL && json_array_get_length (addresses) > 0)
    {
      JsonNode *node = json_array_get_element (addresses, 0);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        host = json_node_get_string (node);
    }
  if (host == NULL || *host == '\0')
    return NULL;
  id = kube_json_get_string (kube_json_get_object (object, "targetRef"), "name");
  if (id == NULL || *id == '\0')
    id = kube_json_get_string (object, "hostname");

  /* nil ready means true; nil serving follows ready; nil terminating is
   * false (discovery.md §6.3). */
  ready = get_condition (conditions, "ready");
  serving = get_condition (conditions, "serving");
  terminating = get_condition (conditions, "terminating");
  endpoint = g_new0 (KubeEndpoint, 1);
  endpoint->host = g_strdup (host);
  endpoint->id = (id != NULL && *id != '\0') ? g_strdup (id) : NULL;
  endpoint->zone = g_strdup (kube_json_get_string (object, "zone"));
  endpoint->ready = ready != 0;
  endpoint->serving = serving >= 0 ? serving == 1 : endpoint->ready;
  endpoint->terminating = terminating == 1;
  return endpoint;
}

KubeSlice *
kube_slice_parse (JsonObject *object, const char *port_name, GError **error)
{
  const char *name = kube_object_get_name (object);
  const char *address_type = kube_json_get_string (object, "addressType");
  g_autoptr(KubeSlice) slice = NULL;
  JsonArray *endpoints;

  if (name == NULL || *name == '\0')
    {
      g_set_error_literal (error, ALLOY_DISCOVERY_ERROR, ALLOY_DISCOVERY_ERROR_MALFORMED,
                           "an EndpointSlice without metadata.name");
      return NULL;
    }
  slice = g_new0 (KubeSlice, 1);
  slice->name = g_strdup (name);
  slice->endpoints = g_ptr_array_new_with_free_func ((GDestroyNotify) endpoint_free);
  slice->fqdn = g_strcmp0 (address_type, "FQDN") == 0;
  if (g_strcmp0 (address_type, "IPv4") != 0 && g_strcmp0 (address_type, "IPv6") != 0)
    return g_steal_pointer (&slice);
  if (!find_port (object, port_name, &slice->port))
    return g_steal_pointer (&slice);
  slice->usable = TRUE;
  endpoints = get_array (object, "endpoints");
  for (guint i = 0; endpoints != NULL && i < json_array_get_length (endpoints); i++)
    {
      JsonNode *node = json_array_get_element (endpoints, i);
      KubeEndpoint *endpoint;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      endpoint = parse_endpoint (json_node_get_object (node));
      if (endpoint != NULL)
        g_ptr_array_add (slice->endpoints, endpoint);
    }
  return g_steal_pointer (&slice);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

GPtrArray *
kube_slices_to_peers (GHashTable *slices, gboolean include_not_serving,
                      gboolean include_terminating)
{
  GPtrArray *peers = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_peer_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree gpointer *names = NULL;
  guint n_names = 0;

  /* Slice name order, so that a duplicate resolves the same way each time. */
  names = g_hash_table_get_keys_as_array (slices, &n_names);
  qsort (names, n_names, sizeof (gpointer), compare_names);
  for (guint i = 0; i < n_names; i++)
    {
      KubeSlice *slice = g_hash_table_lookup (slices, names[i]);

      if (!slice->usable)
        continue;
      for (guint j = 0; j < slice->endpoints->len; j++)
        {
          KubeEndpoint *endpoint = g_ptr_array_index (slice->endpoints, j);
          AlloyPeer *peer;

          if (!endpoint->serving && !include_not_serving)
            continue;
          if (endpoint->terminating && !include_terminating)
            continue;
          if (!g_hash_table_add (seen, g_strdup_printf ("%s|%u", endpoint->host, slice->port)))
            continue;
          peer = alloy_peer_new (endpoint->id, endpoint->host, slice->port);
          peer->zone = g_strdup (endpoint->zone);
          peer->ready = endpoint->ready;
          peer->serving = endpoint->serving;
          peer->terminating = endpoint->terminating;
          g_ptr_array_add (peers, peer);
        }
    }
  return peers;
}
