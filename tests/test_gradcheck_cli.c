/* `clprop gradcheck` end to end: it passes on the default network, on every hidden activation and
 * on softmax with cross-entropy, with and without biases; --json is one line that starts with the
 * largest relative error; bad usage is refused with one line; and, run on kernels whose sigmoid
 * derivative is deliberately wrong (loaded through CLPROP_KERNEL_DIR), it fails with an error far
 * above its tolerance. Only the command touches OpenCL, never the test process. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#define TOLERANCE 1e-3 /* what the command promises to check against */

static size_t count_lines(const char *text)
{
    size_t lines = 0;
    for (const char *c = text; *c != '\0'; c++)
        lines += *c == '\n';
    return lines;
}

/* The line of `text` that starts with `start` (malloc'd, without its newline); fails the test
 * when there is none. */
static char *line_starting(const char *text, const char *start)
{
    for (const char *line = text; *line != '\0'; line = strchr(line, '\n') + 1) {
        size_t length = strcspn(line, "\n");
        if (strncmp(line, start, strlen(start)) == 0)
            return strndup(line, length);
        if (line[length] == '\0')
            break;
    }
    cr_assert_fail("no line starts with \"%s\" in:\n%s", start, text);
    return NULL;
}

/* The value of max_rel_error in the one line --json prints; fails the test if the line is not
 * `{"max_rel_error":NUMBER,...}`. */
static double max_rel_error_of(const char *out)
{
    static const char key[] = "{\"max_rel_error\":";
    cr_assert_eq(count_lines(out), 1, "--json printed %zu lines:\n%s", count_lines(out), out);
    cr_assert_eq(strncmp(out, key, strlen(key)), 0, "--json line does not start with %s: %s",
                 key, out);
    char *end = NULL;
    double value = strtod(out + strlen(key), &end);
    cr_assert(end != out + strlen(key) && (*end == ',' || *end == '}'),
              "max_rel_error is not a number: %s", out);
    cr_assert(strcmp(end + strlen(end) - 2, "}\n") == 0, "--json line is not one object: %s",
              out);
    return value;
}

Test(gradcheck_cli, default_network_passes_and_says_so)
{
    char *out = NULL, *err = NULL;
    int code = test_run_command("gradcheck", &out, &err);
    cr_assert_eq(code, 0, "exit %d\nstdout:\n%s\nstderr:\n%s", code, out, err);
    cr_expect(strncmp(out, "device: ", 8) == 0, "no device line:\n%s", out);
    cr_expect_not_null(strstr(out, "network: 4-5-3, sigmoid hidden, linear output, mse loss"),
                       "%s", out);
    cr_expect_not_null(strstr(out, "layer 1 (4 -> 5 sigmoid): weights "), "%s", out);
    cr_expect_not_null(strstr(out, "layer 2 (5 -> 3 linear): weights "), "%s", out);
    cr_expect_not_null(strstr(out, ": PASS (tolerance 1e-03)\n"), "%s", out);
    cr_expect_null(strstr(out, "above tolerance"), "%s", out);
    free(out), free(err);
}

typedef struct gradcheck_case {
    char options[96];
} gradcheck_case;

static gradcheck_case cases[12];

ParameterizedTestParameters(gradcheck_cli, passes_on_every_activation_with_and_without_bias)
{
    static const char *const networks[] = {"--activation sigmoid",    "--activation tanh",
                                           "--activation relu",       "--activation leaky-relu",
                                           "--activation linear",     "--loss ce --layers 5,6,4,3"};
    size_t n = 0;
    for (size_t i = 0; i < sizeof networks / sizeof *networks; i++)
        for (int no_bias = 0; no_bias < 2; no_bias++)
            snprintf(cases[n++].options, sizeof cases[0].options, "%s%s --seed %zu",
                     networks[i], no_bias ? " --no-bias" : "", 3 + i);
    return cr_make_param_array(gradcheck_case, cases, n);
}

