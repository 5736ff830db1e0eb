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
