/* test_rt_optim: the runtime's optimizers against torch.optim, step by step.
 *
 * tests/optim/steps.safetensors (made by tests/optim/make_fixtures.py with Debian's
 * python3-torch) holds 1000 starting values, 25 steps of gradients for them (a fifth tiny,
 * some exactly zero) and, for each optimizer setting below, the values torch.optim left
 * after the 25 steps. mlc_optim_step, given the same gradients, must land within
 * 1e-5 * (|torch's value| + 0.1) of them, 1e-5 relative for values of 0.1 and more: both
 * compute in float in the same order of operations, but ATen fuses some multiply-adds
 * (p + alpha * g is one rounding there, two here), which leaves a few float ulps of the
 * values after 25 steps (largest here 1.4e-6 on values of about 1). A wrong rule (a bias
 * correction, a missing dampening, eps inside the square root) is off by 1e-3 and more.
 * (tests/optim/check.sh trains a network with each optimizer, where the gradients themselves differ
 * by rounding.) Also: the defaults of optimizers.def are torch's, and every state slot has torch's
 * name.
 */
#include "mlc_runtime.h"

#include "check.h"

#include <stdlib.h>
#include <string.h>

static const MlcTensor *find(const MlcTensor *t, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    return NULL;
}

/* The same settings as make_fixtures.py's STEP_CASES. */
static MlcOptim setting(const char *name) {
    MlcOptim o;
    if (!strcmp(name, "sgd")) {
        mlc_optim_defaults(&o, MLC_SGD);
        o.lr = 0.1;
    } else if (!strcmp(name, "sgd_momentum")) {
        mlc_optim_defaults(&o, MLC_SGD);
        o.lr = 0.1, o.momentum = 0.9, o.dampening = 0.1, o.weight_decay = 0.01;
    } else if (!strcmp(name, "sgd_nesterov")) {
        mlc_optim_defaults(&o, MLC_SGD);
        o.lr = 0.1, o.momentum = 0.9, o.nesterov = 1;
    } else if (!strcmp(name, "adam")) {
        mlc_optim_defaults(&o, MLC_ADAM);
        o.lr = 1e-2;
    } else if (!strcmp(name, "adam_amsgrad")) {
        mlc_optim_defaults(&o, MLC_ADAM);
        o.lr = 1e-2, o.betas[0] = 0.8, o.betas[1] = 0.99, o.weight_decay = 0.1, o.amsgrad = 1;
    } else if (!strcmp(name, "adamw")) {
        mlc_optim_defaults(&o, MLC_ADAMW);
        o.lr = 1e-2, o.weight_decay = 0.1;
    } else if (!strcmp(name, "rmsprop")) {
        mlc_optim_defaults(&o, MLC_RMSPROP);
        o.lr = 1e-2;
    } else if (!strcmp(name, "rmsprop_centered")) {
        mlc_optim_defaults(&o, MLC_RMSPROP);
        o.lr = 1e-2, o.alpha = 0.9, o.momentum = 0.9, o.centered = 1, o.weight_decay = 0.01;
    } else {
        mlc_optim_defaults(&o, MLC_ADAGRAD);
        o.lr = 0.1, o.lr_decay = 0.01, o.initial_accumulator_value = 0.1, o.weight_decay = 0.01;
    }
    return o;
}

static void test_steps(void) {
    MlcTensor *t;
    int nt;
    char err[1024];
    CHECK_TRUE(mlc_safetensors_read_all("../optim/steps.safetensors", &t, &nt, err, sizeof err));
    const MlcTensor *w0 = find(t, nt, "w0"), *grads = find(t, nt, "grads");
    CHECK_TRUE(w0 && grads && grads->shape[0] == 25 && grads->shape[1] == 1000);
    static const char *const cases[] = {"sgd",     "sgd_momentum",     "sgd_nesterov",
                                        "adam",    "adam_amsgrad",     "adamw",
                                        "rmsprop", "rmsprop_centered", "adagrad"};
    for (size_t c = 0; w0 && grads && c < sizeof cases / sizeof cases[0]; c++) {
        const MlcTensor *want = find(t, nt, cases[c]);
        CHECK_TRUE(want != NULL);
        MlcOptim o = setting(cases[c]);
        MlcOptimState s;
        float w[1000];
        memcpy(w, w0->data, sizeof w);
        CHECK_TRUE(mlc_optim_state_open(&s, &o, 1000));
        for (int step = 0; step < 25; step++)
            mlc_optim_step(&o, &s, o.lr, w, grads->data + step * 1000, 1000);
        double worst = 0.0;
        int bad = 0;
        for (int i = 0; want && i < 1000; i++) {
            double d = fabs((double)w[i] - (double)want->data[i]);
            double tol = 1e-5 * (fabs((double)want->data[i]) + 0.1);
            worst = d > worst ? d : worst;
            bad += !(d <= tol);
        }
        printf("%-17s largest difference from torch.optim %.3g (%d over tolerance)\n", cases[c],
               worst, bad);
        CHECK(0, bad);
        CHECK_TRUE(s.step == 25);
        mlc_optim_state_close(&s);
    }
    mlc_tensors_free(t, nt);
}

