/* `clprop train`: check the files, load the data, build or load a network, run the library's
 * trainer with a line per epoch, save. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agreement.h"
#include "checkpoint.h"
#include "cli.h"
#include "devices_option.h"
#include "explain.h"
#include "mpi_run.h"
#include "paths.h"
#include "report.h"
#include "signals.h"
#include "train_options.h"

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct session {
    train_options *options;
    clprop_model *start;            /* --init or --resume: the network to start from */
    clprop_training_state progress; /* --resume: where the checkpoint stands */
    clprop_data *data, *test;
    clprop_context *context; /* the network's device: team.contexts[0] with --devices */
    cli_device_team team;    /* --devices */
    cli_mpi mpi;             /* under mpirun: the other processes */
    clprop_net *net;
    clprop_trainer *trainer;
    report report;
    double started; /* when the epochs began */
    int classifier;
    targets_summary targets;          /* what the training targets hold */
    run_settings settings;            /* for the network line and the advice after the run */
    learning_record learning;         /* the training loss of this command's epochs */
    clprop_epoch_report last_epoch;   /* the figures of the last epoch run */
    char network_name[PATH_MAX + 64]; /* for messages: "the network" or "--resume FILE's network" */
    char layers_text[64];             /* for messages: "--layers 784,..." */
    int usage_error;
} session;

static void session_end(session *s)
{
    clprop_trainer_destroy(s->trainer);
    clprop_net_destroy(s->net);
    if (s->team.count > 0)
        cli_close_device_team(&s->team);
    else
        clprop_context_destroy(s->context);
    clprop_data_destroy(s->test);
    clprop_data_destroy(s->data);
    clprop_model_destroy(s->start);
}

/* ---- the network's shape and the data ---- */

/* `network` names whose network it is: "the network", or the model file it came from. */
static int check_widths(const char *path, const clprop_data *data, size_t inputs, size_t outputs,
                        const char *network)
{
    if (clprop_data_inputs(data) != inputs) {
        cli_error("%s: the data have %zu inputs but %s has %zu input units", path,
                  clprop_data_inputs(data), network, inputs);
        return 0;
    }
    if (clprop_data_outputs(data) != outputs) {
        cli_error("%s: the data have %zu outputs but %s has %zu output units", path,
                  clprop_data_outputs(data), network, outputs);
        return 0;
    }
    return 1;
}

static int load_start_model(session *s)
{
    train_options *o = s->options;
    const char *flag = o->resume != NULL ? "--resume" : "--init";
    const char *file = o->resume != NULL ? o->resume : o->init;
    if (file != NULL)
        snprintf(s->network_name, sizeof s->network_name, "the network of %s %s", flag, file);
    else
        snprintf(s->network_name, sizeof s->network_name, "the network");
    if (o->resume != NULL)
        return (s->start = checkpoint_load(o->resume, &s->progress)) != NULL;
    if (o->init == NULL)
        return 1;
    if (clprop_model_load(o->init, &s->start) != CLPROP_SUCCESS) {
        cli_error("%s", clprop_model_message(s->start));
        return 0;
    }
    return 1;
}

/* Class labels become one-hot vectors as wide as the output layer, when it is known. */
static size_t known_classes(const session *s)
{
    if (s->start != NULL)
        return clprop_model_units(s->start, clprop_model_layer_count(s->start));
    const cli_network_options *n = &s->options->network;
    return n->size_count > 0 ? n->sizes[n->size_count - 1] : 0;
}

/* From the model, else --layers checked against the data, else the data's widths around one
 * hidden layer. */
static int settle_shape(session *s)
{
    train_options *o = s->options;
    if (s->start != NULL) {
        size_t last = clprop_model_layer_count(s->start);
        return check_widths(o->data.path, s->data, clprop_model_units(s->start, 0),
                            clprop_model_units(s->start, last), s->network_name);
    }
    cli_network_options *n = &o->network;
    if (n->size_count == 0) {
        size_t defaults[] = {clprop_data_inputs(s->data), TRAIN_DEFAULT_HIDDEN,
                             clprop_data_outputs(s->data)};
        memcpy(n->sizes, defaults, sizeof defaults);
        n->size_count = 3;
    }
    return check_widths(o->data.path, s->data, n->sizes[0], n->sizes[n->size_count - 1],
                        s->network_name);
}

