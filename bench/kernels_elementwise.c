/* clprop-bench: the trainer's kernels other than GEMM, each checked against host/reference.h
 * and then timed. Their work is memory traffic, so they report GB/s: the bytes each must read
 * and write once (the least it could move), over the median time. Matrices are (units × batch),
 * samples as columns, as on the device.
 *
 * Build: cmake --build build-bench -j2 --target clprop-bench
 * Run:   ./build-bench/clprop-bench kernels --quick */
#include <stdio.h>

#include "bench.h"
#include "optimizer.h"
#include "ops.h"
#include "reference.h"

#define FLOAT_BYTES 4.0
#define GATHER_DATA_SET_SAMPLES 8192 /* the data set the gather picks its batch from */

static float *random_floats(bench_scratch *scratch, clprop_rng *rng, size_t count, double low,
                            double high)
{
    return bench_keep(scratch, bench_random_floats(rng, count, low, high));
}

static double *widen(bench_scratch *scratch, const float *values, size_t count)
{
    return bench_keep(scratch, bench_widen(values, count));
}

static double *doubles(bench_scratch *scratch, size_t count)
{
    return bench_keep(scratch, bench_alloc(count * sizeof(double)));
}

static cl_mem floats_buffer(bench_scratch *scratch, const float *values, size_t count)
{
    return bench_scratch_buffer(scratch, values, count * sizeof(float));
}

/* Validates, times and prints one row; then releases the measurement's scratch. */
static void measure_row(bench_session *session, bench_scratch *scratch, bench_elementwise_row *row,
                        const bench_op *op, const bench_output *outputs, size_t output_count)
{
    char what[128], shape[64];
    if (row->batch == 0)
        snprintf(shape, sizeof shape, "count=%zu", row->units);
    else
        snprintf(shape, sizeof shape, "units=%zu batch=%zu", row->units, row->batch);
    snprintf(what, sizeof what, "%s%s%s %s", row->kernel, row->variant != NULL ? " " : "",
             row->variant != NULL ? row->variant : "", shape);
    row->result = bench_measure(session, session->native, op, outputs, output_count, what);
    bench_print_elementwise_row(session, row);
    bench_scratch_release(scratch);
}

/* ---- bias_activate: z += bias, a = f(z) (softmax: per column) ---- */

typedef struct bias_activate_args {
    cl_mem z, a, bias;
    clprop_activation activation;
    size_t units, batch;
} bias_activate_args;

static clprop_status run_bias_activate(clprop_context *context, clprop_message *message,
                                       const void *args)
{
    const bias_activate_args *g = args;
    return clprop_op_bias_activate(context, message, g->z, g->a, g->bias, g->activation, g->units,
                                   g->batch);
}

void bench_bias_activate(bench_session *session, const char *label, clprop_activation activation,
                         size_t units, size_t batch)
{
    if (!bench_selected(session, label, "bias_activate"))
        return;
    bench_scratch scratch = {.context = session->native};
    size_t count = units * batch;
    float *z = random_floats(&scratch, &session->rng, count, -6.0, 6.0);
    float *bias = random_floats(&scratch, &session->rng, units, -1.0, 1.0);
    double *want_z = widen(&scratch, z, count), *want_a = doubles(&scratch, count);
    clprop_ref_bias_activate(want_z, want_a, widen(&scratch, bias, units), activation, units,
                             batch);
    bias_activate_args args = {floats_buffer(&scratch, NULL, count),
                               floats_buffer(&scratch, NULL, count),
                               floats_buffer(&scratch, bias, units),
                               activation,
                               units,
                               batch};
    /* z is updated in place: it gets its first values back before every run */
    bench_op op = {run_bias_activate, &args, args.z, floats_buffer(&scratch, z, count),
                   count * sizeof(float)};
    bench_output outputs[] = {{"z", args.z, count, want_z, NULL, count},
                              {"a", args.a, count, want_a, NULL, count}};
    bench_elementwise_row row = {label, "bias_activate", clprop_activation_name(activation),
                                 units, batch,           FLOAT_BYTES * (3.0 * count + units),
                                 {0}};
    measure_row(session, &scratch, &row, &op, outputs, 2);
}

/* ---- output_delta: δ = y − t (softmax with cross-entropy, the trainer's output layer) ---- */

typedef struct output_delta_args {
    cl_mem delta, y, t;
    size_t units, batch;
} output_delta_args;

