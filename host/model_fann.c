/* FANN's saved-network format (FANN_FLO_2.1, what fann_save writes and fann_create_from_file
 * reads), out of a model and into one.
 *
 * The file is text, one "key=value" per line:
 *   FANN_FLO_2.1
 *   num_layers=3                    (layers counted with the input layer)
 *   ...training parameters...       (FANN's; a model has no place for them: written as
 *                                    fann_create_standard sets them, ignored when read)
 *   connection_rate=1.000000, network_type=0 (layered), scale_included=0
 *   layer_sizes=3 4 2               (units + 1 per layer: every layer ends with a bias neuron,
 *                                    the output layer's unused)
 *   neurons (num_inputs, activation_function, activation_steepness)=(0, 0, 0.0e+00) ...
 *   connections (connected_to_neuron, weight)=(0, -4.3e-02) (1, 8.5e-02) ...
 * Neurons are numbered from 0 over all layers, bias neurons included; each neuron of a layer
 * after the input lists its connections in order, one per neuron of the layer before, whose bias
 * neuron (value 1) carries the neuron's bias.
 *
 * FANN applies a neuron's steepness s to its weighted sum before the activation
 * (fann_activation.h, fann_run):
 *   FANN_LINEAR             s·sum
 *   FANN_SIGMOID            1/(1 + exp(−2·s·sum))
 *   FANN_SIGMOID_SYMMETRIC  2/(1 + exp(−2·s·sum)) − 1 = tanh(s·sum)
 * so each maps onto clprop's linear, sigmoid and tanh with the neuron's weights and bias scaled by
 * s, 2s and s. Written, every neuron gets FANN's default steepness 0.5, which makes the scales 1
 * (sigmoid) and 2 (tanh, linear): powers of two, so reading back what was written, or what FANN
 * wrote with that steepness, gives every bit of every weight back. Another steepness is folded in
 * with one rounding to float per weight. FANN also clips s·sum to ±150/s (±300 at s = 0.5), which
 * only a linear neuron's output can reach; clprop does not clip.
 *
 * What a model cannot hold is refused, naming it: shortcut (cascade) networks, sparse ones,
 * FANN's input and output scaling, activations other than those three, fixed-point files; and on
 * the way out softmax, ReLU and leaky ReLU, which FANN 2.2 lacks. Numbers are written and read in
 * the C locale whatever the program chose (FANN's own reader and writer follow LC_NUMERIC).
 */
#include "model_internal.h"
#include "data_internal.h"

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define FANN_VERSION_LINE "FANN_FLO_2.1"
#define NEURONS_KEY "neurons (num_inputs, activation_function, activation_steepness)"
#define CONNECTIONS_KEY "connections (connected_to_neuron, weight)"
#define WRITTEN_STEEPNESS 0.5

/* FANN's fann_activationfunc_enum, in its order (fann_data.h). */
static const char *const fann_activation_names[] = {
    "FANN_LINEAR", "FANN_THRESHOLD", "FANN_THRESHOLD_SYMMETRIC", "FANN_SIGMOID",
    "FANN_SIGMOID_STEPWISE", "FANN_SIGMOID_SYMMETRIC", "FANN_SIGMOID_SYMMETRIC_STEPWISE",
    "FANN_GAUSSIAN", "FANN_GAUSSIAN_SYMMETRIC", "FANN_GAUSSIAN_STEPWISE", "FANN_ELLIOT",
    "FANN_ELLIOT_SYMMETRIC", "FANN_LINEAR_PIECE", "FANN_LINEAR_PIECE_SYMMETRIC",
    "FANN_SIN_SYMMETRIC", "FANN_COS_SYMMETRIC", "FANN_SIN", "FANN_COS"};
#define FANN_ACTIVATION_COUNT (sizeof fann_activation_names / sizeof *fann_activation_names)
enum { FANN_LINEAR = 0, FANN_SIGMOID = 3, FANN_SIGMOID_SYMMETRIC = 5 };

/* The one activation of each pair, or -1. */
static int fann_code_of(clprop_activation activation)
{
    switch (activation) {
    case CLPROP_ACTIVATION_LINEAR: return FANN_LINEAR;
    case CLPROP_ACTIVATION_SIGMOID: return FANN_SIGMOID;
    case CLPROP_ACTIVATION_TANH: return FANN_SIGMOID_SYMMETRIC;
    default: return -1;
    }
}

