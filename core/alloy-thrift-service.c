/* alloy-thrift-service.c: the sample-store API on a Thrift connection.
 *
 * Every failure to serve a view is an answer (its request state and
 * message, NO_HASH), never a dropped connection. A message that is well
 * framed but not a getViewGenerator call gets a TApplicationException and
 * the connection goes on; a frame that does not decode ends the
 * connection, after an exception when its header could be read.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-thrift-service.h"

#include "alloy-thrift-codec.h"

/* Warnings about one connection's odd calls, before they are only counted. */
#define WARNINGS_LOGGED 10

typedef struct {
  AlloyConnection *connection; /* unowned: the connection owns this state */
  AlloySource *source;
  guint64 refused;
} ThriftState;

static void
thrift_state_free (ThriftState *state)
{
  g_object_unref (state->source);
  g_free (state);
}

static gboolean
on_frame (gpointer user_data, GBytes *frame, GError **error)
{
  ThriftState *state = user_data;
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(AlloyViewRequest) request = NULL;
  g_autoptr(AlloyViewAnswer) answer = NULL;
  g_autoptr(GBytes) reply = NULL;
  gsize length;
  const guint8 *data = g_bytes_get_data (frame, &length);

  request = alloy_thrift_decode_call (data, length, &header, &local_error);
  if (request == NULL)
    {
      gint32 type = ALLOY_THRIFT_APP_PROTOCOL_ERROR;

      if (g_error_matches (local_error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_UNKNOWN_METHOD))
        type = ALLOY_THRIFT_APP_UNKNOWN_METHOD;
      else if (g_error_matches (local_error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_WRONG_TYPE))
        type = ALLOY_THRIFT_APP_INVALID_MESSAGE_TYPE;
      if (header.name != NULL)
        {
          g_autoptr(GBytes) exception = alloy_thrift_encode_exception (header.name, header.seqid,
                                                                        type,
                                                                        local_error->message);
          alloy_connection_send (state->connection, exception, NULL, NULL);
        }
      if (type != ALLOY_THRIFT_APP_PROTOCOL_ERROR)
        {
          if (++state->refused <= WARNINGS_LOGGED)
            g_warning ("%s: %s (%" G_GUINT64_FORMAT " refused so far)",
                       alloy_connection_get_description (state->connection),
                       local_error->message, state->refused);
          return TRUE;
        }
      /* The client is told why before the connection ends. */
      g_warning ("%s: thrift connection closed: %s",
                 alloy_connection_get_description (state->connection), local_error->message);
      alloy_connection_close_after_writes (state->connection, local_error->message);
      return TRUE;
    }
  answer = alloy_source_answer_view (state->source, request);
  reply = alloy_thrift_encode_reply (header.seqid, answer);
  alloy_connection_send (state->connection, reply, NULL, NULL);
  return TRUE;
}

void
alloy_thrift_service_attach (AlloyConnection *connection, AlloySource *source)
{
  static const AlloyConnectionHandler handler = {
    .max_frame = ALLOY_THRIFT_FRAME_MAX,
    .frame = on_frame,
    .free_state = (GDestroyNotify) thrift_state_free,
  };
  ThriftState *state = g_new0 (ThriftState, 1);

  state->connection = connection;
  state->source = g_object_ref (source);
  alloy_connection_set_handler (connection, &handler, state);
}
