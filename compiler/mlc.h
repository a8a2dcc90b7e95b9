/* mlc.h: the one internal header of the compiler.
 *
 * Every type and prototype of the compiler lives here, one section per .c file, so a reader
 * can see the whole architecture in one place. Whatever a file does not declare here is
 * static to that file.
 */
#ifndef MLC_H
#define MLC_H

#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE   700 /* realpath */

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h" /* written by CMake: version, and where the runtime is */
/* The runtime's safetensors reader (weights.c) and MLC_MAX_RANK, which the two share. */
#include "mlc_runtime.h"

/* Compiler bugs (never bad input) stop with a message naming the place. Always on. */
#define MLC_ASSERT(c)                                   \
    do {                                                \
        if (!(c))                                       \
            mlc_internal_error(__FILE__, __LINE__, #c); \
    } while (0)
#define unreachable() mlc_internal_error(__FILE__, __LINE__, "unreachable")

_Noreturn void mlc_internal_error(const char *file, int line, const char *what);

/* ------------------------------------------------------------------------------------------
 * arena.c: one arena per compilation, string interning, growable vectors
 * ------------------------------------------------------------------------------------------ */

typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
    ArenaBlock *head; /* newest block first */
} Arena;

Arena *arena_new(void);
void *arena_alloc(Arena *a, size_t size); /* zeroed, aligned for any type */
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_free(Arena *a);
#define NEW(arena, T) ((T *)arena_alloc((arena), sizeof(T)))

/* Interned strings compare equal by pointer. */
typedef struct Interner Interner;
Interner *intern_new(Arena *a);
const char *intern(Interner *in, const char *s, size_t len);

/* A vector of pointers, allocated from the arena (old storage is simply left behind). */
typedef struct PtrVec {
    void **data;
    int len;
    int cap;
} PtrVec;
void vec_push(Arena *a, PtrVec *v, void *p);

/* ------------------------------------------------------------------------------------------
 * diag.c: errors and notes, with the source line and a caret
 * ------------------------------------------------------------------------------------------ */

/* A place in the source: a byte range. Line and column are computed when printing. */
typedef struct Loc {
    uint32_t offset;
    uint32_t len;
} Loc;

enum {
    MLC_MAX_ERRORS = 20
};

/* What the user asked for on the command line (main.c fills it). */
typedef enum EmitKind {
    EMIT_NONE, /* build a program */
    EMIT_AST,  /* print the syntax tree */
    EMIT_IR,   /* print the forward graph with shapes */
    EMIT_GRAD, /* print the derived gradients as math */
    EMIT_C,    /* print the generated source of the target (--emit c) */
    EMIT_DOT,  /* print the whole graph for graphviz */
} EmitKind;

typedef struct Ctx {
    Arena *arena;
    Interner *names;
    const char *path; /* source file name as given by the user */
    const char *src;  /* its bytes, NUL-terminated (the file may contain NULs too) */
    size_t srclen;
    FILE *err; /* where diagnostics go (stderr, or a test's buffer) */
    int nerrors;
    uint32_t *line_starts; /* diag.c: offset where each line starts, built on first use */
    uint32_t nlines;       /* entries in line_starts */
} Ctx;

Ctx *ctx_new(const char *path, const char *src, size_t srclen, FILE *err);
void ctx_free(Ctx *cx);

/* "path:line:col: error: msg", the source line, and a caret under loc. Counts errors; after
 * MLC_MAX_ERRORS it prints one "too many errors" line and stays silent from then on (the
 * caller still sees cx->nerrors and stops before the next pass). */
