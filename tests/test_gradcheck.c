/* The device's whole backward pass against finite differences of the loss, on random networks of
 * 1 to 4 weight layers (2- to 5-layer networks counting the input), every activation and mixes of
 * them, with and without biases. The differences are taken on the double reference with the
 * device's own weights, so they carry no float32 noise. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdlib.h>

#include "reference.h"
#include "support.h"

typedef struct gradcheck_case {
    size_t weight_layers;
    int activation_mix; /* 0 sigmoid, 1 linear, 2 sigmoid/linear, 3 tanh, 4 relu/leaky-relu */
    int no_bias;
    int dropout;        /* hidden layers drop units at rate 0.4 (the masks fixed for the check) */
} gradcheck_case;

#define MIXES 5
static gradcheck_case cases[4 * MIXES * 2 + 3 * MIXES];

ParameterizedTestParameters(gradcheck, device_gradients_match_finite_differences)
{
    size_t n = 0;
    for (size_t layers = 1; layers <= 4; layers++)
        for (int mix = 0; mix < MIXES; mix++)
            for (int no_bias = 0; no_bias < 2; no_bias++)
                cases[n++] = (gradcheck_case){layers, mix, no_bias, 0};
    for (size_t layers = 2; layers <= 4; layers++)
        for (int mix = 0; mix < MIXES; mix++)
            cases[n++] = (gradcheck_case){layers, mix, 0, 1};
    return cr_make_param_array(gradcheck_case, cases, n);
}

#define DROPOUT_RATE 0.4f

static clprop_activation activation_for(int mix, size_t layer)
{
    switch (mix) {
    case 0:
        return CLPROP_ACTIVATION_SIGMOID;
    case 1:
        return CLPROP_ACTIVATION_LINEAR;
    case 2:
        return layer % 2 ? CLPROP_ACTIVATION_LINEAR : CLPROP_ACTIVATION_SIGMOID;
    case 3:
        return CLPROP_ACTIVATION_TANH;
    default:
        return layer % 2 ? CLPROP_ACTIVATION_LEAKY_RELU : CLPROP_ACTIVATION_RELU;
    }
}

/* ∂(Σ_b E_b)/∂w by central differences; the reference's loss is the batch mean. */
static double numerical_gradient(clprop_ref_net *ref, double *parameter, const double *inputs,
                                 const double *targets, size_t batch)
{
    const double h = 1e-6, saved = *parameter;
    *parameter = saved + h;
    double plus = clprop_ref_loss(ref, inputs, targets, batch);
    *parameter = saved - h;
    double minus = clprop_ref_loss(ref, inputs, targets, batch);
    *parameter = saved;
    return (plus - minus) / (2 * h) * (double)batch;
}

