/* test-peer-codec-reply.c: the peer API's codec (getInventory,
 * core/thrift/peer.thrift) on the reply side: round trips, the wire format
 * pinned byte for byte against frames built by hand, the client's checks
 * of a reply, and hostile frames (every truncation, random mutations).
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "peer-codec-test-utils.h"

#include <string.h>

#define DIGEST_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DIGEST_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define DIGEST_S "5555555555555555555555555555555555555555555555555555555555555555"
#define TIB G_GINT64_CONSTANT (1099511627776) /* 2^40 */

static AlloyInventory *
held_inventory (void)
{
  AlloyInventory *inventory = alloy_inventory_new (ALLOY_INVENTORY_HELD, "alloy-1", NULL);

  inventory->schema_name = g_strdup ("quo");
  inventory->schema_digest = g_strdup (DIGEST_S);
  inventory->root_version = 2;
  inventory->press_options = g_strdup ("item.max=64M");
  alloy_inventory_add_partition (inventory, "a.ndjson", "a.ndjson", DIGEST_A, 0, 100);
  alloy_inventory_add_partition (inventory, "b.ndjson@0-1099511627776", "b.ndjson", DIGEST_B, 0,
                                 TIB);
  alloy_inventory_add_partition (inventory, "b.ndjson@1099511627776-1099511627781", "b.ndjson",
                                 DIGEST_B, TIB, TIB + 5);
  return inventory;
}

static void
assert_inventory_equal (const AlloyInventory *decoded, const AlloyInventory *expected)
{
  g_assert_nonnull (decoded);
  g_assert_cmpint (decoded->state, ==, expected->state);
  g_assert_cmpstr (decoded->message, ==, expected->message);
  g_assert_cmpstr (decoded->peer_id, ==, expected->peer_id);
  g_assert_cmpstr (decoded->schema_name, ==, expected->schema_name);
  g_assert_cmpstr (decoded->schema_digest, ==, expected->schema_digest);
  g_assert_cmpint (decoded->root_version, ==, expected->root_version);
  g_assert_cmpstr (decoded->press_options, ==, expected->press_options);
  g_assert_cmpuint (decoded->partitions->len, ==, expected->partitions->len);
  for (guint i = 0; i < expected->partitions->len; i++)
    {
      const AlloyInventoryPartition *a = decoded->partitions->pdata[i];
      const AlloyInventoryPartition *b = expected->partitions->pdata[i];

      g_assert_cmpstr (a->id, ==, b->id);
      g_assert_cmpstr (a->path, ==, b->path);
      g_assert_cmpstr (a->digest, ==, b->digest);
      g_assert_cmpuint (a->range_start, ==, b->range_start);
      g_assert_cmpuint (a->range_end, ==, b->range_end);
    }
  g_assert_cmpuint (decoded->refused->len, ==, expected->refused->len);
  for (guint i = 0; i < expected->refused->len; i++)
    {
      const AlloyInventoryRefused *a = decoded->refused->pdata[i];
      const AlloyInventoryRefused *b = expected->refused->pdata[i];

      g_assert_cmpstr (a->path, ==, b->path);
      g_assert_cmpstr (a->reason, ==, b->reason);
    }
}

/* A REPLY by hand (seqid 11): the held inventory above, with a flaw when
 * asked for. */
typedef enum {
  REPLY_GOOD,
  REPLY_NO_RESULT,
  REPLY_NO_STATE,
  REPLY_NO_MESSAGE,
  REPLY_NO_PEER_ID,
  REPLY_NO_SCHEMA_NAME,
  REPLY_NO_SCHEMA_DIGEST,
  REPLY_NO_ROOT_VERSION,
  REPLY_NO_PRESS_OPTIONS,
  REPLY_NO_PARTITIONS,
  REPLY_NO_RANGE_END,
  REPLY_DUPLICATE_ID,
  REPLY_EMPTY_ID,
  REPLY_EMPTY_DIGEST,
  REPLY_BACKWARDS,
  REPLY_NEGATIVE_START,
  REPLY_STATE_9,
  REPLY_STATE_MINUS_1,
  REPLY_AS_CALL,
  REPLY_OTHER_METHOD,
  /* Not flaws: a state but HELD needs nothing more, and what comes is
   * dropped. */
  REPLY_ABSENT_BARE,
  REPLY_ABSENT_WITH_PARTITIONS,
} ReplyVariant;

