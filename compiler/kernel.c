/* kernel.c: what every target shares about a kernel.
 *
 * Takes the schedule and the memory plan, and describes each kernel in a form that does not
 * depend on the language a backend writes: its name and arguments (the buffers it reads and
 * writes, and whether it needs the batch size N), the model text it comes from and what it
 * computes as math (for the comment above it), and its body:
 *   - an elementwise loop: the element expression as a tree (ops of ops.def, constants, and
 *     loads at the loop's element k, at column j of a broadcast row, or of a scalar), its
 *     extent, and the column sums fused into it;
 *   - a matrix product: the operands, transpose flags and dimensions;
 *   - a row-wise, reduce or loss op: its operands, rows and row width.
 * A backend prints these in its own syntax. None of it reaches back into the IR for shapes
 * or into the diagnostics for source lines.
 */
#include "mlc.h"

Count count_of(Shape s) {
    return (Count){shape_numel_const(s), shape_has_n(s)};
}

/* The buffer holding a value; every value a kernel names has one (memplan's promise). */
static Buffer *buffer(MemPlan *mp, const Node *n) {
    Buffer *b = mp->buf_of[n->id];
    MLC_ASSERT(b);
    return b;
}

/* ---- name and arguments ---------------------------------------------------------------- */

const char *kernel_name(Arena *a, MemPlan *mp, Kernel *k) {
    return arena_printf(a, "compute_%s", buffer(mp, k->root)->name);
}

static void add_arg(Arena *a, KernelArgs *args, Buffer *b, bool written) {
    for (int i = 0; i < args->bufs.len; i++) {
        if (args->bufs.data[i] == b) {
            if (written)
                args->written.data[i] = b;
            return;
        }
    }
    vec_push(a, &args->bufs, b);
    vec_push(a, &args->written, written ? b : NULL);
}

bool kernel_arg_written(const KernelArgs *args, int i) {
    return args->written.data[i] != NULL;
}

/* Does computing with n need the batch size: a batched shape, or a constant like 1/N? */
static bool needs_n(const Node *n) {
    return shape_has_n(n->shape) || (n->op == OP_CONST && n->attr.cnst.npow != 0);
}

KernelArgs kernel_args(Schedule *s, MemPlan *mp, Kernel *k) {
    Arena *a = s->g->cx->arena;
    KernelArgs reads = {0}, args = {0};
    PtrVec all = kernel_nodes(a, k);
    for (int i = 0; i < all.len; i++) {
        Node *n = all.data[i];
        args.uses_n |= needs_n(n);
        args.uses_seed |= n->op == OP_DROPOUT;
        for (int j = 0; j < n->nin; j++)
            args.uses_n |= needs_n(n->in[j]);
    }
    PtrVec in = kernel_reads(a, s, k);
    for (int i = 0; i < in.len; i++)
        add_arg(a, &reads, buffer(mp, in.data[i]), false);
    add_arg(a, &reads, buffer(mp, k->root), true);
    if (k->reduce)
        add_arg(a, &reads, buffer(mp, k->reduce), true);
    for (int i = 0; i < k->outs.len; i++)
        add_arg(a, &reads, buffer(mp, k->outs.data[i]), true);
    Buffer *scratch = kernel_scratch(s, mp, k);
    if (scratch)
        add_arg(a, &reads, scratch, true);
    /* what the kernel only reads first, then what it writes (a buffer an in-place epilogue
     * reads and writes is passed once, writable) */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < reads.bufs.len; i++)
            if (kernel_arg_written(&reads, i) == (pass == 1))
                add_arg(a, &args, reads.bufs.data[i], pass == 1);
    return args;
}

Buffer *kernel_scratch(Schedule *s, MemPlan *mp, Kernel *k) {
    for (int i = 0; i < s->kernels.len; i++)
        if (s->kernels.data[i] == k)
            return mp->scratch[i];
    unreachable();
}

/* ---- where a kernel comes from, and what it computes ------------------------------------- */

