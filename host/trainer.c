/* A training run: the epochs with their learning-rate schedule, the validation split, early
 * stopping that keeps the best epoch, a target loss or accuracy, periodic checkpoints and exact
 * resumption. What a run means lives here, so a checkpoint made by a program resumes in the
 * command and the other way round. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clprop.h"
#include "message.h"
#include "model_internal.h"
#include "net_internal.h"
#include "rng.h"
#include "team.h"
#include "train_log.h"

/* The streams drawn from the run's seed: the shuffles and the validation split. Stored in
 * checkpoints through their results only, but changing them changes every run: never change. */
#define SHUFFLE_STREAM 0x5deece66dull
#define VALIDATION_STREAM 0x76616c6964ull

struct clprop_trainer {
    clprop_message message;
    clprop_net *net; /* borrowed */
    clprop_trainer_desc params;
    char *checkpoint, *log_path; /* params.checkpoint and params.log, copied */
    train_log log;
    double started;                            /* when clprop_trainer_run began */
    clprop_training_state progress;            /* where the run stands */
    clprop_pass_result part;                   /* the figures of progress.samples_done, when */
    double part_seconds;                       /* known (clprop_model_interrupted_epoch) */
    uint64_t checkpoint_epoch_samples; /* --resume: the samples of the epoch it stopped in; 0: not
                                          known */
    const clprop_data *train_set;              /* the caller's data, or the part not held out;
                                                  NULL once uploaded */
    size_t train_samples;                      /* its samples */
    clprop_data *split_train, *validation_set; /* owned, with a validation share */
    clprop_data *scaled_train, *scaled_test;   /* owned, with a scaling */
    clprop_device_data *train, *validation, *test;
    clprop_model *best; /* early stopping: the best network so far */
    clprop_run_end end;
    /* data parallelism: the network and its replicas, the training set on each device */
    clprop_net *team_nets[CLPROP_TEAM_MAX_DEVICES];
    clprop_device_data *team_data[CLPROP_TEAM_MAX_DEVICES];
    clprop_team team;
};

/* ---- Set-up ------------------------------------------------------------------------------------
 */

static void fill_defaults(clprop_trainer_desc *p)
{
    p->epochs = p->epochs != 0 ? p->epochs : 10;
    p->batch = p->batch != 0 ? p->batch : 32;
    p->learning_rate = p->learning_rate != 0.0f ? p->learning_rate : 0.1f;
}

/* Per-layer sums need what they overlap with: one device in this process and a collective
 * that can begin a sum without waiting for it. */
static clprop_status check_allreduce(clprop_trainer *t)
{
    const clprop_trainer_desc *p = &t->params;
    const clprop_collective *c = p->collective;
    if (p->allreduce == CLPROP_ALLREDUCE_WHOLE)
        return CLPROP_SUCCESS;
    if (p->allreduce != CLPROP_ALLREDUCE_LAYERS)
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "unknown all-reduce kind %d", (int)p->allreduce);
    if (c == NULL || c->start_sum_floats == NULL || c->finish_sums == NULL)
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "per-layer all-reduces need a collective that can begin a sum "
                           "without waiting (start_sum_floats and finish_sums)");
    if (p->replica_count > 0)
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "per-layer all-reduces take one device per process, not %zu",
                           p->replica_count + 1);
    return CLPROP_SUCCESS;
}

static clprop_status check_params(clprop_trainer *t)
{
    const clprop_trainer_desc *p = &t->params;
    if (!(p->validation >= 0.0f && p->validation < 1.0f))
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the validation share must be from 0 up to below 1, not %g",
                           (double)p->validation);
    if (p->patience > 0 && p->validation == 0.0f)
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "early stopping watches the validation loss: it needs a validation "
                           "share");
    if (p->checkpoint_every > 0 && p->checkpoint == NULL)
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "checkpoints every %zu epochs need a checkpoint path",
                           p->checkpoint_every);
    if (!(isfinite(p->learning_rate) && p->learning_rate > 0.0f) || !(p->target_loss >= 0.0))
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the learning rate must be positive and the target loss at least 0");
    if (!(p->target_accuracy >= 0.0 && p->target_accuracy <= 1.0))
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the target accuracy must be from 0 up to 1, not %g",
                           p->target_accuracy);
    if (p->target_accuracy > 0.0 && clprop_net_units(t->net, clprop_net_layer_count(t->net)) < 2)
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "a target accuracy needs a network that picks one of 2 or more "
                           "classes; this one has a single output");
    if (p->replica_count + 1 > CLPROP_TEAM_MAX_DEVICES ||
        (p->replica_count > 0 && p->replicas == NULL))
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "replicas: at most %d devices, each a context", CLPROP_TEAM_MAX_DEVICES);
    for (size_t d = 0; p->shares != NULL && d <= p->replica_count; d++)
        if (!(isfinite(p->shares[d]) && p->shares[d] > 0.0))
            return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                               "device %zu's share of a batch must be a positive number, not %g", d,
                               p->shares[d]);
    const clprop_collective *c = p->collective;
    if (c != NULL &&
        (c->size == 0 || c->rank >= c->size || c->sum_floats == NULL || c->sum_doubles == NULL))
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the collective needs its rank below its size and both sums");
    return check_allreduce(t);
}

/* With other processes, the first alone writes checkpoints and the log and measures the test
 * set: each process is given the same settings. */
