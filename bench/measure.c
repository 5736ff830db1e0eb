/* clprop-bench: one measurement — run once, check against the reference, warm up, time.
 *
 * Build: cmake --build build-bench -j2 --target clprop-bench
 * Run:   ./build-bench/clprop-bench kernels --quick */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* ‖got − want‖₂ / ‖want‖₂ over the entries the reference describes (‖got − want‖₂ when want is
 * all zeros). *worst gets the position in want[] of the largest difference. NaN in got gives
 * NaN, which no tolerance accepts. */
static double relative_error(const float *got, const bench_output *output, size_t *worst)
{
    double difference_squares = 0.0, want_squares = 0.0, largest = -1.0;
    *worst = 0;
    for (size_t s = 0; s < output->count; s++) {
        size_t i = output->at != NULL ? output->at[s] : s;
        double difference = (double)got[i] - output->want[s];
        difference_squares += difference * difference;
        want_squares += output->want[s] * output->want[s];
        if (!(fabs(difference) <= largest)) {
            largest = fabs(difference);
            *worst = s;
        }
    }
    return want_squares > 0.0 ? sqrt(difference_squares / want_squares)
                              : sqrt(difference_squares);
}

static void print_mismatch(const char *what, const bench_output *output, const float *got,
                           double error, size_t worst)
{
    size_t i = output->at != NULL ? output->at[worst] : worst;
    fprintf(stderr,
            "clprop-bench: %s: %s is wrong: relative error %.3g exceeds %.0e; largest "
            "difference at [%zu]: got %.9g, want %.9g\n",
            what, output->name, error, BENCH_TOLERANCE, i, (double)got[i], output->want[worst]);
}

/* The largest relative error over the outputs, after the validation run. */
static double check_outputs(clprop_context *context, const bench_output *outputs,
                            size_t output_count, const char *what, int *valid)
{
    double largest = 0.0;
    *valid = 1;
    for (size_t o = 0; o < output_count; o++) {
        float *got = bench_download(context, outputs[o].buffer, outputs[o].length);
        size_t worst;
        double error = relative_error(got, &outputs[o], &worst);
        if (!(error <= BENCH_TOLERANCE)) {
            *valid = 0;
            print_mismatch(what, &outputs[o], got, error, worst);
        }
        if (isnan(error) || error > largest)
            largest = error;
        free(got);
    }
    return largest;
}

bench_result bench_measure(bench_session *session, clprop_context *context, const bench_op *op,
                           const bench_output *outputs, size_t output_count, const char *what)
{
    bench_result result = {0};
    clprop_message message = {{0}};
    bench_require(bench_run_once(context, &message, op), what, message.text);
    result.error = check_outputs(context, outputs, output_count, what, &result.valid);
    if (!result.valid) {
        session->failures++;
        return result;
    }
    bench_require(bench_time(context, &message, session->clock, op, BENCH_WARMUPS,
                             session->options->repeats, &result.timing),
                  what, message.text);
    return result;
}

int bench_selected(const bench_session *session, const char *label, const char *kernel)
{
    const char *only = session->options->only;
    if (only == NULL)
        return 1;
    char name[160];
    snprintf(name, sizeof name, "%s %s", label, kernel);
    return strstr(name, only) != NULL;
}
