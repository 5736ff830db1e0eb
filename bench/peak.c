/* `clprop-bench peak`: this CPU's FP32 fused-multiply-add peak, measured, so that every GFLOP/s
 * figure of the bench can be read as a share of what the cores can do at all. One thread per
 * core runs a loop of independent FMA chains (12 chains of vectors hide the FMA's latency on
 * current x86 cores) for a fixed time; the figure is the sum over the threads. The vectors are
 * the widest the CPU has: 16 lanes where it has AVX-512 (Zen 4 and 5, Intel server cores; on
 * cores that run a 512-bit FMA as two 256-bit halves that measures the same as AVX2, on those
 * with full 512-bit units twice as much), else 8 lanes of AVX2.
 * Clock rates under load differ from the nominal ones, which is why it is measured, not
 * computed. Without AVX2 and FMA (or off x86) it says so and measures plain scalar FMAs.
 *
 * `clprop-bench peak --opencl [--device SPEC]`: the same figure for an OpenCL device (a GPU's
 * is what the GPU GEMMs are a share of): a kernel of independent float8 fma chains, enough
 * work-items to fill every compute unit several times over, timed with profiling events.
 *
 * Build: cmake --build build-bench -j2 --target clprop-bench
 * Run:   ./build-bench/clprop-bench peak [--json]
 *        ./build-bench/clprop-bench peak --opencl [--device SPEC] [--json] */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "environment.h"

enum { CHAINS = 12, ROUNDS = 1 << 16 };
#define SECONDS_PER_THREAD 1.0

/* How wide the FMAs are: the lanes of the vectors the loop uses. */
typedef enum { SCALAR_LANES = 1, AVX2_LANES = 8, AVX512_LANES = 16 } fma_lanes;

typedef struct peak_thread {
    double flops, seconds;
    float sink; /* keeps the loop's result alive */
    fma_lanes lanes;
} peak_thread;

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#if defined(__x86_64__) || defined(__i386__)
typedef float v8 __attribute__((vector_size(32)));

/* ROUNDS × CHAINS FMAs of 8 lanes, each 2 flops; the chains never wait on each other. */
__attribute__((target("avx2,fma"))) static float wide_rounds(float seed)
{
    v8 acc[CHAINS], x = {seed, seed, seed, seed, seed, seed, seed, seed};
    const v8 a = x * 0.999999f, b = x * 1e-7f;
    for (int c = 0; c < CHAINS; c++)
        acc[c] = x + (float)c;
    for (int r = 0; r < ROUNDS; r++) {
#pragma GCC unroll 12 /* every chain in a register of its own */
        for (int c = 0; c < CHAINS; c++)
            acc[c] = __builtin_ia32_vfmaddps256(acc[c], a, b);
    }
    v8 total = acc[0];
    for (int c = 1; c < CHAINS; c++)
        total += acc[c];
    return total[0] + total[7];
}

typedef float v16 __attribute__((vector_size(64)));

/* The same with 16 lanes: ROUNDS × CHAINS FMAs of 16 lanes. */
__attribute__((target("avx512f"))) static float widest_rounds(float seed)
{
    v16 acc[CHAINS], x = {seed, seed, seed, seed, seed, seed, seed, seed,
                          seed, seed, seed, seed, seed, seed, seed, seed};
    const v16 a = x * 0.999999f, b = x * 1e-7f;
    for (int c = 0; c < CHAINS; c++)
        acc[c] = x + (float)c;
    for (int r = 0; r < ROUNDS; r++) {
#pragma GCC unroll 12
        for (int c = 0; c < CHAINS; c++)
            acc[c] = __builtin_ia32_vfmaddps512_mask(acc[c], a, b, (unsigned short)-1, 4);
    }
    v16 total = acc[0];
    for (int c = 1; c < CHAINS; c++)
        total += acc[c];
    return total[0] + total[15];
}

static fma_lanes widest_fma(void)
{
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
        return AVX512_LANES;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return AVX2_LANES;
    return SCALAR_LANES;
}
#else
static float wide_rounds(float seed) { return seed; }
static float widest_rounds(float seed) { return seed; }
static fma_lanes widest_fma(void) { return SCALAR_LANES; }
#endif

/* The same count of chains one lane wide, with the C library's fmaf. */
static float scalar_rounds(float seed)
{
    float acc[CHAINS];
    for (int c = 0; c < CHAINS; c++)
        acc[c] = seed + (float)c;
    for (int r = 0; r < ROUNDS; r++) {
#pragma GCC unroll 12
        for (int c = 0; c < CHAINS; c++)
            acc[c] = fmaf(acc[c], 0.999999f, 1e-7f);
    }
    float total = 0.0f;
    for (int c = 0; c < CHAINS; c++)
        total += acc[c];
    return total;
}