static void leave_outputs_to_the_first(clprop_trainer_desc *p)
{
    if (p->collective == NULL || p->collective->rank == 0)
        return;
    p->checkpoint = NULL;
    p->checkpoint_every = 0;
    p->log = NULL;
    p->test = NULL;
}

/* The replicas of the network on the other devices, each with the training set. */
static clprop_status make_replicas(clprop_trainer *t)
{
    const clprop_trainer_desc *p = &t->params;
    t->team_nets[0] = t->net;
    t->team_data[0] = t->train;
    for (size_t d = 1; d <= p->replica_count; d++) {
        clprop_status status = clprop_net_replicate(t->net, p->replicas[d - 1], &t->team_nets[d]);
        if (status != CLPROP_SUCCESS)
            return clprop_fail(&t->message, status, "device %zu: %s", d,
                               clprop_net_message(t->net));
        status = clprop_device_data_create(p->replicas[d - 1], t->train_set, &t->team_data[d]);
        if (status != CLPROP_SUCCESS)
            return clprop_fail(&t->message, status, "the training set on device %zu: %s", d,
                               clprop_device_data_message(t->team_data[d]));
    }
    t->team = (clprop_team){.count = p->replica_count + 1,
                            .nets = t->team_nets,
                            .data = t->team_data,
                            .shares = p->shares,
                            .collective = p->collective,
                            .per_layer = p->allreduce == CLPROP_ALLREDUCE_LAYERS,
                            .sharded = p->sharded};
    return CLPROP_SUCCESS;
}

/* Holds out the validation share: a permutation drawn from the run's seed, the last part of it
 * for validation, so a resumed run splits the same way. */
static clprop_status split(clprop_trainer *t, const clprop_data *data)
{
    size_t n = clprop_data_samples(data);
    size_t held = (size_t)((double)n * t->params.validation + 0.5);
    if (t->params.validation == 0.0f)
        held = 0;
    else if (held == 0 || held >= n)
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "a validation share of %g of %zu samples leaves %s",
                           (double)t->params.validation, n,
                           held == 0 ? "no validation sample" : "no training sample");
    if (held == 0) {
        t->train_set = data;
        return CLPROP_SUCCESS;
    }
    size_t *order = malloc(n * sizeof *order);
    if (order == NULL)
        return clprop_fail(&t->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY, "out of host memory");
    clprop_rng rng = clprop_rng_seeded(t->progress.seed ^ VALIDATION_STREAM);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(clprop_rng_next(&rng) % i), swap = order[i - 1];
        order[i - 1] = order[j];
        order[j] = swap;
    }
    clprop_status status = clprop_data_subset(data, order, n - held, &t->split_train);
    if (status == CLPROP_SUCCESS)
        status = clprop_data_subset(data, order + (n - held), held, &t->validation_set);
    free(order);
    t->train_set = t->split_train;
    if (status != CLPROP_SUCCESS)
        return clprop_fail(
            &t->message, status, "%s",
            clprop_data_message(t->validation_set != NULL ? t->validation_set : t->split_train));
    return CLPROP_SUCCESS;
}

static clprop_status upload(clprop_trainer *t, const clprop_data *data, const char *what,
                            clprop_device_data **out)
{
    if (data == NULL)
        return CLPROP_SUCCESS;
    clprop_status status = clprop_device_data_create(t->net->context, data, out);
    if (status != CLPROP_SUCCESS)
        return clprop_fail(&t->message, status, "%s: %s", what, clprop_device_data_message(*out));
    return CLPROP_SUCCESS;
}

/* The checkpoint's dropout (rates and masks' seed), so the resumed run draws the masks the
 * uninterrupted one would. A network given other rates than the checkpoint's is refused, as
 * other run settings are; one without dropout takes the checkpoint's. */
static clprop_status copy_dropout_into_net(clprop_trainer *t, clprop_model *model, const char *path)
{
    clprop_net *net = t->net;
    int asked = 0, differs = 0;
    for (size_t l = 1; l < net->layer_count; l++) {
        asked |= net->layers[l - 1].dropout > 0.0f;
        differs |= net->layers[l - 1].dropout != clprop_model_dropout(model, l);
    }
    if (asked && differs)
        return clprop_fail(&t->message, CLPROP_ERROR_MISMATCH,
                           "%s: this run asks for other dropout rates than the checkpoint's run",
                           path);
    for (size_t l = 1; l < net->layer_count; l++)
        net->layers[l - 1].dropout = clprop_model_dropout(model, l);
    net->dropout_seed = clprop_model_dropout_seed(model);
    return CLPROP_SUCCESS;
}

