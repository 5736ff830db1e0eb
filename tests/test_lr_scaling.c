/* Linear learning-rate scaling (Goyal et al. 2017, "Accurate, Large Minibatch SGD"): the rate
 * given is the one for a reference batch, a run with batch B trains at rate·B/reference, and the
 * warm-up ramps to that rate one step per epoch. In the library, in checkpoints and on the
 * command line (--lr-for-batch). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define DIABETES CLPROP_FANN_DIR "/diabetes.train"

static void expect_rate(float got, double want, const char *what)
{
    cr_expect(fabs((double)got - want) <= 1e-6 * want, "%s: rate %.8g, want %.8g", what,
              (double)got, want);
}

Test(lr_scaling, the_scaled_rate_is_the_rate_times_the_batch_over_the_reference)
{
    clprop_schedule s = {.reference_batch = 256};
    expect_rate(clprop_schedule_scaled_rate(&s, 0.1f, 4096), 1.6, "batch 4096 of 256");
    expect_rate(clprop_schedule_scaled_rate(&s, 0.1f, 16384), 6.4, "batch 16384 of 256");
    expect_rate(clprop_schedule_scaled_rate(&s, 0.1f, 64), 0.025, "batch 64 of 256");
    expect_rate(clprop_schedule_scaled_rate(&s, 0.1f, 256), 0.1, "the reference batch itself");
    clprop_schedule off = {.kind = CLPROP_SCHEDULE_COSINE, .warmup_epochs = 3};
    expect_rate(clprop_schedule_scaled_rate(&off, 0.1f, 4096), 0.1, "reference 0: no scaling");
    expect_rate(clprop_schedule_scaled_rate(NULL, 0.1f, 4096), 0.1, "no schedule");
}

Test(lr_scaling, the_warmup_ramps_linearly_to_the_scaled_rate_one_step_per_epoch)
{
    clprop_schedule s = {.kind = CLPROP_SCHEDULE_CONSTANT, .warmup_epochs = 4,
                         .reference_batch = 256};
    float peak = clprop_schedule_scaled_rate(&s, 0.1f, 4096); /* 1.6 */
    const double want[] = {0.4, 0.8, 1.2, 1.6, 1.6, 1.6};      /* 1.6·e/4, then 1.6 */
    for (size_t e = 1; e <= 6; e++) {
        char what[64];
        snprintf(what, sizeof what, "epoch %zu of 6", e);
        expect_rate(clprop_schedule_rate(&s, peak, e, 6), want[e - 1], what);
    }
    /* a decay after the warm-up starts from the scaled rate too */
    clprop_schedule cosine = {.kind = CLPROP_SCHEDULE_COSINE, .warmup_epochs = 2,
                              .reference_batch = 256};
    expect_rate(clprop_schedule_rate(&cosine, peak, 3, 10), 1.6, "cosine, first after warm-up");
    expect_rate(clprop_schedule_rate(&cosine, peak, 7, 10), 0.8, "cosine, half-way");
}

/* ---- The trainer ------------------------------------------------------------------------------ */

typedef struct rates {
    float rate[8];
    size_t count;
} rates;

static int record_rate(void *user, const clprop_epoch_report *report)
{
    rates *r = user;
    if (r->count < 8)
        r->rate[r->count++] = report->learning_rate;
    return 0;
}

Test(lr_scaling, the_trainer_trains_each_epoch_at_the_scaled_and_warmed_up_rate)
{
    clprop_context *context = test_context();
    clprop_data_source source = {.path = DIABETES};
    clprop_data *data = NULL;
    cr_assert_eq(clprop_data_load(&source, &data), CLPROP_SUCCESS, "%s",
                 clprop_data_message(data));
    const size_t sizes[] = {8, 12, 2};
    clprop_net_desc shape = {.layer_count = 2, .sizes = sizes, .seed = 3};
    clprop_net *net = NULL;
    cr_assert_eq(clprop_net_create(context, &shape, &net), CLPROP_SUCCESS, "%s",
                 clprop_net_message(net));
    rates seen = {.count = 0};
    clprop_trainer_desc run = {
        .epochs = 3, .batch = 64, .learning_rate = 0.01f, .seed = 3,
        .schedule = {.kind = CLPROP_SCHEDULE_CONSTANT, .warmup_epochs = 2, .reference_batch = 16},
        .on_epoch = record_rate, .user = &seen};
    cr_assert_eq(clprop_fit(net, data, &run), CLPROP_SUCCESS, "%s", clprop_net_message(net));
    cr_assert_eq(seen.count, 3);
    expect_rate(seen.rate[0], 0.02, "epoch 1: 0.01·64/16·1/2");
    expect_rate(seen.rate[1], 0.04, "epoch 2: 0.01·64/16");
    expect_rate(seen.rate[2], 0.04, "epoch 3");
    clprop_net_destroy(net);
    clprop_data_destroy(data);
    clprop_context_destroy(context);
}

