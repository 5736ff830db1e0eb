/* Passes over whole data sets: a training epoch in a shuffled order, and evaluation in order.
 * The batch moves to the device by an index gather (or, for data kept on the host, one upload per
 * batch); per-sample figures accumulate on the device and the host reads them once per pass. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "device_data.h"
#include "net_internal.h"
#include "ops.h"
#include "pass_progress.h"
#include "rng.h"
#include "status.h"
#include "team.h"

/* How often a pass reports progress: about a hundred times, and never more often than every
 * batch (a marker in the queue each time: pass_progress.h). */
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

/* How many samples of the whole set each of this process's positions stands for: with sharded
 * data, a step of `size` of this process's samples is `size` from every process. */
static size_t shard_scale(const clprop_team *team)
{
    return team->sharded && team->collective != NULL ? team->collective->size : 1;
}

static clprop_status collective_failed(clprop_team *team, clprop_status status, const char *what)
{
    const clprop_collective *c = team->collective;
    const char *why = c->message != NULL ? c->message(c->user) : NULL;
    return clprop_fail(&team->nets[0]->message, status, "%s across the processes failed%s%s", what,
                       why != NULL ? ": " : "", why != NULL ? why : "");
}

/* The figures' totals over every device of the team (each wrote the positions it trained, the
 * others' are zero) and, with a collective, over every process. */
static clprop_status team_figures(clprop_team *team, size_t from, size_t to, int training,
                                  double totals[3])
{
    size_t devices = training ? team->count : 1;
    totals[0] = totals[1] = totals[2] = 0.0;
    for (size_t d = 0; d < devices; d++) {
        double part[3];
        CLPROP_CHECK(read_figures(team->nets[d], team->data[d], from, to, part));
        for (size_t row = 0; row < 3; row++)
            totals[row] += part[row];
    }
    if (training && team->collective != NULL) {
        clprop_status status = team->collective->sum_doubles(team->collective->user, totals, 3);
        if (status != CLPROP_SUCCESS)
            return collective_failed(team, status, "summing the epoch's figures");
    }
    return CLPROP_SUCCESS;
}

/* `training`: the pass changed the weights, so a loss that is not finite means the training
 * diverged; an evaluation only found that the network's outputs overflow on these data. */
