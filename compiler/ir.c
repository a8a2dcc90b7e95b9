/* ir.c: the graph IR.
 *
 * A Graph holds its nodes in topological order: a builder appends a node after its inputs,
 * so every pass can walk g->nodes forwards (definitions before uses) or backwards (uses
 * before definitions, as autodiff does). Builders infer the node's shape at once
 * (infer_shape, ops.c): the shape of every value is known from the moment it exists, and an
 * error points at the model text that made it. A builder given a NULL input (an earlier error)
 * returns NULL without a word, so one mistake gives one message.
 *
 * Also here: shape helpers, --emit ir and --emit dot, and ir_verify().
 */
#include "mlc.h"

/* An empty graph, with the train defaults a model without a train block gets. */
Graph *ir_new_graph(Ctx *cx, const char *name) {
    Graph *g = NEW(cx->arena, Graph);
    g->cx = cx;
    g->name = name;
    g->train.scale = 1.0;
    g->train.batch = 64;
    g->train.epochs = 1;
    g->train.optimizer = "sgd";
    for (int i = 0; i < noptim_settings; i++) { /* every optimizer's defaults */
        g->train.setting[i][0] = optim_settings[i].def[0];
        g->train.setting[i][1] = optim_settings[i].def[1];
    }
    return g;
}

/* Fills in n (allocated by the caller, which may have set attributes and, for ops whose
 * result shape is an attribute, n->shape), infers its shape and appends it. */
static Node *finish_node(Graph *g, Node *n, OpKind op, Loc loc, int nin, Node **in) {
    MLC_ASSERT(op_info[op].arity < 0 ? nin >= 2 && nin <= MLC_MAX_INPUTS
                                     : nin == op_info[op].arity);
    for (int i = 0; i < nin; i++)
        if (!in[i])
            return NULL;
    n->op = op;
    n->nin = nin;
    for (int i = 0; i < nin; i++)
        n->in[i] = in[i];
    n->loc = loc;
    if (!infer_shape(g->cx, n))
        return NULL;
    n->id = g->nodes.len;
    vec_push(g->cx->arena, &g->nodes, n);
    return n;
}

Node *ir_node(Graph *g, OpKind op, Loc loc, int nin, Node **in) {
    return finish_node(g, NEW(g->cx->arena, Node), op, loc, nin, in);
}

Node *ir_unary(Graph *g, OpKind op, Loc loc, Node *x) {
    return ir_node(g, op, loc, 1, &x);
}

Node *ir_binary(Graph *g, OpKind op, Loc loc, Node *x, Node *y) {
    Node *in[2] = {x, y};
    return ir_node(g, op, loc, 2, in);
}

Node *ir_const(Graph *g, Loc loc, double value, int npow) {
    Node *n = NEW(g->cx->arena, Node);
    n->dtype = DT_F32;
    n->attr.cnst.value = value;
    n->attr.cnst.npow = npow;
    return finish_node(g, n, OP_CONST, loc, 0, NULL);
}

/* op(a) @ op(b), op transposing where ta / tb say: gradients use the flags instead of
 * materialising transposes. */
Node *ir_matmul(Graph *g, Loc loc, Node *a, Node *b, bool ta, bool tb) {
    Node *in[2] = {a, b};
    Node *n = NEW(g->cx->arena, Node);
    n->attr.gemm.ta = ta;
    n->attr.gemm.tb = tb;
    return finish_node(g, n, OP_MATMUL, loc, 2, in);
}

/* A node whose result shape is an attribute (reshape, expand, sum_to, nll_bwd), checked by
 * its rule. */
Node *ir_shaped(Graph *g, OpKind op, Loc loc, int nin, Node **in, Shape shape) {
    Node *n = NEW(g->cx->arena, Node);
    n->shape = shape;
    return finish_node(g, n, op, loc, nin, in);
}

static Node *shaped_node(Graph *g, OpKind op, Loc loc, Node *x, Shape shape) {
    return ir_shaped(g, op, loc, 1, &x, shape);
}

Node *ir_reshape(Graph *g, Loc loc, Node *x, Shape shape) {
    return shaped_node(g, OP_RESHAPE, loc, x, shape);
}

/* Broadcasting to shape, or x itself when it already has it (likewise ir_sum_to). */
Node *ir_expand(Graph *g, Loc loc, Node *x, Shape shape) {
    if (x && shape_eq(x->shape, shape))
        return x;
    return shaped_node(g, OP_EXPAND, loc, x, shape);
}

