/* backend/quant.c: post-training static int8 quantization for the firmware target.
 *
 * Takes the prediction pass (its kernels from kernel.c), the trained weights and a data set,
 * and gives the int8 form of a chain of convolutions (a batch norm after each folded in,
 * backend/firmware.c) and max pools, then linear layers, each layer with relu or not (and an
 * optional softmax at the end), as CMSIS-NN and TFLite Micro compute it:
 *   - weights: per output channel, symmetric: w_q = round(w / s_w[j]), s_w[j] = max|w[j]|/127;
 *   - activations: per tensor, symmetric, zero point 0: s = max|x| / 127 over the first
 *     batches of the training set (calibration, read by the trainer's own loader);
 *   - each output: acc = b_q[j] + sum over p of x_q[p] w_q[j][p] in int32 (b_q = round(b /
 *     (s_x s_w[j]))), then y_q = clamp(round(acc M[j])) with M[j] = s_x s_w[j] / s_y as an
 *     integer multiplier and shift: (acc * m0 + 2^(r-1)) >> r; relu clamps at 0;
 *   - a max pool takes the largest int8 value of each window, at its input's scale;
 *   - float only at the ends: the input is scaled into int8, the last layer's accumulators
 *     are scaled back to float (and softmax, when the model ends with one, runs in float).
 * quant_evaluate() runs that arithmetic exactly as the generated code does, and the float
 * chain, over the test set, so the header can state both accuracies.
 */
#include "mlc.h"

/* round half away from zero, in float, as the generated code writes it */
static int32_t round_float(float v) {
    return (int32_t)(v < 0.0f ? v - 0.5f : v + 0.5f);
}

static int32_t clamp8(int64_t v, int32_t lo) {
    return v < lo ? lo : v > 127 ? 127 : (int32_t)v;
}

/* Is kernel k an elementwise relu of buffer x alone? */
static bool relu_of(Schedule *s, MemPlan *mp, Kernel *k, Buffer *x) {
    if (k->kind != K_ELEMWISE)
        return false;
    const Elem *e = kernel_loop(s, mp, k).value;
    return e->kind == ELEM_OP && e->op == OP_RELU && e->arg[0]->kind == ELEM_LOAD &&
           e->arg[0]->at == AT_K && e->arg[0]->buf == x;
}

