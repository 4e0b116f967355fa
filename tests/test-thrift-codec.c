/* test-thrift-codec.c: getViewGenerator's Thrift codec on the call side,
 * against frames built by hand from the protocol reference (§2.2, §2.5);
 * replies and exceptions are test-thrift-codec-reply.c's.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "thrift-test-utils.h"

/* The CALL of §2.5, with a flaw when asked for. */
typedef enum {
  CALL_GOOD,
  CALL_OLD_STYLE,
  CALL_UNKNOWN_METHOD,
  CALL_AS_ONEWAY,
  CALL_UNKNOWN_FIELDS,
  CALL_NO_SCHEMA,
  CALL_GUID_AS_I32,
  CALL_GUID_LENGTH_MINUS_ONE,
  CALL_GUID_LENGTH_HUGE,
  CALL_NAME_LENGTH_HUGE,
  CALL_MAP_COUNT_HUGE,
  CALL_LIST_COUNT_HUGE,
  CALL_MAP_OF_I32,
  CALL_MAP_VALUE_TOO_LONG,
  CALL_DEEP_NESTING,
  CALL_BAD_UTF8,
  CALL_NUL_IN_GUID,
  CALL_NUL_IN_NAME,
  CALL_BAD_VERSION,
  CALL_TRAILING_BYTE,
} CallVariant;

static void
put_unknown_fields (GByteArray *b)
{
  /* Every kind of value, with ids the IDL does not know. */
  put_field (b, T_DOUBLE, 90);
  put_i64 (b, 0x400921fb54442d18);
  put_field (b, T_BOOL, 91);
  put_u8 (b, 1);
  put_field (b, T_STRUCT, 92);
  put_field (b, T_STRING, 1);
  put_string (b, "nested");
  put_u8 (b, 0);
  put_field (b, T_LIST, 93);
  put_u8 (b, T_I32);
  put_i32 (b, 2);
  put_i32 (b, 1);
  put_i32 (b, 2);
  put_field (b, T_SET, 94);
  put_u8 (b, T_STRING);
  put_i32 (b, 1);
  put_string (b, "member");
  put_field (b, T_MAP, 95);
  put_map_header (b, T_I32, T_STRUCT, 1);
  put_i32 (b, 7);
  put_u8 (b, 0);
  put_field (b, T_MAP, 96);
  put_map_header (b, T_STRING, T_STRING, 0);
}

