/* alloy-nexus-client.c: Nexus streams as a cell worker reads them.
 *
 * One read loop per connection feeds the running stream. It keeps reading
 * between streams, so that a message after a Complete is seen and named
 * instead of being taken for the next stream's. A broken rule in the middle
 * of a stream leaves the connection out of step: it then takes no other
 * stream. A Complete that reports a failure or a bad count ends its stream
 * cleanly, and the connection goes on.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-nexus-client.h"

#include "alloy-frame-io.h"
#include "alloy-nexus-parcel.h"

#include <string.h>

/* The read in flight, shared with its callback: the client does not stay
 * alive for a read between streams, so the callback finds @client NULL
 * once the client abandoned it. */
typedef struct {
  AlloyNexusClient *client;
  GCancellable *cancellable;
  guint64 offset;
} Reader;

typedef struct {
  gint32 ruid;
  char *guid;
  char *suid;
  gboolean initiated;
  AlloyNexusParcelFunc parcel_func;
  gpointer parcel_data;
  AlloyNexusResult result;
  GSource *deadline;      /* Initiated, then idle: re-armed by each message */
  GSource *cancelled;     /* the caller's cancellable, on this context */
} Stream;

struct _AlloyNexusClient {
  GObject parent_instance;

  GIOStream *stream;
  AlloyNexusVariant variant;
  guint initiated_ms;
  guint idle_ms;
  GMainContext *context;
  AlloyFrameWriter *writer;
  Reader *reader;
  GError *error;
  GTask *active;          /* the running stream */
  char *done_guid;        /* the last stream that completed */
  char *done_suid;
  gboolean closing;
};

G_DEFINE_FINAL_TYPE (AlloyNexusClient, alloy_nexus_client, G_TYPE_OBJECT)

const char *
alloy_nexus_status_to_string (gint32 status)
{
  switch (status)
    {
    case 0: return "Normal";
    case ALLOY_NEXUS_STATUS_END: return "End";
    case ALLOY_NEXUS_STATUS_TIMEOUT: return "Timeout";
    case ALLOY_NEXUS_STATUS_EXCEPTION: return "Exception";
    case ALLOY_NEXUS_STATUS_NO_DATA: return "NoData";
    case ALLOY_NEXUS_STATUS_ABORT: return "Abort";
    case ALLOY_NEXUS_STATUS_HEARTBEAT: return "Heartbeat";
    default: return NULL;
    }
}

static const char *
status_name (gint32 status)
{
  const char *name = alloy_nexus_status_to_string (status);

  return name ? name : "unknown";
}

static const char *
variant_name (AlloyNexusVariant variant)
{
  return variant == ALLOY_NEXUS_VARIANT_OLD ? "old" : "trace";
}

/* --- Streams ----------------------------------------------------------- */

static void
stream_stop_sources (Stream *stream)
{
  if (stream->deadline != NULL)
    {
      g_source_destroy (stream->deadline);
      g_clear_pointer (&stream->deadline, g_source_unref);
    }
  if (stream->cancelled != NULL)
    {
      g_source_destroy (stream->cancelled);
      g_clear_pointer (&stream->cancelled, g_source_unref);
    }
}

static void
stream_free (Stream *stream)
{
  stream_stop_sources (stream);
  g_free (stream->guid);
  g_free (stream->suid);
  g_free (stream);
}

static void
stream_arm (Stream *stream, guint ms)
{
  g_source_set_ready_time (stream->deadline, g_get_monotonic_time () + (gint64) ms * 1000);
}

/* Ends the running stream. */
static void
stream_return (AlloyNexusClient *self, GError *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->active);
  Stream *stream;

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  stream = g_task_get_task_data (task);
  stream_stop_sources (stream);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* --- Reading ------------------------------------------------------------ */

static void
reader_clear (Reader *reader)
{
  g_object_unref (reader->cancellable);
}

static void
reader_release (Reader *reader)
{
  g_rc_box_release_full (reader, (GDestroyNotify) reader_clear);
}

