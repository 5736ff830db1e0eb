/* The output step (clprop_op_output_step: the output layer's forward product, its activation, the
 * per-sample figures, the output delta and the delta of the layer below, in one launch) against
 * the launches it replaces — the forward product with its epilogue, the figures' launch, the
 * backward product with its derivative — at every shape, for each output kind, with and without
 * a bias and a dropout mask below, and as an evaluation (no deltas). Those launches are checked
 * against the double-precision reference in test_kernels.c.
 *
 * Bit for bit, but for one thing: the forward product computes f(z) of the samples past its last
 * whole tile of 32 one value at a time (the generic kernel's edge), and PoCL's scalar exp can
 * round an ulp away from its vector exp, which the output step uses for every sample (as the
 * figures' kernels do: a sample's values do not depend on its place in the batch). So with a
 * sigmoid or tanh output each array is compared norm-wise (the largest difference over the
 * largest value, ≤ 1e-6: a few ulps, which the deltas inherit), with softmax and linear ones bit
 * for bit. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "device_buffers.h"
#include "ops.h"
#include "support.h"

typedef struct step_shape {
    size_t units, inputs, batch;
} step_shape;

static step_shape shapes[5 * 4 * 3];

ParameterizedTestParameters(output_step, equals_the_launches_it_replaces)
{
    static const size_t units[] = {1, 3, 10, 17, 33}, inputs[] = {1, 3, 17, 128};
    static const size_t batches[] = {1, 5, 67};
    size_t n = 0;
    for (size_t u = 0; u < 5; u++)
        for (size_t i = 0; i < 4; i++)
            for (size_t b = 0; b < 3; b++)
                shapes[n++] = (step_shape){units[u], inputs[i], batches[b]};
    return cr_make_param_array(step_shape, shapes, n);
}

typedef struct output_kind {
    clprop_activation activation;
    clprop_loss loss;
    clprop_activation below; /* the hidden layer's */
    int bias, dropout, deltas;
} output_kind;

static const output_kind kinds[] = {
    {CLPROP_ACTIVATION_SOFTMAX, CLPROP_LOSS_CROSS_ENTROPY, CLPROP_ACTIVATION_SIGMOID, 1, 0, 1},
    {CLPROP_ACTIVATION_SOFTMAX, CLPROP_LOSS_CROSS_ENTROPY, CLPROP_ACTIVATION_RELU, 1, 1, 1},
    {CLPROP_ACTIVATION_SIGMOID, CLPROP_LOSS_MSE, CLPROP_ACTIVATION_TANH, 0, 0, 1},
    {CLPROP_ACTIVATION_TANH, CLPROP_LOSS_MSE, CLPROP_ACTIVATION_SIGMOID, 1, 1, 1},
    {CLPROP_ACTIVATION_LINEAR, CLPROP_LOSS_MSE, CLPROP_ACTIVATION_LEAKY_RELU, 1, 0, 1},
    {CLPROP_ACTIVATION_SOFTMAX, CLPROP_LOSS_CROSS_ENTROPY, CLPROP_ACTIVATION_SIGMOID, 1, 0, 0},
    {CLPROP_ACTIVATION_SIGMOID, CLPROP_LOSS_MSE, CLPROP_ACTIVATION_SIGMOID, 1, 0, 0},
};

/* What both ways write: z, y, the output delta, the hidden delta, and the three figures (at an
 * offset of 2, as an epoch writes them). */
enum { Z, Y, DELTA, HIDDEN, LOSS, SQUARED, CORRECT, OUTPUTS };

typedef struct buffers {
    cl_mem out[OUTPUTS];
    size_t count[OUTPUTS];
} buffers;

static buffers new_outputs(clprop_context *context, const step_shape *s)
{
    buffers b;
    size_t counts[OUTPUTS] = {s->units * s->batch,  s->units * s->batch, s->units * s->batch,
                              s->inputs * s->batch, s->batch + 2,        s->batch + 2,
                              s->batch + 2};
    for (int i = 0; i < OUTPUTS; i++) {
        b.count[i] = counts[i];
        float *zeros = calloc(counts[i], sizeof(float));
        cr_assert_not_null(zeros);
        b.out[i] = test_buffer(context, zeros, counts[i]);
        free(zeros);
    }
    return b;
}

