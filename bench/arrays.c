/* clprop-bench: random host arrays, device buffers, and the exits for failures the bench cannot
 * go on from (a benchmark has nothing sensible to do when an allocation or a transfer fails).
 *
 * Build: cmake --build build-bench -j2 --target clprop-bench
 * Run:   ./build-bench/clprop-bench kernels --quick */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "status.h"

void bench_require(clprop_status status, const char *what, const char *message)
{
    if (status == CLPROP_SUCCESS)
        return;
    fprintf(stderr, "clprop-bench: %s failed (%s)%s%s\n", what, clprop_status_name(status),
            message != NULL && message[0] != '\0' ? ": " : "", message != NULL ? message : "");
    exit(1);
}

void *bench_alloc(size_t bytes)
{
    void *memory = malloc(bytes > 0 ? bytes : 1);
    if (memory == NULL) {
        fprintf(stderr, "clprop-bench: out of host memory (%zu bytes)\n", bytes);
        exit(1);
    }
    return memory;
}

float *bench_random_floats(clprop_rng *rng, size_t count, double low, double high)
{
    float *values = bench_alloc(count * sizeof *values);
    for (size_t i = 0; i < count; i++)
        values[i] = (float)(low + (high - low) * clprop_rng_unit(rng));
    return values;
}

cl_mem bench_upload(clprop_context *context, const float *values, size_t count)
{
    bench_scratch single = {.context = context};
    return bench_scratch_buffer(&single, values, count * sizeof(float));
}

float *bench_download(clprop_context *context, cl_mem buffer, size_t count)
{
    float *values = bench_alloc(count * sizeof *values);
    bench_require(clEnqueueReadBuffer(context->queue, buffer, CL_TRUE, 0, count * sizeof(float),
                                      values, 0, NULL, NULL),
                  "clEnqueueReadBuffer", NULL);
    return values;
}

double *bench_widen(const float *values, size_t count)
{
    double *wide = bench_alloc(count * sizeof *wide);
    for (size_t i = 0; i < count; i++)
        wide[i] = values[i];
    return wide;
}

void *bench_keep(bench_scratch *scratch, void *array)
{
    if (scratch->array_count == BENCH_SCRATCH_CAPACITY) {
        fprintf(stderr, "clprop-bench: more than %d arrays in one measurement\n",
                BENCH_SCRATCH_CAPACITY);
        exit(1);
    }
    scratch->arrays[scratch->array_count++] = array;
    return array;
}

cl_mem bench_scratch_buffer(bench_scratch *scratch, const void *values, size_t bytes)
{
    if (scratch->buffer_count == BENCH_SCRATCH_CAPACITY) {
        fprintf(stderr, "clprop-bench: more than %d buffers in one measurement\n",
                BENCH_SCRATCH_CAPACITY);
        exit(1);
    }
    cl_int error;
    cl_mem buffer = clCreateBuffer(scratch->context->cl, CL_MEM_READ_WRITE, bytes > 0 ? bytes : 1,
                                   NULL, &error);
    bench_require(error, "clCreateBuffer", NULL);
    if (values != NULL)
        bench_require(clEnqueueWriteBuffer(scratch->context->queue, buffer, CL_TRUE, 0, bytes,
                                           values, 0, NULL, NULL),
                      "clEnqueueWriteBuffer", NULL);
    scratch->buffers[scratch->buffer_count++] = buffer;
    return buffer;
}

void bench_scratch_release(bench_scratch *scratch)
{
    for (size_t i = 0; i < scratch->array_count; i++)
        free(scratch->arrays[i]);
    for (size_t i = 0; i < scratch->buffer_count; i++)
        clReleaseMemObject(scratch->buffers[i]);
    scratch->array_count = scratch->buffer_count = 0;
}
