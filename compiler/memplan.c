/* memplan.c: where every value lives.
 *
 * Takes the schedule and gives each value that is kept in memory a Buffer: the batch the
 * runtime passes in (input, target), the parameter block, the gradient block (a parameter's
 * gradient is written straight to its place there), or the activation block. Views share
 * their operand's buffer, and a GEMM's epilogue runs in the GEMM's buffer.
 *
 * Activations are placed by liveness: a buffer is live from the kernel that writes it to the
 * last kernel that reads it (values the backward pass needs stay live through the forward
 * pass; the loss, the output and the gradients to the end), and first-fit puts each buffer
 * at the lowest offset free during its whole life, so buffers whose lives do not overlap
 * share memory. Buffers whose size scales with the batch go in one pool measured per sample
 * (offset * max_batch at run time), the others in a fixed pool after it. Sizes are rounded
 * to 16 floats so every buffer starts 64-byte aligned.
 *
 * Buffers are named after the values they hold, avoiding the names the target's code uses
 * itself (Target.reserved).
 *
 * memplan_check() verifies a plan without trusting its lifetimes: it runs the schedule over
 * the planned memory and checks that every read finds the value that was written there.
 */
#include "mlc.h"

/* A name for a buffer that no other buffer and no identifier of the target's code has. */
static const char *unique_name(Arena *a, PtrVec *taken, const char *const *reserved,
                               const char *want) {
    const char *name = want;
    for (int attempt = 1;; attempt++) {
        bool clash = false;
        for (int i = 0; reserved[i] && !clash; i++)
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

/* The values read after the last kernel: the loss and the output (by the runtime), and every
 * gradient (copied into the gradient block at the end of the backward pass, unless it was
 * computed there). A value read through a view is read from the viewed buffer, so the
 * buffer under a reshape lives as long as the reshape's last reader. */
static PtrVec read_after_kernels(Graph *g) {
    PtrVec v = {0};
    if (g->loss)
        vec_push(g->cx->arena, &v, g->loss);
    if (g->output)
        vec_push(g->cx->arena, &v, g->output);
    for (int p = 0; p < g->grads.len; p++)
        if (g->grads.data[p])
            vec_push(g->cx->arena, &v, g->grads.data[p]);
    return v;
}

static int64_t round16(int64_t n) {
    return (n + 15) / 16 * 16;
}

MemPlan *plan_memory(Schedule *s, const char *const *reserved, const MemPlan *beside,
                     const char *prefix) {
    Graph *g = s->g;
    Arena *a = g->cx->arena;
    int n = g->nodes.len, nk = s->kernels.len;
    MemPlan *mp = NEW(a, MemPlan);
    mp->buf_of = arena_alloc(a, sizeof(Buffer *) * (size_t)n);
    mp->param_offset = arena_alloc(a, sizeof(int64_t) * (size_t)(g->params.len + 1));
    PtrVec taken = {0};

    /* Parameters and their gradients are named first, so they keep their model names; a plan
     * beside another takes the other's names for them, and avoids all its names. */
    const char **param_name = arena_alloc(a, sizeof(char *) * (size_t)(g->params.len + 1));
    mp->param_name = param_name;
    mp->grad_name = arena_alloc(a, sizeof(char *) * (size_t)(g->params.len + 1));
    for (int i = 0; beside && i < beside->buffers.len; i++) /* the inputs are locals */
        if (((Buffer *)beside->buffers.data[i])->kind != BUF_INPUT)
            vec_push(a, &taken, (void *)((Buffer *)beside->buffers.data[i])->name);
    for (int p = 0; p < g->params.len; p++) {
        Node *w = g->params.data[p];
        if (beside) {
            param_name[p] = beside->param_name[p];
            mp->grad_name[p] = beside->grad_name[p];
            continue;
        }
        param_name[p] = unique_name(a, &taken, reserved, w->name);
        mp->grad_name[p] = unique_name(a, &taken, reserved, arena_printf(a, "d_%s", param_name[p]));
    }
    mp->state_name = arena_alloc(a, sizeof(char *) * (size_t)(g->states.len + 1));
    mp->state_offset = arena_alloc(a, sizeof(int64_t) * (size_t)(g->states.len + 1));
    for (int p = 0; p < g->states.len; p++) {
        Node *st = g->states.data[p];
        mp->state_name[p] =
            beside ? beside->state_name[p] : unique_name(a, &taken, reserved, st->name);
        mp->state_offset[p] = mp->nstates;
        mp->nstates += shape_numel_const(st->shape);
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
        if (k && k->op == x && k->root != x)
            continue; /* a batch norm's value exists only in its epilogue's loop */
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
        } else if (x->op == OP_STATE) {
            b->kind = BUF_STATE;
            for (int p = 0; p < g->states.len; p++)
                if (g->states.data[p] == x)
                    b->param = p;
            b->name = mp->state_name[b->param];
        } else {
            b->kind = grad_of[i] ? BUF_GRAD : BUF_ACT; /* computed by a kernel */
            b->param = grad_of[i] - 1;
        }
        if (b->kind == BUF_STATE)
            ; /* named above */
        else if (b->kind == BUF_PARAM)
            b->name = param_name[b->param];
        else if (b->kind == BUF_GRAD)
            b->name = mp->grad_name[b->param];
        else
            b->name = unique_name(a, &taken, reserved,
                                  arena_printf(a, "%s%s", b->kind == BUF_ACT ? prefix : "",
                                               x->name ? x->name : arena_printf(a, "t%d", i)));
        mp->buf_of[i] = b;
        if (k && k->gemm && k->root == x)
            mp->buf_of[k->gemm->id] = b;
        vec_push(a, &mp->buffers, b);
    }
    /* A state's update is computed in the state's own memory: each element is read, then
     * written (the kernel gets the buffer once, writable); nothing reads the state after. */
    for (int p = 0; p < g->updates.len; p++) {
        Node *u = g->updates.data[p], *st = g->states.data[p];
        if (!u)
            continue;
        MLC_ASSERT(kidx[u->id] >= 0 && !s->inlined[u->id] && s->kernel_of[u->id]->root == u);
        mp->buf_of[u->id] = mp->buf_of[st->id];
    }
    /* Each kernel's scratch (a convolution's columns and partial sums): fixed, alive while the
     * kernel runs. */
    mp->scratch = arena_alloc(a, sizeof(Buffer *) * (size_t)(nk + 1));
    int first_scratch = mp->buffers.len;
    for (int i = 0; i < nk; i++) {
        Kernel *k = s->kernels.data[i];
        if (!k->scratch)
            continue;
        Buffer *b = NEW(a, Buffer);
        b->kind = BUF_ACT;
        b->node = k->root;
        b->size = k->scratch;
        b->param = -1;
        b->first = b->last = i;
        b->name = unique_name(
            a, &taken, reserved,
            arena_printf(a, "%swork_%s", prefix,
                         k->root->name ? k->root->name : arena_printf(a, "t%d", k->root->id)));
        mp->scratch[i] = b;
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
    /* A reader of a view reads the viewed buffer (index[] follows the alias); some values are
     * read after the last kernel. */
    for (int i = 0; i < n; i++) {
        Node *x = g->nodes.data[i];
        for (int j = 0; j < x->nin; j++) {
            int bi = index[x->in[j]->id];
            if (bi >= 0 && kidx[i] > end[bi])
                end[bi] = kidx[i];
        }
    }
    for (int i = first_scratch; i < nb; i++) {
        Buffer *b = mp->buffers.data[i];
        start[i] = end[i] = b->first;
    }
    PtrVec after = read_after_kernels(g);
    for (int r = 0; r < after.len; r++) {
        int bi = index[((Node *)after.data[r])->id];
        if (bi >= 0)
            end[bi] = nk;
    }

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

/* ---- memplan_check: the plan, run against the schedule --------------------------------------
 * Kernel i writes its root (and its fused reduction, its other outputs) and reads what
 * kernel_reads() lists; after the last kernel the values of read_after_kernels() are read. A
 * read of activation buffer B is right when B was written before and no other buffer sharing
 * B's memory was written since. This uses the schedule and the offsets only, not the lifetimes
 * the planner computed, so a wrong lifetime shows up as a clobbered read. */

static int64_t mem_end(const Buffer *b) {
    return b->offset + round16(b->size);
}

/* Do two activation buffers share memory? */
static bool share_memory(const Buffer *a, const Buffer *b) {
    return a != b && a->kind == BUF_ACT && b->kind == BUF_ACT && a->batched == b->batched &&
           a->offset < mem_end(b) && b->offset < mem_end(a);
}

static int buffer_index(MemPlan *mp, const Buffer *b) {
    for (int i = 0; i < mp->buffers.len; i++)
        if (mp->buffers.data[i] == b)
            return i;
    return -1;
}

/* One read of value x by kernel `at` (nk: after the last kernel); 1 if it is wrong. */
static int check_read(Schedule *s, MemPlan *mp, const int *written, Node *x, int at, FILE *out) {
    Buffer *b = mp->buf_of[x->id];
    const char *who = at < s->kernels.len ? "kernel" : "the end of the pass, after kernel";
    int when = at < s->kernels.len ? at : at - 1;
    if (!b) {
        fprintf(out, "memplan: %s %d reads node %d, which has no buffer\n", who, when, x->id);
        return 1;
    }
    if (b->kind != BUF_ACT)
        return 0;
    int bi = buffer_index(mp, b);
    if (written[bi] < 0 || written[bi] >= at) {
        fprintf(out, "memplan: %s %d reads %s before it is written\n", who, when, b->name);
        return 1;
    }
    for (int j = 0; j < mp->buffers.len; j++) {
        Buffer *o = mp->buffers.data[j];
        if (share_memory(b, o) && written[j] > written[bi]) {
            fprintf(out,
                    "memplan: %s %d reads %s (written by kernel %d), but kernel %d wrote %s "
                    "over it since\n",
                    who, when, b->name, written[bi], written[j], o->name);
            return 1;
        }
    }
    return 0;
}

int memplan_check(Schedule *s, MemPlan *mp, FILE *out) {
    Graph *g = s->g;
    Arena *a = g->cx->arena;
    int nk = s->kernels.len, problems = 0;
    int *written = arena_alloc(a, sizeof(int) * (size_t)(mp->buffers.len + 1));
    for (int i = 0; i < mp->buffers.len; i++)
        written[i] = -1;
    for (int i = 0; i < nk; i++) {
        Kernel *k = s->kernels.data[i];
        PtrVec reads = kernel_reads(a, s, k);
        for (int r = 0; r < reads.len; r++)
            problems += check_read(s, mp, written, reads.data[r], i, out);
        PtrVec outs = {0};
        vec_push(a, &outs, k->root);
        if (k->reduce)
            vec_push(a, &outs, k->reduce);
        for (int w = 0; w < k->outs.len; w++)
            vec_push(a, &outs, k->outs.data[w]);
        for (int w = 0; w < outs.len; w++) {
            Buffer *b = mp->buf_of[((Node *)outs.data[w])->id];
            if (!b || b->kind != BUF_ACT)
                continue;
            int bi = buffer_index(mp, b);
            if (written[bi] >= 0) {
                fprintf(out, "memplan: kernels %d and %d both write %s\n", written[bi], i, b->name);
                problems++;
            }
            written[bi] = i;
            /* what this kernel writes must not overlap what it reads */
            for (int r = 0; r < reads.len; r++) {
                Buffer *rb = mp->buf_of[((Node *)reads.data[r])->id];
                if (rb && share_memory(b, rb)) {
                    fprintf(out, "memplan: kernel %d writes %s over %s, which it reads\n", i,
                            b->name, rb->name);
                    problems++;
                }
            }
        }
        /* its scratch is written over nothing it reads; what shares memory with it is
         * overwritten (a later read of that is caught as clobbered) */
        Buffer *sb = mp->scratch[i];
        if (sb) {
            for (int r = 0; r < reads.len; r++) {
                Buffer *rb = mp->buf_of[((Node *)reads.data[r])->id];
                if (rb && share_memory(sb, rb)) {
                    fprintf(out, "memplan: kernel %d's scratch %s overlaps %s, which it reads\n", i,
                            sb->name, rb->name);
                    problems++;
                }
            }
            written[buffer_index(mp, sb)] = i;
        }
        /* a state is read by no kernel after the one that updates it */
        Buffer *rootb = mp->buf_of[k->root->id];
        for (int j = i + 1; rootb && rootb->kind == BUF_STATE && k->root->op != OP_STATE && j < nk;
             j++) {
            PtrVec later = kernel_reads(a, s, s->kernels.data[j]);
            for (int r = 0; r < later.len; r++)
                if (mp->buf_of[((Node *)later.data[r])->id] == rootb) {
                    fprintf(out, "memplan: kernel %d reads %s after kernel %d updated it\n", j,
                            rootb->name, i);
                    problems++;
                }
        }
        /* a weight updated inside its gradient's GEMM is read by no later kernel */
        for (int j = i + 1; k->sgd_param && j < nk; j++) {
            PtrVec later = kernel_reads(a, s, s->kernels.data[j]);
            for (int r = 0; r < later.len; r++)
                if (later.data[r] == k->sgd_param) {
                    fprintf(out, "memplan: kernel %d reads %s after kernel %d updated it\n", j,
                            k->sgd_param->name, i);
                    problems++;
                }
        }
    }
    /* After the kernels, written out here rather than taken from the planner: forward()
     * returns the loss, the runtime reads the output, and backward() copies each gradient
     * that was not computed in its place in the gradient block. */
    Node *end[2] = {g->loss, g->output};
    for (int r = 0; r < 2; r++)
        if (end[r] && end[r]->op != OP_CONST)
            problems += check_read(s, mp, written, end[r], nk, out);
    for (int p = 0; p < g->grads.len; p++) {
        Node *d = g->grads.data[p];
        Buffer *b = d ? mp->buf_of[d->id] : NULL;
        bool in_place = b && b->kind == BUF_GRAD && b->param == p;
        if (d && d->op != OP_CONST && !in_place)
            problems += check_read(s, mp, written, d, nk, out);
    }
    return problems;
}

int64_t plan_acts_per_sample(const MemPlan *mp, const MemPlan *beside) {
    int64_t b = beside ? beside->per_sample : 0;
    return mp->per_sample > b ? mp->per_sample : b;
}
int64_t plan_acts_fixed(const MemPlan *mp, const MemPlan *beside) {
    int64_t b = beside ? beside->fixed : 0;
    return mp->fixed > b ? mp->fixed : b;
}
