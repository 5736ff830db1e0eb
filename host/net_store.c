/* The network's parameters in one flat store, as llm.c and kann keep theirs: one device buffer for
 * every weight and bias, one for their gradients and one per optimizer slot, each layer's tensors
 * at fixed offsets into it. The passes see each tensor as a sub-buffer of its own; an optimizer
 * step is one launch over the whole store, and the optimizer's state moves in one transfer a slot.
 * (Data parallelism will need the same: one gradient buffer, one all-reduce a step.) */
#include "net_internal.h"
#include "status.h"

static size_t rounded_up(size_t count, size_t alignment)
{
    return (count + alignment - 1) / alignment * alignment;
}

void clprop_net_store_layout(clprop_net *net)
{
    /* every tensor on a sub-buffer boundary, so the update's eight-wide vectors never straddle
     * two tensors either */
    size_t alignment = clprop_context_float_alignment(net->context), at = 0;
    for (size_t l = 0; l < net->layer_count; l++) {
        clprop_device_layer *layer = &net->layers[l];
        layer->weight_offset = at;
        at += rounded_up(layer->inputs * layer->outputs, alignment);
        layer->bias_offset = at;
        if (net->has_bias)
            at += rounded_up(layer->outputs, alignment);
    }
    net->store_floats = at;
}

/* A store-sized buffer with every float set to `value` (the padding between tensors included, so
 * that the update leaves it as it is). */
clprop_status clprop_net_store_buffer(clprop_net *net, const char *what, float value, cl_mem *out)
{
    CLPROP_CHECK(clprop_context_buffer(net->context, &net->message,
                                       net->store_floats * sizeof(float), NULL, what, out));
    cl_int error = clEnqueueFillBuffer(net->context->queue, *out, &value, sizeof value, 0,
                                       net->store_floats * sizeof(float), 0, NULL, NULL);
    if (error != CL_SUCCESS)
        return clprop_fail(&net->message, error, "filling %s failed: %s", what,
                           clprop_status_name(error));
    return CLPROP_SUCCESS;
}

static clprop_status sub_buffer(clprop_net *net, cl_mem store, size_t offset, size_t count,
                                cl_mem *out)
{
    return clprop_context_sub_buffer(&net->message, store, offset * sizeof(float),
                                     count * sizeof(float),
                                     "a layer's place in the parameter store", out);
}

clprop_status clprop_net_create_store(clprop_net *net)
{
    clprop_net_store_layout(net);
    CLPROP_CHECK(clprop_net_store_buffer(net, "the parameters", 0.0f, &net->parameters));
    CLPROP_CHECK(clprop_net_store_buffer(net, "the gradients", 0.0f, &net->gradients));
    for (size_t l = 0; l < net->layer_count; l++) {
        clprop_device_layer *layer = &net->layers[l];
        size_t weights = layer->inputs * layer->outputs;
        CLPROP_CHECK(sub_buffer(net, net->parameters, layer->weight_offset, weights,
                                &layer->weights));
        CLPROP_CHECK(sub_buffer(net, net->gradients, layer->weight_offset, weights,
                                &layer->weight_gradients));
        if (!net->has_bias)
            continue;
        CLPROP_CHECK(sub_buffer(net, net->parameters, layer->bias_offset, layer->outputs,
                                &layer->biases));
        CLPROP_CHECK(sub_buffer(net, net->gradients, layer->bias_offset, layer->outputs,
                                &layer->bias_gradients));
    }
    return CLPROP_SUCCESS;
}

void clprop_net_release_store(clprop_net *net)
{
    for (size_t l = 0; l < net->layer_count; l++) {
        clprop_device_layer *layer = &net->layers[l];
        clprop_net_release_buffer(&layer->weights);
        clprop_net_release_buffer(&layer->biases);
        clprop_net_release_buffer(&layer->weight_gradients);
        clprop_net_release_buffer(&layer->bias_gradients);
    }
    clprop_net_release_buffer(&net->parameters);
    clprop_net_release_buffer(&net->gradients);
}
