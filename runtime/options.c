/* options.c: the command line of a generated program.
 *
 * Defaults come from the model (its train block); each option overrides one. Values are
 * checked completely: a number must be the whole argument ("--epochs 5x" is an error), in
 * range, and finite. Both "--lr 0.1" and "--lr=0.1" are accepted. Options about data and
 * training are refused for a model without a data set (MLC_DATA_NONE), which has nothing to
 * train on. Whether --predict names an existing test image is checked once the test set is
 * loaded (train.c).
 */
#include "mlc_runtime.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A decimal integer in [lo, hi] that is the whole of s. */
static bool parse_int(const char *opt, const char *s, int64_t lo, int64_t hi, int64_t *out,
                      char *err, size_t errlen) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    bool digits = (*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9');
    if (!digits || *end != '\0')
        return mlc_fail(err, errlen, "%s: '%s' is not an integer", opt, s);
    if (errno == ERANGE || v < lo || v > hi) {
        if (hi == INT64_MAX)
            return mlc_fail(err, errlen, "%s: %s is out of range (at least %lld)", opt, s,
                            (long long)lo);
        return mlc_fail(err, errlen, "%s: %s is out of range (%lld to %lld)", opt, s, (long long)lo,
                        (long long)hi);
    }
    *out = v;
    return true;
}

/* A finite number >= 0 that is the whole of s and fits a float. */
static bool parse_float(const char *opt, const char *s, float *out, char *err, size_t errlen) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !strchr("0123456789.+-", *s))
        return mlc_fail(err, errlen, "%s: '%s' is not a number", opt, s);
    if (!isfinite(v) || fabs(v) > 3.4e38)
        return mlc_fail(err, errlen, "%s: %s is not a finite number", opt, s);
    if (v < 0.0)
        return mlc_fail(err, errlen, "%s: %s is negative", opt, s);
    *out = (float)v;
    return true;
}

/* The option table: name, its value's name (NULL for a flag), whether it needs a data set,
 * and the text of --help (a '\n' continues it on the next line, under the first). */
typedef struct Opt {
    const char *name;
    const char *arg; /* NULL: a flag */
    bool needs_data;
    const char *help;
} Opt;

