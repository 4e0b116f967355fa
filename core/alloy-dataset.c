/* placeholder: being written */
#include "config.h"
#include "alloy-private.h"