static void *run_thread(void *argument)
{
    peak_thread *t = argument;
    double lanes = (double)t->lanes, start = now_seconds(), elapsed = 0.0;
    float (*rounds)(float) = t->lanes == AVX512_LANES ? widest_rounds
                             : t->lanes == AVX2_LANES ? wide_rounds
                                                      : scalar_rounds;
    size_t calls = 0;
    while (elapsed < SECONDS_PER_THREAD) {
        t->sink += rounds(1.0f + t->sink * 1e-30f);
        calls++;
        elapsed = now_seconds() - start;
    }
    t->flops = (double)calls * ROUNDS * CHAINS * lanes * 2.0;
    t->seconds = elapsed;
    return NULL;
}

static int core_count(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 1;
    int count = CPU_COUNT(&set);
    return count > 0 ? count : 1;
}

/* Runs `threads` threads at once; returns the summed GFLOP/s. */
static double measure(int threads, fma_lanes lanes)
{
    pthread_t ids[256];
    peak_thread work[256];
    if (threads > 256)
        threads = 256;
    memset(work, 0, sizeof work);
    int started = 0;
    for (; started < threads; started++) {
        work[started].lanes = lanes;
        if (pthread_create(&ids[started], NULL, run_thread, &work[started]) != 0)
            break;
    }
    double gflops = 0.0;
    for (int i = 0; i < started; i++) {
        pthread_join(ids[i], NULL);
        gflops += work[i].flops / work[i].seconds * 1e-9;
    }
    return gflops;
}

static const char *lanes_name(fma_lanes lanes, int json)
{
    switch (lanes) {
    case AVX512_LANES:
        return json ? "avx512_fma" : "AVX-512 FMA, 16 lanes";
    case AVX2_LANES:
        return json ? "avx2_fma" : "AVX2 FMA, 8 lanes";
    default:
        return json ? "scalar" : "scalar fmaf (no AVX2 FMA here)";
    }
}

int bench_peak(int json)
{
    fma_lanes lanes = widest_fma();
    int cores = core_count();
    double one = measure(1, lanes), all = measure(cores, lanes);
    if (json)
        printf("{\"peak\":\"fp32_fma\",\"kind\":\"%s\",\"threads\":%d,\"gflops\":%.1f,"
               "\"gflops_one_core\":%.1f}\n",
               lanes_name(lanes, 1), cores, all, one);
    else
        printf("FP32 FMA peak (%s, %d independent chains): %.1f GFLOP/s on one core, "
               "%.1f GFLOP/s on %d threads\n",
               lanes_name(lanes, 0), CHAINS, one, all, cores);
    return 0;
}

/* ==== an OpenCL device's FP32 peak ==== */

/* DEVICE_CHAINS float8 accumulators per work-item: 64 independent FMAs a round, enough to hide
 * the FMA latency of a GPU lane (4 cycles on NVIDIA's recent chips) at any occupancy, and on a
 * CPU device a whole AVX2 register a chain whether or not PoCL vectorizes across work-items
 * (float4 chains reached 66 GFLOP/s on PoCL here where float8 reached 80, the CPU peak 73).
 * fma(), not mad(): one instruction on every GPU and on PoCL's x86 devices with FMA, where
 * mad() may be a multiply and an add. Each round is 2 × 8 × DEVICE_CHAINS flops; the sum at
 * the end keeps every chain and every lane alive. */
enum { DEVICE_CHAINS = 8, DEVICE_LANES = 8 };
static const char device_peak_source[] =
    "#ifndef CHAINS\n"
    "#define CHAINS 8\n"
    "#endif\n"
    "__kernel void fma_chains(__global float *out, const float a, const float b,\n"
    "                         const int rounds)\n"
    "{\n"
    "    const float8 lanes = (float8)(0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f) * 0.125f;\n"
    "    const float seed = (float)get_global_id(0) * 1e-9f;\n"
    "    float8 acc[CHAINS];\n"
    "#pragma unroll\n"
    "    for (int c = 0; c < CHAINS; c++)\n"
    "        acc[c] = (float8)(seed + (float)c) + lanes;\n"
    "    for (int r = 0; r < rounds; r++) {\n"
    "#pragma unroll\n"
    "        for (int c = 0; c < CHAINS; c++)\n"
    "            acc[c] = fma(acc[c], a, b);\n"
    "    }\n"
    "    float8 t = acc[0];\n"
    "#pragma unroll\n"
    "    for (int c = 1; c < CHAINS; c++)\n"
    "        t += acc[c];\n"
    "    const float4 t4 = t.lo + t.hi;\n"
    "    out[get_global_id(0)] = t4.x + t4.y + t4.z + t4.w;\n"
    "}\n";

