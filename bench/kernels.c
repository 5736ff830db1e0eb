/* clprop-bench kernels: the list of what is measured. The Fashion-MNIST network 784-256-128-10
 * (sigmoid hidden layers, softmax output with cross-entropy, as `clprop train` builds it) at
 * batches 32, 256 and 1024 — every GEMM and every other kernel a training step runs — and a
 * large square case (1024 units, batch 1024) where the device is busy enough to show its rate.
 * --quick keeps batch 32 alone.
 *
 * Build: cmake --build build-bench -j2 --target clprop-bench
 * Run:   ./build-bench/clprop-bench kernels [--device SPEC] [--json] [--repeat N] [--quick] */
#include <stdio.h>

#include "bench.h"
#include "environment.h"

static const size_t network[] = {784, 256, 128, 10};
#define NETWORK_LAYERS 3
static const size_t batches[] = {32, 256, 1024};
#define WARM_UP_SECONDS 0.5
#define SQUARE 1024

static size_t batch_count(const bench_options *options)
{
    return options->quick ? 1 : sizeof batches / sizeof *batches;
}

/* ---- GEMMs ---- */

/* The three products of each layer (in → out) at one batch, in the layouts of the backward pass
 * as written in the textbook. (The trainer skips the hidden delta of the first layer — nothing
 * needs δ of the inputs — but it is measured here with the others.) */
static void network_gemms(bench_session *session, size_t batch)
{
    for (size_t l = 0; l < NETWORK_LAYERS; l++) {
        size_t in = network[l], out = network[l + 1];
        char label[32];
        snprintf(label, sizeof label, "%zu-%zu B%zu", in, out, batch);
        bench_gemm(session, label, 0, 0, out, batch, in); /* forward    Z = W·A */
        bench_gemm(session, label, 1, 0, in, batch, out); /* hidden δ   Wᵀ·δ_next */
        bench_gemm(session, label, 0, 1, out, in, batch); /* gradient   ∇W = δ·Aᵀ */
        if (l > 0)
            continue;
        /* The trainer keeps the first layer's inputs as gathered, sample-major (X, B×in): its
         * forward product is W·Xᵀ, a gemm_nt, and its gradient δ·X a gemm_nn. */
        snprintf(label, sizeof label, "%zu-%zu B%zu fwd", in, out, batch);
        bench_gemm(session, label, 0, 1, out, batch, in);
        snprintf(label, sizeof label, "%zu-%zu B%zu dW", in, out, batch);
        bench_gemm(session, label, 0, 0, out, in, batch);
    }
}

static void all_gemms(bench_session *session)
{
    bench_print_gemm_header(session);
    for (size_t b = 0; b < batch_count(session->options); b++)
        network_gemms(session, batches[b]);
    if (session->options->quick)
        return;
    bench_gemm(session, "square", 0, 0, SQUARE, SQUARE, SQUARE);
    bench_gemm(session, "square", 1, 0, SQUARE, SQUARE, SQUARE);
    bench_gemm(session, "square", 0, 1, SQUARE, SQUARE, SQUARE);
}

/* ---- the other kernels ---- */

/* One training step's kernels besides GEMM and the update, in the order a step runs them. */
static void network_elementwise(bench_session *session, size_t batch)
{
    char label[32];
    /* The inputs are gathered as rows, which both GEMMs of the first layer take as they are;
     * Fashion-MNIST's images stay bytes on the device, other data sets are floats. The targets
     * are gathered as columns (or, from data streamed in chunks, laid out as columns). */
    snprintf(label, sizeof label, "input B%zu", batch);
    bench_gather(session, label, network[0], batch, 1, 1);
    bench_gather(session, label, network[0], batch, 0, 1);
    snprintf(label, sizeof label, "target B%zu", batch);
    bench_gather(session, label, network[NETWORK_LAYERS], batch, 0, 0);
    bench_samples_to_columns(session, label, network[NETWORK_LAYERS], batch);
    for (size_t l = 0; l < NETWORK_LAYERS; l++) {
        size_t out = network[l + 1];
        int output_layer = l + 1 == NETWORK_LAYERS;
        snprintf(label, sizeof label, "%zu-%zu B%zu", network[l], out, batch);
        bench_bias_activate(session, label,
                            output_layer ? CLPROP_ACTIVATION_SOFTMAX : CLPROP_ACTIVATION_SIGMOID,
                            out, batch);
        if (output_layer) {
            bench_output_delta(session, label, out, batch);
            bench_sample_loss(session, label, out, batch);
            bench_output_step(session, label, out, network[l], batch);
        } else {
            bench_scale_by_derivative(session, label, out, batch);
        }
        bench_bias_gradient(session, label, out, batch);
    }
}

