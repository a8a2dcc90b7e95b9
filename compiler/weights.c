/* weights.c: the trained parameters, for targets that build them into their code.
 *
 * Takes a safetensors file (the trainer's --save, or PyTorch's state_dict) and the model's
 * graph, and gives every parameter's values, in the graph's parameter order, and every
 * running statistic's (batch norm's running mean and variance), in the graph's state order. The
 * file is read with the runtime's reader (runtime/safetensors.c), which checks the format as
 * strictly as the reference implementation; here each parameter must be present under its
 * state_dict name with exactly its shape (as F32; the reader converts small integer tensors
 * to float exactly, so those are taken as their values). Every missing or misshapen tensor is
 * reported, at the model line that made the parameter and naming the file, so one run lists
 * all that is wrong. Tensors the model does not have are ignored, as the trainer's --load
 * ignores them. Values must be finite: a NaN or an infinity is reported, not built in.
 */
#include "mlc.h"

/* "f32[512, 784]" for a tensor of the file. */
static const char *tensor_shape(Arena *a, const MlcTensor *t) {
    const char *s = "f32[";
    for (int i = 0; i < t->rank; i++)
        s = arena_printf(a, "%s%s%lld", s, i ? ", " : "", (long long)t->shape[i]);
    return arena_printf(a, "%s]", s);
}

static bool same_shape(const MlcTensor *t, Shape s) {
    if (t->rank != s.rank)
        return false;
    for (int i = 0; i < s.rank; i++)
        if (t->shape[i] != s.dim[i])
            return false;
    return true;
}

/* The values of leaf n (a parameter or a running statistic) from the file's tensors: present
 * under its state_dict name, with its shape, finite. NULL after reporting what is wrong. */
static const float *leaf_values(Graph *g, const char *path, const MlcTensor *t, int n,
                                const Node *leaf) {
    Ctx *cx = g->cx;
    const char *name = leaf->attr.leaf.pname;
    const char *want = shape_str(cx->arena, leaf->shape, leaf->dtype);
    const MlcTensor *found = NULL;
    for (int i = 0; i < n && !found; i++)
        if (!strcmp(t[i].name, name))
            found = &t[i];
    if (!found) {
        diag_error(cx, leaf->loc, "weight file '%s' has no tensor '%s' (%s)", path, name, want);
        return NULL;
    }
    if (!same_shape(found, leaf->shape)) {
        diag_error(cx, leaf->loc, "tensor '%s' of weight file '%s' is %s, the model's is %s", name,
                   path, tensor_shape(cx->arena, found), want);
        return NULL;
    }
    int64_t size = shape_numel_const(leaf->shape);
    int64_t bad = -1;
    for (int64_t i = 0; i < size && bad < 0; i++)
        if (!isfinite(found->data[i]))
            bad = i;
    if (bad >= 0) {
        diag_error(cx, leaf->loc, "tensor '%s' of weight file '%s' holds %s at index %lld", name,
                   path, isnan(found->data[bad]) ? "NaN" : "an infinity", (long long)bad);
        return NULL;
    }
    float *data = arena_alloc(cx->arena, sizeof(float) * (size_t)size);
    memcpy(data, found->data, sizeof(float) * (size_t)size);
    return data;
}

Weights *weights_load(Graph *g, const char *path) {
    Ctx *cx = g->cx;
    char err[1024];
    MlcTensor *t;
    int n;
    if (!mlc_safetensors_read_all(path, &t, &n, err, sizeof err)) {
        /* err is "path: reason" */
        fprintf(cx->err, "mlc: error: weight file %s\n", err);
        cx->nerrors++;
        return NULL;
    }
    Weights *w = NEW(cx->arena, Weights);
    w->path = arena_strdup(cx->arena, path);
    w->data = arena_alloc(cx->arena, sizeof(float *) * (size_t)(g->params.len + 1));
    w->state = arena_alloc(cx->arena, sizeof(float *) * (size_t)(g->states.len + 1));
    for (int p = 0; p < g->params.len; p++)
        w->data[p] = leaf_values(g, path, t, n, g->params.data[p]);
    for (int i = 0; i < g->states.len; i++)
        w->state[i] = leaf_values(g, path, t, n, g->states.data[i]);
    mlc_tensors_free(t, n);
    return cx->nerrors ? NULL : w;
}
