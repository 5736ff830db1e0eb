#include "ops.h"

#include <limits.h>

#include "gemm.h"
#include "kernel_contract.h"
#include "status.h"

typedef struct kernel_arg {
    size_t size;
    const void *value;
} kernel_arg;

#define ARG(x) {sizeof(x), &(x)}

/* Work-group shapes: the kernels guard their edges, so the global size is rounded up to them. */
static const size_t group_1d = 64;
static const size_t group_2d[2] = {16, 4};

static size_t round_up(size_t value, size_t multiple)
{
    return (value + multiple - 1) / multiple * multiple;
}

/* Sets the arguments and enqueues the kernel `id` over `global` items in work-groups of `local`. */
static clprop_status enqueue(clprop_context *context, clprop_message *message, clprop_kernel_id id,
                             cl_uint dims, const size_t *global, const size_t *local,
                             const kernel_arg *args, size_t arg_count)
{
    cl_kernel kernel;
    clprop_status status = clprop_context_kernel(context, id, &kernel);
    const char *name = clprop_kernel_name(id);
    if (status != CLPROP_SUCCESS)
        return clprop_fail(message, status, "%s", context->message.text);
    for (size_t i = 0; i < arg_count; i++) {
        cl_int error = clSetKernelArg(kernel, (cl_uint)i, args[i].size, args[i].value);
        if (error != CL_SUCCESS)
            return clprop_fail(message, error, "clSetKernelArg(%s, %zu) failed: %s", name, i,
                               clprop_status_name(error));
    }
    cl_int error = clEnqueueNDRangeKernel(context->queue, kernel, dims, NULL, global, local, 0,
                                          NULL, NULL);
    if (error != CL_SUCCESS)
        return clprop_fail(message, error, "clEnqueueNDRangeKernel(%s) failed: %s", name,
                           clprop_status_name(error));
    context->launches++;
    return CLPROP_SUCCESS;
}

/* The usual launch: the kernel guards its edges, so the item counts are rounded up to whole
 * work-groups. */
static clprop_status launch(clprop_context *context, clprop_message *message, clprop_kernel_id id,
                            cl_uint dims, const size_t *items, const kernel_arg *args,
                            size_t arg_count)
{
    size_t global[2], local[2];
    for (cl_uint d = 0; d < dims; d++) {
        local[d] = dims == 1 ? group_1d : group_2d[d];
        global[d] = round_up(items[d] > 0 ? items[d] : 1, local[d]);
    }
    return enqueue(context, message, id, dims, global, local, args, arg_count);
}

/* For kernels that require work-groups of one work-item: the global size is the item count. */
static clprop_status launch_exact(clprop_context *context, clprop_message *message,
                                  clprop_kernel_id id, cl_uint dims, const size_t *items,
                                  const kernel_arg *args, size_t arg_count)
{
    const size_t local[2] = {1, 1};
    return enqueue(context, message, id, dims, items, local, args, arg_count);
}

/* Kernels index with 32-bit unsigned sizes; bigger ones are refused rather than wrapped. */
static clprop_status check_fits_uint(clprop_message *message, const char *what, size_t value)
{
    if (value > UINT_MAX)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "%s of %zu is larger than the kernels index (%u)", what, value,
                           UINT_MAX);
    return CLPROP_SUCCESS;
}

static clprop_status check_matrix(clprop_message *message, size_t units, size_t batch)
{
    clprop_status status = check_fits_uint(message, "a unit count", units);
    if (status == CLPROP_SUCCESS)
        status = check_fits_uint(message, "a batch size", batch);
    return status;
}

/* A matrix of units × batch that reads or writes samples first .. first+batch−1. */
static clprop_status check_samples(clprop_message *message, size_t units, size_t batch,
                                   size_t first)
{
    clprop_status status = check_matrix(message, units, batch);
    if (status == CLPROP_SUCCESS)
        status = check_fits_uint(message, "a sample index", first + batch);
    return status;
}

