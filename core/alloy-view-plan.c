/* alloy-view-plan.c: answering a view: the dataset it selects, the layout
 * of its partitions over loci, each locus's partition properties and the
 * generation hash (alloy-view-share.c reads a locus's share back).
 *
 * Layout. Each partition goes to one of its holders by rendezvous hashing; a peer's
 * partitions are then split over its `replication` loci, whole partitions
 * balanced by size when it has at least as many partitions as loci, else
 * each partition striped over several loci by item index (modulus and
 * residue). The loci of one answer therefore stream every item once (Java's
 * JSON source streamed the whole file from every locus: defect D1).
 *
 * Hash. The cell reuses cached slices when the hash equals the previous
 * one, so equal hashes for different data are forbidden, and the same data
 * and layout must give the same hash (no time in it: defect D4). It is a
 * SHA-256 over a versioned, length-prefixed serialization of exactly what
 * changes the blobs a locus streams; file contents enter through their
 * digests, so touching a file changes nothing.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-view-plan.h"
#include "alloy-catalog.h"

#include <stdarg.h>
#include <string.h>

#include <json-glib/json-glib.h>

/* Bump when the serialization or the layout rules change: a new planner
 * must never reproduce an old hash for a different layout. */
#define HASH_VERSION "alloy-view-1"

#define SOURCES_ACCEPTED                                                                      \
  "Alloy serves '" ALLOY_VIEW_SOURCE_ALLOY "' views (and '" ALLOY_VIEW_SOURCE_JSON_BRIO "' " \
  "views of Burst's retired JSON source)"

G_DEFINE_QUARK (alloy-view-error-quark, alloy_view_error)

gpointer
alloy_view_fail (GError **error, AlloyViewError code, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (ALLOY_VIEW_ERROR, code, format, args));
  va_end (args);
  return NULL;
}

/* Selection */

void
alloy_view_selection_free (AlloyViewSelection *selection)
{
  if (selection == NULL)
    return;
  g_free (selection->source_name);
  g_free (selection->dataset);
  g_free (selection->path);
  g_free (selection);
}

static AlloyViewSelection *
selection_new (const char *source_name, const char *dataset, const char *path)
{
  AlloyViewSelection *selection = g_new0 (AlloyViewSelection, 1);

  selection->source_name = g_strdup (source_name);
  selection->dataset = g_strdup (dataset);
  selection->path = g_strdup (path);
  return selection;
}

/* g_canonicalize_filename keeps a leading "//" (POSIX leaves its meaning
 * open); on Linux it is "/", and a root spelled either way must match. */
static char *
canonicalize (const char *path, const char *relative_to)
{
  char *canonical = g_canonicalize_filename (path, relative_to);

  if (canonical[0] == '/' && canonical[1] == '/')
    memmove (canonical, canonical + 1, strlen (canonical));
  return canonical;
}

/* Lexical only: where symbolic links lead is the catalog's business (it
 * refuses links out of the root), and this module does no I/O. */
static AlloyViewSelection *
select_json_location (const char *location, const char *root, GError **error)
{
  g_autofree char *base = canonicalize (root, NULL);
  g_autofree char *full = canonicalize (location, base);
  g_autofree char *name = NULL;
  g_autoptr(GError) local = NULL;
  gsize n = strlen (base);
  const char *rest;
  const char *slash;

  if (strcmp (full, base) == 0)
    return alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID,
                 "%s '%s' is the location root %s and names no dataset: name a dataset "
                 "directory under it, or a file in one",
                 ALLOY_VIEW_KEY_JSON_LOCATION, location, base);
  if (n == 1)
    rest = full + 1; /* the root is "/" */
  else if (strncmp (full, base, n) == 0 && full[n] == '/')
    rest = full + n + 1;
  else
    return alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID,
                 "%s '%s' lies outside the location root %s: name a dataset directory under "
                 "it, or a file in one",
                 ALLOY_VIEW_KEY_JSON_LOCATION, location, base);

  slash = strchr (rest, '/');
  name = slash != NULL ? g_strndup (rest, slash - rest) : g_strdup (rest);
  if (!alloy_catalog_check_name (name, &local))
    return alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID, "%s '%s': %s", ALLOY_VIEW_KEY_JSON_LOCATION,
                 location, local->message);
  return selection_new (ALLOY_VIEW_SOURCE_JSON_BRIO, name, slash != NULL ? slash + 1 : NULL);
}

