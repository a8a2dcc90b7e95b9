/* main.c: command-line options and the pipeline, one line per pass.
 *
 * mlc FILE.model [-o PROGRAM] [--target c|firmware] [--weights FILE] [--quantize int8]
 *     [--data DIR] [--calibrate N] [--train] [--emit ast|ir|grad|c|dot] [--check]
 *
 * The passes run in order and the pipeline stops after any pass that reported an error.
 * Debug builds check the IR after every pass that changes it.
 */
#include "mlc.h"

static const char usage[] =
    "usage: mlc FILE.model [options]\n"
    "\n"
    "Compiles a model description into a standalone C training program, or (--target\n"
    "firmware) into C99 source that predicts with trained weights on a microcontroller.\n"
    "\n"
    "options:\n"
    "  -o FILE          write the program to FILE (default: train_<model name>); with\n"
    "                   --target firmware, the directory for <model>.c and <model>.h\n"
    "                   (default: the current directory)\n"
    "  --target NAME    what to write the program for:\n"
    "                     c         C99 with OpenBLAS, a training program (the default)\n"
    "                     firmware  freestanding C99, the evaluation pass at batch 1 with\n"
    "                               the weights built in: no malloc, no stdio, static memory\n"
    "                     cuda      CUDA for an NVIDIA GPU (built with nvcc and cuBLAS), a\n"
    "                               training program with the c target's options and output\n"
    "  --weights FILE   the trained weights (safetensors) --target firmware builds in\n"
    "  --quantize int8  --target firmware: int8 weights and activations (post-training,\n"
    "                   calibrated on the training set, accuracies in the header)\n"
    "  --data DIR       the data set --quantize calibrates and tests on (default: the\n"
    "                   train block's)\n"
    "  --calibrate N    training batches --quantize calibrates on (default 10)\n"
    "  --train          --target firmware: also a training step on the device\n"
    "                   (NAME_train_step: forward, backward and plain SGD at batch 1)\n"
    "  --emit STAGE     print a stage of the compiler instead of building a program:\n"
    "                     ast   the syntax tree\n"
    "                     ir    the forward graph, with inferred shapes\n"
    "                     grad  the derived gradients, as math\n"
    "                     c     the generated C (of the --target)\n"
    "                     cuda  the generated CUDA (.cu) of the cuda target\n"
    "                     dot   the forward and backward graph, for graphviz\n"
    "  --check          check the model (syntax, shapes, gradients) and build nothing\n"
    "  -v, --verbose    show the kernel count, the memory plan and the C compiler command\n"
    "  --help           show this help\n"
    "  --version        show the version\n"
    "\n"
    "environment: CC (default cc) compiles the generated C; MLC_CFLAGS adds options.\n";

typedef struct Options {
    const char *path;
    const char *out;
    const char *target;  /* --target NAME, or NULL for c */
    const char *weights; /* --weights FILE, or NULL */
    bool quantize;       /* --quantize int8 */
    const char *data;    /* --data DIR, or NULL */
    int64_t calibrate;   /* --calibrate N */
    bool train;          /* --train: the firmware target writes a training step too */
    EmitKind emit;
    bool check;
    bool verbose;
} Options;

/* Returns 0 to go on, or an exit status. */
static int parse_options(int argc, char **argv, Options *o) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return -1;
        } else if (!strcmp(a, "--version")) {
            printf("mlc %s\n", MLC_VERSION);
            return -1;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--emit") || !strcmp(a, "--target") ||
                   !strcmp(a, "--weights") || !strcmp(a, "--quantize") || !strcmp(a, "--data") ||
                   !strcmp(a, "--calibrate")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "mlc: %s needs a value\n", a);
                return 2;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "-o")) {
                o->out = v;
                continue;
            }
            if (!strcmp(a, "--target")) {
                o->target = v;
                continue;
            }
            if (!strcmp(a, "--weights")) {
                o->weights = v;
                continue;
            }
            if (!strcmp(a, "--quantize")) {
                if (strcmp(v, "int8") != 0) {
                    fprintf(stderr, "mlc: --quantize %s: the one quantization is int8\n", v);
                    return 2;
                }
                o->quantize = true;
                continue;
            }
            if (!strcmp(a, "--data")) {
                o->data = v;
                continue;
            }
            if (!strcmp(a, "--calibrate")) {
                char *end;
                errno = 0;
                long long n = strtoll(v, &end, 10);
                if (end == v || *end != '\0' || errno || n < 1 || n > 1000000) {
                    fprintf(stderr, "mlc: --calibrate %s: give a number of batches, 1 or more\n",
                            v);
                    return 2;
                }
                o->calibrate = n;
                continue;
            }
            static const char *const stages[] = {"ast", "ir", "grad", "c", "dot", "cuda"};
            static const EmitKind kinds[] = {EMIT_AST, EMIT_IR,  EMIT_GRAD,
                                             EMIT_C,   EMIT_DOT, EMIT_C};
            o->emit = EMIT_NONE;
            for (int k = 0; k < 6; k++)
                if (!strcmp(v, stages[k]))
                    o->emit = kinds[k];
            if (!strcmp(v, "cuda") && !o->target) /* --emit cuda: the cuda target's source */
                o->target = "cuda";
            if (o->emit == EMIT_NONE) {
                fprintf(stderr,
                        "mlc: unknown stage '%s' for --emit; the stages are ast, ir, "
                        "grad, c, cuda and dot\n",
                        v);
                return 2;
            }
        } else if (!strcmp(a, "--train")) {
            o->train = true;
        } else if (!strcmp(a, "--check")) {
            o->check = true;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o->verbose = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "mlc: unknown option '%s' (see mlc --help)\n", a);
            return 2;
        } else if (o->path) {
            fprintf(stderr, "mlc: one model file at a time ('%s' and '%s')\n", o->path, a);
            return 2;
        } else {
            o->path = a;
        }
    }
    if (!o->path) {
        fputs(usage, stderr);
        return 2;
    }
    return 0;
}

