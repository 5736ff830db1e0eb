/* Small helpers for kernel tests: float buffers on the test's context. */
#ifndef CLPROP_TEST_DEVICE_BUFFERS_H
#define CLPROP_TEST_DEVICE_BUFFERS_H

#include <CL/cl.h>
#include <criterion/criterion.h>

#include "context.h"

static inline cl_mem test_buffer(clprop_context *context, const float *values, size_t count)
{
    cl_int error;
    cl_mem buffer = clCreateBuffer(context->cl, CL_MEM_READ_WRITE, (count ? count : 1) * 4, NULL,
                                   &error);
    cr_assert_eq(error, CL_SUCCESS, "clCreateBuffer: %d", error);
    if (values != NULL)
        cr_assert_eq(clEnqueueWriteBuffer(context->queue, buffer, CL_TRUE, 0, count * 4, values,
                                          0, NULL, NULL),
                     CL_SUCCESS);
    return buffer;
}

static inline void test_read(clprop_context *context, cl_mem buffer, float *values, size_t count)
{
    cr_assert_eq(clEnqueueReadBuffer(context->queue, buffer, CL_TRUE, 0, count * 4, values, 0,
                                     NULL, NULL),
                 CL_SUCCESS);
}

#endif
