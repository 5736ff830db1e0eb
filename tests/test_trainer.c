/* The library's training run (clprop_trainer): a checkpoint it writes resumes in `clprop train
 * --resume` to the same weights bit for bit, and one the command writes resumes in the library;
 * early stopping keeps the best epoch; a target loss ends the run; the epoch callback sees every
 * epoch and can stop the run; data the caller freed after creating the trainer is never read. */
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define DIABETES CLPROP_FANN_DIR "/diabetes.train"
/* The command line's network for the library's runs below: 8-12-2, sigmoid hidden layer, linear
 * output, squared error (diabetes's one-hot targets would make it a softmax classifier); weights
 * and shuffles both from seed 3. */
#define COMMAND "train --data " DIABETES " --layers 8,12,2 --batch 16 --lr 0.01 --seed 3 " \
                "--optimizer adam --output linear"

static char *dir;

static void make_dir(void) { dir = test_make_temp_dir(); }

static void remove_dir(void)
{
    test_remove_tree(dir);
    free(dir);
}

TestSuite(trainer, .init = make_dir, .fini = remove_dir);

static const char *in_dir(const char *name)
{
    return test_in_dir(dir, name);
}

typedef struct run {
    clprop_context *context;
    clprop_data *data;
    clprop_net *net;
    clprop_trainer *trainer;
} run;

static void open_run_on(run *r, const char *data_path, clprop_context_desc where)
{
    memset(r, 0, sizeof *r);
    r->context = test_context_with(where);
    clprop_data_source source = {.path = data_path};
    cr_assert_eq(clprop_data_load(&source, &r->data), CLPROP_SUCCESS, "%s",
                 clprop_data_message(r->data));
    const size_t sizes[] = {8, 12, 2};
    const clprop_activation activations[] = {CLPROP_ACTIVATION_SIGMOID, CLPROP_ACTIVATION_LINEAR};
    clprop_net_desc desc = {.layer_count = 2, .sizes = sizes, .activations = activations,
                            .loss = CLPROP_LOSS_MSE, .seed = 3};
    cr_assert_eq(clprop_net_create(r->context, &desc, &r->net), CLPROP_SUCCESS, "%s",
                 clprop_net_message(r->net));
    clprop_optimizer adam = {.kind = CLPROP_OPTIMIZER_ADAM};
    cr_assert_eq(clprop_net_set_optimizer(r->net, &adam), CLPROP_SUCCESS);
}

static void open_run(run *r, const char *data_path)
{
    open_run_on(r, data_path, (clprop_context_desc){0});
}

static void close_run(run *r)
{
    clprop_trainer_destroy(r->trainer);
    clprop_net_destroy(r->net);
    clprop_data_destroy(r->data);
    clprop_context_destroy(r->context);
}

static clprop_trainer_desc command_params(size_t epochs)
{
    return (clprop_trainer_desc){.epochs = epochs, .batch = 16, .learning_rate = 0.01f,
                                   .seed = 3};
}

static void train(run *r, const clprop_trainer_desc *params)
{
    cr_assert_eq(clprop_trainer_create(r->net, r->data, params, &r->trainer), CLPROP_SUCCESS,
                 "%s", clprop_trainer_message(r->trainer));
    cr_assert_eq(clprop_trainer_run(r->trainer), CLPROP_SUCCESS, "%s",
                 clprop_trainer_message(r->trainer));
}

/* Layer l's weights and biases of a model file, or of a network, side by side bit for bit. */
static void expect_same_weights(clprop_model *model, clprop_net *net, const char *what)
{
    for (size_t l = 1; l <= clprop_model_layer_count(model); l++) {
        size_t outputs = clprop_model_units(model, l), inputs = clprop_model_units(model, l - 1);
        float *weights = malloc(outputs * inputs * sizeof *weights);
        float *biases = malloc(outputs * sizeof *biases);
        cr_assert_eq(clprop_net_get_weights(net, l, weights, biases), CLPROP_SUCCESS);
        cr_expect(memcmp(weights, clprop_model_weights(model, l),
                         outputs * inputs * sizeof *weights) == 0 &&
                      memcmp(biases, clprop_model_biases(model, l), outputs * sizeof *biases) == 0,
                  "%s: layer %zu differs", what, l);
        free(weights), free(biases);
    }
}