clprop_status clprop_op_gemm(clprop_context *context, clprop_message *message, int transpose_a,
                             int transpose_b, size_t m, size_t n, size_t k, float alpha,
                             cl_mem a, size_t lda, cl_mem b, size_t ldb, float beta, cl_mem c,
                             size_t ldc)
{
    clprop_gemm_shape shape = {transpose_a, transpose_b, m, n, k, lda, ldb, ldc};
    if (context->gemm == CLPROP_GEMM_CLBLAST)
        return clprop_gemm_clblast(context, message, &shape, alpha, a, b, beta, c);
    clprop_status status = CLPROP_SUCCESS;
    const size_t sizes[] = {m, n, k, lda, ldb, ldc};
    for (size_t i = 0; i < 6 && status == CLPROP_SUCCESS; i++)
        status = check_fits_uint(message, "a GEMM dimension", sizes[i]);
    if (status != CLPROP_SUCCESS || m == 0 || n == 0)
        return status;
    if (transpose_a && transpose_b)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "GEMM with both operands transposed is not provided");
    if (context->tuning.family == CLPROP_FAMILY_CPU)
        return clprop_gemm_cpu(context, message, &shape, alpha, a, b, beta, c);
    if (context->tuning.family == CLPROP_FAMILY_GPU)
        return clprop_gemm_gpu(context, message, &shape, alpha, a, b, beta, c);
    return clprop_gemm_generic(context, message, &shape, alpha, a, b, beta, c, 0, 0);
}

clprop_status clprop_gemm_generic(clprop_context *context, clprop_message *message,
                                  const clprop_gemm_shape *shape, float alpha, cl_mem a,
                                  cl_mem b, float beta, cl_mem c, size_t row0, size_t col0)
{
    /* no kernel computes Aᵀ·Bᵀ (nothing asks for it): CLPROP_KERNEL_COUNT is refused */
    static const clprop_kernel_id kernels[2][2] = {
        {CLPROP_KERNEL_GEMM_NN, CLPROP_KERNEL_GEMM_NT},
        {CLPROP_KERNEL_GEMM_TN, CLPROP_KERNEL_COUNT}};
    clprop_kernel_id kernel = kernels[shape->transpose_a != 0][shape->transpose_b != 0];
    cl_uint um = (cl_uint)shape->m, un = (cl_uint)shape->n, uk = (cl_uint)shape->k;
    cl_uint ulda = (cl_uint)shape->lda, uldb = (cl_uint)shape->ldb, uldc = (cl_uint)shape->ldc;
    cl_uint urow0 = (cl_uint)row0, ucol0 = (cl_uint)col0;
    kernel_arg args[] = {ARG(um),   ARG(un), ARG(uk),   ARG(alpha), ARG(a),     ARG(ulda), ARG(b),
                         ARG(uldb), ARG(beta), ARG(c), ARG(uldc), ARG(urow0), ARG(ucol0)};
    size_t tiles[2] = {(shape->n - col0 + CLPROP_GEMM_TILE_N - 1) / CLPROP_GEMM_TILE_N,
                       (shape->m - row0 + CLPROP_GEMM_TILE_M - 1) / CLPROP_GEMM_TILE_M};
    return launch(context, message, kernel, 2, tiles, args, sizeof args / sizeof *args);
}

/* Both CPU kernels take (m, k, alpha, a, lda, b, ldb, beta, c, ldc, column tiles, tiles per
 * work-item) and one-item work-groups over `items`. */
static clprop_status launch_cpu_gemm(clprop_context *context, clprop_message *message,
                                     clprop_kernel_id kernel, const clprop_gemm_shape *shape,
                                     float alpha, cl_mem a, cl_mem b, float beta, cl_mem c,
                                     size_t column_tiles, size_t per_item, size_t items[2])
{
    cl_uint um = (cl_uint)shape->m, uk = (cl_uint)shape->k, ulda = (cl_uint)shape->lda,
            uldb = (cl_uint)shape->ldb, uldc = (cl_uint)shape->ldc;
    cl_uint ucolumns = (cl_uint)column_tiles, uper_item = (cl_uint)per_item;
    kernel_arg args[] = {ARG(um),   ARG(uk),   ARG(alpha), ARG(a),    ARG(ulda),
                         ARG(b),    ARG(uldb), ARG(beta),  ARG(c),    ARG(uldc),
                         ARG(ucolumns), ARG(uper_item)};
    return launch_exact(context, message, kernel, 2, items, args, sizeof args / sizeof *args);
}

