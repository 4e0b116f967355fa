/* alloy-json-reader.c: the root objects of a JSON array file (.json, .json.gz):
 * the reader and iterator GObject types, the reader's options and the plugin
 * descriptor.
 *
 * A file holds one JSON array of root objects (the historical Burst format)
 * or a single root object. The reader never parses: a byte scanner that
 * knows strings, escapes and bracket nesting (alloy-json-scanner.c) finds
 * where each top-level element starts and ends, and hands its bytes out
 * untouched; the core's presser parses them. What the scanner keeps in
 * memory, and which errors end a file, is said there.
 *
 * SPDX-License-Identifier: Apache-2.0 */
#include "alloy-json-scanner.h"

#include <string.h>

#define DEFAULT_ITEM_MAX_BYTES (64 * 1024 * 1024)
#define DEFAULT_MAX_DEPTH 512
#define MAX_DEPTH_LIMIT 1000 /* as the configuration allows: json-glib recurses */
#define CORE_GROUP "alloy"

/* --- the iterator ----------------------------------------------------- */

struct _AlloyJsonReaderIter {
  AlloyItemIter parent_instance;

  AlloyJsonScanner *scanner;
};

#define ALLOY_TYPE_JSON_READER_ITER (alloy_json_reader_iter_get_type ())
G_DECLARE_FINAL_TYPE (AlloyJsonReaderIter, alloy_json_reader_iter, ALLOY, JSON_READER_ITER,
                      AlloyItemIter)
G_DEFINE_FINAL_TYPE (AlloyJsonReaderIter, alloy_json_reader_iter, ALLOY_TYPE_ITEM_ITER)

static gboolean
alloy_json_reader_iter_next (AlloyItemIter *iter, GBytes **item, AlloyItemLocation *location,
                             GCancellable *cancellable, GError **error)
{
  AlloyJsonReaderIter *self = ALLOY_JSON_READER_ITER (iter);

  return alloy_json_scanner_next (self->scanner, item, location, cancellable, error);
}

static void
alloy_json_reader_iter_finalize (GObject *object)
{
  AlloyJsonReaderIter *self = ALLOY_JSON_READER_ITER (object);

  g_clear_pointer (&self->scanner, alloy_json_scanner_free);

  G_OBJECT_CLASS (alloy_json_reader_iter_parent_class)->finalize (object);
}

static void
alloy_json_reader_iter_class_init (AlloyJsonReaderIterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = alloy_json_reader_iter_finalize;
  ALLOY_ITEM_ITER_CLASS (klass)->next = alloy_json_reader_iter_next;
}

static void
alloy_json_reader_iter_init (AlloyJsonReaderIter *self)
{
}

/* --- the reader ------------------------------------------------------- */

struct _AlloyJsonReader {
  GObject parent_instance;

  guint64 max_bytes;
  guint max_depth;
};

#define ALLOY_TYPE_JSON_READER (alloy_json_reader_get_type ())
G_DECLARE_FINAL_TYPE (AlloyJsonReader, alloy_json_reader, ALLOY, JSON_READER, GObject)

static void alloy_json_reader_instance_iface_init (AlloyPluginInstanceInterface *iface);
static void alloy_json_reader_reader_iface_init (AlloyReaderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AlloyJsonReader, alloy_json_reader, G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_PLUGIN_INSTANCE, alloy_json_reader_instance_iface_init)
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_READER, alloy_json_reader_reader_iface_init))

