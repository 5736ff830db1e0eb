/* IDX files (MNIST-style images and labels): small files written here with known bytes, plain
 * and gzip-compressed, the real Fashion-MNIST files, and every way an IDX pair can be wrong,
 * named by file and byte offset. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <zlib.h>

#include <unistd.h>

#include "clprop.h"
#include "data_internal.h"
#include "support.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

/* ---- Writing IDX files ------------------------------------------------------------------------- */

typedef struct bytes {
    unsigned char data[4096];
    size_t size;
} bytes;

static void put_u32(bytes *b, uint32_t value)
{
    b->data[b->size++] = (unsigned char)(value >> 24);
    b->data[b->size++] = (unsigned char)(value >> 16);
    b->data[b->size++] = (unsigned char)(value >> 8);
    b->data[b->size++] = (unsigned char)value;
}

/* `count` images of rows × columns whose pixel i of image n is (n * 40 + i * 10) % 256. */
static bytes images_file(uint32_t count, uint32_t rows, uint32_t columns)
{
    bytes b = {.size = 0};
    put_u32(&b, 0x00000803);
    put_u32(&b, count);
    put_u32(&b, rows);
    put_u32(&b, columns);
    for (uint32_t n = 0; n < count; n++)
        for (uint32_t i = 0; i < rows * columns; i++)
            b.data[b.size++] = (unsigned char)((n * 40 + i * 10) % 256);
    return b;
}

static bytes labels_file(uint32_t count, const unsigned char *labels)
{
    bytes b = {.size = 0};
    put_u32(&b, 0x00000801);
    put_u32(&b, count);
    memcpy(b.data + b.size, labels, count);
    b.size += count;
    return b;
}

static char *write_gzip(const char *dir, const char *name, const void *data, size_t size)
{
    size_t length = strlen(dir) + strlen(name) + 2;
    char *path = malloc(length);
    snprintf(path, length, "%s/%s", dir, name);
    gzFile file = gzopen(path, "wb");
    cr_assert_not_null(file, "cannot write %s", path);
    cr_assert_eq(gzwrite(file, data, (unsigned)size), (int)size);
    cr_assert_eq(gzclose(file), Z_OK);
    return path;
}

/* A temporary directory with images.idx and labels.idx. */
typedef struct idx_case {
    char *dir, *images, *labels;
    clprop_data *data;
    clprop_status status;
} idx_case;

static idx_case write_pair(const bytes *images, const bytes *labels, int gzip)
{
    idx_case c = {.dir = test_make_temp_dir()};
    if (gzip) {
        c.images = write_gzip(c.dir, "images.idx.gz", images->data, images->size);
        c.labels = write_gzip(c.dir, "labels.idx.gz", labels->data, labels->size);
    } else {
        c.images = test_write_bytes(c.dir, "images.idx", images->data, images->size);
        c.labels = test_write_bytes(c.dir, "labels.idx", labels->data, labels->size);
    }
    return c;
}

static void load_pair(idx_case *c, clprop_data_format format, size_t classes)
{
    clprop_data_source source = {.path = c->images, .labels_path = c->labels, .format = format,
                                 .classes = classes};
    c->status = clprop_data_load(&source, &c->data);
    cr_assert_not_null(c->data, "load must write a handle even when it fails");
}

static void finish(idx_case *c)
{
    clprop_data_destroy(c->data);
    test_remove_tree(c->dir);
    free(c->dir);
    free(c->images);
    free(c->labels);
}

/* Expects the status and a one-line message holding every one of the NULL-terminated parts. */
static void expect_failure(const idx_case *c, clprop_status want, const char *const *parts)
{
    const char *message = clprop_data_message(c->data);
    cr_expect_eq(c->status, want, "status %s, want %s; message: %s",
                 clprop_status_name(c->status), clprop_status_name(want), message);
    for (; *parts != NULL; parts++)
        cr_expect_not_null(strstr(message, *parts), "message \"%s\" should hold \"%s\"", message,
                           *parts);
    cr_expect_null(strchr(message, '\n'), "message should be one line: %s", message);
    cr_expect_eq(clprop_data_samples(c->data), 0, "a failed load holds no samples");
}

