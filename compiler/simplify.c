/* simplify.c: algebraic identities, constant folding, common subexpressions, dead code.
 *
 * One walk in topological order. Each node's inputs are first replaced by what they
 * simplified to (so rules always see simplified operands), then the rules below may replace
 * the node itself; finally an identical earlier node (same op, inputs and attributes) takes
 * its place. The walk ends with dead-code removal from the roots: the loss, the output, the
 * parameter gradients and the updates of the running state. Shapes never change: a node is
 * only ever replaced by one of the same shape.
 *
 * Rules (x a tensor, c a constant, s a scalar):
 *   x * 1 = 1 * x = x,   x + 0 = 0 + x = x,   x - 0 = x,   -(-x) = x
 *   c1 * c2 = c3 (with powers of N),   -c = (-c)
 *   x op expand(s) = x op s   (elementwise ops broadcast by themselves)
 *   sum(c) = mean(c) = c,   sum(expand(c)) = c * numel,   sum_to(expand(c)) = expand(c * numel /
 * numel of the result) (the gradient of mean(x + b) for b : f32[1] is then exactly 1, not a float
 * sum of 784 N copies of 1/784N; numel counts N as a power of N) reshape(c) = reshape(expand(c)) =
 * expand(c)   (a constant has no memory to view)
 */
#include "mlc.h"

static bool same_attrs(const Node *a, const Node *b) {
    if (!shape_eq(a->shape, b->shape) || a->dtype != b->dtype)
        return false;
    switch (op_info[a->op].cls) {
    case OPC_LEAF:
        if (a->op != OP_CONST)
            return false; /* every input and parameter is its own value */
        return a->attr.cnst.value == b->attr.cnst.value && a->attr.cnst.npow == b->attr.cnst.npow;
    case OPC_GEMM: return a->attr.gemm.ta == b->attr.gemm.ta && a->attr.gemm.tb == b->attr.gemm.tb;
    case OPC_ELEMWISE:
        if (a->op == OP_DROPOUT) /* one mask per stream */
            return a->attr.dropout.p == b->attr.dropout.p &&
                   a->attr.dropout.stream == b->attr.dropout.stream;
        return true;
    case OPC_VIEW:
    case OPC_REDUCE:
    case OPC_ROWWISE:
    case OPC_LOSS: return true;
    case OPC_LAYOUT:
    case OPC_AXIS: {
        const Layout *x = &a->attr.lay, *y = &b->attr.lay;
        bool same = x->axis == y->axis && x->keep == y->keep;
        for (int d = 0; d < MLC_MAX_RANK; d++)
            same = same && x->perm[d] == y->perm[d] && x->start[d] == y->start[d];
        return same;
    }
    case OPC_IMAGE:
        if (op_has_window(a->op))
            return !memcmp(&a->attr.win, &b->attr.win, sizeof a->attr.win);
        if (op_has_eps(a->op))
            return a->attr.bn.eps == b->attr.bn.eps;
        return true;
    }
    unreachable();
}

static bool same_node(const Node *a, const Node *b) {
    if (a->op != b->op || a->nin != b->nin)
        return false;
    for (int k = 0; k < a->nin; k++)
        if (a->in[k] != b->in[k])
            return false;
    return same_attrs(a, b);
}

/* The algebraic rules; returns the replacement for n, or n. */
static Node *rewrite(Graph *g, Node *n) {
    /* An elementwise op broadcasts its operands itself: expand(x) as an operand is x, as
     * long as another operand still gives the result its shape. */
    if (op_info[n->op].cls == OPC_ELEMWISE && n->nin == 2) {
        for (int k = 0; k < 2; k++) {
            Node *e = n->in[k], *other = n->in[1 - k];
            if (e->op == OP_EXPAND && shape_eq(other->shape, n->shape))
                n->in[k] = e->in[0];
        }
    }
    Node *a = n->nin > 0 ? n->in[0] : NULL, *b = n->nin > 1 ? n->in[1] : NULL;
    switch (n->op) {
    case OP_MUL:
        if (node_is_const(b, 1.0) && shape_eq(a->shape, n->shape))
            return a;
        if (node_is_const(a, 1.0) && shape_eq(b->shape, n->shape))
            return b;
        if (a->op == OP_CONST && b->op == OP_CONST)
            return ir_const(g, n->loc, a->attr.cnst.value * b->attr.cnst.value,
                            a->attr.cnst.npow + b->attr.cnst.npow);
        break;
    case OP_ADD:
        if (node_is_const(b, 0.0) && shape_eq(a->shape, n->shape))
            return a;
        if (node_is_const(a, 0.0) && shape_eq(b->shape, n->shape))
            return b;
        break;
    case OP_SUB:
        if (node_is_const(b, 0.0) && shape_eq(a->shape, n->shape))
            return a;
        break;
    case OP_NEG:
        if (a->op == OP_NEG)
            return a->in[0];
        if (a->op == OP_CONST)
            return ir_const(g, n->loc, -a->attr.cnst.value, a->attr.cnst.npow);
        break;
    case OP_INPUT:
    case OP_TARGET:
    case OP_PARAM:
    case OP_CONST:
    case OP_DIV:
    case OP_RELU:
    case OP_STEP:
    case OP_SIGMOID:
    case OP_TANH:
    case OP_EXP:
    case OP_LOG:
    case OP_EXPAND:
    case OP_MATMUL: break;
    case OP_DROPOUT:
        if (n->attr.dropout.p == 0.0) /* drops nothing */
            return a;
        break;
    case OP_RESHAPE:
        if (a->op == OP_CONST)
            return ir_expand(g, n->loc, a, n->shape);
        if (a->op == OP_EXPAND && a->in[0]->op == OP_CONST)
            return ir_expand(g, n->loc, a->in[0], n->shape);
        break;
    case OP_SUM:
    case OP_SUM_TO:
        if (n->op == OP_SUM && a->op == OP_CONST) /* the sum of one number */
            return a;
        if (a->op == OP_EXPAND && a->in[0]->op == OP_CONST) {
            Node *c = a->in[0];
            int64_t per = shape_numel_const(a->shape) / shape_numel_const(n->shape);
            int npow = c->attr.cnst.npow + (shape_has_n(a->shape) != shape_has_n(n->shape));
            Node *sum = ir_const(g, n->loc, c->attr.cnst.value * (double)per, npow);
            return n->op == OP_SUM ? sum : ir_expand(g, n->loc, sum, n->shape);
        }
        break;
    case OP_MEAN:
        if (a->op == OP_CONST) /* the mean of one number */
            return a;
        break;
    case OP_SOFTMAX:
    case OP_SOFTMAX_BWD:
    case OP_CROSS_ENTROPY:
    case OP_CROSS_ENTROPY_BWD:
    case OP_NLL:
    case OP_NLL_BWD:
    case OP_BCE_LOGITS:
    case OP_GELU:
    case OP_GELU_GRAD:
    case OP_ELU:
    case OP_SQRT:
    case OP_LOG_SOFTMAX:
    case OP_LOG_SOFTMAX_BWD:
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
    case OP_MAX_AXIS_BWD: break;
    case OP_COUNT: unreachable();
    }
    return n;
}

