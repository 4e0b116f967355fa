/* test-peer-codec.c: the peer API's codec (getInventory, core/thrift/peer.thrift)
 * on the call side: round trips, the wire format pinned byte for byte
 * against frames built by hand, the server's errors on a call, and hostile
 * frames (every truncation, random mutations). Replies are in
 * test-peer-codec-reply.c.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "peer-codec-test-utils.h"

#include <string.h>

/* A getInventory CALL (seqid 7, dataset "events", schema "quo"), with a
 * flaw when asked for. */
typedef enum {
  CALL_GOOD,
  CALL_OLD_STYLE,
  CALL_UNKNOWN_FIELDS,
  CALL_UNKNOWN_METHOD,
  CALL_AS_REPLY,
  CALL_NO_REQUEST,
  CALL_REQUEST_AS_STRING,
  CALL_NO_DATASET,
  CALL_NO_SCHEMA,
  CALL_DATASET_LENGTH_HUGE,
  CALL_BAD_UTF8,
  CALL_TRAILING_BYTE,
} CallVariant;

static void
put_unknown_fields (GByteArray *b)
{
  put_field (b, T_I64, 40);
  put_i64 (b, -1);
  put_field (b, T_STRUCT, 41);
  put_field (b, T_STRING, 1);
  put_string (b, "nested");
  put_u8 (b, 0);
  put_field (b, T_LIST, 42);
  put_u8 (b, T_STRING);
  put_i32 (b, 2);
  put_string (b, "x");
  put_string (b, "y");
  put_field (b, T_MAP, 43);
  put_map_header (b, T_STRING, T_I32, 1);
  put_string (b, "k");
  put_i32 (b, 3);
}

static GByteArray *
build_call (CallVariant variant)
{
  GByteArray *b = g_byte_array_new ();

  if (variant == CALL_OLD_STYLE)
    {
      put_string (b, "getInventory");
      put_u8 (b, ALLOY_THRIFT_CALL);
      put_i32 (b, 7);
    }
  else
    put_header (b, variant == CALL_AS_REPLY ? ALLOY_THRIFT_REPLY : ALLOY_THRIFT_CALL,
                variant == CALL_UNKNOWN_METHOD ? "getInventorx" : "getInventory", 7);

  if (variant == CALL_UNKNOWN_FIELDS)
    put_unknown_fields (b);
  if (variant == CALL_REQUEST_AS_STRING)
    put_field (b, T_STRING, 1), put_string (b, "events");
  else if (variant != CALL_NO_REQUEST)
    {
      put_field (b, T_STRUCT, 1); /* request */
      if (variant == CALL_UNKNOWN_FIELDS)
        put_unknown_fields (b);
      if (variant == CALL_DATASET_LENGTH_HUGE)
        put_field (b, T_STRING, 1), put_i32 (b, 0x7fffffff);
      else if (variant == CALL_BAD_UTF8)
        put_field (b, T_STRING, 1), put_string (b, "ev\xc3(nts");
      else if (variant != CALL_NO_DATASET)
        put_field (b, T_STRING, 1), put_string (b, "events");
      if (variant != CALL_NO_SCHEMA)
        put_field (b, T_STRING, 2), put_string (b, "quo");
      put_u8 (b, 0);
    }
  if (variant == CALL_UNKNOWN_FIELDS)
    put_unknown_fields (b);
  put_u8 (b, 0); /* end args */
  if (variant == CALL_TRAILING_BYTE)
    put_u8 (b, 0);
  return b;
}

/* The encoder's frame, byte for byte: the strict header, then field 1, an
 * InventoryRequest {1: dataset, 2: schemaName}. */
static void
test_call_bytes (void)
{
  g_autoptr(GByteArray) expected = build_call (CALL_GOOD);
  g_autoptr(GBytes) frame = alloy_peer_encode_call (7, "events", "quo");
  static const guint8 literal[] = {
    0x80, 0x01, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x0c, 'g', 'e', 't', 'I', 'n', 'v', 'e', 'n', 't', 'o', 'r', 'y',
    0x00, 0x00, 0x00, 0x07,
    0x0c, 0x00, 0x01,
    0x0b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 'e', 'v', 'e', 'n', 't', 's',
    0x0b, 0x00, 0x02, 0x00, 0x00, 0x00, 0x03, 'q', 'u', 'o',
    0x00,
    0x00,
  };
  const guint8 *body;
  gsize length;

  body = frame_body (frame, &length);
  g_assert_cmpmem (body, length, expected->data, expected->len);
  g_assert_cmpmem (body, length, literal, sizeof literal);
  /* How the Nexus port tells a peer call from a Nexus frame. */
  g_assert_cmpuint (body[0], ==, ALLOY_PEER_FRAME_FIRST_BYTE);
}

