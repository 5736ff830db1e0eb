/* Learning-rate schedules: linear scaling with the batch, a linear warm-up, then constant, step
 * decay or cosine decay. */
#include <math.h>

#include "clprop.h"

/* Goyal et al. 2017, "Accurate, Large Minibatch SGD": multiply the rate by k when the batch
 * grows k-fold. Computed in double so that a rate and batch give the same float everywhere. */
float clprop_schedule_scaled_rate(const clprop_schedule *schedule, float base_rate, size_t batch)
{
    if (schedule == NULL || schedule->reference_batch == 0)
        return base_rate;
    return (float)((double)base_rate * (double)batch / (double)schedule->reference_batch);
}

float clprop_schedule_rate(const clprop_schedule *schedule, float base_rate, size_t epoch,
                           size_t epochs)
{
    clprop_schedule plain = {
        .kind = CLPROP_SCHEDULE_CONSTANT, .warmup_epochs = 0, .step_every = 0, .step_factor = 0.0f};
    const clprop_schedule *s = schedule != NULL ? schedule : &plain;
    size_t warmup = s->warmup_epochs;
    if (warmup > 0 && epoch <= warmup)
        return (float)((double)base_rate * (double)epoch / (double)warmup);
    if (epoch == 0) /* epochs count from 1: before the first, the rate as given (not 0 / 0) */
        return base_rate;
    size_t since = epoch - warmup - 1, span = epochs > warmup ? epochs - warmup : 1;
    switch (s->kind) {
    case CLPROP_SCHEDULE_STEP: {
        size_t every = s->step_every != 0 ? s->step_every : CLPROP_SCHEDULE_DEFAULT_STEP_EVERY;
        double factor =
            s->step_factor != 0.0f ? s->step_factor : CLPROP_SCHEDULE_DEFAULT_STEP_FACTOR;
        return (float)((double)base_rate * pow(factor, (double)(since / every)));
    }
    case CLPROP_SCHEDULE_COSINE:
        return (float)((double)base_rate * 0.5 *
                       (1.0 + cos(3.14159265358979323846 * (double)since / (double)span)));
    default:
        return base_rate;
    }
}
