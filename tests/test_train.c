/* Whole-data-set passes: epochs over every FANN benchmark file, partial last batches, evaluation
 * against the reference, shuffling from the seed, and divergence stopping cleanly. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reference.h"
#include "support.h"

static clprop_data *load(const char *path)
{
    clprop_data_source source = {.path = path,
                                 .labels_path = NULL,
                                 .format = CLPROP_DATA_AUTO,
                                 .csv_targets = 0,
                                 .csv_label_column = 0,
                                 .classes = 0};
    clprop_data *data = NULL;
    cr_assert_eq(clprop_data_load(&source, &data), CLPROP_SUCCESS, "%s",
                 clprop_data_message(data));
    return data;
}

static clprop_net *net_for(clprop_context *context, const clprop_data *data, size_t hidden,
                           uint64_t seed)
{
    size_t sizes[] = {clprop_data_inputs(data), hidden, clprop_data_outputs(data)};
    const clprop_activation activations[] = {CLPROP_ACTIVATION_SIGMOID, CLPROP_ACTIVATION_LINEAR};
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = activations,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = seed};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    return net;
}

Test(train, every_fann_benchmark_file_trains_and_its_loss_falls, .timeout = 240)
{
    DIR *dir = opendir(CLPROP_FANN_DIR);
    cr_assert_not_null(dir, "cannot open %s", CLPROP_FANN_DIR);
    clprop_context *context = test_context();
    struct dirent *entry;
    int files = 0;
    while ((entry = readdir(dir)) != NULL) {
        const char *dot = strrchr(entry->d_name, '.');
        if (dot == NULL || (strcmp(dot, ".train") && strcmp(dot, ".data")))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", CLPROP_FANN_DIR, entry->d_name);
        clprop_data *data = load(path);
        clprop_device_data *on_device = NULL;
        cr_assert_eq(clprop_device_data_create(context, data, &on_device), CLPROP_SUCCESS);
        clprop_net *net = net_for(context, data, 8, 1);
        clprop_pass_result before, after;
        cr_assert_eq(clprop_net_evaluate(net, on_device, 64, &before), CLPROP_SUCCESS);
        clprop_epoch_desc options = {.batch = 16,
                                        .learning_rate = 0.05f,
                                        .shuffle_seed = 1,
                                        .progress = NULL,
                                        .progress_user = NULL};
        for (int epoch = 0; epoch < 3; epoch++)
            cr_assert_eq(clprop_net_train_epoch(net, on_device, &options, &after), CLPROP_SUCCESS,
                         "%s: %s", entry->d_name, clprop_net_message(net));
        cr_assert_eq(clprop_net_evaluate(net, on_device, 64, &after), CLPROP_SUCCESS);
        cr_expect_eq(after.samples, clprop_data_samples(data));
        cr_expect_lt(after.loss, before.loss, "%s: loss %g → %g", entry->d_name, before.loss,
                     after.loss);
        clprop_net_destroy(net);
        clprop_device_data_destroy(on_device);
        clprop_data_destroy(data);
        files++;
    }
    closedir(dir);
    cr_expect_eq(files, 18, "16 .train files and 2 .data files, found %d", files);
    clprop_context_destroy(context);
}

/* Evaluation in batches of 7 over 50 samples (a partial last batch) equals the reference's loss
 * over the whole set at once. */
