/* The per-handle error message: every handle embeds one, and every failure writes it once. */
#ifndef CLPROP_MESSAGE_H
#define CLPROP_MESSAGE_H

#include "clprop.h"

#define CLPROP_MESSAGE_SIZE 4096 /* room for a kernel build log excerpt */

typedef struct clprop_message {
    char text[CLPROP_MESSAGE_SIZE];
} clprop_message;

/* Formats the message and returns `status`, so a failure reads `return fail(&m, status, ...)`. */
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

#endif
