/* FANN data files: a header line "samples inputs outputs", then for each sample its inputs and
 * then its outputs. FANN writes the inputs on one line and the outputs on the next, but its own
 * reader only needs whitespace between numbers, so this one reads a stream of numbers and uses
 * lines only to say where something is wrong. */
#include "data_internal.h"

#include <ctype.h>
#include <stdlib.h>

typedef struct fann_loader {
    clprop_data *data;
    clprop_text_reader reader;
    size_t samples, inputs, outputs; /* as the header says */
    size_t expected_inputs;          /* what the caller expects; 0: any */
    int inputs_only;                 /* a header may say 0 outputs */
    size_t width;                    /* numbers per sample: inputs + outputs */
    size_t expected;                 /* numbers in the whole body */
    size_t seen;                     /* numbers read so far */
    clprop_floats input_array, target_array;
} fann_loader;

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && isspace((unsigned char)*p))
        p++;
    return p;
}

static const char *token_end(const char *p, const char *end)
{
    while (p < end && !isspace((unsigned char)*p))
        p++;
    return p;
}

/* The token [start, stop) as a message shows it (escaped, cut short); `buffer` holds the text. */
static const char *shown(char buffer[CLPROP_QUOTE_SIZE], const char *start, const char *stop)
{
    return clprop_quote(buffer, start, (size_t)(stop - start));
}

static const char *plural(size_t count)
{
    return count == 1 ? "" : "s";
}

/* Digits with an optional sign: a whole number, however large, or negative. */
static int is_whole_number(const char *p, const char *stop)
{
    if (p < stop && (*p == '+' || *p == '-'))
        p++;
    if (p == stop)
        return 0;
    for (; p < stop; p++)
        if (!isdigit((unsigned char)*p))
            return 0;
    return 1;
}

static int only_zeros(const char *p, const char *stop)
{
    for (; p < stop; p++)
        if (*p != '0')
            return 0;
    return 1;
}

clprop_fann_line clprop_fann_header_scan(const char *line, size_t length,
                                         clprop_fann_header *header)
{
    const char *p = line, *end = line + length;
    header->which = -1; /* the first of the three that is no count */
    for (int i = 0; i < 3; i++) {
        p = skip_space(p, end);
        const char *stop = token_end(p, end);
        if (!is_whole_number(p, stop)) /* (every count is one) */
            return CLPROP_FANN_LINE_OTHER;
        if (clprop_parse_count(p, stop, &header->counts[i]) != 0 && header->which < 0) {
            header->which = i;
            header->bad_start = p;
            header->bad_stop = stop;
        }
        p = stop;
    }
    p = skip_space(p, end);
    if (p == end)
        return header->which < 0 ? CLPROP_FANN_LINE_HEADER : CLPROP_FANN_LINE_NOT_COUNTS;
    if (header->which >= 0)
        return CLPROP_FANN_LINE_OTHER;
    header->bad_start = p;
    header->bad_stop = token_end(p, end);
    return CLPROP_FANN_LINE_EXTRA;
}

clprop_status clprop_fann_header_refuse(const clprop_text_reader *reader, clprop_fann_line kind,
                                        const clprop_fann_header *header)
{
    char text[CLPROP_QUOTE_SIZE];
    if (kind == CLPROP_FANN_LINE_EXTRA)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s:%zu: a FANN header is three whole numbers \"samples inputs "
                           "outputs\", but this one goes on with \"%s\"",
                           reader->path, reader->line_number,
                           shown(text, header->bad_start, header->bad_stop));
    if (kind == CLPROP_FANN_LINE_NOT_COUNTS) {
        static const char *const names[3] = {"sample count", "number of inputs",
                                             "number of outputs"};
        const char *start = header->bad_start, *stop = header->bad_stop;
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s:%zu: the FANN header's %s \"%s\" is %s", reader->path,
                           reader->line_number, names[header->which], shown(text, start, stop),
                           *start == '-' && !only_zeros(start + 1, stop) ? "negative"
                           : *start == '-' || *start == '+' ? "signed (a count is digits alone)"
                                                            : "too large to count");
    }
    const char *end = reader->line + reader->length;
    return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                       "%s:%zu: expected the FANN header \"samples inputs outputs\" (three "
                       "whole numbers), found \"%s\"",
                       reader->path, reader->line_number,
                       shown(text, skip_space(reader->line, end), end));
}

/* ---- The header -------------------------------------------------------------------------------- */

static clprop_status check_header_sizes(fann_loader *loader)
{
    clprop_text_reader *reader = &loader->reader;
    if (loader->samples == 0 || loader->inputs == 0 ||
        (loader->outputs == 0 && !loader->inputs_only))
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s:%zu: the header says %zu samples, %zu inputs, %zu outputs; none may "
                           "be zero%s", reader->path, reader->line_number, loader->samples,
                           loader->inputs, loader->outputs,
                           loader->outputs == 0 ? " (0 outputs, inputs alone, are for predicting)"
                                                : "");
    size_t unused;
    /* Only overflow is checked here: memory is taken as numbers arrive, never from the header. */
    if (loader->inputs > SIZE_MAX - loader->outputs ||
        clprop_size_mul_overflows(loader->samples, loader->inputs + loader->outputs,
                                  &loader->expected) ||
        clprop_size_mul_overflows(loader->expected, sizeof(float), &unused))
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s:%zu: the header's %zu samples × (%zu inputs + %zu outputs) are too "
                           "many numbers to address", reader->path, reader->line_number,
                           loader->samples, loader->inputs, loader->outputs);
    loader->width = loader->inputs + loader->outputs;
    if (loader->expected_inputs != 0 && loader->inputs != loader->expected_inputs)
        return clprop_fail(&loader->data->message, CLPROP_ERROR_MISMATCH,
                           "%s:%zu: the header says %zu inputs per sample, but %zu are expected",
                           reader->path, reader->line_number, loader->inputs,
                           loader->expected_inputs);
    return CLPROP_SUCCESS;
}