static GByteArray *
build_call (CallVariant variant)
{
  GByteArray *b = g_byte_array_new ();

  if (variant == CALL_OLD_STYLE)
    {
      put_string (b, "getViewGenerator");
      put_u8 (b, 1);
      put_i32 (b, 7);
    }
  else if (variant == CALL_NAME_LENGTH_HUGE)
    put_i32 (b, (gint32) 0x80010001), put_i32 (b, 0x7fffffff);
  else if (variant == CALL_NUL_IN_NAME)
    {
      put_i32 (b, (gint32) 0x80010001);
      put_raw_string (b, "getViewGenerator\0x", 18);
      put_i32 (b, 7);
    }
  else if (variant == CALL_BAD_VERSION)
    put_header (b, 0x00020001, "getViewGenerator", 7);
  else
    put_header (b, variant == CALL_AS_ONEWAY ? 4 : 1,
                variant == CALL_UNKNOWN_METHOD ? "getViewGenerators" : "getViewGenerator", 7);

  if (variant == CALL_UNKNOWN_FIELDS)
    put_unknown_fields (b);
  if (variant == CALL_GUID_AS_I32)
    put_field (b, T_I32, 1), put_i32 (b, 5);
  else if (variant == CALL_GUID_LENGTH_MINUS_ONE)
    put_field (b, T_STRING, 1), put_i32 (b, -1);
  else if (variant == CALL_GUID_LENGTH_HUGE)
    put_field (b, T_STRING, 1), put_i32 (b, 0x7fffffff);
  else if (variant == CALL_NUL_IN_GUID)
    put_field (b, T_STRING, 1), put_raw_string (b, "guid\0-1", 7);
  else
    put_field (b, T_STRING, 1), put_string (b, "guid-1");

  put_field (b, T_STRUCT, 2); /* dataSource */
  put_field (b, T_STRUCT, 1); /* domain */
  put_field (b, T_I64, 1);
  put_i64 (b, 42);
  put_field (b, T_MAP, 2);
  if (variant == CALL_MAP_COUNT_HUGE)
    put_map_header (b, T_STRING, T_STRING, 0x7fffffff);
  else if (variant == CALL_MAP_OF_I32)
    put_map_header (b, T_STRING, T_I32, 1), put_string (b, "dk"), put_i32 (b, 3);
  else if (variant == CALL_MAP_VALUE_TOO_LONG)
    put_map_header (b, T_STRING, T_STRING, 1), put_string (b, "dk"), put_i32 (b, 1000);
  else
    put_map_header (b, T_STRING, T_STRING, 1), put_string (b, "dk"), put_string (b, "dv");
  if (variant == CALL_UNKNOWN_FIELDS)
    put_unknown_fields (b);
  if (variant == CALL_LIST_COUNT_HUGE)
    put_field (b, T_LIST, 3), put_u8 (b, T_STRUCT), put_i32 (b, 0x7fffffff);
  if (variant == CALL_DEEP_NESTING)
    {
      put_field (b, T_STRUCT, 3);
      for (int i = 0; i < 100; i++)
        put_field (b, T_STRUCT, 1);
      for (int i = 0; i < 101; i++)
        put_u8 (b, 0);
    }
  put_u8 (b, 0);
  put_field (b, T_STRUCT, 2); /* view */
  put_field (b, T_I64, 1);
  put_i64 (b, -5);
  if (variant != CALL_NO_SCHEMA)
    put_field (b, T_STRING, 2), put_string (b, "quo");
  put_field (b, T_STRING, 3);
  put_string (b, "VIEW v { INCLUDE user }");
  put_field (b, T_MAP, 4);
  put_map_header (b, T_STRING, T_STRING, 0);
  put_field (b, T_MAP, 5);
  put_map_header (b, T_STRING, T_STRING, 2);
  put_string (b, "burst.view.a");
  put_string (b, "1");
  put_string (b, "burst.view.b");
  put_string (b, variant == CALL_BAD_UTF8 ? "\xc3(" : "2");
  put_u8 (b, 0);
  put_u8 (b, 0); /* end dataSource */
  if (variant == CALL_UNKNOWN_FIELDS)
    put_unknown_fields (b);
  put_u8 (b, 0); /* end args */
  if (variant == CALL_TRAILING_BYTE)
    put_u8 (b, 0);
  return b;
}

/* Decodes a copy of exactly @length bytes, so that the sanitizers and
 * valgrind see any read past the frame. */
static AlloyViewRequest *
decode_call (const guint8 *data, gsize length, AlloyThriftHeader *header, GError **error)
{
  g_autofree guint8 *copy = g_memdup2 (data, length);

  return alloy_thrift_decode_call (copy, length, header, error);
}

static AlloyViewRequest *
decode_variant (CallVariant variant, AlloyThriftHeader *header, GError **error)
{
  g_autoptr(GByteArray) b = build_call (variant);

  return decode_call (b->data, b->len, header, error);
}


static void
assert_good_request (const AlloyViewRequest *request)
{
  g_assert_nonnull (request);
  g_assert_cmpstr (request->guid, ==, "guid-1");
  g_assert_cmpint (request->domain_key, ==, 42);
  assert_properties (request->domain_properties, "dk", "dv", NULL);
  g_assert_cmpint (request->view_key, ==, -5);
  g_assert_cmpstr (request->schema_name, ==, "quo");
  g_assert_cmpstr (request->view_motif, ==, "VIEW v { INCLUDE user }");
  assert_properties (request->store_properties, NULL);
  assert_properties (request->view_properties, "burst.view.a", "1", "burst.view.b", "2", NULL);
}

static void
test_call_by_hand (void)
{
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewRequest) request = decode_variant (CALL_GOOD, &header, &error);

  g_assert_no_error (error);
  assert_good_request (request);
  g_assert_cmpstr (header.name, ==, "getViewGenerator");
  g_assert_cmpint (header.type, ==, ALLOY_THRIFT_CALL);
  g_assert_cmpint (header.seqid, ==, 7);
  g_assert_true (header.strict);
}

