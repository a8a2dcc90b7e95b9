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
#define shape_neg            shape_unary
#define shape_relu           shape_unary
#define shape_step           shape_unary
#define shape_sigmoid        shape_unary
#define shape_tanh           shape_unary
#define shape_exp            shape_unary
#define shape_log            shape_unary
#define shape_dropout        shape_unary
#define shape_gelu           shape_unary
#define shape_gelu_grad      shape_unary
#define shape_elu            shape_unary
#define shape_sqrt           shape_unary
#define shape_gelu_tanh      shape_unary
#define shape_gelu_tanh_grad shape_unary

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

/* gelu: y = x Phi(x), Phi the standard normal distribution function, 0.5 (1 + erf(x / sqrt 2))
 *       (PyTorch's exact GELU)
 * grad: dx = dy gelu_grad(x), gelu_grad(x) = Phi(x) + x phi(x), phi the normal density */
static void grad_gelu(Grad *gr, Node *n, Node *dy) {
    Graph *g = gr->g;
    add_grad(gr, n->in[0],
             ir_binary(g, OP_MUL, n->loc, dy, ir_unary(g, OP_GELU_GRAD, n->loc, n->in[0])));
}

/* gelu_grad: the derivative of gelu; backward only */
static void grad_gelu_grad(Grad *gr, Node *n, Node *dy) {
    (void)gr;
    (void)n;
    (void)dy;
    unreachable(); /* backward ops are never differentiated */
}

/* elu:  y = x for x > 0, exp(x) - 1 otherwise (PyTorch's ELU, alpha 1; expm1 keeps small x
 *       exact)
 * grad: dx = dy for y > 0, dy (y + 1) otherwise: dy (step(y) + (1 - step(y)) (y + 1)) */
static void grad_elu(Grad *gr, Node *n, Node *dy) {
    Graph *g = gr->g;
    Loc l = n->loc;
    Node *pos = ir_unary(g, OP_STEP, l, n);
    Node *neg = ir_binary(g, OP_SUB, l, ir_const(g, l, 1.0, 0), pos);
    Node *slope = ir_binary(g, OP_ADD, l, n, ir_const(g, l, 1.0, 0));
    Node *dydx = ir_binary(g, OP_ADD, l, pos, ir_binary(g, OP_MUL, l, neg, slope));
    add_grad(gr, n->in[0], ir_binary(g, OP_MUL, l, dy, dydx));
}

/* sqrt: y = sqrt(x)
 * grad: dx = dy / (2 y) */
static void grad_sqrt(Grad *gr, Node *n, Node *dy) {
    Graph *g = gr->g;
    Node *twice = ir_binary(g, OP_MUL, n->loc, n, ir_const(g, n->loc, 2.0, 0));
    add_grad(gr, n->in[0], ir_binary(g, OP_DIV, n->loc, dy, twice));
}

/* gelu_tanh: y = x (1 + tanh(u)) / 2, u = sqrt(2/pi) (x + 0.044715 x^3) (PyTorch's GELU with
 *            approximate='tanh')
 * grad:      dx = dy gelu_tanh_grad(x), gelu_tanh_grad(x) = (1 + t) / 2
 *            + x (1 - t^2) sqrt(2/pi) (1 + 3 0.044715 x^2) / 2, t = tanh(u) */
static void grad_gelu_tanh(Grad *gr, Node *n, Node *dy) {
    Graph *g = gr->g;
    add_grad(gr, n->in[0],
             ir_binary(g, OP_MUL, n->loc, dy, ir_unary(g, OP_GELU_TANH_GRAD, n->loc, n->in[0])));
}
#define grad_gelu_tanh_grad grad_gelu_grad

/* ---- elementwise with constant settings -----------------------------------------------------
 * pow(x, c), clamp(x, lo, hi) and between(x, lo, hi): the settings are constants (OP_CONST
 * inputs, which lower.c makes), so their element forms are calls with literal arguments.
 * shape: y has the shape of x */
static bool shape_with_constants(Ctx *cx, Node *n) {
    for (int i = 1; i < n->nin; i++)
        MLC_ASSERT(n->in[i]->op == OP_CONST && n->in[i]->attr.cnst.npow == 0);
    return shape_unary(cx, n);
}
#define shape_pow     shape_with_constants
#define shape_clamp   shape_with_constants
#define shape_between shape_with_constants

/* pow:  y = x^c
 * grad: dx = dy c x^(c-1) (0 for c = 0) */
