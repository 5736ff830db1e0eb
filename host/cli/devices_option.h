/* `clprop train --devices LIST [--shares W,...]`: several devices of this process, each with a
 * replica of the network and its share of every batch (data parallelism). */
#ifndef CLPROP_CLI_DEVICES_OPTION_H
#define CLPROP_CLI_DEVICES_OPTION_H

#include <stddef.h>

#include "clprop.h"

enum { CLI_MAX_DEVICES = 64 };

typedef struct cli_device_team {
    size_t count;
    clprop_context *contexts[CLI_MAX_DEVICES]; /* [0] the network's device */
    double shares[CLI_MAX_DEVICES];
    int has_shares;
} cli_device_team;

/* Opens a context on each device of `list` ("0,1", "gpu,cpu", "all": every GPU, else every
 * CPU), with the shares of `shares` ("1,3"; NULL: equal). Reports one line naming the option
 * and returns 0 on a failure (*usage_error set for a malformed list). */
int cli_open_device_team(const char *list, const char *shares, clprop_gemm_backend gemm,
                         cli_device_team *team, int *usage_error);
void cli_close_device_team(cli_device_team *team);

/* The selector of the device for the process of rank `local_rank` on its host: the GPUs in turn,
 * else the CPU devices. 0 when there is no device (the default choice then reports it). */
int cli_device_of_local_rank(size_t local_rank, char *selector, size_t size);

#endif
