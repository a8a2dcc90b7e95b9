/* data/idx.c: the IDX files of MNIST and FashionMNIST, plain or gzip.
 *
 * An IDX file is a big-endian header, then the values: a magic word 0x000008DD (0x08: unsigned
 * bytes; DD: the number of dimensions), DD 32-bit sizes, and the product of the sizes in bytes.
 * Images are 0x00000803 [count, rows, cols], or 0x00000804 [count, channels, rows, cols] for
 * images of several channels; labels 0x00000801 [count].
 *
 * zlib's gzopen/gzread read gzip and plain files alike. The header's sizes are never trusted
 * for allocation: the file is read into a buffer that grows as bytes arrive, up to the size
 * the header claims plus one byte, so a lying header gives "truncated" or "longer than its
 * header says", never a huge allocation. Every error names the file and the reason.
 *
 * As a loader (mlc_loader_idx): the split "train" is DIR/train-images-idx3-ubyte (or
 * -idx4-ubyte, for images with channels) and DIR/train-labels-idx1-ubyte, "test" the t10k-*
 * files, each plain or with .gz. The images' channels, rows and columns must be the model
 * input's last dimensions (or its only one, their product): see images_fit. The loader keeps the
 * images as bytes, a quarter of the memory of floats; the runtime scales each batch as it uses it
 * (mlc_dataset_x).
 */
#define _POSIX_C_SOURCE 200809L
#include "mlc_runtime.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define IDX_MAGIC_IMAGES  0x00000803u
#define IDX_MAGIC_IMAGES4 0x00000804u
#define IDX_MAGIC_LABELS  0x00000801u

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* One IDX file in memory: its sizes and its values (bytes). */
typedef struct IdxFile {
    uint32_t dims[4];
    unsigned char *data;
    size_t n; /* bytes of data: the product of dims */
} IdxFile;

/* zlib's message for the last error of f, without the "path: " zlib puts in front; the
 * system's reason for Z_ERRNO. *errnum is Z_OK if there was no error. */
static const char *gz_reason(gzFile f, const char *path, int *errnum) {
    const char *msg = gzerror(f, errnum);
    size_t n = strlen(path);
    if (*errnum == Z_ERRNO)
        return strerror(errno);
    if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
        msg += n + 2;
    return msg;
}

/* Reads up to max bytes into *buf (allocated here, grown by doubling). Returns the count read,
 * or -1 with err set on a read error or when out of memory. */
static int64_t read_all(gzFile f, const char *path, size_t max, unsigned char **buf, char *err,
                        size_t errlen) {
    size_t cap = 0, len = 0;
    unsigned char *b = NULL;
    while (len < max) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : (size_t)1 << 16;
            if (ncap > max)
                ncap = max;
            unsigned char *nb = realloc(b, ncap);
            if (!nb) {
                free(b);
                mlc_fail(err, errlen, "%s: out of memory reading %zu bytes", path, ncap);
                return -1;
            }
            b = nb;
            cap = ncap;
        }
        size_t want = cap - len;
        if (want > (1u << 30))
            want = 1u << 30;
        int got = gzread(f, b + len, (unsigned)want);
        if (got < 0) {
            int errnum;
            const char *msg = gz_reason(f, path, &errnum);
            free(b);
            mlc_fail(err, errlen, "%s: read error: %s", path, msg);
            return -1;
        }
        if (got == 0) {
            /* A gzip stream cut short ends like a file, with Z_BUF_ERROR set. */
            int errnum;
            const char *msg = gz_reason(f, path, &errnum);
            if (errnum != Z_OK) {
                free(b);
                mlc_fail(err, errlen, "%s: read error: %s", path, msg);
                return -1;
            }
            break;
        }
        len += (size_t)got;
    }
    *buf = b;
    return (int64_t)len;
}

