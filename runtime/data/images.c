/* data/images.c: a folder of PNG and JPEG images with an annotations file, the PyTorch
 * quickstart's custom Dataset.
 *
 * The annotations file is CSV (csv.c's quoting rules): one row per sample, the image's file
 * name (relative to the folder, or absolute) and its target: one class index (or the
 * class's name, when the model names its classes), or the target's values for a float
 * target. A first row whose target field is not a number is a
 * header and is skipped, so files written by pandas (with a header) and by hand (without)
 * both work.
 *
 * Images are read through libpng (its simplified API) and libjpeg, chosen by the file's
 * first bytes, not its name. Each must be exactly the input's width and height; an error
 * names the file. Grayscale and colour convert to the input's channels (1 or 3): gray to
 * RGB copies the value; a colour PNG becomes gray as PIL's convert("L") makes it (ITU-R
 * 601-2 luma), a colour JPEG as libjpeg decodes its luma; an alpha channel is composited
 * onto black. 16-bit PNGs become 8-bit as libpng's simplified API converts them. The pixels are
 * kept as bytes, [C, H, W] per sample, in the buffer they were decoded into, and become floats
 * (times the train block's scale) a batch at a time.
 */
#define _POSIX_C_SOURCE 200809L
#include "mlc_runtime.h"

#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jpeglib.h>

#include <jerror.h> /* JWRN_JPEG_EOF */
#include <png.h>

/* The input's image size: [C, H, W], or [H, W] (one channel). */
typedef struct Geometry {
    int64_t c, h, w;
} Geometry;

/* libjpeg reports errors through error_exit, which must not return: jump back instead. */
typedef struct JpegError {
    struct jpeg_error_mgr mgr;
    jmp_buf back;
    char message[JMSG_LENGTH_MAX];
    bool truncated; /* libjpeg warned that the data ended early (and made up the rest) */
} JpegError;

static void jpeg_fail(j_common_ptr c) {
    JpegError *e = (JpegError *)(void *)c->err;
    c->err->format_message(c, e->message);
    longjmp(e->back, 1);
}

/* Warnings (extraneous bytes, ...) are not errors: the image decoded. A file that ends
 * early is, though libjpeg only warns and fills in gray: the pixels would be made up. */
static void jpeg_warning(j_common_ptr c) {
    JpegError *e = (JpegError *)(void *)c->err;
    if (c->err->msg_code == JWRN_JPEG_EOF)
        e->truncated = true;
}

/* The error for an image of w x h pixels where the input is g's size. */
static bool wrong_size(const char *path, unsigned w, unsigned h, const Geometry *g, char *err,
                       size_t errlen) {
    return mlc_fail(err, errlen,
                    "%s: %ux%u pixels, the input is %lldx%lld (width x height); resize the "
                    "images, or declare the input's size as theirs",
                    path, w, h, (long long)g->w, (long long)g->h);
}

/* Decodes the JPEG file f (path, for messages) into out[h][w][c]. */
static bool read_jpeg(FILE *f, const char *path, const Geometry *g, unsigned char *out, char *err,
                      size_t errlen) {
    struct jpeg_decompress_struct jd;
    JpegError je;
    memset(&jd, 0, sizeof jd);
    jd.err = jpeg_std_error(&je.mgr);
    je.mgr.error_exit = jpeg_fail;
    je.mgr.output_message = jpeg_warning;
    je.truncated = false;
    if (setjmp(je.back)) {
        jpeg_destroy_decompress(&jd);
        return mlc_fail(err, errlen, "%s: not a readable JPEG file: %s", path, je.message);
    }
    jpeg_create_decompress(&jd);
    jpeg_stdio_src(&jd, f);
    jpeg_read_header(&jd, TRUE);
    if (jd.image_width != (JDIMENSION)g->w || jd.image_height != (JDIMENSION)g->h) {
        unsigned w = jd.image_width, h = jd.image_height;
        jpeg_destroy_decompress(&jd);
        return wrong_size(path, w, h, g, err, errlen);
    }
    if (jd.jpeg_color_space == JCS_CMYK || jd.jpeg_color_space == JCS_YCCK) {
        jpeg_destroy_decompress(&jd);
        return mlc_fail(err, errlen, "%s: a CMYK JPEG; only grayscale and RGB images are read",
                        path);
    }
    jd.out_color_space = g->c == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&jd);
    while (jd.output_scanline < jd.output_height) {
        JSAMPROW row = out + (size_t)jd.output_scanline * (size_t)(g->w * g->c);
        jpeg_read_scanlines(&jd, &row, 1);
    }
    jpeg_finish_decompress(&jd);
    jpeg_destroy_decompress(&jd);
    if (je.truncated)
        return mlc_fail(err, errlen, "%s: not a readable JPEG file: it ends before its image does",
                        path);
    return true;
}

