/* CSV data files: numeric fields separated by commas, an optional header row, and the targets
 * either in the last K columns or as a class-label column that becomes one-hot targets.
 *
 * The first non-blank row is a header when any of its fields is not a number; every later row
 * must be numeric and as wide as the first. Blank lines are skipped wherever they are. */
#include "data_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NO_COLUMN SIZE_MAX /* label_index when the targets are columns, not labels */

typedef struct csv_loader {
    clprop_data *data;
    const clprop_data_source *source;
    clprop_text_reader reader;
    size_t columns;      /* fields per row, set by the first row */
    size_t label_index;  /* the label column from 0, or NO_COLUMN */
    size_t first_target; /* the first target column from 0; `columns` with a label column */
    size_t samples;
    size_t largest_label;
    clprop_floats input_array, target_array;
    clprop_labels labels;
} csv_loader;

/* One field of a row, spaces around it trimmed. */
typedef struct csv_field {
    const char *start, *stop;
    size_t number; /* from 1, as a person counts columns */
} csv_field;

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The field as a message shows it (escaped, cut short); `buffer` holds the text. */
static const char *shown(char buffer[CLPROP_QUOTE_SIZE], const csv_field *field)
{
    return clprop_quote(buffer, field->start, (size_t)(field->stop - field->start));
}

static size_t count_fields(const clprop_text_reader *reader)
{
    size_t fields = 1;
    for (size_t i = 0; i < reader->length; i++)
        fields += reader->line[i] == ',';
    return fields;
}

/* Moves *cursor past the next field and its comma; the field's text ends at a comma, a blank or
 * the line's NUL, where strtod stops. */
static csv_field next_field(const char **cursor, const char *end, size_t number)
{
    const char *comma = memchr(*cursor, ',', (size_t)(end - *cursor));
    const char *field_end = comma != NULL ? comma : end;
    csv_field field = {*cursor, field_end, number};
    while (field.start < field.stop && is_blank(*field.start))
        field.start++;
    while (field.stop > field.start && is_blank(field.stop[-1]))
        field.stop--;
    *cursor = comma != NULL ? comma + 1 : end;
    return field;
}

/* ---- The first row: header or not, and the columns' roles ------------------------------------- */

/* A header names every column: no field of it is a number. A first row with numbers in it is
 * data, and a field of it that is not a number (a typo, an empty field) fails as data, naming
 * line 1, rather than passing as a header and the row vanishing. NaN still counts as a number:
 * a data row holding one must fail as data too. */
static int row_is_header(const clprop_text_reader *reader)
{
    const char *cursor = reader->line, *end = reader->line + reader->length;
    size_t fields = count_fields(reader);
    for (size_t f = 1; f <= fields; f++) {
        csv_field field = next_field(&cursor, end, f);
        float unused;
        if (clprop_parse_number(field.start, field.stop, &unused) != CLPROP_NUMBER_NOT_A_NUMBER)
            return 0;
    }
    return 1;
}

static clprop_status assign_columns(csv_loader *loader)
{
    const clprop_data_source *source = loader->source;
    const char *path = loader->reader.path;
    size_t line = loader->reader.line_number, columns = count_fields(&loader->reader);
    loader->columns = columns;
    if (source->csv_targets == 0 && source->csv_label_column == 0) { /* inputs only */
        loader->label_index = NO_COLUMN;
        loader->first_target = columns;
        return CLPROP_SUCCESS;
    }
    if (source->csv_targets != 0) {
        if (source->csv_targets >= columns)
            return clprop_fail(&loader->data->message, CLPROP_ERROR_MISMATCH,
                               "%s:%zu: rows have %zu field%s, so %zu target column%s leave%s no "
                               "input column",
                               path, line, columns, columns == 1 ? "" : "s", source->csv_targets,
                               source->csv_targets == 1 ? "" : "s",
                               source->csv_targets == 1 ? "s" : "");
        loader->label_index = NO_COLUMN;
        loader->first_target = columns - source->csv_targets;
        return CLPROP_SUCCESS;
    }
    long column = source->csv_label_column;
    if (columns < 2 || (column > 0 && (unsigned long)column > columns)) {
        char where[48] = "the last column";
        if (column != -1)
            snprintf(where, sizeof where, "column %ld", column);
        return clprop_fail(&loader->data->message, CLPROP_ERROR_MISMATCH,
                           "%s:%zu: rows have %zu field%s, too few for a label in %s and an input "
                           "column",
                           path, line, columns, columns == 1 ? "" : "s", where);
    }
    loader->label_index = column == -1 ? columns - 1 : (size_t)column - 1;
    loader->first_target = columns;
    return CLPROP_SUCCESS;
}

