#include "support.h"
#include "dropout.h"
#include "environment.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

test_rng test_rng_seeded(uint64_t seed)
{
    test_rng rng = {seed ^ 0x9e3779b97f4a7c15ull};
    return rng;
}

/* splitmix64: tiny, and good enough for test data. */
static uint64_t next_u64(test_rng *rng)
{
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double test_rng_uniform(test_rng *rng, double low, double high)
{
    double unit = (double)(next_u64(rng) >> 11) * (1.0 / 9007199254740992.0);
    return low + (high - low) * unit;
}

void test_fill_uniform(test_rng *rng, float *values, size_t count, double low, double high)
{
    for (size_t i = 0; i < count; i++)
        values[i] = (float)test_rng_uniform(rng, low, high);
}

double test_relative_error(const float *got, const double *want, size_t count)
{
    double largest_diff = 0.0, largest_want = 0.0;
    for (size_t i = 0; i < count; i++) {
        double diff = fabs((double)got[i] - want[i]);
        if (!(diff <= largest_diff)) /* also catches NaN */
            largest_diff = isnan(diff) ? INFINITY : diff;
        if (fabs(want[i]) > largest_want)
            largest_want = fabs(want[i]);
    }
    return largest_diff / (largest_want > 0.0 ? largest_want : 1.0);
}

void test_assert_close(const char *what, const float *got, const double *want, size_t count,
                       double bound)
{
    double error = test_relative_error(got, want, count);
    if (error <= bound)
        return;
    double largest_want = 0.0;
    for (size_t i = 0; i < count; i++)
        largest_want = fmax(largest_want, fabs(want[i]));
    double scale = largest_want > 0.0 ? largest_want : 1.0;
    size_t shown = 0, worst = 0;
    for (size_t i = 0; i < count; i++) {
        double diff = fabs((double)got[i] - want[i]);
        if (diff > fabs((double)got[worst] - want[worst]) || isnan(diff))
            worst = i;
        if ((diff / scale > bound || isnan(diff)) && shown < 5) {
            cr_log_error("%s: [%zu] got %.9g, want %.9g", what, i, (double)got[i], want[i]);
            shown++;
        }
    }
    cr_assert_fail("%s: relative error %.3g > %.3g (largest at [%zu]: got %.9g, want %.9g)", what,
                   error, bound, worst, (double)got[worst], want[worst]);
}

clprop_context *test_context_with(clprop_context_desc desc)
{
    char problem[256];
    cr_assert(environment_context_desc(&desc, problem, sizeof problem), "%s", problem);
    clprop_context *context = NULL;
    clprop_status status = clprop_context_create(&desc, &context);
    cr_assert_eq(status, CLPROP_SUCCESS, "no OpenCL context: %s", clprop_context_message(context));
    return context;
}

clprop_context *test_context(void)
{
    return test_context_with((clprop_context_desc){0});
}

const char *test_in_dir(const char *dir, const char *name)
{
    static char paths[4][4200];
    static size_t next;
    char *path = paths[next++ % 4];
    snprintf(path, sizeof paths[0], "%s/%s", dir, name);
    return path;
}

char *test_make_temp_dir(void)
{
    char *path = strdup("/tmp/clprop-test-XXXXXX");
    cr_assert_not_null(mkdtemp(path), "mkdtemp failed");
    return path;
}

void test_remove_tree(const char *path)
{
    char command[4200];
    snprintf(command, sizeof command, "rm -rf '%s'", path);
    cr_expect_eq(system(command), 0);
}

char *test_write_bytes(const char *dir, const char *name, const void *bytes, size_t size)
{
    size_t length = strlen(dir) + strlen(name) + 2;
    char *path = malloc(length);
    snprintf(path, length, "%s/%s", dir, name);
    FILE *file = fopen(path, "wb");
    cr_assert_not_null(file, "cannot write %s", path);
    cr_assert_eq(fwrite(bytes, 1, size, file), size);
    fclose(file);
    return path;
}

char *test_write_file(const char *dir, const char *name, const char *text)
{
    return test_write_bytes(dir, name, text, strlen(text));
}

char *test_read_file(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    cr_assert_not_null(file, "cannot read %s", path);
    cr_assert_eq(fseek(file, 0, SEEK_END), 0, "cannot seek in %s", path);
    long length = ftell(file);
    cr_assert(length >= 0, "cannot tell the size of %s", path);
    rewind(file);
    char *bytes = malloc((size_t)length + 1);
    cr_assert_not_null(bytes);
    cr_assert_eq(fread(bytes, 1, (size_t)length, file), (size_t)length, "cannot read %s", path);
    bytes[length] = '\0';
    fclose(file);
    if (size != NULL)
        *size = (size_t)length;
    return bytes;
}

static char *slurp(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return strdup("");
    size_t capacity = 4096, length = 0;
    char *text = malloc(capacity);
    size_t got;
    while ((got = fread(text + length, 1, capacity - length - 1, file)) > 0) {
        length += got;
        if (capacity - length < 2) {
            capacity *= 2;
            text = realloc(text, capacity);
        }
    }
    text[length] = '\0';
    fclose(file);
    return text;
}

int test_run_command(const char *args, char **out, char **err)
{
    char *dir = test_make_temp_dir();
    char command[8192];
    snprintf(command, sizeof command, "%s %s >'%s/out' 2>'%s/err' </dev/null", CLPROP_COMMAND, args,
             dir, dir);
    int raw = system(command);
    char path[4200];
    if (out != NULL) {
        snprintf(path, sizeof path, "%s/out", dir);
        *out = slurp(path);
    }
    if (err != NULL) {
        snprintf(path, sizeof path, "%s/err", dir);
        *err = slurp(path);
    }
    test_remove_tree(dir);
    free(dir);
    return (raw != -1 && WIFEXITED(raw)) ? WEXITSTATUS(raw) : -1;
}

void test_assert_models_close(const char *got_path, const char *want_path, double bound)
{
    clprop_model *got = NULL, *want = NULL;
    cr_assert_eq(clprop_model_load(got_path, &got), CLPROP_SUCCESS, "%s",
                 clprop_model_message(got));
    cr_assert_eq(clprop_model_load(want_path, &want), CLPROP_SUCCESS, "%s",
                 clprop_model_message(want));
    cr_assert_eq(clprop_model_layer_count(got), clprop_model_layer_count(want));
    for (size_t l = 1; l <= clprop_model_layer_count(want); l++) {
        size_t count = clprop_model_units(want, l) * clprop_model_units(want, l - 1);
        const float *w = clprop_model_weights(want, l);
        double *wide = malloc(count * sizeof *wide);
        cr_assert_not_null(wide);
        for (size_t i = 0; i < count; i++)
            wide[i] = w[i];
        char what[200];
        snprintf(what, sizeof what, "layer %zu of %s against %s", l, got_path, want_path);
        test_assert_close(what, clprop_model_weights(got, l), wide, count, bound);
        free(wide);
    }
    clprop_model_destroy(got);
    clprop_model_destroy(want);
}

void test_assert_same_bits(const float *got, const float *want, size_t count, const char *what,
                           size_t layer)
{
    for (size_t i = 0; i < count; i++)
        cr_assert(memcmp(&got[i], &want[i], sizeof(float)) == 0,
                  "layer %zu %s [%zu]: got %.9g, want %.9g", layer, what, i, (double)got[i],
                  (double)want[i]);
}

int test_run_formatted(char **out, char **err, const char *format, ...)
{
    char args[8192];
    va_list list;
    va_start(list, format);
    vsnprintf(args, sizeof args, format, list);
    va_end(list);
    free(*out), free(*err);
    *out = *err = NULL;
    return test_run_command(args, out, err);
}

double *test_dropout_factors(float rate, uint64_t seed, uint64_t step, uint32_t layer,
                             uint32_t first, size_t units, size_t batch)
{
    clprop_dropout_mask mask = {
        .rate = rate, .seed = seed, .step = step, .layer = layer, .first = first};
    double *factors = malloc(units * batch * sizeof *factors);
    cr_assert_not_null(factors);
    for (size_t u = 0; u < units; u++)
        for (size_t b = 0; b < batch; b++)
            factors[u * batch + b] = clprop_dropout_factor(&mask, (uint32_t)u, (uint32_t)b);
    return factors;
}
