/* safetensors.c: weight files in Hugging Face's safetensors format, F32 only.
 *
 * Layout: an 8-byte little-endian header length H, H bytes of JSON, then the data.
 *   {"__metadata__": {"format": "pt"},
 *    "linear.weight": {"dtype": "F32", "shape": [3, 4], "data_offsets": [0, 48]}, ...}
 * data_offsets are byte offsets into the data that follows the header. We write the header
 * padded with spaces to a multiple of 8 bytes and the tensors in the model's order, back to
 * back, little-endian.
 *
 * Reading is as strict as the reference implementation (safetensors' Rust crate, which
 * PyTorch users load with): the header must be one JSON object; every tensor needs a known
 * dtype, a shape of non-negative integers and data_offsets [begin, end] with end - begin equal
 * to the shape's byte size; sorted by begin, the tensors must tile the data exactly, from 0 to
 * the end of the file (no gaps, no overlaps, nothing after). Then every parameter of the model
 * must be present as F32 with exactly its shape. Tensors the model lacks are skipped with a
 * warning, so a file with extra entries (e.g. the "loss" of --grads) still loads.
 */
#define _POSIX_C_SOURCE 200809L
#include "mlc_runtime.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The reference implementation's limit on the header (100 MB). */
#define MAX_HEADER ((uint64_t)100000000)

/* ---- writing ------------------------------------------------------------------------------ */

/* A growable string for the JSON header. On out of memory it sets oom and stops growing. */
typedef struct Buf {
    char *s;
    size_t len, cap;
    bool oom;
} Buf;

static void buf_add(Buf *b, const char *s, size_t n) {
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (!ns) {
            b->oom = true;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void buf_str(Buf *b, const char *s) {
    buf_add(b, s, strlen(s));
}

static void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(Buf *b, const char *fmt, ...) {
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void buf_json_string(Buf *b, const char *s) {
    buf_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            buf_add(b, e, 2);
        } else if (c < 0x20) {
            buf_printf(b, "\\u%04x", c);
        } else {
            buf_add(b, (const char *)&c, 1);
        }
    }
    buf_add(b, "\"", 1);
}

static uint64_t tensor_floats(const MlcTensor *t) {
    uint64_t n = 1;
    for (int i = 0; i < t->rank; i++)
        n *= (uint64_t)t->shape[i];
    return n;
}

/* Little-endian floats, whatever the host. */
static bool write_floats(FILE *f, const float *x, uint64_t n) {
    unsigned char tmp[4096];
    uint64_t i = 0;
    while (i < n) {
        size_t k = 0;
        for (; k < sizeof tmp / 4 && i < n; k++, i++) {
            uint32_t u;
            memcpy(&u, &x[i], 4);
            tmp[4 * k + 0] = (unsigned char)u;
            tmp[4 * k + 1] = (unsigned char)(u >> 8);
            tmp[4 * k + 2] = (unsigned char)(u >> 16);
            tmp[4 * k + 3] = (unsigned char)(u >> 24);
        }
        if (fwrite(tmp, 4, k, f) != k)
            return false;
    }
    return true;
}

bool mlc_safetensors_write(const char *path, const MlcTensor *t, int n, char *err, size_t errlen) {
    return mlc_safetensors_write_meta(path, t, n, NULL, err, errlen);
}

/* The parameters, then (when states is not NULL) the running state, as named tensors. */
static MlcTensor *model_tensors(const MlcModel *m, const float *params, const float *states,
                                int *count) {
    int nstate = states ? m->nstate : 0;
    MlcTensor *t = calloc((size_t)(m->nparam + nstate) + 1, sizeof *t);
    for (int i = 0; t && i < m->nparam + nstate; i++) {
        const MlcParam *p = i < m->nparam ? &m->params[i] : &m->states[i - m->nparam];
        t[i].name = p->name;
        t[i].rank = p->rank;
        memcpy(t[i].shape, p->shape, sizeof p->shape);
        t[i].data = (i < m->nparam ? params : states) + p->offset;
    }
    *count = m->nparam + nstate;
    return t;
}

/* The bytes of a safetensors file: its header's length, the header, the data. */
typedef struct StFile {
    const Buf *header;
    const MlcTensor *t;
    int n;
} StFile;
static bool write_st(FILE *f, void *ctx) {
    const StFile *st = ctx;
    unsigned char len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)((uint64_t)st->header->len >> (8 * i));
    bool ok = fwrite(len8, 1, 8, f) == 8 &&
              fwrite(st->header->s, 1, st->header->len, f) == st->header->len;
    for (int i = 0; ok && i < st->n; i++)
        ok = write_floats(f, st->t[i].data, tensor_floats(&st->t[i]));
    return ok;
}

