#include "options.h"

#include <errno.h>
#include <float.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Only [0-9]+: no spaces, sign, hex or anything after the digits. */
static int all_digits(const char *text)
{
    if (*text == '\0')
        return 0;
    for (; *text != '\0'; text++)
        if (*text < '0' || *text > '9')
            return 0;
    return 1;
}

int cli_parse_whole(const char *flag, const char *text, unsigned long long min,
                    unsigned long long max, unsigned long long *out)
{
    char shown[128];
    if (!all_digits(text)) {
        cli_error("%s: expected a whole number (digits only), not \"%s\"", flag,
                  cli_quote(text, shown, sizeof shown));
        return 0;
    }
    errno = 0;
    unsigned long long value = strtoull(text, NULL, 10);
    if (errno != 0 || value < min || value > max) {
        cli_error("%s: must be from %llu to %llu, not %s", flag, min, max, text);
        return 0;
    }
    *out = value;
    return 1;
}

/* A plain decimal: digits with at most one point, then an optional exponent; a leading '-' is
 * accepted here so that the range check can say what is wrong with a negative number. */
static int is_decimal(const char *text)
{
    const char *at = text + (*text == '-');
    size_t digits = 0;
    for (; *at >= '0' && *at <= '9'; at++)
        digits++;
    if (*at == '.')
        for (at++; *at >= '0' && *at <= '9'; at++)
            digits++;
    if (digits == 0)
        return 0;
    if (*at == 'e' || *at == 'E') {
        at += at[1] == '-' || at[1] == '+' ? 2 : 1;
        if (*at < '0' || *at > '9')
            return 0;
        while (*at >= '0' && *at <= '9')
            at++;
    }
    return *at == '\0';
}

static int in_range(double value, cli_range range)
{
    return (value > range.min || (value == range.min && !range.min_open)) &&
           (value < range.max || (value == range.max && !range.max_open));
}

int cli_parse_real(const char *flag, const char *text, cli_range range, float *out)
{
    char shown[128];
    if (!is_decimal(text)) {
        cli_error("%s: expected a decimal number like 0.25 or 1e-3, not \"%s\"", flag,
                  cli_quote(text, shown, sizeof shown));
        return 0;
    }
    double value = strtod(text, NULL);
    float single = (float)value;
    if (value != 0.0 && (single == 0.0f || !isfinite(single))) {
        cli_error("%s: %s is beyond what single precision holds", flag, text);
        return 0;
    }
    /* the value the library gets is the float: 0.99999999 is 1 there */
    int rounded_out = in_range(value, range) && !in_range((double)single, range);
    if (!in_range(value, range) || rounded_out) {
        char rounded[64] = "";
        if (rounded_out)
            snprintf(rounded, sizeof rounded, " (%.9g in single precision)", (double)single);
        cli_error("%s: must be %s %g and %s %g, not %s%s", flag, range.min_open ? "above" : "from",
                  range.min, range.max_open ? "below" : "up to", range.max, text, rounded);
        return 0;
    }
    *out = single;
    return 1;
}

int cli_parse_count(const char *flag, const char *text, size_t *out)
{
    unsigned long long value;
    if (!cli_parse_whole(flag, text, 1, CLI_MAX_COUNT, &value))
        return 0;
    *out = (size_t)value;
    return 1;
}

int cli_parse_seed(const char *flag, const char *text, uint64_t *out)
{
    unsigned long long value;
    if (!cli_parse_whole(flag, text, 0, UINT64_MAX, &value))
        return 0;
    *out = value;
    return 1;
}

int cli_parse_positive(const char *flag, const char *text, float *out)
{
    return cli_parse_real(flag, text, (cli_range){0.0, FLT_MAX, 1, 0}, out);
}

/* The size part of one --layers item: digits, 1..CLI_MAX_UNITS. */
static int parse_layer_size(const char *flag, size_t layer, const char *size, size_t *out)
{
    char shown[128];
    unsigned long long value;
    if (!all_digits(size) || (value = strtoull(size, NULL, 10)) > CLI_MAX_UNITS) {
        cli_error("%s: layer %zu: expected a number of units from 1 to %d, not \"%s\"", flag, layer,
                  CLI_MAX_UNITS, cli_quote(size, shown, sizeof shown));
        return 0;
    }
    if (value < 1) {
        cli_error("%s: layer %zu has 0 units; every layer needs at least 1", flag, layer);
        return 0;
    }
    *out = (size_t)value;
    return 1;
}

