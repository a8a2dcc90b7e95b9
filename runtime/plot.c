/* plot.c: the trainer's pictures, drawn with cairo and written as PNG.
 *
 * --plot FILE: two panels side by side, MLC_PLOT_WIDTH x MLC_PLOT_HEIGHT pixels: the loss per
 * epoch (the training loss, the mean over the epoch's batches, and the test loss) and the
 * test accuracy per epoch, each with labelled axes and a legend. Redrawn after every epoch.
 *
 * --show-samples FILE: nine training samples chosen with the seed (PCG32, stream
 * MLC_RNG_STREAM_SAMPLES, like the quickstart's torch.randint, so a sample may come twice) in
 * a 3x3 grid, each titled with its class name, as the quickstart's figure. Each image is
 * magnified k = max(1, 128 / max(H, W)) times (whole pixels, no smoothing); a cell is
 * k W + 16 wide and k H + 36 high (a 20-pixel title), so the file is 3 (k W + 16) by
 * 3 (k H + 36) pixels. Bytes are shown as they are; float inputs are stretched from their
 * smallest to their largest value.
 *
 * Each file is written as the weights are (mlc_replace_file): never half a picture, through
 * symbolic links, keeping the mode of the file it replaces.
 */
#define _POSIX_C_SOURCE 200809L
#include "mlc_runtime.h"

#include <cairo.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
/* cairo's text goes through fontconfig, which keeps its caches until the process ends:
 * LeakSanitizer (Debug builds) is told they are not leaks of ours. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
    return "leak:libfontconfig.so\n";
}
#endif

/* cairo's PNG writer calls this for each piece of the file. */
static cairo_status_t write_piece(void *closure, const unsigned char *data, unsigned int length) {
    return fwrite(data, 1, length, (FILE *)closure) == length ? CAIRO_STATUS_SUCCESS
                                                              : CAIRO_STATUS_WRITE_ERROR;
}

/* Writes surface s to path as PNG, as every output file is written (mlc_replace_file). */
static bool write_png_to(FILE *f, void *ctx) {
    return cairo_surface_write_to_png_stream(ctx, write_piece, f) == CAIRO_STATUS_SUCCESS &&
           !ferror(f);
}
static bool write_png(cairo_surface_t *s, const char *path, char *err, size_t errlen) {
    return mlc_replace_file(path, write_png_to, s, err, errlen);
}

/* ---- --plot ---------------------------------------------------------------------------------- */

/* A panel's frame in the image: its plotting area's corners, and the values they stand for. */
typedef struct Panel {
    double x0, y0, x1, y1; /* pixels: left, top, right, bottom */
    double e0, e1, v0, v1; /* epochs (x) and values (y) at the corners */
} Panel;

static double px(const Panel *p, double epoch) {
    return p->e1 > p->e0 ? p->x0 + (epoch - p->e0) / (p->e1 - p->e0) * (p->x1 - p->x0)
                         : (p->x0 + p->x1) / 2;
}
static double py(const Panel *p, double v) {
    return p->y1 - (v - p->v0) / (p->v1 - p->v0) * (p->y1 - p->y0);
}

static void text(cairo_t *cr, double x, double y, double align, const char *s) {
    cairo_text_extents_t ext;
    cairo_text_extents(cr, s, &ext);
    cairo_move_to(cr, x - align * ext.x_advance, y);
    cairo_show_text(cr, s);
}

/* The top of a value axis from 0 that shows hi with a little room: four steps of a round
 * number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten), so the five labels read
 * 0, 0.3, 0.6, 0.9, 1.2 rather than 0.284, 0.569, ... */
static double axis_top(double hi) {
    if (!(hi > 0) || !isfinite(hi))
        return 1.0;
    double want = hi * 1.05 / 4, unit = pow(10.0, floor(log10(want)));
    static const double steps[] = {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10};
    for (int i = 0; i < 10; i++)
        if (steps[i] * unit >= want)
            return 4 * steps[i] * unit;
    return 40 * unit;
}

