/* gen.c: random well-formed models, in the spirit of Csmith and NNSmith.
 *
 * A model is built bottom-up, statement by statement. The values defined so far (the input,
 * the parameters, the assigned names) form a pool; each statement starts from a pool value
 * and applies one to a few random operations, each of which may read other pool values or
 * create parameters: elementwise ops with numpy's broadcasting (equal shapes, a trailing
 * suffix, one element, dimensions of size 1), matmul, linear(x, n), nets (new or called
 * again, sharing their parameters; on images they start with conv2d, maxpool2d, avgpool2d,
 * adaptive_avgpool2d and batchnorm2d layers, frozen or not), flatten, softmax, sum and mean,
 * and the tensor algebra (algebra(): transpose, permute, reshape, subscripts, concat,
 * sum/mean/max along an axis, pow, clamp, gelu's tanh form, flatten from an axis). Every
 * expression carries its shape, so each operation is only chosen where mlc accepts it; a
 * model that mlc rejects is a bug here or there, and the checker reports it.
 *
 * Values stay numerically tame, so that float32 and the double reference agree: log only of
 * something at least 0.5 (log(sigmoid(v) + 0.5), log(v * v + 1), log(exp(t)) with t
 * bounded), division only by something at least 0.5, exp only of bounded values, and once a
 * value may be large (a rough magnitude estimate, GenExpr.mag) only squashing ops apply.
 *
 * The loss is a sum of terms: the target's term (cross_entropy of logits, bce_with_logits,
 * or a squared error written out) and sometimes a regulariser or the mean or sum of some
 * other value.
 */
#define _POSIX_C_SOURCE 200809L

#include "gen.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- PRNG ------------------------------------------------------------------------------- */