static void grad_pow(Grad *gr, Node *n, Node *dy) {
    Graph *g = gr->g;
    Loc l = n->loc;
    double c = n->in[1]->attr.cnst.value;
    if (c == 0.0)
        return;
    Node *d = ir_binary(g, OP_MUL, l, dy, ir_const(g, l, c, 0));
    if (c == 2.0) /* x^1 */
        d = ir_binary(g, OP_MUL, l, d, n->in[0]);
    else if (c != 1.0)
        d = ir_binary(g, OP_MUL, l, d,
                      ir_binary(g, OP_POW, l, n->in[0], ir_const(g, l, c - 1.0, 0)));
    add_grad(gr, n->in[0], d);
}

/* clamp: y = min(max(x, lo), hi)
 * grad:  dx = dy where lo <= x <= hi, else 0 (the bounds included, as PyTorch's clamp) */
static void grad_clamp(Grad *gr, Node *n, Node *dy) {
    Graph *g = gr->g;
    Node *in[3] = {n->in[0], n->in[1], n->in[2]};
    add_grad(gr, n->in[0], ir_binary(g, OP_MUL, n->loc, dy, ir_node(g, OP_BETWEEN, n->loc, 3, in)));
}

/* between: y = 1 where lo <= x <= hi, else 0 (clamp's mask); backward only */
#define grad_between grad_gelu_grad

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
        diag_error(cx, n->loc, "%s expects at least one dimension, got a scalar", op_symbol(n->op));
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

/* log_softmax: y_j = x_j - max x - log sum_k exp(x_k - max x), along the last dimension
 * grad:        dx_j = dy_j - exp(y_j) sum_k dy_k      (log_softmax_bwd) */
#define shape_log_softmax shape_softmax
static void grad_log_softmax(Grad *gr, Node *n, Node *dy) {
    Node *in[2] = {n, dy};
    add_grad(gr, n->in[0], ir_node(gr->g, OP_LOG_SOFTMAX_BWD, n->loc, 2, in));
}

/* log_softmax_bwd: inputs (y, dy); backward only */
#define shape_log_softmax_bwd shape_softmax_bwd
#define grad_log_softmax_bwd  grad_softmax_bwd

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

/* nll:  L = -mean_i x_i[c_i], x [N, K] (log-probabilities), labels c in 0..K-1 (PyTorch's
 *       NLLLoss)
 * grad: dx_ij = -dL / N where j = c_i, else 0       (nll_bwd(labels, dL), x's shape) */
static bool shape_nll(Ctx *cx, Node *n) {
    Node *x = n->in[0], *c = n->in[1];
    if (!require_f32(cx, n, x))
        return false;
    if (x->shape.rank != 2 || x->shape.dim[0] != DIM_N) {
        diag_error(cx, n->loc, "nll expects log-probabilities f32[N, classes], got %s",
                   shape_str(cx->arena, x->shape, x->dtype));
        return false;
    }
    if (c->dtype != DT_I32 || c->op != OP_TARGET || c->attr.leaf.nclass != x->shape.dim[1]) {
        diag_error(cx, n->loc, "nll of %s needs class(%lld) labels as its second argument, got %s",
                   shape_str(cx->arena, x->shape, x->dtype), (long long)x->shape.dim[1],
                   c->dtype == DT_I32 && c->op == OP_TARGET
                       ? arena_printf(cx->arena, "class(%lld)", (long long)c->attr.leaf.nclass)
                       : shape_str(cx->arena, c->shape, c->dtype));
        return false;
    }
    n->shape = (Shape){0, {0}};
    n->dtype = DT_F32;
    return true;
}
static void grad_nll(Grad *gr, Node *n, Node *dy) {
    Node *in[2] = {n->in[1], dy};
    add_grad(gr, n->in[0], ir_shaped(gr->g, OP_NLL_BWD, n->loc, 2, in, n->in[0]->shape));
}

/* nll_bwd: inputs (labels, dL), the shape the builder set; backward only */
static bool shape_nll_bwd(Ctx *cx, Node *n) {
    (void)cx;
    MLC_ASSERT(n->shape.rank == 2 && n->in[1]->shape.rank == 0);
    n->dtype = DT_F32;
    return true;
}
#define grad_nll_bwd grad_backward_only

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

/* ---- state --------------------------------------------------------------------------------
 * state: a value kept from step to step that is not trained (batch norm's running
 *        statistics). The training forward pass computes its next value (g->updates); the
 *        loss never reads it, so no gradient flows to it. */
#define shape_state shape_leaf
#define grad_state  grad_leaf

