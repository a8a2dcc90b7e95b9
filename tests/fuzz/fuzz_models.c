/* fuzz_models.c: random models, compiled by mlc and checked against a double reference.
 *
 * fuzz_models --mlc PATH [--seed S] [--count N] [--random-seed] [--seconds T] [--work DIR]
 *             [--batch N] [--no-shrink] [--verbose] [--print] [--model FILE]
 *
 * For each seed: gen.c makes a model; lower_model (in this process) gives its forward IR;
 * random parameter values, inputs and targets are drawn for a random batch size n (mostly
 * 1 to 7, sometimes 64 or 257, now and then about 1000 with small samples, which stresses
 * the reductions). The real mlc builds the program, which runs as
 *
 *     prog --load weights.safetensors --inputs batch.safetensors --grads out.safetensors
 *
 * and its loss and every parameter's gradient are compared with ir_eval.c's double
 * evaluation and central differences. A failure prints the seed, what differed and the model
 * shrunk as far as it still fails the same way (gen_shrink, each try checked again), and
 * leaves the shrunk model's files in WORK/seed-S/. The exit status is 1 if any model failed.
 * See tests/fuzz/README.md.
 */
#include "ir_eval.h"
#include "mlc_runtime.h"
#include "gen.h"

#include <glob.h>
#include <signal.h>
#include <time.h>

/* ---- tolerances ----------------------------------------------------------------------------
 *
 * The loss. The program computes in float32 (eps = 2^-24 = 6e-8), the reference in double.
 * ir_eval.c bounds the float32 rounding error of the loss to first order, counting every
 * rounding once, including those of values that cancel later (sum(a) - sum(b)), so the
 * tolerance is LOSS_SLACK * eps * (bound + |loss|). The slack covers what the bound does not
 * model: library functions a few ulps off, simplify.c folding constants and reassociating,
 * and the actual order of a GEMM's float sums. For a chain of ~20 ops that is about 1e-5
 * relative. A float accumulator summing 10^4..10^5 elements drifts by 1e-4..1e-3 relative,
 * well outside it.
 *
 * The gradients. The reference is a central difference in double with Richardson
 * extrapolation: accurate to ~1e-9 relative where the loss is smooth; entries with a kink
 * within the step are skipped (and counted). The program's gradient is a float32 backward
 * pass whose error scales with the terms it sums, not with the result: an entry that is
 * zero after cancellation still carries eps times its terms. Hence, per entry,
 *     |mlc - ref| <= GRAD_RTOL * |ref| + GRAD_TENSOR * max|ref of this tensor|
 *                    + GRAD_MODEL * max(max|ref of all tensors|, 1e-2)
 * GRAD_RTOL = 2e-4 is ~3000 eps: a backward chain of tens of ops, and weight gradients that
 * are float dot products over the batch (sqrt(1000) * eps = 2e-6) fit many times over. The
 * tensor and model terms allow for cancellation within a tensor and across the loss's terms
 * (1e-2 keeps a floor when every gradient is tiny). A wrong gradient (a missing term, a
 * stale buffer, a missing 1/N) is off by tens of percent, far outside. */
enum {
    LOSS_SLACK = 16,
};
static const double EPS32 = 0x1p-24;
static const double GRAD_RTOL = 2e-4;
static const double GRAD_TENSOR = 2e-5;
static const double GRAD_MODEL = 2e-6;
static const double GRAD_LOSS = 0.1;

/* Entries checked per parameter: all of a small one; else this many at random plus the
 * LARGEST ones by the program's gradient (where a wrong scale shows most). */
enum {
    FD_ALL = 64,
    FD_RANDOM = 24,
    FD_LARGEST = 8,
};

typedef enum Verdict {
    V_PASS,    /* agrees */
    V_INVALID, /* the reference itself is not finite: nothing to compare (shrinking only) */
    V_COMPILE, /* mlc (or its front end in this process) rejects a generated model */
    V_CRASH,   /* the program failed, or wrote no or malformed gradients */
    V_LOSS,    /* the loss differs */
    V_GRAD,    /* a gradient differs */
} Verdict;

static const char *const verdict_names[] = {"pass",  "invalid reference", "compile error",
                                            "crash", "loss differs",      "gradient differs"};

typedef struct Fuzz {
    const char *mlc;
    char work[4096];
    bool verbose, shrink;
    int64_t batch; /* --batch, or 0 for random */
    /* statistics */
    long models, failures, entries, kinks;
    double mlc_seconds;
} Fuzz;

/* What one check found. */
typedef struct Result {
    Verdict v;
    int64_t n;
    char msg[4096];
} Result;

