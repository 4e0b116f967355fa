/* alloy-nexus-stream.c: one Nexus stream.
 *
 * Two sides. The main context owns the wire: Initiated at once, a
 * heartbeat at once and then on a timer that never depends on progress
 * (also while the stream waits for its turn), parcels as they come, one
 * Complete. A pool thread reads and presses the locus's share and hands
 * over whole parcel frames; it waits while two parcels' worth of bytes are
 * queued, so a slow client holds back the press, not memory.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-nexus-stream.h"

#include "alloy-brio-presser.h"
#include "alloy-data-file.h"
#include "alloy-nexus-parcel.h"
#include "alloy-view-plan.h"

#include <string.h>

/* Rejected items logged one by one per stream; the rest are counted. */
#define REJECTS_LOGGED 10
/* A client that takes nothing for this long is stuck: its stream fails
 * rather than holding a pool thread (Burst's Java pipe gives 2 minutes). */
#define STALL_LIMIT_US (120 * G_USEC_PER_SEC)

typedef struct {
  const AlloyPartition *partition; /* owned by the dataset */
  guint modulus;
  guint residue;
} Slice;

struct _AlloyNexusStream {
  gatomicrefcount ref_count;

  /* Set at start, then read-only. */
  AlloySource *source;
  GMainContext *context;
  AlloyNexusVariant variant;
  char *guid;
  char *suid;
  char *description;
  AlloyViewShare *share;
  AlloyDataset *dataset;
  GArray *slices; /* Slice */
  GCancellable *cancellable;

  /* Main context only. */
  AlloyConnection *connection; /* NULL once cancelled */
  AlloyNexusStreamDone done;
  gpointer done_data;
  GSource *heartbeat;
  GSource *wait_timer;
  gboolean complete_sent;
  gboolean aborted;

  /* Shared with the pool thread, under the lock. */
  GMutex lock;
  GCond room;
  gsize queued_bytes;
  gboolean running;
  gboolean wait_expired;
  gboolean stalled;

  /* Pool thread, then read by the main context at the end. */
  gint64 items_sent;
  gint64 rejected;
  char *failure;
};

AlloyNexusStream *
alloy_nexus_stream_ref (AlloyNexusStream *stream)
{
  g_atomic_ref_count_inc (&stream->ref_count);
  return stream;
}

static void
stop_timers (AlloyNexusStream *stream)
{
  if (stream->heartbeat != NULL)
    {
      g_source_destroy (stream->heartbeat);
      g_clear_pointer (&stream->heartbeat, g_source_unref);
    }
  if (stream->wait_timer != NULL)
    {
      g_source_destroy (stream->wait_timer);
      g_clear_pointer (&stream->wait_timer, g_source_unref);
    }
}

void
alloy_nexus_stream_unref (AlloyNexusStream *stream)
{
  if (!g_atomic_ref_count_dec (&stream->ref_count))
    return;
  stop_timers (stream);
  g_clear_object (&stream->connection);
  g_object_unref (stream->source);
  g_main_context_unref (stream->context);
  g_free (stream->guid);
  g_free (stream->suid);
  g_free (stream->description);
  g_clear_pointer (&stream->share, alloy_view_share_free);
  g_clear_object (&stream->dataset);
  g_clear_pointer (&stream->slices, g_array_unref);
  g_object_unref (stream->cancellable);
  g_mutex_clear (&stream->lock);
  g_cond_clear (&stream->room);
  g_free (stream->failure);
  g_free (stream);
}

gboolean
alloy_nexus_stream_is_complete (AlloyNexusStream *stream)
{
  return stream->complete_sent;
}

gboolean
alloy_nexus_stream_matches (AlloyNexusStream *stream, const char *guid, const char *suid)
{
  return strcmp (stream->guid, guid) == 0 && strcmp (stream->suid, suid) == 0;
}

/* Main context: the wire. */

/* Work for the main context from a pool thread. Never
 * g_main_context_invoke(): once the loop has stopped, it would run the
 * function right there, on the pool thread. */
static void
run_on_context (AlloyNexusStream *stream, GSourceFunc func, gpointer data,
                GDestroyNotify notify)
{
  GSource *idle = g_idle_source_new ();

  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, func, data, notify);
  g_source_attach (idle, stream->context);
  g_source_unref (idle);
}

static void
send_frame (AlloyNexusStream *stream, GBytes *frame)
{
  if (stream->connection != NULL)
    alloy_connection_send (stream->connection, frame, NULL, NULL);
}