static clprop_model *load(const char *path)
{
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_load(path, &model), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    return model;
}

static void command(const char *format, ...) __attribute__((format(printf, 1, 2)));

static void command(const char *format, ...)
{
    char args[8192], *err = NULL;
    va_list list;
    va_start(list, format);
    vsnprintf(args, sizeof args, format, list);
    va_end(list);
    int code = test_run_command(args, NULL, &err);
    cr_assert_eq(code, 0, "clprop %s: exit %d: %s", args, code, err);
    free(err);
}

Test(trainer, a_library_checkpoint_resumes_in_the_command_to_the_same_weights)
{
    run r;
    open_run(&r, DIABETES);
    clprop_trainer_desc params = command_params(2);
    params.checkpoint = in_dir("library.ck");
    params.checkpoint_every = 2;
    train(&r, &params);
    command(COMMAND " --epochs 4 --resume %s --save %s", in_dir("library.ck"),
            in_dir("resumed"));
    command(COMMAND " --epochs 4 --save %s", in_dir("straight"));
    clprop_model *resumed = load(in_dir("resumed")), *straight = load(in_dir("straight"));
    /* the straight run's weights, through a network made from its file */
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create_from_model(r.context, straight, &net), CLPROP_SUCCESS);
    expect_same_weights(resumed, net, "library 2 + command 2 against the command's 4");
    clprop_net_destroy(net);
    clprop_model_destroy(resumed);
    clprop_model_destroy(straight);
    close_run(&r);
}

Test(trainer, a_command_checkpoint_resumes_in_the_library_to_the_same_weights)
{
    command(COMMAND " --epochs 2 --checkpoint %s --checkpoint-every 1", in_dir("command.ck"));
    run resumed, straight;
    open_run(&resumed, DIABETES);
    clprop_trainer_desc params = command_params(4);
    params.resume = in_dir("command.ck");
    train(&resumed, &params);
    clprop_training_state progress;
    clprop_trainer_progress(resumed.trainer, &progress);
    cr_expect_eq(progress.epochs_done, 4);
    open_run(&straight, DIABETES);
    clprop_trainer_desc four = command_params(4);
    train(&straight, &four);
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_from_net(straight.net, &model), CLPROP_SUCCESS);
    expect_same_weights(model, resumed.net, "command 2 + library 2 against the library's 4");
    clprop_model_destroy(model);
    close_run(&straight);
    close_run(&resumed);
}

/* A checkpoint carries its run's batch, rate, validation share and schedule: resuming with only
 * the path (and the total) goes on exactly as the run would have, in the command and the library,
 * and a rate that differs is refused naming it. */
