/* lower.c: AST -> graph IR.
 *
 * Walks the statements in order (a name must be defined before it is used, as in a
 * program), resolves names, creates the leaves (input, target, parameters), inlines each
 * call of a `net` layer by layer and turns expressions into IR nodes, whose shapes the
 * builders infer on the spot. Parameters created for a net are named as PyTorch names the
 * state_dict of an nn.Sequential: "<net>.<layer index>.weight"; a layer's output is named
 * "<net>_<index>" in the generated code. It also reads the train block and checks what a
 * program needs: a scalar 'loss', one input and one target.
 *
 * Every error is reported where the user can fix it, and lowering goes on with the next
 * statement; the caller stops before the next pass if any was reported.
 */
#include "mlc.h"

#include <float.h>

typedef enum SymKind {
    SYM_VALUE, /* node */
    SYM_NET,   /* ast, params */
    SYM_LIST,  /* a list of strings (classes) */
} SymKind;

typedef struct Sym {
    SymKind kind;
    const char *name;
    Loc loc;
    Node *node;    /* SYM_VALUE: NULL if its definition had an error (uses stay silent) */
    Ast *ast;      /* SYM_NET: the AST_NET, NULL if a layer had an error */
    Node **params; /* SYM_NET: weight and bias per layer (2 per layer), made on first call */
} Sym;

typedef struct Lower {
    Ctx *cx;
    Graph *g;
    PtrVec syms;           /* Sym* */
    const char *target;    /* the name being assigned, for parameters of linear(x, n) */
    const char *stmt_name; /* the name being assigned, for messages */
    Loc output_loc;        /* the name of the 'output' statement, once there is one */
    Loc classes_loc;       /* the list assigned to 'classes', once there is one */
} Lower;

/* The symbol a name denotes; names are interned, so they compare by pointer. The scope is
 * the whole file, in order: a name is visible from its definition on. */
static Sym *lookup(Lower *L, const char *name) {
    for (int i = L->syms.len - 1; i >= 0; i--) {
        Sym *s = L->syms.data[i];
        if (s->name == name)
            return s;
    }
    return NULL;
}

/* Defines a name once; a second definition is an error with a note at the first. */
static Sym *define(Lower *L, SymKind kind, const char *name, Loc loc) {
    Sym *old = lookup(L, name);
    if (old) {
        diag_error(L->cx, loc, "'%s' is already defined", name);
        diag_note(L->cx, old->loc, "'%s' was defined here", name);
        return NULL;
    }
    Sym *s = NEW(L->cx->arena, Sym);
    s->kind = kind;
    s->name = name;
    s->loc = loc;
    vec_push(L->cx->arena, &L->syms, s);
    return s;
}

/* After an error in the definition of name: defines it anyway, without a value, so that its
 * uses do not each report "'name' is not defined" (one mistake, one message). */
static void define_broken(Lower *L, const char *name, Loc loc) {
    if (!lookup(L, name))
        define(L, SYM_VALUE, name, loc);
}

/* A C identifier for a state_dict name: "linear_relu_stack.0.weight" -> "..._0_weight". */
static const char *c_name(Lower *L, const char *s) {
    char *out = arena_strdup(L->cx->arena, s);
    for (char *p = out; *p; p++)
        if (*p == '.')
            *p = '_';
    return out;
}

/* ---- constants ------------------------------------------------------------------------------ */

/* Evaluates a constant expression (numbers, + - * /, unary minus); false if it is not one. */
static bool const_value(Ast *e, double *v) {
    double a, b;
    switch (e->kind) {
    case AST_NUM: *v = e->num; return true;
    case AST_NEG:
        if (!const_value(e->bin.lhs, &a))
            return false;
        *v = -a;
        return true;
    case AST_BINARY:
        if (!const_value(e->bin.lhs, &a) || !const_value(e->bin.rhs, &b))
            return false;
        switch (e->bin.op) {
        case '+': *v = a + b; return true;
        case '-': *v = a - b; return true;
        case '*': *v = a * b; return true;
        case '/': *v = a / b; return isfinite(*v);
        default: return false;
        }
    case AST_STR:
    case AST_IDENT:
    case AST_CALL:
    case AST_KWARG:
    case AST_LIST:
    case AST_INDEX:
    case AST_SLICE:
    case AST_TENSOR_TYPE:
    case AST_CLASS_TYPE:
    case AST_INPUT:
    case AST_TARGET:
    case AST_PARAM:
    case AST_NET:
    case AST_ASSIGN:
    case AST_TRAIN: return false;
    }
    return false;
}

/* What an expression is, for the "got ..." part of a message: "1.5", "'x'", "a string". */
static const char *describe(Lower *L, Ast *e) {
    double v;
    if (const_value(e, &v))
        return arena_printf(L->cx->arena, "%.15g", v);
    switch (e->kind) {
    case AST_IDENT: return arena_printf(L->cx->arena, "'%s'", e->str);
    case AST_STR: return "a string";
    case AST_LIST: return "a list";
    case AST_CALL: return arena_printf(L->cx->arena, "a call of '%s'", e->call.name);
    case AST_NUM:
    case AST_KWARG:
    case AST_BINARY:
    case AST_NEG:
    case AST_INDEX:
    case AST_SLICE:
    case AST_TENSOR_TYPE:
    case AST_CLASS_TYPE:
    case AST_INPUT:
    case AST_TARGET:
    case AST_PARAM:
    case AST_NET:
    case AST_ASSIGN:
    case AST_TRAIN: break;
    }
    return "an expression";
}

/* A positive integer no larger than max, or an error naming what it is for. */
static bool whole_number(Lower *L, Ast *e, const char *what, int64_t min, int64_t max,
                         int64_t *out) {
    double v;
    if (!const_value(e, &v) || v != floor(v) || v < (double)min || v > (double)max) {
        diag_error(L->cx, e->loc, "%s must be a whole number from %lld to %lld, got %s", what,
                   (long long)min, (long long)max, describe(L, e));
        return false;
    }
    *out = (int64_t)v;
    return true;
}

static bool positive_int(Lower *L, Ast *e, const char *what, int64_t max, int64_t *out) {
    return whole_number(L, e, what, 1, max, out);
}

enum {
    MAX_DIM = 1 << 24
};
static const int64_t MAX_NUMEL = (int64_t)1 << 31;

/* A shape as the model declares it, without the batch dimension: "f32[1, 28, 28]". */
static const char *sample_str(Lower *L, Shape s, DType dt) {
    if (shape_has_n(s)) {
        for (int i = 1; i < s.rank; i++)
            s.dim[i - 1] = s.dim[i];
        s.rank--;
    }
    return shape_str(L->cx->arena, s, dt);
}

/* ---- types and declarations -------------------------------------------------------------- */

/* The shape of a declared tensor type; with_n puts the batch dimension first. */
static bool type_shape(Lower *L, Ast *t, bool with_n, Shape *s) {
    MLC_ASSERT(t->kind == AST_TENSOR_TYPE);
    if (strcmp(t->type.dtype, "f32") != 0) {
        diag_error(L->cx, t->loc, "unknown element type '%s'; mlc computes in f32", t->type.dtype);
        return false;
    }
    int rank = t->type.dims.len + (with_n ? 1 : 0);
    if (rank > MLC_MAX_RANK) {
        if (with_n)
            diag_error(L->cx, t->loc,
                       "at most %d dimensions are supported (the batch "
                       "dimension N makes one more), got %d",
                       MLC_MAX_RANK - 1, rank - 1);
        else
            diag_error(L->cx, t->loc, "at most %d dimensions are supported, got %d", MLC_MAX_RANK,
                       rank);
        return false;
    }
    s->rank = 0;
    if (with_n)
        s->dim[s->rank++] = DIM_N;
    int64_t numel = 1;
    for (int i = 0; i < t->type.dims.len; i++) {
        int64_t d;
        if (!positive_int(L, t->type.dims.data[i], "a dimension", MAX_DIM, &d))
            return false;
        numel *= d;
        if (numel > MAX_NUMEL) {
            diag_error(L->cx, t->loc, "this tensor has more than %lld elements per sample",
                       (long long)MAX_NUMEL);
            return false;
        }
        s->dim[s->rank++] = d;
    }
    return true;
}

static bool init_kind(Lower *L, Ast *init, bool param, InitKind *k) {
    if (!init) {
        *k = param ? INIT_ZEROS : INIT_NONE;
        return true;
    }
    if (init->kind == AST_IDENT) {
        if (!strcmp(init->str, "zeros"))
            *k = INIT_ZEROS;
        else if (!strcmp(init->str, "ones"))
            *k = INIT_ONES;
        else if (!strcmp(init->str, "randn"))
            *k = INIT_RANDN;
        else
            goto bad;
        return true;
    }
bad:
    diag_error(L->cx, init->loc, "an initial value is one of zeros, ones or randn, got %s",
               describe(L, init));
    return false;
}

/* Makes the leaf a declaration declares; false after an error. */
static bool declare(Lower *L, Ast *st) {
    Graph *g = L->g;
    Ast *t = st->decl.type;
    const char *name = st->decl.name;
    const char *what = st->kind == AST_INPUT    ? "input"
                       : st->kind == AST_TARGET ? "target"
                                                : "param";
    Shape s = {0, {0}};
    DType dt = DT_F32;
    int64_t nclass = 0;
    if (t->kind == AST_CLASS_TYPE) {
        if (st->kind != AST_TARGET) {
            diag_error(L->cx, t->loc,
                       "class(K) is the type of a target; %s '%s' needs a "
                       "tensor type such as f32[10]",
                       what, name);
            return false;
        }
        if (!positive_int(L, t->type.nclass, "the number of classes", MAX_DIM, &nclass))
            return false;
        s = (Shape){1, {DIM_N}};
        dt = DT_I32;
    } else if (!type_shape(L, t, st->kind != AST_PARAM, &s)) {
        return false;
    }
    InitKind init;
    if (!init_kind(L, st->decl.init, st->kind == AST_PARAM, &init))
        return false;
    if (dt == DT_I32 && init == INIT_RANDN) {
        diag_error(L->cx, st->decl.init->loc,
                   "a class label is zeros (class 0) or ones "
                   "(class 1), not randn");
        return false;
    }

    Node **slot = st->kind == AST_INPUT ? &g->input : st->kind == AST_TARGET ? &g->target : NULL;
    if (slot && *slot) {
        diag_error(L->cx, st->decl.name_loc, "a model has one %s; '%s' is the second", what, name);
        diag_note(L->cx, (*slot)->loc, "the first is '%s'", (*slot)->name);
        return false;
    }
    Sym *sym = define(L, SYM_VALUE, name, st->decl.name_loc);
    if (!sym)
        return false;
    OpKind op = st->kind == AST_INPUT ? OP_INPUT : st->kind == AST_TARGET ? OP_TARGET : OP_PARAM;
    Node *n = ir_leaf(g, op, st->decl.name_loc, name, s, dt);
    n->attr.leaf.init = init;
    n->attr.leaf.nclass = nclass;
    n->attr.leaf.pname = name;
    sym->node = n;
    if (slot)
        *slot = n;
    if (op == OP_PARAM)
        vec_push(L->cx->arena, &g->params, n);
    return true;
}

static void lower_decl(Lower *L, Ast *st) {
    if (!declare(L, st))
        define_broken(L, st->decl.name, st->decl.name_loc);
}

/* ---- layers -------------------------------------------------------------------------------- */

#define BUILTIN(name, op, arity, form, number) {#name, OP_##op, arity, BUILTIN_##form, number},
#define BUILTIN_LAYER                          true
#define BUILTIN_FUNCTION                       false
const Builtin builtins[] = {
#include "builtins.def"
};
#undef BUILTIN
const int nbuiltins = sizeof builtins / sizeof builtins[0];

const Builtin *builtin_find(const char *name) {
    for (int i = 0; i < nbuiltins; i++)
        if (!strcmp(builtins[i].name, name))
            return &builtins[i];
    return NULL;
}

/* "linear(n), relu, ..." for the layers, or "relu, ..., linear(x, n), ... and b" for the
 * functions, in the order of builtins.def. */
static const char *builtin_list(Lower *L, bool layers) {
    const char *list = "";
    int count = 0, total = 0;
    for (int i = 0; i < nbuiltins; i++)
        total += !layers || builtins[i].layer;
    for (int i = 0; i < nbuiltins; i++) {
        const Builtin *b = &builtins[i];
        if (layers && !b->layer)
            continue;
        const char *name = !strcmp(b->name, "concat") ? "concat([x, ...], axis)"
                           : !b->number               ? b->name
                           : layers ? arena_printf(L->cx->arena, "%s(%s)", b->name, b->number)
                                    : arena_printf(L->cx->arena, "%s(x, %s)", b->name, b->number);
        const char *sep = count == 0 ? "" : count == total - 1 && !layers ? " and " : ", ";
        list = arena_printf(L->cx->arena, "%s%s%s", list, sep, name);
        count++;
    }
    return list;
}

/* The weight [out, in] and bias [out] of a linear layer, initialised as PyTorch does. */
static void make_linear_params(Lower *L, Loc loc, const char *prefix, int64_t in, int64_t out,
                               Node **w, Node **b) {
    Arena *a = L->cx->arena;
    const char *wname = arena_printf(a, "%s.weight", prefix);
    const char *bname = arena_printf(a, "%s.bias", prefix);
    *w = ir_leaf(L->g, OP_PARAM, loc, c_name(L, wname), (Shape){2, {out, in}}, DT_F32);
    *b = ir_leaf(L->g, OP_PARAM, loc, c_name(L, bname), (Shape){1, {out}}, DT_F32);
    Node *both[2] = {*w, *b};
    for (int i = 0; i < 2; i++) {
        both[i]->attr.leaf.init = INIT_UNIFORM;
        both[i]->attr.leaf.fan_in = in;
        both[i]->attr.leaf.pname = i == 0 ? wname : bname;
        vec_push(a, &L->g->params, both[i]);
    }
}

