/* Finding OpenCL devices and choosing one from a selector string. */
#ifndef CLPROP_DEVICE_H
#define CLPROP_DEVICE_H

#include <CL/cl.h>

#include "clprop.h"
#include "message.h"

typedef struct clprop_device_entry {
    clprop_device_info info;
    cl_platform_id platform;
    cl_device_id device;
} clprop_device_entry;

typedef struct clprop_device_table {
    clprop_device_entry *entries;
    size_t count;
} clprop_device_table;

/* Fills the table with every device of every platform (free with clprop_device_table_free). */
clprop_status clprop_device_table_load(clprop_device_table *table, clprop_message *message);
void clprop_device_table_free(clprop_device_table *table);

/* Picks the device a selector names (see clprop_context_desc); NULL or "" picks the first GPU,
 * else the first CPU. An unknown selector fails with a message listing the devices. */
clprop_status clprop_device_select(const clprop_device_table *table, const char *selector,
                                   size_t *chosen, clprop_message *message);

#endif
