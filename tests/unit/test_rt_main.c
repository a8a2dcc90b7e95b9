/* test_rt_main.c: mlc_main driven through its command line, with hand-written models.
 *
 * logreg is what mlc would generate for
 *     input x : f32[1, 2, 2]; target y : class(3)
 *     logits = linear(3)(flatten(x)); loss = cross_entropy(logits, y); output probs = softmax
 * written out by hand: forward, backward, PyTorch's SGD update. The test writes a tiny IDX
 * data set, runs mlc_main with argv, and compares stdout with what the PyTorch quickstart's
 * loops print, computed here by a straightforward reference loop over the same model.
 * demo is the quickstart's autograd example (a model without data).
 */
#define _POSIX_C_SOURCE 200809L
#include "mlc_runtime.h"
#include "check.h"
#include "tmpdir.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* ---- logreg: 4 inputs, 3 classes ------------------------------------------------------- */

enum {
    NIN = 4,
    NOUT = 3,
    NTRAIN = 250,
    NTEST = 7
};

typedef struct LogReg {
    float *w, *b, *dw, *db; /* [3, 4], [3], their gradients */
    float *probs;           /* [N, 3] */
    float loss;             /* of the last forward */
    int64_t max_batch;
    int binds;
} LogReg;

static void lr_bind(void *state, const MlcBuffers *buf) {
    LogReg *s = state;
    s->w = buf->params;
    s->b = buf->params + 12;
    s->dw = buf->grads;
    s->db = buf->grads + 12;
    s->probs = buf->acts;
    s->max_batch = buf->max_batch;
    s->binds++;
}

/* loss = mean over the batch of -log softmax(W x + b)[y] */
static float lr_forward(void *state, const float *x, const void *yv, int64_t n) {
    LogReg *s = state;
    const int32_t *y = yv;
    CHECK_TRUE(n >= 1 && n <= s->max_batch);
    float loss = 0.0f;
    for (int64_t i = 0; i < n; i++) {
        float *p = s->probs + i * NOUT, mx = -INFINITY, sum = 0.0f;
        for (int o = 0; o < NOUT; o++) {
            p[o] = s->b[o];
            for (int k = 0; k < NIN; k++)
                p[o] += s->w[o * NIN + k] * x[i * NIN + k];
            mx = p[o] > mx ? p[o] : mx;
        }
        for (int o = 0; o < NOUT; o++)
            sum += (p[o] = expf(p[o] - mx));
        for (int o = 0; o < NOUT; o++)
            p[o] /= sum;
        loss -= logf(p[y[i]]);
    }
    return loss / (float)n;
}

/* forward() and loss() as the contract has them: the loss kept in the state */
static void lr_forward_pass(void *state, const float *x, const void *y, int64_t n) {
    ((LogReg *)state)->loss = lr_forward(state, x, y, n);
}
static float lr_loss(void *state) {
    return ((LogReg *)state)->loss;
}

/* dlogits = (probs - onehot(y)) / n */
static void lr_backward(void *state, const float *x, const void *yv, int64_t n) {
    LogReg *s = state;
    const int32_t *y = yv;
    memset(s->dw, 0, 12 * sizeof(float));
    memset(s->db, 0, 3 * sizeof(float));
    for (int64_t i = 0; i < n; i++) {
        for (int o = 0; o < NOUT; o++) {
            float d = (s->probs[i * NOUT + o] - (o == y[i] ? 1.0f : 0.0f)) / (float)n;
            s->db[o] += d;
            for (int k = 0; k < NIN; k++)
                s->dw[o * NIN + k] += d * x[i * NIN + k];
        }
    }
}

/* The reference's optimizer, PyTorch's SGD written out (the runtime's is optim.c): a
 * momentum buffer starting at zero is the gradient after the first step, as torch's. */
typedef struct RefSgd {
    float lr, momentum, weight_decay;
} RefSgd;

static void sgd(float *w, const float *g, float *v, int n, const RefSgd *o) {
    for (int i = 0; i < n; i++) {
        float d = g[i] + o->weight_decay * w[i];
        if (o->momentum != 0.0f)
            d = v[i] = o->momentum * v[i] + d;
        w[i] -= o->lr * d;
    }
}

