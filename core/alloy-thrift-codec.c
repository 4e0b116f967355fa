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

#include "alloy-thrift-message.h"
#include "alloy_thrift_sample_store_types.h"

G_DEFINE_QUARK (alloy-thrift-error-quark, alloy_thrift_error)

typedef AlloyThriftSampleStoreApiGetViewGeneratorArgs Args;
typedef AlloyThriftSampleStoreApiGetViewGeneratorResult Result;
typedef AlloyThriftApplicationException AppException;

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

#define REQUIRED(type, field) { #field, G_STRUCT_OFFSET (type, __isset_##field) }

static const AlloyThriftRequired args_required[] = {
  ALLOY_THRIFT_REQUIRED (Args, guid), ALLOY_THRIFT_REQUIRED (Args, dataSource),
};
static const AlloyThriftRequired data_source_required[] = {
  ALLOY_THRIFT_REQUIRED (AlloyThriftDataSource, domain),
  ALLOY_THRIFT_REQUIRED (AlloyThriftDataSource, view),
};
static const AlloyThriftRequired domain_required[] = {
  ALLOY_THRIFT_REQUIRED (AlloyThriftDomain, domainKey),
  ALLOY_THRIFT_REQUIRED (AlloyThriftDomain, domainProperties),
};
static const AlloyThriftRequired view_required[] = {
  ALLOY_THRIFT_REQUIRED (AlloyThriftView, viewKey),
  ALLOY_THRIFT_REQUIRED (AlloyThriftView, schemaName),
  ALLOY_THRIFT_REQUIRED (AlloyThriftView, viewMotif),
  ALLOY_THRIFT_REQUIRED (AlloyThriftView, storeProperties),
  ALLOY_THRIFT_REQUIRED (AlloyThriftView, viewProperties),
};
static const AlloyThriftRequired generator_required[] = {
  ALLOY_THRIFT_REQUIRED (AlloyThriftViewGenerator, context),
  ALLOY_THRIFT_REQUIRED (AlloyThriftViewGenerator, generationHash),
};
static const AlloyThriftRequired context_required[] = {
  ALLOY_THRIFT_REQUIRED (AlloyThriftRequestContext, guid),
  ALLOY_THRIFT_REQUIRED (AlloyThriftRequestContext, state),
  ALLOY_THRIFT_REQUIRED (AlloyThriftRequestContext, message),
};
static const AlloyThriftRequired locus_required[] = {
  ALLOY_THRIFT_REQUIRED (AlloyThriftDataLocus, suid),
  ALLOY_THRIFT_REQUIRED (AlloyThriftDataLocus, hostAddress),
  ALLOY_THRIFT_REQUIRED (AlloyThriftDataLocus, hostName),
  ALLOY_THRIFT_REQUIRED (AlloyThriftDataLocus, port),
  ALLOY_THRIFT_REQUIRED (AlloyThriftDataLocus, partitionProperties),
};

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

  reader = alloy_thrift_open_call (frame, length, ALLOY_THRIFT_METHOD, header, error);
  if (reader == NULL)
    return NULL;
  args = g_object_new (ALLOY_THRIFT_TYPE_SAMPLE_STORE_API_GET_VIEW_GENERATOR_ARGS, NULL);
  if (!alloy_thrift_read_body (reader, what, THRIFT_STRUCT (args), error))
    return NULL;
  domain = args->dataSource->domain;
  view = args->dataSource->view;
  if (!ALLOY_THRIFT_CHECK_REQUIRED (args, args_required, what, code, "", error)
      || !ALLOY_THRIFT_CHECK_REQUIRED (args->dataSource, data_source_required, what, code,
                                       "dataSource.", error)
      || !ALLOY_THRIFT_CHECK_REQUIRED (domain, domain_required, what, code, "dataSource.domain.",
                                       error)
      || !ALLOY_THRIFT_CHECK_REQUIRED (view, view_required, what, code, "dataSource.view.", error))
    return NULL;

  request = alloy_view_request_new ();
  alloy_thrift_steal_string (&request->guid, &args->guid);
  request->domain_key = domain->domainKey;
  steal_table (&request->domain_properties, &domain->domainProperties);
  request->view_key = view->viewKey;
  alloy_thrift_steal_string (&request->schema_name, &view->schemaName);
  alloy_thrift_steal_string (&request->view_motif, &view->viewMotif);
  steal_table (&request->store_properties, &view->storeProperties);
  steal_table (&request->view_properties, &view->viewProperties);
  return request;
}

static AlloyLocus *
locus_from_thrift (AlloyThriftDataLocus *from)
{
  AlloyLocus *locus = alloy_locus_new (NULL, NULL, NULL, from->port);

  alloy_thrift_steal_string (&locus->suid, &from->suid);
  alloy_thrift_steal_string (&locus->host_address, &from->hostAddress);
  alloy_thrift_steal_string (&locus->host_name, &from->hostName);
  steal_table (&locus->partition_properties, &from->partitionProperties);
  return locus;
}

