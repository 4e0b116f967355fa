/* test-nexus-message.c: the Nexus codec: the reference's worked frames byte
 * for byte in both variants, round trips of every type, sniffing, and every
 * way a frame can be malformed.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"

#include "alloy-nexus-message.h"

#include <string.h>

/* Burst uids are 33 ASCII characters. */
#define GUID "G0a1b2c3d4e5f60718293a4b5c6d7e8f9"
#define SUID "S9f8e7d6c5b4a3928170f6e5d4c3b2a1x"

static const AlloyNexusVariant variants[] = { ALLOY_NEXUS_VARIANT_OLD,
                                              ALLOY_NEXUS_VARIANT_TRACE };

static void
append_text (GByteArray *bytes, const char *text)
{
  g_byte_array_append (bytes, (const guint8 *) text, (guint) strlen (text));
}

/* The common header of the worked frames: "21 <guid> 21 <suid>". */
static void
append_uids (GByteArray *bytes)
{
  alloy_test_append_hex (bytes, "21");
  append_text (bytes, GUID);
  alloy_test_append_hex (bytes, "21");
  append_text (bytes, SUID);
}

/* The old-variant frame of a new-variant one: no 0xFF, L one smaller. */
static GByteArray *
old_of_trace (GByteArray *trace)
{
  GByteArray *old = g_byte_array_new ();
  guint32 be;
  guint32 length;

  g_assert_cmpuint (trace->data[4], ==, 0xff);
  g_byte_array_append (old, trace->data, 4);
  g_byte_array_append (old, trace->data + 5, trace->len - 5);
  memcpy (&be, old->data, 4);
  length = GUINT32_FROM_BE (be) - 1;
  be = GUINT32_TO_BE (length);
  memcpy (old->data, &be, 4);
  return old;
}

static void
assert_frame (GBytes *frame, GByteArray *expected)
{
  g_assert_nonnull (frame);
  g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), expected->data,
                   expected->len);
}

