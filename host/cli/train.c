/* `clprop train`: load the data, build or load a network, run the epochs, report, save. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkpoint.h"
#include "cli.h"
#include "report.h"
#include "rng.h"
#include "train_options.h"

/* Set by the SIGINT handler; the library checks it between batches. */
static volatile sig_atomic_t interrupted;

static void on_interrupt(int signal_number)
{
    (void)signal_number;
    interrupted = 1;
}

static const char *const interrupted_checkpoint = "clprop-interrupted.clprop";

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct session {
    train_options *options;
    clprop_model *start;           /* --init or --resume: the network to start from */
    clprop_training_state progress; /* where training stands (from --resume, or fresh) */
    clprop_data *data, *train, *validation, *test; /* train/validation split data when asked */
    clprop_context *context;
    clprop_net *net;
    clprop_device_data *device_train, *device_validation, *device_test;
    clprop_model *best; /* early stopping: the best network so far */
    int classifier;
    int usage_error;
} session;

static void session_end(session *s)
{
    clprop_device_data_destroy(s->device_test);
    clprop_device_data_destroy(s->device_validation);
    clprop_device_data_destroy(s->device_train);
    clprop_net_destroy(s->net);
    clprop_context_destroy(s->context);
    if (s->train != s->data)
        clprop_data_destroy(s->train);
    clprop_data_destroy(s->validation);
    clprop_data_destroy(s->test);
    clprop_data_destroy(s->data);
    clprop_model_destroy(s->best);
    clprop_model_destroy(s->start);
}

/* ---- the network's shape and the data ---- */

static int check_widths(const char *path, const clprop_data *data, size_t inputs, size_t outputs)
{
    if (clprop_data_inputs(data) != inputs) {
        cli_error("%s: the data have %zu inputs but the network's input layer has %zu units",
                  path, clprop_data_inputs(data), inputs);
        return 0;
    }
    if (clprop_data_outputs(data) != outputs) {
        cli_error("%s: the data have %zu outputs but the network's output layer has %zu units",
                  path, clprop_data_outputs(data), outputs);
        return 0;
    }
    return 1;
}

static int load_start_model(session *s)
{
    train_options *o = s->options;
    if (o->resume != NULL)
        return (s->start = checkpoint_load(o->resume, &s->progress)) != NULL;
    s->progress.seed = o->seed;
    s->progress.shuffle_state = clprop_rng_seeded(o->seed ^ 0x5deece66dull).state;
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
                            clprop_model_units(s->start, last));
    }
    cli_network_options *n = &o->network;
    if (n->size_count == 0) {
        size_t defaults[] = {clprop_data_inputs(s->data), TRAIN_DEFAULT_HIDDEN,
                             clprop_data_outputs(s->data)};
        memcpy(n->sizes, defaults, sizeof defaults);
        n->size_count = 3;
    }
    return check_widths(o->data.path, s->data, n->sizes[0], n->sizes[n->size_count - 1]);
}

/* Holds out the validation share: a permutation drawn from the run's seed, the last part of it
 * for validation, so a resumed run splits the same way. */
static int split_validation(session *s)
{
    s->train = s->data;
    if (s->options->validation == 0.0f)
        return 1;
    size_t n = clprop_data_samples(s->data);
    size_t held = (size_t)((double)n * s->options->validation + 0.5);
    if (held == 0 || held >= n) {
        cli_error("--validation: %g of %zu samples leaves %s", (double)s->options->validation, n,
                  held == 0 ? "no validation sample" : "no training sample");
        return 0;
    }
    size_t *order = malloc(n * sizeof *order);
    if (order == NULL) {
        cli_error("out of memory");
        return 0;
    }
    clprop_rng rng = clprop_rng_seeded(s->progress.seed ^ 0x76616c6964ull);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(clprop_rng_next(&rng) % i), swap = order[i - 1];
        order[i - 1] = order[j];
        order[j] = swap;
    }
    clprop_status status = clprop_data_subset(s->data, order, n - held, &s->train);
    if (status == CLPROP_SUCCESS)
        status = clprop_data_subset(s->data, order + (n - held), held, &s->validation);
    free(order);
    if (status != CLPROP_SUCCESS)
        cli_error("%s", clprop_data_message(s->validation != NULL ? s->validation : s->train));
    return status == CLPROP_SUCCESS;
}