Node *ir_sum_to(Graph *g, Loc loc, Node *x, Shape shape) {
    if (x && shape_eq(x->shape, shape))
        return x;
    return shaped_node(g, OP_SUM_TO, loc, x, shape);
}

Node *ir_dropout(Graph *g, Loc loc, Node *x, double p, int stream) {
    Node *n = NEW(g->cx->arena, Node);
    n->attr.dropout.p = p;
    n->attr.dropout.stream = stream;
    return finish_node(g, n, OP_DROPOUT, loc, 1, &x);
}

/* An op of the window family (attr.win), made with its window and, for the backward ops
 * and the pooling ops, the shape of the result. */
Node *ir_window_node(Graph *g, OpKind op, Loc loc, int nin, Node **in, const Window *w,
                     Shape shape) {
    MLC_ASSERT(op_has_window(op));
    Node *n = NEW(g->cx->arena, Node);
    n->attr.win = *w;
    n->shape = shape;
    return finish_node(g, n, op, loc, nin, in);
}

Node *ir_layout_node(Graph *g, OpKind op, Loc loc, int nin, Node **in, const Layout *lay,
                     Shape shape) {
    MLC_ASSERT(op_info[op].cls == OPC_LAYOUT || op_info[op].cls == OPC_AXIS);
    Node *n = NEW(g->cx->arena, Node);
    n->attr.lay = *lay;
    n->shape = shape;
    return finish_node(g, n, op, loc, nin, in);
}

Node *ir_broadcast(Graph *g, Loc loc, Node *x, Shape shape) {
    if (x && shape_eq(x->shape, shape))
        return x;
    Layout lay = {0};
    return ir_layout_node(g, OP_BROADCAST, loc, 1, &x, &lay, shape);
}

Node *ir_axis(Graph *g, OpKind op, Loc loc, Node *x, int axis, bool keep) {
    Layout lay = {0};
    lay.axis = axis;
    lay.keep = keep;
    return ir_layout_node(g, op, loc, 1, &x, &lay, (Shape){0, {0}});
}

/* A batch norm op with its eps. */
Node *ir_bn_node(Graph *g, OpKind op, Loc loc, int nin, Node **in, double eps) {
    MLC_ASSERT(op_has_eps(op));
    Node *n = NEW(g->cx->arena, Node);
    n->attr.bn.eps = eps;
    return finish_node(g, n, op, loc, nin, in);
}

Node *ir_copy(Graph *g, const Node *n, Node **in) {
    Node *c = NEW(g->cx->arena, Node);
    *c = *n;
    return finish_node(g, c, n->op, n->loc, n->nin, in);
}

/* ---- shapes -------------------------------------------------------------------------------- */

int64_t shape_numel_const(Shape s) {
    int64_t n = 1;
    for (int i = 0; i < s.rank; i++)
        if (s.dim[i] != DIM_N)
            n *= s.dim[i];
    return n;
}

bool shape_has_n(Shape s) {
    return s.rank > 0 && s.dim[0] == DIM_N;
}

bool shape_is_scalar(Shape s) {
    return !shape_has_n(s) && shape_numel_const(s) == 1;
}

bool shape_eq(Shape a, Shape b) {
    if (a.rank != b.rank)
        return false;
    for (int i = 0; i < a.rank; i++)
        if (a.dim[i] != b.dim[i])
            return false;
    return true;
}

char *shape_str(Arena *a, Shape s, DType dt) {
    char buf[128];
    int len = snprintf(buf, sizeof buf, "%s[", dt == DT_F32 ? "f32" : "class");
    for (int i = 0; i < s.rank; i++) {
        if (s.dim[i] == DIM_N)
            len += snprintf(buf + len, sizeof buf - len, "%sN", i ? ", " : "");
        else
            len +=
                snprintf(buf + len, sizeof buf - len, "%s%lld", i ? ", " : "", (long long)s.dim[i]);
    }
    snprintf(buf + len, sizeof buf - len, "]");
    return arena_strdup(a, buf);
}

bool node_is_const(const Node *n, double value) {
    return n->op == OP_CONST && n->attr.cnst.npow == 0 && n->attr.cnst.value == value;
}

/* ---- source places ------------------------------------------------------------------------- */

char *ir_where(Graph *g, Loc loc) {
    int line, col;
    diag_line_col(g->cx, loc.offset, &line, &col);
    return arena_printf(g->cx->arena, "%s:%d", g->cx->path, line);
}