/* Decodes a whole frame (length included) after sniffing its variant. */
static AlloyNexusMessage *
decode_frame (GBytes *frame, AlloyNexusVariant expected_variant)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (frame, &size);
  AlloyNexusVariant variant = ALLOY_NEXUS_VARIANT_UNKNOWN;
  g_autoptr(GError) error = NULL;
  AlloyNexusMessage *message;
  guint32 be;

  g_assert_cmpuint (size, >=, 5);
  memcpy (&be, data, 4);
  g_assert_cmpuint (GUINT32_FROM_BE (be), ==, size - 4);
  g_assert_true (alloy_nexus_sniff_variant (data + 4, size - 4, &variant, &error));
  g_assert_no_error (error);
  g_assert_cmpint (variant, ==, expected_variant);
  message = alloy_nexus_message_decode (data + 4, size - 4, variant, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

/* Checks a worked frame of the new variant, @length bytes after L: @head
 * (hex, up to the ruid), the uids, @tail (hex); then the same frame in the
 * old variant, whose first 8 bytes must be @old_head. Takes the frames. */
static void
assert_worked (const char *head, const char *tail, guint length, const char *old_head,
               GBytes *trace_frame, GBytes *old_frame)
{
  g_autoptr(GByteArray) trace = g_byte_array_new ();
  g_autoptr(GByteArray) old = NULL;

  alloy_test_append_hex (trace, head);
  append_uids (trace);
  alloy_test_append_hex (trace, tail);
  g_assert_cmpuint (trace->len, ==, 4 + length);
  old = old_of_trace (trace);
  g_assert_cmpmem (old->data, 8, old_head, 8);
  assert_frame (trace_frame, trace);
  assert_frame (old_frame, old);
  g_bytes_unref (trace_frame);
  g_bytes_unref (old_frame);
}

#define COMPLETE_26 "FF FF FF 9C  00 00 00 00 00 00 00 1A  00 00 00 00 00 00 00 1A" \
                    "00 00 00 00 00 00 00 1A  00 00 00 00 00 00 00 00"

/* The reference's §3.9 frames, and the old variant of each. */
static void
test_worked_frames (void)
{
  static const guint8 deflated[] = { 0xcb, 0x02, 0x00, 0x47, 0x01, 0x00 };
  g_autoptr(GBytes) data = g_bytes_new_static (deflated, sizeof deflated);
  g_autoptr(AlloyNexusMessage) complete = alloy_nexus_message_new (ALLOY_NEXUS_COMPLETE, 0, GUID,
                                                                   SUID);
  const AlloyNexusVariant trace = ALLOY_NEXUS_VARIANT_TRACE;
  const AlloyNexusVariant old = ALLOY_NEXUS_VARIANT_OLD;

  /* Initiated: L = 1+4+4+34+34 = 77, the Initiate's ruid echoed. */
  assert_worked ("00 00 00 4D  FF  00 00 00 02  00 01 E2 40", "", 77,
                 "\x00\x00\x00\x4c\x00\x00\x00\x02",
                 alloy_nexus_encode_initiated (trace, 123456, GUID, SUID),
                 alloy_nexus_encode_initiated (old, 123456, GUID, SUID));
  /* Heartbeat: L = 81, status -700. */
  assert_worked ("00 00 00 51  FF  00 00 00 06  00 00 00 00", "FF FF FD 44", 81,
                 "\x00\x00\x00\x50\x00\x00\x00\x06",
                 alloy_nexus_encode_heartbeat (trace, GUID, SUID),
                 alloy_nexus_encode_heartbeat (old, GUID, SUID));
  /* Complete, 26 items, none rejected: L = 113. */
  assert_worked ("00 00 00 71  FF  00 00 00 04  00 00 00 00", COMPLETE_26, 113,
                 "\x00\x00\x00\x70\x00\x00\x00\x04",
                 alloy_nexus_encode_complete (trace, GUID, SUID, ALLOY_NEXUS_STATUS_END, 26, 26,
                                              26, 0),
                 alloy_nexus_encode_complete (old, GUID, SUID, ALLOY_NEXUS_STATUS_END, 26, 26,
                                              26, 0));
  /* The general encoder gives the same bytes. */
  complete->status = ALLOY_NEXUS_STATUS_END;
  complete->item_count = complete->expected_count = complete->potential_count = 26;
  assert_worked ("00 00 00 71  FF  00 00 00 04  00 00 00 00", COMPLETE_26, 113,
                 "\x00\x00\x00\x70\x00\x00\x00\x04",
                 alloy_nexus_message_encode (complete, trace),
                 alloy_nexus_message_encode (complete, old));
  /* Parcel, around made-up deflated bytes: L = 1+4+4+34+34+12+6 = 95;
   * one buffer of 331 inflated bytes. */
  assert_worked ("00 00 00 5F  FF  00 00 00 03  00 00 00 00",
                 "00 00 00 06  00 00 00 01  00 00 01 4B  CB 02 00 47 01 00", 95,
                 "\x00\x00\x00\x5e\x00\x00\x00\x03",
                 alloy_nexus_encode_parcel (trace, GUID, SUID, data, 1, 331),
                 alloy_nexus_encode_parcel (old, GUID, SUID, data, 1, 331));
}

/* One message of every type, with fields that show up if swapped. */
static GPtrArray *
sample_messages (void)
{
  GPtrArray *messages = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_nexus_message_free);
  static const guint8 deflated[] = { 0x0a, 0x24, 0x06, 0x00, 0x00, 0x00, 'b', 'l', 'o', 'b', '!',
                                     '?' };
  AlloyNexusMessage *m;

  m = alloy_nexus_message_new (ALLOY_NEXUS_INITIATE, -559038737, GUID, SUID);
  g_hash_table_insert (m->properties, g_strdup ("burst.samplestore.source.name"),
                       g_strdup ("alloy"));
  g_hash_table_insert (m->properties, g_strdup ("city"), g_strdup ("Zürich"));
  g_hash_table_insert (m->properties, g_strdup ("名前"), g_strdup ("値 ✓ 🙂"));
  g_hash_table_insert (m->properties, g_strdup ("empty"), g_strdup (""));
  m->schema = g_strdup ("quo");
  m->slice_key = G_GINT64_CONSTANT (0x0102030405060708);
  m->client_hostname = g_strdup ("cell-1.example.com");
  m->server_hostname = g_strdup ("alloy-2");
  g_ptr_array_add (messages, m);

  m = alloy_nexus_message_new (ALLOY_NEXUS_INITIATE, 1, "g", "");
  m->schema = g_strdup ("");
  m->filter = g_strdup ("(user.project.installTime > 0) « ok »");
  m->slice_key = -1;
  m->client_hostname = g_strdup ("");
  m->server_hostname = g_strdup ("");
  g_ptr_array_add (messages, m);

  g_ptr_array_add (messages, alloy_nexus_message_new (ALLOY_NEXUS_INITIATED, 42, GUID, SUID));

  m = alloy_nexus_message_new (ALLOY_NEXUS_PARCEL, 0, GUID, SUID);
  m->deflated = g_bytes_new_static (deflated, sizeof deflated);
  m->buffer_count = 1;
  m->inflated_size = 10;
  g_ptr_array_add (messages, m);

  m = alloy_nexus_message_new (ALLOY_NEXUS_PARCEL, 0, GUID, SUID);
  m->deflated = g_bytes_new (NULL, 0);
  m->buffer_count = -2;
  m->inflated_size = G_MAXINT32;
  g_ptr_array_add (messages, m);

  m = alloy_nexus_message_new (ALLOY_NEXUS_COMPLETE, 0, GUID, SUID);
  m->status = ALLOY_NEXUS_STATUS_NO_DATA;
  m->item_count = 1;
  m->expected_count = G_MAXINT64;
  m->potential_count = G_MININT64;
  m->rejected_count = 4;
  g_ptr_array_add (messages, m);

  m = alloy_nexus_message_new (ALLOY_NEXUS_ABORT, 3, GUID, SUID);
  m->abort_status = G_GINT64_CONSTANT (-0x123456789a);
  g_ptr_array_add (messages, m);

  m = alloy_nexus_message_new (ALLOY_NEXUS_HEARTBEAT, 0, GUID, SUID);
  m->status = ALLOY_NEXUS_STATUS_HEARTBEAT;
  g_ptr_array_add (messages, m);
  return messages;
}