static void release_outputs(buffers *b)
{
    for (int i = 0; i < OUTPUTS; i++)
        clReleaseMemObject(b->out[i]);
}

typedef struct inputs {
    cl_mem weights, bias, a_prev, targets;
    clprop_dropout_mask mask;
} inputs;

/* The launches the output step replaces, as the forward and backward passes make them. */
static void run_apart(clprop_context *context, const step_shape *s, const output_kind *k,
                      const inputs *in, buffers *b)
{
    clprop_message message = {{0}};
    int softmax = k->activation == CLPROP_ACTIVATION_SOFTMAX;
    clprop_gemm_epilogue forward = {.flags = (k->bias ? CLPROP_EPILOGUE_BIAS : 0) |
                                             (softmax ? 0 : CLPROP_EPILOGUE_ACTIVATE),
                                    .bias = in->bias,
                                    .other = b->out[Y],
                                    .activation = k->activation};
    cr_assert_eq(clprop_op_gemm_fused(context, &message, 0, 0, s->units, s->batch, s->inputs, 1.0f,
                                      in->weights, s->inputs, in->a_prev, s->batch, 0.0f, b->out[Z],
                                      s->batch, &forward),
                 CLPROP_SUCCESS, "%s", message.text);
    cr_assert_eq(clprop_op_sample_loss(context, &message, b->out[LOSS], b->out[SQUARED],
                                       b->out[CORRECT], 2, b->out[Y], in->targets, k->loss,
                                       s->units, s->batch, k->deltas ? b->out[DELTA] : NULL,
                                       k->activation, softmax ? b->out[Z] : NULL),
                 CLPROP_SUCCESS, "%s", message.text);
    if (!k->deltas)
        return;
    clprop_gemm_epilogue derivative = {.flags = CLPROP_EPILOGUE_DERIVATIVE |
                                                (k->dropout ? CLPROP_EPILOGUE_DROPOUT : 0),
                                       .other = in->a_prev,
                                       .activation = k->below,
                                       .dropout = in->mask};
    cr_assert_eq(clprop_op_gemm_fused(context, &message, 1, 0, s->inputs, s->batch, s->units, 1.0f,
                                      in->weights, s->inputs, b->out[DELTA], s->batch, 0.0f,
                                      b->out[HIDDEN], s->batch, &derivative),
                 CLPROP_SUCCESS, "%s", message.text);
}

static void run_together(clprop_context *context, const step_shape *s, const output_kind *k,
                         const inputs *in, buffers *b)
{
    clprop_message message = {{0}};
    clprop_output_step step = {.loss_out = b->out[LOSS],
                               .squared_out = b->out[SQUARED],
                               .correct_out = b->out[CORRECT],
                               .first = 2,
                               .z = b->out[Z],
                               .y = b->out[Y],
                               .targets = in->targets,
                               .weights = in->weights,
                               .bias = k->bias ? in->bias : NULL,
                               .a_prev = in->a_prev,
                               .units = s->units,
                               .inputs = s->inputs,
                               .batch = s->batch,
                               .activation = k->activation,
                               .loss = k->loss,
                               .delta = k->deltas ? b->out[DELTA] : NULL,
                               .hidden_delta = k->deltas ? b->out[HIDDEN] : NULL,
                               .hidden_activation = k->below,
                               .hidden_dropout = k->dropout ? &in->mask : NULL};
    cr_assert_eq(clprop_op_output_step(context, &message, &step), CLPROP_SUCCESS, "%s",
                 message.text);
}

