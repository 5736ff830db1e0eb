/* clprop train's toolbox from the command line: optimizers, schedules, validation and early
 * stopping, checkpoints, --resume and Ctrl-C. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "support.h"

#define DIABETES CLPROP_FANN_DIR "/diabetes.train"
#define BUILDING CLPROP_FANN_DIR "/building.train"

static char *dir;

static void make_dir(void)
{
    dir = test_make_temp_dir();
}

static void remove_dir(void)
{
    test_remove_tree(dir);
    free(dir);
}

TestSuite(train_cli, .init = make_dir, .fini = remove_dir);

static void expect_same_file(const char *a, const char *b)
{
    size_t size_a, size_b;
    char *bytes_a = test_read_file(a, &size_a), *bytes_b = test_read_file(b, &size_b);
    cr_expect(size_a == size_b && memcmp(bytes_a, bytes_b, size_a) == 0,
              "%s and %s differ (%zu and %zu bytes)", a, b, size_a, size_b);
    free(bytes_a), free(bytes_b);
}

static char *last_out, *last_err;
/* Runs the command with printf-formatted arguments into last_out and last_err. */
#define run(...) test_run_formatted(&last_out, &last_err, __VA_ARGS__)

#define COMMON "train --data " DIABETES " --layers 8,12,2 --batch 16 --lr 0.01 --seed 3"

/* The test: 4 epochs straight, or 2 then --resume to 4, end with the same weights — bit
 * for bit, since the same device runs the same kernels in the same order, and the checkpoint
 * carries the optimizer's moments and the shuffle generator. */
Test(train_cli, four_epochs_straight_equal_two_then_two_more_resumed)
{
    const char *optimizers[] = {"sgd", "momentum --nesterov", "adam --weight-decay 0.01",
                                "rprop"};
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(run(COMMON " --optimizer %s --epochs 4 --save %s/straight", optimizers[i],
                         dir), 0, "%s", last_err);
        cr_assert_eq(run(COMMON " --optimizer %s --epochs 2 --checkpoint %s/ck "
                                "--checkpoint-every 1", optimizers[i], dir), 0, "%s", last_err);
        cr_assert_eq(run(COMMON " --epochs 4 --resume %s/ck --save %s/resumed", dir, dir), 0, "%s",
                     last_err);
        cr_expect(strstr(last_out, "resuming after epoch 2") != NULL, "%s", last_out);
        char straight[4200], resumed[4200];
        snprintf(straight, sizeof straight, "%s/straight", dir);
        snprintf(resumed, sizeof resumed, "%s/resumed", dir);
        expect_same_file(straight, resumed);
    }
}

/* Ctrl-C finishes the batch, writes the checkpoint, says how to resume and exits with 130; the
 * resumed run ends exactly where an uninterrupted one does. */
Test(train_cli, ctrl_c_writes_a_checkpoint_that_resumes_exactly, .timeout = 120)
{
    char command[8192];
    snprintf(command, sizeof command,
             /* a background job of a script starts with SIGINT ignored, which clprop keeps (as
              * any program does); env gives it back its default, as a terminal's Ctrl-C has it */
             "cd %s && (env --default-signal=INT %s train --data %s --layers 14,64,64,3 --batch 8 "
             "--lr 0.01 --epochs 100000 --checkpoint ck >out 2>err & pid=$!; "
             /* interrupt once it is training (the "device ..." line), however long the start */
             "for i in $(seq 600); do grep -q '^device' out && break; sleep 0.1; done; "
             "sleep 0.5; kill -INT $pid; "
             "wait $pid)",
             dir, CLPROP_COMMAND, BUILDING);
    int raw = system(command);
    cr_assert(WIFEXITED(raw), "the shell ended abnormally");
    cr_assert_eq(WEXITSTATUS(raw), 130, "exit status %d", WEXITSTATUS(raw));
    char path[4200];
    snprintf(path, sizeof path, "%s/err", dir);
    size_t size;
    char *err = test_read_file(path, &size);
    err[size] = '\0';
    size_t epoch = 0, samples = 0;
    cr_assert(sscanf(strstr(err, "interrupted in epoch"), "interrupted in epoch %zu after %zu",
                     &epoch, &samples) == 2, "%s", err);
    cr_expect(strstr(err, "--resume ck") != NULL, "says how to resume: %s", err);
    free(err);
    /* the same run, uninterrupted, to the end of the interrupted epoch */
    cr_assert_eq(run("train --data %s --layers 14,64,64,3 --batch 8 --lr 0.01 --epochs %zu "
                     "--save %s/straight", BUILDING, epoch, dir), 0, "%s", last_err);
    cr_assert_eq(run("train --data %s --batch 8 --lr 0.01 --epochs %zu --resume %s/ck --save "
                     "%s/resumed", BUILDING, epoch, dir, dir), 0, "%s", last_err);
    char straight[4200], resumed[4200];
    snprintf(straight, sizeof straight, "%s/straight", dir);
    snprintf(resumed, sizeof resumed, "%s/resumed", dir);
    expect_same_file(straight, resumed);
}

