/* test-reader.c: the reader interface, driven through the good_reader
 * fixture plugin: framing, locations, item errors and what follows them.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"

static AlloyReader *
new_reader (void)
{
  const char *const path[] = { g_getenv ("ALLOY_TEST_PLUGIN_DIR"), NULL };
  g_autoptr(GError) error = NULL;
  const AlloyPlugin *plugin = alloy_plugin_registry_load ("good_reader", path, &error);
  g_autoptr(GKeyFile) config = g_key_file_new ();
  AlloyPluginInstance *reader;

  g_assert_no_error (error);
  reader = g_object_new (plugin->type, NULL);
  g_key_file_set_string (config, "reader:lines", "suffix", ".lines");
  g_assert_true (alloy_plugin_instance_configure (reader, config, "reader:lines", &error));
  return ALLOY_READER (reader);
}

static AlloyItemIter *
open_text (AlloyReader *reader, const char *text, guint64 start, guint64 end, GError **error)
{
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (g_strdup (text), -1,
                                                                        g_free);
  AlloyReaderInput input = { .display_name = "people.lines", .range_start = start,
                             .range_end = end };

  return alloy_reader_open (reader, stream, &input, NULL, error);
}

static void
test_probe (void)
{
  g_autoptr(AlloyReader) reader = new_reader ();

  g_assert_cmpuint (alloy_reader_probe (reader, "a.lines", (const guint8 *) "{", 1), ==, 10);
  g_assert_cmpuint (alloy_reader_probe (reader, "a.json", (const guint8 *) "[", 1), ==, 0);
}

static void
test_items_and_errors (void)
{
  g_autoptr(AlloyReader) reader = new_reader ();
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyItemIter) iter = open_text (reader, "{\"a\":1}\n\n[1]\n{\"b\":2}\n", 0,
                                             G_MAXUINT64, &error);
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  GBytes *none = NULL;
  AlloyItemLocation location;

  g_assert_no_error (error);
  g_assert_true (alloy_item_iter_next (iter, &first, &location, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (first, NULL), g_bytes_get_size (first), "{\"a\":1}", 7);
  g_assert_cmpstr (location.file, ==, "people.lines");
  g_assert_cmpuint (location.line, ==, 1);
  g_assert_cmpuint (location.offset, ==, 0);
  g_assert_cmpuint (location.index, ==, 0);

  /* A bad item is an ITEM error with its place; the next call goes on. */
  g_assert_false (alloy_item_iter_next (iter, &none, &location, NULL, &error));
  g_assert_null (none);
  g_assert_error (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_ITEM);
  g_assert_cmpstr (error->message, ==, "people.lines:3:1: not a JSON object");
  g_assert_cmpuint (location.line, ==, 3);
  g_assert_cmpuint (location.offset, ==, 9);
  g_assert_cmpuint (location.index, ==, 1);
  g_clear_error (&error);

  g_assert_true (alloy_item_iter_next (iter, &second, &location, NULL, &error));
  g_assert_cmpmem (g_bytes_get_data (second, NULL), g_bytes_get_size (second), "{\"b\":2}", 7);
  g_assert_cmpuint (location.line, ==, 4);
  g_assert_cmpuint (location.offset, ==, 13);
  g_assert_cmpuint (location.index, ==, 2);

  g_assert_false (alloy_item_iter_next (iter, &none, &location, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (none);
}

static void
test_cancelled (void)
{
  g_autoptr(AlloyReader) reader = new_reader ();
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyItemIter) iter = open_text (reader, "{}\n{}\n", 0, G_MAXUINT64, &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AlloyItemLocation location;
  GBytes *none = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (alloy_item_iter_next (iter, &none, &location, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  /* Finished for good. */
  g_assert_false (alloy_item_iter_next (iter, &none, &location, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (none);
}

static void
test_range_unsupported (void)
{
  g_autoptr(AlloyReader) reader = new_reader ();
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyItemIter) iter = open_text (reader, "{}\n", 1, 2, &error);

  g_assert_null (iter);
  g_assert_error (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_UNSUPPORTED);
  g_assert_cmpstr (error->message, ==, "people.lines: good_reader reads whole files only");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reader/probe", test_probe);
  g_test_add_func ("/reader/items-and-errors", test_items_and_errors);
  g_test_add_func ("/reader/range-unsupported", test_range_unsupported);
  g_test_add_func ("/reader/cancelled", test_cancelled);

  return g_test_run ();
}
