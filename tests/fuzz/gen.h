/* gen.h: random well-formed .model files, for the differential checker (fuzz_models.c).
 *
 * gen_model() builds a model as a list of statements whose expressions are trees with their
 * shapes attached, so that every generated model is well formed by construction and the
 * shrinker (gen_shrink) can make it smaller without breaking it: dropping loss terms,
 * replacing an operation by one of its operands of the same shape, removing a net's layers.
 * gen_print() writes the text. Everything lives in one GenPool, freed at once.
 */
#ifndef GEN_H
#define GEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* splitmix64 (Steele, Lea, Flood): a tiny seeded PRNG, the same on every machine. */
typedef struct GenRng {
    uint64_t s;
} GenRng;
uint64_t gen_rng_next(GenRng *r);
uint64_t gen_rng_below(GenRng *r, uint64_t n); /* uniform in [0, n), n > 0 (bias negligible) */
double gen_rng_uniform(GenRng *r);             /* [0, 1) */
double gen_rng_normal(GenRng *r);              /* standard normal (Box-Muller) */

enum {
    GEN_N = -1,          /* the batch dimension in a GenShape (only ever dim[0]) */
    GEN_MAX_RANK = 4,    /* counting the batch, as mlc */
    GEN_MAX_STMTS = 96,  /* statements of one model */
    GEN_MAX_TERMS = 4,   /* terms of the loss */
    GEN_MAX_LAYERS = 24, /* layers of one net: up to 9 image layers, flatten, 12 more */
};

typedef struct GenShape {
    int rank;
    int64_t dim[GEN_MAX_RANK];
} GenShape;

typedef enum GenExprKind {
    GE_VAR,    /* var: a declared or assigned name, an index into GenModel.stmts */
    GE_NUM,    /* num: a positive number literal */
    GE_CALL,   /* fn(a): relu sigmoid tanh exp log softmax flatten sum mean; dropout(a, num) */
    GE_NEG,    /* -a */
    GE_BIN,    /* a op b, op one of + - * / @ */
    GE_MATMUL, /* matmul(a, b) */
    GE_LINEAR, /* linear(a, nout) */
    GE_NET,    /* net(a), the net being stmts[var] */
    GE_LOSS,   /* fn(a, b): cross_entropy (num: its label_smoothing), nll, bce_with_logits, bce,
                  mse, l1 */
    GE_FMT,    /* the tensor algebra (transpose, permute, reshape, subscripts, concat, sum,
                  mean and max along an axis, pow, clamp, gelu's tanh form, flatten's
                  start_dim): fn is mlc's text and tfn PyTorch's, with %a and %b for the
                  operands a and b */
} GenExprKind;

typedef struct GenExpr GenExpr;
struct GenExpr {
    GenExprKind kind;
    GenShape shape;
    const char *fn;  /* GE_CALL, GE_LOSS, GE_FMT */
    const char *tfn; /* GE_FMT */
    int op;          /* GE_BIN */
    int var;         /* GE_VAR, GE_NET */
    double num;      /* GE_NUM */
    int64_t nout;    /* GE_LINEAR */
    double mag;      /* a rough bound on |value|, to keep values tame while generating */
    bool bounded;    /* |value| <= 1 for sure (sigmoid, tanh, softmax) */
    bool guard;      /* part of a numerical guard (log(v * v + 1)): never replaced by an operand */
    GenExpr *a, *b;
};

typedef enum GenStmtKind {
    GS_INPUT,  /* input name : f32[shape without N] = randn */
    GS_TARGET, /* target name : class(nclass) or f32[...] */
    GS_PARAM,  /* param name : f32[shape] = init */
    GS_NET,    /* net name = sequential { layers } */
    GS_ASSIGN, /* name = value */
} GenStmtKind;

typedef struct GenLayer {
    const char *fn; /* linear, relu, sigmoid, tanh, softmax, flatten, dropout, conv2d,
                       maxpool2d, avgpool2d, batchnorm2d */
    int64_t n;      /* linear(n), conv2d's out_channels */
    double p;       /* dropout(p); batchnorm2d's eps */
    int64_t k, stride, pad, dil, groups; /* conv2d, the pools (square windows) */
    bool bias;                           /* conv2d */
    bool frozen;                         /* batchnorm2d: the running statistics, not updated */
} GenLayer;

typedef struct GenStmt {
    GenStmtKind kind;
    bool dead; /* removed (by the shrinker): not printed */
    char name[24];
    GenShape shape;   /* the value's shape, with N first for input, target and batched values;
                         GS_NET: the shape of the argument of its calls */
    int64_t nclass;   /* GS_TARGET: K of class(K), or 0 for an f32 target */
    const char *init; /* GS_INPUT, GS_TARGET, GS_PARAM: zeros, ones or randn */
    int nlayers;
    GenLayer layers[GEN_MAX_LAYERS]; /* GS_NET */
    GenExpr *value;                  /* GS_ASSIGN */
} GenStmt;

typedef struct GenPool GenPool;

typedef struct GenModel {
    GenPool *pool;
    uint64_t seed;
    GenStmt *stmts; /* GEN_MAX_STMTS slots */
    int nstmts;
    GenExpr *terms[GEN_MAX_TERMS]; /* loss = terms[0] + terms[1] + ... (scalars) */
    int nterms;
} GenModel;

GenPool *gen_pool_new(void);
void gen_pool_free(GenPool *p); /* every model and expression made from it */

/* A random model; the same seed gives the same model. */
/* with_dropout: may use dropout, whose masks only mlc's own hash reproduces (the PyTorch
 * corpus is made without). */
GenModel *gen_model(GenPool *p, uint64_t seed, bool with_dropout);
/* The model as .model text (malloc'd). */
char *gen_print(const GenModel *m);
/* The same model as a Python function loss_fn(t) of a dict of torch tensors (parameters by
 * their state_dict names, the input and the target by theirs) that returns the loss. */
char *gen_print_torch(const GenModel *m);

/* Shrinking: gen_shrink_count() ways to make m smaller; gen_shrink(m, k) is the k-th smaller
 * model (a new one; m is unchanged), or NULL where that way does not apply. The result is
 * well formed, though it may compute something the checker finds invalid (a NaN). */
int gen_shrink_count(const GenModel *m);
GenModel *gen_shrink(const GenModel *m, int k);

#endif
