/* ir_eval.c: the forward IR evaluated in double, node by node, in the plainest way.
 *
 * Each node's value is computed from its operands' by the op's definition (compiler/ops.c
 * states each one's math): broadcasting operands are a suffix or one element of the result,
 * so operand element i % numel(operand) goes with result element i. Nothing is fused or
 * reused, and every sum is a plain double loop.
 *
 * Next to each value the evaluator keeps a first-order bound on the rounding error that a
 * float32 evaluation of the same node accumulates, in units of eps = 2^-24 (running error
 * analysis, Higham, "Accuracy and Stability of Numerical Algorithms", 3.3): each op passes
 * on its operands' errors times its partial derivatives and adds its own rounding, |y| for
 * + - * /, 2|y| for the library functions (exp, log, tanh: within 1-2 ulp). Sums are assumed
 * accumulated accurately (as the runtime does, in double) and so add only their final
 * rounding; a matrix product adds sqrt(K) roundings of sum |a||b| (OpenBLAS's float dot
 * products; the typical, not the worst-case, growth). The checker scales its tolerance for
 * the loss by this bound, so cancellation (sum(a) - sum(b) with both large) is allowed for,
 * while a float sum that loses digits over many elements is not.
 */
#include "ir_eval.h"

int64_t ir_eval_numel(Shape s, int64_t n) {
    int64_t k = 1;
    for (int i = 0; i < s.rank; i++)
        k *= s.dim[i] == DIM_N ? n : s.dim[i];
    return k;
}

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "ir_eval: out of memory\n");
        exit(1);
    }
    return p;
}

IrEval *ir_eval_new(Graph *g, int64_t n, double **params, const double *x, const double *y) {
    IrEval *ev = xcalloc(1, sizeof *ev);
    ev->g = g;
    ev->n = n;
    ev->nnodes = g->nodes.len;
    ev->params = params;
    ev->x = x;
    ev->y = y;
    ev->val = xcalloc((size_t)ev->nnodes, sizeof(double *));
    ev->err = xcalloc((size_t)ev->nnodes, sizeof(double *));
    ev->numel = xcalloc((size_t)ev->nnodes, sizeof(int64_t));
    ev->param_of = xcalloc((size_t)ev->nnodes, sizeof(int));
    for (int i = 0; i < ev->nnodes; i++) {
        Node *nd = g->nodes.data[i];
        MLC_ASSERT(nd->id == i);
        ev->numel[i] = ir_eval_numel(nd->shape, n);
        ev->val[i] = xcalloc((size_t)ev->numel[i], sizeof(double));
        ev->err[i] = xcalloc((size_t)ev->numel[i], sizeof(double));
        ev->param_of[i] = -1;
    }
    ev->dep = xcalloc((size_t)g->params.len, sizeof(bool *));
    for (int p = 0; p < g->params.len; p++) {
        Node *pn = g->params.data[p];
        ev->param_of[pn->id] = p;
        ev->dep[p] = xcalloc((size_t)ev->nnodes, sizeof(bool));
        /* nodes are in topological order: one pass finds everything downstream */
        for (int i = 0; i < ev->nnodes; i++) {
            Node *nd = g->nodes.data[i];
            bool d = nd == pn;
            for (int k = 0; k < nd->nin && !d; k++)
                d = ev->dep[p][nd->in[k]->id];
            ev->dep[p][i] = d;
        }
    }
    return ev;
}

void ir_eval_free(IrEval *ev) {
    if (!ev)
        return;
    for (int i = 0; i < ev->nnodes; i++) {
        free(ev->val[i]);
        free(ev->err[i]);
    }
    for (int p = 0; p < ev->g->params.len; p++)
        free(ev->dep[p]);
    free(ev->dep);
    free(ev->val);
    free(ev->err);
    free(ev->numel);
    free(ev->param_of);
    free(ev);
}

