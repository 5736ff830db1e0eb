/* Every kernel against the double-precision reference on random data, at awkward sizes (1, 3,
 * 17, 33, 257) and batches (1, 5, 67: eight-sample vectors and a tail of three), relative error
 * at most 1e-5. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>
#include <string.h>

#include "device_buffers.h"
#include "gemm.h"
#include "ops.h"
#include "reference.h"
#include "support.h"

#define BOUND 1e-5

typedef struct shape {
    size_t units, other, batch; /* other: the second matrix dimension where a kernel has one */
} shape;

static const size_t sizes[] = {1, 3, 17, 33, 257};
static const size_t batches[] = {1, 5, 67};

/* Every size with every batch; `other` runs through the sizes in a different order so that
 * square and non-square shapes both occur. */
static shape shapes[15];

static shape *all_shapes(size_t *count)
{
    size_t n = 0;
    for (size_t s = 0; s < 5; s++)
        for (size_t b = 0; b < 3; b++)
            shapes[n++] = (shape){sizes[s], sizes[(s + 2 * b + 1) % 5], batches[b]};
    *count = n;
    return shapes;
}

/* The parameters of a test that runs at every shape. */
#define EVERY_SHAPE(test)                                                                          \
    ParameterizedTestParameters(kernels, test)                                                     \
    {                                                                                              \
        size_t count;                                                                              \
        shape *all = all_shapes(&count);                                                           \
        return cr_make_param_array(shape, all, count);                                             \
    }

EVERY_SHAPE(gemm_layouts_match_the_reference)

/* One layout at one shape: c = alpha·op(a)·op(b) + beta·c. */
static void check_gemm(clprop_context *context, int ta, int tb, size_t m, size_t n, size_t k,
                       float alpha, float beta, uint64_t seed)
{
    test_rng rng = test_rng_seeded(seed);
    size_t a_count = m * k, b_count = k * n, c_count = m * n;
    float *a = malloc(a_count * 4), *b = malloc(b_count * 4), *c = malloc(c_count * 4);
    test_fill_uniform(&rng, a, a_count, -1, 1);
    test_fill_uniform(&rng, b, b_count, -1, 1);
    test_fill_uniform(&rng, c, c_count, -1, 1);
    size_t lda = ta ? m : k, ldb = tb ? k : n;
    double *wa = clprop_ref_widen(a, a_count), *wb = clprop_ref_widen(b, b_count);
    double *want = clprop_ref_widen(c, c_count);
    clprop_ref_gemm(want, ta, tb, m, n, k, alpha, wa, lda, wb, ldb, beta, n);

    cl_mem da = test_buffer(context, a, a_count), db = test_buffer(context, b, b_count);
    cl_mem dc = test_buffer(context, c, c_count);
    clprop_message message = {{0}};
    clprop_status status =
        clprop_op_gemm(context, &message, ta, tb, m, n, k, alpha, da, lda, db, ldb, beta, dc, n);
    cr_assert_eq(status, CLPROP_SUCCESS, "%s", message.text);
    test_read(context, dc, c, c_count);
    char what[128];
    snprintf(what, sizeof what, "gemm %c%c m=%zu n=%zu k=%zu beta=%g", ta ? 't' : 'n',
             tb ? 't' : 'n', m, n, k, (double)beta);
    test_assert_close(what, c, want, c_count, BOUND);
    clReleaseMemObject(da);
    clReleaseMemObject(db);
    clReleaseMemObject(dc);
    free(a), free(b), free(c), free(wa), free(wb), free(want);
}

/* The three layouts as the trainer uses them (forward Z = W·A, out×in · in×B; hidden delta
 * Wᵀ·δ; gradient δ·Aᵀ, out×B · B×in), then each again with other shapes, alpha and beta. */
static void check_gemm_layouts(clprop_context *context, const shape *s)
{
    check_gemm(context, 0, 0, s->units, s->batch, s->other, 1.0f, 0.0f, 1);
    check_gemm(context, 1, 0, s->other, s->batch, s->units, 1.0f, 0.0f, 2);
    check_gemm(context, 0, 1, s->units, s->other, s->batch, 1.0f, 0.0f, 3);
    check_gemm(context, 0, 0, s->units, s->batch, s->other, -0.5f, 0.75f, 4);
    check_gemm(context, 1, 0, s->other, s->units, s->batch, 2.0f, -1.0f, 5);
    check_gemm(context, 0, 1, s->batch, s->other, s->units, 1.0f, 0.5f, 6);
}

ParameterizedTest(shape *s, kernels, gemm_layouts_match_the_reference)
{
    clprop_context *context = test_context();
    check_gemm_layouts(context, s);
    clprop_context_destroy(context);
}

/* The portable GEMM family and the GPU family, forced on this CPU device. */
static clprop_context *context_with_family(clprop_gemm_family family)
{
    return test_context_with((clprop_context_desc){.tuning = {.family = family}});
}

EVERY_SHAPE(gpu_gemm_family_matches_the_reference)

ParameterizedTest(shape *s, kernels, gpu_gemm_family_matches_the_reference)
{
    clprop_context *context = context_with_family(CLPROP_GEMM_FAMILY_GPU);
    cr_assert_eq(context->tuning.family, CLPROP_GEMM_FAMILY_GPU);
    check_gemm_layouts(context, s);
    clprop_context_destroy(context);
}

EVERY_SHAPE(generic_gemm_family_matches_the_reference)

ParameterizedTest(shape *s, kernels, generic_gemm_family_matches_the_reference)
{
    clprop_context *context = context_with_family(CLPROP_GEMM_FAMILY_GENERIC);
    cr_assert_eq(context->tuning.family, CLPROP_GEMM_FAMILY_GENERIC);
    check_gemm_layouts(context, s);
    clprop_context_destroy(context);
}

/* Outputs a = f(z) in the range each activation produces, both sides of ReLU's kink included. */
static void fill_outputs(test_rng *rng, float *a, size_t count, clprop_activation activation)
{
    if (activation == CLPROP_ACTIVATION_SIGMOID || activation == CLPROP_ACTIVATION_SOFTMAX)
        test_fill_uniform(rng, a, count, 0.01, 0.99);
    else
        test_fill_uniform(rng, a, count, -0.99, 0.99);
}

