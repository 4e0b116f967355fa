/* alloy-cli-io.c: reading whole input files for the `alloy` subcommands.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-cli.h"

#include "alloy-data-file.h"

GBytes *
alloy_cli_read_file (const char *path, GError **error)
{
  g_autoptr(AlloyDataFile) file = alloy_data_file_open (path, NULL, error);
  g_autoptr(GOutputStream) out = NULL;

  if (file == NULL)
    return NULL;
  out = g_memory_output_stream_new_resizable ();
  if (g_output_stream_splice (out, alloy_data_file_get_stream (file),
                              G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}
