#include "message.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Control bytes of a message's text as \xNN, in place, cut short where the message is full: a
 * file name or a value with a newline or an escape sequence in it keeps the message one line that
 * drives no terminal. keep_layout keeps newlines and tabs (a build log's lines), and still shows
 * the rest (a compiler's colour sequences). The command escapes what it prints the same way
 * (host/cli/common.c), being a user of the public API only. */
static void escape_controls(clprop_message *message, int keep_layout)
{
    char escaped[sizeof message->text];
    size_t used = 0;
    for (const unsigned char *at = (const unsigned char *)message->text;
         *at != '\0' && used + 5 < sizeof escaped; at++) {
        int layout = keep_layout && (*at == '\n' || *at == '\t');
        if ((*at < 0x20 && !layout) || *at == 0x7f)
            used += (size_t)snprintf(escaped + used, sizeof escaped - used, "\\x%02x", *at);
        else
            escaped[used++] = (char)*at;
    }
    escaped[used] = '\0';
    memcpy(message->text, escaped, used + 1);
}

clprop_status clprop_fail(clprop_message *message, clprop_status status, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(message->text, sizeof message->text, format, args);
    va_end(args);
    /* a kernel build's log keeps its lines; every other message is one line */
    escape_controls(message, status == CLPROP_ERROR_KERNEL_BUILD);
    return status;
}

void clprop_copy_message(char *buffer, size_t size, const char *text)
{
    if (buffer == NULL || size == 0)
        return;
    snprintf(buffer, size, "%s", text);
}

/* The escaped form of one byte: 1, 2 or 4 characters. */
static size_t escape_byte(char *out, unsigned char byte)
{
    if (byte == '\\' || byte == '"') {
        out[0] = '\\';
        out[1] = (char)byte;
        return 2;
    }
    if (byte >= 0x20 && byte < 0x7f) {
        out[0] = (char)byte;
        return 1;
    }
    static const char hex[] = "0123456789abcdef";
    out[0] = '\\';
    out[1] = 'x';
    out[2] = hex[byte >> 4];
    out[3] = hex[byte & 15];
    return 4;
}

const char *clprop_quote(char buffer[CLPROP_QUOTE_SIZE], const char *text, size_t length)
{
    size_t shown = length > CLPROP_QUOTE_BYTES ? CLPROP_QUOTE_BYTES : length, used = 0;
    for (size_t i = 0; i < shown; i++)
        used += escape_byte(buffer + used, (unsigned char)text[i]);
    if (shown < length) {
        memcpy(buffer + used, "...", 3);
        used += 3;
    }
    buffer[used] = '\0';
    return buffer;
}
