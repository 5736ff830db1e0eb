/* clprop-bench: shared pieces of the kernel benchmark.
 *
 * Build and run (from the repository root):
 *   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build-bench -j2
 *   ./build-bench/clprop-bench kernels            # the full list, aligned tables
 *   ./build-bench/clprop-bench kernels --quick --json
 *
 * Every measurement follows llm.c's dev/cuda and CLBlast's clients: run the operation once and
 * check it against the double-precision reference (host/reference.h), warm up, then time repeats
 * and report the median, the spread and GFLOP/s or GB/s. */
#ifndef CLPROP_BENCH_H
#define CLPROP_BENCH_H

#include <CL/cl.h>
#include <stddef.h>

#include "context.h"
#include "rng.h"

/* ---- command line (main.c) ---- */

typedef struct bench_options {
    const char *device; /* selector as clprop_context_desc.device; NULL: the default device */
    int json;           /* one JSON object per line instead of tables */
    size_t repeats;     /* timed runs per operation */
    int quick;          /* batch-32 shapes only (the smoke test) */
    const char *only;   /* measure only operations whose "label kernel" contains this; NULL: all */
    int each_alone;     /* time each run alone, the host waiting between runs, not all queued */
} bench_options;

/* ---- the FP32 FMA peak of the CPU or of an OpenCL device (peak.c) ---- */

/* Measures and prints it (one JSON object with json); returns the exit status. */
int bench_peak(int json);
/* The same for the OpenCL device `device` selects (as clprop_context_desc.device; NULL: the
 * default device). */
int bench_peak_device(const char *device, int json);

/* ---- failures the bench cannot go on from (arrays.c) ---- */

/* Exits with status 1, naming `what` and the message, unless status is CLPROP_SUCCESS. */
void bench_require(clprop_status status, const char *what, const char *message);
/* malloc that exits on failure. */
void *bench_alloc(size_t bytes);

/* ---- host arrays and device buffers (arrays.c) ---- */

/* count floats uniform in [low, high). */
float *bench_random_floats(clprop_rng *rng, size_t count, double low, double high);
/* A device buffer of count floats, filled from values unless values is NULL. */
cl_mem bench_upload(clprop_context *context, const float *values, size_t count);
/* The whole buffer (count floats) read back into a new array. */
float *bench_download(clprop_context *context, cl_mem buffer, size_t count);
/* A new double copy of a float array, for the reference. */
double *bench_widen(const float *values, size_t count);

/* The host arrays and device buffers of one measurement, released together. */
#define BENCH_SCRATCH_CAPACITY 16
typedef struct bench_scratch {
    clprop_context *context;
    void *arrays[BENCH_SCRATCH_CAPACITY];
    cl_mem buffers[BENCH_SCRATCH_CAPACITY];
    size_t array_count, buffer_count;
} bench_scratch;

/* Takes array (from malloc) into the scratch and returns it. */
void *bench_keep(bench_scratch *scratch, void *array);
/* A device buffer of `bytes`, filled from values unless values is NULL. */
cl_mem bench_scratch_buffer(bench_scratch *scratch, const void *values, size_t bytes);
void bench_scratch_release(bench_scratch *scratch);

/* ---- timing (timing.c) ---- */

/* One launch of the operation being measured, with its arguments. */
typedef clprop_status (*bench_step)(clprop_context *context, clprop_message *message,
                                    const void *args);

typedef struct bench_op {
    bench_step run;
    const void *args;
    /* An operation that works in place gets its input back before every run, untimed:
     * `working` ← `pristine` (bytes). working NULL: nothing to restore. */
    cl_mem working, pristine;
    size_t bytes;
} bench_op;

typedef enum bench_clock {
    /* device timestamps (CL_PROFILING_COMMAND_END) of two markers around the operation, all
     * three enqueued behind a user event so host-side enqueue time is not counted */
    BENCH_CLOCK_MARKERS,
    /* host monotonic clock around the operation and clFinish */
    BENCH_CLOCK_WALL,
    /* markers as above around each run, every timed run queued back to back behind one user
     * event: the device goes from one run to the next as from one launch of a training step to
     * the next, with no host round trip between (on PoCL, each round trip puts its worker
     * threads to sleep, and the host's wake-up can leave two of them sharing one core for the
     * next run) */
    BENCH_CLOCK_QUEUED
} bench_clock;

typedef struct bench_timing {
    double median_s, min_s, max_s;
    size_t repeats;
} bench_timing;

/* Markers when the device reports their timestamps, else the wall clock (kernels.c then makes
 * markers BENCH_CLOCK_QUEUED unless --each-alone). *empty_s gets the median of an interval with
 * nothing in it, timed one at a time: the floor under every figure. */
bench_clock bench_choose_clock(clprop_context *context, double *empty_s);
const char *bench_clock_name(bench_clock clock);
/* GEMMs on the device for `seconds` of wall time, before anything is timed; a failure is
 * described on `message`. */
clprop_status bench_warm_up(clprop_context *context, double seconds, clprop_message *message);
/* Restores and runs op once (no timing): the validation run. */
clprop_status bench_run_once(clprop_context *context, clprop_message *message,
                             const bench_op *op);
