/* Forward pass after the GEMM Z = W·A_prev: add the bias and apply the activation in one pass. */

/* z, a: (units × batch). bias: units values, ignored when has_bias is 0. */
__kernel void bias_activate(__global float *z, __global float *a, __global const float *bias,
                            int has_bias, int activation, uint units, uint batch)
{
    uint b = get_global_id(0);
    uint u = get_global_id(1);
    if (b >= batch || u >= units)
        return;
    size_t at = (size_t)u * batch + b;
    float value = z[at] + (has_bias ? bias[u] : 0.0f);
    z[at] = value;
    a[at] = activate(activation, value);
}

/* Softmax over the units of each sample (column), stable: exp(z − max z). */
__kernel void bias_softmax(__global float *z, __global float *a, __global const float *bias,
                           int has_bias, uint units, uint batch)
{
    uint b = get_global_id(0);
    if (b >= batch)
        return;
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
