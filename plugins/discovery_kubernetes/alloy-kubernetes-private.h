/* alloy-kubernetes-private.h: the instance, shared by the plugin's files.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <alloy/alloy.h>
#include <libsoup/soup.h>

#include "alloy-kubernetes-slices.h"

G_BEGIN_DECLS

#define SERVICEACCOUNT_DIR "/var/run/secrets/kubernetes.io/serviceaccount"
#define SLICES_API "/apis/discovery.k8s.io/v1/namespaces/%s/endpointslices"

struct _AlloyKubernetesDiscovery {
  GObject parent_instance;

  /* Configuration. */
  char *api_server; /* scheme://host:port, without a trailing slash */
  char *ca_file;    /* NULL: the system's trust store */
  char *token_file; /* NULL: no Authorization header */
  char *namespace_;     /* NULL: read namespace_file at start */
  char *namespace_file;
  char *service;
  char *port_name;
  gboolean include_not_serving;
  gboolean include_terminating;
  gint64 backoff_initial_ms;
  gint64 backoff_max_ms;

  /* Running. */
  char *list_url;
  SoupSession *session;
  GCancellable *cancellable;
  guint timer_id;
  gint64 backoff_ms;
  GHashTable *slices; /* name -> KubeSlice */
  char *resource_version; /* of the last list or event; NULL: relist */
  GDataInputStream *watch; /* the open watch stream */
  gboolean fqdn_logged;
};

#define ALLOY_TYPE_KUBERNETES_DISCOVERY (alloy_kubernetes_discovery_get_type ())
G_DECLARE_FINAL_TYPE (AlloyKubernetesDiscovery, alloy_kubernetes_discovery, ALLOY,
                      KUBERNETES_DISCOVERY, GObject)

/* alloy-kubernetes-watch.c: the LIST/WATCH cycle, on the core context. */
void kube_watch_begin (AlloyKubernetesDiscovery *self);
void kube_watch_retry_now (AlloyKubernetesDiscovery *self);
void kube_watch_close (AlloyKubernetesDiscovery *self);

G_END_DECLS
