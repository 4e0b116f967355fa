/* alloy-nexus-parcel.c: a Nexus parcel's payload, [int32 LE size][blob]
 * slots packed with no padding and compressed as one raw Snappy block.
 *
 * The inflated area is what a cell appends verbatim to its region files,
 * so the client checks every slot before it trusts a parcel: a bad size
 * field would corrupt a cell's cache without a word.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-nexus-parcel.h"

#include <snappy-c.h>
#include <string.h>

#define SLOT_HEADER 4

struct _AlloyParcelBuilder {
  gsize max_inflated;
  GByteArray *area; /* the slots so far */
  guint n_blobs;
};

AlloyParcelBuilder *
alloy_parcel_builder_new (gsize max_inflated)
{
  AlloyParcelBuilder *builder;

  g_return_val_if_fail (max_inflated > 0, NULL);

  builder = g_new0 (AlloyParcelBuilder, 1);
  builder->max_inflated = max_inflated;
  builder->area = g_byte_array_new ();
  return builder;
}

void
alloy_parcel_builder_free (AlloyParcelBuilder *builder)
{
  if (builder == NULL)
    return;
  g_byte_array_unref (builder->area);
  g_free (builder);
}

gboolean
alloy_parcel_builder_add (AlloyParcelBuilder *builder, GBytes *blob)
{
  gsize size;
  const guint8 *data;
  guint32 le;

  g_return_val_if_fail (builder != NULL, FALSE);
  g_return_val_if_fail (blob != NULL, FALSE);

  data = g_bytes_get_data (blob, &size);
  /* A slot of size 0 would fail the cell's checks, and the whole area's
   * size travels as an int32. */
  g_return_val_if_fail (size > 0, FALSE);
  g_return_val_if_fail (size <= (gsize) G_MAXINT32 - SLOT_HEADER - builder->area->len, FALSE);

  le = GUINT32_TO_LE ((guint32) size);
  g_byte_array_append (builder->area, (const guint8 *) &le, SLOT_HEADER);
  g_byte_array_append (builder->area, data, (guint) size);
  builder->n_blobs++;
  return builder->area->len >= builder->max_inflated;
}

gboolean
alloy_parcel_builder_would_overflow (AlloyParcelBuilder *builder, gsize blob_size)
{
  g_return_val_if_fail (builder != NULL, FALSE);

  /* An empty builder takes any blob: a large one gets a parcel alone. */
  if (builder->n_blobs == 0)
    return FALSE;
  return blob_size > builder->max_inflated ||
         builder->area->len + SLOT_HEADER > builder->max_inflated - blob_size;
}

guint
alloy_parcel_builder_get_n_blobs (AlloyParcelBuilder *builder)
{
  g_return_val_if_fail (builder != NULL, 0);

  return builder->n_blobs;
}

gsize
alloy_parcel_builder_get_inflated_size (AlloyParcelBuilder *builder)
{
  g_return_val_if_fail (builder != NULL, 0);

  return builder->area->len;
}

GBytes *
alloy_parcel_builder_take (AlloyParcelBuilder *builder, gint32 *buffer_count,
                           gint32 *inflated_size)
{
  gsize area_size;
  gsize out_size;
  char *out;
  snappy_status status;

  g_return_val_if_fail (builder != NULL, NULL);
  g_return_val_if_fail (builder->n_blobs > 0, NULL);

  area_size = builder->area->len;
  out_size = snappy_max_compressed_length (area_size);
  out = g_malloc (out_size);
  status = snappy_compress ((const char *) builder->area->data, area_size, out, &out_size);
  if (status != SNAPPY_OK)
    {
      /* Only a short output buffer fails, and this one is the maximum. */
      g_critical ("snappy_compress failed (%d) on %" G_GSIZE_FORMAT " bytes", (int) status,
                  area_size);
      g_free (out);
      return NULL;
    }
  if (buffer_count != NULL)
    *buffer_count = (gint32) builder->n_blobs;
  if (inflated_size != NULL)
    *inflated_size = (gint32) area_size;

  /* Keep the area's memory for the next parcel unless a lone large blob
   * grew it past the maximum. */
  if (area_size > builder->max_inflated)
    {
      g_byte_array_unref (builder->area);
      builder->area = g_byte_array_new ();
    }
  else
    {
      g_byte_array_set_size (builder->area, 0);
    }
  builder->n_blobs = 0;
  /* The worst case reserves a sixth more than the input: give it back, as
   * parcels may wait in a write queue. */
  return g_bytes_new_take (g_realloc (out, out_size), out_size);
}

