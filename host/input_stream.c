/* Plain or gzip data through fixed buffers, with the end of a gzip stream checked. */
#include "input_stream.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input_file.h"

#define RAW_SIZE (64u << 10)     /* compressed bytes per read() */
#define BUFFER_SIZE (128u << 10) /* bytes ready for the caller: fewer, larger reads for MNIST */

/* Records the first failure; the stream hands out nothing more. */
static int stop(clprop_input_stream *stream, clprop_status status)
{
    stream->failure = status;
    stream->position = stream->have = 0;
    return -1;
}

static int read_failed(clprop_input_stream *stream, int code)
{
    char reason[256];
    if (strerror_r(code, reason, sizeof reason) != 0)
        snprintf(reason, sizeof reason, "error %d", code);
    return stop(stream, clprop_fail(stream->message, CLPROP_ERROR_IO,
                                    "%s: byte %" PRIu64 ": cannot read: %s", stream->path,
                                    stream->offset, reason));
}

/* read() again when a signal interrupted it. */
static ssize_t read_some(int descriptor, void *bytes, size_t size)
{
    ssize_t got;
    do
        got = read(descriptor, bytes, size);
    while (got < 0 && errno == EINTR);
    return got;
}

/* More compressed bytes after those not yet inflated: 1 when some arrived, 0 at the end of the
 * file, -1 on a failure. */
static int read_raw(clprop_input_stream *stream)
{
    z_stream *inflater = &stream->inflater;
    if (inflater->avail_in > 0 && inflater->next_in != stream->raw)
        memmove(stream->raw, inflater->next_in, inflater->avail_in);
    ssize_t got = read_some(stream->descriptor, stream->raw + inflater->avail_in,
                            RAW_SIZE - inflater->avail_in);
    if (got < 0)
        return read_failed(stream, errno);
    stream->file_offset += (uint64_t)got;
    inflater->next_in = stream->raw;
    inflater->avail_in += (uInt)got;
    return got > 0;
}

/* The first bytes tell gzip (1f 8b) from plain data; plain ones go straight to the caller. */
static clprop_status start(clprop_input_stream *stream)
{
    stream->inflater.avail_in = 0;
    if (read_raw(stream) < 0)
        return stream->failure;
    const unsigned char *raw = stream->raw;
    stream->gzip = stream->inflater.avail_in >= 2 && raw[0] == 0x1f && raw[1] == 0x8b;
    if (!stream->gzip) {
        memcpy(stream->buffer, raw, stream->inflater.avail_in);
        stream->have = stream->inflater.avail_in;
        stream->inflater.avail_in = 0;
        return CLPROP_SUCCESS;
    }
    int code = stream->inflater_ready ? inflateReset(&stream->inflater)
                                      : inflateInit2(&stream->inflater, 16 + MAX_WBITS);
    if (code != Z_OK)
        return clprop_fail(stream->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "%s: out of host memory for decompressing", stream->path);
    stream->inflater_ready = 1;
    return CLPROP_SUCCESS;
}

clprop_status clprop_stream_open(clprop_input_stream *stream, const char *path,
                                 clprop_message *message)
{
    *stream = (clprop_input_stream){.path = path, .message = message, .descriptor = -1};
    uint64_t size;
    CLPROP_CHECK(clprop_input_open(path, message, &stream->descriptor, &size));
    stream->raw = malloc(RAW_SIZE);
    stream->buffer = malloc(BUFFER_SIZE);
    if (stream->raw == NULL || stream->buffer == NULL)
        return clprop_fail(message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "%s: out of host memory for the read buffers", path);
    return start(stream);
}

void clprop_stream_close(clprop_input_stream *stream)
{
    if (stream->inflater_ready)
        inflateEnd(&stream->inflater);
    if (stream->descriptor >= 0)
        close(stream->descriptor); /* read-only: nothing is lost if closing fails */
    free(stream->raw);
    free(stream->buffer);
    *stream = (clprop_input_stream){.descriptor = -1};
}

clprop_status clprop_stream_rewind(clprop_input_stream *stream)
{
    if (lseek(stream->descriptor, 0, SEEK_SET) != 0) {
        read_failed(stream, errno);
        return stream->failure;
    }
    stream->position = stream->have = 0;
    stream->offset = stream->file_offset = 0;
    stream->at_end = 0;
    stream->failure = CLPROP_SUCCESS;
    return start(stream);
}

/* ---- Refilling ------------------------------------------------------------------------------- */

