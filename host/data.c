/* Data sets in host memory: the clprop_data object, loading (dispatch to a loader, data_detect.c
 * telling the format), creation from arrays, and the pieces every loader shares (growing arrays,
 * numbers, finishing). Lines of text are read in data_text.c. */
#include "data_internal.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- The object -------------------------------------------------------------------------------- */

static void release_arrays(clprop_data *data)
{
    free(atomic_load(&data->input_values));
    free(data->target_values);
    free(data->labels);
    if (data->mapping != NULL)
        munmap(data->mapping, data->mapping_bytes);
    else
        free(data->input_bytes);
    data->input_bytes = NULL;
    data->mapping = NULL;
    atomic_store(&data->input_values, NULL);
    data->target_values = NULL;
    data->labels = NULL;
    data->samples = data->inputs = data->outputs = 0;
}

void clprop_data_hold(const clprop_data *data)
{
    /* The count is the only thing a holder changes, so the data set stays const to callers. */
    atomic_fetch_add(&((clprop_data *)data)->holders, 1u);
}

void clprop_data_destroy(clprop_data *data)
{
    if (data == NULL)
        return;
    unsigned holders = atomic_load(&data->holders);
    while (holders > 0)
        if (atomic_compare_exchange_weak(&data->holders, &holders, holders - 1))
            return;
    release_arrays(data);
    free(data);
}

const char *clprop_data_message(const clprop_data *data)
{
    /* A NULL handle is what a load or create leaves when host memory ran out. */
    return data != NULL ? data->message.text : "out of host memory (no data set)";
}

size_t clprop_data_samples(const clprop_data *data) { return data ? data->samples : 0; }
size_t clprop_data_inputs(const clprop_data *data) { return data ? data->inputs : 0; }
size_t clprop_data_outputs(const clprop_data *data) { return data ? data->outputs : 0; }

const uint8_t *clprop_data_input_bytes(const clprop_data *data)
{
    return data ? data->input_bytes : NULL;
}

/* Byte data as floats, byte / 255 — the same conversion the device's gather makes. */
static float *floats_of_bytes(const clprop_data *data)
{
    size_t count = data->samples * data->inputs;
    float *values = malloc(count * sizeof *values);
    for (size_t i = 0; values != NULL && i < count; i++)
        values[i] = (float)data->input_bytes[i] / 255.0f;
    return values;
}

const float *clprop_data_input_values(const clprop_data *data)
{
    if (data == NULL)
        return NULL;
    clprop_data *shared = (clprop_data *)data; /* only the cache changes: still const to callers */
    float *values = atomic_load(&shared->input_values);
    if (values != NULL || data->input_bytes == NULL)
        return values;
    float *made = floats_of_bytes(data), *expected = NULL;
    if (made != NULL && !atomic_compare_exchange_strong(&shared->input_values, &expected, made)) {
        free(made); /* another thread made them first */
        return expected;
    }
    return made;
}

const float *clprop_data_target_values(const clprop_data *data)
{
    return data ? data->target_values : NULL;
}

int clprop_data_has_labels(const clprop_data *data) { return data && data->labels != NULL; }

const uint32_t *clprop_data_labels(const clprop_data *data) { return data ? data->labels : NULL; }

/* Every row exactly one 1 and the rest `rest` (0 or -1), compared exactly: the files write 1, 0
 * and -1, which every reader takes exactly. */
static int rows_are_one_hot(const clprop_data *data, float rest)
{
    const float *row = data->target_values;
    for (size_t s = 0; s < data->samples; s++, row += data->outputs) {
        size_t ones = 0;
        for (size_t o = 0; o < data->outputs; o++) {
            if (row[o] == 1.0f)
                ones++;
            else if (row[o] != rest)
                return 0;
        }
        if (ones != 1)
            return 0;
    }
    return 1;
}

clprop_target_kind clprop_data_target_kind(const clprop_data *data)
{
    if (data == NULL || data->outputs < 2 || data->samples == 0 || data->target_values == NULL)
        return CLPROP_TARGETS_VALUES;
    if (data->labels != NULL || rows_are_one_hot(data, 0.0f))
        return CLPROP_TARGETS_ONE_HOT;
    return rows_are_one_hot(data, -1.0f) ? CLPROP_TARGETS_ONE_HOT_SYMMETRIC : CLPROP_TARGETS_VALUES;
}

/* ---- Creating from arrays ---------------------------------------------------------------------- */

