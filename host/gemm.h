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

/* The CPU family: register tiles of tuning.cpu_tile_m × 16 over every row, a right strip
 * narrower than 16 columns sent to the generic kernel. gemm_cpu.c chooses the kernel and the
 * work per work-item; the launches are in ops.c, with every other kernel's. */
#define CLPROP_CPU_TILE_N 16
clprop_status clprop_gemm_cpu(clprop_context *context, clprop_message *message,
                              const clprop_gemm_shape *shape, float alpha, cl_mem a, cl_mem b,
                              float beta, cl_mem c);
/* Whether clprop_gemm_cpu sends this product to the panel kernel (else the in-place one). */
int clprop_gemm_cpu_uses_panels(const clprop_context *context, const clprop_gemm_shape *shape);
/* The kernel that reads B in place, over row_tiles × column_tiles tiles (B not transposed), each
 * work-item column_tiles_per_item of them side by side. The last tile of rows may run past row
 * m − 1, which it reads again and does not store. */
clprop_status clprop_gemm_cpu_tiles(clprop_context *context, clprop_message *message,
                                    const clprop_gemm_shape *shape, size_t row_tiles,
                                    size_t column_tiles, size_t column_tiles_per_item,
                                    float alpha, cl_mem a, cl_mem b, float beta, cl_mem c);
/* The kernel that copies panels of op(B) (any layout but Aᵀ·Bᵀ): one work-item per tile of
 * columns and row_tiles_per_item tiles of rows. */
clprop_status clprop_gemm_cpu_panels(clprop_context *context, clprop_message *message,
                                     const clprop_gemm_shape *shape, size_t column_tiles,
                                     size_t row_tiles_per_item, float alpha, cl_mem a, cl_mem b,
                                     float beta, cl_mem c);
/* The GPU family: local-memory tiles, any layout, edges included. */
clprop_status clprop_gemm_gpu(clprop_context *context, clprop_message *message,
                              const clprop_gemm_shape *shape, float alpha, cl_mem a, cl_mem b,
                              float beta, cl_mem c);

clprop_status clprop_gemm_clblast(clprop_context *context, clprop_message *message,
                                  const clprop_gemm_shape *shape, float alpha, cl_mem a,
                                  cl_mem b, float beta, cl_mem c);

#endif
