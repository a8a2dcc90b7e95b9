/* optim.c: what the optimizer asks of the schedule: plain SGD folded into the GEMMs.
 *
 * Runs after fusion. A GEMM that computes a weight's gradient, which no kernel reads (only
 * the update does), can apply plain SGD itself: W -= lr * dYᵀX is the same product with
 * alpha = -lr and beta = 1 into W, so dW is never stored. For that the GEMM moves after the
 * last kernel that reads W, as no later kernel may see the new W; and it may not move past
 * a kernel that already updates a weight it reads itself (in x @ (w @ v) the gradient of w
 * reads v and that of v reads w, so only one of them folds). The kernel is marked with
 * sgd_param; the backend emits the folded twin for train_step(), which the runtime calls
 * when the optimizer in use is plain SGD, and the plain product for everything else.
 */
#include "mlc.h"

/* Does kernel k read node x? */
static bool reads(Schedule *s, Kernel *k, Node *x) {
    PtrVec all = kernel_reads(s->g->cx->arena, s, k);
    for (int i = 0; i < all.len; i++)
        if (all.data[i] == x)
            return true;
    return false;
}

void plan_sgd_folds(Schedule *s) {
    Graph *g = s->g;
    for (int p = 0; p < g->grads.len; p++) {
        Node *d = g->grads.data[p], *w = g->params.data[p];
        if (!d || d->id < g->nforward || d == g->loss || d == g->output)
            continue; /* not computed in the backward pass, or read after it */
        int at = -1, readers = 0;
        for (int i = s->nforward; i < s->kernels.len; i++) {
            Kernel *k = s->kernels.data[i];
            if (k->root == d && k->kind == K_GEMM && k->nodes.len == 0 && !k->reduce)
                at = i;
            readers += reads(s, k, d);
        }
        bool shared = false; /* the same value is another parameter's gradient too */
        for (int q = 0; q < g->grads.len; q++)
            shared |= q != p && g->grads.data[q] == d;
        if (at < 0 || readers > 0 || shared)
            continue;
        Kernel *k = s->kernels.data[at];
        int last = at;
        for (int i = at + 1; i < s->kernels.len; i++)
            if (reads(s, s->kernels.data[i], w))
                last = i;
        bool blocked = false;
        for (int i = at + 1; i <= last; i++) {
            Node *q = ((Kernel *)s->kernels.data[i])->sgd_param;
            blocked |= q && reads(s, k, q);
        }
        if (blocked)
            continue;
        k->sgd_param = w;
        for (int i = at; i < last; i++) /* move it down to just after the last reader */
            s->kernels.data[i] = s->kernels.data[i + 1];
        s->kernels.data[last] = k;
    }
}
