/* FANN's saved-network format (FANN_FLO_2.1): what export writes, line for line; every weight
 * back bit for bit; steepness folded into the weights; what clprop cannot hold refused by name;
 * damaged and cut-short files refused naming the file and the line; numbers independent of the
 * locale; and the command's export --format fann, predict and train --init with a .net file.
 * tests/fann/test_fann_interop.c checks the same files against libfann itself. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clprop.h"
#include "support.h"

/* ---- Helpers --------------------------------------------------------------------------------- */

static clprop_model *create_or_fail(size_t layer_count, const size_t *sizes,
                                    const clprop_activation *activations, int no_bias)
{
    clprop_net_desc desc = {.layer_count = layer_count, .sizes = sizes,
                            .activations = activations, .no_bias = no_bias};
    clprop_model *model = NULL;
    clprop_status status = clprop_model_create(&desc, &model);
    cr_assert_eq(status, CLPROP_SUCCESS, "create: %s", clprop_model_message(model));
    return model;
}

/* Every weight and bias drawn from the seed over ±range. */
static void fill_model(clprop_model *model, uint64_t seed, double range)
{
    test_rng rng = test_rng_seeded(seed);
    for (size_t layer = 1; layer <= clprop_model_layer_count(model); layer++) {
        size_t outputs = clprop_model_units(model, layer);
        test_fill_uniform(&rng, clprop_model_weights(model, layer),
                          outputs * clprop_model_units(model, layer - 1), -range, range);
        if (clprop_model_has_bias(model))
            test_fill_uniform(&rng, clprop_model_biases(model, layer), outputs, -range, range);
    }
}

/* The FANN export as malloc'd text. */
static char *fann_text(clprop_model *model)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    cr_assert_not_null(out);
    clprop_status status = clprop_model_write_fann(model, out);
    cr_assert_eq(status, CLPROP_SUCCESS, "export: %s", clprop_model_message(model));
    fclose(out);
    return text;
}

static clprop_model *load_text_or_fail(const char *text)
{
    char *dir = test_make_temp_dir();
    char *path = test_write_file(dir, "m.net", text);
    clprop_model *model = NULL;
    clprop_status status = clprop_model_load(path, &model);
    cr_assert_eq(status, CLPROP_SUCCESS, "load: %s", clprop_model_message(model));
    test_remove_tree(dir);
    free(path);
    free(dir);
    return model;
}

/* Same shape, activations and every bit; `want` without biases must come back with zero ones
 * (FANN always has bias neurons). */
static void assert_models_identical(clprop_model *got, clprop_model *want)
{
    size_t layers = clprop_model_layer_count(want);
    cr_assert_eq(clprop_model_layer_count(got), layers);
    cr_assert_eq(clprop_model_loss(got), CLPROP_LOSS_MSE);
    cr_assert(clprop_model_has_bias(got), "a FANN network always has biases");
    cr_assert_eq(clprop_model_units(got, 0), clprop_model_units(want, 0));
    for (size_t layer = 1; layer <= layers; layer++) {
        size_t outputs = clprop_model_units(want, layer);
        cr_assert_eq(clprop_model_units(got, layer), outputs);
        cr_assert_eq(clprop_model_activation(got, layer), clprop_model_activation(want, layer),
                     "layer %zu's activation", layer);
        test_assert_same_bits(clprop_model_weights(got, layer), clprop_model_weights(want, layer),
                         outputs * clprop_model_units(want, layer - 1), "weight", layer);
        float zeros[64] = {0};
        cr_assert(outputs <= 64);
        test_assert_same_bits(clprop_model_biases(got, layer),
                         clprop_model_has_bias(want) ? clprop_model_biases(want, layer) : zeros,
                         outputs, "bias", layer);
    }
}

/* The line of `text` that starts with `key` (malloc'd, without its newline). */
static char *line_of(const char *text, const char *key)
{
    for (const char *line = text; *line != '\0'; line = strchr(line, '\n') + 1) {
        size_t length = strcspn(line, "\n");
        if (strncmp(line, key, strlen(key)) == 0)
            return strndup(line, length);
        if (line[length] == '\0')
            break;
    }
    cr_assert_fail("no line starting with \"%s\" in:\n%s", key, text);
    return NULL;
}