/* The last dimension of a shape, N resolved. */
static int64_t last_dim(IrEval *ev, Shape s) {
    MLC_ASSERT(s.rank > 0);
    int64_t d = s.dim[s.rank - 1];
    return d == DIM_N ? ev->n : d;
}

static double sigmoid(double x) {
    return 1.0 / (1.0 + exp(-x));
}

/* Is element k of dropout number `stream` kept, for the program's --grads (training step 0
 * with --seed 0)? Written from the documented definition (mlc_runtime.h: splitmix64's
 * finaliser of the step seed, the stream shifted left by 40 and k times 0x9e3779b97f4a7c15;
 * kept when the top 32 bits are at least p * 2^32), not from the runtime's code. */
static uint64_t splitmix_final(uint64_t h) {
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9u;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebu;
    return h ^ (h >> 31);
}

static bool dropout_keeps(int stream, int64_t k, double p) {
    const uint64_t seed = 0, step = 0;
    uint64_t step0 = splitmix_final(seed * 0x9e3779b97f4a7c15u + step);
    uint64_t h =
        splitmix_final(step0 ^ ((uint64_t)stream << 40) ^ (uint64_t)k * 0x9e3779b97f4a7c15u);
    return (double)(uint32_t)(h >> 32) >= floor(p * 4294967296.0);
}

/* A shape's dimensions with N resolved, and the index of element i in it. */
static void dims_of(IrEval *ev, Shape s, int64_t *dim) {
    for (int d = 0; d < s.rank; d++)
        dim[d] = s.dim[d] == DIM_N ? ev->n : s.dim[d];
}
static void unravel(const int64_t *dim, int rank, int64_t i, int64_t *idx) {
    for (int d = rank - 1; d >= 0; d--) {
        idx[d] = i % dim[d];
        i /= dim[d];
    }
}
static int64_t ravel(const int64_t *dim, int rank, const int64_t *idx) {
    int64_t i = 0;
    for (int d = 0; d < rank; d++)
        i = i * dim[d] + idx[d];
    return i;
}

/* The layout ops: which element of which operand result element i is (concat: the operand
 * in *which), by their definitions in compiler/ops.c. */
static int64_t layout_source(IrEval *ev, Node *nd, int64_t i, int *which) {
    int64_t ydim[MLC_MAX_RANK], xdim[MLC_MAX_RANK], idx[MLC_MAX_RANK], src[MLC_MAX_RANK];
    const Layout *l = &nd->attr.lay;
    dims_of(ev, nd->shape, ydim);
    unravel(ydim, nd->shape.rank, i, idx);
    *which = 0;
    Shape xs = nd->in[0]->shape;
    switch (nd->op) {
    case OP_PERMUTE:
        for (int d = 0; d < xs.rank; d++)
            src[l->perm[d]] = idx[d];
        break;
    case OP_SLICE:
        for (int d = 0; d < xs.rank; d++)
            src[d] = idx[d] + l->start[d];
        break;
    case OP_CONCAT:
        for (int d = 0; d < xs.rank; d++)
            src[d] = idx[d];
        while (src[l->axis] >= nd->in[*which]->shape.dim[l->axis])
            src[l->axis] -= nd->in[(*which)++]->shape.dim[l->axis];
        xs = nd->in[*which]->shape;
        break;
    case OP_BROADCAST: {
        int lead = nd->shape.rank - xs.rank;
        for (int d = 0; d < xs.rank; d++)
            src[d] = xs.dim[d] == 1 ? 0 : idx[d + lead];
        break;
    }
    default: unreachable();
    }
    dims_of(ev, xs, xdim);
    return ravel(xdim, xs.rank, src);
}

