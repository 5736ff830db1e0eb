/* The CPU family (kernels/gemm_cpu.cl): every row in a register-tiled kernel, in tiles of
 * 2 × cpu_vector columns. The panel kernel takes a ragged right edge as a narrower last tile;
 * after the in-place kernel, a strip narrower than a tile goes to the generic kernel.
 * Which register-tiled kernel: the one that reads B in place while B fits in a core's cache, the
 * one that copies panels of B into private memory for a larger B and for A·Bᵀ (the copy makes
 * the transpose). */
#include "gemm.h"
#include "launch.h"

/* Work-items enough to keep every compute unit busy to the end: cpu_items_per_unit of them each. */
static size_t wanted_items(const clprop_context *context)
{
    size_t units = context->device.compute_units > 0 ? context->device.compute_units : 1;
    return context->tuning.cpu_items_per_unit * units;
}

/* A copy that transposes costs more than a straight one (8×8 blocks through shuffles): such
 * panels go to TRANSPOSED_SHARE times fewer work-items, each serving that many times more tiles
 * of rows. Measured on every A.B^T shape of the bench: 2 beat 1 and 4 on most (one value at a
 * time, before the copy was vectorized, 4 was best). */
#define TRANSPOSED_SHARE 2

/* Tiles of rows per work-item for the panel kernel: as many as leaves wanted_items() work-items
 * (fewer for a transposing copy), so each panel copied serves as many tiles of rows as it can. */
static size_t row_tiles_per_item(const clprop_context *context, size_t row_tiles,
                                 size_t column_tiles, int transposing)
{
    size_t items = wanted_items(context) / (transposing ? TRANSPOSED_SHARE : 1);
    size_t units = context->device.compute_units > 0 ? context->device.compute_units : 1;
    if (items < units)
        items = units;
    size_t row_blocks = (items + column_tiles - 1) / column_tiles;
    if (row_blocks > row_tiles)
        row_blocks = row_tiles;
    return (row_tiles + row_blocks - 1) / row_blocks;
}

/* Tiles of columns per work-item for the in-place kernel: up to tuning.cpu_tiles while that
 * leaves wanted_items() work-items. */
static size_t column_tiles_per_item(const clprop_context *context, size_t row_tiles,
                                    size_t column_tiles)
{
    size_t per_item = row_tiles * column_tiles / wanted_items(context);
    if (per_item > context->tuning.cpu_tiles)
        per_item = context->tuning.cpu_tiles;
    return per_item > 0 ? per_item : 1;
}

/* A panel copied for fewer tiles of rows than this costs more than it saves. */
#define PANEL_MIN_REUSE 4

/* Rows this many floats (1 KiB) apart, or a multiple of it, fall into a sixteenth of an L1 data
 * cache's sets (64 sets of 64-byte lines on Zen 3 and Zen 5: a 1 KiB stride visits 4 of them). */
#define ALIASING_STRIDE 256

/* Aᵀ·B in place reads a new line of the stored Aᵀ at every step of K beside the lines of B's row;
 * when both are rows ALIASING_STRIDE apart, all of them crowd into the same few sets and neither
 * operand stays in L1 from one tile to the next. The panel holds B apart in private memory.
 * Measured on a Zen 5, 2 cores, 12 interleaved rounds of clprop-bench kernels: the batch-256
 * hidden delta 256 × 256 × 128 (lda = ldb = 256) median 397 against 311 GFLOP/s; 784 × 256 × 256
 * (lda 784), 256 × 32 × 128 (ldb 32) and A·B with the same strides (128 × 256 × 256) stay as fast
 * or faster in place. */
static int aliasing_transposed_a(const clprop_gemm_shape *shape)
{
    return shape->transpose_a && shape->lda % ALIASING_STRIDE == 0 &&
           shape->ldb % ALIASING_STRIDE == 0;
}

static size_t row_tiles_of(const clprop_context *context, const clprop_gemm_shape *shape)
{
    return (shape->m + context->tuning.cpu_tile_m - 1) / context->tuning.cpu_tile_m;
}

int clprop_gemm_cpu_uses_panels(const clprop_context *context, const clprop_gemm_shape *shape)
{
    const clprop_tuning *tuning = &context->tuning;
    /* With K = 0 nothing is read and C becomes beta·C, which only the in-place kernel does (the
     * panel kernel's loop over blocks of K never starts). */
    if (shape->k == 0)
        return 0;
    if (shape->transpose_b || tuning->cpu_panels == CLPROP_CPU_PANELS_ALWAYS)
        return 1;
    if (tuning->cpu_panels == CLPROP_CPU_PANELS_NEVER)
        return 0;
    size_t column_tiles = shape->n / clprop_cpu_tile_n(tuning);
    if (column_tiles == 0)
        return 0;
    /* A ragged right edge: the panel kernel's narrower last tile beats the in-place kernel and a
     * second launch of the generic kernel for the strip (784 columns in 32-column tiles: 1.5x
     * on the batch-32 weight gradient, 256 x 784 x 32). */
    /* Aᵀ·B with aliasing rows too, whatever the panel's reuse: in place, every tile of rows reads
     * B from L2 anyway, so a panel copied for even one tile of rows costs no more */
    if (shape->n % clprop_cpu_tile_n(tuning) != 0 || aliasing_transposed_a(shape))
        return 1;
    return shape->k * shape->n * sizeof(float) > tuning->cpu_panel_bytes &&
           row_tiles_per_item(context, row_tiles_of(context, shape), column_tiles, 0) >=
               PANEL_MIN_REUSE;
}

/* ---- The launches ------------------------------------------------------------------------------
 */

