/* test-reader-json-errors.c: the reader_json plugin's rejections: elements
 * rejected as ITEM errors, after which reading goes on, and broken structure,
 * a STREAM error that says what is lost.
 *
 * Each case compares a transcript (one line per item or error) and runs it
 * three ways: from a memory stream, and from streams that hand out 1 and 7
 * bytes per read, so that every chunk boundary is crossed.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "reader-test-utils.h"

#include <string.h>

/* --- rejected elements: reading goes on ----------------------------------- */

static void
test_not_objects (void)
{
  rj_check ("[{\"a\":1}, 5, {\"b\":2}]", -1,
            "1:2@1#0 {\"a\":1}\n"
            "ITEM 1:11@10#1 t.json:1:11: expected an object, got a number\n"
            "1:14@13#2 {\"b\":2}\n");
  rj_check ("[-1.5e3,\"x\\\"]\",true,false,null,[1,{\"a\":[]}],nul,{\"ok\":1},tru]", -1,
            "ITEM 1:2@1#0 t.json:1:2: expected an object, got a number\n"
            "ITEM 1:9@8#1 t.json:1:9: expected an object, got a string\n"
            "ITEM 1:16@15#2 t.json:1:16: expected an object, got true\n"
            "ITEM 1:21@20#3 t.json:1:21: expected an object, got false\n"
            "ITEM 1:27@26#4 t.json:1:27: expected an object, got null\n"
            "ITEM 1:32@31#5 t.json:1:32: expected an object, got an array\n"
            "ITEM 1:45@44#6 t.json:1:45: expected an object, got an invalid literal\n"
            "1:49@48#7 {\"ok\":1}\n"
            "ITEM 1:58@57#8 t.json:1:58: expected an object, got an invalid literal\n");
  /* Framing needs no valid JSON inside an object: the presser judges. */
  rj_check ("[{\"a\" 1}]", -1, "1:2@1#0 {\"a\" 1}\n");
}

static void
test_invalid_utf8 (void)
{
  static const char nul[] = "[{\"a\":\"x\0y\"},{}]";

  rj_check ("[{\"a\":\"\xff\"},\n{\"b\":\n\"x\xc3\"},{\"c\":\"\xc3\xa9\"}]", -1,
            "ITEM 1:2@1#0 t.json:1:2: not valid UTF-8: byte 0xff at line 1, column 8\n"
            "ITEM 2:1@12#1 t.json:2:1: not valid UTF-8: byte 0xc3 at line 3, column 3\n"
            "3:7@24#2 {\"c\":\"\xc3\xa9\"}\n");
  rj_check (nul, sizeof nul - 1,
            "ITEM 1:2@1#0 t.json:1:2: a NUL byte at line 1, column 9 (JSON text cannot hold one)\n"
            "1:14@13#1 {}\n");
}

