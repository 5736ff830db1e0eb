#include "stream.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "device_data.h"
#include "ops.h"
#include "status.h"

/* About 64 MiB of samples per chunk, or the context's stream_chunk samples (to test the
 * streaming with tiny chunks); always a whole number of batches. */
static size_t chunk_size(const clprop_device_data *data, size_t batch)
{
    size_t bytes_per_sample = (data->inputs + data->outputs) * sizeof(float);
    size_t samples = ((size_t)64 << 20) / bytes_per_sample;
    if (data->context->stream_chunk > 0)
        samples = data->context->stream_chunk;
    samples = samples / batch * batch;
    return samples > 0 ? samples : batch;
}

void clprop_stream_release(clprop_stream *stream)
{
    for (int slot = 0; slot < 2; slot++) {
        if (stream->written[slot] != NULL)
            clWaitForEvents(1, &stream->written[slot]), clReleaseEvent(stream->written[slot]);
        if (stream->inputs[slot] != NULL)
            clReleaseMemObject(stream->inputs[slot]);
        if (stream->targets[slot] != NULL)
            clReleaseMemObject(stream->targets[slot]);
        free(stream->host[slot]);
    }
    memset(stream, 0, sizeof *stream);
}

static clprop_status allocate(clprop_device_data *data, size_t samples)
{
    clprop_stream *stream = &data->stream;
    clprop_stream_release(stream);
    size_t width = data->inputs + data->outputs;
    for (int slot = 0; slot < 2; slot++) {
        cl_int errors[2];
        stream->inputs[slot] =
            clCreateBuffer(data->context->cl, CL_MEM_READ_ONLY,
                           samples * data->inputs * sizeof(float), NULL, &errors[0]);
        stream->targets[slot] =
            clCreateBuffer(data->context->cl, CL_MEM_READ_ONLY,
                           samples * data->outputs * sizeof(float), NULL, &errors[1]);
        stream->host[slot] = malloc(samples * width * sizeof(float));
        cl_int error = errors[0] != CL_SUCCESS ? errors[0] : errors[1];
        if (error != CL_SUCCESS || stream->host[slot] == NULL) {
            clprop_stream_release(stream);
            return error != CL_SUCCESS
                       ? clprop_fail(&data->message, error,
                                     "allocating the streaming chunks (%zu samples) failed: %s",
                                     samples, clprop_status_name(error))
                       : clprop_fail(&data->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                                     "out of host memory for the streaming chunks");
        }
        stream->holds[slot] = SIZE_MAX;
    }
    stream->capacity = samples;
    return CLPROP_SUCCESS;
}

clprop_status clprop_device_data_stream_begin(clprop_device_data *data, size_t start,
                                              size_t batch)
{
    size_t samples = chunk_size(data, batch);
    if (samples > data->samples)
        samples = data->samples;
    clprop_stream *stream = &data->stream;
    if (stream->capacity < samples || stream->inputs[0] == NULL)
        CLPROP_CHECK(allocate(data, samples));
    stream->chunk_samples = samples;
    stream->pass_start = start;
    stream->holds[0] = stream->holds[1] = SIZE_MAX; /* a new order: nothing loaded is valid */
    return CLPROP_SUCCESS;
}

/* One sample's inputs as floats. Byte data (IDX pixels) are converted here, byte / 255 as the
 * device's gather and clprop_data_input_values do, rather than through the data set's float
 * copy: that would be four times the data's size in host memory, for a data set that streams
 * because it is large (and may be a file mapped from disk, larger than the host's memory). */
static void sample_inputs(const clprop_device_data *data, size_t sample, float *out)
{
    const uint8_t *bytes = clprop_data_input_bytes(data->host);
    if (bytes == NULL) {
        memcpy(out, clprop_data_input_values(data->host) + sample * data->inputs,
               data->inputs * sizeof(float));
        return;
    }
    const uint8_t *row = bytes + sample * data->inputs;
    for (size_t i = 0; i < data->inputs; i++)
        out[i] = (float)row[i] / 255.0f;
}

/* Gathers chunk `chunk` of this pass into its slot's host buffer and enqueues its upload without
 * waiting: the device keeps computing while the host gathers, and the in-order queue puts the
 * upload before the kernels that read it. */
static clprop_status prepare(clprop_device_data *data, size_t chunk)
{
    clprop_stream *stream = &data->stream;
    int slot = (int)(chunk % 2);
    size_t first = stream->pass_start + chunk * stream->chunk_samples;
    if (first >= data->samples || stream->holds[slot] == chunk)
        return CLPROP_SUCCESS;
    size_t count = data->samples - first < stream->chunk_samples ? data->samples - first
                                                                 : stream->chunk_samples;
    if (stream->written[slot] != NULL) { /* the slot's last upload must have read its bytes */
        clWaitForEvents(1, &stream->written[slot]);
        clReleaseEvent(stream->written[slot]);
        stream->written[slot] = NULL;
    }
    float *inputs = stream->host[slot], *targets = inputs + count * data->inputs;
    const float *all_targets = clprop_data_target_values(data->host);
    for (size_t i = 0; i < count; i++) {
        size_t sample = data->host_order[first + i];
        sample_inputs(data, sample, inputs + i * data->inputs);
        memcpy(targets + i * data->outputs, all_targets + sample * data->outputs,
               data->outputs * sizeof(float));
    }
    cl_event events[2];
    cl_int error =
        clEnqueueWriteBuffer(data->context->queue, stream->inputs[slot], CL_FALSE, 0,
                             count * data->inputs * sizeof(float), inputs, 0, NULL, &events[0]);
    if (error == CL_SUCCESS)
        error = clEnqueueWriteBuffer(data->context->queue, stream->targets[slot], CL_FALSE, 0,
                                     count * data->outputs * sizeof(float), targets, 1, &events[0],
                                     &events[1]);
    if (error != CL_SUCCESS)
        return clprop_fail(&data->message, error, "streaming a chunk to %s failed: %s",
                           data->context->device.name, clprop_status_name(error));
    clReleaseEvent(events[0]);
    stream->written[slot] = events[1]; /* in order: the second write ends after the first */
    stream->holds[slot] = chunk;
    return CLPROP_SUCCESS;
}

clprop_status clprop_device_data_stream_batch(clprop_device_data *data, size_t first,
                                              size_t batch, cl_mem input_rows,
                                              cl_mem target_columns)
{
    clprop_stream *stream = &data->stream;
    size_t chunk = (first - stream->pass_start) / stream->chunk_samples;
    size_t offset = (first - stream->pass_start) % stream->chunk_samples;
    CLPROP_CHECK(prepare(data, chunk));
    int slot = (int)(chunk % 2);
    cl_int error = clEnqueueCopyBuffer(data->context->queue, stream->inputs[slot], input_rows,
                                       offset * data->inputs * sizeof(float), 0,
                                       batch * data->inputs * sizeof(float), 0, NULL, NULL);
    if (error != CL_SUCCESS)
        return clprop_fail(&data->message, error, "copying a streamed batch failed: %s",
                           clprop_status_name(error));
    CLPROP_CHECK(clprop_op_samples_to_columns(data->context, &data->message, target_columns,
                                              stream->targets[slot], offset, data->outputs, batch));
    /* the batch is enqueued: gather the next chunk while the device works on this one */
    return prepare(data, chunk + 1);
}
