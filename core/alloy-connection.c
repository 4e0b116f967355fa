/* alloy-connection.c: one accepted client connection.
 *
 * Reads frames and hands them to the protocol handler; writes the
 * handler's frames one at a time. The stream is closed only once the read
 * and the write in flight have returned, never under them. Reading pauses
 * while much is queued for the client, so a client that sends without
 * reading cannot grow the server's memory.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-connection.h"

#define DISCARD_CHUNK 65536
/* Reading pauses above this many queued bytes (two of the largest parcels
 * and room for small frames), and resumes below the half. */
#define PAUSE_READING_BYTES (40u * 1024 * 1024)

struct _AlloyConnection {
  GObject parent_instance;

  GIOStream *stream;
  char *protocol;
  char *description;
  char *remote;
  GCancellable *cancellable;
  AlloyFrameWriter *writer;
  AlloyConnectionHandler handler;
  gpointer state;
  gboolean has_handler;
  guint8 *discard;
  guint64 bytes_received;
  gboolean started;
  gboolean reading;
  gboolean closing;   /* no more reads: ends once the writes are done */
  char *closing_reason;
  gboolean finishing;
  gboolean drain_watched; /* a reference waits in the writer's drained slot */
  gboolean read_paused;   /* too much queued for a client that does not read */
  gboolean held;          /* the handler is busy with the last frame */
  guint64 frame_offset;
  gboolean closed;
};

G_DEFINE_FINAL_TYPE (AlloyConnection, alloy_connection, G_TYPE_OBJECT)

