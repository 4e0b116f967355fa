/* alloy-thrift-codec.c: getViewGenerator in Thrift's binary protocol, on
 * libthrift-c-glib 0.17 and the structs generated from
 * thrift/sample_store.thrift.
 *
 * Writing is the library's: the generated writers and the binary protocol
 * over a ThriftMemoryBuffer, the frame length patched in at the end.
 *
 * Reading is the library's too (generated readers, binary protocol,
 * thrift_protocol_skip for unknown fields), over two small subclasses that
 * make it safe for hostile frames: alloy-thrift-reader.c, which lists the
 * defects of c_glib 0.17 they work around.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-thrift-codec.h"

#include <string.h>

#include <thrift/c_glib/protocol/thrift_binary_protocol.h>
#include <thrift/c_glib/transport/thrift_memory_buffer.h>

#include "alloy-thrift-reader.h"
#include "alloy_thrift_sample_store_types.h"

G_DEFINE_QUARK (alloy-thrift-error-quark, alloy_thrift_error)

typedef AlloyThriftSampleStoreApiGetViewGeneratorArgs Args;
typedef AlloyThriftSampleStoreApiGetViewGeneratorResult Result;
typedef AlloyThriftApplicationException AppException;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThriftProtocol, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Args, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Result, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AppException, g_object_unref)

void
alloy_thrift_header_clear (AlloyThriftHeader *header)
{
  g_clear_pointer (&header->name, g_free);
  header->type = header->seqid = 0;
  header->strict = FALSE;
}

/* Decoding. */

static const char *
message_type_name (gint32 type)
{
  static const char *const names[] = { "CALL", "REPLY", "EXCEPTION", "ONEWAY" };

  return type >= T_CALL && type <= T_ONEWAY ? names[type - T_CALL] : "unknown";
}

