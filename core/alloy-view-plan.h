/* alloy-view-plan.h: answering a view: which dataset it selects, how its
 * partitions are spread over loci, what each locus tells the peer that
 * serves it, and the generation hash. Pure functions: no I/O.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-brio-schema.h"
#include "alloy-dataset.h"
#include "alloy-inventory.h"
#include "alloy-view.h"

G_BEGIN_DECLS

#define ALLOY_VIEW_ERROR (alloy_view_error_quark ())
ALLOY_INTERNAL
GQuark alloy_view_error_quark (void);

typedef enum {
  ALLOY_VIEW_ERROR_INVALID,   /* the view cannot be served as asked: answer state Invalid */
  ALLOY_VIEW_ERROR_NOT_READY, /* try again later: state NotReady */
  ALLOY_VIEW_ERROR_FAILED,    /* anything else: state Exception */
  ALLOY_VIEW_ERROR_STALE,     /* serving: a locus's partition changed since its view was planned */
} AlloyViewError;

/* Sets @error to a new ALLOY_VIEW_ERROR @code and returns NULL: one-line
 * failures for the view modules. */
ALLOY_INTERNAL
gpointer alloy_view_fail (GError **error, AlloyViewError code, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

/* Store properties and the values Alloy takes. */
#define ALLOY_VIEW_KEY_SOURCE_NAME "burst.samplestore.source.name"
#define ALLOY_VIEW_SOURCE_ALLOY "alloy"
/* The retired Java JSON source, whose views name a file or directory. */
#define ALLOY_VIEW_SOURCE_JSON_BRIO "JsonBrio"
#define ALLOY_VIEW_KEY_JSON_LOCATION "json.samplestore.location"
#define ALLOY_VIEW_KEY_DATASET "alloy.samplestore.dataset"

/* Partition-property keys the planner writes into every locus. */
#define ALLOY_VIEW_KEY_SKIP_INDEX "alloy.samplestore.stream.skipIndex"
#define ALLOY_VIEW_KEY_LOCI_COUNT "alloy.samplestore.loci.count"
#define ALLOY_VIEW_KEY_GENERATION "alloy.samplestore.generation"
#define ALLOY_VIEW_KEY_SCHEMA "alloy.samplestore.schema"
#define ALLOY_VIEW_KEY_ROOT_VERSION "alloy.samplestore.json.rootVersion"
#define ALLOY_VIEW_KEY_PARTITIONS "alloy.samplestore.partitions"

/**
 * AlloyViewSelection:
 * @source_name: the view's burst.samplestore.source.name
 * @dataset: the dataset's name (a directory under the location root)
 * @path: (nullable): a JsonBrio view naming one file: its path relative to
 *   the dataset directory; only that file's partitions are served
 */
typedef struct {
  char *source_name;
  char *dataset;
  char *path;
} AlloyViewSelection;

ALLOY_INTERNAL
void alloy_view_selection_free (AlloyViewSelection *selection);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyViewSelection, alloy_view_selection_free)

/* Reads the dataset selector from the view's store properties (view and
 * domain properties do not select). Source `alloy`: the dataset is
 * `alloy.samplestore.dataset`, a plain name (no '/', not hidden). Source
 * `JsonBrio`: `json.samplestore.location` is a path, absolute or relative to
 * @root (the resolved location root), that must lie inside it after
 * lexical normalization (`..` may not climb out): ROOT/NAME selects the
 * dataset NAME, ROOT/NAME/FILE one file of it. Symbolic links are the
 * catalog's business. ALLOY_VIEW_ERROR_INVALID otherwise, with a message
 * that names the key and what is wrong (and what is accepted). */
ALLOY_INTERNAL
AlloyViewSelection *alloy_view_select (const AlloyViewRequest *request, const char *root,
                                       GError **error);

/**
 * AlloyViewSlice:
 * @partition: the partition's id in its dataset
 * @digest: the partition file's digest when the view was planned
 * @modulus: this locus streams the partition's items whose 0-based index
 *   i (among every item the reader frames, rejected ones included) has
 * @residue: i % modulus == residue; modulus 1 and residue 0: every item
 */
typedef struct {
  char *partition;
  char *digest;
  guint modulus;
  guint residue;
} AlloyViewSlice;

/**
 * AlloyViewShare:
 * @dataset: the dataset's name
 * @schema: the schema's name to press with
 * @root_version: the blob header's rootVersion
 * @skip_index: this locus's index, 0 .. @loci_count - 1
 * @loci_count: how many loci the view has
 * @generation: the view's generation hash
 * @slices: (element-type AlloyViewSlice): what this locus streams, in order
 *
 * What one locus streams, as its partition properties carry it.
 */