Test(train_cli, early_stopping_keeps_the_best_validation_epoch)
{
    cr_assert_eq(run("train --data %s --layers 14,32,3 --optimizer adam --lr 0.05 --epochs 200 "
                     "--batch 32 --validation 0.2 --early-stop 4 --log %s/log.csv --save %s/best",
                     BUILDING, dir, dir), 0, "%s", last_err);
    size_t best = 0;
    char *line = strstr(last_out, "early stop:");
    cr_assert_not_null(line, "it should stop early: %s", last_out);
    cr_assert(sscanf(line, "early stop: no better validation loss for 4 epochs; keeping epoch %zu",
                     &best) == 1, "%s", line);
    /* the log has one row per epoch run: the best one and the 4 after it */
    char path[4200];
    snprintf(path, sizeof path, "%s/log.csv", dir);
    size_t size;
    char *log = test_read_file(path, &size);
    size_t rows = 0;
    for (size_t i = 0; i < size; i++)
        rows += log[i] == '\n';
    cr_expect_eq(rows, 1 + best + 4, "header + %zu epochs", best + 4);
    free(log);
}

/* A run with early stopping keeps its best epoch's network beside the checkpoint (ck.best), and
 * --resume reads it back: an output naming it is refused before anything is read, as any output
 * naming an input; going on checkpointing to the same files is continuing in place. */
Test(train_cli, the_resumed_runs_best_model_file_is_an_input)
{
    cr_assert_eq(run(COMMON " --validation 0.2 --early-stop 5 --epochs 2 --checkpoint %s/ck "
                            "--checkpoint-every 1",
                     dir),
                 0, "%s", last_err);
    char best[4200];
    snprintf(best, sizeof best, "%s/ck.best", dir);
    size_t size;
    char *bytes = test_read_file(best, &size);
    char *kept = test_write_bytes(dir, "kept", bytes, size);
    free(bytes);
    const char *outputs[] = {"--log", "--save"};
    for (int i = 0; i < 2; i++) {
        cr_expect_eq(run(COMMON " --validation 0.2 --early-stop 5 --epochs 3 --resume %s/ck %s %s",
                         dir, outputs[i], best),
                     2, "%s: %s", outputs[i], last_err);
        cr_expect(strstr(last_err, "--resume's best-model file") != NULL, "%s", last_err);
        expect_same_file(best, kept);
    }
    cr_expect_eq(run(COMMON " --validation 0.2 --early-stop 5 --epochs 3 --resume %s/ck "
                            "--checkpoint %s/ck",
                     dir, dir),
                 0, "%s", last_err);
    free(kept);
}

Test(train_cli, the_schedule_sets_each_epochs_learning_rate_in_the_log)
{
    cr_assert_eq(run("train --data %s --epochs 6 --lr 0.4 --schedule step --step-every 2 "
                     "--step-factor 0.5 --warmup 2 --log %s/log.csv", DIABETES, dir), 0, "%s",
                 last_err);
    char path[4200];
    snprintf(path, sizeof path, "%s/log.csv", dir);
    size_t size;
    char *log = test_read_file(path, &size);
    log[size] = '\0';
    const double want[] = {0.2, 0.4, 0.4, 0.4, 0.2, 0.2};
    char *row = strchr(log, '\n') + 1;
    for (int epoch = 1; epoch <= 6; epoch++, row = strchr(row, '\n') + 1) {
        int got_epoch;
        double rate;
        cr_assert(sscanf(row, "%d,%lf", &got_epoch, &rate) == 2, "%s", row);
        cr_expect_eq(got_epoch, epoch);
        cr_expect_float_eq(rate, want[epoch - 1], 1e-6, "epoch %d", epoch);
    }
    free(log);
}

