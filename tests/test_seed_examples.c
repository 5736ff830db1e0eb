/* The lecture's two worked examples, on the device and on the reference, against the exact values
 * worked out by hand below (to 1e-6), and through the `clprop example` command. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reference.h"
#include "support.h"

#define TOLERANCE 1e-6

/* seed1, exact arithmetic: h = (2·0.11 + 3·0.21, 2·0.12 + 3·0.08) = (0.85, 0.48);
 * y = 0.14·0.85 + 0.15·0.48 = 0.191; Δ = y − 1 = −0.809; hidden deltas Δ·(w5, w6). */
static const double seed1_h[] = {0.85, 0.48};
static const double seed1_y = 0.191;
static const double seed1_delta = -0.809;
static const double seed1_new_output[] = {0.14 - 0.05 * -0.809 * 0.85,  /* 0.1743825 */
                                          0.15 - 0.05 * -0.809 * 0.48}; /* 0.169416 */
static const double seed1_new_hidden[] = {
    0.11 - 0.05 * 2 * -0.809 * 0.14, /* w1 0.121326 */
    0.21 - 0.05 * 3 * -0.809 * 0.14, /* w2 0.226989 */
    0.12 - 0.05 * 2 * -0.809 * 0.15, /* w3 0.132135 */
    0.08 - 0.05 * 3 * -0.809 * 0.15, /* w4 0.0982025 */
};

static const size_t seed1_sizes[] = {2, 2, 1};
static const clprop_activation seed1_activations[] = {CLPROP_ACTIVATION_LINEAR,
                                                      CLPROP_ACTIVATION_LINEAR};

static void expect_near(const char *what, double got, double want)
{
    cr_expect(fabs(got - want) <= TOLERANCE, "%s: got %.9f, want %.9f", what, got, want);
}

Test(seed_examples, seed1_on_the_device_gives_the_exact_updated_weights)
{
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = seed1_sizes,
                            .activations = seed1_activations,
                            .no_bias = 1,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 0};
    clprop_context *context = test_context();
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    const float hidden[] = {0.11f, 0.21f, 0.12f, 0.08f}, output[] = {0.14f, 0.15f};
    cr_assert_eq(clprop_net_set_weights(net, 1, hidden, NULL), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_set_weights(net, 2, output, NULL), CLPROP_SUCCESS);
    const float input[] = {2, 3}, target[] = {1};
    double loss = 0;
    cr_assert_eq(clprop_net_train_batch(net, input, target, 1, 0.05f, &loss), CLPROP_SUCCESS,
                 "%s", clprop_net_message(net));
    float h[2], y[1], delta[1], new_hidden[4], new_output[2];
    cr_assert_eq(clprop_net_get_layer_state(net, 1, NULL, h, NULL), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_get_layer_state(net, 2, NULL, y, delta), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_get_weights(net, 1, new_hidden, NULL), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_get_weights(net, 2, new_output, NULL), CLPROP_SUCCESS);
    expect_near("h1", h[0], seed1_h[0]);
    expect_near("h2", h[1], seed1_h[1]);
    expect_near("prediction", y[0], seed1_y);
    expect_near("Δ", delta[0], seed1_delta);
    expect_near("E", loss, 0.5 * 0.809 * 0.809);
    for (int i = 0; i < 2; i++)
        expect_near("w5/w6", new_output[i], seed1_new_output[i]);
    for (int i = 0; i < 4; i++)
        expect_near("w1..w4", new_hidden[i], seed1_new_hidden[i]);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}

Test(seed_examples, seed1_on_the_reference_gives_the_exact_updated_weights)
{
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = seed1_sizes,
                            .activations = seed1_activations,
                            .no_bias = 1,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 0};
    const double hidden[] = {0.11, 0.21, 0.12, 0.08}, output[] = {0.14, 0.15};
    const double *weights[] = {hidden, output};
    clprop_ref_net *ref = clprop_ref_net_create(&desc, weights, NULL);
    const double input[] = {2, 3}, target[] = {1};
    double loss = clprop_ref_train_batch(ref, input, target, 1, 0.05);
    expect_near("E", loss, 0.5 * 0.809 * 0.809);
    expect_near("prediction", ref->layers[1].a[0], seed1_y);
    expect_near("Δ", ref->layers[1].delta[0], seed1_delta);
    for (int i = 0; i < 2; i++)
        expect_near("w5/w6", ref->layers[1].weights[i], seed1_new_output[i]);
    for (int i = 0; i < 4; i++)
        expect_near("w1..w4", ref->layers[0].weights[i], seed1_new_hidden[i]);
    clprop_ref_net_destroy(ref);
}

/* seed2, exact arithmetic: o1 = 0.62·0.67 + 0.61·0.54 + 0.67 = 1.4148,
 * o2 = 0.62·0.84 + 0.61·0.52 + 0.67 = 1.508; δo2 = (σ(o2) − 1)·σ(o2)·(1 − σ(o2)). */
static double sigmoid(double z)
{
    return 1 / (1 + exp(-z));
}

static double seed2_delta_o2(void)
{
    double y = sigmoid(1.508);
    return (y - 1) * y * (1 - y);
}

static const size_t seed2_sizes[] = {2, 2};
static const clprop_activation seed2_activations[] = {CLPROP_ACTIVATION_SIGMOID};