clprop_status clprop_gemm_cpu_tiles(clprop_context *context, clprop_message *message,
                                    const clprop_gemm_shape *shape, size_t row_tiles,
                                    size_t column_tiles, size_t column_tiles_per_item,
                                    float alpha, cl_mem a, cl_mem b, float beta, cl_mem c)
{
    clprop_kernel_id kernel = shape->transpose_a ? CLPROP_KERNEL_GEMM_CPU_TN : CLPROP_KERNEL_GEMM_CPU_NN;
    size_t per_item = column_tiles_per_item;
    /* rows first: consecutive work-items share a panel of B */
    size_t items[2] = {row_tiles, (column_tiles + per_item - 1) / per_item};
    return launch_cpu_gemm(context, message, kernel, shape, alpha, a, b, beta, c, column_tiles,
                           per_item, items);
}

clprop_status clprop_gemm_cpu_panels(clprop_context *context, clprop_message *message,
                                     const clprop_gemm_shape *shape, size_t column_tiles,
                                     size_t row_tiles_per_item, float alpha, cl_mem a, cl_mem b,
                                     float beta, cl_mem c)
{
    static const clprop_kernel_id kernels[2][2] = {
        {CLPROP_KERNEL_GEMM_CPU_PANEL_NN, CLPROP_KERNEL_GEMM_CPU_PANEL_NT},
        {CLPROP_KERNEL_GEMM_CPU_PANEL_TN, CLPROP_KERNEL_COUNT}};
    clprop_kernel_id kernel = kernels[shape->transpose_a != 0][shape->transpose_b != 0];
    size_t row_tiles = (shape->m + context->tuning.cpu_tile_m - 1) / context->tuning.cpu_tile_m;
    size_t items[2] = {column_tiles, (row_tiles + row_tiles_per_item - 1) / row_tiles_per_item};
    return launch_cpu_gemm(context, message, kernel, shape, alpha, a, b, beta, c, column_tiles,
                           row_tiles_per_item, items);
}

clprop_status clprop_gemm_gpu(clprop_context *context, clprop_message *message,
                              const clprop_gemm_shape *shape, float alpha, cl_mem a, cl_mem b,
                              float beta, cl_mem c)
{
    static const clprop_kernel_id kernels[2][2] = {
        {CLPROP_KERNEL_GEMM_GPU_NN, CLPROP_KERNEL_GEMM_GPU_NT},
        {CLPROP_KERNEL_GEMM_GPU_TN, CLPROP_KERNEL_COUNT}};
    clprop_kernel_id kernel = kernels[shape->transpose_a != 0][shape->transpose_b != 0];
    cl_uint um = (cl_uint)shape->m, un = (cl_uint)shape->n, uk = (cl_uint)shape->k;
    cl_uint ulda = (cl_uint)shape->lda, uldb = (cl_uint)shape->ldb, uldc = (cl_uint)shape->ldc;
    kernel_arg args[] = {ARG(um),   ARG(un),   ARG(uk), ARG(alpha), ARG(a),   ARG(ulda),
                         ARG(b),    ARG(uldb), ARG(beta), ARG(c),   ARG(uldc)};
    const clprop_tuning *t = &context->tuning;
    size_t local[2] = {t->gpu_group, t->gpu_group};
    size_t global[2] = {(shape->n + t->gpu_tile - 1) / t->gpu_tile * t->gpu_group,
                        (shape->m + t->gpu_tile - 1) / t->gpu_tile * t->gpu_group};
    return enqueue(context, message, kernel, 2, global, local, args, sizeof args / sizeof *args);
}

clprop_status clprop_op_bias_activate(clprop_context *context, clprop_message *message, cl_mem z,
                                      cl_mem a, cl_mem bias, clprop_activation activation,
                                      size_t units, size_t batch)
{
    clprop_status status = check_matrix(message, units, batch);
    if (status != CLPROP_SUCCESS)
        return status;
    cl_int has_bias = bias != NULL;
    cl_uint u = (cl_uint)units, b = (cl_uint)batch;
    if (activation == CLPROP_ACTIVATION_SOFTMAX) {
        kernel_arg args[] = {ARG(z), ARG(a), ARG(bias), ARG(has_bias), ARG(u), ARG(b)};
        size_t items[1] = {clprop_wide_items(batch)};
        return launch(context, message, CLPROP_KERNEL_BIAS_SOFTMAX, 1, items, args, sizeof args / sizeof *args);
    }
    cl_int code = (cl_int)activation;
    kernel_arg args[] = {ARG(z), ARG(a), ARG(bias), ARG(has_bias), ARG(code), ARG(u), ARG(b)};
    size_t items[2] = {clprop_wide_items(batch), units};
    return launch(context, message, CLPROP_KERNEL_BIAS_ACTIVATE, 2, items, args, sizeof args / sizeof *args);
}

