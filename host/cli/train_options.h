/* `clprop train`'s options: what the command line says, checked, with the defaults. */
#ifndef CLPROP_CLI_TRAIN_OPTIONS_H
#define CLPROP_CLI_TRAIN_OPTIONS_H

#include "options.h"

typedef struct train_options {
    cli_data_options data;
    cli_data_options test;       /* path from --test, labels from --test-labels */
    cli_network_options network; /* size_count 0: from the data, around one hidden layer of
                                    TRAIN_DEFAULT_HIDDEN */
    clprop_weight_init weight_init;
    int optimizer_given;
    size_t epochs, batch;
    float learning_rate;
    uint64_t seed;
    clprop_optimizer optimizer;
    clprop_schedule schedule;
    float validation; /* fraction held out; 0 for none */
    size_t patience;  /* early stopping; 0 for none */
    float target_loss, target_accuracy; /* stop once reached; 0 for none */
    int regression;   /* --regression: one-hot targets are values, not classes */
    size_t checkpoint_every;
    float dropout[CLI_MAX_LAYERS]; /* --dropout: one rate for every hidden layer, or one each */
    size_t dropout_count;          /* 0: not given */
    const char *init, *save, *log, *checkpoint, *resume;
    const char *devices, *shares; /* --devices LIST, --shares W,...: data parallelism */
    clprop_scaling_kind scale_inputs, scale_targets; /* --scale-inputs, --scale-targets */
    clprop_allreduce allreduce;                      /* --allreduce (under mpirun) */
    int shard; /* --shard (under mpirun): each process trains on its own part of the data */
    unsigned given; /* GIVEN_* bits: options --resume (and --init) compare with the model */
} train_options;

enum {
    GIVEN_SEED = 1u << 0,
    GIVEN_MOMENTUM = 1u << 1,
    GIVEN_NESTEROV = 1u << 2,
    GIVEN_BETA1 = 1u << 3,
    GIVEN_BETA2 = 1u << 4,
    GIVEN_WEIGHT_DECAY = 1u << 5,
    GIVEN_LR = 1u << 6,
    GIVEN_BATCH = 1u << 7,
    GIVEN_VALIDATION = 1u << 8,
    GIVEN_SCHEDULE_KIND = 1u << 9, /* --schedule */
    GIVEN_SCALE_INPUTS = 1u << 10,
    GIVEN_SCALE_TARGETS = 1u << 11,
    GIVEN_WARMUP = 1u << 12,
    GIVEN_STEP_EVERY = 1u << 13,
    GIVEN_STEP_FACTOR = 1u << 14,
    GIVEN_LR_FOR_BATCH = 1u << 15,
    GIVEN_EPOCHS = 1u << 16,
};

enum { TRAIN_DEFAULT_HIDDEN = 32 };

/* The first option given of another optimizer than `kind` ("--beta1 is Adam's"), with the
 * option that would choose its optimizer in *fix ("--optimizer adam"); NULL when none. */
const char *train_optimizer_option_misfit(const train_options *o, clprop_optimizer_kind kind,
                                          const char **fix);

/* Reads argv into *o. Returns -1 to go on, else the exit status (0 after --help). */
int train_parse_arguments(int argc, char **argv, train_options *o);

#endif
