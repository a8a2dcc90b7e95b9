/* test_rt_rng.c: the PCG32 generator and parameter initialisation.
 *
 * PCG32 must reproduce the reference implementation (pcg32-demo's (42, 54) sequence) and
 * the runtime's documented default stream; uniform values stay in [0, 1); initialisation
 * respects each MlcInit and is the same bit for bit for the same seed.
 */
#include "mlc_runtime.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

static void test_reference(void) {
    /* pcg32-demo (pcg-c-basic): pcg32_srandom_r(&rng, 42u, 54u) */
    static const uint32_t want[] = {0xa15c02b7, 0x7b47f409, 0xba1d3330,
                                    0x83d2f293, 0xbfa4784b, 0xcbed606e};
    MlcRng r;
    mlc_rng_seed_stream(&r, 42, 54);
    for (int i = 0; i < 6; i++)
        CHECK(want[i], mlc_rng_u32(&r));

    /* The runtime's stream: --seed 0 and --seed 1 (computed with an independent Python
     * transcription of pcg_basic). */
    mlc_rng_seed(&r, 0);
    CHECK(0x840c5d13u, mlc_rng_u32(&r));
    CHECK(0x5d6f2b79u, mlc_rng_u32(&r));
    mlc_rng_seed(&r, 1);
    CHECK(0x6501b3c2u, mlc_rng_u32(&r));
}

static void test_ranges(void) {
    MlcRng r;
    mlc_rng_seed(&r, 7);
    double sum = 0.0, sum2 = 0.0;
    int n = 100000;
    for (int i = 0; i < n; i++) {
        float u = mlc_rng_uniform(&r);
        CHECK_TRUE(u >= 0.0f && u < 1.0f);
    }
    for (int i = 0; i < n; i++) {
        uint32_t k = mlc_rng_below(&r, 10);
        CHECK_TRUE(k < 10);
    }
    CHECK(0, mlc_rng_below(&r, 1));
    for (int i = 0; i < n; i++) {
        double z = (double)mlc_rng_normal(&r);
        CHECK_TRUE(isfinite(z));
        sum += z;
        sum2 += z * z;
    }
    /* mean 0 and variance 1, within a few standard errors */
    CHECK_TRUE(fabs(sum / n) < 0.02);
    CHECK_TRUE(fabs(sum2 / n - 1.0) < 0.03);
}

static void test_init(void) {
    static const MlcParam params[] = {
        {"w", 2, {64, 100}, 0, 6400, MLC_INIT_UNIFORM, 100},
        {"b", 1, {64}, 6400, 64, MLC_INIT_UNIFORM, 100},
        {"z", 1, {5}, 6464, 5, MLC_INIT_ZEROS, 0},
        {"o", 1, {5}, 6469, 5, MLC_INIT_ONES, 0},
        {"n", 1, {1000}, 6474, 1000, MLC_INIT_RANDN, 0},
    };
    MlcModel m;
    memset(&m, 0, sizeof m);
    m.params = params;
    m.nparam = 5;
    m.nparams = 7474;
    float *a = malloc(m.nparams * sizeof(float));
    float *b = malloc(m.nparams * sizeof(float));
    mlc_init_params(&m, a, 0);
    mlc_init_params(&m, b, 0);
    CHECK(0, memcmp(a, b, m.nparams * sizeof(float)));

    /* U(-0.1, 0.1), and not all the same */
    float lo = 1.0f, hi = -1.0f;
    for (size_t i = 0; i < 6464; i++) {
        CHECK_TRUE(a[i] >= -0.1f && a[i] < 0.1f);
        lo = a[i] < lo ? a[i] : lo;
        hi = a[i] > hi ? a[i] : hi;
    }
    CHECK_TRUE(lo < -0.09f && hi > 0.09f);
    for (size_t i = 6464; i < 6469; i++)
        CHECK_TRUE(a[i] == 0.0f);
    for (size_t i = 6469; i < 6474; i++)
        CHECK_TRUE(a[i] == 1.0f);
    int big = 0;
    for (size_t i = 6474; i < 7474; i++)
        big += fabsf(a[i]) > 1.0f;
    CHECK_TRUE(big > 250 && big < 390); /* P(|z| > 1) = 0.317 */

    /* The first weight is the first uniform of the default stream, mapped to [-b, b). */
    MlcRng r;
    mlc_rng_seed(&r, 0);
    CHECK_TRUE(a[0] == (2.0f * mlc_rng_uniform(&r) - 1.0f) * 0.1f);

    mlc_init_params(&m, b, 1);
    CHECK_TRUE(memcmp(a, b, m.nparams * sizeof(float)) != 0);
    free(a);
    free(b);
}

int main(void) {
    test_reference();
    test_ranges();
    test_init();
    return check_failures != 0;
}