static clprop_status run_output_delta(clprop_context *context, clprop_message *message,
                                      const void *args)
{
    const output_delta_args *g = args;
    return clprop_op_output_delta(context, message, g->delta, g->y, g->t, CLPROP_ACTIVATION_SOFTMAX,
                                  CLPROP_LOSS_CROSS_ENTROPY, g->units, g->batch);
}

void bench_output_delta(bench_session *session, const char *label, size_t units, size_t batch)
{
    if (!bench_selected(session, label, "output_delta"))
        return;
    bench_scratch scratch = {.context = session->native};
    size_t count = units * batch;
    float *y = random_floats(&scratch, &session->rng, count, 0.01, 0.99);
    float *t = random_floats(&scratch, &session->rng, count, 0.0, 1.0);
    double *want = doubles(&scratch, count);
    clprop_ref_output_delta(want, widen(&scratch, y, count), widen(&scratch, t, count),
                            CLPROP_ACTIVATION_SOFTMAX, CLPROP_LOSS_CROSS_ENTROPY, units, batch);
    output_delta_args args = {floats_buffer(&scratch, NULL, count),
                              floats_buffer(&scratch, y, count), floats_buffer(&scratch, t, count),
                              units, batch};
    bench_op op = {run_output_delta, &args, NULL, NULL, 0};
    bench_output delta = {"delta", args.delta, count, want, NULL, count};
    bench_elementwise_row row = {
        label, "output_delta", "softmax/ce", units, batch, FLOAT_BYTES * 3.0 * count, {0}};
    measure_row(session, &scratch, &row, &op, &delta, 1);
}

/* ---- scale_by_derivative: hidden δ ⊙= f′(z), from a = f(z), sigmoid ---- */

typedef struct scale_args {
    cl_mem delta, a;
    size_t units, batch;
} scale_args;

static clprop_status run_scale_by_derivative(clprop_context *context, clprop_message *message,
                                             const void *args)
{
    const scale_args *g = args;
    return clprop_op_scale_by_derivative(context, message, g->delta, g->a,
                                         CLPROP_ACTIVATION_SIGMOID, g->units, g->batch);
}

void bench_scale_by_derivative(bench_session *session, const char *label, size_t units,
                               size_t batch)
{
    if (!bench_selected(session, label, "scale_by_derivative"))
        return;
    bench_scratch scratch = {.context = session->native};
    size_t count = units * batch;
    float *delta = random_floats(&scratch, &session->rng, count, -1.0, 1.0);
    float *a = random_floats(&scratch, &session->rng, count, 0.01, 0.99);
    double *want = widen(&scratch, delta, count);
    clprop_ref_scale_by_derivative(want, widen(&scratch, a, count), CLPROP_ACTIVATION_SIGMOID,
                                   units, batch);
    scale_args args = {floats_buffer(&scratch, NULL, count), floats_buffer(&scratch, a, count),
                       units, batch};
    /* δ shrinks by f′ ≤ ¼ on every run; restored each time it cannot drift into denormals */
    bench_op op = {run_scale_by_derivative, &args, args.delta,
                   floats_buffer(&scratch, delta, count), count * sizeof(float)};
    bench_output output = {"delta", args.delta, count, want, NULL, count};
    bench_elementwise_row row = {label, "scale_by_derivative",     "sigmoid", units,
                                 batch, FLOAT_BYTES * 3.0 * count, {0}};
    measure_row(session, &scratch, &row, &op, &output, 1);
}

/* ---- bias_gradient: ∇b[u] = Σ_b δ[u, b] ---- */

typedef struct bias_gradient_args {
    cl_mem gradient, delta;
    size_t units, batch;
} bias_gradient_args;

static clprop_status run_bias_gradient(clprop_context *context, clprop_message *message,
                                       const void *args)
{
    const bias_gradient_args *g = args;
    return clprop_op_bias_gradient(context, message, g->gradient, g->delta, g->units, g->batch);
}

void bench_bias_gradient(bench_session *session, const char *label, size_t units, size_t batch)
{
    if (!bench_selected(session, label, "bias_gradient"))
        return;
    bench_scratch scratch = {.context = session->native};
    size_t count = units * batch;
    float *delta = random_floats(&scratch, &session->rng, count, -1.0, 1.0);
    double *want = doubles(&scratch, units);
    clprop_ref_bias_gradient(want, widen(&scratch, delta, count), units, batch);
    bias_gradient_args args = {floats_buffer(&scratch, NULL, units),
                               floats_buffer(&scratch, delta, count), units, batch};
    bench_op op = {run_bias_gradient, &args, NULL, NULL, 0};
    bench_output gradient = {"gradient", args.gradient, units, want, NULL, units};
    bench_elementwise_row row = {
        label, "bias_gradient", NULL, units, batch, FLOAT_BYTES * (count + units), {0}};
    measure_row(session, &scratch, &row, &op, &gradient, 1);
}

