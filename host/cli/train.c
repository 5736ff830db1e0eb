/* `clprop train`: load data, build or load a network, run epochs, report, save. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "options.h"
#include "report.h"
#include "rng.h"

typedef struct train_options {
    cli_data_options data;
    cli_data_options test; /* path from --test, labels from --test-labels */
    size_t sizes[CLI_MAX_LAYERS];
    size_t size_count; /* 0: from the data, with one hidden layer of default_hidden units */
    const char *layers_text;
    clprop_activation hidden, output;
    clprop_weight_init weight_init;
    int hidden_given, output_given, loss_given;
    clprop_loss loss;
    int no_bias;
    size_t epochs, batch;
    float learning_rate;
    uint64_t seed;
    clprop_gemm_backend gemm;
    const char *device, *init, *save, *log;
} train_options;

enum { default_hidden = 32 };

static void print_usage(FILE *out)
{
    fputs(
        "usage: clprop train --data FILE [options]\n"
        "\n"
        "Trains a network by backpropagation and gradient descent and reports every epoch.\n"
        "\n"
        "data (FANN .data/.train/.test, CSV, or IDX images with labels, gzip or not):\n"
        "  --data FILE            training data\n"
        "  --labels FILE          IDX labels for IDX images in --data\n"
        "  --targets K            CSV: the last K columns are the targets\n"
        "  --label-column N|last  CSV: column N (from 1) holds class labels 0..C-1 (one-hot)\n"
        "  --test FILE            test data, evaluated after every epoch (same format options)\n"
        "  --test-labels FILE     IDX labels for IDX images in --test\n"
        "network:\n"
        "  --layers N0,N1,...,NL  units per layer, input first; the first and last must match\n"
        "                         the data (default: inputs,32,outputs of the data)\n"
        "  --activation NAME      hidden layers: sigmoid (default), tanh, relu, leaky-relu or\n"
        "                         linear\n"
        "  --output NAME          output layer: any of those, or softmax (default: softmax for\n"
        "                         class labels, else linear)\n"
        "  --weight-init NAME     auto (default: glorot for sigmoid, tanh and linear layers, he\n"
        "                         for relu and leaky-relu), glorot or he\n"
        "  --loss mse|ce          squared error, or cross-entropy with softmax (default: ce\n"
        "                         with softmax, else mse)\n"
        "  --no-bias              no biases\n"
        "  --init MODEL           start from a model file or JSON export (defines the layers)\n"
        "training:\n"
        "  --epochs N             passes over the data (default 10)\n"
        "  --batch B              samples per step; the last one may be smaller (default 32)\n"
        "  --lr A                 learning rate: W <- W - (A/B)*sum(delta*x^T) (default 0.1)\n"
        "  --seed S               weight initialisation and shuffling (default 1)\n"
        "  --device SPEC          index, P:D, gpu, cpu or part of a name ($CLPROP_DEVICE)\n"
        "  --gemm BACKEND         native (default), clblast, or auto: the faster one on this\n"
        "                         device, measured once and remembered\n"
        "output:\n"
        "  --save MODEL           write the trained model (atomically) when training ends\n"
        "  --log FILE.csv         per-epoch figures as CSV\n"
        "\n"
        "Each epoch prints the training loss (and accuracy, for classifiers, measured on each\n"
        "batch before its step), the test loss and accuracy, samples per second and the time.\n",
        out);
}