/* The chain of the prediction pass, or NULL after saying what is not part of one. */
static Quant *match_chain(Graph *g, Schedule *s, MemPlan *mp, const Weights *w) {
    Ctx *cx = g->cx;
    Arena *a = cx->arena;
    Quant *q = NEW(a, Quant);
    q->layers = arena_alloc(a, sizeof(QuantLayer) * (size_t)(s->kernels.len + 1));
    Buffer *prev = mp->buf_of[g->input->id];
    bool linear_seen = false;
    for (int i = 0; i < s->kernels.len; i++) {
        Kernel *k = s->kernels.data[i];
        const char *why = NULL;
        if (k->kind == K_OP && k->root->op == OP_SOFTMAX && i == s->kernels.len - 1 &&
            kernel_op(s, mp, k).x == prev && q->nlayers > 0) {
            q->softmax = true;
            break;
        }
        QuantLayer *l = &q->layers[q->nlayers];
        l->kernel = k;
        if (k->kind == K_OP && (k->root->op == OP_CONV2D || k->root->op == OP_MAXPOOL2D)) {
            OpDesc d = kernel_op(s, mp, k);
            if (linear_seen)
                why = "an image layer after a linear layer";
            else if (d.in[0] != prev)
                why = "an image layer on something else than the previous layer's output";
            else if (k->root->op == OP_CONV2D && d.in[1]->kind != BUF_PARAM)
                why = "a convolution whose weight is not a parameter";
            else if (k->root->op == OP_CONV2D && d.in[2] && d.in[2]->kind != BUF_PARAM)
                why = "a convolution whose bias is not a parameter";
            if (!why) {
                l->kind = k->root->op == OP_CONV2D ? QL_CONV : QL_MAXPOOL;
                l->win = d.win;
                l->c = d.c, l->ih = d.h, l->iw = d.w;
                l->oc = d.oc, l->oh = d.oh, l->ow = d.ow;
                l->in = d.c * d.h * d.w;
                l->out = d.oc * d.oh * d.ow;
                if (l->kind == QL_CONV) {
                    l->w = w->data[d.in[1]->param];
                    l->b = d.in[2] ? w->data[d.in[2]->param] : NULL;
                    l->nch = d.oc;
                    l->per = d.c / d.win.groups * d.win.k[0] * d.win.k[1];
                }
                prev = d.out;
                /* a relu right after it, on it alone, is part of the layer */
                Kernel *next = i + 1 < s->kernels.len ? s->kernels.data[i + 1] : NULL;
                if (l->kind == QL_CONV && next && relu_of(s, mp, next, prev)) {
                    l->relu = true;
                    l->act = next;
                    prev = mp->buf_of[next->root->id];
                    i++;
                }
            }
        } else {
            GemmDesc d = {0};
            if (k->kind != K_GEMM)
                why = "not a linear layer";
            else if (d = kernel_gemm(mp, k),
                     d.ta || !d.tb || d.b->kind != BUF_PARAM || d.a != prev || d.m.c != 1)
                why = "not a linear layer on the previous layer's output";
            if (!why) {
                linear_seen = true;
                l->kind = QL_LINEAR;
                l->in = d.k.c;
                l->out = d.n.c;
                l->nch = l->out;
                l->per = l->in;
                l->w = w->data[d.b->param];
                /* the epilogue: nothing, + bias, relu, or relu(+ bias) */
                const Elem *e = k->nodes.len ? kernel_loop(s, mp, k).value : NULL;
                if (e && e->kind == ELEM_OP && e->op == OP_RELU) {
                    l->relu = true;
                    e = e->arg[0];
                }
                if (e && e->kind == ELEM_OP && e->op == OP_ADD && e->arg[0]->kind == ELEM_LOAD &&
                    e->arg[0]->at == AT_K && e->arg[1]->kind == ELEM_LOAD &&
                    e->arg[1]->at == AT_J && e->arg[1]->buf->kind == BUF_PARAM)
                    l->b = w->data[e->arg[1]->buf->param];
                else if (e && !(e->kind == ELEM_LOAD && e->at == AT_K))
                    why = "a linear layer followed by more than a bias and relu";
                prev = mp->buf_of[k->root->id];
            }
        }
        if (why) {
            diag_error(cx, k->root->loc,
                       "--quantize int8 handles convolutions and max pools, then linear layers, "
                       "with relu (and a final softmax); this is %s",
                       why);
            return NULL;
        }
        q->nlayers++;
    }
    Buffer *out = g->output->op == OP_CONST ? NULL : mp->buf_of[g->output->id];
    bool ends = q->nlayers > 0 && (q->softmax || out == prev) && out &&
                (!q->softmax || out->node->op == OP_SOFTMAX);
    if (!ends || q->layers[q->nlayers - 1].relu || q->layers[q->nlayers - 1].kind != QL_LINEAR) {
        diag_error(cx, g->output->loc,
                   "--quantize int8 needs the output to be the last linear layer (or its "
                   "softmax), without relu");
        return NULL;
    }
    return q;
}

/* The output positions q in [*lo, *hi) whose input position q stride - pad + i dil lies
 * inside [0, size) (as the generated code computes them). */
static void inside(int64_t out, int64_t i, int64_t stride, int64_t pad, int64_t dil, int64_t size,
                   int64_t *lo, int64_t *hi) {
    int64_t first = pad - i * dil, last = size + pad - i * dil;
    *lo = first <= 0 ? 0 : (first + stride - 1) / stride;
    *hi = last <= 0 ? 0 : (last + stride - 1) / stride;
    if (*hi > out)
        *hi = out;
    if (*lo > *hi)
        *lo = *hi;
}

