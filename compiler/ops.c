/* ops.c: the op table, and for each op its shape rule and its gradient rule.
 *
 * Every op has one section here, the math on top. A shape rule reads n->in[] (and, for ops
 * whose result shape is an attribute, the shape the builder already put in n->shape), sets
 * n->shape and n->dtype, or reports an error at n->loc and returns false. A gradient rule
 * receives dy = dL/dn and adds dL/dx for each input x that needs it, as new IR nodes built
 * with the ir_* builders: the backward pass is ordinary IR, simplified and fused like the
 * forward pass. Backward-only ops (step, softmax_bwd, cross_entropy_bwd) are never
 * differentiated: autodiff walks the forward nodes only.
 *
 * How each backend emits an op lives in the backend: elementwise ops from their element form
 * in ops.def (kernel.c builds the element expression), the others in each backend's switch
 * over OpKind.
 */
#include "mlc.h"

/* The operator a user wrote, for messages: '+' quoted, function names bare as elsewhere. */
static const char *op_symbol(OpKind op) {
    if (op == OP_ADD)
        return "'+'";
    if (op == OP_SUB)
        return "'-'";
    if (op == OP_MUL)
        return "'*'";
    if (op == OP_DIV)
        return "'/'";
    if (op == OP_NEG)
        return "unary '-'";
    return op_info[op].name;
}

static bool require_f32(Ctx *cx, Node *n, Node *x) {
    if (x->dtype == DT_F32)
        return true;
    diag_error(cx, n->loc, "%s expects a float tensor, got class labels %s", op_symbol(n->op),
               shape_str(cx->arena, x->shape, x->dtype));
    return false;
}

/* One dimension, for messages: "784" or "N". */
static const char *dim_str(Ctx *cx, int64_t d) {
    return d == DIM_N ? "N" : arena_printf(cx->arena, "%lld", (long long)d);
}

/* Is s the trailing part of big (numpy broadcasting without size-1 dimensions)? */
static bool is_suffix(Shape s, Shape big) {
    if (s.rank > big.rank)
        return false;
    for (int i = 0; i < s.rank; i++)
        if (s.dim[s.rank - 1 - i] != big.dim[big.rank - 1 - i])
            return false;
    return true;
}

/* ---- leaves -----------------------------------------------------------------------------
 * input, target, param, const: the shape is set when the leaf is made (lower.c).
 * grad: nothing flows further. */
static bool shape_leaf(Ctx *cx, Node *n) {
    (void)cx;
    (void)n;
    return true;
}
static void grad_leaf(Grad *gr, Node *n, Node *dy) {
    (void)gr;
    (void)n;
    (void)dy;
}
#define shape_input  shape_leaf
#define shape_target shape_leaf
#define shape_param  shape_leaf
#define shape_const  shape_leaf
#define grad_input   grad_leaf
#define grad_target  grad_leaf
#define grad_param   grad_leaf
#define grad_const   grad_leaf

/* ---- binary elementwise ------------------------------------------------------------------
 * shape: both operands the same, or one is a suffix of the other (f32[N, 3] + f32[3]) or
 *        has one element (a scalar, f32[1]); the result has the larger shape. The smaller
 *        operand is broadcast. */
static bool shape_binary(Ctx *cx, Node *n) {
    Node *a = n->in[0], *b = n->in[1];
    if (!require_f32(cx, n, a) || !require_f32(cx, n, b))
        return false;
    if (is_suffix(b->shape, a->shape) ||
        (shape_is_scalar(b->shape) && a->shape.rank >= b->shape.rank)) {
        n->shape = a->shape;
    } else if (is_suffix(a->shape, b->shape) || shape_is_scalar(a->shape)) {
        n->shape = b->shape;
    } else {
        diag_error(cx, n->loc,
                   "cannot combine %s and %s with %s: the shapes must match, or "
                   "one must be the trailing part of the other",
                   shape_str(cx->arena, a->shape, a->dtype),
                   shape_str(cx->arena, b->shape, b->dtype), op_symbol(n->op));
        return false;
    }
    n->dtype = DT_F32;
    return true;
}
#define shape_add shape_binary
#define shape_sub shape_binary
#define shape_mul shape_binary
#define shape_div shape_binary

