/* train.c: the firmware target's training step (--train) for the models of train.sh (each
 * called tiny), the same source on the host and on a Cortex-M4F (QEMU's mps2-an386).
 *
 * Takes NSTEPS training samples (train_data.S builds in their raw 28 x 28 pixels and their
 * labels), scales each as the trainer does and runs tiny_train_step on it with learning rate
 * LR, in order. Then prints every parameter's values (and the running statistics', if the
 * model has any) as the hex of their bits, one per line, so the host's and the Cortex-M4F's
 * runs compare bit for bit, and the mean of the losses. Built with -DSAVE_TO=\"FILE\" (on
 * the host), it also writes them to FILE as safetensors under their state_dict names, to hold
 * them against the trainer's. NSTEPS and LR may be given with -D.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tiny.h"

#ifndef NSTEPS
#define NSTEPS 100
#endif
#ifndef LR
#define LR 0.01f
#endif

extern const unsigned char train_images[];
extern const unsigned char train_labels[];

#ifdef TINY_NUM_STATES
#define NTENSORS (TINY_NUM_PARAMS + TINY_NUM_STATES)
#else
#define NTENSORS TINY_NUM_PARAMS
#endif

/* Tensor i: the parameters, then the running statistics (batch norm's), if any. */
static float *values(int i) {
#ifdef TINY_NUM_STATES
    if (i >= TINY_NUM_PARAMS)
        return tiny_states[i - TINY_NUM_PARAMS];
#endif
    return tiny_params[i];
}
static int32_t size_of(int i) {
#ifdef TINY_NUM_STATES
    if (i >= TINY_NUM_PARAMS)
        return tiny_state_sizes[i - TINY_NUM_PARAMS];
#endif
    return tiny_param_sizes[i];
}

#ifdef SAVE_TO
static const int32_t *shape_of(int i) {
#ifdef TINY_NUM_STATES
    if (i >= TINY_NUM_PARAMS)
        return tiny_state_shapes[i - TINY_NUM_PARAMS];
#endif
    return tiny_param_shapes[i];
}
static const char *name_of(int i) {
#ifdef TINY_NUM_STATES
    if (i >= TINY_NUM_PARAMS)
        return tiny_state_names[i - TINY_NUM_PARAMS];
#endif
    return tiny_param_names[i];
}

/* Every tensor as one safetensors file (F32, little-endian as the host is). */
static int save(const char *path) {
    char header[8192];
    int len = snprintf(header, sizeof header, "{");
    unsigned long at = 0;
    for (int t = 0; t < NTENSORS; t++) {
        unsigned long size = (unsigned long)size_of(t);
        len += snprintf(header + len, sizeof header - (size_t)len,
                        "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[", t ? "," : "", name_of(t));
        for (int i = 0; i < 4 && shape_of(t)[i]; i++)
            len += snprintf(header + len, sizeof header - (size_t)len, "%s%ld", i ? "," : "",
                            (long)shape_of(t)[i]);
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
    for (int t = 0; t < NTENSORS; t++)
        fwrite(values(t), sizeof(float), (size_t)size_of(t), f);
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
    for (int t = 0; t < NTENSORS; t++)
        for (int32_t i = 0; i < size_of(t); i++) {
            uint32_t bits;
            memcpy(&bits, &values(t)[i], sizeof bits);
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
