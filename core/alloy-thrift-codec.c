/* alloy-thrift-codec.c: to be written. */
#include "config.h"