/* One option at argv[*i]; 0 when it is not a train option. */
static int take_option(int argc, char **argv, int *i, train_options *o, int *bad)
{
    const char *value = NULL;
    if (cli_take_data_option(argc, argv, i, &o->data, bad) ||
        cli_option_value(argc, argv, i, "--test", &o->test.path, bad) ||
        cli_option_value(argc, argv, i, "--test-labels", &o->test.labels, bad) ||
        cli_option_value(argc, argv, i, "--device", &o->device, bad) ||
        cli_option_value(argc, argv, i, "--init", &o->init, bad) ||
        cli_option_value(argc, argv, i, "--save", &o->save, bad) ||
        cli_option_value(argc, argv, i, "--log", &o->log, bad))
        return 1;
    if (strcmp(argv[*i], "--no-bias") == 0)
        return o->no_bias = 1;
    if (cli_option_value(argc, argv, i, "--layers", &value, bad)) {
        *bad = *bad || !cli_parse_layers("--layers", value, o->sizes, &o->size_count);
        o->layers_text = value;
    } else if (cli_option_value(argc, argv, i, "--activation", &value, bad)) {
        *bad = *bad || !cli_parse_activation_name("--activation", value, &o->hidden);
        o->hidden_given = 1;
    } else if (cli_option_value(argc, argv, i, "--output", &value, bad)) {
        *bad = *bad || !cli_parse_activation_name("--output", value, &o->output);
        o->output_given = 1;
    } else if (cli_option_value(argc, argv, i, "--weight-init", &value, bad)) {
        *bad = *bad || !cli_parse_weight_init("--weight-init", value, &o->weight_init);
    } else if (cli_option_value(argc, argv, i, "--loss", &value, bad)) {
        *bad = *bad || !cli_parse_loss_name("--loss", value, &o->loss);
        o->loss_given = 1;
    } else if (cli_option_value(argc, argv, i, "--epochs", &value, bad)) {
        *bad = *bad || !cli_parse_count("--epochs", value, &o->epochs);
    } else if (cli_option_value(argc, argv, i, "--batch", &value, bad)) {
        *bad = *bad || !cli_parse_count("--batch", value, &o->batch);
    } else if (cli_option_value(argc, argv, i, "--lr", &value, bad)) {
        *bad = *bad || !cli_parse_positive("--lr", value, &o->learning_rate);
    } else if (cli_option_value(argc, argv, i, "--seed", &value, bad)) {
        *bad = *bad || !cli_parse_seed("--seed", value, &o->seed);
    } else if (cli_option_value(argc, argv, i, "--gemm", &value, bad)) {
        *bad = *bad || !cli_parse_gemm("--gemm", value, &o->gemm);
    } else {
        return 0;
    }
    return 1;
}

