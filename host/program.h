/* Building the library's OpenCL program for a device, with the build log on failure. */
#ifndef CLPROP_PROGRAM_H
#define CLPROP_PROGRAM_H

#include <CL/cl.h>

#include "clprop.h"
#include "message.h"

/* Compiles the kernel sources (embedded, or from kernel_dir when it is not NULL) for the device,
 * with the given build options (which set the contract's and the tuning's -D values): every file
 * but the GEMM families other than `family`. */
clprop_status clprop_program_build(cl_context context, cl_device_id device, const char *options,
                                   const char *kernel_dir, clprop_gemm_family family,
                                   cl_program *out, clprop_message *message);

#endif