AlloyViewSelection *
alloy_view_select (const AlloyViewRequest *request, const char *root, GError **error)
{
  GHashTable *store = request->store_properties;
  const char *source = g_hash_table_lookup (store, ALLOY_VIEW_KEY_SOURCE_NAME);
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (root != NULL, NULL);

  if (g_strcmp0 (source, ALLOY_VIEW_SOURCE_ALLOY) == 0)
    {
      const char *name = g_hash_table_lookup (store, ALLOY_VIEW_KEY_DATASET);

      if (name == NULL)
        return alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID,
                     "the view's store properties name no dataset: set %s",
                     ALLOY_VIEW_KEY_DATASET);
      if (!alloy_catalog_check_name (name, &local))
        return alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID, "%s: %s", ALLOY_VIEW_KEY_DATASET,
                     local->message);
      return selection_new (ALLOY_VIEW_SOURCE_ALLOY, name, NULL);
    }
  if (g_strcmp0 (source, ALLOY_VIEW_SOURCE_JSON_BRIO) == 0)
    {
      const char *location = g_hash_table_lookup (store, ALLOY_VIEW_KEY_JSON_LOCATION);

      if (location == NULL)
        return alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID,
                     "the view's store properties name no dataset: set %s",
                     ALLOY_VIEW_KEY_JSON_LOCATION);
      return select_json_location (location, root, error);
    }
  if (source == NULL)
    return alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID, "%s is not set: %s", ALLOY_VIEW_KEY_SOURCE_NAME,
                 SOURCES_ACCEPTED);
  return alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID, "%s is '%s': %s", ALLOY_VIEW_KEY_SOURCE_NAME,
               source, SOURCES_ACCEPTED);
}

/* Layout */

/* A partition as the planner sees it, borrowed from the dataset or from an
 * inventory. */
typedef struct {
  const char *id;
  const char *path;
  const char *digest;
  guint64 range_start;
  guint64 range_end;
} Part;

typedef struct {
  const Part *part;
  guint index; /* in dataset order: the order slices stream in */
  guint modulus;
  guint residue;
} PlannedSlice;

typedef struct {
  const AlloyPeer *peer;
  GArray *slices; /* PlannedSlice */
  guint64 bytes;
} PlannedLocus;

/* The dataset as planned: its partitions in order, and who holds each. */
typedef struct {
  GArray *parts;         /* Part, sorted by path then range */
  GPtrArray *peers;      /* const AlloyPeer, sorted */
  GArray *holds;         /* gboolean [part * n_peers + peer] */
} Holdings;

