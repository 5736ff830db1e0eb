/* The context's insides, shared by the host files that launch work on it. */
#ifndef CLPROP_CONTEXT_H
#define CLPROP_CONTEXT_H

#include <CL/cl.h>

#include "clprop.h"
#include "message.h"
#include "kernel_table.h"
#include "tuning.h"

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
    cl_kernel kernels[CLPROP_KERNEL_COUNT]; /* made on first use; NULL before */
    int keep_data_on_host;       /* from the description: data sets stream even when they fit */
    int shares_host_memory;      /* the device's memory is the host's (a CPU device, or
                                    CL_DEVICE_HOST_UNIFIED_MEMORY): see clprop_context_host_buffer */
    size_t stream_chunk;         /* samples per streamed chunk; 0: about 64 MiB */
    unsigned long long launches; /* kernels enqueued so far (CLBlast's own not counted): the
                                    bench reports launches per training step from it */
};

/* Resolves CLPROP_GEMM_AUTO: the choice remembered in cache_dir for this device, else a
 * measurement of both backends (then remembered there; cache_dir NULL: not remembered). Sets
 * context->gemm to native or clblast. */
clprop_status clprop_gemm_choose_backend(clprop_context *context, const char *cache_dir);

/* A device buffer of `bytes`, filled from `values` when that is not NULL. A failure is reported on
 * `message` naming `what`, its size and the device. */
clprop_status clprop_context_buffer(clprop_context *context, clprop_message *message,
                                    size_t bytes, const void *values, const char *what,
                                    cl_mem *out);

/* A read-only device buffer holding `bytes` of host memory at `values`. Where the device's memory
 * is the host's, the buffer is those bytes themselves (CL_MEM_USE_HOST_PTR): no second copy
 * exists, *in_place is 1, and `values` must stay valid and unchanged for as long as the buffer
 * lives — the caller keeps them alive. Elsewhere the bytes are copied to the device (*in_place 0)
 * and may go as soon as the call returns. OpenCL asks no alignment of `values` for this (a driver
 * that wants one may copy instead, which costs memory, not correctness); PoCL uses any pointer in
 * place, a memory-mapped file's included. A failure is reported as for clprop_context_buffer. */
clprop_status clprop_context_host_buffer(clprop_context *context, clprop_message *message,
                                         size_t bytes, const void *values, const char *what,
                                         cl_mem *out, int *in_place);

/* A sub-buffer of `bytes` of parent from byte `origin` (a multiple of the alignment below); a
 * failure is reported on `message` naming `what`. */
clprop_status clprop_context_sub_buffer(clprop_message *message, cl_mem parent, size_t origin,
                                        size_t bytes, const char *what, cl_mem *out);

/* Where a sub-buffer may start, in floats: the device's base-address alignment
 * (CL_DEVICE_MEM_BASE_ADDR_ALIGN), and at least 16 floats (64 bytes, a cache line). */
size_t clprop_context_float_alignment(const clprop_context *context);

/* The kernel of the context's program, created on first use and kept. */
clprop_status clprop_context_kernel(clprop_context *context, clprop_kernel_id id, cl_kernel *out);

#endif