static void
stop_reading (AlloyNexusClient *self)
{
  Reader *reader = g_steal_pointer (&self->reader);

  if (reader == NULL)
    return;
  reader->client = NULL;
  g_cancellable_cancel (reader->cancellable);
  reader_release (reader);
}

/* The connection takes no other stream; the running one fails with
 * @error (taken). */
static void
break_connection (AlloyNexusClient *self, GError *error)
{
  if (self->error == NULL)
    self->error = g_error_copy (error);
  stop_reading (self);
  stream_return (self, error);
}

G_GNUC_PRINTF (3, 4)
static void
break_with (AlloyNexusClient *self, gint code, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  break_connection (self, g_error_new_literal (ALLOY_NEXUS_ERROR, code, message));
}

static void on_frame (GObject *source, GAsyncResult *result, gpointer user_data);

static void
read_next (AlloyNexusClient *self)
{
  alloy_frame_read_async (g_io_stream_get_input_stream (self->stream), ALLOY_NEXUS_FRAME_MAX,
                          &self->reader->offset, self->reader->cancellable, on_frame,
                          g_rc_box_acquire (self->reader));
}

static void
start_reading (AlloyNexusClient *self)
{
  if (self->reader != NULL || self->error != NULL)
    return;
  self->reader = g_rc_box_new0 (Reader);
  self->reader->client = self;
  self->reader->cancellable = g_cancellable_new ();
  read_next (self);
}

/* --- Messages ---------------------------------------------------------- */

static void
handle_parcel (AlloyNexusClient *self, Stream *stream, AlloyNexusMessage *message)
{
  g_autoptr(GPtrArray) blobs = NULL;
  g_autoptr(GError) error = NULL;
  gsize deflated = message->deflated ? g_bytes_get_size (message->deflated) : 0;

  if (message->buffer_count <= 0 || message->inflated_size <= 0 || deflated == 0)
    {
      break_with (self, ALLOY_NEXUS_ERROR_PROTOCOL,
                  "EMPTY_PARCEL: parcel %" G_GUINT64_FORMAT " has bufferCount %d, "
                  "inflatedSize %d and %" G_GSIZE_FORMAT " deflated bytes; a parcel holds at "
                  "least one blob", stream->result.parcels, message->buffer_count,
                  message->inflated_size, deflated);
      return;
    }
  blobs = alloy_parcel_inflate (message->deflated, message->buffer_count, message->inflated_size,
                                &error);
  if (blobs == NULL)
    {
      const char *why = error->message;

      /* The parcel module's messages start with "parcel: ". */
      if (g_str_has_prefix (why, "parcel: "))
        why += strlen ("parcel: ");
      break_with (self, ALLOY_NEXUS_ERROR_PROTOCOL, "BAD_PARCEL: parcel %" G_GUINT64_FORMAT ": %s",
                  stream->result.parcels, why);
      return;
    }
  stream->result.parcels++;
  stream->result.blobs += blobs->len;
  stream->result.inflated_bytes += (guint64) message->inflated_size;
  for (guint i = 0; i < blobs->len; i++)
    stream->result.blob_bytes += g_bytes_get_size (g_ptr_array_index (blobs, i));
  /* Last: the callback may close this client. */
  if (stream->parcel_func != NULL)
    stream->parcel_func (blobs, stream->parcel_data);
}

/* The stream ended in step: whatever the Complete says, the connection
 * may carry another stream. The checks go in the cell's order: failures
 * the status reports, then the count, then the status's agreement with it. */
