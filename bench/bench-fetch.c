/* bench-fetch.c: end to end, files -> readers -> presser -> parcels ->
 * loopback TCP -> `alloy fetch`, next to json-glib parsing the same JSON
 * in the same run.
 *
 * Builds one dataset in a temporary directory: the quo fixture's
 * quo-view.json.gz, copied, and NDJSON files of its users repeated, about
 * MB megabytes of JSON in all (10^6 bytes, uncompressed). Then, for each
 * alloy.samplestore.load.concurrency of 1 and 2, it starts alloyd on
 * loopback with two loci per view, runs `alloy fetch` ROUNDS times, reads
 * alloyd's peak RSS and stops it with SIGTERM, which must end it with
 * status 0. Each figure is the median of the rounds; rates are of the
 * uncompressed JSON over the wall time of the whole fetch process.
 *
 * Usage: bench-fetch [MB]   (default 200, else ALLOY_BENCH_MB; ALLOY_FIXTURES
 * must be set; ALLOYD and ALLOY_CLI name the programs, by default found
 * next to this one in the build directory; ALLOY_BENCH_ROUNDS, default 3)
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-data-file.h"

#include <json-glib/json-glib.h>
#include <glib/gstdio.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MB 200
#define N_NDJSON_FILES 4
#define LOCI_REPLICATION 2
#define START_TIMEOUT_US (60 * G_USEC_PER_SEC)

typedef struct {
  char *dir;           /* the temporary directory */
  char *root;          /* alloy.samplestore.location */
  char *schemas;
  char *config;
  char *alloyd;
  char *cli;
  GPtrArray *files;    /* paths of the dataset's files */
  guint64 json_bytes;  /* uncompressed input */
  guint64 items;
  guint rounds;
  struct _Daemon *daemon;  /* the running alloyd, if any */
} Bench;

typedef struct _Daemon {
  GSubprocess *process;
  char *log_path;
  char *server;        /* tcp:HOST:PORT of the Thrift listener */
} Daemon;

typedef struct {
  guint loci;
  guint64 items, parcels, bytes;
  gint64 rejected;
  gdouble fetch_seconds, wall_seconds;
} FetchResult;

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

static gdouble
median (gdouble *values, guint n)
{
  qsort (values, n, sizeof *values, compare_doubles);
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_unlink (path) != 0)
        remove_tree (path);
    }
  g_rmdir (dir);
}

/* Says why, kills a running alloyd, removes the dataset and exits 1. */
G_GNUC_NORETURN G_GNUC_PRINTF (2, 3) static void
bench_fail (Bench *bench, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  fputs ("bench-fetch: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  if (bench->daemon != NULL)
    {
      g_subprocess_force_exit (bench->daemon->process);
      g_subprocess_wait (bench->daemon->process, NULL, NULL);
    }
  remove_tree (bench->dir);
  exit (EXIT_FAILURE);
}

/* --- The dataset ------------------------------------------------------------ */

/* Writes users from @first on, one a line, until @bytes; adds to the
 * totals. Returns the index of the next user. */
static guint
write_ndjson (Bench *bench, const char *path, GPtrArray *users, guint first, guint64 bytes)
{
  FILE *out = fopen (path, "w");
  guint64 written = 0;
  guint next = first;

  if (out == NULL)
    bench_fail (bench, "cannot write %s", path);
  while (written < bytes)
    {
      const char *user = g_ptr_array_index (users, next % users->len);

      fputs (user, out);
      fputc ('\n', out);
      written += strlen (user) + 1;
      next++;
    }
  if (fclose (out) != 0)
    bench_fail (bench, "cannot write %s", path);
  bench->json_bytes += written;
  bench->items += next - first;
  return next;
}

static void
make_dataset (Bench *bench, const char *fixtures, guint64 megabytes)
{
  g_autofree char *fixture = g_build_filename (fixtures, "data", "quo", "quo-view.json.gz", NULL);
  g_autofree char *dataset = g_build_filename (bench->root, "bench", NULL);
  g_autofree char *copy = g_build_filename (dataset, "quo-view.json.gz", NULL);
  g_autoptr(GFile) source = g_file_new_for_path (fixture);
  g_autoptr(GFile) target = g_file_new_for_path (copy);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) users = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array;
  guint64 target_bytes = megabytes * 1000 * 1000, per_file;
  guint next = 0;

  if (g_mkdir_with_parents (dataset, 0700) != 0 ||
      !g_file_copy (source, target, G_FILE_COPY_NONE, NULL, NULL, NULL, &error) ||
      (data = alloy_data_file_read_all (copy, NULL, &error)) == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (data, NULL),
                                   g_bytes_get_size (data), &error))
    bench_fail (bench, "cannot make the dataset: %s", error ? error->message : dataset);
  /* The fixture's users as compact JSON texts, in order. */
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (users, json_to_string (json_array_get_element (array, i), FALSE));
  g_ptr_array_add (bench->files, g_steal_pointer (&copy));
  bench->json_bytes = g_bytes_get_size (data);
  bench->items = users->len;
  if (target_bytes <= bench->json_bytes)
    return;
  /* Several files, so that both loci get a fair share of whole partitions. */
  per_file = (target_bytes - bench->json_bytes) / N_NDJSON_FILES;
  for (guint i = 0; i < N_NDJSON_FILES; i++)
    {
      g_autofree char *name = g_strdup_printf ("users-%u.ndjson", i);
      char *path = g_build_filename (dataset, name, NULL);

      next = write_ndjson (bench, path, users, next, per_file);
      g_ptr_array_add (bench->files, path);
    }
}

