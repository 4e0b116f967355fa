/* alloy-plugin-registry.c: finding, checking and initialising plugins.
 *
 * Loading is process-wide and plugins are never unloaded (their GTypes are
 * registered statically), so the table lives for the whole process behind
 * one lock.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-plugin-registry.h"

#include "alloy-core-options.h"
#include "alloy-module-loader.h"

#include <signal.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

static GMutex registry_lock;
static GHashTable *registry; /* name → AlloyPlugin */
static gboolean registry_shut_down;

static gboolean
module_name_is_valid (const char *name)
{
  if (name == NULL || *name == '\0')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!(g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '_'))
      return FALSE;
  return TRUE;
}

GStrv
alloy_plugin_search_path_build (const char *const *cli_dirs, const char *const *config_dirs)
{
  g_autoptr(GStrvBuilder) path = g_strv_builder_new ();
  const char *env;

  if (cli_dirs != NULL)
    g_strv_builder_addv (path, (const char **) cli_dirs);
  if (config_dirs != NULL)
    g_strv_builder_addv (path, (const char **) config_dirs);
  /* A setuid process must not run constructors from a path its caller
   * chose, as GIO does for its module variables. */
  env = g_getenv ("ALLOY_PLUGIN_PATH");
  if (env != NULL && getauxval (AT_SECURE) == 0)
    {
      g_auto(GStrv) dirs = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);
      for (char **dir = dirs; *dir; dir++)
        if (**dir != '\0')
          g_strv_builder_add (path, *dir);
    }
  g_strv_builder_add (path, ALLOY_PLUGINDIR);
  return g_strv_builder_end (path);
}

/* --- crash context ---------------------------------------------------- */

/* init is the plugin's first real work (constructors must not exist, and
 * query and get_type only return data); if it crashes, say which plugin
 * before the process dies. The message is formatted in advance because
 * only write(2) is safe in a signal handler, and the default action is
 * restored before the signal is raised again. */
static char crash_message[512];
static const int crash_signals[] = { SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
static struct sigaction saved_actions[G_N_ELEMENTS (crash_signals)];

static void
crash_handler (int signum)
{
  ssize_t ignored = write (STDERR_FILENO, crash_message, strlen (crash_message));
  (void) ignored;
  signal (signum, SIG_DFL);
  raise (signum);
}

static void
crash_context_enter (const char *name, const char *path)
{
  struct sigaction action = { 0 };

  g_snprintf (crash_message, sizeof crash_message,
              "alloy: plugin %s (%s) crashed in its init function\n", name,
              path ? path : "built-in");
  action.sa_handler = crash_handler;
  sigemptyset (&action.sa_mask);
  for (gsize i = 0; i < G_N_ELEMENTS (crash_signals); i++)
    sigaction (crash_signals[i], &action, &saved_actions[i]);
}

static void
crash_context_leave (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (crash_signals); i++)
    sigaction (crash_signals[i], &saved_actions[i], NULL);
}

/* --- checks ----------------------------------------------------------- */

static gboolean
check_options (const AlloyPluginDescriptor *desc, const char *where, GError **error)
{
  const AlloyOptionSpec *core = alloy_core_options_for_kind (desc->kind);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (const AlloyOptionSpec *spec = desc->options; spec && spec->key; spec++)
    {
      const char *problem = NULL;

      if (alloy_option_type_to_string (spec->type) == NULL)
        problem = "has an unknown type";
      else if (spec->type == ALLOY_OPTION_ENUM && spec->allowed_values == NULL)
        problem = "is an enum without allowed values";
      else if (!g_hash_table_add (seen, (gpointer) spec->key))
        problem = "is declared twice";
      else if (spec->default_value != NULL &&
               !alloy_option_check_value (spec, spec->default_value, NULL))
        problem = "has a default that is not valid";
      for (const AlloyOptionSpec *c = core; problem == NULL && c->key; c++)
        if (strcmp (c->key, spec->key) == 0)
          problem = "is reserved for the core";
      if (problem != NULL)
        {
          g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_BAD_DESCRIPTOR,
                       "%s: bad descriptor: option '%s' %s", where, spec->key, problem);
          return FALSE;
        }
    }
  return TRUE;
}

/* Checks 4 to 7 of docs/plugin-abi.md, in order. Call with registry_lock
 * held. */
