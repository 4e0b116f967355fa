/* alloy-nexus-stream.h: one Nexus stream: a locus's share of a dataset,
 * read and pressed on the source's pool, sent as parcels between
 * heartbeats, ended by exactly one Complete.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-connection.h"
#include "alloy-nexus-message.h"
#include "alloy-source.h"

G_BEGIN_DECLS

typedef struct _AlloyNexusStream AlloyNexusStream;

/* Called on the main context once the stream's Complete is queued (or the
 * connection is gone): the connection may take the next Initiate. */
typedef void (*AlloyNexusStreamDone) (AlloyNexusStream *stream, gpointer user_data);

/* Sends Initiated and the first heartbeat at once, then checks the
 * request and queues the work on @source's pool. @initiate is the client's
 * message. The stream holds @connection until it is done. */
ALLOY_INTERNAL
AlloyNexusStream *alloy_nexus_stream_start (AlloySource *source, AlloyConnection *connection,
                                            AlloyNexusVariant variant,
                                            const AlloyNexusMessage *initiate,
                                            AlloyNexusStreamDone done, gpointer user_data);
/* The client's StreamAbort: the work stops, Complete(Abort) ends it. */
ALLOY_INTERNAL
void alloy_nexus_stream_abort (AlloyNexusStream *stream);
/* The connection is gone: the work stops, nothing more is sent, and @done
 * is not called. */
ALLOY_INTERNAL
void alloy_nexus_stream_cancel (AlloyNexusStream *stream);
/* TRUE once the Complete is queued (a request that failed its checks is
 * complete when start returns). */
ALLOY_INTERNAL
gboolean alloy_nexus_stream_is_complete (AlloyNexusStream *stream);
ALLOY_INTERNAL
gboolean alloy_nexus_stream_matches (AlloyNexusStream *stream, const char *guid,
                                     const char *suid);
ALLOY_INTERNAL
AlloyNexusStream *alloy_nexus_stream_ref (AlloyNexusStream *stream);
ALLOY_INTERNAL
void alloy_nexus_stream_unref (AlloyNexusStream *stream);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyNexusStream, alloy_nexus_stream_unref)

G_END_DECLS