/* y = x Wᵀ + b. params holds {W, b} once made (shared by later calls of the same net). */
static Node *linear(Lower *L, Ast *call, Ast *nout, Node *x, const char *prefix, Node **params) {
    int64_t out;
    if (!positive_int(L, nout, "the number of outputs of linear", MAX_DIM, &out))
        return NULL;
    if (x->shape.rank != 2 || x->dtype != DT_F32) {
        diag_error(L->cx, call->loc, "linear(%lld) expects f32[N, features], got %s",
                   (long long)out, shape_str(L->cx->arena, x->shape, x->dtype));
        /* The usual mistake: an image input given to linear without flatten. */
        if (x->op == OP_INPUT && x->shape.rank > 2)
            diag_note(L->cx, x->loc,
                      "'%s' declared here as %s; flatten(%s) makes it "
                      "f32[N, %lld]",
                      x->name, sample_str(L, x->shape, x->dtype), x->name,
                      (long long)shape_numel_const(x->shape));
        return NULL;
    }
    int64_t in = x->shape.dim[1];
    if (!params[0]) {
        make_linear_params(L, call->loc, prefix, in, out, &params[0], &params[1]);
    } else if (params[0]->shape.dim[1] != in || params[0]->shape.dim[0] != out) {
        diag_error(L->cx, call->loc,
                   "linear(%lld) was first used with %lld input features, "
                   "now with %lld",
                   (long long)out, (long long)params[0]->shape.dim[1], (long long)in);
        return NULL;
    }
    Node *y = ir_matmul(L->g, call->loc, x, params[0], false, true);
    return ir_binary(L->g, OP_ADD, call->loc, y, params[1]);
}

/* The p of dropout(p): a number from 0 to 1, 1 excluded (that would drop everything). */
static bool dropout_p(Lower *L, Ast *e, double *p) {
    if (!const_value(e, p) || !(*p >= 0.0 && *p < 1.0)) {
        diag_error(L->cx, e->loc, "dropout's p must be a number from 0 to 1 (1 excluded), got %s",
                   describe(L, e));
        return false;
    }
    return true;
}

/* dropout: each one its own stream of masks, in the order of the model's text. */
static Node *dropout(Lower *L, Ast *arg, Loc loc, Node *x) {
    double p;
    if (!dropout_p(L, arg, &p) || !x)
        return NULL;
    return ir_dropout(L->g, loc, x, p, L->g->ndropout++);
}

/* ---- image layers ----------------------------------------------------------------------------
 * conv2d, maxpool2d, avgpool2d, batchnorm2d and batchnorm1d take named arguments as PyTorch's
 * layers do; positional ones fill the names in order. */

enum {
    LAYER_SLOTS = 5, /* parameters and state a layer makes: batchnorm's five at most */
    MAX_LAYER_ARGS = 8
};

/* Fills out[i] with the argument for names[i] (NULL if absent), from the call's arguments
 * after the first `skip` (the tensor of a function form). The first `required` names must be
 * given. what names the callee in messages. */
static bool layer_args(Lower *L, Ast *call, int skip, const char *what, const char *const *names,
                       int nnames, int required, Ast **out) {
    for (int i = 0; i < nnames; i++)
        out[i] = NULL;
    int nargs = call->kind == AST_CALL ? call->call.args.len : 0;
    int pos = 0;
    for (int a = skip; a < nargs; a++) {
        Ast *arg = call->call.args.data[a];
        int at = -1;
        if (arg->kind == AST_KWARG) {
            for (int i = 0; i < nnames; i++)
                if (!strcmp(names[i], arg->kwarg.name))
                    at = i;
            if (at < 0) {
                const char *list = "";
                for (int i = 0; i < nnames; i++)
                    list = arena_printf(L->cx->arena, "%s%s%s", list, i ? ", " : "", names[i]);
                diag_error(L->cx, arg->kwarg.name_loc, "%s has no setting '%s'; it has %s", what,
                           arg->kwarg.name, list);
                return false;
            }
            arg = arg->kwarg.value;
        } else {
            if (pos >= nnames) {
                diag_error(L->cx, arg->loc, "%s takes at most %d arguments", what, nnames);
                return false;
            }
            at = pos++;
        }
        if (out[at]) {
            diag_error(L->cx, arg->loc, "%s: '%s' is given twice", what, names[at]);
            return false;
        }
        out[at] = arg;
    }
    for (int i = 0; i < required; i++) {
        if (!out[i]) {
            diag_error(L->cx, call->loc, "%s needs its %s", what, names[i]);
            return false;
        }
    }
    return true;
}

/* A size along the two image dimensions: one whole number for both, or [height, width]. */
static bool pair_arg(Lower *L, Ast *e, const char *what, int64_t min, int64_t def, int64_t out[2]) {
    out[0] = out[1] = def;
    if (!e)
        return true;
    if (e->kind == AST_LIST) {
        if (e->list.len != 2) {
            diag_error(L->cx, e->loc, "%s is one number or two, [height, width]; got %d", what,
                       e->list.len);
            return false;
        }
        return whole_number(L, e->list.data[0], what, min, MAX_DIM, &out[0]) &&
               whole_number(L, e->list.data[1], what, min, MAX_DIM, &out[1]);
    }
    if (!whole_number(L, e, what, min, MAX_DIM, &out[0]))
        return false;
    out[1] = out[0];
    return true;
}

static bool flag_arg(Lower *L, Ast *e, const char *what, bool def, bool *out) {
    *out = def;
    if (!e)
        return true;
    if (e->kind == AST_IDENT && (!strcmp(e->str, "true") || !strcmp(e->str, "false"))) {
        *out = !strcmp(e->str, "true");
        return true;
    }
    diag_error(L->cx, e->loc, "%s is true or false, got %s", what, describe(L, e));
    return false;
}

/* conv2d(out_channels, kernel, stride = 1, padding = 0, dilation = 1, groups = 1,
 *        bias = true), padding a number, a pair or "same" (stride 1; the same padding on both
 * sides, so dilation (kernel - 1) must be even). */
typedef struct ConvSpec {
    int64_t out;
    Window win;
    bool bias;
} ConvSpec;

static bool conv_spec(Lower *L, Ast *call, int skip, ConvSpec *c) {
    static const char *const names[] = {"out_channels", "kernel", "stride", "padding",
                                        "dilation",     "groups", "bias"};
    Ast *a[7];
    if (!layer_args(L, call, skip, "conv2d", names, 7, 2, a))
        return false;
    Window *w = &c->win;
    w->groups = 1;
    if (!positive_int(L, a[0], "conv2d's out_channels", MAX_DIM, &c->out) ||
        !pair_arg(L, a[1], "conv2d's kernel", 1, 1, w->k) ||
        !pair_arg(L, a[2], "conv2d's stride", 1, 1, w->stride) ||
        !pair_arg(L, a[4], "conv2d's dilation", 1, 1, w->dil) ||
        (a[5] && !positive_int(L, a[5], "conv2d's groups", MAX_DIM, &w->groups)) ||
        !flag_arg(L, a[6], "conv2d's bias", true, &c->bias))
        return false;
    if (a[3] && a[3]->kind == AST_STR) {
        if (strcmp(a[3]->str, "same") != 0) {
            diag_error(L->cx, a[3]->loc, "conv2d's padding is a number, a pair or \"same\"");
            return false;
        }
        for (int d = 0; d < 2; d++) {
            int64_t span = w->dil[d] * (w->k[d] - 1);
            if (w->stride[d] != 1 || span % 2 != 0) {
                diag_error(L->cx, a[3]->loc,
                           "padding \"same\" needs stride 1 and an odd kernel (or an even "
                           "dilation), so both sides get the same padding; got kernel %lld, "
                           "stride %lld, dilation %lld",
                           (long long)w->k[d], (long long)w->stride[d], (long long)w->dil[d]);
                return false;
            }
            w->pad[d] = span / 2;
        }
    } else if (!pair_arg(L, a[3], "conv2d's padding", 0, 0, w->pad)) {
        return false;
    }
    if (c->out % w->groups != 0) {
        diag_error(L->cx, a[5]->loc, "conv2d's groups (%lld) must divide out_channels (%lld)",
                   (long long)w->groups, (long long)c->out);
        return false;
    }
    return true;
}

/* maxpool2d(kernel, stride = kernel, padding = 0, dilation = 1) and avgpool2d(kernel,
 * stride = kernel, padding = 0). */
static bool pool_spec(Lower *L, Ast *call, int skip, const char *what, Window *w) {
    static const char *const names[] = {"kernel", "stride", "padding", "dilation"};
    bool max = !strcmp(what, "maxpool2d");
    Ast *a[4];
    if (!layer_args(L, call, skip, what, names, max ? 4 : 3, 1, a))
        return false;
    if (!pair_arg(L, a[0], arena_printf(L->cx->arena, "%s's kernel", what), 1, 1, w->k) ||
        !pair_arg(L, a[1], arena_printf(L->cx->arena, "%s's stride", what), 1, 1, w->stride) ||
        !pair_arg(L, a[2], arena_printf(L->cx->arena, "%s's padding", what), 0, 0, w->pad) ||
        !pair_arg(L, max ? a[3] : NULL, "maxpool2d's dilation", 1, 1, w->dil))
        return false;
    if (!a[1])
        w->stride[0] = w->k[0], w->stride[1] = w->k[1];
    w->groups = 1;
    return true;
}

/* batchnorm2d(eps = 1e-5, momentum = 0.1) and batchnorm1d(...). */
static bool bn_spec(Lower *L, Ast *call, int skip, const char *what, double *eps, double *momentum,
                    bool *frozen) {
    static const char *const names[] = {"eps", "momentum", "frozen"};
    Ast *a[3];
    if (!layer_args(L, call, skip, what, names, 3, 0, a) ||
        !flag_arg(L, a[2], arena_printf(L->cx->arena, "%s's frozen", what), false, frozen))
        return false;
    *eps = 1e-5, *momentum = 0.1;
    if ((a[0] && (!const_value(a[0], eps) || !(*eps > 0.0))) ||
        (a[1] && (!const_value(a[1], momentum) || !(*momentum > 0.0 && *momentum <= 1.0)))) {
        Ast *bad = a[0] && !(*eps > 0.0) ? a[0] : a[1];
        diag_error(L->cx, bad->loc, "%s's %s must be a number %s, got %s", what,
                   bad == a[0] ? "eps" : "momentum",
                   bad == a[0] ? "above 0" : "above 0 and at most 1", describe(L, bad));
        return false;
    }
    return true;
}

/* Is x a batch of images [N, C, H, W]? If not, an error at loc (with a hint for the usual
 * mistake, an image declared flat). */
static bool want_images(Lower *L, Loc loc, const char *what, Node *x) {
    if (x->shape.rank == 4 && x->shape.dim[0] == DIM_N && x->dtype == DT_F32)
        return true;
    diag_error(L->cx, loc, "%s expects images f32[N, channels, height, width], got %s", what,
               shape_str(L->cx->arena, x->shape, x->dtype));
    if (x->op == OP_INPUT)
        diag_note(L->cx, x->loc,
                  "'%s' is declared here as %s; an image input is declared as "
                  "f32[channels, height, width]",
                  x->name, sample_str(L, x->shape, x->dtype));
    return false;
}

/* A parameter or a state of a layer, named "<prefix>.<what>" as PyTorch names it. */
static Node *layer_leaf(Lower *L, Loc loc, OpKind op, const char *prefix, const char *what,
                        Shape shape, InitKind init, int64_t fan_in) {
    const char *pname = arena_printf(L->cx->arena, "%s.%s", prefix, what);
    Node *n = ir_leaf(L->g, op, loc, c_name(L, pname), shape, DT_F32);
    n->attr.leaf.init = init;
    n->attr.leaf.fan_in = fan_in;
    n->attr.leaf.pname = pname;
    vec_push(L->cx->arena, op == OP_PARAM ? &L->g->params : &L->g->states, n);
    return n;
}

/* The same layer met again (a net called twice) with an input of another shape. */
static bool layer_reused_badly(Lower *L, Loc loc, const char *what, Node *w, Shape want) {
    if (shape_eq(w->shape, want))
        return false;
    diag_error(L->cx, loc, "%s was first used with weights %s, now it would need %s", what,
               shape_str(L->cx->arena, w->shape, w->dtype), shape_str(L->cx->arena, want, DT_F32));
    return true;
}

/* y = conv2d(x) with weight [out, C / groups, kh, kw] and bias [out], initialised as
 * PyTorch's Conv2d (uniform in +-1/sqrt(fan_in), fan_in = C / groups kh kw). */
