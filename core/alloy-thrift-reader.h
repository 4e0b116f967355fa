/* alloy-thrift-reader.h: reading one frame of Thrift's binary protocol
 * safely on libthrift-c-glib 0.17, for alloy-thrift-codec.c: an in-place
 * transport and a protocol that checks every length, count and nesting
 * level before the library reads (alloy-thrift-reader.c says why). Only
 * used inside liballoy.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* A ThriftBinaryProtocol (cast with THRIFT_PROTOCOL) over one frame. */
typedef struct _AlloyThriftReader AlloyThriftReader;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyThriftReader, g_object_unref)

/* Registers the generated types once and makes their finalize functions,
 * and ThriftMemoryBuffer's, chain up: call before making any of them. */
G_GNUC_INTERNAL
void alloy_thrift_ensure_types (void);

/* A reader over @frame (not copied: it must outlive the reader), or NULL
 * (ALLOY_THRIFT_ERROR_MALFORMED, "malformed @what: ...") when it is over
 * ALLOY_THRIFT_FRAME_MAX. */
G_GNUC_INTERNAL
AlloyThriftReader *alloy_thrift_reader_new (const guint8 *frame, gsize length, const char *what,
                                            GError **error);

/* "at byte @offset (field 2.2.4)": the ids of the struct fields being read. */
G_GNUC_INTERNAL
char *alloy_thrift_reader_where (AlloyThriftReader *self, gsize offset);

/* The offset of the next byte to read, and the bytes left after it. */
G_GNUC_INTERNAL
gsize alloy_thrift_reader_get_offset (AlloyThriftReader *self);
G_GNUC_INTERNAL
gsize alloy_thrift_reader_get_left (AlloyThriftReader *self);

/* Whether the message header had the strict version word. */
G_GNUC_INTERNAL
gboolean alloy_thrift_reader_get_strict (AlloyThriftReader *self);

/* NULL, or where the first string that is not UTF-8 (or holds a NUL) is:
 * reported only once the read is over, so that no map read fails half
 * way. */
G_GNUC_INTERNAL
const char *alloy_thrift_reader_get_deferred (AlloyThriftReader *self);

G_END_DECLS
