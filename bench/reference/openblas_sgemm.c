/* OpenBLAS's SGEMM on the GEMMs `clprop-bench kernels` times: the reference clprop's own kernels
 * are held against (bench/compare.sh). Benchmark-only: nothing in clprop links OpenBLAS.
 *
 * Build: cc -O2 -std=c11 -o openblas_sgemm bench/reference/openblas_sgemm.c -lopenblas
 *        (Debian's libopenblas-dev: -I/usr/include/x86_64-linux-gnu/openblas-pthread if cblas.h
 *        is not found)
 * Run:   env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=2 ./openblas_sgemm
 *        [--quick] [--repeat N]
 *
 * The same shapes and layouts as bench/kernels.c, all row-major and packed, C (m×n) =
 * op(A)·op(B), alpha 1, beta 0:
 *   gemm_nn  forward pass     Z (out×B)   = W (out×in) · A (in×B)
 *   gemm_tn  hidden delta     δ (in×B)    = Wᵀ · δ_next (out×B)
 *   gemm_nt  weight gradient  ∇W (out×in) = δ (out×B) · Aᵀ
 *   gemm_nt  "fwd" (first layer) Z = W · Xᵀ with X the inputs sample-major (B×in)
 *   gemm_nn  "dW" (first layer) ∇W = δ · X
 * for the layers of 784-256-128-10 at batches 32, 256, 1024, and a 1024³ square per layout.
 * Each is checked once against a double-precision loop over a sample of C's entries, then run
 * twice to warm up, then timed (wall clock) N times: the median, as the clprop bench reports.
 * Output: one JSON object per line, named as clprop-bench's ("kernel", "case", "m", "n", "k",
 * "median_s", "gflops"), plus "core": openblas_get_corename(). */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Declared by OpenBLAS's cblas.h; repeated in case another cblas.h came first. */
char *openblas_get_corename(void);
int openblas_get_num_threads(void);

#define WARMUPS 2
#define DEFAULT_REPEATS 10
#define CHECK_SAMPLES 256
#define TOLERANCE 1e-4

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static float *random_floats(size_t count, unsigned *seed)
{
    float *values = malloc(count * sizeof *values);
    if (values == NULL) {
        fprintf(stderr, "openblas_sgemm: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < count; i++) {
        *seed = *seed * 1664525u + 1013904223u;
        values[i] = (float)((*seed >> 8) * (1.0 / 16777216.0)) - 0.5f;
    }
    return values;
}

/* Norm-wise relative error of C against a double loop, on CHECK_SAMPLES entries. */
static double check(int ta, int tb, size_t m, size_t n, size_t k, const float *a, const float *b,
                    const float *c)
{
    double diff = 0.0, norm = 0.0;
    for (size_t s = 0; s < CHECK_SAMPLES; s++) {
        size_t i = (s * 7919u) % m, j = (s * 104729u) % n;
        double want = 0.0;
        for (size_t p = 0; p < k; p++) {
            double x = ta ? a[p * m + i] : a[i * k + p];
            double y = tb ? b[j * k + p] : b[p * n + j];
            want += x * y;
        }
        diff += (c[i * n + j] - want) * (c[i * n + j] - want);
        norm += want * want;
    }
    return norm > 0.0 ? sqrt(diff / norm) : sqrt(diff);
}

static int failures;

static void measure(const char *label, int ta, int tb, size_t m, size_t n, size_t k, size_t repeats)
{
    unsigned seed = 1;
    float *a = random_floats(m * k, &seed), *b = random_floats(k * n, &seed);
    float *c = random_floats(m * n, &seed);
    size_t lda = ta ? m : k, ldb = tb ? k : n;
    enum CBLAS_TRANSPOSE opa = ta ? CblasTrans : CblasNoTrans, opb = tb ? CblasTrans : CblasNoTrans;
    cblas_sgemm(CblasRowMajor, opa, opb, (int)m, (int)n, (int)k, 1.0f, a, (int)lda, b, (int)ldb,
                0.0f, c, (int)n);
    double error = check(ta, tb, m, n, k, a, b, c);
    int valid = error <= TOLERANCE;
    if (!valid) {
        fprintf(stderr, "openblas_sgemm: %s %s: relative error %g\n", label,
                ta ? (tb ? "tt" : "tn") : (tb ? "nt" : "nn"), error);
        failures++;
    }
    double *times = malloc(repeats * sizeof *times);
    for (size_t r = 0; r < WARMUPS + repeats; r++) {
        double start = now_seconds();
        cblas_sgemm(CblasRowMajor, opa, opb, (int)m, (int)n, (int)k, 1.0f, a, (int)lda, b, (int)ldb,
                    0.0f, c, (int)n);
        if (r >= WARMUPS)
            times[r - WARMUPS] = now_seconds() - start;
    }
    qsort(times, repeats, sizeof *times, compare_doubles);
    double median = times[repeats / 2];
    printf("{\"kernel\":\"gemm_%s%s\",\"case\":\"%s\",\"m\":%zu,\"n\":%zu,\"k\":%zu,"
           "\"median_s\":%.6g,\"min_s\":%.6g,\"max_s\":%.6g,\"gflops\":%.6g,\"rel_error\":%.3g,"
           "\"valid\":%s,\"repeats\":%zu,\"core\":\"%s\",\"threads\":%d}\n",
           ta ? "t" : "n", tb ? "t" : "n", label, m, n, k, median, times[0], times[repeats - 1],
           2.0 * (double)m * (double)n * (double)k / median * 1e-9, error, valid ? "true" : "false",
           repeats, openblas_get_corename(), openblas_get_num_threads());
    fflush(stdout);
    free(times);
    free(a);
    free(b);
    free(c);
}

int main(int argc, char **argv)
{
    size_t repeats = DEFAULT_REPEATS;
    int quick = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc && atoi(argv[i + 1]) > 0)
            repeats = (size_t)atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: openblas_sgemm [--quick] [--repeat N]\n");
            return 2;
        }
    }
    static const size_t network[] = {784, 256, 128, 10}, batches[] = {32, 256, 1024};
    for (size_t b = 0; b < (quick ? 1 : 3); b++) {
        size_t batch = batches[b];
        for (size_t l = 0; l < 3; l++) {
            size_t in = network[l], out = network[l + 1];
            char label[32];
            snprintf(label, sizeof label, "%zu-%zu B%zu", in, out, batch);
            measure(label, 0, 0, out, batch, in, repeats);
            measure(label, 1, 0, in, batch, out, repeats);
            measure(label, 0, 1, out, in, batch, repeats);
            if (l == 0) {
                snprintf(label, sizeof label, "%zu-%zu B%zu fwd", in, out, batch);
                measure(label, 0, 1, out, batch, in, repeats);
                snprintf(label, sizeof label, "%zu-%zu B%zu dW", in, out, batch);
                measure(label, 0, 0, out, in, batch, repeats);
            }
        }
    }
    if (!quick) {
        measure("square", 0, 0, 1024, 1024, 1024, repeats);
        measure("square", 1, 0, 1024, 1024, 1024, repeats);
        measure("square", 0, 1, 1024, 1024, 1024, repeats);
    }
    return failures > 0 ? 1 : 0;
}