static int load_test(session *s, size_t classes)
{
    train_options *o = s->options;
    if (o->test.path == NULL)
        return 1;
    cli_data_options test = o->data;
    test.path = o->test.path;
    test.labels = o->test.labels;
    test.labels_flag = "--test-labels";
    cli_expected expected = {.inputs = clprop_data_inputs(s->data), .by = "--data's samples"};
    if ((s->test = cli_load_data(&test, classes, &expected, &s->usage_error)) == NULL)
        return 0;
    return check_widths(o->test.path, s->test, clprop_data_inputs(s->data),
                        clprop_data_outputs(s->data), s->network_name);
}

/* Class labels and one-hot rows are classes, unless --regression says they are values. */
static target_treatment treatment_of(const session *s)
{
    clprop_target_kind kind = s->targets.kind;
    if (kind == CLPROP_TARGETS_VALUES)
        return TREAT_VALUES;
    if (s->options->regression)
        return TREAT_VALUES_BY_REQUEST;
    if (clprop_data_has_labels(s->data))
        return TREAT_LABELS;
    if (kind == CLPROP_TARGETS_ONE_HOT)
        return TREAT_ONE_HOT;
    const cli_network_options *n = &s->options->network;
    return n->output_given || n->loss_given || s->start != NULL ? TREAT_ONE_HOT_SYMMETRIC
                                                                : TREAT_ONE_HOT_SYMMETRIC_TANH;
}

/* The loss and output activation, from what was given and what the data hold: classes get a
 * softmax with cross-entropy, -1/1 one-hot classes a tanh output with squared error (a softmax's
 * outputs and cross-entropy's targets lie in 0..1), values a linear output with squared error. */
static int choose_output(session *s)
{
    const train_options *o = s->options;
    cli_network_options *n = &s->options->network;
    explain_read_targets(s->data, &s->targets);
    target_treatment treatment = s->settings.treatment = treatment_of(s);
    if (treatment == TREAT_ONE_HOT_SYMMETRIC_TANH) {
        n->output = CLPROP_ACTIVATION_TANH;
        n->loss = CLPROP_LOSS_MSE;
    } else {
        cli_settle_output(n, treatment == TREAT_LABELS || treatment == TREAT_ONE_HOT ||
                                 treatment == TREAT_ONE_HOT_SYMMETRIC);
    }
    if (s->start == NULL && n->loss == CLPROP_LOSS_CROSS_ENTROPY &&
        n->output != CLPROP_ACTIVATION_SOFTMAX) {
        cli_error("train: --loss ce needs --output softmax");
        s->usage_error = 1;
        return 0;
    }
    size_t last = s->start != NULL ? clprop_model_layer_count(s->start) : n->size_count - 1;
    clprop_activation output =
        s->start != NULL ? clprop_model_activation(s->start, last) : n->output;
    s->classifier = cli_picks_a_class(s->targets.kind, clprop_data_outputs(s->data), output);
    if (o->target_accuracy > 0.0f && !s->classifier) {
        cli_error("--target-accuracy: this network picks no class (its targets are values, not "
                  "class labels or one-hot rows); use --target-loss");
        s->usage_error = 1;
        return 0;
    }
    if (!s->mpi.active || s->mpi.rank == 0)
        explain_check_target_range(o->data.path, &s->targets, output);
    return 1;
}

/* The inputs the network takes, when known before the data: from --init or --resume's model,
 * else from --layers. */
static cli_expected expected_of_the_network(session *s)
{
    const cli_network_options *n = &s->options->network;
    if (s->start != NULL)
        return (cli_expected){.inputs = clprop_model_units(s->start, 0), .by = s->network_name};
    if (n->size_count == 0)
        return (cli_expected){.inputs = 0, .by = NULL};
    snprintf(s->layers_text, sizeof s->layers_text, "--layers %zu,...", n->sizes[0]);
    return (cli_expected){.inputs = n->sizes[0], .by = s->layers_text};
}

