/* catalog-test-utils.h: the fixture and file helpers of the catalog tests.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-catalog.h"
#include "alloy-test-utils.h"

G_BEGIN_DECLS

#define SETTLE_MS 100
#define WAIT_MS 10000

typedef struct {
  char *dir;
  char *root;
  char *outside;
  AlloyCatalog *catalog;
  guint added;
  guint removed;
  guint changed;
  char *last_name;
} Fixture;

void fixture_set_up (Fixture *fixture, gconstpointer data);
void fixture_tear_down (Fixture *fixture, gconstpointer data);
char *write_file (Fixture *fixture, const char *rel, const char *contents);
void put (Fixture *fixture, const char *rel, const char *contents);
void make_link (Fixture *fixture, const char *target, const char *rel);
void touch (Fixture *fixture, const char *rel);
gint64 mtime_us (Fixture *fixture, const char *rel);
AlloyCatalog *load (Fixture *fixture, guint64 partition_max_bytes);
AlloyDataset *lookup (AlloyCatalog *catalog, const char *name);
char *generation_of (AlloyCatalog *catalog, const char *name);

G_END_DECLS