/* What multiplies a FANN neuron's weights to give clprop's, for its activation and steepness. */
static double weight_scale(int fann_code, double steepness)
{
    return fann_code == FANN_SIGMOID ? 2.0 * steepness : steepness;
}

/* ---- Writing --------------------------------------------------------------------------------- */

/* What fann_create_standard sets, as fann_save writes it (FANN 2.2): a model has no training
 * parameters of FANN's, so a FANN program reading the file trains as from a new network. */
static const char fann_parameters[] =
    "learning_rate=0.700000\n"
    "connection_rate=1.000000\n"
    "network_type=0\n"
    "learning_momentum=0.000000\n"
    "training_algorithm=2\n"
    "train_error_function=1\n"
    "train_stop_function=0\n"
    "cascade_output_change_fraction=0.010000\n"
    "quickprop_decay=-0.000100\n"
    "quickprop_mu=1.750000\n"
    "rprop_increase_factor=1.200000\n"
    "rprop_decrease_factor=0.500000\n"
    "rprop_delta_min=0.000000\n"
    "rprop_delta_max=50.000000\n"
    "rprop_delta_zero=0.100000\n"
    "cascade_output_stagnation_epochs=12\n"
    "cascade_candidate_change_fraction=0.010000\n"
    "cascade_candidate_stagnation_epochs=12\n"
    "cascade_max_out_epochs=150\n"
    "cascade_min_out_epochs=50\n"
    "cascade_max_cand_epochs=150\n"
    "cascade_min_cand_epochs=50\n"
    "cascade_num_candidate_groups=2\n"
    "bit_fail_limit=3.49999994039535522461e-01\n"
    "cascade_candidate_limit=1.00000000000000000000e+03\n"
    "cascade_weight_multiplier=4.00000005960464477539e-01\n"
    "cascade_activation_functions_count=10\n"
    "cascade_activation_functions=3 5 7 8 10 11 14 15 16 17 \n"
    "cascade_activation_steepnesses_count=4\n"
    "cascade_activation_steepnesses=2.50000000000000000000e-01 5.00000000000000000000e-01 "
    "7.50000000000000000000e-01 1.00000000000000000000e+00 \n";

/* FANN's own number format (FANNPRINTF of floatfann.h), more digits than a float needs. */
#define FANN_NUMBER "%.20e"
#define FANN_NUMBER_ZERO "0.00000000000000000000e+00"

/* Every layer maps to a FANN activation, and every weight stays finite once scaled. */
static clprop_status check_exportable(clprop_model *model)
{
    /* FANN's scale_mean_in etc. could hold the offsets and scales, but fann_run never applies
     * them (only fann_scale_input and fann_descale_output do, called by hand): the .net would run
     * unscaled in fann_run, giving other outputs than clprop's, without a word. */
    if (clprop_scaling_present(&model->scaling))
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "FANN export: the model scales its inputs or targets (train "
                           "--scale-inputs/--scale-targets), which fann_run does not do: FANN "
                           "applies its own scaling only when the program calls "
                           "fann_scale_input and fann_descale_output. Export it as JSON or ONNX, "
                           "or train without scaling");
    for (size_t layer = 1; layer <= model->layer_count; layer++) {
        clprop_activation activation = model->activations[layer - 1];
        int code = fann_code_of(activation);
        if (code < 0)
            return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT,
                               "FANN export: layer %zu is %s, which FANN 2.2 does not have (it "
                               "has linear, sigmoid and tanh as FANN_SIGMOID_SYMMETRIC)%s",
                               layer, clprop_activation_name(activation),
                               activation == CLPROP_ACTIVATION_SOFTMAX
                                   ? "; a sigmoid output is the nearest FANN network"
                                   : "");
        double scale = 1.0 / weight_scale(code, WRITTEN_STEEPNESS);
        size_t inputs = model->units[layer - 1], outputs = model->units[layer];
        size_t count = outputs * inputs + (model->has_bias ? outputs : 0);
        const float *values = model->weights[layer]; /* the layer's weights, then its biases */
        for (size_t i = 0; i < count; i++) {
            if (!isfinite((float)(values[i] * scale)))
                return clprop_fail(&model->message, CLPROP_ERROR_NOT_FINITE,
                                   "FANN export: layer %zu: %s %zu is %g%s", layer,
                                   i < outputs * inputs ? "weight" : "bias",
                                   i < outputs * inputs ? i : i - outputs * inputs,
                                   (double)values[i],
                                   isfinite(values[i]) ? ", too large once doubled for FANN's "
                                                         "steepness 0.5"
                                                       : "");
        }
    }
    return CLPROP_SUCCESS;
}

