/* The network API: shapes, weights in and out, reproducible initialisation, errors. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_sources.h"
#include "support.h"

static clprop_context *context;

static void open_context(void)
{
    context = test_context();
}

static void close_context(void)
{
    clprop_context_destroy(context);
}

TestSuite(net, .init = open_context, .fini = close_context);

Test(net, weights_set_through_the_api_read_back_unchanged)
{
    const size_t sizes[] = {3, 5, 2};
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = NULL,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 1};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS);
    cr_expect_eq(clprop_net_layer_count(net), 2);
    cr_expect_eq(clprop_net_units(net, 0), 3);
    cr_expect_eq(clprop_net_units(net, 2), 2);
    cr_expect_eq(clprop_net_activation(net, 1), CLPROP_ACTIVATION_SIGMOID);
    cr_expect(clprop_net_has_bias(net));
    test_rng rng = test_rng_seeded(5);
    float w[15], b[5], w_back[15], b_back[5];
    test_fill_uniform(&rng, w, 15, -2, 2);
    test_fill_uniform(&rng, b, 5, -2, 2);
    cr_assert_eq(clprop_net_set_weights(net, 1, w, b), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_get_weights(net, 1, w_back, b_back), CLPROP_SUCCESS);
    cr_expect_arr_eq(w, w_back, sizeof w);
    cr_expect_arr_eq(b, b_back, sizeof b);
    clprop_net_destroy(net);
}

static void initial_weights(uint64_t seed, float *weights)
{
    const size_t sizes[] = {4, 6, 3};
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = NULL,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = seed};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_get_weights(net, 1, weights, NULL), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_get_weights(net, 2, weights + 24, NULL), CLPROP_SUCCESS);
    clprop_net_destroy(net);
}

Test(net, the_same_seed_gives_the_same_weights_and_another_seed_others)
{
    float a[42], b[42], c[42];
    initial_weights(7, a);
    initial_weights(7, b);
    initial_weights(8, c);
    cr_expect_arr_eq(a, b, sizeof a);
    cr_expect(memcmp(a, c, sizeof a) != 0);
    /* Glorot range for the 4→6 layer: √(6/10) ≈ 0.775 */
    for (int i = 0; i < 24; i++)
        cr_expect(fabsf(a[i]) <= 0.7746f && a[i] != 0.0f, "weight %d = %g", i, a[i]);
}

Test(net, a_larger_batch_after_a_smaller_one_still_matches_single_samples)
{
    const size_t sizes[] = {3, 4, 2};
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = NULL,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 3};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS);
    test_rng rng = test_rng_seeded(9);
    float inputs[7 * 3], batched[7 * 2], single[2];
    test_fill_uniform(&rng, inputs, 21, -1, 1);
    cr_assert_eq(clprop_net_forward(net, inputs, 1, single), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_forward(net, inputs, 7, batched), CLPROP_SUCCESS);
    for (int s = 0; s < 7; s++) {
        cr_assert_eq(clprop_net_forward(net, inputs + 3 * s, 1, single), CLPROP_SUCCESS);
        cr_expect_float_eq(single[0], batched[2 * s], 1e-6);
        cr_expect_float_eq(single[1], batched[2 * s + 1], 1e-6);
    }
    clprop_net_destroy(net);
}

Test(net, a_network_too_big_for_the_device_is_refused_naming_both_sizes)
{
    const size_t sizes[] = {100000, 100000, 1};
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = NULL,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 0};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_ERROR_DOES_NOT_FIT);
    const char *message = clprop_net_message(net);
    cr_expect(strstr(message, "MiB") != NULL && strstr(message, "has") != NULL, "%s", message);
    clprop_net_destroy(net);
}

Test(net, a_batch_too_big_for_the_device_is_refused)
{
    const size_t sizes[] = {1000, 1000, 10};
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = NULL,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 0};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS);
    float input[1000] = {0};
    /* the input buffer alone would need 4 TB: checked before anything is read from `input` */
    cr_expect_eq(clprop_net_forward(net, input, (size_t)1 << 30, NULL), CLPROP_ERROR_DOES_NOT_FIT);
    cr_expect(strstr(clprop_net_message(net), "batch") != NULL, "%s", clprop_net_message(net));
    clprop_net_destroy(net);
}

