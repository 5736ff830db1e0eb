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

/* Our portable kernels over the part of C from row row0 and column col0 to its end. */
clprop_status clprop_gemm_generic(clprop_context *context, clprop_message *message,
                                  const clprop_gemm_shape *shape, float alpha, cl_mem a,
                                  cl_mem b, float beta, cl_mem c, size_t row0, size_t col0);

/* The CPU family (gemm_cpu.c): whole register tiles of tuning.cpu_tile_m × 16, edges sent to the
 * generic kernels. */
#define CLPROP_CPU_TILE_N 16
clprop_status clprop_gemm_cpu(clprop_context *context, clprop_message *message,
                              const clprop_gemm_shape *shape, float alpha, cl_mem a, cl_mem b,
                              float beta, cl_mem c);
/* Launches the CPU kernel over row_tiles × column_tiles whole tiles (B not transposed). */
clprop_status clprop_gemm_cpu_tiles(clprop_context *context, clprop_message *message,
                                    int transpose_a, size_t row_tiles, size_t column_tiles,
                                    size_t k, float alpha, cl_mem a, size_t lda, cl_mem b,
                                    size_t ldb, float beta, cl_mem c, size_t ldc);
/* The GPU family: local-memory tiles, any layout, edges included. */
clprop_status clprop_gemm_gpu(clprop_context *context, clprop_message *message,
                              const clprop_gemm_shape *shape, float alpha, cl_mem a, cl_mem b,
                              float beta, cl_mem c);
/* out (cols × rows) = inᵀ for in (rows × cols, row stride ld). */
clprop_status clprop_op_transpose(clprop_context *context, clprop_message *message, cl_mem out,
                                  cl_mem in, size_t rows, size_t cols, size_t ld);

clprop_status clprop_gemm_clblast(clprop_context *context, clprop_message *message,
                                  const clprop_gemm_shape *shape, float alpha, cl_mem a,
                                  cl_mem b, float beta, cl_mem c);

#endif