static const unsigned char THREE_LABELS[] = {2, 0, 1};

/* ---- Good files -------------------------------------------------------------------------------- */

static void check_small_pair(int gzip, clprop_data_format format)
{
    bytes images = images_file(3, 2, 2), labels = labels_file(3, THREE_LABELS);
    idx_case c = write_pair(&images, &labels, gzip);
    load_pair(&c, format, 0);
    cr_assert_eq(c.status, CLPROP_SUCCESS, "%s", clprop_data_message(c.data));
    cr_expect_eq(clprop_data_samples(c.data), 3);
    cr_expect_eq(clprop_data_inputs(c.data), 4);
    cr_expect_eq(clprop_data_outputs(c.data), 3, "classes = largest label + 1");
    const float *pixels = clprop_data_input_values(c.data);
    for (size_t i = 0; i < 12; i++)
        cr_expect_eq(pixels[i], (float)images.data[16 + i] / 255.0f, "pixel %zu", i);
    const float targets[] = {0, 0, 1, 1, 0, 0, 0, 1, 0};
    cr_expect_arr_eq(clprop_data_target_values(c.data), targets, sizeof targets);
    const uint32_t want_labels[] = {2, 0, 1};
    cr_assert(clprop_data_has_labels(c.data));
    cr_expect_arr_eq(clprop_data_labels(c.data), want_labels, sizeof want_labels);
    finish(&c);
}

Test(idx, loads_plain_images_and_labels)
{
    check_small_pair(0, CLPROP_DATA_IDX);
    check_small_pair(0, CLPROP_DATA_AUTO);
}

Test(idx, loads_gzip_compressed_images_and_labels)
{
    check_small_pair(1, CLPROP_DATA_IDX);
    check_small_pair(1, CLPROP_DATA_AUTO);
}

Test(idx, takes_the_number_of_classes_from_the_option)
{
    bytes images = images_file(3, 1, 1), labels = labels_file(3, THREE_LABELS);
    idx_case c = write_pair(&images, &labels, 0);
    load_pair(&c, CLPROP_DATA_AUTO, 10);
    cr_assert_eq(c.status, CLPROP_SUCCESS, "%s", clprop_data_message(c.data));
    cr_expect_eq(clprop_data_outputs(c.data), 10);
    cr_expect_eq(clprop_data_target_values(c.data)[0 * 10 + 2], 1.0f);
    cr_expect_eq(clprop_data_target_values(c.data)[2 * 10 + 1], 1.0f);
    finish(&c);
}

/* ---- Mapped files ------------------------------------------------------------------------------ */

/* An uncompressed images file is mapped, not read; a gzip one is decompressed into memory. */
static int is_mapped(const clprop_data *data)
{
    return data->mapping != NULL &&
           clprop_data_input_bytes(data) == (const uint8_t *)data->mapping + 16;
}

Test(idx, a_plain_images_file_is_mapped_and_a_gzip_one_read_to_the_same_values)
{
    bytes images = images_file(3, 2, 2), labels = labels_file(3, THREE_LABELS);
    idx_case plain = write_pair(&images, &labels, 0), gzip = write_pair(&images, &labels, 1);
    load_pair(&plain, CLPROP_DATA_AUTO, 0);
    load_pair(&gzip, CLPROP_DATA_AUTO, 0);
    cr_assert_eq(plain.status, CLPROP_SUCCESS, "%s", clprop_data_message(plain.data));
    cr_assert_eq(gzip.status, CLPROP_SUCCESS, "%s", clprop_data_message(gzip.data));
    cr_expect(is_mapped(plain.data), "the plain file should be mapped");
    cr_expect(!is_mapped(gzip.data), "the gzip file cannot be mapped");
    cr_expect_arr_eq(clprop_data_input_bytes(plain.data), clprop_data_input_bytes(gzip.data), 12);
    cr_expect_arr_eq(clprop_data_input_values(plain.data), clprop_data_input_values(gzip.data),
                     12 * sizeof(float));
    cr_expect_arr_eq(clprop_data_target_values(plain.data), clprop_data_target_values(gzip.data),
                     9 * sizeof(float));
    finish(&plain);
    finish(&gzip);
}

