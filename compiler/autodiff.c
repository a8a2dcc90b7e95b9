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
 * Each named backward value on a line of its own, unnamed single-use values written inline. */

typedef struct GradNames {
    Graph *g;
    const int *own_line; /* own_line[n] >= 0: a backward value printed on its own line */
} GradNames;

static const char *grad_name(void *ctx, const Node *n) {
    GradNames *gn = ctx;
    if (n->name && (n->id < gn->g->nforward || gn->own_line[n->id] >= 0))
        return n->name;
    return NULL;
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
    GradNames gn = {g, uses};
    MathNames names = {grad_name, &gn};
    fprintf(out, "# gradients of %s, derived by reverse-mode differentiation\n",
            g->loss->name ? g->loss->name : "the loss");
    for (int i = g->nforward; i < g->nodes.len; i++) {
        Node *n = g->nodes.data[i];
        if (uses[i] < 0)
            continue;
        fprintf(out, "%s = ", n->name);
        ir_print_math(out, g, n, &names);
        fprintf(out, "    # %s\n", shape_str(g->cx->arena, n->shape, n->dtype));
    }
    for (int i = 0; i < g->params.len; i++) {
        Node *p = g->params.data[i], *d = g->grads.data[i];
        if (!d)
            fprintf(out, "# %s does not affect the loss: its gradient is zero\n",
                    p->attr.leaf.pname);
    }
}