/* A small network in FANN's format with only the lines clprop needs and one it skips: 2 inputs,
 * 2 FANN_SIGMOID_SYMMETRIC neurons, 1 FANN_LINEAR output, steepness 0.5 (weights × 0.5). */
#define NEURONS_KEY "neurons (num_inputs, activation_function, activation_steepness)="
#define CONNECTIONS_KEY "connections (connected_to_neuron, weight)="
#define SMALL_NET                                                                                  \
    "FANN_FLO_2.1\n"                                                                               \
    "num_layers=3\n"                                                                               \
    "learning_rate=0.700000\n"                                                                     \
    "connection_rate=1.000000\n"                                                                   \
    "network_type=0\n"                                                                             \
    "layer_sizes=3 3 2 \n"                                                                         \
    "scale_included=0\n"                                                                           \
    NEURONS_KEY "(0, 0, 0.0) (0, 0, 0.0) (0, 0, 0.0) (3, 5, 0.5) (3, 5, 0.5) (0, 0, 0.0) "         \
    "(3, 0, 0.5) (0, 0, 0.0) \n"                                                                   \
    CONNECTIONS_KEY "(0, 0.5) (1, -1.5) (2, 0.25) (0, 2) (1, 4) (2, -8) (3, 1) (4, -1) (5, 3) \n"

static void assert_small_net(clprop_model *model)
{
    cr_assert_eq(clprop_model_layer_count(model), 2);
    cr_assert_eq(clprop_model_units(model, 0), 2);
    cr_assert_eq(clprop_model_units(model, 1), 2);
    cr_assert_eq(clprop_model_units(model, 2), 1);
    cr_assert_eq(clprop_model_activation(model, 1), CLPROP_ACTIVATION_TANH);
    cr_assert_eq(clprop_model_activation(model, 2), CLPROP_ACTIVATION_LINEAR);
    test_assert_same_bits(clprop_model_weights(model, 1), (float[]){0.25f, -0.75f, 1.0f, 2.0f}, 4,
                     "weight", 1);
    test_assert_same_bits(clprop_model_biases(model, 1), (float[]){0.125f, -4.0f}, 2, "bias", 1);
    test_assert_same_bits(clprop_model_weights(model, 2), (float[]){0.5f, -0.5f}, 2, "weight", 2);
    test_assert_same_bits(clprop_model_biases(model, 2), (float[]){1.5f}, 1, "bias", 2);
}

/* SMALL_NET with the first `old` replaced by `new` (malloc'd). */
static char *small_net_with(const char *old, const char *new)
{
    const char *at = strstr(SMALL_NET, old);
    cr_assert_not_null(at, "\"%s\" is not in SMALL_NET", old);
    char *text = NULL;
    cr_assert(asprintf(&text, "%.*s%s%s", (int)(at - SMALL_NET), SMALL_NET, new,
                       at + strlen(old)) > 0);
    return text;
}

/* Loading `text` fails with `want`, one line starting "PATH:LINE:" and holding `detail`. */
static void expect_refused_at(const char *text, clprop_status want, size_t line,
                              const char *detail)
{
    char *dir = test_make_temp_dir();
    char *path = test_write_file(dir, "m.net", text);
    clprop_model *model = NULL;
    clprop_status status = clprop_model_load(path, &model);
    cr_assert_not_null(model);
    const char *message = clprop_model_message(model);
    char prefix[4096];
    snprintf(prefix, sizeof prefix, "%s:%zu: ", path, line);
    cr_expect_eq(status, want, "status %s, want %s; message: %s", clprop_status_name(status),
                 clprop_status_name(want), message);
    cr_expect(strncmp(message, prefix, strlen(prefix)) == 0,
              "message \"%s\" should start with \"%s\"", message, prefix);
    cr_expect_not_null(strstr(message, detail), "message \"%s\" should say \"%s\"", message,
                       detail);
    cr_expect_null(strchr(message, '\n'), "message should be one line: %s", message);
    cr_expect_eq(clprop_model_layer_count(model), 0, "a refused file must give no layers");
    clprop_model_destroy(model);
    test_remove_tree(dir);
    free(path);
    free(dir);
}

