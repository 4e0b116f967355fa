/* placeholder: being written */
#include "config.h"
#include "alloy-brio-types.h"
