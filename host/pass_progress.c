#include "pass_progress.h"

void pass_progress_begin(pass_progress *progress, clprop_progress_fn report, void *user,
                         size_t total)
{
    *progress = (pass_progress){.report = report, .user = user, .total = total};
}

static void drop_oldest(pass_progress *progress)
{
    clReleaseEvent(progress->markers[0]);
    progress->pending--;
    for (size_t i = 0; i < progress->pending; i++) {
        progress->markers[i] = progress->markers[i + 1];
        progress->done[i] = progress->done[i + 1];
    }
}

static clprop_status device_failed(clprop_message *message, cl_int error)
{
    return clprop_fail(message, error, "the device failed: %s", clprop_status_name(error));
}

/* The oldest marker reported and released once the device has passed it (with `wait`, after
 * waiting for it); *passed says whether it was. */
static clprop_status report_oldest(pass_progress *progress, int wait, int *passed,
                                   clprop_message *message)
{
    cl_int state = CL_QUEUED;
    cl_int error = wait ? clWaitForEvents(1, &progress->markers[0]) : CL_SUCCESS;
    if (error == CL_SUCCESS)
        error = clGetEventInfo(progress->markers[0], CL_EVENT_COMMAND_EXECUTION_STATUS,
                               sizeof state, &state, NULL);
    if (error == CL_SUCCESS && state < 0)
        error = state; /* a command before it failed */
    if (error != CL_SUCCESS)
        return device_failed(message, error);
    *passed = wait || state == CL_COMPLETE; /* a wait that succeeded: it completed */
    if (*passed) {
        progress->report(progress->user, progress->done[0], progress->total);
        drop_oldest(progress);
    }
    return CLPROP_SUCCESS;
}

clprop_status pass_progress_mark(pass_progress *progress, cl_command_queue queue, size_t done,
                                 clprop_message *message)
{
    if (progress->report == NULL)
        return CLPROP_SUCCESS;
    int passed = 1;
    while (progress->pending > 0 && passed)
        CLPROP_CHECK(report_oldest(progress, 0, &passed, message));
    if (progress->pending == PASS_PROGRESS_AHEAD)
        CLPROP_CHECK(report_oldest(progress, 1, &passed, message));
    cl_event marker;
    cl_int error = clEnqueueMarkerWithWaitList(queue, 0, NULL, &marker);
    if (error != CL_SUCCESS)
        return device_failed(message, error);
    progress->markers[progress->pending] = marker;
    progress->done[progress->pending] = done;
    progress->pending++;
    return CLPROP_SUCCESS;
}

clprop_status pass_progress_end(pass_progress *progress, int finished, clprop_message *message)
{
    clprop_status status = CLPROP_SUCCESS;
    int passed = 1;
    while (finished && status == CLPROP_SUCCESS && progress->pending > 0)
        status = report_oldest(progress, 1, &passed, message);
    while (progress->pending > 0)
        drop_oldest(progress);
    return status;
}