static void write_neurons(FILE *out, const clprop_model *model)
{
    fputs(NEURONS_KEY "=", out);
    for (size_t unit = 0; unit <= model->units[0]; unit++)
        fputs("(0, 0, " FANN_NUMBER_ZERO ") ", out);
    for (size_t layer = 1; layer <= model->layer_count; layer++) {
        int code = fann_code_of(model->activations[layer - 1]);
        for (size_t unit = 0; unit < model->units[layer]; unit++)
            fprintf(out, "(%zu, %d, " FANN_NUMBER ") ", model->units[layer - 1] + 1, code,
                    WRITTEN_STEEPNESS);
        fputs("(0, 0, " FANN_NUMBER_ZERO ") ", out); /* the layer's bias neuron */
    }
    putc('\n', out);
}

static void write_connections(FILE *out, const clprop_model *model)
{
    fputs(CONNECTIONS_KEY "=", out);
    size_t first = 0; /* the number of the layer before's first neuron */
    for (size_t layer = 1; layer <= model->layer_count; layer++) {
        size_t inputs = model->units[layer - 1];
        double scale = 1.0 / weight_scale(fann_code_of(model->activations[layer - 1]),
                                          WRITTEN_STEEPNESS);
        for (size_t unit = 0; unit < model->units[layer]; unit++) {
            const float *row = model->weights[layer] + unit * inputs;
            for (size_t i = 0; i < inputs; i++)
                fprintf(out, "(%zu, " FANN_NUMBER ") ", first + i, (double)(float)(row[i] * scale));
            float bias = model->has_bias ? (float)(model->biases[layer][unit] * scale) : 0.0f;
            fprintf(out, "(%zu, " FANN_NUMBER ") ", first + inputs, (double)bias);
        }
        first += inputs + 1;
    }
    putc('\n', out);
}

static void write_network(FILE *out, const clprop_model *model)
{
    fprintf(out, FANN_VERSION_LINE "\nnum_layers=%zu\n", model->layer_count + 1);
    fputs(fann_parameters, out);
    fputs("layer_sizes=", out);
    for (size_t layer = 0; layer <= model->layer_count; layer++)
        fprintf(out, "%zu ", model->units[layer] + 1);
    fputs("\nscale_included=0\n", out);
    write_neurons(out, model);
    write_connections(out, model);
}

clprop_status clprop_model_write_fann(clprop_model *model, FILE *out)
{
    if (model == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    if (out == NULL || model->layer_count == 0)
        return clprop_fail(&model->message, CLPROP_ERROR_INVALID_ARGUMENT, "FANN export: %s",
                           out == NULL ? "out is NULL" : "the model is empty");
    CLPROP_CHECK(check_exportable(model));
    /* FANN reads '.' only in the C locale; uselocale changes this thread only. */
    locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (c_locale == (locale_t)0)
        return clprop_fail(&model->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "FANN export: cannot make the C locale: %s", strerror(errno));
    locale_t previous = uselocale(c_locale);
    write_network(out, model);
    uselocale(previous);
    freelocale(c_locale);
    if (fflush(out) != 0 || ferror(out))
        return clprop_fail(&model->message, CLPROP_ERROR_IO, "cannot write the FANN network: %s",
                           strerror(errno));
    return CLPROP_SUCCESS;
}

/* ---- Reading --------------------------------------------------------------------------------- */

typedef struct fann_reader {
    clprop_model *model;
    clprop_text_reader text;
    const char *path;
    int seen_layers, seen_type, seen_sizes, seen_neurons, seen_connections;
    size_t layers;  /* num_layers: the input layer included */
    size_t *sizes;  /* layer_sizes: neurons per layer, its bias neuron included */
    size_t neurons; /* their sum */
    int *codes;     /* per layer from 1: its neurons' FANN activation */
    double *scales; /* per neuron: what its weights are multiplied by (weight_scale) */
    unsigned char *seen_sources; /* per neuron of the layer before, while reading connections */
} fann_reader;

/* Fails naming the file and the current line. */
__attribute__((format(printf, 3, 4))) static clprop_status
fail_at(fann_reader *r, clprop_status status, const char *format, ...)
{
    char what[CLPROP_MESSAGE_SIZE];
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(what, sizeof what, format, arguments);
    va_end(arguments);
    return clprop_fail(&r->model->message, status, "%s:%zu: %s", r->path, r->text.line_number,
                       what);
}

/* What is left of the line from p, escaped for a message. */
static const char *shown(char buffer[CLPROP_QUOTE_SIZE], const char *p)
{
    return *p == '\0' ? "the end of the line" : clprop_quote(buffer, p, strlen(p));
}

static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\v' || *p == '\f')
        p++;
    return p;
}

