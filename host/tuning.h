/* Which GEMM kernels a device gets and with which tile sizes: a small table of defaults per kind
 * of device, overridable from the environment (for tuning and for tests). */
#ifndef CLPROP_TUNING_H
#define CLPROP_TUNING_H

#include <stddef.h>

#include "clprop.h"
#include "message.h"

typedef enum clprop_gemm_family {
    CLPROP_FAMILY_GENERIC, /* portable register-blocked kernels, no local memory (gemm.cl) */
    CLPROP_FAMILY_CPU,     /* register tiles in float16, one-item work-groups (gemm_cpu.cl) */
    CLPROP_FAMILY_GPU      /* local-memory tiles (gemm_gpu.cl) */
} clprop_gemm_family;

typedef struct clprop_tuning {
    clprop_gemm_family family;
    size_t cpu_tile_m;                      /* rows of the CPU register tile (columns: 16) */
    size_t cpu_tiles;                       /* CPU tiles each work-item computes in a row */
    size_t gpu_tile, gpu_depth, gpu_group;  /* GPU block edge, K step, work-group edge */
} clprop_tuning;

/* The tuning for a device: its kind's defaults, then CLPROP_GEMM_FAMILY (generic|cpu|gpu),
 * CLPROP_CPU_TILE_M (1..8) and CLPROP_CPU_TILES (1..64) from the environment. `max_group` is the device's largest work-group;
 * the GPU family needs gpu_group² of it. */
clprop_status clprop_tuning_for(const clprop_device_info *device, size_t max_group,
                                clprop_tuning *out, clprop_message *message);

/* "-cl-std=CL1.2 -DCPU_TILE_M=6 ...": the values reach the kernels as -D definitions. */
void clprop_tuning_build_options(const clprop_tuning *tuning, char *options, size_t size);

const char *clprop_gemm_family_name(clprop_gemm_family family);

#endif