bool mlc_safetensors_write_meta(const char *path, const MlcTensor *t, int n,
                                const char *const *meta, char *err, size_t errlen) {
    Buf h = {0};
    buf_str(&h, "{\"__metadata__\":{\"format\":\"pt\"");
    for (int i = 0; meta && meta[i]; i += 2) {
        buf_add(&h, ",", 1);
        buf_json_string(&h, meta[i]);
        buf_add(&h, ":", 1);
        buf_json_string(&h, meta[i + 1]);
    }
    buf_add(&h, "}", 1);
    uint64_t offset = 0;
    for (int i = 0; i < n; i++) {
        uint64_t bytes = tensor_floats(&t[i]) * 4;
        buf_add(&h, ",", 1);
        buf_json_string(&h, t[i].name);
        buf_str(&h, ":{\"dtype\":\"F32\",\"shape\":[");
        for (int d = 0; d < t[i].rank; d++)
            buf_printf(&h, d ? ",%lld" : "%lld", (long long)t[i].shape[d]);
        buf_printf(&h, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)offset,
                   (unsigned long long)(offset + bytes));
        offset += bytes;
    }
    buf_add(&h, "}", 1);
    while (h.len % 8 != 0)
        buf_add(&h, " ", 1);
    if (h.oom) {
        free(h.s);
        return mlc_fail(err, errlen, "%s: out of memory writing the header", path);
    }

    StFile file = {&h, t, n};
    bool ok = mlc_replace_file(path, write_st, &file, err, errlen);
    free(h.s);
    return ok;
}

bool mlc_safetensors_write_params(const char *path, const MlcModel *m, const float *params,
                                  char *err, size_t errlen) {
    int n;
    MlcTensor *t = model_tensors(m, params, NULL, &n);
    if (!t)
        return mlc_fail(err, errlen, "%s: out of memory", path);
    bool ok = mlc_safetensors_write(path, t, n, err, errlen);
    free(t);
    return ok;
}

bool mlc_safetensors_write_model(const char *path, const MlcModel *m, const MlcBuffers *b,
                                 char *err, size_t errlen) {
    int n;
    MlcTensor *t = model_tensors(m, b->params, b->states, &n);
    if (!t)
        return mlc_fail(err, errlen, "%s: out of memory", path);
    bool ok = mlc_safetensors_write_meta(path, t, n, NULL, err, errlen);
    free(t);
    return ok;
}