static void expect_changed_refused(const char *old, const char *new, size_t line,
                                   const char *detail)
{
    char *text = small_net_with(old, new);
    expect_refused_at(text, CLPROP_ERROR_FORMAT, line, detail);
    free(text);
}

/* ---- Export ---------------------------------------------------------------------------------- */

Test(model_fann, a_2_2_1_model_is_written_as_fann_save_writes_it)
{
    static const size_t sizes[] = {2, 2, 1};
    static const clprop_activation activations[] = {CLPROP_ACTIVATION_TANH,
                                                    CLPROP_ACTIVATION_SIGMOID};
    clprop_model *model = create_or_fail(2, sizes, activations, 0);
    memcpy(clprop_model_weights(model, 1), (float[]){0.25f, -0.75f, 1.0f, 2.0f},
           4 * sizeof(float));
    memcpy(clprop_model_biases(model, 1), (float[]){0.125f, -4.0f}, 2 * sizeof(float));
    memcpy(clprop_model_weights(model, 2), (float[]){0.5f, -0.5f}, 2 * sizeof(float));
    memcpy(clprop_model_biases(model, 2), (float[]){0.1f}, sizeof(float));
    char *text = fann_text(model);
    cr_assert(strncmp(text, "FANN_FLO_2.1\nnum_layers=3\nlearning_rate=0.700000\n", 49) == 0,
              "%s", text);
    const char *want[][2] = {
        {"connection_rate=", "connection_rate=1.000000"},
        {"network_type=", "network_type=0"},
        {"layer_sizes=", "layer_sizes=3 3 2 "},
        {"scale_included=", "scale_included=0"},
        {NEURONS_KEY, NEURONS_KEY
         "(0, 0, 0.00000000000000000000e+00) (0, 0, 0.00000000000000000000e+00) "
         "(0, 0, 0.00000000000000000000e+00) (3, 5, 5.00000000000000000000e-01) "
         "(3, 5, 5.00000000000000000000e-01) (0, 0, 0.00000000000000000000e+00) "
         "(3, 3, 5.00000000000000000000e-01) (0, 0, 0.00000000000000000000e+00) "},
        /* tanh's weights doubled (steepness 0.5), sigmoid's as they are (2 × 0.5 = 1) */
        {CONNECTIONS_KEY, CONNECTIONS_KEY
         "(0, 5.00000000000000000000e-01) (1, -1.50000000000000000000e+00) "
         "(2, 2.50000000000000000000e-01) (0, 2.00000000000000000000e+00) "
         "(1, 4.00000000000000000000e+00) (2, -8.00000000000000000000e+00) "
         "(3, 5.00000000000000000000e-01) (4, -5.00000000000000000000e-01) "
         "(5, 1.00000001490116119385e-01) "},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        char *line = line_of(text, want[i][0]);
        cr_expect_str_eq(line, want[i][1]);
        free(line);
    }
    size_t lines = 0;
    for (const char *p = text; *p != '\0'; p++)
        lines += *p == '\n';
    cr_expect_eq(lines, 36, "fann_save writes 36 lines for a network without scaling");
    free(text);
    clprop_model_destroy(model);
}

Test(model_fann, every_weight_of_every_activation_reads_back_bit_for_bit)
{
    static const size_t sizes[] = {7, 9, 5, 6, 3};
    static const clprop_activation activations[] = {
        CLPROP_ACTIVATION_TANH, CLPROP_ACTIVATION_SIGMOID, CLPROP_ACTIVATION_LINEAR,
        CLPROP_ACTIVATION_SIGMOID};
    for (uint64_t seed = 1; seed <= 3; seed++) {
        clprop_model *model = create_or_fail(4, sizes, activations, 0);
        fill_model(model, seed, seed == 3 ? 1e30 : 3.0); /* the third: huge and tiny weights */
        if (seed == 3)
            clprop_model_weights(model, 1)[0] = 1e-30f;
        char *text = fann_text(model);
        clprop_model *loaded = load_text_or_fail(text);
        assert_models_identical(loaded, model);
        clprop_model_destroy(loaded);
        clprop_model_destroy(model);
        free(text);
    }
}

