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

/* columns (units × B) ← the samples order[first .. first+B−1] of a data set held sample-major on
 * the device: the epoch's shuffle is this index gather, with no copy of the data set. */
__kernel void gather_columns(__global float *columns, __global const float *samples,
                             __global const uint *order, uint first, uint units, uint batch)
{
    uint b = get_global_id(0);
    uint u = get_global_id(1);
    if (b >= batch || u >= units)
        return;
    columns[(size_t)u * batch + b] = samples[(size_t)order[first + b] * units + u];
}

/* The same gather from a data set stored as bytes (IDX pixels): a quarter of the memory and of the
 * traffic. byte / 255 in IEEE division, as the host's loader computes it, so both agree exactly. */
__kernel void gather_byte_columns(__global float *columns, __global const uchar *samples,
                                  __global const uint *order, uint first, uint units, uint batch)
{
    uint b = get_global_id(0);
    uint u = get_global_id(1);
    if (b >= batch || u >= units)
        return;
    columns[(size_t)u * batch + b] = (float)samples[(size_t)order[first + b] * units + u] / 255.0f;
}

/* rows (B × units) ← the samples order[first .. first+B−1]: the batch sample-major, as the first
 * layer's weight gradient δ·Xᵀ wants its right operand (then it needs no transpose). */
__kernel void gather_rows(__global float *rows, __global const float *samples,
                          __global const uint *order, uint first, uint units, uint batch)
{
    uint u = get_global_id(0);
    uint b = get_global_id(1);
    if (b >= batch || u >= units)
        return;
    rows[(size_t)b * units + u] = samples[(size_t)order[first + b] * units + u];
}

__kernel void gather_byte_rows(__global float *rows, __global const uchar *samples,
                               __global const uint *order, uint first, uint units, uint batch)
{
    uint u = get_global_id(0);
    uint b = get_global_id(1);
    if (b >= batch || u >= units)
        return;
    rows[(size_t)b * units + u] = (float)samples[(size_t)order[first + b] * units + u] / 255.0f;
}
