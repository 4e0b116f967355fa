/* test-brio-press.c: the presser: the reference's worked example byte for
 * byte, the quo fixture round trip, coercions, rejections with their JSON
 * paths, limits and map key order. The decoder's own strictness is
 * test-brio-decode.c.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-coerce.h"
#include "alloy-brio-decoder.h"
#include "alloy-brio-dictionary.h"
#include "alloy-brio-presser.h"
#include "alloy-data-file.h"
#include "alloy-test-utils.h"
#include "brio-expected.h"
#include "brio-test-utils.h"

#include <locale.h>
#include <math.h>
#include <string.h>

static void
put_i32 (GByteArray *out, gint32 value)
{
  guint32 le = GUINT32_TO_LE ((guint32) value);
  g_byte_array_append (out, (const guint8 *) &le, 4);
}

static void
test_worked_example (void)
{
  const char *fixtures = alloy_test_fixtures_dir ();
  g_autofree char *source = NULL;
  g_autofree char *text = NULL;
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(AlloyBrioPresser) presser = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  const char *item = "{\"f0\":\"a\",\"f1\":5,\"f2\":7,\"f3\":null,\"f4\":[]}";

  if (fixtures == NULL)
    {
      g_test_skip ("no ../shared/fixtures");
      return;
    }
  /* presser_v1.brio alone, so the schema has one version. */
  source = g_build_filename (fixtures, "schemas", "presser", "presser_v1.brio", NULL);
  g_assert_true (g_file_get_contents (source, &text, NULL, NULL));
  schema = brio_test_schema_from_text ("presser", text);
  presser = brio_test_presser_for (schema);
  blob = alloy_brio_presser_press (presser, item, strlen (item), &error);
  g_assert_no_error (error);

  alloy_test_append_hex (expected, "02000000 01000000 15010000");
  /* The dictionary: one word, nextSlotOffset 277, bucket 33 -> 268. */
  alloy_test_append_hex (expected, "01000000 00000000 15010000");
  for (int bucket = 0; bucket < 64; bucket++)
    put_i32 (expected, bucket == 33 ? 268 : 0);
  alloy_test_append_hex (expected, "2100 00000000 0100 61");
  alloy_test_append_hex (expected, "22000000");
  alloy_test_append_hex (expected, "01000000 0800000000000000 2100 0500000000000000 0700 20000000 20000000 0000");
  g_assert_cmpuint (expected->len, ==, 327);
  g_assert_cmpmem (g_bytes_get_data (blob, NULL), g_bytes_get_size (blob), expected->data,
                   expected->len);
}

static void
test_quo_round_trip (void)
{
  const char *fixtures = alloy_test_fixtures_dir ();
  g_autofree char *schemas = NULL;
  g_autofree char *data_path = NULL;
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(AlloyBrioPresser) presser = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *users;
  guint events = 0;

  if (fixtures == NULL)
    {
      g_test_skip ("no ../shared/fixtures");
      return;
    }
  schemas = g_build_filename (fixtures, "schemas", NULL);
  schema = alloy_brio_schema_find ((const char *const[]) { schemas, NULL }, "QUO", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (alloy_brio_schema_get_version_count (schema), ==, 3);
  presser = alloy_brio_presser_new (schema, 1, ALLOY_BRIO_DEFAULT_ITEM_MAX_BYTES, &error);
  g_assert_no_error (error);

  data_path = g_build_filename (fixtures, "data", "quo", "quo-view.json.gz", NULL);
  data = alloy_data_file_read_all (data_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (data), ==, 23089370);
  json_parser_load_from_data (parser, g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                              &error);
  g_assert_no_error (error);
  users = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (users), ==, 26);

  for (guint u = 0; u < json_array_get_length (users); u++)
    {
      JsonNode *user = json_array_get_element (users, u);
      g_autofree char *text = json_to_string (user, FALSE);
      g_autoptr(GBytes) blob = alloy_brio_presser_press (presser, text, strlen (text), &error);
      g_autoptr(JsonNode) decoded = NULL;
      g_autoptr(JsonNode) expected = NULL;
      JsonArray *sessions;

      g_assert_no_error (error);
      decoded = brio_test_decode_blob (schema, blob);
      expected = brio_expected_item (schema, alloy_brio_schema_get_root (schema), user);
      if (!json_node_equal (decoded, expected))
        {
          g_autofree char *got = json_to_string (decoded, TRUE);
          g_autofree char *want = json_to_string (expected, TRUE);
          g_error ("user %u decodes to\n%.2000s\ninstead of\n%.2000s", u, got, want);
        }
      sessions = json_object_get_array_member (json_node_get_object (decoded), "sessions");
      for (guint s = 0; s < json_array_get_length (sessions); s++)
        events += json_array_get_length (
            json_object_get_array_member (json_array_get_object_element (sessions, s), "events"));
    }
  /* Burst's golden facts for this dataset. */
  g_assert_cmpuint (events, ==, 164482);
}

