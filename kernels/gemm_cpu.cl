/* Register-tiled GEMM for CPU devices (PoCL), C = alpha·op(A)·op(B) + beta·C, row-major.
 *
 * Each work-item keeps a CPU_TILE_M × CPU_TILE_N block of C in pairs of cpu_vec accumulators
 * (CPU_VECTOR lanes each, CPU_TILE_N = 2·CPU_VECTOR); per step of K it loads a row of the tile's
 * B as two vectors, broadcasts CPU_TILE_M values of A and issues twice as many vector FMAs. The
 * host picks the width from the device's native vector width: 8 lanes (AVX2: sixteen 256-bit
 * registers, 6 rows = 12 accumulators is the most that stays in registers) or 16 (AVX-512:
 * thirty-two 512-bit registers, room for a taller tile and twice the work per instruction).
 * A float16 is never passed to a function of ours: on an AVX2 machine that is an AVX-512 argument
 * and PoCL warns of an ABI change, so the epilogue takes eight lanes at a time; where the float16
 * tiles run on a device without 16-lane vectors (forced, as the tests do), the loads, stores and
 * FMAs go in halves too (CPU_NATIVE_VECTOR, the device's width, from the host). The host passes
 * the tile height with -DCPU_TILE_M. There is no local memory and the
 * work-group is one work-item: on PoCL a work-item is a loop iteration on a CPU core, barriers are
 * expensive, and PoCL's own choice of work-group size costs speed.
 *
 * Two kernels share that inner loop:
 * - gemm_cpu_nn/tn read B where it lies. Right when all of B stays in the core's cache.
 * - gemm_cpu_panel_nn/tn/nt copy a CPU_KBLOCK × CPU_TILE_N panel of op(B) into private memory
 *   (the stack of the core, in L1) and run several tiles of rows against it. Reading B in place,
 *   a panel's rows are the row stride apart; with strides of 1 or 4 KiB those lines all
 *   fall into a few cache sets and are evicted before the next tile of rows reuses them, so
 *   large B ran at a third of the speed. The copy also transposes, which makes A·Bᵀ a kernel of
 *   its own. Both kernels take the same arguments, so that one launcher serves both.
 *
 * Both apply the epilogue (gemm_epilogue.cl) as they store. Both cover every row (the last tile
 * of rows reads row m − 1 again for the rows past the end and does not store them). The in-place
 * kernel covers whole tiles of CPU_TILE_N columns and the host sends a ragged right edge to the
 * generic kernel in gemm.cl; the panel kernel covers every column, its last tile narrower where
 * n is not a whole number of tiles (the copy fills the panel's missing columns with zeros and the
 * store writes only the columns that exist). With 32-column tiles that keeps a 784-wide product's
 * last 16 columns in the fast kernel, not in a second, slower launch after it. */

#if !defined(CPU_TILE_M) || !defined(CPU_NATIVE_VECTOR)
#error "the host passes the tile height and the device's vector width (-DCPU_TILE_M, ...)"
#endif
#if CPU_VECTOR == 16
typedef float16 cpu_vec;
#if CPU_NATIVE_VECTOR >= 16
#define CPU_LOAD vload16
#define CPU_STORE_VECTOR vstore16
#define CPU_VECTOR_FMA fma
#else /* two float8 halves: no float16 crosses a call where it is not a native vector */
#define CPU_LOAD(i, p) ((float16)(vload8(2 * (i), p), vload8(2 * (i) + 1, p)))
#define CPU_STORE_VECTOR(v, i, p) (vstore8((v).lo, 2 * (i), p), vstore8((v).hi, 2 * (i) + 1, p))
#define CPU_VECTOR_FMA(x, y, z)                                                                    \
    ((float16)(fma((x).lo, (y).lo, (z).lo), fma((x).hi, (y).hi, (z).hi)))
#endif
/* the epilogue eight lanes at a time (no float16 argument, see above) */
#define CPU_FINISH(v, row, col, at)                                                                \
    (float16)(gemm_finish8((v).lo, epilogue, bias, other, activation, dropout, row, col, at),      \
              gemm_finish8((v).hi, epilogue, bias, other, activation, dropout, row, (col) + 8,     \
                           (at) + 8))
