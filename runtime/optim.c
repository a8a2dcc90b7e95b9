/* optim.c: PyTorch's optimizers and learning-rate schedules.
 *
 * Each optimizer follows the single-tensor code of torch.optim in PyTorch 1.13, in the same
 * order of operations: tensor arithmetic in float, the scalars torch computes in Python
 * (Adam's bias corrections, Adagrad's decayed rate) in double and then used as float.
 *
 *   sgd:     g = grad + wd w;  b = g at the first step, else m b + (1 - dampening) g;
 *            g = nesterov ? g + m b : b (when m != 0);  w -= lr g
 *   adam:    g = grad + wd w;  m1 = b1 m1 + (1 - b1) g;  m2 = b2 m2 + (1 - b2) g g;
 *            (amsgrad: m2max = max(m2max, m2), used for m2)
 *            w -= lr / (1 - b1^t) * m1 / (sqrt(m2) / sqrt(1 - b2^t) + eps)
 *   adamw:   w *= 1 - lr wd, then adam without weight decay
 *   rmsprop: g = grad + wd w;  s = a s + (1 - a) g g;  centered: c = a c + (1 - a) g,
 *            d = sqrt(s - c c) + eps, else d = sqrt(s) + eps;
 *            momentum: b = m b + g / d, w -= lr b; else w -= lr g / d
 *   adagrad: g = grad + wd w;  clr = lr / (1 + (t - 1) lr_decay);  s += g g;
 *            w -= clr g / (sqrt(s) + eps)        (s starts at initial_accumulator_value)
 *
 * The state (momentum buffers, moments, step count) lives in an MlcOptimState, one block of
 * floats per slot with the parameters' layout, named as torch.optim names it, so that a
 * checkpoint saves it under "optimizer.<param>.<slot>".
 */
#include "mlc_runtime.h"

#include <stdlib.h>
#include <string.h>

const char *const mlc_optim_names[MLC_OPTIM_COUNT] = {"sgd", "adam", "adamw", "rmsprop", "adagrad"};

/* optimizers.def's optimizer names as kinds */
enum {
    KIND_sgd = MLC_SGD,
    KIND_adam = MLC_ADAM,
    KIND_adamw = MLC_ADAMW,
    KIND_rmsprop = MLC_RMSPROP,
    KIND_adagrad = MLC_ADAGRAD,
};