static const Opt opts[] = {
    {"--data", "PATH", true,
     "the training set: idx, the directory of the train-* and\n"
     "t10k-* IDX files; npy, X.npy,Y.npy; npz, csv: the file;\n"
     "images, ANNOTATIONS.csv,DIR"},
    {"--test", "PATH", true,
     "the test set (npy: X.npy,Y.npy; npz, csv: the file;\n"
     "images: ANNOTATIONS.csv,DIR)"},
    {"--val-split", "X", true,
     "with no test set, split this fraction of the training set\n"
     "off as one (seeded by --seed)"},
    {"--epochs", "N", true, "passes over the training set"},
    {"--batch", "N", false,
     "samples per batch (training and test; without a data set,\n"
     "samples drawn from the declared init)"},
    {"--optimizer", "NAME", true, "sgd, adam, adamw, rmsprop or adagrad (torch.optim's)"},
    {"--lr", "X", true, "learning rate (the schedule's base rate)"},
    {"--momentum", "X", true, "sgd, rmsprop: momentum"},
    {"--dampening", "X", true, "sgd: dampening of the momentum"},
    {"--nesterov", NULL, true, "sgd: Nesterov momentum"},
    {"--weight-decay", "X", true, "weight decay (L2 penalty; adamw: decoupled)"},
    {"--betas", "B1,B2", true, "adam, adamw: the moments' decay rates"},
    {"--eps", "X", true, "adam, adamw, rmsprop, adagrad: added to the denominator"},
    {"--amsgrad", NULL, true, "adam, adamw: the AMSGrad variant"},
    {"--alpha", "X", true, "rmsprop: smoothing constant"},
    {"--centered", NULL, true, "rmsprop: centered (by the mean gradient)"},
    {"--lr-decay", "X", true, "adagrad: learning-rate decay"},
    {"--initial-accumulator-value", "X", true, "adagrad: the sum's first value"},
    {"--seed", "N", false, "seed of parameter init and shuffling (PCG32)"},
    {"--shuffle", NULL, true, "shuffle the training set every epoch"},
    {"--no-shuffle", NULL, true, "keep the training set in file order"},
    {"--load", "FILE", false, "start from the weights in FILE (safetensors), not init"},
    {"--save", "FILE", false,
     "write the weights to FILE (safetensors) at the end; when\n"
     "training, also a checkpoint after every epoch (below)"},
    {"--checkpoint", "FILE", true,
     "after every epoch, write FILE: weights, optimizer state,\n"
     "epoch, step and shuffle state (safetensors), so a killed\n"
     "run loses at most an epoch (--resume FILE); with --save\n"
     "NAME.safetensors the default is NAME.checkpoint.safetensors"},
    {"--no-checkpoint", NULL, true, "write no checkpoint (--save only at the end)"},
    {"--checkpoint-every", "N", true, "write the checkpoint every N epochs (and the last)"},
    {"--resume", "FILE", true,
     "go on from the checkpoint FILE, as if never stopped\n"
     "(then --epochs counts the epochs of the whole run)"},
    {"--eval", NULL, true, "only evaluate on the test set, no training"},
    {"--predict", "I", true, "print the predicted and actual class of test image I"},
    {"--grads", "FILE", false,
     "write the loss and all gradients on the first training\n"
     "batch to FILE (safetensors); no training"},
    {"--inputs", "FILE", false,
     "the batch for --grads, --check-grads and --outputs: tensors\n"
     "named after the input and the target, [n, ...] (safetensors)"},
    {"--outputs", "FILE", false,
     "write the model's output as evaluation computes it (no\n"
     "dropout, batch norm's running statistics) for the --inputs\n"
     "batch, or for every test sample, to FILE (safetensors:\n"
     "'outputs', [n, ...]); no training"},
    {"--check-grads", NULL, false,
     "check the gradients on the first training batch against\n"
     "finite differences, and one training step; no training"},
    {"--threads", "N", false,
     "OpenBLAS threads (default: all cores; one in a program whose\n"
     "image kernels use the cores themselves, see OMP_NUM_THREADS)"},
    {"--no-progress", NULL, true,
     "on a terminal too, the quickstart's loss lines instead of\n"
     "the progress bar"},
    {"--quiet", NULL, true,
     "do not print the loss every 100 batches (on a terminal,\n"
     "the progress bar that replaces those lines)"},
    {"--time", NULL, true, "print the seconds each epoch takes to stderr"},
    {"--log", "FILE", true,
     "write the metrics to FILE as CSV, a line at a time:\n"
     "epoch,step,split,loss,accuracy,lr,seconds (a train line\n"
     "when the loss is printed, a test line after each epoch)"},
    {"--plot", "FILE", true,
     "draw the training and test loss and the test accuracy\n"
     "per epoch into FILE (PNG, 960x400), after every epoch"},
    {"--show-samples", "FILE", true,
     "draw nine training images (chosen by --seed) with their\n"
     "class names into FILE (PNG), as the quickstart does"},
    {"--tf32", NULL, false,
     "a GPU program: matrix products on TF32 tensor cores (faster,\n"
     "about 1e-3 relative; the default is FP32 as on the CPU)"},
    {"--help", NULL, false, "print this help and exit"},
    {"--version", NULL, false, "print what this program is and exit"},
};
enum {
    NOPTS = sizeof opts / sizeof opts[0]
};

/* The setting of optimizer kind that option --name sets ("--weight-decay": weight_decay), or
 * NULL. */
static const MlcSetting *setting_named(MlcOptimKind kind, const char *option) {
    char name[64];
    size_t i = 0;
    for (const char *p = option + 2; *p && i + 1 < sizeof name; p++)
        name[i++] = *p == '-' ? '_' : *p;
    name[i] = '\0';
    return mlc_setting_find(kind, name);
}

/* Is --name a setting of any optimizer? */
static bool is_setting(const char *option) {
    for (int k = 0; k < MLC_OPTIM_COUNT; k++)
        if (setting_named((MlcOptimKind)k, option))
            return true;
    return false;
}

/* The optimizer settings given on the command line, applied once the optimizer is known. */
typedef struct Given {
    const char *option, *value; /* value NULL for a flag */
} Given;

