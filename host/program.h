/* Building the library's OpenCL program for a device, with the build log on failure. */
#ifndef CLPROP_PROGRAM_H
#define CLPROP_PROGRAM_H

#include <CL/cl.h>

#include "clprop.h"
#include "message.h"

/* Compiles all kernel sources (embedded, or from kernel_dir when it is not NULL) for the device,
 * with the given build options (which set the contract's and the tuning's -D values). */
clprop_status clprop_program_build(cl_context context, cl_device_id device, const char *options,
                                   const char *kernel_dir, cl_program *out,
                                   clprop_message *message);

#endif
