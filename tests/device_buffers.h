/* Small helpers for kernel tests: device buffers on the test's context. */
#ifndef CLPROP_TEST_DEVICE_BUFFERS_H
#define CLPROP_TEST_DEVICE_BUFFERS_H

#include <CL/cl.h>
#include <criterion/criterion.h>

#include "context.h"

/* A buffer of `bytes` (at least 1), filled from `values` unless that is NULL. */
static inline cl_mem test_bytes_buffer(clprop_context *context, const void *values, size_t bytes)
{
    cl_int error;
    cl_mem buffer =
        clCreateBuffer(context->cl, CL_MEM_READ_WRITE, bytes ? bytes : 1, NULL, &error);
    cr_assert_eq(error, CL_SUCCESS, "clCreateBuffer: %d", error);
    if (values != NULL)
        cr_assert_eq(clEnqueueWriteBuffer(context->queue, buffer, CL_TRUE, 0, bytes, values, 0,
                                          NULL, NULL),
                     CL_SUCCESS);
    return buffer;
}

static inline cl_mem test_buffer(clprop_context *context, const float *values, size_t count)
{
    return test_bytes_buffer(context, values, count * 4);
}

static inline void test_read(clprop_context *context, cl_mem buffer, float *values, size_t count)
{
    cr_assert_eq(clEnqueueReadBuffer(context->queue, buffer, CL_TRUE, 0, count * 4, values, 0,
                                     NULL, NULL),
                 CL_SUCCESS);
}

#endif
