#include "tuning.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defaults by kind of device. CPU: six rows of 16 keep 12 AVX2 registers of accumulators (an
 * 8-row tile spills on AVX2; measured with clprop-bench kernels, see bench/RESULTS.md). GPU: the
 * common 64×64 block with a 16-deep K step and 16×16 work-items (4×4 outputs each); not yet tuned
 * on a real GPU. */
static const clprop_tuning defaults_by_kind[] = {
    [CLPROP_DEVICE_GPU] = {CLPROP_FAMILY_GPU, 6, 64, 16, 16},
    [CLPROP_DEVICE_CPU] = {CLPROP_FAMILY_CPU, 6, 64, 16, 16},
    [CLPROP_DEVICE_OTHER] = {CLPROP_FAMILY_GENERIC, 6, 64, 16, 16},
};

static const char *const family_names[] = {"generic", "cpu", "gpu"};

const char *clprop_gemm_family_name(clprop_gemm_family family)
{
    return family <= CLPROP_FAMILY_GPU ? family_names[family] : "unknown";
}

static clprop_status override_family(clprop_tuning *tuning, clprop_message *message)
{
    const char *family = getenv("CLPROP_GEMM_FAMILY");
    if (family == NULL || family[0] == '\0')
        return CLPROP_SUCCESS;
    for (int f = CLPROP_FAMILY_GENERIC; f <= CLPROP_FAMILY_GPU; f++)
        if (strcmp(family, family_names[f]) == 0) {
            tuning->family = (clprop_gemm_family)f;
            return CLPROP_SUCCESS;
        }
    return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                       "CLPROP_GEMM_FAMILY must be generic, cpu or gpu, not \"%s\"", family);
}

static clprop_status override_cpu_tile(clprop_tuning *tuning, clprop_message *message)
{
    const char *tile = getenv("CLPROP_CPU_TILE_M");
    if (tile == NULL || tile[0] == '\0')
        return CLPROP_SUCCESS;
    char *end = NULL;
    long rows = strtol(tile, &end, 10);
    if (*end != '\0' || rows < 1 || rows > 8)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "CLPROP_CPU_TILE_M must be 1 to 8, not \"%s\"", tile);
    tuning->cpu_tile_m = (size_t)rows;
    return CLPROP_SUCCESS;
}

clprop_status clprop_tuning_for(const clprop_device_info *device, size_t max_group,
                                clprop_tuning *out, clprop_message *message)
{
    *out = defaults_by_kind[device->kind];
    clprop_status status = override_family(out, message);
    if (status == CLPROP_SUCCESS)
        status = override_cpu_tile(out, message);
    /* a device whose work-groups are too small for the GPU tiles gets the portable kernels */
    if (out->family == CLPROP_FAMILY_GPU && max_group < out->gpu_group * out->gpu_group)
        out->family = CLPROP_FAMILY_GENERIC;
    return status;
}

void clprop_tuning_build_options(const clprop_tuning *tuning, char *options, size_t size)
{
    snprintf(options, size, "-cl-std=CL1.2 -DCPU_TILE_M=%zu -DGPU_TILE=%zu -DGPU_DEPTH=%zu "
             "-DGPU_GROUP=%zu", tuning->cpu_tile_m, tuning->gpu_tile, tuning->gpu_depth,
             tuning->gpu_group);
}
