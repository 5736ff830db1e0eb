#include "ops.h"

#include "dropout.h"
#include "kernel_contract.h"
#include "launch.h"
#include "status.h"

static clprop_status check_matrix(clprop_message *message, size_t units, size_t batch)
{
    clprop_status status = clprop_check_fits_uint(message, "a unit count", units);
    if (status == CLPROP_SUCCESS)
        status = clprop_check_fits_uint(message, "a batch size", batch);
    return status;
}

/* A matrix of units × batch that reads or writes samples first .. first+batch−1. */
static clprop_status check_samples(clprop_message *message, size_t units, size_t batch,
                                   size_t first)
{
    clprop_status status = check_matrix(message, units, batch);
    if (status == CLPROP_SUCCESS)
        status = clprop_check_fits_uint(message, "a sample index", first + batch);
    return status;
}

cl_uint8 clprop_op_dropout_words(const clprop_dropout_mask *mask)
{
    cl_uint8 words = {{0}};
    if (mask != NULL) {
        uint32_t packed[8];
        clprop_dropout_kernel_words(packed, mask);
        for (int i = 0; i < 8; i++)
            words.s[i] = packed[i];
    }
    return words;
}

clprop_status clprop_op_bias_activate(clprop_context *context, clprop_message *message, cl_mem z,
                                      cl_mem a, cl_mem bias, clprop_activation activation,
                                      size_t units, size_t batch)
{
    return clprop_op_bias_activate_masked(context, message, z, a, bias, activation, NULL, units,
                                          batch);
}

clprop_status clprop_op_bias_activate_masked(clprop_context *context, clprop_message *message,
                                             cl_mem z, cl_mem a, cl_mem bias,
                                             clprop_activation activation,
                                             const clprop_dropout_mask *dropout, size_t units,
                                             size_t batch)
{
    clprop_status status = check_matrix(message, units, batch);
    if (status != CLPROP_SUCCESS)
        return status;
    cl_int has_bias = bias != NULL;
    cl_uint u = (cl_uint)units, b = (cl_uint)batch;
    if (activation == CLPROP_ACTIVATION_SOFTMAX) {
        clprop_kernel_arg args[] = {CLPROP_ARG(z),        CLPROP_ARG(a), CLPROP_ARG(bias),
                                    CLPROP_ARG(has_bias), CLPROP_ARG(u), CLPROP_ARG(b)};
        size_t items[1] = {clprop_wide_items(batch)};
        return clprop_launch(context, message, CLPROP_KERNEL_BIAS_SOFTMAX, 1, items, args,
                             CLPROP_ARG_COUNT(args));
    }
    cl_int code = (cl_int)activation, masked = dropout != NULL;
    cl_uint8 words = clprop_op_dropout_words(dropout);
    clprop_kernel_arg args[] = {CLPROP_ARG(z),        CLPROP_ARG(a),    CLPROP_ARG(bias),
                                CLPROP_ARG(has_bias), CLPROP_ARG(code), CLPROP_ARG(u),
                                CLPROP_ARG(b),        CLPROP_ARG(masked), CLPROP_ARG(words)};
    size_t items[2] = {clprop_wide_items(batch), units};
    return clprop_launch(context, message, CLPROP_KERNEL_BIAS_ACTIVATE, 2, items, args,
                         CLPROP_ARG_COUNT(args));
}

clprop_status clprop_op_output_delta(clprop_context *context, clprop_message *message, cl_mem delta,
                                     cl_mem y, cl_mem t, clprop_activation activation,
                                     clprop_loss loss, size_t units, size_t batch)
{
    clprop_status status = check_matrix(message, units, batch);
    if (status != CLPROP_SUCCESS)
        return status;
    cl_int act = (cl_int)activation, loss_code = (cl_int)loss;
    cl_uint u = (cl_uint)units, b = (cl_uint)batch;
    clprop_kernel_arg args[] = {CLPROP_ARG(delta), CLPROP_ARG(y),         CLPROP_ARG(t),
                                CLPROP_ARG(act),   CLPROP_ARG(loss_code), CLPROP_ARG(u),
                                CLPROP_ARG(b)};
    size_t items[2] = {batch, units};
    return clprop_launch(context, message, CLPROP_KERNEL_OUTPUT_DELTA, 2, items, args,
                         CLPROP_ARG_COUNT(args));
}

