/* alloy-plugin.c: plugin kinds and the plugin error domain.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-private.h"

G_DEFINE_QUARK (alloy-plugin-error-quark, alloy_plugin_error)

const char *
alloy_plugin_kind_to_string (AlloyPluginKind kind)
{
  switch (kind)
    {
    case ALLOY_PLUGIN_KIND_DISCOVERY: return "discovery";
    case ALLOY_PLUGIN_KIND_READER: return "reader";
    case ALLOY_PLUGIN_KIND_TRANSPORT: return "transport";
    default: return NULL;
    }
}

gboolean
alloy_plugin_kind_from_string (const char *text, AlloyPluginKind *out_kind)
{
  for (AlloyPluginKind kind = ALLOY_PLUGIN_KIND_DISCOVERY; kind <= ALLOY_PLUGIN_KIND_TRANSPORT;
       kind++)
    if (g_strcmp0 (text, alloy_plugin_kind_to_string (kind)) == 0)
      {
        *out_kind = kind;
        return TRUE;
      }
  return FALSE;
}

GType
alloy_plugin_kind_get_interface (AlloyPluginKind kind)
{
  switch (kind)
    {
    case ALLOY_PLUGIN_KIND_DISCOVERY: return ALLOY_TYPE_DISCOVERY;
    case ALLOY_PLUGIN_KIND_READER: return ALLOY_TYPE_READER;
    case ALLOY_PLUGIN_KIND_TRANSPORT: return ALLOY_TYPE_TRANSPORT;
    default: return G_TYPE_INVALID;
    }
}
