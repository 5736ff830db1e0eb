/* FANN data files: every benchmark file loads and matches its text read independently here, and
 * every way a FANN file can be wrong fails with a message naming the file and the line. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <zlib.h>

#include "clprop.h"
#include "support.h"

/* ---- Helpers ----------------------------------------------------------------------------------- */

static clprop_status load(const char *path, clprop_data_format format, clprop_data **data)
{
    clprop_data_source source = {.path = path, .format = format};
    return clprop_data_load(&source, data);
}

/* Writes `text` as dir/name and loads it as FANN; returns the status, *message gets a copy. */
static clprop_status load_text(const char *text, char **path, char **message)
{
    char *dir = test_make_temp_dir();
    *path = test_write_file(dir, "x.data", text);
    clprop_data *data = NULL;
    clprop_status status = load(*path, CLPROP_DATA_FANN, &data);
    cr_assert_not_null(data, "load must write a handle even when it fails");
    *message = strdup(clprop_data_message(data));
    if (status != CLPROP_SUCCESS) {
        cr_expect_eq(clprop_data_samples(data), 0, "a failed load must hold no samples");
        cr_expect_null(clprop_data_input_values(data));
    }
    clprop_data_destroy(data);
    test_remove_tree(dir);
    free(dir);
    return status;
}

/* Asserts the status, and that the message names the file with ":line" and holds `detail`. */
static void expect_failure(const char *text, clprop_status want, int line, const char *detail)
{
    char *path, *message;
    clprop_status status = load_text(text, &path, &message);
    char where[4200];
    snprintf(where, sizeof where, "%s:%d:", path, line);
    cr_expect_eq(status, want, "status %s, want %s; message: %s", clprop_status_name(status),
                 clprop_status_name(want), message);
    cr_expect_not_null(strstr(message, where), "message \"%s\" should name \"%s\"", message,
                       where);
    cr_expect_not_null(strstr(message, detail), "message \"%s\" should say \"%s\"", message,
                       detail);
    cr_expect_null(strchr(message, '\n'), "message should be one line: %s", message);
    free(path);
    free(message);
}

/* The file's numbers as this test reads them, with fscanf rather than the loader's code. */
typedef struct fann_text {
    unsigned samples, inputs, outputs;
    double *numbers;
    size_t count;
} fann_text;

static fann_text read_independently(const char *path)
{
    fann_text text = {0};
    FILE *file = fopen(path, "r");
    cr_assert_not_null(file, "cannot open %s", path);
    cr_assert_eq(fscanf(file, "%u %u %u", &text.samples, &text.inputs, &text.outputs), 3);
    size_t capacity = 1024;
    text.numbers = malloc(capacity * sizeof *text.numbers);
    double value;
    while (fscanf(file, "%lf", &value) == 1) {
        if (text.count == capacity)
            text.numbers = realloc(text.numbers, (capacity *= 2) * sizeof *text.numbers);
        text.numbers[text.count++] = value;
    }
    cr_assert(feof(file), "%s: fscanf stopped before the end", path);
    fclose(file);
    return text;
}

/* Compares sample s of the loaded data with the numbers read independently. */
static void expect_sample(const char *path, const clprop_data *data, const fann_text *text,
                          size_t s)
{
    size_t width = text->inputs + text->outputs;
    const double *want = text->numbers + s * width;
    char what[4200];
    snprintf(what, sizeof what, "%s sample %zu inputs", path, s);
    test_assert_close(what, clprop_data_input_values(data) + s * text->inputs, want, text->inputs,
                      1e-6);
    snprintf(what, sizeof what, "%s sample %zu outputs", path, s);
    test_assert_close(what, clprop_data_target_values(data) + s * text->outputs,
                      want + text->inputs, text->outputs, 1e-6);
}

/* What the folder's README.md says about each data set. */
typedef struct readme_row {
    const char *name;
    size_t inputs, outputs, train, test;
} readme_row;

static const readme_row README[] = {
    {"abelone", 10, 1, 2088, 2089},      {"bank32fm", 32, 1, 2048, 2048},
    {"bank32nh", 32, 1, 2048, 2048},     {"building", 14, 3, 2104, 2104},
    {"census-house", 16, 1, 11392, 11392}, {"diabetes", 8, 2, 384, 384},
    {"gene", 120, 3, 1588, 1587},        {"kin32fm", 32, 1, 2048, 2048},
    {"mushroom", 125, 2, 4062, 4062},    {"parity8", 8, 1, 256, 256},
    {"parity13", 13, 1, 8192, 8192},     {"pumadyn-32fm", 32, 1, 512, 512},
    {"robot", 48, 3, 374, 594},          {"soybean", 82, 19, 342, 341},
    {"thyroid", 21, 3, 3600, 3600},      {"two-spiral", 2, 1, 193, 193},
    {"scaling", 3, 1, 1000, 0},          {"xor", 2, 1, 4, 0},
};

