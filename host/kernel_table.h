/* Every kernel the library launches, as an enum indexing the context's table of cl_kernels: a
 * launch names its kernel by a constant the compiler checks, and each kernel object is created
 * once, on first use. The names are the kernels' names in the .cl files of kernels/. */
#ifndef CLPROP_KERNEL_TABLE_H
#define CLPROP_KERNEL_TABLE_H

#define CLPROP_KERNEL_LIST(X)                                                                      \
    X(GEMM_NN, "gemm_nn")                                                                          \
    X(GEMM_NT, "gemm_nt")                                                                          \
    X(GEMM_TN, "gemm_tn")                                                                          \
    X(GEMM_CPU_NN, "gemm_cpu_nn")                                                                  \
    X(GEMM_CPU_TN, "gemm_cpu_tn")                                                                  \
    X(GEMM_CPU_PANEL_NN, "gemm_cpu_panel_nn")                                                      \
    X(GEMM_CPU_PANEL_NT, "gemm_cpu_panel_nt")                                                      \
    X(GEMM_CPU_PANEL_TN, "gemm_cpu_panel_tn")                                                      \
    X(GEMM_GPU_NN, "gemm_gpu_nn")                                                                  \
    X(GEMM_GPU_NT, "gemm_gpu_nt")                                                                  \
    X(GEMM_GPU_TN, "gemm_gpu_tn")                                                                  \
    X(BIAS_ACTIVATE, "bias_activate")                                                              \
    X(BIAS_SOFTMAX, "bias_softmax")                                                                \
    X(OUTPUT_DELTA, "output_delta")                                                                \
    X(SCALE_BY_DERIVATIVE, "scale_by_derivative")                                                  \
    X(SAMPLE_LOSS, "sample_loss")                                                                  \
    X(OUTPUT_STEP, "output_step")                                                                  \
    X(BIAS_GRADIENT, "bias_gradient")                                                              \
    X(GATHER_BATCH, "gather_batch")                                                                \
    X(GATHER_BYTE_BATCH, "gather_byte_batch")                                                      \
    X(SAMPLES_TO_COLUMNS, "samples_to_columns")                                                    \
    X(COLUMNS_TO_SAMPLES, "columns_to_samples")                                                    \
    X(SGD_UPDATE, "sgd_update")                                                                    \
    X(MOMENTUM_UPDATE, "momentum_update")                                                          \
    X(ADAM_UPDATE, "adam_update")                                                                  \
    X(RPROP_UPDATE, "rprop_update")

typedef enum clprop_kernel_id {
#define CLPROP_KERNEL_ENUM(id, name) CLPROP_KERNEL_##id,
    CLPROP_KERNEL_LIST(CLPROP_KERNEL_ENUM)
#undef CLPROP_KERNEL_ENUM
    CLPROP_KERNEL_COUNT
} clprop_kernel_id;

/* The kernel's name in the program ("gemm_nn"). */
const char *clprop_kernel_name(clprop_kernel_id id);

#endif
