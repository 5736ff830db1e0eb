/* What training shows while it runs: a progress bar on a terminal and a line per epoch (the
 * library's trainer writes the same figures to the --log CSV). */
#ifndef CLPROP_CLI_REPORT_H
#define CLPROP_CLI_REPORT_H

#include <stdio.h>

#include "clprop.h"

typedef struct epoch_figures {
    size_t epoch, epochs;
    clprop_pass_result train;
    int has_validation;
    clprop_pass_result validation;
    int has_test;
    clprop_pass_result test;
    float learning_rate;
    int classifier;
    double seconds;         /* this epoch's training time */
    double elapsed_seconds; /* since training began */
} epoch_figures;

typedef struct report {
    int terminal; /* stderr is a terminal: draw a progress bar */
    size_t epoch, epochs;
} report;

void report_open(report *r, size_t epochs);
/* The clprop_progress_fn for clprop_net_train_epoch. */
void report_progress(void *user, size_t done, size_t total);
/* The epoch's line on standard output. */
void report_epoch(report *r, const epoch_figures *figures);

#endif
