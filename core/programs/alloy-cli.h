/* alloy-cli.h: the subcommands of the `alloy` tool.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

/* Each takes the arguments after `alloy`, the subcommand's name first, and
 * returns the exit status. */
int alloy_cli_schema (int argc, char **argv);
int alloy_cli_press (int argc, char **argv);
int alloy_cli_decode (int argc, char **argv);

/* The whole content of @path, gunzipped (alloy_data_file_open's rules). */
GBytes *alloy_cli_read_file (const char *path, GError **error);

G_END_DECLS