static void
put_partition (GByteArray *b, const char *id, const char *path, const char *digest,
               gint64 start, gint64 end, gboolean with_end)
{
  put_field (b, T_STRING, 1), put_string (b, id);
  put_field (b, T_STRING, 2), put_string (b, path);
  put_field (b, T_STRING, 3), put_string (b, digest);
  put_field (b, T_I64, 4), put_i64 (b, start);
  if (with_end)
    put_field (b, T_I64, 5), put_i64 (b, end);
  put_u8 (b, 0);
}

static GByteArray *
build_reply (ReplyVariant variant)
{
  GByteArray *b = g_byte_array_new ();
  gboolean absent = variant == REPLY_ABSENT_BARE || variant == REPLY_ABSENT_WITH_PARTITIONS;
  gint32 state = absent ? ALLOY_INVENTORY_ABSENT : ALLOY_INVENTORY_HELD;

  if (variant == REPLY_STATE_9)
    state = 9;
  else if (variant == REPLY_STATE_MINUS_1)
    state = -1;
  put_header (b, variant == REPLY_AS_CALL ? ALLOY_THRIFT_CALL : ALLOY_THRIFT_REPLY,
              variant == REPLY_OTHER_METHOD ? "getViewGenerator" : "getInventory", 11);
  if (variant != REPLY_NO_RESULT)
    {
      put_field (b, T_STRUCT, 0); /* success */
      if (variant != REPLY_NO_STATE)
        put_field (b, T_I32, 1), put_i32 (b, state);
      if (variant != REPLY_NO_MESSAGE)
        put_field (b, T_STRING, 2), put_string (b, absent ? "no dataset events here" : "OK");
      if (variant != REPLY_NO_PEER_ID)
        put_field (b, T_STRING, 3), put_string (b, "alloy-1");
      if (variant != REPLY_NO_SCHEMA_NAME && variant != REPLY_ABSENT_BARE)
        put_field (b, T_STRING, 4), put_string (b, "quo");
      if (variant != REPLY_NO_SCHEMA_DIGEST && variant != REPLY_ABSENT_BARE)
        put_field (b, T_STRING, 5), put_string (b, DIGEST_S);
      if (variant != REPLY_NO_ROOT_VERSION && variant != REPLY_ABSENT_BARE)
        put_field (b, T_I32, 6), put_i32 (b, 2);
      if (variant != REPLY_NO_PRESS_OPTIONS && variant != REPLY_ABSENT_BARE)
        put_field (b, T_STRING, 7), put_string (b, "item.max=64M");
      if (variant != REPLY_NO_PARTITIONS && variant != REPLY_ABSENT_BARE)
        {
          put_field (b, T_LIST, 8), put_u8 (b, T_STRUCT), put_i32 (b, 3);
          put_partition (b, "a.ndjson", "a.ndjson", DIGEST_A,
                         variant == REPLY_NEGATIVE_START ? -1 : 0, 100, TRUE);
          put_partition (b, variant == REPLY_EMPTY_ID ? "" : "b.ndjson@0-1099511627776",
                         "b.ndjson", variant == REPLY_EMPTY_DIGEST ? "" : DIGEST_B, 0, TIB,
                         variant != REPLY_NO_RANGE_END);
          put_partition (b,
                         variant == REPLY_DUPLICATE_ID ? "a.ndjson"
                                                       : "b.ndjson@1099511627776-1099511627781",
                         "b.ndjson", DIGEST_B, TIB,
                         variant == REPLY_BACKWARDS ? TIB - 1 : TIB + 5, TRUE);
        }
      put_u8 (b, 0); /* end Inventory */
    }
  put_u8 (b, 0); /* end result */
  return b;
}