static Node *conv2d(Lower *L, Ast *call, int skip, Node *x, const char *prefix, Node **params) {
    ConvSpec c;
    if (!conv_spec(L, call, skip, &c) || !want_images(L, call->loc, "conv2d", x))
        return NULL;
    int64_t in = x->shape.dim[1], g = c.win.groups;
    if (in % g != 0) {
        diag_error(L->cx, call->loc, "conv2d's groups (%lld) must divide the input's %lld channels",
                   (long long)g, (long long)in);
        return NULL;
    }
    Shape ws = {4, {c.out, in / g, c.win.k[0], c.win.k[1]}};
    int64_t fan_in = in / g * c.win.k[0] * c.win.k[1];
    if (!params[0]) {
        params[0] = layer_leaf(L, call->loc, OP_PARAM, prefix, "weight", ws, INIT_UNIFORM, fan_in);
        params[1] = c.bias ? layer_leaf(L, call->loc, OP_PARAM, prefix, "bias", (Shape){1, {c.out}},
                                        INIT_UNIFORM, fan_in)
                           : ir_const(L->g, call->loc, 0.0, 0);
    } else if (layer_reused_badly(L, call->loc, "conv2d", params[0], ws)) {
        return NULL;
    }
    Node *in3[3] = {x, params[0], params[1]};
    return ir_window_node(L->g, OP_CONV2D, call->loc, 3, in3, &c.win, (Shape){0, {0}});
}

/* adaptive_avgpool2d(h, w = h): the output h x w whatever the input size, as PyTorch's
 * AdaptiveAvgPool2d. Where the input size is a multiple of it, that is avgpool2d with kernel
 * and stride = input / output; otherwise the windows vary in size (adaptive_avgpool2d op). */
static bool adaptive_spec(Lower *L, Ast *call, int skip, int64_t out[2], Ast **where) {
    static const char *const names[] = {"h", "w"};
    Ast *a[2];
    if (!layer_args(L, call, skip, "adaptive_avgpool2d", names, 2, 1, a))
        return false;
    *where = a[0];
    if (!positive_int(L, a[0], "adaptive_avgpool2d's h", MAX_DIM, &out[0]) ||
        !positive_int(L, a[1] ? a[1] : a[0], "adaptive_avgpool2d's w", MAX_DIM, &out[1]))
        return false;
    return true;
}

static Node *adaptive_avgpool2d(Lower *L, Ast *call, int skip, Node *x) {
    int64_t out[2];
    Ast *where;
    if (!adaptive_spec(L, call, skip, out, &where) ||
        !want_images(L, call->loc, "adaptive_avgpool2d", x))
        return NULL;
    int64_t h = x->shape.dim[2], w = x->shape.dim[3];
    if (h % out[0] != 0 || w % out[1] != 0) { /* windows of varying size */
        Shape s = {4, {DIM_N, x->shape.dim[1], out[0], out[1]}};
        return ir_shaped(L->g, OP_ADAPTIVE_AVGPOOL2D, call->loc, 1, &x, s);
    }
    Window win = {{h / out[0], w / out[1]}, {h / out[0], w / out[1]}, {0, 0}, {1, 1}, 1};
    return ir_window_node(L->g, OP_AVGPOOL2D, call->loc, 1, &x, &win, (Shape){0, {0}});
}

static Node *pool2d(Lower *L, Ast *call, int skip, const char *what, Node *x) {
    Window w;
    if (!pool_spec(L, call, skip, what, &w) || !want_images(L, call->loc, what, x))
        return NULL;
    OpKind op = !strcmp(what, "maxpool2d") ? OP_MAXPOOL2D : OP_AVGPOOL2D;
    return ir_window_node(L->g, op, call->loc, 1, &x, &w, (Shape){0, {0}});
}

/* batch norm: weight (ones) and bias (zeros) trained; running_mean (zeros), running_var
 * (ones) and num_batches_tracked (0) kept as state, updated by every training step as
 * PyTorch's BatchNorm does:
 *     running_mean = (1 - momentum) running_mean + momentum mean(x)
 *     running_var = (1 - momentum) running_var + momentum var(x)   (unbiased)
 *     num_batches_tracked = num_batches_tracked + 1
 * A layer called again (a net called twice) updates them again, from the first call's
 * values, as calling a PyTorch module twice does. */
static Node *batchnorm(Lower *L, Ast *call, int skip, const char *what, Node *x, const char *prefix,
                       Node **params) {
    double eps, m;
    bool frozen;
    if (!bn_spec(L, call, skip, what, &eps, &m, &frozen))
        return NULL;
    bool two_d = !strcmp(what, "batchnorm2d");
    bool ok = x->dtype == DT_F32 && x->shape.dim[0] == DIM_N &&
              (two_d ? x->shape.rank == 4 : x->shape.rank == 2 || x->shape.rank == 3);
    if (!ok) {
        diag_error(L->cx, call->loc, "%s expects %s, got %s", what,
                   two_d ? "images f32[N, channels, height, width]"
                         : "f32[N, features] or f32[N, channels, length]",
                   shape_str(L->cx->arena, x->shape, x->dtype));
        return NULL;
    }
    Graph *g = L->g;
    Loc loc = call->loc;
    Shape cs = {1, {x->shape.dim[1]}};
    if (!params[0]) {
        params[0] = layer_leaf(L, loc, OP_PARAM, prefix, "weight", cs, INIT_ONES, 0);
        params[1] = layer_leaf(L, loc, OP_PARAM, prefix, "bias", cs, INIT_ZEROS, 0);
        params[2] = layer_leaf(L, loc, OP_STATE, prefix, "running_mean", cs, INIT_ZEROS, 0);
        params[3] = layer_leaf(L, loc, OP_STATE, prefix, "running_var", cs, INIT_ONES, 0);
        params[4] = layer_leaf(L, loc, OP_STATE, prefix, "num_batches_tracked", (Shape){0, {0}},
                               INIT_ZEROS, 0);
        for (int i = 0; i < 3; i++)
            vec_push(L->cx->arena, &g->updates, NULL);
    } else if (layer_reused_badly(L, loc, what, params[0], cs)) {
        return NULL;
    }
    int state = 0; /* the index of running_mean in g->states */
    while (g->states.data[state] != params[2])
        state++;
    /* the values so far: the states themselves, or what an earlier call left in them */
    Node *now[3];
    for (int i = 0; i < 3; i++)
        now[i] = g->updates.data[state + i] ? g->updates.data[state + i] : params[2 + i];
    if (frozen) { /* the running statistics, read and never updated, as in evaluation */
        Node *in5[5] = {x, params[0], params[1], now[0], now[1]};
        Node *y = ir_bn_node(g, OP_BATCHNORM_EVAL, loc, 5, in5, eps);
        if (y)
            y->attr.bn.state = state;
        return y;
    }
    Node *in3[3] = {x, params[0], params[1]};
    Node *y = ir_bn_node(g, OP_BATCHNORM, loc, 3, in3, eps);
    if (!y)
        return NULL;
    y->attr.bn.state = state;
    Node *keep = ir_const(g, loc, 1.0 - m, 0), *take = ir_const(g, loc, m, 0);
    Node *stats[2] = {ir_unary(g, OP_CHANNEL_MEAN, loc, x), ir_unary(g, OP_CHANNEL_VAR, loc, x)};
    for (int i = 0; i < 2; i++) {
        Node *old = ir_binary(g, OP_MUL, loc, now[i], keep);
        g->updates.data[state + i] =
            ir_binary(g, OP_ADD, loc, old, ir_binary(g, OP_MUL, loc, stats[i], take));
    }
    g->updates.data[state + 2] = ir_binary(g, OP_ADD, loc, now[2], ir_const(g, loc, 1.0, 0));
    return y;
}

/* Checks an image layer's arguments where its net is defined. */
static bool check_image_layer(Lower *L, Ast *layer, const char *fn) {
    ConvSpec c;
    Window w;
    double eps, m;
    if (!strcmp(fn, "conv2d"))
        return conv_spec(L, layer, 0, &c);
    if (!strcmp(fn, "maxpool2d") || !strcmp(fn, "avgpool2d"))
        return pool_spec(L, layer, 0, fn, &w);
    if (!strcmp(fn, "adaptive_avgpool2d")) {
        int64_t out[2];
        Ast *where;
        return adaptive_spec(L, layer, 0, out, &where);
    }
    bool frozen;
    return bn_spec(L, layer, 0, fn, &eps, &m, &frozen);
}

static bool is_image_layer(const char *fn) {
    return !strcmp(fn, "conv2d") || !strcmp(fn, "maxpool2d") || !strcmp(fn, "avgpool2d") ||
           !strcmp(fn, "adaptive_avgpool2d") || !strcmp(fn, "batchnorm2d") ||
           !strcmp(fn, "batchnorm1d");
}

/* An image layer applied to x; skip is 1 for the function form (x is its first argument). */
static Node *image_layer(Lower *L, Ast *call, int skip, const char *fn, Node *x, const char *prefix,
                         Node **params) {
    if (!strcmp(fn, "conv2d"))
        return conv2d(L, call, skip, x, prefix, params);
    if (!strcmp(fn, "maxpool2d") || !strcmp(fn, "avgpool2d"))
        return pool2d(L, call, skip, fn, x);
    if (!strcmp(fn, "adaptive_avgpool2d"))
        return adaptive_avgpool2d(L, call, skip, x);
    return batchnorm(L, call, skip, fn, x, prefix, params);
}

/* ---- activations made of other ops ---------------------------------------------------------
 *   silu(x) = x * sigmoid(x)
 *   leaky_relu(x, slope) = relu(x) - relu(-x) * slope   (x * slope below 0, as PyTorch rounds
 *                                                        it; slope 0.01 by default)
 *   abs(x) = relu(x) + relu(-x)
 * Their gradients follow from their parts'. */
static bool is_composite(const char *fn) {
    return !strcmp(fn, "silu") || !strcmp(fn, "leaky_relu") || !strcmp(fn, "abs");
}

/* leaky_relu's slope: the argument after the tensor, if given (a number >= 0). */
static bool slope_arg(Lower *L, Ast *call, int skip, double *slope) {
    *slope = 0.01;
    int nargs = call->kind == AST_CALL ? call->call.args.len : 0;
    if (nargs > skip + 1) {
        diag_error(L->cx, call->loc, "leaky_relu takes one number, its slope below 0");
        return false;
    }
    if (nargs == skip + 1) {
        Ast *a = call->call.args.data[skip];
        if (a->kind == AST_KWARG && !strcmp(a->kwarg.name, "slope"))
            a = a->kwarg.value;
        if (!const_value(a, slope) || !(*slope >= 0.0) || !isfinite(*slope)) {
            diag_error(L->cx, a->loc, "leaky_relu's slope must be a number >= 0, got %s",
                       describe(L, a));
            return false;
        }
    }
    return true;
}

static Node *composite(Lower *L, Loc loc, const char *fn, Node *x, double slope) {
    Graph *g = L->g;
    if (!x)
        return NULL;
    if (!strcmp(fn, "silu"))
        return ir_binary(g, OP_MUL, loc, x, ir_unary(g, OP_SIGMOID, loc, x));
    Node *pos = ir_unary(g, OP_RELU, loc, x);
    Node *neg = ir_unary(g, OP_RELU, loc, ir_unary(g, OP_NEG, loc, x));
    if (!strcmp(fn, "abs"))
        return ir_binary(g, OP_ADD, loc, pos, neg);
    return ir_binary(g, OP_SUB, loc, pos,
                     ir_binary(g, OP_MUL, loc, neg, ir_const(g, loc, slope, 0)));
}

/* ---- tensor algebra -------------------------------------------------------------------------
 * Axes count a sample's dimensions, as the model declares them: for x : f32[N, C, H, W],
 * axis 0 is C and -1 is W; the batch dimension is implicit and cannot be named. A value
 * without a batch (a param) counts all its dimensions. The IR counts the whole shape, so an
 * axis a of a batch is the IR's a + 1. */

static Node *lower_expr(Lower *L, Ast *e);

static bool require_float(Lower *L, Loc loc, const char *what, const Node *x) {
    if (x->dtype == DT_F32)
        return true;
    diag_error(L->cx, loc, "%s expects a float tensor, got class labels %s", what,
               shape_str(L->cx->arena, x->shape, x->dtype));
    return false;
}

/* the dimensions of x a model can name */
static int sample_rank(const Node *x) {
    return x->shape.rank - (shape_has_n(x->shape) ? 1 : 0);
}

/* An axis of x, from -rank to rank - 1 (rank + 1 values when `extra`, for a new one), as
 * the IR counts it. */
static bool axis_arg(Lower *L, Ast *e, const char *what, const Node *x, bool extra, int *axis) {
    int r = sample_rank(x) + (extra ? 1 : 0);
    double v;
    if (!const_value(e, &v) || v != floor(v) || v < -r || v >= r || r == 0) {
        if (r == 0)
            diag_error(L->cx, e->loc, "%s: %s has no dimension to name", what,
                       shape_str(L->cx->arena, x->shape, x->dtype));
        else
            diag_error(L->cx, e->loc,
                       "%s must be a whole number from %d to %d for %s (the batch dimension "
                       "is not counted), got %s",
                       what, -r, r - 1, shape_str(L->cx->arena, x->shape, x->dtype),
                       describe(L, e));
        return false;
    }
    int a = (int)v;
    *axis = (a < 0 ? a + r : a) + (shape_has_n(x->shape) ? 1 : 0);
    return true;
}

/* flatten(x, start_dim = 0, end_dim = -1): the dimensions from start_dim to end_dim become
 * one (nn.Flatten(start_dim + 1, end_dim) on a batch). */
