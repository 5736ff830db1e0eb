/* CSV data files: targets as the last K columns or as a class-label column made one-hot, with and
 * without a header row; and every way a CSV file can be wrong, named by file and line. */
#include <criterion/criterion.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clprop.h"
#include "support.h"

/* ---- Helpers ----------------------------------------------------------------------------------- */

typedef struct csv_case {
    char *dir, *path;
    clprop_data *data;
    clprop_status status;
} csv_case;

/* Writes `text` to a fresh x.csv and loads it with the given options (format left to AUTO, so
 * detection is exercised too). */
static csv_case load_csv(const char *text, size_t targets, long label_column, size_t classes)
{
    csv_case c = {.dir = test_make_temp_dir()};
    c.path = test_write_file(c.dir, "x.csv", text);
    clprop_data_source source = {.path = c.path, .csv_targets = targets,
                                 .csv_label_column = label_column, .classes = classes};
    c.status = clprop_data_load(&source, &c.data);
    cr_assert_not_null(c.data, "load must write a handle even when it fails");
    return c;
}

static void finish(csv_case *c)
{
    clprop_data_destroy(c->data);
    test_remove_tree(c->dir);
    free(c->dir);
    free(c->path);
}

static csv_case load_ok(const char *text, size_t targets, long label_column, size_t classes)
{
    csv_case c = load_csv(text, targets, label_column, classes);
    cr_assert_eq(c.status, CLPROP_SUCCESS, "%s", clprop_data_message(c.data));
    return c;
}

static void expect_shape(const clprop_data *data, size_t samples, size_t inputs, size_t outputs)
{
    cr_expect_eq(clprop_data_samples(data), samples, "samples");
    cr_expect_eq(clprop_data_inputs(data), inputs, "inputs");
    cr_expect_eq(clprop_data_outputs(data), outputs, "outputs");
}

static void expect_floats(const char *what, const float *got, const float *want, size_t count)
{
    for (size_t i = 0; i < count; i++)
        cr_expect_eq(got[i], want[i], "%s[%zu]: got %g, want %g", what, i, (double)got[i],
                     (double)want[i]);
}

/* Loads `text` and expects failure: the status, "x.csv:LINE:" and `detail` in a one-line
 * message. */
static void expect_failure(const char *text, size_t targets, long label_column, size_t classes,
                           clprop_status want, int line, const char *detail)
{
    csv_case c = load_csv(text, targets, label_column, classes);
    const char *message = clprop_data_message(c.data);
    char where[4200];
    snprintf(where, sizeof where, "%s:%d:", c.path, line);
    cr_expect_eq(c.status, want, "status %s, want %s; message: %s",
                 clprop_status_name(c.status), clprop_status_name(want), message);
    cr_expect_not_null(strstr(message, where), "message \"%s\" should name \"%s\"", message,
                       where);
    cr_expect_not_null(strstr(message, detail), "message \"%s\" should say \"%s\"", message,
                       detail);
    cr_expect_null(strchr(message, '\n'), "message should be one line: %s", message);
    cr_expect_eq(clprop_data_samples(c.data), 0, "a failed load holds no samples");
    finish(&c);
}

/* ---- Targets as the last K columns ------------------------------------------------------------- */

Test(csv, loads_the_last_columns_as_targets_after_a_header)
{
    csv_case c = load_ok("a, b, c, t1, t2\n1, 2, 3, 0.5, -0.5\n4,5,6,1e-2,2\n", 2, 0, 0);
    expect_shape(c.data, 2, 3, 2);
    const float inputs[] = {1, 2, 3, 4, 5, 6}, targets[] = {0.5f, -0.5f, 1e-2f, 2};
    expect_floats("inputs", clprop_data_input_values(c.data), inputs, 6);
    expect_floats("targets", clprop_data_target_values(c.data), targets, 4);
    cr_expect_not(clprop_data_has_labels(c.data));
    cr_expect_null(clprop_data_labels(c.data));
    finish(&c);
}

Test(csv, loads_a_file_without_a_header_row)
{
    csv_case c = load_ok("1,2,3\n4,5,6\n7,8,9\n", 1, 0, 0);
    expect_shape(c.data, 3, 2, 1);
    const float inputs[] = {1, 2, 4, 5, 7, 8}, targets[] = {3, 6, 9};
    expect_floats("inputs", clprop_data_input_values(c.data), inputs, 6);
    expect_floats("targets", clprop_data_target_values(c.data), targets, 3);
    finish(&c);
}

