/* alloy-thrift-message.h: one Thrift message in one frame, on
 * libthrift-c-glib, for the codecs of both Thrift APIs (Burst's sample
 * store, Alloy's peers): writing a message, reading its header and body
 * safely, and checking that the fields the protocol requires came.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-thrift-codec.h"
#include "alloy-thrift-reader.h"

#include <thrift/c_glib/protocol/thrift_protocol.h>
#include <thrift/c_glib/thrift_struct.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThriftProtocol, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThriftStruct, g_object_unref)

/* "CALL", "REPLY", "EXCEPTION", "ONEWAY" or "unknown". */
G_GNUC_INTERNAL
const char *alloy_thrift_message_type_name (gint32 type);
/* A method name from the wire, fit for a log line. */
G_GNUC_INTERNAL
char *alloy_thrift_printable_name (const char *name);

/* Fills @header once the message header of @reader decodes; @what names
 * the message in errors ("getInventory call"). */
G_GNUC_INTERNAL
gboolean alloy_thrift_read_header (AlloyThriftReader *reader, const char *what,
                                   AlloyThriftHeader *header, GError **error);
/* Reads @body, with which the message must end: bytes after it are
 * MALFORMED, as is a string that is not UTF-8. */
G_GNUC_INTERNAL
gboolean alloy_thrift_read_body (AlloyThriftReader *reader, const char *what, ThriftStruct *body,
                                 GError **error);

/* Server side: a reader at the body of a CALL of @method, with @header
 * (initialised) filled whenever the header decodes. MALFORMED for bytes
 * that are no message; UNKNOWN_METHOD "unknown method 'NAME'"; WRONG_TYPE
 * for another message type. */
G_GNUC_INTERNAL
AlloyThriftReader *alloy_thrift_open_call (const guint8 *frame, gsize length, const char *method,
                                           AlloyThriftHeader *header, GError **error);

/* Client side: a reader at the body of the REPLY to @method with @seqid.
 * PROTOCOL for another seqid (checked first, as Finagle does), method or
 * message type; an EXCEPTION is APPLICATION_EXCEPTION "@server failed the
 * call: MESSAGE (TApplicationException type N)". */
G_GNUC_INTERNAL
AlloyThriftReader *alloy_thrift_open_reply (const guint8 *frame, gsize length, const char *method,
                                            gint32 seqid, const char *server, GError **error);

/* Reads a TApplicationException body: its message ("no message" when
 * absent) and type (0 when absent). */
G_GNUC_INTERNAL
gboolean alloy_thrift_read_exception (AlloyThriftReader *reader, const char *what,
                                      char **message, gint32 *type, GError **error);

/* A field the protocol requires, by the offset of its __isset_ flag. */
typedef struct {
  const char *name;
  glong isset;
} AlloyThriftRequired;

#define ALLOY_THRIFT_REQUIRED(type, field) { #field, G_STRUCT_OFFSET (type, __isset_##field) }

/* ALLOY_THRIFT_ERROR @code "malformed @what: missing required field
 * @prefix NAME" for the first of @fields that did not come. */
G_GNUC_INTERNAL
gboolean alloy_thrift_check_required (gpointer object, const AlloyThriftRequired *fields,
                                      gsize n_fields, const char *what, gint code,
                                      const char *prefix, GError **error);
#define ALLOY_THRIFT_CHECK_REQUIRED(object, fields, what, code, prefix, error)               \
  alloy_thrift_check_required ((object), (fields), G_N_ELEMENTS (fields), (what), (code), \
                               (prefix), (error))

/* Moves a generated struct's string into @to, which it frees first. */
G_GNUC_INTERNAL
void alloy_thrift_steal_string (char **to, char **from);
/* Sets a generated struct's string (NULL writes ""). */
G_GNUC_INTERNAL
void alloy_thrift_set_string (char **to, const char *from);

/* One message in one frame, its uint32 BE length included. */
G_GNUC_INTERNAL
GBytes *alloy_thrift_write_message (const char *name, ThriftMessageType type, gint32 seqid,
                                    ThriftStruct *body);

G_END_DECLS