/* The activation part of one --layers item ("relu" of "512:relu"), for hidden layers only. */
static int parse_layer_activation(const char *flag, size_t layer, const char *item,
                                  const char *name, clprop_activation *out)
{
    char shown[128];
    if (*name == '\0') {
        cli_error("%s: layer %zu \"%s\" has nothing after its colon; name an activation, like "
                  "512:relu, or leave the colon out",
                  flag, layer, cli_quote(item, shown, sizeof shown));
        return 0;
    }
    if (strchr(name, ':') != NULL) {
        cli_error("%s: layer %zu \"%s\" has more than one colon; a layer takes one activation",
                  flag, layer, cli_quote(item, shown, sizeof shown));
        return 0;
    }
    if (!clprop_activation_from_name(name, out)) {
        cli_error("%s: layer %zu: unknown activation \"%s\" (sigmoid, tanh, relu, leaky-relu, "
                  "linear)",
                  flag, layer, cli_quote(name, shown, sizeof shown));
        return 0;
    }
    if (*out == CLPROP_ACTIVATION_SOFTMAX) {
        cli_error("%s: layer %zu: softmax is for the output layer only (--output softmax)", flag,
                  layer);
        return 0;
    }
    return 1;
}

/* One item of --layers, "SIZE" or "SIZE:ACTIVATION", `length` bytes at `at`. */
static int parse_layer_item(const char *flag, const char *text, size_t layer, const char *at,
                            size_t length, cli_network_options *network)
{
    char item[64], shown[128];
    if (length == 0) {
        cli_error("%s: layer %zu is empty in \"%s\"; expected sizes like 784,256,10", flag, layer,
                  cli_quote(text, shown, sizeof shown));
        return 0;
    }
    if (length >= sizeof item) {
        cli_error("%s: layer %zu is too long in \"%s\"; expected sizes like 784,256,10", flag,
                  layer, cli_quote(text, shown, sizeof shown));
        return 0;
    }
    memcpy(item, at, length);
    item[length] = '\0';
    char *colon = strchr(item, ':');
    if (colon == item) {
        cli_error("%s: layer %zu \"%s\" has no size before its colon; expected one like 512:relu",
                  flag, layer, cli_quote(item, shown, sizeof shown));
        return 0;
    }
    if (colon != NULL && layer == 0) {
        cli_error("%s: the input size takes no activation; name one after a hidden size, like "
                  "784,128:relu,10",
                  flag);
        return 0;
    }
    if (colon != NULL) {
        if (!parse_layer_activation(flag, layer, item, colon + 1,
                                    &network->layer_activation[layer]))
            return 0;
        network->layer_activation_given[layer] = 1;
        *colon = '\0';
    }
    return parse_layer_size(flag, layer, item, &network->sizes[layer]);
}

int cli_parse_layers(const char *flag, const char *text, cli_network_options *network)
{
    size_t n = 0;
    const char *at = text;
    memset(network->layer_activation_given, 0, sizeof network->layer_activation_given);
    while (1) {
        if (n == CLI_MAX_LAYERS) {
            cli_error("%s: at most %d layers", flag, CLI_MAX_LAYERS);
            return 0;
        }
        size_t length = strcspn(at, ",");
        if (!parse_layer_item(flag, text, n, at, length, network))
            return 0;
        n++;
        if (at[length] == '\0')
            break;
        at += length + 1;
    }
    if (n < 2) {
        cli_error("%s: needs at least an input and an output size, like 2,1", flag);
        return 0;
    }
    if (network->layer_activation_given[n - 1]) {
        cli_error("%s: the output layer's activation comes from --output (--output %s), not from "
                  "--layers",
                  flag, clprop_activation_name(network->layer_activation[n - 1]));
        return 0;
    }
    network->size_count = n;
    return 1;
}

void cli_network_activations(const cli_network_options *network, clprop_activation *activations)
{
    size_t layers = network->size_count - 1;
    for (size_t l = 1; l <= layers; l++)
        activations[l - 1] = l == layers                          ? network->output
                             : network->layer_activation_given[l] ? network->layer_activation[l]
                                                                  : network->hidden;
}

int cli_parse_activation_name(const char *flag, const char *text, clprop_activation *out)
{
    if (!clprop_activation_from_name(text, out)) {
        char shown[128];
        cli_error("%s: unknown activation \"%s\" (sigmoid, tanh, relu, leaky-relu, linear, "
                  "softmax)",
                  flag, cli_quote(text, shown, sizeof shown));
        return 0;
    }
    return 1;
}

