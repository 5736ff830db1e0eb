/* The text names of activations, losses and weight initialisations, as the command line and the model files spell them. */
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
    case CLPROP_ACTIVATION_TANH:
        return "tanh";
    case CLPROP_ACTIVATION_RELU:
        return "relu";
    case CLPROP_ACTIVATION_LEAKY_RELU:
        return "leaky-relu";
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

const char *clprop_weight_init_name(clprop_weight_init init)
{
    switch (init) {
    case CLPROP_INIT_AUTO:
        return "auto";
    case CLPROP_INIT_GLOROT:
        return "glorot";
    case CLPROP_INIT_HE:
        return "he";
    default:
        return NULL;
    }
}