clprop_status clprop_op_scale_by_derivative(clprop_context *context, clprop_message *message,
                                            cl_mem delta, cl_mem a, clprop_activation activation,
                                            size_t units, size_t batch)
{
    return clprop_op_scale_by_derivative_masked(context, message, delta, a, activation, NULL,
                                                units, batch);
}

clprop_status clprop_op_scale_by_derivative_masked(clprop_context *context,
                                                   clprop_message *message, cl_mem delta, cl_mem a,
                                                   clprop_activation activation,
                                                   const clprop_dropout_mask *dropout,
                                                   size_t units, size_t batch)
{
    clprop_status status = check_matrix(message, units, batch);
    if (status != CLPROP_SUCCESS)
        return status;
    cl_int act = (cl_int)activation, masked = dropout != NULL;
    cl_uint u = (cl_uint)units, b = (cl_uint)batch;
    cl_uint8 words = clprop_op_dropout_words(dropout);
    clprop_kernel_arg args[] = {CLPROP_ARG(delta), CLPROP_ARG(a), CLPROP_ARG(act),
                                CLPROP_ARG(u),     CLPROP_ARG(b), CLPROP_ARG(masked),
                                CLPROP_ARG(words)};
    size_t items[2] = {clprop_wide_items(batch), units};
    return clprop_launch(context, message, CLPROP_KERNEL_SCALE_BY_DERIVATIVE, 2, items, args,
                         CLPROP_ARG_COUNT(args));
}

/* Work-items a work-group of the CPU devices' figures (eight samples each): a batch of 64 already
 * goes to two cores. */
#define SAMPLE_LOSS_CPU_ITEMS 4

/* The figures' kernels (the figures alone, or the whole output step): eight samples a work-item.
 * PoCL runs a work-group on one core: in groups of 64 work-items (512 samples) a batch-256 step's
 * figures ran on one of them, so the CPU family's groups are small; other devices take the usual
 * groups of 64 (clprop_launch). */
static clprop_status launch_per_sample(clprop_context *context, clprop_message *message,
                                       clprop_kernel_id kernel, size_t batch,
                                       const clprop_kernel_arg *args, size_t count)
{
    size_t items[1] = {clprop_wide_items(batch)};
    if (context->tuning.family == CLPROP_GEMM_FAMILY_CPU) {
        const size_t local[1] = {SAMPLE_LOSS_CPU_ITEMS};
        return clprop_launch_in_groups(context, message, kernel, 1, items, local, args, count);
    }
    return clprop_launch(context, message, kernel, 1, items, args, count);
}

clprop_status clprop_op_sample_loss(clprop_context *context, clprop_message *message,
                                    cl_mem loss_out, cl_mem squared_out, cl_mem correct_out,
                                    size_t first, cl_mem y, cl_mem t, clprop_loss loss,
                                    size_t units, size_t batch, cl_mem delta,
                                    clprop_activation activation, cl_mem z)
{
    clprop_status status = check_samples(message, units, batch, first);
    if (status != CLPROP_SUCCESS)
        return status;
    cl_int loss_code = (cl_int)loss, act = (cl_int)activation, with_delta = delta != NULL;
    cl_int softmax_from_z = z != NULL;
    cl_uint f = (cl_uint)first, u = (cl_uint)units, b = (cl_uint)batch;
    clprop_kernel_arg args[] = {CLPROP_ARG(loss_out),    CLPROP_ARG(squared_out),
                                CLPROP_ARG(correct_out), CLPROP_ARG(f),
                                CLPROP_ARG(y),           CLPROP_ARG(t),
                                CLPROP_ARG(loss_code),   CLPROP_ARG(u),
                                CLPROP_ARG(b),           CLPROP_ARG(delta),
                                CLPROP_ARG(act),         CLPROP_ARG(with_delta),
                                CLPROP_ARG(z),           CLPROP_ARG(softmax_from_z)};
    return launch_per_sample(context, message, CLPROP_KERNEL_SAMPLE_LOSS, batch, args,
                             CLPROP_ARG_COUNT(args));
}

