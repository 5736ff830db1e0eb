#include "tuning.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defaults by kind of device. CPU: six rows of 16 keep 12 AVX2 registers of accumulators (an
 * 8-row tile spills on AVX2; measured with clprop-bench kernels, see bench/RESULTS.md). GPU: the
 * common 64×64 block with a 16-deep K step and 16×16 work-items (4×4 outputs each); not yet tuned
 * on a real GPU. Tiles per CPU work-item: 1 until measured on a quiet machine (2 to 8 showed no
 * clear gain amid the noise of a shared one); CLPROP_CPU_TILES tries others. */
static const clprop_tuning defaults_by_kind[] = {
    [CLPROP_DEVICE_GPU] = {CLPROP_FAMILY_GPU, 6, 1, 64, 16, 16},
    [CLPROP_DEVICE_CPU] = {CLPROP_FAMILY_CPU, 6, 1, 64, 16, 16},
    [CLPROP_DEVICE_OTHER] = {CLPROP_FAMILY_GENERIC, 6, 1, 64, 16, 16},
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

/* A whole number from the environment variable `name`, within [low, high], into *value. */
static clprop_status override_count(const char *name, long low, long high, size_t *value,
                                    clprop_message *message)
{
    const char *text = getenv(name);
    if (text == NULL || text[0] == '\0')
        return CLPROP_SUCCESS;
    char *end = NULL;
    long number = strtol(text, &end, 10);
    if (*end != '\0' || number < low || number > high)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "%s must be %ld to %ld, not \"%s\"", name, low, high, text);
    *value = (size_t)number;
    return CLPROP_SUCCESS;
}

clprop_status clprop_tuning_for(const clprop_device_info *device, size_t max_group,
                                clprop_tuning *out, clprop_message *message)
{
    *out = defaults_by_kind[device->kind];
    clprop_status status = override_family(out, message);
    if (status == CLPROP_SUCCESS)
        status = override_count("CLPROP_CPU_TILE_M", 1, 8, &out->cpu_tile_m, message);
    if (status == CLPROP_SUCCESS)
        status = override_count("CLPROP_CPU_TILES", 1, 64, &out->cpu_tiles, message);
    /* a device whose work-groups are too small for the GPU tiles gets the portable kernels */
    if (out->family == CLPROP_FAMILY_GPU && max_group < out->gpu_group * out->gpu_group)
        out->family = CLPROP_FAMILY_GENERIC;
    return status;
}

void clprop_tuning_build_options(const clprop_tuning *tuning, char *options, size_t size)
{
    snprintf(options, size, "-cl-std=CL1.2 -DCPU_TILE_M=%zu -DCPU_TILES=%zu -DGPU_TILE=%zu "
             "-DGPU_DEPTH=%zu -DGPU_GROUP=%zu", tuning->cpu_tile_m, tuning->cpu_tiles,
             tuning->gpu_tile, tuning->gpu_depth, tuning->gpu_group);
}
