/* Scaling of inputs and targets (clprop_scaling): an owned copy that networks and models keep,
 * its checks, measuring it on data, and applying it to rows of values. */
#ifndef CLPROP_SCALING_H
#define CLPROP_SCALING_H

#include <stddef.h>

#include "clprop.h"

/* A scaling a handle owns: the view's arrays point into `values` (NULL when there is none). */
typedef struct clprop_scaling_copy {
    clprop_scaling view;
    float *values;
} clprop_scaling_copy;

/* Non-zero when the copy holds a scaling of either side. */
int clprop_scaling_present(const clprop_scaling_copy *copy);

/* Checks `scaling` for a network from `inputs` to `outputs` units whose output layer is `output`:
 * known kinds, counts equal to the widths (0 for a side without scaling), arrays given, every
 * offset and scale finite, every scale non-zero, no target scaling for a softmax output. Returns
 * 1 when it fits, else 0 with one line in `problem`. */
int clprop_scaling_check(const clprop_scaling *scaling, size_t inputs, size_t outputs,
                         clprop_activation output, char *problem, size_t problem_size);

/* Replaces *copy with a copy of `scaling` (checked; NULL or both sides NONE: none). 0, or -1 when
 * host memory ran out (the copy is then unchanged). */
int clprop_scaling_copy_from(clprop_scaling_copy *copy, const clprop_scaling *scaling);
void clprop_scaling_copy_free(clprop_scaling_copy *copy);

/* Measures offset and scale (width entries each) of a side of `kind` (not NONE) over rows ×
 * width values, in double precision: a constant column gets scale 1. 0, or -1 when host memory
 * ran out. */
int clprop_scaling_measure(clprop_scaling_kind kind, const float *values, size_t rows,
                           size_t width, float *offset, float *scale);

/* out = (in − offset)·scale, per column of rows × width values, in float (in may be out).
 * Returns the index of the first result that is not finite, else rows·width. */
size_t clprop_scaling_apply(const float *offset, const float *scale, const float *in, size_t rows,
                            size_t width, float *out);
/* out = in/scale + offset, the inverse; the same return. */
size_t clprop_scaling_undo(const float *offset, const float *scale, const float *in, size_t rows,
                           size_t width, float *out);

#endif
