/* The clprop command end to end: train, eval, predict and export on FANN, CSV and IDX files; the
 * lecture's seed1 step reproduced through --init and export; the per-epoch log; the help texts;
 * and every kind of bad input refused with one line naming the file (and line or byte), exit
 * status 1 (2 for bad usage), and no output file left behind. Each test works in its own
 * temporary directory and runs the built command; nothing here touches OpenCL itself. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "clprop.h"
#include "support.h"

#define XOR_DATA CLPROP_FANN_DIR "/xor.data"
#define SCALING_DATA CLPROP_FANN_DIR "/scaling.data"

/* The lecture's seed1 network as `clprop export` writes it. */
static const char SEED1_JSON[] =
    "{\"format\":\"clprop-model\",\"version\":1,\"loss\":\"mse\",\"layers\":["
    "{\"inputs\":2,\"outputs\":2,\"activation\":\"linear\",\"bias\":false,"
    "\"weights\":[[0.11,0.21],[0.12,0.08]]},"
    "{\"inputs\":2,\"outputs\":1,\"activation\":\"linear\",\"bias\":false,"
    "\"weights\":[[0.14,0.15]]}]}";

/* ---- The work directory ---------------------------------------------------------------------- */

static char *work; /* this test's temporary directory */

static void make_work_dir(void) { work = test_make_temp_dir(); }

static void remove_work_dir(void)
{
    test_remove_tree(work);
    free(work);
}

TestSuite(cli, .init = make_work_dir, .fini = remove_work_dir);

/* work/name, in a static buffer of its own for each of a few calls in a row. */
static const char *in_work(const char *name)
{
    static char paths[8][4200];
    static size_t next;
    char *path = paths[next++ % 8];
    snprintf(path, sizeof paths[0], "%s/%s", work, name);
    return path;
}

static const char *write_text(const char *name, const char *text)
{
    free(test_write_file(work, name, text));
    return in_work(name);
}

static int exists(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0;
}

static size_t entries_in_work(void)
{
    DIR *dir = opendir(work);
    cr_assert_not_null(dir, "cannot list %s", work);
    size_t count = 0;
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;)
        count += strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0;
    closedir(dir);
    return count;
}

/* ---- Running the command --------------------------------------------------------------------- */

typedef struct outcome {
    int status;
    char *out, *err;
} outcome;

static outcome run_clprop(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Runs `clprop ARGS`, the arguments formatted like printf. */
static outcome run_clprop(const char *format, ...)
{
    char args[6000];
    va_list list;
    va_start(list, format);
    vsnprintf(args, sizeof args, format, list);
    va_end(list);
    outcome o = {0, NULL, NULL};
    o.status = test_run_command(args, &o.out, &o.err);
    return o;
}

static void outcome_free(outcome *o)
{
    free(o->out);
    free(o->err);
}

/* Runs a command that must succeed, and shows its stderr when it does not. */
static outcome run_ok(const char *format, ...) __attribute__((format(printf, 1, 2)));

static outcome run_ok(const char *format, ...)
{
    char args[6000];
    va_list list;
    va_start(list, format);
    vsnprintf(args, sizeof args, format, list);
    va_end(list);
    outcome o = {0, NULL, NULL};
    o.status = test_run_command(args, &o.out, &o.err);
    cr_assert_eq(o.status, 0, "clprop %s\nexit %d, stderr:\n%s", args, o.status, o.err);
    return o;
}

static size_t count_char(const char *text, char c)
{
    size_t count = 0;
    for (; *text != '\0'; text++)
        count += *text == c;
    return count;
}

/* ---- Reading messages ------------------------------------------------------------------------ */

static int is_digit_at(const char *text, const char *at)
{
    return at >= text && *at != '\0' && isdigit((unsigned char)*at);
}

/* True when `number` stands in `text` as a whole number ("5" in "has 5 inputs" or "5,3", not in
 * "15" or "5.5"), the temporary directory's random name left out. */
static int mentions_number(const char *text, const char *number)
{
    char *copy = strdup(text);
    size_t work_length = strlen(work);
    for (char *at = strstr(copy, work); at != NULL; at = strstr(at, work))
        memset(at, '/', work_length);
    int found = 0;
    size_t length = strlen(number);
    for (const char *at = strstr(copy, number); at != NULL && !found;
         at = strstr(at + 1, number)) {
        const char *before = at - 1, *after = at + length;
        int joined_before = is_digit_at(copy, before) ||
                            (before >= copy && *before == '.' && is_digit_at(copy, before - 1));
        int joined_after = is_digit_at(copy, after) ||
                           (*after == '.' && is_digit_at(copy, after + 1));
        found = !joined_before && !joined_after;
    }
    free(copy);
    return found;
}

/* True when text names the file at the line: "path:LINE" (the loaders' form) or "line LINE". */
static int names_line(const char *text, const char *path, size_t line)
{
    char wanted[4300];
    snprintf(wanted, sizeof wanted, "%s:%zu", path, line);
    for (const char *at = strstr(text, wanted); at != NULL; at = strstr(at + 1, wanted))
        if (!isdigit((unsigned char)at[strlen(wanted)]))
            return 1;
    snprintf(wanted, sizeof wanted, "line %zu", line);
    return strstr(text, path) != NULL && strstr(text, wanted) != NULL &&
           !isdigit((unsigned char)strstr(text, wanted)[strlen(wanted)]);
}

/* True when text names the file and some line of it ("path:N" or "line N"). */
static int names_some_line(const char *text, const char *path)
{
    size_t length = strlen(path);
    for (const char *at = strstr(text, path); at != NULL; at = strstr(at + 1, path))
        if (at[length] == ':' && isdigit((unsigned char)at[length + 1]))
            return 1;
    const char *line = strstr(text, "line ");
    return strstr(text, path) != NULL && line != NULL && isdigit((unsigned char)line[5]);
}

/* True when text names the file and the byte offset ("byte N" or "offset N"). */
static int names_byte(const char *text, const char *path, size_t offset)
{
    char byte[64], at_offset[64];
    snprintf(byte, sizeof byte, "byte %zu", offset);
    snprintf(at_offset, sizeof at_offset, "offset %zu", offset);
    return strstr(text, path) != NULL &&
           ((strstr(text, byte) && !isdigit((unsigned char)strstr(text, byte)[strlen(byte)])) ||
            (strstr(text, at_offset) &&
             !isdigit((unsigned char)strstr(text, at_offset)[strlen(at_offset)])));
}

static int mentions_ignoring_case(const char *text, const char *part)
{
    char *lower = strdup(text);
    for (char *c = lower; *c != '\0'; c++)
        *c = (char)tolower((unsigned char)*c);
    int found = strstr(lower, part) != NULL;
    free(lower);
    return found;
}

/* ---- Refusals -------------------------------------------------------------------------------- */

/* Runs `clprop ARGS` that must be refused: exit status `want`, exactly one line on stderr, and
 * not one new file in the work directory (no model, no log, no temporary file). Returns stderr
 * for the caller's checks of what it names; the caller frees it. */
static char *refused(int want, const char *format, ...) __attribute__((format(printf, 2, 3)));

static char *refused(int want, const char *format, ...)
{
    char args[6000];
    va_list list;
    va_start(list, format);
    vsnprintf(args, sizeof args, format, list);
    va_end(list);
    size_t before = entries_in_work();
    char *out = NULL, *err = NULL;
    int status = test_run_command(args, &out, &err);
    cr_expect_eq(status, want, "clprop %s\nexit %d, want %d; stderr:\n%s", args, status, want,
                 err);
    cr_expect_eq(count_char(err, '\n'), 1, "clprop %s\nstderr should be one line:\n%s", args, err);
    cr_expect(strlen(err) > 1 && err[strlen(err) - 1] == '\n', "stderr: \"%s\"", err);
    cr_expect_eq(entries_in_work(), before, "clprop %s\nwrote a file though it failed", args);
    cr_expect(!exists(in_work("out.clprop")) && !exists(in_work("out.csv")));
    free(out);
    return err;
}

/* `clprop train ARGS --save work/out.clprop --log work/out.csv`, refused as above. */
#define TRAIN_REFUSED(want, format, ...)                                                       \
    refused(want, "train " format " --save %s --log %s", __VA_ARGS__, in_work("out.clprop"),  \
            in_work("out.csv"))

/* Good settings for the refusals that are about one thing only. */
#define QUICK "--epochs 1 --batch 1 --lr 0.1"

#define EXPECT_MENTIONS(err, part) \
    cr_expect(strstr(err, part) != NULL, "stderr should mention \"%s\": %s", part, err)

/* ---- IDX files ------------------------------------------------------------------------------- */

typedef struct bytes {
    unsigned char data[256];
    size_t size;
} bytes;

static void put_u32(bytes *b, uint32_t value)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        b->data[b->size++] = (unsigned char)(value >> shift);
}

