/* Building the library's OpenCL program for a device, with the build log on failure. */
#ifndef CLPROP_PROGRAM_H
#define CLPROP_PROGRAM_H

#include <CL/cl.h>

#include "clprop.h"
#include "message.h"

/* Compiles all kernel sources (embedded, or from $CLPROP_KERNEL_DIR when set) for the device,
 * with the given build options (which set the tunable -D values). */
clprop_status clprop_program_build(cl_context context, cl_device_id device, const char *options,
                                   cl_program *out, clprop_message *message);

#endif
