/* The kernels compile cleanly (the build log of the library's program on the test device holds
 * no warning: a warning is a bug waiting for another compiler, and PoCL prints them on a cold
 * cache), and the host's kernel table names exactly the kernels the program defines. */
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

/* The host's kernel table and the program agree: every kernel the table names exists, and every
 * kernel the program defines is in the table (none launched by a name the compiler cannot check). */
Test(program, the_kernel_table_and_the_program_name_the_same_kernels)
{
    clprop_context *context = test_context();
    for (int id = 0; id < CLPROP_KERNEL_COUNT; id++) {
        cl_kernel kernel = NULL;
        cr_expect_eq(clprop_context_kernel(context, (clprop_kernel_id)id, &kernel), CLPROP_SUCCESS,
                     "%s: %s", clprop_kernel_name((clprop_kernel_id)id), context->message.text);
    }
    size_t size = 0;
    cr_assert_eq(clGetProgramInfo(context->program, CL_PROGRAM_KERNEL_NAMES, 0, NULL, &size),
                 CL_SUCCESS);
    char *names = calloc(size + 1, 1);
    cr_assert_not_null(names);
    cr_assert_eq(clGetProgramInfo(context->program, CL_PROGRAM_KERNEL_NAMES, size, names, NULL),
                 CL_SUCCESS);
    size_t defined = 0;
    for (char *name = strtok(names, ";"); name != NULL; name = strtok(NULL, ";"), defined++) {
        int found = 0;
        for (int id = 0; id < CLPROP_KERNEL_COUNT; id++)
            found |= strcmp(name, clprop_kernel_name((clprop_kernel_id)id)) == 0;
        cr_expect(found, "the program's kernel %s is not in host/kernel_table.h", name);
    }
    cr_expect_eq(defined, (size_t)CLPROP_KERNEL_COUNT);
    free(names);
    clprop_context_destroy(context);
}