/* ---- sample_loss: a training step's per-sample figures — softmax of the output layer's z,
 * cross-entropy, Σ(y − t)², the correct flag and the output delta in one launch, as
 * host/net_pass.c runs it ---- */

typedef struct sample_loss_args {
    cl_mem loss, squared, correct, y, t, delta, z;
    size_t units, batch;
} sample_loss_args;

static clprop_status run_sample_loss(clprop_context *context, clprop_message *message,
                                     const void *args)
{
    const sample_loss_args *g = args;
    return clprop_op_sample_loss(context, message, g->loss, g->squared, g->correct, 0, g->y, g->t,
                                 CLPROP_LOSS_CROSS_ENTROPY, g->units, g->batch, g->delta,
                                 CLPROP_ACTIVATION_SOFTMAX, g->z);
}

/* One-hot targets, as class labels give: one 1 per column. */
static float *one_hot_targets(bench_scratch *scratch, clprop_rng *rng, size_t units, size_t batch)
{
    float *t = random_floats(scratch, rng, units * batch, 0.0, 0.0);
    for (size_t b = 0; b < batch; b++)
        t[(clprop_rng_next(rng) % units) * batch + b] = 1.0f;
    return t;
}

void bench_sample_loss(bench_session *session, const char *label, size_t units, size_t batch)
{
    if (!bench_selected(session, label, "sample_loss"))
        return;
    bench_scratch scratch = {.context = session->native};
    size_t count = units * batch;
    float *z = random_floats(&scratch, &session->rng, count, -6.0, 6.0);
    float *t = one_hot_targets(&scratch, &session->rng, units, batch);
    double *want_z = widen(&scratch, z, count), *want_t = widen(&scratch, t, count);
    double *want_y = doubles(&scratch, count), *want_delta = doubles(&scratch, count);
    double *loss = doubles(&scratch, batch), *squared = doubles(&scratch, batch);
    double *correct = doubles(&scratch, batch);
    clprop_ref_bias_activate(want_z, want_y, NULL, CLPROP_ACTIVATION_SOFTMAX, units, batch);
    clprop_ref_output_delta(want_delta, want_y, want_t, CLPROP_ACTIVATION_SOFTMAX,
                            CLPROP_LOSS_CROSS_ENTROPY, units, batch);
    clprop_ref_sample_loss(loss, squared, correct, want_y, want_t, CLPROP_LOSS_CROSS_ENTROPY,
                           units, batch);
    sample_loss_args args = {floats_buffer(&scratch, NULL, batch),
                             floats_buffer(&scratch, NULL, batch),
                             floats_buffer(&scratch, NULL, batch),
                             floats_buffer(&scratch, NULL, count),
                             floats_buffer(&scratch, t, count),
                             floats_buffer(&scratch, NULL, count),
                             floats_buffer(&scratch, z, count),
                             units,
                             batch};
    bench_op op = {run_sample_loss, &args, NULL, NULL, 0};
    bench_output outputs[] = {{"loss", args.loss, batch, loss, NULL, batch},
                              {"squared", args.squared, batch, squared, NULL, batch},
                              {"correct", args.correct, batch, correct, NULL, batch},
                              {"y", args.y, count, want_y, NULL, count},
                              {"delta", args.delta, count, want_delta, NULL, count}};
    /* z is read, y, delta and the three figures written */
    bench_elementwise_row row = {label, "sample_loss", "softmax/ce, delta", units, batch,
                                 FLOAT_BYTES * (4.0 * count + 3.0 * batch), {0}};
    measure_row(session, &scratch, &row, &op, outputs, 5);
}

/* ---- output_step: the output layer's whole step — its forward product and softmax, the
 * figures and output delta, the delta of the sigmoid layer below — in one launch, as
 * host/net_pass.c runs it on a CPU device ---- */

typedef struct output_step_args {
    clprop_output_step step;
} output_step_args;

static clprop_status run_output_step(clprop_context *context, clprop_message *message,
                                     const void *args)
{
    return clprop_op_output_step(context, message, &((const output_step_args *)args)->step);
}

