/* Determinism and thread safety: the same seed on the same device gives bit-identical weights;
 * two PoCL devices agree within float rounding; two networks on two contexts train concurrently
 * from two threads with the results each gets alone. */
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define WEIGHTS (8 * 16)

typedef struct run {
    const char *device; /* selector; NULL for the default */
    uint64_t seed;
    float weights[WEIGHTS];
    double loss;
    clprop_status status;
    char message[512];
} run;

/* Trains an 8-16-2 tanh network on diabetes for 3 epochs and keeps the first layer's weights. */
static void *train(void *argument)
{
    run *r = argument;
    clprop_data_source source = {.path = CLPROP_FANN_DIR "/diabetes.train"};
    clprop_data *data = NULL;
    clprop_context *context = NULL;
    clprop_device_data *on_device = NULL;
    clprop_net *net = NULL;
    clprop_context_desc desc = {.device = r->device};
    const size_t sizes[] = {8, 16, 2};
    const clprop_activation activations[] = {CLPROP_ACTIVATION_TANH, CLPROP_ACTIVATION_LINEAR};
    clprop_net_desc shape = {.layer_count = 2,
                             .sizes = sizes,
                             .activations = activations,
                             .no_bias = 0,
                             .loss = CLPROP_LOSS_MSE,
                             .seed = r->seed};
    clprop_optimizer adam = {.kind = CLPROP_OPTIMIZER_ADAM};
    r->status = clprop_data_load(&source, &data);
    if (r->status == CLPROP_SUCCESS)
        r->status = clprop_context_create(&desc, &context);
    if (r->status == CLPROP_SUCCESS)
        r->status = clprop_device_data_create(context, data, &on_device);
    if (r->status == CLPROP_SUCCESS)
        r->status = clprop_net_create(context, &shape, &net);
    if (r->status == CLPROP_SUCCESS)
        r->status = clprop_net_set_optimizer(net, &adam);
    clprop_pass_result result = {0};
    for (uint64_t epoch = 0; epoch < 3 && r->status == CLPROP_SUCCESS; epoch++) {
        clprop_epoch_desc options = {
            .batch = 16, .learning_rate = 0.01f, .shuffle_seed = r->seed * 100 + epoch};
        r->status = clprop_net_train_epoch(net, on_device, &options, &result);
    }
    if (r->status == CLPROP_SUCCESS)
        r->status = clprop_net_get_weights(net, 1, r->weights, NULL);
    r->loss = result.loss;
    snprintf(r->message, sizeof r->message, "%s",
             net != NULL ? clprop_net_message(net) : clprop_context_message(context));
    clprop_net_destroy(net);
    clprop_device_data_destroy(on_device);
    clprop_context_destroy(context);
    clprop_data_destroy(data);
    return NULL;
}

Test(reliability, the_same_seed_on_the_same_device_gives_bit_identical_weights)
{
    run first = {NULL, 7}, second = {NULL, 7};
    train(&first);
    train(&second);
    cr_assert_eq(first.status, CLPROP_SUCCESS, "%s", first.message);
    cr_assert_eq(second.status, CLPROP_SUCCESS, "%s", second.message);
    cr_expect_arr_eq(first.weights, second.weights, sizeof first.weights);
    cr_expect_eq(first.loss, second.loss);
}

/* PoCL's one-thread "basic" device and its multi-thread "pthread" device run the same kernels
 * with the same fixed-order reductions, so they may agree exactly; the stated tolerance is what
 * float32 reordering could cost: 1e-5 of the largest weight. */
Test(reliability, two_pocl_devices_agree_within_float_rounding)
{
    setenv("POCL_DEVICES", "basic pthread", 1);
    run basic = {"basic", 7}, threaded = {"pthread", 7};
    train(&basic);
    train(&threaded);
    cr_assert_eq(basic.status, CLPROP_SUCCESS, "%s", basic.message);
    cr_assert_eq(threaded.status, CLPROP_SUCCESS, "%s", threaded.message);
    double largest = 0, difference = 0;
    for (int i = 0; i < WEIGHTS; i++) {
        largest = fmax(largest, fabs(basic.weights[i]));
        difference = fmax(difference, fabs(basic.weights[i] - threaded.weights[i]));
    }
    cr_expect_leq(difference, 1e-5 * largest, "devices differ by %g (largest weight %g)",
                  difference, largest);
}

/* The library keeps no global mutable state: two threads, each with its own context, network and
 * data, train at once and get what each gets alone. */
Test(reliability, two_threads_train_two_networks_concurrently_as_they_do_alone)
{
    run alone[2] = {{NULL, 3}, {NULL, 4}}, together[2] = {{NULL, 3}, {NULL, 4}};
    train(&alone[0]);
    train(&alone[1]);
    pthread_t threads[2];
    for (int t = 0; t < 2; t++)
        cr_assert_eq(pthread_create(&threads[t], NULL, train, &together[t]), 0);
    for (int t = 0; t < 2; t++)
        pthread_join(threads[t], NULL);
    for (int t = 0; t < 2; t++) {
        cr_assert_eq(together[t].status, CLPROP_SUCCESS, "%s", together[t].message);
        cr_expect_arr_eq(alone[t].weights, together[t].weights, sizeof alone[t].weights,
                         "thread %d", t);
    }
    cr_expect(memcmp(alone[0].weights, alone[1].weights, sizeof alone[0].weights) != 0,
              "two seeds, two different networks");
}