/* conv2d of one image, in double: acc (oh ow doubles) per output channel, then y. */
static void conv_float(const QuantLayer *L, const float *x, float *y, double *acc) {
    const Window *w = &L->win;
    int64_t cg = L->c / w->groups, og = L->oc / w->groups, plane = L->oh * L->ow;
    for (int64_t o = 0; o < L->oc; o++) {
        const float *xg = x + (o / og) * cg * L->ih * L->iw;
        for (int64_t k = 0; k < plane; k++)
            acc[k] = L->b ? L->b[o] : 0.0;
        for (int64_t ic = 0; ic < cg; ic++)
            for (int64_t i = 0; i < w->k[0]; i++)
                for (int64_t j = 0; j < w->k[1]; j++) {
                    double wv = L->w[((o * cg + ic) * w->k[0] + i) * w->k[1] + j];
                    int64_t lo, hi;
                    inside(L->ow, j, w->stride[1], w->pad[1], w->dil[1], L->iw, &lo, &hi);
                    for (int64_t p = 0; p < L->oh; p++) {
                        int64_t r = p * w->stride[0] - w->pad[0] + i * w->dil[0];
                        if (r < 0 || r >= L->ih)
                            continue;
                        int64_t at = (ic * L->ih + r) * L->iw + j * w->dil[1] - w->pad[1];
                        for (int64_t q = lo; q < hi; q++)
                            acc[p * L->ow + q] += wv * xg[at + q * w->stride[1]];
                    }
                }
        for (int64_t k = 0; k < plane; k++)
            y[o * plane + k] = L->relu && acc[k] < 0.0 ? 0.0f : (float)acc[k];
    }
}

/* The first largest value of window (p, q) of a plane, or -1 with none inside (all padding):
 * its index in the plane. */
static int64_t window_max(const QuantLayer *L, int64_t p, int64_t q,
                          bool (*gt)(const void *, int64_t, int64_t), const void *plane) {
    const Window *w = &L->win;
    int64_t best = -1;
    for (int64_t i = 0; i < w->k[0]; i++) {
        int64_t r = p * w->stride[0] - w->pad[0] + i * w->dil[0];
        for (int64_t j = 0; r >= 0 && r < L->ih && j < w->k[1]; j++) {
            int64_t c = q * w->stride[1] - w->pad[1] + j * w->dil[1];
            if (c >= 0 && c < L->iw && (best < 0 || gt(plane, r * L->iw + c, best)))
                best = r * L->iw + c;
        }
    }
    return best;
}
static bool gt_float(const void *plane, int64_t a, int64_t b) {
    return ((const float *)plane)[a] > ((const float *)plane)[b];
}
static bool gt_int8(const void *plane, int64_t a, int64_t b) {
    return ((const int8_t *)plane)[a] > ((const int8_t *)plane)[b];
}

/* The float chain on one sample (sums in double), recording max |value| of every layer's
 * input in amax[l]; the logits end in buf0. acc: doubles as many as the widest layer. */
static void run_float(const Quant *q, const float *x, float *buf0, float *buf1, double *acc,
                      double *amax) {
    const float *in = x;
    float *bufs[2] = {buf0, buf1};
    for (int l = 0; l < q->nlayers; l++) {
        const QuantLayer *L = &q->layers[l];
        float *y = bufs[l % 2];
        for (int64_t p = 0; p < L->in; p++)
            amax[l] = fmax(amax[l], fabs((double)in[p]));
        if (L->kind == QL_CONV) {
            conv_float(L, in, y, acc);
        } else if (L->kind == QL_MAXPOOL) {
            for (int64_t c = 0; c < L->c; c++) {
                const float *plane = in + c * L->ih * L->iw;
                for (int64_t p = 0; p < L->oh; p++)
                    for (int64_t qq = 0; qq < L->ow; qq++) {
                        int64_t at = window_max(L, p, qq, gt_float, plane);
                        y[(c * L->oh + p) * L->ow + qq] = at < 0 ? -HUGE_VALF : plane[at];
                    }
            }
        } else {
            /* over the weights transposed, skipping the zeros of the input and of relu */
            for (int64_t j = 0; j < L->out; j++)
                acc[j] = L->b ? L->b[j] : 0.0;
            for (int64_t p = 0; p < L->in; p++) {
                double xp = in[p];
                if (xp == 0.0)
                    continue;
                const float *wt = L->wt + p * L->out;
                for (int64_t j = 0; j < L->out; j++)
                    acc[j] += (double)wt[j] * xp;
            }
            for (int64_t j = 0; j < L->out; j++)
                y[j] = L->relu && acc[j] < 0.0 ? 0.0f : (float)acc[j];
        }
        in = y;
    }
    if (buf0 != in)
        memcpy(buf0, in, sizeof(float) * (size_t)q->layers[q->nlayers - 1].out);
}

/* The integer multiplier and right shift of a real multiplier m > 0: m = m0 2^-r with m0 in
 * [2^30, 2^31). */
static void multiplier(double m, int32_t *m0, int32_t *r) {
    int e;
    double f = frexp(m, &e); /* m = f 2^e, f in [0.5, 1) */
    int64_t q = llround(f * 2147483648.0);
    if (q == 2147483648LL) {
        q /= 2;
        e++;
    }
    *m0 = (int32_t)q;
    *r = 31 - e;
}

