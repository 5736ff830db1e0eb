/* `clprop predict` on inputs alone (a FANN file with 0 outputs, a CSV file of the model's input
 * width or --targets 0, IDX images without labels), its CSV (read back by Python's csv module:
 * header, one row per sample) and JSON lines, and a scaled model's predictions in the data's
 * units. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static char *work;

static void set_up(void) { work = test_make_temp_dir(); }

static void tear_down(void)
{
    test_remove_tree(work);
    free(work);
}

TestSuite(predict_cli, .init = set_up, .fini = tear_down, .timeout = 120);

static char *in_work(const char *name)
{
    static char paths[8][4200];
    static int next;
    char *path = paths[next++ % 8];
    snprintf(path, sizeof paths[0], "%s/%s", work, name);
    return path;
}

static char *run_ok(const char *format, ...) __attribute__((format(printf, 1, 2)));

static char *run_ok(const char *format, ...)
{
    char args[8192], *out = NULL, *err = NULL;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(args, sizeof args, format, arguments);
    va_end(arguments);
    int status = test_run_command(args, &out, &err);
    cr_assert_eq(status, 0, "clprop %s: exit %d: %s", args, status, err);
    free(err);
    return out;
}

/* Runs Python's csv module over `path`: exit 0 when it has a header row starting "output_1"
 * and then exactly `rows` rows, each as wide as the header, of numbers. */
static void expect_csv(const char *path, size_t rows, const char *last_column)
{
    char command[8192];
    snprintf(command, sizeof command,
             "python3 -c 'import csv,sys\n"
             "rows=list(csv.reader(sys.stdin))\n"
             "header=rows[0]\n"
             "assert header[0]==\"output_1\", header\n"
             "assert header[-1]==\"%s\", header\n"
             "assert len(rows)-1==%zu, len(rows)\n"
             "assert all(len(r)==len(header) for r in rows)\n"
             "[float(v) for r in rows[1:] for v in r]' < '%s'",
             last_column, rows, path);
    cr_expect_eq(system(command), 0, "%s is not the CSV expected (see stderr)", path);
}

static void save_text(const char *name, const char *text)
{
    free(test_write_file(work, name, text));
}

/* A 4-sample data set of 3 inputs and 2 targets in FANN's format, and a model trained on it. */
#define FANN_DATA "4 3 2\n0 0 1\n0 1\n0 1 1\n1 0\n1 0 1\n1 1\n1 1 1\n0 0\n"
#define INPUTS_ONLY "4 3 0\n0 0 1\n0 1 1\n1 0 1\n1 1 1\n"

static const char *trained_model(const char *extra)
{
    save_text("train.data", FANN_DATA);
    const char *model = in_work("m.clprop");
    free(run_ok("train --data %s --epochs 2 --save %s %s", in_work("train.data"), model, extra));
    return model;
}

Test(predict_cli, a_fann_file_of_inputs_alone_gives_a_csv_with_a_header_and_a_row_per_sample)
{
    const char *model = trained_model("");
    save_text("in.data", INPUTS_ONLY);
    char *out = run_ok("predict --model %s --data %s --format csv", model, in_work("in.data"));
    save_text("out.csv", out);
    expect_csv(in_work("out.csv"), 4, "output_2");
    free(out);
}

Test(predict_cli, a_csv_of_the_models_input_width_or_targets_0_is_read_as_inputs)
{
    const char *model = trained_model("");
    save_text("in.csv", "0,0,1\n0,1,1\n1,0,1\n1,1,1\n");
    /* standard output is a file here, not a terminal: CSV is the default */
    char *out = run_ok("predict --model %s --data %s", model, in_work("in.csv"));
    save_text("out.csv", out);
    expect_csv(in_work("out.csv"), 4, "output_2");
    char *again = run_ok("predict --model %s --data %s --targets 0", model, in_work("in.csv"));
    cr_expect_str_eq(again, out, "--targets 0 says what the width says");
    free(again);
    free(out);
    char *err = NULL;
    save_text("wide.csv", "0,0,1,5\n0,1,1,5\n");
    char args[8192];
    snprintf(args, sizeof args, "predict --model %s --data %s", model, in_work("wide.csv"));
    cr_expect_neq(test_run_command(args, NULL, &err), 0);
    cr_expect(strstr(err, "--targets K") != NULL, "the message says what to give: %s", err);
    cr_expect(strstr(err, "(by the model") != NULL, "who expects the inputs: %s", err);
    free(err);
    err = NULL;
    /* a mismatch of the file with its own options is not the model's */
    snprintf(args, sizeof args, "eval --model %s --data %s --targets 5", model,
             in_work("wide.csv"));
    cr_expect_neq(test_run_command(args, NULL, &err), 0);
    cr_expect(strstr(err, "leave no input column") != NULL && strstr(err, "(by") == NULL,
              "nothing said of the model: %s", err);
    free(err);
}