/* ---- images: the window family -------------------------------------------------------------
 * conv2d, maxpool2d and avgpool2d slide a window over the last two dimensions of x
 * [N, C, H, W]. Along each, the output has (in + 2 pad - dil (k - 1) - 1) / stride + 1
 * positions (PyTorch's formula, rounding down). */
int64_t window_out(const Window *w, int d, int64_t in) {
    int64_t room = in + 2 * w->pad[d] - w->dil[d] * (w->k[d] - 1) - 1;
    return room < 0 ? 0 : room / w->stride[d] + 1;
}

bool op_has_window(OpKind op) {
    return op == OP_CONV2D || op == OP_CONV2D_BWD_X || op == OP_CONV2D_BWD_W ||
           op == OP_MAXPOOL2D || op == OP_MAXPOOL2D_BWD || op == OP_AVGPOOL2D ||
           op == OP_AVGPOOL2D_BWD;
}

bool op_has_eps(OpKind op) {
    return op == OP_BATCHNORM || op == OP_BATCHNORM_BWD || op == OP_BN_DGAMMA ||
           op == OP_BATCHNORM_EVAL;
}

static bool require_images(Ctx *cx, Node *n, Node *x) {
    if (!require_f32(cx, n, x))
        return false;
    if (x->shape.rank == 4 && x->shape.dim[0] == DIM_N)
        return true;
    diag_error(cx, n->loc, "%s expects a batch of images f32[N, channels, height, width], got %s",
               op_symbol(n->op), shape_str(cx->arena, x->shape, x->dtype));
    return false;
}

/* n's shape [N, channels, OH, OW] for its window over x, or an error if it does not fit. */
static bool window_shape(Ctx *cx, Node *n, Node *x, int64_t channels) {
    const Window *w = &n->attr.win;
    int64_t oh = window_out(w, 0, x->shape.dim[2]), ow = window_out(w, 1, x->shape.dim[3]);
    if (oh < 1 || ow < 1) {
        diag_error(cx, n->loc,
                   "%s: a %lldx%lld window (padding %lldx%lld, dilation %lldx%lld) does not fit "
                   "in %s",
                   op_symbol(n->op), (long long)w->k[0], (long long)w->k[1], (long long)w->pad[0],
                   (long long)w->pad[1], (long long)w->dil[0], (long long)w->dil[1],
                   shape_str(cx->arena, x->shape, x->dtype));
        return false;
    }
    n->shape = (Shape){4, {DIM_N, channels, oh, ow}};
    n->dtype = DT_F32;
    return true;
}

/* conv2d: y[n, o] = b[o] + sum over c in o's group, i < kh, j < kw of
 *             w[o, c, i, j] x[n, c, oh stride + i dil - pad, ow stride + j dil - pad]
 *         (PyTorch's Conv2d: cross-correlation, zero padding), inputs (x, w, b); b is the
 *         constant 0 for a convolution without bias. x [N, C, H, W], w [O, C/groups, kh, kw].
 * grad:   dx = conv2d_bwd_x(dy, w), the transposed convolution of dy;
 *         dw = conv2d_bwd_w(dy, x), the correlation of dy with x summed over the batch;
 *         db = channel_sum(dy) */
static bool shape_conv2d(Ctx *cx, Node *n) {
    Node *x = n->in[0], *w = n->in[1], *b = n->in[2];
    if (!require_images(cx, n, x))
        return false;
    const Window *win = &n->attr.win;
    int64_t c = x->shape.dim[1], g = win->groups;
    int64_t o = w->shape.dim[0];
    if (c % g != 0 || w->shape.rank != 4 || w->shape.dim[1] != c / g ||
        w->shape.dim[2] != win->k[0] || w->shape.dim[3] != win->k[1]) {
        diag_error(cx, n->loc,
                   "conv2d of %s needs weights f32[out, %lld, %lld, %lld] (%lld groups), got %s",
                   shape_str(cx->arena, x->shape, x->dtype), (long long)(c / g),
                   (long long)win->k[0], (long long)win->k[1], (long long)g,
                   shape_str(cx->arena, w->shape, w->dtype));
        return false;
    }
    MLC_ASSERT(o % g == 0);
    MLC_ASSERT(b->op == OP_CONST ? node_is_const(b, 0.0)
                                 : b->shape.rank == 1 && b->shape.dim[0] == o);
    return window_shape(cx, n, x, o);
}
static void grad_conv2d(Grad *gr, Node *n, Node *dy) {
    Graph *g = gr->g;
    Node *x = n->in[0], *w = n->in[1], *b = n->in[2];
    if (needs_grad(gr, x)) {
        Node *in[2] = {dy, w};
        add_grad(gr, x, ir_window_node(g, OP_CONV2D_BWD_X, n->loc, 2, in, &n->attr.win, x->shape));
    }
    if (needs_grad(gr, w)) {
        Node *in[2] = {dy, x};
        add_grad(gr, w, ir_window_node(g, OP_CONV2D_BWD_W, n->loc, 2, in, &n->attr.win, w->shape));
    }
    if (b->op != OP_CONST && needs_grad(gr, b))
        add_grad(gr, b, ir_unary(g, OP_CHANNEL_SUM, n->loc, dy));
}