static clprop_status copy_model_into_net(clprop_trainer *t, clprop_model *model, const char *path)
{
    clprop_net *net = t->net;
    size_t layers = clprop_model_layer_count(model);
    int same = layers == net->layer_count;
    for (size_t l = 0; same && l <= layers; l++)
        same = clprop_model_units(model, l) == net->sizes[l];
    if (!same)
        return clprop_fail(&t->message, CLPROP_ERROR_MISMATCH,
                           "%s: the checkpoint's layers differ from the network's", path);
    for (size_t l = 1; l <= layers; l++)
        if (clprop_net_set_weights(net, l, clprop_model_weights(model, l),
                                   clprop_model_biases(model, l)) != CLPROP_SUCCESS)
            return clprop_fail(&t->message, CLPROP_ERROR_MISMATCH, "%s: %s", path,
                               clprop_net_message(net));
    clprop_scaling scaling;
    int scaled = clprop_model_scaling(model, &scaling);
    if (clprop_net_set_scaling(net, scaled ? &scaling : NULL) != CLPROP_SUCCESS)
        return clprop_fail(&t->message, CLPROP_ERROR_MISMATCH, "%s: %s", path,
                           clprop_net_message(net));
    CLPROP_CHECK(copy_dropout_into_net(t, model, path));
    clprop_optimizer optimizer;
    uint64_t steps = 0;
    const float *state = NULL;
    size_t floats = 0;
    if (!clprop_model_optimizer(model, &optimizer, &steps, &state, &floats))
        return CLPROP_SUCCESS;
    clprop_status status = clprop_net_set_optimizer(net, &optimizer);
    if (status == CLPROP_SUCCESS) /* the step count too: Adam's bias correction needs it */
        status = clprop_net_set_optimizer_state(net, steps, state);
    if (status != CLPROP_SUCCESS)
        return clprop_fail(&t->message, status, "%s: %s", path, clprop_net_message(net));
    return CLPROP_SUCCESS;
}

static clprop_status load_model(clprop_trainer *t, const char *path, clprop_model **out)
{
    clprop_status status = clprop_model_load(path, out);
    if (status != CLPROP_SUCCESS)
        return clprop_fail(&t->message, status, "%s", clprop_model_message(*out));
    return CLPROP_SUCCESS;
}

/* The checkpoint's weights, optimizer and progress; its early-stopping best beside it. */
static clprop_status resume(clprop_trainer *t, const char *path)
{
    clprop_model *model = NULL;
    clprop_status status = load_model(t, path, &model);
    if (status == CLPROP_SUCCESS && !clprop_model_training_state(model, &t->progress))
        status = clprop_fail(&t->message, CLPROP_ERROR_FORMAT,
                             "%s: not a checkpoint (it holds no training progress)", path);
    if (status == CLPROP_SUCCESS) {
        clprop_model_interrupted_epoch(model, &t->part, &t->part_seconds);
        t->checkpoint_epoch_samples = clprop_model_epoch_samples(model);
        status = copy_model_into_net(t, model, path);
    }
    clprop_model_destroy(model);
    if (status != CLPROP_SUCCESS || t->params.patience == 0 || t->progress.best_epoch == 0)
        return status;
    char best[4200];
    snprintf(best, sizeof best, "%s.best", path);
    return load_model(t, best, &t->best);
}

/* How many samples of the whole training set each of this process's stands for: the processes
 * with sharded data, else 1. */
static size_t shard_scale(const clprop_trainer *t)
{
    const clprop_collective *c = t->params.collective;
    return t->params.sharded && c != NULL ? c->size : 1;
}

static clprop_status check_progress_fits(clprop_trainer *t, const char *path)
{
    size_t samples = clprop_data_samples(t->train_set) * shard_scale(t);
    uint64_t stopped_in = t->checkpoint_epoch_samples;
    /* another set of any size would go on with the epoch's shuffle drawn for the first one */
    if (t->progress.samples_done > 0 && stopped_in != 0 && stopped_in != samples) {
        if (shard_scale(t) > 1) /* the parts are of one size: their sum follows the count */
            return clprop_fail(&t->message, CLPROP_ERROR_MISMATCH,
                               "%s: the checkpoint stopped after %llu of an epoch's %llu samples, "
                               "but the %zu processes' parts hold %zu in all; resume with the data "
                               "and the number of processes it was trained with",
                               path, (unsigned long long)t->progress.samples_done,
                               (unsigned long long)stopped_in, shard_scale(t), samples);
        return clprop_fail(&t->message, CLPROP_ERROR_MISMATCH,
                           "%s: the checkpoint stopped after %llu of an epoch's %llu samples, but "
                           "the training set has %zu; resume with the data it was trained on",
                           path, (unsigned long long)t->progress.samples_done,
                           (unsigned long long)stopped_in, samples);
    }
    if (t->progress.samples_done < samples)
        return CLPROP_SUCCESS;
    if (shard_scale(t) > 1)
        return clprop_fail(&t->message, CLPROP_ERROR_MISMATCH,
                           "%s: the checkpoint stopped after %llu samples of an epoch, but the "
                           "%zu processes' parts hold %zu in all (sharded parts are of one size, "
                           "so they may leave out the set's last samples); resume it under "
                           "another number of processes or without sharding",
                           path, (unsigned long long)t->progress.samples_done, shard_scale(t),
                           samples);
    return clprop_fail(&t->message, CLPROP_ERROR_MISMATCH,
                       "%s: the checkpoint stopped after %llu samples of an epoch, but the "
                       "training set has only %zu; resume with the data it was trained on",
                       path, (unsigned long long)t->progress.samples_done, samples);
}

/* Before any work: an output that cannot be written is found now, not after hours of training. */
static clprop_status check_output(clprop_trainer *t, const char *what, const char *path)
{
    char reason[CLPROP_MESSAGE_SIZE];
    if (clprop_check_output_path(path, reason, sizeof reason) != CLPROP_SUCCESS)
        return clprop_fail(&t->message, CLPROP_ERROR_IO, "the %s %s", what, reason);
    return CLPROP_SUCCESS;
}

/* Accuracy means something when the network picks one class of several: the targets are classes
 * (labels, or one-hot rows) or the output is a softmax. */
