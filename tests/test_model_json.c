/* The JSON export of models: the exact schema, numbers that read back to the same bits, and every
 * way an imported document can be wrong refused with a message naming the file and the field. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clprop.h"
#include "json_text.h"
#include "support.h"

/* ---- Helpers --------------------------------------------------------------------------------- */

#define SEED1_JSON                                                                                 \
    "{\"format\":\"clprop-model\",\"version\":1,\"loss\":\"mse\",\"layers\":[{\"inputs\":2,"      \
    "\"outputs\":2,\"activation\":\"linear\",\"bias\":false,\"weights\":[[0.11,0.21],[0.12,0.08]]" \
    "},{\"inputs\":2,\"outputs\":1,\"activation\":\"linear\",\"bias\":false,\"weights\":[[0.14,"   \
    "0.15]]}]}"

static clprop_model *create_or_fail(size_t layer_count, const size_t *sizes,
                                    const clprop_activation *activations, int no_bias,
                                    clprop_loss loss)
{
    clprop_net_desc desc = {.layer_count = layer_count, .sizes = sizes,
                            .activations = activations, .no_bias = no_bias, .loss = loss};
    clprop_model *model = NULL;
    clprop_status status = clprop_model_create(&desc, &model);
    cr_assert_eq(status, CLPROP_SUCCESS, "create: %s", clprop_model_message(model));
    return model;
}

/* The seed1 example: 2-2-1, linear, no biases, mean squared error. */
static clprop_model *seed1_model(void)
{
    static const size_t sizes[] = {2, 2, 1};
    static const clprop_activation activations[] = {CLPROP_ACTIVATION_LINEAR,
                                                    CLPROP_ACTIVATION_LINEAR};
    clprop_model *model = create_or_fail(2, sizes, activations, 1, CLPROP_LOSS_MSE);
    memcpy(clprop_model_weights(model, 1), (float[]){0.11f, 0.21f, 0.12f, 0.08f},
           4 * sizeof(float));
    memcpy(clprop_model_weights(model, 2), (float[]){0.14f, 0.15f}, 2 * sizeof(float));
    return model;
}

/* The export as malloc'd text. */
static char *export_text(clprop_model *model)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    cr_assert_not_null(out);
    clprop_status status = clprop_model_write_json(model, out);
    cr_assert_eq(status, CLPROP_SUCCESS, "export: %s", clprop_model_message(model));
    fclose(out);
    return text;
}

static void assert_models_identical(clprop_model *got, clprop_model *want)
{
    size_t layers = clprop_model_layer_count(want);
    cr_assert_eq(clprop_model_layer_count(got), layers);
    cr_assert_eq(clprop_model_loss(got), clprop_model_loss(want));
    cr_assert_eq(clprop_model_has_bias(got), clprop_model_has_bias(want));
    cr_assert_eq(clprop_model_units(got, 0), clprop_model_units(want, 0));
    for (size_t layer = 1; layer <= layers; layer++) {
        size_t outputs = clprop_model_units(want, layer);
        cr_assert_eq(clprop_model_units(got, layer), outputs);
        cr_assert_eq(clprop_model_activation(got, layer), clprop_model_activation(want, layer));
        test_assert_same_bits(clprop_model_weights(got, layer), clprop_model_weights(want, layer),
                         outputs * clprop_model_units(want, layer - 1), "weight", layer);
        if (clprop_model_has_bias(want))
            test_assert_same_bits(clprop_model_biases(got, layer), clprop_model_biases(want, layer),
                             outputs, "bias", layer);
    }
}

/* Writes the export to dir/name and loads it back. */
static clprop_model *export_and_import(clprop_model *model, const char *dir, const char *name)
{
    char *text = export_text(model);
    char *path = test_write_file(dir, name, text);
    clprop_model *loaded = NULL;
    clprop_status status = clprop_model_load(path, &loaded);
    cr_assert_eq(status, CLPROP_SUCCESS, "import: %s", clprop_model_message(loaded));
    free(path);
    free(text);
    return loaded;
}