static void
assert_messages_equal (const AlloyNexusMessage *a, const AlloyNexusMessage *b)
{
  g_assert_cmpint (a->type, ==, b->type);
  g_assert_cmpint (a->ruid, ==, b->ruid);
  g_assert_cmpstr (a->guid, ==, b->guid);
  g_assert_cmpstr (a->suid, ==, b->suid);
  if (a->type == ALLOY_NEXUS_INITIATE)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_assert_cmpuint (g_hash_table_size (a->properties), ==, g_hash_table_size (b->properties));
      g_hash_table_iter_init (&iter, a->properties);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_assert_cmpstr (g_hash_table_lookup (b->properties, key), ==, value);
    }
  else
    {
      g_assert_null (b->properties);
    }
  g_assert_cmpstr (a->schema, ==, b->schema);
  g_assert_cmpstr (a->filter, ==, b->filter);
  g_assert_cmpint (a->slice_key, ==, b->slice_key);
  g_assert_cmpstr (a->client_hostname, ==, b->client_hostname);
  g_assert_cmpstr (a->server_hostname, ==, b->server_hostname);
  g_assert_true ((a->deflated == NULL) == (b->deflated == NULL));
  if (a->deflated != NULL)
    g_assert_true (g_bytes_equal (a->deflated, b->deflated));
  g_assert_cmpint (a->buffer_count, ==, b->buffer_count);
  g_assert_cmpint (a->inflated_size, ==, b->inflated_size);
  g_assert_cmpint (a->status, ==, b->status);
  g_assert_cmpint (a->item_count, ==, b->item_count);
  g_assert_cmpint (a->expected_count, ==, b->expected_count);
  g_assert_cmpint (a->potential_count, ==, b->potential_count);
  g_assert_cmpint (a->rejected_count, ==, b->rejected_count);
  g_assert_cmpint (a->abort_status, ==, b->abort_status);
}

/* An Initiate laid out by hand (old variant), so that the layout is checked
 * apart from the round trip:
 *   0 type, 4 ruid, 8 guid "g", 10 suid "s", 12 count 1, 16 key "k",
 *   21 value "v", 26 schema "s1", 32 filter (absent), 36 slice key 5,
 *   44 client "c", 49 server "d"; 54 bytes. */
static GByteArray *
hand_initiate (void)
{
  GByteArray *body = g_byte_array_new ();

  alloy_test_append_hex (body, "00 00 00 01  00 00 00 07  01 67  01 73");
  alloy_test_append_hex (body, "00 00 00 01  00 00 00 01 6B  00 00 00 01 76");
  alloy_test_append_hex (body, "00 00 00 02 73 31  00 00 00 00  00 00 00 00 00 00 00 05");
  alloy_test_append_hex (body, "00 00 00 01 63  00 00 00 01 64");
  g_assert_cmpuint (body->len, ==, 54);
  return body;
}

static void
test_initiate_layout (void)
{
  g_autoptr(GByteArray) body = hand_initiate ();
  g_autoptr(AlloyNexusMessage) message = alloy_nexus_message_new (ALLOY_NEXUS_INITIATE, 7, "g",
                                                                  "s");
  g_autoptr(AlloyNexusMessage) decoded = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GError) error = NULL;

  g_hash_table_insert (message->properties, g_strdup ("k"), g_strdup ("v"));
  message->schema = g_strdup ("s1");
  message->slice_key = 5;
  message->client_hostname = g_strdup ("c");
  message->server_hostname = g_strdup ("d");
  frame = alloy_nexus_message_encode (message, ALLOY_NEXUS_VARIANT_OLD);
  g_assert_cmpuint (g_bytes_get_size (frame), ==, 4 + 54);
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (frame, NULL) + 4, 54, body->data, 54);

  decoded = alloy_nexus_message_decode (body->data, body->len, ALLOY_NEXUS_VARIANT_OLD, &error);
  g_assert_no_error (error);
  assert_messages_equal (message, decoded);
}

