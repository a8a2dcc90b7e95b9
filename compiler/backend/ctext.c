/* backend/ctext.c: what the targets that write C share: string literals, calls wrapped
 * at 100 columns, and operands in parentheses where their precedence needs them. */
#include "mlc.h"

/* A C string literal for any bytes (class names and paths come from the user). */
const char *c_string(Arena *a, const char *s) {
    size_t n = strlen(s);
    char *out = arena_alloc(a, 4 * n + 3);
    size_t len = 0;
    out[len++] = '"';
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\') {
            out[len++] = '\\';
            out[len++] = (char)c;
        } else if (c < 32 || c >= 127) {
            len += (size_t)sprintf(out + len, "\\%03o", c);
        } else {
            out[len++] = (char)c;
        }
    }
    out[len++] = '"';
    out[len] = '\0';
    return out;
}

const char *c_state_type(Arena *a, const char *model) {
    char *out = arena_printf(a, "%sState", model);
    size_t len = 0;
    bool up = true;
    for (const char *p = model; *p; p++) {
        if (*p == '_') {
            up = true;
            continue;
        }
        out[len++] = up ? (char)toupper((unsigned char)*p) : *p;
        up = false;
    }
    strcpy(out + len, "State");
    return out;
}

void c_kernel_comment(FILE *o, Schedule *s, MemPlan *mp, Kernel *k) {
    PtrVec src = kernel_sources(s, k), math = kernel_math(s, mp, k);
    fprintf(o, "/* ");
    for (int i = 0; i < src.len; i++)
        fprintf(o, "%s%s\n", i ? " * " : "", (const char *)src.data[i]);
    for (int i = 0; i < math.len; i++)
        fprintf(o, " *   %s\n", (const char *)math.data[i]);
    fprintf(o, " */\n");
}

/* head, the items separated by ", ", then tail, filling lines of at most 100 columns:
 * continuation lines start under the first item, as clang-format writes C. */
void print_list(FILE *o, const char *head, const PtrVec *items, const char *tail) {
    size_t col = strlen(head), indent = strlen(head);
    fputs(head, o);
    for (int i = 0; i < items->len; i++) {
        const char *item = items->data[i];
        size_t need = strlen(item) + (i + 1 < items->len ? 1 : strlen(tail));
        if (i > 0 && col + 2 + need > 100) {
            fprintf(o, ",\n%*s", (int)indent, "");
            col = indent;
        } else if (i > 0) {
            fputs(", ", o);
            col += 2;
        }
        fputs(item, o);
        col += strlen(item);
    }
    fprintf(o, "%s\n", tail);
}

/* x in parentheses when it binds more loosely than `most` allows. */
const char *operand(Arena *a, CExpr x, int most) {
    return x.prec > most ? arena_printf(a, "(%s)", x.text) : x.text;
}

/* An elementwise op of form infix, prefix or "its operand" (ops.def), in C; .text is NULL for
 * a call of the op's own function, which each target spells itself. */
CExpr c_form(Arena *a, OpKind op, const CExpr *arg) {
    const OpInfo *info = &op_info[op];
    switch (info->form) {
    case EF_INFIX: {
        /* left-associative: the right operand needs parentheses at equal precedence too */
        int p = info->sym[0] == '*' || info->sym[0] == '/' ? 3 : 4;
        return (CExpr){arena_printf(a, "%s %s %s", operand(a, arg[0], p), info->sym,
                                    operand(a, arg[1], p - 1)),
                       p};
    }
    case EF_PREFIX: return (CExpr){arena_printf(a, "%s%s", info->sym, operand(a, arg[0], 1)), 2};
    case EF_SAME: return arg[0];
    case EF_CALL: return (CExpr){NULL, 1};
    case EF_NONE: break;
    }
    unreachable();
}

/* A float literal C reads back exactly: 1 -> "1.0f", -0.5 -> "(-0.5f)", NAN, INFINITY. */
const char *c_float(Arena *a, double v) {
    if (isnan(v))
        return "NAN";
    if (isinf(v))
        return v > 0 ? "INFINITY" : "(-INFINITY)";
    char b[64];
    snprintf(b, sizeof b, "%.9g", (double)(float)v);
    bool has_point = strpbrk(b, ".e") != NULL;
    return arena_printf(a, "%s%s%s%s", v < 0 ? "(" : "", b, has_point ? "f" : ".0f",
                        v < 0 ? ")" : "");
}

