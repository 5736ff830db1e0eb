/* Classes told from values: clprop_data_target_kind on FANN's benchmark files, on arrays and on
 * class labels; and the trainer's target accuracy, which ends a run at the first epoch that
 * reaches it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

#define DIABETES CLPROP_FANN_DIR "/diabetes.train"

/* Every FANN classification file is one-hot 0/1 rows (PROBEN1's encoding); the others hold values:
 * fractions (building, robot, the DELVE sets), a single 0/1 output (parity, two-spiral: one
 * output is a value to fit, not a choice of class) or -1/1 in one output (xor). */
static const struct {
    const char *name;
    clprop_target_kind kind;
} fann_files[] = {
    {"diabetes", CLPROP_TARGETS_ONE_HOT},      {"gene", CLPROP_TARGETS_ONE_HOT},
    {"mushroom", CLPROP_TARGETS_ONE_HOT},      {"soybean", CLPROP_TARGETS_ONE_HOT},
    {"thyroid", CLPROP_TARGETS_ONE_HOT},       {"abelone", CLPROP_TARGETS_VALUES},
    {"bank32fm", CLPROP_TARGETS_VALUES},       {"bank32nh", CLPROP_TARGETS_VALUES},
    {"building", CLPROP_TARGETS_VALUES},       {"census-house", CLPROP_TARGETS_VALUES},
    {"kin32fm", CLPROP_TARGETS_VALUES},        {"parity8", CLPROP_TARGETS_VALUES},
    {"parity13", CLPROP_TARGETS_VALUES},       {"pumadyn-32fm", CLPROP_TARGETS_VALUES},
    {"robot", CLPROP_TARGETS_VALUES},          {"two-spiral", CLPROP_TARGETS_VALUES},
};

static const char *kind_name(clprop_target_kind kind)
{
    return kind == CLPROP_TARGETS_ONE_HOT             ? "one-hot"
           : kind == CLPROP_TARGETS_ONE_HOT_SYMMETRIC ? "one-hot -1/1"
                                                      : "values";
}

static clprop_target_kind kind_of_file(const char *path)
{
    clprop_data_source source = {.path = path};
    clprop_data *data = NULL;
    cr_assert_eq(clprop_data_load(&source, &data), CLPROP_SUCCESS, "%s",
                 clprop_data_message(data));
    clprop_target_kind kind = clprop_data_target_kind(data);
    clprop_data_destroy(data);
    return kind;
}

Test(target_kind, every_fann_benchmark_file_is_told_classes_or_values)
{
    size_t checked = 0;
    for (size_t f = 0; f < sizeof fann_files / sizeof *fann_files; f++)
        for (int part = 0; part < 2; part++) {
            char path[4200];
            snprintf(path, sizeof path, "%s/%s.%s", CLPROP_FANN_DIR, fann_files[f].name,
                     part == 0 ? "train" : "test");
            if (access(path, R_OK) != 0)
                continue;
            clprop_target_kind kind = kind_of_file(path);
            cr_expect_eq(kind, fann_files[f].kind, "%s: %s, want %s", path, kind_name(kind),
                         kind_name(fann_files[f].kind));
            checked++;
        }
    const char *others[] = {"xor.data", "scaling.data"};
    for (size_t i = 0; i < 2; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", CLPROP_FANN_DIR, others[i]);
        if (access(path, R_OK) != 0)
            continue;
        cr_expect_eq(kind_of_file(path), CLPROP_TARGETS_VALUES, "%s", path);
        checked++;
    }
    cr_expect_gt(checked, 0, "no FANN file found in %s", CLPROP_FANN_DIR);
}

static clprop_target_kind kind_of_rows(size_t samples, size_t outputs, const float *targets)
{
    float inputs[16] = {0};
    clprop_data *data = NULL;
    cr_assert_eq(clprop_data_create(samples, 1, outputs, inputs, targets, &data), CLPROP_SUCCESS,
                 "%s", clprop_data_message(data));
    clprop_target_kind kind = clprop_data_target_kind(data);
    clprop_data_destroy(data);
    return kind;
}