/* The whole model file, NUL-terminated; NULL if it cannot be read (errno says why). The
 * file may contain NUL bytes: the lexer gets the length, not a C string. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            char *bigger = realloc(buf, cap + 1);
            if (!bigger)
                free(buf);
            buf = bigger;
        }
    }
    bool bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

#ifndef NDEBUG
#define VERIFY(g) ir_verify(g)
#else
#define VERIFY(g) ((void)0)
#endif

/* Writes one file of a target's source (emit) to dir/name. */
static bool write_source(const char *dir, const char *name, void (*emit)(FILE *, const Program *),
                         const Program *p) {
    const char *path = arena_printf(p->eval->cx->arena, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    bool ok = f != NULL;
    if (f) {
        emit(f, p);
        ok = !ferror(f);
        ok &= fclose(f) == 0;
    }
    if (!ok)
        fprintf(stderr, "mlc: cannot write %s: %s\n", path, strerror(errno));
    return ok;
}

/* A target whose output is source: NAME.c (and NAME.h) into the directory -o names, made
 * if it does not exist. */
static int write_sources(const Target *t, const Program *p, Options *o) {
    Graph *g = p->eval;
    const char *dir = o->out ? o->out : ".";
    struct stat st;
    if (stat(dir, &st) != 0 && mkdir(dir, 0777) != 0) {
        fprintf(stderr, "mlc: cannot make the directory %s: %s\n", dir, strerror(errno));
        return 1;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "mlc: -o %s: not a directory (--target %s writes %s%s and %s.h there)\n",
                dir, t->name, g->name, t->extension, g->name);
        return 1;
    }
    Arena *a = g->cx->arena;
    bool ok = write_source(dir, arena_printf(a, "%s%s", g->name, t->extension), t->emit, p);
    if (ok && t->emit_header)
        ok = write_source(dir, arena_printf(a, "%s.h", g->name), t->emit_header, p);
    if (ok && o->verbose)
        fprintf(stderr, "mlc: %s: %d kernels; activations %lld bytes; wrote %s/%s%s\n", g->name,
                p->es->kernels.len, (long long)(4 * (p->emp->per_sample + p->emp->fixed)), dir,
                g->name, t->extension);
    return ok ? 0 : 1;
}

/* Writes the target's source into a temporary directory and builds it. */
static int build(const Target *t, const Program *p, Options *o) {
    Schedule *s = p->s;
    MemPlan *mp = p->mp;
    const char *out = o->out ? o->out : arena_printf(s->g->cx->arena, "train_%s", s->g->name);
    if (!output_path_ok(out, o->path))
        return 1;
    const char *c_path = scratch_open(s->g->name, t->extension);
    if (!c_path)
        return 1;
    FILE *f = fopen(c_path, "w");
    bool ok = f != NULL;
    if (f) {
        t->emit(f, p);
        ok = !ferror(f);
        ok &= fclose(f) == 0;
    }
    if (!ok)
        fprintf(stderr, "mlc: cannot write %s\n", c_path);
    if (o->verbose)
        fprintf(stderr,
                "mlc: %s: %d kernels (%d forward); activations %lld floats per sample + %lld, "
                "%lld per sample without reuse\n",
                s->g->name, s->kernels.len, s->nforward, (long long)mp->per_sample,
                (long long)mp->fixed, (long long)mp->naive_per_sample);
    ok = ok && t->build(c_path, out, o->verbose);
    scratch_close();
    return ok ? 0 : 1;
}

/* The pipeline. Each pass runs only if the ones before it reported no error; --emit stops
 * after the stage it prints. Returns the exit status. */
