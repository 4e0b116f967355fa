/* alloy-peer-service.c: getInventory, answered from the local catalog.
 *
 * Peers call each other on the Nexus port because that is the address
 * discovery publishes; Burst never sends a Nexus frame starting with the
 * strict Thrift version byte (docs/protocol-notes.md, "Peers").
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-peer-service.h"

#include "alloy-peer-codec.h"
#include "alloy-thrift-service.h"

gboolean
alloy_peer_service_claims (GBytes *frame)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (frame, &length);

  return length > 0 && data[0] == ALLOY_PEER_FRAME_FIRST_BYTE;
}

void
alloy_peer_service_answer (AlloyConnection *connection, AlloySource *source, GBytes *frame,
                           guint64 *refused)
{
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyInventory) inventory = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autofree char *dataset = NULL;
  g_autofree char *schema_name = NULL;
  gsize length;
  const guint8 *data = g_bytes_get_data (frame, &length);

  if (!alloy_peer_decode_call (data, length, &header, &dataset, &schema_name, &error))
    {
      alloy_thrift_service_refuse (connection, &header, error, refused);
      return;
    }
  inventory = alloy_source_take_inventory (source, dataset, schema_name);
  g_debug ("%s: inventory of dataset %s: %s, %u partitions",
           alloy_connection_get_description (connection), dataset,
           alloy_inventory_state_to_string (inventory->state), inventory->partitions->len);
  reply = alloy_peer_encode_reply (header.seqid, inventory);
  alloy_connection_send (connection, reply, NULL, NULL);
}
