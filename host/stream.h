/* Data sets too large for the device stream through it in chunks: the host gathers the next chunk
 * of the epoch's order while the device trains on the current one (two chunk buffers on each
 * side), so the device never waits for the host's gathering. */
#ifndef CLPROP_STREAM_H
#define CLPROP_STREAM_H

#include <CL/cl.h>

#include "clprop.h"
#include "message.h"

typedef struct clprop_device_data clprop_device_data;
typedef struct clprop_net clprop_net;

typedef struct clprop_stream {
    size_t chunk_samples;     /* samples per chunk: a multiple of the pass's batch */
    size_t pass_start;        /* where in the order this pass's chunks begin */
    cl_mem inputs[2], targets[2]; /* device chunks, sample-major */
    float *host[2];           /* host chunks: inputs then targets */
    cl_event written[2];      /* the upload of each host chunk, done before it is refilled */
    size_t holds[2];          /* which chunk each slot holds; SIZE_MAX for none */
    size_t capacity;          /* samples each slot was allocated for */
} clprop_stream;

/* Prepares a pass over the data from `start` in batches of `batch`. */
clprop_status clprop_stream_begin(clprop_net *net, clprop_device_data *data, size_t start,
                                  size_t batch);
/* net->input_rows and net->targets ← samples order[first .. first+batch−1]. */
clprop_status clprop_stream_load(clprop_net *net, clprop_device_data *data, size_t first,
                                 size_t batch);
void clprop_stream_release(clprop_stream *stream);

#endif
