/* ast.c: syntax tree constructors and --emit ast.
 *
 * The grammar builds the tree only through the constructors here. They also make the few
 * checks that a context-free grammar cannot: a type is 'f32[...]' or 'class(K)', keyword
 * arguments come after positional ones, and expressions nest at most MLC_MAX_DEPTH deep, so
 * that every later pass may walk an expression recursively without fear for its stack.
 *
 * ast_print writes one node per line, indented two spaces per level below its parent:
 *
 *   model fashion @2:7-13
 *     input image @4:1-29
 *       tensor f32 @4:16-29
 *         num 1 @4:20
 *
 * Each line is the node kind, its own data (name, operator, number as %.9g, string with
 * C escapes), then '@' and the node's range: line:col of its first byte, then '-' and the
 * column of its last byte (or line:col when that is on another line). Children follow in
 * source order. The format is stable: tests/parse/ *.ast hold it.
 */
#include "mlc.h"

Ast *ast_new(Ctx *cx, AstKind kind, Loc loc) {
    Ast *n = NEW(cx->arena, Ast);
    n->kind = kind;
    n->loc = loc;
    n->depth = 1;
    return n;
}

/* ---- expressions ---- */

Ast *ast_num(Ctx *cx, double num, Loc loc) {
    Ast *n = ast_new(cx, AST_NUM, loc);
    n->num = num;
    return n;
}

Ast *ast_str(Ctx *cx, const char *str, Loc loc) {
    Ast *n = ast_new(cx, AST_STR, loc);
    n->str = str;
    return n;
}

Ast *ast_ident(Ctx *cx, const char *name, Loc loc) {
    Ast *n = ast_new(cx, AST_IDENT, loc);
    n->str = name;
    return n;
}

/* Makes n one level deeper than child and reports the first node that passes the limit
 * (its ancestors are deeper still, but one message per expression is enough). */
static void add_depth(Ctx *cx, Ast *n, const Ast *child) {
    if (child->depth + 1 <= n->depth)
        return;
    n->depth = child->depth + 1;
    if (n->depth == MLC_MAX_DEPTH + 1)
        diag_error(cx, n->loc, "expression is nested too deeply (more than %d levels)",
                   MLC_MAX_DEPTH);
}

Ast *ast_call(Ctx *cx, const char *name, Loc name_loc, PtrVec args, Loc loc) {
    Ast *n = ast_new(cx, AST_CALL, loc);
    n->call.name = name;
    n->call.name_loc = name_loc;
    n->call.args = args;
    const Ast *kwarg = NULL;
    for (int i = 0; i < args.len; i++) {
        const Ast *a = args.data[i];
        add_depth(cx, n, a);
        if (a->kind == AST_KWARG)
            kwarg = a;
        else if (kwarg)
            diag_error(cx, a->loc, "positional argument after keyword argument '%s'",
                       kwarg->kwarg.name);
    }
    return n;
}

Ast *ast_kwarg(Ctx *cx, const char *name, Loc name_loc, Ast *value, Loc loc) {
    Ast *n = ast_new(cx, AST_KWARG, loc);
    n->kwarg.name = name;
    n->kwarg.name_loc = name_loc;
    n->kwarg.value = value;
    n->depth = value->depth; /* name = value adds no nesting of its own */
    return n;
}

Ast *ast_binary(Ctx *cx, int op, Ast *lhs, Ast *rhs, Loc loc) {
    Ast *n = ast_new(cx, AST_BINARY, loc);
    n->bin.op = op;
    n->bin.lhs = lhs;
    n->bin.rhs = rhs;
    add_depth(cx, n, lhs);
    add_depth(cx, n, rhs);
    return n;
}

Ast *ast_neg(Ctx *cx, Ast *operand, Loc loc) {
    Ast *n = ast_new(cx, AST_NEG, loc);
    n->bin.lhs = operand;
    add_depth(cx, n, operand);
    return n;
}