static Node *flatten(Lower *L, Ast *call, int skip, Node *x) {
    static const char *const names[] = {"start_dim", "end_dim"};
    Ast *arg[2];
    int from, to;
    if (!layer_args(L, call, skip, "flatten", names, 2, 0, arg) || !x)
        return NULL;
    if (!shape_has_n(x->shape)) {
        diag_error(L->cx, call->loc, "flatten expects a batch f32[N, ...], got %s",
                   shape_str(L->cx->arena, x->shape, x->dtype));
        return NULL;
    }
    if (sample_rank(x) == 0) /* one value a sample: f32[N] to f32[N, 1] */
        return ir_reshape(L->g, call->loc, x, (Shape){2, {DIM_N, 1}});
    from = 1, to = x->shape.rank - 1;
    if ((arg[0] && !axis_arg(L, arg[0], "flatten's start_dim", x, false, &from)) ||
        (arg[1] && !axis_arg(L, arg[1], "flatten's end_dim", x, false, &to)))
        return NULL;
    if (to < from) {
        diag_error(L->cx, call->loc, "flatten's end_dim comes before its start_dim");
        return NULL;
    }
    Shape s = {0};
    for (int d = 0; d < x->shape.rank; d++) {
        if (d > from && d <= to)
            s.dim[s.rank - 1] *= x->shape.dim[d];
        else
            s.dim[s.rank++] = x->shape.dim[d];
    }
    return ir_reshape(L->g, call->loc, x, s);
}

/* permute(x, [axes]) and transpose(x, a, b) */
static Node *permute(Lower *L, Ast *call, Node *x) {
    PtrVec *args = &call->call.args;
    bool transpose = !strcmp(call->call.name, "transpose");
    Layout lay = {0};
    int r = x->shape.rank, first = shape_has_n(x->shape) ? 1 : 0;
    for (int d = 0; d < r; d++)
        lay.perm[d] = d;
    if (transpose) {
        int a, b;
        if (args->len != 3) {
            diag_error(L->cx, call->loc,
                       "transpose expects a tensor and two axes, got %d arguments", args->len);
            return NULL;
        }
        if (!axis_arg(L, args->data[1], "transpose's first axis", x, false, &a) ||
            !axis_arg(L, args->data[2], "transpose's second axis", x, false, &b))
            return NULL;
        lay.perm[a] = b, lay.perm[b] = a;
    } else {
        Ast *list = args->len == 2 ? args->data[1] : NULL;
        if (!list || list->kind != AST_LIST || list->list.len != r - first) {
            diag_error(L->cx, list ? list->loc : call->loc,
                       "permute expects a tensor and a list of its %d axes, each once "
                       "(%s; the batch dimension is not counted)",
                       r - first, shape_str(L->cx->arena, x->shape, x->dtype));
            return NULL;
        }
        bool seen[MLC_MAX_RANK] = {false};
        for (int d = first; d < r; d++) {
            int a;
            if (!axis_arg(L, list->list.data[d - first], "an axis of permute", x, false, &a))
                return NULL;
            if (seen[a]) {
                diag_error(L->cx, ((Ast *)list->list.data[d - first])->loc,
                           "permute names axis %d twice", a - first);
                return NULL;
            }
            seen[a] = true;
            lay.perm[d] = a;
        }
    }
    return ir_layout_node(L->g, OP_PERMUTE, call->loc, 1, &x, &lay, (Shape){0});
}

/* reshape(x, [d, ...]): a sample's new dimensions, one of them -1 for what is left */
static Node *reshape(Lower *L, Ast *call, Node *x) {
    PtrVec *args = &call->call.args;
    Ast *list = args->len == 2 ? args->data[1] : NULL;
    int first = shape_has_n(x->shape) ? 1 : 0;
    if (!list || list->kind != AST_LIST || list->list.len == 0 ||
        list->list.len + first > MLC_MAX_RANK) {
        diag_error(L->cx, list ? list->loc : call->loc,
                   "reshape expects a tensor and a list of from 1 to %d dimensions of a sample",
                   MLC_MAX_RANK - first);
        return NULL;
    }
    Shape s = {0};
    if (first)
        s.dim[s.rank++] = DIM_N;
    int64_t known = 1, numel = shape_numel_const(x->shape);
    int rest = -1;
    for (int i = 0; i < list->list.len; i++) {
        Ast *e = list->list.data[i];
        double v;
        if (const_value(e, &v) && v == -1) {
            if (rest >= 0) {
                diag_error(L->cx, e->loc, "reshape takes one -1 at most");
                return NULL;
            }
            rest = s.rank;
            s.dim[s.rank++] = 1;
            continue;
        }
        int64_t d;
        if (!positive_int(L, e, "a dimension of reshape (or one -1)", MAX_DIM, &d))
            return NULL;
        s.dim[s.rank++] = d;
        known *= d;
    }
    if (rest >= 0 && numel % known == 0)
        s.dim[rest] = numel / known;
    if (shape_numel_const(s) != numel) {
        if (rest >= 0)
            diag_error(L->cx, list->loc,
                       "reshape cannot fit %s, %lld values a sample, into these dimensions: "
                       "%lld is not a multiple of %lld",
                       shape_str(L->cx->arena, x->shape, x->dtype), (long long)numel,
                       (long long)numel, (long long)known);
        else
            diag_error(L->cx, list->loc, "reshape cannot make %s into %s: the sizes differ",
                       shape_str(L->cx->arena, x->shape, x->dtype),
                       shape_str(L->cx->arena, s, x->dtype));
        return NULL;
    }
    return ir_reshape(L->g, call->loc, x, s);
}

/* concat([a, b, ...], axis): the tensors one after another along the axis; the others
 * must agree */
static Node *concat(Lower *L, Ast *call) {
    static const char *const names[] = {"tensors", "axis"};
    Ast *arg[2];
    if (!layer_args(L, call, 0, "concat", names, 2, 2, arg))
        return NULL;
    if (arg[0]->kind != AST_LIST || arg[0]->list.len < 1) {
        diag_error(L->cx, arg[0]->loc, "concat expects a list of tensors: concat([a, b], axis)");
        return NULL;
    }
    Node *y = NULL;
    Node *in[MLC_MAX_INPUTS];
    int nin = 0, axis = 0;
    for (int i = 0; i < arg[0]->list.len; i++) {
        Ast *e = arg[0]->list.data[i];
        Node *x = lower_expr(L, e);
        if (!x || !require_float(L, e->loc, "concat", x))
            return NULL;
        if (i == 0 && !axis_arg(L, arg[1], "concat's axis", x, false, &axis))
            return NULL;
        Node *first = i == 0 ? x : in[0];
        bool fits = x->shape.rank == first->shape.rank;
        for (int d = 0; fits && d < x->shape.rank; d++)
            fits = d == axis || x->shape.dim[d] == first->shape.dim[d];
        if (!fits) {
            diag_error(L->cx, e->loc,
                       "concat along axis %d: %s does not fit %s (every other dimension must "
                       "match)",
                       axis - (shape_has_n(first->shape) ? 1 : 0),
                       shape_str(L->cx->arena, x->shape, x->dtype),
                       shape_str(L->cx->arena, first->shape, first->dtype));
            return NULL;
        }
        if (nin == MLC_MAX_INPUTS) { /* more than one node takes: concatenate in steps */
            Layout lay = {.axis = axis};
            in[0] = ir_layout_node(L->g, OP_CONCAT, call->loc, nin, in, &lay, (Shape){0});
            nin = 1;
        }
        in[nin++] = x;
    }
    if (nin == 1)
        return in[0];
    Layout lay = {.axis = axis};
    y = ir_layout_node(L->g, OP_CONCAT, call->loc, nin, in, &lay, (Shape){0});
    return y;
}

/* sum(x, axis, keepdim = false), mean(...), max(...): along one axis */
static Node *axis_reduce(Lower *L, Ast *call, Node *x) {
    static const char *const names[] = {"axis", "keepdim"};
    const char *fn = call->call.name;
    Ast *arg[2];
    int axis;
    bool keep;
    if (!layer_args(L, call, 1, fn, names, 2, 1, arg) || !x ||
        !require_float(L, call->loc, fn, x) ||
        !axis_arg(L, arg[0], arena_printf(L->cx->arena, "%s's axis", fn), x, false, &axis) ||
        !flag_arg(L, arg[1], arena_printf(L->cx->arena, "%s's keepdim", fn), false, &keep))
        return NULL;
    Graph *g = L->g;
    if (!strcmp(fn, "max"))
        return ir_axis(g, OP_MAX_AXIS, call->loc, x, axis, keep);
    Node *sum = ir_axis(g, OP_SUM_AXIS, call->loc, x, axis, keep);
    if (!strcmp(fn, "sum"))
        return sum;
    return ir_binary(g, OP_MUL, call->loc, sum,
                     ir_const(g, call->loc, 1.0 / (double)x->shape.dim[axis], 0));
}

/* A number argument that becomes a constant input of an op (pow's exponent, clamp's bounds) */
static Node *number_input(Lower *L, Ast *e, const char *what, double def) {
    double v = def;
    if (e && (!const_value(e, &v) || isnan(v))) {
        diag_error(L->cx, e->loc, "%s must be a number, got %s", what, describe(L, e));
        return NULL;
    }
    return ir_const(L->g, e ? e->loc : (Loc){0}, v, 0);
}

/* pow(x, c) for a constant c; clamp(x, min, max) with one bound or both */
static Node *with_constants(Lower *L, Ast *call, Node *x) {
    const char *fn = call->call.name;
    Ast *arg[2];
    if (!strcmp(fn, "pow")) {
        static const char *const names[] = {"exponent"};
        if (!layer_args(L, call, 1, fn, names, 1, 1, arg) || !x ||
            !require_float(L, call->loc, fn, x))
            return NULL;
        return ir_binary(L->g, OP_POW, call->loc, x, number_input(L, arg[0], "pow's exponent", 0));
    }
    static const char *const names[] = {"min", "max"};
    if (!layer_args(L, call, 1, fn, names, 2, 0, arg) || !x || !require_float(L, call->loc, fn, x))
        return NULL;
    if (!arg[0] && !arg[1]) {
        diag_error(L->cx, call->loc, "clamp needs a min, a max or both");
        return NULL;
    }
    Node *in[3] = {x, number_input(L, arg[0], "clamp's min", -FLT_MAX),
                   number_input(L, arg[1], "clamp's max", FLT_MAX)};
    return ir_node(L->g, OP_CLAMP, call->loc, 3, in);
}

/* gelu(x, approximate = "none" | "tanh") and the layer gelu(approximate = ...) */
static Node *gelu(Lower *L, Ast *call, int skip, Node *x) {
    static const char *const names[] = {"approximate"};
    Ast *arg[1] = {NULL};
    if (call->kind == AST_CALL && !layer_args(L, call, skip, "gelu", names, 1, 0, arg))
        return NULL;
    bool tanh = false;
    if (arg[0]) {
        Ast *a = arg[0];
        if (a->kind != AST_STR || (strcmp(a->str, "none") && strcmp(a->str, "tanh"))) {
            diag_error(L->cx, a->loc, "gelu's approximate is \"none\" or \"tanh\", got %s",
                       a->kind == AST_STR ? c_string(L->cx->arena, a->str) : describe(L, a));
            return NULL;
        }
        tanh = !strcmp(a->str, "tanh");
    }
    return ir_unary(L->g, tanh ? OP_GELU_TANH : OP_GELU, call->loc, x);
}

/* One end of a range along a dimension of size `size`: negative counts from the end, and
 * an end past either side stops there (Python's rule). */
static bool range_end(Lower *L, Ast *e, int64_t size, int64_t def, int64_t *out) {
    double v;
    if (!e) {
        *out = def;
        return true;
    }
    if (!const_value(e, &v) || v != floor(v) || fabs(v) > (double)MAX_DIM) {
        diag_error(L->cx, e->loc, "a subscript must be a whole number, got %s", describe(L, e));
        return false;
    }
    int64_t i = (int64_t)v < 0 ? (int64_t)v + size : (int64_t)v;
    *out = i < 0 ? 0 : i > size ? size : i;
    return true;
}

/* x[a:b, i, :]: one subscript per dimension of a sample, from the first; the ones left out
 * take everything. A range keeps its dimension; a number picks one element and drops it. */
static Node *subscript(Lower *L, Ast *e) {
    Node *x = lower_expr(L, e->index.base);
    if (!x || !require_float(L, e->loc, "a subscript", x))
        return NULL;
    int first = shape_has_n(x->shape) ? 1 : 0, r = sample_rank(x);
    PtrVec *items = &e->index.items;
    if (items->len > r) {
        diag_error(L->cx, e->loc,
                   "%d subscripts for %s, which has %d dimension%s per sample (the batch "
                   "dimension is implicit and takes none)",
                   items->len, shape_str(L->cx->arena, x->shape, x->dtype), r, r == 1 ? "" : "s");
        return NULL;
    }
    Layout lay = {0};
    Shape cut = x->shape, kept = {0};
    if (first)
        kept.dim[kept.rank++] = DIM_N;
    for (int d = first; d < x->shape.rank; d++) {
        int64_t size = x->shape.dim[d], lo = 0, hi = size;
        Ast *item = d - first < items->len ? items->data[d - first] : NULL;
        if (item && item->kind == AST_SLICE) {
            if (!range_end(L, item->bin.lhs, size, 0, &lo) ||
                !range_end(L, item->bin.rhs, size, size, &hi))
                return NULL;
            if (hi <= lo) {
                diag_error(L->cx, item->loc,
                           "the range %lld:%lld of a dimension of size %lld is empty",
                           (long long)lo, (long long)hi, (long long)size);
                return NULL;
            }
        } else if (item) {
            double v;
            if (!const_value(item, &v) || v != floor(v) || v < (double)-size || v >= (double)size) {
                diag_error(L->cx, item->loc,
                           "a subscript of a dimension of size %lld must be a whole number from "
                           "%lld to %lld, got %s",
                           (long long)size, (long long)-size, (long long)size - 1,
                           describe(L, item));
                return NULL;
            }
            lo = v < 0 ? (int64_t)v + size : (int64_t)v;
            hi = lo + 1;
        }
        lay.start[d] = lo;
        cut.dim[d] = hi - lo;
        if (!item || item->kind == AST_SLICE)
            kept.dim[kept.rank++] = hi - lo;
    }
    Node *y =
        shape_eq(cut, x->shape) ? x : ir_layout_node(L->g, OP_SLICE, e->loc, 1, &x, &lay, cut);
    if (kept.rank == 0) /* every dimension picked: one number per sample */
        kept.dim[kept.rank++] = 1;
    return shape_eq(kept, cut) ? y : ir_reshape(L->g, e->loc, y, kept);
}