/* A copy, a rename or a new file onto the name leaves the mapped file's pages as they were: the
 * loaded data set keeps its pixels. (Truncating the mapped file in place is what a mapping cannot
 * survive — SIGBUS on the next touch — as docs/RELIABILITY.md says.) */
Test(idx, a_file_replaced_after_loading_leaves_the_loaded_pixels_as_they_were)
{
    bytes images = images_file(3, 2, 2), labels = labels_file(3, THREE_LABELS);
    idx_case c = write_pair(&images, &labels, 0);
    load_pair(&c, CLPROP_DATA_IDX, 0);
    cr_assert_eq(c.status, CLPROP_SUCCESS, "%s", clprop_data_message(c.data));
    cr_assert(is_mapped(c.data));
    bytes other = images;
    for (size_t i = 16; i < other.size; i++)
        other.data[i] = (unsigned char)~other.data[i];
    char *fresh = test_write_bytes(c.dir, "fresh.idx", other.data, other.size);
    cr_assert_eq(rename(fresh, c.images), 0);
    free(fresh);
    cr_expect_arr_eq(clprop_data_input_bytes(c.data), images.data + 16, 12,
                     "the pixels changed with the file's name");
    finish(&c);
}

/* A file that shrank since the last load is refused by the next one, with the line a short file
 * gets, before a page of it is touched. */
Test(idx, a_file_shortened_since_the_last_load_is_refused_with_one_line)
{
    bytes images = images_file(3, 2, 2), labels = labels_file(3, THREE_LABELS);
    idx_case c = write_pair(&images, &labels, 0);
    load_pair(&c, CLPROP_DATA_IDX, 0);
    cr_assert_eq(c.status, CLPROP_SUCCESS, "%s", clprop_data_message(c.data));
    clprop_data *first = c.data;
    cr_assert_eq(truncate(c.images, 16 + 4), 0);
    load_pair(&c, CLPROP_DATA_IDX, 0);
    expect_failure(&c, CLPROP_ERROR_FORMAT,
                   (const char *[]){c.images, ": byte 20: file ends after 1 of 3 images", NULL});
    clprop_data_destroy(first); /* its mapping's pages past the new end were never touched */
    finish(&c);
}

/* The first image of a gzip IDX file, read here with zlib directly. */
static void read_first_image(const char *path, unsigned char pixels[784])
{
    gzFile file = gzopen(path, "rb");
    cr_assert_not_null(file, "cannot open %s", path);
    unsigned char header[16];
    cr_assert_eq(gzread(file, header, 16), 16);
    cr_assert_eq(gzread(file, pixels, 784), 784);
    gzclose(file);
}

static clprop_data *load_fashion(const char *set)
{
    char images[512], labels[512];
    snprintf(images, sizeof images, "%s/%s-images-idx3-ubyte.gz", FASHION_DIR, set);
    snprintf(labels, sizeof labels, "%s/%s-labels-idx1-ubyte.gz", FASHION_DIR, set);
    clprop_data_source source = {.path = images, .labels_path = labels};
    clprop_data *data = NULL;
    cr_assert_eq(clprop_data_load(&source, &data), CLPROP_SUCCESS, "%s",
                 clprop_data_message(data));
    return data;
}

static void expect_one_hot_rows(const clprop_data *data)
{
    const float *targets = clprop_data_target_values(data);
    const uint32_t *labels = clprop_data_labels(data);
    size_t classes = clprop_data_outputs(data);
    for (size_t s = 0; s < clprop_data_samples(data); s++) {
        cr_assert_lt(labels[s], classes, "label of sample %zu", s);
        for (size_t k = 0; k < classes; k++)
            cr_assert_eq(targets[s * classes + k], k == labels[s] ? 1.0f : 0.0f,
                         "target %zu of sample %zu", k, s);
    }
}

