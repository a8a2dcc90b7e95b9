/* test_parse_fuzz.c: the front end survives any bytes.
 *
 * Parses thousands of deterministic mutations of the example models (bytes changed, cut,
 * inserted or deleted, tokens spliced in, lines swapped) and a few pathological inputs (deep
 * nesting, long operator chains, junk). For each one it checks the contract of parse_model:
 * no crash (the Debug build runs this under ASan and UBSan), and NULL exactly when at least
 * one error was reported, and printed. A tree that parses is also printed, to exercise
 * ast_print on odd shapes. Diagnostics go to a temporary file that is reused each time.
 */
#include "mlc.h"
#include "check.h"
#include "fuzz.h"

enum {
    MUTANTS_PER_MODEL = 3000
};

static void buf_insert(Buf *b, size_t at, const char *s, size_t n) {
    buf_splice(b, at, 0, s, n);
}

static void buf_delete(Buf *b, size_t at, size_t n) {
    buf_splice(b, at, n, "", 0);
}

static void buf_set(Buf *b, const char *s, size_t n) {
    b->len = 0;
    buf_insert(b, 0, s, n);
}

static void buf_repeat(Buf *b, const char *s, int times) {
    for (int i = 0; i < times; i++)
        buf_insert(b, b->len, s, strlen(s));
}

/* Pieces that the grammar cares about, spliced in at random places. */
static const char *const tokens[] = {
    "(",           ")",          "[",      "]",     "{",        "}",      ",",           ":",
    "=",           ";",          "+",      "-",     "*",        "/",      "@",           "\n",
    "\r\n",        "#",          "\"",     "\\",    "model",    "input",  "target",      "param",
    "net",         "sequential", "output", "train", "f32[",     "class(", "linear(512)", "relu",
    "1e",          "1e-3",       "1e999",  "2.",    "0x1F",     "\"abc",  "\"\\q\"",     "x",
    "f(a = 1, 2)", "[1, 2,]",    "\t",     " ",     "\xc3\xa9", "\xff",   "$",
};

/* One random edit of b. */
static void mutate(Buf *b) {
    size_t at = rng_below(b->len + 1);
    switch (rng_below(6)) {
    case 0: /* overwrite a byte with any value, NUL included */
        if (b->len > 0) {
            at = rng_below(b->len);
            b->data[at] = (char)rng_below(256);
        }
        break;
    case 1: /* truncate */
        b->len = at;
        b->data[b->len] = '\0';
        break;
    case 2: { /* insert random bytes */
        char junk[8];
        size_t n = 1 + rng_below(sizeof junk);
        for (size_t i = 0; i < n; i++)
            junk[i] = (char)rng_below(256);
        buf_insert(b, at, junk, n);
        break;
    }
    case 3: { /* insert a token */
        const char *t = tokens[rng_below(sizeof tokens / sizeof tokens[0])];
        buf_insert(b, at, t, strlen(t));
        break;
    }
    case 4: /* delete a span */ buf_delete(b, at, rng_below(b->len - at + 1) / 4); break;
    case 5: { /* copy a span elsewhere (duplicated lines, blocks cut in half) */
        size_t from = rng_below(b->len + 1);
        size_t n = rng_below(b->len - from + 1) / 2;
        char *copy = malloc(n + 1);
        memcpy(copy, b->data + from, n);
        buf_insert(b, at, copy, n);
        free(copy);
        break;
    }
    }
}

static FILE *diag_out;
static int nparsed, nrejected;

/* Parses b and checks the contract; which input it was is named on failure. */
static void parse_one(const Buf *b, const char *what, int i) {
    rewind(diag_out);
    Ctx *cx = ctx_new("fuzz.model", b->data, b->len, diag_out);
    AstModel *m = parse_model(cx);
    long printed = ftell(diag_out);
    if (m) {
        CHECK(0, cx->nerrors);
        CHECK(0, printed);
        ast_print(diag_out, cx, m);
        nparsed++;
    } else {
        CHECK_TRUE(cx->nerrors > 0);
        CHECK_TRUE(printed > 0);
        nrejected++;
    }
    if (check_failures) {
        fprintf(stderr, "failed on %s #%d (%zu bytes)\n", what, i, b->len);
        exit(1);
    }
    ctx_free(cx);
}

/* Inputs that stress nesting and length rather than syntax. */
static void parse_extremes(void) {
    Buf b = {0};
    int i = 0;
    const char *const cases[][3] = {
        /* prefix, repeated part, suffix */
        {"model m\nx = ", "(", "1"},       /* unbalanced: fills the parser stack */
        {"model m\nx = ", "[", "1"},       /* the same with lists */
        {"model m\nx = ", "-", "1\n"},     /* unary chain */
        {"model m\nx = ", "f(", "\n"},     /* calls */
        {"model m\nx = 1", " + 1", "\n"},  /* a left-deep chain the stack does not see */
        {"model m\nx = 1", " @ (1", "\n"}, /* nesting and unclosed parens */
        {"model m\n", "x = 1 +\n", ""},    /* thousands of errors */
        {"model m\nnet n = sequential {\n", "relu\n", "}\n"}, /* a long block */
        {"", "\n", ""},                                       /* nothing but newlines */
        {"model m\ns = \"", "\\\"", "\"\n"},                  /* a long string of escapes */
        {"model m\n", "# comment\n", "x = 1"},                /* long comments, no final newline */
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int times = 1; times <= 100000; times *= 10) {
            buf_set(&b, cases[c][0], strlen(cases[c][0]));
            buf_repeat(&b, cases[c][1], times);
            buf_insert(&b, b.len, cases[c][2], strlen(cases[c][2]));
            parse_one(&b, "extreme case", i++);
        }
    }
    /* The empty file, NUL bytes, and pure junk. */
    buf_set(&b, "", 0);
    parse_one(&b, "empty file", 0);
    for (int n = 0; n < 1000; n++)
        buf_insert(&b, b.len, "", 1);
    parse_one(&b, "NUL bytes", 0);
    for (int n = 0; n < 200; n++) {
        b.len = 0;
        size_t len = rng_below(4096);
        buf_reserve(&b, len);
        for (size_t k = 0; k < len; k++)
            b.data[k] = (char)rng_below(256);
        b.len = len;
        b.data[len] = '\0';
        parse_one(&b, "random bytes", n);
    }
    free(b.data);
}

int main(void) {
    rng_state = 0x9e3779b97f4a7c15u;
    diag_out = tmpfile();
    CHECK_TRUE(diag_out != NULL);
    if (!diag_out)
        return 1;

    const char *const models[] = {"../../models/fashion.model", "../../models/autograd_demo.model"};
    Buf b = {0};
    for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
        size_t len;
        char *src = read_file(models[k], &len);
        buf_set(&b, src, len);
        int before = nparsed;
        parse_one(&b, models[k], -1); /* the original must parse */
        CHECK(before + 1, nparsed);
        for (int i = 0; i < MUTANTS_PER_MODEL; i++) {
            buf_set(&b, src, len);
            int edits = 1 + (int)rng_below(4);
            for (int e = 0; e < edits; e++)
                mutate(&b);
            parse_one(&b, models[k], i);
        }
        free(src);
    }
    free(b.data);
    parse_extremes();

    /* Most mutants should fail, but some must still parse, or the mutations are too crude to
     * test the accepting paths. */
    printf("parsed %d inputs, rejected %d\n", nparsed, nrejected);
    CHECK_TRUE(nparsed > 0);
    CHECK_TRUE(nrejected > 0);
    fclose(diag_out);
    return check_failures != 0;
}
