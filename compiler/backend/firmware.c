/* backend/firmware.c: the firmware target.
 *
 * Writes one freestanding C99 source and its header that predict with the trained model at
 * batch 1: the evaluation forward pass reduced to the output (predict_graph(), planned on its
 * own), with the weights (Program.weights) built in as static const arrays, so they live in
 * flash. Nothing is allocated: the activations share one static arena whose size the memory
 * plan fixes (NAME_predict), or a workspace the caller passes (NAME_predict_with, reentrant;
 * the header gives NAME_WORKSPACE_BYTES). The code includes no stdio and no BLAS, and
 * <math.h> only when an op needs it (softmax's exp, sigmoid, tanh, exp, log). Every global
 * name starts with the model's name.
 *
 * Matrix products are plain loops written so that gcc vectorises them at -O2 without
 * -ffast-math: the output index j is the inner loop, so the lanes of a vector are different
 * outputs and no sum is reordered. Each output is summed in one documented order, over the
 * shared index p from 0 up, starting from 0. A weight used as the right operand transposed
 * (a linear layer's x @ Wᵀ) is stored transposed, [in][out], so the inner loop reads it
 * contiguously. Four values of p share each pass over j and keep the partial sum in a
 * register; the order of the sum is the same.
 *
 * What each kernel computes comes from kernel.c (its arguments, source lines and math, its
 * loop and element expression, its product or op); this file only spells it.
 */
#include "mlc.h"

typedef struct Fw {
    FILE *out;
    Graph *g; /* the prediction pass */
    Schedule *s;
    MemPlan *mp;
    const Weights *w;
    const Quant *q;       /* --quantize int8, or NULL */
    const char *name;     /* the model's name: the prefix of every global */
    const char *upper;    /* the same in capitals: the prefix of the header's macros */
    bool *stored_plain;   /* per parameter: its array is emitted as the file has it */
    bool *stored_t;       /* per parameter: its array is emitted transposed */
    bool *uses_t;         /* per kernel: its product reads its weight transposed */
    int64_t workspace;    /* floats of the arena */
    int64_t weight_bytes; /* of the const arrays */
    int64_t class_bytes;  /* of the class names' strings */
    Count in_size, out_size;
} Fw;

/* ---- small helpers --------------------------------------------------------------------------- */

/* A float literal C reads back exactly: "1.0f", "-0.5f", "1e-05f". Weights are finite
 * (weights.c checks), and so are the model's constants at batch 1. */
static const char *float_lit(Arena *a, double v) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.9g", (double)(float)v);
    bool has_point = strpbrk(buf, ".e") != NULL;
    return arena_printf(a, "%s%s", buf, has_point ? "f" : ".0f");
}

/* At batch 1, N is 1: a count is its constant. */
static int64_t count(Count c) {
    return c.c;
}

static Buffer *buf(Fw *f, const Node *n) {
    Buffer *b = f->mp->buf_of[n->id];
    MLC_ASSERT(b);
    return b;
}

/* "[1, 512]": a shape at batch 1, for comments. */
static const char *shape_at_1(Arena *a, Shape s) {
    for (int i = 0; i < s.rank; i++)
        if (s.dim[i] == DIM_N)
            s.dim[i] = 1;
    return shape_str(a, s, DT_F32) + 3;
}