Test(seed_examples, seed2_on_the_device_gives_the_exact_delta_and_weights)
{
    clprop_net_desc desc = {.layer_count = 1,
                            .sizes = seed2_sizes,
                            .activations = seed2_activations,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 0};
    clprop_context *context = test_context();
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS);
    const float weights[] = {0.67f, 0.54f, 0.84f, 0.52f}, biases[] = {0.67f, 0.67f};
    cr_assert_eq(clprop_net_set_weights(net, 1, weights, biases), CLPROP_SUCCESS);
    const float input[] = {0.62f, 0.61f};
    float y[2];
    cr_assert_eq(clprop_net_forward(net, input, 1, y), CLPROP_SUCCESS);
    expect_near("f(o1)", y[0], sigmoid(1.4148));
    expect_near("f(o2)", y[1], sigmoid(1.508));
    cr_expect(fabs(y[0] - 0.80) < 0.005 && fabs(y[1] - 0.82) < 0.005,
              "the slides' rounded outputs 0.80 and 0.82");
    const float target[] = {y[0], 1.0f};
    cr_assert_eq(clprop_net_train_batch(net, input, target, 1, 0.1f, NULL), CLPROP_SUCCESS);
    float z[2], delta[2], new_w[4], new_b[2];
    cr_assert_eq(clprop_net_get_layer_state(net, 1, z, NULL, delta), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_get_weights(net, 1, new_w, new_b), CLPROP_SUCCESS);
    double d = seed2_delta_o2();
    expect_near("o1", z[0], 1.4148);
    expect_near("o2", z[1], 1.508);
    expect_near("δo1", delta[0], 0.0);
    expect_near("δo2", delta[1], d);
    expect_near("w(o2,j1)", new_w[2], 0.84 - 0.1 * d * 0.62);
    expect_near("w(o2,j2)", new_w[3], 0.52 - 0.1 * d * 0.61);
    expect_near("b(o2)", new_b[1], 0.67 - 0.1 * d);
    expect_near("w(o1,j1)", new_w[0], 0.67);
    /* and the slides' hand-rounded figures are not the exact ones */
    cr_expect(fabs(delta[1] - -0.027812) > 1e-4, "δo2 should differ from the slides' -0.027812");
    cr_expect(fabs(new_w[2] - 0.84171787) > 1e-5, "w should differ from the slides' 0.84171787");
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}

Test(seed_examples, seed2_on_the_reference_gives_the_exact_delta_and_weights)
{
    clprop_net_desc desc = {.layer_count = 1,
                            .sizes = seed2_sizes,
                            .activations = seed2_activations,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 0};
    const double weights[] = {0.67, 0.54, 0.84, 0.52}, biases[] = {0.67, 0.67};
    const double *w[] = {weights}, *b[] = {biases};
    clprop_ref_net *ref = clprop_ref_net_create(&desc, w, b);
    const double input[] = {0.62, 0.61}, target[] = {sigmoid(1.4148), 1.0};
    clprop_ref_train_batch(ref, input, target, 1, 0.1);
    double d = seed2_delta_o2();
    expect_near("δo2", ref->layers[0].delta[1], d);
    expect_near("w(o2,j1)", ref->layers[0].weights[2], 0.84 - 0.1 * d * 0.62);
    expect_near("w(o2,j2)", ref->layers[0].weights[3], 0.52 - 0.1 * d * 0.61);
    expect_near("b(o2)", ref->layers[0].biases[1], 0.67 - 0.1 * d);
    clprop_ref_net_destroy(ref);
}

Test(seed_examples, the_example_command_prints_the_walkthrough)
{
    char *out = NULL, *err = NULL;
    int code = test_run_command("example seed1", &out, &err);
    cr_assert_eq(code, 0, "exit %d: %s", code, err);
    cr_expect(strstr(out, "0.17438250") != NULL, "w5 exact:\n%s", out);
    cr_expect(strstr(out, "0.09820250") != NULL, "w4 exact:\n%s", out);
    cr_expect(strstr(out, "slides: 0.17 differs") != NULL, "slide difference line:\n%s", out);
    cr_expect(strstr(out, "agrees to 1e-6") != NULL, "summary:\n%s", out);
    free(out), free(err);
    code = test_run_command("example seed2", &out, &err);
    cr_assert_eq(code, 0, "exit %d: %s", code, err);
    cr_expect(strstr(out, "slides: -0.027812 differs") != NULL, "δo2 line:\n%s", out);
    cr_expect(strstr(out, "0.84166739") != NULL, "w(o2,j1) exact:\n%s", out);
    cr_expect(strstr(out, "agrees to 1e-6") != NULL, "summary:\n%s", out);
    free(out), free(err);
}

/* Each refusal one line naming what was wrong, not the whole usage text. */
Test(seed_examples, the_example_command_refuses_an_unknown_example)
{
    const struct {
        const char *args, *names;
    } cases[] = {{"example seed3", "seed3"},
                 {"example", "seed1 or seed2"},
                 {"example seed1 seed2", "seed2"},
                 {"example seed1 --fast", "--fast"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *err = NULL;
        cr_expect_eq(test_run_command(cases[i].args, NULL, &err), 2, "%s", cases[i].args);
        cr_expect(strstr(err, cases[i].names) != NULL, "%s: %s", cases[i].args, err);
        cr_expect(strchr(err, '\n') == strrchr(err, '\n'), "one line: %s", err);
        free(err);
    }
}
