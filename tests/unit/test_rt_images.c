/* test_rt_images.c: the images() loader (runtime/data/images.c): an annotations file and a
 * folder of PNG and JPEG images, written here with libpng and libjpeg.
 *
 * PNG pixels must come back exactly, in [C, H, W] order: RGB as it is, gray copied to the
 * three channels of an RGB input, RGBA without its (opaque) alpha, gray as it is for a
 * one-channel input and RGB as PIL's convert("L") makes it gray; a JPEG of one colour within its
 * compression's error. Every bad input (an image of the wrong size, a missing, truncated or foreign
 * file, a bad class, a row of the wrong width) is an error that names the file, checked word for
 * word.
 */
#define _POSIX_C_SOURCE 200809L
#include "mlc_runtime.h"
#include "check.h"
#include "tmpdir.h"
#include "../tools/imgwrite.h"

#include <stdlib.h>
#include <string.h>

enum {
    W = 4,
    H = 2
};

/* An RGB input [3, 2, 4] with three classes, or a gray one [2, 4]. */
static MlcModel model(int channels) {
    MlcModel m;
    memset(&m, 0, sizeof m);
    m.name = "images_test";
    m.x_name = "image";
    if (channels == 3) {
        m.x_rank = 3;
        m.x_shape[0] = 3;
        m.x_shape[1] = H;
        m.x_shape[2] = W;
    } else {
        m.x_rank = 2;
        m.x_shape[0] = H;
        m.x_shape[1] = W;
    }
    m.x_size = (size_t)(channels * H * W);
    m.y_kind = MLC_TARGET_CLASS;
    m.y_name = "label";
    m.nclass = 3;
    m.scale = 1.0f;
    return m;
}

static void write_text(const char *name, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK_TRUE(f != NULL);
    fputs(text, f);
    fclose(f);
}

/* Loads dir/ann with the images of dir; returns whether it worked, the message in err. */
static bool load(MlcDataset *d, const char *ann, const MlcModel *m, char *err, size_t len) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, ann);
    MlcSource src = {"train", path, dir};
    err[0] = '\0';
    return mlc_loader_images.load(d, &src, m, err, len);
}

/* The error of loading ann must be "<dir>/<file>: <what>" followed by " (<dir>/<ann>:<line>)"
 * when line > 0. */
static void check_error(const char *ann, int channels, const char *file, const char *what,
                        int line) {
    MlcModel m = model(channels);
    MlcDataset d;
    char err[1024], want[1024];
    CHECK_TRUE(!load(&d, ann, &m, err, sizeof err));
    if (line > 0)
        snprintf(want, sizeof want, "%s/%s: %s (%s/%s:%d)", dir, file, what, dir, ann, line);
    else
        snprintf(want, sizeof want, "%s/%s: %s", dir, file, what);
    CHECK_STR(want, err);
}

int main(void) {
    if (!tmpdir_make("mlc_test_images"))
        return 1;
    unsigned char rgb[H * W * 3], gray[H * W], rgba[H * W * 4], flat[H * W * 3];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int p = y * W + x;
            for (int c = 0; c < 3; c++) {
                rgb[p * 3 + c] = (unsigned char)(30 * p + 7 * c + 1);
                rgba[p * 4 + c] = (unsigned char)(255 - 20 * p - c);
                flat[p * 3 + c] = (unsigned char)(c == 0 ? 200 : c == 1 ? 100 : 50);
            }
            rgba[p * 4 + 3] = 255;
            gray[p] = (unsigned char)(11 * p + 3);
        }
    char path[256];
