/* alloy-thrift-service.c: the sample-store API on a Thrift connection.
 *
 * Every failure to serve a view is an answer (its request state and
 * message, NO_HASH), never a dropped connection. A message that is well
 * framed but not a getViewGenerator call gets a TApplicationException and
 * the connection goes on; a frame that does not decode ends the
 * connection, after an exception when its header could be read.
 *
 * Answering a view asks the other peers, so it takes a while: the
 * connection reads no further call until the answer is sent, so calls are
 * answered one at a time, in order (a Finagle client sends one at a time
 * anyway; more wait in the socket).
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-thrift-service.h"

#include "alloy-thrift-codec.h"

/* Warnings about one connection's odd calls, before they are only counted. */
#define WARNINGS_LOGGED 10

/* Shared with the answer in flight, which may outlive the connection. */
typedef struct {
  AlloyConnection *connection; /* unowned; NULL once the connection closed */
  AlloySource *source;
  guint64 refused;
  gboolean answering;
} ThriftState;

static void
thrift_state_clear (ThriftState *state)
{
  g_object_unref (state->source);
}

static void
thrift_state_unref (ThriftState *state)
{
  g_rc_box_release_full (state, (GDestroyNotify) thrift_state_clear);
}

gboolean
alloy_thrift_service_refuse (AlloyConnection *connection, const AlloyThriftHeader *header,
                             const GError *error, guint64 *refused)
{
  gint32 type = ALLOY_THRIFT_APP_PROTOCOL_ERROR;

  if (g_error_matches (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_UNKNOWN_METHOD))
    type = ALLOY_THRIFT_APP_UNKNOWN_METHOD;
  else if (g_error_matches (error, ALLOY_THRIFT_ERROR, ALLOY_THRIFT_ERROR_WRONG_TYPE))
    type = ALLOY_THRIFT_APP_INVALID_MESSAGE_TYPE;
  if (header->name != NULL)
    {
      g_autoptr(GBytes) exception = alloy_thrift_encode_exception (header->name, header->seqid,
                                                                    type, error->message);
      alloy_connection_send (connection, exception, NULL, NULL);
    }
  if (type != ALLOY_THRIFT_APP_PROTOCOL_ERROR)
    {
      if (++*refused <= WARNINGS_LOGGED)
        g_warning ("%s: %s (%" G_GUINT64_FORMAT " refused so far)",
                   alloy_connection_get_description (connection), error->message, *refused);
      return TRUE;
    }
  /* The client is told why before the connection ends. */
  g_warning ("%s: thrift connection closed: %s", alloy_connection_get_description (connection),
             error->message);
  alloy_connection_close_after_writes (connection, error->message);
  return FALSE;
}

typedef struct {
  ThriftState *state;
  gint32 seqid;
} Pending;

static void
on_answered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pending *pending = user_data;
  ThriftState *state = pending->state;
  g_autoptr(AlloyViewAnswer) answer = alloy_source_answer_view_finish (ALLOY_SOURCE (source),
                                                                       result);

  state->answering = FALSE;
  if (state->connection != NULL)
    {
      g_autoptr(GBytes) reply = alloy_thrift_encode_reply (pending->seqid, answer);

      alloy_connection_send (state->connection, reply, NULL, NULL);
      alloy_connection_release_reading (state->connection);
    }
  thrift_state_unref (state);
  g_free (pending);
}

static gboolean
on_frame (gpointer user_data, GBytes *frame, GError **error)
{
  ThriftState *state = user_data;
  g_auto(AlloyThriftHeader) header = { 0 };
  g_autoptr(GError) local_error = NULL;
  AlloyViewRequest *request;
  Pending *pending;
  gsize length;
  const guint8 *data = g_bytes_get_data (frame, &length);

  request = alloy_thrift_decode_call (data, length, &header, &local_error);
  if (request == NULL)
    {
      alloy_thrift_service_refuse (state->connection, &header, local_error, &state->refused);
      return TRUE;
    }
  pending = g_new0 (Pending, 1);
  pending->state = g_rc_box_acquire (state);
  pending->seqid = header.seqid;
  state->answering = TRUE;
  alloy_connection_hold_reading (state->connection);
  alloy_source_answer_view_async (state->source, request, on_answered, pending);
  return TRUE;
}

static void
on_closed (gpointer user_data)
{
  ThriftState *state = user_data;

  state->connection = NULL;
}

static gboolean
is_busy (gpointer user_data)
{
  ThriftState *state = user_data;

  return state->answering;
}

void
alloy_thrift_service_attach (AlloyConnection *connection, AlloySource *source)
{
  static const AlloyConnectionHandler handler = {
    .max_frame = ALLOY_THRIFT_FRAME_MAX,
    .frame = on_frame,
    .closed = on_closed,
    .free_state = (GDestroyNotify) thrift_state_unref,
    .busy = is_busy,
  };
  ThriftState *state = g_rc_box_new0 (ThriftState);

  state->connection = connection;
  state->source = g_object_ref (source);
  alloy_connection_set_handler (connection, &handler, state);
}