/* The index of the first NaN or infinity, or `count` when all are finite. */
static size_t first_non_finite(const float *values, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!isfinite(values[i]))
            return i;
    return count;
}

static clprop_status refuse_non_finite(clprop_data *data, const char *name, const float *values,
                                       size_t count, size_t width, const char *unit)
{
    size_t bad = first_non_finite(values, count);
    if (bad == count)
        return CLPROP_SUCCESS;
    return clprop_fail(&data->message, CLPROP_ERROR_NOT_FINITE,
                       "clprop_data_create: %s[%zu] (sample %zu, %s %zu, counting from 0) is NaN "
                       "or infinity", name, bad, bad / width, unit, bad % width);
}

static float *copy_floats(const float *values, size_t count)
{
    float *copy = malloc(count * sizeof *copy);
    if (copy != NULL)
        memcpy(copy, values, count * sizeof *copy);
    return copy;
}

static clprop_status create_into(clprop_data *data, size_t samples, size_t inputs, size_t outputs,
                                 const float *input_values, const float *target_values)
{
    if (samples == 0 || inputs == 0 || outputs == 0)
        return clprop_fail(&data->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_data_create: samples, inputs and outputs must all be non-zero "
                           "(got %zu, %zu, %zu)", samples, inputs, outputs);
    if (input_values == NULL || target_values == NULL)
        return clprop_fail(&data->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_data_create: input_values and target_values must not be NULL");
    size_t input_count, target_count, unused;
    if (clprop_size_mul_overflows(samples, inputs, &input_count) ||
        clprop_size_mul_overflows(samples, outputs, &target_count) ||
        clprop_size_mul_overflows(input_count > target_count ? input_count : target_count,
                                  sizeof(float), &unused))
        return clprop_fail(&data->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_data_create: %zu samples × (%zu inputs + %zu outputs) is too "
                           "large to address", samples, inputs, outputs);
    clprop_status status =
        refuse_non_finite(data, "input_values", input_values, input_count, inputs, "input");
    if (status == CLPROP_SUCCESS)
        status = refuse_non_finite(data, "target_values", target_values, target_count, outputs,
                                   "output");
    if (status != CLPROP_SUCCESS)
        return status;
    atomic_store(&data->input_values, copy_floats(input_values, input_count));
    data->target_values = copy_floats(target_values, target_count);
    if (atomic_load(&data->input_values) == NULL || data->target_values == NULL)
        return clprop_fail(&data->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "clprop_data_create: out of host memory for %zu samples", samples);
    data->samples = samples;
    data->inputs = inputs;
    data->outputs = outputs;
    return CLPROP_SUCCESS;
}

clprop_status clprop_data_create(size_t samples, size_t inputs, size_t outputs,
                                 const float *input_values, const float *target_values,
                                 clprop_data **out)
{
    if (out == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    clprop_data *data = calloc(1, sizeof *data);
    *out = data;
    if (data == NULL)
        return CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    clprop_status status = create_into(data, samples, inputs, outputs, input_values,
                                       target_values);
    if (status != CLPROP_SUCCESS)
        release_arrays(data);
    return status;
}

/* ---- Loading: options, format detection, dispatch ---------------------------------------------- */

static int has_csv_options(const clprop_data_source *source)
{
    return source->csv_targets != 0 || source->csv_label_column != 0;
}

static const char *format_name(clprop_data_format format)
{
    switch (format) {
    case CLPROP_DATA_FANN: return "FANN";
    case CLPROP_DATA_CSV: return "CSV";
    case CLPROP_DATA_IDX: return "IDX";
    default: return "auto";
    }
}

/* Options that are wrong whatever the file holds. */
static clprop_status check_source(clprop_data *data, const clprop_data_source *source)
{
    if (source == NULL || source->path == NULL)
        return clprop_fail(&data->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "clprop_data_load: no data file given (source or source->path is NULL)");
    if ((unsigned)source->format > (unsigned)CLPROP_DATA_IDX)
        return clprop_fail(&data->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "%s: unknown data format %d", source->path, (int)source->format);
    if (source->csv_targets != 0 && source->csv_label_column != 0)
        return clprop_fail(&data->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "%s: give csv_targets (%zu) or csv_label_column (%ld), not both",
                           source->path, source->csv_targets, source->csv_label_column);
    if (source->csv_label_column < -1)
        return clprop_fail(&data->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "%s: csv_label_column %ld is neither a column (from 1) nor -1 (the last)",
                           source->path, source->csv_label_column);
    return CLPROP_SUCCESS;
}

/* Options that must suit the format, once it is known. */
static clprop_status check_source_for(clprop_data *data, const clprop_data_source *source,
                                      clprop_data_format format, int detected)
{
    const char *how = detected ? " (detected)" : "";
    if (format != CLPROP_DATA_CSV && has_csv_options(source))
        return clprop_fail(&data->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "%s: csv_targets and csv_label_column apply to CSV files, but this is "
                           "%s%s", source->path, format_name(format), how);
    if (format == CLPROP_DATA_CSV && !has_csv_options(source) && !source->inputs_only)
        return clprop_fail(&data->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "%s: %s needs csv_targets = K (the last K columns are the targets) or "
                           "csv_label_column = N (column N, from 1, or -1 for the last, holds class "
                           "labels 0..C-1)", source->path,
                           detected ? "read as CSV (it is neither IDX nor FANN), which" : "CSV");
    if (format == CLPROP_DATA_IDX && source->labels_path == NULL && !source->inputs_only)
        return clprop_fail(&data->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "%s: IDX images%s need labels_path (the IDX labels file)", source->path,
                           how);
    if (format != CLPROP_DATA_IDX && source->labels_path != NULL)
        return clprop_fail(&data->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "%s: labels_path (%s) applies to IDX images, but this is %s%s",
                           source->path, source->labels_path, format_name(format), how);
    return CLPROP_SUCCESS;
}

static clprop_status load_into(clprop_data *data, const clprop_data_source *source)
{
    clprop_status status = check_source(data, source);
    if (status != CLPROP_SUCCESS)
        return status;
    clprop_data_format format = source->format;
    int detected = format == CLPROP_DATA_AUTO;
    if (detected && (status = clprop_data_detect(source->path, has_csv_options(source),
                                                 &data->message, &format)) != CLPROP_SUCCESS)
        return status;
    if ((status = check_source_for(data, source, format, detected)) != CLPROP_SUCCESS)
        return status;
    switch (format) {
    case CLPROP_DATA_FANN: return clprop_load_fann(data, source);
    case CLPROP_DATA_CSV: return clprop_load_csv(data, source);
    default: return clprop_load_idx(data, source);
    }
}

clprop_status clprop_data_load(const clprop_data_source *source, clprop_data **out)
{
    if (out == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    clprop_data *data = calloc(1, sizeof *data);
    *out = data;
    if (data == NULL)
        return CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    clprop_status status = load_into(data, source);
    if (status != CLPROP_SUCCESS)
        release_arrays(data);
    return status;
}

/* ---- Growing arrays ---------------------------------------------------------------------------- */

int clprop_size_mul_overflows(size_t a, size_t b, size_t *product)
{
    if (b != 0 && a > SIZE_MAX / b)
        return 1;
    *product = a * b;
    return 0;
}

/* Room for `extra` items past `count` in *items: the capacity doubled from the current one,
 * starting at 1024. 0, or -1 when it cannot be had (*items kept). Room already there, for no
 * extra items too, is no allocation (an empty array's NULL is then no failure). */
static int reserve(void **items, size_t *capacity, size_t count, size_t extra, size_t item_size)
{
    if (extra > SIZE_MAX - count)
        return -1;
    size_t needed = count + extra;
    if (needed <= *capacity)
        return 0;
    size_t wanted = *capacity < 1024 ? 1024 : *capacity;
    while (wanted < needed)
        wanted = wanted > SIZE_MAX / 2 ? needed : wanted * 2;
    size_t bytes;
    if (clprop_size_mul_overflows(wanted, item_size, &bytes))
        return -1;
    void *grown = realloc(*items, bytes);
    if (grown == NULL)
        return -1;
    *items = grown;
    *capacity = wanted;
    return 0;
}

int clprop_floats_reserve(clprop_floats *array, size_t extra)
{
    void *values = array->values;
    int status = reserve(&values, &array->capacity, array->count, extra, sizeof(float));
    array->values = values;
    return status;
}

int clprop_labels_reserve(clprop_labels *array, size_t extra)
{
    void *values = array->values;
    int status = reserve(&values, &array->capacity, array->count, extra, sizeof(uint32_t));
    array->values = values;
    return status;
}

/* The array's values in an allocation of exactly their size; the array is left empty. */
static void *take_exact(void *values, size_t count, size_t item_size)
{
    void *exact = count > 0 ? realloc(values, count * item_size) : NULL;
    if (exact == NULL)
        return values; /* shrinking failed or nothing to keep: the original still serves */
    return exact;
}

void clprop_data_adopt(clprop_data *data, size_t samples, size_t inputs, size_t outputs,
                       clprop_floats *input_array, clprop_floats *target_array)
{
    atomic_store(&data->input_values,
                 take_exact(input_array->values, input_array->count, sizeof(float)));
    data->target_values = take_exact(target_array->values, target_array->count, sizeof(float));
    *input_array = (clprop_floats){0};
    *target_array = (clprop_floats){0};
    data->samples = samples;
    data->inputs = inputs;
    data->outputs = outputs;
}

clprop_status clprop_data_adopt_labels(clprop_data *data, const char *path, size_t samples,
                                       size_t inputs, clprop_floats *input_array,
                                       clprop_labels *labels, size_t classes)
{
    size_t count, bytes;
    if (clprop_size_mul_overflows(samples, classes, &count) ||
        clprop_size_mul_overflows(count, sizeof(float), &bytes))
        return clprop_fail(&data->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "%s: %zu samples × %zu classes of one-hot targets is too large to "
                           "address", path, samples, classes);
    float *one_hot = calloc(count, sizeof *one_hot);
    if (one_hot == NULL)
        return clprop_data_out_of_memory(data, path, samples);
    for (size_t s = 0; s < samples; s++)
        one_hot[s * classes + labels->values[s]] = 1.0f;
    clprop_floats targets = {one_hot, count, count};
    clprop_data_adopt(data, samples, inputs, classes, input_array, &targets);
    data->labels = take_exact(labels->values, labels->count, sizeof(uint32_t));
    *labels = (clprop_labels){0};
    return CLPROP_SUCCESS;
}

clprop_status clprop_data_out_of_memory(clprop_data *data, const char *path, size_t samples)
{
    return clprop_fail(&data->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                       "%s: out of host memory after %zu samples", path, samples);
}

/* ---- Numbers in text --------------------------------------------------------------------------- */

/* "inf" or "infinity" (any case, signed), as strtod takes them, against a decimal number so large
 * that strtod gave infinity for it: only the words have an i. */
static int spells_infinity(const char *start, const char *stop)
{
    for (const char *p = start; p < stop; p++)
        if (*p == 'i' || *p == 'I')
            return 1;
    return 0;
}

clprop_number_kind clprop_parse_number(const char *start, const char *stop, float *value)
{
    /* strtod would skip leading spaces and accept an empty field as nothing; neither is a number */
    if (start == stop || isspace((unsigned char)*start))
        return CLPROP_NUMBER_NOT_A_NUMBER;
    /* nor is "0x1A" in a data set, which strtod reads as hexadecimal: a typo or an identifier */
    const char *digits = start + (*start == '+' || *start == '-');
    if (stop - digits > 1 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
        return CLPROP_NUMBER_NOT_A_NUMBER;
    char *end;
    double parsed = strtod(start, &end);
    if (end != stop)
        return CLPROP_NUMBER_NOT_A_NUMBER;
    if (isnan(parsed) || (isinf(parsed) && spells_infinity(start, stop)))
        return CLPROP_NUMBER_NOT_FINITE;
    /* overflow such as 1e999 (HUGE_VAL), and doubles that would round to a float's infinity,
     * such as 1e39: from FLT_MAX and half its last unit on (a tie rounds to the even infinity);
     * below it, as 3.4028235e38 (FLT_MAX as printed), they round to FLT_MAX */
    if (!isfinite(parsed) || fabs(parsed) >= 0x1.ffffffp127)
        return CLPROP_NUMBER_OUT_OF_RANGE;
    *value = (float)parsed;
    return CLPROP_NUMBER_OK;
}

const char *clprop_number_problem(clprop_number_kind kind)
{
    switch (kind) {
    case CLPROP_NUMBER_NOT_FINITE:
        return "NaN or infinity";
    case CLPROP_NUMBER_OUT_OF_RANGE:
        return "a number beyond float32's range (largest 3.4e38)";
    case CLPROP_NUMBER_NOT_A_NUMBER:
        return "not a number";
    case CLPROP_NUMBER_OK:
        break;
    }
    return "a number";
}

int clprop_parse_count(const char *start, const char *stop, size_t *value)
{
    if (start == stop)
        return -1;
    size_t parsed = 0;
    for (const char *p = start; p < stop; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        size_t digit = (size_t)(*p - '0');
        if (parsed > (SIZE_MAX - digit) / 10)
            return -1;
        parsed = parsed * 10 + digit;
    }
    *value = parsed;
    return 0;
}
