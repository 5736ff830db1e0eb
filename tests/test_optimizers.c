/* Every optimizer against the double-precision reference over several steps on random data, and
 * its state copied out and back in continuing exactly. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "reference.h"
#include "support.h"

typedef struct optimizer_case {
    clprop_optimizer optimizer;
    float rate;
    int no_bias;
} optimizer_case;

static optimizer_case cases[] = {
    {{CLPROP_OPTIMIZER_SGD}, 0.3f, 0},
    {{CLPROP_OPTIMIZER_SGD, .weight_decay = 0.01f}, 0.3f, 0},
    {{CLPROP_OPTIMIZER_MOMENTUM}, 0.1f, 0},
    {{CLPROP_OPTIMIZER_MOMENTUM, .momentum = 0.8f, .nesterov = 1, .weight_decay = 0.001f}, 0.1f, 1},
    {{CLPROP_OPTIMIZER_ADAM}, 0.01f, 0},
    {{CLPROP_OPTIMIZER_ADAM, .beta1 = 0.8f, .beta2 = 0.99f, .weight_decay = 0.05f}, 0.01f, 1},
    {{CLPROP_OPTIMIZER_RPROP}, 1.0f, 0},
    {{CLPROP_OPTIMIZER_RPROP, .weight_decay = 0.001f}, 1.0f, 1},
};

ParameterizedTestParameters(optimizers, steps_match_the_reference)
{
    return cr_make_param_array(optimizer_case, cases, sizeof cases / sizeof *cases);
}

static const size_t sizes[] = {5, 7, 3};
static const clprop_activation activations[] = {CLPROP_ACTIVATION_TANH,
                                                CLPROP_ACTIVATION_SIGMOID};

static clprop_net *make_net(clprop_context *context, const optimizer_case *c)
{
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = activations,
                            .no_bias = c->no_bias,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 17};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS);
    cr_assert_eq(clprop_net_set_optimizer(net, &c->optimizer), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    return net;
}

/* The device network's weights as a reference network with the same optimizer. */
static clprop_ref_net *mirror(clprop_net *net, const optimizer_case *c)
{
    double *weights[2], *biases[2];
    for (size_t l = 1; l <= 2; l++) {
        float w[35], b[7];
        cr_assert_eq(clprop_net_get_weights(net, l, w, b), CLPROP_SUCCESS);
        weights[l - 1] = clprop_ref_widen(w, sizes[l - 1] * sizes[l]);
        biases[l - 1] = clprop_ref_widen(b, sizes[l]);
    }
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = activations,
                            .no_bias = c->no_bias,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 0};
    clprop_ref_net *ref = clprop_ref_net_create(&desc, (const double *const *)weights,
                                                (const double *const *)biases);
    cr_assert(clprop_ref_set_optimizer(ref, &c->optimizer));
    for (int l = 0; l < 2; l++)
        free(weights[l]), free(biases[l]);
    return ref;
}

ParameterizedTest(optimizer_case *c, optimizers, steps_match_the_reference)
{
    clprop_context *context = test_context();
    clprop_net *net = make_net(context, c);
    clprop_ref_net *ref = mirror(net, c);
    test_rng rng = test_rng_seeded(300 + (uint64_t)c->optimizer.kind);
    const size_t batch = 9;
    for (int step = 1; step <= 6; step++) {
        float inputs[9 * 5], targets[9 * 3];
        test_fill_uniform(&rng, inputs, batch * 5, -1, 1);
        test_fill_uniform(&rng, targets, batch * 3, 0, 1);
        cr_assert_eq(clprop_net_train_batch(net, inputs, targets, batch, c->rate, NULL),
                     CLPROP_SUCCESS, "%s", clprop_net_message(net));
        double *wide_in = clprop_ref_widen(inputs, batch * 5);
        double *wide_t = clprop_ref_widen(targets, batch * 3);
        clprop_ref_train_batch(ref, wide_in, wide_t, batch, c->rate);
        free(wide_in), free(wide_t);
        for (size_t l = 1; l <= 2; l++) {
            float w[35], b[7];
            cr_assert_eq(clprop_net_get_weights(net, l, w, b), CLPROP_SUCCESS);
            char what[96];
            snprintf(what, sizeof what, "%s step %d layer %zu weights",
                     clprop_optimizer_name(c->optimizer.kind), step, l);
            test_assert_close(what, w, ref->layers[l - 1].weights, sizes[l - 1] * sizes[l],
                              1e-4);
            if (!c->no_bias)
                test_assert_close("biases", b, ref->layers[l - 1].biases, sizes[l], 1e-4);
        }
    }
    clprop_ref_net_destroy(ref);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}

