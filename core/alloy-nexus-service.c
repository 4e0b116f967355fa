/* alloy-nexus-service.c: Nexus streams on a connection.
 *
 * As Burst's receiver does, a well-framed message of an unknown type is
 * dropped and counted, and the connection goes on; a frame that does not
 * decode ends the connection (after it nothing can be trusted to be
 * framed right).
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-nexus-service.h"

#include "alloy-nexus-stream.h"
#include "alloy-peer-service.h"

/* A client sends only Initiate (a few KiB of properties) and Abort. */
#define INCOMING_FRAME_MAX (1024u * 1024)
/* Warnings about one connection's odd frames, before they are only counted. */
#define WARNINGS_LOGGED 10

typedef struct {
  AlloyConnection *connection; /* unowned: the connection owns this state */
  AlloySource *source;
  AlloyNexusVariant variant;
  AlloyNexusStream *active;
  gboolean peer_calls; /* the connection speaks the peer API */
  guint64 dropped;
  guint64 refused;
} NexusState;

static void
nexus_state_free (NexusState *state)
{
  g_clear_pointer (&state->active, alloy_nexus_stream_unref);
  g_object_unref (state->source);
  g_free (state);
}

static void
on_stream_done (AlloyNexusStream *stream, gpointer user_data)
{
  NexusState *state = user_data;

  if (state->active == stream)
    g_clear_pointer (&state->active, alloy_nexus_stream_unref);
}

/* A second Initiate while a stream runs (Burst runs one stream per
 * connection), or one while the peer stops: the newcomer is refused in its
 * own terms. */
static void
refuse_initiate (NexusState *state, const AlloyNexusMessage *initiate, const char *why)
{
  g_autoptr(GBytes) initiated = alloy_nexus_encode_initiated (state->variant, initiate->ruid,
                                                              initiate->guid, initiate->suid);
  g_autoptr(GBytes) complete = alloy_nexus_encode_complete (state->variant, initiate->guid,
                                                            initiate->suid,
                                                            ALLOY_NEXUS_STATUS_EXCEPTION, 0, 0,
                                                            0, 0);

  if (++state->refused <= WARNINGS_LOGGED)
    g_warning ("%s: stream %s/%s refused: %s", alloy_connection_get_description (state->connection),
               initiate->guid, initiate->suid, why);
  alloy_connection_send (state->connection, initiated, NULL, NULL);
  alloy_connection_send (state->connection, complete, NULL, NULL);
}

static gboolean
on_frame (gpointer user_data, GBytes *frame, GError **error)
{
  NexusState *state = user_data;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(AlloyNexusMessage) message = NULL;
  gsize length;
  const guint8 *data = g_bytes_get_data (frame, &length);

  if (state->variant == ALLOY_NEXUS_VARIANT_UNKNOWN && !state->peer_calls)
    state->peer_calls = alloy_peer_service_claims (frame);
  if (state->peer_calls)
    {
      alloy_peer_service_answer (state->connection, state->source, frame, &state->refused);
      return TRUE;
    }
  if (state->variant == ALLOY_NEXUS_VARIANT_UNKNOWN &&
      !alloy_nexus_sniff_variant (data, length, &state->variant, error))
    return FALSE;
  message = alloy_nexus_message_decode (data, length, state->variant, &local_error);
  if (message == NULL)
    {
      if (!g_error_matches (local_error, ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_UNKNOWN_TYPE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (++state->dropped <= WARNINGS_LOGGED)
        g_warning ("%s: %s; dropped (%" G_GUINT64_FORMAT " so far)",
                   alloy_connection_get_description (state->connection), local_error->message,
                   state->dropped);
      return TRUE;
    }
  switch (message->type)
    {
    case ALLOY_NEXUS_INITIATE:
      if (alloy_source_is_stopping (state->source))
        {
          refuse_initiate (state, message, "this peer is shutting down");
          alloy_connection_close_after_writes (state->connection, "this peer is shutting down");
        }
      /* The running stream's own Initiate again: a second answer would
       * break its one Complete. */
      else if (state->active != NULL &&
               alloy_nexus_stream_matches (state->active, message->guid, message->suid))
        g_warning ("%s: a second Initiate for the running stream %s/%s; ignored",
                   alloy_connection_get_description (state->connection), message->guid,
                   message->suid);
      else if (state->active != NULL)
        refuse_initiate (state, message, "another stream is running on this connection");
      else
        {
          g_autoptr(AlloyNexusStream) stream = alloy_nexus_stream_start (state->source,
                                                                         state->connection,
                                                                         state->variant, message,
                                                                         on_stream_done, state);
          if (!alloy_nexus_stream_is_complete (stream))
            state->active = g_steal_pointer (&stream);
        }
      break;
    case ALLOY_NEXUS_ABORT:
      if (state->active != NULL &&
          alloy_nexus_stream_matches (state->active, message->guid, message->suid))
        alloy_nexus_stream_abort (state->active);
      else
        g_debug ("%s: StreamAbort for %s/%s, which is not running",
                 alloy_connection_get_description (state->connection), message->guid,
                 message->suid);
      break;
    default:
      /* Server-to-client messages coming the other way. */
      if (++state->dropped <= WARNINGS_LOGGED)
        g_warning ("%s: unexpected %s from the client; dropped (%" G_GUINT64_FORMAT " so far)",
                   alloy_connection_get_description (state->connection),
                   alloy_nexus_message_type_to_string (message->type), state->dropped);
      break;
    }
  return TRUE;
}

static gboolean
is_busy (gpointer user_data)
{
  return ((NexusState *) user_data)->active != NULL;
}

static void
on_closed (gpointer user_data)
{
  NexusState *state = user_data;

  if (state->active != NULL)
    alloy_nexus_stream_cancel (state->active);
  g_clear_pointer (&state->active, alloy_nexus_stream_unref);
}

void
alloy_nexus_service_attach (AlloyConnection *connection, AlloySource *source)
{
  static const AlloyConnectionHandler handler = {
    .max_frame = INCOMING_FRAME_MAX,
    .frame = on_frame,
    .closed = on_closed,
    .free_state = (GDestroyNotify) nexus_state_free,
    .busy = is_busy,
  };
  NexusState *state = g_new0 (NexusState, 1);

  state->connection = connection;
  state->source = g_object_ref (source);
  alloy_connection_set_handler (connection, &handler, state);
}
