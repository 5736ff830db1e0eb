/* A plain-C double-precision reference of everything the kernels compute: the same forward pass,
 * backward pass and update, written for clarity. The tests check the device against it, and the
 * walkthrough (`clprop example`) prints it beside the device's figures.
 * Layout as on the device: samples are columns, unit u of sample b at [u*batch + b]. */
#ifndef CLPROP_REFERENCE_H
#define CLPROP_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

#include "clprop.h"

/* The leaky ReLU's slope below zero: the float the kernels use, exactly. */
#define CLPROP_REF_LEAKY_SLOPE ((double)CLPROP_LEAKY_RELU_SLOPE)

double clprop_ref_activate(clprop_activation activation, double z);
double clprop_ref_derivative_from_output(clprop_activation activation, double a);

/* c (m×n) = alpha·op(a)·op(b) + beta·c, row-major with row strides lda, ldb, ldc. */
void clprop_ref_gemm(double *c, int transpose_a, int transpose_b, size_t m, size_t n, size_t k,
                     double alpha, const double *a, size_t lda, const double *b, size_t ldb,
                     double beta, size_t ldc);
/* z += bias (may be NULL); a = f(z), softmax per column. */
void clprop_ref_bias_activate(double *z, double *a, const double *bias,
                              clprop_activation activation, size_t units, size_t batch);
void clprop_ref_output_delta(double *delta, const double *y, const double *t,
                             clprop_activation activation, clprop_loss loss, size_t units,
                             size_t batch);
void clprop_ref_scale_by_derivative(double *delta, const double *a, clprop_activation activation,
                                    size_t units, size_t batch);
/* Per-sample loss E, and (when the pointers are not NULL) Σ(y − t)² and whether the largest
 * output is the target's largest (the first largest, on ties). */
void clprop_ref_sample_loss(double *loss_out, double *squared_out, double *correct_out,
                            const double *y, const double *t, clprop_loss loss, size_t units,
                            size_t batch);
void clprop_ref_bias_gradient(double *gradient, const double *delta, size_t units, size_t batch);

/* One optimizer update in double, as the update kernels do it: w from the gradient g summed over
 * `batch` samples and the optimizer's slots (NULL when it keeps fewer); `step` counts from 1. */
void clprop_ref_update(double *w, const double *g, double *slot0, double *slot1,
                       const clprop_optimizer *optimizer, unsigned long long step, size_t batch,
                       double rate, size_t count);

/* A whole network in double precision. */
typedef struct clprop_ref_layer {
    size_t inputs, outputs;
    clprop_activation activation;
    double *weights, *biases;                  /* outputs×inputs, outputs (biases may be NULL) */
    double *weight_gradients, *bias_gradients; /* ∂(Σ_b E_b)/∂W of the last backward pass */
    double *z, *a, *delta;                     /* outputs×batch, from the last pass */
    double *state[2][2]; /* optimizer slots: [0] weights, [1] biases */
} clprop_ref_layer;

typedef struct clprop_ref_net {
    size_t layer_count;
    clprop_ref_layer *layers; /* layers[0] is layer 1 */
    double *input;            /* units(0)×batch, the inputs of the last pass as columns */
    size_t batch;             /* batch of the last pass */
    clprop_loss loss;
    clprop_optimizer optimizer; /* plain SGD unless set */
    unsigned long long steps;
    /* Inverted dropout with fixed masks: NULL, or layer_count entries, [l−1] for layer l: NULL
     * or its factors (outputs × batch, each 0 or 1/(1 − rate)), which multiply a = f(z) in the
     * forward pass and f′(z) in the backward pass. The caller's arrays, for passes of that batch. */
    const double *const *dropout;
} clprop_ref_net;

/* A reference network with the shape of desc; weights copied in (per layer 1..L: weights[l-1]
 * and biases[l-1]; biases may be NULL, meaning zeros). NULL on bad input. */
clprop_ref_net *clprop_ref_net_create(const clprop_net_desc *desc, const double *const *weights,
                                      const double *const *biases);
/* Widens a float array into a new double array (malloc'd), for feeding device data in. */
double *clprop_ref_widen(const float *values, size_t count);
void clprop_ref_net_destroy(clprop_ref_net *net);

/* Forward pass on inputs (batch × units(0), sample-major); keeps z and a per layer. */
void clprop_ref_forward(clprop_ref_net *net, const double *inputs, size_t batch);
/* Forward and backward pass; returns the mean per-sample loss; gradients are batch sums. */
double clprop_ref_compute_gradients(clprop_ref_net *net, const double *inputs,
                                    const double *targets, size_t batch);
/* The loss alone (mean over the batch), for finite differences. */
double clprop_ref_loss(clprop_ref_net *net, const double *inputs, const double *targets,
                       size_t batch);
/* Chooses the optimizer (defaults filled in) and resets its state; 0 on bad input. */
int clprop_ref_set_optimizer(clprop_ref_net *net, const clprop_optimizer *optimizer);

/* One step of the optimizer (plain SGD: W ← W − (rate/batch)·∇W). Returns the loss before it. */
double clprop_ref_train_batch(clprop_ref_net *net, const double *inputs, const double *targets,
                              size_t batch, double learning_rate);

/* Seeded numbers for reproducible problems (the library's own splitmix64 generator): the same
 * seed gives the same numbers on every machine. */
typedef struct clprop_ref_random {
    uint64_t state;
} clprop_ref_random;

clprop_ref_random clprop_ref_random_seeded(uint64_t seed);
uint64_t clprop_ref_random_next(clprop_ref_random *random);
/* Uniform in [low, high). */
double clprop_ref_random_uniform(clprop_ref_random *random, double low, double high);

#endif
