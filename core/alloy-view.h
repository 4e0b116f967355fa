/* alloy-view.h: the sample-store API's values: a view request, a locus, an
 * answer; the protocol-neutral form of what getViewGenerator carries.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

/* BurstSampleStoreApiRequestState. */
typedef enum {
  ALLOY_VIEW_STATE_SUCCESS = 0,
  ALLOY_VIEW_STATE_TIMEOUT = 1,
  ALLOY_VIEW_STATE_EXCEPTION = 2,
  ALLOY_VIEW_STATE_INVALID = 3,
  ALLOY_VIEW_STATE_NOT_READY = 4,
} AlloyViewState;

/* The generation hash of a failed answer, as Burst's Java store sends it. */
#define ALLOY_VIEW_NO_HASH "NO_HASH"

/* A locus's suid comes back as a Nexus header string: at most 127 bytes. */
#define ALLOY_VIEW_SUID_MAX 127

/**
 * AlloyViewRequest:
 * @guid: the slice guid (getViewGenerator's first argument)
 * @domain_key: dataSource.domain.domainKey
 * @domain_properties: dataSource.domain.domainProperties (string to string)
 * @view_key: dataSource.view.viewKey
 * @schema_name: the Brio schema's name
 * @view_motif: the motif text, echoed as the answer's motif filter
 * @store_properties: dataSource.view.storeProperties
 * @view_properties: dataSource.view.viewProperties
 *
 * One getViewGenerator call. Every string is non-NULL and every table
 * exists (possibly empty) once decoded.
 */
typedef struct {
  char *guid;
  gint64 domain_key;
  GHashTable *domain_properties;
  gint64 view_key;
  char *schema_name;
  char *view_motif;
  GHashTable *store_properties;
  GHashTable *view_properties;
} AlloyViewRequest;

/* All strings empty, all tables empty. */
ALLOY_INTERNAL
AlloyViewRequest *alloy_view_request_new (void);
ALLOY_INTERNAL
void alloy_view_request_free (AlloyViewRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyViewRequest, alloy_view_request_free)

/**
 * AlloyLocus:
 * @suid: the stream uid the cell sends back in the Nexus header
 * @host_address: what a cell worker connects to: an IP literal, or
 *   `unix:PATH` for a peer reached over a unix socket (alloy fetch only)
 * @host_name: informational
 * @port: the peer's Nexus port (0 with a unix socket)
 * @partition_properties: everything the serving peer needs (string to
 *   string); the cell sends it back in the Nexus Initiate
 */
typedef struct {
  char *suid;
  char *host_address;
  char *host_name;
  gint32 port;
  GHashTable *partition_properties;
} AlloyLocus;

ALLOY_INTERNAL
AlloyLocus *alloy_locus_new (const char *suid, const char *host_address, const char *host_name,
                             gint32 port);
ALLOY_INTERNAL
void alloy_locus_free (AlloyLocus *locus);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyLocus, alloy_locus_free)

/**
 * AlloyViewAnswer:
 * @guid: the request's guid
 * @state: the request state
 * @message: "OK", or what went wrong
 * @generation_hash: the view's generation, or ALLOY_VIEW_NO_HASH
 * @loci: (nullable): AlloyLocus, non-empty on success, NULL on failure
 * @motif_filter: (nullable): the view's motif on success, NULL on failure
 *
 * BurstSampleStoreApiViewGenerator.
 */
typedef struct {
  char *guid;
  AlloyViewState state;
  char *message;
  char *generation_hash;
  GPtrArray *loci;
  char *motif_filter;
} AlloyViewAnswer;

/* A success: state 0, "OK", an empty loci array to fill. */
ALLOY_INTERNAL
AlloyViewAnswer *alloy_view_answer_new_success (const char *guid, const char *generation_hash,
                                                const char *motif_filter);
/* A failure: @state (not SUCCESS), @message, NO_HASH, no loci, no filter. */
ALLOY_INTERNAL
AlloyViewAnswer *alloy_view_answer_new_failure (const char *guid, AlloyViewState state,
                                                const char *message);
ALLOY_INTERNAL
void alloy_view_answer_free (AlloyViewAnswer *answer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyViewAnswer, alloy_view_answer_free)

/* "Success", "Timeout", "Exception", "Invalid", "NotReady", or "state N". */
ALLOY_INTERNAL
const char *alloy_view_state_to_string (gint32 state);

/* A new string-to-string table (keys and values owned). */
ALLOY_INTERNAL
GHashTable *alloy_view_properties_new (void);

G_END_DECLS