#define FILE_IN(name) (snprintf(path, sizeof path, "%s/%s", dir, name), path)
    CHECK_TRUE(img_write_png(FILE_IN("rgb.png"), W, H, 3, rgb));
    CHECK_TRUE(img_write_png(FILE_IN("gray.png"), W, H, 1, gray));
    CHECK_TRUE(img_write_png(FILE_IN("rgba.png"), W, H, 4, rgba));
    CHECK_TRUE(img_write_jpeg(FILE_IN("flat.jpg"), W, H, 3, flat, 95));
    unsigned char wide[H * (W + 1) * 3] = {0};
    CHECK_TRUE(img_write_png(FILE_IN("wide.png"), W + 1, H, 3, wide));
    /* a header row, a quoted name, a blank line; and the same without a header */
    write_text("ann.csv", "file,label\nrgb.png,2\n\"gray.png\",0\nrgba.png,1\n\nflat.jpg,2\n");
    write_text("plain.csv", "rgb.png, 1\ngray.png ,2\n");
    write_text("named.csv", "rgb.png, diagonal\ngray.png,top\n"); /* no header: names */

    /* RGB: every value exact, planes [C, H, W] */
    MlcModel m = model(3);
    MlcDataset d;
    char err[1024];
    CHECK_TRUE(load(&d, "ann.csv", &m, err, sizeof err));
    CHECK_STR("", err);
    CHECK(4, d.n);
    CHECK_TRUE(d.x8 != NULL && d.x == NULL); /* kept as bytes */
    int bad = 0, far = 0;
    for (int c = 0; c < 3 && d.x8; c++)
        for (int p = 0; p < H * W; p++) {
            const uint8_t *s = d.x8 + c * H * W + p;
            bad += s[0] != rgb[p * 3 + c];   /* rgb.png */
            bad += s[24] != gray[p];         /* gray.png, copied to each channel */
            bad += s[48] != rgba[p * 4 + c]; /* rgba.png, alpha dropped */
            far += abs((int)s[72] - (int)flat[p * 3 + c]) > 4; /* flat.jpg, lossy */
        }
    CHECK(0, bad);
    CHECK(0, far);
    CHECK(2, d.y[0]);
    CHECK(0, d.y[1]);
    CHECK(1, d.y[2]);
    CHECK(2, d.y[3]);
    mlc_dataset_free(&d);

    /* no header; gray input: gray.png exact */
    m = model(1);
    CHECK_TRUE(load(&d, "plain.csv", &m, err, sizeof err));
    CHECK(2, d.n);
    bad = 0;
    for (int p = 0; p < H * W && d.x8; p++)
        bad += d.x8[8 + p] != gray[p];
    CHECK(0, bad);
    CHECK(1, d.y[0]);
    CHECK(2, d.y[1]);
    /* rgb.png for a gray input: PIL's convert("L"), (19595 R + 38470 G + 7471 B + 2^15) >> 16 */
    bad = 0;
    for (int p = 0; p < H * W && d.x8; p++)
        bad += d.x8[p] != (uint8_t)((rgb[3 * p] * 19595u + rgb[3 * p + 1] * 38470u +
                                     rgb[3 * p + 2] * 7471u + 0x8000u) >>
                                    16);
    CHECK(0, bad);
    mlc_dataset_free(&d);

    /* classes by name, when the model names them */
    static const char *const names[3] = {"top", "left", "diagonal"};
    m = model(3);
    m.class_names = names;
    CHECK_TRUE(load(&d, "named.csv", &m, err, sizeof err));
    CHECK(2, d.n);
    CHECK(2, d.n > 0 ? d.y[0] : -1);
    CHECK(0, d.n > 1 ? d.y[1] : -1);
    mlc_dataset_free(&d);
    write_text("badname.csv", "rgb.png,top\nrgb.png,circle\n");
    CHECK_TRUE(!load(&d, "badname.csv", &m, err, sizeof err));
    char want[512];
    snprintf(want, sizeof want, "%s/badname.csv:2: 'circle' is not a class number or name", dir);
    CHECK_STR(want, err);

    /* one_hot: the labels of an f32[3] target are classes 0..2 too */
    m = model(3);
    m.y_kind = MLC_TARGET_F32;
    m.y_size = 3;
    m.one_hot = 1;
    CHECK_TRUE(load(&d, "ann.csv", &m, err, sizeof err));
    CHECK_TRUE(d.y != NULL && d.yf == NULL);
    mlc_dataset_free(&d);

    /* errors, each naming the file */
    write_text("wide.csv", "rgb.png,0\nwide.png,1\n");
    check_error("wide.csv", 3, "wide.png",
                "5x2 pixels, the input is 4x2 (width x height); resize the images, or declare "
                "the input's size as theirs",
                2);
    write_text("missing.csv", "nothere.png,0\n");
    check_error("missing.csv", 3, "nothere.png", "cannot open: No such file or directory", 1);
    write_text("text.png", "not an image at all\n");
    write_text("foreign.csv", "text.png,0\n");
    check_error("foreign.csv", 3, "text.png", "not a PNG or JPEG file", 1);
    /* truncated files: the first 40 bytes of each */
    const char *whole[2] = {"rgb.png", "flat.jpg"}, *cut[2] = {"cut.png", "cut.jpg"};
    for (int i = 0; i < 2; i++) {
        unsigned char buf[40];
        FILE *f = fopen(FILE_IN(whole[i]), "rb");
        CHECK_TRUE(f && fread(buf, 1, sizeof buf, f) == sizeof buf);
        fclose(f);
        f = fopen(FILE_IN(cut[i]), "wb");
        fwrite(buf, 1, sizeof buf, f);
        fclose(f);
    }
    write_text("cut_png.csv", "cut.png,0\n");
    write_text("cut_jpg.csv", "cut.jpg,0\n");
    MlcDataset e;
    CHECK_TRUE(!load(&e, "cut_png.csv", &m, err, sizeof err));
    CHECK_TRUE(strstr(err, "/cut.png: not a readable PNG file: ") != NULL);
    CHECK_TRUE(!load(&e, "cut_jpg.csv", &m, err, sizeof err));
    CHECK_TRUE(strstr(err, "/cut.jpg: not a readable JPEG file: ") != NULL);
    /* a JPEG without its last 8 bytes: libjpeg only warns, and makes up the rest */
    {
        unsigned char buf[4096];
        FILE *f = fopen(FILE_IN("flat.jpg"), "rb");
        size_t len = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (f)
            fclose(f);
        CHECK_TRUE(len > 100 && len < sizeof buf);
        f = fopen(FILE_IN("short.jpg"), "wb");
        fwrite(buf, 1, len - 8, f);
        fclose(f);
    }
    write_text("short_jpg.csv", "short.jpg,0\n");
    check_error("short_jpg.csv", 3, "short.jpg",
                "not a readable JPEG file: it ends before its image does", 1);
    write_text("class.csv", "rgb.png,3\n");
    check_error("class.csv", 3, "class.csv:1", "class '3' is not one of 0..2", 0);
    write_text("width.csv", "rgb.png,1,2\n");
    check_error("width.csv", 3, "width.csv:1",
                "3 fields; each row is an image's file name and its class (2 fields)", 0);
    write_text("empty.csv", "file,label\n");
    check_error("empty.csv", 3, "empty.csv", "no images listed", 0);
    tmpdir_remove();
    return check_failures != 0;
}
