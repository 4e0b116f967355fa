/* good-reader.c: a small, complete reader plugin.
 *
 * It frames every non-blank line of a `.lines` file as one item and
 * rejects a line that does not start with '{'. The loader tests load it,
 * and the out-of-tree test builds it against the installed headers alone.
 * SPDX-License-Identifier: Apache-2.0 */
#include <alloy/alloy.h>

#include <string.h>

/* --- the iterator ----------------------------------------------------- */

struct _GoodReaderIter {
  AlloyItemIter parent_instance;

  GDataInputStream *input;
  char *display_name;
  guint64 line;
  guint64 offset;
  guint64 index;
  gboolean finished;
};

#define GOOD_TYPE_READER_ITER (good_reader_iter_get_type ())
G_DECLARE_FINAL_TYPE (GoodReaderIter, good_reader_iter, GOOD, READER_ITER, AlloyItemIter)
G_DEFINE_FINAL_TYPE (GoodReaderIter, good_reader_iter, ALLOY_TYPE_ITEM_ITER)

static gboolean
good_reader_iter_next (AlloyItemIter *iter, GBytes **item, AlloyItemLocation *location,
                       GCancellable *cancellable, GError **error)
{
  GoodReaderIter *self = GOOD_READER_ITER (iter);

  while (!self->finished)
    {
      g_autoptr(GError) read_error = NULL;
      gsize length = 0;
      g_autofree char *text = NULL;
      guint64 start = self->offset;

      /* Streams with the data at hand do not look at the cancellable. */
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          self->finished = TRUE;
          return FALSE;
        }
      text = g_data_input_stream_read_line (self->input, &length, cancellable, &read_error);

      if (text == NULL)
        {
          /* The end, a broken stream or a cancellation: nothing follows. */
          self->finished = TRUE;
          if (g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, g_steal_pointer (&read_error));
          else if (read_error != NULL)
            g_set_error (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_STREAM,
                         "%s:%" G_GUINT64_FORMAT ": %s; the rest of the file is lost",
                         self->display_name, self->line + 1, read_error->message);
          return FALSE;
        }
      self->line++;
      self->offset += length + 1;
      if (length == 0)
        continue;

      location->file = self->display_name;
      location->line = self->line;
      location->column = 1;
      location->offset = start;
      location->index = self->index++;
      if (text[0] != '{')
        {
          g_set_error (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_ITEM,
                       "%s:%" G_GUINT64_FORMAT ":1: not a JSON object", self->display_name,
                       self->line);
          return FALSE;
        }
      *item = g_bytes_new_take (g_steal_pointer (&text), length);
      return TRUE;
    }
  return FALSE;
}

static void
good_reader_iter_finalize (GObject *object)
{
  GoodReaderIter *self = GOOD_READER_ITER (object);

  g_object_unref (self->input);
  g_free (self->display_name);

  G_OBJECT_CLASS (good_reader_iter_parent_class)->finalize (object);
}

static void
good_reader_iter_class_init (GoodReaderIterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = good_reader_iter_finalize;
  ALLOY_ITEM_ITER_CLASS (klass)->next = good_reader_iter_next;
}

static void
good_reader_iter_init (GoodReaderIter *self)
{
}

/* --- the reader ------------------------------------------------------- */

struct _GoodReader {
  GObject parent_instance;
  char *suffix;
};

#define GOOD_TYPE_READER (good_reader_get_type ())
G_DECLARE_FINAL_TYPE (GoodReader, good_reader, GOOD, READER, GObject)

static void good_reader_instance_iface_init (AlloyPluginInstanceInterface *iface);
static void good_reader_reader_iface_init (AlloyReaderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GoodReader, good_reader, G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_PLUGIN_INSTANCE, good_reader_instance_iface_init)
  G_IMPLEMENT_INTERFACE (ALLOY_TYPE_READER, good_reader_reader_iface_init))

static gboolean
good_reader_configure (AlloyPluginInstance *instance, GKeyFile *config, const char *group,
                       GError **error)
{
  GoodReader *self = GOOD_READER (instance);

  g_free (self->suffix);
  self->suffix = g_key_file_get_string (config, group, "suffix", error);
  return self->suffix != NULL;
}

static guint
good_reader_probe (AlloyReader *reader, const char *basename, const guint8 *head, gsize head_len)
{
  GoodReader *self = GOOD_READER (reader);

  return g_str_has_suffix (basename, self->suffix ? self->suffix : ".lines") ? 10 : 0;
}

static AlloyItemIter *
good_reader_open (AlloyReader *reader, GInputStream *stream, const AlloyReaderInput *input,
                  GCancellable *cancellable, GError **error)
{
  GoodReaderIter *iter;

  if (input->range_start != 0 || input->range_end != G_MAXUINT64)
    {
      g_set_error (error, ALLOY_READER_ERROR, ALLOY_READER_ERROR_UNSUPPORTED,
                   "%s: good_reader reads whole files only", input->display_name);
      return NULL;
    }
  iter = g_object_new (GOOD_TYPE_READER_ITER, NULL);
  iter->input = g_data_input_stream_new (stream);
  g_data_input_stream_set_newline_type (iter->input, G_DATA_STREAM_NEWLINE_TYPE_LF);
  iter->display_name = g_strdup (input->display_name);
  return ALLOY_ITEM_ITER (iter);
}

static void
good_reader_finalize (GObject *object)
{
  g_free (GOOD_READER (object)->suffix);

  G_OBJECT_CLASS (good_reader_parent_class)->finalize (object);
}

static void
good_reader_class_init (GoodReaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = good_reader_finalize;
}

static void
good_reader_init (GoodReader *self)
{
}

static void
good_reader_instance_iface_init (AlloyPluginInstanceInterface *iface)
{
  iface->configure = good_reader_configure;
}

static void
good_reader_reader_iface_init (AlloyReaderInterface *iface)
{
  iface->probe = good_reader_probe;
  iface->open = good_reader_open;
}

/* --- the descriptor --------------------------------------------------- */

/* Designated initialisers keep -Wextra quiet about the fields left out. */
static const AlloyOptionSpec good_reader_options[] = {
  { .key = "suffix", .type = ALLOY_OPTION_STRING, .default_value = ".lines",
    .description = "the file name ending this reader claims" },
  { .key = NULL },
};

static const AlloyPluginDescriptor good_reader_descriptor = {
  ALLOY_PLUGIN_DESCRIPTOR_HEADER,
  .name = "good_reader",
  .kind = ALLOY_PLUGIN_KIND_READER,
  .version = "1.0.0",
  .description = "One JSON object per line of a .lines file (an example reader)",
  .license = "Apache-2.0",
  .options = good_reader_options,
  .get_type = good_reader_get_type,
};

ALLOY_PLUGIN_EXPORT (good_reader, good_reader_descriptor)
