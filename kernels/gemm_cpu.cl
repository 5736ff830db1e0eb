/* Register-tiled GEMM for CPU devices (PoCL), C = alpha·op(A)·B + beta·C, row-major, B not
 * transposed (the weight gradient's δ·Aᵀ transposes A_prev into a scratch buffer first).
 *
 * Each work-item keeps a CPU_TILE_M×16 block of C in float16 accumulators; per step of K it loads
 * one row of B as a float16, broadcasts CPU_TILE_M values of A and issues as many vector FMAs. With
 * AVX2's sixteen 256-bit registers, 6 rows (12 registers of accumulators) is the most that stays in
 * registers; the host passes the tile height with -DCPU_TILE_M. There is
 * no local memory and the work-group is one work-item: on PoCL a work-item is a loop iteration on a
 * CPU core, barriers are expensive, and PoCL's own choice of work-group size costs speed. It covers
 * only whole tiles; the host sends the ragged edges to the generic kernels in gemm.cl. */

#ifndef CPU_TILE_M
#define CPU_TILE_M 6
#endif

/* Rows 0 .. CPU_TILE_M−1 of the tile, unrolled so that each accumulator stays in registers. */
#define CPU_FOR_ROWS(DO)                                                                           \
    DO(0) CPU_IF_ROW_1(DO) CPU_IF_ROW_2(DO) CPU_IF_ROW_3(DO) CPU_IF_ROW_4(DO) CPU_IF_ROW_5(DO)    \
        CPU_IF_ROW_6(DO) CPU_IF_ROW_7(DO)
#if CPU_TILE_M > 1
#define CPU_IF_ROW_1(DO) DO(1)
#else
#define CPU_IF_ROW_1(DO)
#endif
#if CPU_TILE_M > 2
#define CPU_IF_ROW_2(DO) DO(2)
#else
#define CPU_IF_ROW_2(DO)
#endif
#if CPU_TILE_M > 3
#define CPU_IF_ROW_3(DO) DO(3)
#else
#define CPU_IF_ROW_3(DO)
#endif
#if CPU_TILE_M > 4
#define CPU_IF_ROW_4(DO) DO(4)
#else
#define CPU_IF_ROW_4(DO)
#endif
#if CPU_TILE_M > 5
#define CPU_IF_ROW_5(DO) DO(5)
#else
#define CPU_IF_ROW_5(DO)
#endif
#if CPU_TILE_M > 6
#define CPU_IF_ROW_6(DO) DO(6)
#else
#define CPU_IF_ROW_6(DO)
#endif
#if CPU_TILE_M > 7
#define CPU_IF_ROW_7(DO) DO(7)
#else
#define CPU_IF_ROW_7(DO)
#endif

#define CPU_DECLARE(r) float16 acc##r = (float16)(0.0f);
#define CPU_FMA(r) acc##r = fma((float16)(A_AT(i0 + r, p)), row_of_b, acc##r);
#define CPU_STORE(r)                                                                               \
    {                                                                                              \
        __global float *out = c + (size_t)(i0 + r) * ldc + j0;                                     \
        float16 value = alpha * acc##r;                                                            \
        if (beta != 0.0f)                                                                          \
            value += beta * vload16(0, out);                                                       \
        vstore16(value, 0, out);                                                                   \
    }

#ifndef CPU_TILES
#define CPU_TILES 1
#endif

/* Each work-item computes CPU_TILES tiles side by side, one after the other: a work-group is a
 * task PoCL schedules on a core, and a single tile of a small product is too little work to
 * amortise that. */
#define CPU_GEMM_KERNEL(NAME)                                                                      \
    __kernel __attribute__((reqd_work_group_size(1, 1, 1))) void NAME(                             \
        uint k, float alpha, __global const float *a, uint lda, __global const float *b,           \
        uint ldb, float beta, __global float *c, uint ldc, uint column_tiles)                      \
    {                                                                                              \
        uint i0 = get_global_id(1) * CPU_TILE_M;                                                   \
        uint first_tile = get_global_id(0) * CPU_TILES;                                            \
        for (uint tile = first_tile; tile < first_tile + CPU_TILES && tile < column_tiles;         \
             tile++) {                                                                             \
            uint j0 = tile * 16;                                                                   \
            CPU_FOR_ROWS(CPU_DECLARE)                                                              \
            __global const float *b_column = b + j0;                                               \
            for (uint p = 0; p < k; p++) {                                                         \
                float16 row_of_b = vload16(0, b_column + (size_t)p * ldb);                         \
                CPU_FOR_ROWS(CPU_FMA)                                                              \
            }                                                                                      \
            CPU_FOR_ROWS(CPU_STORE)                                                                \
        }                                                                                          \
    }

#define A_AT A_AT_N
CPU_GEMM_KERNEL(gemm_cpu_nn)
#undef A_AT
#define A_AT A_AT_T
CPU_GEMM_KERNEL(gemm_cpu_tn)
#undef A_AT

/* out (cols × rows) = inᵀ, in being rows × cols with row stride ld. */
__kernel void transpose(__global float *out, __global const float *in, uint rows, uint cols,
                        uint ld)
{
    uint j = get_global_id(0);
    uint i = get_global_id(1);
    if (i >= rows || j >= cols)
        return;
    out[(size_t)j * rows + i] = in[(size_t)i * ld + j];
}
