/* alloy-nexus-message.c: Nexus frames, both wire variants, both directions.
 *
 * Encoding appends to a GByteArray and patches the length in at the end.
 * Decoding goes through a bounds-checked reader: a length from the wire is
 * checked against the bytes that remain before anything is allocated for
 * it, so that a hostile frame costs no more memory than its own size, and
 * every error names the body offset of the field that did not decode.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-nexus-message.h"

#include <string.h>

G_DEFINE_QUARK (alloy-nexus-error-quark, alloy_nexus_error)

#define TRACE_ENTRY 0xfe
#define TRACE_END 0xff
/* An ascii8 string: its signed length byte allows no more. */
#define ASCII8_MAX 127

static gboolean
type_is_known (gint32 type)
{
  return type >= ALLOY_NEXUS_INITIATE && type <= ALLOY_NEXUS_HEARTBEAT;
}

AlloyNexusMessage *
alloy_nexus_message_new (AlloyNexusMessageType type, gint32 ruid, const char *guid,
                         const char *suid)
{
  AlloyNexusMessage *message = g_new0 (AlloyNexusMessage, 1);

  message->type = type;
  message->ruid = ruid;
  message->guid = g_strdup (guid);
  message->suid = g_strdup (suid);
  if (type == ALLOY_NEXUS_INITIATE)
    message->properties = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return message;
}

void
alloy_nexus_message_free (AlloyNexusMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->guid);
  g_free (message->suid);
  g_clear_pointer (&message->properties, g_hash_table_unref);
  g_free (message->schema);
  g_free (message->filter);
  g_free (message->client_hostname);
  g_free (message->server_hostname);
  g_clear_pointer (&message->deflated, g_bytes_unref);
  g_free (message);
}

const char *
alloy_nexus_message_type_to_string (gint32 type)
{
  /* A few buffers per thread, so that two names of unknown types fit in
   * one log line; the type comes from the wire, so interning every one
   * would let a peer grow the process without bound. */
  static _Thread_local char unknown[4][24];
  static _Thread_local guint next;
  char *buffer;

  switch (type)
    {
    case ALLOY_NEXUS_INITIATE: return "Initiate";
    case ALLOY_NEXUS_INITIATED: return "Initiated";
    case ALLOY_NEXUS_PARCEL: return "Parcel";
    case ALLOY_NEXUS_COMPLETE: return "Complete";
    case ALLOY_NEXUS_ABORT: return "Abort";
    case ALLOY_NEXUS_HEARTBEAT: return "Heartbeat";
    default:
      buffer = unknown[next++ % G_N_ELEMENTS (unknown)];
      g_snprintf (buffer, sizeof unknown[0], "type %" G_GINT32_FORMAT, type);
      return buffer;
    }
}

gboolean
alloy_nexus_sniff_variant (const guint8 *frame, gsize length, AlloyNexusVariant *variant,
                           GError **error)
{
  g_return_val_if_fail (frame != NULL || length == 0, FALSE);
  g_return_val_if_fail (variant != NULL, FALSE);

  if (length == 0)
    {
      g_set_error (error, ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_MALFORMED,
                   "offset 0: empty frame, no variant to tell");
      return FALSE;
    }
  switch (frame[0])
    {
    case TRACE_ENTRY:
    case TRACE_END:
      *variant = ALLOY_NEXUS_VARIANT_TRACE;
      return TRUE;
    case 0x00:
      *variant = ALLOY_NEXUS_VARIANT_OLD;
      return TRUE;
    default:
      g_set_error (error, ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_MALFORMED,
                   "offset 0: first byte 0x%02x is neither a trace-context marker (0xfe, 0xff) "
                   "nor the high byte of a message type (0x00)", frame[0]);
      return FALSE;
    }
}

/* Decoding. */

typedef struct {
  const guint8 *data;
  gsize length;
  gsize offset;
} Reader;

static gsize
reader_left (const Reader *reader)
{
  return reader->length - reader->offset;
}

static void G_GNUC_PRINTF (3, 4)
set_malformed (GError **error, gsize at, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_MALFORMED,
               "offset %" G_GSIZE_FORMAT ": %s", at, message);
}

/* FALSE, visibly to the compiler, which then knows that out arguments are
 * set whenever a reader returns TRUE. */
#define malformed(error, at, ...) (set_malformed ((error), (at), __VA_ARGS__), FALSE)

/* Points @out at the next @size bytes of @what (and @suffix) and moves
 * past them. */
