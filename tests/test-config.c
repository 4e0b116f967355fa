/* test-config.c: layering, provenance and validation of the configuration.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-config.h"
#include "alloy-core-options.h"
#include "alloy-test-utils.h"

#include <glib/gstdio.h>

typedef struct {
  char *dir;
  char *path;
  char *datasets;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->dir = alloy_test_make_tmp_dir ();
  fixture->path = g_build_filename (fixture->dir, "alloy.conf", NULL);
  fixture->datasets = g_build_filename (fixture->dir, "datasets", NULL);
  g_mkdir (fixture->datasets, 0755);
  g_unsetenv ("ALLOY_SAMPLESTORE_LOAD_CONCURRENCY");
  g_unsetenv ("ALLOY_NODE_ID");
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  alloy_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->datasets);
  g_unsetenv ("ALLOY_SAMPLESTORE_LOAD_CONCURRENCY");
  g_unsetenv ("ALLOY_NODE_ID");
}

/* Writes @text as alloy.conf, applies @overrides and resolves. */
static AlloyConfig *
resolve (Fixture *fixture, const char *text, const char *const *overrides, GError **error)
{
  g_autoptr(AlloyConfig) config = alloy_config_new ();

  g_assert_true (g_file_set_contents (fixture->path, text, -1, NULL));
  if (!alloy_config_load_file (config, fixture->path, error))
    return NULL;
  for (const char *const *o = overrides; o && *o; o++)
    if (!alloy_config_add_override (config, *o, error))
      return NULL;
  if (!alloy_config_resolve (config, error))
    return NULL;
  return g_steal_pointer (&config);
}

#define MINIMAL "[alloy]\nalloy.samplestore.location=datasets\n"

static void
assert_source (AlloyConfig *config, const char *key, AlloyConfigSource source,
               const char *detail_suffix)
{
  const char *detail = NULL;

  g_assert_cmpint (alloy_config_get_source (config, ALLOY_CORE_GROUP, key, &detail), ==, source);
  g_assert_true (g_str_has_suffix (detail, detail_suffix));
}

