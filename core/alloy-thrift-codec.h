/* alloy-thrift-codec.h: getViewGenerator in Thrift's framed binary protocol,
 * both directions: the server decodes calls and encodes replies, the fetch
 * client encodes calls and decodes replies. The structs are libthrift-c-glib
 * code generated from core/thrift/sample_store.thrift; framing is
 * alloy-frame-io's (encoders return whole frames, decoders take bodies).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-view.h"

G_BEGIN_DECLS

#define ALLOY_THRIFT_ERROR (alloy_thrift_error_quark ())
ALLOY_INTERNAL
GQuark alloy_thrift_error_quark (void);

typedef enum {
  /* The frame is not a Thrift message, or a field does not decode: the
   * connection cannot go on. */
  ALLOY_THRIFT_ERROR_MALFORMED,
  /* A well-formed message that is not a getViewGenerator CALL: answered
   * with a TApplicationException, the connection goes on. */
  ALLOY_THRIFT_ERROR_UNKNOWN_METHOD,
  ALLOY_THRIFT_ERROR_WRONG_TYPE,
  /* Client side: the reply breaks a rule the cell applies (seqid echo,
   * required field, method name); or an application exception came back. */
  ALLOY_THRIFT_ERROR_PROTOCOL,
  ALLOY_THRIFT_ERROR_APPLICATION_EXCEPTION,
} AlloyThriftError;

#define ALLOY_THRIFT_METHOD "getViewGenerator"

/* Thrift message types. */
enum {
  ALLOY_THRIFT_CALL = 1,
  ALLOY_THRIFT_REPLY = 2,
  ALLOY_THRIFT_EXCEPTION = 3,
  ALLOY_THRIFT_ONEWAY = 4,
};

/* TApplicationException types. */
enum {
  ALLOY_THRIFT_APP_UNKNOWN_METHOD = 1,
  ALLOY_THRIFT_APP_INVALID_MESSAGE_TYPE = 2,
  ALLOY_THRIFT_APP_PROTOCOL_ERROR = 7,
};

/* The largest frame either side accepts (a view request is a few KiB; a
 * reply with many loci some hundred KiB). */
#define ALLOY_THRIFT_FRAME_MAX (16u * 1024 * 1024)

/**
 * AlloyThriftHeader:
 * @name: the method name
 * @type: ALLOY_THRIFT_CALL ...
 * @seqid: the sequence id, echoed in the reply
 * @strict: the header had the strict version word
 */
typedef struct {
  char *name;
  gint32 type;
  gint32 seqid;
  gboolean strict;
} AlloyThriftHeader;

ALLOY_INTERNAL
void alloy_thrift_header_clear (AlloyThriftHeader *header);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AlloyThriftHeader, alloy_thrift_header_clear)

/* Server side. @frame is one frame's body (without its length). @header
 * must be initialised (`= { 0 }`): it is cleared, then filled whenever the
 * message header decodes, even when the call then fails: so that an
 * UNKNOWN_METHOD or WRONG_TYPE error, and a MALFORMED one with a header,
 * can still be answered with an exception. Strict and old-style headers
 * are accepted; unknown fields are skipped. A MALFORMED error names the
 * byte offset and the path of field ids ("at byte 61 (field 2.1.2)"), or
 * the missing required field ("dataSource.view.schemaName"); bytes after
 * the message are MALFORMED too. Nothing is allocated for a length or a
 * count the frame cannot hold. */
ALLOY_INTERNAL
AlloyViewRequest *alloy_thrift_decode_call (const guint8 *frame, gsize length,
                                            AlloyThriftHeader *header, GError **error);

/* A REPLY frame (the uint32 BE length included) with the strict header
 * and @seqid, carrying @answer: every required field, maps even when
 * empty, loci and motifFilter only when present. */
ALLOY_INTERNAL
GBytes *alloy_thrift_encode_reply (gint32 seqid, const AlloyViewAnswer *answer);

/* An EXCEPTION frame (length included) carrying a TApplicationException
 * {1: message, 2: type}, for the method @name (NULL: getViewGenerator). */
ALLOY_INTERNAL
GBytes *alloy_thrift_encode_exception (const char *name, gint32 seqid, gint32 type,
                                       const char *message);

/* Client side: a CALL frame (length included), strict header. */
ALLOY_INTERNAL
GBytes *alloy_thrift_encode_call (gint32 seqid, const AlloyViewRequest *request);

/* Decodes a reply frame's body, applying the cell's rules: a REPLY to
 * getViewGenerator with @seqid, every required field present (PROTOCOL
 * otherwise; bytes that do not decode are MALFORMED). An EXCEPTION
 * message with @seqid is ALLOY_THRIFT_ERROR_APPLICATION_EXCEPTION with its
 * message and type. A reply whose state is not success decodes fine: the
 * caller reads the state, and checks loci and motif_filter, which stay
 * NULL when absent (an empty loci list is an empty array). */
ALLOY_INTERNAL
AlloyViewAnswer *alloy_thrift_decode_reply (const guint8 *frame, gsize length, gint32 seqid,
                                            GError **error);

G_END_DECLS