/* The reference of an epilogue on c (m × n) = the product: bias, then f into `other`, or f′ from
 * `other` (a = f(z)); the row sums of op(a) into row_sums. */
static void reference_epilogue(double *c, double *other, double *row_sums, const double *bias,
                               const double *wide_a, int ta, size_t m, size_t n, size_t k,
                               int flags, clprop_activation activation, float alpha, float beta)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            double *value = &c[i * n + j];
            if (flags & CLPROP_EPILOGUE_BIAS)
                *value += bias[i];
            if (flags & CLPROP_EPILOGUE_DERIVATIVE)
                *value *= clprop_ref_derivative_from_output(activation, other[i * n + j]);
            if (flags & CLPROP_EPILOGUE_ACTIVATE)
                other[i * n + j] = clprop_ref_activate(activation, *value);
        }
    if (flags & CLPROP_EPILOGUE_ROW_SUMS)
        for (size_t i = 0; i < m; i++) {
            double sum = 0.0;
            for (size_t p = 0; p < k; p++)
                sum += ta ? wide_a[p * m + i] : wide_a[i * k + p];
            row_sums[i] = alpha * sum + beta * row_sums[i];
        }
}

typedef struct fused_case {
    int ta, tb;
    size_t m, n, k;
    int flags;
    clprop_activation activation;
    float alpha, beta;
} fused_case;

/* One product with an epilogue against the reference: C, `other` and the row sums. */
static void check_fused(clprop_context *context, const fused_case *f, uint64_t seed)
{
    test_rng rng = test_rng_seeded(seed);
    size_t a_count = f->m * f->k, b_count = f->k * f->n, c_count = f->m * f->n;
    float *a = malloc(a_count * 4 + 4), *b = malloc(b_count * 4 + 4), *c = malloc(c_count * 4 + 4);
    float *other = malloc(c_count * 4 + 4), *bias = malloc(f->m * 4), *sums = malloc(f->m * 4);
    test_fill_uniform(&rng, a, a_count, -1, 1);
    test_fill_uniform(&rng, b, b_count, -1, 1);
    test_fill_uniform(&rng, c, c_count, -1, 1);
    test_fill_uniform(&rng, bias, f->m, -1, 1);
    test_fill_uniform(&rng, sums, f->m, -1, 1);
    fill_outputs(&rng, other, c_count, f->activation);
    size_t lda = f->ta ? f->m : f->k, ldb = f->tb ? f->k : f->n;
    double *wa = clprop_ref_widen(a, a_count), *wb = clprop_ref_widen(b, b_count);
    double *want = clprop_ref_widen(c, c_count), *want_other = clprop_ref_widen(other, c_count);
    double *wbias = clprop_ref_widen(bias, f->m), *want_sums = clprop_ref_widen(sums, f->m);
    clprop_ref_gemm(want, f->ta, f->tb, f->m, f->n, f->k, f->alpha, wa, lda, wb, ldb, f->beta,
                    f->n);
    reference_epilogue(want, want_other, want_sums, wbias, wa, f->ta, f->m, f->n, f->k, f->flags,
                       f->activation, f->alpha, f->beta);
    cl_mem da = test_buffer(context, a, a_count), db = test_buffer(context, b, b_count);
    cl_mem dc = test_buffer(context, c, c_count), dother = test_buffer(context, other, c_count);
    cl_mem dbias = test_buffer(context, bias, f->m), dsums = test_buffer(context, sums, f->m);
    clprop_gemm_epilogue epilogue = {f->flags, dbias, dother, f->activation, dsums};
    clprop_message message = {{0}};
    cr_assert_eq(clprop_op_gemm_fused(context, &message, f->ta, f->tb, f->m, f->n, f->k, f->alpha,
                                      da, lda, db, ldb, f->beta, dc, f->n, &epilogue),
                 CLPROP_SUCCESS, "%s", message.text);
    test_read(context, dc, c, c_count);
    test_read(context, dother, other, c_count);
    test_read(context, dsums, sums, f->m);
    char what[160];
    snprintf(what, sizeof what, "gemm %c%c m=%zu n=%zu k=%zu epilogue %d %s", f->ta ? 't' : 'n',
             f->tb ? 't' : 'n', f->m, f->n, f->k, f->flags, clprop_activation_name(f->activation));
    test_assert_close(what, c, want, c_count, BOUND);
    test_assert_close("the epilogue's other matrix", other, want_other, c_count, BOUND);
    test_assert_close("the epilogue's row sums", sums, want_sums, f->m, BOUND);
    clReleaseMemObject(da), clReleaseMemObject(db), clReleaseMemObject(dc);
    clReleaseMemObject(dother), clReleaseMemObject(dbias), clReleaseMemObject(dsums);
    free(a), free(b), free(c), free(other), free(bias), free(sums);
    free(wa), free(wb), free(want), free(want_other), free(wbias), free(want_sums);
}

/* The epilogues as the passes use them — forward (bias, activation; W·A and W·Xᵀ), hidden delta
 * (Wᵀ·δ ⊙ f′) and gradient (δ·Aᵀ and δ·X with the bias gradient) — for every activation, then
 * with other alpha and beta (`dense_only`: the CLBlast backend, whose separate kernels take
 * alpha 1 and beta 0 for the row sums). */
