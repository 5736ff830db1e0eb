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

/* The softmax of eight samples side by side (load_samples8: `valid` of them exist), stable:
 * exp(z − max z) over each sample's units; z gets the bias added when has_bias. A unit's values of
 * consecutive samples lie next to each other, so each step over the units is one vector. */
inline void softmax8(__global float *z, __global float *a, __global const float *bias,
                     int has_bias, uint units, uint batch, uint b0, uint valid)
{
    float8 largest = (float8)(-INFINITY);
    for (uint u = 0; u < units; u++) {
        __global float *row = z + (size_t)u * batch;
        float8 value = load_samples8(row, b0, valid) + (has_bias ? bias[u] : 0.0f);
        if (has_bias)
            store_samples8(value, row, b0, valid);
        largest = fmax(largest, value);
    }
    float8 total = (float8)(0.0f);
    for (uint u = 0; u < units; u++) {
        size_t row = (size_t)u * batch;
        float8 e = exp(load_samples8(z + row, b0, valid) - largest);
        store_samples8(e, a + row, b0, valid);
        total += e;
    }
    for (uint u = 0; u < units; u++) {
        __global float *row = a + (size_t)u * batch;
        store_samples8(load_samples8(row, b0, valid) / total, row, b0, valid);
    }
}

__kernel void bias_softmax(__global float *z, __global float *a, __global const float *bias,
                           int has_bias, uint units, uint batch)
{
    uint b0 = get_global_id(0) * ITEM_WIDTH;
    if (b0 < batch)
        softmax8(z, a, bias, has_bias, units, batch, b0, min((uint)ITEM_WIDTH, batch - b0));
}