/* Imports `json`, which must fail with CLPROP_ERROR_FORMAT and a one-line message that starts
 * with the file's name and holds `detail`. */
static void expect_import_refused_with(const char *json, clprop_status want, const char *detail)
{
    char *dir = test_make_temp_dir();
    char *path = test_write_file(dir, "m.json", json);
    clprop_model *model = NULL;
    clprop_status status = clprop_model_load(path, &model);
    cr_assert_not_null(model, "load must write a handle even when it fails");
    const char *message = clprop_model_message(model);
    cr_expect_eq(status, want, "status %s, want %s; message: %s", clprop_status_name(status),
                 clprop_status_name(want), message);
    cr_expect(strncmp(message, path, strlen(path)) == 0, "message \"%s\" should start with %s",
              message, path);
    cr_expect_not_null(strstr(message, detail), "message \"%s\" should say \"%s\"", message,
                       detail);
    cr_expect_null(strchr(message, '\n'), "message should be one line: %s", message);
    cr_expect_eq(clprop_model_layer_count(model), 0, "a failed import must hold no layers");
    clprop_model_destroy(model);
    test_remove_tree(dir);
    free(path);
    free(dir);
}

static void expect_import_refused(const char *json, const char *detail)
{
    expect_import_refused_with(json, CLPROP_ERROR_FORMAT, detail);
}

/* ---- Export ---------------------------------------------------------------------------------- */

Test(model_json, the_seed1_model_exports_as_the_schema_byte_for_byte)
{
    clprop_model *model = seed1_model();
    char *text = export_text(model);
    cr_expect_str_eq(text, SEED1_JSON "\n");
    free(text);
    clprop_model_destroy(model);
}

Test(model_json, a_layer_with_biases_lists_them_after_its_weights)
{
    static const size_t sizes[] = {2, 1};
    static const clprop_activation activations[] = {CLPROP_ACTIVATION_SIGMOID};
    clprop_model *model = create_or_fail(1, sizes, activations, 0, CLPROP_LOSS_MSE);
    memcpy(clprop_model_weights(model, 1), (float[]){0.5f, -0.25f}, 2 * sizeof(float));
    clprop_model_biases(model, 1)[0] = 0.125f;
    char *text = export_text(model);
    cr_expect_str_eq(text, "{\"format\":\"clprop-model\",\"version\":1,\"loss\":\"mse\",\"layers\":"
                           "[{\"inputs\":2,\"outputs\":1,\"activation\":\"sigmoid\",\"bias\":true,"
                           "\"weights\":[[0.5,-0.25]],\"biases\":[0.125]}]}\n");
    free(text);
    clprop_model_destroy(model);
}

Test(model_json, numbers_are_the_shortest_decimals_that_read_back_exactly)
{
    static const size_t sizes[] = {1, 6};
    static const clprop_activation activations[] = {CLPROP_ACTIVATION_SOFTMAX};
    clprop_model *model = create_or_fail(1, sizes, activations, 1, CLPROP_LOSS_CROSS_ENTROPY);
    memcpy(clprop_model_weights(model, 1),
           (float[]){0.1f, 1.0f / 3.0f, -0.0f, 16777216.0f, 1e-45f, 123456.7f}, 6 * sizeof(float));
    char *text = export_text(model);
    cr_expect_not_null(strstr(text, "\"weights\":[[0.1],[0.33333334],[-0],[16777216],"
                                    "[1.4013e-45],[123456.7]]"),
                       "got %s", text);
    free(text);
    clprop_model_destroy(model);
}

Test(model_json, export_refuses_a_model_holding_nan_and_writes_nothing)
{
    clprop_model *model = seed1_model();
    clprop_model_weights(model, 2)[1] = NAN;
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    clprop_status status = clprop_model_write_json(model, out);
    fclose(out);
    cr_expect_eq(status, CLPROP_ERROR_NOT_FINITE, "status %s", clprop_status_name(status));
    cr_expect_not_null(strstr(clprop_model_message(model), "layer 2: weight 1 is nan"),
                       "message: %s", clprop_model_message(model));
    cr_expect_eq(length, 0, "wrote %s", text);
    free(text);
    clprop_model_destroy(model);
}