PtrVec kernel_sources(Schedule *s, Kernel *k) {
    /* the distinct model lines of the nodes, in order, each quoted by the widest piece of
     * model text a node of that line comes from ('x @ w + b' rather than 'x @ w') */
    Graph *g = s->g;
    Arena *a = g->cx->arena;
    PtrVec nodes = kernel_nodes(a, k);
    Loc *quote = arena_alloc(a, sizeof(Loc) * (size_t)(nodes.len + 1));
    int *lines = arena_alloc(a, sizeof(int) * (size_t)(nodes.len + 1));
    int nlines = 0;
    for (int i = 0; i < nodes.len; i++) {
        Node *n = nodes.data[i];
        if (n == k->reduce)
            continue;
        int line, col, at = nlines;
        diag_line_col(g->cx, n->loc.offset, &line, &col);
        for (int j = 0; j < nlines; j++)
            if (lines[j] == line)
                at = j;
        if (at == nlines) {
            lines[nlines++] = line;
            quote[at] = n->loc;
        } else if (n->loc.len > quote[at].len) {
            quote[at] = n->loc;
        }
    }
    PtrVec out = {0};
    for (int i = 0; i < nlines; i++)
        vec_push(a, &out,
                 arena_printf(a, "%s%s  %s", k->backward ? "backward of " : "",
                              ir_where(g, quote[i]), ir_source_text(g, quote[i])));
    return out;
}

/* In a kernel's math, values the kernel computes in place are written out, the others
 * named by their buffers. */
typedef struct KernelNames {
    Schedule *s;
    MemPlan *mp;
    Kernel *k;
} KernelNames;

static const char *kernel_operand_name(void *ctx, const Node *n) {
    KernelNames *kn = ctx;
    bool here = kn->s->inlined[n->id] && kn->s->kernel_of[n->id] == kn->k;
    if (here || n == kn->k->gemm || (n == kn->k->op && n != kn->k->root))
        return NULL;
    return buffer(kn->mp, n)->name;
}

static const char *math_of(Schedule *s, MemPlan *mp, Kernel *k, const Node *n) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    MLC_ASSERT(f);
    KernelNames kn = {s, mp, k};
    MathNames names = {kernel_operand_name, &kn};
    ir_print_math(f, s->g, n, &names);
    fclose(f);
    char *out = arena_strdup(s->g->cx->arena, text);
    free(text);
    return out;
}

PtrVec kernel_math(Schedule *s, MemPlan *mp, Kernel *k) {
    Arena *a = s->g->cx->arena;
    PtrVec out = {0};
    const Node *value = k->kind == K_GEMM && k->nodes.len == 0 ? k->gemm : k->root;
    vec_push(a, &out,
             arena_printf(a, "%s = %s", buffer(mp, k->root)->name, math_of(s, mp, k, value)));
    if (k->reduce)
        vec_push(
            a, &out,
            arena_printf(a, "%s = %s", buffer(mp, k->reduce)->name, math_of(s, mp, k, k->reduce)));
    for (int i = 0; i < k->outs.len; i++) {
        Node *o = k->outs.data[i];
        vec_push(a, &out, arena_printf(a, "%s = %s", buffer(mp, o)->name, math_of(s, mp, k, o)));
    }
    return out;
}

const char *kernel_gemm_math(Schedule *s, MemPlan *mp, Kernel *k) {
    return math_of(s, mp, k, k->gemm);
}

/* ---- elementwise loops ------------------------------------------------------------------- */

/* The element of node n in kernel k's loop: computed in place if it is inlined here (or is
 * the loop's root), else loaded from its buffer at the index its shape calls for. */