static const float *lr_output(void *state) {
    return ((LogReg *)state)->probs;
}

static const MlcParam lr_params[] = {
    {"linear.weight", 2, {3, 4}, 0, 12, MLC_INIT_UNIFORM, 4},
    {"linear.bias", 1, {3}, 12, 3, MLC_INIT_UNIFORM, 4},
};
static const char *const lr_classes[] = {"zero", "one", "two"};
static MlcModel logreg = {
    .name = "logreg",
    .source = "tests/unit/test_rt_main.c",
    .params = lr_params,
    .nparam = 2,
    .nparams = 15,
    .x_name = "x",
    .x_rank = 3,
    .x_shape = {1, 2, 2},
    .x_size = 4,
    .y_kind = MLC_TARGET_CLASS,
    .y_name = "y",
    .nclass = 3,
    .out_name = "probs",
    .out_size = 3,
    .class_names = lr_classes,
    .data_kind = MLC_DATA_IDX,
    .scale = 1.0f / 255.0f,
    .batch = 2,
    .epochs = 2,
    .optim = {.kind = MLC_SGD, .lr = 0.5},
    .acts_per_sample = 3,
    .state_size = sizeof(LogReg),
    .bind = lr_bind,
    .forward = lr_forward_pass,
    .loss = lr_loss,
    .backward = lr_backward,
    .output = lr_output,
};

/* ---- the data set ------------------------------------------------------------------------ */

static unsigned char train_x[NTRAIN * NIN], train_y[NTRAIN], test_x[NTEST * NIN], test_y[NTEST];

/* Pixels from a fixed LCG; the label is the brightest of the first three pixels. */
static void make_data(unsigned char *x, unsigned char *y, int n, uint32_t seed) {
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < NIN; k++) {
            seed = seed * 1664525u + 1013904223u;
            x[i * NIN + k] = (unsigned char)(seed >> 24);
        }
        int best = 0;
        for (int k = 1; k < 3; k++)
            if (x[i * NIN + k] > x[i * NIN + best])
                best = k;
        y[i] = (unsigned char)best;
    }
}

static void put_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void write_idx(const char *name, bool images, int n, const unsigned char *data) {
    char path[256];
    unsigned char head[16];
    int hlen = images ? 16 : 8;
    put_be32(head, images ? 0x803 : 0x801);
    put_be32(head + 4, (uint32_t)n);
    put_be32(head + 8, 2);
    put_be32(head + 12, 2);
    size_t len = (size_t)n * (images ? NIN : 1);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    gzFile f = gzopen(path, strstr(name, ".gz") ? "wb" : "wbT");
    CHECK_TRUE(f != NULL);
    gzwrite(f, head, (unsigned)hlen);
    gzwrite(f, data, (unsigned)len);
    gzclose(f);
}

static void write_data(void) {
    make_data(train_x, train_y, NTRAIN, 1);
    make_data(test_x, test_y, NTEST, 2);
    write_idx("train-images-idx3-ubyte", true, NTRAIN, train_x);
    write_idx("train-labels-idx1-ubyte", false, NTRAIN, train_y);
    /* Broken .gz twins: the plain files must be preferred. */
    write_idx("train-images-idx3-ubyte.gz", true, 1, train_x);
    write_idx("train-labels-idx1-ubyte.gz", false, 3, train_y);
    write_idx("t10k-images-idx3-ubyte.gz", true, NTEST, test_x);
    write_idx("t10k-labels-idx1-ubyte.gz", false, NTEST, test_y);
}

/* ---- running mlc_main ---------------------------------------------------------------------- */

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    char *s = calloc(1, 1 << 16);
    size_t n = f ? fread(s, 1, (1 << 16) - 1, f) : 0;
    s[n] = '\0';
    if (f)
        fclose(f);
    return s;
}

static char *out, *err; /* of the last run */