Test(train_cli, each_optimizer_and_activation_trains_from_the_command_line)
{
    const char *settings[] = {
        "--optimizer sgd --activation sigmoid",
        "--optimizer momentum --momentum 0.8 --activation tanh",
        "--optimizer adam --beta1 0.85 --beta2 0.995 --lr 0.01 --activation relu",
        "--optimizer adam --weight-decay 0.01 --lr 0.01 --activation leaky-relu",
        "--optimizer rprop --batch 384 --activation tanh",
    };
    for (size_t i = 0; i < 5; i++) {
        cr_expect_eq(run("train --data %s --epochs 3 %s", DIABETES, settings[i]), 0, "%s: %s",
                     settings[i], last_err);
        cr_expect(strstr(last_out, "epoch 3/3") != NULL, "%s", last_out);
    }
}

Test(train_cli, bad_toolbox_options_are_usage_errors)
{
    const char *bad[] = {"--optimizer lbfgs", "--momentum 1.5", "--beta2 0",
                         "--weight-decay -1", "--schedule linear", "--step-factor 2",
                         "--validation 1", "--early-stop 3", "--checkpoint-every 2",
                         "--warmup 0"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_expect_eq(run("train --data %s %s", DIABETES, bad[i]), 2, "%s", bad[i]);
        cr_expect(strchr(last_err, '\n') == strrchr(last_err, '\n'), "one line: %s", last_err);
    }
}

/* In range as written, not as the float the library gets (0.99999999 is 1 there), and a finite
 * rate that scaling takes past single precision: usage errors naming the option, before any
 * work, not the library's refusal later. */
Test(train_cli, values_out_of_range_once_single_precision_are_usage_errors)
{
    const struct {
        const char *options, *named;
    } bad[] = {
        {"--validation 0.99999999", "--validation: must be above 0 and below 1, not 0.99999999 (1 "
                                    "in single precision)"},
        {"--optimizer momentum --momentum 0.99999999", "--momentum: "},
        {"--optimizer adam --beta2 0.99999999", "--beta2: "},
        {"--dropout 0.99999999", "--dropout: "},
        {"--lr 3e38 --lr-for-batch 1 --batch 4", "--lr-for-batch: "},
        {"--lr 1e-44 --lr-for-batch 100 --batch 4", "--lr-for-batch: "},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_expect_eq(run("train --data %s %s", DIABETES, bad[i].options), 2, "%s: %s",
                     bad[i].options, last_err);
        cr_expect(strstr(last_err, bad[i].named) != NULL, "%s: %s", bad[i].options, last_err);
        cr_expect(strchr(last_err, '\n') == strrchr(last_err, '\n'), "one line: %s", last_err);
    }
}

/* An option of an optimizer or schedule the command line did not choose would be ignored: it is
 * a usage error naming the option and what to add. */
