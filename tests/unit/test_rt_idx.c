/* test_rt_idx.c: reading IDX files, plain and gzip, and every way they can be wrong.
 *
 * The test writes small files into a fresh temporary directory and checks the values read
 * and, for each malformed file, the exact message.
 */
#define _POSIX_C_SOURCE 200809L
#include "mlc_runtime.h"
#include "check.h"
#include "tmpdir.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static void put_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Writes len raw bytes to dir/name, gzip-compressed if the name ends in .gz. Returns the
 * path (static storage, one of three slots, overwritten by the next call with that slot). */
static const char *write_bytes(int slot, const char *name, const unsigned char *b, size_t len) {
    static char paths[3][256];
    char *path = paths[slot];
    snprintf(path, sizeof paths[slot], "%s/%s", dir, name);
    size_t n = strlen(name);
    if (n > 3 && strcmp(name + n - 3, ".gz") == 0) {
        gzFile f = gzopen(path, "wb");
        CHECK_TRUE(f != NULL);
        if (len)
            CHECK((long long)len, gzwrite(f, b, (unsigned)len));
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        CHECK_TRUE(f != NULL);
        CHECK((long long)len, fwrite(b, 1, len, f));
        fclose(f);
    }
    return path;
}

/* An IDX file: magic, the sizes, then `extra` bytes more or fewer than the sizes say
 * (the values are i * 7 mod 256, or the labels given). */
static const char *write_idx(int slot, const char *name, uint32_t magic, int ndim,
                             const uint32_t *dims, const unsigned char *values, long extra) {
    size_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= dims[i];
    size_t len = 4 + 4 * (size_t)ndim + n + (size_t)extra;
    unsigned char *b = calloc(len + 1, 1);
    put_be32(b, magic);
    for (int i = 0; i < ndim; i++)
        put_be32(b + 4 + 4 * i, dims[i]);
    for (size_t i = 0; 4 + 4 * (size_t)ndim + i < len; i++)
        b[4 + 4 * ndim + i] = values && i < n ? values[i] : (unsigned char)(i * 7);
    const char *p = write_bytes(slot, name, b, len);
    free(b);
    return p;
}

static const uint32_t img_dims[3] = {3, 2, 2};
static const uint32_t lbl_dims[1] = {3};
static const unsigned char labels[3] = {2, 0, 1};

/* Reading images and labels written plain or compressed gives the same data. */
static void test_good(const char *img_name, const char *lbl_name) {
    const char *img = write_idx(0, img_name, 0x803, 3, img_dims, NULL, 0);
    const char *lbl = write_idx(1, lbl_name, 0x801, 1, lbl_dims, labels, 0);
    MlcDataset d;
    char err[512] = "";
    CHECK_TRUE(mlc_idx_read(&d, img, lbl, 4, 0.5f, 3, err, sizeof err));
    CHECK_STR("", err);
    CHECK(3, d.n);
    CHECK(4, d.x_size);
    for (int i = 0; i < 12; i++)
        CHECK_TRUE(d.x[i] == (float)((i * 7) % 256) * 0.5f);
    for (int i = 0; i < 3; i++)
        CHECK(labels[i], d.y[i]);
    mlc_dataset_free(&d);
    CHECK_TRUE(d.x == NULL && d.y == NULL);
}

/* A malformed pair must fail with exactly this message. */
static void expect_error(const char *img, const char *lbl, size_t x_size, int64_t nclass,
                         const char *fmt, const char *arg1, const char *arg2) {
    char want[1024], err[1024] = "";
    snprintf(want, sizeof want, fmt, arg1, arg2);
    MlcDataset d;
    CHECK_TRUE(!mlc_idx_read(&d, img, lbl, x_size, 1.0f, nclass, err, sizeof err));
    CHECK_STR(want, err);
    CHECK_TRUE(d.x == NULL && d.y == NULL && d.n == 0);
}

