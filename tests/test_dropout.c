/* Dropout (host/dropout.h): the host's Philox against Random123's known answers; the device's
 * masks equal to the host's, bit for bit, for every GEMM family and CLBlast, and its gradients and
 * steps equal to the reference's with those masks; no launch added; evaluation and forward that
 * never drop; model files that keep the rates; a run resumed from a checkpoint equal to one never
 * stopped; and the command's bad values. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "dropout.h"
#include "reference.h"
#include "support.h"

#define DIABETES CLPROP_FANN_DIR "/diabetes.train"

Test(dropout, philox_matches_random123_known_answers)
{
    /* Random123's kat_vectors for philox4x32_10: zeros, all ones, and the digits of pi */
    static const uint32_t counters[3][4] = {{0, 0, 0, 0},
                                            {~0u, ~0u, ~0u, ~0u},
                                            {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}};
    static const uint32_t keys[3][2] = {{0, 0}, {~0u, ~0u}, {0xa4093822, 0x299f31d0}};
    static const uint32_t want[3][4] = {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                                        {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                                        {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}};
    for (int v = 0; v < 3; v++) {
        uint32_t got[4];
        clprop_philox4x32_10(got, counters[v], keys[v]);
        for (int w = 0; w < 4; w++)
            cr_expect_eq(got[w], want[v][w], "vector %d word %d: %08x, want %08x", v, w, got[w],
                         want[v][w]);
    }
}

/* ---- The device against the host's masks and the reference --------------------------------- */

enum { INPUTS = 5, HIDDEN1 = 33, HIDDEN2 = 20, OUTPUTS = 3, BATCH = 37, STEPS = 3 };
static const size_t sizes[] = {INPUTS, HIDDEN1, HIDDEN2, OUTPUTS};
static const clprop_activation activations[] = {CLPROP_ACTIVATION_LINEAR, CLPROP_ACTIVATION_SIGMOID,
                                                CLPROP_ACTIVATION_LINEAR};
static const float rates[] = {0.4f, 0.25f};
#define SEED 11

typedef struct backend_case {
    clprop_gemm_backend gemm;
    clprop_gemm_family family;
    size_t cpu_vector; /* the CPU family's: 8 or 16 lanes (a batch of 37 leaves a ragged tile) */
} backend_case;

ParameterizedTestParameters(dropout, the_device_draws_the_host_masks_and_trains_as_the_reference)
{
    static backend_case cases[] = {{CLPROP_GEMM_NATIVE, CLPROP_GEMM_FAMILY_CPU, 8},
                                   {CLPROP_GEMM_NATIVE, CLPROP_GEMM_FAMILY_CPU, 16},
                                   {CLPROP_GEMM_NATIVE, CLPROP_GEMM_FAMILY_GENERIC},
                                   {CLPROP_GEMM_NATIVE, CLPROP_GEMM_FAMILY_GPU},
                                   {CLPROP_GEMM_CLBLAST, CLPROP_GEMM_FAMILY_DEFAULT}};
    return cr_make_param_array(backend_case, cases, sizeof cases / sizeof *cases);
}

static clprop_net *make_net(clprop_context *context, const float *dropout)
{
    clprop_net_desc desc = {.layer_count = 3, .sizes = sizes, .activations = activations,
                            .loss = CLPROP_LOSS_MSE, .seed = SEED, .dropout = dropout};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    return net;
}

/* The reference with the network's weights (biases zero, as created). */
static clprop_ref_net *reference_of(clprop_net *net, double **weights)
{
    for (size_t l = 1; l <= 3; l++) {
        size_t count = sizes[l] * sizes[l - 1];
        float *w = malloc(count * sizeof *w);
        cr_assert_eq(clprop_net_get_weights(net, l, w, NULL), CLPROP_SUCCESS);
        weights[l - 1] = clprop_ref_widen(w, count);
        free(w);
    }
    clprop_net_desc desc = {.layer_count = 3, .sizes = sizes, .activations = activations,
                            .loss = CLPROP_LOSS_MSE};
    return clprop_ref_net_create(&desc, (const double *const *)weights, NULL);
}