/* The axes, ticks and labels of a panel; values shown times `unit` with format fmt. */
static void draw_axes(cairo_t *cr, const Panel *p, const char *title, const char *fmt,
                      double unit) {
    char s[64];
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, p->x0, p->y0, p->x1 - p->x0, p->y1 - p->y0);
    cairo_stroke(cr);
    cairo_set_font_size(cr, 12);
    for (int i = 0; i <= 4; i++) { /* five values up the side */
        double v = p->v0 + (p->v1 - p->v0) * i / 4, y = py(p, v);
        cairo_move_to(cr, p->x0 - 4, y);
        cairo_line_to(cr, p->x0, y);
        cairo_stroke(cr);
        snprintf(s, sizeof s, fmt, v * unit);
        text(cr, p->x0 - 6, y + 4, 1.0, s);
    }
    int64_t first = (int64_t)ceil(p->e0), last = (int64_t)floor(p->e1);
    int64_t every = (last - first) / 10 + 1; /* at most about ten labels */
    for (int64_t e = first; e <= last; e += every) {
        double x = px(p, (double)e);
        cairo_move_to(cr, x, p->y1);
        cairo_line_to(cr, x, p->y1 + 4);
        cairo_stroke(cr);
        snprintf(s, sizeof s, "%lld", (long long)e);
        text(cr, x, p->y1 + 17, 0.5, s);
    }
    text(cr, (p->x0 + p->x1) / 2, p->y1 + 34, 0.5, "epoch");
    cairo_set_font_size(cr, 15);
    text(cr, (p->x0 + p->x1) / 2, p->y0 - 10, 0.5, title);
}

/* One curve: the values curves[3 i + k] that are numbers, joined, with a dot at each; and its
 * legend entry (number `slot` from the top). */
static void draw_curve(cairo_t *cr, const Panel *p, const double *curves, int64_t n, int64_t first,
                       int k, double scale, const double rgb[3], const char *name, int slot) {
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
    cairo_set_line_width(cr, 2);
    bool drawn = false;
    for (int64_t i = 0; i < n; i++) {
        double v = curves[3 * i + k] * scale;
        if (isnan(v))
            continue;
        double x = px(p, (double)(first + i + 1)), y = py(p, v);
        if (drawn)
            cairo_line_to(cr, x, y);
        else
            cairo_move_to(cr, x, y);
        drawn = true;
    }
    if (!drawn)
        return;
    cairo_stroke(cr);
    for (int64_t i = 0; i < n; i++) {
        double v = curves[3 * i + k] * scale;
        if (isnan(v))
            continue;
        cairo_arc(cr, px(p, (double)(first + i + 1)), py(p, v), 3, 0, 6.283185307179586);
        cairo_fill(cr);
    }
    double lx = p->x1 - 120, ly = p->y0 + 18 + 18 * slot;
    cairo_move_to(cr, lx, ly - 4);
    cairo_line_to(cr, lx + 24, ly - 4);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, 12);
    text(cr, lx + 30, ly, 0.0, name);
}

bool mlc_plot_curves(const char *path, const double *curves, int64_t n, int64_t first, char *err,
                     size_t errlen) {
    cairo_surface_t *s =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, MLC_PLOT_WIDTH, MLC_PLOT_HEIGHT);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    double hi = 0.0; /* the largest loss, for the scale */
    bool any_accuracy = false;
    for (int64_t i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++)
            if (isfinite(curves[3 * i + k]) && curves[3 * i + k] > hi)
                hi = curves[3 * i + k];
        any_accuracy |= !isnan(curves[3 * i + 2]);
    }
    double e0 = (double)first + 1, e1 = (double)(first + n);
    Panel loss = {70, 40, MLC_PLOT_WIDTH / 2 - 30, MLC_PLOT_HEIGHT - 50, e0, e1, 0, axis_top(hi)};
    Panel acc = {
        MLC_PLOT_WIDTH / 2 + 70, 40, MLC_PLOT_WIDTH - 30, MLC_PLOT_HEIGHT - 50, e0, e1, 0, 100};
    static const double blue[3] = {0.12, 0.47, 0.71}, orange[3] = {1.0, 0.5, 0.05},
                        green[3] = {0.17, 0.63, 0.17};
    draw_axes(cr, &loss, "loss", "%.3g", 1.0);
    draw_curve(cr, &loss, curves, n, first, 0, 1.0, blue, "training", 0);
    draw_curve(cr, &loss, curves, n, first, 1, 1.0, orange, "test", 1);
    draw_axes(cr, &acc, any_accuracy ? "test accuracy (%)" : "test accuracy (none)", "%.0f", 1.0);
    draw_curve(cr, &acc, curves, n, first, 2, 100.0, green, "test", 0);
    cairo_destroy(cr);
    bool ok = cairo_surface_status(s) == CAIRO_STATUS_SUCCESS
                  ? write_png(s, path, err, errlen)
                  : mlc_fail(err, errlen, "%s: cannot draw: %s", path,
                             cairo_status_to_string(cairo_surface_status(s)));
    cairo_surface_destroy(s);
    return ok;
}

