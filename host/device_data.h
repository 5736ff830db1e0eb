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
    const clprop_data *host; /* held while streaming (holds_host), else read only on creation */
    int holds_host;
    size_t samples, inputs, outputs;
    int resident;
    int input_bytes; /* input_values holds bytes (IDX pixels), converted to floats by the gather */
    cl_mem input_values, target_values; /* samples × inputs / outputs, sample-major (resident) */
    cl_mem order;                       /* samples uint: this pass's order */
    cl_mem loss, squared, correct;      /* samples floats, at each sample's position in order */
    uint32_t *host_order;
    float *host_figures;  /* samples floats, for reading the figures back */
    clprop_stream stream; /* not resident: the chunks it streams through */
};

#endif