static gboolean
on_heartbeat (gpointer user_data)
{
  AlloyNexusStream *stream = user_data;
  g_autoptr(GBytes) frame = alloy_nexus_encode_heartbeat (stream->variant, stream->guid,
                                                          stream->suid);

  send_frame (stream, frame);
  return G_SOURCE_CONTINUE;
}

static void
send_complete (AlloyNexusStream *stream, gint32 status)
{
  g_autoptr(GBytes) frame = NULL;
  gint64 share = stream->items_sent + stream->rejected;

  if (stream->complete_sent)
    return;
  stream->complete_sent = TRUE;
  stop_timers (stream);
  /* expected and potential: the items of this locus's share, pressed or
   * rejected; the cell only reports them. */
  frame = alloy_nexus_encode_complete (stream->variant, stream->guid, stream->suid, status,
                                       stream->items_sent, share, share, stream->rejected);
  send_frame (stream, frame);
  if (status == ALLOY_NEXUS_STATUS_EXCEPTION)
    g_warning ("%s: failed after %" G_GINT64_FORMAT " items (%" G_GINT64_FORMAT
               " rejected): %s", stream->description, stream->items_sent, stream->rejected,
               stream->failure ? stream->failure : "unknown error");
  else
    g_message ("%s: complete, %" G_GINT64_FORMAT " items, %" G_GINT64_FORMAT " rejected%s",
               stream->description, stream->items_sent, stream->rejected,
               status == ALLOY_NEXUS_STATUS_ABORT ? " (aborted by the client)" : "");
  if (stream->done != NULL)
    stream->done (stream, stream->done_data);
  /* A client that reads nothing would never see the Complete. */
  if (stream->stalled && stream->connection != NULL)
    alloy_connection_close (stream->connection);
  g_clear_object (&stream->connection);
}

static void
fail_now (AlloyNexusStream *stream, const char *message)
{
  g_free (stream->failure);
  stream->failure = g_strdup (message);
  g_cancellable_cancel (stream->cancellable);
  send_complete (stream, ALLOY_NEXUS_STATUS_EXCEPTION);
}

typedef struct {
  AlloyNexusStream *stream;
  GBytes *frame;
  gsize size;
} HandOver;

static void
hand_over_free (HandOver *hand_over)
{
  g_clear_pointer (&hand_over->frame, g_bytes_unref);
  alloy_nexus_stream_unref (hand_over->stream);
  g_free (hand_over);
}

static void
make_room (AlloyNexusStream *stream, gsize size)
{
  g_mutex_lock (&stream->lock);
  stream->queued_bytes -= size;
  g_cond_signal (&stream->room);
  g_mutex_unlock (&stream->lock);
}

static void
on_parcel_written (gpointer user_data, const GError *error)
{
  HandOver *hand_over = user_data;

  /* A failed write ends the connection, which cancels the stream. */
  make_room (hand_over->stream, hand_over->size);
  hand_over_free (hand_over);
}

static gboolean
send_parcel (gpointer user_data)
{
  HandOver *hand_over = user_data;
  AlloyNexusStream *stream = hand_over->stream;

  if (stream->connection == NULL || stream->complete_sent)
    {
      make_room (stream, hand_over->size);
      hand_over_free (hand_over);
      return G_SOURCE_REMOVE;
    }
  alloy_connection_send (stream->connection, hand_over->frame, on_parcel_written, hand_over);
  return G_SOURCE_REMOVE;
}

static gboolean
finish_work (gpointer user_data)
{
  AlloyNexusStream *stream = user_data;

  if (stream->aborted)
    send_complete (stream, ALLOY_NEXUS_STATUS_ABORT);
  else if (stream->failure != NULL)
    send_complete (stream, ALLOY_NEXUS_STATUS_EXCEPTION);
  else if (!g_cancellable_is_cancelled (stream->cancellable))
    send_complete (stream, stream->items_sent > 0 ? ALLOY_NEXUS_STATUS_END
                                                  : ALLOY_NEXUS_STATUS_NO_DATA);
  else if (!stream->complete_sent)
    g_message ("%s: stopped after %" G_GINT64_FORMAT " items: the connection is gone",
               stream->description, stream->items_sent);
  alloy_source_work_done (stream->source);
  return G_SOURCE_REMOVE;
}

