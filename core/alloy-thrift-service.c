/* alloy-thrift-service.c: the sample-store API on a Thrift connection.
 *
 * Every failure to serve a view is an answer (its request state and
 * message, NO_HASH), never a dropped connection. A message that is well
 * framed but not a getViewGenerator call gets a TApplicationException and
 * the connection goes on; a frame that does not decode ends the
 * connection, after an exception when its header could be read.
 *
 * Answering a view asks the other peers, so it takes a while: calls are
 * answered one at a time, in order, and calls that come in the meantime
 * wait in a short queue (a Finagle client sends one at a time anyway).
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-thrift-service.h"

#include "alloy-thrift-codec.h"

/* Warnings about one connection's odd calls, before they are only counted. */
#define WARNINGS_LOGGED 10
/* Calls a client may send before the previous ones are answered. */
#define QUEUED_CALLS_MAX 16

/* Shared with the answer in flight, which may outlive the connection. */
typedef struct {
  AlloyConnection *connection; /* unowned; NULL once the connection closed */
  AlloySource *source;
  guint64 refused;
  GQueue waiting; /* GBytes frames */
  gboolean answering;
} ThriftState;

static void
thrift_state_clear (ThriftState *state)
{
  g_queue_clear_full (&state->waiting, (GDestroyNotify) g_bytes_unref);
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

static void answer_next (ThriftState *state);

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
      answer_next (state);
    }
  thrift_state_unref (state);
  g_free (pending);
}

static void
answer_next (ThriftState *state)
{
  while (!state->answering && state->connection != NULL && !g_queue_is_empty (&state->waiting))
    {
      g_autoptr(GBytes) frame = g_queue_pop_head (&state->waiting);
      g_auto(AlloyThriftHeader) header = { 0 };
      g_autoptr(GError) error = NULL;
      AlloyViewRequest *request;
      Pending *pending;
      gsize length;
      const guint8 *data = g_bytes_get_data (frame, &length);

      request = alloy_thrift_decode_call (data, length, &header, &error);
      if (request == NULL)
        {
          if (!alloy_thrift_service_refuse (state->connection, &header, error, &state->refused))
            g_queue_clear_full (&state->waiting, (GDestroyNotify) g_bytes_unref);
          continue;
        }
      pending = g_new0 (Pending, 1);
      pending->state = g_rc_box_acquire (state);
      pending->seqid = header.seqid;
      state->answering = TRUE;
      alloy_source_answer_view_async (state->source, request, on_answered, pending);
    }
}

static gboolean
on_frame (gpointer user_data, GBytes *frame, GError **error)
{
  ThriftState *state = user_data;

  if (g_queue_get_length (&state->waiting) >= QUEUED_CALLS_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "more than %u calls sent before the first was answered", QUEUED_CALLS_MAX);
      return FALSE;
    }
  g_queue_push_tail (&state->waiting, g_bytes_ref (frame));
  answer_next (state);
  return TRUE;
}

static void
on_closed (gpointer user_data)
{
  ThriftState *state = user_data;

  state->connection = NULL;
  g_queue_clear_full (&state->waiting, (GDestroyNotify) g_bytes_unref);
}

static gboolean
is_busy (gpointer user_data)
{
  ThriftState *state = user_data;

  return state->answering || !g_queue_is_empty (&state->waiting);
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
  g_queue_init (&state->waiting);
  alloy_connection_set_handler (connection, &handler, state);
}
