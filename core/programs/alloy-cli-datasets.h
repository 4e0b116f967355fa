/* alloy-cli-datasets.h: `alloy datasets`.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

/* argv[0] is "datasets"; returns the exit status: 0, 1 when the
 * configuration or the location root is bad, 2 for a usage error. */
int alloy_cli_datasets (int argc, char **argv);

G_END_DECLS
