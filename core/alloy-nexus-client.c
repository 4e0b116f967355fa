/* alloy-nexus-client.c: to be written. */
#include "config.h"
