/* data/loaders.c: the table of data set formats.
 *
 * Each format is one file in runtime/data/ that defines an MlcLoader: its name (as the
 * train block writes it, idx("DIR"), npy(...), npz(...), csv(...)) and how to load a split
 * of a data set. The model's
 * MlcDataKind picks one. Adding a format means writing that file, adding its MlcDataKind,
 * and listing it here.
 */
#include "mlc_runtime.h"

#include <stdlib.h>
#include <string.h>

const MlcLoader *mlc_loader_find(MlcDataKind kind) {
    switch (kind) {
    case MLC_DATA_NONE: return NULL;
    case MLC_DATA_IDX: return &mlc_loader_idx;
    case MLC_DATA_NPY: return &mlc_loader_npy;
    case MLC_DATA_NPZ: return &mlc_loader_npz;
    case MLC_DATA_CSV: return &mlc_loader_csv;
    case MLC_DATA_IMAGES: return &mlc_loader_images;
    }
    return NULL;
}

int64_t mlc_model_classes(const MlcModel *m) {
    if (m->one_hot)
        return (int64_t)m->y_size;
    return m->y_kind == MLC_TARGET_CLASS ? m->nclass : 0;
}

void mlc_dataset_free(MlcDataset *d) {
    free(d->x);
    free(d->x8);
    free(d->y);
    free(d->yf);
    memset(d, 0, sizeof *d);
}

const float *mlc_dataset_x(const MlcDataset *d, int64_t start, int64_t n, float *buf) {
    if (d->x)
        return d->x + (size_t)start * d->x_size;
    const uint8_t *b = d->x8 + (size_t)start * d->x_size;
    for (size_t i = 0; i < (size_t)n * d->x_size; i++)
        buf[i] = (float)b[i] * d->scale; /* as the loader once did for the whole set */
    return buf;
}

const void *mlc_dataset_y(const MlcDataset *d, int64_t i) {
    if (d->y)
        return d->y + i;
    return d->yf + (size_t)i * d->y_size;
}

/* ---- arrays into a data set ----------------------------------------------------------------- */

/* Element i of a as a double. */
static double element(const MlcArray *a, size_t i) {
    const unsigned char *p = a->data + i * (size_t)a->size;
    uint64_t u = 0;
    for (int b = 0; b < a->size; b++)
        u |= (uint64_t)p[a->big_endian ? a->size - 1 - b : b] << (8 * b);
    switch (a->kind) {
    case 'f':
        if (a->size == 4) {
            uint32_t w = (uint32_t)u;
            float f;
            memcpy(&f, &w, 4);
            return (double)f;
        } else {
            double f;
            memcpy(&f, &u, 8);
            return f;
        }
    case 'i': {
        int sh = 64 - 8 * a->size; /* sign-extend */
        return (double)((int64_t)(u << sh) >> sh);
    }
    default: return (double)u; /* 'u', 'b' */
    }
}

/* "int64", "float32", ... as NumPy names them. */
static const char *dtype_name(const MlcArray *a, char *s, size_t len) {
    const char *base = a->kind == 'f' ? "float" : a->kind == 'i' ? "int" : "uint";
    if (a->kind == 'b')
        snprintf(s, len, "bool");
    else
        snprintf(s, len, "%s%d", base, 8 * a->size);
    return s;
}

/* "(60000, 28, 28)" from dimension `from` on. */
static const char *shape_str(int rank, const int64_t *shape, int from, char *s, size_t len) {
    size_t k = (size_t)snprintf(s, len, "(");
    for (int i = from; i < rank && k < len; i++)
        k += (size_t)snprintf(s + k, len - k, i > from ? ", %lld" : "%lld", (long long)shape[i]);
    if (k < len)
        snprintf(s + k, len - k, rank - from == 1 ? ",)" : ")");
    return s;
}

/* Do the dimensions of one sample (a's from 1 on) fit want[rank]? Equal once every 1 is
 * dropped on both sides ([28, 28] is the image of f32[1, 28, 28]), or a flat want of as
 * many values ([28, 28] for f32[784], as a linear layer after flatten sees it). */
static bool sample_fits(const MlcArray *a, int rank, const int64_t *want) {
    int64_t got[8], exp[8], ng = 0, ne = 0, size = 1;
    for (int i = 1; i < a->rank; i++) {
        size *= a->shape[i];
        if (a->shape[i] != 1)
            got[ng++] = a->shape[i];
    }
    for (int i = 0; i < rank; i++)
        if (want[i] != 1)
            exp[ne++] = want[i];
    if (rank == 1 && size == want[0])
        return true;
    if (ng != ne)
        return false;
    for (int i = 0; i < ng; i++)
        if (got[i] != exp[i])
            return false;
    return true;
}

