/* A replica of a network on another device, for data-parallel training: the same layers, the
 * same parameters bit for bit, the same optimizer with its state and step count. Replicas that
 * then apply the same summed gradient stay identical. */
#include <stdlib.h>

#include "team.h"

static clprop_status copy_state(clprop_net *source, clprop_net *replica)
{
    size_t floats = source->store_floats, state_floats = clprop_net_optimizer_state_floats(source);
    float *values = malloc((floats > state_floats ? floats : state_floats) * sizeof *values + 1);
    if (values == NULL)
        return clprop_fail(&source->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "out of host memory for a replica's parameters");
    clprop_status status = clprop_net_read(source, source->parameters, values, floats);
    if (status == CLPROP_SUCCESS)
        status = clprop_net_write(replica, replica->parameters, values, floats);
    if (status == CLPROP_SUCCESS)
        status = clprop_net_set_optimizer(replica, &source->optimizer);
    uint64_t steps = 0;
    if (status == CLPROP_SUCCESS && state_floats > 0)
        status = clprop_net_get_optimizer_state(source, &steps, values);
    if (status == CLPROP_SUCCESS && state_floats > 0)
        status = clprop_net_set_optimizer_state(replica, steps, values);
    if (status == CLPROP_SUCCESS)
        replica->optimizer_steps = source->optimizer_steps;
    for (size_t l = 0; l < source->layer_count; l++) /* the same masks: same rates, same seed */
        replica->layers[l].dropout = source->layers[l].dropout;
    replica->dropout_seed = source->dropout_seed;
    free(values);
    if (status != CLPROP_SUCCESS && replica->message.text[0] != '\0')
        clprop_fail(&source->message, status, "%s", replica->message.text);
    return status;
}

clprop_status clprop_net_replicate(clprop_net *source, clprop_context *context, clprop_net **out)
{
    *out = NULL;
    clprop_activation *activations = malloc(source->layer_count * sizeof *activations);
    if (activations == NULL)
        return clprop_fail(&source->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "out of host memory for a replica");
    for (size_t l = 0; l < source->layer_count; l++)
        activations[l] = source->layers[l].activation;
    clprop_net_desc desc = {.layer_count = source->layer_count,
                            .sizes = source->sizes,
                            .activations = activations,
                            .no_bias = !source->has_bias,
                            .loss = source->loss};
    clprop_status status = clprop_net_create(context, &desc, out);
    free(activations);
    if (status != CLPROP_SUCCESS) {
        clprop_fail(&source->message, status, "a replica on another device: %s",
                    clprop_net_message(*out));
        clprop_net_destroy(*out);
        *out = NULL;
        return status;
    }
    status = copy_state(source, *out);
    if (status != CLPROP_SUCCESS) {
        clprop_net_destroy(*out);
        *out = NULL;
    }
    return status;
}