/* The encoder writes exactly the frame built by hand: field ids and types,
 * the optional fields with HELD, ranges as i64. */
static void
test_reply_bytes (void)
{
  g_autoptr(GByteArray) expected = build_reply (REPLY_GOOD);
  g_autoptr(AlloyInventory) inventory = held_inventory ();
  g_autoptr(GBytes) frame = alloy_peer_encode_reply (11, inventory);
  const guint8 *body;
  gsize length;

  body = frame_body (frame, &length);
  g_assert_cmpmem (body, length, expected->data, expected->len);
}

/* Without HELD, only the three required fields go out. */
static void
test_reply_absent_bytes (void)
{
  static const guint8 expected[] = {
    0x00, 0x00, 0x00, 0x4f,
    0x80, 0x01, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x0c, 'g', 'e', 't', 'I', 'n', 'v', 'e', 'n', 't', 'o', 'r', 'y',
    0xff, 0xff, 0xff, 0xfd,
    0x0c, 0x00, 0x00,
    0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
    0x0b, 0x00, 0x02, 0x00, 0x00, 0x00, 0x16, 'n', 'o', ' ', 'd', 'a', 't', 'a', 's', 'e', 't',
    ' ', 'e', 'v', 'e', 'n', 't', 's', ' ', 'h', 'e', 'r', 'e',
    0x0b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07, 'a', 'l', 'l', 'o', 'y', '-', '1',
    0x00,
    0x00,
  };
  g_autoptr(AlloyInventory) inventory = alloy_inventory_new (ALLOY_INVENTORY_ABSENT, "alloy-1",
                                                             "no dataset events here");
  g_autoptr(GBytes) frame = NULL;

  /* Partitions of a peer that does not hold the dataset are not sent. */
  alloy_inventory_add_partition (inventory, "x", "x", DIGEST_A, 0, 1);
  frame = alloy_peer_encode_reply (-3, inventory);
  g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), expected,
                   sizeof expected);
}

static void
test_reply_round_trip (void)
{
  static const struct {
    AlloyInventoryState state;
    const char *message;
  } cases[] = {
    { ALLOY_INVENTORY_HELD, "OK" },
    { ALLOY_INVENTORY_ABSENT, "no dataset events here" },
    { ALLOY_INVENTORY_INVALID, "dataset.conf binds schema quo2, not quo" },
    { ALLOY_INVENTORY_FAILED, "cannot read /data/events: Permission denied" },
    { ALLOY_INVENTORY_NOT_READY, "draining: ✓ ünïcødé" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(AlloyInventory) inventory = NULL;
      g_autoptr(AlloyInventory) decoded = NULL;
      g_autoptr(GBytes) frame = NULL;
      g_autoptr(GError) error = NULL;
      gint32 seqid = (gint32) i * 1000 - 2;

      if (cases[i].state == ALLOY_INVENTORY_HELD)
        inventory = held_inventory ();
      else
        inventory = alloy_inventory_new (cases[i].state, "alloy-ü", cases[i].message);
      frame = alloy_peer_encode_reply (seqid, inventory);
      decoded = decode_reply_frame (frame, seqid, &error);
      g_assert_no_error (error);
      assert_inventory_equal (decoded, inventory);
    }
}

/* Refused files travel with what is held; a peer that drains still says
 * what it holds, without the press fields. */
static void
test_reply_refused_and_not_ready (void)
{
  g_autoptr(AlloyInventory) held = held_inventory ();
  g_autoptr(AlloyInventory) draining = NULL;
  g_autoptr(AlloyInventory) decoded = NULL;
  g_autoptr(AlloyInventory) decoded_draining = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GBytes) draining_frame = NULL;
  g_autoptr(GError) error = NULL;

  alloy_inventory_add_refused (held, "secret.ndjson", "Permission denied");
  alloy_inventory_add_refused (held, "fifo.ndjson", "not a regular file");
  frame = alloy_peer_encode_reply (3, held);
  decoded = decode_reply_frame (frame, 3, &error);
  g_assert_no_error (error);
  assert_inventory_equal (decoded, held);

  draining = alloy_inventory_new (ALLOY_INVENTORY_NOT_READY, "alloy-2", "draining");
  alloy_inventory_add_partition (draining, "a.ndjson", "a.ndjson", DIGEST_A, 0, 10);
  alloy_inventory_add_refused (draining, "b.ndjson", "Permission denied");
  draining_frame = alloy_peer_encode_reply (4, draining);
  decoded_draining = decode_reply_frame (draining_frame, 4, &error);
  g_assert_no_error (error);
  assert_inventory_equal (decoded_draining, draining);
  g_assert_null (decoded_draining->schema_name);
}

