/* Input and target scaling (clprop_scaling): measured on data, kept by networks and models, saved
 * in the model file and the JSON export, applied by clprop_net_predict exactly as written by
 * hand, constant features without NaN, overflow refused rather than turned into NaN, and model
 * files of the format before scaling still loading. */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* 5 samples × 3 inputs; input 1 is constant (zero variance, max = min). 2 targets. */
#define SAMPLES 5
static const float INPUTS[SAMPLES * 3] = {1, 7, -2, 3, 7, 0.5f, -4, 7, 10, 2.5f, 7, 3, 0, 7, -1};
static const float TARGETS[SAMPLES * 2] = {100, -1, 250, -2, 175, -3, 50, -4, 300, -5};

static clprop_data *make_data(void)
{
    clprop_data *data = NULL;
    cr_assert_eq(clprop_data_create(SAMPLES, 3, 2, INPUTS, TARGETS, &data), CLPROP_SUCCESS);
    return data;
}

/* 3 → 4 (tanh) → 2 (linear), weights from a seed. */
static clprop_net *make_net(clprop_context *context)
{
    size_t sizes[] = {3, 4, 2};
    clprop_activation activations[] = {CLPROP_ACTIVATION_TANH, CLPROP_ACTIVATION_LINEAR};
    clprop_net_desc desc = {.layer_count = 2, .sizes = sizes, .activations = activations,
                            .seed = 7};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS);
    return net;
}

/* The prediction written out by hand: x' = (x − offset)·scale, the layers in double, then
 * y = y'/scale + offset. */
static void predict_by_hand(clprop_net *net, const clprop_scaling *s, double *want)
{
    float w1[12], b1[4], w2[8], b2[2];
    cr_assert_eq(clprop_net_get_weights(net, 1, w1, b1), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_get_weights(net, 2, w2, b2), CLPROP_SUCCESS);
    for (size_t n = 0; n < SAMPLES; n++) {
        float x[3];
        for (size_t i = 0; i < 3; i++)
            x[i] = (INPUTS[n * 3 + i] - s->input_offset[i]) * s->input_scale[i];
        double hidden[4];
        for (size_t h = 0; h < 4; h++) {
            double z = b1[h];
            for (size_t i = 0; i < 3; i++)
                z += (double)w1[h * 3 + i] * x[i];
            hidden[h] = tanh(z);
        }
        for (size_t o = 0; o < 2; o++) {
            double y = b2[o];
            for (size_t h = 0; h < 4; h++)
                y += (double)w2[o * 4 + h] * hidden[h];
            want[n * 2 + o] = y / s->target_scale[o] + s->target_offset[o];
        }
    }
}

Test(scaling, standard_scaling_is_the_mean_and_deviation_and_a_constant_feature_gets_scale_one)
{
    clprop_context *context = test_context();
    clprop_net *net = make_net(context);
    clprop_data *data = make_data();
    cr_assert_eq(clprop_net_fit_scaling(net, data, CLPROP_SCALING_STANDARD,
                                        CLPROP_SCALING_STANDARD), CLPROP_SUCCESS,
                 "%s", clprop_net_message(net));
    clprop_scaling s;
    cr_assert(clprop_net_scaling(net, &s));
    cr_expect_eq(s.inputs, 3);
    cr_expect_eq(s.outputs, 2);
    cr_expect_float_eq(s.input_offset[0], 0.5f, 1e-6f); /* (1 + 3 − 4 + 2.5 + 0) / 5 */
    cr_expect_float_eq(s.input_offset[1], 7.0f, 0.0f);
    cr_expect_eq(s.input_scale[1], 1.0f, "a constant input gets scale 1, not 1/0");
    cr_expect_float_eq(s.target_offset[0], 175.0f, 1e-4f);
    double sd = sqrt((75.0 * 75 + 75 * 75 + 0 + 125 * 125 + 125 * 125) / 5);
    cr_expect_float_eq(s.target_scale[0], (float)(1.0 / sd), 1e-7f);
    clprop_data *scaled = NULL;
    cr_assert_eq(clprop_data_scale(data, &s, &scaled), CLPROP_SUCCESS);
    const float *x = clprop_data_input_values(scaled);
    for (size_t i = 0; i < SAMPLES * 3; i++)
        cr_expect(isfinite(x[i]), "scaled input %zu is %g", i, (double)x[i]);
    for (size_t n = 0; n < SAMPLES; n++)
        cr_expect_eq(x[n * 3 + 1], 0.0f, "the constant input becomes 0");
    clprop_data_destroy(scaled);
    clprop_data_destroy(data);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}