Test(train, evaluation_with_a_partial_last_batch_matches_the_reference)
{
    test_rng rng = test_rng_seeded(77);
    float inputs[50 * 3], targets[50 * 2];
    test_fill_uniform(&rng, inputs, 150, -1, 1);
    test_fill_uniform(&rng, targets, 100, 0, 1);
    clprop_data *data = NULL;
    cr_assert_eq(clprop_data_create(50, 3, 2, inputs, targets, &data), CLPROP_SUCCESS);
    clprop_context *context = test_context();
    clprop_device_data *on_device = NULL;
    cr_assert_eq(clprop_device_data_create(context, data, &on_device), CLPROP_SUCCESS);
    clprop_net *net = net_for(context, data, 5, 3);
    clprop_pass_result result;
    cr_assert_eq(clprop_net_evaluate(net, on_device, 7, &result), CLPROP_SUCCESS);

    float w1[15], b1[5], w2[10], b2[2];
    clprop_net_get_weights(net, 1, w1, b1);
    clprop_net_get_weights(net, 2, w2, b2);
    double *weights[] = {clprop_ref_widen(w1, 15), clprop_ref_widen(w2, 10)};
    double *biases[] = {clprop_ref_widen(b1, 5), clprop_ref_widen(b2, 2)};
    size_t sizes[] = {3, 5, 2};
    const clprop_activation activations[] = {CLPROP_ACTIVATION_SIGMOID, CLPROP_ACTIVATION_LINEAR};
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = activations,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 0};
    clprop_ref_net *ref = clprop_ref_net_create(&desc, (const double *const *)weights,
                                                (const double *const *)biases);
    double *wide_in = clprop_ref_widen(inputs, 150), *wide_t = clprop_ref_widen(targets, 100);
    double want = clprop_ref_loss(ref, wide_in, wide_t, 50);
    cr_expect_eq(result.samples, 50);
    cr_expect(fabs(result.loss - want) <= 1e-5 * want, "loss %.9g, reference %.9g", result.loss,
              want);
    cr_expect(fabs(result.mse - 2 * want / 2) <= 1e-5 * want, "mse %.9g = 2·loss/outputs",
              result.mse);
    clprop_ref_net_destroy(ref);
    for (int i = 0; i < 2; i++)
        free(weights[i]), free(biases[i]);
    free(wide_in), free(wide_t);
    clprop_net_destroy(net);
    clprop_device_data_destroy(on_device);
    clprop_context_destroy(context);
    clprop_data_destroy(data);
}

/* A full-batch epoch is one gradient step on the whole set, whatever order the shuffle picks:
 * it must equal the reference's step. */
Test(train, a_full_batch_epoch_is_one_reference_step)
{
    test_rng rng = test_rng_seeded(78);
    float inputs[20 * 4], targets[20 * 1];
    test_fill_uniform(&rng, inputs, 80, -1, 1);
    test_fill_uniform(&rng, targets, 20, 0, 1);
    clprop_data *data = NULL;
    cr_assert_eq(clprop_data_create(20, 4, 1, inputs, targets, &data), CLPROP_SUCCESS);
    clprop_context *context = test_context();
    clprop_device_data *on_device = NULL;
    cr_assert_eq(clprop_device_data_create(context, data, &on_device), CLPROP_SUCCESS);
    clprop_net *net = net_for(context, data, 3, 4);
    float w1[12], b1[3], w2[3], b2[1];
    clprop_net_get_weights(net, 1, w1, b1);
    clprop_net_get_weights(net, 2, w2, b2);
    double *weights[] = {clprop_ref_widen(w1, 12), clprop_ref_widen(w2, 3)};
    double *biases[] = {clprop_ref_widen(b1, 3), clprop_ref_widen(b2, 1)};
    size_t sizes[] = {4, 3, 1};
    const clprop_activation activations[] = {CLPROP_ACTIVATION_SIGMOID, CLPROP_ACTIVATION_LINEAR};
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = activations,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 0};
    clprop_ref_net *ref = clprop_ref_net_create(&desc, (const double *const *)weights,
                                                (const double *const *)biases);
    double *wide_in = clprop_ref_widen(inputs, 80), *wide_t = clprop_ref_widen(targets, 20);
    double want_loss = clprop_ref_train_batch(ref, wide_in, wide_t, 20, 0.3);

    clprop_epoch_desc options = {.batch = 20,
                                    .learning_rate = 0.3f,
                                    .shuffle_seed = 99,
                                    .progress = NULL,
                                    .progress_user = NULL};
    clprop_pass_result result;
    cr_assert_eq(clprop_net_train_epoch(net, on_device, &options, &result), CLPROP_SUCCESS);
    cr_expect(fabs(result.loss - want_loss) <= 1e-5 * want_loss);
    clprop_net_get_weights(net, 1, w1, b1);
    test_assert_close("hidden weights after the epoch", w1, ref->layers[0].weights, 12, 1e-5);
    test_assert_close("hidden biases after the epoch", b1, ref->layers[0].biases, 3, 1e-5);
    clprop_ref_net_destroy(ref);
    for (int i = 0; i < 2; i++)
        free(weights[i]), free(biases[i]);
    free(wide_in), free(wide_t);
    clprop_net_destroy(net);
    clprop_device_data_destroy(on_device);
    clprop_context_destroy(context);
    clprop_data_destroy(data);
}