/* rootVersion must be at least 1, as a blob header needs it. */
static void
test_reply_bad_root_version (void)
{
  g_autoptr(AlloyInventory) held = held_inventory ();
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GError) error = NULL;

  held->root_version = 0;
  frame = alloy_peer_encode_reply (5, held);
  g_assert_null (decode_reply_frame (frame, 5, &error));
  g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==, "malformed getInventory reply: rootVersion 0, not >= 1");
}

/* Present and empty: a peer holding a dataset with no files. */
static void
test_reply_empty_partitions (void)
{
  g_autoptr(AlloyInventory) inventory = held_inventory ();
  g_autoptr(AlloyInventory) decoded = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_set_size (inventory->partitions, 0);
  frame = alloy_peer_encode_reply (G_MAXINT32, inventory);
  decoded = decode_reply_frame (frame, G_MAXINT32, &error);
  g_assert_no_error (error);
  assert_inventory_equal (decoded, inventory);
  g_assert_cmpint (decoded->state, ==, ALLOY_INVENTORY_HELD);
  g_assert_cmpuint (decoded->partitions->len, ==, 0);
}

static void
test_reply_wrong_seqid (void)
{
  g_autoptr(AlloyInventory) inventory = held_inventory ();
  g_autoptr(GBytes) frame = alloy_peer_encode_reply (-7, inventory);
  g_autoptr(GBytes) exception = alloy_thrift_encode_exception (ALLOY_PEER_METHOD, 8, 1, "nope");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) exception_error = NULL;
  g_autoptr(AlloyInventory) decoded = decode_reply_frame (frame, 7, &error);
  g_autoptr(AlloyInventory) not_decoded = decode_reply_frame (exception, 7, &exception_error);

  g_assert_null (decoded);
  g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==, "the reply's seqid -7 is not the call's 7");
  /* The seqid is checked first, for exceptions too. */
  g_assert_null (not_decoded);
  g_assert_error (exception_error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_PROTOCOL);
  g_assert_cmpstr (exception_error->message, ==, "the reply's seqid 8 is not the call's 7");
}

/* An Alloy too old to know the method answers with an exception. */
static void
test_reply_exception (void)
{
  g_autoptr(GBytes) frame = alloy_thrift_encode_exception ("getInventory", 5,
                                                           ALLOY_THRIFT_APP_UNKNOWN_METHOD,
                                                           "nope");
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyInventory) decoded = decode_reply_frame (frame, 5, &error);

  g_assert_null (decoded);
  g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_APPLICATION_EXCEPTION);
  g_assert_nonnull (strstr (error->message, "nope"));
  g_assert_cmpstr (error->message, ==,
                   "the peer failed the call: nope (TApplicationException type 1)");
}

