/* The bytes of a data file, plain or gzip-compressed, read through fixed buffers.
 *
 * zlib's gz* functions would do the reading, but they silently ignore anything after the end of
 * a gzip stream, so a damaged or concatenated-with-garbage file would load as if whole. Here a
 * gzip file must end where its (last) gzip member ends, a member cut short is an error at the
 * byte where the data stop, and memory stays at the two buffers whatever the file holds:
 * decompression runs only as far as the caller reads. */
#ifndef CLPROP_INPUT_STREAM_H
#define CLPROP_INPUT_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "clprop.h"
#include "message.h"

typedef struct clprop_input_stream {
    const char *path;
    clprop_message *message;
    int descriptor;
    int gzip;               /* the file starts with gzip's magic bytes 1f 8b */
    z_stream inflater;      /* used with gzip */
    int inflater_ready;
    unsigned char *raw;     /* bytes read from the file, waiting to be inflated (gzip) */
    unsigned char *buffer;  /* bytes ready for the caller */
    size_t position, have;  /* buffer[position..have) are ready */
    uint64_t offset;        /* bytes handed to the caller: the offset in the (decompressed) data */
    uint64_t file_offset;   /* bytes read from the file itself */
    int at_end;             /* the data ended cleanly */
    clprop_status failure;  /* the first failure (its message written), else CLPROP_SUCCESS */
} clprop_input_stream;

/* Opens path (a regular, non-empty file: input_file.h) and tells gzip from plain data by its first
 * bytes. Failures write one line naming path. */
clprop_status clprop_stream_open(clprop_input_stream *stream, const char *path,
                                 clprop_message *message);
void clprop_stream_close(clprop_input_stream *stream);
/* Back to the first byte. */
clprop_status clprop_stream_rewind(clprop_input_stream *stream);

/* Refills the buffer; the next byte, or -1 at the end or after a failure (stream->failure). */
int clprop_stream_refill(clprop_input_stream *stream);

/* The next byte, or -1 at the end of the data or after a failure (then stream->failure is set and
 * its message names the file and the byte). A byte at a time is cheap: this reads the buffer. */
static inline int clprop_stream_getc(clprop_input_stream *stream)
{
    if (stream->position < stream->have) {
        stream->offset++;
        return stream->buffer[stream->position++];
    }
    return clprop_stream_refill(stream);
}

/* Reads up to `size` bytes; *got < size only at the end of the data. */
clprop_status clprop_stream_read(clprop_input_stream *stream, void *bytes, size_t size,
                                 size_t *got);

#endif
