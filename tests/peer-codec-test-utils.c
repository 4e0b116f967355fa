/* peer-codec-test-utils.c: the helpers shared by the peer codec's test
 * programs: decoders on exact copies of a frame, and random mutations.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "peer-codec-test-utils.h"

/* Decoders on a copy of exactly @length bytes, so that the sanitizers and
 * valgrind see any read past the frame. */
gboolean
decode_call (const guint8 *data, gsize length, AlloyThriftHeader *header, char **dataset,
             char **schema_name, GError **error)
{
  g_autofree guint8 *copy = g_memdup2 (data, length);

  return alloy_peer_decode_call (copy, length, header, dataset, schema_name, error);
}

AlloyInventory *
decode_reply (const guint8 *data, gsize length, gint32 seqid, GError **error)
{
  g_autofree guint8 *copy = g_memdup2 (data, length);

  return alloy_peer_decode_reply (copy, length, seqid, error);
}

AlloyInventory *
decode_reply_frame (GBytes *frame, gint32 seqid, GError **error)
{
  gsize length;
  const guint8 *body = frame_body (frame, &length);

  return decode_reply (body, length, seqid, error);
}

/* Bytes that mean something in the binary protocol: type ids, stops,
 * the sign of a length. */
static const guint8 interesting[] = { 0x00, 0x01, 0x02, 0x08, 0x0a, 0x0b, 0x0c, 0x0f,
                                      0x7f, 0x80, 0xff };

/* Changes 1 to 3 bytes of @b, with the test's seeded generator. */
void
mutate (GByteArray *b)
{
  int changes = g_test_rand_int_range (1, 4);

  for (int i = 0; i < changes; i++)
    {
      guint at = (guint) g_test_rand_int_range (0, (gint32) b->len);

      b->data[at] = g_test_rand_bit ()
                      ? interesting[g_test_rand_int_range (0, G_N_ELEMENTS (interesting))]
                      : (guint8) g_test_rand_int_range (0, 256);
    }
}
