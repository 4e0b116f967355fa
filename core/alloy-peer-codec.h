/* alloy-peer-codec.h: Alloy's peer API, getInventory, in Thrift's framed
 * binary protocol (core/thrift/peer.thrift), both directions. Errors are
 * in ALLOY_THRIFT_ERROR, with the codes and rules of alloy-thrift-codec.h.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-inventory.h"
#include "alloy-thrift-codec.h"

G_BEGIN_DECLS

#define ALLOY_PEER_METHOD "getInventory"

/* Peer calls come to the Nexus port. A strict Thrift message starts with
 * the version word 0x8001; a Nexus frame starts with 0x00 (the old framing)
 * or 0xFE/0xFF (the trace framing): the first body byte tells them apart. */
#define ALLOY_PEER_FRAME_FIRST_BYTE 0x80

/* Server side: @header as for alloy_thrift_decode_call (filled whenever
 * the header decodes, so that a failed call can still be answered). A call
 * must name a dataset and a schema: MALFORMED names a missing field. */
ALLOY_INTERNAL
gboolean alloy_peer_decode_call (const guint8 *frame, gsize length, AlloyThriftHeader *header,
                                 char **dataset, char **schema_name, GError **error);
/* A REPLY frame (length included) carrying @inventory. */
ALLOY_INTERNAL
GBytes *alloy_peer_encode_reply (gint32 seqid, const AlloyInventory *inventory);

/* Client side. */
ALLOY_INTERNAL
GBytes *alloy_peer_encode_call (gint32 seqid, const char *dataset, const char *schema_name);
/* The reply to the call with @seqid, checked: a known state; with HELD,
 * every press field and partitions whose ids are unique, non-empty and
 * whose ranges do not run backwards (PROTOCOL otherwise). An EXCEPTION
 * message is APPLICATION_EXCEPTION (an Alloy too old to know the method). */
ALLOY_INTERNAL
AlloyInventory *alloy_peer_decode_reply (const guint8 *frame, gsize length, gint32 seqid,
                                         GError **error);

G_END_DECLS
