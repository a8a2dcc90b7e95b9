/* ir_eval.h: a double-precision reference evaluator of mlc's forward IR (the Graph that
 * lower_model makes), for the differential checker. It shares no code with the generated C
 * and knows nothing of fusion, memory planning or the backward pass; gradients come from
 * central finite differences of the loss in double.
 */
#ifndef IR_EVAL_H
#define IR_EVAL_H

#include "mlc.h"

typedef struct IrEval {
    Graph *g;
    int64_t n;       /* the batch size */
    int nnodes;      /* forward nodes evaluated */
    double **val;    /* val[id]: the node's value, numel[id] doubles, row-major */
    double **err;    /* err[id]: a first-order bound on the float32 rounding error of each
                        element, in units of the float32 epsilon (see ir_eval.c) */
    int64_t *numel;  /* numel[id] with N = n */
    int *param_of;   /* param_of[id]: index into g->params of an OP_PARAM node, else -1 */
    bool **dep;      /* dep[p][id]: node id depends on parameter p */
    double **params; /* the caller's values, one array per g->params entry */
    const double *x; /* n * input size */
    const double *y; /* n labels (class target) or n * target size */
} IrEval;

/* params[p] holds g->params.data[p]'s values; the arrays stay the caller's (and the finite
 * differences change an entry for a moment). */
IrEval *ir_eval_new(Graph *g, int64_t n, double **params, const double *x, const double *y);
void ir_eval_free(IrEval *ev);
/* Evaluates every node (values and error bounds) and returns the loss. */
double ir_eval_run(IrEval *ev);
/* d loss / d params[p][j] by central differences, with the step h and h/2 combined by
 * Richardson extrapolation. *reliable is false when the two disagree: a kink (relu at 0)
 * or some other non-smoothness lies within h of the point. Leaves ev as ir_eval_run did. */
double ir_eval_fd(IrEval *ev, int p, int64_t j, bool *reliable);
/* The number of elements of a shape with N = n. */
int64_t ir_eval_numel(Shape s, int64_t n);

#endif