static void
test_call_old_style (void)
{
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewRequest) request = decode_variant (CALL_OLD_STYLE, &header, &error);

  g_assert_no_error (error);
  assert_good_request (request);
  g_assert_cmpstr (header.name, ==, "getViewGenerator");
  g_assert_cmpint (header.type, ==, ALLOY_THRIFT_CALL);
  g_assert_cmpint (header.seqid, ==, 7);
  g_assert_false (header.strict);
}

static void
test_call_unknown_fields (void)
{
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewRequest) request = decode_variant (CALL_UNKNOWN_FIELDS, &header, &error);

  g_assert_no_error (error);
  assert_good_request (request);
}

static void
test_call_unknown_method (void)
{
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewRequest) request = decode_variant (CALL_UNKNOWN_METHOD, &header, &error);

  g_assert_null (request);
  g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_UNKNOWN_METHOD);
  g_assert_cmpstr (error->message, ==, "unknown method 'getViewGenerators'");
  g_assert_cmpstr (header.name, ==, "getViewGenerators");
  g_assert_cmpint (header.type, ==, ALLOY_THRIFT_CALL);
  g_assert_cmpint (header.seqid, ==, 7);
  g_assert_true (header.strict);
}

static void
test_call_wrong_type (void)
{
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewRequest) request = decode_variant (CALL_AS_ONEWAY, &header, &error);

  g_assert_null (request);
  g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_WRONG_TYPE);
  g_assert_cmpstr (error->message, ==,
                   "getViewGenerator sent as message type 4 (ONEWAY), not as a CALL");
  g_assert_cmpstr (header.name, ==, "getViewGenerator");
  g_assert_cmpint (header.type, ==, ALLOY_THRIFT_ONEWAY);
  g_assert_cmpint (header.seqid, ==, 7);
}

/* Every prefix of a good CALL is malformed; the header is filled once it
 * is all there (4 + 4 + 16 + 4 bytes). */
static void
test_call_truncated (void)
{
  g_autoptr(GByteArray) b = build_call (CALL_UNKNOWN_FIELDS);

  for (gsize n = 0; n < b->len; n++)
    {
      g_auto(AlloyThriftHeader) header = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(AlloyViewRequest) request = decode_call (b->data, n, &header, &error);
      g_autofree char *at = g_strdup_printf ("malformed getViewGenerator call at byte ");

      g_assert_null (request);
      g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_MALFORMED);
      g_assert_true (g_str_has_prefix (error->message, at));
      if (n < 28)
        g_assert_null (header.name);
      else
        g_assert_cmpstr (header.name, ==, "getViewGenerator");
    }
}

#define ONES_10 ".1.1.1.1.1.1.1.1.1.1"
#define ONES_61 ONES_10 ONES_10 ONES_10 ONES_10 ONES_10 ONES_10 ".1"

/* Bytes of a good CALL changed at random (a fixed seed): whatever the
 * outcome, no crash, no leak, no read past the frame; a failure is one of
 * the decoder's errors. */
static void
test_call_mutations (void)
{
  g_autoptr(GByteArray) good = build_call (CALL_UNKNOWN_FIELDS);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611);
  static const guint8 interesting[] = { 0x00, 0x01, 0x0b, 0x0c, 0x0d, 0x0f, 0x7f, 0x80, 0xff };

  for (int round = 0; round < 3000; round++)
    {
      g_autoptr(GByteArray) b = g_byte_array_new ();
      g_auto(AlloyThriftHeader) header = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(AlloyViewRequest) request = NULL;
      int changes = g_rand_int_range (rand, 1, 4);

      g_byte_array_append (b, good->data, good->len);
      for (int i = 0; i < changes; i++)
        {
          guint at = (guint) g_rand_int_range (rand, 0, (gint32) b->len);

          b->data[at] = g_rand_boolean (rand)
                          ? interesting[g_rand_int_range (rand, 0, G_N_ELEMENTS (interesting))]
                          : (guint8) g_rand_int_range (rand, 0, 256);
        }
      request = decode_call (b->data, b->len, &header, &error);
      g_assert_true ((request == NULL) == (error != NULL));
      if (error != NULL)
        g_assert_true (error->domain == ALLOY_THRIFT_ERROR
                       && error->code <= ALLOY_THRIFT_ERROR_WRONG_TYPE);
    }
}