/* --- The baseline ----------------------------------------------------------- */

/* json-glib parses every item of the dataset (the JSON array file whole,
 * NDJSON line by line); only the parsing is timed. Returns seconds. */
static gdouble
parse_only (Bench *bench)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  gint64 elapsed = 0;
  guint64 bytes = 0;

  for (guint i = 0; i < bench->files->len; i++)
    {
      const char *path = g_ptr_array_index (bench->files, i);
      g_autoptr(GBytes) data = alloy_data_file_read_all (path, NULL, &error);
      const char *text, *end;
      gsize size;
      gint64 start;

      if (data == NULL)
        bench_fail (bench, "%s", error->message);
      text = g_bytes_get_data (data, &size);
      end = text + size;
      bytes += size;
      start = g_get_monotonic_time ();
      if (!g_str_has_suffix (path, ".ndjson"))
        {
          if (!json_parser_load_from_data (parser, text, (gssize) size, &error))
            bench_fail (bench, "%s: %s", path, error->message);
        }
      else
        for (const char *line = text; line < end;)
          {
            const char *newline = memchr (line, '\n', end - line);
            const char *stop = newline ? newline : end;

            if (!json_parser_load_from_data (parser, line, stop - line, &error))
              bench_fail (bench, "%s: %s", path, error->message);
            line = stop + 1;
          }
      elapsed += g_get_monotonic_time () - start;
    }
  if (bytes != bench->json_bytes)
    bench_fail (bench, "the dataset changed under the baseline");
  return elapsed / 1e6;
}

/* --- alloyd ------------------------------------------------------------------ */

static void
write_config (Bench *bench)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strdup_printf (
      "[alloy]\n"
      "node-id=bench\n"
      "alloy.samplestore.location=%s\n"
      "alloy.samplestore.schema.path=%s\n"
      "alloy.samplestore.loci.replication=%d\n"
      "alloy.samplestore.load.wait.max=1h\n"
      "drain-timeout=5s\n"
      "[transport:thrift]\nplugin=transport_tcp\nprotocol=thrift\nlisten=127.0.0.1:0\n"
      "[transport:nexus]\nplugin=transport_tcp\nprotocol=nexus\nlisten=127.0.0.1:0\n"
      "[discovery:peers]\nplugin=discovery_static\npeers=\n",
      bench->root, bench->schemas, LOCI_REPLICATION);

  bench->config = g_build_filename (bench->dir, "alloy.conf", NULL);
  if (!g_file_set_contents (bench->config, text, -1, &error))
    bench_fail (bench, "%s", error->message);
}

static char *
read_log (Daemon *daemon)
{
  char *text = NULL;

  return g_file_get_contents (daemon->log_path, &text, NULL, NULL) ? text : g_strdup ("");
}

/* Starts alloyd and waits until it says it is ready; its log goes to a file,
 * which nothing has to drain. */
static Daemon *
daemon_start (Bench *bench, guint concurrency)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *name = g_strdup_printf ("alloyd-%u.log", concurrency);
  g_autofree char *set = g_strdup_printf ("alloy.samplestore.load.concurrency=%u", concurrency);
  g_autoptr(GError) error = NULL;
  Daemon *daemon = g_new0 (Daemon, 1);
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_US;

  daemon->log_path = g_build_filename (bench->dir, name, NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, daemon->log_path);
  daemon->process = g_subprocess_launcher_spawn (launcher, &error, bench->alloyd, "--config",
                                                 bench->config, "--set", set, NULL);
  if (daemon->process == NULL)
    bench_fail (bench, "cannot start %s: %s", bench->alloyd, error->message);
  bench->daemon = daemon;
  for (;;)
    {
      g_autofree char *log = read_log (daemon);
      const char *marker = "listening: thrift tcp:";
      const char *start = strstr (log, marker);

      if (start != NULL && strstr (log, " ready\n") != NULL)
        {
          start += strlen (marker);
          daemon->server = g_strdup_printf ("tcp:%.*s", (int) strcspn (start, " \n"), start);
          return daemon;
        }
      /* The identifier is gone once the process has exited. */
      if (g_subprocess_get_identifier (daemon->process) == NULL ||
          g_get_monotonic_time () > deadline)
        bench_fail (bench, "alloyd did not start:\n%s", log);
      g_usleep (20 * 1000);
    }
}