static void note(Result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(Result *r, const char *fmt, ...) {
    size_t len = strlen(r->msg);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg + len, sizeof r->msg - len, fmt, ap);
    va_end(ap);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- running programs ------------------------------------------------------------------------ */

/* Runs argv with stdout and stderr into log, killing it after limit seconds. Returns its
 * exit status, 128 + the signal that ended it, or -1 if it could not start. */
static int run(char *const argv[], const char *log, double limit) {
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        FILE *f = fopen(log, "w");
        if (f) {
            dup2(fileno(f), 1);
            dup2(fileno(f), 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    double end = now() + limit;
    int status;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (now() > end) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return 128 + SIGKILL;
        }
        nanosleep(&(struct timespec){0, 2000000}, NULL);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The last lines of a log, into the result. */
static void note_log(Result *r, const char *log) {
    FILE *f = fopen(log, "r");
    if (!f)
        return;
    char buf[1500];
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, size > (long)sizeof buf - 1 ? size - (long)sizeof buf + 1 : 0, SEEK_SET);
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    buf[got] = '\0';
    fclose(f);
    note(r, "  %s:\n%s", log, buf);
}

static bool write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs(text, f);
    return fclose(f) == 0;
}

/* ---- the data ----------------------------------------------------------------------------- */

/* Everything the program and the reference both get, as floats (so both see the same
 * numbers) and as doubles for the reference. */
typedef struct Data {
    int nparam;
    float **pf; /* per parameter */
    double **pd;
    int64_t *pn; /* elements per parameter */
    float *xf, *yf;
    double *xd, *yd;
    int64_t nx, ny; /* elements of x and y */
} Data;

static void *xmalloc(size_t size) {
    void *p = calloc(1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "fuzz_models: out of memory\n");
        exit(1);
    }
    return p;
}

static void data_free(Data *d) {
    for (int p = 0; p < d->nparam; p++) {
        free(d->pf[p]);
        free(d->pd[p]);
    }
    free(d->pf);
    free(d->pd);
    free(d->pn);
    free(d->xf);
    free(d->yf);
    free(d->xd);
    free(d->yd);
}

/* Random parameters of a PyTorch-like scale (linear layers uniform in +-1/sqrt(fan_in),
 * matrices normal / sqrt(rows), the rest normal * 0.7), a normal input, and targets: class
 * labels in range, or floats in [0, 1) (what bce_with_logits expects). Nothing is constant,
 * so a kernel that reads the wrong element or sample shows. */
static void make_data(Data *d, Graph *g, int64_t n, uint64_t seed) {
    GenRng rng = {seed ^ 0x6461746164617461u};
    d->nparam = g->params.len;
    d->pf = xmalloc((size_t)d->nparam * sizeof(float *));
    d->pd = xmalloc((size_t)d->nparam * sizeof(double *));
    d->pn = xmalloc((size_t)d->nparam * sizeof(int64_t));
    for (int p = 0; p < d->nparam; p++) {
        Node *pn = g->params.data[p];
        int64_t k = ir_eval_numel(pn->shape, n);
        d->pn[p] = k;
        d->pf[p] = xmalloc((size_t)k * sizeof(float));
        d->pd[p] = xmalloc((size_t)k * sizeof(double));
        for (int64_t i = 0; i < k; i++) {
            double v;
            if (pn->attr.leaf.init == INIT_UNIFORM)
                v = (2 * gen_rng_uniform(&rng) - 1) / sqrt((double)pn->attr.leaf.fan_in);
            else if (pn->shape.rank >= 2)
                v = gen_rng_normal(&rng) / sqrt((double)pn->shape.dim[0]);
            else
                v = 0.7 * gen_rng_normal(&rng);
            d->pf[p][i] = (float)v;
            d->pd[p][i] = d->pf[p][i];
        }
    }
    d->nx = ir_eval_numel(g->input->shape, n);
    d->ny = ir_eval_numel(g->target->shape, n);
    d->xf = xmalloc((size_t)d->nx * sizeof(float));
    d->xd = xmalloc((size_t)d->nx * sizeof(double));
    d->yf = xmalloc((size_t)d->ny * sizeof(float));
    d->yd = xmalloc((size_t)d->ny * sizeof(double));
    for (int64_t i = 0; i < d->nx; i++) {
        d->xf[i] = (float)gen_rng_normal(&rng);
        d->xd[i] = d->xf[i];
    }
    for (int64_t i = 0; i < d->ny; i++) {
        if (g->target->dtype == DT_I32)
            d->yf[i] = (float)gen_rng_below(&rng, (uint64_t)g->target->attr.leaf.nclass);
        else
            d->yf[i] = (float)gen_rng_uniform(&rng);
        d->yd[i] = d->yf[i];
    }
}

static MlcTensor tensor_of(const char *name, Shape s, int64_t n, const float *data) {
    MlcTensor t = {name, s.rank, {0}, data};
    for (int i = 0; i < s.rank; i++)
        t.shape[i] = s.dim[i] == DIM_N ? n : s.dim[i];
    return t;
}

static bool write_data(const char *wpath, const char *bpath, Graph *g, int64_t n, Data *d,
                       Result *r) {
    char err[1024];
    int nt = d->nparam + g->states.len;
    MlcTensor *t = xmalloc((size_t)(nt + 1) * sizeof *t);
    float **state = xmalloc((size_t)(g->states.len + 1) * sizeof *state);
    for (int p = 0; p < d->nparam; p++) {
        Node *pn = g->params.data[p];
        t[p] = tensor_of(pn->attr.leaf.pname, pn->shape, n, d->pf[p]);
    }
    for (int i = 0; i < g->states.len; i++) { /* running statistics: their initial values */
        Node *sn = g->states.data[i];
        int64_t k = ir_eval_numel(sn->shape, n);
        state[i] = xmalloc((size_t)(k + 1) * sizeof(float));
        for (int64_t j = 0; j < k; j++)
            state[i][j] = sn->attr.leaf.init == INIT_ONES ? 1.0f : 0.0f;
        t[d->nparam + i] = tensor_of(sn->attr.leaf.pname, sn->shape, n, state[i]);
    }
    bool ok = mlc_safetensors_write(wpath, t, nt, err, sizeof err);
    for (int i = 0; i < g->states.len; i++)
        free(state[i]);
    free(state);
    if (ok) {
        MlcTensor b[2] = {tensor_of(g->input->name, g->input->shape, n, d->xf),
                          tensor_of(g->target->name, g->target->shape, n, d->yf)};
        ok = mlc_safetensors_write(bpath, b, 2, err, sizeof err);
    }
    if (!ok)
        note(r, "  cannot write the data: %s\n", err);
    free(t);
    return ok;
}

