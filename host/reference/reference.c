#include "reference.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optimizer.h"
#include "rng.h"

double clprop_ref_activate(clprop_activation activation, double z)
{
    switch (activation) {
    case CLPROP_ACTIVATION_SIGMOID:
        return 1.0 / (1.0 + exp(-z));
    case CLPROP_ACTIVATION_TANH:
        return tanh(z);
    case CLPROP_ACTIVATION_RELU:
        return z > 0.0 ? z : 0.0;
    case CLPROP_ACTIVATION_LEAKY_RELU:
        return z > 0.0 ? z : CLPROP_REF_LEAKY_SLOPE * z;
    default:
        return z;
    }
}

double clprop_ref_derivative_from_output(clprop_activation activation, double a)
{
    switch (activation) {
    case CLPROP_ACTIVATION_SIGMOID:
        return a * (1.0 - a);
    case CLPROP_ACTIVATION_TANH:
        return 1.0 - a * a;
    case CLPROP_ACTIVATION_RELU:
        return a > 0.0 ? 1.0 : 0.0;
    case CLPROP_ACTIVATION_LEAKY_RELU:
        return a > 0.0 ? 1.0 : CLPROP_REF_LEAKY_SLOPE;
    default:
        return 1.0;
    }
}

void clprop_ref_gemm(double *c, int transpose_a, int transpose_b, size_t m, size_t n, size_t k,
                     double alpha, const double *a, size_t lda, const double *b, size_t ldb,
                     double beta, size_t ldc)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double sum = 0.0;
            for (size_t p = 0; p < k; p++) {
                double a_ip = transpose_a ? a[p * lda + i] : a[i * lda + p];
                double b_pj = transpose_b ? b[j * ldb + p] : b[p * ldb + j];
                sum += a_ip * b_pj;
            }
            double *out = &c[i * ldc + j];
            *out = beta == 0.0 ? alpha * sum : alpha * sum + beta * *out;
        }
}

static void softmax_columns(double *a, const double *z, size_t units, size_t batch)
{
    for (size_t b = 0; b < batch; b++) {
        double largest = -INFINITY, total = 0.0;
        for (size_t u = 0; u < units; u++)
            largest = fmax(largest, z[u * batch + b]);
        for (size_t u = 0; u < units; u++)
            total += a[u * batch + b] = exp(z[u * batch + b] - largest);
        for (size_t u = 0; u < units; u++)
            a[u * batch + b] /= total;
    }
}

void clprop_ref_bias_activate(double *z, double *a, const double *bias,
                              clprop_activation activation, size_t units, size_t batch)
{
    for (size_t u = 0; u < units; u++)
        for (size_t b = 0; b < batch; b++) {
            z[u * batch + b] += bias != NULL ? bias[u] : 0.0;
            a[u * batch + b] = clprop_ref_activate(activation, z[u * batch + b]);
        }
    if (activation == CLPROP_ACTIVATION_SOFTMAX)
        softmax_columns(a, z, units, batch);
}

void clprop_ref_output_delta(double *delta, const double *y, const double *t,
                             clprop_activation activation, clprop_loss loss, size_t units,
                             size_t batch)
{
    for (size_t i = 0; i < units * batch; i++) {
        double error = y[i] - t[i];
        delta[i] = loss == CLPROP_LOSS_CROSS_ENTROPY
                       ? error
                       : error * clprop_ref_derivative_from_output(activation, y[i]);
    }
}

void clprop_ref_scale_by_derivative(double *delta, const double *a, clprop_activation activation,
                                    size_t units, size_t batch)
{
    for (size_t i = 0; i < units * batch; i++)
        delta[i] *= clprop_ref_derivative_from_output(activation, a[i]);
}

void clprop_ref_sample_loss(double *loss_out, double *squared_out, double *correct_out,
                            const double *y, const double *t, clprop_loss loss, size_t units,
                            size_t batch)
{
    for (size_t b = 0; b < batch; b++) {
        double entropy = 0.0, squared = 0.0;
        size_t largest_y = 0, largest_t = 0;
        for (size_t u = 0; u < units; u++) {
            double yv = y[u * batch + b], tv = t[u * batch + b];
            squared += (yv - tv) * (yv - tv);
            entropy -= tv != 0.0 ? tv * log(fmax(yv, DBL_MIN)) : 0.0;
            largest_y = yv > y[largest_y * batch + b] ? u : largest_y;
            largest_t = tv > t[largest_t * batch + b] ? u : largest_t;
        }
        loss_out[b] = loss == CLPROP_LOSS_CROSS_ENTROPY ? entropy : 0.5 * squared;
        if (squared_out != NULL)
            squared_out[b] = squared;
        if (correct_out != NULL)
            correct_out[b] = largest_y == largest_t;
    }
}