static int is_classifier(const clprop_net *net, const clprop_data *data)
{
    size_t last = clprop_net_layer_count(net);
    return clprop_net_units(net, last) > 1 &&
           (clprop_data_target_kind(data) != CLPROP_TARGETS_VALUES ||
            clprop_net_activation(net, last) == CLPROP_ACTIVATION_SOFTMAX);
}

/* Copies the caller's output paths (they need not outlive create) and checks them now. */
static clprop_status prepare_outputs(clprop_trainer *t, const clprop_data *data)
{
    const clprop_trainer_desc *p = &t->params;
    if (p->checkpoint != NULL && (t->checkpoint = strdup(p->checkpoint)) == NULL)
        return clprop_fail(&t->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY, "out of host memory");
    t->params.checkpoint = t->checkpoint;
    if (p->checkpoint != NULL)
        CLPROP_CHECK(check_output(t, "checkpoint", p->checkpoint));
    if (p->log != NULL && (t->log_path = strdup(p->log)) == NULL)
        return clprop_fail(&t->message, CLPROP_ERROR_OUT_OF_HOST_MEMORY, "out of host memory");
    t->params.log = t->log_path;
    if (p->log != NULL)
        CLPROP_CHECK(check_output(t, "log", p->log));
    train_log_prepare(&t->log, t->log_path, is_classifier(t->net, data),
                      (size_t)t->progress.epochs_done);
    return CLPROP_SUCCESS;
}

static int same_schedule(const clprop_schedule *a, const clprop_schedule *b)
{
    return a->kind == b->kind && a->warmup_epochs == b->warmup_epochs &&
           a->step_every == b->step_every && a->step_factor == b->step_factor &&
           a->reference_batch == b->reference_batch;
}

/* A resumed run goes on with its checkpoint's settings: a field the caller left 0 takes the
 * checkpoint's value, and one that differs is refused, since it would silently make another run
 * than the one resumed. A checkpoint made before the settings were kept (batch 0) leaves the
 * caller's. */
static clprop_status adopt_run_settings(clprop_trainer *t, const char *path)
{
    const clprop_training_state *c = &t->progress;
    clprop_trainer_desc *p = &t->params;
    if (c->batch == 0)
        return CLPROP_SUCCESS;
    char differs[1024] = "";
    size_t used = 0;
    if (p->batch != 0 && p->batch != c->batch)
        used += (size_t)snprintf(differs + used, sizeof differs - used, "; batch %zu, not %llu",
                                 p->batch, (unsigned long long)c->batch);
    if (p->learning_rate != 0.0f && p->learning_rate != c->learning_rate && used < sizeof differs)
        used +=
            (size_t)snprintf(differs + used, sizeof differs - used, "; learning rate %g, not %g",
                             (double)p->learning_rate, (double)c->learning_rate);
    if (p->validation != 0.0f && p->validation != c->validation && used < sizeof differs)
        used +=
            (size_t)snprintf(differs + used, sizeof differs - used, "; validation share %g, not %g",
                             (double)p->validation, (double)c->validation);
    static const clprop_schedule unset = {0};
    if (!same_schedule(&p->schedule, &unset) && !same_schedule(&p->schedule, &c->schedule) &&
        used < sizeof differs)
        snprintf(differs + used, sizeof differs - used, "; another learning-rate schedule (%s)",
                 clprop_schedule_name(p->schedule.kind));
    if (differs[0] != '\0')
        return clprop_fail(&t->message, CLPROP_ERROR_MISMATCH,
                           "%s: this run asks for other settings than the checkpoint's run: %s",
                           path, differs + 2);
    p->batch = (size_t)c->batch;
    p->learning_rate = c->learning_rate;
    p->validation = c->validation;
    p->schedule = c->schedule;
    return CLPROP_SUCCESS;
}

/* The settings go into the progress, so every checkpoint carries them. */
static void record_run_settings(clprop_trainer *t)
{
    t->progress.batch = t->params.batch;
    t->progress.learning_rate = t->params.learning_rate;
    t->progress.validation = t->params.validation;
    t->progress.schedule = t->params.schedule;
}

/* The run's settings as a checkpoint will hold them, checked as a checkpoint's are
 * (clprop_model_check_training_state): an unknown schedule is refused now, not when the first
 * checkpoint is written. */
static clprop_status check_recordable(clprop_trainer *t)
{
    char problem[256];
    if (!clprop_model_check_training_state(&t->progress, problem, sizeof problem))
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT, "%s", problem);
    return CLPROP_SUCCESS;
}

/* ---- Scaling: measured on the training part, applied to every set before it is uploaded ---- */

/* The network keeps a scaling it has (from its model or the checkpoint): its weights were trained
 * on data scaled that way. Otherwise the one asked for is measured on the training part. */