/* add:  y = a + b
 * grad: da = dy, db = dy (summed over the broadcast dimensions) */
static void grad_add(Grad *gr, Node *n, Node *dy) {
    add_grad(gr, n->in[0], unbroadcast(gr, dy, n->in[0]));
    add_grad(gr, n->in[1], unbroadcast(gr, dy, n->in[1]));
}

/* sub:  y = a - b
 * grad: da = dy, db = -dy */
static void grad_sub(Grad *gr, Node *n, Node *dy) {
    add_grad(gr, n->in[0], unbroadcast(gr, dy, n->in[0]));
    if (needs_grad(gr, n->in[1]))
        add_grad(gr, n->in[1], unbroadcast(gr, ir_unary(gr->g, OP_NEG, n->loc, dy), n->in[1]));
}

/* mul:  y = a * b
 * grad: da = dy * b, db = dy * a */
static void grad_mul(Grad *gr, Node *n, Node *dy) {
    Node *a = n->in[0], *b = n->in[1];
    if (needs_grad(gr, a))
        add_grad(gr, a, unbroadcast(gr, ir_binary(gr->g, OP_MUL, n->loc, dy, b), a));
    if (needs_grad(gr, b))
        add_grad(gr, b, unbroadcast(gr, ir_binary(gr->g, OP_MUL, n->loc, dy, a), b));
}

/* div:  y = a / b
 * grad: da = dy / b, db = -dy * a / b^2 = -(dy * y) / b */
static void grad_div(Grad *gr, Node *n, Node *dy) {
    Graph *g = gr->g;
    Node *a = n->in[0], *b = n->in[1];
    if (needs_grad(gr, a))
        add_grad(gr, a, unbroadcast(gr, ir_binary(g, OP_DIV, n->loc, dy, b), a));
    if (needs_grad(gr, b)) {
        Node *t = ir_binary(g, OP_DIV, n->loc, ir_binary(g, OP_MUL, n->loc, dy, n), b);
        add_grad(gr, b, unbroadcast(gr, ir_unary(g, OP_NEG, n->loc, t), b));
    }
}

/* ---- unary elementwise -------------------------------------------------------------------
 * shape: y has the shape of x */
static bool shape_unary(Ctx *cx, Node *n) {
    if (!require_f32(cx, n, n->in[0]))
        return false;
    n->shape = n->in[0]->shape;
    n->dtype = DT_F32;
    return true;
}
#define shape_neg     shape_unary
#define shape_relu    shape_unary
#define shape_step    shape_unary
#define shape_sigmoid shape_unary
#define shape_tanh    shape_unary
#define shape_exp     shape_unary
#define shape_log     shape_unary
#define shape_dropout shape_unary

/* neg:  y = -x
 * grad: dx = -dy */
static void grad_neg(Grad *gr, Node *n, Node *dy) {
    add_grad(gr, n->in[0], ir_unary(gr->g, OP_NEG, n->loc, dy));
}

/* relu: y = max(x, 0)
 * grad: dx = dy * (y > 0). The mask reads y, not x (x > 0 exactly where y > 0), so x is
 *       dead after the forward pass and the bias add and relu can run in place. */
static void grad_relu(Grad *gr, Node *n, Node *dy) {
    Graph *g = gr->g;
    add_grad(gr, n->in[0], ir_binary(g, OP_MUL, n->loc, dy, ir_unary(g, OP_STEP, n->loc, n)));
}

/* step: y = (x > 0), the relu mask
 * grad: zero almost everywhere, so nothing flows back */