/* The inputs the columns give, against what the caller expects: before any row is read. */
static clprop_status check_inputs(const csv_loader *loader)
{
    size_t expected = loader->source->inputs;
    size_t inputs = loader->label_index == NO_COLUMN ? loader->first_target : loader->columns - 1;
    if (expected == 0 || inputs == expected)
        return CLPROP_SUCCESS;
    return clprop_fail(&loader->data->message, CLPROP_ERROR_MISMATCH,
                       "%s:%zu: rows have %zu input columns, but %zu inputs are expected",
                       loader->reader.path, loader->reader.line_number, inputs, expected);
}

/* ---- Data rows --------------------------------------------------------------------------------- */

static clprop_status not_a_number(csv_loader *loader, const csv_field *field)
{
    char text[CLPROP_QUOTE_SIZE];
    return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                       "%s:%zu: field %zu \"%s\" is not a number", loader->reader.path,
                       loader->reader.line_number, field->number, shown(text, field));
}

static clprop_status not_finite(csv_loader *loader, const csv_field *field, clprop_number_kind kind)
{
    char text[CLPROP_QUOTE_SIZE];
    return clprop_fail(&loader->data->message, CLPROP_ERROR_NOT_FINITE,
                       "%s:%zu: %s in sample %zu, field %zu \"%s\"", loader->reader.path,
                       loader->reader.line_number, clprop_number_problem(kind), loader->samples + 1,
                       field->number, shown(text, field));
}

static clprop_status not_a_label(csv_loader *loader, const csv_field *field)
{
    char text[CLPROP_QUOTE_SIZE];
    return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                       "%s:%zu: field %zu \"%s\" is not a class label (a whole number, 0 or "
                       "more)", loader->reader.path, loader->reader.line_number, field->number,
                       shown(text, field));
}

static int all_digits(const csv_field *field)
{
    if (field->start == field->stop)
        return 0;
    for (const char *p = field->start; p < field->stop; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

/* A whole number, but beyond what a label can be: `most` in the form it was written. */
static clprop_status label_too_large(csv_loader *loader, const csv_field *field,
                                     unsigned long long most, const char *form)
{
    char text[CLPROP_QUOTE_SIZE];
    return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                       "%s:%zu: field %zu \"%s\" is too large for a class label (at most %llu%s)",
                       loader->reader.path, loader->reader.line_number, field->number,
                       shown(text, field), most, form);
}

static clprop_status read_value(csv_loader *loader, const csv_field *field, size_t index)
{
    float value;
    clprop_number_kind kind = clprop_parse_number(field->start, field->stop, &value);
    switch (kind) {
    case CLPROP_NUMBER_NOT_A_NUMBER: return not_a_number(loader, field);
    case CLPROP_NUMBER_NOT_FINITE:
    case CLPROP_NUMBER_OUT_OF_RANGE:
        return not_finite(loader, field, kind);
    case CLPROP_NUMBER_OK: break;
    }
    clprop_floats *array =
        index < loader->first_target ? &loader->input_array : &loader->target_array;
    if (clprop_floats_push(array, value) != 0)
        return clprop_data_out_of_memory(loader->data, loader->reader.path, loader->samples);
    return CLPROP_SUCCESS;
}

/* A label is written in digits ("3"), or as a number with a whole value ("3.0", "3e0"). */
static clprop_status parse_label(csv_loader *loader, const csv_field *field, size_t *label)
{
    if (clprop_parse_count(field->start, field->stop, label) == 0)
        return *label <= UINT32_MAX ? CLPROP_SUCCESS
                                    : label_too_large(loader, field, UINT32_MAX, "");
    if (all_digits(field)) /* digits beyond what a size_t counts */
        return label_too_large(loader, field, UINT32_MAX, "");
    float value;
    clprop_number_kind kind = clprop_parse_number(field->start, field->stop, &value);
    switch (kind) {
    case CLPROP_NUMBER_NOT_A_NUMBER: return not_a_number(loader, field);
    case CLPROP_NUMBER_NOT_FINITE:
    case CLPROP_NUMBER_OUT_OF_RANGE:
        return not_finite(loader, field, kind);
    case CLPROP_NUMBER_OK: break;
    }
    if (value < 0.0f || value != floorf(value))
        return not_a_label(loader, field);
    if (value >= 16777216.0f) /* 2^24: above it a float no longer holds every whole number */
        return label_too_large(loader, field, 16777215,
                               " written with a point or an exponent; in digits alone, more");
    *label = (size_t)value;
    return CLPROP_SUCCESS;
}

static clprop_status read_label(csv_loader *loader, const csv_field *field)
{
    size_t label, classes = loader->source->classes;
    clprop_status status = parse_label(loader, field, &label);
    if (status != CLPROP_SUCCESS)
        return status;
    if (classes != 0 && label >= classes)
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s:%zu: label %zu outside the class range 0..%zu (field %zu)",
                           loader->reader.path, loader->reader.line_number, label, classes - 1,
                           field->number);
    if (classes == 0 && label >= CLPROP_MAX_INFERRED_CLASSES)
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s:%zu: label %zu in field %zu is too large to infer the number of "
                           "classes from; if there really are more than %u, say how many (the "
                           "source's classes; clprop train: the output layer's size, --layers "
                           "...,N)",
                           loader->reader.path, loader->reader.line_number, label, field->number,
                           CLPROP_MAX_INFERRED_CLASSES);
    if (label > loader->largest_label)
        loader->largest_label = label;
    if (clprop_labels_push(&loader->labels, (uint32_t)label) != 0)
        return clprop_data_out_of_memory(loader->data, loader->reader.path, loader->samples);
    return CLPROP_SUCCESS;
}

