/* Models and their binary files: save then load changes no bit, every way a file can be damaged
 * is refused with a message naming the file, saving never leaves a partial file under the
 * target's name, and a model survives a trip through a network unchanged. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "clprop.h"
#include "model_internal.h"
#include "support.h"

/* ---- Helpers --------------------------------------------------------------------------------- */

typedef struct model_shape {
    size_t layer_count;
    size_t sizes[5];
    clprop_activation activations[4];
    int no_bias;
    clprop_loss loss;
} model_shape;

#define SIGMOID CLPROP_ACTIVATION_SIGMOID
#define LINEAR CLPROP_ACTIVATION_LINEAR
#define SOFTMAX CLPROP_ACTIVATION_SOFTMAX
#define MSE CLPROP_LOSS_MSE
#define CE CLPROP_LOSS_CROSS_ENTROPY

/* Every activation, both losses, with and without biases, from one unit to a few thousand
 * parameters per layer. */
static model_shape shapes[] = {
    {1, {1, 1}, {LINEAR}, 1, MSE},
    {1, {3, 2}, {SIGMOID}, 0, MSE},
    {2, {2, 2, 1}, {LINEAR, LINEAR}, 1, MSE},
    {2, {5, 7, 3}, {SIGMOID, SOFTMAX}, 0, CE},
    {3, {17, 33, 9, 4}, {SIGMOID, LINEAR, SIGMOID}, 0, MSE},
    {4, {64, 128, 65, 31, 10}, {SIGMOID, SIGMOID, LINEAR, SOFTMAX}, 1, CE},
};

static clprop_net_desc desc_of(const model_shape *shape)
{
    clprop_net_desc desc = {.layer_count = shape->layer_count, .sizes = shape->sizes,
                            .activations = shape->activations, .no_bias = shape->no_bias,
                            .loss = shape->loss};
    return desc;
}

/* A model of the shape with uniform random weights and biases from `seed`. */
static clprop_model *random_model(const model_shape *shape, uint64_t seed)
{
    clprop_net_desc desc = desc_of(shape);
    clprop_model *model = NULL;
    clprop_status status = clprop_model_create(&desc, &model);
    cr_assert_eq(status, CLPROP_SUCCESS, "create: %s", clprop_model_message(model));
    test_rng rng = test_rng_seeded(seed);
    for (size_t layer = 1; layer <= shape->layer_count; layer++) {
        size_t inputs = shape->sizes[layer - 1], outputs = shape->sizes[layer];
        test_fill_uniform(&rng, clprop_model_weights(model, layer), outputs * inputs, -2.0, 2.0);
        if (!shape->no_bias)
            test_fill_uniform(&rng, clprop_model_biases(model, layer), outputs, -1.0, 1.0);
    }
    return model;
}

/* The same shape and the same bits in every parameter; a failure says which layer and index. */
static void assert_models_identical(clprop_model *got, clprop_model *want)
{
    size_t layers = clprop_model_layer_count(want);
    cr_assert_eq(clprop_model_layer_count(got), layers, "layer count");
    cr_assert_eq(clprop_model_loss(got), clprop_model_loss(want), "loss");
    cr_assert_eq(clprop_model_has_bias(got), clprop_model_has_bias(want), "bias flag");
    for (size_t layer = 0; layer <= layers; layer++)
        cr_assert_eq(clprop_model_units(got, layer), clprop_model_units(want, layer),
                     "units of layer %zu", layer);
    for (size_t layer = 1; layer <= layers; layer++) {
        cr_assert_eq(clprop_model_activation(got, layer), clprop_model_activation(want, layer),
                     "activation of layer %zu", layer);
        size_t outputs = clprop_model_units(want, layer);
        size_t count = outputs * clprop_model_units(want, layer - 1);
        const float *g = clprop_model_weights(got, layer), *w = clprop_model_weights(want, layer);
        for (size_t i = 0; i < count; i++)
            cr_assert(memcmp(&g[i], &w[i], sizeof(float)) == 0,
                      "layer %zu weight [%zu]: got %.9g, want %.9g", layer, i, (double)g[i],
                      (double)w[i]);
        if (!clprop_model_has_bias(want))
            continue;
        g = clprop_model_biases(got, layer);
        w = clprop_model_biases(want, layer);
        for (size_t i = 0; i < outputs; i++)
            cr_assert(memcmp(&g[i], &w[i], sizeof(float)) == 0,
                      "layer %zu bias [%zu]: got %.9g, want %.9g", layer, i, (double)g[i],
                      (double)w[i]);
    }
}