Test(trainer, a_resumed_run_takes_its_settings_from_the_checkpoint)
{
    /* a step schedule: its rates do not depend on the run's total, so 2 epochs then 2 more are
     * the first 4 of a 4-epoch run */
    command(COMMAND " --epochs 2 --validation 0.25 --schedule step --step-every 1 --step-factor "
                    "0.5 --warmup 1 --checkpoint %s --checkpoint-every 2", in_dir("settings.ck"));
    command("train --data " DIABETES " --epochs 4 --resume %s --save %s", in_dir("settings.ck"),
            in_dir("command-resumed"));
    run resumed, straight;
    open_run(&resumed, DIABETES);
    clprop_trainer_desc bare = {.epochs = 4, .resume = in_dir("settings.ck")};
    train(&resumed, &bare);
    open_run(&straight, DIABETES);
    clprop_trainer_desc four = command_params(4);
    four.validation = 0.25f;
    four.schedule = (clprop_schedule){.kind = CLPROP_SCHEDULE_STEP, .warmup_epochs = 1,
                                      .step_every = 1, .step_factor = 0.5f};
    train(&straight, &four);
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_from_net(straight.net, &model), CLPROP_SUCCESS);
    expect_same_weights(model, resumed.net, "library resumed with the path alone");
    clprop_model *command_resumed = load(in_dir("command-resumed"));
    expect_same_weights(command_resumed, straight.net, "command resumed with --resume alone");
    clprop_model_destroy(command_resumed);
    clprop_model_destroy(model);
    close_run(&straight);

    clprop_trainer_desc other_rate = {.epochs = 4, .learning_rate = 0.5f,
                                      .resume = in_dir("settings.ck")};
    clprop_trainer *refused = NULL;
    cr_expect_eq(clprop_trainer_create(resumed.net, resumed.data, &other_rate, &refused),
                 CLPROP_ERROR_MISMATCH);
    cr_expect(strstr(clprop_trainer_message(refused), "learning rate 0.5, not 0.01") != NULL,
              "%s", clprop_trainer_message(refused));
    clprop_trainer_destroy(refused);
    close_run(&resumed);

    char *err = NULL;
    char args[8192];
    snprintf(args, sizeof args, "train --data " DIABETES " --epochs 4 --lr 0.5 --resume %s",
             in_dir("settings.ck"));
    cr_expect_eq(test_run_command(args, NULL, &err), 2, "%s", err);
    cr_expect(strstr(err, "--lr 0.5, but it has 0.01") != NULL, "%s", err);
    free(err);
}

/* Counts the epochs the callback saw; stops the run after `stop_after` of them (0: never). */
typedef struct watcher {
    size_t epochs_seen, stop_after;
    double last_loss;
} watcher;

static int watch(void *user, const clprop_epoch_report *report)
{
    watcher *w = user;
    w->epochs_seen++;
    cr_expect_eq(report->epoch, w->epochs_seen);
    w->last_loss = report->has_validation ? report->validation.loss : report->train.loss;
    return w->stop_after > 0 && w->epochs_seen >= w->stop_after;
}

Test(trainer, a_target_loss_ends_the_run_at_the_first_epoch_that_reaches_it)
{
    run r;
    open_run(&r, DIABETES);
    watcher w = {0};
    clprop_trainer_desc params = command_params(200);
    params.target_loss = 0.2;
    params.on_epoch = watch;
    params.user = &w;
    train(&r, &params);
    cr_expect_eq(clprop_trainer_end(r.trainer), CLPROP_RUN_TARGET_REACHED);
    cr_expect(w.last_loss <= 0.2, "ended at loss %g", w.last_loss);
    cr_expect(w.epochs_seen > 1 && w.epochs_seen < 200, "%zu epochs", w.epochs_seen);
    close_run(&r);
}

Test(trainer, the_callback_stops_the_run_and_a_checkpoint_then_resumes_it)
{
    run r;
    open_run(&r, DIABETES);
    watcher w = {.stop_after = 3};
    clprop_trainer_desc params = command_params(10);
    params.on_epoch = watch;
    params.user = &w;
    cr_assert_eq(clprop_trainer_create(r.net, r.data, &params, &r.trainer), CLPROP_SUCCESS);
    cr_expect_eq(clprop_trainer_run(r.trainer), CLPROP_STOPPED);
    cr_expect_eq(clprop_trainer_end(r.trainer), CLPROP_RUN_STOPPED);
    cr_expect_eq(w.epochs_seen, 3);
    cr_assert_eq(clprop_trainer_save_checkpoint(r.trainer, in_dir("stopped.ck")), CLPROP_SUCCESS,
                 "%s", clprop_trainer_message(r.trainer));
    clprop_model *checkpoint = load(in_dir("stopped.ck"));
    clprop_training_state state;
    cr_assert(clprop_model_training_state(checkpoint, &state));
    cr_expect_eq(state.epochs_done, 3);
    clprop_model_destroy(checkpoint);
    close_run(&r);
}

/* Keeps the last epoch's report; during the epoch after `stop_in_epoch` − 1 whole ones, asks
 * for a stop once `stop_at` samples of it are done (stop_in_epoch 0: never). */
