/* alloy-thrift-message.c: one Thrift message in one frame, for both codecs.
 *
 * Writing is the library's: the generated writers and the binary protocol
 * over a ThriftMemoryBuffer, the frame length patched in at the end.
 * Reading is the library's too, over alloy-thrift-reader.c's checking
 * transport and protocol.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-thrift-message.h"

#include <string.h>

#include <thrift/c_glib/protocol/thrift_binary_protocol.h>
#include <thrift/c_glib/transport/thrift_memory_buffer.h>

#include "alloy_thrift_sample_store_types.h"

typedef AlloyThriftApplicationException AppException;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AppException, g_object_unref)

const char *
alloy_thrift_message_type_name (gint32 type)
{
  static const char *const names[] = { "CALL", "REPLY", "EXCEPTION", "ONEWAY" };

  return type >= T_CALL && type <= T_ONEWAY ? names[type - T_CALL] : "unknown";
}

/* A name from the wire, fit for a log line. */
char *
alloy_thrift_printable_name (const char *name)
{
  g_autofree char *cut = g_strndup (name, 64);

  return g_strescape (cut, NULL);
}

static gboolean
set_malformed (AlloyThriftReader *reader, const char *what, const GError *cause, GError **error)
{
  g_autofree char *where = alloy_thrift_reader_where (reader,
                                                      alloy_thrift_reader_get_offset (reader));

  g_set_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_MALFORMED, "malformed %s %s: %s",
               what, where, cause->message);
  return FALSE;
}

/* Fills @header once the message header decodes. */
gboolean
alloy_thrift_read_header (AlloyThriftReader *reader, const char *what, AlloyThriftHeader *header,
             GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;
  ThriftMessageType type = 0;
  gint32 seqid = 0;

  if (thrift_protocol_read_message_begin (THRIFT_PROTOCOL (reader), &name, &type, &seqid,
                                          &local_error) < 0)
    return set_malformed (reader, what, local_error, error);
  header->name = g_steal_pointer (&name);
  header->type = (gint32) type;
  header->seqid = seqid;
  header->strict = alloy_thrift_reader_get_strict (reader);
  if (alloy_thrift_reader_get_deferred (reader) == NULL)
    return TRUE;
  g_set_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_MALFORMED,
               "malformed %s: the method name is %s", what,
               alloy_thrift_reader_get_deferred (reader));
  return FALSE;
}

/* Reads @body, with which the message must end. */
gboolean
alloy_thrift_read_body (AlloyThriftReader *reader, const char *what, ThriftStruct *body,
                        GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (thrift_struct_read (body, THRIFT_PROTOCOL (reader), &local_error) < 0
      || thrift_protocol_read_message_end (THRIFT_PROTOCOL (reader), &local_error) < 0)
    return set_malformed (reader, what, local_error, error);
  if (alloy_thrift_reader_get_deferred (reader) != NULL)
    g_set_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_MALFORMED, "malformed %s: %s",
                 what, alloy_thrift_reader_get_deferred (reader));
  else if (alloy_thrift_reader_get_left (reader) > 0)
    g_set_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_MALFORMED,
                 "malformed %s at byte %" G_GSIZE_FORMAT ": %" G_GSIZE_FORMAT
                 " bytes after the end of the message", what,
                 alloy_thrift_reader_get_offset (reader), alloy_thrift_reader_get_left (reader));
  else
    return TRUE;
  return FALSE;
}

gboolean
alloy_thrift_read_exception (AlloyThriftReader *reader, const char *what, char **message,
                             gint32 *type, GError **error)
{
  g_autoptr(AppException) exception = g_object_new (ALLOY_THRIFT_TYPE_APPLICATION_EXCEPTION, NULL);

  if (!alloy_thrift_read_body (reader, what, THRIFT_STRUCT (exception), error))
    return FALSE;
  *message = g_strdup (exception->__isset_message ? exception->message : "no message");
  *type = exception->__isset_type ? exception->type : 0;
  return TRUE;
}

gboolean
alloy_thrift_check_required (gpointer object, const AlloyThriftRequired *fields, gsize n_fields,
                             const char *what, gint code, const char *prefix, GError **error)
{
  for (gsize i = 0; i < n_fields; i++)
    if (!G_STRUCT_MEMBER (gboolean, object, fields[i].isset))
      {
        g_set_error (error, ALLOY_THRIFT_ERROR, code, "malformed %s: missing required field %s%s",
                     what, prefix, fields[i].name);
        return FALSE;
      }
  return TRUE;
}

