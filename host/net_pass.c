/* The passes over a batch: upload, forward, backward, gradient-descent update, read-back.
 * Everything between the upload and the read-back stays on the device. */
#include <math.h>

#include "net_internal.h"
#include "ops.h"

static size_t output_units(const clprop_net *net)
{
    return net->sizes[net->layer_count];
}

clprop_status clprop_net_upload_columns(clprop_net *net, cl_mem columns, const float *samples,
                                        size_t units, size_t batch)
{
    CLPROP_CHECK(clprop_net_write(net, net->scratch, samples, units * batch));
    return clprop_op_samples_to_columns(net->context, &net->message, columns, net->scratch, 0,
                                        units, batch);
}

/* Device columns (units × batch) → host samples (batch × units). */
static clprop_status download_columns(clprop_net *net, float *samples, cl_mem columns, size_t units,
                                      size_t batch)
{
    CLPROP_CHECK(clprop_op_columns_to_samples(net->context, &net->message, net->scratch, columns,
                                              units, batch));
    return clprop_net_read(net, net->scratch, samples, units * batch);
}

clprop_status clprop_net_upload_inputs(clprop_net *net, const float *inputs, size_t batch)
{
    return clprop_net_write(net, net->input_rows, inputs, net->sizes[0] * batch);
}

static clprop_status begin_batch(clprop_net *net, const float *inputs, const float *targets,
                                 size_t batch)
{
    if (inputs == NULL)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT, "inputs are NULL");
    CLPROP_CHECK(clprop_net_reserve_batch(net, batch));
    net->batch = batch;
    net->has_deltas = 0;
    CLPROP_CHECK(clprop_net_upload_inputs(net, inputs, batch));
    if (targets != NULL)
        CLPROP_CHECK(
            clprop_net_upload_columns(net, net->targets, targets, output_units(net), batch));
    return CLPROP_SUCCESS;
}

/* Layer l's dropout in this pass: whether it has one, and its masks in *mask. The step is the
 * updates made so far: the pass's own update comes after it. */
static int dropout_of(const clprop_net *net, size_t l, size_t dropout_first,
                      clprop_dropout_mask *mask)
{
    float rate = net->layers[l].dropout;
    if (dropout_first == CLPROP_NO_DROPOUT || !(rate > 0.0f))
        return 0;
    *mask = (clprop_dropout_mask){.rate = rate,
                                  .seed = net->dropout_seed,
                                  .step = net->optimizer_steps,
                                  .layer = (uint32_t)(l + 1),
                                  .first = (uint32_t)dropout_first};
    return 1;
}

/* Weights of an output layer small enough for the output step (clprop_op_output_step): its
 * products are then below the cost of a launch on a CPU device. Each of a step's work-items
 * multiplies them twice for its eight samples (10 × 128 for Fashion-MNIST's network). */
#define OUTPUT_STEP_MOST_WEIGHTS 4096

/* Whether the figures' launch runs the output layer's whole step: on the CPU family's devices
 * (whose launches cost tens of microseconds, as much as the small products themselves), with our
 * GEMM kernels (the output step sums as they do), and a small output layer above a hidden one
 * (the step takes the layer below's output as columns; the inputs are rows). */
static int output_step_applies(const clprop_net *net)
{
    const clprop_device_layer *last = &net->layers[net->layer_count - 1];
    return net->layer_count > 1 && net->context->gemm != CLPROP_GEMM_CLBLAST &&
           net->context->tuning.family == CLPROP_GEMM_FAMILY_CPU &&
           last->outputs * last->inputs <= OUTPUT_STEP_MOST_WEIGHTS;
}

