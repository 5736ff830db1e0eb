/* Loads a model, prints its outputs for every sample of a data file, and checks that the model
 * comes back unchanged from a save and a load: the reloaded network must give the same outputs,
 * bit for bit.
 *
 *   predict MODEL DATA [COPY]     e.g. predict xor.clprop xor.data
 *
 * COPY (default roundtrip.clprop) is where the round trip's file is written; it is removed after.
 * Exits 0, or 1 on an error or when the round trip changed an output. Uses only <clprop.h>. */
#include <clprop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The network's outputs for all the data's samples (samples × outputs, malloc'd), in batches of
 * at most 1024 samples so a large data set never needs a large device buffer; NULL on failure. */
static float *predict_all(clprop_net *net, const clprop_data *data)
{
    size_t samples = clprop_data_samples(data), inputs = clprop_data_inputs(data);
    size_t outputs = clprop_net_units(net, clprop_net_layer_count(net));
    float *values = malloc((samples ? samples : 1) * outputs * sizeof *values);
    for (size_t first = 0; values != NULL && first < samples; first += 1024) {
        size_t batch = samples - first < 1024 ? samples - first : 1024;
        if (clprop_net_forward(net, clprop_data_input_values(data) + first * inputs, batch,
                               values + first * outputs) != CLPROP_SUCCESS) {
            fprintf(stderr, "predict: %s\n", clprop_net_message(net));
            free(values);
            values = NULL;
        }
    }
    return values;
}

/* Saves the network to `copy`, loads it back and predicts again: 0 when every output is the same. */
static int round_trip_differs(clprop_context *context, clprop_net *net, const clprop_data *data,
                              const float *expected, const char *copy)
{
    size_t count = clprop_data_samples(data) * clprop_net_units(net, clprop_net_layer_count(net));
    clprop_net *reloaded = NULL;
    float *outputs = NULL;
    int saved = clprop_net_save(net, copy) == CLPROP_SUCCESS;
    if (!saved)
        fprintf(stderr, "predict: %s\n", clprop_net_message(net));
    else if (clprop_net_load(context, copy, &reloaded) != CLPROP_SUCCESS)
        fprintf(stderr, "predict: %s\n", clprop_net_message(reloaded));
    else
        outputs = predict_all(reloaded, data);
    int differs = outputs == NULL;
    for (size_t i = 0; outputs != NULL && i < count && !differs; i++)
        if (memcmp(&outputs[i], &expected[i], sizeof *outputs) != 0) {
            fprintf(stderr, "predict: after a save and a load, output %zu is %.9g, not %.9g\n", i,
                    outputs[i], expected[i]);
            differs = 1;
        }
    free(outputs);
    clprop_net_destroy(reloaded);
    if (saved)
        remove(copy);
    return differs;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s MODEL DATA [COPY]\n", argv[0]);
        return 2;
    }
    clprop_data_source source = {.path = argv[2]};
    clprop_data *data = NULL;
    clprop_context *context = NULL;
    clprop_net *net = NULL;
    float *outputs = NULL;
    int status = 1;
    if (clprop_data_load(&source, &data) != CLPROP_SUCCESS)
        fprintf(stderr, "predict: %s\n", clprop_data_message(data));
    else if (clprop_context_create(NULL, &context) != CLPROP_SUCCESS)
        fprintf(stderr, "predict: %s\n", clprop_context_message(context));
    else if (clprop_net_load(context, argv[1], &net) != CLPROP_SUCCESS)
        fprintf(stderr, "predict: %s\n", clprop_net_message(net));
    else if (clprop_net_units(net, 0) != clprop_data_inputs(data))
        fprintf(stderr, "predict: the model takes %zu inputs, the data has %zu\n",
                clprop_net_units(net, 0), clprop_data_inputs(data));
    else if ((outputs = predict_all(net, data)) != NULL) {
        size_t width = clprop_net_units(net, clprop_net_layer_count(net));
        for (size_t i = 0; i < clprop_data_samples(data) * width; i++)
            printf("%g%c", outputs[i], (i + 1) % width == 0 ? '\n' : ' ');
        status = round_trip_differs(context, net, data, outputs, argc == 4 ? argv[3]
                                                                          : "roundtrip.clprop");
    }
    if (status == 0)
        printf("round trip: the reloaded model gives the same outputs\n");
    free(outputs);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
    clprop_data_destroy(data);
    return status;
}