/* o->optim from the model's optimizer, --optimizer and the settings given. */
static bool apply_settings(MlcOptions *o, const MlcModel *m, const char *optimizer,
                           const Given *given, int ngiven, char *err, size_t errlen) {
    MlcOptimKind kind = m->optim.kind;
    if (optimizer) {
        int k = 0;
        while (k < MLC_OPTIM_COUNT && strcmp(mlc_optim_names[k], optimizer) != 0)
            k++;
        if (k == MLC_OPTIM_COUNT)
            return mlc_fail(err, errlen,
                            "--optimizer: '%s' is none of sgd, adam, adamw, rmsprop, adagrad",
                            optimizer);
        kind = (MlcOptimKind)k;
    }
    if (kind == m->optim.kind)
        o->optim = m->optim; /* the train block's settings */
    else
        mlc_optim_defaults(&o->optim, kind); /* torch.optim's defaults of another optimizer */
    for (int i = 0; i < ngiven; i++) {
        const MlcSetting *st = setting_named(kind, given[i].option);
        if (!st)
            return mlc_fail(err, errlen, "%s does not apply to %s", given[i].option,
                            mlc_optim_names[kind]);
        double *field = (double *)((char *)&o->optim + st->offset);
        float a, b;
        char *comma = given[i].value ? strchr(given[i].value, ',') : NULL;
        switch (st->kind) {
        case MLC_SETTING_FLAG: field[0] = 1.0; break;
        case MLC_SETTING_NUMBER:
            if (!parse_float(given[i].option, given[i].value, &a, err, errlen))
                return false;
            field[0] = strtod(given[i].value, NULL); /* the double, as torch has it */
            break;
        case MLC_SETTING_PAIR: {
            char first[64];
            if (!comma || (size_t)(comma - given[i].value) >= sizeof first)
                return mlc_fail(err, errlen, "%s: '%s' is not two numbers B1,B2", given[i].option,
                                given[i].value);
            snprintf(first, sizeof first, "%.*s", (int)(comma - given[i].value), given[i].value);
            if (!parse_float(given[i].option, first, &a, err, errlen) ||
                !parse_float(given[i].option, comma + 1, &b, err, errlen))
                return false;
            if (a >= 1.0f || b >= 1.0f)
                return mlc_fail(err, errlen, "%s: %s: each must be below 1", given[i].option,
                                given[i].value);
            field[0] = strtod(first, NULL);
            field[1] = strtod(comma + 1, NULL);
            break;
        }
        }
    }
    if (o->optim.nesterov != 0.0 && (o->optim.momentum <= 0.0 || o->optim.dampening != 0.0))
        return mlc_fail(err, errlen,
                        "--nesterov needs a momentum and no dampening (as torch.optim.SGD)");
    return true;
}

/* --data or --test PATH: for npy the inputs' and the targets' files, "X.npy,Y.npy", for
 * images the annotations and the folder, "ANNOTATIONS.csv,DIR" (kept
 * in o->paths), else one path. */
static bool split_paths(MlcOptions *o, bool test, const char *v, const MlcModel *m, char *err,
                        size_t errlen) {
    const char *name = test ? "--test" : "--data";
    const char **first = test ? &o->test : &o->data, **second = test ? &o->test2 : &o->data2;
    if (m->data_kind != MLC_DATA_NPY && m->data_kind != MLC_DATA_IMAGES) {
        if (m->data_kind == MLC_DATA_IDX && test)
            return mlc_fail(err, errlen, "--test: an idx data set's directory (--data) holds it");
        *first = v;
        return true;
    }
    const char *comma = strchr(v, ',');
    char *buf = o->paths[test];
    if (!comma || comma == v || !comma[1] || strchr(comma + 1, ','))
        return mlc_fail(err, errlen, "%s: '%s' is not %s", name, v,
                        m->data_kind == MLC_DATA_NPY
                            ? "the inputs' and the targets' files, X.npy,Y.npy"
                            : "the annotations and the folder, ANNOTATIONS.csv,DIR");
    if (strlen(v) >= sizeof o->paths[test])
        return mlc_fail(err, errlen, "%s: the paths are too long", name);
    strcpy(buf, v);
    buf[comma - v] = '\0';
    *first = buf;
    *second = buf + (comma - v) + 1;
    return true;
}

/* The default of an option for this model, as --help shows it; "" for none. */
static void option_default(char *s, size_t len, const Opt *o, const MlcModel *m) {
    const char *n = o->name;
    s[0] = '\0';
    if (strcmp(n, "--data") == 0 && m->data_path)
        snprintf(s, len, "%s%s%s", m->data_path, m->data_path2 ? "," : "",
                 m->data_path2 ? m->data_path2 : "");
    else if (strcmp(n, "--test") == 0 && m->test_path)
        snprintf(s, len, "%s%s%s", m->test_path, m->test_path2 ? "," : "",
                 m->test_path2 ? m->test_path2 : "");
    else if (strcmp(n, "--val-split") == 0 && m->val_split > 0)
        snprintf(s, len, "%g", m->val_split);
    else if (strcmp(n, "--epochs") == 0)
        snprintf(s, len, "%lld", (long long)m->epochs);
    else if (strcmp(n, "--batch") == 0)
        snprintf(s, len, "%lld", m->data_kind == MLC_DATA_NONE ? 1LL : (long long)m->batch);
    else if (strcmp(n, "--optimizer") == 0)
        snprintf(s, len, "%s", mlc_optim_names[m->optim.kind]);
    else if (setting_named(m->optim.kind, n)) {
        const MlcSetting *st = setting_named(m->optim.kind, n);
        const double *v = (const double *)((const char *)&m->optim + st->offset);
        if (st->kind == MLC_SETTING_PAIR)
            snprintf(s, len, "%g,%g", v[0], v[1]);
        else if (st->kind == MLC_SETTING_FLAG)
            snprintf(s, len, "%s", v[0] != 0.0 ? "on" : "");
        else
            snprintf(s, len, "%g", v[0]);
    } else if (strcmp(n, "--seed") == 0)
        snprintf(s, len, "%d", MLC_DEFAULT_SEED);
    else if (strcmp(n, "--shuffle") == 0 && m->shuffle)
        snprintf(s, len, "on");
    else if (strcmp(n, "--no-shuffle") == 0 && !m->shuffle)
        snprintf(s, len, "on");
    else if (strcmp(n, "--threads") == 0)
        snprintf(s, len, "OpenBLAS's default");
}