static int load_test(session *s, size_t classes)
{
    train_options *o = s->options;
    if (o->test.path == NULL)
        return 1;
    cli_data_options test = o->data;
    test.path = o->test.path;
    test.labels = o->test.labels;
    if ((s->test = cli_load_data(&test, classes, &s->usage_error)) == NULL)
        return 0;
    return check_widths(o->test.path, s->test, clprop_data_inputs(s->data),
                        clprop_data_outputs(s->data));
}

/* The loss and output activation, from what was given and what the data hold. */
static int choose_output(session *s)
{
    cli_network_options *n = &s->options->network;
    cli_settle_output(n, clprop_data_has_labels(s->data));
    if (s->start == NULL && n->loss == CLPROP_LOSS_CROSS_ENTROPY &&
        n->output != CLPROP_ACTIVATION_SOFTMAX) {
        cli_error("train: --loss ce needs --output softmax");
        s->usage_error = 1;
        return 0;
    }
    return 1;
}

static int load_everything(session *s)
{
    if (!load_start_model(s))
        return 0;
    size_t classes = known_classes(s);
    if ((s->data = cli_load_data(&s->options->data, classes, &s->usage_error)) == NULL)
        return 0;
    if (classes == 0 && clprop_data_has_labels(s->data))
        classes = clprop_data_outputs(s->data);
    return settle_shape(s) && split_validation(s) && load_test(s, classes) && choose_output(s);
}

/* ---- the network on the device ---- */

static int build_network(session *s)
{
    train_options *o = s->options;
    clprop_status status;
    if (s->start != NULL) {
        status = clprop_net_create_from_model(s->context, s->start, &s->net);
    } else {
        clprop_activation activations[CLI_MAX_LAYERS];
        const cli_network_options *n = &o->network;
        for (size_t l = 0; l + 1 < n->size_count; l++)
            activations[l] = l + 2 == n->size_count ? n->output : n->hidden;
        clprop_net_desc desc = {n->size_count - 1, n->sizes, activations, n->no_bias, n->loss,
                                o->seed, o->weight_init};
        status = clprop_net_create(s->context, &desc, &s->net);
    }
    /* A chosen optimizer replaces whatever --init's model carried; --resume keeps its own. */
    int keep_model_optimizer = s->start != NULL && !o->optimizer_given &&
                               clprop_model_optimizer(s->start, NULL, NULL, NULL, NULL);
    if (status == CLPROP_SUCCESS && !keep_model_optimizer)
        status = clprop_net_set_optimizer(s->net, &o->optimizer);
    if (status != CLPROP_SUCCESS) {
        cli_error("%s", s->net != NULL ? clprop_net_message(s->net) : "out of memory");
        return 0;
    }
    return 1;
}

static int upload_one(session *s, const clprop_data *data, const char *path,
                      clprop_device_data **out)
{
    if (data == NULL)
        return 1;
    if (clprop_device_data_create(s->context, data, out) != CLPROP_SUCCESS) {
        cli_error("%s: %s", path, clprop_device_data_message(*out));
        return 0;
    }
    return 1;
}

static int upload(session *s)
{
    const train_options *o = s->options;
    return upload_one(s, s->train, o->data.path, &s->device_train) &&
           upload_one(s, s->validation, o->data.path, &s->device_validation) &&
           upload_one(s, s->test, o->test.path, &s->device_test);
}

/* ---- the epochs ---- */

static int evaluate(session *s, clprop_device_data *data, clprop_pass_result *result)
{
    if (clprop_net_evaluate(s->net, data, s->options->batch, result) == CLPROP_SUCCESS)
        return 1;
    cli_error("%s", clprop_net_message(s->net));
    return 0;
}

