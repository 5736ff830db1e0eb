/* Register-tiled GEMM for CPU devices (PoCL), C = alpha·op(A)·B + beta·C, row-major, B not
 * transposed (the weight gradient's δ·Aᵀ transposes A_prev into a scratch buffer first).
 *
 * Each work-item keeps an 8×32 block of C in sixteen float16 accumulators; per step of K it loads
 * one row of B as two float16, broadcasts eight values of A and issues sixteen vector FMAs. There is
 * no local memory and the work-group is one work-item: on PoCL a work-item is a loop iteration on a
 * CPU core, barriers are expensive, and PoCL's own choice of work-group size costs speed. It covers
 * only whole 8×32 tiles; the host sends the ragged edges to the generic kernels in gemm.cl. */

#define CPU_ROW(r)                                                                                 \
    {                                                                                              \
        float16 broadcast = (float16)(A_AT(i0 + r, p));                                            \
        acc_left[r] = fma(broadcast, left, acc_left[r]);                                           \
        acc_right[r] = fma(broadcast, right, acc_right[r]);                                        \
    }

#define CPU_STORE(r)                                                                               \
    {                                                                                              \
        __global float *row = c + (size_t)(i0 + r) * ldc + j0;                                     \
        float16 out_left = alpha * acc_left[r], out_right = alpha * acc_right[r];                  \
        if (beta != 0.0f) {                                                                        \
            out_left += beta * vload16(0, row);                                                    \
            out_right += beta * vload16(1, row);                                                   \
        }                                                                                          \
        vstore16(out_left, 0, row);                                                                \
        vstore16(out_right, 1, row);                                                               \
    }

#define CPU_GEMM_KERNEL(NAME)                                                                      \
    __kernel __attribute__((reqd_work_group_size(1, 1, 1))) void NAME(                             \
        uint k, float alpha, __global const float *a, uint lda, __global const float *b,           \
        uint ldb, float beta, __global float *c, uint ldc)                                         \
    {                                                                                              \
        uint j0 = get_global_id(0) * 32;                                                           \
        uint i0 = get_global_id(1) * 8;                                                            \
        float16 acc_left[8], acc_right[8];                                                         \
        for (uint r = 0; r < 8; r++)                                                               \
            acc_left[r] = acc_right[r] = (float16)(0.0f);                                          \
        __global const float *b_column = b + j0;                                                   \
        for (uint p = 0; p < k; p++) {                                                             \
            float16 left = vload16(0, b_column + (size_t)p * ldb);                                 \
            float16 right = vload16(1, b_column + (size_t)p * ldb);                                \
            CPU_ROW(0) CPU_ROW(1) CPU_ROW(2) CPU_ROW(3)                                            \
            CPU_ROW(4) CPU_ROW(5) CPU_ROW(6) CPU_ROW(7)                                            \
        }                                                                                          \
        CPU_STORE(0) CPU_STORE(1) CPU_STORE(2) CPU_STORE(3)                                        \
        CPU_STORE(4) CPU_STORE(5) CPU_STORE(6) CPU_STORE(7)                                        \
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
