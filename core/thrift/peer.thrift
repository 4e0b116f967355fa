/* Alloy's own peer-to-peer API: a peer asked for a view asks every other
 * live peer what it holds of the view's dataset. Served on the Nexus port,
 * the address discovery publishes (a frame whose first byte is 0x80, the
 * strict Thrift version word, is a peer call; Nexus frames never start so).
 * docs/protocol-notes.md has the rules.
 *
 * As in sample_store.thrift, fields that must be present are declared with
 * the default requiredness and checked by alloy-peer-codec.c, which names
 * a missing one.
 * SPDX-License-Identifier: Apache-2.0 */

namespace c_glib AlloyThrift

enum InventoryState {
  /* The dataset is here: partitions lists it (possibly empty). */
  Held = 0,
  /* No such dataset on this peer. */
  Absent = 1,
  /* The dataset is here, but the view cannot be served as asked (its
   * dataset.conf binds another schema; the schema is missing). */
  Invalid = 2,
  /* The dataset is here but cannot be served (a bad dataset.conf, an
   * unreadable directory). */
  Failed = 3,
  /* The peer is starting or draining: leave it out. */
  NotReady = 4
}

struct InventoryRequest {
  1: /* required */ string dataset
  /* The view's schema; empty: the files only (a peer learning what a
   * newcomer holds), with empty press fields in a Held answer. */
  2: /* required */ string schemaName
}

struct InventoryPartition {
  1: /* required */ string id
  2: /* required */ string path
  3: /* required */ string digest
  4: /* required */ i64 rangeStart
  5: /* required */ i64 rangeEnd
}

/* A file of the dataset the peer cannot serve (unreadable, a special
 * file, a link out of the location root). */
struct RefusedFile {
  1: /* required */ string path
  2: /* required */ string reason
}

struct Inventory {
  1: /* required */ InventoryState state
  2: /* required */ string message
  3: /* required */ string peerId
  /* With Held: what this peer presses with, which every holder must share;
   * partitions and refused files also with NotReady, when known (a peer
   * that drains still says what it holds, so that its data is not
   * expected to vanish unnoticed). */
  4: optional string schemaName
  5: optional string schemaDigest
  6: optional i32 rootVersion
  7: optional string pressOptions
  8: optional list<InventoryPartition> partitions
  9: optional list<RefusedFile> refused
}

service AlloyPeerApi {
  Inventory getInventory(1: InventoryRequest request)
}
