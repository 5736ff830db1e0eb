/* The per-handle error message: every handle embeds one, and every failure writes it once. */
#ifndef CLPROP_MESSAGE_H
#define CLPROP_MESSAGE_H

#include "clprop.h"

#define CLPROP_MESSAGE_SIZE 4096 /* room for a kernel build log excerpt */

typedef struct clprop_message {
    char text[CLPROP_MESSAGE_SIZE];
} clprop_message;

/* Formats the message and returns `status`, so a failure reads `return fail(&m, status, ...)`.
 * The message is one line: control bytes (a newline in a file name, say) become \xNN, except the
 * newlines and tabs of a CLPROP_ERROR_KERNEL_BUILD message, whose build log keeps its lines. */
clprop_status clprop_fail(clprop_message *message, clprop_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Returns from the calling function with the status of `call` unless it succeeded. */
#define CLPROP_CHECK(call)                                                                      \
    do {                                                                                        \
        clprop_status check_status_ = (call);                                                   \
        if (check_status_ != CLPROP_SUCCESS)                                                    \
            return check_status_;                                                               \
    } while (0)

/* Copies text into a caller's buffer (may be NULL or zero-sized), always NUL-terminated. */
void clprop_copy_message(char *buffer, size_t size, const char *text);

/* Input bytes shown in a message, escaped: printable ASCII as it is, a backslash or double quote
 * with a backslash before it, every other byte (control characters, bytes above 0x7e) as \xNN, so
 * no byte read from a file reaches a terminal raw. At most CLPROP_QUOTE_BYTES bytes of the text are
 * shown, then "...". */
#define CLPROP_QUOTE_BYTES 40
#define CLPROP_QUOTE_SIZE (4 * CLPROP_QUOTE_BYTES + 4)

/* Writes text[0..length) escaped into buffer (CLPROP_QUOTE_SIZE bytes) and returns buffer, for
 * use as an argument: clprop_fail(m, s, "found \"%s\"", clprop_quote(shown, text, length)). */
const char *clprop_quote(char buffer[CLPROP_QUOTE_SIZE], const char *text, size_t length);

#endif