static Elem *elem_of(Schedule *s, MemPlan *mp, Kernel *k, Node *n, bool root) {
    Elem *x = NEW(s->g->cx->arena, Elem);
    if (n->op == OP_CONST) {
        x->kind = ELEM_CONST;
        x->value = n->attr.cnst.value;
        x->npow = n->attr.cnst.npow;
        return x;
    }
    if (n == k->op && n != k->root) { /* a batch norm's value, under its epilogue */
        x->kind = ELEM_VALUE;
        return x;
    }
    bool here = s->inlined[n->id] && s->kernel_of[n->id] == k;
    if (!here && !root) {
        int64_t total = shape_numel_const(k->root->shape);
        int64_t size = shape_numel_const(n->shape);
        x->kind = ELEM_LOAD;
        x->buf = buffer(mp, n);
        x->size = size;
        if (shape_is_scalar(n->shape))
            x->at = AT_SCALAR;
        else if (size == total && shape_has_n(n->shape) == shape_has_n(k->root->shape))
            x->at = AT_K;
        else if (size == k->inner)
            x->at = AT_J;
        else
            x->at = AT_J_MOD;
        return x;
    }
    MLC_ASSERT(op_info[n->op].form != EF_NONE);
    x->kind = ELEM_OP;
    x->op = n->op;
    if (n->op == OP_DROPOUT) {
        x->dropout_p = n->attr.dropout.p;
        x->dropout_stream = n->attr.dropout.stream;
    }
    x->nargs = n->nin;
    for (int i = 0; i < n->nin; i++)
        x->arg[i] = elem_of(s, mp, k, n->in[i], false);
    return x;
}

ElemLoop kernel_loop(Schedule *s, MemPlan *mp, Kernel *k) {
    ElemLoop l = {0};
    l.value = elem_of(s, mp, k, k->root, true);
    l.out = buffer(mp, k->root);
    l.total = count_of(k->root->shape);
    l.inner = k->inner;
    if (l.inner)
        l.rows = (Count){l.total.c / l.inner, l.total.n};
    l.reduce = k->reduce ? buffer(mp, k->reduce) : NULL;
    return l;
}

/* ---- matrix products --------------------------------------------------------------------- */

GemmDesc kernel_gemm(MemPlan *mp, Kernel *k) {
    Node *mm = k->gemm, *a = mm->in[0], *b = mm->in[1];
    GemmDesc d = {0};
    d.ta = mm->attr.gemm.ta;
    d.tb = mm->attr.gemm.tb;
    int64_t m = a->shape.dim[d.ta ? 1 : 0], kk = a->shape.dim[d.ta ? 0 : 1];
    int64_t n = b->shape.dim[d.tb ? 0 : 1];
    d.m = m == DIM_N ? (Count){1, true} : (Count){m, false};
    d.n = n == DIM_N ? (Count){1, true} : (Count){n, false};
    d.k = kk == DIM_N ? (Count){1, true} : (Count){kk, false};
    d.a = buffer(mp, a);
    d.b = buffer(mp, b);
    d.lda = a->shape.dim[1]; /* only dim[0] is ever N */
    d.ldb = b->shape.dim[1];
    return d;
}

/* ---- image ops ------------------------------------------------------------------------------ */

/* The operands and geometry of an OPC_IMAGE op. The window's input and output are the
 * convolution's x and y, whichever operands or result hold them in a backward op. */
