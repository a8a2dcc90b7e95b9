/* test_pipeline_fuzz.c: every pass survives any model that parses.
 *
 * test_parse_fuzz.c mutates bytes, so almost every mutant dies in the parser. This test
 * mutates tokens instead, so that most mutants still parse and reach the later passes: it
 * swaps identifiers, changes numbers (0, -1, 1.5, 1e40, huge), deletes, duplicates and swaps
 * lines, swaps one known function for another, changes types (class(K), f32[...]) and adds
 * statements. Each mutant runs through the pipeline as main.c runs it, stopping at the first
 * stage that reports an error: parse_model, lower_model, build_backward, simplify,
 * fuse_kernels, plan_memory and emit_c (into a temporary file). It checks:
 *   - no crash, internal error or sanitizer report (the Debug build runs under ASan/UBSan);
 *   - a stage stops (parse_model returns NULL, lower_model reports) exactly when it reported
 *     at least one error, and then something was printed;
 *   - the passes after lowering never report errors: lowering checks everything they need.
 * A crash prints the input that caused it. The mutations come from a fixed seed.
 */
#include "mlc.h"
#include "check.h"
#include "fuzz.h"

#include <signal.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
/* Sanitizer reports end in abort(), so that on_signal below names the input, and show where. */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__asan_default_options(void) {
    return "abort_on_error=1";
}
const char *__ubsan_default_options(void) {
    return "abort_on_error=1:print_stacktrace=1";
}
#endif

enum {
    MUTANTS_PER_MODEL = 1000,
};

/* Replaces the n bytes at `at` by the string s. */
static void buf_replace(Buf *b, size_t at, size_t n, const char *s) {
    buf_splice(b, at, n, s, strlen(s));
}

static void buf_set(Buf *b, const char *s) {
    b->len = 0;
    buf_reserve(b, 0);
    buf_replace(b, 0, 0, s);
}

/* ---- tokens ---------------------------------------------------------------------------------
 * Just enough of the lexer to find identifiers, numbers and lines; comments and strings are
 * skipped so that mutations land in code. */

typedef enum TokKind {
    TK_IDENT, /* an identifier or keyword */
    TK_NUM,   /* a number */
    TK_TYPE,  /* f32[...] or class(...) */
} TokKind;

typedef struct Tok {
    size_t at, len;
} Tok;

static bool is_ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

static const char *const keywords[] = {"model", "input",      "target", "param",
                                       "net",   "sequential", "output", "train"};

static bool is_keyword(const char *s, size_t n) {
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strlen(keywords[i]) == n && !memcmp(keywords[i], s, n))
            return true;
    return false;
}

/* Finds the tokens of one kind in b (at most max); returns how many. */
static int find_tokens(const Buf *b, TokKind kind, Tok *out, int max) {
    int n = 0;
    const char *s = b->data;
    size_t i = 0;
    while (i < b->len && n < max) {
        char c = s[i];
        if (c == '#') {
            while (i < b->len && s[i] != '\n')
                i++;
        } else if (c == '"') {
            for (i++; i < b->len && s[i] != '"' && s[i] != '\n'; i++)
                if (s[i] == '\\')
                    i++;
            i++;
        } else if (is_ident_start(c)) {
            size_t start = i;
            while (i < b->len && (is_ident_start(s[i]) || is_digit(s[i])))
                i++;
            size_t len = i - start;
            bool type = (len == 3 && !memcmp(s + start, "f32", 3) && s[i] == '[') ||
                        (len == 5 && !memcmp(s + start, "class", 5) && s[i] == '(');
            if (type && kind == TK_TYPE) {
                char close = s[i] == '[' ? ']' : ')';
                while (i < b->len && s[i] != close && s[i] != '\n')
                    i++;
                if (i < b->len && s[i] == close)
                    out[n++] = (Tok){start, i + 1 - start};
            } else if (!type && kind == TK_IDENT && !is_keyword(s + start, len)) {
                out[n++] = (Tok){start, len};
            }
        } else if (is_digit(c) || (c == '.' && is_digit(s[i + 1]))) {
            size_t start = i;
            while (i < b->len && (is_digit(s[i]) || s[i] == '.' || s[i] == 'e' ||
                                  ((s[i] == '-' || s[i] == '+') && s[i - 1] == 'e')))
                i++;
            if (kind == TK_NUM)
                out[n++] = (Tok){start, i - start};
        } else {
            i++;
        }
    }
    return n;
}