Test(model_fann, a_model_without_biases_reads_back_with_zero_bias_weights)
{
    static const size_t sizes[] = {3, 4, 2};
    clprop_model *model = create_or_fail(2, sizes, NULL, 1);
    fill_model(model, 7, 2.0);
    char *text = fann_text(model);
    char *connections = line_of(text, CONNECTIONS_KEY);
    cr_expect_not_null(strstr(connections, "(3, 0.00000000000000000000e+00) "),
                       "the input layer's bias neuron (3) carries zero weights: %s", connections);
    clprop_model *loaded = load_text_or_fail(text);
    assert_models_identical(loaded, model);
    clprop_model_destroy(loaded);
    clprop_model_destroy(model);
    free(connections);
    free(text);
}

Test(model_fann, export_refuses_softmax_relu_and_leaky_relu_naming_the_layer)
{
    static const struct {
        clprop_activation hidden, output;
        clprop_loss loss;
        const char *detail;
    } rows[] = {
        {CLPROP_ACTIVATION_SIGMOID, CLPROP_ACTIVATION_SOFTMAX, CLPROP_LOSS_CROSS_ENTROPY,
         "layer 2 is softmax"},
        {CLPROP_ACTIVATION_RELU, CLPROP_ACTIVATION_LINEAR, CLPROP_LOSS_MSE, "layer 1 is relu"},
        {CLPROP_ACTIVATION_LEAKY_RELU, CLPROP_ACTIVATION_LINEAR, CLPROP_LOSS_MSE,
         "layer 1 is leaky-relu"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        static const size_t sizes[] = {2, 3, 2};
        clprop_activation activations[] = {rows[i].hidden, rows[i].output};
        clprop_net_desc desc = {.layer_count = 2, .sizes = sizes, .activations = activations,
                                .loss = rows[i].loss};
        clprop_model *model = NULL;
        cr_assert_eq(clprop_model_create(&desc, &model), CLPROP_SUCCESS, "%s",
                     clprop_model_message(model));
        char *text = NULL;
        size_t length = 0;
        FILE *out = open_memstream(&text, &length);
        clprop_status status = clprop_model_write_fann(model, out);
        fclose(out);
        cr_expect_eq(status, CLPROP_ERROR_INVALID_ARGUMENT, "row %zu: %s", i,
                     clprop_status_name(status));
        cr_expect_not_null(strstr(clprop_model_message(model), rows[i].detail),
                           "row %zu: \"%s\" should say \"%s\"", i, clprop_model_message(model),
                           rows[i].detail);
        cr_expect_not_null(strstr(clprop_model_message(model), "FANN"));
        cr_expect_eq(length, 0, "row %zu: nothing may be written, got \"%s\"", i, text);
        free(text);
        clprop_model_destroy(model);
    }
}

Test(model_fann, export_refuses_a_weight_that_doubling_would_make_infinite)
{
    static const size_t sizes[] = {2, 1};
    static const clprop_activation activations[] = {CLPROP_ACTIVATION_LINEAR};
    clprop_model *model = create_or_fail(1, sizes, activations, 0);
    clprop_model_weights(model, 1)[1] = FLT_MAX;
    FILE *out = fopen("/dev/null", "w");
    cr_assert_eq(clprop_model_write_fann(model, out), CLPROP_ERROR_NOT_FINITE);
    fclose(out);
    cr_expect_not_null(strstr(clprop_model_message(model), "layer 1: weight 1"), "%s",
                       clprop_model_message(model));
    clprop_model_destroy(model);
}

/* ---- Import ---------------------------------------------------------------------------------- */

static void expect_loads_as_small_net(const char *text)
{
    clprop_model *model = load_text_or_fail(text);
    assert_small_net(model);
    clprop_model_destroy(model);
}

Test(model_fann, a_network_with_only_the_lines_clprop_needs_loads)
{
    expect_loads_as_small_net(SMALL_NET);
}

Test(model_fann, loads_fann_file_with_trailing_spaces_crlf_and_blank_lines)
{
    char *spaced = small_net_with("layer_sizes=3 3 2 \n", "\r\n\nlayer_sizes=  3\t3 2   \r\n");
    char *text = NULL;
    cr_assert(asprintf(&text, "%s\n  \n", spaced) > 0);
    expect_loads_as_small_net(text);
    free(text);
    free(spaced);
}

/* An editor may put a UTF-8 byte order mark before the first line: the network is told by what
 * follows it. */
Test(model_fann, a_byte_order_mark_before_the_first_line_is_passed_over)
{
    char *text = NULL;
    cr_assert(asprintf(&text, "\xEF\xBB\xBF%s", SMALL_NET) > 0);
    expect_loads_as_small_net(text);
    free(text);
}

Test(model_fann, each_neurons_steepness_is_folded_into_its_weights)
{
    /* 1-2-1: a FANN_SIGMOID neuron of steepness 1 (× 2), one of 0.75 (× 1.5), and a
     * FANN_LINEAR output of steepness 2 (× 2). */
    const char *text = "FANN_FLO_2.1\nnum_layers=3\nnetwork_type=0\nlayer_sizes=2 3 2\n"
                       NEURONS_KEY "(0, 0, 0) (0, 0, 0) (2, 3, 1.0) (2, 3, 0.75) (0, 3, 0) "
                       "(3, 0, 2) (0, 0, 0)\n"
                       CONNECTIONS_KEY "(0, 0.5) (1, 0.25) (0, 1) (1, -2) (2, 3) (3, -0.5) "
                       "(4, 0.125)\n";
    clprop_model *model = load_text_or_fail(text);
    cr_assert_eq(clprop_model_activation(model, 1), CLPROP_ACTIVATION_SIGMOID);
    cr_assert_eq(clprop_model_activation(model, 2), CLPROP_ACTIVATION_LINEAR);
    test_assert_same_bits(clprop_model_weights(model, 1), (float[]){1.0f, 1.5f}, 2, "weight", 1);
    test_assert_same_bits(clprop_model_biases(model, 1), (float[]){0.5f, -3.0f}, 2, "bias", 1);
    test_assert_same_bits(clprop_model_weights(model, 2), (float[]){6.0f, -1.0f}, 2, "weight", 2);
    test_assert_same_bits(clprop_model_biases(model, 2), (float[]){0.25f}, 1, "bias", 2);
    clprop_model_destroy(model);
}

Test(model_fann, connections_in_any_order_go_to_the_neuron_they_come_from)
{
    char *text = small_net_with("(0, 0.5) (1, -1.5) (2, 0.25)", "(2, 0.25) (0, 0.5) (1, -1.5)");
    clprop_model *model = load_text_or_fail(text);
    assert_small_net(model);
    clprop_model_destroy(model);
    free(text);
}

Test(model_fann, what_clprop_cannot_hold_is_refused_by_name)
{
    expect_changed_refused("network_type=0", "network_type=1", 5, "FANN_NETTYPE_SHORTCUT");
    expect_changed_refused("connection_rate=1.000000", "connection_rate=0.500000", 4,
                           "sparse network");
    expect_changed_refused("scale_included=0", "scale_included=1", 7, "scaling");
    expect_changed_refused("(3, 5, 0.5) (3, 5, 0.5)", "(3, 4, 0.5) (3, 5, 0.5)", 8,
                           "neuron 3 (layer 1): activation FANN_SIGMOID_STEPWISE (4)");
    expect_changed_refused("(3, 0, 0.5)", "(3, 7, 0.5)", 8, "FANN_GAUSSIAN (7)");
    expect_changed_refused("(3, 0, 0.5)", "(3, 13, 0.5)", 8, "FANN_LINEAR_PIECE_SYMMETRIC");
    expect_changed_refused("(3, 0, 0.5)", "(3, 42, 0.5)", 8, "unknown activation function 42");
    expect_changed_refused("(3, 5, 0.5) (3, 5, 0.5)", "(3, 5, 0.5) (3, 3, 0.5)", 8,
                           "a clprop layer has one activation");
    expect_changed_refused("(3, 0, 0.5)", "(3, 0, 0)", 8, "steepness 0");
    expect_changed_refused("(3, 0, 0.5)", "(3, 0, -1)", 8, "steepness -1");
    /* beyond single precision either way: said as the float it became */
    expect_changed_refused("(3, 0, 0.5)", "(3, 0, 1e-50)", 8, "steepness 0 in single precision");
    expect_changed_refused("(3, 0, 0.5)", "(3, 0, 1e39)", 8, "steepness inf in single precision");
    expect_changed_refused("FANN_FLO_2.1", "FANN_FIX_2.1", 1, "fixed-point");
    expect_changed_refused("FANN_FLO_2.1", "FANN_FLO_1.1", 1, "FANN_FLO_1.1");
    expect_changed_refused("FANN_FLO_2.1", "FANN_FLOAT", 1, "expected \"FANN_FLO_2.1\"");
}

Test(model_fann, connections_that_are_not_fully_layered_are_refused_naming_the_neuron)
{
    expect_changed_refused("(3, 1) (4, -1)", "(1, 1) (4, -1)", 9,
                           "neuron 6's connection 0 comes from neuron 1, outside layer 1");
    expect_changed_refused("(0, 2) (1, 4)", "(0, 2) (0, 4)", 9,
                           "neuron 4 is connected twice to neuron 0");
    expect_changed_refused("(3, 5, 0.5) (3, 5, 0.5)", "(3, 5, 0.5) (2, 5, 0.5)", 8,
                           "neuron 4 (layer 1) has 2 connections, expected 3");
    expect_changed_refused("(0, 0, 0.0) (3, 0, 0.5)", "(1, 0, 0.0) (3, 0, 0.5)", 8,
                           "neuron 5 (the bias neuron of layer 1) has 1 connections");
}

Test(model_fann, malformed_lines_are_refused_naming_the_file_and_the_line)
{
    expect_changed_refused("layer_sizes=3 3 2 ", "layer_sizes=3 3", 6,
                           "layer_sizes: layer 2 is \"the end of the line\"");
    expect_changed_refused("layer_sizes=3 3 2 ", "layer_sizes=3 3 2 2", 6, "more than the 3");
    expect_changed_refused("layer_sizes=3 3 2 ", "layer_sizes=3 1 2", 6,
                           "layer 1 has 1 neurons");
    expect_changed_refused("num_layers=3", "num_layers=1", 2, "num_layers=1");
    expect_changed_refused("num_layers=3", "num_layers=three", 2, "expected a whole number");
    expect_changed_refused("scale_included=0\n", "scale_included=0\nlayer_sizes=3 3 2\n", 8,
                           "a second \"layer_sizes\" line");
    expect_changed_refused("learning_rate=0.700000", "learning rate 0.7", 3,
                           "expected \"key=value\"");
    expect_changed_refused("(1, -1.5)", "(1, -1,5)", 9,
                           "expected \"(connected_to_neuron, weight)\"");
    expect_changed_refused("(1, -1.5)", "(1 -1.5)", 9, "neuron 3's connection 1");
    expect_changed_refused("(3, 5, 0.5) (0, 0, 0.0)", "(3, 5, 0.5)", 8,
                           "neuron 5 (the bias neuron of layer 1) has 3 connections");
    expect_changed_refused("(3, 0, 0.5) (0, 0, 0.0) \n", "(3, 0, 0.5)\n", 8,
                           "neuron 7 of 8: expected");
    expect_changed_refused("(5, 3) ", "(5, 3) (5, 3) ", 9, "more connections than the 9");
    expect_changed_refused("network_type=0\n", "", 5, "layer_sizes comes before the network_type");
    char *text = small_net_with("(4, -1)", "(4, 1e999)");
    expect_refused_at(text, CLPROP_ERROR_NOT_FINITE, 9,
                      "connection 1 from neuron 4: weight 1e999 is not a finite float");
    free(text);
}

/* Every prefix of a file that stops before its last connection is whole: a clear line naming the
 * file and the line where it stops, and never a crash. */
Test(model_fann, every_cut_short_file_is_refused_naming_the_file_and_a_line)
{
    const char *whole = SMALL_NET;
    size_t last = (size_t)(strrchr(whole, ')') - whole);
    char *dir = test_make_temp_dir();
    size_t refused = 0;
    for (size_t cut = strlen("FANN_"); cut <= last; cut++) {
        char *text = strndup(whole, cut);
        char *path = test_write_file(dir, "cut.net", text);
        clprop_model *model = NULL;
        clprop_status status = clprop_model_load(path, &model);
        const char *message = clprop_model_message(model);
        cr_expect_eq(status, CLPROP_ERROR_FORMAT, "cut at %zu: %s: %s", cut,
                     clprop_status_name(status), message);
        size_t length = strlen(path);
        size_t line = 0;
        int at_line = strncmp(message, path, length) == 0 && message[length] == ':' &&
                      sscanf(message + length + 1, "%zu:", &line) == 1 && line >= 1 && line <= 9;
        cr_expect(at_line, "cut at %zu: \"%s\" should start with %s:LINE:", cut, message, path);
        cr_expect_null(strchr(message, '\n'), "cut at %zu: one line: %s", cut, message);
        refused += status == CLPROP_ERROR_FORMAT && at_line;
        clprop_model_destroy(model);
        free(path);
        free(text);
    }
    cr_expect_eq(refused, last + 1 - strlen("FANN_"));
    test_remove_tree(dir);
    free(dir);
}

/* ---- Locale ---------------------------------------------------------------------------------- */

/* Makes the process's locale one that writes 0.5 as "0,5": an installed German or French one, or
 * else one made with localedef into `dir` (read through LOCPATH). 0 when there is none. */
static int use_comma_locale(const char *dir)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8",
                                        "de_DE", "fr_FR"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (setlocale(LC_ALL, names[i]) != NULL)
            return 1;
    char command[4096];
    snprintf(command, sizeof command,
             "localedef -i de_DE -f UTF-8 '%s/de_DE.UTF-8' >/dev/null 2>&1", dir);
    if (system(command) != 0)
        return 0;
    setenv("LOCPATH", dir, 1);
    return setlocale(LC_ALL, "de_DE.UTF-8") != NULL;
}

