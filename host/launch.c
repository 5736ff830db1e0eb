#include "launch.h"

#include <limits.h>

#include "status.h"

/* Work-group shapes: the kernels guard their edges, so the global size is rounded up to them. */
static const size_t group_1d = 64;
static const size_t group_2d[2] = {16, 4};

static size_t round_up(size_t value, size_t multiple)
{
    return (value + multiple - 1) / multiple * multiple;
}

clprop_status clprop_enqueue(clprop_context *context, clprop_message *message, clprop_kernel_id id,
                             cl_uint dims, const size_t *global, const size_t *local,
                             const clprop_kernel_arg *args, size_t arg_count)
{
    cl_kernel kernel;
    clprop_status status = clprop_context_kernel(context, id, &kernel);
    const char *name = clprop_kernel_name(id);
    if (status != CLPROP_SUCCESS)
        return clprop_fail(message, status, "%s", context->message.text);
    for (size_t i = 0; i < arg_count; i++) {
        cl_int error = clSetKernelArg(kernel, (cl_uint)i, args[i].size, args[i].value);
        if (error != CL_SUCCESS)
            return clprop_fail(message, error, "clSetKernelArg(%s, %zu) failed: %s", name, i,
                               clprop_status_name(error));
    }
    cl_int error =
        clEnqueueNDRangeKernel(context->queue, kernel, dims, NULL, global, local, 0, NULL, NULL);
    if (error != CL_SUCCESS)
        return clprop_fail(message, error, "clEnqueueNDRangeKernel(%s) failed: %s", name,
                           clprop_status_name(error));
    context->launches++;
    return CLPROP_SUCCESS;
}

clprop_status clprop_launch_in_groups(clprop_context *context, clprop_message *message,
                                      clprop_kernel_id id, cl_uint dims, const size_t *items,
                                      const size_t *local, const clprop_kernel_arg *args,
                                      size_t arg_count)
{
    size_t global[2];
    for (cl_uint d = 0; d < dims; d++)
        global[d] = round_up(items[d] > 0 ? items[d] : 1, local[d]);
    return clprop_enqueue(context, message, id, dims, global, local, args, arg_count);
}

clprop_status clprop_launch(clprop_context *context, clprop_message *message, clprop_kernel_id id,
                            cl_uint dims, const size_t *items, const clprop_kernel_arg *args,
                            size_t arg_count)
{
    size_t local[2];
    for (cl_uint d = 0; d < dims; d++)
        local[d] = dims == 1 ? group_1d : group_2d[d];
    return clprop_launch_in_groups(context, message, id, dims, items, local, args, arg_count);
}

clprop_status clprop_launch_exact(clprop_context *context, clprop_message *message,
                                  clprop_kernel_id id, cl_uint dims, const size_t *items,
                                  const clprop_kernel_arg *args, size_t arg_count)
{
    const size_t local[2] = {1, 1};
    return clprop_enqueue(context, message, id, dims, items, local, args, arg_count);
}

clprop_status clprop_check_fits_uint(clprop_message *message, const char *what, size_t value)
{
    if (value > UINT_MAX)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "%s of %zu is larger than the kernels index (%u)", what, value,
                           UINT_MAX);
    return CLPROP_SUCCESS;
}
