/* alloy-nexus-parcel.c: to be written. */
#include "config.h"