static const unsigned char SIX_LABELS[] = {0, 1, 2, 0, 1, 2};

/* `count` 2×2 images; image n lights pixel labels[n] brightly, the others dimly. */
static bytes idx_images(uint32_t count, const unsigned char *labels)
{
    bytes b = {.size = 0};
    put_u32(&b, 0x00000803);
    put_u32(&b, count);
    put_u32(&b, 2);
    put_u32(&b, 2);
    for (uint32_t n = 0; n < count; n++)
        for (unsigned i = 0; i < 4; i++)
            b.data[b.size++] = (unsigned char)(i == labels[n] % 4 ? 250 : 10 + 5 * n);
    return b;
}

static bytes idx_labels(uint32_t count, const unsigned char *labels)
{
    bytes b = {.size = 0};
    put_u32(&b, 0x00000801);
    put_u32(&b, count);
    memcpy(b.data + b.size, labels, count);
    b.size += count;
    return b;
}

static const char *write_gzip(const char *name, const bytes *b)
{
    const char *path = in_work(name);
    gzFile file = gzopen(path, "wb");
    cr_assert_not_null(file, "cannot write %s", path);
    cr_assert_eq(gzwrite(file, b->data, (unsigned)b->size), (int)b->size);
    cr_assert_eq(gzclose(file), Z_OK);
    return path;
}

static const char *write_raw(const char *name, const bytes *b)
{
    free(test_write_bytes(work, name, b->data, b->size));
    return in_work(name);
}

/* ---- Models written without the command ------------------------------------------------------ */