/* Opens path and checks its header: the magic, then ndim sizes. what is "image" or "label". */
static bool idx_read_file(IdxFile *x, const char *path, uint32_t magic, int ndim, const char *what,
                          char *err, size_t errlen) {
    memset(x, 0, sizeof *x);
    errno = 0;
    gzFile f = gzopen(path, "rb");
    if (!f)
        return mlc_fail(err, errlen, "%s: cannot open: %s", path,
                        errno ? strerror(errno) : "out of memory");
    gzbuffer(f, 1u << 17);

    /* The magic first: it says how many sizes follow (images: three, or four with channels). */
    unsigned char head[20];
    unsigned char *hb = NULL;
    int64_t got = read_all(f, path, 4, &hb, err, errlen);
    if (got < 0) {
        gzclose(f);
        return false;
    }
    if (got > 0)
        memcpy(head, hb, (size_t)got);
    free(hb);
    if (got < 4) {
        gzclose(f);
        return mlc_fail(err, errlen, "%s: truncated: %lld bytes, too short for an IDX header", path,
                        (long long)got);
    }
    uint32_t m = be32(head);
    if (magic == IDX_MAGIC_IMAGES && m == IDX_MAGIC_IMAGES4) {
        magic = m;
        ndim = 4;
    }
    if (m != magic) {
        gzclose(f);
        return mlc_fail(err, errlen, "%s: bad magic 0x%08x, expected 0x%08x (an IDX %s file)", path,
                        (unsigned)m, (unsigned)magic, what);
    }
    size_t headlen = 4 + 4 * (size_t)ndim;
    got = read_all(f, path, headlen - 4, &hb, err, errlen);
    if (got < 0) {
        gzclose(f);
        return false;
    }
    if (got > 0)
        memcpy(head + 4, hb, (size_t)got);
    free(hb);
    if ((size_t)got < headlen - 4) {
        gzclose(f);
        return mlc_fail(err, errlen, "%s: truncated: %lld bytes, the IDX header needs %zu", path,
                        (long long)got + 4, headlen);
    }
    /* The product of up to four 32-bit sizes: check it against SIZE_MAX step by step. */
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        x->dims[i] = be32(head + 4 + 4 * i);
        if (x->dims[i] != 0 && n > SIZE_MAX / 2 / x->dims[i]) {
            gzclose(f);
            return mlc_fail(err, errlen, "%s: the header's sizes are too large", path);
        }
        n *= x->dims[i];
    }
    if (x->dims[0] == 0) {
        gzclose(f);
        return mlc_fail(err, errlen, "%s: contains no %ss", path, what);
    }

    /* One byte more than the header says, to notice trailing bytes. */
    got = read_all(f, path, n + 1, &x->data, err, errlen);
    gzclose(f);
    if (got < 0)
        return false;
    if ((size_t)got < n) {
        free(x->data);
        x->data = NULL;
        return mlc_fail(err, errlen, "%s: truncated: %lld bytes of %s data, the header says %zu",
                        path, (long long)got, what, n);
    }
    if ((size_t)got > n) {
        free(x->data);
        x->data = NULL;
        return mlc_fail(err, errlen, "%s: longer than its header says (%zu bytes of %s data)", path,
                        n, what);
    }
    x->n = n;
    return true;
}

/* mlc_idx_read, with the images kept as bytes (d->x8) when bytes is set. */
static bool idx_read(MlcDataset *d, const char *images, const char *labels, size_t x_size,
                     float scale, int64_t nclass, bool bytes, char *err, size_t errlen) {
    memset(d, 0, sizeof *d);
    IdxFile im, lb;
    if (!idx_read_file(&im, images, IDX_MAGIC_IMAGES, 3, "image", err, errlen))
        return false;
    if (!idx_read_file(&lb, labels, IDX_MAGIC_LABELS, 1, "label", err, errlen)) {
        free(im.data);
        return false;
    }

    bool ok = false;
    uint64_t pixels = (uint64_t)im.dims[1] * im.dims[2] * (im.dims[3] ? im.dims[3] : 1);
    if (pixels != x_size) {
        char dims[64];
        snprintf(dims, sizeof dims, im.dims[3] ? "%ux%ux%u" : "%ux%u", (unsigned)im.dims[1],
                 (unsigned)im.dims[2], (unsigned)im.dims[3]);
        mlc_fail(err, errlen, "%s: images are %s = %llu values, the model's input has %zu", images,
                 dims, (unsigned long long)pixels, x_size);
        goto out;
    }
    if (lb.dims[0] != im.dims[0]) {
        mlc_fail(err, errlen, "%s: %u labels, but %s has %u images", labels, (unsigned)lb.dims[0],
                 images, (unsigned)im.dims[0]);
        goto out;
    }
    for (size_t i = 0; i < lb.n; i++) {
        if ((int64_t)lb.data[i] >= nclass) {
            mlc_fail(err, errlen, "%s: label %u of item %zu is out of range for %lld classes",
                     labels, (unsigned)lb.data[i], i, (long long)nclass);
            goto out;
        }
    }

    d->n = im.dims[0];
    d->x_size = x_size;
    d->y_size = 1;
    d->scale = scale;
    if (bytes) {
        d->x8 = im.data;
        im.data = NULL;
    } else {
        d->x = malloc(im.n * sizeof(float));
    }
    d->y = malloc(lb.n * sizeof(int32_t));
    if ((!d->x && !d->x8) || !d->y) {
        mlc_dataset_free(d);
        mlc_fail(err, errlen, "%s: out of memory for %zu floats", images, im.n);
        goto out;
    }
    for (size_t i = 0; d->x && i < im.n; i++)
        d->x[i] = (float)im.data[i] * scale;
    for (size_t i = 0; i < lb.n; i++)
        d->y[i] = lb.data[i];
    ok = true;
out:
    free(im.data);
    free(lb.data);
    return ok;
}

bool mlc_idx_read(MlcDataset *d, const char *images, const char *labels, size_t x_size, float scale,
                  int64_t nclass, char *err, size_t errlen) {
    return idx_read(d, images, labels, x_size, scale, nclass, false, err, errlen);
}

