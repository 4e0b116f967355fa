/* alloy-view-plan.c: to be written. */
#include "config.h"