typedef struct recorder {
    clprop_epoch_report last;
    size_t epochs_seen, stop_in_epoch, stop_at;
    volatile sig_atomic_t stop;
} recorder;

static int record(void *user, const clprop_epoch_report *report)
{
    recorder *r = user;
    r->last = *report;
    r->epochs_seen++;
    return 0;
}

static void stop_part_way(void *user, size_t done, size_t total)
{
    (void)total;
    recorder *r = user;
    if (r->stop_in_epoch > 0 && r->epochs_seen + 1 == r->stop_in_epoch && done >= r->stop_at)
        r->stop = 1;
}

static void expect_near(double got, double want, const char *what)
{
    cr_expect(fabs(got - want) <= 1e-6 * fabs(want), "%s: %.9g, straight through %.9g", what, got,
              want);
}

/* Runs r with `desc`, whose recorder asks for a stop part-way, and saves the checkpoint to `name`
 * in the test's folder. */
static void run_to_the_stop(run *r, const clprop_trainer_desc *desc, const char *name)
{
    cr_assert_eq(clprop_trainer_create(r->net, r->data, desc, &r->trainer), CLPROP_SUCCESS, "%s",
                 clprop_trainer_message(r->trainer));
    cr_assert_eq(clprop_trainer_run(r->trainer), CLPROP_STOPPED);
    cr_assert_eq(clprop_trainer_save_checkpoint(r->trainer, in_dir(name)), CLPROP_SUCCESS, "%s",
                 clprop_trainer_message(r->trainer));
}

/* An epoch stopped part-way (Ctrl-C), resumed, stopped again in the same epoch and resumed again
 * reports the figures of the whole epoch, as the run that never stopped does: each checkpoint
 * keeps those of the epoch's part before its stop. */
Test(trainer, a_resumed_epoch_reports_the_whole_epochs_figures)
{
    run straight, stopped, resumed;
    recorder whole = {0}, first = {.stop_in_epoch = 2, .stop_at = 200},
             second = {.stop_in_epoch = 1, .stop_at = 300}, rest = {0};
    open_run(&straight, DIABETES);
    clprop_trainer_desc two = command_params(2);
    two.on_epoch = record;
    two.user = &whole;
    train(&straight, &two);

    open_run(&stopped, DIABETES);
    clprop_trainer_desc interrupted = two;
    interrupted.user = &first;
    interrupted.progress = stop_part_way;
    interrupted.progress_user = &first;
    interrupted.stop = &first.stop;
    run_to_the_stop(&stopped, &interrupted, "part.ck");
    clprop_model *checkpoint = load(in_dir("part.ck"));
    clprop_training_state state;
    cr_assert(clprop_model_training_state(checkpoint, &state));
    cr_assert(state.epochs_done == 1 && state.samples_done >= 200 && state.samples_done < 384,
              "stopped after epoch %llu and %llu samples", (unsigned long long)state.epochs_done,
              (unsigned long long)state.samples_done);
    clprop_pass_result so_far;
    double seconds = 0.0;
    cr_assert(clprop_model_interrupted_epoch(checkpoint, &so_far, &seconds));
    cr_expect_eq(so_far.samples, state.samples_done);
    cr_expect(seconds > 0.0);
    clprop_model_destroy(checkpoint);

    run again;
    open_run(&again, DIABETES);
    clprop_trainer_desc stop_again = {.epochs = 2, .resume = in_dir("part.ck"),
                                      .on_epoch = record, .user = &second,
                                      .progress = stop_part_way, .progress_user = &second,
                                      .stop = &second.stop};
    run_to_the_stop(&again, &stop_again, "part2.ck");
    clprop_model *twice = load(in_dir("part2.ck"));
    clprop_training_state state2;
    cr_assert(clprop_model_training_state(twice, &state2));
    cr_assert(state2.samples_done > state.samples_done && state2.samples_done < 384,
              "stopped again after %llu samples", (unsigned long long)state2.samples_done);
    cr_expect(clprop_model_interrupted_epoch(twice, NULL, NULL));
    clprop_model_destroy(twice);

    open_run(&resumed, DIABETES);
    clprop_trainer_desc on = {.epochs = 2, .resume = in_dir("part2.ck"), .on_epoch = record,
                              .user = &rest};
    train(&resumed, &on);
    cr_assert_eq(rest.epochs_seen, 1);
    const clprop_pass_result *got = &rest.last.train, *want = &whole.last.train;
    cr_expect_eq(rest.last.epoch, 2);
    cr_expect_eq(got->samples, want->samples);
    cr_expect_eq(got->correct, want->correct);
    expect_near(got->loss, want->loss, "loss");
    expect_near(got->mse, want->mse, "MSE");

    /* a checkpoint made before the figures were kept: the epoch reports its rest alone */
    checkpoint = load(in_dir("part.ck"));
    cr_assert_eq(clprop_model_set_training_state(checkpoint, &state), CLPROP_SUCCESS);
    cr_assert_eq(clprop_model_save(checkpoint, in_dir("older.ck")), CLPROP_SUCCESS);
    clprop_model_destroy(checkpoint);
    run older;
    recorder older_rest = {0};
    open_run(&older, DIABETES);
    clprop_trainer_desc from_older = {.epochs = 2, .resume = in_dir("older.ck"),
                                      .on_epoch = record, .user = &older_rest};
    train(&older, &from_older);
    cr_expect_eq(older_rest.last.train.samples, 384 - state.samples_done);
    close_run(&straight), close_run(&stopped), close_run(&again), close_run(&resumed),
        close_run(&older);
}

