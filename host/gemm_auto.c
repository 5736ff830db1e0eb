/* `--gemm auto`: time our GEMM and CLBlast's on the forward pass of a typical layer (256 units of
 * 784 inputs, batch 256) and keep the faster. CLBlast compiles its kernels on first use, which can
 * take many seconds, so the choice is remembered per device and driver in a small text file:
 * one line "device<TAB>driver<TAB>native|clblast" each. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "context.h"
#include "ops.h"
#include "status.h"

enum { SHAPE_M = 256, SHAPE_N = 256, SHAPE_K = 784, REPEATS = 3 };

static void device_key(const clprop_context *context, char *key, size_t size)
{
    char driver[128] = "";
    clGetDeviceInfo(context->device_id, CL_DRIVER_VERSION, sizeof driver - 1, driver, NULL);
    snprintf(key, size, "%s\t%s\t", context->device.name, driver);
}

/* The cache file, opened only when it is a plain file of ours with no other name: never through a
 * link, never a FIFO (whose open would wait for a writer, signals blocked), never a file someone
 * linked into the folder (a hard link to a file of theirs or to the user's data, which appending
 * the line would damage). -1 when it is not such a file, or missing. */
static int open_cache(const char *path, int flags)
{
    int descriptor = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    if (descriptor < 0)
        return -1;
    struct stat info;
    if (fstat(descriptor, &info) != 0 || !S_ISREG(info.st_mode) || info.st_nlink != 1 ||
        info.st_uid != geteuid()) {
        close(descriptor);
        return -1;
    }
    return descriptor;
}

/* The remembered backend for this device, or -1. */
static int remembered(const char *path, const char *key)
{
    int descriptor = open_cache(path, O_RDONLY);
    FILE *file = descriptor >= 0 ? fdopen(descriptor, "r") : NULL;
    if (file == NULL) {
        if (descriptor >= 0)
            close(descriptor);
        return -1;
    }
    char line[1024];
    int found = -1;
    size_t length = strlen(key);
    while (fgets(line, sizeof line, file) != NULL)
        if (strncmp(line, key, length) == 0)
            found = strncmp(line + length, "clblast", 7) == 0 ? CLPROP_GEMM_CLBLAST
                                                              : CLPROP_GEMM_NATIVE;
    fclose(file);
    return found;
}

/* Appends the choice, one write of a whole line (a failed or short one is cut back off); a cache
 * that can't be written only costs a measurement next time. The folder and its parent are made
 * when missing (~/.cache/clprop on a fresh account). */
static void remember(const char *dir, const char *path, const char *key,
                     clprop_gemm_backend backend)
{
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash != NULL && slash != parent) {
        *slash = '\0';
        mkdir(parent, 0755);
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return;
    int descriptor = open_cache(path, O_WRONLY | O_APPEND | O_CREAT);
    if (descriptor < 0)
        return;
    char line[1024];
    int length = snprintf(line, sizeof line, "%s%s\n", key, clprop_gemm_backend_name(backend));
    struct stat before;
    if (length > 0 && (size_t)length < sizeof line && fstat(descriptor, &before) == 0 &&
        write(descriptor, line, (size_t)length) != length &&
        ftruncate(descriptor, before.st_size) != 0) {
        /* nothing more to do: the next run measures again */
    }
    close(descriptor);
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Best of REPEATS runs after one warm-up (which compiles CLBlast's kernels); < 0 on failure. */
static double time_backend(clprop_context *context, clprop_gemm_backend backend, cl_mem a,
                           cl_mem b, cl_mem c)
{
    clprop_message message;
    context->gemm = backend;
    double best = -1.0;
    for (int run = 0; run <= REPEATS; run++) {
        double start = now_seconds();
        if (clprop_op_gemm(context, &message, 0, 0, SHAPE_M, SHAPE_N, SHAPE_K, 1.0f, a, SHAPE_K,
                           b, SHAPE_N, 0.0f, c, SHAPE_N) != CLPROP_SUCCESS ||
            clFinish(context->queue) != CL_SUCCESS)
            return -1.0;
        double seconds = now_seconds() - start;
        if (run > 0 && (best < 0 || seconds < best))
            best = seconds;
    }
    return best;
}

static clprop_gemm_backend measure(clprop_context *context)
{
    cl_int errors[3];
    cl_mem a = clCreateBuffer(context->cl, CL_MEM_READ_WRITE, SHAPE_M * SHAPE_K * 4, NULL,
                              &errors[0]);
    cl_mem b = clCreateBuffer(context->cl, CL_MEM_READ_WRITE, SHAPE_K * SHAPE_N * 4, NULL,
                              &errors[1]);
    cl_mem c = clCreateBuffer(context->cl, CL_MEM_READ_WRITE, SHAPE_M * SHAPE_N * 4, NULL,
                              &errors[2]);
    clprop_gemm_backend choice = CLPROP_GEMM_NATIVE;
    if (errors[0] == CL_SUCCESS && errors[1] == CL_SUCCESS && errors[2] == CL_SUCCESS) {
        float zero = 0.0f;
        clEnqueueFillBuffer(context->queue, a, &zero, 4, 0, SHAPE_M * SHAPE_K * 4, 0, NULL, NULL);
        clEnqueueFillBuffer(context->queue, b, &zero, 4, 0, SHAPE_K * SHAPE_N * 4, 0, NULL, NULL);
        double native = time_backend(context, CLPROP_GEMM_NATIVE, a, b, c);
        double clblast = time_backend(context, CLPROP_GEMM_CLBLAST, a, b, c);
        if (clblast > 0 && (native < 0 || clblast < native))
            choice = CLPROP_GEMM_CLBLAST;
    }
    cl_mem buffers[] = {a, b, c};
    for (int i = 0; i < 3; i++)
        if (errors[i] == CL_SUCCESS)
            clReleaseMemObject(buffers[i]);
    return choice;
}

clprop_status clprop_gemm_choose_backend(clprop_context *context, const char *cache_dir)
{
    if (cache_dir == NULL || cache_dir[0] == '\0') {
        context->gemm = measure(context);
        return CLPROP_SUCCESS;
    }
    char path[4096], key[512];
    snprintf(path, sizeof path, "%s/gemm-backends", cache_dir);
    device_key(context, key, sizeof key);
    int known = remembered(path, key);
    if (known >= 0) {
        context->gemm = (clprop_gemm_backend)known;
        return CLPROP_SUCCESS;
    }
    context->gemm = measure(context);
    remember(cache_dir, path, key, context->gemm);
    return CLPROP_SUCCESS;
}
