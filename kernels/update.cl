/* Parameter updates. g holds the batch's summed gradient; grad_scale (1/batch) turns it into the
 * mean. weight_decay λ adds λw to the gradient (Adam applies it decoupled, as AdamW). */

/* Gradient descent: w ← w − rate·(g + λw). */
__kernel void sgd_update(__global float *w, __global const float *g, float grad_scale, float rate,
                         float weight_decay, uint count)
{
    uint i = get_global_id(0);
    if (i >= count)
        return;
    float gradient = g[i] * grad_scale + weight_decay * w[i];
    w[i] -= rate * gradient;
}

/* Momentum: v ← μv + g + λw; w ← w − rate·v, or with Nesterov w ← w − rate·(g + λw + μv). */
__kernel void momentum_update(__global float *w, __global const float *g, __global float *velocity,
                              float grad_scale, float rate, float weight_decay, float momentum,
                              int nesterov, uint count)
{
    uint i = get_global_id(0);
    if (i >= count)
        return;
    float gradient = g[i] * grad_scale + weight_decay * w[i];
    float v = momentum * velocity[i] + gradient;
    velocity[i] = v;
    w[i] -= rate * (nesterov ? gradient + momentum * v : v);
}

/* Adam with decoupled weight decay. correction1 = 1/(1 − β1ᵗ), correction2 = 1/(1 − β2ᵗ), worked out
 * on the host in double for this step t. */
__kernel void adam_update(__global float *w, __global const float *g, __global float *first,
                          __global float *second, float grad_scale, float rate, float weight_decay,
                          float beta1, float beta2, float epsilon, float correction1,
                          float correction2, uint count)
{
    uint i = get_global_id(0);
    if (i >= count)
        return;
    float gradient = g[i] * grad_scale;
    float m = beta1 * first[i] + (1.0f - beta1) * gradient;
    float v = beta2 * second[i] + (1.0f - beta2) * gradient * gradient;
    first[i] = m;
    second[i] = v;
    w[i] -= rate * (m * correction1 / (sqrt(v * correction2) + epsilon) + weight_decay * w[i]);
}

/* iRPROP−: each weight has its own step. Same gradient sign as last time: grow the step (×η+, up
 * to step_max) and move against the gradient. Opposite sign: shrink the step (×η−, down to
 * step_min), do not move, and forget the gradient so the next step moves. No sign: move. */
__kernel void rprop_update(__global float *w, __global const float *g, __global float *step,
                           __global float *previous, float grad_scale, float weight_decay,
                           float eta_plus, float eta_minus, float step_min, float step_max,
                           uint count)
{
    uint i = get_global_id(0);
    if (i >= count)
        return;
    float gradient = g[i] * grad_scale + weight_decay * w[i];
    float agreement = previous[i] * gradient;
    float size = step[i];
    if (agreement > 0.0f) {
        size = fmin(size * eta_plus, step_max);
    } else if (agreement < 0.0f) {
        size = fmax(size * eta_minus, step_min);
        gradient = 0.0f;
    }
    w[i] -= sign(gradient) * size;
    step[i] = size;
    previous[i] = gradient;
}
