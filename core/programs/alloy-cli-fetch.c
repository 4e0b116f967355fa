/* alloy-cli-fetch.c: `alloy fetch`: plays a Burst cell against a sample
 * store: asks for a view over Thrift, then streams every locus over Nexus
 * at once, each on its own connection, applying the rules a cell applies.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-cli.h"

#include "alloy-brio-decoder.h"
#include "alloy-connector.h"
#include "alloy-nexus-client.h"
#include "alloy-plugin-registry.h"
#include "alloy-view-client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The motif rides along with the view untouched: any fixed text will do. */
#define FETCH_MOTIF "VIEW alloy_fetch { INCLUDE user WHERE true }"
/* A cell worker's node id; informational. */
#define FETCH_SLICE_KEY 1
#define PROGRESS_INTERVAL_MS 200

typedef struct _Fetch Fetch;

typedef struct {
  Fetch *fetch;
  guint index;
  const AlloyLocus *locus;   /* in fetch->answer */
  char *display;             /* SCHEME:ADDRESS */
  GIOStream *stream;
  AlloyNexusClient *client;
  AlloyNexusResult result;
  GError *error;
  GError *decode_error;      /* the first blob that did not decode */
  guint64 blobs_seen;
  gboolean done;
} Locus;

struct _Fetch {
  /* Options. */
  char *server;
  char *schema_name;
  char *dataset;
  char *json_location;
  char *out_path;
  gboolean decode;
  char *source_name;
  char *variant_name;
  double timeout_s;
  gboolean verbose;
  GStrv schema_path;
  GStrv plugin_path;

  AlloyNexusVariant variant;
  guint thrift_ms, initiated_ms, idle_ms;
  AlloyConnector *connector;
  AlloyBrioSchema *schema;   /* with --decode */
  GOutputStream *out;
  GError *out_error;
  char *guid;

  gint64 started;
  gboolean finished;
  GError *error;             /* the view failed */
  GIOStream *server_stream;
  AlloyViewAnswer *answer;
  GPtrArray *loci;           /* Locus */
  guint pending;

  guint64 items;
  guint64 bytes;
  gboolean progress;
  gboolean progress_shown;
  guint progress_id;
};

/* --- Progress and output ------------------------------------------------ */

static void
progress_clear (Fetch *fetch)
{
  if (fetch->progress_shown)
    {
      fputs ("\r\033[K", stderr);
      fetch->progress_shown = FALSE;
    }
}

static gboolean
on_progress (gpointer user_data)
{
  Fetch *fetch = user_data;
  guint total = fetch->loci ? fetch->loci->len : 0;

  fprintf (stderr, "\r\033[Kloci %u/%u, items %" G_GUINT64_FORMAT ", %.1f MB",
           total - fetch->pending, total, fetch->items, fetch->bytes / 1e6);
  fflush (stderr);
  fetch->progress_shown = TRUE;
  return G_SOURCE_CONTINUE;
}

/* Reports a problem of one locus as it happens. */
static void
locus_report (Locus *locus, const GError *error)
{
  progress_clear (locus->fetch);
  fprintf (stderr, "alloy fetch: locus %u (%s at %s): %s\n", locus->index, locus->locus->suid,
           locus->display, error->message);
}

static void
write_or_fail (Fetch *fetch, const void *data, gsize size)
{
  if (fetch->out_error == NULL)
    g_output_stream_write_all (fetch->out, data, size, NULL, NULL, &fetch->out_error);
}

/* Each parcel's blobs as they come; slots of different loci interleave
 * parcel by parcel. */
static void
on_parcel (GPtrArray *blobs, gpointer user_data)
{
  Locus *locus = user_data;
  Fetch *fetch = locus->fetch;

  for (guint i = 0; i < blobs->len; i++)
    {
      GBytes *blob = g_ptr_array_index (blobs, i);
      gsize size = 0;
      const guint8 *data = g_bytes_get_data (blob, &size);

      locus->blobs_seen++;
      fetch->items++;
      fetch->bytes += size;
      if (fetch->out == NULL || fetch->out_error != NULL)
        continue;
      if (fetch->schema != NULL)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(JsonNode) item = alloy_brio_decode (fetch->schema, data, size, NULL, &error);
          g_autofree char *line = NULL;

          if (item == NULL)
            {
              if (locus->decode_error == NULL)
                {
                  locus->decode_error = g_error_new (error->domain, error->code,
                                                     "blob %" G_GUINT64_FORMAT " does not "
                                                     "decode: %s", locus->blobs_seen - 1,
                                                     error->message);
                  locus_report (locus, locus->decode_error);
                }
              continue;
            }
          line = json_to_string (item, FALSE);
          write_or_fail (fetch, line, strlen (line));
          write_or_fail (fetch, "\n", 1);
        }
      else
        {
          guint32 le = GUINT32_TO_LE ((guint32) size);

          write_or_fail (fetch, &le, sizeof le);
          write_or_fail (fetch, data, size);
        }
    }
}