/* A refusal names the file it is about: the model FANN cannot hold, the model and the data
 * whose loss overflows. */
Test(predict_cli, export_and_eval_refusals_name_the_model)
{
    save_text("train.data", FANN_DATA);
    const char *model = in_work("lr.clprop");
    free(run_ok("train --data %s --layers 3,4:leaky-relu,2 --epochs 1 --save %s",
                in_work("train.data"), model));
    char args[8192], *err = NULL;
    snprintf(args, sizeof args, "export --model %s --format fann", model);
    cr_expect_eq(test_run_command(args, NULL, &err), 1);
    cr_expect(strstr(err, model) != NULL && strstr(err, "leaky-relu") != NULL, "%s", err);
    free(err);
    err = NULL;
    /* weights so large that the outputs overflow */
    save_text("huge.json",
              "{\"format\":\"clprop-model\",\"version\":1,\"loss\":\"mse\",\"layers\":[{"
              "\"inputs\":3,\"outputs\":2,\"activation\":\"linear\",\"bias\":false,"
              "\"weights\":[[3e38,3e38,3e38],[3e38,3e38,3e38]]}]}");
    snprintf(args, sizeof args, "eval --model %s --data %s", in_work("huge.json"),
             in_work("train.data"));
    cr_expect_eq(test_run_command(args, NULL, &err), 1);
    cr_expect(strstr(err, "huge.json on ") != NULL && strstr(err, "overflow") != NULL, "%s", err);
    free(err);
    /* a file the reader takes but the network refuses (a softmax over one unit, as older
     * versions wrote): named by eval, predict and train --init alike */
    save_text("one.json", "{\"format\":\"clprop-model\",\"version\":1,\"loss\":\"ce\",\"layers\":[{"
                          "\"inputs\":3,\"outputs\":1,\"activation\":\"softmax\",\"bias\":false,"
                          "\"weights\":[[1,2,3]]}]}");
    save_text("one.data", "2 3 1\n0 0 1\n1\n0 1 1\n0\n");
    const char *commands[] = {"eval --model", "predict --model", "train --init"};
    for (int i = 0; i < 3; i++) {
        snprintf(args, sizeof args, "%s %s --data %s", commands[i], in_work("one.json"),
                 in_work("one.data"));
        err = NULL;
        cr_expect_eq(test_run_command(args, NULL, &err), 1, "%s", args);
        cr_expect(strstr(err, "one.json: a softmax output layer needs 2 units") != NULL, "%s: %s",
                  args, err);
        free(err);
    }
}

Test(predict_cli, json_format_is_one_object_a_line)
{
    const char *model = trained_model("");
    save_text("in.data", INPUTS_ONLY);
    char *out = run_ok("predict --model %s --data %s --format json", model, in_work("in.data"));
    save_text("out.json", out);
    char command[8192];
    snprintf(command, sizeof command,
             "python3 -c 'import json,sys\n"
             "rows=[json.loads(l) for l in sys.stdin]\n"
             "assert len(rows)==4 and all(len(r[\"outputs\"])==2 for r in rows), rows' < '%s'",
             in_work("out.json"));
    cr_expect_eq(system(command), 0, "%s", out);
    free(out);
}

static void put_u32_be(unsigned char *at, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        at[i] = (unsigned char)(value >> (24 - 8 * i));
}

Test(predict_cli, idx_images_without_labels_give_class_and_probability_for_a_softmax_model)
{
    /* 6 images of 2×2 pixels and their labels, for training; the images alone to predict on */
    unsigned char images[16 + 24], labels[8 + 6];
    put_u32_be(images, 0x803);
    put_u32_be(images + 4, 6);
    put_u32_be(images + 8, 2);
    put_u32_be(images + 12, 2);
    put_u32_be(labels, 0x801);
    put_u32_be(labels + 4, 6);
    for (int n = 0; n < 6; n++) {
        labels[8 + n] = (unsigned char)(n % 3);
        for (int p = 0; p < 4; p++)
            images[16 + 4 * n + p] = (unsigned char)(p == n % 3 ? 250 : 10 * n);
    }
    free(test_write_bytes(work, "images.idx", images, sizeof images));
    free(test_write_bytes(work, "labels.idx", labels, sizeof labels));
    const char *model = in_work("idx.clprop");
    free(run_ok("train --data %s --labels %s --epochs 3 --scale-inputs minmax --save %s",
                in_work("images.idx"), in_work("labels.idx"), model));
    char *out = run_ok("predict --model %s --data %s --format csv", model,
                       in_work("images.idx"));
    save_text("out.csv", out);
    expect_csv(in_work("out.csv"), 6, "probability");
    cr_expect(strncmp(out, "output_1,output_2,output_3,class,probability\n", 45) == 0, "%s", out);
    free(out);
}