/* The README's shape for a file name like "gene.test"; fails the test for an unknown file. */
static void readme_shape(const char *file_name, size_t *inputs, size_t *outputs, size_t *samples)
{
    const char *dot = strrchr(file_name, '.');
    cr_assert_not_null(dot, "%s has no extension", file_name);
    size_t stem = (size_t)(dot - file_name);
    for (size_t i = 0; i < sizeof README / sizeof README[0]; i++) {
        if (strlen(README[i].name) != stem || strncmp(README[i].name, file_name, stem) != 0)
            continue;
        *inputs = README[i].inputs;
        *outputs = README[i].outputs;
        *samples = strcmp(dot, ".test") == 0 ? README[i].test : README[i].train;
        return;
    }
    cr_assert_fail("%s is not in the README's table", file_name);
}

static int is_fann_file(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot != NULL && (strcmp(dot, ".train") == 0 || strcmp(dot, ".test") == 0 ||
                           strcmp(dot, ".data") == 0);
}

/* Loads one benchmark file and checks it against the README and its own text. */
static void check_benchmark_file(const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", CLPROP_FANN_DIR, name);
    clprop_data *data = NULL;
    clprop_status status = load(path, CLPROP_DATA_AUTO, &data);
    cr_assert_eq(status, CLPROP_SUCCESS, "%s: %s", path, clprop_data_message(data));

    size_t inputs, outputs, samples;
    readme_shape(name, &inputs, &outputs, &samples);
    cr_expect_eq(clprop_data_samples(data), samples, "%s samples", name);
    cr_expect_eq(clprop_data_inputs(data), inputs, "%s inputs", name);
    cr_expect_eq(clprop_data_outputs(data), outputs, "%s outputs", name);
    cr_expect_not(clprop_data_has_labels(data), "%s has no class labels", name);

    fann_text text = read_independently(path);
    cr_assert_eq(text.samples, samples, "%s: header", name);
    cr_assert_eq(text.count, (size_t)text.samples * (text.inputs + text.outputs),
                 "%s: the test's own reading", name);
    expect_sample(path, data, &text, 0);
    expect_sample(path, data, &text, samples / 2);
    expect_sample(path, data, &text, samples - 1);
    free(text.numbers);
    clprop_data_destroy(data);
}

/* ---- Benchmark files --------------------------------------------------------------------------- */

Test(fann, loads_every_benchmark_file)
{
    DIR *dir = opendir(CLPROP_FANN_DIR);
    cr_assert_not_null(dir, "cannot list %s", CLPROP_FANN_DIR);
    size_t loaded = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (!is_fann_file(entry->d_name))
            continue;
        check_benchmark_file(entry->d_name);
        loaded++;
    }
    closedir(dir);
    cr_expect_eq(loaded, 34, "16 train/test pairs, scaling.data and xor.data");
}

Test(fann, loads_xor_with_minus_one_targets)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/xor.data", CLPROP_FANN_DIR);
    clprop_data *data = NULL;
    cr_assert_eq(load(path, CLPROP_DATA_FANN, &data), CLPROP_SUCCESS, "%s",
                 clprop_data_message(data));
    const float want_inputs[] = {-1, -1, -1, 1, 1, -1, 1, 1};
    const float want_targets[] = {-1, 1, 1, -1};
    cr_assert_eq(clprop_data_samples(data), 4);
    cr_expect_arr_eq(clprop_data_input_values(data), want_inputs, sizeof want_inputs);
    cr_expect_arr_eq(clprop_data_target_values(data), want_targets, sizeof want_targets);
    clprop_data_destroy(data);
}

Test(fann, loads_numbers_spread_over_lines_in_any_way)
{
    char *path, *message;
    cr_expect_eq(load_text("\n  2 2 1  \n1 2 3 4\n\n5\n 6\n\n", &path, &message),
                 CLPROP_SUCCESS, "%s", message);
    free(path);
    free(message);
}