Test(scaling, minmax_scaling_maps_the_training_set_onto_0_to_1_without_nan)
{
    clprop_context *context = test_context();
    clprop_net *net = make_net(context);
    clprop_data *data = make_data();
    cr_assert_eq(clprop_net_fit_scaling(net, data, CLPROP_SCALING_MINMAX, CLPROP_SCALING_NONE),
                 CLPROP_SUCCESS);
    clprop_scaling s;
    cr_assert(clprop_net_scaling(net, &s));
    cr_expect_eq(s.target_kind, CLPROP_SCALING_NONE);
    cr_expect_eq(s.outputs, 0);
    cr_expect_eq(s.input_scale[1], 1.0f, "max = min: scale 1");
    clprop_data *scaled = NULL;
    cr_assert_eq(clprop_data_scale(data, &s, &scaled), CLPROP_SUCCESS);
    const float *x = clprop_data_input_values(scaled);
    for (size_t i = 0; i < SAMPLES * 3; i++)
        cr_expect(x[i] >= 0.0f && x[i] <= 1.0f, "scaled input %zu is %g", i, (double)x[i]);
    cr_expect_arr_eq(clprop_data_target_values(scaled), TARGETS, sizeof TARGETS,
                     "targets without scaling stay as they are");
    clprop_data_destroy(scaled);
    clprop_data_destroy(data);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}

static void expect_predictions_equal(clprop_net *net, const float *want, const char *what)
{
    float got[SAMPLES * 2];
    cr_assert_eq(clprop_net_predict(net, INPUTS, SAMPLES, got), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    cr_expect_arr_eq(got, want, sizeof got, "%s gives other predictions", what);
}

Test(scaling, predict_of_a_scaled_network_equals_the_computation_by_hand_and_survives_save_and_load)
{
    clprop_context *context = test_context();
    clprop_net *net = make_net(context);
    clprop_data *data = make_data();
    cr_assert_eq(clprop_net_fit_scaling(net, data, CLPROP_SCALING_STANDARD,
                                        CLPROP_SCALING_MINMAX), CLPROP_SUCCESS);
    clprop_scaling s;
    cr_assert(clprop_net_scaling(net, &s));
    float got[SAMPLES * 2];
    double want[SAMPLES * 2];
    cr_assert_eq(clprop_net_predict(net, INPUTS, SAMPLES, got), CLPROP_SUCCESS);
    predict_by_hand(net, &s, want);
    test_assert_close("predict", got, want, SAMPLES * 2, 1e-5);

    char *dir = test_make_temp_dir(), path[4200], json[4200];
    snprintf(path, sizeof path, "%s/scaled.clprop", dir);
    snprintf(json, sizeof json, "%s/scaled.json", dir);
    cr_assert_eq(clprop_net_save(net, path), CLPROP_SUCCESS, "%s", clprop_net_message(net));
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_load(path, &model), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    clprop_scaling loaded;
    cr_assert(clprop_model_scaling(model, &loaded), "the model file keeps the scaling");
    cr_expect_eq(loaded.input_kind, CLPROP_SCALING_STANDARD);
    cr_expect_eq(loaded.target_kind, CLPROP_SCALING_MINMAX);
    cr_expect_arr_eq(loaded.input_scale, s.input_scale, 3 * sizeof(float));
    cr_expect_arr_eq(loaded.target_offset, s.target_offset, 2 * sizeof(float));
    FILE *out = fopen(json, "w");
    cr_assert_not_null(out);
    cr_assert_eq(clprop_model_write_json(model, out), CLPROP_SUCCESS);
    fclose(out);
    clprop_net *again = NULL;
    cr_assert_eq(clprop_net_create_from_model(context, model, &again), CLPROP_SUCCESS);
    expect_predictions_equal(again, got, "the network loaded from the model file");
    clprop_net_destroy(again);
    clprop_model_destroy(model);
    cr_assert_eq(clprop_net_load(context, json, &again), CLPROP_SUCCESS, "%s",
                 clprop_net_message(again));
    expect_predictions_equal(again, got, "the network loaded from the JSON export");
    clprop_net_destroy(again);

    test_remove_tree(dir);
    free(dir);
    clprop_data_destroy(data);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}

Test(scaling, a_value_that_scaling_would_overflow_is_refused_never_nan)
{
    clprop_context *context = test_context();
    clprop_net *net = make_net(context);
    float offset[3] = {-3e38f, 0, 0}, scale[3] = {1, 1, 1};
    clprop_scaling s = {.input_kind = CLPROP_SCALING_STANDARD, .inputs = 3,
                        .input_offset = offset, .input_scale = scale};
    cr_assert_eq(clprop_net_set_scaling(net, &s), CLPROP_SUCCESS);
    float x[3] = {3e38f, 0, 0}, y[2];
    cr_expect_eq(clprop_net_predict(net, x, 1, y), CLPROP_ERROR_NOT_FINITE);
    /* one sample: the caller knows which; the input is named */
    cr_expect(strcmp(clprop_net_message(net), "input 0 (from 0): 3e+38 scaled is not a float") == 0,
              "%s", clprop_net_message(net));
    clprop_data *data = NULL, *scaled = NULL;
    float t[2] = {0, 0};
    cr_assert_eq(clprop_data_create(1, 3, 2, x, t, &data), CLPROP_SUCCESS);
    cr_expect_eq(clprop_data_scale(data, &s, &scaled), CLPROP_ERROR_NOT_FINITE);
    clprop_data_destroy(scaled);
    clprop_data_destroy(data);
    scale[0] = 0.0f; /* a zero scale could not be undone */
    cr_expect_eq(clprop_net_set_scaling(net, &s), CLPROP_ERROR_MISMATCH);
    scale[0] = NAN;
    cr_expect_eq(clprop_net_set_scaling(net, &s), CLPROP_ERROR_MISMATCH);
    /* the arrays missing is said as that, not as a count that differs */
    scale[0] = 1.0f;
    s.input_offset = NULL;
    cr_expect_eq(clprop_net_set_scaling(net, &s), CLPROP_ERROR_MISMATCH);
    cr_expect(strstr(clprop_net_message(net), "3 inputs without its offsets") != NULL, "%s",
              clprop_net_message(net));
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}

Test(scaling, a_softmax_output_refuses_target_scaling)
{
    size_t sizes[] = {3, 2};
    clprop_activation activations[] = {CLPROP_ACTIVATION_SOFTMAX};
    clprop_net_desc desc = {.layer_count = 1, .sizes = sizes, .activations = activations,
                            .loss = CLPROP_LOSS_CROSS_ENTROPY};
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_create(&desc, &model), CLPROP_SUCCESS);
    float offset[2] = {0, 0}, scale[2] = {1, 1};
    clprop_scaling s = {.target_kind = CLPROP_SCALING_STANDARD, .outputs = 2,
                        .target_offset = offset, .target_scale = scale};
    cr_expect_eq(clprop_model_set_scaling(model, &s), CLPROP_ERROR_MISMATCH);
    cr_expect(strstr(clprop_model_message(model), "softmax") != NULL, "%s",
              clprop_model_message(model));
    clprop_model_destroy(model);
}

