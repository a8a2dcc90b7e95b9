/* fuse.c: grouping nodes into kernels, in schedule order.
 *
 * Takes the simplified graph and decides which values live in memory and which exist only
 * inside a loop. A kernel is one function of the generated code:
 *   - K_ELEMWISE: a chain of elementwise ops becomes one loop. An elementwise node is
 *     inlined into its user when it has exactly one use, that use is elementwise, in the same
 *     pass, over the same shape, and nothing else (loss, output, a gradient) needs it.
 *   - K_GEMM: a matrix product through BLAS. When its only use is an elementwise chain over
 *     the same shape, the chain becomes its epilogue, run in place on the product right after
 *     it: bias add and relu happen in the pass that leaves the GEMM (x Wᵀ, then + b, relu).
 *   - K_OP: one row-wise, reduce, loss or image op, emitted by op-specific code.
 * A SUM_TO whose operand is the root of an elementwise kernel is computed in the same loop:
 * the relu mask of the backward pass and the bias gradient take one pass over the data. Its
 * sums are kept in double, one per column on the stack, so only rows up to
 * MLC_FUSED_REDUCE_MAX wide are fused.
 * Views (reshape), leaves and constants are no kernel at all.
 * A batch norm takes in what is around it where the target can print that (fuse_batchnorm()
 * below): its epilogue, its statistics' other readers and, in the backward pass, its
 * parameters' gradients and the chain that makes its dy.
 *
 * Kernels keep the topological order of the nodes they compute; a fused GEMM moves to its
 * epilogue's place, which is safe because the epilogue is its only user. (optim.c may then
 * move weight-gradient GEMMs later, for plain SGD.)
 */
#include "mlc.h"

static Kernel *new_kernel(Schedule *s, KernelKind kind, Node *root) {
    Kernel *k = NEW(s->g->cx->arena, Kernel);
    k->kind = kind;
    k->root = root;
    k->backward = s->g->nforward && root->id >= s->g->nforward;
    return k;
}

static bool same_pass(Graph *g, Node *a, Node *b) {
    return (a->id < g->nforward) == (b->id < g->nforward);
}

/* Adds to k->nodes the nodes inlined into n, then n: evaluation order. */
static void collect(Schedule *s, Kernel *k, Node *n) {
    for (int i = 0; i < n->nin; i++)
        if (s->inlined[n->in[i]->id])
            collect(s, k, n->in[i]);
    vec_push(s->g->cx->arena, &k->nodes, n);
}

/* The row width of an elementwise kernel's loop: the size of its largest broadcast operand
 * (f32[512] in f32[N, 512] + f32[512]), or 0 when every operand has the root's shape and
 * one flat loop will do. A smaller broadcast operand is a suffix of the largest, so its size
 * divides the row width. */
static int64_t broadcast_inner(Schedule *s, Kernel *k) {
    int64_t inner = 0;
    int64_t total = shape_numel_const(k->root->shape);
    for (int i = 0; i < k->nodes.len; i++) {
        Node *n = k->nodes.data[i];
        for (int j = 0; j < n->nin; j++) {
            Node *x = n->in[j];
            if (s->inlined[x->id] || shape_is_scalar(x->shape))
                continue;
            int64_t size = shape_numel_const(x->shape);
            bool broadcast = size != total || shape_has_n(x->shape) != shape_has_n(k->root->shape);
            if (broadcast && size > inner)
                inner = size;
        }
    }
    return inner;
}

PtrVec kernel_nodes(Arena *a, Kernel *k) {
    PtrVec all = {0};
    if (k->gemm)
        vec_push(a, &all, k->gemm);
    if (k->op && k->op != k->root) /* a batch norm, then its epilogue */
        vec_push(a, &all, k->op);
    for (int i = 0; i < k->nodes.len; i++)
        vec_push(a, &all, k->nodes.data[i]);
    if (k->kind == K_OP && k->op == k->root) /* after its prologue, if any */
        vec_push(a, &all, k->root);
    if (k->reduce)
        vec_push(a, &all, k->reduce);
    for (int i = 0; i < k->outs.len; i++)
        vec_push(a, &all, k->outs.data[i]);
    return all;
}

