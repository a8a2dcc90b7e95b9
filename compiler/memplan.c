/* memplan.c: where every value lives.
 *
 * Takes the schedule and gives each value that is kept in memory a Buffer: the batch the
 * runtime passes in (input, target), the parameter block, the gradient block (a parameter's
 * gradient is written straight to its place there), or the activation block. Views share
 * their operand's buffer, and a GEMM's epilogue runs in the GEMM's buffer.
 *
 * Activations are placed by liveness: a buffer is live from the kernel that writes it to the
 * last kernel that reads it (values the backward pass needs stay live through the forward
 * pass; the loss and output to the end), and first-fit puts each buffer at the lowest offset
 * free during its whole life, so buffers whose lives do not overlap share memory. Buffers
 * whose size scales with the batch go in one pool measured per sample (offset * max_batch
 * at run time), the others in a fixed pool after it. Sizes are rounded to 16 floats so every
 * buffer starts 64-byte aligned.
 */
#include "mlc.h"

static const char *const reserved[] = {
    /* C keywords a model could use as a name */
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
    "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict",
    "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "main",
    /* names the generated code uses itself */
    "N", "n", "i", "j", "k", "m", "v", "state", "batch_x", "batch_y", "acc", "total", "row", "out",
    "max", "sum", "yr", "dyr", "dot", "scale", "logit", "params", "grads", "velocity",
    /* what kernels call or name, which a parameter of the same name would hide */
    "expf", "logf", "fmaxf", "fabsf", "log1pf", "tanhf", "mlc_relu", "cblas_sgemm", "CblasRowMajor",
    "CblasTrans", "CblasNoTrans", "int64_t", "int32_t", "NULL", "INFINITY", "NAN"};

/* A C name for a buffer that no other buffer and no generated identifier has. */
static const char *unique_name(Arena *a, PtrVec *taken, const char *want) {
    const char *name = want;
    for (int attempt = 1;; attempt++) {
        bool clash = false;
        for (size_t i = 0; i < sizeof reserved / sizeof reserved[0] && !clash; i++)
            clash = !strcmp(name, reserved[i]);
        for (int i = 0; i < taken->len && !clash; i++)
            clash = !strcmp(name, taken->data[i]);
        if (!clash)
            break;
        name = arena_printf(a, "%s_%d", want, attempt);
    }
    vec_push(a, taken, (void *)name);
    return name;
}

static int64_t round16(int64_t n) {
    return (n + 15) / 16 * 16;
}