static void put_u32(unsigned char *at, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        at[i] = (unsigned char)(value >> (8 * i));
}

/* Replaces the CRC at the end of a file image after a test changed the bytes before it. */
static void reseal(unsigned char *bytes, size_t size)
{
    put_u32(bytes + size - 4, (uint32_t)crc32(crc32(0, Z_NULL, 0), bytes, (uInt)(size - 4)));
}

/* Loads `path`, which must fail with `want`, a message naming the file and holding `detail`, and
 * a handle that holds no layers. */
static void expect_load_refused(const char *path, clprop_status want, const char *detail)
{
    clprop_model *model = NULL;
    clprop_status status = clprop_model_load(path, &model);
    const char *message = clprop_model_message(model);
    cr_assert_not_null(model, "load must write a handle even when it fails");
    cr_expect_eq(status, want, "status %s, want %s; message: %s", clprop_status_name(status),
                 clprop_status_name(want), message);
    cr_expect(strncmp(message, path, strlen(path)) == 0, "message \"%s\" should start with %s",
              message, path);
    cr_expect_not_null(strstr(message, detail), "message \"%s\" should say \"%s\"", message,
                       detail);
    cr_expect_null(strchr(message, '\n'), "message should be one line: %s", message);
    cr_expect_eq(clprop_model_layer_count(model), 0, "a failed load must hold no layers");
    clprop_model_destroy(model);
}

/* Writes bytes to dir/name and expects loading them to be refused. */
static void expect_bytes_refused(const char *dir, const void *bytes, size_t size,
                                 clprop_status want, const char *detail)
{
    char *path = test_write_bytes(dir, "damaged.clprop", bytes, size);
    expect_load_refused(path, want, detail);
    free(path);
}

static clprop_model *load_or_fail(const char *path)
{
    clprop_model *model = NULL;
    clprop_status status = clprop_model_load(path, &model);
    cr_assert_eq(status, CLPROP_SUCCESS, "load: %s", clprop_model_message(model));
    return model;
}

static void save_or_fail(clprop_model *model, const char *path)
{
    clprop_status status = clprop_model_save(model, path);
    cr_assert_eq(status, CLPROP_SUCCESS, "save: %s", clprop_model_message(model));
}

static char *join(const char *dir, const char *name)
{
    size_t length = strlen(dir) + strlen(name) + 2;
    char *path = malloc(length);
    snprintf(path, length, "%s/%s", dir, name);
    return path;
}

/* How many entries of `dir` have `fragment` in their name. */
static int count_entries_with(const char *dir, const char *fragment)
{
    DIR *listing = opendir(dir);
    cr_assert_not_null(listing, "cannot list %s", dir);
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL)
        count += strstr(entry->d_name, fragment) != NULL;
    closedir(listing);
    return count;
}

/* A saved 2-3-1 model with biases, as bytes: small enough to cut at every offset. */
static unsigned char *small_model_file(const char *dir, size_t *size)
{
    static model_shape shape = {2, {2, 3, 1}, {SIGMOID, LINEAR}, 0, MSE};
    clprop_model *model = random_model(&shape, 7);
    char *path = join(dir, "small.clprop");
    save_or_fail(model, path);
    unsigned char *bytes = (unsigned char *)test_read_file(path, size);
    clprop_model_destroy(model);
    free(path);
    return bytes;
}

/* ---- Creating and the accessors -------------------------------------------------------------- */

