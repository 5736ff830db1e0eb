/* Helpers shared by the tests: seeded random data, comparisons that say where they differ,
 * temporary files, and running the clprop command. */
#ifndef CLPROP_TEST_SUPPORT_H
#define CLPROP_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "clprop.h"

/* A small deterministic generator so every test's data is the same on every run. */
typedef struct test_rng {
    uint64_t state;
} test_rng;

test_rng test_rng_seeded(uint64_t seed);
double test_rng_uniform(test_rng *rng, double low, double high);
void test_fill_uniform(test_rng *rng, float *values, size_t count, double low, double high);

/* Largest |got − want| divided by the largest |want| (or 1 when want is all zeros). */
double test_relative_error(const float *got, const double *want, size_t count);

/* Asserts relative error ≤ bound; on failure prints the first mismatches and the largest
 * difference with their indices, prefixed by `what`. */
void test_assert_close(const char *what, const float *got, const double *want, size_t count,
                       double bound);

/* Dropout's factors for one layer of one pass, as the device draws them (host/dropout.h): units ×
 * batch values, unit u of sample b at [u*batch + b], each 0 or 1/(1 − rate), for the reference's
 * `dropout` masks (malloc'd). `first` is the pass's first position in its step. */
double *test_dropout_factors(float rate, uint64_t seed, uint64_t step, uint32_t layer,
                             uint32_t first, size_t units, size_t batch);

/* Creates a context on the default device (or $CLPROP_DEVICE: the suite runs on any device the
 * way the command does, through host/environment) and fails the test if it can't. */
clprop_context *test_context(void);
/* The same with the description's own choices (a GEMM family, data kept on the host, ...). */
clprop_context *test_context_with(clprop_context_desc desc);

/* Asserts got and want hold the same floats bit for bit (layer `layer`'s `what`, for the
 * message). */
void test_assert_same_bits(const float *got, const float *want, size_t count, const char *what,
                           size_t layer);

/* Asserts that every layer's weights of the model file at got_path are within `bound` (relative)
 * of those of want_path (data-parallel runs against one device, say). */
void test_assert_models_close(const char *got_path, const char *want_path, double bound);

/* "dir/name", in one of four static buffers used in turn: good until the fourth call after. */
const char *test_in_dir(const char *dir, const char *name);
/* A fresh empty directory under /tmp; the caller removes it with test_remove_tree(). */
char *test_make_temp_dir(void);
void test_remove_tree(const char *path);
/* Writes text to dir/name and returns the full path (malloc'd). */
char *test_write_file(const char *dir, const char *name, const char *text);
char *test_write_bytes(const char *dir, const char *name, const void *bytes, size_t size);

/* The whole file at path, NUL-terminated (malloc'd); *size gets its length unless size is NULL.
 * Fails the test when the file cannot be read. */
char *test_read_file(const char *path, size_t *size);

/* Runs `clprop ARGS...` (the built command) with stdout and stderr captured. Returns the exit
 * status (or -1); *out and *err get malloc'd NUL-terminated text (either may be NULL). */
int test_run_command(const char *args, char **out, char **err);
/* The same with the arguments formatted as printf does; frees what *out and *err held first, so
 * a test can keep one pair for all its runs. */
int test_run_formatted(char **out, char **err, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#endif
