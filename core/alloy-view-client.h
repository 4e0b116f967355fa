/* alloy-view-client.h: the cell supervisor's side of the sample-store API:
 * one getViewGenerator call over a connected stream, checked as a Burst
 * cell checks the answer (the reference's §4, Thrift time).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-view.h"

#include <gio/gio.h>

G_BEGIN_DECLS

#define ALLOY_VIEW_CLIENT_ERROR (alloy_view_client_error_quark ())
ALLOY_INTERNAL
GQuark alloy_view_client_error_quark (void);

/* Besides these, a reply that does not decode or breaks the codec's rules
 * (seqid echo, required fields) fails in ALLOY_THRIFT_ERROR, and I/O in
 * G_IO_ERROR or ALLOY_FRAME_ERROR. */
typedef enum {
  /* context.state is not success: "Got <state> from samplestore master:
   * <message>" */
  ALLOY_VIEW_CLIENT_ERROR_STATE,
  /* "Got no loci from sample store supervisor" */
  ALLOY_VIEW_CLIENT_ERROR_NO_LOCI,
  /* "no motif filter!" */
  ALLOY_VIEW_CLIENT_ERROR_NO_MOTIF_FILTER,
  /* no reply within the timeout */
  ALLOY_VIEW_CLIENT_ERROR_TIMEOUT,
  /* the server closed the connection without a reply */
  ALLOY_VIEW_CLIENT_ERROR_CLOSED,
} AlloyViewClientError;

/* The cell's Finagle client gives a request 5 minutes. */
#define ALLOY_VIEW_CLIENT_DEFAULT_TIMEOUT_MS (5u * 60 * 1000)

/* A new Burst-style uid: "B" and 32 upper-case hex digits (33 chars). */
ALLOY_INTERNAL
char *alloy_burst_uid_new (void);

/* Sends @request as a getViewGenerator CALL with a random seqid on
 * @stream, reads one reply frame and checks it. @timeout_ms (0: the
 * default) bounds the whole exchange. On the thread-default main context.
 * The stream is left mid-frame after a timeout or a cancellation: close
 * it then. */
ALLOY_INTERNAL
void alloy_view_client_call_async (GIOStream *stream, const AlloyViewRequest *request,
                                   guint timeout_ms, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
/* The answer: state success, a non-empty loci array and a motif filter. */
ALLOY_INTERNAL
AlloyViewAnswer *alloy_view_client_call_finish (GIOStream *stream, GAsyncResult *result,
                                                GError **error);

/* The checks the cell makes on a decoded answer, in its order. */
ALLOY_INTERNAL
gboolean alloy_view_client_check_answer (const AlloyViewAnswer *answer, GError **error);

G_END_DECLS