Test(target_kind, rows_of_one_1_and_the_rest_0_or_minus_1_are_classes)
{
    const float zero_one[] = {0, 1, 0, 1, 0, 0, 0, 0, 1};
    cr_expect_eq(kind_of_rows(3, 3, zero_one), CLPROP_TARGETS_ONE_HOT);
    const float symmetric[] = {-1, 1, -1, 1, -1, -1, -1, -1, 1};
    cr_expect_eq(kind_of_rows(3, 3, symmetric), CLPROP_TARGETS_ONE_HOT_SYMMETRIC);
    const float one_class_only[] = {1, 0, 1, 0};
    cr_expect_eq(kind_of_rows(2, 2, one_class_only), CLPROP_TARGETS_ONE_HOT);
}

Test(target_kind, anything_else_is_values)
{
    const float two_ones[] = {0, 1, 0, 1, 1, 0};
    cr_expect_eq(kind_of_rows(2, 3, two_ones), CLPROP_TARGETS_VALUES, "a row with two 1s");
    const float no_one[] = {0, 1, 0, 0, 0, 0};
    cr_expect_eq(kind_of_rows(2, 3, no_one), CLPROP_TARGETS_VALUES, "a row without a 1");
    const float fraction[] = {0, 1, 0, 0.5f, 0, 1};
    cr_expect_eq(kind_of_rows(2, 3, fraction), CLPROP_TARGETS_VALUES, "0.5");
    const float mixed[] = {0, 1, -1, 1, 0, -1};
    cr_expect_eq(kind_of_rows(2, 3, mixed), CLPROP_TARGETS_VALUES, "0 and -1 mixed");
    const float single[] = {1, 1, 1};
    cr_expect_eq(kind_of_rows(3, 1, single), CLPROP_TARGETS_VALUES, "a single output");
    const float binary[] = {0, 1, 1};
    cr_expect_eq(kind_of_rows(3, 1, binary), CLPROP_TARGETS_VALUES, "a single 0/1 output");
    cr_expect_eq(clprop_data_target_kind(NULL), CLPROP_TARGETS_VALUES);
}

Test(target_kind, class_labels_are_one_hot)
{
    char *dir = test_make_temp_dir();
    char *path = test_write_file(dir, "labels.csv", "x,y,class\n0.1,0.2,0\n0.3,0.4,2\n0.5,0.6,1\n");
    clprop_data_source source = {.path = path, .csv_label_column = -1};
    clprop_data *data = NULL;
    cr_assert_eq(clprop_data_load(&source, &data), CLPROP_SUCCESS, "%s",
                 clprop_data_message(data));
    cr_expect(clprop_data_has_labels(data));
    cr_expect_eq(clprop_data_target_kind(data), CLPROP_TARGETS_ONE_HOT);
    clprop_data_destroy(data);
    test_remove_tree(dir);
    free(path);
    free(dir);
}

/* ---- the trainer's target accuracy ---- */

typedef struct run {
    clprop_context *context;
    clprop_data *data;
    clprop_net *net;
    clprop_trainer *trainer;
} run;

