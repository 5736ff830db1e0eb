/* Which GEMM kernels a device gets and with which tile sizes: a small table of defaults per kind
 * of device, overridden by the context's description (clprop_gemm_tuning: for tuning and tests). */
#ifndef CLPROP_TUNING_H
#define CLPROP_TUNING_H

#include <stddef.h>

#include "clprop.h"
#include "message.h"

typedef struct clprop_tuning {
    clprop_gemm_family family;  /* never CLPROP_GEMM_FAMILY_DEFAULT once resolved */
    size_t cpu_tile_m;          /* rows of the CPU register tile (columns: 16) */
    size_t cpu_tiles;           /* most tiles a work-item of the in-place kernel computes */
    clprop_cpu_panels cpu_panels; /* never CLPROP_CPU_PANELS_DEFAULT once resolved */
    size_t cpu_panel_bytes;     /* B larger than this goes through panels (auto) */
    size_t cpu_kblock;          /* rows of B in one panel */
    size_t cpu_items_per_unit;  /* work-items both CPU kernels aim for, per compute unit */
    size_t gpu_tile, gpu_depth, gpu_group; /* GPU block edge, K step, work-group edge */
} clprop_tuning;

/* The tuning for a device: its kind's defaults, then the overrides (may be NULL) where they are
 * not 0, each checked against its range. `max_group` is the device's largest work-group; the GPU
 * family needs gpu_group² of it. */
clprop_status clprop_tuning_for(const clprop_device_info *device, size_t max_group,
                                const clprop_gemm_tuning *overrides, clprop_tuning *out,
                                clprop_message *message);

/* "-cl-std=CL1.2 -DCPU_TILE_M=6 ...": the values reach the kernels as -D definitions. */
void clprop_tuning_build_options(const clprop_tuning *tuning, char *options, size_t size);


#endif
