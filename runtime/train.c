/* train.c: mlc_main, the program around the generated math.
 *
 * In order: parse the options; load the data sets that the chosen actions need; allocate
 * the buffers (parameters, gradients, momentum, activations for the batch size in use) and
 * the generated state, and bind them; initialise the parameters from the seed, or --load
 * them; then run the actions:
 *   --grads FILE   forward + backward on the first training batch, gradients and loss to FILE
 *   --check-grads  the same gradients checked against finite differences (gradcheck.c)
 *   --eval         the test-set evaluation only
 *   --predict I    the class of test image I
 *   --outputs FILE the evaluation pass's output for every test image, into FILE
 *   (none)         train for --epochs, evaluating after each epoch (the PyTorch quickstart's
 *                  output, line for line), or for a model without data, print its loss and
 *                  gradients on the constant input (the quickstart's autograd example)
 * and finally --save FILE. Every failure prints "prog: reason" to stderr and returns 1.
 *
 * Batches are taken in file order (or a seeded Fisher-Yates permutation with --shuffle), the
 * last one partial, like DataLoader(drop_last=False). In file order the generated code reads
 * straight from the preloaded data set; shuffled batches are gathered into a buffer first.
 */
#define _POSIX_C_SOURCE 200809L
#include "mlc_runtime.h"

#include <cblas.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Everything a run owns; freed by run_close whatever happened. */
typedef struct Run {
    const MlcModel *m;
    const char *prog;
    MlcOptions opt;
    MlcDataset train, test;
    MlcBuffers buf;
    void *state;
    float *xbatch;        /* shuffled batches are gathered here */
    int32_t *ybatch;      /* and their labels */
    int64_t *perm;        /* the order of the training set */
    uint64_t step;        /* training steps taken, over all epochs: the dropout masks' seed */
    MlcOptimState ostate; /* the optimizer's moments and step count */
    double lr;            /* this epoch's learning rate (the schedule's) */
    bool resumed;         /* --resume: training goes on from `from` */
    MlcCheckpoint from;
} Run;

static void run_close(Run *r) {
    mlc_dataset_free(&r->train);
    mlc_dataset_free(&r->test);
    free(r->buf.params);
    free(r->buf.grads);
    mlc_optim_state_close(&r->ostate);
    free(r->buf.acts);
    free(r->state);
    free(r->xbatch);
    free(r->ybatch);
    free(r->perm);
}