Test(fann, loads_a_gzip_compressed_file)
{
    char *dir = test_make_temp_dir();
    char path[4200];
    snprintf(path, sizeof path, "%s/x.data.gz", dir);
    gzFile file = gzopen(path, "wb");
    cr_assert_not_null(file);
    gzputs(file, "2 1 1\r\n0.5\r\n-0.25\r\n1e-3\r\n7\r\n");
    gzclose(file);
    clprop_data *data = NULL;
    cr_assert_eq(load(path, CLPROP_DATA_AUTO, &data), CLPROP_SUCCESS, "%s",
                 clprop_data_message(data));
    const float want_inputs[] = {0.5f, 1e-3f}, want_targets[] = {-0.25f, 7.0f};
    cr_expect_arr_eq(clprop_data_input_values(data), want_inputs, sizeof want_inputs);
    cr_expect_arr_eq(clprop_data_target_values(data), want_targets, sizeof want_targets);
    clprop_data_destroy(data);
    test_remove_tree(dir);
    free(dir);
}

/* ---- Bad files --------------------------------------------------------------------------------- */

Test(fann, fails_on_a_missing_file_naming_it_and_the_reason)
{
    clprop_data *data = NULL;
    const char *path = "/nonexistent/clprop/x.data";
    cr_expect_eq(load(path, CLPROP_DATA_FANN, &data), CLPROP_ERROR_IO);
    cr_assert_not_null(data);
    cr_expect_str_eq(clprop_data_message(data),
                     "/nonexistent/clprop/x.data: cannot open: No such file or directory");
    clprop_data_destroy(data);
}

Test(fann, fails_on_a_directory_saying_what_it_is)
{
    char *dir = test_make_temp_dir();
    clprop_data *data = NULL;
    cr_expect_eq(load(dir, CLPROP_DATA_FANN, &data), CLPROP_ERROR_IO, "%s",
                 clprop_data_message(data));
    cr_expect_not_null(strstr(clprop_data_message(data), dir));
    cr_expect_not_null(strstr(clprop_data_message(data), "is a directory"), "%s",
                       clprop_data_message(data));
    clprop_data_destroy(data);
    test_remove_tree(dir);
    free(dir);
}

Test(fann, fails_when_the_file_ends_in_the_middle_of_a_sample)
{
    expect_failure("3 2 1\n1 2\n3\n4 5\n6\n7 8\n", CLPROP_ERROR_FORMAT, 6,
                   "expected 3 numbers (2 inputs + 1 output) for sample 3 of 3, found 2");
}

Test(fann, fails_when_the_file_ends_after_fewer_samples_than_the_header_says)
{
    expect_failure("10 2 1\n1 2\n3\n4 5\n6\n\n", CLPROP_ERROR_FORMAT, 6,
                   "file ends after 2 of 10 samples");
}

Test(fann, fails_when_the_file_has_only_a_header)
{
    expect_failure("10 2 1\n", CLPROP_ERROR_FORMAT, 1, "file ends after 0 of 10 samples");
}

Test(fann, fails_on_numbers_after_the_last_sample)
{
    expect_failure("2 2 1\n1 2\n3\n4 5\n6\n7 8\n9\n", CLPROP_ERROR_FORMAT, 6,
                   "extra text \"7\" after the last sample (the header says 2 samples)");
}

Test(fann, fails_on_text_that_is_not_a_number)
{
    expect_failure("2 2 1\n1 2\n3\n4 5x\n6\n", CLPROP_ERROR_FORMAT, 4,
                   "\"5x\" in sample 2 is not a number");
}

Test(fann, fails_on_nan_naming_the_sample)
{
    expect_failure("2 2 1\n1 2\n3\nnan 5\n6\n", CLPROP_ERROR_NOT_FINITE, 4,
                   "NaN or infinity in sample 2");
}

Test(fann, fails_on_infinity_naming_the_sample)
{
    expect_failure("2 2 1\n1 2\n-inf\n4 5\n6\n", CLPROP_ERROR_NOT_FINITE, 3,
                   "NaN or infinity in sample 1");
}

Test(fann, fails_on_a_number_too_large_for_a_float)
{
    expect_failure("2 2 1\n1 2\n3\n4 5\n1e999\n", CLPROP_ERROR_NOT_FINITE, 5,
                   "beyond float32's range (largest 3.4e38) in sample 2: \"1e999\"");
    expect_failure("1 1 1\n1e39\n3\n", CLPROP_ERROR_NOT_FINITE, 2,
                   "beyond float32's range (largest 3.4e38) in sample 1: \"1e39\"");
    expect_failure("1 1 1\n0x10\n3\n", CLPROP_ERROR_FORMAT, 2,
                   "\"0x10\" in sample 1 is not a number");
}

