/* alloy-frame-io.c: to be written. */
#include "config.h"