static void
test_coercions (void)
{
  g_autoptr(AlloyBrioSchema) schema = brio_test_schema_from_text ("Test", BRIO_TEST_SCHEMA);
  g_autoptr(AlloyBrioPresser) presser = brio_test_presser_for (schema);
  g_autoptr(GError) error = NULL;
  const char *item =
      "{\"b\":\"true\",\"y\":300,\"s\":\"12x\",\"i\":4294967301,\"l\":\" 42 \",\"d\":\"2.5\","
      "\"t\":1e10,\"longs\":[3,\"1\",2.9],\"texts\":[5,null,true,0.25],"
      "\"tags\":{\"z\":1,\"a\":null},\"codes\":{\"10\":\"ten\",\"-2\":2},"
      "\"child\":{\"name\":\"c\",\"values\":[1,\"x\"]},\"children\":[{},{\"name\":\"d\"}],"
      "\"unknown\":{\"ignored\":true}}";
  const char *expected =
      "{\"b\":true,\"y\":44,\"s\":0,\"i\":5,\"l\":42,\"d\":2.5,\"t\":\"1.0E10\","
      "\"longs\":[1,2,3],\"texts\":[\"5\",\"null\",\"true\",\"0.25\"],"
      "\"tags\":{\"z\":\"1\",\"a\":\"null\"},\"codes\":{\"-2\":\"2\",\"10\":\"ten\"},"
      "\"child\":{\"name\":\"c\",\"values\":[1.0,0.0]},\"children\":[{},{\"name\":\"d\"}]}";
  g_autoptr(GBytes) blob = alloy_brio_presser_press (presser, item, strlen (item), &error);
  g_autoptr(JsonNode) decoded = NULL;
  g_autoptr(JsonNode) want = json_from_string (expected, NULL);

  g_assert_no_error (error);
  decoded = brio_test_decode_blob (schema, blob);
  if (!json_node_equal (decoded, want))
    {
      g_autofree char *got = json_to_string (decoded, FALSE);
      g_error ("decoded\n  %s\nexpected\n  %s", got, expected);
    }
}

static void
test_java_double_text (void)
{
  /* The programs call setlocale (LC_ALL, ""): a comma-decimal locale must
   * not change the text. */
  g_autofree char *saved = g_strdup (setlocale (LC_NUMERIC, NULL));

  if (setlocale (LC_NUMERIC, "de_DE.UTF-8") == NULL)
    g_test_message ("no de_DE.UTF-8 locale: checked in the C locale only");
  else
    {
      g_autofree char *text = alloy_brio_java_double_to_string (2.5e-5);
      g_assert_cmpstr (text, ==, "2.5E-5");
    }
  for (int pass = 0; pass < 2; pass++)
    {
      static const struct { gdouble value; const char *text; } cases[] = {
        { 5.0, "5.0" }, { 2.5, "2.5" }, { 0.001, "0.001" }, { 0.0001, "1.0E-4" },
        { 1234567.0, "1234567.0" }, { 1e7, "1.0E7" }, { 1.5e10, "1.5E10" }, { -0.0, "-0.0" },
        { 0.1, "0.1" }, { 123.456, "123.456" }, { 1e-10, "1.0E-10" }, { 2.5e-5, "2.5E-5" },
        { 0.3, "0.3" }, { 1.0 / 3.0, "0.3333333333333333" },
      };

      for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          g_autofree char *text = alloy_brio_java_double_to_string (cases[i].value);
          g_assert_cmpstr (text, ==, cases[i].text);
        }
      setlocale (LC_NUMERIC, saved);
    }
}