/* --dropout's rates, one per hidden layer: one given for all, or one each. On resume they must
 * be the checkpoint's, whose network keeps them. */
static int settle_dropout(session *s)
{
    train_options *o = s->options;
    size_t hidden = s->start != NULL ? clprop_model_layer_count(s->start) - 1
                                     : o->network.size_count - 2;
    if (o->dropout_count == 0)
        return 1;
    if (o->dropout_count != 1 && o->dropout_count != hidden) {
        cli_error("--dropout: %zu rates for %zu hidden layers: give one for all or one each",
                  o->dropout_count, hidden);
        s->usage_error = 1;
        return 0;
    }
    for (size_t l = o->dropout_count; l < hidden; l++)
        o->dropout[l] = o->dropout[0];
    o->dropout_count = hidden;
    for (size_t l = 1; o->resume != NULL && l <= hidden; l++)
        if (clprop_model_dropout(s->start, l) != o->dropout[l - 1]) {
            cli_error("--dropout: layer %zu's rate %g differs from the checkpoint's run (%g)", l,
                      (double)o->dropout[l - 1], (double)clprop_model_dropout(s->start, l));
            s->usage_error = 1;
            return 0;
        }
    return 1;
}

/* --shard: this process keeps samples [rank·m, (rank+1)·m) of the training set, m = samples /
 * processes (the last samples % processes of the file are left out: the parts must be of one
 * size). Everything decided from the data (classes, the network's shape, the output) was
 * decided on the whole set, alike in every process. A memory-mapped IDX file is read only
 * where the part lies; other formats were read whole. */
static int keep_my_part(session *s)
{
    size_t n = clprop_data_samples(s->data), processes = s->mpi.size, m = n / processes;
    if (s->options->batch % processes != 0) {
        cli_error("--shard: the batch (%zu) must be a multiple of the %zu processes: each trains "
                  "its share of every step from its own part",
                  s->options->batch, processes);
        s->usage_error = 1;
        return 0;
    }
    if (m == 0) {
        cli_error("--shard: %s has %zu samples, fewer than the %zu processes", s->options->data.path,
                  n, processes);
        return 0;
    }
    if (n % processes != 0 && s->mpi.rank == 0)
        cli_error("warning: --shard: the last %zu of the %zu samples of %s are left out (the "
                  "%zu processes' parts must be of one size)",
                  n % processes, n, s->options->data.path, processes);
    size_t *indices = malloc(m * sizeof *indices);
    if (indices == NULL) {
        cli_error("--shard: out of host memory");
        return 0;
    }
    for (size_t i = 0; i < m; i++)
        indices[i] = s->mpi.rank * m + i;
    clprop_data *part = NULL;
    clprop_status status = clprop_data_subset(s->data, indices, m, &part);
    free(indices);
    if (status != CLPROP_SUCCESS) {
        cli_error("--shard: %s", clprop_data_message(part));
        clprop_data_destroy(part);
        return 0;
    }
    clprop_data_destroy(s->data);
    s->data = part;
    return 1;
}

static int load_everything(session *s)
{
    if (!load_start_model(s))
        return 0;
    if (s->start != NULL && (!agreement_check(s->options, s->start, &s->progress) ||
                             !agreement_init_optimizer(s->options, s->start))) {
        s->usage_error = 1;
        return 0;
    }
    if (s->options->resume != NULL)
        agreement_adopt(s->options, &s->progress);
    size_t classes = known_classes(s);
    cli_expected expected = expected_of_the_network(s);
    if ((s->data = cli_load_data(&s->options->data, classes, &expected, &s->usage_error)) == NULL)
        return 0;
    if (classes == 0 && clprop_data_has_labels(s->data))
        classes = clprop_data_outputs(s->data);
    return settle_shape(s) && settle_dropout(s) && load_test(s, classes) && choose_output(s) &&
           agreement_across_processes(cli_mpi_collective(&s->mpi), s->options, s->data,
                                      &s->usage_error) &&
           (!s->options->shard || !s->mpi.active || keep_my_part(s));
}