/* ---- --show-samples -------------------------------------------------------------------------- */

bool mlc_show_samples(const char *path, const MlcModel *m, const MlcDataset *d, uint64_t seed,
                      char *err, size_t errlen) {
    int64_t c = 1, h = 0, w = 0;
    if (m->x_rank == 3) {
        c = m->x_shape[0];
        h = m->x_shape[1];
        w = m->x_shape[2];
    } else if (m->x_rank == 2) {
        h = m->x_shape[0];
        w = m->x_shape[1];
    }
    if ((c != 1 && c != 3) || h < 1 || w < 1)
        return mlc_fail(err, errlen,
                        "--show-samples: the input '%s' is not an image of 1 or 3 channels "
                        "([C, H, W] or [H, W])",
                        m->x_name);
    if (d->n < 1)
        return mlc_fail(err, errlen, "--show-samples: the training set is empty");
    int64_t k = 128 / (h > w ? h : w);
    k = k < 1 ? 1 : k;
    int cw = (int)(k * w + 16), ch = (int)(k * h + 36);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 3 * cw, 3 * ch);
    cairo_surface_t *img =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)(k * w), (int)(k * h));
    if (cairo_surface_status(s) || cairo_surface_status(img)) {
        cairo_surface_destroy(s);
        cairo_surface_destroy(img);
        return mlc_fail(err, errlen, "%s: out of memory for the picture", path);
    }
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 13);
    MlcRng rng;
    mlc_rng_seed_stream(&rng, seed, MLC_RNG_STREAM_SAMPLES);
    int64_t plane = h * w, nclass = mlc_model_classes(m);
    for (int cell = 0; cell < 9; cell++) {
        int64_t i = mlc_rng_below(&rng, (uint32_t)d->n);
        /* the pixels as bytes: the data set's own, or its floats stretched */
        double lo = 0.0, scale = 1.0;
        if (!d->x8) {
            const float *x = d->x + (size_t)i * d->x_size;
            double hi = (double)x[0];
            lo = hi;
            for (size_t j = 1; j < d->x_size; j++) {
                double xj = (double)x[j];
                lo = xj < lo ? xj : lo;
                hi = xj > hi ? xj : hi;
            }
            scale = hi > lo ? 255.0 / (hi - lo) : 0.0;
        }
        cairo_surface_flush(img);
        unsigned char *px8 = cairo_image_surface_get_data(img);
        int stride = cairo_image_surface_get_stride(img);
        for (int64_t y = 0; y < k * h; y++)
            for (int64_t x = 0; x < k * w; x++) {
                int64_t at = (y / k) * w + x / k;
                uint32_t rgb = 0;
                for (int64_t ch3 = 0; ch3 < 3; ch3++) {
                    int64_t src = (c == 3 ? ch3 : 0) * plane + at;
                    double b =
                        d->x8 ? d->x8[(size_t)i * d->x_size + (size_t)src]
                              : ((double)d->x[(size_t)i * d->x_size + (size_t)src] - lo) * scale;
                    uint32_t u = b < 0 ? 0 : b > 255 ? 255 : (uint32_t)(b + 0.5);
                    rgb = rgb << 8 | u;
                }
                memcpy(px8 + y * stride + x * 4, &rgb, 4); /* CAIRO_FORMAT_RGB24: native order */
            }
        cairo_surface_mark_dirty(img);
        double ox = (cell % 3) * cw + 8, oy = (cell / 3) * ch + 28;
        cairo_set_source_surface(cr, img, ox, oy);
        cairo_paint(cr);
        char label[128];
        const void *y = mlc_dataset_y(d, i);
        if (nclass > 0 && m->class_names)
            snprintf(label, sizeof label, "%s", m->class_names[*(const int32_t *)y]);
        else if (nclass > 0)
            snprintf(label, sizeof label, "class %d", (int)*(const int32_t *)y);
        else
            snprintf(label, sizeof label, "%.4g", (double)*(const float *)y);
        cairo_set_source_rgb(cr, 0, 0, 0);
        text(cr, ox + (double)(k * w) / 2, oy - 8, 0.5, label);
    }
    cairo_destroy(cr);
    bool ok = write_png(s, path, err, errlen);
    cairo_surface_destroy(s);
    cairo_surface_destroy(img);
    return ok;
}
