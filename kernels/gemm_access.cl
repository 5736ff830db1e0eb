/* How every GEMM family reads its operands, row-major with row strides lda and ldb: element (i, k)
 * of op(A) and (k, j) of op(B), as stored (N) or transposed (T). gemm.cl, gemm_cpu.cl and
 * gemm_gpu.cl each pick the pair their layout needs; the program lists this file before them. */
#define A_AT_N(i, k) a[(size_t)(i) * lda + (k)]
#define A_AT_T(i, k) a[(size_t)(k) * lda + (i)]
#define B_AT_N(k, j) b[(size_t)(k) * ldb + (j)]
#define B_AT_T(k, j) b[(size_t)(j) * ldb + (k)]
