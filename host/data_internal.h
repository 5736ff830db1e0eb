/* The data-set object and what its loaders share: growing arrays, a line reader (plain or gzip),
 * number parsing, format detection, and the last step that hands arrays to the object.
 *
 * Every loader reads a file once, front to back, and grows its arrays as values actually arrive.
 * Nothing is sized from a header's claims, so a file that lies about its size costs only what it
 * really holds; headers are only checked against overflow and compared with the body at its end. */
#ifndef CLPROP_DATA_INTERNAL_H
#define CLPROP_DATA_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "clprop.h"
#include "input_stream.h"
#include "message.h"

struct clprop_data {
    clprop_message message;
    size_t samples, inputs, outputs;
    /* samples × inputs; for byte data (input_bytes) made on first use by
     * clprop_data_input_values, published atomically so concurrent readers stay safe */
    _Atomic(float *) input_values;
    float *target_values; /* samples × outputs */
    uint32_t *labels;     /* samples entries when the targets are one-hot class labels, else NULL */
    uint8_t *input_bytes; /* samples × inputs raw bytes when each input is byte/255 (IDX), else
                             NULL: lets a device hold the data set at a quarter of the size.
                             Inside `mapping` when that is not NULL, else allocated */
    void *mapping;        /* an uncompressed IDX images file mapped read-only (data_idx.c), or NULL */
    size_t mapping_bytes;
    atomic_uint holders;  /* holders besides the owner (device data streaming from it): the
                             owner's destroy frees the arrays only when none is left */
};

/* Another holder of the data set: it stays alive until every holder and the owner have called
 * clprop_data_destroy. Atomic: two threads may upload one data set at once. */
void clprop_data_hold(const clprop_data *data);

/* Without `classes`, the one-hot width is the largest label + 1; a label above this is far more
 * likely a wrong column than a real class, and would make the targets enormous. */
#define CLPROP_MAX_INFERRED_CLASSES 65536u

/* ---- Growing arrays -------------------------------------------------------------------------- */

typedef struct clprop_floats {
    float *values;
    size_t count, capacity;
} clprop_floats;

typedef struct clprop_labels {
    uint32_t *values;
    size_t count, capacity;
} clprop_labels;

/* Room for `extra` more values, doubling the capacity so appends cost O(1) amortised.
 * 0 on success, -1 when memory ran out or the size overflows (the array is unchanged then). */
int clprop_floats_reserve(clprop_floats *array, size_t extra);
int clprop_labels_reserve(clprop_labels *array, size_t extra);

static inline int clprop_floats_push(clprop_floats *array, float value)
{
    if (array->count == array->capacity && clprop_floats_reserve(array, 1) != 0)
        return -1;
    array->values[array->count++] = value;
    return 0;
}

static inline int clprop_labels_push(clprop_labels *array, uint32_t value)
{
    if (array->count == array->capacity && clprop_labels_reserve(array, 1) != 0)
        return -1;
    array->values[array->count++] = value;
    return 0;
}

/* 1 when a × b overflows size_t, else 0 with the product in *product. */
int clprop_size_mul_overflows(size_t a, size_t b, size_t *product);

/* ---- Numbers in text ------------------------------------------------------------------------- */

typedef enum clprop_number_kind {
    CLPROP_NUMBER_OK,
    CLPROP_NUMBER_NOT_A_NUMBER, /* not a decimal number (hexadecimal ones included) */
    CLPROP_NUMBER_NOT_FINITE,   /* NaN or infinity */
    CLPROP_NUMBER_OUT_OF_RANGE  /* finite, but beyond float's range: it would become infinity */
} clprop_number_kind;

/* Parses the text [start, stop) as one decimal number. The byte at `stop` must not continue a
 * number (whitespace, a comma or the terminating NUL), since strtod reads up to it. */
clprop_number_kind clprop_parse_number(const char *start, const char *stop, float *value);

/* What is wrong with a number of that kind, for a message ("NaN or infinity", ...). */
const char *clprop_number_problem(clprop_number_kind kind);

/* Parses [start, stop) as a whole number 0..SIZE_MAX written in digits only. 0 on success. */
int clprop_parse_count(const char *start, const char *stop, size_t *value);

/* ---- Lines of a text file (data_text.c), plain or gzip-compressed ---------------------------- */

/* A line longer than this is an error at its line number: no FANN or CSV data set has one, and
 * without a limit a file with no line feed (or a device of zeros) would be read into one line
 * until memory ran out. */
#define CLPROP_MAX_LINE_BYTES (64u << 20)