static OpDesc image_op(Schedule *s, MemPlan *mp, Kernel *k, OpDesc d) {
    Node *n = k->op;
    for (int i = 0; i < n->nin; i++) /* NULL: a constant, or computed here (d.dy) */
        d.in[i] =
            n->in[i]->op == OP_CONST || s->inlined[n->in[i]->id] ? NULL : buffer(mp, n->in[i]);
    d.scratch = kernel_scratch(s, mp, k);
    if (op_has_eps(n->op))
        d.eps = n->attr.bn.eps;
    const Shape *x = &n->in[0]->shape, *y = &n->shape; /* window: input, output */
    if (op_has_window(n->op)) {
        d.win = n->attr.win;
        if (n->op == OP_CONV2D_BWD_W) /* (dy, x) -> dw */
            x = &n->in[1]->shape, y = &n->in[0]->shape;
        else if (n->op != OP_CONV2D && n->op != OP_MAXPOOL2D && n->op != OP_AVGPOOL2D)
            x = &n->shape, y = &n->in[0]->shape; /* (dy, ...) -> dx */
        d.oc = y->dim[1], d.oh = y->dim[2], d.ow = y->dim[3];
        d.h = x->dim[2], d.w = x->dim[3];
    } else if (n->op == OP_BATCHNORM_BWD || n->op == OP_BN_DGAMMA) {
        x = &n->in[1]->shape; /* (dy, x, ...) */
    } else if (n->op == OP_ADAPTIVE_AVGPOOL2D || n->op == OP_ADAPTIVE_AVGPOOL2D_BWD) {
        if (n->op == OP_ADAPTIVE_AVGPOOL2D_BWD) /* dy -> dx */
            x = &n->shape, y = &n->in[0]->shape;
        d.oc = y->dim[1], d.oh = y->dim[2], d.ow = y->dim[3];
        d.h = x->dim[2], d.w = x->dim[3];
    }
    d.c = x->dim[1];
    d.spatial = 1;
    for (int i = 2; i < x->rank; i++)
        d.spatial *= x->dim[i];
    /* batch norm fused with what is around it (fuse.c) */
    if (k->root != n)
        d.value = elem_of(s, mp, k, k->root, true);
    if (n->op == OP_BATCHNORM_BWD && s->inlined[n->in[0]->id])
        d.dy = elem_of(s, mp, k, n->in[0], false);
    for (int i = 0; i < k->outs.len; i++) {
        Node *o = k->outs.data[i];
        Buffer **slot = o->op == OP_CHANNEL_MEAN  ? &d.mean
                        : o->op == OP_CHANNEL_VAR ? &d.var
                        : o->op == OP_BN_DGAMMA   ? &d.dgamma
                        : o->in[0] == n           ? &d.dxsum
                                                  : &d.dbeta;
        MLC_ASSERT(o->op == OP_CHANNEL_MEAN || o->op == OP_CHANNEL_VAR || o->op == OP_BN_DGAMMA ||
                   o->op == OP_CHANNEL_SUM);
        *slot = buffer(mp, o);
    }
    return d;
}

/* ---- row-wise, reduce and loss ops ------------------------------------------------------- */

OpDesc kernel_op(Schedule *s, MemPlan *mp, Kernel *k) {
    Node *n = k->op, *x = n->in[0];
    OpDesc d = {0};
    d.op = n->op;
    d.out = buffer(mp, k->root);
    d.x = s->inlined[x->id] ? NULL : buffer(mp, x); /* batch norm's dy, computed in its loops */
    d.total = count_of(x->shape);
    d.width = x->shape.rank ? x->shape.dim[x->shape.rank - 1] : 1;
    d.rows = (Count){d.total.c / d.width, d.total.n};
    if (n->op == OP_SUM_TO) {
        d.width = shape_numel_const(n->shape);
        d.rows = (Count){d.total.c / d.width, d.total.n};
    }
    if (n->op == OP_NLL_BWD) { /* (labels, dL) -> [N, K]: rows of the result's width */
        d.total = count_of(n->shape);
        d.width = n->shape.dim[1];
        d.rows = (Count){1, true};
        d.scale = elem_of(s, mp, k, n->in[1], false);
        return d;
    }
    if (n->nin > 1)
        d.y = buffer(mp, n->in[1]);
    if (op_info[n->op].cls == OPC_IMAGE)
        return image_op(s, mp, k, d);
    if (n->nin > 2) /* cross_entropy_bwd's dL: a constant or one element */
        d.scale = elem_of(s, mp, k, n->in[2], false);
    return d;
}

/* ---- layout and axis ops ------------------------------------------------------------------ */

/* The elements one step along each dimension of s covers (the last dimension's is 1). */
static void strides_of(Shape s, int64_t *st) {
    int64_t step = 1;
    for (int d = s.rank - 1; d >= 0; d--) {
        st[d] = step;
        step *= s.dim[d] == DIM_N ? 1 : s.dim[d];
    }
}

/* A copy over the box `box` (dimension 0 N where the box has it). */
static Copy box_copy(Buffer *src, Shape box) {
    Copy c = {0};
    c.src = src;
    c.rank = box.rank;
    for (int d = 0; d < box.rank; d++)
        c.dim[d] = box.dim[d] == DIM_N ? (Count){1, true} : (Count){box.dim[d], false};
    return c;
}

