/* alloy-cli-io.c: reading input files for the `alloy` subcommands.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-cli.h"

#include <string.h>

GBytes *
alloy_cli_read_file (const char *path, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GBytes) raw = g_file_load_bytes (file, NULL, NULL, error);
  g_autoptr(GInputStream) compressed = NULL;
  g_autoptr(GZlibDecompressor) decompressor = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GOutputStream) out = NULL;
  gsize size = 0;
  const guint8 *data;
  gboolean gzip_magic;

  if (raw == NULL)
    return NULL;
  data = g_bytes_get_data (raw, &size);
  /* By content, and the name must agree: Burst's Java source trusted the
   * name alone. */
  gzip_magic = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  if (g_str_has_suffix (path, ".gz") && !gzip_magic)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: the name ends in .gz but the content is not gzip", path);
      return NULL;
    }
  if (!gzip_magic)
    return g_steal_pointer (&raw);

  compressed = g_memory_input_stream_new_from_bytes (raw);
  decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  stream = g_converter_input_stream_new (compressed, G_CONVERTER (decompressor));
  out = g_memory_output_stream_new_resizable ();
  if (g_output_stream_splice (out, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}