/* --- Streaming the loci -------------------------------------------------- */

static void
locus_free (Locus *locus)
{
  if (locus->client != NULL)
    alloy_nexus_client_close (locus->client);
  g_clear_object (&locus->client);
  g_clear_object (&locus->stream);
  g_clear_error (&locus->error);
  g_clear_error (&locus->decode_error);
  g_free (locus->display);
  g_free (locus);
}

static void
locus_done (Locus *locus, GError *error)
{
  Fetch *fetch = locus->fetch;

  locus->done = TRUE;
  locus->error = error;
  if (error != NULL)
    locus_report (locus, error);
  /* One stream per connection here: let the server see the end now. */
  if (locus->client != NULL)
    alloy_nexus_client_close (locus->client);
  if (locus->stream != NULL)
    g_io_stream_close (locus->stream, NULL, NULL);
  if (--fetch->pending == 0)
    fetch->finished = TRUE;
}

static void
on_streamed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Locus *locus = user_data;
  GError *error = NULL;

  alloy_nexus_client_stream_finish (ALLOY_NEXUS_CLIENT (source), result, &locus->result, &error);
  locus_done (locus, error);
}

static void
on_locus_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Locus *locus = user_data;
  Fetch *fetch = locus->fetch;
  GError *error = NULL;
  g_autoptr(AlloyNexusMessage) initiate = NULL;

  locus->stream = alloy_connector_connect_finish (ALLOY_CONNECTOR (source), result, &error);
  if (locus->stream == NULL)
    {
      locus_done (locus, error);
      return;
    }
  locus->client = alloy_nexus_client_new (locus->stream, fetch->variant);
  alloy_nexus_client_set_timeouts (locus->client, fetch->initiated_ms, fetch->idle_ms);
  /* A cell numbers its requests per process. */
  initiate = alloy_nexus_initiate_new_for_locus ((gint32) locus->index + 1, fetch->guid,
                                                 locus->locus, fetch->schema_name,
                                                 fetch->answer->motif_filter, FETCH_SLICE_KEY);
  alloy_nexus_client_stream_async (locus->client, initiate, on_parcel, locus, NULL, on_streamed,
                                   locus);
}

/* A locus's address is an IP with the Nexus port, or `unix:PATH`; its
 * connect waits as long as for the Initiated. */
static void
locus_start (Fetch *fetch, Locus *locus)
{
  const char *host = locus->locus->host_address;
  gint32 port = locus->locus->port;

  /* A port out of range goes as it is, for the TCP transport to refuse,
   * rather than wrapped round to another. */
  if (!g_str_has_prefix (host, "unix:") && (port < 0 || port > G_MAXUINT16))
    locus->display = g_strdup_printf (strchr (host, ':') ? "tcp:[%s]:%d" : "tcp:%s:%d", host,
                                      port);
  else
    locus->display = alloy_connector_address_for (host, (guint16) port);
  alloy_connector_connect_async (fetch->connector, locus->display, fetch->initiated_ms, NULL,
                                 on_locus_connected, locus);
}