/* Drops the box's dimensions of size 1 and merges a dimension into the one before it when
 * both sides step over it contiguously. */
static Copy tidy(Copy c) {
    Copy t = c;
    t.rank = 0;
    for (int d = 0; d < c.rank; d++) {
        if (c.dim[d].c == 1 && !c.dim[d].n)
            continue;
        int last = t.rank - 1;
        if (last >= 0 && !c.dim[d].n && t.src_stride[last] == c.src_stride[d] * c.dim[d].c &&
            t.dst_stride[last] == c.dst_stride[d] * c.dim[d].c) {
            t.dim[last].c *= c.dim[d].c;
            t.src_stride[last] = c.src_stride[d];
            t.dst_stride[last] = c.dst_stride[d];
            continue;
        }
        t.dim[t.rank] = c.dim[d];
        t.src_stride[t.rank] = c.src_stride[d];
        t.dst_stride[t.rank] = c.dst_stride[d];
        t.rank++;
    }
    return t;
}

LayoutDesc kernel_layout(MemPlan *mp, Kernel *k) {
    Node *n = k->root;
    const Layout *l = &n->attr.lay;
    Shape y = n->shape;
    LayoutDesc d = {0};
    d.op = n->op;
    d.out = buffer(mp, n);
    d.total = count_of(y);
    d.ncopies = 1;
    int64_t ys[MLC_MAX_RANK], xs[MLC_MAX_RANK];
    strides_of(y, ys);
    int64_t offset = 0; /* concat: where the next input starts along the axis */
    for (int i = 0; i < n->nin; i++) {
        Shape x = n->in[i]->shape;
        strides_of(x, xs);
        bool over_x = n->op == OP_PAD || n->op == OP_CONCAT; /* the box is x's, else y's */
        Copy c = box_copy(buffer(mp, n->in[i]), over_x ? x : y);
        int lead = y.rank - x.rank; /* broadcast: the dimensions x lacks in front */
        for (int a = 0; a < c.rank; a++) {
            switch (n->op) {
            case OP_PERMUTE: c.src_stride[a] = xs[l->perm[a]], c.dst_stride[a] = ys[a]; break;
            case OP_SLICE:
                c.src_stride[a] = xs[a], c.dst_stride[a] = ys[a];
                c.src_off += l->start[a] * xs[a];
                break;
            case OP_PAD:
                c.src_stride[a] = xs[a], c.dst_stride[a] = ys[a];
                c.dst_off += l->start[a] * ys[a];
                break;
            case OP_CONCAT: c.src_stride[a] = xs[a], c.dst_stride[a] = ys[a]; break;
            case OP_BROADCAST: {
                bool repeated = a < lead || (x.dim[a - lead] == 1 && y.dim[a] != 1);
                c.src_stride[a] = repeated ? 0 : xs[a - lead];
                c.dst_stride[a] = ys[a];
                break;
            }
            default: unreachable();
            }
        }
        if (n->op == OP_CONCAT) {
            c.dst_off = offset * ys[l->axis];
            offset += x.dim[l->axis];
        }
        d.copy[i] = tidy(c);
    }
    d.ncopies = n->nin;
    d.zero = n->op == OP_PAD;
    return d;
}

AxisDesc kernel_axis(MemPlan *mp, Kernel *k) {
    Node *n = k->root;
    Node *x = n->in[n->op == OP_MAX_AXIS_BWD ? 1 : 0];
    int axis = n->attr.lay.axis;
    AxisDesc d = {0};
    d.op = n->op;
    d.out = buffer(mp, n);
    d.x = buffer(mp, x);
    d.dy = n->op == OP_MAX_AXIS_BWD ? buffer(mp, n->in[0]) : NULL;
    d.outer = (Count){1, false};
    d.len = x->shape.dim[axis];
    d.inner = 1;
    for (int a = 0; a < x->shape.rank; a++) {
        int64_t dim = x->shape.dim[a];
        if (a < axis && dim == DIM_N)
            d.outer.n = true;
        else if (a < axis)
            d.outer.c *= dim;
        else if (a > axis)
            d.inner *= dim;
    }
    return d;
}
