#include "environment.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The variable's value, or NULL when it is unset or empty. */
static const char *value_of(const char *variable)
{
    const char *value = getenv(variable);
    return value != NULL && value[0] != '\0' ? value : NULL;
}

/* A whole number of decimal digits only, into *out; 0 (problem written) otherwise. */
static int count_from(const char *variable, size_t *out, char *problem, size_t size)
{
    const char *text = value_of(variable);
    if (text == NULL)
        return 1;
    char *end = NULL;
    errno = 0;
    unsigned long long value = text[0] >= '0' && text[0] <= '9' ? strtoull(text, &end, 10) : 0;
    if (end == NULL || *end != '\0' || errno != 0 || value == 0 || value > (size_t)-1) {
        snprintf(problem, size, "%s must be a whole number from 1, not \"%.64s\"", variable, text);
        return 0;
    }
    *out = (size_t)value;
    return 1;
}

/* The CPU kernels' vector width: 8 or 16 lanes, nothing else. */
static int vector_from(const char *variable, size_t *out, char *problem, size_t size)
{
    const char *text = value_of(variable);
    if (text == NULL)
        return 1;
    if (strcmp(text, "8") == 0 || strcmp(text, "16") == 0) {
        *out = text[0] == '8' ? 8 : 16;
        return 1;
    }
    snprintf(problem, size, "%s must be 8 or 16 (lanes), not \"%.64s\"", variable, text);
    return 0;
}

static int family_from(const char *variable, clprop_gemm_family *out, char *problem, size_t size)
{
    const char *text = value_of(variable);
    if (text == NULL || clprop_gemm_family_from_name(text, out))
        return 1;
    snprintf(problem, size, "%s must be generic, cpu or gpu, not \"%.64s\"", variable, text);
    return 0;
}

static int panels_from(const char *variable, clprop_cpu_panels *out, char *problem, size_t size)
{
    const char *text = value_of(variable);
    if (text == NULL || clprop_cpu_panels_from_name(text, out))
        return 1;
    snprintf(problem, size, "%s must be auto, always or never, not \"%.64s\"", variable, text);
    return 0;
}

/* $XDG_CACHE_HOME/clprop, else ~/.cache/clprop; NULL without either (nothing is remembered).
 * Kept in a static buffer: the programs read their environment once, at start. */
static const char *cache_dir(void)
{
    static char path[4096];
    const char *base = value_of("XDG_CACHE_HOME"), *home = value_of("HOME");
    if (base != NULL && base[0] == '/') /* a relative one is to be ignored, says the XDG spec */
        snprintf(path, sizeof path, "%s/clprop", base);
    else if (home != NULL)
        snprintf(path, sizeof path, "%s/.cache/clprop", home);
    else
        return NULL;
    return path;
}

int environment_context_desc(clprop_context_desc *desc, char *problem, size_t problem_size)
{
    if (desc->device == NULL || desc->device[0] == '\0')
        desc->device = value_of("CLPROP_DEVICE");
    if (desc->kernel_dir == NULL)
        desc->kernel_dir = value_of("CLPROP_KERNEL_DIR");
    if (desc->cache_dir == NULL)
        desc->cache_dir = cache_dir();
    const char *on_host = value_of("CLPROP_DATA_ON_HOST");
    if (on_host != NULL && strcmp(on_host, "1") == 0)
        desc->keep_data_on_host = 1;
    /* read into a copy, then taken only where desc left a field 0 */
    clprop_context_desc read = {0};
    clprop_gemm_tuning *t = &read.tuning, *into = &desc->tuning;
    int ok = family_from("CLPROP_GEMM_FAMILY", &t->family, problem, problem_size) &&
             panels_from("CLPROP_CPU_PANELS", &t->cpu_panels, problem, problem_size) &&
             count_from("CLPROP_CPU_TILE_M", &t->cpu_tile_m, problem, problem_size) &&
             count_from("CLPROP_CPU_TILES", &t->cpu_tiles, problem, problem_size) &&
             count_from("CLPROP_CPU_KBLOCK", &t->cpu_kblock, problem, problem_size) &&
             count_from("CLPROP_CPU_KBLOCK_T", &t->cpu_kblock_transposed, problem, problem_size) &&
             count_from("CLPROP_CPU_ITEMS", &t->cpu_items_per_unit, problem, problem_size) &&
             vector_from("CLPROP_CPU_VECTOR", &t->cpu_vector, problem, problem_size) &&
             count_from("CLPROP_STREAM_CHUNK", &read.stream_chunk, problem, problem_size);
    if (into->family == CLPROP_GEMM_FAMILY_DEFAULT)
        into->family = t->family;
    if (into->cpu_panels == CLPROP_CPU_PANELS_DEFAULT)
        into->cpu_panels = t->cpu_panels;
    into->cpu_tile_m = into->cpu_tile_m != 0 ? into->cpu_tile_m : t->cpu_tile_m;
    into->cpu_tiles = into->cpu_tiles != 0 ? into->cpu_tiles : t->cpu_tiles;
    into->cpu_kblock = into->cpu_kblock != 0 ? into->cpu_kblock : t->cpu_kblock;
    into->cpu_kblock_transposed =
        into->cpu_kblock_transposed != 0 ? into->cpu_kblock_transposed : t->cpu_kblock_transposed;
    into->cpu_items_per_unit =
        into->cpu_items_per_unit != 0 ? into->cpu_items_per_unit : t->cpu_items_per_unit;
    into->cpu_vector = into->cpu_vector != 0 ? into->cpu_vector : t->cpu_vector;
    desc->stream_chunk = desc->stream_chunk != 0 ? desc->stream_chunk : read.stream_chunk;
    return ok;
}