/* ---- Round trips ----------------------------------------------------------------------------- */

Test(model_json, export_then_import_gives_back_every_bit)
{
    static const size_t sizes[] = {13, 31, 7, 3};
    static const clprop_activation activations[] = {
        CLPROP_ACTIVATION_SIGMOID, CLPROP_ACTIVATION_LINEAR, CLPROP_ACTIVATION_SOFTMAX};
    char *dir = test_make_temp_dir();
    for (int no_bias = 0; no_bias <= 1; no_bias++) {
        clprop_model *model = create_or_fail(3, sizes, activations, no_bias,
                                             CLPROP_LOSS_CROSS_ENTROPY);
        test_rng rng = test_rng_seeded(42 + (uint64_t)no_bias);
        for (size_t layer = 1; layer <= 3; layer++) {
            test_fill_uniform(&rng, clprop_model_weights(model, layer),
                              sizes[layer] * sizes[layer - 1], -3.0, 3.0);
            if (!no_bias)
                test_fill_uniform(&rng, clprop_model_biases(model, layer), sizes[layer], -1e-3,
                                  1e-3);
        }
        /* The awkward ones: extremes, subnormals, a negative zero, integers past 2^24. */
        float awkward[] = {FLT_MAX, -FLT_MAX, FLT_MIN, 1e-45f, -1.17e-39f, -0.0f, 16777217.0f,
                           3.4028e38f, 1e-10f, 0.3f, 2.5e-5f, 1e20f};
        memcpy(clprop_model_weights(model, 2), awkward, sizeof awkward);
        clprop_model *loaded = export_and_import(model, dir, "m.json");
        assert_models_identical(loaded, model);
        clprop_model_destroy(loaded);
        clprop_model_destroy(model);
    }
    test_remove_tree(dir);
    free(dir);
}

Test(model_json, the_seed1_schema_imports_as_the_seed1_model)
{
    char *dir = test_make_temp_dir();
    char *path = test_write_file(dir, "seed1.json", SEED1_JSON);
    clprop_model *loaded = NULL;
    cr_assert_eq(clprop_model_load(path, &loaded), CLPROP_SUCCESS, "%s",
                 clprop_model_message(loaded));
    clprop_model *want = seed1_model();
    assert_models_identical(loaded, want);
    clprop_model_destroy(want);
    clprop_model_destroy(loaded);
    test_remove_tree(dir);
    free(path);
    free(dir);
}

Test(model_json, load_tells_json_from_binary_by_content_not_by_name)
{
    char *dir = test_make_temp_dir();
    char *path = test_write_file(dir, "looks-binary.clprop", "\xEF\xBB\xBF \n\t" SEED1_JSON "\n\n");
    clprop_model *loaded = NULL;
    cr_assert_eq(clprop_model_load(path, &loaded), CLPROP_SUCCESS, "%s",
                 clprop_model_message(loaded));
    clprop_model *want = seed1_model();
    assert_models_identical(loaded, want);
    clprop_model_destroy(loaded);
    /* And the other way round: a binary file named .json. */
    char *binary = test_write_file(dir, "looks-text.json", "");
    cr_assert_eq(clprop_model_save(want, binary), CLPROP_SUCCESS, "%s", clprop_model_message(want));
    cr_assert_eq(clprop_model_load(binary, &loaded), CLPROP_SUCCESS, "%s",
                 clprop_model_message(loaded));
    assert_models_identical(loaded, want);
    clprop_model_destroy(loaded);
    clprop_model_destroy(want);
    test_remove_tree(dir);
    free(binary);
    free(path);
    free(dir);
}

/* ---- Refusals -------------------------------------------------------------------------------- */

/* One valid layer of two inputs and two outputs without biases, to build documents from. */
#define LAYER_2_2 "{\"inputs\":2,\"outputs\":2,\"activation\":\"sigmoid\",\"bias\":false," \
                  "\"weights\":[[1,2],[3,4]]}"
#define DOCUMENT(loss, layers)                                                             \
    "{\"format\":\"clprop-model\",\"version\":1,\"loss\":\"" loss "\",\"layers\":[" layers "]}"

