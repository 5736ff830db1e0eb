/* The CSV log of a training run: one row of figures per epoch, written through an output file
 * (host/output_file.h) so that it replaces an earlier log only once the run has a row to show,
 * and flushed after every row so that what is there after any failure is whole lines. */
#ifndef CLPROP_TRAIN_LOG_H
#define CLPROP_TRAIN_LOG_H

#include "clprop.h"
#include "message.h"
#include "output_file.h"

typedef struct train_log {
    clprop_output_file file;
    const char *path;     /* NULL: no log */
    int accuracy;         /* classifier: the accuracy columns are filled */
    size_t resumed_after; /* a resumed run: the earlier log's rows up to this epoch are kept */
    double elapsed_before; /* and the elapsed time its last kept row shows */
    int opened;
    long whole;           /* bytes of whole rows written: a failed row is cut back to here */
} train_log;

/* A log to write at path (NULL: none), which the caller has checked as an output; nothing is
 * created until the first row. A run resumed after epoch resumed_after (0: a new run) keeps the
 * earlier log's rows of those epochs. */
void train_log_prepare(train_log *log, const char *path, int accuracy, size_t resumed_after);
/* Appends the epoch's row (the first row puts the file in place); failures name the file. */
clprop_status train_log_write(train_log *log, const clprop_epoch_report *report,
                              double elapsed_seconds, clprop_message *message);
/* Closes it: the file stays as written (a log whose first row failed is not put in place). */
clprop_status train_log_close(train_log *log, clprop_message *message);

#endif