static void
on_answer (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fetch *fetch = user_data;

  fetch->answer = alloy_view_client_call_finish (G_IO_STREAM (source), result, &fetch->error);
  g_io_stream_close (fetch->server_stream, NULL, NULL);
  /* Echoes a cell does not check, but a test client should. */
  if (fetch->answer != NULL && strcmp (fetch->answer->motif_filter, FETCH_MOTIF) != 0)
    fetch->error = g_error_new (ALLOY_VIEW_CLIENT_ERROR, ALLOY_VIEW_CLIENT_ERROR_STATE,
                                "MOTIF_ECHO: the motif filter is not the view's motif");
  else if (fetch->answer != NULL && g_strcmp0 (fetch->answer->guid, fetch->guid) != 0)
    fetch->error = g_error_new (ALLOY_VIEW_CLIENT_ERROR, ALLOY_VIEW_CLIENT_ERROR_STATE,
                                "GUID_ECHO: the answer's guid '%s' is not the request's '%s'",
                                fetch->answer->guid, fetch->guid);
  if (fetch->error != NULL)
    g_clear_pointer (&fetch->answer, alloy_view_answer_free);
  if (fetch->answer == NULL)
    {
      fetch->finished = TRUE;
      return;
    }
  fetch->loci = g_ptr_array_new_with_free_func ((GDestroyNotify) locus_free);
  for (guint i = 0; i < fetch->answer->loci->len; i++)
    {
      Locus *locus = g_new0 (Locus, 1);

      locus->fetch = fetch;
      locus->index = i;
      locus->locus = g_ptr_array_index (fetch->answer->loci, i);
      g_ptr_array_add (fetch->loci, locus);
    }
  fetch->pending = fetch->loci->len;
  for (guint i = 0; i < fetch->loci->len; i++)
    locus_start (fetch, g_ptr_array_index (fetch->loci, i));
}

static AlloyViewRequest *
build_request (Fetch *fetch)
{
  AlloyViewRequest *request = alloy_view_request_new ();

  g_free (request->guid);
  request->guid = g_strdup (fetch->guid);
  g_free (request->schema_name);
  request->schema_name = g_strdup (fetch->schema_name);
  g_free (request->view_motif);
  request->view_motif = g_strdup (FETCH_MOTIF);
  g_hash_table_insert (request->store_properties, g_strdup ("burst.store.name"),
                       g_strdup ("sample"));
  g_hash_table_insert (request->store_properties, g_strdup ("burst.samplestore.source.name"),
                       g_strdup (fetch->source_name));
  /* A view of Burst's retired JSON source names a path instead. */
  if (fetch->json_location != NULL)
    g_hash_table_insert (request->store_properties, g_strdup ("json.samplestore.location"),
                         g_strdup (fetch->json_location));
  else
    g_hash_table_insert (request->store_properties, g_strdup ("alloy.samplestore.dataset"),
                         g_strdup (fetch->dataset));
  return request;
}

static void
on_server_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(AlloyViewRequest) request = NULL;

  fetch->server_stream = alloy_connector_connect_finish (ALLOY_CONNECTOR (source), result,
                                                         &fetch->error);
  if (fetch->server_stream == NULL)
    {
      fetch->finished = TRUE;
      return;
    }
  request = build_request (fetch);
  alloy_view_client_call_async (fetch->server_stream, request, fetch->thrift_ms, NULL, on_answer,
                                fetch);
}

/* --- The command ---------------------------------------------------------- */

static void
print_summary (Fetch *fetch)
{
  double seconds = (g_get_monotonic_time () - fetch->started) / 1e6;
  guint64 parcels = 0;
  gint64 rejected = 0;

  for (guint i = 0; i < fetch->loci->len; i++)
    {
      Locus *locus = g_ptr_array_index (fetch->loci, i);

      parcels += locus->result.parcels;
      rejected += locus->result.rejected_count;
      if (!fetch->verbose)
        continue;
      printf ("locus %u: %s at %s: items %" G_GUINT64_FORMAT ", rejected %" G_GINT64_FORMAT,
              locus->index, locus->locus->suid, locus->display, locus->result.blobs,
              locus->result.rejected_count);
      if (locus->result.completed)
        {
          const char *name = alloy_nexus_status_to_string (locus->result.status);

          printf (", status %d (%s)%s\n", locus->result.status, name ? name : "unknown",
                  locus->error ? ", failed" : "");
        }
      else
        printf (", no Complete, failed\n");
    }
  if (seconds <= 0)
    seconds = 1e-6;
  printf ("loci %u, items %" G_GUINT64_FORMAT ", rejected %" G_GINT64_FORMAT ", parcels %"
          G_GUINT64_FORMAT ", bytes %" G_GUINT64_FORMAT ", %.2f s, %.1f items/s, %.2f MB/s\n",
          fetch->loci->len, fetch->items, rejected, parcels, fetch->bytes, seconds,
          fetch->items / seconds, fetch->bytes / 1e6 / seconds);
}

