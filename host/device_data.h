/* A data set on a device: its samples (or a note that they stay on the host), the epoch's sample
 * order, and the per-sample figures an epoch accumulates before the host reads them once. */
#ifndef CLPROP_DEVICE_DATA_H
#define CLPROP_DEVICE_DATA_H

#include <CL/cl.h>

#include "context.h"
#include "stream.h"

struct clprop_device_data {
    clprop_message message;
    clprop_context *context;
    /* The host's data set. Held (holds_host) while anything reads its arrays: streamed (read per
     * chunk), or resident in place (in_place: the device's memory is the host's, and the sample
     * buffers are the data set's own arrays). NULL once the samples were copied to the device. */
    const clprop_data *host;
    int holds_host;
    int in_place;
    size_t samples, inputs, outputs;
    int resident;
    int input_bytes; /* input_values holds bytes (IDX pixels), converted to floats by the gather */
    cl_mem input_values, target_values; /* samples × inputs / outputs, sample-major (resident) */
    cl_mem order;                       /* samples uint: this pass's order */
    /* The per-sample figures, each samples floats at each sample's position in the order: three
     * rows of one buffer, figure_stride floats apart, so a pass reads them back in one transfer */
    cl_mem figures;
    cl_mem loss, squared, correct; /* its rows, as sub-buffers */
    size_t figure_stride;
    uint32_t *host_order;
    float *host_figures;  /* 3 × samples floats, for reading the figures back */
    clprop_stream stream; /* not resident: the chunks it streams through */
};

/* A data set kept on the host hands out its batches through the stream (stream.c); failures are
 * reported on data->message. The caller owns where a batch goes: the data never reach into a
 * network. */
/* Prepares a pass over the data from position `start` of host_order, in batches of `batch`. */
clprop_status clprop_device_data_stream_begin(clprop_device_data *data, size_t start,
                                              size_t batch);
/* Samples order[first .. first+batch−1]: inputs into `input_rows` (batch × inputs, sample-major)
 * and targets into `target_columns` (outputs × batch). */
clprop_status clprop_device_data_stream_batch(clprop_device_data *data, size_t first,
                                              size_t batch, cl_mem input_rows,
                                              cl_mem target_columns);

#endif