/* conv2d_bwd_x: dx from (dy, w), dx of the shape the builder set; backward only.
 * conv2d_bwd_w: dw from (dy, x), dw of the shape the builder set; backward only. */
static bool shape_conv2d_bwd(Ctx *cx, Node *n) {
    (void)cx;
    Node *dy = n->in[0];
    MLC_ASSERT(dy->shape.rank == 4);
    if (n->op == OP_CONV2D_BWD_X)
        MLC_ASSERT(window_out(&n->attr.win, 0, n->shape.dim[2]) == dy->shape.dim[2] &&
                   window_out(&n->attr.win, 1, n->shape.dim[3]) == dy->shape.dim[3]);
    else
        MLC_ASSERT(n->shape.dim[0] == dy->shape.dim[1]);
    n->dtype = DT_F32;
    return true;
}
#define shape_conv2d_bwd_x shape_conv2d_bwd
#define shape_conv2d_bwd_w shape_conv2d_bwd

static void grad_backward_only(Grad *gr, Node *n, Node *dy) {
    (void)gr;
    (void)n;
    (void)dy;
    unreachable(); /* backward ops are never differentiated */
}
#define grad_conv2d_bwd_x  grad_backward_only
#define grad_conv2d_bwd_w  grad_backward_only
#define grad_maxpool2d_bwd grad_backward_only
#define grad_avgpool2d_bwd grad_backward_only
#define grad_batchnorm_bwd grad_backward_only
#define grad_bn_dgamma     grad_backward_only
#define grad_channel_sum   grad_backward_only

/* maxpool2d: y[n, c, p, q] = the largest x[n, c, ...] in the window at (p, q); padding
 *            counts as -infinity (PyTorch's MaxPool2d)
 * grad:      dx = maxpool2d_bwd(dy, x): each dy goes to the first largest element of its
 *            window, as PyTorch routes it (the window is searched again, not stored) */
static bool shape_maxpool2d(Ctx *cx, Node *n) {
    Node *x = n->in[0];
    if (!require_images(cx, n, x))
        return false;
    const Window *w = &n->attr.win;
    for (int d = 0; d < 2; d++) {
        if (w->pad[d] * 2 > w->k[d]) {
            diag_error(cx, n->loc, "%s: padding %lld is more than half the window %lld",
                       op_symbol(n->op), (long long)w->pad[d], (long long)w->k[d]);
            return false;
        }
    }
    return window_shape(cx, n, x, x->shape.dim[1]);
}
static void grad_maxpool2d(Grad *gr, Node *n, Node *dy) {
    Node *in[2] = {dy, n->in[0]};
    add_grad(gr, n->in[0],
             ir_window_node(gr->g, OP_MAXPOOL2D_BWD, n->loc, 2, in, &n->attr.win, n->in[0]->shape));
}

/* avgpool2d: y = the mean of the window, padding counted as zeros in it (PyTorch's
 *            AvgPool2d with count_include_pad = True)
 * grad:      dx = avgpool2d_bwd(dy): dy / (kh kw) to every element of its window */
#define shape_avgpool2d shape_maxpool2d
static void grad_avgpool2d(Grad *gr, Node *n, Node *dy) {
    add_grad(
        gr, n->in[0],
        ir_window_node(gr->g, OP_AVGPOOL2D_BWD, n->loc, 1, &dy, &n->attr.win, n->in[0]->shape));
}

/* maxpool2d_bwd: dx from (dy, x); avgpool2d_bwd: dx from dy; backward only. */
static bool shape_pool_bwd(Ctx *cx, Node *n) {
    (void)cx;
    Node *dy = n->in[0];
    MLC_ASSERT(window_out(&n->attr.win, 0, n->shape.dim[2]) == dy->shape.dim[2] &&
               window_out(&n->attr.win, 1, n->shape.dim[3]) == dy->shape.dim[3]);
    n->dtype = DT_F32;
    return true;
}
#define shape_maxpool2d_bwd shape_pool_bwd
#define shape_avgpool2d_bwd shape_pool_bwd

