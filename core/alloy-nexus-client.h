/* alloy-nexus-client.h: the cell worker's side of Nexus: streams of one
 * locus each over a connected stream, with every rule a cell applies (the
 * reference's §4, Nexus time) enforced and named.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-nexus-message.h"
#include "alloy-view.h"

#include <gio/gio.h>

G_BEGIN_DECLS

/* The cell's limits: Initiated within 25 s (50 × 500 ms), then a message
 * at least every 30 s (3 × its heartbeat interval). */
#define ALLOY_NEXUS_CLIENT_INITIATED_TIMEOUT_MS 25000u
#define ALLOY_NEXUS_CLIENT_IDLE_TIMEOUT_MS 30000u

/**
 * AlloyNexusResult:
 * @completed: a Complete arrived (the fields from it are valid)
 * @status: Complete.status
 * @item_count: Complete.itemCount
 * @expected_count: Complete.expectedItemCount
 * @potential_count: Complete.potentialItemCount
 * @rejected_count: Complete.rejectedItemCount
 * @parcels: parcels received
 * @blobs: blobs received (the sum of the parcels' bufferCounts)
 * @blob_bytes: the blobs' bytes (without their size fields)
 * @inflated_bytes: the parcels' inflated bytes (size fields included)
 * @heartbeats: heartbeats received
 * @unknown_messages: frames of an unknown type, dropped as a cell does
 *
 * What one stream delivered; filled as far as it went when it failed.
 */
typedef struct {
  gboolean completed;
  gint32 status;
  gint64 item_count;
  gint64 expected_count;
  gint64 potential_count;
  gint64 rejected_count;
  guint64 parcels;
  guint64 blobs;
  guint64 blob_bytes;
  guint64 inflated_bytes;
  guint64 heartbeats;
  guint64 unknown_messages;
} AlloyNexusResult;

/* Called with each parcel's blobs (GBytes) as it arrives, checked. */
typedef void (*AlloyNexusParcelFunc) (GPtrArray *blobs, gpointer user_data);

#define ALLOY_TYPE_NEXUS_CLIENT (alloy_nexus_client_get_type ())
ALLOY_INTERNAL
G_DECLARE_FINAL_TYPE (AlloyNexusClient, alloy_nexus_client, ALLOY, NEXUS_CLIENT, GObject)

/* A client on @stream (referenced) that writes and expects @variant (OLD
 * or TRACE). Lives on the thread-default main context of its creation. */
ALLOY_INTERNAL
AlloyNexusClient *alloy_nexus_client_new (GIOStream *stream, AlloyNexusVariant variant);

/* 0 keeps a value; the defaults are the cell's. */
ALLOY_INTERNAL
void alloy_nexus_client_set_timeouts (AlloyNexusClient *self, guint initiated_ms, guint idle_ms);

/* Why the connection cannot carry another stream (a broken rule in the
 * middle of a stream, a timeout, a message after a Complete, the server
 * closing, an I/O error), or NULL while it can. */
ALLOY_INTERNAL
const GError *alloy_nexus_client_get_error (AlloyNexusClient *self);

/* Stops reading and fails a running stream with G_IO_ERROR_CLOSED. The
 * stream itself is the owner's to close. */
ALLOY_INTERNAL
void alloy_nexus_client_close (AlloyNexusClient *self);

/* The Initiate a cell worker sends for @locus: @guid, the locus's suid
 * and partition properties, @schema, @filter (the motif filter), @slice_key
 * and the host names (this host's; the locus's). */
ALLOY_INTERNAL
AlloyNexusMessage *alloy_nexus_initiate_new_for_locus (gint32 ruid, const char *guid,
                                                       const AlloyLocus *locus,
                                                       const char *schema, const char *filter,
                                                       gint64 slice_key);

/* Sends @initiate (an INITIATE message) and reads its stream to its
 * Complete, calling @parcel_func with each parcel's blobs. One stream at a
 * time per client; after a successful one (and after one whose Complete
 * reported a failure or a bad count), the connection may carry another.
 *
 * Errors: ALLOY_NEXUS_ERROR_TIMEOUT (no Initiated within the Initiated
 * timeout; no message within the idle timeout: SAMPLE_STORE_STREAM_TIMEOUT),
 * ALLOY_NEXUS_ERROR_STREAM_FAILED (Complete -300
 * SAMPLE_STORE_STREAM_EXCEPTION, -600 SAMPLE_STORE_STREAM_ABORT, -200
 * SAMPLE_STORE_STREAM_TIMEOUT), ALLOY_NEXUS_ERROR_PROTOCOL (every other
 * rule: CROSSED_NEXUS_STREAMS, INITIATED_ECHO, INITIATED_FIRST,
 * HEARTBEAT_STATUS, EMPTY_PARCEL, BAD_PARCEL, COMPLETE_STATUS,
 * SAMPLE_STORE_STREAM_INCOMPLETE, WRONG_VARIANT, UNEXPECTED_MESSAGE,
 * AFTER_COMPLETE, STREAM_CLOSED, UID_LENGTH), ALLOY_NEXUS_ERROR_MALFORMED, and I/O
 * errors. Each message starts with the rule's name. */
ALLOY_INTERNAL
void alloy_nexus_client_stream_async (AlloyNexusClient *self, const AlloyNexusMessage *initiate,
                                      AlloyNexusParcelFunc parcel_func, gpointer parcel_data,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data);
/* @out_result (nullable) is filled on success and on failure alike. */
ALLOY_INTERNAL
gboolean alloy_nexus_client_stream_finish (AlloyNexusClient *self, GAsyncResult *result,
                                           AlloyNexusResult *out_result, GError **error);

/* "End", "NoData", "Exception", "Abort", "Timeout", "Heartbeat",
 * "Normal", or NULL for another value. */
ALLOY_INTERNAL
const char *alloy_nexus_status_to_string (gint32 status);

G_END_DECLS
