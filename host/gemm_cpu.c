/* The CPU GEMM family: whole tiles in the register-tiled kernel (kernels/gemm_cpu.cl), the ragged
 * right and bottom strips in the generic kernel, so the slow path only sees a few rows and fewer
 * than 16 columns. A transposed B (the weight gradient's A_prevᵀ) is first transposed into a
 * scratch buffer: the fast kernel needs each row of B contiguous. */
#include "gemm.h"

static clprop_status reserve_scratch(clprop_context *context, clprop_message *message,
                                     size_t floats)
{
    if (context->gemm_scratch_floats >= floats)
        return CLPROP_SUCCESS;
    if (context->gemm_scratch != NULL)
        clReleaseMemObject(context->gemm_scratch);
    context->gemm_scratch_floats = 0;
    CLPROP_CHECK(clprop_context_buffer(context, message, floats * sizeof(float), NULL,
                                       "the GEMM scratch buffer", &context->gemm_scratch));
    context->gemm_scratch_floats = floats;
    return CLPROP_SUCCESS;
}

clprop_status clprop_gemm_cpu(clprop_context *context, clprop_message *message,
                              const clprop_gemm_shape *shape, float alpha, cl_mem a, cl_mem b,
                              float beta, cl_mem c)
{
    clprop_gemm_shape plain = *shape;
    if (shape->transpose_b) {
        /* op(B) = Bᵀ is k × n; lay it out row-major in the scratch buffer. */
        clprop_status status = reserve_scratch(context, message, shape->k * shape->n);
        if (status == CLPROP_SUCCESS)
            status = clprop_op_transpose(context, message, context->gemm_scratch, b, shape->n,
                                         shape->k, shape->ldb);
        if (status != CLPROP_SUCCESS)
            return status;
        b = context->gemm_scratch;
        plain.transpose_b = 0;
        plain.ldb = shape->n;
    }
    size_t row_tiles = plain.m / context->tuning.cpu_tile_m,
           column_tiles = plain.n / CLPROP_CPU_TILE_N;
    size_t full_rows = row_tiles * context->tuning.cpu_tile_m,
           full_columns = column_tiles * CLPROP_CPU_TILE_N;
    clprop_status status = CLPROP_SUCCESS;
    if (row_tiles > 0 && column_tiles > 0)
        status =
            clprop_gemm_cpu_tiles(context, message, plain.transpose_a, row_tiles, column_tiles,
                                  plain.k, alpha, a, plain.lda, b, plain.ldb, beta, c, plain.ldc);
    /* the right strip, all rows */
    if (status == CLPROP_SUCCESS && full_columns < plain.n)
        status =
            clprop_gemm_generic(context, message, &plain, alpha, a, b, beta, c, 0, full_columns);
    /* the bottom strip, left of the right strip */
    if (status == CLPROP_SUCCESS && full_rows < plain.m && full_columns > 0) {
        clprop_gemm_shape bottom = plain;
        bottom.n = full_columns;
        status = clprop_gemm_generic(context, message, &bottom, alpha, a, b, beta, c, full_rows, 0);
    }
    return status;
}