/* adaptive_avgpool2d: y[i, j] = the mean of x over rows floor(i H / oh) to ceil((i + 1) H / oh)
 *                     and the columns likewise, the output size in n->shape (PyTorch's
 *                     AdaptiveAvgPool2d, for sizes that are no multiple of it; lower.c makes
 *                     an avgpool2d of the others)
 * grad:               dx = adaptive_avgpool2d_bwd(dy): each dy over its window's size, to every
 *                     element of the window */
static bool shape_adaptive_avgpool2d(Ctx *cx, Node *n) {
    if (!require_images(cx, n, n->in[0]))
        return false;
    MLC_ASSERT(n->shape.rank == 4 && n->shape.dim[1] == n->in[0]->shape.dim[1]);
    n->dtype = DT_F32;
    return true;
}
static void grad_adaptive_avgpool2d(Grad *gr, Node *n, Node *dy) {
    add_grad(gr, n->in[0],
             ir_shaped(gr->g, OP_ADAPTIVE_AVGPOOL2D_BWD, n->loc, 1, &dy, n->in[0]->shape));
}
static bool shape_adaptive_avgpool2d_bwd(Ctx *cx, Node *n) {
    (void)cx;
    MLC_ASSERT(n->shape.rank == 4 && n->shape.dim[1] == n->in[0]->shape.dim[1]);
    n->dtype = DT_F32;
    return true;
}
#define grad_adaptive_avgpool2d_bwd grad_backward_only

/* ---- images: per channel ---------------------------------------------------------------------
 * x [N, C, ...]: a channel is dimension 1; its M values are the N samples times the rest.
 * channel_sum:  y[c] = sum of channel c (a convolution's bias gradient)
 * channel_mean: y[c] = its mean;  channel_var: y[c] = its unbiased variance (M - 1)
 * These three run in the backward pass or in the updates of running statistics, which the
 * loss never reads: they are never differentiated. */
static bool shape_channel(Ctx *cx, Node *n) {
    Node *x = n->in[0];
    if (!require_f32(cx, n, x))
        return false;
    MLC_ASSERT(x->shape.rank >= 2 && x->shape.dim[0] == DIM_N);
    n->shape = (Shape){1, {x->shape.dim[1]}};
    n->dtype = DT_F32;
    return true;
}
#define shape_channel_sum  shape_channel
#define shape_channel_mean shape_channel
#define shape_channel_var  shape_channel
#define grad_channel_mean  grad_backward_only
#define grad_channel_var   grad_backward_only

/* batchnorm: y = (x - mean) / sqrt(var + eps) * gamma + beta per channel, mean and var the
 *            batch's (biased variance), inputs (x, gamma, beta) (PyTorch's BatchNorm in
 *            training); the running statistics are updated beside it (lower.c)
 * grad:      with xhat = (x - mean) / sqrt(var + eps), M values per channel:
 *            dx = gamma / sqrt(var + eps) (dy - mean(dy) - xhat mean(dy xhat))
 *                                                          (batchnorm_bwd(dy, x, gamma))
 *            dgamma = sum(dy xhat) (bn_dgamma(dy, x)),  dbeta = sum(dy) (channel_sum) */
static bool shape_batchnorm(Ctx *cx, Node *n) {
    Node *x = n->in[0];
    if (!require_f32(cx, n, x))
        return false;
    if (x->shape.rank < 2 || x->shape.dim[0] != DIM_N) {
        diag_error(cx, n->loc, "%s expects a batch f32[N, channels, ...], got %s", op_symbol(n->op),
                   shape_str(cx->arena, x->shape, x->dtype));
        return false;
    }
    for (int i = 1; i < n->nin; i++)
        MLC_ASSERT(n->in[i]->shape.rank == 1 && n->in[i]->shape.dim[0] == x->shape.dim[1]);
    n->shape = x->shape;
    n->dtype = DT_F32;
    return true;
}
static void grad_batchnorm(Grad *gr, Node *n, Node *dy) {
    Graph *g = gr->g;
    Node *x = n->in[0], *gamma = n->in[1], *beta = n->in[2];
    double eps = n->attr.bn.eps;
    if (needs_grad(gr, x)) {
        Node *in[3] = {dy, x, gamma};
        add_grad(gr, x, ir_bn_node(g, OP_BATCHNORM_BWD, n->loc, 3, in, eps));
    }
    if (needs_grad(gr, gamma)) {
        Node *in[2] = {dy, x};
        add_grad(gr, gamma, ir_bn_node(g, OP_BN_DGAMMA, n->loc, 2, in, eps));
    }
    if (needs_grad(gr, beta))
        add_grad(gr, beta, ir_unary(g, OP_CHANNEL_SUM, n->loc, dy));
}