static clprop_status read_row(csv_loader *loader)
{
    size_t fields = count_fields(&loader->reader);
    if (fields != loader->columns)
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s:%zu: row has %zu fields, expected %zu", loader->reader.path,
                           loader->reader.line_number, fields, loader->columns);
    const char *cursor = loader->reader.line, *end = cursor + loader->reader.length;
    for (size_t index = 0; index < fields; index++) {
        csv_field field = next_field(&cursor, end, index + 1);
        clprop_status status = index == loader->label_index ? read_label(loader, &field)
                                                            : read_value(loader, &field, index);
        if (status != CLPROP_SUCCESS)
            return status;
    }
    loader->samples++;
    return CLPROP_SUCCESS;
}

/* ---- The file ---------------------------------------------------------------------------------- */

static clprop_status read_rows(csv_loader *loader)
{
    int first = 1;
    for (;;) {
        int got;
        clprop_status status = clprop_text_next_line(&loader->reader, &got);
        if (status != CLPROP_SUCCESS || !got)
            return status;
        if (clprop_text_line_is_blank(&loader->reader))
            continue;
        if (first) {
            first = 0;
            if ((status = assign_columns(loader)) != CLPROP_SUCCESS ||
                (status = check_inputs(loader)) != CLPROP_SUCCESS)
                return status;
            if (row_is_header(&loader->reader))
                continue;
        }
        if ((status = read_row(loader)) != CLPROP_SUCCESS)
            return status;
    }
}

static clprop_status finish(csv_loader *loader)
{
    const char *path = loader->reader.path;
    if (loader->columns == 0)
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s: no data (the file is empty or blank)", path);
    if (loader->samples == 0)
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s:%zu: a header row but no data rows", path,
                           loader->reader.line_number);
    if (loader->label_index == NO_COLUMN) {
        clprop_data_adopt(loader->data, loader->samples, loader->first_target,
                          loader->columns - loader->first_target, &loader->input_array,
                          &loader->target_array);
        return CLPROP_SUCCESS;
    }
    size_t classes = loader->source->classes;
    if (classes == 0)
        classes = loader->largest_label + 1;
    return clprop_data_adopt_labels(loader->data, path, loader->samples, loader->columns - 1,
                                    &loader->input_array, &loader->labels, classes);
}

clprop_status clprop_load_csv(clprop_data *data, const clprop_data_source *source)
{
    csv_loader loader = {.data = data, .source = source};
    clprop_status status = clprop_text_open(&loader.reader, source->path, &data->message);
    if (status == CLPROP_SUCCESS)
        status = read_rows(&loader);
    if (status == CLPROP_SUCCESS)
        status = finish(&loader);
    clprop_text_close(&loader.reader);
    free(loader.input_array.values);
    free(loader.target_array.values);
    free(loader.labels.values);
    return status;
}