/* VmHWM of the running alloyd, in kB; 0 when it cannot be read. */
static guint64
daemon_peak_kb (Daemon *daemon)
{
  const char *pid = g_subprocess_get_identifier (daemon->process);
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", pid ? pid : "0");
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (path, &status, NULL, NULL) ||
      (line = strstr (status, "VmHWM:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10);
}

/* SIGTERM; TRUE when alloyd exited with status 0. */
static gboolean
daemon_stop (Daemon *daemon)
{
  g_autoptr(GError) error = NULL;
  gboolean clean;

  g_subprocess_send_signal (daemon->process, SIGTERM);
  clean = g_subprocess_wait (daemon->process, NULL, &error) &&
          g_subprocess_get_if_exited (daemon->process) &&
          g_subprocess_get_exit_status (daemon->process) == 0;
  if (!clean)
    {
      g_autofree char *log = read_log (daemon);
      fprintf (stderr, "bench-fetch: alloyd did not exit with status 0:\n%s", log);
    }
  g_object_unref (daemon->process);
  g_free (daemon->log_path);
  g_free (daemon->server);
  g_free (daemon);
  return clean;
}

/* --- alloy fetch ------------------------------------------------------------- */

static void
run_fetch (Bench *bench, Daemon *daemon, FetchResult *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) fetch = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *summary;
  gint64 start = g_get_monotonic_time ();

  fetch = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error, bench->cli, "fetch", "--server", daemon->server, "--schema",
                            "quo", "--dataset", "bench", NULL);
  if (fetch == NULL || !g_subprocess_communicate_utf8 (fetch, NULL, NULL, &out, &err, &error))
    bench_fail (bench, "alloy fetch: %s", error->message);
  result->wall_seconds = (g_get_monotonic_time () - start) / 1e6;
  summary = strstr (out, "loci ");
  if (!g_subprocess_get_successful (fetch) || summary == NULL ||
      sscanf (summary,
              "loci %u, items %" G_GUINT64_FORMAT ", rejected %" G_GINT64_FORMAT
              ", parcels %" G_GUINT64_FORMAT ", bytes %" G_GUINT64_FORMAT ", %lf s",
              &result->loci, &result->items, &result->rejected, &result->parcels,
              &result->bytes, &result->fetch_seconds) != 6)
    {
      g_autofree char *log = read_log (daemon);
      bench_fail (bench, "alloy fetch failed:\n%s%s\nalloyd:\n%s", out, err, log);
    }
  if (result->items != bench->items || result->rejected != 0)
    bench_fail (bench, "alloy fetch delivered %" G_GUINT64_FORMAT " items and %" G_GINT64_FORMAT
             " rejected, not the %" G_GUINT64_FORMAT " of the dataset",
             result->items, result->rejected, bench->items);
}

/* --- Main -------------------------------------------------------------------- */

/* A program of the build: from the environment, else where the build puts
 * it relative to this program (BUILD/bench/bench-fetch). */
static char *
find_program (const char *variable, const char *name)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *bench_dir = NULL;

  if (g_getenv (variable) != NULL)
    return g_strdup (g_getenv (variable));
  if (self == NULL)
    g_error ("set %s", variable);
  bench_dir = g_path_get_dirname (self);
  return g_build_filename (bench_dir, "..", "core", "programs", name, NULL);
}