enum { CLOSED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
free_state (AlloyConnection *self)
{
  if (self->has_handler && self->state != NULL && self->handler.free_state != NULL)
    self->handler.free_state (g_steal_pointer (&self->state));
}

static void
alloy_connection_finalize (GObject *object)
{
  AlloyConnection *self = ALLOY_CONNECTION (object);

  free_state (self);
  g_clear_pointer (&self->writer, alloy_frame_writer_free);
  g_object_unref (self->stream);
  g_free (self->protocol);
  g_free (self->description);
  g_free (self->remote);
  g_free (self->closing_reason);
  g_object_unref (self->cancellable);
  g_free (self->discard);

  G_OBJECT_CLASS (alloy_connection_parent_class)->finalize (object);
}

static void
alloy_connection_class_init (AlloyConnectionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = alloy_connection_finalize;

  signals[CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 0);
}

static void
alloy_connection_init (AlloyConnection *self)
{
  self->cancellable = g_cancellable_new ();
}

AlloyConnection *
alloy_connection_new (GIOStream *stream, const char *protocol, const char *listener,
                      const char *remote)
{
  AlloyConnection *self = g_object_new (ALLOY_TYPE_CONNECTION, NULL);

  self->stream = g_object_ref (stream);
  self->protocol = g_strdup (protocol);
  self->description = g_strdup_printf ("[%s] %s", listener, remote);
  self->remote = g_strdup (remote);
  self->writer = alloy_frame_writer_new (g_io_stream_get_output_stream (stream));
  return self;
}

void
alloy_connection_set_handler (AlloyConnection *self, const AlloyConnectionHandler *handler,
                              gpointer state)
{
  g_return_if_fail (!self->started);

  self->handler = *handler;
  self->state = state;
  self->has_handler = TRUE;
}

static void
close_if_idle (AlloyConnection *self)
{
  if (self->reading || self->drain_watched || self->closed)
    return;
  self->closed = TRUE;
  /* A synchronous close of a socket stream does not block. */
  g_io_stream_close (self->stream, NULL, NULL);
  g_signal_emit (self, signals[CLOSED], 0);
}

static void finish (AlloyConnection *self, const char *reason);

/* The one user of the writer's drained slot: it holds a reference until
 * the writer is idle, then closes (when finishing) or finishes (when
 * closing after the writes). */
static gboolean
on_drained (gpointer user_data)
{
  g_autoptr(AlloyConnection) self = user_data;

  self->drain_watched = FALSE;
  if (self->finishing)
    close_if_idle (self);
  else if (self->closing)
    finish (self, self->closing_reason);
  return G_SOURCE_REMOVE;
}

static void
watch_drain (AlloyConnection *self)
{
  if (self->drain_watched)
    return;
  self->drain_watched = TRUE;
  alloy_frame_writer_when_drained (self->writer, on_drained, g_object_ref (self));
}

static void
finish (AlloyConnection *self, const char *reason)
{
  if (self->finishing)
    return;
  self->finishing = TRUE;
  g_debug ("%s: %s connection ended after %" G_GUINT64_FORMAT " bytes: %s", self->description,
           self->protocol, self->bytes_received, reason);
  g_cancellable_cancel (self->cancellable);
  if (self->has_handler && self->handler.closed != NULL && self->state != NULL)
    self->handler.closed (self->state);
  alloy_frame_writer_close (self->writer);
  /* The cancelled read and write return later; the last one closes. */
  watch_drain (self);
}

static void read_next (AlloyConnection *self);

/* The next frame is read unless the connection ends, the handler holds
 * reading, or too much waits to be written. */
static void
read_next_if_free (AlloyConnection *self)
{
  if (self->finishing || self->closing || self->held || self->reading || self->read_paused)
    return;
  if (alloy_frame_writer_get_pending (self->writer) > PAUSE_READING_BYTES)
    self->read_paused = TRUE;
  else
    read_next (self);
}

static gboolean
handle_frame (AlloyConnection *self, GBytes *frame)
{
  g_autoptr(GError) error = NULL;

  guint64 at = self->frame_offset - 4 - g_bytes_get_size (frame);

  self->bytes_received += 4 + g_bytes_get_size (frame);
  /* A frame read before a close_after_writes() is not served. */
  if (self->closing)
    return FALSE;
  if (self->handler.frame (self->state, frame, &error))
    return TRUE;
  g_prefix_error (&error, "frame at offset %" G_GUINT64_FORMAT ": ", at);
  g_warning ("%s: %s connection closed: %s", self->description, self->protocol, error->message);
  finish (self, error->message);
  return FALSE;
}

static void
on_frame (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(AlloyConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = alloy_frame_read_finish (G_INPUT_STREAM (source), result, &error);

  self->reading = FALSE;
  if (self->finishing)
    {
      close_if_idle (self);
      return;
    }
  if (frame == NULL && error == NULL)
    finish (self, "closed by the client");
  else if (frame == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
        g_warning ("%s: %s connection closed: %s", self->description, self->protocol,
                   error->message);
      finish (self, error->message);
    }
  else if (handle_frame (self, frame))
    read_next_if_free (self);
}

static void
on_discarded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(AlloyConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  self->reading = FALSE;
  if (self->finishing)
    close_if_idle (self);
  else if (n <= 0)
    finish (self, n == 0 ? "closed by the client" : error->message);
  else
    {
      self->bytes_received += n;
      read_next (self);
    }
}

static void
read_next (AlloyConnection *self)
{
  GInputStream *input = g_io_stream_get_input_stream (self->stream);

  self->reading = TRUE;
  if (self->has_handler)
    alloy_frame_read_async (input, self->handler.max_frame, &self->frame_offset,
                            self->cancellable, on_frame, g_object_ref (self));
  else
    g_input_stream_read_async (input, self->discard, DISCARD_CHUNK, G_PRIORITY_DEFAULT,
                               self->cancellable, on_discarded, g_object_ref (self));
}

void
alloy_connection_start (AlloyConnection *self)
{
  g_return_if_fail (ALLOY_IS_CONNECTION (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  if (!self->has_handler)
    self->discard = g_malloc (DISCARD_CHUNK);
  g_debug ("%s connection from %s", self->protocol, self->remote);
  read_next (self);
}

typedef struct {
  AlloyConnection *self;
  AlloyFrameWrittenFunc written;
  gpointer user_data;
} Sent;

static void
on_sent (gpointer user_data, const GError *error)
{
  Sent *sent = user_data;
  g_autoptr(AlloyConnection) self = sent->self;

  if (sent->written != NULL)
    sent->written (sent->user_data, error);
  g_free (sent);
  if (self->finishing)
    return;
  /* A client that cannot be written to is gone. */
  if (error != NULL)
    finish (self, error->message);
  else if (self->read_paused &&
           alloy_frame_writer_get_pending (self->writer) < PAUSE_READING_BYTES / 2)
    {
      self->read_paused = FALSE;
      read_next_if_free (self);
    }
}

void
alloy_connection_hold_reading (AlloyConnection *self)
{
  self->held = TRUE;
}

void
alloy_connection_release_reading (AlloyConnection *self)
{
  self->held = FALSE;
  if (self->started && self->has_handler)
    read_next_if_free (self);
}

void
alloy_connection_send (AlloyConnection *self, GBytes *frame, AlloyFrameWrittenFunc written,
                       gpointer user_data)
{
  Sent *sent = g_new0 (Sent, 1);

  sent->self = g_object_ref (self);
  sent->written = written;
  sent->user_data = user_data;
  alloy_frame_writer_push (self->writer, frame, on_sent, sent);
}

void
alloy_connection_close_after_writes (AlloyConnection *self, const char *reason)
{
  if (self->closing || self->finishing)
    return;
  self->closing = TRUE;
  self->closing_reason = g_strdup (reason);
  watch_drain (self);
}

gboolean
alloy_connection_is_busy (AlloyConnection *self)
{
  return self->has_handler && self->handler.busy != NULL && self->state != NULL &&
         !self->finishing && self->handler.busy (self->state);
}

void
alloy_connection_close (AlloyConnection *self)
{
  g_return_if_fail (ALLOY_IS_CONNECTION (self));

  finish (self, "closed by the server");
}

const char *
alloy_connection_get_description (AlloyConnection *self)
{
  return self->description;
}

