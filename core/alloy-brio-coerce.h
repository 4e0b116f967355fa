/* alloy-brio-coerce.h: JSON values into Brio scalars as Burst's Java
 * presser converted them (Jackson's asInt, asLong, asText, ...).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <json-glib/json-glib.h>

#include "alloy-brio-types.h"

G_BEGIN_DECLS

/* Each takes a value node or a null node (JSON_NODE_VALUE or
 * JSON_NODE_NULL); the caller has rejected objects and arrays. Text that
 * is not a number converts to 0, as in Java. */
ALLOY_INTERNAL
gboolean alloy_brio_coerce_boolean (JsonNode *node);
ALLOY_INTERNAL
gint32 alloy_brio_coerce_int (JsonNode *node);
ALLOY_INTERNAL
gint64 alloy_brio_coerce_long (JsonNode *node);
ALLOY_INTERNAL
gdouble alloy_brio_coerce_double (JsonNode *node);
/* The text: numbers as Java prints them ("5", "2.5", "1.0E10"), null as
 * "null". */
ALLOY_INTERNAL
char *alloy_brio_coerce_text (JsonNode *node);

/* Java's Double.toString (the shortest digits that round-trip). */
ALLOY_INTERNAL
char *alloy_brio_java_double_to_string (gdouble value);

G_END_DECLS
