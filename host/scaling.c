/* Scaling of inputs and targets: the owned copy, its checks, measuring it on a data set, applying
 * it to rows and undoing it, and a data set's scaled copy. Done on the host: the trainer scales a
 * copy of each data set once, before it goes to the device, so the kernels never see a scaling. */
#include "scaling.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

int clprop_scaling_present(const clprop_scaling_copy *copy)
{
    return copy->view.input_kind != CLPROP_SCALING_NONE ||
           copy->view.target_kind != CLPROP_SCALING_NONE;
}

/* One side: its kind, count, arrays and values. */
static int check_side(const char *side, clprop_scaling_kind kind, size_t count, size_t width,
                      const float *offset, const float *scale, char *problem, size_t size)
{
    if (clprop_scaling_name(kind) == NULL) {
        snprintf(problem, size, "unknown %s scaling %d", side, (int)kind);
        return 0;
    }
    if (kind == CLPROP_SCALING_NONE) {
        if (count == 0)
            return 1;
        snprintf(problem, size, "%s scaling none, but %zu %ss", side, count, side);
        return 0;
    }
    if (count != width) {
        snprintf(problem, size, "%s scaling of %zu %ss, but the network has %zu", side, count, side,
                 width);
        return 0;
    }
    if (offset == NULL || scale == NULL) {
        snprintf(problem, size, "%s scaling of %zu %ss without its %s", side, count, side,
                 offset == NULL ? "offsets" : "scales");
        return 0;
    }
    for (size_t i = 0; i < count; i++)
        if (!isfinite(offset[i]) || !isfinite(scale[i]) || scale[i] == 0.0f) {
            snprintf(problem, size, "%s %zu: offset %g and scale %g (both must be finite, the "
                     "scale non-zero)", side, i, (double)offset[i], (double)scale[i]);
            return 0;
        }
    return 1;
}

int clprop_scaling_check(const clprop_scaling *scaling, size_t inputs, size_t outputs,
                         clprop_activation output, char *problem, size_t problem_size)
{
    if (scaling == NULL)
        return 1;
    if (scaling->target_kind != CLPROP_SCALING_NONE && output == CLPROP_ACTIVATION_SOFTMAX) {
        snprintf(problem, problem_size, "target scaling on a softmax output, whose outputs are "
                 "probabilities");
        return 0;
    }
    return check_side("input", scaling->input_kind, scaling->inputs, inputs,
                      scaling->input_offset, scaling->input_scale, problem, problem_size) &&
           check_side("target", scaling->target_kind, scaling->outputs, outputs,
                      scaling->target_offset, scaling->target_scale, problem, problem_size);
}

void clprop_scaling_copy_free(clprop_scaling_copy *copy)
{
    free(copy->values);
    *copy = (clprop_scaling_copy){0};
}

int clprop_scaling_copy_from(clprop_scaling_copy *copy, const clprop_scaling *scaling)
{
    if (scaling == NULL || (scaling->input_kind == CLPROP_SCALING_NONE &&
                            scaling->target_kind == CLPROP_SCALING_NONE)) {
        clprop_scaling_copy_free(copy);
        return 0;
    }
    size_t inputs = scaling->inputs, outputs = scaling->outputs;
    float *values = malloc((2 * inputs + 2 * outputs) * sizeof *values);
    if (values == NULL)
        return -1;
    clprop_scaling view = *scaling;
    if (inputs > 0) {
        memcpy(values, scaling->input_offset, inputs * sizeof *values);
        memcpy(values + inputs, scaling->input_scale, inputs * sizeof *values);
        view.input_offset = values;
        view.input_scale = values + inputs;
    }
    if (outputs > 0) {
        memcpy(values + 2 * inputs, scaling->target_offset, outputs * sizeof *values);
        memcpy(values + 2 * inputs + outputs, scaling->target_scale, outputs * sizeof *values);
        view.target_offset = values + 2 * inputs;
        view.target_scale = values + 2 * inputs + outputs;
    }
    clprop_scaling_copy_free(copy);
    *copy = (clprop_scaling_copy){view, values};
    return 0;
}

/* The scale that makes a spread of `spread` one; 1 for a constant column, and for a spread so
 * small that its inverse is beyond float. */
static float inverse_spread(double spread)
{
    if (!(spread > 0.0))
        return 1.0f;
    float scale = (float)(1.0 / spread);
    return isfinite(scale) && scale != 0.0f ? scale : 1.0f;
}

/* Per column, row by row (rows are contiguous): mean and population variance in two passes. */
static void measure_standard(const float *values, size_t rows, size_t width, double *mean,
                             double *spread, float *offset, float *scale)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < width; c++)
            mean[c] += values[r * width + c];
    for (size_t c = 0; c < width; c++)
        mean[c] /= (double)rows;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < width; c++) {
            double d = values[r * width + c] - mean[c];
            spread[c] += d * d;
        }
    for (size_t c = 0; c < width; c++) {
        offset[c] = (float)mean[c];
        scale[c] = inverse_spread(sqrt(spread[c] / (double)rows));
    }
}

static void measure_minmax(const float *values, size_t rows, size_t width, double *low,
                           double *high, float *offset, float *scale)
{
    for (size_t c = 0; c < width; c++)
        low[c] = high[c] = values[c];
    for (size_t r = 1; r < rows; r++)
        for (size_t c = 0; c < width; c++) {
            double v = values[r * width + c];
            low[c] = v < low[c] ? v : low[c];
            high[c] = v > high[c] ? v : high[c];
        }
    for (size_t c = 0; c < width; c++) {
        offset[c] = (float)low[c];
        scale[c] = inverse_spread(high[c] - low[c]);
    }
}

