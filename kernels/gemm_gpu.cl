/* Local-memory tiled GEMM for GPUs, C = alpha·op(A)·op(B) + beta·C, row-major, any of the three
 * layouts (transposes are absorbed while loading the tiles).
 *
 * A work-group of GPU_GROUP×GPU_GROUP work-items computes a GPU_TILE×GPU_TILE block of C: per step
 * of GPU_DEPTH along K it stages a GPU_TILE×GPU_DEPTH slice of op(A) and a GPU_DEPTH×GPU_TILE slice
 * of op(B) in local memory, then each work-item accumulates a (GPU_TILE/GPU_GROUP)² register
 * block whose rows and columns are strided by GPU_GROUP, so neighbouring work-items read
 * neighbouring local addresses. Edges load zeros and skip their stores, so any M, N, K work.
 * The stores apply the epilogue (gemm_epilogue.cl); the row sums of op(A) are summed by the
 * work-items of column 0, from the tiles of A they stage anyway. */

#if !defined(GPU_TILE) || !defined(GPU_DEPTH) || !defined(GPU_GROUP)
#error "the host passes the tiling (-DGPU_TILE, -DGPU_DEPTH, -DGPU_GROUP, from its tuning table)"
#endif
#define GPU_WORK (GPU_TILE / GPU_GROUP) /* outputs per work-item along each axis */

/* Splits a flat load index into (d along K, t along the tile) so that consecutive work-items read
 * consecutive global addresses: along K when the operand is contiguous along K, else along t. */
#define GPU_SPLIT(at, ALONG_K, d, t)                                                               \
    uint d = ALONG_K ? (at) % GPU_DEPTH : (at) / GPU_TILE;                                         \
    uint t = ALONG_K ? (at) / GPU_DEPTH : (at) % GPU_TILE;

/* The body every layout shares; the kernels below pass their layout as constants. a_tile and
 * b_tile are the work-group's local tiles (OpenCL C declares local memory at kernel scope). */
inline void gemm_gpu(const int transpose_a, const int transpose_b, uint m, uint n, uint k,
                     float alpha, __global const float *restrict a, uint lda,
                     __global const float *restrict b, uint ldb, float beta, __global float *c,
                     uint ldc, int epilogue, __global const float *bias, __global float *other,
                     int activation, __global float *row_sums, uint8 dropout,
                     __local float (*a_tile)[GPU_TILE], __local float (*b_tile)[GPU_TILE])
{
    /* an operand is contiguous along K when it is A not transposed or B transposed */
    const int a_along_k = !transpose_a, b_along_k = transpose_b;
    uint tx = get_local_id(0), ty = get_local_id(1);
    uint row0 = get_group_id(1) * GPU_TILE, col0 = get_group_id(0) * GPU_TILE;
    uint flat = ty * GPU_GROUP + tx;
    float sum[GPU_WORK][GPU_WORK], row_sum[GPU_WORK];
    for (uint r = 0; r < GPU_WORK; r++) {
        row_sum[r] = 0.0f;
        for (uint s = 0; s < GPU_WORK; s++)
            sum[r][s] = 0.0f;
    }
    /* the row sums: column 0 of the first group of columns, over the tiles it sees */
    const int sums_rows = (epilogue & EPILOGUE_ROW_SUMS) && col0 == 0 && tx == 0;
    for (uint p0 = 0; p0 < k; p0 += GPU_DEPTH) {
        for (uint at = flat; at < GPU_TILE * GPU_DEPTH; at += GPU_GROUP * GPU_GROUP) {
            GPU_SPLIT(at, a_along_k, da, ta)
            GPU_SPLIT(at, b_along_k, db, tb)
            uint i = row0 + ta, j = col0 + tb, pa = p0 + da, pb = p0 + db;
            a_tile[da][ta] =
                i < m && pa < k ? (transpose_a ? A_AT_T(i, pa) : A_AT_N(i, pa)) : 0.0f;
            b_tile[db][tb] =
                j < n && pb < k ? (transpose_b ? B_AT_T(pb, j) : B_AT_N(pb, j)) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        if (sums_rows)
            for (uint d = 0; d < GPU_DEPTH; d++)
                for (uint r = 0; r < GPU_WORK; r++)
                    row_sum[r] += a_tile[d][ty + r * GPU_GROUP];
        for (uint d = 0; d < GPU_DEPTH; d++) {
            float a_col[GPU_WORK], b_row[GPU_WORK];
            for (uint r = 0; r < GPU_WORK; r++)
                a_col[r] = a_tile[d][ty + r * GPU_GROUP];
            for (uint s = 0; s < GPU_WORK; s++)
                b_row[s] = b_tile[d][tx + s * GPU_GROUP];
            for (uint r = 0; r < GPU_WORK; r++)
                for (uint s = 0; s < GPU_WORK; s++)
                    sum[r][s] = fma(a_col[r], b_row[s], sum[r][s]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (uint r = 0; r < GPU_WORK; r++) {
        uint i = row0 + ty + r * GPU_GROUP;
        for (uint s = 0; s < GPU_WORK; s++) {
            uint j = col0 + tx + s * GPU_GROUP;
            if (i < m && j < n) {
                size_t at = (size_t)i * ldc + j;
                float v = beta == 0.0f ? alpha * sum[r][s] : alpha * sum[r][s] + beta * c[at];
                c[at] = gemm_finish(v, epilogue, bias, other, activation, dropout, i, j, at);
            }
        }
        if (sums_rows && i < m)
            gemm_store_row_sum(row_sums, i, alpha, row_sum[r], beta);
    }
}

#define GPU_GEMM_PARAMETERS                                                                        \
    uint m, uint n, uint k, float alpha, __global const float *restrict a, uint lda,               \
        __global const float *restrict b, uint ldb, float beta, __global float *c, uint ldc,       \
        int epilogue, __global const float *bias, __global float *other, int activation,           \
        __global float *row_sums, uint8 dropout
#define GPU_GEMM_CALL(TRANSPOSE_A, TRANSPOSE_B)                                                    \
    __local float a_tile[GPU_DEPTH][GPU_TILE];                                                     \
    __local float b_tile[GPU_DEPTH][GPU_TILE];                                                     \
    gemm_gpu(TRANSPOSE_A, TRANSPOSE_B, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epilogue,     \
             bias, other, activation, row_sums, dropout, a_tile, b_tile);
#define GPU_KERNEL __kernel __attribute__((reqd_work_group_size(GPU_GROUP, GPU_GROUP, 1))) void

GPU_KERNEL gemm_gpu_nn(GPU_GEMM_PARAMETERS) { GPU_GEMM_CALL(0, 0) }
GPU_KERNEL gemm_gpu_tn(GPU_GEMM_PARAMETERS) { GPU_GEMM_CALL(1, 0) }
GPU_KERNEL gemm_gpu_nt(GPU_GEMM_PARAMETERS) { GPU_GEMM_CALL(0, 1) }
