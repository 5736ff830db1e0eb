#include "program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_sources.h"
#include "status.h"

static char *read_text_file(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    char *text = NULL;
    if (fseek(file, 0, SEEK_END) == 0) {
        long size = ftell(file);
        if (size >= 0 && fseek(file, 0, SEEK_SET) == 0 && (text = malloc((size_t)size + 1))) {
            size_t got = fread(text, 1, (size_t)size, file);
            text[got] = '\0';
        }
    }
    fclose(file);
    return text;
}

/* The files of one GEMM family only: a program holds the family in use, and no other (the
 * portable gemm.cl always, as the CPU family sends its ragged edges there). */
static const struct {
    const char *name;
    clprop_gemm_family family;
} family_files[] = {{"gemm_cpu.cl", CLPROP_GEMM_FAMILY_CPU},
                    {"gemm_gpu.cl", CLPROP_GEMM_FAMILY_GPU}};

static int wanted(const char *name, clprop_gemm_family family)
{
    for (size_t i = 0; i < sizeof family_files / sizeof *family_files; i++)
        if (strcmp(name, family_files[i].name) == 0)
            return family_files[i].family == family;
    return 1;
}

/* The source texts in build order (the order CMakeLists.txt lists them in, which the embedded
 * table keeps), the other families' left out; from disk when dir names a folder. *count gets how
 * many. */
static clprop_status gather_sources(const char *dir, clprop_gemm_family family,
                                    const char **texts, char **owned, size_t *count,
                                    clprop_message *message)
{
    *count = 0;
    for (size_t i = 0; i < clprop_kernel_source_count; i++) {
        const clprop_kernel_source *source = &clprop_kernel_sources[i];
        if (!wanted(source->name, family))
            continue;
        size_t at = (*count)++;
        texts[at] = source->text;
        if (dir == NULL || dir[0] == '\0')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, source->name);
        owned[at] = read_text_file(path);
        if (owned[at] == NULL)
            return clprop_fail(message, CLPROP_ERROR_IO, "kernel folder %s: cannot read %s", dir,
                               path);
        texts[at] = owned[at];
    }
    return CLPROP_SUCCESS;
}

static void report_build_log(cl_program program, cl_device_id device, cl_int error,
                             const char *build_options, clprop_message *message)
{
    size_t size = 0;
    clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, NULL, &size);
    char *log = malloc(size + 1);
    if (log != NULL) {
        log[0] = '\0';
        clGetProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, size, log, NULL);
        log[size] = '\0';
    }
    clprop_fail(message, CLPROP_ERROR_KERNEL_BUILD,
                "kernel build failed (%s, options \"%s\"); build log:\n%s",
                clprop_status_name(error), build_options, log != NULL ? log : "(unavailable)");
    free(log);
}

/* The options never ask for fast-math: the device must agree with the reference. */
clprop_status clprop_program_build(cl_context context, cl_device_id device, const char *options,
                                   const char *kernel_dir, clprop_gemm_family family,
                                   cl_program *out, clprop_message *message)
{
    *out = NULL;
    const char **texts = calloc(clprop_kernel_source_count, sizeof *texts);
    char **owned = calloc(clprop_kernel_source_count, sizeof *owned);
    clprop_status status = CLPROP_SUCCESS;
    if (texts == NULL || owned == NULL)
        status = clprop_fail(message, CLPROP_ERROR_OUT_OF_HOST_MEMORY, "out of host memory");
    size_t count = 0;
    if (status == CLPROP_SUCCESS)
        status = gather_sources(kernel_dir, family, texts, owned, &count, message);
    cl_program program = NULL;
    if (status == CLPROP_SUCCESS) {
        cl_int error;
        program = clCreateProgramWithSource(context, (cl_uint)count, texts, NULL, &error);
        if (error != CL_SUCCESS)
            status = clprop_fail(message, error, "clCreateProgramWithSource failed: %s",
                                 clprop_status_name(error));
    }
    if (status == CLPROP_SUCCESS) {
        cl_int error = clBuildProgram(program, 1, &device, options, NULL, NULL);
        if (error != CL_SUCCESS) {
            report_build_log(program, device, error, options, message);
            status = CLPROP_ERROR_KERNEL_BUILD;
        }
    }
    if (status == CLPROP_SUCCESS)
        *out = program;
    else if (program != NULL)
        clReleaseProgram(program);
    for (size_t i = 0; owned != NULL && i < clprop_kernel_source_count; i++)
        free(owned[i]);
    free(owned);
    free(texts);
    return status;
}