Test(fann, fails_on_a_header_that_is_not_three_whole_numbers)
{
    expect_failure("\n2 2.5 1\n1 2\n3\n", CLPROP_ERROR_FORMAT, 2,
                   "expected the FANN header \"samples inputs outputs\"");
    expect_failure("2 2 1 4\n", CLPROP_ERROR_FORMAT, 1,
                   "a FANN header is three whole numbers \"samples inputs outputs\", but this one "
                   "goes on with \"4\"");
    /* whole numbers that are no counts: which one, and why */
    expect_failure("2 -2 1\n", CLPROP_ERROR_FORMAT, 1,
                   "the FANN header's number of inputs \"-2\" is negative");
    expect_failure("2 2 +1\n", CLPROP_ERROR_FORMAT, 1,
                   "the FANN header's number of outputs \"+1\" is signed");
    expect_failure("-0 2 1\n", CLPROP_ERROR_FORMAT, 1,
                   "the FANN header's sample count \"-0\" is signed");
    expect_failure("99999999999999999999 2 1\n", CLPROP_ERROR_FORMAT, 1,
                   "the FANN header's sample count \"99999999999999999999\" is too large to count");
}

/* Such a header is still a FANN file's to the detection, which said "read as CSV" of it. */
Test(fann, a_header_of_whole_numbers_that_are_no_counts_is_detected_as_fann)
{
    const char *headers[] = {"-4 2 1\n0 0\n0\n", "99999999999999999999 2 1\n", "4 2 -1\n"};
    char *dir = test_make_temp_dir();
    for (size_t i = 0; i < sizeof headers / sizeof *headers; i++) {
        char *path = test_write_file(dir, "h.data", headers[i]);
        clprop_data_format format = CLPROP_DATA_CSV;
        char message[512];
        cr_expect_eq(clprop_data_detect_format(path, &format, message, sizeof message),
                     CLPROP_SUCCESS, "%s", message);
        cr_expect_eq(format, CLPROP_DATA_FANN, "%s", headers[i]);
        clprop_data *data = NULL;
        cr_expect_eq(load(path, CLPROP_DATA_AUTO, &data), CLPROP_ERROR_FORMAT);
        cr_expect(strstr(clprop_data_message(data), "the FANN header's") != NULL, "%s",
                  clprop_data_message(data));
        clprop_data_destroy(data);
        free(path);
    }
    test_remove_tree(dir);
    free(dir);
}

Test(fann, fails_on_a_header_with_a_zero_count)
{
    expect_failure("0 2 1\n", CLPROP_ERROR_FORMAT, 1, "none may be zero");
    expect_failure("4 0 1\n", CLPROP_ERROR_FORMAT, 1, "none may be zero");
    expect_failure("4 2 0\n", CLPROP_ERROR_FORMAT, 1, "none may be zero");
}

Test(fann, fails_on_a_header_whose_sizes_overflow)
{
    expect_failure("18446744073709551615 2 1\n1 2 3\n", CLPROP_ERROR_FORMAT, 1,
                   "too many numbers to address");
    expect_failure("1 18446744073709551615 1\n1 2 3\n", CLPROP_ERROR_FORMAT, 1,
                   "too many numbers to address");
}

/* Memory the loader may use here is capped far below what the header claims, so allocating from
 * the header would fail with out-of-memory instead of the format error. AddressSanitizer needs a
 * vast address space of its own, so the cap is left off under it. */
static void cap_address_space(void)
{
#if !defined(__SANITIZE_ADDRESS__)
    struct rlimit limit = {512ul << 20, 512ul << 20};
    cr_assert_eq(setrlimit(RLIMIT_AS, &limit), 0);
#endif
}

Test(fann, fails_quickly_on_a_header_claiming_four_billion_samples, .timeout = 10)
{
    cap_address_space();
    expect_failure("4000000000 2 1\n1 2\n3\n", CLPROP_ERROR_FORMAT, 3,
                   "file ends after 1 of 4000000000 samples");
}

Test(fann, fails_quickly_on_a_header_claiming_four_billion_inputs, .timeout = 10)
{
    cap_address_space();
    expect_failure("2 4000000000 1\n1 2\n3\n", CLPROP_ERROR_FORMAT, 3,
                   "expected 4000000001 numbers (4000000000 inputs + 1 output) for sample 1 of "
                   "2, found 3");
}

Test(fann, fails_on_an_empty_file)
{
    char *path, *message;
    cr_expect_eq(load_text("\n  \n", &path, &message), CLPROP_ERROR_FORMAT);
    cr_expect_not_null(strstr(message, path), "%s", message);
    cr_expect_not_null(strstr(message, "empty"), "%s", message);
    free(path);
    free(message);
}
