/* GEMM backends behind clprop_op_gemm: our own kernels (ops.c) and CLBlast. */
#ifndef CLPROP_GEMM_H
#define CLPROP_GEMM_H

#include <CL/cl.h>

#include "context.h"

/* Work per work-item of the native kernels; kernels/gemm.cl has the same defaults. */
#define CLPROP_GEMM_TILE_M 4
#define CLPROP_GEMM_TILE_N 4

typedef struct clprop_gemm_shape {
    int transpose_a, transpose_b;
    size_t m, n, k;
    size_t lda, ldb, ldc;
} clprop_gemm_shape;

clprop_status clprop_gemm_clblast(clprop_context *context, clprop_message *message,
                                  const clprop_gemm_shape *shape, float alpha, cl_mem a,
                                  cl_mem b, float beta, cl_mem c);

#endif