Test(lr_scaling, a_checkpoint_carries_the_reference_batch_and_one_without_stays_96_bytes)
{
    char *dir = test_make_temp_dir();
    const size_t sizes[] = {2, 1};
    clprop_net_desc shape = {.layer_count = 1, .sizes = sizes, .seed = 1};
    size_t file_size[2];
    for (int scaled = 0; scaled < 2; scaled++) {
        clprop_model *model = NULL;
        cr_assert_eq(clprop_model_create(&shape, &model), CLPROP_SUCCESS);
        clprop_training_state state = {
            .epochs_done = 2, .best_loss = INFINITY, .batch = 4096, .learning_rate = 0.1f,
            .schedule = {.warmup_epochs = 5, .reference_batch = scaled ? 256 : 0}};
        cr_assert_eq(clprop_model_set_training_state(model, &state), CLPROP_SUCCESS, "%s",
                     clprop_model_message(model));
        char path[4200];
        snprintf(path, sizeof path, "%s/%d.clprop", dir, scaled);
        cr_assert_eq(clprop_model_save(model, path), CLPROP_SUCCESS, "%s",
                     clprop_model_message(model));
        clprop_model_destroy(model);
        free(test_read_file(path, &file_size[scaled]));
        clprop_model *loaded = NULL;
        cr_assert_eq(clprop_model_load(path, &loaded), CLPROP_SUCCESS, "%s",
                     clprop_model_message(loaded));
        clprop_training_state back;
        cr_assert(clprop_model_training_state(loaded, &back));
        cr_expect_eq(back.schedule.reference_batch, scaled ? 256u : 0u);
        cr_expect_eq(back.schedule.warmup_epochs, 5u);
        clprop_model_destroy(loaded);
    }
    cr_expect_eq(file_size[1], file_size[0] + 8, "the reference batch adds 8 bytes: %zu, %zu",
                 file_size[0], file_size[1]);
    test_remove_tree(dir);
    free(dir);
}

/* ---- The command ------------------------------------------------------------------------------ */

static char *out, *err;

/* Runs the command with printf-formatted arguments into out and err. */
#define run(...) test_run_formatted(&out, &err, __VA_ARGS__)

#define COMMON "train --data " DIABETES " --layers 8,12,2 --batch 64 --lr 0.01 --seed 3"

Test(lr_scaling, bad_values_are_refused_with_one_line_naming_the_option)
{
    const char *bad[] = {"0", "-16", "abc", "1.5", "''", "99999999999"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        int status = run(COMMON " --lr-for-batch %s", bad[k]);
        cr_expect_eq(status, 2, "--lr-for-batch %s: exit %d, want 2", bad[k], status);
        cr_expect(strncmp(err, "clprop: --lr-for-batch", 22) == 0 || strstr(err, "--lr-for-batch"),
                  "--lr-for-batch %s: %s", bad[k], err);
        cr_expect(strchr(err, '\n') == err + strlen(err) - 1, "--lr-for-batch %s: not one line: %s",
                  bad[k], err);
        cr_expect_str_empty(out, "--lr-for-batch %s printed: %s", bad[k], out);
    }
    cr_expect_eq(run(COMMON " --lr-for-batch"), 2);
    cr_expect(strstr(err, "--lr-for-batch") != NULL, "%s", err);
}

/* The log's learning_rate column, epoch by epoch. */
static void expect_logged_rates(const char *log, const double *want, size_t count)
{
    char *text = test_read_file(log, NULL);
    char *line = strchr(text, '\n');
    for (size_t e = 0; e < count; e++) {
        cr_assert(line != NULL && line[1] != '\0', "%s: %zu rows, want %zu", log, e, count);
        double rate = strtod(strchr(line + 1, ',') + 1, NULL);
        cr_expect(fabs(rate - want[e]) <= 1e-6 * want[e], "epoch %zu: logged rate %g, want %g",
                  e + 1, rate, want[e]);
        line = strchr(line + 1, '\n');
    }
    free(text);
}

Test(lr_scaling, the_command_says_the_scaled_rate_and_a_resumed_run_keeps_it)
{
    char *dir = test_make_temp_dir();
    char checkpoint[4200], log[4200];
    snprintf(checkpoint, sizeof checkpoint, "%s/run.clprop", dir);
    snprintf(log, sizeof log, "%s/run.csv", dir);
    int status = run(COMMON " --lr-for-batch 16 --warmup 2 --epochs 2 --checkpoint %s "
                            "--checkpoint-every 1 --log %s", checkpoint, log);
    cr_assert_eq(status, 0, "%s", err);
    cr_expect(strstr(out, ", learning rate 0.04 (--lr 0.01 for batch 16, scaled linearly to batch "
                          "64)") != NULL, "%s", out);
    /* resumed without repeating the options: the checkpoint's scaling goes on */
    status = run("train --data " DIABETES " --resume %s --epochs 3 --log %s", checkpoint, log);
    cr_assert_eq(status, 0, "%s", err);
    cr_expect(strstr(out, "learning rate 0.04 (--lr 0.01 for batch 16") != NULL, "%s", out);
    const double want[] = {0.02, 0.04, 0.04};
    expect_logged_rates(log, want, 3);
    /* another reference batch would make another run: refused, naming both */
    status = run(COMMON " --lr-for-batch 32 --warmup 2 --resume %s --epochs 4", checkpoint);
    cr_expect_eq(status, 2, "%s", err);
    cr_expect(strstr(err, "--lr-for-batch 32, but it has 16") != NULL, "%s", err);
    test_remove_tree(dir);
    free(dir);
}
