/* Deltas, losses and gradients of the backward pass. */

/* Output delta. Squared error: δ = (y − t)·f′(z). Softmax with cross-entropy: δ = y − t. */
__kernel void output_delta(__global float *delta, __global const float *y,
                           __global const float *t, int activation, int loss, uint units,
                           uint batch)
{
    uint b = get_global_id(0);
    uint u = get_global_id(1);
    if (b >= batch || u >= units)
        return;
    size_t at = (size_t)u * batch + b;
    float error = y[at] - t[at];
    delta[at] = loss == LOSS_CROSS_ENTROPY ? error
                                           : error * derivative_from_output(activation, y[at]);
}

/* Hidden delta, after the GEMM δ = W_nextᵀ·δ_next: multiply by f′(z) in place. */
__kernel void scale_by_derivative(__global float *delta, __global const float *a, int activation,
                                  uint units, uint batch)
{
    uint b = get_global_id(0);
    uint u = get_global_id(1);
    if (b >= batch || u >= units)
        return;
    size_t at = (size_t)u * batch + b;
    delta[at] *= derivative_from_output(activation, a[at]);
}

/* Per-sample loss E_b, summed over units in a fixed order so results are reproducible.
 * Squared error: ½·Σ(y − t)². Cross-entropy: −Σ t·log y (terms with t = 0 contribute nothing). */
__kernel void sample_loss(__global float *loss_out, __global const float *y,
                          __global const float *t, int loss, uint units, uint batch)
{
    uint b = get_global_id(0);
    if (b >= batch)
        return;
    float total = 0.0f;
    for (uint u = 0; u < units; u++) {
        size_t at = (size_t)u * batch + b;
        if (loss == LOSS_CROSS_ENTROPY) {
            if (t[at] != 0.0f)
                total -= t[at] * log(fmax(y[at], FLT_MIN));
        } else {
            float error = y[at] - t[at];
            total += 0.5f * error * error;
        }
    }
    loss_out[b] = total;
}

/* Bias gradient Σ_b δ[u, b]: one work-item per unit, summing its row in order. */
__kernel void bias_gradient(__global float *gradient, __global const float *delta, uint units,
                            uint batch)
{
    uint u = get_global_id(0);
    if (u >= units)
        return;
    __global const float *row = delta + (size_t)u * batch;
    float total = 0.0f;
    for (uint b = 0; b < batch; b++)
        total += row[b];
    gradient[u] = total;
}