void bench_output_step(bench_session *session, const char *label, size_t units, size_t inputs,
                       size_t batch)
{
    if (!bench_selected(session, label, "output_step"))
        return;
    bench_scratch scratch = {.context = session->native};
    size_t count = units * batch, below = inputs * batch;
    float *w = random_floats(&scratch, &session->rng, units * inputs, -0.3, 0.3);
    float *bias = random_floats(&scratch, &session->rng, units, -0.3, 0.3);
    float *a = random_floats(&scratch, &session->rng, below, 0.01, 0.99);
    float *t = one_hot_targets(&scratch, &session->rng, units, batch);
    double *want_w = widen(&scratch, w, units * inputs), *want_b = widen(&scratch, bias, units);
    double *want_a = widen(&scratch, a, below), *want_t = widen(&scratch, t, count);
    double *want_z = doubles(&scratch, count), *want_y = doubles(&scratch, count);
    double *want_delta = doubles(&scratch, count), *want_hidden = doubles(&scratch, below);
    double *loss = doubles(&scratch, batch), *squared = doubles(&scratch, batch);
    double *correct = doubles(&scratch, batch);
    clprop_ref_gemm(want_z, 0, 0, units, batch, inputs, 1.0, want_w, inputs, want_a, batch, 0.0,
                    batch);
    clprop_ref_bias_activate(want_z, want_y, want_b, CLPROP_ACTIVATION_SOFTMAX, units, batch);
    clprop_ref_output_delta(want_delta, want_y, want_t, CLPROP_ACTIVATION_SOFTMAX,
                            CLPROP_LOSS_CROSS_ENTROPY, units, batch);
    clprop_ref_sample_loss(loss, squared, correct, want_y, want_t, CLPROP_LOSS_CROSS_ENTROPY, units,
                           batch);
    clprop_ref_gemm(want_hidden, 1, 0, inputs, batch, units, 1.0, want_w, inputs, want_delta, batch,
                    0.0, batch);
    clprop_ref_scale_by_derivative(want_hidden, want_a, CLPROP_ACTIVATION_SIGMOID, inputs, batch);
    output_step_args args = {{.loss_out = floats_buffer(&scratch, NULL, batch),
                              .squared_out = floats_buffer(&scratch, NULL, batch),
                              .correct_out = floats_buffer(&scratch, NULL, batch),
                              .z = floats_buffer(&scratch, NULL, count),
                              .y = floats_buffer(&scratch, NULL, count),
                              .targets = floats_buffer(&scratch, t, count),
                              .weights = floats_buffer(&scratch, w, units * inputs),
                              .bias = floats_buffer(&scratch, bias, units),
                              .a_prev = floats_buffer(&scratch, a, below),
                              .units = units,
                              .inputs = inputs,
                              .batch = batch,
                              .activation = CLPROP_ACTIVATION_SOFTMAX,
                              .loss = CLPROP_LOSS_CROSS_ENTROPY,
                              .delta = floats_buffer(&scratch, NULL, count),
                              .hidden_delta = floats_buffer(&scratch, NULL, below),
                              .hidden_activation = CLPROP_ACTIVATION_SIGMOID}};
    const clprop_output_step *s = &args.step;
    bench_op op = {run_output_step, &args, NULL, NULL, 0};
    bench_output outputs[] = {{"loss", s->loss_out, batch, loss, NULL, batch},
                              {"squared", s->squared_out, batch, squared, NULL, batch},
                              {"correct", s->correct_out, batch, correct, NULL, batch},
                              {"z", s->z, count, want_z, NULL, count},
                              {"y", s->y, count, want_y, NULL, count},
                              {"delta", s->delta, count, want_delta, NULL, count},
                              {"hidden delta", s->hidden_delta, below, want_hidden, NULL, below}};
    /* the weights, a_prev (twice: product and derivative) and t read; z, y, delta, the hidden
     * delta and the three figures written */
    double bytes =
        FLOAT_BYTES * (units * inputs + 2.0 * below + count + 3.0 * count + below + 3.0 * batch);
    bench_elementwise_row row = {label, "output_step", "softmax/ce, deltas", units, batch, bytes,
                                 {0}};
    measure_row(session, &scratch, &row, &op, outputs, 7);
}

/* ---- gather_batch: the epoch's shuffled batch, picked from the device-resident data set, the
 * inputs sample-major (rows: batch × units) and the targets as columns (units × batch), each
 * measured alone ---- */

typedef struct gather_args {
    cl_mem out, samples, order;
    int bytes; /* samples stored as bytes (IDX pixels), each becoming byte / 255 */
    int rows;  /* sample-major output */
    size_t units, batch;
} gather_args;