typedef struct {
  CallVariant variant;
  const char *message;
  gboolean header; /* filled */
} Malformed;

static const Malformed malformed_calls[] = {
  { CALL_NO_SCHEMA, "malformed getViewGenerator call: missing required field "
    "dataSource.view.schemaName", TRUE },
  /* c_glib skips a known field of the wrong type; it is then missing. */
  { CALL_GUID_AS_I32, "malformed getViewGenerator call: missing required field guid", TRUE },
  { CALL_GUID_LENGTH_MINUS_ONE, "malformed getViewGenerator call at byte 31 (field 1): "
    "negative string length -1", TRUE },
  { CALL_GUID_LENGTH_HUGE, "malformed getViewGenerator call at byte 31 (field 1): "
    "string length 2147483647 exceeds the 156 bytes left", TRUE },
  { CALL_NAME_LENGTH_HUGE, "malformed getViewGenerator call at byte 4: "
    "string length 2147483647 exceeds the 169 bytes left", FALSE },
  { CALL_MAP_COUNT_HUGE, "malformed getViewGenerator call at byte 61 (field 2.1.2): "
    "map of 2147483647 elements exceeds the 118 bytes left", TRUE },
  { CALL_LIST_COUNT_HUGE, "malformed getViewGenerator call at byte 82 (field 2.1.3): "
    "list of 2147483647 elements exceeds the 118 bytes left", TRUE },
  { CALL_MAP_OF_I32, "malformed getViewGenerator call at byte 67 (field 2.1.2): "
    "a map of type 8 where strings were expected", TRUE },
  { CALL_MAP_VALUE_TOO_LONG, "malformed getViewGenerator call at byte 61 (field 2.1.2): "
    "map entry 0 of 1: string length 1000 exceeds the 118 bytes left", TRUE },
  /* Levels 1-3: args, dataSource, domain; level 4 is unknown field 3;
   * the 61st struct in it would be level 65. */
  { CALL_DEEP_NESTING, "malformed getViewGenerator call at byte 265 (field 2.1.3"
    ONES_61 "): nested deeper than 64", TRUE },
  { CALL_BAD_UTF8, "malformed getViewGenerator call: a string that is not UTF-8 or holds a "
    "NUL byte at byte 189 (field 2.2.5)", TRUE },
  { CALL_NUL_IN_GUID, "malformed getViewGenerator call: a string that is not UTF-8 or holds "
    "a NUL byte at byte 31 (field 1)", TRUE },
  { CALL_NUL_IN_NAME, "malformed getViewGenerator call: the method name is a string that is "
    "not UTF-8 or holds a NUL byte at byte 4", TRUE },
  { CALL_BAD_VERSION, "malformed getViewGenerator call at byte 0: "
    "not a binary-protocol message (version word 0x80030001)", FALSE },
  { CALL_TRAILING_BYTE, "malformed getViewGenerator call at byte 197: "
    "1 bytes after the end of the message", TRUE },
};

static void
test_call_malformed (gconstpointer data)
{
  const Malformed *expected = data;
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewRequest) request = decode_variant (expected->variant, &header, &error);

  g_assert_null (request);
  g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_MALFORMED);
  g_assert_cmpstr (error->message, ==, expected->message);
  if (expected->header)
    g_assert_cmpstr (header.name, ==, "getViewGenerator");
  else
    g_assert_null (header.name);
}

static void
test_call_empty_frame (void)
{
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewRequest) request = alloy_thrift_decode_call (NULL, 0, &header, &error);

  g_assert_null (request);
  g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_MALFORMED);
  g_assert_cmpstr (error->message, ==, "malformed getViewGenerator call at byte 0: "
                   "the frame ends: 4 bytes needed, 0 left");
  g_assert_null (header.name);
}

static AlloyViewRequest *
sample_request (void)
{
  AlloyViewRequest *request = alloy_view_request_new ();

  g_free (request->guid);
  request->guid = g_strdup ("gü-✓");
  request->domain_key = G_MININT64;
  request->view_key = G_MAXINT64;
  g_free (request->schema_name);
  request->schema_name = g_strdup ("Quo");
  g_free (request->view_motif);
  request->view_motif = g_strdup ("VIEW v { INCLUDE user WHERE user.name == 'Zoë' }");
  g_hash_table_insert (request->store_properties, g_strdup ("burst.store.name"),
                       g_strdup ("alloy"));
  g_hash_table_insert (request->store_properties, g_strdup ("ключ"), g_strdup ("值"));
  g_hash_table_insert (request->store_properties, g_strdup (""), g_strdup (""));
  g_hash_table_insert (request->view_properties, g_strdup ("burst.view.x"), g_strdup ("1"));
  return request;
}