/* The model text of loc, on one line, without comments or runs of blanks: what a kernel
 * comment quotes. */
char *ir_source_text(Graph *g, Loc loc) {
    const char *s = g->cx->src + loc.offset;
    size_t n = loc.len;
    if (loc.offset + n > g->cx->srclen)
        n = g->cx->srclen - loc.offset;
    char *out = arena_alloc(g->cx->arena, n + 1);
    size_t len = 0;
    bool blank = false, comment = false;
    for (size_t i = 0; i < n && len < 60; i++) {
        char c = s[i];
        if (c == '#')
            comment = true;
        if (c == '\n')
            comment = false;
        if (comment)
            continue;
        if (c == '\n' || c == ' ' || c == '\t' || c == '\r') {
            blank = true;
            continue;
        }
        if (blank && len > 0)
            out[len++] = ' ';
        blank = false;
        /* keep comments in generated code well-formed */
        out[len++] = (c == '*' && i + 1 < n && s[i + 1] == '/') ? '_' : c;
    }
    out[len] = '\0';
    return out;
}

/* ---- math -----------------------------------------------------------------------------------
 * A value as a textbook writes it: dy @ Wᵀ, sum over N of dy, (y > 0), softmax(x). Used by
 * --emit grad and by the comments of generated kernels; the caller decides which operands
 * are named and which are written out in place. */

static void print_expr(FILE *out, Graph *g, const Node *n, const MathNames *names, bool top);

/* An operand: a number, a name, or its own math (in parentheses unless top). */
static void print_arg(FILE *out, Graph *g, const Node *n, const MathNames *names, bool top) {
    if (n->op == OP_CONST) {
        double v = n->attr.cnst.value;
        if (n->attr.cnst.npow == -1 && v != 1.0)
            fprintf(out, "(1/%.9gN)", 1.0 / v);
        else if (n->attr.cnst.npow == -1)
            fprintf(out, "(1/N)");
        else
            fprintf(out, "%.9g", v);
        return;
    }
    const char *name = names->name(names->ctx, n);
    if (name)
        fprintf(out, "%s", name);
    else
        print_expr(out, g, n, names, top);
}

static void print_operand(FILE *out, Graph *g, const Node *n, const MathNames *names) {
    print_arg(out, g, n, names, false);
}

/* The settings of a layout or axis op: "axis 1", "[0, 2, 1]", "from [0, 2] to f32[N, 3]". */
static void print_layout(FILE *out, Graph *g, const Node *n) {
    const Layout *l = &n->attr.lay;
    const Shape *x = &n->in[0]->shape;
    switch (op_info[n->op].cls) {
    case OPC_AXIS: fprintf(out, "axis %d%s", l->axis, l->keep ? " kept" : ""); return;
    case OPC_LAYOUT:
        if (n->op == OP_CONCAT) {
            fprintf(out, "axis %d", l->axis);
        } else if (n->op == OP_PERMUTE) {
            fprintf(out, "[");
            for (int d = 0; d < x->rank; d++)
                fprintf(out, "%s%d", d ? ", " : "", l->perm[d]);
            fprintf(out, "]");
        } else if (n->op == OP_SLICE || n->op == OP_PAD) {
            fprintf(out, "%s [", n->op == OP_SLICE ? "from" : "at");
            for (int d = 0; d < x->rank; d++)
                fprintf(out, "%s%lld", d ? ", " : "", (long long)l->start[d]);
            fprintf(out, "] to %s", shape_str(g->cx->arena, n->shape, n->dtype));
        } else {
            fprintf(out, "to %s", shape_str(g->cx->arena, n->shape, n->dtype));
        }
        return;
    case OPC_LEAF:
    case OPC_ELEMWISE:
    case OPC_GEMM:
    case OPC_VIEW:
    case OPC_REDUCE:
    case OPC_ROWWISE:
    case OPC_LOSS:
    case OPC_IMAGE: return;
    }
}

