/* The commands that use a saved model: eval, predict and export. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "paths.h"
#include "options.h"
#ifdef CLPROP_WITH_ONNX
#include "model_onnx.h"
#endif

typedef struct model_options {
    const char *model, *device;
    clprop_gemm_backend gemm;
    cli_data_options data;
    int json;
    const char *format; /* export: "json" (NULL), "onnx" or "fann"; predict: "text", "csv",
                           "json" (NULL: text on a terminal, else csv) */
} model_options;

static void print_usage(FILE *out, const char *command)
{
    if (strcmp(command, "export") == 0) {
        fputs("usage: clprop export --model MODEL [--format json|onnx|fann]\n"
              "\n"
              "Prints the model (a model file, a JSON export or a FANN network) as one line of\n"
              "JSON: {\"format\":\"clprop-model\",\"version\":1,\"loss\":...,\"layers\":[{"
              "\"inputs\":...,\n\"outputs\":...,\"activation\":...,\"bias\":...,\"weights\":"
              "[[...]],\"biases\":[...]}]};\nweights[o][i] is the weight from input i to unit o.\n"
              "\n"
              "  --format onnx          an ONNX model instead (opset 13, \"input\" and \"output\"\n"
              "                         of N x units); binary: redirect it to a file\n"
              "  --format fann          a FANN network (FANN_FLO_2.1, what fann_save writes), for\n"
              "                         fann_create_from_file: linear, sigmoid and tanh layers "
              "only\n",
              out);
        return;
    }
    int eval = strcmp(command, "eval") == 0;
    fprintf(out,
            "usage: clprop %s --model MODEL --data FILE [options]\n"
            "\n%s"
            "  --model MODEL          a model file, JSON export or FANN network\n"
            "  --data FILE            FANN, CSV or IDX images%s\n"
            "  --labels FILE          IDX labels for IDX images%s\n"
            "  --targets K            CSV: the last K columns are the targets%s\n"
            "  --label-column N|last  CSV: column N (from 1) holds class labels\n"
            "  --device SPEC          index, P:D, gpu, cpu or part of a name\n"
            "  --gemm BACKEND         native (default), clblast or auto\n%s",
            command,
            eval ? "Prints the model's loss and MSE on the data, and its accuracy for classifiers\n"
                   "(a softmax output, or targets that are class labels or one-hot rows of 0/1 or\n"
                   "-1/1: as train counts accuracy). A model with scaling (train --scale-inputs,\n"
                   "--scale-targets) scales the data itself; the loss and MSE are in the units it\n"
                   "trained in (as train's log).\n"
                 : "Prints the model's outputs for each sample, in the data's units (a model's\n"
                   "scaling is applied to the inputs and undone on the outputs). The data may\n"
                   "hold inputs alone: a FANN file with 0 outputs in its header, a CSV file of\n"
                   "the model's input width (or --targets 0), IDX images without --labels.\n"
                   "A classifier: a softmax output, or targets that are class labels or one-hot\n"
                   "rows of 0/1 or -1/1 (as train counts accuracy).\n",
            eval ? "" : " (targets not needed)", eval ? "" : " (optional)",
            eval ? "" : " (0: inputs only)",
            eval ? "  --json                 one line of JSON\n"
                 : "  --format FORMAT        text (the default on a terminal): per sample the\n"
                   "                         outputs, then for classifiers a tab and the class;\n"
                   "                         csv (the default otherwise): a header line, then\n"
                   "                         output_1..output_K, and for classifiers class (the\n"
                   "                         largest output, from 0) and, for a softmax output,\n"
                   "                         probability (its value); json: one object a line,\n"
                   "                         {\"outputs\":[...],\"class\":C,\"probability\":P}\n");
}

