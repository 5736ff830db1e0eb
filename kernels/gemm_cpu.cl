/* Register-tiled GEMM for CPU devices (PoCL), C = alpha·op(A)·op(B) + beta·C, row-major.
 *
 * Each work-item keeps a CPU_TILE_M × CPU_TILE_N tile of C in registers, each row as two
 * cpu_vec accumulators (CPU_VECTOR lanes each, CPU_TILE_N = 2·CPU_VECTOR); per step of K it loads
 * a row of the tile's op(B) as two vectors, broadcasts CPU_TILE_M values of op(A) and issues twice
 * as many vector FMAs. The host picks the width from the device's native vector width: 8 lanes
 * (AVX2: sixteen 256-bit registers, 6 rows = 12 accumulators is the most that stays in registers)
 * or 16 (AVX-512: thirty-two 512-bit registers, room for a taller tile and twice the work per
 * instruction), and passes the tile height with -DCPU_TILE_M. Every loop over a tile's
 * accumulators has a constant trip count and is unrolled, so they are registers, never memory.
 * A float16 is never passed to or returned from a function of ours: on an AVX2 machine that is
 * an AVX-512 argument and PoCL warns of an ABI change; vectors go between functions by pointer,
 * and the epilogue takes eight lanes at a time. Where the float16 tiles run on a device without
 * 16-lane vectors (forced, as the tests do), the loads, stores and FMAs go in halves too
 * (CPU_NATIVE_VECTOR, the device's width, from the host). There is no local memory and the
 * work-group is one work-item: on PoCL a work-item is a loop iteration on a CPU core, barriers
 * are expensive, and PoCL's own choice of work-group size costs speed.
 *
 * Two bodies share the tile; the kernels at the end are thin wrappers passing the layout:
 * - gemm_cpu_in_place (gemm_cpu_nn/tn) reads B where it lies. Right when all of B stays in the
 *   core's cache.
 * - gemm_cpu_panels (gemm_cpu_panel_nn/tn/nt) copies a kblock × CPU_TILE_N panel of op(B) into
 *   private memory (the stack of the core, in L1) and runs several tiles of rows against it.
 *   Reading B in place, a panel's rows are the row stride apart; with strides of 1 or 4 KiB those
 *   lines all fall into a few cache sets and are evicted before the next tile of rows reuses
 *   them, so large B ran at a third of the speed. The copy also transposes, which makes A·Bᵀ a
 *   kernel of its own. Both take the same arguments, so that one launcher serves both.
 *
 * Both apply the epilogue (gemm_epilogue.cl) as they store. Both cover every row (the last tile
 * of rows reads row m − 1 again for the rows past the end and does not store them). The in-place
 * body covers whole tiles of CPU_TILE_N columns and the host sends a ragged right edge to the
 * generic kernel in gemm.cl; the panel body covers every column, its last tile narrower where
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
#if CPU_TILE_M > 16
#error "the CPU tile has at most 16 rows"
#endif
#if !defined(CPU_KBLOCK) || !defined(CPU_KBLOCK_T)
#error "the host passes the panel depths (-DCPU_KBLOCK, -DCPU_KBLOCK_T)"
#endif

/* `inline` alone is a hint, and PoCL's compiler declined it for the store and the transposing copy:
 * a call takes the tile's accumulators through memory (the products with K = 32 ran 5-9 % slower
 * than with the bodies written out as macros). */
#define CPU_INLINE inline __attribute__((always_inline))

/* The epilogue's arguments, after the launch's own (gemm_epilogue.cl); the stores take those
 * the finished values need, the row sums apart. */
#define CPU_EPILOGUE_PARAMETERS                                                                    \
    int epilogue, __global const float *bias, __global float *other, int activation,               \
        __global float *row_sums, uint8 dropout
#define CPU_EPILOGUE_ARGUMENTS epilogue, bias, other, activation, row_sums, dropout
#define CPU_FINISH_PARAMETERS                                                                      \
    int epilogue, __global const float *bias, __global float *other, int activation, uint8 dropout
#define CPU_FINISH_ARGUMENTS epilogue, bias, other, activation, dropout

/* ---- One tile of C --------------------------------------------------------------------------- */

