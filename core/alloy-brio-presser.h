/* alloy-brio-presser.h: JSON items into Brio V2 blobs (docs/brio.md).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-glib/json-glib.h>

#include "alloy-brio-schema.h"

G_BEGIN_DECLS

/* Brio's count fields are int16. */
#define ALLOY_BRIO_MAX_ENTRIES 32767
/* alloy.samplestore.press.item.max.bytes: Java's JSON worker's limit. */
#define ALLOY_BRIO_DEFAULT_ITEM_MAX_BYTES 10000000

/* Presses items of one schema at its last version. The interface is bytes
 * in, blob out, so that a faster presser can replace this one and be
 * checked against it blob for blob. Not thread-safe: one per thread. */
typedef struct _AlloyBrioPresser AlloyBrioPresser;

/* Fails with ALLOY_BRIO_ERROR_UNSUPPORTED when the schema cannot be
 * pressed (alloy_brio_schema_check_pressable). */
ALLOY_INTERNAL
AlloyBrioPresser *alloy_brio_presser_new (AlloyBrioSchema *schema, gint32 root_version,
                                          gsize item_max_bytes, GError **error);
ALLOY_INTERNAL
void alloy_brio_presser_free (AlloyBrioPresser *presser);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyBrioPresser, alloy_brio_presser_free)

/* One blob from the bytes of one JSON object. A failure rejects the item
 * as a whole (nothing is half-written): ALLOY_BRIO_ERROR_ITEM for a value
 * of the wrong shape or JSON that does not parse, ALLOY_BRIO_ERROR_TOO_LARGE
 * for a limit; the message starts with the JSON path ($.sessions[3]). */
ALLOY_INTERNAL
GBytes *alloy_brio_presser_press (AlloyBrioPresser *presser, const char *json, gsize length,
                                  GError **error);
/* The same from a parsed tree. */
ALLOY_INTERNAL
GBytes *alloy_brio_presser_press_node (AlloyBrioPresser *presser, JsonNode *item, GError **error);

G_END_DECLS
