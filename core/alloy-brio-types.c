/* alloy-brio-types.c: the Brio error domain and type vocabulary.
 * SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include "alloy-brio-types.h"

G_DEFINE_QUARK (alloy-brio-error-quark, alloy_brio_error)

const char *
alloy_brio_value_type_to_string (AlloyBrioValueType type)
{
  switch (type)
    {
    case ALLOY_BRIO_BOOLEAN: return "boolean";
    case ALLOY_BRIO_BYTE: return "byte";
    case ALLOY_BRIO_SHORT: return "short";
    case ALLOY_BRIO_INTEGER: return "integer";
    case ALLOY_BRIO_LONG: return "long";
    case ALLOY_BRIO_DOUBLE: return "double";
    case ALLOY_BRIO_STRING: return "string";
    default: return NULL;
    }
}

guint
alloy_brio_value_type_size (AlloyBrioValueType type)
{
  switch (type)
    {
    case ALLOY_BRIO_BOOLEAN:
    case ALLOY_BRIO_BYTE: return 1;
    case ALLOY_BRIO_SHORT:
    case ALLOY_BRIO_STRING: return 2;
    case ALLOY_BRIO_INTEGER: return 4;
    case ALLOY_BRIO_LONG:
    case ALLOY_BRIO_DOUBLE: return 8;
    default: return 0;
    }
}
