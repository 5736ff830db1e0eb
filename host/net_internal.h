/* The network's insides: its layers' buffers on the device. */
#ifndef CLPROP_NET_INTERNAL_H
#define CLPROP_NET_INTERNAL_H

#include <CL/cl.h>
#include <stdint.h>

#include "context.h"
#include "optimizer.h"
#include "scaling.h"

typedef struct clprop_device_layer {
    size_t inputs, outputs;
    clprop_activation activation;
    float dropout;                             /* its dropout rate while training; 0: none */
    size_t weight_offset, bias_offset;         /* where its tensors start in the store, in floats */
    cl_mem weights, biases;                    /* outputs×inputs, outputs (no biases: NULL) */
    cl_mem weight_gradients, bias_gradients;   /* batch sums of the last backward pass */
    cl_mem z, a, delta;                        /* outputs × batch, samples as columns */
} clprop_device_layer;

struct clprop_net {
    clprop_message message;
    clprop_context *context;
    size_t layer_count;
    size_t *sizes; /* layer_count + 1 */
    int has_bias;
    clprop_loss loss;
    clprop_device_layer *layers; /* layers[l-1] is layer l */

    /* The flat parameter store (net_store.c): the layers' weights and biases, their gradients,
     * and the optimizer's slots, each one buffer of store_floats; the layers' tensors above are
     * sub-buffers of the first two. */
    size_t store_floats;
    cl_mem parameters, gradients;
    cl_mem slots[2];

    /* Per-batch buffers, sized for `capacity` samples and regrown for a larger batch. */
    size_t capacity;
    cl_mem input_rows;  /* batch × units(0): the inputs sample-major; the forward product takes
                           them transposed, the first layer's weight gradient δ·X as they are */
    cl_mem targets;     /* units(L) × batch */
    cl_mem sample_loss; /* batch: per-sample figures of the last pass (see sample_loss kernel) */
    cl_mem sample_squared;
    cl_mem sample_correct;
    cl_mem scratch;     /* largest layer × batch: uploads and read-backs pass through it */
    float *host_loss;   /* batch, read back from sample_loss */

    clprop_optimizer optimizer;           /* defaults filled in */
    unsigned long long optimizer_steps;   /* updates so far (Adam's t) */
    uint64_t dropout_seed;                /* keys the hidden layers' dropout masks */

    clprop_scaling_copy scaling;          /* inputs and targets (net_scaling.c); none: zero */

    size_t batch;      /* batch of the last pass; 0 before any */
    int has_deltas;    /* the last pass went backward too */
    int delta_below_output; /* this pass's figures' launch made the delta of the layer below the
                               output (the output step): the backward pass starts under it */
};

/* Releases *buffer when it is not NULL and sets it to NULL (net.c). */
void clprop_net_release_buffer(cl_mem *buffer);

/* Sets each layer's offsets and store_floats (net_store.c). */
void clprop_net_store_layout(clprop_net *net);
/* The store and each layer's sub-buffers of it, all zero; released by clprop_net_release_store. */
clprop_status clprop_net_create_store(clprop_net *net);
void clprop_net_release_store(clprop_net *net);
/* A store-sized buffer with every float set to value. */
clprop_status clprop_net_store_buffer(clprop_net *net, const char *what, float value, cl_mem *out);

/* Frees the optimizer's state buffers (net_optimizer.c). */
void clprop_net_release_optimizer_state(clprop_net *net);

/* Blocking copies between host arrays and device buffers, failures reported on the net. */
clprop_status clprop_net_write(clprop_net *net, cl_mem buffer, const float *values, size_t count);
clprop_status clprop_net_read(clprop_net *net, cl_mem buffer, float *values, size_t count);

/* Makes sure the per-batch buffers hold `batch` samples. */
clprop_status clprop_net_reserve_batch(clprop_net *net, size_t batch);

/* The steps of a pass, on a batch already in net->input_rows (and net->targets), each enqueued
 * only: nothing waits for the device. */
/* A training pass draws dropout's masks (the layers that have a rate) for the samples at positions
 * dropout_first.. of its step; an evaluation passes CLPROP_NO_DROPOUT. */
#define CLPROP_NO_DROPOUT SIZE_MAX
/* figures_next: the figures' launch comes next and applies a softmax output, or the whole output
 * layer where it is small and the device a CPU (see net_pass.c); else the forward pass does. */
clprop_status clprop_net_run_forward(clprop_net *net, size_t batch, int figures_next,
                                     size_t dropout_first);
/* Per-sample figures into loss/squared/correct at [first + b]; with with_output_delta, the output
 * layer's delta too (the same launch), which run_backward starts from — and with the output
 * step, the delta of the layer below it as well, with that layer's dropout masks for the samples
 * at dropout_first.. of the step. */
clprop_status clprop_net_run_figures(clprop_net *net, size_t batch, cl_mem loss, cl_mem squared,
                                     cl_mem correct, size_t first, int with_output_delta,
                                     size_t dropout_first);
clprop_status clprop_net_run_backward(clprop_net *net, size_t batch, size_t dropout_first);
/* The same products from the top layer down, each layer's gradients (weights then bias: one
 * range of the store) enqueued before the delta of the layer below it, and done(user, l) called
 * as soon as layer l's are: per-layer all-reduces begin while the device computes the rest. */
typedef clprop_status (*clprop_layer_done_fn)(void *user, size_t layer);
clprop_status clprop_net_run_backward_by_layer(clprop_net *net, size_t batch,
                                               size_t dropout_first, clprop_layer_done_fn done,
                                               void *user);
clprop_status clprop_net_run_update(clprop_net *net, float learning_rate, size_t batch);
/* Host inputs (batch × units(0)) → net->input_rows. */
clprop_status clprop_net_upload_inputs(clprop_net *net, const float *inputs, size_t batch);
/* Host samples (batch × units) → device columns (units × batch), through the scratch buffer. */
clprop_status clprop_net_upload_columns(clprop_net *net, cl_mem columns, const float *samples,
                                        size_t units, size_t batch);

#endif
