/* test_passes: what the middle of the compiler promises, on real models.
 *
 *   - autodiff + simplify: every parameter of the fashion network gets a gradient, no
 *     multiplication by the constant 1 survives, and common subexpressions are merged;
 *   - fuse: the forward pass of the quickstart network is 5 kernels (three GEMMs with
 *     bias and relu in their epilogue, the loss, the softmax), the relu masks carry the
 *     bias-gradient reduction, and plain SGD folds into the three weight-gradient GEMMs;
 *   - memplan: running the schedule over the planned memory, every read finds the value
 *     written for it (memplan_check, which does not trust the planner's lifetimes), also
 *     for gradients read through a view after the last kernel; every model here needs less
 *     memory than without reuse, and parameters keep the state_dict order and layout.
 */
#include "mlc.h"

#include "check.h"

typedef struct Compiled {
    Ctx *cx;
    char *src;
    Graph *g;
    Schedule *s;
    MemPlan *mp;
} Compiled;

static Compiled compile_text(const char *path, const char *text) {
    Compiled c = {0};
    c.src = strdup(text);
    c.cx = ctx_new(path, c.src, strlen(c.src), stderr);
    AstModel *m = parse_model(c.cx);
    CHECK_TRUE(m != NULL);
    c.g = m ? lower_model(c.cx, m) : NULL;
    CHECK(0, c.cx->nerrors);
    if (!c.g || c.cx->nerrors)
        return c;
    build_backward(c.g);
    simplify(c.g);
    c.s = fuse_kernels(c.g, &target_c);
    plan_sgd_folds(c.s);
    c.mp = plan_memory(c.s, target_c.reserved, NULL, "");
    return c;
}

static Compiled compile_file(const char *path) {
    FILE *f = fopen(path, "rb");
    char buf[8192] = {0};
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    CHECK_TRUE(n > 0);
    return compile_text(path, buf);
}

static void release(Compiled *c) {
    ctx_free(c->cx);
    free(c->src);
}

/* The plan, run against the schedule, gives every read the value written for it. */
static void check_plan(Compiled *c) {
    CHECK(0, memplan_check(c->s, c->mp, stderr));
}

static int count_kernels(Schedule *s, bool backward, KernelKind kind, bool with_epilogue) {
    int n = 0;
    for (int i = 0; i < s->kernels.len; i++) {
        Kernel *k = s->kernels.data[i];
        n += k->backward == backward && k->kind == kind && (k->nodes.len > 0) == with_epilogue;
    }
    return n;
}

static void test_fashion(void) {
    Compiled c = compile_file("../../models/fashion.model");
    if (!c.mp)
        return;
    Graph *g = c.g;
    static const char *const names[] = {"linear_relu_stack.0.weight", "linear_relu_stack.0.bias",
                                        "linear_relu_stack.2.weight", "linear_relu_stack.2.bias",
                                        "linear_relu_stack.4.weight", "linear_relu_stack.4.bias"};
    CHECK(6, g->params.len);
    int64_t offset = 0;
    for (int p = 0; p < g->params.len && p < 6; p++) {
        Node *w = g->params.data[p];
        CHECK_STR(names[p], w->attr.leaf.pname);
        CHECK_TRUE(g->grads.data[p] != NULL);
        CHECK(offset, c.mp->param_offset[p]);
        offset += shape_numel_const(w->shape);
    }
    CHECK(669706, c.mp->nparams);
    for (int i = 0; i < g->nodes.len; i++) {
        Node *n = g->nodes.data[i];
        bool times_one =
            n->op == OP_MUL && (node_is_const(n->in[0], 1.0) || node_is_const(n->in[1], 1.0));
        CHECK_TRUE(!times_one);
    }

    Schedule *s = c.s;
    CHECK(5, s->nforward);
    CHECK(3, count_kernels(s, false, K_GEMM, true)); /* x Wᵀ, then + b (and relu) in place */
    CHECK(2, count_kernels(s, true, K_GEMM, true));  /* dY W, then the relu mask */
    int reduces = 0, folds = 0;
    for (int i = 0; i < s->kernels.len; i++) {
        Kernel *k = s->kernels.data[i];
        reduces += k->reduce != NULL && k->kind == K_GEMM;
        folds += k->sgd_param != NULL;
        /* a folded weight gradient runs after every kernel that reads the weight */
        for (int j = i + 1; k->sgd_param && j < s->kernels.len; j++) {
            PtrVec later = kernel_nodes(g->cx->arena, s->kernels.data[j]);
            for (int a = 0; a < later.len; a++)
                for (int b = 0; b < ((Node *)later.data[a])->nin; b++)
                    CHECK_TRUE(((Node *)later.data[a])->in[b] != k->sgd_param);
        }
    }
    CHECK(2, reduces); /* the bias gradients of layers 0 and 2 */
    CHECK(3, folds);
    check_plan(&c);
    CHECK_TRUE(c.mp->per_sample < c.mp->naive_per_sample);
    release(&c);
}