static void print_expr(FILE *out, Graph *g, const Node *n, const MathNames *names, bool top) {
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
        print_operand(out, g, n->in[0], names);
        fprintf(out, "%s", sym);
        print_operand(out, g, n->in[1], names);
        fprintf(out, "%s", close);
        return;
    }
    case OP_NEG:
        fprintf(out, "-");
        print_operand(out, g, n->in[0], names);
        return;
    case OP_STEP:
        fprintf(out, "(");
        print_operand(out, g, n->in[0], names);
        fprintf(out, " > 0)");
        return;
    case OP_MATMUL:
        fprintf(out, "%s", open);
        print_operand(out, g, n->in[0], names);
        fprintf(out, "%s @ ", n->attr.gemm.ta ? "ᵀ" : "");
        print_operand(out, g, n->in[1], names);
        fprintf(out, "%s%s", n->attr.gemm.tb ? "ᵀ" : "", close);
        return;
    case OP_SUM_TO:
        fprintf(out, "sum over %s of ", n->in[0]->shape.dim[0] == DIM_N ? "N" : "rows");
        print_operand(out, g, n->in[0], names);
        return;
    case OP_EXPAND: print_operand(out, g, n->in[0], names); return;
    case OP_DROPOUT:
        fprintf(out, "dropout(");
        print_arg(out, g, n->in[0], names, true);
        fprintf(out, ", p = %g)", n->attr.dropout.p);
        return;
    case OP_CROSS_ENTROPY_BWD:
        fprintf(out, "%s(softmax(", open);
        print_arg(out, g, n->in[0], names, true);
        fprintf(out, ") - onehot(");
        print_arg(out, g, n->in[1], names, true);
        fprintf(out, ")) * ");
        print_operand(out, g, n->in[2], names);
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
    /* everything else reads as a function call; a reshape to [N, k] is a flatten */
    bool flat = n->op == OP_RESHAPE && n->shape.rank == 2 && shape_has_n(n->shape);
    fprintf(out, "%s(", flat ? "flatten" : op_info[n->op].name);
    for (int k = 0; k < n->nin; k++) {
        if (k)
            fprintf(out, ", ");
        print_arg(out, g, n->in[k], names, true);
    }
    if (n->op == OP_RESHAPE && !(n->shape.rank == 2 && shape_has_n(n->shape)))
        fprintf(out, " to %s", shape_str(g->cx->arena, n->shape, n->dtype));
    if (op_info[n->op].cls == OPC_LAYOUT || op_info[n->op].cls == OPC_AXIS) {
        fprintf(out, ", ");
        print_layout(out, g, n);
    }
    fprintf(out, ")");
}

void ir_print_math(FILE *out, Graph *g, const Node *n, const MathNames *names) {
    print_expr(out, g, n, names, true);
}

/* ---- printing ------------------------------------------------------------------------------ */

static const char *init_name(InitKind k) {
    switch (k) {
    case INIT_NONE: return "data";
    case INIT_ZEROS: return "zeros";
    case INIT_ONES: return "ones";
    case INIT_RANDN: return "randn";
    case INIT_UNIFORM: return "uniform";
    }
    unreachable();
}

static void print_ref(FILE *out, const Node *n) {
    if (n->name)
        fprintf(out, "%s", n->name);
    else
        fprintf(out, "%%%d", n->id);
}

static void print_const(FILE *out, const Node *n) {
    fprintf(out, "%.9g", n->attr.cnst.value);
    if (n->attr.cnst.npow == -1)
        fprintf(out, "/N");
    else if (n->attr.cnst.npow != 0)
        fprintf(out, "*N^%d", n->attr.cnst.npow);
}