/* warmups untimed runs, then repeats timed ones. */
clprop_status bench_time(clprop_context *context, clprop_message *message, bench_clock clock,
                         const bench_op *op, size_t warmups, size_t repeats,
                         bench_timing *timing);

/* ---- validation and measurement (measure.c) ---- */

#define BENCH_TOLERANCE 1e-4 /* norm-wise relative error ‖got − want‖₂ / ‖want‖₂ */
#define BENCH_WARMUPS 2
/* GEMMs of more than 2^this multiply-adds are checked on a sample of entries of C */
#define BENCH_GEMM_FULL_CHECK_LOG2 28

/* An output of the operation and what the reference says it should hold. */
typedef struct bench_output {
    const char *name;   /* for messages: "z", "a", ... */
    cl_mem buffer;
    size_t length;      /* floats in the buffer */
    const double *want; /* count values */
    const size_t *at;   /* which buffer entries want[] describes; NULL: want has all of them */
    size_t count;
} bench_output;

typedef struct bench_result {
    int valid;
    double error;       /* the largest norm-wise relative error over the outputs */
    bench_timing timing; /* zero when not valid: nothing is timed after a wrong answer */
} bench_result;

typedef struct bench_session {
    const bench_options *options;
    clprop_context *native;  /* clprop's own GEMM kernels */
    clprop_context *clblast; /* the same device, GEMM through CLBlast */
    bench_clock clock;
    double empty_s;
    clprop_rng rng;
    int failures; /* validations that failed */
} bench_session;

/* Whether --only lets the operation `kernel` of case `label` be measured. */
int bench_selected(const bench_session *session, const char *label, const char *kernel);

/* Runs op once on context, compares the outputs with the reference (printing where they differ
 * on failure, and counting it), then warms up and times it. */
bench_result bench_measure(bench_session *session, clprop_context *context, const bench_op *op,
                           const bench_output *outputs, size_t output_count, const char *what);

/* ---- reports (report.c) ---- */

typedef struct bench_gemm_row {
    const char *label;  /* which network shape: "784-256 B32", "square" */
    const char *kernel; /* "gemm_nn", "gemm_tn", "gemm_nt" */
    size_t m, n, k;
    bench_result ours, clblast;
} bench_gemm_row;

typedef struct bench_elementwise_row {
    const char *label;
    const char *kernel;  /* "bias_activate", ... */
    const char *variant; /* "sigmoid", "softmax/ce", ... or NULL */
    size_t units, batch; /* batch 0: a flat array of `units` values (update) */
    double bytes;        /* read + written once each: the least traffic the kernel needs */
    bench_result result;
} bench_elementwise_row;

/* Human output: what was measured and how, then one table per kind, a row per measurement as it
 * finishes. --json: only rows, one object per line. */
void bench_print_preamble(const bench_session *session);
void bench_print_gemm_header(const bench_session *session);
void bench_print_gemm_row(const bench_session *session, const bench_gemm_row *row);
void bench_print_elementwise_header(const bench_session *session);
void bench_print_elementwise_row(const bench_session *session, const bench_elementwise_row *row);

/* ---- the kernels (kernels_gemm.c, kernels_elementwise.c, kernels.c) ---- */

/* One GEMM layout at one shape, ours and CLBlast's: C (m×n) = op(A)·op(B), alpha 1, beta 0. */
void bench_gemm(bench_session *session, const char *label, int transpose_a, int transpose_b,
                size_t m, size_t n, size_t k);

/* The elementwise kernels of one layer shape; softmax-or-sigmoid as in the trainer. */
void bench_bias_activate(bench_session *session, const char *label, clprop_activation activation,
                         size_t units, size_t batch);
void bench_output_delta(bench_session *session, const char *label, size_t units, size_t batch);
void bench_scale_by_derivative(bench_session *session, const char *label, size_t units,
                               size_t batch);
void bench_bias_gradient(bench_session *session, const char *label, size_t units, size_t batch);
void bench_sample_loss(bench_session *session, const char *label, size_t units, size_t batch);
/* The output layer's whole step in one launch, as a training step on a CPU device runs it. */
void bench_output_step(bench_session *session, const char *label, size_t units, size_t inputs,
                       size_t batch);
/* A batch picked from a data set held as bytes (IDX images) or floats, gathered sample-major
 * (rows) or as columns. */
void bench_gather(bench_session *session, const char *label, size_t units, size_t batch,
                  int bytes, int rows);
void bench_samples_to_columns(bench_session *session, const char *label, size_t units,
                              size_t batch);
/* One optimizer update of `count` parameters (a layer's weights or its biases). */
void bench_update(bench_session *session, const char *label, clprop_optimizer_kind kind,
                  size_t count);

/* `clprop-bench kernels`: returns the process exit status. */
int bench_kernels(const bench_options *options);

/* ---- end-to-end training (train.c) ---- */

/* Non-zero for the commands train.c runs: "train", and the hidden "startup" and "train-one" its
 * child processes run. */
int bench_train_handles(const char *command);
/* Runs one of them, argv[0] being the command; returns the process exit status. */
int bench_train_main(int argc, char **argv);

#endif
