#include "device.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "status.h"

#define MAX_PLATFORMS 16
#define MAX_DEVICES_PER_PLATFORM 64

static const char *const install_hint =
    "install your device's OpenCL driver, or PoCL to run on the CPU: "
    "apt-get install pocl-opencl-icd ocl-icd-libopencl1";

static clprop_device_kind kind_of(cl_device_type type)
{
    if (type & CL_DEVICE_TYPE_GPU)
        return CLPROP_DEVICE_GPU;
    if (type & CL_DEVICE_TYPE_CPU)
        return CLPROP_DEVICE_CPU;
    return CLPROP_DEVICE_OTHER;
}

static void trim_trailing_spaces(char *text)
{
    size_t length = strlen(text);
    while (length > 0 && isspace((unsigned char)text[length - 1]))
        text[--length] = '\0';
}

static void describe_device(clprop_device_entry *entry)
{
    clprop_device_info *info = &entry->info;
    cl_device_type type = 0;
    cl_uint units = 0;
    cl_ulong global = 0, max_alloc = 0;
    clGetDeviceInfo(entry->device, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    clGetDeviceInfo(entry->device, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, NULL);
    clGetDeviceInfo(entry->device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof global, &global, NULL);
    clGetDeviceInfo(entry->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof max_alloc, &max_alloc,
                    NULL);
    clGetDeviceInfo(entry->device, CL_DEVICE_NAME, sizeof info->name - 1, info->name, NULL);
    clGetPlatformInfo(entry->platform, CL_PLATFORM_NAME, sizeof info->platform_name - 1,
                      info->platform_name, NULL);
    trim_trailing_spaces(info->name);
    trim_trailing_spaces(info->platform_name);
    info->kind = kind_of(type);
    info->compute_units = units;
    info->global_memory_bytes = global;
    info->max_allocation_bytes = max_alloc;
}

static clprop_status append_platform_devices(clprop_device_table *table, cl_platform_id platform,
                                             unsigned platform_index, clprop_message *message)
{
    cl_device_id devices[MAX_DEVICES_PER_PLATFORM];
    cl_uint count = 0;
    cl_int error = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, MAX_DEVICES_PER_PLATFORM, devices,
                                  &count);
    if (error == CL_DEVICE_NOT_FOUND)
        return CLPROP_SUCCESS; /* a platform with no devices is not an error */
    if (error != CL_SUCCESS)
        return clprop_fail(message, error, "clGetDeviceIDs failed: %s",
                           clprop_status_name(error));
    if (count > MAX_DEVICES_PER_PLATFORM)
        count = MAX_DEVICES_PER_PLATFORM;
    clprop_device_entry *grown =
        realloc(table->entries, (table->count + count) * sizeof *table->entries);
    if (grown == NULL)
        return clprop_fail(message, CLPROP_ERROR_OUT_OF_HOST_MEMORY, "out of host memory");
    table->entries = grown;
    for (cl_uint d = 0; d < count; d++) {
        clprop_device_entry *entry = &table->entries[table->count];
        memset(entry, 0, sizeof *entry);
        entry->platform = platform;
        entry->device = devices[d];
        entry->info.index = (unsigned)table->count;
        entry->info.platform_index = platform_index;
        entry->info.device_index = d;
        describe_device(entry);
        table->count++;
    }
    return CLPROP_SUCCESS;
}

/* Platforms there, but no device on them: a driver installed that could not start (PoCL does
 * not when its cache folder cannot be made), more often than one missing. */
static clprop_status no_device_on(const cl_platform_id *platforms, cl_uint count,
                                  clprop_message *message)
{
    char names[512] = "";
    for (cl_uint p = 0; p < count; p++) {
        char name[128] = "?";
        clGetPlatformInfo(platforms[p], CL_PLATFORM_NAME, sizeof name - 1, name, NULL);
        name[sizeof name - 1] = '\0';
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s%s", p == 0 ? "" : ", ", name);
    }
    return clprop_fail(message, CLPROP_ERROR_NO_PLATFORM,
                       "the OpenCL platform%s %s offer%s no device: installed but not starting "
                       "(PoCL needs a folder it can write for its cache: $POCL_CACHE_DIR, else "
                       "$XDG_CACHE_HOME/pocl or ~/.cache/pocl), or no driver for the device; %s",
                       count == 1 ? "" : "s", names, count == 1 ? "s" : "", install_hint);
}

static clprop_status load_table(clprop_device_table *table, clprop_message *message)
{
    table->entries = NULL;
    table->count = 0;
    cl_platform_id platforms[MAX_PLATFORMS];
    cl_uint platform_count = 0;
    cl_int error = clGetPlatformIDs(MAX_PLATFORMS, platforms, &platform_count);
    /* The ICD loader answers CL_PLATFORM_NOT_FOUND_KHR (-1001) when no driver is installed. */
    if (error == -1001 || (error == CL_SUCCESS && platform_count == 0))
        return clprop_fail(message, CLPROP_ERROR_NO_PLATFORM, "no OpenCL platform found; %s",
                           install_hint);
    if (error != CL_SUCCESS)
        return clprop_fail(message, error, "clGetPlatformIDs failed: %s",
                           clprop_status_name(error));
    if (platform_count > MAX_PLATFORMS)
        platform_count = MAX_PLATFORMS;
    for (cl_uint p = 0; p < platform_count; p++) {
        clprop_status status = append_platform_devices(table, platforms[p], p, message);
        if (status != CLPROP_SUCCESS) {
            clprop_device_table_free(table);
            return status;
        }
    }
    if (table->count == 0)
        return no_device_on(platforms, platform_count, message);
    return CLPROP_SUCCESS;
}