Test(model_json, import_refuses_invalid_json_naming_the_byte)
{
    expect_import_refused("{\"format\":\"clprop-model\",\n\"version\":1,,}",
                          "(line 2): not valid JSON"); /* cJSON puts the byte at 38 or 39 */
    expect_import_refused(DOCUMENT("mse", LAYER_2_2) " trailing", "not valid JSON");
}

Test(model_json, import_refuses_a_wrong_format_string)
{
    expect_import_refused("{\"format\":\"clprop-modle\",\"version\":1,\"loss\":\"mse\",\"layers\":"
                          "[" LAYER_2_2 "]}",
                          "\"format\" is \"clprop-modle\", expected \"clprop-model\"");
    expect_import_refused("{\"version\":1}", "\"format\" is missing");
}

Test(model_json, import_refuses_a_newer_version)
{
    expect_import_refused("{\"format\":\"clprop-model\",\"version\":2,\"loss\":\"mse\",\"layers\":"
                          "[" LAYER_2_2 "]}",
                          "\"version\" 2 is newer than this clprop reads (1)");
}

Test(model_json, import_refuses_an_unknown_loss_or_activation)
{
    expect_import_refused(DOCUMENT("l1", LAYER_2_2), "\"loss\" is missing or unknown");
    expect_import_refused(DOCUMENT("mse", "{\"inputs\":2,\"outputs\":2,\"activation\":\"swish\","
                                          "\"bias\":false,\"weights\":[[1,2],[3,4]]}"),
                          "layer 1: \"activation\" is missing or unknown");
    /* every name the reader takes, in the message (it listed three of six) */
    expect_import_refused(DOCUMENT("mse", "{\"inputs\":2,\"outputs\":2,\"activation\":\"swish\","
                                          "\"bias\":false,\"weights\":[[1,2],[3,4]]}"),
                          "\"tanh\", \"relu\", \"leaky-relu\"");
    /* a NUL inside the name is no activation, not the name before it */
    expect_import_refused(DOCUMENT("mse", "{\"inputs\":2,\"outputs\":2,"
                                          "\"activation\":\"sigmoid\\u0000x\","
                                          "\"bias\":false,\"weights\":[[1,2],[3,4]]}"),
                          "layer 1: \"activation\" is missing or unknown");
}

Test(model_json, import_refuses_a_model_without_layers)
{
    expect_import_refused(DOCUMENT("mse", ""), "\"layers\" has 0 entries");
}

Test(model_json, import_refuses_layers_whose_sizes_do_not_chain)
{
    expect_import_refused(DOCUMENT("mse", LAYER_2_2 ",{\"inputs\":3,\"outputs\":1,\"activation\":"
                                          "\"linear\",\"bias\":false,\"weights\":[[1,2,3]]}"),
                          "layer 2: \"inputs\" is 3 but layer 1 has 2 outputs");
}

Test(model_json, import_refuses_sizes_that_are_not_whole_numbers)
{
    expect_import_refused(DOCUMENT("mse", "{\"inputs\":2.5,\"outputs\":1,\"activation\":\"linear\","
                                          "\"bias\":false,\"weights\":[[1,2]]}"),
                          "layer 1: \"inputs\" is missing or not a whole number");
    expect_import_refused(DOCUMENT("mse", "{\"inputs\":2,\"outputs\":0,\"activation\":\"linear\","
                                          "\"bias\":false,\"weights\":[]}"),
                          "layer 1: \"outputs\" is missing or not a whole number");
}

Test(model_json, import_refuses_weights_with_the_wrong_number_of_rows)
{
    expect_import_refused(DOCUMENT("mse", LAYER_2_2 ",{\"inputs\":2,\"outputs\":4,\"activation\":"
                                          "\"linear\",\"bias\":false,\"weights\":[[1,2],[3,4],"
                                          "[5,6]]}"),
                          "layer 2: \"weights\" has 3 rows, expected 4");
}

