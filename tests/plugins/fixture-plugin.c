/* fixture-plugin.c: plugin modules that are broken on purpose, one per
 * loader check. FIXTURE_MODULE names the module; FIXTURE_<NAME> picks the
 * defect.
 * SPDX-License-Identifier: Apache-2.0 */
#include <alloy/alloy.h>

#include <stdlib.h>

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_ (x)
#define MODULE_NAME STRINGIFY (FIXTURE_MODULE)
#define EXPORT(module, descriptor) ALLOY_PLUGIN_EXPORT (module, descriptor)

#ifdef FIXTURE_UNDEFINED_SYMBOL
/* Defined nowhere: the module links (no --no-undefined) but cannot load. */
extern int alloy_fixture_nowhere_defined (void);
#endif
#ifdef FIXTURE_MISSING_DEP
extern int alloy_fixture_helper_answer (void);
#endif

/* A minimal reader type, registered under a name unique to the module. */
static void
fixture_reader_iface_init (gpointer g_iface, gpointer data)
{
}

G_GNUC_UNUSED static GType
fixture_get_type (void)
{
  static GType type;

  if (type == 0)
    {
      const GInterfaceInfo reader_info = { fixture_reader_iface_init, NULL, NULL };
      const GInterfaceInfo instance_info = { fixture_reader_iface_init, NULL, NULL };

      type = g_type_register_static_simple (G_TYPE_OBJECT, "FixtureReader_" MODULE_NAME,
                                            sizeof (GObjectClass), NULL, sizeof (GObject), NULL,
                                            0);
      g_type_add_interface_static (type, ALLOY_TYPE_PLUGIN_INSTANCE, &instance_info);
      g_type_add_interface_static (type, ALLOY_TYPE_READER, &reader_info);
    }
  return type;
}

#ifdef FIXTURE_HOOKS
/* The hooks leave their traces where the test can read them. */
static void
count_in_environment (const char *name)
{
  const char *now = g_getenv (name);
  g_autofree char *next = g_strdup_printf ("%d", (now ? atoi (now) : 0) + 1);

  g_setenv (name, next, TRUE);
}

static void
fixture_shutdown (void)
{
  count_in_environment ("ALLOY_FIXTURE_SHUTDOWNS");
}
#endif

G_GNUC_UNUSED static gboolean
fixture_init (GError **error)
{
#if defined(FIXTURE_INIT_FAILS)
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the fixture refuses to start");
  return FALSE;
#elif defined(FIXTURE_INIT_ABORTS)
  abort ();
#elif defined(FIXTURE_UNDEFINED_SYMBOL)
  return alloy_fixture_nowhere_defined () == 0;
#elif defined(FIXTURE_MISSING_DEP)
  return alloy_fixture_helper_answer () == 42;
#elif defined(FIXTURE_HOOKS)
  count_in_environment ("ALLOY_FIXTURE_INITS");
  return TRUE;
#else
  return TRUE;
#endif
}

#ifdef FIXTURE_BAD_DESCRIPTOR
static const AlloyOptionSpec fixture_options[] = {
  { "color", ALLOY_OPTION_STRING, 0, NULL, "a key" },
  { "color", ALLOY_OPTION_STRING, 0, NULL, "the same key again" },
  { NULL }
};
#else
static const AlloyOptionSpec fixture_options[] = {
  { "color", ALLOY_OPTION_STRING, 0, "blue", "a key" },
  { NULL }
};
#endif

static const AlloyPluginDescriptor fixture_descriptor = {
#if defined(FIXTURE_ABI_MAJOR_MISMATCH)
  .abi_version = ((ALLOY_PLUGIN_ABI_MAJOR + 1) << 16) | ALLOY_PLUGIN_ABI_MINOR,
  .struct_size = sizeof (AlloyPluginDescriptor),
#elif defined(FIXTURE_ABI_MINOR_NEWER)
  .abi_version = (ALLOY_PLUGIN_ABI_MAJOR << 16) | (ALLOY_PLUGIN_ABI_MINOR + 1),
  .struct_size = sizeof (AlloyPluginDescriptor),
#elif defined(FIXTURE_SHORT_STRUCT)
  .abi_version = ALLOY_PLUGIN_ABI_VERSION,
  .struct_size = 16,
#else
  ALLOY_PLUGIN_DESCRIPTOR_HEADER,
#endif
#if defined(FIXTURE_NAME_MISMATCH)
  .name = "some_other_name",
#else
  .name = MODULE_NAME,
#endif
  .kind = ALLOY_PLUGIN_KIND_READER,
  .version = "0.0.1",
  .description = "a deliberately broken plugin for the loader tests",
  .license = "Apache-2.0",
  .options = fixture_options,
#if defined(FIXTURE_WRONG_INTERFACE)
  .get_type = g_object_get_type,
#else
  .get_type = fixture_get_type,
#endif
  .init = fixture_init,
#ifdef FIXTURE_HOOKS
  .shutdown = fixture_shutdown,
#endif
};

#ifndef FIXTURE_NO_ENTRY_POINT
EXPORT (FIXTURE_MODULE, fixture_descriptor)
#else
/* Defined but never exported under the expected name. */
ALLOY_PLUGIN_VISIBLE const AlloyPluginDescriptor *fixture_query (void);
ALLOY_PLUGIN_VISIBLE const AlloyPluginDescriptor *
fixture_query (void)
{
  return &fixture_descriptor;
}
#endif