/* Both CPU kernels take (m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, tiles per work-item) and
 * one-item work-groups over `items`. */
static clprop_status launch_cpu_gemm(clprop_context *context, clprop_message *message,
                                     clprop_kernel_id kernel, const clprop_gemm_shape *shape,
                                     float alpha, cl_mem a, cl_mem b, float beta, cl_mem c,
                                     size_t per_item, size_t items[2],
                                     const clprop_epilogue_args *epilogue)
{
    cl_uint um = (cl_uint)shape->m, un = (cl_uint)shape->n, uk = (cl_uint)shape->k,
            ulda = (cl_uint)shape->lda, uldb = (cl_uint)shape->ldb, uldc = (cl_uint)shape->ldc;
    cl_uint uper_item = (cl_uint)per_item;
    clprop_kernel_arg args[] = {CLPROP_ARG(um),
                                CLPROP_ARG(un),
                                CLPROP_ARG(uk),
                                CLPROP_ARG(alpha),
                                CLPROP_ARG(a),
                                CLPROP_ARG(ulda),
                                CLPROP_ARG(b),
                                CLPROP_ARG(uldb),
                                CLPROP_ARG(beta),
                                CLPROP_ARG(c),
                                CLPROP_ARG(uldc),
                                CLPROP_ARG(uper_item),
                                CLPROP_EPILOGUE_ARGS(epilogue)};
    return clprop_launch_exact(context, message, kernel, 2, items, args, CLPROP_ARG_COUNT(args));
}

/* The kernel that reads B in place, over row_tiles × column_tiles tiles (B not transposed), each
 * work-item column_tiles_per_item of them side by side. The last tile of rows may run past row
 * m − 1, which it reads again and does not store. */
static clprop_status tiles_in_place(clprop_context *context, clprop_message *message,
                                    const clprop_gemm_shape *shape, size_t row_tiles,
                                    size_t column_tiles, size_t column_tiles_per_item, float alpha,
                                    cl_mem a, cl_mem b, float beta, cl_mem c,
                                    const clprop_epilogue_args *epilogue)
{
    clprop_kernel_id kernel =
        shape->transpose_a ? CLPROP_KERNEL_GEMM_CPU_TN : CLPROP_KERNEL_GEMM_CPU_NN;
    size_t per_item = column_tiles_per_item;
    /* rows first: consecutive work-items share a panel of B */
    size_t items[2] = {row_tiles, (column_tiles + per_item - 1) / per_item};
    return launch_cpu_gemm(context, message, kernel, shape, alpha, a, b, beta, c, per_item, items,
                           epilogue);
}

/* The kernel that copies panels of op(B) (any layout but Aᵀ·Bᵀ): one work-item per tile of
 * columns, the last one narrower where n is not a whole number of tiles, and row_tiles_per_item
 * tiles of rows. */
static clprop_status tiles_through_panels(clprop_context *context, clprop_message *message,
                                          const clprop_gemm_shape *shape, size_t column_tiles,
                                          size_t row_tiles_per_item, float alpha, cl_mem a,
                                          cl_mem b, float beta, cl_mem c,
                                          const clprop_epilogue_args *epilogue)
{
    static const clprop_kernel_id kernels[2][2] = {
        {CLPROP_KERNEL_GEMM_CPU_PANEL_NN, CLPROP_KERNEL_GEMM_CPU_PANEL_NT},
        {CLPROP_KERNEL_GEMM_CPU_PANEL_TN, CLPROP_KERNEL_COUNT}};
    clprop_kernel_id kernel = kernels[shape->transpose_a != 0][shape->transpose_b != 0];
    size_t row_tiles = (shape->m + context->tuning.cpu_tile_m - 1) / context->tuning.cpu_tile_m;
    size_t items[2] = {column_tiles, (row_tiles + row_tiles_per_item - 1) / row_tiles_per_item};
    return launch_cpu_gemm(context, message, kernel, shape, alpha, a, b, beta, c,
                           row_tiles_per_item, items, epilogue);
}

/* ---- The family ------------------------------------------------------------------------------ */

clprop_status clprop_gemm_cpu(clprop_context *context, clprop_message *message,
                              const clprop_gemm_shape *shape, float alpha, cl_mem a, cl_mem b,
                              float beta, cl_mem c, const clprop_epilogue_args *epilogue)
{
    size_t tile_n = clprop_cpu_tile_n(&context->tuning);
    size_t row_tiles = row_tiles_of(context, shape), column_tiles = shape->n / tile_n;
    size_t covered = 0; /* columns the register-tiled kernel computes */
    clprop_status status = CLPROP_SUCCESS;
    if (column_tiles > 0 && clprop_gemm_cpu_uses_panels(context, shape)) {
        /* every column: a narrower last tile rather than a strip for the generic kernel */
        size_t every_tile = (shape->n + tile_n - 1) / tile_n;
        status = tiles_through_panels(
            context, message, shape, every_tile,
            row_tiles_per_item(context, row_tiles, every_tile, shape->transpose_b), alpha, a, b,
            beta, c, epilogue);
        covered = shape->n;
    } else if (column_tiles > 0) {
        status = tiles_in_place(context, message, shape, row_tiles, column_tiles,
                                column_tiles_per_item(context, row_tiles, column_tiles), alpha, a,
                                b, beta, c, epilogue);
        covered = column_tiles * tile_n;
    }
    /* the right strip, all rows */
    if (status == CLPROP_SUCCESS && covered < shape->n)
        status = clprop_gemm_generic(context, message, shape, alpha, a, b, beta, c, 0, covered,
                                     epilogue);
    return status;
}