Test(model, create_gives_a_model_of_the_shape_with_every_parameter_zero)
{
    model_shape shape = {2, {3, 4, 2}, {SIGMOID, SOFTMAX}, 0, CE};
    clprop_net_desc desc = desc_of(&shape);
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_create(&desc, &model), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    cr_expect_eq(clprop_model_layer_count(model), 2);
    cr_expect_eq(clprop_model_units(model, 0), 3);
    cr_expect_eq(clprop_model_units(model, 1), 4);
    cr_expect_eq(clprop_model_units(model, 2), 2);
    cr_expect_eq(clprop_model_activation(model, 1), SIGMOID);
    cr_expect_eq(clprop_model_activation(model, 2), SOFTMAX);
    cr_expect_eq(clprop_model_loss(model), CE);
    cr_expect(clprop_model_has_bias(model));
    for (size_t i = 0; i < 12; i++)
        cr_expect_eq(clprop_model_weights(model, 1)[i], 0.0f, "weight %zu", i);
    for (size_t i = 0; i < 2; i++)
        cr_expect_eq(clprop_model_biases(model, 2)[i], 0.0f, "bias %zu", i);
    clprop_model_destroy(model);
}

Test(model, create_without_activations_makes_every_layer_sigmoid)
{
    size_t sizes[] = {2, 2, 2};
    clprop_net_desc desc = {.layer_count = 2, .sizes = sizes, .no_bias = 1};
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_create(&desc, &model), CLPROP_SUCCESS);
    cr_expect_eq(clprop_model_activation(model, 1), SIGMOID);
    cr_expect_eq(clprop_model_activation(model, 2), SIGMOID);
    cr_expect_not(clprop_model_has_bias(model));
    cr_expect_null(clprop_model_biases(model, 1), "no biases in a model without them");
    clprop_model_destroy(model);
}

static void expect_create_refused(const model_shape *shape, const char *detail)
{
    clprop_net_desc desc = desc_of(shape);
    clprop_model *model = NULL;
    clprop_status status = clprop_model_create(&desc, &model);
    cr_assert_not_null(model);
    cr_expect_eq(status, CLPROP_ERROR_INVALID_ARGUMENT, "status %s: %s",
                 clprop_status_name(status), clprop_model_message(model));
    cr_expect_not_null(strstr(clprop_model_message(model), detail), "message \"%s\" should say "
                       "\"%s\"", clprop_model_message(model), detail);
    cr_expect_eq(clprop_model_layer_count(model), 0);
    clprop_model_destroy(model);
}

Test(model, create_refuses_softmax_on_a_hidden_layer)
{
    model_shape shape = {2, {2, 3, 2}, {SOFTMAX, SOFTMAX}, 0, CE};
    expect_create_refused(&shape, "layer 1: softmax is only allowed on the output layer");
}

Test(model, create_refuses_softmax_with_the_mse_loss)
{
    model_shape shape = {1, {2, 2}, {SOFTMAX}, 0, MSE};
    expect_create_refused(&shape, "softmax needs the cross-entropy loss");
}

Test(model, create_refuses_a_layer_without_units)
{
    model_shape shape = {2, {2, 0, 1}, {SIGMOID, SIGMOID}, 0, MSE};
    expect_create_refused(&shape, "layer 1 has 0 units");
}

Test(model, create_refuses_a_model_without_layers)
{
    model_shape shape = {0, {2}, {SIGMOID}, 0, MSE};
    expect_create_refused(&shape, "0 layers");
}

Test(model, accessors_give_nothing_for_layers_the_model_does_not_have)
{
    clprop_model *model = random_model(&shapes[2], 1);
    cr_expect_eq(clprop_model_units(model, 3), 0);
    cr_expect_null(clprop_model_weights(model, 0), "layer 0 has no weights");
    cr_expect_null(clprop_model_weights(model, 3));
    cr_expect_null(clprop_model_biases(model, 1), "this model has no biases");
    clprop_model_destroy(model);
}

Test(model, destroy_accepts_null_and_a_null_handle_has_a_message)
{
    clprop_model_destroy(NULL);
    cr_expect_not_null(strstr(clprop_model_message(NULL), "memory"));
    cr_expect_eq(clprop_model_layer_count(NULL), 0);
}

/* ---- Round trips ----------------------------------------------------------------------------- */

ParameterizedTestParameters(model_file, save_then_load_gives_back_every_bit)
{
    return cr_make_param_array(model_shape, shapes, sizeof shapes / sizeof shapes[0]);
}