static void
handle_complete (AlloyNexusClient *self, Stream *stream, AlloyNexusMessage *message)
{
  AlloyNexusResult *result = &stream->result;
  const char *failure = NULL;

  result->completed = TRUE;
  result->status = message->status;
  result->item_count = message->item_count;
  result->expected_count = message->expected_count;
  result->potential_count = message->potential_count;
  result->rejected_count = message->rejected_count;
  g_free (self->done_guid);
  g_free (self->done_suid);
  self->done_guid = g_strdup (stream->guid);
  self->done_suid = g_strdup (stream->suid);

  switch (message->status)
    {
    case ALLOY_NEXUS_STATUS_TIMEOUT: failure = "SAMPLE_STORE_STREAM_TIMEOUT"; break;
    case ALLOY_NEXUS_STATUS_EXCEPTION: failure = "SAMPLE_STORE_STREAM_EXCEPTION"; break;
    case ALLOY_NEXUS_STATUS_ABORT: failure = "SAMPLE_STORE_STREAM_ABORT"; break;
    case ALLOY_NEXUS_STATUS_END:
    case ALLOY_NEXUS_STATUS_NO_DATA:
      break;
    default:
      stream_return (self, g_error_new (ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_PROTOCOL,
                                        "COMPLETE_STATUS: Complete with status %d (%s); a stream "
                                        "ends with End (-100) or NoData (-400)",
                                        message->status, status_name (message->status)));
      return;
    }
  if (failure != NULL)
    stream_return (self, g_error_new (ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_STREAM_FAILED,
                                      "%s: Complete with status %d (%s) after %" G_GINT64_FORMAT
                                      " items", failure, message->status,
                                      status_name (message->status), message->item_count));
  else if (message->item_count < 0 || (guint64) message->item_count != result->blobs)
    stream_return (self, g_error_new (ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_PROTOCOL,
                                      "SAMPLE_STORE_STREAM_INCOMPLETE: Complete.itemCount is %"
                                      G_GINT64_FORMAT " but the parcels carried %"
                                      G_GUINT64_FORMAT " blobs", message->item_count,
                                      result->blobs));
  else if (message->status == ALLOY_NEXUS_STATUS_NO_DATA && message->item_count > 0)
    stream_return (self, g_error_new (ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_PROTOCOL,
                                      "COMPLETE_STATUS: NoData (-400) with itemCount %"
                                      G_GINT64_FORMAT "; -400 ends an empty stream only",
                                      message->item_count));
  else if (message->status == ALLOY_NEXUS_STATUS_END && message->item_count == 0)
    stream_return (self, g_error_new (ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_PROTOCOL,
                                      "COMPLETE_STATUS: End (-100) with itemCount 0; an empty "
                                      "stream ends with NoData (-400)"));
  else
    stream_return (self, NULL);
}

static void
handle_message (AlloyNexusClient *self, AlloyNexusMessage *message)
{
  Stream *stream = g_task_get_task_data (self->active);
  const char *type = alloy_nexus_message_type_to_string (message->type);

  if (g_strcmp0 (message->guid, stream->guid) != 0 || g_strcmp0 (message->suid, stream->suid) != 0)
    {
      break_with (self, ALLOY_NEXUS_ERROR_PROTOCOL,
                  "CROSSED_NEXUS_STREAMS: a%s %s for guid %s, suid %s on the stream of guid %s, "
                  "suid %s", message->type == ALLOY_NEXUS_INITIATED ? "n" : "", type,
                  message->guid, message->suid, stream->guid, stream->suid);
      return;
    }
  if (!stream->initiated)
    {
      if (message->type != ALLOY_NEXUS_INITIATED)
        break_with (self, ALLOY_NEXUS_ERROR_PROTOCOL,
                    "INITIATED_FIRST: a %s before Initiated", type);
      else if (message->ruid != stream->ruid)
        break_with (self, ALLOY_NEXUS_ERROR_PROTOCOL,
                    "INITIATED_ECHO: Initiated echoed ruid %d, the Initiate had ruid %d",
                    message->ruid, stream->ruid);
      else
        {
          stream->initiated = TRUE;
          stream_arm (stream, self->idle_ms);
        }
      return;
    }
  stream_arm (stream, self->idle_ms);
  switch (message->type)
    {
    case ALLOY_NEXUS_HEARTBEAT:
      if (message->status != ALLOY_NEXUS_STATUS_HEARTBEAT)
        break_with (self, ALLOY_NEXUS_ERROR_PROTOCOL,
                    "HEARTBEAT_STATUS: a Heartbeat with status %d; heartbeats carry -700",
                    message->status);
      else
        stream->result.heartbeats++;
      break;
    case ALLOY_NEXUS_PARCEL:
      handle_parcel (self, stream, message);
      break;
    case ALLOY_NEXUS_COMPLETE:
      handle_complete (self, stream, message);
      break;
    case ALLOY_NEXUS_INITIATED:
      break_with (self, ALLOY_NEXUS_ERROR_PROTOCOL, "UNEXPECTED_MESSAGE: a second Initiated");
      break;
    default:
      /* Initiate and Abort travel from the cell to the server only. */
      break_with (self, ALLOY_NEXUS_ERROR_PROTOCOL,
                  "UNEXPECTED_MESSAGE: the server sent a message of type %s", type);
      break;
    }
}

