/* The text names of every enum the API and the files use, and their parsers: one table each,
 * indexed by the enum's value (the values are dense from 0), so a name and its parser can never
 * disagree. */
#include <string.h>

#include "clprop.h"

static const char *const activation_names[] = {"sigmoid", "linear",   "softmax",
                                               "tanh",    "relu",     "leaky-relu"};
static const char *const loss_names[] = {"mse", "ce"};
static const char *const weight_init_names[] = {"auto", "glorot", "he"};
static const char *const optimizer_names[] = {"sgd", "momentum", "adam", "rprop"};
static const char *const schedule_names[] = {"constant", "step", "cosine"};
static const char *const gemm_backend_names[] = {"native", "clblast", "auto"};
static const char *const gemm_family_names[] = {"default", "generic", "cpu", "gpu"};
static const char *const cpu_panels_names[] = {"default", "auto", "always", "never"};
static const char *const scaling_names[] = {"none", "standard", "minmax"};

#define COUNT(table) (sizeof table / sizeof *table)

static const char *name_of(const char *const *names, size_t count, int value)
{
    return value >= 0 && (size_t)value < count ? names[value] : NULL;
}

static int value_of(const char *const *names, size_t count, const char *name, int *value)
{
    for (size_t i = 0; name != NULL && i < count; i++)
        if (strcmp(name, names[i]) == 0) {
            *value = (int)i;
            return 1;
        }
    return 0;
}

/* prefix_name() and prefix_from_name() for one enum type. */
#define NAMES(prefix, type, table)                                                                 \
    const char *prefix##_name(type value)                                                          \
    {                                                                                              \
        return name_of(table, COUNT(table), (int)value);                                           \
    }                                                                                              \
    int prefix##_from_name(const char *name, type *value)                                          \
    {                                                                                              \
        int found;                                                                                 \
        if (value == NULL || !value_of(table, COUNT(table), name, &found))                         \
            return 0;                                                                              \
        *value = (type)found;                                                                      \
        return 1;                                                                                  \
    }

NAMES(clprop_activation, clprop_activation, activation_names)
NAMES(clprop_loss, clprop_loss, loss_names)
NAMES(clprop_weight_init, clprop_weight_init, weight_init_names)
NAMES(clprop_optimizer, clprop_optimizer_kind, optimizer_names)
NAMES(clprop_schedule, clprop_schedule_kind, schedule_names)
NAMES(clprop_gemm_backend, clprop_gemm_backend, gemm_backend_names)
NAMES(clprop_gemm_family, clprop_gemm_family, gemm_family_names)
NAMES(clprop_cpu_panels, clprop_cpu_panels, cpu_panels_names)
NAMES(clprop_scaling, clprop_scaling_kind, scaling_names)
