/* clprop-launch-trace: where the device's time goes in a real run, launch by launch.
 *
 * A library to preload into any program that launches OpenCL kernels (clprop train, clprop-bench
 * train, your own): it wraps clEnqueueNDRangeKernel, keeps an event of each launch in a window of
 * the run, and at exit writes each launch's kernel, work-groups, device run time and the gap
 * since the previous launch ended (device timestamps; the queue needs
 * CL_QUEUE_PROFILING_ENABLE, which clprop's contexts have), then a summary by kernel:
 *
 *   CLPROP_TRACE_OUT=trace.txt LD_PRELOAD=build/libclprop-launch-trace.so \
 *       build/clprop train --data ... --epochs 1 --batch 256
 *
 * CLPROP_TRACE_SKIP launches are let through first (default 500: start-up and warm-up), then
 * CLPROP_TRACE_COUNT are kept (default 3000). A gap is the device idle between two kernels: the
 * runtime retiring one launch and starting the next, and any wait for the host. Measured with it:
 * bench/RESULTS.md. It changes what it measures a little (an event per launch). */
#define _GNU_SOURCE
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_LENGTH 48
#define MOST_KINDS 64

typedef struct {
    cl_event event;
    char kernel[NAME_LENGTH];
    size_t groups;
} launch;

typedef cl_int (*enqueue_fn)(cl_command_queue, cl_kernel, cl_uint, const size_t *, const size_t *,
                             const size_t *, cl_uint, const cl_event *, cl_event *);

static launch *launches;
static size_t skip = 500, wanted = 3000, kept, seen;
static int reported;

static void report(void);

static size_t count_from(const char *name, size_t fallback)
{
    const char *text = getenv(name);
    char *end;
    if (text == NULL || *text == '\0')
        return fallback;
    unsigned long long value = strtoull(text, &end, 10);
    return *end == '\0' ? (size_t)value : fallback;
}

__attribute__((constructor)) static void start(void)
{
    skip = count_from("CLPROP_TRACE_SKIP", skip);
    wanted = count_from("CLPROP_TRACE_COUNT", wanted);
    launches = calloc(wanted > 0 ? wanted : 1, sizeof *launches);
    if (launches == NULL)
        wanted = 0;
}

static size_t groups_of(cl_uint dims, const size_t *global, const size_t *local)
{
    size_t groups = 1;
    for (cl_uint d = 0; d < dims; d++)
        groups *= local != NULL && local[d] > 0 ? (global[d] + local[d] - 1) / local[d] : global[d];
    return groups;
}

cl_int clEnqueueNDRangeKernel(cl_command_queue queue, cl_kernel kernel, cl_uint dims,
                              const size_t *offset, const size_t *global, const size_t *local,
                              cl_uint waits, const cl_event *wait_list, cl_event *event)
{
    static enqueue_fn real;
    if (real == NULL)
        real = (enqueue_fn)dlsym(RTLD_NEXT, "clEnqueueNDRangeKernel");
    if (real == NULL)
        return CL_INVALID_OPERATION;
    if (seen++ < skip || kept >= wanted)
        return real(queue, kernel, dims, offset, global, local, waits, wait_list, event);
    cl_event mine;
    cl_int error = real(queue, kernel, dims, offset, global, local, waits, wait_list, &mine);
    if (error != CL_SUCCESS)
        return error;
    launch *l = &launches[kept++];
    l->event = mine;
    l->groups = groups_of(dims, global, local);
    if (clGetKernelInfo(kernel, CL_KERNEL_FUNCTION_NAME, sizeof l->kernel, l->kernel, NULL) !=
        CL_SUCCESS)
        strcpy(l->kernel, "?");
    if (event != NULL) { /* the caller's own reference */
        clRetainEvent(mine);
        *event = mine;
    }
    if (kept == wanted) /* now, while the runtime is surely up (at exit it may be gone) */
        report();
    return CL_SUCCESS;
}

typedef struct {
    char kernel[NAME_LENGTH];
    size_t groups, count;
    double run_us, gap_us; /* sums */
} kind;

static kind *kind_of(kind *kinds, size_t *used, const launch *l)
{
    for (size_t i = 0; i < *used; i++)
        if (kinds[i].groups == l->groups && strcmp(kinds[i].kernel, l->kernel) == 0)
            return &kinds[i];
    if (*used == MOST_KINDS)
        return NULL;
    kind *k = &kinds[(*used)++];
    *k = (kind){.groups = l->groups};
    memcpy(k->kernel, l->kernel, NAME_LENGTH);
    return k;
}

static void report(void)
{
    if (reported)
        return;
    reported = 1;
    const char *path = getenv("CLPROP_TRACE_OUT");
    FILE *out = path != NULL && *path != '\0' ? fopen(path, "w") : stderr;
    if (out == NULL)
        return;
    kind kinds[MOST_KINDS];
    size_t used = 0;
    cl_ulong first = 0, previous_end = 0;
    double run_total = 0, gap_total = 0;
    fprintf(out, "# launch kernel work-groups start_us run_us gap_us\n");
    for (size_t i = 0; i < kept; i++) {
        cl_ulong start = 0, end = 0;
        if (clWaitForEvents(1, &launches[i].event) != CL_SUCCESS ||
            clGetEventProfilingInfo(launches[i].event, CL_PROFILING_COMMAND_START, sizeof start,
                                    &start, NULL) != CL_SUCCESS ||
            clGetEventProfilingInfo(launches[i].event, CL_PROFILING_COMMAND_END, sizeof end, &end,
                                    NULL) != CL_SUCCESS) {
            fprintf(out, "# launch %zu: no device timestamps (a queue without profiling?)\n", i);
            break;
        }
        clReleaseEvent(launches[i].event);
        if (i == 0)
            first = start;
        double run = (double)(end - start) / 1e3;
        double gap = i > 0 ? ((double)start - (double)previous_end) / 1e3 : 0.0;
        fprintf(out, "%zu %s %zu %.1f %.1f %.1f\n", i, launches[i].kernel, launches[i].groups,
                (double)(start - first) / 1e3, run, gap);
        kind *k = kind_of(kinds, &used, &launches[i]);
        if (k != NULL && i > 0) {
            k->count++, k->run_us += run, k->gap_us += gap;
            run_total += run, gap_total += gap;
        }
        previous_end = end;
    }
    fprintf(out, "# summary: kernel work-groups launches mean_run_us mean_gap_before_us\n");
    for (size_t i = 0; i < used; i++)
        if (kinds[i].count > 0)
            fprintf(out, "# %s %zu %zu %.1f %.1f\n", kinds[i].kernel, kinds[i].groups,
                    kinds[i].count, kinds[i].run_us / (double)kinds[i].count,
                    kinds[i].gap_us / (double)kinds[i].count);
    if (kept > 1)
        fprintf(out, "# all: %zu launches, device busy %.0f us, idle between them %.0f us (%.1f%%)\n",
                kept - 1, run_total, gap_total, 100.0 * gap_total / (run_total + gap_total));
    if (out != stderr)
        fclose(out);
}

/* A run shorter than the window reports what it kept as it exits. */
__attribute__((destructor)) static void finish(void)
{
    report();
}