PtrVec kernel_reads(Arena *a, Schedule *s, Kernel *k) {
    PtrVec reads = {0};
    PtrVec all = kernel_nodes(a, k);
    for (int i = 0; i < all.len; i++) {
        Node *n = all.data[i];
        for (int j = 0; j < n->nin; j++) {
            Node *x = n->in[j];
            bool here = (s->inlined[x->id] && s->kernel_of[x->id] == k) || x == k->gemm ||
                        x == k->root || x == k->op;
            bool seen = false;
            for (int r = 0; r < reads.len && !seen; r++)
                seen = reads.data[r] == x;
            if (!here && !seen && x->op != OP_CONST)
                vec_push(a, &reads, x);
        }
    }
    return reads;
}

/* Is x computed by kernel k (its op, its nodes or its other outputs)? */
static bool in_kernel(Kernel *k, Node *x) {
    if (x == k->op || x == k->root)
        return true;
    for (int i = 0; i < k->nodes.len; i++)
        if (k->nodes.data[i] == x)
            return true;
    for (int i = 0; i < k->outs.len; i++)
        if (k->outs.data[i] == x)
            return true;
    return false;
}

/* Can kernel k run at node position pos: is every value it reads from memory (what it does not
 * compute itself, constants aside) made by then? A value is in memory once the schedule has
 * passed its node (a kernel runs at the position of the first node it computes, and a
 * product with an epilogue at the epilogue's root, the value it leaves). */
static bool reads_before(Arena *a, Kernel *k, int pos) {
    PtrVec all = kernel_nodes(a, k);
    for (int i = 0; i < all.len; i++) {
        Node *n = all.data[i];
        for (int j = 0; j < n->nin; j++) {
            Node *x = n->in[j];
            if (!in_kernel(k, x) && x->op != OP_CONST && x->id >= pos)
                return false;
        }
    }
    return true;
}

/* ---- batch norm and what is around it ----------------------------------------------------
 * Training: y = (x - mean) / sqrt(var + eps) * gamma + beta needs the whole batch's statistics
 * before the first y, so it is two passes (statistics, then y), and the running statistics'
 * channel_mean and channel_var of x are the same statistics again. One kernel computes them
 * all from one set of statistics, and an elementwise chain that is batch norm's only use (its
 * relu) runs in the pass that writes y: act((x - mean) * scale + beta), with no y in memory.
 * The evaluation form (running statistics) takes its chain the same way.
 * Backward: dx needs sum(dy) and sum(dy x) per channel, which are also beta's gradient
 * (channel_sum of dy) and gamma's (bn_dgamma), so one kernel computes all three; and when those
 * are dy's only readers, the elementwise chain making dy (relu's dz * (z > 0)) is computed
 * where the kernel reads dy, and dy is never stored. Every value is the same float arithmetic
 * in the same order as the unfused ops': the passes change, not the results.
 * `owner` gets, for each node the new kernel computes, the kernel (the schedule places it at the
 * first of them); `elem` loses the chains it takes in. */