static void
test_call_round_trip (void)
{
  g_autoptr(AlloyViewRequest) request = sample_request ();
  g_autoptr(GBytes) frame = alloy_thrift_encode_call (-2, request);
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyViewRequest) decoded = NULL;
  const guint8 *body;
  gsize length;
  static const guint8 start[] = { 0x80, 0x01, 0x00, 0x01, 0, 0, 0, 16, 'g', 'e', 't', 'V', 'i',
                                  'e', 'w', 'G', 'e', 'n', 'e', 'r', 'a', 't', 'o', 'r',
                                  0xff, 0xff, 0xff, 0xfe };

  body = frame_body (frame, &length);
  g_assert_cmpmem (body, sizeof start, start, sizeof start);
  decoded = decode_call (body, length, &header, &error);
  g_assert_no_error (error);
  g_assert_cmpint (header.seqid, ==, -2);
  g_assert_cmpstr (decoded->guid, ==, "gü-✓");
  g_assert_cmpint (decoded->domain_key, ==, G_MININT64);
  assert_properties (decoded->domain_properties, NULL);
  g_assert_cmpint (decoded->view_key, ==, G_MAXINT64);
  g_assert_cmpstr (decoded->schema_name, ==, "Quo");
  g_assert_cmpstr (decoded->view_motif, ==, request->view_motif);
  assert_properties (decoded->store_properties, "burst.store.name", "alloy", "ключ", "值",
                     "", "", NULL);
  assert_properties (decoded->view_properties, "burst.view.x", "1", NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/thrift-codec/call/by-hand", test_call_by_hand);
  g_test_add_func ("/thrift-codec/call/old-style-header", test_call_old_style);
  g_test_add_func ("/thrift-codec/call/unknown-fields", test_call_unknown_fields);
  g_test_add_func ("/thrift-codec/call/unknown-method", test_call_unknown_method);
  g_test_add_func ("/thrift-codec/call/wrong-type", test_call_wrong_type);
  g_test_add_func ("/thrift-codec/call/truncated", test_call_truncated);
  g_test_add_func ("/thrift-codec/call/empty-frame", test_call_empty_frame);
  g_test_add_func ("/thrift-codec/call/mutations", test_call_mutations);
  for (gsize i = 0; i < G_N_ELEMENTS (malformed_calls); i++)
    {
      static const char *const names[] = {
        [CALL_NO_SCHEMA] = "missing-field",
        [CALL_GUID_AS_I32] = "wrong-field-type",
        [CALL_GUID_LENGTH_MINUS_ONE] = "string-length-minus-one",
        [CALL_GUID_LENGTH_HUGE] = "string-length-huge",
        [CALL_NAME_LENGTH_HUGE] = "name-length-huge",
        [CALL_MAP_COUNT_HUGE] = "map-count-huge",
        [CALL_LIST_COUNT_HUGE] = "list-count-huge",
        [CALL_MAP_OF_I32] = "map-of-i32",
        [CALL_MAP_VALUE_TOO_LONG] = "map-value-too-long",
        [CALL_DEEP_NESTING] = "deep-nesting",
        [CALL_BAD_UTF8] = "bad-utf8",
        [CALL_NUL_IN_GUID] = "nul-in-string",
        [CALL_NUL_IN_NAME] = "nul-in-method-name",
        [CALL_BAD_VERSION] = "bad-version",
        [CALL_TRAILING_BYTE] = "trailing-byte",
      };
      g_autofree char *path = g_strdup_printf ("/thrift-codec/call/malformed/%s",
                                               names[malformed_calls[i].variant]);

      g_test_add_data_func (path, &malformed_calls[i], test_call_malformed);
    }
  g_test_add_func ("/thrift-codec/call/round-trip", test_call_round_trip);
  return g_test_run ();
}
