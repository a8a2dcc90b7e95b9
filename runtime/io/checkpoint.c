/* io/checkpoint.c: training checkpoints that resume bit for bit.
 *
 * A checkpoint is a safetensors file that PyTorch still loads as a state_dict: the
 * parameters under their state_dict names; the optimizer's state under the prefix
 * "optimizer." (SGD's momentum buffer of parameter P is "optimizer.P.momentum_buffer", as
 * torch.optim.SGD names it in its state); and the scalars in the header's __metadata__, as
 * strings: the format, the model's name, the epochs completed, the training steps taken (the
 * dropout masks' seed counts them), the shuffle stream's PCG32 state, and the optimizer's
 * settings. Resuming restores all of it, so the run goes on exactly as if never stopped.
 *
 * The write is crash-safe: a temporary file beside the checkpoint, fsynced, renamed over
 * it, and the directory fsynced (mlc_safetensors_write_meta).
 */
#include "mlc_runtime.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT "mlc-checkpoint-1"

/* "optimizer.<param>.momentum_buffer" */
static char *momentum_name(const char *param) {
    size_t len = strlen(param) + 32;
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "optimizer.%s.momentum_buffer", param);
    return s;
}

bool mlc_checkpoint_write(const char *path, const MlcModel *m, const MlcBuffers *b,
                          const MlcSgd *opt, const MlcCheckpoint *c, char *err, size_t errlen) {
    int n = m->nparam * (b->velocity ? 2 : 1);
    MlcTensor *t = calloc((size_t)n + 1, sizeof *t);
    char **names = calloc((size_t)m->nparam + 1, sizeof *names);
    bool ok = t && names;
    for (int i = 0; ok && i < m->nparam; i++) {
        const MlcParam *p = &m->params[i];
        t[i] = (MlcTensor){p->name, p->rank, {0}, b->params + p->offset};
        memcpy(t[i].shape, p->shape, sizeof p->shape);
        if (!b->velocity)
            continue;
        names[i] = momentum_name(p->name);
        ok = names[i] != NULL;
        t[m->nparam + i] = t[i];
        t[m->nparam + i].name = names[i];
        t[m->nparam + i].data = b->velocity + p->offset;
    }
    char epoch[32], step[32], state[32], inc[32], lr[32], momentum[32], decay[32];
    snprintf(epoch, sizeof epoch, "%" PRId64, c->epoch);
    snprintf(step, sizeof step, "%" PRIu64, c->step);
    snprintf(state, sizeof state, "%" PRIu64, c->rng.state);
    snprintf(inc, sizeof inc, "%" PRIu64, c->rng.inc);
    snprintf(lr, sizeof lr, "%.9g", (double)opt->lr);
    snprintf(momentum, sizeof momentum, "%.9g", (double)opt->momentum);
    snprintf(decay, sizeof decay, "%.9g", (double)opt->weight_decay);
    const char *meta[] = {"mlc.format",
                          FORMAT,
                          "mlc.model",
                          m->name,
                          "mlc.epoch",
                          epoch,
                          "mlc.step",
                          step,
                          "mlc.rng_state",
                          state,
                          "mlc.rng_inc",
                          inc,
                          "mlc.optimizer",
                          "sgd",
                          "mlc.lr",
                          lr,
                          "mlc.momentum",
                          momentum,
                          "mlc.weight_decay",
                          decay,
                          NULL};
    if (ok)
        ok = mlc_safetensors_write_meta(path, t, n, meta, err, errlen);
    else
        mlc_fail(err, errlen, "%s: out of memory", path);
    for (int i = 0; names && i < m->nparam; i++)
        free(names[i]);
    free(names);
    free(t);
    return ok;
}

/* A whole number from the checkpoint's metadata. */
static bool meta_u64(const char *path, const char *key, uint64_t *out, char *err, size_t errlen) {
    char v[64];
    if (!mlc_safetensors_metadata(path, key, v, sizeof v, err, errlen))
        return false;
    char *end;
    *out = strtoull(v, &end, 10);
    if (end == v || *end)
        return mlc_fail(err, errlen, "%s: __metadata__ \"%s\" is '%s', not a whole number", path,
                        key, v);
    return true;
}

/* Copies tensor name of t into dst (size floats), checking its element count. */
static bool take(const char *path, const MlcTensor *t, int nt, const char *name, float *dst,
                 size_t size, char *err, size_t errlen) {
    for (int i = 0; i < nt; i++) {
        if (strcmp(t[i].name, name) != 0)
            continue;
        size_t numel = 1;
        for (int d = 0; d < t[i].rank; d++)
            numel *= (size_t)t[i].shape[d];
        if (numel != size)
            return mlc_fail(err, errlen, "%s: tensor '%s' has %zu elements, the model's %zu", path,
                            name, numel, size);
        memcpy(dst, t[i].data, size * sizeof(float));
        return true;
    }
    return mlc_fail(err, errlen, "%s: tensor '%s' is missing", path, name);
}

bool mlc_checkpoint_read(const char *path, const MlcModel *m, MlcBuffers *b, MlcCheckpoint *c,
                         char *err, size_t errlen) {
    char format[64], model[256];
    if (!mlc_safetensors_metadata(path, "mlc.format", format, sizeof format, err, errlen))
        return mlc_fail(err, errlen,
                        "%s: not a checkpoint (no mlc.format in its metadata); a weight file "
                        "goes with --load",
                        path);
    if (strcmp(format, FORMAT) != 0)
        return mlc_fail(err, errlen, "%s: checkpoint format '%s', this program reads '%s'", path,
                        format, FORMAT);
    if (!mlc_safetensors_metadata(path, "mlc.model", model, sizeof model, err, errlen))
        return false;
    if (strcmp(model, m->name) != 0)
        return mlc_fail(err, errlen, "%s: a checkpoint of model '%s', not of '%s'", path, model,
                        m->name);
    uint64_t epoch;
    if (!meta_u64(path, "mlc.epoch", &epoch, err, errlen) ||
        !meta_u64(path, "mlc.step", &c->step, err, errlen) ||
        !meta_u64(path, "mlc.rng_state", &c->rng.state, err, errlen) ||
        !meta_u64(path, "mlc.rng_inc", &c->rng.inc, err, errlen))
        return false;
    c->epoch = (int64_t)epoch;
    MlcTensor *t;
    int nt;
    if (!mlc_safetensors_read_all(path, &t, &nt, err, errlen))
        return false;
    bool ok = true;
    for (int i = 0; ok && i < m->nparam; i++) {
        const MlcParam *p = &m->params[i];
        ok = take(path, t, nt, p->name, b->params + p->offset, p->size, err, errlen);
        if (ok && b->velocity) {
            /* a checkpoint written without momentum has no buffer: it starts at zero, as
             * torch.optim.SGD's does (its first step sets it to the gradient) */
            char *name = momentum_name(p->name);
            char ignored[256];
            ok = name != NULL;
            if (ok &&
                !take(path, t, nt, name, b->velocity + p->offset, p->size, ignored, sizeof ignored))
                memset(b->velocity + p->offset, 0, p->size * sizeof(float));
            free(name);
        }
    }
    mlc_tensors_free(t, nt);
    return ok;
}