void clprop_ref_bias_gradient(double *gradient, const double *delta, size_t units, size_t batch)
{
    for (size_t u = 0; u < units; u++) {
        double total = 0.0;
        for (size_t b = 0; b < batch; b++)
            total += delta[u * batch + b];
        gradient[u] = total;
    }
}

static double sign_of(double value)
{
    return (value > 0.0) - (value < 0.0);
}

void clprop_ref_update(double *w, const double *g, double *slot0, double *slot1,
                       const clprop_optimizer *optimizer, unsigned long long step, size_t batch,
                       double rate, size_t count)
{
    const clprop_optimizer *o = optimizer;
    double scale = 1.0 / (double)batch, decay = o->weight_decay;
    double correction1 = 1.0 / (1.0 - pow(o->beta1, (double)step));
    double correction2 = 1.0 / (1.0 - pow(o->beta2, (double)step));
    for (size_t i = 0; i < count; i++) {
        double gradient = g[i] * scale;
        switch (o->kind) {
        case CLPROP_OPTIMIZER_MOMENTUM: {
            gradient += decay * w[i];
            slot0[i] = o->momentum * slot0[i] + gradient;
            w[i] -= rate * (o->nesterov ? gradient + o->momentum * slot0[i] : slot0[i]);
            break;
        }
        case CLPROP_OPTIMIZER_ADAM: {
            slot0[i] = o->beta1 * slot0[i] + (1.0 - o->beta1) * gradient;
            slot1[i] = o->beta2 * slot1[i] + (1.0 - o->beta2) * gradient * gradient;
            w[i] -= rate * (slot0[i] * correction1 / (sqrt(slot1[i] * correction2) + o->epsilon) +
                            decay * w[i]);
            break;
        }
        case CLPROP_OPTIMIZER_RPROP: {
            gradient += decay * w[i];
            double agreement = slot1[i] * gradient, size = slot0[i];
            if (agreement > 0.0) {
                size = fmin(size * CLPROP_RPROP_ETA_PLUS, CLPROP_RPROP_STEP_MAX);
            } else if (agreement < 0.0) {
                size = fmax(size * CLPROP_RPROP_ETA_MINUS, CLPROP_RPROP_STEP_MIN);
                gradient = 0.0;
            }
            w[i] -= sign_of(gradient) * size;
            slot0[i] = size;
            slot1[i] = gradient;
            break;
        }
        default:
            w[i] -= rate * (gradient + decay * w[i]);
        }
    }
}

/* ---- whole networks ---- */

static void free_batch_buffers(clprop_ref_net *net)
{
    for (size_t l = 0; l < net->layer_count; l++) {
        clprop_ref_layer *layer = &net->layers[l];
        free(layer->z);
        free(layer->a);
        free(layer->delta);
        layer->z = layer->a = layer->delta = NULL;
    }
    free(net->input);
    net->input = NULL;
}

static void free_optimizer_state(clprop_ref_net *net)
{
    for (size_t l = 0; l < net->layer_count; l++)
        for (int tensor = 0; tensor < 2; tensor++)
            for (int slot = 0; slot < 2; slot++) {
                free(net->layers[l].state[tensor][slot]);
                net->layers[l].state[tensor][slot] = NULL;
            }
}

int clprop_ref_set_optimizer(clprop_ref_net *net, const clprop_optimizer *optimizer)
{
    const char *problem;
    if (clprop_optimizer_resolve(optimizer, &net->optimizer, &problem) != CLPROP_SUCCESS)
        return 0;
    free_optimizer_state(net);
    net->steps = 0;
    size_t slots = clprop_optimizer_slots(net->optimizer.kind);
    for (size_t l = 0; l < net->layer_count; l++) {
        clprop_ref_layer *layer = &net->layers[l];
        size_t counts[2] = {layer->inputs * layer->outputs, layer->outputs};
        for (int tensor = 0; tensor < 2; tensor++)
            for (size_t slot = 0; slot < slots; slot++) {
                double *values = malloc(counts[tensor] * sizeof(double));
                if (values == NULL)
                    return 0;
                double start = net->optimizer.kind == CLPROP_OPTIMIZER_RPROP && slot == 0
                                   ? (double)CLPROP_RPROP_STEP_INITIAL
                                   : 0.0;
                for (size_t i = 0; i < counts[tensor]; i++)
                    values[i] = start;
                layer->state[tensor][slot] = values;
            }
    }
    return 1;
}