/* Returns -1 to go on, else the exit status. */
static int parse_arguments(int argc, char **argv, const char *command, model_options *o)
{
    memset(o, 0, sizeof *o);
    o->data.inputs_only = strcmp(command, "predict") == 0;
    int bad = 0, takes_data = strcmp(command, "export") != 0;
    for (int i = 1; i < argc && !bad; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_usage(stdout, command);
            return 0;
        }
        if (cli_option_value(argc, argv, &i, "--model", &o->model, &bad) ||
            (takes_data && (cli_take_data_option(argc, argv, &i, &o->data, &bad) ||
                            cli_option_value(argc, argv, &i, "--device", &o->device, &bad))))
            continue;
        const char *gemm = NULL;
        if (takes_data && cli_option_value(argc, argv, &i, "--gemm", &gemm, &bad)) {
            bad = bad || !cli_parse_gemm("--gemm", gemm, &o->gemm);
            continue;
        }
        if (!takes_data && cli_option_value(argc, argv, &i, "--format", &o->format, &bad)) {
            if (!bad && strcmp(o->format, "json") != 0 && strcmp(o->format, "onnx") != 0 &&
                strcmp(o->format, "fann") != 0) {
                char shown[64];
                cli_error("export: --format must be json, onnx or fann, not \"%s\"",
                          cli_quote(o->format, shown, sizeof shown));
                bad = 1;
            }
            continue;
        }
        if (strcmp(command, "predict") == 0 &&
            cli_option_value(argc, argv, &i, "--format", &o->format, &bad)) {
            if (!bad && strcmp(o->format, "text") != 0 && strcmp(o->format, "csv") != 0 &&
                strcmp(o->format, "json") != 0) {
                char shown[64];
                cli_error("predict: --format must be text, csv or json, not \"%s\"",
                          cli_quote(o->format, shown, sizeof shown));
                bad = 1;
            }
            continue;
        }
        if (strcmp(command, "eval") == 0 && strcmp(argv[i], "--json") == 0) {
            o->json = 1;
            continue;
        }
        cli_unknown_option(command, argv[i]);
        return EXIT_USAGE;
    }
    if (!bad && o->model == NULL) {
        cli_error("%s: --model MODEL is required", command);
        bad = 1;
    }
    if (!bad && takes_data && o->data.path == NULL) {
        cli_error("%s: --data FILE is required", command);
        bad = 1;
    }
    const cli_path inputs[] = {{"--model", o->model}, {"--data", o->data.path},
                               {"--labels", o->data.labels}};
    if (!bad && !cli_check_stdout_apart(inputs, 3))
        bad = 1;
    return bad ? EXIT_USAGE : -1;
}

static clprop_model *load_model(const char *path)
{
    clprop_model *model = NULL;
    if (clprop_model_load(path, &model) != CLPROP_SUCCESS) {
        cli_error("%s", clprop_model_message(model));
        clprop_model_destroy(model);
        return NULL;
    }
    return model;
}

/* What eval and predict share: the model, the data checked against it, and a network. */
typedef struct loaded {
    clprop_model *model;
    clprop_data *data;
    clprop_context *context;
    clprop_net *net;
    int classifier;
} loaded;

static void unload(loaded *l)
{
    clprop_net_destroy(l->net);
    clprop_context_destroy(l->context);
    clprop_data_destroy(l->data);
    clprop_model_destroy(l->model);
}

/* Returns 0 on success, else the exit status. */
static int load(const model_options *o, loaded *l)
{
    memset(l, 0, sizeof *l);
    if ((l->model = load_model(o->model)) == NULL)
        return EXIT_FAILED;
    size_t last = clprop_model_layer_count(l->model);
    size_t inputs = clprop_model_units(l->model, 0), outputs = clprop_model_units(l->model, last);
    int usage_error = 0;
    char by[PATH_MAX + 32];
    snprintf(by, sizeof by, "the model %s", o->model);
    cli_expected expected = {.inputs = inputs, .by = by};
    if ((l->data = cli_load_data(&o->data, outputs, &expected, &usage_error)) == NULL)
        return usage_error ? EXIT_USAGE : EXIT_FAILED;
    size_t data_outputs = clprop_data_outputs(l->data);
    if (clprop_data_inputs(l->data) != inputs ||
        (data_outputs != outputs && !(o->data.inputs_only && data_outputs == 0))) {
        cli_error("%s: the data have %zu inputs and %zu outputs but the model %s takes %zu and "
                  "gives %zu",
                  o->data.path, clprop_data_inputs(l->data), clprop_data_outputs(l->data), o->model,
                  inputs, outputs);
        return EXIT_FAILED;
    }
    l->classifier = cli_picks_a_class(clprop_data_target_kind(l->data), outputs,
                                      clprop_model_activation(l->model, last));
    if ((l->context = cli_open_context(o->device, o->gemm)) == NULL)
        return EXIT_FAILED;
    if (clprop_net_create_from_model(l->context, l->model, &l->net) != CLPROP_SUCCESS) {
        cli_error("%s: %s", o->model, clprop_net_message(l->net));
        return EXIT_FAILED;
    }
    return 0;
}