/* A whole number in digits at *p (after blanks); 0 on success, moving *p past it. */
static int take_count(const char **p, size_t *value)
{
    const char *start = skip_blanks(*p), *stop = start;
    while (*stop >= '0' && *stop <= '9')
        stop++;
    if (clprop_parse_count(start, stop, value) != 0)
        return -1;
    *p = stop;
    return 0;
}

/* A number at *p (after blanks), read by strtof in the thread's locale, which the reader has set
 * to C; 0 on success, moving *p past it. Non-finite values are the caller's to refuse. */
static int take_number(const char **p, float *value)
{
    const char *start = skip_blanks(*p);
    if (*start == '\0' || *start == ',' || *start == ')')
        return -1;
    char *stop;
    errno = 0;
    *value = strtof(start, &stop);
    if (stop == start)
        return -1;
    *p = stop;
    return 0;
}

static int take_char(const char **p, char c)
{
    const char *at = skip_blanks(*p);
    if (*at != c)
        return -1;
    *p = at + 1;
    return 0;
}

/* "(count, count, number)" for a neuron, "(count, number)" for a connection. */
static int take_neuron(const char **p, size_t *inputs, size_t *code, float *steepness)
{
    return take_char(p, '(') || take_count(p, inputs) || take_char(p, ',') ||
           take_count(p, code) || take_char(p, ',') || take_number(p, steepness) ||
           take_char(p, ')');
}

static int take_connection(const char **p, size_t *source, float *weight, const char **digits)
{
    if (take_char(p, '(') || take_count(p, source) || take_char(p, ','))
        return -1;
    *digits = skip_blanks(*p);
    return take_number(p, weight) || take_char(p, ')');
}

static clprop_status check_version(fann_reader *r)
{
    const char *line = r->text.line;
    char text[CLPROP_QUOTE_SIZE];
    if (strncmp(line, "FANN_FLO_2.1", 12) == 0 || strncmp(line, "FANN_FLO_2.0", 12) == 0) {
        if (line[12] == '\0' || skip_blanks(line + 12)[0] == '\0')
            return CLPROP_SUCCESS;
    }
    if (strncmp(line, "FANN_FIX_", 9) == 0)
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "a fixed-point FANN network (\"%s\"), which clprop does not read: save it "
                       "with fann_save, not fann_save_to_fixed", shown(text, line));
    if (strncmp(line, "FANN_FLO_", 9) == 0)
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "FANN network version \"%s\", but clprop reads FANN_FLO_2.0 and 2.1 (FANN "
                       "2.x); load and save it with FANN 2.x first", shown(text, line));
    return fail_at(r, CLPROP_ERROR_FORMAT,
                   "expected \"" FANN_VERSION_LINE "\" (a FANN network), found \"%s\"",
                   shown(text, line));
}

static clprop_status read_layer_count(fann_reader *r, const char *value)
{
    size_t layers;
    const char *p = value;
    char text[CLPROP_QUOTE_SIZE];
    if (take_count(&p, &layers) != 0 || *skip_blanks(p) != '\0')
        return fail_at(r, CLPROP_ERROR_FORMAT, "num_layers is \"%s\", expected a whole number",
                       shown(text, value));
    if (layers < 2 || layers > CLPROP_MODEL_MAX_LAYERS + 1)
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "num_layers=%zu, expected 2 to %d (the input layer and 1 to %d more)",
                       layers, CLPROP_MODEL_MAX_LAYERS + 1, CLPROP_MODEL_MAX_LAYERS);
    r->layers = layers;
    r->seen_layers = 1;
    return CLPROP_SUCCESS;
}

