#include "tuning.h"

#include <stdio.h>

/* Defaults by kind of device, measured with clprop-bench kernels (bench/RESULTS.md).
 * CPU: six rows of 16 keep 12 AVX2 registers of accumulators (an 8-row tile spills on AVX2);
 * up to 4 tiles per work-item of the in-place kernel (1.3-1.5x over 1 on the batch-32 products
 * with many tiles, where K is short and a tile is too little work for a task of its own); panels
 * of 256 rows of B (16 KiB, half an L1 data cache) once B is over 256 KiB (half of a Zen 3
 * core's L2: below that B stays in cache and the copy is pure cost); 8 work-items per compute
 * unit, enough to even out the cores without cutting the reuse of each panel short; the gather
 * asks for the rows of the sample 4 ahead of each (kernels/layout.cl). The panels
 * of A·Bᵀ go deeper, 392 rows (25 KiB of a 32 KiB L1): each row of B is read along K there, so a
 * deeper block costs the copy nothing more, and a tile of C is reloaded and stored fewer times
 * (784 in two blocks, not four). Measured on a Zen 3, interleaved rounds of clprop-bench kernels:
 * the forward products 256 × B × 784 and the 128 × 256 × 1024 gradient 5-19 % faster in the best
 * round, the medians equal or better; the straight copy of A·B went slower deeper (a row of B a line, each row
 * a page apart; the batch-1024 weight gradient 45 against 72 GFLOP/s on one core with 448 rows),
 * so it keeps 256.
 * GPU: the common 64×64 block with a 16-deep K step and 16×16 work-items (4×4 outputs each); not
 * yet tuned on a real GPU. Every kind carries every family's entries: the overrides may pick
 * another family than its own. */
#define CPU_KBLOCK_TRANSPOSED 392
#define CPU_FAMILY_DEFAULTS                                                                        \
    .cpu_tile_m = 6, .cpu_tiles = 4, .cpu_panels = CLPROP_CPU_PANELS_AUTO,                         \
    .cpu_panel_bytes = 256 * 1024, .cpu_kblock = 256,                                              \
    .cpu_kblock_transposed = CPU_KBLOCK_TRANSPOSED, .cpu_items_per_unit = 8,                      \
    .cpu_gather_ahead = 4
#define GPU_FAMILY_DEFAULTS .gpu_tile = 64, .gpu_depth = 16, .gpu_group = 16
static const clprop_tuning defaults_by_kind[] = {
    [CLPROP_DEVICE_GPU] = {.family = CLPROP_GEMM_FAMILY_GPU,
                           CPU_FAMILY_DEFAULTS,
                           GPU_FAMILY_DEFAULTS},
    [CLPROP_DEVICE_CPU] = {.family = CLPROP_GEMM_FAMILY_CPU,
                           CPU_FAMILY_DEFAULTS,
                           GPU_FAMILY_DEFAULTS},
    [CLPROP_DEVICE_OTHER] = {.family = CLPROP_GEMM_FAMILY_GENERIC,
                             CPU_FAMILY_DEFAULTS,
                             GPU_FAMILY_DEFAULTS},
};

/* A count override: 0 keeps *value, else it must be within [low, high]. */
static clprop_status override_count(const char *field, size_t given, size_t low, size_t high,
                                    size_t *value, clprop_message *message)
{
    if (given == 0)
        return CLPROP_SUCCESS;
    if (given < low || given > high)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "GEMM tuning: %s must be %zu to %zu, not %zu", field, low, high, given);
    *value = given;
    return CLPROP_SUCCESS;
}

/* A CPU device with 16 native float lanes has AVX-512: twice the lanes per FMA, so the CPU
 * family's tiles are float16 pairs, 6 × 32. Measured on a Zen 5 (2 cores; clprop-bench kernels,
 * the sum of a step's GEMMs, best of 2-3 rounds): 6 rows beat 8, 10 and 12 at batch 1024
 * (3.05 ms against 3.44, 3.54, 3.77) and tie at batch 256 (0.88 ms against 0.85); panels of
 * 256 rows (32 KiB of Zen 5's 48 KiB L1 data cache) beat 128 at batch 1024 and tie at 256. */
#define AVX512_TILE_M 6
#define AVX512_KBLOCK 256

