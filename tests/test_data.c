/* The data-set object itself: creation from arrays, accessors, the handle on failure, loading
 * options and format detection. The formats have their own files (test_data_fann.c, ...). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clprop.h"
#include "support.h"

/* ---- Creating from arrays ---------------------------------------------------------------------- */

Test(data_create, copies_the_arrays)
{
    float inputs[] = {1, 2, 3, 4, 5, 6}, targets[] = {7, 8, 9};
    clprop_data *data = NULL;
    cr_assert_eq(clprop_data_create(3, 2, 1, inputs, targets, &data), CLPROP_SUCCESS, "%s",
                 clprop_data_message(data));
    inputs[0] = targets[0] = -1; /* the data set must not see this */
    cr_expect_eq(clprop_data_samples(data), 3);
    cr_expect_eq(clprop_data_inputs(data), 2);
    cr_expect_eq(clprop_data_outputs(data), 1);
    cr_expect_eq(clprop_data_input_values(data)[0], 1.0f);
    cr_expect_eq(clprop_data_input_values(data)[5], 6.0f);
    cr_expect_eq(clprop_data_target_values(data)[0], 7.0f);
    cr_expect_not(clprop_data_has_labels(data));
    cr_expect_null(clprop_data_labels(data));
    clprop_data_destroy(data);
}

Test(data_create, refuses_nan_naming_the_sample)
{
    float inputs[] = {1, 2, 3, NAN, 5, 6}, targets[] = {7, 8, 9};
    clprop_data *data = NULL;
    cr_expect_eq(clprop_data_create(3, 2, 1, inputs, targets, &data), CLPROP_ERROR_NOT_FINITE);
    cr_assert_not_null(data);
    cr_expect_not_null(strstr(clprop_data_message(data), "input_values[3] (sample 1, input 1"),
                       "%s", clprop_data_message(data));
    cr_expect_eq(clprop_data_samples(data), 0);
    clprop_data_destroy(data);
}

Test(data_create, refuses_infinity_in_the_targets)
{
    float inputs[] = {1, 2, 3, 4, 5, 6}, targets[] = {7, 8, -INFINITY};
    clprop_data *data = NULL;
    cr_expect_eq(clprop_data_create(3, 2, 1, inputs, targets, &data), CLPROP_ERROR_NOT_FINITE);
    cr_expect_not_null(strstr(clprop_data_message(data), "target_values[2] (sample 2, output 0"),
                       "%s", clprop_data_message(data));
    clprop_data_destroy(data);
}