static int
fetch_run (Fetch *fetch)
{
  int status = EXIT_SUCCESS;

  fetch->guid = alloy_burst_uid_new ();
  fetch->started = g_get_monotonic_time ();
  if (fetch->progress)
    fetch->progress_id = g_timeout_add (PROGRESS_INTERVAL_MS, on_progress, fetch);
  /* The connect waits as long as for the view. */
  alloy_connector_connect_async (fetch->connector, fetch->server, fetch->thrift_ms, NULL,
                                 on_server_connected, fetch);
  while (!fetch->finished)
    g_main_context_iteration (NULL, TRUE);
  g_clear_handle_id (&fetch->progress_id, g_source_remove);
  progress_clear (fetch);

  if (fetch->answer == NULL)
    {
      fprintf (stderr, "alloy fetch: %s\n", fetch->error->message);
      return EXIT_FAILURE;
    }
  if (fetch->out != NULL && fetch->out_error == NULL)
    g_output_stream_close (fetch->out, NULL, &fetch->out_error);
  if (fetch->out_error != NULL)
    {
      fprintf (stderr, "alloy fetch: writing %s: %s\n", fetch->out_path,
               fetch->out_error->message);
      status = EXIT_FAILURE;
    }
  for (guint i = 0; i < fetch->loci->len; i++)
    {
      Locus *locus = g_ptr_array_index (fetch->loci, i);

      if (locus->error != NULL || locus->decode_error != NULL)
        status = EXIT_FAILURE;
    }
  print_summary (fetch);
  return status;
}

static void
fetch_clear (Fetch *fetch)
{
  g_clear_pointer (&fetch->loci, g_ptr_array_unref);
  g_clear_pointer (&fetch->answer, alloy_view_answer_free);
  g_clear_object (&fetch->server_stream);
  g_clear_object (&fetch->out);
  g_clear_error (&fetch->out_error);
  g_clear_error (&fetch->error);
  g_clear_pointer (&fetch->schema, alloy_brio_schema_unref);
  g_clear_object (&fetch->connector);
  g_strfreev (fetch->schema_path);
  g_strfreev (fetch->plugin_path);
  g_free (fetch->server);
  g_free (fetch->schema_name);
  g_free (fetch->dataset);
  g_free (fetch->json_location);
  g_free (fetch->out_path);
  g_free (fetch->source_name);
  g_free (fetch->variant_name);
  g_free (fetch->guid);
}

/* Checks the options and prepares the output; 0 to go on, else the exit
 * status. */
static int
fetch_prepare (Fetch *fetch)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) search_path = NULL;
  gsize scheme_length;

  if (fetch->server == NULL || fetch->schema_name == NULL ||
      (fetch->dataset == NULL) == (fetch->json_location == NULL))
    {
      fprintf (stderr, "alloy fetch: --server, --schema and exactly one of --dataset and "
                       "--json-location are required\n");
      return 2;
    }
  /* The connector's SCHEME:ADDRESS, checked before anything is opened. */
  scheme_length = strspn (fetch->server, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789_");
  if (scheme_length == 0 || fetch->server[scheme_length] != ':' ||
      fetch->server[scheme_length + 1] == '\0')
    {
      fprintf (stderr, "alloy fetch: --server '%s': expected SCHEME:ADDRESS "
               "(tcp:HOST:PORT or unix:PATH)\n", fetch->server);
      return 2;
    }
  if (fetch->variant_name == NULL || strcmp (fetch->variant_name, "trace") == 0)
    fetch->variant = ALLOY_NEXUS_VARIANT_TRACE;
  else if (strcmp (fetch->variant_name, "old") == 0)
    fetch->variant = ALLOY_NEXUS_VARIANT_OLD;
  else
    {
      fprintf (stderr, "alloy fetch: --variant must be trace or old, not '%s'\n",
               fetch->variant_name);
      return 2;
    }
  if (fetch->timeout_s < 0 || fetch->timeout_s > 24 * 3600)
    {
      fprintf (stderr, "alloy fetch: --timeout must be from 0 to 86400 seconds\n");
      return 2;
    }
  fetch->thrift_ms = ALLOY_VIEW_CLIENT_DEFAULT_TIMEOUT_MS;
  fetch->initiated_ms = ALLOY_NEXUS_CLIENT_INITIATED_TIMEOUT_MS;
  fetch->idle_ms = ALLOY_NEXUS_CLIENT_IDLE_TIMEOUT_MS;
  if (fetch->timeout_s > 0)
    fetch->thrift_ms = fetch->initiated_ms = fetch->idle_ms = MAX (1, fetch->timeout_s * 1000);
  if (fetch->decode)
    {
      if (fetch->out_path == NULL || fetch->schema_path == NULL)
        {
          fprintf (stderr, "alloy fetch: --decode needs --out FILE and --schema-path DIR\n");
          return 2;
        }
      fetch->schema = alloy_brio_schema_find ((const char *const *) fetch->schema_path,
                                              fetch->schema_name, &error);
      if (fetch->schema == NULL)
        {
          fprintf (stderr, "alloy fetch: --decode: %s\n", error->message);
          return EXIT_FAILURE;
        }
    }
  if (fetch->out_path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (fetch->out_path);
      g_autoptr(GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE,
                                                         NULL, &error);

      if (out == NULL)
        {
          fprintf (stderr, "alloy fetch: %s\n", error->message);
          return EXIT_FAILURE;
        }
      fetch->out = g_buffered_output_stream_new_sized (G_OUTPUT_STREAM (out), 1024 * 1024);
    }
  search_path = alloy_plugin_search_path_build ((const char *const *) fetch->plugin_path, NULL);
  fetch->connector = alloy_connector_new ((const char *const *) search_path);
  if (fetch->source_name == NULL)
    fetch->source_name = g_strdup (fetch->json_location ? "JsonBrio" : "alloy");
  fetch->progress = isatty (STDERR_FILENO);
  return 0;
}