/* mlc_main(argv) with stdout and stderr captured into out and err. argv ends with NULL. */
static int run(const MlcModel *m, ...) {
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, m);
    argv[argc++] = (char *)"./train_logreg";
    while ((argv[argc] = va_arg(ap, char *)))
        argc++;
    va_end(ap);

    char opath[256], epath[256];
    snprintf(opath, sizeof opath, "%s/stdout", dir);
    snprintf(epath, sizeof epath, "%s/stderr", dir);
    fflush(stdout);
    fflush(stderr);
    int o = dup(1), e = dup(2);
    int fo = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fo, 1);
    dup2(fe, 2);
    close(fo);
    close(fe);
    int rc = mlc_main(argc, argv, m);
    fflush(stdout);
    fflush(stderr);
    dup2(o, 1);
    dup2(e, 2);
    close(o);
    close(e);
    free(out);
    free(err);
    out = slurp(opath);
    err = slurp(epath);
    unlink(opath);
    unlink(epath);
    return rc;
}

/* ---- the reference: the quickstart's loops, written plainly --------------------------------- */

typedef struct Ref {
    float params[15], grads[15], velocity[15], acts[3 * NTRAIN]; /* velocity: the optimizer's */
    LogReg state;
    MlcBuffers buf;
} Ref;

static void ref_open(Ref *r, int64_t max_batch, uint64_t seed) {
    memset(r, 0, sizeof *r);
    r->buf = (MlcBuffers){
        .params = r->params, .grads = r->grads, .acts = r->acts, .max_batch = max_batch};
    lr_bind(&r->state, &r->buf);
    mlc_init_params(&logreg, r->params, seed);
}

static void load_batch(float *x, int32_t *y, const unsigned char *px, const unsigned char *py,
                       const int64_t *idx, int64_t start, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        int64_t k = idx ? idx[start + i] : start + i;
        for (int j = 0; j < NIN; j++)
            x[i * NIN + j] = (float)px[k * NIN + j] * (1.0f / 255.0f);
        y[i] = py[k];
    }
}

static void ref_test(Ref *r, FILE *f, int64_t B) {
    float x[NTEST * NIN];
    int32_t y[NTEST];
    double test_loss = 0.0;
    int64_t correct = 0, batches = 0;
    for (int64_t s = 0; s < NTEST; s += B) {
        int64_t n = NTEST - s < B ? NTEST - s : B;
        load_batch(x, y, test_x, test_y, NULL, s, n);
        test_loss += (double)lr_forward(&r->state, x, y, n);
        batches++;
        for (int64_t i = 0; i < n; i++) {
            const float *p = r->state.probs + i * NOUT;
            int best = p[1] > p[0] ? 1 : 0;
            best = p[2] > p[best] ? 2 : best;
            correct += best == y[i];
        }
    }
    test_loss /= (double)batches;
    fprintf(f, "Test Error: \n Accuracy: %0.1f%%, Avg loss: %8f \n\n",
            100.0 * ((double)correct / NTEST), test_loss);
}