/* The update touches each layer's weights and biases whatever the batch; every optimizer has its
 * own kernel. */
static const clprop_optimizer_kind optimizers[] = {CLPROP_OPTIMIZER_SGD, CLPROP_OPTIMIZER_MOMENTUM,
                                                   CLPROP_OPTIMIZER_ADAM, CLPROP_OPTIMIZER_RPROP};
#define OPTIMIZER_COUNT (sizeof optimizers / sizeof *optimizers)

static void network_updates(bench_session *session)
{
    for (size_t l = 0; l < NETWORK_LAYERS; l++) {
        char label[32];
        snprintf(label, sizeof label, "%zu-%zu", network[l], network[l + 1]);
        for (size_t o = 0; o < OPTIMIZER_COUNT; o++) {
            bench_update(session, label, optimizers[o], network[l] * network[l + 1]);
            bench_update(session, label, optimizers[o], network[l + 1]);
        }
    }
}

static void square_elementwise(bench_session *session)
{
    bench_bias_activate(session, "square", CLPROP_ACTIVATION_SIGMOID, SQUARE, SQUARE);
    bench_output_delta(session, "square", SQUARE, SQUARE);
    bench_scale_by_derivative(session, "square", SQUARE, SQUARE);
    bench_bias_gradient(session, "square", SQUARE, SQUARE);
    for (size_t o = 0; o < OPTIMIZER_COUNT; o++)
        bench_update(session, "square", optimizers[o], (size_t)SQUARE * SQUARE);
}

static void all_elementwise(bench_session *session)
{
    bench_print_elementwise_header(session);
    for (size_t b = 0; b < batch_count(session->options); b++)
        network_elementwise(session, batches[b]);
    network_updates(session);
    if (!session->options->quick)
        square_elementwise(session);
}

/* ---- the session ---- */

static clprop_context *open_context(const bench_options *options, clprop_gemm_backend gemm)
{
    clprop_context_desc desc = {.device = options->device, .gemm = gemm};
    char problem[256];
    if (!environment_context_desc(&desc, problem, sizeof problem))
        bench_require(CLPROP_ERROR_INVALID_ARGUMENT, "reading the environment", problem);
    clprop_context *context = NULL;
    clprop_status status = clprop_context_create(&desc, &context);
    bench_require(status,
                  gemm == CLPROP_GEMM_CLBLAST ? "opening the device for CLBlast"
                                              : "opening the device",
                  context != NULL ? clprop_context_message(context) : NULL);
    return context;
}

int bench_kernels(const bench_options *options)
{
    bench_session session = {options, NULL, NULL, BENCH_CLOCK_MARKERS, 0.0, {0}, 0};
    session.native = open_context(options, CLPROP_GEMM_NATIVE);
    session.clblast = open_context(options, CLPROP_GEMM_CLBLAST);
    session.rng = clprop_rng_seeded(1);
    session.clock = bench_choose_clock(session.native, &session.empty_s);
    if (session.clock == BENCH_CLOCK_MARKERS && !options->each_alone)
        session.clock = BENCH_CLOCK_QUEUED;
    clprop_message message = {{0}};
    bench_require(bench_warm_up(session.native, WARM_UP_SECONDS, &message), "warming up the device",
                  message.text);
    bench_print_preamble(&session);
    all_gemms(&session);
    all_elementwise(&session);
    clprop_context_destroy(session.clblast);
    clprop_context_destroy(session.native);
    if (session.failures > 0) {
        fprintf(stderr, "clprop-bench: %d operation(s) gave wrong results (see above)\n",
                session.failures);
        return 1;
    }
    return 0;
}
