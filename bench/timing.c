/* clprop-bench: timing one operation with OpenCL profiling events.
 *
 * host/ops.h launches kernels without handing out their events, so each run is bracketed by two
 * markers: [marker before] [the operation's kernels] [marker after], all three enqueued behind a
 * user event that is released only once they are queued. The time is then after.END − before.END
 * in device timestamps: the operation's execution and the device's own scheduling between
 * commands, without the host's argument setting and enqueueing. The timed runs of an operation
 * are all queued behind one such gate (BENCH_CLOCK_QUEUED), as a training step queues its
 * launches, or, with --each-alone, each is waited for before the next is queued. Where the
 * device gives markers no timestamps, the host's monotonic clock around the operation and
 * clFinish is used instead.
 *
 * Build: cmake --build build-bench -j2 --target clprop-bench
 * Run:   ./build-bench/clprop-bench kernels --quick */
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "ops.h"
#include "status.h"

#define CHECK_CL(call, what)                                                                    \
    do {                                                                                        \
        cl_int error_ = (call);                                                                 \
        if (error_ != CL_SUCCESS)                                                               \
            return clprop_fail(message, error_, "%s failed: %s", what,                          \
                               clprop_status_name(error_));                                    \
    } while (0)

static clprop_status restore_input(clprop_context *context, clprop_message *message,
                                   const bench_op *op)
{
    if (op->working == NULL)
        return CLPROP_SUCCESS;
    CHECK_CL(clEnqueueCopyBuffer(context->queue, op->pristine, op->working, 0, 0, op->bytes, 0,
                                 NULL, NULL),
             "clEnqueueCopyBuffer");
    return CLPROP_SUCCESS;
}

clprop_status bench_run_once(clprop_context *context, clprop_message *message,
                             const bench_op *op)
{
    clprop_status status = restore_input(context, message, op);
    if (status == CLPROP_SUCCESS)
        status = op->run(context, message, op->args);
    if (status == CLPROP_SUCCESS)
        CHECK_CL(clFinish(context->queue), "clFinish");
    return status;
}

static double seconds_between(cl_event before, cl_event after, cl_int *error)
{
    cl_ulong start = 0, end = 0;
    *error = clGetEventProfilingInfo(before, CL_PROFILING_COMMAND_END, sizeof start, &start, NULL);
    if (*error == CL_SUCCESS)
        *error = clGetEventProfilingInfo(after, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL);
    if (*error == CL_SUCCESS && start == 0 && end == 0)
        *error = CL_PROFILING_INFO_NOT_AVAILABLE; /* answered, but with no clock behind it */
    return end >= start ? (double)(end - start) * 1e-9 : 0.0;
}

/* `repeats` runs of op behind one gate, each between two markers: [before_i] [op] [after_i];
 * with restore_each, op's input is restored ahead of before_i (else the caller did it). op may
 * be NULL: empty intervals. The gate opens once all is queued, so the host's enqueueing is never
 * timed; with several runs the device goes from one to the next as it goes from one launch of a
 * training step to the next. */
static clprop_status time_behind_gate(clprop_context *context, clprop_message *message,
                                      const bench_op *op, size_t repeats, int restore_each,
                                      double *seconds)
{
    cl_int error;
    cl_event gate = clCreateUserEvent(context->cl, &error);
    CHECK_CL(error, "clCreateUserEvent");
    cl_event *marks = calloc(2 * repeats, sizeof *marks); /* before_i at 2i, after_i at 2i + 1 */
    clprop_status status =
        marks != NULL ? CLPROP_SUCCESS
                      : clprop_fail(message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                                    "no host memory for %zu events", 2 * repeats);
    if (status == CLPROP_SUCCESS)
        error = clEnqueueMarkerWithWaitList(context->queue, 1, &gate, NULL);
    for (size_t i = 0; i < repeats && error == CL_SUCCESS && status == CLPROP_SUCCESS; i++) {
        if (op != NULL && restore_each)
            status = restore_input(context, message, op);
        if (status == CLPROP_SUCCESS)
            error = clEnqueueMarkerWithWaitList(context->queue, 0, NULL, &marks[2 * i]);
        if (error == CL_SUCCESS && status == CLPROP_SUCCESS && op != NULL)
            status = op->run(context, message, op->args);
        if (error == CL_SUCCESS && status == CLPROP_SUCCESS)
            error = clEnqueueMarkerWithWaitList(context->queue, 0, NULL, &marks[2 * i + 1]);
    }
    /* released whatever happened, or the queue would wait on it for ever */
    clSetUserEventStatus(gate, CL_COMPLETE);
    clFinish(context->queue);
    for (size_t i = 0; i < repeats && error == CL_SUCCESS && status == CLPROP_SUCCESS; i++)
        seconds[i] = seconds_between(marks[2 * i], marks[2 * i + 1], &error);
    for (size_t i = 0; marks != NULL && i < 2 * repeats; i++)
        if (marks[i] != NULL)
            clReleaseEvent(marks[i]);
    free(marks);
    clReleaseEvent(gate);
    if (status != CLPROP_SUCCESS)
        return status;
    CHECK_CL(error, "timing with marker events");
    return CLPROP_SUCCESS;
}

