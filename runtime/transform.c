/* transform.c: the train block's transforms (torchvision's Normalize, RandomCrop with
 * padding, RandomHorizontalFlip) on a batch of inputs, as train.c's gather() runs them.
 *
 * They run in the model's order on each sample. The random ones draw from PCG32 seeded with
 * the training step's seed (stream MLC_RNG_STREAM_AUGMENT), sample by sample: random_crop
 * the window's top, then its left, each uniform in 0..2 padding (torchvision's order);
 * random_hflip one draw of 0 or 1 (1: mirror). A step's draws depend only on --seed and the
 * step, so a resumed run draws what the whole run would have. An input that is not an
 * image is one channel of x_size values (normalize only; the compiler allows nothing else).
 */
#include "mlc_runtime.h"

#include <string.h>

void mlc_transform_batch(const MlcModel *m, float *x, int64_t n, uint64_t seed, bool train,
                         float *scratch) {
    int64_t c = m->x_rank == 3 ? m->x_shape[0] : 1;
    int64_t h = m->x_rank == 3 ? m->x_shape[1] : m->x_rank == 2 ? m->x_shape[0] : 1;
    int64_t w = (int64_t)m->x_size / (c * h), plane = h * w;
    MlcRng rng;
    mlc_rng_seed_stream(&rng, seed, MLC_RNG_STREAM_AUGMENT);
    for (int64_t i = 0; i < n; i++) {
        float *v = x + (size_t)i * m->x_size;
        for (int t = 0; t < m->ntransforms; t++) {
            const MlcTransform *tf = &m->transforms[t];
            switch (tf->kind) {
            case MLC_NORMALIZE:
                for (int64_t ch = 0; ch < c; ch++) {
                    int k = tf->nchannels == 1 ? 0 : (int)ch;
                    for (int64_t p = 0; p < plane; p++)
                        v[ch * plane + p] = (v[ch * plane + p] - tf->mean[k]) / tf->std[k];
                }
                break;
            case MLC_RANDOM_CROP: {
                if (!train)
                    break;
                /* the top, then the left of the window in the padded image, as torchvision */
                int64_t pad = tf->padding, span = 2 * pad + 1;
                int64_t top = mlc_rng_below(&rng, (uint32_t)span);
                int64_t left = mlc_rng_below(&rng, (uint32_t)span);
                memcpy(scratch, v, m->x_size * sizeof(float));
                for (int64_t ch = 0; ch < c; ch++)
                    for (int64_t y = 0; y < h; y++)
                        for (int64_t xx = 0; xx < w; xx++) {
                            int64_t sy = y + top - pad, sx = xx + left - pad;
                            bool in = sy >= 0 && sy < h && sx >= 0 && sx < w;
                            v[ch * plane + y * w + xx] =
                                in ? scratch[ch * plane + sy * w + sx] : 0.0f;
                        }
                break;
            }
            case MLC_RANDOM_HFLIP:
                if (!train || mlc_rng_below(&rng, 2) == 0)
                    break;
                for (int64_t row = 0; row < c * h; row++)
                    for (int64_t a = 0, b = w - 1; a < b; a++, b--) {
                        float t0 = v[row * w + a];
                        v[row * w + a] = v[row * w + b];
                        v[row * w + b] = t0;
                    }
                break;
            }
        }
    }
}