/* A getViewGenerator reply where a getInventory one was expected. */
static void
test_reply_other_api (void)
{
  g_autoptr(AlloyViewAnswer) answer = alloy_view_answer_new_success ("g", "h", "m");
  g_autoptr(GBytes) frame = alloy_thrift_encode_reply (3, answer);
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyInventory) decoded = decode_reply_frame (frame, 3, &error);

  g_assert_null (decoded);
  g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_PROTOCOL);
  g_assert_cmpstr (error->message, ==, "a message of type 2 (REPLY) for method "
                   "'getViewGenerator' where a getInventory REPLY was expected");
}

#define REPLY "malformed getInventory reply: "

typedef struct {
  ReplyVariant variant;
  gint code; /* -1: decodes */
  const char *message;
} ByHand;

static const ByHand by_hand[] = {
  { REPLY_GOOD, -1, NULL },
  { REPLY_ABSENT_BARE, -1, NULL },
  { REPLY_ABSENT_WITH_PARTITIONS, -1, NULL },
  { REPLY_NO_RESULT, ALLOY_THRIFT_ERROR_PROTOCOL, REPLY "no result (field 0)" },
  { REPLY_NO_STATE, ALLOY_THRIFT_ERROR_PROTOCOL, REPLY "missing required field state" },
  { REPLY_NO_MESSAGE, ALLOY_THRIFT_ERROR_PROTOCOL, REPLY "missing required field message" },
  { REPLY_NO_PEER_ID, ALLOY_THRIFT_ERROR_PROTOCOL, REPLY "missing required field peerId" },
  { REPLY_NO_SCHEMA_NAME, ALLOY_THRIFT_ERROR_PROTOCOL,
    REPLY "missing required field schemaName" },
  { REPLY_NO_SCHEMA_DIGEST, ALLOY_THRIFT_ERROR_PROTOCOL,
    REPLY "missing required field schemaDigest" },
  { REPLY_NO_ROOT_VERSION, ALLOY_THRIFT_ERROR_PROTOCOL,
    REPLY "missing required field rootVersion" },
  { REPLY_NO_PRESS_OPTIONS, ALLOY_THRIFT_ERROR_PROTOCOL,
    REPLY "missing required field pressOptions" },
  { REPLY_NO_PARTITIONS, ALLOY_THRIFT_ERROR_PROTOCOL,
    REPLY "missing required field partitions" },
  { REPLY_NO_RANGE_END, ALLOY_THRIFT_ERROR_PROTOCOL,
    REPLY "missing required field partitions[1].rangeEnd" },
  { REPLY_DUPLICATE_ID, ALLOY_THRIFT_ERROR_PROTOCOL,
    REPLY "partitions[2] ('a.ndjson') has an id listed twice" },
  { REPLY_EMPTY_ID, ALLOY_THRIFT_ERROR_PROTOCOL,
    REPLY "partitions[1] ('') has an empty id or digest" },
  { REPLY_EMPTY_DIGEST, ALLOY_THRIFT_ERROR_PROTOCOL,
    REPLY "partitions[1] ('b.ndjson@0-1099511627776') has an empty id or digest" },
  { REPLY_BACKWARDS, ALLOY_THRIFT_ERROR_PROTOCOL,
    REPLY "partitions[2] ('b.ndjson@1099511627776-1099511627781') has a range that runs "
    "backwards" },
  { REPLY_NEGATIVE_START, ALLOY_THRIFT_ERROR_PROTOCOL,
    REPLY "partitions[0] ('a.ndjson') has a range that runs backwards" },
  { REPLY_STATE_9, ALLOY_THRIFT_ERROR_PROTOCOL, REPLY "unknown state 9" },
  { REPLY_STATE_MINUS_1, ALLOY_THRIFT_ERROR_PROTOCOL, REPLY "unknown state -1" },
  { REPLY_AS_CALL, ALLOY_THRIFT_ERROR_PROTOCOL,
    "a message of type 1 (CALL) for method 'getInventory' where a getInventory REPLY was "
    "expected" },
  { REPLY_OTHER_METHOD, ALLOY_THRIFT_ERROR_PROTOCOL,
    "a message of type 2 (REPLY) for method 'getViewGenerator' where a getInventory REPLY "
    "was expected" },
};

