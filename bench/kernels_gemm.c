/* clprop-bench: the three GEMM layouts of the trainer, clprop's kernels beside CLBlast's SGEMM.
 *   gemm_nn  forward pass     Z (out×B)  = W (out×in) · A (in×B)
 *   gemm_tn  hidden delta     δ (in×B)   = Wᵀ · δ_next (out×B)
 *   gemm_nt  weight gradient  ∇W (out×in) = δ (out×B) · Aᵀ (A: in×B)
 * Both backends get the same inputs and are checked against the same double reference before
 * they are timed; CLBlast compiles its kernels on first use, which is the validation run.
 *
 * Build: cmake --build build-bench -j2 --target clprop-bench
 * Run:   ./build-bench/clprop-bench kernels --quick */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "ops.h"
#include "reference.h"

/* Above this many multiply-adds the reference computes a sample of C instead of all of it. */
#define GEMM_FULL_CHECK_LIMIT ((size_t)1 << BENCH_GEMM_FULL_CHECK_LOG2)
#define GEMM_SAMPLES 1024

/* C (m×n) = op(A)·op(B) with op(A) m×k and op(B) k×n, row-major, packed. */
typedef struct gemm_problem {
    int transpose_a, transpose_b;
    size_t m, n, k;
    float *a, *b;
    double *want; /* the reference's entries of C */
    size_t *at;   /* which entries; NULL: all m·n in order */
    size_t count;
} gemm_problem;

typedef struct gemm_args {
    const gemm_problem *problem;
    cl_mem a, b, c;
} gemm_args;

static size_t leading_a(const gemm_problem *p)
{
    return p->transpose_a ? p->m : p->k;
}

static size_t leading_b(const gemm_problem *p)
{
    return p->transpose_b ? p->k : p->n;
}

static clprop_status run_gemm(clprop_context *context, clprop_message *message, const void *args)
{
    const gemm_args *g = args;
    const gemm_problem *p = g->problem;
    return clprop_op_gemm(context, message, p->transpose_a, p->transpose_b, p->m, p->n, p->k,
                          1.0f, g->a, leading_a(p), g->b, leading_b(p), 0.0f, g->c, p->n);
}

static void reference_all(gemm_problem *p, const double *a, const double *b)
{
    p->count = p->m * p->n;
    p->want = calloc(p->count, sizeof *p->want);
    if (p->want == NULL)
        bench_require(CLPROP_ERROR_OUT_OF_HOST_MEMORY, "the GEMM reference", NULL);
    clprop_ref_gemm(p->want, p->transpose_a, p->transpose_b, p->m, p->n, p->k, 1.0, a,
                    leading_a(p), b, leading_b(p), 0.0, p->n);
}

/* Entry (i, j) alone is a 1×1 GEMM of row i of op(A) and column j of op(B). */
static void reference_sample(gemm_problem *p, clprop_rng *rng, const double *a, const double *b)
{
    size_t lda = leading_a(p), ldb = leading_b(p);
    p->count = GEMM_SAMPLES;
    p->want = bench_alloc(p->count * sizeof *p->want);
    p->at = bench_alloc(p->count * sizeof *p->at);
    for (size_t s = 0; s < p->count; s++) {
        size_t i = clprop_rng_next(rng) % p->m, j = clprop_rng_next(rng) % p->n;
        const double *row = p->transpose_a ? a + i : a + i * lda;
        const double *column = p->transpose_b ? b + j * ldb : b + j;
        p->at[s] = i * p->n + j;
        p->want[s] = 0.0;
        clprop_ref_gemm(&p->want[s], p->transpose_a, p->transpose_b, 1, 1, p->k, 1.0, row, lda,
                        column, ldb, 0.0, 1);
    }
}

static gemm_problem make_problem(clprop_rng *rng, int transpose_a, int transpose_b, size_t m,
                                 size_t n, size_t k)
{
    gemm_problem p = {transpose_a, transpose_b, m, n, k, NULL, NULL, NULL, NULL, 0};
    p.a = bench_random_floats(rng, m * k, -1.0, 1.0);
    p.b = bench_random_floats(rng, k * n, -1.0, 1.0);
    double *a = bench_widen(p.a, m * k), *b = bench_widen(p.b, k * n);
    if (m * n * k > GEMM_FULL_CHECK_LIMIT)
        reference_sample(&p, rng, a, b);
    else
        reference_all(&p, a, b);
    free(a);
    free(b);
    return p;
}

static void free_problem(gemm_problem *p)
{
    free(p->a);
    free(p->b);
    free(p->want);
    free(p->at);
}

static bench_result measure_backend(bench_session *session, clprop_context *context,
                                    const gemm_problem *p, const char *what)
{
    gemm_args args = {p, bench_upload(context, p->a, p->m * p->k),
                      bench_upload(context, p->b, p->k * p->n),
                      bench_upload(context, NULL, p->m * p->n)};
    bench_op op = {run_gemm, &args, NULL, NULL, 0};
    bench_output c = {"C", args.c, p->m * p->n, p->want, p->at, p->count};
    bench_result result = bench_measure(session, context, &op, &c, 1, what);
    clReleaseMemObject(args.a);
    clReleaseMemObject(args.b);
    clReleaseMemObject(args.c);
    return result;
}

void bench_gemm(bench_session *session, const char *label, int transpose_a, int transpose_b,
                size_t m, size_t n, size_t k)
{
    static const char *const names[2][2] = {{"gemm_nn", "gemm_nt"}, {"gemm_tn", "gemm_tt"}};
    bench_gemm_row row = {label, names[transpose_a != 0][transpose_b != 0], m, n, k, {0}, {0}};
    if (!bench_selected(session, label, row.kernel))
        return;
    gemm_problem p = make_problem(&session->rng, transpose_a, transpose_b, m, n, k);
    char what[128];
    snprintf(what, sizeof what, "%s m=%zu n=%zu k=%zu (clprop)", row.kernel, m, n, k);
    row.ours = measure_backend(session, session->native, &p, what);
    snprintf(what, sizeof what, "%s m=%zu n=%zu k=%zu (CLBlast)", row.kernel, m, n, k);
    row.clblast = measure_backend(session, session->clblast, &p, what);
    bench_print_gemm_row(session, &row);
    free_problem(&p);
}
