/* The clprop command: one function per subcommand, and the helpers they share. */
#ifndef CLPROP_CLI_H
#define CLPROP_CLI_H

#include "clprop.h"

/* Exit statuses: 1 for a failure of the work, 2 for bad command-line usage. */
enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };

int cli_devices(int argc, char **argv);
int cli_example(int argc, char **argv);
int cli_train(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_predict(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_gradcheck(int argc, char **argv);

/* Prints "clprop: " + the message to stderr. */
void cli_error(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* True when argv[*i] is `--name VALUE` or `--name=VALUE`; stores VALUE and advances *i. A missing
 * value is reported and sets *bad. */
int cli_option_value(int argc, char **argv, int *i, const char *name, const char **value, int *bad);

/* `text` (from the command line) fit to show in a message: control bytes as \xNN, so that nothing
 * pasted into an argument can move the cursor or recolour the terminal; cut to `size`. */
const char *cli_quote(const char *text, char *buffer, size_t size);

/* "COMMAND: unknown option ARGUMENT (see clprop COMMAND --help)". */
void cli_unknown_option(const char *command, const char *argument);

/* Flushes stdout; when anything written to it failed (a full disk, a closed pipe), reports it
 * and returns 0. */
int cli_stdout_written(void);

/* Opens a context on the device named by `selector` (NULL: $CLPROP_DEVICE or the default) with
 * the given GEMM backend; reports failures and returns NULL. */
clprop_context *cli_open_context(const char *selector, clprop_gemm_backend gemm);

#endif