/* A tile's accumulators and where it reads op(A): row r of the tile reads row min(i0 + r, m − 1)
 * (past the end of A, in the last tile of rows, row m − 1 again, not stored, so the bottom edge
 * runs at the speed of the bulk). That row's value at step p of K is a_line(p)[a_offsets[r]]:
 * a_line(p) is A's row p for Aᵀ, the address of column p for A (cpu_a_line), and the offsets are
 * 64-bit, so each broadcast is one load from a base register plus a scaled offset register; with
 * the 32-bit index of A_AT_N/A_AT_T the compiler added each row's index anew at every step. */
typedef struct {
    cpu_vec low[CPU_TILE_M], high[CPU_TILE_M];
    size_t a_offsets[CPU_TILE_M];
} cpu_tile;

CPU_INLINE void cpu_tile_rows(cpu_tile *tile, const int transpose_a, uint lda, uint i0, uint m)
{
#pragma unroll
    for (uint r = 0; r < CPU_TILE_M; r++) {
        size_t row = min(i0 + r, m - 1);
        tile->a_offsets[r] = transpose_a ? row : row * lda;
    }
}

/* Where step p of K reads op(A): row p of the stored Aᵀ, or column p of A (see cpu_tile). */
CPU_INLINE __global const float *cpu_a_line(const int transpose_a, __global const float *a,
                                            uint lda, uint p)
{
    return transpose_a ? a + (size_t)p * lda : a + p;
}

/* Zero accumulators: each tile, and each block of K of the panel body, starts from them. */
CPU_INLINE void cpu_tile_clear(cpu_tile *tile)
{
#pragma unroll
    for (uint r = 0; r < CPU_TILE_M; r++)
        tile->low[r] = tile->high[r] = (cpu_vec)(0.0f);
}

/* One step of K: row p of op(B) over the tile's columns (b[0], b[1]) times column p of op(A),
 * read through a_line = cpu_a_line(..., p). */
CPU_INLINE void cpu_tile_step(cpu_tile *tile, __global const float *restrict a_line,
                              const cpu_vec *b)
{
#pragma unroll
    for (uint r = 0; r < CPU_TILE_M; r++) {
        cpu_vec a_value = (cpu_vec)(a_line[tile->a_offsets[r]]);
        tile->low[r] = CPU_VECTOR_FMA(a_value, b[0], tile->low[r]);
        tile->high[r] = CPU_VECTOR_FMA(a_value, b[1], tile->high[r]);
    }
}

/* C ← alpha·tile + c_beta·C over the tile's rows that exist; C is not read when c_beta is 0 (it
 * may hold NaN from an earlier use). c_beta is beta, or 1 for the later blocks of K of the panel
 * body, which add to C; `final` says C is complete, and the epilogue's work on values
 * (gemm_epilogue.cl) is done then. */
CPU_INLINE void cpu_tile_store(const cpu_tile *tile, uint i0, uint j0, uint m, float alpha,
                               float c_beta, int final, __global float *c, uint ldc,
                               CPU_FINISH_PARAMETERS)
{
    const int finish = final && (epilogue & EPILOGUE_ON_VALUES);
#pragma unroll
    for (uint r = 0; r < CPU_TILE_M; r++) {
        if (i0 + r < m) {
            size_t at = (size_t)(i0 + r) * ldc + j0;
            cpu_vec low = alpha * tile->low[r], high = alpha * tile->high[r];
            if (c_beta != 0.0f) {
                low += c_beta * CPU_LOAD(0, c + at);
                high += c_beta * CPU_LOAD(1, c + at);
            }
            if (finish) {
                low = CPU_FINISH(low, i0 + r, j0, at);
                high = CPU_FINISH(high, i0 + r, j0 + CPU_VECTOR, at + CPU_VECTOR);
            }
            CPU_STORE_VECTOR(low, 0, c + at);
            CPU_STORE_VECTOR(high, 1, c + at);
        }
    }
}

/* The same for the last tile of the panel body when it is `width` < CPU_TILE_N columns wide: the
 * values go through private memory and are stored one at a time. */