Test(model_fann, numbers_are_written_and_read_with_a_point_under_a_comma_locale)
{
    static const size_t sizes[] = {3, 4, 2};
    static const clprop_activation activations[] = {CLPROP_ACTIVATION_TANH,
                                                    CLPROP_ACTIVATION_LINEAR};
    clprop_model *model = create_or_fail(2, sizes, activations, 0);
    fill_model(model, 11, 2.0);
    char *in_c = fann_text(model); /* Criterion's test process starts in the C locale */
    char *dir = test_make_temp_dir();
    if (!use_comma_locale(dir)) {
        test_remove_tree(dir);
        cr_skip_test("no locale with a decimal comma is installed and localedef could not make "
                     "de_DE.UTF-8 (Debian: apt-get install locales)");
    }
    char shown[16];
    snprintf(shown, sizeof shown, "%.1f", 0.5);
    cr_assert_str_eq(shown, "0,5", "the locale must write a decimal comma");
    char *in_comma = fann_text(model);
    cr_expect_str_eq(in_comma, in_c, "the export must not depend on the locale");
    clprop_model *loaded = load_text_or_fail(in_comma);
    assert_models_identical(loaded, model);
    clprop_model_destroy(loaded);
    /* and a file with steepness 0.75 reads as 0.75, not as 0 */
    loaded = load_text_or_fail(
        "FANN_FLO_2.1\nnum_layers=2\nnetwork_type=0\nlayer_sizes=2 2\n" NEURONS_KEY
        "(0, 0, 0) (0, 0, 0) (2, 0, 0.75) (0, 0, 0)\n" CONNECTIONS_KEY "(0, 2.0) (1, -4.5)\n");
    test_assert_same_bits(clprop_model_weights(loaded, 1), (float[]){1.5f}, 1, "weight", 1);
    test_assert_same_bits(clprop_model_biases(loaded, 1), (float[]){-3.375f}, 1, "bias", 1);
    clprop_model_destroy(loaded);
    clprop_model_destroy(model);
    test_remove_tree(dir);
    free(dir);
    free(in_comma);
    free(in_c);
}

