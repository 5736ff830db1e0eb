/* Dropout's masks: which units of a training pass are kept, drawn from a counter-based generator
 * (Philox4x32-10, Salmon et al. 2011) keyed by the network's dropout seed and counting by
 * (sample, unit, layer, step), so no state is stored or carried between launches. The kernels
 * (kernels/common.cl) and this file compute the same bits; the tests check that they do.
 *
 * Unit u of layer l for the sample at position s of step t's batch is kept when the first word
 * of Philox4x32-10(counter = (s, u, l, t mod 2³²), key = (seed mod 2³², seed / 2³² xor t / 2³²))
 * is at least the rate's threshold, round(rate·2³²); a kept unit's output is scaled by
 * 1/(1 − rate) (inverted dropout), a dropped one is 0. The position s is the sample's place in the
 * whole step, so a step split among devices draws the masks of the same step on one device. */
#ifndef CLPROP_DROPOUT_H
#define CLPROP_DROPOUT_H

#include <stdint.h>

#include "clprop.h"

/* The masks of one layer in one pass. */
typedef struct clprop_dropout_mask {
    float rate;      /* in (0, 1) */
    uint64_t seed;   /* the network's dropout seed */
    uint64_t step;   /* updates made before this pass: the optimizer's step count */
    uint32_t layer;  /* 1..L−1 */
    uint32_t first;  /* the position in the step of the pass's first sample */
} clprop_dropout_mask;

/* Philox4x32-10's four words for a counter and key. */
void clprop_philox4x32_10(uint32_t out[4], const uint32_t counter[4], const uint32_t key[2]);

/* The 32 random bits of unit `unit` of the sample at `sample` (from the pass's first). */
uint32_t clprop_dropout_bits(const clprop_dropout_mask *mask, uint32_t unit, uint32_t sample);
/* Drop below this many bits: round(rate·2³²), clamped below 2³². */
uint32_t clprop_dropout_threshold(float rate);
/* 1/(1 − rate) as the kernels multiply by it. */
float clprop_dropout_scale(float rate);
/* 0 for a dropped unit, else clprop_dropout_scale(rate). */
float clprop_dropout_factor(const clprop_dropout_mask *mask, uint32_t unit, uint32_t sample);

/* The kernels' argument: key0, key1, layer, step, first, threshold, and the bits of 1 − rate and
 * of the scale (kernels/common.cl, dropout_keep). */
void clprop_dropout_kernel_words(uint32_t words[8], const clprop_dropout_mask *mask);

#endif