/* ---- Model files from before scaling ---------------------------------------------------------- */

static uint32_t crc32_of(const unsigned char *bytes, size_t count)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < count; i++) {
        crc ^= bytes[i];
        for (int k = 0; k < 8; k++)
            crc = crc & 1 ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
    }
    return ~crc;
}

static void put_u32(unsigned char *at, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        at[i] = (unsigned char)(value >> (8 * i));
}

Test(scaling, a_model_file_written_before_scaling_existed_still_loads_without_scaling)
{
    /* format version 1, one linear layer 2 → 1 with a bias, no sections: what every clprop wrote
     * for such a model before this change, assembled byte by byte */
    unsigned char file[28 + 12 + 12 + 4];
    memcpy(file, "CLPROPMD", 8);
    put_u32(file + 8, 1);
    put_u32(file + 12, 1);
    put_u32(file + 16, 0);
    put_u32(file + 20, 1);
    put_u32(file + 24, 0);
    put_u32(file + 28, 2);
    put_u32(file + 32, 1);
    put_u32(file + 36, CLPROP_ACTIVATION_LINEAR);
    float parameters[3] = {0.5f, -0.25f, 2.0f};
    for (int i = 0; i < 3; i++) {
        uint32_t bits;
        memcpy(&bits, &parameters[i], 4);
        put_u32(file + 40 + 4 * i, bits);
    }
    put_u32(file + 52, crc32_of(file, 52));
    char *dir = test_make_temp_dir();
    char *path = test_write_bytes(dir, "old.clprop", file, sizeof file);
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_load(path, &model), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    cr_expect_not(clprop_model_scaling(model, NULL));
    clprop_context *context = test_context();
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create_from_model(context, model, &net), CLPROP_SUCCESS);
    float x[2] = {4, 8}, y;
    cr_assert_eq(clprop_net_predict(net, x, 1, &y), CLPROP_SUCCESS);
    cr_expect_eq(y, 2.0f, "0.5·4 − 0.25·8 + 2 = 2, got %g", (double)y);
    /* and a model without scaling is still written that way, byte for byte */
    char resaved[4200];
    snprintf(resaved, sizeof resaved, "%s/resaved.clprop", dir);
    cr_assert_eq(clprop_model_save(model, resaved), CLPROP_SUCCESS);
    size_t size;
    char *bytes = test_read_file(resaved, &size);
    cr_expect_eq(size, sizeof file);
    cr_expect_arr_eq(bytes, file, sizeof file);
    free(bytes);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
    clprop_model_destroy(model);
    test_remove_tree(dir);
    free(dir);
    free(path);
}

