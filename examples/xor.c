/* XOR learnt from arrays by a 2-4-1 sigmoid network, saved to xor.clprop (or the path given).
 * Exits 0 when the mean loss ½(y − t)² over the four cases reached 0.001, 1 otherwise. */
#include <clprop.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    const float inputs[] = {0, 0, 0, 1, 1, 0, 1, 1}, targets[] = {0, 1, 1, 0};
    const size_t sizes[] = {2, 4, 1};
    const clprop_net_desc shape = {.layer_count = 2, .sizes = sizes, .seed = 1};
    const clprop_trainer_desc training = {.epochs = 20000, .batch = 4, .learning_rate = 2.0f,
                                          .target_loss = 0.001};
    clprop_context *context = NULL;
    clprop_data *data = NULL;
    clprop_net *net = NULL;
    float outputs[4];
    double loss = 0;
    clprop_status s; /* the first failure's: CLPROP_SUCCESS is 0 */
    if ((s = clprop_context_create(NULL, &context)) ||
        (s = clprop_data_create(4, 2, 1, inputs, targets, &data)) ||
        (s = clprop_net_create(context, &shape, &net)) || (s = clprop_fit(net, data, &training)) ||
        (s = clprop_net_forward(net, inputs, 4, outputs)) ||
        (s = clprop_net_save(net, argc > 1 ? argv[1] : "xor.clprop")))
        fprintf(stderr, "xor: %s\n", clprop_status_name(s));
    for (int i = 0; s == CLPROP_SUCCESS && i < 4; i++) {
        printf("%g xor %g -> %f\n", inputs[2 * i], inputs[2 * i + 1], outputs[i]);
        loss += 0.5 * (outputs[i] - targets[i]) * (outputs[i] - targets[i]) / 4;
    }
    printf("mean loss %g (target 0.001)\n", loss);
    clprop_net_destroy(net);
    clprop_data_destroy(data);
    clprop_context_destroy(context);
    return s == CLPROP_SUCCESS && loss <= 0.001 ? 0 : 1;
}
