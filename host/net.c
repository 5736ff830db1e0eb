/* Networks on the device: shape, weights, and the memory they own. The passes are in net_pass.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "net_internal.h"
#include "rng.h"
#include "status.h"

#define MAX_LAYERS 1024

void clprop_net_release_buffer(cl_mem *buffer)
{
    if (*buffer != NULL)
        clReleaseMemObject(*buffer);
    *buffer = NULL;
}

/* size_t products that report overflow instead of wrapping. */
static int multiply(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return 0;
    *out = a * b;
    return 1;
}

static clprop_status check_desc(const clprop_net_desc *desc, clprop_message *message)
{
    if (desc == NULL || desc->sizes == NULL || desc->layer_count == 0)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "a network needs at least one weight layer (two sizes)");
    if (desc->layer_count > MAX_LAYERS)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "%zu layers is more than the %d clprop supports", desc->layer_count,
                           MAX_LAYERS);
    for (size_t l = 0; l <= desc->layer_count; l++)
        if (desc->sizes[l] == 0)
            return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                               "layer %zu has zero units", l);
    for (size_t l = 0; desc->activations != NULL && l < desc->layer_count; l++) {
        clprop_activation activation = desc->activations[l];
        if (clprop_activation_name(activation) == NULL)
            return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                               "layer %zu: unknown activation %d", l + 1, (int)activation);
        int last = l + 1 == desc->layer_count;
        if (activation == CLPROP_ACTIVATION_SOFTMAX &&
            (!last || desc->loss != CLPROP_LOSS_CROSS_ENTROPY))
            return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                               "layer %zu: softmax is only for the output layer with the "
                               "cross-entropy loss", l + 1);
    }
    clprop_activation output = desc->activations != NULL ? desc->activations[desc->layer_count - 1]
                                                         : CLPROP_ACTIVATION_SIGMOID;
    if (output == CLPROP_ACTIVATION_SOFTMAX && desc->sizes[desc->layer_count] < 2)
        /* over one unit a softmax is 1 whatever it is given: no gradient, nothing learned */
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "a softmax output layer needs 2 units or more (over one it is always "
                           "1, and nothing is learned)");
    if (desc->loss == CLPROP_LOSS_CROSS_ENTROPY && output != CLPROP_ACTIVATION_SOFTMAX)
        /* the delta y − t is cross-entropy's gradient only through a softmax */
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the cross-entropy loss needs a softmax output layer, not %s",
                           clprop_activation_name(output));
    for (size_t l = 0; desc->dropout != NULL && l + 1 < desc->layer_count; l++)
        if (!(desc->dropout[l] >= 0.0f && desc->dropout[l] < 1.0f))
            return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                               "layer %zu's dropout rate must be from 0 up to below 1, not %g",
                               l + 1, (double)desc->dropout[l]);
    if (clprop_weight_init_name(desc->init) == NULL)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "unknown weight initialisation %d", (int)desc->init);
    if (clprop_loss_name(desc->loss) == NULL)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT, "unknown loss %d",
                           (int)desc->loss);
    return CLPROP_SUCCESS;
}

/* Bytes a network needs on the device: parameters and their gradients, plus the per-batch
 * buffers for one sample (multiplied by the batch later). 0 when the count overflows. */
static void device_bytes(const clprop_net *net, size_t *parameter_bytes, size_t *largest_buffer,
                         size_t *per_sample_bytes)
{
    size_t params = 0, per_sample = net->sizes[0] + net->sizes[net->layer_count] + 3;
    size_t largest = 0, widest = 0;
    for (size_t l = 1; l <= net->layer_count; l++) {
        size_t weights;
        if (!multiply(net->sizes[l - 1], net->sizes[l], &weights) || weights > SIZE_MAX / 16) {
            *parameter_bytes = *largest_buffer = *per_sample_bytes = 0;
            return;
        }
        params += 2 * (weights + net->sizes[l]);
        largest = weights > largest ? weights : largest;
        per_sample += 3 * net->sizes[l];
    }
    for (size_t l = 0; l <= net->layer_count; l++)
        widest = net->sizes[l] > widest ? net->sizes[l] : widest;
    per_sample += widest; /* scratch */
    *parameter_bytes = params * sizeof(float);
    *largest_buffer = largest * sizeof(float);
    *per_sample_bytes = per_sample * sizeof(float);
}

