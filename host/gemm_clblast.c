/* SGEMM through CLBlast, the alternative GEMM backend. */
#include <clblast_c.h>

#include "gemm.h"
#include "status.h"

clprop_status clprop_gemm_clblast(clprop_context *context, clprop_message *message,
                                  const clprop_gemm_shape *shape, float alpha, cl_mem a,
                                  cl_mem b, float beta, cl_mem c)
{
    if (shape->m == 0 || shape->n == 0)
        return CLPROP_SUCCESS;
    CLBlastStatusCode code = CLBlastSgemm(
        CLBlastLayoutRowMajor, shape->transpose_a ? CLBlastTransposeYes : CLBlastTransposeNo,
        shape->transpose_b ? CLBlastTransposeYes : CLBlastTransposeNo, shape->m, shape->n,
        shape->k, alpha, a, 0, shape->lda, b, 0, shape->ldb, beta, c, 0, shape->ldc,
        &context->queue, NULL);
    if (code == CLBlastSuccess)
        return CLPROP_SUCCESS;
    /* CLBlast reuses OpenCL's codes where they apply and numbers its own from -1024 down. */
    const char *name = clprop_cl_error_name((cl_int)code);
    if (name != NULL)
        return clprop_fail(message, (clprop_status)code, "CLBlastSgemm failed: %s", name);
    return clprop_fail(message, CLPROP_ERROR_CLBLAST, "CLBlastSgemm failed: CLBlast status %d",
                       (int)code);
}