/* Weights, biases and requantization from the scales. */
static bool quantize(Ctx *cx, Quant *q, Loc where) {
    Arena *a = cx->arena;
    for (int l = 0; l < q->nlayers; l++) {
        QuantLayer *L = &q->layers[l];
        double sx = q->scale[l];
        bool last = l == q->nlayers - 1;
        if (L->kind == QL_MAXPOOL)
            continue;
        L->qw = arena_alloc(a, (size_t)(L->nch * L->per));
        L->qb = arena_alloc(a, sizeof(int32_t) * (size_t)L->nch);
        L->m0 = arena_alloc(a, sizeof(int32_t) * (size_t)L->nch);
        L->shift = arena_alloc(a, sizeof(int32_t) * (size_t)L->nch);
        L->deq = arena_alloc(a, sizeof(float) * (size_t)L->nch);
        for (int64_t j = 0; j < L->nch; j++) {
            double wmax = 0.0;
            for (int64_t p = 0; p < L->per; p++)
                wmax = fmax(wmax, fabs((double)L->w[j * L->per + p]));
            double sw = wmax > 0.0 ? wmax / 127.0 : 1.0;
            for (int64_t p = 0; p < L->per; p++)
                L->qw[j * L->per + p] = (int8_t)llround(L->w[j * L->per + p] / sw);
            double qb = L->b ? llround(L->b[j] / (sx * sw)) : 0;
            if (fabs(qb) > 1e9) {
                diag_error(cx, where, "--quantize int8: a bias of layer %d is too large for int32",
                           l + 1);
                return false;
            }
            L->qb[j] = (int32_t)qb;
            L->deq[j] = (float)(sx * sw);
            if (!last) {
                multiplier(sx * sw / q->scale[l + 1], &L->m0[j], &L->shift[j]);
                if (L->shift[j] < 1 || L->shift[j] > 62) {
                    diag_error(cx, where,
                               "--quantize int8: layer %d's requantization is out of range", l + 1);
                    return false;
                }
            }
        }
    }
    return true;
}

/* An int32 sum requantized to int8, as the generated code does it. */
static int8_t requantize(const QuantLayer *L, int32_t acc, int64_t j) {
    int64_t v = ((int64_t)acc * L->m0[j] + ((int64_t)1 << (L->shift[j] - 1))) >> L->shift[j];
    return (int8_t)clamp8(v, L->relu ? 0 : -128);
}

/* The int8 chain on one sample, exactly as the generated code computes it: the logits
 * (float) into out. a0, a1: int8 buffers as large as the widest layer; plane: int32 sums of
 * one output channel of the widest convolution. */
static void run_int8(const Quant *q, const float *x, int8_t *a0, int8_t *a1, int32_t *plane,
                     float *out) {
    const QuantLayer *first = &q->layers[0];
    for (int64_t p = 0; p < first->in; p++)
        a0[p] = (int8_t)clamp8(round_float(x[p] * q->inv_scale0), -128);
    int8_t *in = a0, *y = a1;
    for (int l = 0; l < q->nlayers; l++) {
        const QuantLayer *L = &q->layers[l];
        bool last = l == q->nlayers - 1;
        if (L->kind == QL_CONV) {
            const Window *w = &L->win;
            int64_t cg = L->c / w->groups, og = L->oc / w->groups, n = L->oh * L->ow;
            for (int64_t o = 0; o < L->oc; o++) {
                const int8_t *xg = in + (o / og) * cg * L->ih * L->iw;
                for (int64_t k = 0; k < n; k++)
                    plane[k] = L->qb[o];
                for (int64_t ic = 0; ic < cg; ic++)
                    for (int64_t i = 0; i < w->k[0]; i++)
                        for (int64_t j = 0; j < w->k[1]; j++) {
                            int32_t wv = L->qw[((o * cg + ic) * w->k[0] + i) * w->k[1] + j];
                            int64_t lo, hi;
                            inside(L->ow, j, w->stride[1], w->pad[1], w->dil[1], L->iw, &lo, &hi);
                            for (int64_t p = 0; p < L->oh; p++) {
                                int64_t r = p * w->stride[0] - w->pad[0] + i * w->dil[0];
                                if (r < 0 || r >= L->ih)
                                    continue;
                                int64_t at = (ic * L->ih + r) * L->iw + j * w->dil[1] - w->pad[1];
                                for (int64_t qq = lo; qq < hi; qq++)
                                    plane[p * L->ow + qq] += wv * xg[at + qq * w->stride[1]];
                            }
                        }
                for (int64_t k = 0; k < n; k++)
                    y[o * n + k] = requantize(L, plane[k], o);
            }
        } else if (L->kind == QL_MAXPOOL) {
            for (int64_t c = 0; c < L->c; c++) {
                const int8_t *pl = in + c * L->ih * L->iw;
                for (int64_t p = 0; p < L->oh; p++)
                    for (int64_t qq = 0; qq < L->ow; qq++) {
                        int64_t at = window_max(L, p, qq, gt_int8, pl);
                        y[(c * L->oh + p) * L->ow + qq] = at < 0 ? (int8_t)-128 : pl[at];
                    }
            }
        } else {
            for (int64_t j = 0; j < L->out; j++) {
                int32_t acc = L->qb[j];
                const int8_t *w = L->qw + j * L->in;
                for (int64_t p = 0; p < L->in; p++)
                    acc += (int32_t)in[p] * (int32_t)w[p];
                if (last)
                    out[j] = (float)acc * L->deq[j];
                else
                    y[j] = requantize(L, acc, j);
            }
        }
        int8_t *t = in;
        in = y;
        y = t;
    }
}