Test(csv, accepts_spaces_crlf_and_blank_lines)
{
    csv_case c = load_ok("\r\n  x ,\ty\r\n 1 ,\t2 \r\n\r\n3,4\r\n\n  \n", 1, 0, 0);
    expect_shape(c.data, 2, 1, 1);
    const float inputs[] = {1, 3}, targets[] = {2, 4};
    expect_floats("inputs", clprop_data_input_values(c.data), inputs, 2);
    expect_floats("targets", clprop_data_target_values(c.data), targets, 2);
    finish(&c);
}

Test(csv, keeps_a_numeric_first_row_after_a_byte_order_mark)
{
    csv_case c = load_ok("\xEF\xBB\xBF" "1,2\n3,4\n", 1, 0, 0);
    expect_shape(c.data, 2, 1, 1);
    cr_expect_eq(clprop_data_input_values(c.data)[0], 1.0f);
    finish(&c);
}

Test(csv, reads_a_very_long_line)
{
    enum { COLUMNS = 20000 };
    char *text = malloc(2 * COLUMNS * 16 + 16); /* two rows of fields up to "19999.25," */
    size_t length = 0;
    for (int row = 0; row < 2; row++) {
        for (int column = 0; column < COLUMNS; column++)
            length += (size_t)sprintf(text + length, "%s%d.25", column ? "," : "", column);
        text[length++] = '\n';
    }
    text[length] = '\0';
    csv_case c = load_ok(text, 1, 0, 0);
    expect_shape(c.data, 2, COLUMNS - 1, 1);
    cr_expect_eq(clprop_data_input_values(c.data)[COLUMNS - 2], COLUMNS - 2 + 0.25f);
    cr_expect_eq(clprop_data_target_values(c.data)[1], COLUMNS - 1 + 0.25f);
    free(text);
    finish(&c);
}

/* ---- Targets as a class-label column ----------------------------------------------------------- */

/* Rows "label,x,y" with the label in column `at` (1..3); the label is dropped from the inputs. */
static void check_label_column(long column, const char *text)
{
    csv_case c = load_ok(text, 0, column, 0);
    expect_shape(c.data, 3, 2, 3);
    const float inputs[] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    const float targets[] = {0, 0, 1, 1, 0, 0, 0, 1, 0};
    const uint32_t labels[] = {2, 0, 1};
    expect_floats("inputs", clprop_data_input_values(c.data), inputs, 6);
    expect_floats("targets", clprop_data_target_values(c.data), targets, 9);
    cr_assert(clprop_data_has_labels(c.data));
    cr_expect_arr_eq(clprop_data_labels(c.data), labels, sizeof labels);
    finish(&c);
}

Test(csv, turns_a_label_column_into_one_hot_targets_wherever_it_is)
{
    check_label_column(1, "2,0.1,0.2\n0,0.3,0.4\n1,0.5,0.6\n");
    check_label_column(2, "x,label,y\n0.1,2,0.2\n0.3,0,0.4\n0.5,1,0.6\n");
    check_label_column(3, "0.1,0.2,2\n0.3,0.4,0\n0.5,0.6,1\n");
    check_label_column(-1, "0.1,0.2,2.0\n0.3,0.4,0\n0.5,0.6,1e0\n");
}

