#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "environment.h"
#include "signals.h"

/* text into buffer with every control byte shown as \xNN (newline and tab too, unless
 * keep_layout): a file name, an option's value or a file's bytes quoted in a message never drive
 * the terminal (an escape sequence that clears the screen, say). Cut short to fit size. */
static const char *escaped(const char *text, int keep_layout, char *buffer, size_t size)
{
    size_t used = 0;
    for (const unsigned char *at = (const unsigned char *)text; *at != '\0' && used + 8 < size;
         at++) {
        int layout = keep_layout && (*at == '\n' || *at == '\t');
        if ((*at < 0x20 && !layout) || *at == 0x7f)
            used += (size_t)snprintf(buffer + used, size - used, "\\x%02x", *at);
        else
            buffer[used++] = (char)*at;
    }
    buffer[used] = '\0';
    return buffer;
}

__attribute__((format(printf, 2, 0))) static void print_error(int keep_layout, const char *format,
                                                              va_list args)
{
    char text[8192];
    vsnprintf(text, sizeof text, format, args);
    char shown[4 * sizeof text + 8]; /* each byte becomes at most four */
    fprintf(stderr, "clprop: %s\n", escaped(text, keep_layout, shown, sizeof shown));
}

void cli_error(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    print_error(0, format, args);
    va_end(args);
}

/* A kernel build's failure: its build log keeps its lines (cli_error makes one line of all). */
__attribute__((format(printf, 1, 2))) static void cli_error_with_log(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    print_error(1, format, args);
    va_end(args);
}

int cli_option_value(int argc, char **argv, int *i, const char *name, const char **value, int *bad)
{
    size_t length = strlen(name);
    const char *arg = argv[*i];
    if (strncmp(arg, name, length) != 0)
        return 0;
    if (arg[length] == '=') {
        *value = arg + length + 1;
    } else if (arg[length] != '\0') {
        return 0;
    } else if (*i + 1 >= argc) {
        cli_error("%s needs a value", name);
        *bad = 1;
        return 1;
    } else if (argv[*i + 1][0] == '-' && argv[*i + 1][1] == '-' && argv[*i + 1][2] != '\0') {
        /* `--log --save m`: the value was forgotten, and a file named "--save" would be made */
        cli_error("%s needs a value, not the option %s (a file of that name: ./%s or %s=%s)", name,
                  argv[*i + 1], argv[*i + 1], name, argv[*i + 1]);
        *bad = 1;
        return 1;
    } else {
        *i += 1;
        *value = argv[*i];
    }
    /* An empty value is a slip (`--save=`, an unset shell variable), never a file or a number. */
    if (**value == '\0') {
        cli_error("%s: the value is empty", name);
        *bad = 1;
    }
    return 1;
}

clprop_context *cli_open_context(const char *selector, clprop_gemm_backend gemm)
{
    clprop_context_desc desc = {.device = selector, .gemm = gemm};
    char problem[256];
    if (!environment_context_desc(&desc, problem, sizeof problem)) {
        cli_error("%s", problem);
        return NULL;
    }
    clprop_context *context = NULL;
    /* the driver's threads start here, with the signals blocked: they never take one */
    signals_block();
    clprop_status status = clprop_context_create(&desc, &context);
    signals_unblock();
    if (status != CLPROP_SUCCESS) {
        if (status == CLPROP_ERROR_KERNEL_BUILD)
            cli_error_with_log("%s", clprop_context_message(context));
        else
            cli_error("%s", clprop_context_message(context));
        clprop_context_destroy(context);
        return NULL;
    }
    return context;
}

int cli_stdout_written(void)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 1;
    if (errno != 0)
        cli_error("standard output: cannot write: %s", strerror(errno));
    else /* an earlier write failed, and its reason is gone with errno */
        cli_error("standard output: some of the output could not be written (a full disk or a "
                  "closed pipe?)");
    return 0;
}

const char *cli_quote(const char *text, char *buffer, size_t size)
{
    return escaped(text, 0, buffer, size);
}

void cli_unknown_option(const char *command, const char *argument)
{
    char shown[128];
    cli_error("%s: unknown option %s (see clprop %s --help)", command,
              cli_quote(argument, shown, sizeof shown), command);
}
