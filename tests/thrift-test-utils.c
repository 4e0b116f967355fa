/* thrift-test-utils.c: the frame builders and checks shared by the Thrift
 * codec's test programs: messages built by hand, big-endian, from the
 * protocol reference (§2.2).
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "thrift-test-utils.h"

#include <string.h>

/* Builders, big-endian as the binary protocol is. */

void
put_u8 (GByteArray *b, guint8 value)
{
  g_byte_array_append (b, &value, 1);
}

void
put_i16 (GByteArray *b, gint16 value)
{
  put_u8 (b, (guint8) ((guint16) value >> 8));
  put_u8 (b, (guint8) value);
}

void
put_i32 (GByteArray *b, gint32 value)
{
  for (int shift = 24; shift >= 0; shift -= 8)
    put_u8 (b, (guint8) ((guint32) value >> shift));
}

void
put_i64 (GByteArray *b, gint64 value)
{
  for (int shift = 56; shift >= 0; shift -= 8)
    put_u8 (b, (guint8) ((guint64) value >> shift));
}

void
put_raw_string (GByteArray *b, const char *bytes, gsize length)
{
  put_i32 (b, (gint32) length);
  g_byte_array_append (b, (const guint8 *) bytes, (guint) length);
}

void
put_string (GByteArray *b, const char *s)
{
  put_raw_string (b, s, strlen (s));
}

void
put_field (GByteArray *b, guint8 type, gint16 id)
{
  put_u8 (b, type);
  put_i16 (b, id);
}

void
put_map_header (GByteArray *b, guint8 key, guint8 value, gint32 count)
{
  put_u8 (b, key);
  put_u8 (b, value);
  put_i32 (b, count);
}

void
put_header (GByteArray *b, gint32 type, const char *name, gint32 seqid)
{
  put_i32 (b, (gint32) (0x80010000u | (guint32) type));
  put_string (b, name);
  put_i32 (b, seqid);
}

/* The body of a frame encoded by the codec, checking its length word. */
const guint8 *
frame_body (GBytes *frame, gsize *length)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (frame, &size);

  g_assert_cmpuint (size, >=, 4);
  g_assert_cmpuint (((guint32) data[0] << 24 | (guint32) data[1] << 16
                     | (guint32) data[2] << 8 | data[3]), ==, size - 4);
  *length = size - 4;
  return data + 4;
}

void
assert_properties (GHashTable *table, ...)
{
  va_list args;
  const char *key;
  guint n = 0;

  g_assert_nonnull (table);
  va_start (args, table);
  while ((key = va_arg (args, const char *)) != NULL)
    {
      g_assert_cmpstr (g_hash_table_lookup (table, key), ==, va_arg (args, const char *));
      n++;
    }
  va_end (args);
  g_assert_cmpuint (g_hash_table_size (table), ==, n);
}
