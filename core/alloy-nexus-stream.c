/* alloy-nexus-stream.c: to be written. */
#include "config.h"