#define DEVICE_ITEMS_PER_UNIT 8192 /* 4 × the 2048 threads an NVIDIA multiprocessor holds */
#define DEVICE_LOCAL_MAX 256
#define DEVICE_LAUNCH_S 0.02 /* rounds are doubled until one launch takes at least this */
#define DEVICE_MAX_ROUNDS (1 << 24)
#define DEVICE_LAUNCHES 10 /* timed, after the calibration */

typedef struct device_peak {
    clprop_context *context;
    cl_program program;
    cl_kernel kernel;
    cl_mem out;
    size_t items, local;
    int rounds;
    double launch_s[DEVICE_LAUNCHES];
} device_peak;

#define CHECK_CL(call, what)                                                                    \
    do {                                                                                        \
        cl_int error_ = (call);                                                                 \
        if (error_ != CL_SUCCESS)                                                               \
            return clprop_fail(message, error_, "%s failed: %s", what,                          \
                               clprop_status_name(error_));                                    \
    } while (0)

/* The program, its kernel, the output buffer and the launch geometry; a build failure carries
 * the build log. */
static clprop_status device_peak_prepare(device_peak *p, clprop_message *message)
{
    clprop_context *context = p->context;
    cl_int error = CL_SUCCESS;
    const char *text = device_peak_source;
    p->program = clCreateProgramWithSource(context->cl, 1, &text, NULL, &error);
    CHECK_CL(error, "clCreateProgramWithSource");
    char options[32];
    snprintf(options, sizeof options, "-DCHAINS=%d", DEVICE_CHAINS);
    error = clBuildProgram(p->program, 1, &context->device_id, options, NULL, NULL);
    if (error != CL_SUCCESS) {
        char log[2048] = "";
        clGetProgramBuildInfo(p->program, context->device_id, CL_PROGRAM_BUILD_LOG,
                              sizeof log - 1, log, NULL);
        return clprop_fail(message, error, "building the peak kernel (%s) failed: %s\n%s",
                           options, clprop_status_name(error), log);
    }
    p->kernel = clCreateKernel(p->program, "fma_chains", &error);
    CHECK_CL(error, "clCreateKernel(fma_chains)");
    size_t largest = 0;
    CHECK_CL(clGetKernelWorkGroupInfo(p->kernel, context->device_id, CL_KERNEL_WORK_GROUP_SIZE,
                                      sizeof largest, &largest, NULL),
             "clGetKernelWorkGroupInfo");
    for (p->local = DEVICE_LOCAL_MAX; p->local > 1 && p->local > largest; p->local /= 2)
        ;
    unsigned units = clprop_context_device(context)->compute_units;
    p->items = (size_t)(units > 0 ? units : 1) * DEVICE_ITEMS_PER_UNIT;
    p->out = clCreateBuffer(context->cl, CL_MEM_WRITE_ONLY, p->items * sizeof(float), NULL,
                            &error);
    CHECK_CL(error, "clCreateBuffer");
    float a = 0.999999f, b = 1e-7f; /* the chains settle near b / (1 - a): no overflow */
    CHECK_CL(clSetKernelArg(p->kernel, 0, sizeof p->out, &p->out), "clSetKernelArg(out)");
    CHECK_CL(clSetKernelArg(p->kernel, 1, sizeof a, &a), "clSetKernelArg(a)");
    CHECK_CL(clSetKernelArg(p->kernel, 2, sizeof b, &b), "clSetKernelArg(b)");
    return CLPROP_SUCCESS;
}

/* One launch of p->rounds rounds, its device time (profiling START to END) in *seconds. */
static clprop_status device_peak_launch(device_peak *p, clprop_message *message, double *seconds)
{
    cl_command_queue queue = p->context->queue;
    CHECK_CL(clSetKernelArg(p->kernel, 3, sizeof p->rounds, &p->rounds), "clSetKernelArg(rounds)");
    cl_event event = NULL;
    CHECK_CL(clEnqueueNDRangeKernel(queue, p->kernel, 1, NULL, &p->items, &p->local, 0, NULL,
                                    &event),
             "clEnqueueNDRangeKernel(fma_chains)");
    cl_int error = clWaitForEvents(1, &event);
    cl_ulong start = 0, end = 0;
    if (error == CL_SUCCESS)
        error = clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_START, sizeof start, &start,
                                        NULL);
    if (error == CL_SUCCESS)
        error = clGetEventProfilingInfo(event, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL);
    clReleaseEvent(event);
    CHECK_CL(error, "timing the peak kernel (clGetEventProfilingInfo)");
    *seconds = end > start ? (double)(end - start) * 1e-9 : 0.0;
    return CLPROP_SUCCESS;
}