/* a + b and the other elementwise operators, with numpy's broadcasting: shapes are lined up
 * from the right, and a dimension of size 1, or one an operand lacks, is repeated. N lines
 * up only with N. An operand that is not already the trailing part of the result (or one
 * number) is repeated by a broadcast node first. */
static Node *broadcast_binary(Lower *L, OpKind op, Loc loc, Node *a, Node *b) {
    if (!a || !b || a->dtype != DT_F32 || b->dtype != DT_F32 || shape_is_scalar(a->shape) ||
        shape_is_scalar(b->shape))
        return ir_binary(L->g, op, loc, a, b); /* its rule reports class labels */
    Shape r = a->shape.rank >= b->shape.rank ? a->shape : b->shape;
    for (int i = 1; i <= r.rank; i++) {
        int64_t da = i <= a->shape.rank ? a->shape.dim[a->shape.rank - i] : 1;
        int64_t db = i <= b->shape.rank ? b->shape.dim[b->shape.rank - i] : 1;
        if (da != db && da != 1 && db != 1) {
            static const char *const sym[] = {
                [OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/"};
            diag_error(L->cx, loc,
                       "cannot combine %s and %s with '%s': lined up from the right, dimensions "
                       "%s and %s differ and neither is 1",
                       shape_str(L->cx->arena, a->shape, a->dtype),
                       shape_str(L->cx->arena, b->shape, b->dtype), sym[op],
                       da == DIM_N ? "N" : arena_printf(L->cx->arena, "%lld", (long long)da),
                       db == DIM_N ? "N" : arena_printf(L->cx->arena, "%lld", (long long)db));
            return NULL;
        }
        r.dim[r.rank - i] = da == 1 ? db : da;
    }
    Node **xs[2] = {&a, &b};
    for (int k = 0; k < 2; k++) {
        Node *x = *xs[k];
        if (!shape_has_n(x->shape) && x->shape.rank == r.rank && shape_has_n(r)) {
            /* x's leading 1 lines up with N: x without it is the result's trailing part */
            Shape s = {x->shape.rank - 1, {0}};
            memcpy(s.dim, x->shape.dim + 1, sizeof(int64_t) * (size_t)s.rank);
            x = ir_reshape(L->g, loc, x, s);
        }
        Shape want = {x->shape.rank, {0}}; /* the result's trailing dimensions, x's rank */
        for (int d = 0; d < x->shape.rank; d++)
            want.dim[d] = r.dim[r.rank - x->shape.rank + d];
        *xs[k] = ir_broadcast(L->g, loc, x, want);
    }
    return ir_binary(L->g, op, loc, a, b);
}

/* ---- losses --------------------------------------------------------------------------------
 *   cross_entropy(x, y, label_smoothing = e): labels y: class(K), or probabilities y f32[N, K]
 *       (PyTorch's CrossEntropyLoss: -mean_i sum_j t_ij log_softmax(x)_ij, t = y, or the
 *       one-hot labels, smoothed: t (1 - e) + e / K)
 *   nll(logp, y)   -mean_i logp_i[y_i]
 *   mse(a, b)      mean((a - b)^2)
 *   l1(a, b)       mean(|a - b|)
 *   bce(p, y)      -mean(y log p + (1 - y) log(1 - p)), p in (0, 1)
 * Everything but nll and the plain cross_entropy is made of other ops, so the gradients
 * follow. */
static Node *lower_expr(Lower *L, Ast *e);

static bool is_loss(const char *fn) {
    return !strcmp(fn, "cross_entropy") || !strcmp(fn, "nll") || !strcmp(fn, "mse") ||
           !strcmp(fn, "l1") || !strcmp(fn, "bce");
}

static Node *loss_call(Lower *L, Ast *e) {
    const char *fn = e->call.name;
    Graph *g = L->g;
    Loc loc = e->loc;
    bool ce = !strcmp(fn, "cross_entropy");
    static const char *const names[] = {"input", "target", "label_smoothing"};
    Ast *a[3] = {NULL, NULL, NULL};
    if (!layer_args(L, e, 0, fn, names, ce ? 3 : 2, 2, a))
        return NULL;
    double eps = 0.0;
    if (a[2] && (!const_value(a[2], &eps) || !(eps >= 0.0 && eps <= 1.0))) {
        diag_error(L->cx, a[2]->loc, "label_smoothing must be a number from 0 to 1, got %s",
                   describe(L, a[2]));
        return NULL;
    }
    Node *x = lower_expr(L, a[0]), *y = lower_expr(L, a[1]);
    if (!x || !y)
        return NULL;
    if (!strcmp(fn, "nll"))
        return ir_binary(g, OP_NLL, loc, x, y);
    if (!ce) {
        if (!shape_eq(x->shape, y->shape) || x->dtype != DT_F32 || y->dtype != DT_F32) {
            diag_error(L->cx, loc, "%s expects two tensors of one shape, got %s and %s", fn,
                       shape_str(L->cx->arena, x->shape, x->dtype),
                       shape_str(L->cx->arena, y->shape, y->dtype));
            return NULL;
        }
        if (!strcmp(fn, "bce")) {
            Node *one = ir_const(g, loc, 1.0, 0);
            Node *pos = ir_binary(g, OP_MUL, loc, y, ir_unary(g, OP_LOG, loc, x));
            Node *neg = ir_binary(g, OP_MUL, loc, ir_binary(g, OP_SUB, loc, one, y),
                                  ir_unary(g, OP_LOG, loc, ir_binary(g, OP_SUB, loc, one, x)));
            return ir_unary(g, OP_NEG, loc,
                            ir_unary(g, OP_MEAN, loc, ir_binary(g, OP_ADD, loc, pos, neg)));
        }
        Node *d = ir_binary(g, OP_SUB, loc, x, y);
        Node *per =
            !strcmp(fn, "mse") ? ir_binary(g, OP_MUL, loc, d, d) : composite(L, loc, "abs", d, 0.0);
        return ir_unary(g, OP_MEAN, loc, per);
    }
    if (y->dtype == DT_I32) { /* class labels: the fused op, smoothed towards the uniform */
        Node *plain = ir_binary(g, OP_CROSS_ENTROPY, loc, x, y);
        if (eps == 0.0 || !plain)
            return plain;
        Node *uniform = ir_unary(g, OP_NEG, loc,
                                 ir_unary(g, OP_MEAN, loc, ir_unary(g, OP_LOG_SOFTMAX, loc, x)));
        return ir_binary(g, OP_ADD, loc,
                         ir_binary(g, OP_MUL, loc, plain, ir_const(g, loc, 1 - eps, 0)),
                         ir_binary(g, OP_MUL, loc, uniform, ir_const(g, loc, eps, 0)));
    }
    if (x->shape.rank != 2 || x->shape.dim[0] != DIM_N || !shape_eq(x->shape, y->shape)) {
        diag_error(L->cx, loc,
                   "cross_entropy with probability targets expects logits f32[N, classes] and "
                   "targets of the same shape, got %s and %s",
                   shape_str(L->cx->arena, x->shape, x->dtype),
                   shape_str(L->cx->arena, y->shape, y->dtype));
        return NULL;
    }
    /* -sum(t * log_softmax(x)) / N, written as -mean(...) * K */
    double k = (double)x->shape.dim[1];
    Node *t = y;
    if (eps != 0.0)
        t = ir_binary(g, OP_ADD, loc, ir_binary(g, OP_MUL, loc, y, ir_const(g, loc, 1 - eps, 0)),
                      ir_const(g, loc, eps / k, 0));
    Node *mean = ir_unary(g, OP_MEAN, loc,
                          ir_binary(g, OP_MUL, loc, t, ir_unary(g, OP_LOG_SOFTMAX, loc, x)));
    return ir_binary(g, OP_MUL, loc, mean, ir_const(g, loc, -k, 0));
}

/* Applies layer number index of a net to x. lower_net has checked the layer's name and
 * arguments. */
static Node *apply_layer(Lower *L, Sym *net, int index, Node *x) {
    Ast *layer = net->ast->net.layers.data[index];
    const char *fn = layer->kind == AST_IDENT ? layer->str : layer->call.name;
    const char *prefix = arena_printf(L->cx->arena, "%s.%d", net->name, index);
    Node *y;
    Node **params = &net->params[LAYER_SLOTS * index];
    if (!strcmp(fn, "linear"))
        y = linear(L, layer, layer->call.args.data[0], x, prefix, params);
    else if (is_image_layer(fn))
        y = image_layer(L, layer, 0, fn, x, prefix, params);
    else if (!strcmp(fn, "flatten"))
        y = flatten(L, layer, 0, x);
    else if (!strcmp(fn, "gelu"))
        y = gelu(L, layer, 0, x);
    else if (!strcmp(fn, "dropout"))
        y = dropout(L, layer->call.args.data[0], layer->loc, x);
    else if (is_composite(fn)) {
        double slope;
        y = slope_arg(L, layer, 0, &slope) ? composite(L, layer->loc, fn, x, slope) : NULL;
    } else
        y = ir_unary(L->g, builtin_find(fn)->op, layer->loc, x);
    if (y && !y->name)
        y->name = c_name(L, prefix);
    return y;
}

static bool is_layer(const char *fn) {
    const Builtin *b = builtin_find(fn);
    return b && b->layer;
}

/* Checks a layer's name and arguments, so that each mistake is reported once, where the net
 * is defined, whether the net is called never or many times. */
static bool check_layer(Lower *L, Ast *layer) {
    const char *fn = layer->kind == AST_IDENT  ? layer->str
                     : layer->kind == AST_CALL ? layer->call.name
                                               : NULL;
    if (!fn || !is_layer(fn)) {
        diag_error(L->cx, layer->loc, "unknown layer%s%s%s; the layers are %s", fn ? " '" : "",
                   fn ? fn : "", fn ? "'" : "", builtin_list(L, true));
        return false;
    }
    int nargs = layer->kind == AST_CALL ? layer->call.args.len : 0;
    if (is_image_layer(fn))
        return check_image_layer(L, layer, fn);
    if (!strcmp(fn, "leaky_relu")) {
        double slope;
        return slope_arg(L, layer, 0, &slope);
    }
    if (!strcmp(fn, "flatten") || !strcmp(fn, "gelu")) {
        static const char *const flat[] = {"start_dim", "end_dim"}, *const approx[] = {
                                                                        "approximate"};
        Ast *arg[2];
        bool f = !strcmp(fn, "flatten");
        return layer->kind != AST_CALL ||
               layer_args(L, layer, 0, fn, f ? flat : approx, f ? 2 : 1, 0, arg);
    }
    if (!strcmp(fn, "dropout")) {
        double p;
        if (nargs != 1) {
            diag_error(L->cx, layer->loc,
                       "the layer dropout(p) takes one argument, the probability of dropping an "
                       "element, got %d",
                       nargs);
            return false;
        }
        return dropout_p(L, layer->call.args.data[0], &p);
    }
    if (!strcmp(fn, "linear")) {
        int64_t out;
        if (nargs != 1) {
            diag_error(L->cx, layer->loc,
                       "the layer linear(n) takes one argument, the number "
                       "of outputs, got %d",
                       nargs);
            return false;
        }
        return positive_int(L, layer->call.args.data[0], "the number of outputs of linear", MAX_DIM,
                            &out);
    }
    if (nargs != 0) {
        diag_error(L->cx, layer->loc, "the layer %s takes no arguments, got %d", fn, nargs);
        return false;
    }
    return true;
}

/* A net is checked where it is defined and applied (inlined, layer by layer) where it is
 * called; its parameters are made on the first call, when the input size is known. */
static void lower_net(Lower *L, Ast *st) {
    bool ok = true;
    for (int i = 0; i < st->net.layers.len; i++)
        ok &= check_layer(L, st->net.layers.data[i]);
    if (st->net.layers.len == 0) {
        diag_error(L->cx, st->loc, "net '%s' has no layers", st->net.name);
        ok = false;
    }
    /* A net with a bad layer is still defined (so that its uses do not also say "not
     * defined"), but without its layers: calling it gives NULL without another message. */
    Sym *s = define(L, SYM_NET, st->net.name, st->net.name_loc);
    if (!s || !ok)
        return;
    s->ast = st;
    s->params =
        arena_alloc(L->cx->arena, sizeof(Node *) * LAYER_SLOTS * (size_t)st->net.layers.len);
}

/* ---- expressions --------------------------------------------------------------------------- */

static Node *lower_expr(Lower *L, Ast *e);

/* what names the callee in messages: "relu", "net 'body'". */
static bool check_args(Lower *L, Ast *call, const char *what, int n) {
    for (int i = 0; i < call->call.args.len; i++) {
        Ast *arg = call->call.args.data[i];
        if (arg->kind == AST_KWARG) {
            diag_error(L->cx, arg->loc, "%s takes no named arguments", what);
            return false;
        }
    }
    if (call->call.args.len != n) {
        diag_error(L->cx, call->loc, "%s expects %d argument%s, got %d", what, n, n == 1 ? "" : "s",
                   call->call.args.len);
        return false;
    }
    return true;
}

/* fn(x, ...): x, the call's first argument, lowered; NULL (reported) when there is none. */
static Node *first_tensor(Lower *L, Ast *e, const char *fn) {
    if (e->call.args.len < 1 || ((Ast *)e->call.args.data[0])->kind == AST_KWARG) {
        diag_error(L->cx, e->loc, "%s's first argument is the tensor it applies to", fn);
        return NULL;
    }
    return lower_expr(L, e->call.args.data[0]);
}

/* A call: of a net (inline its layers), of linear(x, n) (parameters named after the value
 * assigned), or of a built-in function from the table below. */
static Node *lower_call(Lower *L, Ast *e) {
    const char *fn = e->call.name;
    Sym *s = lookup(L, fn);
    Node *args[2] = {NULL, NULL};
    if (s && s->kind == SYM_NET) {
        if (!s->ast)
            return NULL; /* a net with a bad layer, reported where it is defined */
        if (!check_args(L, e, arena_printf(L->cx->arena, "net '%s'", fn), 1))
            return NULL;
        Node *x = lower_expr(L, e->call.args.data[0]);
        for (int i = 0; x && i < s->ast->net.layers.len; i++) {
            x = apply_layer(L, s, i, x);
            /* The error points at the layer; the call shows which value it was given. */
            if (!x)
                diag_note(L->cx, e->loc, "in this call of '%s'", fn);
        }
        return x;
    }
    if (s) {
        diag_error(L->cx, e->call.name_loc, "'%s' is a value, not a function", fn);
        return NULL;
    }
    if (!strcmp(fn, "linear")) {
        /* linear(x, n): parameters named after the value being assigned */
        if (!check_args(L, e, fn, 2))
            return NULL;
        Node *x = lower_expr(L, e->call.args.data[0]);
        if (!x)
            return NULL;
        if (!L->target) {
            diag_error(L->cx, e->loc,
                       "one linear(x, n) per statement: its parameters are "
                       "named after the value assigned%s%s%s",
                       L->stmt_name ? ", '" : "", L->stmt_name ? L->stmt_name : "",
                       L->stmt_name ? "'" : "");
            return NULL;
        }
        Node **params = arena_alloc(L->cx->arena, 2 * sizeof(Node *));
        const char *prefix = L->target;
        L->target = NULL; /* one linear per assignment gets the name */
        return linear(L, e, e->call.args.data[1], x, prefix, params);
    }
    if (is_image_layer(fn)) {
        /* conv2d(x, ...), batchnorm2d(x, ...): parameters named after the value assigned */
        Node *x = first_tensor(L, e, fn);
        if (!x)
            return NULL;
        bool named = !strcmp(fn, "conv2d") || !strncmp(fn, "batchnorm", 9);
        if (named && !L->target) {
            diag_error(L->cx, e->loc,
                       "one %s(x, ...) per statement: its parameters are named after the value "
                       "assigned%s%s%s",
                       fn, L->stmt_name ? ", '" : "", L->stmt_name ? L->stmt_name : "",
                       L->stmt_name ? "'" : "");
            return NULL;
        }
        Node **params = arena_alloc(L->cx->arena, LAYER_SLOTS * sizeof(Node *));
        const char *prefix = L->target;
        if (named)
            L->target = NULL;
        return image_layer(L, e, 1, fn, x, prefix, params);
    }
    if (!strcmp(fn, "dropout")) {
        if (!check_args(L, e, fn, 2))
            return NULL;
        return dropout(L, e->call.args.data[1], e->loc, lower_expr(L, e->call.args.data[0]));
    }
    if (is_loss(fn))
        return loss_call(L, e);
    if (!strcmp(fn, "leaky_relu")) { /* leaky_relu(x) or leaky_relu(x, slope) */
        double slope;
        if (e->call.args.len < 1) {
            diag_error(L->cx, e->loc, "leaky_relu expects a tensor, and optionally its slope");
            return NULL;
        }
        if (!slope_arg(L, e, 1, &slope))
            return NULL;
        return composite(L, e->loc, fn, lower_expr(L, e->call.args.data[0]), slope);
    }
    if (!strcmp(fn, "concat"))
        return concat(L, e);
    bool many = e->call.args.len > 1; /* sum(x, axis) rather than sum(x) */
    if (!strcmp(fn, "transpose") || !strcmp(fn, "permute") || !strcmp(fn, "reshape") ||
        !strcmp(fn, "pow") || !strcmp(fn, "clamp") || !strcmp(fn, "max") ||
        !strcmp(fn, "flatten") || !strcmp(fn, "gelu") ||
        (many && (!strcmp(fn, "sum") || !strcmp(fn, "mean")))) {
        Node *x = first_tensor(L, e, fn);
        if (!x)
            return NULL;
        if (!strcmp(fn, "flatten"))
            return flatten(L, e, 1, x);
        if (!strcmp(fn, "gelu"))
            return gelu(L, e, 1, x);
        if (!require_float(L, e->loc, fn, x))
            return NULL;
        if (!strcmp(fn, "transpose") || !strcmp(fn, "permute"))
            return permute(L, e, x);
        if (!strcmp(fn, "reshape"))
            return reshape(L, e, x);
        if (!strcmp(fn, "pow") || !strcmp(fn, "clamp"))
            return with_constants(L, e, x);
        return axis_reduce(L, e, x);
    }
    const Builtin *b = builtin_find(fn);
    if (!b) {
        diag_error(L->cx, e->call.name_loc, "unknown function '%s'; the functions are %s", fn,
                   builtin_list(L, false));
        return NULL;
    }
    if (!check_args(L, e, fn, b->arity))
        return NULL;
    for (int i = 0; i < b->arity; i++)
        if (!(args[i] = lower_expr(L, e->call.args.data[i])))
            return NULL;
    if (b->op == OP_MATMUL)
        return ir_matmul(L->g, e->loc, args[0], args[1], false, false);
    if (b->arity == 2)
        return ir_binary(L->g, b->op, e->loc, args[0], args[1]);
    if (is_composite(fn))
        return composite(L, e->loc, fn, args[0], 0.0);
    return ir_unary(L->g, b->op, e->loc, args[0]);
}

/* An expression's value as an IR node, or NULL after an error (the builders pass NULL on
 * quietly, so one mistake gives one message). */
static Node *lower_expr(Lower *L, Ast *e) {
    switch (e->kind) {
    case AST_NUM: return ir_const(L->g, e->loc, e->num, 0);
    case AST_IDENT: {
        Sym *s = lookup(L, e->str);
        if (!s) {
            diag_error(L->cx, e->loc, "'%s' is not defined", e->str);
            return NULL;
        }
        if (s->kind == SYM_NET) {
            diag_error(L->cx, e->loc, "'%s' is a net; call it on a value: %s(x)", e->str, e->str);
            return NULL;
        }
        if (s->kind == SYM_LIST) {
            diag_error(L->cx, e->loc, "'%s' is a list of names, not a tensor", e->str);
            return NULL;
        }
        return s->node; /* NULL, silently, if its definition had an error */
    }
    case AST_NEG: return ir_unary(L->g, OP_NEG, e->loc, lower_expr(L, e->bin.lhs));
    case AST_BINARY: {
        Node *a = lower_expr(L, e->bin.lhs);
        Node *b = lower_expr(L, e->bin.rhs);
        switch (e->bin.op) {
        case '+': return broadcast_binary(L, OP_ADD, e->loc, a, b);
        case '-': return broadcast_binary(L, OP_SUB, e->loc, a, b);
        case '*': return broadcast_binary(L, OP_MUL, e->loc, a, b);
        case '/': return broadcast_binary(L, OP_DIV, e->loc, a, b);
        case '@': return ir_matmul(L->g, e->loc, a, b, false, false);
        default: unreachable();
        }
    }
    case AST_CALL: return lower_call(L, e);
    case AST_STR: diag_error(L->cx, e->loc, "a string is not a tensor"); return NULL;
    case AST_LIST: diag_error(L->cx, e->loc, "a list is not a tensor"); return NULL;
    case AST_INDEX: return subscript(L, e);
    case AST_SLICE: diag_error(L->cx, e->loc, "a range a:b is a subscript: x[a:b]"); return NULL;
    case AST_KWARG: diag_error(L->cx, e->loc, "a named argument is not a value"); return NULL;
    case AST_TENSOR_TYPE:
    case AST_CLASS_TYPE:
    case AST_INPUT:
    case AST_TARGET:
    case AST_PARAM:
    case AST_NET:
    case AST_ASSIGN:
    case AST_TRAIN: break;
    }
    unreachable();
}

/* classes = ["...", ...]: the only use of a list, names for the target's classes. */
static void lower_list(Lower *L, Ast *st) {
    Ast *list = st->assign.value;
    if (strcmp(st->assign.name, "classes") != 0) {
        diag_error(L->cx, list->loc,
                   "a list can only be assigned to 'classes' (the names of "
                   "the target's classes)");
        return;
    }
    PtrVec names = {0};
    for (int i = 0; i < list->list.len; i++) {
        Ast *item = list->list.data[i];
        if (item->kind != AST_STR) {
            diag_error(L->cx, item->loc, "class names are strings, got %s", describe(L, item));
            define_broken(L, st->assign.name, st->assign.name_loc);
            return;
        }
        vec_push(L->cx->arena, &names, (void *)item->str);
    }
    Sym *s = define(L, SYM_LIST, st->assign.name, st->assign.name_loc);
    if (s) {
        L->g->classes = names;
        L->classes_loc = list->loc;
    }
}

/* NAME = EXPR and output NAME = EXPR. The name 'loss' marks the value to minimise. */
static void lower_assign(Lower *L, Ast *st) {
    const char *name = st->assign.name;
    if (st->assign.value->kind == AST_LIST) {
        lower_list(L, st);
        return;
    }
    L->target = name;
    L->stmt_name = name;
    int before = L->g->nodes.len;
    Node *n = lower_expr(L, st->assign.value);
    L->target = NULL;
    L->stmt_name = NULL;
    if (!n) {
        define_broken(L, name, st->assign.name_loc);
        return;
    }
    Sym *s = define(L, SYM_VALUE, name, st->assign.name_loc);
    if (!s)
        return;
    s->node = n;
    /* The value made by this statement takes its name ('logits' rather than the name of the
     * net's last layer); a value that already existed keeps its own. */
    if (n->op != OP_CONST && (!n->name || n->id >= before))
        n->name = name;
    if (!strcmp(name, "loss")) {
        if (n->shape.rank != 0) {
            diag_error(L->cx, st->assign.value->loc,
                       "'loss' must be a scalar, got %s; reduce it "
                       "with mean(...) or sum(...)",
                       shape_str(L->cx->arena, n->shape, n->dtype));
            return;
        }
        if (n->op == OP_CONST) {
            diag_error(L->cx, st->assign.value->loc,
                       "'loss' must be computed from the model's "
                       "values, got a constant");
            return;
        }
        L->g->loss = n;
    }
    if (st->assign.output) {
        if (L->g->output) {
            diag_error(L->cx, st->assign.name_loc, "a model has one output; '%s' is the second",
                       name);
            diag_note(L->cx, L->output_loc, "the first is '%s'", L->g->output->name);
            return;
        }
        if (!shape_has_n(n->shape) || n->dtype != DT_F32) {
            diag_error(L->cx, st->assign.value->loc,
                       "an output has one value per sample "
                       "f32[N, ...], got %s",
                       shape_str(L->cx->arena, n->shape, n->dtype));
            return;
        }
        L->g->output = n;
        L->output_loc = st->assign.name_loc;
    }
}

/* ---- the train block ------------------------------------------------------------------------ */

/* A train setting that must be a constant number (1/255 is fine: it is folded here). */
static bool number_setting(Lower *L, Ast *v, const char *what, double *out) {
    if (!const_value(v, out) || !isfinite(*out)) {
        diag_error(L->cx, v->loc, "%s must be a number, got %s", what, describe(L, v));
        return false;
    }
    return true;
}

/* torch.optim's optimizers and their settings: runtime/optimizers.def, as the runtime has
 * them. */
#define SETTING(opt, name, def, def2, kind) {#opt, #name, {def, def2}, SETTING_##kind},
const OptimSetting optim_settings[] = {
#include "../runtime/optimizers.def"
};
#undef SETTING
const int noptim_settings = sizeof optim_settings / sizeof optim_settings[0];

/* The value of the chosen optimizer's setting key (0 if it has none). */
static double setting_value(const TrainSpec *t, const char *key) {
    for (int r = 0; r < noptim_settings; r++)
        if (!strcmp(optim_settings[r].optimizer, t->optimizer) &&
            !strcmp(optim_settings[r].name, key))
            return t->setting[r][0];
    return 0;
}

/* "lr, momentum, ..." for the optimizer's settings. */
static const char *setting_list(Lower *L, const char *optimizer) {
    const char *list = "";
    for (int i = 0; i < noptim_settings; i++)
        if (!strcmp(optim_settings[i].optimizer, optimizer))
            list = arena_printf(L->cx->arena, "%s%s%s", list, *list ? ", " : "",
                                optim_settings[i].name);
    return list;
}

/* optimizer = NAME(setting = value, ...), torch.optim's optimizers (optimizers.def); lr may
 * also come first unnamed. Numbers are >= 0, flags true or false, betas [b1, b2]. */
static void lower_optimizer(Lower *L, Ast *v) {
    TrainSpec *t = &L->g->train;
    const char *name = v->kind == AST_CALL ? v->call.name : NULL;
    bool known = false;
    for (int i = 0; name && i < noptim_settings; i++)
        known |= !strcmp(optim_settings[i].optimizer, name);
    if (!known) {
        diag_error(L->cx, v->loc,
                   "the optimizer is sgd(...), adam(...), adamw(...), rmsprop(...) or "
                   "adagrad(...), got %s",
                   describe(L, v));
        return;
    }
    t->optimizer = name;
    for (int i = 0; i < v->call.args.len; i++) {
        Ast *arg = v->call.args.data[i];
        const char *key = arg->kind == AST_KWARG ? arg->kwarg.name : i == 0 ? "lr" : NULL;
        Ast *val = arg->kind == AST_KWARG ? arg->kwarg.value : arg;
        if (!key) {
            diag_error(L->cx, arg->loc, "only lr may be given without a name; write setting = ...");
            continue;
        }
        int row = -1;
        for (int r = 0; r < noptim_settings; r++)
            if (!strcmp(optim_settings[r].optimizer, name) && !strcmp(optim_settings[r].name, key))
                row = r;
        if (row < 0) {
            diag_error(L->cx, arg->kind == AST_KWARG ? arg->kwarg.name_loc : arg->loc,
                       "%s takes %s, got '%s'", name, setting_list(L, name), key);
            continue;
        }
        double *slot = t->setting[row];
        switch (optim_settings[row].kind) {
        case SETTING_FLAG:
            if (val->kind == AST_IDENT && (!strcmp(val->str, "true") || !strcmp(val->str, "false")))
                slot[0] = !strcmp(val->str, "true");
            else
                diag_error(L->cx, val->loc, "%s is true or false, got %s", key, describe(L, val));
            break;
        case SETTING_PAIR:
            if (val->kind != AST_LIST || val->list.len != 2 ||
                !const_value(val->list.data[0], &slot[0]) ||
                !const_value(val->list.data[1], &slot[1]) || !(slot[0] >= 0 && slot[0] < 1) ||
                !(slot[1] >= 0 && slot[1] < 1))
                diag_error(L->cx, val->loc, "%s is two numbers from 0 to 1 (1 excluded), [b1, b2]",
                           key);
            break;
        default:
            if (number_setting(L, val, key, slot) && *slot < 0)
                diag_error(L->cx, val->loc, "%s must not be negative, got %.15g", key, *slot);
            break;
        }
    }
    /* torch.optim.SGD's own check */
    if (setting_value(t, "nesterov") != 0 &&
        (setting_value(t, "momentum") <= 0 || setting_value(t, "dampening") != 0))
        diag_error(L->cx, v->loc, "nesterov = true needs a momentum and no dampening");
}

/* schedule = step_lr(step_size = N, gamma = X) | cosine(T_max = N, eta_min = X), and
 * warmup = linear(start_factor = X, epochs = N): torch.optim.lr_scheduler's StepLR,
 * CosineAnnealingLR and LinearLR before them, stepped once per epoch. */
static void lower_schedule(Lower *L, Ast *v, bool warmup) {
    ScheduleSpec *s = &L->g->train.schedule;
    const char *name = v->kind == AST_CALL ? v->call.name : "";
    const char *want = warmup
                           ? "linear(start_factor = X, epochs = N)"
                           : "step_lr(step_size = N, gamma = X) or cosine(T_max = N, eta_min = X)";
    int kind = warmup && !strcmp(name, "linear")     ? 3
               : !warmup && !strcmp(name, "step_lr") ? 1
               : !warmup && !strcmp(name, "cosine")  ? 2
                                                     : 0;
    if (!kind) {
        diag_error(L->cx, v->loc, "the %s is %s, got %s", warmup ? "warm-up" : "schedule", want,
                   describe(L, v));
        return;
    }
    /* the defaults: torch's gamma 0.1, eta_min 0, start_factor 1/3; T_max, step_size and the
     * warm-up's epochs must be given */
    bool need_n = true;
    if (kind == 1)
        s->gamma = 0.1;
    if (kind == 3)
        s->warmup_start = 1.0 / 3.0;
    if (kind != 3)
        s->kind = kind;
    for (int i = 0; i < v->call.args.len; i++) {
        Ast *arg = v->call.args.data[i];
        const char *key = arg->kind == AST_KWARG ? arg->kwarg.name : "";
        Ast *val = arg->kind == AST_KWARG ? arg->kwarg.value : arg;
        double x = 0;
        int64_t n = 1; /* a wrong N is reported by positive_int, and only there */
        if (kind == 1 && !strcmp(key, "step_size")) {
            need_n = false;
            positive_int(L, val, "step_size", INT32_MAX, &s->step_size);
        } else if (kind == 2 && !strcmp(key, "T_max")) {
            need_n = false;
            positive_int(L, val, "T_max", INT32_MAX, &n);
            s->t_max = (double)n;
        } else if (kind == 3 && !strcmp(key, "epochs")) {
            need_n = false;
            positive_int(L, val, "epochs", INT32_MAX, &s->warmup_epochs);
        } else if ((kind == 1 && !strcmp(key, "gamma")) || (kind == 2 && !strcmp(key, "eta_min")) ||
                   (kind == 3 && !strcmp(key, "start_factor"))) {
            if (number_setting(L, val, key, &x) && x < 0)
                diag_error(L->cx, val->loc, "%s must not be negative, got %.15g", key, x);
            *(kind == 1 ? &s->gamma : kind == 2 ? &s->eta_min : &s->warmup_start) = x;
        } else {
            diag_error(L->cx, arg->loc, "the %s is %s", warmup ? "warm-up" : "schedule", want);
            return;
        }
    }
    if (need_n)
        diag_error(L->cx, v->loc, "%s needs %s", name,
                   kind == 1   ? "step_size = N"
                   : kind == 2 ? "T_max = N"
                               : "epochs = N");
}

/* The string v, or NULL after an error saying that `what` is a string. */
static const char *string_arg(Lower *L, Ast *v, const char *what) {
    if (v->kind == AST_STR)
        return v->str;
    diag_error(L->cx, v->loc, "%s is a string, got %s", what, describe(L, v));
    return NULL;
}

/* data = idx("DIR") | npy("X.npy", "Y.npy", test = ["X.npy", "Y.npy"])
 *      | npz("FILE.npz", test = "FILE.npz") | csv("FILE.csv", target = "COLUMN", test = "F")
 *      | images("ANNOTATIONS.csv", "DIR", test = ["ANNOTATIONS.csv", "DIR"])
 * The positional arguments are the training set's files; test names the test set's (idx
 * has both in its directory). Each wrong form is reported at the argument at fault. */
static void lower_data(Lower *L, Ast *v) {
    TrainSpec *t = &L->g->train;
    static const char *const forms =
        "idx(\"DIR\"), npy(\"X.npy\", \"Y.npy\"), npz(\"FILE.npz\"), "
        "csv(\"FILE.csv\", target = \"COLUMN\") or images(\"ANNOTATIONS.csv\", \"DIR\")";
    const char *name = v->kind == AST_CALL ? v->call.name : "";
    DataKind kind = !strcmp(name, "idx")      ? DATA_IDX
                    : !strcmp(name, "npy")    ? DATA_NPY
                    : !strcmp(name, "npz")    ? DATA_NPZ
                    : !strcmp(name, "csv")    ? DATA_CSV
                    : !strcmp(name, "images") ? DATA_IMAGES
                                              : DATA_NONE;
    if (kind == DATA_NONE) {
        diag_error(L->cx, v->loc, "the data set is %s, got %s", forms, describe(L, v));
        return;
    }
    bool two = kind == DATA_NPY || kind == DATA_IMAGES; /* two files per split */
    int want = two ? 2 : 1;                             /* positional arguments */
    const char *what = kind == DATA_IDX      ? "the directory of IDX files"
                       : kind == DATA_NPY    ? "the inputs' and the targets' .npy files"
                       : kind == DATA_NPZ    ? "the .npz file"
                       : kind == DATA_IMAGES ? "the annotations' .csv file and the images' folder"
                                             : "the .csv file";
    const char *path[2] = {NULL, NULL}, *test[2] = {NULL, NULL}, *target = NULL;
    int npos = 0;
    bool ok = true;
    for (int i = 0; i < v->call.args.len; i++) {
        Ast *arg = v->call.args.data[i];
        if (arg->kind != AST_KWARG) {
            if (npos < want)
                ok &= (path[npos] = string_arg(L, arg,
                                               kind == DATA_IDX || (kind == DATA_IMAGES && npos)
                                                   ? "the directory"
                                                   : "a file name")) != NULL;
            npos++;
            continue;
        }
        const char *key = arg->kwarg.name;
        Ast *val = arg->kwarg.value;
        if (!strcmp(key, "test") && two) {
            if (val->kind != AST_LIST || val->list.len != 2) {
                diag_error(L->cx, val->loc, "test is the test set's %s; got %s",
                           kind == DATA_NPY ? "inputs and targets, [\"X.npy\", \"Y.npy\"]"
                                            : "annotations and folder, [\"ANNOTATIONS.csv\", "
                                              "\"DIR\"]",
                           describe(L, val));
                ok = false;
                continue;
            }
            for (int k = 0; k < 2; k++)
                ok &= (test[k] = string_arg(L, val->list.data[k], "a test file")) != NULL;
        } else if (!strcmp(key, "test") && kind != DATA_IDX) {
            ok &= (test[0] = string_arg(L, val, "test")) != NULL;
        } else if (!strcmp(key, "target") && kind == DATA_CSV) {
            ok &= (target = string_arg(L, val, "target")) != NULL;
        } else {
            diag_error(L->cx, arg->loc, "%s() takes no setting '%s'; the form is %s", name, key,
                       kind == DATA_IDX   ? "idx(\"DIR\")"
                       : kind == DATA_NPY ? "npy(\"X.npy\", \"Y.npy\", test = [\"X.npy\", "
                                            "\"Y.npy\"])"
                       : kind == DATA_NPZ ? "npz(\"FILE.npz\", test = \"FILE.npz\")"
                       : kind == DATA_IMAGES
                           ? "images(\"ANNOTATIONS.csv\", \"DIR\", test = [\"ANNOTATIONS.csv\", "
                             "\"DIR\"])"
                           : "csv(\"FILE.csv\", target = \"COLUMN\", test = \"FILE.csv\")");
            ok = false;
        }
    }
    if (npos != want) {
        diag_error(L->cx, v->loc, "%s() takes %s, got %d argument%s", name, what, npos,
                   npos == 1 ? "" : "s");
        ok = false;
    }
    if (kind == DATA_CSV && !target && ok) {
        diag_error(L->cx, v->loc, "csv() needs the target's column: target = \"COLUMN\"");
        ok = false;
    }
    if (!ok)
        return;
    t->has_data = true;
    t->data_kind = kind;
    t->data_loc = v->loc;
    t->data_path = path[0];
    t->data_path2 = path[1];
    t->test_path = test[0];
    t->test_path2 = test[1];
    t->target_column = target;
}

/* mean or std of normalize(...): a number, or a list of numbers (one per channel). Returns
 * the count (at most 64), or 0 after an error. */
static int number_list(Lower *L, Ast *v, const char *what, double **out) {
    int n = v->kind == AST_LIST ? v->list.len : 1;
    if (n < 1 || n > 64) {
        diag_error(L->cx, v->loc, "%s is a number or a list of 1 to 64 numbers, got %d", what, n);
        return 0;
    }
    double *vals = arena_alloc(L->cx->arena, sizeof(double) * (size_t)n);
    for (int i = 0; i < n; i++)
        if (!number_setting(L, v->kind == AST_LIST ? v->list.data[i] : v, what, &vals[i]))
            return 0;
    *out = vals;
    return n;
}

/* transform = [normalize(mean, std), random_crop(padding), random_hflip]: the inputs'
 * transforms, in the order they run (torchvision's Normalize, RandomCrop(size, padding) and
 * RandomHorizontalFlip; the crop's size is the input's). Whether they fit the input (its
 * channels, an image shape) is checked with the model (check_transforms). */
static void lower_transforms(Lower *L, Ast *v) {
    TrainSpec *t = &L->g->train;
    static const char *const forms = "normalize(mean, std), random_crop(padding) or random_hflip";
    int n = v->kind == AST_LIST ? v->list.len : 1;
    t->transforms = arena_alloc(L->cx->arena, sizeof(TransformSpec) * (size_t)(n + 1));
    t->ntransforms = 0;
    for (int i = 0; i < n; i++) {
        Ast *e = v->kind == AST_LIST ? v->list.data[i] : v;
        const char *name = e->kind == AST_CALL ? e->call.name : e->kind == AST_IDENT ? e->str : "";
        int nargs = e->kind == AST_CALL ? e->call.args.len : 0;
        TransformSpec *ts = &t->transforms[t->ntransforms];
        memset(ts, 0, sizeof *ts);
        ts->loc = e->loc;
        if (!strcmp(name, "random_hflip")) {
            ts->kind = TRANSFORM_RANDOM_HFLIP;
            if (nargs) {
                diag_error(L->cx, e->loc, "random_hflip takes no arguments");
                continue;
            }
        } else if (!strcmp(name, "random_crop")) {
            ts->kind = TRANSFORM_RANDOM_CROP;
            Ast *arg = nargs == 1 ? e->call.args.data[0] : NULL;
            if (arg && arg->kind == AST_KWARG && strcmp(arg->kwarg.name, "padding") != 0)
                arg = NULL;
            if (!arg) {
                diag_error(L->cx, e->loc,
                           "random_crop takes the padding, random_crop(4) or "
                           "random_crop(padding = 4)");
                continue;
            }
            if (!positive_int(L, arg->kind == AST_KWARG ? arg->kwarg.value : arg, "the padding",
                              1 << 16, &ts->padding))
                continue;
        } else if (!strcmp(name, "normalize") && e->kind == AST_CALL) {
            ts->kind = TRANSFORM_NORMALIZE;
            Ast *mean = NULL, *std = NULL;
            bool ok = true;
            for (int k = 0; k < nargs; k++) {
                Ast *arg = e->call.args.data[k];
                const char *key = arg->kind == AST_KWARG ? arg->kwarg.name
                                  : k == 0               ? "mean"
                                  : k == 1               ? "std"
                                                         : "";
                Ast *val = arg->kind == AST_KWARG ? arg->kwarg.value : arg;
                if (!strcmp(key, "mean") && !mean)
                    mean = val;
                else if (!strcmp(key, "std") && !std)
                    std = val;
                else {
                    diag_error(L->cx, arg->loc,
                               "normalize takes mean and std, normalize(mean, std)");
                    ok = false;
                }
            }
            if (ok && (!mean || !std)) {
                diag_error(L->cx, e->loc, "normalize needs mean and std, normalize(mean, std)");
                ok = false;
            }
            if (!ok)
                continue;
            int nm = number_list(L, mean, "mean", &ts->mean);
            int ns = number_list(L, std, "std", &ts->std);
            if (!nm || !ns)
                continue;
            if (nm != ns) {
                diag_error(L->cx, std->loc, "std has %d value%s, mean has %d: one per channel", ns,
                           ns == 1 ? "" : "s", nm);
                continue;
            }
            ts->nchannels = nm;
            bool positive = true;
            for (int k = 0; k < ns; k++)
                positive &= ts->std[k] > 0;
            if (!positive) {
                diag_error(L->cx, std->loc, "std must be above 0 (it divides)");
                continue;
            }
        } else {
            diag_error(L->cx, e->loc, "a transform is %s, got %s", forms, describe(L, e));
            continue;
        }
        t->ntransforms++;
    }
}

static void lower_train(Lower *L, Ast *st) {
    TrainSpec *t = &L->g->train;
    Loc split_loc = {0};
    for (int i = 0; i < st->list.len; i++) {
        Ast *kv = st->list.data[i];
        const char *key = kv->kwarg.name;
        Ast *v = kv->kwarg.value;
        double num;
        if (!strcmp(key, "data")) {
            lower_data(L, v);
        } else if (!strcmp(key, "scale")) {
            if (number_setting(L, v, "scale", &num))
                t->scale = num;
        } else if (!strcmp(key, "batch")) {
            positive_int(L, v, "batch", 1 << 20, &t->batch);
        } else if (!strcmp(key, "epochs")) {
            /* as the program's --epochs: 0 trains nothing (--save writes the initial weights) */
            whole_number(L, v, "epochs", 0, INT32_MAX, &t->epochs);
        } else if (!strcmp(key, "optimizer")) {
            lower_optimizer(L, v);
        } else if (!strcmp(key, "schedule") || !strcmp(key, "warmup")) {
            lower_schedule(L, v, !strcmp(key, "warmup"));
        } else if (!strcmp(key, "val_split")) {
            if (!number_setting(L, v, "val_split", &num))
                continue;
            if (!(num >= 0 && num < 1))
                diag_error(L->cx, v->loc, "val_split is a fraction from 0 to below 1, got %.15g",
                           num);
            else
                t->val_split = num;
            split_loc = v->loc;
        } else if (!strcmp(key, "shuffle")) {
            if (v->kind == AST_IDENT && (!strcmp(v->str, "true") || !strcmp(v->str, "false")))
                t->shuffle = !strcmp(v->str, "true");
            else
                diag_error(L->cx, v->loc, "shuffle is true or false, got %s", describe(L, v));
        } else if (!strcmp(key, "drop_last")) {
            if (v->kind == AST_IDENT && (!strcmp(v->str, "true") || !strcmp(v->str, "false")))
                t->drop_last = !strcmp(v->str, "true");
            else
                diag_error(L->cx, v->loc, "drop_last is true or false, got %s", describe(L, v));
        } else if (!strcmp(key, "transform")) {
            lower_transforms(L, v);
        } else if (!strcmp(key, "target_transform")) {
            if (v->kind == AST_IDENT && !strcmp(v->str, "one_hot")) {
                t->one_hot = true;
                t->one_hot_loc = v->loc;
            } else {
                diag_error(L->cx, v->loc, "the target transform is one_hot, got %s",
                           describe(L, v));
            }
        } else if (!strcmp(key, "lr") || !strcmp(key, "momentum") || !strcmp(key, "weight_decay")) {
            diag_error(L->cx, kv->kwarg.name_loc,
                       "%s is a setting of the optimizer: "
                       "optimizer = sgd(%s = ...)",
                       key, key);
        } else {
            diag_error(L->cx, kv->kwarg.name_loc,
                       "unknown train setting '%s'; the settings "
                       "are data, val_split, scale, transform, target_transform, batch, epochs, "
                       "optimizer, schedule, warmup, shuffle and drop_last",
                       key);
        }
    }
    /* after the loop: data = ... may come after val_split */
    if (t->val_split > 0 && (t->data_kind == DATA_IDX || t->test_path))
        diag_error(L->cx, split_loc, "val_split splits a test set off, but %s",
                   t->data_kind == DATA_IDX ? "an idx directory has its own"
                                            : "the data set names one (test = ...)");
}

/* ---- the model ------------------------------------------------------------------------------ */

/* A classifier without an 'output' is still scored: the logits of the cross_entropy in its
 * loss are the output (the accuracy takes their argmax, which is the softmax's), also when
 * the loss adds other terms (cross_entropy(logits, label) + 0.01 * mean(logits * logits)).
 * With cross_entropy terms of different logits there is no telling which to score: a model
 * that trains on a data set is warned that it will print no accuracy. */
static void find_logits(Lower *L) {
    Graph *g = L->g;
    bool *feeds = arena_alloc(L->cx->arena, sizeof(bool) * (size_t)(g->nodes.len + 1));
    feeds[g->loss->id] = true;
    PtrVec logits = {0}; /* distinct */
    for (int i = g->nodes.len - 1; i >= 0; i--) {
        Node *n = g->nodes.data[i];
        if (!feeds[i])
            continue;
        for (int k = 0; k < n->nin; k++)
            feeds[n->in[k]->id] = true;
        bool seen = false;
        for (int j = 0; j < logits.len; j++)
            seen |= logits.data[j] == n->in[0];
        if (n->op == OP_CROSS_ENTROPY && !seen)
            vec_push(L->cx->arena, &logits, n->in[0]);
    }
    int kinds = logits.len;
    if (kinds == 1)
        g->output = logits.data[0];
    else if (kinds > 1 && g->train.has_data)
        diag_warning(L->cx, g->loss->loc,
                     "the loss has cross_entropy terms of %d different logits, so the trainer "
                     "prints no accuracy; declare which to score with 'output NAME = ...'",
                     kinds);
}

/* The transforms and the data set against the input and the target: normalize has one value
 * or one per channel (the first dimension of an image [C, H, W], else 1); the random ones and
 * an images() data set need an image, [C, H, W] or [H, W] (images: 1 or 3 channels); one_hot
 * needs an f32[K] target. */
static void check_transforms(Lower *L) {
    Graph *g = L->g;
    TrainSpec *t = &g->train;
    Shape xs = g->input->shape; /* dim[0] is N */
    int rank = xs.rank - 1;
    bool image = rank == 2 || rank == 3;
    int64_t channels = rank == 3 ? xs.dim[1] : 1;
    const char *x = sample_str(L, xs, g->input->dtype);
    for (int i = 0; i < t->ntransforms; i++) {
        TransformSpec *ts = &t->transforms[i];
        if (ts->kind == TRANSFORM_NORMALIZE && ts->nchannels != 1 && ts->nchannels != channels)
            diag_error(L->cx, ts->loc,
                       "normalize has %d values per channel, the input '%s' (%s) has %lld "
                       "channel%s",
                       ts->nchannels, g->input->name, x, (long long)channels,
                       channels == 1 ? "" : "s");
        if (ts->kind != TRANSFORM_NORMALIZE && !image)
            diag_error(L->cx, ts->loc,
                       "%s works on images [C, H, W] or [H, W], the input '%s' is %s",
                       ts->kind == TRANSFORM_RANDOM_CROP ? "random_crop" : "random_hflip",
                       g->input->name, x);
    }
    if (t->data_kind == DATA_IMAGES && (!image || (channels != 1 && channels != 3)))
        diag_error(L->cx, t->data_loc,
                   "images() reads images into an input of [C, H, W] with 1 or 3 channels, or "
                   "[H, W]; '%s' is %s",
                   g->input->name, x);
    if (t->one_hot &&
        (g->target->dtype == DT_I32 || g->target->shape.rank != 2 || g->target->shape.dim[1] < 2)) {
        diag_error(L->cx, t->one_hot_loc,
                   "one_hot makes an f32[K] target from class labels; declare '%s' as f32[K], not "
                   "%s",
                   g->target->name,
                   g->target->dtype == DT_I32 ? arena_printf(L->cx->arena, "class(%lld)",
                                                             (long long)g->target->attr.leaf.nclass)
                                              : sample_str(L, g->target->shape, g->target->dtype));
        diag_note(L->cx, g->target->loc, "'%s' declared here", g->target->name);
    }
}

/* What a program needs from a model, checked once everything is lowered. */
static void check_program(Lower *L, AstModel *m) {
    Graph *g = L->g;
    Ctx *cx = L->cx;
    if (!g->output && g->loss)
        find_logits(L);
    if (!g->loss)
        diag_error(cx, m->name_loc,
                   "model '%s' has no 'loss'; assign the value to minimise "
                   "to the name loss",
                   m->name);
    if (!g->input)
        diag_error(cx, m->name_loc,
                   "model '%s' has no input; declare one, e.g. input x : "
                   "f32[784]",
                   m->name);
    if (!g->target)
        diag_error(cx, m->name_loc,
                   "model '%s' has no target; declare one, e.g. target y : "
                   "class(10)",
                   m->name);
    if (!g->input || !g->target)
        return;
    Node *leaves[2] = {g->input, g->target};
    if (g->train.has_data) {
        check_transforms(L);
        if (g->target->dtype != DT_I32 && g->train.data_kind == DATA_IDX && !g->train.one_hot)
            diag_error(cx, g->target->loc,
                       "an idx data set has class labels: declare the "
                       "target as class(K), not %s",
                       sample_str(L, g->target->shape, g->target->dtype));
        if (g->target->dtype != DT_I32 && g->train.data_kind == DATA_CSV && !g->train.one_hot &&
            shape_numel_const(g->target->shape) != 1)
            diag_error(cx, g->target->loc,
                       "a csv data set has one target column: declare the target as class(K) "
                       "or f32[1], not %s",
                       sample_str(L, g->target->shape, g->target->dtype));
        for (int i = 0; i < 2; i++)
            if (leaves[i]->attr.leaf.init != INIT_NONE)
                diag_error(cx, leaves[i]->loc,
                           "'%s' comes from the data set, so it takes no "
                           "initial value",
                           leaves[i]->name);
    } else {
        if (g->train.ntransforms || g->train.one_hot)
            diag_error(cx, g->train.ntransforms ? g->train.transforms[0].loc : g->train.one_hot_loc,
                       "transforms apply to a data set, and the train block has none");
        for (int i = 0; i < 2; i++)
            if (leaves[i]->attr.leaf.init == INIT_NONE)
                diag_error(cx, leaves[i]->loc,
                           "without a data set in a train block, '%s' "
                           "needs an initial value (= zeros, ones or randn)",
                           leaves[i]->name);
    }
    if (g->classes.len && g->target->dtype == DT_I32 &&
        g->classes.len != g->target->attr.leaf.nclass) {
        diag_error(cx, L->classes_loc, "'classes' names %d classes, the target has %lld",
                   g->classes.len, (long long)g->target->attr.leaf.nclass);
        diag_note(cx, g->target->loc, "'%s' declared here as class(%lld)", g->target->name,
                  (long long)g->target->attr.leaf.nclass);
    }
}

/* Lowers every statement, in order, going on after errors so that all are reported. */
Graph *lower_model(Ctx *cx, AstModel *m) {
    Lower L = {.cx = cx, .g = ir_new_graph(cx, m->name)};
    L.g->name_loc = m->name_loc;
    for (int i = 0; i < m->stmts.len; i++) {
        Ast *st = m->stmts.data[i];
        switch (st->kind) {
        case AST_INPUT:
        case AST_TARGET:
        case AST_PARAM: lower_decl(&L, st); break;
        case AST_NET: lower_net(&L, st); break;
        case AST_ASSIGN: lower_assign(&L, st); break;
        case AST_TRAIN: lower_train(&L, st); break;
        case AST_NUM:
        case AST_STR:
        case AST_IDENT:
        case AST_CALL:
        case AST_KWARG:
        case AST_BINARY:
        case AST_NEG:
        case AST_LIST:
        case AST_INDEX:
        case AST_SLICE:
        case AST_TENSOR_TYPE:
        case AST_CLASS_TYPE: unreachable();
        }
    }
    if (cx->nerrors == 0)
        check_program(&L, m);
    return L.g;
}