static void check_epilogues(clprop_context *context, const shape *s, int dense_only)
{
    const clprop_activation activations[] = {CLPROP_ACTIVATION_SIGMOID, CLPROP_ACTIVATION_LINEAR,
                                             CLPROP_ACTIVATION_TANH, CLPROP_ACTIVATION_RELU,
                                             CLPROP_ACTIVATION_LEAKY_RELU};
    const int bias_activate = CLPROP_EPILOGUE_BIAS | CLPROP_EPILOGUE_ACTIVATE;
    size_t u = s->units, o = s->other, b = s->batch;
    for (size_t i = 0; i < 5; i++) {
        clprop_activation f = activations[i];
        const fused_case cases[] = {
            {0, 0, u, b, o, bias_activate, f, 1.0f, 0.0f},
            {0, 1, u, b, o, bias_activate, f, 1.0f, 0.0f},
            {0, 0, u, b, o, CLPROP_EPILOGUE_ACTIVATE, f, 1.0f, 0.0f},
            {1, 0, o, b, u, CLPROP_EPILOGUE_DERIVATIVE, f, 1.0f, 0.0f},
        };
        for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
            check_fused(context, &cases[c], 100 + 10 * i + c);
    }
    const fused_case others[] = {
        {0, 0, u, b, o, CLPROP_EPILOGUE_BIAS, CLPROP_ACTIVATION_SOFTMAX, 1.0f, 0.0f},
        {0, 1, u, o, b, CLPROP_EPILOGUE_ROW_SUMS, CLPROP_ACTIVATION_LINEAR, 1.0f, 0.0f},
        {0, 0, u, o, b, CLPROP_EPILOGUE_ROW_SUMS, CLPROP_ACTIVATION_LINEAR, 1.0f, 0.0f},
        {0, 0, u, b, o, bias_activate, CLPROP_ACTIVATION_SIGMOID, -0.5f, 0.75f},
        {1, 0, o, b, u, CLPROP_EPILOGUE_DERIVATIVE, CLPROP_ACTIVATION_TANH, 2.0f, -1.0f},
        {0, 1, u, o, b, CLPROP_EPILOGUE_ROW_SUMS, CLPROP_ACTIVATION_LINEAR, -0.5f, 0.5f},
        {1, 0, o, u, b, CLPROP_EPILOGUE_ROW_SUMS, CLPROP_ACTIVATION_LINEAR, 1.0f, 0.0f},
    };
    size_t count = dense_only ? 3 : sizeof others / sizeof *others;
    for (size_t c = 0; c < count; c++)
        check_fused(context, &others[c], 200 + c);
}

EVERY_SHAPE(gemm_epilogues_match_the_reference)

/* Every family's epilogue: generic, GPU, the CPU family's panel kernel (K in blocks of 16, so the
 * epilogue must wait for the last block and the row sums add up over blocks) and its in-place
 * one, each with vectors of 8 and of 16 lanes. */
ParameterizedTest(shape *s, kernels, gemm_epilogues_match_the_reference)
{
    const clprop_gemm_tuning tunings[] = {
        {.family = CLPROP_GEMM_FAMILY_GENERIC},
        {.family = CLPROP_GEMM_FAMILY_GPU},
        {.cpu_panels = CLPROP_CPU_PANELS_ALWAYS, .cpu_kblock = 16, .cpu_vector = 8},
        {.cpu_panels = CLPROP_CPU_PANELS_ALWAYS, .cpu_kblock = 16, .cpu_vector = 16},
        {.cpu_panels = CLPROP_CPU_PANELS_NEVER, .cpu_vector = 8},
        {.cpu_panels = CLPROP_CPU_PANELS_NEVER, .cpu_vector = 16},
    };
    for (size_t t = 0; t < sizeof tunings / sizeof *tunings; t++) {
        clprop_context *context = test_context_with((clprop_context_desc){.tuning = tunings[t]});
        check_epilogues(context, s, 0);
        clprop_context_destroy(context);
    }
}

/* With CLBlast the epilogue runs in the element-wise kernels after its product: the same
 * results (one awkward shape; CLBlast compiles slowly on PoCL). */
Test(kernels, gemm_epilogues_after_clblast_match_the_reference, .timeout = 240)
{
    clprop_context *context = test_context_with((clprop_context_desc){.gemm = CLPROP_GEMM_CLBLAST});
    const shape awkward = {17, 33, 5};
    check_epilogues(context, &awkward, 1);
    clprop_context_destroy(context);
}

/* An epilogue that lacks a buffer, or asks for a softmax, is refused, not run. */
Test(kernels, an_impossible_gemm_epilogue_is_refused)
{
    clprop_context *context = test_context();
    cl_mem c = test_buffer(context, NULL, 4);
    clprop_message message = {{0}};
    const clprop_gemm_epilogue bad[] = {
        {CLPROP_EPILOGUE_BIAS, NULL, NULL, CLPROP_ACTIVATION_LINEAR, NULL},
        {CLPROP_EPILOGUE_ACTIVATE, NULL, c, CLPROP_ACTIVATION_SOFTMAX, NULL},
        {CLPROP_EPILOGUE_ROW_SUMS, NULL, NULL, CLPROP_ACTIVATION_LINEAR, NULL},
        {CLPROP_EPILOGUE_ACTIVATE | CLPROP_EPILOGUE_DERIVATIVE, NULL, c, CLPROP_ACTIVATION_RELU,
         NULL},
    };
    for (size_t i = 0; i < 4; i++)
        cr_expect_eq(clprop_op_gemm_fused(context, &message, 0, 0, 2, 2, 1, 1.0f, c, 1, c, 2, 0.0f,
                                          c, 2, &bad[i]),
                     CLPROP_ERROR_INVALID_ARGUMENT, "epilogue %zu", i);
    cr_expect(strstr(message.text, "either activates or takes a derivative") != NULL, "%s",
              message.text);
    clReleaseMemObject(c);
    clprop_context_destroy(context);
}

EVERY_SHAPE(elementwise_kernels_match_the_reference)

static void check_bias_activate(clprop_context *context, const shape *s,
                                clprop_activation activation, int with_bias)
{
    size_t count = s->units * s->batch;
    test_rng rng = test_rng_seeded(10 + activation);
    float *z = malloc(count * 4), *a = malloc(count * 4), bias[257];
    test_fill_uniform(&rng, z, count, -6, 6);
    test_fill_uniform(&rng, bias, s->units, -1, 1);
    double *want_z = clprop_ref_widen(z, count), *want_a = calloc(count, sizeof(double));
    double *wide_bias = clprop_ref_widen(bias, s->units);
    clprop_ref_bias_activate(want_z, want_a, with_bias ? wide_bias : NULL, activation, s->units,
                             s->batch);
    cl_mem dz = test_buffer(context, z, count), da = test_buffer(context, NULL, count);
    cl_mem db = test_buffer(context, bias, s->units);
    clprop_message message = {{0}};
    cr_assert_eq(clprop_op_bias_activate(context, &message, dz, da, with_bias ? db : NULL,
                                         activation, s->units, s->batch),
                 CLPROP_SUCCESS, "%s", message.text);
    test_read(context, dz, z, count);
    test_read(context, da, a, count);
    char what[96];
    snprintf(what, sizeof what, "%s%s units=%zu batch=%zu: z", clprop_activation_name(activation),
             with_bias ? "+bias" : "", s->units, s->batch);
    test_assert_close(what, z, want_z, count, BOUND);
    snprintf(what, sizeof what, "%s%s units=%zu batch=%zu: a", clprop_activation_name(activation),
             with_bias ? "+bias" : "", s->units, s->batch);
    test_assert_close(what, a, want_a, count, BOUND);
    clReleaseMemObject(dz), clReleaseMemObject(da), clReleaseMemObject(db);
    free(z), free(a), free(want_z), free(want_a), free(wide_bias);
}