static char *
nested (guint depth)
{
  GString *text = g_string_new (NULL);

  for (guint i = 1; i < depth; i++)
    g_string_append (text, "{\"a\":");
  g_string_append (text, "{}");
  for (guint i = 1; i < depth; i++)
    g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

static void
test_too_deep (void)
{
  g_autoptr(AlloyReader) three = rj_new_reader ("[alloy]\nalloy.samplestore.json.max.depth=3\n");
  g_autoptr(AlloyReader) reader = rj_new_reader (NULL);
  g_autofree char *deep_512 = nested (512);
  g_autofree char *deep_513 = nested (513);
  g_autofree char *deep_100000 = nested (100000);
  g_autofree char *text = g_strdup_printf ("[%s,\n%s,\n%s,\n{}]", deep_512, deep_513, deep_100000);
  g_autofree char *expected = g_strdup_printf (
    "1:2@1#0 %s\n"
    "ITEM 2:1@%zu#1 t.json:2:1: item nested 513 levels deep, over the limit of 512 "
    "(alloy.samplestore.json.max.depth)\n"
    "ITEM 3:1@%zu#2 t.json:3:1: item nested 100000 levels deep, over the limit of 512 "
    "(alloy.samplestore.json.max.depth)\n"
    "4:1@%zu#3 {}\n", deep_512, strlen (deep_512) + 3, strlen (deep_512) + strlen (deep_513) + 5,
    strlen (deep_512) + strlen (deep_513) + strlen (deep_100000) + 7);

  /* Brackets inside strings do not nest; arrays are rejected for what they
   * are before their depth. */
  rj_check_with (three,
                 "[{\"a\":{\"b\":{\"c\":{}}}},{\"a\":{\"b\":[]}},[[[[]]]],{\"d\":\"{{{{{\"}]", -1,
                 "ITEM 1:2@1#0 t.json:1:2: item nested 4 levels deep, over the limit of 3 "
                 "(alloy.samplestore.json.max.depth)\n"
                 "1:23@22#1 {\"a\":{\"b\":[]}}\n"
                 "ITEM 1:38@37#2 t.json:1:38: expected an object, got an array\n"
                 "1:47@46#3 {\"d\":\"{{{{{\"}\n");
  /* The default is 512; far deeper elements are skipped too. */
  rj_check_with (reader, text, -1, expected);
}

static void
test_too_large (void)
{
  g_autoptr(AlloyReader) reader = rj_new_reader ("item-max-bytes=1024\n");
  g_autofree char *x2000 = g_strnfill (2000, 'x');
  g_autofree char *x1016 = g_strnfill (1016, 'x');
  g_autofree char *x1017 = g_strnfill (1017, 'x');
  /* 2008, 7, 1024 (the limit: kept) and 1025 bytes. */
  g_autofree char *text = g_strdup_printf (
    "[{\"s\":\"%s\"},{\"b\":1},{\"s\":\"%s\"},\n{\"s\":\"%s\"}]", x2000, x1016, x1017);
  g_autofree char *expected = g_strdup_printf (
    "ITEM 1:2@1#0 t.json:1:2: item of 2008 bytes is larger than item-max-bytes (1024 bytes)\n"
    "1:2011@2010#1 {\"b\":1}\n"
    "1:2019@2018#2 {\"s\":\"%s\"}\n"
    "ITEM 2:1@3044#3 t.json:2:1: item of 1025 bytes is larger than item-max-bytes "
    "(1024 bytes)\n", x1016);

  rj_check_with (reader, text, -1, expected);
}

/* --- broken structure: a STREAM error says what is lost ------------------- */

static void
test_not_array (void)
{
  rj_check ("5", -1,
            "STREAM 1:1@0#0 t.json:1:1: the file is neither a JSON array nor an object: expected "
            "'[' or '{', got '5': the rest of the file is lost\n");
  rj_check ("\"x\"", -1,
            "STREAM 1:1@0#0 t.json:1:1: the file is neither a JSON array nor an object: expected "
            "'[' or '{', got '\"': the rest of the file is lost\n");
  rj_check ("\n nope", -1,
            "STREAM 2:2@2#0 t.json:2:2: the file is neither a JSON array nor an object: expected "
            "'[' or '{', got 'n': the rest of the file is lost\n");
}

static void
test_mismatch (void)
{
  rj_check ("[{\"a\":1}, {\"b\":[1}, {\"c\":3}]", -1,
            "1:2@1#0 {\"a\":1}\n"
            "STREAM 1:18@17#1 t.json:1:18: '}' does not match the '[' it closes in item 2 (starting "
            "at line 1): the rest of the file, after item 1, is lost\n");
  rj_check ("{ ]", -1,
            "STREAM 1:3@2#0 t.json:1:3: ']' does not match the '{' it closes in item 1 (starting at "
            "line 1): the rest of the file is lost\n");
}

static void
test_garbage (void)
{
  rj_check ("[{\"a\":1} x {\"b\":2}]", -1,
            "1:2@1#0 {\"a\":1}\n"
            "STREAM 1:10@9#1 t.json:1:10: expected ',' or ']' after item 1, got 'x': the rest of the "
            "file, after item 1, is lost\n");
  rj_check ("[{\"a\":1} {\"b\":2}]", -1,
            "1:2@1#0 {\"a\":1}\n"
            "STREAM 1:10@9#1 t.json:1:10: expected ',' or ']' after item 1, got '{': the rest of the "
            "file, after item 1, is lost\n");
  rj_check ("[{\"a\":1}\xff]", -1,
            "1:2@1#0 {\"a\":1}\n"
            "STREAM 1:9@8#1 t.json:1:9: expected ',' or ']' after item 1, got byte 0xff: the rest of "
            "the file, after item 1, is lost\n");
  rj_check ("[{\"a\":1},]", -1,
            "1:2@1#0 {\"a\":1}\n"
            "STREAM 1:10@9#1 t.json:1:10: expected an array element after item 1 and ',', got ']': "
            "the rest of the file, after item 1, is lost\n");
  rj_check ("[{\"a\":1},,{}]", -1,
            "1:2@1#0 {\"a\":1}\n"
            "STREAM 1:10@9#1 t.json:1:10: expected an array element after item 1 and ',', got ',': "
            "the rest of the file, after item 1, is lost\n");
  rj_check ("[,{}]", -1,
            "STREAM 1:2@1#0 t.json:1:2: expected an array element, got ',': the rest of the file is "
            "lost\n");
  rj_check ("[}", -1,
            "STREAM 1:2@1#0 t.json:1:2: expected an array element, got '}': the rest of the file is "
            "lost\n");
}

static void
test_trailing_data (void)
{
  rj_check ("[{\"a\":1}] {\"b\":2}", -1,
            "1:2@1#0 {\"a\":1}\n"
            "STREAM 1:11@10#1 t.json:1:11: expected nothing after the closing ']', got '{': the rest "
            "of the file, after item 1, is lost\n");
  rj_check ("{\"a\":1}\n{\"b\":2}\n", -1,
            "1:1@0#0 {\"a\":1}\n"
            "STREAM 2:1@8#1 t.json:2:1: expected nothing after the root object, got '{': the rest "
            "of the file, after item 1, is lost\n");
  rj_check ("{\"a\":1}]", -1,
            "1:1@0#0 {\"a\":1}\n"
            "STREAM 1:8@7#1 t.json:1:8: expected nothing after the root object, got ']': the rest "
            "of the file, after item 1, is lost\n");
  /* A rejected single object still ends the file. */
  rj_check ("{\"a\":\"\xff\"} []", -1,
            "ITEM 1:1@0#0 t.json:1:1: not valid UTF-8: byte 0xff at line 1, column 7\n"
            "STREAM 1:11@10#1 t.json:1:11: expected nothing after the root object, got '[': the "
            "rest of the file, after item 1, is lost\n");
}

static void
test_truncated (void)
{
  rj_check ("[{\"a\":1}, {\"b\":", -1,
            "1:2@1#0 {\"a\":1}\n"
            "STREAM 1:16@15#1 t.json:1:16: truncated after item 1: item 2 starting at line 1 is "
            "lost\n");
  rj_check ("[{\"a\":1},", -1,
            "1:2@1#0 {\"a\":1}\n"
            "STREAM 1:10@9#1 t.json:1:10: truncated after item 1: the array has no closing ']'; any "
            "later items are lost\n");
  rj_check ("[{\"a\":1}\n", -1,
            "1:2@1#0 {\"a\":1}\n"
            "STREAM 2:1@9#1 t.json:2:1: truncated after item 1: the array has no closing ']'; any "
            "later items are lost\n");
  rj_check ("[", -1,
            "STREAM 1:2@1#0 t.json:1:2: truncated before the first item: the array has no closing "
            "']'; any later items are lost\n");
  rj_check ("{\"a\":\n\"x\\", -1,
            "STREAM 2:4@9#0 t.json:2:4: truncated before the first item: item 1 starting at line 1 "
            "is lost\n");
  rj_check ("[{},\n12", -1,
            "1:2@1#0 {}\n"
            "STREAM 2:3@7#1 t.json:2:3: truncated after item 1: item 2 starting at line 2 is lost\n");
}

static void
test_read_error (void)
{
  g_autoptr(AlloyReader) reader = rj_new_reader (NULL);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("[{},{\"a\":1}]", 12);
  g_autoptr(GInputStream) between = reader_test_stream_new (bytes, 3);
  g_autoptr(GInputStream) inside = reader_test_stream_new (bytes, 3);
  g_autofree char *between_got = NULL;
  g_autofree char *inside_got = NULL;

  TEST_STREAM (between)->fail_at = 4;
  between_got = rj_transcript (reader, between);
  g_assert_cmpstr (between_got, ==,
                   "1:2@1#0 {}\n"
                   "STREAM 1:5@4#1 t.json:1:5: cannot read after item 1: injected failure: the "
                   "rest of the file, after item 1, is lost\n");
  TEST_STREAM (inside)->fail_at = 7;
  inside_got = rj_transcript (reader, inside);
  g_assert_cmpstr (inside_got, ==,
                   "1:2@1#0 {}\n"
                   "STREAM 1:8@7#1 t.json:1:8: cannot read item 2 (starting at line 1): injected "
                   "failure: the rest of the file, after item 1, is lost\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reader-json/not-objects", test_not_objects);
  g_test_add_func ("/reader-json/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/reader-json/too-deep", test_too_deep);
  g_test_add_func ("/reader-json/too-large", test_too_large);
  g_test_add_func ("/reader-json/not-array", test_not_array);
  g_test_add_func ("/reader-json/mismatch", test_mismatch);
  g_test_add_func ("/reader-json/garbage", test_garbage);
  g_test_add_func ("/reader-json/trailing-data", test_trailing_data);
  g_test_add_func ("/reader-json/truncated", test_truncated);
  g_test_add_func ("/reader-json/read-error", test_read_error);

  return g_test_run ();
}