/* r's training set replaced by its samples 0, 1, ..., count − 1 taken in turn (repeating). */
static void use_samples(run *r, size_t count)
{
    size_t *indices = malloc(count * sizeof *indices), have = clprop_data_samples(r->data);
    for (size_t i = 0; i < count; i++)
        indices[i] = i % have;
    clprop_data *part = NULL;
    cr_assert_eq(clprop_data_subset(r->data, indices, count, &part), CLPROP_SUCCESS);
    free(indices);
    clprop_data_destroy(r->data);
    r->data = part;
}

/* A checkpoint stopped inside an epoch goes on with that epoch's shuffle: with another training
 * set, larger or smaller (but not below the samples done, refused anyway), it would mix the two
 * sets in one epoch, so it is refused naming both sizes; the same set resumes. */
Test(trainer, an_interrupted_epoch_resumes_only_with_a_set_of_its_size)
{
    run stopped;
    recorder first = {.stop_in_epoch = 1, .stop_at = 200};
    open_run(&stopped, DIABETES);
    clprop_trainer_desc interrupted = command_params(2);
    interrupted.on_epoch = record;
    interrupted.user = &first;
    interrupted.progress = stop_part_way;
    interrupted.progress_user = &first;
    interrupted.stop = &first.stop;
    run_to_the_stop(&stopped, &interrupted, "part.ck");
    const size_t sizes[] = {484, 380, 384};
    for (size_t i = 0; i < 3; i++) {
        run again;
        open_run(&again, DIABETES);
        use_samples(&again, sizes[i]);
        clprop_trainer_desc on = {.epochs = 2, .resume = in_dir("part.ck")};
        clprop_status status = clprop_trainer_create(again.net, again.data, &on, &again.trainer);
        if (sizes[i] == 384) {
            cr_expect_eq(status, CLPROP_SUCCESS, "%s", clprop_trainer_message(again.trainer));
        } else {
            cr_expect_eq(status, CLPROP_ERROR_MISMATCH, "%zu samples", sizes[i]);
            char want[64];
            snprintf(want, sizeof want, "of an epoch's 384 samples, but the training set has %zu",
                     sizes[i]);
            cr_expect(strstr(clprop_trainer_message(again.trainer), want) != NULL, "%s",
                      clprop_trainer_message(again.trainer));
        }
        close_run(&again);
    }
    close_run(&stopped);
}

