/* Output files that never destroy anything: written under a temporary name beside the target,
 * made durable, then renamed over it. A symbolic link is followed (the file it points to is
 * replaced; the link stays a link); a device, FIFO, socket or directory is never replaced; an
 * existing file keeps its permission bits; a file the user may not write is refused, as cp
 * would. A temporary left behind by a killed process is recognised by its name and removed by the
 * next write to the same target. */
#ifndef CLPROP_OUTPUT_FILE_H
#define CLPROP_OUTPUT_FILE_H

#include <stdio.h>

#include "clprop.h"
#include "message.h"

typedef struct clprop_output_file {
    FILE *stream;     /* write here; NULL once committed or aborted */
    char *target;     /* the file to replace: the path given, with symbolic links followed */
    char *temporary;  /* beside the target: ".NAME.clprop-tmp-PID-XXXXXX" */
    const char *path; /* as the caller named it, for messages */
} clprop_output_file;

/* Checks path as an output and opens a temporary beside its target; failures name the path. */
clprop_status clprop_output_open(clprop_output_file *file, const char *path,
                                 clprop_message *message);
/* Makes the target's new content visible: flushed, synced, renamed, the directory synced. A
 * failed write anywhere before is reported here, naming the path; the old file stays as it was
 * and the temporary is removed. */
clprop_status clprop_output_commit(clprop_output_file *file, clprop_message *message);
/* Renames the temporary into place now and keeps the stream open for more (a log that grows
 * after its first line): what follows is flushed in place. */
clprop_status clprop_output_publish(clprop_output_file *file, clprop_message *message);
/* Drops the temporary (if any) and closes; the target is untouched. Safe after commit. */
void clprop_output_abort(clprop_output_file *file);

#endif