Test(model_json, import_refuses_weights_with_the_wrong_number_of_columns)
{
    expect_import_refused(DOCUMENT("mse", "{\"inputs\":2,\"outputs\":2,\"activation\":\"linear\","
                                          "\"bias\":false,\"weights\":[[1,2],[3,4,5]]}"),
                          "layer 1: \"weights\" row 1 has 3 numbers, expected 2");
    expect_import_refused(DOCUMENT("mse", "{\"inputs\":2,\"outputs\":2,\"activation\":\"linear\","
                                          "\"bias\":false,\"weights\":[[1,2],3]}"),
                          "layer 1: \"weights\" row 1 is not an array");
}

Test(model_json, import_refuses_a_weight_that_is_not_a_number)
{
    expect_import_refused(DOCUMENT("mse", "{\"inputs\":2,\"outputs\":2,\"activation\":\"linear\","
                                          "\"bias\":false,\"weights\":[[1,2],[3,\"4\"]]}"),
                          "layer 1: \"weights\" row 1, entry 1 is not a number");
    expect_import_refused(DOCUMENT("mse", "{\"inputs\":2,\"outputs\":2,\"activation\":\"linear\","
                                          "\"bias\":false,\"weights\":[[1,null],[3,4]]}"),
                          "layer 1: \"weights\" row 0, entry 1 is not a number");
}

Test(model_json, import_refuses_a_weight_beyond_float32_as_not_finite)
{
    expect_import_refused_with(DOCUMENT("mse", "{\"inputs\":2,\"outputs\":2,\"activation\":"
                                               "\"linear\",\"bias\":false,\"weights\":[[1,2],"
                                               "[3,1e39]]}"),
                               CLPROP_ERROR_NOT_FINITE,
                               "layer 1: \"weights\" row 1, entry 1 is 1e+39, beyond float32");
}

Test(model_json, import_refuses_an_infinite_weight_naming_its_layer_and_index)
{
    expect_import_refused_with(DOCUMENT("mse", LAYER_2_2 ",{\"inputs\":2,\"outputs\":1,"
                                               "\"activation\":\"linear\",\"bias\":false,"
                                               "\"weights\":[[1,-1e999]]}"),
                               CLPROP_ERROR_NOT_FINITE,
                               "layer 2: \"weights\" row 0, entry 1 is -inf");
}

Test(model_json, import_refuses_layers_that_disagree_on_biases)
{
    expect_import_refused(DOCUMENT("mse", "{\"inputs\":2,\"outputs\":2,\"activation\":\"linear\","
                                          "\"bias\":true,\"weights\":[[1,2],[3,4]],"
                                          "\"biases\":[0,0]}," LAYER_2_2),
                          "layer 2: \"bias\" is false but layer 1's is true");
}

Test(model_json, import_refuses_biases_that_do_not_match_the_bias_flag)
{
    expect_import_refused(DOCUMENT("mse", "{\"inputs\":2,\"outputs\":2,\"activation\":\"linear\","
                                          "\"bias\":true,\"weights\":[[1,2],[3,4]]}"),
                          "layer 1: \"bias\" is true but \"biases\" is missing");
    expect_import_refused(DOCUMENT("mse", "{\"inputs\":2,\"outputs\":2,\"activation\":\"linear\","
                                          "\"bias\":false,\"weights\":[[1,2],[3,4]],"
                                          "\"biases\":[0,0]}"),
                          "layer 1: \"biases\" given but \"bias\" is false");
    expect_import_refused(DOCUMENT("mse", "{\"inputs\":2,\"outputs\":2,\"activation\":\"linear\","
                                          "\"bias\":true,\"weights\":[[1,2],[3,4]],"
                                          "\"biases\":[0,0,0]}"),
                          "layer 1: \"biases\" has 3 numbers, expected 2");
    expect_import_refused(DOCUMENT("mse", "{\"inputs\":2,\"outputs\":2,\"activation\":\"linear\","
                                          "\"bias\":1,\"weights\":[[1,2],[3,4]]}"),
                          "layer 1: \"bias\" is missing or not true/false");
}