const char *c_const(Arena *a, double value, int npow) {
    const char *s = c_float(a, value);
    for (int i = 0; i < npow; i++)
        s = arena_printf(a, "(%s * (float)N)", s);
    for (int i = 0; i > npow; i--)
        s = arena_printf(a, "(%s / (float)N)", s);
    return s;
}

const char *c_count(Arena *a, Count c) {
    if (!c.n)
        return arena_printf(a, "%lld", (long long)c.c);
    if (c.c == 1)
        return "N";
    return arena_printf(a, "N * %lld", (long long)c.c);
}

CExpr c_elem(Arena *a, const CSpell *sp, const Elem *x) {
    static const char *const index[] = {[AT_K] = "k", [AT_J] = "j", [AT_SCALAR] = "0"};
    switch (x->kind) {
    case ELEM_CONST: return (CExpr){c_const(a, x->value, sp->batch1 ? 0 : x->npow), 1};
    case ELEM_LOAD:
        if (x->at == AT_J_MOD)
            return (CExpr){arena_printf(a, "%s[j %% %lld]", x->buf->name, (long long)x->size), 1};
        return (CExpr){arena_printf(a, "%s[%s]", x->buf->name, index[x->at]), 1};
    case ELEM_VALUE: return (CExpr){"v", 1}; /* the loop's local (c.c's emit_batchnorm) */
    case ELEM_OP: break;
    }
    CExpr arg[3];
    for (int i = 0; i < x->nargs; i++)
        arg[i] = c_elem(a, sp, x->arg[i]);
    CExpr form = c_form(a, x->op, arg);
    if (form.text)
        return form;
    /* each op's own function (mlc_relu is a compare-and-select, where fmaxf is a library
     * call without -ffinite-math-only) */
    const char *t = arg[0].text, *fn = sp->prefix;
    switch (x->op) {
    case OP_RELU: return (CExpr){arena_printf(a, "%s_relu(%s)", fn, t), 1};
    case OP_STEP: return (CExpr){arena_printf(a, "(float)(%s > 0.0f)", t), 1};
    case OP_SIGMOID:
        return (CExpr){arena_printf(a, "1.0f / (1.0f + %s(-%s))", sp->expf, operand(a, arg[0], 1)),
                       3};
    case OP_TANH: return (CExpr){arena_printf(a, "tanhf(%s)", t), 1};
    case OP_EXP: return (CExpr){arena_printf(a, "%s(%s)", sp->expf, t), 1};
    case OP_LOG: return (CExpr){arena_printf(a, "logf(%s)", t), 1};
    case OP_GELU: return (CExpr){arena_printf(a, "%s_gelu(%s)", fn, t), 1};
    case OP_GELU_GRAD: return (CExpr){arena_printf(a, "%s_gelu_grad(%s)", fn, t), 1};
    case OP_GELU_TANH: return (CExpr){arena_printf(a, "%s_gelu_tanh(%s)", fn, t), 1};
    case OP_GELU_TANH_GRAD: return (CExpr){arena_printf(a, "%s_gelu_tanh_grad(%s)", fn, t), 1};
    case OP_ELU: return (CExpr){arena_printf(a, "%s_elu(%s)", fn, t), 1};
    case OP_SQRT: return (CExpr){arena_printf(a, "sqrtf(%s)", t), 1};
    case OP_POW: return (CExpr){arena_printf(a, "powf(%s, %s)", t, arg[1].text), 1};
    case OP_CLAMP:
        return (CExpr){arena_printf(a, "%s_clamp(%s, %s, %s)", fn, t, arg[1].text, arg[2].text), 1};
    case OP_BETWEEN:
        return (CExpr){
            arena_printf(a, "(float)(%s >= %s && %s <= %s)", t, arg[1].text, t, arg[2].text), 1};
    case OP_DROPOUT: {
        /* kept when a hash of (step seed, stream, k) is at least p * 2^32, then scaled */
        double p = x->dropout_p;
        return (CExpr){arena_printf(a, "%s_dropout(%s, seed, %du, k, %.0fu, %s)", fn, t,
                                    x->dropout_stream, floor(p * 4294967296.0),
                                    c_float(a, 1.0 / (1.0 - p))),
                       1};
    }
    case OP_INPUT:
    case OP_TARGET:
    case OP_PARAM:
    case OP_STATE:
    case OP_CONST:
    case OP_ADD:
    case OP_SUB:
    case OP_MUL:
    case OP_DIV:
    case OP_NEG:
    case OP_EXPAND:
    case OP_MATMUL:
    case OP_RESHAPE:
    case OP_SUM:
    case OP_MEAN:
    case OP_SUM_TO:
    case OP_SOFTMAX:
    case OP_SOFTMAX_BWD:
    case OP_LOG_SOFTMAX:
    case OP_LOG_SOFTMAX_BWD:
    case OP_CROSS_ENTROPY:
    case OP_CROSS_ENTROPY_BWD:
    case OP_BCE_LOGITS:
    case OP_NLL:
    case OP_NLL_BWD:
    case OP_CONV2D:
    case OP_CONV2D_BWD_X:
    case OP_CONV2D_BWD_W:
    case OP_CHANNEL_SUM:
    case OP_CHANNEL_MEAN:
    case OP_CHANNEL_VAR:
    case OP_MAXPOOL2D:
    case OP_MAXPOOL2D_BWD:
    case OP_AVGPOOL2D:
    case OP_AVGPOOL2D_BWD:
    case OP_BATCHNORM:
    case OP_BATCHNORM_BWD:
    case OP_BN_DGAMMA:
    case OP_BATCHNORM_EVAL:
    case OP_ADAPTIVE_AVGPOOL2D:
    case OP_ADAPTIVE_AVGPOOL2D_BWD:
    case OP_PERMUTE:
    case OP_SLICE:
    case OP_PAD:
    case OP_CONCAT:
    case OP_BROADCAST:
    case OP_SUM_AXIS:
    case OP_MAX_AXIS:
    case OP_MAX_AXIS_BWD:
    case OP_COUNT: break; /* no element of a fused loop: kernel.c keeps them out */
    }
    unreachable();
}