typedef struct {
  char *dataset;
  char *schema;
  gint32 root_version;
  guint skip_index;
  guint loci_count;
  char *generation;
  GPtrArray *slices;
} AlloyViewShare;

ALLOY_INTERNAL
void alloy_view_share_free (AlloyViewShare *share);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AlloyViewShare, alloy_view_share_free)

/* Serving side: the share a locus's partition properties describe (as a
 * Nexus Initiate brings them back). Every ALLOY_VIEW_KEY_* key but the
 * source name is required: the integers in plain decimal (rootVersion and
 * the loci count >= 1, skipIndex below the count), the generation a SHA-256
 * in lower-case hex, and ALLOY_VIEW_KEY_PARTITIONS a JSON array, in
 * streaming order, of {"id": string, "digest": SHA-256 hex, "modulus": 1..,
 * "residue": 0..modulus-1} with no other member (possibly empty: the locus
 * streams no data). ALLOY_VIEW_ERROR_INVALID naming the missing or
 * malformed key. */
ALLOY_INTERNAL
AlloyViewShare *alloy_view_share_parse (GHashTable *partition_properties, GError **error);

/**
 * AlloyViewPlanInput:
 * @selection: what the view selects
 * @dataset: (nullable): the dataset's snapshot when every peer holds all
 *   of it; NULL when @inventories say who holds what
 * @schema_name: the schema items are pressed with (the dataset's
 *   `schema` setting, else the view's): it goes into the hash, with
 *   @schema_digest
 * @schema_digest: SHA-256 of the schema's files, in version order
 * @root_version: the blob header's rootVersion (the dataset's
 *   `root-version`, else alloy.samplestore.json.rootVersion), >= 1
 * @press_options: the reader and presser options that change blobs
 *   (item size limit, depth limit...) as one string, for the hash
 * @peers: (element-type AlloyPeer): the live peers that hold the dataset
 *   (any order)
 * @inventories: (element-type AlloyInventory) (nullable): with no
 *   @dataset, what each of @peers holds (same index); the holders of one
 *   partition id agree on it (alloy_view_check_holdings)
 * @replication: loci per peer (alloy.samplestore.loci.replication), >= 1
 */
typedef struct {
  const AlloyViewSelection *selection;
  AlloyDataset *dataset;
  const char *schema_name;
  const char *schema_digest;
  gint32 root_version;
  const char *press_options;
  GPtrArray *peers;
  guint replication;
  GPtrArray *inventories;
} AlloyViewPlanInput;

/* The success answer for @request: peers x replication loci (never none),
 * in peer order (sorted here too); each partition is assigned to one of
 * the peers that hold it by rendezvous hashing of (peer id, partition
 * id), and a peer's
 * partitions are split over its loci: whole partitions balanced by size
 * when it has at least as many partitions as loci, else each partition's
 * items striped over several loci (modulus/residue). The loci of one
 * answer stream every item exactly once. A locus's partition properties:
 * the request's store, then domain, then view properties (later ones win,
 * as in Burst's Java sources), then the selection (source name, dataset)
 * and the ALLOY_VIEW_KEY_* keys. suid: "B" + 32 upper-case hex, random.
 * host_address and port: the peer's; host_name: its id (its host without
 * one). The generation hash (SHA-256 hex) covers the selection, every
 * planned slice with its digest, the schema name and digest, the root
 * version, the press options and the layout (peer ids and addresses per
 * locus), and nothing else: the same data and layout give the same hash,
 * and suids do not enter it.
 *
 * Layout details: the rendezvous score is the first 8 bytes of
 * SHA-256("PEER-ID\0PARTITION-ID") (a peer without id: its `host:port`);
 * whole partitions go largest first to the locus with the fewest bytes
 * (then the fewest partitions, then the lowest index), each locus keeping
 * dataset order; with fewer partitions q than loci n, partition k is
 * striped over n/q loci (one more for k < n%q). A peer that wins no
 * partition still has its loci, with no slice (they stream no data).
 * Partitions are ordered by path, then range (the dataset's order).
 * No live peer: ALLOY_VIEW_ERROR_NOT_READY; a JsonBrio file the dataset
 * does not have: ALLOY_VIEW_ERROR_INVALID. */
ALLOY_INTERNAL
AlloyViewAnswer *alloy_view_plan (const AlloyViewRequest *request,
                                  const AlloyViewPlanInput *input, GError **error);

/* An answer for a failure: the state that matches @error's code
 * (ALLOY_VIEW_ERROR_*; any other domain: Exception), its message and
 * NO_HASH. */
ALLOY_INTERNAL
AlloyViewAnswer *alloy_view_plan_failure (const AlloyViewRequest *request, const GError *error);

G_END_DECLS
