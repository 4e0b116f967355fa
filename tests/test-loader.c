/* test-loader.c: finding, checking and initialising plugin modules.
 *
 * Loading is process-wide and modules stay resident, so every case runs
 * in a subprocess of its own.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-module-loader.h"
#include "alloy-test-utils.h"

#include <gio/gio.h>

static const char *
fixture_dir (void)
{
  const char *dir = g_getenv ("ALLOY_TEST_PLUGIN_DIR");

  g_assert_nonnull (dir);
  return dir;
}

static const AlloyPlugin *
load_fixture (const char *name, GError **error)
{
  const char *const path[] = { fixture_dir (), NULL };

  return alloy_plugin_registry_load (name, path, error);
}

/* Copies module @name from the fixture directory into @dir. */
static char *
copy_fixture (const char *name, const char *dir)
{
  g_autofree char *file = g_strconcat (name, ".so", NULL);
  g_autofree char *from = g_build_filename (fixture_dir (), file, NULL);
  char *to = g_build_filename (dir, file, NULL);
  g_autoptr(GFile) source = g_file_new_for_path (from);
  g_autoptr(GFile) target = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;

  g_file_copy (source, target, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return to;
}

static void
assert_load_fails (const char *name, int code, const char *message_part)
{
  g_autoptr(GError) error = NULL;
  const AlloyPlugin *plugin = load_fixture (name, &error);

  g_assert_null (plugin);
  g_assert_error (error, ALLOY_PLUGIN_ERROR, code);
  if (strstr (error->message, message_part) == NULL)
    g_error ("expected the message to contain\n  %s\nbut it is\n  %s", message_part,
             error->message);
  g_assert_null (alloy_plugin_registry_lookup (name));
}

/* Runs the body in a subprocess; the parent asserts that it passed. */
#define SUBPROCESS_TEST(name)                                                 \
  static void name##_body (void);                                             \
  static void name (void)                                                     \
  {                                                                           \
    if (g_test_subprocess ())                                                 \
      {                                                                       \
        name##_body ();                                                       \
        return;                                                               \
      }                                                                       \
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);       \
    g_test_trap_assert_passed ();                                             \
  }                                                                           \
  static void name##_body (void)

SUBPROCESS_TEST (test_good)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_path = g_build_filename (fixture_dir (), "good_reader.so", NULL);
  const AlloyPlugin *plugin = load_fixture ("good_reader", &error);

  g_assert_no_error (error);
  g_assert_nonnull (plugin);
  g_assert_cmpstr (plugin->name, ==, "good_reader");
  g_assert_cmpstr (plugin->path, ==, expected_path);
  g_assert_cmpint (plugin->descriptor->kind, ==, ALLOY_PLUGIN_KIND_READER);
  g_assert_cmpstr (plugin->descriptor->version, ==, "1.0.0");
  g_assert_cmpstr (plugin->descriptor->options[0].key, ==, "suffix");
  g_assert_true (g_type_is_a (plugin->type, ALLOY_TYPE_READER));
  /* Loaded once per process. */
  g_assert_true (load_fixture ("good_reader", NULL) == plugin);
  g_assert_true (alloy_plugin_registry_lookup ("good_reader") == plugin);
}

SUBPROCESS_TEST (test_delivered_plugins)
{
  static const struct { const char *name; AlloyPluginKind kind; } delivered[] = {
    { "transport_tcp", ALLOY_PLUGIN_KIND_TRANSPORT },
    { "transport_unix", ALLOY_PLUGIN_KIND_TRANSPORT },
    { "discovery_static", ALLOY_PLUGIN_KIND_DISCOVERY },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (delivered); i++)
    {
      const AlloyPlugin *plugin = alloy_test_load_plugin (delivered[i].name);

      g_assert_cmpint (plugin->descriptor->kind, ==, delivered[i].kind);
      g_assert_cmpstr (plugin->descriptor->version, ==, ALLOY_VERSION);
#if ALLOY_STATIC_PLUGINS
      /* Found through libltdl's preload table, with no path at all. */
      g_assert_null (plugin->path);
      g_assert_null (g_getenv ("ALLOY_PLUGIN_PATH"));
#else
      g_autofree char *base = g_path_get_basename (plugin->path);
      g_autofree char *expected = g_strconcat (delivered[i].name, ".so", NULL);
      g_assert_cmpstr (base, ==, expected);
#endif
    }
}

SUBPROCESS_TEST (test_invalid_name)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (load_fixture ("Good-Reader", &error));
  g_assert_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_INVALID_NAME);
  g_assert_cmpstr (error->message, ==,
                   "'Good-Reader' is not a plugin module name (lower-case letters, digits and '_')");
}

SUBPROCESS_TEST (test_not_found)
{
  g_autofree char *message = g_strdup_printf (
      "plugin nothing_here not found: no nothing_here.so in the plugin path '%s' and none built in",
      fixture_dir ());

  assert_load_fails ("nothing_here", ALLOY_PLUGIN_ERROR_NOT_FOUND, message);
}