static void
handle_frame (AlloyNexusClient *self, GBytes *frame)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyNexusMessage) message = NULL;
  AlloyNexusVariant seen = ALLOY_NEXUS_VARIANT_UNKNOWN;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (frame, &size);

  if (!alloy_nexus_sniff_variant (data, size, &seen, &error))
    {
      break_connection (self, g_steal_pointer (&error));
      return;
    }
  if (seen != self->variant)
    {
      break_with (self, ALLOY_NEXUS_ERROR_PROTOCOL,
                  "WRONG_VARIANT: a frame in the %s framing on a connection that speaks the %s "
                  "one", variant_name (seen), variant_name (self->variant));
      return;
    }
  message = alloy_nexus_message_decode (data, size, self->variant, &error);
  if (message == NULL)
    {
      /* Dropped as a cell drops it; not a sign of life either. */
      if (g_error_matches (error, ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_UNKNOWN_TYPE))
        {
          if (self->active != NULL)
            ((Stream *) g_task_get_task_data (self->active))->result.unknown_messages++;
          return;
        }
      break_connection (self, g_steal_pointer (&error));
      return;
    }
  if (self->active == NULL)
    {
      if (self->done_suid != NULL)
        break_with (self, ALLOY_NEXUS_ERROR_PROTOCOL,
                    "AFTER_COMPLETE: a %s for guid %s, suid %s after the Complete of the stream "
                    "of guid %s, suid %s", alloy_nexus_message_type_to_string (message->type),
                    message->guid, message->suid, self->done_guid, self->done_suid);
      else
        break_with (self, ALLOY_NEXUS_ERROR_PROTOCOL,
                    "UNEXPECTED_MESSAGE: a %s with no stream running",
                    alloy_nexus_message_type_to_string (message->type));
      return;
    }
  handle_message (self, message);
}

static void
on_frame (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Reader *reader = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = alloy_frame_read_finish (G_INPUT_STREAM (source), result, &error);
  g_autoptr(AlloyNexusClient) self = reader->client ? g_object_ref (reader->client) : NULL;

  if (self == NULL)
    {
      reader_release (reader);
      return;
    }
  if (frame == NULL && error != NULL)
    {
      g_prefix_error (&error, "reading from the server: ");
      break_connection (self, g_steal_pointer (&error));
    }
  else if (frame == NULL)
    {
      if (self->active != NULL)
        {
          Stream *stream = g_task_get_task_data (self->active);

          break_with (self, ALLOY_NEXUS_ERROR_PROTOCOL,
                      "STREAM_CLOSED: the server closed the connection %s (after %"
                      G_GUINT64_FORMAT " parcels)", stream->initiated ? "before Complete" :
                      "before Initiated", stream->result.parcels);
        }
      else
        break_with (self, ALLOY_NEXUS_ERROR_PROTOCOL,
                    "STREAM_CLOSED: the server closed the connection");
    }
  else
    handle_frame (self, frame);
  if (self->reader == reader)
    read_next (self);
  reader_release (reader);
}

/* --- Timers and cancellation -------------------------------------------- */

static gboolean
deadline_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  g_source_set_ready_time (source, -1);
  return callback (user_data);
}