static void
test_abort_layout (void)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(AlloyNexusMessage) message = alloy_nexus_message_new (ALLOY_NEXUS_ABORT, 0, "g",
                                                                  "s");
  g_autoptr(GBytes) frame = NULL;

  alloy_test_append_hex (body, "00 00 00 15  FF  00 00 00 05  00 00 00 00  01 67  01 73");
  alloy_test_append_hex (body, "FF FF FF FF FF FF FD A8");
  message->abort_status = ALLOY_NEXUS_STATUS_ABORT;
  frame = alloy_nexus_message_encode (message, ALLOY_NEXUS_VARIANT_TRACE);
  assert_frame (frame, body);
}

static void
test_round_trip (void)
{
  g_autoptr(GPtrArray) messages = sample_messages ();

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    for (guint n = 0; n < messages->len; n++)
      {
        const AlloyNexusMessage *message = messages->pdata[n];
        g_autoptr(GBytes) frame = alloy_nexus_message_encode (message, variants[v]);
        g_autoptr(AlloyNexusMessage) decoded = decode_frame (frame, variants[v]);
        g_autoptr(GBytes) again = NULL;

        assert_messages_equal (message, decoded);
        /* Properties are written sorted: the same message, the same bytes. */
        again = alloy_nexus_message_encode (decoded, variants[v]);
        g_assert_true (g_bytes_equal (frame, again));
      }
}

/* optUtf8: an empty filter and an absent one look the same on the wire. */
static void
test_initiate_empty_filter (void)
{
  g_autoptr(AlloyNexusMessage) message = alloy_nexus_message_new (ALLOY_NEXUS_INITIATE, 0, "g",
                                                                  "s");
  g_autoptr(AlloyNexusMessage) decoded = NULL;
  g_autoptr(GBytes) frame = NULL;

  message->filter = g_strdup ("");
  frame = alloy_nexus_message_encode (message, ALLOY_NEXUS_VARIANT_TRACE);
  decoded = decode_frame (frame, ALLOY_NEXUS_VARIANT_TRACE);
  g_assert_null (decoded->filter);
  /* Unset strings go out as "". */
  g_assert_cmpstr (decoded->schema, ==, "");
  g_assert_cmpstr (decoded->client_hostname, ==, "");
  g_assert_cmpstr (decoded->server_hostname, ==, "");
  g_assert_cmpuint (g_hash_table_size (decoded->properties), ==, 0);
}

/* A cell with W3C propagation on sends entries; they are skipped. */
static void
test_trace_context_entries (void)
{
  const char *traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(AlloyNexusMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  AlloyNexusVariant variant = ALLOY_NEXUS_VARIANT_UNKNOWN;

  alloy_test_append_hex (body, "FE 0B");
  append_text (body, "traceparent");
  g_byte_array_append (body, (const guint8 *) "\x37", 1);
  g_assert_cmpuint (strlen (traceparent), ==, 0x37);
  append_text (body, traceparent);
  alloy_test_append_hex (body, "FE 0A");
  append_text (body, "tracestate");
  alloy_test_append_hex (body, "05");
  append_text (body, "a=b,c");
  alloy_test_append_hex (body, "FE 00 00  FF");
  alloy_test_append_hex (body, "00 00 00 06  00 00 00 00");
  append_uids (body);
  alloy_test_append_hex (body, "FF FF FD 44");

  g_assert_true (alloy_nexus_sniff_variant (body->data, body->len, &variant, &error));
  g_assert_cmpint (variant, ==, ALLOY_NEXUS_VARIANT_TRACE);
  message = alloy_nexus_message_decode (body->data, body->len, variant, &error);
  g_assert_no_error (error);
  g_assert_cmpint (message->type, ==, ALLOY_NEXUS_HEARTBEAT);
  g_assert_cmpstr (message->guid, ==, GUID);
  g_assert_cmpstr (message->suid, ==, SUID);
  g_assert_cmpint (message->status, ==, ALLOY_NEXUS_STATUS_HEARTBEAT);
}

static void
test_sniff (void)
{
  static const struct {
    guint8 byte;
    AlloyNexusVariant variant;
  } cases[] = {
    { 0xff, ALLOY_NEXUS_VARIANT_TRACE }, { 0xfe, ALLOY_NEXUS_VARIANT_TRACE },
    { 0x00, ALLOY_NEXUS_VARIANT_OLD },   { 0x01, ALLOY_NEXUS_VARIANT_UNKNOWN },
    { 0x7f, ALLOY_NEXUS_VARIANT_UNKNOWN }, { 0xfd, ALLOY_NEXUS_VARIANT_UNKNOWN },
  };
  AlloyNexusVariant variant = ALLOY_NEXUS_VARIANT_UNKNOWN;
  g_autoptr(GError) error = NULL;

  for (guint n = 0; n < G_N_ELEMENTS (cases); n++)
    {
      guint8 frame[2] = { cases[n].byte, 0x00 };
      gboolean ok;

      variant = ALLOY_NEXUS_VARIANT_UNKNOWN;
      ok = alloy_nexus_sniff_variant (frame, sizeof frame, &variant, &error);
      g_assert_cmpint (variant, ==, cases[n].variant);
      if (cases[n].variant != ALLOY_NEXUS_VARIANT_UNKNOWN)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_autofree char *expected = g_strdup_printf (
              "offset 0: first byte 0x%02x is neither a trace-context marker (0xfe, 0xff) "
              "nor the high byte of a message type (0x00)", cases[n].byte);

          g_assert_false (ok);
          g_assert_error (error, ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_MALFORMED);
          g_assert_cmpstr (error->message, ==, expected);
          g_clear_error (&error);
        }
    }
  g_assert_false (alloy_nexus_sniff_variant (NULL, 0, &variant, &error));
  g_assert_error (error, ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_MALFORMED);
  g_assert_cmpstr (error->message, ==, "offset 0: empty frame, no variant to tell");
}