ParameterizedTestParameters(optimizers, saved_state_continues_exactly)
{
    return cr_make_param_array(optimizer_case, cases, sizeof cases / sizeof *cases);
}

static void train_steps(clprop_net *net, test_rng *rng, int steps, float rate)
{
    for (int step = 0; step < steps; step++) {
        float inputs[9 * 5], targets[9 * 3];
        test_fill_uniform(rng, inputs, 45, -1, 1);
        test_fill_uniform(rng, targets, 27, 0, 1);
        cr_assert_eq(clprop_net_train_batch(net, inputs, targets, 9, rate, NULL),
                     CLPROP_SUCCESS);
    }
}

/* Train 3 steps, copy weights and optimizer state into a fresh network, train both 3 more steps
 * on the same data: bit-identical weights. */
ParameterizedTest(optimizer_case *c, optimizers, saved_state_continues_exactly)
{
    clprop_context *context = test_context();
    clprop_net *first = make_net(context, c);
    test_rng rng = test_rng_seeded(400);
    train_steps(first, &rng, 3, c->rate);

    size_t floats = clprop_net_optimizer_state_floats(first);
    size_t parameters = 5 * 7 + 7 * 3 + (c->no_bias ? 0 : 7 + 3);
    size_t slots = c->optimizer.kind == CLPROP_OPTIMIZER_SGD        ? 0
                   : c->optimizer.kind == CLPROP_OPTIMIZER_MOMENTUM ? 1
                                                                    : 2;
    cr_assert_eq(floats, slots * parameters);
    float *state = malloc((floats + 1) * sizeof(float));
    uint64_t steps = 0;
    cr_assert_eq(clprop_net_get_optimizer_state(first, &steps, state), CLPROP_SUCCESS);
    cr_assert_eq(steps, 3);

    clprop_net *second = make_net(context, c);
    for (size_t l = 1; l <= 2; l++) {
        float w[35], b[7];
        cr_assert_eq(clprop_net_get_weights(first, l, w, b), CLPROP_SUCCESS);
        cr_assert_eq(clprop_net_set_weights(second, l, w, b), CLPROP_SUCCESS);
    }
    cr_assert_eq(clprop_net_set_optimizer_state(second, steps, state), CLPROP_SUCCESS, "%s",
                 clprop_net_message(second));
    test_rng again = rng;
    train_steps(first, &rng, 3, c->rate);
    train_steps(second, &again, 3, c->rate);
    for (size_t l = 1; l <= 2; l++) {
        float a[35], b[35];
        cr_assert_eq(clprop_net_get_weights(first, l, a, NULL), CLPROP_SUCCESS);
        cr_assert_eq(clprop_net_get_weights(second, l, b, NULL), CLPROP_SUCCESS);
        cr_expect_arr_eq(a, b, sizes[l - 1] * sizes[l] * sizeof(float), "layer %zu", l);
    }
    free(state);
    clprop_net_destroy(first);
    clprop_net_destroy(second);
    clprop_context_destroy(context);
}

Test(optimizers, nonsense_settings_are_refused)
{
    clprop_context *context = test_context();
    const optimizer_case plain = {{CLPROP_OPTIMIZER_SGD}, 0.1f, 0};
    clprop_net *net = make_net(context, &plain);
    clprop_optimizer bad[] = {{(clprop_optimizer_kind)9},
                              {CLPROP_OPTIMIZER_MOMENTUM, .momentum = 1.5f},
                              {CLPROP_OPTIMIZER_ADAM, .beta2 = -0.1f},
                              {CLPROP_OPTIMIZER_SGD, .weight_decay = -1.0f}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_expect_eq(clprop_net_set_optimizer(net, &bad[i]), CLPROP_ERROR_INVALID_ARGUMENT);
        cr_expect(strstr(clprop_net_message(net), "optimizer") != NULL);
    }
    clprop_optimizer in_use;
    clprop_net_get_optimizer(net, &in_use);
    cr_expect_eq(in_use.kind, CLPROP_OPTIMIZER_SGD, "a refused choice leaves the old one");
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}