Test(trainer, early_stopping_ends_the_run_with_the_best_epochs_weights)
{
    run r;
    open_run(&r, DIABETES);
    clprop_trainer_desc params = command_params(300);
    params.learning_rate = 0.05f;
    params.validation = 0.3f;
    params.patience = 3;
    train(&r, &params);
    clprop_training_state progress;
    clprop_trainer_progress(r.trainer, &progress);
    cr_assert_eq(clprop_trainer_end(r.trainer), CLPROP_RUN_EARLY_STOP, "ran %llu epochs",
                 (unsigned long long)progress.epochs_done);
    cr_expect_eq(progress.epochs_done, progress.best_epoch + 3);
    close_run(&r);
}

Test(trainer, bad_parameters_are_refused_with_a_message)
{
    run r;
    open_run(&r, DIABETES);
    clprop_trainer_desc params = {.patience = 2};
    cr_expect_eq(clprop_trainer_create(r.net, r.data, &params, &r.trainer),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_trainer_message(r.trainer), "validation") != NULL, "%s",
              clprop_trainer_message(r.trainer));
    clprop_trainer_destroy(r.trainer);
    r.trainer = NULL;
    params = (clprop_trainer_desc){.validation = 1.5f};
    cr_expect_eq(clprop_trainer_create(r.net, r.data, &params, &r.trainer),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    clprop_trainer_destroy(r.trainer);
    r.trainer = NULL;
    /* an unknown schedule at once, not at the first checkpoint */
    params = (clprop_trainer_desc){.schedule = {.kind = (clprop_schedule_kind)9}};
    cr_expect_eq(clprop_trainer_create(r.net, r.data, &params, &r.trainer),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_trainer_message(r.trainer), "schedule 9") != NULL, "%s",
              clprop_trainer_message(r.trainer));
    close_run(&r);
}

/* The whole file as text (NULL when it cannot be read). */
static char *read_all(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    char *text = calloc(1, 1 << 20);
    size_t length = fread(text, 1, (1 << 20) - 1, file);
    fclose(file);
    text[length] = '\0';
    return text;
}

static size_t count_char(const char *text, char c)
{
    size_t count = 0;
    for (; *text != '\0'; text++)
        count += *text == c;
    return count;
}

Test(trainer, the_log_has_a_header_and_a_whole_row_per_epoch_with_every_column)
{
    run r;
    open_run(&r, DIABETES);
    clprop_trainer_desc params = command_params(4);
    params.validation = 0.25f;
    params.log = in_dir("log.csv");
    train(&r, &params);
    char *text = read_all(in_dir("log.csv"));
    cr_assert_not_null(text, "no log at %s", in_dir("log.csv"));
    cr_expect_eq(strncmp(text, "epoch,learning_rate,train_loss", 30), 0, "%.60s", text);
    cr_expect_eq(count_char(text, '\n'), 5, "header + 4 rows:\n%s", text);
    cr_expect_eq(count_char(text, ','), 5 * 11, "12 columns per line:\n%s", text);
    cr_expect_eq(text[strlen(text) - 1], '\n', "the last row is whole");
    /* row 4 starts with its epoch and carries a validation loss */
    const char *row4 = strstr(text, "\n4,");
    cr_expect_not_null(row4, "%s", text);
    free(text);
    close_run(&r);
}

/* The elapsed_s column (the last) of epoch `epoch`'s row; -1 when there is none. */
static double elapsed_of_row(const char *log, int epoch)
{
    char start[32];
    snprintf(start, sizeof start, "\n%d,", epoch);
    const char *row = strstr(log, start);
    const char *end = row != NULL ? strchr(row + 1, '\n') : NULL;
    if (end == NULL)
        return -1.0;
    const char *comma = end;
    while (comma > row && *comma != ',')
        comma--;
    return strtod(comma + 1, NULL);
}

/* A resumed run's log goes on from the checkpoint's epoch: the earlier rows of epochs 1-2 stay as
 * they were, 3 and 4 follow, and the elapsed time does not start again from 0. */
