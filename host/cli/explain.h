/* What `clprop train` says about its run besides the epochs: the network it built and what it
 * makes of the targets, targets the output layer cannot reach, and a run that learned nothing. */
#ifndef CLPROP_CLI_EXPLAIN_H
#define CLPROP_CLI_EXPLAIN_H

#include <stddef.h>

#include "clprop.h"

/* The training targets, read once after loading. */
typedef struct targets_summary {
    clprop_target_kind kind;
    float min, max;       /* over every target value */
    double mean_loss_mse; /* the loss of always answering the mean target row: with mse, */
    double mean_loss_ce;  /* and with cross-entropy (0 where it means nothing) */
} targets_summary;

void explain_read_targets(const clprop_data *data, targets_summary *out);

/* Warns on stderr, before training, when the targets reach beyond what `output` gives (targets
 * above 1 with a sigmoid output, say). `path` names the data. */
void explain_check_target_range(const char *path, const targets_summary *targets,
                                clprop_activation output);

/* How the run treats its targets, for the network line. */
typedef enum target_treatment {
    TREAT_VALUES,                /* regression */
    TREAT_VALUES_BY_REQUEST,     /* one-hot targets fitted as values: --regression */
    TREAT_LABELS,                /* class labels (IDX, CSV --label-column) */
    TREAT_ONE_HOT,               /* one-hot 0/1 rows, read as classes */
    TREAT_ONE_HOT_SYMMETRIC,     /* one-hot -1/1 rows, read as classes (the output as given) */
    TREAT_ONE_HOT_SYMMETRIC_TANH /* the same, with the tanh output chosen for them */
} target_treatment;

/* The settings the network line shows beside the network itself. */
typedef struct run_settings {
    target_treatment treatment;
    size_t samples, batch; /* training samples per epoch (the validation share left out) */
    float learning_rate;
    clprop_optimizer_kind optimizer;
} run_settings;

/* "network 2-32(sigmoid)-1(linear), 129 parameters, loss mse, regression; 4 training samples,
 * batch 32, learning rate 0.1" on stdout. */
void explain_network(const clprop_net *net, const run_settings *settings);

/* What the epochs of this run measured, to judge afterwards whether it learned. */
typedef struct learning_record {
    size_t epochs;                /* epochs run by this command */
    double first_loss, last_loss; /* training loss of its first and last epoch */
} learning_record;

void explain_record_epoch(learning_record *record, double training_loss);

/* After the run: when the training loss is no better than always answering the mean target
 * row, or (for fresh weights) hardly moved, says so on stderr with the usual remedies. Runs of
 * fewer than EXPLAIN_MIN_EPOCHS epochs are not judged: a slow start is normal. */
enum { EXPLAIN_MIN_EPOCHS = 5 };
void explain_learning(const learning_record *record, const targets_summary *targets,
                      clprop_loss loss, int fresh_weights, const run_settings *settings);

#endif