int
alloy_cli_fetch (int argc, char **argv)
{
  Fetch fetch = { 0 };
  const GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &fetch.server,
      "The sample store's Thrift endpoint: tcp:HOST:PORT or unix:PATH", "ADDRESS" },
    { "schema", 's', 0, G_OPTION_ARG_STRING, &fetch.schema_name, "The view's schema", "NAME" },
    { "dataset", 'd', 0, G_OPTION_ARG_STRING, &fetch.dataset, "The dataset to load", "NAME" },
    { "json-location", 0, 0, G_OPTION_ARG_FILENAME, &fetch.json_location,
      "Ask as a view of Burst's retired JsonBrio source, whose json.samplestore.location names "
      "a dataset directory or a file in one (instead of --dataset)", "PATH" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &fetch.out_path,
      "Write the blobs to FILE as [int32 LE size][blob] slots", "FILE" },
    { "decode", 0, 0, G_OPTION_ARG_NONE, &fetch.decode,
      "Write one JSON object per line to FILE instead (needs --schema-path)", NULL },
    { "schema-path", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &fetch.schema_path,
      "Search DIR for schemas, for --decode (repeatable)", "DIR" },
    { "source-name", 0, 0, G_OPTION_ARG_STRING, &fetch.source_name,
      "burst.samplestore.source.name (default alloy)", "NAME" },
    { "variant", 0, 0, G_OPTION_ARG_STRING, &fetch.variant_name,
      "Nexus framing: trace (cells from 2023-08 on, the default) or old", "trace|old" },
    { "plugin-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &fetch.plugin_path,
      "Search DIR for the transport plugins first (repeatable)", "DIR" },
    { "timeout", 't', 0, G_OPTION_ARG_DOUBLE, &fetch.timeout_s,
      "Wait at most SECONDS for a connection, the view, an Initiated and between two "
      "messages of a stream (default, or 0: a cell's 300, 25 and 30 s)", "SECONDS" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &fetch.verbose,
      "Print a line per locus before the summary", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- load a view as a Burst cell would");
  g_autoptr(GError) error = NULL;
  int status;

  g_option_context_set_summary (context,
                                "Asks the sample store for a view of DATASET in SCHEMA over "
                                "Thrift, then streams every locus at once over Nexus, each on "
                                "its own connection, and checks every rule a cell applies. A "
                                "locus that breaks one is reported on standard error and the "
                                "others go on. The last line on standard output sums up:\n"
                                "  loci N, items N, rejected N, parcels N, bytes N, S s, "
                                "R items/s, R MB/s\n"
                                "Exit status: 0 when every locus streamed cleanly, 1 otherwise, "
                                "2 for a usage error.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "alloy fetch: %s\n", error->message);
      fetch_clear (&fetch);
      return 2;
    }
  if (argc > 1)
    {
      fprintf (stderr, "alloy fetch: unexpected argument '%s'\n", argv[1]);
      fetch_clear (&fetch);
      return 2;
    }
  status = fetch_prepare (&fetch);
  if (status == 0)
    status = fetch_run (&fetch);
  fetch_clear (&fetch);
  return status;
}
