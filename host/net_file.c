/* A network to a model file and back in one call each: the short path through clprop_model. */
#include "clprop.h"
#include "net_internal.h"

clprop_status clprop_net_save(clprop_net *net, const char *path)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    clprop_model *model = NULL;
    clprop_status status = clprop_model_from_net(net, &model);
    if (status == CLPROP_SUCCESS)
        status = clprop_model_save(model, path);
    /* either call's reason, which the caller reads from the network */
    if (status != CLPROP_SUCCESS)
        clprop_fail(&net->message, status, "%s",
                    model != NULL ? clprop_model_message(model) : "out of host memory");
    clprop_model_destroy(model);
    return status;
}

clprop_status clprop_net_load(clprop_context *context, const char *path, clprop_net **out)
{
    if (out == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    clprop_model *model = NULL;
    clprop_status status = clprop_model_load(path, &model);
    if (status == CLPROP_SUCCESS) {
        status = clprop_net_create_from_model(context, model, out);
    } else {
        /* no network to carry the message: an empty one does, as create calls do */
        clprop_net_desc none = {0};
        if (clprop_net_create(context, &none, out) != CLPROP_ERROR_OUT_OF_HOST_MEMORY && *out)
            clprop_fail(&(*out)->message, status, "%s", clprop_model_message(model));
    }
    clprop_model_destroy(model);
    return status;
}