Ast *ast_list(Ctx *cx, PtrVec items, Loc loc) {
    Ast *n = ast_new(cx, AST_LIST, loc);
    n->list = items;
    for (int i = 0; i < items.len; i++)
        add_depth(cx, n, items.data[i]);
    return n;
}

Ast *ast_index(Ctx *cx, Ast *base, PtrVec items, Loc loc) {
    Ast *n = ast_new(cx, AST_INDEX, loc);
    n->index.base = base;
    n->index.items = items;
    add_depth(cx, n, base);
    for (int i = 0; i < items.len; i++)
        add_depth(cx, n, items.data[i]);
    return n;
}

Ast *ast_slice(Ctx *cx, Ast *lo, Ast *hi, Loc loc) {
    Ast *n = ast_new(cx, AST_SLICE, loc);
    n->bin.op = ':';
    n->bin.lhs = lo;
    n->bin.rhs = hi;
    if (lo)
        add_depth(cx, n, lo);
    if (hi)
        add_depth(cx, n, hi);
    return n;
}

/* ---- types: f32[d0, d1, ...] and class(K); whether the numbers make sense is checked when
 * the model is lowered ---- */

Ast *ast_tensor_type(Ctx *cx, const char *dtype, Loc dtype_loc, PtrVec dims, Loc loc) {
    if (strcmp(dtype, "f32") != 0)
        diag_error(cx, dtype_loc, "unknown element type '%s', expected 'f32'", dtype);
    Ast *n = ast_new(cx, AST_TENSOR_TYPE, loc);
    n->type.dtype = dtype;
    n->type.dims = dims;
    return n;
}

Ast *ast_class_type(Ctx *cx, const char *word, Loc word_loc, Ast *nclass, Loc loc) {
    if (strcmp(word, "class") != 0)
        diag_error(cx, word_loc, "unknown type '%s', expected 'f32[...]' or 'class(K)'", word);
    Ast *n = ast_new(cx, AST_CLASS_TYPE, loc);
    n->type.nclass = nclass;
    return n;
}

/* ---- statements ---- */

Ast *ast_decl(Ctx *cx, AstKind kind, const char *name, Loc name_loc, Ast *type, Ast *init,
              Loc loc) {
    MLC_ASSERT(kind == AST_INPUT || kind == AST_TARGET || kind == AST_PARAM);
    Ast *n = ast_new(cx, kind, loc);
    n->decl.name = name;
    n->decl.name_loc = name_loc;
    n->decl.type = type;
    n->decl.init = init;
    return n;
}

Ast *ast_net(Ctx *cx, const char *name, Loc name_loc, PtrVec layers, Loc loc) {
    Ast *n = ast_new(cx, AST_NET, loc);
    n->net.name = name;
    n->net.name_loc = name_loc;
    n->net.layers = layers;
    return n;
}

Ast *ast_assign(Ctx *cx, const char *name, Loc name_loc, Ast *value, bool output, Loc loc) {
    Ast *n = ast_new(cx, AST_ASSIGN, loc);
    n->assign.name = name;
    n->assign.name_loc = name_loc;
    n->assign.value = value;
    n->assign.output = output;
    return n;
}

Ast *ast_train(Ctx *cx, PtrVec settings, Loc loc) {
    Ast *n = ast_new(cx, AST_TRAIN, loc);
    n->list = settings;
    return n;
}

AstModel *ast_model(Ctx *cx, const char *name, Loc name_loc) {
    AstModel *m = NEW(cx->arena, AstModel);
    m->name = name;
    m->name_loc = name_loc;
    return m;
}

/* ---- --emit ast ---- */

/* "@line:col-endcol", or "@line:col-endline:endcol" for a range over several lines. */
static void print_loc(FILE *out, Ctx *cx, Loc loc) {
    int line, col, end_line, end_col;
    diag_line_col(cx, loc.offset, &line, &col);
    fprintf(out, " @%d:%d", line, col);
    if (loc.len <= 1)
        return;
    diag_line_col(cx, loc.offset + loc.len - 1, &end_line, &end_col);
    if (end_line == line)
        fprintf(out, "-%d", end_col);
    else
        fprintf(out, "-%d:%d", end_line, end_col);
}

