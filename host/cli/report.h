/* What training shows while it runs: a progress bar on a terminal, a line per epoch, and the same
 * figures as CSV in --log (written under a temporary name and renamed when training ends). */
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
    FILE *log;
    char *log_path, *log_temp_path;
} report;

/* Opens the CSV log when log_path is not NULL; 0 (reported) when it can't. */
int report_open(report *r, const char *log_path, size_t epochs);
/* The clprop_progress_fn for clprop_net_train_epoch. */
void report_progress(void *user, size_t done, size_t total);
/* The epoch's line, and its row in the log; 0 (reported) when the log could not be written. */
int report_epoch(report *r, const epoch_figures *figures);
/* Finishes the log: renamed into place when keep is non-zero, removed otherwise. */
int report_close(report *r, int keep);

#endif
