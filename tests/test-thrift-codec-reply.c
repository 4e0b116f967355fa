/* test-thrift-codec-reply.c: getViewGenerator's Thrift codec on the reply
 * side: REPLY and EXCEPTION frames, byte for byte against the protocol
 * reference (§2.5), round trips, and the client's checks of a reply.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "thrift-test-utils.h"

/* §2.5's REPLY, byte for byte, for a small answer. */
static void
test_reply_worked_bytes (void)
{
  static const guint8 expected[] = {
    0x00, 0x00, 0x00, 0x92,                             /* frame length: 146 */
    0x80, 0x01, 0x00, 0x02,                             /* strict | REPLY */
    0x00, 0x00, 0x00, 0x10, 'g', 'e', 't', 'V', 'i', 'e', 'w', 'G', 'e', 'n', 'e', 'r',
    'a', 't', 'o', 'r',
    0x9a, 0xbc, 0xde, 0xf0,                             /* seqid, negative */
    0x0c, 0x00, 0x00,                                   /* result field 0 */
    0x0c, 0x00, 0x01,                                   /* context */
    0x0b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 'g', '1',
    0x08, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
    0x0b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 'O', 'K',
    0x00,
    0x0b, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 'h', '1', /* generationHash */
    0x0f, 0x00, 0x03, 0x0c, 0x00, 0x00, 0x00, 0x01,     /* loci */
    0x0b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 'B', '1',
    0x0b, 0x00, 0x02, 0x00, 0x00, 0x00, 0x08, '1', '0', '.', '0', '.', '0', '.', '1',
    0x0b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 'a',
    0x08, 0x00, 0x04, 0x00, 0x00, 0x04, 0xf7,           /* port 1271 */
    0x0d, 0x00, 0x05, 0x0b, 0x0b, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x01, 'k', 0x00, 0x00, 0x00, 0x01, 'v',
    0x00,
    0x0b, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 'm',      /* motifFilter */
    0x00,                                               /* end ViewGenerator */
    0x00,                                               /* end result */
  };
  g_autoptr(AlloyViewAnswer) answer = alloy_view_answer_new_success ("g1", "h1", "m");
  AlloyLocus *locus = alloy_locus_new ("B1", "10.0.0.1", "a", 1271);
  g_autoptr(GBytes) frame = NULL;

  g_hash_table_insert (locus->partition_properties, g_strdup ("k"), g_strdup ("v"));
  g_ptr_array_add (answer->loci, locus);
  frame = alloy_thrift_encode_reply ((gint32) 0x9abcdef0, answer);
  g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame),
                   expected, sizeof expected);
}

/* A failure: NO_HASH, no loci, no motif filter. */
static void
test_reply_failure_bytes (void)
{
  static const guint8 expected[] = {
    0x00, 0x00, 0x00, 0x4d,
    0x80, 0x01, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x10, 'g', 'e', 't', 'V', 'i', 'e', 'w', 'G', 'e', 'n', 'e', 'r',
    'a', 't', 'o', 'r',
    0x00, 0x00, 0x00, 0x05,
    0x0c, 0x00, 0x00,
    0x0c, 0x00, 0x01,
    0x0b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 'g', '1',
    0x08, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03,
    0x0b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03, 'b', 'a', 'd',
    0x00,
    0x0b, 0x00, 0x02, 0x00, 0x00, 0x00, 0x07, 'N', 'O', '_', 'H', 'A', 'S', 'H',
    0x00,
    0x00,
  };
  g_autoptr(AlloyViewAnswer) answer = alloy_view_answer_new_failure ("g1",
                                                                     ALLOY_VIEW_STATE_INVALID,
                                                                     "bad");
  g_autoptr(GBytes) frame = alloy_thrift_encode_reply (5, answer);

  g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame),
                   expected, sizeof expected);
}

