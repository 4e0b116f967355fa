/* alloy-nexus-message.h: Nexus frames, both wire variants, both directions.
 * The reference's §3 has the layouts; docs/protocol-notes.md the choices.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

#define ALLOY_NEXUS_ERROR (alloy_nexus_error_quark ())
ALLOY_INTERNAL
GQuark alloy_nexus_error_quark (void);

typedef enum {
  /* A frame that does not decode (bad lengths, truncated, trailing bytes,
   * a bad trace-context block): the connection cannot go on. */
  ALLOY_NEXUS_ERROR_MALFORMED,
  /* A well-framed message of a type this side does not take: dropped and
   * counted, the connection goes on (as Burst's receiver does). */
  ALLOY_NEXUS_ERROR_UNKNOWN_TYPE,
  /* Client side: a rule a cell applies was broken (echoes, heartbeat
   * status, counts, parcel sizes); the message names the rule. */
  ALLOY_NEXUS_ERROR_PROTOCOL,
  /* Client side: the stream ended with Exception, Abort or Timeout. */
  ALLOY_NEXUS_ERROR_STREAM_FAILED,
  /* Client side: no Initiated, or no message, in time. */
  ALLOY_NEXUS_ERROR_TIMEOUT,
} AlloyNexusError;

/* The two framings: OLD (before Burst commit 9f5efca4, 2023-08) has no
 * trace-context block; TRACE has one (Alloy writes it as the single byte
 * 0xFF). UNKNOWN: not yet sniffed. */
typedef enum {
  ALLOY_NEXUS_VARIANT_UNKNOWN,
  ALLOY_NEXUS_VARIANT_OLD,
  ALLOY_NEXUS_VARIANT_TRACE,
} AlloyNexusVariant;

typedef enum {
  ALLOY_NEXUS_INITIATE = 1,
  ALLOY_NEXUS_INITIATED = 2,
  ALLOY_NEXUS_PARCEL = 3,
  ALLOY_NEXUS_COMPLETE = 4,
  ALLOY_NEXUS_ABORT = 5,
  ALLOY_NEXUS_HEARTBEAT = 6,
} AlloyNexusMessageType;

/* TeslaParcelStatus values that travel in Complete and Heartbeat. */
#define ALLOY_NEXUS_STATUS_END (-100)
#define ALLOY_NEXUS_STATUS_TIMEOUT (-200)
#define ALLOY_NEXUS_STATUS_EXCEPTION (-300)
#define ALLOY_NEXUS_STATUS_NO_DATA (-400)
#define ALLOY_NEXUS_STATUS_ABORT (-600)
#define ALLOY_NEXUS_STATUS_HEARTBEAT (-700)

/* The largest incoming frame either side takes by default: an Initiate is
 * a few KiB; a parcel is at most parcel.max.bytes inflated, and Snappy's
 * worst case adds a sixth. */
#define ALLOY_NEXUS_FRAME_MAX (64u * 1024 * 1024)

/**
 * AlloyNexusMessage:
 * @type: the message type (any int32 once decoded; 1..6 are known)
 * @ruid: request uid: the cell's in Initiate, echoed in Initiated, 0 else
 * @guid: the slice guid (ASCII, at most 127 bytes)
 * @suid: the locus's stream uid (ASCII, at most 127 bytes)
 *
 * INITIATE: @properties (string to string), @schema, @filter (NULL when
 * absent: optUtf8 of length 0), @slice_key, @client_hostname,
 * @server_hostname.
 * PARCEL: @deflated (raw Snappy), @buffer_count, @inflated_size.
 * COMPLETE: @status, @item_count, @expected_count, @potential_count,
 * @rejected_count.
 * ABORT: @abort_status (an int64 on the wire).
 * HEARTBEAT: @status.
 */
typedef struct {
  gint32 type;
  gint32 ruid;
  char *guid;
  char *suid;

  GHashTable *properties;
  char *schema;
  char *filter;
  gint64 slice_key;
  char *client_hostname;
  char *server_hostname;

  GBytes *deflated;
  gint32 buffer_count;
  gint32 inflated_size;

  gint32 status;
  gint64 item_count;
  gint64 expected_count;
  gint64 potential_count;
  gint64 rejected_count;

  gint64 abort_status;
} AlloyNexusMessage;

/* An INITIATE gets an empty @properties table (keys and values owned).
 * String fields left NULL go out as "" (and @filter as absent). */
ALLOY_INTERNAL
AlloyNexusMessage *alloy_nexus_message_new (AlloyNexusMessageType type, gint32 ruid,
                                            const char *guid, const char *suid);
ALLOY_INTERNAL
void alloy_nexus_message_free (AlloyNexusMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyNexusMessage, alloy_nexus_message_free)

/* "Initiate", "Initiated", ..., or "type N" (a per-thread buffer, valid
 * until four more unknown types are named on the thread). */
ALLOY_INTERNAL
const char *alloy_nexus_message_type_to_string (gint32 type);

/* Tells the variant from a frame's first body byte: 0xFE or 0xFF is
 * TRACE, 0x00 is OLD (the high byte of a message type 1..6); anything else
 * is MALFORMED. */
ALLOY_INTERNAL
gboolean alloy_nexus_sniff_variant (const guint8 *frame, gsize length,
                                    AlloyNexusVariant *variant, GError **error);

/* Decodes one frame's body (without its uint32 length) in @variant (not
 * UNKNOWN). The whole body must be used: trailing bytes are MALFORMED.
 * A type outside 1..6 is UNKNOWN_TYPE (with @type in the message). Every
 * MALFORMED message names the byte offset in the body and what was being
 * read ("offset 9: guid length -3"). Incoming trace-context entries are
 * skipped. Strings with a NUL byte, and utf8 strings that are not UTF-8,
 * are MALFORMED; a repeated property key keeps its last value. */
ALLOY_INTERNAL
AlloyNexusMessage *alloy_nexus_message_decode (const guint8 *frame, gsize length,
                                               AlloyNexusVariant variant, GError **error);

/* The whole frame, its uint32 BE length included, in @variant (not
 * UNKNOWN). guid and suid longer than 127 bytes are a programming error
 * (a critical, and NULL). Properties are written sorted by key, so that a
 * message always gives the same bytes. A type outside 1..6 gives the
 * common header alone (for tests that play a peer). */
ALLOY_INTERNAL
GBytes *alloy_nexus_message_encode (const AlloyNexusMessage *message, AlloyNexusVariant variant);

/* The frames a server sends most, without building a message. */
ALLOY_INTERNAL
GBytes *alloy_nexus_encode_initiated (AlloyNexusVariant variant, gint32 ruid, const char *guid,
                                      const char *suid);
ALLOY_INTERNAL
GBytes *alloy_nexus_encode_heartbeat (AlloyNexusVariant variant, const char *guid,
                                      const char *suid);
ALLOY_INTERNAL
GBytes *alloy_nexus_encode_complete (AlloyNexusVariant variant, const char *guid,
                                     const char *suid, gint32 status, gint64 item_count,
                                     gint64 expected_count, gint64 potential_count,
                                     gint64 rejected_count);
/* A parcel frame around @deflated (raw Snappy of @inflated_size bytes that
 * hold @buffer_count slots). */
ALLOY_INTERNAL
GBytes *alloy_nexus_encode_parcel (AlloyNexusVariant variant, const char *guid, const char *suid,
                                   GBytes *deflated, gint32 buffer_count, gint32 inflated_size);

G_END_DECLS