static clprop_status settle_scaling(clprop_trainer *t)
{
    const clprop_trainer_desc *p = &t->params;
    if (p->scale_inputs == CLPROP_SCALING_NONE && p->scale_targets == CLPROP_SCALING_NONE)
        return CLPROP_SUCCESS;
    if (clprop_scaling_name(p->scale_inputs) == NULL ||
        clprop_scaling_name(p->scale_targets) == NULL)
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT, "unknown scaling kind");
    clprop_scaling have;
    if (clprop_net_scaling(t->net, &have)) {
        if ((p->scale_inputs == CLPROP_SCALING_NONE || p->scale_inputs == have.input_kind) &&
            (p->scale_targets == CLPROP_SCALING_NONE || p->scale_targets == have.target_kind))
            return CLPROP_SUCCESS;
        return clprop_fail(
            &t->message, CLPROP_ERROR_MISMATCH,
            "the network already scales inputs %s and targets %s (its weights "
            "were trained so); this run asks for inputs %s and targets %s",
            clprop_scaling_name(have.input_kind), clprop_scaling_name(have.target_kind),
            clprop_scaling_name(p->scale_inputs), clprop_scaling_name(p->scale_targets));
    }
    if (p->resume != NULL)
        return clprop_fail(&t->message, CLPROP_ERROR_MISMATCH,
                           "%s: the checkpoint's run had no scaling, and this run asks for one",
                           p->resume);
    if (clprop_net_fit_scaling(t->net, t->train_set, p->scale_inputs, p->scale_targets) !=
        CLPROP_SUCCESS)
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT, "scaling: %s",
                           clprop_net_message(t->net));
    return CLPROP_SUCCESS;
}

static clprop_status scaled_copy(clprop_trainer *t, const clprop_scaling *scaling,
                                 const clprop_data *data, const char *what, clprop_data **out)
{
    clprop_status status = clprop_data_scale(data, scaling, out);
    if (status != CLPROP_SUCCESS)
        return clprop_fail(&t->message, status, "%s: %s", what, clprop_data_message(*out));
    return CLPROP_SUCCESS;
}

/* With a scaling, the training, validation and test sets are replaced by scaled copies (the
 * unscaled split is let go of at once). */
static clprop_status scale_sets(clprop_trainer *t)
{
    clprop_scaling scaling;
    if (!clprop_net_scaling(t->net, &scaling))
        return CLPROP_SUCCESS;
    CLPROP_CHECK(scaled_copy(t, &scaling, t->train_set, "the training set", &t->scaled_train));
    t->train_set = t->scaled_train;
    clprop_data_destroy(t->split_train);
    t->split_train = NULL;
    if (t->validation_set != NULL) {
        clprop_data *scaled = NULL;
        clprop_status status =
            scaled_copy(t, &scaling, t->validation_set, "the validation set", &scaled);
        clprop_data_destroy(t->validation_set);
        t->validation_set = scaled;
        CLPROP_CHECK(status);
    }
    if (t->params.test != NULL) {
        CLPROP_CHECK(scaled_copy(t, &scaling, t->params.test, "the test set", &t->scaled_test));
        t->params.test = t->scaled_test;
    }
    return CLPROP_SUCCESS;
}

/* Sharded data: a collective, a batch that divides among the processes, no scaling to fit (it
 * would be measured on one part), and every process's part the same size — checked across them
 * in two sums (the total, then how many parts differ from total / N), exact in doubles up to
 * 2^53 samples, so that all decide alike. */
static clprop_status check_sharding(clprop_trainer *t, const clprop_data *data)
{
    const clprop_trainer_desc *p = &t->params;
    const clprop_collective *c = p->collective;
    if (!p->sharded)
        return CLPROP_SUCCESS;
    if (c == NULL)
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "sharded data need a collective: each process holds its own part");
    if (p->batch % c->size != 0)
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "with sharded data the batch (%zu) must be a multiple of the %zu "
                           "processes: each trains its share of every step from its own part",
                           p->batch, c->size);
    clprop_scaling have;
    if ((p->scale_inputs != CLPROP_SCALING_NONE || p->scale_targets != CLPROP_SCALING_NONE) &&
        !clprop_net_scaling(t->net, &have))
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "scaling is measured on the training set, and with sharded data each "
                           "process holds only its part; scale the data beforehand, or start "
                           "from a model that has its scaling");
    double n = (double)clprop_data_samples(data), total = n, differing = 0.0;
    clprop_status status = c->sum_doubles(c->user, &total, 1);
    if (status == CLPROP_SUCCESS) {
        differing = n * (double)c->size != total ? 1.0 : 0.0;
        status = c->sum_doubles(c->user, &differing, 1);
    }
    if (status != CLPROP_SUCCESS)
        return clprop_fail(&t->message, status, "comparing the parts' sizes across the processes "
                                                 "failed");
    if (differing > 0.0)
        return clprop_fail(&t->message, CLPROP_ERROR_MISMATCH,
                           "the processes' parts differ in size (%.0f samples in all, this "
                           "process %.0f): sharded data need parts of one size",
                           total, n);
    return CLPROP_SUCCESS;
}