static clprop_status check_fits(clprop_net *net, size_t batch)
{
    const clprop_device_info *device = &net->context->device;
    size_t parameter_bytes, largest, per_sample, batch_bytes, widest_row = 0;
    device_bytes(net, &parameter_bytes, &largest, &per_sample);
    for (size_t l = 0; l <= net->layer_count; l++)
        widest_row = net->sizes[l] > widest_row ? net->sizes[l] : widest_row;
    size_t widest_batch;
    if (parameter_bytes == 0 || !multiply(per_sample, batch, &batch_bytes) ||
        !multiply(widest_row * sizeof(float), batch, &widest_batch) ||
        parameter_bytes > SIZE_MAX - batch_bytes)
        return clprop_fail(&net->message, CLPROP_ERROR_DOES_NOT_FIT,
                           "the network's size overflows this machine's address space");
    uint64_t total = (uint64_t)parameter_bytes + batch_bytes;
    if (total > device->global_memory_bytes)
        return clprop_fail(&net->message, CLPROP_ERROR_DOES_NOT_FIT,
                           "the network needs %.1f MiB of device memory at batch %zu, but %s has "
                           "%.1f MiB",
                           (double)total / 1048576.0, batch, device->name,
                           (double)device->global_memory_bytes / 1048576.0);
    size_t store = net->store_floats * sizeof(float); /* one buffer holds every parameter */
    largest = store > largest ? store : largest;
    size_t biggest = largest > widest_batch ? largest : widest_batch;
    if (biggest > device->max_allocation_bytes)
        return clprop_fail(&net->message, CLPROP_ERROR_DOES_NOT_FIT,
                           "one buffer of the network needs %.1f MiB, but %s allocates at most "
                           "%.1f MiB at once",
                           (double)biggest / 1048576.0, device->name,
                           (double)device->max_allocation_bytes / 1048576.0);
    return CLPROP_SUCCESS;
}

static clprop_status create_buffer(clprop_net *net, cl_mem *buffer, size_t count,
                                   const char *what)
{
    return clprop_context_buffer(net->context, &net->message, count * sizeof(float), NULL, what,
                                 buffer);
}

static void release_batch_buffers(clprop_net *net)
{
    for (size_t l = 0; l < net->layer_count; l++) {
        clprop_net_release_buffer(&net->layers[l].z);
        clprop_net_release_buffer(&net->layers[l].a);
        clprop_net_release_buffer(&net->layers[l].delta);
    }
    clprop_net_release_buffer(&net->input_rows);
    clprop_net_release_buffer(&net->targets);
    clprop_net_release_buffer(&net->sample_loss);
    clprop_net_release_buffer(&net->sample_squared);
    clprop_net_release_buffer(&net->sample_correct);
    clprop_net_release_buffer(&net->scratch);
    free(net->host_loss);
    net->host_loss = NULL;
    net->capacity = 0;
}

