/* alloy-brio-types.h: what the Brio schema, dictionary, presser and decoder
 * share: the error domain and the type vocabulary (docs/brio.md).
 * SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "alloy-private.h"

G_BEGIN_DECLS

/**
 * ALLOY_BRIO_ERROR:
 *
 * Errors of the Brio area. Schema errors start with `FILE:LINE:COLUMN: `;
 * item errors with the JSON path of the offending value (`$.sessions[3]`).
 */
#define ALLOY_BRIO_ERROR (alloy_brio_error_quark ())
ALLOY_INTERNAL
GQuark alloy_brio_error_quark (void);

typedef enum {
  ALLOY_BRIO_ERROR_SYNTAX,      /* a schema file does not parse */
  ALLOY_BRIO_ERROR_SCHEMA,      /* a schema parses but is invalid */
  ALLOY_BRIO_ERROR_NOT_FOUND,   /* no schema of that name in the search path */
  ALLOY_BRIO_ERROR_UNSUPPORTED, /* a construct that parses but cannot be pressed */
  ALLOY_BRIO_ERROR_ITEM,        /* an item cannot be pressed; it is rejected */
  ALLOY_BRIO_ERROR_TOO_LARGE,   /* an item over a limit; it is rejected */
  ALLOY_BRIO_ERROR_CORRUPT,     /* a blob or dictionary image does not decode */
} AlloyBrioError;

/* Value types, numbered as Brio's own type keys 1..7. */
typedef enum {
  ALLOY_BRIO_BOOLEAN = 1,
  ALLOY_BRIO_BYTE,
  ALLOY_BRIO_SHORT,
  ALLOY_BRIO_INTEGER,
  ALLOY_BRIO_LONG,
  ALLOY_BRIO_DOUBLE,
  ALLOY_BRIO_STRING,
} AlloyBrioValueType;

typedef enum {
  ALLOY_BRIO_VALUE_SCALAR = 1, /* name : long */
  ALLOY_BRIO_VALUE_VECTOR,     /* name : vector[long] */
  ALLOY_BRIO_VALUE_MAP,        /* name : map[string,string] */
  ALLOY_BRIO_REFERENCE_SCALAR, /* name : Session */
  ALLOY_BRIO_REFERENCE_VECTOR, /* name : vector[Session] */
  ALLOY_BRIO_ELASTIC,          /* elastic(...): parses, cannot be pressed */
  ALLOY_BRIO_LOOKUP,           /* lookup(...): parses, cannot be pressed */
} AlloyBrioRelationForm;

/* "boolean", "byte", ..., as the schema language spells them. */
ALLOY_INTERNAL
const char *alloy_brio_value_type_to_string (AlloyBrioValueType type);
/* Bytes in a fixed area or a vector: 1, 1, 2, 4, 8, 8, and 2 for a string
 * (its dictionary key). */
ALLOY_INTERNAL
guint alloy_brio_value_type_size (AlloyBrioValueType type);

G_END_DECLS
