/* alloy-nexus-parcel.h: a Nexus parcel's payload: [int32 LE size][blob]
 * slots, raw-Snappy compressed (libsnappy). Packing on the server,
 * inflating and checking in the fetch client.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-nexus-message.h"

G_BEGIN_DECLS

/* alloy.samplestore.parcel.max.bytes: the inflated size a parcel is
 * flushed at, and its bounds. */
#define ALLOY_NEXUS_PARCEL_DEFAULT_BYTES (4u * 1024 * 1024)
#define ALLOY_NEXUS_PARCEL_MIN_BYTES (64u * 1024)
#define ALLOY_NEXUS_PARCEL_MAX_BYTES (16u * 1024 * 1024)

/* Collects blobs into one parcel's slot area. Not thread-safe: one per
 * stream, on the thread that presses. */
typedef struct _AlloyParcelBuilder AlloyParcelBuilder;

/* @max_inflated: flush at this many inflated bytes. */
ALLOY_INTERNAL
AlloyParcelBuilder *alloy_parcel_builder_new (gsize max_inflated);
ALLOY_INTERNAL
void alloy_parcel_builder_free (AlloyParcelBuilder *builder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyParcelBuilder, alloy_parcel_builder_free)

/* Appends one slot. Returns TRUE when the parcel should be flushed now:
 * its inflated size reached the maximum. A blob larger than the maximum
 * still goes in (a parcel to itself when the builder was empty). */
ALLOY_INTERNAL
gboolean alloy_parcel_builder_add (AlloyParcelBuilder *builder, GBytes *blob);
/* Would a blob of @blob_size bytes (plus its 4-byte size field) take a
 * non-empty parcel over the maximum? Then flush first, so that no parcel
 * goes over the maximum but for a lone blob. An empty builder never
 * overflows. The stream's loop: flush if this says so; add; flush if add
 * says so; flush what is left at the end. */
ALLOY_INTERNAL
gboolean alloy_parcel_builder_would_overflow (AlloyParcelBuilder *builder, gsize blob_size);
ALLOY_INTERNAL
guint alloy_parcel_builder_get_n_blobs (AlloyParcelBuilder *builder);
ALLOY_INTERNAL
gsize alloy_parcel_builder_get_inflated_size (AlloyParcelBuilder *builder);

/* Compresses what was added (never call it empty), returns the raw Snappy
 * bytes with the slot count and inflated size, and empties the builder.
 * @buffer_count and @inflated_size may be NULL. */
ALLOY_INTERNAL
GBytes *alloy_parcel_builder_take (AlloyParcelBuilder *builder, gint32 *buffer_count,
                                   gint32 *inflated_size);

/* Client side: inflates a parcel and checks it: the Snappy preamble must
 * equal @inflated_size, and the slots must be exactly @buffer_count (at
 * least 1) positive sizes that fill the area. Nothing of the preamble's
 * size is allocated before the data is known to inflate to it. Returns
 * the blobs (GBytes, slices of one buffer) or fails with
 * ALLOY_NEXUS_ERROR_PROTOCOL naming the rule and the numbers; slots are
 * numbered from 0. */
ALLOY_INTERNAL
GPtrArray *alloy_parcel_inflate (GBytes *deflated, gint32 buffer_count, gint32 inflated_size,
                                 GError **error);

G_END_DECLS
