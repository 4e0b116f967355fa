/* brio-expected.h: the decoded form a JSON item must come back as.
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-glib/json-glib.h>

#include "alloy-brio-schema.h"

G_BEGIN_DECLS

/* @item must be an object that presses without error. */
JsonNode *brio_expected_item (const AlloyBrioSchema *schema, const AlloyBrioStructure *structure,
                              JsonNode *item);

G_END_DECLS
