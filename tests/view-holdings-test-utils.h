/* view-holdings-test-utils.h: the helpers shared by the holdings test
 * programs (test-view-holdings: refusals and acceptances;
 * test-view-holdings-plan: planning over the holdings accepted).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-view-holdings.h"
#include "view-plan-test-utils.h"

G_BEGIN_DECLS

#define DATASET "events"

/* Peers a, b and c as the checker's messages name them. */
#define PA "peer-a@10.0.0.1:1270"
#define PB "peer-b@10.0.0.2:1270"
#define PC "peer-c@10.0.0.3:1270"
/* Inventory states, short for the tables. */
#define HELD ALLOY_INVENTORY_HELD
#define ABSENT ALLOY_INVENTORY_ABSENT
#define INVALID ALLOY_INVENTORY_INVALID
#define FAILED ALLOY_INVENTORY_FAILED

/* The answers of one round: peers with their inventories, and silent
 * members with what they last held. */
typedef struct {
  GPtrArray *peers;        /* AlloyPeer */
  GPtrArray *inventories;  /* AlloyInventory, same index */
  GPtrArray *silent;       /* AlloyViewSilentPeer */
  GPtrArray *silent_peers; /* AlloyPeer: the silent entries' */
  GPtrArray *strings;      /* the silent entries' reasons */
  GPtrArray *last_known;   /* GStrv: the silent entries' */
} Answers;

/* Empty answers; answers_clear() (or g_auto) frees them. */
void answers_init (Answers *answers);
void answers_clear (Answers *answers);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answers, answers_clear)

/* A HELD inventory of @partitions (space-separated tokens ID[:S-E][#X],
 * see add_partition() in the .c), pressed with schema quo (HEX_B),
 * rootVersion 1 and item.max=64M unless @tweak ("schema=",
 * "schema-digest=", "root=", "options=") says otherwise; "refused=PATH"
 * adds a file it cannot read. */
AlloyInventory *held_new (const char *peer_id, const char *partitions, const char *tweak);
/* The answer of peer @index (peer-a at 10.0.0.1, peer-b at 10.0.0.2, ...). */
void add_answer (Answers *answers, guint index, AlloyInventory *inventory /* transfer full */);
/* A silent member @index: @last_known space-separated ids ("" none),
 * NULL: never known. */
void add_silent (Answers *answers, guint index, const char *reason, const char *last_known);

/* One answer of a table case: @peer 'a'... answering in @state (SILENT:
 * none) with @text: HELD its partitions, else its message (SILENT: the
 * reason); @extra: HELD a tweak, SILENT what it last held (NULL never
 * known). */
#define SILENT 99

typedef struct {
  char peer;
  int state;
  const char *text;
  const char *extra;
} Answer;

/* Adds the answers of @table, up to an entry of peer '\0'. */
void add_answers (Answers *answers, const Answer *table);

/* alloy_view_check_holdings() of dataset DATASET over @answers. */
gboolean check (Answers *answers, AlloyViewPlanInput *input, GError **error);

G_END_DECLS