int cli_parse_loss_name(const char *flag, const char *text, clprop_loss *out)
{
    if (!clprop_loss_from_name(text, out)) {
        char shown[128];
        cli_error("%s: unknown loss \"%s\" (mse, ce)", flag, cli_quote(text, shown, sizeof shown));
        return 0;
    }
    return 1;
}

int cli_parse_weight_init(const char *flag, const char *text, clprop_weight_init *out)
{
    if (clprop_weight_init_from_name(text, out))
        return 1;
    char shown[128];
    cli_error("%s: expected auto, glorot or he, not \"%s\"", flag,
              cli_quote(text, shown, sizeof shown));
    return 0;
}

int cli_parse_gemm(const char *flag, const char *text, clprop_gemm_backend *out)
{
    if (clprop_gemm_backend_from_name(text, out))
        return 1;
    char shown[128];
    cli_error("%s: expected native, clblast or auto, not \"%s\"", flag,
              cli_quote(text, shown, sizeof shown));
    return 0;
}

int cli_take_data_option(int argc, char **argv, int *i, cli_data_options *data, int *bad)
{
    return cli_option_value(argc, argv, i, "--data", &data->path, bad) ||
           cli_option_value(argc, argv, i, "--labels", &data->labels, bad) ||
           cli_option_value(argc, argv, i, "--label-column", &data->label_column, bad) ||
           cli_option_value(argc, argv, i, "--targets", &data->targets, bad);
}

int cli_take_network_option(int argc, char **argv, int *i, cli_network_options *network, int *bad)
{
    const char *value = NULL;
    if (strcmp(argv[*i], "--no-bias") == 0)
        return network->no_bias = 1;
    if (cli_option_value(argc, argv, i, "--device", &network->device, bad))
        return 1;
    if (cli_option_value(argc, argv, i, "--layers", &value, bad)) {
        *bad = *bad || !cli_parse_layers("--layers", value, network);
    } else if (cli_option_value(argc, argv, i, "--activation", &value, bad)) {
        *bad = *bad || !cli_parse_activation_name("--activation", value, &network->hidden);
        network->hidden_given = 1;
    } else if (cli_option_value(argc, argv, i, "--output", &value, bad)) {
        *bad = *bad || !cli_parse_activation_name("--output", value, &network->output);
        network->output_given = 1;
    } else if (cli_option_value(argc, argv, i, "--loss", &value, bad)) {
        *bad = *bad || !cli_parse_loss_name("--loss", value, &network->loss);
        network->loss_given = 1;
    } else if (cli_option_value(argc, argv, i, "--gemm", &value, bad)) {
        *bad = *bad || !cli_parse_gemm("--gemm", value, &network->gemm);
    } else {
        return 0;
    }
    return 1;
}

void cli_settle_output(cli_network_options *network, int labels)
{
    int cross_entropy = network->loss_given && network->loss == CLPROP_LOSS_CROSS_ENTROPY;
    if (!network->output_given)
        network->output = cross_entropy || (labels && !network->loss_given)
                              ? CLPROP_ACTIVATION_SOFTMAX
                              : CLPROP_ACTIVATION_LINEAR;
    if (!network->loss_given)
        network->loss = network->output == CLPROP_ACTIVATION_SOFTMAX ? CLPROP_LOSS_CROSS_ENTROPY
                                                                     : CLPROP_LOSS_MSE;
}

const char *cli_softmax_units_problem(const cli_network_options *network)
{
    size_t count = network->size_count;
    if (network->output != CLPROP_ACTIVATION_SOFTMAX || count == 0 ||
        network->sizes[count - 1] >= 2)
        return NULL;
    return "--output softmax needs 2 output units or more (over one it is always 1, and every "
           "gradient 0): --layers ...,N with N >= 2";
}

static int parse_label_column(const char *text, long *column)
{
    if (strcmp(text, "last") == 0) {
        *column = -1;
        return 1;
    }
    size_t value;
    if (!cli_parse_count("--label-column", text, &value))
        return 0;
    *column = (long)value;
    return 1;
}

/* The command line must say what a data file holds when the file cannot: a CSV file needs
 * --targets or --label-column (one of them), IDX images need --labels, and --labels goes only
 * with IDX images. A usage error (reported) returns 0; a file that is no data set at all is left
 * to the loader to report. */
