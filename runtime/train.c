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
 * last one partial, like DataLoader(drop_last=False), unless the model says drop_last. In
 * file order and without transforms the generated code reads straight from a data set of
 * floats; images kept as bytes become floats in a buffer a batch at a time, and shuffled or
 * transformed batches are gathered into it (gather): the train block's transforms run there,
 * in order, the random ones (seeded by the step) only in training, and one_hot turns the
 * batch's labels into rows of K floats.
 *
 * Nothing is lost: --save and --checkpoint are checked before training; --save implies a
 * checkpoint after every epoch; a loss that is not finite stops the run before anything is
 * written; output that cannot be written stops it too (exit status 1).
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
    MlcBuffers buf;    /* the buffers in host memory (with a device: the host mirrors) */
    MlcBuffers dev;    /* with a device: the buffers the model is bound to, there */
    bool device_open;  /* m->device->open() succeeded: close() it */
    MlcDataset dtrain; /* with a device: the data sets there (their arrays in its memory) */
    MlcDataset dtest;
    int64_t *dperm; /* and the epoch's order of the training set */
    float *dx;      /* and a batch's inputs and targets, which forward() reads */
    void *dy;
    float *dslot[MLC_OPTIM_SLOTS]; /* and the optimizer's state (ostate has the host's copy) */
    double *dacc;                  /* and the test pass's sums (MlcModel.eval_accumulate) */
    void *state;
    float *xbatch;        /* batches of bytes become floats here, shuffled ones gathered */
    void *ybatch;         /* and their targets */
    int64_t *perm;        /* the order of the training set */
    uint64_t step;        /* training steps taken, over all epochs: the dropout masks' seed */
    MlcOptimState ostate; /* the optimizer's moments and step count */
    double lr;            /* this epoch's learning rate (the schedule's) */
    bool resumed;         /* --resume: training goes on from `from` */
    int64_t kept;         /* the epoch of the last checkpoint this run wrote, or 0 */
    char *checkpoint;     /* the checkpoint --save implies, or NULL */
    bool bar;             /* a progress bar: stdout is a terminal, and no --quiet */
    double epoch_start;   /* when this epoch began, for the bar */
    double drawn;         /* when the bar was last drawn */
    MlcCheckpoint from;
    float *sample;    /* one sample's inputs, for the random crop */
    FILE *log;        /* --log FILE, or NULL */
    double run_start; /* when training began, for the log's seconds */
    double *curves;   /* --plot: per epoch, the train loss, the test loss and accuracy */
    int64_t ncurves;
    int64_t epoch;       /* the epoch in progress, from 0 */
    int64_t epoch_total; /* the samples it trains on (fewer with drop_last) */
} Run;

