#include "tuning.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defaults by kind of device, measured with clprop-bench kernels (bench/RESULTS.md).
 * CPU: six rows of 16 keep 12 AVX2 registers of accumulators (an 8-row tile spills on AVX2);
 * up to 4 tiles per work-item of the in-place kernel (1.3-1.5x over 1 on the batch-32 products
 * with many tiles, where K is short and a tile is too little work for a task of its own); panels
 * of 256 rows of B (16 KiB, half an L1 data cache) once B is over 256 KiB (half of a Zen 3
 * core's L2: below that B stays in cache and the copy is pure cost); 8 work-items per compute
 * unit, enough to even out the cores without cutting the reuse of each panel short.
 * GPU: the common 64×64 block with a 16-deep K step and 16×16 work-items (4×4 outputs each); not
 * yet tuned on a real GPU. Every kind carries every family's entries: CLPROP_GEMM_FAMILY may pick
 * another family than its own. */
#define CPU_FAMILY_DEFAULTS                                                                        \
    .cpu_tile_m = 6, .cpu_tiles = 4, .cpu_panels = CLPROP_PANELS_AUTO,                             \
    .cpu_panel_bytes = 256 * 1024, .cpu_kblock = 256, .cpu_items_per_unit = 8
#define GPU_FAMILY_DEFAULTS .gpu_tile = 64, .gpu_depth = 16, .gpu_group = 16
static const clprop_tuning defaults_by_kind[] = {
    [CLPROP_DEVICE_GPU] = {.family = CLPROP_FAMILY_GPU, CPU_FAMILY_DEFAULTS, GPU_FAMILY_DEFAULTS},
    [CLPROP_DEVICE_CPU] = {.family = CLPROP_FAMILY_CPU, CPU_FAMILY_DEFAULTS, GPU_FAMILY_DEFAULTS},
    [CLPROP_DEVICE_OTHER] = {.family = CLPROP_FAMILY_GENERIC,
                             CPU_FAMILY_DEFAULTS,
                             GPU_FAMILY_DEFAULTS},
};

/* The CPU kernels are compiled for every device, though only the CPU family launches them: away
 * from it their private panels shrink to 16 rows, which no GPU compiler should refuse. */
#define KBLOCK_OFF_THE_CPU_FAMILY 16

static const char *const panel_policy_names[] = {"auto", "always", "never"};

static const char *const family_names[] = {"generic", "cpu", "gpu"};

const char *clprop_gemm_family_name(clprop_gemm_family family)
{
    return family <= CLPROP_FAMILY_GPU ? family_names[family] : "unknown";
}

/* One of three names (`names`, in enum order) from the environment variable `variable`, as its
 * index into *choice; the message names the variable and the three. */
static clprop_status override_choice(const char *variable, const char *const names[3],
                                     int *choice, clprop_message *message)
{
    const char *text = getenv(variable);
    if (text == NULL || text[0] == '\0')
        return CLPROP_SUCCESS;
    for (int c = 0; c < 3; c++)
        if (strcmp(text, names[c]) == 0) {
            *choice = c;
            return CLPROP_SUCCESS;
        }
    return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                       "%s must be %s, %s or %s, not \"%s\"", variable, names[0], names[1],
                       names[2], text);
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
    int family = (int)out->family, panels = (int)out->cpu_panels;
    clprop_status status = override_choice("CLPROP_GEMM_FAMILY", family_names, &family, message);
    out->family = (clprop_gemm_family)family;
    if (status == CLPROP_SUCCESS)
        status = override_count("CLPROP_CPU_TILE_M", 1, 8, &out->cpu_tile_m, message);
    if (status == CLPROP_SUCCESS)
        status = override_count("CLPROP_CPU_TILES", 1, 64, &out->cpu_tiles, message);
    if (status == CLPROP_SUCCESS)
        status = override_choice("CLPROP_CPU_PANELS", panel_policy_names, &panels, message);
    out->cpu_panels = (clprop_panel_policy)panels;
    if (status == CLPROP_SUCCESS)
        status = override_count("CLPROP_CPU_KBLOCK", 16, 1024, &out->cpu_kblock, message);
    if (status == CLPROP_SUCCESS)
        status = override_count("CLPROP_CPU_ITEMS", 1, 1024, &out->cpu_items_per_unit, message);
    /* a device whose work-groups are too small for the GPU tiles gets the portable kernels */
    if (out->family == CLPROP_FAMILY_GPU && max_group < out->gpu_group * out->gpu_group)
        out->family = CLPROP_FAMILY_GENERIC;
    return status;
}

void clprop_tuning_build_options(const clprop_tuning *tuning, char *options, size_t size)
{
    snprintf(options, size,
             "-cl-std=CL1.2 -DCPU_TILE_M=%zu -DCPU_KBLOCK=%zu -DGPU_TILE=%zu -DGPU_DEPTH=%zu "
             "-DGPU_GROUP=%zu",
             tuning->cpu_tile_m,
             tuning->family == CLPROP_FAMILY_CPU ? tuning->cpu_kblock : KBLOCK_OFF_THE_CPU_FAMILY,
             tuning->gpu_tile, tuning->gpu_depth, tuning->gpu_group);
}