/* The same product written twice is computed once; x * 1 and x + 0 disappear. */
static void test_simplify(void) {
    Compiled c = compile_text("cse.model", "model cse\n"
                                           "input x : f32[4] = ones\n"
                                           "target y : f32[3] = zeros\n"
                                           "param w : f32[4, 3] = randn\n"
                                           "a = x @ w * 1\n"
                                           "b = x @ w + 0\n"
                                           "loss = sum(a * b)\n");
    if (!c.g)
        return;
    int matmuls_forward = 0, adds = 0;
    for (int i = 0; i < c.g->nforward; i++) {
        Node *n = c.g->nodes.data[i];
        matmuls_forward += n->op == OP_MATMUL;
        adds += n->op == OP_ADD;
    }
    CHECK(1, matmuls_forward);
    CHECK(0, adds);
    release(&c);
}

static void test_grad_models(void) {
    static const char *const models[] = {"add",     "broadcast", "matmul",  "mlp",
                                         "reshape", "scalar",    "softmax", "sub"};
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "../grad/%s.model", models[i]);
        Compiled c = compile_file(path);
        if (!c.mp)
            continue;
        check_plan(&c);
        CHECK_TRUE(c.mp->per_sample <= c.mp->naive_per_sample);
        release(&c);
    }
}

/* A gradient that is a view (a sum reshaped to f32[1]) is read at the end of the backward
 * pass, when it is copied into the gradient block: the buffer under the view must live
 * until then. Here the two sums of the backward pass once shared memory, and b's gradient
 * came out 3 instead of 9. The check must also notice when a plan is broken on purpose. */
static void test_view_liveness(void) {
    static const char *const models[] = {"model two\n"
                                         "input  x : f32[3] = ones\n"
                                         "target y : f32[3] = zeros\n"
                                         "param  a : f32[1] = ones\n"
                                         "param  b : f32[1] = ones\n"
                                         "loss = sum(x * a) + sum(x * b * 3)\n",
                                         "model three\n"
                                         "input  x : f32[4] = randn\n"
                                         "target y : f32[3] = zeros\n"
                                         "param  w : f32[4, 3] = randn\n"
                                         "param  a : f32[1] = ones\n"
                                         "param  b : f32[1] = ones\n"
                                         "h = x @ w * a\n"
                                         "loss = sum(h) + sum(h * b * 3)\n"};
    for (size_t m = 0; m < sizeof models / sizeof models[0]; m++) {
        Compiled c = compile_text("views.model", models[m]);
        if (!c.mp)
            continue;
        check_plan(&c);
        /* b's gradient is a view of a backward activation, read after the last kernel */
        Node *db = c.g->grads.data[c.g->params.len - 1];
        CHECK_TRUE(db->op == OP_RESHAPE);
        Buffer *under = c.mp->buf_of[db->id];
        CHECK_TRUE(under && under->kind == BUF_ACT && under->last == c.s->kernels.len);
        /* moving a later buffer onto it must be caught */
        for (int i = 0; under && i < c.mp->buffers.len; i++) {
            Buffer *o = c.mp->buffers.data[i];
            if (o->kind == BUF_ACT && o->first > under->first && o->batched == under->batched) {
                int64_t saved = o->offset;
                o->offset = under->offset;
                FILE *sink = tmpfile();
                CHECK_TRUE(memplan_check(c.s, c.mp, sink) > 0);
                fclose(sink);
                o->offset = saved;
            }
        }
        release(&c);
    }
}

/* Without an 'output', the logits of the loss's cross_entropy term are scored, also when
 * the loss adds other terms; with two cross_entropy terms of different logits, a model
 * with a data set is warned that no accuracy will be printed. */
static void test_logits_output(void) {
    static const char *const head = "model reg\n"
                                    "input x : f32[4]\n"
                                    "target label : class(3)\n"
                                    "param w : f32[4, 3]\n"
                                    "param v : f32[4, 3]\n"
                                    "logits = x @ w\n";
    static const char *const train = "train {\n    data = idx(\"d\")\n}\n";
    char text[1024];
    snprintf(text, sizeof text,
             "%sloss = cross_entropy(logits, label) + 0.01 * mean(logits * "
             "logits)\n%s",
             head, train);
    Compiled c = compile_text("reg.model", text);
    if (c.g) {
        CHECK_TRUE(c.g->output != NULL && c.g->output->op == OP_MATMUL);
        release(&c);
    }
    snprintf(text, sizeof text,
             "%sloss = cross_entropy(logits, label) + cross_entropy(x @ v, "
             "label)\n%s",
             head, train);
    char *msg = NULL;
    size_t len = 0;
    FILE *err = open_memstream(&msg, &len);
    char *src = strdup(text);
    Ctx *cx = ctx_new("two.model", src, strlen(src), err);
    Graph *g = lower_model(cx, parse_model(cx));
    fclose(err);
    CHECK(0, cx->nerrors);
    CHECK_TRUE(g && g->output == NULL);
    CHECK_TRUE(msg && strstr(msg, "warning: the loss has cross_entropy terms of 2 different "
                                  "logits") != NULL);
    ctx_free(cx);
    free(src);
    free(msg);
}

int main(void) {
    test_fashion();
    test_simplify();
    test_grad_models();
    test_view_liveness();
    test_logits_output();
    return check_failures != 0;
}
