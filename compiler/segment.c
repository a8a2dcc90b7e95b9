/* segment.c: the evaluation segment.
 *
 * A program runs four segments: the training forward pass, the backward pass, the update,
 * and the evaluation forward pass (the test pass, --eval and --predict: PyTorch's
 * model.eval()). The first three come from one graph. The evaluation pass differs wherever
 * an op behaves differently in evaluation: dropout passes its input through. eval_graph()
 * makes it: a copy of the forward pass in which every such op is replaced by what it does
 * in evaluation, then simplified, so that what only training needed is dead. A model
 * without such an op gets NULL, and its program evaluates with the training forward pass.
 *
 * The evaluation pass reads no gradient: its graph has no backward part.
 */
#include "mlc.h"

/* What node n of the training forward pass is in evaluation: itself (copied), or one of its
 * operands. Every op says, so a new op with a mode cannot be forgotten. */
static bool passes_through_in_eval(OpKind op) {
    switch (op) {
    case OP_DROPOUT: return true; /* drops nothing, scales nothing */
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
    case OP_BCE_LOGITS: return false;
    case OP_COUNT: break;
    }
    unreachable();
}

Graph *eval_graph(Graph *g) {
    int nf = g->nforward ? g->nforward : g->nodes.len;
    bool differs = false;
    for (int i = 0; i < nf; i++)
        differs |= passes_through_in_eval(((Node *)g->nodes.data[i])->op);
    if (!differs)
        return NULL;

    Arena *a = g->cx->arena;
    Graph *e = ir_new_graph(g->cx, g->name);
    e->train = g->train;
    e->classes = g->classes;
    Node **map = arena_alloc(a, sizeof(Node *) * (size_t)nf);
    for (int i = 0; i < nf; i++) {
        Node *n = g->nodes.data[i];
        if (passes_through_in_eval(n->op)) {
            map[i] = map[n->in[0]->id];
            continue;
        }
        Node *in[3] = {NULL, NULL, NULL};
        for (int k = 0; k < n->nin; k++)
            in[k] = map[n->in[k]->id];
        map[i] = ir_copy(e, n, in);
        MLC_ASSERT(map[i]);
    }
    for (int p = 0; p < g->params.len; p++) /* the same parameters, in state_dict order */
        vec_push(a, &e->params, map[((Node *)g->params.data[p])->id]);
    e->input = g->input ? map[g->input->id] : NULL;
    e->target = g->target ? map[g->target->id] : NULL;
    e->loss = map[g->loss->id];
    e->output = g->output ? map[g->output->id] : NULL;
    simplify(e);
    ir_verify(e);
    return e;
}