clprop_status clprop_net_reserve_batch(clprop_net *net, size_t batch)
{
    if (batch == 0)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the batch size must be at least 1");
    if (batch <= net->capacity)
        return CLPROP_SUCCESS;
    clprop_status status = check_fits(net, batch);
    if (status != CLPROP_SUCCESS)
        return status;
    release_batch_buffers(net);
    net->batch = 0;
    net->has_deltas = 0;
    size_t widest = 0;
    for (size_t l = 0; l <= net->layer_count; l++)
        widest = net->sizes[l] > widest ? net->sizes[l] : widest;
    status = create_buffer(net, &net->input_rows, net->sizes[0] * batch, "the input rows");
    if (status == CLPROP_SUCCESS)
        status = create_buffer(net, &net->targets, net->sizes[net->layer_count] * batch,
                               "the target batch");
    if (status == CLPROP_SUCCESS)
        status = create_buffer(net, &net->sample_loss, batch, "the per-sample losses");
    if (status == CLPROP_SUCCESS)
        status = create_buffer(net, &net->sample_squared, batch, "the per-sample errors");
    if (status == CLPROP_SUCCESS)
        status = create_buffer(net, &net->sample_correct, batch, "the per-sample hits");
    if (status == CLPROP_SUCCESS)
        status = create_buffer(net, &net->scratch, widest * batch, "the staging buffer");
    for (size_t l = 0; l < net->layer_count && status == CLPROP_SUCCESS; l++) {
        clprop_device_layer *layer = &net->layers[l];
        size_t count = layer->outputs * batch;
        status = create_buffer(net, &layer->z, count, "a layer's weighted inputs");
        if (status == CLPROP_SUCCESS)
            status = create_buffer(net, &layer->a, count, "a layer's activations");
        if (status == CLPROP_SUCCESS)
            status = create_buffer(net, &layer->delta, count, "a layer's deltas");
    }
    if (status == CLPROP_SUCCESS && (net->host_loss = malloc(batch * sizeof(float))) == NULL)
        status = clprop_fail(&net->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                             "out of host memory");
    if (status != CLPROP_SUCCESS) {
        release_batch_buffers(net);
        return status;
    }
    net->capacity = batch;
    return CLPROP_SUCCESS;
}

clprop_status clprop_net_write(clprop_net *net, cl_mem buffer, const float *values,
                                  size_t count)
{
    cl_int error = clEnqueueWriteBuffer(net->context->queue, buffer, CL_TRUE, 0,
                                        count * sizeof(float), values, 0, NULL, NULL);
    if (error != CL_SUCCESS)
        return clprop_fail(&net->message, error, "writing to %s failed: %s",
                           net->context->device.name, clprop_status_name(error));
    return CLPROP_SUCCESS;
}

clprop_status clprop_net_read(clprop_net *net, cl_mem buffer, float *values, size_t count)
{
    cl_int error = clEnqueueReadBuffer(net->context->queue, buffer, CL_TRUE, 0,
                                       count * sizeof(float), values, 0, NULL, NULL);
    if (error != CL_SUCCESS)
        return clprop_fail(&net->message, error, "reading from %s failed: %s",
                           net->context->device.name, clprop_status_name(error));
    return CLPROP_SUCCESS;
}

/* The half-width of the uniform initial weights of a layer. Glorot/Xavier, √(6/(in+out)), keeps
 * the variance of sigmoid, tanh and linear layers' signals steady through depth; He, √(6/in), makes
 * up for (leaky) ReLU passing only half of its inputs. */
static double init_range(clprop_weight_init init, clprop_activation activation, size_t inputs,
                         size_t outputs)
{
    if (init == CLPROP_INIT_AUTO)
        init = activation == CLPROP_ACTIVATION_RELU || activation == CLPROP_ACTIVATION_LEAKY_RELU
                   ? CLPROP_INIT_HE
                   : CLPROP_INIT_GLOROT;
    return init == CLPROP_INIT_HE ? sqrt(6.0 / (double)inputs)
                                  : sqrt(6.0 / (double)(inputs + outputs));
}

