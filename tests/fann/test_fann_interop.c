/* FANN networks against libfann itself (floatfann; built when CMake finds libfann-dev):
 *   - a network trained by clprop and exported as a .net runs in fann_run as in clprop (1e-6);
 *   - a network trained and saved by libfann predicts in clprop what fann_run gives (1e-6);
 *   - FANN → clprop → FANN gives the same network: layers, bias neurons, type, connection rate,
 *     every connection's neurons and weight bit for bit, every neuron's activation and
 *     steepness, and the connections line of the file byte for byte (the rest of the file is
 *     not: clprop writes FANN's default training parameters, and bias neurons as fann_create
 *     makes them).
 * Each sample of a FANN benchmark .test file is compared. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <floatfann.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clprop.h"
#include "support.h"

#define TOLERANCE 1e-6

/* ---- Helpers --------------------------------------------------------------------------------- */

static clprop_data *load_data(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", CLPROP_FANN_DIR, name);
    clprop_data_source source = {.path = path};
    clprop_data *data = NULL;
    cr_assert_eq(clprop_data_load(&source, &data), CLPROP_SUCCESS, "%s",
                 clprop_data_message(data));
    return data;
}

/* The model's outputs for every sample (malloc'd, samples × outputs), on the test device. */
static float *clprop_outputs(const clprop_model *model, const clprop_data *data)
{
    clprop_context *context = test_context();
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create_from_model(context, model, &net), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    size_t samples = clprop_data_samples(data), outputs = clprop_data_outputs(data);
    float *values = malloc(samples * outputs * sizeof *values);
    cr_assert_not_null(values);
    cr_assert_eq(clprop_net_forward(net, clprop_data_input_values(data), samples, values),
                 CLPROP_SUCCESS, "%s", clprop_net_message(net));
    clprop_net_destroy(net);
    clprop_context_destroy(context);
    return values;
}

/* fann_run's outputs for every sample (malloc'd, samples × outputs). */
static float *fann_outputs(struct fann *ann, const clprop_data *data)
{
    size_t samples = clprop_data_samples(data), inputs = clprop_data_inputs(data);
    size_t outputs = clprop_data_outputs(data);
    cr_assert_eq(fann_get_num_input(ann), inputs);
    cr_assert_eq(fann_get_num_output(ann), outputs);
    float *values = malloc(samples * outputs * sizeof *values);
    fann_type *in = malloc(inputs * sizeof *in);
    cr_assert(values != NULL && in != NULL);
    for (size_t s = 0; s < samples; s++) {
        memcpy(in, clprop_data_input_values(data) + s * inputs, inputs * sizeof *in);
        const fann_type *out = fann_run(ann, in);
        memcpy(values + s * outputs, out, outputs * sizeof *values);
    }
    free(in);
    return values;
}

/* Every output within TOLERANCE; on failure the first mismatches and the largest difference. */
static void assert_same_outputs(const char *what, const float *got, const float *want,
                                size_t samples, size_t outputs)
{
    size_t worst = 0, shown = 0;
    for (size_t i = 0; i < samples * outputs; i++) {
        double difference = fabs((double)got[i] - (double)want[i]);
        if (difference > TOLERANCE && shown++ < 5)
            cr_log_error("%s: sample %zu output %zu: clprop %.9g, FANN %.9g", what, i / outputs,
                         i % outputs, (double)got[i], (double)want[i]);
        if (difference > fabs((double)got[worst] - (double)want[worst]))
            worst = i;
    }
    double largest = fabs((double)got[worst] - (double)want[worst]);
    cr_assert(largest <= TOLERANCE,
              "%s: %zu outputs differ by more than %g; the largest by %.3g at sample %zu output "
              "%zu", what, shown, TOLERANCE, largest, worst / outputs, worst % outputs);
}

static void compare_on(const char *what, const clprop_model *model, struct fann *ann,
                       const char *test_file)
{
    clprop_data *data = load_data(test_file);
    float *got = clprop_outputs(model, data), *want = fann_outputs(ann, data);
    assert_same_outputs(what, got, want, clprop_data_samples(data), clprop_data_outputs(data));
    free(got);
    free(want);
    clprop_data_destroy(data);
}

