/* A context: one chosen device, its OpenCL context and queue, the compiled program and the
 * kernels made from it. Everything the library puts on a device hangs off one of these. */
#include "context.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "kernel_contract.h"
#include "program.h"
#include "status.h"

static clprop_status open_device(clprop_context *context, const clprop_device_entry *entry,
                                 const clprop_context_desc *desc)
{
    cl_int error;
    context->device = entry->info;
    context->has_device = 1;
    context->device_id = entry->device;
    cl_context_properties properties[] = {CL_CONTEXT_PLATFORM,
                                          (cl_context_properties)entry->platform, 0};
    context->cl = clCreateContext(properties, 1, &entry->device, NULL, NULL, &error);
    if (error != CL_SUCCESS)
        return clprop_fail(&context->message, error, "clCreateContext on %s failed: %s",
                           entry->info.name, clprop_status_name(error));
    /* Profiling is cheap and lets the benchmarks time kernels with events. */
    context->queue = clCreateCommandQueue(context->cl, entry->device, CL_QUEUE_PROFILING_ENABLE,
                                          &error);
    if (error != CL_SUCCESS)
        return clprop_fail(&context->message, error, "clCreateCommandQueue on %s failed: %s",
                           entry->info.name, clprop_status_name(error));
    cl_bool unified = CL_FALSE;
    clGetDeviceInfo(entry->device, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified, &unified, NULL);
    context->shares_host_memory = unified == CL_TRUE || entry->info.kind == CLPROP_DEVICE_CPU;
    clprop_device_limits limits = {.max_group = 1, .float_lanes = 1};
    clGetDeviceInfo(entry->device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof limits.max_group,
                    &limits.max_group, NULL);
    cl_uint lanes = 1;
    if (clGetDeviceInfo(entry->device, CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT, sizeof lanes, &lanes,
                        NULL) == CL_SUCCESS)
        limits.float_lanes = lanes;
    clprop_status status = clprop_tuning_for(&entry->info, &limits, &desc->tuning,
                                             &context->tuning, &context->message);
    if (status != CLPROP_SUCCESS)
        return status;
    char options[1024];
    int contract = clprop_kernel_contract_options(options, sizeof options);
    options[contract++] = ' ';
    clprop_tuning_build_options(&context->tuning, options + contract,
                                sizeof options - (size_t)contract);
    return clprop_program_build(context->cl, entry->device, options, desc->kernel_dir,
                                context->tuning.family, &context->program, &context->message);
}

clprop_status clprop_context_create(const clprop_context_desc *desc, clprop_context **out)
{
    if (out == NULL)
        return CLPROP_ERROR_INVALID_ARGUMENT;
    clprop_context *context = calloc(1, sizeof *context);
    *out = context;
    if (context == NULL)
        return CLPROP_ERROR_OUT_OF_HOST_MEMORY;
    static const clprop_context_desc defaults = {0};
    if (desc == NULL)
        desc = &defaults;
    context->gemm = desc->gemm;
    context->keep_data_on_host = desc->keep_data_on_host;
    context->stream_chunk = desc->stream_chunk;
    if (clprop_gemm_backend_name(context->gemm) == NULL)
        return clprop_fail(&context->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "unknown GEMM backend %d", (int)context->gemm);

    clprop_device_table table;
    clprop_status status = clprop_device_table_load(&table, &context->message);
    if (status != CLPROP_SUCCESS)
        return status;
    size_t chosen = 0;
    status = clprop_device_select(&table, desc->device, &chosen, &context->message);
    if (status == CLPROP_SUCCESS)
        status = open_device(context, &table.entries[chosen], desc);
    clprop_device_table_free(&table);
    if (status == CLPROP_SUCCESS && context->gemm == CLPROP_GEMM_AUTO)
        status = clprop_gemm_choose_backend(context, desc->cache_dir);
    return status;
}

void clprop_context_destroy(clprop_context *context)
{
    if (context == NULL)
        return;
    for (size_t i = 0; i < CLPROP_KERNEL_COUNT; i++)
        if (context->kernels[i] != NULL)
            clReleaseKernel(context->kernels[i]);
    if (context->program != NULL)
        clReleaseProgram(context->program);
    if (context->queue != NULL)
        clReleaseCommandQueue(context->queue);
    if (context->cl != NULL)
        clReleaseContext(context->cl);
    free(context);
}