static gboolean
on_wait_expired (gpointer user_data)
{
  AlloyNexusStream *stream = user_data;
  g_autofree char *message = NULL;

  g_mutex_lock (&stream->lock);
  stream->wait_expired = !stream->running;
  g_mutex_unlock (&stream->lock);
  g_clear_pointer (&stream->wait_timer, g_source_unref);
  if (!stream->wait_expired)
    return G_SOURCE_REMOVE;
  message = g_strdup_printf ("waited %u ms for a turn under alloy.samplestore.load.concurrency "
                             "(alloy.samplestore.load.wait.max)",
                             alloy_source_get_load_wait_max_ms (stream->source));
  fail_now (stream, message);
  return G_SOURCE_REMOVE;
}

/* Pool thread: read and press. */

static void
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  AlloyNexusStream *stream = user_data;

  g_mutex_lock (&stream->lock);
  g_cond_broadcast (&stream->room);
  g_mutex_unlock (&stream->lock);
}

/* Hands a parcel to the main context, after waiting for room. */
static gboolean
push_parcel (AlloyNexusStream *stream, AlloyParcelBuilder *builder)
{
  HandOver *hand_over;
  gint32 buffer_count = 0, inflated_size = 0;
  g_autoptr(GBytes) deflated = NULL;
  gsize limit = 2 * alloy_source_get_parcel_max_bytes (stream->source);
  gboolean cancelled;
  gint64 deadline;

  if (alloy_parcel_builder_get_n_blobs (builder) == 0)
    return TRUE;
  deflated = alloy_parcel_builder_take (builder, &buffer_count, &inflated_size);
  hand_over = g_new0 (HandOver, 1);
  hand_over->stream = alloy_nexus_stream_ref (stream);
  hand_over->frame = alloy_nexus_encode_parcel (stream->variant, stream->guid, stream->suid,
                                                deflated, buffer_count, inflated_size);
  hand_over->size = g_bytes_get_size (hand_over->frame);

  g_mutex_lock (&stream->lock);
  deadline = g_get_monotonic_time () + STALL_LIMIT_US;
  while (stream->queued_bytes > 0 && stream->queued_bytes + hand_over->size > limit &&
         !g_cancellable_is_cancelled (stream->cancellable) && !stream->stalled)
    if (!g_cond_wait_until (&stream->room, &stream->lock, deadline))
      stream->stalled = TRUE;
  cancelled = g_cancellable_is_cancelled (stream->cancellable) || stream->stalled;
  if (!cancelled)
    stream->queued_bytes += hand_over->size;
  g_mutex_unlock (&stream->lock);
  if (cancelled)
    {
      if (stream->stalled)
        stream->failure = g_strdup_printf ("the client took nothing for %d s",
                                           (int) (STALL_LIMIT_US / G_USEC_PER_SEC));
      hand_over_free (hand_over);
      return FALSE;
    }
  /* Counted once handed over: the Complete follows every parcel. */
  stream->items_sent += buffer_count;
  run_on_context (stream, send_parcel, hand_over, NULL);
  return TRUE;
}

static void
reject (AlloyNexusStream *stream, const AlloyItemLocation *at, const char *message,
        gboolean located)
{
  stream->rejected++;
  if (stream->rejected > REJECTS_LOGGED)
    return;
  /* A reader's message starts with the place already; item indexes count
   * from 0, lines from 1. */
  if (located)
    g_warning ("%s: item %" G_GUINT64_FORMAT " rejected: %s", stream->description, at->index,
               message);
  else
    g_warning ("%s: %s:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ": item %" G_GUINT64_FORMAT
               " rejected: %s", stream->description, at->file, at->line, at->column, at->index,
               message);
}