/* Returns -1 to go on, else the exit status. */
static int parse_arguments(int argc, char **argv, train_options *o)
{
    memset(o, 0, sizeof *o);
    o->epochs = 10;
    o->batch = 32;
    o->learning_rate = 0.1f;
    o->seed = 1;
    int bad = 0;
    for (int i = 1; i < argc && !bad; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_usage(stdout);
            return 0;
        }
        if (!take_option(argc, argv, &i, o, &bad)) {
            cli_error("train: unknown option %s (see clprop train --help)", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!bad && o->data.path == NULL) {
        cli_error("train: --data FILE is required (see clprop train --help)");
        bad = 1;
    }
    if (!bad && o->output_given && o->output == CLPROP_ACTIVATION_SOFTMAX && o->loss_given &&
        o->loss != CLPROP_LOSS_CROSS_ENTROPY) {
        cli_error("train: --output softmax goes with --loss ce");
        bad = 1;
    }
    if (!bad && o->hidden_given && o->hidden == CLPROP_ACTIVATION_SOFTMAX) {
        cli_error("--activation: softmax is for the output layer only (--output softmax)");
        bad = 1;
    }
    return bad ? EXIT_USAGE : -1;
}

/* The loss and output activation, from what was given and what the data hold. */
static void choose_output(train_options *o, const clprop_data *data)
{
    if (!o->output_given)
        o->output = o->loss_given && o->loss == CLPROP_LOSS_CROSS_ENTROPY ? CLPROP_ACTIVATION_SOFTMAX
                    : clprop_data_has_labels(data) && !o->loss_given ? CLPROP_ACTIVATION_SOFTMAX
                                                                     : CLPROP_ACTIVATION_LINEAR;
    if (!o->loss_given)
        o->loss = o->output == CLPROP_ACTIVATION_SOFTMAX ? CLPROP_LOSS_CROSS_ENTROPY
                                                         : CLPROP_LOSS_MSE;
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct session {
    train_options *options;
    clprop_data *data, *test;
    clprop_context *context;
    clprop_net *net;
    clprop_device_data *device_data, *device_test;
    int classifier;
} session;

static void session_end(session *s)
{
    clprop_device_data_destroy(s->device_test);
    clprop_device_data_destroy(s->device_data);
    clprop_net_destroy(s->net);
    clprop_context_destroy(s->context);
    clprop_data_destroy(s->test);
    clprop_data_destroy(s->data);
}

/* Checks the data's widths against the network's, naming the file and both numbers. */
static int check_widths(const char *path, const clprop_data *data, size_t inputs, size_t outputs)
{
    if (clprop_data_inputs(data) != inputs) {
        cli_error("%s: the data have %zu inputs but the network's input layer has %zu units",
                  path, clprop_data_inputs(data), inputs);
        return 0;
    }
    if (clprop_data_outputs(data) != outputs) {
        cli_error("%s: the data have %zu outputs but the network's output layer has %zu units",
                  path, clprop_data_outputs(data), outputs);
        return 0;
    }
    return 1;
}

/* Loads the model named by --init; its layers define the network. */
static clprop_model *load_init_model(const char *path)
{
    clprop_model *model = NULL;
    if (clprop_model_load(path, &model) != CLPROP_SUCCESS) {
        cli_error("%s", clprop_model_message(model));
        clprop_model_destroy(model);
        return NULL;
    }
    return model;
}

static int build_network(session *s, clprop_model *init)
{
    train_options *o = s->options;
    clprop_status status;
    if (init != NULL) {
        status = clprop_net_create_from_model(s->context, init, &s->net);
    } else {
        clprop_activation activations[CLI_MAX_LAYERS];
        for (size_t l = 0; l + 1 < o->size_count; l++)
            activations[l] = l + 2 == o->size_count ? o->output : o->hidden;
        clprop_net_desc desc = {o->size_count - 1, o->sizes, activations, o->no_bias, o->loss,
                                o->seed, o->weight_init};
        status = clprop_net_create(s->context, &desc, &s->net);
    }
    if (status != CLPROP_SUCCESS) {
        cli_error("%s", clprop_net_message(s->net));
        return 0;
    }
    return 1;
}

static int upload(session *s)
{
    if (clprop_device_data_create(s->context, s->data, &s->device_data) != CLPROP_SUCCESS) {
        cli_error("%s: %s", s->options->data.path, clprop_device_data_message(s->device_data));
        return 0;
    }
    if (s->test != NULL &&
        clprop_device_data_create(s->context, s->test, &s->device_test) != CLPROP_SUCCESS) {
        cli_error("%s: %s", s->options->test.path, clprop_device_data_message(s->device_test));
        return 0;
    }
    return 1;
}

/* Settles the network's shape: from --init, else --layers checked against the data, else the
 * data's widths around one hidden layer. Then loads the test data with the same classes. */
static int settle_shape(session *s, clprop_model *init)
{
    train_options *o = s->options;
    size_t inputs = clprop_data_inputs(s->data), outputs = clprop_data_outputs(s->data);
    if (init != NULL) {
        size_t last = clprop_model_layer_count(init);
        return check_widths(o->data.path, s->data, clprop_model_units(init, 0),
                            clprop_model_units(init, last));
    }
    if (o->size_count == 0) {
        size_t defaults[] = {inputs, default_hidden, outputs};
        memcpy(o->sizes, defaults, sizeof defaults);
        o->size_count = 3;
    }
    return check_widths(o->data.path, s->data, o->sizes[0], o->sizes[o->size_count - 1]);
}

static int load_everything(session *s, clprop_model **init, int *usage_error)
{
    train_options *o = s->options;
    if (o->init != NULL && (*init = load_init_model(o->init)) == NULL)
        return 0;
    /* Class labels become one-hot vectors as wide as the output layer, when it is known. */
    size_t classes = *init != NULL ? clprop_model_units(*init, clprop_model_layer_count(*init))
                     : o->size_count > 0 ? o->sizes[o->size_count - 1]
                                         : 0;
    if ((s->data = cli_load_data(&o->data, classes, usage_error)) == NULL)
        return 0;
    if (classes == 0 && clprop_data_has_labels(s->data))
        classes = clprop_data_outputs(s->data);
    if (!settle_shape(s, *init))
        return 0;
    if (o->test.path != NULL) {
        cli_data_options test = o->data;
        test.path = o->test.path;
        test.labels = o->test.labels;
        if ((s->test = cli_load_data(&test, classes, usage_error)) == NULL)
            return 0;
        size_t inputs = clprop_data_inputs(s->data), outputs = clprop_data_outputs(s->data);
        if (!check_widths(o->test.path, s->test, inputs, outputs))
            return 0;
    }
    choose_output(o, s->data);
    if (*init == NULL && o->loss == CLPROP_LOSS_CROSS_ENTROPY &&
        o->output != CLPROP_ACTIVATION_SOFTMAX) {
        cli_error("train: --loss ce needs --output softmax");
        *usage_error = 1;
        return 0;
    }
    return 1;
}

static int save_model(session *s)
{
    clprop_model *model = NULL;
    clprop_status status = clprop_model_from_net(s->net, &model);
    if (status == CLPROP_SUCCESS)
        status = clprop_model_save(model, s->options->save);
    if (status != CLPROP_SUCCESS)
        cli_error("%s", clprop_model_message(model));
    clprop_model_destroy(model);
    return status == CLPROP_SUCCESS;
}

/* The epochs. Returns 1 when all ran. */
static int run_epochs(session *s, report *r)
{
    train_options *o = s->options;
    clprop_rng seeds = clprop_rng_seeded(o->seed ^ 0x5deece66dull);
    double start = now_seconds();
    for (size_t epoch = 1; epoch <= o->epochs; epoch++) {
        epoch_figures figures = {epoch, o->epochs, {0}, s->test != NULL, {0}, s->classifier, 0, 0};
        clprop_epoch_options epoch_options = {o->batch, o->learning_rate,
                                              clprop_rng_next(&seeds), report_progress, r};
        r->epoch = epoch;
        double epoch_start = now_seconds();
        clprop_status status =
            clprop_net_train_epoch(s->net, s->device_data, &epoch_options, &figures.train);
        figures.seconds = now_seconds() - epoch_start;
        if (status == CLPROP_SUCCESS && s->test != NULL)
            status = clprop_net_evaluate(s->net, s->device_test, o->batch, &figures.test);
        if (status != CLPROP_SUCCESS) {
            if (r->terminal)
                fputs("\n", stderr);
            cli_error("epoch %zu: %s", epoch, clprop_net_message(s->net));
            return 0;
        }
        figures.elapsed_seconds = now_seconds() - start;
        report_epoch(r, &figures);
    }
    return 1;
}

static void print_summary(const session *s, double seconds)
{
    if (s->test == NULL)
        return;
    clprop_pass_result result;
    if (clprop_net_evaluate(s->net, s->device_test, s->options->batch, &result) != CLPROP_SUCCESS)
        return;
    if (s->classifier)
        printf("test accuracy %.4f (%zu/%zu), test loss %.5f, trained in %.1f s\n",
               (double)result.correct / (double)result.samples, result.correct, result.samples,
               result.loss, seconds);
    else
        printf("test loss %.5f, test MSE %.6g, trained in %.1f s\n", result.loss, result.mse,
               seconds);
}

int cli_train(int argc, char **argv)
{
    train_options options;
    int code = parse_arguments(argc, argv, &options);
    if (code >= 0)
        return code;
    session s = {&options, NULL, NULL, NULL, NULL, NULL, NULL, 0};
    clprop_model *init = NULL;
    int usage_error = 0;
    int ok = load_everything(&s, &init, &usage_error);
    if (ok && (s.context = cli_open_context(options.device, options.gemm)) == NULL)
        ok = 0;
    ok = ok && build_network(&s, init) && upload(&s);
    if (ok)
        printf("device %s, GEMM %s, data %s\n", clprop_context_device(s.context)->name,
               clprop_gemm_backend_name(clprop_context_gemm_backend(s.context)),
               clprop_device_data_resident(s.device_data) ? "on the device" : "sent per batch");
    clprop_model_destroy(init);
    report r;
    if (ok) {
        size_t last = clprop_net_layer_count(s.net);
        s.classifier = clprop_net_units(s.net, last) > 1 &&
                       (clprop_data_has_labels(s.data) ||
                        clprop_net_activation(s.net, last) == CLPROP_ACTIVATION_SOFTMAX);
        ok = report_open(&r, options.log, options.epochs);
        if (ok) {
            double start = now_seconds();
            ok = run_epochs(&s, &r);
            ok = report_close(&r, 1) && ok;
            if (ok)
                print_summary(&s, now_seconds() - start);
        }
    }
    if (ok && options.save != NULL)
        ok = save_model(&s);
    session_end(&s);
    return ok ? 0 : usage_error ? EXIT_USAGE : EXIT_FAILED;
}