/* Z = W·A_prev + b, A = f(Z), layer by layer, each in the product's own launch (its epilogue adds
 * the bias and writes A beside Z, and in a training pass applies the layer's dropout to A). The
 * inputs are rows (samples), X the columns of A_0 = Xᵀ: the first product is W·Xᵀ, which the GEMM
 * transposes on the way, rather than a separate pass laying the batch out as columns. When
 * `figures_next` (a pass that computes the per-sample figures next), their launch takes the output
 * layer: all of it where the output step applies, else its softmax, which needs whole columns (the
 * product leaves its biased Z); without the figures, a softmax is a launch of its own. */
clprop_status clprop_net_run_forward(clprop_net *net, size_t batch, int figures_next,
                                     size_t dropout_first)
{
    net->delta_below_output = 0;
    size_t layers = net->layer_count - (figures_next && output_step_applies(net));
    for (size_t l = 0; l < layers; l++) {
        clprop_device_layer *layer = &net->layers[l];
        int softmax = layer->activation == CLPROP_ACTIVATION_SOFTMAX;
        clprop_gemm_epilogue epilogue = {.flags = (net->has_bias ? CLPROP_EPILOGUE_BIAS : 0) |
                                                  (softmax ? 0 : CLPROP_EPILOGUE_ACTIVATE),
                                         .bias = layer->biases,
                                         .other = layer->a,
                                         .activation = layer->activation};
        if (!softmax && dropout_of(net, l, dropout_first, &epilogue.dropout))
            epilogue.flags |= CLPROP_EPILOGUE_DROPOUT;
        int first = l == 0; /* W·Xᵀ, X being the sample-major input rows as gathered */
        CLPROP_CHECK(clprop_op_gemm_fused(
            net->context, &net->message, 0, first, layer->outputs, batch, layer->inputs, 1.0f,
            layer->weights, layer->inputs, first ? net->input_rows : net->layers[l - 1].a,
            first ? layer->inputs : batch, 0.0f, layer->z, batch, &epilogue));
        if (softmax && !figures_next)
            CLPROP_CHECK(clprop_op_bias_activate(net->context, &net->message, layer->z, layer->a,
                                                 NULL, layer->activation, layer->outputs, batch));
    }
    return CLPROP_SUCCESS;
}

/* δ of layer l − 1 from layer l's: Wᵀ·δ, times f′ (and the dropout mask) in the product's store. */
static clprop_status hidden_delta(clprop_net *net, size_t l, size_t batch, size_t dropout_first)
{
    clprop_device_layer *below = &net->layers[l - 1], *above = &net->layers[l];
    clprop_gemm_epilogue derivative = {.flags = CLPROP_EPILOGUE_DERIVATIVE,
                                       .other = below->a,
                                       .activation = below->activation};
    if (dropout_of(net, l - 1, dropout_first, &derivative.dropout))
        derivative.flags |= CLPROP_EPILOGUE_DROPOUT;
    return clprop_op_gemm_fused(net->context, &net->message, 1, 0, below->outputs, batch,
                                above->outputs, 1.0f, above->weights, above->inputs, above->delta,
                                batch, 0.0f, below->delta, batch, &derivative);
}

/* Layer l's weight gradient δ·A_prevᵀ and, beside it, its bias gradient Σ_b δ. */
static clprop_status layer_gradients(clprop_net *net, size_t l, size_t batch)
{
    clprop_device_layer *layer = &net->layers[l];
    clprop_gemm_epilogue bias_gradient = {.flags = net->has_bias ? CLPROP_EPILOGUE_ROW_SUMS : 0,
                                          .row_sums = layer->bias_gradients};
    int first = l == 0; /* δ·X, X being the sample-major input rows as gathered */
    return clprop_op_gemm_fused(net->context, &net->message, 0, !first, layer->outputs,
                                layer->inputs, batch, 1.0f, layer->delta, batch,
                                first ? net->input_rows : net->layers[l - 1].a,
                                first ? layer->inputs : batch, 0.0f, layer->weight_gradients,
                                layer->inputs, &bias_gradient);
}