/* A name from the wire, fit for a log line. */
static char *
printable_name (const char *name)
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
static gboolean
read_header (AlloyThriftReader *reader, const char *what, AlloyThriftHeader *header,
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
static gboolean
read_body (AlloyThriftReader *reader, const char *what, ThriftStruct *body, GError **error)
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

/* Required fields, by the offset of their __isset_ flag. */
typedef struct {
  const char *name;
  glong isset;
} Required;

#define REQUIRED(type, field) { #field, G_STRUCT_OFFSET (type, __isset_##field) }

static const Required args_required[] = {
  REQUIRED (Args, guid), REQUIRED (Args, dataSource),
};
static const Required data_source_required[] = {
  REQUIRED (AlloyThriftDataSource, domain), REQUIRED (AlloyThriftDataSource, view),
};
static const Required domain_required[] = {
  REQUIRED (AlloyThriftDomain, domainKey), REQUIRED (AlloyThriftDomain, domainProperties),
};
static const Required view_required[] = {
  REQUIRED (AlloyThriftView, viewKey), REQUIRED (AlloyThriftView, schemaName),
  REQUIRED (AlloyThriftView, viewMotif), REQUIRED (AlloyThriftView, storeProperties),
  REQUIRED (AlloyThriftView, viewProperties),
};
static const Required generator_required[] = {
  REQUIRED (AlloyThriftViewGenerator, context),
  REQUIRED (AlloyThriftViewGenerator, generationHash),
};
static const Required context_required[] = {
  REQUIRED (AlloyThriftRequestContext, guid), REQUIRED (AlloyThriftRequestContext, state),
  REQUIRED (AlloyThriftRequestContext, message),
};
static const Required locus_required[] = {
  REQUIRED (AlloyThriftDataLocus, suid), REQUIRED (AlloyThriftDataLocus, hostAddress),
  REQUIRED (AlloyThriftDataLocus, hostName), REQUIRED (AlloyThriftDataLocus, port),
  REQUIRED (AlloyThriftDataLocus, partitionProperties),
};

static gboolean
check_required (gpointer object, const Required *fields, gsize n_fields, const char *what,
                gint code, const char *prefix, GError **error)
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

#define CHECK_REQUIRED(object, fields, what, code, prefix, error) \
  check_required ((object), (fields), G_N_ELEMENTS (fields), (what), (code), (prefix), (error))

static void
steal_string (char **to, char **from)
{
  g_free (*to);
  *to = g_steal_pointer (from);
}

/* The generated maps own their keys and values, as the tables of
 * alloy_view_properties_new do: taken over as they are. */
static void
steal_table (GHashTable **to, GHashTable **from)
{
  g_clear_pointer (to, g_hash_table_unref);
  *to = g_steal_pointer (from);
}

AlloyViewRequest *
alloy_thrift_decode_call (const guint8 *frame, gsize length, AlloyThriftHeader *header,
                          GError **error)
{
  static const char what[] = "getViewGenerator call";
  const gint code = ALLOY_THRIFT_ERROR_MALFORMED;
  g_autoptr(AlloyThriftReader) reader = NULL;
  g_autoptr(Args) args = NULL;
  AlloyViewRequest *request;
  AlloyThriftDomain *domain;
  AlloyThriftView *view;

  g_return_val_if_fail (frame != NULL || length == 0, NULL);
  g_return_val_if_fail (header != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  alloy_thrift_header_clear (header);
  if ((reader = alloy_thrift_reader_new (frame, length, what, error)) == NULL
      || !read_header (reader, what, header, error))
    return NULL;
  if (strcmp (header->name, ALLOY_THRIFT_METHOD) != 0)
    {
      g_autofree char *name = printable_name (header->name);

      g_set_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_UNKNOWN_METHOD,
                   "unknown method '%s'", name);
      return NULL;
    }
  if (header->type != T_CALL)
    {
      g_set_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_WRONG_TYPE,
                   "getViewGenerator sent as message type %d (%s), not as a CALL",
                   header->type, message_type_name (header->type));
      return NULL;
    }

  args = g_object_new (ALLOY_THRIFT_TYPE_SAMPLE_STORE_API_GET_VIEW_GENERATOR_ARGS, NULL);
  if (!read_body (reader, what, THRIFT_STRUCT (args), error))
    return NULL;
  domain = args->dataSource->domain;
  view = args->dataSource->view;
  if (!CHECK_REQUIRED (args, args_required, what, code, "", error)
      || !CHECK_REQUIRED (args->dataSource, data_source_required, what, code, "dataSource.", error)
      || !CHECK_REQUIRED (domain, domain_required, what, code, "dataSource.domain.", error)
      || !CHECK_REQUIRED (view, view_required, what, code, "dataSource.view.", error))
    return NULL;

  request = alloy_view_request_new ();
  steal_string (&request->guid, &args->guid);
  request->domain_key = domain->domainKey;
  steal_table (&request->domain_properties, &domain->domainProperties);
  request->view_key = view->viewKey;
  steal_string (&request->schema_name, &view->schemaName);
  steal_string (&request->view_motif, &view->viewMotif);
  steal_table (&request->store_properties, &view->storeProperties);
  steal_table (&request->view_properties, &view->viewProperties);
  return request;
}

static AlloyViewAnswer *
read_exception (AlloyThriftReader *reader, GError **error)
{
  g_autoptr(AppException) exception = g_object_new (ALLOY_THRIFT_TYPE_APPLICATION_EXCEPTION, NULL);

  if (read_body (reader, "getViewGenerator exception", THRIFT_STRUCT (exception), error))
    g_set_error (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_APPLICATION_EXCEPTION,
                 "the sample store failed the call: %s (TApplicationException type %d)",
                 exception->__isset_message ? exception->message : "no message",
                 exception->__isset_type ? exception->type : 0);
  return NULL;
}

