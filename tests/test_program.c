/* The kernels compile cleanly: the build log of the library's program on the test device holds
 * no warning (a warning is a bug waiting for another compiler, and PoCL prints them on a cold
 * cache). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "support.h"

Test(program, the_kernels_compile_without_a_warning)
{
    clprop_context *context = test_context();
    size_t size = 0;
    cl_device_id device = context->device_id;
    cr_assert_eq(clGetProgramBuildInfo(context->program, device, CL_PROGRAM_BUILD_LOG, 0, NULL,
                                       &size),
                 CL_SUCCESS);
    char *log = calloc(size + 1, 1);
    cr_assert_not_null(log);
    cr_assert_eq(clGetProgramBuildInfo(context->program, device, CL_PROGRAM_BUILD_LOG, size, log,
                                       NULL),
                 CL_SUCCESS);
    cr_expect_null(strstr(log, "warning"), "the kernels' build log has warnings:\n%.4000s", log);
    free(log);
    clprop_context_destroy(context);
}
