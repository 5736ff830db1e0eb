/* The kernel sources compiled into the library (generated from the kernels folder at build time). */
#ifndef CLPROP_KERNEL_SOURCES_H
#define CLPROP_KERNEL_SOURCES_H

#include <stddef.h>

typedef struct clprop_kernel_source {
    const char *name; /* file name, e.g. "gemm.cl" */
    const char *text;
} clprop_kernel_source;

/* In file-name order, which puts common.cl first among the files that need it. */
extern const clprop_kernel_source clprop_kernel_sources[];
extern const size_t clprop_kernel_source_count;

#endif