/* A string literal as C would write it, so that any bytes print on one readable line. */
static void print_string(FILE *out, const char *s) {
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fprintf(out, "\\x%02x", *p);
            else
                fputc(*p, out); /* UTF-8 text stays readable */
        }
    }
    fputc('"', out);
}

static void print_node(FILE *out, Ctx *cx, const Ast *n, int indent);

static void print_all(FILE *out, Ctx *cx, const PtrVec *v, int indent) {
    for (int i = 0; i < v->len; i++)
        print_node(out, cx, v->data[i], indent);
}

static void print_node(FILE *out, Ctx *cx, const Ast *n, int indent) {
    fprintf(out, "%*s", 2 * indent, "");
    switch (n->kind) {
    case AST_NUM:
        fprintf(out, "num %.9g", n->num);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        return;
    case AST_STR:
        fputs("str ", out);
        print_string(out, n->str);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        return;
    case AST_IDENT:
        fprintf(out, "ident %s", n->str);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        return;
    case AST_CALL:
        fprintf(out, "call %s", n->call.name);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        print_all(out, cx, &n->call.args, indent + 1);
        return;
    case AST_KWARG:
        fprintf(out, "kwarg %s", n->kwarg.name);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        print_node(out, cx, n->kwarg.value, indent + 1);
        return;
    case AST_BINARY:
        fprintf(out, "binary %c", n->bin.op);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        print_node(out, cx, n->bin.lhs, indent + 1);
        print_node(out, cx, n->bin.rhs, indent + 1);
        return;
    case AST_NEG:
        fputs("neg", out);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        print_node(out, cx, n->bin.lhs, indent + 1);
        return;
    case AST_INDEX:
        fputs("index", out);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        print_node(out, cx, n->index.base, indent + 1);
        print_all(out, cx, &n->index.items, indent + 1);
        return;
    case AST_SLICE:
        fputs("slice", out);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        for (int side = 0; side < 2; side++) {
            Ast *end = side ? n->bin.rhs : n->bin.lhs;
            if (end) {
                print_node(out, cx, end, indent + 1);
            } else {
                fprintf(out, "%*s%s\n", 2 * (indent + 1), "", side ? "(to the end)" : "(from 0)");
            }
        }
        return;
    case AST_LIST:
        fputs("list", out);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        print_all(out, cx, &n->list, indent + 1);
        return;
    case AST_TENSOR_TYPE:
        fprintf(out, "tensor %s", n->type.dtype);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        print_all(out, cx, &n->type.dims, indent + 1);
        return;
    case AST_CLASS_TYPE:
        fputs("class", out);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        print_node(out, cx, n->type.nclass, indent + 1);
        return;
    case AST_INPUT:
    case AST_TARGET:
    case AST_PARAM:
        fprintf(out, "%s %s",
                n->kind == AST_INPUT    ? "input"
                : n->kind == AST_TARGET ? "target"
                                        : "param",
                n->decl.name);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        print_node(out, cx, n->decl.type, indent + 1);
        if (n->decl.init)
            print_node(out, cx, n->decl.init, indent + 1);
        return;
    case AST_NET:
        fprintf(out, "net %s", n->net.name);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        print_all(out, cx, &n->net.layers, indent + 1);
        return;
    case AST_ASSIGN:
        fprintf(out, "assign %s%s", n->assign.output ? "output " : "", n->assign.name);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        print_node(out, cx, n->assign.value, indent + 1);
        return;
    case AST_TRAIN:
        fputs("train", out);
        print_loc(out, cx, n->loc);
        fputc('\n', out);
        print_all(out, cx, &n->list, indent + 1);
        return;
    }
    unreachable();
}

void ast_print(FILE *out, Ctx *cx, const AstModel *m) {
    fprintf(out, "model %s", m->name);
    print_loc(out, cx, m->name_loc);
    fputc('\n', out);
    print_all(out, cx, &m->stmts, 1);
}