uint64_t gen_rng_next(GenRng *r) {
    uint64_t z = (r->s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

uint64_t gen_rng_below(GenRng *r, uint64_t n) {
    return gen_rng_next(r) % n;
}

double gen_rng_uniform(GenRng *r) {
    return (double)(gen_rng_next(r) >> 11) * 0x1p-53;
}

double gen_rng_normal(GenRng *r) {
    double u1 = 1.0 - gen_rng_uniform(r), u2 = gen_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* ---- the pool: every allocation is one malloc on a list ----------------------------------- */

typedef struct PoolItem PoolItem;
struct PoolItem {
    PoolItem *next;
    max_align_t data[];
};

struct GenPool {
    PoolItem *head;
};

GenPool *gen_pool_new(void) {
    GenPool *p = calloc(1, sizeof *p);
    if (!p) {
        fprintf(stderr, "gen: out of memory\n");
        exit(1);
    }
    return p;
}

static void *pool_alloc(GenPool *p, size_t size) {
    PoolItem *it = calloc(1, sizeof *it + size);
    if (!it) {
        fprintf(stderr, "gen: out of memory\n");
        exit(1);
    }
    it->next = p->head;
    p->head = it;
    return it->data;
}

void gen_pool_free(GenPool *p) {
    while (p && p->head) {
        PoolItem *next = p->head->next;
        free(p->head);
        p->head = next;
    }
    free(p);
}

/* ---- shapes: mlc's rules (compiler/ops.c) ------------------------------------------------ */

static bool shape_eq(GenShape a, GenShape b) {
    if (a.rank != b.rank)
        return false;
    for (int i = 0; i < a.rank; i++)
        if (a.dim[i] != b.dim[i])
            return false;
    return true;
}

static bool batched(GenShape s) {
    return s.rank > 0 && s.dim[0] == GEN_N;
}

/* One element: rank 0 or all dimensions 1 (never N). */
static bool one_element(GenShape s) {
    for (int i = 0; i < s.rank; i++)
        if (s.dim[i] != 1)
            return false;
    return true;
}

/* Is s the trailing part of big? */
static bool is_suffix(GenShape s, GenShape big) {
    if (s.rank > big.rank)
        return false;
    for (int i = 0; i < s.rank; i++)
        if (s.dim[s.rank - 1 - i] != big.dim[big.rank - 1 - i])
            return false;
    return true;
}

/* The shape of a elementwise-op b, as lower.c computes it (numpy's broadcasting: lined up
 * from the right, a dimension of 1 or a missing one repeats; N only with N or 1); false if
 * mlc rejects it. */
static bool broadcast(GenShape a, GenShape b, GenShape *out) {
    if (is_suffix(b, a) || (one_element(b) && a.rank >= b.rank)) {
        *out = a;
        return true;
    }
    if (is_suffix(a, b) || one_element(a)) {
        *out = b;
        return true;
    }
    GenShape r = a.rank >= b.rank ? a : b;
    for (int i = 1; i <= r.rank; i++) {
        int64_t da = i <= a.rank ? a.dim[a.rank - i] : 1;
        int64_t db = i <= b.rank ? b.dim[b.rank - i] : 1;
        if (da != db && da != 1 && db != 1)
            return false;
        r.dim[r.rank - i] = da == 1 ? db : da;
    }
    *out = r;
    return true;
}

static int64_t numel_per_sample(GenShape s) {
    int64_t n = 1;
    for (int i = 0; i < s.rank; i++)
        if (s.dim[i] != GEN_N)
            n *= s.dim[i];
    return n;
}

static GenShape shape2(int64_t a, int64_t b) {
    return (GenShape){2, {a, b}};
}

/* ---- the generator's state --------------------------------------------------------------- */

typedef struct Gen {
    GenRng rng;
    GenModel *m;
    int nparam, nvalue, nnet;
    int reads[GEN_MAX_STMTS]; /* how often each statement's name has been read so far */
    bool linear_used;         /* the statement being built has its linear(x, n) already */
    bool with_dropout;        /* dropout may appear */
} Gen;

static uint64_t below(Gen *G, uint64_t n) {
    return gen_rng_below(&G->rng, n);
}

static bool chance(Gen *G, int percent) {
    return (int)below(G, 100) < percent;
}

static GenStmt *add_stmt(Gen *G, GenStmtKind kind, const char *name) {
    GenModel *m = G->m;
    if (m->nstmts >= GEN_MAX_STMTS) {
        fprintf(stderr, "gen: more than %d statements\n", GEN_MAX_STMTS);
        exit(1);
    }
    GenStmt *s = &m->stmts[m->nstmts++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

static const char *pick_init(Gen *G) {
    static const char *const inits[] = {"zeros", "ones", "randn"};
    return inits[below(G, 3)];
}

/* ---- expressions ------------------------------------------------------------------------- */

static GenExpr *ex_new(GenPool *p, GenExprKind kind, GenShape s) {
    GenExpr *e = pool_alloc(p, sizeof *e);
    e->kind = kind;
    e->shape = s;
    return e;
}

static GenExpr *ex_var(Gen *G, int var) {
    GenStmt *st = &G->m->stmts[var];
    GenExpr *e = ex_new(G->m->pool, GE_VAR, st->shape);
    e->var = var;
    G->reads[var]++;
    e->mag = st->kind == GS_ASSIGN ? st->value->mag : st->kind == GS_INPUT ? 3.0 : 1.5;
    e->bounded = st->kind == GS_ASSIGN && st->value->bounded;
    return e;
}

static GenExpr *ex_num(Gen *G, double v) {
    GenExpr *e = ex_new(G->m->pool, GE_NUM, (GenShape){0, {0}});
    e->num = v;
    e->mag = v;
    e->bounded = v <= 1.0;
    return e;
}

/* fn(a) for the one-argument functions. */
static GenExpr *ex_call(Gen *G, const char *fn, GenExpr *a) {
    GenShape s = a->shape;
    double mag = a->mag;
    bool bounded = false;
    if (!strcmp(fn, "sigmoid") || !strcmp(fn, "tanh") || !strcmp(fn, "softmax")) {
        mag = 1.0;
        bounded = true;
    } else if (!strcmp(fn, "exp")) {
        mag = exp(a->mag < 5 ? a->mag : 5);
    } else if (!strcmp(fn, "log")) {
        mag = log(a->mag + 1.0) + 1.0;
    } else if (!strcmp(fn, "relu") || !strcmp(fn, "abs")) {
        bounded = a->bounded;
    } else if (!strcmp(fn, "gelu") || !strcmp(fn, "elu") || !strcmp(fn, "silu") ||
               !strcmp(fn, "leaky_relu")) {
        mag = a->mag + 1.0;
    } else if (!strcmp(fn, "log_softmax")) {
        mag = 2 * a->mag + 3.0; /* x - max - log(sum): at most 2 |x| + log(width) */
    } else if (!strcmp(fn, "sqrt")) {
        mag = sqrt(a->mag) + 1.0;
    } else if (!strcmp(fn, "flatten")) {
        s = shape2(GEN_N, numel_per_sample(a->shape));
        bounded = a->bounded;
    } else if (!strcmp(fn, "sum") || !strcmp(fn, "mean")) {
        s = (GenShape){0, {0}};
        /* a sum over the batch may be large: treat it as such */
        mag = !strcmp(fn, "sum") ? 1e3 : a->mag;
    }
    GenExpr *e = ex_new(G->m->pool, GE_CALL, s);
    e->fn = fn;
    e->a = a;
    e->mag = mag;
    e->bounded = bounded;
    return e;
}

static GenExpr *ex_neg(Gen *G, GenExpr *a) {
    GenExpr *e = ex_new(G->m->pool, GE_NEG, a->shape);
    e->a = a;
    e->mag = a->mag;
    e->bounded = a->bounded;
    return e;
}

/* a op b for + - * /, whose shapes broadcast (the caller made sure). */
static GenExpr *ex_bin(Gen *G, int op, GenExpr *a, GenExpr *b) {
    GenShape s;
    if (!broadcast(a->shape, b->shape, &s)) {
        fprintf(stderr, "gen: internal error: shapes do not broadcast\n");
        exit(1);
    }
    GenExpr *e = ex_new(G->m->pool, GE_BIN, s);
    e->op = op;
    e->a = a;
    e->b = b;
    e->mag = op == '*' ? a->mag * b->mag : op == '/' ? 2.0 * a->mag : a->mag + b->mag;
    e->bounded = op == '*' && a->bounded && b->bounded;
    return e;
}

/* a @ b (or matmul(a, b)) of [m, k] and [k, p]. */
static GenExpr *ex_matmul(Gen *G, GenExpr *a, GenExpr *b) {
    bool fn = chance(G, 30);
    GenExpr *e =
        ex_new(G->m->pool, fn ? GE_MATMUL : GE_BIN, shape2(a->shape.dim[0], b->shape.dim[1]));
    e->op = '@';
    e->a = a;
    e->b = b;
    e->mag = a->mag * b->mag * sqrt((double)a->shape.dim[1]);
    return e;
}

/* A string in the pool, printf-style. */
static const char *pool_printf(GenPool *p, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *out = pool_alloc(p, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(out, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return out;
}

/* One of the tensor-algebra forms: its text in mlc and in PyTorch, of shape s. */
static GenExpr *ex_fmt(Gen *G, GenShape s, const char *mlc, const char *torch, GenExpr *a,
                       GenExpr *b) {
    GenExpr *e = ex_new(G->m->pool, GE_FMT, s);
    e->fn = mlc;
    e->tfn = torch;
    e->a = a;
    e->b = b;
    e->mag = a->mag + (b ? b->mag : 0.0);
    e->bounded = a->bounded && (!b || b->bounded);
    return e;
}

/* ---- parameters and pool values ------------------------------------------------------------ */

/* A parameter of shape s: often one that exists already (a parameter read several times). */
static GenExpr *param_of(Gen *G, GenShape s) {
    GenModel *m = G->m;
    if (chance(G, 40))
        for (int i = 0; i < m->nstmts; i++)
            if (m->stmts[i].kind == GS_PARAM && shape_eq(m->stmts[i].shape, s))
                return ex_var(G, i);
    char name[24];
    snprintf(name, sizeof name, "p%d", ++G->nparam);
    GenStmt *st = add_stmt(G, GS_PARAM, name);
    st->shape = s;
    st->init = pick_init(G);
    return ex_var(G, m->nstmts - 1);
}

/* Is statement i a float value an expression may read? */
static bool is_value(const GenStmt *st) {
    return (st->kind == GS_INPUT || st->kind == GS_PARAM || st->kind == GS_ASSIGN ||
            (st->kind == GS_TARGET && st->nclass == 0)) &&
           !st->dead;
}

typedef bool (*ShapeFilter)(GenShape s, GenShape want);

static bool same_shape(GenShape s, GenShape want) {
    return shape_eq(s, want);
}
/* s can be the smaller operand of an op whose result has shape want */
static bool proper_suffix(GenShape s, GenShape want) {
    return !shape_eq(s, want) && (is_suffix(s, want) || (one_element(s) && want.rank >= s.rank));
}
/* s is bigger and has want as its trailing part */
static bool extends(GenShape s, GenShape want) {
    return !shape_eq(s, want) && is_suffix(want, s);
}
static bool scalar_shape(GenShape s, GenShape want) {
    (void)want;
    return s.rank == 0;
}

/* One of n candidate statements, more often one that nothing reads yet (so that fewer
 * values are dead and more reach the loss). */
static int pick_var(Gen *G, const int *cand, int n) {
    int unread[GEN_MAX_STMTS], nu = 0;
    for (int i = 0; i < n; i++)
        if (G->reads[cand[i]] == 0)
            unread[nu++] = cand[i];
    if (nu && chance(G, 60))
        return unread[below(G, (uint64_t)nu)];
    return cand[below(G, (uint64_t)n)];
}

/* A random pool value whose shape passes the filter, or NULL. */
static GenExpr *pool_value(Gen *G, ShapeFilter ok, GenShape want) {
    int cand[GEN_MAX_STMTS], n = 0;
    for (int i = 0; i < G->m->nstmts; i++)
        if (is_value(&G->m->stmts[i]) && ok(G->m->stmts[i].shape, want))
            cand[n++] = i;
    return n ? ex_var(G, pick_var(G, cand, n)) : NULL;
}

/* The other operand of an elementwise op on a value of shape s: another value of the same
 * shape, a parameter or value that broadcasts (a suffix, one element), a number, or a bigger
 * value that s broadcasts along. NULL if the choice made finds nothing. */
static GenExpr *operand_for(Gen *G, GenShape s) {
    static const double nums[] = {0.5, 2, 3, 0.25, 1.5, 0.1};
    switch (below(G, 8)) {
    case 0:
    case 1: return pool_value(G, same_shape, s);
    case 2:
    case 3: {
        /* a parameter of a trailing part of s, or f32[1] */
        int lo = batched(s) ? 1 : 0;
        if (s.rank - lo <= 0 || chance(G, 20))
            return param_of(G, (GenShape){1, {1}});
        int len = 1 + (int)below(G, (uint64_t)(s.rank - lo));
        GenShape p = {len, {0}};
        for (int i = 0; i < len; i++)
            p.dim[i] = s.dim[s.rank - len + i];
        return param_of(G, p);
    }
    case 4:
        if (chance(G, 50) && s.rank - (batched(s) ? 1 : 0) >= 2) {
            /* a parameter of s's dimensions with some of them 1 (numpy's broadcasting) */
            int lo = batched(s) ? 1 : 0;
            GenShape p = {s.rank - lo, {0}};
            for (int i = 0; i < p.rank; i++)
                p.dim[i] = chance(G, 50) ? 1 : s.dim[lo + i];
            return param_of(G, p);
        }
        return ex_num(G, nums[below(G, 6)]);
    case 5: return pool_value(G, scalar_shape, s);
    case 6: return pool_value(G, proper_suffix, s);
    case 7: return pool_value(G, extends, s);
    }
    return NULL;
}

/* ---- nets --------------------------------------------------------------------------------- */

/* Activations a net's layers use: relu, sigmoid and tanh most often, softmax and the others
 * (which do not bound their values) now and then. */
static const char *const activations[] = {"relu", "sigmoid", "tanh",       "softmax",    "gelu",
                                          "elu",  "silu",    "leaky_relu", "log_softmax"};
enum {
    NACTIVATIONS = sizeof activations / sizeof activations[0]
};

/* One of the first `common` activations, or one of the rest (one time in four). */
static const char *pick_activation(Gen *G, uint64_t common) {
    if (chance(G, 25))
        return activations[4 + below(G, NACTIVATIONS - 4)];
    return activations[below(G, common)];
}
static const double dropout_ps[] = {0.1, 0.25, 0.5};

/* The output size of a window along a dimension of size in (mlc's and PyTorch's formula). */
static int64_t window_out(const GenLayer *l, int64_t in) {
    int64_t room = in + 2 * l->pad - l->dil * (l->k - 1) - 1;
    return room < 0 ? 0 : room / l->stride + 1;
}

static bool is_image_layer(const char *fn) {
    return !strcmp(fn, "conv2d") || !strcmp(fn, "maxpool2d") || !strcmp(fn, "avgpool2d") ||
           !strcmp(fn, "adaptive_avgpool2d");
}

/* The shape after one layer. */
static GenShape layer_out(const GenLayer *l, GenShape s) {
    if (!strcmp(l->fn, "flatten"))
        return shape2(GEN_N, numel_per_sample(s));
    if (!strcmp(l->fn, "linear"))
        return shape2(GEN_N, l->n);
    if (!strcmp(l->fn, "adaptive_avgpool2d")) /* to k x k, whatever the size */
        return (GenShape){4, {GEN_N, s.dim[1], l->k, l->k}};
    if (is_image_layer(l->fn)) {
        GenShape o = {4, {GEN_N, s.dim[1], window_out(l, s.dim[2]), window_out(l, s.dim[3])}};
        if (!strcmp(l->fn, "conv2d"))
            o.dim[1] = l->n;
        return o;
    }
    return s;
}

/* The shape of the output of a net called on a value of shape in. */
static GenShape net_out(const GenStmt *net, GenShape in) {
    GenShape s = in;
    for (int i = 0; i < net->nlayers; i++)
        s = layer_out(&net->layers[i], s);
    return s;
}

/* A random convolution or pooling layer that fits images of shape s, or one with fn NULL. */
static GenLayer image_layer(Gen *G, GenShape s) {
    static const char *const kinds[] = {"conv2d", "conv2d", "maxpool2d", "avgpool2d"};
    GenLayer l = {
        .fn = kinds[below(G, 4)], .k = 1 + (int64_t)below(G, 3), .groups = 1, .bias = true};
    bool conv = !strcmp(l.fn, "conv2d");
    l.stride = chance(G, 30) ? 2 : 1;
    l.pad = (int64_t)below(G, (uint64_t)(conv ? 2 : l.k / 2 + 1)); /* pools: at most k / 2 */
    if (!strcmp(l.fn, "avgpool2d") || chance(G, 75))
        l.dil = 1;
    else
        l.dil = 2;
    if (conv) {
        l.n = 1 + (int64_t)below(G, 4);
        l.bias = chance(G, 80);
        if (s.dim[1] > 1 && chance(G, 30)) { /* groups: a divisor of both channel counts */
            l.groups = s.dim[1];
            l.n = s.dim[1] * (1 + (int64_t)below(G, 2));
        }
    }
    if (window_out(&l, s.dim[2]) < 1 || window_out(&l, s.dim[3]) < 1)
        l.fn = NULL;
    if (chance(G, 15)) /* to 1 x 1 .. 3 x 3, mostly a size that does not divide the input */
        l = (GenLayer){.fn = "adaptive_avgpool2d", .k = 1 + (int64_t)below(G, 3)};
    return l;
}

/* A new net for arguments of shape in, ending in linear(nout) if nout > 0. */
static int new_net(Gen *G, GenShape in, int64_t nout) {
    char name[24];
    snprintf(name, sizeof name, "net%d", ++G->nnet);
    GenStmt *st = add_stmt(G, GS_NET, name);
    st->shape = in;
    /* images: convolutions, pooling and batch norm first (eps large enough that a channel
     * of nearly equal values stays well conditioned in float32) */
    GenShape s = in;
    int nimage = in.rank == 4 && chance(G, 70) ? 1 + (int)below(G, 3) : 0;
    for (int i = 0; i < nimage; i++) {
        GenLayer l = image_layer(G, s);
        if (!l.fn)
            continue;
        st->layers[st->nlayers++] = l;
        s = layer_out(&l, s);
        if (chance(G, 35))
            st->layers[st->nlayers++] =
                (GenLayer){.fn = "batchnorm2d", .p = 0.1, .frozen = chance(G, 30)};
        if (chance(G, 60))
            st->layers[st->nlayers++] = (GenLayer){.fn = pick_activation(G, 3)};
    }
    if (in.rank > 2 || chance(G, 15))
        st->layers[st->nlayers++] = (GenLayer){.fn = "flatten"};
    int nlin = 1 + (int)below(G, 3);
    for (int i = 0; i < nlin; i++) {
        if (chance(G, 25) && st->nlayers < GEN_MAX_LAYERS - 3)
            st->layers[st->nlayers++] = (GenLayer){.fn = pick_activation(G, 4)};
        bool last = i == nlin - 1;
        int64_t n = last && nout > 0 ? nout : 1 + (int64_t)below(G, 8);
        st->layers[st->nlayers++] = (GenLayer){.fn = "linear", .n = n};
        if ((!last || nout == 0) && chance(G, 70))
            st->layers[st->nlayers++] = (GenLayer){.fn = pick_activation(G, 3)};
        if (!last && G->with_dropout && chance(G, 20))
            st->layers[st->nlayers++] = (GenLayer){.fn = "dropout", .p = dropout_ps[below(G, 3)]};
    }
    return G->m->nstmts - 1;
}

/* Can net be called on a value of shape s (with the parameters its first call made)? */
static bool net_accepts(const GenStmt *net, GenShape s) {
    if (shape_eq(net->shape, s))
        return true;
    return !strcmp(net->layers[0].fn, "flatten") && batched(s) && s.rank >= 2 &&
           numel_per_sample(s) == numel_per_sample(net->shape);
}

static GenExpr *ex_net(Gen *G, int net, GenExpr *a) {
    GenStmt *st = &G->m->stmts[net];
    GenExpr *e = ex_new(G->m->pool, GE_NET, net_out(st, a->shape));
    e->var = net;
    e->a = a;
    const char *lastfn = st->layers[st->nlayers - 1].fn;
    e->bounded =
        !strcmp(lastfn, "sigmoid") || !strcmp(lastfn, "tanh") || !strcmp(lastfn, "softmax");
    e->mag = e->bounded ? 1.0 : a->mag + 1.0;
    return e;
}

/* A call of a net that accepts a (an existing one, sharing parameters, when there is one),
 * or NULL if a is not f32[N, ...] of rank 2 or more. nout > 0 asks for [N, nout]. */
static GenExpr *net_call(Gen *G, GenExpr *a, int64_t nout) {
    if (!batched(a->shape) || a->shape.rank < 2)
        return NULL;
    GenModel *m = G->m;
    bool reuse = chance(G, 80);
    for (int i = 0; reuse && i < m->nstmts; i++) {
        GenStmt *st = &m->stmts[i];
        if (st->kind == GS_NET && !st->dead && net_accepts(st, a->shape) &&
            (nout == 0 || shape_eq(net_out(st, a->shape), shape2(GEN_N, nout))))
            return ex_net(G, i, a);
    }
    return ex_net(G, new_net(G, a->shape, nout), a);
}

/* ---- the operations a statement applies -------------------------------------------------------
 */

static GenExpr *ex_linear(Gen *G, GenExpr *a, int64_t nout) {
    GenExpr *e = ex_new(G->m->pool, GE_LINEAR, shape2(GEN_N, nout));
    e->a = a;
    e->nout = nout;
    e->mag = a->mag + 1.0;
    G->linear_used = true;
    return e;
}

static int add_assign(Gen *G, const char *name, GenExpr *value);

/* e, to be read more than once: a name or a number as it is, anything else first assigned to
 * a new name of its own. (Writing it out twice would repeat a linear(x, n), which mlc allows
 * once per statement, and would make the text grow exponentially.) */
static GenExpr *share(Gen *G, GenExpr *e) {
    if (e->kind == GE_VAR || e->kind == GE_NUM)
        return e;
    char name[24];
    snprintf(name, sizeof name, "v%d", ++G->nvalue);
    G->linear_used = false; /* a linear in e now belongs to that statement */
    return ex_var(G, add_assign(G, name, e));
}

static GenExpr *guard(GenExpr *e) {
    e->guard = true;
    return e;
}

/* exp and log where they are safe. */
static GenExpr *guarded_exp_log(Gen *G, GenExpr *e) {
    switch (below(G, 5)) {
    case 0: return ex_call(G, "exp", guard(ex_call(G, "tanh", e)));
    case 1: return e->bounded ? ex_call(G, "exp", e) : NULL;
    case 2:
        return ex_call(G, "log",
                       guard(ex_bin(G, '+', guard(ex_call(G, "sigmoid", e)), ex_num(G, 0.5))));
    case 3:
        e = share(G, e);
        return ex_call(G, "log", guard(ex_bin(G, '+', guard(ex_bin(G, '*', e, e)), ex_num(G, 1))));
    case 4: return e->bounded ? ex_call(G, "log", guard(ex_call(G, "exp", e))) : NULL;
    }
    return NULL;
}

/* e divided by something at least 0.5 made of another operand. */
static GenExpr *guarded_div(Gen *G, GenExpr *e) {
    GenExpr *o = operand_for(G, e->shape);
    if (!o)
        o = e = share(G, e);
    GenExpr *den;
    switch (below(G, 3)) {
    case 0: den = ex_bin(G, '+', guard(ex_bin(G, '*', o, o)), ex_num(G, 1)); break;
    case 1: den = ex_call(G, "exp", guard(ex_call(G, "tanh", o))); break;
    default: den = ex_bin(G, '+', guard(ex_call(G, "sigmoid", o)), ex_num(G, 0.5)); break;
    }
    return ex_bin(G, '/', e, guard(den));
}

static GenExpr *binary(Gen *G, GenExpr *e) {
    GenExpr *o = operand_for(G, e->shape);
    if (!o)
        return NULL;
    int op = "+-*"[below(G, 3)];
    if (op == '*' && e->mag * o->mag > 20)
        op = '+';
    return chance(G, 50) ? ex_bin(G, op, e, o) : ex_bin(G, op, o, e);
}

static GenExpr *matmul(Gen *G, GenExpr *e) {
    GenShape s = e->shape;
    if (s.rank != 2)
        return NULL;
    if (!batched(s) || chance(G, 70)) {
        /* e @ [k, p]: a parameter, or an unbatched value of that many rows */
        GenExpr *b;
        int cand[GEN_MAX_STMTS], n = 0;
        for (int i = 0; i < G->m->nstmts; i++) {
            GenStmt *st = &G->m->stmts[i];
            if (is_value(st) && st->shape.rank == 2 && !batched(st->shape) &&
                st->shape.dim[0] == s.dim[1])
                cand[n++] = i;
        }
        if (n && chance(G, 50))
            b = ex_var(G, cand[below(G, (uint64_t)n)]);
        else
            b = param_of(G, shape2(s.dim[1], 1 + (int64_t)below(G, 8)));
        return ex_matmul(G, e, b);
    }
    return NULL;
}

/* An unbatched matrix e as the right operand: [N, a] @ e. */
static GenExpr *matmul_left(Gen *G, GenExpr *e) {
    GenShape s = e->shape;
    if (s.rank != 2 || batched(s))
        return NULL;
    GenExpr *a = pool_value(G, same_shape, shape2(GEN_N, s.dim[0]));
    if (!a)
        a = param_of(G, shape2(1 + (int64_t)below(G, 4), s.dim[0]));
    return ex_matmul(G, a, e);
}

/* One of the tensor-algebra forms applied to e, or NULL where it does not apply. Axes in mlc
 * count a sample's dimensions; PyTorch's count the batch too (lo = 1 for a batch). */
static GenExpr *algebra(Gen *G, GenExpr *e) {
    GenPool *p = G->m->pool;
    GenShape s = e->shape;
    bool big = e->mag > 6;
    int lo = batched(s) ? 1 : 0, r = s.rank - lo; /* r: the axes mlc names */
    int a = r > 0 ? lo + (int)below(G, (uint64_t)r) : 0, ma = a - lo;
    GenShape t = s;
    switch (below(G, 10)) {
    case 0: { /* transpose */
        if (r < 2)
            return NULL;
        int b = lo + (int)below(G, (uint64_t)r);
        if (b == a)
            b = a == lo ? lo + 1 : lo;
        t.dim[a] = s.dim[b], t.dim[b] = s.dim[a];
        return ex_fmt(G, t, pool_printf(p, "transpose(%%a, %d, %d)", ma, b - lo),
                      pool_printf(p, "torch.transpose(%%a, %d, %d)", a, b), e, NULL);
    }
    case 1: { /* permute: the sample's axes rotated by one */
        if (r < 2)
            return NULL;
        char m[64] = "", tp[64] = "";
        if (lo)
            strcat(tp, "0, ");
        for (int i = 0; i < r; i++) {
            int from = (i + 1) % r;
            t.dim[lo + i] = s.dim[lo + from];
            snprintf(m + strlen(m), sizeof m - strlen(m), "%s%d", i ? ", " : "", from);
            snprintf(tp + strlen(tp), sizeof tp - strlen(tp), "%s%d", i ? ", " : "", from + lo);
        }
        return ex_fmt(G, t, pool_printf(p, "permute(%%a, [%s])", m),
                      pool_printf(p, "%%a.permute(%s)", tp), e, NULL);
    }
    case 2: { /* reshape a batch into [d, -1] or back into one dimension */
        if (!lo || r < 1)
            return NULL;
        int64_t n = numel_per_sample(s), d = 1;
        for (int64_t k = 2; k < n; k++)
            if (n % k == 0 && chance(G, 50)) {
                d = k;
                break;
            }
        if (d == 1 || r >= 3)
            return ex_fmt(G, shape2(GEN_N, n), pool_printf(p, "reshape(%%a, [%lld])", (long long)n),
                          pool_printf(p, "torch.reshape(%%a, (-1, %lld))", (long long)n), e, NULL);
        t = (GenShape){3, {GEN_N, d, n / d}};
        return ex_fmt(G, t, pool_printf(p, "reshape(%%a, [%lld, -1])", (long long)d),
                      pool_printf(p, "torch.reshape(%%a, (-1, %lld, %lld))", (long long)d,
                                  (long long)(n / d)),
                      e, NULL);
    }
    case 3: { /* sum, mean or max along an axis, kept when it is the only one */
        if (r < 1)
            return NULL;
        static const char *const fn[] = {"sum", "mean", "max"};
        int f = (int)below(G, 3);
        bool keep = r == 1 || chance(G, 50);
        bool back = keep && !big && chance(G, 50); /* x - max(x, a, keepdim): broadcast back */
        if (back)
            e = share(G, e);
        if (keep) {
            t.dim[a] = 1;
        } else {
            for (int i = a; i + 1 < s.rank; i++)
                t.dim[i] = s.dim[i + 1];
            t.rank--;
        }
        GenExpr *y =
            ex_fmt(G, t, pool_printf(p, "%s(%%a, %d%s)", fn[f], ma, keep ? ", keepdim = true" : ""),
                   pool_printf(p, "torch.%s(%%a, %d%s)%s", fn[f], a, keep ? ", keepdim=True" : "",
                               f == 2 ? ".values" : ""),
                   e, NULL);
        if (f == 0)
            y->mag = e->mag * (double)s.dim[a], y->bounded = false;
        return back ? ex_bin(G, '-', e, y) : y;
    }
    case 4: { /* a range of one axis */
        if (r < 1 || s.dim[a] < 2)
            return NULL;
        int64_t from = (int64_t)below(G, (uint64_t)s.dim[a] - 1);
        int64_t to = from + 1 + (int64_t)below(G, (uint64_t)(s.dim[a] - from - 1)) + 1;
        t.dim[a] = to - from;
        char m[64] = "", tp[64] = "";
        for (int i = 0; i < a; i++) {
            if (i >= lo)
                strcat(m, ":, ");
            strcat(tp, ":, ");
        }
        return ex_fmt(G, t, pool_printf(p, "%%a[%s%lld:%lld]", m, (long long)from, (long long)to),
                      pool_printf(p, "%%a[%s%lld:%lld]", tp, (long long)from, (long long)to), e,
                      NULL);
    }
    case 5: { /* concat with a value of the same shape */
        if (r < 1)
            return NULL;
        GenExpr *o = pool_value(G, same_shape, s);
        if (!o) {
            e = share(G, e);
            o = ex_call(G, "tanh", e);
        }
        t.dim[a] = 2 * s.dim[a];
        return ex_fmt(G, t, pool_printf(p, "concat([%%a, %%b], axis = %d)", ma),
                      pool_printf(p, "torch.cat([%%a, %%b], %d)", a), e, o);
    }
    case 6: { /* pow(e, 2 or 3) of a small value */
        if (e->mag > 2)
            return NULL;
        int c = 2 + (int)below(G, 2);
        GenExpr *y = ex_fmt(G, s, pool_printf(p, "pow(%%a, %d)", c),
                            pool_printf(p, "torch.pow(%%a, %d)", c), e, NULL);
        y->mag = pow(e->mag, c);
        return y;
    }
    case 7: { /* clamp */
        GenExpr *y = ex_fmt(G, s, "clamp(%a, min = -0.5, max = 0.75)",
                            "torch.clamp(%a, -0.5, 0.75)", e, NULL);
        y->mag = 0.75;
        y->bounded = true;
        return y;
    }
    case 8: { /* gelu's tanh form */
        if (big)
            return NULL;
        GenExpr *y = ex_fmt(G, s, "gelu(%a, approximate = \"tanh\")",
                            "F.gelu(%a, approximate='tanh')", e, NULL);
        y->mag = e->mag + 1.0;
        y->bounded = false;
        return y;
    }
    case 9: /* flatten from the second axis */
        if (!lo || r < 3)
            return NULL;
        t.rank = 3;
        t.dim[2] = numel_per_sample(s) / s.dim[1];
        return ex_fmt(G, t, "flatten(%a, start_dim = 1)", "torch.flatten(%a, 2)", e, NULL);
    }
    return NULL;
}

/* One random operation applied to e. */
static GenExpr *grow(Gen *G, GenExpr *e) {
    bool big = e->mag > 6;
    for (int tries = 0; tries < 100; tries++) {
        GenExpr *r = NULL;
        switch (below(G, 21)) {
        case 19:
        case 20: r = algebra(G, e); break;
        case 0:
            if (!big)
                r = ex_call(G, "relu", e);
            break;
        case 1: r = ex_call(G, chance(G, 50) ? "sigmoid" : "tanh", e); break;
        case 2:
            if (e->shape.rank >= 1)
                r = ex_call(G, "softmax", e);
            break;
        case 3:
            if (!big)
                r = ex_neg(G, e);
            break;
        case 4: r = guarded_exp_log(G, e); break;
        case 5:
            if (!big)
                r = guarded_div(G, e);
            break;
        case 6:
        case 7:
        case 8:
            if (!big)
                r = binary(G, e);
            break;
        case 9: r = matmul(G, e); break;
        case 10: r = matmul_left(G, e); break;
        case 11:
            if (!G->linear_used && batched(e->shape) && e->shape.rank == 2)
                r = ex_linear(G, e, 1 + (int64_t)below(G, 8));
            break;
        case 12:
        case 13: r = net_call(G, e, 0); break;
        case 14:
            if (batched(e->shape) && e->shape.rank >= 3)
                r = ex_call(G, "flatten", e);
            break;
        case 15:
            /* squashes a large value: e / (e * e + 1) is at most 1/2 */
            if (!big)
                break;
            e = share(G, e);
            r = ex_bin(G, '/', e, guard(ex_bin(G, '+', guard(ex_bin(G, '*', e, e)), ex_num(G, 1))));
            r->mag = 0.5;
            r->bounded = true;
            break;
        case 17: {
            const char *fn = activations[4 + below(G, NACTIVATIONS - 4)];
            if (!big && (e->shape.rank >= 1 || strcmp(fn, "log_softmax") != 0))
                r = ex_call(G, fn, e);
            break;
        }
        case 18:
            /* sqrt(abs(e) + 0.5): never of a number near 0, where its slope is steep */
            if (big)
                break;
            r = ex_call(G, "sqrt",
                        guard(ex_bin(G, '+', guard(ex_call(G, "abs", e)), ex_num(G, 0.5))));
            r->guard = true;
            break;
        case 16:
            /* dropout(e, p): a kept element grows by 1 / (1 - p), at most twice */
            if (!G->with_dropout || big)
                break;
            r = ex_call(G, "dropout", e);
            r->num = dropout_ps[below(G, 3)];
            r->mag = 2 * e->mag;
            r->bounded = false;
            break;
        }
        if (r)
            return r;
    }
    return ex_call(G, "tanh", e);
}

/* ---- statements and the loss -------------------------------------------------------------- */

static int last_assign(Gen *G) {
    for (int i = G->m->nstmts - 1; i >= 0; i--)
        if (G->m->stmts[i].kind == GS_ASSIGN)
            return i;
    return 0; /* the input */
}

static int add_assign(Gen *G, const char *name, GenExpr *value) {
    GenStmt *st = add_stmt(G, GS_ASSIGN, name);
    st->shape = value->shape;
    st->value = value;
    return G->m->nstmts - 1;
}

static void value_stmt(Gen *G) {
    G->linear_used = false;
    int start;
    if (chance(G, 50))
        start = last_assign(G);
    else if (chance(G, 40))
        start = 0;
    else
        start = (int)below(G, (uint64_t)G->m->nstmts);
    if (!is_value(&G->m->stmts[start]))
        start = 0;
    GenExpr *e = ex_var(G, start);
    int steps = chance(G, 15) ? 4 + (int)below(G, 4) : 1 + (int)below(G, 3);
    for (int i = 0; i < steps; i++)
        e = grow(G, e);
    if (chance(G, 12))
        e = ex_call(G, chance(G, 50) ? "mean" : "sum", e);
    char name[24];
    snprintf(name, sizeof name, "v%d", ++G->nvalue);
    add_assign(G, name, e);
}

/* f32[N, k] made from a batched pool value, flattened if it has more dimensions. */
static GenExpr *batched_matrix(Gen *G) {
    int cand[GEN_MAX_STMTS], n = 0;
    for (int i = 0; i < G->m->nstmts; i++) {
        GenStmt *st = &G->m->stmts[i];
        if (is_value(st) && batched(st->shape) && st->shape.rank >= 2 && st->kind != GS_TARGET)
            cand[n++] = i;
    }
    /* the latest such value more often than not: long chains */
    int pick = n && chance(G, 50) ? cand[n - 1] : n ? pick_var(G, cand, n) : 0;
    GenExpr *e = ex_var(G, pick);
    if (e->shape.rank > 2)
        e = ex_call(G, "flatten", e);
    if (e->mag > 6)
        e = ex_call(G, "tanh", e);
    return e;
}

/* Logits or predictions f32[N, k] from the values so far: linear, a matmul, or a net. */
static GenExpr *head(Gen *G, int64_t k) {
    G->linear_used = false;
    GenExpr *a = batched_matrix(G);
    switch (below(G, 3)) {
    case 0: return ex_linear(G, a, k);
    case 1: return ex_matmul(G, a, param_of(G, shape2(a->shape.dim[1], k)));
    default: return net_call(G, a, k);
    }
}

/* A scalar term reading some value: its mean, its sum, ... */
static GenExpr *value_term(Gen *G) {
    int cand[GEN_MAX_STMTS], n = 0;
    for (int i = 0; i < G->m->nstmts; i++)
        if (is_value(&G->m->stmts[i]) && G->m->stmts[i].kind != GS_TARGET)
            cand[n++] = i;
    GenExpr *v = ex_var(G, pick_var(G, cand, n));
    GenExpr *t;
    switch (below(G, 4)) {
    case 0: t = ex_call(G, "mean", v); break;
    case 1: t = ex_call(G, "sum", ex_call(G, "tanh", v)); break;
    case 2: t = ex_call(G, "mean", ex_bin(G, '*', v, v)); break;
    default: t = ex_call(G, "sum", v); break;
    }
    return chance(G, 50) ? ex_bin(G, '*', ex_num(G, chance(G, 50) ? 0.01 : 0.1), t) : t;
}

static void make_loss(Gen *G, int target) {
    GenModel *m = G->m;
    GenStmt *y = &m->stmts[target];
    GenExpr *yv = ex_var(G, target);
    int64_t k = y->nclass ? y->nclass : y->shape.dim[1];
    GenExpr *h = head(G, k);
    /* usually a named value, sometimes written inside the loss itself */
    if (chance(G, 80))
        h = ex_var(G, add_assign(G, y->nclass ? "logits" : "z", h));
    GenExpr *t;
    int pick = (int)below(G, 100);
    if (y->nclass) {
        /* cross_entropy, sometimes with label smoothing, or nll of log_softmax */
        t = ex_new(m->pool, GE_LOSS, (GenShape){0, {0}});
        t->fn = pick < 70 ? "cross_entropy" : "nll";
        t->num = pick < 55 ? 0.0 : pick < 70 ? 0.1 : 0.0; /* label_smoothing */
        t->a = pick < 70 ? h : ex_call(G, "log_softmax", h);
        t->b = yv;
    } else if (pick < 30 || (pick < 65 && !h->bounded)) {
        /* bce_with_logits, or mse and l1 of a value that cannot grow large */
        t = ex_new(m->pool, GE_LOSS, (GenShape){0, {0}});
        t->fn = pick < 30 ? "bce_with_logits" : "mse";
        t->a = h;
        t->b = yv;
    } else if (pick < 65) {
        t = ex_new(m->pool, GE_LOSS, (GenShape){0, {0}});
        t->fn = pick < 45 ? "mse" : pick < 55 ? "l1" : "bce";
        t->a = !strcmp(t->fn, "bce") ? ex_call(G, "sigmoid", h) : h;
        t->b = yv;
    } else {
        h = share(G, h);
        GenExpr *p = chance(G, 50) ? ex_call(G, "sigmoid", h) : h;
        GenExpr *d = ex_bin(G, '-', p, yv);
        t = ex_call(G, "mean", ex_bin(G, '*', d, d));
    }
    m->terms[m->nterms++] = t;
    int extra = (int)below(G, GEN_MAX_TERMS);
    for (int i = 0; i < extra; i++) {
        int np = 0, params[GEN_MAX_STMTS];
        for (int j = 0; j < m->nstmts; j++)
            if (m->stmts[j].kind == GS_PARAM)
                params[np++] = j;
        if (np && chance(G, 50)) {
            GenExpr *p = ex_var(G, params[below(G, (uint64_t)np)]);
            m->terms[m->nterms++] =
                ex_bin(G, '*', ex_num(G, 0.01), ex_call(G, "mean", ex_bin(G, '*', p, p)));
        } else {
            m->terms[m->nterms++] = value_term(G);
        }
    }
}

GenModel *gen_model(GenPool *p, uint64_t seed, bool with_dropout) {
    GenModel *m = pool_alloc(p, sizeof *m);
    m->pool = p;
    m->seed = seed;
    m->stmts = pool_alloc(p, GEN_MAX_STMTS * sizeof(GenStmt));
    Gen G = {.rng = {seed * 0x2545f4914f6cdd1du + 1}, .m = m, .with_dropout = with_dropout};

    /* the input: rank 1 to 3 per sample, small dimensions (the batch may be 1000) */
    static const int64_t dims[] = {1, 2, 3, 4, 5, 6, 8};
    GenStmt *x = add_stmt(&G, GS_INPUT, "x");
    int rank = 1 + (int)below(&G, 3);
    x->shape.rank = rank + 1;
    x->shape.dim[0] = GEN_N;
    for (int i = 1; i <= rank; i++) /* images: 1 to 3 channels of 2 to 7 pixels a side */
        x->shape.dim[i] = rank != 3 ? dims[below(&G, 7)]
                          : i == 1  ? 1 + (int64_t)below(&G, 3)
                                    : 2 + (int64_t)below(&G, 6);
    x->init = "randn";

    GenStmt *y = add_stmt(&G, GS_TARGET, "y");
    if (chance(&G, 55)) {
        y->nclass = 2 + (int64_t)below(&G, 6);
        y->shape = (GenShape){1, {GEN_N}};
        y->init = chance(&G, 50) ? "zeros" : "ones";
    } else {
        y->shape = shape2(GEN_N, 1 + (int64_t)below(&G, 6));
        y->init = pick_init(&G);
    }

    int nvalues = 1 + (int)below(&G, 10);
    for (int i = 0; i < nvalues; i++)
        value_stmt(&G);
    make_loss(&G, 1);
    return m;
}

/* ---- printing ----------------------------------------------------------------------------- */

static void print_dims(FILE *f, GenShape s, int from) {
    fputc('[', f);
    for (int i = from; i < s.rank; i++)
        fprintf(f, "%s%lld", i > from ? ", " : "", (long long)s.dim[i]);
    fputc(']', f);
}

static void print_expr(FILE *f, const GenModel *m, const GenExpr *e, bool nested);
static void print_torch_expr(FILE *f, const GenModel *m, const GenExpr *e, const char *stmt);

/* A GE_FMT's text, its operands printed where %a and %b stand: in PyTorch's form when stmt
 * (the statement being printed) is given. */
static void print_fmt(FILE *f, const GenModel *m, const GenExpr *e, const char *fmt,
                      const char *stmt) {
    for (const char *c = fmt; *c; c++) {
        if (c[0] == '%' && (c[1] == 'a' || c[1] == 'b')) {
            const GenExpr *o = c[1] == 'a' ? e->a : e->b;
            if (stmt)
                print_torch_expr(f, m, o, stmt);
            else
                print_expr(f, m, o, true);
            c++;
        } else {
            fputc(*c, f);
        }
    }
}

static void print_expr(FILE *f, const GenModel *m, const GenExpr *e, bool nested) {
    switch (e->kind) {
    case GE_VAR: fputs(m->stmts[e->var].name, f); break;
    case GE_NUM: fprintf(f, "%g", e->num); break;
    case GE_CALL:
        fprintf(f, "%s(", e->fn);
        print_expr(f, m, e->a, false);
        if (!strcmp(e->fn, "dropout"))
            fprintf(f, ", %g", e->num);
        fputc(')', f);
        break;
    case GE_NEG:
        fputs(nested ? "(-" : "-", f);
        print_expr(f, m, e->a, true);
        if (nested)
            fputc(')', f);
        break;
    case GE_BIN:
        if (nested)
            fputc('(', f);
        print_expr(f, m, e->a, true);
        fprintf(f, " %c ", e->op);
        print_expr(f, m, e->b, true);
        if (nested)
            fputc(')', f);
        break;
    case GE_MATMUL:
    case GE_LOSS:
        fprintf(f, "%s(", e->kind == GE_MATMUL ? "matmul" : e->fn);
        print_expr(f, m, e->a, false);
        fputs(", ", f);
        print_expr(f, m, e->b, false);
        if (e->kind == GE_LOSS && e->num > 0)
            fprintf(f, ", label_smoothing = %g", e->num);
        fputc(')', f);
        break;
    case GE_FMT: print_fmt(f, m, e, e->fn, NULL); break;
    case GE_LINEAR:
        fputs("linear(", f);
        print_expr(f, m, e->a, false);
        fprintf(f, ", %lld)", (long long)e->nout);
        break;
    case GE_NET:
        fprintf(f, "%s(", m->stmts[e->var].name);
        print_expr(f, m, e->a, false);
        fputc(')', f);
        break;
    }
}

char *gen_print(const GenModel *m) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        fprintf(stderr, "gen: out of memory\n");
        exit(1);
    }
    fprintf(f, "model fuzz%llu\n\n", (unsigned long long)m->seed);
    for (int i = 0; i < m->nstmts; i++) {
        const GenStmt *st = &m->stmts[i];
        if (st->dead)
            continue;
        switch (st->kind) {
        case GS_INPUT:
        case GS_PARAM:
            fprintf(f, "%s %s : f32", st->kind == GS_INPUT ? "input " : "param ", st->name);
            print_dims(f, st->shape, st->kind == GS_INPUT ? 1 : 0);
            fprintf(f, " = %s\n", st->init);
            break;
        case GS_TARGET:
            fprintf(f, "target %s : ", st->name);
            if (st->nclass)
                fprintf(f, "class(%lld)", (long long)st->nclass);
            else
                fputs("f32", f), print_dims(f, st->shape, 1);
            fprintf(f, " = %s\n", st->init);
            break;
        case GS_NET:
            fprintf(f, "net %s = sequential {\n", st->name);
            for (int j = 0; j < st->nlayers; j++) {
                const GenLayer *l = &st->layers[j];
                if (!strcmp(l->fn, "linear"))
                    fprintf(f, "    linear(%lld)\n", (long long)l->n);
                else if (!strcmp(l->fn, "conv2d"))
                    fprintf(
                        f,
                        "    conv2d(%lld, %lld, stride = %lld, padding = %lld, dilation = %lld, "
                        "groups = %lld%s)\n",
                        (long long)l->n, (long long)l->k, (long long)l->stride, (long long)l->pad,
                        (long long)l->dil, (long long)l->groups, l->bias ? "" : ", bias = false");
                else if (!strcmp(l->fn, "maxpool2d"))
                    fprintf(f,
                            "    maxpool2d(%lld, stride = %lld, padding = %lld, dilation = %lld)\n",
                            (long long)l->k, (long long)l->stride, (long long)l->pad,
                            (long long)l->dil);
                else if (!strcmp(l->fn, "adaptive_avgpool2d"))
                    fprintf(f, "    adaptive_avgpool2d(%lld)\n", (long long)l->k);
                else if (!strcmp(l->fn, "avgpool2d"))
                    fprintf(f, "    avgpool2d(%lld, stride = %lld, padding = %lld)\n",
                            (long long)l->k, (long long)l->stride, (long long)l->pad);
                else if (!strcmp(l->fn, "batchnorm2d"))
                    fprintf(f, "    batchnorm2d(eps = %g%s)\n", l->p,
                            l->frozen ? ", frozen = true" : "");
                else if (!strcmp(st->layers[j].fn, "dropout"))
                    fprintf(f, "    dropout(%g)\n", st->layers[j].p);
                else
                    fprintf(f, "    %s\n", st->layers[j].fn);
            }
            fputs("}\n", f);
            break;
        case GS_ASSIGN:
            fprintf(f, "%s = ", st->name);
            print_expr(f, m, st->value, false);
            fputc('\n', f);
            break;
        }
    }
    fputs("loss = ", f);
    for (int i = 0; i < m->nterms; i++) {
        if (i)
            fputs(" + ", f);
        print_expr(f, m, m->terms[i], m->nterms > 1);
    }
    fputc('\n', f);
    fclose(f);
    return text;
}

/* ---- shrinking ---------------------------------------------------------------------------- */

static GenModel *copy_model(const GenModel *m) {
    GenModel *c = pool_alloc(m->pool, sizeof *c);
    *c = *m;
    c->stmts = pool_alloc(m->pool, GEN_MAX_STMTS * sizeof(GenStmt));
    memcpy(c->stmts, m->stmts, (size_t)m->nstmts * sizeof(GenStmt));
    return c;
}

static void mark_live(GenModel *m, const GenExpr *e, bool *live) {
    if (!e)
        return;
    if (e->kind == GE_VAR || e->kind == GE_NET) {
        if (!live[e->var]) {
            live[e->var] = true;
            if (m->stmts[e->var].kind == GS_ASSIGN)
                mark_live(m, m->stmts[e->var].value, live);
        }
    }
    mark_live(m, e->a, live);
    mark_live(m, e->b, live);
}

/* Replaces every use of variable from by variable to (a fresh copy of what changes). */
static GenExpr *rename_var(GenPool *p, GenExpr *e, int from, int to) {
    if (!e)
        return NULL;
    GenExpr *a = rename_var(p, e->a, from, to), *b = rename_var(p, e->b, from, to);
    if (a == e->a && b == e->b && !(e->kind == GE_VAR && e->var == from))
        return e;
    GenExpr *c = ex_new(p, e->kind, e->shape);
    *c = *e;
    c->a = a;
    c->b = b;
    if (c->kind == GE_VAR && c->var == from)
        c->var = to;
    return c;
}

/* Drops what the loss no longer reads, and inlines 'v = w' (left by the shrinker). */
static void tidy(GenModel *m) {
    for (int i = 0; i < m->nstmts; i++) {
        GenStmt *st = &m->stmts[i];
        if (st->dead || st->kind != GS_ASSIGN || st->value->kind != GE_VAR)
            continue;
        int to = st->value->var;
        for (int j = i + 1; j < m->nstmts; j++)
            if (m->stmts[j].kind == GS_ASSIGN)
                m->stmts[j].value = rename_var(m->pool, m->stmts[j].value, i, to);
        for (int t = 0; t < m->nterms; t++)
            m->terms[t] = rename_var(m->pool, m->terms[t], i, to);
        st->dead = true;
    }
    bool live[GEN_MAX_STMTS] = {false};
    for (int t = 0; t < m->nterms; t++)
        mark_live(m, m->terms[t], live);
    for (int i = 0; i < m->nstmts; i++)
        if (m->stmts[i].kind != GS_INPUT && m->stmts[i].kind != GS_TARGET && !live[i])
            m->stmts[i].dead = true;
}

/* The expression trees a shrink step may edit: live statements' values, then the terms. */
static int nroots(const GenModel *m) {
    return m->nstmts + m->nterms;
}
static GenExpr **root(GenModel *m, int i) {
    if (i < m->nstmts)
        return m->stmts[i].kind == GS_ASSIGN && !m->stmts[i].dead ? &m->stmts[i].value : NULL;
    return &m->terms[i - m->nstmts];
}

static int count_nodes(const GenExpr *e) {
    return e ? 1 + count_nodes(e->a) + count_nodes(e->b) : 0;
}

/* Node number *k (pre-order) of e replaced by its operand 'which', if that has the node's
 * shape and the node is no guard; *k counts down. Returns e itself when nothing changed. */
static GenExpr *replace_node(GenPool *p, GenExpr *e, int *k, int which, bool *done) {
    if (!e || *done)
        return e;
    if ((*k)-- == 0) {
        GenExpr *o = which ? e->b : e->a;
        if (o && !e->guard && shape_eq(o->shape, e->shape)) {
            *done = true;
            return o;
        }
        *k = -1000000; /* found, but not applicable */
        return e;
    }
    GenExpr *a = replace_node(p, e->a, k, which, done);
    GenExpr *b = replace_node(p, e->b, k, which, done);
    if (a == e->a && b == e->b)
        return e;
    GenExpr *c = ex_new(p, e->kind, e->shape);
    *c = *e;
    c->a = a;
    c->b = b;
    return c;
}

/* The shape that reaches layer l of a net. */
static GenShape net_shape_before(const GenStmt *net, int l) {
    GenShape s = net->shape;
    for (int i = 0; i < l; i++)
        s = layer_out(&net->layers[i], s);
    return s;
}

int gen_shrink_count(const GenModel *m) {
    int nodes = 0;
    GenModel *mm = (GenModel *)m;
    for (int i = 0; i < nroots(m); i++) {
        GenExpr **r = root(mm, i);
        if (r)
            nodes += count_nodes(*r);
    }
    return m->nterms + 2 * nodes + m->nstmts * GEN_MAX_LAYERS;
}

GenModel *gen_shrink(const GenModel *m, int k) {
    GenModel *c = copy_model(m);
    /* 1. drop a term of the loss */
    if (k < m->nterms) {
        if (m->nterms < 2)
            return NULL;
        for (int i = k; i < c->nterms - 1; i++)
            c->terms[i] = c->terms[i + 1];
        c->nterms--;
        tidy(c);
        return c;
    }
    k -= m->nterms;
    /* 2. replace a node by its first or second operand */
    int nodes = 0;
    for (int i = 0; i < nroots(c); i++) {
        GenExpr **r = root(c, i);
        if (r)
            nodes += count_nodes(*r);
    }
    if (k < 2 * nodes) {
        int node = k / 2, which = k % 2;
        bool done = false;
        for (int i = 0; i < nroots(c) && node >= 0 && !done; i++) {
            GenExpr **r = root(c, i);
            if (r)
                *r = replace_node(c->pool, *r, &node, which, &done);
        }
        if (!done)
            return NULL;
        for (int i = 0; i < c->nstmts; i++)
            if (c->stmts[i].kind == GS_ASSIGN)
                c->stmts[i].shape = c->stmts[i].value->shape;
        tidy(c);
        return c;
    }
    k -= 2 * nodes;
    /* 3. remove a layer of a net that changes no shape (an activation; flatten of a matrix) */
    int s = k / GEN_MAX_LAYERS, l = k % GEN_MAX_LAYERS;
    if (s >= c->nstmts)
        return NULL;
    GenStmt *net = &c->stmts[s];
    if (net->kind != GS_NET || net->dead || l >= net->nlayers || net->nlayers < 2)
        return NULL;
    const char *fn = net->layers[l].fn;
    if (!strcmp(fn, "linear") || is_image_layer(fn) ||
        (!strcmp(fn, "flatten") && layer_out(&net->layers[l], net_shape_before(net, l)).rank !=
                                       net_shape_before(net, l).rank))
        return NULL;
    for (int i = l; i < net->nlayers - 1; i++)
        net->layers[i] = net->layers[i + 1];
    net->nlayers--;
    if (strcmp(net->layers[0].fn, "linear") != 0 && strcmp(net->layers[0].fn, "flatten") != 0 &&
        net->nlayers == 0)
        return NULL;
    return c;
}

/* ---- the same model in PyTorch ------------------------------------------------------------ */

/* How PyTorch calls a one-argument function or layer of mlc's: torch.X(x) or F.X(x), and
 * the arguments after x (the dimension of flatten, softmax and log_softmax). */
static const char *torch_fn(const char *fn) {
    static const char *const names[][2] = {{"relu", "torch.relu"},
                                           {"sigmoid", "torch.sigmoid"},
                                           {"tanh", "torch.tanh"},
                                           {"exp", "torch.exp"},
                                           {"log", "torch.log"},
                                           {"sqrt", "torch.sqrt"},
                                           {"abs", "torch.abs"},
                                           {"sum", "torch.sum"},
                                           {"mean", "torch.mean"},
                                           {"flatten", "torch.flatten"},
                                           {"softmax", "torch.softmax"},
                                           {"gelu", "F.gelu"},
                                           {"elu", "F.elu"},
                                           {"silu", "F.silu"},
                                           {"leaky_relu", "F.leaky_relu"},
                                           {"log_softmax", "F.log_softmax"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(fn, names[i][0]))
            return names[i][1];
    fprintf(stderr, "gen: no PyTorch name for '%s'\n", fn);
    exit(1);
}
static const char *torch_args(const char *fn) {
    if (!strcmp(fn, "flatten"))
        return ", 1)";
    if (!strcmp(fn, "softmax") || !strcmp(fn, "log_softmax"))
        return ", -1)";
    return ")";
}

/* stmt: the statement being printed, whose name linear(x, n)'s parameters take. */
static void print_torch_expr(FILE *f, const GenModel *m, const GenExpr *e, const char *stmt) {
    switch (e->kind) {
    case GE_VAR: fputs(m->stmts[e->var].name, f); break;
    case GE_NUM: fprintf(f, "torch.tensor(%.17g)", e->num); break;
    case GE_CALL:
        if (!strcmp(e->fn, "dropout")) { /* its masks are mlc's own: no PyTorch twin */
            fprintf(stderr, "gen: a model with dropout has no PyTorch form\n");
            exit(1);
        }
        fputs(torch_fn(e->fn), f);
        fputc('(', f);
        print_torch_expr(f, m, e->a, stmt);
        fputs(torch_args(e->fn), f);
        break;
    case GE_NEG:
        fputs("(-", f);
        print_torch_expr(f, m, e->a, stmt);
        fputc(')', f);
        break;
    case GE_BIN:
    case GE_MATMUL:
        if (e->op == '@' || e->kind == GE_MATMUL) {
            fputs("torch.matmul(", f);
            print_torch_expr(f, m, e->a, stmt);
            fputs(", ", f);
            print_torch_expr(f, m, e->b, stmt);
            fputc(')', f);
            break;
        }
        fputc('(', f);
        print_torch_expr(f, m, e->a, stmt);
        fprintf(f, " %c ", e->op);
        print_torch_expr(f, m, e->b, stmt);
        fputc(')', f);
        break;
    case GE_LOSS:
        fprintf(f, "F.%s(",
                !strcmp(e->fn, "bce_with_logits") ? "binary_cross_entropy_with_logits"
                : !strcmp(e->fn, "bce")           ? "binary_cross_entropy"
                : !strcmp(e->fn, "nll")           ? "nll_loss"
                : !strcmp(e->fn, "mse")           ? "mse_loss"
                : !strcmp(e->fn, "l1")            ? "l1_loss"
                                                  : "cross_entropy");
        print_torch_expr(f, m, e->a, stmt);
        fputs(", ", f);
        print_torch_expr(f, m, e->b, stmt);
        if (e->num > 0)
            fprintf(f, ", label_smoothing=%.17g", e->num);
        fputc(')', f);
        break;
    case GE_FMT: print_fmt(f, m, e, e->tfn, stmt); break;
    case GE_LINEAR:
        fputs("F.linear(", f);
        print_torch_expr(f, m, e->a, stmt);
        fprintf(f, ", t[\"%s.weight\"], t[\"%s.bias\"])", stmt, stmt);
        break;
    case GE_NET:
        fprintf(f, "%s(", m->stmts[e->var].name);
        print_torch_expr(f, m, e->a, stmt);
        fputc(')', f);
        break;
    }
}

char *gen_print_torch(const GenModel *m) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        fprintf(stderr, "gen: out of memory\n");
        exit(1);
    }
    fprintf(f, "# model fuzz%llu, as PyTorch computes it (written by gen_print_torch)\n",
            (unsigned long long)m->seed);
    fputs("def loss_fn(t):\n", f);
    for (int i = 0; i < m->nstmts; i++) {
        const GenStmt *st = &m->stmts[i];
        if (st->dead)
            continue;
        switch (st->kind) {
        case GS_INPUT:
        case GS_PARAM: fprintf(f, "    %s = t[\"%s\"]\n", st->name, st->name); break;
        case GS_TARGET:
            fprintf(f, "    %s = t[\"%s\"]%s\n", st->name, st->name, st->nclass ? ".long()" : "");
            break;
        case GS_NET:
            fprintf(f, "    def %s(h):\n", st->name);
            for (int j = 0; j < st->nlayers; j++) {
                const char *fn = st->layers[j].fn;
                const GenLayer *l = &st->layers[j];
                if (!strcmp(fn, "linear"))
                    fprintf(f, "        h = F.linear(h, t[\"%s.%d.weight\"], t[\"%s.%d.bias\"])\n",
                            st->name, j, st->name, j);
                else if (!strcmp(fn, "conv2d")) {
                    fprintf(f, "        h = F.conv2d(h, t[\"%s.%d.weight\"], ", st->name, j);
                    if (l->bias)
                        fprintf(f, "t[\"%s.%d.bias\"]", st->name, j);
                    else
                        fputs("None", f);
                    fprintf(f, ", %lld, %lld, %lld, %lld)\n", (long long)l->stride,
                            (long long)l->pad, (long long)l->dil, (long long)l->groups);
                } else if (!strcmp(fn, "maxpool2d"))
                    fprintf(f, "        h = F.max_pool2d(h, %lld, %lld, %lld, %lld)\n",
                            (long long)l->k, (long long)l->stride, (long long)l->pad,
                            (long long)l->dil);
                else if (!strcmp(fn, "adaptive_avgpool2d"))
                    fprintf(f, "        h = F.adaptive_avg_pool2d(h, %lld)\n", (long long)l->k);
                else if (!strcmp(fn, "avgpool2d"))
                    fprintf(f, "        h = F.avg_pool2d(h, %lld, %lld, %lld)\n", (long long)l->k,
                            (long long)l->stride, (long long)l->pad);
                else if (!strcmp(fn, "batchnorm2d") && l->frozen) /* the initial stats */
                    fprintf(f,
                            "        h = F.batch_norm(h, torch.zeros(h.shape[1]), "
                            "torch.ones(h.shape[1]), t[\"%s.%d.weight\"], t[\"%s.%d.bias\"], "
                            "False, 0.1, %g)\n",
                            st->name, j, st->name, j, l->p);
                else if (!strcmp(fn, "batchnorm2d"))
                    fprintf(f,
                            "        h = F.batch_norm(h, None, None, t[\"%s.%d.weight\"], "
                            "t[\"%s.%d.bias\"], True, 0.1, %g)\n",
                            st->name, j, st->name, j, l->p);
                else if (!strcmp(fn, "dropout")) {
                    fprintf(stderr, "gen: a model with dropout has no PyTorch form\n");
                    exit(1);
                } else
                    fprintf(f, "        h = %s(h%s\n", torch_fn(fn), torch_args(fn));
            }
            fputs("        return h\n", f);
            break;
        case GS_ASSIGN:
            fprintf(f, "    %s = ", st->name);
            print_torch_expr(f, m, st->value, st->name);
            fputc('\n', f);
            break;
        }
    }
    fputs("    return ", f);
    for (int i = 0; i < m->nterms; i++) {
        if (i)
            fputs(" + ", f);
        print_torch_expr(f, m, m->terms[i], "loss");
    }
    fputc('\n', f);
    fclose(f);
    return text;
}