/* batchnorm_bwd: dx from (dy, x, gamma); bn_dgamma: dgamma from (dy, x); backward only,
 * both computing the batch's statistics again rather than keeping them */
static bool shape_batchnorm_bwd(Ctx *cx, Node *n) {
    (void)cx;
    MLC_ASSERT(shape_eq(n->in[0]->shape, n->in[1]->shape));
    n->shape = n->op == OP_BN_DGAMMA ? (Shape){1, {n->in[1]->shape.dim[1]}} : n->in[1]->shape;
    n->dtype = DT_F32;
    return true;
}
#define shape_bn_dgamma shape_batchnorm_bwd

/* batchnorm_eval: y = (x - running_mean) / sqrt(running_var + eps) * gamma + beta, inputs
 *                 (x, gamma, beta, running_mean, running_var) (batch norm in evaluation, and
 *                 a frozen batch norm in training)
 * grad:           with inv = 1 / sqrt(running_var + eps) and xhat = (x - running_mean) inv,
 *                 per channel: dx = dy gamma inv, dgamma = sum(dy xhat), dbeta = sum(dy);
 *                 the running statistics are state, which takes no gradient */
#define shape_batchnorm_eval shape_batchnorm

/* A per-channel vector v [C] lined up with x [N, C, ...]: v as [C, 1, ...] repeated over a
 * sample's other dimensions, a trailing part of x that elementwise ops repeat over N. */
static Node *per_channel(Graph *g, Loc loc, Node *v, Shape x) {
    if (x.rank == 2)
        return v;
    Shape col = {x.rank - 1, {x.dim[1], 1, 1}}, sample = {x.rank - 1, {0}};
    for (int d = 1; d < x.rank; d++)
        sample.dim[d - 1] = x.dim[d];
    return ir_broadcast(g, loc, ir_reshape(g, loc, v, col), sample);
}
static void grad_batchnorm_eval(Grad *gr, Node *n, Node *dy) {
    Graph *g = gr->g;
    Loc l = n->loc;
    Node *x = n->in[0], *gamma = n->in[1], *beta = n->in[2], *mean = n->in[3];
    Node *var_eps = ir_binary(g, OP_ADD, l, n->in[4], ir_const(g, l, n->attr.bn.eps, 0));
    Node *inv = ir_binary(g, OP_DIV, l, ir_const(g, l, 1.0, 0), ir_unary(g, OP_SQRT, l, var_eps));
    if (needs_grad(gr, x)) {
        Node *scale = per_channel(g, l, ir_binary(g, OP_MUL, l, gamma, inv), x->shape);
        add_grad(gr, x, ir_binary(g, OP_MUL, l, dy, scale));
    }
    if (needs_grad(gr, gamma)) {
        Node *centred = ir_binary(g, OP_SUB, l, x, per_channel(g, l, mean, x->shape));
        Node *xhat = ir_binary(g, OP_MUL, l, centred, per_channel(g, l, inv, x->shape));
        add_grad(gr, gamma, ir_unary(g, OP_CHANNEL_SUM, l, ir_binary(g, OP_MUL, l, dy, xhat)));
    }
    if (needs_grad(gr, beta))
        add_grad(gr, beta, ir_unary(g, OP_CHANNEL_SUM, l, dy));
}

/* ---- layout ------------------------------------------------------------------------------
 * Ops that move elements and compute nothing. Their dimensions count the whole shape, N
 * included; lower.c, which counts a sample's dimensions, never lets them move or cut N. */

/* permute: y[i_0, ..., i_r] = x[j] with j[perm[d]] = i_d (transpose swaps two dimensions)
 * shape:   y's dimension d is x's dimension perm[d]
 * grad:    dx = permute(dy) by the inverse permutation */