static void grad_step(Grad *gr, Node *n, Node *dy) {
    (void)gr;
    (void)n;
    (void)dy;
}

/* sigmoid: y = 1 / (1 + exp(-x))
 * grad:    dx = dy * y * (1 - y) */
static void grad_sigmoid(Grad *gr, Node *n, Node *dy) {
    Graph *g = gr->g;
    Node *one_minus_y = ir_binary(g, OP_SUB, n->loc, ir_const(g, n->loc, 1.0, 0), n);
    Node *dydx = ir_binary(g, OP_MUL, n->loc, n, one_minus_y);
    add_grad(gr, n->in[0], ir_binary(g, OP_MUL, n->loc, dy, dydx));
}

/* tanh: y = tanh(x)
 * grad: dx = dy * (1 - y^2) */
static void grad_tanh(Grad *gr, Node *n, Node *dy) {
    Graph *g = gr->g;
    Node *y2 = ir_binary(g, OP_MUL, n->loc, n, n);
    Node *dydx = ir_binary(g, OP_SUB, n->loc, ir_const(g, n->loc, 1.0, 0), y2);
    add_grad(gr, n->in[0], ir_binary(g, OP_MUL, n->loc, dy, dydx));
}

/* exp:  y = exp(x)
 * grad: dx = dy * y */
static void grad_exp(Grad *gr, Node *n, Node *dy) {
    add_grad(gr, n->in[0], ir_binary(gr->g, OP_MUL, n->loc, dy, n));
}

/* log:  y = log(x)
 * grad: dx = dy / x */
static void grad_log(Grad *gr, Node *n, Node *dy) {
    add_grad(gr, n->in[0], ir_binary(gr->g, OP_DIV, n->loc, dy, n->in[0]));
}

/* expand: y = x broadcast to the shape in n->shape (x a suffix of it, or a scalar)
 * grad:   dx = dy summed over the broadcast dimensions */
static bool shape_expand(Ctx *cx, Node *n) {
    (void)cx;
    MLC_ASSERT(is_suffix(n->in[0]->shape, n->shape));
    n->dtype = DT_F32;
    return true;
}
static void grad_expand(Grad *gr, Node *n, Node *dy) {
    add_grad(gr, n->in[0], unbroadcast(gr, dy, n->in[0]));
}

/* dropout: y = x * m / (1 - p) in training, m[k] = 0 with probability p, else 1; y = x in
 *          evaluation (segment.c). The mask is a hash of the step's seed, the dropout's
 *          stream and the element's index, so the backward pass draws the same one.
 * grad:    dx = dy * m / (1 - p), which is dropout of dy with the same p and stream */
static void grad_dropout(Grad *gr, Node *n, Node *dy) {
    add_grad(gr, n->in[0],
             ir_dropout(gr->g, n->loc, dy, n->attr.dropout.p, n->attr.dropout.stream));
}

/* ---- matmul -------------------------------------------------------------------------------
 * matmul: C = op(A) op(B), op(X) = X or X^T as the attributes say; op(A) [M, K], op(B) [K, P]
 * shape:  C is [M, P]
 * grad:   d op(A) = dC op(B)^T and d op(B) = op(A)^T dC, written as matmuls with transpose
 *         flags so that no transpose is ever materialised:
 *           dA = dC op(B)^T      or, if A was transposed, (dC op(B)^T)^T = op(B) dC^T
 *           dB = op(A)^T dC      or, if B was transposed, (op(A)^T dC)^T = dC^T op(A) */