/* Early stopping's bookkeeping after an epoch; returns 1 when training should stop. */
static int watch_validation(session *s, size_t epoch, double loss, int *failed)
{
    clprop_training_state *p = &s->progress;
    if (p->best_epoch == 0 || loss < p->best_loss) {
        p->best_loss = loss;
        p->best_epoch = epoch;
        p->stale_epochs = 0;
        clprop_model_destroy(s->best);
        s->best = NULL;
        if (s->options->patience > 0 && clprop_model_from_net(s->net, &s->best) != CLPROP_SUCCESS)
            *failed = 1;
        return 0;
    }
    p->stale_epochs++;
    return s->options->patience > 0 && p->stale_epochs >= s->options->patience;
}

/* Writes the checkpoint for a stop in `epoch` after `samples_done` of its samples (0 when the
 * epoch is complete). shuffle_before is the generator before it drew that epoch's order. */
static int write_checkpoint(session *s, const char *path, size_t epoch, size_t samples_done,
                            uint64_t shuffle_after, uint64_t shuffle_before)
{
    clprop_training_state state = s->progress;
    state.epochs_done = samples_done > 0 ? epoch - 1 : epoch;
    state.samples_done = samples_done;
    state.shuffle_state = samples_done > 0 ? shuffle_before : shuffle_after;
    if (s->best != NULL && s->options->patience > 0) {
        char best_path[4200];
        snprintf(best_path, sizeof best_path, "%s.best", path);
        if (clprop_model_save(s->best, best_path) != CLPROP_SUCCESS) {
            cli_error("%s", clprop_model_message(s->best));
            return 0;
        }
    }
    return checkpoint_save(path, s->net, &state);
}

typedef enum { RUN_DONE, RUN_STOPPED_EARLY, RUN_INTERRUPTED, RUN_FAILED } run_end;

static run_end run_epochs(session *s, report *r)
{
    train_options *o = s->options;
    clprop_rng shuffles = {s->progress.shuffle_state};
    size_t first_sample = s->progress.samples_done;
    double start = now_seconds();
    for (size_t epoch = s->progress.epochs_done + 1; epoch <= o->epochs; epoch++) {
        uint64_t shuffle_before = shuffles.state;
        epoch_figures f = {.epoch = epoch, .epochs = o->epochs, .classifier = s->classifier};
        f.learning_rate = clprop_schedule_rate(&o->schedule, o->learning_rate, epoch, o->epochs);
        clprop_epoch_options options = {o->batch,     f.learning_rate, clprop_rng_next(&shuffles),
                                        report_progress, r,           first_sample,
                                        &interrupted};
        r->epoch = epoch;
        double epoch_start = now_seconds();
        clprop_status status = clprop_net_train_epoch(s->net, s->device_train, &options, &f.train);
        f.seconds = now_seconds() - epoch_start;
        if (status == CLPROP_STOPPED) {
            const char *path = o->checkpoint != NULL ? o->checkpoint : interrupted_checkpoint;
            size_t done = first_sample + f.train.samples;
            if (r->terminal)
                fputs("\n", stderr);
            if (!write_checkpoint(s, path, epoch, done, shuffles.state, shuffle_before))
                return RUN_FAILED;
            fprintf(stderr,
                    "clprop: interrupted in epoch %zu after %zu of %zu samples; checkpoint written "
                    "to %s\nclprop: continue with the same command and --resume %s\n",
                    epoch, done, clprop_data_samples(s->train), path, path);
            return RUN_INTERRUPTED;
        }
        first_sample = 0;
        f.has_validation = s->device_validation != NULL;
        f.has_test = s->device_test != NULL;
        if (status != CLPROP_SUCCESS) {
            if (r->terminal)
                fputs("\n", stderr);
            cli_error("epoch %zu: %s", epoch, clprop_net_message(s->net));
            return RUN_FAILED;
        }
        if ((f.has_validation && !evaluate(s, s->device_validation, &f.validation)) ||
            (f.has_test && !evaluate(s, s->device_test, &f.test)))
            return RUN_FAILED;
        f.elapsed_seconds = now_seconds() - start;
        report_epoch(r, &f);
        int failed = 0, stop = f.has_validation &&
                                 watch_validation(s, epoch, f.validation.loss, &failed);
        if (failed)
            return RUN_FAILED;
        s->progress.epochs_done = epoch;
        if (o->checkpoint_every > 0 && epoch % o->checkpoint_every == 0 &&
            !write_checkpoint(s, o->checkpoint, epoch, 0, shuffles.state, shuffle_before))
            return RUN_FAILED;
        if (stop) {
            printf("early stop: no better validation loss for %zu epochs; keeping epoch %zu's "
                   "network (validation loss %.5f)\n",
                   o->patience, (size_t)s->progress.best_epoch, s->progress.best_loss);
            return RUN_STOPPED_EARLY;
        }
    }
    return RUN_DONE;
}

