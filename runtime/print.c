/* print.c: tensors printed as PyTorch's print(t) prints them (torch/_tensor_str.py, default
 * print options: precision 4, linewidth 80, threshold 1000, edgeitems 3).
 *
 * One format is chosen for the whole tensor from its finite non-zero values:
 *   - all integers: "%.0f" plus a '.', as in "tensor([1., 0., 2.])";
 *   - else, when max/min > 1000, max > 1e8 or min < 1e-4 (of the absolute values): "%.4e";
 *   - else "%.4f".
 * Every value is right-aligned to the widest. A row wraps to keep within 80 columns, nested
 * rows are indented under the first '[', and dimensions are separated by (rank - 1) newlines.
 * Past 1000 values only the first and last 3 of each dimension are printed, with "...".
 */
#include "mlc_runtime.h"

#include <string.h>

#define PRECISION 4
#define LINEWIDTH 80
#define THRESHOLD 1000
#define EDGEITEMS 3

typedef struct Fmt {
    bool int_mode;
    bool sci_mode;
    int width;
} Fmt;

/* The value as Python's format() would write it, without the padding. */
static int format_raw(char *s, size_t len, double v, const Fmt *fm) {
    if (isnan(v))
        return snprintf(s, len, "nan");
    if (isinf(v))
        return snprintf(s, len, v < 0 ? "-inf" : "inf");
    if (fm->sci_mode)
        return snprintf(s, len, "%.*e", PRECISION, v);
    if (fm->int_mode)
        return snprintf(s, len, "%.0f.", v);
    return snprintf(s, len, "%.*f", PRECISION, v);
}

/* The indices of one dimension that are printed: all, or the first and last EDGEITEMS. */
static bool skipped(int64_t i, int64_t size, bool summarize) {
    return summarize && size > 2 * EDGEITEMS && i >= EDGEITEMS && i < size - EDGEITEMS;
}

/* Calls fn on every printed value (dimension dim onwards, starting at data). */
static void each_value(const float *data, int rank, const int64_t *shape, int dim, bool summarize,
                       void (*fn)(double, void *), void *ctx) {
    int64_t stride = 1;
    for (int d = dim + 1; d < rank; d++)
        stride *= shape[d];
    for (int64_t i = 0; i < shape[dim]; i++) {
        if (skipped(i, shape[dim], summarize))
            continue;
        if (dim == rank - 1)
            fn((double)data[i], ctx);
        else
            each_value(data + i * stride, rank, shape, dim + 1, summarize, fn, ctx);
    }
}

/* Pass 1: the range of the finite non-zero values and whether they are all integers. */
typedef struct Stats {
    int64_t count;
    double min, max;
    bool all_int;
} Stats;

static void add_stat(double v, void *ctx) {
    Stats *s = ctx;
    if (!isfinite(v) || v == 0.0)
        return;
    double a = fabs(v);
    if (s->count == 0 || a < s->min)
        s->min = a;
    if (s->count == 0 || a > s->max)
        s->max = a;
    if (v != ceil(v))
        s->all_int = false;
    s->count++;
}

/* Pass 2: the widest formatted value. */
typedef struct Widest {
    Fmt *fm;
    int width;
} Widest;

static void add_width(double v, void *ctx) {
    Widest *w = ctx;
    if (!isfinite(v) || v == 0.0)
        return;
    char s[64];
    int n = format_raw(s, sizeof s, v, w->fm);
    if (n > w->width)
        w->width = n;
}

static void put_value(FILE *f, double v, const Fmt *fm) {
    char s[64];
    int n = format_raw(s, sizeof s, v, fm);
    fprintf(f, "%*s%s", fm->width > n ? fm->width - n : 0, "", s);
}

static void put_indent(FILE *f, int n) {
    for (int i = 0; i < n; i++)
        fputc(' ', f);
}

static void print_dim(FILE *f, const float *data, int rank, const int64_t *shape, int dim,
                      int indent, bool summarize, const Fmt *fm) {
    int64_t size = shape[dim];
    fputc('[', f);
    if (dim == rank - 1) {
        /* One row: as many values per line as fit in LINEWIDTH - indent. */
        int64_t per_line = (LINEWIDTH - indent) / (fm->width + 2);
        if (per_line < 1)
            per_line = 1;
        int64_t k = 0; /* items on the current line, " ..." counting as one */
        for (int64_t i = 0; i < size; i++) {
            if (skipped(i, size, summarize) && i != EDGEITEMS)
                continue;
            if (k > 0 && k % per_line == 0) {
                fputs(",\n", f);
                put_indent(f, indent + 1);
            } else if (k > 0) {
                fputs(", ", f);
            }
            if (skipped(i, size, summarize))
                fputs(" ...", f);
            else
                put_value(f, (double)data[i], fm);
            k++;
        }
    } else {
        int64_t stride = 1;
        for (int d = dim + 1; d < rank; d++)
            stride *= shape[d];
        bool first = true;
        for (int64_t i = 0; i < size; i++) {
            if (skipped(i, size, summarize) && i != EDGEITEMS)
                continue;
            if (!first) {
                fputc(',', f);
                for (int d = dim + 1; d < rank; d++)
                    fputc('\n', f);
                put_indent(f, indent + 1);
            }
            first = false;
            if (skipped(i, size, summarize))
                fputs("...", f);
            else
                print_dim(f, data + i * stride, rank, shape, dim + 1, indent + 1, summarize, fm);
        }
    }
    fputc(']', f);
}

void mlc_print_tensor(FILE *f, const float *data, int rank, const int64_t *shape) {
    int64_t numel = 1;
    for (int d = 0; d < rank; d++)
        numel *= shape[d];
    if (numel == 0) {
        fputs("tensor([]", f);
        if (rank > 1) {
            fputs(", size=(", f);
            for (int d = 0; d < rank; d++)
                fprintf(f, d ? ", %lld" : "%lld", (long long)shape[d]);
            fputc(')', f);
        }
        fputs(")\n", f);
        return;
    }
    bool summarize = numel > THRESHOLD;

    Fmt fm = {.int_mode = true, .sci_mode = false, .width = 1};
    Stats st = {.count = 0, .all_int = true};
    if (rank == 0)
        add_stat((double)data[0], &st);
    else
        each_value(data, rank, shape, 0, summarize, add_stat, &st);
    if (st.count > 0) {
        fm.int_mode = st.all_int;
        if (st.max / st.min > 1000.0 || st.max > 1.0e8 || (!st.all_int && st.min < 1.0e-4))
            fm.sci_mode = true;
        /* In int mode the '.' is part of the width, as PyTorch's len(value_str) + 1. */
        Widest w = {&fm, 1};
        if (rank == 0)
            add_width((double)data[0], &w);
        else
            each_value(data, rank, shape, 0, summarize, add_width, &w);
        fm.width = w.width;
    }

    fputs("tensor(", f);
    if (rank == 0)
        put_value(f, (double)data[0], &fm);
    else
        print_dim(f, data, rank, shape, 0, 7, summarize, &fm);
    fputs(")\n", f);
}
