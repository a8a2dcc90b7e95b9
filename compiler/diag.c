/* diag.c: the compilation context, and error and note messages.
 *
 * A diagnostic names the place as path:line:col (1-based, in bytes), then echoes the source
 * line and puts a caret under the start of the range and '~' under the rest of it:
 *
 *   models/bad.model:9:28: error: linear(512) expects f32[N, 784], got f32[N, 1, 28, 28]
 *       9 | logits = linear_relu_stack(image)
 *         |                            ^~~~~
 *
 * Locations are byte ranges; lines and columns come from a table of line starts built on
 * the first diagnostic (jq's locfile.c). The echoed line never garbles a terminal: bytes that
 * are not printable ASCII show as '?', and tabs are kept in both lines so the caret aligns.
 * After MLC_MAX_ERRORS errors one "too many errors" line is printed and everything after it
 * is only counted.
 */
#include "mlc.h"

Ctx *ctx_new(const char *path, const char *src, size_t srclen, FILE *err) {
    Arena *a = arena_new();
    Ctx *cx = NEW(a, Ctx);
    cx->arena = a;
    cx->names = intern_new(a);
    cx->path = arena_strdup(a, path);
    cx->src = src;
    cx->srclen = srclen;
    cx->err = err;
    return cx;
}

void ctx_free(Ctx *cx) {
    if (cx)
        arena_free(cx->arena); /* cx itself lives in its arena */
}

/* Offsets of the first byte of every line. A file of n newlines has n + 1 lines (the last
 * one possibly empty). */
static void build_line_table(Ctx *cx) {
    uint32_t n = 1;
    for (size_t i = 0; i < cx->srclen; i++)
        n += cx->src[i] == '\n';
    cx->line_starts = arena_alloc(cx->arena, n * sizeof(uint32_t));
    cx->nlines = 0;
    cx->line_starts[cx->nlines++] = 0;
    for (size_t i = 0; i < cx->srclen; i++)
        if (cx->src[i] == '\n')
            cx->line_starts[cx->nlines++] = (uint32_t)(i + 1);
}

/* Where a diagnostic at this offset really points. Past the end means the end; and the end
 * of a file that ends in a newline is shown after the last character of its last line,
 * not on an empty line that the user never sees in an editor. Must agree with the bytes
 * print_source shows. */
static uint32_t clamp_offset(Ctx *cx, uint32_t offset) {
    if (offset > cx->srclen)
        offset = (uint32_t)cx->srclen;
    if (offset == cx->srclen && offset > 0 && cx->src[offset - 1] == '\n')
        offset--;
    /* The end of a CRLF line is its '\r', the first byte that is not shown. */
    if (offset < cx->srclen && cx->src[offset] == '\n' && offset > 0 && cx->src[offset - 1] == '\r')
        offset--;
    return offset;
}

/* Index of the line that holds offset: the last line start <= offset (binary search). */
static uint32_t line_index(Ctx *cx, uint32_t offset) {
    if (!cx->line_starts)
        build_line_table(cx);
    uint32_t lo = 0, hi = cx->nlines - 1;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if (cx->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

void diag_line_col(Ctx *cx, uint32_t offset, int *line, int *col) {
    offset = clamp_offset(cx, offset);
    uint32_t i = line_index(cx, offset);
    *line = (int)i + 1;
    *col = (int)(offset - cx->line_starts[i]) + 1;
}

/* The source line under the message, then the caret line. */
static void print_source(Ctx *cx, uint32_t offset, uint32_t len, int line) {
    FILE *out = cx->err;
    uint32_t start = cx->line_starts[line - 1];
    uint32_t end = start;
    while (end < cx->srclen && cx->src[end] != '\n')
        end++;
    /* A CRLF file's '\r' is part of the line ending, not something to show. */
    if (end > start && cx->src[end - 1] == '\r')
        end--;
    if (offset > end)
        offset = end;
    /* A very long line (minified, or not text at all) is shown as a window of it around
     * the caret, "..." marking what is left out. */
    enum {
        WINDOW = 120
    };
    bool cut_left = false, cut_right = false;
    if (end - start > WINDOW) {
        uint32_t from = offset > start + WINDOW / 2 ? offset - WINDOW / 2 : start;
        cut_left = from > start;
        cut_right = end - from > WINDOW;
        start = from;
        end = cut_right ? from + WINDOW : end;
    }

    char num[16];
    int width = snprintf(num, sizeof num, "%d", line);
    if (width < 4)
        width = 4;
    fprintf(out, " %*d | %s", width, line, cut_left ? "..." : "");
    for (uint32_t i = start; i < end; i++) {
        unsigned char c = (unsigned char)cx->src[i];
        fputc(c == '\t' || (c >= 0x20 && c < 0x7f) ? c : '?', out);
    }
    fprintf(out, "%s\n %*s | %s", cut_right ? "..." : "", width, "", cut_left ? "   " : "");
    for (uint32_t i = start; i < offset; i++)
        fputc(cx->src[i] == '\t' ? '\t' : ' ', out);
    fputc('^', out);
    /* The '~' run covers the rest of the range, clipped to this line. */
    uint32_t stop = len > end - offset ? end : offset + len;
    for (uint32_t i = offset + 1; i < stop; i++)
        fputc('~', out);
    fputc('\n', out);
}

static void report(Ctx *cx, Loc loc, const char *kind, const char *fmt, va_list ap) {
    uint32_t offset = clamp_offset(cx, loc.offset);
    int line, col;
    diag_line_col(cx, offset, &line, &col);
    fprintf(cx->err, "%s:%d:%d: %s: ", cx->path, line, col, kind);
    vfprintf(cx->err, fmt, ap);
    fputc('\n', cx->err);
    print_source(cx, offset, loc.len, line);
}

/* True once the error limit has been passed: from then on nothing is printed. */
static bool silenced(Ctx *cx) {
    return cx->nerrors > MLC_MAX_ERRORS;
}

void diag_error(Ctx *cx, Loc loc, const char *fmt, ...) {
    cx->nerrors++;
    if (cx->nerrors == MLC_MAX_ERRORS + 1)
        fprintf(cx->err, "mlc: too many errors, stopping\n");
    if (silenced(cx))
        return;
    va_list ap;
    va_start(ap, fmt);
    report(cx, loc, "error", fmt, ap);
    va_end(ap);
}

void diag_warning(Ctx *cx, Loc loc, const char *fmt, ...) {
    if (silenced(cx))
        return;
    va_list ap;
    va_start(ap, fmt);
    report(cx, loc, "warning", fmt, ap);
    va_end(ap);
}

void diag_note(Ctx *cx, Loc loc, const char *fmt, ...) {
    if (silenced(cx))
        return;
    va_list ap;
    va_start(ap, fmt);
    report(cx, loc, "note", fmt, ap);
    va_end(ap);
}