/* ---- comparing ----------------------------------------------------------------------------- */

static const MlcTensor *find(const MlcTensor *t, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (!strcmp(t[i].name, name))
            return &t[i];
    return NULL;
}

/* Which entries of a parameter to check: all, or random ones plus the largest. */
static int pick_entries(const float *gf, int64_t k, GenRng *rng, int64_t *idx) {
    if (k <= FD_ALL) {
        for (int64_t i = 0; i < k; i++)
            idx[i] = i;
        return (int)k;
    }
    int m = 0;
    for (int i = 0; i < FD_LARGEST; i++) {
        int64_t best = -1;
        for (int64_t j = 0; j < k; j++) {
            bool taken = false;
            for (int t = 0; t < m; t++)
                taken |= idx[t] == j;
            if (!taken && (best < 0 || fabsf(gf[j]) > fabsf(gf[best])))
                best = j;
        }
        idx[m++] = best;
    }
    for (int i = 0; i < FD_RANDOM; i++)
        idx[m++] = (int64_t)gen_rng_below(rng, (uint64_t)k);
    return m;
}

/* The program's loss and gradients (out.safetensors) against the reference. */
static Verdict compare(Fuzz *F, Graph *g, IrEval *ev, double loss, const char *out, uint64_t seed,
                       Result *r) {
    MlcTensor *t = NULL;
    int nt = 0;
    char err[1024];
    if (!mlc_safetensors_read_all(out, &t, &nt, err, sizeof err)) {
        note(r, "  cannot read the gradients: %s\n", err);
        return V_CRASH;
    }
    Verdict v = V_PASS;
    const MlcTensor *lt = find(t, nt, "loss");
    Node *ln = g->loss;
    double lbound = ev->err[ln->id][0];
    double ltol = LOSS_SLACK * EPS32 * (lbound + fabs(loss));
    if (!lt || lt->rank != 0) {
        note(r, "  no scalar 'loss' in %s\n", out);
        v = V_CRASH;
    } else if (!(fabs(lt->data[0] - loss) <= ltol)) {
        note(r, "  loss: mlc %.9g, reference %.9g (difference %.3g, tolerance %.3g)\n",
             (double)lt->data[0], loss, fabs(lt->data[0] - loss), ltol);
        v = V_LOSS;
    }

    /* reference gradients first: the tolerance depends on their magnitudes */
    int np = g->params.len;
    int64_t **idx = xmalloc((size_t)np * sizeof(int64_t *));
    double **ref = xmalloc((size_t)np * sizeof(double *));
    bool **ok = xmalloc((size_t)np * sizeof(bool *));
    int *cnt = xmalloc((size_t)np * sizeof(int));
    const MlcTensor **gt = xmalloc((size_t)np * sizeof(MlcTensor *));
    double gmax_all = 0;
    GenRng rng = {seed ^ 0x6772616473u};
    for (int p = 0; p < np && v != V_CRASH; p++) {
        Node *pn = g->params.data[p];
        int64_t k = ev->numel[pn->id];
        gt[p] = find(t, nt, pn->attr.leaf.pname);
        bool shape_ok = gt[p] && gt[p]->rank == pn->shape.rank;
        for (int d = 0; shape_ok && d < pn->shape.rank; d++)
            shape_ok = gt[p]->shape[d] == pn->shape.dim[d];
        if (!shape_ok) {
            note(r, "  no gradient '%s' of the parameter's shape in %s\n", pn->attr.leaf.pname,
                 out);
            v = V_CRASH;
            break;
        }
        idx[p] = xmalloc((FD_ALL + FD_RANDOM + FD_LARGEST) * sizeof(int64_t));
        ref[p] = xmalloc((FD_ALL + FD_RANDOM + FD_LARGEST) * sizeof(double));
        ok[p] = xmalloc((FD_ALL + FD_RANDOM + FD_LARGEST) * sizeof(bool));
        cnt[p] = pick_entries(gt[p]->data, k, &rng, idx[p]);
        for (int i = 0; i < cnt[p]; i++) {
            ref[p][i] = ir_eval_fd(ev, p, idx[p][i], &ok[p][i]);
            if (ok[p][i] && fabs(ref[p][i]) > gmax_all)
                gmax_all = fabs(ref[p][i]);
        }
    }
    /* Where the true gradient is 0 after cancellation (sum(softmax(v)) is N whatever v is),
     * both sides are rounding noise: the difference quotient's, 2.2e-16 * (|L| + its bound) /
     * h in double, and the program's, which scales with the loss's own float32 error
     * (GRAD_LOSS times it, per unit of the parameter). */
    double lscale = ev->err[g->loss->id][0] + fabs(loss);
    double noise = GRAD_LOSS * EPS32 * lscale + 10 * 2.2e-16 * lscale / 1e-5;
    int shown = 0;
    for (int p = 0; p < np && v != V_CRASH; p++) {
        Node *pn = g->params.data[p];
        double gmax = 0;
        for (int i = 0; i < cnt[p]; i++)
            if (ok[p][i] && fabs(ref[p][i]) > gmax)
                gmax = fabs(ref[p][i]);
        for (int i = 0; i < cnt[p]; i++) {
            if (!ok[p][i]) {
                F->kinks++;
                continue;
            }
            F->entries++;
            double mine = gt[p]->data[idx[p][i]], want = ref[p][i];
            double tol = GRAD_RTOL * fabs(want) + GRAD_TENSOR * gmax +
                         GRAD_MODEL * (gmax_all > 1e-2 ? gmax_all : 1e-2) + noise;
            if (!(fabs(mine - want) <= tol)) {
                if (shown++ < 6)
                    note(r, "  %s.grad[%lld]: mlc %.9g, reference %.9g (tolerance %.3g)\n",
                         pn->attr.leaf.pname, (long long)idx[p][i], mine, want, tol);
                if (v == V_PASS)
                    v = V_GRAD;
            }
        }
    }
    if (shown > 6)
        note(r, "  ... %d entries differ in all\n", shown);
    for (int p = 0; p < np; p++) { /* never-filled entries are NULL */
        free(idx[p]);
        free(ref[p]);
        free(ok[p]);
    }
    free(idx);
    free(ref);
    free(ok);
    free(cnt);
    free(gt);
    mlc_tensors_free(t, nt);
    return v;
}