CPU_INLINE void cpu_tile_store_part(const cpu_tile *tile, uint i0, uint j0, uint m, uint width,
                                    float alpha, float c_beta, int final, __global float *c,
                                    uint ldc, CPU_FINISH_PARAMETERS)
{
    const int finish = final && (epilogue & EPILOGUE_ON_VALUES);
#pragma unroll
    for (uint r = 0; r < CPU_TILE_M; r++) {
        if (i0 + r < m) {
            size_t at = (size_t)(i0 + r) * ldc + j0;
            float values[CPU_TILE_N];
            CPU_STORE_VECTOR(alpha * tile->low[r], 0, values);
            CPU_STORE_VECTOR(alpha * tile->high[r], 1, values);
            for (uint q = 0; q < width; q++) {
                float value = values[q];
                if (c_beta != 0.0f)
                    value += c_beta * c[at + q];
                if (finish)
                    value = gemm_finish(value, epilogue, bias, other, activation, dropout, i0 + r,
                                        j0 + q, at + q);
                c[at + q] = value;
            }
        }
    }
}

/* The row sums of op(A) over K's k_first .. k_first+depth−1, by the work-items that own column
 * 0; summed over the blocks of K as C is, with c_beta (beta for the first block, then 1). */
CPU_INLINE void cpu_tile_row_sums(const int transpose_a, __global const float *restrict a, uint lda,
                                  uint i0, uint j0, uint m, uint k_first, uint depth, float alpha,
                                  float c_beta, int epilogue, __global float *row_sums)
{
    if (!(epilogue & EPILOGUE_ROW_SUMS) || j0 != 0)
        return;
    for (uint r = 0; r < CPU_TILE_M && i0 + r < m; r++)
        gemm_store_row_sum(row_sums, i0 + r, alpha,
                           gemm_row_sum(a, lda, transpose_a, i0 + r, k_first, depth), c_beta);
}

/* ---- B in place ------------------------------------------------------------------------------ */

/* tiles_per_item: tiles of columns side by side in the in-place body, tiles of rows in the panel
 * body (host/gemm_cpu.c sets it for the kernel it launches). */
#define CPU_GEMM_PARAMETERS                                                                        \
    uint m, uint n, uint k, float alpha, __global const float *restrict a, uint lda,               \
        __global const float *restrict b, uint ldb, float beta, __global float *c, uint ldc,       \
        uint tiles_per_item, CPU_EPILOGUE_PARAMETERS
#define CPU_GEMM_ARGUMENTS                                                                         \
    m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, tiles_per_item, CPU_EPILOGUE_ARGUMENTS

/* Each work-item computes tiles_per_item tiles side by side, one after the other: a work-group is
 * a task PoCL schedules on a core, and a single tile of a small product is too little work to
 * amortise that; the rows of A it reads stay in L1 from one tile to the next. */
CPU_INLINE void gemm_cpu_in_place(const int transpose_a, CPU_GEMM_PARAMETERS)
{
    const uint column_tiles = n / CPU_TILE_N; /* whole tiles: the host does the rest */
    const uint i0 = get_global_id(0) * CPU_TILE_M;
    const uint first_tile = get_global_id(1) * tiles_per_item;
    const uint end_tile = min(first_tile + tiles_per_item, column_tiles);
    cpu_tile tile;
    cpu_tile_rows(&tile, transpose_a, lda, i0, m);
    for (uint column_tile = first_tile; column_tile < end_tile; column_tile++) {
        const uint j0 = column_tile * CPU_TILE_N;
        cpu_tile_clear(&tile);
        for (uint p = 0; p < k; p++) {
            __global const float *b_row = b + (size_t)p * ldb + j0;
            cpu_vec b_pair[2] = {CPU_LOAD(0, b_row), CPU_LOAD(1, b_row)};
            cpu_tile_step(&tile, cpu_a_line(transpose_a, a, lda, p), b_pair);
        }
        cpu_tile_store(&tile, i0, j0, m, alpha, beta, 1, c, ldc, CPU_FINISH_ARGUMENTS);
        cpu_tile_row_sums(transpose_a, a, lda, i0, j0, m, 0, k, alpha, beta, epilogue, row_sums);
    }
}

/* ---- B through panels ------------------------------------------------------------------------ */

/* K in blocks of equal depth (a multiple of 8, for the transposing copy's 8 × 8 blocks), at
 * most `most`: with 256, 784 goes as 200 + 200 + 200 + 184, not 256 + 256 + 256 + 16, whose last
 * block would reload and store every tile of C for sixteen multiply-adds. */
