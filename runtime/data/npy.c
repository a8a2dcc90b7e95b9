/* data/npy.c: NumPy's .npy files, and .npz archives of them.
 *
 * A .npy file (numpy/lib/format.py) is the magic "\x93NUMPY", a version (1, 2 or 3), the
 * header's length (2 bytes little-endian in version 1, 4 after), the header: a Python dict
 * literal such as
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (60000, 28, 28), }
 * padded with spaces and a newline, then the elements in C order. descr is the byte order
 * ('<' little, '>' big, '|' not applicable), the kind ('f', 'i', 'u', 'b') and the size in
 * bytes. Other kinds (objects, strings, structured arrays, float16) and Fortran order are
 * refused with a message that says how to save the array instead. The data must be exactly
 * as long as the shape says.
 *
 * A .npz file (np.savez, np.savez_compressed) is a zip archive with one NAME.npy per array,
 * read with minizip (zlib's contrib library, Debian's libminizip-dev). The split's arrays
 * are named after the model's input and target ("image.npy", "label.npy"), or are "x" and
 * "y". As loaders: npy takes the inputs' and the targets' files of a split (MlcSource.path
 * and path2), npz one file.
 */
#define _POSIX_C_SOURCE 200809L
#include "mlc_runtime.h"

#include <errno.h>
#include <minizip/unzip.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The whole file, allocated; its length in *len. */
static unsigned char *read_file(const char *path, size_t *len, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f) {
        mlc_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        mlc_fail(err, errlen, "%s: not a regular file", path);
        return NULL;
    }
    unsigned char *b = malloc((size_t)st.st_size + 1);
    size_t got = b ? fread(b, 1, (size_t)st.st_size, f) : 0;
    bool bad = !b || got != (size_t)st.st_size || ferror(f);
    fclose(f);
    if (bad) {
        mlc_fail(err, errlen, "%s: %s", path, b ? "read error" : "out of memory");
        free(b);
        return NULL;
    }
    *len = got;
    return b;
}

/* The text after 'key': in the header dict, with spaces skipped; NULL if absent. */
static const char *dict_value(const char *h, const char *key) {
    char k[32];
    snprintf(k, sizeof k, "'%s'", key);
    const char *p = strstr(h, k);
    if (!p)
        return NULL;
    p += strlen(k);
    while (*p == ' ')
        p++;
    if (*p != ':')
        return NULL;
    p++;
    while (*p == ' ')
        p++;
    return p;
}

/* Parses one .npy image of len bytes at b into a (which points into b). name is what
 * messages call it ("x.npy", "train.npz: 'image.npy'"). */
static bool parse_npy(MlcArray *a, const unsigned char *b, size_t len, const char *name, char *err,
                      size_t errlen) {
    memset(a, 0, sizeof *a);
    a->name = name;
    if (len < 10 || memcmp(b, "\x93NUMPY", 6) != 0)
        return mlc_fail(err, errlen, "%s: not a .npy file (no \\x93NUMPY magic)", name);
    int major = b[6];
    size_t hlen, start;
    if (major == 1) {
        hlen = (size_t)b[8] | (size_t)b[9] << 8;
        start = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12)
            return mlc_fail(err, errlen, "%s: truncated in the header", name);
        hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        start = 12;
    } else {
        return mlc_fail(err, errlen, "%s: .npy format version %d, this program reads 1 to 3", name,
                        major);
    }
    if (hlen > len - start || hlen > 1 << 20)
        return mlc_fail(err, errlen, "%s: truncated in the header", name);
    char *h = malloc(hlen + 1);
    if (!h)
        return mlc_fail(err, errlen, "%s: out of memory", name);
    memcpy(h, b + start, hlen);
    h[hlen] = '\0';

    bool ok = true;
    const char *descr = dict_value(h, "descr"), *fortran = dict_value(h, "fortran_order");
    const char *shape = dict_value(h, "shape");
    if (!descr || !fortran || !shape) {
        ok = mlc_fail(err, errlen, "%s: the header has no %s", name,
                      !descr     ? "'descr'"
                      : !fortran ? "'fortran_order'"
                                 : "'shape'");
    } else if (*descr != '\'') {
        ok = mlc_fail(err, errlen,
                      "%s: a structured array (its dtype has fields); save one plain array "
                      "per file",
                      name);
    } else if (strncmp(fortran, "False", 5) != 0) {
        ok = mlc_fail(err, errlen,
                      "%s: saved in Fortran order; save np.ascontiguousarray(a) instead", name);
    }
    /* descr: '<f4' */
    if (ok) {
        char order = descr[1], kind = descr[2];
        int size = atoi(descr + 3);
        bool known =
            (kind == 'f' && (size == 4 || size == 8)) ||
            ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
            (kind == 'b' && size == 1);
        if (!known || !strchr("<>|=", order)) {
            const char *end = strchr(descr + 1, '\'');
            ok = mlc_fail(err, errlen,
                          "%s: dtype '%.*s' is not supported; use float32, float64, a (u)int "
                          "type or bool",
                          name, end ? (int)(end - descr - 1) : 8, descr + 1);
        }
        a->kind = kind;
        a->size = size;
        a->big_endian = order == '>';
    }
    /* shape: (60000, 28, 28) or (60000,) or () */
    if (ok && *shape != '(')
        ok = mlc_fail(err, errlen, "%s: the header's shape is not a tuple", name);
    const char *p = shape + 1;
    uint64_t count = 1;
    while (ok && *p != ')') {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ')')
            break;
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 0 || errno == ERANGE || a->rank == 8) {
            ok = mlc_fail(err, errlen, "%s: the header's shape is not a tuple of sizes", name);
            break;
        }
        if (v != 0 && count > ((uint64_t)1 << 50) / (uint64_t)v) {
            ok = mlc_fail(err, errlen, "%s: the shape is too large", name);
            break;
        }
        a->shape[a->rank++] = v;
        count *= (uint64_t)v;
        p = end;
    }
    free(h);
    if (!ok)
        return false;
    uint64_t bytes = count * (uint64_t)a->size, have = len - start - hlen;
    if (have != bytes)
        return mlc_fail(err, errlen, "%s: %llu bytes of data, the shape needs %llu (%s)", name,
                        (unsigned long long)have, (unsigned long long)bytes,
                        have < bytes ? "truncated" : "trailing bytes");
    a->data = b + start + hlen;
    return true;
}