static inputs random_inputs(clprop_context *context, const step_shape *s, const output_kind *k)
{
    test_rng rng = test_rng_seeded(41 + s->units + 7 * s->inputs + 13 * s->batch);
    size_t weights = s->units * s->inputs, below = s->inputs * s->batch;
    size_t outputs = s->units * s->batch;
    float *w = malloc(weights * 4), *bias = malloc(s->units * 4), *a = malloc(below * 4);
    float *t = calloc(outputs, 4);
    cr_assert(w != NULL && bias != NULL && a != NULL && t != NULL);
    test_fill_uniform(&rng, w, weights, -1, 1);
    test_fill_uniform(&rng, bias, s->units, -1, 1);
    /* outputs of the layer below in its activation's range (ReLU's zeros included) */
    test_fill_uniform(&rng, a, below, k->below == CLPROP_ACTIVATION_SIGMOID ? 0.01 : -0.99, 0.99);
    if (k->below == CLPROP_ACTIVATION_RELU)
        for (size_t i = 0; i < below; i++)
            a[i] = a[i] < 0.0f ? 0.0f : a[i];
    if (k->loss == CLPROP_LOSS_CROSS_ENTROPY)
        for (size_t b = 0; b < s->batch; b++) /* one-hot columns */
            t[(b % s->units) * s->batch + b] = 1.0f;
    else
        test_fill_uniform(&rng, t, outputs, 0, 1);
    inputs in = {test_buffer(context, w, weights), test_buffer(context, bias, s->units),
                 test_buffer(context, a, below), test_buffer(context, t, outputs),
                 (clprop_dropout_mask){.rate = 0.3f, .seed = 5, .step = 2, .layer = 1, .first = 3}};
    free(w), free(bias), free(a), free(t);
    return in;
}

/* Whether the forward product's edge computes the output activation with a scalar libm call. */
static int libm_at_the_edge(const output_kind *k)
{
    return k->activation == CLPROP_ACTIVATION_SIGMOID || k->activation == CLPROP_ACTIVATION_TANH;
}

static void expect_close(const float *got, const float *want, size_t count, const char *what)
{
    double *wide = malloc(count * sizeof(double));
    cr_assert_not_null(wide);
    for (size_t i = 0; i < count; i++)
        wide[i] = want[i];
    test_assert_close(what, got, wide, count, 1e-6);
    free(wide);
}

/* The step against the launches it replaces, on a context of one GEMM family (the CPU family
 * launches the step in small work-groups, the others as the driver chooses). */
static void expect_step_equals_launches(const step_shape *s, clprop_gemm_family family)
{
    clprop_context *context =
        test_context_with((clprop_context_desc){.tuning = {.family = family}});
    for (size_t c = 0; c < sizeof kinds / sizeof *kinds; c++) {
        const output_kind *k = &kinds[c];
        inputs in = random_inputs(context, s, k);
        buffers apart = new_outputs(context, s), together = new_outputs(context, s);
        run_apart(context, s, k, &in, &apart);
        run_together(context, s, k, &in, &together);
        static const char *names[OUTPUTS] = {
            "z", "y", "output delta", "hidden delta", "loss", "squared error", "correct"};
        for (int i = 0; i < OUTPUTS; i++) {
            if (!k->deltas && (i == DELTA || i == HIDDEN))
                continue;
            float *want = malloc(apart.count[i] * 4), *got = malloc(apart.count[i] * 4);
            cr_assert(want != NULL && got != NULL);
            test_read(context, apart.out[i], want, apart.count[i]);
            test_read(context, together.out[i], got, apart.count[i]);
            char what[160];
            snprintf(what, sizeof what,
                     "%s of case %zu (%s/%s, below %s%s%s) units=%zu "
                     "inputs=%zu batch=%zu, family %s",
                     names[i], c, clprop_activation_name(k->activation), clprop_loss_name(k->loss),
                     clprop_activation_name(k->below), k->bias ? ", bias" : "",
                     k->dropout ? ", dropout" : "", s->units, s->inputs, s->batch,
                     clprop_gemm_family_name(family));
            if (libm_at_the_edge(k))
                expect_close(got, want, apart.count[i], what);
            else
                test_assert_same_bits(got, want, apart.count[i], what, 0);
            free(want), free(got);
        }
        release_outputs(&apart), release_outputs(&together);
        clReleaseMemObject(in.weights), clReleaseMemObject(in.bias);
        clReleaseMemObject(in.a_prev), clReleaseMemObject(in.targets);
    }
    clprop_context_destroy(context);
}

ParameterizedTest(step_shape *s, output_step, equals_the_launches_it_replaces)
{
    expect_step_equals_launches(s, CLPROP_GEMM_FAMILY_CPU);
    expect_step_equals_launches(s, CLPROP_GEMM_FAMILY_GPU);
}
