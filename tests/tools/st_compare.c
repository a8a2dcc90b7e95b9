/* st_compare: compares two safetensors files of F32 tensors.
 *
 *   st_compare EXPECTED ACTUAL [RTOL] [ATOL]
 *
 * Every tensor of EXPECTED must be in ACTUAL with the same shape, and every element must
 * satisfy |a - e| <= ATOL + RTOL * |e| (defaults 1e-4 and 1e-6). Prints one line per
 * tensor with its largest difference; exits 1 on any mismatch. Used to hold mlc's
 * gradients against PyTorch's.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct File {
    unsigned char *bytes;
    size_t size;
    cJSON *header;
    const unsigned char *data;
} File;

static int load(const char *path, File *f) {
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "st_compare: cannot open %s\n", path);
        return 1;
    }
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    f->bytes = malloc(size > 0 ? (size_t)size : 1);
    f->size = size > 0 ? (size_t)size : 0;
    if (!f->bytes || fread(f->bytes, 1, f->size, fp) != f->size || f->size < 8) {
        fclose(fp);
        fprintf(stderr, "st_compare: cannot read %s\n", path);
        return 1;
    }
    fclose(fp);
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | f->bytes[i];
    if (n > f->size - 8) {
        fprintf(stderr, "st_compare: %s: bad header length\n", path);
        return 1;
    }
    f->header = cJSON_ParseWithLength((const char *)f->bytes + 8, (size_t)n);
    f->data = f->bytes + 8 + n;
    if (!f->header) {
        fprintf(stderr, "st_compare: %s: bad header\n", path);
        return 1;
    }
    return 0;
}

/* The tensor's floats and element count, or NULL. */
static const float *tensor(const File *f, const char *name, size_t *count, char *shape,
                           size_t len) {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(f->header, name);
    const cJSON *offs = cJSON_GetObjectItemCaseSensitive(t, "data_offsets");
    const cJSON *dims = cJSON_GetObjectItemCaseSensitive(t, "shape");
    if (!t || !cJSON_IsArray(offs) || !cJSON_IsArray(dims))
        return NULL;
    size_t begin = (size_t)cJSON_GetArrayItem(offs, 0)->valuedouble;
    size_t end = (size_t)cJSON_GetArrayItem(offs, 1)->valuedouble;
    if (end < begin || f->data + end > f->bytes + f->size)
        return NULL;
    *count = (end - begin) / sizeof(float);
    shape[0] = '\0';
    const cJSON *d;
    cJSON_ArrayForEach(d, dims) {
        size_t used = strlen(shape);
        snprintf(shape + used, len - used, "%s%lld", used ? "," : "", (long long)d->valuedouble);
    }
    return (const float *)(f->data + begin);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: st_compare EXPECTED ACTUAL [RTOL] [ATOL]\n");
        return 2;
    }
    double rtol = argc > 3 ? atof(argv[3]) : 1e-4, atol = argc > 4 ? atof(argv[4]) : 1e-6;
    File e = {0}, a = {0};
    if (load(argv[1], &e) || load(argv[2], &a))
        return 1;
    int bad = 0, n = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, e.header) {
        if (!strcmp(item->string, "__metadata__"))
            continue;
        size_t ne, na;
        char se[128], sa[128];
        const float *ve = tensor(&e, item->string, &ne, se, sizeof se);
        const float *va = tensor(&a, item->string, &na, sa, sizeof sa);
        n++;
        if (!ve || !va || ne != na || strcmp(se, sa) != 0) {
            printf("%-30s missing or of another shape ([%s] expected, [%s] found)\n", item->string,
                   se, va ? sa : "none");
            bad++;
            continue;
        }
        double worst = 0, worst_rel = 0;
        int off = 0;
        for (size_t i = 0; i < ne; i++) {
            double d = fabs((double)va[i] - (double)ve[i]);
            if (d > worst)
                worst = d;
            if (d / (atol + rtol * fabs((double)ve[i])) > worst_rel)
                worst_rel = d / (atol + rtol * fabs((double)ve[i]));
            off += d > atol + rtol * fabs((double)ve[i]);
        }
        printf("%-30s [%s] largest difference %.3e  %s\n", item->string, se, worst,
               off ? "MISMATCH" : "ok");
        bad += off != 0;
    }
    printf("%d tensors compared, %d differ\n", n, bad);
    cJSON_Delete(e.header);
    cJSON_Delete(a.header);
    free(e.bytes);
    free(a.bytes);
    return bad || n == 0 ? 1 : 0;
}
