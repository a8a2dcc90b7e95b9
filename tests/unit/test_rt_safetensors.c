/* test_rt_safetensors.c: safetensors files: a round trip, a file written from PyTorch, and
 * every malformed header with its exact message.
 */
#define _POSIX_C_SOURCE 200809L
#include "mlc_runtime.h"
#include "check.h"
#include "tmpdir.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* w f32[5, 3], b f32[3] */
static const MlcParam wb_params[] = {
    {"w", 2, {5, 3}, 0, 15, MLC_INIT_RANDN, 5},
    {"b", 1, {3}, 15, 3, MLC_INIT_RANDN, 5},
};
static MlcModel wb;

static int count_files(void) {
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static char *path_of(const char *name) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* A file with header length hlen (or the JSON's length when hlen < 0), the JSON, then
 * ndata bytes of data. */
static const char *write_st(const char *json, long long hlen, size_t ndata) {
    const char *path = path_of("t.safetensors");
    FILE *f = fopen(path, "wb");
    uint64_t h = hlen < 0 ? strlen(json) : (uint64_t)hlen;
    for (int i = 0; i < 8; i++)
        fputc((int)((h >> (8 * i)) & 0xff), f);
    fputs(json, f);
    for (size_t i = 0; i < ndata; i++)
        fputc((int)(i & 0xff), f);
    fclose(f);
    return path;
}

static void expect_error(const char *path, const char *reason) {
    char want[1024], err[1024] = "";
    float params[18];
    snprintf(want, sizeof want, "%s: %s", path, reason);
    CHECK_TRUE(!mlc_safetensors_read(path, &wb, params, err, sizeof err));
    CHECK_STR(want, err);
}

#define W_OK_ "\"w\":{\"dtype\":\"F32\",\"shape\":[5,3],\"data_offsets\":[0,60]}"
#define B_OK_ "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[60,72]}"

static void test_malformed(void) {
    const char *p = path_of("t.safetensors");
    FILE *f = fopen(p, "wb");
    fwrite("abcd", 1, 4, f);
    fclose(f);
    expect_error(p, "too short for a safetensors file (4 bytes)");

    write_st("{}", 1000, 40);
    expect_error(p, "header length 1000 is larger than the file (50 bytes)");
    write_st("{\"w\": ", -1, 0);
    expect_error(p, "the header is not a JSON object");
    write_st("[1, 2]  ", -1, 0);
    expect_error(p, "the header is not a JSON object");
    write_st("{} x", -1, 0);
    expect_error(p, "the header is not a JSON object");
    write_st("{" W_OK_ "}", -1, 60);
    expect_error(p, "tensor 'b' is missing");
    write_st("{" W_OK_ "," B_OK_ ",\"w\":{}}", -1, 72);
    expect_error(p, "tensor 'w' appears twice");
    write_st("{\"w\":{\"dtype\":\"F16\",\"shape\":[5,3],\"data_offsets\":[0,30]},"
             "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[30,42]}}",
             -1, 42);
    expect_error(p, "tensor 'w' has dtype F16, only F32 is supported");
    write_st("{\"w\":{\"dtype\":\"F33\",\"shape\":[5,3],\"data_offsets\":[0,60]}," B_OK_ "}", -1,
             72);
    expect_error(p, "tensor 'w': unknown dtype 'F33'");
    write_st("{\"w\":{\"dtype\":\"F32\",\"shape\":[3,5],\"data_offsets\":[0,60]}," B_OK_ "}", -1,
             72);
    expect_error(p, "tensor 'w' has shape [3, 5], the model's is [5, 3]");
    write_st("{\"w\":{\"dtype\":\"F32\",\"shape\":[15],\"data_offsets\":[0,60]}," B_OK_ "}", -1,
             72);
    expect_error(p, "tensor 'w' has shape [15], the model's is [5, 3]");
    write_st("{\"w\":{\"dtype\":\"F32\",\"shape\":[5,-3],\"data_offsets\":[0,60]}," B_OK_ "}", -1,
             72);
    expect_error(p, "tensor 'w': shape entries must be non-negative integers");
    write_st("{\"w\":{\"dtype\":\"F32\",\"shape\":[5,3]}," B_OK_ "}", -1, 72);
    expect_error(p, "tensor 'w': \"data_offsets\" must be two non-negative integers");
    write_st("{\"w\":{\"dtype\":\"F32\",\"shape\":[5,3],\"data_offsets\":[0,56]}," B_OK_ "}", -1,
             72);
    expect_error(p, "tensor 'w': data_offsets [0, 56] do not hold its 60 bytes");
    write_st("{" W_OK_ "," B_OK_ "}", -1, 40);
    expect_error(p, "tensor 'w': data_offsets [0, 60] run past the end of the data (40 bytes)");
    write_st("{" W_OK_ ",\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[64,76]}}", -1,
             76);
    expect_error(p, "tensor 'b': data_offsets [64, 76] leave a gap after the previous tensor, "
                    "which ends at 60");
    write_st("{" W_OK_ ",\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[56,68]}}", -1,
             76);
    expect_error(p, "tensor 'b': data_offsets [56, 68] overlap the previous tensor, which ends "
                    "at 60");
    write_st("{" W_OK_ "," B_OK_ "}", -1, 76);
    expect_error(p, "4 bytes after the last tensor's data");
    write_st("{\"w\":[]}", -1, 0);
    expect_error(p, "tensor 'w': not a JSON object");
    expect_error(path_of("nonexistent"), "cannot open: No such file or directory");
    expect_error(dir, "not a regular file");

    /* Valid, in another order, with metadata, padding and an extra tensor (a warning). */
    write_st("{\"__metadata__\":{\"format\":\"pt\"}," B_OK_ ",\"extra\":{\"dtype\":\"I64\","
             "\"shape\":[],\"data_offsets\":[72,80]}," W_OK_ "}   ",
             -1, 80);
    float params[18];
    char err[512] = "";
    CHECK_TRUE(mlc_safetensors_read(p, &wb, params, err, sizeof err));
    CHECK_STR("", err);
    /* data byte i is i & 0xff, little-endian */
    uint32_t u;
    memcpy(&u, &params[0], 4);
    CHECK(0x03020100, u);
    memcpy(&u, &params[15], 4);
    CHECK(0x3f3e3d3c, u);
    unlink(p);
}

static void test_round_trip(void) {
    float a[18], b[18];
    for (int i = 0; i < 18; i++)
        a[i] = (float)i * 0.25f - 1.0f;
    a[3] = -0.0f;
    a[4] = NAN;
    char err[512] = "";
    const char *p = path_of("rt.safetensors");
    CHECK_TRUE(mlc_safetensors_write_params(p, &wb, a, err, sizeof err));
    CHECK_STR("", err);
    CHECK(1, count_files()); /* no temporary left */
    memset(b, 0, sizeof b);
    CHECK_TRUE(mlc_safetensors_read(p, &wb, b, err, sizeof err));
    CHECK(0, memcmp(a, b, sizeof a));

    /* The exact layout: header length (a multiple of 8), JSON, data. */
    FILE *f = fopen(p, "rb");
    unsigned char head[8];
    CHECK(8, fread(head, 1, 8, f));
    uint64_t hlen = 0;
    for (int i = 0; i < 8; i++)
        hlen |= (uint64_t)head[i] << (8 * i);
    CHECK(0, hlen % 8);
    char json[512] = "";
    CHECK((long long)hlen, fread(json, 1, hlen, f));
    const char *want = "{\"__metadata__\":{\"format\":\"pt\"}," W_OK_ "," B_OK_ "}";
    CHECK(0, strncmp(want, json, strlen(want)));
    for (size_t i = strlen(want); i < hlen; i++)
        CHECK(' ', json[i]);
    fseek(f, 0, SEEK_END);
    CHECK((long long)(8 + hlen + 72), ftell(f));
    fclose(f);

    /* Failures leave nothing behind: a missing directory, and a directory as the file. */
    char bad[300];
    snprintf(bad, sizeof bad, "%s/no/such.safetensors", dir);
    CHECK_TRUE(!mlc_safetensors_write_params(bad, &wb, a, err, sizeof err));
    CHECK_TRUE(strncmp(err, bad, strlen(bad)) == 0 && strstr(err, ": cannot write in ") != NULL);
    CHECK_TRUE(!mlc_safetensors_write_params(dir, &wb, a, err, sizeof err));
    CHECK_TRUE(strstr(err, "not a regular file, so it will not be replaced") != NULL);
    CHECK(1, count_files());
    unlink(p);

    /* A scalar and an empty tensor */
    float loss = 2.5f;
    MlcTensor t[2] = {{"loss", 0, {0}, &loss}, {"empty", 1, {0}, NULL}};
    CHECK_TRUE(mlc_safetensors_write(p, t, 2, err, sizeof err));
    static const MlcParam lp[] = {{"loss", 0, {0}, 0, 1, MLC_INIT_ZEROS, 0},
                                  {"empty", 1, {0}, 1, 0, MLC_INIT_ZEROS, 0}};
    MlcModel lm = {.params = lp, .nparam = 2, .nparams = 1};
    float got = 0.0f;
    CHECK_TRUE(mlc_safetensors_read(p, &lm, &got, err, sizeof err));
    CHECK_TRUE(got == 2.5f);
    unlink(p);
}

/* ../fixtures/torch_small.safetensors, written from a PyTorch state_dict (sorted by name,
 * unlike our model's order), must load bit for bit as torch_small.txt lists. */
static void test_torch_fixture(void) {
    static const MlcParam params[] = {
        {"0.weight", 2, {3, 4}, 0, 12, MLC_INIT_UNIFORM, 4},
        {"0.bias", 1, {3}, 12, 3, MLC_INIT_UNIFORM, 4},
        {"2.weight", 2, {2, 3}, 15, 6, MLC_INIT_UNIFORM, 3},
        {"2.bias", 1, {2}, 21, 2, MLC_INIT_UNIFORM, 3},
    };
    MlcModel m = {.params = params, .nparam = 4, .nparams = 23};
    float w[23];
    char err[512] = "";
    CHECK_TRUE(mlc_safetensors_read("../fixtures/torch_small.safetensors", &m, w, err, sizeof err));
    CHECK_STR("", err);

    FILE *f = fopen("../fixtures/torch_small.txt", "r");
    CHECK_TRUE(f != NULL);
    if (!f)
        return;
    char name[64];
    int rank, seen = 0;
    while (fscanf(f, "%63s %d", name, &rank) == 2) {
        const MlcParam *p = NULL;
        for (int i = 0; i < 4; i++)
            if (strcmp(params[i].name, name) == 0)
                p = &params[i];
        CHECK_TRUE(p != NULL);
        if (!p)
            break;
        CHECK(p->rank, rank);
        for (int d = 0; d < rank; d++) {
            long long dim = 0;
            CHECK(1, fscanf(f, "%lld", &dim));
            CHECK(p->shape[d], dim);
        }
        char colon[2];
        CHECK(1, fscanf(f, "%1s", colon));
        for (size_t i = 0; i < p->size; i++) {
            unsigned bits = 0, have;
            CHECK(1, fscanf(f, "%x", &bits));
            memcpy(&have, &w[p->offset + i], 4);
            CHECK(bits, have);
        }
        seen++;
    }
    CHECK(4, seen);
    fclose(f);
}

/* A header of 160 000 tensors, the last a duplicate of the first: found (by sorting the
 * names; comparing every pair took minutes, past the test's timeout), and a valid one of
 * the same size loads, its extra tensors skipped. */
static void test_many_entries(void) {
    enum {
        N = 160000
    };
    size_t cap = (size_t)N * 80 + 256, len = 0;
    char *json = malloc(cap);
    len += (size_t)snprintf(json + len, cap - len, "{" W_OK_ "," B_OK_);
    for (int i = 0; i < N; i++)
        len += (size_t)snprintf(
            json + len, cap - len,
            ",\"t%d\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[72,72]}", i);
    snprintf(json + len, cap - len, "}");
    write_st(json, -1, 72);
    float params[18];
    char err[1024] = "";
    CHECK_TRUE(mlc_safetensors_read(path_of("t.safetensors"), &wb, params, err, sizeof err));
    snprintf(json + len, cap - len,
             ",\"t123\":{\"dtype\":\"F32\",\"shape\":[0],"
             "\"data_offsets\":[72,72]}}");
    expect_error(write_st(json, -1, 72), "tensor 't123' appears twice");
    free(json);
}

/* A header of 640 bytes begins the file with 0x80 0x02, as a pickle does: it must load as
 * safetensors (byte 8 is '{'), not be taken for a torch.save file. */
static void test_pickle_like_length(void) {
    char json[641];
    snprintf(json, sizeof json, "{" W_OK_ "," B_OK_ "}");
    for (size_t i = strlen(json); i < 640; i++)
        json[i] = ' ';
    json[640] = '\0';
    float params[18];
    char err[1024] = "";
    CHECK_TRUE(mlc_safetensors_read(write_st(json, -1, 72), &wb, params, err, sizeof err));
    CHECK_STR("", err);
}

int main(void) {
    wb.params = wb_params;
    wb.nparam = 2;
    wb.nparams = 18;
    if (!tmpdir_make("mlc_test_st"))
        return 1;
    test_malformed();
    test_round_trip();
    test_torch_fixture();
    test_many_entries();
    test_pickle_like_length();
    tmpdir_remove();
    return check_failures != 0;
}