/* torch.optim's defaults and state names. */
static void test_defaults(void) {
    MlcOptim o;
    MlcOptimState s;
    mlc_optim_defaults(&o, MLC_ADAM);
    CHECK_TRUE(o.lr == 1e-3 && o.betas[0] == 0.9 && o.betas[1] == 0.999 && o.eps == 1e-8);
    mlc_optim_defaults(&o, MLC_ADAMW);
    CHECK_TRUE(o.weight_decay == 1e-2);
    mlc_optim_defaults(&o, MLC_RMSPROP);
    CHECK_TRUE(o.lr == 1e-2 && o.alpha == 0.99 && o.eps == 1e-8);
    mlc_optim_defaults(&o, MLC_ADAGRAD);
    CHECK_TRUE(o.lr == 1e-2 && o.eps == 1e-10);
    o.amsgrad = 0;
    mlc_optim_defaults(&o, MLC_ADAM);
    o.amsgrad = 1;
    CHECK_TRUE(mlc_optim_state_open(&s, &o, 4));
    CHECK(3, s.nslots);
    CHECK_STR("exp_avg", s.slot_names[0]);
    CHECK_STR("exp_avg_sq", s.slot_names[1]);
    CHECK_STR("max_exp_avg_sq", s.slot_names[2]);
    mlc_optim_state_close(&s);
    mlc_optim_defaults(&o, MLC_SGD);
    CHECK_TRUE(mlc_optim_is_plain_sgd(&o));
    o.momentum = 0.9;
    CHECK_TRUE(!mlc_optim_is_plain_sgd(&o));
    CHECK_TRUE(mlc_optim_state_open(&s, &o, 4));
    CHECK(1, s.nslots);
    CHECK_STR("momentum_buffer", s.slot_names[0]);
    mlc_optim_state_close(&s);
}

/* The schedules' closed forms against values torch.optim.lr_scheduler printed. */
static void test_schedules(void) {
    MlcSchedule step = {MLC_SCHEDULE_STEP, 2, 0.1, 0, 0, 0, 0};
    CHECK_TRUE(fabs(mlc_schedule_lr(&step, 0.1, 0) - 0.1) < 1e-15);
    CHECK_TRUE(fabs(mlc_schedule_lr(&step, 0.1, 3) - 0.01) < 1e-15);
    CHECK_TRUE(fabs(mlc_schedule_lr(&step, 0.1, 4) - 0.001) < 1e-15);
    MlcSchedule cosine = {MLC_SCHEDULE_COSINE, 0, 0, 4, 1e-4, 0, 0};
    CHECK_TRUE(fabs(mlc_schedule_lr(&cosine, 3e-3, 2) - 0.00155) < 1e-12);
    CHECK_TRUE(fabs(mlc_schedule_lr(&cosine, 3e-3, 4) - 1e-4) < 1e-12);
    MlcSchedule warm = {MLC_SCHEDULE_STEP, 2, 0.1, 0, 0, 2, 0.25};
    CHECK_TRUE(fabs(mlc_schedule_lr(&warm, 0.1, 0) - 0.025) < 1e-15);
    CHECK_TRUE(fabs(mlc_schedule_lr(&warm, 0.1, 1) - 0.0625) < 1e-15);
    CHECK_TRUE(fabs(mlc_schedule_lr(&warm, 0.1, 2) - 0.1) < 1e-15);
    CHECK_TRUE(fabs(mlc_schedule_lr(&warm, 0.1, 4) - 0.01) < 1e-15);
}

int main(void) {
    test_steps();
    test_defaults();
    test_schedules();
    return check_failures != 0;
}