/* softmax as the generated code computes it (max by compare, the sum in double, expf) */
static void softmax(float *v, int64_t n) {
    float max = v[0];
    for (int64_t j = 1; j < n; j++)
        max = v[j] > max ? v[j] : max;
    double sum = 0.0;
    for (int64_t j = 0; j < n; j++) {
        v[j] = expf(v[j] - max);
        sum += (double)v[j];
    }
    for (int64_t j = 0; j < n; j++)
        v[j] /= (float)sum;
}

static int64_t argmax(const float *v, int64_t n) {
    int64_t best = 0;
    for (int64_t k = 1; k < n; k++)
        if (v[k] > v[best] || (v[k] != v[k] && v[best] == v[best]))
            best = k;
    return best;
}

/* Sample i of d as the model sees it: scaled (the loader), then the train block's normalize,
 * (x - mean) / std per channel, as the trainer and the generated code apply it; in buf. */
static const float *sample(const Graph *g, const MlcDataset *d, int64_t i, float *buf) {
    const float *x = mlc_dataset_x(d, i, 1, buf);
    if (x != buf)
        memcpy(buf, x, d->x_size * sizeof(float));
    const Shape *s = &g->input->shape;
    int64_t plane = (int64_t)d->x_size / (s->rank == 4 ? s->dim[1] : 1);
    for (int t = 0; t < g->train.ntransforms; t++) {
        const TransformSpec *ts = &g->train.transforms[t];
        if (ts->kind != TRANSFORM_NORMALIZE)
            continue;
        for (int64_t k = 0; k < (int64_t)d->x_size; k++) {
            int c = ts->nchannels == 1 ? 0 : (int)(k / plane);
            buf[k] = (buf[k] - (float)ts->mean[c]) / (float)ts->std[c];
        }
    }
    return buf;
}

/* The train block's data set through the runtime's loader: split is "train" or "test". */
static bool load(Ctx *cx, Graph *g, const char *dir, const char *split, MlcDataset *d) {
    MlcModel m = {0};
    m.name = g->name;
    m.x_name = g->input->name;
    m.x_rank = g->input->shape.rank - 1;
    for (int i = 1; i < g->input->shape.rank; i++)
        m.x_shape[i - 1] = g->input->shape.dim[i];
    m.x_size = (size_t)shape_numel_const(g->input->shape);
    m.scale = (float)g->train.scale;
    m.y_kind = MLC_TARGET_CLASS;
    m.nclass = g->target && g->target->dtype == DT_I32 ? g->target->attr.leaf.nclass : 0;
    MlcSource src = {.split = split, .path = dir};
    char err[1024];
    if (!mlc_loader_idx.load(d, &src, &m, err, sizeof err)) {
        fprintf(cx->err, "mlc: error: --quantize int8: %s\n", err);
        cx->nerrors++;
        return false;
    }
    return true;
}