/* A softmax output whose z the forward product left: the figures' launch makes y = softmax(z),
 * then its figures and delta from that y, as from bias_softmax's. */
static void check_softmax_in_figures(clprop_context *context, const shape *s, cl_mem dt,
                                     clprop_loss loss)
{
    size_t count = s->units * s->batch;
    test_rng rng = test_rng_seeded(25);
    float *z = malloc(count * 4), *y = malloc(count * 4), *t = malloc(count * 4);
    float *delta = malloc(count * 4), *figure = malloc(s->batch * 4);
    test_fill_uniform(&rng, z, count, -6, 6);
    test_read(context, dt, t, count);
    double *want_z = clprop_ref_widen(z, count), *want_y = calloc(count, sizeof(double));
    double *wt = clprop_ref_widen(t, count), *want_delta = calloc(count, sizeof(double));
    double *want_loss = calloc(s->batch, sizeof(double)), *squared = calloc(s->batch, 8);
    double *correct = calloc(s->batch, sizeof(double));
    clprop_ref_bias_activate(want_z, want_y, NULL, CLPROP_ACTIVATION_SOFTMAX, s->units, s->batch);
    clprop_ref_output_delta(want_delta, want_y, wt, CLPROP_ACTIVATION_SOFTMAX, loss, s->units,
                            s->batch);
    clprop_ref_sample_loss(want_loss, squared, correct, want_y, wt, loss, s->units, s->batch);
    cl_mem dz = test_buffer(context, z, count), dy = test_buffer(context, NULL, count);
    cl_mem dd = test_buffer(context, NULL, count), dl = test_buffer(context, NULL, s->batch);
    cl_mem dsq = test_buffer(context, NULL, s->batch), dc = test_buffer(context, NULL, s->batch);
    clprop_message message = {{0}};
    cr_assert_eq(clprop_op_sample_loss(context, &message, dl, dsq, dc, 0, dy, dt, loss, s->units,
                                       s->batch, dd, CLPROP_ACTIVATION_SOFTMAX, dz),
                 CLPROP_SUCCESS, "%s", message.text);
    test_read(context, dy, y, count);
    test_read(context, dd, delta, count);
    test_read(context, dl, figure, s->batch);
    test_assert_close("softmax in the figures' launch", y, want_y, count, BOUND);
    test_assert_close("its output delta", delta, want_delta, count, BOUND);
    test_assert_close("its loss", figure, want_loss, s->batch, BOUND);
    clReleaseMemObject(dz), clReleaseMemObject(dy), clReleaseMemObject(dd);
    clReleaseMemObject(dl), clReleaseMemObject(dsq), clReleaseMemObject(dc);
    free(z), free(y), free(t), free(delta), free(figure), free(want_z), free(want_y), free(wt);
    free(want_delta), free(want_loss), free(squared), free(correct);
}

static void check_output_delta(clprop_context *context, const shape *s,
                               clprop_activation activation, clprop_loss loss)
{
    size_t count = s->units * s->batch;
    test_rng rng = test_rng_seeded(20 + activation + 3 * loss);
    float *y = malloc(count * 4), *t = malloc(count * 4), *got = malloc(count * 4);
    float *got_loss = malloc(s->batch * 4), *got_squared = malloc(s->batch * 4);
    float *got_correct = malloc(s->batch * 4);
    fill_outputs(&rng, y, count, activation);
    test_fill_uniform(&rng, t, count, 0, 1);
    double *wy = clprop_ref_widen(y, count), *wt = clprop_ref_widen(t, count);
    double *want = calloc(count, sizeof(double)), *want_loss = calloc(s->batch, sizeof(double));
    double *want_squared = calloc(s->batch, sizeof(double));
    double *want_correct = calloc(s->batch, sizeof(double));
    clprop_ref_output_delta(want, wy, wt, activation, loss, s->units, s->batch);
    clprop_ref_sample_loss(want_loss, want_squared, want_correct, wy, wt, loss, s->units, s->batch);
    cl_mem dy = test_buffer(context, y, count), dt = test_buffer(context, t, count);
    cl_mem dd = test_buffer(context, NULL, count), dl = test_buffer(context, NULL, s->batch + 2);
    cl_mem dsq = test_buffer(context, NULL, s->batch + 2);
    cl_mem dc = test_buffer(context, NULL, s->batch + 2);
    clprop_message message = {{0}};
    cr_assert_eq(
        clprop_op_output_delta(context, &message, dd, dy, dt, activation, loss, s->units, s->batch),
        CLPROP_SUCCESS, "%s", message.text);
    test_read(context, dd, got, count);
    /* written at an offset, as an epoch does, and with the output delta as a training pass asks:
     * the same delta, bit for bit */
    cl_mem fused = test_buffer(context, NULL, count);
    cr_assert_eq(clprop_op_sample_loss(context, &message, dl, dsq, dc, 2, dy, dt, loss, s->units,
                                       s->batch, fused, activation, NULL),
                 CLPROP_SUCCESS, "%s", message.text);
    float *got_fused = malloc(count * 4);
    test_read(context, fused, got_fused, count);
    cr_expect_arr_eq(got_fused, got, count * 4, "the fused output delta differs");
    free(got_fused);
    clReleaseMemObject(fused);
    if (activation == CLPROP_ACTIVATION_SOFTMAX)
        check_softmax_in_figures(context, s, dt, loss);
    float *offset_figures = malloc((s->batch + 2) * 4);
    test_read(context, dl, offset_figures, s->batch + 2);
    memcpy(got_loss, offset_figures + 2, s->batch * 4);
    test_read(context, dsq, offset_figures, s->batch + 2);
    memcpy(got_squared, offset_figures + 2, s->batch * 4);
    test_read(context, dc, offset_figures, s->batch + 2);
    memcpy(got_correct, offset_figures + 2, s->batch * 4);
    free(offset_figures);
    char what[96];
    snprintf(what, sizeof what, "output delta %s/%s units=%zu batch=%zu",
             clprop_activation_name(activation), clprop_loss_name(loss), s->units, s->batch);
    test_assert_close(what, got, want, count, BOUND);
    snprintf(what, sizeof what, "sample loss %s units=%zu batch=%zu", clprop_loss_name(loss),
             s->units, s->batch);
    test_assert_close(what, got_loss, want_loss, s->batch, BOUND);
    test_assert_close("squared error", got_squared, want_squared, s->batch, BOUND);
    for (size_t b = 0; b < s->batch; b++)
        cr_assert_eq(got_correct[b], want_correct[b], "correct flag of sample %zu", b);
    clReleaseMemObject(dy), clReleaseMemObject(dt), clReleaseMemObject(dd);
    clReleaseMemObject(dl), clReleaseMemObject(dsq), clReleaseMemObject(dc);
    free(y), free(t), free(got), free(got_loss), free(wy), free(wt), free(want), free(want_loss);
    free(got_squared), free(got_correct), free(want_squared), free(want_correct);
}