static void run_close(Run *r) {
    const MlcDevice *d = r->m->device;
    if (d) {
        void *blocks[] = {r->dev.params, r->dev.grads, r->dev.states, r->dev.acts, r->dtrain.x,
                          r->dtrain.x8,  r->dtrain.y,  r->dtrain.yf,  r->dtest.x,  r->dtest.x8,
                          r->dtest.y,    r->dtest.yf,  r->dperm,      r->dx,       r->dy,
                          r->dslot[0],   r->dslot[1],  r->dslot[2],   r->dacc};
        for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
            if (blocks[i])
                d->release(blocks[i]);
        free(r->dev.host_out);
        if (r->device_open)
            d->close();
    }
    mlc_dataset_free(&r->train);
    mlc_dataset_free(&r->test);
    free(r->buf.params);
    free(r->buf.grads);
    free(r->buf.states);
    mlc_optim_state_close(&r->ostate);
    free(r->buf.acts);
    free(r->state);
    free(r->xbatch);
    free(r->ybatch);
    free(r->perm);
    free(r->checkpoint);
    free(r->sample);
    free(r->curves);
    if (r->log)
        fclose(r->log);
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

/* Loads the split ("train" or "test") of the data set with the model's loader: --data (an
 * idx directory holds both splits) or --test. */
static int load_set(Run *r, MlcDataset *d, const char *split) {
    const MlcLoader *loader = mlc_loader_find(r->m->data_kind);
    char err[1024];
    if (!loader)
        return error(r, "model '%s': no loader for its data set", r->m->name);
    bool test = strcmp(split, "test") == 0 && r->m->data_kind != MLC_DATA_IDX;
    MlcSource src = {split, test ? r->opt.test : r->opt.data, test ? r->opt.test2 : r->opt.data2};
    if (!src.path)
        return error(r, "no %s set: give --%s PATH", test ? "test" : "training",
                     test ? "test" : "data");
    if (!loader->load(d, &src, r->m, err, sizeof err))
        return error(r, "%s", err);
    if (d->n > INT32_MAX) {
        mlc_dataset_free(d);
        return error(r, "%s: more than %d samples", r->opt.data, INT32_MAX);
    }
    return 0;
}

/* Bytes of one sample's target: a label, or y_size floats. */
static size_t target_bytes(const MlcModel *m) {
    return m->y_kind == MLC_TARGET_CLASS ? sizeof(int32_t) : m->y_size * sizeof(float);
}

/* Buffers for batches of up to max_batch samples, bound to a zeroed state. */
static int allocate(Run *r, int64_t max_batch) {
    const MlcModel *m = r->m;
    MlcBuffers *b = &r->buf;
    size_t np = m->nparams ? m->nparams : 1;
    b->max_batch = max_batch;
    b->params = calloc(np, sizeof(float));
    b->grads = calloc(np, sizeof(float));
    b->states = calloc(m->nstates ? m->nstates : 1, sizeof(float));
    /* acts_per_sample * max_batch + acts_fixed, with the overflow checked */
    size_t nacts = 0;
    if (m->acts_per_sample > (SIZE_MAX / sizeof(float) - m->acts_fixed - 1) / (size_t)max_batch)
        return error(r, "out of memory: %lld samples per batch", (long long)max_batch);
    nacts = m->acts_per_sample * (size_t)max_batch + m->acts_fixed;
    b->acts = calloc(nacts ? nacts : 1, sizeof(float));
    r->state = calloc(m->state_size ? m->state_size : 1, 1);
    if (!b->params || !b->grads || !b->states || !b->acts || !r->state ||
        !mlc_optim_state_open(&r->ostate, &r->opt.optim, m->nparams))
        return error(r, "out of memory for %zu parameters and %zu activations", m->nparams, nacts);
    if (!m->device) {
        m->bind(r->state, b);
        return 0;
    }
    /* the same blocks on the device (b keeps the host's mirrors of the first three), and
     * host memory for the outputs that output() copies back */
    const MlcDevice *d = m->device;
    char err[1024];
    if (!d->open(r->opt.tf32, err, sizeof err))
        return error(r, "%s", err);
    r->device_open = true;
    MlcBuffers *db = &r->dev;
    db->max_batch = max_batch;
    db->params = d->alloc(np * sizeof(float));
    db->grads = d->alloc(np * sizeof(float));
    db->states = d->alloc((m->nstates ? m->nstates : 1) * sizeof(float));
    db->acts = d->alloc((nacts ? nacts : 1) * sizeof(float));
    db->host_out = malloc(((size_t)max_batch * m->out_size + 1) * sizeof(float));
    r->dx = d->alloc((size_t)max_batch * m->x_size * sizeof(float) + 1);
    r->dy = d->alloc((size_t)max_batch * target_bytes(m) + 1);
    for (int i = 0; i < r->ostate.nslots; i++)
        r->dslot[i] = d->alloc(np * sizeof(float));
    if (m->eval_accumulate)
        r->dacc = d->alloc(2 * sizeof(double));
    if (!db->host_out)
        return error(r, "out of memory for %lld outputs", (long long)max_batch);
    m->bind(r->state, db);
    return 0;
}

/* A copy of the data set h on the device: the same fields, its arrays there. */
static void set_to_device(Run *r, const MlcDataset *h, MlcDataset *dv) {
    const MlcDevice *d = r->m->device;
    *dv = *h;
    dv->x = dv->yf = NULL;
    dv->x8 = NULL;
    dv->y = NULL;
    size_t n = (size_t)h->n;
    if (h->x) {
        dv->x = d->alloc(n * h->x_size * sizeof(float));
        d->upload(dv->x, h->x, n * h->x_size * sizeof(float));
    }
    if (h->x8) {
        dv->x8 = d->alloc(n * h->x_size);
        d->upload(dv->x8, h->x8, n * h->x_size);
    }
    if (h->y) {
        dv->y = d->alloc(n * sizeof(int32_t));
        d->upload(dv->y, h->y, n * sizeof(int32_t));
    }
    if (h->yf) {
        dv->yf = d->alloc(n * h->y_size * sizeof(float));
        d->upload(dv->yf, h->yf, n * h->y_size * sizeof(float));
    }
}

/* A batch in host memory (--grads, --inputs, --predict, --outputs) where forward() reads it:
 * on a device, copied into its batch buffers. */
static void batch_to_device(Run *r, const float **x, const void **y, int64_t n) {
    const MlcDevice *d = r->m->device;
    if (!d)
        return;
    d->upload(r->dx, *x, (size_t)n * r->m->x_size * sizeof(float));
    d->upload(r->dy, *y, (size_t)n * target_bytes(r->m));
    *x = r->dx;
    *y = r->dy;
}

/* The parameters, the running state and the optimizer's state, initialised or loaded on the
 * host, to the device. */
static void to_device(Run *r) {
    const MlcDevice *d = r->m->device;
    if (!d)
        return;
    d->upload(r->dev.params, r->buf.params, r->m->nparams * sizeof(float));
    d->upload(r->dev.states, r->buf.states, r->m->nstates * sizeof(float));
    for (int i = 0; i < r->ostate.nslots; i++)
        d->upload(r->dslot[i], r->ostate.slot[i], r->m->nparams * sizeof(float));
}

/* The parameters, the running state and the optimizer's state (and the gradients, if grads)
 * back to the host. */
static void to_host(Run *r, bool grads) {
    const MlcDevice *d = r->m->device;
    if (!d)
        return;
    d->download(r->buf.params, r->dev.params, r->m->nparams * sizeof(float));
    d->download(r->buf.states, r->dev.states, r->m->nstates * sizeof(float));
    for (int i = 0; i < r->ostate.nslots; i++)
        d->download(r->ostate.slot[i], r->dslot[i], r->m->nparams * sizeof(float));
    if (grads)
        d->download(r->buf.grads, r->dev.grads, r->m->nparams * sizeof(float));
}

/* The seed of training step `step` of a run seeded with `base`, for the dropout masks, where
 * the model reads it. */
static void set_seed(Run *r, uint64_t base, uint64_t step) {
    r->buf.seed = r->dev.seed = mlc_step_seed(base, step);
    r->buf.seed_base = r->dev.seed_base = base;
    r->buf.seed_step = r->dev.seed_step = step;
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

/* The batch of n samples: idx[start], ..., idx[start + n - 1] of d, or (idx NULL) start and
 * the n after it, as forward() takes them, in *x and *y. In file order without transforms
 * they point into d (bytes become floats in r->xbatch); otherwise they are gathered into
 * r->xbatch and r->ybatch and transformed there (train: the random transforms too). */
static void gather(Run *r, const MlcDataset *d, const int64_t *idx, int64_t start, int64_t n,
                   bool train, const float **x, const void **y) {
    const MlcModel *m = r->m;
    if (!idx && !m->ntransforms) {
        *x = mlc_dataset_x(d, start, n, r->xbatch);
    } else {
        for (int64_t i = 0; i < n; i++) {
            int64_t k = idx ? idx[start + i] : start + i;
            float *dst = r->xbatch + (size_t)i * d->x_size;
            const float *src = mlc_dataset_x(d, k, 1, dst); /* dst, for bytes */
            if (src != dst)
                memcpy(dst, src, d->x_size * sizeof(float));
        }
        mlc_transform_batch(r->m, r->xbatch, n, r->buf.seed, train, r->sample);
        *x = r->xbatch;
    }
    if (m->one_hot) { /* label k: a row of zeros with a one at k */
        float *yb = r->ybatch;
        memset(yb, 0, (size_t)n * m->y_size * sizeof(float));
        for (int64_t i = 0; i < n; i++)
            yb[(size_t)i * m->y_size + (size_t)d->y[idx ? idx[start + i] : start + i]] = 1.0f;
        *y = yb;
    } else if (!idx) {
        *y = mlc_dataset_y(d, start);
    } else {
        size_t ybytes = d->y ? sizeof(int32_t) : d->y_size * sizeof(float);
        for (int64_t i = 0; i < n; i++)
            memcpy((char *)r->ybatch + (size_t)i * ybytes, mlc_dataset_y(d, idx[start + i]),
                   ybytes);
        *y = r->ybatch;
    }
}

/* The same batch where forward() reads it. With a device: gathered there, from its copy of
 * the data set (set_to_device), or else on the host and copied there. */
static void fetch(Run *r, const MlcDataset *d, const int64_t *idx, int64_t start, int64_t n,
                  bool train, const float **x, const void **y) {
    const MlcDataset *dv = d == &r->train ? &r->dtrain : &r->dtest;
    if (r->m->device && (dv->x || dv->x8)) { /* nothing crosses */
        r->m->device->gather(dv, idx ? r->dperm : NULL, start, n, r->dx, r->dy);
        *x = r->dx;
        *y = r->dy;
        return;
    }
    gather(r, d, idx, start, n, train, x, y);
    batch_to_device(r, x, y, n);
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

/* stdout could not be written (a full disk, a closed pipe when SIGPIPE is ignored). The
 * reason is errno from the failed write, if nothing has changed it since. */
static int stdout_error(Run *r) {
    int e = errno;
    clearerr(stdout);
    return error(r, "cannot write to standard output%s%s", e ? ": " : "", e ? strerror(e) : "");
}

/* The quickstart's test_loop: mean of the per-batch mean losses, and the fraction of
 * samples whose largest output is the label. */
static double evaluate(Run *r, double *accuracy) {
    const MlcModel *m = r->m;
    const MlcDataset *d = &r->test;
    int64_t B = r->opt.batch, nclass = mlc_model_classes(m);
    double test_loss = 0.0;
    int64_t correct = 0, num_batches = 0;
    bool classify = nclass > 0 && m->out_size == (size_t)nclass && m->output;
    /* on a device, the sums stay there until the end */
    bool on_device = m->device && m->eval_accumulate && (r->dtest.x || r->dtest.x8);
    double acc[2] = {0.0, 0.0};
    if (on_device)
        m->device->upload(r->dacc, acc, sizeof acc);
    for (int64_t start = 0; start < d->n; start += B) {
        int64_t n = d->n - start < B ? d->n - start : B;
        const float *x;
        const void *y;
        fetch(r, d, NULL, start, n, false, &x, &y);
        eval_forward(r, x, y, n);
        num_batches++;
        if (on_device) {
            m->eval_accumulate(r->state, y, n, r->dacc);
            continue;
        }
        test_loss += (double)eval_loss(r);
        if (classify) {
            const float *out = eval_output(r);
            for (int64_t i = 0; i < n; i++)
                correct += argmax(out + (size_t)i * m->out_size, nclass) == d->y[start + i];
        }
    }
    if (on_device) {
        m->device->download(acc, r->dacc, sizeof acc);
        test_loss = acc[0];
        correct = (int64_t)acc[1];
    }
    test_loss /= (double)num_batches;
    *accuracy = classify ? (double)correct / (double)d->n : (double)NAN;
    if (classify)
        printf("Test Error: \n Accuracy: %.1f%%, Avg loss: %8f \n\n",
               100.0 * ((double)correct / (double)d->n), test_loss);
    else
        printf("Test Error: \n Avg loss: %8f \n\n", test_loss);
    return test_loss;
}

/* On a terminal, the epoch's progress on one line, redrawn: a bar, the samples done, the
 * last batch's loss, samples per second and the time left; done ends the line. */
static void progress(Run *r, int64_t done, double loss, bool end) {
    int64_t total = r->epoch_total;
    double t = now() - r->epoch_start, rate = t > 0 ? (double)done / t : 0.0;
    double left = rate > 0 ? (double)(total - done) / rate : 0.0;
    char bar[31];
    int fill = (int)(30 * done / total);
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
    bar[30] = '\0';
    printf("\r[%s] %lld/%lld  loss %.4f  %.0f samples/s  %s %d:%02d\033[K%s", bar, (long long)done,
           (long long)total, loss, rate, end ? "took" : "ETA", (int)(end ? t : left) / 60,
           (int)(end ? t : left) % 60, end ? "\n" : "");
    fflush(stdout);
    r->drawn = now();
}

/* The quickstart's train_loop for one epoch. The loss is read every 100 batches (printed
 * unless --quiet; on a terminal, a progress bar instead, redrawn five times a second) and
 * after the last one; a loss that is not finite (the run diverged) stops the epoch at once:
 * returns false with the batch in *bad and the loss in *loss. With --plot every step's loss
 * is read, and *mean is their mean so far. With drop_last the epoch ends at the last whole
 * batch. */
static bool train_epoch(Run *r, MlcRng *rng, int64_t *bad, double *loss, double *mean) {
    const MlcModel *m = r->m;
    const MlcDataset *d = &r->train;
    int64_t B = r->opt.batch;
    /* drop_last: the batches that are whole */
    int64_t end = m->drop_last ? d->n - d->n % B : d->n, nbatches = 0;
    double sum = 0.0;
    r->epoch_total = end;
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
        if (r->dperm) /* the epoch's order to the device: its batches are gathered there */
            m->device->upload(r->dperm, r->perm, (size_t)d->n * sizeof(int64_t));
    }
    for (int64_t batch = 0, start = 0; start < end; batch++, start += B) {
        int64_t n = end - start < B ? end - start : B;
        const float *x;
        const void *y;
        set_seed(r, r->opt.seed, r->step++); /* dropout's and the transforms' */
        fetch(r, d, r->opt.shuffle ? r->perm : NULL, start, n, true, &x, &y);
        if (m->train_step && mlc_optim_is_plain_sgd(&r->opt.optim)) {
            m->train_step(r->state, x, y, n, (float)r->lr); /* SGD folded into the GEMMs */
            r->ostate.step++;
        } else {
            m->forward(r->state, x, y, n);
            m->backward(r->state, x, y, n);
            if (m->device) { /* the same update, on the device, all parameters at once */
                r->ostate.step++;
                MlcOptimCoefs c = mlc_optim_coefs(&r->opt.optim, &r->ostate, r->ostate.step, r->lr);
                m->device->optim_step(&c, r->dev.params, r->dev.grads, r->dslot, m->nparams);
            } else {
                mlc_optim_step(&r->opt.optim, &r->ostate, r->lr, r->buf.params, r->buf.grads,
                               m->nparams);
            }
        }
        bool last = start + B >= end;
        bool draw = r->bar && (last || now() - r->drawn >= 0.2);
        if (r->curves) { /* --plot: every step's loss, for the epoch's mean */
            sum += (double)m->loss(r->state);
            nbatches++;
            *mean = sum / (double)nbatches;
        }
        if (batch % 100 != 0 && !last && !draw)
            continue;
        *loss = (double)m->loss(r->state); /* the only times a step's loss is read (or --plot) */
        if (r->log && (batch % 100 == 0 || last)) /* the same lines on a terminal or not */
            fprintf(r->log, "%lld,%llu,train,%.6f,,%.9g,%.3f\n", (long long)r->epoch + 1,
                    (unsigned long long)r->step, *loss, r->lr, now() - r->run_start);
        if (draw)
            progress(r, start + n, *loss, last);
        else if (batch % 100 == 0 && !r->opt.quiet && !r->bar)
            printf("loss: %7f  [%5lld/%5lld]\n", *loss, (long long)((batch + 1) * n),
                   (long long)d->n);
        if (!isfinite(*loss)) {
            *bad = batch + 1;
            if (r->bar && !last)
                printf("\n"); /* end the bar's line before the message */
            return false;
        }
    }
    return true;
}

/* Training diverged in epoch t (from 0): say so, and where the last good weights are. The
 * weights in memory are not finite any more, so neither --save nor this epoch's checkpoint is
 * written: the files there keep what they had. */
static int diverged(Run *r, int64_t t, const char *where, double loss) {
    char last[4200];
    if (r->kept)
        snprintf(last, sizeof last, "%s keeps the weights of epoch %lld", r->opt.checkpoint,
                 (long long)r->kept);
    else
        snprintf(last, sizeof last, "no epoch of this run finished, so it kept no weights");
    return error(r,
                 "the loss is %g %s of epoch %lld: training diverged, so it stopped (try a "
                 "smaller --lr); %s%s%s%s",
                 loss, where, (long long)t + 1, last, r->opt.save ? "; " : "",
                 r->opt.save ? r->opt.save : "", r->opt.save ? " was not written" : "");
}

static int train(Run *r) {
    const MlcModel *m = r->m;
    if (r->opt.shuffle && r->opt.epochs > 0) {
        r->perm = malloc((size_t)r->train.n * sizeof(int64_t));
        if (!r->perm)
            return error(r, "out of memory for shuffling");
        if (r->dtrain.x || r->dtrain.x8)
            r->dperm = r->m->device->alloc((size_t)r->train.n * sizeof(int64_t));
    }
    if (m->drop_last && r->train.n < r->opt.batch)
        return error(r,
                     "drop_last: the training set has %lld samples, not one whole batch of %lld; "
                     "nothing to train on",
                     (long long)r->train.n, (long long)r->opt.batch);
    if (r->opt.plot && !(r->curves = malloc((size_t)r->opt.epochs * 3 * sizeof(double) + 1)))
        return error(r, "out of memory");
    MlcRng rng;
    mlc_rng_seed_stream(&rng, r->opt.seed, MLC_RNG_STREAM_SHUFFLE);
    int64_t first = 0;
    if (r->resumed) { /* where the checkpoint left off: the same batches, masks and weights */
        rng = r->from.rng;
        r->step = r->from.step;
        first = r->from.epoch;
    }
    r->run_start = now();
    for (int64_t t = first; t < r->opt.epochs; t++) {
        /* the schedule's rate for this epoch, as scheduler.step() after each epoch gives */
        r->lr = mlc_schedule_lr(&r->opt.schedule, r->opt.optim.lr, t);
        r->epoch = t;
        printf("Epoch %lld\n-------------------------------\n", (long long)(t + 1));
        double t0 = now(), loss = 0.0, mean = (double)NAN, accuracy = (double)NAN;
        r->epoch_start = r->drawn = t0;
        int64_t bad = 0;
        if (!train_epoch(r, &rng, &bad, &loss, &mean)) {
            char where[64];
            snprintf(where, sizeof where, "at batch %lld", (long long)bad);
            return diverged(r, t, where, loss);
        }
        double t1 = now();
        errno = 0;
        if (r->test.n > 0 && !isfinite(loss = evaluate(r, &accuracy)))
            return diverged(r, t, "on the test set after", loss);
        if (fflush(stdout) != 0 || ferror(stdout)) /* a full disk: stop, as cat would */
            return stdout_error(r);
        if (r->log && r->test.n > 0) {
            fprintf(r->log, "%lld,%llu,test,%.6f,", (long long)t + 1, (unsigned long long)r->step,
                    loss);
            if (!isnan(accuracy))
                fprintf(r->log, "%.6f", accuracy);
            fprintf(r->log, ",%.9g,%.3f\n", r->lr, now() - r->run_start);
        }
        if (r->log && (fflush(r->log) != 0 || ferror(r->log)))
            return error(r, "--log %s: cannot write: %s", r->opt.log, strerror(errno));
        if (r->curves) { /* the picture of the epochs so far, so a killed run keeps one */
            double *c = r->curves + 3 * r->ncurves++;
            char err[1024];
            c[0] = mean;
            c[1] = r->test.n > 0 ? loss : (double)NAN;
            c[2] = accuracy;
            if (!mlc_plot_curves(r->opt.plot, r->curves, r->ncurves, first, err, sizeof err))
                return error(r, "%s", err);
        }
        if (r->opt.time) {
            fflush(stdout);
            fprintf(stderr, "time: epoch %lld: train %.3f s, test %.3f s\n", (long long)(t + 1),
                    t1 - t0, now() - t1);
        }
        bool due = (t + 1) % r->opt.checkpoint_every == 0 || t + 1 == r->opt.epochs;
        if (r->opt.checkpoint && due) {
            MlcCheckpoint c = {t + 1, r->step, rng};
            to_host(r, false);
            char err[1024];
            if (!mlc_checkpoint_write(r->opt.checkpoint, r->m, &r->buf, &r->opt.optim, &r->ostate,
                                      &c, err, sizeof err))
                return error(r, "%s", err);
            r->kept = t + 1;
        }
    }
    printf("Done!\n");
    return 0;
}

/* Can the run write path at the end (or every epoch)? Checked before training starts, so
 * a typo does not cost the whole run (mlc_output_check: a writable directory, and nothing
 * there that is not a regular file). */
static int check_output(Run *r, const char *option, const char *path) {
    char err[1024];
    if (!mlc_output_check(path, err, sizeof err))
        return error(r, "%s %s", option, err);
    /* nor one of the data set's files (it is there: the data set was loaded from it) */
    const char *inputs[] = {r->opt.data, r->opt.data2, r->opt.test, r->opt.test2};
    struct stat out, in;
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        if (inputs[i] && stat(path, &out) == 0 && stat(inputs[i], &in) == 0 &&
            out.st_dev == in.st_dev && out.st_ino == in.st_ino)
            return error(r, "%s %s: that is the data set's file %s; it will not be replaced",
                         option, path, inputs[i]);
    return 0;
}

/* The checkpoint that --save FILE implies when training, so that a run killed in its last
 * epoch loses one epoch, not all: NAME.checkpoint.safetensors for NAME.safetensors, else
 * FILE.checkpoint. Allocated. */
static char *checkpoint_name(const char *save) {
    const char *ext = ".safetensors";
    size_t len = strlen(save), elen = strlen(ext);
    bool has_ext = len > elen && strcmp(save + len - elen, ext) == 0;
    char *s = malloc(len + 32);
    if (s && has_ext)
        sprintf(s, "%.*s.checkpoint%s", (int)(len - elen), save, ext);
    else if (s)
        sprintf(s, "%s.checkpoint", save);
    return s;
}

/* --val-split X: a seeded choice of round(X * n) samples of the training set becomes the
 * test set (the same samples for the same --seed, whatever else changes); both keep the
 * file's order. */
static int split_off(Run *r) {
    MlcDataset *d = &r->train, *v = &r->test;
    int64_t nv = (int64_t)llround((double)d->n * r->opt.val_split);
    if (nv < 1 || nv >= d->n)
        return error(r, "--val-split %g of %lld samples leaves %s", r->opt.val_split,
                     (long long)d->n, nv < 1 ? "no test set" : "no training set");
    bool *chosen = calloc((size_t)d->n, sizeof *chosen);
    int64_t *perm = malloc((size_t)d->n * sizeof *perm);
    /* inputs are floats or bytes, targets labels or floats: moved as bytes */
    size_t xbytes = d->x_size * (d->x ? sizeof(float) : 1);
    size_t ybytes = d->y ? sizeof(int32_t) : d->y_size * sizeof(float);
    char *vx = malloc((size_t)nv * xbytes + 1), *vy = malloc((size_t)nv * ybytes + 1);
    char *tx = d->x ? (char *)d->x : (char *)d->x8, *ty = d->y ? (char *)d->y : (char *)d->yf;
    if (!chosen || !perm || !vx || !vy) {
        free(chosen);
        free(perm);
        free(vx);
        free(vy);
        return error(r, "out of memory splitting off the test set");
    }
    /* the first nv of a Fisher-Yates shuffle of the sample numbers */
    MlcRng rng;
    mlc_rng_seed_stream(&rng, r->opt.seed, MLC_RNG_STREAM_SPLIT);
    for (int64_t i = 0; i < d->n; i++)
        perm[i] = i;
    for (int64_t i = 0; i < nv; i++) {
        int64_t j = i + mlc_rng_below(&rng, (uint32_t)(d->n - i));
        int64_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        chosen[perm[i]] = true;
    }
    /* the chosen samples to v, the others moved up in place */
    int64_t kv = 0, kt = 0;
    for (int64_t i = 0; i < d->n; i++) {
        size_t k = (size_t)(chosen[i] ? kv++ : kt++);
        memmove((chosen[i] ? vx : tx) + k * xbytes, tx + (size_t)i * xbytes, xbytes);
        memmove((chosen[i] ? vy : ty) + k * ybytes, ty + (size_t)i * ybytes, ybytes);
    }
    v->n = nv;
    v->x_size = d->x_size;
    v->y_size = d->y_size;
    v->scale = d->scale;
    if (d->x)
        v->x = (float *)(void *)vx;
    else
        v->x8 = (uint8_t *)vx;
    if (d->y)
        v->y = (int32_t *)(void *)vy;
    else
        v->yf = (float *)(void *)vy;
    d->n = kt;
    free(chosen);
    free(perm);
    return 0;
}

static int predict(Run *r) {
    const MlcModel *m = r->m;
    int64_t i = r->opt.predict;
    int64_t nclass = mlc_model_classes(m);
    if (!nclass)
        return error(r, "--predict: model '%s' has a float target, not classes to predict",
                     m->name);
    if (!m->output || m->out_size != (size_t)nclass)
        return error(r, "--predict: model '%s' has no output of %lld class scores", m->name,
                     (long long)nclass);
    const float *x;
    const void *y;
    fetch(r, &r->test, NULL, i, 1, false, &x, &y);
    eval_forward(r, x, y, 1);
    int64_t pred = argmax(eval_output(r), nclass);
    int64_t actual = r->test.y[i];
    if (m->class_names)
        printf("Predicted: \"%s\", Actual: \"%s\"\n", m->class_names[pred], m->class_names[actual]);
    else
        printf("Predicted: %lld, Actual: %lld\n", (long long)pred, (long long)actual);
    return 0;
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

/* --outputs FILE: the evaluation pass's output for the batch b, or (b NULL) for every test
 * sample in batches of --batch as the test pass runs it, as one tensor "outputs"
 * [n, out_size]; for a batch, its mean loss too ("loss"). What another build of the same
 * model (the firmware target) or PyTorch is checked against, value by value. */
static int write_outputs(Run *r, const Batch *b) {
    const MlcModel *m = r->m;
    const MlcDataset *d = &r->test;
    int64_t total = b ? b->n : d->n, B = b ? b->n : r->opt.batch;
    float *all = malloc((size_t)total * m->out_size * sizeof(float) + 1), loss = 0.0f;
    if (!all)
        return error(r, "out of memory for %lld outputs", (long long)total);
    for (int64_t start = 0; start < total; start += B) {
        int64_t n = total - start < B ? total - start : B;
        const float *x = b ? b->x : NULL;
        const void *y = b ? b->y : NULL;
        if (b)
            batch_to_device(r, &x, &y, n);
        else
            fetch(r, d, NULL, start, n, false, &x, &y);
        eval_forward(r, x, y, n);
        memcpy(all + (size_t)start * m->out_size, eval_output(r),
               (size_t)n * m->out_size * sizeof(float));
        loss = eval_loss(r);
    }
    MlcTensor t[2] = {{"outputs", 2, {total, (int64_t)m->out_size}, all}, {"loss", 0, {0}, &loss}};
    char err[1024];
    bool ok = mlc_safetensors_write(r->opt.outputs, t, b ? 2 : 1, err, sizeof err);
    free(all);
    return ok ? 0 : error(r, "%s", err);
}

/* Forward and backward on a batch, no update. Returns the loss. */
static float batch_grads(Run *r, const Batch *b) {
    const float *x = b->x;
    const void *y = b->y;
    batch_to_device(r, &x, &y, b->n);
    r->m->forward(r->state, x, y, b->n);
    float loss = r->m->loss(r->state);
    r->m->backward(r->state, x, y, b->n);
    to_host(r, true);
    return loss;
}

/* --grads FILE: every parameter's gradient under the parameter's name, the loss, and the
 * running state as the training forward pass left it (batch norm's statistics). */
static int write_grads(Run *r, float loss) {
    const MlcModel *m = r->m;
    int n = m->nparam + 1 + m->nstate;
    MlcTensor *t = calloc((size_t)n, sizeof *t);
    if (!t)
        return error(r, "out of memory");
    for (int i = 0; i < m->nparam + m->nstate; i++) {
        const MlcParam *p = i < m->nparam ? &m->params[i] : &m->states[i - m->nparam];
        int at = i < m->nparam ? i : i + 1;
        t[at].name = p->name;
        t[at].rank = p->rank;
        memcpy(t[at].shape, p->shape, sizeof p->shape);
        t[at].data = (i < m->nparam ? r->buf.grads : r->buf.states) + p->offset;
    }
    t[m->nparam].name = "loss";
    t[m->nparam].rank = 0;
    t[m->nparam].data = &loss;
    char err[1024];
    bool ok = mlc_safetensors_write(r->opt.grads, t, n, err, sizeof err);
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
    r->bar = r->bar && !o->quiet && !o->no_progress;
    if (o->help) {
        mlc_usage(stdout, r->prog, m);
        return 0;
    }
    if (o->version) {
        printf("%s: model '%s', generated by mlc from %s\n", r->prog, m->name, m->source);
        return 0;
    }
    bool nodata = m->data_kind == MLC_DATA_NONE;
    if (m->data_kind == MLC_DATA_IDX && !mlc_model_classes(m))
        return error(r, "model '%s': IDX data needs a class target", m->name);
    if (!nodata && o->batch < 1)
        return error(r, "model '%s' has no batch size: give --batch N", m->name);
#ifdef OPENBLAS_THREAD /* only OpenBLAS's cblas.h defines it */
    if (o->threads > 0)
        openblas_set_num_threads(o->threads);
    else if (m->own_threads)
        openblas_set_num_threads(1);
#else
    if (o->threads > 0)
        fprintf(stderr, "%s: warning: --threads: this program's BLAS has no thread setting\n",
                r->prog);
#endif

    /* What to do, and so which data sets to load. */
    bool action = o->eval || o->predict >= 0 || o->grads || o->check_grads || o->outputs;
    bool training = !nodata && !action && o->epochs > 0;
    if (o->inputs && !o->grads && !o->check_grads && !o->outputs)
        return error(r, "--inputs: give --grads FILE, --check-grads or --outputs FILE to say what "
                        "to do with it");
    if (o->outputs && !m->out_size)
        return error(r,
                     "--outputs: model '%s' has no output (declare one with 'output NAME = "
                     "...')",
                     m->name);
    if (o->outputs && !o->inputs && nodata)
        return error(r, "--outputs: model '%s' has no data set; give the batch with --inputs FILE",
                     m->name);
    bool test_outputs = o->outputs && !o->inputs;
    bool first_batch = (o->grads || o->check_grads) && !o->inputs;
    /* The test set: idx's directory has one; other formats name a file (--test), or split
     * one off the training set (--val-split), or have none (training prints no test lines,
     * and --eval and --predict have nothing to work on). */
    bool testing = training || o->eval || o->predict >= 0 || test_outputs;
    if (o->val_split > 0 && m->data_kind == MLC_DATA_IDX)
        return error(r, "--val-split: an idx data set's directory has its own test set");
    if (o->val_split > 0 && o->val_split != m->val_split && o->test)
        return error(r, "--val-split: the test set is %s (--test); give one or the other", o->test);
    bool split = !nodata && testing && m->data_kind != MLC_DATA_IDX && !o->test && o->val_split > 0;
    if (!nodata && (training || first_batch || split || o->show_samples) &&
        load_set(r, &r->train, "train"))
        return 1;
    if (split && split_off(r))
        return 1;
    if (!nodata && testing && !split && (m->data_kind == MLC_DATA_IDX || o->test) &&
        load_set(r, &r->test, "test"))
        return 1;
    if ((o->eval || o->predict >= 0) && r->test.n == 0)
        return error(r, "%s: no test set: give --test PATH, or --val-split X to split one off",
                     o->eval ? "--eval" : "--predict");
    if (o->predict >= r->test.n && o->predict >= 0)
        return error(r, "--predict: %lld is out of range, the test set has %lld images (0 to %lld)",
                     (long long)o->predict, (long long)r->test.n, (long long)r->test.n - 1);

    /* A batch's inputs as floats: images kept as bytes become floats here, and shuffled
     * samples are gathered here. */
    if (!nodata) {
        int64_t most = r->train.n > r->test.n ? r->train.n : r->test.n;
        size_t b = (size_t)(o->batch < most ? o->batch : most);
        /* the targets of a gathered batch (shuffled, one_hot): labels or y_size floats */
        r->xbatch = malloc(b * m->x_size * sizeof(float) + 1);
        r->ybatch = malloc(b * (m->y_size + 1) * sizeof(float));
        r->sample = malloc(m->x_size * sizeof(float));
        if (!r->xbatch || !r->ybatch || !r->sample)
            return error(r, "out of memory for a batch of %zu samples", b);
    }

    /* The batch of --grads, --check-grads and a data-less model's printout. */
    Batch gb = {0};
    int rc = 0;
    if (o->inputs && (rc = load_inputs(r, &gb)))
        goto out;
    if (!o->inputs && nodata && (rc = const_batch(r, &gb, o->batch)))
        goto out;
    if (!o->inputs && !nodata && r->train.n > 0) {
        gb.n = r->train.n < o->batch ? r->train.n : o->batch;
        gather(r, &r->train, NULL, 0, gb.n, false, &gb.x, &gb.y);
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
    set_seed(r, o->seed, 0); /* --grads and --check-grads: step 0's masks */
    if (o->check_grads && m->device) {
        rc = error(r, "--check-grads runs on the CPU: build the model for the c target");
        goto out;
    }
    if (training && o->save && !o->checkpoint && !o->no_checkpoint) {
        if (!(o->checkpoint = r->checkpoint = checkpoint_name(o->save))) {
            rc = error(r, "out of memory");
            goto out;
        }
    }
    if (o->no_checkpoint)
        o->checkpoint = NULL;
    if ((o->save && (rc = check_output(r, "--save", o->save))) ||
        (o->outputs && (rc = check_output(r, "--outputs", o->outputs))) ||
        (o->checkpoint && (rc = check_output(r, "--checkpoint", o->checkpoint))) ||
        (o->plot && (rc = check_output(r, "--plot", o->plot))) ||
        (o->show_samples && (rc = check_output(r, "--show-samples", o->show_samples))))
        goto out;
    /* the log: a new file, or with --resume the old one goes on */
    if (o->log && training && !(r->log = fopen(o->log, o->resume ? "a" : "w"))) {
        rc = error(r, "--log %s: cannot write: %s", o->log, strerror(errno));
        goto out;
    }
    if (r->log) { /* a line at a time, so a killed run keeps its log */
        setvbuf(r->log, NULL, _IOLBF, 0);
        if (ftell(r->log) == 0)
            fprintf(r->log, "epoch,step,split,loss,accuracy,lr,seconds\n");
    }
    if (o->show_samples &&
        !mlc_show_samples(o->show_samples, m, &r->train, o->seed, err, sizeof err)) {
        rc = error(r, "%s", err);
        goto out;
    }
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
        if (!mlc_safetensors_read_model(o->load, m, &r->buf, err, sizeof err)) {
            rc = error(r, "%s", err);
            goto out;
        }
    } else {
        mlc_init_params(m, r->buf.params, o->seed);
        mlc_init_states(m, r->buf.states);
        if (o->eval || o->predict >= 0 || o->outputs)
            fprintf(stderr,
                    "%s: warning: no --load, so this uses the untrained initial weights "
                    "(seed %llu)\n",
                    r->prog, (unsigned long long)o->seed);
    }

    to_device(r);
    /* the data sets to the device, where batches need nothing from the host (no transforms) */
    bool on_device = m->device && !m->ntransforms && !m->one_hot;
    if (on_device && training)
        set_to_device(r, &r->train, &r->dtrain);
    if (on_device && (training || o->eval) && r->test.n > 0)
        set_to_device(r, &r->test, &r->dtest);
    if (o->grads) {
        float loss = batch_grads(r, &gb);
        if ((rc = write_grads(r, loss)))
            goto out;
    }
    if (o->check_grads && mlc_check_grads(m, r->state, &r->buf, gb.x, gb.y, gb.n, stdout)) {
        rc = 1;
        goto out;
    }
    if (o->outputs && (rc = write_outputs(r, o->inputs ? &gb : NULL)))
        goto out;
    if (o->eval) {
        double accuracy;
        evaluate(r, &accuracy);
    }
    if (o->predict >= 0 && (rc = predict(r)))
        goto out;
    if (!action) {
        if (nodata)
            print_grads(r, batch_grads(r, &gb));
        else if ((rc = train(r)))
            goto out;
    }
    to_host(r, false);
    if (o->save && !mlc_safetensors_write_model(o->save, m, &r->buf, err, sizeof err))
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
    /* A log that goes to a file or a pipe is written line by line, as on a terminal, so a
     * killed run keeps what it printed. */
    if (!isatty(fileno(stdout)))
        setvbuf(stdout, NULL, _IOLBF, 0);
    else
        r.bar = true; /* unless --quiet (run) */
    errno = 0;
    int rc = run(&r, argc, argv);
    if ((fflush(stdout) != 0 || ferror(stdout)) && rc == 0)
        rc = stdout_error(&r);
    run_close(&r);
    return rc;
}