static gboolean
alloy_json_reader_configure (AlloyPluginInstance *instance, GKeyFile *config, const char *group,
                             GError **error)
{
  AlloyJsonReader *self = ALLOY_JSON_READER (instance);
  guint64 max_bytes = DEFAULT_ITEM_MAX_BYTES;
  gint64 max_depth = DEFAULT_MAX_DEPTH;

  /* The core has checked and defaulted our key; an instance made without
   * the core (a test, a tool) may lack it. */
  if (g_key_file_has_key (config, group, ALLOY_JSON_KEY_ITEM_MAX_BYTES, NULL))
    {
      g_autoptr(GError) local_error = NULL;

      max_bytes = alloy_key_file_get_size (config, group, ALLOY_JSON_KEY_ITEM_MAX_BYTES,
                                           &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (max_bytes < 1024 || max_bytes > G_MAXINT32)
        {
          alloy_set_invalid_value (error, group, ALLOY_JSON_KEY_ITEM_MAX_BYTES,
                                   "expected a size from 1k to 2G-1 bytes");
          return FALSE;
        }
    }
  /* A core key: absent when the [alloy] group is, as in a lone reader. */
  if (g_key_file_has_key (config, CORE_GROUP, ALLOY_JSON_KEY_MAX_DEPTH, NULL))
    {
      g_autoptr(GError) local_error = NULL;

      max_depth = g_key_file_get_int64 (config, CORE_GROUP, ALLOY_JSON_KEY_MAX_DEPTH, &local_error);
      if (local_error != NULL || max_depth < 1 || max_depth > MAX_DEPTH_LIMIT)
        {
          alloy_set_invalid_value (error, CORE_GROUP, ALLOY_JSON_KEY_MAX_DEPTH,
                                   "expected a whole number from 1 to %d", MAX_DEPTH_LIMIT);
          return FALSE;
        }
    }
  self->max_bytes = max_bytes;
  self->max_depth = (guint) max_depth;
  return TRUE;
}

static char *
alloy_json_reader_describe (AlloyPluginInstance *instance)
{
  AlloyJsonReader *self = ALLOY_JSON_READER (instance);

  return g_strdup_printf ("[%s] JSON arrays of objects: items up to %" G_GUINT64_FORMAT
                          " bytes, nested up to %u levels",
                          alloy_plugin_instance_get_name (instance), self->max_bytes,
                          self->max_depth);
}

static guint
alloy_json_reader_probe (AlloyReader *reader, const char *basename, const guint8 *head,
                         gsize head_len)
{
  g_autofree char *lower = basename != NULL ? g_ascii_strdown (basename, -1) : NULL;
  /* Extensions in any case, as the dataset catalog groups them. */
  gboolean json_name = lower != NULL && (g_str_has_suffix (lower, ".json")
                                         || g_str_has_suffix (lower, ".json.gz"));
  gsize i = 0;
  guint8 first;

  if (head_len >= 3 && memcmp (head, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  while (i < head_len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
    i++;
  first = i < head_len ? head[i] : 0;
  if (json_name)
    return first == '[' || first == '{' ? 60 : 30;
  /* A single object without the name is more likely NDJSON. */
  return first == '[' ? 20 : 0;
}

static AlloyItemIter *
alloy_json_reader_open (AlloyReader *reader, GInputStream *stream, const AlloyReaderInput *input,
                        GCancellable *cancellable, GError **error)
{
  AlloyJsonReader *self = ALLOY_JSON_READER (reader);
  AlloyJsonReaderIter *iter;

  if (input->range_start != 0 || input->range_end != G_MAXUINT64)
    {
      g_set_error (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_UNSUPPORTED,
                   "%s: reader_json reads whole files only: a JSON array has no record "
                   "boundaries to split it into byte ranges", input->display_name);
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  iter = g_object_new (ALLOY_TYPE_JSON_READER_ITER, NULL);
  iter->scanner = alloy_json_scanner_new (stream, input->display_name, self->max_bytes,
                                          self->max_depth);
  return ALLOY_ITEM_ITER (iter);
}

static void
alloy_json_reader_class_init (AlloyJsonReaderClass *klass)
{
}

/* Defaults, for an instance that was never configured. */
static void
alloy_json_reader_init (AlloyJsonReader *self)
{
  self->max_bytes = DEFAULT_ITEM_MAX_BYTES;
  self->max_depth = DEFAULT_MAX_DEPTH;
}

static void
alloy_json_reader_instance_iface_init (AlloyPluginInstanceInterface *iface)
{
  iface->configure = alloy_json_reader_configure;
  iface->describe = alloy_json_reader_describe;
}

static void
alloy_json_reader_reader_iface_init (AlloyReaderInterface *iface)
{
  iface->probe = alloy_json_reader_probe;
  iface->open = alloy_json_reader_open;
}

/* --- the descriptor --------------------------------------------------- */

static const AlloyOptionSpec alloy_json_reader_options[] = {
  { .key = ALLOY_JSON_KEY_ITEM_MAX_BYTES, .type = ALLOY_OPTION_SIZE, .default_value = "64M",
    .description = "an array element larger than this is rejected and skipped without being kept",
    .min = 1024, .max = G_MAXINT32 },
  { .key = NULL },
};

static const AlloyPluginDescriptor alloy_json_reader_descriptor = {
  ALLOY_PLUGIN_DESCRIPTOR_HEADER,
  .name = "reader_json",
  .kind = ALLOY_PLUGIN_KIND_READER,
  .version = ALLOY_VERSION_STRING,
  .description = "The root objects of a JSON array file, or a single object (.json, .json.gz)",
  .license = "Apache-2.0",
  .options = alloy_json_reader_options,
  .get_type = alloy_json_reader_get_type,
};

ALLOY_PLUGIN_EXPORT (reader_json, alloy_json_reader_descriptor)
