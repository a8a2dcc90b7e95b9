/* firmware_bench.c: the firmware target's code for models/fashion.model, timed at batch 1.
 *
 *   firmware_bench IMAGES WEIGHT_BYTES PREDICTIONS
 *
 * IMAGES is an uncompressed IDX image file. Predicts its first 1000 images (scaled with
 * FASHION_INPUT_SCALE) one at a time with fashion_predict, in 30 rounds after a warm-up
 * round, and prints the best and the median microseconds per inference over the rounds;
 * writes the predicted classes to PREDICTIONS, one per line.
 * Then, for scale, the time to read WEIGHT_BYTES once (the weights stream through the
 * caches on every inference): a sum into four arrays of 16 separate partial sums, which the
 * compiler vectorises without reordering any of them into four independent vector sums, so
 * that the loads, not the latency of one chain of additions, set the pace.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fashion.h"

enum {
    NIMAGES = 1000,
    ROUNDS = 30
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: firmware_bench IMAGES WEIGHT_BYTES PREDICTIONS\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    static unsigned char pixels[NIMAGES][FASHION_INPUT_SIZE];
    static float in[NIMAGES][FASHION_INPUT_SIZE];
    if (!f || fseek(f, 16, SEEK_SET) != 0 || fread(pixels, sizeof pixels, 1, f) != 1) {
        fprintf(stderr, "firmware_bench: %s: cannot read %d images\n", argv[1], NIMAGES);
        return 1;
    }
    fclose(f);
    for (int i = 0; i < NIMAGES; i++)
        for (int k = 0; k < FASHION_INPUT_SIZE; k++)
            in[i][k] = (float)pixels[i][k] * FASHION_INPUT_SCALE;

    float out[FASHION_OUTPUT_SIZE];
    long votes = 0; /* keeps the predictions alive */
    double us[ROUNDS];
    for (int r = -1; r < ROUNDS; r++) {
        double t0 = now();
        for (int i = 0; i < NIMAGES; i++) {
            fashion_predict(in[i], out);
            votes += fashion_argmax(out);
        }
        if (r >= 0)
            us[r] = (now() - t0) / NIMAGES * 1e6;
    }
    qsort(us, ROUNDS, sizeof us[0], by_value);
    FILE *pred = fopen(argv[3], "w");
    if (!pred) {
        fprintf(stderr, "firmware_bench: cannot write %s\n", argv[3]);
        return 1;
    }
    for (int i = 0; i < NIMAGES; i++) {
        fashion_predict(in[i], out);
        fprintf(pred, "%d\n", fashion_argmax(out));
    }
    fclose(pred);
    printf("us_best %.2f\nus_median %.2f\n", us[0], us[ROUNDS / 2]);

    size_t n = (size_t)strtoull(argv[2], NULL, 10) / sizeof(float) / 64 * 64;
    float *w = malloc(n * sizeof(float) + 1);
    if (!w)
        return 1;
    for (size_t i = 0; i < n; i++)
        w[i] = (float)(i % 7);
    double best = 1e30;
    float acc0[16] = {0}, acc1[16] = {0}, acc2[16] = {0}, acc3[16] = {0};
    for (int r = 0; r < 200; r++) {
        double t0 = now();
        for (size_t i = 0; i < n; i += 64) {
            for (int j = 0; j < 16; j++)
                acc0[j] += w[i + j];
            for (int j = 0; j < 16; j++)
                acc1[j] += w[i + 16 + j];
            for (int j = 0; j < 16; j++)
                acc2[j] += w[i + 32 + j];
            for (int j = 0; j < 16; j++)
                acc3[j] += w[i + 48 + j];
        }
        double t = (now() - t0) * 1e6;
        best = t < best ? t : best;
    }
    float total = 0.0f;
    for (int j = 0; j < 16; j++)
        total += acc0[j] + acc1[j] + acc2[j] + acc3[j];
    printf("us_read_weights %.2f\n", best);
    fprintf(stderr, "(checksums %ld %g)\n", votes, (double)total);
    free(w);
    return 0;
}
