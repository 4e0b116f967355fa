/* transport-test-utils.h: helpers shared by the transport plugin test
 * programs (test-transport-tcp, test-transport-unix).
 *
 * Every test runs a listening instance whose ::incoming handler echoes what
 * it reads, and clients that connect through a second, unconfigured
 * instance. All I/O is asynchronous on the default main context, which the
 * tests iterate until a condition holds or a deadline passes.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-test-utils.h"

G_BEGIN_DECLS

#define BIG_SIZE (8 * 1024 * 1024)
#define CHUNK_SIZE (64 * 1024)
#define N_CLIENTS 64
/* Upper bounds only: waits end as soon as their condition holds. They are
 * generous so that the program also passes under valgrind. */
#define TIMEOUT_MS 60000

/* --- Helpers ------------------------------------------------------------ */

/* @size deterministic bytes (xorshift32 from @seed), so that a failure can
 * be replayed. */
GBytes *make_pattern (gsize size, guint32 seed);

/* Dispatches what is ready (cancelled accepts, closed client attempts), so
 * that no test leaves work behind for the next one. */
void drain_main_context (void);

/* An instance of @plugin_name with no configuration: a client. */
AlloyPluginInstance *new_unconfigured_instance (const char *plugin_name);
/* alloy_test_new_instance, then started; asserts the start. */
AlloyPluginInstance *start_new_instance (const char *plugin_name, const char *group,
                                         const char *group_text);

/* The one address @instance is bound to, as connect_async takes it. */
char *bound_address (AlloyPluginInstance *instance);

/* connect_async through @client, waited for. */
GIOStream *connect_to (AlloyPluginInstance *client, const char *address, GError **error);

/* --- The echo server ------------------------------------------------------ */

typedef struct {
  guint incoming;   /* ::incoming emissions */
  guint active;     /* connections still being echoed */
  guint eof;        /* connections that ended with a clean end of stream */
  guint errors;     /* connections that ended with a read or write error */
  guint64 echoed;
  char *last_remote;
} EchoServer;

/* The ::incoming handler: connect it with an EchoServer as user data. */
void on_incoming (AlloyTransport *transport, GIOStream *stream, const char *remote,
                  gpointer user_data);
void echo_server_clear (EchoServer *server);

/* --- A client exchange: send a message, read the echo back --------------- */

/* One exchange of @size pattern bytes (from @seed) to completion; asserts
 * the echo, byte for byte. */
void assert_round_trip (AlloyPluginInstance *client, const char *address, gsize size,
                        guint32 seed);

/* --- Fixture: an echoing listener and a client instance ------------------ */

typedef struct {
  AlloyPluginInstance *server;
  AlloyPluginInstance *client;
  EchoServer echo;
  char *address; /* where the server listens, as connect_async takes it */
  char *tmp_dir;
} Fixture;

/* @user_data: "tcp4", "tcp6" or "unix". Without IPv6 loopback the tcp6
 * fixture stays empty and the test skips. */
void fixture_setup (Fixture *fixture, gconstpointer user_data);
void fixture_teardown (Fixture *fixture, gconstpointer user_data);

/* --- Test bodies shared by both transports -------------------------------- */

/* @user_data is the fixture's flavour. */
void test_round_trip (Fixture *fixture, gconstpointer user_data);
void test_many_connections (Fixture *fixture, gconstpointer user_data);
void test_peer_closes_mid_stream (Fixture *fixture, gconstpointer user_data);

G_END_DECLS