void mlc_safetensors_save(const char *path, const MlcModel *m, const float *params) {
    char err[1024];
    if (!mlc_safetensors_write_params(path, m, params, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
}

/* ---- reading ------------------------------------------------------------------------------ */

/* One entry of the header, checked. */
typedef struct Entry {
    const char *name;
    const char *dtype;
    int rank;
    int64_t shape[MLC_MAX_RANK];
    uint64_t begin, end;
} Entry;

/* Bytes per element of the dtypes safetensors defines. 0 for an unknown dtype. */
static int dtype_size(const char *d) {
    static const struct {
        const char *name;
        int size;
    } types[] = {{"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1},
                 {"I16", 2},  {"U16", 2}, {"F16", 2}, {"BF16", 2},    {"I32", 4},
                 {"U32", 4},  {"F32", 4}, {"F64", 8}, {"I64", 8},     {"U64", 8}};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(d, types[i].name) == 0)
            return types[i].size;
    return 0;
}

/* A JSON number that is a non-negative integer no larger than 2^53 (exact in a double). */
static bool json_uint(const cJSON *j, uint64_t *out) {
    if (!cJSON_IsNumber(j))
        return false;
    double v = j->valuedouble;
    if (!(v >= 0.0 && v <= 9007199254740992.0) || v != floor(v))
        return false;
    *out = (uint64_t)v;
    return true;
}

/* "[5, 3]" */
static void format_shape(char *s, size_t len, int rank, const int64_t *shape) {
    size_t k = (size_t)snprintf(s, len, "[");
    for (int i = 0; i < rank && k < len; i++)
        k += (size_t)snprintf(s + k, len - k, i ? ", %lld" : "%lld", (long long)shape[i]);
    if (k < len)
        snprintf(s + k, len - k, "]");
}

static bool parse_entry(const cJSON *j, Entry *e, const char *path, char *err, size_t errlen) {
    e->name = j->string;
    if (!cJSON_IsObject(j))
        return mlc_fail(err, errlen, "%s: tensor '%s': not a JSON object", path, e->name);
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(j, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(j, "shape");
    const cJSON *offs = cJSON_GetObjectItemCaseSensitive(j, "data_offsets");
    if (!cJSON_IsString(dtype))
        return mlc_fail(err, errlen, "%s: tensor '%s': no \"dtype\" string", path, e->name);
    e->dtype = dtype->valuestring;
    int esize = dtype_size(e->dtype);
    if (esize == 0)
        return mlc_fail(err, errlen, "%s: tensor '%s': unknown dtype '%s'", path, e->name,
                        e->dtype);
    if (!cJSON_IsArray(shape))
        return mlc_fail(err, errlen, "%s: tensor '%s': no \"shape\" array", path, e->name);
    int rank = cJSON_GetArraySize(shape);
    if (rank > MLC_MAX_RANK)
        return mlc_fail(err, errlen, "%s: tensor '%s': rank %d, at most %d is supported", path,
                        e->name, rank, MLC_MAX_RANK);
    e->rank = rank;
    /* Bytes of the tensor, checked against overflow past 2^62. */
    uint64_t bytes = (uint64_t)esize;
    for (int i = 0; i < rank; i++) {
        uint64_t d;
        if (!json_uint(cJSON_GetArrayItem(shape, i), &d))
            return mlc_fail(err, errlen,
                            "%s: tensor '%s': shape entries must be non-negative integers", path,
                            e->name);
        e->shape[i] = (int64_t)d;
        if (d != 0 && bytes > ((uint64_t)1 << 62) / d)
            return mlc_fail(err, errlen, "%s: tensor '%s': shape too large", path, e->name);
        bytes *= d;
    }
    if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2 ||
        !json_uint(cJSON_GetArrayItem(offs, 0), &e->begin) ||
        !json_uint(cJSON_GetArrayItem(offs, 1), &e->end))
        return mlc_fail(err, errlen,
                        "%s: tensor '%s': \"data_offsets\" must be two non-negative integers", path,
                        e->name);
    if (e->end < e->begin || e->end - e->begin != bytes)
        return mlc_fail(err, errlen,
                        "%s: tensor '%s': data_offsets [%llu, %llu] do not hold its %llu bytes",
                        path, e->name, (unsigned long long)e->begin, (unsigned long long)e->end,
                        (unsigned long long)bytes);
    return true;
}

static int cmp_entry(const void *a, const void *b) {
    const Entry *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

static int cmp_name(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* No name twice in the header's object (a second "__metadata__" included): sorted, equal
 * names are neighbours, so n log n comparisons (a header of
 * 160 000 tensors takes milliseconds, where comparing every pair took minutes). */
static bool no_duplicates(const cJSON *header, int n, const char *path, char *err, size_t errlen) {
    const char **names = malloc(((size_t)n + 1) * sizeof *names);
    if (!names)
        return mlc_fail(err, errlen, "%s: out of memory", path);
    n = 0;
    for (const cJSON *it = header->child; it; it = it->next)
        names[n++] = it->string;
    qsort(names, (size_t)n, sizeof *names, cmp_name);
    bool ok = true;
    for (int i = 1; i < n && ok; i++)
        if (strcmp(names[i - 1], names[i]) == 0)
            ok = mlc_fail(err, errlen, "%s: tensor '%s' appears twice", path, names[i]);
    free(names);
    return ok;
}

/* What torch.save writes, recognised by its first bytes, so that a .pth file given for a
 * safetensors one is named for what it is: since PyTorch 1.6 a zip archive ("PK\3\4")
 * whose first entry is "<name>/data.pkl", before that a pickle (protocol 2: 0x80 0x02). A
 * zip archive of another kind (an .npz) is named too. Returns false with the message. */
#define CONVERTER "scripts/pth-to-safetensors.py"
static bool not_pytorch(FILE *f, const char *path, const unsigned char *head, char *err,
                        size_t errlen) {
    if (head[0] == 0x80 && head[1] >= 2 && head[1] <= 5)
        return mlc_fail(err, errlen,
                        "%s: a Python pickle (torch.save's legacy format), not safetensors: "
                        "convert it with " CONVERTER " %s OUT.safetensors",
                        path, path);
    if (memcmp(head, "PK\3\4", 4) != 0)
        return true;
    /* The local file header: the name's length at offset 26, the name at 30. */
    unsigned char lfh[30];
    char name[256] = "";
    if (fseek(f, 0, SEEK_SET) == 0 && fread(lfh, 1, 30, f) == 30) {
        size_t len = (size_t)lfh[26] | (size_t)lfh[27] << 8;
        if (len < sizeof name && fread(name, 1, len, f) == len)
            name[len] = '\0';
    }
    size_t len = strlen(name);
    if (len >= 8 && strcmp(name + len - 8, "data.pkl") == 0)
        return mlc_fail(err, errlen,
                        "%s: a PyTorch file (torch.save's zip format), not safetensors: convert "
                        "it with " CONVERTER " %s OUT.safetensors",
                        path, path);
    return mlc_fail(err, errlen, "%s: a zip archive, not a safetensors file", path);
}

/* Parses and checks the header (see the top of the file). On success *entries holds the
 * *count tensors (allocated; the names point into *json). */
static bool read_header(FILE *f, const char *path, uint64_t fsize, cJSON **json, Entry **entries,
                        int *count, uint64_t *data_start, char *err, size_t errlen) {
    *json = NULL;
    *entries = NULL;
    *count = 0;
    if (fsize < 8)
        return mlc_fail(err, errlen, "%s: too short for a safetensors file (%llu bytes)", path,
                        (unsigned long long)fsize);
    unsigned char len8[8];
    if (fread(len8, 1, 8, f) != 8)
        return mlc_fail(err, errlen, "%s: read error", path);
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++)
        hlen |= (uint64_t)len8[i] << (8 * i);
    /* A header is a JSON object, so byte 8 is '{'; otherwise it may be a torch.save file,
     * whose first bytes can read as any length, a valid one included. */
    int first = fgetc(f);
    if (first != '{' && !not_pytorch(f, path, len8, err, errlen))
        return false;
    if (fseek(f, 8, SEEK_SET) != 0)
        return mlc_fail(err, errlen, "%s: read error", path);
    if (hlen > fsize - 8)
        return mlc_fail(err, errlen, "%s: header length %llu is larger than the file (%llu bytes)",
                        path, (unsigned long long)hlen, (unsigned long long)fsize);
    if (hlen > MAX_HEADER)
        return mlc_fail(err, errlen, "%s: header length %llu is over the limit of %llu bytes", path,
                        (unsigned long long)hlen, (unsigned long long)MAX_HEADER);
    *data_start = 8 + hlen;

    char *text = malloc((size_t)hlen + 1);
    if (!text)
        return mlc_fail(err, errlen, "%s: out of memory for a %llu-byte header", path,
                        (unsigned long long)hlen);
    if (fread(text, 1, (size_t)hlen, f) != hlen) {
        free(text);
        return mlc_fail(err, errlen, "%s: read error in the header", path);
    }
    text[hlen] = '\0';
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, (size_t)hlen, &end, 0);
    /* Only whitespace (the padding) may follow the JSON object. */
    bool trailing = false;
    if (j && end)
        for (const char *p = end; p < text + hlen; p++)
            if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
                trailing = true;
    free(text);
    if (!j || trailing || !cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return mlc_fail(err, errlen, "%s: the header is not a JSON object", path);
    }
    *json = j;

    int n = cJSON_GetArraySize(j);
    Entry *e = calloc((size_t)n + 1, sizeof *e);
    if (!e)
        return mlc_fail(err, errlen, "%s: out of memory", path);
    *entries = e;
    if (!no_duplicates(j, n, path, err, errlen))
        return false;
    int k = 0;
    for (const cJSON *it = j->child; it; it = it->next) {
        if (strcmp(it->string, "__metadata__") == 0)
            continue;
        if (!parse_entry(it, &e[k], path, err, errlen))
            return false;
        k++;
    }
    *count = k;

    /* The tensors must tile [0, data size) exactly. */
    Entry *sorted = malloc(((size_t)k + 1) * sizeof *sorted);
    if (!sorted)
        return mlc_fail(err, errlen, "%s: out of memory", path);
    memcpy(sorted, e, (size_t)k * sizeof *e);
    qsort(sorted, (size_t)k, sizeof *sorted, cmp_entry);
    uint64_t pos = 0, size = fsize - *data_start;
    bool ok = true;
    for (int i = 0; i < k && ok; i++) {
        if (sorted[i].begin != pos)
            ok = mlc_fail(
                err, errlen,
                "%s: tensor '%s': data_offsets [%llu, %llu] %s the previous tensor, which "
                "ends at %llu",
                path, sorted[i].name, (unsigned long long)sorted[i].begin,
                (unsigned long long)sorted[i].end,
                sorted[i].begin < pos ? "overlap" : "leave a gap after", (unsigned long long)pos);
        else if (sorted[i].end > size)
            ok = mlc_fail(err, errlen,
                          "%s: tensor '%s': data_offsets [%llu, %llu] run past the end of the data "
                          "(%llu bytes)",
                          path, sorted[i].name, (unsigned long long)sorted[i].begin,
                          (unsigned long long)sorted[i].end, (unsigned long long)size);
        pos = sorted[i].end;
    }
    if (ok && pos != size)
        ok = mlc_fail(err, errlen, "%s: %llu bytes after the last tensor's data", path,
                      (unsigned long long)(size - pos));
    free(sorted);
    return ok;
}

static bool read_floats(FILE *f, float *x, uint64_t n) {
    unsigned char tmp[4096];
    uint64_t i = 0;
    while (i < n) {
        size_t k = sizeof tmp / 4;
        if (n - i < k)
            k = (size_t)(n - i);
        if (fread(tmp, 4, k, f) != k)
            return false;
        for (size_t j = 0; j < k; j++, i++) {
            uint32_t u = (uint32_t)tmp[4 * j] | (uint32_t)tmp[4 * j + 1] << 8 |
                         (uint32_t)tmp[4 * j + 2] << 16 | (uint32_t)tmp[4 * j + 3] << 24;
            memcpy(&x[i], &u, 4);
        }
    }
    return true;
}

/* n little-endian integers of `size` bytes (4: I32, 8: I64) as floats, each of which must be
 * exact (|v| <= 2^24): class labels in a batch file, as PyTorch saves them. */
static bool read_ints(FILE *f, float *x, uint64_t n, int size, bool *exact) {
    unsigned char tmp[8];
    *exact = true;
    for (uint64_t i = 0; i < n; i++) {
        if (fread(tmp, (size_t)size, 1, f) != 1)
            return false;
        uint64_t u = 0;
        for (int b = size - 1; b >= 0; b--)
            u = u << 8 | tmp[b];
        int64_t v = size == 4 ? (int64_t)(int32_t)(uint32_t)u : (int64_t)u;
        *exact &= v >= -(1 << 24) && v <= (1 << 24);
        x[i] = (float)v;
    }
    return true;
}

/* Opens PATH and reads its header: read_header's results, and the open file in *fp (NULL if
 * it could not be opened). */
static bool open_file(const char *path, FILE **fp, cJSON **json, Entry **e, int *n, uint64_t *start,
                      char *err, size_t errlen) {
    *json = NULL;
    *e = NULL;
    *n = 0;
    *fp = fopen(path, "rb");
    if (!*fp)
        return mlc_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(*fp), &st) != 0 || !S_ISREG(st.st_mode))
        return mlc_fail(err, errlen, "%s: not a regular file", path);
    return read_header(*fp, path, (uint64_t)st.st_size, json, e, n, start, err, errlen);
}