void
alloy_thrift_steal_string (char **to, char **from)
{
  g_free (*to);
  *to = g_steal_pointer (from);
}

void
alloy_thrift_set_string (char **to, const char *from)
{
  g_free (*to);
  *to = g_strdup (from != NULL ? from : "");
}

/* One message in one frame: the length first, patched in at the end. */
GBytes *
alloy_thrift_write_message (const char *name, ThriftMessageType type, gint32 seqid,
                            ThriftStruct *body)
{
  static const guint8 no_length[4];
  g_autoptr(GByteArray) buffer = g_byte_array_sized_new (512);
  g_autoptr(ThriftProtocol) protocol = NULL;
  g_autoptr(GError) error = NULL;
  ThriftTransport *transport;
  guint32 length;

  g_byte_array_append (buffer, no_length, sizeof no_length);
  transport = g_object_new (THRIFT_TYPE_MEMORY_BUFFER, "buf", buffer, "owner", FALSE, NULL);
  protocol = g_object_new (THRIFT_TYPE_BINARY_PROTOCOL, "transport", transport, NULL);
  g_object_unref (transport);
  /* Writes to memory fail only past 4 GiB. */
  if (thrift_protocol_write_message_begin (protocol, name, type, seqid, &error) < 0
      || thrift_struct_write (body, protocol, &error) < 0
      || thrift_protocol_write_message_end (protocol, &error) < 0)
    g_error ("encoding a Thrift %s message: %s", name, error->message);
  g_clear_object (&protocol);
  length = GUINT32_TO_BE (buffer->len - (guint32) sizeof no_length);
  memcpy (buffer->data, &length, sizeof length);
  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
}

AlloyThriftReader *
alloy_thrift_open_call (const guint8 *frame, gsize length, const char *method,
                        AlloyThriftHeader *header, GError **error)
{
  g_autofree char *what = g_strconcat (method, " call", NULL);
  g_autoptr(AlloyThriftReader) reader = NULL;

  alloy_thrift_header_clear (header);
  if ((reader = alloy_thrift_reader_new (frame, length, what, error)) == NULL
      || !alloy_thrift_read_header (reader, what, header, error))
    return NULL;
  if (strcmp (header->name, method) != 0)
    {
      g_autofree char *name = alloy_thrift_printable_name (header->name);

      g_set_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_UNKNOWN_METHOD,
                   "unknown method '%s'", name);
      return NULL;
    }
  if (header->type != T_CALL)
    {
      g_set_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_WRONG_TYPE,
                   "%s sent as message type %d (%s), not as a CALL", method, header->type,
                   alloy_thrift_message_type_name (header->type));
      return NULL;
    }
  return g_steal_pointer (&reader);
}

AlloyThriftReader *
alloy_thrift_open_reply (const guint8 *frame, gsize length, const char *method, gint32 seqid,
                         const char *server, GError **error)
{
  g_autofree char *what = g_strconcat (method, " reply", NULL);
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(AlloyThriftReader) reader = NULL;

  if ((reader = alloy_thrift_reader_new (frame, length, what, error)) == NULL
      || !alloy_thrift_read_header (reader, what, &header, error))
    return NULL;
  if (header.seqid != seqid)
    {
      g_set_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_PROTOCOL,
                   "the reply's seqid %" G_GINT32_FORMAT " is not the call's %" G_GINT32_FORMAT,
                   header.seqid, seqid);
      return NULL;
    }
  if (header.type == T_EXCEPTION)
    {
      g_autofree char *exception = g_strconcat (method, " exception", NULL);
      g_autofree char *message = NULL;
      gint32 type = 0;

      if (alloy_thrift_read_exception (reader, exception, &message, &type, error))
        g_set_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_APPLICATION_EXCEPTION,
                     "%s failed the call: %s (TApplicationException type %d)", server, message,
                     type);
      return NULL;
    }
  if (strcmp (header.name, method) != 0 || header.type != T_REPLY)
    {
      g_autofree char *name = alloy_thrift_printable_name (header.name);

      g_set_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_PROTOCOL,
                   "a message of type %d (%s) for method '%s' where a %s REPLY was expected",
                   header.type, alloy_thrift_message_type_name (header.type), name, method);
      return NULL;
    }
  return g_steal_pointer (&reader);
}