/* The output of a training run, as PyTorch's quickstart prints it. */
static char *ref_train(int64_t epochs, int64_t B, RefSgd opt, bool shuffle, uint64_t seed) {
    static Ref r;
    ref_open(&r, B, seed);
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    MlcRng rng;
    mlc_rng_seed_stream(&rng, seed, MLC_RNG_STREAM_SHUFFLE);
    int64_t perm[NTRAIN];
    float *x = malloc((size_t)B * NIN * sizeof(float));
    int32_t *y = malloc((size_t)B * sizeof(int32_t));
    for (int64_t t = 0; t < epochs; t++) {
        fprintf(f, "Epoch %d\n-------------------------------\n", (int)(t + 1));
        for (int64_t i = 0; i < NTRAIN; i++)
            perm[i] = i;
        for (int64_t i = NTRAIN - 1; shuffle && i > 0; i--) {
            int64_t j = mlc_rng_below(&rng, (uint32_t)(i + 1)), tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        for (int64_t batch = 0; batch * B < NTRAIN; batch++) {
            int64_t n = NTRAIN - batch * B < B ? NTRAIN - batch * B : B;
            load_batch(x, y, train_x, train_y, perm, batch * B, n);
            float loss = lr_forward(&r.state, x, y, n);
            lr_backward(&r.state, x, y, n);
            sgd(r.params, r.grads, r.velocity, 15, &opt);
            if (batch % 100 == 0)
                fprintf(f, "loss: %7f  [%5d/%5d]\n", (double)loss, (int)((batch + 1) * n), NTRAIN);
        }
        ref_test(&r, f, B);
    }
    fprintf(f, "Done!\n");
    fclose(f);
    free(x);
    free(y);
    return s;
}

/* ---- the tests ------------------------------------------------------------------------------ */

static const char *path_in(int slot, const char *name) {
    static char p[3][256];
    snprintf(p[slot], sizeof p[slot], "%s/%s", dir, name);
    return p[slot];
}

static void test_train(void) {
    const RefSgd plain = {0.5f, 0.0f, 0.0f}; /* the model's */
    char *want = ref_train(2, 2, plain, false, 0);
    CHECK(0, run(&logreg, "--data", dir, NULL));
    CHECK_STR(want, out);
    CHECK_STR("", err);
    /* The shape of the output, spelled out once. */
    CHECK(0, strncmp(out, "Epoch 1\n-------------------------------\nloss: ", 46));
    CHECK_TRUE(strstr(out, "  [    2/  250]\nloss: ") != NULL);
    CHECK_TRUE(strstr(out, "  [  202/  250]\nTest Error: \n Accuracy: ") != NULL);
    CHECK_TRUE(strstr(out, "Epoch 2\n") != NULL);
    CHECK_TRUE(strcmp(out + strlen(out) - 9, " \n\nDone!\n") == 0);
    free(want);

    /* Options override the model's defaults; a batch larger than the data set is one batch. */
    RefSgd opt = {0.1f, 0.9f, 0.01f};
    want = ref_train(1, 300, opt, false, 0);
    CHECK(0, run(&logreg, "--data", dir, "--epochs", "1", "--batch=300", "--lr", "0.1",
                 "--momentum", "0.9", "--weight-decay", "1e-2", NULL));
    CHECK_STR(want, out);
    free(want);

    /* Seeded shuffling: the documented permutation, and the same output twice. */
    want = ref_train(2, 16, plain, true, 5);
    CHECK(0, run(&logreg, "--data", dir, "--shuffle", "--seed", "5", "--batch", "16", NULL));
    CHECK_STR(want, out);
    char *first = strdup(out);
    CHECK(0, run(&logreg, "--data", dir, "--shuffle", "--seed", "5", "--batch", "16", NULL));
    CHECK_STR(first, out);
    CHECK(0, run(&logreg, "--data", dir, "--shuffle", "--no-shuffle", "--batch", "16", NULL));
    CHECK_TRUE(strcmp(first, out) != 0);
    free(first);
    free(want);

    CHECK(0, run(&logreg, "--data", dir, "--epochs", "0", NULL));
    CHECK_STR("Done!\n", out);
    CHECK(0, run(&logreg, "--data", dir, "--epochs", "1", "--quiet", "--batch", "100", NULL));
    CHECK_TRUE(strncmp(out, "Epoch 1\n-------------------------------\nTest Error: \n", 52) == 0);
}

static void test_save_load(void) {
    const char *a = path_in(0, "a.safetensors"), *b = path_in(1, "b.safetensors");
    CHECK(0, run(&logreg, "--data", dir, "--epochs", "1", "--save", a, NULL));
    /* The last block of training is what --eval prints from the saved weights. */
    char *block = strdup(strstr(out, "Test Error: "));
    block[strlen(block) - strlen("Done!\n")] = '\0';
    CHECK(0, run(&logreg, "--data", dir, "--load", a, "--eval", NULL));
    CHECK_STR(block, out);
    free(block);

    /* Loading and saving again gives the same bytes. */
    CHECK(0, run(&logreg, "--data", dir, "--load", a, "--epochs", "0", "--save", b, NULL));
    char *fa = slurp(a), *fb = slurp(b);
    CHECK(0, memcmp(fa, fb, 200));
    free(fa);
    free(fb);

    /* --predict: the reference's argmax on that image, from the same weights. */
    static Ref r;
    ref_open(&r, 1, 0);
    char e[512];
    CHECK_TRUE(mlc_safetensors_read(a, &logreg, r.params, e, sizeof e));
    float x[NIN];
    int32_t y;
    load_batch(x, &y, test_x, test_y, NULL, 3, 1);
    lr_forward(&r.state, x, &y, 1);
    const float *p = r.state.probs;
    int best = p[1] > p[0] ? 1 : 0;
    best = p[2] > p[best] ? 2 : best;
    char want[128];
    snprintf(want, sizeof want, "Predicted: \"%s\", Actual: \"%s\"\n", lr_classes[best],
             lr_classes[test_y[3]]);
    CHECK(0, run(&logreg, "--data", dir, "--load", a, "--predict", "3", NULL));
    CHECK_STR(want, out);

    /* --grads: the first batch's loss and gradients from the loaded weights, no update. */
    const char *g = path_in(2, "g.safetensors");
    CHECK(0, run(&logreg, "--data", dir, "--load", a, "--grads", g, "--batch", "5", NULL));
    CHECK_STR("", out);
    float xb[5 * NIN];
    int32_t yb[5];
    load_batch(xb, yb, train_x, train_y, NULL, 0, 5);
    ref_open(&r, 5, 0);
    CHECK_TRUE(mlc_safetensors_read(a, &logreg, r.params, e, sizeof e));
    float loss = lr_forward(&r.state, xb, yb, 5);
    lr_backward(&r.state, xb, yb, 5);
    static const MlcParam gp[] = {
        {"linear.weight", 2, {3, 4}, 0, 12, MLC_INIT_ZEROS, 0},
        {"linear.bias", 1, {3}, 12, 3, MLC_INIT_ZEROS, 0},
        {"loss", 0, {0}, 15, 1, MLC_INIT_ZEROS, 0},
    };
    MlcModel gm = {.params = gp, .nparam = 3, .nparams = 16};
    float got[16];
    CHECK_TRUE(mlc_safetensors_read(g, &gm, got, e, sizeof e));
    CHECK(0, memcmp(got, r.grads, 15 * sizeof(float)));
    CHECK_TRUE(got[15] == loss);
    /* ... and the weights were not changed: --grads twice gives the same file. */
    char *g1 = slurp(g);
    CHECK(0, run(&logreg, "--data", dir, "--load", a, "--grads", g, "--batch", "5", NULL));
    char *g2 = slurp(g);
    CHECK(0, memcmp(g1, g2, 300));
    free(g1);
    free(g2);
}

/* Each bad command line: status 1, nothing on stdout, exactly this on stderr. */
static void expect_fail(const char *msg, ...) {
    char *argv[16];
    int n = 0;
    va_list ap;
    va_start(ap, msg);
    while ((argv[n] = va_arg(ap, char *)))
        n++;
    va_end(ap);
    argv[n] = NULL;
    /* run() takes a NULL-terminated list; pass up to 8 arguments through. */
    int rc =
        run(&logreg, argv[0], argv[1], argv[2], argv[3], argv[4], argv[5], argv[6], argv[7], NULL);
    CHECK(1, rc);
    CHECK_STR("", out);
    char want[1024];
    snprintf(want, sizeof want, "train_logreg: %s\n", msg);
    CHECK_STR(want, err);
}

static void test_errors(void) {
    char m[512];
    expect_fail("--epochs: 'abc' is not an integer", "--epochs", "abc", NULL);
    expect_fail("--epochs: '5x' is not an integer", "--epochs", "5x", NULL);
    expect_fail("--epochs: -1 is out of range (0 to 2147483647)", "--epochs", "-1", NULL);
    expect_fail("--batch: 0 is out of range (1 to 2147483647)", "--batch", "0", NULL);
    expect_fail("--batch: -64 is out of range (1 to 2147483647)", "--batch=-64", NULL);
    expect_fail("--batch: ' 5' is not an integer", "--batch", " 5", NULL);
    expect_fail("--batch: 99999999999999999999 is out of range (1 to 2147483647)", "--batch",
                "99999999999999999999", NULL);
    expect_fail("--lr: 'fast' is not a number", "--lr", "fast", NULL);
    expect_fail("--lr: 'nan' is not a number", "--lr", "nan", NULL);
    expect_fail("--lr: 1e999 is not a finite number", "--lr", "1e999", NULL);
    expect_fail("--momentum: -0.5 is negative", "--momentum", "-0.5", NULL);
    expect_fail("--weight-decay: the value is empty", "--weight-decay=", NULL);
    expect_fail("--seed: '-1' is not a non-negative integer", "--seed", "-1", NULL);
    expect_fail("--threads: 0 is out of range (1 to 1024)", "--threads", "0", NULL);
    expect_fail("--predict: -2 is out of range (at least 0)", "--predict", "-2", NULL);
    expect_fail("--lr needs a value (X)", "--lr", NULL);
    expect_fail("--eval takes no value", "--eval=yes", NULL);
    expect_fail("unknown option '--epoch' (see --help)", "--epoch", "3", NULL);
    expect_fail("unexpected argument 'data' (see --help)", "data", NULL);
    expect_fail("--load: the value is empty", "--load", "", NULL);

    snprintf(m, sizeof m, "--predict: 7 is out of range, the test set has 7 images (0 to 6)");
    expect_fail(m, "--data", dir, "--predict", "7", NULL);
    snprintf(m, sizeof m,
             "%s/none/train-images-idx3-ubyte: not found (nor "
             "train-images-idx3-ubyte.gz, nor train-images-idx4-ubyte)",
             dir);
    expect_fail(m, "--data", path_in(0, "none"), NULL);
    snprintf(m, sizeof m, "%s: cannot open: No such file or directory", path_in(0, "no.st"));
    expect_fail(m, "--data", dir, "--eval", "--load", path_in(0, "no.st"), NULL);
    snprintf(m, sizeof m, "%s/stdout: too short for a safetensors file (0 bytes)", dir);
    expect_fail(m, "--data", dir, "--eval", "--load", path_in(0, "stdout"), NULL);

    /* A data set whose images do not fit the model */
    MlcModel wide = logreg;
    wide.x_size = 5;
    CHECK(1, run(&wide, "--data", dir, NULL));
    snprintf(m, sizeof m,
             "train_logreg: %s/train-images-idx3-ubyte: images are 2x2 = 4 values, "
             "the model's input has 5\n",
             dir);
    CHECK_STR(m, err);

    CHECK(0, run(&logreg, "--help", NULL));
    CHECK_TRUE(strncmp(out, "usage: train_logreg [options]\n", 30) == 0);
    CHECK_TRUE(strstr(out, "\n  --epochs N          passes over the training set [2]\n") != NULL);
    CHECK_TRUE(
        strstr(out, "\n  --lr X              learning rate (the schedule's base rate) [0.5]\n") !=
        NULL);
    CHECK_TRUE(strstr(out, "--grads FILE") && strstr(out, "--threads N") &&
               strstr(out, "--no-shuffle") && strstr(out, "--seed N"));
    CHECK_STR("", err);
}

/* ---- demo: the quickstart's autograd example, a model without data --------------------------- */

typedef struct Demo {
    float *w, *b, *dw, *db, *z; /* [5, 3], [3], gradients, z [3] */
    float loss;
} Demo;

static void demo_bind(void *state, const MlcBuffers *buf) {
    Demo *s = state;
    s->w = buf->params;
    s->b = buf->params + 15;
    s->dw = buf->grads;
    s->db = buf->grads + 15;
    s->z = buf->acts;
}

/* z = x @ w + b; loss = mean(max(z, 0) - z y + log(1 + exp(-|z|))) */
static float demo_forward(void *state, const float *x, const void *yv, int64_t n) {
    Demo *s = state;
    const float *y = yv;
    CHECK(1, n);
    float loss = 0.0f;
    for (int j = 0; j < 3; j++) {
        s->z[j] = s->b[j];
        for (int i = 0; i < 5; i++)
            s->z[j] += x[i] * s->w[i * 3 + j];
        loss += fmaxf(s->z[j], 0.0f) - s->z[j] * y[j] + log1pf(expf(-fabsf(s->z[j])));
    }
    return loss / 3.0f;
}

/* dz = (sigmoid(z) - y) / 3; dw = x^T dz; db = dz */
static void demo_backward(void *state, const float *x, const void *yv, int64_t n) {
    Demo *s = state;
    const float *y = yv;
    (void)n;
    for (int j = 0; j < 3; j++) {
        float dz = (1.0f / (1.0f + expf(-s->z[j])) - y[j]) / 3.0f;
        s->db[j] = dz;
        for (int i = 0; i < 5; i++)
            s->dw[i * 3 + j] = x[i] * dz;
    }
}

static const MlcParam demo_params[] = {
    {"w", 2, {5, 3}, 0, 15, MLC_INIT_RANDN, 5},
    {"b", 1, {3}, 15, 3, MLC_INIT_RANDN, 5},
};
static void demo_forward_pass(void *state, const float *x, const void *y, int64_t n) {
    ((Demo *)state)->loss = demo_forward(state, x, y, n);
}
static float demo_loss(void *state) {
    return ((Demo *)state)->loss;
}

static const MlcModel demo = {
    .name = "autograd_demo",
    .source = "models/autograd_demo.model",
    .params = demo_params,
    .nparam = 2,
    .nparams = 18,
    .x_name = "x",
    .x_rank = 1,
    .x_shape = {5},
    .x_size = 5,
    .y_kind = MLC_TARGET_F32,
    .y_name = "y",
    .y_size = 3,
    .x_init = MLC_INIT_ONES,
    .y_init = MLC_INIT_ZEROS,
    .data_kind = MLC_DATA_NONE,
    .acts_fixed = 3,
    .state_size = sizeof(Demo),
    .bind = demo_bind,
    .forward = demo_forward_pass,
    .loss = demo_loss,
    .backward = demo_backward,
};

static void test_demo(void) {
    /* The reference: the same functions on x = ones, y = zeros, w and b from seed 0. */
    float params[18], grads[18], acts[3], x[5] = {1, 1, 1, 1, 1}, y[3] = {0, 0, 0};
    MlcBuffers buf = {.params = params, .grads = grads, .acts = acts, .max_batch = 1};
    Demo s;
    demo_bind(&s, &buf);
    mlc_init_params(&demo, params, 0);
    float loss = demo_forward(&s, x, y, 1);
    demo_backward(&s, x, y, 1);
    char *want = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&want, &len);
    fprintf(f, "loss: %f\nw.grad:\n", (double)loss);
    mlc_print_tensor(f, grads, 2, demo_params[0].shape);
    fprintf(f, "b.grad:\n");
    mlc_print_tensor(f, grads + 15, 1, demo_params[1].shape);
    fclose(f);

    CHECK(0, run(&demo, NULL));
    CHECK_STR(want, out);
    /* The rows are all equal, since x is all ones. */
    CHECK_TRUE(strstr(out, "w.grad:\ntensor([[") != NULL);
    CHECK_TRUE(strstr(out, "]])\nb.grad:\ntensor([") != NULL);
    free(want);

    const char *g = path_in(0, "demo_grads.safetensors");
    CHECK(0, run(&demo, "--grads", g, NULL));
    static const MlcParam gp[] = {
        {"w", 2, {5, 3}, 0, 15, MLC_INIT_ZEROS, 0},
        {"b", 1, {3}, 15, 3, MLC_INIT_ZEROS, 0},
        {"loss", 0, {0}, 18, 1, MLC_INIT_ZEROS, 0},
    };
    MlcModel gm = {.params = gp, .nparam = 3, .nparams = 19};
    float got[19];
    char e[512];
    CHECK_TRUE(mlc_safetensors_read(g, &gm, got, e, sizeof e));
    CHECK(0, memcmp(got, grads, sizeof grads));
    CHECK_TRUE(got[18] == loss);

    CHECK(1, run(&demo, "--epochs", "2", NULL));
    CHECK_STR("train_logreg: --epochs: model 'autograd_demo' has no data set to train or test on\n",
              err);
    CHECK(0, run(&demo, "--help", NULL));
    CHECK_TRUE(strstr(out, "--epochs") == NULL && strstr(out, "--grads FILE") != NULL);
}

int main(void) {
    if (!tmpdir_make("mlc_test_main"))
        return 1;
    write_data();
    test_train();
    test_save_load();
    test_errors();
    test_demo();
    tmpdir_remove();
    free(out);
    free(err);
    return check_failures != 0;
}