void diag_error(Ctx *cx, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Something that compiles but may not do what the user meant; not counted as an error. */
void diag_warning(Ctx *cx, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(Ctx *cx, Loc loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* 1-based line and column (bytes) of a byte offset. */
void diag_line_col(Ctx *cx, uint32_t offset, int *line, int *col);

/* ------------------------------------------------------------------------------------------
 * ast.c: the syntax tree the grammar builds, and --emit ast
 * ------------------------------------------------------------------------------------------ */

typedef enum AstKind {
    /* expressions */
    AST_NUM,    /* num: a number literal */
    AST_STR,    /* str: a string literal, escapes resolved */
    AST_IDENT,  /* name: an identifier (interned) */
    AST_CALL,   /* call: name(args); an arg may be AST_KWARG */
    AST_KWARG,  /* kwarg: name = value, only inside a call's args or a train block */
    AST_BINARY, /* bin: lhs op rhs, op one of + - * / @ */
    AST_NEG,    /* bin.lhs: -lhs */
    AST_LIST,   /* list: [a, b, ...] */
    AST_INDEX,  /* index: base[item, ...], an item an expression or AST_SLICE */
    AST_SLICE,  /* bin.lhs:bin.rhs, either NULL when left out (x[2:], x[:]) */
    /* types */
    AST_TENSOR_TYPE, /* type: f32[d0, d1, ...] (dims are AST_NUM) */
    AST_CLASS_TYPE,  /* type: class(K), a class index in 0..K-1 */
    /* statements */
    AST_INPUT,  /* decl: input name : type [= init] */
    AST_TARGET, /* decl: target name : type [= init] */
    AST_PARAM,  /* decl: param name : type [= init] */
    AST_NET,    /* net: net name = sequential { layer ... } */
    AST_ASSIGN, /* assign: [output] name = value */
    AST_TRAIN,  /* list: train { name = value ... }, items are AST_KWARG */
} AstKind;

typedef struct Ast Ast;
/* Expressions nest at most this deep (ast.c reports deeper ones), so passes may recurse. */
enum {
    MLC_MAX_DEPTH = 1000
};

struct Ast {
    AstKind kind;
    Loc loc;   /* the whole construct */
    int depth; /* expressions: 1 + the depth of the deepest operand (at most MLC_MAX_DEPTH) */
    union {
        double num;      /* AST_NUM */
        const char *str; /* AST_STR, AST_IDENT */
        PtrVec list;     /* AST_LIST, AST_TRAIN: Ast* items */
        struct {
            const char *name; /* interned */
            Loc name_loc;
            PtrVec args; /* Ast*; keyword args (AST_KWARG) may follow positional ones */
        } call;          /* AST_CALL */
        struct {
            const char *name; /* interned */
            Loc name_loc;
            Ast *value;
        } kwarg; /* AST_KWARG */
        struct {
            Ast *base;
            PtrVec items; /* Ast* */
        } index;          /* AST_INDEX */
        struct {
            int op; /* '+', '-', '*', '/', '@' (AST_NEG: unused) */
            Ast *lhs;
            Ast *rhs; /* NULL for AST_NEG */
        } bin;        /* AST_BINARY, AST_NEG, AST_SLICE */
        struct {
            const char *dtype; /* interned: "f32" (AST_TENSOR_TYPE) */
            PtrVec dims;       /* Ast* AST_NUM (AST_TENSOR_TYPE) */
            Ast *nclass;       /* AST_NUM (AST_CLASS_TYPE) */
        } type;                /* AST_TENSOR_TYPE, AST_CLASS_TYPE */
        struct {
            const char *name; /* interned */
            Loc name_loc;
            Ast *type;
            Ast *init; /* NULL, or an expression such as randn, zeros, ones */
        } decl;        /* AST_INPUT, AST_TARGET, AST_PARAM */
        struct {
            const char *name; /* interned */
            Loc name_loc;
            PtrVec layers; /* Ast*: AST_IDENT (relu) or AST_CALL (linear(512)) */
        } net;             /* AST_NET */
        struct {
            const char *name; /* interned */
            Loc name_loc;
            Ast *value;
            bool output; /* declared with 'output' */
        } assign;        /* AST_ASSIGN */
    };
};

/* A whole .model file. */
typedef struct AstModel {
    const char *name; /* after 'model' */
    Loc name_loc;
    PtrVec stmts; /* Ast* statements in source order */
} AstModel;

Ast *ast_new(Ctx *cx, AstKind kind, Loc loc);
/* Constructors for the grammar. The few checks the grammar cannot express (a type's name, a
 * positional argument after a keyword one, nesting depth) are reported here. */
Ast *ast_num(Ctx *cx, double num, Loc loc);
Ast *ast_str(Ctx *cx, const char *str, Loc loc);
Ast *ast_ident(Ctx *cx, const char *name, Loc loc);
Ast *ast_call(Ctx *cx, const char *name, Loc name_loc, PtrVec args, Loc loc);
Ast *ast_kwarg(Ctx *cx, const char *name, Loc name_loc, Ast *value, Loc loc);
Ast *ast_binary(Ctx *cx, int op, Ast *lhs, Ast *rhs, Loc loc);
Ast *ast_neg(Ctx *cx, Ast *operand, Loc loc);
Ast *ast_list(Ctx *cx, PtrVec items, Loc loc);
Ast *ast_index(Ctx *cx, Ast *base, PtrVec items, Loc loc);
Ast *ast_slice(Ctx *cx, Ast *lo, Ast *hi, Loc loc);
Ast *ast_tensor_type(Ctx *cx, const char *dtype, Loc dtype_loc, PtrVec dims, Loc loc);
Ast *ast_class_type(Ctx *cx, const char *word, Loc word_loc, Ast *nclass, Loc loc);
Ast *ast_decl(Ctx *cx, AstKind kind, const char *name, Loc name_loc, Ast *type, Ast *init, Loc loc);
Ast *ast_net(Ctx *cx, const char *name, Loc name_loc, PtrVec layers, Loc loc);
Ast *ast_assign(Ctx *cx, const char *name, Loc name_loc, Ast *value, bool output, Loc loc);
Ast *ast_train(Ctx *cx, PtrVec settings, Loc loc);
AstModel *ast_model(Ctx *cx, const char *name, Loc name_loc);
/* Print the tree in the stable, indented form that tests/parse/ *.ast hold. */
void ast_print(FILE *out, Ctx *cx, const AstModel *m);

/* ------------------------------------------------------------------------------------------
 * parse.c (grammar/lexer.l + grammar/parser.y): text -> AST
 * ------------------------------------------------------------------------------------------ */

/* Parses cx->src. Reports every syntax error it finds (recovering per statement) and returns
 * NULL if there was any. Never crashes, whatever the bytes. */
AstModel *parse_model(Ctx *cx);

/* ------------------------------------------------------------------------------------------
 * ir.c: the graph IR, its builders, --emit ir | dot, ir_verify()
 * ------------------------------------------------------------------------------------------ */

enum {
    MLC_MAX_INPUTS = 5, /* batchnorm in evaluation: x, weight, bias, running mean and var */
    DIM_N = -1,         /* the batch dimension: symbolic, known only when the program runs */
};

typedef enum DType {
    DT_F32, /* float */
    DT_I32, /* int32_t class index */
} DType;

/* A shape; dim[i] is a positive constant or DIM_N. DIM_N only ever appears as dim[0]. */
typedef struct Shape {
    int rank;
    int64_t dim[MLC_MAX_RANK];
} Shape;

#define OP(ID, name, arity, cls, form, sym) OP_##ID,
typedef enum OpKind {
#include "ops.def"
    OP_COUNT
} OpKind;
#undef OP

typedef enum OpClass {
    OPC_LEAF,     /* no inputs: input, target, param, constant */
    OPC_ELEMWISE, /* y[i] = f(x0[i], x1[i], ...), operands may broadcast; fused into loops */
    OPC_GEMM,     /* matrix product, through BLAS */
    OPC_VIEW,     /* a new shape for the same memory */
    OPC_REDUCE,   /* sums */
    OPC_ROWWISE,  /* one row of the last dimension at a time (softmax) */
    OPC_LOSS,     /* a loss and its fused gradient */
    OPC_IMAGE,    /* over [N, C, H, W] or [N, C, ...]: convolution, pooling, batch norm, and
                     per-channel statistics; one kernel each */
    OPC_LAYOUT,   /* moves elements without arithmetic: permute, slice, pad, concat and
                     broadcast; each a copy of boxes of elements between strided views */
    OPC_AXIS,     /* along one dimension: sum_axis, max_axis and max_axis's gradient */
} OpClass;

/* How an elementwise op is written in a kernel language (ops.def's element form). */
typedef enum ElemForm {
    EF_NONE,   /* not elementwise */
    EF_INFIX,  /* a sym b */
    EF_PREFIX, /* sym a */
    EF_CALL,   /* the op's function of its operands, as the backend spells it */
    EF_SAME,   /* the operand itself (expand) */
} ElemForm;

/* How a leaf is filled. */
typedef enum InitKind {
    INIT_NONE,    /* comes from the data set */
    INIT_ZEROS,   /* zeros */
    INIT_ONES,    /* ones */
    INIT_RANDN,   /* standard normal */
    INIT_UNIFORM, /* uniform in +-1/sqrt(fan_in), PyTorch's Linear and Conv2d default */
} InitKind;

/* The window of a convolution or pooling over the last two dimensions: kernel size,
 * stride, padding (the same on both sides) and dilation, each [height, width]; groups for a
 * convolution. */
typedef struct Window {
    int64_t k[2], stride[2], pad[2], dil[2];
    int64_t groups;
} Window;

/* Where the elements of an OPC_LAYOUT or OPC_AXIS op go. Dimensions count the whole shape:
 * a batch's N is dimension 0. */
typedef struct Layout {
    int perm[MLC_MAX_RANK];      /* permute: the result's dimension d is x's dimension perm[d] */
    int64_t start[MLC_MAX_RANK]; /* slice: the first element taken in each dimension; pad:
                                    where x starts in the result */
    int axis;                    /* concat and the OPC_AXIS ops */
    bool keep;                   /* sum_axis, max_axis: the result keeps the axis, size 1 */
} Layout;

typedef struct Node Node;
struct Node {
    OpKind op;
    int nin;
    Node *in[MLC_MAX_INPUTS];
    Shape shape;
    DType dtype;
    Loc loc;          /* the model text this node comes from */
    int id;           /* index into Graph.nodes and side tables */
    const char *name; /* a C identifier: from the model, "d_" + name for gradients, or NULL */
    union {
        struct {
            double value; /* the constant is value * N^npow */
            int npow;
        } cnst; /* OP_CONST */
        struct {
            bool ta, tb; /* transpose A, transpose B */
        } gemm;          /* OP_MATMUL */
        struct {
            double p;   /* the probability of dropping an element, in [0, 1) */
            int stream; /* which dropout of the model: each draws its own mask */
        } dropout;      /* OP_DROPOUT */
        Window win;     /* OP_CONV2D and its backward ops, the pooling ops and theirs */
        Layout lay;     /* OPC_LAYOUT and OPC_AXIS ops */
        struct {
            double eps; /* added to the variance */
            int state;  /* OP_BATCHNORM: its running mean is g->states[state], its running
                           variance the next one */
        } bn;           /* OP_BATCHNORM and its backward ops, OP_BATCHNORM_EVAL */
        struct {
            InitKind init;
            int64_t fan_in;    /* INIT_UNIFORM */
            int64_t nclass;    /* OP_TARGET of dtype DT_I32 */
            const char *pname; /* OP_PARAM, OP_STATE: the state_dict name, "stack.0.weight" */
        } leaf;                /* OP_INPUT, OP_TARGET, OP_PARAM, OP_STATE */
    } attr;
};

/* What the train block says (defaults when it is absent). */
/* One setting of one of torch.optim's optimizers (runtime/optimizers.def, which the
 * runtime reads too). */
typedef struct OptimSetting {
    const char *optimizer; /* "sgd", "adam", ... */
    const char *name;      /* "lr", "betas", ...: also the runtime's MlcOptim field */
    double def[2];         /* its default (two numbers for a pair) */
    int kind;              /* 0 a number >= 0, 1 a flag, 2 a pair in [0, 1) */
} OptimSetting;
enum {
    SETTING_NUMBER,
    SETTING_FLAG,
    SETTING_PAIR,
    MLC_MAX_SETTINGS = 64
};
extern const OptimSetting optim_settings[];
extern const int noptim_settings;

/* A learning-rate schedule, stepped once per epoch (torch.optim.lr_scheduler). */
typedef struct ScheduleSpec {
    int kind; /* 0 none, 1 step_lr(step_size, gamma), 2 cosine(T_max, eta_min) */
    int64_t step_size;
    double gamma, t_max, eta_min;
    int64_t warmup_epochs; /* warmup = linear(start_factor, epochs), or 0 */
    double warmup_start;
} ScheduleSpec;

/* The data set's format (train { data = FORMAT(...) }), as the runtime's MlcDataKind. */
typedef enum DataKind {
    DATA_NONE,   /* no data set */
    DATA_IDX,    /* idx("DIR") */
    DATA_NPY,    /* npy("X.npy", "Y.npy", test = ["X.npy", "Y.npy"]) */
    DATA_NPZ,    /* npz("FILE.npz", test = "FILE.npz") */
    DATA_CSV,    /* csv("FILE.csv", target = "COLUMN", test = "FILE.csv") */
    DATA_IMAGES, /* images("ANNOTATIONS.csv", "DIR", test = ["ANNOTATIONS.csv", "DIR"]) */
} DataKind;

/* One transform of the inputs (train { transform = [...] }), as the runtime's MlcTransform. */
typedef enum TransformKind {
    TRANSFORM_NORMALIZE,    /* normalize(mean, std): per channel */
    TRANSFORM_RANDOM_CROP,  /* random_crop(padding) */
    TRANSFORM_RANDOM_HFLIP, /* random_hflip */
} TransformKind;
typedef struct TransformSpec {
    TransformKind kind;
    Loc loc;
    int64_t padding; /* random_crop */
    int nchannels;   /* normalize: values in mean and std */
    double *mean, *std;
} TransformSpec;

typedef struct TrainSpec {
    bool has_data;
    DataKind data_kind;
    Loc data_loc;              /* of the data = ... call */
    const char *data_path;     /* the training set's file (idx: directory; npy: the inputs) */
    const char *data_path2;    /* npy: the targets, or NULL */
    const char *test_path;     /* the test set's file (npy: its inputs), or NULL */
    const char *test_path2;    /* npy: the test set's targets, or NULL */
    const char *target_column; /* csv: the target's column */
    double val_split;          /* the fraction split off as a test set when there is none */
    double scale;
    int64_t batch, epochs;
    const char *optimizer;               /* its name: "sgd" unless the block says */
    double setting[MLC_MAX_SETTINGS][2]; /* by optim_settings row: the optimizer's own */
    ScheduleSpec schedule;
    bool shuffle;
    bool drop_last;            /* no partial last batch in training */
    TransformSpec *transforms; /* the inputs', in order */
    int ntransforms;
    bool one_hot; /* target_transform = one_hot: class labels become an f32[K] target */
    Loc one_hot_loc;
} TrainSpec;

typedef struct Graph {
    Ctx *cx;
    const char *name; /* the model's name */
    Loc name_loc;     /* where the model names itself ('model fashion') */
    PtrVec nodes;     /* Node*, in topological order */
    int nforward;     /* nodes[0, nforward) are the forward pass; the rest the backward */
    Node *input;      /* OP_INPUT, or NULL */
    Node *target;     /* OP_TARGET, or NULL */
    Node *loss;       /* the scalar to minimise, or NULL */
    Node *output;     /* the 'output' value, or NULL */
    PtrVec params;    /* OP_PARAM nodes in declaration (state_dict) order */
    PtrVec grads;     /* after autodiff: grads.data[i] = d loss / d params.data[i], or NULL */
    /* Persistent state that is not trained (batch norm's running statistics): OP_STATE
     * leaves in state_dict order, and for each the value a training step leaves in it
     * (updates.data[i], computed by the training forward pass), or NULL. */
    PtrVec states;
    PtrVec updates;
    PtrVec classes; /* const char* class names, or empty */
    int ndropout;   /* dropouts made so far: the next one's stream */
    TrainSpec train;
} Graph;

Graph *ir_new_graph(Ctx *cx, const char *name);
/* Appends a node with the given inputs and infers its shape (infer_shape, ops.c). On a shape error
 * the error is reported and NULL returned. */
Node *ir_node(Graph *g, OpKind op, Loc loc, int nin, Node **in);
Node *ir_unary(Graph *g, OpKind op, Loc loc, Node *x);
Node *ir_binary(Graph *g, OpKind op, Loc loc, Node *x, Node *y);
Node *ir_const(Graph *g, Loc loc, double value, int npow);
/* An input, target or parameter; the caller sets attr.leaf. */
Node *ir_leaf(Graph *g, OpKind op, Loc loc, const char *name, Shape shape, DType dt);
Node *ir_matmul(Graph *g, Loc loc, Node *a, Node *b, bool ta, bool tb);
Node *ir_reshape(Graph *g, Loc loc, Node *x, Shape shape);
Node *ir_expand(Graph *g, Loc loc, Node *x, Shape shape);
Node *ir_sum_to(Graph *g, Loc loc, Node *x, Shape shape);
Node *ir_dropout(Graph *g, Loc loc, Node *x, double p, int stream);
Node *ir_shaped(Graph *g, OpKind op, Loc loc, int nin, Node **in, Shape shape);
Node *ir_window_node(Graph *g, OpKind op, Loc loc, int nin, Node **in, const Window *w,
                     Shape shape);
Node *ir_bn_node(Graph *g, OpKind op, Loc loc, int nin, Node **in, double eps);
/* An OPC_LAYOUT or OPC_AXIS op with its layout; shape is the result's for slice, pad and
 * broadcast (the others' rules work it out). ir_broadcast returns x when it has the shape. */
Node *ir_layout_node(Graph *g, OpKind op, Loc loc, int nin, Node **in, const Layout *lay,
                     Shape shape);
Node *ir_broadcast(Graph *g, Loc loc, Node *x, Shape shape);
/* sum_axis or max_axis of x along axis (of the whole shape), keeping it as size 1 or not */
Node *ir_axis(Graph *g, OpKind op, Loc loc, Node *x, int axis, bool keep);
bool op_has_window(OpKind op); /* attr.win: convolution, pooling and their backward ops */
bool op_has_eps(OpKind op);    /* attr.bn: batch norm and its backward ops */
/* A copy of n in g, with the inputs in (n's own attributes, name and place in the model). */
Node *ir_copy(Graph *g, const Node *n, Node **in);
int64_t shape_numel_const(Shape s); /* product of the constant dims (N counts as 1) */
bool shape_has_n(Shape s);
bool shape_is_scalar(Shape s); /* one element: rank 0, or all dimensions 1 (never N) */
bool shape_eq(Shape a, Shape b);
char *shape_str(Arena *a, Shape s, DType dt);    /* "f32[N, 784]" */
bool node_is_const(const Node *n, double value); /* a constant equal to value (npow 0) */
/* Writes a value as math (dy @ Wᵀ, (y > 0), sum over N of dy). For each operand, name()
 * returns what to call it, or NULL to write the operand's own math in its place. */
typedef struct MathNames {
    const char *(*name)(void *ctx, const Node *n);
    void *ctx;
} MathNames;
void ir_print_math(FILE *out, Graph *g, const Node *n, const MathNames *names);
void ir_print(FILE *out, Graph *g);
void ir_print_dot(FILE *out, Graph *g);
void ir_verify(Graph *g); /* internal consistency; asserts */
/* "models/fashion.model:8" and the trimmed source text of a node's line. */
char *ir_where(Graph *g, Loc loc);
char *ir_source_text(Graph *g, Loc loc);

/* ------------------------------------------------------------------------------------------
 * ops.c: the op table and each op's shape and gradient rules
 * ------------------------------------------------------------------------------------------ */

/* State of the backward pass while gradient rules run (autodiff.c). */
typedef struct Grad {
    Graph *g;
    Node **grad; /* grad[node->id]: the gradient accumulated so far, or NULL */
    bool *needs; /* needs[node->id]: a parameter depends on ... through this node */
    int cap;     /* size of the two tables */
} Grad;

typedef struct OpInfo {
    const char *name;
    int arity;
    OpClass cls;
    ElemForm form;   /* OPC_ELEMWISE: how one element is written */
    const char *sym; /* EF_INFIX, EF_PREFIX: the operator */
    /* Sets n->shape and n->dtype from the inputs (and attributes), or reports an error. */
    bool (*shape)(Ctx *cx, Node *n);
    /* Adds the vector-Jacobian product for each input that needs it, given dy = dL/dn. */
    void (*grad)(Grad *gr, Node *n, Node *dy);
} OpInfo;

extern const OpInfo op_info[OP_COUNT];

/* Floats of working memory an op needs while it runs, not per sample: a convolution's
 * columns of one image (im2col), or 0. */
int64_t op_scratch(const Node *n);
/* Is a convolution's column matrix its input itself (a 1x1 kernel, stride 1, no padding)? */
bool window_columns_are_input(const Window *w);
/* The output size of a window along one dimension of size in (PyTorch's formula), which is
 * < 1 when the window does not fit. */
int64_t window_out(const Window *w, int d, int64_t in);

/* Shape inference, symbolic in the batch dimension N: runs op_info[n->op].shape, which sets
 * n's shape or reports an error and returns false. The builders of ir.c call it as they make
 * each node; ir_verify() runs it again over a finished graph. */
bool infer_shape(Ctx *cx, Node *n);

/* ------------------------------------------------------------------------------------------
 * lower.c: AST -> graph IR (names resolved, nets inlined, parameters created)
 * ------------------------------------------------------------------------------------------ */

Graph *lower_model(Ctx *cx, AstModel *m);

/* A built-in function or layer (builtins.def). */
typedef struct Builtin {
    const char *name;
    OpKind op;
    int arity;          /* tensors a call takes: linear(x, n) counts x only */
    bool layer;         /* may stand in a sequential net */
    const char *number; /* the number a call takes after its tensor ("n", "p"), or NULL */
} Builtin;
extern const Builtin builtins[];
extern const int nbuiltins;
const Builtin *builtin_find(const char *name);

/* ------------------------------------------------------------------------------------------
 * autodiff.c: symbolic reverse mode
 * ------------------------------------------------------------------------------------------ */

/* Appends the backward pass to g: the gradient of g->loss with respect to every parameter,
 * as IR nodes named d_<name>; fills g->grads. */
void build_backward(Graph *g);
/* Used by the gradient rules in ops.c: dL/dx += d (sets on first use). */
void add_grad(Grad *gr, Node *x, Node *d);
bool needs_grad(Grad *gr, Node *x);
/* Sums d over the dimensions that x was broadcast along, so it gets x's shape. */
Node *unbroadcast(Grad *gr, Node *d, Node *x);
/* Prints the gradients as math (--emit grad). */
void print_gradients(FILE *out, Graph *g);

/* ------------------------------------------------------------------------------------------
 * simplify.c: algebraic identities, constant folding, CSE, dead code removal
 * ------------------------------------------------------------------------------------------ */

void simplify(Graph *g);

/* ------------------------------------------------------------------------------------------
 * fuse.c: grouping nodes into kernels, in schedule order
 * ------------------------------------------------------------------------------------------ */

typedef enum KernelKind {
    K_ELEMWISE, /* one loop over root's elements; nodes[] are inlined into it */
    K_GEMM,     /* cblas_sgemm into root, then (if nodes is not empty) an elementwise epilogue */
    K_OP,       /* one row-wise, reduce, loss or image op (op), emitted by op-specific code */
} KernelKind;

typedef struct Kernel {
    KernelKind kind;
    Node *root;      /* the value the kernel leaves in memory */
    Node *gemm;      /* K_GEMM: the matrix product */
    Node *op;        /* K_OP: the op; root itself, or the op a batch norm's epilogue reads */
    PtrVec nodes;    /* K_ELEMWISE, K_GEMM epilogue: elementwise nodes in evaluation order;
                        K_OP: a batch norm's epilogue (ending in root) or its backward's
                        prologue (the chain making dy, computed where dy is read) */
    Node *reduce;    /* an OP_SUM_TO of root computed in the same loop, or NULL */
    PtrVec outs;     /* K_OP: more values it leaves in memory from the same passes (batch
                        norm's channel_mean and channel_var of x; its backward's bn_dgamma,
                        the channel_sum of dy and the channel_sum of its dx) */
    int64_t scratch; /* K_OP: floats of working memory it needs (op_scratch), or 0 */
    int64_t inner;   /* elementwise loops: the row width broadcast operands repeat along (the
                        reduce's size), or 0 for one flat loop */
    bool backward;   /* part of the backward pass */
    Node *sgd_param; /* K_GEMM computing this parameter's gradient, which nothing else reads:
                        plain SGD can fold into it (W -= lr * dYᵀX), or NULL */
} Kernel;

typedef struct Schedule {
    Graph *g;
    PtrVec kernels;     /* Kernel*, in execution order: forward then backward */
    int nforward;       /* kernels[0, nforward) belong to the forward pass */
    Kernel **kernel_of; /* kernel_of[node->id]: the kernel computing the node, or NULL */
    bool *inlined;      /* inlined[node->id]: lives only inside a loop, never in memory */
} Schedule;

enum {
    /* the widest row whose column sums a loop keeps in double on the stack (32 KiB) */
    MLC_FUSED_REDUCE_MAX = 4096,
    /* the parts a convolution splits the batch into, each with its own columns and weight
     * gradient sum (run in parallel where the program has threads) */
    MLC_PARTS = 2
};

/* The target decides what it can print: a batch norm fused with the elementwise ops around
 * it only where it sets fuse_batchnorm. */
typedef struct Target Target;
Schedule *fuse_kernels(Graph *g, const Target *t);

/* ------------------------------------------------------------------------------------------
 * optim.c: plain SGD folded into the weight-gradient GEMMs (after fusion)
 * ------------------------------------------------------------------------------------------ */

/* Marks each weight-gradient GEMM that can apply plain SGD itself (Kernel.sgd_param) and
 * moves it after the weight's last reader. */
void plan_sgd_folds(Schedule *s);
/* Every node a kernel evaluates: its GEMM or op, its inlined nodes and root, its reduction,
 * its other outputs. */
PtrVec kernel_nodes(Arena *a, Kernel *k);
/* The values a kernel reads from memory, each once: the operands of its nodes that it does
 * not compute itself and that are not constants. */
PtrVec kernel_reads(Arena *a, Schedule *s, Kernel *k);

/* ------------------------------------------------------------------------------------------
 * memplan.c: one activation block, buffers reused by liveness
 * ------------------------------------------------------------------------------------------ */

typedef enum BufKind {
    BUF_NONE,  /* not in memory (inlined, or a constant) */
    BUF_INPUT, /* the batch the runtime passes in (input or target) */
    BUF_PARAM, /* in the parameter block */
    BUF_GRAD,  /* in the gradient block, at the parameter's offset */
    BUF_ACT,   /* in the activation block */
    BUF_STATE, /* in the state block (running statistics): a state, or the update of one */
} BufKind;

typedef struct Buffer {
    BufKind kind;
    const char *name; /* the C name of the pointer */
    Node *node;       /* the node the buffer was made for */
    bool batched;     /* size and offset scale with the batch: size * max_batch floats */
    int64_t size;     /* floats (per sample if batched) */
    int64_t offset;   /* floats from the start of its pool (per sample if batched) */
    int param;        /* BUF_PARAM, BUF_GRAD: index into g->params; BUF_STATE: g->states */
    int first, last;  /* BUF_ACT: live from kernel first (its writer) to kernel last (its last
                         reader; kernels.len for what the runtime reads after the pass) */
} Buffer;

typedef struct MemPlan {
    Buffer **buf_of;          /* buf_of[node->id]: the buffer holding the node, or NULL */
    PtrVec buffers;           /* Buffer*, each once, in order of first definition */
    int64_t per_sample;       /* floats of the batched pool per sample */
    int64_t fixed;            /* floats of the fixed pool */
    int64_t naive_per_sample; /* without reuse, for the report */
    int64_t nparams;          /* floats in the parameter block */
    int64_t *param_offset;    /* per parameter */
    const char **param_name;  /* per parameter: the C name of its pointer */
    const char **grad_name;   /* per parameter: the C name of its gradient */
    int64_t nstates;          /* floats in the state block */
    int64_t *state_offset;    /* per state */
    const char **state_name;  /* per state: the C name of its pointer */
    Buffer **scratch;         /* per kernel (index in the schedule): its scratch, or NULL */
} MemPlan;

/* reserved: names the target's code uses itself, NULL-terminated (Target.reserved). A plan
 * made beside another (the evaluation pass's beside the training one's) names its parameters
 * as the other does, gives its activations names the other does not use, starting with
 * prefix, and shares the activation block with it; otherwise beside is NULL, prefix "". */
MemPlan *plan_memory(Schedule *s, const char *const *reserved, const MemPlan *beside,
                     const char *prefix);
/* The shared activation block of a plan and the one made beside it (or NULL): floats per
 * sample and fixed floats, each the larger of the two. */
int64_t plan_acts_per_sample(const MemPlan *mp, const MemPlan *beside);
int64_t plan_acts_fixed(const MemPlan *mp, const MemPlan *beside);
/* Runs the schedule over the planned memory: every read must find the value written for it
 * (nothing written over it since), checked independently of the planner's lifetimes. Prints
 * each problem to out and returns how many there were. */
int memplan_check(Schedule *s, MemPlan *mp, FILE *out);

/* ------------------------------------------------------------------------------------------
 * segment.c: the evaluation segment
 * ------------------------------------------------------------------------------------------ */

/* The forward pass as evaluation runs it (dropout passes its input through), simplified; NULL
 * when it is the training forward pass. */
Graph *eval_graph(Graph *g);

/* The evaluation forward pass reduced to the output (no loss, no target): what a program
 * that only predicts runs (Target.predict_only). NULL after reporting an error when the
 * model has no output, no input, or an output that reads the target. */
Graph *predict_graph(Graph *g);

/* A whole program, by segment: the training forward and backward passes (and the update)
 * from g, s and mp; the evaluation forward pass from eval, es and emp, which are NULL when it
 * is the training forward pass. For a target that only predicts, eval is predict_graph()'s
 * pass, planned on its own, and weights holds the trained parameters. */
typedef struct Weights Weights;
typedef struct Quant Quant;
typedef struct Program {
    Graph *g;
    Schedule *s;
    MemPlan *mp;
    Graph *eval;
    Schedule *es;
    MemPlan *emp;
    Weights *weights;
    Quant *quant; /* --quantize int8: the int8 form of the prediction pass, or NULL */
    /* firmware: the batch norms folded into the convolution before them (Target.prepare),
     * each a copy of the batch norm's node followed by the node now computing both */
    PtrVec folded;
} Program;

/* ------------------------------------------------------------------------------------------
 * weights.c: trained parameters from a weight file, for targets that embed them
 * ------------------------------------------------------------------------------------------ */

struct Weights {
    const char *path;
    const float **data;  /* data[p]: the values of g->params.data[p], row-major in its shape */
    const float **state; /* state[i]: the values of g->states.data[i] (running statistics) */
};
/* Reads the safetensors file path (through the runtime's reader) and checks that it holds
 * every parameter of g under its state_dict name, as F32 with the parameter's shape. Each
 * problem is an error at the model line that made the parameter, naming the file; a file
 * that cannot be read is one error naming it. NULL after an error. */
Weights *weights_load(Graph *g, const char *path);

/* ------------------------------------------------------------------------------------------
 * kernel.c: what every target shares about a kernel (backends print it)
 * ------------------------------------------------------------------------------------------ */

/* A number of elements or rows: c, times the batch size N when n is set ("N * 784"). */
typedef struct Count {
    int64_t c;
    bool n;
} Count;
Count count_of(Shape s); /* the number of elements of a shape */

/* A kernel's parameters: N if uses_n, then every buffer it only reads, then every buffer it
 * writes. Inlined values and constants are not parameters: they are part of the loop. */
typedef struct KernelArgs {
    PtrVec bufs;    /* Buffer* */
    PtrVec written; /* parallel to bufs: non-NULL when the kernel writes the buffer */
    bool uses_n;
    bool uses_seed; /* the step's seed, for dropout masks */
} KernelArgs;
KernelArgs kernel_args(Schedule *s, MemPlan *mp, Kernel *k);
bool kernel_arg_written(const KernelArgs *args, int i);
/* The kernel's scratch buffer (Kernel.scratch floats), or NULL. */
Buffer *kernel_scratch(Schedule *s, MemPlan *mp, Kernel *k);
/* compute_<what it leaves in memory>: compute_logits, compute_d_logits */
const char *kernel_name(Arena *a, MemPlan *mp, Kernel *k);
/* "models/fashion.model:8  linear(512)" for each model line the kernel comes from
 * ("backward of ..." in the backward pass), and what it computes as math, one
 * "name = math" per value it leaves in memory; the math of a product alone, for the
 * product with SGD folded in. */
PtrVec kernel_sources(Schedule *s, Kernel *k);
PtrVec kernel_math(Schedule *s, MemPlan *mp, Kernel *k);
const char *kernel_gemm_math(Schedule *s, MemPlan *mp, Kernel *k);

/* One element of an elementwise loop, as a tree. */
typedef enum ElemKind {
    ELEM_OP,    /* op, nargs, arg[]: an elementwise op of ops.def */
    ELEM_CONST, /* value, npow: value * N^npow */
    ELEM_LOAD,  /* buf, at, size: an element of a buffer */
    ELEM_VALUE, /* the kernel's op's value at k (a batch norm's, under its epilogue): v */
} ElemKind;
typedef enum ElemIndex {
    AT_K,      /* buf[k]: the same element as the result */
    AT_J,      /* buf[j]: a row broadcast along the loop's rows, as wide as they are */
    AT_J_MOD,  /* buf[j % size]: a shorter row, repeating within the loop's rows */
    AT_SCALAR, /* buf[0]: one element */
} ElemIndex;
typedef struct Elem Elem;
struct Elem {
    ElemKind kind;
    OpKind op;
    int nargs;
    Elem *arg[3];
    double value;
    int npow;
    Buffer *buf;
    ElemIndex at;
    int64_t size;
    double dropout_p; /* ELEM_OP of OP_DROPOUT: its attributes */
    int dropout_stream;
};
/* An elementwise kernel (or a GEMM's epilogue, in place): out[k] = value for k < total,
 * as one flat loop when inner is 0, else as rows of inner columns (k = i * inner + j), with
 * reduce[j] = the sum over the rows of value (a bias gradient) when reduce is set. */
typedef struct ElemLoop {
    Elem *value;
    Buffer *out;
    Count total;
    int64_t inner;
    Count rows;
    Buffer *reduce;
} ElemLoop;
ElemLoop kernel_loop(Schedule *s, MemPlan *mp, Kernel *k);

/* A matrix product C = op(A) op(B), row-major: op(A) is m x k, op(B) is k x n, C is m x n
 * (C is the kernel's root buffer); lda and ldb are the row lengths of A and B in memory. */
typedef struct GemmDesc {
    bool ta, tb;
    Count m, n, k;
    Buffer *a, *b;
    int64_t lda, ldb;
} GemmDesc;
GemmDesc kernel_gemm(MemPlan *mp, Kernel *k);

/* A row-wise, reduce or loss op: out = op(x[, y][, scale]); x has total elements in rows of
 * width (sum_to: rows of the result's width). */
typedef struct OpDesc {
    OpKind op;
    Buffer *out, *x, *y; /* y: the second operand (labels, targets, dy), or NULL */
    Elem *scale;         /* cross_entropy_bwd: dL, a constant or one element */
    Count total, rows;
    int64_t width;
    /* OPC_IMAGE ops: every operand in order (NULL for a constant, such as a convolution's
     * absent bias), the scratch, and the geometry: the window's input has c channels of
     * h x w, its output oc channels of oh x ow; per-channel ops see c channels of spatial
     * values per sample. */
    Buffer *in[MLC_MAX_INPUTS];
    Buffer *scratch;
    int64_t c, h, w, oc, oh, ow, spatial;
    Window win;
    double eps;
    /* Batch norm fused with what is around it (all NULL when it is not):
     *   batchnorm, batchnorm_eval: value, the element stored at k (ELEM_VALUE is the
     *     normalised element), and batchnorm's mean and var, channel_mean and channel_var of
     *     x written from the statistics it computes anyway;
     *   batchnorm_bwd: dy, the element of dy at k computed in the loops that read it (else
     *     in[0] is read), dgamma and dbeta (bn_dgamma, channel_sum of dy) from its sums, and
     *     dxsum, the channel_sum of its result dx, from the pass that writes dx. */
    Elem *value, *dy;
    Buffer *mean, *var, *dgamma, *dbeta, *dxsum;
} OpDesc;
OpDesc kernel_op(Schedule *s, MemPlan *mp, Kernel *k);

/* One strided copy: for every index i of a box of `rank` dimensions (dimension 0 may count
 * N), dst[dst_off + sum_d i_d dst_stride_d] = src[src_off + sum_d i_d src_stride_d]. */
typedef struct Copy {
    Buffer *src;
    int rank;
    Count dim[MLC_MAX_RANK];
    int64_t src_stride[MLC_MAX_RANK], dst_stride[MLC_MAX_RANK];
    int64_t src_off, dst_off;
} Copy;
/* An OPC_LAYOUT op: out filled with zeros first (pad) or not, then one copy per input (concat)
 * or one. The copies' boxes drop dimensions of size 1 and merge the ones that stay
 * contiguous on both sides, so a slice of rows is one loop over rows and one over columns. */
typedef struct LayoutDesc {
    OpKind op;
    Buffer *out;
    Count total; /* out's elements */
    bool zero;
    int ncopies;
    Copy copy[MLC_MAX_INPUTS];
} LayoutDesc;
LayoutDesc kernel_layout(MemPlan *mp, Kernel *k);
/* An OPC_AXIS op on x viewed as [outer, len, inner], the axis in the middle: y [outer, inner]
 * (dy too, for max_axis_bwd, whose result is x's shape). */
typedef struct AxisDesc {
    OpKind op;
    Buffer *out, *x, *dy; /* dy: max_axis_bwd's, or NULL */
    Count outer;
    int64_t len, inner;
} AxisDesc;
AxisDesc kernel_axis(MemPlan *mp, Kernel *k);

/* ------------------------------------------------------------------------------------------
 * backend/ctext.c: what the targets that write C share
 * ------------------------------------------------------------------------------------------ */

/* An element expression in C, and how loosely it binds: 1 for a name, literal, call or
 * parenthesised expression, 2 for a prefix operator, 3 for * and /, 4 for + and -. */
typedef struct CExpr {
    const char *text;
    int prec;
} CExpr;
/* x in parentheses when it binds more loosely than `most` allows. */
const char *operand(Arena *a, CExpr x, int most);
/* An elementwise op of form infix, prefix or "its operand" (ops.def), in C; .text is NULL for
 * a call of the op's own function, which each target spells itself. */
CExpr c_form(Arena *a, OpKind op, const CExpr *arg);
/* A float literal C reads back exactly: 1 -> "1.0f", -0.5 -> "(-0.5f)", NAN, INFINITY; a
 * constant value * N^npow; a count of elements or rows: "N * 512", "N", "512". */
const char *c_float(Arena *a, double v);
const char *c_const(Arena *a, double value, int npow);
const char *c_count(Arena *a, Count c);
/* How a target spells the element functions: prefix "mlc" -> mlc_relu (the runtime's) or the
 * firmware's own (NAME_relu); its exp; batch1: N is 1, so constants have no N in them. */
typedef struct CSpell {
    const char *prefix;
    const char *expf;
    bool batch1;
} CSpell;
/* An element expression of a fused loop (kernel.c's tree) in C. */
CExpr c_elem(Arena *a, const CSpell *sp, const Elem *x);
/* A C string literal for any bytes (class names and paths come from the user). */
const char *c_string(Arena *a, const char *s);
/* The loop nest of a strided copy into dst, one loop per dimension of its box, at the given
 * indent; n names the batch size. */
void c_copy(FILE *o, Arena *a, const Copy *c, const char *dst, const char *n, const char *indent);
/* For a target whose threads each take elements of a copy: the elements of its box, and
 * element t's indices (from t, the last dimension fastest) and assignment. */
const char *c_copy_count(Arena *a, const Copy *c, const char *n);
void c_copy_element(FILE *o, Arena *a, const Copy *c, const char *dst, const char *n,
                    const char *indent);
/* An op along one axis at row i, column j of its [outer, inner] result, at the given indent. */
void c_axis_element(FILE *o, const AxisDesc *d, const char *indent);
/* A layout op (zeros first for a pad, then its copies) and an op along one axis, in C; n names
 * the batch size, total the output's elements, outer the rows before the axis. */
void c_layout(FILE *o, Arena *a, const LayoutDesc *d, const char *n, const char *total);
void c_axis(FILE *o, const AxisDesc *d, const char *outer);
/* The model's description for the runtime (an MlcModel): the tables it points to (the
 * parameters' and states' names, shapes and places, the class names, the transforms), then
 * its fields, as designated initialisers (".batch = 64,") or, assign, as statements
 * ("m.batch = 64;", for C++); type is the state struct's. A target adds its own fields with
 * c_model_field. */
void c_model_tables(FILE *o, Arena *a, const Graph *g, const MemPlan *mp);
void c_model_fields(FILE *o, Arena *a, const Program *p, const char *type, bool assign);
void c_model_field(FILE *o, bool assign, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The state struct's type of a model: autograd_demo -> AutogradDemoState. */
const char *c_state_type(Arena *a, const char *model);
/* A kernel's comment: the model lines it comes from, then its math. */
void c_kernel_comment(FILE *o, Schedule *s, MemPlan *mp, Kernel *k);
/* head, the items separated by ", ", then tail, in lines of at most 100 columns. */
void print_list(FILE *o, const char *head, const PtrVec *items, const char *tail);

/* ------------------------------------------------------------------------------------------
 * backend/: one file per target, each described by one Target
 * ------------------------------------------------------------------------------------------ */

typedef struct Target {
    const char *name;      /* --target NAME */
    const char *extension; /* of the source it writes: ".c" */
    /* names the generated code uses itself, which no buffer may take (memplan) */
    const char *const *reserved;
    bool has_blas;      /* GEMMs through a BLAS library */
    bool has_device;    /* buffers live on an accelerator */
    bool static_memory; /* every buffer static, sized at compile time (no malloc) */
    /* The program is the evaluation pass alone at batch 1 (Program.eval, predict_graph()),
     * with the trained weights built in (--weights FILE, Program.weights). */
    bool predict_only;
    /* Reports each node of g the target cannot compile (at its model line) and returns
     * false, or NULL: the target compiles every op. */
    bool (*supports)(Graph *g);
    /* Writes the whole program's source. */
    void (*emit)(FILE *out, const Program *p);
    /* Writes the header that goes with the source, or NULL: the target has none. */
    void (*emit_header)(FILE *out, const Program *p);
    /* A predict-only target: rewrites p->eval with the weights (p->weights) before it is
     * fused and planned (firmware: batch norm folded into the convolution before it), or
     * NULL. */
    void (*prepare)(Program *p);
    /* Convolutions read the image directly: no im2col columns (Kernel.scratch) to plan. */
    bool direct_conv;
    /* It prints a batch norm fused with its neighbours (fuse.c; OpDesc's value, dy, mean, var,
     * dgamma, dbeta): the elementwise ops after it in its normalising loop, the chain making
     * its backward's dy inside the loops that read dy, its statistics and parameter gradients
     * from the same passes. */
    bool fuse_batchnorm;
    /* The floats of working memory a kernel computing node n needs; NULL: op_scratch's (a
     * convolution's columns and partial sums, as the C target uses them). */
    int64_t (*scratch)(const Node *n);
    /* Compiles src_path into the program exe_path; false (after saying why) on failure. NULL
     * for a target whose output is source: -o names a directory that gets NAME + extension
     * (and NAME.h when the target has a header). */
    bool (*build)(const char *src_path, const char *exe_path, bool verbose);
} Target;

/* backend/quant.c: int8 post-training quantization of a chain of linear layers (with relu,
 * and a final softmax) for the firmware target. A layer: y = W x + b, W [out][in]. */
typedef enum QuantKind {
    QL_LINEAR,  /* y = W x + b */
    QL_CONV,    /* conv2d (a batch norm after it folded in): W [oc][c / groups][kh][kw] */
    QL_MAXPOOL, /* the largest of each window: no weights, the input's scale */
} QuantKind;
typedef struct QuantLayer {
    QuantKind kind;
    Kernel *kernel, *act;          /* the kernels it comes from (act: its relu, or NULL) */
    int64_t in, out;               /* values of the input and the output */
    int64_t nch, per;              /* output channels (scales) and weights per channel */
    Window win;                    /* QL_CONV, QL_MAXPOOL: the window, and the images: */
    int64_t c, ih, iw, oc, oh, ow; /* c x ih x iw in, oc x oh x ow out */
    bool relu;
    const float *w, *b;  /* the float weights (b NULL without a bias) */
    const float *wt;     /* w transposed, [in][out], for the float pass of quant.c */
    int8_t *qw;          /* [nch][per]: round(w / s_w[j]), s_w[j] = max |w[j]| / 127 */
    int32_t *qb;         /* [nch]: round(b / (s_x s_w[j])) */
    int32_t *m0, *shift; /* [nch] (not the last layer): y = (acc m0 + 2^(shift-1)) >> shift */
    float *deq;          /* [nch] (the last layer): logit = acc * deq[j] = acc s_x s_w[j] */
} QuantLayer;
struct Quant {
    int nlayers;
    QuantLayer *layers;
    bool softmax;     /* the output is the softmax of the last layer */
    double *scale;    /* [nlayers]: the scale of each layer's input */
    float inv_scale0; /* 1 / scale[0]: the input's x_q = round(x * inv_scale0) */
    int64_t ncalib;   /* training samples calibrated on */
    int64_t ntest;    /* test samples of the accuracies */
    double float_accuracy, int8_accuracy; /* percent, on the test set */
};
/* Calibrates on the first `batches` batches of the training set in data_dir (NULL: the
 * train block's), quantizes, and measures both accuracies on the test set. NULL after
 * reporting an error (a pass that is not such a chain, data that cannot be read). */
Quant *quant_plan(Program *p, const char *data_dir, int64_t batches);

extern const Target target_c; /* backend/c.c: C99 with OpenBLAS, linked with the runtime */
/* backend/firmware.c: freestanding C99 inference for microcontrollers, weights built in */
extern const Target target_firmware;
/* backend/cuda.c: CUDA (.cu) for an NVIDIA GPU, built with nvcc, linked with the runtime */
extern const Target target_cuda;
/* The target called name, or NULL. */
const Target *target_find(const char *name);
/* "c, firmware" (every target's name, for messages) */
const char *target_names(Arena *a);

/* ------------------------------------------------------------------------------------------
 * build.c: compiling generated C into a program (the C target's build)
 * ------------------------------------------------------------------------------------------ */

/* Runs $CC (default cc) on c_path to make exe_path, with the runtime. Returns true on success;
 * on failure prints why. */
bool build_program(const char *c_path, const char *exe_path, bool verbose);
/* The same for the CUDA target's .cu: $NVCC (default: the nvcc CMake found) for sm_80 and
 * sm_90 (MLC_NVCCFLAGS adds options), linked with cuBLAS; false, saying so, without nvcc. */
bool build_cuda(const char *cu_path, const char *exe_path, bool verbose);
/* A scratch directory for the source NAME.EXT, whose path it returns (NULL after saying
 * why); it and the compiler's temporary output are removed by scratch_close(), or by a
 * SIGINT, SIGTERM or SIGHUP, which also stops the compiler. */
const char *scratch_open(const char *name, const char *extension);
void scratch_close(void);
/* May mlc write its program to out? Not over a device, a directory or the model itself
 * (after saying so). */
bool output_path_ok(const char *out, const char *model);

#endif
