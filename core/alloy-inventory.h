/* alloy-inventory.h: what one peer holds of one dataset, as peers tell
 * each other when a view is planned (docs/protocol-notes.md, "Peers").
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

/* The values of the peer API's InventoryState (core/thrift/peer.thrift). */
typedef enum {
  ALLOY_INVENTORY_HELD = 0,      /* the dataset is here: its partitions, possibly none */
  ALLOY_INVENTORY_ABSENT = 1,    /* no such dataset on this peer */
  ALLOY_INVENTORY_INVALID = 2,   /* here, but the view cannot be served as asked */
  ALLOY_INVENTORY_FAILED = 3,    /* here, but it cannot be served at all */
  ALLOY_INVENTORY_NOT_READY = 4, /* the peer is starting or draining: leave it out */
} AlloyInventoryState;

/**
 * AlloyInventoryPartition:
 * @id: the partition's id in its dataset (AlloyPartition's)
 * @path: its file, relative to the dataset directory
 * @digest: SHA-256 of the whole file, hex
 * @range_start: its first byte
 * @range_end: one past its last byte: the size is the difference
 */
typedef struct {
  char *id;
  char *path;
  char *digest;
  guint64 range_start;
  guint64 range_end;
} AlloyInventoryPartition;

/* A file the peer cannot serve, and why. */
typedef struct {
  char *path;
  char *reason;
} AlloyInventoryRefused;

/**
 * AlloyInventory:
 * @state: see AlloyInventoryState
 * @message: why, when not HELD ("OK" else)
 * @peer_id: the answering peer's node-id
 * @schema_name: with HELD: the schema it presses with, as its files name it
 * @schema_digest: with HELD: SHA-256 of the schema's files
 * @root_version: with HELD: the blob header's rootVersion it writes
 * @press_options: with HELD: the options that change its blobs
 * @partitions: (element-type AlloyInventoryPartition): with HELD (and
 *   NOT_READY when known), in the dataset's order; empty otherwise
 * @refused: (element-type AlloyInventoryRefused): the dataset's files the
 *   peer cannot serve, as for @partitions
 */
typedef struct {
  AlloyInventoryState state;
  char *message;
  char *peer_id;
  char *schema_name;
  char *schema_digest;
  gint32 root_version;
  char *press_options;
  GPtrArray *partitions;
  GPtrArray *refused;
} AlloyInventory;

/* An inventory in @state with @message and no partitions yet. */
ALLOY_INTERNAL
AlloyInventory *alloy_inventory_new (AlloyInventoryState state, const char *peer_id,
                                     const char *message);
ALLOY_INTERNAL
void alloy_inventory_free (AlloyInventory *inventory);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyInventory, alloy_inventory_free)

ALLOY_INTERNAL
void alloy_inventory_add_partition (AlloyInventory *inventory, const char *id, const char *path,
                                    const char *digest, guint64 range_start, guint64 range_end);

ALLOY_INTERNAL
void alloy_inventory_add_refused (AlloyInventory *inventory, const char *path, const char *reason);

/* The distinct paths of its partitions, in order: what is remembered of
 * it. A new NULL-terminated array. */
ALLOY_INTERNAL
GStrv alloy_inventory_get_paths (const AlloyInventory *inventory);

/* "held", "absent", "invalid", "failed", "not ready", or "state N". */
ALLOY_INTERNAL
const char *alloy_inventory_state_to_string (gint state);

G_END_DECLS
