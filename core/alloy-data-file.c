/* alloy-data-file.c: a dataset file opened for a reader.
 *
 * The core owns decompression, so that every reader gets plain bytes and a
 * new compression format is one change here.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-data-file.h"
#include "alloy-gzip-members.h"

#include <string.h>

struct _AlloyDataFile {
  char *path;
  gboolean compressed;
  GInputStream *stream;
  guint8 head[ALLOY_DATA_FILE_HEAD_SIZE];
  gsize head_length;
};

void
alloy_data_file_free (AlloyDataFile *file)
{
  if (file == NULL)
    return;
  g_free (file->path);
  g_clear_object (&file->stream);
  g_free (file);
}

AlloyDataFile *
alloy_data_file_open (const char *path, GCancellable *cancellable, GError **error)
{
  g_autoptr(AlloyDataFile) file = g_new0 (AlloyDataFile, 1);
  g_autoptr(GFile) gfile = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) raw = g_file_read (gfile, cancellable, error);
  guint8 magic[2] = { 0 };
  gsize magic_length = 0;
  gsize path_length = strlen (path);
  gboolean gzip_name = path_length >= 3 && g_ascii_strcasecmp (path + path_length - 3, ".gz") == 0;
  gboolean gzip_magic;

  if (raw == NULL)
    return NULL;
  file->path = g_strdup (path);
  if (!g_input_stream_read_all (G_INPUT_STREAM (raw), magic, sizeof magic, &magic_length,
                                cancellable, error) ||
      !g_seekable_seek (G_SEEKABLE (raw), 0, G_SEEK_SET, cancellable, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  gzip_magic = magic_length == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  if (gzip_name != gzip_magic)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   gzip_name ? "%s: the name ends in .gz but the content is not gzip"
                             : "%s: the content is gzip but the name does not end in .gz",
                   path);
      return NULL;
    }

  if (gzip_magic)
    {
      g_autoptr(AlloyGzipMembers) gunzip = alloy_gzip_members_new ();
      g_autoptr(GInputStream) plain = g_converter_input_stream_new (G_INPUT_STREAM (raw),
                                                                    G_CONVERTER (gunzip));
      GBufferedInputStream *buffered;
      g_autoptr(GError) fill_error = NULL;
      gsize available;

      /* Peek without consuming: the reader starts at byte 0. One read may
       * give less than the head (a short first member), so fill until it is
       * there or the content ends. A damaged stream is the reader's to
       * report, with what it loses. */
      file->compressed = TRUE;
      file->stream = g_buffered_input_stream_new_sized (plain, 64 * 1024);
      buffered = G_BUFFERED_INPUT_STREAM (file->stream);
      while ((available = g_buffered_input_stream_get_available (buffered)) < sizeof file->head)
        if (g_buffered_input_stream_fill (buffered, (gssize) (sizeof file->head - available),
                                          cancellable, &fill_error) <= 0)
          break;
      file->head_length = g_buffered_input_stream_peek (buffered, file->head, 0,
                                                        sizeof file->head);
    }
  else
    {
      if (!g_input_stream_read_all (G_INPUT_STREAM (raw), file->head, sizeof file->head,
                                    &file->head_length, cancellable, error) ||
          !g_seekable_seek (G_SEEKABLE (raw), 0, G_SEEK_SET, cancellable, error))
        {
          g_prefix_error (error, "%s: ", path);
          return NULL;
        }
      file->stream = G_INPUT_STREAM (g_steal_pointer (&raw));
    }
  return g_steal_pointer (&file);
}

const char *
alloy_data_file_get_path (AlloyDataFile *file)
{
  return file->path;
}

gboolean
alloy_data_file_is_compressed (AlloyDataFile *file)
{
  return file->compressed;
}

GInputStream *
alloy_data_file_get_stream (AlloyDataFile *file)
{
  return file->stream;
}

const guint8 *
alloy_data_file_get_head (AlloyDataFile *file, gsize *out_length)
{
  *out_length = file->head_length;
  return file->head;
}

GBytes *
alloy_data_file_read_all (const char *path, GCancellable *cancellable, GError **error)
{
  g_autoptr(AlloyDataFile) file = alloy_data_file_open (path, cancellable, error);
  g_autoptr(GOutputStream) out = NULL;

  if (file == NULL)
    return NULL;
  out = g_memory_output_stream_new_resizable ();
  if (g_output_stream_splice (out, file->stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, cancellable,
                              error) < 0)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

AlloyReader *
alloy_data_file_pick_reader (AlloyDataFile *file, GPtrArray *readers, GError **error)
{
  g_autofree char *basename = g_path_get_basename (file->path);
  AlloyReader *best = NULL;
  guint best_score = 0;

  for (guint i = 0; i < readers->len; i++)
    {
      AlloyReader *reader = g_ptr_array_index (readers, i);
      guint score = alloy_reader_probe (reader, basename, file->head, file->head_length);

      if (score > best_score)
        {
          best = reader;
          best_score = score;
        }
    }
  if (best == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                 "%s: no reader takes this file (JSON arrays or objects: .json; one object per "
                 "line: .ndjson, .jsonl; each optionally .gz)", file->path);
  return best;
}