#elif CPU_VECTOR == 8
typedef float8 cpu_vec;
#define CPU_LOAD vload8
#define CPU_STORE_VECTOR vstore8
#define CPU_VECTOR_FMA fma
#define CPU_FINISH(v, row, col, at)                                                                \
    gemm_finish8(v, epilogue, bias, other, activation, dropout, row, col, at)
#else
#error "the host passes the vector width (-DCPU_VECTOR=8 or 16, from its tuning table)"
#endif
/* The tile's width, from the host's table beside CPU_VECTOR: a row of a tile is two vectors. */
#if CPU_TILE_N != 2 * CPU_VECTOR
#error "the CPU kernels hold a row of a tile as two vectors"
#endif

/* Rows 0 .. CPU_TILE_M−1 of the tile (at most 16), unrolled so that each accumulator stays in
 * registers. */
#if CPU_TILE_M > 16
#error "the CPU tile has at most 16 rows"
#endif
#define CPU_FOR_ROWS(DO)                                                                           \
    DO(0) CPU_IF_ROW_1(DO) CPU_IF_ROW_2(DO) CPU_IF_ROW_3(DO) CPU_IF_ROW_4(DO) CPU_IF_ROW_5(DO)    \
        CPU_IF_ROW_6(DO) CPU_IF_ROW_7(DO) CPU_IF_ROW_8(DO) CPU_IF_ROW_9(DO) CPU_IF_ROW_10(DO)     \
            CPU_IF_ROW_11(DO) CPU_IF_ROW_12(DO) CPU_IF_ROW_13(DO) CPU_IF_ROW_14(DO)                \
                CPU_IF_ROW_15(DO)
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
#if CPU_TILE_M > 8
#define CPU_IF_ROW_8(DO) DO(8)
#else
#define CPU_IF_ROW_8(DO)
#endif
#if CPU_TILE_M > 9
#define CPU_IF_ROW_9(DO) DO(9)
#else
#define CPU_IF_ROW_9(DO)
#endif
#if CPU_TILE_M > 10
#define CPU_IF_ROW_10(DO) DO(10)
#else
#define CPU_IF_ROW_10(DO)
#endif
#if CPU_TILE_M > 11
#define CPU_IF_ROW_11(DO) DO(11)
#else
#define CPU_IF_ROW_11(DO)
#endif
#if CPU_TILE_M > 12
#define CPU_IF_ROW_12(DO) DO(12)
#else
#define CPU_IF_ROW_12(DO)
#endif
#if CPU_TILE_M > 13
#define CPU_IF_ROW_13(DO) DO(13)
#else
#define CPU_IF_ROW_13(DO)
#endif
#if CPU_TILE_M > 14
#define CPU_IF_ROW_14(DO) DO(14)
#else
#define CPU_IF_ROW_14(DO)
#endif
#if CPU_TILE_M > 15
#define CPU_IF_ROW_15(DO) DO(15)
#else
#define CPU_IF_ROW_15(DO)
#endif

#define CPU_DECLARE(r) cpu_vec acc##r##_lo = (cpu_vec)(0.0f), acc##r##_hi = (cpu_vec)(0.0f);
/* Rows past the end of A (in the last tile of rows) read the last row again and are not stored:
 * the bottom edge runs at the speed of the bulk. */