static clprop_status read_result(clprop_team *team, size_t from, size_t to, int training,
                                 clprop_pass_result *result)
{
    clprop_net *net = team->nets[0];
    double totals[3];
    CLPROP_CHECK(team_figures(team, from, to, training, totals));
    double loss = totals[0], squared = totals[1], correct = totals[2];
    size_t n = (to - from) * (training ? shard_scale(team) : 1);
    result->samples = n;
    result->loss = loss / (double)n;
    result->mse = squared / ((double)n * (double)team->data[0]->outputs);
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

/* ---- A step over several devices and processes -------------------------------------------------
 */

/* The part [*offset, *offset + *count) of a step of `size` samples that device `device` of this
 * process trains: the processes take equal parts in rank order (with sharded data each step is
 * this process's own), the devices of a process their shares of its part (rounded at the
 * running total, so the parts always add up). */
static void device_part(const clprop_team *team, size_t size, size_t device, size_t *offset,
                        size_t *count)
{
    int split = team->collective != NULL && !team->sharded;
    size_t ranks = split ? team->collective->size : 1;
    size_t rank = split ? team->collective->rank : 0;
    size_t base = size / ranks, extra = size % ranks;
    size_t mine = base + (rank < extra), start = rank * base + (rank < extra ? rank : extra);
    double total = 0.0, before = 0.0;
    for (size_t d = 0; d < team->count; d++) {
        double share = team->shares != NULL ? team->shares[d] : 1.0;
        total += share;
        if (d < device)
            before += share;
    }
    double upto = before + (team->shares != NULL ? team->shares[device] : 1.0);
    size_t begin = (size_t)((double)mine * before / total + 0.5);
    size_t end = device + 1 == team->count ? mine : (size_t)((double)mine * upto / total + 0.5);
    *offset = start + begin;
    *count = end - begin;
}

/* The sum of the devices' gradients (device order; a device that trained nothing adds nothing)
 * and, with a collective, of every process's, written back to every device; the last float
 * carries the stop requests, so that all processes stop after the same step. *stop: whether any
 * process asked. */
static clprop_status exchange_gradients(clprop_team *team, const size_t *counts, int stop_here,
                                        int *stop)
{
    clprop_net *net = team->nets[0];
    size_t floats = net->store_floats;
    int first = 1;
    for (size_t d = 0; d < team->count; d++) {
        if (counts[d] == 0)
            continue;
        float *into = first ? team->sum : team->part;
        CLPROP_CHECK(clprop_net_read(team->nets[d], team->nets[d]->gradients, into, floats));
        if (!first)
            for (size_t i = 0; i < floats; i++)
                team->sum[i] += team->part[i];
        first = 0;
    }
    if (first) /* this process trained nothing this step */
        for (size_t i = 0; i < floats; i++)
            team->sum[i] = 0.0f;
    team->sum[floats] = stop_here ? 1.0f : 0.0f;
    if (team->collective != NULL) {
        clprop_status status =
            team->collective->sum_floats(team->collective->user, team->sum, floats + 1);
        if (status != CLPROP_SUCCESS)
            return collective_failed(team, status, "summing the gradients");
    }
    *stop = team->sum[floats] > 0.0f;
    for (size_t d = 0; d < team->count; d++)
        CLPROP_CHECK(clprop_net_write(team->nets[d], team->nets[d]->gradients, team->sum, floats));
    return CLPROP_SUCCESS;
}

static int shared(const clprop_team *team)
{
    return team->count > 1 || team->collective != NULL;
}

/* ---- Per-layer sums, overlapped with the backward pass (team->per_layer) -----------------------
 * One device in this process: as soon as the backward pass has a layer's gradients, they are
 * read into the host's sum without waiting, and that layer's sum across the processes begins
 * while the device computes the layers below. The sums are the same as one sum of the store. */

/* Layer l's range of the store: its weights and bias, up to the next layer's (the padding
 * between them is zeros, summed as the whole-store exchange sums it). */
static void layer_range(const clprop_net *net, size_t l, size_t *first, size_t *count)
{
    size_t end = l + 1 < net->layer_count ? net->layers[l + 1].weight_offset : net->store_floats;
    *first = net->layers[l].weight_offset;
    *count = end - *first;
}

/* Called by the backward pass once layer l's gradients are enqueued: their read into the sum. */
static clprop_status read_layer(void *user, size_t l)
{
    clprop_team *team = user;
    clprop_net *net = team->nets[0];
    size_t first, count;
    layer_range(net, l, &first, &count);
    cl_int error = clEnqueueReadBuffer(net->context->queue, net->gradients, CL_FALSE,
                                       first * sizeof(float), count * sizeof(float),
                                       team->sum + first, 0, NULL, &team->layer_reads[l]);
    if (error == CL_SUCCESS)
        error = clFlush(net->context->queue); /* the device starts on what is queued now */
    if (error != CL_SUCCESS)
        return clprop_fail(&net->message, error, "reading layer %zu's gradients failed: %s",
                           l + 1, clprop_status_name(error));
    return CLPROP_SUCCESS;
}

/* From the top layer down: wait for its read (none when this process trained nothing this step:
 * zeros), begin its sum. The top layer's range takes the stop requests' float after the store.
 * A read that failed still has its sum begun, with zeros, so that the other processes' sums of
 * this step complete; the first failure is returned once all are begun. */
static clprop_status begin_layer_sums(clprop_team *team, int trained)
{
    clprop_net *net = team->nets[0];
    const clprop_collective *c = team->collective;
    clprop_status failed = CLPROP_SUCCESS;
    for (size_t l = net->layer_count; l-- > 0;) {
        size_t first, count;
        layer_range(net, l, &first, &count);
        cl_int error = trained ? clWaitForEvents(1, &team->layer_reads[l]) : CL_SUCCESS;
        if (error != CL_SUCCESS && failed == CLPROP_SUCCESS)
            failed = clprop_fail(&net->message, error, "reading layer %zu's gradients failed: %s",
                                 l + 1, clprop_status_name(error));
        if (!trained || error != CL_SUCCESS)
            memset(team->sum + first, 0, count * sizeof *team->sum);
        if (l + 1 == net->layer_count)
            count++;
        clprop_status status = c->start_sum_floats(c->user, team->sum + first, count);
        if (status != CLPROP_SUCCESS)
            return collective_failed(team, status, "summing the gradients");
    }
    return failed;
}

static void release_layer_reads(clprop_team *team)
{
    for (size_t l = 0; l < team->nets[0]->layer_count; l++)
        if (team->layer_reads[l] != NULL) {
            clReleaseEvent(team->layer_reads[l]);
            team->layer_reads[l] = NULL;
        }
}

/* The per-layer counterpart of exchange_gradients. */
static clprop_status sum_layers(clprop_team *team, int trained, int stop_here, int *stop)
{
    clprop_net *net = team->nets[0];
    size_t floats = net->store_floats;
    team->sum[floats] = stop_here ? 1.0f : 0.0f;
    /* every layer's read is waited for before its sum begins, failed or not */
    clprop_status status = begin_layer_sums(team, trained);
    release_layer_reads(team);
    /* every sum begun is finished before the sum's memory can go, failure or not */
    clprop_status finished = team->collective->finish_sums(team->collective->user);
    if (status != CLPROP_SUCCESS)
        return status;
    if (finished != CLPROP_SUCCESS)
        return collective_failed(team, finished, "summing the gradients");
    *stop = team->sum[floats] > 0.0f;
    return clprop_net_write(net, net->gradients, team->sum, floats);
}

/* Each device: its part of the batch through forward, figures and (training) backward. */
static clprop_status forward_backward_parts(clprop_team *team, size_t first, size_t size,
                                            int training, size_t *counts)
{
    for (size_t d = 0; d < team->count; d++) {
        clprop_net *net = team->nets[d];
        size_t offset = 0, count = size;
        if (training && shared(team))
            device_part(team, size, d, &offset, &count);
        else if (d > 0)
            count = 0; /* an evaluation runs on the first device alone */
        counts[d] = count;
        if (count == 0)
            continue;
        net->batch = count;
        net->has_deltas = 0;
        CLPROP_CHECK(load_batch(net, team->data[d], first + offset, count));
        /* dropout's masks by the samples' positions in the whole step, not in this part */
        size_t dropout_first = training ? offset : CLPROP_NO_DROPOUT;
        if (training && shard_scale(team) > 1) /* the part's place in the whole step */
            dropout_first += team->collective->rank * size;
        CLPROP_CHECK(clprop_net_run_forward(net, count, 1, dropout_first));
        CLPROP_CHECK(clprop_net_run_figures(net, count, team->data[d]->loss, team->data[d]->squared,
                                            team->data[d]->correct, first + offset, training,
                                            dropout_first));
        if (training && team->per_layer)
            CLPROP_CHECK(clprop_net_run_backward_by_layer(net, count, dropout_first, read_layer,
                                                          team));
        else if (training)
            CLPROP_CHECK(clprop_net_run_backward(net, count, dropout_first));
    }
    return CLPROP_SUCCESS;
}

/* One step: forward and backward on each device's part, the gradients summed where the team
 * shares them, then the same update everywhere (the rule's batch is the whole step's). */
static clprop_status team_step(clprop_team *team, size_t first, size_t size, float learning_rate,
                               int stop_here, int *stop)
{
    size_t counts[CLPROP_TEAM_MAX_DEVICES];
    int training = learning_rate > 0.0f;
    CLPROP_CHECK(forward_backward_parts(team, first, size, training, counts));
    *stop = 0;
    if (!training)
        return CLPROP_SUCCESS;
    if (shared(team) && team->per_layer)
        CLPROP_CHECK(sum_layers(team, counts[0] > 0, stop_here, stop));
    else if (shared(team))
        CLPROP_CHECK(exchange_gradients(team, counts, stop_here, stop));
    for (size_t d = 0; d < team->count; d++)
        CLPROP_CHECK(clprop_net_run_update(team->nets[d], learning_rate, size * shard_scale(team)));
    return CLPROP_SUCCESS;
}

/* Every device's per-sample figures zeroed: each writes only the positions it trains. */
static clprop_status clear_figures(clprop_team *team)
{
    for (size_t d = 0; d < team->count; d++) {
        clprop_device_data *data = team->data[d];
        const float zero = 0.0f;
        cl_int error =
            clEnqueueFillBuffer(team->nets[d]->context->queue, data->figures, &zero, sizeof zero, 0,
                                3 * data->figure_stride * sizeof zero, 0, NULL, NULL);
        if (error != CL_SUCCESS)
            return clprop_fail(&team->nets[0]->message, error,
                               "clearing the per-sample figures failed: %s",
                               clprop_status_name(error));
    }
    return CLPROP_SUCCESS;
}

static clprop_status prepare_team(clprop_team *team, size_t step, int training)
{
    for (size_t d = 0; d < (training ? team->count : 1); d++) {
        clprop_net *net = team->nets[d];
        CLPROP_CHECK(clprop_net_reserve_batch(net, step));
        CLPROP_CHECK(upload_order(net, team->data[d]));
    }
    if (training && shared(team))
        CLPROP_CHECK(clear_figures(team));
    return CLPROP_SUCCESS;
}

/* The steps of a pass from position `start` of the order: for each batch, load, forward,
 * figures, and when training, backward and update. *end receives where it stopped (n, or earlier
 * on request). */
static clprop_status run_steps(clprop_team *team, size_t step, float learning_rate,
                               volatile const sig_atomic_t *stop, pass_progress *progress,
                               size_t start, size_t *end)
{
    clprop_net *net = team->nets[0];
    size_t n = team->data[0]->samples;
    int training = learning_rate > 0.0f;
    size_t report_every = n / PROGRESS_REPORTS > step ? n / PROGRESS_REPORTS : step;
    size_t next_report = start + report_every;
    /* with a collective, every process must stop after the same step: requests travel with
     * the gradients */
    int agreed = team->collective != NULL && training;
    *end = start;
    for (size_t first = start; first < n; first += step) {
        if (!agreed && stop != NULL && *stop)
            return CLPROP_STOPPED;
        size_t size = n - first < step ? n - first : step;
        int stop_all = 0;
        CLPROP_CHECK(team_step(team, first, size, learning_rate, stop != NULL && *stop, &stop_all));
        *end = first + size;
        /* also after the epoch's last step: an epoch of one step has no other (the trainer
         * then counts the epoch whole) */
        if (agreed && stop_all)
            return CLPROP_STOPPED;
        if (first + size >= next_report || first + size == n) { /* the last: the whole pass */
            CLPROP_CHECK(pass_progress_mark(progress, net->context->queue,
                                            (first + size) * shard_scale(team), &net->message));
            next_report += report_every;
        }
    }
    return CLPROP_SUCCESS;
}

/* One pass from position `start` of the order (run_steps), its progress reported on the way. */
static clprop_status run_pass(clprop_team *team, size_t batch, float learning_rate,
                              const clprop_epoch_desc *options, size_t start, size_t *end)
{
    clprop_net *net = team->nets[0];
    clprop_device_data *data = team->data[0];
    size_t n = data->samples;
    size_t step = batch < n ? batch : n;
    CLPROP_CHECK(prepare_team(team, step, learning_rate > 0.0f));
    if (!data->resident)
        CLPROP_CHECK(passed_on(net, data, clprop_device_data_stream_begin(data, start, step)));
    pass_progress progress;
    pass_progress_begin(&progress, options != NULL ? options->progress : NULL,
                        options != NULL ? options->progress_user : NULL, n * shard_scale(team));
    clprop_status status = run_steps(team, step, learning_rate,
                                     options != NULL ? options->stop : NULL, &progress, start, end);
    clprop_status ended = pass_progress_end(&progress, status == CLPROP_SUCCESS, &net->message);
    return status != CLPROP_SUCCESS ? status : ended;
}

static clprop_status check_team(clprop_team *team, size_t batch)
{
    clprop_net *net = team->nets[0];
    if (team->count == 0 || team->count > CLPROP_TEAM_MAX_DEVICES)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "data parallelism takes 1 to %d devices, not %zu",
                           CLPROP_TEAM_MAX_DEVICES, team->count);
    for (size_t d = 0; d < team->count; d++) {
        CLPROP_CHECK(check_pass(team->nets[d], team->data[d], batch));
        if (team->nets[d]->store_floats != net->store_floats)
            return clprop_fail(&net->message, CLPROP_ERROR_MISMATCH,
                               "the replicas are not the same network");
        if (team->count > 1 && !team->data[d]->resident)
            return clprop_fail(&net->message, CLPROP_ERROR_DOES_NOT_FIT,
                               "training on several devices needs the training set on each of "
                               "them, and it does not fit device %zu",
                               d);
    }
    /* per_layer and sharded are checked once, where the trainer takes them (trainer.c) */
    if (team->collective != NULL && !team->data[0]->resident)
        return clprop_fail(&net->message, CLPROP_ERROR_DOES_NOT_FIT,
                           "training across processes needs the training set on the device");
    return CLPROP_SUCCESS;
}

