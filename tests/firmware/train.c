/* train.c: the firmware target's training step (--train) for tests/firmware/train.model,
 * the same source on the host and on a Cortex-M4F (QEMU's mps2-an386).
 *
 * Takes NSTEPS training samples (train_data.S builds in their raw 28 x 28 pixels and their
 * labels), scales each as the trainer does and runs tiny_train_step on it with learning rate
 * LR, in order. Then prints every parameter's values as the hex of their bits, one per line,
 * so the host's and the Cortex-M4F's runs compare bit for bit, and the sum of the losses.
 * Built with -DSAVE_TO=\"FILE\" (on the host), it also writes the parameters to FILE as
 * safetensors under their state_dict names, to hold them against the trainer's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tiny.h"

#define NSTEPS 100
#define LR     0.01f

extern const unsigned char train_images[];
extern const unsigned char train_labels[];

#ifdef SAVE_TO
/* The parameters as one safetensors file (F32, little-endian as the host is). */
static int save(const char *path) {
    char header[4096];
    int len = snprintf(header, sizeof header, "{");
    unsigned long at = 0;
    for (int p = 0; p < TINY_NUM_PARAMS; p++) {
        unsigned long size = (unsigned long)tiny_param_sizes[p];
        len +=
            snprintf(header + len, sizeof header - (size_t)len,
                     "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[", p ? "," : "", tiny_param_names[p]);
        for (int i = 0; i < 4 && tiny_param_shapes[p][i]; i++)
            len += snprintf(header + len, sizeof header - (size_t)len, "%s%ld", i ? "," : "",
                            (long)tiny_param_shapes[p][i]);
        len += snprintf(header + len, sizeof header - (size_t)len, "],\"data_offsets\":[%lu,%lu]}",
                        at, at + 4 * size);
        at += 4 * size;
    }
    len += snprintf(header + len, sizeof header - (size_t)len, "}");
    while (len % 8)
        header[len++] = ' ';
    unsigned char size[8] = {0};
    for (int i = 0; i < 8; i++)
        size[i] = (unsigned char)((uint64_t)len >> (8 * i));
    FILE *f = fopen(path, "wb");
    if (!f)
        return 1;
    fwrite(size, 1, 8, f);
    fwrite(header, 1, (size_t)len, f);
    for (int p = 0; p < TINY_NUM_PARAMS; p++)
        fwrite(tiny_params[p], sizeof(float), (size_t)tiny_param_sizes[p], f);
    return fclose(f) != 0;
}
#endif

int main(void) {
    static float in[TINY_INPUT_SIZE];
    double total = 0.0;
    for (int s = 0; s < NSTEPS; s++) {
        for (int k = 0; k < TINY_INPUT_SIZE; k++)
            in[k] = (float)train_images[s * TINY_INPUT_SIZE + k] * TINY_INPUT_SCALE;
        total += (double)tiny_train_step(in, train_labels[s], LR);
    }
    for (int p = 0; p < TINY_NUM_PARAMS; p++)
        for (int32_t i = 0; i < tiny_param_sizes[p]; i++) {
            uint32_t bits;
            memcpy(&bits, &tiny_params[p][i], sizeof bits);
            printf("%08lx\n", (unsigned long)bits);
        }
    printf("mean loss over %d steps: %.6f\n", NSTEPS, total / NSTEPS);
#ifdef SAVE_TO
    if (save(SAVE_TO)) {
        fprintf(stderr, "train: cannot write %s\n", SAVE_TO);
        return 1;
    }
#endif
    return 0;
}