static Node *resolve(Node **repl, Node *n) {
    return n ? repl[n->id] : NULL;
}

void simplify(Graph *g) {
    Arena *a = g->cx->arena;
    int count = g->nodes.len; /* rules may append constants; those map to themselves */
    Node **repl = arena_alloc(a, sizeof(Node *) * (size_t)(2 * count + 16));
    int cap = 2 * count + 16;
    /* anchor[j]: the node whose rewrite appended node j (j >= count) */
    int *anchor = arena_alloc(a, sizeof(int) * (size_t)cap);

    for (int i = 0; i < g->nodes.len && i < cap; i++) {
        Node *n = g->nodes.data[i];
        repl[i] = n;
        if (i >= count)
            continue;
        for (int k = 0; k < n->nin; k++)
            n->in[k] = repl[n->in[k]->id];
        int before = g->nodes.len;
        Node *r = rewrite(g, n);
        for (int j = before; j < g->nodes.len && j < cap; j++)
            anchor[j] = i;
        if (r == n) {
            for (int j = 0; j < i; j++) {
                Node *m = g->nodes.data[j];
                if (repl[j] == m && same_node(m, n)) {
                    r = m;
                    break;
                }
            }
        }
        if (r != n && !r->name && r->id >= g->nforward && n->name)
            r->name = n->name; /* keep d_x on the value that now holds it */
        repl[i] = r;
    }
    MLC_ASSERT(g->nodes.len <= cap);
    for (int i = count; i < g->nodes.len; i++)
        repl[i] = g->nodes.data[i];

    g->loss = resolve(repl, g->loss);
    g->output = resolve(repl, g->output);
    for (int i = 0; i < g->grads.len; i++)
        g->grads.data[i] = resolve(repl, g->grads.data[i]);
    for (int i = 0; i < g->updates.len; i++)
        g->updates.data[i] = resolve(repl, g->updates.data[i]);

    /* Dead code: keep what the roots reach, plus every leaf the program binds. The nodes
     * rules appended sit after the nodes that use them, so this follows inputs with a work
     * list instead of one backward sweep over the indices. */
    bool *live = arena_alloc(a, sizeof(bool) * (size_t)g->nodes.len);
    Node **work = arena_alloc(a, sizeof(Node *) * (size_t)(g->nodes.len + 1));
    int nwork = 0;
    for (int i = 0; i < g->nodes.len; i++) {
        Node *n = g->nodes.data[i];
        if (n->op == OP_PARAM || n->op == OP_STATE || n->op == OP_INPUT || n->op == OP_TARGET)
            live[i] = true, work[nwork++] = n;
    }
    Node *roots[2] = {g->loss, g->output};
    for (int r = 0; r < 2; r++)
        if (roots[r] && !live[roots[r]->id])
            live[roots[r]->id] = true, work[nwork++] = roots[r];
    for (int i = 0; i < g->grads.len; i++) {
        Node *d = g->grads.data[i];
        if (d && !live[d->id])
            live[d->id] = true, work[nwork++] = d;
    }
    for (int i = 0; i < g->updates.len; i++) {
        Node *u = g->updates.data[i];
        if (u && !live[u->id])
            live[u->id] = true, work[nwork++] = u;
    }
    while (nwork > 0) {
        Node *n = work[--nwork];
        for (int k = 0; k < n->nin; k++)
            if (!live[n->in[k]->id])
                live[n->in[k]->id] = true, work[nwork++] = n->in[k];
    }

    /* Compact, keeping the order. The nodes a rule appended (a constant, an expand of one)
     * go just before the node whose rewrite made them: their inputs come before it, and every
     * node that uses them after it, in the same pass. */
    PtrVec kept = {0};
    int nforward = 0;
    for (int i = 0; i < count; i++) {
        bool forward = i < g->nforward || g->nforward == 0;
        for (int j = count; j < g->nodes.len; j++) {
            if (live[j] && anchor[j] == i) {
                vec_push(a, &kept, g->nodes.data[j]);
                nforward += forward;
            }
        }
        if (live[i]) {
            vec_push(a, &kept, g->nodes.data[i]);
            nforward += forward;
        }
    }
    for (int i = 0; i < kept.len; i++)
        ((Node *)kept.data[i])->id = i;
    g->nodes = kept;
    if (g->nforward)
        g->nforward = nforward;
}