static void
holdings_clear (Holdings *holdings)
{
  g_clear_pointer (&holdings->parts, g_array_unref);
  g_clear_pointer (&holdings->peers, g_ptr_array_unref);
  g_clear_pointer (&holdings->holds, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Holdings, holdings_clear)

static guint64
part_size (const Part *part)
{
  return part->range_end - part->range_start;
}

static gint
compare_parts (gconstpointer a, gconstpointer b)
{
  const Part *x = a, *y = b;
  gint by_path = strcmp (x->path, y->path);

  if (by_path != 0)
    return by_path;
  return (x->range_start > y->range_start) - (x->range_start < y->range_start);
}

static gint
compare_peers (gconstpointer a, gconstpointer b)
{
  return alloy_peer_compare (*(const AlloyPeer *const *) a, *(const AlloyPeer *const *) b);
}

static gboolean
holds (const Holdings *holdings, guint k, guint p)
{
  return g_array_index (holdings->holds, gboolean, (gsize) k * holdings->peers->len + p);
}

/* Sorts the peers, then gathers the partitions: the dataset's, held by
 * every peer, or the union of the inventories'. */
static void
holdings_init (Holdings *holdings, const AlloyViewPlanInput *input)
{
  guint n_peers = input->peers->len;
  g_autoptr(GHashTable) index_of = g_hash_table_new (g_str_hash, g_str_equal);

  holdings->peers = g_ptr_array_copy (input->peers, NULL, NULL);
  g_ptr_array_set_free_func (holdings->peers, NULL);
  g_ptr_array_sort (holdings->peers, compare_peers);
  holdings->parts = g_array_new (FALSE, FALSE, sizeof (Part));

  if (input->inventories == NULL)
    {
      for (guint k = 0; k < alloy_dataset_get_n_partitions (input->dataset); k++)
        {
          const AlloyPartition *partition = alloy_dataset_get_partition (input->dataset, k);
          Part part = { partition->id, partition->path, partition->digest,
                        partition->range_start, partition->range_end };

          g_array_append_val (holdings->parts, part);
        }
      holdings->holds = g_array_new (FALSE, FALSE, sizeof (gboolean));
      g_array_set_size (holdings->holds, (gsize) holdings->parts->len * n_peers);
      for (guint i = 0; i < holdings->holds->len; i++)
        g_array_index (holdings->holds, gboolean, i) = TRUE;
      return;
    }

  for (guint p = 0; p < n_peers; p++)
    {
      const AlloyInventory *inventory = input->inventories->pdata[p];

      for (guint i = 0; i < inventory->partitions->len; i++)
        {
          const AlloyInventoryPartition *partition = inventory->partitions->pdata[i];
          Part part = { partition->id, partition->path, partition->digest,
                        partition->range_start, partition->range_end };

          if (g_hash_table_contains (index_of, part.id))
            continue;
          g_hash_table_insert (index_of, (gpointer) part.id, NULL);
          g_array_append_val (holdings->parts, part);
        }
    }
  g_array_sort (holdings->parts, compare_parts);
  for (guint k = 0; k < holdings->parts->len; k++)
    g_hash_table_insert (index_of,
                         (gpointer) g_array_index (holdings->parts, Part, k).id,
                         GUINT_TO_POINTER (k));
  holdings->holds = g_array_new (FALSE, TRUE, sizeof (gboolean));
  g_array_set_size (holdings->holds, (gsize) holdings->parts->len * n_peers);
  for (guint p = 0; p < n_peers; p++)
    {
      const AlloyInventory *inventory = input->inventories->pdata[p];
      guint sorted = 0;

      /* The inventory goes with input->peers[p]: find it among the sorted. */
      while (holdings->peers->pdata[sorted] != input->peers->pdata[p])
        sorted++;
      for (guint i = 0; i < inventory->partitions->len; i++)
        {
          const AlloyInventoryPartition *partition = inventory->partitions->pdata[i];
          guint k = GPOINTER_TO_UINT (g_hash_table_lookup (index_of, partition->id));

          g_array_index (holdings->holds, gboolean, (gsize) k * n_peers + sorted) = TRUE;
        }
    }
}

static void
planned_locus_free (PlannedLocus *locus)
{
  g_array_unref (locus->slices);
  g_free (locus);
}

/* A peer without id is known by its address. */
static char *
peer_key (const AlloyPeer *peer)
{
  return peer->id != NULL ? g_strdup (peer->id) : alloy_peer_to_string (peer);
}

/* Rendezvous (highest random weight) hashing: a partition goes to the
 * holder with the highest score, the first 8 bytes (big-endian) of
 * SHA-256("PEER-ID\0PARTITION-ID"). A peer's score does not depend on the
 * other peers, so when a peer joins only the partitions it now wins move
 * (to it), and when one leaves only its partitions move, each to the next
 * best of its holders: the others' cached slices stay valid. */
static guint64
rendezvous_score (const char *peer, const char *partition)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize length = sizeof digest;
  guint64 score = 0;

  g_checksum_update (checksum, (const guchar *) peer, strlen (peer) + 1);
  g_checksum_update (checksum, (const guchar *) partition, strlen (partition));
  g_checksum_get_digest (checksum, digest, &length);
  for (guint i = 0; i < 8; i++)
    score = score << 8 | digest[i];
  return score;
}

