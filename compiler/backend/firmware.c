/* backend/firmware.c: the firmware target.
 *
 * Writes one freestanding C99 source and its header that predict with the trained model at
 * batch 1: the evaluation forward pass reduced to the output (predict_graph(), planned on its
 * own), with the weights (Program.weights) built in as static const arrays, so they live in
 * flash. Nothing is allocated: the activations share one static arena whose size the memory
 * plan fixes (NAME_predict), or a workspace the caller passes (NAME_predict_with, reentrant;
 * the header gives NAME_WORKSPACE_BYTES). The code includes no stdio and no BLAS, and
 * <math.h> only when an op needs it (softmax's exp, sigmoid, tanh, exp, log, gelu's erf, ...).
 * Every global name starts with the model's name.
 *
 * Matrix products are plain loops written so that gcc vectorises them at -O2 without
 * -ffast-math: the output index j is the inner loop, so the lanes of a vector are different
 * outputs and no sum is reordered. Each output is summed in one documented order, over the
 * shared index p from 0 up, starting from 0. A weight used as the right operand transposed
 * (a linear layer's x @ Wᵀ) is stored transposed, [in][out], so the inner loop reads it
 * contiguously; with 16 | out and 4 | in, in blocks of 4 rows x 16 columns, so that four
 * rows are one stream. Four values of p share each pass over j and keep the partial sum in
 * a register; the order of the sum is the same. Against such a weight (finite), a term whose
 * input is 0 is skipped: it would add a zero, which leaves the sum's bits as they are
 * (emit_gemm_weight).
 *
 * Image models: before fusing, fw_prepare() folds each batch norm into the convolution before
 * it; a convolution is direct loops (no im2col columns: Target.direct_conv) over each output
 * channel's rows, its kernel columns written out so the loops over a row vectorise; pooling
 * and a remaining batch norm are plain loops. With --quantize int8, emit_int8() writes the
 * chain backend/quant.c planned. With --train, emit_train() writes the training graph's
 * kernels at batch 1 (Program.g, .s, .mp) and NAME_train_step: the weights and running
 * statistics become static float arrays the step updates, and its exp is its own, so every
 * machine computes the same weights.
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
    const Quant *q;     /* --quantize int8, or NULL */
    const char *name;   /* the model's name: the prefix of every global */
    const char *upper;  /* the same in capitals: the prefix of the header's macros */
    bool *stored_plain; /* per parameter: its array is emitted as the file has it */
    bool *stored_t;     /* per parameter: its array is emitted transposed */
    bool *blocked;      /* per parameter: transposed in blocks of 4 rows x 16 columns */
    bool *uses_t;       /* per kernel: its product reads its weight transposed */
    int64_t workspace;  /* floats of the prediction's workspace */
    int64_t arena;      /* floats of the static arena (with --train: the larger plan's) */
    /* the train block's normalize: the prediction and the training step normalize their input
     * into the workspace at these offsets (floats); norm is false without one */
    bool norm;
    int64_t norm_at, train_norm_at;
    int64_t weight_bytes; /* of the const arrays */
    int64_t class_bytes;  /* of the class names' strings */
    Count in_size, out_size;
    const PtrVec *folded; /* Program.folded: batch norms folded into a convolution */
    /* --train: the training graph at batch 1 (Program.g, .s, .mp: forward, backward, and
     * plain SGD folded into the weight-gradient products); the weights are then static
     * float arrays the training step updates, read by the prediction too. NULL otherwise. */
    Graph *tg;
    Schedule *ts;
    MemPlan *tmp;
    bool sgd;            /* writing the training kernels: a folded product updates its weight */
    int64_t grad_floats; /* --train: of the gradients not folded into a product */
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

/* Does any kernel of schedule s use op, in an element expression or as its own op? */
static bool schedule_uses(Schedule *s, MemPlan *mp, OpKind op) {
    for (int i = 0; i < s->kernels.len; i++) {
        Kernel *k = s->kernels.data[i];
        if (k->kind == K_OP && k->root->op == op)
            return true;
        if ((k->kind == K_ELEMWISE || (k->kind == K_GEMM && k->nodes.len)) &&
            elem_uses(kernel_loop(s, mp, k).value, op))
            return true;
    }
    return false;
}

/* Does the prediction, or the training step, use op? */
static bool uses_op(Fw *f, OpKind op) {
    return schedule_uses(f->s, f->mp, op) || (f->ts && schedule_uses(f->ts, f->tmp, op));
}

/* Does a max pool have padding (a window wholly in it gives -HUGE_VALF)? */
static bool padded_maxpool(Fw *f) {
    for (int i = 0; i < f->s->kernels.len; i++) {
        Kernel *k = f->s->kernels.data[i];
        if (k->kind == K_OP && k->root->op == OP_MAXPOOL2D &&
            (k->root->attr.win.pad[0] || k->root->attr.win.pad[1]))
            return true;
    }
    return false;
}

static bool needs_math(Fw *f) {
    return uses_op(f, OP_SOFTMAX) || uses_op(f, OP_SIGMOID) || uses_op(f, OP_TANH) ||
           uses_op(f, OP_EXP) || uses_op(f, OP_LOG) || uses_op(f, OP_GELU) || uses_op(f, OP_ELU) ||
           uses_op(f, OP_SQRT) || uses_op(f, OP_LOG_SOFTMAX) || uses_op(f, OP_CROSS_ENTROPY) ||
           uses_op(f, OP_POW) || uses_op(f, OP_GELU_TANH) || padded_maxpool(f);
}

/* The buffers a kernel's function takes: kernel_args(), except that a batch norm left as a
 * per-channel scale and shift reads its two const arrays (emit_image) instead of gamma,
 * beta and the running statistics. */
static KernelArgs fw_args(Fw *f, Kernel *k) {
    KernelArgs args = kernel_args(f->s, f->mp, k);
    if (k->kind != K_OP || k->root->op != OP_BATCHNORM_EVAL || f->tg)
        return args; /* (with --train the running statistics change: it reads them) */
    KernelArgs kept = {0};
    Arena *a = f->g->cx->arena;
    for (int i = 0; i < args.bufs.len; i++) {
        Buffer *b = args.bufs.data[i];
        if (b->kind == BUF_PARAM || b->kind == BUF_STATE)
            continue;
        vec_push(a, &kept.bufs, b);
        vec_push(a, &kept.written, args.written.data[i]);
    }
    return kept;
}

/* How many nodes read n (each operand counted), and whether n is the output. */
static int readers(Graph *g, const Node *n) {
    int uses = g->output == n;
    for (int i = 0; i < g->nodes.len; i++) {
        Node *m = g->nodes.data[i];
        for (int k = 0; k < m->nin; k++)
            uses += m->in[k] == n;
    }
    return uses;
}

static int param_index(Graph *g, const Node *n) {
    for (int p = 0; p < g->params.len; p++)
        if (g->params.data[p] == n)
            return p;
    return -1;
}

static int state_index(Graph *g, const Node *n) {
    for (int i = 0; i < g->states.len; i++)
        if (g->states.data[i] == n)
            return i;
    MLC_ASSERT(0 && "batchnorm_eval reads a running statistic that is not a state");
    return -1;
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
    f->blocked = arena_alloc(a, sizeof(bool) * (size_t)np);
    f->uses_t = arena_alloc(a, sizeof(bool) * (size_t)nk);
    for (int i = 0; i < f->s->kernels.len; i++) {
        Kernel *k = f->s->kernels.data[i];
        Buffer *bt = NULL;
        if (k->kind == K_GEMM) {
            GemmDesc d = kernel_gemm(f->mp, k);
            bool epilogue_reads =
                k->nodes.len && elem_loads(kernel_loop(f->s, f->mp, k).value, d.b);
            if (d.tb && d.b->kind == BUF_PARAM && d.a != d.b && !epilogue_reads && !f->tg)
                bt = d.b; /* (a weight the training step updates has one copy) */
        }
        f->uses_t[i] = bt != NULL;
        if (bt)
            f->stored_t[bt->param] = true;
        KernelArgs args = fw_args(f, k);
        for (int j = 0; j < args.bufs.len; j++) {
            Buffer *b = args.bufs.data[j];
            if (b->kind == BUF_PARAM && b != bt)
                f->stored_plain[b->param] = true;
        }
    }
    Buffer *ob = f->g->output->op == OP_CONST ? NULL : buf(f, f->g->output);
    if (ob && ob->kind == BUF_PARAM)
        f->stored_plain[ob->param] = true;
    for (int p = 0; f->tg && p < f->g->params.len; p++)
        f->stored_plain[p] = true; /* the training step reads and updates every one */
    for (int p = 0; p < f->g->params.len; p++) {
        Shape s = ((Node *)f->g->params.data[p])->shape; /* [out][in] */
        f->blocked[p] = f->stored_t[p] && s.rank == 2 && s.dim[0] % 16 == 0 && s.dim[1] % 4 == 0;
    }
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
            for (int i = 0; f->folded && i + 1 < f->folded->len; i += 2) {
                const Node *bn = f->folded->data[i], *conv = f->folded->data[i + 1];
                if (conv->in[1] == w || conv->in[2] == w)
                    fprintf(o, "/* %s: batch norm %s folded in */\n",
                            conv->in[1] == w ? "weights" : "bias", ir_where(f->g, bn->loc));
            }
            bool blocked = t && f->blocked[p];
            if (blocked)
                fprintf(o,
                        "/* %s, %s, stored transposed in blocks of 4 rows x 16 columns:\n"
                        " * [%lld][%lld][4][16], element [p][j] of the transpose at\n"
                        " * [p / 4][j / 16][p %% 4][j %% 16] */\n",
                        w->attr.leaf.pname, shape_str(a, w->shape, DT_F32), (long long)cols / 4,
                        (long long)rows / 16);
            else if (t)
                fprintf(o, "/* %s, %s, stored transposed: [%lld][%lld] */\n", w->attr.leaf.pname,
                        shape_str(a, w->shape, DT_F32), (long long)cols, (long long)rows);
            else
                fprintf(o, "/* %s, %s */\n", w->attr.leaf.pname, shape_str(a, w->shape, DT_F32));
            fprintf(o, "static %sfloat %s[%lld] = {", f->tg ? "" : "const ", weight_array(f, p, t),
                    (long long)size);
            for (int64_t i = 0; i < size; i++) {
                /* element [p][j] of the transpose is [j][p] of the file's [rows][cols] */
                int64_t pp = i / rows, j = i % rows;
                if (blocked) {
                    int64_t in_group = i % (4 * rows); /* [j / 16][p % 4][j % 16] */
                    pp = i / (4 * rows) * 4 + in_group % 64 / 16;
                    j = in_group / 64 * 16 + in_group % 16;
                }
                double x = t ? v[j * cols + pp] : v[i];
                fprintf(o, "%s%s%s", i % 8 ? " " : "\n    ", float_lit(a, x),
                        i + 1 < size ? "," : "");
            }
            fprintf(o, "\n};\n\n");
        }
    }
}

/* ---- comments: where a kernel comes from and what it computes ------------------------------- */

/* The batch norm folded into the convolution n, or NULL. */
static const Node *folded_bn(Fw *f, const Node *n) {
    for (int i = 0; f->folded && i + 1 < f->folded->len; i += 2)
        if (f->folded->data[i + 1] == n)
            return f->folded->data[i];
    return NULL;
}

static void kernel_comment(Fw *f, Kernel *k) {
    PtrVec src = kernel_sources(f->s, k), math = kernel_math(f->s, f->mp, k);
    const Node *bn = folded_bn(f, k->root);
    fprintf(f->out, "/* ");
    for (int i = 0; i < src.len; i++)
        fprintf(f->out, "%s%s\n", i ? " * " : "", (const char *)src.data[i]);
    if (bn)
        fprintf(f->out,
                " * %s\n"
                " *   folded in: the weights scaled and the bias shifted per output channel by\n"
                " *   the running statistics (the bias array is the batch norm's)\n",
                arena_printf(f->g->cx->arena, "%s  %s", ir_where(f->g, bn->loc),
                             ir_source_text(f->g, bn->loc)));
    for (int i = 0; i < math.len; i++)
        fprintf(f->out, " *   %s\n", (const char *)math.data[i]);
    fprintf(f->out, " */\n");
}

/* ---- elementwise loops ------------------------------------------------------------------- */

/* The exp of the kernels being written: the C library's expf, or in the training step its own
 * (NAME_expf), which gives the same bits on every machine, so the weights do too. */
static const char *fw_expf(Fw *f) {
    return f->sgd ? arena_printf(f->g->cx->arena, "%s_expf", f->name) : "expf";
}

