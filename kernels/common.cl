/* Definitions shared by every kernel file. The host concatenates this file first.
 *
 * Layout: a batch of B samples is held as the columns of a row-major matrix, so unit u of sample b
 * lives at [u*B + b] (the slides' notation: Z = W·A_prev with samples as columns). */

/* The host passes the codes and constants both sides use as -D definitions, from one table
 * (host/kernel_contract.c): ACT_* (clprop_activation), LOSS_* (clprop_loss), LEAKY_SLOPE, and
 * ITEM_WIDTH, the values an element-wise work-item takes — one float8. */
#if !defined(ACT_SIGMOID) || !defined(LOSS_CROSS_ENTROPY) || !defined(LEAKY_SLOPE) ||             \
    !defined(ITEM_WIDTH)
#error "kernels are built with the host's definitions (host/kernel_contract.c)"
#endif
#if ITEM_WIDTH != 8
#error "the element-wise kernels take their values as float8"
#endif

/* f(z), and f'(z) written in terms of a = f(z) (every activation we offer allows it, and it saves
 * keeping z alive for the backward pass), each for one value and for eight (OpenCL vectors:
 * PoCL computes a call like exp once per work-item, so the kernels that apply them to a layer take
 * eight values a work-item). One body serves both types so that they cannot drift apart; select()
 * reads a comparison's result alike for a float (0 or 1) and a float8 (0 or −1 per lane). */
#define DEFINE_ACTIVATE(NAME, T)                                                                   \
    inline T NAME(int activation, T z)                                                             \
    {                                                                                              \
        switch (activation) {                                                                      \
        case ACT_SIGMOID:                                                                          \
            return 1.0f / (1.0f + exp(-z));                                                        \
        case ACT_TANH:                                                                             \
            return tanh(z);                                                                        \
        case ACT_RELU:                                                                             \
            return fmax(z, 0.0f);                                                                  \
        case ACT_LEAKY_RELU:                                                                       \
            return select(LEAKY_SLOPE * z, z, z > 0.0f);                                           \
        default:                                                                                   \
            return z;                                                                              \
        }                                                                                          \
    }

/* (For leaky ReLU, a > 0 exactly when z > 0.) */
#define DEFINE_DERIVATIVE_FROM_OUTPUT(NAME, T)                                                     \
    inline T NAME(int activation, T a)                                                             \
    {                                                                                              \
        switch (activation) {                                                                      \
        case ACT_SIGMOID:                                                                          \
            return a * (1.0f - a);                                                                 \
        case ACT_TANH:                                                                             \
            return 1.0f - a * a;                                                                   \
        case ACT_RELU:                                                                             \
            return select((T)(0.0f), (T)(1.0f), a > 0.0f);                                         \
        case ACT_LEAKY_RELU:                                                                       \
            return select((T)(LEAKY_SLOPE), (T)(1.0f), a > 0.0f);                                  \
        default:                                                                                   \
            return (T)(1.0f);                                                                      \
        }                                                                                          \
    }

DEFINE_ACTIVATE(activate, float)
DEFINE_ACTIVATE(activate8, float8)
DEFINE_DERIVATIVE_FROM_OUTPUT(derivative_from_output, float)
DEFINE_DERIVATIVE_FROM_OUTPUT(derivative8_from_output, float8)

/* Dropout's masks (host/dropout.h has the rule and computes the same bits): Philox4x32-10's first
 * word for the counter (c0, c1, c2, c3) and key (k0, k1), for one counter and for eight. */
#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u
#define DEFINE_PHILOX_FIRST(NAME, T)                                                               \
    inline T NAME(T c0, T c1, T c2, T c3, uint k0, uint k1)                                        \
    {                                                                                              \
        for (int round = 0; round < 10; round++) {                                                 \
            T hi0 = mul_hi((T)(PHILOX_M0), c0), lo0 = (T)(PHILOX_M0) * c0;                         \
            T hi1 = mul_hi((T)(PHILOX_M1), c2), lo1 = (T)(PHILOX_M1) * c2;                         \
            c0 = hi1 ^ c1 ^ k0;                                                                    \
            c1 = lo1;                                                                              \
            c2 = hi0 ^ c3 ^ k1;                                                                    \
            c3 = lo0;                                                                              \
            k0 += PHILOX_W0;                                                                       \
            k1 += PHILOX_W1;                                                                       \
        }                                                                                          \
        return c0;                                                                                 \
    }
DEFINE_PHILOX_FIRST(philox_first, uint)
DEFINE_PHILOX_FIRST(philox_first8, uint8)

/* A layer's masks in one pass, as the host packs them (clprop_dropout_kernel_words): s0, s1 the
 * key, s2 the layer, s3 the step, s4 the pass's first sample in its step, s5 the threshold below
 * which a unit is dropped, s6 and s7 the bits of 1 − rate and of the scale 1/(1 − rate). */
inline int dropout_kept(uint8 dropout, uint unit, uint sample)
{
    uint bits = philox_first(dropout.s4 + sample, unit, dropout.s2, dropout.s3, dropout.s0,
                             dropout.s1);
    return bits >= dropout.s5;
}

/* Eight consecutive samples: −1 (kept) or 0 per lane, as select() takes it. */
inline int8 dropout_kept8(uint8 dropout, uint unit, uint sample)
{
    uint8 samples = (uint8)(dropout.s4 + sample) + (uint8)(0, 1, 2, 3, 4, 5, 6, 7);
    uint8 bits = philox_first8(samples, (uint8)(unit), (uint8)(dropout.s2), (uint8)(dropout.s3),
                               dropout.s0, dropout.s1);
    return bits >= (uint8)(dropout.s5);
}

/* A unit's values of eight consecutive samples b0 .. b0+7 of a row, of which `valid` (1 to 8)
 * exist: past the end of the batch the lanes repeat sample b0 + valid − 1 and are never stored.
 * Kernels that work across a column (over the units of a sample) take every sample through these
 * and float8 arithmetic, so that a sample's figures do not depend on where it lies in its batch
 * (the last work-item's samples as much as the others'). */
inline float8 load_samples8(__global const float *row, uint b0, uint valid)
{
    if (valid == ITEM_WIDTH)
        return vload8(0, row + b0);
    float lanes[ITEM_WIDTH];
    for (uint i = 0; i < ITEM_WIDTH; i++)
        lanes[i] = row[b0 + min(i, valid - 1)];
    return vload8(0, lanes);
}

inline void store_samples8(float8 values, __global float *row, uint b0, uint valid)
{
    if (valid == ITEM_WIDTH) {
        vstore8(values, 0, row + b0);
        return;
    }
    float lanes[ITEM_WIDTH];
    vstore8(values, 0, lanes);
    for (uint i = 0; i < valid; i++)
        row[b0 + i] = lanes[i];
}