/* What an epoch's progress callback saw (host/pass_progress.h). */
typedef struct {
    size_t calls, last_done, total;
    int out_of_order;
} progress_seen;

static void record_progress(void *user, size_t done, size_t total)
{
    progress_seen *seen = user;
    if (done <= seen->last_done || done > total || (seen->calls > 0 && total != seen->total))
        seen->out_of_order = 1;
    seen->calls++;
    seen->last_done = done;
    seen->total = total;
}

/* Two epochs of diabetes in batches of `batch`, the shuffles drawn from shuffle_seed and the next;
 * with `seen`, each epoch's progress recorded in seen[epoch]. */
static void train_two_epochs(size_t batch, uint64_t shuffle_seed, progress_seen *seen,
                             float *weights)
{
    clprop_data *data = load(CLPROP_FANN_DIR "/diabetes.train");
    clprop_context *context = test_context();
    clprop_device_data *on_device = NULL;
    cr_assert_eq(clprop_device_data_create(context, data, &on_device), CLPROP_SUCCESS);
    clprop_net *net = net_for(context, data, 4, 5);
    clprop_pass_result result;
    for (uint64_t epoch = 0; epoch < 2; epoch++) {
        if (seen != NULL)
            seen[epoch] = (progress_seen){0};
        clprop_epoch_desc options = {.batch = batch,
                                     .learning_rate = 0.1f,
                                     .shuffle_seed = shuffle_seed + epoch,
                                     .progress = seen != NULL ? record_progress : NULL,
                                     .progress_user = seen != NULL ? &seen[epoch] : NULL};
        cr_assert_eq(clprop_net_train_epoch(net, on_device, &options, &result), CLPROP_SUCCESS,
                     "%s", clprop_net_message(net));
    }
    cr_assert_eq(clprop_net_get_weights(net, 1, weights, NULL), CLPROP_SUCCESS);
    clprop_net_destroy(net);
    clprop_device_data_destroy(on_device);
    clprop_context_destroy(context);
    clprop_data_destroy(data);
}

Test(train, the_same_shuffle_seed_gives_identical_weights_and_another_seed_others)
{
    float a[32], b[32], c[32];
    train_two_epochs(10, 11, NULL, a);
    train_two_epochs(10, 11, NULL, b);
    train_two_epochs(10, 12, NULL, c);
    cr_expect_arr_eq(a, b, sizeof a, "same seed, bit-identical weights");
    cr_expect(memcmp(a, c, sizeof a) != 0, "another shuffle, other weights");
}

Test(train, a_diverging_run_stops_with_a_not_finite_loss)
{
    clprop_data *data = load(CLPROP_FANN_DIR "/building.train");
    clprop_context *context = test_context();
    clprop_device_data *on_device = NULL;
    cr_assert_eq(clprop_device_data_create(context, data, &on_device), CLPROP_SUCCESS);
    clprop_net *net = net_for(context, data, 8, 6);
    clprop_epoch_desc options = {.batch = 8,
                                    .learning_rate = 1e30f,
                                    .shuffle_seed = 1,
                                    .progress = NULL,
                                    .progress_user = NULL};
    clprop_pass_result result;
    clprop_status status = CLPROP_SUCCESS;
    for (int epoch = 0; epoch < 5 && status == CLPROP_SUCCESS; epoch++)
        status = clprop_net_train_epoch(net, on_device, &options, &result);
    cr_expect_eq(status, CLPROP_ERROR_NOT_FINITE, "status %s", clprop_status_name(status));
    cr_expect(strstr(clprop_net_message(net), "diverged") != NULL, "%s",
              clprop_net_message(net));
    clprop_net_destroy(net);
    clprop_device_data_destroy(on_device);
    clprop_context_destroy(context);
    clprop_data_destroy(data);
}

