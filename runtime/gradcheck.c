/* gradcheck.c: checking the generated backward pass by finite differences.
 *
 * For every parameter, a few of its entries are checked: the eight with the largest
 * gradient (where a wrong gradient shows most) and eight more drawn at random. Each one is
 * moved by +h and -h, the loss recomputed by the forward pass, and the central difference
 *     fd = (L(w + h) - L(w - h)) / 2h
 * compared with the gradient g the backward pass wrote. The loss is a float sum, so the
 * difference carries a rounding error of about eps_f32 |L| / h; with h = 1e-2 that is
 * near 1e-5. An entry passes when
 *     |g - fd| <= 1e-3 + 2e-2 max(|g|, |fd|) + bend / 2,
 * bend being the difference of the one-sided slopes. Near a kink (a relu whose input crosses zero
 * within h) the central difference averages two slopes and misses the gradient by up to half their
 * difference, which is what the one-sided slopes (L(w + h) - L(w)) / h and (L(w) - L(w - h)) / h
 * show. Where the loss is smooth, bend is only h |L''|: a small allowance, and a wrong gradient
 * rule is still far outside it.
 */
#include "mlc_runtime.h"

#include <stdlib.h>

enum {
    CHECK_TOP = 8,
    CHECK_RANDOM = 8
};

/* The loss with parameter entry `at` moved by delta (and then put back). */
static float loss_at(const MlcModel *m, void *state, const MlcBuffers *b, const float *x,
                     const void *y, int64_t n, size_t at, float delta) {
    float *w = b->params + at;
    const float saved = *w;
    *w = saved + delta;
    m->forward(state, x, y, n);
    float loss = m->loss(state);
    *w = saved;
    return loss;
}

/* 1 if the gradient at parameter entry `at` disagrees with the finite difference, else 0. */
static int check_entry(const MlcModel *m, void *state, const MlcBuffers *b, const float *x,
                       const void *y, int64_t n, size_t at, float *max_err) {
    const float h = 1e-2f, g = b->grads[at];
    float up = loss_at(m, state, b, x, y, n, at, h);
    float mid = loss_at(m, state, b, x, y, n, at, 0.0f);
    float down = loss_at(m, state, b, x, y, n, at, -h);
    float fd = (up - down) / (2.0f * h);
    float bend = fabsf((up - mid) / h - (mid - down) / h);
    float err = fabsf(g - fd);
    if (err > *max_err)
        *max_err = err;
    return err <= 1e-3f + 2e-2f * fmaxf(fabsf(g), fabsf(fd)) + 0.5f * bend ? 0 : 1;
}

/* The training step may fold plain SGD into the GEMMs that compute the weight gradients
 * (train_step), reordering the backward pass so that each weight is updated after its last
 * reader. One step of it must move every parameter exactly as forward, backward and
 * w -= lr * grad do, up to float rounding. Leaves the parameters as they were; returns the
 * number of parameters that moved differently. */
static int check_train_step(const MlcModel *m, void *state, const MlcBuffers *b, const float *x,
                            const void *y, int64_t n, FILE *out) {
    if (!m->train_step)
        return 0;
    const float lr = 0.25f;
    float *saved = malloc(m->nparams * sizeof(float));
    float *expect = malloc(m->nparams * sizeof(float));
    if (!saved || !expect) {
        free(saved);
        free(expect);
        fprintf(out, "training step: out of memory\n");
        return 1;
    }
    m->forward(state, x, y, n);
    m->backward(state, x, y, n);
    for (size_t i = 0; i < m->nparams; i++) {
        saved[i] = b->params[i];
        expect[i] = b->params[i] - lr * b->grads[i];
    }
    m->train_step(state, x, y, n, lr);
    int bad = 0;
    for (int p = 0; p < m->nparam; p++) {
        const MlcParam *par = &m->params[p];
        size_t wrong = 0;
        for (size_t i = par->offset; i < par->offset + par->size; i++) {
            /* the fold computes w + (-lr) dYᵀX in the GEMM: the same sums, rounded in
             * another order, so allow a few float ulps of the operands */
            float tol = 1e-5f * (fabsf(saved[i]) + fabsf(saved[i] - expect[i])) + 1e-7f;
            wrong += !(fabsf(b->params[i] - expect[i]) <= tol); /* NaN is wrong too */
        }
        if (wrong) {
            fprintf(out, "%-30s %zu entries moved differently from w -= lr * grad\n", par->name,
                    wrong);
            bad++;
        }
    }
    for (size_t i = 0; i < m->nparams; i++)
        b->params[i] = saved[i];
    free(saved);
    free(expect);
    fprintf(out, "training step (lr %g): %s\n", (double)lr, bad ? "FAILED" : "ok");
    return bad;
}

int mlc_check_grads(const MlcModel *m, void *state, const MlcBuffers *b, const float *x,
                    const void *y, int64_t n, FILE *out) {
    /* The gradients at the current weights; the forward passes below overwrite activations
     * only, and backward is not run again. */
    m->forward(state, x, y, n);
    float loss = m->loss(state);
    m->backward(state, x, y, n);
    fprintf(out, "loss: %f; checking gradients by central differences (h = 0.01)\n", (double)loss);
    MlcRng rng;
    mlc_rng_seed_stream(&rng, 0, MLC_RNG_STREAM_SHUFFLE + 1);
    int failures = 0;
    for (int p = 0; p < m->nparam; p++) {
        const MlcParam *par = &m->params[p];
        const float *g = b->grads + par->offset;
        /* the CHECK_TOP largest entries, by selection (parameters are small enough) */
        size_t picked[CHECK_TOP + CHECK_RANDOM];
        int npicked = 0;
        for (int t = 0; t < CHECK_TOP && (size_t)t < par->size; t++) {
            size_t best = 0;
            float best_abs = -1.0f;
            for (size_t i = 0; i < par->size; i++) {
                bool taken = false;
                for (int k = 0; k < npicked && !taken; k++)
                    taken = picked[k] == i;
                if (!taken && fabsf(g[i]) > best_abs) {
                    best = i;
                    best_abs = fabsf(g[i]);
                }
            }
            picked[npicked++] = best;
        }
        /* then CHECK_RANDOM others, each entry at most once */
        while (npicked < CHECK_TOP + CHECK_RANDOM && (size_t)npicked < par->size) {
            size_t i = mlc_rng_below(&rng, (uint32_t)par->size);
            bool taken = false;
            for (int k = 0; k < npicked && !taken; k++)
                taken = picked[k] == i;
            if (!taken)
                picked[npicked++] = i;
        }
        float max_err = 0.0f, max_g = 0.0f;
        int bad = 0;
        for (int k = 0; k < npicked; k++) {
            bad += check_entry(m, state, b, x, y, n, par->offset + picked[k], &max_err);
            max_g = fmaxf(max_g, fabsf(g[picked[k]]));
        }
        fprintf(out, "%-30s %2d entries, largest |grad| %.3e, largest error %.3e  %s\n", par->name,
                npicked, (double)max_g, (double)max_err, bad ? "FAILED" : "ok");
        failures += bad;
    }
    failures += check_train_step(m, state, b, x, y, n, out);
    fprintf(out, "%s\n", failures ? "gradient check FAILED" : "gradient check passed");
    return failures;
}
