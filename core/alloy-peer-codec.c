/* alloy-peer-codec.c: getInventory in Thrift's binary protocol, on
 * libthrift-c-glib and the structs generated from thrift/peer.thrift,
 * through alloy-thrift-message.c (the safe reader, the frame writer).
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-peer-codec.h"

#include <string.h>

#include "alloy-thrift-message.h"
#include "alloy_thrift_peer_types.h"

typedef AlloyThriftAlloyPeerApiGetInventoryArgs Args;
typedef AlloyThriftAlloyPeerApiGetInventoryResult Result;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Args, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Result, g_object_unref)

static const AlloyThriftRequired args_required[] = {
  ALLOY_THRIFT_REQUIRED (Args, request),
};
static const AlloyThriftRequired request_required[] = {
  ALLOY_THRIFT_REQUIRED (AlloyThriftInventoryRequest, dataset),
  ALLOY_THRIFT_REQUIRED (AlloyThriftInventoryRequest, schemaName),
};
static const AlloyThriftRequired inventory_required[] = {
  ALLOY_THRIFT_REQUIRED (AlloyThriftInventory, state),
  ALLOY_THRIFT_REQUIRED (AlloyThriftInventory, message),
  ALLOY_THRIFT_REQUIRED (AlloyThriftInventory, peerId),
};
/* What a holder must say: the planner compares them across holders. */
static const AlloyThriftRequired held_required[] = {
  ALLOY_THRIFT_REQUIRED (AlloyThriftInventory, schemaName),
  ALLOY_THRIFT_REQUIRED (AlloyThriftInventory, schemaDigest),
  ALLOY_THRIFT_REQUIRED (AlloyThriftInventory, rootVersion),
  ALLOY_THRIFT_REQUIRED (AlloyThriftInventory, pressOptions),
  ALLOY_THRIFT_REQUIRED (AlloyThriftInventory, partitions),
};
static const AlloyThriftRequired refused_required[] = {
  ALLOY_THRIFT_REQUIRED (AlloyThriftRefusedFile, path),
  ALLOY_THRIFT_REQUIRED (AlloyThriftRefusedFile, reason),
};
static const AlloyThriftRequired partition_required[] = {
  ALLOY_THRIFT_REQUIRED (AlloyThriftInventoryPartition, id),
  ALLOY_THRIFT_REQUIRED (AlloyThriftInventoryPartition, path),
  ALLOY_THRIFT_REQUIRED (AlloyThriftInventoryPartition, digest),
  ALLOY_THRIFT_REQUIRED (AlloyThriftInventoryPartition, rangeStart),
  ALLOY_THRIFT_REQUIRED (AlloyThriftInventoryPartition, rangeEnd),
};

gboolean
alloy_peer_decode_call (const guint8 *frame, gsize length, AlloyThriftHeader *header,
                        char **dataset, char **schema_name, GError **error)
{
  static const char what[] = "getInventory call";
  const gint code = ALLOY_THRIFT_ERROR_MALFORMED;
  g_autoptr(AlloyThriftReader) reader = NULL;
  g_autoptr(Args) args = NULL;

  g_return_val_if_fail (header != NULL && dataset != NULL && schema_name != NULL, FALSE);

  reader = alloy_thrift_open_call (frame, length, ALLOY_PEER_METHOD, header, error);
  if (reader == NULL)
    return FALSE;
  args = g_object_new (ALLOY_THRIFT_TYPE_ALLOY_PEER_API_GET_INVENTORY_ARGS, NULL);
  if (!alloy_thrift_read_body (reader, what, THRIFT_STRUCT (args), error)
      || !ALLOY_THRIFT_CHECK_REQUIRED (args, args_required, what, code, "", error)
      || !ALLOY_THRIFT_CHECK_REQUIRED (args->request, request_required, what, code, "request.",
                                       error))
    return FALSE;
  *dataset = g_steal_pointer (&args->request->dataset);
  *schema_name = g_steal_pointer (&args->request->schemaName);
  return TRUE;
}