/* One line of --emit ir: "%5 linear_relu_stack_0 : f32[N, 512] = add(%4, bias)  # line 8". */
static void print_node(FILE *out, Graph *g, const Node *n) {
    fprintf(out, "  %%%-3d ", n->id);
    if (n->name)
        fprintf(out, "%s ", n->name);
    fprintf(out, ": %s = %s", shape_str(g->cx->arena, n->shape, n->dtype), op_info[n->op].name);
    switch (op_info[n->op].cls) {
    case OPC_LEAF:
        if (n->op == OP_CONST) {
            fprintf(out, " ");
            print_const(out, n);
        } else if (n->op == OP_PARAM || n->op == OP_STATE) {
            fprintf(out, " '%s' %s", n->attr.leaf.pname, init_name(n->attr.leaf.init));
            if (n->attr.leaf.init == INIT_UNIFORM)
                fprintf(out, "(fan_in=%lld)", (long long)n->attr.leaf.fan_in);
        } else if (n->attr.leaf.init != INIT_NONE) {
            fprintf(out, " %s", init_name(n->attr.leaf.init));
        }
        break;
    case OPC_ELEMWISE:
    case OPC_GEMM:
    case OPC_VIEW:
    case OPC_REDUCE:
    case OPC_ROWWISE:
    case OPC_LOSS:
    case OPC_IMAGE:
    case OPC_LAYOUT:
    case OPC_AXIS:
        fprintf(out, "(");
        for (int i = 0; i < n->nin; i++) {
            if (i)
                fprintf(out, ", ");
            print_ref(out, n->in[i]);
        }
        fprintf(out, ")");
        if (n->op == OP_DROPOUT)
            fprintf(out, " p=%g stream=%d", n->attr.dropout.p, n->attr.dropout.stream);
        if (op_info[n->op].cls == OPC_LAYOUT || op_info[n->op].cls == OPC_AXIS) {
            fprintf(out, " ");
            print_layout(out, g, n);
        }
        if (op_has_window(n->op)) {
            const Window *w = &n->attr.win;
            fprintf(out, " kernel=%lldx%lld stride=%lldx%lld padding=%lldx%lld", (long long)w->k[0],
                    (long long)w->k[1], (long long)w->stride[0], (long long)w->stride[1],
                    (long long)w->pad[0], (long long)w->pad[1]);
            if (w->dil[0] != 1 || w->dil[1] != 1)
                fprintf(out, " dilation=%lldx%lld", (long long)w->dil[0], (long long)w->dil[1]);
            if (w->groups != 1)
                fprintf(out, " groups=%lld", (long long)w->groups);
        }
        if (op_has_eps(n->op))
            fprintf(out, " eps=%g", n->attr.bn.eps);
        if (n->op == OP_MATMUL && (n->attr.gemm.ta || n->attr.gemm.tb))
            fprintf(out, " %s%s", n->attr.gemm.ta ? "Aᵀ" : "A", n->attr.gemm.tb ? "Bᵀ" : "B");
        break;
    }
    int line, col;
    diag_line_col(g->cx, n->loc.offset, &line, &col);
    fprintf(out, "    # line %d\n", line);
}

/* --emit ir: the forward graph node by node (--emit grad shows the backward pass). */
void ir_print(FILE *out, Graph *g) {
    int end = g->nforward ? g->nforward : g->nodes.len;
    fprintf(out, "graph %s (forward: %d nodes)\n", g->name, end);
    for (int i = 0; i < end; i++)
        print_node(out, g, g->nodes.data[i]);
    Node *roots[2] = {g->loss, g->output};
    for (int r = 0; r < 2; r++) {
        if (!roots[r])
            continue;
        fprintf(out, "%s: ", r == 0 ? "loss" : "output");
        print_ref(out, roots[r]);
        fprintf(out, "\n");
    }
}

/* --emit dot: the whole graph for graphviz; backward nodes dashed. */
void ir_print_dot(FILE *out, Graph *g) {
    fprintf(out, "digraph %s {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n",
            g->name);
    for (int i = 0; i < g->nodes.len; i++) {
        Node *n = g->nodes.data[i];
        const char *style = i >= g->nforward && g->nforward ? ", style=dashed" : "";
        fprintf(out, "  n%d [label=\"", n->id);
        if (n->name)
            fprintf(out, "%s\\n", n->name);
        fprintf(out, "%s %s\"%s];\n", op_info[n->op].name,
                shape_str(g->cx->arena, n->shape, n->dtype), style);
        for (int k = 0; k < n->nin; k++)
            fprintf(out, "  n%d -> n%d;\n", n->in[k]->id, n->id);
    }
    fprintf(out, "}\n");
}

/* Checks what every pass promises: ids index nodes, inputs come before their users, arities
 * match, shapes are still what the op rules say. */
void ir_verify(Graph *g) {
    for (int i = 0; i < g->nodes.len; i++) {
        Node *n = g->nodes.data[i];
        MLC_ASSERT(n->id == i);
        MLC_ASSERT(op_info[n->op].arity < 0 ? n->nin >= 2 && n->nin <= MLC_MAX_INPUTS
                                            : n->nin == op_info[n->op].arity);
        for (int k = 0; k < n->nin; k++)
            MLC_ASSERT(n->in[k] && n->in[k]->id < i && g->nodes.data[n->in[k]->id] == n->in[k]);
        Node copy = *n;
        MLC_ASSERT(infer_shape(g->cx, &copy) && shape_eq(copy.shape, n->shape));
    }
}

Node *ir_leaf(Graph *g, OpKind op, Loc loc, const char *name, Shape shape, DType dt) {
    MLC_ASSERT(op_info[op].cls == OPC_LEAF && op != OP_CONST);
    Node *n = NEW(g->cx->arena, Node);
    n->shape = shape;
    n->dtype = dt;
    n->name = name;
    return finish_node(g, n, op, loc, 0, NULL);
}
