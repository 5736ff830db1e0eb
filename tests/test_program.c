/* The kernels compile cleanly (the build log of the library's program on the test device holds
 * no warning: a warning is a bug waiting for another compiler, and PoCL prints them on a cold
 * cache), and the host's kernel table names exactly the kernels the program defines. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "context.h"
#include "kernel_sources.h"
#include "support.h"

/* The embedded kernel sources written to a fresh folder, with `extra` appended to the last file
 * and a comment unique to this run, so that PoCL's cache cannot hold the program: its build log
 * is a cold compile's. */
static char *fresh_kernel_dir(const char *extra)
{
    char *dir = test_make_temp_dir(), nonce[96];
    snprintf(nonce, sizeof nonce, "\n/* %s, %ld */\n", dir, (long)time(NULL));
    for (size_t i = 0; i < clprop_kernel_source_count; i++) {
        const char *text = clprop_kernel_sources[i].text;
        int last = i + 1 == clprop_kernel_source_count;
        char *joined = malloc(strlen(text) + strlen(nonce) + strlen(extra) + 1);
        cr_assert_not_null(joined);
        sprintf(joined, "%s%s%s", text, last ? nonce : "", last ? extra : "");
        free(test_write_file(dir, clprop_kernel_sources[i].name, joined));
        free(joined);
    }
    return dir;
}

/* A text the program's build answers for (its log, its options), NUL-terminated. */
static char *build_text(cl_program program, cl_device_id device, cl_program_build_info what)
{
    size_t size = 0;
    cr_assert_eq(clGetProgramBuildInfo(program, device, what, 0, NULL, &size), CL_SUCCESS);
    char *text = calloc(size + 1, 1);
    cr_assert_not_null(text);
    cr_assert_eq(clGetProgramBuildInfo(program, device, what, size, text, NULL), CL_SUCCESS);
    return text;
}

/* The build log of the program for one tuning, compiled cold from kernel_dir. */
static char *build_log(const char *kernel_dir, clprop_gemm_tuning tuning)
{
    clprop_context *context =
        test_context_with((clprop_context_desc){.tuning = tuning, .kernel_dir = kernel_dir});
    char *log = build_text(context->program, context->device_id, CL_PROGRAM_BUILD_LOG);
    clprop_context_destroy(context);
    return log;
}

/* Every family's program: the CPU one this device picks, the GPU and the portable ones forced,
 * and the CPU family with both vector widths (on an AVX2 device the 16-lane one is forced, as
 * the kernel tests force it, and must not pass a float16 to a builtin: PoCL warned of an AVX-512
 * ABI change 15 times a build, 234 times over the tests). */
Test(program, the_kernels_compile_without_a_warning, .timeout = 180)
{
    const clprop_gemm_tuning tunings[] = {
        {.family = CLPROP_GEMM_FAMILY_DEFAULT}, {.family = CLPROP_GEMM_FAMILY_GPU},
        {.family = CLPROP_GEMM_FAMILY_GENERIC},
        {.family = CLPROP_GEMM_FAMILY_CPU, .cpu_vector = 8},
        {.family = CLPROP_GEMM_FAMILY_CPU, .cpu_vector = 16}};
    char *dir = fresh_kernel_dir("");
    for (size_t t = 0; t < sizeof tunings / sizeof *tunings; t++) {
        char *log = build_log(dir, tunings[t]);
        cr_expect_null(strstr(log, "warning"),
                       "tuning %zu (family %d, vector %zu): the kernels' build log has "
                       "warnings:\n%.4000s",
                       t, (int)tunings[t].family, tunings[t].cpu_vector, log);
        free(log);
    }
    test_remove_tree(dir);
    free(dir);
}

/* The check above can fail: a kernel with a value-changing conversion shows a warning. */
Test(program, a_kernel_warning_shows_in_the_build_log, .timeout = 60)
{
    char *dir = fresh_kernel_dir("__kernel void warns(__global int *x) { x[0] = 1.5; }\n");
    char *log = build_log(dir, (clprop_gemm_tuning){.family = CLPROP_GEMM_FAMILY_DEFAULT});
    cr_expect_not_null(strstr(log, "warning"), "no warning in the build log:\n%.4000s", log);
    free(log);
    test_remove_tree(dir);
    free(dir);
}