AlloyViewAnswer *
alloy_thrift_decode_reply (const guint8 *frame, gsize length, gint32 seqid, GError **error)
{
  static const char what[] = "getViewGenerator reply";
  const gint code = ALLOY_THRIFT_ERROR_PROTOCOL;
  g_autoptr(AlloyThriftReader) reader = NULL;
  g_autoptr(Result) result = NULL;
  AlloyThriftViewGenerator *generator;
  AlloyThriftRequestContext *context;
  AlloyViewAnswer *answer;

  g_return_val_if_fail (frame != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The cell's order: Finagle matches the seqid before Scrooge decodes. */
  reader = alloy_thrift_open_reply (frame, length, ALLOY_THRIFT_METHOD, seqid, "the sample store",
                                    error);
  if (reader == NULL)
    return NULL;
  result = g_object_new (ALLOY_THRIFT_TYPE_SAMPLE_STORE_API_GET_VIEW_GENERATOR_RESULT, NULL);
  if (!alloy_thrift_read_body (reader, what, THRIFT_STRUCT (result), error))
    return NULL;
  if (!result->__isset_success)
    {
      g_set_error (error, ALLOY_THRIFT_ERROR, code,
                   "malformed %s: no result (field 0, the ViewGenerator)", what);
      return NULL;
    }
  generator = result->success;
  context = generator->context;
  if (!ALLOY_THRIFT_CHECK_REQUIRED (generator, generator_required, what, code, "", error)
      || !ALLOY_THRIFT_CHECK_REQUIRED (context, context_required, what, code, "context.", error))
    return NULL;
  for (guint i = 0; generator->__isset_loci && i < generator->loci->len; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("loci[%u].", i);

      if (!ALLOY_THRIFT_CHECK_REQUIRED (g_ptr_array_index (generator->loci, i), locus_required,
                                        what, code, prefix, error))
        return NULL;
    }

  answer = g_new0 (AlloyViewAnswer, 1);
  alloy_thrift_steal_string (&answer->guid, &context->guid);
  answer->state = (AlloyViewState) context->state;
  alloy_thrift_steal_string (&answer->message, &context->message);
  alloy_thrift_steal_string (&answer->generation_hash, &generator->generationHash);
  /* Absent and empty stay apart: the caller checks a success's loci. */
  if (generator->__isset_loci)
    {
      answer->loci = g_ptr_array_new_full (generator->loci->len, (GDestroyNotify) alloy_locus_free);
      for (guint i = 0; i < generator->loci->len; i++)
        g_ptr_array_add (answer->loci, locus_from_thrift (g_ptr_array_index (generator->loci, i)));
    }
  if (generator->__isset_motifFilter)
    alloy_thrift_steal_string (&answer->motif_filter, &generator->motifFilter);
  return answer;
}

/* Encoding. */

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
  alloy_thrift_set_string (&context->guid, answer->guid);
  context->state = (AlloyThriftRequestState) answer->state;
  alloy_thrift_set_string (&context->message, answer->message);
  alloy_thrift_set_string (&generator->generationHash, answer->generation_hash);
  generator->__isset_loci = answer->loci != NULL;
  for (guint i = 0; answer->loci != NULL && i < answer->loci->len; i++)
    {
      const AlloyLocus *from = g_ptr_array_index (answer->loci, i);
      AlloyThriftDataLocus *locus = g_object_new (ALLOY_THRIFT_TYPE_DATA_LOCUS, NULL);

      alloy_thrift_set_string (&locus->suid, from->suid);
      alloy_thrift_set_string (&locus->hostAddress, from->host_address);
      alloy_thrift_set_string (&locus->hostName, from->host_name);
      locus->port = from->port;
      copy_properties (locus->partitionProperties, from->partition_properties);
      g_ptr_array_add (generator->loci, locus);
    }
  generator->__isset_motifFilter = answer->motif_filter != NULL;
  if (answer->motif_filter != NULL)
    alloy_thrift_set_string (&generator->motifFilter, answer->motif_filter);
  return alloy_thrift_write_message (ALLOY_THRIFT_METHOD, T_REPLY, seqid, THRIFT_STRUCT (result));
}

GBytes *
alloy_thrift_encode_exception (const char *name, gint32 seqid, gint32 type, const char *message)
{
  g_autoptr(AppException) exception = NULL;

  alloy_thrift_ensure_types ();
  exception = g_object_new (ALLOY_THRIFT_TYPE_APPLICATION_EXCEPTION, NULL);
  exception->__isset_message = exception->__isset_type = TRUE;
  alloy_thrift_set_string (&exception->message, message);
  exception->type = type;
  return alloy_thrift_write_message (name != NULL ? name : ALLOY_THRIFT_METHOD, T_EXCEPTION, seqid,
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
  alloy_thrift_set_string (&args->guid, request->guid);
  domain->domainKey = request->domain_key;
  copy_properties (domain->domainProperties, request->domain_properties);
  view->viewKey = request->view_key;
  alloy_thrift_set_string (&view->schemaName, request->schema_name);
  alloy_thrift_set_string (&view->viewMotif, request->view_motif);
  copy_properties (view->storeProperties, request->store_properties);
  copy_properties (view->viewProperties, request->view_properties);
  return alloy_thrift_write_message (ALLOY_THRIFT_METHOD, T_CALL, seqid, THRIFT_STRUCT (args));
}
