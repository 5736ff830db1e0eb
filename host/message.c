#include "message.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

clprop_status clprop_fail(clprop_message *message, clprop_status status, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(message->text, sizeof message->text, format, args);
    va_end(args);
    return status;
}

void clprop_copy_message(char *buffer, size_t size, const char *text)
{
    if (buffer == NULL || size == 0)
        return;
    snprintf(buffer, size, "%s", text);
}