const char *clprop_context_message(const clprop_context *context)
{
    if (context == NULL)
        return "out of host memory";
    return context->message.text;
}

const clprop_device_info *clprop_context_device(const clprop_context *context)
{
    return context != NULL && context->has_device ? &context->device : NULL;
}

clprop_gemm_backend clprop_context_gemm_backend(const clprop_context *context)
{
    return context != NULL ? context->gemm : CLPROP_GEMM_NATIVE;
}

static clprop_status create_buffer(clprop_context *context, clprop_message *message,
                                   cl_mem_flags flags, size_t bytes, const void *values,
                                   const char *what, cl_mem *out)
{
    cl_int error;
    *out = clCreateBuffer(context->cl, flags, bytes, (void *)values, &error);
    if (error == CL_SUCCESS)
        return CLPROP_SUCCESS;
    *out = NULL;
    return clprop_fail(message, error, "allocating %s (%.1f MiB) on %s failed: %s", what,
                       (double)bytes / 1048576.0, context->device.name, clprop_status_name(error));
}

clprop_status clprop_context_buffer(clprop_context *context, clprop_message *message,
                                    size_t bytes, const void *values, const char *what,
                                    cl_mem *out)
{
    cl_mem_flags flags = CL_MEM_READ_WRITE | (values != NULL ? CL_MEM_COPY_HOST_PTR : 0);
    return create_buffer(context, message, flags, bytes, values, what, out);
}

clprop_status clprop_context_host_buffer(clprop_context *context, clprop_message *message,
                                         size_t bytes, const void *values, const char *what,
                                         cl_mem *out, int *in_place)
{
    /* read-only on both sides: the bytes may be a file mapped read-only */
    *in_place = context->shares_host_memory;
    cl_mem_flags flags = CL_MEM_READ_ONLY |
                         (*in_place ? CL_MEM_USE_HOST_PTR : CL_MEM_COPY_HOST_PTR);
    return create_buffer(context, message, flags, bytes, values, what, out);
}

clprop_status clprop_context_sub_buffer(clprop_message *message, cl_mem parent, size_t origin,
                                        size_t bytes, const char *what, cl_mem *out)
{
    cl_buffer_region region = {origin, bytes};
    cl_int error;
    *out = clCreateSubBuffer(parent, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, &region,
                             &error);
    if (error == CL_SUCCESS)
        return CLPROP_SUCCESS;
    *out = NULL;
    return clprop_fail(message, error, "%s: %s", what, clprop_status_name(error));
}

size_t clprop_context_float_alignment(const clprop_context *context)
{
    cl_uint bits = 0;
    clGetDeviceInfo(context->device_id, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof bits, &bits, NULL);
    size_t floats = bits / (8 * sizeof(float));
    return floats > 16 ? floats : 16;
}

const char *clprop_kernel_name(clprop_kernel_id id)
{
    static const char *const names[CLPROP_KERNEL_COUNT] = {
#define CLPROP_KERNEL_NAME(id, name) name,
        CLPROP_KERNEL_LIST(CLPROP_KERNEL_NAME)
#undef CLPROP_KERNEL_NAME
    };
    return (unsigned)id < CLPROP_KERNEL_COUNT ? names[id] : "(no such kernel)";
}

clprop_status clprop_context_kernel(clprop_context *context, clprop_kernel_id id, cl_kernel *out)
{
    if ((unsigned)id >= CLPROP_KERNEL_COUNT)
        return clprop_fail(&context->message, CLPROP_ERROR_INVALID_ARGUMENT,
                           "no kernel number %d", (int)id);
    if (context->kernels[id] == NULL) {
        cl_int error;
        context->kernels[id] = clCreateKernel(context->program, clprop_kernel_name(id), &error);
        if (error != CL_SUCCESS) {
            context->kernels[id] = NULL;
            return clprop_fail(&context->message, error, "clCreateKernel(%s) failed: %s",
                               clprop_kernel_name(id), clprop_status_name(error));
        }
    }
    *out = context->kernels[id];
    return CLPROP_SUCCESS;
}