static void
add_slice (PlannedLocus *locus, const Part *part, guint index, guint modulus, guint residue)
{
  PlannedSlice slice = { part, index, modulus, residue };

  g_array_append_val (locus->slices, slice);
  locus->bytes += part_size (part);
}

static gint
compare_by_size (gconstpointer a, gconstpointer b)
{
  const PlannedSlice *x = a, *y = b;
  guint64 x_size = part_size (x->part), y_size = part_size (y->part);

  if (x_size != y_size)
    return x_size > y_size ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

static gint
compare_by_index (gconstpointer a, gconstpointer b)
{
  const PlannedSlice *x = a, *y = b;

  return (x->index > y->index) - (x->index < y->index);
}

/* @owned: the peer's partitions (modulus 1), in dataset order; @loci: its
 * @n loci. */
static void
spread_over_loci (GArray *owned, PlannedLocus **loci, guint n)
{
  guint q = owned->len;

  if (q >= n)
    {
      /* Greedy: largest first to the locus with the fewest bytes; ties go to
       * the one with fewer partitions (empty files weigh nothing, and every
       * locus should stream something), then to the lowest index. */
      g_array_sort (owned, compare_by_size);
      for (guint k = 0; k < q; k++)
        {
          const PlannedSlice *slice = &g_array_index (owned, PlannedSlice, k);
          guint best = 0;

          for (guint j = 1; j < n; j++)
            if (loci[j]->bytes < loci[best]->bytes ||
                (loci[j]->bytes == loci[best]->bytes &&
                 loci[j]->slices->len < loci[best]->slices->len))
              best = j;
          add_slice (loci[best], slice->part, slice->index, 1, 0);
        }
      for (guint j = 0; j < n; j++)
        g_array_sort (loci[j]->slices, compare_by_index);
      return;
    }

  /* Fewer partitions than loci: partition k is striped over c_k
   * consecutive loci, item i going to residue i % c_k. */
  for (guint k = 0, next = 0; k < q; k++)
    {
      const PlannedSlice *slice = &g_array_index (owned, PlannedSlice, k);
      guint c = n / q + (k < n % q ? 1 : 0);

      for (guint r = 0; r < c; r++)
        add_slice (loci[next++], slice->part, slice->index, c, r);
    }
}

/* Peers (sorted) x replication loci, in answer order; only the partitions
 * @selected[k] are planned. */
static GPtrArray *
lay_out (const Holdings *holdings, const gboolean *selected, guint replication)
{
  GPtrArray *peers = holdings->peers;
  g_autoptr(GPtrArray) loci = g_ptr_array_new_with_free_func ((GDestroyNotify) planned_locus_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autofree GArray **owned = g_new0 (GArray *, peers->len);
  guint n = replication;

  for (guint p = 0; p < peers->len; p++)
    {
      g_ptr_array_add (keys, peer_key (peers->pdata[p]));
      owned[p] = g_array_new (FALSE, FALSE, sizeof (PlannedSlice));
    }

  for (guint k = 0; k < holdings->parts->len; k++)
    {
      const Part *part = &g_array_index (holdings->parts, Part, k);
      PlannedSlice slice = { part, k, 1, 0 };
      guint64 best_score = 0;
      gint best = -1;

      if (!selected[k])
        continue;
      /* Equal scores (a duplicated peer) go to the first in peer order. */
      for (guint p = 0; p < peers->len; p++)
        {
          guint64 score;

          if (!holds (holdings, k, p))
            continue;
          score = rendezvous_score (keys->pdata[p], part->id);
          if (best < 0 || score > best_score)
            best = (gint) p, best_score = score;
        }
      g_assert (best >= 0);
      g_array_append_val (owned[best], slice);
    }

  for (guint p = 0; p < peers->len; p++)
    {
      for (guint j = 0; j < n; j++)
        {
          PlannedLocus *locus = g_new0 (PlannedLocus, 1);

          locus->peer = peers->pdata[p];
          locus->slices = g_array_new (FALSE, FALSE, sizeof (PlannedSlice));
          g_ptr_array_add (loci, locus);
        }
      spread_over_loci (owned[p], (PlannedLocus **) loci->pdata + loci->len - n, n);
      g_array_unref (owned[p]);
    }
  return g_steal_pointer (&loci);
}

/* Hash */

/* A field: its length as 8 bytes big-endian, then its bytes; an absent
 * field has length 2^64 - 1, so that NULL and "" differ. */
static void
hash_string (GChecksum *checksum, const char *value)
{
  guint64 length = value != NULL ? strlen (value) : G_MAXUINT64;
  guint8 prefix[8];

  for (guint i = 0; i < 8; i++)
    prefix[i] = (guint8) (length >> (56 - 8 * i));
  g_checksum_update (checksum, prefix, sizeof prefix);
  if (value != NULL)
    g_checksum_update (checksum, (const guchar *) value, length);
}

static void
hash_int (GChecksum *checksum, gint64 value)
{
  char text[24];

  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value);
  hash_string (checksum, text);
}

static char *
generation_hash (const AlloyViewPlanInput *input, GPtrArray *loci)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  const AlloyViewSelection *selection = input->selection;

  hash_string (checksum, HASH_VERSION);
  hash_string (checksum, selection->source_name);
  hash_string (checksum, selection->dataset);
  hash_string (checksum, selection->path);
  hash_string (checksum, input->schema_name);
  hash_string (checksum, input->schema_digest);
  hash_int (checksum, input->root_version);
  hash_string (checksum, input->press_options);
  hash_int (checksum, loci->len);
  for (guint l = 0; l < loci->len; l++)
    {
      const PlannedLocus *locus = loci->pdata[l];

      hash_string (checksum, locus->peer->id);
      hash_string (checksum, locus->peer->host);
      hash_int (checksum, locus->peer->port);
      hash_int (checksum, locus->slices->len);
      for (guint s = 0; s < locus->slices->len; s++)
        {
          const PlannedSlice *slice = &g_array_index (locus->slices, PlannedSlice, s);

          hash_string (checksum, slice->part->id);
          hash_int (checksum, (gint64) slice->part->range_start);
          hash_int (checksum, (gint64) slice->part->range_end);
          hash_string (checksum, slice->part->digest);
          hash_int (checksum, slice->modulus);
          hash_int (checksum, slice->residue);
        }
    }
  return g_strdup (g_checksum_get_string (checksum));
}

