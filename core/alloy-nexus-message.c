/* alloy-nexus-message.c: to be written. */
#include "config.h"