static clprop_status read_network_type(fann_reader *r, const char *value)
{
    size_t type;
    const char *p = value;
    char text[CLPROP_QUOTE_SIZE];
    if (take_count(&p, &type) != 0 || *skip_blanks(p) != '\0')
        return fail_at(r, CLPROP_ERROR_FORMAT, "network_type is \"%s\", expected a whole number",
                       shown(text, value));
    if (type == 1)
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "network_type=1 (FANN_NETTYPE_SHORTCUT): a network with shortcut "
                       "connections (made by fann_create_shortcut or cascade training), but "
                       "clprop's layers connect only to the layer before");
    if (type != 0)
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "network_type=%zu, but FANN has only 0 (layered) and 1 (shortcut)", type);
    r->seen_type = 1;
    return CLPROP_SUCCESS;
}

static clprop_status read_connection_rate(fann_reader *r, const char *value)
{
    float rate;
    const char *p = value;
    char text[CLPROP_QUOTE_SIZE];
    if (take_number(&p, &rate) != 0 || *skip_blanks(p) != '\0' || !isfinite(rate))
        return fail_at(r, CLPROP_ERROR_FORMAT, "connection_rate is \"%s\", expected a number",
                       shown(text, value));
    if (rate < 1.0f)
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "connection_rate=%g: a sparse network (fann_create_sparse), but clprop's "
                       "layers are fully connected", (double)rate);
    return CLPROP_SUCCESS;
}

static clprop_status read_scale_included(fann_reader *r, const char *value)
{
    size_t included;
    const char *p = value;
    char text[CLPROP_QUOTE_SIZE];
    if (take_count(&p, &included) != 0 || *skip_blanks(p) != '\0')
        return fail_at(r, CLPROP_ERROR_FORMAT, "scale_included is \"%s\", expected 0 or 1",
                       shown(text, value));
    if (included != 0)
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "scale_included=%zu: the network carries FANN's input and output scaling "
                       "(fann_set_scaling_params), which a clprop model has no place for; clear "
                       "it with fann_clear_scaling_params and scale the data instead", included);
    return CLPROP_SUCCESS;
}

static clprop_status read_layer_sizes(fann_reader *r, const char *value)
{
    if (!r->seen_layers || !r->seen_type)
        return fail_at(r, CLPROP_ERROR_FORMAT, "layer_sizes comes before the %s line",
                       r->seen_layers ? "network_type" : "num_layers");
    r->sizes = calloc(r->layers, sizeof *r->sizes);
    if (r->sizes == NULL)
        return fail_at(r, CLPROP_ERROR_OUT_OF_HOST_MEMORY, "out of host memory");
    const char *p = value;
    char text[CLPROP_QUOTE_SIZE];
    for (size_t layer = 0; layer < r->layers; layer++) {
        size_t size;
        if (take_count(&p, &size) != 0)
            return fail_at(r, CLPROP_ERROR_FORMAT,
                           "layer_sizes: layer %zu is \"%s\", expected a whole number (num_layers "
                           "is %zu)", layer, shown(text, skip_blanks(p)), r->layers);
        if (size < 2 || size - 1 > CLPROP_MODEL_MAX_UNITS)
            return fail_at(r, CLPROP_ERROR_FORMAT,
                           "layer_sizes: layer %zu has %zu neurons, expected 2 to %u (its units "
                           "and the bias neuron)", layer, size, CLPROP_MODEL_MAX_UNITS + 1);
        r->sizes[layer] = size;
        r->neurons += size; /* ≤ 1025 · 2^24: no overflow */
    }
    if (*skip_blanks(p) != '\0')
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "layer_sizes has more than the %zu sizes num_layers gives: \"%s\"",
                       r->layers, shown(text, skip_blanks(p)));
    r->seen_sizes = 1;
    return CLPROP_SUCCESS;
}

/* One neuron's tuple: input and bias neurons take no connections; the others one from every
 * neuron of the layer before, with an activation clprop has, the same across their layer. */