static bool shape_matmul(Ctx *cx, Node *n) {
    Node *a = n->in[0], *b = n->in[1];
    if (!require_f32(cx, n, a) || !require_f32(cx, n, b))
        return false;
    if (a->shape.rank != 2 || b->shape.rank != 2) {
        diag_error(cx, n->loc, "matmul expects two matrices, got %s and %s",
                   shape_str(cx->arena, a->shape, a->dtype),
                   shape_str(cx->arena, b->shape, b->dtype));
        return false;
    }
    bool ta = n->attr.gemm.ta, tb = n->attr.gemm.tb;
    int64_t m = a->shape.dim[ta ? 1 : 0], ka = a->shape.dim[ta ? 0 : 1];
    int64_t kb = b->shape.dim[tb ? 1 : 0], p = b->shape.dim[tb ? 0 : 1];
    if (ka != kb) {
        diag_error(cx, n->loc, "matmul of %s and %s: the inner dimensions differ (%s and %s)",
                   shape_str(cx->arena, a->shape, a->dtype),
                   shape_str(cx->arena, b->shape, b->dtype), dim_str(cx, ka), dim_str(cx, kb));
        return false;
    }
    if (p == DIM_N) {
        diag_error(cx, n->loc, "matmul of %s and %s would put the batch dimension last",
                   shape_str(cx->arena, a->shape, a->dtype),
                   shape_str(cx->arena, b->shape, b->dtype));
        return false;
    }
    n->shape = (Shape){2, {m, p}};
    n->dtype = DT_F32;
    return true;
}
static void grad_matmul(Grad *gr, Node *n, Node *dc) {
    Graph *g = gr->g;
    Node *a = n->in[0], *b = n->in[1];
    bool ta = n->attr.gemm.ta, tb = n->attr.gemm.tb;
    if (needs_grad(gr, a)) {
        Node *da =
            ta ? ir_matmul(g, n->loc, b, dc, tb, true) : ir_matmul(g, n->loc, dc, b, false, !tb);
        add_grad(gr, a, da);
    }
    if (needs_grad(gr, b)) {
        Node *db =
            tb ? ir_matmul(g, n->loc, dc, a, true, ta) : ir_matmul(g, n->loc, a, dc, !ta, false);
        add_grad(gr, b, db);
    }
}

/* ---- reshape ------------------------------------------------------------------------------
 * reshape: y = x with the shape in n->shape (same elements, same order; flatten)
 * grad:    dx = reshape(dy) back to x's shape */
static bool shape_reshape(Ctx *cx, Node *n) {
    Node *x = n->in[0];
    (void)cx;
    MLC_ASSERT(shape_numel_const(x->shape) == shape_numel_const(n->shape) &&
               shape_has_n(x->shape) == shape_has_n(n->shape));
    n->dtype = x->dtype;
    return true;
}
static void grad_reshape(Grad *gr, Node *n, Node *dy) {
    add_grad(gr, n->in[0], ir_reshape(gr->g, n->loc, dy, n->in[0]->shape));
}

/* ---- reductions ---------------------------------------------------------------------------
 * sum:  y = sum_i x_i, a scalar
 * grad: dx_i = dy */
static bool shape_reduce_all(Ctx *cx, Node *n) {
    if (!require_f32(cx, n, n->in[0]))
        return false;
    n->shape = (Shape){0, {0}};
    n->dtype = DT_F32;
    return true;
}
#define shape_sum  shape_reduce_all
#define shape_mean shape_reduce_all
static void grad_sum(Grad *gr, Node *n, Node *dy) {
    add_grad(gr, n->in[0], ir_expand(gr->g, n->loc, dy, n->in[0]->shape));
}

/* mean: y = sum_i x_i / numel(x); numel counts the batch, so 1/numel is (1/c) * N^-1
 * grad: dx_i = dy / numel(x) */
static void grad_mean(Grad *gr, Node *n, Node *dy) {
    Graph *g = gr->g;
    Shape s = n->in[0]->shape;
    Node *scale = ir_const(g, n->loc, 1.0 / (double)shape_numel_const(s), shape_has_n(s) ? -1 : 0);
    Node *d = ir_binary(g, OP_MUL, n->loc, dy, scale);
    add_grad(gr, n->in[0], ir_expand(g, n->loc, d, s));
}