CPU_INLINE uint even_block_depth(uint k, uint most)
{
    uint blocks = (k + most - 1) / most;
    uint depth = (k + blocks - 1) / blocks;
    return min(most, (depth + 7) / 8 * 8);
}

/* Rows kb .. kb+depth−1 of B, columns j0 .. j0+width−1, into the panel (zeros past width). */
CPU_INLINE void cpu_panel_copy(float *panel, __global const float *restrict b, uint ldb, uint kb,
                               uint depth, uint j0, uint width)
{
    __global const float *b_rows = b + (size_t)kb * ldb + j0;
    if (width == CPU_TILE_N) {
        for (uint p = 0; p < depth; p++) {
            CPU_STORE_VECTOR(CPU_LOAD(0, b_rows + (size_t)p * ldb), 2 * p, panel);
            CPU_STORE_VECTOR(CPU_LOAD(1, b_rows + (size_t)p * ldb), 2 * p + 1, panel);
        }
        return;
    }
    for (uint p = 0; p < depth; p++)
        for (uint q = 0; q < CPU_TILE_N; q++)
            panel[p * CPU_TILE_N + q] = q < width ? b_rows[(size_t)p * ldb + q] : 0.0f;
}

/* Eight values of eight rows of B, `from` the first, into eight rows of the panel transposed
 * (column j of the 8 × 8 block becomes row j). */