/* Decodes the PNG file f into out[h][w][c]. */
static bool read_png(FILE *f, const char *path, const Geometry *g, unsigned char *out, char *err,
                     size_t errlen) {
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_stdio(&im, f))
        return mlc_fail(err, errlen, "%s: not a readable PNG file: %s", path, im.message);
    if (im.width != (png_uint_32)g->w || im.height != (png_uint_32)g->h) {
        unsigned w = im.width, h = im.height;
        png_image_free(&im);
        return wrong_size(path, w, h, g, err, errlen);
    }
    /* a colour image for a gray input: read as RGB, then PIL's convert("L") (ITU-R 601-2
     * luma on the stored values, as torchvision's Grayscale), not libpng's linear-light gray */
    bool luma = g->c == 1 && (im.format & PNG_FORMAT_FLAG_COLOR);
    unsigned char *rgb = luma ? malloc((size_t)(g->h * g->w) * 3) : NULL;
    if (luma && !rgb) {
        png_image_free(&im);
        return mlc_fail(err, errlen, "%s: out of memory", path);
    }
    im.format = g->c == 1 && !luma ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    png_color black = {0, 0, 0};
    if (!png_image_finish_read(&im, &black, luma ? rgb : out, 0, NULL)) {
        char why[128];
        snprintf(why, sizeof why, "%s", im.message);
        png_image_free(&im);
        free(rgb);
        return mlc_fail(err, errlen, "%s: not a readable PNG file: %s", path, why);
    }
    for (size_t p = 0; luma && p < (size_t)(g->h * g->w); p++)
        out[p] = (unsigned char)((rgb[3 * p] * 19595u + rgb[3 * p + 1] * 38470u +
                                  rgb[3 * p + 2] * 7471u + 0x8000u) >>
                                 16);
    free(rgb);
    return true;
}

/* Reads image `path` into x[c][h][w] (pixels; scratch: h * w * c bytes). */
static bool read_image(const char *path, const Geometry *g, unsigned char *scratch,
                       unsigned char *x, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return mlc_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    unsigned char magic[8] = {0};
    size_t got = 0;
    bool ok = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    if (!ok)
        ok = mlc_fail(err, errlen, "%s: not a regular file", path);
    if (ok)
        got = fread(magic, 1, sizeof magic, f);
    if (ok && fseek(f, 0, SEEK_SET) != 0)
        ok = mlc_fail(err, errlen, "%s: cannot read: %s", path, strerror(errno));
    if (ok) {
        if (got == 8 && memcmp(magic, "\x89PNG\r\n\x1a\n", 8) == 0)
            ok = read_png(f, path, g, scratch, err, errlen);
        else if (got >= 3 && memcmp(magic, "\xff\xd8\xff", 3) == 0)
            ok = read_jpeg(f, path, g, scratch, err, errlen);
        else
            ok = mlc_fail(err, errlen, "%s: not a PNG or JPEG file", path);
    }
    fclose(f);
    if (!ok)
        return false;
    /* interleaved [h][w][c] to planes [c][h][w], as PyTorch's images are */
    size_t plane = (size_t)(g->h * g->w);
    for (size_t p = 0; p < plane; p++)
        for (int64_t c = 0; c < g->c; c++)
            x[(size_t)c * plane + p] = scratch[p * (size_t)g->c + (size_t)c];
    return true;
}