/* The host buffers of the gradient exchange: the sum and one device's part, with a float more
 * for the stop requests. */
static clprop_status allocate_exchange(clprop_team *team)
{
    if (!shared(team))
        return CLPROP_SUCCESS;
    size_t floats = team->nets[0]->store_floats + 1;
    team->sum = malloc(floats * sizeof *team->sum);
    team->part = malloc(floats * sizeof *team->part);
    if (team->per_layer)
        team->layer_reads = calloc(team->nets[0]->layer_count, sizeof *team->layer_reads);
    if (team->sum == NULL || team->part == NULL || (team->per_layer && team->layer_reads == NULL))
        return clprop_fail(&team->nets[0]->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "out of host memory for the gradient exchange");
    return CLPROP_SUCCESS;
}

clprop_status clprop_team_train_epoch(clprop_team *team, const clprop_epoch_desc *options,
                                      clprop_pass_result *result)
{
    clprop_net *net = team->nets[0];
    clprop_device_data *data = team->data[0];
    if (options == NULL || result == NULL)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "training needs options and a result");
    CLPROP_CHECK(check_team(team, options->batch));
    if (!(isfinite(options->learning_rate) && options->learning_rate > 0.0f))
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the learning rate must be a positive number, not %g",
                           (double)options->learning_rate);
    /* with sharded data, this process's positions: its part of each step, its own shuffle */
    size_t scale = shard_scale(team), first = options->first_sample / scale;
    uint64_t seed = options->shuffle_seed;
    if (scale > 1)
        seed ^= 0x9E3779B97F4A7C15ull * (uint64_t)team->collective->rank;
    if (first >= data->samples || options->first_sample % scale != 0)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the epoch cannot start at sample %zu of %zu", options->first_sample,
                           data->samples * scale);
    for (size_t d = 0; d < team->count; d++)
        shuffled_order(team->data[d]->host_order, team->data[d]->samples, seed);
    size_t end = first;
    clprop_status ran = allocate_exchange(team);
    if (ran == CLPROP_SUCCESS)
        ran = run_pass(team, options->batch / scale, options->learning_rate, options, first,
                       &end);
    if (team->layer_reads != NULL) {
        /* a step that failed may have left reads into the sum in flight */
        clFinish(net->context->queue);
        release_layer_reads(team);
    }
    free(team->sum), free(team->part), free(team->layer_reads);
    team->sum = team->part = NULL;
    team->layer_reads = NULL;
    if (ran != CLPROP_SUCCESS && ran != CLPROP_STOPPED)
        return ran;
    memset(result, 0, sizeof *result);
    if (end > first)
        CLPROP_CHECK(read_result(team, first, end, 1, result));
    return ran;
}

clprop_status clprop_net_train_epoch(clprop_net *net, clprop_device_data *data,
                                     const clprop_epoch_desc *options, clprop_pass_result *result)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    clprop_team alone = {.count = 1, .nets = &net, .data = &data};
    return clprop_team_train_epoch(&alone, options, result);
}

clprop_status clprop_net_evaluate(clprop_net *net, clprop_device_data *data, size_t batch,
                                  clprop_pass_result *result)
{
    if (net == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    if (result == NULL)
        return clprop_fail(&net->message, CLPROP_ERROR_INVALID_ARGUMENT, "no result given");
    clprop_team alone = {.count = 1, .nets = &net, .data = &data};
    CLPROP_CHECK(check_pass(net, data, batch));
    for (size_t i = 0; i < data->samples; i++)
        data->host_order[i] = (uint32_t)i;
    size_t end;
    CLPROP_CHECK(run_pass(&alone, batch, 0.0f, NULL, 0, &end));
    return read_result(&alone, 0, end, 0, result);
}