static AlloyPlugin *
check_descriptor (const char *name, const char *path, AlloyPluginQueryFunc query, GError **error)
{
  const char *where = path ? path : "built-in module";
  const AlloyPluginDescriptor *desc = query ();
  guint32 host_abi = ALLOY_PLUGIN_ABI_VERSION;
  GType iface, type;
  AlloyPlugin *plugin;

  if (desc == NULL || desc->struct_size < ALLOY_PLUGIN_DESCRIPTOR_MIN_SIZE ||
      desc->abi_version >> 16 != host_abi >> 16 ||
      (desc->abi_version & 0xffff) > (host_abi & 0xffff))
    {
      if (desc == NULL)
        g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_ABI_MISMATCH,
                     "%s: ABI mismatch: %s returned no descriptor", where, name);
      else
        g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_ABI_MISMATCH,
                     "%s: ABI mismatch: the plugin was built for ABI %u.%u with a %u-byte "
                     "descriptor; this host has ABI %u.%u and needs at least %u bytes "
                     "(same major, minor not newer)",
                     where, desc->abi_version >> 16, desc->abi_version & 0xffff,
                     desc->struct_size, host_abi >> 16, host_abi & 0xffff,
                     (guint) ALLOY_PLUGIN_DESCRIPTOR_MIN_SIZE);
      return NULL;
    }
  if (g_strcmp0 (desc->name, name) != 0)
    {
      g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_NAME_MISMATCH,
                   "%s: name mismatch: the descriptor says '%s' but the module is '%s'", where,
                   desc->name ? desc->name : "(null)", name);
      return NULL;
    }
  iface = alloy_plugin_kind_get_interface (desc->kind);
  if (iface == G_TYPE_INVALID || desc->version == NULL || desc->description == NULL)
    {
      g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_BAD_DESCRIPTOR,
                   "%s: bad descriptor: %s", where,
                   iface == G_TYPE_INVALID ? "unknown plugin kind" : "version or description missing");
      return NULL;
    }
  if (!check_options (desc, where, error))
    return NULL;
  if (desc->get_type == NULL)
    {
      g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_WRONG_INTERFACE,
                   "%s: wrong interface: the descriptor has no get_type", where);
      return NULL;
    }
  type = desc->get_type ();
  if (!G_TYPE_IS_INSTANTIATABLE (type) || G_TYPE_IS_ABSTRACT (type) || !g_type_is_a (type, iface))
    {
      g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_WRONG_INTERFACE,
                   "%s: wrong interface: type %s is not an instantiatable %s (%s plugins "
                   "implement %s)",
                   where, g_type_name (type) ? g_type_name (type) : "(invalid)",
                   g_type_name (iface), alloy_plugin_kind_to_string (desc->kind),
                   g_type_name (iface));
      return NULL;
    }
  plugin = g_new0 (AlloyPlugin, 1);
  plugin->name = g_strdup (name);
  plugin->path = g_strdup (path);
  plugin->descriptor = desc;
  plugin->type = type;
  return plugin;
}

/* Check 8: the plugin's own init, once per process. Call with
 * registry_lock held. */
static gboolean
ensure_initialised (AlloyPlugin *plugin, GError **error)
{
  const AlloyPluginDescriptor *desc = plugin->descriptor;
  g_autoptr(GError) init_error = NULL;
  gboolean ok;

  if (plugin->initialised)
    return TRUE;
  if (desc->init != NULL)
    {
      crash_context_enter (plugin->name, plugin->path);
      ok = desc->init (&init_error);
      crash_context_leave ();
      if (!ok)
        {
          g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_INIT_FAILED,
                       "%s: init failed: %s", plugin->path ? plugin->path : "built-in module",
                       init_error ? init_error->message : "no reason given");
          return FALSE;
        }
    }
  plugin->initialised = TRUE;
  return TRUE;
}

static void
ensure_registry (void)
{
  if (registry == NULL)
    registry = g_hash_table_new (g_str_hash, g_str_equal);
}

static AlloyPlugin *
register_plugin (AlloyPlugin *plugin)
{
  g_hash_table_insert (registry, plugin->name, plugin);
  g_info ("loaded plugin %s %s (%s) from %s", plugin->name, plugin->descriptor->version,
          alloy_plugin_kind_to_string (plugin->descriptor->kind),
          plugin->path ? plugin->path : "the program (built in)");
  return plugin;
}

/* Call with registry_lock held. */
static AlloyPlugin *
load_path_locked (const char *name, const char *path, GError **error)
{
  AlloyPluginQueryFunc query = NULL;
  AlloyPlugin *plugin;

  if (!alloy_module_loader_open_file (path, name, &query, error))
    return NULL;
  plugin = check_descriptor (name, path, query, error);
  return plugin ? register_plugin (plugin) : NULL;
}