static clprop_status check_neuron(fann_reader *r, size_t layer, size_t unit, size_t number,
                                  size_t inputs, size_t code, float steepness)
{
    int bias = unit + 1 == r->sizes[layer];
    if (layer == 0 || bias) {
        if (inputs != 0)
            return fail_at(r, CLPROP_ERROR_FORMAT,
                           "neuron %zu (%s of layer %zu) has %zu connections, expected none",
                           number, bias ? "the bias neuron" : "an input", layer, inputs);
        r->scales[number] = 0.0;
        return CLPROP_SUCCESS;
    }
    if (inputs != r->sizes[layer - 1])
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "neuron %zu (layer %zu) has %zu connections, expected %zu: one from each "
                       "neuron of layer %zu and its bias (clprop's layers are fully connected)",
                       number, layer, inputs, r->sizes[layer - 1], layer - 1);
    if (code >= FANN_ACTIVATION_COUNT)
        return fail_at(r, CLPROP_ERROR_FORMAT, "neuron %zu (layer %zu): unknown activation "
                       "function %zu (FANN 2.2 has 0 to %zu)", number, layer, code,
                       FANN_ACTIVATION_COUNT - 1);
    if (code != FANN_LINEAR && code != FANN_SIGMOID && code != FANN_SIGMOID_SYMMETRIC)
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "neuron %zu (layer %zu): activation %s (%zu), which clprop does not have "
                       "(it reads FANN_LINEAR, FANN_SIGMOID and FANN_SIGMOID_SYMMETRIC)%s",
                       number, layer, fann_activation_names[code], code,
                       code == 4 || code == 6 ? "; the stepwise forms approximate the last two: "
                                                "train with those instead"
                                              : "");
    if (unit == 0)
        r->codes[layer] = (int)code;
    else if (r->codes[layer] != (int)code)
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "neuron %zu (layer %zu) is %s but the layer's first is %s: a clprop layer "
                       "has one activation", number, layer, fann_activation_names[code],
                       fann_activation_names[r->codes[layer]]);
    if (!(isfinite(steepness) && steepness > 0.0f))
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "neuron %zu (layer %zu): activation steepness %g in single precision, "
                       "expected a positive number",
                       number, layer, (double)steepness);
    r->scales[number] = weight_scale((int)code, steepness);
    return CLPROP_SUCCESS;
}

static clprop_status read_neurons(fann_reader *r, const char *value)
{
    if (!r->seen_sizes)
        return fail_at(r, CLPROP_ERROR_FORMAT, "the neurons line comes before layer_sizes");
    /* "(0,0,0)" is the shortest neuron: a line too short for them all is cut short, and memory is
     * only taken for neurons the line can hold. */
    size_t length = strlen(value);
    if (r->neurons > length / 7 + 1)
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "the neurons line (%zu bytes) is too short for the %zu neurons of "
                       "layer_sizes: the file is cut short or damaged", length, r->neurons);
    r->scales = calloc(r->neurons, sizeof *r->scales);
    r->codes = calloc(r->layers, sizeof *r->codes);
    if (r->scales == NULL || r->codes == NULL)
        return fail_at(r, CLPROP_ERROR_OUT_OF_HOST_MEMORY, "out of host memory for %zu neurons",
                       r->neurons);
    const char *p = value;
    char text[CLPROP_QUOTE_SIZE];
    size_t number = 0;
    for (size_t layer = 0; layer < r->layers; layer++) {
        for (size_t unit = 0; unit < r->sizes[layer]; unit++, number++) {
            size_t inputs, code;
            float steepness;
            const char *at = skip_blanks(p);
            if (take_neuron(&p, &inputs, &code, &steepness) != 0)
                return fail_at(r, CLPROP_ERROR_FORMAT,
                               "neuron %zu of %zu: expected \"(num_inputs, activation_function, "
                               "activation_steepness)\", found \"%s\"%s", number, r->neurons,
                               shown(text, at),
                               strchr(at, ')') == NULL ? " (the file is cut short?)" : "");
            CLPROP_CHECK(check_neuron(r, layer, unit, number, inputs, code, steepness));
        }
    }
    if (*skip_blanks(p) != '\0')
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "more neurons than the %zu of layer_sizes: \"%s\"", r->neurons,
                       shown(text, skip_blanks(p)));
    r->seen_neurons = 1;
    return CLPROP_SUCCESS;
}