Test(trainer, a_resumed_run_keeps_the_earlier_logs_rows)
{
    run first;
    open_run(&first, DIABETES);
    clprop_trainer_desc two = command_params(2);
    two.checkpoint = in_dir("resume.ck");
    two.checkpoint_every = 2;
    two.log = in_dir("run.csv");
    train(&first, &two);
    close_run(&first);
    char *before = read_all(in_dir("run.csv"));
    cr_assert_not_null(before);
    cr_assert_eq(count_char(before, '\n'), 3, "%s", before);

    run resumed;
    open_run(&resumed, DIABETES);
    clprop_trainer_desc four = {.epochs = 4, .resume = in_dir("resume.ck"),
                                .log = in_dir("run.csv")};
    train(&resumed, &four);
    close_run(&resumed);
    char *after = read_all(in_dir("run.csv"));
    cr_assert_not_null(after);
    cr_expect_eq(strncmp(after, before, strlen(before)), 0,
                 "the first rows changed:\n%s\nthen\n%s", before, after);
    cr_expect_eq(count_char(after, '\n'), 5, "header + 4 rows:\n%s", after);
    double elapsed2 = elapsed_of_row(after, 2), elapsed3 = elapsed_of_row(after, 3);
    cr_expect(elapsed2 > 0.0 && elapsed3 >= elapsed2, "elapsed %g, then %g", elapsed2, elapsed3);
    free(before), free(after);
}

Test(trainer, a_log_that_cannot_be_written_is_refused_before_any_epoch)
{
    run r;
    open_run(&r, DIABETES);
    watcher w = {0};
    clprop_trainer_desc params = command_params(3);
    params.on_epoch = watch;
    params.user = &w;
    params.log = in_dir("no-such-folder/log.csv");
    cr_expect_eq(clprop_trainer_create(r.net, r.data, &params, &r.trainer), CLPROP_ERROR_IO);
    cr_expect(strstr(clprop_trainer_message(r.trainer), "no-such-folder") != NULL &&
                  strstr(clprop_trainer_message(r.trainer), "does not exist") != NULL,
              "%s", clprop_trainer_message(r.trainer));
    clprop_trainer_destroy(r.trainer);
    r.trainer = NULL;
    params.log = dir; /* a directory */
    cr_expect_eq(clprop_trainer_create(r.net, r.data, &params, &r.trainer), CLPROP_ERROR_IO);
    cr_expect(strstr(clprop_trainer_message(r.trainer), "directory") != NULL, "%s",
              clprop_trainer_message(r.trainer));
    cr_expect_eq(w.epochs_seen, 0);
    close_run(&r);
}

Test(trainer, a_run_refused_at_create_leaves_an_earlier_log_as_it_was)
{
    FILE *earlier = fopen(in_dir("kept.csv"), "w");
    cr_assert_not_null(earlier);
    fputs("an earlier run's log\n", earlier);
    fclose(earlier);
    run r;
    open_run(&r, DIABETES);
    clprop_trainer_desc params = command_params(3);
    params.checkpoint = in_dir("no-such-folder/ck");
    params.log = in_dir("kept.csv");
    cr_expect_eq(clprop_trainer_create(r.net, r.data, &params, &r.trainer), CLPROP_ERROR_IO);
    char *text = read_all(in_dir("kept.csv"));
    cr_expect_str_eq(text, "an earlier run's log\n");
    free(text);
    close_run(&r);
}

/* The reproducer of a use-after-free: device data streamed from the host (forced here) kept a
 * bare pointer to the caller's data set and read it after the caller had destroyed it; it now
 * holds the data set until it is destroyed itself. Under the sanitizer job a read of freed memory
 * fails this test; without it, the loss is compared with a run whose data set stays alive. */
