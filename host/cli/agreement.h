/* Does the command line agree with the model that --init or --resume starts from? */
#ifndef CLPROP_CLI_AGREEMENT_H
#define CLPROP_CLI_AGREEMENT_H

#include "clprop.h"
#include "train_options.h"

/* 1 when every network option given (and, with --resume, every optimizer option, --seed,
 * --batch, --lr, --validation and the schedule) matches the model and its progress; else reports
 * all the differences in one line and returns 0 (a usage error). */
int agreement_check(const train_options *o, const clprop_model *model,
                    const clprop_training_state *progress);

/* --resume: what the command line left out of the run's settings (batch, --lr, --validation,
 * the schedule) comes from the checkpoint, so that the run goes on as it was. */
void agreement_adopt(train_options *o, const clprop_training_state *progress);

/* --init without --optimizer: the model's optimizer goes on with its state (plain SGD when it
 * carries none), the values of its own options given on the command line (--momentum,
 * --nesterov, --beta1, --beta2, --weight-decay) in place of those it held. An option of another
 * optimizer is reported as a usage error naming the model's, and 0 returned. */
int agreement_init_optimizer(const train_options *o, clprop_model *model);

/* Under mpirun (collective not NULL): 1 when every process was started with the same run (its
 * training options and its data's shape, compared in one sum); else a usage error, said by the
 * first process, and 0 in all of them alike. */
int agreement_across_processes(const clprop_collective *collective, const train_options *o,
                               const clprop_data *data, int *usage_error);

#endif
