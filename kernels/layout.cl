/* Moving batches between the API's sample-major layout and the device's samples-as-columns one. */

/* columns (units × B) ← samples (B × units), starting at sample `first` of the source. */
__kernel void samples_to_columns(__global float *columns, __global const float *samples,
                                 uint first, uint units, uint batch)
{
    uint b = get_global_id(0);
    uint u = get_global_id(1);
    if (b >= batch || u >= units)
        return;
    columns[(size_t)u * batch + b] = samples[(size_t)(first + b) * units + u];
}

/* samples (B × units) ← columns (units × B). */
__kernel void columns_to_samples(__global float *samples, __global const float *columns,
                                 uint units, uint batch)
{
    uint u = get_global_id(0);
    uint b = get_global_id(1);
    if (b >= batch || u >= units)
        return;
    samples[(size_t)b * units + u] = columns[(size_t)u * batch + b];
}

/* The epoch's shuffle is an index gather from a data set held sample-major on the device, with no
 * copy of the data set: the samples order[first .. first+B−1] go to the batch, their inputs as
 * rows (B × inputs: the first layer's products take X as it is, W·Xᵀ forward and δ·X for the
 * gradient) and their targets as columns (outputs × B), in one launch. A data set stored as bytes
 * (IDX pixels) takes a quarter of the memory and of the traffic; byte / 255 is IEEE division, as
 * the host's loader computes it, so both agree exactly.
 *
 * Work-item (i, b) of sample b takes `groups_per_item` groups of a row from group i·groups_per_item
 * on: a group is sixteen inputs as vectors (the last group of a row one at a time), and the group
 * past the inputs, when there are targets, the sample's targets (a few). A GPU takes one group a
 * work-item (neighbouring work-items read neighbouring bytes); the CPU family's devices (whose
 * work-items are loop iterations on a core) the whole row, since
 * PoCL spends a few ns on every work-item and a group is only 16 values (a group a work-item, the
 * gather of a batch of 1024 Fashion-MNIST images took 0.23-0.5 ms, a row a work-item 0.09-0.14). */
/* GATHER_WIDTH, the inputs a group takes, from the host's contract: two float8. */
#if GATHER_WIDTH != 16
#error "a gather group takes its inputs as two float8"
#endif
#define GATHER_KERNEL(NAME, SAMPLE_TYPE, CONVERT8, CONVERT)                                       \
    __kernel void NAME(__global float *rows, __global const SAMPLE_TYPE *samples,                  \
                       __global float *columns, __global const float *targets,                     \
                       __global const uint *order, uint first, uint inputs, uint outputs,          \
                       uint batch, uint groups_per_item)                                           \
    {                                                                                              \
        uint b = get_global_id(1);                                                                 \
        uint input_groups = (inputs + GATHER_WIDTH - 1) / GATHER_WIDTH;                            \
        uint groups = input_groups + (outputs > 0);                                                \
        uint group = get_global_id(0) * groups_per_item;                                           \
        uint end = min(group + groups_per_item, groups);                                           \
        if (b >= batch)                                                                            \
            return;                                                                                \
        size_t sample = order[first + b];                                                          \
        __global const SAMPLE_TYPE *row = samples + sample * inputs;                               \
        __global float *to = rows + (size_t)b * inputs;                                            \
        for (; group < end && (group + 1) * GATHER_WIDTH <= inputs; group++) {                     \
            uint u0 = group * GATHER_WIDTH; /* float8: see gemm_cpu.cl */                          \
            vstore8(CONVERT8(vload8(0, row + u0)), 0, to + u0);                                    \
            vstore8(CONVERT8(vload8(1, row + u0)), 1, to + u0);                                    \
        }                                                                                          \
        if (group < end && group < input_groups) { /* the row's last, partial group */            \
            for (uint u = group * GATHER_WIDTH; u < inputs; u++)                                   \
                to[u] = CONVERT(row[u]);                                                           \
            group++;                                                                               \
        }                                                                                          \
        if (group < end) /* the targets */                                                         \
            for (uint u = 0; u < outputs; u++)                                                     \
                columns[(size_t)u * batch + b] = targets[sample * outputs + u];                    \
    }

#define AS_FLOAT(value) (value)
#define FROM_BYTES(value) (convert_float8(value) / 255.0f)
#define FROM_BYTE(value) ((float)(value) / 255.0f)

GATHER_KERNEL(gather_batch, float, AS_FLOAT, AS_FLOAT)
GATHER_KERNEL(gather_byte_batch, uchar, FROM_BYTES, FROM_BYTE)