/* From the output delta that the figures' launch wrote: hidden deltas through Wᵀ, each product
 * multiplying by f′ as it stores (and by the layer's dropout mask and scale, the same masks as
 * the forward pass drew) — the input layer's delta is never needed —, then the gradients
 * ∇W = δ·A_prevᵀ, each product summing ∇b = Σ δ beside it. */
clprop_status clprop_net_run_backward(clprop_net *net, size_t batch, size_t dropout_first)
{
    size_t L = net->layer_count;
    for (size_t l = L - 1 - net->delta_below_output; l > 0; l--)
        CLPROP_CHECK(hidden_delta(net, l, batch, dropout_first));
    for (size_t l = 0; l < L; l++)
        CLPROP_CHECK(layer_gradients(net, l, batch));
    net->has_deltas = 1;
    return CLPROP_SUCCESS;
}

clprop_status clprop_net_run_backward_by_layer(clprop_net *net, size_t batch,
                                               size_t dropout_first, clprop_layer_done_fn done,
                                               void *user)
{
    for (size_t l = net->layer_count; l-- > 0;) {
        CLPROP_CHECK(layer_gradients(net, l, batch));
        CLPROP_CHECK(done(user, l));
        if (l > 0 && !(l == net->layer_count - 1 && net->delta_below_output))
            CLPROP_CHECK(hidden_delta(net, l, batch, dropout_first));
    }
    net->has_deltas = 1;
    return CLPROP_SUCCESS;
}

clprop_status clprop_net_run_update(clprop_net *net, float learning_rate, size_t batch)
{
    net->optimizer_steps++;
    clprop_update_rule rule =
        clprop_optimizer_rule(&net->optimizer, net->optimizer_steps, batch, learning_rate);
    /* one launch over the whole store; its padding has zero gradients and stays as it is */
    return clprop_op_update(net->context, &net->message, &rule, net->parameters, net->gradients,
                            net->slots[0], net->slots[1], net->store_floats);
}

/* The figures' launch as the output step: the output layer's forward product from the layer
 * below's output, and in a training pass the delta below it. */
static clprop_status run_output_step(clprop_net *net, size_t batch, cl_mem loss, cl_mem squared,
                                     cl_mem correct, size_t first, int with_output_delta,
                                     size_t dropout_first)
{
    size_t L = net->layer_count;
    clprop_device_layer *last = &net->layers[L - 1], *below = &net->layers[L - 2];
    clprop_dropout_mask mask;
    int masked = dropout_of(net, L - 2, dropout_first, &mask);
    clprop_output_step step = {.loss_out = loss,
                               .squared_out = squared,
                               .correct_out = correct,
                               .first = first,
                               .z = last->z,
                               .y = last->a,
                               .targets = net->targets,
                               .weights = last->weights,
                               .bias = net->has_bias ? last->biases : NULL,
                               .a_prev = below->a,
                               .units = last->outputs,
                               .inputs = last->inputs,
                               .batch = batch,
                               .activation = last->activation,
                               .loss = net->loss,
                               .delta = with_output_delta ? last->delta : NULL,
                               .hidden_delta = with_output_delta ? below->delta : NULL,
                               .hidden_activation = below->activation,
                               .hidden_dropout = masked ? &mask : NULL};
    CLPROP_CHECK(clprop_op_output_step(net->context, &net->message, &step));
    net->delta_below_output = with_output_delta;
    return CLPROP_SUCCESS;
}

clprop_status clprop_net_run_figures(clprop_net *net, size_t batch, cl_mem loss, cl_mem squared,
                                     cl_mem correct, size_t first, int with_output_delta,
                                     size_t dropout_first)
{
    if (output_step_applies(net))
        return run_output_step(net, batch, loss, squared, correct, first, with_output_delta,
                               dropout_first);
    clprop_device_layer *last = &net->layers[net->layer_count - 1];
    /* the forward pass left a softmax output's z for this launch */
    cl_mem softmax_z = last->activation == CLPROP_ACTIVATION_SOFTMAX ? last->z : NULL;
    return clprop_op_sample_loss(net->context, &net->message, loss, squared, correct, first,
                                 last->a, net->targets, net->loss, last->outputs, batch,
                                 with_output_delta ? last->delta : NULL, last->activation,
                                 softmax_z);
}