Test(predict_cli, a_scaled_regression_model_predicts_in_the_datas_units)
{
    /* targets around 1000 with a spread of hundreds: scaled to about ±1 for training, given back
     * in their own units */
    save_text("big.data", "4 3 2\n0 0 1\n1000 -50\n0 1 1\n1300 -60\n1 0 1\n700 -40\n1 1 1\n"
                          "1000 -55\n");
    const char *model = in_work("s.clprop");
    free(run_ok("train --data %s --epochs 2 --scale-inputs standard --scale-targets standard "
                "--save %s", in_work("big.data"), model));
    save_text("in.data", INPUTS_ONLY);
    char *out = run_ok("predict --model %s --data %s --format csv", model, in_work("in.data"));
    save_text("out.csv", out);
    char command[8192];
    snprintf(command, sizeof command,
             "python3 -c 'import csv,sys\n"
             "rows=list(csv.reader(sys.stdin))[1:]\n"
             "assert all(500<float(r[0])<1500 and -100<float(r[1])<0 for r in rows), rows' "
             "< '%s'", in_work("out.csv"));
    cr_expect_eq(system(command), 0, "outputs in the targets' units: %s", out);
    free(out);
    /* FANN export refuses to drop the scaling silently */
    char args[8192], *err = NULL;
    snprintf(args, sizeof args, "export --model %s --format fann", model);
    cr_expect_eq(test_run_command(args, NULL, &err), 1);
    cr_expect(strstr(err, "fann_scale_input") != NULL, "%s", err);
    free(err);
}

/* `>> data` would have the outputs appended to the data set they come from, `export >> model` to
 * the model: standard output that is one of the inputs is a usage error, before anything is read,
 * and the file stays as it was. Into another file, as before. */
Test(predict_cli, standard_output_into_an_input_is_refused)
{
    free(run_ok("train --data %s --epochs 2 --save %s", CLPROP_FANN_DIR "/xor.data",
                in_work("m.clprop")));
    char command[8192];
    snprintf(command, sizeof command, "cp %s %s && cp %s %s", CLPROP_FANN_DIR "/xor.data",
             in_work("y.data"), in_work("m.clprop"), in_work("kept.clprop"));
    cr_assert_eq(system(command), 0);
    const char *appends[] = {"predict --model m.clprop --data y.data >> y.data",
                             "eval --model m.clprop --data y.data >> y.data",
                             "export --model m.clprop >> m.clprop"};
    for (int i = 0; i < 3; i++) {
        snprintf(command, sizeof command, "cd %s && %s %s 2>err", work, CLPROP_COMMAND,
                 appends[i]);
        int raw = system(command);
        char *err = test_read_file(in_work("err"), NULL);
        cr_expect(WIFEXITED(raw) && WEXITSTATUS(raw) == 2, "%s: %s", appends[i], err);
        cr_expect(strstr(err, "standard output") != NULL, "%s: %s", appends[i], err);
        free(err);
    }
    snprintf(command, sizeof command, "cmp -s %s %s && cmp -s %s %s", CLPROP_FANN_DIR "/xor.data",
             in_work("y.data"), in_work("m.clprop"), in_work("kept.clprop"));
    cr_expect_eq(system(command), 0, "an input was written");
    snprintf(command, sizeof command, "cd %s && %s predict --model m.clprop --data y.data > o.csv",
             work, CLPROP_COMMAND);
    cr_expect_eq(system(command), 0, "into another file");
}

/* The command predicts in chunks of 256 samples; a sample whose output overflows is named by its
 * place in the file (counted from 1, as the loaders count), not by its place in its chunk. */
Test(predict_cli, an_overflowing_sample_past_the_first_chunk_is_named_by_its_place_in_the_file)
{
    save_text("big.json",
              "{\"format\":\"clprop-model\",\"version\":1,\"loss\":\"mse\",\"layers\":[{"
              "\"inputs\":1,\"outputs\":1,\"activation\":\"linear\",\"bias\":false,"
              "\"weights\":[[3e38]]}]}");
    size_t samples = 300, overflowing = 291;
    char *text = malloc(samples * 8 + 8);
    cr_assert_not_null(text);
    size_t used = 0;
    for (size_t s = 1; s <= samples; s++)
        used += (size_t)sprintf(text + used, "%s,0\n", s == overflowing ? "10" : "0.5");
    save_text("x.csv", text);
    free(text);
    char args[8192], *err = NULL;
    snprintf(args, sizeof args, "predict --model %s --data %s --targets 1 --format csv",
             in_work("big.json"), in_work("x.csv"));
    cr_expect_eq(test_run_command(args, NULL, &err), 1);
    cr_expect(strstr(err, "x.csv: sample 291: output 0 (from 0) is inf") != NULL, "%s", err);
    cr_expect(strchr(err, '\n') == err + strlen(err) - 1, "one line: %s", err);
    free(err);
}
