/* alloy-cli.c: the `alloy` command-line tool.
 *
 * One binary with subcommands, as git and flatpak do; each subcommand owns
 * its options and its --help.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-cli.h"
#include "alloy-cli-datasets.h"
#include "alloy-log.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *name;
  const char *summary;
  int (*run) (int argc, char **argv);
} Command;

static int run_version (int argc, char **argv);
static int run_help (int argc, char **argv);

static const Command commands[] = {
  { "schema", "Check Brio schemas: alloy schema check DIR_OR_FILE...", alloy_cli_schema },
  { "press", "Press JSON files into Brio blobs", alloy_cli_press },
  { "decode", "Print a file of Brio blobs as NDJSON", alloy_cli_decode },
  { "datasets", "List the datasets under the location root", alloy_cli_datasets },
  { "fetch", "Load a view from a sample store as a Burst cell would", alloy_cli_fetch },
  { "version", "Print the version of alloy and of its plugin ABI", run_version },
  { "help", "Show the commands", run_help },
};

static int
run_version (int argc, char **argv)
{
  printf ("alloy %s (plugin ABI %d.%d)\n", ALLOY_VERSION, ALLOY_PLUGIN_ABI_MAJOR,
          ALLOY_PLUGIN_ABI_MINOR);
  return EXIT_SUCCESS;
}

static void
print_usage (FILE *out)
{
  fprintf (out, "Usage: alloy COMMAND [OPTION...]\n\nCommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nThe server is alloyd; see alloyd --help.\n");
}

static int
run_help (int argc, char **argv)
{
  print_usage (stdout);
  return EXIT_SUCCESS;
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  alloy_log_init ();
  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    return run_help (argc - 1, argv + 1);
  if (strcmp (argv[1], "--version") == 0)
    return run_version (argc - 1, argv + 1);
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].run (argc - 1, argv + 1);
  fprintf (stderr, "alloy: unknown command '%s'\n\n", argv[1]);
  print_usage (stderr);
  return 2;
}