/* The model's parameters (into params) and its running state (into states, when the model
 * has any), every one present with its shape; a state may be stored as I32 or I64 (PyTorch's
 * num_batches_tracked), converted exactly. */
static bool read_model(const char *path, const MlcModel *m, float *params, float *states, char *err,
                       size_t errlen) {
    FILE *f;
    cJSON *json;
    Entry *e;
    int n;
    uint64_t start = 0;
    bool ok = open_file(path, &f, &json, &e, &n, &start, err, errlen);
    int nstate = states ? m->nstate : 0, total = m->nparam + nstate;
    const MlcParam **want = calloc((size_t)total + 1, sizeof *want);
    const Entry **have = calloc((size_t)total + 1, sizeof *have);
    if (ok && (!want || !have))
        ok = mlc_fail(err, errlen, "%s: out of memory", path);
    for (int i = 0; ok && i < total; i++)
        want[i] = i < m->nparam ? &m->params[i] : &m->states[i - m->nparam];

    /* Every tensor, with its dtype and shape, before any data is read. */
    for (int i = 0; ok && i < total; i++) {
        const MlcParam *p = want[i];
        const Entry *t = NULL;
        for (int k = 0; k < n; k++)
            if (strcmp(e[k].name, p->name) == 0)
                t = &e[k];
        if (!t) {
            ok = mlc_fail(err, errlen, "%s: tensor '%s' is missing", path, p->name);
            break;
        }
        bool integer = strcmp(t->dtype, "I64") == 0 || strcmp(t->dtype, "I32") == 0;
        if (strcmp(t->dtype, "F32") != 0 && !(integer && i >= m->nparam)) {
            ok = mlc_fail(err, errlen, "%s: tensor '%s' has dtype %s, only F32 is supported", path,
                          p->name, t->dtype);
            break;
        }
        bool same = t->rank == p->rank;
        for (int d = 0; same && d < p->rank; d++)
            same = t->shape[d] == p->shape[d];
        if (!same) {
            char got[128], want_s[128];
            format_shape(got, sizeof got, t->rank, t->shape);
            format_shape(want_s, sizeof want_s, p->rank, p->shape);
            ok = mlc_fail(err, errlen, "%s: tensor '%s' has shape %s, the model's is %s", path,
                          p->name, got, want_s);
        }
        have[i] = t;
    }
    int unknown = 0; /* warned about one by one up to 10, then counted */
    for (int k = 0; ok && k < n; k++) {
        bool known = false;
        for (int i = 0; i < total && !known; i++)
            known = strcmp(e[k].name, want[i]->name) == 0;
        if (!known && unknown++ < 10)
            fprintf(stderr, "%s: warning: ignoring tensor '%s', the model has no such parameter\n",
                    path, e[k].name);
    }
    if (unknown > 10)
        fprintf(stderr, "%s: warning: ignoring %d more tensors the model has no parameter for\n",
                path, unknown - 10);
    for (int i = 0; ok && i < total; i++) {
        const MlcParam *p = want[i];
        const Entry *t = have[i];
        float *to = (i < m->nparam ? params : states) + p->offset;
        int isize = strcmp(t->dtype, "I64") == 0 ? 8 : strcmp(t->dtype, "I32") == 0 ? 4 : 0;
        bool exact = true;
        if (fseeko(f, (off_t)(start + t->begin), SEEK_SET) != 0 ||
            !(isize ? read_ints(f, to, p->size, isize, &exact) : read_floats(f, to, p->size)))
            ok = mlc_fail(err, errlen, "%s: read error in tensor '%s'", path, p->name);
        else if (!exact)
            ok = mlc_fail(err, errlen, "%s: tensor '%s' holds an integer beyond 2^24", path,
                          p->name);
    }
    free(want);
    free(have);
    free(e);
    cJSON_Delete(json);
    if (f)
        fclose(f);
    return ok;
}