Test(model_json, import_refuses_softmax_on_a_hidden_layer)
{
    expect_import_refused(DOCUMENT("ce", "{\"inputs\":2,\"outputs\":2,\"activation\":\"softmax\","
                                         "\"bias\":false,\"weights\":[[1,2],[3,4]]}," LAYER_2_2),
                          "layer 1: softmax is only allowed on the output layer");
}

Test(model_json, export_to_a_full_disk_fails_with_an_io_error)
{
    FILE *full = fopen("/dev/full", "w");
    cr_assert_not_null(full, "no /dev/full");
    clprop_model *model = seed1_model();
    clprop_status status = clprop_model_write_json(model, full);
    fclose(full);
    cr_expect_eq(status, CLPROP_ERROR_IO, "status %s", clprop_status_name(status));
    const char *message = clprop_model_message(model);
    cr_expect_not_null(strstr(message, "No space left on device"), "message: %s", message);
    clprop_model_destroy(model);
}

/* ---- Bounds: nesting, size, and what a message may show -------------------------------------- */

Test(model_json, import_says_a_document_nested_2000_deep_is_nested_too_deeply)
{
    enum { DEPTH = 2000 };
    const char *head = "{\"format\":\"clprop-model\",\"version\":1,\"loss\":\"mse\",\"layers\":";
    size_t length = strlen(head) + 2 * DEPTH + 2;
    char *json = malloc(length);
    char *at = json + sprintf(json, "%s", head);
    memset(at, '[', DEPTH);
    memset(at + DEPTH, ']', DEPTH);
    strcpy(at + 2 * DEPTH, "}");
    expect_import_refused(json, "arrays and objects nested too deeply (more than 1000 levels)");
    free(json);
}

Test(model_json, import_refuses_a_file_over_the_size_limit_before_reading_it)
{
    char *dir = test_make_temp_dir();
    char *path = test_write_file(dir, "huge.json", "{");
    cr_assert_eq(truncate(path, (off_t)65 << 20), 0); /* sparse: quick to make, 65 MiB long */
    clprop_model *model = NULL;
    cr_expect_eq(clprop_model_load(path, &model), CLPROP_ERROR_FORMAT);
    const char *message = clprop_model_message(model);
    cr_expect_not_null(strstr(message, path), "%s", message);
    cr_expect_not_null(
        strstr(message, "68157440 bytes, more than the 64 MiB a JSON model may have"), "%s",
        message);
    clprop_model_destroy(model);
    test_remove_tree(dir);
    free(path);
    free(dir);
}

Test(model_json, import_escapes_control_bytes_of_the_document_in_its_message)
{
    char *dir = test_make_temp_dir();
    char *path = test_write_file(dir, "m.json",
                                 "{\"format\":\"\\u001b[31mred\\\\\",\"version\":1}");
    clprop_model *model = NULL;
    cr_expect_eq(clprop_model_load(path, &model), CLPROP_ERROR_FORMAT);
    const char *message = clprop_model_message(model);
    cr_expect_not_null(strstr(message, "\"format\" is \"\\x1b[31mred\\\\\""), "%s", message);
    cr_expect_null(strchr(message, 0x1b), "a raw escape byte reached the message: %s", message);
    clprop_model_destroy(model);
    test_remove_tree(dir);
    free(path);
    free(dir);
}

/* ---- The reader: JSON's grammar, escapes, and memory that does not grow with the shape ------- */

Test(model_json, import_decodes_escaped_keys_and_names_and_takes_the_first_of_a_repeated_key)
{
    char *dir = test_make_temp_dir();
    char *path = test_write_file(
        dir, "m.json",
        "{\"\\u0066ormat\":\"clprop\\u002dmodel\",\"version\":1,\"loss\":\"m\\u0073e\","
        "\"loss\":\"ce\","
        "\"note\":{\"text\":\"]}\\\"[{\",\"list\":[[],{},\"\\ud83d\\ude00\",-0.5e+3,true,null]},"
        "\"layers\":[{\"inputs\":1,\"outputs\":1,\"activation\":\"lin\\u0065ar\",\"bias\":true,"
        "\"weights\":[[ 2.5 ]],\"biases\":[-1E-2]}]}");
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_load(path, &model), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    cr_expect_eq(clprop_model_loss(model), CLPROP_LOSS_MSE, "the first \"loss\" counts");
    cr_expect_eq(clprop_model_activation(model, 1), CLPROP_ACTIVATION_LINEAR);
    cr_expect_eq(clprop_model_weights(model, 1)[0], 2.5f);
    cr_expect_eq(clprop_model_biases(model, 1)[0], -0.01f);
    clprop_model_destroy(model);
    test_remove_tree(dir);
    free(path);
    free(dir);
}

