/* Forward pass after the GEMM Z = W·A_prev: add the bias and apply the activation in one pass. */

/* z, a: (units × batch). bias: units values, ignored when has_bias is 0. With `masked`, inverted
 * dropout with `dropout`'s masks (gemm_epilogue.cl), as the forward product's epilogue applies it.
 * Each work-item takes eight samples of one unit (the last one of a unit what is left). */
__kernel void bias_activate(__global float *z, __global float *a, __global const float *bias,
                            int has_bias, int activation, uint units, uint batch, int masked,
                            uint8 dropout)
{
    uint b0 = get_global_id(0) * ITEM_WIDTH;
    uint u = get_global_id(1);
    if (b0 >= batch || u >= units)
        return;
    size_t at = (size_t)u * batch + b0;
    float add = has_bias ? bias[u] : 0.0f;
    int epilogue = EPILOGUE_ACTIVATE | (masked ? EPILOGUE_DROPOUT : 0);
    if (b0 + ITEM_WIDTH <= batch) {
        float8 value = vload8(0, z + at) + add;
        vstore8(value, 0, z + at);
        gemm_finish8(value, epilogue, bias, a, activation, dropout, u, b0, at);
        return;
    }
    for (uint b = 0; b < batch - b0; b++) {
        float value = z[at + b] + add;
        z[at + b] = value;
        gemm_finish(value, epilogue, bias, a, activation, dropout, u, b0 + b, at + b);
    }
}

/* Softmax over the units of sample b (column b), stable: exp(z − max z). */
inline void softmax_one(__global float *z, __global float *a, __global const float *bias,
                        int has_bias, uint units, uint batch, uint b)
{
    float largest = -INFINITY;
    for (uint u = 0; u < units; u++) {
        size_t at = (size_t)u * batch + b;
        float value = z[at] + (has_bias ? bias[u] : 0.0f);
        z[at] = value;
        largest = fmax(largest, value);
    }
    float total = 0.0f;
    for (uint u = 0; u < units; u++) {
        size_t at = (size_t)u * batch + b;
        float e = exp(z[at] - largest);
        a[at] = e;
        total += e;
    }
    for (uint u = 0; u < units; u++)
        a[(size_t)u * batch + b] /= total;
}

/* The softmax of eight samples side by side: a unit's values of consecutive samples lie next to
 * each other, so each step over the units is one vector (the last work-item: one at a time). */
__kernel void bias_softmax(__global float *z, __global float *a, __global const float *bias,
                           int has_bias, uint units, uint batch)
{
    uint b0 = get_global_id(0) * ITEM_WIDTH;
    if (b0 >= batch)
        return;
    if (b0 + ITEM_WIDTH > batch) {
        for (uint b = b0; b < batch; b++)
            softmax_one(z, a, bias, has_bias, units, batch, b);
        return;
    }
    float8 largest = (float8)(-INFINITY);
    for (uint u = 0; u < units; u++) {
        __global float *at = z + (size_t)u * batch + b0;
        float8 value = vload8(0, at) + (has_bias ? bias[u] : 0.0f);
        vstore8(value, 0, at);
        largest = fmax(largest, value);
    }
    float8 total = (float8)(0.0f);
    for (uint u = 0; u < units; u++) {
        size_t at = (size_t)u * batch + b0;
        float8 e = exp(vload8(0, z + at) - largest);
        vstore8(e, 0, a + at);
        total += e;
    }
    for (uint u = 0; u < units; u++) {
        __global float *at = a + (size_t)u * batch + b0;
        vstore8(vload8(0, at) / total, 0, at);
    }
}