int clprop_scaling_measure(clprop_scaling_kind kind, const float *values, size_t rows,
                           size_t width, float *offset, float *scale)
{
    double *sums = calloc(2 * width, sizeof *sums);
    if (sums == NULL)
        return -1;
    if (rows == 0) {
        for (size_t c = 0; c < width; c++) {
            offset[c] = 0.0f;
            scale[c] = 1.0f;
        }
    } else if (kind == CLPROP_SCALING_MINMAX) {
        measure_minmax(values, rows, width, sums, sums + width, offset, scale);
    } else {
        measure_standard(values, rows, width, sums, sums + width, offset, scale);
    }
    free(sums);
    return 0;
}

size_t clprop_scaling_apply(const float *offset, const float *scale, const float *in, size_t rows,
                            size_t width, float *out)
{
    size_t count = rows * width, bad = count;
    for (size_t i = 0; i < count; i++) {
        size_t c = i % width;
        out[i] = (in[i] - offset[c]) * scale[c];
        if (bad == count && !isfinite(out[i]))
            bad = i;
    }
    return bad;
}

size_t clprop_scaling_undo(const float *offset, const float *scale, const float *in, size_t rows,
                           size_t width, float *out)
{
    size_t count = rows * width, bad = count;
    for (size_t i = 0; i < count; i++) {
        size_t c = i % width;
        out[i] = in[i] / scale[c] + offset[c];
        if (bad == count && !isfinite(out[i]))
            bad = i;
    }
    return bad;
}

/* ---- A data set's scaled copy ------------------------------------------------------------------ */

#define SCALE "clprop_data_scale"

static clprop_status check_widths(clprop_data *copy, const clprop_data *data,
                                  const clprop_scaling *s)
{
    if (s->input_kind != CLPROP_SCALING_NONE && s->inputs != data->inputs)
        return clprop_fail(&copy->message, CLPROP_ERROR_MISMATCH,
                           SCALE ": the data have %zu inputs, the scaling %zu", data->inputs,
                           s->inputs);
    if (s->target_kind != CLPROP_SCALING_NONE && data->outputs != 0 &&
        s->outputs != data->outputs)
        return clprop_fail(&copy->message, CLPROP_ERROR_MISMATCH,
                           SCALE ": the data have %zu targets, the scaling %zu", data->outputs,
                           s->outputs);
    return CLPROP_SUCCESS;
}

/* rows × width values, copied and mapped when offset is not NULL; a non-finite result names the
 * sample and column. */
static clprop_status map_rows(clprop_data *copy, const char *what, const float *offset,
                              const float *scale, const float *in, size_t rows, size_t width,
                              float **out)
{
    size_t count = rows * width;
    *out = malloc((count > 0 ? count : 1) * sizeof **out);
    if (*out == NULL)
        return clprop_fail(&copy->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           SCALE ": out of host memory for %zu samples", rows);
    if (offset == NULL) {
        memcpy(*out, in, count * sizeof **out);
        return CLPROP_SUCCESS;
    }
    size_t bad = clprop_scaling_apply(offset, scale, in, rows, width, *out);
    if (bad == count)
        return CLPROP_SUCCESS;
    return clprop_fail(&copy->message, CLPROP_ERROR_NOT_FINITE,
                       SCALE ": sample %zu, %s %zu (from 0): (%g - offset %g) * scale %g is not "
                       "a float", bad / width, what, bad % width, (double)in[bad],
                       (double)offset[bad % width], (double)scale[bad % width]);
}

static clprop_status fill_scaled(clprop_data *copy, const clprop_data *data,
                                 const clprop_scaling *s)
{
    static const clprop_scaling none = {0};
    if (s == NULL)
        s = &none;
    CLPROP_CHECK(check_widths(copy, data, s));
    const float *inputs = clprop_data_input_values(data);
    if (inputs == NULL)
        return clprop_fail(&copy->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           SCALE ": out of host memory for the inputs as floats");
    float *values = NULL, *targets = NULL;
    clprop_status status = map_rows(copy, "input", s->input_offset, s->input_scale, inputs,
                                    data->samples, data->inputs, &values);
    atomic_store(&copy->input_values, values);
    if (status == CLPROP_SUCCESS)
        status = map_rows(copy, "target", data->outputs != 0 ? s->target_offset : NULL,
                          s->target_scale, data->target_values, data->samples, data->outputs,
                          &targets);
    copy->target_values = targets;
    if (status == CLPROP_SUCCESS && data->labels != NULL) {
        copy->labels = malloc(data->samples * sizeof *copy->labels);
        if (copy->labels == NULL)
            return clprop_fail(&copy->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                               SCALE ": out of host memory for %zu labels", data->samples);
        memcpy(copy->labels, data->labels, data->samples * sizeof *copy->labels);
    }
    if (status != CLPROP_SUCCESS)
        return status;
    copy->samples = data->samples;
    copy->inputs = data->inputs;
    copy->outputs = data->outputs;
    return CLPROP_SUCCESS;
}

clprop_status clprop_data_scale(const clprop_data *data, const clprop_scaling *scaling,
                                clprop_data **out)
{
    if (out == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    clprop_data *copy = calloc(1, sizeof *copy);
    *out = copy;
    if (copy == NULL)
        return CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    if (data == NULL)
        return clprop_fail(&copy->message, CLPROP_ERROR_INVALID_ARGUMENT, SCALE ": data is NULL");
    clprop_status status = fill_scaled(copy, data, scaling);
    if (status != CLPROP_SUCCESS) { /* leave an empty set with its message */
        free(atomic_load(&copy->input_values));
        free(copy->target_values);
        free(copy->labels);
        atomic_store(&copy->input_values, NULL);
        copy->target_values = NULL;
        copy->labels = NULL;
    }
    return status;
}
