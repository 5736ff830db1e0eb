/* clprop-bench: the reports — aligned tables for people, one JSON object per line for scripts.
 * Rates come from the median: GFLOP/s = 2·m·n·k / median, GB/s = bytes / median.
 *
 * Build: cmake --build build-bench -j2 --target clprop-bench
 * Run:   ./build-bench/clprop-bench kernels --quick --json */
#include <math.h>
#include <stdio.h>

#include "bench.h"
#include "gemm.h"

static double gemm_flops(const bench_gemm_row *row)
{
    return 2.0 * (double)row->m * (double)row->n * (double)row->k;
}

static double rate(double amount, const bench_result *result)
{
    return result->valid && result->timing.median_s > 0.0 ? amount / result->timing.median_s
                                                          : 0.0;
}

/* Which of clprop's GEMM kernel families the native context runs, and their tiles. */
static void describe_native_gemm(const clprop_context *context, char *text, size_t size)
{
    const clprop_tuning *tuning = &context->tuning;
    switch (tuning->family) {
    case CLPROP_GEMM_FAMILY_CPU:
        snprintf(text, size,
                 "cpu family, %zu x %zu register tiles of float%zu pairs, up to %zu per "
                 "work-item in place, panels of %zu rows of B (%zu for A.B^T; %s), a right edge "
                 "under %zu columns by the generic kernel",
                 tuning->cpu_tile_m, clprop_cpu_tile_n(tuning), tuning->cpu_vector,
                 tuning->cpu_tiles, tuning->cpu_kblock, tuning->cpu_kblock_transposed,
                 tuning->cpu_panels == CLPROP_CPU_PANELS_ALWAYS  ? "always"
                 : tuning->cpu_panels == CLPROP_CPU_PANELS_NEVER ? "only for A.B^T"
                                                             : "for A.B^T and a large B",
                 clprop_cpu_tile_n(tuning));
        break;
    case CLPROP_GEMM_FAMILY_GPU:
        snprintf(text, size, "gpu family, %zu x %zu local-memory tiles, K step %zu, %zu x %zu groups",
                 tuning->gpu_tile, tuning->gpu_tile, tuning->gpu_depth, tuning->gpu_group,
                 tuning->gpu_group);
        break;
    default:
        snprintf(text, size, "generic family, %d x %d register tile per work-item, no local memory",
                 CLPROP_GEMM_TILE_M, CLPROP_GEMM_TILE_N);
        break;
    }
}

void bench_print_preamble(const bench_session *session)
{
    if (session->options->json)
        return;
    const clprop_device_info *device = clprop_context_device(session->native);
    char gemm[256];
    describe_native_gemm(session->native, gemm, sizeof gemm);
    printf("clprop-bench kernels on %s (%s), %u compute units\n", device->name,
           device->platform_name, device->compute_units);
    printf("clprop GEMM: %s\n  (CLPROP_GEMM_FAMILY=generic|cpu|gpu picks another)\n", gemm);
    if (session->clock == BENCH_CLOCK_QUEUED)
        printf("timing: device timestamps (CL_PROFILING_COMMAND_END) of markers around each "
               "operation, its timed runs queued\nback to back as a training step queues its "
               "launches (--each-alone: one at a time); an empty interval, alone, measures "
               "%.1f us\n",
               session->empty_s * 1e6);
    else if (session->clock == BENCH_CLOCK_MARKERS)
        printf("timing: device timestamps (CL_PROFILING_COMMAND_END) of markers around each "
               "operation, each timed run\nwaited for alone; an empty interval measures %.1f us\n",
               session->empty_s * 1e6);
    else
        printf("timing: host wall clock around each operation and clFinish (the device gives "
               "markers no timestamps); an empty interval measures %.1f us\n",
               session->empty_s * 1e6);
    printf("each operation checked first against the double reference (norm-wise relative error "
           "<= %.0e;\nGEMMs over 2^%d multiply-adds on a sample of entries), then %d warm-up runs "
           "and %zu timed runs: median and min-max\n\n",
           BENCH_TOLERANCE, BENCH_GEMM_FULL_CHECK_LOG2, BENCH_WARMUPS, session->options->repeats);
}

/* ---- tables ---- */

/* "median  min-max" in microseconds, or why there is none. */
static void format_timing(char *text, size_t size, const bench_result *result)
{
    if (!result->valid) {
        snprintf(text, size, "%10s %21s", "WRONG", "(not timed)");
        return;
    }
    char spread[48];
    snprintf(spread, sizeof spread, "%.1f-%.1f", result->timing.min_s * 1e6,
             result->timing.max_s * 1e6);
    snprintf(text, size, "%10.1f %21s", result->timing.median_s * 1e6, spread);
}