int cli_eval(int argc, char **argv)
{
    model_options o;
    int code = parse_arguments(argc, argv, "eval", &o);
    if (code >= 0)
        return code;
    loaded l;
    code = load(&o, &l);
    clprop_device_data *device_data = NULL;
    clprop_pass_result r;
    clprop_scaling scaling;
    if (code == 0 && clprop_model_scaling(l.model, &scaling)) { /* in the units it trained in */
        clprop_data *scaled = NULL;
        if (clprop_data_scale(l.data, &scaling, &scaled) != CLPROP_SUCCESS) {
            cli_error("%s: %s", o.data.path, clprop_data_message(scaled));
            code = EXIT_FAILED;
        }
        clprop_data_destroy(l.data);
        l.data = scaled;
    }
    if (code == 0 && clprop_device_data_create(l.context, l.data, &device_data) != CLPROP_SUCCESS) {
        cli_error("%s: %s", o.data.path, clprop_device_data_message(device_data));
        code = EXIT_FAILED;
    }
    if (code == 0 && clprop_net_evaluate(l.net, device_data, 256, &r) != CLPROP_SUCCESS) {
        /* the model on these data: both named ("the network's outputs overflow") */
        cli_error("%s on %s: %s", o.model, o.data.path, clprop_net_message(l.net));
        code = EXIT_FAILED;
    }
    if (code == 0) {
        double accuracy = (double)r.correct / (double)r.samples;
        if (o.json) {
            printf("{\"samples\":%zu,\"loss\":%.9g,\"mse\":%.9g", r.samples, r.loss, r.mse);
            if (l.classifier)
                printf(",\"accuracy\":%.6f,\"correct\":%zu", accuracy, r.correct);
            puts("}");
        } else {
            printf("samples %zu  loss %.6f  mse %.6g", r.samples, r.loss, r.mse);
            if (l.classifier)
                printf("  accuracy %.4f (%zu/%zu)", accuracy, r.correct, r.samples);
            putchar('\n');
        }
    }
    clprop_device_data_destroy(device_data);
    unload(&l);
    return code;
}

typedef enum prediction_format { AS_TEXT, AS_CSV, AS_JSON } prediction_format;

/* What a line of predictions holds besides the outputs. */
typedef struct prediction_columns {
    prediction_format format;
    int classifier;  /* the class, the index of the largest output */
    int probability; /* its value, for a softmax output */
} prediction_columns;

static prediction_format format_of(const char *name)
{
    if (name == NULL)
        return isatty(fileno(stdout)) ? AS_TEXT : AS_CSV;
    return strcmp(name, "json") == 0 ? AS_JSON : strcmp(name, "csv") == 0 ? AS_CSV : AS_TEXT;
}

static void print_csv_header(size_t width, const prediction_columns *c)
{
    for (size_t u = 0; u < width; u++)
        printf(u == 0 ? "output_%zu" : ",output_%zu", u + 1);
    printf("%s%s\n", c->classifier ? ",class" : "", c->probability ? ",probability" : "");
}

/* Text: %.6g, readable; CSV and JSON: %.9g, every float exactly. */
static void print_predictions(const float *outputs, size_t count, size_t width,
                              const prediction_columns *c)
{
    static const char *const separator[] = {" ", ",", ","};
    for (size_t s = 0; s < count; s++) {
        const float *row = outputs + s * width;
        size_t largest = 0;
        if (c->format == AS_JSON)
            fputs("{\"outputs\":[", stdout);
        for (size_t u = 0; u < width; u++) {
            printf(c->format == AS_TEXT ? "%s%.6g" : "%s%.9g", u == 0 ? "" : separator[c->format],
                   (double)row[u]);
            largest = row[u] > row[largest] ? u : largest;
        }
        if (c->format == AS_TEXT) {
            if (c->classifier)
                printf("\t%zu", largest);
        } else if (c->format == AS_CSV) {
            if (c->classifier)
                printf(",%zu", largest);
            if (c->probability)
                printf(",%.9g", (double)row[largest]);
        } else {
            putchar(']');
            if (c->classifier)
                printf(",\"class\":%zu", largest);
            if (c->probability)
                printf(",\"probability\":%.9g", (double)row[largest]);
            putchar('}');
        }
        putchar('\n');
    }
}

/* A chunk the network refused: the library names a sample within its call, the user wants the
 * file's, so a refused value is found again one sample at a time (on this path only). */
