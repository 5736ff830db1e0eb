#include "report.h"

#include <string.h>
#include <unistd.h>

void report_open(report *r, size_t epochs)
{
    memset(r, 0, sizeof *r);
    r->terminal = isatty(fileno(stderr));
    r->epochs = epochs;
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
    printf("epoch %*zu/%zu  loss %.5f",
           f->epochs >= 100  ? 3
           : f->epochs >= 10 ? 2
                             : 1,
           f->epoch, f->epochs, f->train.loss);
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
    printf("  %.0f samples/s  %.1f s\n", (double)f->train.samples / f->seconds, f->elapsed_seconds);
    fflush(stdout);
}

void report_epoch(report *r, const epoch_figures *figures)
{
    if (r->terminal)
        fputs("\r\033[K", stderr); /* clear the progress bar */
    print_line(figures);
}