static clprop_status set_up(clprop_trainer *t, const clprop_data *data)
{
    const clprop_trainer_desc *p = &t->params;
    t->progress.seed = p->seed;
    t->progress.shuffle_state = clprop_rng_seeded(p->seed ^ SHUFFLE_STREAM).state;
    if (p->resume != NULL) {
        CLPROP_CHECK(resume(t, p->resume));
        CLPROP_CHECK(adopt_run_settings(t, p->resume));
    }
    fill_defaults(&t->params);
    CLPROP_CHECK(check_params(t));
    CLPROP_CHECK(check_sharding(t, data));
    leave_outputs_to_the_first(&t->params);
    record_run_settings(t);
    CLPROP_CHECK(check_recordable(t));
    CLPROP_CHECK(prepare_outputs(t, data));
    if (clprop_data_outputs(data) == 0 || (p->test != NULL && clprop_data_outputs(p->test) == 0))
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "the %s set has no targets (inputs only): it cannot be trained on or "
                           "measured",
                           clprop_data_outputs(data) == 0 ? "training" : "test");
    CLPROP_CHECK(split(t, data));
    CLPROP_CHECK(settle_scaling(t));
    CLPROP_CHECK(scale_sets(t));
    if (p->resume != NULL)
        CLPROP_CHECK(check_progress_fits(t, p->resume));
    CLPROP_CHECK(upload(t, t->train_set, "the training set", &t->train));
    CLPROP_CHECK(upload(t, t->validation_set, "the validation set", &t->validation));
    CLPROP_CHECK(make_replicas(t));
    /* the split's host copies are on the device now (or held by it while they stream): the
     * trainer lets go of them rather than keep the data set twice for the whole run */
    t->train_samples = clprop_data_samples(t->train_set) * shard_scale(t);
    t->train_set = NULL;
    clprop_data_destroy(t->split_train);
    clprop_data_destroy(t->validation_set);
    t->split_train = t->validation_set = NULL;
    clprop_status status = upload(t, p->test, "the test set", &t->test);
    clprop_data_destroy(t->scaled_train); /* held by the device data when they read it */
    clprop_data_destroy(t->scaled_test);
    t->scaled_train = t->scaled_test = NULL;
    t->params.test = NULL;
    return status;
}

clprop_status clprop_trainer_create(clprop_net *net, const clprop_data *data,
                                    const clprop_trainer_desc *params, clprop_trainer **out)
{
    if (out == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    *out = NULL;
    clprop_trainer *t = calloc(1, sizeof *t);
    if (t == NULL)
        return CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    *out = t;
    if (net == NULL || data == NULL || params == NULL)
        return clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "a trainer needs a network, data and parameters");
    t->net = net;
    t->params = *params;
    clprop_status status = set_up(t, data);
    /* not kept: the caller's path need not outlive this call */
    t->params.resume = NULL;
    return status;
}

void clprop_trainer_destroy(clprop_trainer *t)
{
    if (t == NULL)
        return;
    clprop_device_data_destroy(t->test);
    clprop_device_data_destroy(t->validation);
    clprop_device_data_destroy(t->train);
    for (size_t d = 1; d < CLPROP_TEAM_MAX_DEVICES; d++) {
        clprop_device_data_destroy(t->team_data[d]);
        clprop_net_destroy(t->team_nets[d]);
    }
    clprop_data_destroy(t->validation_set);
    clprop_data_destroy(t->split_train);
    clprop_data_destroy(t->scaled_train);
    clprop_data_destroy(t->scaled_test);
    clprop_model_destroy(t->best);
    clprop_message ignored;
    train_log_close(&t->log, &ignored);
    free(t->log_path);
    free(t->checkpoint);
    free(t);
}

const char *clprop_trainer_message(const clprop_trainer *t)
{
    return t != NULL ? t->message.text : "out of host memory";
}

/* ---- Checkpoints -------------------------------------------------------------------------------
 */

static clprop_status save_model(clprop_trainer *t, clprop_model *model, const char *path)
{
    clprop_status status = clprop_model_save(model, path);
    if (status != CLPROP_SUCCESS)
        return clprop_fail(&t->message, status, "%s", clprop_model_message(model));
    return CLPROP_SUCCESS;
}

clprop_status clprop_trainer_save_checkpoint(clprop_trainer *t, const char *path)
{
    if (t == NULL || path == NULL)
        return t == NULL ? CLPROP_ERROR_INVALID_ARGUMENT
                         : clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                                       "no checkpoint path given");
    clprop_model *model = NULL;
    clprop_status status = clprop_model_from_net(t->net, &model);
    if (status != CLPROP_SUCCESS)
        status = clprop_fail(&t->message, status, "%s", clprop_net_message(t->net));
    else if ((status = clprop_model_set_training_state(model, &t->progress)) != CLPROP_SUCCESS)
        status = clprop_fail(&t->message, status, "%s", clprop_model_message(model));
    /* the part's figures only complete a report: figures it refuses (none a run measures should
     * be) leave the checkpoint without them, resuming as one made before they were kept */
    if (status == CLPROP_SUCCESS && t->part.samples > 0)
        clprop_model_set_interrupted_epoch(model, &t->part, t->part_seconds);
    if (status == CLPROP_SUCCESS && t->progress.samples_done > 0)
        clprop_model_set_epoch_samples(model, t->train_samples);
    if (status == CLPROP_SUCCESS)
        status = save_model(t, model, path);
    clprop_model_destroy(model);
    if (status != CLPROP_SUCCESS || t->best == NULL || t->params.patience == 0)
        return status;
    char best[4200];
    snprintf(best, sizeof best, "%s.best", path);
    return save_model(t, t->best, best);
}

/* ---- The epochs --------------------------------------------------------------------------------
 */

static double now_seconds(void)
{
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return (double)time.tv_sec + (double)time.tv_nsec * 1e-9;
}

static clprop_status evaluate(clprop_trainer *t, clprop_device_data *data,
                              clprop_pass_result *result)
{
    clprop_status status = clprop_net_evaluate(t->net, data, t->params.batch, result);
    if (status != CLPROP_SUCCESS)
        return clprop_fail(&t->message, status, "%s", clprop_net_message(t->net));
    return CLPROP_SUCCESS;
}