static int compile(Ctx *cx, const Target *t, Options *o) {
    AstModel *m = parse_model(cx);
    if (cx->nerrors)
        return 1;
    if (o->emit == EMIT_AST) {
        ast_print(stdout, cx, m);
        return 0;
    }
    Graph *g = lower_model(cx, m);
    if (cx->nerrors)
        return 1;
    VERIFY(g);
    if (o->emit == EMIT_IR) {
        ir_print(stdout, g);
        return 0;
    }
    build_backward(g);
    VERIFY(g);
    simplify(g);
    ir_verify(g); /* every shape as the rules say, after autodiff and simplify */
    if (o->emit == EMIT_GRAD) {
        print_gradients(stdout, g);
        return 0;
    }
    if (o->emit == EMIT_DOT) {
        ir_print_dot(stdout, g);
        return 0;
    }
    Program p = {.g = g};
    if (t->predict_only) {
        /* the evaluation pass alone, to the output, with the weights built in */
        p.eval = predict_graph(g);
        if (cx->nerrors || (t->supports && !t->supports(p.eval)))
            return 1;
        /* --train: the training graph too, forward and backward, at the target's batch */
        if (o->train && t->supports && !t->supports(g))
            return 1;
        p.weights = weights_load(p.eval, o->weights);
        if (cx->nerrors)
            return 1;
        if (t->prepare && !o->train) /* training updates the weights as the file has them */
            t->prepare(&p);
        p.es = fuse_kernels(p.eval, t);
        for (int i = 0; t->direct_conv && i < p.es->kernels.len; i++)
            ((Kernel *)p.es->kernels.data[i])->scratch = 0;
        p.emp = plan_memory(p.es, t->reserved, NULL, "");
        MLC_ASSERT(memplan_check(p.es, p.emp, stderr) == 0);
        if (o->train) {
            p.s = fuse_kernels(g, t);
            for (int i = 0; t->direct_conv && i < p.s->kernels.len; i++)
                ((Kernel *)p.s->kernels.data[i])->scratch = 0;
            plan_sgd_folds(p.s);
            p.mp = plan_memory(p.s, t->reserved, p.emp, "train_");
            MLC_ASSERT(memplan_check(p.s, p.mp, stderr) == 0);
        }
        if (o->quantize)
            p.quant = quant_plan(&p, o->data, o->calibrate ? o->calibrate : 10);
        if (cx->nerrors)
            return 1;
        if (o->emit == EMIT_C) {
            t->emit(stdout, &p);
            return 0;
        }
        return o->check ? 0 : write_sources(t, &p, o);
    }
    if (t->supports && !t->supports(g)) /* each op the target cannot write, at its line */
        return 1;
    p.s = fuse_kernels(g, t);
    plan_sgd_folds(p.s);
    p.mp = plan_memory(p.s, t->reserved, NULL, "");
    /* cheap enough to run always: a wrong plan would silently compute wrong numbers */
    MLC_ASSERT(memplan_check(p.s, p.mp, stderr) == 0);
    p.eval = eval_graph(g); /* the evaluation pass, where it differs (dropout) */
    if (p.eval) {
        p.es = fuse_kernels(p.eval, t);
        p.emp = plan_memory(p.es, t->reserved, p.mp, "eval_");
        MLC_ASSERT(memplan_check(p.es, p.emp, stderr) == 0);
    }
    if (o->emit == EMIT_C) {
        t->emit(stdout, &p);
        return 0;
    }
    if (o->check)
        return 0;
    return build(t, &p, o);
}

int main(int argc, char **argv) {
    Options o = {0};
    int status = parse_options(argc, argv, &o);
    if (status)
        return status < 0 ? 0 : status;
    const Target *t = target_find(o.target ? o.target : "c");
    if (!t) {
        Arena *a = arena_new();
        fprintf(stderr, "mlc: unknown target '%s'; the targets are %s\n", o.target,
                target_names(a));
        arena_free(a);
        return 2;
    }
    if (t->predict_only && !o.weights && o.emit != EMIT_AST && o.emit != EMIT_IR &&
        o.emit != EMIT_GRAD && o.emit != EMIT_DOT) {
        fprintf(stderr, "mlc: --target %s builds the trained weights in: give --weights FILE\n",
                t->name);
        return 2;
    }
    if (!t->predict_only && (o.quantize || o.data || o.calibrate)) {
        fprintf(stderr, "mlc: --quantize, --data and --calibrate are for --target firmware\n");
        return 2;
    }
    if (o.train && !t->predict_only) {
        fprintf(stderr,
                "mlc: --train is for --target firmware (a program of --target %s "
                "trains already)\n",
                t->name);
        return 2;
    }
    if (o.train && o.quantize) {
        fprintf(stderr, "mlc: --train and --quantize int8 do not go together: the training "
                        "step is float\n");
        return 2;
    }
    if (!o.quantize && (o.data || o.calibrate)) {
        fprintf(stderr, "mlc: --data and --calibrate say how --quantize int8 calibrates: give "
                        "--quantize int8 too\n");
        return 2;
    }
    if (!t->predict_only && o.weights) {
        fprintf(stderr,
                "mlc: --weights is for targets that build the weights in (firmware); a program "
                "of --target %s loads them when it runs (--load FILE)\n",
                t->name);
        return 2;
    }
    size_t len;
    char *src = read_file(o.path, &len);
    if (!src) {
        fprintf(stderr, "mlc: cannot read '%s': %s\n", o.path, strerror(errno));
        return 1;
    }
    Ctx *cx = ctx_new(o.path, src, len, stderr);
    status = compile(cx, t, &o);
    /* what --emit printed must have reached its destination (a full disk, a closed pipe) */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "mlc: error writing the output: %s\n", strerror(errno));
        status = 1;
    }
    ctx_free(cx);
    free(src);
    return status;
}
