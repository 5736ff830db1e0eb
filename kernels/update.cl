/* Parameter updates. */

/* Gradient descent: w ← w − scale·g, with scale = learning rate / batch. */
__kernel void sgd_update(__global float *w, __global const float *g, float scale, uint count)
{
    uint i = get_global_id(0);
    if (i >= count)
        return;
    w[i] -= scale * g[i];
}