/* Evaluates one node: its value and its error bound. */
static void eval_node(IrEval *ev, Node *nd) {
    int id = nd->id;
    double *y = ev->val[id], *e = ev->err[id];
    int64_t ny = ev->numel[id];
    const double *a = nd->nin > 0 ? ev->val[nd->in[0]->id] : NULL;
    const double *b = nd->nin > 1 ? ev->val[nd->in[1]->id] : NULL;
    const double *ea = nd->nin > 0 ? ev->err[nd->in[0]->id] : NULL;
    const double *eb = nd->nin > 1 ? ev->err[nd->in[1]->id] : NULL;
    int64_t na = nd->nin > 0 ? ev->numel[nd->in[0]->id] : 0;
    int64_t nb = nd->nin > 1 ? ev->numel[nd->in[1]->id] : 0;
    switch (nd->op) {
    case OP_INPUT:
    case OP_TARGET:
    case OP_PARAM: {
        /* the float values the program gets, exactly: no rounding error */
        const double *src = nd->op == OP_INPUT    ? ev->x
                            : nd->op == OP_TARGET ? ev->y
                                                  : ev->params[ev->param_of[id]];
        memcpy(y, src, (size_t)ny * sizeof(double));
        memset(e, 0, (size_t)ny * sizeof(double));
        return;
    }
    case OP_CONST:
        /* value * N^npow; the program rounds it to float */
        y[0] = nd->attr.cnst.value * pow((double)ev->n, nd->attr.cnst.npow);
        e[0] = fabs(y[0]);
        return;
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
        for (int64_t i = 0; i < ny; i++) {
            double u = a[i % na], v = b[i % nb], eu = ea[i % na], evv = eb[i % nb];
            switch (nd->op) {
            case OP_ADD: y[i] = u + v, e[i] = eu + evv; break;
            case OP_SUB: y[i] = u - v, e[i] = eu + evv; break;
            case OP_MUL: y[i] = u * v, e[i] = fabs(v) * eu + fabs(u) * evv; break;
            default: y[i] = u / v, e[i] = (eu + fabs(u / v) * evv) / fabs(v); break;
            }
            e[i] += fabs(y[i]);
        }
        return;
    case OP_NEG:
    case OP_RELU:
    case OP_STEP:
    case OP_SIGMOID:
    case OP_TANH:
    case OP_EXP:
    case OP_LOG:
    case OP_GELU:
    case OP_ELU:
    case OP_SQRT:
    case OP_GELU_TANH:
    case OP_POW:
    case OP_CLAMP:
    case OP_EXPAND:
    case OP_RESHAPE:
        for (int64_t i = 0; i < ny; i++) {
            double u = a[i % na], eu = ea[i % na];
            switch (nd->op) {
            case OP_NEG: y[i] = -u, e[i] = eu; break;
            case OP_RELU: y[i] = u > 0 ? u : 0.0, e[i] = u > 0 ? eu : 0.0; break;
            case OP_STEP: y[i] = u > 0, e[i] = 0.0; break;
            case OP_SIGMOID: y[i] = sigmoid(u), e[i] = y[i] * (1 - y[i]) * eu + 2 * y[i]; break;
            case OP_TANH: y[i] = tanh(u), e[i] = (1 - y[i] * y[i]) * eu + 2 * fabs(y[i]); break;
            case OP_EXP: y[i] = exp(u), e[i] = y[i] * eu + 2 * y[i]; break;
            case OP_LOG: y[i] = log(u), e[i] = eu / fabs(u) + 2 * fabs(y[i]); break;
            case OP_GELU: {
                double cdf = 0.5 * (1 + erf(u / sqrt(2.0)));
                double d = cdf + u * exp(-0.5 * u * u) / sqrt(2 * 3.141592653589793);
                y[i] = u * cdf, e[i] = fabs(d) * eu + 4 * fabs(y[i]);
                break;
            }
            case OP_ELU:
                y[i] = u > 0 ? u : expm1(u);
                e[i] = (u > 0 ? 1 : exp(u)) * eu + 2 * fabs(y[i]);
                break;
            case OP_SQRT: y[i] = sqrt(u), e[i] = eu / (2 * y[i]) + fabs(y[i]); break;
            case OP_GELU_TANH: {
                double k = sqrt(2 / 3.141592653589793), t = tanh(k * (u + 0.044715 * u * u * u));
                double d = 0.5 * (1 + t) + 0.5 * u * (1 - t * t) * k * (1 + 3 * 0.044715 * u * u);
                y[i] = 0.5 * u * (1 + t), e[i] = fabs(d) * eu + 4 * fabs(y[i]);
                break;
            }
            case OP_POW: {
                double c = b[0];
                y[i] = pow(u, c);
                e[i] = fabs(c * pow(u, c - 1)) * eu + 2 * fabs(y[i]);
                break;
            }
            case OP_CLAMP: {
                double lo = b[0], hi = ev->val[nd->in[2]->id][0];
                y[i] = u < lo ? lo : u > hi ? hi : u;
                e[i] = u >= lo && u <= hi ? eu : 0.0;
                break;
            }
            default: y[i] = u, e[i] = eu; break; /* expand, reshape: the same numbers */
            }
        }
        return;
    case OP_DROPOUT: {
        /* training mode, as --grads runs: kept elements scaled by 1 / (1 - p) (the program
         * rounds that factor to float) */
        double p = nd->attr.dropout.p, scale = (double)(float)(1.0 / (1.0 - p));
        for (int64_t i = 0; i < ny; i++) {
            bool keep = dropout_keeps(nd->attr.dropout.stream, i, p);
            y[i] = keep ? a[i] * scale : 0.0;
            e[i] = keep ? ea[i] * scale + fabs(y[i]) : 0.0;
        }
        return;
    }
    case OP_MATMUL: {
        /* C[m, p] = op(A)[m, K] op(B)[K, p], A stored [ra, ca], B [rb, cb] */
        bool ta = nd->attr.gemm.ta, tb = nd->attr.gemm.tb;
        Shape sa = nd->in[0]->shape, sb = nd->in[1]->shape;
        int64_t ca = sa.dim[1] == DIM_N ? ev->n : sa.dim[1];
        int64_t cb = sb.dim[1] == DIM_N ? ev->n : sb.dim[1];
        int64_t ra = na / ca;
        int64_t m = ta ? ca : ra, K = ta ? ra : ca, p = ny / m;
        double grow = sqrt((double)K);
        for (int64_t i = 0; i < m; i++) {
            for (int64_t j = 0; j < p; j++) {
                double s = 0, es = 0, abs_sum = 0;
                for (int64_t k = 0; k < K; k++) {
                    int64_t ia = ta ? k * ca + i : i * ca + k;
                    int64_t ib = tb ? j * cb + k : k * cb + j;
                    s += a[ia] * b[ib];
                    es += fabs(b[ib]) * ea[ia] + fabs(a[ia]) * eb[ib];
                    abs_sum += fabs(a[ia] * b[ib]);
                }
                y[i * p + j] = s;
                e[i * p + j] = es + grow * abs_sum + fabs(s);
            }
        }
        return;
    }
    case OP_SUM:
    case OP_MEAN: {
        double s = 0, es = 0;
        for (int64_t i = 0; i < na; i++)
            s += a[i], es += ea[i];
        if (nd->op == OP_MEAN)
            s /= (double)na, es /= (double)na;
        y[0] = s;
        e[0] = es + fabs(s);
        return;
    }
    case OP_SUM_TO:
        memset(y, 0, (size_t)ny * sizeof(double));
        memset(e, 0, (size_t)ny * sizeof(double));
        for (int64_t i = 0; i < na; i++)
            y[i % ny] += a[i], e[i % ny] += ea[i];
        for (int64_t i = 0; i < ny; i++)
            e[i] += fabs(y[i]);
        return;
    case OP_LOG_SOFTMAX: {
        /* x_j - max - log(sum exp(x_k - max)) */
        int64_t w = last_dim(ev, nd->shape);
        for (int64_t r = 0; r < ny / w; r++) {
            const double *x = a + r * w, *ex = ea + r * w;
            double mx = x[0], emax = 0, sum = 0;
            for (int64_t j = 0; j < w; j++) {
                mx = x[j] > mx ? x[j] : mx;
                emax = ex[j] > emax ? ex[j] : emax;
            }
            for (int64_t j = 0; j < w; j++)
                sum += exp(x[j] - mx);
            double shift = mx + log(sum);
            for (int64_t j = 0; j < w; j++) {
                y[r * w + j] = x[j] - shift;
                e[r * w + j] = ex[j] + emax + 4 * (fabs(x[j]) + fabs(shift));
            }
        }
        return;
    }
    case OP_SOFTMAX: {
        int64_t w = last_dim(ev, nd->shape);
        for (int64_t r = 0; r < ny / w; r++) {
            const double *x = a + r * w, *ex = ea + r * w;
            double mx = x[0], emax = 0, sum = 0;
            for (int64_t j = 0; j < w; j++) {
                mx = x[j] > mx ? x[j] : mx;
                emax = ex[j] > emax ? ex[j] : emax;
            }
            for (int64_t j = 0; j < w; j++)
                sum += y[r * w + j] = exp(x[j] - mx);
            for (int64_t j = 0; j < w; j++) {
                y[r * w + j] /= sum;
                e[r * w + j] = y[r * w + j] * (ex[j] + emax) + 4 * y[r * w + j];
            }
        }
        return;
    }
    case OP_CROSS_ENTROPY: {
        /* mean over rows of logsumexp(x_i) - x_i[c_i] */
        int64_t w = last_dim(ev, nd->in[0]->shape), rows = na / w;
        double s = 0, es = 0;
        for (int64_t r = 0; r < rows; r++) {
            const double *x = a + r * w, *ex = ea + r * w;
            int64_t c = (int64_t)b[r];
            double mx = x[0], emax = 0, sum = 0;
            for (int64_t j = 0; j < w; j++) {
                mx = x[j] > mx ? x[j] : mx;
                emax = ex[j] > emax ? ex[j] : emax;
            }
            for (int64_t j = 0; j < w; j++)
                sum += exp(x[j] - mx);
            double lse = mx + log(sum);
            s += lse - x[c];
            es += emax + ex[c] + 4 * (fabs(lse) + fabs(x[c]));
        }
        y[0] = s / (double)rows;
        e[0] = es / (double)rows + fabs(y[0]);
        return;
    }
    case OP_NLL: {
        /* -mean over rows of x_i[c_i] */
        int64_t w = last_dim(ev, nd->in[0]->shape), rows = na / w;
        double s = 0, es = 0;
        for (int64_t r = 0; r < rows; r++) {
            int64_t c = (int64_t)b[r];
            s -= a[r * w + c];
            es += ea[r * w + c];
        }
        y[0] = s / (double)rows;
        e[0] = es / (double)rows + fabs(y[0]);
        return;
    }
    case OP_BCE_LOGITS: {
        /* mean of max(z, 0) - z y + log(1 + exp(-|z|)) */
        double s = 0, es = 0;
        for (int64_t i = 0; i < na; i++) {
            double z = a[i], t = b[i];
            double v = (z > 0 ? z : 0) - z * t + log1p(exp(-fabs(z)));
            s += v;
            es += fabs(sigmoid(z) - t) * ea[i] + fabs(z) * eb[i] + 4 * (fabs(z) + fabs(v));
        }
        y[0] = s / (double)na;
        e[0] = es / (double)na + fabs(y[0]);
        return;
    }
    case OP_STATE:
        /* its initial value (zeros or ones): the loss never reads a state */
        for (int64_t i = 0; i < ny; i++)
            y[i] = nd->attr.leaf.init == INIT_ONES ? 1.0 : 0.0, e[i] = 0.0;
        return;
    case OP_CONV2D: {
        /* y[n, o, p, q] = b[o] + sum over c, i, j of w[o, c, i, j] x[n, g c0 + c, r, s] */
        const Window *w = &nd->attr.win;
        Shape sx = nd->in[0]->shape, sw = nd->in[1]->shape;
        int64_t C = sx.dim[1], H = sx.dim[2], W = sx.dim[3], O = nd->shape.dim[1];
        int64_t OH = nd->shape.dim[2], OW = nd->shape.dim[3], cg = sw.dim[1];
        int64_t og = O / w->groups, K = cg * w->k[0] * w->k[1];
        bool bias = nd->in[2]->op != OP_CONST;
        const double *bv = ev->val[nd->in[2]->id];
        for (int64_t n = 0; n < ev->n; n++)
            for (int64_t o = 0; o < O; o++)
                for (int64_t p = 0; p < OH; p++)
                    for (int64_t q = 0; q < OW; q++) {
                        double s = bias ? bv[o] : 0.0, es = 0, abs_sum = 0;
                        for (int64_t c = 0; c < cg; c++)
                            for (int64_t i = 0; i < w->k[0]; i++)
                                for (int64_t j = 0; j < w->k[1]; j++) {
                                    int64_t r = p * w->stride[0] - w->pad[0] + i * w->dil[0];
                                    int64_t t = q * w->stride[1] - w->pad[1] + j * w->dil[1];
                                    if (r < 0 || r >= H || t < 0 || t >= W)
                                        continue;
                                    int64_t ix = ((n * C + o / og * cg + c) * H + r) * W + t;
                                    int64_t iw = ((o * cg + c) * w->k[0] + i) * w->k[1] + j;
                                    s += a[ix] * b[iw];
                                    es += fabs(b[iw]) * ea[ix] + fabs(a[ix]) * eb[iw];
                                    abs_sum += fabs(a[ix] * b[iw]);
                                }
                        int64_t at = ((n * O + o) * OH + p) * OW + q;
                        y[at] = s;
                        e[at] = es + sqrt((double)K) * abs_sum + fabs(s);
                    }
        return;
    }
    case OP_MAXPOOL2D:
    case OP_AVGPOOL2D: {
        const Window *w = &nd->attr.win;
        Shape sx = nd->in[0]->shape;
        int64_t H = sx.dim[2], W = sx.dim[3], OH = nd->shape.dim[2], OW = nd->shape.dim[3];
        int64_t planes = ny / (OH * OW);
        for (int64_t c = 0; c < planes; c++)
            for (int64_t p = 0; p < OH; p++)
                for (int64_t q = 0; q < OW; q++) {
                    double best = -INFINITY, eb_ = 0, sum = 0, esum = 0;
                    for (int64_t i = 0; i < w->k[0]; i++)
                        for (int64_t j = 0; j < w->k[1]; j++) {
                            int64_t r = p * w->stride[0] - w->pad[0] + i * w->dil[0];
                            int64_t t = q * w->stride[1] - w->pad[1] + j * w->dil[1];
                            if (r < 0 || r >= H || t < 0 || t >= W)
                                continue;
                            int64_t ix = (c * H + r) * W + t;
                            if (a[ix] > best)
                                best = a[ix], eb_ = ea[ix];
                            sum += a[ix], esum += ea[ix];
                        }
                    int64_t at = (c * OH + p) * OW + q;
                    double k = (double)(w->k[0] * w->k[1]);
                    y[at] = nd->op == OP_MAXPOOL2D ? best : sum / k;
                    e[at] = nd->op == OP_MAXPOOL2D ? eb_ : esum / k + 2 * fabs(y[at]);
                }
        return;
    }
    case OP_ADAPTIVE_AVGPOOL2D: {
        /* output row p averages rows floor(p H / OH) to ceil((p + 1) H / OH), columns likewise */
        Shape sx = nd->in[0]->shape;
        int64_t H = sx.dim[2], W = sx.dim[3], OH = nd->shape.dim[2], OW = nd->shape.dim[3];
        for (int64_t c = 0; c < ny / (OH * OW); c++)
            for (int64_t p = 0; p < OH; p++)
                for (int64_t q = 0; q < OW; q++) {
                    int64_t r0 = p * H / OH, r1 = ((p + 1) * H + OH - 1) / OH;
                    int64_t t0 = q * W / OW, t1 = ((q + 1) * W + OW - 1) / OW;
                    double sum = 0, esum = 0, k = (double)((r1 - r0) * (t1 - t0));
                    for (int64_t r = r0; r < r1; r++)
                        for (int64_t t = t0; t < t1; t++)
                            sum += a[(c * H + r) * W + t], esum += ea[(c * H + r) * W + t];
                    int64_t at = (c * OH + p) * OW + q;
                    y[at] = sum / k;
                    e[at] = esum / k + 2 * fabs(y[at]);
                }
        return;
    }
    case OP_CHANNEL_MEAN:
    case OP_CHANNEL_VAR:
    case OP_BATCHNORM:
    case OP_BATCHNORM_EVAL: {
        /* per channel c of x [N, C, ...]: the batch's mean and variance (batchnorm_eval:
         * the running ones, its inputs 3 and 4) */
        Shape sx = nd->in[0]->shape;
        int64_t C = sx.dim[1], S = na / (ev->n * C), M = ev->n * S;
        for (int64_t c = 0; c < C; c++) {
            double mean = 0, ss = 0, emax = 0;
            for (int64_t n = 0; n < ev->n; n++)
                for (int64_t k = 0; k < S; k++)
                    mean += a[(n * C + c) * S + k];
            mean /= (double)M;
            for (int64_t n = 0; n < ev->n; n++)
                for (int64_t k = 0; k < S; k++) {
                    double d = a[(n * C + c) * S + k] - mean;
                    ss += d * d;
                    emax = fmax(emax, ea[(n * C + c) * S + k]);
                }
            if (nd->op == OP_CHANNEL_MEAN || nd->op == OP_CHANNEL_VAR) {
                y[c] = nd->op == OP_CHANNEL_MEAN ? mean : M > 1 ? ss / (double)(M - 1) : 0.0;
                e[c] = emax + fabs(y[c]);
                continue;
            }
            double var = ss / (double)M;
            if (nd->op == OP_BATCHNORM_EVAL) {
                mean = ev->val[nd->in[3]->id][c], var = ev->val[nd->in[4]->id][c];
                emax = 0;
            }
            double invstd = 1.0 / sqrt(var + nd->attr.bn.eps);
            double gamma = b[c], beta = ev->val[nd->in[2]->id][c];
            for (int64_t n = 0; n < ev->n; n++)
                for (int64_t k = 0; k < S; k++) {
                    int64_t at = (n * C + c) * S + k;
                    double xhat = (a[at] - mean) * invstd;
                    y[at] = xhat * gamma + beta;
                    /* the element's error and the statistics', through 1/std */
                    e[at] = fabs(gamma) * invstd * (ea[at] + 2 * emax) + fabs(xhat) * eb[c] +
                            4 * (fabs(xhat * gamma) + fabs(y[at]));
                }
        }
        return;
    }
    case OP_PERMUTE:
    case OP_SLICE:
    case OP_CONCAT:
    case OP_BROADCAST:
        for (int64_t i = 0; i < ny; i++) {
            int which;
            int64_t j = layout_source(ev, nd, i, &which);
            y[i] = ev->val[nd->in[which]->id][j];
            e[i] = ev->err[nd->in[which]->id][j];
        }
        return;
    case OP_SUM_AXIS:
    case OP_MAX_AXIS: {
        /* x as [outer, len, inner]; y [outer, inner] */
        int64_t xdim[MLC_MAX_RANK] = {0}, outer = 1, inner = 1;
        Shape xs = nd->in[0]->shape;
        int axis = nd->attr.lay.axis;
        dims_of(ev, xs, xdim);
        for (int d = 0; d < axis; d++)
            outer *= xdim[d];
        for (int d = axis + 1; d < xs.rank; d++)
            inner *= xdim[d];
        int64_t len = xdim[axis];
        for (int64_t o = 0; o < outer; o++)
            for (int64_t j = 0; j < inner; j++) {
                double s = 0, es = 0, best = -INFINITY, ebest = 0;
                for (int64_t k = 0; k < len; k++) {
                    int64_t at = (o * len + k) * inner + j;
                    s += a[at], es += ea[at];
                    if (a[at] > best)
                        best = a[at], ebest = ea[at];
                }
                bool sum = nd->op == OP_SUM_AXIS;
                y[o * inner + j] = sum ? s : best;
                e[o * inner + j] = sum ? es + fabs(s) : ebest;
            }
        return;
    }
    case OP_PAD:
    case OP_ADAPTIVE_AVGPOOL2D_BWD:
    case OP_MAX_AXIS_BWD:
    case OP_BETWEEN:
    case OP_GELU_TANH_GRAD:
    case OP_CONV2D_BWD_X:
    case OP_CONV2D_BWD_W:
    case OP_CHANNEL_SUM:
    case OP_MAXPOOL2D_BWD:
    case OP_AVGPOOL2D_BWD:
    case OP_BATCHNORM_BWD:
    case OP_BN_DGAMMA:
    case OP_SOFTMAX_BWD:
    case OP_NLL_BWD:
    case OP_LOG_SOFTMAX_BWD:
    case OP_GELU_GRAD:
    case OP_CROSS_ENTROPY_BWD:
        /* backward and evaluation ops: lower_model never makes them */
        break;
    case OP_COUNT: break;
    }
    (void)nb;
    fprintf(stderr, "ir_eval: unexpected op %s in the forward graph\n", op_info[nd->op].name);
    exit(1);
}