/* Builds model with mlc into dir/prog and runs it on the weights and the batch, writing the
 * loss and the gradients to out. V_PASS if both went well. */
static Verdict build_and_run(Fuzz *F, const char *dir, const char *model, const char *weights,
                             const char *batch, const char *out, Result *r) {
    char prog[4200], log[4200];
    snprintf(prog, sizeof prog, "%s/prog", dir);
    unlink(prog);
    unlink(out);
    snprintf(log, sizeof log, "%s/mlc.log", dir);
    char opt_o[] = "-o", opt_load[] = "--load", opt_inputs[] = "--inputs", opt_grads[] = "--grads";
    char *mlc_argv[] = {(char *)F->mlc, (char *)model, opt_o, prog, NULL};
    double t0 = now();
    int rc = run(mlc_argv, log, 120);
    F->mlc_seconds += now() - t0;
    if (rc != 0) {
        note(r, "  mlc exited with status %d\n", rc);
        note_log(r, log);
        return V_COMPILE;
    }
    snprintf(log, sizeof log, "%s/prog.log", dir);
    char *prog_argv[] = {prog,          opt_load,  (char *)weights, opt_inputs,
                         (char *)batch, opt_grads, (char *)out,     NULL};
    rc = run(prog_argv, log, 120);
    if (rc != 0) {
        note(r, "  the program exited with status %d\n", rc);
        note_log(r, log);
        return V_CRASH;
    }
    return V_PASS;
}

/* ---- one check ------------------------------------------------------------------------------- */

/* The largest number of floats any value has per sample. */
static int64_t max_per_sample(Graph *g) {
    int64_t most = 1;
    for (int i = 0; i < g->nodes.len; i++) {
        Node *nd = g->nodes.data[i];
        int64_t k = shape_numel_const(nd->shape);
        if (shape_has_n(nd->shape) && k > most)
            most = k;
    }
    return most;
}

/* A batch size: mostly small, sometimes 64 or 257, now and then about 1000 where the samples
 * are small (sums over ~10^4 elements). */
static int64_t pick_batch(Graph *g, uint64_t seed) {
    GenRng rng = {seed ^ 0x6261746368u};
    static const int64_t small[] = {1, 2, 3, 7};
    uint64_t c = gen_rng_below(&rng, 100);
    if (c < 70)
        return small[gen_rng_below(&rng, 4)];
    if (c < 88 || max_per_sample(g) > 64)
        return gen_rng_below(&rng, 2) ? 64 : 257;
    return 1000 + (int64_t)gen_rng_below(&rng, 30);
}

/* The forward IR of a model text, made in this process as mlc makes it; NULL (and a
 * V_COMPILE result) if the front end rejects it. *cx is for ctx_free. */
static Graph *front_end(const char *text, Ctx **cx, Result *r) {
    char *diag = NULL;
    size_t diaglen = 0;
    FILE *errf = open_memstream(&diag, &diaglen);
    *cx = ctx_new("model.model", text, strlen(text), errf);
    AstModel *am = parse_model(*cx);
    Graph *g = (*cx)->nerrors ? NULL : lower_model(*cx, am);
    fclose(errf);
    if ((*cx)->nerrors || !g->loss) {
        r->v = V_COMPILE;
        note(r, "  the front end (parse_model, lower_model) rejects it:\n%s", diag);
        free(diag);
        ctx_free(*cx);
        return NULL;
    }
    free(diag);
    return g;
}