static void fuse_batchnorm(Schedule *s, const int *uses, Node **user, Kernel **elem,
                           Kernel **owner) {
    Graph *g = s->g;
    Arena *a = g->cx->arena;
    int n = g->nodes.len;
    for (int i = 0; i < n; i++) {
        Node *bn = g->nodes.data[i];
        bool fwd = bn->op == OP_BATCHNORM || bn->op == OP_BATCHNORM_EVAL;
        if ((!fwd && bn->op != OP_BATCHNORM_BWD) || owner[i])
            continue;
        Kernel *k = new_kernel(s, K_OP, bn);
        k->op = bn;
        Node *x = bn->in[bn->op == OP_BATCHNORM_BWD ? 1 : 0], *dy = bn->in[0];
        /* the other readers of the same statistics or sums, one of each kind; and the sum of
         * the backward's dx (a convolution's bias gradient), from the pass that writes dx */
        bool have[OP_COUNT + 1] = {0}; /* [OP_COUNT]: a sum of dx */
        for (int j = 0; j < n; j++) {
            Node *m = g->nodes.data[j];
            int kind = m->op;
            bool joins = false;
            if (bn->op == OP_BATCHNORM)
                joins = (m->op == OP_CHANNEL_MEAN || m->op == OP_CHANNEL_VAR) && m->in[0] == x;
            else if (bn->op == OP_BATCHNORM_BWD)
                joins = (m->op == OP_BN_DGAMMA && m->in[0] == dy && m->in[1] == x &&
                         m->attr.bn.eps == bn->attr.bn.eps) ||
                        (m->op == OP_CHANNEL_SUM && (m->in[0] == dy || m->in[0] == bn));
            if (m->op == OP_CHANNEL_SUM && m->in[0] == bn)
                kind = OP_COUNT;
            if (joins && !have[kind] && !owner[j] && same_pass(g, m, bn)) {
                have[kind] = true;
                vec_push(a, &k->outs, m);
            }
        }
        int pos = bn->id;
        for (int j = 0; j < k->outs.len; j++)
            if (((Node *)k->outs.data[j])->id < pos)
                pos = ((Node *)k->outs.data[j])->id;
        if (!reads_before(a, k, pos))
            continue;
        if (fwd && uses[bn->id] == 1 && user[bn->id]) {
            /* the elementwise chain whose loop reads the batch norm: its root and kernel */
            Node *r = user[bn->id];
            while (s->inlined[r->id])
                r = user[r->id];
            Kernel *e = op_info[user[bn->id]->op].cls == OPC_ELEMWISE &&
                                shape_eq(bn->shape, user[bn->id]->shape) && same_pass(g, bn, r)
                            ? elem[r->id]
                            : NULL;
            if (e && e->kind == K_ELEMWISE && !e->reduce && e->inner == 0) {
                k->root = r;
                k->nodes = e->nodes;
                if (reads_before(a, k, pos)) {
                    elem[r->id] = k;
                    owner[r->id] = k;
                } else {
                    k->root = bn;
                    k->nodes = (PtrVec){0};
                }
            }
        }
        if (!fwd && elem[dy->id] && elem[dy->id]->kind == K_ELEMWISE && !elem[dy->id]->reduce &&
            elem[dy->id]->inner == 0 && shape_eq(dy->shape, x->shape) && same_pass(g, dy, bn)) {
            /* dy's chain moves in when this kernel holds every read of dy */
            int here = 1;
            for (int j = 0; j < k->outs.len; j++)
                here += ((Node *)k->outs.data[j])->in[0] == dy;
            if (uses[dy->id] == here) {
                k->nodes = elem[dy->id]->nodes;
                s->inlined[dy->id] = true;
                elem[dy->id] = NULL;
            }
        }
        owner[i] = k;
        for (int j = 0; j < k->outs.len; j++)
            owner[((Node *)k->outs.data[j])->id] = k;
    }
}