/* Early stopping keeps the best network: put its weights back before the summary and --save. */
static int restore_best(session *s)
{
    if (s->options->patience == 0 || s->best == NULL)
        return 1;
    return model_weights_into(s->net, s->best);
}

/* With --resume and early stopping, the best network so far was saved beside the checkpoint. */
static int load_saved_best(session *s)
{
    if (s->options->resume == NULL || s->options->patience == 0 || s->progress.best_epoch == 0)
        return 1;
    char path[4200];
    snprintf(path, sizeof path, "%s.best", s->options->resume);
    if (clprop_model_load(path, &s->best) != CLPROP_SUCCESS) {
        cli_error("%s", clprop_model_message(s->best));
        return 0;
    }
    return 1;
}

static void print_summary(session *s, double seconds)
{
    if (s->device_test == NULL)
        return;
    clprop_pass_result result;
    if (!evaluate(s, s->device_test, &result))
        return;
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
    printf("device %s, GEMM %s, data %s, optimizer %s", clprop_context_device(s->context)->name,
           clprop_gemm_backend_name(clprop_context_gemm_backend(s->context)),
           clprop_device_data_resident(s->device_train) ? "on the device" : "sent per batch",
           clprop_optimizer_name(optimizer.kind));
    if (s->options->resume != NULL)
        printf(", resuming after epoch %zu", (size_t)s->progress.epochs_done);
    putchar('\n');
}

/* The epochs, the summary and the saved model; returns the exit status. */
static int train_and_save(session *s)
{
    size_t last = clprop_net_layer_count(s->net);
    s->classifier = clprop_net_units(s->net, last) > 1 &&
                    (clprop_data_has_labels(s->data) ||
                     clprop_net_activation(s->net, last) == CLPROP_ACTIVATION_SOFTMAX);
    report r;
    if (!report_open(&r, s->options->log, s->options->epochs))
        return EXIT_FAILED;
    /* Ctrl-C is caught from here on, which the line below tells anyone reading the output (it is
     * flushed even into a file or a pipe); before, it ends the process as usual. */
    struct sigaction action = {.sa_handler = on_interrupt}, previous;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous);
    describe_run(s);
    fflush(stdout);
    double start = now_seconds();
    run_end end = run_epochs(s, &r);
    sigaction(SIGINT, &previous, NULL);
    int logged = report_close(&r, end != RUN_FAILED);
    if (end == RUN_FAILED || !logged)
        return EXIT_FAILED;
    if (end == RUN_INTERRUPTED)
        return 128 + SIGINT;
    if (!restore_best(s))
        return EXIT_FAILED;
    print_summary(s, now_seconds() - start);
    if (s->options->save != NULL && !model_save(s->options->save, s->net))
        return EXIT_FAILED;
    return 0;
}

int cli_train(int argc, char **argv)
{
    train_options options;
    int code = train_parse_arguments(argc, argv, &options);
    if (code >= 0)
        return code;
    session s = {.options = &options};
    int ok = load_everything(&s) && load_saved_best(&s);
    if (ok &&
        (s.context = cli_open_context(options.network.device, options.network.gemm)) == NULL)
        ok = 0;
    ok = ok && build_network(&s) && upload(&s);
    code = ok ? train_and_save(&s) : s.usage_error ? EXIT_USAGE : EXIT_FAILED;
    session_end(&s);
    return code;
}
