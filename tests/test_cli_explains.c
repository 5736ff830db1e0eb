/* `clprop train` explains itself: per-layer activations in --layers, one-hot targets trained as
 * classes, --target-loss and --target-accuracy, the network line, targets beyond the output's
 * range, and a run that learned nothing. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define DIABETES CLPROP_FANN_DIR "/diabetes.train"
#define THYROID CLPROP_FANN_DIR "/thyroid.train"
#define BUILDING CLPROP_FANN_DIR "/building.train"
#define SCALING CLPROP_FANN_DIR "/scaling.data"
#define XOR CLPROP_FANN_DIR "/xor.data"

static char *dir;

static void make_dir(void) { dir = test_make_temp_dir(); }

static void remove_dir(void)
{
    test_remove_tree(dir);
    free(dir);
}

TestSuite(cli_explains, .init = make_dir, .fini = remove_dir);

static char *last_out, *last_err;

/* Runs the command with printf-formatted arguments into last_out and last_err. */
#define run(...) test_run_formatted(&last_out, &last_err, __VA_ARGS__)

static size_t count_lines(const char *text)
{
    size_t lines = 0;
    for (; *text != '\0'; text++)
        lines += *text == '\n';
    return lines;
}

#define EXPECT_IN(text, part)                                                                      \
    cr_expect(strstr(text, part) != NULL, "should mention \"%s\":\n%s", part, text)
#define EXPECT_NOT_IN(text, part)                                                                  \
    cr_expect(strstr(text, part) == NULL, "should not mention \"%s\":\n%s", part, text)

/* ---- per-layer activations ---- */

Test(cli_explains, a_hidden_size_names_its_activation_in_layers)
{
    cr_assert_eq(run("train --data %s --layers 8,12:relu,6:tanh,5,2 --activation leaky-relu "
                     "--epochs 1 --save %s/m",
                     DIABETES, dir),
                 0, "%s", last_err);
    EXPECT_IN(last_out, "network 8-12(relu)-6(tanh)-5(leaky-relu)-2(softmax)");
    cr_assert_eq(run("export --model %s/m", dir), 0, "%s", last_err);
    const char *want[] = {"\"activation\":\"relu\"", "\"activation\":\"tanh\"",
                          "\"activation\":\"leaky-relu\"", "\"activation\":\"softmax\""};
    const char *at = last_out;
    for (size_t l = 0; l < 4; l++) { /* in order, one per layer */
        const char *found = strstr(at, want[l]);
        cr_expect_not_null(found, "layer %zu should be %s: %s", l + 1, want[l], last_out);
        at = found != NULL ? found + 1 : at;
    }
}

Test(cli_explains, gradcheck_takes_per_layer_activations_too)
{
    cr_assert_eq(run("gradcheck --layers 4,5:tanh,3"), 0, "%s", last_err);
    EXPECT_IN(last_out, "4 -> 5 tanh");
}

