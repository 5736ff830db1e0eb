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
/* byte / 255, correctly rounded (what IEEE division gives, and the host's loader) without a
 * division: the product with 1/255 is off by an ulp for 126 of the 256 bytes, and one fma step
 * on its remainder corrects every one of them (checked for all 256 on the host; fma and products
 * are exact-rounded on every OpenCL device, where a division need not be). A division was the
 * slowest instruction of the gather, one per 8 inputs. */
#define DEFINE_BYTE_FRACTION(NAME, T)                                                              \
    inline T NAME(T byte)                                                                          \
    {                                                                                              \
        const float inverse = 1.0f / 255.0f;                                                       \
        T estimate = byte * inverse;                                                               \
        return fma(fma(-estimate, (T)(255.0f), byte), (T)(inverse), estimate);                     \
    }
DEFINE_BYTE_FRACTION(byte_fraction, float)
DEFINE_BYTE_FRACTION(byte_fraction8, float8)

inline float8 gather_load8(const int bytes, __global const float *restrict floats,
                           __global const uchar *restrict byte_values, size_t at)
{
    return bytes ? byte_fraction8(convert_float8(vload8(0, byte_values + at)))
                 : vload8(0, floats + at);
}

inline float gather_load(const int bytes, __global const float *restrict floats,
                         __global const uchar *restrict byte_values, size_t at)
{
    return bytes ? byte_fraction((float)byte_values[at]) : floats[at];
}

/* A step's samples lie scattered over the data set, mostly outside the caches, and a core copying
 * one row after the other waited on memory for most of the gather. On the CPU family's devices
 * (GATHER_AHEAD > 0, from the host's tuning table), each work-item first asks for the cache lines
 * of the sample GATHER_AHEAD places after its own, and the first work-item of a work-group (a
 * core's run of consecutive samples) for those of every sample up to there: the rows then arrive
 * while the samples before them are copied. A prefetch is a hint: it reads nothing, cannot fault,
 * and compiles only where the compiler offers it. 4 ahead: a batch-256 step's gather 99 → 66 µs
 * (bench/RESULTS.md); 2, 8 and 16 ahead, or the next step's samples too, did no better. */
#ifndef GATHER_AHEAD
#error "kernels are built with the host's tuning (host/tuning.c)"
#endif
#define GATHER_LINE 64 /* bytes: the cache line of the x86 and Arm cores PoCL runs on */
#if GATHER_AHEAD > 0 && defined(__has_builtin)
#if __has_builtin(__builtin_prefetch)
#define GATHER_PREFETCHES
#endif
#endif

#ifdef GATHER_PREFETCHES
inline void gather_prefetch_row(__global const void *start, size_t bytes)
{
    __global const char *first = (__global const char *)start;
    for (size_t at = 0; at < bytes; at += GATHER_LINE)
        __builtin_prefetch(first + at, 0, 3);
}

inline void gather_prefetch(const int bytes, __global const float *restrict floats,
                            __global const uchar *restrict byte_values,
                            __global const float *restrict targets,
                            __global const uint *restrict order, uint first, uint inputs,
                            uint outputs, uint batch, uint b)
{
    const uint nearest = get_local_id(1) == 0 ? 1 : GATHER_AHEAD;
    for (uint ahead = nearest; ahead <= GATHER_AHEAD && b + ahead < batch; ahead++) {
        const size_t sample = order[first + b + ahead];
        if (bytes)
            gather_prefetch_row(byte_values + sample * inputs, inputs);
        else
            gather_prefetch_row(floats + sample * inputs, inputs * sizeof(float));
        if (outputs > 0)
            gather_prefetch_row(targets + sample * outputs, outputs * sizeof(float));
    }
}
#endif

/* A data set is floats or bytes: the body takes both pointers, one of them NULL, and a constant
 * flag that picks one, so that each wrapper compiles to its own kind alone. */
inline void gather(const int bytes, __global float *restrict rows,
                   __global const float *restrict floats,
                   __global const uchar *restrict byte_values, __global float *restrict columns,
                   __global const float *restrict targets, __global const uint *restrict order,
                   uint first, uint inputs, uint outputs, uint batch, uint groups_per_item)
{
    const uint b = get_global_id(1);
    const uint input_groups = (inputs + GATHER_WIDTH - 1) / GATHER_WIDTH;
    const uint groups = input_groups + (outputs > 0);
    uint group = get_global_id(0) * groups_per_item;
    const uint end = min(group + groups_per_item, groups);
    if (b >= batch)
        return;
#ifdef GATHER_PREFETCHES
    if (group == 0)
        gather_prefetch(bytes, floats, byte_values, targets, order, first, inputs, outputs, batch,
                        b);
#endif
    const size_t sample = order[first + b];
    const size_t row = sample * inputs; /* where the sample's inputs start */
    __global float *to = rows + (size_t)b * inputs;
    for (; group < end && (group + 1) * GATHER_WIDTH <= inputs; group++) {
        uint u0 = group * GATHER_WIDTH; /* two float8: see gemm_cpu.cl */
        vstore8(gather_load8(bytes, floats, byte_values, row + u0), 0, to + u0);
        vstore8(gather_load8(bytes, floats, byte_values, row + u0 + 8), 1, to + u0);
    }
    if (group < end && group < input_groups) { /* the row's last, partial group */
        for (uint u = group * GATHER_WIDTH; u < inputs; u++)
            to[u] = gather_load(bytes, floats, byte_values, row + u);
        group++;
    }
    if (group < end) /* the targets */
        for (uint u = 0; u < outputs; u++)
            columns[(size_t)u * batch + b] = targets[sample * outputs + u];
}

#define GATHER_PARAMETERS(SAMPLE_TYPE)                                                             \
    __global float *restrict rows, __global const SAMPLE_TYPE *restrict samples,                   \
        __global float *restrict columns, __global const float *restrict targets,                  \
        __global const uint *restrict order, uint first, uint inputs, uint outputs, uint batch,    \
        uint groups_per_item
#define GATHER_ARGUMENTS columns, targets, order, first, inputs, outputs, batch, groups_per_item

__kernel void gather_batch(GATHER_PARAMETERS(float))
{
    gather(0, rows, samples, NULL, GATHER_ARGUMENTS);
}
__kernel void gather_byte_batch(GATHER_PARAMETERS(uchar))
{
    gather(1, rows, NULL, samples, GATHER_ARGUMENTS);
}
