/* Register-tiled GEMM for CPU devices (PoCL), C = alpha·op(A)·op(B) + beta·C, row-major.
 *
 * Each work-item keeps a CPU_TILE_M×16 block of C in float16 accumulators; per step of K it loads
 * one row of B as a float16, broadcasts CPU_TILE_M values of A and issues as many vector FMAs. With
 * AVX2's sixteen 256-bit registers, 6 rows (12 registers of accumulators) is the most that stays in
 * registers; the host passes the tile height with -DCPU_TILE_M. There is no local memory and the
 * work-group is one work-item: on PoCL a work-item is a loop iteration on a CPU core, barriers are
 * expensive, and PoCL's own choice of work-group size costs speed.
 *
 * Two kernels share that inner loop:
 * - gemm_cpu_nn/tn read B where it lies. Right when all of B stays in the core's cache.
 * - gemm_cpu_panel_nn/tn/nt copy a CPU_KBLOCK×16 panel of op(B) into private memory (the stack of
 *   the core, in L1) and run several tiles of rows against it. Reading B in place, a 16-column
 *   panel is CPU_KBLOCK rows apart by the row stride; with strides of 1 or 4 KiB those lines all
 *   fall into a few cache sets and are evicted before the next tile of rows reuses them, so
 *   large B ran at a third of the speed. The copy also transposes, which makes A·Bᵀ a kernel of
 *   its own. The panel kernels take the in-place kernel's arguments, column_tiles unused, so
 *   that one launcher serves both.
 *
 * Both cover every row (the last tile of rows reads row m − 1 again for the rows past the end and
 * does not store them) and whole tiles of 16 columns; the host sends a ragged right edge to the
 * generic kernel in gemm.cl. */

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
/* Rows past the end of A (in the last tile of rows) read the last row again and are not stored:
 * the bottom edge runs at the speed of the bulk. */
#define CPU_ROW(r) const uint row##r = min(i0 + r, m - 1);
#define CPU_FMA(r) acc##r = fma((float16)(A_AT(row##r, p)), row_of_b, acc##r);
/* C ← alpha·acc + c_beta·C, C not read when c_beta is 0 (it may hold NaN from an earlier use).
 * c_beta is beta, or 1 for the later blocks of K of the panel kernel, which add to C. */
#define CPU_STORE(r)                                                                               \
    if (i0 + r < m) {                                                                              \
        __global float *out = c + (size_t)(i0 + r) * ldc + j0;                                     \
        float16 value = alpha * acc##r;                                                            \
        if (c_beta != 0.0f)                                                                        \
            value += c_beta * vload16(0, out);                                                     \
        vstore16(value, 0, out);                                                                   \
    }

/* Each work-item computes tiles_per_item tiles side by side, one after the other: a work-group is
 * a task PoCL schedules on a core, and a single tile of a small product is too little work to
 * amortise that; the rows of A it reads stay in L1 from one tile to the next. */