ParameterizedTest(model_shape *shape, model_file, save_then_load_gives_back_every_bit)
{
    char *dir = test_make_temp_dir();
    char *path = join(dir, "m.clprop");
    for (uint64_t seed = 1; seed <= 3; seed++) {
        clprop_model *model = random_model(shape, seed);
        save_or_fail(model, path);
        clprop_model *loaded = load_or_fail(path);
        assert_models_identical(loaded, model);
        clprop_model_destroy(loaded);
        clprop_model_destroy(model);
    }
    test_remove_tree(dir);
    free(path);
    free(dir);
}

Test(model_file, the_file_is_little_endian_whatever_the_host)
{
    char *dir = test_make_temp_dir();
    model_shape shape = {1, {1, 1}, {LINEAR}, 1, MSE};
    clprop_model *model = random_model(&shape, 1);
    clprop_model_weights(model, 1)[0] = 1.0f; /* 0x3f800000 */
    char *path = join(dir, "m.clprop");
    save_or_fail(model, path);
    size_t size;
    unsigned char *bytes = (unsigned char *)test_read_file(path, &size);
    const unsigned char want[] = {
        'C', 'L', 'P', 'R', 'O', 'P', 'M', 'D', /* magic */
        1, 0, 0, 0,                             /* version */
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,     /* layers, loss mse, flags: no biases */
        0, 0, 0, 0,                             /* sections */
        1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,     /* inputs, outputs, linear */
        0x00, 0x00, 0x80, 0x3f,                 /* the weight 1.0f */
    };
    cr_assert_eq(size, sizeof want + 4, "size %zu", size);
    for (size_t i = 0; i < sizeof want; i++)
        cr_expect_eq(bytes[i], want[i], "byte %zu: got 0x%02x, want 0x%02x", i, bytes[i], want[i]);
    free(bytes);
    clprop_model_destroy(model);
    test_remove_tree(dir);
    free(path);
    free(dir);
}

/* ---- Damaged files --------------------------------------------------------------------------- */

