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