/* Layer 1 is linear: its a is z·m/(1 − p) exactly, so the mask is read back bit for bit. */
static void expect_host_masks(clprop_net *net, uint64_t step)
{
    float *z = malloc(BATCH * HIDDEN1 * sizeof *z), *a = malloc(BATCH * HIDDEN1 * sizeof *a);
    cr_assert_eq(clprop_net_get_layer_state(net, 1, z, a, NULL), CLPROP_SUCCESS);
    clprop_dropout_mask mask = {.rate = rates[0], .seed = SEED, .step = step, .layer = 1};
    size_t dropped = 0, wrong = 0;
    for (size_t b = 0; b < BATCH; b++)
        for (size_t u = 0; u < HIDDEN1; u++) {
            float factor = clprop_dropout_factor(&mask, (uint32_t)u, (uint32_t)b);
            float want = factor == 0.0f ? 0.0f : z[b * HIDDEN1 + u] * factor;
            wrong += a[b * HIDDEN1 + u] != want;
            dropped += factor == 0.0f;
        }
    cr_expect_eq(wrong, 0, "step %llu: %zu of %d activations differ from the host's masks",
                 (unsigned long long)step, wrong, BATCH * HIDDEN1);
    double share = (double)dropped / (BATCH * HIDDEN1);
    cr_expect(share > 0.3 && share < 0.5, "step %llu dropped %.3f, want about 0.4",
              (unsigned long long)step, share);
    free(z), free(a);
}

static void set_reference_masks(clprop_ref_net *ref, double **masks, uint64_t step)
{
    for (size_t l = 1; l <= 2; l++) {
        free(masks[l - 1]);
        masks[l - 1] = test_dropout_factors(rates[l - 1], SEED, step, (uint32_t)l, 0, sizes[l],
                                            BATCH);
    }
    ref->dropout = (const double *const *)masks;
}

static void expect_weights_close(clprop_net *net, clprop_ref_net *ref, double bound)
{
    for (size_t l = 1; l <= 3; l++) {
        size_t count = sizes[l] * sizes[l - 1];
        float *w = malloc(count * sizeof *w);
        cr_assert_eq(clprop_net_get_weights(net, l, w, NULL), CLPROP_SUCCESS);
        char what[64];
        snprintf(what, sizeof what, "layer %zu weights", l);
        test_assert_close(what, w, ref->layers[l - 1].weights, count, bound);
        free(w);
    }
}

ParameterizedTest(backend_case *c, dropout,
                  the_device_draws_the_host_masks_and_trains_as_the_reference, .timeout = 120)
{
    clprop_context *context =
        test_context_with((clprop_context_desc){
            .gemm = c->gemm, .tuning = {.family = c->family, .cpu_vector = c->cpu_vector}});
    clprop_net *net = make_net(context, rates);
    double *weights[3], *masks[3] = {NULL, NULL, NULL}; /* the output layer never drops */
    clprop_ref_net *ref = reference_of(net, weights);
    test_rng rng = test_rng_seeded(5);
    float inputs[BATCH * INPUTS], targets[BATCH * OUTPUTS];
    test_fill_uniform(&rng, inputs, BATCH * INPUTS, -1, 1);
    test_fill_uniform(&rng, targets, BATCH * OUTPUTS, 0, 1);
    double *wide_inputs = clprop_ref_widen(inputs, BATCH * INPUTS);
    double *wide_targets = clprop_ref_widen(targets, BATCH * OUTPUTS);

    /* the gradients of one pass */
    double loss;
    cr_assert_eq(clprop_net_compute_gradients(net, inputs, targets, BATCH, &loss), CLPROP_SUCCESS,
                 "%s", clprop_net_message(net));
    expect_host_masks(net, 0);
    set_reference_masks(ref, masks, 0);
    double want_loss = clprop_ref_compute_gradients(ref, wide_inputs, wide_targets, BATCH);
    cr_expect(fabs(loss - want_loss) <= 1e-5 * fmax(1.0, want_loss), "loss %g, want %g", loss,
              want_loss);
    for (size_t l = 1; l <= 3; l++) {
        size_t count = sizes[l] * sizes[l - 1];
        float *g = malloc(count * sizeof *g);
        cr_assert_eq(clprop_net_get_gradients(net, l, g, NULL), CLPROP_SUCCESS);
        char what[64];
        snprintf(what, sizeof what, "layer %zu weight gradients", l);
        test_assert_close(what, g, ref->layers[l - 1].weight_gradients, count, 1e-5);
        free(g);
    }
    /* steps draw new masks: step t's from the optimizer's count t */
    for (uint64_t step = 0; step < STEPS; step++) {
        cr_assert_eq(clprop_net_train_batch(net, inputs, targets, BATCH, 0.1f, NULL),
                     CLPROP_SUCCESS, "%s", clprop_net_message(net));
        expect_host_masks(net, step);
        set_reference_masks(ref, masks, step);
        clprop_ref_train_batch(ref, wide_inputs, wide_targets, BATCH, 0.1);
    }
    expect_weights_close(net, ref, 1e-5);

    for (size_t l = 0; l < 3; l++)
        free(weights[l]);
    free(masks[0]), free(masks[1]), free(wide_inputs), free(wide_targets);
    clprop_ref_net_destroy(ref);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}