static AlloyLocus *
locus_from_thrift (AlloyThriftDataLocus *from)
{
  AlloyLocus *locus = alloy_locus_new (NULL, NULL, NULL, from->port);

  steal_string (&locus->suid, &from->suid);
  steal_string (&locus->host_address, &from->hostAddress);
  steal_string (&locus->host_name, &from->hostName);
  steal_table (&locus->partition_properties, &from->partitionProperties);
  return locus;
}

AlloyViewAnswer *
alloy_thrift_decode_reply (const guint8 *frame, gsize length, gint32 seqid, GError **error)
{
  static const char what[] = "getViewGenerator reply";
  const gint code = ALLOY_THRIFT_ERROR_PROTOCOL;
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(AlloyThriftReader) reader = NULL;
  g_autoptr(Result) result = NULL;
  AlloyThriftViewGenerator *generator;
  AlloyThriftRequestContext *context;
  AlloyViewAnswer *answer;

  g_return_val_if_fail (frame != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((reader = alloy_thrift_reader_new (frame, length, what, error)) == NULL
      || !read_header (reader, what, &header, error))
    return NULL;
  /* The cell's order: Finagle matches the seqid before Scrooge decodes. */
  if (header.seqid != seqid)
    {
      g_set_error (error, ALLOY_THRIFT_ERROR, code,
                   "the reply's seqid %" G_GINT32_FORMAT " is not the call's %" G_GINT32_FORMAT,
                   header.seqid, seqid);
      return NULL;
    }
  if (header.type == T_EXCEPTION)
    return read_exception (reader, error);
  if (strcmp (header.name, ALLOY_THRIFT_METHOD) != 0 || header.type != T_REPLY)
    {
      g_autofree char *name = printable_name (header.name);

      g_set_error (error, ALLOY_THRIFT_ERROR, code,
                   "a message of type %d (%s) for method '%s' where a getViewGenerator REPLY"
                   " was expected", header.type, message_type_name (header.type), name);
      return NULL;
    }

  result = g_object_new (ALLOY_THRIFT_TYPE_SAMPLE_STORE_API_GET_VIEW_GENERATOR_RESULT, NULL);
  if (!read_body (reader, what, THRIFT_STRUCT (result), error))
    return NULL;
  if (!result->__isset_success)
    {
      g_set_error (error, ALLOY_THRIFT_ERROR, code,
                   "malformed %s: no result (field 0, the ViewGenerator)", what);
      return NULL;
    }
  generator = result->success;
  context = generator->context;
  if (!CHECK_REQUIRED (generator, generator_required, what, code, "", error)
      || !CHECK_REQUIRED (context, context_required, what, code, "context.", error))
    return NULL;
  for (guint i = 0; generator->__isset_loci && i < generator->loci->len; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("loci[%u].", i);

      if (!CHECK_REQUIRED (g_ptr_array_index (generator->loci, i), locus_required, what, code,
                           prefix, error))
        return NULL;
    }

  answer = g_new0 (AlloyViewAnswer, 1);
  steal_string (&answer->guid, &context->guid);
  answer->state = (AlloyViewState) context->state;
  steal_string (&answer->message, &context->message);
  steal_string (&answer->generation_hash, &generator->generationHash);
  /* Absent and empty stay apart: the caller checks a success's loci. */
  if (generator->__isset_loci)
    {
      answer->loci = g_ptr_array_new_full (generator->loci->len, (GDestroyNotify) alloy_locus_free);
      for (guint i = 0; i < generator->loci->len; i++)
        g_ptr_array_add (answer->loci, locus_from_thrift (g_ptr_array_index (generator->loci, i)));
    }
  if (generator->__isset_motifFilter)
    steal_string (&answer->motif_filter, &generator->motifFilter);
  return answer;
}

/* Encoding. */

static void
set_string (char **to, const char *from)
{
  g_free (*to);
  *to = g_strdup (from != NULL ? from : "");
}

/* Into a generated map, which owns what it holds. */
static void
copy_properties (GHashTable *to, GHashTable *from)
{
  GHashTableIter iter;
  gpointer key, value;

  if (from == NULL)
    return;
  g_hash_table_iter_init (&iter, from);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (to, g_strdup (key), g_strdup (value != NULL ? value : ""));
}

/* One message in one frame: the length first, patched in at the end. */
static GBytes *
write_message (const char *name, ThriftMessageType type, gint32 seqid, ThriftStruct *body)
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

GBytes *
alloy_thrift_encode_reply (gint32 seqid, const AlloyViewAnswer *answer)
{
  g_autoptr(Result) result = NULL;
  AlloyThriftViewGenerator *generator;
  AlloyThriftRequestContext *context;

  g_return_val_if_fail (answer != NULL, NULL);

  alloy_thrift_ensure_types ();
  result = g_object_new (ALLOY_THRIFT_TYPE_SAMPLE_STORE_API_GET_VIEW_GENERATOR_RESULT, NULL);
  result->__isset_success = TRUE;
  generator = result->success;
  context = generator->context;
  set_string (&context->guid, answer->guid);
  context->state = (AlloyThriftRequestState) answer->state;
  set_string (&context->message, answer->message);
  set_string (&generator->generationHash, answer->generation_hash);
  generator->__isset_loci = answer->loci != NULL;
  for (guint i = 0; answer->loci != NULL && i < answer->loci->len; i++)
    {
      const AlloyLocus *from = g_ptr_array_index (answer->loci, i);
      AlloyThriftDataLocus *locus = g_object_new (ALLOY_THRIFT_TYPE_DATA_LOCUS, NULL);

      set_string (&locus->suid, from->suid);
      set_string (&locus->hostAddress, from->host_address);
      set_string (&locus->hostName, from->host_name);
      locus->port = from->port;
      copy_properties (locus->partitionProperties, from->partition_properties);
      g_ptr_array_add (generator->loci, locus);
    }
  generator->__isset_motifFilter = answer->motif_filter != NULL;
  if (answer->motif_filter != NULL)
    set_string (&generator->motifFilter, answer->motif_filter);
  return write_message (ALLOY_THRIFT_METHOD, T_REPLY, seqid, THRIFT_STRUCT (result));
}

GBytes *
alloy_thrift_encode_exception (const char *name, gint32 seqid, gint32 type, const char *message)
{
  g_autoptr(AppException) exception = NULL;

  alloy_thrift_ensure_types ();
  exception = g_object_new (ALLOY_THRIFT_TYPE_APPLICATION_EXCEPTION, NULL);
  exception->__isset_message = exception->__isset_type = TRUE;
  set_string (&exception->message, message);
  exception->type = type;
  return write_message (name != NULL ? name : ALLOY_THRIFT_METHOD, T_EXCEPTION, seqid,
                        THRIFT_STRUCT (exception));
}

GBytes *
alloy_thrift_encode_call (gint32 seqid, const AlloyViewRequest *request)
{
  g_autoptr(Args) args = NULL;
  AlloyThriftDomain *domain;
  AlloyThriftView *view;

  g_return_val_if_fail (request != NULL, NULL);

  alloy_thrift_ensure_types ();
  args = g_object_new (ALLOY_THRIFT_TYPE_SAMPLE_STORE_API_GET_VIEW_GENERATOR_ARGS, NULL);
  domain = args->dataSource->domain;
  view = args->dataSource->view;
  set_string (&args->guid, request->guid);
  domain->domainKey = request->domain_key;
  copy_properties (domain->domainProperties, request->domain_properties);
  view->viewKey = request->view_key;
  set_string (&view->schemaName, request->schema_name);
  set_string (&view->viewMotif, request->view_motif);
  copy_properties (view->storeProperties, request->store_properties);
  copy_properties (view->viewProperties, request->view_properties);
  return write_message (ALLOY_THRIFT_METHOD, T_CALL, seqid, THRIFT_STRUCT (args));
}
