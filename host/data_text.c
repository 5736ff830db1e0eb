/* Lines of a text data file (FANN, CSV), plain or gzip-compressed, and the refusal of what is not
 * text: a file is read as text only after its first bytes and then every byte say it is one, so a
 * model, an image file or UTF-16 given as data fails at once with what it is, not as a puzzling
 * "not a number" further on. */
#include "data_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "input_file.h"
#include "model_internal.h"

#define JSON_MODEL_NAME "\"clprop-model\"" /* the "format" of a JSON model export */

/* ---- The first bytes ------------------------------------------------------------------------- */

/* ASCII in UTF-16 puts a NUL beside every character: NULs on one parity of offsets only, at
 * least half of them. */
static int looks_like_utf16(const unsigned char *head, size_t size)
{
    size_t pairs = size / 2, nul_even = 0, nul_odd = 0;
    for (size_t i = 0; i < 2 * pairs; i += 2) {
        nul_even += head[i] == 0;
        nul_odd += head[i + 1] == 0;
    }
    return pairs >= 2 && ((nul_odd * 2 >= pairs && nul_even == 0) ||
                          (nul_even * 2 >= pairs && nul_odd == 0));
}

/* A JSON model export: '{' first (after white space) and its format name near the start. */
static int looks_like_json_model(const unsigned char *head, size_t size)
{
    size_t i = 0;
    while (i < size && isspace(head[i]))
        i++;
    if (i == size || head[i] != '{')
        return 0;
    size_t name = sizeof JSON_MODEL_NAME - 1;
    for (; i + name <= size; i++)
        if (memcmp(head + i, JSON_MODEL_NAME, name) == 0)
            return 1;
    return 0;
}

clprop_status clprop_text_check_head(const char *path, clprop_message *message,
                                     const unsigned char *head, size_t size)
{
    if (size >= CLPROP_MODEL_MAGIC_SIZE &&
        memcmp(head, CLPROP_MODEL_MAGIC, CLPROP_MODEL_MAGIC_SIZE) == 0)
        return clprop_fail(message, CLPROP_ERROR_FORMAT,
                           "%s: byte 0: is a clprop model file, not a data set", path);
    if (size >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)))
        return clprop_fail(message, CLPROP_ERROR_FORMAT,
                           "%s: byte 0: is UTF-16 text (it starts with a UTF-16 byte-order mark); "
                           "clprop reads ASCII or UTF-8: convert it (iconv -f UTF-16 -t UTF-8)",
                           path);
    const unsigned char *nul = memchr(head, 0, size);
    if (nul != NULL && looks_like_utf16(head, size))
        return clprop_fail(message, CLPROP_ERROR_FORMAT,
                           "%s: byte %zu: is UTF-16 text (NUL bytes between the characters); "
                           "clprop reads ASCII or UTF-8: convert it (iconv -f UTF-16 -t UTF-8)",
                           path, (size_t)(nul - head));
    if (nul != NULL)
        return clprop_fail(message, CLPROP_ERROR_FORMAT,
                           "%s: byte %zu: a NUL byte: this is a binary file, not a text data set "
                           "(FANN or CSV)", path, (size_t)(nul - head));
    if (looks_like_json_model(head, size))
        return clprop_fail(message, CLPROP_ERROR_FORMAT,
                           "%s: byte 0: is a clprop JSON model export, not a data set", path);
    return CLPROP_SUCCESS;
}

/* ---- Opening and closing --------------------------------------------------------------------- */

clprop_status clprop_text_open(clprop_text_reader *reader, const char *path,
                               clprop_message *message)
{
    *reader = (clprop_text_reader){.path = path, .message = message};
    CLPROP_CHECK(clprop_stream_open(&reader->stream, path, message));
    unsigned char head[CLPROP_TEXT_HEAD_BYTES];
    size_t got;
    CLPROP_CHECK(clprop_stream_read(&reader->stream, head, sizeof head, &got));
    CLPROP_CHECK(clprop_text_check_head(path, message, head, got));
    return clprop_stream_rewind(&reader->stream);
}

void clprop_text_close(clprop_text_reader *reader)
{
    clprop_stream_close(&reader->stream);
    free(reader->line);
    *reader = (clprop_text_reader){.stream.descriptor = -1};
}

/* ---- Lines ----------------------------------------------------------------------------------- */

