/* Optimizers: the rule a step applies, resolved from the user's choice, and the state it keeps. */
#ifndef CLPROP_OPTIMIZER_H
#define CLPROP_OPTIMIZER_H

#include <stddef.h>
#include <stdint.h>

#include "clprop.h"
#include "message.h"

/* iRPROP− constants, as FANN uses them. */
#define CLPROP_RPROP_ETA_PLUS 1.2f
#define CLPROP_RPROP_ETA_MINUS 0.5f
#define CLPROP_RPROP_STEP_MIN 0.0f
#define CLPROP_RPROP_STEP_MAX 50.0f
#define CLPROP_RPROP_STEP_INITIAL 0.1f

/* Everything one update needs besides the buffers. */
typedef struct clprop_update_rule {
    clprop_optimizer optimizer; /* defaults filled in */
    float grad_scale;           /* 1/batch: the summed gradient to the mean */
    float rate;
    float correction1, correction2; /* Adam's bias corrections 1/(1 − βᵗ) for this step */
} clprop_update_rule;

/* The optimizer with zero fields replaced by their defaults; INVALID_ARGUMENT for nonsense. */
clprop_status clprop_optimizer_resolve(const clprop_optimizer *in, clprop_optimizer *out,
                                       const char **problem);
/* How many state slots (floats per parameter) the optimizer keeps: 0, 1 or 2. */
size_t clprop_optimizer_slots(clprop_optimizer_kind kind);
/* The first float of an optimizer's state, in the saved order (for each layer's weights, then its
 * biases: the optimizer's slots one after another), that no update could have left: not finite, or
 * below 0 in a slot that holds a size. `units` has layers + 1 entries. Returns the state's length
 * when every float is fine; else sets *why to what follows "state float N is V" in a message
 * (empty for a value that is not finite). */
size_t clprop_optimizer_first_bad_state(clprop_optimizer_kind kind, const float *state,
                                        const size_t *units, size_t layers, int has_bias,
                                        const char **why);
/* clprop_optimizer_first_bad_state as a status: CLPROP_SUCCESS, or the first bad float refused
 * into `message` as "PREFIX: state float N is V..." (CLPROP_ERROR_NOT_FINITE for NaN or infinity,
 * CLPROP_ERROR_INVALID_ARGUMENT for a value out of its slot's range). */
clprop_status clprop_optimizer_check_state(clprop_message *message, const char *prefix,
                                           clprop_optimizer_kind kind, const float *state,
                                           size_t floats, const size_t *units, size_t layers,
                                           int has_bias);
/* Whether an optimizer can go on from `steps` updates: the next one's number must fit in the count
 * (wrapped to 0, Adam's bias corrections 1/(1 − βᵗ) divide by 0). Else *why is the reason, to
 * follow "N steps" in a message. */
int clprop_optimizer_steps_go_on(uint64_t steps, const char **why);
/* The rule for update number `step` (1 for the first) of a batch of `batch` samples. */
clprop_update_rule clprop_optimizer_rule(const clprop_optimizer *optimizer, unsigned long long step,
                                         size_t batch, float rate);

#endif