Test(dropout, adds_no_launch_to_a_step)
{
    clprop_context *context = test_context();
    clprop_net *with = make_net(context, rates), *without = make_net(context, NULL);
    float inputs[BATCH * INPUTS] = {0}, targets[BATCH * OUTPUTS] = {0};
    unsigned long long counts[2];
    clprop_net *nets[2] = {with, without};
    for (int i = 0; i < 2; i++) {
        /* the first step of each sizes its buffers; the second is counted */
        cr_assert_eq(clprop_net_train_batch(nets[i], inputs, targets, BATCH, 0.1f, NULL),
                     CLPROP_SUCCESS);
        unsigned long long before = context->launches;
        cr_assert_eq(clprop_net_train_batch(nets[i], inputs, targets, BATCH, 0.1f, NULL),
                     CLPROP_SUCCESS);
        counts[i] = context->launches - before;
    }
    cr_expect_eq(counts[0], counts[1], "%llu launches a step with dropout, %llu without",
                 counts[0], counts[1]);
    clprop_net_destroy(with);
    clprop_net_destroy(without);
    clprop_context_destroy(context);
}

Test(dropout, bad_rates_are_refused)
{
    clprop_context *context = test_context();
    const float bad[][2] = {{1.0f, 0.0f}, {-0.1f, 0.0f}, {0.2f, NAN}};
    for (size_t i = 0; i < 3; i++) {
        clprop_net_desc desc = {.layer_count = 3, .sizes = sizes, .activations = activations,
                                .dropout = bad[i]};
        clprop_net *net = NULL;
        cr_expect_eq(clprop_net_create(context, &desc, &net), CLPROP_ERROR_INVALID_ARGUMENT);
        cr_expect(strstr(clprop_net_message(net), "dropout rate") != NULL, "%s",
                  clprop_net_message(net));
        clprop_net_destroy(net);
    }
    clprop_net *net = make_net(context, NULL);
    cr_expect_eq(clprop_net_set_dropout(net, bad[0], 1), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_eq(clprop_net_dropout(net, 1), 0.0f, "a refused rate was kept");
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}

/* ---- Evaluation, model files, resuming ------------------------------------------------------ */

static clprop_data *load_diabetes(void)
{
    clprop_data_source source = {.path = DIABETES};
    clprop_data *data = NULL;
    cr_assert_eq(clprop_data_load(&source, &data), CLPROP_SUCCESS, "%s", clprop_data_message(data));
    return data;
}

static clprop_net *diabetes_net(clprop_context *context, const float *dropout)
{
    static const size_t shape[] = {8, 16, 12, 2};
    static const clprop_activation relu[] = {CLPROP_ACTIVATION_RELU, CLPROP_ACTIVATION_RELU,
                                             CLPROP_ACTIVATION_LINEAR};
    clprop_net_desc desc = {.layer_count = 3, .sizes = shape, .activations = relu,
                            .loss = CLPROP_LOSS_MSE, .seed = 4, .dropout = dropout};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    return net;
}

Test(dropout, evaluation_and_forward_never_drop, .timeout = 120)
{
    clprop_context *context = test_context();
    clprop_data *data = load_diabetes();
    const float half[] = {0.5f, 0.5f};
    clprop_net *net = diabetes_net(context, half);
    clprop_trainer_desc run = {.epochs = 2, .batch = 16, .learning_rate = 0.05f, .seed = 4};
    cr_assert_eq(clprop_fit(net, data, &run), CLPROP_SUCCESS, "%s", clprop_net_message(net));
    clprop_device_data *device = NULL;
    cr_assert_eq(clprop_device_data_create(context, data, &device), CLPROP_SUCCESS);
    size_t n = clprop_data_samples(data);
    float *outputs[2] = {malloc(n * 2 * sizeof(float)), malloc(n * 2 * sizeof(float))};
    clprop_pass_result results[2];
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) /* the same weights without dropout */
            cr_assert_eq(clprop_net_set_dropout(net, NULL, 0), CLPROP_SUCCESS);
        cr_assert_eq(clprop_net_evaluate(net, device, 32, &results[pass]), CLPROP_SUCCESS);
        cr_assert_eq(clprop_net_forward(net, clprop_data_input_values(data), n, outputs[pass]),
                     CLPROP_SUCCESS);
    }
    cr_expect(results[0].loss == results[1].loss && results[0].correct == results[1].correct,
              "evaluation with dropout set: loss %.9g, without: %.9g", results[0].loss,
              results[1].loss);
    cr_expect(memcmp(outputs[0], outputs[1], n * 2 * sizeof(float)) == 0,
              "forward with dropout set differs from forward without");
    free(outputs[0]), free(outputs[1]);
    clprop_device_data_destroy(device);
    clprop_net_destroy(net);
    clprop_data_destroy(data);
    clprop_context_destroy(context);
}