#define SETTING(opt, name, def, def2, kind) \
    {KIND_##opt, #name, offsetof(MlcOptim, name), {def, def2}, MLC_SETTING_##kind},
const MlcSetting mlc_settings[] = {
#include "optimizers.def"
};
#undef SETTING
const int mlc_nsettings = sizeof mlc_settings / sizeof mlc_settings[0];

const MlcSetting *mlc_setting_find(MlcOptimKind kind, const char *name) {
    for (int i = 0; i < mlc_nsettings; i++)
        if ((MlcOptimKind)mlc_settings[i].optim == kind && strcmp(mlc_settings[i].name, name) == 0)
            return &mlc_settings[i];
    return NULL;
}

void mlc_optim_defaults(MlcOptim *o, MlcOptimKind kind) {
    memset(o, 0, sizeof *o);
    o->kind = kind;
    for (int i = 0; i < mlc_nsettings; i++) {
        const MlcSetting *st = &mlc_settings[i];
        if ((MlcOptimKind)st->optim != kind)
            continue;
        double *field = (double *)((char *)o + st->offset);
        field[0] = st->def[0];
        if (st->kind == MLC_SETTING_PAIR)
            field[1] = st->def[1];
    }
}

/* The slots an optimizer keeps, in torch.optim's names. */
static int slots(const MlcOptim *o, const char *names[MLC_OPTIM_SLOTS]) {
    int n = 0;
    switch (o->kind) {
    case MLC_SGD:
        if (o->momentum != 0.0)
            names[n++] = "momentum_buffer";
        break;
    case MLC_ADAM:
    case MLC_ADAMW:
        names[n++] = "exp_avg";
        names[n++] = "exp_avg_sq";
        if (o->amsgrad != 0.0)
            names[n++] = "max_exp_avg_sq";
        break;
    case MLC_RMSPROP:
        names[n++] = "square_avg";
        if (o->momentum > 0.0)
            names[n++] = "momentum_buffer";
        if (o->centered != 0.0)
            names[n++] = "grad_avg";
        break;
    case MLC_ADAGRAD: names[n++] = "sum"; break;
    case MLC_OPTIM_COUNT: break;
    }
    return n;
}

bool mlc_optim_is_plain_sgd(const MlcOptim *o) {
    return o->kind == MLC_SGD && o->momentum == 0.0 && o->weight_decay == 0.0;
}

bool mlc_optim_state_open(MlcOptimState *s, const MlcOptim *o, size_t nparams) {
    memset(s, 0, sizeof *s);
    s->nslots = slots(o, s->slot_names);
    for (int i = 0; i < s->nslots; i++) {
        s->slot[i] = calloc(nparams ? nparams : 1, sizeof(float));
        if (!s->slot[i])
            return false;
        if (o->kind == MLC_ADAGRAD) /* torch.full_like(p, initial_accumulator_value) */
            for (size_t k = 0; k < nparams; k++)
                s->slot[i][k] = (float)o->initial_accumulator_value;
    }
    return true;
}

void mlc_optim_state_close(MlcOptimState *s) {
    for (int i = 0; i < s->nslots; i++)
        free(s->slot[i]);
    memset(s, 0, sizeof *s);
}

MlcOptimCoefs mlc_optim_coefs(const MlcOptim *o, const MlcOptimState *s, uint64_t step, double lr) {
    /* torch passes each Python scalar to a float kernel as a float: alpha=1 - beta1 is
     * computed in double first, then rounded */
    const double t = (double)step;
    MlcOptimCoefs c;
    memset(&c, 0, sizeof c);
    c.kind = o->kind;
    c.first = step == 1;
    c.buf_slot = c.avg_slot = c.max_slot = -1;
    c.wd = (float)o->weight_decay;
    c.neg_lr = (float)-lr;
    switch (o->kind) {
    case MLC_SGD:
        c.buf_slot = s->nslots ? 0 : -1;
        c.m = (float)o->momentum;
        c.keep = (float)(1.0 - o->dampening);
        c.nesterov = o->nesterov != 0.0;
        break;
    case MLC_ADAM:
    case MLC_ADAMW: {
        c.max_slot = o->amsgrad != 0.0 ? 2 : -1;
        c.b1 = (float)o->betas[0];
        c.b2 = (float)o->betas[1];
        c.a1 = (float)(1.0 - o->betas[0]);
        c.a2 = (float)(1.0 - o->betas[1]);
        const double bc1 = 1.0 - pow(o->betas[0], t), bc2 = 1.0 - pow(o->betas[1], t);
        c.neg_step = (float)-(lr / bc1);
        c.bc2_sqrt = (float)sqrt(bc2);
        c.eps = (float)o->eps;
        c.decay = (float)(1.0 - lr * o->weight_decay);
        break;
    }
    case MLC_RMSPROP: {
        int k = 1;
        c.buf_slot = o->momentum > 0.0 ? k++ : -1;
        c.avg_slot = o->centered != 0.0 ? k++ : -1;
        c.alpha = (float)o->alpha;
        c.alpha1 = (float)(1.0 - o->alpha);
        c.m = (float)o->momentum;
        c.eps = (float)o->eps;
        break;
    }
    case MLC_ADAGRAD:
        c.neg_clr = (float)-(lr / (1.0 + (t - 1.0) * o->lr_decay));
        c.eps = (float)o->eps;
        break;
    case MLC_OPTIM_COUNT: break;
    }
    return c;
}

void mlc_optim_step(const MlcOptim *o, MlcOptimState *s, double lr, float *w, const float *grad,
                    size_t n) {
    s->step++;
    const MlcOptimCoefs c = mlc_optim_coefs(o, s, s->step, lr);
    for (size_t i = 0; i < n; i++)
        mlc_optim_update(&c, w, grad[i], s->slot, i);
}

/* ---- learning-rate schedules, stepped once per epoch ------------------------------------- */

/* The closed forms of torch.optim.lr_scheduler (which computes them recursively, in double;
 * the two agree to double rounding). */
static double scheduled(const MlcSchedule *s, double base, int64_t t) {
    switch (s->kind) {
    case MLC_SCHEDULE_NONE: return base;
    case MLC_SCHEDULE_STEP: return base * pow(s->gamma, (double)(t / s->step_size));
    case MLC_SCHEDULE_COSINE: {
        /* CosineAnnealingLR: eta_min + (base - eta_min) (1 + cos(pi t / T_max)) / 2 */
        const double pi = 3.14159265358979323846;
        return s->eta_min + (base - s->eta_min) * (1.0 + cos(pi * (double)t / s->t_max)) / 2.0;
    }
    }
    return base;
}

double mlc_schedule_lr(const MlcSchedule *s, double base, int64_t epoch) {
    if (s->warmup_epochs > 0 && epoch < s->warmup_epochs) {
        /* LinearLR(start_factor, end_factor = 1, total_iters = warmup_epochs), followed by
         * the schedule from its start (SequentialLR with milestones [warmup_epochs]) */
        double f =
            s->warmup_start + (1.0 - s->warmup_start) * (double)epoch / (double)s->warmup_epochs;
        return base * f;
    }
    return scheduled(s, base, epoch - s->warmup_epochs);
}