static gboolean
read_bytes_of (Reader *reader, gsize size, const char *what, const char *suffix,
               const guint8 **out, GError **error)
{
  if (size > reader_left (reader))
    return malformed (error, reader->offset, "%s%s needs %" G_GSIZE_FORMAT " byte%s, %"
                      G_GSIZE_FORMAT " left", what, suffix, size, size == 1 ? "" : "s",
                      reader_left (reader));
  *out = reader->data + reader->offset;
  reader->offset += size;
  return TRUE;
}

static gboolean
read_bytes (Reader *reader, gsize size, const char *what, const guint8 **out, GError **error)
{
  return read_bytes_of (reader, size, what, "", out, error);
}

/* The big-endian integer of @width bytes at @p. */
static guint64
be_bits (const guint8 *p, gsize width)
{
  guint64 value = 0;

  for (gsize n = 0; n < width; n++)
    value = value << 8 | p[n];
  return value;
}

static gboolean
read_i32 (Reader *reader, const char *what, gint32 *out, GError **error)
{
  const guint8 *p;

  if (!read_bytes (reader, 4, what, &p, error))
    return FALSE;
  *out = (gint32) (guint32) be_bits (p, 4);
  return TRUE;
}

static gboolean
read_i64 (Reader *reader, const char *what, gint64 *out, GError **error)
{
  const guint8 *p;

  if (!read_bytes (reader, 8, what, &p, error))
    return FALSE;
  *out = (gint64) be_bits (p, 8);
  return TRUE;
}

/* The signed length (int8 when @width is 1, int32 when 4) of @what, which
 * must be positive or zero and fit what remains. */
static gboolean
read_length (Reader *reader, gsize width, const char *what, gsize *out, GError **error)
{
  gsize at = reader->offset;
  const guint8 *p;
  gint32 length;

  if (!read_bytes_of (reader, width, what, " length", &p, error))
    return FALSE;
  length = width == 1 ? (gint8) p[0] : (gint32) (guint32) be_bits (p, 4);
  if (length < 0)
    return malformed (error, at, "%s length %" G_GINT32_FORMAT, what, length);
  if ((gsize) length > reader_left (reader))
    return malformed (error, at, "%s length %" G_GINT32_FORMAT ", but only %" G_GSIZE_FORMAT
                      " left", what, length, reader_left (reader));
  *out = (gsize) length;
  return TRUE;
}

/* An int8 length and that many bytes, which @out points at. */
static gboolean
read_short_span (Reader *reader, const char *what, const guint8 **out, gsize *out_length,
                 GError **error)
{
  return read_length (reader, 1, what, out_length, error) &&
         read_bytes (reader, *out_length, what, out, error);
}

/* ascii8. Any byte but NUL goes: Java writes the platform charset, and
 * what is read is echoed back exactly. */
static gboolean
read_ascii8 (Reader *reader, const char *what, char **out, GError **error)
{
  const guint8 *p;
  const guint8 *nul;
  gsize length;

  if (!read_short_span (reader, what, &p, &length, error))
    return FALSE;
  nul = memchr (p, 0, length);
  if (nul != NULL)
    return malformed (error, reader->offset - length + (gsize) (nul - p),
                      "%s holds a NUL byte", what);
  *out = g_strndup ((const char *) p, length);
  return TRUE;
}

/* utf8, or optUtf8 when @optional (length 0 is then NULL). */
static gboolean
read_utf8 (Reader *reader, const char *what, gboolean optional, char **out, GError **error)
{
  const guint8 *p;
  const char *end;
  gsize length;

  if (!read_length (reader, 4, what, &length, error) ||
      !read_bytes (reader, length, what, &p, error))
    return FALSE;
  /* NUL is valid UTF-8 but would cut the C string short. */
  if (!g_utf8_validate_len ((const char *) p, length, &end))
    return malformed (error, reader->offset - length + (gsize) (end - (const char *) p),
                      *end == '\0' ? "%s holds a NUL byte" : "%s is not valid UTF-8", what);
  *out = optional && length == 0 ? NULL : g_strndup ((const char *) p, length);
  return TRUE;
}