/* With other processes, every one measures the validation set (the same weights, the same
 * samples) and they take the mean of their figures, so that early stopping and the target stop
 * them all after the same epoch even where devices round differently. With sharded data each
 * measured its own part's share (all the same size): the mean is the whole's, and the correct
 * answers add up. */
static clprop_status agree_on_validation(clprop_trainer *t, clprop_pass_result *result)
{
    const clprop_collective *c = t->params.collective;
    if (c == NULL)
        return CLPROP_SUCCESS;
    double figures[3] = {result->loss, result->mse, (double)result->correct};
    clprop_status status = c->sum_doubles(c->user, figures, 3);
    if (status != CLPROP_SUCCESS)
        return clprop_fail(&t->message, status,
                           "summing the validation figures across the processes failed");
    result->loss = figures[0] / (double)c->size;
    result->mse = figures[1] / (double)c->size;
    if (t->params.sharded) {
        result->correct = (size_t)(figures[2] + 0.5);
        result->samples *= c->size;
    } else {
        result->correct = (size_t)(figures[2] / (double)c->size + 0.5);
    }
    return CLPROP_SUCCESS;
}

/* Early stopping's bookkeeping after an epoch; *stop becomes 1 when patience has run out. */
static clprop_status watch_validation(clprop_trainer *t, size_t epoch, double loss, int *stop)
{
    clprop_training_state *p = &t->progress;
    if (p->best_epoch == 0 || loss < p->best_loss) {
        p->best_loss = loss;
        p->best_epoch = epoch;
        p->stale_epochs = 0;
        clprop_model_destroy(t->best);
        t->best = NULL;
        clprop_status status = CLPROP_SUCCESS;
        if (t->params.patience > 0 &&
            (status = clprop_model_from_net(t->net, &t->best)) != CLPROP_SUCCESS)
            return clprop_fail(&t->message, status, "%s", clprop_net_message(t->net));
        return CLPROP_SUCCESS;
    }
    p->stale_epochs++;
    *stop = t->params.patience > 0 && p->stale_epochs >= t->params.patience;
    return CLPROP_SUCCESS;
}

/* A resumed epoch's figures and time take in those of its part before the stop, which the
 * checkpoint kept (one made before they were kept has none: the rest's figures stay alone). */
static int part_figures_known(const clprop_trainer *t)
{
    return t->part.samples == t->progress.samples_done;
}

static void join_part(const clprop_trainer *t, clprop_epoch_report *r)
{
    const clprop_pass_result *part = &t->part;
    if (part->samples == 0 || !part_figures_known(t))
        return;
    clprop_pass_result *rest = &r->train;
    double samples = (double)(part->samples + rest->samples);
    rest->loss =
        ((double)part->samples * part->loss + (double)rest->samples * rest->loss) / samples;
    rest->mse = ((double)part->samples * part->mse + (double)rest->samples * rest->mse) / samples;
    rest->correct += part->correct;
    rest->samples += part->samples;
    r->seconds += t->part_seconds;
}

/* Stopped inside the epoch: the position, and the figures so far when they are known. */
static void keep_part(clprop_trainer *t, const clprop_epoch_report *r, size_t trained)
{
    int known = part_figures_known(t);
    t->progress.samples_done += trained;
    t->part = known ? r->train : (clprop_pass_result){0};
    t->part_seconds = known ? r->seconds : 0.0;
}

/* Trains one epoch (or what is left of an interrupted one) and fills the report; *stop_after
 * becomes 1 when a stop request came with its last step. */
static clprop_status train_epoch(clprop_trainer *t, size_t epoch, clprop_epoch_report *r,
                                  int *stop_after)
{
    const clprop_trainer_desc *p = &t->params;
    clprop_rng shuffles = {t->progress.shuffle_state};
    float scaled = clprop_schedule_scaled_rate(&p->schedule, p->learning_rate, p->batch);
    r->learning_rate = clprop_schedule_rate(&p->schedule, scaled, epoch, p->epochs);
    clprop_epoch_desc options = {.batch = p->batch,
                                 .learning_rate = r->learning_rate,
                                 .shuffle_seed = clprop_rng_next(&shuffles),
                                 .progress = p->progress,
                                 .progress_user = p->progress_user,
                                 .first_sample = t->progress.samples_done,
                                 .stop = p->stop};
    double start = now_seconds();
    clprop_status status = clprop_team_train_epoch(&t->team, &options, &r->train);
    r->seconds = now_seconds() - start;
    size_t trained = r->train.samples;
    if (status == CLPROP_SUCCESS || status == CLPROP_STOPPED)
        join_part(t, r);
    if (status == CLPROP_STOPPED && t->progress.samples_done + trained >= t->train_samples) {
        /* stopped after the epoch's last step (processes agree on a stop with a step's sums,
         * and an epoch of one step has only a last step): the epoch is whole, the run stops
         * after it */
        *stop_after = 1;
        status = CLPROP_SUCCESS;
    }
    if (status == CLPROP_STOPPED) {
        /* the checkpoint resumes inside this epoch: the same shuffle, the samples done skipped
         * (with sharded data, exactly so under the same number of processes) */
        keep_part(t, r, trained);
        return status;
    }
    if (status != CLPROP_SUCCESS)
        return clprop_fail(&t->message, status, "epoch %zu: %s", epoch, clprop_net_message(t->net));
    t->progress.samples_done = 0;
    t->part = (clprop_pass_result){0};
    t->part_seconds = 0.0;
    t->progress.shuffle_state = shuffles.state;
    t->progress.epochs_done = epoch;
    return CLPROP_SUCCESS;
}