static void
test_exception_bytes (void)
{
  static const guint8 expected[] = {
    0x00, 0x00, 0x00, 0x2c,
    0x80, 0x01, 0x00, 0x03,
    0x00, 0x00, 0x00, 0x03, 'f', 'o', 'o',
    0xff, 0xff, 0xff, 0xff,
    0x0b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0e, 'u', 'n', 'k', 'n', 'o', 'w', 'n', ' ', 'm',
    'e', 't', 'h', 'o', 'd',
    0x08, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
    0x00,
  };
  g_autoptr(GBytes) frame = alloy_thrift_encode_exception ("foo", -1,
                                                           ALLOY_THRIFT_APP_UNKNOWN_METHOD,
                                                           "unknown method");

  g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame),
                   expected, sizeof expected);
}

static AlloyViewAnswer *
decode_reply (GBytes *frame, gint32 seqid, GError **error)
{
  gsize length;
  const guint8 *body = frame_body (frame, &length);
  g_autofree guint8 *copy = g_memdup2 (body, length);

  return alloy_thrift_decode_reply (copy, length, seqid, error);
}

static void
test_reply_round_trip (void)
{
  g_autoptr(AlloyViewAnswer) answer = alloy_view_answer_new_success ("gü", "hash-✓",
                                                                     "VIEW v { }");
  g_autoptr(AlloyViewAnswer) decoded = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GError) error = NULL;
  AlloyLocus *locus;

  locus = alloy_locus_new ("B0123", "10.0.0.6", "alloy-ü", 1270);
  g_hash_table_insert (locus->partition_properties, g_strdup ("alloy.partition"),
                       g_strdup ("0/2"));
  g_hash_table_insert (locus->partition_properties, g_strdup ("名"), g_strdup ("值"));
  g_ptr_array_add (answer->loci, locus);
  g_ptr_array_add (answer->loci, alloy_locus_new ("B4567", "unix:/run/a.sock", "", 0));
  frame = alloy_thrift_encode_reply (G_MININT32, answer);

  decoded = decode_reply (frame, G_MININT32, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (decoded->guid, ==, "gü");
  g_assert_cmpint (decoded->state, ==, ALLOY_VIEW_STATE_SUCCESS);
  g_assert_cmpstr (decoded->message, ==, "OK");
  g_assert_cmpstr (decoded->generation_hash, ==, "hash-✓");
  g_assert_cmpstr (decoded->motif_filter, ==, "VIEW v { }");
  g_assert_nonnull (decoded->loci);
  g_assert_cmpuint (decoded->loci->len, ==, 2);
  locus = g_ptr_array_index (decoded->loci, 0);
  g_assert_cmpstr (locus->suid, ==, "B0123");
  g_assert_cmpstr (locus->host_address, ==, "10.0.0.6");
  g_assert_cmpstr (locus->host_name, ==, "alloy-ü");
  g_assert_cmpint (locus->port, ==, 1270);
  assert_properties (locus->partition_properties, "alloy.partition", "0/2", "名", "值", NULL);
  locus = g_ptr_array_index (decoded->loci, 1);
  g_assert_cmpstr (locus->suid, ==, "B4567");
  g_assert_cmpstr (locus->host_address, ==, "unix:/run/a.sock");
  g_assert_cmpstr (locus->host_name, ==, "");
  g_assert_cmpint (locus->port, ==, 0);
  assert_properties (locus->partition_properties, NULL);
}

/* Present and empty is not absent: the caller tells them apart. */
static void
test_reply_empty_loci (void)
{
  g_autoptr(AlloyViewAnswer) answer = alloy_view_answer_new_success ("g", "h", "");
  g_autoptr(GBytes) frame = alloy_thrift_encode_reply (1, answer);
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewAnswer) decoded = decode_reply (frame, 1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (decoded->loci);
  g_assert_cmpuint (decoded->loci->len, ==, 0);
  g_assert_cmpstr (decoded->motif_filter, ==, "");
}

static void
test_reply_failure (void)
{
  g_autoptr(AlloyViewAnswer) answer = alloy_view_answer_new_failure (
    "g1", ALLOY_VIEW_STATE_EXCEPTION, "no such dataset");
  g_autoptr(GBytes) frame = alloy_thrift_encode_reply (9, answer);
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewAnswer) decoded = decode_reply (frame, 9, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (decoded->guid, ==, "g1");
  g_assert_cmpint (decoded->state, ==, ALLOY_VIEW_STATE_EXCEPTION);
  g_assert_cmpstr (decoded->message, ==, "no such dataset");
  g_assert_cmpstr (decoded->generation_hash, ==, ALLOY_VIEW_NO_HASH);
  g_assert_null (decoded->loci);
  g_assert_null (decoded->motif_filter);
}

