/* mkimages: the image data sets of tests/e2e/images.sh, written with libpng and libjpeg.
 *
 *   mkimages DIR
 *
 * makes, under DIR:
 *   train/ and train.csv (a header row), test/ and test.csv (none): 8x8 images of three
 *     classes, 0 a bright top half, 1 a bright left half, 2 a bright diagonal, on a noisy
 *     dark ground (a fixed LCG, so the files are the same every time); 300 and 90 of them,
 *     by turns an RGB PNG, a gray PNG, a JPEG (quality 90) and an RGBA PNG;
 *   exact/ and exact.csv: six PNG images (RGB and gray) of known pixels, and
 *     exact_expected.safetensors: "outputs" [6, 192], twice each image as the trainer must
 *     see it through scale = 1/255 and normalize(mean = [0.5, 0.25, 0.75], std = [0.5, 2,
 *     0.25]) (computed in float, as the runtime computes it), for st_compare;
 *   wrong/ and wrong.csv: a 9x8 image among 8x8 ones.
 */
#define _POSIX_C_SOURCE 200809L
#include "mlc_runtime.h"
#include "imgwrite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
    S = 8
};

static uint32_t state = 12345;
static int noise(int amount) { /* in [0, amount) */
    state = state * 1664525u + 1013904223u;
    return (int)((state >> 8) % (uint32_t)amount);
}

static void die(const char *what) {
    fprintf(stderr, "mkimages: %s\n", what);
    exit(1);
}

/* One image of class k into pix[S][S][3]. */
static void draw(int k, unsigned char *pix) {
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
            bool on = k == 0 ? y < S / 2 : k == 1 ? x < S / 2 : (x == y || x == y + 1);
            for (int c = 0; c < 3; c++)
                pix[(y * S + x) * 3 + c] =
                    (unsigned char)(on ? 170 + noise(80) - 20 * c : noise(90) + 10 * c);
        }
}

/* Writes pix as file name in dir, in format i % 4 (RGB PNG, gray PNG, JPEG, RGBA PNG). */
static const char *save(const char *dir, int i, const unsigned char *pix) {
    static char name[64];
    char path[1024];
    unsigned char gray[S * S], rgba[S * S * 4];
    int f = i % 4;
    snprintf(name, sizeof name, "img%03d.%s", i, f == 2 ? "jpg" : "png");
    snprintf(path, sizeof path, "%s/%s", dir, name);
    for (int p = 0; p < S * S; p++) {
        gray[p] = (unsigned char)((pix[p * 3] + pix[p * 3 + 1] + pix[p * 3 + 2]) / 3);
        memcpy(rgba + p * 4, pix + p * 3, 3);
        rgba[p * 4 + 3] = 255;
    }
    bool ok = f == 0   ? img_write_png(path, S, S, 3, pix)
              : f == 1 ? img_write_png(path, S, S, 1, gray)
              : f == 2 ? img_write_jpeg(path, S, S, 3, pix, 90)
                       : img_write_png(path, S, S, 4, rgba);
    if (!ok)
        die(path);
    return name;
}

static FILE *open_text(const char *root, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, name);
    FILE *f = fopen(path, "w");
    if (!f)
        die(path);
    return f;
}

static void make_dir(const char *root, const char *name, char *out, size_t len) {
    snprintf(out, len, "%s/%s", root, name);
    if (mkdir(out, 0777) != 0)
        die(out);
}

static void split(const char *root, const char *name, int n, bool header) {
    char dir[512], csv[64];
    make_dir(root, name, dir, sizeof dir);
    snprintf(csv, sizeof csv, "%s.csv", name);
    FILE *f = open_text(root, csv);
    if (header)
        fprintf(f, "file,label\n");
    unsigned char pix[S * S * 3];
    for (int i = 0; i < n; i++) {
        int k = (i * 7 + i / 3) % 3;
        draw(k, pix);
        fprintf(f, "%s,%d\n", save(dir, i, pix), k);
    }
    fclose(f);
}

int main(int argc, char **argv) {
    if (argc != 2)
        die("usage: mkimages DIR");
    const char *root = argv[1];
    split(root, "train", 300, true);
    split(root, "test", 90, false);

    /* exact: known pixels, and what the trainer must make of them */
    enum {
        N = 6
    };
    static const float mean[3] = {0.5f, 0.25f, 0.75f}, std[3] = {0.5f, 2.0f, 0.25f};
    const float scale = 1.0f / 255.0f;
    static float expected[N * 3 * S * S];
    char dir[512], path[1024];
    make_dir(root, "exact", dir, sizeof dir);
    FILE *f = open_text(root, "exact.csv");
    for (int i = 0; i < N; i++) {
        unsigned char pix[S * S * 3], gray[S * S];
        for (int p = 0; p < S * S; p++) {
            gray[p] = (unsigned char)(37 * i + 5 * p);
            for (int c = 0; c < 3; c++)
                pix[p * 3 + c] = (unsigned char)(41 * i + 3 * p + 85 * c);
        }
        bool is_gray = i % 2 == 1; /* a gray image fills the three channels alike */
        snprintf(path, sizeof path, "%s/e%d.png", dir, i);
        if (!(is_gray ? img_write_png(path, S, S, 1, gray) : img_write_png(path, S, S, 3, pix)))
            die(path);
        fprintf(f, "e%d.png,%d\n", i, i % 3);
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < S * S; p++) {
                int b = is_gray ? gray[p] : pix[p * 3 + c];
                float v = (float)b * scale;
                expected[(i * 3 + c) * S * S + p] = 2.0f * ((v - mean[c]) / std[c]);
            }
    }
    fclose(f);
    MlcTensor t = {"outputs", 2, {N, 3 * S * S}, expected};
    char err[1024];
    snprintf(path, sizeof path, "%s/exact_expected.safetensors", root);
    if (!mlc_safetensors_write(path, &t, 1, err, sizeof err))
        die(err);

    /* wrong: one image too wide */
    make_dir(root, "wrong", dir, sizeof dir);
    f = open_text(root, "wrong.csv");
    unsigned char pix[(S + 1) * S * 3];
    draw(0, pix);
    snprintf(path, sizeof path, "%s/fine.png", dir);
    if (!img_write_png(path, S, S, 3, pix))
        die(path);
    snprintf(path, sizeof path, "%s/wide.png", dir);
    if (!img_write_png(path, S + 1, S, 3, pix))
        die(path);
    fprintf(f, "fine.png,0\nwide.png,1\n");
    fclose(f);
    return 0;
}