static void write_fann(clprop_model *model, const char *path)
{
    FILE *out = fopen(path, "w");
    cr_assert_not_null(out, "%s", path);
    cr_assert_eq(clprop_model_write_fann(model, out), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    cr_assert_eq(fclose(out), 0);
}

static clprop_model *load_model(const char *path)
{
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_load(path, &model), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    return model;
}

static struct fann *fann_load(const char *path)
{
    struct fann *ann = fann_create_from_file(path);
    cr_assert_not_null(ann, "libfann cannot load %s", path);
    return ann;
}

/* A network FANN trains on `train_file` for a few epochs of its default iRPROP−, from weights
 * drawn by a seeded rand() (FANN seeds from the clock otherwise). */
static struct fann *fann_trained(const char *train_file, unsigned hidden,
                                 enum fann_activationfunc_enum hidden_activation,
                                 enum fann_activationfunc_enum output_activation,
                                 fann_type hidden_steepness, fann_type output_steepness)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", CLPROP_FANN_DIR, train_file);
    struct fann_train_data *data = fann_read_train_from_file(path);
    cr_assert_not_null(data, "libfann cannot read %s", path);
    struct fann *ann = fann_create_standard(3, fann_num_input_train_data(data), hidden,
                                            fann_num_output_train_data(data));
    cr_assert_not_null(ann);
    fann_set_activation_function_hidden(ann, hidden_activation);
    fann_set_activation_function_output(ann, output_activation);
    fann_set_activation_steepness_hidden(ann, hidden_steepness);
    fann_set_activation_steepness_output(ann, output_steepness);
    srand(20261214);
    fann_randomize_weights(ann, -0.5f, 0.5f);
    fann_train_on_data(ann, data, 5, 0, 0.0f);
    fann_destroy_train(data);
    return ann;
}

/* The line of the file at path that starts with `key` (malloc'd). */
static char *file_line(const char *path, const char *key)
{
    char *text = test_read_file(path, NULL);
    char *at = strstr(text, key);
    cr_assert_not_null(at, "%s has no \"%s\" line", path, key);
    char *line = strndup(at, strcspn(at, "\n"));
    free(text);
    return line;
}

/* ---- clprop → FANN --------------------------------------------------------------------------- */

/* A network clprop trains for two epochs, exported, runs in libfann as in clprop. */
static void check_clprop_to_fann(const char *train_file, const char *test_file,
                                 const size_t *sizes, const clprop_activation *activations,
                                 int no_bias)
{
    clprop_data *data = load_data(train_file);
    clprop_context *context = test_context();
    clprop_net_desc desc = {.layer_count = 2, .sizes = sizes, .activations = activations,
                            .no_bias = no_bias, .seed = 5};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    clprop_trainer_desc training = {.epochs = 2, .batch = 16, .learning_rate = 0.1f, .seed = 3};
    cr_assert_eq(clprop_fit(net, data, &training), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_from_net(net, &model), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    clprop_net_destroy(net);
    clprop_context_destroy(context);
    clprop_data_destroy(data);

    char *dir = test_make_temp_dir(), path[4096];
    snprintf(path, sizeof path, "%s/clprop.net", dir);
    write_fann(model, path);
    struct fann *ann = fann_load(path);
    compare_on(test_file, model, ann, test_file);
    fann_destroy(ann);
    clprop_model_destroy(model);
    test_remove_tree(dir);
    free(dir);
}

Test(fann_interop, a_tanh_sigmoid_network_exported_by_clprop_runs_in_fann_as_in_clprop,
     .timeout = 120)
{
    static const size_t sizes[] = {8, 6, 2};
    static const clprop_activation activations[] = {CLPROP_ACTIVATION_TANH,
                                                    CLPROP_ACTIVATION_SIGMOID};
    check_clprop_to_fann("diabetes.train", "diabetes.test", sizes, activations, 0);
}

Test(fann_interop, a_sigmoid_linear_network_without_biases_runs_in_fann_as_in_clprop,
     .timeout = 120)
{
    static const size_t sizes[] = {14, 7, 3};
    static const clprop_activation activations[] = {CLPROP_ACTIVATION_SIGMOID,
                                                    CLPROP_ACTIVATION_LINEAR};
    check_clprop_to_fann("building.train", "building.test", sizes, activations, 1);
}

/* ---- FANN → clprop --------------------------------------------------------------------------- */

Test(fann_interop, a_network_fann_trained_predicts_in_clprop_what_fann_run_gives, .timeout = 120)
{
    static const struct {
        const char *train, *test;
        unsigned hidden;
        enum fann_activationfunc_enum hidden_activation, output_activation;
        fann_type hidden_steepness, output_steepness;
    } rows[] = {
        {"diabetes.train", "diabetes.test", 6, FANN_SIGMOID_SYMMETRIC, FANN_SIGMOID, 0.5f, 0.5f},
        {"building.train", "building.test", 8, FANN_SIGMOID_SYMMETRIC, FANN_LINEAR, 0.5f, 0.5f},
        /* steepness other than FANN's default, 0.75 being no power of two */
        {"diabetes.train", "diabetes.test", 5, FANN_SIGMOID, FANN_SIGMOID_SYMMETRIC, 1.0f, 0.75f},
        {"building.train", "building.test", 4, FANN_LINEAR, FANN_SIGMOID, 0.25f, 0.75f},
    };
    char *dir = test_make_temp_dir(), path[4096];
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        struct fann *ann = fann_trained(rows[i].train, rows[i].hidden, rows[i].hidden_activation,
                                        rows[i].output_activation, rows[i].hidden_steepness,
                                        rows[i].output_steepness);
        snprintf(path, sizeof path, "%s/fann-%zu.net", dir, i);
        cr_assert_eq(fann_save(ann, path), 0);
        clprop_model *model = load_model(path);
        char what[128];
        snprintf(what, sizeof what, "row %zu (%s)", i, rows[i].test);
        compare_on(what, model, ann, rows[i].test);
        clprop_model_destroy(model);
        fann_destroy(ann);
    }
    test_remove_tree(dir);
    free(dir);
}