static bool shape_permute(Ctx *cx, Node *n) {
    (void)cx;
    Node *x = n->in[0];
    bool seen[MLC_MAX_RANK] = {false};
    n->shape.rank = x->shape.rank;
    for (int d = 0; d < x->shape.rank; d++) {
        int p = n->attr.lay.perm[d];
        MLC_ASSERT(p >= 0 && p < x->shape.rank && !seen[p]);
        seen[p] = true;
        n->shape.dim[d] = x->shape.dim[p];
    }
    MLC_ASSERT(!shape_has_n(x->shape) || n->attr.lay.perm[0] == 0);
    n->dtype = x->dtype;
    return true;
}
static void grad_permute(Grad *gr, Node *n, Node *dy) {
    Layout inv = {0};
    for (int d = 0; d < n->shape.rank; d++)
        inv.perm[n->attr.lay.perm[d]] = d;
    add_grad(gr, n->in[0], ir_layout_node(gr->g, OP_PERMUTE, n->loc, 1, &dy, &inv, (Shape){0}));
}

/* Does a box of the shape `box`, starting at `start`, lie inside `big` (N only where both
 * have it, from 0)? */
static bool box_inside(Shape box, const int64_t *start, Shape big) {
    if (box.rank != big.rank)
        return false;
    for (int d = 0; d < box.rank; d++) {
        if ((box.dim[d] == DIM_N) != (big.dim[d] == DIM_N))
            return false;
        if (box.dim[d] == DIM_N ? start[d] != 0
                                : start[d] < 0 || start[d] + box.dim[d] > big.dim[d])
            return false;
    }
    return true;
}

/* slice: y = x[start_0 : start_0 + shape_0, ...], the shape in n->shape
 * grad:  dx = pad(dy): dy in place, zeros around it */
static bool shape_slice(Ctx *cx, Node *n) {
    (void)cx;
    MLC_ASSERT(box_inside(n->shape, n->attr.lay.start, n->in[0]->shape));
    n->dtype = n->in[0]->dtype;
    return true;
}
static void grad_slice(Grad *gr, Node *n, Node *dy) {
    add_grad(gr, n->in[0],
             ir_layout_node(gr->g, OP_PAD, n->loc, 1, &dy, &n->attr.lay, n->in[0]->shape));
}

/* pad:  y = zeros of the shape in n->shape, with x at start (slice's gradient)
 * grad: dx = slice(dy) at start */
static bool shape_pad(Ctx *cx, Node *n) {
    (void)cx;
    MLC_ASSERT(box_inside(n->in[0]->shape, n->attr.lay.start, n->shape));
    n->dtype = n->in[0]->dtype;
    return true;
}
static void grad_pad(Grad *gr, Node *n, Node *dy) {
    add_grad(gr, n->in[0],
             ir_layout_node(gr->g, OP_SLICE, n->loc, 1, &dy, &n->attr.lay, n->in[0]->shape));
}

/* concat: y = x_0, x_1, ... one after another along axis
 * shape:  the inputs agree but in axis; y's axis is the sum of theirs (never N)
 * grad:   dx_i = slice(dy) of x_i's part */
static bool shape_concat(Ctx *cx, Node *n) {
    Node *x = n->in[0];
    int axis = n->attr.lay.axis;
    for (int i = 0; i < n->nin; i++)
        if (!require_f32(cx, n, n->in[i]))
            return false;
    MLC_ASSERT(axis >= 0 && axis < x->shape.rank && x->shape.dim[axis] != DIM_N);
    n->shape = x->shape;
    n->shape.dim[axis] = 0;
    for (int i = 0; i < n->nin; i++) {
        Shape s = n->in[i]->shape;
        MLC_ASSERT(s.rank == x->shape.rank);
        for (int d = 0; d < s.rank; d++)
            MLC_ASSERT(d == axis || s.dim[d] == x->shape.dim[d]);
        n->shape.dim[axis] += s.dim[axis];
    }
    n->dtype = DT_F32;
    return true;
}
static void grad_concat(Grad *gr, Node *n, Node *dy) {
    Layout lay = {0};
    for (int i = 0; i < n->nin; i++) {
        Node *x = n->in[i];
        if (needs_grad(gr, x))
            add_grad(gr, x, ir_layout_node(gr->g, OP_SLICE, n->loc, 1, &dy, &lay, x->shape));
        lay.start[n->attr.lay.axis] += x->shape.dim[n->attr.lay.axis];
    }
}

/* broadcast: y = x repeated along its dimensions of size 1, and along the dimensions it lacks
 *            in front, to the shape in n->shape (numpy's rule; N is never repeated)
 * grad:      dx = dy summed over those dimensions */