clprop_status clprop_op_output_delta(clprop_context *context, clprop_message *message,
                                     cl_mem delta, cl_mem y, cl_mem t,
                                     clprop_activation activation, clprop_loss loss,
                                     size_t units, size_t batch)
{
    clprop_status status = check_matrix(message, units, batch);
    if (status != CLPROP_SUCCESS)
        return status;
    cl_int act = (cl_int)activation, loss_code = (cl_int)loss;
    cl_uint u = (cl_uint)units, b = (cl_uint)batch;
    kernel_arg args[] = {ARG(delta), ARG(y), ARG(t), ARG(act), ARG(loss_code), ARG(u), ARG(b)};
    size_t items[2] = {batch, units};
    return launch(context, message, CLPROP_KERNEL_OUTPUT_DELTA, 2, items, args, sizeof args / sizeof *args);
}

clprop_status clprop_op_scale_by_derivative(clprop_context *context, clprop_message *message,
                                            cl_mem delta, cl_mem a,
                                            clprop_activation activation, size_t units,
                                            size_t batch)
{
    clprop_status status = check_matrix(message, units, batch);
    if (status != CLPROP_SUCCESS)
        return status;
    cl_int act = (cl_int)activation;
    cl_uint u = (cl_uint)units, b = (cl_uint)batch;
    kernel_arg args[] = {ARG(delta), ARG(a), ARG(act), ARG(u), ARG(b)};
    size_t items[2] = {clprop_wide_items(batch), units};
    return launch(context, message, CLPROP_KERNEL_SCALE_BY_DERIVATIVE, 2, items, args, sizeof args / sizeof *args);
}

clprop_status clprop_op_sample_loss(clprop_context *context, clprop_message *message,
                                    cl_mem loss_out, cl_mem squared_out, cl_mem correct_out,
                                    size_t first, cl_mem y, cl_mem t, clprop_loss loss,
                                    size_t units, size_t batch)
{
    clprop_status status = check_samples(message, units, batch, first);
    if (status != CLPROP_SUCCESS)
        return status;
    cl_int loss_code = (cl_int)loss;
    cl_uint f = (cl_uint)first, u = (cl_uint)units, b = (cl_uint)batch;
    kernel_arg args[] = {ARG(loss_out), ARG(squared_out), ARG(correct_out), ARG(f), ARG(y),
                         ARG(t), ARG(loss_code), ARG(u), ARG(b)};
    size_t items[1] = {batch};
    return launch(context, message, CLPROP_KERNEL_SAMPLE_LOSS, 1, items, args, sizeof args / sizeof *args);
}

clprop_status clprop_op_gather_columns(clprop_context *context, clprop_message *message,
                                       cl_mem columns, cl_mem samples, cl_mem order, size_t first,
                                       size_t units, size_t batch)
{
    clprop_status status = check_samples(message, units, batch, first);
    if (status != CLPROP_SUCCESS)
        return status;
    cl_uint f = (cl_uint)first, u = (cl_uint)units, b = (cl_uint)batch;
    kernel_arg args[] = {ARG(columns), ARG(samples), ARG(order), ARG(f), ARG(u), ARG(b)};
    size_t items[2] = {batch, units};
    return launch(context, message, CLPROP_KERNEL_GATHER_COLUMNS, 2, items, args, sizeof args / sizeof *args);
}

