/* test_op_coverage: every row of the op table has a gradient test.
 *
 * Each op names the model in tests/grad/ that exercises it, and this test compiles that
 * model (parse, lower, autodiff, simplify) and checks that the op is really in its graph,
 * forward, backward or evaluation. The grad/<name> tests then check those models' gradients by
 * finite differences. An op added to ops.def without a row here, or whose model lost it, fails.
 */
#include "mlc.h"

#include "check.h"

/* The model (tests/grad/<name>.model) each op is checked by. Backward-only ops are checked
 * through the forward op whose gradient they compute. */
static const char *const covered_by[OP_COUNT] = {
    [OP_INPUT] = "add",
    [OP_TARGET] = "cross_entropy",
    [OP_PARAM] = "add",
    [OP_CONST] = "div",
    [OP_ADD] = "add",
    [OP_SUB] = "sub",
    [OP_MUL] = "mul",
    [OP_DIV] = "div",
    [OP_NEG] = "neg",
    [OP_RELU] = "relu",
    [OP_STEP] = "relu",
    [OP_SIGMOID] = "sigmoid",
    [OP_TANH] = "tanh",
    [OP_EXP] = "exp",
    [OP_LOG] = "log",
    [OP_EXPAND] = "sum",
    [OP_DROPOUT] = "dropout",
    [OP_MATMUL] = "matmul",
    [OP_RESHAPE] = "reshape",
    [OP_SUM] = "sum",
    [OP_MEAN] = "mean",
    [OP_SUM_TO] = "add",
    [OP_SOFTMAX] = "softmax",
    [OP_SOFTMAX_BWD] = "softmax",
    [OP_CROSS_ENTROPY] = "cross_entropy",
    [OP_CROSS_ENTROPY_BWD] = "cross_entropy",
    [OP_BCE_LOGITS] = "bce_with_logits",
    [OP_STATE] = "batchnorm",
    [OP_CONV2D] = "conv2d",
    [OP_CONV2D_BWD_X] = "conv2d",
    [OP_CONV2D_BWD_W] = "conv2d",
    [OP_CHANNEL_SUM] = "conv2d",
    [OP_CHANNEL_MEAN] = "batchnorm",
    [OP_CHANNEL_VAR] = "batchnorm",
    [OP_MAXPOOL2D] = "maxpool2d",
    [OP_MAXPOOL2D_BWD] = "maxpool2d",
    [OP_AVGPOOL2D] = "conv2d",
    [OP_AVGPOOL2D_BWD] = "conv2d",
    [OP_BATCHNORM] = "batchnorm",
    [OP_BATCHNORM_BWD] = "batchnorm",
    [OP_BN_DGAMMA] = "batchnorm",
    [OP_BATCHNORM_EVAL] = "batchnorm",
    [OP_GELU] = "activations",
    [OP_GELU_GRAD] = "activations",
    [OP_ELU] = "activations",
    [OP_SQRT] = "activations",
    [OP_LOG_SOFTMAX] = "activations",
    [OP_LOG_SOFTMAX_BWD] = "activations",
    [OP_NLL] = "losses",
    [OP_NLL_BWD] = "losses",
    [OP_ADAPTIVE_AVGPOOL2D] = "adaptive_avgpool2d",
    [OP_ADAPTIVE_AVGPOOL2D_BWD] = "adaptive_avgpool2d",
    [OP_POW] = "algebra",
    [OP_CLAMP] = "algebra",
    [OP_BETWEEN] = "algebra",
    [OP_GELU_TANH] = "algebra",
    [OP_GELU_TANH_GRAD] = "algebra",
    [OP_PERMUTE] = "algebra",
    [OP_SLICE] = "algebra",
    [OP_PAD] = "algebra",
    [OP_CONCAT] = "algebra",
    [OP_BROADCAST] = "algebra",
    [OP_SUM_AXIS] = "algebra",
    [OP_MAX_AXIS] = "algebra",
    [OP_MAX_AXIS_BWD] = "algebra",
};

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* Does the compiled graph of tests/grad/<model>.model contain op? */
static bool model_has_op(const char *model, OpKind op) {
    char path[256];
    snprintf(path, sizeof path, "../grad/%s.model", model);
    size_t len;
    char *src = slurp(path, &len);
    if (!src) {
        fprintf(stderr, "cannot read %s\n", path);
        return false;
    }
    Ctx *cx = ctx_new(path, src, len, stderr);
    bool found = false;
    AstModel *m = parse_model(cx);
    Graph *g = m ? lower_model(cx, m) : NULL;
    if (g && cx->nerrors == 0) {
        Graph *eval = eval_graph(g); /* the evaluation pass, where it differs */
        build_backward(g);
        simplify(g);
        for (int i = 0; i < g->nodes.len; i++)
            found |= ((Node *)g->nodes.data[i])->op == op;
        for (int i = 0; eval && i < eval->nodes.len; i++)
            found |= ((Node *)eval->nodes.data[i])->op == op;
    }
    CHECK(0, cx->nerrors);
    ctx_free(cx);
    free(src);
    return found;
}

int main(void) {
    for (int op = 0; op < OP_COUNT; op++) {
        if (!covered_by[op]) {
            fprintf(stderr,
                    "op '%s' has no gradient test: add tests/grad/%s.model and a row "
                    "to covered_by[]\n",
                    op_info[op].name, op_info[op].name);
            check_failures++;
            continue;
        }
        if (!model_has_op(covered_by[op], (OpKind)op)) {
            fprintf(stderr, "tests/grad/%s.model does not use op '%s'\n", covered_by[op],
                    op_info[op].name);
            check_failures++;
        }
    }
    return check_failures != 0;
}