/* The start of each line (at most max); returns how many. */
static int find_lines(const Buf *b, size_t *starts, int max) {
    int n = 0;
    for (size_t i = 0; i < b->len && n < max; i++)
        if (i == 0 || b->data[i - 1] == '\n')
            starts[n++] = i;
    return n;
}

static size_t line_end(const Buf *b, size_t start) {
    const char *nl = memchr(b->data + start, '\n', b->len - start);
    return nl ? (size_t)(nl - b->data) + 1 : b->len;
}

/* ---- mutations ------------------------------------------------------------------------------ */

static const char *const numbers[] = {
    "0",        "-1",  "1",         "2",    "3",
    "10",       "1.5", "1e40",      "1e-3", "784",
    "512",      "-0",  "0.5",       "4",    "99999999999999999999",
    "16777217", "1/0", "2147483648"};

static const char *const functions[] = {
    "relu",       "softmax", "linear", "flatten", "cross_entropy", "bce_with_logits",
    "mean",       "sum",     "matmul", "log",     "exp",           "sigmoid",
    "tanh",       "idx",     "sgd",    "zeros",   "ones",          "randn",
    "sequential", "loss",    "classes"};

static const char *const types[] = {"class(10)",    "class(3)",        "class(1)",
                                    "class(0)",     "class(1.5)",      "f32[]",
                                    "f32[1]",       "f32[3]",          "f32[4]",
                                    "f32[5]",       "f32[10]",         "f32[784]",
                                    "f32[2, 3]",    "f32[5, 3]",       "f32[1, 28, 28]",
                                    "f32[2, 2, 2]", "f32[2, 2, 2, 2]", "f32[0]",
                                    "f32[-1]",      "f32[1e40]",       "f32[65536, 65536]",
                                    "class(-1)"};

/* Whole statements spliced in as a line: the odd cases of the language. */
static const char *const statements[] = {
    "loss = 0\n",
    "loss = sum(x)\n",
    "loss = mean(logits)\n",
    "output o = x\n",
    "output o = 1\n",
    "output probs = softmax(x)\n",
    "param w2 : f32[3] = ones\n",
    "param s : f32[] = ones\n",
    "input x2 : f32[3] = ones\n",
    "target t2 : class(3) = zeros\n",
    "y2 = linear(x, 3)\n",
    "y3 = linear(flatten(x), 0)\n",
    "z2 = x @ x\n",
    "z3 = matmul(w, w)\n",
    "classes = [\"a\", \"b\", \"c\"]\n",
    "classes = [1, 2]\n",
    "net n2 = sequential { relu }\n",
    "net n3 = sequential { linear(3); foo }\n",
    "h = n3(x)\n",
    "h2 = n2\n",
    "train { epochs = 1 }\n",
    "train { data = idx(\"d\") }\n",
    "train { optimizer = sgd(lr = -1, momentum = 0.9) }\n",
    "train { batch = 0; scale = 1/0 }\n",
    "q = \"text\" + 1\n",
    "r = x(1)\n",
    "u = -(-x)\n",
    "v = x / 0\n",
    "k = sum(sum(x))\n",
    "f = flatten(1)\n",
    "g = softmax(sum(x))\n",
};

static void replace_token(Buf *b, TokKind kind, const char *by) {
    Tok toks[512];
    int n = find_tokens(b, kind, toks, 512);
    if (n == 0)
        return;
    Tok t = toks[rng_below((size_t)n)];
    buf_replace(b, t.at, t.len, by);
}

