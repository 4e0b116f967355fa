/* fetch-test-utils.h: the fake servers and the fixture shared by the fetch
 * test programs (test-fetch-client: the client modules; test-fetch-cli:
 * `alloy fetch` end to end).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-test-utils.h"

#include "alloy-frame-io.h"
#include "alloy-nexus-client.h"

G_BEGIN_DECLS

/* Upper bounds: waits end as soon as their condition holds. */
#define WAIT_MS 60000
#define LONG_MS 20000
#define SHORT_MS 150
#define MOTIF "VIEW test { INCLUDE user WHERE true }"

/* --- Fake servers ------------------------------------------------------- */

typedef enum {
  THRIFT_GOOD,
  THRIFT_WRONG_SEQID,
  THRIFT_STATE,
  THRIFT_NO_LOCI,
  THRIFT_NO_MOTIF,
  THRIFT_SILENT,
} ThriftMode;

typedef struct {
  GSocketService *service;
  guint16 port;
  ThriftMode mode;
  GPtrArray *loci;          /* AlloyLocus, copied into each answer */
  GPtrArray *connections;   /* GIOStream */
  AlloyViewRequest *request; /* the last call */
} ThriftServer;

typedef struct {
  GSocketService *service;
  guint16 port;
  char *unix_path;
  GPtrArray *peers;         /* Peer */
  guint initiates;
  AlloyNexusMessage *initiate; /* the last one */
} NexusServer;

typedef struct {
  NexusServer *server;
  GIOStream *conn;
  AlloyFrameWriter *writer;
  GCancellable *cancellable;
  AlloyNexusVariant variant;
} Peer;

/* What the Nexus server does for a stream, chosen by the Initiate's suid
 * (up to a '.'), and what the client must then report. */
typedef struct {
  const char *name;
  guint parcels;      /* bit 0: {alpha, beta}; bit 1: {gamma} */
  gint32 status;      /* of the Complete; 1: none */
  gint64 items;
  const char *rule;   /* NULL: a clean stream */
  gint code;
} Script;

#define NONE 1

/* Every script, "good" first: the rule cases are the others. */
#define N_SCRIPTS 20
extern const Script scripts[N_SCRIPTS];

/* --- Fixture: both servers, the Nexus one on TCP and a unix socket ------ */

typedef struct {
  ThriftServer thrift;
  NexusServer nexus;
  char *tmp;
} Fixture;

/* Both servers started; the Thrift one answers with one locus, S1 on the
 * Nexus TCP port. */
void fixture_set_up (Fixture *fixture, gconstpointer data);
void fixture_tear_down (Fixture *fixture, gconstpointer data);

/* A TCP connection to 127.0.0.1:@port. */
GIOStream *connect_loopback (guint16 port);

G_END_DECLS