GBytes *
alloy_peer_encode_reply (gint32 seqid, const AlloyInventory *inventory)
{
  g_autoptr(Result) result = NULL;
  AlloyThriftInventory *to;

  g_return_val_if_fail (inventory != NULL, NULL);

  alloy_thrift_ensure_types ();
  result = g_object_new (ALLOY_THRIFT_TYPE_ALLOY_PEER_API_GET_INVENTORY_RESULT, NULL);
  result->__isset_success = TRUE;
  to = result->success;
  to->state = (AlloyThriftInventoryState) inventory->state;
  to->__isset_state = TRUE;
  alloy_thrift_set_string (&to->message, inventory->message);
  alloy_thrift_set_string (&to->peerId, inventory->peer_id);
  if (inventory->state == ALLOY_INVENTORY_HELD)
    {
      to->__isset_schemaName = to->__isset_schemaDigest = TRUE;
      to->__isset_rootVersion = to->__isset_pressOptions = TRUE;
      alloy_thrift_set_string (&to->schemaName, inventory->schema_name);
      alloy_thrift_set_string (&to->schemaDigest, inventory->schema_digest);
      to->rootVersion = inventory->root_version;
      alloy_thrift_set_string (&to->pressOptions, inventory->press_options);
    }
  /* A peer that drains still says what it holds. */
  to->__isset_partitions = inventory->state == ALLOY_INVENTORY_HELD ||
                           (inventory->state == ALLOY_INVENTORY_NOT_READY &&
                            inventory->partitions->len > 0);
  to->__isset_refused = to->__isset_partitions && inventory->refused->len > 0;
  for (guint i = 0; to->__isset_partitions && i < inventory->partitions->len; i++)
    {
      const AlloyInventoryPartition *from = g_ptr_array_index (inventory->partitions, i);
      AlloyThriftInventoryPartition *partition = g_object_new (
          ALLOY_THRIFT_TYPE_INVENTORY_PARTITION, NULL);

      alloy_thrift_set_string (&partition->id, from->id);
      alloy_thrift_set_string (&partition->path, from->path);
      alloy_thrift_set_string (&partition->digest, from->digest);
      partition->rangeStart = (gint64) from->range_start;
      partition->rangeEnd = (gint64) from->range_end;
      g_ptr_array_add (to->partitions, partition);
    }
  for (guint i = 0; to->__isset_refused && i < inventory->refused->len; i++)
    {
      const AlloyInventoryRefused *from = g_ptr_array_index (inventory->refused, i);
      AlloyThriftRefusedFile *refused = g_object_new (ALLOY_THRIFT_TYPE_REFUSED_FILE, NULL);

      alloy_thrift_set_string (&refused->path, from->path);
      alloy_thrift_set_string (&refused->reason, from->reason);
      g_ptr_array_add (to->refused, refused);
    }
  return alloy_thrift_write_message (ALLOY_PEER_METHOD, T_REPLY, seqid, THRIFT_STRUCT (result));
}

GBytes *
alloy_peer_encode_call (gint32 seqid, const char *dataset, const char *schema_name)
{
  g_autoptr(Args) args = NULL;

  alloy_thrift_ensure_types ();
  args = g_object_new (ALLOY_THRIFT_TYPE_ALLOY_PEER_API_GET_INVENTORY_ARGS, NULL);
  alloy_thrift_set_string (&args->request->dataset, dataset);
  alloy_thrift_set_string (&args->request->schemaName, schema_name);
  return alloy_thrift_write_message (ALLOY_PEER_METHOD, T_CALL, seqid, THRIFT_STRUCT (args));
}

