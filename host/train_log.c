#include "train_log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char header[] =
    "epoch,learning_rate,train_loss,train_mse,train_accuracy,validation_loss,"
    "validation_accuracy,test_loss,test_mse,test_accuracy,samples_per_s,elapsed_s\n";

void train_log_prepare(train_log *log, const char *path, int accuracy, size_t resumed_after)
{
    memset(log, 0, sizeof *log);
    log->path = path;
    log->accuracy = accuracy;
    log->resumed_after = resumed_after;
}

/* "0.750000" or "" when accuracy means nothing here. */
static void accuracy_text(char *text, size_t size, int shown, const clprop_pass_result *result)
{
    if (shown && result->samples > 0)
        snprintf(text, size, "%.6f", (double)result->correct / (double)result->samples);
    else
        text[0] = '\0';
}

static int format_row(char *row, size_t size, const train_log *log, const clprop_epoch_report *r,
                      double elapsed)
{
    char train[32], validation[80] = ",", test[96] = ",,", accuracy[32];
    accuracy_text(train, sizeof train, log->accuracy, &r->train);
    if (r->has_validation) {
        accuracy_text(accuracy, sizeof accuracy, log->accuracy, &r->validation);
        snprintf(validation, sizeof validation, "%.9g,%s", r->validation.loss, accuracy);
    }
    if (r->has_test) {
        accuracy_text(accuracy, sizeof accuracy, log->accuracy, &r->test);
        snprintf(test, sizeof test, "%.9g,%.9g,%s", r->test.loss, r->test.mse, accuracy);
    }
    double rate = r->seconds > 0.0 ? (double)r->train.samples / r->seconds : 0.0;
    return snprintf(row, size, "%zu,%.9g,%.9g,%.9g,%s,%s,%s,%.1f,%.3f\n", r->epoch,
                    (double)r->learning_rate, r->train.loss, r->train.mse, train, validation,
                    test, rate, elapsed);
}

/* Writes text and flushes it; a row cut short by a full disk is cut back to the last whole row,
 * so the file never ends in half a line. Returns 0 or an errno. */
static int append(train_log *log, const char *text)
{
    FILE *stream = log->file.stream;
    if (stream == NULL)
        return EIO;
    errno = 0;
    if (fputs(text, stream) >= 0 && fflush(stream) == 0) {
        log->whole = ftell(stream);
        return 0;
    }
    int error = errno != 0 ? errno : EIO;
    clearerr(stream);
    if (ftruncate(fileno(stream), log->whole) == 0)
        fseek(stream, log->whole, SEEK_SET);
    return error;
}

/* A failed write ends this log: the temporary is dropped (a published log keeps its whole rows),
 * and a later run of the same trainer starts it afresh. */
static clprop_status fail(train_log *log, clprop_message *message, int error)
{
    clprop_output_abort(&log->file);
    log->opened = 0;
    return clprop_fail(message, CLPROP_ERROR_IO, "%s: cannot write the log: %s", log->path,
                       strerror(error));
}

/* A resumed run: the earlier log's whole rows of the epochs the checkpoint holds, when the file
 * is one of our logs (its first line our header). Nothing is copied from anything else. Returns 0
 * or an errno of the new file. */
static int keep_earlier_rows(train_log *log)
{
    FILE *earlier = log->resumed_after > 0 ? fopen(log->path, "r") : NULL;
    if (earlier == NULL)
        return 0;
    char line[1024];
    int ours = fgets(line, sizeof line, earlier) != NULL && strcmp(line, header) == 0;
    int error = 0;
    while (ours && error == 0 && fgets(line, sizeof line, earlier) != NULL) {
        size_t length = strlen(line);
        char *end = NULL;
        unsigned long long epoch = strtoull(line, &end, 10);
        if (length == 0 || line[length - 1] != '\n' || end == line || *end != ',' ||
            epoch > log->resumed_after)
            break; /* a cut or foreign line, or an epoch the resumed run does again */
        const char *elapsed = strrchr(line, ',');
        log->elapsed_before = elapsed != NULL ? strtod(elapsed + 1, NULL) : 0.0;
        error = append(log, line);
    }
    fclose(earlier);
    return error;
}

clprop_status train_log_write(train_log *log, const clprop_epoch_report *report,
                              double elapsed_seconds, clprop_message *message)
{
    if (log->path == NULL)
        return CLPROP_SUCCESS;
    if (!log->opened) {
        CLPROP_CHECK(clprop_output_open(&log->file, log->path, message));
        log->opened = 1;
        int error = append(log, header);
        if (error == 0)
            error = keep_earlier_rows(log);
        if (error != 0)
            return fail(log, message, error);
    }
    char row[512];
    format_row(row, sizeof row, log, report, log->elapsed_before + elapsed_seconds);
    int error = append(log, row);
    if (error != 0)
        return fail(log, message, error);
    /* the first row puts the log in place; later rows are flushed where it is */
    clprop_status status = clprop_output_publish(&log->file, message);
    if (status != CLPROP_SUCCESS) /* the output file has cleaned up after itself */
        log->opened = 0;
    return status;
}

clprop_status train_log_close(train_log *log, clprop_message *message)
{
    if (!log->opened)
        return CLPROP_SUCCESS;
    log->opened = 0;
    if (log->file.temporary != NULL) { /* its first row failed: nothing to put in place */
        clprop_output_abort(&log->file);
        return CLPROP_SUCCESS;
    }
    return clprop_output_commit(&log->file, message);
}