static void check_hidden_delta_and_bias_gradient(clprop_context *context, const shape *s,
                                                 clprop_activation activation)
{
    size_t count = s->units * s->batch;
    test_rng rng = test_rng_seeded(30 + activation);
    float *delta = malloc(count * 4), *a = malloc(count * 4), gradient[257];
    test_fill_uniform(&rng, delta, count, -1, 1);
    fill_outputs(&rng, a, count, activation);
    double *want = clprop_ref_widen(delta, count), *wa = clprop_ref_widen(a, count);
    clprop_ref_scale_by_derivative(want, wa, activation, s->units, s->batch);
    double want_gradient[257];
    clprop_ref_bias_gradient(want_gradient, want, s->units, s->batch);
    cl_mem dd = test_buffer(context, delta, count), da = test_buffer(context, a, count);
    cl_mem dg = test_buffer(context, NULL, s->units);
    clprop_message message = {{0}};
    cr_assert_eq(
        clprop_op_scale_by_derivative(context, &message, dd, da, activation, s->units, s->batch),
        CLPROP_SUCCESS, "%s", message.text);
    cr_assert_eq(clprop_op_bias_gradient(context, &message, dg, dd, s->units, s->batch),
                 CLPROP_SUCCESS, "%s", message.text);
    test_read(context, dd, delta, count);
    test_read(context, dg, gradient, s->units);
    char what[96];
    snprintf(what, sizeof what, "hidden delta %s units=%zu batch=%zu",
             clprop_activation_name(activation), s->units, s->batch);
    test_assert_close(what, delta, want, count, BOUND);
    snprintf(what, sizeof what, "bias gradient units=%zu batch=%zu", s->units, s->batch);
    test_assert_close(what, gradient, want_gradient, s->units, BOUND);
    clReleaseMemObject(dd), clReleaseMemObject(da), clReleaseMemObject(dg);
    free(delta), free(a), free(want), free(wa);
}

static void check_update_and_layout(clprop_context *context, const shape *s)
{
    size_t count = s->units * s->batch;
    test_rng rng = test_rng_seeded(40);
    float *w = malloc(count * 4), *g = malloc(count * 4), *back = malloc(count * 4);
    test_fill_uniform(&rng, w, count, -1, 1);
    test_fill_uniform(&rng, g, count, -3, 3);
    double *want = clprop_ref_widen(w, count);
    for (size_t i = 0; i < count; i++)
        want[i] -= (double)0.037f * g[i];
    cl_mem dw = test_buffer(context, w, count), dg = test_buffer(context, g, count);
    clprop_message message = {{0}};
    cr_assert_eq(clprop_op_sgd_update(context, &message, dw, dg, 0.037f, count), CLPROP_SUCCESS,
                 "%s", message.text);
    test_read(context, dw, back, count);
    test_assert_close("sgd update", back, want, count, BOUND);

    /* The layout moves are exact copies: samples → columns → samples gives the data back. */
    cl_mem columns = test_buffer(context, NULL, count), samples = test_buffer(context, NULL, count);
    cr_assert_eq(
        clprop_op_samples_to_columns(context, &message, columns, dg, 0, s->units, s->batch),
        CLPROP_SUCCESS, "%s", message.text);
    test_read(context, columns, back, count);
    for (size_t b = 0; b < s->batch; b++)
        for (size_t u = 0; u < s->units; u++)
            cr_assert_eq(back[u * s->batch + b], g[b * s->units + u], "column [%zu,%zu]", u, b);
    cr_assert_eq(
        clprop_op_columns_to_samples(context, &message, samples, columns, s->units, s->batch),
        CLPROP_SUCCESS, "%s", message.text);
    test_read(context, samples, back, count);
    for (size_t i = 0; i < count; i++)
        cr_assert_eq(back[i], g[i], "sample value %zu", i);
    clReleaseMemObject(dw), clReleaseMemObject(dg), clReleaseMemObject(columns);
    clReleaseMemObject(samples);
    free(w), free(g), free(back), free(want);
}