MemPlan *plan_memory(Schedule *s) {
    Graph *g = s->g;
    Arena *a = g->cx->arena;
    int n = g->nodes.len, nk = s->kernels.len;
    MemPlan *mp = NEW(a, MemPlan);
    mp->buf_of = arena_alloc(a, sizeof(Buffer *) * (size_t)n);
    mp->param_offset = arena_alloc(a, sizeof(int64_t) * (size_t)(g->params.len + 1));
    PtrVec taken = {0};

    /* Parameters and their gradients are named first, so they keep their model names. */
    const char **param_name = arena_alloc(a, sizeof(char *) * (size_t)(g->params.len + 1));
    mp->grad_name = arena_alloc(a, sizeof(char *) * (size_t)(g->params.len + 1));
    for (int p = 0; p < g->params.len; p++) {
        Node *w = g->params.data[p];
        param_name[p] = unique_name(a, &taken, w->name);
        mp->grad_name[p] = unique_name(a, &taken, arena_printf(a, "d_%s", param_name[p]));
    }

    /* Kernel index of every node a kernel computes. */
    int *kidx = arena_alloc(a, sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++)
        kidx[i] = -1;
    for (int i = 0; i < nk; i++) {
        Kernel *k = s->kernels.data[i];
        for (int j = 0; j < n; j++)
            if (s->kernel_of[j] == k)
                kidx[j] = i;
    }

    /* Parameters, and which backward value is whose gradient. */
    int *grad_of = arena_alloc(a, sizeof(int) * (size_t)n); /* param index + 1, or 0 */
    int64_t off = 0;
    for (int p = 0; p < g->params.len; p++) {
        Node *w = g->params.data[p];
        mp->param_offset[p] = off;
        off += shape_numel_const(w->shape);
        Node *d = g->grads.len ? g->grads.data[p] : NULL;
        if (d && d->id >= g->nforward && kidx[d->id] >= 0 && !s->inlined[d->id] &&
            op_info[d->op].cls != OPC_VIEW && grad_of[d->id] == 0)
            grad_of[d->id] = p + 1;
    }
    mp->nparams = off;

    for (int i = 0; i < n; i++) {
        Node *x = g->nodes.data[i];
        Buffer *b = NULL;
        if (s->inlined[i] || x->op == OP_CONST)
            continue;
        if (op_info[x->op].cls == OPC_VIEW) {
            mp->buf_of[i] = mp->buf_of[x->in[0]->id];
            continue;
        }
        Kernel *k = s->kernel_of[i];
        if (k && k->gemm == x && k->root != x)
            continue; /* takes the buffer of its epilogue's root, below */
        b = NEW(a, Buffer);
        b->node = x;
        b->batched = shape_has_n(x->shape);
        b->size = shape_numel_const(x->shape);
        b->param = -1;
        if (x->op == OP_INPUT || x->op == OP_TARGET) {
            b->kind = BUF_INPUT;
        } else if (x->op == OP_PARAM) {
            b->kind = BUF_PARAM;
            for (int p = 0; p < g->params.len; p++)
                if (g->params.data[p] == x)
                    b->param = p;
        } else {
            b->kind = grad_of[i] ? BUF_GRAD : BUF_ACT; /* computed by a kernel */
            b->param = grad_of[i] - 1;
        }
        if (b->kind == BUF_PARAM)
            b->name = param_name[b->param];
        else if (b->kind == BUF_GRAD)
            b->name = mp->grad_name[b->param];
        else
            b->name = unique_name(a, &taken, x->name ? x->name : arena_printf(a, "t%d", i));
        mp->buf_of[i] = b;
        if (k && k->gemm && k->root == x)
            mp->buf_of[k->gemm->id] = b;
        vec_push(a, &mp->buffers, b);
    }

    /* Lifetimes in kernel indices: [first write, last read]. */
    int nb = mp->buffers.len;
    int *start = arena_alloc(a, sizeof(int) * (size_t)(nb + 1));
    int *end = arena_alloc(a, sizeof(int) * (size_t)(nb + 1));
    int *index = arena_alloc(a, sizeof(int) * (size_t)n); /* buffer index of node */
    for (int i = 0; i < nb; i++)
        start[i] = nk, end[i] = -1;
    for (int i = 0; i < n; i++) {
        index[i] = -1;
        for (int j = 0; j < nb && mp->buf_of[i]; j++)
            if (mp->buffers.data[j] == mp->buf_of[i])
                index[i] = j;
    }
    for (int i = 0; i < n; i++)
        if (index[i] >= 0 && kidx[i] >= 0 && kidx[i] < start[index[i]])
            start[index[i]] = kidx[i];
    /* A reader of a view reads the viewed buffer (index[] follows the alias); the loss and
     * output are read by the runtime after the last kernel. */
    for (int i = 0; i < n; i++) {
        Node *x = g->nodes.data[i];
        for (int j = 0; j < x->nin; j++) {
            int bi = index[x->in[j]->id];
            if (bi >= 0 && kidx[i] > end[bi])
                end[bi] = kidx[i];
        }
    }
    Node *roots[2] = {g->loss, g->output};
    for (int r = 0; r < 2; r++)
        if (roots[r] && index[roots[r]->id] >= 0)
            end[index[roots[r]->id]] = nk;

    /* First fit, separately for the batched and the fixed pool. */
    for (int i = 0; i < nb; i++) {
        Buffer *b = mp->buffers.data[i];
        mp->naive_per_sample += b->kind == BUF_ACT && b->batched ? round16(b->size) : 0;
        if (b->kind != BUF_ACT)
            continue;
        if (end[i] < start[i])
            end[i] = start[i]; /* written, never read again (still needs a place) */
        int64_t size = round16(b->size);
        int64_t at = 0;
        for (bool moved = true; moved;) {
            moved = false;
            for (int j = 0; j < i; j++) {
                Buffer *o = mp->buffers.data[j];
                if (o->kind != BUF_ACT || o->batched != b->batched)
                    continue;
                bool live_together = start[j] <= end[i] && start[i] <= end[j];
                bool overlap = at < o->offset + round16(o->size) && o->offset < at + size;
                if (live_together && overlap) {
                    at = o->offset + round16(o->size);
                    moved = true;
                }
            }
        }
        b->offset = at;
        b->first = start[i];
        b->last = end[i];
        int64_t *pool = b->batched ? &mp->per_sample : &mp->fixed;
        if (at + size > *pool)
            *pool = at + size;
    }
    return mp;
}
