#include "dropout.h"

#include <string.h>

/* Philox4x32's constants (Random123): the round multipliers and the Weyl key increments. */
#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

void clprop_philox4x32_10(uint32_t out[4], const uint32_t counter[4], const uint32_t key[2])
{
    uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; round++) {
        uint64_t p0 = (uint64_t)PHILOX_M0 * c0, p1 = (uint64_t)PHILOX_M1 * c2;
        uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
        uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    out[0] = c0, out[1] = c1, out[2] = c2, out[3] = c3;
}

uint32_t clprop_dropout_bits(const clprop_dropout_mask *mask, uint32_t unit, uint32_t sample)
{
    const uint32_t counter[4] = {mask->first + sample, unit, mask->layer, (uint32_t)mask->step};
    const uint32_t key[2] = {(uint32_t)mask->seed,
                             (uint32_t)(mask->seed >> 32) ^ (uint32_t)(mask->step >> 32)};
    uint32_t out[4];
    clprop_philox4x32_10(out, counter, key);
    return out[0];
}

uint32_t clprop_dropout_threshold(float rate)
{
    double threshold = (double)rate * 4294967296.0 + 0.5;
    return threshold >= 4294967295.0 ? 4294967295u : threshold <= 0.0 ? 0u : (uint32_t)threshold;
}

float clprop_dropout_scale(float rate)
{
    return 1.0f / (1.0f - rate);
}

float clprop_dropout_factor(const clprop_dropout_mask *mask, uint32_t unit, uint32_t sample)
{
    return clprop_dropout_bits(mask, unit, sample) >= clprop_dropout_threshold(mask->rate)
               ? clprop_dropout_scale(mask->rate)
               : 0.0f;
}

static uint32_t float_bits(float value)
{
    uint32_t bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

void clprop_dropout_kernel_words(uint32_t words[8], const clprop_dropout_mask *mask)
{
    words[0] = (uint32_t)mask->seed;
    words[1] = (uint32_t)(mask->seed >> 32) ^ (uint32_t)(mask->step >> 32);
    words[2] = mask->layer;
    words[3] = (uint32_t)mask->step;
    words[4] = mask->first;
    words[5] = clprop_dropout_threshold(mask->rate);
    words[6] = float_bits(1.0f - mask->rate);
    words[7] = float_bits(clprop_dropout_scale(mask->rate));
}