typedef struct grammar_case {
    const char *text;
    size_t offset; /* of the first byte that does not fit */
} grammar_case;

Test(model_json, the_reader_follows_json_grammar_naming_the_first_byte_that_does_not_fit)
{
    static const grammar_case bad[] = {
        {"", 0},          {"[1,]", 3},     {"{\"a\" 1}", 5},  {"[01]", 2},
        {"\"\\x\"", 2},   {"[1.]", 3},     {"[-]", 2},        {"tru", 0},
        {"[1] x", 4},     {"[\"a\nb\"]", 3}, {"{\"a\":1,}", 7}, {"[1 2]", 3},
        {"{1:2}", 1},     {"[\"\\u12g4\"]", 6}, {"[", 1},      {"]", 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t offset = 12345;
        int too_deep = 1;
        cr_expect_eq(clprop_json_check(bad[i].text, strlen(bad[i].text), &offset, &too_deep), 0,
                     "accepted \"%s\"", bad[i].text);
        cr_expect_eq(offset, bad[i].offset, "\"%s\": offset %zu, want %zu", bad[i].text, offset,
                     bad[i].offset);
        cr_expect_eq(too_deep, 0);
    }
    const char *good =
        " {\"a\":[1,-0.5e+3,0,true,false,null,\"\\u00e9\\ud83d\\ude00\\n\"],\"b\":{}}\n";
    size_t offset;
    int too_deep;
    cr_expect_eq(clprop_json_check(good, strlen(good), &offset, &too_deep), 1, "offset %zu",
                 offset);
}

Test(model_json, the_reader_takes_1000_levels_of_nesting_and_refuses_1001)
{
    char text[2 * 1001 + 1];
    for (size_t depth = 1000; depth <= 1001; depth++) {
        memset(text, '[', depth);
        memset(text + depth, ']', depth);
        text[2 * depth] = '\0';
        size_t offset;
        int too_deep;
        int ok = clprop_json_check(text, 2 * depth, &offset, &too_deep);
        cr_expect_eq(ok, depth == 1000, "depth %zu", depth);
        cr_expect_eq(too_deep, depth == 1001, "depth %zu", depth);
        if (depth == 1001)
            cr_expect_eq(offset, 1000);
    }
}

Test(model_json, a_document_of_32_mib_of_zeros_loads_in_little_more_than_its_size)
{
    /* Millions of values a reader ignores: a tree of them (cJSON's, 80 bytes a value) would need
     * over a gigabyte; read in place they cost their text. */
    char *dir = test_make_temp_dir();
    char *path = malloc(strlen(dir) + 16);
    sprintf(path, "%s/zeros.json", dir);
    FILE *file = fopen(path, "wb");
    cr_assert_not_null(file);
    fputs("{\"format\":\"clprop-model\",\"version\":1,\"loss\":\"mse\",\"layers\":[" LAYER_2_2
          "],\"zeros\":[0", file);
    for (size_t i = 0; i < (16u << 20); i++)
        fputs(",0", file);
    fputs("]}", file);
    fclose(file);
#if !defined(__SANITIZE_ADDRESS__)
    struct rlimit limit = {256ul << 20, 256ul << 20};
    cr_assert_eq(setrlimit(RLIMIT_AS, &limit), 0);
#endif
    clprop_model *model = NULL;
    cr_expect_eq(clprop_model_load(path, &model), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    cr_expect_eq(clprop_model_layer_count(model), 1);
    clprop_model_destroy(model);
    test_remove_tree(dir);
    free(path);
    free(dir);
}