static double now_seconds(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static clprop_status time_with_wall_clock(clprop_context *context, clprop_message *message,
                                          const bench_op *op, double *seconds)
{
    double start = now_seconds();
    clprop_status status = op != NULL ? op->run(context, message, op->args) : CLPROP_SUCCESS;
    if (status != CLPROP_SUCCESS)
        return status;
    CHECK_CL(clFinish(context->queue), "clFinish");
    *seconds = now_seconds() - start;
    return CLPROP_SUCCESS;
}

static clprop_status time_one(clprop_context *context, clprop_message *message,
                              bench_clock clock, const bench_op *op, double *seconds)
{
    if (op != NULL) {
        clprop_status status = restore_input(context, message, op);
        if (status != CLPROP_SUCCESS)
            return status;
        CHECK_CL(clFinish(context->queue), "clFinish");
    }
    return clock == BENCH_CLOCK_MARKERS ? time_behind_gate(context, message, op, 1, 0, seconds)
                                        : time_with_wall_clock(context, message, op, seconds);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bench_timing summarize(double *seconds, size_t count)
{
    qsort(seconds, count, sizeof *seconds, compare_doubles);
    double median = count % 2 == 1 ? seconds[count / 2]
                                   : 0.5 * (seconds[count / 2 - 1] + seconds[count / 2]);
    return (bench_timing){median, seconds[0], seconds[count - 1], count};
}

clprop_status bench_time(clprop_context *context, clprop_message *message, bench_clock clock,
                         const bench_op *op, size_t warmups, size_t repeats,
                         bench_timing *timing)
{
    for (size_t i = 0; i < warmups; i++) {
        clprop_status status = bench_run_once(context, message, op);
        if (status != CLPROP_SUCCESS)
            return status;
    }
    double *seconds = bench_alloc(repeats * sizeof *seconds);
    clprop_status status = CLPROP_SUCCESS;
    if (clock == BENCH_CLOCK_QUEUED)
        status = time_behind_gate(context, message, op, repeats, 1, seconds);
    else
        for (size_t i = 0; i < repeats && status == CLPROP_SUCCESS; i++)
            status = time_one(context, message, clock, op, &seconds[i]);
    if (status == CLPROP_SUCCESS)
        *timing = summarize(seconds, repeats);
    free(seconds);
    return status;
}

/* The median of empty intervals on the given clock; 0 when that clock does not work here. */
static int time_empty_intervals(clprop_context *context, bench_clock clock, double *median_s)
{
    enum { TRIES = 21 };
    double seconds[TRIES];
    clprop_message message = {{0}};
    for (size_t i = 0; i < TRIES; i++)
        if (time_one(context, &message, clock, NULL, &seconds[i]) != CLPROP_SUCCESS)
            return 0;
    *median_s = summarize(seconds, TRIES).median_s;
    return 1;
}

bench_clock bench_choose_clock(clprop_context *context, double *empty_s)
{
    *empty_s = 0.0;
    if (time_empty_intervals(context, BENCH_CLOCK_MARKERS, empty_s))
        return BENCH_CLOCK_MARKERS;
    time_empty_intervals(context, BENCH_CLOCK_WALL, empty_s);
    return BENCH_CLOCK_WALL;
}

/* Keeps the device busy with GEMMs for `seconds` of wall time. Measured here: the first tenth of a
 * second or so of work after start-up runs at two thirds of the speed that follows (the cores'
 * clocks and PoCL's worker threads waking), which the first operation timed would otherwise
 * carry alone. */
clprop_status bench_warm_up(clprop_context *context, double seconds, clprop_message *message)
{
    enum { EDGE = 512 };
    float *zeros = calloc(EDGE * EDGE, sizeof *zeros); /* no denormals or NaN to slow it down */
    if (zeros == NULL)
        return CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    cl_mem a = bench_upload(context, zeros, EDGE * EDGE);
    cl_mem b = bench_upload(context, zeros, EDGE * EDGE);
    cl_mem c = bench_upload(context, zeros, EDGE * EDGE);
    free(zeros);
    clprop_status status = CLPROP_SUCCESS;
    double start = now_seconds();
    while (status == CLPROP_SUCCESS && now_seconds() - start < seconds) {
        status = clprop_op_gemm(context, message, 0, 0, EDGE, EDGE, EDGE, 1.0f, a, EDGE, b, EDGE,
                                0.0f, c, EDGE);
        if (status == CLPROP_SUCCESS)
            status = clFinish(context->queue);
    }
    clReleaseMemObject(a);
    clReleaseMemObject(b);
    clReleaseMemObject(c);
    return status;
}

const char *bench_clock_name(bench_clock clock)
{
    return clock == BENCH_CLOCK_QUEUED ? "queued markers"
           : clock == BENCH_CLOCK_MARKERS ? "markers"
                                          : "wall";
}