clprop_status clprop_op_output_step(clprop_context *context, clprop_message *message,
                                    const clprop_output_step *s)
{
    clprop_status status = check_samples(message, s->units, s->batch, s->first);
    if (status == CLPROP_SUCCESS)
        status = check_matrix(message, s->inputs, s->batch);
    if (status != CLPROP_SUCCESS)
        return status;
    if (s->hidden_delta != NULL && s->delta == NULL)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the output step's hidden delta needs the output delta");
    cl_uint first = (cl_uint)s->first, units = (cl_uint)s->units, inputs = (cl_uint)s->inputs,
            batch = (cl_uint)s->batch;
    cl_int has_bias = s->bias != NULL, activation = (cl_int)s->activation, loss = (cl_int)s->loss;
    cl_int with_delta = s->delta != NULL, with_hidden = s->hidden_delta != NULL;
    cl_int hidden_activation = (cl_int)s->hidden_activation;
    cl_int hidden_epilogue =
        CLPROP_EPILOGUE_DERIVATIVE | (s->hidden_dropout != NULL ? CLPROP_EPILOGUE_DROPOUT : 0);
    cl_uint8 dropout = clprop_op_dropout_words(s->hidden_dropout);
    clprop_kernel_arg args[] = {CLPROP_ARG(s->loss_out),
                                CLPROP_ARG(s->squared_out),
                                CLPROP_ARG(s->correct_out),
                                CLPROP_ARG(first),
                                CLPROP_ARG(s->z),
                                CLPROP_ARG(s->y),
                                CLPROP_ARG(s->targets),
                                CLPROP_ARG(s->weights),
                                CLPROP_ARG(s->bias),
                                CLPROP_ARG(has_bias),
                                CLPROP_ARG(s->a_prev),
                                CLPROP_ARG(units),
                                CLPROP_ARG(inputs),
                                CLPROP_ARG(batch),
                                CLPROP_ARG(activation),
                                CLPROP_ARG(loss),
                                CLPROP_ARG(s->delta),
                                CLPROP_ARG(with_delta),
                                CLPROP_ARG(s->hidden_delta),
                                CLPROP_ARG(with_hidden),
                                CLPROP_ARG(hidden_activation),
                                CLPROP_ARG(hidden_epilogue),
                                CLPROP_ARG(dropout)};
    return launch_per_sample(context, message, CLPROP_KERNEL_OUTPUT_STEP, s->batch, args,
                             CLPROP_ARG_COUNT(args));
}

/* Samples a work-group of the CPU devices' gather: 16 keeps both cores busy from batch 32 on. */
#define GATHER_CPU_SAMPLES 16