/* sum_d i_d stride_d + off, leaving out the zero terms and the unit factors */
static const char *copy_index(Arena *a, const Copy *c, const int64_t *stride, int64_t off) {
    const char *text = "";
    for (int d = 0; d < c->rank; d++) {
        if (stride[d] == 0)
            continue;
        const char *term = stride[d] == 1 ? arena_printf(a, "i%d", d)
                                          : arena_printf(a, "i%d * %lld", d, (long long)stride[d]);
        text = arena_printf(a, "%s%s%s", text, *text ? " + " : "", term);
    }
    if (off || !*text)
        text = arena_printf(a, "%s%s%lld", text, *text ? " + " : "", (long long)off);
    return text;
}

void c_copy(FILE *o, Arena *a, const Copy *c, const char *dst, const char *n, const char *indent) {
    const char *pad = indent;
    for (int d = 0; d < c->rank; d++) {
        Count dim = c->dim[d];
        const char *extent = !dim.n       ? arena_printf(a, "%lld", (long long)dim.c)
                             : dim.c == 1 ? n
                                          : arena_printf(a, "%s * %lld", n, (long long)dim.c);
        fprintf(o, "%sfor (int64_t i%d = 0; i%d < %s; i%d++)\n", pad, d, d, extent, d);
        pad = arena_printf(a, "%s    ", pad);
    }
    fprintf(o, "%s%s[%s] = %s[%s];\n", pad, dst, copy_index(a, c, c->dst_stride, c->dst_off),
            c->src->name, copy_index(a, c, c->src_stride, c->src_off));
}

const char *c_copy_count(Arena *a, const Copy *c, const char *n) {
    long long fixed = 1;
    bool batch = false;
    for (int d = 0; d < c->rank; d++) {
        fixed *= (long long)c->dim[d].c;
        batch |= c->dim[d].n;
    }
    if (!batch)
        return arena_printf(a, "%lld", fixed);
    return fixed == 1 ? n : arena_printf(a, "%s * %lld", n, fixed);
}