#undef REPLY

static void
test_reply_by_hand (gconstpointer data)
{
  const ByHand *expected = data;
  g_autoptr(GByteArray) b = build_reply (expected->variant);
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyInventory) decoded = decode_reply (b->data, b->len, 11, &error);

  if (expected->code >= 0)
    {
      g_assert_null (decoded);
      g_assert_error (error, ALLOY_THRIFT_ERROR, expected->code);
      g_assert_cmpstr (error->message, ==, expected->message);
      return;
    }
  g_assert_no_error (error);
  if (expected->variant == REPLY_GOOD)
    {
      g_autoptr(AlloyInventory) inventory = held_inventory ();

      assert_inventory_equal (decoded, inventory);
      return;
    }
  /* Not held: the message and peer, nothing else. */
  g_assert_cmpint (decoded->state, ==, ALLOY_INVENTORY_ABSENT);
  g_assert_cmpstr (decoded->message, ==, "no dataset events here");
  g_assert_cmpstr (decoded->peer_id, ==, "alloy-1");
  g_assert_null (decoded->schema_name);
  g_assert_null (decoded->schema_digest);
  g_assert_cmpint (decoded->root_version, ==, 0);
  g_assert_null (decoded->press_options);
  g_assert_cmpuint (decoded->partitions->len, ==, 0);
}

/* Every prefix of a good reply is malformed. */
static void
test_reply_truncated (void)
{
  g_autoptr(AlloyInventory) inventory = held_inventory ();
  g_autoptr(GBytes) frame = alloy_peer_encode_reply (1, inventory);
  const guint8 *body;
  gsize length;

  body = frame_body (frame, &length);
  for (gsize n = 0; n < length; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(AlloyInventory) decoded = decode_reply (body, n, 1, &error);

      g_assert_null (decoded);
      g_assert_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_MALFORMED);
      g_assert_true (g_str_has_prefix (error->message, "malformed getInventory reply at byte "));
    }
}

/* What a decoded inventory always is, whatever came on the wire. */
static void
assert_inventory_checked (const AlloyInventory *inventory)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpint (inventory->state, >=, ALLOY_INVENTORY_HELD);
  g_assert_cmpint (inventory->state, <=, ALLOY_INVENTORY_NOT_READY);
  g_assert_nonnull (inventory->message);
  g_assert_nonnull (inventory->peer_id);
  if (inventory->state != ALLOY_INVENTORY_HELD)
    {
      g_assert_null (inventory->schema_name);
      g_assert_cmpuint (inventory->partitions->len, ==, 0);
      return;
    }
  g_assert_nonnull (inventory->schema_name);
  g_assert_nonnull (inventory->schema_digest);
  g_assert_nonnull (inventory->press_options);
  for (guint i = 0; i < inventory->partitions->len; i++)
    {
      const AlloyInventoryPartition *partition = inventory->partitions->pdata[i];

      g_assert_cmpstr (partition->id, !=, "");
      g_assert_cmpstr (partition->digest, !=, "");
      g_assert_nonnull (partition->path);
      g_assert_true (g_hash_table_add (ids, partition->id));
      g_assert_cmpuint (partition->range_start, <=, G_MAXINT64);
      g_assert_cmpuint (partition->range_end, >=, partition->range_start);
      g_assert_cmpuint (partition->range_end, <=, G_MAXINT64);
    }
}

/* Bytes of a good reply changed at random: no crash, no leak, no read
 * past the frame; a failure is one of the client's errors, and what
 * decodes passed every check. */