void bench_print_gemm_header(const bench_session *session)
{
    if (session->options->json)
        return;
    printf("GEMM, C (m x n) = op(A) (m x k) . op(B) (k x n): clprop's kernels, then CLBlast's "
           "SGEMM on the same device;\nratio = our GFLOP/s / CLBlast's\n");
    printf("%-16s %-8s %5s %5s %5s %10s %21s %8s %8s | %10s %21s %8s %8s | %6s\n", "case",
           "kernel", "m", "n", "k", "median us", "min-max us", "GFLOP/s", "rel err",
           "CLBlast us", "min-max us", "GFLOP/s", "rel err", "ratio");
}

/* ,"name":value — null for NaN or infinity, which JSON has no numbers for. */
static void json_number(const char *name, double value)
{
    if (isfinite(value))
        printf(",\"%s\":%.6g", name, value);
    else
        printf(",\"%s\":null", name);
}

/* The fields of one measurement, their names prefixed (for CLBlast's). */
static void json_result(const char *prefix, const bench_result *result, const char *rate_name,
                        double rate_value)
{
    char name[64];
    const char *const fields[] = {"median_s", "min_s", "max_s"};
    const double values[] = {result->timing.median_s, result->timing.min_s, result->timing.max_s};
    for (size_t i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "%s%s", prefix, fields[i]);
        json_number(name, result->valid ? values[i] : NAN);
    }
    snprintf(name, sizeof name, "%s%s", prefix, rate_name);
    json_number(name, result->valid ? rate_value : NAN);
    snprintf(name, sizeof name, "%srel_error", prefix);
    json_number(name, result->error);
    printf(",\"%svalid\":%s", prefix, result->valid ? "true" : "false");
}

static void json_end(const bench_session *session)
{
    printf(",\"repeats\":%zu,\"timing\":\"%s\"}\n", session->options->repeats,
           bench_clock_name(session->clock));
}

void bench_print_gemm_row(const bench_session *session, const bench_gemm_row *row)
{
    double ours = rate(gemm_flops(row), &row->ours) * 1e-9;
    double theirs = rate(gemm_flops(row), &row->clblast) * 1e-9;
    if (session->options->json) {
        printf("{\"kernel\":\"%s\",\"case\":\"%s\",\"m\":%zu,\"n\":%zu,\"k\":%zu,"
               "\"family\":\"%s\"",
               row->kernel, row->label, row->m, row->n, row->k,
               clprop_gemm_family_name(session->native->tuning.family));
        json_result("", &row->ours, "gflops", ours);
        json_result("clblast_", &row->clblast, "gflops", theirs);
        json_end(session);
    } else {
        char mine[64], other[64];
        format_timing(mine, sizeof mine, &row->ours);
        format_timing(other, sizeof other, &row->clblast);
        printf("%-16s %-8s %5zu %5zu %5zu %s %8.2f %8.1e | %s %8.2f %8.1e | %6.2f\n", row->label,
               row->kernel, row->m, row->n, row->k, mine, ours, row->ours.error, other, theirs,
               row->clblast.error, theirs > 0.0 ? ours / theirs : 0.0);
    }
    fflush(stdout);
}

void bench_print_elementwise_header(const bench_session *session)
{
    if (session->options->json)
        return;
    printf("\nOther kernels (matrices are units x batch; GB/s counts each byte read or written "
           "once)\n");
    printf("%-16s %-20s %-10s %7s %5s %10s %21s %8s %8s\n", "case", "kernel", "variant", "units",
           "batch", "median us", "min-max us", "GB/s", "rel err");
}

static void print_elementwise_json(const bench_session *session,
                                   const bench_elementwise_row *row, double gbps)
{
    printf("{\"kernel\":\"%s\",\"case\":\"%s\"", row->kernel, row->label);
    if (row->variant != NULL)
        printf(",\"variant\":\"%s\"", row->variant);
    if (row->batch == 0)
        printf(",\"count\":%zu", row->units);
    else
        printf(",\"units\":%zu,\"batch\":%zu", row->units, row->batch);
    printf(",\"bytes\":%.0f", row->bytes);
    json_result("", &row->result, "gbps", gbps);
    json_end(session);
}

void bench_print_elementwise_row(const bench_session *session, const bench_elementwise_row *row)
{
    double gbps = rate(row->bytes, &row->result) * 1e-9;
    if (session->options->json) {
        print_elementwise_json(session, row, gbps);
    } else {
        char timing[64], batch[24];
        format_timing(timing, sizeof timing, &row->result);
        if (row->batch == 0)
            snprintf(batch, sizeof batch, "-");
        else
            snprintf(batch, sizeof batch, "%zu", row->batch);
        printf("%-16s %-20s %-10s %7zu %5s %s %8.2f %8.1e\n", row->label, row->kernel,
               row->variant != NULL ? row->variant : "-", row->units, batch, timing, gbps,
               row->result.error);
    }
    fflush(stdout);
}
