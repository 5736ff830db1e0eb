/* Device data: where a data set's samples live once a network trains on them. On a device whose
 * memory is the host's (PoCL's CPU device), the resident buffers are the data set's own arrays —
 * an IDX file's mapped pages included — so no second copy exists; the device data then hold the
 * data set, which the caller may destroy at once. Mapped files, read (gzip) files, resident and
 * streamed data must all train to the same bits. (The file checks of a mapped IDX file — too short,
 * too long, replaced or shortened after a load — are in test_data_idx.c.) */
#include <CL/cl.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "clprop.h"
#include "data_internal.h"
#include "device_data.h"
#include "support.h"

#define SIDE 6
#define CLASSES 4

/* ---- IDX files -------------------------------------------------------------------------------- */

static void put_u32(unsigned char *at, uint32_t value)
{
    for (int b = 0; b < 4; b++)
        at[b] = (unsigned char)(value >> (24 - 8 * b));
}

/* `count` random images of side × side and labels i % classes, as images.idx and labels.idx in
 * dir, plain or gzip-compressed; the paths are written into images and labels (malloc'd). */
static void write_idx(const char *dir, size_t count, size_t side, int gzip, char **images,
                      char **labels)
{
    size_t pixels = side * side, image_bytes = 16 + count * pixels, label_bytes = 8 + count;
    unsigned char *image_file = malloc(image_bytes), *label_file = malloc(label_bytes);
    cr_assert(image_file != NULL && label_file != NULL);
    put_u32(image_file, 0x803);
    put_u32(image_file + 4, (uint32_t)count);
    put_u32(image_file + 8, (uint32_t)side);
    put_u32(image_file + 12, (uint32_t)side);
    put_u32(label_file, 0x801);
    put_u32(label_file + 4, (uint32_t)count);
    test_rng rng = test_rng_seeded(11);
    for (size_t i = 0; i < count * pixels; i++)
        image_file[16 + i] = (unsigned char)test_rng_uniform(&rng, 0, 256);
    for (size_t i = 0; i < count; i++)
        label_file[8 + i] = (unsigned char)(i % CLASSES);
    const void *contents[2] = {image_file, label_file};
    size_t sizes[2] = {image_bytes, label_bytes};
    char **paths[2] = {images, labels};
    const char *names[2][2] = {{"images.idx", "labels.idx"}, {"images.idx.gz", "labels.idx.gz"}};
    for (int f = 0; f < 2; f++) {
        if (!gzip) {
            *paths[f] = test_write_bytes(dir, names[0][f], contents[f], sizes[f]);
            continue;
        }
        size_t length = strlen(dir) + 32;
        *paths[f] = malloc(length);
        snprintf(*paths[f], length, "%s/%s", dir, names[1][f]);
        gzFile file = gzopen(*paths[f], "wb");
        cr_assert_not_null(file);
        cr_assert_eq(gzwrite(file, contents[f], (unsigned)sizes[f]), (int)sizes[f]);
        cr_assert_eq(gzclose(file), Z_OK);
    }
    free(image_file);
    free(label_file);
}

static clprop_data *load_idx(const char *images, const char *labels)
{
    clprop_data_source source = {.path = images, .labels_path = labels,
                                 .format = CLPROP_DATA_IDX, .classes = CLASSES};
    clprop_data *data = NULL;
    cr_assert_eq(clprop_data_load(&source, &data), CLPROP_SUCCESS, "%s",
                 clprop_data_message(data));
    return data;
}

/* ---- Training --------------------------------------------------------------------------------- */

static clprop_net *classifier(clprop_context *context, size_t inputs)
{
    const size_t sizes[] = {inputs, 8, CLASSES};
    const clprop_activation activations[] = {CLPROP_ACTIVATION_SIGMOID,
                                             CLPROP_ACTIVATION_SOFTMAX};
    clprop_net_desc desc = {.layer_count = 2, .sizes = sizes, .activations = activations,
                            .loss = CLPROP_LOSS_CROSS_ENTROPY, .seed = 5};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    return net;
}

