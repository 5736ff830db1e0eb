/* A network's optimizer: choosing it, its state buffers on the device, and copying that state
 * out and back in so that a saved run continues exactly. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "net_internal.h"
#include "status.h"

void clprop_net_release_optimizer_state(clprop_net *net)
{
    for (int slot = 0; slot < 2; slot++)
        clprop_net_release_buffer(&net->slots[slot]);
}

/* Parameters of layer l's tensor (0 weights, 1 biases); 0 for biases the network lacks. */
static size_t tensor_size(const clprop_net *net, size_t l, int tensor)
{
    const clprop_device_layer *layer = &net->layers[l];
    if (tensor == 1)
        return net->has_bias ? layer->outputs : 0;
    return layer->inputs * layer->outputs;
}

static size_t parameter_count(const clprop_net *net)
{
    size_t parameters = 0;
    for (size_t l = 0; l < net->layer_count; l++)
        parameters += tensor_size(net, l, 0) + tensor_size(net, l, 1);
    return parameters;
}

/* The value a slot starts from: RPROP's steps start at its initial step, all else at zero. */
static float initial_value(clprop_optimizer_kind kind, int slot)
{
    return kind == CLPROP_OPTIMIZER_RPROP && slot == 0 ? CLPROP_RPROP_STEP_INITIAL : 0.0f;
}

clprop_status clprop_net_set_optimizer(clprop_net *net, const clprop_optimizer *optimizer)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    clprop_optimizer resolved;
    const char *problem;
    if (clprop_optimizer_resolve(optimizer, &resolved, &problem) != CLPROP_SUCCESS)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT, "optimizer: %s",
                           problem);
    size_t slots = clprop_optimizer_slots(resolved.kind);
    uint64_t bytes = (uint64_t)slots * net->store_floats * sizeof(float);
    if (slots > 0 && bytes > net->context->device.global_memory_bytes / 2)
        return clprop_fail(&net->message, CLPROP_ERROR_DOES_NOT_FIT,
                           "%s needs %.1f MiB of state on %s, which has %.1f MiB",
                           clprop_optimizer_name(resolved.kind), (double)bytes / 1048576.0,
                           net->context->device.name,
                           (double)net->context->device.global_memory_bytes / 1048576.0);
    clprop_net_release_optimizer_state(net);
    net->optimizer = resolved;
    net->optimizer_steps = 0;
    clprop_status status = CLPROP_SUCCESS;
    for (size_t slot = 0; slot < slots && status == CLPROP_SUCCESS; slot++)
        status = clprop_net_store_buffer(net, "the optimizer's state",
                                         initial_value(resolved.kind, (int)slot),
                                         &net->slots[slot]);
    if (status != CLPROP_SUCCESS) {
        clprop_net_release_optimizer_state(net);
        clprop_optimizer_resolve(NULL, &net->optimizer, &problem);
    }
    return status;
}

void clprop_net_get_optimizer(const clprop_net *net, clprop_optimizer *optimizer)
{
    if (net != NULL && optimizer != NULL)
        *optimizer = net->optimizer;
}

size_t clprop_net_optimizer_state_floats(const clprop_net *net)
{
    return net != NULL ? parameter_count(net) * clprop_optimizer_slots(net->optimizer.kind) : 0;
}

/* Where tensor (0 weights, 1 biases) of layer l starts in the store. */
static size_t tensor_offset(const clprop_net *net, size_t l, int tensor)
{
    return tensor == 0 ? net->layers[l].weight_offset : net->layers[l].bias_offset;
}

/* The saved order is layer by layer, weights then biases, slot by slot, without the store's
 * padding; each slot crosses in one transfer and is rearranged on the host. `read_into` gets the
 * state, or `write_from` (when not NULL) becomes it. */
static clprop_status each_slot(clprop_net *net, float *read_into, const float *write_from)
{
    size_t slots = clprop_optimizer_slots(net->optimizer.kind);
    float *store = calloc(net->store_floats, sizeof *store);
    if (store == NULL)
        return clprop_fail(&net->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY, "out of host memory");
    clprop_status status = CLPROP_SUCCESS;
    for (size_t slot = 0; slot < slots && status == CLPROP_SUCCESS; slot++) {
        if (write_from == NULL)
            status = clprop_net_read(net, net->slots[slot], store, net->store_floats);
        else /* the padding keeps the value the slot starts from */
            for (size_t i = 0; i < net->store_floats; i++)
                store[i] = initial_value(net->optimizer.kind, (int)slot);
        size_t at = 0;
        for (size_t l = 0; l < net->layer_count && status == CLPROP_SUCCESS; l++)
            for (int tensor = 0; tensor < 2; tensor++) {
                size_t count = tensor_size(net, l, tensor);
                float *place = store + tensor_offset(net, l, tensor);
                /* the file's order: this tensor's slots one after another */
                size_t saved = at + slot * count;
                if (write_from != NULL)
                    memcpy(place, write_from + saved, count * sizeof *place);
                else
                    memcpy(read_into + saved, place, count * sizeof *place);
                at += slots * count;
            }
        if (write_from != NULL && status == CLPROP_SUCCESS)
            status = clprop_net_write(net, net->slots[slot], store, net->store_floats);
    }
    free(store);
    return status;
}

clprop_status clprop_net_get_optimizer_state(clprop_net *net, uint64_t *steps, float *state)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    if (steps != NULL)
        *steps = net->optimizer_steps;
    if (state == NULL || clprop_net_optimizer_state_floats(net) == 0)
        return CLPROP_SUCCESS;
    return each_slot(net, state, NULL);
}

clprop_status clprop_net_set_optimizer_state(clprop_net *net, uint64_t steps, const float *state)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    if (state == NULL && clprop_net_optimizer_state_floats(net) > 0)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "%s keeps state: it must be given",
                           clprop_optimizer_name(net->optimizer.kind));
    size_t floats = clprop_net_optimizer_state_floats(net);
    const char *why;
    if (!clprop_optimizer_steps_go_on(steps, &why))
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_net_set_optimizer_state: %" PRIu64 " steps%s", steps, why);
    /* as a model's state must be (clprop_model_set_optimizer): NaN would reach every weight */
    CLPROP_CHECK(clprop_optimizer_check_state(&net->message, "clprop_net_set_optimizer_state",
                                              net->optimizer.kind, state, floats, net->sizes,
                                              net->layer_count, net->has_bias));
    net->optimizer_steps = steps;
    if (floats == 0)
        return CLPROP_SUCCESS;
    return each_slot(net, NULL, state);
}