Quant *quant_plan(Program *p, const char *data_dir, int64_t batches) {
    Graph *g = p->eval;
    Ctx *cx = g->cx;
    Quant *q = match_chain(g, p->es, p->emp, p->weights);
    if (!q)
        return NULL;
    if (!g->train.has_data && !data_dir) {
        diag_error(cx, g->name_loc,
                   "--quantize int8 calibrates on the training set: the model has no data set "
                   "(give --data DIR)");
        return NULL;
    }
    if (g->train.has_data && g->train.data_kind != DATA_IDX && !data_dir) {
        diag_error(cx, g->train.data_loc,
                   "--quantize int8 calibrates on an idx data set; give one with --data DIR");
        return NULL;
    }
    if (!g->target || g->target->dtype != DT_I32) {
        diag_error(cx, g->name_loc, "--quantize int8 needs a class target to measure accuracy");
        return NULL;
    }
    const char *dir = data_dir ? data_dir : g->train.data_path;
    Arena *a = cx->arena;
    MlcDataset train = {0}, test = {0};
    if (!load(cx, g, dir, "train", &train) || !load(cx, g, dir, "test", &test)) {
        mlc_dataset_free(&train);
        return NULL;
    }
    int64_t widest = q->layers[0].in;
    for (int l = 0; l < q->nlayers; l++)
        widest = q->layers[l].out > widest ? q->layers[l].out : widest;
    int32_t *plane = arena_alloc(a, sizeof(int32_t) * (size_t)widest);
    int64_t nout = q->layers[q->nlayers - 1].out;
    float *f0 = arena_alloc(a, sizeof(float) * (size_t)widest);
    float *f1 = arena_alloc(a, sizeof(float) * (size_t)widest);
    int8_t *i0 = arena_alloc(a, (size_t)widest), *i1 = arena_alloc(a, (size_t)widest);
    float *out = arena_alloc(a, sizeof(float) * (size_t)nout);
    double *acc = arena_alloc(a, sizeof(double) * (size_t)widest);
    for (int l = 0; l < q->nlayers; l++) { /* a linear layer's weights transposed, [in][out] */
        QuantLayer *L = &q->layers[l];
        if (L->kind != QL_LINEAR)
            continue;
        float *wt = arena_alloc(a, sizeof(float) * (size_t)(L->in * L->out));
        for (int64_t j = 0; j < L->out; j++)
            for (int64_t i = 0; i < L->in; i++)
                wt[i * L->out + j] = L->w[j * L->in + i];
        L->wt = wt;
    }
    double *amax = arena_alloc(a, sizeof(double) * (size_t)(q->nlayers + 1));

    /* calibration: the first batches of the training set */
    q->ncalib = batches * g->train.batch < train.n ? batches * g->train.batch : train.n;
    float *xbuf = arena_alloc(a, sizeof(float) * (size_t)(train.x_size + test.x_size + 1));
    for (int64_t i = 0; i < q->ncalib; i++)
        run_float(q, sample(g, &train, i, xbuf), f0, f1, acc, amax);
    q->scale = arena_alloc(a, sizeof(double) * (size_t)(q->nlayers + 1));
    for (int l = 0; l < q->nlayers; l++) /* a max pool's output keeps its input's scale */
        q->scale[l] = l > 0 && q->layers[l - 1].kind == QL_MAXPOOL ? q->scale[l - 1]
                      : amax[l] > 0.0                              ? amax[l] / 127.0
                                                                   : 1.0;
    q->inv_scale0 = (float)(1.0 / q->scale[0]);
    bool ok = quantize(cx, q, g->name_loc);

    /* accuracy of both on the whole test set */
    int64_t right_f = 0, right_q = 0;
    double *scratch = arena_alloc(a, sizeof(double) * (size_t)(q->nlayers + 1));
    for (int64_t i = 0; ok && i < test.n; i++) {
        const float *x = sample(g, &test, i, xbuf);
        run_float(q, x, f0, f1, acc, scratch);
        right_f += argmax(f0, nout) == test.y[i];
        run_int8(q, x, i0, i1, plane, out);
        if (q->softmax)
            softmax(out, nout);
        right_q += argmax(out, nout) == test.y[i];
    }
    q->ntest = test.n;
    q->float_accuracy = test.n ? 100.0 * (double)right_f / (double)test.n : 0.0;
    q->int8_accuracy = test.n ? 100.0 * (double)right_q / (double)test.n : 0.0;
    mlc_dataset_free(&train);
    mlc_dataset_free(&test);
    return ok ? q : NULL;
}
