/* A data set made of chosen samples of another: how a validation set is held out. */
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

/* Copies rows indices[..] of a (samples × width) array of `size`-byte elements. */
static void *gather_rows(const void *source, size_t width, size_t size, const size_t *indices,
                         size_t count)
{
    char *rows = malloc(count * width * size);
    for (size_t i = 0; rows != NULL && i < count; i++)
        memcpy(rows + i * width * size, (const char *)source + indices[i] * width * size,
               width * size);
    return rows;
}

static clprop_status fill_subset(clprop_data *subset, const clprop_data *data,
                                 const size_t *indices, size_t count)
{
    if (data == NULL || indices == NULL || count == 0)
        return clprop_fail(&subset->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_data_subset: needs a data set and at least one index");
    for (size_t i = 0; i < count; i++)
        if (indices[i] >= data->samples)
            return clprop_fail(&subset->message, CLPROP_ERROR_INVALID_ARGUMENT,
                               "clprop_data_subset: index %zu is past the %zu samples",
                               indices[i], data->samples);
    /* byte data stay bytes (their floats are made on demand) */
    if (data->input_bytes == NULL)
        atomic_store(&subset->input_values,
                     gather_rows(atomic_load(&((clprop_data *)data)->input_values), data->inputs,
                                 sizeof(float), indices, count));
    subset->target_values = gather_rows(data->target_values, data->outputs, sizeof(float),
                                        indices, count);
    int ok = (data->input_bytes != NULL || atomic_load(&subset->input_values) != NULL) &&
             subset->target_values != NULL;
    if (ok && data->labels != NULL)
        ok = (subset->labels = gather_rows(data->labels, 1, sizeof(uint32_t), indices, count)) !=
             NULL;
    if (ok && data->input_bytes != NULL)
        ok = (subset->input_bytes = gather_rows(data->input_bytes, data->inputs, 1, indices,
                                                count)) != NULL;
    if (!ok)
        return clprop_fail(&subset->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "clprop_data_subset: out of host memory for %zu samples", count);
    subset->samples = count;
    subset->inputs = data->inputs;
    subset->outputs = data->outputs;
    return CLPROP_SUCCESS;
}

clprop_status clprop_data_subset(const clprop_data *data, const size_t *indices, size_t count,
                                 clprop_data **out)
{
    clprop_data *subset = calloc(1, sizeof *subset);
    *out = subset;
    if (subset == NULL)
        return CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    return fill_subset(subset, data, indices, count);
}
