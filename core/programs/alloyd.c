/* alloyd.c: the Alloy server.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-config.h"
#include "alloy-core-options.h"
#include "alloy-log.h"
#include "alloy-plugin-registry.h"
#include "alloy-server.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_CONFIG ALLOY_SYSCONFDIR "/alloy.conf"

typedef struct {
  GMainLoop *loop;
  AlloyServer *server;
  int exit_status;
  gboolean shutting_down;
} Daemon;

static char *opt_config;
static char **opt_set;
static char **opt_plugin_path;
static gboolean opt_check_config;
static gboolean opt_list_plugins;
static gboolean opt_version;
static gboolean opt_verbose;

static const GOptionEntry entries[] = {
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
    "Configuration file (default " DEFAULT_CONFIG ")", "FILE" },
  { "set", 's', 0, G_OPTION_ARG_STRING_ARRAY, &opt_set,
    "Set a key, over the file and the environment: KEY=VALUE for [alloy], GROUP:KEY=VALUE "
    "otherwise (repeatable)", "KEY=VALUE" },
  { "plugin-path", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_plugin_path,
    "Search DIR for plugins first (repeatable)", "DIR" },
  { "check-config", 0, 0, G_OPTION_ARG_NONE, &opt_check_config,
    "Validate the configuration, print it with the source of every value, and exit", NULL },
  { "list-plugins", 0, 0, G_OPTION_ARG_NONE, &opt_list_plugins,
    "List every plugin in the plugin path with its options, and exit", NULL },
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose, "Log informational messages", NULL },
  { "version", 'V', 0, G_OPTION_ARG_NONE, &opt_version, "Print the version and exit", NULL },
  { NULL }
};

static void
print_options (const AlloyOptionSpec *options)
{
  for (const AlloyOptionSpec *spec = options; spec && spec->key; spec++)
    {
      g_autofree char *detail = NULL;

      if (spec->flags & ALLOY_OPTION_FLAG_REQUIRED)
        detail = g_strdup ("required");
      else if (spec->flags & ALLOY_OPTION_FLAG_FORBIDDEN)
        detail = g_strdup ("not settable");
      else if (spec->default_value != NULL && *spec->default_value != '\0')
        detail = g_strdup_printf ("default %s", spec->default_value);
      else if (spec->default_value != NULL)
        detail = g_strdup ("default empty");
      else
        detail = g_strdup ("optional");
      printf ("    %s (%s, %s): %s\n", spec->key, alloy_option_type_to_string (spec->type), detail,
              spec->description);
      if (spec->type == ALLOY_OPTION_ENUM)
        {
          g_autofree char *values = g_strjoinv (", ", (char **) spec->allowed_values);
          printf ("      one of: %s\n", values);
        }
    }
}

/* The file's plugin-path, for --list-plugins, which must work even when
 * the rest of the configuration does not validate. */
static gboolean
config_plugin_path (const char *path, GStrv *out_dirs, GError **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_canonicalize_filename (dir, NULL);
  GStrv dirs;

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  dirs = g_key_file_get_string_list (key_file, ALLOY_CORE_GROUP, ALLOY_KEY_PLUGIN_PATH, NULL,
                                     NULL);
  for (char **entry = dirs; entry && *entry; entry++)
    {
      char *absolute = g_canonicalize_filename (*entry, base);
      g_free (*entry);
      *entry = absolute;
    }
  *out_dirs = dirs;
  return TRUE;
}

static int
list_plugins (const char *const *search_path)
{
  g_autoptr(GPtrArray) candidates = alloy_plugin_registry_scan (search_path);
  g_autofree char *path = g_strjoinv (G_SEARCHPATH_SEPARATOR_S, (char **) search_path);
  guint refused = 0;

  printf ("plugin path: %s\n", path);
  for (guint i = 0; i < candidates->len; i++)
    {
      AlloyPluginCandidate *candidate = g_ptr_array_index (candidates, i);
      const char *where = candidate->path ? candidate->path : "built in";

      printf ("\n");
      if (candidate->plugin == NULL)
        {
          printf ("%s: refused (%s)\n  %s\n", candidate->name, where, candidate->error->message);
          refused++;
          continue;
        }
      printf ("%s %s: %s plugin (%s)\n  %s\n", candidate->name,
              candidate->plugin->descriptor->version,
              alloy_plugin_kind_to_string (candidate->plugin->descriptor->kind), where,
              candidate->plugin->descriptor->description);
      for (char **shadowed = candidate->shadowed; *shadowed; shadowed++)
        printf ("  shadows %s\n", *shadowed);
      printf ("  options:\n");
      print_options (alloy_core_options_for_kind (candidate->plugin->descriptor->kind));
      print_options (candidate->plugin->descriptor->options);
    }
  if (refused > 0)
    printf ("\n%u module(s) refused\n", refused);
  return EXIT_SUCCESS;
}

