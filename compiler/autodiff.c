/* autodiff.c: symbolic reverse-mode differentiation, at compile time.
 *
 * Takes a graph with a scalar loss and appends the backward pass: for every parameter w,
 * the node d_w = dL/dw. It walks the forward nodes from the last to the first (reverse
 * topological order, so a node's gradient is complete before it is used), and for each node
 * that has a gradient and leads to a parameter, the op's rule in ops.c adds the
 * vector-Jacobian product for its inputs. Gradients reaching one value along several paths
 * are added (add_grad). Nothing leads from a constant, an input or a target, so no work is
 * spent on them (needs[]).
 *
 * The seed dL/dL is the constant 1. The result is plain IR: simplify.c removes the multiply
 * by one, common subexpressions and dead nodes, and print_gradients() shows it as math
 * (--emit grad).
 */
#include "mlc.h"

bool needs_grad(Grad *gr, Node *x) {
    return x->id < gr->cap && gr->needs[x->id];
}

/* Names a gradient after its value: d_logits, d_linear_relu_stack_0_weight. */
static void name_grad(Grad *gr, Node *x, Node *d) {
    if (d->name || !x->name || d->id < gr->g->nforward)
        return;
    d->name = arena_printf(gr->g->cx->arena, "d_%s", x->name);
}

void add_grad(Grad *gr, Node *x, Node *d) {
    MLC_ASSERT(d);
    if (!needs_grad(gr, x))
        return;
    MLC_ASSERT(shape_eq(x->shape, d->shape));
    Node *sum = gr->grad[x->id] ? ir_binary(gr->g, OP_ADD, x->loc, gr->grad[x->id], d) : d;
    MLC_ASSERT(sum);
    gr->grad[x->id] = sum;
    name_grad(gr, x, sum);
}

Node *unbroadcast(Grad *gr, Node *d, Node *x) {
    if (shape_eq(d->shape, x->shape))
        return d;
    if (shape_is_scalar(x->shape)) {
        Node *sum = ir_unary(gr->g, OP_SUM, x->loc, d);
        return x->shape.rank == 0 ? sum : ir_reshape(gr->g, x->loc, sum, x->shape);
    }
    return ir_sum_to(gr->g, x->loc, d, x->shape);
}

void build_backward(Graph *g) {
    Arena *a = g->cx->arena;
    MLC_ASSERT(g->loss && g->loss->shape.rank == 0);
    g->nforward = g->nodes.len;
    Grad gr = {g, NULL, NULL, g->nforward};
    gr.grad = arena_alloc(a, sizeof(Node *) * (size_t)gr.cap);
    gr.needs = arena_alloc(a, sizeof(bool) * (size_t)gr.cap);

    /* needs[n]: n is a parameter or depends on one. Only those carry gradients. */
    for (int i = 0; i < g->nforward; i++) {
        Node *n = g->nodes.data[i];
        gr.needs[i] = n->op == OP_PARAM;
        for (int k = 0; k < n->nin; k++)
            gr.needs[i] |= gr.needs[n->in[k]->id];
    }

    gr.grad[g->loss->id] = ir_const(g, g->loss->loc, 1.0, 0);
    for (int i = g->nforward - 1; i >= 0; i--) {
        Node *n = g->nodes.data[i];
        if (gr.grad[i] && gr.needs[i])
            op_info[n->op].grad(&gr, n, gr.grad[i]);
    }

    g->grads.len = 0;
    for (int i = 0; i < g->params.len; i++) {
        Node *p = g->params.data[i];
        vec_push(a, &g->grads, gr.grad[p->id]);
    }
}

/* ---- --emit grad ---------------------------------------------------------------------------
 * Each named backward value on a line of its own, unnamed single-use values written inline,
 * in the notation of a textbook: dy @ Wᵀ, sum over N, (y > 0). */

static void print_expr(FILE *out, Graph *g, const Node *n, const int *uses, bool top);

static void print_operand(FILE *out, Graph *g, const Node *n, const int *uses) {
    if (n->op == OP_CONST) {
        double v = n->attr.cnst.value;
        if (n->attr.cnst.npow == -1 && v != 1.0)
            fprintf(out, "(1/%.9gN)", 1.0 / v);
        else if (n->attr.cnst.npow == -1)
            fprintf(out, "(1/N)");
        else
            fprintf(out, "%.9g", v);
    } else if (n->name && (n->id < g->nforward || !n->name || uses[n->id] >= 0)) {
        fprintf(out, "%s", n->name);
    } else {
        print_expr(out, g, n, uses, false);
    }
}