Test(idx, loads_the_fashion_mnist_training_set)
{
    clprop_data *data = load_fashion("train");
    cr_assert_eq(clprop_data_samples(data), 60000);
    cr_assert_eq(clprop_data_inputs(data), 784);
    cr_assert_eq(clprop_data_outputs(data), 10);
    cr_expect_eq(clprop_data_labels(data)[0], 9, "the first training image is an ankle boot");
    const float *pixels = clprop_data_input_values(data);
    float lowest = 1.0f, highest = 0.0f;
    for (size_t i = 0; i < 60000u * 784u; i++) {
        lowest = pixels[i] < lowest ? pixels[i] : lowest;
        highest = pixels[i] > highest ? pixels[i] : highest;
    }
    cr_expect_eq(lowest, 0.0f);
    cr_expect_eq(highest, 1.0f);
    unsigned char first[784];
    read_first_image(FASHION_DIR "/train-images-idx3-ubyte.gz", first);
    for (size_t i = 0; i < 784; i++)
        cr_assert_eq(pixels[i], first[i] / 255.0f, "pixel %zu of the first image", i);
    expect_one_hot_rows(data);
    clprop_data_destroy(data);
}

/* Pixels stay bytes (a quarter of floats); their floats are made once, on the first ask, from
 * however many threads ask at once, and every asker gets the same array. */
typedef struct asker {
    const clprop_data *data;
    const float *got;
} asker;

static void *ask_for_floats(void *argument)
{
    asker *a = argument;
    a->got = clprop_data_input_values(a->data);
    return NULL;
}