bool mlc_safetensors_read(const char *path, const MlcModel *m, float *params, char *err,
                          size_t errlen) {
    return read_model(path, m, params, NULL, err, errlen);
}

bool mlc_safetensors_read_model(const char *path, const MlcModel *m, const MlcBuffers *b, char *err,
                                size_t errlen) {
    return read_model(path, m, b->params, b->states, err, errlen);
}

bool mlc_safetensors_read_all(const char *path, MlcTensor **tensors, int *count, char *err,
                              size_t errlen) {
    *tensors = NULL;
    *count = 0;
    FILE *f;
    cJSON *json;
    Entry *e;
    int n;
    uint64_t start = 0;
    bool ok = open_file(path, &f, &json, &e, &n, &start, err, errlen);
    MlcTensor *t = ok ? calloc((size_t)n + 1, sizeof *t) : NULL;
    if (ok && !t)
        ok = mlc_fail(err, errlen, "%s: out of memory", path);
    for (int k = 0; ok && k < n; k++) {
        int isize = strcmp(e[k].dtype, "I64") == 0 ? 8 : strcmp(e[k].dtype, "I32") == 0 ? 4 : 0;
        if (strcmp(e[k].dtype, "F32") != 0 && !isize) {
            ok = mlc_fail(err, errlen,
                          "%s: tensor '%s' has dtype %s, only F32 (and I32 or I64 for labels) is "
                          "supported",
                          path, e[k].name, e[k].dtype);
            break;
        }
        uint64_t floats = (e[k].end - e[k].begin) / (isize ? (uint64_t)isize : 4);
        float *data = malloc(floats ? (size_t)floats * sizeof(float) : 1);
        char *name = malloc(strlen(e[k].name) + 1);
        t[k].data = data;
        t[k].name = name;
        *count = k + 1;
        if (!data || !name) {
            ok = mlc_fail(err, errlen, "%s: out of memory", path);
            break;
        }
        strcpy(name, e[k].name);
        t[k].rank = e[k].rank;
        memcpy(t[k].shape, e[k].shape, sizeof t[k].shape);
        bool exact = true;
        if (fseeko(f, (off_t)(start + e[k].begin), SEEK_SET) != 0 ||
            !(isize ? read_ints(f, data, floats, isize, &exact) : read_floats(f, data, floats)))
            ok = mlc_fail(err, errlen, "%s: read error in tensor '%s'", path, e[k].name);
        else if (!exact)
            ok = mlc_fail(err, errlen, "%s: tensor '%s' holds integers beyond 2^24", path,
                          e[k].name);
    }
    free(e);
    cJSON_Delete(json);
    if (f)
        fclose(f);
    *tensors = t;
    if (!ok) {
        mlc_tensors_free(t, *count);
        *tensors = NULL;
        *count = 0;
    }
    return ok;
}