/* What two epochs leave: each epoch's loss and hits, and the first layer's weights. */
typedef struct outcome {
    double loss[2];
    size_t correct[2];
    float weights[SIDE * SIDE * 8];
} outcome;

/* Two epochs on `data` in a context made from `where`; with destroy_first, the data set is
 * destroyed right after the device data are made from it (*data is then NULL). */
static outcome two_epochs(clprop_context_desc where, clprop_data **data, int destroy_first)
{
    clprop_context *context = test_context_with(where);
    clprop_net *net = classifier(context, clprop_data_inputs(*data));
    clprop_device_data *on_device = NULL;
    cr_assert_eq(clprop_device_data_create(context, *data, &on_device), CLPROP_SUCCESS, "%s",
                 clprop_device_data_message(on_device));
    cr_assert_eq(clprop_device_data_resident(on_device), !where.keep_data_on_host);
    if (destroy_first) {
        clprop_data_destroy(*data);
        *data = NULL;
    }
    outcome got;
    for (int e = 0; e < 2; e++) {
        clprop_epoch_desc epoch = {.batch = 16, .learning_rate = 0.5f, .shuffle_seed = 3 + e};
        clprop_pass_result result;
        cr_assert_eq(clprop_net_train_epoch(net, on_device, &epoch, &result), CLPROP_SUCCESS,
                     "%s", clprop_net_message(net));
        got.loss[e] = result.loss;
        got.correct[e] = result.correct;
    }
    cr_assert_eq(clprop_net_get_weights(net, 1, got.weights, NULL), CLPROP_SUCCESS);
    clprop_device_data_destroy(on_device);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
    return got;
}

static void expect_same(const outcome *a, const outcome *b, const char *what)
{
    for (int e = 0; e < 2; e++) {
        cr_expect_eq(a->loss[e], b->loss[e], "%s: epoch %d loss %.17g against %.17g", what, e + 1,
                     a->loss[e], b->loss[e]);
        cr_expect_eq(a->correct[e], b->correct[e], "%s: epoch %d hits", what, e + 1);
    }
    cr_expect_arr_eq(a->weights, b->weights, sizeof a->weights, "%s: weights differ", what);
}

/* A pair of files in a fresh folder, loaded. */
typedef struct files {
    char *dir, *images, *labels;
} files;

static files write_files(size_t count, size_t side, int gzip)
{
    files f = {.dir = test_make_temp_dir()};
    write_idx(f.dir, count, side, gzip, &f.images, &f.labels);
    return f;
}

static void remove_files(files *f)
{
    test_remove_tree(f->dir);
    free(f->dir), free(f->images), free(f->labels);
}

/* ---- Tests ------------------------------------------------------------------------------------ */

static long resident_kilobytes(void)
{
    FILE *status = fopen("/proc/self/status", "r");
    cr_assert_not_null(status);
    char line[256];
    long kilobytes = -1;
    while (fgets(line, sizeof line, status) != NULL)
        if (strncmp(line, "VmRSS:", 6) == 0)
            kilobytes = strtol(line + 6, NULL, 10);
    fclose(status);
    return kilobytes;
}