/* Weights drawn uniformly from the seed, layer by layer; biases start at zero. */
static clprop_status initialise_weights(clprop_net *net, uint64_t seed, clprop_weight_init init)
{
    clprop_rng rng = clprop_rng_seeded(seed);
    clprop_status status = CLPROP_SUCCESS;
    for (size_t l = 1; l <= net->layer_count && status == CLPROP_SUCCESS; l++) {
        size_t inputs = net->sizes[l - 1], outputs = net->sizes[l], count = inputs * outputs;
        float *weights = malloc(count * sizeof(float));
        float *biases = calloc(outputs, sizeof(float));
        if (weights == NULL || biases == NULL)
            status = clprop_fail(&net->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                                 "out of host memory initialising layer %zu", l);
        double range = init_range(init, net->layers[l - 1].activation, inputs, outputs);
        for (size_t i = 0; status == CLPROP_SUCCESS && i < count; i++)
            weights[i] = (float)((2.0 * clprop_rng_unit(&rng) - 1.0) * range);
        if (status == CLPROP_SUCCESS)
            status = clprop_net_set_weights(net, l, weights, biases);
        free(weights);
        free(biases);
    }
    return status;
}

/* Each layer's shape and activation, and where its tensors go in the store. */
static void describe_layers(clprop_net *net, const clprop_net_desc *desc)
{
    for (size_t l = 0; l < net->layer_count; l++) {
        clprop_device_layer *layer = &net->layers[l];
        layer->inputs = desc->sizes[l];
        layer->outputs = desc->sizes[l + 1];
        layer->activation =
            desc->activations != NULL ? desc->activations[l] : CLPROP_ACTIVATION_SIGMOID;
        layer->dropout =
            desc->dropout != NULL && l + 1 < net->layer_count ? desc->dropout[l] : 0.0f;
    }
    net->dropout_seed = desc->seed;
    clprop_net_store_layout(net);
}

clprop_status clprop_net_create(clprop_context *context, const clprop_net_desc *desc,
                                clprop_net **out)
{
    if (out == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    clprop_net *net = calloc(1, sizeof *net);
    *out = net;
    if (net == NULL)
        return CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    net->context = context;
    clprop_status status = check_desc(desc, &net->message);
    if (status == CLPROP_SUCCESS && (context == NULL || !context->has_device))
        status = clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                             "the context has no device (its creation failed)");
    if (status != CLPROP_SUCCESS)
        return status;
    net->layer_count = desc->layer_count;
    net->has_bias = !desc->no_bias;
    net->loss = desc->loss;
    const char *problem;
    clprop_optimizer_resolve(NULL, &net->optimizer, &problem);
    net->sizes = malloc((desc->layer_count + 1) * sizeof *net->sizes);
    net->layers = calloc(desc->layer_count, sizeof *net->layers);
    if (net->sizes == NULL || net->layers == NULL)
        return clprop_fail(&net->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY, "out of host memory");
    memcpy(net->sizes, desc->sizes, (desc->layer_count + 1) * sizeof *net->sizes);
    describe_layers(net, desc);
    status = check_fits(net, 1);
    if (status == CLPROP_SUCCESS)
        status = clprop_net_create_store(net);
    if (status == CLPROP_SUCCESS)
        status = initialise_weights(net, desc->seed, desc->init);
    return status;
}

void clprop_net_destroy(clprop_net *net)
{
    if (net == NULL)
        return;
    if (net->layers != NULL) {
        release_batch_buffers(net);
        clprop_net_release_optimizer_state(net);
        clprop_net_release_store(net);
    }
    clprop_scaling_copy_free(&net->scaling);
    free(net->layers);
    free(net->sizes);
    free(net);
}

const char *clprop_net_message(const clprop_net *net)
{
    return net != NULL ? net->message.text : "out of host memory";
}

size_t clprop_net_layer_count(const clprop_net *net)
{
    return net != NULL ? net->layer_count : 0;
}

size_t clprop_net_units(const clprop_net *net, size_t layer)
{
    return net != NULL && layer <= net->layer_count ? net->sizes[layer] : 0;
}

clprop_activation clprop_net_activation(const clprop_net *net, size_t layer)
{
    return net != NULL && layer >= 1 && layer <= net->layer_count
               ? net->layers[layer - 1].activation
               : CLPROP_ACTIVATION_LINEAR;
}

int clprop_net_has_bias(const clprop_net *net)
{
    return net != NULL && net->has_bias;
}