static double one_streamed_epoch(int destroy_host_data_first)
{
    run r;
    open_run_on(&r, DIABETES, (clprop_context_desc){.keep_data_on_host = 1});
    clprop_device_data *on_device = NULL;
    cr_assert_eq(clprop_device_data_create(r.context, r.data, &on_device), CLPROP_SUCCESS, "%s",
                 clprop_device_data_message(on_device));
    cr_assert(!clprop_device_data_resident(on_device), "the data should stream from the host");
    if (destroy_host_data_first) {
        clprop_data_destroy(r.data);
        r.data = NULL;
    }
    clprop_epoch_desc epoch = {.batch = 16, .learning_rate = 0.01f, .shuffle_seed = 7};
    clprop_pass_result result;
    cr_assert_eq(clprop_net_train_epoch(r.net, on_device, &epoch, &result), CLPROP_SUCCESS, "%s",
                 clprop_net_message(r.net));
    clprop_device_data_destroy(on_device);
    close_run(&r);
    return result.loss;
}

/* The trainer lets go of its validation split's host copies once they are uploaded; streamed
 * from the host, the device data hold them. Under the sanitizer job a read of freed memory fails
 * this; otherwise the streamed run must equal the resident one. */
static double loss_after_two_epochs_with_validation(clprop_context_desc where)
{
    run r;
    open_run_on(&r, DIABETES, where);
    watcher w = {0};
    clprop_trainer_desc params = command_params(2);
    params.validation = 0.25f;
    params.on_epoch = watch;
    params.user = &w;
    train(&r, &params);
    cr_expect_eq(clprop_trainer_data_resident(r.trainer), !where.keep_data_on_host);
    close_run(&r);
    return w.last_loss;
}

Test(trainer, a_split_data_set_trains_the_same_streamed_after_the_host_copies_are_let_go)
{
    double resident = loss_after_two_epochs_with_validation((clprop_context_desc){0});
    double streamed = loss_after_two_epochs_with_validation(
        (clprop_context_desc){.keep_data_on_host = 1, .stream_chunk = 16});
    cr_expect_eq(streamed, resident, "validation loss %.17g streamed, %.17g resident", streamed,
                 resident);
}

/* The caller may destroy its data sets as soon as the trainer is made: what is on the device no
 * longer needs them, and what streams holds them. Under the sanitizer job a read of freed memory
 * fails this; otherwise the run must equal one whose data sets stay alive. */
static double loss_with_data_destroyed_after_create(int destroy, clprop_context_desc where)
{
    run r;
    open_run_on(&r, DIABETES, where);
    clprop_data_source source = {.path = CLPROP_FANN_DIR "/diabetes.test"};
    clprop_data *test = NULL;
    cr_assert_eq(clprop_data_load(&source, &test), CLPROP_SUCCESS);
    watcher w = {0};
    clprop_trainer_desc params = command_params(2);
    params.validation = 0.2f;
    params.test = test;
    params.on_epoch = watch;
    params.user = &w;
    cr_assert_eq(clprop_trainer_create(r.net, r.data, &params, &r.trainer), CLPROP_SUCCESS, "%s",
                 clprop_trainer_message(r.trainer));
    if (destroy) {
        clprop_data_destroy(r.data);
        clprop_data_destroy(test);
        r.data = test = NULL;
    }
    cr_assert_eq(clprop_trainer_run(r.trainer), CLPROP_SUCCESS, "%s",
                 clprop_trainer_message(r.trainer));
    clprop_data_destroy(test);
    close_run(&r);
    return w.last_loss;
}

Test(trainer, the_caller_may_destroy_its_data_sets_once_the_trainer_is_made)
{
    clprop_context_desc resident = {0}, streamed = {.keep_data_on_host = 1, .stream_chunk = 32};
    cr_expect_eq(loss_with_data_destroyed_after_create(1, resident),
                 loss_with_data_destroyed_after_create(0, resident));
    cr_expect_eq(loss_with_data_destroyed_after_create(1, streamed),
                 loss_with_data_destroyed_after_create(0, streamed));
}

Test(trainer, streamed_device_data_outlive_the_callers_data_set)
{
    double kept = one_streamed_epoch(0), destroyed = one_streamed_epoch(1);
    cr_expect_eq(destroyed, kept, "loss %.17g with the data set destroyed, %.17g without",
                 destroyed, kept);
}
