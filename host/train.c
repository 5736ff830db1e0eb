/* Passes over whole data sets: a training epoch in a shuffled order, and evaluation in order.
 * The batch moves to the device by an index gather (or, for data kept on the host, one upload per
 * batch); per-sample figures accumulate on the device and the host reads them once per pass. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "device_data.h"
#include "net_internal.h"
#include "ops.h"
#include "rng.h"
#include "status.h"

/* How often a pass reports progress: about a hundred times, and never more often than every
 * batch. Each report waits for the device, so it must stay rare. */
#define PROGRESS_REPORTS 100

static clprop_status check_pass(clprop_net *net, const clprop_device_data *data, size_t batch)
{
    if (data == NULL)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT, "no data set given");
    if (data->context != net->context)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the data set was uploaded to another context");
    size_t inputs = net->sizes[0], outputs = net->sizes[net->layer_count];
    if (data->inputs != inputs)
        return clprop_fail(&net->message, CLPROP_ERROR_MISMATCH,
                           "the data have %zu inputs but the network's input layer has %zu",
                           data->inputs, inputs);
    if (data->outputs != outputs)
        return clprop_fail(&net->message, CLPROP_ERROR_MISMATCH,
                           "the data have %zu outputs but the network's output layer has %zu",
                           data->outputs, outputs);
    if (batch == 0)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the batch size must be at least 1");
    return CLPROP_SUCCESS;
}

/* Fisher–Yates from the seed: the same seed, the same order, on every device. */
static void shuffled_order(uint32_t *order, size_t count, uint64_t seed)
{
    clprop_rng rng = clprop_rng_seeded(seed);
    for (size_t i = 0; i < count; i++)
        order[i] = (uint32_t)i;
    for (size_t i = count; i > 1; i--) {
        size_t j = (size_t)(clprop_rng_next(&rng) % i);
        uint32_t swap = order[i - 1];
        order[i - 1] = order[j];
        order[j] = swap;
    }
}

static clprop_status upload_order(clprop_net *net, clprop_device_data *data)
{
    cl_int error =
        clEnqueueWriteBuffer(net->context->queue, data->order, CL_TRUE, 0,
                             data->samples * sizeof(uint32_t), data->host_order, 0, NULL, NULL);
    if (error != CL_SUCCESS)
        return clprop_fail(&net->message, error, "uploading the sample order failed: %s",
                           clprop_status_name(error));
    return CLPROP_SUCCESS;
}

/* A failure of the data set's, reported on the network that asked. */
static clprop_status passed_on(clprop_net *net, clprop_device_data *data, clprop_status status)
{
    if (status != CLPROP_SUCCESS)
        return clprop_fail(&net->message, status, "%s", data->message.text);
    return CLPROP_SUCCESS;
}

/* Brings samples order[first .. first+batch−1] into net->input_rows and net->targets. */
static clprop_status load_batch(clprop_net *net, clprop_device_data *data, size_t first,
                                size_t batch)
{
    size_t inputs = data->inputs, outputs = data->outputs;
    if (!data->resident)
        return passed_on(
            net, data,
            clprop_device_data_stream_batch(data, first, batch, net->input_rows, net->targets));
    return clprop_op_gather_batch(net->context, &net->message, net->input_rows, data->input_values,
                                  data->input_bytes, net->targets, data->target_values, data->order,
                                  first, inputs, outputs, batch);
}

/* The sums of the three per-sample figures over positions [from, to) of the pass's order, read
 * back in one transfer (the three rows of the figures' buffer, as one rectangle). */
static clprop_status read_figures(clprop_net *net, clprop_device_data *data, size_t from, size_t to,
                                  double totals[3])
{
    size_t width = (to - from) * sizeof(float);
    const size_t buffer_origin[3] = {from * sizeof(float), 0, 0}, host_origin[3] = {0, 0, 0};
    const size_t region[3] = {width, 3, 1};
    cl_int error = clEnqueueReadBufferRect(
        net->context->queue, data->figures, CL_TRUE, buffer_origin, host_origin, region,
        data->figure_stride * sizeof(float), 0, width, 0, data->host_figures, 0, NULL, NULL);
    if (error != CL_SUCCESS)
        return clprop_fail(&net->message, error, "reading the pass's figures failed: %s",
                           clprop_status_name(error));
    /* in sample order and in double, so the totals do not depend on the batch size */
    for (size_t row = 0; row < 3; row++) {
        const float *values = data->host_figures + row * (to - from);
        double sum = 0.0;
        for (size_t i = 0; i < to - from; i++)
            sum += values[i];
        totals[row] = sum;
    }
    return CLPROP_SUCCESS;
}

/* `training`: the pass changed the weights, so a loss that is not finite means the training
 * diverged; an evaluation only found that the network's outputs overflow on these data. */