static void
test_call_round_trip (void)
{
  static const struct {
    gint32 seqid;
    const char *dataset;
    const char *schema_name;
  } cases[] = {
    { 0, "events", "quo" },
    { -1, "", "" },
    { G_MININT32, "ünïcødé-✓", "Schéma" },
    { G_MAXINT32, "a-rather-long-dataset-name-with-dashes_and_underscores.v2", "quo" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) frame = alloy_peer_encode_call (cases[i].seqid, cases[i].dataset,
                                                        cases[i].schema_name);
      g_auto(AlloyThriftHeader) header = { 0 };
      g_autoptr(GError) error = NULL;
      g_autofree char *dataset = NULL;
      g_autofree char *schema_name = NULL;
      const guint8 *body;
      gsize length;

      body = frame_body (frame, &length);
      g_assert_true (decode_call (body, length, &header, &dataset, &schema_name, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (dataset, ==, cases[i].dataset);
      g_assert_cmpstr (schema_name, ==, cases[i].schema_name);
      g_assert_cmpstr (header.name, ==, ALLOY_PEER_METHOD);
      g_assert_cmpint (header.type, ==, ALLOY_THRIFT_CALL);
      g_assert_cmpint (header.seqid, ==, cases[i].seqid);
      g_assert_true (header.strict);
    }
}

/* Good calls by hand: the old-style header, unknown fields skipped at
 * every level. */
static void
test_call_accepted (void)
{
  static const struct {
    CallVariant variant;
    gboolean strict;
  } cases[] = {
    { CALL_GOOD, TRUE },
    { CALL_OLD_STYLE, FALSE },
    { CALL_UNKNOWN_FIELDS, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) b = build_call (cases[i].variant);
      g_auto(AlloyThriftHeader) header = { 0 };
      g_autoptr(GError) error = NULL;
      g_autofree char *dataset = NULL;
      g_autofree char *schema_name = NULL;

      g_assert_true (decode_call (b->data, b->len, &header, &dataset, &schema_name, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (dataset, ==, "events");
      g_assert_cmpstr (schema_name, ==, "quo");
      g_assert_cmpstr (header.name, ==, "getInventory");
      g_assert_cmpint (header.type, ==, ALLOY_THRIFT_CALL);
      g_assert_cmpint (header.seqid, ==, 7);
      g_assert_cmpint (header.strict, ==, cases[i].strict);
    }
}

typedef struct {
  const char *name;
  CallVariant variant;
  gint code;
  const char *message;
  gint32 header_type; /* 0: the header is not filled */
} RefusedCall;

static const RefusedCall refused_calls[] = {
  { "unknown-method", CALL_UNKNOWN_METHOD, ALLOY_THRIFT_ERROR_UNKNOWN_METHOD,
    "unknown method 'getInventorx'", ALLOY_THRIFT_CALL },
  { "wrong-type", CALL_AS_REPLY, ALLOY_THRIFT_ERROR_WRONG_TYPE,
    "getInventory sent as message type 2 (REPLY), not as a CALL", ALLOY_THRIFT_REPLY },
  { "missing-request", CALL_NO_REQUEST, ALLOY_THRIFT_ERROR_MALFORMED,
    "malformed getInventory call: missing required field request", ALLOY_THRIFT_CALL },
  /* c_glib skips a known field of the wrong type: it is then missing. */
  { "request-as-string", CALL_REQUEST_AS_STRING, ALLOY_THRIFT_ERROR_MALFORMED,
    "malformed getInventory call: missing required field request", ALLOY_THRIFT_CALL },
  { "missing-dataset", CALL_NO_DATASET, ALLOY_THRIFT_ERROR_MALFORMED,
    "malformed getInventory call: missing required field request.dataset", ALLOY_THRIFT_CALL },
  { "missing-schema", CALL_NO_SCHEMA, ALLOY_THRIFT_ERROR_MALFORMED,
    "malformed getInventory call: missing required field request.schemaName",
    ALLOY_THRIFT_CALL },
  { "dataset-length-huge", CALL_DATASET_LENGTH_HUGE, ALLOY_THRIFT_ERROR_MALFORMED,
    "malformed getInventory call at byte 30 (field 1.1): string length 2147483647 exceeds "
    "the 12 bytes left", ALLOY_THRIFT_CALL },
  { "bad-utf8", CALL_BAD_UTF8, ALLOY_THRIFT_ERROR_MALFORMED,
    "malformed getInventory call: a string that is not UTF-8 or holds a NUL byte at byte 30 "
    "(field 1.1)", ALLOY_THRIFT_CALL },
  { "trailing-byte", CALL_TRAILING_BYTE, ALLOY_THRIFT_ERROR_MALFORMED,
    "malformed getInventory call at byte 52: 1 bytes after the end of the message",
    ALLOY_THRIFT_CALL },
};

/* The header is filled whenever it decodes, so that the server can answer
 * the failed call with an exception. */
static void
test_call_refused (gconstpointer data)
{
  const RefusedCall *expected = data;
  g_autoptr(GByteArray) b = build_call (expected->variant);
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dataset = NULL;
  g_autofree char *schema_name = NULL;

  g_assert_false (decode_call (b->data, b->len, &header, &dataset, &schema_name, &error));
  g_assert_error (error, ALLOY_THRIFT_ERROR, expected->code);
  g_assert_cmpstr (error->message, ==, expected->message);
  g_assert_null (dataset);
  g_assert_null (schema_name);
  g_assert_cmpstr (header.name, ==,
                   expected->variant == CALL_UNKNOWN_METHOD ? "getInventorx" : "getInventory");
  g_assert_cmpint (header.type, ==, expected->header_type);
  g_assert_cmpint (header.seqid, ==, 7);
  g_assert_true (header.strict);
}

static void
test_call_empty_frame (void)
{
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dataset = NULL;
  g_autofree char *schema_name = NULL;

  g_assert_false (alloy_peer_decode_call (NULL, 0, &header, &dataset, &schema_name, &error));
  g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_MALFORMED);
  g_assert_cmpstr (error->message, ==, "malformed getInventory call at byte 0: "
                   "the frame ends: 4 bytes needed, 0 left");
  g_assert_null (header.name);
  g_assert_null (dataset);
  g_assert_null (schema_name);
}

/* Every prefix of a good call is malformed; the header is filled once it
 * is all there (4 + 4 + 12 + 4 bytes). */
static void
test_call_truncated (void)
{
  g_autoptr(GByteArray) b = build_call (CALL_UNKNOWN_FIELDS);

  for (gsize n = 0; n < b->len; n++)
    {
      g_auto(AlloyThriftHeader) header = { 0 };
      g_autoptr(GError) error = NULL;
      g_autofree char *dataset = NULL;
      g_autofree char *schema_name = NULL;

      g_assert_false (decode_call (b->data, n, &header, &dataset, &schema_name, &error));
      g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_MALFORMED);
      g_assert_true (g_str_has_prefix (error->message, "malformed getInventory call at byte "));
      g_assert_null (dataset);
      g_assert_null (schema_name);
      if (n < 24)
        g_assert_null (header.name);
      else
        g_assert_cmpstr (header.name, ==, "getInventory");
    }
}

/* Bytes of a good call changed at random: whatever the outcome, no crash,
 * no leak, no read past the frame; a failure is one of the server's
 * errors, a success a getInventory CALL with both strings. */
static void
test_call_mutations (void)
{
  g_autoptr(GByteArray) good = build_call (CALL_UNKNOWN_FIELDS);
  guint failed = 0;

  for (int round = 0; round < 3000; round++)
    {
      g_autoptr(GByteArray) b = g_byte_array_new ();
      g_auto(AlloyThriftHeader) header = { 0 };
      g_autoptr(GError) error = NULL;
      g_autofree char *dataset = NULL;
      g_autofree char *schema_name = NULL;
      gboolean ok;

      g_byte_array_append (b, good->data, good->len);
      mutate (b);
      ok = decode_call (b->data, b->len, &header, &dataset, &schema_name, &error);
      g_assert_true (ok == (error == NULL));
      if (!ok)
        {
          g_assert_true (error->domain == ALLOY_THRIFT_ERROR);
          g_assert_cmpint (error->code, <=, ALLOY_THRIFT_ERROR_WRONG_TYPE);
          g_assert_null (dataset);
          g_assert_null (schema_name);
          failed++;
          continue;
        }
      g_assert_nonnull (dataset);
      g_assert_nonnull (schema_name);
      g_assert_true (g_utf8_validate (dataset, -1, NULL));
      g_assert_cmpstr (header.name, ==, "getInventory");
      g_assert_cmpint (header.type, ==, ALLOY_THRIFT_CALL);
    }
  /* Both outcomes came up. */
  g_assert_cmpuint (failed, >, 0);
  g_assert_cmpuint (failed, <, 3000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/peer-codec/call/bytes", test_call_bytes);
  g_test_add_func ("/peer-codec/call/round-trip", test_call_round_trip);
  g_test_add_func ("/peer-codec/call/accepted", test_call_accepted);
  for (gsize i = 0; i < G_N_ELEMENTS (refused_calls); i++)
    {
      g_autofree char *path = g_strdup_printf ("/peer-codec/call/refused/%s",
                                               refused_calls[i].name);

      g_test_add_data_func (path, &refused_calls[i], test_call_refused);
    }
  g_test_add_func ("/peer-codec/call/empty-frame", test_call_empty_frame);
  g_test_add_func ("/peer-codec/call/truncated", test_call_truncated);
  g_test_add_func ("/peer-codec/call/mutations", test_call_mutations);
  return g_test_run ();
}
