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
 *   - K_OP: one row-wise, reduce or loss op, emitted by op-specific code.
 * A SUM_TO whose operand is the root of an elementwise kernel is computed in the same loop:
 * the relu mask of the backward pass and the bias gradient take one pass over the data. Its
 * sums are kept in double, one per column on the stack, so only rows up to
 * MLC_FUSED_REDUCE_MAX wide are fused.
 * Views (reshape), leaves and constants are no kernel at all.
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
    for (int i = 0; i < k->nodes.len; i++)
        vec_push(a, &all, k->nodes.data[i]);
    if (k->kind == K_OP)
        vec_push(a, &all, k->root);
    if (k->reduce)
        vec_push(a, &all, k->reduce);
    return all;
}

PtrVec kernel_reads(Arena *a, Schedule *s, Kernel *k) {
    PtrVec reads = {0};
    PtrVec all = kernel_nodes(a, k);
    for (int i = 0; i < all.len; i++) {
        Node *n = all.data[i];
        for (int j = 0; j < n->nin; j++) {
            Node *x = n->in[j];
            bool here =
                (s->inlined[x->id] && s->kernel_of[x->id] == k) || x == k->gemm || x == k->root;
            bool seen = false;
            for (int r = 0; r < reads.len && !seen; r++)
                seen = reads.data[r] == x;
            if (!here && !seen && x->op != OP_CONST)
                vec_push(a, &reads, x);
        }
    }
    return reads;
}

Schedule *fuse_kernels(Graph *g) {
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

    /* The schedule, in node order. */
    for (int i = 0; i < n; i++) {
        Node *x = g->nodes.data[i];
        Kernel *k = NULL;
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
                k->scratch = op_scratch(x);
            }
            break;
        }
        if (!k)
            continue;
        vec_push(a, &s->kernels, k);
        if (!k->backward)
            s->nforward++;
        s->kernel_of[k->root->id] = k;
        if (k->gemm)
            s->kernel_of[k->gemm->id] = k;
        if (k->reduce)
            s->kernel_of[k->reduce->id] = k;
        for (int j = 0; j < k->nodes.len; j++)
            s->kernel_of[((Node *)k->nodes.data[j])->id] = k;
    }
    return s;
}