static char *upper(Arena *a, const char *s) {
    char *u = arena_strdup(a, s);
    for (char *p = u; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return u;
}

/* Does the element expression x load buffer b, or use op? */
static bool elem_loads(const Elem *x, const Buffer *b) {
    if (x->kind == ELEM_LOAD)
        return x->buf == b;
    for (int i = 0; x->kind == ELEM_OP && i < x->nargs; i++)
        if (elem_loads(x->arg[i], b))
            return true;
    return false;
}
static bool elem_uses(const Elem *x, OpKind op) {
    if (x->kind != ELEM_OP)
        return false;
    if (x->op == op)
        return true;
    for (int i = 0; i < x->nargs; i++)
        if (elem_uses(x->arg[i], op))
            return true;
    return false;
}

/* Does any kernel use op, in an element expression or as its own op? */
static bool uses_op(Fw *f, OpKind op) {
    for (int i = 0; i < f->s->kernels.len; i++) {
        Kernel *k = f->s->kernels.data[i];
        if (k->kind == K_OP && k->root->op == op)
            return true;
        if ((k->kind == K_ELEMWISE || (k->kind == K_GEMM && k->nodes.len)) &&
            elem_uses(kernel_loop(f->s, f->mp, k).value, op))
            return true;
    }
    return false;
}

static bool needs_math(Fw *f) {
    return uses_op(f, OP_SOFTMAX) || uses_op(f, OP_SIGMOID) || uses_op(f, OP_TANH) ||
           uses_op(f, OP_EXP) || uses_op(f, OP_LOG);
}

/* ---- where the weights go ---------------------------------------------------------------- */

/* A product reads its right operand transposed from a weight stored transposed when that
 * operand is a parameter the kernel reads nowhere else (not also as the left operand, not in
 * the epilogue). Every other read of a parameter needs it as the file has it. */
static void plan_weights(Fw *f) {
    Arena *a = f->g->cx->arena;
    int np = f->g->params.len + 1, nk = f->s->kernels.len + 1;
    f->stored_plain = arena_alloc(a, sizeof(bool) * (size_t)np);
    f->stored_t = arena_alloc(a, sizeof(bool) * (size_t)np);
    f->uses_t = arena_alloc(a, sizeof(bool) * (size_t)nk);
    for (int i = 0; i < f->s->kernels.len; i++) {
        Kernel *k = f->s->kernels.data[i];
        Buffer *bt = NULL;
        if (k->kind == K_GEMM) {
            GemmDesc d = kernel_gemm(f->mp, k);
            bool epilogue_reads =
                k->nodes.len && elem_loads(kernel_loop(f->s, f->mp, k).value, d.b);
            if (d.tb && d.b->kind == BUF_PARAM && d.a != d.b && !epilogue_reads)
                bt = d.b;
        }
        f->uses_t[i] = bt != NULL;
        if (bt)
            f->stored_t[bt->param] = true;
        KernelArgs args = kernel_args(f->s, f->mp, k);
        for (int j = 0; j < args.bufs.len; j++) {
            Buffer *b = args.bufs.data[j];
            if (b->kind == BUF_PARAM && b != bt)
                f->stored_plain[b->param] = true;
        }
    }
    Buffer *ob = f->g->output->op == OP_CONST ? NULL : buf(f, f->g->output);
    if (ob && ob->kind == BUF_PARAM)
        f->stored_plain[ob->param] = true;
}

/* The global array of parameter p: NAME_<buffer> or, stored transposed, NAME_<buffer>_t. */
static const char *weight_array(Fw *f, int p, bool transposed) {
    Buffer *b = buf(f, f->g->params.data[p]);
    return arena_printf(f->g->cx->arena, "%s_%s%s", f->name, b->name, transposed ? "_t" : "");
}

static void emit_weights(Fw *f) {
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    for (int p = 0; p < f->g->params.len; p++) {
        Node *w = f->g->params.data[p];
        const float *v = f->w->data[p];
        int64_t size = shape_numel_const(w->shape);
        for (int t = 0; t < 2; t++) {
            if (!(t ? f->stored_t[p] : f->stored_plain[p]))
                continue;
            /* stored transposed: [cols][rows] of the [rows, cols] the file holds */
            int64_t rows = w->shape.rank == 2 ? w->shape.dim[0] : 1;
            int64_t cols = size / rows;
            if (t)
                fprintf(o, "/* %s, %s, stored transposed: [%lld][%lld] */\n", w->attr.leaf.pname,
                        shape_str(a, w->shape, DT_F32), (long long)cols, (long long)rows);
            else
                fprintf(o, "/* %s, %s */\n", w->attr.leaf.pname, shape_str(a, w->shape, DT_F32));
            fprintf(o, "static const float %s[%lld] = {", weight_array(f, p, t), (long long)size);
            for (int64_t i = 0; i < size; i++) {
                double x = t ? v[(i % rows) * cols + i / rows] : v[i];
                fprintf(o, "%s%s%s", i % 8 ? " " : "\n    ", float_lit(a, x),
                        i + 1 < size ? "," : "");
            }
            fprintf(o, "\n};\n\n");
        }
    }
}

/* ---- comments: where a kernel comes from and what it computes ------------------------------- */

static void kernel_comment(Fw *f, Kernel *k) {
    PtrVec src = kernel_sources(f->s, k), math = kernel_math(f->s, f->mp, k);
    fprintf(f->out, "/* ");
    for (int i = 0; i < src.len; i++)
        fprintf(f->out, "%s%s\n", i ? " * " : "", (const char *)src.data[i]);
    for (int i = 0; i < math.len; i++)
        fprintf(f->out, " *   %s\n", (const char *)math.data[i]);
    fprintf(f->out, " */\n");
}

/* ---- elementwise loops ------------------------------------------------------------------- */

/* An element expression, and how loosely it binds: 1 a name, literal, call or parenthesised
 * expression, 2 a prefix operator, 3 * and /, 4 + and -. */
static CExpr fw_elem(Fw *f, const Elem *x) {
    Arena *a = f->g->cx->arena;
    static const char *const index[] = {[AT_K] = "k", [AT_J] = "j", [AT_SCALAR] = "0"};
    switch (x->kind) {
    case ELEM_CONST: {
        const char *lit = float_lit(a, x->value); /* N^npow is 1 */
        return (CExpr){lit, lit[0] == '-' ? 2 : 1};
    }
    case ELEM_LOAD:
        if (x->at == AT_J_MOD)
            return (CExpr){arena_printf(a, "%s[j %% %lld]", x->buf->name, (long long)x->size), 1};
        return (CExpr){arena_printf(a, "%s[%s]", x->buf->name, index[x->at]), 1};
    case ELEM_OP: break;
    }
    CExpr arg[3];
    for (int i = 0; i < x->nargs; i++)
        arg[i] = fw_elem(f, x->arg[i]);
    CExpr form = c_form(a, x->op, arg);
    if (form.text)
        return form;
    const char *t = arg[0].text;
    switch (x->op) {
    case OP_RELU: return (CExpr){arena_printf(a, "%s_relu(%s)", f->name, t), 1};
    case OP_STEP: return (CExpr){arena_printf(a, "(float)(%s > 0.0f)", t), 1};
    case OP_SIGMOID:
        return (CExpr){arena_printf(a, "1.0f / (1.0f + expf(-%s))", operand(a, arg[0], 1)), 3};
    case OP_TANH: return (CExpr){arena_printf(a, "tanhf(%s)", t), 1};
    case OP_EXP: return (CExpr){arena_printf(a, "expf(%s)", t), 1};
    case OP_LOG: return (CExpr){arena_printf(a, "logf(%s)", t), 1};
    case OP_DROPOUT: /* the prediction pass is an evaluation pass: no dropout is left */
    case OP_INPUT:
    case OP_TARGET:
    case OP_PARAM:
    case OP_CONST:
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
    case OP_NEG:
    case OP_EXPAND:
    case OP_MATMUL:
    case OP_RESHAPE:
    case OP_SUM:
    case OP_MEAN:
    case OP_SUM_TO:
    case OP_SOFTMAX:
    case OP_SOFTMAX_BWD:
    case OP_CROSS_ENTROPY:
    case OP_CROSS_ENTROPY_BWD:
    case OP_BCE_LOGITS:
    case OP_STATE: /* fw_supports() stops before */
    case OP_GELU:
    case OP_GELU_GRAD:
    case OP_ELU:
    case OP_SQRT:
    case OP_LOG_SOFTMAX:
    case OP_LOG_SOFTMAX_BWD:
    case OP_NLL:
    case OP_NLL_BWD:
    case OP_CONV2D:
    case OP_CONV2D_BWD_X:
    case OP_CONV2D_BWD_W:
    case OP_CHANNEL_SUM:
    case OP_CHANNEL_MEAN:
    case OP_CHANNEL_VAR:
    case OP_MAXPOOL2D:
    case OP_MAXPOOL2D_BWD:
    case OP_AVGPOOL2D:
    case OP_AVGPOOL2D_BWD:
    case OP_BATCHNORM:
    case OP_BATCHNORM_BWD:
    case OP_BN_DGAMMA:
    case OP_BATCHNORM_EVAL:
    case OP_ADAPTIVE_AVGPOOL2D:
    case OP_ADAPTIVE_AVGPOOL2D_BWD:
    case OP_POW:
    case OP_CLAMP:
    case OP_BETWEEN:
    case OP_GELU_TANH:
    case OP_GELU_TANH_GRAD:
    case OP_PERMUTE:
    case OP_SLICE:
    case OP_PAD:
    case OP_CONCAT:
    case OP_BROADCAST:
    case OP_SUM_AXIS:
    case OP_MAX_AXIS:
    case OP_MAX_AXIS_BWD:
    case OP_COUNT: break;
    }
    unreachable();
}

/* As the C target writes it: one flat loop, or rows of `inner` columns so a broadcast row is
 * read at column j; a fused column sum in one double per column. */
static void emit_elemwise_loop(Fw *f, Kernel *k) {
    FILE *o = f->out;
    ElemLoop l = kernel_loop(f->s, f->mp, k);
    const char *out = l.out->name;
    const char *expr = fw_elem(f, l.value).text;
    if (!l.inner || (count(l.rows) == 1 && !l.reduce)) {
        /* one flat loop; in a single row, column j is element k */
        fprintf(o, "    for (int32_t k = 0; k < %lld; k++)", (long long)count(l.total));
        fprintf(o, l.inner ? " {\n        const int32_t j = k;\n" : "\n");
        fprintf(o, "        %s[k] = %s;\n%s", out, expr, l.inner ? "    }\n" : "");
        return;
    }
    if (l.reduce)
        fprintf(o, "    double acc[%lld] = {0.0};\n", (long long)l.inner);
    fprintf(o, "    for (int32_t i = 0; i < %lld; i++) {\n", (long long)count(l.rows));
    fprintf(o, "        for (int32_t j = 0; j < %lld; j++) {\n", (long long)l.inner);
    fprintf(o, "            const int32_t k = i * %lld + j;\n", (long long)l.inner);
    if (l.reduce) {
        fprintf(o, "            const float v = %s;\n", expr);
        fprintf(o, "            %s[k] = v;\n", out);
        fprintf(o, "            acc[j] += (double)v;\n");
    } else {
        fprintf(o, "            %s[k] = %s;\n", out, expr);
    }
    fprintf(o, "        }\n    }\n");
    if (l.reduce) {
        fprintf(o, "    for (int32_t j = 0; j < %lld; j++)\n", (long long)l.inner);
        fprintf(o, "        %s[j] = (float)acc[j];\n", l.reduce->name);
    }
}

/* ---- matrix products --------------------------------------------------------------------- */

/* C = op(A) op(B), m x n, k shared: for each output, the sum over p = 0, 1, ..., k-1 in that
 * order, from 0. With B row-major [k][n] (as stored, or a weight stored transposed) the loop
 * over j is innermost and vectorises; four p per pass over j keep the partial sum in a
 * register. Otherwise (B transposed in memory and not a weight) each output is one dot
 * product in the same order. */
/* Element (i, p) of op(A), p an expression; i is 0 when m is 1. */
static const char *a_at(Arena *a, const GemmDesc *d, long long m, const char *p) {
    if (d->ta)
        return arena_printf(a, "%s[(%s) * %lld%s]", d->a->name, p, (long long)d->lda,
                            m > 1 ? " + i" : "");
    if (m > 1)
        return arena_printf(a, "%s[i * %lld + %s]", d->a->name, (long long)d->lda, p);
    return arena_printf(a, "%s[%s]", d->a->name, p);
}

static void emit_gemm(Fw *f, Kernel *k, bool bt) {
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    GemmDesc d = kernel_gemm(f->mp, k);
    long long m = count(d.m), n = count(d.n), kk = count(d.k);
    long long ldb = bt ? n : d.ldb;
    const char *B = d.b->name, *C = buf(f, k->root)->name;
    bool row_major_b = bt || !d.tb;
    const char *c = C, *indent = "    ";
    if (m > 1) {
        fprintf(o, "    for (int32_t i = 0; i < %lld; i++) {\n", m);
        fprintf(o, "        float *const c = %s + i * %lld;\n", C, n);
        c = "c";
        indent = "        ";
    }
    if (!row_major_b) {
        fprintf(o, "%sfor (int32_t j = 0; j < %lld; j++) {\n", indent, n);
        fprintf(o, "%s    float acc = 0.0f;\n", indent);
        fprintf(o, "%s    for (int32_t p = 0; p < %lld; p++)\n", indent, kk);
        fprintf(o, "%s        acc += %s * %s[j * %lld + p];\n", indent, a_at(a, &d, m, "p"), B,
                ldb);
        fprintf(o, "%s    %s[j] = acc;\n%s}\n", indent, c, indent);
    } else {
        long long k4 = kk - kk % 4;
        fprintf(o, "%sfor (int32_t j = 0; j < %lld; j++)\n", indent, n);
        fprintf(o, "%s    %s[j] = 0.0f;\n", indent, c);
        if (k4) {
            fprintf(o, "%sfor (int32_t p = 0; p < %lld; p += 4) {\n", indent, k4);
            fprintf(o, "%s    const float a0 = %s, a1 = %s;\n", indent, a_at(a, &d, m, "p"),
                    a_at(a, &d, m, "p + 1"));
            fprintf(o, "%s    const float a2 = %s, a3 = %s;\n", indent, a_at(a, &d, m, "p + 2"),
                    a_at(a, &d, m, "p + 3"));
            fprintf(o, "%s    const float *const b0 = %s + p * %lld, *const b1 = b0 + %lld;\n",
                    indent, B, ldb, ldb);
            fprintf(o, "%s    const float *const b2 = b1 + %lld, *const b3 = b2 + %lld;\n", indent,
                    ldb, ldb);
            fprintf(o, "%s    for (int32_t j = 0; j < %lld; j++) {\n", indent, n);
            fprintf(o, "%s        float acc = %s[j];\n", indent, c);
            for (int q = 0; q < 4; q++)
                fprintf(o, "%s        acc += a%d * b%d[j];\n", indent, q, q);
            fprintf(o, "%s        %s[j] = acc;\n%s    }\n%s}\n", indent, c, indent, indent);
        }
        if (kk % 4) {
            fprintf(o, "%sfor (int32_t p = %lld; p < %lld; p++) {\n", indent, k4, kk);
            fprintf(o, "%s    const float a0 = %s;\n", indent, a_at(a, &d, m, "p"));
            fprintf(o, "%s    for (int32_t j = 0; j < %lld; j++)\n", indent, n);
            fprintf(o, "%s        %s[j] += a0 * %s[p * %lld + j];\n%s}\n", indent, c, B, ldb,
                    indent);
        }
    }
    if (m > 1)
        fprintf(o, "    }\n");
}

/* ---- row-wise and reduce ops -------------------------------------------------------------- */

/* Sums in double, in order (as the trainer's, to float rounding); softmax subtracts the
 * row's maximum before exp(). The losses and the backward ops read the target or a
 * gradient, which a prediction does not have (predict_graph()). */
static void emit_op(Fw *f, Kernel *k) {
    FILE *o = f->out;
    OpDesc d = kernel_op(f->s, f->mp, k);
    const char *y = d.out->name, *xs = d.x->name;
    long long rows = count(d.rows), total = count(d.total), last = d.width;
    switch (d.op) {
    case OP_SUM:
    case OP_MEAN:
        fprintf(o, "    double sum = 0.0;\n");
        fprintf(o, "    for (int32_t k = 0; k < %lld; k++)\n", total);
        fprintf(o, "        sum += (double)%s[k];\n", xs);
        fprintf(o, "    %s[0] = (float)(sum%s);\n", y,
                d.op == OP_MEAN ? arena_printf(f->g->cx->arena, " / %lld.0", total) : "");
        return;
    case OP_SUM_TO:
        fprintf(o, "    for (int32_t j = 0; j < %lld; j++) {\n", last);
        fprintf(o, "        double sum = 0.0;\n");
        fprintf(o, "        for (int32_t i = 0; i < %lld; i++)\n", rows);
        fprintf(o, "            sum += (double)%s[i * %lld + j];\n", xs, last);
        fprintf(o, "        %s[j] = (float)sum;\n    }\n", y);
        return;
    case OP_SOFTMAX: {
        /* a loop over the rows, unless there is one */
        const char *in = rows > 1 ? "        " : "    ";
        if (rows > 1) {
            fprintf(o, "    for (int32_t i = 0; i < %lld; i++) {\n", rows);
            fprintf(o, "        const float *const row = %s + i * %lld;\n", xs, last);
            fprintf(o, "        float *const out = %s + i * %lld;\n", y, last);
        } else {
            fprintf(o, "    const float *const row = %s;\n", xs);
            fprintf(o, "    float *const out = %s;\n", y);
        }
        fprintf(o, "%sfloat max = row[0];\n", in);
        fprintf(o, "%sfor (int32_t j = 1; j < %lld; j++)\n", in, last);
        fprintf(o, "%s    max = row[j] > max ? row[j] : max;\n", in);
        fprintf(o, "%sdouble sum = 0.0;\n", in);
        fprintf(o, "%sfor (int32_t j = 0; j < %lld; j++) {\n", in, last);
        fprintf(o, "%s    out[j] = expf(row[j] - max);\n", in);
        fprintf(o, "%s    sum += (double)out[j];\n%s}\n", in, in);
        fprintf(o, "%sfor (int32_t j = 0; j < %lld; j++)\n", in, last);
        fprintf(o, "%s    out[j] /= (float)sum;\n", in);
        if (rows > 1)
            fprintf(o, "    }\n");
        return;
    }
    case OP_SOFTMAX_BWD:
    case OP_CROSS_ENTROPY:
    case OP_CROSS_ENTROPY_BWD:
    case OP_BCE_LOGITS:
    case OP_INPUT:
    case OP_TARGET:
    case OP_PARAM:
    case OP_CONST:
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
    case OP_NEG:
    case OP_RELU:
    case OP_STEP:
    case OP_SIGMOID:
    case OP_TANH:
    case OP_EXP:
    case OP_LOG:
    case OP_EXPAND:
    case OP_DROPOUT:
    case OP_MATMUL:
    case OP_RESHAPE:
    case OP_STATE: /* fw_supports() stops before */
    case OP_GELU:
    case OP_GELU_GRAD:
    case OP_ELU:
    case OP_SQRT:
    case OP_LOG_SOFTMAX:
    case OP_LOG_SOFTMAX_BWD:
    case OP_NLL:
    case OP_NLL_BWD:
    case OP_CONV2D:
    case OP_CONV2D_BWD_X:
    case OP_CONV2D_BWD_W:
    case OP_CHANNEL_SUM:
    case OP_CHANNEL_MEAN:
    case OP_CHANNEL_VAR:
    case OP_MAXPOOL2D:
    case OP_MAXPOOL2D_BWD:
    case OP_AVGPOOL2D:
    case OP_AVGPOOL2D_BWD:
    case OP_BATCHNORM:
    case OP_BATCHNORM_BWD:
    case OP_BN_DGAMMA:
    case OP_BATCHNORM_EVAL:
    case OP_ADAPTIVE_AVGPOOL2D:
    case OP_ADAPTIVE_AVGPOOL2D_BWD:
    case OP_POW:
    case OP_CLAMP:
    case OP_BETWEEN:
    case OP_GELU_TANH:
    case OP_GELU_TANH_GRAD:
    case OP_PERMUTE:
    case OP_SLICE:
    case OP_PAD:
    case OP_CONCAT:
    case OP_BROADCAST:
    case OP_SUM_AXIS:
    case OP_MAX_AXIS:
    case OP_MAX_AXIS_BWD:
    case OP_COUNT: break;
    }
    unreachable();
}

/* ---- kernels and the prediction ---------------------------------------------------------- */

static const char *kernel_fn(Fw *f, Kernel *k) {
    return arena_printf(f->g->cx->arena, "%s_%s", f->name, kernel_name(f->g->cx->arena, f->mp, k));
}

static void emit_kernel(Fw *f, int i) {
    FILE *o = f->out;
    Kernel *k = f->s->kernels.data[i];
    Arena *a = f->g->cx->arena;
    KernelArgs args = kernel_args(f->s, f->mp, k);
    kernel_comment(f, k);
    if (f->uses_t[i])
        fprintf(o, "/* (%s is stored transposed: [%lld][%lld]) */\n", kernel_gemm(f->mp, k).b->name,
                (long long)count(kernel_gemm(f->mp, k).k),
                (long long)count(kernel_gemm(f->mp, k).n));
    PtrVec params = {0};
    for (int j = 0; j < args.bufs.len; j++) {
        Buffer *b = args.bufs.data[j];
        vec_push(a, &params,
                 arena_printf(a, "%sfloat *restrict %s",
                              kernel_arg_written(&args, j) ? "" : "const ", b->name));
    }
    print_list(o, arena_printf(a, "static void %s(", kernel_fn(f, k)), &params, ") {");
    switch (k->kind) {
    case K_GEMM:
        emit_gemm(f, k, f->uses_t[i]);
        if (k->nodes.len)
            emit_elemwise_loop(f, k);
        break;
    case K_ELEMWISE: emit_elemwise_loop(f, k); break;
    case K_OP: emit_op(f, k); break;
    }
    fprintf(o, "}\n\n");
}

/* How the prediction names a buffer: a weight by its global array, anything else by the
 * local pointer of that name. */
static const char *ref(Fw *f, Buffer *b, bool transposed) {
    if (b->kind == BUF_PARAM)
        return weight_array(f, b->param, transposed);
    return b->name;
}

/* "const float in[FASHION_INPUT_SIZE]", "float out[FASHION_OUTPUT_SIZE]", "float *workspace" */
static const PtrVec *io_params(Fw *f) {
    Arena *a = f->g->cx->arena;
    PtrVec *v = NEW(a, PtrVec);
    vec_push(a, v, arena_printf(a, "const float in[%s_INPUT_SIZE]", f->upper));
    vec_push(a, v, arena_printf(a, "float out[%s_OUTPUT_SIZE]", f->upper));
    vec_push(a, v, (void *)"float *workspace");
    return v;
}

static void emit_tail(Fw *f);

static void emit_predict(Fw *f) {
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    Graph *g = f->g;
    print_list(o, arena_printf(a, "void %s_predict_with(", f->name), io_params(f), ") {");
    bool reads_in = false;
    for (int i = 0; i < f->mp->buffers.len; i++) {
        Buffer *b = f->mp->buffers.data[i];
        if (b->kind == BUF_INPUT && b->node == g->input)
            reads_in = true;
    }
    if (reads_in)
        fprintf(o, "    const float *const %s = in;\n", buf(f, g->input)->name);
    else
        fprintf(o, "    (void)in;\n");
    if (!f->workspace)
        fprintf(o, "    (void)workspace;\n");
    for (int i = 0; i < f->mp->buffers.len; i++) {
        Buffer *b = f->mp->buffers.data[i];
        if (b->kind != BUF_ACT)
            continue;
        int64_t at = b->batched ? b->offset : f->mp->per_sample + b->offset;
        fprintf(o, "    float *const %s = workspace + %lld; /* %s */\n", b->name, (long long)at,
                shape_at_1(a, b->node->shape));
    }
    for (int i = 0; i < f->s->kernels.len; i++) {
        Kernel *k = f->s->kernels.data[i];
        KernelArgs args = kernel_args(f->s, f->mp, k);
        Buffer *bt = f->uses_t[i] ? kernel_gemm(f->mp, k).b : NULL;
        PtrVec list = {0};
        for (int j = 0; j < args.bufs.len; j++) {
            Buffer *b = args.bufs.data[j];
            vec_push(a, &list, (void *)ref(f, b, b == bt));
        }
        print_list(o, arena_printf(a, "    %s(", kernel_fn(f, k)), &list, ");");
    }
    long long size = count(f->out_size);
    fprintf(o, "    for (int32_t k = 0; k < %lld; k++)\n", size);
    if (g->output->op == OP_CONST)
        fprintf(o, "        out[k] = %s;\n", float_lit(a, g->output->attr.cnst.value));
    else
        fprintf(o, "        out[k] = %s[%s];\n", ref(f, buf(f, g->output), false),
                shape_is_scalar(g->output->shape) ? "0" : "k");
    fprintf(o, "}\n\n");
    emit_tail(f);
}

/* The static arena, NAME_predict, the argmax and the class names. */
static void emit_tail(Fw *f) {
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    Graph *g = f->g;
    long long size = count(f->out_size);
    fprintf(o,
            "/* The activations of %s_predict: %lld bytes, the most the memory plan keeps\n"
            " * live at once. */\n",
            f->name, (long long)(4 * f->workspace));
    fprintf(o, "static float %s_arena[%lld];\n\n", f->name,
            (long long)(f->workspace ? f->workspace : 1));
    PtrVec two = *io_params(f);
    two.len = 2;
    print_list(o, arena_printf(a, "void %s_predict(", f->name), &two, ") {");
    fprintf(o, "    %s_predict_with(in, out, %s_arena);\n}\n\n", f->name, f->name);
    fprintf(o, "int %s_argmax(const float out[%s_OUTPUT_SIZE]) {\n", f->name, f->upper);
    fprintf(o, "    int best = 0;\n");
    fprintf(o, "    for (int k = 1; k < %lld; k++)\n", size);
    fprintf(o, "        if (out[k] > out[best] || (out[k] != out[k] && out[best] == out[best]))\n");
    fprintf(o, "            best = k;\n    return best;\n}\n");
    if (g->classes.len) {
        fprintf(o, "\nconst char *const %s_class_names[%s_NUM_CLASSES] = {\n", f->name, f->upper);
        for (int i = 0; i < g->classes.len; i++)
            fprintf(o, "    %s,\n", c_string(a, g->classes.data[i]));
        fprintf(o, "};\n");
    }
}

/* ---- the files --------------------------------------------------------------------------- */

static Fw fw_new(FILE *out, const Program *p) {
    Fw f = {0};
    f.out = out;
    f.g = p->eval;
    f.s = p->es;
    f.mp = p->emp;
    f.w = p->weights;
    MLC_ASSERT(f.g && f.s && f.mp && f.w && f.g->output && f.g->input);
    Arena *a = f.g->cx->arena;
    f.name = f.g->name;
    f.upper = upper(a, f.name);
    f.workspace = f.mp->per_sample + f.mp->fixed;
    f.in_size = count_of(f.g->input->shape);
    f.out_size = count_of(f.g->output->shape);
    for (int i = 0; i < f.g->classes.len; i++)
        f.class_bytes += (int64_t)strlen(f.g->classes.data[i]) + 1;
    f.q = p->quant;
    if (f.q) {
        /* int8: two buffers, even layers read the first and odd ones the second */
        int64_t even = 0, odd = 0;
        for (int l = 0; l < f.q->nlayers; l++) {
            const QuantLayer *L = &f.q->layers[l];
            int64_t *b = l % 2 ? &odd : &even;
            *b = L->in > *b ? L->in : *b;
            /* int8 weights, int32 biases, then an int32 multiplier and an int8 shift per
             * output, or (the last layer) a float scale */
            f.weight_bytes += L->in * L->out + 4 * L->out + (l + 1 < f.q->nlayers ? 5 : 4) * L->out;
        }
        f.workspace = (even + odd + 3) / 4;
        return f;
    }
    plan_weights(&f);
    for (int i = 0; i < f.g->params.len; i++) {
        int64_t size = 4 * shape_numel_const(((Node *)f.g->params.data[i])->shape);
        f.weight_bytes += (f.stored_plain[i] + f.stored_t[i]) * size;
    }
    return f;
}

/* What both files say on top: where they come from and what the code needs. */
static void emit_top(Fw *f) {
    FILE *o = f->out;
    Graph *g = f->g;
    fprintf(o, "/* Generated by mlc %s from %s and %s. Do not edit.\n *\n", MLC_VERSION,
            g->cx->path, f->w->path);
    fprintf(o,
            " * model %s: the evaluation forward pass at batch 1, for firmware (freestanding\n"
            " * C99: no malloc, no stdio%s).\n",
            g->name, needs_math(f) ? "; <math.h> for exp" : ", no libm");
    fprintf(o, " *   flash: %lld bytes of weights (static const arrays)",
            (long long)f->weight_bytes);
    if (g->classes.len)
        fprintf(o, ",\n *          %lld bytes of class names and %d pointers to them",
                (long long)f->class_bytes, g->classes.len);
    fprintf(o, ",\n *          and the code\n");
    fprintf(o,
            " *   RAM:   %lld bytes, the static arena of %s_predict (%s_predict_with uses\n"
            " *          the caller's workspace instead: then none)\n",
            (long long)(4 * f->workspace), g->name, g->name);
    if (f->q) {
        fprintf(o,
                " * int8 (--quantize int8): weights per output channel and activations per\n"
                " * tensor, symmetric, calibrated on %lld training samples; int32 sums and\n"
                " * integer requantization. Test accuracy (%lld images): float %.2f%%, int8 "
                "%.2f%%.\n */\n",
                (long long)f->q->ncalib, (long long)f->q->ntest, f->q->float_accuracy,
                f->q->int8_accuracy);
        return;
    }
    fprintf(o, " * Sums: each output of a matrix product adds its terms in order of the shared\n"
               " * index, from 0, in float (the same order however the loops are vectorised).\n"
               " * Compiled with the same floating-point contraction setting (-ffp-contract=off,\n"
               " * the default at -std=c99), two machines give the same bits.\n */\n");
}

/* ---- int8 ------------------------------------------------------------------------------ */

/* A const array of n integers, 16 to a line. */
static void int_array(Fw *f, const char *type, const char *name, const void *data, int64_t n,
                      int size) {
    fprintf(f->out, "static const %s %s[%lld] = {", type, name, (long long)n);
    for (int64_t i = 0; i < n; i++) {
        long long v = size == 1 ? ((const int8_t *)data)[i] : ((const int32_t *)data)[i];
        fprintf(f->out, "%s%lld%s", i % 16 ? " " : "\n    ", v, i + 1 < n ? "," : "");
    }
    fprintf(f->out, "\n};\n\n");
}

static void emit_int8(Fw *f) {
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    const Quant *q = f->q;
    int64_t even = 0;
    for (int l = 0; l < q->nlayers; l += 2)
        even = q->layers[l].in > even ? q->layers[l].in : even;
    for (int l = 0; l < q->nlayers; l++) {
        const QuantLayer *L = &q->layers[l];
        bool last = l + 1 == q->nlayers;
        Kernel *k = f->s->kernels.data[l];
        fprintf(o, "/* layer %d, ", l + 1);
        PtrVec src = kernel_sources(f->s, k);
        for (int i = 0; i < src.len; i++)
            fprintf(o, "%s%s", i ? ", " : "", (const char *)src.data[i]);
        fprintf(o,
                ": [%lld] -> [%lld]\n * weights [%lld][%lld], int8 per output channel; biases "
                "int32%s */\n",
                (long long)L->in, (long long)L->out, (long long)L->out, (long long)L->in,
                last ? "; float scales of the sums" : "; requantization m0, shift");
        const char *pre = arena_printf(a, "%s_layer%d", f->name, l + 1);
        int_array(f, "int8_t", arena_printf(a, "%s_weight", pre), L->qw, L->in * L->out, 1);
        int_array(f, "int32_t", arena_printf(a, "%s_bias", pre), L->qb, L->out, 4);
        if (last) {
            fprintf(o, "static const float %s_scale[%lld] = {", pre, (long long)L->out);
            for (int64_t j = 0; j < L->out; j++)
                fprintf(o, "%s%s%s", j % 8 ? " " : "\n    ", float_lit(a, L->deq[j]),
                        j + 1 < L->out ? "," : "");
            fprintf(o, "\n};\n\n");
        } else {
            int_array(f, "int32_t", arena_printf(a, "%s_m0", pre), L->m0, L->out, 4);
            int8_t *sh = arena_alloc(a, (size_t)L->out);
            for (int64_t j = 0; j < L->out; j++)
                sh[j] = (int8_t)L->shift[j];
            int_array(f, "int8_t", arena_printf(a, "%s_shift", pre), sh, L->out, 1);
        }
        /* an output from its int32 sum: requantized to int8, or scaled to float */
        fprintf(o, "static %s %s_out(int32_t acc, int32_t j) {\n", last ? "float" : "int8_t", pre);
        if (last) {
            fprintf(o, "    return (float)acc * %s_scale[j];\n}\n\n", pre);
        } else {
            fprintf(o, "    /* acc * m0 / 2^shift, rounded half up (>> of a negative int64 is an\n"
                       "     * arithmetic shift on every compiler this targets) */\n");
            fprintf(
                o,
                "    const int64_t v = ((int64_t)acc * %s_m0[j] + ((int64_t)1 << (%s_shift[j] - "
                "1))) >>\n                      %s_shift[j];\n",
                pre, pre, pre);
            fprintf(o, "    return (int8_t)(v < %d ? %d : v > 127 ? 127 : v);\n}\n\n",
                    L->relu ? 0 : -128, L->relu ? 0 : -128);
        }
        /* the layer: int32 sums, each an integer dot product (vectorised without any
         * question of order), four outputs at a time so the four sums are independent and
         * share each widened x */
        long long in = (long long)L->in, nout = (long long)L->out, out4 = nout - nout % 4;
        fprintf(o, "static void %s(const int8_t *restrict x, %s *restrict y) {\n", pre,
                last ? "float" : "int8_t");
        if (out4) {
            fprintf(o, "    for (int32_t j = 0; j < %lld; j += 4) {\n", out4);
            fprintf(
                o,
                "        const int8_t *const w0 = %s_weight + j * %lld, *const w1 = w0 + %lld;\n",
                pre, in, in);
            fprintf(o, "        const int8_t *const w2 = w1 + %lld, *const w3 = w2 + %lld;\n", in,
                    in);
            fprintf(o, "        int32_t acc0 = %s_bias[j], acc1 = %s_bias[j + 1];\n", pre, pre);
            fprintf(o, "        int32_t acc2 = %s_bias[j + 2], acc3 = %s_bias[j + 3];\n", pre, pre);
            fprintf(o, "        for (int32_t p = 0; p < %lld; p++) {\n", in);
            fprintf(o, "            const int32_t xp = x[p];\n");
            for (int r = 0; r < 4; r++)
                fprintf(o, "            acc%d += xp * w%d[p];\n", r, r);
            fprintf(o, "        }\n");
            for (int r = 0; r < 4; r++)
                fprintf(o, "        y[j + %d] = %s_out(acc%d, j + %d);\n", r, pre, r, r);
            fprintf(o, "    }\n");
        }
        if (nout % 4) {
            fprintf(o, "    for (int32_t j = %lld; j < %lld; j++) {\n", out4, nout);
            fprintf(o, "        const int8_t *const w = %s_weight + j * %lld;\n", pre, in);
            fprintf(o, "        int32_t acc = %s_bias[j];\n", pre);
            fprintf(o, "        for (int32_t p = 0; p < %lld; p++)\n", in);
            fprintf(o, "            acc += (int32_t)x[p] * w[p];\n");
            fprintf(o, "        y[j] = %s_out(acc, j);\n    }\n", pre);
        }
        fprintf(o, "}\n\n");
    }
    /* the prediction */
    PtrVec io = *io_params(f);
    print_list(o, arena_printf(a, "void %s_predict_with(", f->name), &io, ") {");
    fprintf(o, "    int8_t *const a = (int8_t *)workspace, *const b = a + %lld;\n",
            (long long)even);
    fprintf(o, "    /* the input to int8: round(in * 1 / scale), clamped */\n");
    fprintf(o, "    for (int32_t k = 0; k < %lld; k++) {\n", (long long)q->layers[0].in);
    fprintf(o, "        const float v = in[k] * %s;\n", float_lit(a, q->inv_scale0));
    fprintf(o, "        const int32_t r = (int32_t)(v < 0.0f ? v - 0.5f : v + 0.5f);\n");
    fprintf(o, "        a[k] = (int8_t)(r < -128 ? -128 : r > 127 ? 127 : r);\n    }\n");
    for (int l = 0; l < q->nlayers; l++)
        fprintf(o, "    %s_layer%d(%s, %s);\n", f->name, l + 1, l % 2 ? "b" : "a",
                l + 1 == q->nlayers ? "out"
                : l % 2             ? "a"
                                    : "b");
    if (q->softmax) {
        long long n = (long long)q->layers[q->nlayers - 1].out;
        fprintf(o, "    float max = out[0];\n");
        fprintf(o, "    for (int32_t j = 1; j < %lld; j++)\n", n);
        fprintf(o, "        max = out[j] > max ? out[j] : max;\n");
        fprintf(o, "    double sum = 0.0;\n");
        fprintf(o, "    for (int32_t j = 0; j < %lld; j++) {\n", n);
        fprintf(o, "        out[j] = expf(out[j] - max);\n");
        fprintf(o, "        sum += (double)out[j];\n    }\n");
        fprintf(o, "    for (int32_t j = 0; j < %lld; j++)\n", n);
        fprintf(o, "        out[j] /= (float)sum;\n");
    }
    fprintf(o, "}\n\n");
}

static void emit_firmware(FILE *out, const Program *p) {
    Fw f = fw_new(out, p);
    emit_top(&f);
    if (f.q) {
        fprintf(out, "#include \"%s.h\"\n\n#include <stdint.h>\n%s\n", f.name,
                f.q->softmax ? "#include <math.h>\n" : "");
        emit_int8(&f);
        emit_tail(&f);
        return;
    }
    fprintf(out, "#include \"%s.h\"\n\n#include <stdint.h>\n", f.name);
    if (needs_math(&f))
        fprintf(out, "#include <math.h>\n");
    fprintf(out, "\n");
    emit_weights(&f);
    if (uses_op(&f, OP_RELU))
        fprintf(out,
                "/* relu as one compare-and-select: NaN stays NaN, as in PyTorch */\n"
                "static float %s_relu(float x) {\n    return x < 0.0f ? 0.0f : x;\n}\n\n",
                f.name);
    for (int i = 0; i < f.s->kernels.len; i++)
        emit_kernel(&f, i);
    emit_predict(&f);
}

static void emit_firmware_header(FILE *out, const Program *p) {
    Fw f = fw_new(out, p);
    Graph *g = f.g;
    Arena *a = g->cx->arena;
    emit_top(&f);
    fprintf(out, "#ifndef %s_H\n#define %s_H\n\n", f.upper, f.upper);
    fprintf(out, "/* floats of the input, %s f32%s */\n", buf(&f, g->input)->name,
            shape_at_1(a, g->input->shape));
    fprintf(out, "#define %s_INPUT_SIZE %lld\n", f.upper, (long long)count(f.in_size));
    if (g->train.has_data)
        fprintf(out,
                "/* what the trainer multiplies the data set's values by (the train block's\n"
                " * scale): in[k] = (float)value * %s_INPUT_SCALE, as it was trained */\n"
                "#define %s_INPUT_SCALE %s\n",
                f.upper, f.upper, float_lit(a, g->train.scale));
    fprintf(out, "/* floats of the output, %s f32%s */\n",
            g->output->name ? g->output->name : "output", shape_at_1(a, g->output->shape));
    fprintf(out, "#define %s_OUTPUT_SIZE %lld\n", f.upper, (long long)count(f.out_size));
    fprintf(out, "/* bytes of the workspace %s_predict_with needs (aligned for float) */\n",
            f.name);
    fprintf(out, "#define %s_WORKSPACE_BYTES %lld\n", f.upper, (long long)(4 * f.workspace));
    if (g->classes.len)
        fprintf(out, "#define %s_NUM_CLASSES %d\n", f.upper, g->classes.len);
    fprintf(out, "\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    fprintf(out, "/* out = the model's output for in. Not reentrant: uses one static arena. */\n");
    PtrVec two = *io_params(&f);
    two.len = 2;
    print_list(out, arena_printf(a, "void %s_predict(", f.name), &two, ");");
    fprintf(out,
            "/* The same with the caller's workspace of %s_WORKSPACE_BYTES bytes: reentrant\n"
            " * as long as each caller has its own. */\n",
            f.upper);
    print_list(out, arena_printf(a, "void %s_predict_with(", f.name), io_params(&f), ");");
    fprintf(out,
            "/* The index of the largest output (the first on ties; NaN counts as largest). */\n");
    fprintf(out, "int %s_argmax(const float out[%s_OUTPUT_SIZE]);\n", f.name, f.upper);
    if (g->classes.len)
        fprintf(out,
                "/* The class names, in class order. */\n"
                "extern const char *const %s_class_names[%s_NUM_CLASSES];\n",
                f.name, f.upper);
    fprintf(out, "\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

/* ---- the target ------------------------------------------------------------------------------ */

static const char *const reserved[] = {
    /* C keywords a model could use as a name */
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
    "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict",
    "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "main",
    /* names the generated code uses itself */
    "in", "out", "workspace", "i", "j", "k", "p", "c", "v", "acc", "a0", "a1", "a2", "a3", "b0",
    "b1", "b2", "b3", "row", "max", "sum", "best", "x",
    /* what kernels call or name, which a parameter of the same name would hide */
    "expf", "logf", "tanhf", "int32_t", "int64_t", NULL};

/* The ops this target writes: an MLP's, its activations and sums. The image layers and the
 * newer activations are not written for it yet; they are reported where the model uses them. */
static bool fw_op(OpKind op) {
    switch (op) {
    case OP_INPUT:
    case OP_TARGET:
    case OP_PARAM:
    case OP_CONST:
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
    case OP_NEG:
    case OP_RELU:
    case OP_STEP:
    case OP_SIGMOID:
    case OP_TANH:
    case OP_EXP:
    case OP_LOG:
    case OP_EXPAND:
    case OP_DROPOUT:
    case OP_MATMUL:
    case OP_RESHAPE:
    case OP_SUM:
    case OP_MEAN:
    case OP_SUM_TO:
    case OP_SOFTMAX: return true;
    case OP_SOFTMAX_BWD:
    case OP_CROSS_ENTROPY:
    case OP_CROSS_ENTROPY_BWD:
    case OP_BCE_LOGITS:
    case OP_NLL:
    case OP_NLL_BWD:
    case OP_STATE:
    case OP_GELU:
    case OP_GELU_GRAD:
    case OP_ELU:
    case OP_SQRT:
    case OP_LOG_SOFTMAX:
    case OP_LOG_SOFTMAX_BWD:
    case OP_CONV2D:
    case OP_CONV2D_BWD_X:
    case OP_CONV2D_BWD_W:
    case OP_CHANNEL_SUM:
    case OP_CHANNEL_MEAN:
    case OP_CHANNEL_VAR:
    case OP_MAXPOOL2D:
    case OP_MAXPOOL2D_BWD:
    case OP_AVGPOOL2D:
    case OP_AVGPOOL2D_BWD:
    case OP_BATCHNORM:
    case OP_BATCHNORM_BWD:
    case OP_BN_DGAMMA:
    case OP_BATCHNORM_EVAL:
    case OP_ADAPTIVE_AVGPOOL2D:
    case OP_ADAPTIVE_AVGPOOL2D_BWD:
    case OP_POW:
    case OP_CLAMP:
    case OP_BETWEEN:
    case OP_GELU_TANH:
    case OP_GELU_TANH_GRAD:
    case OP_PERMUTE:
    case OP_SLICE:
    case OP_PAD:
    case OP_CONCAT:
    case OP_BROADCAST:
    case OP_SUM_AXIS:
    case OP_MAX_AXIS:
    case OP_MAX_AXIS_BWD: return false;
    case OP_COUNT: break;
    }
    unreachable();
}

static bool fw_supports(Graph *g) {
    bool ok = true;
    for (int i = 0; i < g->nodes.len; i++) {
        Node *n = g->nodes.data[i];
        if (!fw_op(n->op) && n->op != OP_STATE) { /* a state is batch norm's, reported there */
            diag_error(g->cx, n->loc, "the firmware target cannot compile %s yet",
                       n->op == OP_BATCHNORM_EVAL ? "batch norm" : op_info[n->op].name);
            ok = false;
        }
    }
    return ok;
}

const Target target_firmware = {
    .name = "firmware",
    .extension = ".c",
    .reserved = reserved,
    .has_blas = false,
    .has_device = false,
    .static_memory = true,
    .predict_only = true,
    .supports = fw_supports,
    .emit = emit_firmware,
    .emit_header = emit_firmware_header,
    .build = NULL,
};