/* The mean of the per-sample losses, summed on the host in double and in order. */
static clprop_status read_mean_loss(clprop_net *net, size_t batch, double *loss)
{
    CLPROP_CHECK(clprop_net_read(net, net->sample_loss, net->host_loss, batch));
    double total = 0.0;
    for (size_t b = 0; b < batch; b++)
        total += net->host_loss[b];
    *loss = total / (double)batch;
    if (!isfinite(*loss))
        return clprop_fail(&net->message, CLPROP_ERROR_NOT_FINITE,
                           "the loss on this batch is not finite (%g)", *loss);
    return CLPROP_SUCCESS;
}

clprop_status clprop_net_forward(clprop_net *net, const float *inputs, size_t batch, float *outputs)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    CLPROP_CHECK(begin_batch(net, inputs, NULL, batch));
    CLPROP_CHECK(clprop_net_run_forward(net, batch, 0, CLPROP_NO_DROPOUT));
    if (outputs == NULL)
        return CLPROP_SUCCESS;
    return download_columns(net, outputs, net->layers[net->layer_count - 1].a, output_units(net),
                            batch);
}

static clprop_status forward_backward(clprop_net *net, const float *inputs, const float *targets,
                                      size_t batch)
{
    if (targets == NULL)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT, "targets are NULL");
    CLPROP_CHECK(begin_batch(net, inputs, targets, batch));
    CLPROP_CHECK(clprop_net_run_forward(net, batch, 1, 0));
    CLPROP_CHECK(clprop_net_run_figures(net, batch, net->sample_loss, net->sample_squared,
                                        net->sample_correct, 0, 1, 0));
    return clprop_net_run_backward(net, batch, 0);
}

clprop_status clprop_net_compute_gradients(clprop_net *net, const float *inputs,
                                           const float *targets, size_t batch, double *loss)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    CLPROP_CHECK(forward_backward(net, inputs, targets, batch));
    return loss != NULL ? read_mean_loss(net, batch, loss) : CLPROP_SUCCESS;
}

clprop_status clprop_net_train_batch(clprop_net *net, const float *inputs, const float *targets,
                                     size_t batch, float learning_rate, double *loss)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    if (!(isfinite(learning_rate) && learning_rate > 0.0f))
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the learning rate must be a positive number, not %g",
                           (double)learning_rate);
    CLPROP_CHECK(forward_backward(net, inputs, targets, batch));
    CLPROP_CHECK(clprop_net_run_update(net, learning_rate, batch));
    return loss != NULL ? read_mean_loss(net, batch, loss) : CLPROP_SUCCESS;
}

clprop_status clprop_net_get_layer_state(clprop_net *net, size_t layer, float *z, float *a,
                                         float *delta)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    if (layer > net->layer_count)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "layer %zu does not exist (layers are 0..%zu)", layer, net->layer_count);
    if (net->batch == 0)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT, "no pass has run yet");
    size_t units = net->sizes[layer], batch = net->batch;
    if (layer == 0) {
        if (z != NULL || delta != NULL)
            return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                               "the input layer has activations only");
        return a != NULL ? clprop_net_read(net, net->input_rows, a, units * batch) : CLPROP_SUCCESS;
    }
    if (delta != NULL && !net->has_deltas)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "no deltas yet: run a backward pass first");
    clprop_device_layer *source = &net->layers[layer - 1];
    if (z != NULL)
        CLPROP_CHECK(download_columns(net, z, source->z, units, batch));
    if (a != NULL)
        CLPROP_CHECK(download_columns(net, a, source->a, units, batch));
    if (delta != NULL)
        CLPROP_CHECK(download_columns(net, delta, source->delta, units, batch));
    return CLPROP_SUCCESS;
}