static int hand_out(clprop_input_stream *stream, size_t have)
{
    stream->position = 0;
    stream->have = have;
    stream->offset++;
    return stream->buffer[stream->position++];
}

static int refill_plain(clprop_input_stream *stream)
{
    ssize_t got = read_some(stream->descriptor, stream->buffer, BUFFER_SIZE);
    if (got < 0)
        return read_failed(stream, errno);
    stream->file_offset += (uint64_t)got;
    if (got == 0) {
        stream->at_end = 1;
        stream->position = stream->have = 0;
        return -1;
    }
    return hand_out(stream, (size_t)got);
}

/* After the end of a gzip member: gzip allows another member to follow (concatenated files);
 * anything else is damage or something appended, which zlib's gzread would silently drop. 0: a
 * member follows; 1: the file ends here; -1: a failure. */
static int after_member(clprop_input_stream *stream)
{
    z_stream *inflater = &stream->inflater;
    while (inflater->avail_in < 2) {
        int got = read_raw(stream);
        if (got <= 0) {
            if (got < 0)
                return -1;
            break;
        }
    }
    if (inflater->avail_in == 0) {
        stream->at_end = 1;
        return 1;
    }
    if (inflater->avail_in >= 2 && inflater->next_in[0] == 0x1f && inflater->next_in[1] == 0x8b) {
        inflateReset(inflater);
        return 0;
    }
    return stop(stream, clprop_fail(stream->message, CLPROP_ERROR_FORMAT,
                                    "%s: byte %" PRIu64 " of the compressed file: data after the "
                                    "end of the gzip stream (the file is damaged, or something "
                                    "was appended to it)", stream->path,
                                    stream->file_offset - inflater->avail_in));
}

static int inflate_failed(clprop_input_stream *stream, int code)
{
    if (code == Z_MEM_ERROR)
        return stop(stream, clprop_fail(stream->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                                        "%s: byte %" PRIu64 ": out of host memory while "
                                        "decompressing", stream->path, stream->offset));
    const char *reason = stream->inflater.msg != NULL ? stream->inflater.msg : "unknown error";
    return stop(stream, clprop_fail(stream->message, CLPROP_ERROR_FORMAT,
                                    "%s: byte %" PRIu64 ": corrupt gzip data: %s", stream->path,
                                    stream->offset, reason));
}

/* Inflates until some bytes are ready, the data end, or something is wrong. */
static int refill_gzip(clprop_input_stream *stream)
{
    z_stream *inflater = &stream->inflater;
    inflater->next_out = stream->buffer;
    inflater->avail_out = BUFFER_SIZE;
    while (inflater->avail_out == BUFFER_SIZE) {
        if (inflater->avail_in == 0) {
            int got = read_raw(stream);
            if (got < 0)
                return -1;
            if (got == 0)
                return stop(stream, clprop_fail(stream->message, CLPROP_ERROR_FORMAT,
                                                "%s: byte %" PRIu64 ": the gzip data ends early "
                                                "(the file is truncated)", stream->path,
                                                stream->offset));
        }
        int code = inflate(inflater, Z_NO_FLUSH);
        if (code == Z_STREAM_END) {
            int after = after_member(stream);
            if (after < 0)
                return -1;
            if (after > 0)
                break;
        } else if (code != Z_OK && code != Z_BUF_ERROR) {
            return inflate_failed(stream, code);
        }
    }
    size_t produced = BUFFER_SIZE - inflater->avail_out;
    if (produced == 0) {
        stream->position = stream->have = 0;
        return -1;
    }
    return hand_out(stream, produced);
}

int clprop_stream_refill(clprop_input_stream *stream)
{
    if (stream->failure != CLPROP_SUCCESS || stream->at_end || stream->descriptor < 0)
        return -1;
    return stream->gzip ? refill_gzip(stream) : refill_plain(stream);
}

clprop_status clprop_stream_read(clprop_input_stream *stream, void *bytes, size_t size,
                                 size_t *got)
{
    unsigned char *out = bytes;
    size_t done = 0;
    while (done < size) {
        if (stream->position == stream->have) {
            int byte = clprop_stream_refill(stream);
            if (byte < 0)
                break;
            out[done++] = (unsigned char)byte;
            continue;
        }
        size_t piece = stream->have - stream->position;
        if (piece > size - done)
            piece = size - done;
        memcpy(out + done, stream->buffer + stream->position, piece);
        stream->position += piece;
        stream->offset += piece;
        done += piece;
    }
    *got = done;
    return stream->failure;
}