/* A field that is a number, all of it (spaces around allowed). */
static bool number(const char *s, double *v) {
    char *end;
    while (*s == ' ' || *s == '\t')
        s++;
    *v = strtod(s, &end);
    if (end == s)
        return false;
    while (*end == ' ' || *end == '\t')
        end++;
    return *end == '\0';
}

/* A class given by its name in the model's classes (spaces around it ignored): its index,
 * else -1. */
static int64_t class_named(const MlcModel *m, int64_t nclass, const char *s) {
    while (*s == ' ')
        s++;
    size_t len = strlen(s);
    while (len > 0 && s[len - 1] == ' ')
        len--;
    for (int64_t k = 0; m->class_names && k < nclass; k++)
        if (strlen(m->class_names[k]) == len && strncmp(m->class_names[k], s, len) == 0)
            return k;
    return -1;
}

/* A growable buffer of bytes. */
typedef struct Bytes {
    unsigned char *p;
    size_t len, cap;
} Bytes;

static bool bytes_grow(Bytes *b, size_t more) {
    if (b->len + more <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more)
        cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    if (!p)
        return false;
    b->p = p;
    b->cap = cap;
    return true;
}

static bool images_load(MlcDataset *d, const MlcSource *src, const MlcModel *m, char *err,
                        size_t errlen) {
    const char *ann = src->path, *dir = src->path2;
    Geometry g = {1, 0, 0};
    if (m->x_rank == 3)
        g = (Geometry){m->x_shape[0], m->x_shape[1], m->x_shape[2]};
    else if (m->x_rank == 2)
        g = (Geometry){1, m->x_shape[0], m->x_shape[1]};
    if ((m->x_rank != 2 && m->x_rank != 3) || (g.c != 1 && g.c != 3))
        return mlc_fail(err, errlen,
                        "%s: images need an input of shape [C, H, W] with 1 or 3 channels, or "
                        "[H, W]; '%s' is not one",
                        ann, m->x_name);
    int64_t nclass = mlc_model_classes(m);
    int want = nclass ? 1 : (int)m->y_size; /* target fields per row */
    FILE *f = fopen(ann, "rb");
    if (!f)
        return mlc_fail(err, errlen, "%s: cannot open: %s", ann, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return mlc_fail(err, errlen, "%s: not a regular file", ann);
    }
    size_t size = (size_t)(g.c * g.h * g.w);
    unsigned char *scratch = malloc(size);
    char **fields = malloc((size_t)(want + 1) * sizeof *fields);
    char *line = NULL, *path = NULL;
    size_t cap = 0, pathcap = 0;
    Bytes x = {0}, y = {0};
    bool ok = scratch && fields;
    if (!ok)
        mlc_fail(err, errlen, "%s: out of memory", ann);
    int64_t lineno = 0, n = 0;
    ssize_t len;
    while (ok && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        char *text = line;
        if (lineno == 1 && strncmp(text, "\xef\xbb\xbf", 3) == 0)
            text += 3;
        if (memchr(line, '\0', (size_t)len)) {
            ok = mlc_fail(err, errlen, "%s:%lld: not a CSV text file (it holds NUL bytes)", ann,
                          (long long)lineno);
            break;
        }
        if (*text == '\0')
            continue; /* a blank line */
        int nf = mlc_csv_split(text, fields, want + 1);
        double v;
        if (nf < 0) {
            ok = mlc_fail(err, errlen, "%s:%lld: a quote is not closed", ann, (long long)lineno);
            break;
        }
        if (n == 0 && nf >= 2 && !number(fields[1], &v) &&
            !(nclass && class_named(m, nclass, fields[1]) >= 0))
            continue; /* a header */
        if (nf != want + 1) {
            ok = mlc_fail(err, errlen,
                          "%s:%lld: %d fields; each row is an image's file name and %s (%d "
                          "fields)",
                          ann, (long long)lineno, nf, nclass ? "its class" : "its target's values",
                          want + 1);
            break;
        }
        /* the target */
        if (!bytes_grow(&y, (size_t)want * 4) || !bytes_grow(&x, size)) {
            ok = mlc_fail(err, errlen, "%s: out of memory at line %lld", ann, (long long)lineno);
            break;
        }
        for (int k = 0; k < want && ok; k++) {
            int64_t named = nclass ? class_named(m, nclass, fields[k + 1]) : -1;
            bool numeric = named >= 0 || number(fields[k + 1], &v);
            if (named >= 0)
                v = (double)named; /* a class by its name */
            if (!numeric || !isfinite(v))
                ok = mlc_fail(err, errlen, "%s:%lld: '%s' is not %s", ann, (long long)lineno,
                              fields[k + 1],
                              nclass && m->class_names ? "a class number or name"
                              : nclass                 ? "a class number"
                                                       : "a finite number");
            else if (nclass && !(v >= 0 && v < (double)nclass && v == floor(v)))
                ok = mlc_fail(err, errlen, "%s:%lld: class '%s' is not one of 0..%lld", ann,
                              (long long)lineno, fields[k + 1], (long long)nclass - 1);
            else if (nclass) {
                int32_t c = (int32_t)v;
                memcpy(y.p + y.len, &c, 4);
            } else if (fabs(v) > 3.4e38) {
                ok = mlc_fail(err, errlen, "%s:%lld: '%s' is too large for a float", ann,
                              (long long)lineno, fields[k + 1]);
            } else {
                float yv = (float)v;
                memcpy(y.p + y.len, &yv, 4);
            }
            y.len += 4;
        }
        if (!ok)
            break;
        /* the image: the folder's file, unless the name is absolute */
        char *name = fields[0]; /* spaces around it are not part of it */
        while (*name == ' ')
            name++;
        for (size_t k = strlen(name); k > 0 && name[k - 1] == ' '; k--)
            name[k - 1] = '\0';
        if (*name == '\0') {
            ok = mlc_fail(err, errlen, "%s:%lld: no file name", ann, (long long)lineno);
            break;
        }
        size_t need = strlen(dir) + strlen(name) + 2;
        if (need > pathcap) {
            char *p = realloc(path, need);
            if (!p) {
                ok = mlc_fail(err, errlen, "%s: out of memory", ann);
                break;
            }
            path = p;
            pathcap = need;
        }
        if (name[0] == '/')
            snprintf(path, pathcap, "%s", name);
        else
            snprintf(path, pathcap, "%s/%s", dir, name);
        char why[1024];
        if (!read_image(path, &g, scratch, x.p + x.len, why, sizeof why)) {
            ok = mlc_fail(err, errlen, "%s (%s:%lld)", why, ann, (long long)lineno);
            break;
        }
        x.len += size;
        n++;
    }
    if (ok && ferror(f))
        ok = mlc_fail(err, errlen, "%s: read error", ann);
    if (ok && n == 0)
        ok = mlc_fail(err, errlen, "%s: no images listed", ann);
    fclose(f);
    free(line);
    free(path);
    free(fields);
    free(scratch);
    if (!ok) {
        free(x.p);
        free(y.p);
        return false;
    }
    /* the buffers become the data set (checked above: sizes, classes, finite targets), so
     * the images are in memory once, as bytes */
    memset(d, 0, sizeof *d);
    d->n = n;
    d->x_size = m->x_size;
    d->scale = m->scale;
    d->x8 = x.p;
    d->y_size = nclass ? 1 : m->y_size;
    if (nclass)
        d->y = (int32_t *)(void *)y.p;
    else
        d->yf = (float *)(void *)y.p;
    return true;
}

const MlcLoader mlc_loader_images = {"images", images_load};
