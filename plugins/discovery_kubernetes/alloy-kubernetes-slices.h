/* alloy-kubernetes-slices.h: EndpointSlice JSON and the peers it yields.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <alloy/alloy.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One endpoint of a slice that has the wanted port. */
typedef struct {
  char *id; /* targetRef.name, else hostname, else NULL */
  char *host; /* addresses[0] */
  char *zone;
  gboolean ready;
  gboolean serving;
  gboolean terminating;
} KubeEndpoint;

typedef struct {
  char *name;
  gboolean usable; /* an IPv4/IPv6 slice that has the named port */
  gboolean fqdn;
  guint16 port;
  GPtrArray *endpoints; /* KubeEndpoint */
} KubeSlice;

void kube_slice_free (KubeSlice *slice);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KubeSlice, kube_slice_free)

/* Parses an EndpointSlice object; fails only when it has no name. */
KubeSlice *kube_slice_parse (JsonObject *object, const char *port_name, GError **error);

/* metadata.resourceVersion and metadata.name of @object, or NULL. */
const char *kube_object_get_resource_version (JsonObject *object);
const char *kube_object_get_name (JsonObject *object);

/* Parses @length bytes of JSON whose root must be an object. */
JsonNode *kube_json_parse (const char *data, gssize length, GError **error);

/* The peers of every usable slice, deduplicated by (host, port), in slice
 * name order. Endpoints that are not serving (serving, else ready) or that
 * are terminating are left out unless asked for. */
GPtrArray *kube_slices_to_peers (GHashTable *slices, gboolean include_not_serving,
                                 gboolean include_terminating);

/* Reads a member of @object, or NULL/-1 when absent, null or mistyped. */
JsonObject *kube_json_get_object (JsonObject *object, const char *member);
const char *kube_json_get_string (JsonObject *object, const char *member);
gint64 kube_json_get_int (JsonObject *object, const char *member, gint64 absent);

G_END_DECLS
