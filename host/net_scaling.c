/* A network's scaling: measured on a data set or set from a model, and applied around the
 * forward pass when predicting in the data's units. The device never sees it: clprop_net_forward
 * and the training calls work in the network's units, on data scaled beforehand. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_internal.h"

static clprop_activation output_activation(const clprop_net *net)
{
    return net->layers[net->layer_count - 1].activation;
}

clprop_status clprop_net_set_scaling(clprop_net *net, const clprop_scaling *scaling)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    char problem[256];
    if (!clprop_scaling_check(scaling, net->sizes[0], net->sizes[net->layer_count],
                              output_activation(net), problem, sizeof problem))
        return clprop_fail(&net->message, CLPROP_ERROR_MISMATCH, "clprop_net_set_scaling: %s",
                           problem);
    if (clprop_scaling_copy_from(&net->scaling, scaling) != 0)
        return clprop_fail(&net->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "clprop_net_set_scaling: out of host memory");
    return CLPROP_SUCCESS;
}

int clprop_net_scaling(const clprop_net *net, clprop_scaling *scaling)
{
    if (net == NULL || !clprop_scaling_present(&net->scaling))
        return 0;
    if (scaling != NULL)
        *scaling = net->scaling.view;
    return 1;
}

clprop_status clprop_net_fit_scaling(clprop_net *net, const clprop_data *data,
                                     clprop_scaling_kind input_kind,
                                     clprop_scaling_kind target_kind)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    size_t inputs = net->sizes[0], outputs = net->sizes[net->layer_count];
    if (data == NULL)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_net_fit_scaling: data is NULL");
    if (clprop_data_inputs(data) != inputs ||
        (target_kind != CLPROP_SCALING_NONE && clprop_data_outputs(data) != outputs))
        return clprop_fail(&net->message, CLPROP_ERROR_MISMATCH,
                           "clprop_net_fit_scaling: the data's widths differ from the network's");
    if (clprop_scaling_name(input_kind) == NULL || clprop_scaling_name(target_kind) == NULL)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_net_fit_scaling: unknown scaling kind");
    size_t samples = clprop_data_samples(data);
    size_t in_count = input_kind != CLPROP_SCALING_NONE ? inputs : 0;
    size_t out_count = target_kind != CLPROP_SCALING_NONE ? outputs : 0;
    float *values = malloc((2 * in_count + 2 * out_count + 1) * sizeof *values);
    const float *input_values = clprop_data_input_values(data);
    int failed = values == NULL || input_values == NULL;
    if (!failed && in_count > 0)
        failed = clprop_scaling_measure(input_kind, input_values, samples, inputs, values,
                                        values + in_count) != 0;
    if (!failed && out_count > 0)
        failed = clprop_scaling_measure(target_kind, clprop_data_target_values(data), samples,
                                        outputs, values + 2 * in_count,
                                        values + 2 * in_count + out_count) != 0;
    clprop_status status;
    if (failed) {
        status = clprop_fail(&net->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                             "clprop_net_fit_scaling: out of host memory");
    } else {
        clprop_scaling scaling = {input_kind, target_kind, in_count, out_count,
                                  in_count ? values : NULL, in_count ? values + in_count : NULL,
                                  out_count ? values + 2 * in_count : NULL,
                                  out_count ? values + 2 * in_count + out_count : NULL};
        status = clprop_net_set_scaling(net, &scaling);
    }
    free(values);
    return status;
}

/* "sample N, " for the messages below; nothing for a call of one sample, whose caller knows it
 * (the command finds the sample of a file this way). */
static const char *sample_named(char *text, size_t size, size_t batch, size_t sample)
{
    if (batch == 1)
        return "";
    snprintf(text, size, "sample %zu, ", sample);
    return text;
}

/* The network's outputs, each a number: NaN or infinity (weights or inputs so large that the
 * sums overflow, or an input that was NaN) is refused naming the first. */
static clprop_status outputs_finite(clprop_net *net, const float *outputs, size_t batch)
{
    size_t units = net->sizes[net->layer_count];
    char sample[48];
    for (size_t i = 0; i < batch * units; i++)
        if (!isfinite(outputs[i]))
            return clprop_fail(&net->message, CLPROP_ERROR_NOT_FINITE,
                               "%soutput %zu (from 0) is %g: an input is not a number, or the "
                               "network's sums overflow",
                               sample_named(sample, sizeof sample, batch, i / units), i % units,
                               (double)outputs[i]);
    return CLPROP_SUCCESS;
}

clprop_status clprop_net_predict(clprop_net *net, const float *inputs, size_t batch,
                                 float *outputs)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    const clprop_scaling *s = &net->scaling.view;
    if (s->input_kind == CLPROP_SCALING_NONE && s->target_kind == CLPROP_SCALING_NONE) {
        CLPROP_CHECK(clprop_net_forward(net, inputs, batch, outputs));
        return outputs != NULL ? outputs_finite(net, outputs, batch) : CLPROP_SUCCESS;
    }
    if (inputs == NULL || outputs == NULL || batch == 0)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_net_predict: needs inputs, outputs and a batch of at least 1");
    size_t width = net->sizes[0], units = net->sizes[net->layer_count];
    float *scaled = NULL;
    if (s->input_kind != CLPROP_SCALING_NONE) {
        if ((scaled = malloc(batch * width * sizeof *scaled)) == NULL)
            return clprop_fail(&net->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                               "clprop_net_predict: out of host memory for %zu samples", batch);
        size_t bad = clprop_scaling_apply(s->input_offset, s->input_scale, inputs, batch, width,
                                          scaled);
        if (bad < batch * width) {
            free(scaled);
            char sample[48];
            return clprop_fail(&net->message, CLPROP_ERROR_NOT_FINITE,
                               "%sinput %zu (from 0): %g scaled is not a float",
                               sample_named(sample, sizeof sample, batch, bad / width), bad % width,
                               (double)inputs[bad]);
        }
    }
    clprop_status status = clprop_net_forward(net, scaled != NULL ? scaled : inputs, batch,
                                              outputs);
    free(scaled);
    if (status == CLPROP_SUCCESS)
        status = outputs_finite(net, outputs, batch);
    if (status != CLPROP_SUCCESS || s->target_kind == CLPROP_SCALING_NONE)
        return status;
    size_t bad = clprop_scaling_undo(s->target_offset, s->target_scale, outputs, batch, units,
                                     outputs);
    char sample[48];
    if (bad < batch * units)
        return clprop_fail(&net->message, CLPROP_ERROR_NOT_FINITE,
                           "%soutput %zu (from 0): the output in the data's units is not a float",
                           sample_named(sample, sizeof sample, batch, bad / units), bad % units);
    return CLPROP_SUCCESS;
}
