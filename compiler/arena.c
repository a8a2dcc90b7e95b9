/* arena.c: the memory of one compilation.
 *
 * Everything a compilation allocates (the Ctx, AST and IR nodes, strings, vectors) comes from
 * one Arena: a list of large zeroed blocks carved up in order. Nothing is freed singly;
 * arena_free() releases it all at once, so passes never track ownership. Allocations are
 * 16-byte aligned, which is enough for any C type on the platforms we build for.
 *
 * The Interner maps byte strings to one canonical copy, so names compare equal by pointer.
 * Running out of memory is not a compiler bug: it prints a message and exits with status 1.
 */
#include "mlc.h"

enum {
    ARENA_ALIGN = 16,        /* alignment of every allocation */
    ARENA_BLOCK = 64 * 1024, /* usual block size; bigger requests get a block of their own */
};

struct ArenaBlock {
    ArenaBlock *next; /* older block */
    size_t cap;       /* bytes in data */
    size_t used;      /* bytes handed out, a multiple of ARENA_ALIGN */
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

_Noreturn void mlc_internal_error(const char *file, int line, const char *what) {
    /* __FILE__ may be an absolute path; the file name is what a bug report needs. */
    const char *base = strrchr(file, '/');
    fprintf(stderr, "mlc: internal error at %s:%d: %s\n", base ? base + 1 : file, line, what);
    fflush(stderr);
    abort();
}

static _Noreturn void out_of_memory(void) {
    fprintf(stderr, "mlc: out of memory\n");
    exit(1);
}

Arena *arena_new(void) {
    Arena *a = calloc(1, sizeof(Arena));
    if (!a)
        out_of_memory();
    return a;
}

void *arena_alloc(Arena *a, size_t size) {
    if (size > SIZE_MAX / 2)
        out_of_memory();
    /* Round up so that the next allocation stays aligned; a zero-size request still gets a
     * distinct pointer. */
    size = (size + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
    if (size == 0)
        size = ARENA_ALIGN;
    ArenaBlock *b = a->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
        b = calloc(1, sizeof(ArenaBlock) + cap); /* calloc: the memory we hand out is zeroed */
        if (!b)
            out_of_memory();
        b->cap = cap;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += size;
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
    char *p = arena_alloc(a, n + 1); /* zeroed, so already terminated */
    memcpy(p, s, n);
    return p;
}

char *arena_strdup(Arena *a, const char *s) {
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(Arena *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    MLC_ASSERT(n >= 0);
    char *p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void arena_free(Arena *a) {
    if (!a)
        return;
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

/* ---- string interning: open addressing with linear probing, kept at most 3/4 full ---- */

typedef struct InternEntry {
    const char *str; /* NULL: empty slot */
    size_t len;
    uint32_t hash;
} InternEntry;

struct Interner {
    Arena *arena;
    InternEntry *slots;
    size_t cap; /* a power of two */
    size_t count;
};

/* FNV-1a: simple, and good enough for identifiers. */
static uint32_t hash_bytes(const char *s, size_t len) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

Interner *intern_new(Arena *a) {
    Interner *in = NEW(a, Interner);
    in->arena = a;
    in->cap = 256;
    in->slots = arena_alloc(a, in->cap * sizeof(InternEntry));
    return in;
}

/* Doubles the table; the old slots stay in the arena unused. */
static void intern_grow(Interner *in) {
    size_t cap = in->cap * 2;
    InternEntry *slots = arena_alloc(in->arena, cap * sizeof(InternEntry));
    for (size_t i = 0; i < in->cap; i++) {
        InternEntry e = in->slots[i];
        if (!e.str)
            continue;
        size_t j = e.hash & (cap - 1);
        while (slots[j].str)
            j = (j + 1) & (cap - 1);
        slots[j] = e;
    }
    in->slots = slots;
    in->cap = cap;
}

const char *intern(Interner *in, const char *s, size_t len) {
    if (4 * (in->count + 1) > 3 * in->cap)
        intern_grow(in);
    uint32_t h = hash_bytes(s, len);
    size_t i = h & (in->cap - 1);
    while (in->slots[i].str) {
        InternEntry *e = &in->slots[i];
        if (e->hash == h && e->len == len && memcmp(e->str, s, len) == 0)
            return e->str;
        i = (i + 1) & (in->cap - 1);
    }
    in->slots[i] = (InternEntry){arena_strndup(in->arena, s, len), len, h};
    in->count++;
    return in->slots[i].str;
}

/* ---- vectors ---- */

void vec_push(Arena *a, PtrVec *v, void *p) {
    if (v->len == v->cap) {
        if (v->cap > INT32_MAX / 4)
            out_of_memory();
        int cap = v->cap ? v->cap * 2 : 8;
        void **data = arena_alloc(a, (size_t)cap * sizeof(void *));
        if (v->len)
            memcpy(data, v->data, (size_t)v->len * sizeof(void *));
        v->data = data;
        v->cap = cap;
    }
    v->data[v->len++] = p;
}