static void
test_reply_wrong_seqid (void)
{
  g_autoptr(AlloyViewAnswer) answer = alloy_view_answer_new_success ("g", "h", "m");
  g_autoptr(GBytes) frame = alloy_thrift_encode_reply (-7, answer);
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewAnswer) decoded = decode_reply (frame, 7, &error);

  g_assert_null (decoded);
  g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==, "the reply's seqid -7 is not the call's 7");
}

static void
test_reply_exception (void)
{
  g_autoptr(GBytes) frame = alloy_thrift_encode_exception (NULL, 3,
                                                           ALLOY_THRIFT_APP_PROTOCOL_ERROR,
                                                           "malformed call");
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewAnswer) decoded = decode_reply (frame, 3, &error);

  g_assert_null (decoded);
  g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_APPLICATION_EXCEPTION);
  g_assert_cmpstr (error->message, ==,
                   "the sample store failed the call: malformed call (TApplicationException type 7)");
}

/* A repeated field keeps the last value (and leaks nothing). */
static void
test_reply_exception_repeated_field (void)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewAnswer) decoded = NULL;

  put_header (b, ALLOY_THRIFT_EXCEPTION, "getViewGenerator", 4);
  put_field (b, T_STRING, 1), put_string (b, "first");
  put_field (b, T_STRING, 1), put_string (b, "second");
  put_field (b, T_I32, 2), put_i32 (b, ALLOY_THRIFT_APP_UNKNOWN_METHOD);
  put_u8 (b, 0);
  decoded = alloy_thrift_decode_reply (b->data, b->len, 4, &error);
  g_assert_null (decoded);
  g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_APPLICATION_EXCEPTION);
  g_assert_cmpstr (error->message, ==,
                   "the sample store failed the call: second (TApplicationException type 1)");
}

/* Many loci: reading is linear in the frame. */
static void
test_reply_many_loci (void)
{
  g_autoptr(AlloyViewAnswer) answer = alloy_view_answer_new_success ("g", "h", "m");
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewAnswer) decoded = NULL;

  for (int i = 0; i < 5000; i++)
    {
      g_autofree char *suid = g_strdup_printf ("B%032X", i);
      AlloyLocus *locus = alloy_locus_new (suid, "10.0.0.1", "alloy-1", 1270);

      g_hash_table_insert (locus->partition_properties, g_strdup ("alloy.partition"),
                           g_strdup_printf ("%d/5000", i));
      g_ptr_array_add (answer->loci, locus);
    }
  frame = alloy_thrift_encode_reply (1, answer);
  decoded = decode_reply (frame, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (decoded->loci->len, ==, 5000);
  for (guint i = 0; i < 5000; i++)
    {
      AlloyLocus *locus = g_ptr_array_index (decoded->loci, i);
      g_autofree char *suid = g_strdup_printf ("B%032X", i);
      g_autofree char *partition = g_strdup_printf ("%u/5000", i);

      g_assert_cmpstr (locus->suid, ==, suid);
      assert_properties (locus->partition_properties, "alloy.partition", partition, NULL);
    }
}

/* A reply frame by hand: @flaw 1 drops generationHash, 2 a locus's port,
 * 3 the result, 4 makes it a CALL, 5 names another method. */
