/* backend/c.c: the C target.
 *
 * Writes one C99 file that reads like a textbook: a struct of named pointers into the
 * runtime's parameter, gradient and activation blocks; one static function per kernel, each
 * headed by the model line it comes from and the math it computes; then <model>_forward,
 * <model>_backward and <model>_sgd_update, which call the kernels in schedule order; then the
 * MlcModel that describes the model to the runtime, and main().
 *
 * What each kernel computes comes from kernel.c (its arguments, source lines and math, its
 * loop and element expression, its GEMM or op); this file only spells it in C. GEMMs go
 * through cblas_sgemm (row-major, with transpose flags: no transpose is ever copied). An
 * elementwise kernel is one loop (two when an operand is broadcast along rows, so the bias is
 * indexed by column without a division). Row-wise, reduce and loss ops have their code here,
 * in emit_op(), one case per op.
 *
 * Output is deterministic: no timestamps, no addresses, nothing ordered by pointer.
 */
#include "mlc.h"

/* What is being written: the segment at hand (the training passes, or the evaluation pass),
 * and the evaluation pass's own Emit when the model has one. */
typedef struct Emit Emit;
struct Emit {
    FILE *out;
    Graph *g;
    Schedule *s;
    MemPlan *mp;
    const char *type; /* the state struct: "FashionState" */
    Emit *eval;       /* the evaluation forward pass, or NULL: it is the training one */
    bool threads;     /* the program's kernels run on threads of their own (image models) */
};

/* ---- small helpers --------------------------------------------------------------------------- */

/* A constant: value * N^npow; "N * 512", "N", "512": a count of elements or rows. */
static const char *const_expr(Emit *e, double value, int npow) {
    return c_const(e->g->cx->arena, value, npow);
}
static const char *count_expr(Emit *e, Count c) {
    return c_count(e->g->cx->arena, c);
}

/* A buffer's shape for its comment in the state struct: "[N, 512]". */
static const char *shape_comment(Emit *e, Shape s) {
    char *str = shape_str(e->g->cx->arena, s, DT_F32);
    return str + 3; /* "[N, 512]" without "f32" */
}

/* The buffer holding a value; every value the emitter names has one (memplan's promise). */
static Buffer *buf(Emit *e, const Node *n) {
    Buffer *b = e->mp->buf_of[n->id];
    MLC_ASSERT(b);
    return b;
}

/* How a function body names a buffer: inputs are locals, the rest live in the state. */
static const char *ref(Emit *e, Buffer *b) {
    if (b->kind == BUF_INPUT)
        return b->name;
    return arena_printf(e->g->cx->arena, "m->%s", b->name);
}

/* ---- comments: where a kernel comes from and what it computes ------------------------------- */

static void kernel_comment(Emit *e, Kernel *k) {
    c_kernel_comment(e->out, e->s, e->mp, k);
}

/* ---- elementwise loops ------------------------------------------------------------------------
 */

/* An element expression in C, with the runtime's element functions. */
static CExpr elem(Emit *e, const Elem *x) {
    static const CSpell spell = {"mlc", "expf", false};
    return c_elem(e->g->cx->arena, &spell, x);
}

/* The loop of an elementwise kernel (or of a GEMM's epilogue, in place). Without broadcast
 * operands it is one flat loop over k. Otherwise it is rows i of width `inner`, so that a
 * broadcast operand is read at column j and never needs a division:
 *     for i: for j: k = i * inner + j;  y[k] = f(x[k], b[j])
 * A fused reduction (the bias gradient) sums over i in the same pass, into one double per
 * column (acc[j], at most MLC_FUSED_REDUCE_MAX of them), the inner loop over j staying
 * contiguous for the vectoriser; the sums are stored as floats after the loop. */
static void emit_elemwise_loop(Emit *e, Kernel *k) {
    FILE *o = e->out;
    ElemLoop l = kernel_loop(e->s, e->mp, k);
    const char *out = l.out->name;
    const char *expr = elem(e, l.value).text;
    /* in a program whose kernels use the cores, a loop without a sum is split across them */
    if (e->threads && !l.reduce)
        fprintf(o, "    MLC_PARALLEL_FOR\n");
    if (!l.inner) {
        fprintf(o, "    for (int64_t k = 0; k < %s; k++)\n", count_expr(e, l.total));
        fprintf(o, "        %s[k] = %s;\n", out, expr);
        return;
    }
    if (l.reduce)
        fprintf(o, "    double acc[%lld] = {0.0};\n", (long long)l.inner);
    fprintf(o, "    for (int64_t i = 0; i < %s; i++) {\n", count_expr(e, l.rows));
    fprintf(o, "        for (int64_t j = 0; j < %lld; j++) {\n", (long long)l.inner);
    fprintf(o, "            const int64_t k = i * %lld + j;\n", (long long)l.inner);
    if (l.reduce) {
        fprintf(o, "            const float v = %s;\n", expr);
        fprintf(o, "            %s[k] = v;\n", out);
        fprintf(o, "            acc[j] += (double)v;\n");
    } else {
        fprintf(o, "            %s[k] = %s;\n", out, expr);
    }
    fprintf(o, "        }\n    }\n");
    if (l.reduce) {
        fprintf(o, "    for (int64_t j = 0; j < %lld; j++)\n", (long long)l.inner);
        fprintf(o, "        %s[j] = (float)acc[j];\n", l.reduce->name);
    }
}

/* C = alpha op(A) op(B) + beta C; the plain product is alpha "1.0f", beta "0.0f" into the
 * kernel's root. */
static void emit_gemm_call(Emit *e, Kernel *k, const char *alpha, const char *beta, const char *c) {
    Arena *a = e->g->cx->arena;
    GemmDesc d = kernel_gemm(e->mp, k);
    const char *args[] = {"CblasRowMajor",
                          d.ta ? "CblasTrans" : "CblasNoTrans",
                          d.tb ? "CblasTrans" : "CblasNoTrans",
                          count_expr(e, d.m),
                          count_expr(e, d.n),
                          count_expr(e, d.k),
                          alpha,
                          d.a->name,
                          arena_printf(a, "%lld", (long long)d.lda),
                          d.b->name,
                          arena_printf(a, "%lld", (long long)d.ldb),
                          beta,
                          c,
                          count_expr(e, d.n)};
    PtrVec list = {0};
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
        vec_push(a, &list, (void *)args[i]);
    print_list(e->out, "    cblas_sgemm(", &list, ");");
}

/* The plain product of a K_GEMM kernel, into its root's buffer. */
static void emit_gemm(Emit *e, Kernel *k) {
    emit_gemm_call(e, k, "1.0f", "0.0f", buf(e, k->root)->name);
}

/* ---- image ops ----------------------------------------------------------------------------
 * A convolution is one matrix product per image and group, over the image's columns
 * (mlc_im2col, into the kernel's scratch); its backward ops are the two transposed products,
 * the data gradient folded back with mlc_col2im and the weight gradient summed over the
 * batch (beta = 1 after the first image). Pooling and batch norm call the runtime's loops. */

/* The window, as a static MlcWindow named win, and the sizes the loops use. */
static void emit_window(Emit *e, const OpDesc *d, int64_t channels) {
    const Window *w = &d->win;
    fprintf(e->out,
            "    static const MlcWindow win = {%lld, %lld, %lld, %lld, %lld, %lld, %lld, %lld, "
            "%lld, %lld, %lld, %lld, %lld};\n",
            (long long)channels, (long long)d->h, (long long)d->w, (long long)w->k[0],
            (long long)w->k[1], (long long)w->stride[0], (long long)w->stride[1],
            (long long)w->pad[0], (long long)w->pad[1], (long long)w->dil[0], (long long)w->dil[1],
            (long long)d->oh, (long long)d->ow);
}

/* cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc); wrapped
 * like every other call, at the given indent. */
static void emit_sgemm_at(Emit *e, const char *indent, const char *const args[13]) {
    Arena *a = e->g->cx->arena;
    PtrVec list = {0};
    vec_push(a, &list, (void *)"CblasRowMajor");
    for (int i = 0; i < 13; i++)
        vec_push(a, &list, (void *)args[i]);
    print_list(e->out, arena_printf(a, "%scblas_sgemm(", indent), &list, ");");
}

/* One image (n) and, with groups, one group (grp) at a time:
 *   conv2d:       y_n = W cols(x_n) (+ b, stored first: beta = 1)
 *   conv2d_bwd_x: dx_n = col2im(Wᵀ dy_n)
 *   conv2d_bwd_w: dW = sum over n of dy_n cols(x_n)ᵀ
 * A 1x1 convolution with stride 1 and no padding uses the image itself as its columns. The
 * batch goes in MLC_PARTS parts, each with its own columns (in parallel where the program
 * has threads); the weight gradient sums each part's images into its own sum, then adds the
 * parts in order, so the result does not depend on the thread count. */
static void emit_conv(Emit *e, const OpDesc *d) {
    FILE *o = e->out;
    Arena *a = e->g->cx->arena;
    int64_t g = d->win.groups, cg = d->c / g, og = d->oc / g;
    int64_t rows = cg * d->win.k[0] * d->win.k[1], cols = d->oh * d->ow;
    bool direct = window_columns_are_input(&d->win);
    bool dw = d->op == OP_CONV2D_BWD_W;
    int64_t wsize = d->oc * rows; /* the whole weight, every group */
    if (!direct)
        emit_window(e, d, cg);
    fprintf(o, "    MLC_PARALLEL_FOR\n");
    fprintf(o, "    for (int64_t part = 0; part < %d; part++) {\n", MLC_PARTS);
    if (!direct)
        fprintf(o, "        float *part_cols = %s + part * %lld;\n", d->scratch->name,
                (long long)(rows * cols));
    if (dw) { /* part 0 sums into dW itself, the others into the scratch after the columns */
        fprintf(o, "        float *part_dw = %s;\n        if (part > 0)\n", d->out->name);
        fprintf(o, "            part_dw = %s + %lld + (part - 1) * %lld;\n", d->scratch->name,
                (long long)(direct ? 0 : MLC_PARTS * rows * cols), (long long)wsize);
        fprintf(o, "        for (int64_t k = 0; k < %lld; k++)\n", (long long)wsize);
        fprintf(o, "            part_dw[k] = 0.0f;\n");
    }
    fprintf(o, "        for (int64_t n = N * part / %d; n < N * (part + 1) / %d; n++) {\n",
            MLC_PARTS, MLC_PARTS);
    if (g > 1)
        fprintf(o, "            for (int64_t grp = 0; grp < %lld; grp++) {\n", (long long)g);
    const char *ind = g > 1 ? "                " : "            ";
    /* where this image's (and group's) planes start: its input, its output, its weights */
    const char *image = g > 1 ? arena_printf(a, "(n * %lld + grp)", (long long)g) : "n";
    const char *in_at = arena_printf(a, "%s * %lld", image, (long long)(cg * d->h * d->w));
    const char *out_at = arena_printf(a, "%s * %lld", image, (long long)(og * cols));
    const char *w_at = g > 1 ? arena_printf(a, " + grp * %lld", (long long)(og * rows)) : "";
    const char *R = arena_printf(a, "%lld", (long long)rows);
    const char *C = arena_printf(a, "%lld", (long long)cols);
    const char *O = arena_printf(a, "%lld", (long long)og);
    const char *x_or_dx =
        d->op == OP_CONV2D_BWD_X ? d->out->name : d->in[d->op == OP_CONV2D ? 0 : 1]->name;
    const char *image_cols = direct ? arena_printf(a, "%s + %s", x_or_dx, in_at) : "part_cols";
    if (!direct && d->op != OP_CONV2D_BWD_X)
        fprintf(o, "%smlc_im2col(%s + %s, &win, part_cols);\n", ind, x_or_dx, in_at);
    if (d->op == OP_CONV2D) {
        const char *w = arena_printf(a, "%s%s", d->in[1]->name, w_at);
        const char *y = arena_printf(a, "%s + %s", d->out->name, out_at);
        if (d->in[2]) { /* the bias first, then the product added to it */
            fprintf(o, "%sfor (int64_t c = 0; c < %s; c++)\n", ind, O);
            fprintf(o, "%s    for (int64_t k = 0; k < %s; k++)\n", ind, C);
            fprintf(o, "%s        %s[%s + c * %s + k] = %s[%sc];\n", ind, d->out->name, out_at, C,
                    d->in[2]->name, g > 1 ? arena_printf(a, "grp * %s + ", O) : "");
        }
        const char *args[13] = {"CblasNoTrans",
                                "CblasNoTrans",
                                O,
                                C,
                                R,
                                "1.0f",
                                w,
                                R,
                                image_cols,
                                C,
                                d->in[2] ? "1.0f" : "0.0f",
                                y,
                                C};
        emit_sgemm_at(e, ind, args);
    } else if (d->op == OP_CONV2D_BWD_X) {
        const char *args[13] = {"CblasTrans",
                                "CblasNoTrans",
                                R,
                                C,
                                O,
                                "1.0f",
                                arena_printf(a, "%s%s", d->in[1]->name, w_at),
                                R,
                                arena_printf(a, "%s + %s", d->in[0]->name, out_at),
                                C,
                                "0.0f",
                                image_cols,
                                C};
        emit_sgemm_at(e, ind, args);
        if (!direct)
            fprintf(o, "%smlc_col2im(part_cols, &win, %s + %s);\n", ind, d->out->name, in_at);
    } else {
        const char *args[13] = {"CblasNoTrans",
                                "CblasTrans",
                                O,
                                R,
                                C,
                                "1.0f",
                                arena_printf(a, "%s + %s", d->in[0]->name, out_at),
                                C,
                                image_cols,
                                C,
                                "1.0f",
                                arena_printf(a, "part_dw%s", w_at),
                                R};
        emit_sgemm_at(e, ind, args);
    }
    if (g > 1)
        fprintf(o, "            }\n");
    fprintf(o, "        }\n    }\n");
    if (dw) {
        fprintf(o, "    for (int64_t part = 1; part < %d; part++)\n", MLC_PARTS);
        fprintf(o, "        for (int64_t k = 0; k < %lld; k++)\n", (long long)wsize);
        fprintf(o, "            %s[k] += %s[%lld + (part - 1) * %lld + k];\n", d->out->name,
                d->scratch->name, (long long)(direct ? 0 : MLC_PARTS * rows * cols),
                (long long)wsize);
    }
}

/* Max pooling without padding, its loops written out with constant sizes so the window's
 * search unrolls (mlc_window_max, mlc_window_argmax); the backward pass sends dy to the
 * window's first largest element. */
