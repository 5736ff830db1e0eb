/* clprop-bench: benchmarks for clprop's OpenCL kernels. Each operation is checked against the
 * double-precision reference before it is timed; a wrong answer makes the exit status 1.
 *
 * Build: cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=RelWithDebInfo
 *        cmake --build build-bench -j2 --target clprop-bench
 * Run:   ./build-bench/clprop-bench kernels [--device SPEC] [--json] [--repeat N] [--quick]
 *                                         [--only TEXT] [--each-alone]
 *        ./build-bench/clprop-bench train [--device SPEC] [--json] [--quick]   (train.c)
 *        ./build-bench/clprop-bench peak [--opencl [--device SPEC]] [--json]   (peak.c)
 *        ./build-bench/clprop-bench --help */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define DEFAULT_REPEATS 10
#define QUICK_REPEATS 3
#define MAX_REPEATS 100000

static void print_usage(FILE *out)
{
    fprintf(out,
            "usage: clprop-bench kernels [--device SPEC] [--json] [--repeat N] [--quick]\n"
            "                            [--only TEXT] [--each-alone]\n"
            "       clprop-bench train [--device SPEC] [--json] [--quick] [--epochs N]\n"
            "                          [--batches B,B,...] [--data DIR] [--memory]\n"
            "                          [--devices LIST]\n"
            "       clprop-bench peak [--opencl [--device SPEC]] [--json]\n"
            "       clprop-bench --help\n"
            "       clprop-bench --version\n"
            "\n"
            "commands:\n"
            "  kernels        check every kernel the trainer uses against the double-precision\n"
            "                 reference, then time it: the GEMMs of the Fashion-MNIST network\n"
            "                 784-256-128-10 at batches 32, 256 and 1024 beside CLBlast's SGEMM,\n"
            "                 a 1024 x 1024 x 1024 GEMM, and the other kernels (gathers,\n"
            "                 activations, deltas, losses, the output layer's step, bias\n"
            "                 gradients, the four optimizers' updates) at the same shapes\n"
            "  train          end-to-end training samples/s of that network on the real data\n"
            "                 at batches 32, 256 and 1024, start-up cold and warm, peak host\n"
            "                 memory (clprop-bench train --help)\n"
            "  peak           this CPU's FP32 FMA peak, measured with independent FMA chains\n"
            "                 on one core and on every core: what a GFLOP/s figure is a share of;\n"
            "                 with --opencl, the OpenCL device's (--device, as for kernels) with\n"
            "                 independent float8 fma chains in enough work-items to fill it\n"
            "\n"
            "options of kernels:\n"
            "  --device SPEC  an index, \"P:D\", \"gpu\", \"cpu\" or part of the device name\n"
            "                 (default: $CLPROP_DEVICE, else the first GPU, else the first CPU)\n"
            "  --json         one JSON object per measured operation, one per line\n"
            "  --repeat N     timed runs per operation (default %d; %d with --quick)\n"
            "  --quick        batch 32 only, %d timed runs: the smoke test\n"
            "  --only TEXT    only the operations whose case and kernel, as the tables print\n"
            "                 them (\"784-256 B256 gemm_nn\"), contain TEXT\n"
            "  --each-alone   time each run alone, waiting for it before queuing the next\n"
            "                 (default: an operation's timed runs queued back to back, as a\n"
            "                 training step queues its launches)\n"
            "  -h, --help     this text\n"
            "\n"
            "exit status: 0 when every result was right, 1 when one was wrong or the device\n"
            "failed, 2 for a usage error\n",
            DEFAULT_REPEATS, QUICK_REPEATS, QUICK_REPEATS);
}

/* Says what is wrong in one line and where the usage is (the whole usage would bury the line);
 * returns the exit status for a usage error. */
static int usage_error(const char *format, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fprintf(stderr, "clprop-bench: ");
    vfprintf(stderr, format, args);
    fprintf(stderr, " (see clprop-bench --help)\n");
    va_end(args);
    return 2;
}

static int parse_repeats(const char *text, size_t *repeats)
{
    char *end;
    errno = 0;
    unsigned long value = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || value < 1 ||
        value > MAX_REPEATS)
        return 0;
    *repeats = value;
    return 1;
}

/* Fills options from the arguments after "kernels"; returns -1 to go on, else an exit status. */
static int parse_kernels_options(int argc, char **argv, bench_options *options)
{
    int repeats_given = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_usage(stdout);
            return 0;
        } else if (strcmp(arg, "--json") == 0) {
            options->json = 1;
        } else if (strcmp(arg, "--quick") == 0) {
            options->quick = 1;
        } else if (strcmp(arg, "--each-alone") == 0) {
            options->each_alone = 1;
        } else if (strcmp(arg, "--device") == 0) {
            if (!has_value)
                return usage_error("%s needs a device selector", arg);
            options->device = argv[++i];
        } else if (strcmp(arg, "--only") == 0) {
            if (!has_value)
                return usage_error("%s needs the text to look for", arg);
            options->only = argv[++i];
        } else if (strcmp(arg, "--repeat") == 0) {
            if (!has_value)
                return usage_error("%s needs a count", arg);
            if (!parse_repeats(argv[++i], &options->repeats))
                return usage_error("--repeat: \"%s\" is not a count from 1 to 100000", argv[i]);
            repeats_given = 1;
        } else {
            return usage_error("kernels: unknown option \"%s\"", arg);
        }
    }
    if (!repeats_given)
        options->repeats = options->quick ? QUICK_REPEATS : DEFAULT_REPEATS;
    return -1;
}

/* The options after "peak": --json, --opencl and (with it) --device. Returns -1 to go on, else
 * an exit status. */
static int parse_peak_options(int argc, char **argv, bench_options *options, int *opencl)
{
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_usage(stdout);
            return 0;
        } else if (strcmp(arg, "--json") == 0) {
            options->json = 1;
        } else if (strcmp(arg, "--opencl") == 0) {
            *opencl = 1;
        } else if (strcmp(arg, "--device") == 0) {
            if (i + 1 == argc)
                return usage_error("%s needs a device selector", arg);
            options->device = argv[++i];
        } else {
            return usage_error("peak: unknown option \"%s\"", arg);
        }
    }
    if (options->device != NULL && !*opencl)
        return usage_error("peak: --device needs --opencl: the CPU peak is this machine's");
    return -1;
}

int main(int argc, char **argv)
{
    if (argc < 2) { /* as a bare clprop: the usage is the answer */
        print_usage(stderr);
        return 2;
    }
    const char *command = argv[1];
    if (strcmp(command, "-h") == 0 || strcmp(command, "--help") == 0) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(command, "--version") == 0) {
        printf("clprop-bench %s\n", clprop_version());
        return 0;
    }
    if (bench_train_handles(command))
        return bench_train_main(argc - 1, argv + 1);
    if (strcmp(command, "peak") == 0) {
        bench_options options = {NULL, 0, 0, 0, NULL};
        int opencl = 0, status = parse_peak_options(argc - 2, argv + 2, &options, &opencl);
        if (status >= 0)
            return status;
        return opencl ? bench_peak_device(options.device, options.json) : bench_peak(options.json);
    }
    if (strcmp(command, "kernels") != 0)
        return usage_error("unknown command \"%s\": kernels, train or peak", command);
    bench_options options = {NULL, 0, DEFAULT_REPEATS, 0, NULL};
    int status = parse_kernels_options(argc - 2, argv + 2, &options);
    return status >= 0 ? status : bench_kernels(&options);
}
