/* Definitions shared by every kernel file. The host concatenates this file first.
 *
 * Layout: a batch of B samples is held as the columns of a row-major matrix, so unit u of sample b
 * lives at [u*B + b] (the slides' notation: Z = W·A_prev with samples as columns). */

/* Activation codes; they equal clprop_activation in include/clprop.h. */
#define ACT_SIGMOID 0
#define ACT_LINEAR 1
#define ACT_SOFTMAX 2

/* Loss codes; they equal clprop_loss. */
#define LOSS_MSE 0
#define LOSS_CROSS_ENTROPY 1

inline float activate(int activation, float z)
{
    switch (activation) {
    case ACT_SIGMOID:
        return 1.0f / (1.0f + exp(-z));
    default:
        return z;
    }
}

/* f'(z) written in terms of a = f(z): every activation we offer allows it, and it saves keeping z
 * alive for the backward pass. */
inline float derivative_from_output(int activation, float a)
{
    switch (activation) {
    case ACT_SIGMOID:
        return a * (1.0f - a);
    default:
        return 1.0f;
    }
}