static GSourceFuncs deadline_funcs = {
  .dispatch = deadline_dispatch,
};

static gboolean
on_deadline (gpointer user_data)
{
  AlloyNexusClient *self = user_data;
  Stream *stream = g_task_get_task_data (self->active);

  if (!stream->initiated)
    break_with (self, ALLOY_NEXUS_ERROR_TIMEOUT, "INITIATED_TIMEOUT: no Initiated within %.1f s",
                self->initiated_ms / 1000.0);
  else
    break_with (self, ALLOY_NEXUS_ERROR_TIMEOUT,
                "SAMPLE_STORE_STREAM_TIMEOUT: no message for %.1f s (after %" G_GUINT64_FORMAT
                " parcels, %" G_GUINT64_FORMAT " heartbeats)", self->idle_ms / 1000.0,
                stream->result.parcels, stream->result.heartbeats);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  AlloyNexusClient *self = user_data;

  break_connection (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                               "the stream was cancelled"));
  return G_SOURCE_CONTINUE;
}

static void
on_initiate_written (gpointer user_data, const GError *error)
{
  AlloyNexusClient *self = user_data;
  GError *copy;

  if (error == NULL || self->closing)
    return;
  copy = g_error_copy (error);
  g_prefix_error (&copy, "sending the Initiate: ");
  break_connection (self, copy);
}

/* --- The object --------------------------------------------------------- */

AlloyNexusMessage *
alloy_nexus_initiate_new_for_locus (gint32 ruid, const char *guid, const AlloyLocus *locus,
                                    const char *schema, const char *filter, gint64 slice_key)
{
  AlloyNexusMessage *message = alloy_nexus_message_new (ALLOY_NEXUS_INITIATE, ruid, guid,
                                                        locus->suid);
  GHashTableIter iter;
  gpointer key, value;

  if (message->properties == NULL)
    message->properties = alloy_view_properties_new ();
  g_hash_table_iter_init (&iter, locus->partition_properties);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_replace (message->properties, g_strdup (key), g_strdup (value));
  g_free (message->schema);
  message->schema = g_strdup (schema);
  g_free (message->filter);
  message->filter = g_strdup (filter);
  message->slice_key = slice_key;
  g_free (message->client_hostname);
  message->client_hostname = g_strdup (g_get_host_name ());
  g_free (message->server_hostname);
  message->server_hostname = g_strdup (locus->host_name ? locus->host_name : "");
  return message;
}

AlloyNexusClient *
alloy_nexus_client_new (GIOStream *stream, AlloyNexusVariant variant)
{
  AlloyNexusClient *self;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (variant == ALLOY_NEXUS_VARIANT_OLD || variant == ALLOY_NEXUS_VARIANT_TRACE,
                        NULL);
  self = g_object_new (ALLOY_TYPE_NEXUS_CLIENT, NULL);
  self->stream = g_object_ref (stream);
  self->variant = variant;
  self->writer = alloy_frame_writer_new (g_io_stream_get_output_stream (stream));
  return self;
}

void
alloy_nexus_client_set_timeouts (AlloyNexusClient *self, guint initiated_ms, guint idle_ms)
{
  g_return_if_fail (ALLOY_IS_NEXUS_CLIENT (self));
  if (initiated_ms > 0)
    self->initiated_ms = initiated_ms;
  if (idle_ms > 0)
    self->idle_ms = idle_ms;
}

const GError *
alloy_nexus_client_get_error (AlloyNexusClient *self)
{
  g_return_val_if_fail (ALLOY_IS_NEXUS_CLIENT (self), NULL);
  return self->error;
}

void
alloy_nexus_client_close (AlloyNexusClient *self)
{
  g_return_if_fail (ALLOY_IS_NEXUS_CLIENT (self));
  break_connection (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                               "the Nexus client was closed"));
}

