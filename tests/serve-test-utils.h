/* serve-test-utils.h: alloyd and `alloy fetch` as subprocesses, for the
 * end-to-end tests.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-test-utils.h"

G_BEGIN_DECLS

typedef struct {
  char *config_path;
  GSubprocess *process;
  GDataInputStream *stderr_lines;
  GString *stderr_text;
  gboolean stderr_done;
} ServeTestDaemon;

/* Writes @config_text to DIR/NAME.conf, starts `alloyd --verbose` on it and
 * waits until it serves (its peer line is logged). */
ServeTestDaemon *serve_test_daemon_start (const char *dir, const char *name,
                                          const char *config_text);
/* The address logged as "listening: PROTOCOL SCHEME:ADDRESS", with its
 * scheme: "tcp:127.0.0.1:40211", "unix:/tmp/x/nexus.sock". */
char *serve_test_daemon_address (ServeTestDaemon *daemon, const char *protocol,
                                 const char *scheme);
gboolean serve_test_daemon_log_has (ServeTestDaemon *daemon, const char *text);
/* SIGTERM, then asserts a clean exit. */
void serve_test_daemon_stop (ServeTestDaemon *daemon);
/* Kills it if it runs, then frees. */
void serve_test_daemon_free (ServeTestDaemon *daemon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ServeTestDaemon, serve_test_daemon_free)

typedef struct {
  GSubprocess *process;
  char *out;
  char *err;
  gboolean done;
  int status;
} ServeTestFetch;

/* Starts `alloy fetch ARGS...` (NULL-terminated) without waiting. */
ServeTestFetch *serve_test_fetch_start (const char *const *args);
/* Waits (iterating the main context) and returns the exit status. */
int serve_test_fetch_wait (ServeTestFetch *fetch);
/* Waits, and fails with fetch's output unless it exited with @expected. */
void serve_test_fetch_assert_status (ServeTestFetch *fetch, int expected);
void serve_test_fetch_free (ServeTestFetch *fetch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ServeTestFetch, serve_test_fetch_free)

/* Reads the summary line `loci L, items I, rejected R, ...` of fetch's
 * standard output; asserts it is there. */
void serve_test_parse_summary (const char *out, guint *loci, guint64 *items, guint64 *rejected);

/* Makes DATASETS/quo holding a copy of the quo fixture (a symbolic link
 * out of the location root would be refused). FALSE without fixtures. */
gboolean serve_test_make_quo_dataset (const char *datasets);

/* The body of [alloy] and the listener groups every test uses: TCP on
 * free loopback ports, the test's datasets, the fixtures' schemas. */
char *serve_test_config (const char *datasets, const char *extra_alloy_keys);

G_END_DECLS