#define CPU_GEMM_KERNEL(NAME)                                                                      \
    __kernel __attribute__((reqd_work_group_size(1, 1, 1))) void NAME(                             \
        uint m, uint k, float alpha, __global const float *a, uint lda, __global const float *b,   \
        uint ldb, float beta, __global float *c, uint ldc, uint column_tiles,                      \
        uint tiles_per_item)                                                                       \
    {                                                                                              \
        const float c_beta = beta;                                                                 \
        uint i0 = get_global_id(0) * CPU_TILE_M;                                                   \
        CPU_FOR_ROWS(CPU_ROW)                                                                      \
        uint first_tile = get_global_id(1) * tiles_per_item;                                       \
        uint end_tile = min(first_tile + tiles_per_item, column_tiles);                            \
        for (uint tile = first_tile; tile < end_tile; tile++) {                                    \
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

#ifndef CPU_KBLOCK
#define CPU_KBLOCK 256 /* 16 KiB of panel: half of an L1 data cache, the rest for A's rows */
#endif

#define PANEL_FMA(r) acc##r = fma((float16)(A_AT(row##r, kb + p)), row_of_b, acc##r);

#define PANEL_COPY_N                                                                               \
    for (uint p = 0; p < depth; p++)                                                               \
        vstore16(vload16(0, b + (size_t)(kb + p) * ldb + j0), p, panel);
/* op(B) = Bᵀ: row j of B is column j of the panel. Eight rows of B at a time, eight values of
 * each read as a vector and written back transposed (column s of the 8×8 block becomes row s):
 * a value at a time, the copy took a third of the time of a panel serving 6 tiles of rows. */
#define T_ROW(i) float8 r##i = vload8(0, from + (size_t)(i) * ldb + p);
#define T_COLUMN(j)                                                                                \
    vstore8((float8)(r0.s##j, r1.s##j, r2.s##j, r3.s##j, r4.s##j, r5.s##j, r6.s##j, r7.s##j), 0,   \
            panel + (p + j) * 16 + eighth);
#define PANEL_COPY_T                                                                               \
    for (uint eighth = 0; eighth < 16; eighth += 8) {                                              \
        __global const float *from = b + (size_t)(j0 + eighth) * ldb + kb;                         \
        uint p = 0;                                                                                \
        for (; p + 8 <= depth; p += 8) {                                                           \
            T_ROW(0) T_ROW(1) T_ROW(2) T_ROW(3) T_ROW(4) T_ROW(5) T_ROW(6) T_ROW(7)                \
            T_COLUMN(0) T_COLUMN(1) T_COLUMN(2) T_COLUMN(3)                                        \
            T_COLUMN(4) T_COLUMN(5) T_COLUMN(6) T_COLUMN(7)                                        \
        }                                                                                          \
        for (; p < depth; p++)                                                                     \
            for (uint r = 0; r < 8; r++)                                                           \
                panel[p * 16 + eighth + r] = from[(size_t)r * ldb + p];                            \
    }

/* Each work-item: one tile of 16 columns, row_tiles_per_item tiles of rows. */
#define CPU_PANEL_KERNEL(NAME, PANEL_COPY)                                                         \
    __kernel __attribute__((reqd_work_group_size(1, 1, 1))) void NAME(                             \
        uint m, uint k, float alpha, __global const float *a, uint lda, __global const float *b,   \
        uint ldb, float beta, __global float *c, uint ldc, uint column_tiles,                      \
        uint row_tiles_per_item)                                                                   \
    {                                                                                              \
        float panel[CPU_KBLOCK * 16];                                                              \
        uint j0 = get_global_id(0) * 16;                                                           \
        uint first_row_tile = get_global_id(1) * row_tiles_per_item;                               \
        uint row_tiles = (m + CPU_TILE_M - 1) / CPU_TILE_M;                                        \
        uint last_row_tile = min(first_row_tile + row_tiles_per_item, row_tiles);                  \
        for (uint kb = 0; kb < k; kb += CPU_KBLOCK) {                                              \
            uint depth = min((uint)CPU_KBLOCK, k - kb);                                            \
            float c_beta = kb == 0 ? beta : 1.0f; /* C summed over blocks of K */                  \
            PANEL_COPY                                                                             \
            for (uint tile = first_row_tile; tile < last_row_tile; tile++) {                       \
                uint i0 = tile * CPU_TILE_M;                                                       \
                CPU_FOR_ROWS(CPU_ROW)                                                              \
                CPU_FOR_ROWS(CPU_DECLARE)                                                          \
                for (uint p = 0; p < depth; p++) {                                                 \
                    float16 row_of_b = vload16(p, panel);                                          \
                    CPU_FOR_ROWS(PANEL_FMA)                                                        \
                }                                                                                  \
                CPU_FOR_ROWS(CPU_STORE)                                                            \
            }                                                                                      \
        }                                                                                          \
    }

#define A_AT A_AT_N
CPU_PANEL_KERNEL(gemm_cpu_panel_nn, PANEL_COPY_N)
CPU_PANEL_KERNEL(gemm_cpu_panel_nt, PANEL_COPY_T)
#undef A_AT
#define A_AT A_AT_T
CPU_PANEL_KERNEL(gemm_cpu_panel_tn, PANEL_COPY_N)
#undef A_AT
