#include "kernel_contract.h"

#include <stdio.h>

#include "clprop.h"

/* Every integer the kernels share with the host, under the name the kernels use. */
static const struct {
    const char *name;
    int value;
} integers[] = {
    {"ACT_SIGMOID", CLPROP_ACTIVATION_SIGMOID},
    {"ACT_LINEAR", CLPROP_ACTIVATION_LINEAR},
    {"ACT_SOFTMAX", CLPROP_ACTIVATION_SOFTMAX},
    {"ACT_TANH", CLPROP_ACTIVATION_TANH},
    {"ACT_RELU", CLPROP_ACTIVATION_RELU},
    {"ACT_LEAKY_RELU", CLPROP_ACTIVATION_LEAKY_RELU},
    {"LOSS_MSE", CLPROP_LOSS_MSE},
    {"LOSS_CROSS_ENTROPY", CLPROP_LOSS_CROSS_ENTROPY},
    {"ITEM_WIDTH", CLPROP_ITEM_WIDTH},
    {"GEMM_TILE_M", CLPROP_GEMM_TILE_M},
    {"GEMM_TILE_N", CLPROP_GEMM_TILE_N},
    {"GATHER_WIDTH", CLPROP_GATHER_WIDTH},
    {"EPILOGUE_BIAS", CLPROP_EPILOGUE_BIAS},
    {"EPILOGUE_ACTIVATE", CLPROP_EPILOGUE_ACTIVATE},
    {"EPILOGUE_DERIVATIVE", CLPROP_EPILOGUE_DERIVATIVE},
    {"EPILOGUE_ROW_SUMS", CLPROP_EPILOGUE_ROW_SUMS},
    {"EPILOGUE_DROPOUT", CLPROP_EPILOGUE_DROPOUT},
};

int clprop_kernel_contract_options(char *out, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < sizeof integers / sizeof *integers; i++) {
        int written = snprintf(out + used, size > used ? size - used : 0, "-D%s=%d ",
                               integers[i].name, integers[i].value);
        used += written > 0 ? (size_t)written : 0;
    }
    /* nine significant digits: the float the kernels read is the host's to the last bit */
    int written = snprintf(out + used, size > used ? size - used : 0, "-DLEAKY_SLOPE=%.9gf",
                           (double)CLPROP_LEAKY_RELU_SLOPE);
    return (int)used + (written > 0 ? written : 0);
}
