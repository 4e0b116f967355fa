/* thrift-test-utils.h: the frame builders and checks shared by the Thrift
 * codec's test programs (test-thrift-codec: calls; test-thrift-codec-reply:
 * replies and exceptions).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-thrift-codec.h"

G_BEGIN_DECLS

/* Thrift type ids (§2.2). */
enum { T_BOOL = 2, T_BYTE = 3, T_DOUBLE = 4, T_I32 = 8, T_I64 = 10, T_STRING = 11,
       T_STRUCT = 12, T_MAP = 13, T_SET = 14, T_LIST = 15 };

/* Builders, big-endian as the binary protocol is. */
void put_u8 (GByteArray *b, guint8 value);
void put_i16 (GByteArray *b, gint16 value);
void put_i32 (GByteArray *b, gint32 value);
void put_i64 (GByteArray *b, gint64 value);
void put_raw_string (GByteArray *b, const char *bytes, gsize length);
void put_string (GByteArray *b, const char *s);
void put_field (GByteArray *b, guint8 type, gint16 id);
void put_map_header (GByteArray *b, guint8 key, guint8 value, gint32 count);
/* A strict message header: version word and @type, @name, @seqid. */
void put_header (GByteArray *b, gint32 type, const char *name, gint32 seqid);

/* The body of a frame encoded by the codec, checking its length word. */
const guint8 *frame_body (GBytes *frame, gsize *length);

/* Asserts that @table holds exactly the key, value pairs that follow,
 * NULL-terminated. */
void assert_properties (GHashTable *table, ...);

G_END_DECLS
