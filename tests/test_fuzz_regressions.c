/* What fuzzing the parsers found (tests/fuzz/README.md), each reproducer loaded through the public
 * API and refused with a clean error. The bytes are those of the reproducer kept in
 * tests/fuzz/corpus/<harness>/, copied verbatim, so each test is the finding itself. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "clprop.h"
#include "support.h"

/* ---- Loading a reproducer the way its harness does --------------------------------------------- */

typedef struct loaded_data {
    char *dir;
    clprop_status status;
    clprop_data *data;
} loaded_data;

/* fuzz_data_idx's input: a 4-byte little-endian length, that many bytes of images file (at most
 * what there is), the rest the labels file. */
static loaded_data load_idx_input(const unsigned char *input, size_t size, size_t classes)
{
    cr_assert(size >= 4);
    size_t length = (size_t)input[0] | (size_t)input[1] << 8 | (size_t)input[2] << 16 |
                    (size_t)input[3] << 24;
    if (length > size - 4)
        length = size - 4;
    loaded_data loaded = {.dir = test_make_temp_dir()};
    char *images = test_write_bytes(loaded.dir, "images", input + 4, length);
    char *labels = test_write_bytes(loaded.dir, "labels", input + 4 + length, size - 4 - length);
    clprop_data_source source = {.path = images, .labels_path = labels,
                                 .format = CLPROP_DATA_IDX, .classes = classes};
    loaded.status = clprop_data_load(&source, &loaded.data);
    free(images);
    free(labels);
    return loaded;
}

/* fuzz_model_*'s input: the model file itself. */
static clprop_status load_model_input(const char *text, clprop_model **model)
{
    char *dir = test_make_temp_dir();
    char *path = test_write_file(dir, "model", text);
    clprop_status status = clprop_model_load(path, model);
    free(path);
    test_remove_tree(dir);
    free(dir);
    return status;
}

static void expect_refused(const loaded_data *loaded, clprop_status status, const char *part)
{
    const char *message = clprop_data_message(loaded->data);
    cr_expect_eq(loaded->status, status, "got %s: %s", clprop_status_name(loaded->status),
                 message);
    cr_expect(strstr(message, part) != NULL, "the message \"%s\" lacks \"%s\"", message, part);
    cr_expect_eq(clprop_data_samples(loaded->data), 0);
    cr_expect_null(clprop_data_input_values(loaded->data));
}

static void finish(loaded_data *loaded)
{
    clprop_data_destroy(loaded->data);
    test_remove_tree(loaded->dir);
    free(loaded->dir);
}

/* ---- IDX --------------------------------------------------------------------------------------- */

/* corpus/fuzz_data_idx/broken-gzip-cut.idx: a gzip images file with its last 6 bytes (most of the
 * CRC and length trailer) cut off. Every pixel the header counts decompresses, so the loader took
 * zlib's "stream ends early" for the end of the file and accepted it, where the FANN and CSV
 * loaders refuse the same cut. */
static const unsigned char idx_gzip_cut_in_trailer[] = {
    0x24, 0x00, 0x00, 0x00, 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x63,
    0x60, 0xe0, 0x60, 0x66, 0x60, 0x60, 0x00, 0x61, 0x26, 0x30, 0x16, 0xd7, 0x73, 0x8d, 0x29,
    0xee, 0x5a, 0xb8, 0xe3, 0xfc, 0xb3, 0xbf, 0x00, 0x6e, 0x2f, 0x00, 0x00, 0x08, 0x01, 0x00,
    0x00, 0x00, 0x03, 0x00, 0x02, 0x01};

Test(fuzz_regressions, idx_refuses_a_gzip_images_file_cut_in_its_trailer)
{
    loaded_data loaded = load_idx_input(idx_gzip_cut_in_trailer, sizeof idx_gzip_cut_in_trailer, 0);
    expect_refused(&loaded, CLPROP_ERROR_FORMAT, "the gzip data ends early (the file is truncated)");
    cr_expect(strstr(clprop_data_message(loaded.data), "images: byte 28:") != NULL, "%s",
              clprop_data_message(loaded.data));
    finish(&loaded);
}

/* ---- JSON models ------------------------------------------------------------------------------- */

/* corpus/fuzz_model_json/crash-shape-claims-a-petabyte.json: 150 bytes claiming a layer of
 * 2^24 × 2^24 units, within the shape limits. The reader allocated the parameters from the shape
 * before looking at the arrays, so this asked calloc for 2^50 bytes (ASan: allocation-size-too-big;
 * a few million units ask gigabytes that the allocator may well grant). Now the arrays are
 * checked against the shape first. */
Test(fuzz_regressions, json_refuses_a_shape_its_arrays_do_not_hold_before_allocating)
{
    clprop_model *model = NULL;
    clprop_status status = load_model_input(
        "{\"format\":\"clprop-model\",\"version\":1,\"loss\":\"mse\",\"layers\":[{\"inputs\":"
        "16777216,\"outputs\":16777216,\"activation\":\"linear\",\"bias\":false,\"weights\":[]}]}",
        &model);
    const char *message = clprop_model_message(model);
    cr_expect_eq(status, CLPROP_ERROR_FORMAT, "got %s: %s", clprop_status_name(status), message);
    cr_expect(strstr(message, "layer 1: \"weights\" has 0 rows, expected 16777216") != NULL, "%s",
              message);
    cr_expect_eq(clprop_model_layer_count(model), 0);
    clprop_model_destroy(model);
}
