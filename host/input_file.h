/* Input files: every loader (data sets and models) opens what it reads here, so a path that is not
 * a regular file with something in it is refused the same way everywhere, before a read could
 * block on a FIFO or never end on a device. */
#ifndef CLPROP_INPUT_FILE_H
#define CLPROP_INPUT_FILE_H

#include <stdint.h>
#include <sys/types.h>

#include "clprop.h"
#include "message.h"

/* Opens path read-only when it names a regular file that is not empty; a symbolic link is judged
 * by the file it points to. A directory, FIFO, device or socket is refused without being opened
 * for reading ("PATH: is a FIFO (named pipe), not a regular file"), a missing or unreadable file
 * with CLPROP_ERROR_IO ("PATH: cannot open: reason"), an empty one with CLPROP_ERROR_FORMAT
 * ("PATH: is empty"). On success *descriptor is open (blocking, close-on-exec) and *size is the
 * file's length. */
clprop_status clprop_input_open(const char *path, clprop_message *message, int *descriptor,
                                uint64_t *size);

/* What a file that is not regular is, as messages say it: "a directory", "a FIFO (named pipe)",
 * "a character device", ... (output_file.c refuses to replace the same kinds). */
const char *clprop_file_kind(mode_t mode);

/* The length of the UTF-8 byte order mark that bytes[0..length) starts with (an editor's or a
 * spreadsheet's, before text: the text readers pass over it), or 0 when it starts with none. */
size_t clprop_byte_order_mark_length(const void *bytes, size_t length);

#endif