static GBytes *
build_reply (int flaw)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();

  put_header (b, flaw == 4 ? 1 : 2, flaw == 5 ? "other" : "getViewGenerator", 11);
  if (flaw != 3)
    {
      put_field (b, T_STRUCT, 0);
      put_field (b, T_STRUCT, 1);
      put_field (b, T_STRING, 1), put_string (b, "g");
      put_field (b, T_I32, 2), put_i32 (b, 0);
      put_field (b, T_STRING, 3), put_string (b, "OK");
      put_u8 (b, 0);
      if (flaw != 1)
        put_field (b, T_STRING, 2), put_string (b, "h");
      put_field (b, T_LIST, 3), put_u8 (b, T_STRUCT), put_i32 (b, 1);
      put_field (b, T_STRING, 1), put_string (b, "B1");
      put_field (b, T_STRING, 2), put_string (b, "10.0.0.1");
      put_field (b, T_STRING, 3), put_string (b, "a");
      if (flaw != 2)
        put_field (b, T_I32, 4), put_i32 (b, 1);
      put_field (b, T_MAP, 5), put_map_header (b, T_STRING, T_STRING, 0);
      put_u8 (b, 0);
      put_field (b, T_STRING, 4), put_string (b, "m");
      put_u8 (b, 0);
    }
  put_u8 (b, 0);
  return g_byte_array_free_to_bytes (g_steal_pointer (&b));
}

static void
test_reply_by_hand (void)
{
  static const struct {
    int flaw;
    const char *message;
  } cases[] = {
    { 0, NULL },
    { 1, "malformed getViewGenerator reply: missing required field generationHash" },
    { 2, "malformed getViewGenerator reply: missing required field loci[0].port" },
    { 3, "malformed getViewGenerator reply: no result (field 0, the ViewGenerator)" },
    { 4, "a message of type 1 (CALL) for method 'getViewGenerator' where a getViewGenerator "
      "REPLY was expected" },
    { 5, "a message of type 2 (REPLY) for method 'other' where a getViewGenerator REPLY was "
      "expected" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) body = build_reply (cases[i].flaw);
      g_autoptr(GError) error = NULL;
      g_autoptr(AlloyViewAnswer) decoded = NULL;
      gsize length;
      const guint8 *data = g_bytes_get_data (body, &length);

      decoded = alloy_thrift_decode_reply (data, length, 11, &error);
      if (cases[i].message == NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpuint (decoded->loci->len, ==, 1);
          continue;
        }
      g_assert_null (decoded);
      g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_PROTOCOL);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_reply_truncated (void)
{
  g_autoptr(AlloyViewAnswer) answer = alloy_view_answer_new_success ("g", "h", "m");
  g_autoptr(GBytes) frame = NULL;
  AlloyLocus *locus = alloy_locus_new ("B1", "10.0.0.1", "a", 1);
  const guint8 *body;
  gsize length;

  g_hash_table_insert (locus->partition_properties, g_strdup ("k"), g_strdup ("v"));
  g_ptr_array_add (answer->loci, locus);
  frame = alloy_thrift_encode_reply (1, answer);
  body = frame_body (frame, &length);
  for (gsize n = 0; n < length; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree guint8 *copy = g_memdup2 (body, n);
      g_autoptr(AlloyViewAnswer) decoded = alloy_thrift_decode_reply (copy, n, 1, &error);

      g_assert_null (decoded);
      g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_MALFORMED);
      g_assert_true (g_str_has_prefix (error->message, "malformed getViewGenerator reply at byte "));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/thrift-codec/reply/worked-bytes", test_reply_worked_bytes);
  g_test_add_func ("/thrift-codec/reply/failure-bytes", test_reply_failure_bytes);
  g_test_add_func ("/thrift-codec/exception/bytes", test_exception_bytes);
  g_test_add_func ("/thrift-codec/reply/round-trip", test_reply_round_trip);
  g_test_add_func ("/thrift-codec/reply/empty-loci", test_reply_empty_loci);
  g_test_add_func ("/thrift-codec/reply/failure", test_reply_failure);
  g_test_add_func ("/thrift-codec/reply/wrong-seqid", test_reply_wrong_seqid);
  g_test_add_func ("/thrift-codec/reply/exception", test_reply_exception);
  g_test_add_func ("/thrift-codec/reply/exception-repeated-field",
                   test_reply_exception_repeated_field);
  g_test_add_func ("/thrift-codec/reply/many-loci", test_reply_many_loci);
  g_test_add_func ("/thrift-codec/reply/by-hand", test_reply_by_hand);
  g_test_add_func ("/thrift-codec/reply/truncated", test_reply_truncated);
  return g_test_run ();
}
