/* Writes the generated seeds of the fuzz corpora: model files saved and exported by the library
 * itself (so they are exactly what clprop writes), a few of them damaged the way files get
 * damaged, and IDX image/label pairs framed as fuzz_data_idx.c reads them. The hand-written text
 * seeds (FANN, CSV, damaged JSON) sit beside them in the corpus folders.
 *
 *   ./build-fuzz/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "clprop.h"

static const char *root;

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_make_seeds: %s: %s\n", what, detail);
    exit(1);
}

static char *path_of(const char *folder, const char *name)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", root, folder, name);
    return path;
}

static void write_file(const char *folder, const char *name, const void *bytes, size_t size)
{
    const char *path = path_of(folder, name);
    FILE *file = fopen(path, "wb");
    if (file == NULL || fwrite(bytes, 1, size, file) != size || fclose(file) != 0)
        die(path, "cannot write");
}

static unsigned char *read_file(const char *folder, const char *name, size_t *size)
{
    const char *path = path_of(folder, name);
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        die(path, "cannot open");
    static unsigned char bytes[1 << 20];
    *size = fread(bytes, 1, sizeof bytes, file);
    fclose(file);
    return bytes;
}

/* ---- Models ---------------------------------------------------------------------------------- */

#define BINARY "fuzz_model_binary"
#define JSON "fuzz_model_json"

/* Weights and biases 0.25·(i+1)·(−1)^i, with a few awkward floats among them. */
static void fill(clprop_model *model)
{
    static const float awkward[] = {-0.0f, 1e-45f, 3.4028235e38f, 0.1f};
    for (size_t layer = 1; layer <= clprop_model_layer_count(model); layer++) {
        size_t outputs = clprop_model_units(model, layer);
        size_t count = outputs * clprop_model_units(model, layer - 1);
        float *weights = clprop_model_weights(model, layer);
        for (size_t i = 0; i < count; i++)
            weights[i] = i < 4 && layer == 1 ? awkward[i] : 0.25f * (float)(i + 1) *
                                                              (i % 2 ? -1.0f : 1.0f);
        float *biases = clprop_model_biases(model, layer);
        for (size_t i = 0; biases != NULL && i < outputs; i++)
            biases[i] = -0.5f * (float)i;
    }
}

static clprop_model *make_model(size_t layer_count, const size_t *sizes,
                                const clprop_activation *activations, int no_bias, clprop_loss loss)
{
    clprop_net_desc desc = {.layer_count = layer_count, .sizes = sizes,
                            .activations = activations, .no_bias = no_bias, .loss = loss};
    clprop_model *model = NULL;
    if (clprop_model_create(&desc, &model) != CLPROP_SUCCESS)
        die("clprop_model_create", clprop_model_message(model));
    fill(model);
    return model;
}

static size_t parameters(clprop_model *model)
{
    size_t count = 0;
    for (size_t layer = 1; layer <= clprop_model_layer_count(model); layer++)
        count += clprop_model_units(model, layer) * clprop_model_units(model, layer - 1) +
                 (clprop_model_has_bias(model) ? clprop_model_units(model, layer) : 0);
    return count;
}

static void set_optimizer(clprop_model *model, const clprop_optimizer *optimizer, size_t slots)
{
    size_t floats = slots * parameters(model);
    float *state = calloc(floats + 1, sizeof *state);
    for (size_t i = 0; i < floats; i++)
        state[i] = 0.001f * (float)i;
    if (clprop_model_set_optimizer(model, optimizer, 7, state, floats) != CLPROP_SUCCESS)
        die("clprop_model_set_optimizer", clprop_model_message(model));
    free(state);
}

static void save(clprop_model *model, const char *name)
{
    if (clprop_model_save(model, path_of(BINARY, name)) != CLPROP_SUCCESS)
        die("clprop_model_save", clprop_model_message(model));
}

static void export(clprop_model *model, const char *name)
{
    FILE *out = fopen(path_of(JSON, name), "wb");
    if (out == NULL || clprop_model_write_json(model, out) != CLPROP_SUCCESS || fclose(out) != 0)
        die("clprop_model_write_json", clprop_model_message(model));
}

