#include "device_data.h"

#include <stdlib.h>
#include <string.h>

#include "data_internal.h"
#include "status.h"

static clprop_status create_buffer(clprop_device_data *data, cl_mem *buffer, size_t bytes,
                                   const void *values, const char *what)
{
    return clprop_context_buffer(data->context, &data->message, bytes, values, what, buffer);
}

/* The samples go to the device when each array fits one allocation and both together take at most
 * half the device's memory, leaving the rest for the network. The context's keep_data_on_host
 * keeps them on the host regardless, to test and compare that path. */
static int fits_on_device(const clprop_device_data *data)
{
    if (data->context->keep_data_on_host)
        return 0;
    const clprop_device_info *device = &data->context->device;
    uint64_t input_bytes =
        (uint64_t)data->samples * data->inputs * (data->input_bytes ? 1 : sizeof(float));
    uint64_t target_bytes = (uint64_t)data->samples * data->outputs * sizeof(float);
    return input_bytes <= device->max_allocation_bytes &&
           target_bytes <= device->max_allocation_bytes &&
           input_bytes + target_bytes <= device->global_memory_bytes / 2;
}

static clprop_status figure_row(clprop_device_data *data, size_t row, cl_mem *out)
{
    return clprop_context_sub_buffer(&data->message, data->figures,
                                     row * data->figure_stride * sizeof(float),
                                     data->samples * sizeof(float), "the per-sample figures' rows",
                                     out);
}

/* The losses, squared errors and hits: three rows of one buffer. */
static clprop_status create_figures(clprop_device_data *data)
{
    size_t alignment = clprop_context_float_alignment(data->context);
    data->figure_stride = (data->samples + alignment - 1) / alignment * alignment;
    CLPROP_CHECK(create_buffer(data, &data->figures, 3 * data->figure_stride * sizeof(float), NULL,
                               "the per-sample figures"));
    CLPROP_CHECK(figure_row(data, 0, &data->loss));
    CLPROP_CHECK(figure_row(data, 1, &data->squared));
    return figure_row(data, 2, &data->correct);
}

/* The samples: where the device's memory is the host's, buffers over the data set's own arrays
 * (no second copy; the data set is then held); elsewhere copies on the device. */
static clprop_status upload_samples(clprop_device_data *data)
{
    size_t n = data->samples;
    int in_place = 0;
    clprop_status status;
    if (data->input_bytes)
        status = clprop_context_host_buffer(data->context, &data->message, n * data->inputs,
                                            clprop_data_input_bytes(data->host),
                                            "the data set's inputs", &data->input_values,
                                            &in_place);
    else
        status = clprop_context_host_buffer(data->context, &data->message,
                                            n * data->inputs * sizeof(float),
                                            clprop_data_input_values(data->host),
                                            "the data set's inputs", &data->input_values,
                                            &in_place);
    if (status == CLPROP_SUCCESS)
        status = clprop_context_host_buffer(data->context, &data->message,
                                            n * data->outputs * sizeof(float),
                                            clprop_data_target_values(data->host),
                                            "the data set's targets", &data->target_values,
                                            &in_place);
    data->in_place = in_place;
    return status;
}

static clprop_status upload(clprop_device_data *data)
{
    clprop_status status = create_buffer(data, &data->order, data->samples * sizeof(cl_uint), NULL,
                                         "the sample order");
    if (status == CLPROP_SUCCESS)
        status = create_figures(data);
    if (status != CLPROP_SUCCESS || !data->resident)
        return status;
    return upload_samples(data);
}

/* Who keeps the host's arrays: a device data set that reads them (streamed, or resident in place
 * on a device whose memory is the host's) holds the data set, so the caller may destroy it at
 * once; one whose samples were copied to the device lets go of it. */
clprop_status clprop_device_data_create(clprop_context *context, const clprop_data *host,
                                        clprop_device_data **out)
{
    clprop_device_data *data = calloc(1, sizeof *data);
    *out = data;
    if (data == NULL)
        return CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    if (context == NULL || !context->has_device || host == NULL)
        return clprop_fail(&data->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "needs a context with a device and a data set");
    data->context = context;
    data->host = host;
    data->samples = clprop_data_samples(host);
    data->inputs = clprop_data_inputs(host);
    data->outputs = clprop_data_outputs(host);
    if (data->samples == 0 || data->samples > UINT32_MAX)
        return clprop_fail(&data->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "a data set needs 1 to %u samples, not %zu", UINT32_MAX,
                           data->samples);
    if (data->outputs == 0)
        return clprop_fail(&data->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the data set has no targets (inputs only): it can be predicted on "
                           "(clprop_net_predict), not trained on or measured");
    data->input_bytes = clprop_data_input_bytes(host) != NULL;
    data->resident = fits_on_device(data);
    /* held from the start: a failure below leaves the destroy to let go of it */
    clprop_data_hold(host);
    data->holds_host = 1;
    data->host_order = malloc(data->samples * sizeof *data->host_order);
    data->host_figures = malloc(3 * data->samples * sizeof *data->host_figures);
    if (data->host_order == NULL || data->host_figures == NULL)
        return clprop_fail(&data->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "out of host memory");
    clprop_status status = upload(data);
    if (status == CLPROP_SUCCESS && data->resident && !data->in_place) {
        /* copied to the device: the host's arrays are not needed any more */
        clprop_data_destroy((clprop_data *)data->host);
        data->host = NULL;
        data->holds_host = 0;
    }
    return status;
}

void clprop_device_data_destroy(clprop_device_data *data)
{
    if (data == NULL)
        return;
    if (data->in_place) /* nothing queued may still read the host's arrays once they go */
        clFinish(data->context->queue);
    cl_mem *buffers[] = {&data->input_values, &data->target_values, &data->order,
                         &data->loss,         &data->squared,       &data->correct,
                         &data->figures};
    for (size_t i = 0; i < sizeof buffers / sizeof *buffers; i++)
        if (*buffers[i] != NULL)
            clReleaseMemObject(*buffers[i]);
    free(data->host_order);
    free(data->host_figures);
    clprop_stream_release(&data->stream);
    if (data->holds_host)
        clprop_data_destroy((clprop_data *)data->host);
    free(data);
}

const char *clprop_device_data_message(const clprop_device_data *data)
{
    return data != NULL ? data->message.text : "out of host memory";
}

int clprop_device_data_resident(const clprop_device_data *data)
{
    return data != NULL && data->resident;
}