/* Checks one model text in dir with batch n (0: pick one from the seed). */
static void check(Fuzz *F, const char *text, int64_t n, uint64_t seed, const char *dir, Result *r) {
    memset(r, 0, sizeof *r);
    Ctx *cx;
    Graph *g = front_end(text, &cx, r);
    if (!g)
        return;
    r->n = n = n ? n : pick_batch(g, seed);

    Data d = {0};
    make_data(&d, g, n, seed);
    IrEval *ev = ir_eval_new(g, n, d.pd, d.xd, d.yd);
    double loss = ir_eval_run(ev);
    char model[4200], out[4200], weights[4200], batch[4200];
    snprintf(model, sizeof model, "%s/model.model", dir);
    snprintf(out, sizeof out, "%s/out.safetensors", dir);
    snprintf(weights, sizeof weights, "%s/weights.safetensors", dir);
    snprintf(batch, sizeof batch, "%s/batch.safetensors", dir);
    if (!isfinite(loss)) {
        r->v = V_INVALID;
        note(r, "  the reference loss is %g\n", loss);
    } else if (!write_text(model, text) || !write_data(weights, batch, g, n, &d, r)) {
        r->v = V_CRASH;
        note(r, "  cannot write the model's files in %s\n", dir);
    } else {
        r->v = build_and_run(F, dir, model, weights, batch, out, r);
        if (r->v == V_PASS)
            r->v = compare(F, g, ev, loss, out, seed, r);
    }
    ir_eval_free(ev);
    data_free(&d);
    ctx_free(cx);
}

/* ---- shrinking ---------------------------------------------------------------------------- */

enum {
    SHRINK_MAX_CHECKS = 400,
    SHRINK_MAX_SECONDS = 150,
};

/* Does r fail as want did? The same verdict, and for a compile error the same kind: mlc's
 * internal error is not a model the front end rejects (a shrunk model can be invalid). */
static bool same_failure(const Result *r, const Result *want) {
    if (r->v != want->v)
        return false;
    if (r->v != V_COMPILE)
        return true;
    return (strstr(r->msg, "internal error") != NULL) ==
           (strstr(want->msg, "internal error") != NULL);
}

/* The smallest model (and batch) gen_shrink reaches that still fails as want did. */
static GenModel *shrink(Fuzz *F, GenModel *m, int64_t *n, uint64_t seed, const Result *want,
                        int *checks) {
    double end = now() + SHRINK_MAX_SECONDS;
    Result r;
    bool progress = true;
    *checks = 0;
    while (progress && *checks < SHRINK_MAX_CHECKS && now() < end) {
        progress = false;
        static const int64_t smaller[] = {1, 2, 3};
        for (int i = 0; i < 3 && !progress && smaller[i] < *n; i++) {
            char *text = gen_print(m);
            check(F, text, smaller[i], seed, F->work, &r);
            free(text);
            ++*checks;
            if (same_failure(&r, want)) {
                *n = smaller[i];
                progress = true;
            }
        }
        int ways = gen_shrink_count(m);
        for (int k = 0; k < ways && !progress && *checks < SHRINK_MAX_CHECKS && now() < end; k++) {
            GenModel *c = gen_shrink(m, k);
            if (!c)
                continue;
            char *text = gen_print(c);
            check(F, text, *n, seed, F->work, &r);
            free(text);
            ++*checks;
            if (same_failure(&r, want)) {
                m = c;
                progress = true;
            }
        }
    }
    return m;
}

/* ---- the PyTorch corpus ---------------------------------------------------------------------
 *
 * --corpus DIR writes, for each seed S, fuzzS.model, fuzzS.py (gen_print_torch), and the
 * weights and batch (fuzzS_weights.safetensors, fuzzS_batch.safetensors; a batch of 1 to 7);
 * make_torch_fixtures.py adds fuzzS_expected.safetensors, the loss and gradients PyTorch
 * computes in float32. --corpus-check DIR compiles each model with mlc and compares. */

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, mem);
    fclose(mem);
    fclose(f);
    return text;
}

static int write_corpus(const char *dir, uint64_t seed, long count) {
    mkdir(dir, 0777);
    for (uint64_t s = seed; s < seed + (uint64_t)count; s++) {
        GenPool *pool = gen_pool_new();
        GenModel *m = gen_model(pool, s, false);
        char *text = gen_print(m), *py = gen_print_torch(m);
        Result r = {0};
        Ctx *cx;
        Graph *g = front_end(text, &cx, &r);
        char path[4200], wpath[4200], bpath[4200];
        bool ok = g != NULL;
        if (ok) {
            static const int64_t small[] = {1, 2, 3, 7};
            int64_t n = small[s % 4];
            Data d = {0};
            make_data(&d, g, n, s);
            snprintf(path, sizeof path, "%s/fuzz%llu.model", dir, (unsigned long long)s);
            ok = write_text(path, text);
            snprintf(path, sizeof path, "%s/fuzz%llu.py", dir, (unsigned long long)s);
            ok = ok && write_text(path, py);
            snprintf(wpath, sizeof wpath, "%s/fuzz%llu_weights.safetensors", dir,
                     (unsigned long long)s);
            snprintf(bpath, sizeof bpath, "%s/fuzz%llu_batch.safetensors", dir,
                     (unsigned long long)s);
            ok = ok && write_data(wpath, bpath, g, n, &d, &r);
            data_free(&d);
            ctx_free(cx);
        }
        free(text);
        free(py);
        gen_pool_free(pool);
        if (!ok) {
            fprintf(stderr, "fuzz_models: seed %llu: cannot write it to %s\n%s",
                    (unsigned long long)s, dir, r.msg);
            return 1;
        }
    }
    return 0;
}

