/* The text names of activations and losses, as the command line and the model files spell them. */
#include "clprop.h"

const char *clprop_activation_name(clprop_activation activation)
{
    switch (activation) {
    case CLPROP_ACTIVATION_SIGMOID:
        return "sigmoid";
    case CLPROP_ACTIVATION_LINEAR:
        return "linear";
    case CLPROP_ACTIVATION_SOFTMAX:
        return "softmax";
    default:
        return NULL;
    }
}

const char *clprop_loss_name(clprop_loss loss)
{
    switch (loss) {
    case CLPROP_LOSS_MSE:
        return "mse";
    case CLPROP_LOSS_CROSS_ENTROPY:
        return "ce";
    default:
        return NULL;
    }
}