SUBPROCESS_TEST (test_undefined_symbol)
{
  g_autoptr(GError) error = NULL;

  assert_load_fails ("undefined_symbol", ALLOY_PLUGIN_ERROR_OPEN_FAILED,
                     "undefined symbol: alloy_fixture_nowhere_defined");
  load_fixture ("undefined_symbol", &error);
  /* libltdl alone would have said this. */
  g_assert_null (strstr (error->message, "file not found"));
}

/* The control for the next case: next to its helper library it loads. */
SUBPROCESS_TEST (test_missing_dependency_control)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (load_fixture ("missing_dep", &error));
  g_assert_no_error (error);
}

/* The dependency check needs a process where missing_dep was never
 * loaded from the build tree. */
SUBPROCESS_TEST (test_missing_dependency_reported)
{
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *copy = copy_fixture ("missing_dep", dir);
  const char *const path[] = { dir, NULL };
  g_autoptr(GError) error = NULL;

  g_assert_null (alloy_plugin_registry_load ("missing_dep", path, &error));
  g_assert_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_OPEN_FAILED);
  g_assert_true (g_str_has_prefix (error->message, copy));
  g_assert_nonnull (strstr (error->message,
                            "liballoy-fixture-helper.so: cannot open shared object file"));
  alloy_test_remove_tree (dir);
}

SUBPROCESS_TEST (test_no_entry_point)
{
  assert_load_fails ("no_entry_point", ALLOY_PLUGIN_ERROR_NO_ENTRY_POINT,
                     "no entry point: the module exports no symbol "
                     "no_entry_point_LTX_alloy_plugin_query");
}

SUBPROCESS_TEST (test_abi_major)
{
  assert_load_fails ("abi_major_mismatch", ALLOY_PLUGIN_ERROR_ABI_MISMATCH,
                     "ABI mismatch: the plugin was built for ABI 2.0");
}

SUBPROCESS_TEST (test_abi_minor_newer)
{
  assert_load_fails ("abi_minor_newer", ALLOY_PLUGIN_ERROR_ABI_MISMATCH,
                     "ABI mismatch: the plugin was built for ABI 1.1");
}

SUBPROCESS_TEST (test_short_struct)
{
  assert_load_fails ("short_struct", ALLOY_PLUGIN_ERROR_ABI_MISMATCH,
                     "with a 16-byte descriptor; this host has ABI 1.0");
}

SUBPROCESS_TEST (test_name_mismatch)
{
  assert_load_fails ("name_mismatch", ALLOY_PLUGIN_ERROR_NAME_MISMATCH,
                     "name mismatch: the descriptor says 'some_other_name' but the module is "
                     "'name_mismatch'");
}

SUBPROCESS_TEST (test_bad_descriptor)
{
  assert_load_fails ("bad_descriptor", ALLOY_PLUGIN_ERROR_BAD_DESCRIPTOR,
                     "bad descriptor: option 'color' is declared twice");
}

SUBPROCESS_TEST (test_wrong_interface)
{
  assert_load_fails ("wrong_interface", ALLOY_PLUGIN_ERROR_WRONG_INTERFACE,
                     "wrong interface: type GObject is not an instantiatable AlloyReader");
}

SUBPROCESS_TEST (test_init_fails)
{
  assert_load_fails ("init_fails", ALLOY_PLUGIN_ERROR_INIT_FAILED,
                     "init failed: the fixture refuses to start");
}

static void
test_init_aborts (void)
{
  if (g_test_subprocess ())
    {
      load_fixture ("init_aborts", NULL);
      g_assert_not_reached ();
    }
  g_test_trap_subprocess (NULL, 0, 0);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*alloy: plugin init_aborts (*init_aborts.so) crashed in its init "
                             "function*");
}

SUBPROCESS_TEST (test_first_in_path_wins)
{
  g_autofree char *first = alloy_test_make_tmp_dir ();
  g_autofree char *second = alloy_test_make_tmp_dir ();
  g_autofree char *first_copy = copy_fixture ("good_reader", first);
  g_autofree char *second_copy = copy_fixture ("good_reader", second);
  const char *const path[] = { first, second, NULL };
  g_autoptr(GError) error = NULL;
  const AlloyPlugin *plugin;

  plugin = alloy_plugin_registry_load ("good_reader", path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plugin->path, ==, first_copy);

  /* The same name from another file is refused. */
  g_assert_null (alloy_plugin_registry_load_file (second_copy, &error));
  g_assert_error (error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_DUPLICATE);
  g_assert_nonnull (strstr (error->message, first_copy));
  alloy_test_remove_tree (first);
  alloy_test_remove_tree (second);
}