clprop_status clprop_op_gather_batch(clprop_context *context, clprop_message *message, cl_mem rows,
                                     cl_mem inputs, int bytes, cl_mem columns, cl_mem targets,
                                     cl_mem order, size_t first, size_t input_units,
                                     size_t output_units, size_t batch)
{
    clprop_status status = check_samples(message, input_units, batch, first);
    if (status == CLPROP_SUCCESS)
        status = check_samples(message, output_units, batch, first);
    if (status != CLPROP_SUCCESS)
        return status;
    /* groups of CLPROP_GATHER_WIDTH inputs, and one more for the targets */
    size_t groups =
        (input_units + CLPROP_GATHER_WIDTH - 1) / CLPROP_GATHER_WIDTH + (output_units > 0);
    /* The CPU family's devices run work-items as loop iterations on their cores (PoCL): they
     * take a sample's row a work-item, in groups of GATHER_CPU_SAMPLES samples; the others a
     * group of inputs a work-item (kernels/layout.cl). The tuning's family decides, so that an
     * override (and the tests) can choose either on any device. */
    int whole_rows = context->tuning.family == CLPROP_GEMM_FAMILY_CPU;
    cl_uint f = (cl_uint)first, in = (cl_uint)input_units, out = (cl_uint)output_units,
            b = (cl_uint)batch, per_item = whole_rows ? (cl_uint)groups : 1;
    clprop_kernel_arg args[] = {CLPROP_ARG(rows),    CLPROP_ARG(inputs), CLPROP_ARG(columns),
                                CLPROP_ARG(targets), CLPROP_ARG(order),  CLPROP_ARG(f),
                                CLPROP_ARG(in),      CLPROP_ARG(out),    CLPROP_ARG(b),
                                CLPROP_ARG(per_item)};
    clprop_kernel_id kernel = bytes ? CLPROP_KERNEL_GATHER_BYTE_BATCH : CLPROP_KERNEL_GATHER_BATCH;
    if (whole_rows) {
        const size_t items[2] = {1, batch}, local[2] = {1, GATHER_CPU_SAMPLES};
        return clprop_launch_in_groups(context, message, kernel, 2, items, local, args,
                                       CLPROP_ARG_COUNT(args));
    }
    size_t items[2] = {groups, batch};
    return clprop_launch(context, message, kernel, 2, items, args, CLPROP_ARG_COUNT(args));
}

clprop_status clprop_op_bias_gradient(clprop_context *context, clprop_message *message,
                                      cl_mem gradient, cl_mem delta, size_t units, size_t batch)
{
    clprop_status status = check_matrix(message, units, batch);
    if (status != CLPROP_SUCCESS)
        return status;
    cl_uint u = (cl_uint)units, b = (cl_uint)batch;
    clprop_kernel_arg args[] = {CLPROP_ARG(gradient), CLPROP_ARG(delta), CLPROP_ARG(u),
                                CLPROP_ARG(b)};
    size_t items[1] = {units};
    return clprop_launch(context, message, CLPROP_KERNEL_BIAS_GRADIENT, 1, items, args,
                         CLPROP_ARG_COUNT(args));
}