/* The model's shape, now that the neurons are known (every parameter zero). */
static clprop_status make_shape(fann_reader *r)
{
    size_t layer_count = r->layers - 1;
    size_t *units = malloc(r->layers * sizeof *units);
    clprop_activation *activations = malloc(layer_count * sizeof *activations);
    if (units == NULL || activations == NULL) {
        free(units);
        free(activations);
        return fail_at(r, CLPROP_ERROR_OUT_OF_HOST_MEMORY, "out of host memory");
    }
    for (size_t layer = 0; layer < r->layers; layer++) {
        units[layer] = r->sizes[layer] - 1;
        if (layer > 0) {
            activations[layer - 1] = r->codes[layer] == FANN_LINEAR ? CLPROP_ACTIVATION_LINEAR
                                     : r->codes[layer] == FANN_SIGMOID
                                         ? CLPROP_ACTIVATION_SIGMOID
                                         : CLPROP_ACTIVATION_TANH;
        }
    }
    char where[CLPROP_MESSAGE_SIZE / 2];
    snprintf(where, sizeof where, "%s:%zu", r->path, r->text.line_number);
    clprop_net_desc desc = {.layer_count = layer_count, .sizes = units,
                            .activations = activations, .loss = CLPROP_LOSS_MSE};
    clprop_status status = clprop_model_set_shape(r->model, &desc, where);
    free(units);
    free(activations);
    return status;
}

/* One neuron's connections: each neuron of the layer before exactly once, in any order. */
static clprop_status read_unit_connections(fann_reader *r, const char **p, size_t layer,
                                           size_t unit, size_t first, size_t number)
{
    size_t inputs = r->sizes[layer - 1] - 1;
    float *row = r->model->weights[layer] + unit * inputs;
    float *bias = r->model->biases[layer] + unit;
    double scale = r->scales[number];
    char text[CLPROP_QUOTE_SIZE];
    memset(r->seen_sources, 0, inputs + 1);
    for (size_t c = 0; c <= inputs; c++) {
        size_t source;
        float weight;
        const char *at = skip_blanks(*p), *digits = at;
        if (take_connection(p, &source, &weight, &digits) != 0)
            return fail_at(r, CLPROP_ERROR_FORMAT,
                           "neuron %zu's connection %zu: expected \"(connected_to_neuron, "
                           "weight)\", found \"%s\"%s", number, c, shown(text, at),
                           strchr(at, ')') == NULL ? " (the file is cut short?)" : "");
        if (source < first || source - first > inputs)
            return fail_at(r, CLPROP_ERROR_FORMAT,
                           "neuron %zu's connection %zu comes from neuron %zu, outside layer %zu "
                           "(neurons %zu to %zu): clprop reads fully connected layered networks",
                           number, c, source, layer - 1, first, first + inputs);
        if (r->seen_sources[source - first])
            return fail_at(r, CLPROP_ERROR_FORMAT,
                           "neuron %zu is connected twice to neuron %zu", number, source);
        r->seen_sources[source - first] = 1;
        float scaled = (float)(weight * scale);
        if (!isfinite(weight) || !isfinite(scaled))
            return fail_at(r, CLPROP_ERROR_NOT_FINITE,
                           "neuron %zu's connection %zu from neuron %zu: weight %s is not a "
                           "finite float%s", number, c, source,
                           clprop_quote(text, digits, strcspn(digits, ") \t")),
                           isfinite(weight) ? " once scaled by the steepness" : "");
        if (source - first == inputs)
            *bias = scaled;
        else
            row[source - first] = scaled;
    }
    return CLPROP_SUCCESS;
}

static clprop_status read_connections(fann_reader *r, const char *value)
{
    if (!r->seen_neurons)
        return fail_at(r, CLPROP_ERROR_FORMAT, "the connections line comes before the neurons");
    /* "(0,0)" is the shortest connection; the check bounds the memory the shape takes. */
    size_t length = strlen(value);
    size_t layer_count = r->layers - 1, widest = 0, connections = 0;
    for (size_t layer = 1; layer <= layer_count; layer++) {
        connections += (r->sizes[layer] - 1) * r->sizes[layer - 1]; /* ≤ the neurons line's */
        widest = r->sizes[layer - 1] > widest ? r->sizes[layer - 1] : widest;
    }
    if (connections > length / 5 + 1)
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "the connections line (%zu bytes) is too short for the %zu connections "
                       "of the neurons line: the file is cut short or damaged", length,
                       connections);
    CLPROP_CHECK(make_shape(r));
    r->seen_sources = malloc(widest);
    if (r->seen_sources == NULL)
        return fail_at(r, CLPROP_ERROR_OUT_OF_HOST_MEMORY, "out of host memory");
    const char *p = value;
    size_t first = 0, number = r->sizes[0];
    for (size_t layer = 1; layer <= layer_count; layer++) {
        for (size_t unit = 0; unit + 1 < r->sizes[layer]; unit++, number++)
            CLPROP_CHECK(read_unit_connections(r, &p, layer, unit, first, number));
        number++; /* the layer's bias neuron */
        first += r->sizes[layer - 1];
    }
    char text[CLPROP_QUOTE_SIZE];
    if (*skip_blanks(p) != '\0')
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "more connections than the %zu of the neurons line: \"%s\"", connections,
                       shown(text, skip_blanks(p)));
    r->seen_connections = 1;
    return CLPROP_SUCCESS;
}