/* sum_to: y = x summed over its leading dimensions down to the shape in n->shape
 *         (the bias gradient: [N, 512] -> [512])
 * grad:   dx = dy broadcast back */
static bool shape_sum_to(Ctx *cx, Node *n) {
    (void)cx;
    MLC_ASSERT(is_suffix(n->shape, n->in[0]->shape));
    n->dtype = DT_F32;
    return true;
}
static void grad_sum_to(Grad *gr, Node *n, Node *dy) {
    add_grad(gr, n->in[0], ir_expand(gr->g, n->loc, dy, n->in[0]->shape));
}

/* ---- softmax ------------------------------------------------------------------------------
 * softmax: y_j = exp(x_j - max x) / sum_k exp(x_k - max x), along the last dimension
 * grad:    dx_j = y_j (dy_j - sum_k dy_k y_k)      (softmax_bwd) */
static bool shape_softmax(Ctx *cx, Node *n) {
    if (!require_f32(cx, n, n->in[0]))
        return false;
    if (n->in[0]->shape.rank == 0) {
        diag_error(cx, n->loc, "softmax expects at least one dimension, got a scalar");
        return false;
    }
    n->shape = n->in[0]->shape;
    n->dtype = DT_F32;
    return true;
}
static void grad_softmax(Grad *gr, Node *n, Node *dy) {
    Node *in[2] = {n, dy};
    add_grad(gr, n->in[0], ir_node(gr->g, OP_SOFTMAX_BWD, n->loc, 2, in));
}

/* softmax_bwd: dx = y * (dy - rowsum(dy * y)), inputs (y, dy); backward only */
static bool shape_softmax_bwd(Ctx *cx, Node *n) {
    (void)cx;
    MLC_ASSERT(shape_eq(n->in[0]->shape, n->in[1]->shape));
    n->shape = n->in[0]->shape;
    n->dtype = DT_F32;
    return true;
}
static void grad_softmax_bwd(Grad *gr, Node *n, Node *dy) {
    (void)gr;
    (void)n;
    (void)dy;
    unreachable(); /* backward ops are never differentiated */
}

/* ---- losses -------------------------------------------------------------------------------
 * cross_entropy: L = mean_i (logsumexp(x_i) - x_i[c_i]), logits x [N, K], labels c in 0..K-1
 *                (PyTorch's CrossEntropyLoss: log-softmax and NLL in one, stable)
 * grad:          dx_ij = dL (softmax(x_i)_j - [j == c_i]) / N    (cross_entropy_bwd) */
static bool shape_cross_entropy(Ctx *cx, Node *n) {
    Node *x = n->in[0], *c = n->in[1];
    if (!require_f32(cx, n, x))
        return false;
    if (x->shape.rank != 2 || x->shape.dim[0] != DIM_N) {
        diag_error(cx, n->loc, "cross_entropy expects logits f32[N, classes], got %s",
                   shape_str(cx->arena, x->shape, x->dtype));
        return false;
    }
    if (c->dtype != DT_I32 || c->op != OP_TARGET) {
        diag_error(cx, n->loc,
                   "cross_entropy expects class labels (a 'target' of type "
                   "class(%lld)) as its second argument, got %s%s",
                   (long long)x->shape.dim[1], shape_str(cx->arena, c->shape, c->dtype),
                   c->dtype == DT_F32 ? "; bce_with_logits takes f32 targets" : "");
        return false;
    }
    if (c->attr.leaf.nclass != x->shape.dim[1]) {
        diag_error(cx, n->loc,
                   "cross_entropy of %s logits needs class(%lld) labels, got "
                   "class(%lld)",
                   shape_str(cx->arena, x->shape, x->dtype), (long long)x->shape.dim[1],
                   (long long)c->attr.leaf.nclass);
        return false;
    }
    n->shape = (Shape){0, {0}};
    n->dtype = DT_F32;
    return true;
}
static void grad_cross_entropy(Grad *gr, Node *n, Node *dy) {
    Node *in[3] = {n->in[0], n->in[1], dy};
    add_grad(gr, n->in[0], ir_node(gr->g, OP_CROSS_ENTROPY_BWD, n->loc, 3, in));
}

