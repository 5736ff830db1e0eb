/* Command-line values: numbers, layer lists, names, and the data-file options that train, eval and
 * predict share. Each parser reports a bad value itself, naming the flag, and returns 0. */
#ifndef CLPROP_CLI_OPTIONS_H
#define CLPROP_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "clprop.h"

#define CLI_MAX_LAYERS 64

/* Every numeric option goes through these two: the whole string, no spaces, no sign on whole
 * numbers, no hex, NaN or infinity, and the range checked; a failure names the flag. */
#define CLI_MAX_COUNT 1000000000u /* epochs, batch sizes and other counts */
#define CLI_MAX_UNITS 16777216    /* units in a layer */
typedef struct cli_range {
    double min, max;
    int min_open, max_open; /* 1: the end itself is excluded */
} cli_range;
int cli_parse_whole(const char *flag, const char *text, unsigned long long min,
                    unsigned long long max, unsigned long long *out);
int cli_parse_real(const char *flag, const char *text, cli_range range, float *out);

int cli_parse_count(const char *flag, const char *text, size_t *out);   /* 1..CLI_MAX_COUNT */
int cli_parse_seed(const char *flag, const char *text, uint64_t *out);  /* whole number ≥ 0 */
int cli_parse_positive(const char *flag, const char *text, float *out); /* finite, > 0 */
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
    const char *labels_flag;  /* the option that named `labels`, for messages; NULL: --labels */
    int inputs_only;          /* set by the command, not an option: the file may hold inputs
                                 alone (predict): a FANN header with 0 outputs, a CSV file
                                 without --targets/--label-column or with --targets 0, IDX
                                 images without --labels */
} cli_data_options;

/* Takes argv[*i] if it is one of the data options (--data, --labels, --label-column, --targets),
 * advancing *i. Returns 1 when taken; sets *bad on a missing value. */
int cli_take_data_option(int argc, char **argv, int *i, cli_data_options *data, int *bad);

/* The network and where it runs, as train and gradcheck take them. Zero means the default:
 * sigmoid hidden layers, biases, the native GEMM, the default device; the *_given flags say
 * whether the command line named the value, for defaults that depend on the others. */
typedef struct cli_network_options {
    size_t sizes[CLI_MAX_LAYERS];
    size_t size_count;
    clprop_activation hidden, output;
    clprop_loss loss;
    int hidden_given, output_given, loss_given, no_bias;
    clprop_gemm_backend gemm;
    const char *device;
    /* --layers 784,512:relu,256:tanh,10: hidden layer l's own activation, where
     * layer_activation_given[l] (1..size_count-2); the others take `hidden` */
    clprop_activation layer_activation[CLI_MAX_LAYERS];
    unsigned char layer_activation_given[CLI_MAX_LAYERS];
} cli_network_options;

/* "784,256,10" or "784,512:relu,10" into network's sizes and per-layer activations: at least
 * two sizes, each 1..CLI_MAX_UNITS, an activation only after a hidden size (the output's comes
 * from --output), never softmax. */
int cli_parse_layers(const char *flag, const char *text, cli_network_options *network);

/* The activation of each layer 1..L (activations[l - 1]): the output's, a hidden layer's own
 * from --layers, else --activation's. */
void cli_network_activations(const cli_network_options *network, clprop_activation *activations);

/* Takes argv[*i] if it is one of the network options (--layers, --activation, --output, --loss,
 * --no-bias, --gemm, --device), advancing *i past its value. Returns 1 when taken; sets *bad on
 * a missing or wrong value (reported). */
int cli_take_network_option(int argc, char **argv, int *i, cli_network_options *network, int *bad);

/* The output activation and the loss where the command line gave neither or one: cross-entropy
 * goes with softmax; without either, softmax and cross-entropy for class labels (`labels`),
 * else a linear output with squared error. */
void cli_settle_output(cli_network_options *network, int labels);

/* The library refuses a softmax over one unit (always 1: nothing learned, nothing to check); said
 * before any device work in the options' words, when --layers ends in 1. NULL when fine. */
const char *cli_softmax_units_problem(const cli_network_options *network);

/* What the network expects of a data set, when it is known before loading: its inputs per sample
 * (0: any, the data decide) and who says so ("--layers 784,128,10", "the model m.clprop"). A file
 * whose header disagrees is refused before its body is read. */
typedef struct cli_expected {
    size_t inputs;
    const char *by;
} cli_expected;

/* Loads the data set; classes (0: from the data) sets the one-hot width for class labels.
 * Reports failures (exit 1) and returns NULL. Usage errors set *usage_error. */
clprop_data *cli_load_data(const cli_data_options *options, size_t classes,
                           const cli_expected *expected, int *usage_error);

/* Whether accuracy means something for a network of `outputs` units whose output activation is
 * `output` on data whose targets are of `kind` (clprop_data_target_kind, a pass over the
 * targets the caller may have made already): it picks one class of several, the targets being
 * classes (labels, or one-hot rows of 0/1 or -1/1) or the output a softmax. The library's
 * trainer counts accuracy by the same rule, so train, eval and predict agree on the same files. */
int cli_picks_a_class(clprop_target_kind kind, size_t outputs, clprop_activation output);

#endif
