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
 * copy of the data set: the samples order[first .. first+B−1] go to the batch either as columns
 * (units × B, for the targets) or as rows (B × units, for the inputs X, which the first layer's
 * products take as they are: W·Xᵀ forward, δ·X for the gradient). A data set stored as bytes
 * (IDX pixels) takes a quarter of the memory and of the traffic; byte / 255 is IEEE division, as
 * the host's loader computes it, so both agree exactly.
 *
 * Columns: one value a work-item, the batch index on dimension 0 so that neighbouring work-items
 * write neighbouring addresses (a target has few units). */
__kernel void gather_columns(__global float *out, __global const float *samples,
                             __global const uint *order, uint first, uint units, uint batch)
{
    uint b = get_global_id(0);
    uint u = get_global_id(1);
    if (b >= batch || u >= units)
        return;
    out[(size_t)u * batch + b] = samples[(size_t)order[first + b] * units + u];
}

/* Rows: sixteen units of one sample a work-item, as vectors (the last of a row one at a time):
 * an input has hundreds of units, and a value a work-item left PoCL at 2 ns a value. */
#define GATHER_ROWS_KERNEL(NAME, SAMPLE_TYPE, CONVERT16, CONVERT)                                 \
    __kernel void NAME(__global float *out, __global const SAMPLE_TYPE *samples,                   \
                       __global const uint *order, uint first, uint units, uint batch)           \
    {                                                                                              \
        uint u0 = get_global_id(0) * 16;                                                           \
        uint b = get_global_id(1);                                                                 \
        if (b >= batch || u0 >= units)                                                             \
            return;                                                                                \
        __global const SAMPLE_TYPE *from = samples + (size_t)order[first + b] * units + u0;       \
        __global float *to = out + (size_t)b * units + u0;                                         \
        if (u0 + 16 <= units) {                                                                    \
            vstore16(CONVERT16(vload16(0, from)), 0, to);                                          \
            return;                                                                                \
        }                                                                                          \
        for (uint u = 0; u < units - u0; u++)                                                      \
            to[u] = CONVERT(from[u]);                                                              \
    }

#define AS_FLOAT(value) (value)
#define FROM_BYTES(value) (convert_float16(value) / 255.0f)
#define FROM_BYTE(value) ((float)(value) / 255.0f)

GATHER_ROWS_KERNEL(gather_rows, float, AS_FLOAT, AS_FLOAT)
GATHER_ROWS_KERNEL(gather_byte_rows, uchar, FROM_BYTES, FROM_BYTE)