static int check_options_fit_the_file(const cli_data_options *options, int *usage_error)
{
    if (options->targets != NULL && options->label_column != NULL) {
        cli_error("--targets and --label-column both say where a CSV file's targets are; give one");
        *usage_error = 1;
        return 0;
    }
    clprop_data_format format;
    if (clprop_data_detect_format(options->path, &format, NULL, 0) != CLPROP_SUCCESS)
        return 1;
    char shown[512];
    const char *path = cli_quote(options->path, shown, sizeof shown);
    const char *labels = options->labels_flag != NULL ? options->labels_flag : "--labels";
    if (format == CLPROP_DATA_IDX && options->labels == NULL && !options->inputs_only) {
        cli_error("%s: IDX images, which need %s FILE (the IDX labels file)", path, labels);
        *usage_error = 1;
        return 0;
    }
    if (format == CLPROP_DATA_CSV && options->labels == NULL && options->targets == NULL &&
        options->label_column == NULL && !options->inputs_only) { /* (--labels on a CSV file is refused below) */
        cli_error("%s: read as CSV (it is neither IDX nor FANN), which needs --targets K (its last "
                  "K columns are the targets) or --label-column N (column N, from 1, or last, "
                  "holds class labels 0..C-1)",
                  path);
        *usage_error = 1;
        return 0;
    }
    if (format != CLPROP_DATA_CSV && (options->targets != NULL || options->label_column != NULL)) {
        cli_error("%s: %s is for CSV files, and this one is %s", path,
                  options->targets != NULL ? "--targets" : "--label-column",
                  format == CLPROP_DATA_IDX ? "IDX" : "FANN");
        *usage_error = 1;
        return 0;
    }
    if (format != CLPROP_DATA_IDX && options->labels != NULL) {
        cli_error("%s: %s goes with IDX images, and this is a %s file (its targets are in it)",
                  path, labels, format == CLPROP_DATA_FANN ? "FANN" : "CSV");
        *usage_error = 1;
        return 0;
    }
    return 1;
}

/* Read as inputs alone because the command line said nothing about a CSV file's columns. */
static int csv_without_columns_said(const cli_data_options *options)
{
    clprop_data_format format;
    return options->inputs_only && options->targets == NULL && options->label_column == NULL &&
           clprop_data_detect_format(options->path, &format, NULL, 0) == CLPROP_SUCCESS &&
           format == CLPROP_DATA_CSV;
}

clprop_data *cli_load_data(const cli_data_options *options, size_t classes,
                           const cli_expected *expected, int *usage_error)
{
    if (!check_options_fit_the_file(options, usage_error))
        return NULL;
    /* --labels only goes with IDX images: say so, so that damaged images are reported as IDX
     * rather than guessed to be some other format. */
    clprop_data_source source = {.path = options->path,
                                 .labels_path = options->labels,
                                 .format =
                                     options->labels != NULL ? CLPROP_DATA_IDX : CLPROP_DATA_AUTO,
                                 .csv_targets = 0,
                                 .csv_label_column = 0,
                                 .classes = classes,
                                 .inputs = expected != NULL ? expected->inputs : 0,
                                 .inputs_only = options->inputs_only};
    int no_targets = options->inputs_only && options->targets != NULL &&
                     strcmp(options->targets, "0") == 0; /* --targets 0: inputs alone */
    if ((options->targets != NULL && !no_targets &&
         !cli_parse_count("--targets", options->targets, &source.csv_targets)) ||
        (options->label_column != NULL &&
         !parse_label_column(options->label_column, &source.csv_label_column))) {
        *usage_error = 1;
        return NULL;
    }
    clprop_data *data = NULL;
    clprop_status status = clprop_data_load(&source, &data);
    if (status != CLPROP_SUCCESS) {
        /* who expects those inputs, after the loaders' "... but N inputs are expected" (other
         * mismatches — labels and images, columns and --targets — have nothing to do with it) */
        if (status == CLPROP_ERROR_MISMATCH && source.inputs != 0 && expected->by != NULL &&
            strstr(clprop_data_message(data), "are expected") != NULL)
            cli_error("%s (by %s)%s", clprop_data_message(data), expected->by,
                      csv_without_columns_said(options)
                          ? "; a CSV file with targets needs --targets K or --label-column N"
                          : "");
        else
            cli_error("%s", clprop_data_message(data));
        clprop_data_destroy(data);
        return NULL;
    }
    return data;
}

int cli_picks_a_class(clprop_target_kind kind, size_t outputs, clprop_activation output)
{
    return outputs > 1 && (kind != CLPROP_TARGETS_VALUES || output == CLPROP_ACTIVATION_SOFTMAX);
}
