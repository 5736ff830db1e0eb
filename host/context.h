/* The context's insides, shared by the host files that launch work on it. */
#ifndef CLPROP_CONTEXT_H
#define CLPROP_CONTEXT_H

#include <CL/cl.h>

#include "clprop.h"
#include "message.h"
#include "tuning.h"

#define CLPROP_MAX_KERNELS 32

typedef struct clprop_kernel_slot {
    const char *name;
    cl_kernel kernel;
} clprop_kernel_slot;

struct clprop_context {
    clprop_message message;
    int has_device;
    clprop_device_info device;
    cl_device_id device_id;
    cl_context cl;
    cl_command_queue queue;
    cl_program program;
    clprop_gemm_backend gemm;
    clprop_tuning tuning; /* which native GEMM kernels, with which tiles */
    clprop_kernel_slot kernels[CLPROP_MAX_KERNELS];
    size_t kernel_count;
    unsigned long long launches; /* kernels enqueued so far (CLBlast's own not counted): the
                                    bench reports launches per training step from it */
};

/* Resolves CLPROP_GEMM_AUTO: the remembered choice for this device, else a measurement of both
 * backends (then remembered). Sets context->gemm to native or clblast. */
clprop_status clprop_gemm_choose_backend(clprop_context *context);

/* A device buffer of `bytes`, filled from `values` when that is not NULL. A failure is reported on
 * `message` naming `what`, its size and the device. */
clprop_status clprop_context_buffer(clprop_context *context, clprop_message *message,
                                    size_t bytes, const void *values, const char *what,
                                    cl_mem *out);

/* The named kernel of the context's program, created on first use and kept. */
clprop_status clprop_context_kernel(clprop_context *context, const char *name, cl_kernel *out);

#endif