/* An element expression in C, with the firmware's own element functions (NAME_relu). */
static CExpr fw_elem(Fw *f, const Elem *x) {
    CSpell spell = {f->name, fw_expf(f), true};
    return c_elem(f->g->cx->arena, &spell, x);
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

/* C = op(A) Wᵀ with W a weight stored transposed, [k][n] (blocked: in blocks of 4 rows x 16
 * columns, f->blocked). Each output adds its terms in order of p from 0, as emit_gemm() does,
 * but skips the terms whose A(p) is 0: a weight is finite (weights.c checks), so such a term is
 * +0 or -0, which added to anything but -0 changes nothing, and in round to nearest a sum
 * that starts at +0 is never -0 (x + -x is +0): the result has the same bits. The
 * rows of W whose input is not 0 are taken four at a time in order of p (nz[], nnz), each pass
 * over the outputs adding their four terms in that order; the last one to three one at a
 * time. Blocked, the four rows' 16 columns of a block are 256 contiguous bytes, so a pass over
 * rows 4q..4q+3 reads W as one stream; the inner loop of 16 outputs vectorises at -O2. */
/* Where row p of a weight stored transposed (n columns) starts: blocked, its column j is then
 * at [j / 16 * 64 + j % 16]. */
static const char *w_row(Arena *a, const char *w, const char *p, bool blocked, long long n) {
    if (blocked)
        return arena_printf(a, "%s + %s / 4 * %lld + %s %% 4 * 16", w, p, 4 * n, p);
    return arena_printf(a, "%s + %s * %lld", w, p, n);
}

/* "for each row i of C (m of n columns): c = its row" where m > 1; *c and *indent are what the
 * row's loops then write to and are indented by. close_rows() ends it. */
static void open_rows(FILE *o, long long m, long long n, const char *C, const char **c,
                      const char **indent) {
    *c = C;
    *indent = "    ";
    if (m > 1) {
        fprintf(o, "    for (int32_t i = 0; i < %lld; i++) {\n", m);
        fprintf(o, "        float *const c = %s + i * %lld;\n", C, n);
        *c = "c";
        *indent = "        ";
    }
}
static void close_rows(FILE *o, long long m) {
    if (m > 1)
        fprintf(o, "    }\n");
}

static void emit_gemm_weight(Fw *f, Kernel *k) {
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    GemmDesc d = kernel_gemm(f->mp, k);
    long long m = count(d.m), n = count(d.n), kk = count(d.k);
    bool blocked = f->blocked[d.b->param];
    const char *B = d.b->name, *c, *in;
    open_rows(o, m, n, buf(f, k->root)->name, &c, &in);
    fprintf(o, "%sfor (int32_t j = 0; j < %lld; j++)\n", in, n);
    fprintf(o, "%s    %s[j] = 0.0f;\n", in, c);
    fprintf(o, "%sint32_t nz[4], nnz = 0; /* rows of W whose input is not 0 */\n", in);
    fprintf(o, "%sfor (int32_t p = 0; p < %lld; p++) {\n", in, kk);
    fprintf(o, "%s    if (%s == 0.0f)\n", in, a_at(a, &d, m, "p"));
    fprintf(o, "%s        continue; /* its terms are zeros */\n", in);
    fprintf(o, "%s    nz[nnz++] = p;\n", in);
    fprintf(o, "%s    if (nnz < 4)\n%s        continue;\n", in, in);
    fprintf(o, "%s    nnz = 0;\n", in);
    fprintf(o, "%s    const float a0 = %s, a1 = %s;\n", in, a_at(a, &d, m, "nz[0]"),
            a_at(a, &d, m, "nz[1]"));
    fprintf(o, "%s    const float a2 = %s, a3 = %s;\n", in, a_at(a, &d, m, "nz[2]"),
            a_at(a, &d, m, "nz[3]"));
    for (int q = 0; q < 4; q++)
        fprintf(o, "%s    const float *const b%d = %s;\n", in, q,
                w_row(a, B, arena_printf(a, "nz[%d]", q), blocked, n));
    const char *at = blocked ? "4 * jb + j" : "j";
    if (blocked) {
        fprintf(o, "%s    for (int32_t jb = 0; jb < %lld; jb += 16)\n", in, n);
        fprintf(o, "%s        for (int32_t j = 0; j < 16; j++) {\n", in);
        fprintf(o, "%s            float acc = %s[jb + j];\n", in, c);
        for (int q = 0; q < 4; q++)
            fprintf(o, "%s            acc += a%d * b%d[%s];\n", in, q, q, at);
        fprintf(o, "%s            %s[jb + j] = acc;\n%s        }\n", in, c, in);
    } else {
        fprintf(o, "%s    for (int32_t j = 0; j < %lld; j++) {\n", in, n);
        fprintf(o, "%s        float acc = %s[j];\n", in, c);
        for (int q = 0; q < 4; q++)
            fprintf(o, "%s        acc += a%d * b%d[%s];\n", in, q, q, at);
        fprintf(o, "%s        %s[j] = acc;\n%s    }\n", in, c, in);
    }
    fprintf(o, "%s}\n", in);
    fprintf(o, "%sfor (int32_t r = 0; r < nnz; r++) {\n", in);
    fprintf(o, "%s    const float a0 = %s;\n", in, a_at(a, &d, m, "nz[r]"));
    fprintf(o, "%s    const float *const b0 = %s;\n", in, w_row(a, B, "nz[r]", blocked, n));
    if (blocked) {
        fprintf(o, "%s    for (int32_t jb = 0; jb < %lld; jb += 16)\n", in, n);
        fprintf(o, "%s        for (int32_t j = 0; j < 16; j++)\n", in);
        fprintf(o, "%s            %s[jb + j] += a0 * b0[%s];\n", in, c, at);
    } else {
        fprintf(o, "%s    for (int32_t j = 0; j < %lld; j++)\n", in, n);
        fprintf(o, "%s        %s[j] += a0 * b0[j];\n", in, c);
    }
    fprintf(o, "%s}\n", in);
    close_rows(o, m);
}

static void emit_gemm(Fw *f, Kernel *k, bool bt) {
    if (bt) {
        emit_gemm_weight(f, k);
        return;
    }
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    GemmDesc d = kernel_gemm(f->mp, k);
    long long m = count(d.m), n = count(d.n), kk = count(d.k);
    long long ldb = d.ldb;
    const char *B = d.b->name, *c, *indent;
    bool row_major_b = !d.tb;
    open_rows(o, m, n, buf(f, k->root)->name, &c, &indent);
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
    close_rows(o, m);
}

/* ---- image ops ---------------------------------------------------------------------------- */

/* Along one dimension, the output positions q in [*lo, *hi) whose input position
 * q stride - pad + i dil, at kernel offset i, falls inside the image: the rest read padding
 * (mlc_window_inside of the runtime). */
static void inside(int64_t out, int64_t i, int64_t stride, int64_t pad, int64_t dil, int64_t size,
                   int64_t *lo, int64_t *hi) {
    int64_t first = pad - i * dil, last = size + pad - i * dil;
    *lo = first <= 0 ? 0 : (first + stride - 1) / stride;
    *hi = last <= 0 ? 0 : (last + stride - 1) / stride;
    if (*hi > out)
        *hi = out;
    if (*lo > *hi)
        *lo = *hi;
}

/* conv2d, one output channel o at a time (its group's input channels):
 *     y[o][p][q] = b[o] + sum over (ic, i, j) of W[o][ic][i][j] x[ic][p sh - ph + i dh][q sw - pw +
 * j dw] Each output starts from its bias and adds its terms in order of input channel, kernel row,
 * kernel column (im2col's row order), in float; terms that fall in the padding are left out.
 * No columns are built: the RAM is the input and the output. The kernel columns j are
 * written out one by one, so the range of output columns q that each reads inside the image
 * is a constant; the loop over q is innermost and contiguous in y, and it runs in a part
 * whose length is a multiple of 4 and the rest, so that gcc vectorises it at -O2 (each lane
 * is another output: no sum is reordered). */
static void emit_conv(Fw *f, const OpDesc *d) {
    FILE *o = f->out;
    const Window *w = &d->win;
    long long g = w->groups, cg = d->c / g, og = d->oc / g, kh = w->k[0], kw = w->k[1];
    long long plane = d->oh * d->ow, in_plane = d->h * d->w;
    const char *x = d->in[0]->name, *W = d->in[1]->name, *y = d->out->name;
    fprintf(o, "    for (int32_t o = 0; o < %lld; o++) {\n", (long long)d->oc);
    fprintf(o, "        float *const yo = %s + o * %lld;\n", y, plane);
    if (g > 1)
        fprintf(o, "        const float *const xg = %s + (o / %lld) * %lld;\n", x, og,
                cg * in_plane);
    else
        fprintf(o, "        const float *const xg = %s;\n", x);
    fprintf(o, "        for (int32_t k = 0; k < %lld; k++)\n", plane);
    if (d->in[2])
        fprintf(o, "            yo[k] = %s[o];\n", d->in[2]->name);
    else
        fprintf(o, "            yo[k] = 0.0f;\n");
    fprintf(o, "        for (int32_t ic = 0; ic < %lld; ic++)\n", cg);
    fprintf(o, "            for (int32_t i = 0; i < %lld; i++) {\n", kh);
    fprintf(o,
            "                const float *const wr = %s + ((o * %lld + ic) * %lld + i) * %lld;\n",
            W, cg, kh, kw);
    fprintf(o, "                for (int32_t p = 0; p < %lld; p++) {\n", (long long)d->oh);
    const char *ind = "                    ";
    fprintf(o, "%sconst int32_t r = p * %lld - %lld + i * %lld;\n", ind, (long long)w->stride[0],
            (long long)w->pad[0], (long long)w->dil[0]);
    if (w->pad[0])
        fprintf(o, "%sif (r < 0 || r >= %lld)\n%s    continue;\n", ind, (long long)d->h, ind);
    fprintf(o, "%sconst float *const xr = xg + (ic * %lld + r) * %lld;\n", ind, (long long)d->h,
            (long long)d->w);
    fprintf(o, "%sfloat *const yr = yo + p * %lld;\n", ind, (long long)d->ow);
    for (long long j = 0; j < kw; j++) {
        int64_t lo, hi;
        inside(d->ow, j, w->stride[1], w->pad[1], w->dil[1], d->w, &lo, &hi);
        if (lo == hi)
            continue;
        long long mid = lo + (hi - lo) / 4 * 4, off = j * w->dil[1] - w->pad[1];
        const char *at =
            off == 0 && w->stride[1] == 1 ? "q"
            : w->stride[1] == 1
                ? arena_printf(f->g->cx->arena, "q %c %lld", off < 0 ? '-' : '+', llabs(off))
                : arena_printf(f->g->cx->arena, "q * %lld %c %lld", (long long)w->stride[1],
                               off < 0 ? '-' : '+', llabs(off));
        fprintf(o, "%s{ /* kernel column %lld */\n", ind, j);
        fprintf(o, "%s    const float wj = wr[%lld];\n", ind, j);
        if (mid > lo)
            fprintf(
                o, "%s    for (int32_t q = %lld; q < %lld; q++)\n%s        yr[q] += wj * xr[%s];\n",
                ind, (long long)lo, mid, ind, at);
        if (hi > mid)
            fprintf(
                o, "%s    for (int32_t q = %lld; q < %lld; q++)\n%s        yr[q] += wj * xr[%s];\n",
                ind, mid, (long long)hi, ind, at);
        fprintf(o, "%s}\n", ind);
    }
    fprintf(o, "                }\n            }\n    }\n");
}

/* maxpool2d and avgpool2d, one channel plane at a time. Max: the first largest element of
 * the window (NaN counts as the largest), as PyTorch; a window wholly in the padding gives
 * -infinity. Avg: the window's sum in double, in row order, times 1 / (kh kw) in float
 * (the padding counts in the window: count_include_pad), as the trainer computes it. */
static void emit_pool(Fw *f, const OpDesc *d) {
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    const Window *w = &d->win;
    bool max = d->op == OP_MAXPOOL2D;
    fprintf(o, "    for (int32_t c = 0; c < %lld; c++) {\n", (long long)d->c);
    fprintf(o, "        const float *const plane = %s + c * %lld;\n", d->in[0]->name,
            (long long)(d->h * d->w));
    fprintf(o, "        float *const yc = %s + c * %lld;\n", d->out->name,
            (long long)(d->oh * d->ow));
    fprintf(o, "        for (int32_t p = 0; p < %lld; p++)\n", (long long)d->oh);
    fprintf(o, "            for (int32_t q = 0; q < %lld; q++) {\n", (long long)d->ow);
    const char *ind = "                ";
    if (max)
        fprintf(o, "%sfloat best = 0.0f;\n%sint32_t seen = 0;\n", ind, ind);
    else
        fprintf(o, "%sdouble sum = 0.0;\n", ind);
    fprintf(o, "%sfor (int32_t i = 0; i < %lld; i++) {\n", ind, (long long)w->k[0]);
    fprintf(o, "%s    const int32_t r = p * %lld - %lld + i * %lld;\n", ind,
            (long long)w->stride[0], (long long)w->pad[0], (long long)w->dil[0]);
    if (w->pad[0])
        fprintf(o, "%s    if (r < 0 || r >= %lld)\n%s        continue;\n", ind, (long long)d->h,
                ind);
    fprintf(o, "%s    for (int32_t j = 0; j < %lld; j++) {\n", ind, (long long)w->k[1]);
    fprintf(o, "%s        const int32_t s = q * %lld - %lld + j * %lld;\n", ind,
            (long long)w->stride[1], (long long)w->pad[1], (long long)w->dil[1]);
    if (w->pad[1])
        fprintf(o, "%s        if (s < 0 || s >= %lld)\n%s            continue;\n", ind,
                (long long)d->w, ind);
    fprintf(o, "%s        const float v = plane[r * %lld + s];\n", ind, (long long)d->w);
    if (max) {
        fprintf(o, "%s        if (!seen || v > best || (v != v && best == best))\n", ind);
        fprintf(o, "%s            best = v;\n%s        seen = 1;\n", ind, ind);
    } else {
        fprintf(o, "%s        sum += (double)v;\n", ind);
    }
    fprintf(o, "%s    }\n%s}\n", ind, ind);
    if (max && (w->pad[0] || w->pad[1]))
        fprintf(o, "%syc[p * %lld + q] = seen ? best : -HUGE_VALF;\n", ind, (long long)d->ow);
    else if (max)
        fprintf(o, "%syc[p * %lld + q] = best;\n", ind, (long long)d->ow);
    else
        fprintf(o, "%syc[p * %lld + q] = (float)sum * %s;\n", ind, (long long)d->ow,
                float_lit(a, (double)(1.0f / (float)(w->k[0] * w->k[1]))));
    fprintf(o, "            }\n    }\n");
}

/* The arrays of a batch norm that stays one (not after a convolution): per channel,
 * y = x scale + shift with scale = gamma / sqrt(var + eps) and shift = beta - mean scale,
 * computed here in double and rounded once. */
static const char *bn_array(Fw *f, Kernel *k, const char *what) {
    return arena_printf(f->g->cx->arena, "%s_%s_%s", f->name, buf(f, k->root)->name, what);
}

static void emit_bn_arrays(Fw *f, Kernel *k) {
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    Graph *g = f->g;
    Node *n = k->root;
    int64_t c = n->in[0]->shape.dim[1];
    const float *gamma = f->w->data[param_index(g, n->in[1])];
    const float *beta = f->w->data[param_index(g, n->in[2])];
    const float *mean = f->w->state[state_index(g, n->in[3])];
    const float *var = f->w->state[state_index(g, n->in[4])];
    for (int t = 0; t < 2; t++) {
        fprintf(o, "/* %s, %s: batch norm as y = x * scale + shift per channel */\n",
                t ? "shift" : "scale", ir_where(g, n->loc));
        fprintf(o, "static const float %s[%lld] = {", bn_array(f, k, t ? "shift" : "scale"),
                (long long)c);
        for (int64_t i = 0; i < c; i++) {
            double sc = (double)gamma[i] / sqrt((double)var[i] + n->attr.bn.eps);
            double v = t ? (double)beta[i] - (double)mean[i] * sc : sc;
            fprintf(o, "%s%s%s", i % 8 ? " " : "\n    ", float_lit(a, v), i + 1 < c ? "," : "");
        }
        fprintf(o, "\n};\n\n");
    }
}

/* The training step's image ops (one image), each output's terms added in a fixed order:
 *   conv2d_bwd_x:  dx = 0, then for each output channel o, kernel row i and column j,
 *                  dx[ic][p sh - ph + i dh][q sw - pw + j dw] += W[o][ic][i][j] dy[o][p][q]
 *   conv2d_bwd_w:  dW[o][ic][i][j] = sum over p, q (in that order, in float) of dy[o][p][q] x[..]
 *   maxpool2d_bwd: dx = 0, then each dy to the first largest element of its window
 *   avgpool2d_bwd: dx = 0, then each dy / (kh kw) to every element of its window inside
 *   channel_sum:   per channel, the sum of its values in double */
static void emit_image_bwd(Fw *f, const OpDesc *d) {
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    const Window *w = &d->win;
    const char *y = d->out->name;
    if (d->op == OP_CHANNEL_SUM) {
        fprintf(o, "    for (int32_t c = 0; c < %lld; c++) {\n", (long long)d->c);
        fprintf(o, "        double sum = 0.0;\n");
        fprintf(o, "        for (int32_t k = 0; k < %lld; k++)\n", (long long)d->spatial);
        fprintf(o, "            sum += (double)%s[c * %lld + k];\n", d->in[0]->name,
                (long long)d->spatial);
        fprintf(o, "        %s[c] = (float)sum;\n    }\n", y);
        return;
    }
    long long in_plane = d->h * d->w, out_plane = d->oh * d->ow;
    if (d->op == OP_CONV2D_BWD_W) {
        long long g = w->groups, cg = d->c / g, og = d->oc / g;
        fprintf(o, "    for (int32_t o = 0; o < %lld; o++)\n", (long long)d->oc);
        fprintf(o, "        for (int32_t ic = 0; ic < %lld; ic++)\n", cg);
        fprintf(o, "            for (int32_t i = 0; i < %lld; i++)\n", (long long)w->k[0]);
        fprintf(o, "                for (int32_t j = 0; j < %lld; j++) {\n", (long long)w->k[1]);
        const char *ind = "                    ";
        fprintf(o, "%sconst float *const xc = %s + ((o / %lld) * %lld + ic) * %lld;\n", ind,
                d->in[1]->name, og, cg, in_plane);
        fprintf(o, "%sconst float *const dyo = %s + o * %lld;\n", ind, d->in[0]->name, out_plane);
        fprintf(o, "%sconst int32_t first = %lld - j * %lld, last = %lld - j * %lld;\n", ind,
                (long long)w->pad[1], (long long)w->dil[1], (long long)(d->w + w->pad[1]),
                (long long)w->dil[1]);
        fprintf(o, "%sconst int32_t lo = first <= 0 ? 0 : (first + %lld) / %lld;\n", ind,
                (long long)(w->stride[1] - 1), (long long)w->stride[1]);
        fprintf(o, "%sconst int32_t end = last <= 0 ? 0 : (last + %lld) / %lld;\n", ind,
                (long long)(w->stride[1] - 1), (long long)w->stride[1]);
        fprintf(o, "%sconst int32_t hi = end < %lld ? end : %lld;\n", ind, (long long)d->ow,
                (long long)d->ow);
        fprintf(o, "%sfloat acc = 0.0f;\n", ind);
        fprintf(o, "%sfor (int32_t p = 0; p < %lld; p++) {\n", ind, (long long)d->oh);
        fprintf(o, "%s    const int32_t r = p * %lld - %lld + i * %lld;\n", ind,
                (long long)w->stride[0], (long long)w->pad[0], (long long)w->dil[0]);
        fprintf(o, "%s    if (r < 0 || r >= %lld)\n%s        continue;\n", ind, (long long)d->h,
                ind);
        fprintf(o, "%s    for (int32_t q = lo; q < hi; q++)\n", ind);
        fprintf(o,
                "%s        acc += dyo[p * %lld + q] * xc[r * %lld + q * %lld + j * %lld - %lld];\n",
                ind, (long long)d->ow, (long long)d->w, (long long)w->stride[1],
                (long long)w->dil[1], (long long)w->pad[1]);
        fprintf(o, "%s}\n", ind);
        fprintf(o, "%s%s[((o * %lld + ic) * %lld + i) * %lld + j] = acc;\n", ind, y, cg,
                (long long)w->k[0], (long long)w->k[1]);
        fprintf(o, "                }\n");
        return;
    }
    fprintf(o, "    for (int32_t k = 0; k < %lld; k++)\n", (long long)(d->c * in_plane));
    fprintf(o, "        %s[k] = 0.0f;\n", y);
    if (d->op == OP_CONV2D_BWD_X) {
        long long g = w->groups, cg = d->c / g, og = d->oc / g;
        fprintf(o, "    for (int32_t o = 0; o < %lld; o++)\n", (long long)d->oc);
        fprintf(o, "        for (int32_t ic = 0; ic < %lld; ic++)\n", cg);
        fprintf(o, "            for (int32_t i = 0; i < %lld; i++)\n", (long long)w->k[0]);
        fprintf(o, "                for (int32_t j = 0; j < %lld; j++) {\n", (long long)w->k[1]);
        const char *ind = "                    ";
        fprintf(o, "%sconst float wv = %s[((o * %lld + ic) * %lld + i) * %lld + j];\n", ind,
                d->in[1]->name, cg, (long long)w->k[0], (long long)w->k[1]);
        fprintf(o, "%sfloat *const dxc = %s + ((o / %lld) * %lld + ic) * %lld;\n", ind, y, og, cg,
                in_plane);
        fprintf(o, "%sconst float *const dyo = %s + o * %lld;\n", ind, d->in[0]->name, out_plane);
        fprintf(o, "%sconst int32_t first = %lld - j * %lld, last = %lld - j * %lld;\n", ind,
                (long long)w->pad[1], (long long)w->dil[1], (long long)(d->w + w->pad[1]),
                (long long)w->dil[1]);
        fprintf(o, "%sconst int32_t lo = first <= 0 ? 0 : (first + %lld) / %lld;\n", ind,
                (long long)(w->stride[1] - 1), (long long)w->stride[1]);
        fprintf(o, "%sconst int32_t end = last <= 0 ? 0 : (last + %lld) / %lld;\n", ind,
                (long long)(w->stride[1] - 1), (long long)w->stride[1]);
        fprintf(o, "%sconst int32_t hi = end < %lld ? end : %lld;\n", ind, (long long)d->ow,
                (long long)d->ow);
        fprintf(o, "%sfor (int32_t p = 0; p < %lld; p++) {\n", ind, (long long)d->oh);
        fprintf(o, "%s    const int32_t r = p * %lld - %lld + i * %lld;\n", ind,
                (long long)w->stride[0], (long long)w->pad[0], (long long)w->dil[0]);
        fprintf(o, "%s    if (r < 0 || r >= %lld)\n%s        continue;\n", ind, (long long)d->h,
                ind);
        fprintf(o, "%s    for (int32_t q = lo; q < hi; q++)\n", ind);
        fprintf(o,
                "%s        dxc[r * %lld + q * %lld + j * %lld - %lld] += wv * dyo[p * %lld + q];\n",
                ind, (long long)d->w, (long long)w->stride[1], (long long)w->dil[1],
                (long long)w->pad[1], (long long)d->ow);
        fprintf(o, "%s}\n                }\n", ind);
        return;
    }
    bool max = d->op == OP_MAXPOOL2D_BWD;
    fprintf(o, "    for (int32_t c = 0; c < %lld; c++) {\n", (long long)d->c);
    if (max)
        fprintf(o, "        const float *const plane = %s + c * %lld;\n", d->in[1]->name, in_plane);
    fprintf(o, "        float *const dxc = %s + c * %lld;\n", y, in_plane);
    fprintf(o, "        for (int32_t p = 0; p < %lld; p++)\n", (long long)d->oh);
    fprintf(o, "            for (int32_t q = 0; q < %lld; q++) {\n", (long long)d->ow);
    const char *ind = "                ";
    fprintf(
        o, "%sconst float dv = %s[c * %lld + p * %lld + q]%s;\n", ind, d->in[0]->name, out_plane,
        (long long)d->ow,
        max ? ""
            : arena_printf(a, " * %s", float_lit(a, (double)(1.0f / (float)(w->k[0] * w->k[1])))));
    if (max)
        fprintf(o, "%sint32_t at = -1;\n", ind);
    fprintf(o, "%sfor (int32_t i = 0; i < %lld; i++) {\n", ind, (long long)w->k[0]);
    fprintf(o, "%s    const int32_t r = p * %lld - %lld + i * %lld;\n", ind,
            (long long)w->stride[0], (long long)w->pad[0], (long long)w->dil[0]);
    fprintf(o, "%s    if (r < 0 || r >= %lld)\n%s        continue;\n", ind, (long long)d->h, ind);
    fprintf(o, "%s    for (int32_t j = 0; j < %lld; j++) {\n", ind, (long long)w->k[1]);
    fprintf(o, "%s        const int32_t s = q * %lld - %lld + j * %lld;\n", ind,
            (long long)w->stride[1], (long long)w->pad[1], (long long)w->dil[1]);
    fprintf(o, "%s        if (s < 0 || s >= %lld)\n%s            continue;\n", ind, (long long)d->w,
            ind);
    if (max) {
        fprintf(o, "%s        const int32_t k = r * %lld + s;\n", ind, (long long)d->w);
        fprintf(o,
                "%s        if (at < 0 || plane[k] > plane[at] || (plane[k] != plane[k] && "
                "plane[at] == plane[at]))\n",
                ind);
        fprintf(o, "%s            at = k;\n", ind);
    } else {
        fprintf(o, "%s        dxc[r * %lld + s] += dv;\n", ind, (long long)d->w);
    }
    fprintf(o, "%s    }\n%s}\n", ind, ind);
    if (max)
        fprintf(o, "%sif (at >= 0)\n%s    dxc[at] += dv;\n", ind, ind);
    fprintf(o, "            }\n    }\n");
}

/* Batch norm in the training step (one image: each channel's statistics over its spatial
 * values), as the trainer computes it: the sums in double in eight partial sums
 * (NAME_sum8), the mean and the biased variance;
 *   batchnorm:     y = (x - mean) (gamma / sqrt(var + eps)) + beta
 *   batchnorm_bwd: dx = gamma invstd (dy - sum(dy) / M - xhat sum(dy xhat) / M)
 *   bn_dgamma:     sum(dy xhat)
 *   channel_mean, channel_var: the running statistics' batch values (variance unbiased) */
static void emit_bn_train(Fw *f, const OpDesc *d) {
    FILE *o = f->out;
    long long c = (long long)d->c, sp = (long long)d->spatial;
    const char *y = d->out->name, *nm = f->name;
    const char *x =
        d->op == OP_BATCHNORM_BWD || d->op == OP_BN_DGAMMA ? d->in[1]->name : d->in[0]->name;
    fprintf(o, "    for (int32_t c = 0; c < %lld; c++) {\n", c);
    fprintf(o, "        const float *const xc = %s + c * %lld;\n", x, sp);
    fprintf(o, "        const double mean = %s_sum8(xc, xc, %lld, 0.0, 0) / %lld.0;\n", nm, sp, sp);
    if (d->op == OP_CHANNEL_MEAN) {
        fprintf(o, "        %s[c] = (float)mean;\n    }\n", y);
        return;
    }
    fprintf(o, "        const double var = %s_sum8(xc, xc, %lld, mean, 2) / %lld.0;\n", nm, sp, sp);
    if (d->op == OP_CHANNEL_VAR) {
        fprintf(o, "        %s[c] = (float)%s;\n    }\n", y,
                sp > 1 ? arena_printf(f->g->cx->arena, "(var * %lld.0 / %lld.0)", sp, sp - 1)
                       : "0.0");
        return;
    }
    fprintf(o, "        const double invstd = 1.0 / sqrt(var + %.9g);\n", d->eps);
    if (d->op == OP_BATCHNORM) {
        fprintf(o, "        const float m = (float)mean;\n");
        fprintf(o, "        const float scale = (float)((double)%s[c] * invstd);\n",
                d->in[1]->name);
        fprintf(o, "        for (int32_t k = 0; k < %lld; k++)\n", sp);
        fprintf(o, "            %s[c * %lld + k] = (xc[k] - m) * scale + %s[c];\n    }\n", y, sp,
                d->in[2]->name);
        return;
    }
    fprintf(o, "        const float *const dyc = %s + c * %lld;\n", d->in[0]->name, sp);
    fprintf(o, "        const double sum_dy = %s_sum8(dyc, dyc, %lld, 0.0, 0);\n", nm, sp);
    fprintf(o, "        const double sum_dy_x = %s_sum8(dyc, xc, %lld, 0.0, 1);\n", nm, sp);
    fprintf(o, "        const double sum_dy_xhat = (sum_dy_x - mean * sum_dy) * invstd;\n");
    if (d->op == OP_BN_DGAMMA) {
        fprintf(o, "        %s[c] = (float)sum_dy_xhat;\n    }\n", y);
        return;
    }
    fprintf(o, "        const float m = (float)mean, is = (float)invstd;\n");
    fprintf(o, "        const float scale = (float)((double)%s[c] * invstd);\n", d->in[2]->name);
    fprintf(
        o, "        const float a = (float)(sum_dy / %lld.0), b = (float)(sum_dy_xhat / %lld.0);\n",
        sp, sp);
    fprintf(o, "        for (int32_t k = 0; k < %lld; k++)\n", sp);
    fprintf(o,
            "            %s[c * %lld + k] = scale * (dyc[k] - a - (xc[k] - m) * is * b);\n    }\n",
            y, sp);
}

/* adaptive_avgpool2d to oh x ow where the input's size is not a multiple of it: output row p
 * averages input rows floor(p h / oh) to ceil((p + 1) h / oh), the columns likewise (the sum
 * in double, divided by the window's size, as the trainer); its backward pass spreads each dy
 * over the window. */
static void emit_adaptive(Fw *f, const OpDesc *d) {
    FILE *o = f->out;
    bool bwd = d->op == OP_ADAPTIVE_AVGPOOL2D_BWD;
    long long h = d->h, w = d->w, oh = d->oh, ow = d->ow;
    const char *x = d->in[0]->name, *y = d->out->name;
    if (bwd) {
        fprintf(o, "    for (int32_t k = 0; k < %lld; k++)\n", (long long)d->c * h * w);
        fprintf(o, "        %s[k] = 0.0f;\n", y);
    }
    fprintf(o, "    for (int32_t c = 0; c < %lld; c++)\n", (long long)d->c);
    fprintf(o, "        for (int32_t p = 0; p < %lld; p++)\n", oh);
    fprintf(o, "            for (int32_t q = 0; q < %lld; q++) {\n", ow);
    fprintf(o,
            "                const int32_t r0 = p * %lld / %lld, r1 = ((p + 1) * %lld + %lld) / "
            "%lld;\n",
            h, oh, h, oh - 1, oh);
    fprintf(o,
            "                const int32_t s0 = q * %lld / %lld, s1 = ((q + 1) * %lld + %lld) / "
            "%lld;\n",
            w, ow, w, ow - 1, ow);
    if (bwd) {
        fprintf(o,
                "                const float dv = %s[(c * %lld + p) * %lld + q] / (float)((r1 - "
                "r0) * (s1 - s0));\n",
                x, oh, ow);
        fprintf(o, "                for (int32_t r = r0; r < r1; r++)\n");
        fprintf(o, "                    for (int32_t s = s0; s < s1; s++)\n");
        fprintf(o, "                        %s[(c * %lld + r) * %lld + s] += dv;\n            }\n",
                y, h, w);
        return;
    }
    fprintf(o, "                double sum = 0.0;\n");
    fprintf(o, "                for (int32_t r = r0; r < r1; r++)\n");
    fprintf(o, "                    for (int32_t s = s0; s < s1; s++)\n");
    fprintf(o, "                        sum += (double)%s[(c * %lld + r) * %lld + s];\n", x, h, w);
    fprintf(o,
            "                %s[(c * %lld + p) * %lld + q] = (float)(sum / (double)((r1 - r0) * "
            "(s1 - s0)));\n",
            y, oh, ow);
    fprintf(o, "            }\n");
}

static void emit_image(Fw *f, Kernel *k, const OpDesc *d) {
    FILE *o = f->out;
    if (d->op == OP_CONV2D) {
        emit_conv(f, d);
    } else if (d->op == OP_ADAPTIVE_AVGPOOL2D || d->op == OP_ADAPTIVE_AVGPOOL2D_BWD) {
        emit_adaptive(f, d);
    } else if (d->op == OP_CONV2D_BWD_X || d->op == OP_CONV2D_BWD_W || d->op == OP_MAXPOOL2D_BWD ||
               d->op == OP_AVGPOOL2D_BWD || d->op == OP_CHANNEL_SUM) {
        emit_image_bwd(f, d);
    } else if (d->op == OP_MAXPOOL2D || d->op == OP_AVGPOOL2D) {
        emit_pool(f, d);
    } else if (d->op != OP_BATCHNORM_EVAL) {
        emit_bn_train(f, d);
    } else if (f->tg) {
        /* the running statistics as they are now, as the trainer's evaluation uses them */
        fprintf(o, "    for (int32_t c = 0; c < %lld; c++) {\n", (long long)d->c);
        fprintf(o, "        const float invstd = (float)(1.0 / sqrt((double)%s[c] + %.9g));\n",
                d->in[4]->name, d->eps);
        fprintf(o, "        for (int32_t k = 0; k < %lld; k++)\n", (long long)d->spatial);
        fprintf(
            o,
            "            %s[c * %lld + k] = (%s[c * %lld + k] - %s[c]) * invstd * %s[c] + %s[c];\n",
            d->out->name, (long long)d->spatial, d->in[0]->name, (long long)d->spatial,
            d->in[3]->name, d->in[1]->name, d->in[2]->name);
        fprintf(o, "    }\n");
    } else {
        fprintf(o, "    for (int32_t c = 0; c < %lld; c++)\n", (long long)d->c);
        fprintf(o, "        for (int32_t k = 0; k < %lld; k++)\n", (long long)d->spatial);
        fprintf(o, "            %s[c * %lld + k] = %s[c * %lld + k] * %s[c] + %s[c];\n",
                d->out->name, (long long)d->spatial, d->in[0]->name, (long long)d->spatial,
                bn_array(f, k, "scale"), bn_array(f, k, "shift"));
    }
}

/* W -= lr * op(A) op(B), m x n, k shared: each element's product summed over p from 0 in
 * float, as emit_gemm does, then scaled by lr and subtracted (W + (-lr) sum, as a BLAS's
 * alpha = -lr, beta = 1 computes it). At batch 1 a weight gradient's k is 1: one product. */
static void emit_sgd_gemm(Fw *f, Kernel *k, const char *w) {
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    GemmDesc d = kernel_gemm(f->mp, k);
    long long m = count(d.m), n = count(d.n), kk = count(d.k);
    const char *B = d.b->name;
    fprintf(o, "    for (int32_t i = 0; i < %lld; i++) {\n", m);
    fprintf(o, "        float *const row = %s + i * %lld;\n", w, n);
    fprintf(o, "        for (int32_t j = 0; j < %lld; j++) {\n", n);
    fprintf(o, "            float acc = 0.0f;\n");
    fprintf(o, "            for (int32_t p = 0; p < %lld; p++)\n", kk);
    fprintf(o, "                acc += %s * %s;\n", a_at(a, &d, 2, "p"),
            d.tb ? arena_printf(a, "%s[j * %lld + p]", B, (long long)d.ldb)
                 : arena_printf(a, "%s[p * %lld + j]", B, (long long)d.ldb));
    fprintf(o, "            row[j] -= lr * acc;\n        }\n    }\n");
}

/* ---- row-wise and reduce ops -------------------------------------------------------------- */

/* The head of softmax and log_softmax: a loop over the rows (unless there is one) with row and
 * out, the row's max, and its sum in double at 0; returns the body's indent. */
static const char *emit_row_max(FILE *o, long long rows, long long last, const char *xs,
                                const char *y) {
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
    return in;
}

/* Sums in double, in order (as the trainer's, to float rounding); softmax subtracts the
 * row's maximum before exp(). The losses and the backward ops read the target or a
 * gradient, which a prediction does not have (predict_graph()). */
static void emit_op(Fw *f, Kernel *k) {
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    if (op_info[k->root->op].cls == OPC_LAYOUT) { /* at batch 1: N is 1 */
        LayoutDesc l = kernel_layout(f->mp, k);
        for (int i = 0; i < l.ncopies; i++)
            for (int dd = 0; dd < l.copy[i].rank; dd++)
                l.copy[i].dim[dd].n = false;
        c_layout(o, a, &l, "1", arena_printf(a, "%lld", (long long)count(l.total)));
        return;
    }
    if (op_info[k->root->op].cls == OPC_AXIS) {
        AxisDesc x = kernel_axis(f->mp, k);
        c_axis(o, &x, arena_printf(a, "%lld", (long long)count(x.outer)));
        return;
    }
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
        const char *in = emit_row_max(o, rows, last, xs, y);
        fprintf(o, "%sfor (int32_t j = 0; j < %lld; j++) {\n", in, last);
        fprintf(o, "%s    out[j] = expf(row[j] - max);\n", in);
        fprintf(o, "%s    sum += (double)out[j];\n%s}\n", in, in);
        fprintf(o, "%sfor (int32_t j = 0; j < %lld; j++)\n", in, last);
        fprintf(o, "%s    out[j] /= (float)sum;\n", in);
        if (rows > 1)
            fprintf(o, "    }\n");
        return;
    }
    case OP_LOG_SOFTMAX: {
        /* x - max - log(sum of exp(x - max)), the sum in double, as the trainer */
        const char *in = emit_row_max(o, rows, last, xs, y);
        fprintf(o, "%sfor (int32_t j = 0; j < %lld; j++)\n", in, last);
        fprintf(o, "%s    sum += (double)expf(row[j] - max);\n", in);
        fprintf(o, "%sconst float shift = max + (float)log(sum);\n", in);
        fprintf(o, "%sfor (int32_t j = 0; j < %lld; j++)\n", in, last);
        fprintf(o, "%s    out[j] = row[j] - shift;\n", in);
        if (rows > 1)
            fprintf(o, "    }\n");
        return;
    }
    case OP_CONV2D:
    case OP_MAXPOOL2D:
    case OP_AVGPOOL2D:
    case OP_BATCHNORM_EVAL:
    case OP_CONV2D_BWD_X: /* the training step's */
    case OP_CONV2D_BWD_W:
    case OP_MAXPOOL2D_BWD:
    case OP_AVGPOOL2D_BWD:
    case OP_CHANNEL_SUM:
    case OP_BATCHNORM:
    case OP_BATCHNORM_BWD:
    case OP_BN_DGAMMA:
    case OP_CHANNEL_MEAN:
    case OP_CHANNEL_VAR:
    case OP_ADAPTIVE_AVGPOOL2D:
    case OP_ADAPTIVE_AVGPOOL2D_BWD: emit_image(f, k, &d); return;
    case OP_CROSS_ENTROPY:
    case OP_CROSS_ENTROPY_BWD: {
        /* as the trainer: log(sum of exp(x - max)) in double, + max - x[label]; the
         * gradient softmax(x) scale - onehot(label) scale, scale = dL / N (N is 1) */
        const char *label = d.y->name;
        MLC_ASSERT(rows == 1);
        fprintf(o, "    const float *const row = %s;\n", xs);
        fprintf(o, "    float max = row[0];\n");
        fprintf(o, "    for (int32_t j = 1; j < %lld; j++)\n", last);
        fprintf(o, "        max = row[j] > max ? row[j] : max;\n");
        fprintf(o, "    double sum = 0.0;\n");
        fprintf(o, "    for (int32_t j = 0; j < %lld; j++)\n", last);
        fprintf(o, "        sum += (double)%s(row[j] - max);\n", fw_expf(f));
        if (d.op == OP_CROSS_ENTROPY) {
            fprintf(o, "    %s[0] = (float)(log(sum) + (double)(max - row[%s[0]]));\n", y, label);
            return;
        }
        fprintf(o, "    const float scale = %s;\n", fw_elem(f, d.scale).text);
        fprintf(o, "    for (int32_t j = 0; j < %lld; j++)\n", last);
        fprintf(o, "        %s[j] = %s(row[j] - max) / (float)sum * scale;\n", y, fw_expf(f));
        fprintf(o, "    %s[%s[0]] -= scale;\n", y, label);
        return;
    }
    case OP_SOFTMAX_BWD:
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
    case OP_LOG_SOFTMAX_BWD:
    case OP_NLL:
    case OP_NLL_BWD:
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
    KernelArgs args = fw_args(f, k);
    kernel_comment(f, k);
    if (f->uses_t[i]) {
        GemmDesc d = kernel_gemm(f->mp, k);
        fprintf(o, "/* (%s is stored transposed%s: [%lld][%lld]) */\n", d.b->name,
                f->blocked[d.b->param] ? " in blocks of 4 rows x 16 columns" : "",
                (long long)count(d.k), (long long)count(d.n));
    }
    PtrVec params = {0};
    bool sgd = f->sgd && k->sgd_param;
    if (args.uses_seed)
        vec_push(a, &params, (void *)"uint64_t seed");
    for (int j = 0; j < args.bufs.len; j++) {
        Buffer *b = args.bufs.data[j];
        if (sgd && kernel_arg_written(&args, j))
            continue; /* the gradient is never stored */
        vec_push(a, &params,
                 arena_printf(a, "%s%s *restrict %s", kernel_arg_written(&args, j) ? "" : "const ",
                              b->node->dtype == DT_I32 ? "int32_t" : "float", b->name));
    }
    if (sgd) {
        const char *w = buf(f, k->sgd_param)->name;
        fprintf(o,
                "/* plain SGD folded into the product (the gradient is never stored):\n"
                " *   %s -= lr * (%s)\n */\n",
                w, kernel_gemm_math(f->s, f->mp, k));
        vec_push(a, &params, (void *)"float lr");
        vec_push(a, &params, arena_printf(a, "float *restrict %s", w));
        print_list(o, arena_printf(a, "static void %s_sgd(", kernel_fn(f, k)), &params, ") {");
        emit_sgd_gemm(f, k, w);
        fprintf(o, "}\n\n");
        return;
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
    if (b->kind == BUF_GRAD || b->kind == BUF_STATE) /* the training step's arrays */
        return arena_printf(f->g->cx->arena, "%s_%s", f->name, b->name);
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

/* The train block's normalize (each, in its order), as the trainer applies it to every input
 * it evaluates: (x - mean) / std per channel; the prediction and the training step take the
 * input scaled only, as the data set's values times NAME_INPUT_SCALE. */
static void emit_normalize(Fw *f) {
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    const TrainSpec *t = &f->g->train;
    const Shape *x = &f->g->input->shape;
    long long plane = (long long)(count(f->in_size) / (x->rank == 4 ? x->dim[1] : 1));
    for (int i = 0; i < t->ntransforms; i++) {
        const TransformSpec *ts = &t->transforms[i];
        for (int m = 0; ts->kind == TRANSFORM_NORMALIZE && m < 2; m++) {
            fprintf(o, "static const float %s_%s%d[%d] = {", f->name, m ? "std" : "mean", i,
                    ts->nchannels);
            for (int c = 0; c < ts->nchannels; c++)
                fprintf(o, "%s%s", c ? ", " : "", float_lit(a, m ? ts->std[c] : ts->mean[c]));
            fprintf(o, "};\n");
        }
    }
    fprintf(o, "\n/* Input k normalized as it was trained: (x - mean) / std of its channel */\n");
    fprintf(o, "static float %s_normalize(const float in[%s_INPUT_SIZE], int32_t k) {\n", f->name,
            f->upper);
    fprintf(o, "    float v = in[k];\n");
    for (int i = 0; i < t->ntransforms; i++) {
        const TransformSpec *ts = &t->transforms[i];
        if (ts->kind != TRANSFORM_NORMALIZE)
            continue;
        const char *c = ts->nchannels == 1 ? "0" : arena_printf(a, "k / %lld", plane);
        fprintf(o, "    v = (v - %s_mean%d[%s]) / %s_std%d[%s];\n", f->name, i, c, f->name, i, c);
    }
    fprintf(o, "    return v;\n}\n\n");
}

/* The input a pass reads: in, or its normalized copy at workspace + at (emit_normalize). */
static void emit_input(Fw *f, const char *name, int64_t at) {
    FILE *o = f->out;
    if (!f->norm) {
        fprintf(o, "    const float *const %s = in;\n", name);
        return;
    }
    fprintf(o, "    float *const normalized = workspace + %lld;\n", (long long)at);
    fprintf(o, "    for (int32_t k = 0; k < %s_INPUT_SIZE; k++)\n", f->upper);
    fprintf(o, "        normalized[k] = %s_normalize(in, k);\n", f->name);
    fprintf(o, "    const float *const %s = normalized;\n", name);
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
        emit_input(f, buf(f, g->input)->name, f->norm_at);
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
        KernelArgs args = fw_args(f, k);
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
            "/* The activations of %s_predict%s: %lld bytes, the most the memory plan%s\n"
            " * keeps live at once. */\n",
            f->name, f->tg ? " and of the training step" : "", (long long)(4 * f->arena),
            f->tg ? "s" : "");
    fprintf(o, "static float %s_arena[%lld];\n\n", f->name, (long long)(f->arena ? f->arena : 1));
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

/* ---- the training step (--train) ---------------------------------------------------------- */

/* With --train, before the kernels: the running statistics as static arrays the training step
 * updates (their values from the weight file), and the helpers its kernels call. */
static void emit_train_state(Fw *f) {
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    Graph *g = f->tg;
    for (int i = 0; i < g->states.len; i++) {
        Node *st = g->states.data[i];
        int64_t n = shape_numel_const(st->shape);
        fprintf(o, "/* %s, %s: updated by the training step */\n", st->attr.leaf.pname,
                shape_str(a, st->shape, DT_F32));
        fprintf(o, "static float %s_%s[%lld] = {", f->name, f->tmp->state_name[i], (long long)n);
        for (int64_t k = 0; k < n; k++)
            fprintf(o, "%s%s%s", k % 8 ? " " : "\n    ", float_lit(a, f->w->state[i][k]),
                    k + 1 < n ? "," : "");
        fprintf(o, "\n};\n\n");
    }
    if (schedule_uses(f->ts, f->tmp, OP_BATCHNORM))
        fprintf(
            o,
            "/* In double, in eight partial sums combined pairwise (the trainer's order): the\n"
            " * sum of x (what 0), of x y (1), or of (x - m)^2 (2). */\n"
            "static double %s_sum8(const float *x, const float *y, int32_t n, double m, int what) "
            "{\n"
            "    double part[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};\n"
            "    for (int32_t i = 0; i < n; i++) {\n"
            "        const double v = what == 0   ? (double)x[i]\n"
            "                         : what == 1 ? (double)x[i] * (double)y[i]\n"
            "                                     : ((double)x[i] - m) * ((double)x[i] - m);\n"
            "        part[i %% 8] += v;\n    }\n"
            "    return ((part[0] + part[1]) + (part[2] + part[3])) +\n"
            "           ((part[4] + part[5]) + (part[6] + part[7]));\n}\n\n",
            f->name);
    if (schedule_uses(f->ts, f->tmp, OP_DROPOUT)) {
        fprintf(
            o,
            "/* Dropout's mask, as the trainer draws it: kept when a hash of (the step's seed,\n"
            " * the dropout's stream, the element) is at least p 2^32, then scaled. */\n"
            "static float %s_dropout(float x, uint64_t seed, uint32_t stream, int32_t k,\n"
            "                        uint32_t threshold, float scale) {\n"
            "    uint64_t h = seed ^ ((uint64_t)stream << 40) ^ (uint64_t)k * "
            "0x9e3779b97f4a7c15u;\n"
            "    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9u;\n"
            "    h = (h ^ (h >> 27)) * 0x94d049bb133111ebu;\n"
            "    h ^= h >> 31;\n"
            "    return (uint32_t)(h >> 32) >= threshold ? x * scale : 0.0f;\n}\n\n",
            f->name);
        fprintf(o,
                "/* The seed of the masks, and the steps taken: step s draws with a hash of the\n"
                " * two, as the trainer's step s does with --seed (%s_train_seed sets both). */\n"
                "static uint64_t %s_seed = %lluu, %s_steps = 0;\n\n"
                "void %s_train_seed(uint64_t seed) {\n"
                "    %s_seed = seed;\n    %s_steps = 0;\n}\n\n",
                f->name, f->name, (unsigned long long)MLC_DEFAULT_SEED, f->name, f->name, f->name,
                f->name);
    }
}

/* Does a kernel of f's schedule name buffer b? (A plan may hold values no kernel names.) */
static bool buffer_named(Fw *f, const Buffer *b) {
    for (int i = 0; i < f->s->kernels.len; i++) {
        KernelArgs args = fw_args(f, f->s->kernels.data[i]);
        for (int j = 0; j < args.bufs.len; j++)
            if (args.bufs.data[j] == b)
                return true;
    }
    return false;
}

/* Does the training step keep gradient buffer b: does a kernel write it other than as the
 * product plain SGD folds into (which updates the weight instead)? */
static bool grad_kept(Schedule *s, MemPlan *mp, const Buffer *b) {
    for (int i = 0; i < s->kernels.len; i++) {
        Kernel *k = s->kernels.data[i];
        if (k->sgd_param)
            continue;
        KernelArgs args = kernel_args(s, mp, k);
        for (int j = 0; j < args.bufs.len; j++)
            if (args.bufs.data[j] == b)
                return true;
    }
    return false;
}

/* The training graph's kernels at batch 1, each weight-gradient product with plain SGD folded
 * in (its _sgd form), the gradients that are not folded in static arrays, and
 *     float NAME_train_step(const float in[], int class_index, float lr)
 * which runs the forward pass, the backward pass and the update w -= lr * grad, as the
 * trainer's train_step does with plain SGD at batch 1, and returns the loss before the step;
 * then the table of the parameters (pointers, sizes, state_dict names). */
static void emit_train(Fw *f) {
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    Fw t = *f;
    t.g = f->tg;
    t.s = f->ts;
    t.mp = f->tmp;
    t.sgd = true;
    t.uses_t = arena_alloc(a, sizeof(bool) * (size_t)(t.s->kernels.len + 1));
    Graph *g = t.g;
    fprintf(o, "\n/* ---- the training step ---- */\n\n");
    fprintf(o,
            "/* exp(x) in float, with IEEE arithmetic alone, so that every machine gives the same\n"
            " * bits (C libraries' expf differ in the last bit), as the training step needs for\n"
            " * the same weights everywhere: x = n ln 2 + r with |r| <= ln 2 / 2 (ln 2 in two\n"
            " * parts), exp(r) by Cephes' polynomial (within 2 ulp), times 2^n through the\n"
            " * exponent's bits (in two steps outside 2^-125 to 2^127). */\n"
            "static float %s_expf(float x) {\n"
            "    if (x != x)\n        return x;\n"
            "    if (x < -103.972084f)\n        return 0.0f;\n"
            "    if (x > 88.7228394f)\n        return HUGE_VALF;\n"
            "    const int32_t n = (int32_t)(x * 1.44269504f + (x < 0.0f ? -0.5f : 0.5f));\n"
            "    float r = x - (float)n * 0.693359375f;\n"
            "    r = r + (float)n * 2.12194440e-4f;\n"
            "    float p = 1.9875691500e-4f;\n"
            "    p = p * r + 1.3981999507e-3f;\n"
            "    p = p * r + 8.3334519073e-3f;\n"
            "    p = p * r + 4.1665795894e-2f;\n"
            "    p = p * r + 1.6666665459e-1f;\n"
            "    p = p * r + 5.0000001201e-1f;\n"
            "    const float e = p * r * r + r + 1.0f;\n"
            "    union {\n        uint32_t u;\n        float f;\n    } two;\n"
            "    if (n < -125) {\n"
            "        two.u = (uint32_t)(n + 100 + 127) << 23;\n"
            "        return e * two.f * 7.88860905e-31f; /* 2^-100 */\n    }\n"
            "    if (n > 127) {\n"
            "        two.u = (uint32_t)254 << 23; /* 2^127 */\n"
            "        return e * two.f * 2.0f;\n    }\n"
            "    two.u = (uint32_t)(n + 127) << 23;\n"
            "    return e * two.f;\n}\n\n",
            f->name);
    for (int i = 0; i < t.s->kernels.len; i++)
        emit_kernel(&t, i);
    for (int i = 0; i < t.mp->buffers.len; i++) {
        Buffer *b = t.mp->buffers.data[i];
        if (b->kind == BUF_GRAD && grad_kept(t.s, t.mp, b))
            fprintf(o, "/* d loss / d %s */\nstatic float %s[%lld];\n\n",
                    ((Node *)g->params.data[b->param])->attr.leaf.pname, ref(&t, b, false),
                    (long long)shape_numel_const(((Node *)g->params.data[b->param])->shape));
    }
    fprintf(o, "float %s_train_step(const float in[%s_INPUT_SIZE], int class_index, float lr) {\n",
            f->name, f->upper);
    fprintf(o, "    float *const workspace = %s_arena;\n", f->name);
    if (schedule_uses(t.s, t.mp, OP_DROPOUT)) {
        /* the trainer's mlc_step_seed(seed, step): splitmix64's finaliser */
        fprintf(o, "    uint64_t seed = %s_seed * 0x9e3779b97f4a7c15u + %s_steps++;\n", f->name,
                f->name);
        fprintf(o, "    seed = (seed ^ (seed >> 30)) * 0xbf58476d1ce4e5b9u;\n");
        fprintf(o, "    seed = (seed ^ (seed >> 27)) * 0x94d049bb133111ebu;\n");
        fprintf(o, "    seed ^= seed >> 31;\n");
    }
    for (int i = 0; i < t.mp->buffers.len; i++) {
        Buffer *b = t.mp->buffers.data[i];
        if (b->kind == BUF_INPUT && b->node == g->input)
            emit_input(f, b->name, f->train_norm_at);
        else if (b->kind == BUF_INPUT)
            fprintf(o, "    const int32_t %s[1] = {(int32_t)class_index};\n", b->name);
        else if (b->kind == BUF_ACT && (buffer_named(&t, b) || b->node == g->loss))
            fprintf(o, "    float *const %s = workspace + %lld; /* %s */\n", b->name,
                    (long long)(b->batched ? b->offset : t.mp->per_sample + b->offset),
                    shape_at_1(a, b->node->shape));
    }
    bool *folded = arena_alloc(a, sizeof(bool) * (size_t)(g->params.len + 1));
    for (int i = 0; i < t.s->kernels.len; i++) {
        Kernel *k = t.s->kernels.data[i];
        KernelArgs args = fw_args(&t, k);
        PtrVec list = {0};
        if (args.uses_seed)
            vec_push(a, &list, (void *)"seed");
        for (int j = 0; j < args.bufs.len; j++)
            if (!k->sgd_param || !kernel_arg_written(&args, j))
                vec_push(a, &list, (void *)ref(&t, args.bufs.data[j], false));
        if (k->sgd_param) {
            vec_push(a, &list, (void *)"lr");
            vec_push(a, &list, (void *)ref(&t, buf(&t, k->sgd_param), false));
            folded[param_index(g, k->sgd_param)] = true;
        }
        print_list(o, arena_printf(a, "    %s%s(", kernel_fn(&t, k), k->sgd_param ? "_sgd" : ""),
                   &list, ");");
    }
    /* the weights whose gradient no product updated: w -= lr * grad */
    for (int p = 0; p < g->params.len; p++) {
        Node *w = g->params.data[p], *d = g->grads.data[p];
        if (folded[p] || !d)
            continue; /* updated already, or the loss does not depend on it */
        const char *grad;
        if (d->op == OP_CONST)
            grad = float_lit(a, d->attr.cnst.value); /* N is 1 */
        else
            grad = arena_printf(a, "%s[%s]", ref(&t, buf(&t, d), false),
                                shape_is_scalar(d->shape) ? "0" : "k");
        fprintf(o, "    for (int32_t k = 0; k < %lld; k++)\n",
                (long long)shape_numel_const(w->shape));
        fprintf(o, "        %s[k] -= lr * %s;\n", weight_array(&t, p, false), grad);
    }
    if (g->loss->op == OP_CONST)
        fprintf(o, "    return %s;\n}\n\n", float_lit(a, g->loss->attr.cnst.value));
    else
        fprintf(o, "    return %s[0];\n}\n\n", buf(&t, g->loss)->name);

    fprintf(o, "float *const %s_params[%s_NUM_PARAMS] = {\n", f->name, f->upper);
    for (int p = 0; p < g->params.len; p++)
        fprintf(o, "    %s,\n", weight_array(&t, p, false));
    fprintf(o, "};\n\nconst int32_t %s_param_sizes[%s_NUM_PARAMS] = {\n", f->name, f->upper);
    for (int p = 0; p < g->params.len; p++)
        fprintf(o, "    %lld,\n", (long long)shape_numel_const(((Node *)g->params.data[p])->shape));
    fprintf(o, "};\n\nconst int32_t %s_param_shapes[%s_NUM_PARAMS][%d] = {\n", f->name, f->upper,
            MLC_MAX_RANK);
    for (int p = 0; p < g->params.len; p++) {
        Shape sh = ((Node *)g->params.data[p])->shape;
        fprintf(o, "    {");
        for (int i = 0; i < MLC_MAX_RANK; i++)
            fprintf(o, "%s%lld", i ? ", " : "", (long long)(i < sh.rank ? sh.dim[i] : 0));
        fprintf(o, "},\n");
    }
    fprintf(o, "};\n\nconst char *const %s_param_names[%s_NUM_PARAMS] = {\n", f->name, f->upper);
    for (int p = 0; p < g->params.len; p++)
        fprintf(o, "    %s,\n", c_string(a, ((Node *)g->params.data[p])->attr.leaf.pname));
    fprintf(o, "};\n");
    if (!g->states.len)
        return;
    /* the running statistics likewise */
    fprintf(o, "\nfloat *const %s_states[%s_NUM_STATES] = {\n", f->name, f->upper);
    for (int i = 0; i < g->states.len; i++)
        fprintf(o, "    %s_%s,\n", f->name, t.mp->state_name[i]);
    fprintf(o, "};\n\nconst int32_t %s_state_sizes[%s_NUM_STATES] = {\n", f->name, f->upper);
    for (int i = 0; i < g->states.len; i++)
        fprintf(o, "    %lld,\n", (long long)shape_numel_const(((Node *)g->states.data[i])->shape));
    fprintf(o, "};\n\nconst int32_t %s_state_shapes[%s_NUM_STATES][%d] = {\n", f->name, f->upper,
            MLC_MAX_RANK);
    for (int i = 0; i < g->states.len; i++) {
        Shape sh = ((Node *)g->states.data[i])->shape;
        fprintf(o, "    {");
        for (int k = 0; k < MLC_MAX_RANK; k++)
            fprintf(o, "%s%lld", k ? ", " : "", (long long)(k < sh.rank ? sh.dim[k] : 0));
        fprintf(o, "},\n");
    }
    fprintf(o, "};\n\nconst char *const %s_state_names[%s_NUM_STATES] = {\n", f->name, f->upper);
    for (int i = 0; i < g->states.len; i++)
        fprintf(o, "    %s,\n", c_string(a, ((Node *)g->states.data[i])->attr.leaf.pname));
    fprintf(o, "};\n");
}

/* The int8 sums of the widest convolution's output channel: int32s at the workspace's start. */
static int64_t int8_plane(const Quant *q) {
    int64_t most = 0;
    for (int l = 0; l < q->nlayers; l++)
        if (q->layers[l].kind == QL_CONV && q->layers[l].oh * q->layers[l].ow > most)
            most = q->layers[l].oh * q->layers[l].ow;
    return most;
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
    for (int i = 0; i < f.g->train.ntransforms; i++) /* normalize's mean and std arrays */
        if (f.g->train.transforms[i].kind == TRANSFORM_NORMALIZE) {
            f.norm = true;
            if (!p->s) /* with --train the weights are RAM, these constants flash */
                f.weight_bytes += 8 * f.g->train.transforms[i].nchannels;
        }
    if (p->s) { /* --train */
        f.tg = p->g;
        f.ts = p->s;
        f.tmp = p->mp;
    }
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
             * output channel, or (the last layer) a float scale; a max pool has none */
            if (L->kind != QL_MAXPOOL)
                f.weight_bytes +=
                    L->nch * L->per + 4 * L->nch + (l + 1 < f.q->nlayers ? 5 : 4) * L->nch;
        }
        f.workspace = int8_plane(f.q) + (even + odd + 3) / 4;
        f.arena = f.workspace;
        return f;
    }
    plan_weights(&f);
    for (int i = 0; i < f.g->params.len; i++) {
        int64_t size = 4 * shape_numel_const(((Node *)f.g->params.data[i])->shape);
        f.weight_bytes += (f.stored_plain[i] + f.stored_t[i]) * size;
    }
    for (int i = 0; !p->s && i < f.s->kernels.len; i++) { /* a batch norm's scale and shift */
        Kernel *k = f.s->kernels.data[i];
        if (k->kind == K_OP && k->root->op == OP_BATCHNORM_EVAL)
            f.weight_bytes += 8 * k->root->in[0]->shape.dim[1];
    }
    f.folded = &p->folded;
    if (f.norm) { /* the normalized input, after the activations */
        f.norm_at = f.workspace;
        f.workspace += count(f.in_size);
    }
    f.arena = f.workspace;
    if (f.tg) {
        for (int i = 0; i < f.tg->states.len; i++) /* initialised like the weights */
            f.weight_bytes += 4 * shape_numel_const(((Node *)f.tg->states.data[i])->shape);
        f.arena = f.tmp->per_sample + f.tmp->fixed;
        f.arena = f.arena > f.workspace ? f.arena : f.workspace;
        if (f.norm) {
            f.train_norm_at = f.arena;
            f.arena += count(f.in_size);
        }
        for (int i = 0; i < f.tmp->buffers.len; i++) {
            Buffer *b = f.tmp->buffers.data[i];
            if (b->kind == BUF_GRAD && grad_kept(f.ts, f.tmp, b))
                f.grad_floats += shape_numel_const(((Node *)f.tg->params.data[b->param])->shape);
        }
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
            g->name, needs_math(f) ? "; <math.h> for what its ops call" : ", no libm");
    fprintf(o, " *   flash: %lld bytes of weights (static %sarrays)", (long long)f->weight_bytes,
            f->tg ? "float " : "const ");
    if (g->classes.len)
        fprintf(o, ",\n *          %lld bytes of class names and %d pointers to them",
                (long long)f->class_bytes, g->classes.len);
    fprintf(o, ",\n *          and the code\n");
    if (f->tg) {
        /* the weights are initialised data: their first values in flash, copied to RAM */
        fprintf(o,
                " *   RAM:   %lld bytes of weights%s (static float arrays the training\n"
                " *          step updates; their initial values take as much flash),\n"
                " *          %lld bytes of gradients and %lld bytes of the static arena of\n"
                " *          %s_predict and %s_train_step%s\n"
                " * and %s_train_step: plain SGD at batch 1 (--train), the forward and backward\n"
                " * passes of the training graph with each weight's update folded into the\n"
                " * product that computes its gradient.\n",
                (long long)f->weight_bytes, f->tg->states.len ? " and running statistics" : "",
                (long long)(4 * f->grad_floats), (long long)(4 * f->arena), g->name, g->name,
                schedule_uses(f->ts, f->tmp, OP_DROPOUT)
                    ? ",\n *          and 16 bytes of dropout's seed and step count"
                    : "",
                g->name);
    } else {
        fprintf(o,
                " *   RAM:   %lld bytes, the static arena of %s_predict (%s_predict_with uses\n"
                " *          the caller's workspace instead: then none)\n",
                (long long)(4 * f->workspace), g->name, g->name);
    }
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
               " * index, from 0, in float (the same order however the loops are vectorised).\n");
    bool skips = false;
    for (int i = 0; i < f->s->kernels.len; i++)
        skips |= f->uses_t[i];
    if (skips)
        fprintf(o,
                " * Against a weight stored transposed, a term whose input is 0 is skipped: with\n"
                " * a finite weight it is +0 or -0, which added to anything but -0 changes\n"
                " * nothing, and in round to nearest a sum that starts at +0 is never -0, so the\n"
                " * bits are those of the full sum; the time depends on the zeros in the input.\n");
    if (uses_op(f, OP_CONV2D))
        fprintf(o, " * Each output of a convolution starts from its bias and adds its terms in\n"
                   " * order of input channel, kernel row, kernel column, in float.\n");
    fprintf(o, " * Compiled with the same floating-point contraction setting (-ffp-contract=off,\n"
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

/* Does linear layer l read unsigned bytes: its input is at least 0 (a relu's output, perhaps
 * through max pools), or it is the first layer, whose input is stored + 128 (and its biases
 * less 128 times the sum of each row of weights: the same sums). A dot product of unsigned
 * and signed bytes is one instruction on machines that have it (vpdpbusd), which gcc -O2
 * finds; one of two signed bytes is not. */
static bool int8_unsigned_in(const Quant *q, int l) {
    if (q->layers[l].kind != QL_LINEAR)
        return false;
    if (l == 0)
        return true;
    for (int i = l - 1; i >= 0; i--) {
        if (q->layers[i].kind != QL_MAXPOOL)
            return q->layers[i].relu;
    }
    return false;
}

/* An int8 convolution: as the float one (emit_conv), one output channel at a time, its int32
 * sums in plane, each starting from the bias, then requantized. */
static void emit_int8_conv(Fw *f, const QuantLayer *L, const char *pre) {
    FILE *o = f->out;
    Arena *a = f->g->cx->arena;
    const Window *w = &L->win;
    long long g = w->groups, cg = L->c / g, og = L->oc / g, kh = w->k[0], kw = w->k[1];
    long long plane = L->oh * L->ow;
    fprintf(
        o,
        "static void %s(const int8_t *restrict x, int8_t *restrict y, int32_t *restrict plane) {\n",
        pre);
    fprintf(o, "    for (int32_t o = 0; o < %lld; o++) {\n", (long long)L->oc);
    if (g > 1)
        fprintf(o, "        const int8_t *const xg = x + (o / %lld) * %lld;\n", og,
                cg * L->ih * L->iw);
    else
        fprintf(o, "        const int8_t *const xg = x;\n");
    fprintf(o, "        for (int32_t k = 0; k < %lld; k++)\n", plane);
    fprintf(o, "            plane[k] = %s_bias[o];\n", pre);
    fprintf(o, "        for (int32_t ic = 0; ic < %lld; ic++)\n", cg);
    fprintf(o, "            for (int32_t i = 0; i < %lld; i++) {\n", kh);
    fprintf(o,
            "                const int8_t *const wr = %s_weight + ((o * %lld + ic) * %lld + i) * "
            "%lld;\n",
            pre, cg, kh, kw);
    fprintf(o, "                for (int32_t p = 0; p < %lld; p++) {\n", (long long)L->oh);
    const char *ind = "                    ";
    fprintf(o, "%sconst int32_t r = p * %lld - %lld + i * %lld;\n", ind, (long long)w->stride[0],
            (long long)w->pad[0], (long long)w->dil[0]);
    if (w->pad[0])
        fprintf(o, "%sif (r < 0 || r >= %lld)\n%s    continue;\n", ind, (long long)L->ih, ind);
    fprintf(o, "%sconst int8_t *const xr = xg + (ic * %lld + r) * %lld;\n", ind, (long long)L->ih,
            (long long)L->iw);
    fprintf(o, "%sint32_t *const acc = plane + p * %lld;\n", ind, (long long)L->ow);
    for (long long j = 0; j < kw; j++) {
        int64_t lo, hi;
        inside(L->ow, j, w->stride[1], w->pad[1], w->dil[1], L->iw, &lo, &hi);
        if (lo == hi)
            continue;
        long long mid = lo + (hi - lo) / 4 * 4, off = j * w->dil[1] - w->pad[1];
        const char *at = w->stride[1] == 1
                             ? arena_printf(a, "q %c %lld", off < 0 ? '-' : '+', llabs(off))
                             : arena_printf(a, "q * %lld %c %lld", (long long)w->stride[1],
                                            off < 0 ? '-' : '+', llabs(off));
        fprintf(o, "%s{ /* kernel column %lld */\n", ind, j);
        fprintf(o, "%s    const int32_t wj = wr[%lld];\n", ind, j);
        if (mid > lo)
            fprintf(
                o,
                "%s    for (int32_t q = %lld; q < %lld; q++)\n%s        acc[q] += wj * xr[%s];\n",
                ind, (long long)lo, mid, ind, at);
        if (hi > mid)
            fprintf(
                o,
                "%s    for (int32_t q = %lld; q < %lld; q++)\n%s        acc[q] += wj * xr[%s];\n",
                ind, mid, (long long)hi, ind, at);
        fprintf(o, "%s}\n", ind);
    }
    fprintf(o, "                }\n            }\n");
    fprintf(o, "        for (int32_t k = 0; k < %lld; k++)\n", plane);
    fprintf(o, "            y[o * %lld + k] = %s_out(plane[k], o);\n    }\n}\n\n", plane, pre);
}

/* An int8 max pool: the largest value of each window (-128 for a window wholly in the
 * padding); the scale is the input's. */
static void emit_int8_maxpool(Fw *f, const QuantLayer *L, const char *pre) {
    FILE *o = f->out;
    const Window *w = &L->win;
    fprintf(o, "static void %s(const int8_t *restrict x, int8_t *restrict y) {\n", pre);
    fprintf(o, "    for (int32_t c = 0; c < %lld; c++) {\n", (long long)L->c);
    fprintf(o, "        const int8_t *const plane = x + c * %lld;\n", (long long)(L->ih * L->iw));
    fprintf(o, "        int8_t *const yc = y + c * %lld;\n", (long long)(L->oh * L->ow));
    fprintf(o, "        for (int32_t p = 0; p < %lld; p++)\n", (long long)L->oh);
    fprintf(o, "            for (int32_t q = 0; q < %lld; q++) {\n", (long long)L->ow);
    fprintf(o, "                int8_t best = -128;\n");
    fprintf(o, "                for (int32_t i = 0; i < %lld; i++) {\n", (long long)w->k[0]);
    fprintf(o, "                    const int32_t r = p * %lld - %lld + i * %lld;\n",
            (long long)w->stride[0], (long long)w->pad[0], (long long)w->dil[0]);
    if (w->pad[0])
        fprintf(o,
                "                    if (r < 0 || r >= %lld)\n                        continue;\n",
                (long long)L->ih);
    fprintf(o, "                    for (int32_t j = 0; j < %lld; j++) {\n", (long long)w->k[1]);
    fprintf(o, "                        const int32_t s = q * %lld - %lld + j * %lld;\n",
            (long long)w->stride[1], (long long)w->pad[1], (long long)w->dil[1]);
    if (w->pad[1])
        fprintf(o,
                "                        if (s < 0 || s >= %lld)\n                            "
                "continue;\n",
                (long long)L->iw);
    fprintf(o, "                        const int8_t v = plane[r * %lld + s];\n", (long long)L->iw);
    fprintf(o, "                        best = v > best ? v : best;\n");
    fprintf(o, "                    }\n                }\n");
    fprintf(o, "                yc[p * %lld + q] = best;\n            }\n    }\n}\n\n",
            (long long)L->ow);
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
        fprintf(o, "/* layer %d, ", l + 1);
        for (int part = 0; part < 2; part++) {
            Kernel *k = part ? L->act : L->kernel;
            PtrVec src = k ? kernel_sources(f->s, k) : (PtrVec){0};
            for (int i = 0; i < src.len; i++)
                fprintf(o, "%s%s", i || part ? ", " : "", (const char *)src.data[i]);
        }
        const char *pre = arena_printf(a, "%s_layer%d", f->name, l + 1);
        if (L->kind == QL_MAXPOOL) {
            fprintf(o, ": [%lld] -> [%lld], int8 at the input's scale */\n", (long long)L->in,
                    (long long)L->out);
            emit_int8_maxpool(f, L, pre);
            continue;
        }
        fprintf(o,
                ": [%lld] -> [%lld]\n * weights [%lld][%lld], int8 per output channel; biases "
                "int32%s */\n",
                (long long)L->in, (long long)L->out, (long long)L->nch, (long long)L->per,
                last ? "; float scales of the sums" : "; requantization m0, shift");
        int_array(f, "int8_t", arena_printf(a, "%s_weight", pre), L->qw, L->nch * L->per, 1);
        if (l == 0 && int8_unsigned_in(q, 0)) { /* the input + 128: the bias - 128 sum of w */
            int32_t *qb = arena_alloc(a, sizeof(int32_t) * (size_t)L->nch);
            for (int64_t j = 0; j < L->nch; j++) {
                int64_t sum = 0;
                for (int64_t p = 0; p < L->per; p++)
                    sum += L->qw[j * L->per + p];
                qb[j] = (int32_t)(L->qb[j] - 128 * sum);
            }
            int_array(f, "int32_t", arena_printf(a, "%s_bias", pre), qb, L->nch, 4);
        } else {
            int_array(f, "int32_t", arena_printf(a, "%s_bias", pre), L->qb, L->nch, 4);
        }
        if (last) {
            fprintf(o, "static const float %s_scale[%lld] = {", pre, (long long)L->nch);
            for (int64_t j = 0; j < L->nch; j++)
                fprintf(o, "%s%s%s", j % 8 ? " " : "\n    ", float_lit(a, L->deq[j]),
                        j + 1 < L->nch ? "," : "");
            fprintf(o, "\n};\n\n");
        } else {
            int_array(f, "int32_t", arena_printf(a, "%s_m0", pre), L->m0, L->nch, 4);
            int8_t *sh = arena_alloc(a, (size_t)L->nch);
            for (int64_t j = 0; j < L->nch; j++)
                sh[j] = (int8_t)L->shift[j];
            int_array(f, "int8_t", arena_printf(a, "%s_shift", pre), sh, L->nch, 1);
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
        if (L->kind == QL_CONV) {
            emit_int8_conv(f, L, pre);
            continue;
        }
        /* the layer: int32 sums, each an integer dot product (vectorised without any
         * question of order), four outputs at a time so the four sums are independent and
         * share each widened x; the inputs in a part whose length is a multiple of 64 and the
         * rest, as gcc -O2 vectorises only loops that need no scalar remainder (784 inputs
         * would run at a quarter of the widest vectors) */
        long long in = (long long)L->in, nout = (long long)L->out, out4 = nout - nout % 4;
        long long in64 = in - in % 64;
        fprintf(o, "static void %s(const %s *restrict x, %s *restrict y) {\n", pre,
                int8_unsigned_in(q, l) ? "uint8_t" : "int8_t", last ? "float" : "int8_t");
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
            for (int part = 0; part < 2; part++) {
                long long from = part ? in64 : 0, to = part ? in : in64;
                if (from == to)
                    continue;
                fprintf(o, "        for (int32_t p = %lld; p < %lld; p++) {\n", from, to);
                fprintf(o, "            const int32_t xp = x[p];\n");
                for (int r = 0; r < 4; r++)
                    fprintf(o, "            acc%d += xp * w%d[p];\n", r, r);
                fprintf(o, "        }\n");
            }
            for (int r = 0; r < 4; r++)
                fprintf(o, "        y[j + %d] = %s_out(acc%d, j + %d);\n", r, pre, r, r);
            fprintf(o, "    }\n");
        }
        if (nout % 4) {
            fprintf(o, "    for (int32_t j = %lld; j < %lld; j++) {\n", out4, nout);
            fprintf(o, "        const int8_t *const w = %s_weight + j * %lld;\n", pre, in);
            fprintf(o, "        int32_t acc = %s_bias[j];\n", pre);
            for (int part = 0; part < 2; part++) {
                long long from = part ? in64 : 0, to = part ? in : in64;
                if (from == to)
                    continue;
                fprintf(o, "        for (int32_t p = %lld; p < %lld; p++)\n", from, to);
                fprintf(o, "            acc += (int32_t)x[p] * w[p];\n");
            }
            fprintf(o, "        y[j] = %s_out(acc, j);\n    }\n", pre);
        }
        fprintf(o, "}\n\n");
    }
    /* the prediction */
    PtrVec io = *io_params(f);
    print_list(o, arena_printf(a, "void %s_predict_with(", f->name), &io, ") {");
    long long nplane = (long long)int8_plane(q);
    if (nplane)
        fprintf(o, "    int32_t *const plane = (int32_t *)workspace; /* a convolution's sums */\n");
    fprintf(o, "    int8_t *const a = (int8_t *)(workspace + %lld), *const b = a + %lld;\n", nplane,
            (long long)even);
    bool shifted = int8_unsigned_in(q, 0);
    fprintf(o, "    /* the input to int8: round(in * 1 / scale), clamped%s */\n",
            shifted ? "; stored + 128, unsigned" : "");
    if (shifted)
        fprintf(o, "    uint8_t *const ua = (uint8_t *)a;\n");
    fprintf(o, "    for (int32_t k = 0; k < %lld; k++) {\n", (long long)q->layers[0].in);
    if (f->norm)
        fprintf(o, "        const float v = %s_normalize(in, k) * %s;\n", f->name,
                float_lit(a, q->inv_scale0));
    else
        fprintf(o, "        const float v = in[k] * %s;\n", float_lit(a, q->inv_scale0));
    fprintf(o, "        const int32_t r = (int32_t)(v < 0.0f ? v - 0.5f : v + 0.5f);\n");
    if (shifted)
        fprintf(o,
                "        ua[k] = (uint8_t)((r < -128 ? -128 : r > 127 ? 127 : r) + 128);\n    }\n");
    else
        fprintf(o, "        a[k] = (int8_t)(r < -128 ? -128 : r > 127 ? 127 : r);\n    }\n");
    for (int l = 0; l < q->nlayers; l++)
        fprintf(o, "    %s_layer%d(%s%s, %s%s);\n", f->name, l + 1,
                int8_unsigned_in(q, l) ? "(const uint8_t *)" : "", l % 2 ? "b" : "a",
                l + 1 == q->nlayers ? "out"
                : l % 2             ? "a"
                                    : "b",
                q->layers[l].kind == QL_CONV ? ", plane" : "");
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
        if (f.norm)
            emit_normalize(&f);
        emit_int8(&f);
        emit_tail(&f);
        return;
    }
    fprintf(out, "#include \"%s.h\"\n\n#include <stdint.h>\n", f.name);
    if (needs_math(&f))
        fprintf(out, "#include <math.h>\n");
    fprintf(out, "\n");
    emit_weights(&f);
    if (f.norm)
        emit_normalize(&f);
    for (int i = 0; !f.tg && i < f.s->kernels.len; i++) {
        Kernel *k = f.s->kernels.data[i];
        if (k->kind == K_OP && k->root->op == OP_BATCHNORM_EVAL)
            emit_bn_arrays(&f, k);
    }
    if (f.tg)
        emit_train_state(&f);
    if (uses_op(&f, OP_GELU))
        fprintf(out,
                "/* gelu, PyTorch's exact form: x Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2 */\n"
                "static float %s_gelu(float x) {\n"
                "    return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));\n}\n\n",
                f.name);
    if (uses_op(&f, OP_ELU))
        fprintf(out,
                "/* elu (alpha 1): x, or exp(x) - 1 for x <= 0 */\n"
                "static float %s_elu(float x) {\n    return x > 0.0f ? x : expm1f(x);\n}\n\n",
                f.name);
    if (uses_op(&f, OP_GELU_TANH))
        fprintf(out,
                "/* gelu's tanh form, as PyTorch computes it (approximate='tanh') */\n"
                "static float %s_gelu_tanh(float x) {\n"
                "    const float beta = 0.79788456080286536f, kappa = 0.044715f;\n"
                "    return 0.5f * x * (1.0f + tanhf(beta * (x + kappa * x * x * x)));\n}\n\n",
                f.name);
    if (uses_op(&f, OP_CLAMP))
        fprintf(out,
                "/* clamp to [lo, hi]; NaN stays NaN, as in PyTorch */\n"
                "static float %s_clamp(float x, float lo, float hi) {\n"
                "    return x < lo ? lo : x > hi ? hi : x;\n}\n\n",
                f.name);
    if (uses_op(&f, OP_RELU))
        fprintf(out,
                "/* relu as one compare-and-select: NaN stays NaN, as in PyTorch */\n"
                "static float %s_relu(float x) {\n    return x < 0.0f ? 0.0f : x;\n}\n\n",
                f.name);
    for (int i = 0; i < f.s->kernels.len; i++)
        emit_kernel(&f, i);
    emit_predict(&f);
    if (f.tg)
        emit_train(&f);
}

