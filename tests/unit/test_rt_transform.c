/* test_rt_transform.c: the train block's transforms (runtime/transform.c) on small images.
 *
 * normalize: (x - mean[c]) / std[c] exactly, per channel or with one value, in training and
 * evaluation. random_crop(1): in training each output is the input shifted by one of the 9
 * offsets in -1..1 with zeros shifted in, every offset turns up over 400 steps, the same
 * seed gives the same crop and the samples of a batch are drawn apart; in evaluation
 * nothing moves. random_hflip: the input or its mirror, each about half the time. In the
 * list's order: a crop before normalize pads with (0 - mean) / std.
 */
#include "mlc_runtime.h"
#include "check.h"

#include <string.h>

enum {
    C = 2,
    H = 3,
    W = 4,
    SIZE = C * H * W
};

static MlcModel model(const MlcTransform *t, int n) {
    MlcModel m;
    memset(&m, 0, sizeof m);
    m.x_rank = 3;
    m.x_shape[0] = C;
    m.x_shape[1] = H;
    m.x_shape[2] = W;
    m.x_size = SIZE;
    m.transforms = t;
    m.ntransforms = n;
    return m;
}

static float input(int k) {
    return (float)(k + 1) * 0.5f;
}

/* in shifted by (dy, dx): out[c][y][x] = in[c][y + dy][x + dx], or fill outside. */
static void shifted(const float *in, int dy, int dx, float fill, float *out) {
    for (int c = 0; c < C; c++)
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                int sy = y + dy, sx = x + dx;
                bool inside = sy >= 0 && sy < H && sx >= 0 && sx < W;
                out[(c * H + y) * W + x] = inside ? in[(c * H + sy) * W + sx] : fill;
            }
}

/* Which of the 9 shifts of in is out (index (dy + 1) * 3 + dx + 1), or -1. */
static int which_shift(const float *in, const float *out, float fill) {
    float s[SIZE];
    for (int k = 0; k < 9; k++) {
        shifted(in, k / 3 - 1, k % 3 - 1, fill, s);
        if (memcmp(s, out, sizeof s) == 0)
            return k;
    }
    return -1;
}

int main(void) {
    float in[SIZE], x[2 * SIZE], scratch[SIZE];
    for (int k = 0; k < SIZE; k++)
        in[k] = input(k);

    /* normalize: exact, training or not */
    static const float mean[C] = {0.5f, -1.0f}, std[C] = {2.0f, 0.25f}, one[1] = {3.0f};
    MlcTransform norm[1] = {{.kind = MLC_NORMALIZE, .nchannels = C, .mean = mean, .std = std}};
    MlcModel m = model(norm, 1);
    for (int train = 0; train < 2; train++) {
        memcpy(x, in, sizeof in);
        mlc_transform_batch(&m, x, 1, 7, train, scratch);
        int bad = 0;
        for (int k = 0; k < SIZE; k++)
            bad += x[k] != (in[k] - mean[k / (H * W)]) / std[k / (H * W)];
        CHECK(0, bad);
    }
    MlcTransform norm1[1] = {{.kind = MLC_NORMALIZE, .nchannels = 1, .mean = one, .std = one}};
    m = model(norm1, 1);
    memcpy(x, in, sizeof in);
    mlc_transform_batch(&m, x, 1, 7, false, scratch);
    int bad = 0;
    for (int k = 0; k < SIZE; k++)
        bad += x[k] != (in[k] - 3.0f) / 3.0f;
    CHECK(0, bad);

    /* random_crop(1) */
    MlcTransform crop[1] = {{.kind = MLC_RANDOM_CROP, .padding = 1}};
    m = model(crop, 1);
    memcpy(x, in, sizeof in);
    mlc_transform_batch(&m, x, 1, 7, false, scratch);
    CHECK(0, memcmp(x, in, sizeof in)); /* not in evaluation */
    int seen[9] = {0}, apart = 0, unknown = 0;
    for (uint64_t seed = 0; seed < 400; seed++) {
        memcpy(x, in, sizeof in);
        memcpy(x + SIZE, in, sizeof in);
        mlc_transform_batch(&m, x, 2, seed, true, scratch);
        int k = which_shift(in, x, 0.0f), k2 = which_shift(in, x + SIZE, 0.0f);
        unknown += k < 0 || k2 < 0;
        if (k >= 0)
            seen[k]++;
        apart += k != k2;
        float again[SIZE];
        memcpy(again, in, sizeof in);
        mlc_transform_batch(&m, again, 1, seed, true, scratch);
        CHECK(0, memcmp(again, x, sizeof again)); /* the seed decides */
    }
    CHECK(0, unknown);
    for (int k = 0; k < 9; k++)
        CHECK_TRUE(seen[k] > 10);
    CHECK_TRUE(apart > 100);

    /* random_hflip */
    MlcTransform flip[1] = {{.kind = MLC_RANDOM_HFLIP}};
    m = model(flip, 1);
    float mirror[SIZE];
    for (int r = 0; r < C * H; r++)
        for (int c = 0; c < W; c++)
            mirror[r * W + c] = in[r * W + W - 1 - c];
    int flipped = 0, other = 0;
    for (uint64_t seed = 0; seed < 400; seed++) {
        memcpy(x, in, sizeof in);
        mlc_transform_batch(&m, x, 1, seed, true, scratch);
        flipped += memcmp(x, mirror, sizeof mirror) == 0;
        other += memcmp(x, in, sizeof in) != 0 && memcmp(x, mirror, sizeof mirror) != 0;
    }
    CHECK(0, other);
    CHECK_TRUE(flipped > 140 && flipped < 260);

    /* in order: the crop's zeros go through normalize */
    MlcTransform both[2] = {{.kind = MLC_RANDOM_CROP, .padding = 1}, norm[0]};
    m = model(both, 2);
    int checked = 0;
    for (uint64_t seed = 0; seed < 50; seed++) {
        float raw[SIZE], want[SIZE];
        memcpy(raw, in, sizeof in);
        MlcModel c1 = model(crop, 1);
        mlc_transform_batch(&c1, raw, 1, seed, true, scratch);
        for (int k = 0; k < SIZE; k++)
            want[k] = (raw[k] - mean[k / (H * W)]) / std[k / (H * W)];
        memcpy(x, in, sizeof in);
        mlc_transform_batch(&m, x, 1, seed, true, scratch);
        CHECK(0, memcmp(x, want, sizeof want));
        checked++;
    }
    CHECK(50, checked);
    return check_failures != 0;
}