/* After an epoch: validation, test, early stopping, the target, checkpoint, the callback. */
static clprop_status finish_epoch(clprop_trainer *t, size_t epoch, clprop_epoch_report *r)
{
    const clprop_trainer_desc *p = &t->params;
    r->has_validation = t->validation != NULL;
    r->has_test = t->test != NULL;
    if (r->has_validation) {
        CLPROP_CHECK(evaluate(t, t->validation, &r->validation));
        CLPROP_CHECK(agree_on_validation(t, &r->validation));
    }
    if (r->has_test)
        CLPROP_CHECK(evaluate(t, t->test, &r->test));
    int patience_out = 0;
    if (r->has_validation)
        CLPROP_CHECK(watch_validation(t, epoch, r->validation.loss, &patience_out));
    const clprop_pass_result *watched = r->has_validation ? &r->validation : &r->train;
    double accuracy =
        watched->samples > 0 ? (double)watched->correct / (double)watched->samples : 0.0;
    if (patience_out)
        t->end = CLPROP_RUN_EARLY_STOP;
    else if ((p->target_loss > 0.0 && watched->loss <= p->target_loss) ||
             (p->target_accuracy > 0.0 && accuracy >= p->target_accuracy))
        t->end = CLPROP_RUN_TARGET_REACHED;
    if (p->checkpoint_every > 0 && epoch % p->checkpoint_every == 0)
        CLPROP_CHECK(clprop_trainer_save_checkpoint(t, p->checkpoint));
    CLPROP_CHECK(train_log_write(&t->log, r, now_seconds() - t->started, &t->message));
    if (p->on_epoch != NULL && p->on_epoch(p->user, r) != 0 && t->end == CLPROP_RUN_COMPLETE)
        t->end = CLPROP_RUN_STOPPED;
    return CLPROP_SUCCESS;
}

/* Early stopping keeps the best network: its weights go back into the network at the end. */
static clprop_status restore_best(clprop_trainer *t)
{
    if (t->params.patience == 0 || t->best == NULL)
        return CLPROP_SUCCESS;
    for (size_t l = 1; l <= clprop_model_layer_count(t->best); l++)
        if (clprop_net_set_weights(t->net, l, clprop_model_weights(t->best, l),
                                   clprop_model_biases(t->best, l)) != CLPROP_SUCCESS)
            return clprop_fail(&t->message, CLPROP_ERROR_MISMATCH, "%s",
                               clprop_net_message(t->net));
    return CLPROP_SUCCESS;
}

clprop_status clprop_trainer_run(clprop_trainer *t)
{
    if (t == NULL || t->train == NULL)
        return t == NULL ? CLPROP_ERROR_INVALID_ARGUMENT
                         : clprop_fail(&t->message, CLPROP_ERROR_INVALID_ARGUMENT,
                                       "the trainer's creation failed");
    t->end = CLPROP_RUN_COMPLETE;
    t->started = now_seconds();
    for (size_t epoch = t->progress.epochs_done + 1;
         epoch <= t->params.epochs && t->end == CLPROP_RUN_COMPLETE; epoch++) {
        clprop_epoch_report report = {.epoch = epoch, .epochs = t->params.epochs};
        int stop_after = 0;
        clprop_status status = train_epoch(t, epoch, &report, &stop_after);
        if (status == CLPROP_STOPPED) {
            t->end = CLPROP_RUN_STOPPED; /* the log stays open: the run may go on */
            return CLPROP_STOPPED;
        }
        CLPROP_CHECK(status);
        CLPROP_CHECK(finish_epoch(t, epoch, &report));
        if (stop_after && t->end == CLPROP_RUN_COMPLETE)
            t->end = CLPROP_RUN_STOPPED;
    }
    if (t->end == CLPROP_RUN_STOPPED)
        return CLPROP_STOPPED;
    CLPROP_CHECK(train_log_close(&t->log, &t->message));
    return restore_best(t);
}

clprop_run_end clprop_trainer_end(const clprop_trainer *t)
{
    return t != NULL ? t->end : CLPROP_RUN_COMPLETE;
}

void clprop_trainer_progress(const clprop_trainer *t, clprop_training_state *state)
{
    if (t != NULL && state != NULL)
        *state = t->progress;
}

size_t clprop_trainer_samples(const clprop_trainer *t)
{
    return t != NULL ? t->train_samples : 0;
}

int clprop_trainer_data_resident(const clprop_trainer *t)
{
    return t != NULL && t->train != NULL && clprop_device_data_resident(t->train);
}

/* ---- The short form ----------------------------------------------------------------------------
 */

clprop_status clprop_fit(clprop_net *net, const clprop_data *data,
                         const clprop_trainer_desc *params)
{
    clprop_trainer_desc defaults = {0};
    clprop_trainer *t = NULL;
    clprop_status status =
        clprop_trainer_create(net, data, params != NULL ? params : &defaults, &t);
    if (status == CLPROP_SUCCESS)
        status = clprop_trainer_run(t);
    if (status != CLPROP_SUCCESS && status != CLPROP_STOPPED && net != NULL)
        clprop_fail(&net->message, status, "%s", clprop_trainer_message(t));
    clprop_trainer_destroy(t);
    return status;
}