ParameterizedTest(shape *s, kernels, elementwise_kernels_match_the_reference)
{
    clprop_context *context = test_context();
    for (int with_bias = 0; with_bias < 2; with_bias++) {
        check_bias_activate(context, s, CLPROP_ACTIVATION_SIGMOID, with_bias);
        check_bias_activate(context, s, CLPROP_ACTIVATION_LINEAR, with_bias);
        check_bias_activate(context, s, CLPROP_ACTIVATION_SOFTMAX, with_bias);
        check_bias_activate(context, s, CLPROP_ACTIVATION_TANH, with_bias);
        check_bias_activate(context, s, CLPROP_ACTIVATION_RELU, with_bias);
        check_bias_activate(context, s, CLPROP_ACTIVATION_LEAKY_RELU, with_bias);
    }
    check_output_delta(context, s, CLPROP_ACTIVATION_SIGMOID, CLPROP_LOSS_MSE);
    check_output_delta(context, s, CLPROP_ACTIVATION_LINEAR, CLPROP_LOSS_MSE);
    check_output_delta(context, s, CLPROP_ACTIVATION_SOFTMAX, CLPROP_LOSS_CROSS_ENTROPY);
    check_output_delta(context, s, CLPROP_ACTIVATION_TANH, CLPROP_LOSS_MSE);
    check_output_delta(context, s, CLPROP_ACTIVATION_RELU, CLPROP_LOSS_MSE);
    check_output_delta(context, s, CLPROP_ACTIVATION_LEAKY_RELU, CLPROP_LOSS_MSE);
    check_hidden_delta_and_bias_gradient(context, s, CLPROP_ACTIVATION_SIGMOID);
    check_hidden_delta_and_bias_gradient(context, s, CLPROP_ACTIVATION_LINEAR);
    check_hidden_delta_and_bias_gradient(context, s, CLPROP_ACTIVATION_TANH);
    check_hidden_delta_and_bias_gradient(context, s, CLPROP_ACTIVATION_RELU);
    check_hidden_delta_and_bias_gradient(context, s, CLPROP_ACTIVATION_LEAKY_RELU);
    check_update_and_layout(context, s);
    clprop_context_destroy(context);
}

/* The batch gather against a plain loop, exactly: samples order[2 .. 2+B−1] of a shuffled order,
 * their inputs as rows of floats or of bytes (byte / 255, as the loader converts them) and their
 * targets (`other` units) as columns, in one launch; and the inputs alone. */
static void check_gathers(clprop_context *context, const shape *s)
{
    size_t samples = s->batch + 2, units = s->units, outputs = s->other, count = samples * units;
    test_rng rng = test_rng_seeded(90 + s->units + s->batch);
    float *values = malloc(count * 4), *got = malloc(s->batch * units * 4);
    float *targets = malloc(samples * outputs * 4), *got_targets = malloc(s->batch * outputs * 4);
    unsigned char *bytes = malloc(count);
    cl_uint *order = malloc(samples * sizeof *order);
    test_fill_uniform(&rng, values, count, -1, 1);
    test_fill_uniform(&rng, targets, samples * outputs, -1, 1);
    for (size_t i = 0; i < count; i++)
        bytes[i] = (unsigned char)(i * 37 % 256);
    for (size_t i = 0; i < samples; i++) /* a shuffled order; any would do */
        order[i] = (cl_uint)((i * 5 + 1) % samples);
    cl_mem dvalues = test_buffer(context, values, count);
    cl_mem dtargets = test_buffer(context, targets, samples * outputs);
    cl_mem dbytes = test_bytes_buffer(context, bytes, count);
    cl_mem dorder = test_bytes_buffer(context, order, samples * sizeof *order);
    cl_mem out = test_buffer(context, NULL, s->batch * units);
    cl_mem out_targets = test_buffer(context, NULL, s->batch * outputs);
    clprop_message message = {{0}};
    for (int run = 0; run < 3; run++) {
        int as_bytes = run == 1, with_targets = run < 2;
        cr_assert_eq(clprop_op_gather_batch(context, &message, out, as_bytes ? dbytes : dvalues,
                                            as_bytes, out_targets, dtargets, dorder, 2, units,
                                            with_targets ? outputs : 0, s->batch),
                     CLPROP_SUCCESS, "%s", message.text);
        test_read(context, out, got, s->batch * units);
        for (size_t b = 0; b < s->batch; b++)
            for (size_t u = 0; u < units; u++) {
                size_t from = order[2 + b] * units + u;
                float want = as_bytes ? (float)bytes[from] / 255.0f : values[from];
                cr_assert_eq(got[b * units + u], want,
                             "gathered inputs%s units=%zu batch=%zu (%zu, %zu)",
                             as_bytes ? " (bytes)" : "", units, s->batch, b, u);
            }
        if (!with_targets)
            continue;
        test_read(context, out_targets, got_targets, s->batch * outputs);
        for (size_t b = 0; b < s->batch; b++)
            for (size_t u = 0; u < outputs; u++)
                cr_assert_eq(got_targets[u * s->batch + b], targets[order[2 + b] * outputs + u],
                             "gathered targets outputs=%zu batch=%zu (%zu, %zu)", outputs, s->batch,
                             u, b);
    }
    clReleaseMemObject(dvalues), clReleaseMemObject(dbytes), clReleaseMemObject(dorder);
    clReleaseMemObject(out), clReleaseMemObject(dtargets), clReleaseMemObject(out_targets);
    free(values), free(got), free(bytes), free(order), free(targets), free(got_targets);
}

EVERY_SHAPE(gathers_pick_the_ordered_samples)

/* Both ways of launching it: a row a work-item (the CPU family) and a group of 16 inputs a
 * work-item (the others). */
ParameterizedTest(shape *s, kernels, gathers_pick_the_ordered_samples)
{
    const clprop_gemm_family families[] = {CLPROP_GEMM_FAMILY_CPU, CLPROP_GEMM_FAMILY_GENERIC};
    for (size_t f = 0; f < 2; f++) {
        clprop_context *context =
            test_context_with((clprop_context_desc){.tuning = {.family = families[f]}});
        check_gathers(context, s);
        clprop_context_destroy(context);
    }
}

/* The CPU family's two kernels, each forced: the one that copies panels of B, with K cut into
 * blocks of 16 (the last one ragged at most sizes, so C is summed over blocks, beta on the first),
 * and the one that reads B in place (which leaves A·Bᵀ to the panel kernel); each with vectors
 * of 8 lanes (tiles 16 wide) and of 16 (32 wide; AVX-512's width, correct on any CPU). */
static void check_cpu_layouts(const shape *s, clprop_cpu_panels policy, size_t kblock)
{
    const size_t vectors[] = {8, 16};
    for (size_t v = 0; v < 2; v++) {
        clprop_context *context = test_context_with((clprop_context_desc){
            .tuning = {.cpu_panels = policy, .cpu_kblock = kblock, .cpu_vector = vectors[v]}});
        cr_assert_eq(context->tuning.family, CLPROP_GEMM_FAMILY_CPU, "PoCL is a CPU device");
        cr_assert_eq(context->tuning.cpu_panels, policy);
        cr_assert_eq(context->tuning.cpu_vector, vectors[v]);
        check_gemm_layouts(context, s);
        /* n a whole number of tiles (16 and 32 columns): no right strip */
        check_gemm(context, 0, 1, s->units, 64, s->other, 1.0f, 0.5f, 7);
        check_gemm(context, 1, 0, s->other, 32, s->units, 1.0f, 0.0f, 8);
        clprop_context_destroy(context);
    }
}