/* Decodes @length bytes of @body from a copy of exactly that size (so that
 * AddressSanitizer and valgrind see any read past it) and asserts the
 * error; @message, when given, must be the error's message. */
static void
assert_decode_error (const guint8 *body, gsize length, AlloyNexusVariant variant, gint code,
                     const char *message)
{
  g_autofree guint8 *copy = g_memdup2 (body, length);
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyNexusMessage) decoded = alloy_nexus_message_decode (copy, length, variant,
                                                                     &error);

  g_assert_null (decoded);
  g_assert_error (error, ALLOY_NEXUS_ERROR, code);
  g_assert_true (g_str_has_prefix (error->message, "offset "));
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
}

static void
assert_malformed (GByteArray *body, AlloyNexusVariant variant, const char *message)
{
  assert_decode_error (body->data, body->len, variant, ALLOY_NEXUS_ERROR_MALFORMED, message);
}

/* Every proper prefix of every valid frame is MALFORMED. */
static void
test_malformed_truncated (void)
{
  g_autoptr(GPtrArray) messages = sample_messages ();
  g_autoptr(GByteArray) hand = hand_initiate ();

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    for (guint n = 0; n < messages->len; n++)
      {
        g_autoptr(GBytes) frame = alloy_nexus_message_encode (messages->pdata[n], variants[v]);
        gsize size;
        const guint8 *body = (const guint8 *) g_bytes_get_data (frame, &size) + 4;

        for (gsize cut = 0; cut < size - 4; cut++)
          assert_decode_error (body, cut, variants[v], ALLOY_NEXUS_ERROR_MALFORMED, NULL);
      }
  /* The messages name what was cut. */
  assert_decode_error (hand->data, 0, ALLOY_NEXUS_VARIANT_OLD, ALLOY_NEXUS_ERROR_MALFORMED,
                       "offset 0: message type needs 4 bytes, 0 left");
  assert_decode_error (hand->data, 0, ALLOY_NEXUS_VARIANT_TRACE, ALLOY_NEXUS_ERROR_MALFORMED,
                       "offset 0: trace-context marker needs 1 byte, 0 left");
  assert_decode_error (hand->data, 6, ALLOY_NEXUS_VARIANT_OLD, ALLOY_NEXUS_ERROR_MALFORMED,
                       "offset 4: ruid needs 4 bytes, 2 left");
  assert_decode_error (hand->data, 9, ALLOY_NEXUS_VARIANT_OLD, ALLOY_NEXUS_ERROR_MALFORMED,
                       "offset 8: guid length 1, but only 0 left");
  assert_decode_error (hand->data, 10, ALLOY_NEXUS_VARIANT_OLD, ALLOY_NEXUS_ERROR_MALFORMED,
                       "offset 10: suid length needs 1 byte, 0 left");
  assert_decode_error (hand->data, 14, ALLOY_NEXUS_VARIANT_OLD, ALLOY_NEXUS_ERROR_MALFORMED,
                       "offset 12: property count needs 4 bytes, 2 left");
  assert_decode_error (hand->data, 31, ALLOY_NEXUS_VARIANT_OLD, ALLOY_NEXUS_ERROR_MALFORMED,
                       "offset 26: schema length 2, but only 1 left");
  assert_decode_error (hand->data, 34, ALLOY_NEXUS_VARIANT_OLD, ALLOY_NEXUS_ERROR_MALFORMED,
                       "offset 32: filter length needs 4 bytes, 2 left");
  assert_decode_error (hand->data, 40, ALLOY_NEXUS_VARIANT_OLD, ALLOY_NEXUS_ERROR_MALFORMED,
                       "offset 36: slice key needs 8 bytes, 4 left");
  assert_decode_error (hand->data, 53, ALLOY_NEXUS_VARIANT_OLD, ALLOY_NEXUS_ERROR_MALFORMED,
                       "offset 49: server hostname length 1, but only 0 left");
}