static void emit_firmware_header(FILE *out, const Program *p) {
    Fw f = fw_new(out, p);
    Graph *g = f.g;
    Arena *a = g->cx->arena;
    emit_top(&f);
    fprintf(out, "#ifndef %s_H\n#define %s_H\n\n", f.upper, f.upper);
    if (f.tg)
        fprintf(out, "#include <stdint.h>\n\n");
    fprintf(out, "/* floats of the input, %s f32%s */\n", buf(&f, g->input)->name,
            shape_at_1(a, g->input->shape));
    fprintf(out, "#define %s_INPUT_SIZE %lld\n", f.upper, (long long)count(f.in_size));
    if (g->train.has_data)
        fprintf(out,
                "/* what the trainer multiplies the data set's values by (the train block's\n"
                " * scale): in[k] = (float)value * %s_INPUT_SCALE, as it was trained%s */\n"
                "#define %s_INPUT_SCALE %s\n",
                f.upper,
                f.norm ? ";\n * the code applies the train block's normalize to in itself" : "",
                f.upper, float_lit(a, g->train.scale));
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
    if (f.tg) {
        fprintf(out,
                "/* One training step on the device: the forward pass, the backward pass and\n"
                " * plain SGD (w -= lr * grad) for the sample in, of class class_index (batch 1);\n"
                " * returns the loss before the step. Not reentrant: it updates the weights\n"
                " * (which %s_predict then uses) and works in the static arena. */\n",
                f.name);
        fprintf(out,
                "float %s_train_step(const float in[%s_INPUT_SIZE], int class_index, float lr);\n",
                f.name, f.upper);
        if (schedule_uses(f.ts, f.tmp, OP_DROPOUT))
            fprintf(out,
                    "/* The seed of dropout's masks (the trainer's --seed; %llu unless set), and\n"
                    " * the step count back to 0: the steps then draw the trainer's masks. */\n"
                    "void %s_train_seed(uint64_t seed);\n",
                    (unsigned long long)MLC_DEFAULT_SEED, f.name);
        fprintf(out, "/* The parameters the training step updates: their values, sizes (floats),\n"
                     " * shapes and state_dict names, to save them. */\n");
        fprintf(out, "#define %s_NUM_PARAMS %d\n", f.upper, g->params.len);
        fprintf(out, "extern float *const %s_params[%s_NUM_PARAMS];\n", f.name, f.upper);
        fprintf(out, "extern const int32_t %s_param_sizes[%s_NUM_PARAMS];\n", f.name, f.upper);
        fprintf(out, "/* each one's shape, its dimensions followed by zeros */\n");
        fprintf(out, "extern const int32_t %s_param_shapes[%s_NUM_PARAMS][%d];\n", f.name, f.upper,
                MLC_MAX_RANK);
        fprintf(out, "extern const char *const %s_param_names[%s_NUM_PARAMS];\n", f.name, f.upper);
        if (f.tg->states.len) {
            fprintf(out, "/* The running statistics the training step updates (batch norm's),\n"
                         " * likewise. */\n");
            fprintf(out, "#define %s_NUM_STATES %d\n", f.upper, f.tg->states.len);
            fprintf(out, "extern float *const %s_states[%s_NUM_STATES];\n", f.name, f.upper);
            fprintf(out, "extern const int32_t %s_state_sizes[%s_NUM_STATES];\n", f.name, f.upper);
            fprintf(out, "extern const int32_t %s_state_shapes[%s_NUM_STATES][%d];\n", f.name,
                    f.upper, MLC_MAX_RANK);
            fprintf(out, "extern const char *const %s_state_names[%s_NUM_STATES];\n", f.name,
                    f.upper);
        }
    }
    if (g->classes.len)
        fprintf(out,
                "/* The class names, in class order. */\n"
                "extern const char *const %s_class_names[%s_NUM_CLASSES];\n",
                f.name, f.upper);
    fprintf(out, "\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
}

/* ---- batch norm folded into the convolution before it ------------------------------------ */

/* Evaluation batch norm is y = (x - mean) s + beta per channel, s = gamma / sqrt(var + eps).
 * After a convolution y = W x + b that nothing else reads, it is one convolution:
 *     W'[o] = W[o] s[o],   b'[o] = (b[o] - mean[o]) s[o] + beta[o]
 * (in double, then rounded to float once). The batch norm's node becomes that convolution,
 * reading the convolution's weight with W' (the weight file's values are replaced: nothing
 * else reads it) and the batch norm's beta with b' as its bias; simplify() then drops the
 * old convolution. A batch norm after anything else stays, as a per-channel scale and shift
 * (emit_image). */
static void fw_prepare(Program *prog) {
    Graph *g = prog->eval;
    Weights *w = prog->weights;
    Arena *a = g->cx->arena;
    bool changed = false;
    for (int i = 0; i < g->nodes.len; i++) {
        Node *n = g->nodes.data[i], *c = n->in[0];
        if (n->op != OP_BATCHNORM_EVAL || c->op != OP_CONV2D || readers(g, c) != 1)
            continue;
        Node *weight = c->in[1], *bias = c->in[2], *gamma = n->in[1], *beta = n->in[2];
        int pw = param_index(g, weight), pg = param_index(g, gamma), pb = param_index(g, beta);
        int pc = bias->op == OP_PARAM ? param_index(g, bias) : -1;
        if (pw < 0 || pg < 0 || pb < 0 || readers(g, weight) != 1 || readers(g, beta) != 1 ||
            (bias->op != OP_PARAM && !node_is_const(bias, 0.0)))
            continue;
        const float *mean = w->state[state_index(g, n->in[3])];
        const float *var = w->state[state_index(g, n->in[4])];
        int64_t oc = c->shape.dim[1], per = shape_numel_const(weight->shape) / oc;
        float *wf = arena_alloc(a, sizeof(float) * (size_t)(oc * per));
        float *bf = arena_alloc(a, sizeof(float) * (size_t)oc);
        for (int64_t o = 0; o < oc; o++) {
            double sc = (double)w->data[pg][o] / sqrt((double)var[o] + n->attr.bn.eps);
            double b = pc >= 0 ? (double)w->data[pc][o] : 0.0;
            bf[o] = (float)((b - (double)mean[o]) * sc + (double)w->data[pb][o]);
            for (int64_t k = 0; k < per; k++)
                wf[o * per + k] = (float)((double)w->data[pw][o * per + k] * sc);
        }
        w->data[pw] = wf;
        w->data[pb] = bf;
        Node *bn = NEW(a, Node);
        *bn = *n;
        vec_push(a, &prog->folded, bn);
        vec_push(a, &prog->folded, n);
        n->op = OP_CONV2D;
        n->nin = 3;
        n->in[0] = c->in[0];
        n->in[1] = weight;
        n->in[2] = beta;
        n->in[3] = n->in[4] = NULL;
        n->attr.win = c->attr.win;
        n->loc = c->loc;
        if (!n->name) /* evaluation's batch norm is a new, unnamed node: take the layer's */
            n->name = c->name;
        changed = true;
    }
    if (changed) {
        simplify(g);
        ir_verify(g);
    }
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
    "b1", "b2", "b3", "row", "max", "sum", "best", "x", "o", "q", "r", "s", "ic", "xg", "yo", "wj",
    "wr", "xr", "yr", "yc", "plane", "seen", "shift", "lr", "class_index", "scale", "two", "dv",
    "dxc", "dyo", "xc", "mean", "var", "invstd", "dyc", "sum_dy", "sum_dy_x", "sum_dy_xhat", "m",
    "is", "a", "b", "seed", "r0", "r1", "s0", "s1", "nz", "nnz", "jb",
    /* the layout copies' and axis loops' (backend/ctext.c) */
    "i0", "i1", "i2", "i3", "t", "rest", "normalized",
    /* what kernels call or name, which a parameter of the same name would hide */
    "expf", "logf", "tanhf", "erff", "expm1f", "sqrtf", "log", "int32_t", "int64_t", NULL};

/* The ops this target writes: every forward op of the prediction, and of the training step
 * the backward ops of cross_entropy, the matrix products, relu, the image layers and batch
 * norm. The others are reported where the model uses them. */
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
    case OP_SOFTMAX:
    case OP_LOG_SOFTMAX:
    case OP_GELU:
    case OP_ELU:
    case OP_SQRT:
    case OP_STATE:
    case OP_CONV2D:
    case OP_MAXPOOL2D:
    case OP_AVGPOOL2D:
    case OP_BATCHNORM_EVAL:
    case OP_CROSS_ENTROPY: /* the training step's loss and its gradient */
    case OP_CROSS_ENTROPY_BWD:
    case OP_CONV2D_BWD_X: /* and the image layers' backward ops */
    case OP_CONV2D_BWD_W:
    case OP_MAXPOOL2D_BWD:
    case OP_AVGPOOL2D_BWD:
    case OP_CHANNEL_SUM:
    case OP_BATCHNORM: /* batch norm in training, and its running statistics */
    case OP_BATCHNORM_BWD:
    case OP_BN_DGAMMA:
    case OP_CHANNEL_MEAN:
    case OP_CHANNEL_VAR:
    case OP_ADAPTIVE_AVGPOOL2D: /* (sizes that are not multiples: other sizes are avgpool2d) */
    case OP_ADAPTIVE_AVGPOOL2D_BWD:
    case OP_POW: /* the tensor algebra */
    case OP_CLAMP:
    case OP_BETWEEN:
    case OP_GELU_TANH:
    case OP_PERMUTE:
    case OP_SLICE:
    case OP_PAD:
    case OP_CONCAT:
    case OP_BROADCAST:
    case OP_SUM_AXIS:
    case OP_MAX_AXIS:
    case OP_MAX_AXIS_BWD: return true;
    case OP_SOFTMAX_BWD:
    case OP_BCE_LOGITS:
    case OP_NLL:
    case OP_NLL_BWD:
    case OP_GELU_GRAD:
    case OP_LOG_SOFTMAX_BWD:
    case OP_GELU_TANH_GRAD: return false;
    case OP_COUNT: break;
    }
    unreachable();
}

/* The prediction pass, or (--train) the training graph: the one with a loss. The training
 * step takes a class index. */
static bool fw_supports(Graph *g) {
    bool ok = true;
    if (g->loss && (!g->target || g->target->dtype != DT_I32)) {
        diag_error(g->cx, g->target ? g->target->loc : g->name_loc,
                   "--train needs a class target: the training step takes a class index");
        return false;
    }
    for (int i = 0; i < g->nodes.len; i++) {
        Node *n = g->nodes.data[i];
        if (!fw_op(n->op)) {
            diag_error(g->cx, n->loc, "the firmware target%s cannot compile %s yet",
                       g->loss ? "'s training step" : "", op_info[n->op].name);
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
    .prepare = fw_prepare,
    .direct_conv = true,
};