static void print_expr(FILE *out, Graph *g, const Node *n, const int *uses, bool top) {
    const char *open = top ? "" : "(", *close = top ? "" : ")";
    switch (n->op) {
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV: {
        const char *sym = n->op == OP_ADD   ? " + "
                          : n->op == OP_SUB ? " - "
                          : n->op == OP_MUL ? " * "
                                            : " / ";
        fprintf(out, "%s", open);
        print_operand(out, g, n->in[0], uses);
        fprintf(out, "%s", sym);
        print_operand(out, g, n->in[1], uses);
        fprintf(out, "%s", close);
        return;
    }
    case OP_NEG:
        fprintf(out, "-");
        print_operand(out, g, n->in[0], uses);
        return;
    case OP_STEP:
        fprintf(out, "(");
        print_operand(out, g, n->in[0], uses);
        fprintf(out, " > 0)");
        return;
    case OP_MATMUL:
        fprintf(out, "%s", open);
        print_operand(out, g, n->in[0], uses);
        fprintf(out, "%s @ ", n->attr.gemm.ta ? "ᵀ" : "");
        print_operand(out, g, n->in[1], uses);
        fprintf(out, "%s%s", n->attr.gemm.tb ? "ᵀ" : "", close);
        return;
    case OP_SUM_TO:
        fprintf(out, "sum over %s of ", n->in[0]->shape.dim[0] == DIM_N ? "N" : "rows");
        print_operand(out, g, n->in[0], uses);
        return;
    case OP_EXPAND: print_operand(out, g, n->in[0], uses); return;
    case OP_CROSS_ENTROPY_BWD:
        fprintf(out, "%s(softmax(", open);
        print_operand(out, g, n->in[0], uses);
        fprintf(out, ") - onehot(");
        print_operand(out, g, n->in[1], uses);
        fprintf(out, ")) * ");
        print_operand(out, g, n->in[2], uses);
        fprintf(out, " / N%s", close);
        return;
    case OP_INPUT:
    case OP_TARGET:
    case OP_PARAM:
    case OP_CONST:
    case OP_RELU:
    case OP_SIGMOID:
    case OP_TANH:
    case OP_EXP:
    case OP_LOG:
    case OP_RESHAPE:
    case OP_SUM:
    case OP_MEAN:
    case OP_SOFTMAX:
    case OP_SOFTMAX_BWD:
    case OP_CROSS_ENTROPY:
    case OP_BCE_LOGITS: break;
    case OP_COUNT: unreachable();
    }
    /* everything else reads as a function call */
    fprintf(out, "%s(", op_info[n->op].name);
    for (int k = 0; k < n->nin; k++) {
        if (k)
            fprintf(out, ", ");
        print_operand(out, g, n->in[k], uses);
    }
    if (n->op == OP_RESHAPE)
        fprintf(out, " to %s", shape_str(g->cx->arena, n->shape, n->dtype));
    fprintf(out, ")");
}

void print_gradients(FILE *out, Graph *g) {
    /* uses[n] >= 0 marks a backward value printed on its own line */
    int *uses = arena_alloc(g->cx->arena, sizeof(int) * (size_t)g->nodes.len);
    for (int i = 0; i < g->nodes.len; i++)
        uses[i] = -1;
    int *count = arena_alloc(g->cx->arena, sizeof(int) * (size_t)g->nodes.len);
    for (int i = 0; i < g->nodes.len; i++) {
        Node *n = g->nodes.data[i];
        for (int k = 0; k < n->nin; k++)
            count[n->in[k]->id]++;
    }
    for (int i = g->nforward; i < g->nodes.len; i++) {
        Node *n = g->nodes.data[i];
        if (n->op == OP_CONST)
            continue;
        if (!n->name && count[i] > 1)
            n->name = arena_printf(g->cx->arena, "t%d", i);
        if (n->name)
            uses[i] = 0;
    }
    fprintf(out, "# gradients of %s, derived by reverse-mode differentiation\n",
            g->loss->name ? g->loss->name : "the loss");
    for (int i = g->nforward; i < g->nodes.len; i++) {
        Node *n = g->nodes.data[i];
        if (uses[i] < 0)
            continue;
        fprintf(out, "%s = ", n->name);
        print_expr(out, g, n, uses, true);
        fprintf(out, "    # %s\n", shape_str(g->cx->arena, n->shape, n->dtype));
    }
    for (int i = 0; i < g->params.len; i++) {
        Node *p = g->params.data[i], *d = g->grads.data[i];
        if (!d)
            fprintf(out, "# %s does not affect the loss: its gradient is zero\n",
                    p->attr.leaf.pname);
    }
}