Test(model_file, load_refuses_a_file_with_the_wrong_magic)
{
    char *dir = test_make_temp_dir();
    size_t size;
    unsigned char *bytes = small_model_file(dir, &size);
    bytes[7] = 'X';
    expect_bytes_refused(dir, bytes, size, CLPROP_ERROR_FORMAT,
                         "wrong magic (not a clprop model file: neither its binary magic");
    char *text = test_write_file(dir, "text.clprop", "2 2 1\n0.5 0.5\n");
    expect_load_refused(text, CLPROP_ERROR_FORMAT, "wrong magic");
    free(text);
    /* JSON, but not an object: said so (it was "wrong magic" too) */
    char *array = test_write_file(dir, "array.json", "  [[[1, 2]]]\n");
    expect_load_refused(array, CLPROP_ERROR_FORMAT, "a JSON array, not a model");
    free(array);
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

Test(model_file, load_refuses_a_newer_format_version)
{
    char *dir = test_make_temp_dir();
    size_t size;
    unsigned char *bytes = small_model_file(dir, &size);
    put_u32(bytes + 8, 7);
    reseal(bytes, size);
    expect_bytes_refused(dir, bytes, size, CLPROP_ERROR_FORMAT,
                         "format version 7 is newer than this clprop reads (1)");
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

Test(model_file, load_refuses_a_file_with_one_weight_byte_flipped)
{
    char *dir = test_make_temp_dir();
    size_t size;
    unsigned char *bytes = small_model_file(dir, &size);
    bytes[28 + 2 * 12 + 5] ^= 0x10; /* inside the first layer's weights */
    expect_bytes_refused(dir, bytes, size, CLPROP_ERROR_FORMAT,
                         "checksum mismatch (file damaged)");
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

/* A NaN or infinity saved with a valid checksum (a network that diverged, or a writer other than
 * clprop): refused as not finite, naming the byte, the layer and the entry. */
Test(model_file, load_refuses_a_nan_or_infinite_parameter_under_a_valid_checksum)
{
    char *dir = test_make_temp_dir();
    size_t size;
    unsigned char *bytes = small_model_file(dir, &size);
    const size_t parameters = 28 + 2 * 12; /* 2-3-1 with biases: 6 weights, 3 biases, 3, 1 */
    unsigned char *nan_bias = malloc(size);
    memcpy(nan_bias, bytes, size);
    put_u32(nan_bias + parameters + 4 * 7, 0x7fc00000u); /* layer 1, bias 1 */
    reseal(nan_bias, size);
    expect_bytes_refused(dir, nan_bias, size, CLPROP_ERROR_NOT_FINITE,
                         ": byte 80: layer 1 bias 1 is NaN; a model's weights and biases must be "
                         "finite");
    unsigned char *infinite_weight = malloc(size);
    memcpy(infinite_weight, bytes, size);
    put_u32(infinite_weight + parameters + 4 * 11, 0xff800000u); /* layer 2, weight 2 */
    reseal(infinite_weight, size);
    expect_bytes_refused(dir, infinite_weight, size, CLPROP_ERROR_NOT_FINITE,
                         ": byte 96: layer 2 weight 2 is infinite (-inf)");
    /* The same change without a new checksum is damage, and says so. */
    put_u32(bytes + parameters + 4 * 7, 0x7fc00000u);
    expect_bytes_refused(dir, bytes, size, CLPROP_ERROR_FORMAT, "checksum mismatch");
    free(nan_bias);
    free(infinite_weight);
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

Test(model_file, load_refuses_a_file_cut_short_at_any_offset)
{
    char *dir = test_make_temp_dir();
    size_t size;
    unsigned char *bytes = small_model_file(dir, &size);
    for (size_t cut = 0; cut < size; cut++)
        expect_bytes_refused(dir, bytes, cut, CLPROP_ERROR_FORMAT, cut == 0 ? "empty" : "");
    /* What the messages say at a few telling places: the header, the layer table, each kind of
     * parameter, the checksum. The 2-3-1 model's parameters start at byte 52. */
    expect_bytes_refused(dir, bytes, 5, CLPROP_ERROR_FORMAT, "file ends early");
    expect_bytes_refused(dir, bytes, 20, CLPROP_ERROR_FORMAT,
                         "byte 12: file ends early (expected 16 bytes of header)");
    expect_bytes_refused(dir, bytes, 45, CLPROP_ERROR_FORMAT,
                         "byte 40: file ends early (expected 12 bytes of the entry of layer 2)");
    expect_bytes_refused(dir, bytes, 60, CLPROP_ERROR_FORMAT,
                         "byte 52: file ends early (expected 24 bytes of weights for layer 1)");
    expect_bytes_refused(dir, bytes, 80, CLPROP_ERROR_FORMAT,
                         "byte 76: file ends early (expected 12 bytes of biases for layer 1)");
    expect_bytes_refused(dir, bytes, 96, CLPROP_ERROR_FORMAT,
                         "byte 88: file ends early (expected 12 bytes of weights for layer 2)");
    expect_bytes_refused(dir, bytes, size - 2, CLPROP_ERROR_FORMAT,
                         "file ends early (expected 4 bytes of checksum)");
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

Test(model_file, load_refuses_trailing_bytes_after_the_checksum)
{
    char *dir = test_make_temp_dir();
    size_t size;
    unsigned char *bytes = small_model_file(dir, &size);
    unsigned char *longer = malloc(size + 3);
    memcpy(longer, bytes, size);
    memcpy(longer + size, "abc", 3);
    expect_bytes_refused(dir, longer, size + 3, CLPROP_ERROR_FORMAT,
                         "3 bytes of trailing data after the model");
    free(longer);
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

/* A header with a valid magic and version, one layer of the given size, and a few bytes more. */
static void expect_header_refused(uint32_t layer_count, uint32_t inputs, uint32_t outputs,
                                  const char *detail)
{
    unsigned char bytes[28 + 12 + 16] = "CLPROPMD";
    put_u32(bytes + 8, 1);
    put_u32(bytes + 12, layer_count);
    put_u32(bytes + 28, inputs);
    put_u32(bytes + 32, outputs);
    char *dir = test_make_temp_dir();
    expect_bytes_refused(dir, bytes, sizeof bytes, CLPROP_ERROR_FORMAT, detail);
    test_remove_tree(dir);
    free(dir);
}

/* These headers would ask for up to 2^62 bytes; a FORMAT status (not OUT_OF_HOST_MEMORY) shows
 * the loader refused them before allocating anything. */
Test(model_file, load_refuses_absurd_sizes_in_the_header_before_allocating)
{
    expect_header_refused(1, 1u << 31, 1u << 31, "layer 0 has 2147483648 units, expected 1 to");
    expect_header_refused(1, 4, 1u << 31, "layer 1 has 2147483648 units");
    expect_header_refused(UINT32_MAX, 4, 4, "byte 12: layer count 4294967295, expected 1 to 1024");
    expect_header_refused(0, 4, 4, "layer count 0");
    expect_header_refused(1, 1u << 24, 1u << 24,
                          "byte 40: file ends early (expected 1125899906842624 bytes of weights "
                          "for layer 1)");
}

Test(model_file, load_refuses_unknown_header_flags_loss_and_activation)
{
    char *dir = test_make_temp_dir();
    size_t size;
    unsigned char *bytes = small_model_file(dir, &size);
    unsigned char *copy = malloc(size);
    struct { size_t offset; uint32_t value; const char *detail; } cases[] = {
        {16, 9, "byte 16: unknown loss 9"},
        {20, 3, "byte 20: flags 0x3 hold bits this clprop does not know"},
        {28 + 8, 99, "byte 36: layer 1: unknown activation 99"},
        {28 + 12, 4, "byte 40: layer 2 has 4 inputs, but layer 1 has 3 outputs"},
        {24, 1000, "byte 24: 1000 sections, expected at most 256"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(copy, bytes, size);
        put_u32(copy + cases[i].offset, cases[i].value);
        reseal(copy, size);
        expect_bytes_refused(dir, copy, size, CLPROP_ERROR_FORMAT, cases[i].detail);
    }
    free(copy);
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

Test(model_file, load_refuses_a_missing_file_with_an_io_error)
{
    char *dir = test_make_temp_dir();
    char *path = join(dir, "absent.clprop");
    expect_load_refused(path, CLPROP_ERROR_IO, "cannot open: No such file or directory");
    test_remove_tree(dir);
    free(path);
    free(dir);
}

Test(model_file, load_refuses_a_directory_with_an_io_error)
{
    char *dir = test_make_temp_dir();
    expect_load_refused(dir, CLPROP_ERROR_IO, "is a directory, not a regular file");
    test_remove_tree(dir);
    free(dir);
}

Test(model_file, load_refuses_an_empty_file)
{
    char *dir = test_make_temp_dir();
    char *path = test_write_file(dir, "empty.clprop", "");
    expect_load_refused(path, CLPROP_ERROR_FORMAT, ": is empty");
    test_remove_tree(dir);
    free(path);
    free(dir);
}

/* ---- Sections: room for what later versions add ---------------------------------------------- */

/* The small model's file with one section appended before the checksum, under a tag no clprop
 * knows ("OPTM" and "TRST" are known since the optimizer and checkpoints came). */
static unsigned char *with_section(const unsigned char *bytes, size_t size, uint32_t flags,
                                   uint64_t declared, size_t *new_size)
{
    static const char payload[] = "hello";
    *new_size = size + 16 + 5;
    unsigned char *out = malloc(*new_size);
    memcpy(out, bytes, size - 4);
    put_u32(out + 24, 1);
    unsigned char *section = out + size - 4;
    memcpy(section, "XTRA", 4);
    put_u32(section + 4, flags);
    put_u32(section + 8, (uint32_t)declared);
    put_u32(section + 12, (uint32_t)(declared >> 32));
    memcpy(section + 16, payload, 5);
    reseal(out, *new_size);
    return out;
}

Test(model_file, load_skips_an_optional_section_it_does_not_know)
{
    char *dir = test_make_temp_dir();
    size_t size, extended_size;
    unsigned char *bytes = small_model_file(dir, &size);
    unsigned char *extended = with_section(bytes, size, 0, 5, &extended_size);
    char *plain = join(dir, "small.clprop");
    char *path = test_write_bytes(dir, "extended.clprop", extended, extended_size);
    clprop_model *want = load_or_fail(plain);
    clprop_model *got = load_or_fail(path);
    assert_models_identical(got, want);
    clprop_model_destroy(got);
    clprop_model_destroy(want);
    free(path);
    free(plain);
    free(extended);
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

Test(model_file, load_refuses_a_required_section_it_does_not_know)
{
    char *dir = test_make_temp_dir();
    size_t size, extended_size;
    unsigned char *bytes = small_model_file(dir, &size);
    unsigned char *extended = with_section(bytes, size, 1, 5, &extended_size);
    expect_bytes_refused(dir, extended, extended_size, CLPROP_ERROR_FORMAT,
                         "section \"XTRA\" is required but unknown to this clprop");
    free(extended);
    extended = with_section(bytes, size, 0, UINT64_MAX, &extended_size);
    expect_bytes_refused(dir, extended, extended_size, CLPROP_ERROR_FORMAT,
                         "file ends early (expected 18446744073709551615 bytes of section");
    free(extended);
    /* A tag of bytes that are not text is shown escaped, not raw. */
    extended = with_section(bytes, size, 1, 5, &extended_size);
    memcpy(extended + size - 4, "X\x1b\"\xff", 4);
    reseal(extended, extended_size);
    expect_bytes_refused(dir, extended, extended_size, CLPROP_ERROR_FORMAT,
                         "section \"X\\x1b\\\"\\xff\" is required but unknown");
    free(extended);
    free(bytes);
    test_remove_tree(dir);
    free(dir);
}

/* ---- Saving atomically ----------------------------------------------------------------------- */

Test(model_file, a_save_replaces_the_file_and_leaves_no_temporary_file)
{
    char *dir = test_make_temp_dir();
    char *path = join(dir, "m.clprop");
    clprop_model *first = random_model(&shapes[3], 1), *second = random_model(&shapes[4], 2);
    save_or_fail(first, path);
    save_or_fail(second, path);
    clprop_model *loaded = load_or_fail(path);
    assert_models_identical(loaded, second);
    cr_expect_eq(count_entries_with(dir, ".tmp-"), 0, "a temporary file was left behind");
    clprop_model_destroy(loaded);
    clprop_model_destroy(second);
    clprop_model_destroy(first);
    test_remove_tree(dir);
    free(path);
    free(dir);
}

/* A temporary whose pid runs nothing here is removed by the next save to its target only when no
 * one holds its lock: a writer in another PID namespace or on another host sharing the folder
 * holds it while it writes, and the kernel lets go of a killed writer's. */
Test(model_file, a_temporary_is_taken_for_abandoned_only_when_no_one_holds_its_lock)
{
    char *dir = test_make_temp_dir();
    char *path = join(dir, "m.clprop");
    char *planted = join(dir, ".m.clprop.clprop-tmp-999999-ABCDEF");
    int held = open(planted, O_CREAT | O_WRONLY, 0600);
    cr_assert(held >= 0);
    cr_assert_eq(flock(held, LOCK_EX), 0);
    clprop_model *model = random_model(&shapes[3], 1);
    save_or_fail(model, path);
    cr_expect_eq(access(planted, F_OK), 0,
                 "a locked temporary (a live writer elsewhere) was removed");
    close(held); /* as a killed writer's lock goes */
    save_or_fail(model, path);
    cr_expect_neq(access(planted, F_OK), 0, "an abandoned temporary was left");
    clprop_model_destroy(model);
    test_remove_tree(dir);
    free(planted);
    free(path);
    free(dir);
}

Test(model_file, a_save_into_a_missing_directory_fails_naming_the_file)
{
    char *dir = test_make_temp_dir();
    char *path = join(dir, "no/such/dir/m.clprop");
    clprop_model *model = random_model(&shapes[1], 1);
    clprop_status status = clprop_model_save(model, path);
    cr_expect_eq(status, CLPROP_ERROR_IO, "status %s", clprop_status_name(status));
    cr_expect(strncmp(clprop_model_message(model), path, strlen(path)) == 0, "message: %s",
              clprop_model_message(model));
    cr_expect_eq(count_entries_with(dir, ""), 2, "only . and .. should be in %s", dir);
    clprop_model_destroy(model);
    test_remove_tree(dir);
    free(path);
    free(dir);
}

/* The disk fills up at several points of the write: in the header, in the layer table, in the
 * weights, in the checksum. Each time the old file stays whole and no temporary file remains. */
Test(model_file, a_save_that_fails_midway_leaves_the_previous_file_intact)
{
    char *dir = test_make_temp_dir();
    char *path = join(dir, "m.clprop");
    clprop_model *old = random_model(&shapes[4], 1), *new = random_model(&shapes[5], 2);
    char *full = join(dir, "full.clprop");
    save_or_fail(new, full);
    size_t new_size;
    free(test_read_file(full, &new_size));
    unlink(full);
    free(full);
    save_or_fail(old, path);
    uint64_t capacities[] = {0, 5, 30, 28 + 4 * 12 + 100, new_size / 2, new_size - 1};
    for (size_t i = 0; i < sizeof capacities / sizeof capacities[0]; i++) {
        clprop_status status = clprop_model_save_with_capacity(new, path, capacities[i]);
        const char *message = clprop_model_message(new);
        cr_assert_eq(status, CLPROP_ERROR_IO, "capacity %llu: status %s",
                     (unsigned long long)capacities[i], clprop_status_name(status));
        cr_expect_not_null(strstr(message, "No space left on device"), "message: %s", message);
        cr_expect(strncmp(message, path, strlen(path)) == 0, "message: %s", message);
        cr_expect_eq(count_entries_with(dir, ".tmp-"), 0, "capacity %llu left a temporary file",
                     (unsigned long long)capacities[i]);
        clprop_model *loaded = load_or_fail(path);
        assert_models_identical(loaded, old);
        clprop_model_destroy(loaded);
    }
    clprop_model_destroy(new);
    clprop_model_destroy(old);
    test_remove_tree(dir);
    free(path);
    free(dir);
}

/* A process killed while saving cannot clean up, but the target must still be one whole model:
 * the old one or the new one, never a mixture or a prefix. */
Test(model_file, a_save_killed_midway_leaves_a_whole_model_under_the_name)
{
    char *dir = test_make_temp_dir();
    char *path = join(dir, "m.clprop");
    model_shape big = {2, {1024, 2048, 10}, {SIGMOID, SOFTMAX}, 0, CE}; /* 8 MiB of weights */
    clprop_model *old = random_model(&shapes[4], 1), *new = random_model(&big, 2);
    save_or_fail(old, path);
    pid_t child = fork();
    cr_assert_neq(child, -1, "fork failed");
    if (child == 0) {
        for (;;)
            clprop_model_save(new, path);
    }
    struct timespec pause = {0, 30 * 1000 * 1000};
    nanosleep(&pause, NULL);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    clprop_model *loaded = load_or_fail(path);
    assert_models_identical(loaded, clprop_model_layer_count(loaded) == 2 ? new : old);
    clprop_model_destroy(loaded);
    clprop_model_destroy(new);
    clprop_model_destroy(old);
    test_remove_tree(dir);
    free(path);
    free(dir);
}

/* ---- Models and networks (needs an OpenCL device) -------------------------------------------- */

Test(model_net, a_model_copied_to_a_network_and_back_is_unchanged)
{
    clprop_context *context = test_context();
    const model_shape *cases[] = {&shapes[1], &shapes[2], &shapes[4], &shapes[5]};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        clprop_model *model = random_model(cases[c], 10 + c);
        clprop_net *net = NULL;
        clprop_status status = clprop_net_create_from_model(context, model, &net);
        cr_assert_eq(status, CLPROP_SUCCESS, "shape %zu: net from model: %s", c,
                     clprop_net_message(net));
        clprop_model *copy = NULL;
        status = clprop_model_from_net(net, &copy);
        cr_assert_eq(status, CLPROP_SUCCESS, "shape %zu: model from net: %s", c,
                     clprop_model_message(copy));
        assert_models_identical(copy, model);
        clprop_model_destroy(copy);
        clprop_net_destroy(net);
        clprop_model_destroy(model);
    }
    clprop_context_destroy(context);
}

Test(model_net, a_network_from_a_failed_model_is_refused)
{
    /* a handle all the same, as every create call writes one, whose message says why */
    clprop_net *net = (clprop_net *)1;
    cr_expect_eq(clprop_net_create_from_model(NULL, NULL, &net), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_assert(net != NULL && net != (clprop_net *)1);
    cr_expect_not_null(strstr(clprop_net_message(net), "layer"), "%s", clprop_net_message(net));
    clprop_net_destroy(net);
    clprop_model *copy = NULL;
    cr_expect_eq(clprop_model_from_net(NULL, &copy), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_not_null(strstr(clprop_model_message(copy), "net is NULL"));
    clprop_model_destroy(copy);
}