Test(net, bad_shapes_are_refused_with_a_reason)
{
    clprop_net *net = NULL;
    const size_t zero[] = {2, 0, 1};
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = zero,
                            .activations = NULL,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 0};
    cr_expect_eq(clprop_net_create(context, &desc, &net), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_net_message(net), "layer 1 has zero units") != NULL);
    clprop_net_destroy(net);

    const size_t sizes[] = {2, 3, 1};
    const clprop_activation hidden_softmax[] = {CLPROP_ACTIVATION_SOFTMAX,
                                                CLPROP_ACTIVATION_SIGMOID};
    clprop_net_desc softmax = {.layer_count = 2,
                               .sizes = sizes,
                               .activations = hidden_softmax,
                               .no_bias = 0,
                               .loss = CLPROP_LOSS_CROSS_ENTROPY,
                               .seed = 0};
    cr_expect_eq(clprop_net_create(context, &softmax, &net), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_net_message(net), "softmax") != NULL);
    clprop_net_destroy(net);

    clprop_net_desc empty = {.layer_count = 0,
                             .sizes = sizes,
                             .activations = NULL,
                             .no_bias = 0,
                             .loss = CLPROP_LOSS_MSE,
                             .seed = 0};
    cr_expect_eq(clprop_net_create(context, &empty, &net), CLPROP_ERROR_INVALID_ARGUMENT);
    clprop_net_destroy(net);

    /* a softmax over one unit: always 1, every gradient 0 (gradcheck passed it, checking
     * nothing) */
    const clprop_activation output_softmax[] = {CLPROP_ACTIVATION_SIGMOID,
                                                CLPROP_ACTIVATION_SOFTMAX};
    softmax.activations = output_softmax;
    cr_expect_eq(clprop_net_create(context, &softmax, &net), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_net_message(net), "softmax output layer needs 2 units") != NULL, "%s",
              clprop_net_message(net));
    clprop_net_destroy(net);
}