static clprop_status read_result(clprop_net *net, clprop_device_data *data, size_t from, size_t to,
                                 int training, clprop_pass_result *result)
{
    double totals[3];
    CLPROP_CHECK(read_figures(net, data, from, to, totals));
    double loss = totals[0], squared = totals[1], correct = totals[2];
    size_t n = to - from;
    result->samples = n;
    result->loss = loss / (double)n;
    result->mse = squared / ((double)n * (double)data->outputs);
    result->correct = (size_t)correct;
    const char *value = isnan(result->loss) ? "NaN" : "infinite";
    if (!isfinite(result->loss) && training)
        return clprop_fail(&net->message, CLPROP_ERROR_NOT_FINITE,
                           "the loss became %s: training diverged (try a smaller learning rate)",
                           value);
    if (!isfinite(result->loss))
        return clprop_fail(&net->message, CLPROP_ERROR_NOT_FINITE,
                           "the loss on these data is %s: the network's outputs overflow", value);
    return CLPROP_SUCCESS;
}

static clprop_status report_progress(clprop_net *net, clprop_progress_fn progress, void *user,
                                     size_t done, size_t total)
{
    cl_int error = clFinish(net->context->queue);
    if (error != CL_SUCCESS)
        return clprop_fail(&net->message, error, "the device failed: %s",
                           clprop_status_name(error));
    progress(user, done, total);
    return CLPROP_SUCCESS;
}

/* One pass from position `start` of the order: for each batch, load, forward, figures, and when
 * training, backward and update. *end receives where it stopped (n, or earlier on request). */
static clprop_status run_pass(clprop_net *net, clprop_device_data *data, size_t batch,
                              float learning_rate, const clprop_epoch_desc *options, size_t start,
                              size_t *end)
{
    size_t n = data->samples;
    size_t step = batch < n ? batch : n;
    CLPROP_CHECK(clprop_net_reserve_batch(net, step));
    CLPROP_CHECK(upload_order(net, data));
    if (!data->resident)
        CLPROP_CHECK(passed_on(net, data, clprop_device_data_stream_begin(data, start, step)));
    size_t report_every = n / PROGRESS_REPORTS > step ? n / PROGRESS_REPORTS : step;
    size_t next_report = start + report_every;
    *end = start;
    for (size_t first = start; first < n; first += step) {
        if (options != NULL && options->stop != NULL && *options->stop)
            return CLPROP_STOPPED;
        size_t size = n - first < step ? n - first : step;
        net->batch = size;
        net->has_deltas = 0;
        CLPROP_CHECK(load_batch(net, data, first, size));
        CLPROP_CHECK(clprop_net_run_forward(net, size, 1));
        CLPROP_CHECK(clprop_net_run_figures(net, size, data->loss, data->squared, data->correct,
                                            first, learning_rate > 0.0f));
        if (learning_rate > 0.0f) {
            CLPROP_CHECK(clprop_net_run_backward(net, size));
            CLPROP_CHECK(clprop_net_run_update(net, learning_rate, size));
        }
        *end = first + size;
        if (options != NULL && options->progress != NULL && first + size >= next_report) {
            CLPROP_CHECK(
                report_progress(net, options->progress, options->progress_user, first + size, n));
            next_report += report_every;
        }
    }
    return CLPROP_SUCCESS;
}

clprop_status clprop_net_train_epoch(clprop_net *net, clprop_device_data *data,
                                     const clprop_epoch_desc *options, clprop_pass_result *result)
{
    if (options == NULL || result == NULL)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "training needs options and a result");
    CLPROP_CHECK(check_pass(net, data, options->batch));
    if (!(isfinite(options->learning_rate) && options->learning_rate > 0.0f))
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the learning rate must be a positive number, not %g",
                           (double)options->learning_rate);
    if (options->first_sample >= data->samples)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the epoch cannot start at sample %zu of %zu", options->first_sample,
                           data->samples);
    shuffled_order(data->host_order, data->samples, options->shuffle_seed);
    size_t end;
    clprop_status ran = run_pass(net, data, options->batch, options->learning_rate, options,
                                 options->first_sample, &end);
    if (ran != CLPROP_SUCCESS && ran != CLPROP_STOPPED)
        return ran;
    memset(result, 0, sizeof *result);
    if (end > options->first_sample)
        CLPROP_CHECK(read_result(net, data, options->first_sample, end, 1, result));
    return ran;
}

clprop_status clprop_net_evaluate(clprop_net *net, clprop_device_data *data, size_t batch,
                                  clprop_pass_result *result)
{
    if (result == NULL)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT, "no result given");
    CLPROP_CHECK(check_pass(net, data, batch));
    for (size_t i = 0; i < data->samples; i++)
        data->host_order[i] = (uint32_t)i;
    size_t end;
    CLPROP_CHECK(run_pass(net, data, batch, 0.0f, NULL, 0, &end));
    return read_result(net, data, 0, end, 0, result);
}
