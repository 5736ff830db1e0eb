/* A 2-4-1 sigmoid network learns XOR (0/1 targets) on the device from a fixed seed. */
#include <criterion/criterion.h>

#include "support.h"

Test(xor, a_2_4_1_sigmoid_network_learns_xor)
{
    const size_t sizes[] = {2, 4, 1};
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = NULL,
                            .no_bias = 0,
                            .loss = CLPROP_LOSS_MSE,
                            .seed = 2024};
    clprop_context *context = test_context();
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &desc, &net), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    const float inputs[] = {0, 0, 0, 1, 1, 0, 1, 1}, targets[] = {0, 1, 1, 0};
    double loss = 1.0;
    int epoch = 0;
    /* The loss is read every 250 epochs only: reading it waits for the device. Its mean ½(y−t)²
     * per sample is half the MSE of a single output. */
    for (; epoch < 20000 && 2 * loss >= 0.005; epoch++)
        cr_assert_eq(clprop_net_train_batch(net, inputs, targets, 4, 2.0f,
                                            epoch % 250 == 249 ? &loss : NULL),
                     CLPROP_SUCCESS, "%s", clprop_net_message(net));
    float outputs[4];
    cr_assert_eq(clprop_net_forward(net, inputs, 4, outputs), CLPROP_SUCCESS);
    double mse = 0;
    for (int i = 0; i < 4; i++)
        mse += (outputs[i] - targets[i]) * (outputs[i] - targets[i]) / 4.0;
    cr_expect(mse < 0.01, "MSE %g after %d epochs; outputs %g %g %g %g (loss %g)", mse, epoch,
              outputs[0], outputs[1], outputs[2], outputs[3], loss);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
}