static void defaults_for(const clprop_device_info *device, const clprop_device_limits *limits,
                         clprop_tuning *out)
{
    *out = defaults_by_kind[device->kind];
    out->cpu_native_vector = limits->float_lanes;
    out->cpu_vector = 8;
    if (device->kind == CLPROP_DEVICE_CPU && limits->float_lanes >= 16) {
        out->cpu_vector = 16;
        out->cpu_tile_m = AVX512_TILE_M;
        out->cpu_kblock = AVX512_KBLOCK;
        out->cpu_kblock_transposed = AVX512_KBLOCK; /* 32-column panels: 392 rows pass L1 */
    }
}

clprop_status clprop_tuning_for(const clprop_device_info *device,
                                const clprop_device_limits *limits,
                                const clprop_gemm_tuning *overrides, clprop_tuning *out,
                                clprop_message *message)
{
    defaults_for(device, limits, out);
    static const clprop_gemm_tuning none = {0};
    const clprop_gemm_tuning *o = overrides != NULL ? overrides : &none;
    if (clprop_gemm_family_name(o->family) == NULL)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "GEMM tuning: unknown family %d", (int)o->family);
    if (clprop_cpu_panels_name(o->cpu_panels) == NULL)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "GEMM tuning: unknown panel policy %d", (int)o->cpu_panels);
    if (o->family != CLPROP_GEMM_FAMILY_DEFAULT)
        out->family = o->family;
    if (o->cpu_panels != CLPROP_CPU_PANELS_DEFAULT)
        out->cpu_panels = o->cpu_panels;
    CLPROP_CHECK(override_count("cpu_tile_m", o->cpu_tile_m, 1, 16, &out->cpu_tile_m, message));
    if (o->cpu_vector != 0 && o->cpu_vector != 8 && o->cpu_vector != 16)
        return clprop_fail(message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "GEMM tuning: cpu_vector must be 8 or 16, not %zu", o->cpu_vector);
    if (o->cpu_vector != 0)
        out->cpu_vector = o->cpu_vector;
    CLPROP_CHECK(override_count("cpu_tiles", o->cpu_tiles, 1, 64, &out->cpu_tiles, message));
    CLPROP_CHECK(override_count("cpu_kblock", o->cpu_kblock, 16, 1024, &out->cpu_kblock, message));
    /* a depth given for every panel holds for A·Bᵀ's too, unless that has its own */
    size_t transposed = o->cpu_kblock_transposed != 0 ? o->cpu_kblock_transposed : o->cpu_kblock;
    CLPROP_CHECK(override_count("cpu_kblock_transposed", transposed, 16, 1024,
                                &out->cpu_kblock_transposed, message));
    CLPROP_CHECK(override_count("cpu_items_per_unit", o->cpu_items_per_unit, 1, 1024,
                                &out->cpu_items_per_unit, message));
    /* a device whose work-groups are too small for the GPU tiles gets the portable kernels */
    if (out->family == CLPROP_GEMM_FAMILY_GPU &&
        limits->max_group < out->gpu_group * out->gpu_group)
        out->family = CLPROP_GEMM_FAMILY_GENERIC;
    return CLPROP_SUCCESS;
}

void clprop_tuning_build_options(const clprop_tuning *tuning, char *options, size_t size)
{
    /* the gather takes whole rows a work-item in the CPU family only (host/ops.c) */
    size_t gather_ahead =
        tuning->family == CLPROP_GEMM_FAMILY_CPU ? tuning->cpu_gather_ahead : 0;
    snprintf(options, size,
             "-cl-std=CL1.2 -DCPU_TILE_M=%zu -DCPU_VECTOR=%zu -DCPU_TILE_N=%zu -DCPU_KBLOCK=%zu "
             "-DCPU_KBLOCK_T=%zu -DCPU_NATIVE_VECTOR=%zu -DGPU_TILE=%zu -DGPU_DEPTH=%zu "
             "-DGPU_GROUP=%zu -DGATHER_AHEAD=%zu",
             tuning->cpu_tile_m, tuning->cpu_vector, clprop_cpu_tile_n(tuning), tuning->cpu_kblock,
             tuning->cpu_kblock_transposed, tuning->cpu_native_vector, tuning->gpu_tile,
             tuning->gpu_depth, tuning->gpu_group, gather_ahead);
}