static void compare_layer(clprop_ref_net *ref, clprop_net *net, size_t l, const double *inputs,
                          const double *targets, size_t batch)
{
    clprop_ref_layer *layer = &ref->layers[l - 1];
    size_t count = layer->inputs * layer->outputs;
    float *device = malloc(count * 4), device_bias[8];
    double *numeric = malloc(count * sizeof(double)), numeric_bias[8];
    cr_assert_eq(clprop_net_get_gradients(net, l, device, device_bias), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    for (size_t i = 0; i < count; i++)
        numeric[i] = numerical_gradient(ref, &layer->weights[i], inputs, targets, batch);
    char what[64];
    snprintf(what, sizeof what, "layer %zu weight gradients", l);
    test_assert_close(what, device, numeric, count, 1e-4);
    if (layer->biases != NULL) {
        for (size_t o = 0; o < layer->outputs; o++)
            numeric_bias[o] = numerical_gradient(ref, &layer->biases[o], inputs, targets, batch);
        snprintf(what, sizeof what, "layer %zu bias gradients", l);
        test_assert_close(what, device_bias, numeric_bias, layer->outputs, 1e-4);
    }
    /* The reference's own analytic gradients agree with the differences far more tightly. */
    clprop_ref_compute_gradients(ref, inputs, targets, batch);
    float *analytic = malloc(count * 4);
    for (size_t i = 0; i < count; i++)
        analytic[i] = (float)layer->weight_gradients[i];
    snprintf(what, sizeof what, "layer %zu reference gradients", l);
    test_assert_close(what, analytic, numeric, count, 1e-6);
    free(device), free(numeric), free(analytic);
}

ParameterizedTest(gradcheck_case *c, gradcheck, device_gradients_match_finite_differences)
{
    test_rng rng = test_rng_seeded(100 + c->weight_layers * 10 + (size_t)c->activation_mix * 2 +
                                   (size_t)c->no_bias + 1000 * (size_t)c->dropout);
    size_t sizes[5];
    clprop_activation activations[4];
    for (size_t l = 0; l <= c->weight_layers; l++)
        sizes[l] = 1 + (size_t)test_rng_uniform(&rng, 0, 6);
    for (size_t l = 0; l < c->weight_layers; l++)
        activations[l] = activation_for(c->activation_mix, l);
    clprop_net_desc desc = {.layer_count = c->weight_layers,
                            .sizes = sizes,
                            .activations = activations,
                            .no_bias = c->no_bias,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = (uint64_t)c->weight_layers + 7};
    float rates[3] = {DROPOUT_RATE, DROPOUT_RATE, DROPOUT_RATE};
    desc.dropout = c->dropout ? rates : NULL;
    clprop_context *context = test_context();
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));

    /* Random biases too, so their gradients are tested away from zero. */
    double *weights[4], *biases[4];
    for (size_t l = 1; l <= c->weight_layers; l++) {
        size_t count = sizes[l - 1] * sizes[l];
        float *w = malloc(count * 4), b[8];
        cr_assert_eq(clprop_net_get_weights(net, l, w, NULL), CLPROP_SUCCESS);
        test_fill_uniform(&rng, b, sizes[l], -0.5, 0.5);
        cr_assert_eq(clprop_net_set_weights(net, l, w, b), CLPROP_SUCCESS, "%s",
                     clprop_net_message(net));
        weights[l - 1] = clprop_ref_widen(w, count);
        biases[l - 1] = clprop_ref_widen(b, sizes[l]);
        free(w);
    }
    const size_t batch = 3;
    float inputs[3 * 8], targets[3 * 8];
    test_fill_uniform(&rng, inputs, batch * sizes[0], -1, 1);
    test_fill_uniform(&rng, targets, batch * sizes[c->weight_layers], 0, 1);
    double loss = 0;
    cr_assert_eq(clprop_net_compute_gradients(net, inputs, targets, batch, &loss), CLPROP_SUCCESS,
                 "%s", clprop_net_message(net));

    clprop_ref_net *ref = clprop_ref_net_create(&desc, (const double *const *)weights,
                                                (const double *const *)biases);
    /* The device's masks of this pass (step 0, the network's seed), fixed for the differences. */
    double *masks[4] = {NULL, NULL, NULL, NULL};
    for (size_t l = 1; c->dropout && l < c->weight_layers; l++)
        masks[l - 1] = test_dropout_factors(DROPOUT_RATE, desc.seed, 0, (uint32_t)l, 0, sizes[l],
                                            batch);
    ref->dropout = (const double *const *)masks;
    double *wide_inputs = clprop_ref_widen(inputs, batch * sizes[0]);
    double *wide_targets = clprop_ref_widen(targets, batch * sizes[c->weight_layers]);
    double want_loss = clprop_ref_loss(ref, wide_inputs, wide_targets, batch);
    cr_assert_float_eq(loss, want_loss, 1e-5 * fmax(1.0, want_loss), "loss %g, want %g", loss,
                       want_loss);
    for (size_t l = 1; l <= c->weight_layers; l++)
        compare_layer(ref, net, l, wide_inputs, wide_targets, batch);

    for (size_t l = 0; l < c->weight_layers; l++)
        free(weights[l]), free(biases[l]), free(masks[l]);
    free(wide_inputs), free(wide_targets);
    clprop_ref_net_destroy(ref);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}
