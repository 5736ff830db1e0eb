#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int report_open(report *r, const char *log_path, size_t epochs)
{
    memset(r, 0, sizeof *r);
    r->terminal = isatty(fileno(stderr));
    r->epochs = epochs;
    if (log_path == NULL)
        return 1;
    size_t length = strlen(log_path) + 16;
    r->log_path = strdup(log_path);
    r->log_temp_path = malloc(length);
    if (r->log_path == NULL || r->log_temp_path == NULL) {
        cli_error("out of memory");
        return 0;
    }
    snprintf(r->log_temp_path, length, "%s.tmp-XXXXXX", log_path);
    int fd = mkstemp(r->log_temp_path);
    /* mkstemp makes the file private; a log is an ordinary file for whoever reads the results */
    if (fd >= 0)
        fchmod(fd, 0644);
    if (fd < 0 || (r->log = fdopen(fd, "w")) == NULL) {
        cli_error("%s: cannot write the log: %s", log_path, strerror(errno));
        if (fd >= 0)
            close(fd), unlink(r->log_temp_path);
        return 0;
    }
    fputs("epoch,learning_rate,train_loss,train_mse,train_accuracy,validation_loss,"
          "validation_accuracy,test_loss,test_mse,test_accuracy,samples_per_s,elapsed_s\n",
          r->log);
    return 1;
}

void report_progress(void *user, size_t done, size_t total)
{
    report *r = user;
    if (!r->terminal)
        return;
    const int width = 30;
    int filled = (int)((double)done / (double)total * width);
    fprintf(stderr, "\r  epoch %zu/%zu [%.*s%*s] %3d%%", r->epoch, r->epochs, filled,
            "==============================", width - filled, "",
            (int)(100.0 * (double)done / (double)total));
    fflush(stderr);
}

static double accuracy(const clprop_pass_result *result)
{
    return (double)result->correct / (double)result->samples;
}

static void print_line(const epoch_figures *f)
{
    printf("epoch %*zu/%zu  loss %.5f", f->epochs >= 100 ? 3 : f->epochs >= 10 ? 2 : 1, f->epoch,
           f->epochs, f->train.loss);
    if (f->classifier)
        printf("  train acc %.4f", accuracy(&f->train));
    if (f->has_validation) {
        printf("  val loss %.5f", f->validation.loss);
        if (f->classifier)
            printf("  val acc %.4f", accuracy(&f->validation));
    }
    if (f->has_test) {
        printf("  test loss %.5f", f->test.loss);
        if (f->classifier)
            printf("  test acc %.4f", accuracy(&f->test));
    }
    printf("  %.0f samples/s  %.1f s\n", (double)f->train.samples / f->seconds,
           f->elapsed_seconds);
    fflush(stdout);
}

static int log_line(FILE *log, const epoch_figures *f)
{
    fprintf(log, "%zu,%.9g,%.9g,%.9g,", f->epoch, (double)f->learning_rate, f->train.loss,
            f->train.mse);
    if (f->classifier)
        fprintf(log, "%.6f", accuracy(&f->train));
    if (f->has_validation)
        fprintf(log, ",%.9g,", f->validation.loss);
    else
        fputs(",,", log);
    if (f->has_validation && f->classifier)
        fprintf(log, "%.6f", accuracy(&f->validation));
    if (f->has_test)
        fprintf(log, ",%.9g,%.9g,", f->test.loss, f->test.mse);
    else
        fputs(",,,", log);
    if (f->has_test && f->classifier)
        fprintf(log, "%.6f", accuracy(&f->test));
    fprintf(log, ",%.1f,%.3f\n", (double)f->train.samples / f->seconds, f->elapsed_seconds);
    /* flushed each epoch: whatever happens later, the log holds whole lines */
    return fflush(log) == 0 && !ferror(log);
}

int report_epoch(report *r, const epoch_figures *figures)
{
    if (r->terminal)
        fputs("\r\033[K", stderr); /* clear the progress bar */
    print_line(figures);
    if (r->log == NULL || log_line(r->log, figures))
        return 1;
    cli_error("%s: cannot write the log: %s", r->log_path, strerror(errno));
    return 0;
}

int report_close(report *r, int keep)
{
    int ok = 1;
    if (r->log != NULL) {
        int written = fflush(r->log) == 0 && fsync(fileno(r->log)) == 0;
        written = (fclose(r->log) == 0) && written;
        if (keep && written && rename(r->log_temp_path, r->log_path) != 0)
            written = 0;
        if (!keep || !written)
            unlink(r->log_temp_path);
        if (keep && !written) {
            cli_error("%s: cannot write the log: %s", r->log_path, strerror(errno));
            ok = 0;
        }
    }
    free(r->log_path);
    free(r->log_temp_path);
    memset(r, 0, sizeof *r);
    return ok;
}