/* Fills d from the corpus's weights and batch files (by the graph's names); false on error. */
static bool read_data(Data *d, Graph *g, const char *wpath, const char *bpath, int64_t *n,
                      Result *r) {
    MlcTensor *w = NULL, *b = NULL;
    int nw = 0, nb = 0;
    char err[1024];
    if (!mlc_safetensors_read_all(wpath, &w, &nw, err, sizeof err) ||
        !mlc_safetensors_read_all(bpath, &b, &nb, err, sizeof err)) {
        note(r, "  %s\n", err);
        return false;
    }
    const MlcTensor *x = find(b, nb, g->input->name), *y = find(b, nb, g->target->name);
    bool ok = x && y && x->rank >= 1;
    *n = ok ? x->shape[0] : 0;
    d->nparam = g->params.len;
    d->pf = xmalloc((size_t)d->nparam * sizeof(float *));
    d->pd = xmalloc((size_t)d->nparam * sizeof(double *));
    d->pn = xmalloc((size_t)d->nparam * sizeof(int64_t));
    for (int p = 0; ok && p < d->nparam; p++) {
        Node *pn = g->params.data[p];
        const MlcTensor *t = find(w, nw, pn->attr.leaf.pname);
        int64_t k = ir_eval_numel(pn->shape, *n);
        ok = t != NULL;
        if (!ok)
            break;
        d->pn[p] = k;
        d->pf[p] = xmalloc((size_t)k * sizeof(float));
        d->pd[p] = xmalloc((size_t)k * sizeof(double));
        for (int64_t i = 0; i < k; i++)
            d->pd[p][i] = d->pf[p][i] = t->data[i];
    }
    if (ok) {
        d->nx = ir_eval_numel(g->input->shape, *n);
        d->ny = ir_eval_numel(g->target->shape, *n);
        d->xf = xmalloc((size_t)d->nx * sizeof(float));
        d->xd = xmalloc((size_t)d->nx * sizeof(double));
        d->yf = xmalloc((size_t)d->ny * sizeof(float));
        d->yd = xmalloc((size_t)d->ny * sizeof(double));
        for (int64_t i = 0; i < d->nx; i++)
            d->xd[i] = d->xf[i] = x->data[i];
        for (int64_t i = 0; i < d->ny; i++)
            d->yd[i] = d->yf[i] = y->data[i];
    } else {
        note(r, "  %s or %s lacks a tensor the model needs\n", wpath, bpath);
    }
    mlc_tensors_free(w, nw);
    mlc_tensors_free(b, nb);
    return ok;
}

/* mlc's loss and gradients (out) against PyTorch's (expected), every entry. Both are float32
 * now, so the loss gets twice the tolerance against the double reference; the gradient
 * tolerance (many epsilons already) is the same. */
static Verdict compare_expected(Graph *g, IrEval *ev, const char *out, const char *expected,
                                Result *r) {
    MlcTensor *t = NULL, *e = NULL;
    int nt = 0, ne = 0;
    char err[1024];
    if (!mlc_safetensors_read_all(out, &t, &nt, err, sizeof err) ||
        !mlc_safetensors_read_all(expected, &e, &ne, err, sizeof err)) {
        note(r, "  %s\n", err);
        mlc_tensors_free(t, nt);
        return V_CRASH;
    }
    Verdict v = V_PASS;
    const MlcTensor *lt = find(t, nt, "loss"), *le = find(e, ne, "loss");
    double bound = ev->err[g->loss->id][0];
    if (!lt || !le) {
        note(r, "  no 'loss' in %s or %s\n", out, expected);
        v = V_CRASH;
    } else {
        double want = le->data[0], tol = 2 * LOSS_SLACK * EPS32 * (bound + fabs(want));
        if (!(fabs(lt->data[0] - want) <= tol)) {
            note(r, "  loss: mlc %.9g, PyTorch %.9g (tolerance %.3g)\n", (double)lt->data[0], want,
                 tol);
            v = V_LOSS;
        }
    }
    double gmax_all = 0;
    for (int p = 0; p < g->params.len; p++) {
        const MlcTensor *te = find(e, ne, ((Node *)g->params.data[p])->attr.leaf.pname);
        for (int64_t i = 0; te && i < ev->numel[((Node *)g->params.data[p])->id]; i++)
            gmax_all = fmax(gmax_all, fabs(te->data[i]));
    }
    int shown = 0;
    for (int p = 0; p < g->params.len && v != V_CRASH; p++) {
        Node *pn = g->params.data[p];
        const MlcTensor *tm = find(t, nt, pn->attr.leaf.pname);
        const MlcTensor *te = find(e, ne, pn->attr.leaf.pname);
        int64_t k = ev->numel[pn->id];
        if (!tm || !te) {
            note(r, "  no gradient '%s' in %s or %s\n", pn->attr.leaf.pname, out, expected);
            v = V_CRASH;
            break;
        }
        double gmax = 0;
        for (int64_t i = 0; i < k; i++)
            gmax = fmax(gmax, fabs(te->data[i]));
        for (int64_t i = 0; i < k; i++) {
            double mine = tm->data[i], want = te->data[i];
            double tol = GRAD_RTOL * fabs(want) + GRAD_TENSOR * gmax +
                         GRAD_MODEL * (gmax_all > 1e-2 ? gmax_all : 1e-2);
            if (!(fabs(mine - want) <= tol)) {
                if (shown++ < 6)
                    note(r, "  %s.grad[%lld]: mlc %.9g, PyTorch %.9g (tolerance %.3g)\n",
                         pn->attr.leaf.pname, (long long)i, mine, want, tol);
                if (v == V_PASS)
                    v = V_GRAD;
            }
        }
    }
    mlc_tensors_free(t, nt);
    mlc_tensors_free(e, ne);
    return v;
}