/* Applies @patch (hex) at @at of the hand-made Initiate and asserts the
 * error message. */
static void
assert_patched_initiate (gsize at, const char *patch, const char *message)
{
  g_autoptr(GByteArray) body = hand_initiate ();
  g_autoptr(GByteArray) bytes = g_byte_array_new ();

  alloy_test_append_hex (bytes, patch);
  g_assert_cmpuint (at + bytes->len, <=, body->len);
  memcpy (body->data + at, bytes->data, bytes->len);
  assert_malformed (body, ALLOY_NEXUS_VARIANT_OLD, message);
}

static void
test_malformed_lengths (void)
{
  g_autoptr(GByteArray) trace = g_byte_array_new ();

  /* The brief's own example: a new-variant frame, guid length at 9. */
  alloy_test_append_hex (trace, "FF  00 00 00 02  00 00 00 00  FD 61 62 63");
  assert_malformed (trace, ALLOY_NEXUS_VARIANT_TRACE, "offset 9: guid length -3");

  /* Negative lengths. */
  assert_patched_initiate (10, "80", "offset 10: suid length -128");
  assert_patched_initiate (12, "FF FF FF FF", "offset 12: property count -1");
  assert_patched_initiate (16, "FF FF FF FF", "offset 16: property key length -1");
  assert_patched_initiate (21, "80 00 00 00", "offset 21: property value length -2147483648");
  assert_patched_initiate (26, "FF FF FF FE", "offset 26: schema length -2");
  assert_patched_initiate (32, "FF FF FF FB", "offset 32: filter length -5");
  assert_patched_initiate (44, "FF FF FF FF", "offset 44: client hostname length -1");

  /* Lengths past the end. */
  assert_patched_initiate (8, "7F", "offset 8: guid length 127, but only 45 left");
  assert_patched_initiate (10, "2C", "offset 10: suid length 44, but only 43 left");
  assert_patched_initiate (21, "00 00 03 E8",
                           "offset 21: property value length 1000, but only 29 left");
  assert_patched_initiate (32, "7F FF FF FF",
                           "offset 32: filter length 2147483647, but only 18 left");
  assert_patched_initiate (49, "00 00 00 02",
                           "offset 49: server hostname length 2, but only 1 left");

  /* Property counts no frame can hold: refused before any allocation. */
  assert_patched_initiate (12, "7F FF FF FF", "offset 12: property count 2147483647, but only "
                           "38 bytes left (a property takes 8 at least)");
  assert_patched_initiate (12, "00 00 00 05", "offset 12: property count 5, but only "
                           "38 bytes left (a property takes 8 at least)");
  /* A count that fits the bytes but not the properties: the second
   * property eats the schema and the filter, and the slice key's zero
   * high bytes become the schema's length. */
  assert_patched_initiate (12, "00 00 00 02", "offset 44: filter holds a NUL byte");
}

static void
test_malformed_strings (void)
{
  /* Bytes that are not UTF-8, and NUL bytes, which a C string cannot
   * carry. */
  assert_patched_initiate (25, "C3", "offset 25: property value is not valid UTF-8");
  assert_patched_initiate (20, "FF", "offset 20: property key is not valid UTF-8");
  assert_patched_initiate (30, "73 00", "offset 31: schema holds a NUL byte");
  assert_patched_initiate (48, "00", "offset 48: client hostname holds a NUL byte");
  assert_patched_initiate (9, "00", "offset 9: guid holds a NUL byte");
  assert_patched_initiate (11, "00", "offset 11: suid holds a NUL byte");
}