Test(data_create, refuses_zero_sizes_and_missing_arrays)
{
    float values[] = {1, 2};
    clprop_data *data = NULL;
    cr_expect_eq(clprop_data_create(0, 1, 1, values, values, &data),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_not_null(strstr(clprop_data_message(data), "non-zero"), "%s",
                       clprop_data_message(data));
    clprop_data_destroy(data);
    cr_expect_eq(clprop_data_create(1, 0, 1, values, values, &data),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    clprop_data_destroy(data);
    cr_expect_eq(clprop_data_create(1, 1, 0, values, values, &data),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    clprop_data_destroy(data);
    cr_expect_eq(clprop_data_create(1, 1, 1, NULL, values, &data),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    clprop_data_destroy(data);
    cr_expect_eq(clprop_data_create(1, 1, 1, values, values, NULL),
                 CLPROP_ERROR_INVALID_ARGUMENT);
}

Test(data_create, refuses_sizes_that_overflow)
{
    float values[] = {1, 2};
    clprop_data *data = NULL;
    cr_expect_eq(clprop_data_create(SIZE_MAX / 2, 3, 1, values, values, &data),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    clprop_data_destroy(data);
}

Test(data, accepts_null_in_destroy_and_the_accessors)
{
    clprop_data_destroy(NULL);
    cr_expect_eq(clprop_data_samples(NULL), 0);
    cr_expect_eq(clprop_data_inputs(NULL), 0);
    cr_expect_eq(clprop_data_outputs(NULL), 0);
    cr_expect_null(clprop_data_input_values(NULL));
    cr_expect_null(clprop_data_target_values(NULL));
    cr_expect_null(clprop_data_labels(NULL));
    cr_expect_not(clprop_data_has_labels(NULL));
    cr_expect_not_null(clprop_data_message(NULL));
}

/* ---- Loading options and detection ------------------------------------------------------------- */

static clprop_status load_source(clprop_data_source source, const char *text, char **message,
                                 size_t *outputs)
{
    char *dir = test_make_temp_dir();
    char *path = test_write_file(dir, "x.txt", text);
    source.path = path;
    clprop_data *data = NULL;
    clprop_status status = clprop_data_load(&source, &data);
    cr_assert_not_null(data);
    *message = strdup(clprop_data_message(data));
    if (outputs != NULL)
        *outputs = clprop_data_outputs(data);
    clprop_data_destroy(data);
    test_remove_tree(dir);
    free(dir);
    free(path);
    return status;
}

Test(data, refuses_a_missing_source_or_path)
{
    clprop_data *data = NULL;
    cr_expect_eq(clprop_data_load(NULL, &data), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_not_null(strstr(clprop_data_message(data), "path"), "%s",
                       clprop_data_message(data));
    clprop_data_destroy(data);
    clprop_data_source source = {.path = NULL};
    cr_expect_eq(clprop_data_load(&source, &data), CLPROP_ERROR_INVALID_ARGUMENT);
    clprop_data_destroy(data);
    cr_expect_eq(clprop_data_load(&source, NULL), CLPROP_ERROR_INVALID_ARGUMENT);
}

Test(data, a_message_is_one_line_whatever_the_file_name)
{
    clprop_data *data = NULL;
    clprop_data_source source = {.path = "/nonexistent/first\nsecond\x1b[2J.data"};
    cr_expect_eq(clprop_data_load(&source, &data), CLPROP_ERROR_IO);
    const char *message = clprop_data_message(data);
    cr_expect(strchr(message, '\n') == NULL && strchr(message, '\x1b') == NULL, "%s", message);
    cr_expect_not_null(strstr(message, "first\\x0asecond\\x1b[2J.data: cannot open"), "%s",
                       message);
    clprop_data_destroy(data);
}

Test(data, detects_fann_by_its_header_and_csv_otherwise)
{
    char *message;
    size_t outputs;
    cr_expect_eq(load_source((clprop_data_source){0}, "1 1 2\n0 1 1\n", &message, &outputs),
                 CLPROP_SUCCESS, "%s", message);
    cr_expect_eq(outputs, 2, "read as FANN");
    free(message);
    cr_expect_eq(load_source((clprop_data_source){.csv_targets = 1}, "1,1,2\n0,1,1\n", &message,
                             &outputs),
                 CLPROP_SUCCESS, "%s", message);
    cr_expect_eq(outputs, 1, "read as CSV");
    free(message);
}

Test(data, picks_csv_when_a_csv_option_is_given)
{
    char *message;
    /* A FANN file, but the option says CSV: its rows are one field each, too few for a label. */
    cr_expect_eq(load_source((clprop_data_source){.csv_label_column = 1}, "1 1 1\n0 1\n",
                             &message, NULL),
                 CLPROP_ERROR_MISMATCH, "%s", message);
    cr_expect_not_null(strstr(message, "x.txt:1: rows have 1 field"), "%s", message);
    free(message);
}

Test(data, says_which_option_csv_needs)
{
    char *message;
    cr_expect_eq(load_source((clprop_data_source){0}, "a,b\n1,2\n", &message, NULL),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_not_null(strstr(message, "csv_targets"), "%s", message);
    cr_expect_not_null(strstr(message, "csv_label_column"), "%s", message);
    cr_expect_not_null(strstr(message, "x.txt"), "%s", message);
    free(message);
}

Test(data, refuses_options_that_do_not_fit_the_format)
{
    char *message;
    cr_expect_eq(load_source((clprop_data_source){.format = CLPROP_DATA_FANN, .csv_targets = 1},
                             "1 1 1\n1 2\n", &message, NULL),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_not_null(strstr(message, "apply to CSV files"), "%s", message);
    free(message);
    cr_expect_eq(load_source((clprop_data_source){.labels_path = "labels.idx"}, "1 1 1\n1 2\n",
                             &message, NULL),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect_not_null(strstr(message, "labels_path"), "%s", message);
    free(message);
    cr_expect_eq(load_source((clprop_data_source){.csv_label_column = -2}, "1,2\n", &message,
                             NULL),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    free(message);
    cr_expect_eq(load_source((clprop_data_source){.format = (clprop_data_format)9}, "1,2\n",
                             &message, NULL),
                 CLPROP_ERROR_INVALID_ARGUMENT);
    free(message);
}

Test(data, fails_on_an_empty_file_whatever_the_format)
{
    char *message;
    cr_expect_eq(load_source((clprop_data_source){0}, "", &message, NULL), CLPROP_ERROR_FORMAT);
    cr_expect_not_null(strstr(message, "empty"), "%s", message);
    free(message);
    cr_expect_eq(load_source((clprop_data_source){.csv_targets = 1}, "\n\n", &message, NULL),
                 CLPROP_ERROR_FORMAT);
    cr_expect_not_null(strstr(message, "empty"), "%s", message);
    free(message);
}

Test(data, a_subset_keeps_the_chosen_samples_in_order_with_their_labels)
{
    const float inputs[] = {0, 1, 10, 11, 20, 21, 30, 31};
    const float targets[] = {1, 0, 0, 1, 1, 0, 0, 1};
    clprop_data *data = NULL, *subset = NULL;
    cr_assert_eq(clprop_data_create(4, 2, 2, inputs, targets, &data), CLPROP_SUCCESS);
    const size_t indices[] = {3, 1};
    cr_assert_eq(clprop_data_subset(data, indices, 2, &subset), CLPROP_SUCCESS);
    cr_expect_eq(clprop_data_samples(subset), 2);
    const float want_inputs[] = {30, 31, 10, 11}, want_targets[] = {0, 1, 0, 1};
    cr_expect_arr_eq(clprop_data_input_values(subset), want_inputs, sizeof want_inputs);
    cr_expect_arr_eq(clprop_data_target_values(subset), want_targets, sizeof want_targets);
    clprop_data_destroy(subset);
    const size_t past[] = {4};
    cr_expect_eq(clprop_data_subset(data, past, 1, &subset), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_data_message(subset), "index 4") != NULL);
    clprop_data_destroy(subset);
    clprop_data_destroy(data);
}