void clprop_ref_net_destroy(clprop_ref_net *net)
{
    if (net == NULL)
        return;
    free_batch_buffers(net);
    free_optimizer_state(net);
    for (size_t l = 0; l < net->layer_count; l++) {
        clprop_ref_layer *layer = &net->layers[l];
        free(layer->weights);
        free(layer->biases);
        free(layer->weight_gradients);
        free(layer->bias_gradients);
    }
    free(net->layers);
    free(net);
}

static int init_layer(clprop_ref_layer *layer, const clprop_net_desc *desc, size_t l,
                      const double *weights, const double *biases)
{
    layer->inputs = desc->sizes[l];
    layer->outputs = desc->sizes[l + 1];
    layer->activation =
        desc->activations != NULL ? desc->activations[l] : CLPROP_ACTIVATION_SIGMOID;
    size_t count = layer->inputs * layer->outputs;
    layer->weights = malloc(count * sizeof(double));
    layer->weight_gradients = calloc(count, sizeof(double));
    layer->bias_gradients = calloc(layer->outputs, sizeof(double));
    if (!desc->no_bias)
        layer->biases = calloc(layer->outputs, sizeof(double));
    if (!layer->weights || !layer->weight_gradients || !layer->bias_gradients ||
        (!desc->no_bias && !layer->biases))
        return 0;
    for (size_t i = 0; i < count; i++)
        layer->weights[i] = weights[i];
    for (size_t o = 0; !desc->no_bias && biases != NULL && o < layer->outputs; o++)
        layer->biases[o] = biases[o];
    return 1;
}

clprop_ref_net *clprop_ref_net_create(const clprop_net_desc *desc, const double *const *weights,
                                      const double *const *biases)
{
    clprop_ref_net *net = calloc(1, sizeof *net);
    if (net == NULL || desc->layer_count == 0)
        return free(net), NULL;
    net->layer_count = desc->layer_count;
    net->loss = desc->loss;
    const char *problem;
    clprop_optimizer_resolve(NULL, &net->optimizer, &problem);
    net->layers = calloc(desc->layer_count, sizeof *net->layers);
    if (net->layers == NULL)
        return clprop_ref_net_destroy(net), NULL;
    for (size_t l = 0; l < desc->layer_count; l++)
        if (!init_layer(&net->layers[l], desc, l, weights[l], biases ? biases[l] : NULL))
            return clprop_ref_net_destroy(net), NULL;
    return net;
}

static void allocate_batch(clprop_ref_net *net, size_t batch)
{
    free_batch_buffers(net);
    net->batch = batch;
    net->input = calloc(net->layers[0].inputs * batch, sizeof(double));
    for (size_t l = 0; l < net->layer_count; l++) {
        clprop_ref_layer *layer = &net->layers[l];
        layer->z = calloc(layer->outputs * batch, sizeof(double));
        layer->a = calloc(layer->outputs * batch, sizeof(double));
        layer->delta = calloc(layer->outputs * batch, sizeof(double));
    }
}

double *clprop_ref_widen(const float *values, size_t count)
{
    double *wide = malloc((count > 0 ? count : 1) * sizeof(double));
    for (size_t i = 0; wide != NULL && i < count; i++)
        wide[i] = values[i];
    return wide;
}

/* samples (batch × units) → columns (units × batch). */
static void to_columns(double *columns, const double *samples, size_t units, size_t batch)
{
    for (size_t b = 0; b < batch; b++)
        for (size_t u = 0; u < units; u++)
            columns[u * batch + b] = samples[b * units + u];
}

void clprop_ref_forward(clprop_ref_net *net, const double *inputs, size_t batch)
{
    allocate_batch(net, batch);
    to_columns(net->input, inputs, net->layers[0].inputs, batch);
    const double *previous = net->input;
    for (size_t l = 0; l < net->layer_count; l++) {
        clprop_ref_layer *layer = &net->layers[l];
        clprop_ref_gemm(layer->z, 0, 0, layer->outputs, batch, layer->inputs, 1.0,
                        layer->weights, layer->inputs, previous, batch, 0.0, batch);
        clprop_ref_bias_activate(layer->z, layer->a, layer->biases, layer->activation,
                                 layer->outputs, batch);
        const double *mask = net->dropout != NULL ? net->dropout[l] : NULL;
        for (size_t i = 0; mask != NULL && i < layer->outputs * batch; i++)
            layer->a[i] *= mask[i];
        previous = layer->a;
    }
}

