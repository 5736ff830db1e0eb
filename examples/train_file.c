/* Trains a network on a data file with a validation share and early stopping, and saves it.
 *
 *   train_file DATA MODEL [LABELS]   e.g. train_file ../shared/datasets/fann/thyroid.train t.clprop
 *
 * DATA is a FANN file (its outputs are the targets), a CSV file whose last column holds class
 * labels, or IDX images with their LABELS file. Targets that are classes (labels, one-hot rows
 * of 0/1) get a softmax output with cross-entropy, one-hot rows of -1/1 a tanh output, other
 * targets a linear one, both with squared error.
 * Uses only the public header <clprop.h>. */
#include <clprop.h>
#include <stdio.h>

static int print_epoch(void *user, const clprop_epoch_report *e)
{
    (void)user;
    printf("epoch %zu: loss %.5f, validation loss %.5f\n", e->epoch, e->train.loss,
           e->validation.loss);
    return 0; /* non-zero would stop the run here */
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s DATA MODEL [LABELS]\n", argv[0]);
        return 2;
    }
    clprop_data *data = NULL;
    clprop_context *context = NULL;
    clprop_net *net = NULL;
    clprop_trainer *trainer = NULL;
    const char *failure = NULL;

    clprop_data_source source = {.path = argv[1], .labels_path = argc == 4 ? argv[3] : NULL};
    clprop_data_format format = CLPROP_DATA_AUTO;
    if (clprop_data_detect_format(argv[1], &format, NULL, 0) == CLPROP_SUCCESS &&
        format == CLPROP_DATA_CSV)
        source.csv_label_column = -1; /* the last column */
    if (clprop_data_load(&source, &data) != CLPROP_SUCCESS)
        failure = clprop_data_message(data);
    else if (clprop_context_create(NULL, &context) != CLPROP_SUCCESS)
        failure = clprop_context_message(context);
    if (failure == NULL) {
        /* inputs, one hidden layer of 16 tanh units, the output the targets call for: a softmax
         * for classes (labels, or one-hot rows of 0/1), tanh for one-hot rows of -1/1 (its range),
         * else linear; Adam */
        clprop_target_kind kind = clprop_data_target_kind(data);
        int classes = kind == CLPROP_TARGETS_ONE_HOT && clprop_data_outputs(data) > 1;
        clprop_activation output = classes ? CLPROP_ACTIVATION_SOFTMAX
                                   : kind == CLPROP_TARGETS_ONE_HOT_SYMMETRIC
                                       ? CLPROP_ACTIVATION_TANH
                                       : CLPROP_ACTIVATION_LINEAR;
        size_t sizes[] = {clprop_data_inputs(data), 16, clprop_data_outputs(data)};
        clprop_activation activations[] = {CLPROP_ACTIVATION_TANH, output};
        clprop_net_desc shape = {.layer_count = 2,
                                 .sizes = sizes,
                                 .activations = activations,
                                 .loss = classes ? CLPROP_LOSS_CROSS_ENTROPY : CLPROP_LOSS_MSE,
                                 .seed = 1};
        printf("network %zu-16(tanh)-%zu(%s)\n", sizes[0], sizes[2],
               clprop_activation_name(output));
        clprop_optimizer adam = {.kind = CLPROP_OPTIMIZER_ADAM};
        if (clprop_net_create(context, &shape, &net) != CLPROP_SUCCESS ||
            clprop_net_set_optimizer(net, &adam) != CLPROP_SUCCESS)
            failure = clprop_net_message(net);
    }
    if (failure == NULL) {
        clprop_trainer_desc params = {.epochs = 500,
                                      .batch = 32,
                                      .learning_rate = 0.01f,
                                      .validation = 0.2f,
                                      .patience = 10,
                                      .seed = 1,
                                      .on_epoch = print_epoch};
        if (clprop_trainer_create(net, data, &params, &trainer) != CLPROP_SUCCESS ||
            clprop_trainer_run(trainer) != CLPROP_SUCCESS)
            failure = clprop_trainer_message(trainer);
    }
    if (failure == NULL) {
        clprop_training_state progress;
        clprop_trainer_progress(trainer, &progress);
        printf("kept epoch %llu (validation loss %.5f) of %llu\n",
               (unsigned long long)progress.best_epoch, progress.best_loss,
               (unsigned long long)progress.epochs_done);
        if (clprop_net_save(net, argv[2]) != CLPROP_SUCCESS)
            failure = clprop_net_message(net);
        else
            printf("saved to %s\n", argv[2]);
    }
    if (failure != NULL)
        fprintf(stderr, "%s\n", failure);
    clprop_trainer_destroy(trainer);
    clprop_net_destroy(net);
    clprop_context_destroy(context);
    clprop_data_destroy(data);
    return failure == NULL ? 0 : 1;
}