static void
test_precedence (Fixture *fixture, gconstpointer data)
{
  const char *text = MINIMAL "alloy.samplestore.load.concurrency=2\n";
  const char *const set[] = { "alloy.samplestore.load.concurrency=8", NULL };
  g_autoptr(AlloyConfig) defaults = NULL;
  g_autoptr(AlloyConfig) from_file = NULL;
  g_autoptr(AlloyConfig) from_env = NULL;
  g_autoptr(AlloyConfig) from_cli = NULL;
  g_autoptr(GError) error = NULL;

  defaults = resolve (fixture, MINIMAL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (alloy_config_get_int (defaults, ALLOY_CORE_GROUP, ALLOY_KEY_LOAD_CONCURRENCY),
                   ==, 4);
  assert_source (defaults, ALLOY_KEY_LOAD_CONCURRENCY, ALLOY_CONFIG_SOURCE_DEFAULT, "default");

  from_file = resolve (fixture, text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (alloy_config_get_int (from_file, ALLOY_CORE_GROUP, ALLOY_KEY_LOAD_CONCURRENCY),
                   ==, 2);
  assert_source (from_file, ALLOY_KEY_LOAD_CONCURRENCY, ALLOY_CONFIG_SOURCE_FILE, "alloy.conf:3");

  g_setenv ("ALLOY_SAMPLESTORE_LOAD_CONCURRENCY", "3", TRUE);
  from_env = resolve (fixture, text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (alloy_config_get_int (from_env, ALLOY_CORE_GROUP, ALLOY_KEY_LOAD_CONCURRENCY),
                   ==, 3);
  assert_source (from_env, ALLOY_KEY_LOAD_CONCURRENCY, ALLOY_CONFIG_SOURCE_ENVIRONMENT,
                 "ALLOY_SAMPLESTORE_LOAD_CONCURRENCY");

  from_cli = resolve (fixture, text, set, &error);
  g_assert_no_error (error);
  g_assert_cmpint (alloy_config_get_int (from_cli, ALLOY_CORE_GROUP, ALLOY_KEY_LOAD_CONCURRENCY),
                   ==, 8);
  assert_source (from_cli, ALLOY_KEY_LOAD_CONCURRENCY, ALLOY_CONFIG_SOURCE_COMMAND_LINE,
                 "--set alloy.samplestore.load.concurrency=8");
}

static void
test_env_names (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *node_id = NULL;
  g_autofree char *root_version = alloy_core_option_env_name (ALLOY_KEY_JSON_ROOT_VERSION);
  g_autofree char *drain = alloy_core_option_env_name (ALLOY_KEY_DRAIN_TIMEOUT);
  g_autofree char *plugin_path = alloy_core_option_env_name (ALLOY_KEY_PLUGIN_PATH);

  /* Java's rule for the Burst keys; an ALLOY_ prefix for Alloy's own. */
  g_assert_cmpstr (root_version, ==, "ALLOY_SAMPLESTORE_JSON_ROOTVERSION");
  g_assert_cmpstr (drain, ==, "ALLOY_DRAIN_TIMEOUT");
  /* ALLOY_PLUGIN_PATH extends the search path instead. */
  g_assert_null (plugin_path);

  g_setenv ("ALLOY_NODE_ID", "alloy-7", TRUE);
  config = resolve (fixture, MINIMAL "node-id=alloy-0\n", NULL, &error);
  g_assert_no_error (error);
  node_id = alloy_config_get_string (config, ALLOY_CORE_GROUP, ALLOY_KEY_NODE_ID);
  g_assert_cmpstr (node_id, ==, "alloy-7");
}

static void
test_set_plugin_group (Fixture *fixture, gconstpointer data)
{
  const char *text = MINIMAL "[transport:nexus]\nplugin=transport_tcp\nprotocol=nexus\n"
                             "listen=127.0.0.1:1270\n";
  const char *const set[] = { "transport:nexus:listen=127.0.0.1:0", NULL };
  g_autoptr(AlloyConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listen = NULL;
  const char *detail = NULL;

  config = resolve (fixture, text, set, &error);
  g_assert_no_error (error);
  listen = alloy_config_get_string (config, "transport:nexus", "listen");
  g_assert_cmpstr (listen, ==, "127.0.0.1:0");
  g_assert_cmpint (alloy_config_get_source (config, "transport:nexus", "listen", &detail), ==,
                   ALLOY_CONFIG_SOURCE_COMMAND_LINE);
}

static void
test_set_default_group (Fixture *fixture, gconstpointer data)
{
  const char *const set[] = { "transport:thrift:listen=127.0.0.1:0", NULL };
  g_autoptr(AlloyConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *thrift = NULL;
  g_autofree char *nexus = NULL;

  /* The file has no transport group: the defaults stand, and --set edits
   * one of them. */
  config = resolve (fixture, MINIMAL, set, &error);
  g_assert_no_error (error);
  thrift = alloy_config_get_string (config, "transport:thrift", "listen");
  nexus = alloy_config_get_string (config, "transport:nexus", "listen");
  g_assert_cmpstr (thrift, ==, "127.0.0.1:0");
  g_assert_cmpstr (nexus, ==, "0.0.0.0:1270");
}

static void
test_defaults (Fixture *fixture, gconstpointer data)
{
  g_autoptr(AlloyConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) transports = NULL;
  g_auto(GStrv) discoveries = NULL;
  g_autofree char *thrift = NULL;
  g_autofree char *nexus = NULL;
  g_autofree char *location = NULL;
  g_autofree char *dump = NULL;

  config = resolve (fixture, MINIMAL, NULL, &error);
  g_assert_no_error (error);

  transports = alloy_config_get_groups (config, ALLOY_PLUGIN_KIND_TRANSPORT);
  g_assert_cmpuint (g_strv_length (transports), ==, 2);
  thrift = alloy_config_get_string (config, "transport:thrift", "listen");
  nexus = alloy_config_get_string (config, "transport:nexus", "listen");
  g_assert_cmpstr (thrift, ==, "0.0.0.0:37020");
  g_assert_cmpstr (nexus, ==, "0.0.0.0:1270");
  discoveries = alloy_config_get_groups (config, ALLOY_PLUGIN_KIND_DISCOVERY);
  g_assert_cmpstrv (discoveries, ((const char *const[]) { "discovery:default", NULL }));
  g_assert_cmpstr (alloy_config_get_plugin (config, "discovery:default")->name, ==,
                   "discovery_static");

  /* Relative to the file's directory. */
  location = alloy_config_get_string (config, ALLOY_CORE_GROUP, ALLOY_KEY_LOCATION);
  g_assert_cmpstr (location, ==, fixture->datasets);

  dump = alloy_config_dump (config);
  g_assert_nonnull (strstr (dump, "# default\nalloy.samplestore.loci.replication=1\n"));
  g_assert_nonnull (strstr (dump, "# default\ndrain-timeout=10s\n"));
  g_assert_nonnull (strstr (dump, "[transport:nexus]\n# default\nplugin=transport_tcp\n"));
  g_assert_nonnull (strstr (dump, "alloy.conf:2\nalloy.samplestore.location="));
}

typedef struct {
  const char *name;
  const char *text;
  const char *set;
  GQuark domain;
  int code;
  const char *message; /* a part of it, after the config file's path */
} BadCase;

static const BadCase bad_cases[] = {
  { "not-a-key-file", "this is not a key file\n", NULL, 0, ALLOY_CONFIG_ERROR_PARSE,
    "alloy.conf: Key file contains line" },
  { "unknown-group", MINIMAL "[storage:x]\nplugin=discovery_static\n", NULL, 0,
    ALLOY_CONFIG_ERROR_UNKNOWN_GROUP,
    "alloy.conf:3: [storage:x]: unknown group; groups are [alloy] and [KIND:INSTANCE]" },
  { "group-without-instance", MINIMAL "[reader]\nplugin=good_reader\n", NULL, 0,
    ALLOY_CONFIG_ERROR_UNKNOWN_GROUP, "alloy.conf:3: [reader]: unknown group" },
  { "unknown-core-key", MINIMAL "lokation=/srv\n", NULL, 0, ALLOY_CONFIG_ERROR_UNKNOWN_KEY,
    "alloy.conf:3: [alloy] lokation: unknown key; the keys of this group are: plugin-path, "
    "node-id, drain-timeout, drain-delay, peer-timeout, alloy.samplestore.location, alloy.samplestore.load.concurrency, "
    "alloy.samplestore.loci.replication, alloy.samplestore.json.rootVersion, "
    "alloy.samplestore.schema.path, alloy.samplestore.press.item.max.bytes, "
    "alloy.samplestore.json.max.depth, alloy.samplestore.partition.max.bytes, "
    "alloy.samplestore.dataset.settle" },
  { "unknown-plugin-key", MINIMAL "[discovery:peers]\nplugin=discovery_static\npeer=a@b:1\n",
    NULL, 0, ALLOY_CONFIG_ERROR_UNKNOWN_KEY,
    "alloy.conf:5: [discovery:peers] peer: unknown key; the keys of this group are: plugin, "
    "peers, resolve-interval" },
  { "missing-location", "[alloy]\nnode-id=a\n", NULL, 0, ALLOY_CONFIG_ERROR_MISSING_KEY,
    "alloy.conf:1: [alloy] alloy.samplestore.location: required key is missing" },
  { "missing-plugin", MINIMAL "[reader:lines]\nsuffix=.x\n", NULL, 0,
    ALLOY_CONFIG_ERROR_MISSING_KEY, "alloy.conf:3: [reader:lines] plugin: required key is missing" },
  { "missing-protocol", MINIMAL "[transport:t]\nplugin=transport_tcp\nlisten=127.0.0.1:0\n", NULL,
    0, ALLOY_CONFIG_ERROR_MISSING_KEY, "[transport:t] protocol: required key is missing" },
  { "missing-listen", MINIMAL "[transport:t]\nplugin=transport_tcp\nprotocol=nexus\n", NULL, 0,
    ALLOY_CONFIG_ERROR_MISSING_KEY, "[transport:t] listen: required key is missing" },
  { "empty-required", MINIMAL "[transport:t]\nplugin=transport_tcp\nprotocol=nexus\nlisten=\n",
    NULL, 0, ALLOY_CONFIG_ERROR_MISSING_KEY,
    "alloy.conf:6: [transport:t] listen: a value is required" },
  { "concurrency-zero", MINIMAL "alloy.samplestore.load.concurrency=0\n", NULL, 0,
    ALLOY_CONFIG_ERROR_INVALID_VALUE,
    "alloy.conf:3: [alloy] alloy.samplestore.load.concurrency: '0' is out of range (1 to 1024)" },
  { "concurrency-text", MINIMAL "alloy.samplestore.load.concurrency=many\n", NULL, 0,
    ALLOY_CONFIG_ERROR_INVALID_VALUE,
    "[alloy] alloy.samplestore.load.concurrency: 'many' is not an integer" },
  { "replication-negative", MINIMAL "alloy.samplestore.loci.replication=-1\n", NULL, 0,
    ALLOY_CONFIG_ERROR_INVALID_VALUE, "'-1' is out of range (1 to 1024)" },
  { "duration-without-unit", MINIMAL "drain-timeout=5\n", NULL, 0, ALLOY_CONFIG_ERROR_INVALID_VALUE,
    "alloy.conf:3: [alloy] drain-timeout: '5' is not a duration" },
  { "skip-index", MINIMAL "alloy.samplestore.stream.skipIndex=2\n", NULL, 0,
    ALLOY_CONFIG_ERROR_INVALID_VALUE,
    "alloy.conf:3: [alloy] alloy.samplestore.stream.skipIndex: cannot be set here: the partition "
    "index of one locus" },
  { "bad-protocol",
    MINIMAL "[transport:t]\nplugin=transport_tcp\nprotocol=https\nlisten=127.0.0.1:0\n", NULL, 0,
    ALLOY_CONFIG_ERROR_INVALID_VALUE,
    "alloy.conf:5: [transport:t] protocol: 'https' is not one of: thrift, nexus, http" },
  { "bad-address",
    MINIMAL "[transport:t]\nplugin=transport_tcp\nprotocol=nexus\nlisten=localhost\n", NULL, 0,
    ALLOY_CONFIG_ERROR_INVALID_VALUE, "alloy.conf:6: [transport:t] listen: 'localhost' is not an "
    "address" },
  { "location-not-a-directory", "[alloy]\nalloy.samplestore.location=nowhere\n", NULL, 0,
    ALLOY_CONFIG_ERROR_INVALID_VALUE,
    "alloy.conf:2: [alloy] alloy.samplestore.location: '" },
  { "bad-set-value", MINIMAL, "alloy.samplestore.json.rootVersion=0", 0,
    ALLOY_CONFIG_ERROR_INVALID_VALUE,
    "--set alloy.samplestore.json.rootVersion=0: [alloy] alloy.samplestore.json.rootVersion: '0' "
    "is out of range" },
  { "malformed-set", MINIMAL, "alloy.samplestore.json.rootVersion", 0, ALLOY_CONFIG_ERROR_PARSE,
    "--set alloy.samplestore.json.rootVersion: expected KEY=VALUE or GROUP:KEY=VALUE" },
  { "kind-mismatch", MINIMAL "[reader:x]\nplugin=discovery_static\n", NULL, 0,
    ALLOY_CONFIG_ERROR_KIND_MISMATCH,
    "alloy.conf:4: [reader:x] plugin: discovery_static is a discovery plugin, but this is a "
    "reader group" },
  { "two-discoveries",
    MINIMAL "[discovery:a]\nplugin=discovery_static\n[discovery:b]\nplugin=discovery_static\n",
    NULL, 0, ALLOY_CONFIG_ERROR_CONFLICT,
    "alloy.conf:5: [discovery:b]: a second discovery instance; [discovery:a] is already "
    "configured" },
  { "same-listen-address",
    MINIMAL "[transport:a]\nplugin=transport_tcp\nprotocol=thrift\nlisten=127.0.0.1:37020\n"
            "[transport:b]\nplugin=transport_tcp\nprotocol=nexus\nlisten=127.0.0.1:1;127.0.0.1:37020\n",
    NULL, 0, ALLOY_CONFIG_ERROR_CONFLICT,
    "alloy.conf:10: [transport:b] listen: '127.0.0.1:37020' is already used by [transport:a]" },
  { "key-twice", MINIMAL "node-id=a\nnode-id=b\n", NULL, 0, ALLOY_CONFIG_ERROR_PARSE,
    "alloy.conf:4: [alloy] node-id: set twice (first on line 3)" },
  { "bad-env-value", MINIMAL, "ENV:ALLOY_SAMPLESTORE_LOAD_CONCURRENCY=lots", 0,
    ALLOY_CONFIG_ERROR_INVALID_VALUE,
    "environment ALLOY_SAMPLESTORE_LOAD_CONCURRENCY: [alloy] alloy.samplestore.load.concurrency: "
    "'lots' is not an integer" },
  { "plugin-not-found", MINIMAL "[reader:x]\nplugin=no_such_plugin\n", NULL, 1,
    ALLOY_PLUGIN_ERROR_NOT_FOUND,
    "alloy.conf:4: [reader:x] plugin: plugin no_such_plugin not found: no no_such_plugin.so in "
    "the plugin path" },
  { "plugin-bad-name", MINIMAL "[reader:x]\nplugin=../evil\n", NULL, 1,
    ALLOY_PLUGIN_ERROR_INVALID_NAME, "alloy.conf:4: [reader:x] plugin: '../evil' is not a plugin "
    "module name" },
};

static void
test_bad (Fixture *fixture, gconstpointer data)
{
  const BadCase *bad = data;
  gboolean from_env = bad->set != NULL && g_str_has_prefix (bad->set, "ENV:");
  const char *const set[] = { from_env ? NULL : bad->set, NULL };
  g_autoptr(AlloyConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  GQuark domain = bad->domain ? ALLOY_PLUGIN_ERROR : ALLOY_CONFIG_ERROR;

  if (from_env)
    {
      g_auto(GStrv) assignment = g_strsplit (bad->set + strlen ("ENV:"), "=", 2);
      g_setenv (assignment[0], assignment[1], TRUE);
    }
  config = resolve (fixture, bad->text, set, &error);
  g_assert_null (config);
  g_assert_error (error, domain, bad->code);
  if (strstr (error->message, bad->message) == NULL)
    g_error ("case %s: expected the message to contain\n  %s\nbut it is\n  %s", bad->name,
             bad->message, error->message);
  /* Errors from the file name it; those from --set name the assignment. */
  g_assert_true (strstr (error->message, fixture->path) != NULL ||
                 g_str_has_prefix (error->message, "--set ") ||
                 g_str_has_prefix (error->message, "environment "));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add ("/config/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("precedence", test_precedence, NULL);
  ADD ("env-names", test_env_names, NULL);
  ADD ("set-plugin-group", test_set_plugin_group, NULL);
  ADD ("defaults", test_defaults, NULL);
  ADD ("set-default-group", test_set_default_group, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/config/bad/%s", bad_cases[i].name);
      g_test_add (path, Fixture, &bad_cases[i], fixture_set_up, test_bad, fixture_tear_down);
    }
#undef ADD

  return g_test_run ();
}