EVERY_SHAPE(cpu_panel_gemm_matches_the_reference)

ParameterizedTest(shape *s, kernels, cpu_panel_gemm_matches_the_reference)
{
    check_cpu_layouts(s, CLPROP_CPU_PANELS_ALWAYS, 16); /* panels in blocks of 16 rows */
}

EVERY_SHAPE(cpu_in_place_gemm_matches_the_reference)

ParameterizedTest(shape *s, kernels, cpu_in_place_gemm_matches_the_reference)
{
    check_cpu_layouts(s, CLPROP_CPU_PANELS_NEVER, 0);
}

/* A B of more than cpu_panel_bytes goes through panels on its own (auto): 300 × 257 floats is
 * 308 KB, K in two blocks of the default 256. One work-item per compute unit wanted, so that each
 * panel serves every tile of rows however many units the device has. A small B of whole tiles,
 * and K = 0 (C becomes beta·C, which only the in-place kernel does), stay in place; a small B
 * with a ragged right edge goes through panels (a narrower last tile, no second launch). */
Test(kernels, cpu_gemm_of_a_large_b_is_right)
{
    clprop_context *context =
        test_context_with((clprop_context_desc){.tuning = {.cpu_items_per_unit = 1}});
    cr_assert_eq(context->tuning.cpu_panels, CLPROP_CPU_PANELS_AUTO);
    clprop_gemm_shape large = {0, 0, 65, 257, 300, 300, 257, 257}, small = large, none = large;
    small.k = 17;
    none.k = 0;
    clprop_gemm_shape whole = small;
    whole.n = whole.ldb = whole.ldc = 64;
    cr_assert(clprop_gemm_cpu_uses_panels(context, &large));
    cr_assert(clprop_gemm_cpu_uses_panels(context, &small), "a ragged edge");
    cr_assert(!clprop_gemm_cpu_uses_panels(context, &whole));
    cr_assert(!clprop_gemm_cpu_uses_panels(context, &none));
    /* Aᵀ·B with both operands' rows a multiple of 1 KiB apart: panels, however small B */
    clprop_gemm_shape aliasing = {1, 0, 256, 256, 128, 256, 256, 256}, spread = aliasing,
                      straight = aliasing;
    spread.m = spread.lda = 784;
    straight.transpose_a = 0; /* A·B, the rows of A and B 256 floats apart too */
    straight.m = 128;
    straight.k = straight.lda = 256;
    cr_assert(clprop_gemm_cpu_uses_panels(context, &aliasing));
    cr_assert(!clprop_gemm_cpu_uses_panels(context, &spread), "rows of Aᵀ 784 floats apart");
    cr_assert(!clprop_gemm_cpu_uses_panels(context, &straight), "A·B");
    check_gemm(context, 1, 0, 256, 256, 128, 1.0f, 0.5f, 82);
    check_gemm(context, 0, 0, 65, 257, 300, 1.0f, 0.25f, 80);
    check_gemm(context, 1, 0, 65, 257, 300, 1.0f, 0.0f, 81);
    clprop_context_destroy(context);
}

/* The panel kernel cuts K into blocks of equal depth (a multiple of 8, at most cpu_kblock): with
 * blocks of at most 64, K = 70 goes as 40 + 30 and K = 257 as 4 × 56 + 33, so C and the row sums
 * add up over blocks that are not the tuning's depth, in every layout and epilogue, with vectors of
 * 8 and of 16 lanes. */
Test(kernels, cpu_panels_cut_k_into_even_blocks)
{
    const size_t vectors[] = {8, 16};
    for (size_t v = 0; v < 2; v++) {
        clprop_context *context = test_context_with(
            (clprop_context_desc){.tuning = {.cpu_panels = CLPROP_CPU_PANELS_ALWAYS,
                                             .cpu_kblock = 64,
                                             .cpu_vector = vectors[v]}});
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2 - ta; tb++) {
                check_gemm(context, ta, tb, 17, 40, 70, 1.0f, 0.5f, 90 + 2 * ta + tb);
                check_gemm(context, ta, tb, 33, 23, 257, 1.0f, 0.0f, 95 + 2 * ta + tb);
            }
        const shape deep = {17, 70, 257};
        check_epilogues(context, &deep, 0);
        clprop_context_destroy(context);
    }
}

Test(kernels, an_unknown_panel_policy_is_refused)
{
    clprop_context_desc desc = {.tuning = {.cpu_panels = (clprop_cpu_panels)7}};
    clprop_context *context = NULL;
    cr_expect_eq(clprop_context_create(&desc, &context), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_context_message(context), "panel policy 7") != NULL, "%s",
              clprop_context_message(context));
    clprop_context_destroy(context);
}

/* Every register-tile height the CPU family offers computes the same product (each one compiles
 * the program with another -DCPU_TILE_M), with both of its kernels (the panel one in K blocks of
 * 16), with vectors of 8 and of 16 lanes; the tallest tiles (AVX-512's 32 registers) with 16. */
Test(kernels, cpu_gemm_is_right_for_other_tile_heights)
{
    const struct {
        size_t height, vector;
    } tiles[] = {{1, 8}, {4, 8}, {8, 8}, {1, 16}, {5, 16}, {12, 16}, {16, 16}};
    const clprop_cpu_panels panels[] = {CLPROP_CPU_PANELS_NEVER, CLPROP_CPU_PANELS_ALWAYS};
    for (unsigned t = 0; t < sizeof tiles / sizeof *tiles; t++)
        for (size_t p = 0; p < 2; p++) {
            clprop_gemm_tuning tuning = {.cpu_tile_m = tiles[t].height,
                                         .cpu_vector = tiles[t].vector,
                                         .cpu_panels = panels[p],
                                         .cpu_kblock = 16};
            clprop_context *context = test_context_with((clprop_context_desc){.tuning = tuning});
            cr_assert_eq(context->tuning.family, CLPROP_GEMM_FAMILY_CPU, "PoCL is a CPU device");
            cr_assert_eq(context->tuning.cpu_tile_m, tiles[t].height);
            cr_assert_eq(context->tuning.cpu_vector, tiles[t].vector);
            check_gemm(context, 0, 0, 33, 64, 17, 1.0f, 0.0f, 60 + t);
            check_gemm(context, 1, 0, 257, 33, 5, 1.0f, 0.5f, 61 + t);
            check_gemm(context, 0, 1, 17, 257, 64, 1.0f, 0.0f, 62 + t);
            clprop_context_destroy(context);
        }
}

