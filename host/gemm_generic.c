/* The portable family (kernels/gemm.cl): register blocks of CLPROP_GEMM_TILE_M × _N, any layout
 * but Aᵀ·Bᵀ, edges guarded; it also takes the ragged right strip of the CPU family's tiling. */
#include "gemm.h"
#include "launch.h"

clprop_status clprop_gemm_generic(clprop_context *context, clprop_message *message,
                                  const clprop_gemm_shape *shape, float alpha, cl_mem a, cl_mem b,
                                  float beta, cl_mem c, size_t row0, size_t col0,
                                  const clprop_epilogue_args *epilogue)
{
    /* no kernel computes Aᵀ·Bᵀ (nothing asks for it): CLPROP_KERNEL_COUNT is refused */
    static const clprop_kernel_id kernels[2][2] = {{CLPROP_KERNEL_GEMM_NN, CLPROP_KERNEL_GEMM_NT},
                                                   {CLPROP_KERNEL_GEMM_TN, CLPROP_KERNEL_COUNT}};
    clprop_kernel_id kernel = kernels[shape->transpose_a != 0][shape->transpose_b != 0];
    cl_uint um = (cl_uint)shape->m, un = (cl_uint)shape->n, uk = (cl_uint)shape->k;
    cl_uint ulda = (cl_uint)shape->lda, uldb = (cl_uint)shape->ldb, uldc = (cl_uint)shape->ldc;
    cl_uint urow0 = (cl_uint)row0, ucol0 = (cl_uint)col0;
    clprop_kernel_arg args[] = {CLPROP_ARG(um),    CLPROP_ARG(un),
                                CLPROP_ARG(uk),    CLPROP_ARG(alpha),
                                CLPROP_ARG(a),     CLPROP_ARG(ulda),
                                CLPROP_ARG(b),     CLPROP_ARG(uldb),
                                CLPROP_ARG(beta),  CLPROP_ARG(c),
                                CLPROP_ARG(uldc),  CLPROP_ARG(urow0),
                                CLPROP_ARG(ucol0), CLPROP_EPILOGUE_ARGS(epilogue)};
    size_t tiles[2] = {(shape->n - col0 + CLPROP_GEMM_TILE_N - 1) / CLPROP_GEMM_TILE_N,
                       (shape->m - row0 + CLPROP_GEMM_TILE_M - 1) / CLPROP_GEMM_TILE_M};
    return clprop_launch(context, message, kernel, 2, tiles, args, CLPROP_ARG_COUNT(args));
}