Schedule *fuse_kernels(Graph *g, const Target *t) {
    Arena *a = g->cx->arena;
    int n = g->nodes.len;
    Schedule *s = NEW(a, Schedule);
    s->g = g;
    s->kernel_of = arena_alloc(a, sizeof(Kernel *) * (size_t)n);
    s->inlined = arena_alloc(a, sizeof(bool) * (size_t)n);

    /* uses[i]: how many inputs refer to node i; the roots count as uses from outside. */
    int *uses = arena_alloc(a, sizeof(int) * (size_t)n);
    Node **user = arena_alloc(a, sizeof(Node *) * (size_t)n);
    for (int i = 0; i < n; i++) {
        Node *x = g->nodes.data[i];
        for (int j = 0; j < x->nin; j++) {
            uses[x->in[j]->id]++;
            user[x->in[j]->id] = x;
        }
    }
    if (g->loss)
        uses[g->loss->id]++;
    if (g->output)
        uses[g->output->id]++;
    for (int i = 0; i < g->grads.len; i++)
        if (g->grads.data[i])
            uses[((Node *)g->grads.data[i])->id]++;
    for (int i = 0; i < g->updates.len; i++)
        if (g->updates.data[i])
            uses[((Node *)g->updates.data[i])->id]++;

    for (int i = 0; i < n; i++) {
        Node *x = g->nodes.data[i];
        Node *u = user[i];
        s->inlined[i] = op_info[x->op].cls == OPC_ELEMWISE && uses[i] == 1 && u &&
                        op_info[u->op].cls == OPC_ELEMWISE && shape_eq(x->shape, u->shape) &&
                        same_pass(g, x, u);
    }

    /* Elementwise roots and the GEMM each one takes as its epilogue's input. */
    Kernel **epilogue = arena_alloc(a, sizeof(Kernel *) * (size_t)n); /* by GEMM id */
    Kernel **elem = arena_alloc(a, sizeof(Kernel *) * (size_t)n);     /* by root id */
    for (int i = 0; i < n; i++) {
        Node *x = g->nodes.data[i];
        if (op_info[x->op].cls != OPC_ELEMWISE || s->inlined[i])
            continue;
        Kernel *k = new_kernel(s, K_ELEMWISE, x);
        collect(s, k, x);
        k->inner = broadcast_inner(s, k);
        elem[i] = k;
        for (int j = 0; j < k->nodes.len && !k->gemm; j++) {
            Node *e = k->nodes.data[j];
            for (int m = 0; m < e->nin && !k->gemm; m++) {
                Node *mm = e->in[m];
                if (mm->op == OP_MATMUL && uses[mm->id] == 1 && shape_eq(mm->shape, x->shape) &&
                    same_pass(g, mm, x)) {
                    k->kind = K_GEMM;
                    k->gemm = mm;
                    epilogue[mm->id] = k;
                }
            }
        }
    }

    /* SUM_TO fused into the loop that makes its operand. */
    bool *reduced = arena_alloc(a, sizeof(bool) * (size_t)n);
    for (int i = 0; i < n; i++) {
        Node *x = g->nodes.data[i];
        if (x->op != OP_SUM_TO)
            continue;
        Kernel *k = elem[x->in[0]->id];
        if (!k || k->reduce || !same_pass(g, x, k->root))
            continue;
        int64_t width = shape_numel_const(x->shape);
        if ((k->inner == 0 || k->inner == width) && width <= MLC_FUSED_REDUCE_MAX) {
            k->reduce = x;
            k->inner = shape_numel_const(x->shape);
            reduced[i] = true;
        }
    }

    /* Batch norm with what is around it. */
    Kernel **owner = arena_alloc(a, sizeof(Kernel *) * (size_t)n); /* by node id */
    if (t->fuse_batchnorm)
        fuse_batchnorm(s, uses, user, elem, owner);

    /* The schedule, in node order; a kernel computing several nodes runs at the first. */
    for (int i = 0; i < n; i++) {
        Node *x = g->nodes.data[i];
        Kernel *k = owner[i];
        if (!k) {
            switch (op_info[x->op].cls) {
            case OPC_LEAF:
            case OPC_VIEW: break;
            case OPC_ELEMWISE: k = elem[i]; break;
            case OPC_GEMM:
                if (!epilogue[i])
                    k = new_kernel(s, K_GEMM, x), k->gemm = x;
                break;
            case OPC_REDUCE:
            case OPC_ROWWISE:
            case OPC_LOSS:
            case OPC_IMAGE:
            case OPC_LAYOUT:
            case OPC_AXIS:
                if (!reduced[i]) {
                    k = new_kernel(s, K_OP, x);
                    k->op = x;
                    k->scratch = t->scratch ? t->scratch(x) : op_scratch(x);
                }
                break;
            }
        }
        if (!k || s->kernel_of[k->root->id] == k) /* none, or placed at an earlier node */
            continue;
        vec_push(a, &s->kernels, k);
        if (!k->backward)
            s->nforward++;
        s->kernel_of[k->root->id] = k;
        if (k->gemm)
            s->kernel_of[k->gemm->id] = k;
        if (k->reduce)
            s->kernel_of[k->reduce->id] = k;
        if (k->op)
            s->kernel_of[k->op->id] = k;
        for (int j = 0; j < k->nodes.len; j++)
            s->kernel_of[((Node *)k->nodes.data[j])->id] = k;
        for (int j = 0; j < k->outs.len; j++)
            s->kernel_of[((Node *)k->outs.data[j])->id] = k;
    }
    return s;
}