/* Every bad form: exit 2, one line naming --layers and what is wrong. */
Test(cli_explains, bad_layer_activations_are_refused_naming_the_option)
{
    const struct {
        const char *layers, *says;
    } bad[] = {
        {"8,:relu,2", "no size before its colon"},
        {"8,10:foo,2", "unknown activation \"foo\""},
        {"8,10:,2", "nothing after its colon"},
        {"8:relu,10,2", "input size takes no activation"},
        {"8,10,2:relu", "--output"},
        {"8,10:softmax,2", "output layer only"},
        {"8,10:relu:tanh,2", "more than one colon"},
        {"8,,2", "layer 1 is empty"},
        {",8,2", "layer 0 is empty"},
        {"8,2,", "layer 2 is empty"},
        {"8,x:relu,2", "number of units"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_expect_eq(run("train --data %s --layers %s", DIABETES, bad[i].layers), 2,
                     "--layers %s: %s", bad[i].layers, last_err);
        cr_expect_eq(count_lines(last_err), 1, "--layers %s: one line:\n%s", bad[i].layers,
                     last_err);
        EXPECT_IN(last_err, "--layers");
        EXPECT_IN(last_err, bad[i].says);
        cr_expect_eq(last_out[0], '\0', "nothing trained: %s", last_out);
    }
}

Test(cli_explains, init_refuses_a_layer_activation_its_model_does_not_have)
{
    cr_assert_eq(run("train --data %s --layers 8,6:tanh,2 --epochs 1 --save %s/m", DIABETES, dir),
                 0, "%s", last_err);
    cr_expect_eq(run("train --data %s --init %s/m --layers 8,6:relu,2 --epochs 1", DIABETES, dir),
                 2, "%s", last_err);
    EXPECT_IN(last_err, "hidden layer 1 relu, but it is tanh");
    cr_expect_eq(run("train --data %s --init %s/m --layers 8,6:tanh,2 --epochs 1", DIABETES, dir),
                 0, "the same activation agrees: %s", last_err);
}

/* ---- classes from one-hot targets ---- */

Test(cli_explains, one_hot_fann_targets_train_a_classifier_with_accuracy)
{
    cr_assert_eq(run("train --data %s --test %s --epochs 2", THYROID,
                     CLPROP_FANN_DIR "/thyroid.test"),
                 0, "%s", last_err);
    EXPECT_IN(last_out, "network 21-32(sigmoid)-3(softmax)");
    EXPECT_IN(last_out, "loss ce, classes from one-hot targets");
    EXPECT_IN(last_out, "train acc");
    EXPECT_IN(last_out, "test accuracy");
}

Test(cli_explains, regression_fits_one_hot_targets_as_values)
{
    cr_assert_eq(run("train --data %s --epochs 2 --regression", THYROID), 0, "%s", last_err);
    EXPECT_IN(last_out, "3(linear)");
    EXPECT_IN(last_out, "loss mse, one-hot targets fitted as values (--regression)");
}

Test(cli_explains, values_train_a_regression_without_accuracy)
{
    cr_assert_eq(run("train --data %s --epochs 2", BUILDING), 0, "%s", last_err);
    EXPECT_IN(last_out, "3(linear)");
    EXPECT_IN(last_out, "loss mse, regression");
    EXPECT_NOT_IN(last_out, "acc");
}

/* Three classes in two inputs, FANN's symmetric encoding: 1 for the class, -1 for the others. */
static char *write_symmetric_classes(void)
{
    char text[8192];
    size_t used = (size_t)snprintf(text, sizeof text, "60 2 3\n");
    for (int k = 0; k < 60; k++) {
        int c = k % 3;
        used += (size_t)snprintf(text + used, sizeof text - used, "%g %g\n%d %d %d\n",
                                 0.2 + 0.3 * c + 0.01 * (k / 3 % 5), 0.5 - 0.02 * (k / 15),
                                 c == 0 ? 1 : -1, c == 1 ? 1 : -1, c == 2 ? 1 : -1);
    }
    return test_write_file(dir, "symmetric.data", text);
}

Test(cli_explains, minus_one_one_hot_targets_train_a_tanh_classifier)
{
    char *path = write_symmetric_classes();
    cr_assert_eq(run("train --data %s --epochs 40 --optimizer adam --lr 0.05 --batch 8", path), 0,
                 "%s", last_err);
    EXPECT_IN(last_out, "network 2-32(sigmoid)-3(tanh)");
    EXPECT_IN(last_out, "loss mse, classes from one-hot -1/1 targets (a tanh output: softmax "
                        "needs 0/1 targets)");
    EXPECT_IN(last_out, "epoch 40/40");
    EXPECT_IN(last_out, "train acc 1.0000");
    EXPECT_NOT_IN(last_err, "warning");
    /* softmax asked for anyway: its outputs cannot reach -1, and the command says so */
    cr_assert_eq(run("train --data %s --epochs 1 --output softmax", path), 0, "%s", last_err);
    EXPECT_IN(last_err, "warning");
    EXPECT_IN(last_err, "softmax");
    free(path);
}

/* ---- stopping when good enough ---- */

/* The --log CSV's rows as numbers: column `column` of every epoch's row. */
static size_t log_column(const char *path, int column, double *values, size_t most)
{
    char *log = test_read_file(path, NULL);
    size_t rows = 0;
    for (char *row = strchr(log, '\n'); row != NULL && row[1] != '\0' && rows < most;
         row = strchr(row + 1, '\n')) {
        const char *field = row + 1;
        for (int c = 0; c < column; c++)
            field = strchr(field, ',') + 1;
        values[rows++] = strtod(field, NULL);
    }
    free(log);
    return rows;
}

static size_t reached_after(const char *out)
{
    const char *line = strstr(out, "target reached after epoch ");
    cr_assert_not_null(line, "the run should say it reached the target:\n%s", out);
    return (size_t)strtoul(line + strlen("target reached after epoch "), NULL, 10);
}

Test(cli_explains, target_loss_stops_at_the_first_epoch_at_or_below_it)
{
    cr_assert_eq(run("train --data %s --epochs 200 --optimizer adam --lr 0.01 --target-loss 0.012 "
                     "--log %s/log.csv",
                     BUILDING, dir),
                 0, "%s", last_err);
    char path[4200];
    snprintf(path, sizeof path, "%s/log.csv", dir);
    double losses[200];
    size_t rows = log_column(path, 2, losses, 200); /* train_loss */
    cr_assert_gt(rows, 1, "more than one epoch");
    cr_expect_lt(rows, 200, "it stopped early");
    cr_expect_eq(reached_after(last_out), rows, "the line names the last epoch");
    cr_expect_leq(losses[rows - 1], 0.012);
    for (size_t e = 0; e + 1 < rows; e++)
        cr_expect_gt(losses[e], 0.012, "epoch %zu had reached it already", e + 1);
    EXPECT_IN(last_out, "training loss");
}

Test(cli_explains, target_accuracy_watches_the_validation_share)
{
    cr_assert_eq(run("train --data %s --layers 8,12,2 --optimizer adam --lr 0.01 --batch 16 "
                     "--seed 3 --epochs 300 --validation 0.25 --target-accuracy 0.74 "
                     "--log %s/log.csv",
                     DIABETES, dir),
                 0, "%s", last_err);
    char path[4200];
    snprintf(path, sizeof path, "%s/log.csv", dir);
    double accuracy[300];
    size_t rows = log_column(path, 6, accuracy, 300); /* validation_accuracy */
    cr_assert_gt(rows, 1, "more than one epoch");
    cr_expect_lt(rows, 300, "it stopped early");
    cr_expect_eq(reached_after(last_out), rows, "the line names the last epoch");
    cr_expect_geq(accuracy[rows - 1], 0.74);
    for (size_t e = 0; e + 1 < rows; e++)
        cr_expect_lt(accuracy[e], 0.74, "epoch %zu had reached it already", e + 1);
    EXPECT_IN(last_out, "validation accuracy");
}

Test(cli_explains, bad_targets_are_usage_errors)
{
    const char *bad[] = {"--target-accuracy 1.5", "--target-accuracy 0", "--target-loss -1",
                         "--target-loss 0", "--target-accuracy x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_expect_eq(run("train --data %s %s", DIABETES, bad[i]), 2, "%s: %s", bad[i], last_err);
        cr_expect_eq(count_lines(last_err), 1, "%s: one line:\n%s", bad[i], last_err);
        EXPECT_IN(last_err, bad[i][9] == 'a' ? "--target-accuracy" : "--target-loss");
    }
    /* accuracy needs classes: building's targets are values */
    cr_expect_eq(run("train --data %s --target-accuracy 0.9", BUILDING), 2, "%s", last_err);
    cr_expect_eq(count_lines(last_err), 1, "one line:\n%s", last_err);
    EXPECT_IN(last_err, "--target-accuracy");
}

/* --allreduce takes whole or layers, and layers and --shard only under mpirun (tests/mpi runs
 * them there); --shard refuses scaling measured on one part. */
Test(cli_explains, bad_choices_across_processes_are_usage_errors)
{
    const char *bad[][3] = {
        {"--allreduce sideways", "--allreduce", "expected whole or layers"},
        {"--allreduce layers", "--allreduce", "start the run with mpirun"},
        {"--allreduce layers --devices 0,0", "--allreduce", "one device per process"},
        {"--shard", "--shard", "start the run with mpirun"},
        {"--shard --scale-inputs standard", "--shard", "scale the data beforehand"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_expect_eq(run("train --data %s %s", DIABETES, bad[i][0]), 2, "%s: %s", bad[i][0],
                     last_err);
        cr_expect_eq(count_lines(last_err), 1, "%s: one line:\n%s", bad[i][0], last_err);
        EXPECT_IN(last_err, bad[i][1]);
        EXPECT_IN(last_err, bad[i][2]);
    }
}

/* ---- what the command says ---- */

Test(cli_explains, train_shows_the_network_and_where_the_model_went)
{
    cr_assert_eq(run("train --data %s --save %s/xor.clprop", XOR, dir), 0, "%s", last_err);
    EXPECT_IN(last_out, "network 2-32(sigmoid)-1(linear), 129 parameters, loss mse, regression; "
                        "4 training samples, batch 32, learning rate 0.1\n");
    char path[4200];
    snprintf(path, sizeof path, "%s/xor.clprop", dir);
    char line[4300];
    snprintf(line, sizeof line, "model saved to %s\n", path);
    EXPECT_IN(last_out, line);
    free(test_read_file(path, NULL)); /* it is there */
    cr_assert_eq(run("train --data %s --epochs 1", XOR), 0, "%s", last_err);
    EXPECT_IN(last_out, "model not saved (--save MODEL keeps it)");
}

Test(cli_explains, a_run_that_learned_nothing_says_so_with_the_remedies)
{
    cr_assert_eq(run("train --data %s", XOR), 0, "%s", last_err); /* 10 steps of plain SGD */
    EXPECT_IN(last_err, "has not learned");
    EXPECT_IN(last_err, "no better than always answering the targets' mean (loss 0.50000)");
    EXPECT_IN(last_err, "a larger --lr (this run's was 0.1)");
    EXPECT_IN(last_err, "more --epochs (each was 1 step: 4 samples, batch 32)");
    EXPECT_IN(last_err, "--optimizer adam");
    /* what it suggests works, and then it says nothing */
    cr_assert_eq(run("train --data %s --epochs 500 --optimizer adam --lr 0.01", XOR), 0, "%s",
                 last_err);
    cr_expect_eq(last_err[0], '\0', "nothing to say: %s", last_err);
}

Test(cli_explains, a_short_run_is_not_judged)
{
    cr_assert_eq(run("train --data %s --epochs 4", XOR), 0, "%s", last_err);
    cr_expect_eq(last_err[0], '\0', "four epochs prove nothing: %s", last_err);
}

Test(cli_explains, targets_beyond_the_outputs_range_warn_before_training)
{
    char command[8192];
    snprintf(command, sizeof command, "%s train --data %s --output sigmoid --epochs 1 >%s/all 2>&1",
             CLPROP_COMMAND, SCALING, dir);
    cr_assert_eq(system(command), 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/all", dir);
    char *all = test_read_file(path, NULL);
    const char *warning = strstr(all, "clprop: warning: ");
    cr_assert_not_null(warning, "%s", all);
    cr_expect(strstr(warning, "beyond what a sigmoid output gives (0 to 1)") != NULL, "%s", all);
    cr_expect(strstr(warning, "--output linear") != NULL, "%s", all);
    const char *epoch = strstr(all, "epoch 1/1");
    cr_expect(epoch != NULL && warning < epoch, "the warning comes first:\n%s", all);
    free(all);
    cr_assert_eq(run("train --data %s --output linear --epochs 1", SCALING), 0, "%s", last_err);
    EXPECT_NOT_IN(last_err, "warning");
    cr_assert_eq(run("train --data %s --output tanh --layers 2,3,1 --epochs 1", XOR), 0, "%s",
                 last_err);
    EXPECT_NOT_IN(last_err, "warning"); /* -1 and 1 are tanh's */
    cr_assert_eq(run("train --data %s --output relu --layers 2,3,1 --epochs 1", XOR), 0, "%s",
                 last_err);
    EXPECT_IN(last_err, "(0 and above)");
}