Test(train_cli, options_of_a_choice_not_made_are_usage_errors)
{
    const struct {
        const char *options, *names, *adds;
    } cases[] = {
        {"--momentum 0.8", "--momentum", "--optimizer momentum"},
        {"--optimizer adam --nesterov", "--nesterov", "--optimizer momentum"},
        {"--optimizer momentum --beta1 0.8", "--beta1", "--optimizer adam"},
        {"--step-every 2", "--step-every", "--schedule step"},
        {"--schedule cosine --step-factor 0.5", "--step-factor", "--schedule step"},
        {"--test-labels labels.idx", "--test-labels", "--test FILE"},
        {"--resume no-such.ck --test-labels labels.idx", "--test-labels", "--test FILE"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cr_expect_eq(run("train --data %s --epochs 1 %s", DIABETES, cases[i].options), 2, "%s",
                     cases[i].options);
        cr_expect(strchr(last_err, '\n') == strrchr(last_err, '\n'), "one line: %s", last_err);
        cr_expect(strstr(last_err, cases[i].names) != NULL && strstr(last_err, cases[i].adds),
                  "%s: %s", cases[i].options, last_err);
    }
    cr_expect_eq(run("train --data %s --epochs 1 --optimizer momentum --momentum 0.8 --schedule "
                     "step --step-every 1 --step-factor 0.5",
                     DIABETES),
                 0, "%s", last_err);
}

/* With --resume the run's optimizer is the checkpoint's: an option of another one is refused by
 * the comparison with it, defaults included (the checkpoint's sgd holds momentum's default). */
Test(train_cli, resuming_with_an_option_of_another_optimizer_is_refused)
{
    cr_assert_eq(run("train --data %s --epochs 1 --checkpoint %s/sgd.ck --checkpoint-every 1",
                     DIABETES, dir),
                 0, "%s", last_err);
    const char *options[] = {"--momentum 0.9", "--nesterov", "--beta1 0.9", "--beta2 0.999"};
    const char *names[] = {"--momentum", "--nesterov", "--beta1", "--beta2"};
    for (size_t i = 0; i < 4; i++) {
        cr_expect_eq(
            run("train --data %s --epochs 2 --resume %s/sgd.ck %s", DIABETES, dir, options[i]), 2,
            "%s", options[i]);
        cr_expect(strstr(last_err, names[i]) && strstr(last_err, "its optimizer is sgd"), "%s",
                  last_err);
    }
}

/* The optimizer a model saved with --init starts from, as its model holds it. */
static clprop_optimizer saved_optimizer(const char *path, uint64_t *steps)
{
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_load(path, &model), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    clprop_optimizer optimizer = {0};
    cr_assert(clprop_model_optimizer(model, &optimizer, steps, NULL, NULL), "%s has none", path);
    clprop_model_destroy(model);
    return optimizer;
}

/* --init without --optimizer goes on with the model's optimizer and its state: that optimizer's
 * own options replace the values it held (the steps count on, so the state was kept); an option
 * of another optimizer is refused naming the model's; a model with none trains with sgd. */
Test(train_cli, init_goes_on_with_the_models_optimizer_and_takes_its_options)
{
    cr_assert_eq(run(COMMON " --epochs 1 --optimizer momentum --save %s/m.clprop", dir), 0, "%s",
                 last_err);
    uint64_t steps_before = 0, steps_after = 0;
    saved_optimizer(test_in_dir(dir, "m.clprop"), &steps_before);
    cr_assert_eq(run(COMMON " --epochs 1 --init %s/m.clprop --momentum 0.5 --nesterov "
                            "--weight-decay 0.001 --save %s/n.clprop",
                     dir, dir),
                 0, "%s", last_err);
    clprop_optimizer n = saved_optimizer(test_in_dir(dir, "n.clprop"), &steps_after);
    cr_expect_eq(n.kind, CLPROP_OPTIMIZER_MOMENTUM);
    cr_expect(n.momentum == 0.5f && n.nesterov && n.weight_decay == 0.001f,
              "momentum %g nesterov %d weight decay %g", n.momentum, n.nesterov, n.weight_decay);
    cr_expect_gt(steps_after, steps_before, "the state went on: %llu then %llu steps",
                 (unsigned long long)steps_before, (unsigned long long)steps_after);

    cr_expect_eq(run(COMMON " --epochs 1 --init %s/m.clprop --beta1 0.5", dir), 2);
    cr_expect(strstr(last_err, "--beta1") && strstr(last_err, "carries the momentum optimizer") &&
                  strstr(last_err, "--optimizer adam"),
              "%s", last_err);
    cr_assert_eq(run("export --model %s/m.clprop --format json", dir), 0, "%s", last_err);
    free(test_write_file(dir, "m.json", last_out));
    cr_expect_eq(run(COMMON " --epochs 1 --init %s/m.json --momentum 0.5", dir), 2);
    cr_expect(strstr(last_err, "carries no optimizer") && strstr(last_err, "--optimizer momentum"),
              "%s", last_err);
}

/* A resumed run's schedule options against the checkpoint's, each as what it means: the same
 * options as the first run (or none, or the defaults written out) are accepted, another value
 * or a step option on a constant schedule named. */
Test(train_cli, resuming_compares_each_schedule_option_as_it_is_meant)
{
    cr_assert_eq(run("train --data %s --epochs 1 --schedule step --step-every 3 --checkpoint "
                     "%s/step.ck --checkpoint-every 1",
                     DIABETES, dir),
                 0, "%s", last_err);
    const char *same[] = {"", "--step-every 3", "--schedule step --step-every 3 --step-factor 0.1",
                          "--step-factor 0.1"};
    for (size_t i = 0; i < 4; i++)
        cr_expect_eq(
            run("train --data %s --epochs 2 --resume %s/step.ck %s", DIABETES, dir, same[i]), 0,
            "%s: %s", same[i], last_err);
    cr_expect_eq(
        run("train --data %s --epochs 2 --resume %s/step.ck --step-factor 0.5", DIABETES, dir), 2);
    cr_expect(strstr(last_err, "--step-factor 0.5, but it has 0.1") != NULL, "%s", last_err);
    cr_expect_eq(
        run("train --data %s --epochs 2 --resume %s/step.ck --schedule cosine", DIABETES, dir), 2);
    cr_expect(strstr(last_err, "--schedule cosine, but it has step") != NULL, "%s", last_err);
    cr_assert_eq(run("train --data %s --epochs 1 --checkpoint %s/constant.ck --checkpoint-every 1",
                     DIABETES, dir),
                 0, "%s", last_err);
    cr_expect_eq(
        run("train --data %s --epochs 2 --resume %s/constant.ck --step-every 10", DIABETES, dir),
        2);
    cr_expect(strstr(last_err, "--step-every, but its schedule is constant") != NULL, "%s",
              last_err);
}

/* A run past the default --epochs, resumed without --epochs: the default is what disagrees, and
 * the message says it was not given. */
Test(train_cli, resuming_past_the_default_epochs_says_the_default_is_too_few)
{
    cr_assert_eq(run(COMMON " --epochs 11 --checkpoint %s/ck --checkpoint-every 11", dir), 0, "%s",
                 last_err);
    cr_expect_eq(run(COMMON " --resume %s/ck", dir), 2, "%s", last_err);
    cr_expect(strstr(last_err, "--epochs 10 (the default; give --epochs N), but it has done 11 "
                               "epochs") != NULL,
              "%s", last_err);
    cr_expect_eq(run(COMMON " --resume %s/ck --epochs 12", dir), 0, "%s", last_err);
}

Test(train_cli, resuming_from_a_plain_model_is_refused)
{
    cr_assert_eq(run("train --data %s --epochs 1 --save %s/model", DIABETES, dir), 0);
    cr_expect_eq(run("train --data %s --epochs 2 --resume %s/model", DIABETES, dir), 1);
    cr_expect(strstr(last_err, "not a checkpoint") != NULL, "%s", last_err);
}

/* --scale-inputs and --scale-targets against the model a run continues: a checkpoint's run keeps
 * its scaling, so a side named otherwise ("none" included) is refused, naming both; a model given
 * to --init keeps a scaling it has whole (no side added), and one without takes the scaling asked
 * for. */
Test(train_cli, scaling_options_must_agree_with_the_model_they_continue)
{
    /* a regression: targets around 1000, so target scaling applies */
    free(test_write_file(dir, "big.data", "4 3 2\n0 0 1\n1000 -50\n0 1 1\n1300 -60\n1 0 1\n"
                                          "700 -40\n1 1 1\n1000 -55\n"));
#define BIG "train --data %s/big.data --epochs 2"
    cr_assert_eq(run(BIG " --scale-inputs standard --scale-targets standard --checkpoint %s/sc "
                         "--checkpoint-every 1 --save %s/scaled", dir, dir, dir), 0, "%s",
                 last_err);
    cr_assert_eq(run(BIG " --checkpoint %s/plain --checkpoint-every 1 --save %s/unscaled", dir,
                     dir, dir), 0, "%s", last_err);
    cr_assert_eq(run(BIG " --scale-inputs standard --save %s/inputs-only", dir, dir), 0, "%s",
                 last_err);
    static const struct {
        const char *flag, *file, *options, *said; /* said NULL: accepted */
    } cases[] = {
        {"--resume", "sc", "--scale-targets none",
         "--scale-targets none, but it scales its targets standard"},
        {"--resume", "sc", "--scale-inputs minmax --scale-targets standard",
         "--scale-inputs minmax, but it scales its inputs standard"},
        {"--resume", "plain", "--scale-inputs standard",
         "--scale-inputs standard, but it does not scale its inputs"},
        {"--init", "inputs-only", "--scale-targets standard",
         "--scale-targets standard, but it does not scale its targets"},
        {"--init", "scaled", "--scale-inputs none",
         "--scale-inputs none, but it scales its inputs standard"},
        {"--resume", "sc", "--scale-inputs standard --scale-targets standard", NULL},
        {"--resume", "plain", "--scale-inputs none --scale-targets none", NULL},
        {"--init", "scaled", "--scale-targets standard", NULL},
        {"--init", "unscaled", "--scale-inputs minmax --scale-targets standard", NULL},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        int status = run("train --data %s/big.data --epochs 3 %s %s/%s %s", dir, cases[c].flag,
                         dir, cases[c].file, cases[c].options);
        if (cases[c].said == NULL) {
            cr_expect_eq(status, 0, "%s %s %s: %s", cases[c].flag, cases[c].file,
                         cases[c].options, last_err);
            continue;
        }
        cr_expect_eq(status, 2, "%s %s %s: exit %d", cases[c].flag, cases[c].file,
                     cases[c].options, status);
        cr_expect(strstr(last_err, cases[c].said) != NULL, "%s %s %s: %s", cases[c].flag,
                  cases[c].file, cases[c].options, last_err);
        cr_expect(strstr(last_err, "disagrees") != NULL, "%s", last_err);
    }
#undef BIG
}
