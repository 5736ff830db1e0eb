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

/* When the CPU family copies panels of B into private memory (gemm_cpu.cl). */
typedef enum clprop_panel_policy {
    CLPROP_PANELS_AUTO,   /* for A·Bᵀ, and for a B larger than cpu_panel_bytes whose panels
                             each serve enough tiles of rows (host/gemm_cpu.c) */
    CLPROP_PANELS_ALWAYS,
    CLPROP_PANELS_NEVER   /* but A·Bᵀ, which only the panel kernel does */
} clprop_panel_policy;

typedef struct clprop_tuning {
    clprop_gemm_family family;
    size_t cpu_tile_m;          /* rows of the CPU register tile (columns: 16) */
    size_t cpu_tiles;           /* most tiles a work-item of the in-place kernel computes */
    clprop_panel_policy cpu_panels;
    size_t cpu_panel_bytes;     /* B larger than this goes through panels (auto) */
    size_t cpu_kblock;          /* rows of B in one panel */
    size_t cpu_items_per_unit;  /* work-items both CPU kernels aim for, per compute unit */
    size_t gpu_tile, gpu_depth, gpu_group; /* GPU block edge, K step, work-group edge */
} clprop_tuning;

/* The tuning for a device: its kind's defaults, then from the environment CLPROP_GEMM_FAMILY
 * (generic|cpu|gpu), CLPROP_CPU_TILE_M (1..8), CLPROP_CPU_TILES (1..64), CLPROP_CPU_PANELS
 * (auto|always|never), CLPROP_CPU_KBLOCK (16..1024) and CLPROP_CPU_ITEMS (work-items per
 * compute unit, 1..1024). `max_group` is the device's largest work-group; the GPU family needs
 * gpu_group² of it. */
clprop_status clprop_tuning_for(const clprop_device_info *device, size_t max_group,
                                clprop_tuning *out, clprop_message *message);

/* "-cl-std=CL1.2 -DCPU_TILE_M=6 ...": the values reach the kernels as -D definitions. */
void clprop_tuning_build_options(const clprop_tuning *tuning, char *options, size_t size);

const char *clprop_gemm_family_name(clprop_gemm_family family);

#endif
