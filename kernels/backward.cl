/* Deltas, losses and gradients of the backward pass. */

/* Output delta. Squared error: δ = (y − t)·f′(z). Softmax with cross-entropy: δ = y − t. One body
 * for one value (the kernel of its own) and for eight (sample_loss, which can write it in the same
 * pass). */
#define DEFINE_OUTPUT_DELTA(NAME, T, DERIVATIVE)                                                   \
    inline T NAME(T y, T t, int activation, int loss)                                              \
    {                                                                                              \
        T error = y - t;                                                                           \
        return loss == LOSS_CROSS_ENTROPY ? error : error * DERIVATIVE(activation, y);             \
    }
DEFINE_OUTPUT_DELTA(output_delta_of, float, derivative_from_output)
DEFINE_OUTPUT_DELTA(output_delta8_of, float8, derivative8_from_output)

__kernel void output_delta(__global float *delta, __global const float *y,
                           __global const float *t, int activation, int loss, uint units,
                           uint batch)
{
    uint b = get_global_id(0);
    uint u = get_global_id(1);
    if (b >= batch || u >= units)
        return;
    size_t at = (size_t)u * batch + b;
    delta[at] = output_delta_of(y[at], t[at], activation, loss);
}

/* Hidden delta, after the GEMM δ = W_nextᵀ·δ_next: multiply by f′(z) in place (and with `masked`
 * by dropout's mask and scale, as the product's epilogue does). Eight samples of one unit a
 * work-item, as in bias_activate. */
__kernel void scale_by_derivative(__global float *delta, __global float *a, int activation,
                                  uint units, uint batch, int masked, uint8 dropout)
{
    uint b0 = get_global_id(0) * ITEM_WIDTH;
    uint u = get_global_id(1);
    if (b0 >= batch || u >= units)
        return;
    size_t at = (size_t)u * batch + b0;
    int epilogue = EPILOGUE_DERIVATIVE | (masked ? EPILOGUE_DROPOUT : 0);
    if (b0 + ITEM_WIDTH <= batch) {
        float8 value = vload8(0, delta + at);
        vstore8(gemm_finish8(value, epilogue, NULL, a, activation, dropout, u, b0, at), 0,
                delta + at);
        return;
    }
    for (uint b = 0; b < batch - b0; b++)
        delta[at + b] = gemm_finish(delta[at + b], epilogue, NULL, a, activation, dropout, u,
                                    b0 + b, at + b);
}

/* Per-sample figures of a batch, written at [first + b] so that a whole epoch accumulates on the
 * device and the host reads it once. Sums run over units in a fixed order, so they reproduce.
 * loss_out: E_b — squared error ½·Σ(y − t)², or cross-entropy −Σ t·log y (t = 0 adds nothing).
 * squared_out: Σ(y − t)², for FANN's MSE. correct_out: 1 when argmax y = argmax t (the first
 * largest), else 0. A training pass sets with_delta and gets the output delta too (as
 * output_delta computes it): one launch a step instead of two. A softmax output comes here as z
 * (the forward product adds the bias as it stores, but a softmax needs a whole column):
 * softmax_from_z makes y from it first, as bias_softmax would, so the forward pass needs no launch
 * of its own for it. Eight samples a work-item, as float8 (load_samples8): a sample at a time, the
 * exp and log of a column ran one value at a time, and this launch took 28-49 us of a 1 ms
 * batch-256 step (11 us now). */
inline void sample_figures8(__global float *loss_out, __global float *squared_out,
                            __global float *correct_out, uint first, __global float *y,
                            __global const float *t, int loss, uint units, uint batch,
                            __global float *delta, int activation, int with_delta, uint b0,
                            uint valid)
{
    float8 total = (float8)(0.0f), squared = (float8)(0.0f);
    float8 largest_y = (float8)(0.0f), largest_t = (float8)(0.0f); /* unit 0's, set below */
    int8 largest_y_at = (int8)(0), largest_t_at = (int8)(0);
    for (uint u = 0; u < units; u++) {
        size_t row = (size_t)u * batch;
        float8 y_u = load_samples8(y + row, b0, valid), t_u = load_samples8(t + row, b0, valid);
        float8 error = y_u - t_u;
        squared += error * error;
        if (with_delta)
            store_samples8(output_delta8_of(y_u, t_u, activation, loss), delta + row, b0, valid);
        if (loss == LOSS_CROSS_ENTROPY) /* t = 0 subtracts nothing: x − 0 is x */
            total -= select((float8)(0.0f), t_u * log(fmax(y_u, FLT_MIN)), t_u != 0.0f);
        if (u == 0) {
            largest_y = y_u;
            largest_t = t_u;
            continue;
        }
        int8 above_y = y_u > largest_y, above_t = t_u > largest_t;
        largest_y = select(largest_y, y_u, above_y);
        largest_y_at = select(largest_y_at, (int8)(u), above_y);
        largest_t = select(largest_t, t_u, above_t);
        largest_t_at = select(largest_t_at, (int8)(u), above_t);
    }
    store_samples8(loss == LOSS_CROSS_ENTROPY ? total : 0.5f * squared, loss_out + first, b0,
                   valid);
    store_samples8(squared, squared_out + first, b0, valid);
    store_samples8(select((float8)(0.0f), (float8)(1.0f), largest_y_at == largest_t_at),
                   correct_out + first, b0, valid);
}