typedef struct {
  const char *name;
  const char *json;
  int code;
  const char *message;
} Rejection;

static const Rejection rejections[] = {
  { "not-json", "{\"b\":", ALLOY_BRIO_ERROR_ITEM, "$: not JSON: " },
  { "root-not-object", "[1,2]", ALLOY_BRIO_ERROR_ITEM, "$: expected a Item object, got an array" },
  { "scalar-object", "{\"l\":{\"x\":1}}", ALLOY_BRIO_ERROR_ITEM,
    "$.l: expected a long value, got an object" },
  { "vector-not-array", "{\"longs\":5}", ALLOY_BRIO_ERROR_ITEM,
    "$.longs: expected an array, got a number" },
  { "vector-element-object", "{\"texts\":[\"a\",[1]]}", ALLOY_BRIO_ERROR_ITEM,
    "$.texts[1]: expected a string value, got an array" },
  { "map-not-object", "{\"tags\":[]}", ALLOY_BRIO_ERROR_ITEM,
    "$.tags: expected an object, got an array" },
  { "map-value-object", "{\"tags\":{\"k\":{}}}", ALLOY_BRIO_ERROR_ITEM,
    "$.tags.k: expected a string map value, got an object" },
  { "long-map-key", "{\"codes\":{\"ten\":\"x\"}}", ALLOY_BRIO_ERROR_ITEM,
    "$.codes.ten: map[long,string] needs integer keys, not 'ten'" },
  { "reference-not-object", "{\"child\":\"c\"}", ALLOY_BRIO_ERROR_ITEM,
    "$.child: expected an object, got a string" },
  { "reference-vector-null", "{\"children\":[{},null]}", ALLOY_BRIO_ERROR_ITEM,
    "$.children[1]: expected a Child object, got null" },
  { "deep-path", "{\"children\":[{},{\"values\":[1,{}]}]}", ALLOY_BRIO_ERROR_ITEM,
    "$.children[1].values[1]: expected a double value, got an object" },
  { "data-after-object", "{\"t\":\"a\"} \n{\"t\":\"b\"}", ALLOY_BRIO_ERROR_ITEM,
    "$: data after the object at byte 11" },
  { "data-after-object-text", "{\"t\":\"}\"}x", ALLOY_BRIO_ERROR_ITEM,
    "$: data after the object at byte 9" },
  { "data-after-array", "[1] 2", ALLOY_BRIO_ERROR_ITEM, "$: data after the array at byte 4" },
  { "nul-in-string", "{\"t\":\"a\\u0000b\"}", ALLOY_BRIO_ERROR_ITEM,
    "$: a NUL character (\\u0000) in a string at byte 7; Brio strings cannot hold it" },
  { "nul-in-key", "{\"tags\":{\"\\u0000\":\"v\"}}", ALLOY_BRIO_ERROR_ITEM,
    "$: a NUL character (\\u0000) in a string at byte 10; Brio strings cannot hold it" },
  { "integer-over-int64", "{\"l\":9223372036854775808}", ALLOY_BRIO_ERROR_ITEM,
    "$: an integer out of range at byte 5" },
  { "integer-under-int64", "{\"longs\":[1, -9223372036854775809]}", ALLOY_BRIO_ERROR_ITEM,
    "$: an integer out of range at byte 13" },
  { "integer-huge", "{\"i\":123456789012345678901234567890}", ALLOY_BRIO_ERROR_ITEM,
    "$: an integer out of range at byte 5" },
  { "empty", "", ALLOY_BRIO_ERROR_ITEM, "$: empty input" },
  { "white-space", " \t\r\n ", ALLOY_BRIO_ERROR_ITEM, "$: empty input" },
};