static gboolean
read_properties (Reader *reader, GHashTable *properties, GError **error)
{
  gsize at = reader->offset;
  gint32 count;

  if (!read_i32 (reader, "property count", &count, error))
    return FALSE;
  /* Each property is at least two empty strings: 8 bytes. */
  if (count < 0)
    return malformed (error, at, "property count %" G_GINT32_FORMAT, count);
  if ((guint64) count > reader_left (reader) / 8)
    return malformed (error, at, "property count %" G_GINT32_FORMAT ", but only %"
                      G_GSIZE_FORMAT " bytes left (a property takes 8 at least)",
                      count, reader_left (reader));
  for (gint32 n = 0; n < count; n++)
    {
      char *key = NULL;
      char *value = NULL;

      if (!read_utf8 (reader, "property key", FALSE, &key, error))
        return FALSE;
      if (!read_utf8 (reader, "property value", FALSE, &value, error))
        {
          g_free (key);
          return FALSE;
        }
      /* A Java map never repeats a key; should one come, the last wins. */
      g_hash_table_replace (properties, key, value);
    }
  return TRUE;
}

/* Skips the entries of a trace-context block up to its terminator. */
static gboolean
skip_trace_context (Reader *reader, GError **error)
{
  for (;;)
    {
      gsize at = reader->offset;
      const guint8 *p;
      gsize length;

      if (!read_bytes (reader, 1, "trace-context marker", &p, error))
        return FALSE;
      if (p[0] == TRACE_END)
        return TRUE;
      if (p[0] != TRACE_ENTRY)
        return malformed (error, at, "trace-context marker 0x%02x (0xfe or 0xff expected)",
                          p[0]);
      if (!read_short_span (reader, "trace-context key", &p, &length, error) ||
          !read_short_span (reader, "trace-context value", &p, &length, error))
        return FALSE;
    }
}

static gboolean
decode_body (Reader *reader, AlloyNexusMessage *message, GError **error)
{
  gsize at;
  gint32 deflated_length;
  const guint8 *p;

  switch (message->type)
    {
    case ALLOY_NEXUS_INITIATE:
      message->properties = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      return read_properties (reader, message->properties, error) &&
             read_utf8 (reader, "schema", FALSE, &message->schema, error) &&
             read_utf8 (reader, "filter", TRUE, &message->filter, error) &&
             read_i64 (reader, "slice key", &message->slice_key, error) &&
             read_utf8 (reader, "client hostname", FALSE, &message->client_hostname, error) &&
             read_utf8 (reader, "server hostname", FALSE, &message->server_hostname, error);
    case ALLOY_NEXUS_INITIATED:
      return TRUE;
    case ALLOY_NEXUS_PARCEL:
      /* The length comes first and the data last, after two counts. */
      at = reader->offset;
      if (!read_i32 (reader, "deflated length", &deflated_length, error))
        return FALSE;
      if (deflated_length < 0)
        return malformed (error, at, "deflated length %" G_GINT32_FORMAT, deflated_length);
      if (!read_i32 (reader, "buffer count", &message->buffer_count, error) ||
          !read_i32 (reader, "inflated size", &message->inflated_size, error))
        return FALSE;
      if ((gsize) deflated_length > reader_left (reader))
        return malformed (error, at, "deflated length %" G_GINT32_FORMAT ", but only %"
                          G_GSIZE_FORMAT " left", deflated_length, reader_left (reader));
      if (!read_bytes (reader, (gsize) deflated_length, "deflated data", &p, error))
        return FALSE;
      message->deflated = g_bytes_new (p, (gsize) deflated_length);
      return TRUE;
    case ALLOY_NEXUS_COMPLETE:
      return read_i32 (reader, "status", &message->status, error) &&
             read_i64 (reader, "item count", &message->item_count, error) &&
             read_i64 (reader, "expected item count", &message->expected_count, error) &&
             read_i64 (reader, "potential item count", &message->potential_count, error) &&
             read_i64 (reader, "rejected item count", &message->rejected_count, error);
    case ALLOY_NEXUS_ABORT:
      return read_i64 (reader, "abort status", &message->abort_status, error);
    case ALLOY_NEXUS_HEARTBEAT:
      return read_i32 (reader, "status", &message->status, error);
    default:
      g_assert_not_reached ();
    }
}