typedef struct clprop_text_reader {
    clprop_input_stream stream;
    const char *path;
    clprop_message *message;
    char *line;         /* the current line without its "\n" or "\r\n", NUL-terminated */
    size_t length;      /* bytes in line */
    size_t capacity;
    size_t line_number; /* of the current line, from 1 */
} clprop_text_reader;

/* Opens the file (input_file.h's checks) and looks at its first bytes: a clprop model, UTF-16 or
 * binary data are refused here with what they are (clprop_text_check_head). */
clprop_status clprop_text_open(clprop_text_reader *reader, const char *path,
                               clprop_message *message);
/* Reads the next line into reader->line. *got is 1 for a line, 0 at the end of the file. A control
 * byte (other than tab, vertical tab and form feed), a carriage return without a line feed (old
 * Mac line endings) and a line over CLPROP_MAX_LINE_BYTES are errors naming the line and byte. */
clprop_status clprop_text_next_line(clprop_text_reader *reader, int *got);
void clprop_text_close(clprop_text_reader *reader);
/* 1 when the current line holds only whitespace. */
int clprop_text_line_is_blank(const clprop_text_reader *reader);

/* Bytes of a file's start that a text reader looks at before anything else. */
#define CLPROP_TEXT_HEAD_BYTES 512

/* Refuses a file whose first `size` bytes show it is not a text data set, saying what it is: a
 * clprop model file or JSON export, UTF-16 text (with or without a byte-order mark) or binary data
 * (a NUL byte). */
clprop_status clprop_text_check_head(const char *path, clprop_message *message,
                                     const unsigned char *head, size_t size);

/* ---- Format detection (data_detect.c) ------------------------------------------------------- */

/* IDX by its magic number; else, unless `csv_hint` (CSV options were given), FANN by its header
 * line, else CSV. Text that is not a data set (a model, binary, UTF-16, old Mac line endings, a
 * FANN header with a word too many) is refused here, naming the line or byte. */
clprop_status clprop_data_detect(const char *path, int csv_hint, clprop_message *message,
                                 clprop_data_format *format);

/* ---- Finishing a load ------------------------------------------------------------------------ */

/* Moves the arrays (samples × inputs, samples × outputs) into `data`, shrunk to their size, and
 * leaves them empty. */
void clprop_data_adopt(clprop_data *data, size_t samples, size_t inputs, size_t outputs,
                       clprop_floats *input_array, clprop_floats *target_array);
/* Like clprop_data_adopt, for targets given as class labels: they become one-hot rows of width
 * `classes` (every label is below it), and the labels are kept. Fails only for lack of memory. */
clprop_status clprop_data_adopt_labels(clprop_data *data, const char *path, size_t samples,
                                       size_t inputs, clprop_floats *input_array,
                                       clprop_labels *labels, size_t classes);

/* Writes "path: out of host memory ..." and returns CLPROP_ERROR_OUT_OF_HOST_MEMORY. */
clprop_status clprop_data_out_of_memory(clprop_data *data, const char *path, size_t samples);

/* ---- The loaders, one per format ------------------------------------------------------------- */

/* What a line is as a FANN header "samples inputs outputs". */
typedef enum clprop_fann_line {
    CLPROP_FANN_LINE_HEADER,     /* three counts alone: counts[0..2] */
    CLPROP_FANN_LINE_EXTRA,      /* three counts and more text (a word too many): bad_* is the
                                    first word after them */
    CLPROP_FANN_LINE_NOT_COUNTS, /* three whole numbers alone, one no count (negative, signed, too
                                    large): a header gone wrong, which detection sends to the FANN
                                    loader to say so, not to CSV; bad_* and `which` say which */
    CLPROP_FANN_LINE_OTHER,      /* no FANN header */
} clprop_fann_line;

typedef struct clprop_fann_header {
    size_t counts[3];
    const char *bad_start, *bad_stop; /* the word at fault */
    int which;                        /* the number at fault: 0 samples, 1 inputs, 2 outputs */
} clprop_fann_header;

clprop_fann_line clprop_fann_header_scan(const char *line, size_t length,
                                         clprop_fann_header *header);
/* The one-line refusal, into reader->message, of a first line that is not a header (`kind` not
 * CLPROP_FANN_LINE_HEADER). */
clprop_status clprop_fann_header_refuse(const clprop_text_reader *reader, clprop_fann_line kind,
                                        const clprop_fann_header *header);

clprop_status clprop_load_fann(clprop_data *data, const clprop_data_source *source);
clprop_status clprop_load_csv(clprop_data *data, const clprop_data_source *source);
clprop_status clprop_load_idx(clprop_data *data, const clprop_data_source *source);

#endif