bool mlc_safetensors_metadata(const char *path, const char *key, char *value, size_t len, char *err,
                              size_t errlen) {
    FILE *f;
    cJSON *json;
    Entry *e;
    int n;
    uint64_t start = 0;
    bool ok = open_file(path, &f, &json, &e, &n, &start, err, errlen);
    const cJSON *meta = ok ? cJSON_GetObjectItemCaseSensitive(json, "__metadata__") : NULL;
    const cJSON *v = meta ? cJSON_GetObjectItemCaseSensitive(meta, key) : NULL;
    if (ok && !cJSON_IsString(v))
        ok = mlc_fail(err, errlen, "%s: no \"%s\" in the header's __metadata__", path, key);
    if (ok && strlen(v->valuestring) >= len)
        ok = mlc_fail(err, errlen, "%s: __metadata__ \"%s\" is too long", path, key);
    if (ok)
        strcpy(value, v->valuestring);
    free(e);
    cJSON_Delete(json);
    if (f)
        fclose(f);
    return ok;
}

void mlc_tensors_free(MlcTensor *t, int count) {
    for (int i = 0; t && i < count; i++) {
        free((void *)t[i].name);
        free((void *)t[i].data);
    }
    free(t);
}

void mlc_safetensors_load(const char *path, const MlcModel *m, float *params) {
    char err[1024];
    if (!mlc_safetensors_read(path, m, params, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
}