static bool npy_load(MlcDataset *d, const MlcSource *src, const MlcModel *m, char *err,
                     size_t errlen) {
    size_t xlen = 0, ylen = 0;
    if (!src->path2)
        return mlc_fail(err, errlen, "%s: npy needs the targets' file too (X.npy,Y.npy)",
                        src->path);
    unsigned char *xb = read_file(src->path, &xlen, err, errlen);
    unsigned char *yb = xb ? read_file(src->path2, &ylen, err, errlen) : NULL;
    MlcArray x, y;
    bool ok = xb && yb && parse_npy(&x, xb, xlen, src->path, err, errlen) &&
              parse_npy(&y, yb, ylen, src->path2, err, errlen) &&
              mlc_dataset_from_arrays(d, &x, &y, m, err, errlen);
    free(xb);
    free(yb);
    return ok;
}

const MlcLoader mlc_loader_npy = {"npy", npy_load};

/* ---- .npz ------------------------------------------------------------------------------------ */

/* The names of the archive's members, "a.npy, b.npy", for a message. */
static void member_names(unzFile z, char *s, size_t len) {
    size_t k = 0;
    s[0] = '\0';
    for (int r = unzGoToFirstFile(z); r == UNZ_OK && k < len; r = unzGoToNextFile(z)) {
        char name[256];
        if (unzGetCurrentFileInfo64(z, NULL, name, sizeof name, NULL, 0, NULL, 0) == UNZ_OK)
            k += (size_t)snprintf(s + k, len - k, "%s%s", k ? ", " : "", name);
    }
}

/* The member "<name>.npy" (or "<alt>.npy"), read into *buf and parsed into a. what is
 * "input" or "target", for the message when neither is there. */
static bool npz_array(unzFile z, const char *path, const char *name, const char *alt,
                      const char *what, MlcArray *a, unsigned char **buf, char **label, char *err,
                      size_t errlen) {
    char member[300];
    snprintf(member, sizeof member, "%s.npy", name);
    if (unzLocateFile(z, member, 1) != UNZ_OK) {
        snprintf(member, sizeof member, "%s.npy", alt);
        if (unzLocateFile(z, member, 1) != UNZ_OK) {
            char names[512];
            member_names(z, names, sizeof names);
            return mlc_fail(err, errlen,
                            "%s: no array '%s' (the model's %s) nor '%s'; the archive has %s", path,
                            name, what, alt, names[0] ? names : "no arrays");
        }
    }
    unz_file_info64 info;
    if (unzGetCurrentFileInfo64(z, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
        return mlc_fail(err, errlen, "%s: '%s': a corrupt zip entry", path, member);
    if (info.uncompressed_size > ((uint64_t)1 << 40))
        return mlc_fail(err, errlen, "%s: '%s' is too large", path, member);
    size_t size = (size_t)info.uncompressed_size;
    *label = malloc(strlen(path) + strlen(member) + 8);
    *buf = malloc(size + 1);
    if (!*label || !*buf)
        return mlc_fail(err, errlen, "%s: out of memory for '%s'", path, member);
    sprintf(*label, "%s: '%s'", path, member);
    if (unzOpenCurrentFile(z) != UNZ_OK)
        return mlc_fail(err, errlen, "%s: cannot read (compressed in a way zlib cannot read?)",
                        *label);
    size_t got = 0;
    int r = 1;
    while (got < size &&
           (r = unzReadCurrentFile(
                z, *buf + got, (unsigned)(size - got > (1u << 30) ? (1u << 30) : size - got))) > 0)
        got += (size_t)r;
    /* unzCloseCurrentFile checks the CRC of an entry read to its end */
    int closed = unzCloseCurrentFile(z);
    if (r < 0 || got != size || closed != UNZ_OK)
        return mlc_fail(err, errlen, "%s: corrupt (%s)", *label,
                        closed == UNZ_CRCERROR ? "CRC mismatch" : "a read error");
    return parse_npy(a, *buf, size, *label, err, errlen);
}

static bool npz_load(MlcDataset *d, const MlcSource *src, const MlcModel *m, char *err,
                     size_t errlen) {
    FILE *f = fopen(src->path, "rb");
    if (!f)
        return mlc_fail(err, errlen, "%s: cannot open: %s", src->path, strerror(errno));
    fclose(f);
    unzFile z = unzOpen64(src->path);
    if (!z)
        return mlc_fail(err, errlen, "%s: not a zip archive (np.savez writes one)", src->path);
    unsigned char *xb = NULL, *yb = NULL;
    char *xl = NULL, *yl = NULL;
    MlcArray x, y;
    bool ok = npz_array(z, src->path, m->x_name, "x", "input", &x, &xb, &xl, err, errlen) &&
              npz_array(z, src->path, m->y_name, "y", "target", &y, &yb, &yl, err, errlen) &&
              mlc_dataset_from_arrays(d, &x, &y, m, err, errlen);
    unzClose(z);
    free(xb);
    free(yb);
    free(xl);
    free(yl);
    return ok;
}

const MlcLoader mlc_loader_npz = {"npz", npz_load};
