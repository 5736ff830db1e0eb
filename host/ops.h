/* The library's low-level operations: one call per kernel, on device buffers laid out with
 * samples as columns (unit u of sample b at [u*batch + b]). Errors are written to `message`.
 * Argument order: outputs, then inputs, then sizes. */
#ifndef CLPROP_OPS_H
#define CLPROP_OPS_H

#include <CL/cl.h>

#include "context.h"
#include "dropout.h"
#include "kernel_contract.h"
#include "optimizer.h"

/* c (m×n, row stride ldc) = alpha·op(a)·op(b) + beta·c, row-major; op(a) is m×k, op(b) k×n.
 * Uses the context's GEMM backend. */
clprop_status clprop_op_gemm(clprop_context *context, clprop_message *message, int transpose_a,
                             int transpose_b, size_t m, size_t n, size_t k, float alpha, cl_mem a,
                             size_t lda, cl_mem b, size_t ldb, float beta, cl_mem c, size_t ldc);

/* What a product does besides storing C (kernels/gemm_epilogue.cl): `flags` of
 * CLPROP_EPILOGUE_*; the buffers a flag does not use may be NULL. `other` has C's layout. */
typedef struct clprop_gemm_epilogue {
    int flags;
    cl_mem bias;                  /* BIAS: a value per row of C */
    cl_mem other;                 /* ACTIVATE: receives f(C); DERIVATIVE: holds a = f(z) */
    clprop_activation activation; /* ACTIVATE, DERIVATIVE; never softmax (a whole column) */
    cl_mem row_sums;              /* ROW_SUMS: a value per row of C */
    clprop_dropout_mask dropout;  /* DROPOUT: the masks of C's rows (units) and columns (samples) */
} clprop_gemm_epilogue;

/* clprop_op_gemm and then the epilogue, in the product's own launch where the family allows (our
 * kernels), else in launches of their own after it (CLBlast, which then needs C, other and A
 * unpadded: ldc = n, lda = k). */
clprop_status clprop_op_gemm_fused(clprop_context *context, clprop_message *message,
                                   int transpose_a, int transpose_b, size_t m, size_t n, size_t k,
                                   float alpha, cl_mem a, size_t lda, cl_mem b, size_t ldb,
                                   float beta, cl_mem c, size_t ldc,
                                   const clprop_gemm_epilogue *epilogue);

/* z += bias (when bias is not NULL), then a = f(z). z, a: (units × batch). Softmax works on
 * whole columns. */
clprop_status clprop_op_bias_activate(clprop_context *context, clprop_message *message, cl_mem z,
                                      cl_mem a, cl_mem bias, clprop_activation activation,
                                      size_t units, size_t batch);

/* The same with inverted dropout's masks applied to a (dropout NULL: none; never softmax). */
clprop_status clprop_op_bias_activate_masked(clprop_context *context, clprop_message *message,
                                             cl_mem z, cl_mem a, cl_mem bias,
                                             clprop_activation activation,
                                             const clprop_dropout_mask *dropout, size_t units,
                                             size_t batch);

/* delta = (y − t)·f′(z), or y − t for cross-entropy. */
clprop_status clprop_op_output_delta(clprop_context *context, clprop_message *message, cl_mem delta,
                                     cl_mem y, cl_mem t, clprop_activation activation,
                                     clprop_loss loss, size_t units, size_t batch);

/* delta ⊙= f′(z), with f′ computed from a = f(z). */
clprop_status clprop_op_scale_by_derivative(clprop_context *context, clprop_message *message,
                                            cl_mem delta, cl_mem a, clprop_activation activation,
                                            size_t units, size_t batch);

/* The same for a layer with dropout: a holds f(z)·m/(1 − p), and delta ⊙= m·f′(z)/(1 − p)
 * (dropout NULL: none). */
clprop_status clprop_op_scale_by_derivative_masked(clprop_context *context,
                                                   clprop_message *message, cl_mem delta, cl_mem a,
                                                   clprop_activation activation,
                                                   const clprop_dropout_mask *dropout,
                                                   size_t units, size_t batch);

/* A mask as the kernels take it (zeros for NULL). */
cl_uint8 clprop_op_dropout_words(const clprop_dropout_mask *mask);

