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
 * (units × B, for the targets) or as rows (B × units, for the inputs: the first layer's weight
 * gradient δ·Xᵀ takes them as they are, and the column layout is made from them). A data set
 * stored as bytes (IDX pixels) takes a quarter of the memory and of the traffic; byte / 255 is
 * IEEE division, as the host's loader computes it, so both agree exactly. */
#define GATHER_KERNEL(NAME, SAMPLE_TYPE, CONVERT, OUT_AT, UNIT_DIMENSION)                          \
    __kernel void NAME(__global float *out, __global const SAMPLE_TYPE *samples,                   \
                       __global const uint *order, uint first, uint units, uint batch)           \
    {                                                                                              \
        uint u = get_global_id(UNIT_DIMENSION);                                                    \
        uint b = get_global_id(1 - UNIT_DIMENSION);                                                \
        if (b >= batch || u >= units)                                                              \
            return;                                                                                \
        out[OUT_AT] = CONVERT(samples[(size_t)order[first + b] * units + u]);                      \
    }

#define AS_FLOAT(value) (value)
#define FROM_BYTE(value) ((float)(value) / 255.0f)
#define COLUMN_AT ((size_t)u * batch + b)
#define ROW_AT ((size_t)b * units + u)

/* Columns put the batch index on dimension 0 and rows the unit index, so that neighbouring
 * work-items write neighbouring addresses. */
GATHER_KERNEL(gather_columns, float, AS_FLOAT, COLUMN_AT, 1)
GATHER_KERNEL(gather_rows, float, AS_FLOAT, ROW_AT, 0)
GATHER_KERNEL(gather_byte_rows, uchar, FROM_BYTE, ROW_AT, 0)
