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

/* A client sends only Initiate (a few KiB of properties) and Abort. */
#define INCOMING_FRAME_MAX (16u * 1024 * 1024)

typedef struct {
  AlloyConnection *connection; /* unowned: the connection owns this state */
  AlloySource *source;
  AlloyNexusVariant variant;
  AlloyNexusStream *active;
  guint64 dropped;
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

/* A second Initiate while a stream runs: Burst runs one stream per
 * connection, so the newcomer is refused in its own terms. */
static void
refuse_initiate (NexusState *state, const AlloyNexusMessage *initiate)
{
  g_autoptr(GBytes) initiated = alloy_nexus_encode_initiated (state->variant, initiate->ruid,
                                                              initiate->guid, initiate->suid);
  g_autoptr(GBytes) complete = alloy_nexus_encode_complete (state->variant, initiate->guid,
                                                            initiate->suid,
                                                            ALLOY_NEXUS_STATUS_EXCEPTION, 0, 0,
                                                            0, 0);

  g_warning ("%s: stream %s/%s refused: another stream is running on this connection",
             alloy_connection_get_description (state->connection), initiate->guid,
             initiate->suid);
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
      state->dropped++;
      g_warning ("%s: %s; dropped (%" G_GUINT64_FORMAT " so far)",
                 alloy_connection_get_description (state->connection), local_error->message,
                 state->dropped);
      return TRUE;
    }
  switch (message->type)
    {
    case ALLOY_NEXUS_INITIATE:
      if (state->active != NULL)
        refuse_initiate (state, message);
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
      state->dropped++;
      g_warning ("%s: unexpected %s from the client; dropped (%" G_GUINT64_FORMAT " so far)",
                 alloy_connection_get_description (state->connection),
                 alloy_nexus_message_type_to_string (message->type), state->dropped);
      break;
    }
  return TRUE;
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
  };
  NexusState *state = g_new0 (NexusState, 1);

  state->connection = connection;
  state->source = g_object_ref (source);
  alloy_connection_set_handler (connection, &handler, state);
}