static void
test_reply_mutations (void)
{
  g_autoptr(AlloyInventory) inventory = held_inventory ();
  g_autoptr(GBytes) frame = alloy_peer_encode_reply (1, inventory);
  const guint8 *body;
  gsize length;
  guint failed = 0;

  body = frame_body (frame, &length);
  for (int round = 0; round < 4000; round++)
    {
      g_autoptr(GByteArray) b = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(AlloyInventory) decoded = NULL;

      g_byte_array_append (b, body, (guint) length);
      mutate (b);
      decoded = decode_reply (b->data, b->len, 1, &error);
      g_assert_true ((decoded == NULL) == (error != NULL));
      if (decoded == NULL)
        {
          g_assert_true (error->domain == ALLOY_THRIFT_ERROR);
          g_assert_true (error->code == ALLOY_THRIFT_ERROR_MALFORMED ||
                         error->code == ALLOY_THRIFT_ERROR_PROTOCOL ||
                         error->code == ALLOY_THRIFT_ERROR_APPLICATION_EXCEPTION);
          failed++;
          continue;
        }
      assert_inventory_checked (decoded);
    }
  g_assert_cmpuint (failed, >, 0);
  g_assert_cmpuint (failed, <, 4000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/peer-codec/reply/bytes", test_reply_bytes);
  g_test_add_func ("/peer-codec/reply/absent-bytes", test_reply_absent_bytes);
  g_test_add_func ("/peer-codec/reply/round-trip", test_reply_round_trip);
  g_test_add_func ("/peer-codec/reply/empty-partitions", test_reply_empty_partitions);
  g_test_add_func ("/peer-codec/reply/refused-and-not-ready", test_reply_refused_and_not_ready);
  g_test_add_func ("/peer-codec/reply/bad-root-version", test_reply_bad_root_version);
  g_test_add_func ("/peer-codec/reply/wrong-seqid", test_reply_wrong_seqid);
  g_test_add_func ("/peer-codec/reply/exception", test_reply_exception);
  g_test_add_func ("/peer-codec/reply/other-api", test_reply_other_api);
  for (gsize i = 0; i < G_N_ELEMENTS (by_hand); i++)
    {
      static const char *const names[] = {
        [REPLY_GOOD] = "good",
        [REPLY_NO_RESULT] = "no-result",
        [REPLY_NO_STATE] = "missing-state",
        [REPLY_NO_MESSAGE] = "missing-message",
        [REPLY_NO_PEER_ID] = "missing-peer-id",
        [REPLY_NO_SCHEMA_NAME] = "missing-schema-name",
        [REPLY_NO_SCHEMA_DIGEST] = "missing-schema-digest",
        [REPLY_NO_ROOT_VERSION] = "missing-root-version",
        [REPLY_NO_PRESS_OPTIONS] = "missing-press-options",
        [REPLY_NO_PARTITIONS] = "missing-partitions",
        [REPLY_NO_RANGE_END] = "missing-range-end",
        [REPLY_DUPLICATE_ID] = "duplicate-id",
        [REPLY_EMPTY_ID] = "empty-id",
        [REPLY_EMPTY_DIGEST] = "empty-digest",
        [REPLY_BACKWARDS] = "range-backwards",
        [REPLY_NEGATIVE_START] = "negative-range-start",
        [REPLY_STATE_9] = "unknown-state",
        [REPLY_STATE_MINUS_1] = "negative-state",
        [REPLY_AS_CALL] = "call-type",
        [REPLY_OTHER_METHOD] = "other-method",
        [REPLY_ABSENT_BARE] = "absent",
        [REPLY_ABSENT_WITH_PARTITIONS] = "absent-with-partitions",
      };
      g_autofree char *path = g_strdup_printf ("/peer-codec/reply/by-hand/%s",
                                               names[by_hand[i].variant]);

      g_test_add_data_func (path, &by_hand[i], test_reply_by_hand);
    }
  g_test_add_func ("/peer-codec/reply/truncated", test_reply_truncated);
  g_test_add_func ("/peer-codec/reply/mutations", test_reply_mutations);
  return g_test_run ();
}
