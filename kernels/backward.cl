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