__kernel void sample_loss(__global float *loss_out, __global float *squared_out,
                          __global float *correct_out, uint first, __global float *y,
                          __global const float *t, int loss, uint units, uint batch,
                          __global float *delta, int activation, int with_delta,
                          __global float *z, int softmax_from_z)
{
    uint b0 = get_global_id(0) * ITEM_WIDTH;
    if (b0 >= batch)
        return;
    uint valid = min((uint)ITEM_WIDTH, batch - b0);
    if (softmax_from_z)
        softmax8(z, y, z, 0, units, batch, b0, valid);
    sample_figures8(loss_out, squared_out, correct_out, first, y, t, loss, units, batch, delta,
                    activation, with_delta, b0, valid);
}

/* ---- The output layer's step in one launch ---------------------------------------------------
 * On CPU devices a small output layer's products (10 × 128 for Fashion-MNIST) are below the cost
 * of a launch, so the forward product of the output layer, its activation, the figures and the
 * output delta, and the delta of the layer below go in one launch (host/net_pass.c decides), with
 * eight samples a work-item as above. Each product sums in the order the GEMMs do (fma over K from
 * 0, then the bias; the derivative's epilogue after it), so the floats are the same as theirs. */

/* Always inlined, its loops over the rows unrolled: the sums then stay in registers (as the CPU
 * GEMM's tiles, gemm_cpu.cl), and a whole group of eight samples (`full`, a constant where the
 * kernel calls it) loads each row of values as one vector. */
#if defined(__clang__)
#define OUTPUT_INLINE inline __attribute__((always_inline))
#else
#define OUTPUT_INLINE inline
#endif

/* Rows r0 .. r0+OUTPUT_ROWS−1 of a product over eight samples: row r of `rows` (a row stride
 * `stride` apart, K's steps `step` apart), times the K values of each sample at `values` (a unit's
 * samples a row of `batch`), summed over K in order. Rows past `count` repeat the last one and are
 * not used. Eight rows: eight independent sums a step (four ran the step 10-20 % slower). */
#define OUTPUT_ROWS 8
OUTPUT_INLINE void output_rows8(float8 sums[OUTPUT_ROWS], __global const float *rows, uint stride,
                                uint step, uint r0, uint count, uint k,
                                __global const float *values, uint batch, uint b0, uint valid,
                                const int full)
{
    __global const float *row[OUTPUT_ROWS];
#pragma unroll
    for (uint i = 0; i < OUTPUT_ROWS; i++) {
        row[i] = rows + (size_t)min(r0 + i, count - 1) * stride;
        sums[i] = (float8)(0.0f);
    }
    for (uint p = 0; p < k; p++) {
        __global const float *line = values + (size_t)p * batch;
        float8 value = full ? vload8(0, line + b0) : load_samples8(line, b0, valid);
#pragma unroll
        for (uint i = 0; i < OUTPUT_ROWS; i++)
            sums[i] = fma((float8)(row[i][(size_t)p * step]), value, sums[i]);
    }
}