/* ---- the network on the device ---- */

static int build_network(session *s)
{
    train_options *o = s->options;
    clprop_status status;
    if (s->start != NULL) {
        status = clprop_net_create_from_model(s->context, s->start, &s->net);
        if (status != CLPROP_SUCCESS) { /* what the file holds: a network no longer accepted */
            cli_error("%s %s: %s", o->resume != NULL ? "--resume" : "--init",
                      o->resume != NULL ? o->resume : o->init, clprop_net_message(s->net));
            return 0;
        }
    } else {
        clprop_activation activations[CLI_MAX_LAYERS];
        const cli_network_options *n = &o->network;
        cli_network_activations(n, activations);
        clprop_net_desc desc = {.layer_count = n->size_count - 1,
                                .sizes = n->sizes,
                                .activations = activations,
                                .no_bias = n->no_bias,
                                .loss = n->loss,
                                .seed = o->seed,
                                .init = o->weight_init};
        status = clprop_net_create(s->context, &desc, &s->net);
    }
    /* A chosen optimizer replaces whatever --init's model carried; --resume keeps its own. */
    int keep_model_optimizer = s->start != NULL && !o->optimizer_given &&
                               clprop_model_optimizer(s->start, NULL, NULL, NULL, NULL);
    if (status == CLPROP_SUCCESS && !keep_model_optimizer)
        status = clprop_net_set_optimizer(s->net, &o->optimizer);
    /* the masks from --seed; a resumed network keeps its checkpoint's (settle_dropout) */
    if (status == CLPROP_SUCCESS && o->dropout_count > 0 && o->resume == NULL)
        status = clprop_net_set_dropout(s->net, o->dropout, o->seed);
    if (status != CLPROP_SUCCESS) {
        cli_error("%s", s->net != NULL ? clprop_net_message(s->net) : "out of memory");
        return 0;
    }
    return 1;
}

/* ---- the run ---- */

static int on_epoch(void *user, const clprop_epoch_report *e)
{
    session *s = user;
    explain_record_epoch(&s->learning, e->train.loss);
    s->last_epoch = *e;
    epoch_figures f = {.epoch = e->epoch,
                       .epochs = e->epochs,
                       .train = e->train,
                       .has_validation = e->has_validation,
                       .validation = e->validation,
                       .has_test = e->has_test,
                       .test = e->test,
                       .learning_rate = e->learning_rate,
                       .classifier = s->classifier,
                       .seconds = e->seconds,
                       .elapsed_seconds = now_seconds() - s->started};
    report_epoch(&s->report, &f);
    s->report.epoch = e->epoch + 1; /* for the progress bar of the next one */
    return 0;
}

static int create_trainer(session *s)
{
    const train_options *o = s->options;
    clprop_trainer_desc params = {.epochs = o->epochs,
                                  .batch = o->batch,
                                  .learning_rate = o->learning_rate,
                                  .schedule = o->schedule,
                                  .seed = o->seed,
                                  .validation = o->validation,
                                  .patience = o->patience,
                                  .target_loss = o->target_loss,
                                  .target_accuracy = o->target_accuracy,
                                  .test = s->test,
                                  .checkpoint = o->checkpoint,
                                  .checkpoint_every = o->checkpoint_every,
                                  .resume = o->resume,
                                  .on_epoch = on_epoch,
                                  .user = s,
                                  .progress = report_progress,
                                  .progress_user = &s->report,
                                  .stop = signals_stop_flag(),
                                  .log = o->log,
                                  .replicas = s->team.count > 1 ? s->team.contexts + 1 : NULL,
                                  .replica_count = s->team.count > 1 ? s->team.count - 1 : 0,
                                  .shares = s->team.has_shares ? s->team.shares : NULL,
                                  .collective = cli_mpi_collective(&s->mpi),
                                  .scale_inputs = o->scale_inputs,
                                  .allreduce = s->mpi.active ? o->allreduce
                                                             : CLPROP_ALLREDUCE_WHOLE,
                                  .sharded = o->shard && s->mpi.active,
                                  .scale_targets = o->scale_targets};
    clprop_optimizer optimizer;
    clprop_net_get_optimizer(s->net, &optimizer);
    s->settings.batch = o->batch;
    s->settings.learning_rate =
        clprop_schedule_scaled_rate(&o->schedule, o->learning_rate, o->batch);
    s->settings.optimizer = optimizer.kind;
    if (clprop_trainer_create(s->net, s->data, &params, &s->trainer) == CLPROP_SUCCESS) {
        s->settings.samples = clprop_trainer_samples(s->trainer);
        /* the trainer has what it needs of the training set: not kept twice for the run */
        clprop_data_destroy(s->data);
        s->data = NULL;
        return 1;
    }
    cli_error("%s", clprop_trainer_message(s->trainer));
    return 0;
}

