/* Copies between a model in host memory and a network on a device — shape, weights, and the
 * optimizer with its state — through the public network calls only, so the model needs nothing
 * from the engine's insides. */
#include "model_internal.h"
#include "optimizer.h"

#include <stdlib.h>

#define FROM_NET "clprop_model_from_net"

/* Gives the empty model the network's shape (all zero). */
static clprop_status copy_shape(clprop_model *model, const clprop_net *net)
{
    size_t layer_count = clprop_net_layer_count(net);
    if (layer_count < 1 || layer_count > CLPROP_MODEL_MAX_LAYERS)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           FROM_NET ": the network has %zu layers, expected 1 to %d", layer_count,
                           CLPROP_MODEL_MAX_LAYERS);
    size_t *sizes = malloc((layer_count + 1) * sizeof *sizes);
    clprop_activation *activations = malloc(layer_count * sizeof *activations);
    clprop_status status;
    if (sizes == NULL || activations == NULL) {
        status = clprop_fail(&model->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                             FROM_NET ": out of host memory");
    } else {
        for (size_t layer = 0; layer <= layer_count; layer++)
            sizes[layer] = clprop_net_units(net, layer);
        for (size_t layer = 1; layer <= layer_count; layer++)
            activations[layer - 1] = clprop_net_activation(net, layer);
        clprop_net_desc desc = {.layer_count = layer_count,
                                .sizes = sizes,
                                .activations = activations,
                                .no_bias = !clprop_net_has_bias(net),
                                .loss = clprop_net_loss(net)};
        status = clprop_model_set_shape(model, &desc, FROM_NET);
    }
    free(sizes);
    free(activations);
    return status;
}

/* The network's optimizer, its step count and its state, read from the device. */
static clprop_status copy_optimizer_from(clprop_model *model, clprop_net *net)
{
    clprop_optimizer optimizer, resolved;
    clprop_net_get_optimizer(net, &optimizer);
    size_t floats = clprop_net_optimizer_state_floats(net);
    char problem[256];
    if (clprop_model_check_optimizer(model, &optimizer, floats, &resolved, problem,
                                     sizeof problem) != CLPROP_MODEL_OPTIMIZER_FINE)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT, FROM_NET ": %s",
                           problem);
    float *state = NULL;
    if (floats > 0) {
        state = malloc(floats * sizeof *state);
        if (state == NULL)
            return clprop_fail(&model->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                               FROM_NET ": out of host memory for %zu floats of optimizer state",
                               floats);
    }
    uint64_t steps;
    clprop_status status = clprop_net_get_optimizer_state(net, &steps, state);
    if (status != CLPROP_SUCCESS) {
        free(state);
        return clprop_fail(&model->message, status, FROM_NET ": optimizer state: %s",
                           clprop_net_message(net));
    }
    status =
        clprop_optimizer_check_state(&model->message, FROM_NET ": optimizer", resolved.kind, state,
                                     floats, model->units, model->layer_count, model->has_bias);
    if (status != CLPROP_SUCCESS) {
        free(state);
        return status;
    }
    clprop_model_attach_optimizer(model, &resolved, steps, state, floats);
    return CLPROP_SUCCESS;
}

clprop_status clprop_model_from_net(clprop_net *net, clprop_model **out)
{
    if (out == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    clprop_model *model = clprop_model_new_handle();
    *out = model;
    if (model == NULL)
        return CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    if (net == NULL)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           FROM_NET ": net is NULL");
    clprop_status status = copy_shape(model, net);
    for (size_t layer = 1; layer <= model->layer_count && status == CLPROP_SUCCESS; layer++) {
        status = clprop_net_get_weights(net, layer, model->weights[layer], model->biases[layer]);
        if (status != CLPROP_SUCCESS)
            clprop_fail(&model->message, status, FROM_NET ": layer %zu: %s", layer,
                        clprop_net_message(net));
    }
    if (status == CLPROP_SUCCESS)
        status = copy_optimizer_from(model, net);
    clprop_scaling scaling;
    if (status == CLPROP_SUCCESS && clprop_net_scaling(net, &scaling))
        status = clprop_model_set_scaling(model, &scaling);
    if (status == CLPROP_SUCCESS && model->layer_count > 1) {
        float rates[CLPROP_MODEL_MAX_LAYERS];
        size_t bad;
        for (size_t layer = 1; layer < model->layer_count; layer++)
            rates[layer - 1] = clprop_net_dropout(net, layer);
        if (clprop_model_attach_dropout(model, rates, clprop_net_dropout_seed(net), &bad) != 1)
            status = clprop_fail(&model->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                                 FROM_NET ": out of host memory");
    }
    return status;
}

/* A network handle can only be made by clprop_net_create, so a call refused before it (no
 * model, or a model whose creation failed) leaves *out NULL. The optimizer is chosen after the
 * weights, then its state written: choosing it resets the state. */
clprop_status clprop_net_create_from_model(clprop_context *context, const clprop_model *model,
                                           clprop_net **out)
{
    if (out == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    if (model == NULL || model->layer_count == 0) {
        /* a handle all the same, whose message says a network needs its layers */
        clprop_status status = clprop_net_create(context, NULL, out);
        return status == CLPROP_ERROR_OUT_OF_HOST_MEMORY ? status : CLPROP_ERROR_INVALID_ARGUMENT;
    }
    clprop_net_desc desc = clprop_model_desc(model);
    clprop_status status = clprop_net_create(context, &desc, out);
    for (size_t layer = 1; layer <= model->layer_count && status == CLPROP_SUCCESS; layer++)
        status = clprop_net_set_weights(*out, layer, model->weights[layer], model->biases[layer]);
    if (status == CLPROP_SUCCESS && model->dropout != NULL)
        status = clprop_net_set_dropout(*out, model->dropout, model->dropout_seed);
    if (status == CLPROP_SUCCESS && model->has_optimizer) {
        status = clprop_net_set_optimizer(*out, &model->optimizer);
        if (status == CLPROP_SUCCESS)
            status = clprop_net_set_optimizer_state(*out, model->optimizer_steps,
                                                    model->optimizer_state);
    }
    if (status == CLPROP_SUCCESS && clprop_scaling_present(&model->scaling))
        status = clprop_net_set_scaling(*out, &model->scaling.view);
    return status; /* on failure, clprop_net_message(*out) says why */
}
