/* alloy-nexus-service.c: to be written. */
#include "config.h"
