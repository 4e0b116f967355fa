/* alloy-module-loader.c: the only user of libltdl.
 *
 * libltdl is not thread-safe and keeps its last error in global state, so
 * every lt_* call here runs under one lock. Its error texts mask the real
 * cause of a failed open ("file not found" for an undefined symbol), so a
 * file is first opened with dlopen (RTLD_NOW) to get the dynamic linker's
 * own message and to bind every symbol once.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-module-loader.h"

#include <dlfcn.h>
#include <ltdl.h>
#include <string.h>

G_STATIC_ASSERT (sizeof (AlloyPreloadedSymbol) == sizeof (lt_dlsymlist));
G_STATIC_ASSERT (G_STRUCT_OFFSET (AlloyPreloadedSymbol, address) ==
                 G_STRUCT_OFFSET (lt_dlsymlist, address));

static GMutex ltdl_lock;
static gboolean ltdl_ready;
static const AlloyPreloadedSymbol *preloaded_table;

void
alloy_module_loader_set_preloaded (const AlloyPreloadedSymbol *table)
{
  g_mutex_lock (&ltdl_lock);
  g_warn_if_fail (!ltdl_ready);
  preloaded_table = table;
  g_mutex_unlock (&ltdl_lock);
}

/* Call with ltdl_lock held. */
static gboolean
ensure_ltdl (GError **error)
{
  if (ltdl_ready)
    return TRUE;
  /* libltdl copies the default list at lt_dlinit, so it goes first. */
  if (preloaded_table != NULL)
    lt_dlpreload_default ((const lt_dlsymlist *) preloaded_table);
  if (lt_dlinit () != 0)
    {
      g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_OPEN_FAILED,
                   "cannot initialise libltdl: %s", lt_dlerror ());
      return FALSE;
    }
  ltdl_ready = TRUE;
  return TRUE;
}

GStrv
alloy_module_loader_list_preloaded (void)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  GStrv result;

  g_mutex_lock (&ltdl_lock);
  for (const AlloyPreloadedSymbol *entry = preloaded_table; entry && entry->name; entry++)
    if (entry->address == NULL && g_str_has_suffix (entry->name, ".a"))
      {
        g_autofree char *name = g_strndup (entry->name, strlen (entry->name) - 2);
        g_strv_builder_add (names, name);
      }
  g_mutex_unlock (&ltdl_lock);
  result = g_strv_builder_end (names);
  qsort (result, g_strv_length (result), sizeof (char *), (GCompareFunc) g_strcmp0);
  return result;
}

/* Call with ltdl_lock held. */
static gboolean
find_entry_point (lt_dlhandle handle, const char *module_name, const char *where,
                  AlloyPluginQueryFunc *out_query, GError **error)
{
  void *symbol = lt_dlsym (handle, ALLOY_PLUGIN_QUERY_SYMBOL);

  if (symbol == NULL)
    {
      g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_NO_ENTRY_POINT,
                   "%s: no entry point: the module exports no symbol %s_LTX_%s "
                   "(use ALLOY_PLUGIN_EXPORT (%s, descriptor))",
                   where, module_name, ALLOY_PLUGIN_QUERY_SYMBOL, module_name);
      return FALSE;
    }
  /* POSIX's way to turn an object pointer into a function pointer. */
  memcpy (out_query, &symbol, sizeof symbol);
  return TRUE;
}

gboolean
alloy_module_loader_open_preloaded (const char *name, AlloyPluginQueryFunc *out_query,
                                    GError **error)
{
  g_autofree char *header = g_strconcat (name, ".a", NULL);
  gboolean built_in = FALSE;
  gboolean ok = FALSE;
  lt_dladvise advise = NULL;
  lt_dlhandle handle;

  g_mutex_lock (&ltdl_lock);
  for (const AlloyPreloadedSymbol *entry = preloaded_table; entry && entry->name; entry++)
    if (entry->address == NULL && strcmp (entry->name, header) == 0)
      built_in = TRUE;
  if (!built_in)
    {
      g_mutex_unlock (&ltdl_lock);
      return FALSE;
    }
  if (!ensure_ltdl (error))
    goto out;
  /* Preload-only advice: a bare name must never reach the file search,
   * where LTDL_LIBRARY_PATH or LD_LIBRARY_PATH could inject a module. */
  if (lt_dladvise_init (&advise) != 0 || lt_dladvise_preload (&advise) != 0 ||
      lt_dladvise_resident (&advise) != 0)
    {
      g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_OPEN_FAILED,
                   "built-in %s: %s", name, lt_dlerror ());
      goto out;
    }
  handle = lt_dlopenadvise (name, advise);
  if (handle == NULL)
    {
      g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_OPEN_FAILED,
                   "built-in %s: %s", name, lt_dlerror ());
      goto out;
    }
  ok = find_entry_point (handle, name, "built-in module", out_query, error);
out:
  if (advise != NULL)
    lt_dladvise_destroy (&advise);
  g_mutex_unlock (&ltdl_lock);
  return ok;
}

gboolean
alloy_module_loader_open_file (const char *path, const char *module_name,
                               AlloyPluginQueryFunc *out_query, GError **error)
{
  lt_dladvise advise = NULL;
  lt_dlhandle handle = NULL;
  void *preflight;
  gboolean ok = FALSE;

  g_mutex_lock (&ltdl_lock);
  if (!ensure_ltdl (error))
    goto out;

  /* dlerror is global too, which is one more reason for the lock. */
  preflight = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  if (preflight == NULL)
    {
      const char *reason = dlerror ();

      if (reason == NULL)
        reason = "unknown dynamic linker error";
      /* The dynamic linker usually names the file already. */
      if (g_str_has_prefix (reason, path))
        g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_OPEN_FAILED, "%s", reason);
      else
        g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_OPEN_FAILED, "%s: %s", path,
                     reason);
      goto out;
    }

  if (lt_dladvise_init (&advise) == 0 && lt_dladvise_local (&advise) == 0 &&
      lt_dladvise_resident (&advise) == 0)
    handle = lt_dlopenadvise (path, advise);
  /* The module stays mapped through libltdl's reference. */
  dlclose (preflight);
  if (handle == NULL)
    {
      g_set_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_OPEN_FAILED, "%s: %s", path,
                   lt_dlerror ());
      goto out;
    }
  ok = find_entry_point (handle, module_name, path, out_query, error);

out:
  if (advise != NULL)
    lt_dladvise_destroy (&advise);
  g_mutex_unlock (&ltdl_lock);
  return ok;
}