bool mlc_dataset_from_arrays(MlcDataset *d, const MlcArray *x, const MlcArray *y, const MlcModel *m,
                             char *err, size_t errlen) {
    memset(d, 0, sizeof *d);
    char dt[16], s1[128], s2[128];
    int64_t n = x->rank ? x->shape[0] : 0;
    int64_t yshape1[1] = {(int64_t)m->y_size};
    int64_t nclass = mlc_model_classes(m); /* labels: a class target, or one_hot's */
    bool klass = nclass > 0;
    if (x->rank < 1 || n < 1)
        return mlc_fail(err, errlen, "%s: no samples (shape %s)", x->name,
                        shape_str(x->rank, x->shape, 0, s1, sizeof s1));
    if (x->kind != 'f' && x->kind != 'i' && x->kind != 'u')
        return mlc_fail(err, errlen, "%s: holds %s values, the input '%s' needs numbers", x->name,
                        dtype_name(x, dt, sizeof dt), m->x_name);
    if (!sample_fits(x, m->x_rank, m->x_shape)) {
        MlcArray want = {.rank = m->x_rank + 1};
        memcpy(want.shape + 1, m->x_shape, sizeof m->x_shape);
        return mlc_fail(err, errlen,
                        "%s: samples of shape %s, the model's input '%s' is one of shape %s",
                        x->name, shape_str(x->rank, x->shape, 1, s1, sizeof s1), m->x_name,
                        shape_str(want.rank, want.shape, 1, s2, sizeof s2));
    }
    if (y->rank < 1 || y->shape[0] != n)
        return mlc_fail(err, errlen, "%s: %lld targets for the %lld samples of %s", y->name,
                        (long long)(y->rank ? y->shape[0] : 0), (long long)n, x->name);
    if (klass &&
        (y->kind == 'f' || y->kind == 'b' || (y->rank != 1 && !(y->rank == 2 && y->shape[1] == 1))))
        return mlc_fail(err, errlen,
                        "%s: %s values of shape %s; the target '%s' is a class index, one "
                        "integer per sample (shape (%lld,))",
                        y->name, dtype_name(y, dt, sizeof dt),
                        shape_str(y->rank, y->shape, 0, s1, sizeof s1), m->y_name, (long long)n);
    if (!klass && y->kind == 'b')
        return mlc_fail(err, errlen, "%s: holds bool values, the target '%s' needs numbers",
                        y->name, m->y_name);
    if (!klass && !sample_fits(y, 1, yshape1) && !(y->rank == 1 && m->y_size == 1))
        return mlc_fail(err, errlen, "%s: targets of shape %s, the model's '%s' has %zu values",
                        y->name, shape_str(y->rank, y->shape, 1, s1, sizeof s1), m->y_name,
                        m->y_size);

    /* uint8 inputs (images) stay bytes, scaled a batch at a time (mlc_dataset_x) */
    bool bytes = x->kind == 'u' && x->size == 1;
    size_t nx = (size_t)n * m->x_size, ny = (size_t)n * (klass ? 1 : m->y_size);
    d->n = n;
    d->x_size = m->x_size;
    d->y_size = klass ? 1 : m->y_size;
    d->scale = m->scale;
    if (bytes)
        d->x8 = malloc(nx + 1);
    else
        d->x = malloc(nx * sizeof(float) + 1);
    if (klass)
        d->y = malloc(ny * sizeof(int32_t) + 1);
    else
        d->yf = malloc(ny * sizeof(float) + 1);
    if ((!d->x && !d->x8) || (!d->y && !d->yf)) {
        mlc_dataset_free(d);
        return mlc_fail(err, errlen, "%s: out of memory for %lld samples", x->name, (long long)n);
    }
    if (bytes)
        memcpy(d->x8, x->data, nx);
    for (size_t i = 0; !bytes && i < nx; i++) {
        double v = element(x, i) * (double)m->scale;
        if (!isfinite(v) || fabs(v) > 3.4e38) {
            mlc_dataset_free(d);
            return mlc_fail(err, errlen, "%s: sample %zu holds %g, not a finite float", x->name,
                            i / m->x_size, v);
        }
        d->x[i] = (float)v;
    }
    for (size_t i = 0; i < ny; i++) {
        double v = element(y, i);
        if (klass && !(v >= 0 && v < (double)nclass)) {
            mlc_dataset_free(d);
            return mlc_fail(err, errlen, "%s: target %zu is %.17g, not a class in 0..%lld", y->name,
                            i, v, (long long)nclass - 1);
        }
        if (!klass && (!isfinite(v) || fabs(v) > 3.4e38)) {
            mlc_dataset_free(d);
            return mlc_fail(err, errlen, "%s: target %zu holds %g, not a finite float", y->name,
                            i / m->y_size, v);
        }
        if (klass)
            d->y[i] = (int32_t)v;
        else
            d->yf[i] = (float)v;
    }
    return true;
}
