/* alloy-log.h: where the programs' log messages go.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

/* Sends every message to the journal when standard error is connected to
 * it, and otherwise to standard error, whatever its level: standard output
 * belongs to what a program prints (--check-config, --list-plugins). */
ALLOY_INTERNAL
void alloy_log_init (void);

G_END_DECLS
