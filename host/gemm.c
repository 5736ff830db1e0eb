/* The GEMM every pass calls (clprop_op_gemm): its sizes checked, then the context's backend —
 * CLBlast, or the family of our kernels the tuning chose, each in a module of its own
 * (gemm_generic.c, gemm_cpu.c, gemm_gpu.c). */
#include "gemm.h"
#include "launch.h"
#include "ops.h"

clprop_status clprop_op_gemm(clprop_context *context, clprop_message *message, int transpose_a,
                             int transpose_b, size_t m, size_t n, size_t k, float alpha, cl_mem a,
                             size_t lda, cl_mem b, size_t ldb, float beta, cl_mem c, size_t ldc)
{
    clprop_gemm_shape shape = {transpose_a, transpose_b, m, n, k, lda, ldb, ldc};
    if (context->gemm == CLPROP_GEMM_CLBLAST)
        return clprop_gemm_clblast(context, message, &shape, alpha, a, b, beta, c);
    clprop_status status = CLPROP_SUCCESS;
    const size_t sizes[] = {m, n, k, lda, ldb, ldc};
    for (size_t i = 0; i < 6 && status == CLPROP_SUCCESS; i++)
        status = clprop_check_fits_uint(message, "a GEMM dimension", sizes[i]);
    if (status != CLPROP_SUCCESS || m == 0 || n == 0)
        return status;
    if (transpose_a && transpose_b)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "GEMM with both operands transposed is not provided");
    if (context->tuning.family == CLPROP_GEMM_FAMILY_CPU)
        return clprop_gemm_cpu(context, message, &shape, alpha, a, b, beta, c);
    if (context->tuning.family == CLPROP_GEMM_FAMILY_GPU)
        return clprop_gemm_gpu(context, message, &shape, alpha, a, b, beta, c);
    return clprop_gemm_generic(context, message, &shape, alpha, a, b, beta, c, 0, 0);
}