static bool shape_broadcast(Ctx *cx, Node *n) {
    (void)cx;
    Shape x = n->in[0]->shape, y = n->shape;
    MLC_ASSERT(x.rank <= y.rank && shape_has_n(x) == shape_has_n(y));
    for (int i = 1; i <= x.rank; i++) {
        int64_t a = x.dim[x.rank - i], b = y.dim[y.rank - i];
        MLC_ASSERT(a == b || a == 1);
    }
    n->dtype = DT_F32;
    return true;
}
static void grad_broadcast(Grad *gr, Node *n, Node *dy) {
    Shape x = n->in[0]->shape, y = n->shape;
    int lead = y.rank - x.rank;
    Node *d = dy;
    for (int a = 0; a < y.rank; a++)
        if (a < lead || (x.dim[a - lead] == 1 && y.dim[a] != 1))
            d = ir_axis(gr->g, OP_SUM_AXIS, n->loc, d, a, true);
    add_grad(gr, n->in[0], ir_reshape(gr->g, n->loc, d, x));
}

/* ---- along one axis -------------------------------------------------------------------------
 * sum_axis:     y = x summed along axis (in double, in order)
 * max_axis:     y = the largest x along axis
 * max_axis_bwd: (dy, x) -> dx: dy at the first largest element along axis, zeros elsewhere
 * shape:        x's without the axis, or with it of size 1 (keep); the axis is never N
 * grad:         sum_axis: dx = dy broadcast back along the axis; max_axis: max_axis_bwd */
static bool shape_axis(Ctx *cx, Node *n) {
    Node *x = n->in[n->op == OP_MAX_AXIS_BWD ? 1 : 0];
    int axis = n->attr.lay.axis;
    if (!require_f32(cx, n, x))
        return false;
    MLC_ASSERT(axis >= 0 && axis < x->shape.rank && x->shape.dim[axis] != DIM_N);
    n->dtype = DT_F32;
    if (n->op == OP_MAX_AXIS_BWD) {
        n->shape = x->shape;
        return true;
    }
    n->shape = x->shape;
    if (n->attr.lay.keep) {
        n->shape.dim[axis] = 1;
    } else {
        for (int d = axis; d + 1 < x->shape.rank; d++)
            n->shape.dim[d] = x->shape.dim[d + 1];
        n->shape.rank--;
    }
    return true;
}
#define shape_sum_axis     shape_axis
#define shape_max_axis     shape_axis
#define shape_max_axis_bwd shape_axis

/* dy with the axis kept (size 1), as the broadcast back along it needs */
static Node *axis_kept(Grad *gr, Node *n, Node *dy) {
    if (n->attr.lay.keep)
        return dy;
    Shape s = n->in[0]->shape;
    s.dim[n->attr.lay.axis] = 1;
    return ir_reshape(gr->g, n->loc, dy, s);
}
static void grad_sum_axis(Grad *gr, Node *n, Node *dy) {
    add_grad(gr, n->in[0], ir_broadcast(gr->g, n->loc, axis_kept(gr, n, dy), n->in[0]->shape));
}
static void grad_max_axis(Grad *gr, Node *n, Node *dy) {
    Node *in[2] = {axis_kept(gr, n, dy), n->in[0]};
    Layout lay = n->attr.lay;
    lay.keep = true;
    add_grad(gr, n->in[0], ir_layout_node(gr->g, OP_MAX_AXIS_BWD, n->loc, 2, in, &lay, (Shape){0}));
}
#define grad_max_axis_bwd grad_backward_only

/* ---- working memory ------------------------------------------------------------------------ */

bool window_columns_are_input(const Window *w) {
    return w->k[0] == 1 && w->k[1] == 1 && w->stride[0] == 1 && w->stride[1] == 1 &&
           w->pad[0] == 0 && w->pad[1] == 0;
}

int64_t op_scratch(const Node *n) {
    if (n->op != OP_CONV2D && n->op != OP_CONV2D_BWD_X && n->op != OP_CONV2D_BWD_W)
        return 0;
    /* per part of the batch, the columns of one group of one image: (C / groups) kh kw rows
     * of OH OW; for the weight gradient, the sums of the parts after the first */
    const Window *w = &n->attr.win;
    const Shape *x = n->op == OP_CONV2D         ? &n->in[0]->shape
                     : n->op == OP_CONV2D_BWD_X ? &n->shape
                                                : &n->in[1]->shape;
    const Shape *y = n->op == OP_CONV2D ? &n->shape : &n->in[0]->shape;
    int64_t rows = x->dim[1] / w->groups * w->k[0] * w->k[1];
    int64_t cols = window_columns_are_input(w) ? 0 : MLC_PARTS * rows * y->dim[2] * y->dim[3];
    int64_t sums = n->op == OP_CONV2D_BWD_W ? (MLC_PARTS - 1) * shape_numel_const(n->shape) : 0;
    return cols + sums;
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