static void report_refused_chunk(const loaded *l, const char *path, clprop_status status,
                                 const float *in, size_t first, size_t count, float *values)
{
    char chunk_message[4096]; /* a message of the library's is at most that long */
    snprintf(chunk_message, sizeof chunk_message, "%s", clprop_net_message(l->net));
    size_t inputs = clprop_data_inputs(l->data);
    for (size_t i = 0; status == CLPROP_ERROR_NOT_FINITE && i < count; i++)
        if (clprop_net_predict(l->net, in + i * inputs, 1, values) != CLPROP_SUCCESS) {
            /* counted from 1, as the data loaders count samples */
            cli_error("%s: sample %zu: %s", path, first + i + 1, clprop_net_message(l->net));
            return;
        }
    /* a device failure, or a chunk whose sums no single sample repeats (summed in another
     * order): the chunk's own message, whose sample numbers count from 0 within it */
    cli_error("%s: samples %zu to %zu: %s", path, first + 1, first + count, chunk_message);
}

int cli_predict(int argc, char **argv)
{
    model_options o;
    int code = parse_arguments(argc, argv, "predict", &o);
    if (code >= 0)
        return code;
    loaded l;
    code = load(&o, &l);
    const size_t chunk = 256;
    size_t samples = code == 0 ? clprop_data_samples(l.data) : 0;
    size_t inputs = code == 0 ? clprop_data_inputs(l.data) : 0;
    size_t outputs = code == 0 ? clprop_data_outputs(l.data) : 0;
    outputs = code == 0 ? clprop_model_units(l.model, clprop_model_layer_count(l.model)) : 0;
    float *values = code == 0 ? malloc(chunk * outputs * sizeof(float)) : NULL;
    if (code == 0 && values == NULL) {
        cli_error("out of memory");
        code = EXIT_FAILED;
    }
    int softmax = code == 0 && clprop_model_activation(l.model, clprop_model_layer_count(
                                                           l.model)) == CLPROP_ACTIVATION_SOFTMAX;
    prediction_columns columns = {format_of(o.format), l.classifier, softmax && l.classifier};
    if (code == 0 && columns.format == AS_CSV)
        print_csv_header(outputs, &columns);
    for (size_t first = 0; code == 0 && first < samples; first += chunk) {
        size_t count = samples - first < chunk ? samples - first : chunk;
        const float *in = clprop_data_input_values(l.data) + first * inputs;
        clprop_status status = clprop_net_predict(l.net, in, count, values);
        if (status != CLPROP_SUCCESS) {
            report_refused_chunk(&l, o.data.path, status, in, first, count, values);
            code = EXIT_FAILED;
            break;
        }
        print_predictions(values, count, outputs, &columns);
        /* a full disk or a closed pipe stops the work at once, not after every sample */
        if (!cli_stdout_written())
            code = EXIT_FAILED;
    }
    free(values);
    unload(&l);
    return code;
}

/* `export --format onnx`: binary, so never onto a terminal; every write checked. */
static int export_onnx(const model_options *o)
{
#ifdef CLPROP_WITH_ONNX
    if (isatty(fileno(stdout))) {
        cli_error("export: an ONNX model is binary and is not written to a terminal: redirect "
                  "standard output to a file (clprop export --model MODEL --format onnx > "
                  "model.onnx)");
        return EXIT_USAGE;
    }
    clprop_model *model = load_model(o->model);
    if (model == NULL)
        return EXIT_FAILED;
    char message[512];
    clprop_status status = clprop_onnx_write(model, stdout, message, sizeof message);
    if (status != CLPROP_SUCCESS)
        cli_error("%s%s", status == CLPROP_ERROR_IO ? "standard output: " : "", message);
    clprop_model_destroy(model);
    return status == CLPROP_SUCCESS ? 0 : EXIT_FAILED;
#else
    (void)o;
    cli_error("export: this clprop was built without ONNX export: install protobuf-c-compiler, "
              "libprotobuf-c-dev and libonnx-dev (bash .ci/setup does) and build again");
    return EXIT_FAILED;
#endif
}

int cli_export(int argc, char **argv)
{
    model_options o;
    int code = parse_arguments(argc, argv, "export", &o);
    if (code >= 0)
        return code;
    if (o.format != NULL && strcmp(o.format, "onnx") == 0)
        return export_onnx(&o);
    clprop_model *model = load_model(o.model);
    if (model == NULL)
        return EXIT_FAILED;
    int fann = o.format != NULL && strcmp(o.format, "fann") == 0;
    clprop_status status =
        fann ? clprop_model_write_fann(model, stdout) : clprop_model_write_json(model, stdout);
    if (status != CLPROP_SUCCESS) /* the library does not know where `stdout` goes */
        cli_error("%s: %s", status == CLPROP_ERROR_IO ? "standard output" : o.model,
                  clprop_model_message(model));
    clprop_model_destroy(model);
    return status == CLPROP_SUCCESS ? 0 : EXIT_FAILED;
}
