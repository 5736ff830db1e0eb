/* Command-line values: numbers, layer lists, names, and the data-file options that train, eval and
 * predict share. Each parser reports a bad value itself, naming the flag, and returns 0. */
#ifndef CLPROP_CLI_OPTIONS_H
#define CLPROP_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "clprop.h"

#define CLI_MAX_LAYERS 64

int cli_parse_count(const char *flag, const char *text, size_t *out);     /* whole number ≥ 1 */
int cli_parse_seed(const char *flag, const char *text, uint64_t *out);    /* whole number ≥ 0 */
int cli_parse_positive(const char *flag, const char *text, float *out);   /* finite, > 0 */
/* "784,256,10": at least two sizes, each ≥ 1. */
int cli_parse_layers(const char *flag, const char *text, size_t *sizes, size_t *count);
int cli_parse_activation_name(const char *flag, const char *text, clprop_activation *out);
int cli_parse_loss_name(const char *flag, const char *text, clprop_loss *out);
int cli_parse_weight_init(const char *flag, const char *text, clprop_weight_init *out);
int cli_parse_gemm(const char *flag, const char *text, clprop_gemm_backend *out);

/* Where a data set comes from, as the command line says it. */
typedef struct cli_data_options {
    const char *path;
    const char *labels;
    const char *label_column; /* "N" or "last" */
    const char *targets;      /* "K" */
} cli_data_options;

/* Takes argv[*i] if it is one of the data options (--data, --labels, --label-column, --targets),
 * advancing *i. Returns 1 when taken; sets *bad on a missing value. */
int cli_take_data_option(int argc, char **argv, int *i, cli_data_options *data, int *bad);

/* Loads the data set; classes (0: from the data) sets the one-hot width for class labels.
 * Reports failures (exit 1) and returns NULL. Usage errors set *usage_error. */
clprop_data *cli_load_data(const cli_data_options *options, size_t classes, int *usage_error);

#endif