void c_copy_element(FILE *o, Arena *a, const Copy *c, const char *dst, const char *n,
                    const char *in) {
    if (c->rank == 1)
        fprintf(o, "%sconst int64_t i0 = t;\n", in);
    if (c->rank > 1)
        fprintf(o, "%sint64_t rest = t;\n", in);
    for (int d = c->rank - 1; d > 0; d--) {
        Count dim = c->dim[d];
        const char *extent = !dim.n       ? arena_printf(a, "%lld", (long long)dim.c)
                             : dim.c == 1 ? n
                                          : arena_printf(a, "(%s * %lld)", n, (long long)dim.c);
        fprintf(o, "%sconst int64_t i%d = rest %% %s;\n%srest /= %s;\n", in, d, extent, in, extent);
    }
    if (c->rank > 1)
        fprintf(o, "%sconst int64_t i0 = rest;\n", in);
    fprintf(o, "%s%s[%s] = %s[%s];\n", in, dst, copy_index(a, c, c->dst_stride, c->dst_off),
            c->src->name, copy_index(a, c, c->src_stride, c->src_off));
}

void c_layout(FILE *o, Arena *a, const LayoutDesc *d, const char *n, const char *total) {
    if (d->zero)
        fprintf(o, "    for (int64_t k = 0; k < %s; k++)\n        %s[k] = 0.0f;\n", total,
                d->out->name);
    for (int i = 0; i < d->ncopies; i++)
        c_copy(o, a, &d->copy[i], d->out->name, n, "    ");
}

/* Sums in double, in order; max_axis's gradient goes to the first largest element, as
 * PyTorch's max(x, dim) picks its index. */
void c_axis_element(FILE *o, const AxisDesc *d, const char *in) {
    long long len = (long long)d->len, inner = (long long)d->inner;
    const char *y = d->out->name, *x = d->x->name;
    fprintf(o, "%sconst float *v = %s + i * %lld + j;\n", in, x, len * inner);
    switch (d->op) {
    case OP_SUM_AXIS:
        fprintf(o, "%sdouble sum = 0.0;\n", in);
        fprintf(o, "%sfor (int64_t a = 0; a < %lld; a++)\n", in, len);
        fprintf(o, "%s    sum += (double)v[a * %lld];\n", in, inner);
        fprintf(o, "%s%s[i * %lld + j] = (float)sum;\n", in, y, inner);
        break;
    case OP_MAX_AXIS:
    case OP_MAX_AXIS_BWD:
        fprintf(o, "%sint64_t best = 0;\n", in);
        fprintf(o, "%sfor (int64_t a = 1; a < %lld; a++)\n", in, len);
        fprintf(o, "%s    if (v[a * %lld] > v[best * %lld])\n", in, inner, inner);
        fprintf(o, "%s        best = a;\n", in);
        if (d->op == OP_MAX_AXIS) {
            fprintf(o, "%s%s[i * %lld + j] = v[best * %lld];\n", in, y, inner, inner);
            break;
        }
        fprintf(o, "%sfor (int64_t a = 0; a < %lld; a++)\n", in, len);
        fprintf(o,
                "%s    %s[(i * %lld + a) * %lld + j] =\n"
                "%s        a == best ? %s[i * %lld + j] : 0.0f;\n",
                in, y, len, inner, in, d->dy->name, inner);
        break;
    default: unreachable();
    }
}

void c_axis(FILE *o, const AxisDesc *d, const char *outer) {
    fprintf(o, "    for (int64_t i = 0; i < %s; i++)\n", outer);
    fprintf(o, "        for (int64_t j = 0; j < %lld; j++) {\n", (long long)d->inner);
    c_axis_element(o, d, "            ");
    fprintf(o, "        }\n");
}

/* ---- the model's description for the runtime (MlcModel) ---------------------------------- */

static const char *init_const(InitKind k) {
    switch (k) {
    case INIT_NONE: /* a data set's input: never filled */
    case INIT_ZEROS: return "MLC_INIT_ZEROS";
    case INIT_ONES: return "MLC_INIT_ONES";
    case INIT_RANDN: return "MLC_INIT_RANDN";
    case INIT_UNIFORM: return "MLC_INIT_UNIFORM";
    }
    unreachable();
}