Test(device_data, a_resident_data_set_on_a_device_sharing_host_memory_is_not_copied)
{
    /* 20,000 images of 28×28: 15.7 MB, mapped from the file and never read by the host */
    files f = write_files(20000, 28, 0);
    clprop_data *data = load_idx(f.images, f.labels);
    clprop_context *context = test_context();
    long before = resident_kilobytes();
    clprop_device_data *on_device = NULL;
    cr_assert_eq(clprop_device_data_create(context, data, &on_device), CLPROP_SUCCESS, "%s",
                 clprop_device_data_message(on_device));
    long grown = resident_kilobytes() - before;
    if (!context->shares_host_memory) {
        cr_expect(!on_device->in_place, "a device with memory of its own gets a copy");
    } else {
        cr_expect(on_device->in_place, "the buffers should be the host's arrays");
        void *host_pointer = NULL;
        cl_mem_flags flags = 0;
        clGetMemObjectInfo(on_device->input_values, CL_MEM_HOST_PTR, sizeof host_pointer,
                           &host_pointer, NULL);
        clGetMemObjectInfo(on_device->input_values, CL_MEM_FLAGS, sizeof flags, &flags, NULL);
        cr_expect_eq(host_pointer, (const void *)clprop_data_input_bytes(data),
                     "the inputs' buffer should be the data set's bytes");
        cr_expect(flags & CL_MEM_USE_HOST_PTR);
        cr_expect(flags & CL_MEM_READ_ONLY, "a mapped file is read-only");
        /* a copy would take the 15.7 MB twice (the file's pages read, the copy written) */
        cr_expect_lt(grown, 4000, "resident memory grew by %ld kB making the device data", grown);
    }
    /* held: destroying the data set here must leave the mapping to the device data */
    clprop_data_destroy(data);
    clprop_device_data_destroy(on_device);
    clprop_context_destroy(context);
    remove_files(&f);
}

Test(device_data, a_mapped_file_and_a_read_file_train_to_the_same_bits)
{
    files plain = write_files(300, SIDE, 0), gzip = write_files(300, SIDE, 1);
    clprop_data *mapped = load_idx(plain.images, plain.labels);
    clprop_data *read = load_idx(gzip.images, gzip.labels);
    cr_assert_arr_eq(clprop_data_input_bytes(mapped), clprop_data_input_bytes(read),
                     300 * SIDE * SIDE, "the pixels differ");
    outcome from_map = two_epochs((clprop_context_desc){0}, &mapped, 0);
    outcome from_read = two_epochs((clprop_context_desc){0}, &read, 0);
    expect_same(&from_map, &from_read, "mapped against read");
    clprop_data_destroy(mapped);
    clprop_data_destroy(read);
    remove_files(&plain);
    remove_files(&gzip);
}

/* The rule of the lifetimes: a data set may be destroyed as soon as device data are made from it.
 * Resident in place, the device data read the data set's own arrays — here a mapped file — so
 * they must hold it; a read of unmapped memory would crash this test. */
Test(device_data, a_mapped_data_set_destroyed_right_after_creation_still_trains_the_same)
{
    files f = write_files(300, SIDE, 0);
    clprop_context_desc where[2] = {{0}, {.keep_data_on_host = 1, .stream_chunk = 48}};
    for (int w = 0; w < 2; w++) {
        clprop_data *kept = load_idx(f.images, f.labels), *dropped = load_idx(f.images, f.labels);
        outcome alive = two_epochs(where[w], &kept, 0);
        outcome gone = two_epochs(where[w], &dropped, 1);
        cr_expect_null(dropped);
        expect_same(&gone, &alive, w == 0 ? "resident" : "streamed");
        clprop_data_destroy(kept);
    }
    remove_files(&f);
}

/* Streamed byte data are converted chunk by chunk, byte / 255 as the device's gather does. */
Test(device_data, streamed_byte_data_train_exactly_like_resident_ones)
{
    files f = write_files(300, SIDE, 0);
    clprop_data *data = load_idx(f.images, f.labels);
    outcome resident = two_epochs((clprop_context_desc){0}, &data, 0);
    size_t chunks[] = {16, 48, 1000};
    for (size_t c = 0; c < 3; c++) {
        outcome streamed = two_epochs(
            (clprop_context_desc){.keep_data_on_host = 1, .stream_chunk = chunks[c]}, &data, 0);
        expect_same(&streamed, &resident, "streamed against resident");
    }
    /* and without the data set's float copy, four times the pixels */
    cr_expect_null(atomic_load(&data->input_values), "streaming made the float copy");
    clprop_data_destroy(data);
    remove_files(&f);
}