void
alloy_nexus_client_stream_async (AlloyNexusClient *self, const AlloyNexusMessage *initiate,
                                 AlloyNexusParcelFunc parcel_func, gpointer parcel_data,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) frame = NULL;
  Stream *stream;

  g_return_if_fail (ALLOY_IS_NEXUS_CLIENT (self));
  g_return_if_fail (initiate != NULL && initiate->type == ALLOY_NEXUS_INITIATE);
  g_return_if_fail (initiate->guid != NULL && initiate->suid != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, alloy_nexus_client_stream_async);
  stream = g_new0 (Stream, 1);
  stream->ruid = initiate->ruid;
  stream->guid = g_strdup (initiate->guid);
  stream->suid = g_strdup (initiate->suid);
  stream->parcel_func = parcel_func;
  stream->parcel_data = parcel_data;
  g_task_set_task_data (task, stream, (GDestroyNotify) stream_free);
  if (self->error != NULL)
    {
      g_task_return_new_error (task, self->error->domain, self->error->code,
                               "the connection cannot carry a stream: %s", self->error->message);
      return;
    }
  if (self->active != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "a stream is already running on this connection");
      return;
    }
  /* A server's suid goes into a header string with a signed 8-bit length. */
  if (strlen (stream->guid) > ALLOY_VIEW_SUID_MAX || strlen (stream->suid) > ALLOY_VIEW_SUID_MAX)
    {
      g_task_return_new_error (task, ALLOY_NEXUS_ERROR, ALLOY_NEXUS_ERROR_PROTOCOL,
                               "UID_LENGTH: a guid of %" G_GSIZE_FORMAT " and a suid of %"
                               G_GSIZE_FORMAT " bytes; Nexus carries at most 127",
                               strlen (stream->guid), strlen (stream->suid));
      return;
    }

  stream->deadline = g_source_new (&deadline_funcs, sizeof (GSource));
  g_source_set_callback (stream->deadline, on_deadline, self, NULL);
  stream_arm (stream, self->initiated_ms);
  g_source_attach (stream->deadline, self->context);
  if (cancellable != NULL)
    {
      stream->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (stream->cancelled, G_SOURCE_FUNC (on_cancelled), self, NULL);
      g_source_attach (stream->cancelled, self->context);
    }
  self->active = g_steal_pointer (&task);
  start_reading (self);
  frame = alloy_nexus_message_encode (initiate, self->variant);
  /* Last: a writer that already failed calls back at once. */
  alloy_frame_writer_push (self->writer, frame, on_initiate_written, self);
}

gboolean
alloy_nexus_client_stream_finish (AlloyNexusClient *self, GAsyncResult *result,
                                  AlloyNexusResult *out_result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, alloy_nexus_client_stream_async), FALSE);
  if (out_result != NULL)
    *out_result = ((Stream *) g_task_get_task_data (G_TASK (result)))->result;
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
alloy_nexus_client_dispose (GObject *object)
{
  AlloyNexusClient *self = ALLOY_NEXUS_CLIENT (object);

  self->closing = TRUE;
  if (self->error == NULL)
    self->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                       "the Nexus client was closed");
  stop_reading (self);
  g_clear_pointer (&self->writer, alloy_frame_writer_free);
  G_OBJECT_CLASS (alloy_nexus_client_parent_class)->dispose (object);
}

static void
alloy_nexus_client_finalize (GObject *object)
{
  AlloyNexusClient *self = ALLOY_NEXUS_CLIENT (object);

  g_clear_object (&self->stream);
  g_clear_error (&self->error);
  g_free (self->done_guid);
  g_free (self->done_suid);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (alloy_nexus_client_parent_class)->finalize (object);
}

static void
alloy_nexus_client_class_init (AlloyNexusClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = alloy_nexus_client_dispose;
  object_class->finalize = alloy_nexus_client_finalize;
}

static void
alloy_nexus_client_init (AlloyNexusClient *self)
{
  self->initiated_ms = ALLOY_NEXUS_CLIENT_INITIATED_TIMEOUT_MS;
  self->idle_ms = ALLOY_NEXUS_CLIENT_IDLE_TIMEOUT_MS;
  self->context = g_main_context_ref_thread_default ();
}
