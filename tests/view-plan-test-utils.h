/* view-plan-test-utils.h: the helpers shared by the view-plan test
 * programs (test-view-plan: plans and hashes; test-view-select: selecting
 * a view's dataset and reading a locus's share back).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "catalog-test-utils.h"
#include "alloy-view-plan.h"

G_BEGIN_DECLS

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* Inserts the key, value pairs of the NULL-terminated @pairs. */
void insert_pairs (GHashTable *table, const char *const *pairs);

/* One NDJSON line of exactly @size bytes (0, or at least 32), distinct per
 * @seed. */
void put_sized (Fixture *fixture, const char *rel, gsize size, guint seed);
/* Peers peer-0 .. peer-(@n - 1) at 10.0.0.1 .. on port 1270. */
GPtrArray *peers_new (guint n);
AlloyViewSelection *selection_new (const char *source_name, const char *dataset,
                                   const char *path);
/* Schema "quo" of digest HEX_B, root version 1. */
AlloyViewPlanInput input_of (const AlloyViewSelection *selection, AlloyDataset *dataset,
                             GPtrArray *peers, guint replication);
/* Keys at every level, so that the checker sees the precedence, and
 * planner keys a cell could send that the planner must overwrite. */
AlloyViewRequest *plan_request (const char *guid);
/* The share of locus @locus, which must parse. */
AlloyViewShare *share_of (const AlloyViewAnswer *answer, guint locus);
/* Plans, and checks the answer as every successful answer must be. */
AlloyViewAnswer *plan_ok (const AlloyViewRequest *request, const AlloyViewPlanInput *input);
/* The layout: each locus's slices, "id" for a whole partition and
 * "id%modulus=residue" for a stripe, loci separated by " | ". */
char *layout_of (const AlloyViewAnswer *answer);
/* Plans dataset @name of the alloy source over @n_peers peers. */
AlloyViewAnswer *plan_dataset (AlloyCatalog *catalog, const char *name, guint n_peers,
                               guint replication);

#define assert_layout(catalog, name, n_peers, replication, expected)                   \
  G_STMT_START                                                                          \
  {                                                                                     \
    g_autoptr(AlloyViewAnswer) answer_ = plan_dataset (catalog, name, n_peers, replication); \
    g_autofree char *layout_ = layout_of (answer_);                                     \
    g_assert_cmpstr (layout_, ==, expected);                                            \
  }                                                                                     \
  G_STMT_END


G_END_DECLS
