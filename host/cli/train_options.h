/* `clprop train`'s options: what the command line says, checked, with the defaults. */
#ifndef CLPROP_CLI_TRAIN_OPTIONS_H
#define CLPROP_CLI_TRAIN_OPTIONS_H

#include "options.h"

typedef struct train_options {
    cli_data_options data;
    cli_data_options test; /* path from --test, labels from --test-labels */
    cli_network_options network; /* size_count 0: from the data, around one hidden layer of
                                    TRAIN_DEFAULT_HIDDEN */
    clprop_weight_init weight_init;
    int optimizer_given;
    size_t epochs, batch;
    float learning_rate;
    uint64_t seed;
    clprop_optimizer optimizer;
    clprop_schedule schedule;
    float validation;      /* fraction held out; 0 for none */
    size_t patience;       /* early stopping; 0 for none */
    size_t checkpoint_every;
    const char *init, *save, *log, *checkpoint, *resume;
} train_options;

enum { TRAIN_DEFAULT_HIDDEN = 32 };

/* Reads argv into *o. Returns -1 to go on, else the exit status (0 after --help). */
int train_parse_arguments(int argc, char **argv, train_options *o);

#endif