static void
test_rejection (gconstpointer data)
{
  const Rejection *rejection = data;
  g_autoptr(AlloyBrioSchema) schema = brio_test_schema_from_text ("Test", BRIO_TEST_SCHEMA);
  g_autoptr(AlloyBrioPresser) presser = brio_test_presser_for (schema);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) blob = alloy_brio_presser_press (presser, rejection->json,
                                                     strlen (rejection->json), &error);
  g_autoptr(GBytes) after = NULL;
  g_autoptr(JsonNode) decoded = NULL;
  g_autoptr(JsonNode) want = json_from_string ("{\"t\":\"a\"}", NULL);

  g_assert_null (blob);
  g_assert_error (error, ALLOY_BRIO_ERROR, rejection->code);
  if (!g_str_has_prefix (error->message, rejection->message))
    g_error ("%s: expected\n  %s\ngot\n  %s", rejection->name, rejection->message,
             error->message);
  /* Nothing of the rejected item leaks into the next one. */
  after = alloy_brio_presser_press (presser, "{\"t\":\"a\"}", 9, NULL);
  g_assert_nonnull (after);
  decoded = brio_test_decode_blob (schema, after);
  g_assert_true (json_node_equal (decoded, want));
  /* One word in the dictionary: the rejected item's strings are gone. */
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (after, NULL))[12], ==, 1);
}

static void
test_limits (void)
{
  g_autoptr(AlloyBrioSchema) schema = brio_test_schema_from_text ("Test", BRIO_TEST_SCHEMA);
  g_autoptr(AlloyBrioPresser) presser = brio_test_presser_for (schema);
  g_autoptr(AlloyBrioPresser) small = NULL;
  g_autoptr(GString) json = g_string_new ("{\"longs\":[");
  g_autoptr(GString) text = g_string_new ("{\"t\":\"");
  g_autoptr(GError) error = NULL;
  GBytes *blob;

  for (int i = 0; i <= ALLOY_BRIO_MAX_ENTRIES; i++)
    g_string_append_printf (json, "%s%d", i ? "," : "", i);
  g_string_append (json, "]}");
  blob = alloy_brio_presser_press (presser, json->str, json->len, &error);
  g_assert_null (blob);
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==,
                   "$.longs: a vector of 32768 entries, over Brio's limit of 32767");
  g_clear_error (&error);

  g_string_assign (json, "{\"codes\":{");
  for (int i = 0; i <= ALLOY_BRIO_MAX_ENTRIES; i++)
    g_string_append_printf (json, "%s\"%d\":\"v\"", i ? "," : "", i);
  g_string_append (json, "}}");
  blob = alloy_brio_presser_press (presser, json->str, json->len, &error);
  g_assert_null (blob);
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==,
                   "$.codes: a map of 32768 entries, over Brio's limit of 32767");
  g_clear_error (&error);

  for (int i = 0; i < 32768; i++)
    g_string_append_c (text, 'x');
  g_string_append (text, "\"}");
  blob = alloy_brio_presser_press (presser, text->str, text->len, &error);
  g_assert_null (blob);
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_TOO_LARGE);
  g_assert_true (g_str_has_prefix (error->message, "$.t: "));
  g_clear_error (&error);

  small = alloy_brio_presser_new (schema, 1, 300, &error);
  g_assert_no_error (error);
  blob = alloy_brio_presser_press (small, "{\"t\":\"a\",\"l\":1}", 15, &error);
  g_assert_null (blob);
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_TOO_LARGE);
  g_assert_true (g_str_has_prefix (error->message, "$: the blob would be "));
  g_assert_nonnull (strstr (error->message, "over the item limit of 300 bytes"));
}

static void
test_root_version (void)
{
  g_autoptr(AlloyBrioSchema) schema = brio_test_schema_from_text ("Test", BRIO_TEST_SCHEMA);
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyBrioPresser) presser = alloy_brio_presser_new (schema, 3, 1000, &error);
  g_autoptr(GBytes) blob = alloy_brio_presser_press (presser, "{}", 2, &error);
  gint32 root_version = 0;
  g_autoptr(JsonNode) item = NULL;

  g_assert_no_error (error);
  item = alloy_brio_decode (schema, g_bytes_get_data (blob, NULL), g_bytes_get_size (blob),
                            &root_version, &error);
  g_assert_no_error (error);
  g_assert_cmpint (root_version, ==, 3);
  /* No strings: an empty dictionary. */
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (blob, NULL))[8], ==, 0);
}

