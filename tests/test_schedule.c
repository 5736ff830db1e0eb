/* Learning-rate schedules, worked by hand. */
#include <criterion/criterion.h>
#include <math.h>

#include "clprop.h"

static void expect_rate(const clprop_schedule *s, size_t epoch, size_t epochs, double want)
{
    float got = clprop_schedule_rate(s, 0.4f, epoch, epochs);
    cr_expect(fabs(got - want) <= 1e-6, "epoch %zu of %zu: rate %.7g, want %.7g", epoch, epochs,
              (double)got, want);
}

Test(schedule, constant_keeps_the_base_rate)
{
    clprop_schedule s = {.kind = CLPROP_SCHEDULE_CONSTANT};
    expect_rate(&s, 1, 5, 0.4);
    expect_rate(&s, 5, 5, 0.4);
    expect_rate(NULL, 3, 5, 0.4);
}

/* Epochs count from 1; an epoch 0 asked of a schedule without warm-up is the base rate, not
 * 0 / 0 (it was NaN), nor a step or cosine far past the end. */
Test(schedule, epoch_0_is_the_base_rate_not_nan)
{
    const clprop_schedule kinds[] = {{.kind = CLPROP_SCHEDULE_CONSTANT},
                                     {.kind = CLPROP_SCHEDULE_STEP},
                                     {.kind = CLPROP_SCHEDULE_COSINE}};
    for (size_t i = 0; i < 3; i++) {
        expect_rate(&kinds[i], 0, 0, 0.4);
        expect_rate(&kinds[i], 0, 5, 0.4);
    }
}

Test(schedule, warmup_ramps_linearly_then_hands_over)
{
    clprop_schedule s = {.kind = CLPROP_SCHEDULE_CONSTANT, .warmup_epochs = 4};
    expect_rate(&s, 1, 10, 0.1);
    expect_rate(&s, 2, 10, 0.2);
    expect_rate(&s, 4, 10, 0.4);
    expect_rate(&s, 5, 10, 0.4);
}

Test(schedule, step_decay_multiplies_every_n_epochs)
{
    clprop_schedule s = {
        .kind = CLPROP_SCHEDULE_STEP, .warmup_epochs = 0, .step_every = 3, .step_factor = 0.5f};
    expect_rate(&s, 1, 10, 0.4);
    expect_rate(&s, 3, 10, 0.4);
    expect_rate(&s, 4, 10, 0.2);
    expect_rate(&s, 7, 10, 0.1);
    clprop_schedule defaults = {.kind = CLPROP_SCHEDULE_STEP};
    expect_rate(&defaults, 10, 30, 0.4);
    expect_rate(&defaults, 11, 30, 0.04);
}

Test(schedule, cosine_starts_at_the_base_and_halves_midway)
{
    clprop_schedule s = {.kind = CLPROP_SCHEDULE_COSINE};
    expect_rate(&s, 1, 10, 0.4);
    expect_rate(&s, 6, 10, 0.2);                               /* cos(π/2) = 0 */
    expect_rate(&s, 10, 10, 0.2 * (1 + cos(3.14159265358979323846 * 9 / 10)));
    clprop_schedule warm = {.kind = CLPROP_SCHEDULE_COSINE, .warmup_epochs = 2};
    expect_rate(&warm, 2, 10, 0.4);
    expect_rate(&warm, 3, 10, 0.4);
    expect_rate(&warm, 7, 10, 0.2);                            /* 4 of 8 after the warm-up */
    cr_expect_str_eq(clprop_schedule_name(CLPROP_SCHEDULE_COSINE), "cosine");
}
