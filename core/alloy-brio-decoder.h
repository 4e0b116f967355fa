/* alloy-brio-decoder.h: Brio V2 blobs back into JSON (docs/brio.md).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-glib/json-glib.h>

#include "alloy-brio-schema.h"

G_BEGIN_DECLS

/* How deep structures may nest in a blob being decoded; deeper is
 * ALLOY_BRIO_ERROR_CORRUPT, so a crafted blob cannot exhaust the stack. */
#define ALLOY_BRIO_DECODE_MAX_DEPTH 1000

/* The item of one blob, as a JSON object: a member per relation that is
 * not NULL, strings from the blob's dictionary, map keys as strings, and
 * the doubles that JSON cannot hold as the strings "NaN", "Infinity" and
 * "-Infinity". Map keys must be strictly ascending (signed int16 string
 * keys, int64 long keys), as a cell binary-searches them.
 * Strict: a truncated or inconsistent blob is ALLOY_BRIO_ERROR_CORRUPT
 * with the byte offset, never a read past its end. @out_root_version
 * (nullable) receives the header's rootVersion. */
ALLOY_INTERNAL
JsonNode *alloy_brio_decode (AlloyBrioSchema *schema, const guint8 *blob, gsize size,
                             gint32 *out_root_version, GError **error);

G_END_DECLS