static double loss_value(IrEval *ev) {
    return ev->val[ev->g->loss->id][0];
}

double ir_eval_run(IrEval *ev) {
    for (int i = 0; i < ev->nnodes; i++)
        eval_node(ev, ev->g->nodes.data[i]);
    return loss_value(ev);
}

/* The loss with params[p][j] set to w, recomputing only what depends on p. */
static double loss_at(IrEval *ev, int p, int64_t j, double w) {
    ev->params[p][j] = w;
    for (int i = 0; i < ev->nnodes; i++)
        if (ev->dep[p][i])
            eval_node(ev, ev->g->nodes.data[i]);
    return loss_value(ev);
}

double ir_eval_fd(IrEval *ev, int p, int64_t j, bool *reliable) {
    double w = ev->params[p][j];
    /* h relative to the value: the rounding error of the difference in double (about
     * 1e-16 |L| / h) stays near 1e-11 |L|, the truncation error (h^2 f''' / 6 for the
     * plain difference, h^4 after extrapolation) far below that for smooth functions. */
    double h = 1e-5 * (fabs(w) > 1 ? fabs(w) : 1);
    double l = loss_value(ev);
    double d1 = (loss_at(ev, p, j, w + h) - loss_at(ev, p, j, w - h)) / (2 * h);
    double d2 = (loss_at(ev, p, j, w + h / 2) - loss_at(ev, p, j, w - h / 2)) / h;
    /* back to the point itself, values and error bounds */
    ev->params[p][j] = w;
    for (int i = 0; i < ev->nnodes; i++)
        if (ev->dep[p][i])
            eval_node(ev, ev->g->nodes.data[i]);
    /* For a smooth loss d1 and d2 differ by (3/4) h^2 f''' / 6, tiny; a kink within h makes
     * them differ by about the jump in slope. The allowance covers the rounding of both. */
    double diff = fabs(d1 - d2);
    double scale = fabs(d1) > fabs(d2) ? fabs(d1) : fabs(d2);
    double rounding = 1e-14 * (1 + fabs(l)) / h; /* 50 times 2.2e-16 |L| / h */
    *reliable = isfinite(d1) && isfinite(d2) && diff <= 1e-6 * scale + rounding;
    return (4 * d2 - d1) / 3; /* Richardson: the h^2 terms cancel */
}