/* Answer */

static char *
slices_to_json (GArray *slices)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint s = 0; s < slices->len; s++)
    {
      const PlannedSlice *slice = &g_array_index (slices, PlannedSlice, s);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, slice->part->id);
      json_builder_set_member_name (builder, "digest");
      json_builder_add_string_value (builder, slice->part->digest);
      json_builder_set_member_name (builder, "modulus");
      json_builder_add_int_value (builder, slice->modulus);
      json_builder_set_member_name (builder, "residue");
      json_builder_add_int_value (builder, slice->residue);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static void
merge (GHashTable *into, GHashTable *from)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, from);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (into, g_strdup (key), g_strdup (value));
}

static void
set_property (GHashTable *properties, const char *key, char *value /* transfer full */)
{
  g_hash_table_insert (properties, g_strdup (key), value);
}

/* Burst style: "B" and 32 upper-case hex digits. */
static char *
new_suid (void)
{
  guint32 words[4];

  for (guint i = 0; i < 4; i++)
    words[i] = g_random_int ();
  return g_strdup_printf ("B%08X%08X%08X%08X", words[0], words[1], words[2], words[3]);
}

static AlloyLocus *
locus_new (const AlloyViewRequest *request, const AlloyViewPlanInput *input,
           const PlannedLocus *planned, guint skip_index, guint loci_count, const char *hash)
{
  const AlloyPeer *peer = planned->peer;
  g_autofree char *suid = new_suid ();
  AlloyLocus *locus = alloy_locus_new (suid, peer->host, peer->id != NULL ? peer->id : peer->host,
                                       peer->port);
  GHashTable *properties = locus->partition_properties;

  /* As Burst's Java sources merge them: later ones win. */
  merge (properties, request->store_properties);
  merge (properties, request->domain_properties);
  merge (properties, request->view_properties);
  set_property (properties, ALLOY_VIEW_KEY_SOURCE_NAME, g_strdup (input->selection->source_name));
  set_property (properties, ALLOY_VIEW_KEY_DATASET, g_strdup (input->selection->dataset));
  set_property (properties, ALLOY_VIEW_KEY_SCHEMA, g_strdup (input->schema_name));
  set_property (properties, ALLOY_VIEW_KEY_ROOT_VERSION,
                g_strdup_printf ("%" G_GINT32_FORMAT, input->root_version));
  set_property (properties, ALLOY_VIEW_KEY_SKIP_INDEX, g_strdup_printf ("%u", skip_index));
  set_property (properties, ALLOY_VIEW_KEY_LOCI_COUNT, g_strdup_printf ("%u", loci_count));
  set_property (properties, ALLOY_VIEW_KEY_GENERATION, g_strdup (hash));
  set_property (properties, ALLOY_VIEW_KEY_PARTITIONS, slices_to_json (planned->slices));
  return locus;
}