static void store_u32(unsigned char *bytes, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        bytes[i] = (unsigned char)(value >> (8 * i));
}

/* The saved file with one more section before the checksum, its count and checksum fixed. */
static void add_section(const char *from, const char *name, const char *tag, uint32_t flags)
{
    size_t size;
    unsigned char *bytes = read_file(BINARY, from, &size);
    static unsigned char out[1 << 20];
    size_t body = size - 4;
    memcpy(out, bytes, body);
    store_u32(out + 24, bytes[24] + 1u);
    unsigned char *section = out + body;
    memcpy(section, tag, 4);
    store_u32(section + 4, flags);
    store_u32(section + 8, 3);
    store_u32(section + 12, 0);
    memcpy(section + 16, "abc", 3);
    size_t total = body + 19;
    store_u32(out + total, (uint32_t)crc32(0, out, (uInt)total));
    write_file(BINARY, name, out, total + 4);
}

static void make_models(void)
{
    static const size_t xor_sizes[] = {2, 2, 1};
    static const clprop_activation xor_activations[] = {CLPROP_ACTIVATION_SIGMOID,
                                                        CLPROP_ACTIVATION_SIGMOID};
    clprop_model *model = make_model(2, xor_sizes, xor_activations, 0, CLPROP_LOSS_MSE);
    save(model, "seed-xor.model");
    export(model, "seed-xor.json");
    clprop_model_destroy(model);

    static const size_t linear_sizes[] = {3, 1};
    static const clprop_activation linear_activations[] = {CLPROP_ACTIVATION_LINEAR};
    model = make_model(1, linear_sizes, linear_activations, 1, CLPROP_LOSS_MSE);
    save(model, "seed-linear-no-bias.model");
    export(model, "seed-linear-no-bias.json");
    set_optimizer(model, &(clprop_optimizer){.kind = CLPROP_OPTIMIZER_MOMENTUM, .nesterov = 1},
                  1);
    save(model, "seed-linear-momentum.model");
    clprop_model_destroy(model);

    static const size_t softmax_sizes[] = {3, 4, 2, 3};
    static const clprop_activation softmax_activations[] = {
        CLPROP_ACTIVATION_RELU, CLPROP_ACTIVATION_TANH, CLPROP_ACTIVATION_SOFTMAX};
    model = make_model(3, softmax_sizes, softmax_activations, 0, CLPROP_LOSS_CROSS_ENTROPY);
    export(model, "seed-softmax-ce.json");
    set_optimizer(model, &(clprop_optimizer){.kind = CLPROP_OPTIMIZER_ADAM, .weight_decay = 0.01f},
                  2);
    clprop_training_state progress = {.epochs_done = 3, .samples_done = 5, .seed = 42,
                                      .shuffle_state = 0x123456789abcdefull, .best_loss = 0.125,
                                      .best_epoch = 2, .stale_epochs = 1};
    if (clprop_model_set_training_state(model, &progress) != CLPROP_SUCCESS)
        die("clprop_model_set_training_state", clprop_model_message(model));
    clprop_pass_result so_far = {.samples = 5, .loss = 0.75, .mse = 0.125, .correct = 3};
    if (clprop_model_set_interrupted_epoch(model, &so_far, 0.5) != CLPROP_SUCCESS)
        die("clprop_model_set_interrupted_epoch", clprop_model_message(model));
    save(model, "seed-softmax-adam-checkpoint.model");
    clprop_model_destroy(model);

    static const size_t leaky_sizes[] = {2, 3, 1};
    static const clprop_activation leaky_activations[] = {CLPROP_ACTIVATION_LEAKY_RELU,
                                                          CLPROP_ACTIVATION_LINEAR};
    model = make_model(2, leaky_sizes, leaky_activations, 0, CLPROP_LOSS_MSE);
    set_optimizer(model, &(clprop_optimizer){.kind = CLPROP_OPTIMIZER_RPROP}, 2);
    save(model, "seed-leaky-rprop.model");
    export(model, "seed-leaky.json");
    clprop_model_destroy(model);

    add_section("seed-xor.model", "seed-xor-unknown-optional-section.model", "XTRA", 0);
    add_section("seed-xor.model", "broken-xor-unknown-required-section.model", "XTRA", 1);
    size_t size;
    unsigned char *bytes = read_file(BINARY, "seed-xor.model", &size);
    write_file(BINARY, "broken-xor-cut-in-weights.model", bytes, 40);
    bytes[size - 1] ^= 0x01;
    write_file(BINARY, "broken-xor-checksum.model", bytes, size);
    bytes[size - 1] ^= 0x01;
    bytes[size] = 0;
    write_file(BINARY, "broken-xor-trailing-byte.model", bytes, size + 1);
}