/* One random edit of b. */
static void mutate(Buf *b) {
    Tok toks[512];
    size_t lines[512];
    switch (rng_below(8)) {
    case 0: { /* one identifier becomes another of the file */
        int n = find_tokens(b, TK_IDENT, toks, 512);
        if (n == 0)
            break;
        Tok from = toks[rng_below((size_t)n)];
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)from.len, b->data + from.at);
        replace_token(b, TK_IDENT, name);
        break;
    }
    case 1: replace_token(b, TK_NUM, PICK(numbers)); break;
    case 2: replace_token(b, TK_IDENT, PICK(functions)); break;
    case 3: replace_token(b, TK_TYPE, PICK(types)); break;
    case 4:   /* delete a line */
    case 5: { /* duplicate or move a line */
        int n = find_lines(b, lines, 512);
        if (n == 0)
            break;
        size_t at = lines[rng_below((size_t)n)];
        size_t end = line_end(b, at);
        char *copy = strndup(b->data + at, end - at);
        bool move = rng_below(2);
        if (rng_below(2) == 0 || move)
            buf_replace(b, at, end - at, "");
        if (rng_below(2) == 0 || move) {
            n = find_lines(b, lines, 512);
            size_t to = n ? lines[rng_below((size_t)n)] : 0;
            buf_replace(b, to, 0, copy);
            if (copy[0] && copy[strlen(copy) - 1] != '\n')
                buf_replace(b, to + strlen(copy), 0, "\n");
        }
        free(copy);
        break;
    }
    case 6: { /* add a statement at the end or before a random line */
        int n = find_lines(b, lines, 512);
        size_t to = n && rng_below(2) ? lines[rng_below((size_t)n)] : b->len;
        if (to == b->len && b->len && b->data[b->len - 1] != '\n')
            buf_replace(b, b->len, 0, "\n"), to = b->len;
        buf_replace(b, to, 0, PICK(statements));
        break;
    }
    case 7: { /* swap the arguments of a call: the text between '(' and ',' and ')' */
        char *open = NULL;
        for (int tries = 0; tries < 8 && !open; tries++) {
            size_t at = rng_below(b->len + 1);
            open = strchr(b->data + at, '(');
        }
        if (!open)
            break;
        char *comma = strchr(open, ',');
        char *close = strchr(open, ')');
        char *nl = strchr(open, '\n');
        if (!comma || !close || comma > close || (nl && close > nl))
            break;
        char *a = strndup(open + 1, (size_t)(comma - open - 1));
        char *c = strndup(comma + 1, (size_t)(close - comma - 1));
        char *swapped = malloc(strlen(a) + strlen(c) + 2);
        sprintf(swapped, "%s,%s", c, a);
        buf_replace(b, (size_t)(open + 1 - b->data), (size_t)(close - open - 1), swapped);
        free(a);
        free(c);
        free(swapped);
        break;
    }
    }
}

/* ---- the pipeline --------------------------------------------------------------------------- */

static FILE *diag_out;     /* diagnostics */
static FILE *code_out;     /* --emit output and the generated C */
static const Buf *current; /* the input being compiled, printed if it crashes */
static const char *current_what;
static int current_i;

static void print_current(void) {
    if (!current)
        return;
    char head[256];
    int n = snprintf(head, sizeof head, "\ntest_pipeline_fuzz: crashed on %s #%d:\n----\n",
                     current_what, current_i);
    if (write(2, head, (size_t)n) < 0 || write(2, current->data, current->len) < 0 ||
        write(2, "\n----\n", 6) < 0)
        return;
    current = NULL;
}