Test(train, data_whose_widths_differ_from_the_network_are_refused)
{
    clprop_data *data = load(CLPROP_FANN_DIR "/xor.data");
    clprop_context *context = test_context();
    clprop_device_data *on_device = NULL;
    cr_assert_eq(clprop_device_data_create(context, data, &on_device), CLPROP_SUCCESS);
    const size_t sizes[] = {3, 2, 1};
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = NULL,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 0};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS);
    clprop_pass_result result;
    cr_expect_eq(clprop_net_evaluate(net, on_device, 4, &result), CLPROP_ERROR_MISMATCH);
    cr_expect(strstr(clprop_net_message(net), "2 inputs") != NULL &&
              strstr(clprop_net_message(net), "has 3") != NULL,
              "%s", clprop_net_message(net));
    clprop_net_destroy(net);
    clprop_device_data_destroy(on_device);
    clprop_context_destroy(context);
    clprop_data_destroy(data);
}

/* IDX pixels live on the device as bytes and become floats in the gather: training from them must
 * give bit-identical weights to training from the same values as floats. */
static void write_idx(const char *dir, size_t count, size_t side, test_rng *rng)
{
    size_t pixels = side * side;
    unsigned char *images = malloc(16 + count * pixels), *labels = malloc(8 + count);
    const unsigned char image_head[] = {0, 0, 8, 3, 0, 0, 0, (unsigned char)count,
                                        0, 0, 0, (unsigned char)side, 0, 0, 0, (unsigned char)side};
    const unsigned char label_head[] = {0, 0, 8, 1, 0, 0, 0, (unsigned char)count};
    memcpy(images, image_head, 16);
    memcpy(labels, label_head, 8);
    for (size_t i = 0; i < count * pixels; i++)
        images[16 + i] = (unsigned char)test_rng_uniform(rng, 0, 256);
    for (size_t i = 0; i < count; i++)
        labels[8 + i] = (unsigned char)(i % 3);
    free(test_write_bytes(dir, "images", images, 16 + count * pixels));
    free(test_write_bytes(dir, "labels", labels, 8 + count));
    free(images), free(labels);
}

static void train_one_epoch(clprop_context *context, const clprop_data *data, float *weights)
{
    clprop_device_data *on_device = NULL;
    cr_assert_eq(clprop_device_data_create(context, data, &on_device), CLPROP_SUCCESS);
    clprop_net *net = net_for(context, data, 5, 8);
    clprop_epoch_desc options = {.batch = 7,
                                    .learning_rate = 0.2f,
                                    .shuffle_seed = 21,
                                    .progress = NULL,
                                    .progress_user = NULL};
    clprop_pass_result result;
    cr_assert_eq(clprop_net_train_epoch(net, on_device, &options, &result), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_get_weights(net, 1, weights, NULL), CLPROP_SUCCESS);
    clprop_net_destroy(net);
    clprop_device_data_destroy(on_device);
}