static void emit_maxpool_unpadded(Emit *e, const OpDesc *d) {
    FILE *o = e->out;
    const Window *w = &d->win;
    long long h = d->h, wd = d->w, oh = d->oh, ow = d->ow;
    const char *x = d->op == OP_MAXPOOL2D ? d->in[0]->name : d->in[1]->name;
    const char *at = arena_printf(e->g->cx->arena, "(c * %lld + p * %lld) * %lld + q * %lld", h,
                                  (long long)w->stride[0], wd, (long long)w->stride[1]);
    const char *size =
        arena_printf(e->g->cx->arena, "%lld, %lld, %lld, %lld, %lld", (long long)w->k[0],
                     (long long)w->k[1], wd, (long long)w->dil[0], (long long)w->dil[1]);
    fprintf(o, "    MLC_PARALLEL_FOR\n    for (int64_t c = 0; c < N * %lld; c++) {\n",
            (long long)d->c);
    if (d->op == OP_MAXPOOL2D_BWD)
        fprintf(o,
                "        for (int64_t k = 0; k < %lld; k++)\n"
                "            %s[c * %lld + k] = 0.0f;\n",
                h * wd, d->out->name, h * wd);
    fprintf(o, "        for (int64_t p = 0; p < %lld; p++)\n", oh);
    fprintf(o, "            for (int64_t q = 0; q < %lld; q++) {\n", ow);
    fprintf(o, "                const int64_t at = %s;\n", at);
    if (d->op == OP_MAXPOOL2D)
        fprintf(o,
                "                %s[(c * %lld + p) * %lld + q] =\n"
                "                    mlc_window_max(%s + at, %s);\n",
                d->out->name, oh, ow, x, size);
    else
        fprintf(o,
                "                %s[at + mlc_window_argmax(%s + at, %s)] +=\n"
                "                    %s[(c * %lld + p) * %lld + q];\n",
                d->out->name, x, size, d->in[0]->name, oh, ow);
    fprintf(o, "            }\n    }\n");
}

/* Batch norm with its epilogue and its statistics' other readers (fuse.c): per channel the
 * statistics, as mlc_batchnorm computes them (channel_mean and channel_var stored from them),
 * then one pass in which each element is normalised (v) and the epilogue's value of v stored:
 *     v = (x - mean) * scale + beta;  y = act(v)
 * The evaluation form normalises with the running statistics, as mlc_batchnorm_eval. */
static void emit_batchnorm(Emit *e, const OpDesc *d) {
    FILE *o = e->out;
    long long c = (long long)d->c, s = (long long)d->spatial;
    const char *x = d->in[0]->name, *gamma = d->in[1]->name, *beta = d->in[2]->name;
    fprintf(o, "    MLC_PARALLEL_FOR\n");
    fprintf(o, "    for (int64_t c = 0; c < %lld; c++) {\n", c);
    if (d->op == OP_BATCHNORM) {
        fprintf(o, "        double mean, var;\n");
        fprintf(o, "        mlc_channel_stats(%s, N, %lld, %lld, c, &mean, &var);\n", x, c, s);
        fprintf(o, "        const float m = (float)mean;\n");
        fprintf(o, "        const float scale = (float)((double)%s[c] / sqrt(var + %.9g));\n",
                gamma, d->eps);
        if (d->mean)
            fprintf(o, "        %s[c] = (float)mean;\n", d->mean->name);
        if (d->var) { /* unbiased, as OP_CHANNEL_VAR */
            fprintf(o, "        const double count = (double)(N * %lld);\n", s);
            fprintf(o,
                    "        %s[c] = (float)(count > 1.0 ? var * count / (count - 1.0) : 0.0);\n",
                    d->var->name);
        }
    } else {
        fprintf(o, "        const float invstd = (float)(1.0 / sqrt((double)%s[c] + %.9g));\n",
                d->in[4]->name, d->eps);
    }
    fprintf(o, "        for (int64_t i = 0; i < N; i++)\n");
    fprintf(o, "            for (int64_t j = 0; j < %lld; j++) {\n", s);
    fprintf(o, "                const int64_t k = (i * %lld + c) * %lld + j;\n", c, s);
    if (d->op == OP_BATCHNORM)
        fprintf(o, "                const float v = (%s[k] - m) * scale + %s[c];\n", x, beta);
    else
        fprintf(o, "                const float v = (%s[k] - %s[c]) * invstd * %s[c] + %s[c];\n", x,
                d->in[3]->name, gamma, beta);
    fprintf(o, "                %s[k] = %s;\n", d->out->name,
            d->value ? elem(e, d->value).text : "v");
    fprintf(o, "            }\n    }\n");
}

enum {
    BN_PIECE = 1024
}; /* dy's values a fused backward computes at a time, on the stack */

/* Batch norm's backward with gamma's and beta's gradients from its sums, the sum of dx (the
 * bias gradient of a convolution before it) from its last pass and, where fuse.c put it here,
 * the chain that makes dy evaluated where dy is read (dy_k). The arithmetic is
 * mlc_batchnorm_bwd's, in its order: per sample the sums of dy and of dy x in mlc_sum's and
 * mlc_dot's eight partial sums (mlc_sum_into, mlc_dot_into: dy made in pieces of BN_PIECE
 * values, a multiple of 8, in a loop the compiler vectorises), the samples in order; the sum of
 * dx is mlc_channel_sum's of the stored values. */
static void emit_batchnorm_bwd(Emit *e, const OpDesc *d) {
    FILE *o = e->out;
    Arena *a = e->g->cx->arena;
    long long c = (long long)d->c, s = (long long)d->spatial;
    long long piece = s < BN_PIECE ? s : BN_PIECE;
    const char *x = d->in[1]->name, *dx = d->out->name;
    const char *dy = d->dy ? elem(e, d->dy).text : arena_printf(a, "%s[k]", d->in[0]->name);
    fprintf(o, "    const double count = (double)(N * %lld);\n", s);
    fprintf(o, "    MLC_PARALLEL_FOR\n");
    fprintf(o, "    for (int64_t c = 0; c < %lld; c++) {\n", c);
    fprintf(o, "        double mean, var;\n");
    fprintf(o, "        mlc_channel_stats(%s, N, %lld, %lld, c, &mean, &var);\n", x, c, s);
    fprintf(o, "        const double invstd = 1.0 / sqrt(var + %.9g);\n", d->eps);
    fprintf(o, "        double sum_dy = 0.0, sum_dy_x = 0.0;\n");
    fprintf(o, "        for (int64_t i = 0; i < N; i++) {\n");
    fprintf(o, "            const int64_t at = (i * %lld + c) * %lld;\n", c, s);
    if (!d->dy) {
        fprintf(o, "            sum_dy += mlc_sum(%s + at, %lld);\n", d->in[0]->name, s);
        fprintf(o, "            sum_dy_x += mlc_dot(%s + at, %s + at, %lld);\n", d->in[0]->name, x,
                s);
    } else {
        fprintf(o, "            double part[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};\n");
        fprintf(o, "            double part_x[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0};\n");
        fprintf(o, "            for (int64_t from = 0; from < %lld; from += %lld) {\n", s, piece);
        if (piece == s)
            fprintf(o, "                const int64_t len = %lld;\n", s);
        else
            fprintf(
                o, "                const int64_t len = %lld - from < %lld ? %lld - from : %lld;\n",
                s, piece, s, piece);
        fprintf(o, "                float dy_piece[%lld];\n", piece);
        fprintf(o, "                for (int64_t j = 0; j < len; j++) {\n");
        fprintf(o, "                    const int64_t k = at + from + j;\n");
        fprintf(o, "                    dy_piece[j] = %s;\n", dy);
        fprintf(o, "                }\n");
        fprintf(o, "                mlc_sum_into(part, dy_piece, len);\n");
        fprintf(o, "                mlc_dot_into(part_x, dy_piece, %s + at + from, len);\n", x);
        fprintf(o, "            }\n");
        fprintf(o, "            sum_dy += mlc_sum_parts(part);\n");
        fprintf(o, "            sum_dy_x += mlc_sum_parts(part_x);\n");
    }
    fprintf(o, "        }\n");
    fprintf(o, "        const double sum_dy_xhat = (sum_dy_x - mean * sum_dy) * invstd;\n");
    if (d->dgamma)
        fprintf(o, "        %s[c] = (float)sum_dy_xhat;\n", d->dgamma->name);
    if (d->dbeta)
        fprintf(o, "        %s[c] = (float)sum_dy;\n", d->dbeta->name);
    fprintf(o, "        const float m = (float)mean, istd = (float)invstd;\n");
    fprintf(o, "        const float scale = (float)((double)%s[c] * invstd);\n", d->in[2]->name);
    fprintf(o, "        const float dy_mean = (float)(sum_dy / count);\n");
    fprintf(o, "        const float dy_xhat_mean = (float)(sum_dy_xhat / count);\n");
    if (d->dxsum)
        fprintf(o, "        double sum_dx = 0.0;\n");
    fprintf(o, "        for (int64_t i = 0; i < N; i++) {\n");
    fprintf(o, "            const int64_t at = (i * %lld + c) * %lld;\n", c, s);
    fprintf(o, "            for (int64_t j = 0; j < %lld; j++) {\n", s);
    fprintf(o, "                const int64_t k = at + j;\n");
    fprintf(o, "                const float dy_k = %s;\n", dy);
    fprintf(o,
            "                %s[k] = scale * (dy_k - dy_mean - (%s[k] - m) * istd * "
            "dy_xhat_mean);\n",
            dx, x);
    fprintf(o, "            }\n");
    if (d->dxsum)
        fprintf(o, "            sum_dx += mlc_sum(%s + at, %lld);\n", dx, s);
    fprintf(o, "        }\n");
    if (d->dxsum)
        fprintf(o, "        %s[c] = (float)sum_dx;\n", d->dxsum->name);
    fprintf(o, "    }\n");
}