AlloyNexusMessage *
alloy_nexus_message_decode (const guint8 *frame, gsize length, AlloyNexusVariant variant,
                            GError **error)
{
  Reader reader = { frame, length, 0 };
  g_autoptr(AlloyNexusMessage) message = NULL;
  gint32 type;
  gsize at;

  g_return_val_if_fail (frame != NULL || length == 0, NULL);
  g_return_val_if_fail (variant == ALLOY_NEXUS_VARIANT_OLD ||
                        variant == ALLOY_NEXUS_VARIANT_TRACE, NULL);

  if (variant == ALLOY_NEXUS_VARIANT_TRACE && !skip_trace_context (&reader, error))
    return NULL;
  at = reader.offset;
  if (!read_i32 (&reader, "message type", &type, error))
    return NULL;
  /* Framing holds even when the type is unknown: the caller can drop this
   * frame and go on. */
  if (!type_is_known (type))
    {
      g_set_error (error, ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_UNKNOWN_TYPE,
                   "offset %" G_GSIZE_FORMAT ": unknown message type %" G_GINT32_FORMAT,
                   at, type);
      return NULL;
    }
  message = g_new0 (AlloyNexusMessage, 1);
  message->type = type;
  if (!read_i32 (&reader, "ruid", &message->ruid, error) ||
      !read_ascii8 (&reader, "guid", &message->guid, error) ||
      !read_ascii8 (&reader, "suid", &message->suid, error) ||
      !decode_body (&reader, message, error))
    return NULL;
  if (reader_left (&reader) > 0)
    {
      set_malformed (error, reader.offset, "%" G_GSIZE_FORMAT " trailing bytes after the %s "
                     "message", reader_left (&reader), alloy_nexus_message_type_to_string (type));
      return NULL;
    }
  return g_steal_pointer (&message);
}

/* Encoding. */

typedef struct {
  GByteArray *bytes;
  gboolean failed; /* a programming error was reported: no frame */
} Writer;

static void
put_bytes (Writer *writer, const void *data, gsize length)
{
  g_byte_array_append (writer->bytes, data, (guint) length);
}

/* @value's low @width bytes, big-endian. */
static void
put_be (Writer *writer, guint64 value, gsize width)
{
  guint8 bytes[8];

  for (gsize n = 0; n < width; n++)
    bytes[n] = (guint8) (value >> (8 * (width - 1 - n)));
  put_bytes (writer, bytes, width);
}

#define put_i32(writer, value) put_be ((writer), (guint32) (value), 4)
#define put_i64(writer, value) put_be ((writer), (guint64) (value), 8)

/* ascii8 when @width is 1, utf8 or optUtf8 when 4. NULL writes as length
 * 0: "" for ascii8 and utf8, absent for optUtf8. */
static void
put_string (Writer *writer, gsize width, const char *what, const char *string)
{
  gsize length = string != NULL ? strlen (string) : 0;
  gsize max = width == 1 ? ASCII8_MAX : ALLOY_NEXUS_FRAME_MAX;

  if (length > max)
    {
      g_critical ("Nexus %s of %" G_GSIZE_FORMAT " bytes: at most %" G_GSIZE_FORMAT " fit",
                  what, length, max);
      writer->failed = TRUE;
      return;
    }
  put_be (writer, length, width);
  put_bytes (writer, string, length);
}

#define put_ascii8(writer, what, string) put_string ((writer), 1, (what), (string))
#define put_utf8(writer, what, string) put_string ((writer), 4, (what), (string))

