/* alloy-thrift-service.c: to be written. */
#include "config.h"
