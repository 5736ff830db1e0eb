/* The data-set object and what its loaders share: growing arrays, a line reader over zlib, number
 * parsing, and the last step that hands arrays to the object.
 *
 * Every loader reads a file once, front to back, and grows its arrays as values actually arrive.
 * Nothing is sized from a header's claims, so a file that lies about its size costs only what it
 * really holds; headers are only checked against overflow and compared with the body at its end. */
#ifndef CLPROP_DATA_INTERNAL_H
#define CLPROP_DATA_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "clprop.h"
#include "message.h"

struct clprop_data {
    clprop_message message;
    size_t samples, inputs, outputs;
    float *input_values;  /* samples × inputs */
    float *target_values; /* samples × outputs */
    uint32_t *labels;     /* samples entries when the targets are one-hot class labels, else NULL */
    uint8_t *input_bytes; /* samples × inputs raw bytes when each input is byte/255 (IDX), else
                             NULL: lets a device hold the data set at a quarter of the size */
    atomic_uint holders;  /* holders besides the owner (device data streaming from it): the
                             owner's destroy frees the arrays only when none is left */
};

/* Another holder of the data set: it stays alive until every holder and the owner have called
 * clprop_data_destroy. Atomic: two threads may upload one data set at once. */
void clprop_data_hold(const clprop_data *data);

/* Without `classes`, the one-hot width is the largest label + 1; a label above this is far more
 * likely a wrong column than a real class, and would make the targets enormous. */
#define CLPROP_MAX_INFERRED_CLASSES 65536u

/* ---- Growing arrays ---------------------------------------------------------------------------- */

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
    CLPROP_NUMBER_NOT_A_NUMBER,
    CLPROP_NUMBER_NOT_FINITE  /* NaN, infinity, or beyond float's range */
} clprop_number_kind;

/* Parses the text [start, stop) as one number. The byte at `stop` must not continue a number
 * (whitespace, a comma or the terminating NUL), since strtod reads up to it. */
clprop_number_kind clprop_parse_number(const char *start, const char *stop, float *value);

/* Parses [start, stop) as a whole number 0..SIZE_MAX written in digits only. 0 on success. */
int clprop_parse_count(const char *start, const char *stop, size_t *value);

/* ---- Lines of a text file, read through zlib so gzip-compressed files read the same -------- */

typedef struct clprop_text_reader {
    gzFile file;
    const char *path;
    clprop_message *message;
    char *line;         /* the current line without its "\n" or "\r\n", NUL-terminated */
    size_t length;      /* bytes in line (a NUL byte inside the line counts) */
    size_t capacity;
    size_t line_number; /* of the current line, from 1 */
} clprop_text_reader;

/* Opens the file read-only. On failure writes "path: cannot open: reason" and returns
 * CLPROP_ERROR_IO (or out of host memory). */
clprop_status clprop_text_open(clprop_text_reader *reader, const char *path,
                               clprop_message *message);
/* Reads the next line into reader->line. *got is 1 for a line, 0 at the end of the file. */
clprop_status clprop_text_next_line(clprop_text_reader *reader, int *got);
void clprop_text_close(clprop_text_reader *reader);
/* 1 when the current line holds only whitespace. */
int clprop_text_line_is_blank(const clprop_text_reader *reader);

/* Opens a file read-only through zlib (plain or gzip). On failure writes the message. */
clprop_status clprop_gz_open(const char *path, clprop_message *message, gzFile *out);
/* After a failed zlib read: writes "where: cannot read: reason" and returns CLPROP_ERROR_IO, or
 * CLPROP_ERROR_FORMAT for corrupt compressed data. `where` is "path:line" or "path: byte N". */
clprop_status clprop_gz_fail(gzFile file, clprop_message *message, const char *where);

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

/* 1 when `line` is a FANN header: exactly three whole numbers; they go to counts[0..2]. */
int clprop_fann_header_parse(const char *line, size_t length, size_t counts[3]);

clprop_status clprop_load_fann(clprop_data *data, const clprop_data_source *source);
clprop_status clprop_load_csv(clprop_data *data, const clprop_data_source *source);
clprop_status clprop_load_idx(clprop_data *data, const clprop_data_source *source);

#endif