/* z = W·a_prev (+ bias), y = f(z) or the softmax, for eight samples. */
OUTPUT_INLINE void output_forward8(__global float *z, __global float *y, __global const float *w,
                                   __global const float *bias, int has_bias,
                                   __global const float *a_prev, uint units, uint inputs,
                                   uint batch, int activation, uint b0, uint valid, const int full)
{
    for (uint o0 = 0; o0 < units; o0 += OUTPUT_ROWS) {
        float8 sums[OUTPUT_ROWS];
        output_rows8(sums, w, inputs, 1, o0, units, inputs, a_prev, batch, b0, valid, full);
        for (uint i = 0; i < OUTPUT_ROWS && o0 + i < units; i++) {
            size_t row = (size_t)(o0 + i) * batch;
            float8 value = has_bias ? sums[i] + bias[o0 + i] : sums[i];
            store_samples8(value, z + row, b0, valid);
            if (activation != ACT_SOFTMAX)
                store_samples8(activate8(activation, value), y + row, b0, valid);
        }
    }
    if (activation == ACT_SOFTMAX)
        softmax8(z, y, z, 0, units, batch, b0, valid);
}

/* δ_prev = Wᵀ·δ times f′ of the layer below (and its dropout mask: `epilogue` holds
 * EPILOGUE_DERIVATIVE and perhaps EPILOGUE_DROPOUT), for eight samples. */
OUTPUT_INLINE void output_hidden_delta8(__global float *hidden_delta, __global const float *w,
                                        __global const float *delta,
                                        __global const float *a_prev, int prev_activation,
                                        int epilogue, uint8 dropout, uint units, uint inputs,
                                        uint batch, uint b0, uint valid, const int full)
{
    for (uint h0 = 0; h0 < inputs; h0 += OUTPUT_ROWS) {
        float8 sums[OUTPUT_ROWS];
        output_rows8(sums, w, 1, inputs, h0, inputs, units, delta, batch, b0, valid, full);
        for (uint i = 0; i < OUTPUT_ROWS && h0 + i < inputs; i++) {
            size_t row = (size_t)(h0 + i) * batch;
            float8 a = load_samples8(a_prev + row, b0, valid);
            store_samples8(
                gemm_derivative8(sums[i], a, epilogue, prev_activation, dropout, h0 + i, b0),
                hidden_delta + row, b0, valid);
        }
    }
}

/* The figures at [first + b] as sample_loss; delta when with_delta; hidden_delta (the layer
 * below's) when with_hidden_delta, from a_prev = its output and its activation. */
__kernel void output_step(__global float *loss_out, __global float *squared_out,
                          __global float *correct_out, uint first, __global float *z,
                          __global float *y, __global const float *t, __global const float *w,
                          __global const float *bias, int has_bias, __global const float *a_prev,
                          uint units, uint inputs, uint batch, int activation, int loss,
                          __global float *delta, int with_delta, __global float *hidden_delta,
                          int with_hidden_delta, int prev_activation, int hidden_epilogue,
                          uint8 dropout)
{
    uint b0 = get_global_id(0) * ITEM_WIDTH;
    if (b0 >= batch)
        return;
    uint valid = min((uint)ITEM_WIDTH, batch - b0);
    if (valid == ITEM_WIDTH)
        output_forward8(z, y, w, bias, has_bias, a_prev, units, inputs, batch, activation, b0,
                        valid, 1);
    else
        output_forward8(z, y, w, bias, has_bias, a_prev, units, inputs, batch, activation, b0,
                        valid, 0);
    sample_figures8(loss_out, squared_out, correct_out, first, y, t, loss, units, batch, delta,
                    activation, with_delta, b0, valid);
    if (!with_hidden_delta)
        return;
    if (valid == ITEM_WIDTH)
        output_hidden_delta8(hidden_delta, w, delta, a_prev, prev_activation, hidden_epilogue,
                             dropout, units, inputs, batch, b0, valid, 1);
    else
        output_hidden_delta8(hidden_delta, w, delta, a_prev, prev_activation, hidden_epilogue,
                             dropout, units, inputs, batch, b0, valid, 0);
}

/* Bias gradient Σ_b δ[u, b]: one work-item per unit. Eight running sums, over samples b ≡ 0..7
 * (mod 8), the tail past the last eight summed apart, then the eight added pairwise and the tail
 * last: a fixed order, so it reproduces, and eight independent additions per step instead of one
 * long chain. */
__kernel void bias_gradient(__global float *gradient, __global const float *delta, uint units,
                            uint batch)
{
    uint u = get_global_id(0);
    if (u >= units)
        return;
    __global const float *row = delta + (size_t)u * batch;
    float8 sums = (float8)(0.0f);
    uint b = 0;
    for (; b + 8 <= batch; b += 8)
        sums += vload8(0, row + b);
    float total = 0.0f;
    for (; b < batch; b++)
        total += row[b];
    float4 pairs = sums.lo + sums.hi;
    gradient[u] = total + ((pairs.x + pairs.y) + (pairs.z + pairs.w));
}