/* Per-sample figures of a batch, written at [first + b]: the loss E, Σ(y − t)², and 1 or 0 for
 * whether the largest output is the target's largest. With a delta buffer (else NULL), the
 * output delta as clprop_op_output_delta writes it, in the same launch. With z (else NULL), the
 * output layer is a softmax whose biased z the forward product left: y = softmax(z) first. */
clprop_status clprop_op_sample_loss(clprop_context *context, clprop_message *message,
                                    cl_mem loss_out, cl_mem squared_out, cl_mem correct_out,
                                    size_t first, cl_mem y, cl_mem t, clprop_loss loss,
                                    size_t units, size_t batch, cl_mem delta,
                                    clprop_activation activation, cl_mem z);

/* The output layer's step in one launch (kernels/backward.cl, output_step), for a small output
 * layer on a CPU device: z = W·a_prev (+ bias) and y = f(z) or the softmax — as the forward
 * product and its epilogue make them —, the per-sample figures and, with `delta`, the output
 * delta as clprop_op_sample_loss makes them, and with `hidden_delta` the delta of the layer below
 * (Wᵀ·δ ⊙ f′, with its dropout mask) as the backward product makes it: the same floats. */
typedef struct clprop_output_step {
    cl_mem loss_out, squared_out, correct_out; /* the figures, at [first + b] */
    size_t first;
    cl_mem z, y, targets; /* units × batch */
    cl_mem weights, bias; /* units × inputs, units (bias NULL: none) */
    cl_mem a_prev;        /* inputs × batch: the layer below's output */
    size_t units, inputs, batch;
    clprop_activation activation; /* the output layer's, softmax included */
    clprop_loss loss;
    cl_mem delta;        /* NULL: no deltas (an evaluation) */
    cl_mem hidden_delta; /* NULL: not the layer below's (it is the inputs) */
    clprop_activation hidden_activation;
    const clprop_dropout_mask *hidden_dropout; /* the layer below's masks; NULL: none */
} clprop_output_step;

clprop_status clprop_op_output_step(clprop_context *context, clprop_message *message,
                                    const clprop_output_step *step);

/* Samples order[first .. first+batch−1] of a data set held sample-major on the device, in one
 * launch: their inputs into rows (batch × inputs), from floats or from bytes (each becoming
 * byte / 255) when `bytes` is non-zero, and their targets (floats) into columns (outputs ×
 * batch). With outputs 0 only the inputs (columns and targets may be NULL). */
clprop_status clprop_op_gather_batch(clprop_context *context, clprop_message *message, cl_mem rows,
                                     cl_mem inputs, int bytes, cl_mem columns, cl_mem targets,
                                     cl_mem order, size_t first, size_t input_units,
                                     size_t output_units, size_t batch);

/* gradient[u] = Σ_b delta[u, b]. */
clprop_status clprop_op_bias_gradient(clprop_context *context, clprop_message *message,
                                      cl_mem gradient, cl_mem delta, size_t units, size_t batch);

/* One optimizer update of `count` parameters w from their summed gradient g, with the
 * optimizer's state slots (NULL when it keeps fewer). */
clprop_status clprop_op_update(clprop_context *context, clprop_message *message,
                               const clprop_update_rule *rule, cl_mem w, cl_mem g, cl_mem slot0,
                               cl_mem slot1, size_t count);

/* w ← w − scale·g over `count` values (plain SGD with the scale folded in). */
clprop_status clprop_op_sgd_update(clprop_context *context, clprop_message *message, cl_mem w,
                                   cl_mem g, float scale, size_t count);

/* columns (units × batch) ← samples (rows first .. first+batch−1 of a sample-major array). */
clprop_status clprop_op_samples_to_columns(clprop_context *context, clprop_message *message,
                                           cl_mem columns, cl_mem samples, size_t first,
                                           size_t units, size_t batch);

/* samples (batch × units) ← columns (units × batch). */
clprop_status clprop_op_columns_to_samples(clprop_context *context, clprop_message *message,
                                           cl_mem samples, cl_mem columns, size_t units,
                                           size_t batch);

#endif
