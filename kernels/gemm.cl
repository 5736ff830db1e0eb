/* General matrix product C = alpha·op(A)·op(B) + beta·C on row-major matrices, op(A) being M×K and
 * op(B) K×N, then the epilogue the host asks for (gemm_epilogue.cl). The three layouts the
 * trainer needs:
 *   gemm_nn  forward pass      Z  = W·A_prev          (W: out×in, A_prev: in×B)
 *   gemm_tn  hidden delta      δ  = W_nextᵀ·δ_next     (W_next: next×units)
 *   gemm_nt  weight gradient   ∇W = δ·A_prevᵀ          (δ: out×B, A_prev: in×B)
 * Each work-item computes a GEMM_TILE_M × GEMM_TILE_N block of C held in registers, starting at row
 * row0 and column col0 (so the host can send just the ragged edges of a faster kernel's tiling
 * here). Rows and columns past the edge read zeros and are not written, so any M, N, K work.
 * One body; the kernels are thin wrappers passing the layout as constants. */

#if !defined(GEMM_TILE_M) || !defined(GEMM_TILE_N)
#error "the host passes the tile (-DGEMM_TILE_M, -DGEMM_TILE_N: host/kernel_contract.c)"
#endif

/* A_AT_N, A_AT_T, B_AT_N, B_AT_T: gemm_access.cl. */
inline void gemm_generic(const int transpose_a, const int transpose_b, uint m, uint n, uint k,
                         float alpha, __global const float *restrict a, uint lda,
                         __global const float *restrict b, uint ldb, float beta,
                         __global float *c, uint ldc, uint row0, uint col0, int epilogue,
                         __global const float *bias, __global float *other, int activation,
                         __global float *row_sums, uint8 dropout)
{
    uint j0 = col0 + get_global_id(0) * GEMM_TILE_N;
    uint i0 = row0 + get_global_id(1) * GEMM_TILE_M;
    if (i0 >= m || j0 >= n)
        return;
    float sum[GEMM_TILE_M][GEMM_TILE_N];
    for (uint r = 0; r < GEMM_TILE_M; r++)
        for (uint s = 0; s < GEMM_TILE_N; s++)
            sum[r][s] = 0.0f;
    for (uint p = 0; p < k; p++) {
        float a_col[GEMM_TILE_M], b_row[GEMM_TILE_N];
        for (uint r = 0; r < GEMM_TILE_M; r++)
            a_col[r] = i0 + r < m ? (transpose_a ? A_AT_T(i0 + r, p) : A_AT_N(i0 + r, p)) : 0.0f;
        for (uint s = 0; s < GEMM_TILE_N; s++)
            b_row[s] = j0 + s < n ? (transpose_b ? B_AT_T(p, j0 + s) : B_AT_N(p, j0 + s)) : 0.0f;
        for (uint r = 0; r < GEMM_TILE_M; r++)
            for (uint s = 0; s < GEMM_TILE_N; s++)
                sum[r][s] = fma(a_col[r], b_row[s], sum[r][s]);
    }
    for (uint r = 0; r < GEMM_TILE_M && i0 + r < m; r++) {
        for (uint s = 0; s < GEMM_TILE_N && j0 + s < n; s++) {
            size_t at = (size_t)(i0 + r) * ldc + j0 + s;
            /* beta = 0 must not read C: it may hold NaN from an earlier use of the buffer */
            float value = beta == 0.0f ? alpha * sum[r][s] : alpha * sum[r][s] + beta * c[at];
            c[at] = gemm_finish(value, epilogue, bias, other, activation, dropout, i0 + r, j0 + s,
                                at);
        }
        if ((epilogue & EPILOGUE_ROW_SUMS) && j0 == 0)
            gemm_store_row_sum(row_sums, i0 + r, alpha,
                               gemm_row_sum(a, lda, transpose_a, i0 + r, 0, k), beta);
    }
}

#define GEMM_PARAMETERS                                                                            \
    uint m, uint n, uint k, float alpha, __global const float *restrict a, uint lda,               \
        __global const float *restrict b, uint ldb, float beta, __global float *c, uint ldc,       \
        uint row0, uint col0, int epilogue, __global const float *bias, __global float *other,     \
        int activation, __global float *row_sums, uint8 dropout
#define GEMM_ARGUMENTS                                                                             \
    m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, row0, col0, epilogue, bias, other, activation,   \
        row_sums, dropout

__kernel void gemm_nn(GEMM_PARAMETERS) { gemm_generic(0, 0, GEMM_ARGUMENTS); }
__kernel void gemm_tn(GEMM_PARAMETERS) { gemm_generic(1, 0, GEMM_ARGUMENTS); }
__kernel void gemm_nt(GEMM_PARAMETERS) { gemm_generic(0, 1, GEMM_ARGUMENTS); }