static void test_errors(void) {
    const char *lbl = write_idx(1, "lbl", 0x801, 1, lbl_dims, labels, 0);
    const char *img;

    img = write_idx(0, "img", 0x801, 3, img_dims, NULL, 0);
    expect_error(img, lbl, 4, 3,
                 "%s: bad magic 0x00000801, expected 0x00000803 (an IDX image file)", img, NULL);
    img = write_idx(0, "img", 0x803, 3, img_dims, NULL, 0);
    const char *bad = write_idx(2, "lbl_bad", 0x803, 1, lbl_dims, labels, 0);
    expect_error(img, bad, 4, 3,
                 "%s: bad magic 0x00000803, expected 0x00000801 (an IDX label file)", bad, NULL);

    img = write_bytes(0, "img", (const unsigned char *)"\0\0", 2);
    expect_error(img, lbl, 4, 3, "%s: truncated: 2 bytes, too short for an IDX header", img, NULL);
    img = write_bytes(0, "img", (const unsigned char *)"\0\0\x08\x03\0\0\0\x03", 8);
    expect_error(img, lbl, 4, 3, "%s: truncated: 8 bytes, the IDX header needs 16", img, NULL);
    img = write_idx(0, "img", 0x803, 3, img_dims, NULL, -2);
    expect_error(img, lbl, 4, 3, "%s: truncated: 10 bytes of image data, the header says 12", img,
                 NULL);
    img = write_idx(0, "img.gz", 0x803, 3, img_dims, NULL, -1);
    expect_error(img, lbl, 4, 3, "%s: truncated: 11 bytes of image data, the header says 12", img,
                 NULL);
    img = write_idx(0, "img", 0x803, 3, img_dims, NULL, 1);
    expect_error(img, lbl, 4, 3, "%s: longer than its header says (12 bytes of image data)", img,
                 NULL);

    /* A header that claims 2^32 - 1 images of 64K pixels: no huge allocation, just "short". */
    static const uint32_t huge[3] = {0xffffffffu, 256, 256};
    unsigned char hb[16];
    put_be32(hb, 0x803);
    for (int i = 0; i < 3; i++)
        put_be32(hb + 4 + 4 * i, huge[i]);
    img = write_bytes(0, "img", hb, 16);
    expect_error(img, lbl, 65536, 3,
                 "%s: truncated: 0 bytes of image data, the header says 281474976645120", img,
                 NULL);

    static const uint32_t none[3] = {0, 2, 2};
    img = write_idx(0, "img", 0x803, 3, none, NULL, 0);
    expect_error(img, lbl, 4, 3, "%s: contains no images", img, NULL);

    img = write_idx(0, "img", 0x803, 3, img_dims, NULL, 0);
    expect_error(img, lbl, 5, 3, "%s: images are 2x2 = 4 values, the model's input has 5", img,
                 NULL);

    static const uint32_t two[1] = {2};
    bad = write_idx(2, "lbl_bad", 0x801, 1, two, labels, 0);
    expect_error(img, bad, 4, 3, "%s: 2 labels, but %s has 3 images", bad, img);

    static const unsigned char big[3] = {2, 7, 1};
    bad = write_idx(2, "lbl_bad", 0x801, 1, lbl_dims, big, 0);
    expect_error(img, bad, 4, 3, "%s: label 7 of item 1 is out of range for 3 classes", bad, NULL);

    char missing[256];
    snprintf(missing, sizeof missing, "%s/none", dir);
    expect_error(missing, lbl, 4, 3, "%s: cannot open: No such file or directory", missing, NULL);

    /* A gzip stream cut short: zlib's own reason. */
    unsigned char raw[64];
    put_be32(raw, 0x803);
    for (int i = 0; i < 3; i++)
        put_be32(raw + 4 + 4 * i, img_dims[i]);
    memset(raw + 16, 0x55, 12);
    img = write_bytes(0, "cut.gz", raw, 28);
    FILE *f = fopen(img, "rb");
    unsigned char gz[256];
    size_t gzlen = fread(gz, 1, sizeof gz, f);
    fclose(f);
    img = write_bytes(0, "cut2", gz, gzlen - 10);
    expect_error(img, lbl, 4, 3, "%s: read error: unexpected end of file", img, NULL);
}

/* Images with channels (0x804, [count, channels, rows, cols]) load through the loader for
 * an input [channels, rows, cols], and not for one of the same size in another shape. */
static void test_channels(void) {
    static const uint32_t dims4[4] = {3, 2, 1, 2};
    write_idx(0, "train-images-idx4-ubyte", 0x804, 4, dims4, NULL, 0);
    write_idx(1, "train-labels-idx1-ubyte", 0x801, 1, lbl_dims, labels, 0);
    MlcModel m = {.name = "rgb",
                  .x_name = "image",
                  .x_rank = 3,
                  .x_shape = {2, 1, 2},
                  .x_size = 4,
                  .y_kind = MLC_TARGET_CLASS,
                  .nclass = 3,
                  .scale = 1.0f};
    MlcSource src = {.split = "train", .path = dir};
    MlcDataset d;
    char err[512] = "";
    CHECK_TRUE(mlc_loader_idx.load(&d, &src, &m, err, sizeof err));
    CHECK_STR("", err);
    CHECK(3, d.n);
    mlc_dataset_free(&d);
    m.x_rank = 3, m.x_shape[0] = 1, m.x_shape[1] = 2, m.x_shape[2] = 2; /* [1, 2, 2]: no */
    CHECK_TRUE(!mlc_loader_idx.load(&d, &src, &m, err, sizeof err));
    char want[512];
    snprintf(want, sizeof want,
             "%s/train-images-idx4-ubyte: images are 2x1x2 (channels x rows x cols), the "
             "model's input 'image' is f32[1, 2, 2]",
             dir);
    CHECK_STR(want, err);
}

int main(void) {
    if (!tmpdir_make("mlc_test_idx"))
        return 1;
    test_channels();
    test_good("img", "lbl");
    test_good("img.gz", "lbl.gz");
    test_errors();
    tmpdir_remove();
    return check_failures != 0;
}