static GPtrArray *
parcel_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static GPtrArray *
parcel_error (GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_PROTOCOL, "parcel: %s", message);
  return NULL;
}

/* Cuts the inflated area into its blobs, checking every slot. */
static GPtrArray *
split_slots (GBytes *area, gint32 buffer_count, GError **error)
{
  g_autoptr(GPtrArray) blobs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize length;
  const guint8 *data = g_bytes_get_data (area, &length);
  gsize offset = 0;

  while (offset < length)
    {
      gsize left = length - offset;
      guint slot = blobs->len;
      guint32 le;
      gint32 size;

      if (slot == (guint) buffer_count)
        return parcel_error (error, "bufferCount is %" G_GINT32_FORMAT " but %" G_GSIZE_FORMAT
                             " bytes follow the last slot", buffer_count, left);
      if (left < SLOT_HEADER)
        return parcel_error (error, "slot %u: its size field needs 4 bytes but only %"
                             G_GSIZE_FORMAT " remain", slot, left);
      memcpy (&le, data + offset, SLOT_HEADER);
      size = (gint32) GUINT32_FROM_LE (le);
      left -= SLOT_HEADER;
      if (size <= 0)
        return parcel_error (error, "slot %u at offset %" G_GSIZE_FORMAT " says %"
                             G_GINT32_FORMAT " bytes: a slot holds at least one byte", slot,
                             offset, size);
      if ((gsize) size > left)
        return parcel_error (error, "slot %u says %" G_GINT32_FORMAT " bytes but only %"
                             G_GSIZE_FORMAT " remain", slot, size, left);
      g_ptr_array_add (blobs, g_bytes_new_from_bytes (area, offset + SLOT_HEADER, (gsize) size));
      offset += SLOT_HEADER + (gsize) size;
    }
  if (blobs->len != (guint) buffer_count)
    return parcel_error (error, "%u slots fill the %" G_GSIZE_FORMAT " inflated bytes but "
                         "bufferCount is %" G_GINT32_FORMAT, blobs->len, length, buffer_count);
  return g_steal_pointer (&blobs);
}

GPtrArray *
alloy_parcel_inflate (GBytes *deflated, gint32 buffer_count, gint32 inflated_size,
                      GError **error)
{
  g_autoptr(GBytes) area = NULL;
  gsize deflated_size;
  const char *data;
  gsize preamble = 0;
  gsize out_size;
  char *out;

  g_return_val_if_fail (deflated != NULL, NULL);

  data = g_bytes_get_data (deflated, &deflated_size);
  if (buffer_count <= 0)
    return parcel_error (error, "bufferCount %" G_GINT32_FORMAT ": a parcel holds at least "
                         "one blob", buffer_count);
  if (inflated_size < 0)
    return parcel_error (error, "inflatedSize %" G_GINT32_FORMAT " is negative", inflated_size);
  if (deflated_size == 0 ||
      snappy_uncompressed_length (data, deflated_size, &preamble) != SNAPPY_OK)
    return parcel_error (error, "the %" G_GSIZE_FORMAT " deflated bytes have no Snappy "
                         "preamble", deflated_size);
  if (preamble != (gsize) inflated_size)
    return parcel_error (error, "the Snappy preamble says %" G_GSIZE_FORMAT " inflated bytes "
                         "but inflatedSize is %" G_GINT32_FORMAT, preamble, inflated_size);
  /* The preamble is the peer's word too: check that the data really
   * inflates to it before allocating that much. */
  if (snappy_validate_compressed_buffer (data, deflated_size) != SNAPPY_OK)
    return parcel_error (error, "the %" G_GSIZE_FORMAT " deflated bytes are not valid Snappy "
                         "data for %" G_GINT32_FORMAT " bytes", deflated_size, inflated_size);

  out_size = (gsize) inflated_size;
  out = g_malloc (MAX (out_size, 1));
  if (snappy_uncompress (data, deflated_size, out, &out_size) != SNAPPY_OK ||
      out_size != (gsize) inflated_size)
    {
      g_free (out);
      return parcel_error (error, "the %" G_GSIZE_FORMAT " deflated bytes do not inflate to %"
                           G_GINT32_FORMAT " bytes", deflated_size, inflated_size);
    }
  area = g_bytes_new_take (out, out_size);
  return split_slots (area, buffer_count, error);
}