int
main (int argc, char **argv)
{
  const char *fixtures = g_getenv ("ALLOY_FIXTURES");
  const char *mb_text = argc > 1 ? argv[1] : g_getenv ("ALLOY_BENCH_MB");
  const char *rounds_text = g_getenv ("ALLOY_BENCH_ROUNDS");
  guint64 megabytes = mb_text ? g_ascii_strtoull (mb_text, NULL, 10) : DEFAULT_MB;
  const guint concurrencies[] = { 1, 2 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%F %T %z");
  g_autofree gdouble *parse_s = NULL;
  Bench bench = { 0 };
  gdouble baseline_s, baseline_mbs;
  gboolean clean = TRUE;

  if (fixtures == NULL)
    {
      fprintf (stderr, "bench-fetch: set ALLOY_FIXTURES to ../shared/fixtures\n");
      return 77;
    }
  if (megabytes == 0)
    megabytes = DEFAULT_MB;
  bench.rounds = rounds_text ? (guint) MAX (atoi (rounds_text), 1) : 3;
  bench.alloyd = find_program ("ALLOYD", "alloyd");
  bench.cli = find_program ("ALLOY_CLI", "alloy");
  bench.schemas = g_build_filename (fixtures, "schemas", NULL);
  bench.files = g_ptr_array_new_with_free_func (g_free);
  bench.dir = g_dir_make_tmp ("alloy-bench-fetch-XXXXXX", &error);
  if (bench.dir == NULL)
    g_error ("%s", error->message);
  bench.root = g_build_filename (bench.dir, "root", NULL);
  /* A direct run of a shared build: the plugins are next door. */
  if (g_getenv ("ALLOY_PLUGIN_PATH") == NULL)
    {
      g_autofree char *programs = g_path_get_dirname (bench.alloyd);
      g_autofree char *plugins = g_build_filename (programs, "..", "..", "plugins", NULL);

      g_setenv ("ALLOY_PLUGIN_PATH", plugins, TRUE);
    }

  make_dataset (&bench, fixtures, megabytes);
  write_config (&bench);
  printf ("%s; %u processors; %u rounds, medians\n", date, g_get_num_processors (), bench.rounds);
  printf ("dataset: quo-view.json.gz + %u NDJSON files of quo users: %" G_GUINT64_FORMAT
          " items, %.1f MB of JSON; loci.replication %d\n",
          bench.files->len - 1, bench.items, bench.json_bytes / 1e6, LOCI_REPLICATION);

  parse_s = g_new0 (gdouble, bench.rounds);
  for (guint r = 0; r < bench.rounds; r++)
    parse_s[r] = parse_only (&bench);
  baseline_s = median (parse_s, bench.rounds);
  baseline_mbs = bench.json_bytes / 1e6 / baseline_s;

  printf ("\n%-26s %8s %10s %10s %7s %9s %8s %10s\n", "", "wall s", "items/s", "MB/s", "ratio",
          "blob MB/s", "parcels", "alloyd RSS");
  printf ("%-26s %8.2f %10.1f %10.1f %7s %9s %8s %10s  (%.2f-%.2f s)\n", "json-glib parse only",
          baseline_s, bench.items / baseline_s, baseline_mbs, "1.00", "-", "-", "-", parse_s[0],
          parse_s[bench.rounds - 1]);
  fflush (stdout);
  for (gsize c = 0; c < G_N_ELEMENTS (concurrencies); c++)
    {
      g_autofree gdouble *wall = g_new0 (gdouble, bench.rounds);
      g_autofree gdouble *blob_mbs = g_new0 (gdouble, bench.rounds);
      g_autofree char *label = g_strdup_printf ("fetch, load.concurrency %u", concurrencies[c]);
      Daemon *daemon = daemon_start (&bench, concurrencies[c]);
      FetchResult result = { 0 };
      guint64 peak_kb;
      gdouble wall_s;

      for (guint r = 0; r < bench.rounds; r++)
        {
          run_fetch (&bench, daemon, &result);
          wall[r] = result.wall_seconds;
          blob_mbs[r] = result.bytes / 1e6 / result.fetch_seconds;
        }
      peak_kb = daemon_peak_kb (daemon);
      bench.daemon = NULL;
      clean = daemon_stop (daemon) && clean;
      /* Sorted by median (): the range is the first and the last. */
      wall_s = median (wall, bench.rounds);
      printf ("%-26s %8.2f %10.1f %10.1f %7.2f %9.1f %8" G_GUINT64_FORMAT " %7" G_GUINT64_FORMAT
              " MB  (wall %.2f-%.2f s)\n", label, wall_s, bench.items / wall_s,
              bench.json_bytes / 1e6 / wall_s, baseline_s / wall_s,
              median (blob_mbs, bench.rounds), result.parcels, peak_kb / 1024, wall[0],
              wall[bench.rounds - 1]);
      fflush (stdout);
    }
  printf ("\nMB/s: uncompressed JSON input over the wall time of `alloy fetch` (Thrift view, "
          "%d loci over Nexus, Snappy parcels); ratio: to the json-glib baseline's MB/s\n",
          LOCI_REPLICATION);
  printf ("alloyd stopped with SIGTERM: %s\n", clean ? "exit status 0" : "NOT CLEAN");

  remove_tree (bench.dir);
  g_ptr_array_unref (bench.files);
  g_free (bench.dir);
  g_free (bench.root);
  g_free (bench.schemas);
  g_free (bench.config);
  g_free (bench.alloyd);
  g_free (bench.cli);
  return clean ? 0 : 1;
}
