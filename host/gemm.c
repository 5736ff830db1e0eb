/* The GEMM every pass calls (clprop_op_gemm, clprop_op_gemm_fused): its sizes checked, then the
 * context's backend — CLBlast, or the family of our kernels the tuning chose, each in a module of
 * its own (gemm_generic.c, gemm_cpu.c, gemm_gpu.c). Our families apply the epilogue as they
 * store; after CLBlast it runs in the element-wise kernels it replaces. */
#include "gemm.h"
#include "launch.h"
#include "ops.h"

static clprop_epilogue_args epilogue_args(const clprop_gemm_epilogue *epilogue)
{
    clprop_epilogue_args args = {0, NULL, NULL, 0, NULL, {{0}}};
    if (epilogue != NULL)
        args = (clprop_epilogue_args){
            epilogue->flags,    epilogue->bias, epilogue->other, (cl_int)epilogue->activation,
            epilogue->row_sums, clprop_op_dropout_words((epilogue->flags & CLPROP_EPILOGUE_DROPOUT)
                                                            ? &epilogue->dropout
                                                            : NULL)};
    return args;
}

static clprop_status check_epilogue(clprop_message *message, const clprop_gemm_epilogue *e)
{
    if (e == NULL || e->flags == 0)
        return CLPROP_SUCCESS;
    int needs_other = e->flags & (CLPROP_EPILOGUE_ACTIVATE | CLPROP_EPILOGUE_DERIVATIVE);
    if ((e->flags & CLPROP_EPILOGUE_BIAS && e->bias == NULL) || (needs_other && e->other == NULL) ||
        (e->flags & CLPROP_EPILOGUE_ROW_SUMS && e->row_sums == NULL))
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "a GEMM epilogue lacks a buffer its flags need");
    if (needs_other && e->activation == CLPROP_ACTIVATION_SOFTMAX)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "a softmax needs whole columns: no GEMM epilogue applies it");
    if ((e->flags & CLPROP_EPILOGUE_ACTIVATE) && (e->flags & CLPROP_EPILOGUE_DERIVATIVE))
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "a GEMM epilogue either activates or takes a derivative, not both");
    if ((e->flags & CLPROP_EPILOGUE_DROPOUT) &&
        (!needs_other || !(e->dropout.rate > 0.0f && e->dropout.rate < 1.0f)))
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "dropout in a GEMM epilogue needs an activation or a derivative and a "
                           "rate from 0 up to below 1");
    return CLPROP_SUCCESS;
}

/* The epilogue after a CLBlast product, by the kernels the fused families make unnecessary. They
 * take dense matrices: C (and other) m × n with ldc = n, op(A) m × k with lda = k. */
static clprop_status epilogue_apart(clprop_context *context, clprop_message *message,
                                    const clprop_gemm_shape *shape, cl_mem a, float alpha,
                                    float beta, cl_mem c, const clprop_gemm_epilogue *e)
{
    if (e == NULL || e->flags == 0)
        return CLPROP_SUCCESS;
    if (shape->ldc != shape->n ||
        (e->flags & CLPROP_EPILOGUE_ROW_SUMS &&
         (shape->transpose_a || shape->lda != shape->k || alpha != 1.0f || beta != 0.0f)))
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "this GEMM epilogue needs dense matrices with the CLBlast backend");
    clprop_status status = CLPROP_SUCCESS;
    const clprop_dropout_mask *dropout = (e->flags & CLPROP_EPILOGUE_DROPOUT) ? &e->dropout : NULL;
    if (e->flags & (CLPROP_EPILOGUE_BIAS | CLPROP_EPILOGUE_ACTIVATE)) {
        int activates = (e->flags & CLPROP_EPILOGUE_ACTIVATE) != 0;
        /* bias only: C ← C + bias, the identity written back over C */
        status = clprop_op_bias_activate_masked(
            context, message, c, activates ? e->other : c,
            (e->flags & CLPROP_EPILOGUE_BIAS) ? e->bias : NULL,
            activates ? e->activation : CLPROP_ACTIVATION_LINEAR, activates ? dropout : NULL,
            shape->m, shape->n);
    }
    if (status == CLPROP_SUCCESS && (e->flags & CLPROP_EPILOGUE_DERIVATIVE))
        status = clprop_op_scale_by_derivative_masked(context, message, c, e->other, e->activation,
                                                      dropout, shape->m, shape->n);
    if (status == CLPROP_SUCCESS && (e->flags & CLPROP_EPILOGUE_ROW_SUMS))
        status = clprop_op_bias_gradient(context, message, e->row_sums, a, shape->m, shape->k);
    return status;
}

clprop_status clprop_op_gemm_fused(clprop_context *context, clprop_message *message,
                                   int transpose_a, int transpose_b, size_t m, size_t n, size_t k,
                                   float alpha, cl_mem a, size_t lda, cl_mem b, size_t ldb,
                                   float beta, cl_mem c, size_t ldc,
                                   const clprop_gemm_epilogue *epilogue)
{
    clprop_gemm_shape shape = {transpose_a, transpose_b, m, n, k, lda, ldb, ldc};
    clprop_status status = check_epilogue(message, epilogue);
    if (status != CLPROP_SUCCESS)
        return status;
    if (context->gemm == CLPROP_GEMM_CLBLAST) {
        status = clprop_gemm_clblast(context, message, &shape, alpha, a, b, beta, c);
        return status == CLPROP_SUCCESS && m > 0 && n > 0
                   ? epilogue_apart(context, message, &shape, a, alpha, beta, c, epilogue)
                   : status;
    }
    const size_t sizes[] = {m, n, k, lda, ldb, ldc};
    for (size_t i = 0; i < 6 && status == CLPROP_SUCCESS; i++)
        status = clprop_check_fits_uint(message, "a GEMM dimension", sizes[i]);
    if (status != CLPROP_SUCCESS || m == 0 || n == 0)
        return status;
    if (transpose_a && transpose_b)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "GEMM with both operands transposed is not provided");
    clprop_epilogue_args args = epilogue_args(epilogue);
    if (context->tuning.family == CLPROP_GEMM_FAMILY_CPU)
        return clprop_gemm_cpu(context, message, &shape, alpha, a, b, beta, c, &args);
    if (context->tuning.family == CLPROP_GEMM_FAMILY_GPU)
        return clprop_gemm_gpu(context, message, &shape, alpha, a, b, beta, c, &args);
    return clprop_gemm_generic(context, message, &shape, alpha, a, b, beta, c, 0, 0, &args);
}

clprop_status clprop_op_gemm(clprop_context *context, clprop_message *message, int transpose_a,
                             int transpose_b, size_t m, size_t n, size_t k, float alpha, cl_mem a,
                             size_t lda, cl_mem b, size_t ldb, float beta, cl_mem c, size_t ldc)
{
    return clprop_op_gemm_fused(context, message, transpose_a, transpose_b, m, n, k, alpha, a, lda,
                                b, ldb, beta, c, ldc, NULL);
}
