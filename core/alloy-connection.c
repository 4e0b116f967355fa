/* alloy-connection.c: one accepted client connection.
 *
 * The Thrift and Nexus protocol handlers plug in here. Until a handler is
 * registered for a protocol, the connection only reads and discards what
 * arrives, so that a client's writes never block and its close is noticed.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-connection.h"

#define READ_CHUNK 65536

struct _AlloyConnection {
  GObject parent_instance;

  GIOStream *stream;
  char *protocol;
  char *listener;
  char *remote;
  GCancellable *cancellable;
  guint8 *buffer;
  guint64 bytes_received;
  gboolean started;
  gboolean reading;
  gboolean closed;
};

G_DEFINE_FINAL_TYPE (AlloyConnection, alloy_connection, G_TYPE_OBJECT)

enum { CLOSED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
alloy_connection_finalize (GObject *object)
{
  AlloyConnection *self = ALLOY_CONNECTION (object);

  g_object_unref (self->stream);
  g_free (self->protocol);
  g_free (self->listener);
  g_free (self->remote);
  g_object_unref (self->cancellable);
  g_free (self->buffer);

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
  self->listener = g_strdup (listener);
  self->remote = g_strdup (remote);
  return self;
}

static void
close_stream (AlloyConnection *self)
{
  /* A synchronous close of a socket stream does not block. */
  g_io_stream_close (self->stream, NULL, NULL);
  g_signal_emit (self, signals[CLOSED], 0);
}

static void
finish (AlloyConnection *self, const char *reason)
{
  if (self->closed)
    return;
  self->closed = TRUE;
  g_debug ("[%s] %s connection from %s ended after %" G_GUINT64_FORMAT " bytes: %s",
           self->listener, self->protocol, self->remote, self->bytes_received, reason);
  /* With a read pending, the stream closes when the cancelled read
   * returns, never under it. */
  g_cancellable_cancel (self->cancellable);
  if (!self->reading)
    close_stream (self);
}

static void read_next (AlloyConnection *self);

static void
on_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(AlloyConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  self->reading = FALSE;
  if (self->closed)
    {
      close_stream (self);
      return;
    }
  if (n < 0)
    {
      finish (self, error->message);
      return;
    }
  if (n == 0)
    {
      finish (self, "closed by the client");
      return;
    }
  self->bytes_received += n;
  read_next (self);
}

static void
read_next (AlloyConnection *self)
{
  self->reading = TRUE;
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream), self->buffer,
                             READ_CHUNK, G_PRIORITY_DEFAULT, self->cancellable, on_read,
                             g_object_ref (self));
}

void
alloy_connection_start (AlloyConnection *self)
{
  g_return_if_fail (ALLOY_IS_CONNECTION (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  self->buffer = g_malloc (READ_CHUNK);
  g_debug ("[%s] %s connection from %s", self->listener, self->protocol, self->remote);
  read_next (self);
}

void
alloy_connection_close (AlloyConnection *self)
{
  g_return_if_fail (ALLOY_IS_CONNECTION (self));

  finish (self, "closed by the server");
}

const char *
alloy_connection_get_remote (AlloyConnection *self)
{
  return self->remote;
}

guint64
alloy_connection_get_bytes_received (AlloyConnection *self)
{
  return self->bytes_received;
}