/* Doubles the rounds until a launch lasts DEVICE_LAUNCH_S (the first launches also compile and
 * warm the device up), then times DEVICE_LAUNCHES launches. */
static clprop_status device_peak_measure(device_peak *p, clprop_message *message)
{
    double seconds = 0.0;
    p->rounds = 64;
    CLPROP_CHECK(device_peak_launch(p, message, &seconds));
    for (;;) {
        CLPROP_CHECK(device_peak_launch(p, message, &seconds));
        if (seconds >= DEVICE_LAUNCH_S || p->rounds >= DEVICE_MAX_ROUNDS)
            break;
        p->rounds *= 2;
    }
    for (size_t i = 0; i < DEVICE_LAUNCHES; i++)
        CLPROP_CHECK(device_peak_launch(p, message, &p->launch_s[i]));
    return CLPROP_SUCCESS;
}

static void device_peak_release(device_peak *p)
{
    if (p->out != NULL)
        clReleaseMemObject(p->out);
    if (p->kernel != NULL)
        clReleaseKernel(p->kernel);
    if (p->program != NULL)
        clReleaseProgram(p->program);
    clprop_context_destroy(p->context);
}

static int compare_seconds(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void device_peak_print(const device_peak *p, int json)
{
    const clprop_device_info *device = clprop_context_device(p->context);
    cl_uint clock_mhz = 0;
    clGetDeviceInfo(p->context->device_id, CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof clock_mhz,
                    &clock_mhz, NULL);
    double sorted[DEVICE_LAUNCHES];
    memcpy(sorted, p->launch_s, sizeof sorted);
    qsort(sorted, DEVICE_LAUNCHES, sizeof *sorted, compare_seconds);
    double flops = (double)p->items * (double)p->rounds * DEVICE_CHAINS * DEVICE_LANES * 2.0;
    double best = sorted[0] > 0.0 ? flops / sorted[0] * 1e-9 : 0.0;
    double median = sorted[DEVICE_LAUNCHES / 2] > 0.0
                        ? flops / sorted[DEVICE_LAUNCHES / 2] * 1e-9
                        : 0.0;
    if (json)
        printf("{\"peak\":\"fp32_fma_opencl\",\"device\":\"%s\",\"platform\":\"%s\","
               "\"compute_units\":%u,\"max_clock_mhz\":%u,\"work_items\":%zu,\"local\":%zu,"
               "\"rounds\":%d,\"launches\":%d,\"launch_s\":%.6g,\"gflops\":%.1f,"
               "\"gflops_median\":%.1f}\n",
               device->name, device->platform_name, device->compute_units, (unsigned)clock_mhz,
               p->items, p->local, p->rounds, DEVICE_LAUNCHES, sorted[0], best, median);
    else
        printf("FP32 FMA peak of %s (%s; %u compute units, at most %u MHz): %.1f GFLOP/s "
               "(best of %d launches, median %.1f), %zu work-items in groups of %zu, %d "
               "independent float8 fma chains of %d rounds each, %.3f ms a launch\n",
               device->name, device->platform_name, device->compute_units, (unsigned)clock_mhz,
               best, DEVICE_LAUNCHES, median, p->items, p->local, DEVICE_CHAINS, p->rounds,
               sorted[0] * 1e3);
}

int bench_peak_device(const char *device, int json)
{
    device_peak p = {0};
    clprop_context_desc desc = {.device = device, .gemm = CLPROP_GEMM_NATIVE};
    char problem[256];
    if (!environment_context_desc(&desc, problem, sizeof problem))
        bench_require(CLPROP_ERROR_INVALID_ARGUMENT, "reading the environment", problem);
    clprop_status status = clprop_context_create(&desc, &p.context);
    bench_require(status, "opening the device",
                  p.context != NULL ? clprop_context_message(p.context) : NULL);
    clprop_message message = {{0}};
    status = device_peak_prepare(&p, &message);
    if (status == CLPROP_SUCCESS)
        status = device_peak_measure(&p, &message);
    if (status == CLPROP_SUCCESS)
        device_peak_print(&p, json);
    else
        fprintf(stderr, "clprop-bench: peak on %s: %s\n", clprop_context_device(p.context)->name,
                message.text);
    device_peak_release(&p);
    return status == CLPROP_SUCCESS ? 0 : 1;
}
