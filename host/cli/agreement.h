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

#endif
