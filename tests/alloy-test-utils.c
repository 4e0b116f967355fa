/* alloy-test-utils.c: helpers shared by the test programs.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-test-utils.h"

#include <glib/gstdio.h>
#include <sys/resource.h>

static gboolean
on_tick (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

GSource *
alloy_test_tick_source_new (void)
{
  GSource *source = g_timeout_source_new (20);

  g_source_set_callback (source, on_tick, NULL, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

void
alloy_test_keep_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GAsyncResult *
alloy_test_wait_result (GAsyncResult **result, guint timeout_ms)
{
  ALLOY_TEST_WAIT_UNTIL (*result != NULL, timeout_ms);
  return g_steal_pointer (result);
}

GStrv
alloy_test_plugin_search_path (void)
{
  return alloy_plugin_search_path_build (NULL, NULL);
}

const AlloyPlugin *
alloy_test_load_plugin (const char *name)
{
  g_auto(GStrv) path = alloy_test_plugin_search_path ();
  g_autoptr(GError) error = NULL;
  const AlloyPlugin *plugin = alloy_plugin_registry_load (name, (const char *const *) path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (plugin);
  return plugin;
}

/* An instance of plugin @name configured from @group_text, with the
 * defaults filled in as the core does before configure; NULL with the
 * configure error. */
static AlloyPluginInstance *
configure_instance (const char *name, const char *group, const char *group_text, GError **error)
{
  const AlloyPlugin *plugin = alloy_test_load_plugin (name);
  g_autoptr(GKeyFile) config = g_key_file_new ();
  g_autofree char *data = g_strdup_printf ("[%s]\nplugin=%s\n%s\n", group, name,
                                           group_text ? group_text : "");
  g_autoptr(AlloyPluginInstance) instance = NULL;
  g_autoptr(GError) local_error = NULL;

  g_key_file_load_from_data (config, data, -1, G_KEY_FILE_NONE, &local_error);
  g_assert_no_error (local_error);
  for (const AlloyOptionSpec *spec = plugin->descriptor->options; spec && spec->key; spec++)
    if (!g_key_file_has_key (config, group, spec->key, NULL) && spec->default_value != NULL)
      g_key_file_set_value (config, group, spec->key, spec->default_value);

  instance = g_object_new (plugin->type, NULL);
  alloy_plugin_instance_set_name (instance, group);
  if (!alloy_plugin_instance_configure (instance, config, group, error))
    return NULL;
  return g_steal_pointer (&instance);
}

AlloyPluginInstance *
alloy_test_new_instance (const char *name, const char *group, const char *group_text)
{
  g_autoptr(GError) error = NULL;
  AlloyPluginInstance *instance = configure_instance (name, group, group_text, &error);

  g_assert_no_error (error);
  return instance;
}

void
alloy_test_assert_bad_config (const char *name, const char *group, const char *group_text,
                              const char *message_prefix)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyPluginInstance) instance = configure_instance (name, group, group_text, &error);

  g_assert_null (instance);
  g_assert_error (error, ALLOY_CONFIG_ERROR, ALLOY_CONFIG_ERROR_INVALID_VALUE);
  if (!g_str_has_prefix (error->message, message_prefix))
    g_error ("%s: expected\n  %s\ngot\n  %s", group_text, message_prefix, error->message);
}

static void
on_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

gboolean
alloy_test_start_instance (AlloyPluginInstance *instance, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  alloy_plugin_instance_start_async (instance, NULL, on_started, &result);
  ALLOY_TEST_WAIT_UNTIL (result != NULL, 10000);
  return alloy_plugin_instance_start_finish (instance, result, error);
}

char *
alloy_test_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("alloy-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
alloy_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        alloy_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
alloy_test_tmp_dir_set_up (AlloyTestTmpDir *fixture, gconstpointer data)
{
  fixture->dir = alloy_test_make_tmp_dir ();
}

void
alloy_test_tmp_dir_tear_down (AlloyTestTmpDir *fixture, gconstpointer data)
{
  alloy_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

glong
alloy_test_peak_rss_kib (void)
{
  struct rusage usage;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  return usage.ru_maxrss;
}

const char *
alloy_test_fixtures_dir (void)
{
  const char *dir = g_getenv ("ALLOY_FIXTURES");

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    return NULL;
  return dir;
}

typedef struct {
  char *domain;
  GLogLevelFlags level;
  char *pattern;
} ExpectedLog;

static GMutex expected_lock;
static GQueue expected_logs = G_QUEUE_INIT;

static void
expected_log_free (ExpectedLog *expected)
{
  g_free (expected->domain);
  g_free (expected->pattern);
  g_free (expected);
}

static GLogWriterOutput
test_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  const char *domain = NULL;
  const char *message = NULL;
  ExpectedLog *expected;
  gboolean matched = FALSE;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }
  g_mutex_lock (&expected_lock);
  expected = g_queue_peek_head (&expected_logs);
  if (expected != NULL && (level & expected->level) && g_strcmp0 (domain, expected->domain) == 0 &&
      message != NULL && g_pattern_match_simple (expected->pattern, message))
    {
      expected_log_free (g_queue_pop_head (&expected_logs));
      matched = TRUE;
    }
  g_mutex_unlock (&expected_lock);
  if (matched)
    {
      if (g_test_verbose ())
        g_printerr ("# expected log: %s: %s\n", domain, message);
      return G_LOG_WRITER_HANDLED;
    }
  /* Anything else as usual: g_test_init made warnings fatal there. */
  return g_log_writer_default (level, fields, n_fields, data);
}

void
alloy_test_log_init (void)
{
  g_log_set_writer_func (test_log_writer, NULL, NULL);
}

void
alloy_test_expect_log (const char *domain, GLogLevelFlags level, const char *pattern)
{
  ExpectedLog *expected = g_new0 (ExpectedLog, 1);

  expected->domain = g_strdup (domain);
  expected->level = level;
  expected->pattern = g_strdup (pattern);
  g_mutex_lock (&expected_lock);
  g_queue_push_tail (&expected_logs, expected);
  g_mutex_unlock (&expected_lock);
}

void
alloy_test_assert_expected_logs (void)
{
  ExpectedLog *missing;

  g_mutex_lock (&expected_lock);
  missing = g_queue_pop_head (&expected_logs);
  g_queue_clear_full (&expected_logs, (GDestroyNotify) expected_log_free);
  g_mutex_unlock (&expected_lock);
  if (missing != NULL)
    g_error ("did not see the expected log message %s: %s", missing->domain, missing->pattern);
}

void
alloy_test_append_hex (GByteArray *bytes, const char *hex)
{
  while (*hex != '\0')
    {
      guint8 byte;

      if (*hex == ' ')
        {
          hex++;
          continue;
        }
      g_assert_true (g_ascii_isxdigit (hex[0]) && g_ascii_isxdigit (hex[1]));
      byte = (guint8) (g_ascii_xdigit_value (hex[0]) << 4 | g_ascii_xdigit_value (hex[1]));
      g_byte_array_append (bytes, &byte, 1);
      hex += 2;
    }
}

char *
alloy_test_peers_text (AlloyPeerSnapshot *snapshot)
{
  GPtrArray *peers = alloy_peer_snapshot_get_peers (snapshot);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < peers->len; i++)
    {
      g_autofree char *peer = alloy_peer_to_string (g_ptr_array_index (peers, i));
      g_string_append_printf (text, "%s%s", i ? " " : "", peer);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}