/* Ragged right edges of every width a tile can leave, through the panel kernel's narrower last
 * tile: 8 and 16 columns (whole eighths of the transposing copy inside a partial tile), and 784
 * (Fashion-MNIST's inputs: 24 tiles of 32 and one of 16), with both vector widths, in all three
 * layouts, with beta and with an epilogue. */
Test(kernels, cpu_panels_take_ragged_edges_of_every_width)
{
    const size_t widths[] = {40, 48, 784, 23};
    for (size_t v = 8; v <= 16; v += 8) {
        clprop_context *context = test_context_with((clprop_context_desc){
            .tuning = {.cpu_vector = v, .cpu_panels = CLPROP_CPU_PANELS_ALWAYS, .cpu_kblock = 16}});
        for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
            size_t n = widths[w];
            check_gemm(context, 0, 0, 13, n, 37, 1.0f, 0.5f, 90 + w);
            check_gemm(context, 1, 0, 13, n, 37, 1.0f, 0.0f, 91 + w);
            check_gemm(context, 0, 1, 13, n, 37, -0.5f, 0.25f, 92 + w);
            const fused_case fused = {0, 1, 13, n, 37,
                                      CLPROP_EPILOGUE_BIAS | CLPROP_EPILOGUE_ACTIVATE,
                                      CLPROP_ACTIVATION_SIGMOID, 1.0f, 0.0f};
            check_fused(context, &fused, 93 + w);
        }
        clprop_context_destroy(context);
    }
}

Test(kernels, an_impossible_tile_height_is_refused)
{
    clprop_context_desc desc = {.tuning = {.cpu_tile_m = 17}};
    clprop_context *context = NULL;
    cr_expect_eq(clprop_context_create(&desc, &context), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_context_message(context), "cpu_tile_m must be 1 to 16, not 17") !=
                  NULL,
              "%s", clprop_context_message(context));
    clprop_context_destroy(context);
}

/* A·Bᵀ's panels have a depth of their own: given alone it applies to them only (here 40 rows
 * for A·Bᵀ, 16 for the others: K = 257 as 6 × 40 + 17 against 17 blocks of 16, both vector
 * widths, beta and an epilogue); a depth given for every panel holds for A·Bᵀ's too; by default
 * they are at least as deep as the others. */
Test(kernels, a_bt_panels_take_a_depth_of_their_own)
{
    const size_t vectors[] = {8, 16};
    for (size_t v = 0; v < 2; v++) {
        clprop_context *context = test_context_with(
            (clprop_context_desc){.tuning = {.cpu_panels = CLPROP_CPU_PANELS_ALWAYS,
                                             .cpu_kblock = 16,
                                             .cpu_kblock_transposed = 40,
                                             .cpu_vector = vectors[v]}});
        cr_assert_eq(context->tuning.cpu_kblock, 16);
        cr_assert_eq(context->tuning.cpu_kblock_transposed, 40);
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2 - ta; tb++)
                check_gemm(context, ta, tb, 19, 37, 257, 1.0f, 0.5f, 110 + 2 * ta + tb);
        const fused_case fused = {0,    1,   19, 37, 257, CLPROP_EPILOGUE_ROW_SUMS,
                                  CLPROP_ACTIVATION_LINEAR, -0.5f, 0.5f};
        check_fused(context, &fused, 115);
        clprop_context_destroy(context);
    }
    clprop_context *every = test_context_with((clprop_context_desc){.tuning = {.cpu_kblock = 64}});
    cr_expect_eq(every->tuning.cpu_kblock_transposed, 64, "cpu_kblock alone sets both depths");
    clprop_context_destroy(every);
    clprop_context *defaults = test_context();
    cr_expect_geq(defaults->tuning.cpu_kblock_transposed, defaults->tuning.cpu_kblock);
    clprop_context_destroy(defaults);
}

Test(kernels, an_impossible_transposed_panel_depth_is_refused)
{
    clprop_context_desc desc = {.tuning = {.cpu_kblock = 64, .cpu_kblock_transposed = 8}};
    clprop_context *context = NULL;
    cr_expect_eq(clprop_context_create(&desc, &context), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_context_message(context),
                     "cpu_kblock_transposed must be 16 to 1024, not 8") != NULL,
              "%s", clprop_context_message(context));
    clprop_context_destroy(context);
}

Test(kernels, an_impossible_vector_width_is_refused)
{
    clprop_context_desc desc = {.tuning = {.cpu_vector = 4}};
    clprop_context *context = NULL;
    cr_expect_eq(clprop_context_create(&desc, &context), CLPROP_ERROR_INVALID_ARGUMENT);
    cr_expect(strstr(clprop_context_message(context), "cpu_vector must be 8 or 16, not 4") != NULL,
              "%s", clprop_context_message(context));
    clprop_context_destroy(context);
}

/* Several register tiles per CPU work-item (cpu_tiles), including counts that do not divide the
 * number of tiles, compute the same product. Few work-items wanted: each takes the most tiles. */
Test(kernels, cpu_gemm_is_right_with_several_tiles_per_work_item)
{
    clprop_context *context = test_context_with(
        (clprop_context_desc){.tuning = {.cpu_tiles = 3, .cpu_items_per_unit = 1}});
    cr_assert_eq(context->tuning.cpu_tiles, 3);
    check_gemm(context, 0, 0, 33, 257, 17, 1.0f, 0.0f, 70); /* 16 column tiles: 3+3+3+3+3+1 */
    check_gemm(context, 1, 0, 17, 64, 33, 1.0f, 0.5f, 71);
    check_gemm(context, 0, 1, 257, 33, 5, 1.0f, 0.0f, 72);
    clprop_context_destroy(context);
}
