/* Telling a data file's format from its content: IDX by its magic number, FANN by its header
 * line, CSV otherwise; and saying what a file is when it is none of them. Public as
 * clprop_data_detect_format, so a caller can ask for CSV's options before loading. */
#include "data_internal.h"

#include <string.h>

#define IDX_MAGIC_BYTES 4

/* 0x00000801 to 0x00000803: unsigned bytes in 1 to 3 dimensions (labels, images). */
static int is_idx_magic(const unsigned char bytes[IDX_MAGIC_BYTES])
{
    return bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0x08 && bytes[3] >= 0x01 &&
           bytes[3] <= 0x03;
}

/* 1 when the file's (decompressed) data start with an IDX magic number. */
static clprop_status starts_as_idx(const char *path, clprop_message *message, int *idx)
{
    clprop_input_stream stream;
    unsigned char magic[IDX_MAGIC_BYTES];
    size_t got = 0;
    clprop_status status = clprop_stream_open(&stream, path, message);
    if (status == CLPROP_SUCCESS)
        status = clprop_stream_read(&stream, magic, sizeof magic, &got);
    clprop_stream_close(&stream);
    *idx = status == CLPROP_SUCCESS && got == sizeof magic && is_idx_magic(magic);
    return status;
}

/* FANN when the first non-blank line is its header, else CSV. A header with a word too many and
 * no comma is neither, and is refused here rather than misread as a CSV row. */
static clprop_status detect_text_format(clprop_text_reader *reader, clprop_data_format *format)
{
    int got;
    do {
        CLPROP_CHECK(clprop_text_next_line(reader, &got));
    } while (got && clprop_text_line_is_blank(reader));
    if (!got)
        return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                           "%s: no data (the file is empty or blank)", reader->path);
    clprop_fann_header header;
    clprop_fann_line kind = clprop_fann_header_scan(reader->line, reader->length, &header);
    if (kind == CLPROP_FANN_LINE_HEADER || kind == CLPROP_FANN_LINE_NOT_COUNTS) {
        *format = CLPROP_DATA_FANN;
        return CLPROP_SUCCESS;
    }
    if (kind == CLPROP_FANN_LINE_EXTRA && memchr(reader->line, ',', reader->length) == NULL)
        return clprop_fann_header_refuse(reader, kind, &header);
    *format = CLPROP_DATA_CSV;
    return CLPROP_SUCCESS;
}

clprop_status clprop_data_detect(const char *path, int csv_hint, clprop_message *message,
                                 clprop_data_format *format)
{
    int idx;
    CLPROP_CHECK(starts_as_idx(path, message, &idx));
    if (idx) {
        *format = CLPROP_DATA_IDX;
        return CLPROP_SUCCESS;
    }
    /* Opening as text refuses models, UTF-16 and binary data, with CSV options or without. */
    clprop_text_reader reader;
    clprop_status status = clprop_text_open(&reader, path, message);
    if (status == CLPROP_SUCCESS && csv_hint)
        *format = CLPROP_DATA_CSV;
    else if (status == CLPROP_SUCCESS)
        status = detect_text_format(&reader, format);
    clprop_text_close(&reader);
    return status;
}

clprop_status clprop_data_detect_format(const char *path, clprop_data_format *format,
                                        char *message, size_t message_size)
{
    clprop_message found = {{0}};
    clprop_status status;
    if (path == NULL || format == NULL)
        status = clprop_fail(&found, CLPROP_ERROR_INVALID_ARGUMENT,
                             "clprop_data_detect_format: %s is NULL",
                             path == NULL ? "path" : "format");
    else
        status = clprop_data_detect(path, 0, &found, format);
    clprop_copy_message(message, message_size, found.text);
    return status;
}
