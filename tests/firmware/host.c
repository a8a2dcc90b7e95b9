/* host.c: the firmware target's code for models/fashion.model, run on the host.
 *
 *   host IMAGES OUTPUTS PREDICTIONS
 *
 * IMAGES is an uncompressed IDX image file (t10k-images-idx3-ubyte). Every image is scaled
 * as the trainer scales it (FASHION_INPUT_SCALE) and predicted with fashion_predict; the
 * outputs go to OUTPUTS as a safetensors file ("outputs", [n, 10], as the trainer's
 * --outputs writes them) and the predicted classes to PREDICTIONS, one per line.
 * fashion_predict_with, on a workspace of FASHION_WORKSPACE_BYTES, must give the same bits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fashion.h"

static int fail(const char *what, const char *path) {
    fprintf(stderr, "host: %s: %s\n", path, what);
    return 1;
}

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The safetensors file of one F32 tensor "outputs" [n, FASHION_OUTPUT_SIZE], little-endian
 * (as the host is). */
static int write_outputs(const char *path, const float *out, uint32_t n) {
    char header[160];
    int len =
        snprintf(header, sizeof header,
                 "{\"outputs\":{\"dtype\":\"F32\",\"shape\":[%lu,%d],\"data_offsets\":[0,%lu]}}",
                 (unsigned long)n, FASHION_OUTPUT_SIZE, (unsigned long)n * FASHION_OUTPUT_SIZE * 4);
    while (len % 8)
        header[len++] = ' ';
    unsigned char size[8] = {0};
    for (int i = 0; i < 8; i++)
        size[i] = (unsigned char)((uint64_t)len >> (8 * i));
    FILE *f = fopen(path, "wb");
    if (!f)
        return fail("cannot write", path);
    fwrite(size, 1, 8, f);
    fwrite(header, 1, (size_t)len, f);
    fwrite(out, sizeof(float), (size_t)n * FASHION_OUTPUT_SIZE, f);
    return fclose(f) == 0 ? 0 : fail("cannot write", path);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: host IMAGES OUTPUTS PREDICTIONS\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    unsigned char head[16];
    if (!f || fread(head, 1, 16, f) != 16 || be32(head) != 0x803)
        return fail("not an IDX image file", argv[1]);
    uint32_t n = be32(head + 4);
    if ((size_t)be32(head + 8) * be32(head + 12) != FASHION_INPUT_SIZE)
        return fail("images are not 28 x 28", argv[1]);
    unsigned char *pixels = malloc((size_t)n * FASHION_INPUT_SIZE);
    float *outputs = malloc((size_t)n * FASHION_OUTPUT_SIZE * sizeof(float));
    if (!pixels || !outputs)
        return fail("out of memory", argv[1]);
    if (fread(pixels, FASHION_INPUT_SIZE, n, f) != n)
        return fail("short file", argv[1]);
    fclose(f);
    FILE *pred = fopen(argv[3], "w");
    if (!pred)
        return fail("cannot write", argv[3]);
    static float workspace[FASHION_WORKSPACE_BYTES / sizeof(float)];
    for (uint32_t i = 0; i < n; i++) {
        float in[FASHION_INPUT_SIZE], again[FASHION_OUTPUT_SIZE];
        float *out = outputs + (size_t)i * FASHION_OUTPUT_SIZE;
        for (int k = 0; k < FASHION_INPUT_SIZE; k++)
            in[k] = (float)pixels[(size_t)i * FASHION_INPUT_SIZE + k] * FASHION_INPUT_SCALE;
        fashion_predict(in, out);
        fashion_predict_with(in, again, workspace);
        if (memcmp(out, again, sizeof again) != 0) {
            fprintf(stderr, "host: image %lu: fashion_predict_with differs from fashion_predict\n",
                    (unsigned long)i);
            return 1;
        }
        fprintf(pred, "%d\n", fashion_argmax(out));
    }
    if (fclose(pred) != 0)
        return fail("cannot write", argv[3]);
    printf("host: predicted %lu images\n", (unsigned long)n);
    return write_outputs(argv[2], outputs, n);
}