static double mean_loss(const clprop_ref_net *net, const double *targets)
{
    const clprop_ref_layer *last = &net->layers[net->layer_count - 1];
    double *per_sample = malloc(net->batch * sizeof(double));
    clprop_ref_sample_loss(per_sample, NULL, NULL, last->a, targets, net->loss, last->outputs,
                           net->batch);
    double total = 0.0;
    for (size_t b = 0; b < net->batch; b++)
        total += per_sample[b];
    free(per_sample);
    return total / (double)net->batch;
}

double clprop_ref_loss(clprop_ref_net *net, const double *inputs, const double *targets,
                       size_t batch)
{
    clprop_ref_forward(net, inputs, batch);
    size_t outputs = net->layers[net->layer_count - 1].outputs;
    double *t = calloc(outputs * batch, sizeof(double));
    to_columns(t, targets, outputs, batch);
    double loss = mean_loss(net, t);
    free(t);
    return loss;
}

double clprop_ref_compute_gradients(clprop_ref_net *net, const double *inputs,
                                    const double *targets, size_t batch)
{
    clprop_ref_forward(net, inputs, batch);
    size_t L = net->layer_count;
    clprop_ref_layer *last = &net->layers[L - 1];
    double *t = calloc(last->outputs * batch, sizeof(double));
    to_columns(t, targets, last->outputs, batch);
    double loss = mean_loss(net, t);
    clprop_ref_output_delta(last->delta, last->a, t, last->activation, net->loss, last->outputs,
                            batch);
    free(t);
    for (size_t l = L - 1; l > 0; l--) {
        clprop_ref_layer *below = &net->layers[l - 1], *above = &net->layers[l];
        clprop_ref_gemm(below->delta, 1, 0, below->outputs, batch, above->outputs, 1.0,
                        above->weights, above->inputs, above->delta, batch, 0.0, batch);
        const double *mask = net->dropout != NULL ? net->dropout[l - 1] : NULL;
        if (mask == NULL)
            clprop_ref_scale_by_derivative(below->delta, below->a, below->activation,
                                           below->outputs, batch);
        for (size_t i = 0; mask != NULL && i < below->outputs * batch; i++) /* f′ from f(z) */
            below->delta[i] *= clprop_ref_derivative_from_output(
                                   below->activation,
                                   clprop_ref_activate(below->activation, below->z[i])) *
                               mask[i];
    }
    for (size_t l = 0; l < L; l++) {
        clprop_ref_layer *layer = &net->layers[l];
        const double *previous = l == 0 ? net->input : net->layers[l - 1].a;
        clprop_ref_gemm(layer->weight_gradients, 0, 1, layer->outputs, layer->inputs, batch, 1.0,
                        layer->delta, batch, previous, batch, 0.0, layer->inputs);
        clprop_ref_bias_gradient(layer->bias_gradients, layer->delta, layer->outputs, batch);
    }
    return loss;
}

double clprop_ref_train_batch(clprop_ref_net *net, const double *inputs, const double *targets,
                              size_t batch, double learning_rate)
{
    double loss = clprop_ref_compute_gradients(net, inputs, targets, batch);
    net->steps++;
    for (size_t l = 0; l < net->layer_count; l++) {
        clprop_ref_layer *layer = &net->layers[l];
        clprop_ref_update(layer->weights, layer->weight_gradients, layer->state[0][0],
                          layer->state[0][1], &net->optimizer, net->steps, batch, learning_rate,
                          layer->inputs * layer->outputs);
        if (layer->biases != NULL)
            clprop_ref_update(layer->biases, layer->bias_gradients, layer->state[1][0],
                              layer->state[1][1], &net->optimizer, net->steps, batch,
                              learning_rate, layer->outputs);
    }
    return loss;
}

clprop_ref_random clprop_ref_random_seeded(uint64_t seed)
{
    return (clprop_ref_random){clprop_rng_seeded(seed).state};
}

uint64_t clprop_ref_random_next(clprop_ref_random *random)
{
    clprop_rng rng = {random->state};
    uint64_t value = clprop_rng_next(&rng);
    random->state = rng.state;
    return value;
}

double clprop_ref_random_uniform(clprop_ref_random *random, double low, double high)
{
    clprop_rng rng = {random->state};
    double unit = clprop_rng_unit(&rng);
    random->state = rng.state;
    return low + (high - low) * unit;
}