/* One slice: FALSE when the stream must stop (failure or cancellation). */
static gboolean
stream_slice (AlloyNexusStream *stream, const Slice *slice, AlloyBrioPresser *presser,
              AlloyParcelBuilder *builder)
{
  const AlloyPartition *partition = slice->partition;
  AlloyReader *reader = alloy_source_get_reader (stream->source, partition->reader);
  AlloyReaderInput input = { .display_name = partition->file,
                             .range_start = partition->range_start,
                             .range_end = partition->is_range ? partition->range_end
                                                               : G_MAXUINT64 };
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyDataFile) file = NULL;
  g_autoptr(AlloyItemIter) iter = NULL;

  if (reader == NULL)
    {
      stream->failure = g_strdup_printf ("%s: no reader instance of module %s is configured",
                                         partition->file, partition->reader);
      return FALSE;
    }
  file = alloy_data_file_open (partition->file, stream->cancellable, &error);
  if (file != NULL)
    iter = alloy_reader_open (reader, alloy_data_file_get_stream (file), &input,
                              stream->cancellable, &error);
  if (iter == NULL)
    {
      stream->failure = g_strdup (error->message);
      return FALSE;
    }
  for (;;)
    {
      g_autoptr(GBytes) item = NULL;
      g_autoptr(GBytes) blob = NULL;
      AlloyItemLocation at = { 0 };
      gsize length = 0;
      const char *text;

      if (!alloy_item_iter_next (iter, &item, &at, stream->cancellable, &error))
        {
          if (error == NULL)
            return TRUE;
          if (g_error_matches (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_ITEM))
            {
              if (at.index % slice->modulus == slice->residue)
                reject (stream, &at, error->message, TRUE);
              g_clear_error (&error);
              continue;
            }
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            stream->failure = g_strdup_printf ("%s (the rest of partition %s is lost)",
                                               error->message, partition->id);
          return FALSE;
        }
      if (at.index % slice->modulus != slice->residue)
        continue;
      text = g_bytes_get_data (item, &length);
      blob = alloy_brio_presser_press (presser, text, length, &error);
      if (blob == NULL)
        {
          reject (stream, &at, error->message, FALSE);
          g_clear_error (&error);
          continue;
        }
      if (alloy_parcel_builder_would_overflow (builder, g_bytes_get_size (blob)) &&
          !push_parcel (stream, builder))
        return FALSE;
      if (alloy_parcel_builder_add (builder, blob) && !push_parcel (stream, builder))
        return FALSE;
    }
}

static void
produce (gpointer data, gpointer unused)
{
  g_autoptr(AlloyNexusStream) stream = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyBrioSchema) schema = NULL;
  g_autoptr(AlloyBrioPresser) presser = NULL;
  g_autoptr(AlloyParcelBuilder) builder = NULL;
  AlloyNexusStream *owned;
  gulong cancel_id;
  gboolean expired;

  g_mutex_lock (&stream->lock);
  expired = stream->wait_expired;
  stream->running = !expired;
  g_mutex_unlock (&stream->lock);
  if (expired || g_cancellable_is_cancelled (stream->cancellable))
    goto out;

  cancel_id = g_cancellable_connect (stream->cancellable, G_CALLBACK (on_cancelled), stream, NULL);
  schema = alloy_brio_schema_find (alloy_source_get_schema_path (stream->source),
                                   stream->share->schema, &error);
  if (schema != NULL)
    presser = alloy_brio_presser_new (schema, stream->share->root_version,
                                      alloy_source_get_item_max_bytes (stream->source), &error);
  if (presser == NULL)
    stream->failure = g_strdup (error->message);
  else
    {
      builder = alloy_parcel_builder_new (alloy_source_get_parcel_max_bytes (stream->source));
      for (guint i = 0; i < stream->slices->len; i++)
        if (!stream_slice (stream, &g_array_index (stream->slices, Slice, i), presser, builder))
          break;
      if (stream->failure == NULL)
        push_parcel (stream, builder);
    }
  if (stream->rejected > REJECTS_LOGGED)
    g_warning ("%s: %" G_GINT64_FORMAT " items rejected in all (the first %d are logged)",
               stream->description, stream->rejected, REJECTS_LOGGED);
  g_cancellable_disconnect (stream->cancellable, cancel_id);
out:
  /* The last reference is dropped on the main context. */
  owned = g_steal_pointer (&stream);
  run_on_context (owned, finish_work, owned, (GDestroyNotify) alloy_nexus_stream_unref);
}

/* Main context: start. */