static void
test_null_bits_above_31 (void)
{
  g_autoptr(GString) text = g_string_new ("schema Wide {\n version: 1\n root) w : Wide\n"
                                          " structure Wide {\n");
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(AlloyBrioPresser) presser = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(JsonNode) item = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *data;
  guint64 nulls;

  for (int i = 0; i < 40; i++)
    g_string_append_printf (text, "  %d) r%d : long\n", i, i);
  g_string_append (text, " }\n}\n");
  schema = brio_test_schema_from_text ("Wide", text->str);
  presser = brio_test_presser_for (schema);
  blob = alloy_brio_presser_press (presser, "{\"r35\":7}", 9, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (blob, NULL);
  /* No strings: the root area starts at 16; the null map after its version. */
  memcpy (&nulls, data + 16 + 4, 8);
  nulls = GUINT64_FROM_LE (nulls);
  g_assert_cmphex (nulls, ==, G_GUINT64_CONSTANT (0xffffffffff) & ~(G_GUINT64_CONSTANT (1) << 35));
  item = brio_test_decode_blob (schema, blob);
  g_assert_cmpuint (json_object_get_size (json_node_get_object (item)), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (item), "r35"), ==, 7);
}

static void
test_unsupported_schema (void)
{
  g_autoptr(AlloyBrioSchema) schema = brio_test_schema_from_text (
      "Odd", "schema Odd {\n version: 1\n root) o : Odd\n structure Odd {\n"
             "  0) m : map[double,string]\n }\n}\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyBrioPresser) presser = alloy_brio_presser_new (schema, 1, 1000, &error);

  g_assert_null (presser);
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_UNSUPPORTED);
}