static void on_signal(int sig) {
    print_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* How far each mutant got, for the summary line and to check that the mutations reach every
 * stage. */
static int nparse_errors, nlower_errors, ncompiled;

/* Compiles b as main.c does, stopping at the first stage that reports; checks the contract. */
static void compile_one(const Buf *b, const char *what, int i) {
    current = b;
    current_what = what;
    current_i = i;
    rewind(diag_out);
    rewind(code_out);
    Ctx *cx = ctx_new("fuzz.model", b->data, b->len, diag_out);
    AstModel *m = parse_model(cx);
    CHECK(m == NULL, cx->nerrors > 0);
    if (!m) {
        CHECK_TRUE(ftell(diag_out) > 0);
        nparse_errors++;
        goto done;
    }
    Graph *g = lower_model(cx, m);
    CHECK_TRUE(g != NULL);
    if (cx->nerrors) {
        CHECK_TRUE(ftell(diag_out) > 0);
        nlower_errors++;
        goto done;
    }
    /* What lowering promises the later passes. It may have warned. */
    long lowered = ftell(diag_out);
    CHECK_TRUE(g->loss && g->loss->shape.rank == 0 && g->input && g->target);
    if (check_failures)
        goto done;
    ir_verify(g);
    ir_print(code_out, g);
    build_backward(g);
    ir_verify(g);
    simplify(g);
    ir_verify(g);
    print_gradients(code_out, g);
    ir_print_dot(code_out, g);
    Schedule *s = fuse_kernels(g, &target_c);
    plan_sgd_folds(s);
    MemPlan *mp = plan_memory(s, target_c.reserved, NULL, "");
    CHECK(0, memplan_check(s, mp, stderr));
    Program p = {.g = g, .s = s, .mp = mp, .eval = eval_graph(g)};
    if (p.eval) {
        p.es = fuse_kernels(p.eval, &target_c);
        p.emp = plan_memory(p.es, target_c.reserved, mp, "eval_");
        CHECK(0, memplan_check(p.es, p.emp, stderr));
    }
    target_c.emit(code_out, &p);
    /* Only lowering and the parser report errors: the later passes must accept what they
     * accepted. */
    CHECK(0, cx->nerrors);
    CHECK(lowered, ftell(diag_out));
    ncompiled++;
done:
    if (check_failures) {
        fprintf(stderr, "failed on %s #%d:\n----\n%s\n----\n", what, i, b->data);
        exit(1);
    }
    ctx_free(cx);
    current = NULL;
}

int main(void) {
    rng_state = 0x2545f4914f6cdd1du;
    diag_out = tmpfile();
    code_out = tmpfile();
    CHECK_TRUE(diag_out != NULL && code_out != NULL);
    if (!diag_out || !code_out)
        return 1;
    signal(SIGABRT, on_signal);
    signal(SIGSEGV, on_signal);
    signal(SIGFPE, on_signal);

    static const char *const models[] = {
        "../../models/fashion.model",  "../../models/autograd_demo.model",
        "../grad/add.model",           "../grad/bce_with_logits.model",
        "../grad/cross_entropy.model", "../grad/div.model",
        "../grad/exp.model",           "../grad/log.model",
        "../grad/matmul.model",        "../grad/mean.model",
        "../grad/mlp.model",           "../grad/mul.model",
        "../grad/neg.model",           "../grad/relu.model",
        "../grad/reshape.model",       "../grad/sigmoid.model",
        "../grad/softmax.model",       "../grad/sub.model",
        "../grad/sum.model",           "../grad/tanh.model",
        "../grad/broadcast.model",     "../grad/scalar.model",
        "../grad/dropout.model",
    };
    Buf b = {0};
    for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
        size_t len;
        char *src = read_file(models[k], &len);
        buf_set(&b, src);
        int before = ncompiled;
        compile_one(&b, models[k], -1); /* the original must compile */
        CHECK(before + 1, ncompiled);
        for (int i = 0; i < MUTANTS_PER_MODEL; i++) {
            buf_set(&b, src);
            int edits = 1 + (int)rng_below(3);
            for (int e = 0; e < edits; e++)
                mutate(&b);
            compile_one(&b, models[k], i);
        }
        free(src);
    }
    free(b.data);

    /* The mutations must reach every stage: some mutants fail to parse, some fail in
     * lowering, and some compile all the way. */
    printf("%d parse errors, %d lowering errors, %d compiled\n", nparse_errors, nlower_errors,
           ncompiled);
    CHECK_TRUE(nparse_errors > 0);
    CHECK_TRUE(nlower_errors > 0);
    CHECK_TRUE(ncompiled > 20);
    fclose(diag_out);
    fclose(code_out);
    return check_failures != 0;
}