/* Which target ended the run, with the figure that reached it. */
static void print_target_reached(const session *s)
{
    const clprop_epoch_report *e = &s->last_epoch;
    const clprop_pass_result *r = e->has_validation ? &e->validation : &e->train;
    const char *which = e->has_validation ? "validation" : "training";
    double target_loss = s->options->target_loss, target_accuracy = s->options->target_accuracy;
    if (target_loss > 0.0 && r->loss <= target_loss)
        printf("target reached after epoch %zu: %s loss %.5f <= %g\n", e->epoch, which, r->loss,
               target_loss);
    else
        printf("target reached after epoch %zu: %s accuracy %.4f >= %g\n", e->epoch, which,
               (double)r->correct / (double)r->samples, target_accuracy);
}

static void print_summary(session *s)
{
    clprop_training_state progress;
    clprop_trainer_progress(s->trainer, &progress);
    clprop_run_end end = clprop_trainer_end(s->trainer);
    if (end == CLPROP_RUN_EARLY_STOP)
        printf("early stop: no better validation loss for %zu epochs; keeping epoch %zu's "
               "network (validation loss %.5f)\n",
               s->options->patience, (size_t)progress.best_epoch, progress.best_loss);
    if (end == CLPROP_RUN_TARGET_REACHED)
        print_target_reached(s);
    else if (!s->mpi.active || s->mpi.rank == 0)
        explain_learning(&s->learning, &s->targets, clprop_net_loss(s->net), s->start == NULL,
                         &s->settings);
    if (s->test == NULL)
        return;
    double seconds = now_seconds() - s->started;
    clprop_device_data *test = NULL;
    clprop_pass_result result;
    clprop_data *scaled = NULL; /* in the network's units, as the trainer measured it */
    clprop_scaling scaling;
    if (clprop_net_scaling(s->net, &scaling) &&
        clprop_data_scale(s->test, &scaling, &scaled) != CLPROP_SUCCESS) {
        cli_error("%s", clprop_data_message(scaled));
        clprop_data_destroy(scaled);
        return;
    }
    if (clprop_device_data_create(s->context, scaled != NULL ? scaled : s->test, &test) !=
            CLPROP_SUCCESS ||
        clprop_net_evaluate(s->net, test, s->options->batch, &result) != CLPROP_SUCCESS) {
        cli_error("%s", test == NULL ? "out of memory"
                        : clprop_device_data_message(test)[0] != '\0'
                            ? clprop_device_data_message(test)
                            : clprop_net_message(s->net));
        clprop_device_data_destroy(test);
        clprop_data_destroy(scaled);
        return;
    }
    clprop_device_data_destroy(test);
    clprop_data_destroy(scaled);
    if (s->classifier)
        printf("test accuracy %.4f (%zu/%zu), test loss %.5f, trained in %.1f s\n",
               (double)result.correct / (double)result.samples, result.correct, result.samples,
               result.loss, seconds);
    else
        printf("test loss %.5f, test MSE %.6g, trained in %.1f s\n", result.loss, result.mse,
               seconds);
}