Test(train, idx_bytes_on_the_device_train_exactly_like_floats)
{
    char *dir = test_make_temp_dir();
    test_rng rng = test_rng_seeded(90);
    write_idx(dir, 40, 5, &rng);
    char images[4200], labels[4200];
    snprintf(images, sizeof images, "%s/images", dir);
    snprintf(labels, sizeof labels, "%s/labels", dir);
    clprop_data_source source = {.path = images,
                                 .labels_path = labels,
                                 .format = CLPROP_DATA_IDX,
                                 .csv_targets = 0,
                                 .csv_label_column = 0,
                                 .classes = 3};
    clprop_data *idx = NULL, *floats = NULL;
    cr_assert_eq(clprop_data_load(&source, &idx), CLPROP_SUCCESS, "%s", clprop_data_message(idx));
    cr_assert_not_null(clprop_data_input_bytes(idx), "IDX data keep their bytes");
    cr_assert_eq(clprop_data_create(40, 25, 3, clprop_data_input_values(idx),
                                    clprop_data_target_values(idx), &floats),
                 CLPROP_SUCCESS);
    cr_assert_null(clprop_data_input_bytes(floats));
    clprop_context *context = test_context();
    float from_bytes[125], from_floats[125];
    train_one_epoch(context, idx, from_bytes);
    train_one_epoch(context, floats, from_floats);
    cr_expect_arr_eq(from_bytes, from_floats, sizeof from_bytes);
    clprop_context_destroy(context);
    clprop_data_destroy(idx);
    clprop_data_destroy(floats);
    test_remove_tree(dir);
    free(dir);
}

static void train_diabetes(clprop_context_desc desc, float *weights, clprop_pass_result *result,
                           int *resident)
{
    clprop_data *data = load(CLPROP_FANN_DIR "/diabetes.train");
    clprop_context *context = test_context_with(desc);
    clprop_device_data *on_device = NULL;
    cr_assert_eq(clprop_device_data_create(context, data, &on_device), CLPROP_SUCCESS);
    *resident = clprop_device_data_resident(on_device);
    clprop_net *net = net_for(context, data, 4, 5);
    for (uint64_t epoch = 0; epoch < 2; epoch++) {
        clprop_epoch_desc options = {.batch = 13,
                                        .learning_rate = 0.1f,
                                        .shuffle_seed = 40 + epoch,
                                        .progress = NULL,
                                        .progress_user = NULL};
        cr_assert_eq(clprop_net_train_epoch(net, on_device, &options, result), CLPROP_SUCCESS);
    }
    /* an evaluation pass streams too, and leaves the next epoch's streaming intact */
    clprop_pass_result evaluation;
    cr_assert_eq(clprop_net_evaluate(net, on_device, 7, &evaluation), CLPROP_SUCCESS);
    clprop_epoch_desc last = {.batch = 13,
                                 .learning_rate = 0.1f,
                                 .shuffle_seed = 42,
                                 .progress = NULL,
                                 .progress_user = NULL};
    cr_assert_eq(clprop_net_train_epoch(net, on_device, &last, result), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_get_weights(net, 1, weights, NULL), CLPROP_SUCCESS);
    clprop_net_destroy(net);
    clprop_device_data_destroy(on_device);
    clprop_context_destroy(context);
    clprop_data_destroy(data);
}

/* Data too big for the device stream through it in double-buffered chunks; forcing tiny chunks
 * (the context's stream_chunk, rounded down to whole batches of 13: 39, and 13, and one chunk
 * holding everything) must train bit-identically to the data held on the device. */
Test(train, streamed_data_train_exactly_like_data_on_the_device)
{
    float on_device[32], streamed[32];
    clprop_pass_result device_result, streamed_result;
    int resident;
    train_diabetes((clprop_context_desc){0}, on_device, &device_result, &resident);
    cr_assert(resident, "diabetes fits on the device");
    const size_t chunks[] = {48, 1, 100000};
    for (size_t i = 0; i < 3; i++) {
        clprop_context_desc desc = {.keep_data_on_host = 1, .stream_chunk = chunks[i]};
        train_diabetes(desc, streamed, &streamed_result, &resident);
        cr_assert(!resident, "keep_data_on_host keeps it on the host");
        cr_expect_arr_eq(on_device, streamed, sizeof on_device, "chunks of %zu", chunks[i]);
        cr_expect_eq(device_result.loss, streamed_result.loss);
        cr_expect_eq(device_result.correct, streamed_result.correct);
    }
}

