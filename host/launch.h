/* Launching the library's kernels: arguments set from a list counted with sizeof, the kernel
 * found through the context's table, the launch counted. Failures name the kernel and the
 * OpenCL error. */
#ifndef CLPROP_LAUNCH_H
#define CLPROP_LAUNCH_H

#include <CL/cl.h>

#include "context.h"

typedef struct clprop_kernel_arg {
    size_t size;
    const void *value;
} clprop_kernel_arg;

/* An argument from a variable: its size and address. */
#define CLPROP_ARG(x) {sizeof(x), &(x)}
/* The argument count of an array of them. */
#define CLPROP_ARG_COUNT(args) (sizeof(args) / sizeof *(args))

/* Enqueues kernel `id` over `global` items in work-groups of `local`. */
clprop_status clprop_enqueue(clprop_context *context, clprop_message *message,
                             clprop_kernel_id id, cl_uint dims, const size_t *global,
                             const size_t *local, const clprop_kernel_arg *args,
                             size_t arg_count);
/* `items` in work-groups of `local`: the kernel guards its edges, so the item counts are rounded
 * up to whole work-groups. */
clprop_status clprop_launch_in_groups(clprop_context *context, clprop_message *message,
                                      clprop_kernel_id id, cl_uint dims, const size_t *items,
                                      const size_t *local, const clprop_kernel_arg *args,
                                      size_t arg_count);
/* The usual launch: clprop_launch_in_groups with work-groups of 64, or 16 × 4. */
clprop_status clprop_launch(clprop_context *context, clprop_message *message, clprop_kernel_id id,
                            cl_uint dims, const size_t *items, const clprop_kernel_arg *args,
                            size_t arg_count);
/* For kernels that require work-groups of one work-item: the global size is the item count. */
clprop_status clprop_launch_exact(clprop_context *context, clprop_message *message,
                                  clprop_kernel_id id, cl_uint dims, const size_t *items,
                                  const clprop_kernel_arg *args, size_t arg_count);
/* Kernels index with 32-bit unsigned sizes; bigger ones are refused rather than wrapped. */
clprop_status clprop_check_fits_uint(clprop_message *message, const char *what, size_t value);

#endif
