/* data/csv.c: tabular data in CSV files.
 *
 * The first row names the columns; each further row is one sample. The model's train block
 * names the target's column (csv("FILE", target = "price")); every other column is a
 * feature, in the file's order, and there must be as many as the input has values. Fields
 * are separated by commas and may be quoted ("a, b", with "" for a quote inside), as RFC 4180
 * has it, but a quoted field may not span lines; CRLF line ends and a UTF-8 byte order mark
 * are fine, and blank lines are skipped. Every field must be a number (strtod's forms); a
 * class target's must be a whole number in 0..K-1. Each error names the file, the line and
 * the column.
 */
#define _POSIX_C_SOURCE 200809L
#include "mlc_runtime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A growable array of doubles. */
typedef struct Vals {
    double *v;
    size_t len, cap;
} Vals;

static bool vals_push(Vals *a, double x) {
    if (a->len == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 1024;
        double *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return false;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->len++] = x;
    return true;
}

/* Splits line (modified in place) into fields: their starts in f[], at most max. Returns
 * the count, or -1 for a quote that is not closed or text after a closing quote. */
int mlc_csv_split(char *line, char **f, int max) {
    int n = 0;
    char *p = line;
    for (;;) {
        char *start = p, *out = p;
        if (*p == '"') { /* quoted: "" is a quote */
            p++;
            for (;;) {
                if (*p == '\0')
                    return -1;
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            if (*p != ',' && *p != '\0')
                return -1;
        } else {
            while (*p != ',' && *p != '\0')
                *out++ = *p++;
        }
        bool more = *p == ',';
        if (n < max)
            f[n] = start;
        n++;
        *out = '\0';
        if (!more)
            return n;
        p++;
    }
}

/* A field that is a number, all of it (spaces around allowed). */
static bool number(const char *s, double *v) {
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (end == s)
        return false;
    while (*end == ' ' || *end == '\t')
        end++;
    return *end == '\0';
}

static bool csv_load(MlcDataset *d, const MlcSource *src, const MlcModel *m, char *err,
                     size_t errlen) {
    const char *path = src->path, *target = m->target_column;
    FILE *f = fopen(path, "rb");
    if (!f)
        return mlc_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return mlc_fail(err, errlen, "%s: not a regular file", path);
    }
    char *line = NULL;
    size_t cap = 0;
    int ncol = 0, tcol = -1;
    char **fields = NULL, **names = NULL, *header = NULL;
    Vals x = {0}, y = {0};
    bool ok = true, klass = mlc_model_classes(m) > 0;
    int64_t lineno = 0, rows = 0;
    ssize_t len;
    while (ok && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (memchr(line, '\0', (size_t)len)) { /* a binary file: say what it is, if we can */
            ok = mlc_fail(err, errlen, "%s:%lld: not a CSV text file (it holds NUL bytes%s)", path,
                          (long long)lineno,
                          strncmp(line, "PK\3\4", 4) == 0 ? "; a zip archive, as .npz files are"
                          : strncmp(line, "\x93NUMPY", 6) == 0 ? "; a .npy file"
                                                               : "");
            break;
        }
        char *text = line;
        if (lineno == 1 && strncmp(text, "\xef\xbb\xbf", 3) == 0)
            text += 3;
        if (*text == '\0')
            continue;
        if (!fields) {                 /* the header: the columns' names */
            char *copy = strdup(text); /* counted on a copy: splitting cuts the line */
            int n = copy ? mlc_csv_split(copy, NULL, 0) : 0;
            free(copy);
            fields = n > 0 ? malloc((size_t)n * sizeof *fields) : NULL;
            if (n < 0 || !fields) {
                ok = mlc_fail(err, errlen, "%s:%lld: %s", path, (long long)lineno,
                              n < 0 ? "a quote is not closed" : "out of memory");
                break;
            }
            header = strdup(text);
            names = malloc((size_t)n * sizeof *names);
            if (!header || !names) {
                ok = mlc_fail(err, errlen, "%s: out of memory", path);
                break;
            }
            mlc_csv_split(header, names, n);
            ncol = mlc_csv_split(text, fields, n);
            for (int i = 0; i < ncol && tcol < 0; i++)
                if (strcmp(fields[i], target) == 0)
                    tcol = i;
            if (tcol < 0) {
                char list[512];
                size_t k = 0;
                list[0] = '\0';
                for (int i = 0; i < ncol && k < sizeof list; i++)
                    k += (size_t)snprintf(list + k, sizeof list - k, "%s'%s'", i ? ", " : "",
                                          fields[i]);
                ok = mlc_fail(err, errlen,
                              "%s:%lld: no column '%s' (the target); the columns "
                              "are %s",
                              path, (long long)lineno, target, list);
            } else if ((size_t)(ncol - 1) != m->x_size) {
                ok = mlc_fail(err, errlen,
                              "%s:%lld: %d feature columns (all but '%s'), but the input '%s' "
                              "has %zu values",
                              path, (long long)lineno, ncol - 1, target, m->x_name, m->x_size);
            }
            continue;
        }
        int n = mlc_csv_split(text, fields, ncol);
        if (n < 0) {
            ok = mlc_fail(err, errlen, "%s:%lld: a quote is not closed", path, (long long)lineno);
            break;
        }
        if (n != ncol) {
            ok = mlc_fail(err, errlen, "%s:%lld: %d fields, the header has %d", path,
                          (long long)lineno, n, ncol);
            break;
        }
        for (int i = 0; i < ncol && ok; i++) {
            double v;
            if (!number(fields[i], &v) || !isfinite(v))
                ok = mlc_fail(err, errlen, "%s:%lld: column %d ('%s'): '%s' is not a finite number",
                              path, (long long)lineno, i + 1, names[i], fields[i]);
            else if (i == tcol && klass &&
                     !(v >= 0 && v < (double)mlc_model_classes(m) && v == floor(v)))
                ok = mlc_fail(err, errlen, "%s:%lld: target '%s' is %s, not a class in 0..%lld",
                              path, (long long)lineno, target, fields[i],
                              (long long)mlc_model_classes(m) - 1);
            else if (!vals_push(i == tcol ? &y : &x, v))
                ok = mlc_fail(err, errlen, "%s: out of memory at line %lld", path,
                              (long long)lineno);
        }
        rows++;
    }
    if (ok && ferror(f))
        ok = mlc_fail(err, errlen, "%s: read error", path);
    if (ok && !fields)
        ok = mlc_fail(err, errlen, "%s: empty, not even a header row", path);
    if (ok && rows == 0)
        ok = mlc_fail(err, errlen, "%s: a header row but no samples", path);
    fclose(f);
    free(line);
    free(fields);
    free(names);
    free(header);
    if (ok) {
        /* the values as arrays of doubles, in this machine's byte order */
        uint16_t one = 1;
        bool big = *(const unsigned char *)&one == 0;
        char xname[1024], yname[1024];
        snprintf(xname, sizeof xname, "%s: the features", path);
        snprintf(yname, sizeof yname, "%s: column '%s'", path, target);
        MlcArray xa = {xname, 'f', 8, big, 2, {rows, ncol - 1}, (const unsigned char *)x.v};
        MlcArray ya = {yname, 'f', 8, big, 1, {rows}, (const unsigned char *)y.v};
        if (klass) { /* whole numbers, checked above: an integer array, as labels are */
            ya.kind = 'i';
            for (size_t i = 0; i < y.len; i++) {
                int64_t k = (int64_t)y.v[i];
                memcpy(&y.v[i], &k, 8);
            }
        }
        ok = mlc_dataset_from_arrays(d, &xa, &ya, m, err, errlen);
    }
    free(x.v);
    free(y.v);
    return ok;
}

const MlcLoader mlc_loader_csv = {"csv", csv_load};
