/* peer-codec-test-utils.h: the helpers shared by the peer codec's test
 * programs (test-peer-codec: calls; test-peer-codec-reply: replies).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-peer-codec.h"
#include "thrift-test-utils.h"

G_BEGIN_DECLS

/* Decoders on a copy of exactly @length bytes, so that the sanitizers and
 * valgrind see any read past the frame. */
gboolean decode_call (const guint8 *data, gsize length, AlloyThriftHeader *header,
                      char **dataset, char **schema_name, GError **error);
AlloyInventory *decode_reply (const guint8 *data, gsize length, gint32 seqid, GError **error);
/* decode_reply() on the body of a frame encoded by the codec. */
AlloyInventory *decode_reply_frame (GBytes *frame, gint32 seqid, GError **error);

/* Changes 1 to 3 bytes of @b, with the test's seeded generator: often to
 * a byte that means something in the binary protocol (a type id, a
 * length's sign, ...). */
void mutate (GByteArray *b);

G_END_DECLS