static void stop_after_200(void *user, size_t done, size_t total)
{
    (void)total;
    if (done >= 200)
        *(volatile sig_atomic_t *)user = 1;
}

/* An epoch stopped part-way (as Ctrl-C does) and continued from where it stopped ends with the
 * same weights as the epoch run straight through. */
Test(train, a_stopped_epoch_continued_from_where_it_stopped_matches_one_run_straight_through)
{
    clprop_data *data = load(CLPROP_FANN_DIR "/diabetes.train");
    clprop_context *context = test_context();
    clprop_device_data *on_device = NULL;
    cr_assert_eq(clprop_device_data_create(context, data, &on_device), CLPROP_SUCCESS);

    clprop_net *straight = net_for(context, data, 4, 5);
    clprop_epoch_desc options = {.batch = 8,
                                    .learning_rate = 0.1f,
                                    .shuffle_seed = 77,
                                    .progress = NULL,
                                    .progress_user = NULL};
    clprop_pass_result whole;
    cr_assert_eq(clprop_net_train_epoch(straight, on_device, &options, &whole), CLPROP_SUCCESS);

    clprop_net *stopped = net_for(context, data, 4, 5);
    volatile sig_atomic_t stop = 0;
    clprop_epoch_desc first_part = {.batch = 8,
                                       .learning_rate = 0.1f,
                                       .shuffle_seed = 77,
                                       .progress = stop_after_200,
                                       .progress_user = (void *)&stop,
                                       .first_sample = 0,
                                       .stop = &stop};
    clprop_pass_result part, rest;
    cr_assert_eq(clprop_net_train_epoch(stopped, on_device, &first_part, &part), CLPROP_STOPPED);
    cr_assert(part.samples >= 200 && part.samples < 384 && part.samples % 8 == 0,
              "stopped after %zu samples", part.samples);
    clprop_epoch_desc second_part = {.batch = 8,
                                        .learning_rate = 0.1f,
                                        .shuffle_seed = 77,
                                        .progress = NULL,
                                        .progress_user = NULL,
                                        .first_sample = part.samples,
                                        .stop = NULL};
    cr_assert_eq(clprop_net_train_epoch(stopped, on_device, &second_part, &rest),
                 CLPROP_SUCCESS);
    cr_expect_eq(part.samples + rest.samples, 384);

    float a[32], b[32];
    cr_assert_eq(clprop_net_get_weights(straight, 1, a, NULL), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_get_weights(stopped, 1, b, NULL), CLPROP_SUCCESS);
    cr_expect_arr_eq(a, b, sizeof a);
    clprop_net_destroy(straight);
    clprop_net_destroy(stopped);
    clprop_device_data_destroy(on_device);
    clprop_context_destroy(context);
    clprop_data_destroy(data);
}

/* Progress comes from markers the device passes, not from waits that empty the queue: every
 * report point of the pass arrives, in order, the last at the whole epoch, and watching changes
 * nothing in what is trained. 384 samples in batches of 7: a report after each of the 55 steps. */
Test(train, progress_reports_every_point_in_order_and_leaves_training_unchanged)
{
    progress_seen seen[2];
    float watched[32], unwatched[32];
    train_two_epochs(7, 5, seen, watched);
    train_two_epochs(7, 5, NULL, unwatched);
    for (int epoch = 0; epoch < 2; epoch++) {
        cr_expect_eq(seen[epoch].calls, 55, "epoch %d: %zu reports", epoch, seen[epoch].calls);
        cr_expect(!seen[epoch].out_of_order, "epoch %d: a report out of order", epoch);
        cr_expect_eq(seen[epoch].total, 384);
        cr_expect_eq(seen[epoch].last_done, 384, "epoch %d ended at %zu", epoch,
                     seen[epoch].last_done);
    }
    cr_expect_arr_eq(watched, unwatched, sizeof watched, "watching changed the weights");
}