/* One "key=value" line. The keys of FANN's training parameters are skipped: a model has no
 * place for them, and they do not change what the network computes. */
static clprop_status read_line(fann_reader *r)
{
    char *line = r->text.line, text[CLPROP_QUOTE_SIZE];
    char *equals = strchr(line, '=');
    if (equals == NULL)
        return fail_at(r, CLPROP_ERROR_FORMAT, "expected \"key=value\", found \"%s\"",
                       shown(text, line));
    *equals = '\0';
    const char *key = line, *value = equals + 1;
    static const char *const once[] = {"num_layers", "network_type", "layer_sizes",
                                       NEURONS_KEY, CONNECTIONS_KEY};
    int *seen[] = {&r->seen_layers, &r->seen_type, &r->seen_sizes, &r->seen_neurons,
                   &r->seen_connections};
    for (size_t i = 0; i < sizeof once / sizeof *once; i++)
        if (strcmp(key, once[i]) == 0 && *seen[i])
            return fail_at(r, CLPROP_ERROR_FORMAT, "a second \"%s\" line", once[i]);
    if (strcmp(key, "num_layers") == 0)
        return read_layer_count(r, value);
    if (strcmp(key, "network_type") == 0)
        return read_network_type(r, value);
    if (strcmp(key, "connection_rate") == 0)
        return read_connection_rate(r, value);
    if (strcmp(key, "scale_included") == 0)
        return read_scale_included(r, value);
    if (strcmp(key, "layer_sizes") == 0)
        return read_layer_sizes(r, value);
    if (strcmp(key, NEURONS_KEY) == 0)
        return read_neurons(r, value);
    if (strcmp(key, CONNECTIONS_KEY) == 0)
        return read_connections(r, value);
    return CLPROP_SUCCESS;
}

static clprop_status read_lines(fann_reader *r)
{
    int got;
    CLPROP_CHECK(clprop_text_next_line(&r->text, &got));
    if (!got)
        return clprop_fail(&r->model->message, CLPROP_ERROR_FORMAT, "%s: the file is empty",
                           r->path);
    CLPROP_CHECK(check_version(r));
    for (;;) {
        CLPROP_CHECK(clprop_text_next_line(&r->text, &got));
        if (!got)
            break;
        if (!clprop_text_line_is_blank(&r->text))
            CLPROP_CHECK(read_line(r));
    }
    if (!r->seen_connections)
        return fail_at(r, CLPROP_ERROR_FORMAT,
                       "the file ends without its \"%s\" line (it is cut short?)",
                       !r->seen_layers    ? "num_layers"
                       : !r->seen_type    ? "network_type"
                       : !r->seen_sizes   ? "layer_sizes"
                       : !r->seen_neurons ? NEURONS_KEY
                                          : CONNECTIONS_KEY);
    return CLPROP_SUCCESS;
}

clprop_status clprop_model_read_fann(clprop_model *model, const char *path)
{
    fann_reader r = {.model = model, .path = path};
    /* strtof reads FANN's '.' only in the C locale; uselocale changes this thread only. */
    locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (c_locale == (locale_t)0)
        return clprop_fail(&model->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY,
                           "%s: cannot make the C locale: %s", path, strerror(errno));
    locale_t previous = uselocale(c_locale);
    clprop_status status = clprop_text_open(&r.text, path, &model->message);
    if (status == CLPROP_SUCCESS)
        status = read_lines(&r);
    clprop_text_close(&r.text);
    uselocale(previous);
    freelocale(c_locale);
    free(r.sizes);
    free(r.codes);
    free(r.scales);
    free(r.seen_sources);
    return status;
}