/* A model file of the given sizes (sigmoid hidden, linear output) saved under work/name. */
static const char *write_model(const char *name, size_t layer_count, const size_t *sizes)
{
    clprop_activation activations[8];
    for (size_t l = 0; l < layer_count; l++)
        activations[l] = l + 1 == layer_count ? CLPROP_ACTIVATION_LINEAR
                                              : CLPROP_ACTIVATION_SIGMOID;
    clprop_net_desc desc = {.layer_count = layer_count, .sizes = sizes,
                            .activations = activations};
    clprop_model *model = NULL;
    cr_assert_eq(clprop_model_create(&desc, &model), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    for (size_t l = 1; l <= layer_count; l++)
        for (size_t k = 0; k < sizes[l] * sizes[l - 1]; k++)
            clprop_model_weights(model, l)[k] = 0.1f * (float)(k % 7) - 0.3f;
    const char *path = in_work(name);
    cr_assert_eq(clprop_model_save(model, path), CLPROP_SUCCESS, "%s",
                 clprop_model_message(model));
    clprop_model_destroy(model);
    return path;
}

/* Changes one byte of a file: offset from the start, or from the end when negative. */
static void flip_byte(const char *path, long offset)
{
    FILE *file = fopen(path, "r+b");
    cr_assert_not_null(file);
    cr_assert_eq(fseek(file, offset, offset < 0 ? SEEK_END : SEEK_SET), 0);
    int c = fgetc(file);
    cr_assert_neq(c, EOF);
    cr_assert_eq(fseek(file, -1, SEEK_CUR), 0);
    fputc(c ^ 0x5a, file);
    fclose(file);
}

static void truncate_file(const char *path, long size)
{
    char *text = test_read_file(path, NULL);
    FILE *file = fopen(path, "wb");
    cr_assert_not_null(file);
    fwrite(text, 1, (size_t)size, file);
    fclose(file);
    free(text);
}

/* ---- Reading the export ---------------------------------------------------------------------- */

/* Every number of every "weights" array in the JSON, in order. Returns the count. */
static size_t export_weights(const char *json, double *values, size_t capacity)
{
    size_t count = 0;
    for (const char *at = strstr(json, "\"weights\""); at != NULL;
         at = strstr(at, "\"weights\"")) {
        at = strchr(at, '[');
        cr_assert_not_null(at, "no array after \"weights\": %s", json);
        int depth = 0;
        do {
            if (*at == '[') {
                depth++, at++;
            } else if (*at == ']') {
                depth--, at++;
            } else if (*at == ',' || isspace((unsigned char)*at)) {
                at++;
            } else {
                char *end = NULL;
                double value = strtod(at, &end);
                cr_assert(end != at, "not a number in the weights at \"%.20s\"", at);
                cr_assert_lt(count, capacity, "more weights than expected: %s", json);
                values[count++] = value;
                at = end;
            }
        } while (depth > 0 && *at != '\0');
    }
    return count;
}

/* The number after "key": in a JSON line; NAN when the key is missing. */
static double json_number(const char *json, const char *key)
{
    char quoted[64];
    snprintf(quoted, sizeof quoted, "\"%s\"", key);
    const char *at = strstr(json, quoted);
    if (at == NULL)
        return NAN;
    at = strchr(at + strlen(quoted), ':');
    if (at == NULL)
        return NAN;
    char *end = NULL;
    double value = strtod(at + 1, &end);
    return end == at + 1 ? NAN : value;
}

/* ---- The lecture's seed1 step through the command line --------------------------------------- */

Test(cli, seed1_trained_from_its_json_export_exports_the_lectures_updated_weights)
{
    const char *json = write_text("seed1.json", SEED1_JSON);
    const char *data = write_text("one.data", "1 2 1\n2 3\n1\n");
    const char *model = in_work("out.clprop");
    outcome train = run_ok("train --init %s --data %s --epochs 1 --batch 1 --lr 0.05 --save %s",
                           json, data, model);
    cr_assert(exists(model));
    cr_expect_eq(entries_in_work(), 3, "saving leaves no temporary file beside the model");
    outcome export = run_ok("export --model %s", model);
    const char *head = "{\"format\":\"clprop-model\",\"version\":1,";
    cr_expect(strncmp(export.out, head, strlen(head)) == 0, "%s", export.out);
    cr_expect(strstr(export.out, "\"loss\":\"mse\"") != NULL, "%s", export.out);
    cr_expect(strstr(export.out, "\"bias\":false") != NULL, "%s", export.out);
    double weights[8];
    size_t count = export_weights(export.out, weights, 8);
    cr_assert_eq(count, 6, "want w1..w6, got %zu numbers: %s", count, export.out);
    const double want[6] = {0.121326, 0.226989, 0.132135, 0.0982025, 0.1743825, 0.169416};
    for (size_t i = 0; i < 6; i++)
        cr_expect(fabs(weights[i] - want[i]) <= 1e-6, "w%zu = %.9g, want %.9g (export %s)",
                  i + 1, weights[i], want[i], export.out);
    outcome_free(&train);
    outcome_free(&export);
}

Test(cli, exporting_a_json_export_gives_back_its_weights)
{
    const char *json = write_text("seed1.json", SEED1_JSON);
    outcome export = run_ok("export --model %s", json);
    cr_expect_eq(count_char(export.out, '\n'), 1, "one line: %s", export.out);
    double weights[8];
    cr_assert_eq(export_weights(export.out, weights, 8), 6, "%s", export.out);
    const double want[6] = {0.11, 0.21, 0.12, 0.08, 0.14, 0.15};
    for (size_t i = 0; i < 6; i++)
        cr_expect(fabs(weights[i] - want[i]) <= 1e-7, "w%zu = %.9g, want %.9g", i + 1,
                  weights[i], want[i]);
    outcome_free(&export);
}

Test(cli, eval_and_predict_of_the_seed1_export_give_the_lectures_forward_pass)
{
    const char *json = write_text("seed1.json", SEED1_JSON);
    const char *data = write_text("one.data", "1 2 1\n2 3\n1\n");
    outcome eval = run_ok("eval --model %s --data %s --json", json, data);
    double loss = json_number(eval.out, "loss");
    cr_expect(fabs(loss - 0.5 * 0.809 * 0.809) <= 1e-6, "E = ½(0.191 − 1)² = 0.3272405, got %.9g "
              "in %s", loss, eval.out);
    outcome predict = run_ok("predict --format text --model %s --data %s", json, data);
    cr_expect_eq(count_char(predict.out, '\n'), 1, "%s", predict.out);
    double output = strtod(predict.out, NULL);
    cr_expect(fabs(output - 0.191) <= 1e-6, "y = 0.14·0.85 + 0.15·0.48 = 0.191, got %s",
              predict.out);
    outcome_free(&eval);
    outcome_free(&predict);
}

/* ---- Training, evaluating and predicting on FANN files --------------------------------------- */

Test(cli, trains_on_fann_xor_saves_and_eval_json_reports_the_loss)
{
    const char *model = in_work("xor.clprop");
    outcome train = run_ok("train --data %s --layers 2,4,1 --output linear --epochs 20 --batch 4 "
                           "--lr 0.1 --seed 3 --save %s", XOR_DATA, model);
    cr_assert(exists(model), "no model at %s", model);
    outcome eval = run_ok("eval --model %s --data %s --json", model, XOR_DATA);
    cr_expect_eq(count_char(eval.out, '\n'), 1, "one machine-readable line: %s", eval.out);
    cr_expect_eq(eval.out[0], '{', "%s", eval.out);
    double loss = json_number(eval.out, "loss");
    cr_expect(isfinite(loss) && loss >= 0.0, "loss %g in %s", loss, eval.out);
    outcome_free(&train);
    outcome_free(&eval);
}

Test(cli, eval_without_json_prints_the_loss)
{
    const char *model = in_work("xor.clprop");
    outcome train = run_ok("train --data %s --layers 2,3,1 --epochs 2 --batch 2 --lr 0.1 --save %s",
                           XOR_DATA, model);
    outcome eval = run_ok("eval --model %s --data %s", model, XOR_DATA);
    cr_expect(mentions_ignoring_case(eval.out, "loss"), "%s", eval.out);
    outcome_free(&train);
    outcome_free(&eval);
}

Test(cli, predict_prints_one_line_per_sample)
{
    const char *model = in_work("xor.clprop");
    outcome train = run_ok("train --data %s --layers 2,3,1 --epochs 2 --batch 4 --lr 0.1 --save %s",
                           XOR_DATA, model);
    outcome predict = run_ok("predict --format text --model %s --data %s", model, XOR_DATA);
    cr_expect_eq(count_char(predict.out, '\n'), 4, "xor has 4 samples:\n%s", predict.out);
    for (const char *line = predict.out; *line != '\0'; line = strchr(line, '\n') + 1) {
        const char *digit = strpbrk(line, "0123456789");
        cr_expect(digit != NULL && digit < strchr(line, '\n'), "a line without outputs: %s",
                  predict.out);
    }
    outcome_free(&train);
    outcome_free(&predict);
}

/* One-hot targets make a classifier whatever the output (train counts accuracy for -1/1 rows under
 * a tanh output and 0/1 rows under a sigmoid one): eval and predict on the same file say so too. */
Test(cli, train_eval_and_predict_agree_on_what_a_classifier_is)
{
    static const struct {
        const char *data, *output;
    } cases[] = {
        {"4 2 3\n0 0\n1 -1 -1\n0 1\n-1 1 -1\n1 0\n-1 -1 1\n1 1\n1 -1 -1\n", "tanh"},
        {"4 2 3\n0 0\n1 0 0\n0 1\n0 1 0\n1 0\n0 0 1\n1 1\n1 0 0\n", "sigmoid"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        const char *data = write_text("onehot.data", cases[c].data);
        const char *model = in_work("onehot.clprop");
        outcome train = run_ok("train --data %s --layers 2,4,3 --output %s --epochs 2 --save %s",
                               data, cases[c].output, model);
        cr_expect(strstr(train.out, "train acc") != NULL, "%s: %s", cases[c].output, train.out);
        outcome eval = run_ok("eval --model %s --data %s", model, data);
        cr_expect(strstr(eval.out, "accuracy") != NULL, "%s: %s", cases[c].output, eval.out);
        outcome predict = run_ok("predict --format csv --model %s --data %s", model, data);
        cr_expect(strncmp(predict.out, "output_1,output_2,output_3,class\n", 33) == 0, "%s: %s",
                  cases[c].output, predict.out);
        outcome_free(&train), outcome_free(&eval), outcome_free(&predict);
    }
}

Test(cli, train_needs_nothing_but_the_data)
{
    const char *model = in_work("xor.clprop");
    outcome train = run_ok("train --data %s --save %s", XOR_DATA, model);
    cr_expect(exists(model));
    outcome eval = run_ok("eval --model %s --data %s --json", model, XOR_DATA);
    cr_expect(isfinite(json_number(eval.out, "loss")), "%s", eval.out);
    outcome_free(&train);
    outcome_free(&eval);
}

Test(cli, no_bias_trains_a_network_without_biases)
{
    const char *model = in_work("xor.clprop");
    outcome train = run_ok("train --data %s --layers 2,3,1 --no-bias --epochs 2 --batch 4 "
                           "--lr 0.1 --save %s", XOR_DATA, model);
    outcome export = run_ok("export --model %s", model);
    cr_expect(strstr(export.out, "\"bias\":false") != NULL, "%s", export.out);
    cr_expect_null(strstr(export.out, "\"bias\":true"), "%s", export.out);
    outcome_free(&train);
    outcome_free(&export);
}

Test(cli, init_continues_from_a_saved_model_file)
{
    const char *first = in_work("first.clprop"), *second = in_work("second.clprop");
    outcome a = run_ok("train --data %s --layers 2,3,1 --epochs 2 --batch 4 --lr 0.1 --save %s",
                       XOR_DATA, first);
    outcome b = run_ok("train --init %s --data %s --epochs 2 --batch 4 --lr 0.1 --save %s", first,
                       XOR_DATA, second);
    outcome export = run_ok("export --model %s", second);
    cr_expect(strstr(export.out, "\"inputs\":2,\"outputs\":3") != NULL,
              "the saved model's layers define the network: %s", export.out);
    outcome_free(&a);
    outcome_free(&b);
    outcome_free(&export);
}

/* Lines that mention an epoch, on either stream. */
static size_t epoch_lines(const outcome *o)
{
    size_t count = 0;
    const char *streams[2] = {o->out, o->err};
    for (int s = 0; s < 2; s++)
        for (const char *line = streams[s]; *line != '\0';) {
            const char *stop = strchr(line, '\n');
            size_t length = stop != NULL ? (size_t)(stop - line) : strlen(line);
            char *copy = strndup(line, length);
            count += mentions_ignoring_case(copy, "epoch");
            free(copy);
            line += length + (stop != NULL);
        }
    return count;
}

Test(cli, progress_is_plain_lines_when_stderr_is_not_a_terminal)
{
    outcome train = run_ok("train --data %s --test %s --layers 2,3,1 --epochs 3 --batch 4 "
                           "--lr 0.1", XOR_DATA, XOR_DATA);
    for (const char *text = train.out; text != NULL; text = text == train.out ? train.err : NULL) {
        cr_expect_null(strchr(text, '\r'), "no carriage returns: %s", text);
        cr_expect_null(strchr(text, '\033'), "no escape sequences: %s", text);
    }
    cr_expect_eq(epoch_lines(&train), 3, "a line per epoch:\n%s%s", train.out, train.err);
    cr_expect(mentions_ignoring_case(train.out, "test") ||
              mentions_ignoring_case(train.err, "test"), "the test loss:\n%s%s", train.out,
              train.err);
    outcome_free(&train);
}

Test(cli, log_writes_a_csv_header_and_one_row_per_epoch)
{
    const char *log = in_work("log.csv");
    outcome train = run_ok("train --data %s --test %s --layers 2,3,1 --epochs 3 --batch 2 "
                           "--lr 0.1 --log %s", XOR_DATA, XOR_DATA, log);
    cr_assert(exists(log), "no log at %s", log);
    char *text = test_read_file(log, NULL);
    cr_expect_eq(count_char(text, '\n'), 4, "a header and 3 rows:\n%s", text);
    cr_expect(mentions_ignoring_case(text, "epoch"), "the header names the columns:\n%s", text);
    cr_expect(!isdigit((unsigned char)text[0]), "the first line is a header:\n%s", text);
    const char *line = strchr(text, '\n') + 1;
    size_t header_commas = 0;
    for (const char *c = text; *c != '\n'; c++)
        header_commas += *c == ',';
    cr_expect_gt(header_commas, 0, "%s", text);
    for (long epoch = 1; epoch <= 3 && *line != '\0'; epoch++) {
        char *end = NULL;
        cr_expect_eq(strtol(line, &end, 10), epoch, "row %ld starts with its epoch:\n%s", epoch,
                     text);
        size_t commas = 0;
        const char *stop = strchr(line, '\n');
        for (const char *c = line; c < stop; c++)
            commas += *c == ',';
        cr_expect_eq(commas, header_commas, "row %ld has as many fields as the header:\n%s",
                     epoch, text);
        line = stop + 1;
    }
    free(text);
    outcome_free(&train);
}

/* ---- IDX and CSV ----------------------------------------------------------------------------- */

Test(cli, trains_softmax_on_gzip_idx_and_eval_shows_accuracy)
{
    bytes images = idx_images(6, SIX_LABELS), labels = idx_labels(6, SIX_LABELS);
    const char *image_path = write_gzip("images.idx.gz", &images);
    const char *label_path = write_gzip("labels.idx.gz", &labels);
    const char *model = in_work("idx.clprop");
    outcome train = run_ok("train --data %s --labels %s --test %s --test-labels %s "
                           "--layers 4,8,3 --output softmax --loss ce --epochs 3 --batch 2 "
                           "--lr 0.5 --save %s", image_path, label_path, image_path, label_path,
                           model);
    cr_expect(mentions_ignoring_case(train.out, "acc") || mentions_ignoring_case(train.err, "acc"),
              "classifiers show accuracy:\n%s%s", train.out, train.err);
    outcome eval = run_ok("eval --model %s --data %s --labels %s", model, image_path, label_path);
    cr_expect(mentions_ignoring_case(eval.out, "accuracy"), "%s", eval.out);
    outcome json = run_ok("eval --model %s --data %s --labels %s --json", model, image_path,
                          label_path);
    double accuracy = json_number(json.out, "accuracy");
    cr_expect(accuracy >= 0.0 && accuracy <= 100.0, "accuracy %g in %s", accuracy, json.out);
    cr_expect(isfinite(json_number(json.out, "loss")), "%s", json.out);
    outcome predict = run_ok("predict --format text --model %s --data %s --labels %s", model, image_path,
                             label_path);
    cr_expect_eq(count_char(predict.out, '\n'), 6, "6 images:\n%s", predict.out);
    outcome_free(&train);
    outcome_free(&eval);
    outcome_free(&json);
    outcome_free(&predict);
}

static const char LABELLED_CSV[] = "x,y,label\n"
                                   "0.1,0.9,0\n"
                                   "0.9,0.1,1\n"
                                   "0.8,0.8,2\n"
                                   "0.2,0.8,0\n"
                                   "0.7,0.2,1\n"
                                   "0.9,0.9,2\n";

Test(cli, trains_on_csv_with_the_label_in_the_last_column)
{
    const char *data = write_text("labelled.csv", LABELLED_CSV);
    const char *model = in_work("csv.clprop");
    outcome train = run_ok("train --data %s --label-column last --layers 2,5,3 --output softmax "
                           "--loss ce --epochs 3 --batch 2 --lr 0.5 --save %s", data, model);
    outcome eval = run_ok("eval --model %s --data %s --label-column last --json", model, data);
    double accuracy = json_number(eval.out, "accuracy");
    cr_expect(accuracy >= 0.0 && accuracy <= 100.0, "accuracy %g in %s", accuracy, eval.out);
    outcome predict = run_ok("predict --format text --model %s --data %s --label-column last", model, data);
    cr_expect_eq(count_char(predict.out, '\n'), 6, "6 rows:\n%s", predict.out);
    /* Each line: the 3 outputs, then the class. */
    for (const char *line = predict.out; *line != '\0'; line = strchr(line, '\n') + 1) {
        char *copy = strndup(line, (size_t)(strchr(line, '\n') - line));
        double numbers[5];
        size_t count = 0;
        for (char *at = copy, *end = NULL; count < 5; at = end) {
            double value = strtod(at, &end);
            if (end == at)
                break;
            numbers[count++] = value;
        }
        free(copy);
        cr_expect_eq(count, 4, "outputs and class: %s", predict.out);
        cr_expect(count == 4 && (numbers[3] == 0 || numbers[3] == 1 || numbers[3] == 2),
                  "the class is 0, 1 or 2: %s", predict.out);
    }
    outcome_free(&train);
    outcome_free(&eval);
    outcome_free(&predict);
}

Test(cli, trains_on_csv_with_the_label_in_the_first_column)
{
    const char *data = write_text("first.csv", "2,0.1,0.2\n0,0.5,0.4\n1,0.9,0.3\n2,0.2,0.1\n");
    const char *model = in_work("csv.clprop");
    outcome train = run_ok("train --data %s --label-column 1 --layers 2,4,3 --epochs 2 --batch 2 "
                           "--lr 0.5 --save %s", data, model);
    outcome eval = run_ok("eval --model %s --data %s --label-column 1", model, data);
    cr_expect(mentions_ignoring_case(eval.out, "accuracy"), "%s", eval.out);
    outcome_free(&train);
    outcome_free(&eval);
}

Test(cli, trains_on_csv_with_the_last_k_columns_as_targets)
{
    const char *data = write_text("targets.csv", "a,b,c,t1,t2\n"
                                                 "0.1,0.2,0.3,0.5,0.1\n"
                                                 "0.4,0.5,0.6,0.2,0.9\n"
                                                 "0.7,0.8,0.9,0.4,0.4\n");
    const char *model = in_work("csv.clprop");
    outcome train = run_ok("train --data %s --targets 2 --layers 3,4,2 --epochs 2 --batch 3 "
                           "--lr 0.1 --save %s", data, model);
    outcome eval = run_ok("eval --model %s --data %s --targets 2 --json", model, data);
    cr_expect(isfinite(json_number(eval.out, "loss")), "%s", eval.out);
    outcome_free(&train);
    outcome_free(&eval);
}

/* ---- Help ------------------------------------------------------------------------------------ */

static const char *const TRAIN_OPTIONS[] = {
    "--data", "--test", "--layers", "--activation", "--output", "--loss", "--no-bias",
    "--epochs", "--batch", "--lr", "--seed", "--device", "--init", "--save", "--log",
    "--labels", "--label-column", "--targets", "--test-labels", NULL};
static const char *const EVAL_OPTIONS[] = {"--model", "--data", "--json", "--labels",
                                           "--label-column", "--targets", NULL};
static const char *const PREDICT_OPTIONS[] = {"--model", "--data", "--labels", "--label-column",
                                              "--targets", NULL};
static const char *const EXPORT_OPTIONS[] = {"--model", NULL};

static void expect_help_mentions(const char *args, const char *const *options)
{
    outcome help = run_ok("%s", args);
    for (; *options != NULL; options++) {
        /* A whole option: "--data" must not be found only inside "--data-something". */
        int found = 0;
        size_t length = strlen(*options);
        for (const char *at = strstr(help.out, *options); at != NULL && !found;
             at = strstr(at + 1, *options))
            found = at[length] != '-' && !isalnum((unsigned char)at[length]);
        cr_expect(found, "`clprop %s` should describe %s:\n%s", args, *options, help.out);
    }
    outcome_free(&help);
}

Test(cli, help_names_every_command)
{
    static const char *const commands[] = {"train", "eval", "predict", "export", NULL};
    expect_help_mentions("help", commands);
}

/* `clprop help COMMAND` is that command's --help; an unknown one, or one word too many, is a
 * usage error (they were ignored, exit 0). */
Test(cli, help_takes_a_commands_name_and_nothing_more)
{
    expect_help_mentions("help predict", PREDICT_OPTIONS);
    const char *refused[][2] = {{"help nosuch", "unknown command \"nosuch\""},
                                {"help predict extra", "unexpected \"extra\""},
                                {"--version extra", "unexpected \"extra\""}};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        outcome o = run_clprop("%s", refused[i][0]);
        cr_expect_eq(o.status, 2, "clprop %s: exit %d", refused[i][0], o.status);
        cr_expect(strstr(o.err, refused[i][1]) != NULL && count_char(o.err, '\n') == 1,
                  "clprop %s: %s", refused[i][0], o.err);
        outcome_free(&o);
    }
    /* the two entries of help's list that are not commands have help too */
    outcome help = run_ok("help help"), version = run_ok("help --version");
    cr_expect(strstr(help.out, "usage: clprop COMMAND") != NULL, "%s", help.out);
    cr_expect(strstr(version.out, "usage: clprop --version") != NULL, "%s", version.out);
    outcome_free(&help), outcome_free(&version);
}

Test(cli, each_commands_help_describes_every_option)
{
    expect_help_mentions("train --help", TRAIN_OPTIONS);
    expect_help_mentions("eval --help", EVAL_OPTIONS);
    expect_help_mentions("predict --help", PREDICT_OPTIONS);
    expect_help_mentions("export --help", EXPORT_OPTIONS);
}

/* ---- Bad data files -------------------------------------------------------------------------- */

Test(cli, a_missing_data_file_is_named)
{
    const char *missing = in_work("missing.data");
    char *err = TRAIN_REFUSED(1, "--data %s " QUICK, missing);
    EXPECT_MENTIONS(err, missing);
    free(err);
}

Test(cli, a_directory_given_as_the_data_file_is_named)
{
    const char *dir = in_work("sub");
    cr_assert_eq(mkdir(dir, 0700), 0);
    char *err = TRAIN_REFUSED(1, "--data %s " QUICK, dir);
    EXPECT_MENTIONS(err, dir);
    free(err);
}

Test(cli, a_truncated_fann_file_is_named_with_its_line)
{
    const char *data = write_text("short.data", "2 2 1\n0 1\n1\n1\n");
    char *err = TRAIN_REFUSED(1, "--data %s " QUICK, data);
    cr_expect(names_some_line(err, data), "names the file and line: %s", err);
    free(err);
}

Test(cli, a_fann_header_disagreeing_with_the_body_is_named_with_its_line)
{
    const char *data = write_text("long.data", "1 2 1\n0 1\n1\n1 0\n0\n");
    char *err = TRAIN_REFUSED(1, "--data %s " QUICK, data);
    cr_expect(names_line(err, data, 4), "names the file and line 4: %s", err);
    free(err);
}

Test(cli, nan_in_a_fann_file_is_named_with_its_line)
{
    const char *data = write_text("nan.data", "2 2 1\n0 1\n1\nnan 0\n0\n");
    char *err = TRAIN_REFUSED(1, "--data %s " QUICK, data);
    cr_expect(names_line(err, data, 4), "names the file and line 4: %s", err);
    cr_expect(mentions_ignoring_case(err, "nan"), "%s", err);
    free(err);
}

Test(cli, a_csv_row_with_the_wrong_number_of_fields_is_named_with_its_line)
{
    const char *data = write_text("ragged.csv", "a,b,t\n1,2,3\n4,5\n6,7,8\n");
    char *err = TRAIN_REFUSED(1, "--data %s --targets 1 " QUICK, data);
    cr_expect(names_line(err, data, 3), "names the file and line 3: %s", err);
    free(err);
}

Test(cli, a_csv_field_that_is_not_a_number_is_named_with_its_line)
{
    const char *data = write_text("word.csv", "1,2,3\n4,x,6\n");
    char *err = TRAIN_REFUSED(1, "--data %s --targets 1 " QUICK, data);
    cr_expect(names_line(err, data, 2), "names the file and line 2: %s", err);
    EXPECT_MENTIONS(err, "\"x\"");
    free(err);
}

Test(cli, infinity_in_a_csv_file_is_named_with_its_line)
{
    const char *data = write_text("inf.csv", "1,2,3\n4,inf,6\n");
    char *err = TRAIN_REFUSED(1, "--data %s --targets 1 " QUICK, data);
    cr_expect(names_line(err, data, 2), "names the file and line 2: %s", err);
    free(err);
}

Test(cli, a_csv_label_outside_the_class_range_is_named_with_its_line)
{
    const char *data = write_text("labels.csv", "x,y,label\n0,0,0\n0,1,1\n1,0,5\n1,1,2\n");
    char *err = TRAIN_REFUSED(1, "--data %s --label-column last --layers 2,4,3 " QUICK, data);
    cr_expect(names_line(err, data, 4), "names the file and line 4: %s", err);
    cr_expect(mentions_number(err, "5"), "names the label 5: %s", err);
    free(err);
}

/* What the command line must say of a data file, said in its options' words (exit 2). */
Test(cli, a_csv_files_targets_said_twice_and_idx_images_without_labels_are_usage_errors)
{
    const char *data = write_text("both.csv", "1,2,3\n4,5,6\n");
    char *err = TRAIN_REFUSED(2, "--data %s --targets 1 --label-column 1 " QUICK, data);
    EXPECT_MENTIONS(err, "--targets and --label-column");
    free(err);
    bytes images = idx_images(6, SIX_LABELS);
    const char *image_path = write_raw("alone.idx", &images);
    err = TRAIN_REFUSED(2, "--data %s " QUICK, image_path);
    EXPECT_MENTIONS(err, "alone.idx: IDX images, which need --labels FILE");
    free(err);
}

Test(cli, idx_images_with_the_labels_magic_number_are_named_at_byte_0)
{
    bytes images = idx_images(6, SIX_LABELS), labels = idx_labels(6, SIX_LABELS);
    const char *image_path = write_raw("images.idx", &images);
    const char *label_path = write_raw("labels.idx", &labels);
    /* The files swapped: the "images" file holds labels. */
    char *err = TRAIN_REFUSED(1, "--data %s --labels %s " QUICK, label_path, image_path);
    cr_expect(names_byte(err, label_path, 0), "names %s at byte 0: %s", label_path, err);
    cr_expect(mentions_ignoring_case(err, "magic"), "%s", err);
    free(err);
}

Test(cli, an_idx_labels_file_with_a_wrong_magic_number_is_named_at_byte_0)
{
    bytes images = idx_images(6, SIX_LABELS), labels = idx_labels(6, SIX_LABELS);
    labels.data[3] = 0x03;
    const char *image_path = write_gzip("images.idx.gz", &images);
    const char *label_path = write_gzip("labels.idx.gz", &labels);
    char *err = TRAIN_REFUSED(1, "--data %s --labels %s " QUICK, image_path, label_path);
    cr_expect(names_byte(err, label_path, 0), "names %s at byte 0: %s", label_path, err);
    cr_expect(mentions_ignoring_case(err, "magic"), "%s", err);
    free(err);
}

Test(cli, idx_files_whose_image_and_label_counts_differ_are_both_named)
{
    bytes images = idx_images(6, SIX_LABELS), labels = idx_labels(5, SIX_LABELS);
    const char *image_path = write_gzip("images.idx.gz", &images);
    const char *label_path = write_gzip("labels.idx.gz", &labels);
    char *err = TRAIN_REFUSED(1, "--data %s --labels %s " QUICK, image_path, label_path);
    EXPECT_MENTIONS(err, image_path);
    EXPECT_MENTIONS(err, label_path);
    cr_expect(mentions_number(err, "5") && mentions_number(err, "6"), "both counts: %s", err);
    free(err);
}

Test(cli, a_truncated_idx_images_file_is_named_with_its_byte_offset)
{
    bytes images = idx_images(6, SIX_LABELS), labels = idx_labels(6, SIX_LABELS);
    images.size -= 2; /* image 6 of 6 lacks its last two pixels */
    const char *image_path = write_gzip("images.idx.gz", &images);
    const char *label_path = write_gzip("labels.idx.gz", &labels);
    char *err = TRAIN_REFUSED(1, "--data %s --labels %s " QUICK, image_path, label_path);
    cr_expect(names_byte(err, image_path, images.size), "names %s at byte %zu: %s", image_path,
              images.size, err);
    free(err);
}

Test(cli, an_idx_label_outside_the_class_range_is_named_with_its_byte_offset)
{
    const unsigned char wide[] = {0, 1, 2, 5, 1, 2};
    bytes images = idx_images(6, wide), labels = idx_labels(6, wide);
    const char *image_path = write_gzip("images.idx.gz", &images);
    const char *label_path = write_gzip("labels.idx.gz", &labels);
    char *err = TRAIN_REFUSED(1, "--data %s --labels %s --layers 4,8,3 " QUICK, image_path,
                              label_path);
    cr_expect(names_byte(err, label_path, 8 + 3), "names %s at byte 11: %s", label_path, err);
    cr_expect(mentions_number(err, "5"), "names the label 5: %s", err);
    free(err);
}

/* ---- Layer sizes against the data ------------------------------------------------------------ */

/* Two samples of 5 inputs and 3 outputs. */
static const char FIVE_THREE[] = "2 5 3\n"
                                 "0.1 0.2 0.3 0.4 0.5\n1 0 0\n"
                                 "0.5 0.4 0.3 0.2 0.1\n0 0 1\n";

Test(cli, a_first_layer_size_unlike_the_data_names_both_numbers)
{
    const char *data = write_text("five.data", FIVE_THREE);
    char *err = TRAIN_REFUSED(1, "--data %s --layers 7,4,3 " QUICK, data);
    cr_expect(mentions_number(err, "7") && mentions_number(err, "5"), "7 and 5: %s", err);
    free(err);
}

Test(cli, a_last_layer_size_unlike_the_data_names_both_numbers)
{
    const char *data = write_text("five.data", FIVE_THREE);
    char *err = TRAIN_REFUSED(1, "--data %s --layers 5,4,6 " QUICK, data);
    cr_expect(mentions_number(err, "6") && mentions_number(err, "3"), "6 and 3: %s", err);
    free(err);
}

Test(cli, eval_with_a_model_whose_input_size_differs_from_the_data_names_both_numbers)
{
    const size_t sizes[] = {7, 3, 1};
    const char *model = write_model("seven.clprop", 2, sizes);
    char *err = refused(1, "eval --model %s --data %s", model, XOR_DATA);
    cr_expect(mentions_number(err, "7") && mentions_number(err, "2"), "7 and 2: %s", err);
    free(err);
}

/* ---- Bad command lines ----------------------------------------------------------------------- */

Test(cli, zero_epochs_are_bad_usage)
{
    char *err = TRAIN_REFUSED(2, "--data %s --epochs 0 --batch 1 --lr 0.1", XOR_DATA);
    EXPECT_MENTIONS(err, "--epochs");
    free(err);
}

Test(cli, negative_epochs_are_bad_usage)
{
    char *err = TRAIN_REFUSED(2, "--data %s --epochs -1 --batch 1 --lr 0.1", XOR_DATA);
    EXPECT_MENTIONS(err, "--epochs");
    free(err);
}

Test(cli, a_zero_batch_is_bad_usage)
{
    char *err = TRAIN_REFUSED(2, "--data %s --epochs 1 --batch 0 --lr 0.1", XOR_DATA);
    EXPECT_MENTIONS(err, "--batch");
    free(err);
}

Test(cli, a_negative_batch_is_bad_usage)
{
    char *err = TRAIN_REFUSED(2, "--data %s --epochs 1 --batch -4 --lr 0.1", XOR_DATA);
    EXPECT_MENTIONS(err, "--batch");
    free(err);
}

Test(cli, a_zero_learning_rate_is_bad_usage)
{
    char *err = TRAIN_REFUSED(2, "--data %s --epochs 1 --batch 1 --lr 0", XOR_DATA);
    EXPECT_MENTIONS(err, "--lr");
    free(err);
}

Test(cli, a_negative_learning_rate_is_bad_usage)
{
    char *err = TRAIN_REFUSED(2, "--data %s --epochs 1 --batch 1 --lr -0.1", XOR_DATA);
    EXPECT_MENTIONS(err, "--lr");
    free(err);
}

Test(cli, a_zero_layer_size_is_bad_usage)
{
    char *err = TRAIN_REFUSED(2, "--data %s --layers 2,0,1 " QUICK, XOR_DATA);
    EXPECT_MENTIONS(err, "--layers");
    free(err);
}

Test(cli, a_negative_layer_size_is_bad_usage)
{
    char *err = TRAIN_REFUSED(2, "--data %s --layers 2,-3,1 " QUICK, XOR_DATA);
    EXPECT_MENTIONS(err, "--layers");
    free(err);
}

Test(cli, an_unknown_option_is_bad_usage_and_named)
{
    char *err = TRAIN_REFUSED(2, "--data %s --frobnicate 3 " QUICK, XOR_DATA);
    EXPECT_MENTIONS(err, "--frobnicate");
    free(err);
}

Test(cli, train_without_data_is_bad_usage)
{
    char *err = TRAIN_REFUSED(2, "%s", QUICK);
    EXPECT_MENTIONS(err, "--data");
    free(err);
}

/* ---- Damaged models -------------------------------------------------------------------------- */

static const size_t XOR_SIZES[] = {2, 3, 1};

Test(cli, init_refuses_a_model_file_with_a_wrong_magic_number)
{
    const char *model = write_model("bad.clprop", 2, XOR_SIZES);
    flip_byte(model, 0);
    char *err = TRAIN_REFUSED(1, "--init %s --data %s " QUICK, model, XOR_DATA);
    EXPECT_MENTIONS(err, model);
    cr_expect(mentions_ignoring_case(err, "magic"), "%s", err);
    free(err);
}

Test(cli, init_refuses_a_model_file_with_a_damaged_checksum)
{
    const char *model = write_model("bad.clprop", 2, XOR_SIZES);
    flip_byte(model, -1);
    char *err = TRAIN_REFUSED(1, "--init %s --data %s " QUICK, model, XOR_DATA);
    EXPECT_MENTIONS(err, model);
    cr_expect(mentions_ignoring_case(err, "checksum"), "%s", err);
    free(err);
}

Test(cli, init_refuses_a_model_file_of_a_later_version)
{
    const char *model = write_model("bad.clprop", 2, XOR_SIZES);
    flip_byte(model, 8);
    char *err = TRAIN_REFUSED(1, "--init %s --data %s " QUICK, model, XOR_DATA);
    EXPECT_MENTIONS(err, model);
    cr_expect(mentions_ignoring_case(err, "version"), "%s", err);
    free(err);
}

Test(cli, init_refuses_a_truncated_model_file)
{
    const char *model = write_model("bad.clprop", 2, XOR_SIZES);
    truncate_file(model, 40);
    char *err = TRAIN_REFUSED(1, "--init %s --data %s " QUICK, model, XOR_DATA);
    EXPECT_MENTIONS(err, model);
    free(err);
}

Test(cli, eval_refuses_a_damaged_model_file)
{
    const char *model = write_model("bad.clprop", 2, XOR_SIZES);
    flip_byte(model, -2);
    char *err = refused(1, "eval --model %s --data %s", model, XOR_DATA);
    EXPECT_MENTIONS(err, model);
    free(err);
}

Test(cli, eval_refuses_a_missing_model_file)
{
    const char *model = in_work("absent.clprop");
    char *err = refused(1, "eval --model %s --data %s", model, XOR_DATA);
    EXPECT_MENTIONS(err, model);
    free(err);
}

/* ---- Training that diverges ------------------------------------------------------------------ */

Test(cli, training_whose_loss_becomes_infinite_stops_naming_the_epoch)
{
    const char *model = in_work("diverged.clprop");
    outcome train = run_clprop("train --data %s --layers 3,1 --output linear --epochs 3 "
                               "--batch 1 --lr 1e30 --save %s", SCALING_DATA, model);
    cr_expect_eq(train.status, 1, "exit %d, stderr:\n%s", train.status, train.err);
    cr_expect(!exists(model), "a diverged run saves no model");
    cr_expect_eq(entries_in_work(), 0, "nor a temporary file");
    /* The line that says so names epoch 1, the first to see the loss overflow. */
    int named = 0;
    for (const char *line = train.err; *line != '\0' && !named;) {
        const char *stop = strchr(line, '\n');
        size_t length = stop != NULL ? (size_t)(stop - line) : strlen(line);
        char *copy = strndup(line, length);
        if (mentions_ignoring_case(copy, "nan") || mentions_ignoring_case(copy, "infin"))
            named = mentions_ignoring_case(copy, "epoch") && mentions_number(copy, "1");
        free(copy);
        line += length + (stop != NULL);
    }
    cr_expect(named, "a line names NaN or infinity and epoch 1:\n%s", train.err);
    outcome_free(&train);
}

Test(cli, idx_images_with_an_unknown_magic_number_are_refused_as_idx)
{
    bytes images = idx_images(6, SIX_LABELS), labels = idx_labels(6, SIX_LABELS);
    images.data[0] = 0x12, images.data[1] = 0x34, images.data[2] = 0x56, images.data[3] = 0x78;
    const char *image_path = write_raw("images.idx", &images);
    const char *label_path = write_raw("labels.idx", &labels);
    char *err = TRAIN_REFUSED(1, "--data %s --labels %s " QUICK, image_path, label_path);
    EXPECT_MENTIONS(err, image_path);
    cr_expect(mentions_ignoring_case(err, "magic"), "says the magic number is wrong: %s", err);
    free(err);
}