/* cross_entropy_bwd: inputs (logits, labels, dL); backward only */
static bool shape_cross_entropy_bwd(Ctx *cx, Node *n) {
    (void)cx;
    MLC_ASSERT(n->in[2]->shape.rank == 0);
    n->shape = n->in[0]->shape;
    n->dtype = DT_F32;
    return true;
}
static void grad_cross_entropy_bwd(Grad *gr, Node *n, Node *dy) {
    (void)gr;
    (void)n;
    (void)dy;
    unreachable(); /* backward ops are never differentiated */
}

/* bce_with_logits: L = mean (max(z, 0) - z y + log(1 + exp(-|z|))), z and y the same shape
 *                  (PyTorch's binary_cross_entropy_with_logits, stable for any z)
 * grad:            dz = dL (sigmoid(z) - y) / numel,   dy = -dL z / numel */
static bool shape_bce_with_logits(Ctx *cx, Node *n) {
    Node *z = n->in[0], *y = n->in[1];
    if (!require_f32(cx, n, z) || !require_f32(cx, n, y))
        return false;
    if (!shape_eq(z->shape, y->shape)) {
        diag_error(cx, n->loc,
                   "bce_with_logits expects logits and targets of one shape, got "
                   "%s and %s",
                   shape_str(cx->arena, z->shape, z->dtype),
                   shape_str(cx->arena, y->shape, y->dtype));
        return false;
    }
    n->shape = (Shape){0, {0}};
    n->dtype = DT_F32;
    return true;
}
static void grad_bce_with_logits(Grad *gr, Node *n, Node *dy) {
    Graph *g = gr->g;
    Node *z = n->in[0], *y = n->in[1];
    Shape s = z->shape;
    Node *scale = ir_const(g, n->loc, 1.0 / (double)shape_numel_const(s), shape_has_n(s) ? -1 : 0);
    Node *dl = ir_binary(g, OP_MUL, n->loc, dy, scale);
    if (needs_grad(gr, z)) {
        Node *diff = ir_binary(g, OP_SUB, n->loc, ir_unary(g, OP_SIGMOID, n->loc, z), y);
        add_grad(gr, z, ir_binary(g, OP_MUL, n->loc, diff, dl));
    }
    if (needs_grad(gr, y)) {
        Node *t = ir_binary(g, OP_MUL, n->loc, z, dl);
        add_grad(gr, y, ir_unary(g, OP_NEG, n->loc, t));
    }
}

/* ---- shape inference ---------------------------------------------------------------------
 * The model describes one sample; every input and target gets a leading dimension N, known
 * only when the program runs (the last batch of an epoch is smaller). Shapes are inferred
 * node by node as the builders in ir.c make them, so an error names the model line that
 * made the mismatch and both shapes; ir_verify() runs every rule again over a finished
 * graph (autodiff and simplify must leave shapes as the rules say). The invariant the later
 * passes rely on: N appears only as the first dimension. */
bool infer_shape(Ctx *cx, Node *n) {
    if (!op_info[n->op].shape(cx, n))
        return false;
    for (int i = 1; i < n->shape.rank; i++)
        MLC_ASSERT(n->shape.dim[i] != DIM_N);
    return true;
}

/* ---- the table ------------------------------------------------------------------------- */

#define OP(ID, name, arity, cls, form, sym) \
    [OP_##ID] = {#name, arity, OPC_##cls, EF_##form, sym, shape_##name, grad_##name},
const OpInfo op_info[OP_COUNT] = {
#include "ops.def"
};
#undef OP