SUBPROCESS_TEST (test_scan)
{
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *good = copy_fixture ("good_reader", dir);
  g_autofree char *bad = copy_fixture ("name_mismatch", dir);
  g_autofree char *other = g_build_filename (dir, "README", NULL);
  const char *const path[] = { dir, NULL };
  g_autoptr(GPtrArray) candidates = NULL;
  AlloyPluginCandidate *first = NULL, *second = NULL;
  g_auto(GStrv) built_in = alloy_module_loader_list_preloaded ();
  guint offset = 0;

  g_assert_true (g_file_set_contents (other, "not a module", -1, NULL));
  candidates = alloy_plugin_registry_scan (path);
  /* The built-in ones (static builds) come along. */
  offset = g_strv_length (built_in);
  g_assert_cmpuint (candidates->len, ==, 2 + offset);
  for (guint i = 0; i + 1 < candidates->len; i++)
    g_assert_cmpstr (((AlloyPluginCandidate *) g_ptr_array_index (candidates, i))->name, <,
                     ((AlloyPluginCandidate *) g_ptr_array_index (candidates, i + 1))->name);
  for (guint i = 0; i < candidates->len; i++)
    {
      AlloyPluginCandidate *candidate = g_ptr_array_index (candidates, i);
      if (strcmp (candidate->name, "good_reader") == 0)
        first = candidate;
      else if (strcmp (candidate->name, "name_mismatch") == 0)
        second = candidate;
    }
  g_assert_nonnull (first);
  g_assert_nonnull (second);
  g_assert_nonnull (first->plugin);
  g_assert_cmpstr (first->path, ==, good);
  g_assert_null (second->plugin);
  g_assert_cmpstr (second->path, ==, bad);
  g_assert_error (second->error, ALLOY_PLUGIN_ERROR, ALLOY_PLUGIN_ERROR_NAME_MISMATCH);
  alloy_test_remove_tree (dir);
}

SUBPROCESS_TEST (test_search_path_order)
{
  const char *const cli[] = { "/from/cli", NULL };
  const char *const config[] = { "/from/config", NULL };
  g_auto(GStrv) path = NULL;

  g_setenv ("ALLOY_PLUGIN_PATH", "/from/env/a" G_SEARCHPATH_SEPARATOR_S "/from/env/b", TRUE);
  path = alloy_plugin_search_path_build (cli, config);
  g_assert_cmpstrv (path, ((const char *const[]) { "/from/cli", "/from/config", "/from/env/a",
                                                   "/from/env/b", ALLOY_PLUGINDIR, NULL }));
}

SUBPROCESS_TEST (test_hooks)
{
  g_autofree char *dir = alloy_test_make_tmp_dir ();
  g_autofree char *copy = copy_fixture ("hooks", dir);
  const char *const path[] = { dir, NULL };
  g_autoptr(GPtrArray) listed = NULL;
  AlloyPluginCandidate *hooks = NULL;

  /* Listing reads the descriptor and runs no init. */
  listed = alloy_plugin_registry_scan (path);
  for (guint i = 0; i < listed->len; i++)
    {
      AlloyPluginCandidate *candidate = g_ptr_array_index (listed, i);
      if (strcmp (candidate->name, "hooks") == 0)
        hooks = candidate;
    }
  g_assert_nonnull (hooks);
  g_assert_nonnull (hooks->plugin);
  g_assert_cmpstr (hooks->path, ==, copy);
  g_assert_null (g_getenv ("ALLOY_FIXTURE_INITS"));
  g_assert_null (alloy_plugin_registry_lookup ("hooks"));

  /* Loading runs init once, however often it is asked. */
  g_assert_nonnull (alloy_plugin_registry_load ("hooks", path, NULL));
  g_assert_nonnull (alloy_plugin_registry_load ("hooks", path, NULL));
  g_assert_cmpstr (g_getenv ("ALLOY_FIXTURE_INITS"), ==, "1");

  /* And shutdown once. */
  alloy_plugin_registry_shutdown ();
  alloy_plugin_registry_shutdown ();
  g_assert_cmpstr (g_getenv ("ALLOY_FIXTURE_SHUTDOWNS"), ==, "1");
  alloy_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/loader/good", test_good);
  g_test_add_func ("/loader/delivered-plugins", test_delivered_plugins);
  g_test_add_func ("/loader/invalid-name", test_invalid_name);
  g_test_add_func ("/loader/not-found", test_not_found);
  g_test_add_func ("/loader/open-failed/undefined-symbol", test_undefined_symbol);
  g_test_add_func ("/loader/open-failed/missing-dependency", test_missing_dependency_reported);
  g_test_add_func ("/loader/open-failed/missing-dependency-control",
                   test_missing_dependency_control);
  g_test_add_func ("/loader/no-entry-point", test_no_entry_point);
  g_test_add_func ("/loader/abi-mismatch/major", test_abi_major);
  g_test_add_func ("/loader/abi-mismatch/minor-newer", test_abi_minor_newer);
  g_test_add_func ("/loader/abi-mismatch/short-struct", test_short_struct);
  g_test_add_func ("/loader/name-mismatch", test_name_mismatch);
  g_test_add_func ("/loader/bad-descriptor", test_bad_descriptor);
  g_test_add_func ("/loader/wrong-interface", test_wrong_interface);
  g_test_add_func ("/loader/init-failed", test_init_fails);
  g_test_add_func ("/loader/init-aborts", test_init_aborts);
  g_test_add_func ("/loader/first-in-path-wins", test_first_in_path_wins);
  g_test_add_func ("/loader/scan", test_scan);
  g_test_add_func ("/loader/search-path-order", test_search_path_order);
  g_test_add_func ("/loader/hooks", test_hooks);

  return g_test_run ();
}
