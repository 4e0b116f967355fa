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
int alloy_cli_fetch (int argc, char **argv);


G_END_DECLS