static void
test_malformed_parcel (void)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();

  /* Old variant: 0 type, 4 ruid, 8 guid, 10 suid, 12 deflated length,
   * 16 buffer count, 20 inflated size, 24 data. */
  alloy_test_append_hex (body, "00 00 00 03  00 00 00 00  01 67  01 73");
  alloy_test_append_hex (body, "FF FF FF FF  00 00 00 01  00 00 00 04  AA BB");
  assert_malformed (body, ALLOY_NEXUS_VARIANT_OLD, "offset 12: deflated length -1");
  body->data[15] = 0x03;
  body->data[12] = 0x00;
  body->data[13] = 0x00;
  body->data[14] = 0x00;
  assert_malformed (body, ALLOY_NEXUS_VARIANT_OLD,
                    "offset 12: deflated length 3, but only 2 left");
  body->data[15] = 0x01;
  assert_malformed (body, ALLOY_NEXUS_VARIANT_OLD,
                    "offset 25: 1 trailing bytes after the Parcel message");
  body->data[15] = 0x02;
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(AlloyNexusMessage) message = alloy_nexus_message_decode (
        body->data, body->len, ALLOY_NEXUS_VARIANT_OLD, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (message->deflated), ==, 2);
    g_assert_cmpint (message->buffer_count, ==, 1);
    g_assert_cmpint (message->inflated_size, ==, 4);
  }
}

static void
test_malformed_trailing (void)
{
  g_autoptr(GPtrArray) messages = sample_messages ();

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    for (guint n = 0; n < messages->len; n++)
      {
        const AlloyNexusMessage *message = messages->pdata[n];
        g_autoptr(GBytes) frame = alloy_nexus_message_encode (message, variants[v]);
        g_autoptr(GByteArray) body = g_byte_array_new ();
        g_autofree char *expected = NULL;
        gsize size;
        const guint8 *data = g_bytes_get_data (frame, &size);

        g_byte_array_append (body, data + 4, (guint) size - 4);
        alloy_test_append_hex (body, "00 01 02");
        expected = g_strdup_printf ("offset %" G_GSIZE_FORMAT ": 3 trailing bytes after the %s "
                                    "message", size - 4,
                                    alloy_nexus_message_type_to_string (message->type));
        assert_malformed (body, variants[v], expected);
      }
}

/* Heartbeat after @block, in the new variant. */
static void
assert_trace_block (const char *block, const char *message)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();

  alloy_test_append_hex (body, block);
  alloy_test_append_hex (body, "00 00 00 06  00 00 00 00  01 67  01 73  FF FF FD 44");
  if (message != NULL)
    {
      assert_malformed (body, ALLOY_NEXUS_VARIANT_TRACE, message);
    }
  else
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AlloyNexusMessage) decoded = alloy_nexus_message_decode (
          body->data, body->len, ALLOY_NEXUS_VARIANT_TRACE, &error);

      g_assert_no_error (error);
      g_assert_cmpint (decoded->type, ==, ALLOY_NEXUS_HEARTBEAT);
      g_assert_cmpstr (decoded->guid, ==, "g");
    }
}

static void
test_malformed_trace_context (void)
{
  assert_trace_block ("FF", NULL);
  assert_trace_block ("FE 01 6B 01 76  FE 00 00  FF", NULL);
  /* A bad marker first, or after an entry. */
  assert_trace_block ("01", "offset 0: trace-context marker 0x01 (0xfe or 0xff expected)");
  assert_trace_block ("FE 01 6B 01 76  07",
                      "offset 5: trace-context marker 0x07 (0xfe or 0xff expected)");
  /* An old-variant frame read as new. */
  assert_trace_block ("", "offset 0: trace-context marker 0x00 (0xfe or 0xff expected)");
  /* Negative lengths. */
  assert_trace_block ("FE FD 6B 6B 6B", "offset 1: trace-context key length -3");
  assert_trace_block ("FE 01 6B FF 76", "offset 3: trace-context value length -1");
  assert_trace_block ("FE 80", "offset 1: trace-context key length -128");
  /* A length past the end of the frame. */
  assert_trace_block ("FE 7F", "offset 1: trace-context key length 127, but only 16 left");
  /* No terminator before the end. */
  {
    g_autoptr(GByteArray) body = g_byte_array_new ();

    alloy_test_append_hex (body, "FE 01 6B 01 76");
    assert_malformed (body, ALLOY_NEXUS_VARIANT_TRACE,
                      "offset 5: trace-context marker needs 1 byte, 0 left");
  }
}