static int check_corpus(Fuzz *F, const char *dir) {
    char pattern[4200];
    snprintf(pattern, sizeof pattern, "%s/*.model", dir);
    glob_t gl;
    if (glob(pattern, 0, NULL, &gl) != 0 || gl.gl_pathc == 0) {
        fprintf(stderr, "fuzz_models: no models in %s\n", dir);
        return 1;
    }
    int failed = 0;
    for (size_t i = 0; i < gl.gl_pathc; i++) {
        const char *model = gl.gl_pathv[i];
        size_t stem = strlen(model) - strlen(".model");
        char wpath[4200], bpath[4200], epath[4200], out[4200];
        snprintf(wpath, sizeof wpath, "%.*s_weights.safetensors", (int)stem, model);
        snprintf(bpath, sizeof bpath, "%.*s_batch.safetensors", (int)stem, model);
        snprintf(epath, sizeof epath, "%.*s_expected.safetensors", (int)stem, model);
        snprintf(out, sizeof out, "%s/out.safetensors", F->work);
        Result r = {0};
        char *text = slurp(model);
        Ctx *cx = NULL;
        Graph *g = text ? front_end(text, &cx, &r) : NULL;
        Data d = {0};
        int64_t n = 0;
        if (g && read_data(&d, g, wpath, bpath, &n, &r)) {
            IrEval *ev = ir_eval_new(g, n, d.pd, d.xd, d.yd);
            ir_eval_run(ev);
            r.v = build_and_run(F, F->work, model, wpath, bpath, out, &r);
            if (r.v == V_PASS)
                r.v = compare_expected(g, ev, out, epath, &r);
            ir_eval_free(ev);
        } else if (g) {
            r.v = V_CRASH;
        }
        if (!text)
            note(&r, "  cannot read %s\n", model), r.v = V_CRASH;
        data_free(&d);
        if (g)
            ctx_free(cx);
        free(text);
        F->models++;
        if (r.v != V_PASS) {
            failed++;
            printf("FAIL %s (n = %lld): %s\n%s", model, (long long)n, verdict_names[r.v], r.msg);
        } else if (F->verbose) {
            printf("%s (n = %lld): pass\n", model, (long long)n);
        }
    }
    printf("fuzz_models: %ld corpus models against PyTorch, %d failed\n", F->models, failed);
    globfree(&gl);
    return failed ? 1 : 0;
}

/* ---- the driver ----------------------------------------------------------------------------- */

/* Generates, checks and (on failure) shrinks and reports the model of one seed. */
static bool run_seed(Fuzz *F, uint64_t seed) {
    GenPool *pool = gen_pool_new();
    GenModel *m = gen_model(pool, seed, true);
    char *text = gen_print(m);
    Result r;
    double t0 = now();
    check(F, text, F->batch, seed, F->work, &r);
    F->models++;
    if (F->verbose)
        fprintf(stderr, "seed %llu: n = %lld, %s (%.2f s)\n", (unsigned long long)seed,
                (long long)r.n, verdict_names[r.v], now() - t0);
    bool failed = r.v != V_PASS && r.v != V_INVALID;
    if (failed) {
        F->failures++;
        printf("FAIL seed %llu (n = %lld): %s\n%s--- model (seed %llu) ---\n%s",
               (unsigned long long)seed, (long long)r.n, verdict_names[r.v], r.msg,
               (unsigned long long)seed, text);
        int64_t n = r.n;
        GenModel *small = m;
        int checks = 0;
        if (F->shrink)
            small = shrink(F, m, &n, seed, &r, &checks);
        /* the shrunk model's files stay in WORK/seed-S */
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/seed-%llu", F->work, (unsigned long long)seed);
        mkdir(dir, 0777);
        char *stext = gen_print(small);
        Result sr;
        check(F, stext, n, seed, dir, &sr);
        if (F->shrink)
            printf("--- minimised (n = %lld, %d checks): %s ---\n%s%s", (long long)n, checks,
                   verdict_names[sr.v], sr.msg, stext);
        printf("--- files: %s (model.model, weights.safetensors, batch.safetensors; "
               "prog --load weights.safetensors --inputs batch.safetensors --grads g.st)\n\n",
               dir);
        fflush(stdout);
        free(stext);
    }
    free(text);
    gen_pool_free(pool);
    return !failed;
}

/* Checks a model file given with --model (no shrinking: it has no GenModel). */
/* --model FILE: that model, on data drawn from data_seed (--seed), at --batch (default 1). */
static int run_file(Fuzz *F, const char *path, uint64_t data_seed) {
    size_t len = 0;
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    FILE *mem = open_memstream(&text, &len);
    int c;
    while (f && (c = fgetc(f)) != EOF)
        fputc(c, mem);
    fclose(mem);
    if (!f) {
        fprintf(stderr, "fuzz_models: cannot read '%s'\n", path);
        free(text);
        return 2;
    }
    fclose(f);
    Result r;
    check(F, text, F->batch ? F->batch : 1, data_seed, F->work, &r);
    printf("%s (n = %lld): %s\n%s", path, (long long)r.n, verdict_names[r.v], r.msg);
    free(text);
    return r.v == V_PASS ? 0 : 1;
}