static char *dir;
static void make_dir(void) { dir = test_make_temp_dir(); }
static void remove_dir(void)
{
    test_remove_tree(dir);
    free(dir);
}

static const char *in_dir(const char *name)
{
    return test_in_dir(dir, name);
}

Test(dropout, model_files_keep_the_rates_and_the_seed, .init = make_dir, .fini = remove_dir)
{
    clprop_context *context = test_context();
    const float dropout[] = {0.25f, 0.0f};
    clprop_net *net = diabetes_net(context, dropout), *plain = diabetes_net(context, NULL);
    cr_assert_eq(clprop_net_save(net, in_dir("with")), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_save(plain, in_dir("without")), CLPROP_SUCCESS);
    clprop_model *with = NULL, *without = NULL;
    cr_assert_eq(clprop_model_load(in_dir("with"), &with), CLPROP_SUCCESS, "%s",
                 clprop_model_message(with));
    cr_assert_eq(clprop_model_load(in_dir("without"), &without), CLPROP_SUCCESS);
    cr_expect(clprop_model_dropout(with, 1) == 0.25f && clprop_model_dropout(with, 2) == 0.0f &&
              clprop_model_dropout(with, 3) == 0.0f && clprop_model_dropout_seed(with) == 4);
    cr_expect(clprop_model_dropout(without, 1) == 0.0f && clprop_model_dropout_seed(without) == 0);
    clprop_net *loaded = NULL;
    cr_assert_eq(clprop_net_create_from_model(context, with, &loaded), CLPROP_SUCCESS);
    cr_expect(clprop_net_dropout(loaded, 1) == 0.25f && clprop_net_dropout_seed(loaded) == 4);
    clprop_net_destroy(loaded);
    clprop_model_destroy(with);
    clprop_model_destroy(without);
    clprop_net_destroy(net);
    clprop_net_destroy(plain);
    clprop_context_destroy(context);
}

static int command(char **err, const char *format, ...) __attribute__((format(printf, 2, 3)));

static int command(char **err, const char *format, ...)
{
    char args[8192];
    va_list list;
    va_start(list, format);
    vsnprintf(args, sizeof args, format, list);
    va_end(list);
    free(*err);
    *err = NULL;
    return test_run_command(args, NULL, err);
}

