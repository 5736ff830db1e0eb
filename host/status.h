/* OpenCL error codes by name. */
#ifndef CLPROP_STATUS_H
#define CLPROP_STATUS_H

#include <CL/cl.h>

#include "clprop.h"

/* "CL_OUT_OF_RESOURCES" for -5; NULL for a code OpenCL does not define. */
const char *clprop_cl_error_name(cl_int code);

#endif