/* ---- FANN → clprop → FANN -------------------------------------------------------------------- */

static void assert_same_network(struct fann *got, struct fann *want)
{
    unsigned layers = fann_get_num_layers(want);
    cr_assert_eq(fann_get_num_layers(got), layers);
    cr_assert_eq(fann_get_network_type(got), fann_get_network_type(want));
    cr_assert_eq(fann_get_connection_rate(got), fann_get_connection_rate(want));
    unsigned sizes[2][16], biases[2][16];
    cr_assert(layers <= 16);
    fann_get_layer_array(got, sizes[0]);
    fann_get_layer_array(want, sizes[1]);
    fann_get_bias_array(got, biases[0]);
    fann_get_bias_array(want, biases[1]);
    for (unsigned layer = 0; layer < layers; layer++) {
        cr_assert_eq(sizes[0][layer], sizes[1][layer], "layer %u's size", layer);
        cr_assert_eq(biases[0][layer], biases[1][layer], "layer %u's bias neurons", layer);
    }
    for (unsigned layer = 1; layer < layers; layer++)
        for (unsigned neuron = 0; neuron < sizes[1][layer]; neuron++) {
            cr_assert_eq(fann_get_activation_function(got, (int)layer, (int)neuron),
                         fann_get_activation_function(want, (int)layer, (int)neuron),
                         "layer %u neuron %u's activation", layer, neuron);
            fann_type s = fann_get_activation_steepness(got, (int)layer, (int)neuron);
            fann_type t = fann_get_activation_steepness(want, (int)layer, (int)neuron);
            cr_assert(memcmp(&s, &t, sizeof s) == 0, "layer %u neuron %u's steepness: %.9g, "
                      "want %.9g", layer, neuron, (double)s, (double)t);
        }
    unsigned count = fann_get_total_connections(want);
    cr_assert_eq(fann_get_total_connections(got), count);
    struct fann_connection *a = calloc(count, sizeof *a), *b = calloc(count, sizeof *b);
    cr_assert(a != NULL && b != NULL);
    fann_get_connection_array(got, a);
    fann_get_connection_array(want, b);
    for (unsigned i = 0; i < count; i++) {
        cr_assert(a[i].from_neuron == b[i].from_neuron && a[i].to_neuron == b[i].to_neuron,
                  "connection %u: %u → %u, want %u → %u", i, a[i].from_neuron, a[i].to_neuron,
                  b[i].from_neuron, b[i].to_neuron);
        cr_assert(memcmp(&a[i].weight, &b[i].weight, sizeof a[i].weight) == 0,
                  "connection %u (%u → %u): weight %.9g, want %.9g", i, b[i].from_neuron,
                  b[i].to_neuron, (double)a[i].weight, (double)b[i].weight);
    }
    free(a);
    free(b);
}

Test(fann_interop, fann_to_clprop_to_fann_gives_back_every_weight_and_parameter, .timeout = 120)
{
    static const struct {
        const char *train, *test;
        enum fann_activationfunc_enum hidden, output;
    } rows[] = {
        {"diabetes.train", "diabetes.test", FANN_SIGMOID_SYMMETRIC, FANN_SIGMOID},
        {"building.train", "building.test", FANN_SIGMOID, FANN_LINEAR},
        {"thyroid.train", "thyroid.test", FANN_LINEAR, FANN_SIGMOID_SYMMETRIC},
    };
    char *dir = test_make_temp_dir(), first[4096], second[4096];
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        /* FANN's default steepness 0.5, the one clprop writes */
        struct fann *ann = fann_trained(rows[i].train, 6, rows[i].hidden, rows[i].output, 0.5f,
                                        0.5f);
        snprintf(first, sizeof first, "%s/fann-%zu.net", dir, i);
        snprintf(second, sizeof second, "%s/again-%zu.net", dir, i);
        cr_assert_eq(fann_save(ann, first), 0);
        clprop_model *model = load_model(first);
        write_fann(model, second);
        struct fann *again = fann_load(second);
        assert_same_network(again, ann);
        char *want = file_line(first, "connections ("), *got = file_line(second, "connections (");
        cr_expect_str_eq(got, want, "row %zu: the connections line", i);
        /* and so the same outputs, bit for bit */
        clprop_data *data = load_data(rows[i].test);
        float *a = fann_outputs(again, data), *b = fann_outputs(ann, data);
        size_t count = clprop_data_samples(data) * clprop_data_outputs(data);
        cr_expect(memcmp(a, b, count * sizeof *a) == 0, "row %zu: fann_run differs", i);
        free(a);
        free(b);
        clprop_data_destroy(data);
        free(want);
        free(got);
        fann_destroy(again);
        clprop_model_destroy(model);
        fann_destroy(ann);
    }
    test_remove_tree(dir);
    free(dir);
}
