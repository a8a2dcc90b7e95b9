/* fuzz.h: what the fuzz tests share: a seeded PRNG, a growable text buffer, reading a file.
 *
 * The PRNG is xorshift64* with a seed each test sets, so every run tests the same inputs.
 * A Buf keeps data[len] == '\0', as Ctx wants of its source.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static inline uint64_t rng_next(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

/* A number in [0, n), n > 0. */
static inline size_t rng_below(size_t n) {
    return (size_t)(rng_next() % n);
}

#define PICK(array) (array)[rng_below(sizeof(array) / sizeof((array)[0]))]

typedef struct Buf {
    char *data;
    size_t len;
    size_t cap;
} Buf;

static inline void buf_reserve(Buf *b, size_t extra) {
    if (b->data && b->len + extra + 1 <= b->cap)
        return;
    while (b->len + extra + 1 > b->cap)
        b->cap = b->cap ? 2 * b->cap : 256;
    b->data = realloc(b->data, b->cap);
    if (!b->data) {
        fprintf(stderr, "fuzz: out of memory\n");
        exit(1);
    }
}

/* Replaces the n bytes at `at` by the m bytes of s. */
static inline void buf_splice(Buf *b, size_t at, size_t n, const char *s, size_t m) {
    buf_reserve(b, m);
    memmove(b->data + at + m, b->data + at + n, b->len - at - n);
    memcpy(b->data + at, s, m);
    b->len = b->len - n + m;
    b->data[b->len] = '\0';
}

/* The whole file, NUL-terminated (it may hold NULs too); exits if it cannot be read. */
static inline char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz: cannot read '%s'\n", path);
        exit(1);
    }
    Buf b = {0};
    buf_reserve(&b, 0);
    b.data[0] = '\0';
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_splice(&b, b.len, 0, chunk, got);
    fclose(f);
    *len = b.len;
    return b.data;
}

#endif