static void emit_image(Emit *e, const OpDesc *d) {
    FILE *o = e->out;
    const char *y = d->out->name;
    long long c = (long long)d->c, s = (long long)d->spatial;
    switch (d->op) {
    case OP_CONV2D:
    case OP_CONV2D_BWD_X:
    case OP_CONV2D_BWD_W: emit_conv(e, d); return;
    case OP_MAXPOOL2D:
    case OP_MAXPOOL2D_BWD:
        if (d->win.pad[0] == 0 && d->win.pad[1] == 0) {
            emit_maxpool_unpadded(e, d);
            return;
        }
        if (d->op == OP_MAXPOOL2D_BWD) {
            emit_window(e, d, d->c);
            fprintf(o, "    mlc_maxpool_bwd(%s, %s, &win, N * %lld, %s);\n", d->in[0]->name,
                    d->in[1]->name, c, y);
            return;
        }
        /* fall through */
    case OP_AVGPOOL2D:
        emit_window(e, d, d->c);
        fprintf(o, "    mlc_%s(%s, &win, N * %lld, %s);\n",
                d->op == OP_MAXPOOL2D ? "maxpool" : "avgpool", d->in[0]->name, c, y);
        return;
    case OP_AVGPOOL2D_BWD:
        emit_window(e, d, d->c);
        fprintf(o, "    mlc_avgpool_bwd(%s, &win, N * %lld, %s);\n", d->in[0]->name, c, y);
        return;
    case OP_ADAPTIVE_AVGPOOL2D:
    case OP_ADAPTIVE_AVGPOOL2D_BWD:
        fprintf(o, "    mlc_adaptive_avgpool%s(%s, N * %lld, %lld, %lld, %lld, %lld, %s);\n",
                d->op == OP_ADAPTIVE_AVGPOOL2D ? "" : "_bwd", d->in[0]->name, c, (long long)d->h,
                (long long)d->w, (long long)d->oh, (long long)d->ow, y);
        return;
    case OP_CHANNEL_SUM:
    case OP_CHANNEL_MEAN:
        fprintf(o, "    for (int64_t c = 0; c < %lld; c++)\n", c);
        fprintf(o, "        %s[c] = (float)(mlc_channel_sum(%s, NULL, N, %lld, %lld, c)%s);\n", y,
                d->in[0]->name, c, s,
                d->op == OP_CHANNEL_MEAN ? arena_printf(e->g->cx->arena, " / (double)(N * %lld)", s)
                                         : "");
        return;
    case OP_CHANNEL_VAR: /* unbiased, as batch norm's running variance takes it; one value per
                            channel (where PyTorch refuses to train) has variance 0, not NaN */
        fprintf(o, "    const double count = (double)(N * %lld);\n", s);
        fprintf(o, "    for (int64_t c = 0; c < %lld; c++) {\n", c);
        fprintf(o, "        double mean, var;\n");
        fprintf(o, "        mlc_channel_stats(%s, N, %lld, %lld, c, &mean, &var);\n",
                d->in[0]->name, c, s);
        fprintf(
            o, "        %s[c] = (float)(count > 1.0 ? var * count / (count - 1.0) : 0.0);\n    }\n",
            y);
        return;
    case OP_BATCHNORM:
        if (d->value || d->mean || d->var) {
            emit_batchnorm(e, d);
            return;
        }
        fprintf(o, "    mlc_batchnorm(%s, %s, %s, N, %lld, %lld, %.9g, %s);\n", d->in[0]->name,
                d->in[1]->name, d->in[2]->name, c, s, d->eps, y);
        return;
    case OP_BATCHNORM_BWD:
        if (d->dy || d->dgamma || d->dbeta || d->dxsum) {
            emit_batchnorm_bwd(e, d);
            return;
        }
        fprintf(o, "    mlc_batchnorm_bwd(%s, %s, %s, N, %lld, %lld, %.9g, %s, NULL);\n",
                d->in[0]->name, d->in[1]->name, d->in[2]->name, c, s, d->eps, y);
        return;
    case OP_BN_DGAMMA:
        fprintf(o, "    mlc_batchnorm_bwd(%s, %s, NULL, N, %lld, %lld, %.9g, NULL, %s);\n",
                d->in[0]->name, d->in[1]->name, c, s, d->eps, y);
        return;
    case OP_BATCHNORM_EVAL:
        if (d->value) {
            emit_batchnorm(e, d);
            return;
        }
        fprintf(o, "    mlc_batchnorm_eval(%s, %s, %s, %s, %s, N, %lld, %lld, %.9g, %s);\n",
                d->in[0]->name, d->in[1]->name, d->in[2]->name, d->in[3]->name, d->in[4]->name, c,
                s, d->eps, y);
        return;
    case OP_INPUT:
    case OP_TARGET:
    case OP_PARAM:
    case OP_GELU:
    case OP_GELU_GRAD:
    case OP_ELU:
    case OP_SQRT:
    case OP_LOG_SOFTMAX:
    case OP_LOG_SOFTMAX_BWD:
    case OP_STATE:
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
    case OP_SOFTMAX_BWD:
    case OP_CROSS_ENTROPY:
    case OP_CROSS_ENTROPY_BWD:
    case OP_NLL:
    case OP_NLL_BWD:
    case OP_BCE_LOGITS:
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

/* Layout ops and ops along one axis: as every C target writes them (backend/ctext.c). */
static void emit_layout(Emit *e, Kernel *k) {
    LayoutDesc d = kernel_layout(e->mp, k);
    c_layout(e->out, e->g->cx->arena, &d, "N", count_expr(e, d.total));
}
static void emit_axis(Emit *e, Kernel *k) {
    AxisDesc d = kernel_axis(e->mp, k);
    c_axis(e->out, &d, count_expr(e, d.outer));
}

/* Row-wise, reduce and loss ops: one case each. Sums accumulate in double, in a fixed
 * order (mlc_sum, mlc_sum_rows), so they keep float precision over millions of elements and
 * the result is the same whatever the thread count. Softmax and the losses subtract the
 * row's maximum before exp(), so no logit overflows (log-sum-exp). */
static void emit_op(Emit *e, Kernel *k) {
    FILE *o = e->out;
    if (op_info[k->op->op].cls == OPC_LAYOUT) {
        emit_layout(e, k);
        return;
    }
    if (op_info[k->op->op].cls == OPC_AXIS) {
        emit_axis(e, k);
        return;
    }
    OpDesc d = kernel_op(e->s, e->mp, k);
    const char *y = d.out->name, *xs = d.x ? d.x->name : NULL;
    const char *rows = count_expr(e, d.rows), *total = count_expr(e, d.total);
    long long last = (long long)d.width;
    if (op_info[d.op].cls == OPC_IMAGE) {
        emit_image(e, &d);
        return;
    }
    switch (d.op) {
    case OP_SUM: fprintf(o, "    %s[0] = (float)mlc_sum(%s, %s);\n", y, xs, total); return;
    case OP_MEAN:
        fprintf(o, "    %s[0] = (float)(mlc_sum(%s, %s) / (double)(%s));\n", y, xs, total, total);
        return;
    case OP_SUM_TO: fprintf(o, "    mlc_sum_rows(%s, %s, %lld, %s);\n", xs, rows, last, y); return;
    case OP_SOFTMAX:
        fprintf(o, "    for (int64_t i = 0; i < %s; i++) {\n", rows);
        fprintf(o, "        const float *row = %s + i * %lld;\n", xs, last);
        fprintf(o, "        float *out = %s + i * %lld;\n", y, last);
        fprintf(o, "        float max = row[0];\n");
        fprintf(o, "        for (int64_t j = 1; j < %lld; j++)\n", last);
        fprintf(o, "            max = fmaxf(max, row[j]);\n");
        fprintf(o, "        double sum = 0.0;\n");
        fprintf(o, "        for (int64_t j = 0; j < %lld; j++) {\n", last);
        fprintf(o, "            out[j] = expf(row[j] - max);\n");
        fprintf(o, "            sum += (double)out[j];\n        }\n");
        fprintf(o, "        for (int64_t j = 0; j < %lld; j++)\n", last);
        fprintf(o, "            out[j] /= (float)sum;\n    }\n");
        return;
    case OP_SOFTMAX_BWD:
        fprintf(o, "    for (int64_t i = 0; i < %s; i++) {\n", rows);
        fprintf(o, "        const float *yr = %s + i * %lld, *dyr = %s + i * %lld;\n", xs, last,
                d.y->name, last);
        fprintf(o, "        double dot = 0.0;\n");
        fprintf(o, "        for (int64_t j = 0; j < %lld; j++)\n", last);
        fprintf(o, "            dot += (double)(dyr[j] * yr[j]);\n");
        fprintf(o, "        for (int64_t j = 0; j < %lld; j++)\n", last);
        fprintf(o, "            %s[i * %lld + j] = yr[j] * (dyr[j] - (float)dot);\n    }\n", y,
                last);
        return;
    case OP_LOG_SOFTMAX: /* x - max - log(sum exp(x - max)), the sum in double */
        fprintf(o, "    for (int64_t i = 0; i < %s; i++) {\n", rows);
        fprintf(o, "        const float *row = %s + i * %lld;\n", xs, last);
        fprintf(o, "        float max = row[0];\n");
        fprintf(o, "        for (int64_t j = 1; j < %lld; j++)\n", last);
        fprintf(o, "            max = fmaxf(max, row[j]);\n");
        fprintf(o, "        double sum = 0.0;\n");
        fprintf(o, "        for (int64_t j = 0; j < %lld; j++)\n", last);
        fprintf(o, "            sum += (double)expf(row[j] - max);\n");
        fprintf(o, "        const float shift = max + (float)log(sum);\n");
        fprintf(o, "        for (int64_t j = 0; j < %lld; j++)\n", last);
        fprintf(o, "            %s[i * %lld + j] = row[j] - shift;\n    }\n", y, last);
        return;
    case OP_LOG_SOFTMAX_BWD: /* dy - exp(y) * rowsum(dy) */
        fprintf(o, "    for (int64_t i = 0; i < %s; i++) {\n", rows);
        fprintf(o, "        const float *yr = %s + i * %lld, *dyr = %s + i * %lld;\n", xs, last,
                d.y->name, last);
        fprintf(o, "        double sum = 0.0;\n");
        fprintf(o, "        for (int64_t j = 0; j < %lld; j++)\n", last);
        fprintf(o, "            sum += (double)dyr[j];\n");
        fprintf(o, "        for (int64_t j = 0; j < %lld; j++)\n", last);
        fprintf(o, "            %s[i * %lld + j] = dyr[j] - expf(yr[j]) * (float)sum;\n    }\n", y,
                last);
        return;
    case OP_CROSS_ENTROPY:
    case OP_CROSS_ENTROPY_BWD: {
        const char *label = d.y->name;
        if (d.op == OP_CROSS_ENTROPY)
            fprintf(o, "    double total = 0.0;\n");
        fprintf(o, "    for (int64_t i = 0; i < N; i++) {\n");
        fprintf(o, "        const float *row = %s + i * %lld;\n", xs, last);
        fprintf(o, "        float max = row[0];\n");
        fprintf(o, "        for (int64_t j = 1; j < %lld; j++)\n", last);
        fprintf(o, "            max = fmaxf(max, row[j]);\n");
        fprintf(o, "        double sum = 0.0;\n");
        fprintf(o, "        for (int64_t j = 0; j < %lld; j++)\n", last);
        fprintf(o, "            sum += (double)expf(row[j] - max);\n");
        if (d.op == OP_CROSS_ENTROPY) {
            fprintf(o, "        total += log(sum) + (double)(max - row[%s[i]]);\n    }\n", label);
            fprintf(o, "    %s[0] = (float)(total / (double)N);\n", y);
            return;
        }
        fprintf(o, "        const float scale = %s / (float)N;\n",
                operand(e->g->cx->arena, elem(e, d.scale), 3));
        fprintf(o, "        for (int64_t j = 0; j < %lld; j++)\n", last);
        fprintf(o, "            %s[i * %lld + j] = expf(row[j] - max) / (float)sum * scale;\n", y,
                last);
        fprintf(o, "        %s[i * %lld + %s[i]] -= scale;\n    }\n", y, last, label);
        return;
    }
    case OP_NLL: /* -mean of the log-probability of each sample's label */
        fprintf(o, "    double total = 0.0;\n");
        fprintf(o, "    for (int64_t i = 0; i < N; i++)\n");
        fprintf(o, "        total -= (double)%s[i * %lld + %s[i]];\n", xs, last, d.y->name);
        fprintf(o, "    %s[0] = (float)(total / (double)N);\n", y);
        return;
    case OP_NLL_BWD: { /* inputs (labels, dL): -dL / N at each label, 0 elsewhere */
        const char *scale = operand(e->g->cx->arena, elem(e, d.scale), 3);
        fprintf(o, "    for (int64_t k = 0; k < N * %lld; k++)\n", last);
        fprintf(o, "        %s[k] = 0.0f;\n", y);
        fprintf(o, "    for (int64_t i = 0; i < N; i++)\n");
        fprintf(o, "        %s[i * %lld + %s[i]] = -%s / (float)N;\n", y, last, xs, scale);
        return;
    }
    case OP_BCE_LOGITS:
        fprintf(o, "    double total = 0.0;\n");
        fprintf(o, "    for (int64_t k = 0; k < %s; k++) {\n", total);
        fprintf(o, "        const float logit = %s[k];\n", xs);
        fprintf(o,
                "        total += (double)(fmaxf(logit, 0.0f) - logit * %s[k] + "
                "log1pf(expf(-fabsf(logit))));\n",
                d.y->name);
        fprintf(o, "    }\n    %s[0] = (float)(total / (double)(%s));\n", y, total);
        return;
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
    case OP_GELU:
    case OP_GELU_GRAD:
    case OP_ELU:
    case OP_SQRT:
    case OP_STATE:
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

/* One kernel function: comment, signature, body; and for a weight-gradient GEMM that plain
 * SGD can fold into, its sgd_ twin, which updates the weight instead of storing dW. */
static void emit_kernel(Emit *e, Kernel *k) {
    FILE *o = e->out;
    KernelArgs args = kernel_args(e->s, e->mp, k);
    kernel_comment(e, k);
    Arena *a = e->g->cx->arena;
    PtrVec params = {0};
    if (args.uses_n)
        vec_push(a, &params, (void *)"int64_t N");
    if (args.uses_seed)
        vec_push(a, &params, (void *)"uint64_t seed");
    for (int i = 0; i < args.bufs.len; i++) {
        Buffer *b = args.bufs.data[i];
        const char *type = b->node->dtype == DT_I32 ? "int32_t" : "float";
        vec_push(a, &params,
                 arena_printf(a, "%s%s *%s", kernel_arg_written(&args, i) ? "" : "const ", type,
                              b->name));
    }
    print_list(o, arena_printf(a, "static void %s(", kernel_name(e->g->cx->arena, e->mp, k)),
               &params, ") {");
    switch (k->kind) {
    case K_GEMM:
        emit_gemm(e, k);
        if (k->nodes.len)
            emit_elemwise_loop(e, k);
        break;
    case K_ELEMWISE: emit_elemwise_loop(e, k); break;
    case K_OP: emit_op(e, k); break;
    }
    fprintf(o, "}\n\n");
    if (!k->sgd_param)
        return;
    /* the same product, folded into a plain SGD step on the weight */
    const char *w = buf(e, k->sgd_param)->name;
    fprintf(o,
            "/* The product of %s with plain SGD folded in (beta = 1),\n"
            " * so the gradient is never stored:\n *   %s -= lr * %s",
            kernel_name(e->g->cx->arena, e->mp, k), w, kernel_gemm_math(e->s, e->mp, k));
    fprintf(o, "\n */\n");
    PtrVec sgd_params = {0};
    if (args.uses_n)
        vec_push(a, &sgd_params, (void *)"int64_t N");
    for (int i = 0; i < args.bufs.len; i++)
        if (!kernel_arg_written(&args, i))
            vec_push(a, &sgd_params,
                     arena_printf(a, "const float *%s", ((Buffer *)args.bufs.data[i])->name));
    vec_push(a, &sgd_params, (void *)"float lr");
    vec_push(a, &sgd_params, arena_printf(a, "float *%s", w));
    print_list(o, arena_printf(a, "static void sgd_%s(", kernel_name(e->g->cx->arena, e->mp, k)),
               &sgd_params, ") {");
    emit_gemm_call(e, k, "-lr", "1.0f", w);
    fprintf(o, "}\n\n");
}

/* A call of a kernel from a pass function: buffers in the state as m->name, inputs by the
 * locals emit_inputs() declared. */
static void emit_call(Emit *e, Kernel *k) {
    KernelArgs args = kernel_args(e->s, e->mp, k);
    Arena *a = e->g->cx->arena;
    PtrVec list = {0};
    if (args.uses_n)
        vec_push(a, &list, (void *)"N");
    if (args.uses_seed)
        vec_push(a, &list, (void *)"*m->seed");
    for (int i = 0; i < args.bufs.len; i++)
        vec_push(a, &list, (void *)ref(e, args.bufs.data[i]));
    print_list(e->out, arena_printf(a, "    %s(", kernel_name(e->g->cx->arena, e->mp, k)), &list,
               ");");
}

/* ---- the whole file ----------------------------------------------------------------------------
 */

/* The file's head: where it comes from, and the memory plan in numbers. */
static void emit_header(Emit *e) {
    Graph *g = e->g;
    MemPlan *mp = e->mp;
    FILE *o = e->out;
    int64_t batch = g->train.has_data ? g->train.batch : 1; /* one constant sample */
    int64_t bytes = (mp->per_sample * batch + mp->fixed) * 4;
    const char *size =
        bytes < 10240 ? arena_printf(g->cx->arena, "%lld bytes", (long long)bytes)
                      : arena_printf(g->cx->arena, "%lld KiB", (long long)((bytes + 1023) / 1024));
    fprintf(o, "/* Generated by mlc %s from %s. Do not edit.\n *\n", MLC_VERSION, g->cx->path);
    fprintf(o, " * model %s: %lld parameters in %d tensors.\n", g->name, (long long)mp->nparams,
            g->params.len);
    fprintf(o, " * activations: %lld floats per sample + %lld fixed, %s at batch %lld\n",
            (long long)mp->per_sample, (long long)mp->fixed, size, (long long)batch);
    fprintf(o, " * (%lld floats per sample without buffer reuse).\n",
            (long long)mp->naive_per_sample);
    fprintf(o, " * %d kernels: %d in the forward pass, %d in the backward pass.\n */\n",
            e->s->kernels.len, e->s->nforward, e->s->kernels.len - e->s->nforward);
    fprintf(o, "#include <cblas.h>\n#include \"mlc_runtime.h\"\n\n");
}

static bool uses_image_ops(Graph *g) {
    for (int i = 0; i < g->nodes.len; i++)
        if (op_info[((Node *)g->nodes.data[i])->op].cls == OPC_IMAGE)
            return true;
    return false;
}

static bool uses_dropout(Graph *g) {
    for (int i = 0; i < g->nodes.len; i++)
        if (((Node *)g->nodes.data[i])->op == OP_DROPOUT)
            return true;
    return false;
}

/* The state struct: one pointer per parameter, gradient and activation buffer, each with
 * its shape, so a reader (or a debugger) sees every value by its model name. */
static void emit_struct(Emit *e) {
    FILE *o = e->out;
    Graph *g = e->g;
    fprintf(o, "/* One model instance: named pointers into the runtime's blocks. */\n");
    fprintf(o, "typedef struct %s {\n", e->type);
    fprintf(o, "    /* parameters, one block in state_dict order */\n");
    for (int p = 0; p < g->params.len; p++) {
        Node *w = g->params.data[p];
        fprintf(o, "    float *%s; /* %s */\n", buf(e, w)->name, shape_comment(e, w->shape));
    }
    fprintf(o, "    /* their gradients, one block with the same layout */\n");
    for (int p = 0; p < g->params.len; p++) {
        Node *w = g->params.data[p];
        fprintf(o, "    float *%s; /* %s */\n", e->mp->grad_name[p], shape_comment(e, w->shape));
    }
    if (g->states.len)
        fprintf(o, "    /* running state, one block saved with the parameters; the forward pass "
                   "updates it */\n");
    for (int p = 0; p < g->states.len; p++) {
        Node *st = g->states.data[p];
        fprintf(o, "    float *%s; /* %s */\n", e->mp->state_name[p], shape_comment(e, st->shape));
    }
    fprintf(o,
            "    /* activations, one block; buffers whose lives do not overlap share memory */\n");
    for (int i = 0; i < e->mp->buffers.len; i++) {
        Buffer *b = e->mp->buffers.data[i];
        if (b->kind == BUF_ACT)
            fprintf(o, "    float *%s; /* %s */\n", b->name, shape_comment(e, b->node->shape));
    }
    if (e->eval) {
        fprintf(o, "    /* the evaluation pass's activations, in the same block: the two passes "
                   "never run\n     * at once */\n");
        for (int i = 0; i < e->eval->mp->buffers.len; i++) {
            Buffer *b = e->eval->mp->buffers.data[i];
            if (b->kind == BUF_ACT)
                fprintf(o, "    float *%s; /* %s */\n", b->name, shape_comment(e, b->node->shape));
        }
    }
    fprintf(o, "    float *params, *grads;\n");
    if (uses_dropout(g))
        fprintf(o, "    const uint64_t *seed; /* this training step's, for the dropout masks */\n");
    fprintf(o, "} %s;\n\n", e->type);
}

/* The activation pointers of one plan: batched buffers at offset * max_batch (their offsets
 * are per sample), the fixed pool after the largest batched pool. */
static void bind_activations(Emit *e, MemPlan *mp) {
    for (int i = 0; i < mp->buffers.len; i++) {
        Buffer *b = mp->buffers.data[i];
        if (b->kind != BUF_ACT)
            continue;
        if (b->batched)
            fprintf(e->out, "    m->%s = b->acts + %lld * b->max_batch;\n", b->name,
                    (long long)b->offset);
        else
            fprintf(e->out, "    m->%s = b->acts + %lld * b->max_batch + %lld;\n", b->name,
                    (long long)plan_acts_per_sample(e->mp, e->eval ? e->eval->mp : NULL),
                    (long long)b->offset);
    }
}

/* bind() carves the runtime's blocks into the named pointers. */
static void emit_bind(Emit *e) {
    FILE *o = e->out;
    Graph *g = e->g;
    MemPlan *mp = e->mp;
    fprintf(o, "static void %s_bind(void *state, const MlcBuffers *b) {\n", g->name);
    fprintf(o, "    %s *m = state;\n", e->type);
    fprintf(o, "    m->params = b->params;\n    m->grads = b->grads;\n");
    if (uses_dropout(g))
        fprintf(o, "    m->seed = &b->seed;\n");
    for (int p = 0; p < g->params.len; p++) {
        const char *name = buf(e, g->params.data[p])->name;
        fprintf(o, "    m->%s = b->params + %lld;\n", name, (long long)mp->param_offset[p]);
        fprintf(o, "    m->%s = b->grads + %lld;\n", mp->grad_name[p],
                (long long)mp->param_offset[p]);
    }
    for (int p = 0; p < g->states.len; p++)
        fprintf(o, "    m->%s = b->states + %lld;\n", mp->state_name[p],
                (long long)mp->state_offset[p]);
    bind_activations(e, mp);
    if (e->eval)
        bind_activations(e, e->eval->mp);
    fprintf(o, "}\n\n");
}

/* The locals a pass function names its inputs by, for kernels [first, last). */
static void emit_inputs(Emit *e, int first, int last) {
    Graph *g = e->g;
    bool uses_n = false, uses[2] = {false, false};
    Node *leaves[2] = {g->input, g->target};
    for (int i = first; i < last; i++) {
        KernelArgs args = kernel_args(e->s, e->mp, e->s->kernels.data[i]);
        uses_n |= args.uses_n;
        for (int j = 0; j < args.bufs.len; j++)
            for (int l = 0; l < 2; l++)
                uses[l] |= args.bufs.data[j] == e->mp->buf_of[leaves[l]->id];
    }
    fprintf(e->out, "    %s *m = state;\n", e->type);
    if (uses_n)
        fprintf(e->out, "    const int64_t N = n;\n");
    else
        fprintf(e->out, "    (void)n;\n");
    for (int l = 0; l < 2; l++) {
        const char *arg = l == 0 ? "batch_x" : "batch_y";
        if (!uses[l]) {
            fprintf(e->out, "    (void)%s;\n", arg);
            continue;
        }
        const char *type = leaves[l]->dtype == DT_I32 ? "int32_t" : "float";
        fprintf(e->out, "    const %s *%s = %s;\n", type, buf(e, leaves[l])->name, arg);
    }
}

/* Gradients that are not computed in place: zero, a constant, or a copy. */
static void emit_grad_copies(Emit *e) {
    FILE *o = e->out;
    Graph *g = e->g;
    for (int p = 0; p < g->params.len; p++) {
        Node *d = g->grads.data[p];
        const char *w = e->mp->grad_name[p];
        int64_t size = shape_numel_const(((Node *)g->params.data[p])->shape);
        Buffer *b = d ? e->mp->buf_of[d->id] : NULL;
        if (b && b->kind == BUF_GRAD && b->param == p)
            continue;
        fprintf(o, "    for (int64_t k = 0; k < %lld; k++) /* %s */\n", (long long)size,
                d ? "computed elsewhere" : "does not affect the loss");
        if (!d)
            fprintf(o, "        m->%s[k] = 0.0f;\n", w);
        else if (d->op == OP_CONST)
            fprintf(o, "        m->%s[k] = %s;\n", w,
                    const_expr(e, d->attr.cnst.value, d->attr.cnst.npow));
        else
            fprintf(o, "        m->%s[k] = %s[%s];\n", w, ref(e, b),
                    d->shape.rank == 0 ? "0" : "k");
    }
}

/* "static float fashion_forward(void *state, ...) {", wrapped like the kernels. */
static void pass_signature(Emit *e, const char *type, const char *pass, bool opt) {
    Arena *a = e->g->cx->arena;
    const char *params[] = {"void *state", "const float *batch_x", "const void *batch_y",
                            "int64_t n", "float lr"};
    PtrVec list = {0};
    for (int i = 0; i < (opt ? 5 : 4); i++)
        vec_push(a, &list, (void *)params[i]);
    print_list(e->out, arena_printf(a, "static %s %s_%s(", type, e->g->name, pass), &list, ") {");
}

/* forward, backward and update in one, with plain SGD folded into the weight gradients */
static void emit_train_step(Emit *e) {
    FILE *o = e->out;
    Graph *g = e->g;
    Schedule *s = e->s;
    fprintf(o, "/* One training step with plain SGD (w -= lr * grad), as the runtime calls it for\n"
               " * that optimizer: each weight is updated inside the GEMM that computes its\n"
               " * gradient, where it can be. */\n");
    pass_signature(e, "void", "train_step", true);
    fprintf(o, "    %s_forward(state, batch_x, batch_y, n);\n", g->name);
    emit_inputs(e, s->nforward, s->kernels.len);
    bool *folded = arena_alloc(g->cx->arena, sizeof(bool) * (size_t)(g->params.len + 1));
    for (int i = s->nforward; i < s->kernels.len; i++) {
        Kernel *k = s->kernels.data[i];
        if (!k->sgd_param) {
            emit_call(e, k);
            continue;
        }
        KernelArgs args = kernel_args(e->s, e->mp, k);
        Arena *a = g->cx->arena;
        PtrVec list = {0};
        if (args.uses_n)
            vec_push(a, &list, (void *)"N");
        for (int j = 0; j < args.bufs.len; j++)
            if (!kernel_arg_written(&args, j))
                vec_push(a, &list, (void *)ref(e, args.bufs.data[j]));
        vec_push(a, &list, (void *)"lr");
        vec_push(a, &list, (void *)ref(e, buf(e, k->sgd_param)));
        print_list(o, arena_printf(a, "    sgd_%s(", kernel_name(e->g->cx->arena, e->mp, k)), &list,
                   ");");
        for (int p = 0; p < g->params.len; p++)
            folded[p] |= g->params.data[p] == k->sgd_param;
    }
    emit_grad_copies(e);
    for (int p = 0; p < g->params.len; p++) {
        if (folded[p])
            continue;
        Node *w = g->params.data[p];
        fprintf(o, "    for (int64_t k = 0; k < %lld; k++)\n",
                (long long)shape_numel_const(w->shape));
        fprintf(o, "        m->%s[k] -= lr * m->%s[k];\n", buf(e, w)->name, e->mp->grad_name[p]);
    }
    fprintf(o, "}\n\n");
}

/* forward(), backward(), sgd_update(), train_step() and output(): what the runtime calls. */
/* A forward pass (the training one, or the evaluation one), and its loss() and output()
 * functions, which the runtime calls when it needs the values. */
static void emit_forward(Emit *e, const char *prefix, const char *what) {
    FILE *o = e->out;
    Graph *g = e->g;
    Schedule *s = e->s;
    Arena *a = g->cx->arena;
    fprintf(o, "/* %s: the mean loss over the batch of n samples%s%s. */\n", what,
            g->output ? ", and " : "", g->output ? buf(e, g->output)->name : "");
    pass_signature(e, "void", arena_printf(a, "%sforward", prefix), false);
    emit_inputs(e, 0, s->nforward);
    for (int i = 0; i < s->nforward; i++)
        emit_call(e, s->kernels.data[i]);
    fprintf(o, "}\n\n");
    fprintf(o, "static float %s_%sloss(void *state) {\n", g->name, prefix);
    if (g->loss->op == OP_CONST) /* a loss no input or parameter changes (sum(3)) */
        fprintf(o, "    (void)state;\n    return %s;\n}\n\n",
                const_expr(e, g->loss->attr.cnst.value, g->loss->attr.cnst.npow));
    else
        fprintf(o, "    return ((%s *)state)->%s[0];\n}\n\n", e->type, buf(e, g->loss)->name);
    fprintf(o, "static const float *%s_%soutput(void *state) {\n", g->name, prefix);
    if (g->output)
        fprintf(o, "    return ((%s *)state)->%s;\n}\n\n", e->type, buf(e, g->output)->name);
    else
        fprintf(o, "    (void)state;\n    return NULL;\n}\n\n");
}

static void emit_passes(Emit *e) {
    FILE *o = e->out;
    Schedule *s = e->s;
    emit_forward(e, "", "The forward pass");
    if (e->eval)
        emit_forward(e->eval, "eval_", "The forward pass as evaluation runs it (no dropout)");

    fprintf(o, "/* The backward pass: the gradient of the loss for every parameter, after the "
               "forward pass\n * on the same batch. */\n");
    pass_signature(e, "void", "backward", false);
    emit_inputs(e, s->nforward, s->kernels.len);
    for (int i = s->nforward; i < s->kernels.len; i++)
        emit_call(e, s->kernels.data[i]);
    emit_grad_copies(e);
    fprintf(o, "}\n\n");

    emit_train_step(e);
}

/* The MlcModel that describes the model to the runtime (mlc_runtime.h), and main(). The
 * parameter table keeps the state_dict names and shapes, so weight files are PyTorch's. */
static void emit_model(Emit *e, const Program *p) {
    FILE *o = e->out;
    Graph *g = e->g;
    c_model_tables(o, g->cx->arena, g, e->mp);
    fprintf(o, "static const MlcModel %s_model = {\n", g->name);
    c_model_fields(o, g->cx->arena, p, e->type, false);
    if (uses_image_ops(g)) /* the image kernels' threads, where the compiler gave them */
        fprintf(o, "#ifdef _OPENMP\n    .own_threads = 1,\n#endif\n");
    fprintf(o, "};\n\n");
    fprintf(o, "int main(int argc, char **argv) {\n");
    fprintf(o, "    return mlc_main(argc, argv, &%s_model);\n}\n", g->name);
}

/* The whole file, top to bottom in the order a reader wants it. */
static void emit_c(FILE *out, const Program *p) {
    /* the state type, FashionState: no model name can make it clash with a runtime type */
    Arena *a = p->g->cx->arena;
    const char *type = c_state_type(a, p->g->name);
    bool threads = uses_image_ops(p->g);
    Emit ev = {out, p->eval, p->es, p->emp, type, NULL, threads};
    Emit e = {out, p->g, p->s, p->mp, type, p->eval ? &ev : NULL, threads};
    emit_header(&e);
    emit_struct(&e);
    emit_bind(&e);
    for (int i = 0; i < p->s->kernels.len; i++)
        emit_kernel(&e, p->s->kernels.data[i]);
    if (p->eval) {
        fprintf(out, "/* ---- the evaluation pass: the forward pass without dropout ---- */\n\n");
        for (int i = 0; i < p->es->kernels.len; i++)
            emit_kernel(&ev, p->es->kernels.data[i]);
    }
    emit_passes(&e);
    emit_model(&e, p);
}

/* ---- the target ------------------------------------------------------------------------------ */

static const char *const reserved[] = {
    /* C keywords a model could use as a name */
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
    "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict",
    "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "main",
    /* names the generated code uses itself */
    "N", "n", "i", "j", "k", "m", "v", "state", "batch_x", "batch_y", "acc", "total", "row", "out",
    "max", "sum", "yr", "dyr", "dot", "scale", "logit", "params", "grads", "velocity", "c", "count",
    "mean", "var", "win", "grp", "part", "part_cols", "part_dw", "states", "seed",
    /* batch norm's fused loops */
    "invstd", "istd", "sum_dy", "sum_dy_x", "sum_dy_xhat", "part_x", "at", "from", "len",
    "dy_piece", "dy_k", "dy_mean", "dy_xhat_mean", "sum_dx", "sqrt", "mlc_sum_parts",
    "mlc_sum_into", "mlc_dot_into", "mlc_dot",
    /* the layout copies' and axis loops' (backend/ctext.c) */
    "i0", "i1", "i2", "i3", "t", "rest", "a", "best",
    /* what kernels call or name, which a parameter of the same name would hide */
    "expf", "logf", "log", "fmaxf", "fabsf", "log1pf", "tanhf", "mlc_relu", "mlc_sum",
    "mlc_sum_rows", "cblas_sgemm", "CblasRowMajor", "CblasTrans", "CblasNoTrans", "int64_t",
    "mlc_im2col", "mlc_col2im", "mlc_maxpool", "mlc_maxpool_bwd", "mlc_avgpool", "mlc_avgpool_bwd",
    "mlc_adaptive_avgpool", "mlc_adaptive_avgpool_bwd", "mlc_window_max", "mlc_window_argmax",
    "mlc_clamp", "mlc_gelu_tanh", "mlc_gelu_tanh_grad", "powf", "mlc_channel_sum",
    "mlc_channel_stats", "mlc_batchnorm", "mlc_batchnorm_bwd", "mlc_batchnorm_eval", "mlc_dropout",
    "MlcWindow", "MLC_PARALLEL_FOR", "int32_t", "NULL", "INFINITY", "NAN", NULL};

const Target target_c = {
    .name = "c",
    .extension = ".c",
    .reserved = reserved,
    .has_blas = true,
    .has_device = false,
    .static_memory = false,
    .fuse_batchnorm = true,
    .emit = emit_c,
    .build = build_program,
};