ParameterizedTest(gradcheck_case *c, gradcheck_cli, passes_on_every_activation_with_and_without_bias)
{
    char args[160], *out = NULL, *err = NULL;
    snprintf(args, sizeof args, "gradcheck --json %s", c->options);
    int code = test_run_command(args, &out, &err);
    cr_assert_eq(code, 0, "clprop %s: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out, err);
    double error = max_rel_error_of(out);
    cr_expect(error >= 0.0 && error <= TOLERANCE, "clprop %s: max_rel_error %g", args, error);
    cr_expect_not_null(strstr(out, ",\"passed\":true,"), "%s", out);
    free(out), free(err);
}

Test(gradcheck_cli, json_is_one_line_led_by_a_small_max_rel_error)
{
    char *out = NULL, *err = NULL;
    int code = test_run_command("gradcheck --json --layers 3,7,2 --batch 4", &out, &err);
    cr_assert_eq(code, 0, "exit %d\nstdout:\n%s\nstderr:\n%s", code, out, err);
    double error = max_rel_error_of(out);
    /* float32 rounding of a network this small stays near 1e-7. */
    cr_expect(error >= 0.0 && error < 1e-5, "max_rel_error %g", error);
    cr_expect_not_null(strstr(out, "\"layers\":[{\"weights\":"), "%s", out);
    free(out), free(err);
}

/* A softmax over one output unit is 1 whatever its input: every gradient 0, nothing to check.
 * It printed PASS; it is a usage error, in train too. */
Test(gradcheck_cli, a_softmax_of_one_unit_is_a_usage_error)
{
    const char *commands[] = {"gradcheck --layers 4,5,1 --output softmax",
                              "train --data " CLPROP_FANN_DIR "/xor.data --layers 2,3,1 --output "
                              "softmax --loss ce"};
    for (size_t i = 0; i < 2; i++) {
        char *out = NULL, *err = NULL;
        cr_expect_eq(test_run_command(commands[i], &out, &err), 2, "%s: %s", commands[i], err);
        cr_expect(strstr(err, "needs 2 output units or more") != NULL &&
                      strstr(out, "PASS") == NULL,
                  "%s: %s", commands[i], err);
        free(out), free(err);
    }
}

Test(gradcheck_cli, help_defines_the_relative_error)
{
    char *out = NULL;
    cr_assert_eq(test_run_command("gradcheck --help", &out, NULL), 0);
    cr_expect_not_null(strstr(out, "max|device - fd| / max(max|fd|, "), "%s", out);
    cr_expect_not_null(strstr(out, "--json"), "%s", out);
    free(out);
    cr_assert_eq(test_run_command("help", &out, NULL), 0);
    cr_expect_not_null(strstr(out, "gradcheck"), "clprop help does not list gradcheck:\n%s", out);
    free(out);
}

typedef struct usage_case {
    char args[96];
    char says[64]; /* a piece of the one-line message */
} usage_case;

static usage_case usage_cases[] = {
    {"gradcheck --layers 2", "at least an input and an output size"},
    {"gradcheck --activation swish", "unknown activation \"swish\""},
    {"gradcheck --layers 100,100,100", "20200 parameters"},
    {"gradcheck --layers 99999999999,99999999999", "--layers: layer 0: expected a number of units"},
    {"gradcheck --layers 200000,200000", "more than 20000 parameters"},
    {"gradcheck --layers 100,100,90 --batch 20", "too much work"},
    {"gradcheck --output softmax --loss mse", "go together"},
    {"gradcheck --batch 0", "--batch: must be from 1 to"},
    {"gradcheck --batch ' 3'", "--batch: expected a whole number"},
    {"gradcheck --frobnicate", "unknown option --frobnicate"},
};

ParameterizedTestParameters(gradcheck_cli, refuses_bad_usage_with_one_line)
{
    return cr_make_param_array(usage_case, usage_cases, sizeof usage_cases / sizeof *usage_cases);
}

ParameterizedTest(usage_case *c, gradcheck_cli, refuses_bad_usage_with_one_line)
{
    char *out = NULL, *err = NULL;
    int code = test_run_command(c->args, &out, &err);
    cr_expect_eq(code, 2, "clprop %s: exit %d, want 2; stderr:\n%s", c->args, code, err);
    cr_expect_eq(count_lines(err), 1, "clprop %s: stderr has %zu lines:\n%s", c->args,
                 count_lines(err), err);
    cr_expect(strncmp(err, "clprop: ", 8) == 0, "%s", err);
    cr_expect_not_null(strstr(err, c->says), "clprop %s: want \"%s\" in: %s", c->args, c->says,
                       err);
    cr_expect_str_empty(out);
    free(out), free(err);
}

/* ---- Broken kernels: the check must be able to fail ------------------------------------------- */

/* <repo>/kernels, from CLPROP_TEST_DATA_DIR = "<repo>/tests/data" (which need not exist, so the
 * path is cut rather than followed through ".."). */
static void kernel_dir(char *dir, size_t size)
{
    static const char suffix[] = "/tests/data";
    size_t length = strlen(CLPROP_TEST_DATA_DIR);
    cr_assert(length >= strlen(suffix) &&
                  strcmp(CLPROP_TEST_DATA_DIR + length - strlen(suffix), suffix) == 0,
              "CLPROP_TEST_DATA_DIR %s does not end in %s", CLPROP_TEST_DATA_DIR, suffix);
    snprintf(dir, size, "%.*s/kernels", (int)(length - strlen(suffix)), CLPROP_TEST_DATA_DIR);
}

/* A copy of kernels/ in a fresh directory, with every `from` in common.cl replaced by `to` (the
 * scalar and the vector forms of a function both carry it). */
static char *broken_kernels(const char *from, const char *to)
{
    char *dir = test_make_temp_dir(), source[4096], command[8400];
    kernel_dir(source, sizeof source);
    snprintf(command, sizeof command, "cp '%s'/*.cl '%s'", source, dir);
    cr_assert_eq(system(command), 0, "cannot copy the kernels: %s", command);
    char path[4200];
    snprintf(path, sizeof path, "%s/common.cl", dir);
    char *text = test_read_file(path, NULL);
    cr_assert_not_null(strstr(text, from), "kernels/common.cl no longer contains \"%s\"", from);
    size_t count = 0;
    for (const char *at = strstr(text, from); at != NULL; at = strstr(at + strlen(from), from))
        count++;
    char *broken = malloc(strlen(text) + count * strlen(to) + 1), *end = broken;
    const char *rest = text;
    for (const char *at = strstr(rest, from); at != NULL; at = strstr(rest, from)) {
        memcpy(end, rest, (size_t)(at - rest));
        end += at - rest;
        strcpy(end, to);
        end += strlen(to);
        rest = at + strlen(from);
    }
    strcpy(end, rest);
    free(test_write_file(dir, "common.cl", broken));
    free(text), free(broken);
    return dir;
}

Test(gradcheck_cli, fails_on_a_wrong_sigmoid_derivative)
{
    char *dir = broken_kernels("return a * (1.0f - a);", "return a * (1.0f - a) * 1.5f;");
    cr_assert_eq(setenv("CLPROP_KERNEL_DIR", dir, 1), 0);
    char *out = NULL, *err = NULL;
    int code = test_run_command("gradcheck --json", &out, &err);
    cr_expect_eq(code, 1, "exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, err);
    double error = max_rel_error_of(out);
    /* The hidden layer's gradients come out 1.5 times too large: relative error 0.5. */
    cr_expect(error > 100 * TOLERANCE, "max_rel_error %g on broken kernels", error);
    cr_expect_not_null(strstr(out, ",\"passed\":false,"), "%s", out);
    free(out), free(err);

    code = test_run_command("gradcheck --layers 3,4,4,2", &out, &err);
    cr_expect_eq(code, 1, "exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, err);
    cr_expect_not_null(strstr(out, ": FAIL (tolerance 1e-03)\n"), "%s", out);
    /* The output layer's gradient uses no derivative of a sigmoid; the hidden layers' do. */
    const char *const layers[] = {"  layer 1 (3 -> 4 sigmoid)", "  layer 2 (4 -> 4 sigmoid)",
                                  "  layer 3 (4 -> 2 linear)"};
    for (size_t l = 0; l < 3; l++) {
        char *line = line_starting(out, layers[l]);
        int marked = strstr(line, "above tolerance") != NULL;
        cr_expect_eq(marked, l < 2, "%s", line);
        free(line);
    }
    free(out), free(err);

    /* A relu network never calls the sigmoid derivative, so it still passes. */
    code = test_run_command("gradcheck --activation relu", &out, &err);
    cr_expect_eq(code, 0, "exit %d\nstdout:\n%s\nstderr:\n%s", code, out, err);
    free(out), free(err);
    test_remove_tree(dir);
    free(dir);
}
