/* The environment variables the programs (clprop, clprop-bench and the test suite) read, turned
 * into a context description: the library itself reads none. */
#ifndef CLPROP_ENVIRONMENT_H
#define CLPROP_ENVIRONMENT_H

#include <stddef.h>

#include "clprop.h"

/* Fills what desc leaves unset (0 or NULL) from the environment: the device from CLPROP_DEVICE; the GEMM
 * tuning from CLPROP_GEMM_FAMILY (generic|cpu|gpu), CLPROP_CPU_TILE_M, CLPROP_CPU_TILES,
 * CLPROP_CPU_PANELS (auto|always|never), CLPROP_CPU_KBLOCK, CLPROP_CPU_KBLOCK_T, CLPROP_CPU_ITEMS and CLPROP_CPU_VECTOR; kernel_dir from
 * CLPROP_KERNEL_DIR; keep_data_on_host from CLPROP_DATA_ON_HOST=1; stream_chunk from
 * CLPROP_STREAM_CHUNK; cache_dir from $XDG_CACHE_HOME/clprop (else ~/.cache/clprop). Returns 0 with one line in `problem` naming the variable when a value is
 * not one of its kind (ranges are the library's to check). */
int environment_context_desc(clprop_context_desc *desc, char *problem, size_t problem_size);

#endif
