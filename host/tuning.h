/* Which GEMM kernels a device gets and with which tile sizes: a small table of defaults per kind
 * of device, overridden by the context's description (clprop_gemm_tuning: for tuning and tests). */
#ifndef CLPROP_TUNING_H
#define CLPROP_TUNING_H

#include <stddef.h>

#include "clprop.h"
#include "message.h"

typedef struct clprop_tuning {
    clprop_gemm_family family;  /* never CLPROP_GEMM_FAMILY_DEFAULT once resolved */
    size_t cpu_tile_m;          /* rows of the CPU register tile (columns: 2 × cpu_vector) */
    size_t cpu_vector;          /* lanes of the CPU kernels' vectors: 8 or 16 */
    size_t cpu_native_vector;   /* the device's own float vector width (the table's, not chosen) */
    size_t cpu_tiles;           /* most tiles a work-item of the in-place kernel computes */
    clprop_cpu_panels cpu_panels; /* never CLPROP_CPU_PANELS_DEFAULT once resolved */
    size_t cpu_panel_bytes;     /* B larger than this goes through panels (auto) */
    size_t cpu_kblock;          /* rows of B in one panel at most (K in blocks of equal depth) */
    size_t cpu_kblock_transposed; /* the same for A·Bᵀ, whose panel copy transposes */
    size_t cpu_items_per_unit;  /* work-items both CPU kernels aim for, per compute unit */
    size_t cpu_gather_ahead;    /* samples ahead whose rows the CPU gather prefetches (0: none) */
    size_t gpu_tile, gpu_depth, gpu_group; /* GPU block edge, K step, work-group edge */
} clprop_tuning;

/* What the tuning needs to know of a device beyond its kind. */
typedef struct clprop_device_limits {
    size_t max_group;   /* its largest work-group: the GPU family needs gpu_group² of it */
    size_t float_lanes; /* its native float vector width: 16 on AVX-512 CPUs, 8 on AVX2 */
} clprop_device_limits;

/* The tuning for a device: its kind's defaults (for CPU devices by their vector width), then the
 * overrides (may be NULL) where they are not 0, each checked against its range. */
clprop_status clprop_tuning_for(const clprop_device_info *device,
                                const clprop_device_limits *limits,
                                const clprop_gemm_tuning *overrides, clprop_tuning *out,
                                clprop_message *message);

/* Columns of the CPU family's register tile: a row of a tile is two vectors. */
static inline size_t clprop_cpu_tile_n(const clprop_tuning *tuning)
{
    return 2 * tuning->cpu_vector;
}

/* "-cl-std=CL1.2 -DCPU_TILE_M=6 ...": the values reach the kernels as -D definitions. */
void clprop_tuning_build_options(const clprop_tuning *tuning, char *options, size_t size);


#endif