static void
test_java_double_grammar (void)
{
  g_autoptr(AlloyBrioSchema) schema = brio_test_schema_from_text ("Test", BRIO_TEST_SCHEMA);
  g_autoptr(AlloyBrioPresser) presser = brio_test_presser_for (schema);
  static const struct { const char *text; gdouble value; } doubles[] = {
    { "inf", 0 }, { "Inf", 0 }, { "infinity", 0 }, { "nan", 0 }, { "0x10", 0 }, { "0x1p3", 0 },
    { "1e", 0 }, { ".", 0 }, { "e5", 0 }, { "Infinityx", 0 }, { "1.5x", 0 }, { "", 0 },
    { ".5", 0.5 }, { "5.", 5.0 }, { "-2.5e-1", -0.25 }, { "+1E2", 100 }, { "1e5f", 1e5 },
    { "7D", 7 }, { " \\u0001 3.5\\u001f", 3.5 }, { "Infinity", INFINITY },
    { "-Infinity", -INFINITY },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      g_autofree char *item = g_strdup_printf ("{\"d\":\"%s\"}", doubles[i].text);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) blob = alloy_brio_presser_press (presser, item, strlen (item), &error);
      gdouble value;

      g_assert_no_error (error);
      /* The double is the fixed area's last 8 bytes before t. */
      {
        const guint8 *data = g_bytes_get_data (blob, NULL);
        gint64 bits = brio_test_get_le (
            data + 16 + brio_test_get_le (data + 8, 4) + 4 + 8 + 1 + 1 + 2 + 4 + 8, 8);
        memcpy (&value, &bits, sizeof value);
      }
      if (value != doubles[i].value)
        g_error ("'%s' pressed as %g, expected %g", doubles[i].text, value, doubles[i].value);
    }

  {
    g_autoptr(JsonNode) node = NULL;
    JsonObject *item = brio_test_press_and_decode (
        schema, presser,
        "{\"d\":\"inf\",\"l\":\"0x10\",\"i\":\"infinity\",\"s\":\"NaN\",\"y\":\" \\u0001 42\","
        "\"b\":\"\\u0002true\\u0003\"}",
        &node);
    g_assert_cmpfloat (json_object_get_double_member (item, "d"), ==, 0.0);
    g_assert_cmpint (json_object_get_int_member (item, "l"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (item, "i"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (item, "s"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (item, "y"), ==, 42);
    g_assert_true (json_object_get_boolean_member (item, "b"));
  }
  {
    g_autoptr(JsonNode) node = NULL;
    JsonObject *item = brio_test_press_and_decode (schema, presser,
                                         "{\"l\":\" \\u0001 42\\u001f\",\"d\":\"NaN\"}", &node);
    g_assert_cmpint (json_object_get_int_member (item, "l"), ==, 42);
    /* NaN stays NaN, and decodes as Java's spelling. */
    g_assert_cmpstr (json_object_get_string_member (item, "d"), ==, "NaN");
  }
}

/* What the pre-scan must let through. */
static void
test_scan_accepts (void)
{
  g_autoptr(AlloyBrioSchema) schema = brio_test_schema_from_text ("Test", BRIO_TEST_SCHEMA);
  g_autoptr(AlloyBrioPresser) presser = brio_test_presser_for (schema);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *item = brio_test_press_and_decode (
      schema, presser,
      " \n{\"t\":\"a\\\\u0000\\\"}{\",\"longs\":[9223372036854775807,-9223372036854775808,"
      "-0,1.5e300,12345678901234567890.5,1E400],\"d\":-1e-400} \r\n\t",
      &node);
  JsonArray *longs = json_object_get_array_member (item, "longs");

  g_assert_cmpstr (json_object_get_string_member (item, "t"), ==, "a\\u0000\"}{");
  g_assert_cmpint (json_array_get_length (longs), ==, 6);
  g_assert_cmpint (json_array_get_int_element (longs, 0), ==, G_MININT64);
  g_assert_cmpint (json_array_get_int_element (longs, 5), ==, G_MAXINT64);
}

static void
test_early_limit (void)
{
  g_autoptr(AlloyBrioSchema) schema = brio_test_schema_from_text ("Test", BRIO_TEST_SCHEMA);
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyBrioPresser) presser = alloy_brio_presser_new (schema, 1, 400, &error);
  g_autoptr(GString) json = g_string_new ("{\"longs\":[");
  GBytes *blob;

  g_assert_no_error (error);
  for (int i = 0; i < 100; i++)
    g_string_append_printf (json, "%s%d", i ? "," : "", i);
  g_string_append (json, "]}");
  /* 16 bytes of header, no dictionary, 62 of Item, 2 of count: the 41st
   * long crosses 400. */
  blob = alloy_brio_presser_press (presser, json->str, json->len, &error);
  g_assert_null (blob);
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==,
                   "$.longs[40]: the blob reaches 408 bytes here, over the item limit of 400 "
                   "bytes");
  g_clear_error (&error);

  g_string_assign (json, "{\"children\":[");
  for (int i = 0; i < 100; i++)
    g_string_append_printf (json, "%s{\"values\":[1]}", i ? "," : "");
  g_string_append (json, "]}");
  blob = alloy_brio_presser_press (presser, json->str, json->len, &error);
  g_assert_null (blob);
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_TOO_LARGE);
  g_assert_true (g_str_has_prefix (error->message, "$.children["));
  g_assert_nonnull (strstr (error->message, "over the item limit of 400 bytes"));
  g_clear_error (&error);

  g_string_assign (json, "{\"tags\":{");
  for (int i = 0; i < 100; i++)
    g_string_append_printf (json, "%s\"k%d\":\"v\"", i ? "," : "", i);
  g_string_append (json, "}}");
  blob = alloy_brio_presser_press (presser, json->str, json->len, &error);
  g_assert_null (blob);
  g_assert_error (error, ALLOY_BRIO_ERROR, ALLOY_BRIO_ERROR_TOO_LARGE);
  /* At an entry (json-glib's member order), long before the 100th. */
  g_assert_true (g_str_has_prefix (error->message, "$.tags.k"));
  g_assert_nonnull (strstr (error->message, ": the blob reaches "));
  /* Crossed in the root's own scalars: the final check's exact total
   * (test_limits). */
}

/* Over 512 strings in one bucket: ordinals reach 512 and the int16 keys
 * (ordinal << 6 | bucket) go negative. A cell binary-searches the keys in
 * signed order, so the negative ones must come first. */
