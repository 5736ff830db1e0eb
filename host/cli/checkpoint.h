/* Checkpoints: a model file that also carries the optimizer's state and where training stood. */
#ifndef CLPROP_CLI_CHECKPOINT_H
#define CLPROP_CLI_CHECKPOINT_H

#include "clprop.h"

/* Writes the network, its optimizer state and `state` to path atomically; reports failures. */
int checkpoint_save(const char *path, clprop_net *net, const clprop_training_state *state);
/* Saves the network as a plain model (weights and optimizer); reports failures. */
int model_save(const char *path, clprop_net *net);
/* Loads a checkpoint for --resume: it must carry training progress. Reports failures. */
clprop_model *checkpoint_load(const char *path, clprop_training_state *state);
/* Copies a model's weights into a network of the same shape. */
int model_weights_into(clprop_net *net, clprop_model *model);

#endif
