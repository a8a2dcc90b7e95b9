/* rng.c: the one documented PRNG and parameter initialisation.
 *
 * PCG32 (Melissa O'Neill's pcg_basic, "PCG XSH RR 64/32"): a 64-bit LCG whose output is a
 * xorshifted, randomly rotated 32-bit word. It is seeded as pcg32_srandom_r does, so with
 * (seed 42, stream 54) its first outputs are pcg32-demo's 0xa15c02b7, 0x7b47f409, ...
 *
 * From it: uniform floats with 24 random bits, standard normals by Box-Muller (one value per
 * pair of uniforms; the second is dropped to keep the state simple), and unbiased integers
 * below a bound by rejection (pcg32_boundedrand_r). Every parameter is drawn in the order of
 * MlcModel.params, so the same seed gives the same weights bit for bit.
 */
#include "mlc_runtime.h"

uint32_t mlc_rng_u32(MlcRng *r) {
    uint64_t old = r->state;
    r->state = old * 6364136223846793005ULL + r->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

void mlc_rng_seed_stream(MlcRng *r, uint64_t seed, uint64_t stream) {
    r->state = 0;
    r->inc = (stream << 1u) | 1u;
    mlc_rng_u32(r);
    r->state += seed;
    mlc_rng_u32(r);
}

void mlc_rng_seed(MlcRng *r, uint64_t seed) {
    mlc_rng_seed_stream(r, seed, MLC_RNG_STREAM_INIT);
}

/* Rejects the lowest (2^32 mod bound) values so that every result is equally likely. */
uint32_t mlc_rng_below(MlcRng *r, uint32_t bound) {
    if (bound <= 1)
        return 0;
    uint32_t threshold = (0u - bound) % bound;
    for (;;) {
        uint32_t x = mlc_rng_u32(r);
        if (x >= threshold)
            return x % bound;
    }
}

/* The top 24 bits, times 2^-24: every value is exact in a float and below 1. */
float mlc_rng_uniform(MlcRng *r) {
    return (float)(mlc_rng_u32(r) >> 8) * (1.0f / 16777216.0f);
}

/* Box-Muller: z = sqrt(-2 ln u1) cos(2 pi u2), with u1 in (0, 1] so that the log is finite.
 * Computed in double and rounded once. */
float mlc_rng_normal(MlcRng *r) {
    double u1 = 1.0 - (double)mlc_rng_uniform(r);
    double u2 = (double)mlc_rng_uniform(r);
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

void mlc_init_params(const MlcModel *m, float *params, uint64_t seed) {
    MlcRng rng;
    mlc_rng_seed(&rng, seed);
    for (int i = 0; i < m->nparam; i++) {
        const MlcParam *p = &m->params[i];
        float *w = params + p->offset;
        switch (p->init) {
        case MLC_INIT_ZEROS:
            for (size_t j = 0; j < p->size; j++)
                w[j] = 0.0f;
            break;
        case MLC_INIT_ONES:
            for (size_t j = 0; j < p->size; j++)
                w[j] = 1.0f;
            break;
        case MLC_INIT_RANDN:
            for (size_t j = 0; j < p->size; j++)
                w[j] = mlc_rng_normal(&rng);
            break;
        case MLC_INIT_UNIFORM: {
            /* PyTorch's Linear: U(-1/sqrt(fan_in), 1/sqrt(fan_in)); u in [0, 1) maps to
             * [-bound, bound). A fan_in of 0 gives bound 0, as in PyTorch. */
            float bound = p->fan_in > 0 ? (float)(1.0 / sqrt((double)p->fan_in)) : 0.0f;
            for (size_t j = 0; j < p->size; j++)
                w[j] = (2.0f * mlc_rng_uniform(&rng) - 1.0f) * bound;
            break;
        }
        }
    }
}

void mlc_init_states(const MlcModel *m, float *states) {
    for (int i = 0; i < m->nstate; i++) {
        const MlcParam *p = &m->states[i];
        for (size_t j = 0; j < p->size; j++)
            states[p->offset + j] = p->init == MLC_INIT_ONES ? 1.0f : 0.0f;
    }
}