/* ---- The command ----------------------------------------------------------------------------- */

Test(model_fann, export_format_fann_then_predict_and_train_init_take_the_network, .timeout = 120)
{
    char *dir = test_make_temp_dir();
    char *data = test_write_file(dir, "xor.data", "4 2 1\n0 0\n0\n0 1\n1\n1 0\n1\n1 1\n0\n");
    char *args = NULL, *out = NULL, *err = NULL, *want = NULL;
    cr_assert(asprintf(&args, "train --data %s --layers 2,3,1 --activation tanh --output sigmoid "
                       "--epochs 3 --batch 1 --save %s/m.clprop", data, dir) > 0);
    cr_assert_eq(test_run_command(args, NULL, &err), 0, "%s", err);
    free(args), free(err);
    cr_assert(asprintf(&args, "export --model %s/m.clprop --format fann", dir) > 0);
    cr_assert_eq(test_run_command(args, &out, &err), 0, "%s", err);
    cr_assert(strncmp(out, "FANN_FLO_2.1\n", 13) == 0, "%s", out);
    free(test_write_file(dir, "m.net", out));
    free(args), free(err), free(out);
    cr_assert(asprintf(&args, "predict --model %s/m.clprop --data %s", dir, data) > 0);
    cr_assert_eq(test_run_command(args, &want, &err), 0, "%s", err);
    free(args), free(err);
    cr_assert(asprintf(&args, "predict --model %s/m.net --data %s", dir, data) > 0);
    cr_assert_eq(test_run_command(args, &out, &err), 0, "%s", err);
    cr_expect_str_eq(out, want, "the .net predicts what the model it came from predicts");
    free(args), free(err), free(out);
    cr_assert(asprintf(&args, "train --data %s --init %s/m.net --epochs 1 --save %s/again.clprop",
                       data, dir, dir) > 0);
    cr_assert_eq(test_run_command(args, NULL, &err), 0, "%s", err);
    free(args), free(err);
    cr_assert(asprintf(&args, "export --model %s/m.clprop --format onnx-or-what", dir) > 0);
    cr_expect_eq(test_run_command(args, &out, &err), 2, "%s", err);
    cr_expect_not_null(strstr(err, "--format"), "%s", err);
    free(args), free(err), free(out);
    test_remove_tree(dir);
    free(want);
    free(data);
    free(dir);
}

Test(model_fann, export_of_a_softmax_model_fails_with_one_line_and_prints_nothing)
{
    char *dir = test_make_temp_dir();
    char *json = test_write_file(
        dir, "s.json",
        "{\"format\":\"clprop-model\",\"version\":1,\"loss\":\"ce\",\"layers\":[{\"inputs\":1,"
        "\"outputs\":2,\"activation\":\"softmax\",\"bias\":false,\"weights\":[[1],[2]]}]}");
    char *args = NULL, *out = NULL, *err = NULL;
    cr_assert(asprintf(&args, "export --model %s --format fann", json) > 0);
    cr_expect_eq(test_run_command(args, &out, &err), 1, "%s", err);
    cr_expect_str_eq(out, "");
    cr_expect_not_null(strstr(err, "layer 1 is softmax"), "%s", err);
    cr_expect_eq(strchr(err, '\n'), strrchr(err, '\n'), "one line: %s", err);
    free(args), free(err), free(out);
    test_remove_tree(dir);
    free(json);
    free(dir);
}
