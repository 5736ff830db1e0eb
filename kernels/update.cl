/* Parameter updates. g holds the batch's summed gradient; grad_scale (1/batch) turns it into the
 * mean. weight_decay λ adds λw to the gradient (Adam applies it decoupled, as AdamW). */

/* Eight parameters a work-item, as vectors, and the tail of the last one at a time: one value a
 * work-item left PoCL at ~1.4 ns a weight. BODY(T, LOAD, STORE) is the update of one T (float8 or
 * float); LOAD(p) and STORE(p, x) reach parameter i of array p. */
#define LOAD8(p) vload8(0, (p) + i0)
#define STORE8(p, x) vstore8((x), 0, (p) + i0)
#define LOAD1(p) (p)[i]
#define STORE1(p, x) ((p)[i] = (x))
#define UPDATE_EIGHT_AT_A_TIME(BODY)                                                               \
    uint i0 = get_global_id(0) * ITEM_WIDTH;                                                       \
    if (i0 >= count)                                                                               \
        return;                                                                                    \
    if (i0 + ITEM_WIDTH <= count) {                                                                \
        BODY(float8, LOAD8, STORE8)                                                                \
        return;                                                                                    \
    }                                                                                              \
    for (uint i = i0; i < count; i++) {                                                            \
        BODY(float, LOAD1, STORE1)                                                                 \
    }

/* Gradient descent: w ← w − rate·(g + λw). */
#define SGD_STEP(T, LOAD, STORE)                                                                   \
    T weight = LOAD(w);                                                                            \
    T gradient = LOAD(g) * grad_scale + weight_decay * weight;                                     \
    STORE(w, weight - rate * gradient);

__kernel void sgd_update(__global float *w, __global const float *g, float grad_scale, float rate,
                         float weight_decay, uint count)
{
    UPDATE_EIGHT_AT_A_TIME(SGD_STEP)
}

/* Momentum: v ← μv + g + λw; w ← w − rate·v, or with Nesterov w ← w − rate·(g + λw + μv). */
#define MOMENTUM_STEP(T, LOAD, STORE)                                                              \
    T weight = LOAD(w);                                                                            \
    T gradient = LOAD(g) * grad_scale + weight_decay * weight;                                     \
    T v = momentum * LOAD(velocity) + gradient;                                                    \
    STORE(velocity, v);                                                                            \
    STORE(w, weight - rate * (nesterov ? gradient + momentum * v : v));

__kernel void momentum_update(__global float *w, __global const float *g, __global float *velocity,
                              float grad_scale, float rate, float weight_decay, float momentum,
                              int nesterov, uint count)
{
    UPDATE_EIGHT_AT_A_TIME(MOMENTUM_STEP)
}

/* Adam with decoupled weight decay. correction1 = 1/(1 − β1ᵗ), correction2 = 1/(1 − β2ᵗ),
 * worked out on the host in double for this step t. */
#define ADAM_STEP(T, LOAD, STORE)                                                                  \
    T gradient = LOAD(g) * grad_scale;                                                             \
    T m = beta1 * LOAD(first) + (1.0f - beta1) * gradient;                                         \
    T v = beta2 * LOAD(second) + (1.0f - beta2) * gradient * gradient;                             \
    STORE(first, m);                                                                               \
    STORE(second, v);                                                                              \
    T weight = LOAD(w);                                                                            \
    STORE(w, weight - rate * (m * correction1 / (sqrt(v * correction2) + epsilon) +                \
                              weight_decay * weight));

__kernel void adam_update(__global float *w, __global const float *g, __global float *first,
                          __global float *second, float grad_scale, float rate, float weight_decay,
                          float beta1, float beta2, float epsilon, float correction1,
                          float correction2, uint count)
{
    UPDATE_EIGHT_AT_A_TIME(ADAM_STEP)
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
