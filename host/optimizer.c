#include "optimizer.h"

#include <math.h>

size_t clprop_optimizer_slots(clprop_optimizer_kind kind)
{
    switch (kind) {
    case CLPROP_OPTIMIZER_MOMENTUM:
        return 1;
    case CLPROP_OPTIMIZER_ADAM:
    case CLPROP_OPTIMIZER_RPROP:
        return 2;
    default:
        return 0;
    }
}

static float or_default(float value, float fallback)
{
    return value != 0.0f ? value : fallback;
}

clprop_status clprop_optimizer_resolve(const clprop_optimizer *in, clprop_optimizer *out,
                                       const char **problem)
{
    clprop_optimizer plain = {.kind = CLPROP_OPTIMIZER_SGD};
    *out = in != NULL ? *in : plain;
    *problem = NULL;
    if (clprop_optimizer_name(out->kind) == NULL)
        *problem = "unknown optimizer";
    out->momentum = or_default(out->momentum, 0.9f);
    out->beta1 = or_default(out->beta1, 0.9f);
    out->beta2 = or_default(out->beta2, 0.999f);
    out->epsilon = or_default(out->epsilon, 1e-8f);
    if (!(out->momentum > 0.0f && out->momentum < 1.0f))
        *problem = "the momentum must be between 0 and 1";
    if (!(out->beta1 > 0.0f && out->beta1 < 1.0f && out->beta2 > 0.0f && out->beta2 < 1.0f))
        *problem = "Adam's betas must be between 0 and 1";
    if (!(out->epsilon > 0.0f && isfinite(out->epsilon)))
        *problem = "Adam's epsilon must be a positive number";
    if (!(out->weight_decay >= 0.0f && isfinite(out->weight_decay)))
        *problem = "the weight decay must be a number of 0 or more";
    return *problem == NULL ? CLPROP_SUCCESS : CLPROP_ERROR_INVALID_ARGUMENT;
}

clprop_update_rule clprop_optimizer_rule(const clprop_optimizer *optimizer, unsigned long long step,
                                         size_t batch, float rate)
{
    clprop_update_rule rule = {*optimizer, 1.0f / (float)batch, rate, 1.0f, 1.0f};
    if (optimizer->kind == CLPROP_OPTIMIZER_ADAM) {
        /* in double: β2ᵗ creeps towards 0 slowly and 1 − β2ᵗ must not round to 0 early */
        rule.correction1 = (float)(1.0 / (1.0 - pow((double)optimizer->beta1, (double)step)));
        rule.correction2 = (float)(1.0 / (1.0 - pow((double)optimizer->beta2, (double)step)));
    }
    return rule;
}

/* The slot that holds a size, which no update leaves below 0: Adam's second moment (a mean of
 * squares), RPROP's step; -1 for none. */
static int sized_slot(clprop_optimizer_kind kind)
{
    return kind == CLPROP_OPTIMIZER_ADAM ? 1 : kind == CLPROP_OPTIMIZER_RPROP ? 0 : -1;
}

size_t clprop_optimizer_first_bad_state(clprop_optimizer_kind kind, const float *state,
                                        const size_t *units, size_t layers, int has_bias,
                                        const char **why)
{
    size_t slots = clprop_optimizer_slots(kind), at = 0;
    *why = NULL;
    for (size_t l = 0; l < layers; l++)
        for (int tensor = 0; tensor < 2; tensor++) {
            size_t count = tensor == 0 ? units[l] * units[l + 1] : has_bias ? units[l + 1] : 0;
            for (size_t slot = 0; slot < slots; slot++, at += count)
                for (size_t i = at; i < at + count; i++) {
                    if (!isfinite(state[i])) {
                        *why = "";
                        return i;
                    }
                    if ((int)slot == sized_slot(kind) && state[i] < 0.0f) {
                        *why = kind == CLPROP_OPTIMIZER_ADAM
                                   ? ": a second moment of Adam's is a mean of squares, never "
                                     "below 0"
                                   : ": an RPROP step is a size, never below 0";
                        return i;
                    }
                }
        }
    return at;
}

int clprop_optimizer_steps_go_on(uint64_t steps, const char **why)
{
    *why = steps < UINT64_MAX ? NULL : ": the count of the next would wrap to 0";
    return *why == NULL;
}

clprop_status clprop_optimizer_check_state(clprop_message *message, const char *prefix,
                                           clprop_optimizer_kind kind, const float *state,
                                           size_t floats, const size_t *units, size_t layers,
                                           int has_bias)
{
    if (floats == 0)
        return CLPROP_SUCCESS;
    const char *why;
    size_t bad = clprop_optimizer_first_bad_state(kind, state, units, layers, has_bias, &why);
    if (bad >= floats)
        return CLPROP_SUCCESS;
    return clprop_fail(
        message, isfinite(state[bad]) ? CLPROP_ERROR_INVALID_ARGUMENT : CLPROP_ERROR_NOT_FINITE,
        "%s: state float %zu is %g%s", prefix, bad, (double)state[bad], why);
}