static void describe_run(const session *s)
{
    clprop_optimizer optimizer;
    clprop_net_get_optimizer(s->net, &optimizer);
    const char *sums = s->options->allreduce == CLPROP_ALLREDUCE_LAYERS
                           ? "gradients summed a layer at a time during the backward pass"
                           : "gradients summed once a step";
    if (s->mpi.active && s->options->shard)
        printf("process 1 of %zu (each its own part of the training set, %zu samples, and "
               "its share of every batch, %s), ",
               s->mpi.size, s->settings.samples / s->mpi.size, sums);
    else if (s->mpi.active)
        printf("process 1 of %zu (each its part of every batch, %s), ", s->mpi.size, sums);
    if (s->team.count > 1) {
        printf("devices");
        for (size_t d = 0; d < s->team.count; d++)
            printf("%s %s", d == 0 ? "" : ",", clprop_context_device(s->team.contexts[d])->name);
        printf(" (a replica on each)");
    } else
        printf("device %s", clprop_context_device(s->context)->name);
    printf(", GEMM %s, data %s, optimizer %s",
           clprop_gemm_backend_name(clprop_context_gemm_backend(s->context)),
           clprop_trainer_data_resident(s->trainer) ? "on the device" : "sent per batch",
           clprop_optimizer_name(optimizer.kind));
    const train_options *o = s->options;
    if (o->schedule.reference_batch != 0) /* linear scaling: the rate the epochs warm up to */
        printf(", learning rate %g (--lr %g for batch %zu, scaled linearly to batch %zu)",
               (double)clprop_schedule_scaled_rate(&o->schedule, o->learning_rate, o->batch),
               (double)o->learning_rate, o->schedule.reference_batch, o->batch);
    if (s->options->resume != NULL)
        printf(", resuming after epoch %zu", (size_t)s->progress.epochs_done);
    putchar('\n');
}

/* The command that goes on from the checkpoint at path: this one with --resume, which takes the
 * place of an --init (both name the starting network) or of the --resume it ran with. */
static void say_how_to_resume(const session *s, const char *path)
{
    const train_options *o = s->options;
    if (o->init != NULL)
        cli_error("continue with the same command, --resume %s in place of --init %s", path,
                  o->init);
    else if (o->resume != NULL && strcmp(o->resume, path) != 0)
        cli_error("continue with the same command, --resume %s in place of --resume %s", path,
                  o->resume);
    else if (o->resume != NULL)
        cli_error("continue with the same command");
    else
        cli_error("continue with the same command and --resume %s", path);
}

/* Where a stopped or failed run's checkpoint goes: --checkpoint, else a new
 * clprop-interrupted[-N].clprop (name holds it). */
static const char *checkpoint_path(const session *s, char *name, size_t size)
{
    return s->options->checkpoint != NULL ? s->options->checkpoint
                                          : interrupted_checkpoint_name(name, size);
}

/* A signal asked the run to stop and the batch is done: the checkpoint, and how to go on. */
static int stop_with_checkpoint(session *s)
{
    if (s->mpi.active && s->mpi.rank != 0) /* the first process writes the checkpoint */
        return 128 + (signals_received() != 0 ? signals_received() : 2);
    char name[64], written[PATH_MAX + 64];
    const char *path = checkpoint_path(s, name, sizeof name);
    if (s->report.terminal)
        fputs("\n", stderr);
    /* a second signal during the write waits until the lines saying where it went are out */
    signals_block();
    const char *where = checkpoint_write(s->trainer, path, written, sizeof written);
    if (where != NULL) {
        clprop_training_state progress;
        clprop_trainer_progress(s->trainer, &progress);
        cli_error("%s: interrupted in epoch %zu after %zu of %zu samples; checkpoint written to "
                  "%s",
                  signals_received() != 0 ? signals_name(signals_received())
                                          : "a signal to another process",
                  (size_t)progress.epochs_done + 1, (size_t)progress.samples_done,
                  clprop_trainer_samples(s->trainer), where);
        say_how_to_resume(s, where);
        signals_note_stop_reported();
    }
    signals_unblock();
    if (where == NULL)
        return EXIT_FAILED;
    return 128 + (signals_received() != 0 ? signals_received() : 2);
}