static void
on_shutdown_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Daemon *daemon = user_data;

  alloy_server_shutdown_finish (ALLOY_SERVER (source), result, NULL);
  g_message ("stopped");
  g_main_loop_quit (daemon->loop);
}

static gboolean
on_stop_signal (gpointer user_data)
{
  Daemon *daemon = user_data;

  if (daemon->shutting_down)
    {
      g_message ("second signal: ending the drain delay, or closing every connection now");
      alloy_server_close_connections (daemon->server);
      return G_SOURCE_CONTINUE;
    }
  daemon->shutting_down = TRUE;
  g_message ("shutting down");
  alloy_server_shutdown_async (daemon->server, on_shutdown_done, daemon);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_hangup (gpointer user_data)
{
  Daemon *daemon = user_data;

  g_message ("SIGHUP: refreshing discovery, forgetting departed peers");
  alloy_server_refresh_discovery (daemon->server);
  return G_SOURCE_CONTINUE;
}

static void
on_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Daemon *daemon = user_data;
  g_autoptr(GError) error = NULL;

  if (!alloy_server_start_finish (ALLOY_SERVER (source), result, &error))
    {
      /* A signal during start: the shutdown under way ends the loop. */
      if (daemon->shutting_down && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_printerr ("alloyd: %s\n", error->message);
      daemon->exit_status = EXIT_FAILURE;
      g_main_loop_quit (daemon->loop);
      return;
    }
  g_message ("alloyd %s ready", ALLOY_VERSION);
}

static AlloyConfig *
load_config (GError **error)
{
  g_autoptr(AlloyConfig) config = alloy_config_new ();
  const char *path = opt_config ? opt_config : DEFAULT_CONFIG;

  if (!alloy_config_load_file (config, path, error))
    return NULL;
  for (char **assignment = opt_set; assignment && *assignment; assignment++)
    if (!alloy_config_add_override (config, *assignment, error))
      return NULL;
  alloy_config_set_cli_plugin_path (config, (const char *const *) opt_plugin_path);
  if (!alloy_config_resolve (config, error))
    return NULL;
  return g_steal_pointer (&config);
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AlloyConfig) config = NULL;
  g_autoptr(AlloyServer) server = NULL;
  Daemon daemon = { 0 };

  setlocale (LC_ALL, "");
  alloy_log_init ();
  context = g_option_context_new ("- the Alloy sample source server");
  g_option_context_set_summary (context,
                                "Serves datasets of JSON files to Burst cells over the Thrift "
                                "sample-store API and Nexus streams.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("alloyd: %s\n", error->message);
      return 2;
    }
  if (opt_version)
    {
      printf ("alloyd %s (plugin ABI %d.%d)\n", ALLOY_VERSION, ALLOY_PLUGIN_ABI_MAJOR,
              ALLOY_PLUGIN_ABI_MINOR);
      return EXIT_SUCCESS;
    }
  if (opt_verbose)
    g_log_set_debug_enabled (TRUE);

  if (opt_list_plugins)
    {
      g_auto(GStrv) config_dirs = NULL;
      g_auto(GStrv) search_path = NULL;

      /* The default file is optional here: listing needs no configuration. */
      if ((opt_config != NULL || g_file_test (DEFAULT_CONFIG, G_FILE_TEST_EXISTS)) &&
          !config_plugin_path (opt_config ? opt_config : DEFAULT_CONFIG, &config_dirs, &error))
        {
          g_printerr ("alloyd: %s\n", error->message);
          return EXIT_FAILURE;
        }
      search_path = alloy_plugin_search_path_build ((const char *const *) opt_plugin_path,
                                                    (const char *const *) config_dirs);
      return list_plugins ((const char *const *) search_path);
    }

  config = load_config (&error);
  if (config == NULL)
    {
      g_printerr ("alloyd: %s\n", error->message);
      return EXIT_FAILURE;
    }
  /* The plugins' own checks run in configure. */
  server = alloy_server_new (config, &error);
  if (server == NULL)
    {
      g_printerr ("alloyd: %s\n", error->message);
      return EXIT_FAILURE;
    }
  if (opt_check_config)
    {
      g_autofree char *dump = alloy_config_dump (config);
      printf ("%s", dump);
      g_clear_object (&server);
      alloy_plugin_registry_shutdown ();
      return EXIT_SUCCESS;
    }

  daemon.loop = g_main_loop_new (NULL, FALSE);
  daemon.server = server;
  g_unix_signal_add (SIGTERM, on_stop_signal, &daemon);
  g_unix_signal_add (SIGINT, on_stop_signal, &daemon);
  g_unix_signal_add (SIGHUP, on_hangup, &daemon);
  alloy_server_start_async (server, NULL, on_started, &daemon);
  g_main_loop_run (daemon.loop);

  g_clear_object (&server);
  alloy_plugin_registry_shutdown ();
  g_main_loop_unref (daemon.loop);
  g_free (opt_config);
  g_strfreev (opt_set);
  g_strfreev (opt_plugin_path);
  return daemon.exit_status;
}