/* Columns: "  --name ARG" padded to HELP_COL, then the help, wrapped as the table says. */
#define HELP_COL 22

void mlc_usage(FILE *f, const char *prog, const MlcModel *m) {
    bool data = m->data_kind != MLC_DATA_NONE;
    fprintf(f, "usage: %s [options]\n\n", prog);
    fprintf(f, "Model '%s', generated by mlc from %s.\n", m->name, m->source);
    if (data)
        fprintf(f, "Trains it, printing the loss every 100 batches and the test accuracy after\n"
                   "each epoch. Options override the defaults in [brackets].\n\n");
    else
        fprintf(f,
                "Runs it forward and backward on samples filled as its input and target\n"
                "declare (or on --inputs) and prints the loss and every parameter's gradient.\n\n");
    fprintf(f, "options:\n");
    for (int i = 0; i < NOPTS; i++) {
        const Opt *o = &opts[i];
        if (o->needs_data && !data)
            continue;
        char lhs[64], def[256];
        snprintf(lhs, sizeof lhs, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        if ((int)strlen(lhs) >= HELP_COL - 3) /* too long for the column: help below */
            fprintf(f, "  %s\n%*s", lhs, HELP_COL, "");
        else
            fprintf(f, "  %-*s", HELP_COL - 2, lhs);
        int col = HELP_COL;
        for (const char *h = o->help; *h; h++) {
            if (*h == '\n') {
                fprintf(f, "\n%*s", HELP_COL, "");
                col = HELP_COL;
            } else {
                fputc(*h, f);
                col++;
            }
        }
        option_default(def, sizeof def, o, m);
        if (def[0] && col + 3 + (int)strlen(def) > 80)
            fprintf(f, "\n%*s[%s]", HELP_COL, "", def);
        else if (def[0])
            fprintf(f, " [%s]", def);
        fprintf(f, "\n");
    }
}

bool mlc_options_parse(MlcOptions *o, int argc, char **argv, const MlcModel *m, char *err,
                       size_t errlen) {
    memset(o, 0, sizeof *o);
    o->data = m->data_path;
    o->data2 = m->data_path2;
    o->test = m->test_path;
    o->test2 = m->test_path2;
    o->val_split = m->val_split;
    o->epochs = m->epochs;
    o->batch = m->data_kind == MLC_DATA_NONE ? 1 : m->batch; /* one constant sample */
    o->schedule = m->schedule;
    const char *optimizer = NULL;
    Given given[64];
    int ngiven = 0;
    o->seed = MLC_DEFAULT_SEED;
    o->shuffle = m->shuffle;
    o->predict = -1;
    o->checkpoint_every = 1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0')
            return mlc_fail(err, errlen, "unexpected argument '%s' (see --help)", a);
        /* "--name=value" or "--name value" */
        const char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        const Opt *opt = NULL;
        for (int k = 0; k < NOPTS && !opt; k++)
            if (strlen(opts[k].name) == nlen && strncmp(opts[k].name, a, nlen) == 0)
                opt = &opts[k];
        if (!opt)
            return mlc_fail(err, errlen, "unknown option '%.*s' (see --help)", (int)nlen, a);
        const char *name = opt->name;
        if (opt->needs_data && m->data_kind == MLC_DATA_NONE)
            return mlc_fail(err, errlen, "%s: model '%s' has no data set to train or test on", name,
                            m->name);
        const char *v = NULL;
        if (opt->arg) {
            if (eq)
                v = eq + 1;
            else if (i + 1 < argc)
                v = argv[++i];
            else
                return mlc_fail(err, errlen, "%s needs a value (%s)", name, opt->arg);
        } else if (eq) {
            return mlc_fail(err, errlen, "%s takes no value", name);
        }

        int64_t n;
        if (opt->arg && v[0] == '\0')
            return mlc_fail(err, errlen, "%s: the value is empty", name);
        if (strcmp(name, "--data") == 0 || strcmp(name, "--test") == 0) {
            bool test = name[2] == 't';
            if (!split_paths(o, test, v, m, err, errlen))
                return false;
        } else if (strcmp(name, "--val-split") == 0) {
            float x;
            if (!parse_float(name, v, &x, err, errlen))
                return false;
            if (!(x < 1.0f))
                return mlc_fail(err, errlen, "%s: %s is not a fraction below 1", name, v);
            o->val_split = (double)x;
        } else if (strcmp(name, "--load") == 0) {
            o->load = v;
        } else if (strcmp(name, "--save") == 0) {
            o->save = v;
        } else if (strcmp(name, "--grads") == 0) {
            o->grads = v;
        } else if (strcmp(name, "--outputs") == 0) {
            o->outputs = v;
        } else if (strcmp(name, "--inputs") == 0) {
            o->inputs = v;
        } else if (strcmp(name, "--checkpoint") == 0) {
            o->checkpoint = v;
        } else if (strcmp(name, "--no-checkpoint") == 0) {
            o->no_checkpoint = true;
        } else if (strcmp(name, "--checkpoint-every") == 0) {
            if (!parse_int(name, v, 1, INT32_MAX, &o->checkpoint_every, err, errlen))
                return false;
        } else if (strcmp(name, "--resume") == 0) {
            o->resume = v;
        } else if (strcmp(name, "--epochs") == 0) {
            if (!parse_int(name, v, 0, INT32_MAX, &o->epochs, err, errlen))
                return false;
        } else if (strcmp(name, "--batch") == 0) {
            if (!parse_int(name, v, 1, INT32_MAX, &o->batch, err, errlen))
                return false;
        } else if (strcmp(name, "--optimizer") == 0) {
            optimizer = v;
        } else if (is_setting(name)) {
            if (ngiven == (int)(sizeof given / sizeof given[0]))
                return mlc_fail(err, errlen, "too many optimizer settings");
            given[ngiven++] = (Given){name, v};
        } else if (strcmp(name, "--seed") == 0) {
            /* Any unsigned 64-bit value. */
            char *end;
            errno = 0;
            unsigned long long s = strtoull(v, &end, 10);
            if (!(v[0] >= '0' && v[0] <= '9') || *end != '\0')
                return mlc_fail(err, errlen, "%s: '%s' is not a non-negative integer", name, v);
            if (errno == ERANGE)
                return mlc_fail(err, errlen, "%s: %s is out of range (0 to %llu)", name, v,
                                (unsigned long long)UINT64_MAX);
            o->seed = s;
        } else if (strcmp(name, "--shuffle") == 0) {
            o->shuffle = 1;
        } else if (strcmp(name, "--no-shuffle") == 0) {
            o->shuffle = 0;
        } else if (strcmp(name, "--eval") == 0) {
            o->eval = true;
        } else if (strcmp(name, "--check-grads") == 0) {
            o->check_grads = true;
        } else if (strcmp(name, "--predict") == 0) {
            if (!parse_int(name, v, 0, INT64_MAX, &o->predict, err, errlen))
                return false;
        } else if (strcmp(name, "--threads") == 0) {
            if (!parse_int(name, v, 1, 1024, &n, err, errlen))
                return false;
            o->threads = (int)n;
        } else if (strcmp(name, "--quiet") == 0) {
            o->quiet = true;
        } else if (strcmp(name, "--no-progress") == 0) {
            o->no_progress = true;
        } else if (strcmp(name, "--time") == 0) {
            o->time = true;
        } else if (strcmp(name, "--log") == 0) {
            o->log = v;
        } else if (strcmp(name, "--plot") == 0) {
            o->plot = v;
        } else if (strcmp(name, "--show-samples") == 0) {
            o->show_samples = v;
        } else if (strcmp(name, "--tf32") == 0) {
            if (!m->device)
                return mlc_fail(err, errlen, "--tf32: this program runs on the CPU, in FP32");
            o->tf32 = true;
        } else if (strcmp(name, "--help") == 0) {
            o->help = true;
        } else if (strcmp(name, "--version") == 0) {
            o->version = true;
        }
    }
    return apply_settings(o, m, optimizer, given, ngiven, err, errlen);
}
