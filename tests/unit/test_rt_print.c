/* test_rt_print.c: mlc_print_tensor against what PyTorch's print(t) writes.
 *
 * ../fixtures/torch_print.txt was written by make_safetensors_fixture.py; each case here
 * rebuilds the same tensor with the same float32 arithmetic and must print it byte for byte.
 */
#define _POSIX_C_SOURCE 200809L
#include "mlc_runtime.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

/* The integer pattern of the Python script: in [-50, 50]. */
static float v(int64_t i) {
    return (float)((i * 37) % 101 - 50);
}

typedef enum Kind {
    K_INTS,     /* v(i) */
    K_SEVENTHS, /* v(i) / 7 */
    K_TINY,     /* v(i) / 7 * 1e-5 */
    K_LARGE,    /* v(i) * 1e7 */
    K_LIST,     /* the values given */
} Kind;

typedef struct Case {
    const char *name;
    Kind kind;
    int rank;
    int64_t shape[MLC_MAX_RANK];
    float list[4];
} Case;

/* The text of one "## name" block of the fixture, or NULL. */
static char *expected(const char *fixture, const char *name) {
    char head[64];
    snprintf(head, sizeof head, "## %s\n", name);
    const char *p = strstr(fixture, head);
    if (!p)
        return NULL;
    p += strlen(head);
    const char *end = strstr(p, "## ");
    size_t n = end ? (size_t)(end - p) : strlen(p);
    char *s = malloc(n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = calloc(1, 1 << 16);
    size_t n = fread(s, 1, (1 << 16) - 1, f);
    s[n] = '\0';
    fclose(f);
    return s;
}

int main(void) {
    static const Case cases[] = {
        {"matrix", K_SEVENTHS, 2, {5, 3}, {0}},
        {"vector_wrap", K_SEVENTHS, 1, {30}, {0}},
        {"small_sci", K_TINY, 1, {4}, {0}},
        {"ints", K_INTS, 2, {2, 3}, {0}},
        {"ints_sci", K_LIST, 1, {3}, {1.0f, 2000.0f, 3.0f}},
        {"summarized_2d", K_SEVENTHS, 2, {40, 40}, {0}},
        {"summarized_1d", K_SEVENTHS, 1, {2000}, {0}},
        {"scalar", K_LIST, 0, {0}, {0.3313f}},
        {"zeros", K_LIST, 1, {3}, {0.0f, 0.0f, 0.0f}},
        {"rank3", K_SEVENTHS, 3, {2, 2, 3}, {0}},
        {"nonfinite", K_LIST, 1, {4}, {1.5f, NAN, INFINITY, -2.25f}},
        {"large", K_LARGE, 1, {3}, {0}},
    };
    char *fixture = read_file("../fixtures/torch_print.txt");
    CHECK_TRUE(fixture != NULL);
    if (!fixture)
        return 1;

    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const Case *k = &cases[c];
        int64_t n = 1;
        for (int d = 0; d < k->rank; d++)
            n *= k->shape[d];
        float *x = malloc((size_t)n * sizeof(float));
        for (int64_t i = 0; i < n; i++) {
            switch (k->kind) {
            case K_INTS: x[i] = v(i); break;
            case K_SEVENTHS: x[i] = v(i) / 7.0f; break;
            case K_TINY: x[i] = v(i) / 7.0f * 1e-5f; break;
            case K_LARGE: x[i] = v(i) * 1e7f; break;
            case K_LIST: x[i] = k->list[i]; break;
            }
        }
        char *got = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&got, &len);
        mlc_print_tensor(f, x, k->rank, k->shape);
        fclose(f);
        char *want = expected(fixture, k->name);
        CHECK_TRUE(want != NULL);
        if (want)
            CHECK_STR(want, got);
        free(want);
        free(got);
        free(x);
    }
    free(fixture);
    return check_failures != 0;
}
