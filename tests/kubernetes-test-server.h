/* kubernetes-test-server.h: a fake Kubernetes API server on 127.0.0.1 for
 * the discovery_kubernetes tests: TLS with a certificate made at run time,
 * the EndpointSlice LIST, and each WATCH held open as a chunked stream the
 * test feeds event by event.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Where the plugin lists the slices of service alloy-peers in namespace
 * alloy; anything else is a 404. */
#define SLICES_PATH "/apis/discovery.k8s.io/v1/namespaces/alloy/endpointslices" \
                    "?labelSelector=kubernetes.io%2Fservice-name%3Dalloy-peers"

typedef struct {
  GSocketService *service;
  GTlsCertificate *certificate;
  guint16 port;
  char *token;          /* the one accepted */
  char *list_body;
  guint next_watch_status; /* answered once instead of a stream, or 0 */
  char *token_file;     /* rewritten with token on a 401, when set */
  GPtrArray *requests;  /* "list" or "watch RV" */
  GPtrArray *unauthorized; /* the tokens refused */
  GIOStream *watch;     /* the open watch stream */
  GPtrArray *connections;
} FakeApi;

/* Serves with CERT_DIR/crt.pem and key.pem on a free loopback port. */
FakeApi *fake_api_new (const char *cert_dir);
void fake_api_free (FakeApi *api);
/* Sends @text as one chunk of the open watch. */
void fake_api_watch_chunk (FakeApi *api, const char *text);
/* One watch event: @json and a newline. */
void fake_api_watch_event (FakeApi *api, const char *json);
/* The zero-length chunk: a clean end of the watch. */
void fake_api_watch_end (FakeApi *api);

G_END_DECLS
