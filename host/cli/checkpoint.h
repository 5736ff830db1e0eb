/* Writing what training produces — checkpoints and models — so that a run is never lost: when
 * the named file cannot be written, the temporary folder takes it instead, and the user is told. */
#ifndef CLPROP_CLI_CHECKPOINT_H
#define CLPROP_CLI_CHECKPOINT_H

#include <stddef.h>

#include "clprop.h"

/* Each writes to path; when that fails (reported), to $TMPDIR (else /tmp) instead, saying so.
 * Returns the path written — path itself, or `written` — or NULL when neither could be. A signal
 * that arrives while a file is written waits until it is whole. */
const char *checkpoint_write(clprop_trainer *trainer, const char *path, char *written, size_t size);
const char *model_write(clprop_net *net, const char *path, char *written, size_t size);

/* "clprop-interrupted.clprop" in the current folder, or the first of "clprop-interrupted-N.clprop"
 * that does not exist yet, so that an earlier interrupted run's checkpoint is kept. */
const char *interrupted_checkpoint_name(char *name, size_t size);

/* Loads a checkpoint for --resume: it must carry training progress. Reports failures. */
clprop_model *checkpoint_load(const char *path, clprop_training_state *state);

#endif