CPU_INLINE void cpu_panel_transpose8(float *to, __global const float *restrict from, uint ldb)
{
    const size_t stride = ldb; /* in size_t: 7·ldb passes a uint from 613,566,757 */
    float8 r0 = vload8(0, from), r1 = vload8(0, from + stride), r2 = vload8(0, from + 2 * stride),
           r3 = vload8(0, from + 3 * stride), r4 = vload8(0, from + 4 * stride),
           r5 = vload8(0, from + 5 * stride), r6 = vload8(0, from + 6 * stride),
           r7 = vload8(0, from + 7 * stride);
#define CPU_T_COLUMN(j)                                                                            \
    vstore8((float8)(r0.s##j, r1.s##j, r2.s##j, r3.s##j, r4.s##j, r5.s##j, r6.s##j, r7.s##j), 0,   \
            to + j * CPU_TILE_N)
    CPU_T_COLUMN(0);
    CPU_T_COLUMN(1);
    CPU_T_COLUMN(2);
    CPU_T_COLUMN(3);
    CPU_T_COLUMN(4);
    CPU_T_COLUMN(5);
    CPU_T_COLUMN(6);
    CPU_T_COLUMN(7);
#undef CPU_T_COLUMN
}

/* op(B) = Bᵀ: row j of B is column j of the panel. Eight rows of B at a time, 8 × 8 blocks
 * through vectors: a value at a time, the copy took a third of the time of a panel serving 6
 * tiles of rows. Rows of B past n give zeros. */
CPU_INLINE void cpu_panel_copy_transposed(float *panel, __global const float *restrict b, uint ldb,
                                          uint kb, uint depth, uint j0, uint width)
{
    for (uint eighth = 0; eighth < CPU_TILE_N; eighth += 8) {
        __global const float *from = b + (size_t)(j0 + eighth) * ldb + kb;
        uint p = 0;
        if (eighth + 8 > width) { /* rows of B past n: zeros */
            for (; p < depth; p++)
                for (uint r = 0; r < 8; r++)
                    panel[p * CPU_TILE_N + eighth + r] =
                        eighth + r < width ? from[(size_t)r * ldb + p] : 0.0f;
        }
        for (; p + 8 <= depth; p += 8)
            cpu_panel_transpose8(panel + p * CPU_TILE_N + eighth, from + p, ldb);
        for (; p < depth; p++)
            for (uint r = 0; r < 8; r++)
                panel[p * CPU_TILE_N + eighth + r] = from[(size_t)r * ldb + p];
    }
}

/* Each work-item: one tile of CPU_TILE_N columns (the last one `width` wide), tiles_per_item
 * tiles of rows, K in blocks of at most `kblock` (the depth the wrapper's panel holds). */
CPU_INLINE void gemm_cpu_panels(const int transpose_a, const int transpose_b, float *panel,
                                const uint kblock, CPU_GEMM_PARAMETERS)
{
    const uint j0 = get_global_id(0) * CPU_TILE_N;
    const uint width = min((uint)CPU_TILE_N, n - j0);
    const uint row_tiles = (m + CPU_TILE_M - 1) / CPU_TILE_M;
    const uint first_row_tile = get_global_id(1) * tiles_per_item;
    const uint end_row_tile = min(first_row_tile + tiles_per_item, row_tiles);
    const uint block_depth = even_block_depth(k, kblock);
    for (uint kb = 0; kb < k; kb += block_depth) {
        const uint depth = min(block_depth, k - kb);
        const float c_beta = kb == 0 ? beta : 1.0f; /* C summed over blocks of K */
        const int final = kb + depth >= k;
        /* op(A)'s columns from kb: a pointer, not kb + p at each step (a 32-bit sum, an extra
         * instruction a step) */
        __global const float *a_block = cpu_a_line(transpose_a, a, lda, kb);
        if (transpose_b)
            cpu_panel_copy_transposed(panel, b, ldb, kb, depth, j0, width);
        else
            cpu_panel_copy(panel, b, ldb, kb, depth, j0, width);
        for (uint row_tile = first_row_tile; row_tile < end_row_tile; row_tile++) {
            const uint i0 = row_tile * CPU_TILE_M;
            cpu_tile tile;
            cpu_tile_rows(&tile, transpose_a, lda, i0, m);
            cpu_tile_clear(&tile);
            for (uint p = 0; p < depth; p++) {
                cpu_vec b_pair[2] = {CPU_LOAD(2 * p, panel), CPU_LOAD(2 * p + 1, panel)};
                cpu_tile_step(&tile, cpu_a_line(transpose_a, a_block, lda, p), b_pair);
            }
            if (width == CPU_TILE_N)
                cpu_tile_store(&tile, i0, j0, m, alpha, c_beta, final, c, ldc,
                               CPU_FINISH_ARGUMENTS);
            else
                cpu_tile_store_part(&tile, i0, j0, m, width, alpha, c_beta, final, c, ldc,
                                    CPU_FINISH_ARGUMENTS);
            cpu_tile_row_sums(transpose_a, a, lda, i0, j0, m, kb, depth, alpha, c_beta, epilogue,
                              row_sums);
        }
    }
}

/* ---- The kernels: the layout as constants ---------------------------------------------------- */

#define CPU_KERNEL __kernel __attribute__((reqd_work_group_size(1, 1, 1))) void

CPU_KERNEL gemm_cpu_nn(CPU_GEMM_PARAMETERS)
{
    gemm_cpu_in_place(0, CPU_GEMM_ARGUMENTS);
}
CPU_KERNEL gemm_cpu_tn(CPU_GEMM_PARAMETERS)
{
    gemm_cpu_in_place(1, CPU_GEMM_ARGUMENTS);
}

/* CPU_KBLOCK, from the host's tuning table: by default 256 rows, 16 KiB of panel, half of an L1
 * data cache, the rest for A's rows; CPU_KBLOCK_T the same for the transposing copy of A·Bᵀ (by
 * default deeper: host/tuning.c). */
CPU_KERNEL gemm_cpu_panel_nn(CPU_GEMM_PARAMETERS)
{
    float panel[CPU_KBLOCK * CPU_TILE_N];
    gemm_cpu_panels(0, 0, panel, CPU_KBLOCK, CPU_GEMM_ARGUMENTS);
}
CPU_KERNEL gemm_cpu_panel_tn(CPU_GEMM_PARAMETERS)
{
    float panel[CPU_KBLOCK * CPU_TILE_N];
    gemm_cpu_panels(1, 0, panel, CPU_KBLOCK, CPU_GEMM_ARGUMENTS);
}
CPU_KERNEL gemm_cpu_panel_nt(CPU_GEMM_PARAMETERS)
{
    float panel[CPU_KBLOCK_T * CPU_TILE_N];
    gemm_cpu_panels(0, 1, panel, CPU_KBLOCK_T, CPU_GEMM_ARGUMENTS);
}
