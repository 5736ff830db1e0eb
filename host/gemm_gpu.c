/* The GPU family (kernels/gemm_gpu.cl): local-memory tiles of the tuning's size, any layout but
 * Aᵀ·Bᵀ, edges included. */
#include "gemm.h"
#include "launch.h"

clprop_status clprop_gemm_gpu(clprop_context *context, clprop_message *message,
                              const clprop_gemm_shape *shape, float alpha, cl_mem a, cl_mem b,
                              float beta, cl_mem c, const clprop_epilogue_args *epilogue)
{
    static const clprop_kernel_id kernels[2][2] = {
        {CLPROP_KERNEL_GEMM_GPU_NN, CLPROP_KERNEL_GEMM_GPU_NT},
        {CLPROP_KERNEL_GEMM_GPU_TN, CLPROP_KERNEL_COUNT}};
    clprop_kernel_id kernel = kernels[shape->transpose_a != 0][shape->transpose_b != 0];
    cl_uint um = (cl_uint)shape->m, un = (cl_uint)shape->n, uk = (cl_uint)shape->k;
    cl_uint ulda = (cl_uint)shape->lda, uldb = (cl_uint)shape->ldb, uldc = (cl_uint)shape->ldc;
    clprop_kernel_arg args[] = {
        CLPROP_ARG(um),   CLPROP_ARG(un),   CLPROP_ARG(uk),   CLPROP_ARG(alpha),
        CLPROP_ARG(a),    CLPROP_ARG(ulda), CLPROP_ARG(b),    CLPROP_ARG(uldb),
        CLPROP_ARG(beta), CLPROP_ARG(c),    CLPROP_ARG(uldc), CLPROP_EPILOGUE_ARGS(epilogue)};
    const clprop_tuning *t = &context->tuning;
    size_t local[2] = {t->gpu_group, t->gpu_group};
    size_t global[2] = {(shape->n + t->gpu_tile - 1) / t->gpu_tile * t->gpu_group,
                        (shape->m + t->gpu_tile - 1) / t->gpu_tile * t->gpu_group};
    return clprop_enqueue(context, message, kernel, 2, global, local, args, CLPROP_ARG_COUNT(args));
}