static gboolean
check_partitions (GPtrArray *partitions, const char *what, GError **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < partitions->len; i++)
    {
      AlloyThriftInventoryPartition *partition = g_ptr_array_index (partitions, i);
      g_autofree char *prefix = g_strdup_printf ("partitions[%u].", i);
      const char *problem = NULL;

      if (!ALLOY_THRIFT_CHECK_REQUIRED (partition, partition_required, what,
                                        ALLOY_THRIFT_ERROR_PROTOCOL, prefix, error))
        return FALSE;
      if (*partition->id == '\0' || *partition->digest == '\0')
        problem = "an empty id or digest";
      else if (partition->rangeStart < 0 || partition->rangeEnd < partition->rangeStart)
        problem = "a range that runs backwards";
      else if (!g_hash_table_add (seen, partition->id))
        problem = "an id listed twice";
      if (problem != NULL)
        {
          g_set_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_PROTOCOL,
                       "malformed %s: partitions[%u] ('%s') has %s", what, i, partition->id,
                       problem);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_refused (GPtrArray *refused, const char *what, GError **error)
{
  for (guint i = 0; i < refused->len; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("refused[%u].", i);

      if (!ALLOY_THRIFT_CHECK_REQUIRED (g_ptr_array_index (refused, i), refused_required, what,
                                        ALLOY_THRIFT_ERROR_PROTOCOL, prefix, error))
        return FALSE;
    }
  return TRUE;
}

AlloyInventory *
alloy_peer_decode_reply (const guint8 *frame, gsize length, gint32 seqid, GError **error)
{
  static const char what[] = "getInventory reply";
  const gint code = ALLOY_THRIFT_ERROR_PROTOCOL;
  g_autoptr(AlloyThriftReader) reader = NULL;
  g_autoptr(Result) result = NULL;
  g_autoptr(AlloyInventory) inventory = NULL;
  AlloyThriftInventory *from;

  reader = alloy_thrift_open_reply (frame, length, ALLOY_PEER_METHOD, seqid, "the peer", error);
  if (reader == NULL)
    return NULL;
  result = g_object_new (ALLOY_THRIFT_TYPE_ALLOY_PEER_API_GET_INVENTORY_RESULT, NULL);
  if (!alloy_thrift_read_body (reader, what, THRIFT_STRUCT (result), error))
    return NULL;
  if (!result->__isset_success)
    {
      g_set_error (error, ALLOY_THRIFT_ERROR, code, "malformed %s: no result (field 0)", what);
      return NULL;
    }
  from = result->success;
  if (!ALLOY_THRIFT_CHECK_REQUIRED (from, inventory_required, what, code, "", error))
    return NULL;
  if ((gint) from->state < ALLOY_INVENTORY_HELD || (gint) from->state > ALLOY_INVENTORY_NOT_READY)
    {
      g_set_error (error, ALLOY_THRIFT_ERROR, code, "malformed %s: unknown state %d", what,
                   (gint) from->state);
      return NULL;
    }
  inventory = alloy_inventory_new ((AlloyInventoryState) from->state, NULL, NULL);
  alloy_thrift_steal_string (&inventory->message, &from->message);
  alloy_thrift_steal_string (&inventory->peer_id, &from->peerId);
  if (inventory->state == ALLOY_INVENTORY_HELD)
    {
      if (!ALLOY_THRIFT_CHECK_REQUIRED (from, held_required, what, code, "", error))
        return NULL;
      if (from->rootVersion < 1)
        {
          g_set_error (error, ALLOY_THRIFT_ERROR, code, "malformed %s: rootVersion %d, not >= 1",
                       what, from->rootVersion);
          return NULL;
        }
      alloy_thrift_steal_string (&inventory->schema_name, &from->schemaName);
      alloy_thrift_steal_string (&inventory->schema_digest, &from->schemaDigest);
      inventory->root_version = from->rootVersion;
      alloy_thrift_steal_string (&inventory->press_options, &from->pressOptions);
    }
  else if (inventory->state != ALLOY_INVENTORY_NOT_READY || !from->__isset_partitions)
    return g_steal_pointer (&inventory);

  if (!check_partitions (from->partitions, what, error)
      || (from->__isset_refused && !check_refused (from->refused, what, error)))
    return NULL;
  for (guint i = 0; i < from->partitions->len; i++)
    {
      AlloyThriftInventoryPartition *partition = g_ptr_array_index (from->partitions, i);

      alloy_inventory_add_partition (inventory, partition->id, partition->path,
                                     partition->digest, (guint64) partition->rangeStart,
                                     (guint64) partition->rangeEnd);
    }
  for (guint i = 0; from->__isset_refused && i < from->refused->len; i++)
    {
      AlloyThriftRefusedFile *refused = g_ptr_array_index (from->refused, i);

      alloy_inventory_add_refused (inventory, refused->path, refused->reason);
    }
  return g_steal_pointer (&inventory);
}
