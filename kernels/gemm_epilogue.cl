/* What every GEMM family does with a finished value of C besides storing it, so that the pass
 * around a product needs no launch of its own. The host chooses per launch, with the `epilogue`
 * flags (EPILOGUE_*, from its table in host/kernel_contract.c):
 *
 *   EPILOGUE_BIAS        C[i, j] += bias[i]                      the forward pass's bias
 *   EPILOGUE_ACTIVATE    other[i, j] = f(C[i, j]), C keeps z      and its activation
 *   EPILOGUE_DERIVATIVE  C[i, j] *= f′, from a = other[i, j]      a hidden delta, Wᵀ·δ ⊙ f′(z)
 *   EPILOGUE_ROW_SUMS    row_sums[i] = alpha·Σ_k op(A)[i, k]      a bias gradient Σ_b δ beside
 *                        (+ beta·row_sums[i] unless beta is 0)   the weight gradient δ·A_prevᵀ
 *   EPILOGUE_DROPOUT     with ACTIVATE: other[i, j] = f(C)·m/(1−p) inverted dropout's output,
 *                        with DERIVATIVE: C[i, j] *= m·f′/(1−p)  and its delta, f′ from a·(1−p)
 *
 * `other` is laid out as C (row stride ldc). The dropout mask m of unit i (a row of C) and
 * sample j (a column) is 0 or 1, drawn from `dropout` (common.cl, dropout_kept): the forward
 * product and the delta's recompute the same m, so nothing is stored between them. The flags are
 * the same for a whole launch, so the tests cost a branch per stored value, not per multiply-add.
 * The families apply all but the row sums once C is final (after the last block of K), and the
 * row sums in the work-items that own column 0 of C, which read every value of their rows of
 * op(A). */

#if !defined(EPILOGUE_BIAS) || !defined(EPILOGUE_ROW_SUMS)
#error "kernels are built with the host's definitions (host/kernel_contract.c)"
#endif

/* Whether anything happens to a value once C is final (the row sums are apart). */
#define EPILOGUE_ON_VALUES (EPILOGUE_BIAS | EPILOGUE_ACTIVATE | EPILOGUE_DERIVATIVE)

#ifndef EPILOGUE_DROPOUT
#error "kernels are built with the host's definitions (host/kernel_contract.c)"
#endif

inline float gemm_finish(float value, int epilogue, __global const float *bias,
                         __global float *other, int activation, uint8 dropout, uint row, uint col,
                         size_t at)
{
    if (epilogue & EPILOGUE_BIAS)
        value += bias[row];
    if (epilogue & EPILOGUE_DROPOUT) {
        int kept = dropout_kept(dropout, row, col);
        float keep = as_float(dropout.s6), scale = as_float(dropout.s7);
        if (epilogue & EPILOGUE_DERIVATIVE)
            value = kept ? value * derivative_from_output(activation, other[at] * keep) * scale
                         : 0.0f;
        if (epilogue & EPILOGUE_ACTIVATE)
            other[at] = kept ? activate(activation, value) * scale : 0.0f;
        return value;
    }
    if (epilogue & EPILOGUE_DERIVATIVE)
        value *= derivative_from_output(activation, other[at]);
    if (epilogue & EPILOGUE_ACTIVATE)
        other[at] = activate(activation, value);
    return value;
}

/* A derivative's part of the epilogue for eight values of a row, given their a = f(z) as stored
 * (with dropout's scale where the layer has a mask): also the output step's (backward.cl). */
inline float8 gemm_derivative8(float8 value, float8 a, int epilogue, int activation,
                               uint8 dropout, uint row, uint col)
{
    if (epilogue & EPILOGUE_DROPOUT) {
        int8 kept = dropout_kept8(dropout, row, col);
        float keep = as_float(dropout.s6), scale = as_float(dropout.s7);
        float8 unscaled = a * keep; /* f(z) */
        return select((float8)(0.0f),
                      value * derivative8_from_output(activation, unscaled) * scale, kept);
    }
    return value * derivative8_from_output(activation, a);
}

/* Eight values of a row at once: the CPU family stores sixteen as two halves (a float16 passed to
 * a function is an AVX-512 argument, which PoCL warns about on AVX2 machines). */
inline float8 gemm_finish8(float8 value, int epilogue, __global const float *bias,
                           __global float *other, int activation, uint8 dropout, uint row,
                           uint col, size_t at)
{
    if (epilogue & EPILOGUE_BIAS)
        value += bias[row];
    if (epilogue & EPILOGUE_DERIVATIVE)
        value = gemm_derivative8(value, vload8(0, other + at), epilogue, activation, dropout, row,
                                 col);
    if (epilogue & EPILOGUE_ACTIVATE) {
        float8 a = activate8(activation, value);
        if (epilogue & EPILOGUE_DROPOUT)
            a = select((float8)(0.0f), a * as_float(dropout.s7), dropout_kept8(dropout, row, col));
        vstore8(a, 0, other + at);
    }
    return value;
}

/* Σ op(A)[row, p] over p = first .. first+count−1: eight running sums (p ≡ 0..7 mod 8), the tail
 * apart, then added pairwise and the tail last — the order of kernel bias_gradient, so over a
 * whole row both give the same float. */
inline float gemm_row_sum(__global const float *a, uint lda, int transposed, uint row, uint first,
                          uint count)
{
    float8 sums = (float8)(0.0f);
    uint p = 0;
    if (!transposed) {
        __global const float *values = a + (size_t)row * lda + first;
        for (; p + 8 <= count; p += 8)
            sums += vload8(0, values + p);
    } else {
        __global const float *column = a + (size_t)first * lda + row;
        const size_t stride = lda; /* in size_t: 7·lda passes a uint from 613,566,757 */
        for (; p + 8 <= count; p += 8) {
            __global const float *at = column + (size_t)p * stride;
            sums += (float8)(at[0], at[stride], at[2 * stride], at[3 * stride], at[4 * stride],
                             at[5 * stride], at[6 * stride], at[7 * stride]);
        }
    }
    float total = 0.0f;
    for (; p < count; p++)
        total += transposed ? a[(size_t)(first + p) * lda + row] : a[(size_t)row * lda + first + p];
    float4 pairs = sums.lo + sums.hi;
    return total + ((pairs.x + pairs.y) + (pairs.z + pairs.w));
}

/* row_sums[row] ← alpha·sum, added to beta·row_sums[row] unless beta is 0 (the buffer may hold
 * NaN from an earlier use, as C may). */
inline void gemm_store_row_sum(__global float *row_sums, uint row, float alpha, float sum,
                               float beta)
{
    float value = alpha * sum;
    row_sums[row] = beta == 0.0f ? value : value + beta * row_sums[row];
}