void c_model_tables(FILE *o, Arena *a, const Graph *g, const MemPlan *mp) {
    for (int table = 0; table < 2; table++) {
        const PtrVec *leaves = table == 0 ? &g->params : &g->states;
        if (table == 1 && !leaves->len)
            break;
        fprintf(o, "static const MlcParam %s_%s[] = {\n", g->name, table ? "states" : "params");
        for (int p = 0; p < leaves->len; p++) {
            Node *w = leaves->data[p];
            fprintf(o, "    {%s, %d, {", c_string(a, w->attr.leaf.pname), w->shape.rank);
            for (int i = 0; i < w->shape.rank; i++)
                fprintf(o, "%s%lld", i ? ", " : "", (long long)w->shape.dim[i]);
            if (w->shape.rank == 0) /* a scalar: C has no empty initialiser */
                fprintf(o, "0");
            fprintf(o, "}, %lld, %lld, %s, %lld},\n",
                    (long long)(table ? mp->state_offset[p] : mp->param_offset[p]),
                    (long long)shape_numel_const(w->shape), init_const(w->attr.leaf.init),
                    (long long)w->attr.leaf.fan_in);
        }
        fprintf(o, "};\n\n");
    }
    if (g->classes.len) {
        fprintf(o, "static const char *const %s_classes[] = {\n", g->name);
        for (int i = 0; i < g->classes.len; i++)
            fprintf(o, "    %s,\n", c_string(a, g->classes.data[i]));
        fprintf(o, "};\n\n");
    }
    const TrainSpec *t = &g->train;
    if (!t->ntransforms)
        return;
    for (int i = 0; i < t->ntransforms; i++) {
        const TransformSpec *ts = &t->transforms[i];
        for (int k = 0; ts->kind == TRANSFORM_NORMALIZE && k < 2; k++) {
            fprintf(o, "static const float %s_%s%d[] = {", g->name, k ? "std" : "mean", i);
            for (int c = 0; c < ts->nchannels; c++)
                fprintf(o, "%s%s", c ? ", " : "", c_float(a, k ? ts->std[c] : ts->mean[c]));
            fprintf(o, "};\n");
        }
    }
    static const char *const kinds[] = {"MLC_NORMALIZE", "MLC_RANDOM_CROP", "MLC_RANDOM_HFLIP"};
    fprintf(o, "/* the inputs' transforms, in order: kind, padding (random_crop), channels, mean\n"
               " * and std (normalize) */\n");
    fprintf(o, "static const MlcTransform %s_transforms[] = {\n", g->name);
    for (int i = 0; i < t->ntransforms; i++) {
        const TransformSpec *ts = &t->transforms[i];
        if (ts->kind == TRANSFORM_NORMALIZE)
            fprintf(o, "    {%s, 0, %d, %s_mean%d, %s_std%d},\n", kinds[ts->kind], ts->nchannels,
                    g->name, i, g->name, i);
        else
            fprintf(o, "    {%s, %lld, 0, NULL, NULL},\n", kinds[ts->kind], (long long)ts->padding);
    }
    fprintf(o, "};\n\n");
}

void c_model_field(FILE *o, bool assign, const char *field, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(o, "    %s%s = ", assign ? "m." : ".", field);
    vfprintf(o, fmt, ap);
    fprintf(o, "%s\n", assign ? ";" : ",");
    va_end(ap);
}