/* The run failed. When a file could not be written (a full disk under the log, say) after some
 * epochs, the run so far goes to a checkpoint — --checkpoint's, else a new
 * clprop-interrupted[-N].clprop as for a signal, in the temporary folder when its own place
 * fails — so that hours of training are not lost to a log line. */
static int fail_run(session *s, clprop_status status)
{
    cli_error("%s", clprop_trainer_message(s->trainer));
    clprop_training_state progress;
    clprop_trainer_progress(s->trainer, &progress);
    if (status != CLPROP_ERROR_IO || progress.epochs_done == s->progress.epochs_done)
        return EXIT_FAILED;
    if (s->options->checkpoint == NULL && s->mpi.active && s->mpi.rank != 0)
        return EXIT_FAILED; /* the first process writes the default one */
    char name[64], written[PATH_MAX + 64];
    const char *path = checkpoint_path(s, name, sizeof name);
    const char *where = checkpoint_write(s->trainer, path, written, sizeof written);
    if (where != NULL)
        say_how_to_resume(s, where);
    return EXIT_FAILED;
}

/* After the last epoch: the summary and the model saved; the exit status. */
static int save_result(session *s)
{
    print_summary(s);
    if (s->options->save == NULL) {
        puts("model not saved (--save MODEL keeps it)");
        return 0;
    }
    char written[PATH_MAX + 64];
    const char *where = model_write(s->net, s->options->save, written, sizeof written);
    if (where == NULL || where != s->options->save)
        return EXIT_FAILED;
    char shown[PATH_MAX + 64];
    printf("model saved to %s\n", cli_quote(where, shown, sizeof shown));
    return 0;
}

/* The epochs, the summary and the saved model; returns the exit status. */
static int train_and_save(session *s)
{
    /* Ctrl-C, SIGTERM and SIGHUP are caught from here on, which the "device" line tells anyone
     * reading the output (it is flushed even into a file or a pipe); before, they end the
     * process as usual, when nothing has been written yet. */
    signals_catch();
    report_open(&s->report, s->options->epochs);
    s->report.epoch = (size_t)s->progress.epochs_done + 1;
    explain_network(s->net, &s->settings);
    describe_run(s);
    fflush(stdout);
    s->started = now_seconds();
    clprop_status status = clprop_trainer_run(
        s->trainer); /* under mpirun, a signal to any process stops them all after the same step */
    int interrupted = status == CLPROP_STOPPED && (signals_received() != 0 || s->mpi.active);
    int ok = status == CLPROP_SUCCESS || interrupted;
    int code = !ok ? fail_run(s, status) : interrupted ? stop_with_checkpoint(s) : save_result(s);
    signals_release();
    return code;
}

/* Whether path is a clprop model file (its magic), not a JSON export or a FANN network: only such
 * a file may be saved over in place, the format it had being the format it gets. */
static int is_clprop_model(const char *path)
{
    int descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (descriptor < 0)
        return 0;
    char magic[8];
    struct stat info;
    int model = fstat(descriptor, &info) == 0 && S_ISREG(info.st_mode) &&
                read(descriptor, magic, sizeof magic) == (ssize_t)sizeof magic &&
                memcmp(magic, "CLPROPMD", sizeof magic) == 0;
    close(descriptor);
    return model;
}

/* The best epoch's network that a run with early stopping keeps beside its checkpoint (written
 * with --checkpoint, read back with --resume); NULL without one. */
static const char *best_model_file(const char *checkpoint, size_t patience, char *path, size_t size)
{
    if (checkpoint == NULL || patience == 0)
        return NULL;
    int length = snprintf(path, size, "%s.best", checkpoint);
    return length >= 0 && (size_t)length < size ? path : NULL;
}

/* Before anything is read or written: no output names an input or another output, and each
 * output can be written, so that a typo costs nothing. */
