/* A network's optimizer: choosing it, its state buffers on the device, and copying that state
 * out and back in so that a saved run continues exactly. */
#include <stdlib.h>

#include "net_internal.h"
#include "status.h"

void clprop_net_release_optimizer_state(clprop_net *net)
{
    for (size_t l = 0; l < net->layer_count; l++)
        for (int tensor = 0; tensor < 2; tensor++)
            for (int slot = 0; slot < 2; slot++) {
                cl_mem *buffer = &net->layers[l].state[tensor][slot];
                if (*buffer != NULL)
                    clReleaseMemObject(*buffer);
                *buffer = NULL;
            }
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

static clprop_status create_slot(clprop_net *net, cl_mem *buffer, size_t count, float value)
{
    CLPROP_CHECK(clprop_context_buffer(net->context, &net->message, count * sizeof(float), NULL,
                                       "the optimizer's state", buffer));
    cl_int error = clEnqueueFillBuffer(net->context->queue, *buffer, &value, sizeof value, 0,
                                       count * sizeof(float), 0, NULL, NULL);
    if (error != CL_SUCCESS)
        return clprop_fail(&net->message, error, "starting the optimizer's state failed: %s",
                           clprop_status_name(error));
    return CLPROP_SUCCESS;
}

clprop_status clprop_net_set_optimizer(clprop_net *net, const clprop_optimizer *optimizer)
{
    clprop_optimizer resolved;
    const char *problem;
    if (clprop_optimizer_resolve(optimizer, &resolved, &problem) != CLPROP_SUCCESS)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT, "optimizer: %s",
                           problem);
    size_t slots = clprop_optimizer_slots(resolved.kind);
    uint64_t bytes = (uint64_t)slots * parameter_count(net) * sizeof(float);
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
    for (size_t l = 0; l < net->layer_count && status == CLPROP_SUCCESS; l++)
        for (int tensor = 0; tensor < 2 && status == CLPROP_SUCCESS; tensor++)
            for (size_t slot = 0; slot < slots && status == CLPROP_SUCCESS; slot++)
                if (tensor_size(net, l, tensor) > 0)
                    status = create_slot(net, &net->layers[l].state[tensor][slot],
                                         tensor_size(net, l, tensor),
                                         initial_value(resolved.kind, (int)slot));
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

/* Copies every state buffer in the saved order — layer by layer, weights then biases, slot by
 * slot — into `read_into`, or from `write_from` when that is not NULL. */
static clprop_status each_slot(clprop_net *net, float *read_into, const float *write_from)
{
    size_t slots = clprop_optimizer_slots(net->optimizer.kind), at = 0;
    for (size_t l = 0; l < net->layer_count; l++)
        for (int tensor = 0; tensor < 2; tensor++)
            for (size_t slot = 0; slot < slots; slot++) {
                size_t count = tensor_size(net, l, tensor);
                if (count == 0)
                    continue;
                cl_mem buffer = net->layers[l].state[tensor][slot];
                clprop_status status = write_from != NULL
                                           ? clprop_net_write(net, buffer, write_from + at, count)
                                           : clprop_net_read(net, buffer, read_into + at, count);
                if (status != CLPROP_SUCCESS)
                    return status;
                at += count;
            }
    return CLPROP_SUCCESS;
}

clprop_status clprop_net_get_optimizer_state(clprop_net *net, uint64_t *steps, float *state)
{
    if (steps != NULL)
        *steps = net->optimizer_steps;
    if (state == NULL || clprop_net_optimizer_state_floats(net) == 0)
        return CLPROP_SUCCESS;
    return each_slot(net, state, NULL);
}

clprop_status clprop_net_set_optimizer_state(clprop_net *net, uint64_t steps, const float *state)
{
    if (state == NULL && clprop_net_optimizer_state_floats(net) > 0)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "%s keeps state: it must be given",
                           clprop_optimizer_name(net->optimizer.kind));
    net->optimizer_steps = steps;
    if (clprop_net_optimizer_state_floats(net) == 0)
        return CLPROP_SUCCESS;
    return each_slot(net, NULL, state);
}
