/* segment.c: the evaluation segment.
 *
 * A program runs four segments: the training forward pass, the backward pass, the update,
 * and the evaluation forward pass (the test pass, --eval and --predict: PyTorch's
 * model.eval()). The first three come from one graph. The evaluation pass differs wherever
 * an op behaves differently in evaluation: dropout passes its input through, and batch norm
 * normalises with its running statistics instead of the batch's. eval_graph()
 * makes it: a copy of the forward pass in which every such op is replaced by what it does
 * in evaluation, then simplified, so that what only training needed is dead. A model
 * without such an op gets NULL, and its program evaluates with the training forward pass.
 *
 * The evaluation pass reads no gradient (its graph has no backward part) and updates no
 * running statistics (it has no updates). predict_graph() makes the same pass without the
 * loss, for targets that only predict (firmware): the input in, the output out, nothing else.
 */
#include "mlc.h"

typedef enum EvalForm {
    EVAL_SAME,    /* the node itself, copied */
    EVAL_OPERAND, /* its first operand: the node does nothing in evaluation */
    EVAL_BN,      /* batchnorm with the running statistics (batchnorm_eval) */
} EvalForm;

/* What node n of the training forward pass is in evaluation. Every op says, so a new op
 * with a mode cannot be forgotten. */
static EvalForm eval_form(OpKind op) {
    switch (op) {
    case OP_DROPOUT: return EVAL_OPERAND; /* drops nothing, scales nothing */
    case OP_BATCHNORM: return EVAL_BN;
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
    case OP_BATCHNORM_BWD:
    case OP_BN_DGAMMA:
    case OP_BATCHNORM_EVAL:
    case OP_ADAPTIVE_AVGPOOL2D:
    case OP_ADAPTIVE_AVGPOOL2D_BWD: return EVAL_SAME;
    case OP_COUNT: break;
    }
    unreachable();
}

/* A copy of g's forward pass as evaluation runs it, simplified. Without the loss (with_loss
 * false), what only the loss needed is dead and goes. */
static Graph *copy_eval(Graph *g, bool with_loss) {
    int nf = g->nforward ? g->nforward : g->nodes.len;
    Arena *a = g->cx->arena;
    Graph *e = ir_new_graph(g->cx, g->name);
    e->train = g->train;
    e->classes = g->classes;
    e->name_loc = g->name_loc;
    Node **map = arena_alloc(a, sizeof(Node *) * (size_t)nf);
    for (int i = 0; i < nf; i++) {
        Node *n = g->nodes.data[i];
        Node *in[MLC_MAX_INPUTS] = {NULL};
        for (int k = 0; k < n->nin; k++)
            in[k] = map[n->in[k]->id];
        switch (eval_form(n->op)) {
        case EVAL_SAME: map[i] = ir_copy(e, n, in); break;
        case EVAL_OPERAND: map[i] = in[0]; break;
        case EVAL_BN:
            in[3] = map[((Node *)g->states.data[n->attr.bn.state])->id];
            in[4] = map[((Node *)g->states.data[n->attr.bn.state + 1])->id];
            map[i] = ir_bn_node(e, OP_BATCHNORM_EVAL, n->loc, 5, in, n->attr.bn.eps);
            break;
        }
        MLC_ASSERT(map[i]);
    }
    for (int p = 0; p < g->params.len; p++) /* the same parameters, in state_dict order */
        vec_push(a, &e->params, map[((Node *)g->params.data[p])->id]);
    for (int p = 0; p < g->states.len; p++) /* the same state, never updated */
        vec_push(a, &e->states, map[((Node *)g->states.data[p])->id]);
    e->input = g->input ? map[g->input->id] : NULL;
    e->target = g->target ? map[g->target->id] : NULL;
    e->loss = with_loss ? map[g->loss->id] : NULL;
    e->output = g->output ? map[g->output->id] : NULL;
    simplify(e);
    ir_verify(e);
    return e;
}

Graph *eval_graph(Graph *g) {
    int nf = g->nforward ? g->nforward : g->nodes.len;
    bool differs = false;
    for (int i = 0; i < nf; i++)
        differs |= eval_form(((Node *)g->nodes.data[i])->op) != EVAL_SAME;
    if (!differs)
        return NULL;
    return copy_eval(g, true);
}

Graph *predict_graph(Graph *g) {
    Ctx *cx = g->cx;
    Loc model = g->name_loc;
    if (!g->output) {
        diag_error(cx, model, "model '%s' has no output to predict: declare one with 'output'",
                   g->name);
        return NULL;
    }
    if (!g->input) {
        diag_error(cx, model, "model '%s' has no input to predict from", g->name);
        return NULL;
    }
    Graph *e = copy_eval(g, false);
    /* simplify kept only what the output needs (and the leaves): any reader of the target
     * is something the output needs */
    for (int i = 0; i < e->nodes.len; i++) {
        Node *n = e->nodes.data[i];
        for (int k = 0; k < n->nin; k++) {
            if (n->in[k]->op == OP_TARGET) {
                diag_error(cx, g->output->loc,
                           "the output '%s' reads the target '%s', which a prediction does not "
                           "have",
                           g->output->name ? g->output->name : "output", n->in[k]->name);
                return NULL;
            }
        }
    }
    return e;
}