Test(scaling, the_scaling_section_is_required_so_an_unscaled_reading_cannot_happen)
{
    clprop_context *context = test_context();
    clprop_net *net = make_net(context);
    clprop_data *data = make_data();
    cr_assert_eq(clprop_net_fit_scaling(net, data, CLPROP_SCALING_STANDARD, CLPROP_SCALING_NONE),
                 CLPROP_SUCCESS);
    char *dir = test_make_temp_dir(), path[4200];
    snprintf(path, sizeof path, "%s/m.clprop", dir);
    cr_assert_eq(clprop_net_save(net, path), CLPROP_SUCCESS);
    size_t size;
    char *bytes = test_read_file(path, &size);
    char *tag = memmem(bytes, size, "SCAL", 4);
    cr_assert_not_null(tag, "the file has the section");
    cr_expect_eq((unsigned char)tag[4] & 1, 1, "flag bit 0: required");
    free(bytes);
    test_remove_tree(dir);
    free(dir);
    clprop_data_destroy(data);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}

/* ---- The trainer ------------------------------------------------------------------------------ */

Test(scaling, the_trainer_measures_on_the_training_part_and_checkpoints_carry_it, .timeout = 120)
{
    clprop_context *context = test_context();
    clprop_net *net = make_net(context);
    clprop_data *data = make_data();
    char *dir = test_make_temp_dir(), checkpoint[4200];
    snprintf(checkpoint, sizeof checkpoint, "%s/run.ck", dir);
    clprop_trainer_desc run = {.epochs = 2, .batch = 2, .learning_rate = 0.01f,
                               .validation = 0.4f, .checkpoint = checkpoint,
                               .checkpoint_every = 1, .scale_inputs = CLPROP_SCALING_MINMAX,
                               .scale_targets = CLPROP_SCALING_STANDARD};
    cr_assert_eq(clprop_fit(net, data, &run), CLPROP_SUCCESS, "%s", clprop_net_message(net));
    clprop_scaling s;
    cr_assert(clprop_net_scaling(net, &s));
    /* 3 of the 5 samples train (2 held out): the target offsets are the means of 3 samples,
     * which no 3 of these samples share with all 5 (175, −3) */
    int three = 0;
    for (size_t a = 0; a < SAMPLES; a++)
        for (size_t b = a + 1; b < SAMPLES; b++)
            for (size_t c = b + 1; c < SAMPLES; c++) {
                int same = 1;
                for (size_t o = 0; o < 2; o++) {
                    double mean = (TARGETS[a * 2 + o] + TARGETS[b * 2 + o] +
                                   TARGETS[c * 2 + o]) / 3.0;
                    same &= fabs(mean - s.target_offset[o]) < 1e-4 * (1 + fabs(mean));
                }
                three |= same;
            }
    cr_expect(three, "target offsets %g, %g are no 3 samples' means", (double)s.target_offset[0],
              (double)s.target_offset[1]);
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_load(checkpoint, &model), CLPROP_SUCCESS);
    clprop_scaling saved;
    cr_assert(clprop_model_scaling(model, &saved), "the checkpoint carries the scaling");
    cr_expect_arr_eq(saved.target_scale, s.target_scale, 2 * sizeof(float));
    clprop_model_destroy(model);

    /* resuming keeps the checkpoint's scaling; asking for another kind is refused */
    clprop_net *resumed = make_net(context);
    clprop_trainer_desc more = {.epochs = 3, .resume = checkpoint,
                                .scale_inputs = CLPROP_SCALING_MINMAX};
    cr_assert_eq(clprop_fit(resumed, data, &more), CLPROP_SUCCESS, "%s",
                 clprop_net_message(resumed));
    clprop_scaling after;
    cr_assert(clprop_net_scaling(resumed, &after));
    cr_expect_arr_eq(after.input_offset, s.input_offset, 3 * sizeof(float));
    clprop_trainer_desc other = {.epochs = 3, .resume = checkpoint,
                                 .scale_inputs = CLPROP_SCALING_STANDARD};
    cr_expect_eq(clprop_fit(resumed, data, &other), CLPROP_ERROR_MISMATCH);
    clprop_net_destroy(resumed);

    test_remove_tree(dir);
    free(dir);
    clprop_data_destroy(data);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}