clprop_status clprop_op_gather_rows(clprop_context *context, clprop_message *message, cl_mem rows,
                                    cl_mem samples, int bytes, cl_mem order, size_t first,
                                    size_t units, size_t batch)
{
    clprop_status status = check_samples(message, units, batch, first);
    if (status != CLPROP_SUCCESS)
        return status;
    cl_uint f = (cl_uint)first, u = (cl_uint)units, b = (cl_uint)batch;
    kernel_arg args[] = {ARG(rows), ARG(samples), ARG(order), ARG(f), ARG(u), ARG(b)};
    size_t items[2] = {(units + 15) / 16, batch}; /* sixteen units a work-item */
    return launch(context, message, bytes ? CLPROP_KERNEL_GATHER_BYTE_ROWS : CLPROP_KERNEL_GATHER_ROWS, 2, items, args, sizeof args / sizeof *args);
}

clprop_status clprop_op_bias_gradient(clprop_context *context, clprop_message *message,
                                      cl_mem gradient, cl_mem delta, size_t units, size_t batch)
{
    clprop_status status = check_matrix(message, units, batch);
    if (status != CLPROP_SUCCESS)
        return status;
    cl_uint u = (cl_uint)units, b = (cl_uint)batch;
    kernel_arg args[] = {ARG(gradient), ARG(delta), ARG(u), ARG(b)};
    size_t items[1] = {units};
    return launch(context, message, CLPROP_KERNEL_BIAS_GRADIENT, 1, items, args, sizeof args / sizeof *args);
}

clprop_status clprop_op_update(clprop_context *context, clprop_message *message,
                               const clprop_update_rule *rule, cl_mem w, cl_mem g, cl_mem slot0,
                               cl_mem slot1, size_t count)
{
    clprop_status status = check_fits_uint(message, "a parameter count", count);
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
        kernel_arg args[] = {ARG(w), ARG(g), ARG(slot0), ARG(rule->grad_scale), ARG(rule->rate),
                             ARG(o->weight_decay), ARG(o->momentum), ARG(nesterov), ARG(n)};
        return launch(context, message, CLPROP_KERNEL_MOMENTUM_UPDATE, 1, items, args, sizeof args / sizeof *args);
    }
    case CLPROP_OPTIMIZER_ADAM: {
        kernel_arg args[] = {ARG(w),          ARG(g),
                             ARG(slot0),      ARG(slot1),
                             ARG(rule->grad_scale), ARG(rule->rate),
                             ARG(o->weight_decay), ARG(o->beta1),
                             ARG(o->beta2),   ARG(o->epsilon),
                             ARG(rule->correction1), ARG(rule->correction2),
                             ARG(n)};
        return launch(context, message, CLPROP_KERNEL_ADAM_UPDATE, 1, items, args, sizeof args / sizeof *args);
    }
    case CLPROP_OPTIMIZER_RPROP: {
        kernel_arg args[] = {ARG(w),        ARG(g),         ARG(slot0),
                             ARG(slot1),    ARG(rule->grad_scale), ARG(o->weight_decay),
                             ARG(eta_plus), ARG(eta_minus), ARG(step_min),
                             ARG(step_max), ARG(n)};
        return launch(context, message, CLPROP_KERNEL_RPROP_UPDATE, 1, items, args, sizeof args / sizeof *args);
    }
    default: {
        kernel_arg args[] = {ARG(w), ARG(g), ARG(rule->grad_scale), ARG(rule->rate),
                             ARG(o->weight_decay), ARG(n)};
        return launch(context, message, CLPROP_KERNEL_SGD_UPDATE, 1, items, args, sizeof args / sizeof *args);
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
    kernel_arg args[] = {ARG(columns), ARG(samples), ARG(f), ARG(u), ARG(b)};
    size_t items[2] = {batch, units};
    return launch(context, message, CLPROP_KERNEL_SAMPLES_TO_COLUMNS, 2, items, args, sizeof args / sizeof *args);
}

clprop_status clprop_op_columns_to_samples(clprop_context *context, clprop_message *message,
                                           cl_mem samples, cl_mem columns, size_t units,
                                           size_t batch)
{
    clprop_status status = check_matrix(message, units, batch);
    if (status != CLPROP_SUCCESS)
        return status;
    cl_uint u = (cl_uint)units, b = (cl_uint)batch;
    kernel_arg args[] = {ARG(samples), ARG(columns), ARG(u), ARG(b)};
    size_t items[2] = {units, batch};
    return launch(context, message, CLPROP_KERNEL_COLUMNS_TO_SAMPLES, 2, items, args, sizeof args / sizeof *args);
}
