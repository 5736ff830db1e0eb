/* Data sets too large for the device stream through it in chunks: the host gathers the next chunk
 * of the epoch's order while the device trains on the current one (two chunk buffers on each
 * side), so the device never waits for the host's gathering. */
#ifndef CLPROP_STREAM_H
#define CLPROP_STREAM_H

#include <CL/cl.h>
#include <stddef.h>


typedef struct clprop_stream {
    size_t chunk_samples;     /* samples per chunk: a multiple of the pass's batch */
    size_t pass_start;        /* where in the order this pass's chunks begin */
    cl_mem inputs[2], targets[2]; /* device chunks, sample-major */
    float *host[2];           /* host chunks: inputs then targets */
    cl_event written[2];      /* the upload of each host chunk, done before it is refilled */
    size_t holds[2];          /* which chunk each slot holds; SIZE_MAX for none */
    size_t capacity;          /* samples each slot was allocated for */
} clprop_stream;

/* Its functions work on a device data set: see host/device_data.h. */
void clprop_stream_release(clprop_stream *stream);

#endif