static void
test_unknown_type (void)
{
  static const gint32 types[] = { 0, 7, -1, 256, G_MAXINT32 };

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    for (guint n = 0; n < G_N_ELEMENTS (types); n++)
      {
        g_autoptr(AlloyNexusMessage) message = alloy_nexus_message_new (types[n], 9, "g", "s");
        g_autoptr(GBytes) frame = alloy_nexus_message_encode (message, variants[v]);
        g_autofree char *expected = g_strdup_printf (
            "offset %d: unknown message type %" G_GINT32_FORMAT,
            variants[v] == ALLOY_NEXUS_VARIANT_TRACE ? 1 : 0, types[n]);
        g_autoptr(GByteArray) body = g_byte_array_new ();
        gsize size;
        const guint8 *data = g_bytes_get_data (frame, &size);

        /* The encoder writes the common header alone for such types. */
        g_assert_cmpuint (size, ==, 4 + (variants[v] == ALLOY_NEXUS_VARIANT_TRACE) + 8 + 4);
        assert_decode_error (data + 4, size - 4, variants[v], ALLOY_NEXUS_ERROR_UNKNOWN_TYPE,
                             expected);
        /* Whatever follows the type does not matter: the frame is dropped. */
        g_byte_array_append (body, data + 4, (guint) size - 4);
        alloy_test_append_hex (body, "FF FF FF FF 80");
        assert_decode_error (body->data, body->len, variants[v],
                             ALLOY_NEXUS_ERROR_UNKNOWN_TYPE, expected);
      }
  /* After trace-context entries, the offset is the type's. */
  {
    g_autoptr(GByteArray) body = g_byte_array_new ();

    alloy_test_append_hex (body, "FE 01 6B 01 76 FF  00 00 00 63");
    assert_decode_error (body->data, body->len, ALLOY_NEXUS_VARIANT_TRACE,
                         ALLOY_NEXUS_ERROR_UNKNOWN_TYPE, "offset 6: unknown message type 99");
  }
}

static void
test_type_names (void)
{
  const char *first;

  g_assert_cmpstr (alloy_nexus_message_type_to_string (ALLOY_NEXUS_INITIATE), ==, "Initiate");
  g_assert_cmpstr (alloy_nexus_message_type_to_string (ALLOY_NEXUS_INITIATED), ==, "Initiated");
  g_assert_cmpstr (alloy_nexus_message_type_to_string (ALLOY_NEXUS_PARCEL), ==, "Parcel");
  g_assert_cmpstr (alloy_nexus_message_type_to_string (ALLOY_NEXUS_COMPLETE), ==, "Complete");
  g_assert_cmpstr (alloy_nexus_message_type_to_string (ALLOY_NEXUS_ABORT), ==, "Abort");
  g_assert_cmpstr (alloy_nexus_message_type_to_string (ALLOY_NEXUS_HEARTBEAT), ==, "Heartbeat");
  g_assert_cmpstr (alloy_nexus_message_type_to_string (0), ==, "type 0");
  /* Two unknown names stay valid together, as in one log line. */
  first = alloy_nexus_message_type_to_string (G_MININT32);
  g_assert_cmpstr (alloy_nexus_message_type_to_string (7), ==, "type 7");
  g_assert_cmpstr (first, ==, "type -2147483648");
}

/* A guid of 128 bytes cannot be written: a programming error. */
static void
test_encode_too_long (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *guid = g_strnfill (128, 'g');
      g_autoptr(GBytes) frame = alloy_nexus_encode_initiated (ALLOY_NEXUS_VARIANT_OLD, 1, guid,
                                                              "s");

      g_assert_null (frame);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*Nexus guid of 128 bytes: at most 127 fit*");
  /* 127 bytes is the most that fits. */
  {
    g_autofree char *guid = g_strnfill (127, 'g');
    g_autoptr(GBytes) frame = alloy_nexus_encode_heartbeat (ALLOY_NEXUS_VARIANT_OLD, guid, "s");
    g_autoptr(AlloyNexusMessage) message = decode_frame (frame, ALLOY_NEXUS_VARIANT_OLD);

    g_assert_cmpstr (message->guid, ==, guid);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/nexus-message/worked-frames", test_worked_frames);
  g_test_add_func ("/nexus-message/layout/initiate", test_initiate_layout);
  g_test_add_func ("/nexus-message/layout/abort", test_abort_layout);
  g_test_add_func ("/nexus-message/round-trip", test_round_trip);
  g_test_add_func ("/nexus-message/initiate-empty-filter", test_initiate_empty_filter);
  g_test_add_func ("/nexus-message/trace-context-entries", test_trace_context_entries);
  g_test_add_func ("/nexus-message/sniff", test_sniff);
  g_test_add_func ("/nexus-message/malformed/truncated", test_malformed_truncated);
  g_test_add_func ("/nexus-message/malformed/lengths", test_malformed_lengths);
  g_test_add_func ("/nexus-message/malformed/strings", test_malformed_strings);
  g_test_add_func ("/nexus-message/malformed/parcel", test_malformed_parcel);
  g_test_add_func ("/nexus-message/malformed/trailing", test_malformed_trailing);
  g_test_add_func ("/nexus-message/malformed/trace-context", test_malformed_trace_context);
  g_test_add_func ("/nexus-message/unknown-type", test_unknown_type);
  g_test_add_func ("/nexus-message/type-names", test_type_names);
  g_test_add_func ("/nexus-message/encode-too-long", test_encode_too_long);
  return g_test_run ();
}