Test(net, calls_with_bad_arguments_fail_cleanly)
{
    const size_t sizes[] = {2, 2};
    clprop_net_desc desc = {.layer_count = 1,
                            .sizes = sizes,
                            .activations = NULL,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 0};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS);
    float values[4] = {0, 0, 0, 0}, nan_weights[4] = {0, NAN, 0, 0};
    cr_expect_eq(clprop_net_set_weights(net, 0, values, values), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_eq(clprop_net_set_weights(net, 2, values, values), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_eq(clprop_net_set_weights(net, 1, nan_weights, values), CLPROP_ERROR_NOT_FINITE);
    cr_expect_eq(clprop_net_set_weights(net, 1, values, NULL), CLPROP_ERROR_INVALID_ARGUMENT,
                 "biases required");
    cr_expect_eq(clprop_net_get_gradients(net, 1, values, values), CLPROP_ERROR_INVALID_ARGUMENT,
                 "no backward pass yet");
    cr_expect_eq(clprop_net_get_layer_state(net, 1, values, NULL, NULL),
                 CLPROP_ERROR_INVALID_ARGUMENT, "no pass yet");
    cr_expect_eq(clprop_net_forward(net, values, 0, values), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_eq(clprop_net_train_batch(net, values, values, 1, -1.0f, NULL),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_eq(clprop_net_train_batch(net, values, NULL, 1, 0.1f, NULL),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    clprop_net_destroy(net);
    clprop_net_destroy(NULL);
}

/* Every fallible call returns a status for a NULL handle or a NULL out-pointer, never crashes;
 * a create call given a NULL model still writes a handle whose message says why. */
Test(net, null_handles_and_pointers_are_refused_with_a_status)
{
    float values[4] = {0};
    uint64_t steps = 0;
    double loss = 0.0;
    clprop_optimizer sgd = {.kind = CLPROP_OPTIMIZER_SGD};
    clprop_epoch_desc epoch = {.batch = 1};
    clprop_pass_result result;
    const clprop_status want = CLPROP_ERROR_INVALID_ARGUMENT;
    cr_expect_eq(clprop_net_forward(NULL, values, 1, values), want);
    cr_expect_eq(clprop_net_train_batch(NULL, values, values, 1, 0.1f, &loss), want);
    cr_expect_eq(clprop_net_compute_gradients(NULL, values, values, 1, &loss), want);
    cr_expect_eq(clprop_net_set_weights(NULL, 1, values, values), want);
    cr_expect_eq(clprop_net_get_weights(NULL, 1, values, values), want);
    cr_expect_eq(clprop_net_get_gradients(NULL, 1, values, values), want);
    cr_expect_eq(clprop_net_set_optimizer(NULL, &sgd), want);
    cr_expect_eq(clprop_net_get_optimizer_state(NULL, &steps, values), want);
    cr_expect_eq(clprop_net_set_optimizer_state(NULL, 0, values), want);
    cr_expect_eq(clprop_net_get_layer_state(NULL, 1, values, values, values), want);
    cr_expect_eq(clprop_net_train_epoch(NULL, NULL, &epoch, &result), want);
    cr_expect_eq(clprop_net_evaluate(NULL, NULL, 1, &result), want);

    const size_t sizes[] = {2, 1};
    clprop_net_desc desc = {.layer_count = 1, .sizes = sizes, .loss = CLPROP_LOSS_MSE};
    cr_expect_eq(clprop_context_create(NULL, NULL), want);
    cr_expect_eq(clprop_net_create(context, &desc, NULL), want);
    clprop_net *net = NULL;
    cr_expect_eq(clprop_net_create_from_model(context, NULL, &net), want);
    cr_assert_not_null(net, "a handle is written even so");
    cr_expect(strstr(clprop_net_message(net), "layer") != NULL, "%s", clprop_net_message(net));
    clprop_net_destroy(net);

    size_t count = 0;
    cr_expect_eq(clprop_devices_list(NULL, 5, &count, NULL, 0), CLPROP_SUCCESS);
    cr_expect_gt(count, 0, "a count alone");
    cr_expect_eq(clprop_devices_list(NULL, 0, NULL, NULL, 0), CLPROP_SUCCESS);
    char line[64] = "unchanged";
    clprop_device_describe(NULL, line, sizeof line);
    cr_expect_str_eq(line, "");
    cr_expect_eq(clprop_activation_from_name("sigmoid", NULL), 0);
}

/* A 2 → 1 network with a linear output, on the suite's context. */
static clprop_net *linear_2_1(void)
{
    const size_t sizes[] = {2, 1};
    const clprop_activation linear[] = {CLPROP_ACTIVATION_LINEAR};
    clprop_net_desc desc = {
        .layer_count = 1, .sizes = sizes, .activations = linear, .loss = CLPROP_LOSS_MSE};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS);
    return net;
}

/* Outputs that overflow are refused, as the header promises, with or without a scaling: never
 * NaN or infinity handed back with CLPROP_SUCCESS. */
Test(net, predict_refuses_outputs_that_are_not_numbers)
{
    clprop_net *net = linear_2_1();
    const float huge[2] = {3e38f, 3e38f}, bias[1] = {0.0f};
    cr_assert_eq(clprop_net_set_weights(net, 1, huge, bias), CLPROP_SUCCESS);
    const float inputs[4] = {0.0f, 0.0f, 10.0f, 10.0f};
    float outputs[2];
    cr_expect_eq(clprop_net_predict(net, inputs, 2, outputs), CLPROP_ERROR_NOT_FINITE);
    cr_expect(strstr(clprop_net_message(net), "sample 1, output 0") != NULL, "%s",
              clprop_net_message(net));
    cr_expect_eq(clprop_net_predict(net, inputs, 1, outputs), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    /* no data to fit a scaling to is a bad argument, not a mismatch of widths */
    cr_expect_eq(clprop_net_fit_scaling(net, NULL, CLPROP_SCALING_STANDARD, CLPROP_SCALING_NONE),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_net_message(net), "data is NULL") != NULL, "%s",
              clprop_net_message(net));
    clprop_net_destroy(net);
}

/* Optimizer state with NaN is refused as a model's is; a diverged network is not saved (the file
 * would not load), the save saying so in its own words, not with a reason left from before. */
Test(net, nan_state_is_refused_and_a_diverged_network_is_not_saved)
{
    clprop_net *net = linear_2_1();
    clprop_optimizer adam = {.kind = CLPROP_OPTIMIZER_ADAM};
    cr_assert_eq(clprop_net_set_optimizer(net, &adam), CLPROP_SUCCESS);
    size_t floats = clprop_net_optimizer_state_floats(net);
    cr_assert_eq(floats, 6, "Adam: two moments of 2 weights and 1 bias");
    float state[6] = {0, 0, 0, 0, 0, 0};
    state[4] = NAN;
    cr_expect_eq(clprop_net_set_optimizer_state(net, 3, state), CLPROP_ERROR_NOT_FINITE);
    cr_expect(strstr(clprop_net_message(net), "state float 4 is nan") != NULL, "%s",
              clprop_net_message(net));
    /* the weights' second moments are floats 2 and 3: a negative one no update leaves */
    state[4] = 0.0f;
    state[2] = -1.0f;
    cr_expect_eq(clprop_net_set_optimizer_state(net, 3, state), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_net_message(net), "state float 2 is -1: a second moment") != NULL, "%s",
              clprop_net_message(net));
    state[2] = 0.0f;
    state[0] = -1.0f;
    cr_expect_eq(clprop_net_set_optimizer_state(net, 3, state), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    /* the next step's count would wrap to 0, where Adam divides by 1 − β⁰ */
    cr_expect_eq(clprop_net_set_optimizer_state(net, UINT64_MAX, state),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_net_message(net), "steps: the count of the next would wrap") != NULL,
              "%s", clprop_net_message(net));
    /* a diverged training: the weights overflow, the next batch's loss is not finite, and the
     * save that follows refuses the weights in its own words */
    clprop_optimizer sgd = {.kind = CLPROP_OPTIMIZER_SGD};
    cr_assert_eq(clprop_net_set_optimizer(net, &sgd), CLPROP_SUCCESS);
    const float inputs[2] = {1e19f, 1e19f}, targets[1] = {0.0f};
    double loss = 0.0;
    clprop_status first = clprop_net_train_batch(net, inputs, targets, 1, 3e38f, &loss);
    clprop_status second = clprop_net_train_batch(net, inputs, targets, 1, 3e38f, &loss);
    cr_expect(first != CLPROP_SUCCESS || second != CLPROP_SUCCESS, "the training diverges");
    char *dir = test_make_temp_dir(), path[4200];
    snprintf(path, sizeof path, "%s/diverged.clprop", dir);
    cr_expect_eq(clprop_net_save(net, path), CLPROP_ERROR_NOT_FINITE);
    cr_expect(strstr(clprop_net_message(net), "not saved: layer 1") != NULL,
              "the save's own reason: %s", clprop_net_message(net));
    clprop_net_destroy(net);
    test_remove_tree(dir);
    free(dir);
}

Test(net, status_codes_have_names)
{
    cr_expect_str_eq(clprop_status_name(-5), "CL_OUT_OF_RESOURCES");
    cr_expect_str_eq(clprop_status_name(CLPROP_ERROR_DOES_NOT_FIT), "CLPROP_ERROR_DOES_NOT_FIT");
    cr_expect_str_eq(clprop_status_name(CLPROP_SUCCESS), "CLPROP_SUCCESS");
    cr_expect_str_eq(clprop_status_name(-54), "CL_INVALID_WORK_GROUP_SIZE");
}

Test(net, a_kernel_that_fails_to_compile_reports_the_build_log)
{
    char *dir = test_make_temp_dir();
    /* Copy nothing: every kernel file is missing, which must say which file. */
    clprop_context_desc desc = {.kernel_dir = dir};
    clprop_context *broken = NULL;
    cr_expect_eq(clprop_context_create(&desc, &broken), CLPROP_ERROR_IO);
    cr_expect(strstr(clprop_context_message(broken), "kernel folder") != NULL &&
                  strstr(clprop_context_message(broken), "common.cl") != NULL,
              "%s", clprop_context_message(broken));
    clprop_context_destroy(broken);

    /* Now real files, one of them with a syntax error. */
    for (size_t i = 0; i < clprop_kernel_source_count; i++)
        free(test_write_file(dir, clprop_kernel_sources[i].name,
                             i == 0 ? "__kernel void broken(void) { x = ; }\n" : "\n"));
    cr_expect_eq(clprop_context_create(&desc, &broken), CLPROP_ERROR_KERNEL_BUILD);
    const char *message = clprop_context_message(broken);
    cr_expect(strstr(message, "build log") != NULL, "%s", message);
    cr_expect(strstr(message, "CL_BUILD_PROGRAM_FAILURE") != NULL, "%s", message);
    cr_expect(strstr(message, "error") != NULL, "the compiler's own words: %s", message);
    /* the one message that is not one line: the log keeps its layout */
    cr_expect(strstr(message, "build log:\n") != NULL && strstr(message, "\\x0a") == NULL, "%s",
              message);
    clprop_context_destroy(broken);
    test_remove_tree(dir);
    free(dir);
}

/* The largest |weight| of layer 1 (16 → 16) under the given activation and initialisation. */
static float largest_initial_weight(clprop_activation activation, clprop_weight_init init)
{
    const size_t sizes[] = {16, 16, 1};
    const clprop_activation activations[] = {activation, CLPROP_ACTIVATION_LINEAR};
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = activations,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 3,
                            .init = init};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    float w[256], largest = 0;
    cr_assert_eq(clprop_net_get_weights(net, 1, w, NULL), CLPROP_SUCCESS);
    for (int i = 0; i < 256; i++)
        largest = fmaxf(largest, fabsf(w[i]));
    clprop_net_destroy(net);
    return largest;
}

Test(net, relu_layers_start_with_he_weights_and_others_with_glorot)
{
    const float glorot = sqrtf(6.0f / 32.0f), he = sqrtf(6.0f / 16.0f); /* 0.433, 0.612 */
    float tanh_largest = largest_initial_weight(CLPROP_ACTIVATION_TANH, CLPROP_INIT_AUTO);
    float relu_largest = largest_initial_weight(CLPROP_ACTIVATION_RELU, CLPROP_INIT_AUTO);
    float leaky_largest = largest_initial_weight(CLPROP_ACTIVATION_LEAKY_RELU, CLPROP_INIT_AUTO);
    float forced = largest_initial_weight(CLPROP_ACTIVATION_RELU, CLPROP_INIT_GLOROT);
    /* 256 uniform draws come within a few percent of the range's edge */
    cr_expect(tanh_largest <= glorot && tanh_largest > 0.9f * glorot, "tanh %g", tanh_largest);
    cr_expect(relu_largest <= he && relu_largest > 0.9f * he, "relu %g", relu_largest);
    cr_expect(leaky_largest <= he && leaky_largest > 0.9f * he, "leaky %g", leaky_largest);
    cr_expect(forced <= glorot && forced > 0.9f * glorot, "glorot forced on relu %g", forced);
    cr_expect(largest_initial_weight(CLPROP_ACTIVATION_SIGMOID, CLPROP_INIT_HE) > glorot,
              "he forced on sigmoid");
}

Test(net, cross_entropy_without_a_softmax_output_is_refused)
{
    const size_t sizes[] = {2, 3, 2};
    const clprop_activation sigmoid_output[] = {CLPROP_ACTIVATION_SIGMOID,
                                                CLPROP_ACTIVATION_SIGMOID};
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = sigmoid_output,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_CROSS_ENTROPY,
                            .seed = 0};
    clprop_net *net = NULL;
    cr_expect_eq(clprop_net_create(context, &desc, &net), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_net_message(net), "softmax") != NULL, "%s", clprop_net_message(net));
    clprop_net_destroy(net);
    clprop_model *model = NULL;
    cr_expect_eq(clprop_model_create(&desc, &model), CLPROP_ERROR_INVALID_ARGUMENT,
                 "models refuse it too: %s", clprop_model_message(model));
    clprop_model_destroy(model);
}
