/* io/checkpoint.c: training checkpoints that resume bit for bit.
 *
 * A checkpoint is a safetensors file that PyTorch still loads as a state_dict: the
 * parameters under their state_dict names; the optimizer's state under the prefix
 * "optimizer.", each slot named as torch.optim names it in its state (Adam's first moment
 * of parameter P is "optimizer.P.exp_avg"); and the scalars in the header's __metadata__, as
 * strings: the format, the model's name, the epochs completed, the training steps taken (the
 * dropout masks' seed counts them), the shuffle stream's PCG32 state, the optimizer, its step
 * count and its settings. Resuming restores all of it, so the run goes on exactly as if
 * never stopped; the learning-rate schedule's position is the epoch.
 *
 * The write is crash-safe: a temporary file beside the checkpoint, fsynced, renamed over
 * it, and the directory fsynced (mlc_safetensors_write_meta).
 */
#include "mlc_runtime.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT "mlc-checkpoint-1"

/* "optimizer.<param>.<slot>" */
static char *slot_name(const char *param, const char *slot) {
    size_t len = strlen(param) + strlen(slot) + 16;
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "optimizer.%s.%s", param, slot);
    return s;
}

bool mlc_checkpoint_write(const char *path, const MlcModel *m, const MlcBuffers *b,
                          const MlcOptim *opt, const MlcOptimState *state, const MlcCheckpoint *c,
                          char *err, size_t errlen) {
    int n = m->nparam * (1 + state->nslots) + m->nstate;
    MlcTensor *t = calloc((size_t)n + 1, sizeof *t);
    char **names = calloc((size_t)n + 1, sizeof *names);
    bool ok = t && names;
    for (int i = 0; ok && i < m->nparam; i++) {
        const MlcParam *p = &m->params[i];
        t[i] = (MlcTensor){p->name, p->rank, {0}, b->params + p->offset};
        memcpy(t[i].shape, p->shape, sizeof p->shape);
        for (int k = 0; ok && k < state->nslots; k++) {
            int j = m->nparam * (1 + k) + i;
            ok = (names[j] = slot_name(p->name, state->slot_names[k])) != NULL;
            t[j] = t[i];
            t[j].name = names[j];
            t[j].data = state->slot[k] + p->offset;
        }
    }
    for (int i = 0; ok && i < m->nstate; i++) { /* the running state, as in a state_dict */
        const MlcParam *p = &m->states[i];
        int j = m->nparam * (1 + state->nslots) + i;
        t[j] = (MlcTensor){p->name, p->rank, {0}, b->states + p->offset};
        memcpy(t[j].shape, p->shape, sizeof p->shape);
    }
    /* the scalars, as strings; every setting of the optimizer by its name */
    char num[8][32], settings[512] = "";
    snprintf(num[0], sizeof num[0], "%" PRId64, c->epoch);
    snprintf(num[1], sizeof num[1], "%" PRIu64, c->step);
    snprintf(num[2], sizeof num[2], "%" PRIu64, c->rng.state);
    snprintf(num[3], sizeof num[3], "%" PRIu64, c->rng.inc);
    snprintf(num[4], sizeof num[4], "%" PRIu64, state->step);
    for (int i = 0; i < mlc_nsettings; i++) {
        const MlcSetting *st = &mlc_settings[i];
        const double *v = (const double *)((const char *)opt + st->offset);
        size_t len = strlen(settings);
        if ((MlcOptimKind)st->optim != opt->kind)
            continue;
        if (st->kind == MLC_SETTING_PAIR)
            snprintf(settings + len, sizeof settings - len, "%s%s=%.17g,%.17g", len ? " " : "",
                     st->name, v[0], v[1]);
        else
            snprintf(settings + len, sizeof settings - len, "%s%s=%.17g", len ? " " : "", st->name,
                     v[0]);
    }
    const char *meta[] = {"mlc.format",
                          FORMAT,
                          "mlc.model",
                          m->name,
                          "mlc.epoch",
                          num[0],
                          "mlc.step",
                          num[1],
                          "mlc.rng_state",
                          num[2],
                          "mlc.rng_inc",
                          num[3],
                          "mlc.optimizer",
                          mlc_optim_names[opt->kind],
                          "mlc.optimizer_step",
                          num[4],
                          "mlc.settings",
                          settings,
                          NULL};
    if (ok)
        ok = mlc_safetensors_write_meta(path, t, n, meta, err, errlen);
    else
        mlc_fail(err, errlen, "%s: out of memory", path);
    for (int i = 0; names && i < n; i++)
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

bool mlc_checkpoint_read(const char *path, const MlcModel *m, MlcBuffers *b, const MlcOptim *opt,
                         MlcOptimState *state, MlcCheckpoint *c, char *err, size_t errlen) {
    char format[64], model[256], optim[64];
    if (!mlc_safetensors_metadata(path, "mlc.format", format, sizeof format, err, errlen))
        return mlc_fail(err, errlen,
                        "%s: not a checkpoint (no mlc.format in its metadata); a weight file "
                        "goes with --load",
                        path);
    if (strcmp(format, FORMAT) != 0)
        return mlc_fail(err, errlen, "%s: checkpoint format '%s', this program reads '%s'", path,
                        format, FORMAT);
    if (!mlc_safetensors_metadata(path, "mlc.model", model, sizeof model, err, errlen) ||
        !mlc_safetensors_metadata(path, "mlc.optimizer", optim, sizeof optim, err, errlen))
        return false;
    if (strcmp(model, m->name) != 0)
        return mlc_fail(err, errlen, "%s: a checkpoint of model '%s', not of '%s'", path, model,
                        m->name);
    if (strcmp(optim, mlc_optim_names[opt->kind]) != 0)
        return mlc_fail(err, errlen, "%s: written with optimizer %s, resumed with %s", path, optim,
                        mlc_optim_names[opt->kind]);
    uint64_t epoch;
    if (!meta_u64(path, "mlc.epoch", &epoch, err, errlen) ||
        !meta_u64(path, "mlc.step", &c->step, err, errlen) ||
        !meta_u64(path, "mlc.rng_state", &c->rng.state, err, errlen) ||
        !meta_u64(path, "mlc.rng_inc", &c->rng.inc, err, errlen) ||
        !meta_u64(path, "mlc.optimizer_step", &state->step, err, errlen))
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
        for (int k = 0; ok && k < state->nslots; k++) {
            char *name = slot_name(p->name, state->slot_names[k]);
            ok = name && take(path, t, nt, name, state->slot[k] + p->offset, p->size, err, errlen);
            free(name);
        }
    }
    for (int i = 0; ok && i < m->nstate; i++) {
        const MlcParam *p = &m->states[i];
        ok = take(path, t, nt, p->name, b->states + p->offset, p->size, err, errlen);
    }
    mlc_tensors_free(t, nt);
    return ok;
}
