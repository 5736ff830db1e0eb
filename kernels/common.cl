/* Definitions shared by every kernel file. The host concatenates this file first.
 *
 * Layout: a batch of B samples is held as the columns of a row-major matrix, so unit u of sample b
 * lives at [u*B + b] (the slides' notation: Z = W·A_prev with samples as columns). */

/* Activation codes; they equal clprop_activation in include/clprop.h. */
#define ACT_SIGMOID 0
#define ACT_LINEAR 1
#define ACT_SOFTMAX 2
#define ACT_TANH 3
#define ACT_RELU 4
#define ACT_LEAKY_RELU 5

/* The leaky ReLU's slope below zero (the host's reference uses the same). */
#define LEAKY_SLOPE 0.01f

/* Loss codes; they equal clprop_loss. */
#define LOSS_MSE 0
#define LOSS_CROSS_ENTROPY 1

inline float activate(int activation, float z)
{
    switch (activation) {
    case ACT_SIGMOID:
        return 1.0f / (1.0f + exp(-z));
    case ACT_TANH:
        return tanh(z);
    case ACT_RELU:
        return fmax(z, 0.0f);
    case ACT_LEAKY_RELU:
        return z > 0.0f ? z : LEAKY_SLOPE * z;
    default:
        return z;
    }
}

/* The same on eight values at once. Written for vectors rather than left to PoCL's vectorizer,
 * which keeps exp a call per work-item: the sigmoid of a whole layer then cost ~7 ns a value. */
inline float8 activate8(int activation, float8 z)
{
    switch (activation) {
    case ACT_SIGMOID:
        return 1.0f / (1.0f + exp(-z));
    case ACT_TANH:
        return tanh(z);
    case ACT_RELU:
        return fmax(z, 0.0f);
    case ACT_LEAKY_RELU:
        return select(LEAKY_SLOPE * z, z, z > 0.0f);
    default:
        return z;
    }
}

/* The same on eight values at once. */
inline float8 derivative8_from_output(int activation, float8 a)
{
    switch (activation) {
    case ACT_SIGMOID:
        return a * (1.0f - a);
    case ACT_TANH:
        return 1.0f - a * a;
    case ACT_RELU:
        return select((float8)(0.0f), (float8)(1.0f), a > 0.0f);
    case ACT_LEAKY_RELU:
        return select((float8)(LEAKY_SLOPE), (float8)(1.0f), a > 0.0f);
    default:
        return (float8)(1.0f);
    }
}

/* f'(z) written in terms of a = f(z): every activation we offer allows it, and it saves keeping z
 * alive for the backward pass. */
inline float derivative_from_output(int activation, float a)
{
    switch (activation) {
    case ACT_SIGMOID:
        return a * (1.0f - a);
    case ACT_TANH:
        return 1.0f - a * a;
    case ACT_RELU:
        return a > 0.0f ? 1.0f : 0.0f;
    case ACT_LEAKY_RELU: /* a > 0 exactly when z > 0 */
        return a > 0.0f ? 1.0f : LEAKY_SLOPE;
    default:
        return 1.0f;
    }
}