static void open_run(run *r, size_t outputs)
{
    memset(r, 0, sizeof *r);
    r->context = test_context();
    clprop_data_source source = {.path = DIABETES};
    cr_assert_eq(clprop_data_load(&source, &r->data), CLPROP_SUCCESS, "%s",
                 clprop_data_message(r->data));
    if (outputs == 1) { /* the first output alone: a single-output network */
        size_t n = clprop_data_samples(r->data);
        float *targets = malloc(n * sizeof *targets);
        for (size_t s = 0; s < n; s++)
            targets[s] = clprop_data_target_values(r->data)[2 * s];
        clprop_data *single = NULL;
        cr_assert_eq(clprop_data_create(n, 8, 1, clprop_data_input_values(r->data), targets,
                                        &single),
                     CLPROP_SUCCESS);
        free(targets);
        clprop_data_destroy(r->data);
        r->data = single;
    }
    const size_t sizes[] = {8, 12, outputs};
    const clprop_activation activations[] = {
        CLPROP_ACTIVATION_SIGMOID,
        outputs > 1 ? CLPROP_ACTIVATION_SOFTMAX : CLPROP_ACTIVATION_SIGMOID};
    clprop_net_desc desc = {.layer_count = 2,
                            .sizes = sizes,
                            .activations = activations,
                            .loss = outputs > 1 ? CLPROP_LOSS_CROSS_ENTROPY : CLPROP_LOSS_MSE,
                            .seed = 3};
    cr_assert_eq(clprop_net_create(r->context, &desc, &r->net), CLPROP_SUCCESS, "%s",
                 clprop_net_message(r->net));
    clprop_optimizer adam = {.kind = CLPROP_OPTIMIZER_ADAM};
    cr_assert_eq(clprop_net_set_optimizer(r->net, &adam), CLPROP_SUCCESS);
}

static void close_run(run *r)
{
    clprop_trainer_destroy(r->trainer);
    clprop_net_destroy(r->net);
    clprop_data_destroy(r->data);
    clprop_context_destroy(r->context);
}

/* The accuracy the target watches, epoch by epoch. */
typedef struct accuracies {
    double values[400];
    size_t count;
} accuracies;

static int record(void *user, const clprop_epoch_report *report)
{
    accuracies *a = user;
    const clprop_pass_result *r = report->has_validation ? &report->validation : &report->train;
    if (a->count < 400)
        a->values[a->count++] = (double)r->correct / (double)r->samples;
    return 0;
}

static void expect_stops_at_first_epoch_reaching(float validation, double target)
{
    run r;
    open_run(&r, 2);
    accuracies seen = {.count = 0};
    clprop_trainer_desc params = {.epochs = 300,
                                  .batch = 16,
                                  .learning_rate = 0.01f,
                                  .seed = 3,
                                  .validation = validation,
                                  .target_accuracy = target,
                                  .on_epoch = record,
                                  .user = &seen};
    cr_assert_eq(clprop_trainer_create(r.net, r.data, &params, &r.trainer), CLPROP_SUCCESS, "%s",
                 clprop_trainer_message(r.trainer));
    cr_assert_eq(clprop_trainer_run(r.trainer), CLPROP_SUCCESS, "%s",
                 clprop_trainer_message(r.trainer));
    cr_assert_eq(clprop_trainer_end(r.trainer), CLPROP_RUN_TARGET_REACHED, "ran %zu epochs",
                 seen.count);
    cr_assert_gt(seen.count, 1, "the target should take more than one epoch");
    cr_expect_geq(seen.values[seen.count - 1], target, "the last epoch reached it");
    for (size_t e = 0; e + 1 < seen.count; e++)
        cr_expect_lt(seen.values[e], target, "epoch %zu had %g already", e + 1, seen.values[e]);
    close_run(&r);
}

Test(target_kind, a_target_accuracy_ends_the_run_at_the_first_epoch_that_reaches_it)
{
    expect_stops_at_first_epoch_reaching(0.0f, 0.74);
}

Test(target_kind, with_a_validation_share_the_target_accuracy_watches_it)
{
    expect_stops_at_first_epoch_reaching(0.25f, 0.74);
}

Test(target_kind, a_target_accuracy_needs_two_outputs_and_a_share_up_to_1)
{
    run r;
    open_run(&r, 1);
    clprop_trainer_desc params = {.target_accuracy = 0.9};
    cr_expect_eq(clprop_trainer_create(r.net, r.data, &params, &r.trainer),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_trainer_message(r.trainer), "single output") != NULL, "%s",
              clprop_trainer_message(r.trainer));
    close_run(&r);
    open_run(&r, 2);
    params.target_accuracy = 1.5;
    cr_expect_eq(clprop_trainer_create(r.net, r.data, &params, &r.trainer),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_trainer_message(r.trainer), "accuracy") != NULL, "%s",
              clprop_trainer_message(r.trainer));
    close_run(&r);
}