static void
test_string_map_key_order (void)
{
  g_autoptr(AlloyBrioSchema) schema = brio_test_schema_from_text ("Test", BRIO_TEST_SCHEMA);
  g_autoptr(AlloyBrioPresser) presser = brio_test_presser_for (schema);
  g_autoptr(GString) json = g_string_new ("{\"tags\":{");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(JsonNode) decoded = NULL;
  g_autoptr(JsonNode) want = NULL;
  const guint8 *map;
  guint found = 0, negative = 0;
  gint64 count;

  for (guint n = 0; found < 600; n++)
    {
      g_autofree char *name = g_strdup_printf ("k%u", n);
      if (alloy_brio_dictionary_bucket (alloy_brio_java_string_hash (name, -1)) != 5)
        continue;
      g_string_append_printf (json, "%s\"%s\":\"%u\"", found ? "," : "", name, found % 3);
      found++;
    }
  g_string_append (json, "}}");
  blob = alloy_brio_presser_press (presser, json->str, json->len, &error);
  g_assert_no_error (error);
  map = brio_test_root_variable (blob, 2);
  count = brio_test_get_le (map, 2);
  g_assert_cmpint (count, ==, 600);
  for (gint64 i = 0; i < count; i++)
    {
      gint64 key = brio_test_get_le (map + 2 + 2 * i, 2);
      if (key < 0)
        negative++;
      if (i > 0)
        g_assert_cmpint (brio_test_get_le (map + 2 * i, 2), <, key);
    }
  g_assert_cmpuint (negative, >, 0);
  g_assert_cmpint (brio_test_get_le (map + 2, 2), <, 0);
  decoded = brio_test_decode_blob (schema, blob);
  want = json_from_string (json->str, NULL);
  g_assert_true (json_node_equal (json_object_get_member (json_node_get_object (decoded), "tags"),
                                  json_object_get_member (json_node_get_object (want), "tags")));
}

static void
test_long_map_key_order (void)
{
  g_autoptr(AlloyBrioSchema) schema = brio_test_schema_from_text ("Test", BRIO_TEST_SCHEMA);
  g_autoptr(AlloyBrioPresser) presser = brio_test_presser_for (schema);
  const char *item = "{\"codes\":{\"5\":\"a\",\"-3\":\"b\",\"-100\":\"c\",\"0\":\"d\","
                     "\"-9223372036854775808\":\"e\"}}";
  static const gint64 keys[] = { G_MININT64, -100, -3, 0, 5 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) blob = alloy_brio_presser_press (presser, item, strlen (item), &error);
  const guint8 *map;

  g_assert_no_error (error);
  map = brio_test_root_variable (blob, 3);
  g_assert_cmpint (brio_test_get_le (map, 2), ==, G_N_ELEMENTS (keys));
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_cmpint (brio_test_get_le (map + 2 + 8 * i, 8), ==, keys[i]);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/brio-press/worked-example", test_worked_example);
  g_test_add_func ("/brio-press/quo-round-trip", test_quo_round_trip);
  g_test_add_func ("/brio-press/coercions", test_coercions);
  g_test_add_func ("/brio-press/java-double-text", test_java_double_text);
  g_test_add_func ("/brio-press/java-double-grammar", test_java_double_grammar);
  g_test_add_func ("/brio-press/scan-accepts", test_scan_accepts);
  g_test_add_func ("/brio-press/early-limit", test_early_limit);
  g_test_add_func ("/brio-press/string-map-key-order", test_string_map_key_order);
  g_test_add_func ("/brio-press/long-map-key-order", test_long_map_key_order);
  g_test_add_func ("/brio-press/limits", test_limits);
  g_test_add_func ("/brio-press/root-version", test_root_version);
  g_test_add_func ("/brio-press/null-bits-above-31", test_null_bits_above_31);
  g_test_add_func ("/brio-press/unsupported-schema", test_unsupported_schema);
  for (gsize i = 0; i < G_N_ELEMENTS (rejections); i++)
    {
      g_autofree char *path = g_strdup_printf ("/brio-press/rejection/%s", rejections[i].name);
      g_test_add_data_func (path, &rejections[i], test_rejection);
    }

  return g_test_run ();
}