static gboolean
is_builtin_rank (const char *dir)
{
  return g_strcmp0 (dir, ALLOY_PLUGINDIR) == 0;
}

/* Finds, opens and checks @name, without initialising it. Call with
 * registry_lock held. */
static AlloyPlugin *
find_locked (const char *name, const char *const *search_path, GError **error)
{
  AlloyPluginQueryFunc query = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *file = NULL;
  g_autofree char *searched = NULL;
  gboolean tried_built_in = FALSE;
  AlloyPlugin *existing;

  if (!module_name_is_valid (name))
    {
      g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_INVALID_NAME,
                   "'%s' is not a plugin module name (lower-case letters, digits and '_')",
                   name ? name : "");
      return NULL;
    }
  ensure_registry ();
  existing = g_hash_table_lookup (registry, name);
  if (existing != NULL)
    return existing;

  file = g_strconcat (name, ".so", NULL);
  for (const char *const *dir = search_path; dir && *dir; dir++)
    {
      g_autofree char *path = NULL;

      /* Built-in modules rank with the compiled-in directory: the command
       * line, the file and the environment can still override them. */
      if (!tried_built_in && is_builtin_rank (*dir))
        {
          tried_built_in = TRUE;
          if (alloy_module_loader_open_preloaded (name, &query, &local_error))
            {
              AlloyPlugin *plugin = check_descriptor (name, NULL, query, error);
              return plugin ? register_plugin (plugin) : NULL;
            }
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
        }
      path = g_build_filename (*dir, file, NULL);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      /* The first match wins; the rest are shadowed, as with GIO modules. */
      for (const char *const *later = dir + 1; *later; later++)
        {
          g_autofree char *shadowed = g_build_filename (*later, file, NULL);
          if (g_file_test (shadowed, G_FILE_TEST_EXISTS))
            g_debug ("plugin %s in %s is shadowed by %s", name, shadowed, path);
        }
      return load_path_locked (name, path, error);
    }
  if (!tried_built_in && alloy_module_loader_open_preloaded (name, &query, &local_error))
    {
      AlloyPlugin *plugin = check_descriptor (name, NULL, query, error);
      return plugin ? register_plugin (plugin) : NULL;
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  searched = search_path ? g_strjoinv (G_SEARCHPATH_SEPARATOR_S, (char **) search_path)
                         : g_strdup ("");
  g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_NOT_FOUND,
               "plugin %s not found: no %s in the plugin path '%s' and none built in", name,
               file, searched);
  return NULL;
}

static const AlloyPlugin *
load (const char *name, const char *const *search_path, gboolean initialise, GError **error)
{
  AlloyPlugin *plugin;

  g_mutex_lock (&registry_lock);
  plugin = find_locked (name, search_path, error);
  if (plugin != NULL && initialise && !ensure_initialised (plugin, error))
    plugin = NULL;
  g_mutex_unlock (&registry_lock);
  return plugin;
}

const AlloyPlugin *
alloy_plugin_registry_load (const char *name, const char *const *search_path, GError **error)
{
  const AlloyPlugin *plugin = load (name, search_path, TRUE, error);

  if (plugin == NULL && error != NULL && *error != NULL)
    g_info ("plugin %s not loaded: %s", name, (*error)->message);
  return plugin;
}

static char *
module_name_from_path (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');

  if (dot != NULL)
    *dot = '\0';
  return g_steal_pointer (&base);
}

static const AlloyPlugin *
load_file (const char *path, gboolean initialise, GError **error)
{
  g_autofree char *name = module_name_from_path (path);
  AlloyPlugin *existing;
  AlloyPlugin *plugin = NULL;

  if (!module_name_is_valid (name))
    {
      g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_INVALID_NAME,
                   "%s: '%s' is not a plugin module name (lower-case letters, digits and '_')",
                   path, name);
      return NULL;
    }
  g_mutex_lock (&registry_lock);
  ensure_registry ();
  existing = g_hash_table_lookup (registry, name);
  if (existing != NULL && g_strcmp0 (existing->path, path) != 0)
    g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_DUPLICATE,
                 "%s: duplicate: plugin %s is already loaded from %s", path, name,
                 existing->path ? existing->path : "the program (built in)");
  else if (existing != NULL)
    plugin = existing;
  else
    plugin = load_path_locked (name, path, error);
  if (plugin != NULL && initialise && !ensure_initialised (plugin, error))
    plugin = NULL;
  g_mutex_unlock (&registry_lock);
  return plugin;
}