/* ---- IDX pairs ------------------------------------------------------------------------------- */

#define IDX "fuzz_data_idx"

static size_t idx_header(unsigned char *bytes, unsigned magic, const uint32_t *sizes, size_t dims)
{
    for (size_t d = 0; d <= dims; d++) {
        uint32_t value = d == 0 ? magic : sizes[d - 1];
        for (int i = 0; i < 4; i++)
            bytes[4 * d + (size_t)i] = (unsigned char)(value >> (24 - 8 * i));
    }
    return 4 * (dims + 1);
}

static size_t gzip_bytes(unsigned char *out, size_t capacity, const unsigned char *in, size_t size)
{
    z_stream stream = {0};
    if (deflateInit2(&stream, 9, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        die("deflateInit2", "failed");
    stream.next_in = (unsigned char *)in;
    stream.avail_in = (uInt)size;
    stream.next_out = out;
    stream.avail_out = (uInt)capacity;
    if (deflate(&stream, Z_FINISH) != Z_STREAM_END)
        die("deflate", "failed");
    size_t written = stream.total_out;
    deflateEnd(&stream);
    return written;
}

/* [images length, little-endian][images][labels]. */
static void write_pair(const char *name, const unsigned char *images, size_t image_size,
                       const unsigned char *labels, size_t label_size)
{
    unsigned char out[4096];
    store_u32(out, (uint32_t)image_size);
    memcpy(out + 4, images, image_size);
    memcpy(out + 4 + image_size, labels, label_size);
    write_file(IDX, name, out, 4 + image_size + label_size);
}

static void make_idx(void)
{
    unsigned char images[256], labels[64];
    uint32_t image_sizes[3] = {3, 2, 2}, label_count = 3;
    size_t image_size = idx_header(images, 0x803, image_sizes, 3);
    for (int i = 0; i < 12; i++)
        images[image_size++] = (unsigned char)(i * 23);
    size_t label_size = idx_header(labels, 0x801, &label_count, 1);
    labels[label_size++] = 0;
    labels[label_size++] = 2;
    labels[label_size++] = 1;
    write_pair("seed-3-images-2x2.idx", images, image_size, labels, label_size);

    unsigned char images_gz[512], labels_gz[256];
    size_t images_gz_size = gzip_bytes(images_gz, sizeof images_gz, images, image_size);
    size_t labels_gz_size = gzip_bytes(labels_gz, sizeof labels_gz, labels, label_size);
    write_pair("seed-3-images-2x2-gzip.idx", images_gz, images_gz_size, labels_gz,
               labels_gz_size);
    write_pair("broken-gzip-cut.idx", images_gz, images_gz_size - 6, labels, label_size);

    write_pair("broken-images-cut.idx", images, image_size - 5, labels, label_size);
    unsigned char extra[64];
    memcpy(extra, labels, label_size);
    extra[label_size] = 3;
    write_pair("broken-extra-label.idx", images, image_size, extra, label_size + 1);
    write_pair("broken-labels-are-images.idx", images, image_size, images, image_size);
    label_count = 2;
    idx_header(labels, 0x801, &label_count, 1);
    write_pair("broken-count-mismatch.idx", images, image_size, labels, label_size - 1);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS-FOLDER (tests/fuzz/corpus)\n", argv[0]);
        return 2;
    }
    root = argv[1];
    make_models();
    make_idx();
    return 0;
}
