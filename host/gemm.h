/* GEMM backends behind clprop_op_gemm (gemm.c): our own kernel families, each a module owning
 * its choices, arguments and launches (gemm_generic.c, gemm_cpu.c, gemm_gpu.c) and applying the
 * epilogue as it stores, and CLBlast (gemm_clblast.c), after which gemm.c runs the epilogue's
 * own kernels. */
#ifndef CLPROP_GEMM_H
#define CLPROP_GEMM_H

#include <CL/cl.h>

#include "context.h"
#include "launch.h"
#include "ops.h"

typedef struct clprop_gemm_shape {
    int transpose_a, transpose_b;
    size_t m, n, k;
    size_t lda, ldb, ldc;
} clprop_gemm_shape;

/* The epilogue (clprop_gemm_epilogue) as our kernels take it, after the product's own arguments:
 * flags, bias, other, activation, row sums, dropout's mask words. */
typedef struct clprop_epilogue_args {
    cl_int flags;
    cl_mem bias, other;
    cl_int activation;
    cl_mem row_sums;
    cl_uint8 dropout;
} clprop_epilogue_args;
#define CLPROP_EPILOGUE_ARGS(e)                                                                    \
    CLPROP_ARG((e)->flags), CLPROP_ARG((e)->bias), CLPROP_ARG((e)->other),                         \
        CLPROP_ARG((e)->activation), CLPROP_ARG((e)->row_sums), CLPROP_ARG((e)->dropout)

/* Our portable kernels over the part of C from row row0 and column col0 to its end. */
clprop_status clprop_gemm_generic(clprop_context *context, clprop_message *message,
                                  const clprop_gemm_shape *shape, float alpha, cl_mem a, cl_mem b,
                                  float beta, cl_mem c, size_t row0, size_t col0,
                                  const clprop_epilogue_args *epilogue);

/* The CPU family: register tiles of tuning.cpu_tile_m × 2·cpu_vector over every row; a ragged
 * right edge is the panel kernel's narrower last tile, or after the in-place kernel a strip for
 * the generic kernel. */
clprop_status clprop_gemm_cpu(clprop_context *context, clprop_message *message,
                              const clprop_gemm_shape *shape, float alpha, cl_mem a, cl_mem b,
                              float beta, cl_mem c, const clprop_epilogue_args *epilogue);
/* Whether clprop_gemm_cpu sends this product to the panel kernel (else the in-place one). */
int clprop_gemm_cpu_uses_panels(const clprop_context *context, const clprop_gemm_shape *shape);
/* The GPU family: local-memory tiles, any layout, edges included. */
clprop_status clprop_gemm_gpu(clprop_context *context, clprop_message *message,
                              const clprop_gemm_shape *shape, float alpha, cl_mem a, cl_mem b,
                              float beta, cl_mem c, const clprop_epilogue_args *epilogue);

clprop_status clprop_gemm_clblast(clprop_context *context, clprop_message *message,
                                  const clprop_gemm_shape *shape, float alpha, cl_mem a, cl_mem b,
                                  float beta, cl_mem c);

#endif
