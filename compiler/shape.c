/* shape.c: shape inference, symbolic in the batch dimension N.
 *
 * The model describes one sample; every input and target gets a leading dimension N, known
 * only when the program runs (the last batch of an epoch is smaller). Shapes are inferred
 * node by node as the builders in ir.c make them, by the op's rule in ops.c, so an error
 * names the model line that made the mismatch and both shapes. infer_shapes() runs every
 * rule again over a finished graph: autodiff and simplify must leave shapes as the rules
 * say, and debug builds check it after every pass.
 *
 * The invariant the later passes rely on: N appears only as the first dimension.
 */
#include "mlc.h"

bool infer_shape(Ctx *cx, Node *n) {
    if (!op_info[n->op].shape(cx, n))
        return false;
    for (int i = 1; i < n->shape.rank; i++)
        MLC_ASSERT(n->shape.dim[i] != DIM_N);
    return true;
}

void infer_shapes(Graph *g) {
    ir_verify(g);
}
