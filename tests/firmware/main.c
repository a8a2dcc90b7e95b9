/* main.c: the firmware target's code for models/fashion.model on a Cortex-M4F (QEMU's
 * mps2-an386), with newlib's semihosting printf and exit.
 *
 * Predicts the NIMAGES test images that images.S builds in (raw 28 x 28 bytes, scaled as
 * the trainer scales them), printing one class per line, then "instructions per inference:"
 * from the SysTick timer over one more prediction. Under `qemu-system-arm -icount shift=0`
 * every instruction takes 1 ns of virtual time and the SysTick counts the 25 MHz system
 * clock, so each tick is 40 instructions.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fashion.h"

extern const unsigned char test_images[];
extern const unsigned char test_images_end[];

/* SysTick: control, reload, current value (ARMv7-M). */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static void scale(const unsigned char *pixels, float *in) {
    for (int k = 0; k < FASHION_INPUT_SIZE; k++)
        in[k] = (float)pixels[k] * FASHION_INPUT_SCALE;
}

int main(void) {
    static float in[FASHION_INPUT_SIZE], out[FASHION_OUTPUT_SIZE];
    long n = (long)(test_images_end - test_images) / FASHION_INPUT_SIZE;
    for (long i = 0; i < n; i++) {
        scale(test_images + i * FASHION_INPUT_SIZE, in);
        fashion_predict(in, out);
        printf("%d\n", fashion_argmax(out));
    }
    /* one more, timed: the counter counts down from the reload value */
    scale(test_images, in);
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 5; /* enabled, the processor clock, no interrupt */
    uint32_t start = SYST_CVR;
    fashion_predict(in, out);
    uint32_t end = SYST_CVR;
    SYST_CSR = 0;
    printf("instructions per inference: %lu\n", (unsigned long)((start - end) & 0xFFFFFFu) * 40ul);
    exit(0);
}
