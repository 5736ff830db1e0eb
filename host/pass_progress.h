/* A pass's progress, reported when the device gets there, without emptying its queue.
 *
 * A report used to wait for the device (clFinish) about a hundred times a pass: each time the
 * queue ran dry, and the next step started only once the host had woken, reported and queued it
 * (at batch 256 on Fashion-MNIST every second or third step, 100 us of idle device each time:
 * bench/trace). Now each report point is a marker queued behind the steps before it; the host
 * reports the markers the device has passed as it queues more, and waits only for a marker
 * PASS_PROGRESS_AHEAD points behind the newest, so the device has the steps since then to run
 * while the host waits. That also bounds how far ahead of the device the host queues. */
#ifndef CLPROP_PASS_PROGRESS_H
#define CLPROP_PASS_PROGRESS_H

#include <CL/cl.h>
#include <stddef.h>

#include "clprop.h"
#include "message.h"

#define PASS_PROGRESS_AHEAD 3

typedef struct {
    clprop_progress_fn report; /* NULL: no markers, nothing reported */
    void *user;
    size_t total;
    cl_event markers[PASS_PROGRESS_AHEAD]; /* pending, oldest first */
    size_t done[PASS_PROGRESS_AHEAD];      /* the samples done at each */
    size_t pending;
} pass_progress;

void pass_progress_begin(pass_progress *progress, clprop_progress_fn report, void *user,
                         size_t total);

/* `done` samples are queued on `queue`: a marker for them; the earlier ones the device has passed
 * are reported, and the oldest is waited for when PASS_PROGRESS_AHEAD are pending. */
clprop_status pass_progress_mark(pass_progress *progress, cl_command_queue queue, size_t done,
                                 clprop_message *message);

/* The pass is over: with `finished`, the pending markers are waited for and reported; either way
 * they are released. Returns the first failure of a wait (CLPROP_SUCCESS without `finished`). */
clprop_status pass_progress_end(pass_progress *progress, int finished, clprop_message *message);

#endif