void c_model_fields(FILE *o, Arena *a, const Program *p, const char *type, bool assign) {
    const Graph *g = p->g;
    const MemPlan *mp = p->mp;
    const Node *x = g->input, *y = g->target;
    const TrainSpec *t = &g->train;
#define FIELD(...) c_model_field(o, assign, __VA_ARGS__)
    FIELD("name", "%s", c_string(a, g->name));
    FIELD("source", "%s", c_string(a, g->cx->path));
    FIELD("params", "%s_params", g->name);
    FIELD("nparam", "%d", g->params.len);
    FIELD("nparams", "%lld", (long long)mp->nparams);
    if (g->states.len) {
        FIELD("states", "%s_states", g->name);
        FIELD("nstate", "%d", g->states.len);
        FIELD("nstates", "%lld", (long long)mp->nstates);
    }
    FIELD("x_name", "%s", c_string(a, x->name));
    FIELD("x_rank", "%d", x->shape.rank - 1);
    for (int i = 1; i < x->shape.rank; i++)
        FIELD(arena_printf(a, "x_shape[%d]", i - 1), "%lld", (long long)x->shape.dim[i]);
    FIELD("x_size", "%lld", (long long)shape_numel_const(x->shape));
    if (y->dtype == DT_I32) {
        FIELD("y_kind", "MLC_TARGET_CLASS");
        FIELD("nclass", "%lld", (long long)y->attr.leaf.nclass);
    } else {
        FIELD("y_kind", "MLC_TARGET_F32");
        FIELD("y_size", "%lld", (long long)shape_numel_const(y->shape));
    }
    FIELD("y_name", "%s", c_string(a, y->name));
    FIELD("x_init", "%s", init_const(x->attr.leaf.init));
    FIELD("y_init", "%s", init_const(y->attr.leaf.init));
    if (g->output) {
        FIELD("out_name", "%s", c_string(a, mp->buf_of[g->output->id]->name));
        FIELD("out_size", "%lld", (long long)shape_numel_const(g->output->shape));
    }
    if (g->classes.len)
        FIELD("class_names", "%s_classes", g->name);
    static const char *const kinds[] = {"NONE", "IDX", "NPY", "NPZ", "CSV", "IMAGES"};
    FIELD("data_kind", "MLC_DATA_%s", kinds[t->data_kind]);
    const char *const paths[][2] = {{"data_path", t->data_path},
                                    {"data_path2", t->data_path2},
                                    {"test_path", t->test_path},
                                    {"test_path2", t->test_path2},
                                    {"target_column", t->target_column}};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (paths[i][1])
            FIELD(paths[i][0], "%s", c_string(a, paths[i][1]));
    if (t->val_split > 0)
        FIELD("val_split", "%.17g", t->val_split);
    FIELD("scale", "%s", c_float(a, t->scale));
    FIELD("batch", "%lld", (long long)t->batch);
    FIELD("epochs", "%lld", (long long)t->epochs);
    /* the optimizer's settings, each by its MlcOptim field (runtime/optimizers.def) */
    char kind[32];
    snprintf(kind, sizeof kind, "MLC_%s", t->optimizer);
    for (char *c = kind; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    FIELD("optim.kind", "%s", kind);
    for (int i = 0; i < noptim_settings; i++) {
        if (strcmp(optim_settings[i].optimizer, t->optimizer) != 0)
            continue;
        const char *name = arena_printf(a, "optim.%s", optim_settings[i].name);
        if (optim_settings[i].kind == SETTING_PAIR) {
            FIELD(arena_printf(a, "%s[0]", name), "%.17g", t->setting[i][0]);
            FIELD(arena_printf(a, "%s[1]", name), "%.17g", t->setting[i][1]);
        } else {
            FIELD(name, "%.17g", t->setting[i][0]);
        }
    }
    const ScheduleSpec *sc = &t->schedule;
    static const char *const schedules[] = {"MLC_SCHEDULE_NONE", "MLC_SCHEDULE_STEP",
                                            "MLC_SCHEDULE_COSINE"};
    if (sc->kind || sc->warmup_epochs) {
        FIELD("schedule.kind", "%s", schedules[sc->kind]);
        FIELD("schedule.step_size", "%lld", (long long)sc->step_size);
        FIELD("schedule.gamma", "%.17g", sc->gamma);
        FIELD("schedule.t_max", "%.17g", sc->t_max);
        FIELD("schedule.eta_min", "%.17g", sc->eta_min);
        FIELD("schedule.warmup_epochs", "%lld", (long long)sc->warmup_epochs);
        FIELD("schedule.warmup_start", "%.17g", sc->warmup_start);
    }
    FIELD("shuffle", "%d", t->shuffle ? 1 : 0);
    if (t->drop_last)
        FIELD("drop_last", "1");
    if (t->one_hot)
        FIELD("one_hot", "1");
    if (t->ntransforms) {
        FIELD("transforms", "%s_transforms", g->name);
        FIELD("ntransforms", "%d", t->ntransforms);
    }
    FIELD("acts_per_sample", "%lld", (long long)plan_acts_per_sample(mp, p->eval ? p->emp : NULL));
    FIELD("acts_fixed", "%lld", (long long)plan_acts_fixed(mp, p->eval ? p->emp : NULL));
    FIELD("state_size", "sizeof(%s)", type);
    const char *fns[] = {"bind", "forward", "loss", "backward", "train_step", "output"};
    for (int i = 0; i < 6; i++)
        FIELD(fns[i], "%s_%s", g->name, fns[i]);
    if (p->eval) {
        FIELD("eval_forward", "%s_eval_forward", g->name);
        FIELD("eval_loss", "%s_eval_loss", g->name);
        FIELD("eval_output", "%s_eval_output", g->name);
    }
#undef FIELD
}