#define CPU_ROW(r) const uint row##r = min(i0 + r, m - 1);
#define CPU_FMA_AT(r, P)                                                                           \
    {                                                                                              \
        cpu_vec a_value = (cpu_vec)(A_AT(row##r, P));                                                \
        acc##r##_lo = CPU_VECTOR_FMA(a_value, b_lo, acc##r##_lo);                                  \
        acc##r##_hi = CPU_VECTOR_FMA(a_value, b_hi, acc##r##_hi);                                  \
    }
#define CPU_FMA(r) CPU_FMA_AT(r, p)
/* C ← alpha·acc + c_beta·C, C not read when c_beta is 0 (it may hold NaN from an earlier use).
 * c_beta is beta, or 1 for the later blocks of K of the panel kernel, which add to C; `final`
 * says C is complete, and the epilogue's work on values (gemm_epilogue.cl) is done then. */
#define CPU_STORE(r)                                                                               \
    if (i0 + r < m) {                                                                              \
        size_t at = (size_t)(i0 + r) * ldc + j0;                                                   \
        cpu_vec low = alpha * acc##r##_lo, high = alpha * acc##r##_hi;                             \
        if (c_beta != 0.0f) {                                                                      \
            low += c_beta * CPU_LOAD(0, c + at);                                                   \
            high += c_beta * CPU_LOAD(1, c + at);                                                  \
        }                                                                                          \
        if (final && (epilogue & EPILOGUE_ON_VALUES)) {                                            \
            low = CPU_FINISH(low, i0 + r, j0, at);                                                 \
            high = CPU_FINISH(high, i0 + r, j0 + CPU_VECTOR, at + CPU_VECTOR);                     \
        }                                                                                          \
        CPU_STORE_VECTOR(low, 0, c + at);                                                          \
        CPU_STORE_VECTOR(high, 1, c + at);                                                         \
    }
/* The same for the last tile of a panel kernel when it is `width` < CPU_TILE_N columns wide: the
 * values go through private memory and are stored one at a time. */
#define CPU_STORE_PART(r)                                                                          \
    if (i0 + r < m) {                                                                              \
        size_t at = (size_t)(i0 + r) * ldc + j0;                                                   \
        float values[CPU_TILE_N];                                                                  \
        CPU_STORE_VECTOR(alpha * acc##r##_lo, 0, values);                                          \
        CPU_STORE_VECTOR(alpha * acc##r##_hi, 1, values);                                          \
        for (uint q = 0; q < width; q++) {                                                         \
            float value = values[q];                                                               \
            if (c_beta != 0.0f)                                                                    \
                value += c_beta * c[at + q];                                                       \
            if (final && (epilogue & EPILOGUE_ON_VALUES))                                          \
                value = gemm_finish(value, epilogue, bias, other, activation, dropout, i0 + r,     \
                                    j0 + q, at + q);                                               \
            c[at + q] = value;                                                                     \
        }                                                                                          \
    }
/* The row sums of op(A) over K's k_first .. k_first+depth−1, by the work-items that own column 0. */
#define CPU_ROW_SUM(r)                                                                             \
    if (i0 + r < m)                                                                                \
        gemm_store_row_sum(row_sums, i0 + r, alpha,                                                \
                           gemm_row_sum(a, lda, A_TRANSPOSED, i0 + r, k_first, depth), c_beta);
#define CPU_ROW_SUMS                                                                               \
    if ((epilogue & EPILOGUE_ROW_SUMS) && j0 == 0) {                                               \
        CPU_FOR_ROWS(CPU_ROW_SUM)                                                                  \
    }
/* The epilogue's arguments, after the launch's own (gemm_epilogue.cl). */
#define CPU_EPILOGUE_PARAMETERS                                                                    \
    int epilogue, __global const float *bias, __global float *other, int activation,              \
        __global float *row_sums, uint8 dropout

/* Each work-item computes tiles_per_item tiles side by side, one after the other: a work-group is
 * a task PoCL schedules on a core, and a single tile of a small product is too little work to
 * amortise that; the rows of A it reads stay in L1 from one tile to the next. */
#define CPU_GEMM_KERNEL(NAME)                                                                      \
    __kernel __attribute__((reqd_work_group_size(1, 1, 1))) void NAME(                             \
        uint m, uint n, uint k, float alpha, __global const float *a, uint lda,                    \
        __global const float *b, uint ldb, float beta, __global float *c, uint ldc,                \
        uint tiles_per_item, CPU_EPILOGUE_PARAMETERS)                                              \
    {                                                                                              \
        const uint column_tiles = n / CPU_TILE_N; /* whole tiles: the host does the rest */        \
        const float c_beta = beta;                                                                 \
        const int final = 1;                                                                       \
        const uint k_first = 0, depth = k;                                                         \
        uint i0 = get_global_id(0) * CPU_TILE_M;                                                   \
        CPU_FOR_ROWS(CPU_ROW)                                                                      \
        uint first_tile = get_global_id(1) * tiles_per_item;                                       \
        uint end_tile = min(first_tile + tiles_per_item, column_tiles);                            \
        for (uint tile = first_tile; tile < end_tile; tile++) {                                    \
            uint j0 = tile * CPU_TILE_N;                                                                \
            CPU_FOR_ROWS(CPU_DECLARE)                                                              \
            __global const float *b_column = b + j0;                                               \
            for (uint p = 0; p < k; p++) {                                                         \
                cpu_vec b_lo = CPU_LOAD(0, b_column + (size_t)p * ldb);                            \
                cpu_vec b_hi = CPU_LOAD(1, b_column + (size_t)p * ldb);                            \
                CPU_FOR_ROWS(CPU_FMA)                                                              \
            }                                                                                      \
            CPU_FOR_ROWS(CPU_STORE)                                                                \
            CPU_ROW_SUMS                                                                           \
        }                                                                                          \
    }

#define A_AT A_AT_N
#define A_TRANSPOSED 0
CPU_GEMM_KERNEL(gemm_cpu_nn)
#undef A_AT
#undef A_TRANSPOSED
#define A_AT A_AT_T
#define A_TRANSPOSED 1
CPU_GEMM_KERNEL(gemm_cpu_tn)
#undef A_AT
#undef A_TRANSPOSED

/* CPU_KBLOCK, from the host's tuning table: by default 256 rows, 16 KiB of panel, half of an L1
 * data cache, the rest for A's rows; CPU_KBLOCK_T the same for the transposing copy of A·Bᵀ (by
 * default deeper: host/tuning.c). */
#if !defined(CPU_KBLOCK) || !defined(CPU_KBLOCK_T)
#error "the host passes the panel depths (-DCPU_KBLOCK, -DCPU_KBLOCK_T)"
#endif

/* K in blocks of equal depth (a multiple of 8, for the transposing copy's 8 × 8 blocks), at
 * most `most`: with 256, 784 goes as 200 + 200 + 200 + 184, not 256 + 256 + 256 + 16, whose last
 * block would reload and store every tile of C for sixteen multiply-adds. */
inline uint even_block_depth(uint k, uint most)
{
    uint blocks = (k + most - 1) / most;
    uint depth = (k + blocks - 1) / blocks;
    return min(most, (depth + 7) / 8 * 8);
}

#define PANEL_FMA(r) CPU_FMA_AT(r, kb + p)

#define PANEL_COPY_N                                                                               \
    if (width == CPU_TILE_N)                                                                       \
        for (uint p = 0; p < depth; p++) {                                                         \
            __global const float *b_row = b + (size_t)(kb + p) * ldb + j0;                         \
            CPU_STORE_VECTOR(CPU_LOAD(0, b_row), 2 * p, panel);                                    \
            CPU_STORE_VECTOR(CPU_LOAD(1, b_row), 2 * p + 1, panel);                                \
        }                                                                                          \
    else                                                                                           \
        for (uint p = 0; p < depth; p++) {                                                         \
            __global const float *b_row = b + (size_t)(kb + p) * ldb + j0;                         \
            for (uint q = 0; q < CPU_TILE_N; q++)                                                  \
                panel[p * CPU_TILE_N + q] = q < width ? b_row[q] : 0.0f;                           \
        }
/* op(B) = Bᵀ: row j of B is column j of the panel. Eight rows of B at a time, eight values of
 * each read as a vector and written back transposed (column s of the 8×8 block becomes row s):
 * a value at a time, the copy took a third of the time of a panel serving 6 tiles of rows. */
#define T_ROW(i) float8 r##i = vload8(0, from + (size_t)(i) * ldb + p);
#define T_COLUMN(j)                                                                                \
    vstore8((float8)(r0.s##j, r1.s##j, r2.s##j, r3.s##j, r4.s##j, r5.s##j, r6.s##j, r7.s##j), 0,   \
            panel + (p + j) * CPU_TILE_N + eighth);
#define PANEL_COPY_T                                                                               \
    for (uint eighth = 0; eighth < CPU_TILE_N; eighth += 8) {                                      \
        __global const float *from = b + (size_t)(j0 + eighth) * ldb + kb;                         \
        uint p = 0;                                                                                \
        if (eighth + 8 > width) { /* rows of B past n: zeros */                                    \
            for (; p < depth; p++)                                                                 \
                for (uint r = 0; r < 8; r++)                                                       \
                    panel[p * CPU_TILE_N + eighth + r] =                                           \
                        eighth + r < width ? from[(size_t)r * ldb + p] : 0.0f;                     \
        }                                                                                          \
        for (; p + 8 <= depth; p += 8) {                                                           \
            T_ROW(0) T_ROW(1) T_ROW(2) T_ROW(3) T_ROW(4) T_ROW(5) T_ROW(6) T_ROW(7)                \
            T_COLUMN(0) T_COLUMN(1) T_COLUMN(2) T_COLUMN(3)                                        \
            T_COLUMN(4) T_COLUMN(5) T_COLUMN(6) T_COLUMN(7)                                        \
        }                                                                                          \
        for (; p < depth; p++)                                                                     \
            for (uint r = 0; r < 8; r++)                                                           \
                panel[p * CPU_TILE_N + eighth + r] = from[(size_t)r * ldb + p];                    \
    }

/* Each work-item: one tile of CPU_TILE_N columns (the last one `width` wide), row_tiles_per_item
 * tiles of rows, K in blocks of at most KBLOCK. */
#define CPU_PANEL_KERNEL(NAME, PANEL_COPY, KBLOCK)                                                 \
    __kernel __attribute__((reqd_work_group_size(1, 1, 1))) void NAME(                             \
        uint m, uint n, uint k, float alpha, __global const float *a, uint lda,                    \
        __global const float *b, uint ldb, float beta, __global float *c, uint ldc,                \
        uint row_tiles_per_item, CPU_EPILOGUE_PARAMETERS)                                          \
    {                                                                                              \
        float panel[KBLOCK * CPU_TILE_N];                                                          \
        uint j0 = get_global_id(0) * CPU_TILE_N;                                                   \
        const uint width = min((uint)CPU_TILE_N, n - j0);                                          \
        uint first_row_tile = get_global_id(1) * row_tiles_per_item;                               \
        uint row_tiles = (m + CPU_TILE_M - 1) / CPU_TILE_M;                                        \
        uint last_row_tile = min(first_row_tile + row_tiles_per_item, row_tiles);                  \
        const uint block_depth = even_block_depth(k, KBLOCK);                                      \
        for (uint kb = 0; kb < k; kb += block_depth) {                                             \
            uint depth = min(block_depth, k - kb);                                                 \
            float c_beta = kb == 0 ? beta : 1.0f; /* C summed over blocks of K */                  \
            const int final = kb + depth >= k;                                                     \
            const uint k_first = kb;                                                               \
            PANEL_COPY                                                                             \
            for (uint tile = first_row_tile; tile < last_row_tile; tile++) {                       \
                uint i0 = tile * CPU_TILE_M;                                                       \
                CPU_FOR_ROWS(CPU_ROW)                                                              \
                CPU_FOR_ROWS(CPU_DECLARE)                                                          \
                for (uint p = 0; p < depth; p++) {                                                 \
                    cpu_vec b_lo = CPU_LOAD(2 * p, panel), b_hi = CPU_LOAD(2 * p + 1, panel);      \
                    CPU_FOR_ROWS(PANEL_FMA)                                                        \
                }                                                                                  \
                if (width == CPU_TILE_N) {                                                         \
                    CPU_FOR_ROWS(CPU_STORE)                                                        \
                } else {                                                                           \
                    CPU_FOR_ROWS(CPU_STORE_PART)                                                   \
                }                                                                                  \
                CPU_ROW_SUMS                                                                       \
            }                                                                                      \
        }                                                                                          \
    }

#define A_AT A_AT_N
#define A_TRANSPOSED 0
CPU_PANEL_KERNEL(gemm_cpu_panel_nn, PANEL_COPY_N, CPU_KBLOCK)
CPU_PANEL_KERNEL(gemm_cpu_panel_nt, PANEL_COPY_T, CPU_KBLOCK_T)
#undef A_AT
#undef A_TRANSPOSED
#define A_AT A_AT_T
#define A_TRANSPOSED 1
CPU_PANEL_KERNEL(gemm_cpu_panel_tn, PANEL_COPY_N, CPU_KBLOCK)
#undef A_AT
#undef A_TRANSPOSED