clprop_loss clprop_net_loss(const clprop_net *net)
{
    return net != NULL ? net->loss : CLPROP_LOSS_MSE;
}

clprop_status clprop_net_set_dropout(clprop_net *net, const float *rates, uint64_t seed)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    for (size_t l = 0; rates != NULL && l + 1 < net->layer_count; l++)
        if (!(rates[l] >= 0.0f && rates[l] < 1.0f))
            return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                               "layer %zu's dropout rate must be from 0 up to below 1, not %g",
                               l + 1, (double)rates[l]);
    for (size_t l = 0; l < net->layer_count; l++)
        net->layers[l].dropout = rates != NULL && l + 1 < net->layer_count ? rates[l] : 0.0f;
    net->dropout_seed = seed;
    return CLPROP_SUCCESS;
}

float clprop_net_dropout(const clprop_net *net, size_t layer)
{
    return net != NULL && layer >= 1 && layer <= net->layer_count ? net->layers[layer - 1].dropout
                                                                  : 0.0f;
}

uint64_t clprop_net_dropout_seed(const clprop_net *net)
{
    return net != NULL ? net->dropout_seed : 0;
}

static clprop_status check_weight_layer(clprop_net *net, size_t layer, const void *weights)
{
    if (layer < 1 || layer > net->layer_count)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "layer %zu has no weights (weight layers are 1..%zu)", layer,
                           net->layer_count);
    if (weights == NULL)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "layer %zu: the weights pointer is NULL", layer);
    return CLPROP_SUCCESS;
}

clprop_status clprop_net_set_weights(clprop_net *net, size_t layer, const float *weights,
                                     const float *biases)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    clprop_status status = check_weight_layer(net, layer, weights);
    if (status != CLPROP_SUCCESS)
        return status;
    clprop_device_layer *target = &net->layers[layer - 1];
    size_t count = target->inputs * target->outputs;
    for (size_t i = 0; i < count; i++)
        if (!isfinite(weights[i]))
            return clprop_fail(&net->message, CLPROP_ERROR_NOT_FINITE,
                               "layer %zu: weight %zu is not finite", layer, i);
    status = clprop_net_write(net, target->weights, weights, count);
    if (status != CLPROP_SUCCESS || !net->has_bias)
        return status;
    if (biases == NULL)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "layer %zu: the network has biases but none were given", layer);
    for (size_t o = 0; o < target->outputs; o++)
        if (!isfinite(biases[o]))
            return clprop_fail(&net->message, CLPROP_ERROR_NOT_FINITE,
                               "layer %zu: bias %zu is not finite", layer, o);
    return clprop_net_write(net, target->biases, biases, target->outputs);
}

clprop_status clprop_net_get_weights(clprop_net *net, size_t layer, float *weights,
                                     float *biases)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    clprop_status status = check_weight_layer(net, layer, weights);
    if (status != CLPROP_SUCCESS)
        return status;
    clprop_device_layer *source = &net->layers[layer - 1];
    status = clprop_net_read(net, source->weights, weights, source->inputs * source->outputs);
    if (status == CLPROP_SUCCESS && net->has_bias && biases != NULL)
        status = clprop_net_read(net, source->biases, biases, source->outputs);
    return status;
}

clprop_status clprop_net_get_gradients(clprop_net *net, size_t layer, float *weight_gradients,
                                       float *bias_gradients)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    clprop_status status = check_weight_layer(net, layer, weight_gradients);
    if (status == CLPROP_SUCCESS && !net->has_deltas)
        status = clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                             "no gradients yet: run a backward pass first");
    if (status != CLPROP_SUCCESS)
        return status;
    clprop_device_layer *source = &net->layers[layer - 1];
    status = clprop_net_read(net, source->weight_gradients, weight_gradients,
                         source->inputs * source->outputs);
    if (status == CLPROP_SUCCESS && net->has_bias && bias_gradients != NULL)
        status = clprop_net_read(net, source->bias_gradients, bias_gradients, source->outputs);
    return status;
}
