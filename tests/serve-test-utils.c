/* serve-test-utils.c: to be written. */
#include "config.h"