/* The partitions of the share, as this peer holds them now. */
static gboolean
resolve_share (AlloyNexusStream *stream, const AlloyNexusMessage *initiate, GError **error)
{
  const char *source_name = g_hash_table_lookup (initiate->properties,
                                                 ALLOY_VIEW_KEY_SOURCE_NAME);

  if (g_strcmp0 (source_name, ALLOY_VIEW_SOURCE_ALLOY) != 0 &&
      g_strcmp0 (source_name, ALLOY_VIEW_SOURCE_JSON_BRIO) != 0)
    {
      g_set_error (error, ALLOY_VIEW_ERROR, ALLOY_VIEW_ERROR_INVALID,
                   "%s is '%s': this is an Alloy source", ALLOY_VIEW_KEY_SOURCE_NAME,
                   source_name ? source_name : "(missing)");
      return FALSE;
    }
  stream->share = alloy_view_share_parse (initiate->properties, error);
  if (stream->share == NULL)
    return FALSE;
  stream->dataset = alloy_catalog_lookup (alloy_source_get_catalog (stream->source),
                                          stream->share->dataset, error);
  if (stream->dataset == NULL)
    return FALSE;
  stream->slices = g_array_new (FALSE, FALSE, sizeof (Slice));
  for (guint i = 0; i < stream->share->slices->len; i++)
    {
      const AlloyViewSlice *planned = stream->share->slices->pdata[i];
      Slice slice = { alloy_dataset_find_partition (stream->dataset, planned->partition),
                      planned->modulus, planned->residue };

      /* Never stream other data than the view was planned with. */
      if (slice.partition == NULL || strcmp (slice.partition->digest, planned->digest) != 0)
        {
          g_set_error (error, ALLOY_VIEW_ERROR, ALLOY_VIEW_ERROR_STALE,
                       "partition %s of dataset %s %s since the view was planned; the view "
                       "must be loaded again", planned->partition, stream->share->dataset,
                       slice.partition == NULL ? "is gone" : "changed");
          return FALSE;
        }
      g_array_append_val (stream->slices, slice);
    }
  return TRUE;
}

AlloyNexusStream *
alloy_nexus_stream_start (AlloySource *source, AlloyConnection *connection,
                          AlloyNexusVariant variant, const AlloyNexusMessage *initiate,
                          AlloyNexusStreamDone done, gpointer user_data)
{
  AlloyNexusStream *stream = g_new0 (AlloyNexusStream, 1);
  g_autoptr(GBytes) initiated = NULL;
  g_autoptr(GError) error = NULL;
  guint interval = alloy_source_get_heartbeat_interval_ms (source);

  g_atomic_ref_count_init (&stream->ref_count);
  g_mutex_init (&stream->lock);
  g_cond_init (&stream->room);
  stream->source = g_object_ref (source);
  stream->context = g_main_context_ref_thread_default ();
  stream->connection = g_object_ref (connection);
  stream->variant = variant;
  stream->guid = g_strdup (initiate->guid);
  stream->suid = g_strdup (initiate->suid);
  stream->description = g_strdup_printf ("%s: stream %s/%s",
                                         alloy_connection_get_description (connection),
                                         initiate->guid, initiate->suid);
  stream->cancellable = g_cancellable_new ();
  stream->done = done;
  stream->done_data = user_data;

  /* Before any slow step: a cell waits 25 s at most for it. */
  initiated = alloy_nexus_encode_initiated (variant, initiate->ruid, initiate->guid,
                                            initiate->suid);
  send_frame (stream, initiated);
  on_heartbeat (stream);
  stream->heartbeat = g_timeout_source_new (interval);
  g_source_set_callback (stream->heartbeat, on_heartbeat, stream, NULL);
  g_source_attach (stream->heartbeat, stream->context);

  if (!resolve_share (stream, initiate, &error))
    {
      fail_now (stream, error->message);
      return stream;
    }
  g_message ("%s: dataset %s, %u slices, locus %u of %u", stream->description,
             stream->share->dataset, stream->slices->len, stream->share->skip_index + 1,
             stream->share->loci_count);
  stream->wait_timer = g_timeout_source_new (alloy_source_get_load_wait_max_ms (source));
  g_source_set_callback (stream->wait_timer, on_wait_expired, stream, NULL);
  g_source_attach (stream->wait_timer, stream->context);
  alloy_source_run (source, produce, alloy_nexus_stream_ref (stream));
  return stream;
}

void
alloy_nexus_stream_abort (AlloyNexusStream *stream)
{
  if (stream->complete_sent)
    return;
  stream->aborted = TRUE;
  g_cancellable_cancel (stream->cancellable);
  /* A stream still waiting for its turn ends now; a running one when its
   * work returns. */
  g_mutex_lock (&stream->lock);
  if (!stream->running)
    stream->wait_expired = TRUE;
  g_mutex_unlock (&stream->lock);
  if (stream->wait_expired)
    send_complete (stream, ALLOY_NEXUS_STATUS_ABORT);
}

void
alloy_nexus_stream_cancel (AlloyNexusStream *stream)
{
  stream->done = NULL;
  stop_timers (stream);
  g_clear_object (&stream->connection);
  g_cancellable_cancel (stream->cancellable);
}
