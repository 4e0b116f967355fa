/* alloy-log.c: where the programs' log messages go.
 *
 * GLib's default writer prints info and debug messages on standard output,
 * which would mix them into `alloyd --check-config`. This writer keeps the
 * default's filtering (G_MESSAGES_DEBUG, --verbose) but always writes to
 * standard error.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-log.h"

#include <stdio.h>
#include <unistd.h>

static GLogWriterOutput
alloy_log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                  gpointer user_data)
{
  g_autofree char *line = NULL;
  const char *domain = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
      domain = fields[i].value;
  if (g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;
  if (g_log_writer_is_journald (fileno (stderr)) &&
      g_log_writer_journald (level, fields, n_fields, user_data) == G_LOG_WRITER_HANDLED)
    return G_LOG_WRITER_HANDLED;

  line = g_log_writer_format_fields (level, fields, n_fields,
                                     g_log_writer_supports_color (fileno (stderr)));
  fprintf (stderr, "%s\n", line);
  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

void
alloy_log_init (void)
{
  g_log_set_writer_func (alloy_log_writer, NULL, NULL);
}
