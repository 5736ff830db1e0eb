/* Data-parallel training (train.c): a step's batch split among several devices of this process
 * (a replica of the network on each) and, through a collective, among processes; their gradients
 * summed and the same update applied everywhere. One device and no collective is the plain
 * single-device pass, which clprop_net_train_epoch runs. */
#ifndef CLPROP_TEAM_H
#define CLPROP_TEAM_H

#include "device_data.h"
#include "net_internal.h"

/* Devices of one process a team may hold. */
#define CLPROP_TEAM_MAX_DEVICES 64

typedef struct clprop_team {
    size_t count;              /* devices in this process */
    clprop_net **nets;         /* nets[0] reports failures; the others are its replicas */
    clprop_device_data **data; /* the training set on each device */
    const double *shares;      /* count positive weights (the trainer checks them): each device's
                                  part of a batch; NULL: equal */
    const clprop_collective *collective; /* other processes; NULL: none */
    int per_layer; /* a sum per layer overlapped with the backward pass (one device, and a
                      collective that begins sums without waiting: the trainer checks) */
    int sharded;   /* with a collective: each process's data is its own part of the set, the
                      same size in every process; positions and figures count the whole set */
    float *sum, *part;                   /* the exchange's host buffers, during an epoch */
    cl_event *layer_reads;               /* per_layer: each layer's read into sum, in a step */
} clprop_team;

/* One epoch, as clprop_net_train_epoch, over the team. Failures are reported on nets[0]. */
clprop_status clprop_team_train_epoch(clprop_team *team, const clprop_epoch_desc *options,
                                      clprop_pass_result *result);

/* A replica of `source` on `context`: the same layers, parameters and optimizer state
 * (net_replica.c). Failures are reported on source. */
clprop_status clprop_net_replicate(clprop_net *source, clprop_context *context, clprop_net **out);

#endif