static clprop_status read_header(fann_loader *loader)
{
    clprop_text_reader *reader = &loader->reader;
    int got;
    do {
        clprop_status status = clprop_text_next_line(reader, &got);
        if (status != CLPROP_SUCCESS)
            return status;
    } while (got && clprop_text_line_is_blank(reader));
    if (!got)
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s: no data (the file is empty or blank)", reader->path);
    clprop_fann_header header;
    clprop_fann_line kind = clprop_fann_header_scan(reader->line, reader->length, &header);
    if (kind != CLPROP_FANN_LINE_HEADER)
        return clprop_fann_header_refuse(reader, kind, &header);
    loader->samples = header.counts[0];
    loader->inputs = header.counts[1];
    loader->outputs = header.counts[2];
    return check_header_sizes(loader);
}

/* ---- The body ---------------------------------------------------------------------------------- */

static clprop_status read_number(fann_loader *loader, const char *start, const char *stop)
{
    const char *path = loader->reader.path;
    size_t line = loader->reader.line_number;
    char text[CLPROP_QUOTE_SIZE];
    if (loader->seen == loader->expected)
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s:%zu: extra text \"%s\" after the last sample (the header says "
                           "%zu sample%s)", path, line, shown(text, start, stop), loader->samples,
                           plural(loader->samples));
    size_t sample = loader->seen / loader->width + 1; /* counted from 1, like lines */
    float value;
    clprop_number_kind kind = clprop_parse_number(start, stop, &value);
    switch (kind) {
    case CLPROP_NUMBER_NOT_A_NUMBER:
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s:%zu: \"%s\" in sample %zu is not a number", path, line,
                           shown(text, start, stop), sample);
    case CLPROP_NUMBER_NOT_FINITE:
    case CLPROP_NUMBER_OUT_OF_RANGE:
        return clprop_fail(&loader->data->message, CLPROP_ERROR_NOT_FINITE,
                           "%s:%zu: %s in sample %zu: \"%s\"", path, line,
                           clprop_number_problem(kind), sample, shown(text, start, stop));
    case CLPROP_NUMBER_OK:
        break;
    }
    int is_input = loader->seen % loader->width < loader->inputs;
    if (clprop_floats_push(is_input ? &loader->input_array : &loader->target_array, value) != 0)
        return clprop_data_out_of_memory(loader->data, path, sample - 1);
    loader->seen++;
    return CLPROP_SUCCESS;
}

static clprop_status read_line_numbers(fann_loader *loader)
{
    const char *p = loader->reader.line, *end = p + loader->reader.length;
    while ((p = skip_space(p, end)) < end) {
        const char *stop = token_end(p, end);
        clprop_status status = read_number(loader, p, stop);
        if (status != CLPROP_SUCCESS)
            return status;
        p = stop;
    }
    return CLPROP_SUCCESS;
}

/* At the end of the file: did the body hold exactly what the header promised? */
static clprop_status check_complete(fann_loader *loader)
{
    if (loader->seen == loader->expected)
        return CLPROP_SUCCESS;
    const char *path = loader->reader.path;
    size_t line = loader->reader.line_number;
    size_t complete = loader->seen / loader->width, partial = loader->seen % loader->width;
    if (partial == 0)
        return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                           "%s:%zu: file ends after %zu of %zu samples", path, line, complete,
                           loader->samples);
    return clprop_fail(&loader->data->message, CLPROP_ERROR_FORMAT,
                       "%s:%zu: file ends early: expected %zu numbers (%zu input%s + %zu output%s) "
                       "for sample %zu of %zu, found %zu", path, line, loader->width,
                       loader->inputs, plural(loader->inputs), loader->outputs,
                       plural(loader->outputs), complete + 1, loader->samples, partial);
}

static clprop_status read_body(fann_loader *loader)
{
    for (;;) {
        int got;
        clprop_status status = clprop_text_next_line(&loader->reader, &got);
        if (status != CLPROP_SUCCESS)
            return status;
        if (!got)
            return check_complete(loader);
        if ((status = read_line_numbers(loader)) != CLPROP_SUCCESS)
            return status;
    }
}

clprop_status clprop_load_fann(clprop_data *data, const clprop_data_source *source)
{
    fann_loader loader = {.data = data, .expected_inputs = source->inputs,
                          .inputs_only = source->inputs_only};
    clprop_status status = clprop_text_open(&loader.reader, source->path, &data->message);
    if (status == CLPROP_SUCCESS)
        status = read_header(&loader);
    if (status == CLPROP_SUCCESS)
        status = read_body(&loader);
    if (status == CLPROP_SUCCESS)
        clprop_data_adopt(data, loader.samples, loader.inputs, loader.outputs,
                          &loader.input_array, &loader.target_array);
    clprop_text_close(&loader.reader);
    free(loader.input_array.values);
    free(loader.target_array.values);
    return status;
}
