/* What the host and the kernels must agree on, in one place: the activation and loss codes (from
 * the public enums), the leaky ReLU's slope, how many values a work-item of the element-wise
 * kernels takes, and the GEMM epilogue's flags. The kernels get each one as a -D definition built
 * from the table in kernel_contract.c, so no kernel file restates a value; kernels/common.cl
 * refuses to compile without them. Launch geometry on the host derives from the same constants. */
#ifndef CLPROP_KERNEL_CONTRACT_H
#define CLPROP_KERNEL_CONTRACT_H

#include <stddef.h>

/* Values (samples or parameters) a work-item of the element-wise kernels takes, as one float8:
 * PoCL computes a call like exp once per work-item, so wide items amortise it. */
#define CLPROP_ITEM_WIDTH 8

/* The portable GEMM's register block per work-item (kernels/gemm.cl). */
#define CLPROP_GEMM_TILE_M 4
#define CLPROP_GEMM_TILE_N 4
/* Inputs a work-item of the batch gather takes, as two float8 (kernels/layout.cl). */
#define CLPROP_GATHER_WIDTH 16

/* Work-items that cover `count` values CLPROP_ITEM_WIDTH at a time. */
static inline size_t clprop_wide_items(size_t count)
{
    return (count + CLPROP_ITEM_WIDTH - 1) / CLPROP_ITEM_WIDTH;
}

/* What a GEMM does with C besides storing it (kernels/gemm_epilogue.cl says each in full), as
 * flags of a launch: the passes around a product fused into its store. */
enum {
    CLPROP_EPILOGUE_BIAS = 1,       /* C += bias, a value per row */
    CLPROP_EPILOGUE_ACTIVATE = 2,   /* other = f(C) */
    CLPROP_EPILOGUE_DERIVATIVE = 4, /* C ⊙= f′, from a = f(z) in other */
    CLPROP_EPILOGUE_ROW_SUMS = 8,   /* row_sums = alpha · the row sums of op(A) */
    CLPROP_EPILOGUE_DROPOUT = 16    /* with ACTIVATE or DERIVATIVE: inverted dropout's mask */
};

/* Writes the -D definitions of the contract ("-DACT_SIGMOID=0 ... -DITEM_WIDTH=8") to out and
 * returns the length written (as snprintf). */
int clprop_kernel_contract_options(char *out, size_t size);

#endif