clprop_status clprop_op_update(clprop_context *context, clprop_message *message,
                               const clprop_update_rule *rule, cl_mem w, cl_mem g, cl_mem slot0,
                               cl_mem slot1, size_t count)
{
    clprop_status status = clprop_check_fits_uint(message, "a parameter count", count);
    if (status != CLPROP_SUCCESS)
        return status;
    const clprop_optimizer *o = &rule->optimizer;
    cl_uint n = (cl_uint)count;
    /* ITEM_WIDTH parameters a work-item, but for iRPROP−, whose branches stay one at a time */
    size_t items[1] = {o->kind == CLPROP_OPTIMIZER_RPROP ? count : clprop_wide_items(count)};
    float eta_plus = CLPROP_RPROP_ETA_PLUS, eta_minus = CLPROP_RPROP_ETA_MINUS;
    float step_min = CLPROP_RPROP_STEP_MIN, step_max = CLPROP_RPROP_STEP_MAX;
    cl_int nesterov = o->nesterov != 0;
    switch (o->kind) {
    case CLPROP_OPTIMIZER_MOMENTUM: {
        clprop_kernel_arg args[] = {CLPROP_ARG(w),
                                    CLPROP_ARG(g),
                                    CLPROP_ARG(slot0),
                                    CLPROP_ARG(rule->grad_scale),
                                    CLPROP_ARG(rule->rate),
                                    CLPROP_ARG(o->weight_decay),
                                    CLPROP_ARG(o->momentum),
                                    CLPROP_ARG(nesterov),
                                    CLPROP_ARG(n)};
        return clprop_launch(context, message, CLPROP_KERNEL_MOMENTUM_UPDATE, 1, items, args,
                             CLPROP_ARG_COUNT(args));
    }
    case CLPROP_OPTIMIZER_ADAM: {
        clprop_kernel_arg args[] = {CLPROP_ARG(w),
                                    CLPROP_ARG(g),
                                    CLPROP_ARG(slot0),
                                    CLPROP_ARG(slot1),
                                    CLPROP_ARG(rule->grad_scale),
                                    CLPROP_ARG(rule->rate),
                                    CLPROP_ARG(o->weight_decay),
                                    CLPROP_ARG(o->beta1),
                                    CLPROP_ARG(o->beta2),
                                    CLPROP_ARG(o->epsilon),
                                    CLPROP_ARG(rule->correction1),
                                    CLPROP_ARG(rule->correction2),
                                    CLPROP_ARG(n)};
        return clprop_launch(context, message, CLPROP_KERNEL_ADAM_UPDATE, 1, items, args,
                             CLPROP_ARG_COUNT(args));
    }
    case CLPROP_OPTIMIZER_RPROP: {
        clprop_kernel_arg args[] = {CLPROP_ARG(w),
                                    CLPROP_ARG(g),
                                    CLPROP_ARG(slot0),
                                    CLPROP_ARG(slot1),
                                    CLPROP_ARG(rule->grad_scale),
                                    CLPROP_ARG(o->weight_decay),
                                    CLPROP_ARG(eta_plus),
                                    CLPROP_ARG(eta_minus),
                                    CLPROP_ARG(step_min),
                                    CLPROP_ARG(step_max),
                                    CLPROP_ARG(n)};
        return clprop_launch(context, message, CLPROP_KERNEL_RPROP_UPDATE, 1, items, args,
                             CLPROP_ARG_COUNT(args));
    }
    default: {
        clprop_kernel_arg args[] = {CLPROP_ARG(w),
                                    CLPROP_ARG(g),
                                    CLPROP_ARG(rule->grad_scale),
                                    CLPROP_ARG(rule->rate),
                                    CLPROP_ARG(o->weight_decay),
                                    CLPROP_ARG(n)};
        return clprop_launch(context, message, CLPROP_KERNEL_SGD_UPDATE, 1, items, args,
                             CLPROP_ARG_COUNT(args));
    }
    }
}

clprop_status clprop_op_sgd_update(clprop_context *context, clprop_message *message, cl_mem w,
                                   cl_mem g, float scale, size_t count)
{
    clprop_update_rule rule = {{CLPROP_OPTIMIZER_SGD}, scale, 1.0f, 1.0f, 1.0f};
    return clprop_op_update(context, message, &rule, w, g, NULL, NULL, count);
}

clprop_status clprop_op_samples_to_columns(clprop_context *context, clprop_message *message,
                                           cl_mem columns, cl_mem samples, size_t first,
                                           size_t units, size_t batch)
{
    clprop_status status = check_samples(message, units, batch, first);
    if (status != CLPROP_SUCCESS)
        return status;
    cl_uint f = (cl_uint)first, u = (cl_uint)units, b = (cl_uint)batch;
    clprop_kernel_arg args[] = {CLPROP_ARG(columns), CLPROP_ARG(samples), CLPROP_ARG(f),
                                CLPROP_ARG(u), CLPROP_ARG(b)};
    size_t items[2] = {batch, units};
    return clprop_launch(context, message, CLPROP_KERNEL_SAMPLES_TO_COLUMNS, 2, items, args,
                         CLPROP_ARG_COUNT(args));
}

clprop_status clprop_op_columns_to_samples(clprop_context *context, clprop_message *message,
                                           cl_mem samples, cl_mem columns, size_t units,
                                           size_t batch)
{
    clprop_status status = check_matrix(message, units, batch);
    if (status != CLPROP_SUCCESS)
        return status;
    cl_uint u = (cl_uint)units, b = (cl_uint)batch;
    clprop_kernel_arg args[] = {CLPROP_ARG(samples), CLPROP_ARG(columns), CLPROP_ARG(u),
                                CLPROP_ARG(b)};
    size_t items[2] = {units, batch};
    return clprop_launch(context, message, CLPROP_KERNEL_COLUMNS_TO_SAMPLES, 2, items, args,
                         CLPROP_ARG_COUNT(args));
}