static int check_files(const train_options *o, int *usage_error)
{
    char best[PATH_MAX + 16], resumed_best[PATH_MAX + 16];
    const char *best_path = best_model_file(o->checkpoint, o->patience, best, sizeof best);
    const char *resumed_best_path =
        best_model_file(o->resume, o->patience, resumed_best, sizeof resumed_best);
    const cli_path inputs[] = {{"--data", o->data.path},
                               {"--labels", o->data.labels},
                               {"--test", o->test.path},
                               {"--test-labels", o->test.labels},
                               {"--init", o->init},
                               {"--resume", o->resume},
                               {"--resume's best-model file", resumed_best_path}};
    const cli_path outputs[] = {{"--save", o->save},
                                {"--log", o->log},
                                {"--checkpoint", o->checkpoint},
                                {"--checkpoint's best-model file", best_path}};
    /* Continuing a model or a run in place: both are read whole before anything is written, and
     * written atomically. A JSON or FANN --init is not replaced by a clprop model: its pair, the
     * first, is then left out. */
    static const char *const in_place[] = {"--save",
                                           "--init",
                                           "--save",
                                           "--resume",
                                           "--checkpoint",
                                           "--resume",
                                           "--checkpoint's best-model file",
                                           "--resume's best-model file",
                                           NULL};
    const char *const *allowed =
        o->init == NULL || is_clprop_model(o->init) ? in_place : in_place + 2;
    int input_count = (int)(sizeof inputs / sizeof *inputs);
    int output_count = (int)(sizeof outputs / sizeof *outputs);
    if (!cli_check_outputs_apart(inputs, input_count, outputs, output_count, allowed) ||
        !cli_check_stdout_apart(inputs, input_count)) {
        *usage_error = 1;
        return 0;
    }
    return cli_check_outputs_writable(outputs, output_count);
}

/* Under mpirun: the first process alone prints, writes and measures the test set; each picks the
 * device of its rank on its host unless told. */
static int join_processes(int *argc, char ***argv, train_options *o, session *s, char *selector,
                          size_t size)
{
    if (!cli_mpi_start(argc, argv, &s->mpi))
        return 0;
    if (!s->mpi.active)
        return 1;
    if (s->mpi.rank != 0) {
        o->save = o->log = o->checkpoint = NULL;
        o->checkpoint_every = 0;
        o->test.path = o->test.labels = NULL;
        if (freopen("/dev/null", "w", stdout) == NULL)
            return 0;
    }
    if (o->network.device == NULL && o->devices == NULL && getenv("CLPROP_DEVICE") == NULL &&
        cli_device_of_local_rank(s->mpi.local_rank, selector, size))
        o->network.device = selector;
    return 1;
}

int cli_train(int argc, char **argv)
{
    train_options options;
    int code = train_parse_arguments(argc, argv, &options);
    if (code >= 0)
        return code;
    session s = {.options = &options};
    char selector[32];
    if (!join_processes(&argc, &argv, &options, &s, selector, sizeof selector))
        return EXIT_FAILED;
    /* one process under mpirun: a part that is the whole set, and sums of one */
    if ((options.allreduce == CLPROP_ALLREDUCE_LAYERS || options.shard) && !s.mpi.launched) {
        cli_error("%s: %s across processes; start the run with mpirun -np N",
                  options.shard ? "--shard" : "--allreduce layers",
                  options.shard ? "the parts are split" : "the sums are");
        return EXIT_USAGE;
    }
    int usage_error = 0;
    if (!check_files(&options, &usage_error)) {
        cli_mpi_end(&s.mpi, usage_error ? EXIT_USAGE : EXIT_FAILED);
        return usage_error ? EXIT_USAGE : EXIT_FAILED;
    }
    int ok = load_everything(&s);
    if (ok && options.devices != NULL) {
        ok = cli_open_device_team(options.devices, options.shares, options.network.gemm, &s.team,
                                  &s.usage_error);
        s.context = s.team.contexts[0];
    } else if (ok &&
               (s.context = cli_open_context(options.network.device, options.network.gemm)) == NULL)
        ok = 0;
    ok = ok && build_network(&s) && create_trainer(&s);
    code = ok ? train_and_save(&s) : s.usage_error ? EXIT_USAGE : EXIT_FAILED;
    session_end(&s);
    /* a process that failed while the others go on would leave them waiting in a sum */
    cli_mpi_end(&s.mpi, code);
    return code;
}