static int
compare_keys (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Sorted, so that one message always gives the same bytes. */
static void
put_properties (Writer *writer, GHashTable *properties)
{
  g_autofree gpointer *keys = NULL;
  guint count = 0;

  if (properties != NULL)
    keys = g_hash_table_get_keys_as_array (properties, &count);
  if (count > 0)
    qsort (keys, count, sizeof *keys, compare_keys);
  put_i32 (writer, (gint32) count);
  for (guint n = 0; n < count; n++)
    {
      put_utf8 (writer, "property key", keys[n]);
      put_utf8 (writer, "property value", g_hash_table_lookup (properties, keys[n]));
    }
}

/* Starts a frame: the length (patched by finish), the trace-context
 * block, the common header. */
static void
writer_begin (Writer *writer, AlloyNexusVariant variant, gsize body_size, gint32 type,
              gint32 ruid, const char *guid, const char *suid)
{
  writer->bytes = g_byte_array_sized_new ((guint) (4 + 1 + 8 + 2 * (1 + ASCII8_MAX) +
                                                   body_size));
  writer->failed = FALSE;
  put_i32 (writer, 0);
  if (variant == ALLOY_NEXUS_VARIANT_TRACE)
    put_be (writer, TRACE_END, 1);
  put_i32 (writer, type);
  put_i32 (writer, ruid);
  put_ascii8 (writer, "guid", guid);
  put_ascii8 (writer, "suid", suid);
}

static GBytes *
writer_finish (Writer *writer)
{
  guint32 be;

  if (writer->failed)
    {
      g_byte_array_unref (writer->bytes);
      return NULL;
    }
  be = GUINT32_TO_BE (writer->bytes->len - 4);
  memcpy (writer->bytes->data, &be, 4);
  return g_byte_array_free_to_bytes (writer->bytes);
}

static gboolean
variant_is_known (AlloyNexusVariant variant)
{
  return variant == ALLOY_NEXUS_VARIANT_OLD || variant == ALLOY_NEXUS_VARIANT_TRACE;
}

GBytes *
alloy_nexus_message_encode (const AlloyNexusMessage *message, AlloyNexusVariant variant)
{
  Writer writer;
  gsize size = 0;
  const guint8 *data = NULL;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (variant_is_known (variant), NULL);

  if (message->type == ALLOY_NEXUS_PARCEL)
    {
      g_return_val_if_fail (message->deflated != NULL, NULL);
      data = g_bytes_get_data (message->deflated, &size);
      /* Far above any parcel: the frame's uint32 length stays safe. */
      g_return_val_if_fail (size <= ALLOY_NEXUS_FRAME_MAX, NULL);
    }
  writer_begin (&writer, variant, 64 + size, message->type, message->ruid, message->guid,
                message->suid);
  switch (message->type)
    {
    case ALLOY_NEXUS_INITIATE:
      put_properties (&writer, message->properties);
      put_utf8 (&writer, "schema", message->schema);
      put_utf8 (&writer, "filter", message->filter);
      put_i64 (&writer, message->slice_key);
      put_utf8 (&writer, "client hostname", message->client_hostname);
      put_utf8 (&writer, "server hostname", message->server_hostname);
      break;
    case ALLOY_NEXUS_INITIATED:
      break;
    case ALLOY_NEXUS_PARCEL:
      put_i32 (&writer, (gint32) size);
      put_i32 (&writer, message->buffer_count);
      put_i32 (&writer, message->inflated_size);
      put_bytes (&writer, data, size);
      break;
    case ALLOY_NEXUS_COMPLETE:
      put_i32 (&writer, message->status);
      put_i64 (&writer, message->item_count);
      put_i64 (&writer, message->expected_count);
      put_i64 (&writer, message->potential_count);
      put_i64 (&writer, message->rejected_count);
      break;
    case ALLOY_NEXUS_ABORT:
      put_i64 (&writer, message->abort_status);
      break;
    case ALLOY_NEXUS_HEARTBEAT:
      put_i32 (&writer, message->status);
      break;
    default:
      /* The common header alone: how a test plays a peer that sends a
       * type this side does not know. */
      break;
    }
  return writer_finish (&writer);
}

/* The shortcuts fill a message on the stack: nothing to allocate or free,
 * and one encoder for every frame. The casts are safe: encoding only reads
 * the strings. */

GBytes *
alloy_nexus_encode_initiated (AlloyNexusVariant variant, gint32 ruid, const char *guid,
                              const char *suid)
{
  const AlloyNexusMessage message = {
    .type = ALLOY_NEXUS_INITIATED, .ruid = ruid, .guid = (char *) guid, .suid = (char *) suid,
  };

  return alloy_nexus_message_encode (&message, variant);
}

GBytes *
alloy_nexus_encode_heartbeat (AlloyNexusVariant variant, const char *guid, const char *suid)
{
  const AlloyNexusMessage message = {
    .type = ALLOY_NEXUS_HEARTBEAT, .guid = (char *) guid, .suid = (char *) suid,
    .status = ALLOY_NEXUS_STATUS_HEARTBEAT,
  };

  return alloy_nexus_message_encode (&message, variant);
}

GBytes *
alloy_nexus_encode_complete (AlloyNexusVariant variant, const char *guid, const char *suid,
                             gint32 status, gint64 item_count, gint64 expected_count,
                             gint64 potential_count, gint64 rejected_count)
{
  const AlloyNexusMessage message = {
    .type = ALLOY_NEXUS_COMPLETE, .guid = (char *) guid, .suid = (char *) suid,
    .status = status, .item_count = item_count, .expected_count = expected_count,
    .potential_count = potential_count, .rejected_count = rejected_count,
  };

  return alloy_nexus_message_encode (&message, variant);
}

GBytes *
alloy_nexus_encode_parcel (AlloyNexusVariant variant, const char *guid, const char *suid,
                           GBytes *deflated, gint32 buffer_count, gint32 inflated_size)
{
  const AlloyNexusMessage message = {
    .type = ALLOY_NEXUS_PARCEL, .guid = (char *) guid, .suid = (char *) suid,
    .deflated = deflated, .buffer_count = buffer_count, .inflated_size = inflated_size,
  };

  return alloy_nexus_message_encode (&message, variant);
}