const AlloyPlugin *
alloy_plugin_registry_load_file (const char *path, GError **error)
{
  return load_file (path, TRUE, error);
}

const AlloyPlugin *
alloy_plugin_registry_lookup (const char *name)
{
  AlloyPlugin *plugin = NULL;

  g_mutex_lock (&registry_lock);
  if (registry != NULL)
    plugin = g_hash_table_lookup (registry, name);
  if (plugin != NULL && !plugin->initialised)
    plugin = NULL;
  g_mutex_unlock (&registry_lock);
  return plugin;
}

void
alloy_plugin_candidate_free (AlloyPluginCandidate *candidate)
{
  if (candidate == NULL)
    return;
  g_free (candidate->name);
  g_free (candidate->path);
  g_clear_error (&candidate->error);
  g_strfreev (candidate->shadowed);
  g_free (candidate);
}

static gint
compare_candidates (gconstpointer a, gconstpointer b)
{
  const AlloyPluginCandidate *x = *(AlloyPluginCandidate *const *) a;
  const AlloyPluginCandidate *y = *(AlloyPluginCandidate *const *) b;

  return strcmp (x->name, y->name);
}

/* The first module of a name is the candidate; later ones are shadowed. */
static void
add_candidate (GPtrArray *candidates, GHashTable *by_name, const char *name, const char *path)
{
  AlloyPluginCandidate *candidate = g_hash_table_lookup (by_name, name);

  if (candidate != NULL)
    {
      gsize n = g_strv_length (candidate->shadowed);
      candidate->shadowed = g_renew (char *, candidate->shadowed, n + 2);
      candidate->shadowed[n] = g_strdup (path ? path : "(built in)");
      candidate->shadowed[n + 1] = NULL;
      return;
    }
  candidate = g_new0 (AlloyPluginCandidate, 1);
  candidate->name = g_strdup (name);
  candidate->path = g_strdup (path);
  candidate->shadowed = g_new0 (char *, 1);
  g_ptr_array_add (candidates, candidate);
  g_hash_table_insert (by_name, candidate->name, candidate);
}

GPtrArray *
alloy_plugin_registry_scan (const char *const *search_path)
{
  GPtrArray *candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) alloy_plugin_candidate_free);
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) built_in = alloy_module_loader_list_preloaded ();

  gboolean built_in_added = FALSE;

  for (const char *const *dir = search_path; ; dir++)
    {
      g_autoptr(GDir) handle = NULL;
      const char *entry;

      if (!built_in_added && (dir == NULL || *dir == NULL || is_builtin_rank (*dir)))
        {
          built_in_added = TRUE;
          for (char **name = built_in; *name; name++)
            add_candidate (candidates, by_name, *name, NULL);
        }
      if (dir == NULL || *dir == NULL)
        break;
      handle = g_dir_open (*dir, 0, NULL);

      while (handle != NULL && (entry = g_dir_read_name (handle)) != NULL)
        {
          g_autofree char *name = NULL;
          g_autofree char *path = NULL;

          if (!g_str_has_suffix (entry, ".so"))
            continue;
          name = module_name_from_path (entry);
          path = g_build_filename (*dir, entry, NULL);
          add_candidate (candidates, by_name, name, path);
        }
    }
  for (guint i = 0; i < candidates->len; i++)
    {
      AlloyPluginCandidate *candidate = g_ptr_array_index (candidates, i);

      /* Listing reads descriptors; it runs no plugin's init. */
      if (candidate->path == NULL)
        candidate->plugin = load (candidate->name, NULL, FALSE, &candidate->error);
      else
        candidate->plugin = load_file (candidate->path, FALSE, &candidate->error);
    }
  g_ptr_array_sort (candidates, compare_candidates);
  return candidates;
}

void
alloy_plugin_registry_shutdown (void)
{
  g_autoptr(GList) plugins = NULL;

  g_mutex_lock (&registry_lock);
  /* Plugins stay mapped and registered; only their hooks run, once. */
  if (registry != NULL && !registry_shut_down)
    {
      plugins = g_hash_table_get_values (registry);
      for (GList *l = plugins; l; l = l->next)
        {
          AlloyPlugin *plugin = l->data;
          if (plugin->initialised && plugin->descriptor->shutdown != NULL)
            plugin->descriptor->shutdown ();
        }
      registry_shut_down = TRUE;
    }
  g_mutex_unlock (&registry_lock);
}
