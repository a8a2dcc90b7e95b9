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

void c_layout(FILE *o, Arena *a, const LayoutDesc *d, const char *n, const char *total) {
    if (d->zero)
        fprintf(o, "    for (int64_t k = 0; k < %s; k++)\n        %s[k] = 0.0f;\n", total,
                d->out->name);
    for (int i = 0; i < d->ncopies; i++)
        c_copy(o, a, &d->copy[i], d->out->name, n, "    ");
}

/* Sums in double, in order; max_axis's gradient goes to the first largest element, as
 * PyTorch's max(x, dim) picks its index. */
void c_axis(FILE *o, const AxisDesc *d, const char *outer) {
    long long len = (long long)d->len, inner = (long long)d->inner;
    const char *y = d->out->name, *x = d->x->name;
    fprintf(o, "    for (int64_t i = 0; i < %s; i++)\n", outer);
    fprintf(o, "        for (int64_t j = 0; j < %lld; j++) {\n", inner);
    fprintf(o, "            const float *v = %s + i * %lld + j;\n", x, len * inner);
    switch (d->op) {
    case OP_SUM_AXIS:
        fprintf(o, "            double sum = 0.0;\n");
        fprintf(o, "            for (int64_t a = 0; a < %lld; a++)\n", len);
        fprintf(o, "                sum += (double)v[a * %lld];\n", inner);
        fprintf(o, "            %s[i * %lld + j] = (float)sum;\n", y, inner);
        break;
    case OP_MAX_AXIS:
    case OP_MAX_AXIS_BWD:
        fprintf(o, "            int64_t best = 0;\n");
        fprintf(o, "            for (int64_t a = 1; a < %lld; a++)\n", len);
        fprintf(o, "                if (v[a * %lld] > v[best * %lld])\n", inner, inner);
        fprintf(o, "                    best = a;\n");
        if (d->op == OP_MAX_AXIS) {
            fprintf(o, "            %s[i * %lld + j] = v[best * %lld];\n", y, inner, inner);
            break;
        }
        fprintf(o, "            for (int64_t a = 0; a < %lld; a++)\n", len);
        fprintf(o,
                "                %s[(i * %lld + a) * %lld + j] =\n"
                "                    a == best ? %s[i * %lld + j] : 0.0f;\n",
                y, len, inner, d->dy->name, inner);
        break;
    default: unreachable();
    }
    fprintf(o, "        }\n");
}