/* The source the library gave OpenCL for a program. */
static char *program_source(cl_program program)
{
    size_t size = 0;
    cr_assert_eq(clGetProgramInfo(program, CL_PROGRAM_SOURCE, 0, NULL, &size), CL_SUCCESS);
    char *text = calloc(size + 1, 1);
    cr_assert_not_null(text);
    cr_assert_eq(clGetProgramInfo(program, CL_PROGRAM_SOURCE, size, text, NULL), CL_SUCCESS);
    return text;
}

/* "Without warnings on PoCL and any compiler we can reach": the system's clang (installed for
 * the fuzzers) checks every family's program, with the options the library built it with, at
 * -Wall -Wextra, stricter than PoCL's defaults (it found two unused parameters PoCL let pass). */
Test(program, clang_with_wall_wextra_finds_no_warning_either, .timeout = 120)
{
    if (system("command -v clang >/dev/null 2>&1") != 0)
        cr_skip_test("no clang on PATH");
    const clprop_gemm_tuning tunings[] = {{.family = CLPROP_GEMM_FAMILY_GPU},
                                          {.family = CLPROP_GEMM_FAMILY_GENERIC},
                                          {.family = CLPROP_GEMM_FAMILY_CPU, .cpu_vector = 8},
                                          {.family = CLPROP_GEMM_FAMILY_CPU, .cpu_vector = 16}};
    char *dir = test_make_temp_dir();
    for (size_t t = 0; t < sizeof tunings / sizeof *tunings; t++) {
        clprop_context *context = test_context_with((clprop_context_desc){.tuning = tunings[t]});
        char *source = program_source(context->program);
        char *options =
            build_text(context->program, context->device_id, CL_PROGRAM_BUILD_OPTIONS);
        cr_assert(strlen(source) > 1000, "the program's source is not available");
        char *file = test_write_file(dir, "program.cl", source);
        char command[8192];
        snprintf(command, sizeof command,
                 "clang -x cl %s -Xclang -finclude-default-header -fsyntax-only -Wall -Wextra "
                 "-Werror '%s' > '%s/clang.log' 2>&1",
                 options, file, dir);
        int status = system(command);
        char path[4200];
        snprintf(path, sizeof path, "%s/clang.log", dir);
        size_t size = 0;
        char *log = test_read_file(path, &size);
        cr_expect_eq(status, 0, "tuning %zu (family %d, vector %zu): clang says:\n%.4000s", t,
                     (int)tunings[t].family, tunings[t].cpu_vector, log);
        free(log), free(file), free(options), free(source);
        clprop_context_destroy(context);
    }
    test_remove_tree(dir);
    free(dir);
}

/* The family a kernel belongs to, by its name: a program holds only its own family's GEMMs. */
static clprop_gemm_family family_of(const char *kernel)
{
    if (strncmp(kernel, "gemm_cpu_", 9) == 0)
        return CLPROP_GEMM_FAMILY_CPU;
    if (strncmp(kernel, "gemm_gpu_", 9) == 0)
        return CLPROP_GEMM_FAMILY_GPU;
    return CLPROP_GEMM_FAMILY_DEFAULT; /* every program */
}

/* The host's kernel table and the program agree: every kernel the table names exists in a program
 * of its family, and every kernel a program defines is in the table (none launched by a name the
 * compiler cannot check). The other families' GEMMs are not compiled at all. */
static void expect_table_matches_program(clprop_gemm_family family)
{
    clprop_context *context =
        test_context_with((clprop_context_desc){.tuning = {.family = family}});
    cr_assert_eq(context->tuning.family, family);
    size_t expected = 0;
    for (int id = 0; id < CLPROP_KERNEL_COUNT; id++) {
        const char *name = clprop_kernel_name((clprop_kernel_id)id);
        clprop_gemm_family own = family_of(name);
        cl_kernel kernel = NULL;
        clprop_status status = clprop_context_kernel(context, (clprop_kernel_id)id, &kernel);
        if (own == CLPROP_GEMM_FAMILY_DEFAULT || own == family) {
            expected++;
            cr_expect_eq(status, CLPROP_SUCCESS, "%s: %s", name, context->message.text);
        } else {
            cr_expect_neq(status, CLPROP_SUCCESS, "%s is compiled for the %s family", name,
                          clprop_gemm_family_name(family));
        }
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
    cr_expect_eq(defined, expected);
    free(names);
    clprop_context_destroy(context);
}

Test(program, the_kernel_table_and_the_program_name_the_same_kernels)
{
    expect_table_matches_program(CLPROP_GEMM_FAMILY_CPU);
    expect_table_matches_program(CLPROP_GEMM_FAMILY_GPU);
    expect_table_matches_program(CLPROP_GEMM_FAMILY_GENERIC);
}