void mlc_idx_load(MlcDataset *d, const char *images, const char *labels, size_t x_size, float scale,
                  int64_t nclass) {
    char err[1024];
    if (!mlc_idx_read(d, images, labels, x_size, scale, nclass, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
}

/* DIR/NAME if it exists, else DIR/NAME.gz if that exists, else NULL. */
static char *data_file(const char *dir, const char *name) {
    size_t len = strlen(dir) + strlen(name) + 8;
    char *path = malloc(len);
    if (!path)
        return NULL;
    for (int gz = 0; gz < 2; gz++) {
        snprintf(path, len, "%s/%s%s", dir, name, gz ? ".gz" : "");
        FILE *f = fopen(path, "rb");
        if (f) {
            fclose(f);
            return path;
        }
    }
    free(path);
    return NULL;
}

/* "f32[1, 28, 28]" */
static void format_input(char *s, size_t len, const MlcModel *m) {
    size_t k = (size_t)snprintf(s, len, "f32[");
    for (int i = 0; i < m->x_rank && k < len; i++)
        k += (size_t)snprintf(s + k, len - k, i ? ", %lld" : "%lld", (long long)m->x_shape[i]);
    if (k < len)
        snprintf(s + k, len - k, "]");
}

/* Do the images fit the model's input? Its shape must be the image's, [rows, cols] or
 * [channels, rows, cols], after any leading 1s ([1, 28, 28] for a 28x28 image), or the image
 * flattened. Equal sizes are not enough: 16x49 images are not 28x28 ones. Reads only the
 * header (the loader then reads and checks the whole file). */
static bool images_fit(const char *images, const MlcModel *m, char *err, size_t errlen) {
    gzFile f = gzopen(images, "rb");
    unsigned char head[20];
    int got = f ? gzread(f, head, sizeof head) : -1;
    if (f)
        gzclose(f);
    if (got < 16 || (be32(head) != IDX_MAGIC_IMAGES && be32(head) != IDX_MAGIC_IMAGES4) ||
        (be32(head) == IDX_MAGIC_IMAGES4 && got < 20))
        return true; /* mlc_idx_read says what is wrong with it */
    /* the image's shape: [rows, cols], or [channels, rows, cols] */
    int64_t shape[3];
    int rank = be32(head) == IDX_MAGIC_IMAGES4 ? 3 : 2;
    for (int i = 0; i < rank; i++)
        shape[i] = be32(head + 8 + 4 * i);
    int64_t numel = shape[0] * shape[1] * (rank == 3 ? shape[2] : 1);
    int r = m->x_rank;
    bool fit = r == 1 && m->x_shape[0] == numel;
    if (r >= rank) {
        fit = true;
        for (int i = 0; i < rank; i++)
            fit = fit && m->x_shape[r - rank + i] == shape[i];
        for (int i = 0; i < r - rank; i++)
            fit = fit && m->x_shape[i] == 1;
    }
    if (fit)
        return true;
    char want[128], have[64];
    format_input(want, sizeof want, m);
    if (rank == 3)
        snprintf(have, sizeof have, "%lldx%lldx%lld (channels x rows x cols)", (long long)shape[0],
                 (long long)shape[1], (long long)shape[2]);
    else
        snprintf(have, sizeof have, "%lldx%lld", (long long)shape[0], (long long)shape[1]);
    return mlc_fail(err, errlen, "%s: images are %s, the model's input '%s' is %s", images, have,
                    m->x_name, want);
}

static bool idx_load(MlcDataset *d, const MlcSource *src, const MlcModel *m, char *err,
                     size_t errlen) {
    const char *dir = src->path;
    const char *prefix = strcmp(src->split, "train") == 0 ? "train" : "t10k";
    char iname[64], lname[64];
    char iname4[64];
    snprintf(iname, sizeof iname, "%s-images-idx3-ubyte", prefix);
    snprintf(iname4, sizeof iname4, "%s-images-idx4-ubyte", prefix);
    snprintf(lname, sizeof lname, "%s-labels-idx1-ubyte", prefix);
    char *images = data_file(dir, iname);
    if (!images)
        images = data_file(dir, iname4); /* images with channels */
    if (!images)
        return mlc_fail(err, errlen, "%s/%s: not found (nor %s.gz, nor %s)", dir, iname, iname,
                        iname4);
    char *labels = data_file(dir, lname);
    if (!labels) {
        free(images);
        return mlc_fail(err, errlen, "%s/%s: not found (nor %s.gz)", dir, lname, lname);
    }
    bool ok =
        images_fit(images, m, err, errlen) &&
        idx_read(d, images, labels, m->x_size, m->scale, mlc_model_classes(m), true, err, errlen);
    free(images);
    free(labels);
    return ok;
}

const MlcLoader mlc_loader_idx = {"idx", idx_load};