/* mkdir -p */
static void make_dirs(const char *path) {
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0777);
            *p = '/';
        }
    }
    mkdir(buf, 0777);
}

static const char usage[] =
    "usage: fuzz_models --mlc PATH [options]\n"
    "  --seed S        the first seed (default 1)\n"
    "  --count N       models to check, seeds S, S+1, ... (default 100; 0: no limit)\n"
    "  --random-seed   start from a seed taken from the clock (printed)\n"
    "  --seconds T     stop after T seconds\n"
    "  --batch N       use batch size N instead of a random one\n"
    "  --work DIR      where the files go (default: a new directory in $TMPDIR)\n"
    "  --no-shrink     report failures without shrinking them\n"
    "  --print         print the generated models, check nothing\n"
    "  --model FILE    check one model file (with --batch N, default 1)\n"
    "  --verbose       a line per model\n"
    "  --corpus DIR    write models S.. as a PyTorch corpus (make_torch_fixtures.py)\n"
    "  --corpus-check DIR  compare mlc with the corpus's PyTorch results\n";

int main(int argc, char **argv) {
    Fuzz F = {.shrink = true};
    uint64_t seed = 1;
    long count = 100;
    double seconds = 0;
    bool random_seed = false, print = false;
    const char *model = NULL, *corpus = NULL, *corpus_check = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--mlc") && v)
            F.mlc = argv[++i];
        else if (!strcmp(a, "--seed") && v)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--count") && v)
            count = strtol(argv[++i], NULL, 10);
        else if (!strcmp(a, "--seconds") && v)
            seconds = strtod(argv[++i], NULL);
        else if (!strcmp(a, "--batch") && v)
            F.batch = strtoll(argv[++i], NULL, 10);
        else if (!strcmp(a, "--work") && v)
            snprintf(F.work, sizeof F.work, "%s", argv[++i]);
        else if (!strcmp(a, "--model") && v)
            model = argv[++i];
        else if (!strcmp(a, "--corpus") && v)
            corpus = argv[++i];
        else if (!strcmp(a, "--corpus-check") && v)
            corpus_check = argv[++i];
        else if (!strcmp(a, "--random-seed"))
            random_seed = true;
        else if (!strcmp(a, "--no-shrink"))
            F.shrink = false;
        else if (!strcmp(a, "--print"))
            print = true;
        else if (!strcmp(a, "--verbose") || !strcmp(a, "-v"))
            F.verbose = true;
        else {
            fputs(usage, !strcmp(a, "--help") ? stdout : stderr);
            return !strcmp(a, "--help") ? 0 : 2;
        }
    }
    if (random_seed)
        seed = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid();
    if (print) {
        for (long i = 0; i < (count ? count : 1); i++) {
            GenPool *pool = gen_pool_new();
            char *text = gen_print(gen_model(pool, seed + (uint64_t)i, true));
            printf("# seed %llu\n%s\n", (unsigned long long)(seed + (uint64_t)i), text);
            free(text);
            gen_pool_free(pool);
        }
        return 0;
    }
    if (corpus)
        return write_corpus(corpus, seed, count);
    if (!F.mlc) {
        fputs(usage, stderr);
        return 2;
    }
    if (!F.work[0]) {
        const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        snprintf(F.work, sizeof F.work, "%s/mlc-fuzz-XXXXXX", tmp);
        if (!mkdtemp(F.work)) {
            fprintf(stderr, "fuzz_models: cannot create a directory in %s\n", tmp);
            return 2;
        }
    } else {
        make_dirs(F.work);
    }
    /* -O0: mlc and cc take 0.35 s a model where -O1 takes 0.47 s and the default -O3 more
     * (measured on the 2-core machine); the bugs looked for are in the C mlc writes, which
     * -O0 runs as written. One BLAS thread, as ctest runs the shards side by side. Both can be
     * overridden from the environment (MLC_CFLAGS=-O3 for the optimiser's view). */
    setenv("MLC_CFLAGS", "-O0", 0);
    setenv("OPENBLAS_NUM_THREADS", "1", 0);
    if (model)
        return run_file(&F, model, seed);
    if (corpus_check)
        return check_corpus(&F, corpus_check);

    double t0 = now();
    printf("fuzz_models: seeds from %llu, work directory %s\n", (unsigned long long)seed, F.work);
    fflush(stdout);
    uint64_t s = seed;
    for (; count == 0 || (long)(s - seed) < count; s++) {
        if (seconds > 0 && now() - t0 > seconds)
            break;
        run_seed(&F, s);
    }
    printf("fuzz_models: %ld models (seeds %llu..%llu), %ld failed; %ld gradient entries "
           "checked, %ld skipped at kinks; %.1f s (mlc and cc %.1f s)\n",
           F.models, (unsigned long long)seed, (unsigned long long)(s - 1), F.failures, F.entries,
           F.kinks, now() - t0, F.mlc_seconds);
    return F.failures ? 1 : 0;
}