static clprop_status run_gather(clprop_context *context, clprop_message *message, const void *args)
{
    const gather_args *g = args;
    if (g->rows) /* inputs only */
        return clprop_op_gather_batch(context, message, g->out, g->samples, g->bytes, NULL, NULL,
                                      g->order, 0, g->units, 0, g->batch);
    /* targets only: they are never stored as bytes */
    return clprop_op_gather_batch(context, message, NULL, NULL, 0, g->out, g->samples, g->order, 0,
                                  0, g->units, g->batch);
}

/* A random permutation of 0 .. count−1 (Fisher–Yates). */
static cl_uint *shuffled_order(bench_scratch *scratch, clprop_rng *rng, size_t count)
{
    cl_uint *order = bench_keep(scratch, bench_alloc(count * sizeof *order));
    for (size_t i = 0; i < count; i++)
        order[i] = (cl_uint)i;
    for (size_t i = count - 1; i > 0; i--) {
        size_t j = clprop_rng_next(rng) % (i + 1);
        cl_uint swap = order[i];
        order[i] = order[j];
        order[j] = swap;
    }
    return order;
}

/* A data set of `count` values as floats in [0, 1), or as bytes; *values gets each as a double. */
static cl_mem random_data_set(bench_scratch *scratch, clprop_rng *rng, size_t count, int bytes,
                              double **values)
{
    *values = doubles(scratch, count);
    if (!bytes) {
        float *data = random_floats(scratch, rng, count, 0.0, 1.0);
        for (size_t i = 0; i < count; i++)
            (*values)[i] = data[i];
        return floats_buffer(scratch, data, count);
    }
    unsigned char *data = bench_keep(scratch, bench_alloc(count));
    for (size_t i = 0; i < count; i++) {
        data[i] = (unsigned char)(clprop_rng_next(rng) >> 56);
        (*values)[i] = data[i] / 255.0;
    }
    return bench_scratch_buffer(scratch, data, count);
}

void bench_gather(bench_session *session, const char *label, size_t units, size_t batch, int bytes,
                  int rows)
{
    if (!bench_selected(session, label, rows ? "gather_rows" : "gather_columns"))
        return;
    bench_scratch scratch = {.context = session->native};
    size_t samples = GATHER_DATA_SET_SAMPLES > batch ? GATHER_DATA_SET_SAMPLES : batch;
    double *data;
    cl_mem data_buffer = random_data_set(&scratch, &session->rng, samples * units, bytes, &data);
    cl_uint *order = shuffled_order(&scratch, &session->rng, samples);
    double *want = doubles(&scratch, units * batch);
    for (size_t u = 0; u < units; u++)
        for (size_t b = 0; b < batch; b++)
            want[rows ? b * units + u : u * batch + b] = data[(size_t)order[b] * units + u];
    gather_args args = {floats_buffer(&scratch, NULL, units * batch),
                        data_buffer,
                        bench_scratch_buffer(&scratch, order, samples * sizeof *order),
                        bytes,
                        rows,
                        units,
                        batch};
    bench_op op = {run_gather, &args, NULL, NULL, 0};
    bench_output out = {
        rows ? "rows" : "columns", args.out, units * batch, want, NULL, units * batch};
    double element = bytes ? 1.0 : FLOAT_BYTES;
    bench_elementwise_row row = {label,
                                 rows ? "gather_rows" : "gather_columns",
                                 bytes ? "bytes" : "floats",
                                 units,
                                 batch,
                                 (element + FLOAT_BYTES) * units * batch + FLOAT_BYTES * batch,
                                 {0}};
    measure_row(session, &scratch, &row, &op, &out, 1);
}

/* ---- samples_to_columns: the gathered rows (batch × units) as columns (units × batch) ---- */

typedef struct transpose_args {
    cl_mem columns, rows;
    size_t units, batch;
} transpose_args;

static clprop_status run_samples_to_columns(clprop_context *context, clprop_message *message,
                                            const void *args)
{
    const transpose_args *g = args;
    return clprop_op_samples_to_columns(context, message, g->columns, g->rows, 0, g->units,
                                        g->batch);
}