static int error(const Run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int error(const Run *r, const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: ", r->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Loads the split ("train" or "test") of the data set at --data with the model's loader. */
static int load_set(Run *r, MlcDataset *d, const char *split) {
    const MlcLoader *loader = mlc_loader_find(r->m->data_kind);
    char err[1024];
    if (!loader)
        return error(r, "model '%s': no loader for its data set", r->m->name);
    if (!loader->load(d, r->opt.data, split, r->m, err, sizeof err))
        return error(r, "%s", err);
    if (d->n > INT32_MAX) {
        mlc_dataset_free(d);
        return error(r, "%s: more than %d samples", r->opt.data, INT32_MAX);
    }
    return 0;
}

/* Buffers for batches of up to max_batch samples, bound to a zeroed state. */
static int allocate(Run *r, int64_t max_batch) {
    const MlcModel *m = r->m;
    MlcBuffers *b = &r->buf;
    size_t np = m->nparams ? m->nparams : 1;
    b->max_batch = max_batch;
    b->params = calloc(np, sizeof(float));
    b->grads = calloc(np, sizeof(float));
    /* acts_per_sample * max_batch + acts_fixed, with the overflow checked */
    size_t nacts = 0;
    if (m->acts_per_sample > (SIZE_MAX / sizeof(float) - m->acts_fixed - 1) / (size_t)max_batch)
        return error(r, "out of memory: %lld samples per batch", (long long)max_batch);
    nacts = m->acts_per_sample * (size_t)max_batch + m->acts_fixed;
    b->acts = calloc(nacts ? nacts : 1, sizeof(float));
    r->state = calloc(m->state_size ? m->state_size : 1, 1);
    if (!b->params || !b->grads || !b->acts || !r->state ||
        !mlc_optim_state_open(&r->ostate, &r->opt.optim, m->nparams))
        return error(r, "out of memory for %zu parameters and %zu activations", m->nparams, nacts);
    m->bind(r->state, b);
    return 0;
}

/* The index of the largest of n values; the first on ties, and NaN counts as largest (as
 * torch.argmax). */
static int64_t argmax(const float *v, int64_t n) {
    int64_t best = 0;
    for (int64_t i = 1; i < n; i++) {
        if (isnan(v[best]))
            break;
        if (isnan(v[i]) || v[i] > v[best])
            best = i;
    }
    return best;
}

/* The forward pass, loss and output of evaluation: PyTorch's model.eval() (no dropout). */
static void eval_forward(const Run *r, const float *x, const void *y, int64_t n) {
    const MlcModel *m = r->m;
    if (m->eval_forward)
        m->eval_forward(r->state, x, y, n);
    else
        m->forward(r->state, x, y, n);
}
static float eval_loss(const Run *r) {
    return r->m->eval_loss ? r->m->eval_loss(r->state) : r->m->loss(r->state);
}
static const float *eval_output(const Run *r) {
    return r->m->eval_output ? r->m->eval_output(r->state) : r->m->output(r->state);
}

/* The quickstart's test_loop: mean of the per-batch mean losses, and the fraction of
 * samples whose largest output is the label. */
static void evaluate(Run *r) {
    const MlcModel *m = r->m;
    const MlcDataset *d = &r->test;
    int64_t B = r->opt.batch;
    double test_loss = 0.0;
    int64_t correct = 0, num_batches = 0;
    bool classify = m->out_size == (size_t)m->nclass && m->output;
    for (int64_t start = 0; start < d->n; start += B) {
        int64_t n = d->n - start < B ? d->n - start : B;
        const float *x = d->x + (size_t)start * d->x_size;
        const int32_t *y = d->y + start;
        eval_forward(r, x, y, n);
        test_loss += (double)eval_loss(r);
        num_batches++;
        if (classify) {
            const float *out = eval_output(r);
            for (int64_t i = 0; i < n; i++)
                correct += argmax(out + (size_t)i * m->out_size, m->nclass) == y[i];
        }
    }
    test_loss /= (double)num_batches;
    if (classify)
        printf("Test Error: \n Accuracy: %.1f%%, Avg loss: %8f \n\n",
               100.0 * ((double)correct / (double)d->n), test_loss);
    else
        printf("Test Error: \n Avg loss: %8f \n\n", test_loss);
}

/* The quickstart's train_loop for one epoch. */
static void train_epoch(Run *r, MlcRng *rng) {
    const MlcModel *m = r->m;
    const MlcDataset *d = &r->train;
    int64_t B = r->opt.batch;
    if (r->opt.shuffle) {
        /* Fisher-Yates from the identity: epoch e's order depends only on the seed and e. */
        for (int64_t i = 0; i < d->n; i++)
            r->perm[i] = i;
        for (int64_t i = d->n - 1; i > 0; i--) {
            int64_t j = mlc_rng_below(rng, (uint32_t)(i + 1));
            int64_t t = r->perm[i];
            r->perm[i] = r->perm[j];
            r->perm[j] = t;
        }
    }
    for (int64_t batch = 0, start = 0; start < d->n; batch++, start += B) {
        int64_t n = d->n - start < B ? d->n - start : B;
        const float *x = d->x + (size_t)start * d->x_size;
        const int32_t *y = d->y + start;
        if (r->opt.shuffle) {
            for (int64_t i = 0; i < n; i++) {
                int64_t k = r->perm[start + i];
                memcpy(r->xbatch + (size_t)i * d->x_size, d->x + (size_t)k * d->x_size,
                       d->x_size * sizeof(float));
                r->ybatch[i] = d->y[k];
            }
            x = r->xbatch;
            y = r->ybatch;
        }
        r->buf.seed = mlc_step_seed(r->opt.seed, r->step++);
        if (m->train_step && mlc_optim_is_plain_sgd(&r->opt.optim)) {
            m->train_step(r->state, x, y, n, (float)r->lr); /* SGD folded into the GEMMs */
            r->ostate.step++;
        } else {
            m->forward(r->state, x, y, n);
            m->backward(r->state, x, y, n);
            mlc_optim_step(&r->opt.optim, &r->ostate, r->lr, r->buf.params, r->buf.grads,
                           m->nparams);
        }
        if (batch % 100 == 0 && !r->opt.quiet) /* the only time a step's loss is read */
            printf("loss: %7f  [%5lld/%5lld]\n", (double)m->loss(r->state),
                   (long long)((batch + 1) * n), (long long)d->n);
    }
}

static int train(Run *r) {
    if (r->opt.shuffle && r->opt.epochs > 0) {
        size_t B = (size_t)r->opt.batch;
        r->xbatch = malloc(B * r->m->x_size * sizeof(float));
        r->ybatch = malloc(B * sizeof(int32_t));
        r->perm = malloc((size_t)r->train.n * sizeof(int64_t));
        if (!r->xbatch || !r->ybatch || !r->perm)
            return error(r, "out of memory for shuffling");
    }
    MlcRng rng;
    mlc_rng_seed_stream(&rng, r->opt.seed, MLC_RNG_STREAM_SHUFFLE);
    int64_t first = 0;
    if (r->resumed) { /* where the checkpoint left off: the same batches, masks and weights */
        rng = r->from.rng;
        r->step = r->from.step;
        first = r->from.epoch;
    }
    for (int64_t t = first; t < r->opt.epochs; t++) {
        /* the schedule's rate for this epoch, as scheduler.step() after each epoch gives */
        r->lr = mlc_schedule_lr(&r->opt.schedule, r->opt.optim.lr, t);
        printf("Epoch %lld\n-------------------------------\n", (long long)(t + 1));
        double t0 = now();
        train_epoch(r, &rng);
        double t1 = now();
        evaluate(r);
        if (r->opt.time) {
            fflush(stdout);
            fprintf(stderr, "time: epoch %lld: train %.3f s, test %.3f s\n", (long long)(t + 1),
                    t1 - t0, now() - t1);
        }
        bool due = (t + 1) % r->opt.checkpoint_every == 0 || t + 1 == r->opt.epochs;
        if (r->opt.checkpoint && due) {
            MlcCheckpoint c = {t + 1, r->step, rng};
            char err[1024];
            if (!mlc_checkpoint_write(r->opt.checkpoint, r->m, &r->buf, &r->opt.optim, &r->ostate,
                                      &c, err, sizeof err))
                return error(r, "%s", err);
        }
    }
    printf("Done!\n");
    return 0;
}

/* Can the run write path at the end (or every epoch)? Checked before training starts, so
 * a typo does not cost the whole run: its directory must exist and be writable, and what is
 * there must be a regular file, which is replaced (never a device or a directory). */
static int check_output(Run *r, const char *option, const char *path) {
    struct stat st;
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    if (access(dir, W_OK) != 0)
        return error(r, "%s %s: cannot write in %s: %s", option, path, dir, strerror(errno));
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return error(r, "%s %s: not a regular file, so it will not be replaced", option, path);
    return 0;
}

static int predict(Run *r) {
    const MlcModel *m = r->m;
    int64_t i = r->opt.predict;
    if (!m->output || m->out_size != (size_t)m->nclass)
        return error(r, "--predict: model '%s' has no output of %lld class scores", m->name,
                     (long long)m->nclass);
    eval_forward(r, r->test.x + (size_t)i * r->test.x_size, r->test.y + i, 1);
    int64_t pred = argmax(eval_output(r), m->nclass);
    int64_t actual = r->test.y[i];
    if (m->class_names)
        printf("Predicted: \"%s\", Actual: \"%s\"\n", m->class_names[pred], m->class_names[actual]);
    else
        printf("Predicted: %lld, Actual: %lld\n", (long long)pred, (long long)actual);
    return 0;
}

/* --outputs: the evaluation pass's output for every test image, in batches of --batch as
 * the test pass runs it, into a safetensors file ("outputs", [n, out_size]): what another
 * build of the same model (the firmware target) is checked against. */
static int write_outputs(Run *r) {
    const MlcModel *m = r->m;
    const MlcDataset *d = &r->test;
    if (!m->output)
        return error(r, "--outputs: model '%s' has no output", m->name);
    float *all = malloc((size_t)(d->n ? d->n : 1) * m->out_size * sizeof(float));
    if (!all)
        return error(r, "--outputs: out of memory for %lld outputs", (long long)d->n);
    int64_t B = r->opt.batch;
    for (int64_t start = 0; start < d->n; start += B) {
        int64_t n = d->n - start < B ? d->n - start : B;
        eval_forward(r, d->x + (size_t)start * d->x_size, d->y + start, n);
        memcpy(all + (size_t)start * m->out_size, eval_output(r),
               (size_t)n * m->out_size * sizeof(float));
    }
    MlcTensor t = {"outputs", 2, {d->n, (int64_t)m->out_size}, all};
    char err[1024];
    bool ok = mlc_safetensors_write(r->opt.outputs, &t, 1, err, sizeof err);
    free(all);
    return ok ? 0 : error(r, "%s", err);
}

/* A constant input or target, filled as init says (random values from their own stream). */
static void fill(float *v, size_t n, MlcInit init, MlcRng *rng) {
    for (size_t i = 0; i < n; i++) {
        switch (init) {
        case MLC_INIT_ZEROS: v[i] = 0.0f; break;
        case MLC_INIT_ONES: v[i] = 1.0f; break;
        case MLC_INIT_RANDN: v[i] = mlc_rng_normal(rng); break;
        case MLC_INIT_UNIFORM: v[i] = 2.0f * mlc_rng_uniform(rng) - 1.0f; break;
        }
    }
}

/* The batch that --grads, --check-grads and a data-less model's printout work on: the
 * --inputs file, else the first training batch, else (no data set) --batch samples filled
 * as the model declares. */
typedef struct Batch {
    int64_t n;
    const float *x;
    const void *y;
    float *x_own; /* what this batch allocated, or NULL */
    void *y_own;
} Batch;

static void batch_free(Batch *b) {
    free(b->x_own);
    free(b->y_own);
}

/* A tensor of the --inputs file by name, or NULL. */
static const MlcTensor *find_tensor(const MlcTensor *t, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}

/* --inputs FILE: the input tensor [n, <input shape>] and the target [n] (class indices) or
 * [n, ...] with y_size floats per sample. */
static int load_inputs(Run *r, Batch *b) {
    const MlcModel *m = r->m;
    const char *path = r->opt.inputs;
    MlcTensor *t;
    int nt;
    char err[1024];
    if (!mlc_safetensors_read_all(path, &t, &nt, err, sizeof err))
        return error(r, "%s", err);
    const MlcTensor *x = find_tensor(t, nt, m->x_name), *y = find_tensor(t, nt, m->y_name);
    int rc = 0;
    bool x_ok = x && x->rank == m->x_rank + 1 && x->shape[0] >= 1 && x->shape[0] <= INT32_MAX;
    for (int d = 0; x_ok && d < m->x_rank; d++)
        x_ok = x->shape[d + 1] == m->x_shape[d];
    int64_t n = x_ok ? x->shape[0] : 0;
    size_t y_per = m->y_kind == MLC_TARGET_CLASS ? 1 : m->y_size;
    size_t y_numel = 1;
    for (int d = 0; y && d < y->rank; d++)
        y_numel *= (size_t)y->shape[d];
    bool y_ok = y && y->rank >= 1 && y->shape[0] == n && y_numel == (size_t)n * y_per &&
                (m->y_kind != MLC_TARGET_CLASS || y->rank == 1);
    if (!x) {
        rc = error(r, "%s: no tensor '%s' (the model's input)", path, m->x_name);
    } else if (!x_ok) {
        rc = error(r, "%s: tensor '%s' must be [n, ...] with the input's shape per sample", path,
                   m->x_name);
    } else if (!y) {
        rc = error(r, "%s: no tensor '%s' (the model's target)", path, m->y_name);
    } else if (!y_ok) {
        rc = error(r, "%s: tensor '%s' must hold %s for each of the %lld samples", path, m->y_name,
                   m->y_kind == MLC_TARGET_CLASS ? "one class index" : "the target", (long long)n);
    }
    if (!rc) {
        b->n = n;
        b->x_own = malloc((size_t)n * m->x_size * sizeof(float) + 1);
        b->y_own = malloc((size_t)n * y_per * 4 + 1);
        if (!b->x_own || !b->y_own)
            rc = error(r, "out of memory for %lld samples", (long long)n);
    }
    for (int64_t i = 0; !rc && i < n * (int64_t)y_per; i++) {
        if (m->y_kind == MLC_TARGET_F32) {
            ((float *)b->y_own)[i] = y->data[i];
            continue;
        }
        float c = y->data[i];
        if (!(c >= 0.0f && c < (float)m->nclass && c == floorf(c)))
            rc = error(r, "%s: sample %lld of '%s' is %g, not a class in 0..%lld", path,
                       (long long)i, m->y_name, (double)c, (long long)m->nclass - 1);
        else
            ((int32_t *)b->y_own)[i] = (int32_t)c;
    }
    if (!rc)
        memcpy(b->x_own, x->data, (size_t)n * m->x_size * sizeof(float));
    mlc_tensors_free(t, nt);
    b->x = b->x_own;
    b->y = b->y_own;
    return rc;
}

/* A data-less model's batch: n samples filled as its input and target declare (random
 * values from PCG32 (seed, stream MLC_RNG_STREAM_INIT + 1), apart from the parameters). */
static int const_batch(Run *r, Batch *b, int64_t n) {
    const MlcModel *m = r->m;
    size_t y_per = m->y_kind == MLC_TARGET_CLASS ? 1 : m->y_size;
    b->n = n;
    b->x_own = calloc((size_t)n * m->x_size + 1, sizeof(float));
    b->y_own = calloc((size_t)n * y_per + 1, 4);
    if (!b->x_own || !b->y_own)
        return error(r, "out of memory for %lld samples", (long long)n);
    MlcRng rng;
    mlc_rng_seed_stream(&rng, r->opt.seed, MLC_RNG_STREAM_INIT + 1);
    for (int64_t i = 0; i < n; i++) {
        fill(b->x_own + (size_t)i * m->x_size, m->x_size, m->x_init, &rng);
        if (m->y_kind == MLC_TARGET_CLASS)
            ((int32_t *)b->y_own)[i] = m->y_init == MLC_INIT_ONES && m->nclass > 1;
        else
            fill((float *)b->y_own + (size_t)i * y_per, y_per, m->y_init, &rng);
    }
    b->x = b->x_own;
    b->y = b->y_own;
    return 0;
}

/* Forward and backward on a batch, no update. Returns the loss. */
static float batch_grads(Run *r, const Batch *b) {
    r->m->forward(r->state, b->x, b->y, b->n);
    float loss = r->m->loss(r->state);
    r->m->backward(r->state, b->x, b->y, b->n);
    return loss;
}

static int write_grads(Run *r, float loss) {
    const MlcModel *m = r->m;
    MlcTensor *t = calloc((size_t)m->nparam + 1, sizeof *t);
    if (!t)
        return error(r, "out of memory");
    for (int i = 0; i < m->nparam; i++) {
        const MlcParam *p = &m->params[i];
        t[i].name = p->name;
        t[i].rank = p->rank;
        memcpy(t[i].shape, p->shape, sizeof p->shape);
        t[i].data = r->buf.grads + p->offset;
    }
    t[m->nparam].name = "loss";
    t[m->nparam].rank = 0;
    t[m->nparam].data = &loss;
    char err[1024];
    bool ok = mlc_safetensors_write(r->opt.grads, t, m->nparam + 1, err, sizeof err);
    free(t);
    return ok ? 0 : error(r, "%s", err);
}

/* The quickstart's autograd example: loss.backward(); print(w.grad); print(b.grad). */
static void print_grads(Run *r, float loss) {
    const MlcModel *m = r->m;
    printf("loss: %f\n", (double)loss);
    for (int i = 0; i < m->nparam; i++) {
        const MlcParam *p = &m->params[i];
        printf("%s.grad:\n", p->name);
        mlc_print_tensor(stdout, r->buf.grads + p->offset, p->rank, p->shape);
    }
}

static int run(Run *r, int argc, char **argv) {
    const MlcModel *m = r->m;
    MlcOptions *o = &r->opt;
    char err[1024];
    if (!mlc_options_parse(o, argc, argv, m, err, sizeof err))
        return error(r, "%s", err);
    if (o->help) {
        mlc_usage(stdout, r->prog, m);
        return 0;
    }
    if (o->version) {
        printf("%s: model '%s', generated by mlc from %s\n", r->prog, m->name, m->source);
        return 0;
    }
    bool nodata = m->data_kind == MLC_DATA_NONE;
    if (!nodata && m->y_kind != MLC_TARGET_CLASS)
        return error(r, "model '%s': IDX data needs a class target", m->name);
    if (!nodata && o->batch < 1)
        return error(r, "model '%s' has no batch size: give --batch N", m->name);
#ifdef OPENBLAS_THREAD /* only OpenBLAS's cblas.h defines it */
    if (o->threads > 0)
        openblas_set_num_threads(o->threads);
#else
    if (o->threads > 0)
        fprintf(stderr, "%s: warning: --threads: this program's BLAS has no thread setting\n",
                r->prog);
#endif

    /* What to do, and so which data sets to load. */
    bool action = o->eval || o->predict >= 0 || o->outputs || o->grads || o->check_grads;
    bool training = !nodata && !action && o->epochs > 0;
    if (o->inputs && !o->grads && !o->check_grads)
        return error(r, "--inputs: give --grads FILE or --check-grads to say what to do with it");
    bool first_batch = (o->grads || o->check_grads) && !o->inputs;
    if (!nodata && (training || first_batch) && load_set(r, &r->train, "train"))
        return 1;
    if (!nodata && (training || o->eval || o->predict >= 0 || o->outputs) &&
        load_set(r, &r->test, "test"))
        return 1;
    if (o->predict >= r->test.n && o->predict >= 0)
        return error(r, "--predict: %lld is out of range, the test set has %lld images (0 to %lld)",
                     (long long)o->predict, (long long)r->test.n, (long long)r->test.n - 1);

    /* The batch of --grads, --check-grads and a data-less model's printout. */
    Batch gb = {0};
    int rc = 0;
    if (o->inputs && (rc = load_inputs(r, &gb)))
        goto out;
    if (!o->inputs && nodata && (rc = const_batch(r, &gb, o->batch)))
        goto out;
    if (!o->inputs && !nodata && r->train.n > 0) {
        gb.n = r->train.n < o->batch ? r->train.n : o->batch;
        gb.x = r->train.x;
        gb.y = r->train.y;
    }

    /* No batch is larger than the largest data set (or the batch in use). */
    int64_t max_batch = gb.n > 1 ? gb.n : 1;
    if (!nodata) {
        int64_t most = r->train.n > r->test.n ? r->train.n : r->test.n;
        int64_t b = o->batch < most ? o->batch : most;
        max_batch = b > max_batch ? b : max_batch;
    }
    if ((rc = allocate(r, max_batch)))
        goto out;
    r->buf.seed = mlc_step_seed(o->seed, 0); /* --grads and --check-grads: step 0's masks */
    if ((o->save && (rc = check_output(r, "--save", o->save))) ||
        (o->outputs && (rc = check_output(r, "--outputs", o->outputs))) ||
        (o->checkpoint && (rc = check_output(r, "--checkpoint", o->checkpoint))))
        goto out;
    if (o->resume) {
        if (o->load) {
            rc = error(r, "--resume goes on from a checkpoint's weights; leave out --load");
            goto out;
        }
        if (!mlc_checkpoint_read(o->resume, m, &r->buf, &o->optim, &r->ostate, &r->from, err,
                                 sizeof err)) {
            rc = error(r, "%s", err);
            goto out;
        }
        r->resumed = true;
    } else if (o->load) {
        if (!mlc_safetensors_read(o->load, m, r->buf.params, err, sizeof err)) {
            rc = error(r, "%s", err);
            goto out;
        }
    } else {
        mlc_init_params(m, r->buf.params, o->seed);
        if (o->eval || o->predict >= 0 || o->outputs)
            fprintf(stderr,
                    "%s: warning: no --load, so this uses the untrained initial weights "
                    "(seed %llu)\n",
                    r->prog, (unsigned long long)o->seed);
    }

    if (o->grads) {
        float loss = batch_grads(r, &gb);
        if ((rc = write_grads(r, loss)))
            goto out;
    }
    if (o->check_grads && mlc_check_grads(m, r->state, &r->buf, gb.x, gb.y, gb.n, stdout)) {
        rc = 1;
        goto out;
    }
    if (o->eval)
        evaluate(r);
    if (o->predict >= 0 && (rc = predict(r)))
        goto out;
    if (o->outputs && (rc = write_outputs(r)))
        goto out;
    if (!action) {
        if (nodata)
            print_grads(r, batch_grads(r, &gb));
        else if ((rc = train(r)))
            goto out;
    }
    if (o->save && !mlc_safetensors_write_params(o->save, m, r->buf.params, err, sizeof err))
        rc = error(r, "%s", err);
out:
    batch_free(&gb);
    return rc;
}

int mlc_main(int argc, char **argv, const MlcModel *model) {
    Run r;
    memset(&r, 0, sizeof r);
    r.m = model;
    r.prog = argc > 0 && argv[0] ? argv[0] : model->name;
    const char *slash = strrchr(r.prog, '/');
    if (slash)
        r.prog = slash + 1;
    int rc = run(&r, argc, argv);
    run_close(&r);
    fflush(stdout);
    return rc;
}