#define COMMON                                                                                     \
    "train --data " DIABETES " --layers 8,16,12,2 --activation relu --batch 16 --lr 0.01 "        \
    "--optimizer adam --seed 3 --dropout 0.3,0.1"

static void expect_same_model(const char *got_path, const char *want_path)
{
    clprop_model *got = NULL, *want = NULL;
    cr_assert_eq(clprop_model_load(got_path, &got), CLPROP_SUCCESS);
    cr_assert_eq(clprop_model_load(want_path, &want), CLPROP_SUCCESS);
    for (size_t l = 1; l <= 3; l++) {
        size_t count = clprop_model_units(want, l) * clprop_model_units(want, l - 1);
        cr_expect(memcmp(clprop_model_weights(got, l), clprop_model_weights(want, l),
                         count * sizeof(float)) == 0,
                  "%s: layer %zu's weights differ from %s's", got_path, l, want_path);
    }
    clprop_model_destroy(got);
    clprop_model_destroy(want);
}

Test(dropout, a_resumed_run_draws_the_masks_of_one_never_stopped, .init = make_dir,
     .fini = remove_dir, .timeout = 120)
{
    char *err = NULL;
    cr_assert_eq(command(&err, COMMON " --epochs 4 --save %s", in_dir("straight")), 0, "%s", err);
    cr_assert_eq(command(&err, COMMON " --epochs 2 --checkpoint %s --checkpoint-every 1",
                         in_dir("run.ck")),
                 0, "%s", err);
    /* the checkpoint keeps the rates: resuming without --dropout draws the same masks */
    cr_assert_eq(command(&err, "train --data " DIABETES " --epochs 4 --resume %s --save %s",
                         in_dir("run.ck"), in_dir("resumed")),
                 0, "%s", err);
    expect_same_model(in_dir("resumed"), in_dir("straight"));
    /* and dropout changed the run */
    cr_assert_eq(command(&err, "train --data " DIABETES " --layers 8,16,12,2 --activation relu "
                               "--batch 16 --lr 0.01 --optimizer adam --seed 3 --epochs 4 "
                               "--save %s",
                         in_dir("plain")),
                 0, "%s", err);
    clprop_model *plain = NULL, *straight = NULL;
    cr_assert_eq(clprop_model_load(in_dir("plain"), &plain), CLPROP_SUCCESS);
    cr_assert_eq(clprop_model_load(in_dir("straight"), &straight), CLPROP_SUCCESS);
    cr_expect(memcmp(clprop_model_weights(plain, 1), clprop_model_weights(straight, 1),
                     8 * 16 * sizeof(float)) != 0,
              "dropout changed nothing");
    clprop_model_destroy(plain);
    clprop_model_destroy(straight);
    /* other rates than the checkpoint's are refused */
    cr_expect_eq(command(&err, COMMON ",0.2 --epochs 4 --resume %s", in_dir("run.ck")), 2);
    cr_expect_eq(command(&err, "train --data " DIABETES " --dropout 0.5 --epochs 4 --resume %s",
                         in_dir("run.ck")),
                 2, "%s", err);
    cr_expect(strstr(err, "--dropout") != NULL && strstr(err, "checkpoint") != NULL, "%s", err);
    free(err);
}

Test(dropout, bad_values_on_the_command_line_are_usage_errors)
{
    static const struct {
        const char *value, *says;
    } cases[] = {{"1", "below 1"},
                 {"-0.1", "from 0"},
                 {"abc", "decimal number"},
                 {"0.1,0.2,0.3", "3 rates for 2 hidden layers"},
                 {"0.2,", "decimal number"},
                 {"nan", "decimal number"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *err = NULL;
        int code = command(&err, "train --data " DIABETES " --layers 8,6,5,2 --epochs 1 "
                                 "--dropout %s",
                           cases[i].value);
        cr_expect_eq(code, 2, "--dropout %s: exit %d", cases[i].value, code);
        int one_line = err != NULL && strchr(err, '\n') == err + strlen(err) - 1;
        cr_expect(one_line && strncmp(err, "clprop: --dropout: ", 19) == 0 &&
                      strstr(err, cases[i].says) != NULL,
                  "--dropout %s: %s", cases[i].value, err);
        free(err);
    }
}