void bench_samples_to_columns(bench_session *session, const char *label, size_t units, size_t batch)
{
    if (!bench_selected(session, label, "samples_to_columns"))
        return;
    bench_scratch scratch = {.context = session->native};
    size_t count = units * batch;
    float *rows = random_floats(&scratch, &session->rng, count, 0.0, 1.0);
    double *want = doubles(&scratch, count);
    for (size_t u = 0; u < units; u++)
        for (size_t b = 0; b < batch; b++)
            want[u * batch + b] = rows[b * units + u];
    transpose_args args = {floats_buffer(&scratch, NULL, count),
                           floats_buffer(&scratch, rows, count), units, batch};
    bench_op op = {run_samples_to_columns, &args, NULL, NULL, 0};
    bench_output columns = {"columns", args.columns, count, want, NULL, count};
    bench_elementwise_row row = {label, "samples_to_columns",      NULL, units,
                                 batch, FLOAT_BYTES * 2.0 * count, {0}};
    measure_row(session, &scratch, &row, &op, &columns, 1);
}

/* ---- update: one optimizer step over a layer's weights or biases (in place, with the
 * optimizer's state slots) ---- */

#define UPDATE_BATCH 32
#define UPDATE_RATE 0.01f

typedef struct update_args {
    clprop_update_rule rule;
    cl_mem w, g, slot0, slot1;
    size_t count;
} update_args;

static clprop_status run_update(clprop_context *context, clprop_message *message, const void *args)
{
    const update_args *u = args;
    return clprop_op_update(context, message, &u->rule, u->w, u->g, u->slot0, u->slot1, u->count);
}

/* The slots as an update in the middle of training would find them: momentum's velocity and
 * Adam's first moment around zero, Adam's second moment positive, RPROP's steps within its
 * bounds and its previous gradient of either sign (so every branch is taken). */
static float *starting_slot(bench_scratch *scratch, clprop_rng *rng, clprop_optimizer_kind kind,
                            int slot, size_t count)
{
    if (kind == CLPROP_OPTIMIZER_RPROP)
        return slot == 0 ? random_floats(scratch, rng, count, 0.001, 0.1)
                         : random_floats(scratch, rng, count, -1.0, 1.0);
    if (kind == CLPROP_OPTIMIZER_ADAM && slot == 1)
        return random_floats(scratch, rng, count, 0.0, 0.01);
    return random_floats(scratch, rng, count, -0.1, 0.1);
}

void bench_update(bench_session *session, const char *label, clprop_optimizer_kind kind,
                  size_t count)
{
    if (!bench_selected(session, label, "update"))
        return;
    bench_scratch scratch = {.context = session->native};
    clprop_optimizer optimizer = {.kind = kind};
    const char *problem = NULL;
    bench_require(clprop_optimizer_resolve(&optimizer, &optimizer, &problem),
                  "resolving the optimizer", problem);
    size_t slots = clprop_optimizer_slots(kind);
    float *w = random_floats(&scratch, &session->rng, count, -1.0, 1.0);
    float *g = random_floats(&scratch, &session->rng, count, -1.0, 1.0);
    float *slot[2] = {NULL, NULL};
    double *want_slot[2] = {NULL, NULL};
    for (size_t s = 0; s < slots; s++) {
        slot[s] = starting_slot(&scratch, &session->rng, kind, (int)s, count);
        want_slot[s] = widen(&scratch, slot[s], count);
    }
    double *want_w = widen(&scratch, w, count);
    clprop_ref_update(want_w, widen(&scratch, g, count), want_slot[0], want_slot[1], &optimizer, 1,
                      UPDATE_BATCH, UPDATE_RATE, count);
    update_args args = {clprop_optimizer_rule(&optimizer, 1, UPDATE_BATCH, UPDATE_RATE),
                        floats_buffer(&scratch, NULL, count),
                        floats_buffer(&scratch, g, count),
                        slots > 0 ? floats_buffer(&scratch, slot[0], count) : NULL,
                        slots > 1 ? floats_buffer(&scratch, slot[1], count) : NULL,
                        count};
    /* w gets its first values back before every run; the slots start as above for the
     * validation run and then carry on as they would in training */
    bench_op op = {run_update, &args, args.w, floats_buffer(&scratch, w, count),
                   count * sizeof(float)};
    bench_output outputs[] = {{"w", args.w, count, want_w, NULL, count},
                              {"slot 0", args.slot0, count, want_slot[0], NULL, count},
                              {"slot 1", args.slot1, count, want_slot[1], NULL, count}};
    bench_elementwise_row row = {label, "update", clprop_optimizer_name(kind),
                                 count, 0,        FLOAT_BYTES * (3.0 + 2.0 * (double)slots) * count,
                                 {0}};
    measure_row(session, &scratch, &row, &op, outputs, 1 + slots);
}
