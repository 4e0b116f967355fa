/* alloy-plugin.h: the descriptor every plugin module exports.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#if !defined(ALLOY_INSIDE) && !defined(ALLOY_COMPILATION)
#error "Only <alloy/alloy.h> can be included directly."
#endif

#include <glib-object.h>
#include <alloy/alloy-macros.h>
#include <alloy/alloy-option.h>
#include <alloy/alloy-version.h>

G_BEGIN_DECLS

/**
 * ALLOY_PLUGIN_ERROR:
 *
 * Why a plugin module could not be loaded. Each code is one step of the
 * loader's checks, in the order they run.
 */
#define ALLOY_PLUGIN_ERROR (alloy_plugin_error_quark ())
ALLOY_AVAILABLE_IN_ALL
GQuark alloy_plugin_error_quark (void);

typedef enum {
  ALLOY_PLUGIN_ERROR_INVALID_NAME,    /* a module name is [a-z0-9_]+ */
  ALLOY_PLUGIN_ERROR_NOT_FOUND,       /* no NAME.so in the search path, none built in */
  ALLOY_PLUGIN_ERROR_OPEN_FAILED,     /* the dynamic linker's own message */
  ALLOY_PLUGIN_ERROR_NO_ENTRY_POINT,  /* NAME_LTX_alloy_plugin_query is missing */
  ALLOY_PLUGIN_ERROR_ABI_MISMATCH,    /* descriptor ABI or size */
  ALLOY_PLUGIN_ERROR_NAME_MISMATCH,   /* descriptor name differs from the file name */
  ALLOY_PLUGIN_ERROR_BAD_DESCRIPTOR,  /* unknown kind, missing fields, malformed options */
  ALLOY_PLUGIN_ERROR_WRONG_INTERFACE, /* the type does not implement its kind's interface */
  ALLOY_PLUGIN_ERROR_INIT_FAILED,     /* the plugin's init returned FALSE */
  ALLOY_PLUGIN_ERROR_DUPLICATE,       /* another module already registered the name */
} AlloyPluginError;

typedef enum {
  ALLOY_PLUGIN_KIND_DISCOVERY = 1,
  ALLOY_PLUGIN_KIND_READER = 2,
  ALLOY_PLUGIN_KIND_TRANSPORT = 3,
} AlloyPluginKind;

ALLOY_AVAILABLE_IN_ALL
const char *alloy_plugin_kind_to_string (AlloyPluginKind kind);
ALLOY_AVAILABLE_IN_ALL
gboolean alloy_plugin_kind_from_string (const char *text, AlloyPluginKind *out_kind);
/* The GInterface a plugin of @kind implements, or G_TYPE_INVALID. */
ALLOY_AVAILABLE_IN_ALL
GType alloy_plugin_kind_get_interface (AlloyPluginKind kind);

/**
 * AlloyPluginDescriptor:
 * @abi_version: %ALLOY_PLUGIN_ABI_VERSION at build time
 * @struct_size: sizeof (AlloyPluginDescriptor) at build time
 * @name: the module name, equal to the file's base name (`transport_tcp`)
 * @kind: which interface @get_type implements
 * @version: the plugin's version
 * @description: one line
 * @license: an SPDX identifier
 * @options: the option schema of the plugin's `[kind:instance]` groups,
 *   terminated by an entry whose key is %NULL; may be %NULL
 * @get_type: returns the instantiatable GType implementing the kind's
 *   interface; called only after the ABI and name checks passed
 * @init: optional; runs once per process before the first instance (not
 *   for `alloyd --list-plugins`); it must not load other plugins
 * @shutdown: optional; runs once at a clean exit of a process that ran @init
 *
 * The host reads this before it runs any other plugin code. Fields are only
 * ever appended, and the host never reads past @struct_size, so a plugin
 * built for ABI 1.0 loads into any 1.x host.
 */
typedef struct {
  guint32 abi_version;
  guint32 struct_size;
  const char *name;
  AlloyPluginKind kind;
  const char *version;
  const char *description;
  const char *license;
  const AlloyOptionSpec *options;
  GType (*get_type) (void);
  gboolean (*init) (GError **error);
  void (*shutdown) (void);
  /* Fields of ABI 1.1 and later go here; struct_size tells which exist. */
} AlloyPluginDescriptor;

/* The size of an ABI 1.0 descriptor, the smallest the host accepts. */
#define ALLOY_PLUGIN_DESCRIPTOR_MIN_SIZE \
  (G_STRUCT_OFFSET (AlloyPluginDescriptor, shutdown) + sizeof (void (*) (void)))

/* Start every descriptor initialiser with this. */
#define ALLOY_PLUGIN_DESCRIPTOR_HEADER \
  .abi_version = ALLOY_PLUGIN_ABI_VERSION, \
  .struct_size = sizeof (AlloyPluginDescriptor)

/* libltdl prepends "MODULE_LTX_" to this when it looks the symbol up. */
#define ALLOY_PLUGIN_QUERY_SYMBOL "alloy_plugin_query"

typedef const AlloyPluginDescriptor *(*AlloyPluginQueryFunc) (void);

/**
 * ALLOY_PLUGIN_EXPORT:
 * @module: the module name, a bare identifier (`transport_tcp`)
 * @descriptor: a static AlloyPluginDescriptor
 *
 * Defines the module's one exported symbol. It pastes with ## rather than
 * G_PASTE so that names such as `unix` are never macro-expanded.
 */
#define ALLOY_PLUGIN_EXPORT(module, descriptor) \
  ALLOY_PLUGIN_VISIBLE const AlloyPluginDescriptor *module##_LTX_alloy_plugin_query (void); \
  ALLOY_PLUGIN_VISIBLE const AlloyPluginDescriptor *module##_LTX_alloy_plugin_query (void) \
  { \
    return &(descriptor); \
  }

G_END_DECLS
