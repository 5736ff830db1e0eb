/* clprop-fann-bench: libfann's side of the FANN benchmark table (bench/fann/compare.sh).
 *
 * Build: CMake builds build/clprop-fann-bench when it finds libfann-dev's floatfann; or by hand,
 *   cc -std=c11 -O2 -Wall -Wextra bench/fann/fann_bench.c -o fann_bench -lfloatfann -lm
 *
 * Run:
 *   clprop-fann-bench init LAYERS SEED OUT.net
 *       a fully connected network of LAYERS units (e.g. 21,16,8,3), FANN_SIGMOID in every layer
 *       at FANN's default steepness 0.5, as FANN's benchmarks/quality.cc builds it; weights
 *       uniform in [-0.1, 0.1] (fann_randomize_weights, what fann_create_standard draws) from
 *       srand(SEED), so a seed gives the same network every time. clprop starts from this file
 *       too (train --init OUT.net): both libraries train the very same initial weights.
 *   clprop-fann-bench train IN.net TRAIN EPOCHS tanh|linear OUT.net
 *       EPOCHS of fann_train_epoch with FANN_TRAIN_RPROP (iRPROP-, one step per pass over the
 *       whole file) and the given training error function: tanh is FANN's default and what its
 *       benchmarks train with; linear is the plain squared error clprop's --loss mse uses.
 *   clprop-fann-bench test NET DATA
 *       one line: "mse M class_error E samples N": M is fann_test_data's figure (fann_get_MSE:
 *       the mean over samples and outputs of (output - target)^2), E the share of samples
 *       classified wrongly — by the largest output when every target row is one-hot, by
 *       output >= 0.5 when there is one output and every target is 0 or 1 — or "-" otherwise.
 */
#include <floatfann.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LAYERS 16

static int usage(void)
{
    fprintf(stderr, "usage: clprop-fann-bench init LAYERS SEED OUT.net\n"
                    "       clprop-fann-bench train IN.net TRAIN EPOCHS tanh|linear OUT.net\n"
                    "       clprop-fann-bench test NET DATA\n");
    return 2;
}

/* "21,16,8,3" into sizes[]; returns the count, 0 when malformed. */
static unsigned parse_layers(unsigned sizes[MAX_LAYERS], const char *text)
{
    unsigned count = 0;
    while (*text != '\0' && count < MAX_LAYERS) {
        char *end = NULL;
        unsigned long size = strtoul(text, &end, 10);
        if (end == text || size == 0 || size > 1000000 || (*end != ',' && *end != '\0'))
            return 0;
        sizes[count++] = (unsigned)size;
        text = *end == ',' ? end + 1 : end;
    }
    return *text == '\0' && count >= 2 ? count : 0;
}

static int command_init(const char *layers, const char *seed, const char *out)
{
    unsigned sizes[MAX_LAYERS];
    unsigned count = parse_layers(sizes, layers);
    if (count == 0) {
        fprintf(stderr, "clprop-fann-bench: bad LAYERS \"%s\" (expected e.g. 21,16,8,3)\n", layers);
        return 2;
    }
    struct fann *ann = fann_create_standard_array(count, sizes);
    if (ann == NULL)
        return 1;
    fann_set_activation_function_hidden(ann, FANN_SIGMOID);
    fann_set_activation_function_output(ann, FANN_SIGMOID);
    srand((unsigned)strtoul(seed, NULL, 10));
    fann_randomize_weights(ann, -0.1f, 0.1f);
    int failed = fann_save(ann, out) != 0;
    fann_destroy(ann);
    return failed;
}

static int command_train(const char *in, const char *train_path, const char *epochs_text,
                         const char *error_function, const char *out)
{
    long epochs = strtol(epochs_text, NULL, 10);
    int linear = strcmp(error_function, "linear") == 0;
    if (epochs <= 0 || (!linear && strcmp(error_function, "tanh") != 0))
        return usage();
    struct fann *ann = fann_create_from_file(in);
    struct fann_train_data *data = fann_read_train_from_file(train_path);
    int failed = ann == NULL || data == NULL;
    if (!failed) {
        fann_set_training_algorithm(ann, FANN_TRAIN_RPROP);
        fann_set_train_error_function(ann, linear ? FANN_ERRORFUNC_LINEAR : FANN_ERRORFUNC_TANH);
        for (long epoch = 0; epoch < epochs; epoch++)
            fann_train_epoch(ann, data);
        failed = fann_save(ann, out) != 0;
    }
    if (data != NULL)
        fann_destroy_train(data);
    if (ann != NULL)
        fann_destroy(ann);
    return failed;
}

static unsigned largest(const fann_type *values, unsigned count)
{
    unsigned best = 0;
    for (unsigned i = 1; i < count; i++)
        if (values[i] > values[best])
            best = i;
    return best;
}

/* 2: every target row one-hot; 1: one output, every target 0 or 1; 0: neither. */
static int target_kind(const struct fann_train_data *data)
{
    unsigned outputs = data->num_output;
    int one_hot = outputs > 1, binary = outputs == 1;
    for (unsigned s = 0; s < data->num_data; s++) {
        unsigned ones = 0;
        for (unsigned o = 0; o < outputs; o++) {
            fann_type t = data->output[s][o];
            if (t != 0.0f && t != 1.0f)
                return 0;
            ones += t == 1.0f;
        }
        one_hot = one_hot && ones == 1;
    }
    return one_hot ? 2 : binary;
}

static int command_test(const char *net_path, const char *data_path)
{
    struct fann *ann = fann_create_from_file(net_path);
    struct fann_train_data *data = fann_read_train_from_file(data_path);
    int failed = ann == NULL || data == NULL;
    if (!failed) {
        float mse = fann_test_data(ann, data);
        int kind = target_kind(data);
        unsigned wrong = 0;
        for (unsigned s = 0; kind != 0 && s < data->num_data; s++) {
            const fann_type *output = fann_run(ann, data->input[s]);
            const fann_type *target = data->output[s];
            if (kind == 2)
                wrong += largest(output, data->num_output) != largest(target, data->num_output);
            else
                wrong += (output[0] >= 0.5f) != (target[0] == 1.0f);
        }
        printf("mse %.6g class_error ", (double)mse);
        if (kind != 0)
            printf("%.6g", (double)wrong / data->num_data);
        else
            printf("-");
        printf(" samples %u\n", data->num_data);
    }
    if (data != NULL)
        fann_destroy_train(data);
    if (ann != NULL)
        fann_destroy(ann);
    return failed;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "init") == 0)
        return command_init(argv[2], argv[3], argv[4]);
    if (argc == 7 && strcmp(argv[1], "train") == 0)
        return command_train(argv[2], argv[3], argv[4], argv[5], argv[6]);
    if (argc == 4 && strcmp(argv[1], "test") == 0)
        return command_test(argv[2], argv[3]);
    return usage();
}