Test(csv, takes_the_number_of_classes_from_the_option)
{
    csv_case c = load_ok("1,0\n2,3\n", 0, -1, 5);
    expect_shape(c.data, 2, 1, 5);
    const float targets[] = {1, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    expect_floats("targets", clprop_data_target_values(c.data), targets, 10);
    finish(&c);
}

/* ---- Bad files and options --------------------------------------------------------------------- */

Test(csv, fails_on_a_row_with_the_wrong_number_of_fields)
{
    expect_failure("a,b,c,d,e\n1,2,3,4,5\n1,2,3,4\n", 1, 0, 0, CLPROP_ERROR_FORMAT, 3,
                   "row has 4 fields, expected 5");
    expect_failure("1,2,3\n\n1,2,3,4\n", 1, 0, 0, CLPROP_ERROR_FORMAT, 3,
                   "row has 4 fields, expected 3");
}

Test(csv, fails_on_a_field_that_is_not_a_number)
{
    expect_failure("a,b,c\n1,2,3\n4,abc,6\n", 1, 0, 0, CLPROP_ERROR_FORMAT, 3,
                   "field 2 \"abc\" is not a number");
    expect_failure("1,2,3\n4,,6\n", 1, 0, 0, CLPROP_ERROR_FORMAT, 2,
                   "field 2 \"\" is not a number");
    expect_failure("1,2,3\n4,5 6,7\n", 1, 0, 0, CLPROP_ERROR_FORMAT, 2,
                   "field 2 \"5 6\" is not a number");
}

Test(csv, fails_on_nan_and_infinity_naming_the_sample)
{
    expect_failure("1,2,3\n4,nan,6\n", 1, 0, 0, CLPROP_ERROR_NOT_FINITE, 2,
                   "NaN or infinity in sample 2, field 2 \"nan\"");
    expect_failure("h1,h2\n1,2\n4,-inf\n", 1, 0, 0, CLPROP_ERROR_NOT_FINITE, 3,
                   "NaN or infinity in sample 2");
    expect_failure("1,2\n1e999,2\n", 1, 0, 0, CLPROP_ERROR_NOT_FINITE, 2,
                   "beyond float32's range (largest 3.4e38) in sample 2, field 1 \"1e999\"");
    expect_failure("1,2\n-1e39,2\n", 1, 0, 0, CLPROP_ERROR_NOT_FINITE, 2,
                   "beyond float32's range (largest 3.4e38) in sample 2, field 1 \"-1e39\"");
    expect_failure("1,2\n1,INFINITY\n", 1, 0, 0, CLPROP_ERROR_NOT_FINITE, 2,
                   "NaN or infinity in sample 2, field 2");
    expect_failure("nan,2\n", 0, -1, 0, CLPROP_ERROR_NOT_FINITE, 1, "sample 1, field 1");
    expect_failure("1,inf\n", 0, -1, 0, CLPROP_ERROR_NOT_FINITE, 1, "sample 1, field 2");
}

/* A float's largest value as its shortest decimal (3.4028235e38) and as C prints it with nine
 * digits rounds to FLT_MAX and is taken; from FLT_MAX and half its last unit on, a number would
 * round to infinity and is refused. */
Test(csv, takes_the_largest_float_written_in_decimal)
{
    csv_case c = load_ok("3.4028235e38,1\n-3.40282347e38,2\n3.40282356e38,3\n", 1, 0, 0);
    const float want[] = {FLT_MAX, -FLT_MAX, FLT_MAX};
    expect_floats("inputs", clprop_data_input_values(c.data), want, 3);
    finish(&c);
    expect_failure("1,2\n3.40282357e38,2\n", 1, 0, 0, CLPROP_ERROR_NOT_FINITE, 2,
                   "beyond float32's range");
}

/* strtod reads hexadecimal; a data set's "0x1A" is a typo or an identifier, not 26. */
Test(csv, fails_on_hexadecimal_numbers)
{
    expect_failure("1,2\n0x1A,2\n", 1, 0, 0, CLPROP_ERROR_FORMAT, 2,
                   "field 1 \"0x1A\" is not a number");
    expect_failure("1,2\n1,-0X1p3\n", 1, 0, 0, CLPROP_ERROR_FORMAT, 2,
                   "field 2 \"-0X1p3\" is not a number");
}

Test(csv, fails_on_labels_that_are_not_whole_numbers_of_zero_or_more)
{
    expect_failure("1,0\n1,2.5\n", 0, -1, 0, CLPROP_ERROR_FORMAT, 2,
                   "field 2 \"2.5\" is not a class label");
    expect_failure("1,0\n1,-1\n", 0, 2, 0, CLPROP_ERROR_FORMAT, 2,
                   "field 2 \"-1\" is not a class label");
    expect_failure("1,0\n1,cat\n", 0, 2, 0, CLPROP_ERROR_FORMAT, 2,
                   "field 2 \"cat\" is not a number");
}

/* A whole number too large for a label is said to be that, not "not a class label". */
Test(csv, fails_on_labels_too_large_saying_how_large_they_may_be)
{
    expect_failure("1,0\n1,99999999999\n", 0, -1, 0, CLPROP_ERROR_FORMAT, 2,
                   "field 2 \"99999999999\" is too large for a class label (at most 4294967295)");
    expect_failure("1,0\n1,2e7\n", 0, -1, 0, CLPROP_ERROR_FORMAT, 2,
                   "field 2 \"2e7\" is too large for a class label (at most 16777215 written with "
                   "a point or an exponent; in digits alone, more)");
    expect_failure("1,0\n1,123456789012345678901234\n", 0, -1, 0, CLPROP_ERROR_FORMAT, 2,
                   "is too large for a class label (at most 4294967295)");
}

Test(csv, fails_on_a_label_outside_the_class_range)
{
    expect_failure("x,y,z,w,label\n1,2,3,4,9\n1,2,3,4,12\n", 0, -1, 10, CLPROP_ERROR_FORMAT, 3,
                   "label 12 outside the class range 0..9 (field 5)");
    expect_failure("1,70000\n", 0, -1, 0, CLPROP_ERROR_FORMAT, 1,
                   "too large to infer the number of classes");
    /* how to say there are that many, in words of the library and of the command */
    expect_failure("1,70000\n", 0, -1, 0, CLPROP_ERROR_FORMAT, 1,
                   "say how many (the source's classes; clprop train: the output layer's size, "
                   "--layers ...,N)");
}

Test(csv, fails_when_the_options_do_not_fit_the_columns)
{
    /* in words both the library's caller and the command's user read (no field names) */
    expect_failure("a,b\n1,2\n", 2, 0, 0, CLPROP_ERROR_MISMATCH, 1,
                   "rows have 2 fields, so 2 target columns leave no input column");
    expect_failure("1,2\n", 0, 3, 0, CLPROP_ERROR_MISMATCH, 1,
                   "rows have 2 fields, too few for a label in column 3 and an input column");
    expect_failure("1\n2\n", 0, -1, 0, CLPROP_ERROR_MISMATCH, 1,
                   "rows have 1 field, too few for a label in the last column and an input column");
}

/* A header names every column; a first row with numbers in it is data, and its typo or empty
 * field fails at line 1 instead of the row passing as a header and vanishing. */
Test(csv, a_first_row_with_a_number_is_data_and_its_bad_field_fails_at_line_1)
{
    expect_failure("0.5,1e\n0,1\n1,0\n", 1, 0, 0, CLPROP_ERROR_FORMAT, 1, "\"1e\"");
    expect_failure("0,,1\n0,1,1\n1,0,1\n", 1, 0, 0, CLPROP_ERROR_FORMAT, 1, "field 2");
}

Test(csv, fails_on_a_header_without_data_rows)
{
    expect_failure("a,b\n\n", 1, 0, 0, CLPROP_ERROR_FORMAT, 2, "a header row but no data rows");
}

Test(csv, fails_without_a_targets_option_saying_which_to_pass)
{
    csv_case c = load_csv("1,2\n", 0, 0, 0);
    cr_expect_eq(c.status, CLPROP_ERROR_INVALID_ARGUMENT);
    const char *message = clprop_data_message(c.data);
    cr_expect_not_null(strstr(message, c.path), "%s", message);
    cr_expect_not_null(strstr(message, "csv_targets"), "%s", message);
    cr_expect_not_null(strstr(message, "csv_label_column"), "%s", message);
    finish(&c);
}

Test(csv, fails_with_both_targets_options)
{
    csv_case c = load_csv("1,2\n", 1, 1, 0);
    cr_expect_eq(c.status, CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_not_null(strstr(clprop_data_message(c.data), "not both"), "%s",
                       clprop_data_message(c.data));
    finish(&c);
}

Test(csv, fails_on_a_missing_file_naming_it)
{
    clprop_data_source source = {.path = "/nonexistent/x.csv", .format = CLPROP_DATA_CSV,
                                 .csv_targets = 1};
    clprop_data *data = NULL;
    cr_expect_eq(clprop_data_load(&source, &data), CLPROP_ERROR_IO);
    cr_expect_str_eq(clprop_data_message(data),
                     "/nonexistent/x.csv: cannot open: No such file or directory");
    clprop_data_destroy(data);
}