Test(idx, pixels_stay_bytes_and_floats_are_made_once_on_demand)
{
    clprop_data *data = load_fashion("t10k");
    const uint8_t *pixels = clprop_data_input_bytes(data);
    cr_assert_not_null(pixels);
    asker askers[4];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        askers[i] = (asker){.data = data, .got = NULL};
        cr_assert_eq(pthread_create(&threads[i], NULL, ask_for_floats, &askers[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
    cr_assert_not_null(askers[0].got);
    for (int i = 1; i < 4; i++)
        cr_expect_eq(askers[i].got, askers[0].got, "asker %d got another array", i);
    cr_expect_eq(clprop_data_input_values(data), askers[0].got, "made again");
    for (size_t i = 0; i < 10000u * 784u; i++)
        cr_assert_eq(askers[0].got[i], pixels[i] / 255.0f, "input %zu", i);
    clprop_data_destroy(data);
}

Test(idx, loads_the_fashion_mnist_test_set)
{
    clprop_data *data = load_fashion("t10k");
    cr_assert_eq(clprop_data_samples(data), 10000);
    cr_assert_eq(clprop_data_inputs(data), 784);
    cr_assert_eq(clprop_data_outputs(data), 10);
    expect_one_hot_rows(data);
    clprop_data_destroy(data);
}

/* ---- Bad files --------------------------------------------------------------------------------- */

Test(idx, fails_on_wrong_magic_numbers_naming_file_and_offset)
{
    bytes images = images_file(3, 2, 2), labels = labels_file(3, THREE_LABELS);
    idx_case c = write_pair(&labels, &labels, 0); /* labels where the images belong */
    load_pair(&c, CLPROP_DATA_IDX, 0);
    expect_failure(&c, CLPROP_ERROR_FORMAT,
                   (const char *[]){c.images, ": byte 0: wrong magic number 0x00000801, expected "
                                    "0x00000803 (IDX images)", NULL});
    finish(&c);

    c = write_pair(&images, &images, 0); /* and images where the labels belong */
    load_pair(&c, CLPROP_DATA_IDX, 0);
    expect_failure(&c, CLPROP_ERROR_FORMAT,
                   (const char *[]){c.labels, ": byte 0: wrong magic number 0x00000803, expected "
                                    "0x00000801 (IDX labels)", NULL});
    finish(&c);
}

Test(idx, fails_when_image_and_label_counts_differ)
{
    bytes images = images_file(3, 2, 2), labels = labels_file(2, THREE_LABELS);
    idx_case c = write_pair(&images, &labels, 0);
    load_pair(&c, CLPROP_DATA_AUTO, 0);
    char want[8400];
    snprintf(want, sizeof want, "%s: 2 labels but %s has 3 images", c.labels, c.images);
    expect_failure(&c, CLPROP_ERROR_MISMATCH, (const char *[]){want, NULL});
    finish(&c);
}

Test(idx, fails_when_the_images_end_in_the_middle_of_an_image)
{
    bytes images = images_file(3, 2, 2), labels = labels_file(3, THREE_LABELS);
    images.size -= 6; /* 16 header bytes + 12 pixels, cut to 16 + 6: two pixels into image 2 */
    idx_case c = write_pair(&images, &labels, 0);
    load_pair(&c, CLPROP_DATA_IDX, 0);
    expect_failure(&c, CLPROP_ERROR_FORMAT,
                   (const char *[]){c.images, ": byte 22: file ends in image 2 of 3", NULL});
    finish(&c);
}

Test(idx, fails_when_a_gzip_file_is_cut_short)
{
    /* Enough incompressible pixels that cutting the compressed file leaves part of the data. */
    bytes images = {.size = 0};
    put_u32(&images, 0x00000803);
    put_u32(&images, 4);
    put_u32(&images, 25);
    put_u32(&images, 25);
    test_rng rng = test_rng_seeded(7);
    for (size_t i = 0; i < 4 * 625; i++)
        images.data[images.size++] = (unsigned char)test_rng_uniform(&rng, 0, 256);
    unsigned char four[] = {1, 2, 3, 4};
    bytes labels = labels_file(4, four);
    idx_case c = write_pair(&images, &labels, 1);

    FILE *file = fopen(c.images, "rb");
    unsigned char compressed[8192];
    size_t size = fread(compressed, 1, sizeof compressed, file);
    fclose(file);
    free(test_write_bytes(c.dir, "images.idx.gz", compressed, size / 2));

    load_pair(&c, CLPROP_DATA_AUTO, 0);
    expect_failure(&c, CLPROP_ERROR_FORMAT,
                   (const char *[]){c.images, ": byte ",
                                    ": the gzip data ends early (the file is truncated)", NULL});
    finish(&c);
}

Test(idx, fails_when_the_labels_end_early)
{
    bytes images = images_file(3, 2, 2), labels = labels_file(3, THREE_LABELS);
    labels.size -= 1;
    idx_case c = write_pair(&images, &labels, 0);
    load_pair(&c, CLPROP_DATA_IDX, 0);
    expect_failure(&c, CLPROP_ERROR_FORMAT,
                   (const char *[]){c.labels, ": byte 10: file ends after 2 of 3 labels", NULL});
    finish(&c);
}

/* A file that ends right after its header: cut short, like any other (the first read gets no
 * bytes, which once asked for room for none: "out of host memory", and memcpy from NULL). */
Test(idx, files_that_end_right_after_their_header_are_cut_short)
{
    for (int gzip = 0; gzip <= 1; gzip++) {
        bytes images = images_file(3, 2, 2), labels = labels_file(3, THREE_LABELS);
        labels.size = 8;
        idx_case c = write_pair(&images, &labels, gzip);
        load_pair(&c, CLPROP_DATA_IDX, 0);
        expect_failure(&c, CLPROP_ERROR_FORMAT,
                       (const char *[]){c.labels, ": byte 8: file ends after 0 of 3 labels", NULL});
        finish(&c);
    }
    /* a plain images file is mapped and its size checked first; a gzip one is read */
    bytes images = images_file(3, 2, 2), labels = labels_file(3, THREE_LABELS);
    images.size = 16;
    idx_case c = write_pair(&images, &labels, 1);
    load_pair(&c, CLPROP_DATA_IDX, 0);
    expect_failure(&c, CLPROP_ERROR_FORMAT,
                   (const char *[]){c.images, ": byte 16: file ends after 0 of 3 images", NULL});
    finish(&c);
}

Test(idx, fails_when_the_header_is_cut_short)
{
    bytes images = images_file(3, 2, 2), labels = labels_file(3, THREE_LABELS);
    images.size = 10;
    idx_case c = write_pair(&images, &labels, 0);
    load_pair(&c, CLPROP_DATA_IDX, 0);
    expect_failure(&c, CLPROP_ERROR_FORMAT,
                   (const char *[]){c.images, ": byte 10: file ends in the IDX images header",
                                    NULL});
    finish(&c);
}

Test(idx, fails_on_data_after_the_last_image)
{
    bytes images = images_file(3, 2, 2), labels = labels_file(3, THREE_LABELS);
    images.data[images.size++] = 0;
    idx_case c = write_pair(&images, &labels, 0);
    load_pair(&c, CLPROP_DATA_IDX, 0);
    expect_failure(&c, CLPROP_ERROR_FORMAT,
                   (const char *[]){c.images, ": byte 28: more data after the last", NULL});
    finish(&c);
}

Test(idx, fails_on_a_zero_dimension)
{
    bytes images = images_file(3, 2, 2), labels = labels_file(3, THREE_LABELS);
    images.data[11] = 0; /* rows = 0 */
    idx_case c = write_pair(&images, &labels, 0);
    load_pair(&c, CLPROP_DATA_IDX, 0);
    expect_failure(&c, CLPROP_ERROR_FORMAT, (const char *[]){c.images, ": byte 8:", NULL});
    finish(&c);
}

Test(idx, fails_on_a_label_outside_the_class_range)
{
    bytes images = images_file(3, 2, 2), labels = labels_file(3, THREE_LABELS);
    idx_case c = write_pair(&images, &labels, 0);
    load_pair(&c, CLPROP_DATA_IDX, 2);
    expect_failure(&c, CLPROP_ERROR_FORMAT,
                   (const char *[]){c.labels, ": byte 8: label 2 outside the class range 0..1",
                                    NULL});
    finish(&c);
}

Test(idx, fails_on_a_missing_labels_file)
{
    bytes images = images_file(3, 2, 2), labels = labels_file(3, THREE_LABELS);
    idx_case c = write_pair(&images, &labels, 0);
    remove(c.labels);
    load_pair(&c, CLPROP_DATA_AUTO, 0);
    char want[4200];
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", c.labels);
    expect_failure(&c, CLPROP_ERROR_IO, (const char *[]){want, NULL});
    finish(&c);
}

Test(idx, fails_without_a_labels_path)
{
    bytes images = images_file(3, 2, 2), labels = labels_file(3, THREE_LABELS);
    idx_case c = write_pair(&images, &labels, 0);
    clprop_data_source source = {.path = c.images};
    cr_expect_eq(clprop_data_load(&source, &c.data), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_not_null(strstr(clprop_data_message(c.data), "labels_path"), "%s",
                       clprop_data_message(c.data));
    finish(&c);
}

Test(idx, fails_quickly_on_a_header_claiming_four_billion_images, .timeout = 10)
{
    bytes images = images_file(1, 28, 28), labels = labels_file(1, THREE_LABELS);
    images.data[4] = labels.data[4] = 0xEE; /* count = 0xEE6B2801 (about 4e9), both files */
    images.data[5] = labels.data[5] = 0x6B;
    images.data[6] = labels.data[6] = 0x28;
    images.data[7] = labels.data[7] = 0x01;
    idx_case c = write_pair(&images, &labels, 0);
#if !defined(__SANITIZE_ADDRESS__)
    /* Far below the 12 TB the header claims: allocating from it would fail out of memory. */
    struct rlimit limit = {512ul << 20, 512ul << 20};
    cr_assert_eq(setrlimit(RLIMIT_AS, &limit), 0);
#endif
    load_pair(&c, CLPROP_DATA_IDX, 0);
    expect_failure(&c, CLPROP_ERROR_FORMAT,
                   (const char *[]){c.images, ": byte 800: file ends after 1 of 4000000001 images",
                                    NULL});
    finish(&c);
}
