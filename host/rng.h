/* The library's seeded random numbers: splitmix64, so a seed gives the same numbers everywhere. */
#ifndef CLPROP_RNG_H
#define CLPROP_RNG_H

#include <stdint.h>

typedef struct clprop_rng {
    uint64_t state;
} clprop_rng;

clprop_rng clprop_rng_seeded(uint64_t seed);
uint64_t clprop_rng_next(clprop_rng *rng);
/* Uniform in [0, 1) with 53 random bits. */
double clprop_rng_unit(clprop_rng *rng);

#endif
