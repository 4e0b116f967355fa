/* alloy-load-limiter.c: to be written. */
#include "config.h"
