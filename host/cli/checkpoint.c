#include "checkpoint.h"

#include "cli.h"

static int save(const char *path, clprop_net *net, const clprop_training_state *state)
{
    clprop_model *model = NULL;
    clprop_status status = clprop_model_from_net(net, &model);
    if (status == CLPROP_SUCCESS && state != NULL)
        status = clprop_model_set_training_state(model, state);
    if (status == CLPROP_SUCCESS)
        status = clprop_model_save(model, path);
    if (status != CLPROP_SUCCESS)
        cli_error("%s", model != NULL ? clprop_model_message(model) : clprop_net_message(net));
    clprop_model_destroy(model);
    return status == CLPROP_SUCCESS;
}

int checkpoint_save(const char *path, clprop_net *net, const clprop_training_state *state)
{
    return save(path, net, state);
}

int model_save(const char *path, clprop_net *net)
{
    return save(path, net, NULL);
}

clprop_model *checkpoint_load(const char *path, clprop_training_state *state)
{
    clprop_model *model = NULL;
    if (clprop_model_load(path, &model) != CLPROP_SUCCESS) {
        cli_error("%s", clprop_model_message(model));
        clprop_model_destroy(model);
        return NULL;
    }
    if (!clprop_model_training_state(model, state)) {
        cli_error("%s: not a checkpoint (it holds no training progress); --init starts from its "
                  "weights instead", path);
        clprop_model_destroy(model);
        return NULL;
    }
    return model;
}

int model_weights_into(clprop_net *net, clprop_model *model)
{
    for (size_t l = 1; l <= clprop_model_layer_count(model); l++)
        if (clprop_net_set_weights(net, l, clprop_model_weights(model, l),
                                   clprop_model_biases(model, l)) != CLPROP_SUCCESS) {
            cli_error("%s", clprop_net_message(net));
            return 0;
        }
    return 1;
}
