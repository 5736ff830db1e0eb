/* `clprop-bench peak`: this CPU's FP32 fused-multiply-add peak, measured, so that every GFLOP/s
 * figure of the bench can be read as a share of what the cores can do at all. One thread per
 * core runs a loop of independent FMA chains (12 chains of 8-wide AVX2 vectors hide the FMA's
 * latency on current x86 cores) for a fixed time; the figure is the sum over the threads.
 * Clock rates under load differ from the nominal ones, which is why it is measured, not
 * computed. Without AVX2 and FMA (or off x86) it says so and measures plain scalar FMAs. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench.h"

enum { CHAINS = 12, ROUNDS = 1 << 16 };
#define SECONDS_PER_THREAD 1.0

typedef struct peak_thread {
    double flops, seconds;
    float sink; /* keeps the loop's result alive */
    int wide;
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

static int has_wide_fma(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
static float wide_rounds(float seed) { return seed; }
static int has_wide_fma(void) { return 0; }
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
    double lanes = t->wide ? 8.0 : 1.0, start = now_seconds(), elapsed = 0.0;
    size_t calls = 0;
    while (elapsed < SECONDS_PER_THREAD) {
        t->sink += t->wide ? wide_rounds(1.0f + t->sink * 1e-30f)
                           : scalar_rounds(1.0f + t->sink * 1e-30f);
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
static double measure(int threads, int wide)
{
    pthread_t ids[256];
    peak_thread work[256];
    if (threads > 256)
        threads = 256;
    memset(work, 0, sizeof work);
    int started = 0;
    for (; started < threads; started++) {
        work[started].wide = wide;
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

int bench_peak(int json)
{
    int wide = has_wide_fma(), cores = core_count();
    const char *kind = wide ? "AVX2 FMA, 8 lanes" : "scalar fmaf (no AVX2 FMA here)";
    double one = measure(1, wide), all = measure(cores, wide);
    if (json)
        printf("{\"peak\":\"fp32_fma\",\"kind\":\"%s\",\"threads\":%d,\"gflops\":%.1f,"
               "\"gflops_one_core\":%.1f}\n",
               wide ? "avx2_fma" : "scalar", cores, all, one);
    else
        printf("FP32 FMA peak (%s, %d independent chains): %.1f GFLOP/s on one core, "
               "%.1f GFLOP/s on %d threads\n",
               kind, CHAINS, one, all, cores);
    return 0;
}