/* One listing at a time in this process: the first clGetPlatformIDs and clGetDeviceIDs start the
 * ICD loader and the drivers, and two threads doing that at once (two "processes" of a test,
 * each opening its first context) saw PoCL offer no device to one of them. */
static pthread_mutex_t listing = PTHREAD_MUTEX_INITIALIZER;

clprop_status clprop_device_table_load(clprop_device_table *table, clprop_message *message)
{
    pthread_mutex_lock(&listing);
    clprop_status status = load_table(table, message);
    pthread_mutex_unlock(&listing);
    return status;
}

void clprop_device_table_free(clprop_device_table *table)
{
    free(table->entries);
    table->entries = NULL;
    table->count = 0;
}

static const char *kind_name(clprop_device_kind kind)
{
    switch (kind) {
    case CLPROP_DEVICE_GPU:
        return "GPU";
    case CLPROP_DEVICE_CPU:
        return "CPU";
    default:
        return "other";
    }
}

void clprop_device_describe(const clprop_device_info *info, char *line, size_t size)
{
    if (line == NULL || size == 0)
        return;
    if (info == NULL) {
        line[0] = '\0';
        return;
    }
    snprintf(line, size, "%u (%u:%u)  %-5s  %s  [%s]  %u compute units, %.1f GiB", info->index,
             info->platform_index, info->device_index, kind_name(info->kind), info->name,
             info->platform_name, info->compute_units,
             (double)info->global_memory_bytes / (1024.0 * 1024.0 * 1024.0));
}

static int first_of_kind(const clprop_device_table *table, clprop_device_kind kind)
{
    for (size_t i = 0; i < table->count; i++)
        if (table->entries[i].info.kind == kind)
            return (int)i;
    return -1;
}

/* Parses "N" or "P:D" entirely, digits only; returns 0 when the text is not of that form (strtol
 * alone took " 0" and "+1" as indices). */
static int parse_index(const char *text, long *platform, long *device)
{
    if (!isdigit((unsigned char)text[0]))
        return 0;
    char *end = NULL;
    long first = strtol(text, &end, 10);
    if (end == text || first < 0)
        return 0;
    if (*end == '\0') {
        *platform = -1;
        *device = first;
        return 1;
    }
    if (*end != ':')
        return 0;
    const char *second_text = end + 1;
    long second = strtol(second_text, &end, 10);
    if (end == second_text || *end != '\0' || second < 0 || !isdigit((unsigned char)*second_text))
        return 0;
    *platform = first;
    *device = second;
    return 1;
}

static int contains_ignoring_case(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *h = haystack; *h != '\0'; h++) {
        size_t i = 0;
        while (i < n && h[i] != '\0' &&
               tolower((unsigned char)h[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

static int find_by_selector(const clprop_device_table *table, const char *selector)
{
    long platform, device;
    if (parse_index(selector, &platform, &device)) {
        for (size_t i = 0; i < table->count; i++) {
            const clprop_device_info *info = &table->entries[i].info;
            if (platform < 0 ? (long)info->index == device
                             : (long)info->platform_index == platform &&
                                   (long)info->device_index == device)
                return (int)i;
        }
        return -1;
    }
    if (strcasecmp(selector, "gpu") == 0)
        return first_of_kind(table, CLPROP_DEVICE_GPU);
    if (strcasecmp(selector, "cpu") == 0)
        return first_of_kind(table, CLPROP_DEVICE_CPU);
    for (size_t i = 0; i < table->count; i++)
        if (contains_ignoring_case(table->entries[i].info.name, selector))
            return (int)i;
    return -1;
}

static clprop_status fail_listing_devices(const clprop_device_table *table, const char *selector,
                                          clprop_message *message)
{
    /* one line, as every message: the devices one after the other, as `clprop devices` lists
     * them */
    char list[CLPROP_MESSAGE_SIZE];
    int written = 0;
    for (size_t i = 0; i < table->count && written >= 0 && (size_t)written < sizeof list; i++) {
        char line[700];
        clprop_device_describe(&table->entries[i].info, line, sizeof line);
        written += snprintf(list + written, sizeof list - (size_t)written, "%s %s",
                            i == 0 ? ":" : ";", line);
    }
    if (written == 0)
        list[0] = '\0';
    /* through clprop_fail, as every message: the selector is the user's text */
    return clprop_fail(message, CLPROP_ERROR_DEVICE_NOT_FOUND,
                       "no OpenCL device matches \"%s\"; the devices are%s", selector, list);
}

clprop_status clprop_device_select(const clprop_device_table *table, const char *selector,
                                   size_t *chosen, clprop_message *message)
{
    int found;
    if (selector == NULL || selector[0] == '\0') {
        found = first_of_kind(table, CLPROP_DEVICE_GPU);
        if (found < 0)
            found = first_of_kind(table, CLPROP_DEVICE_CPU);
        if (found < 0)
            found = 0;
    } else {
        found = find_by_selector(table, selector);
        if (found < 0)
            return fail_listing_devices(table, selector, message);
    }
    *chosen = (size_t)found;
    return CLPROP_SUCCESS;
}

clprop_status clprop_devices_list(clprop_device_info *devices, size_t capacity, size_t *count,
                                  char *message_out, size_t message_size)
{
    clprop_message message = {{0}};
    clprop_device_table table;
    clprop_status status = clprop_device_table_load(&table, &message);
    if (status != CLPROP_SUCCESS) {
        clprop_copy_message(message_out, message_size, message.text);
        if (count != NULL)
            *count = 0;
        return status;
    }
    for (size_t i = 0; devices != NULL && i < table.count && i < capacity; i++)
        devices[i] = table.entries[i].info;
    if (count != NULL)
        *count = table.count;
    clprop_device_table_free(&table);
    return CLPROP_SUCCESS;
}
