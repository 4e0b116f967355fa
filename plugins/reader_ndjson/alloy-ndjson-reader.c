/* placeholder: being written */
#include <alloy/alloy.h>

static GType
placeholder_get_type (void)
{
  return G_TYPE_INVALID;
}

static const AlloyPluginDescriptor placeholder_descriptor = {
  ALLOY_PLUGIN_DESCRIPTOR_HEADER,
  .name = "reader_ndjson",
  .kind = ALLOY_PLUGIN_KIND_READER,
  .version = ALLOY_VERSION_STRING,
  .description = "placeholder",
  .get_type = placeholder_get_type,
};

ALLOY_PLUGIN_EXPORT (reader_ndjson, placeholder_descriptor)