AlloyViewAnswer *
alloy_view_plan (const AlloyViewRequest *request, const AlloyViewPlanInput *input,
                 GError **error)
{
  const AlloyViewSelection *selection = input->selection;
  g_auto(Holdings) holdings = { 0 };
  g_autofree gboolean *selected = NULL;
  g_autoptr(GPtrArray) loci = NULL;
  g_autofree char *hash = NULL;
  AlloyViewAnswer *answer;
  guint n_selected = 0;

  g_return_val_if_fail (selection != NULL, NULL);
  g_return_val_if_fail ((input->dataset != NULL) != (input->inventories != NULL), NULL);
  g_return_val_if_fail (input->inventories == NULL ||
                        input->inventories->len == input->peers->len, NULL);
  g_return_val_if_fail (input->schema_name != NULL && input->peers != NULL, NULL);
  g_return_val_if_fail (input->replication >= 1 && input->root_version >= 1, NULL);

  if (input->peers->len == 0)
    return alloy_view_fail (error, ALLOY_VIEW_ERROR_NOT_READY, "no live peer to serve the view yet");
  /* skipIndex and the loci count travel as int32 in spirit (Burst's Java). */
  if (input->peers->len > G_MAXINT32 / input->replication)
    return alloy_view_fail (error, ALLOY_VIEW_ERROR_FAILED, "%u peers x %u loci is too many loci",
                 input->peers->len, input->replication);

  holdings_init (&holdings, input);
  selected = g_new0 (gboolean, holdings.parts->len + 1);
  for (guint k = 0; k < holdings.parts->len; k++)
    {
      const Part *part = &g_array_index (holdings.parts, Part, k);

      selected[k] = selection->path == NULL || strcmp (part->path, selection->path) == 0;
      n_selected += selected[k];
    }
  if (selection->path != NULL && n_selected == 0)
    return alloy_view_fail (error, ALLOY_VIEW_ERROR_INVALID, "dataset %s has no file %s",
                 selection->dataset, selection->path);

  loci = lay_out (&holdings, selected, input->replication);
  hash = generation_hash (input, loci);
  answer = alloy_view_answer_new_success (request->guid, hash, request->view_motif);
  for (guint l = 0; l < loci->len; l++)
    g_ptr_array_add (answer->loci,
                     locus_new (request, input, loci->pdata[l], l, loci->len, hash));
  return answer;
}

AlloyViewAnswer *
alloy_view_plan_failure (const AlloyViewRequest *request, const GError *error)
{
  AlloyViewState state = ALLOY_VIEW_STATE_EXCEPTION;

  if (error->domain == ALLOY_VIEW_ERROR && error->code == ALLOY_VIEW_ERROR_INVALID)
    state = ALLOY_VIEW_STATE_INVALID;
  else if (error->domain == ALLOY_VIEW_ERROR && error->code == ALLOY_VIEW_ERROR_NOT_READY)
    state = ALLOY_VIEW_STATE_NOT_READY;
  return alloy_view_answer_new_failure (request->guid, state, error->message);
}
