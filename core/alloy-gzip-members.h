/* alloy-gzip-members.h: a GConverter that decompresses every member of a
 * gzip file, as gunzip and Java's GZIPInputStream do.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

#include <gio/gio.h>

G_BEGIN_DECLS

/* A gzip file may be several members one after the other (`cat a.gz b.gz`);
 * GZlibDecompressor stops at the end of the first. This converter wraps one
 * and starts it again on each following member, so that the output is the
 * concatenation of all of them. It finishes only at the end of the input.
 *
 * Errors (G_IO_ERROR): bytes after a member that are not a gzip header,
 * "trailing data after gzip member N" (G_IO_ERROR_INVALID_DATA); an input
 * that ends inside a member, "gzip member N is truncated", or holds no byte
 * at all (G_IO_ERROR_PARTIAL_INPUT); a damaged member, the decompressor's
 * message prefixed with "gzip member N: ". Members count from 1. */
#define ALLOY_TYPE_GZIP_MEMBERS (alloy_gzip_members_get_type ())
ALLOY_INTERNAL
G_DECLARE_FINAL_TYPE (AlloyGzipMembers, alloy_gzip_members, ALLOY, GZIP_MEMBERS, GObject)

ALLOY_INTERNAL
AlloyGzipMembers *alloy_gzip_members_new (void);

/* How many members were decompressed to their end so far. */
ALLOY_INTERNAL
guint alloy_gzip_members_get_count (AlloyGzipMembers *self);

G_END_DECLS