/* Doubles the line's room, up to one byte past the longest line allowed. */
static int grow_line(clprop_text_reader *reader)
{
    size_t capacity = reader->capacity < 256 ? 256 : 2 * reader->capacity;
    if (capacity > CLPROP_MAX_LINE_BYTES + 1)
        capacity = CLPROP_MAX_LINE_BYTES + 1;
    char *grown = realloc(reader->line, capacity);
    if (grown == NULL)
        return -1;
    reader->line = grown;
    reader->capacity = capacity;
    return 0;
}

static clprop_status not_text(clprop_text_reader *reader, int byte)
{
    char shown[CLPROP_QUOTE_SIZE], text = (char)byte;
    return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                       "%s:%zu: byte %" PRIu64 " is \"%s\", which is not text: a binary file? "
                       "(FANN and CSV data are text)", reader->path, reader->line_number + 1,
                       reader->stream.offset - 1, clprop_quote(shown, &text, 1));
}

/* After a carriage return: a line feed ends a CRLF line, as does the end of the file; anything
 * else means lines ending in CR alone, which would otherwise read as one enormous line. */
static clprop_status carriage_return(clprop_text_reader *reader)
{
    uint64_t at = reader->stream.offset - 1;
    int next = clprop_stream_getc(&reader->stream);
    if (next == '\n' || (next == -1 && reader->stream.failure == CLPROP_SUCCESS))
        return CLPROP_SUCCESS;
    if (next == -1)
        return reader->stream.failure;
    return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                       "%s:%zu: byte %" PRIu64 ": a carriage return without a line feed: old Mac "
                       "(CR-only) line endings; convert them to \\n (tr '\\r' '\\n')", reader->path,
                       reader->line_number + 1, at);
}

static clprop_status too_long(clprop_text_reader *reader)
{
    return clprop_fail(reader->message, CLPROP_ERROR_FORMAT,
                       "%s:%zu: the line is longer than %u MiB: this is not a FANN or CSV data "
                       "file (their lines are far shorter)", reader->path, reader->line_number + 1,
                       CLPROP_MAX_LINE_BYTES >> 20);
}

/* Reads the bytes of one line into reader->line, up to a line feed, a CRLF or the end of the file,
 * refusing what is not text as it comes. */
static clprop_status read_line_bytes(clprop_text_reader *reader, size_t *length)
{
    int c;
    *length = 0;
    while ((c = clprop_stream_getc(&reader->stream)) != -1 && c != '\n') {
        if (c < 0x20 || c == 0x7f) {
            if (c == '\r')
                return carriage_return(reader);
            if (c != '\t' && c != '\v' && c != '\f')
                return not_text(reader, c);
        }
        if (*length == CLPROP_MAX_LINE_BYTES)
            return too_long(reader);
        if (*length + 1 >= reader->capacity && grow_line(reader) != 0)
            return clprop_fail(reader->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                               "%s:%zu: out of host memory for a line of %zu bytes", reader->path,
                               reader->line_number + 1, *length);
        reader->line[(*length)++] = (char)c;
    }
    return reader->stream.failure;
}

clprop_status clprop_text_next_line(clprop_text_reader *reader, int *got)
{
    *got = 0;
    uint64_t start = reader->stream.offset;
    size_t length;
    CLPROP_CHECK(read_line_bytes(reader, &length));
    if (reader->stream.offset == start) /* not even a line feed: the end of the file */
        return CLPROP_SUCCESS;
    if (reader->capacity == 0 && grow_line(reader) != 0)
        return clprop_fail(reader->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "%s:%zu: out of host memory", reader->path, reader->line_number + 1);
    /* A UTF-8 byte-order mark (spreadsheets write one) would make a numeric first row look like
     * a CSV header and vanish. */
    size_t mark =
        reader->line_number == 0 ? clprop_byte_order_mark_length(reader->line, length) : 0;
    if (mark > 0) {
        memmove(reader->line, reader->line + mark, length - mark);
        length -= mark;
    }
    reader->line[length] = '\0';
    reader->length = length;
    reader->line_number++;
    *got = 1;
    return CLPROP_SUCCESS;
}

int clprop_text_line_is_blank(const clprop_text_reader *reader)
{
    for (size_t i = 0; i < reader->length; i++)
        if (!isspace((unsigned char)reader->line[i]))
            return 0;
    return 1;
}
