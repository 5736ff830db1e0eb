#include "rng.h"

clprop_rng clprop_rng_seeded(uint64_t seed)
{
    clprop_rng rng = {seed};
    return rng;
}

uint64_t clprop_rng_next(clprop_rng *rng)
{
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double clprop_rng_unit(clprop_rng *rng)
{
    return (double)(clprop_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}
