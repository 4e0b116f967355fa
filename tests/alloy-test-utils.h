/* alloy-test-utils.h: helpers shared by the test programs.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"
#include "alloy-plugin-registry.h"

G_BEGIN_DECLS

/* Iterates the thread-default main context until @condition holds or
 * @timeout_ms passed, then asserts @condition. Never sleeps: a short
 * periodic source only wakes the loop to look at the deadline. */
#define ALLOY_TEST_WAIT_UNTIL(condition, timeout_ms)                                      \
  G_STMT_START                                                                            \
  {                                                                                       \
    gint64 alloy_test_deadline_ = g_get_monotonic_time () + (gint64) (timeout_ms) * 1000; \
    GSource *alloy_test_tick_ = alloy_test_tick_source_new ();                            \
    while (!(condition) && g_get_monotonic_time () < alloy_test_deadline_)                \
      g_main_context_iteration (g_main_context_get_thread_default (), TRUE);              \
    g_source_destroy (alloy_test_tick_);                                                  \
    g_source_unref (alloy_test_tick_);                                                    \
    if (!(condition))                                                                     \
      g_error ("%s:%d: timed out after %d ms waiting for: %s", __FILE__, __LINE__,        \
               (int) (timeout_ms), #condition);                                           \
  }                                                                                       \
  G_STMT_END

/* A 20 ms periodic source on the thread-default context. */
GSource *alloy_test_tick_source_new (void);

/* A GAsyncReadyCallback that keeps a reference on the result in the
 * `GAsyncResult *` that @user_data points to (NULL before). */
void alloy_test_keep_result (GObject *source, GAsyncResult *result, gpointer user_data);
/* Iterates the main context until *@result is set (within @timeout_ms),
 * then returns it: the caller finishes the call and unrefs it. */
GAsyncResult *alloy_test_wait_result (GAsyncResult **result, guint timeout_ms);

/* The plugin search path of the build: --plugin-path order is used by
 * tests that pass directories, ALLOY_PLUGIN_PATH otherwise. */
GStrv alloy_test_plugin_search_path (void);

/* Loads @name through the registry and asserts it loaded. */
const AlloyPlugin *alloy_test_load_plugin (const char *name);

/* A new instance of plugin @name, configured from @group_text (the body of
 * the group, "key=value\n..."), named @group. Asserts success. */
AlloyPluginInstance *alloy_test_new_instance (const char *name, const char *group,
                                              const char *group_text);

/* Asserts that configuring plugin @name from @group_text (defaults filled
 * in) fails with ALLOY_CONFIG_ERROR_INVALID_VALUE and a message starting
 * with @message_prefix. */
void alloy_test_assert_bad_config (const char *name, const char *group, const char *group_text,
                                   const char *message_prefix);

/* Runs start_async on the thread-default context and waits for it. */
gboolean alloy_test_start_instance (AlloyPluginInstance *instance, GError **error);

/* A GTest fixture: a fresh temporary directory for each test case,
 * removed with its contents afterwards. */
typedef struct {
  char *dir;
} AlloyTestTmpDir;

void alloy_test_tmp_dir_set_up (AlloyTestTmpDir *fixture, gconstpointer data);
void alloy_test_tmp_dir_tear_down (AlloyTestTmpDir *fixture, gconstpointer data);

/* Peak resident set size of this process so far, in KiB. */
glong alloy_test_peak_rss_kib (void);

/* A fresh directory under the system temp dir; removed by
 * alloy_test_remove_tree. */
char *alloy_test_make_tmp_dir (void);
void alloy_test_remove_tree (const char *path);

/* Alloy logs with the structured API, which g_test_expect_message() does
 * not see. Call this once after g_test_init(): warnings stay fatal unless
 * they were announced with alloy_test_expect_log(), in order. */
void alloy_test_log_init (void);
void alloy_test_expect_log (const char *domain, GLogLevelFlags level, const char *pattern);
/* Fails when an announced message did not come. */
void alloy_test_assert_expected_logs (void);

/* Appends bytes written as hex pairs ("00 00 00 4D"); spaces are ignored.
 * Worked examples of the references are written this way. */
void alloy_test_append_hex (GByteArray *bytes, const char *hex);

/* A snapshot's peers as `id@host:port` separated by spaces, sorted as the
 * snapshot keeps them. */
char *alloy_test_peers_text (AlloyPeerSnapshot *snapshot);

/* ../shared/fixtures, or NULL (the test should then g_test_skip). */
const char *alloy_test_fixtures_dir (void);

G_END_DECLS
