/* replace.c: writing a file so that nothing is lost.
 *
 * Every file the runtime writes for the user (weights, checkpoints, gradients, outputs,
 * plots) goes through mlc_replace_file: a locked temporary file beside the real one, fsynced,
 * then renamed over it, and the directory fsynced; a reader, or a machine that lost power,
 * sees the old file or the whole new one. It writes through symbolic links to their target,
 * keeps the mode (and, where it may, the owner) of the file it replaces, and refuses to
 * replace what is not a regular file, a file with other hard links, or a write-protected
 * one; mlc_output_check asks the same before a run. Temporary files left by killed runs are
 * removed.
 */
#define _POSIX_C_SOURCE 200809L
#include "mlc_runtime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory part of path: "." for a bare name. Allocated. */
static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(len + 1);
    if (d) {
        memcpy(d, path, len);
        d[len] = '\0';
    }
    return d;
}

/* Where a write to path lands: path, or through symbolic links (40 at most, as the kernel
 * allows) the file they point to, so that saving through a link updates its target and
 * leaves the link. A relative link is relative to the link's directory. Allocated; NULL with
 * err set for a loop or when out of memory. */
static char *follow_links(const char *path, char *err, size_t errlen) {
    char *p = strdup(path);
    for (int hops = 0; p; hops++) {
        struct stat st;
        if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode))
            return p;
        char link[4096];
        ssize_t n = readlink(p, link, sizeof link - 1);
        if (n < 0 || hops == 40) {
            mlc_fail(err, errlen, "%s: cannot follow the symbolic link: %s", path,
                     n < 0 ? strerror(errno) : "too many levels");
            free(p);
            return NULL;
        }
        link[n] = '\0';
        char *dir = link[0] == '/' ? strdup("") : dir_of(p);
        char *next = dir ? malloc(strlen(dir) + (size_t)n + 2) : NULL;
        if (next)
            sprintf(next, "%s%s%s", dir, dir[0] ? "/" : "", link);
        free(dir);
        free(p);
        p = next;
    }
    mlc_fail(err, errlen, "%s: out of memory", path);
    return NULL;
}

/* Can path be replaced by a new file (the target of its links)? It may be missing, in a
 * writable directory; a file that is there must be a regular file with one name (renaming
 * over a hard link would split it from its other names) that is not write-protected. A
 * device, a directory or a pipe is never replaced: --save /dev/null is refused. *real is the
 * file that will be written (allocated) and *st its status (st_mode 0 when missing). */
static bool check_replace(const char *path, char **real, struct stat *st, char *err,
                          size_t errlen) {
    *real = follow_links(path, err, errlen);
    if (!*real)
        return false;
    memset(st, 0, sizeof *st);
    bool ok = true;
    char *dir = dir_of(*real);
    if (!dir)
        ok = mlc_fail(err, errlen, "%s: out of memory", path);
    else if (access(dir, W_OK) != 0)
        ok = mlc_fail(err, errlen, "%s: cannot write in %s: %s", path, dir, strerror(errno));
    else if (stat(*real, st) != 0 && errno != ENOENT)
        ok = mlc_fail(err, errlen, "%s: %s", path, strerror(errno));
    else if (st->st_mode && !S_ISREG(st->st_mode))
        ok = mlc_fail(err, errlen, "%s: not a regular file, so it will not be replaced", path);
    else if (st->st_mode && st->st_nlink > 1)
        ok = mlc_fail(err, errlen,
                      "%s: has %lu hard links, which replacing it would break; remove the other "
                      "names or save under a new one",
                      path, (unsigned long)st->st_nlink);
    else if (st->st_mode && (st->st_mode & 0222) == 0)
        ok = mlc_fail(err, errlen, "%s: is write-protected, so it will not be replaced", path);
    free(dir);
    if (!ok) {
        free(*real);
        *real = NULL;
    }
    return ok;
}

bool mlc_output_check(const char *path, char *err, size_t errlen) {
    char *real;
    struct stat st;
    bool ok = check_replace(path, &real, &st, err, errlen);
    free(real);
    return ok;
}

/* Temporary files are named "<file>.mlc-tmp.XXXXXX" and write-locked (fcntl) by the process
 * that writes them, until renamed or removed. A lock dies with its process, so a temporary
 * file of this name that nobody holds a lock on was left by a run that was killed: it is
 * removed before the next write to the same file. Nothing else in the directory is touched:
 * the name must match exactly, and it must be a regular file. */
#define TMP_TAG ".mlc-tmp."

static void remove_stale_temps(const char *real) {
    char *dir = dir_of(real);
    const char *slash = strrchr(real, '/');
    const char *base = slash ? slash + 1 : real;
    size_t blen = strlen(base), tlen = strlen(TMP_TAG);
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (strlen(name) != blen + tlen + 6 || strncmp(name, base, blen) != 0 ||
            strncmp(name + blen, TMP_TAG, tlen) != 0)
            continue;
        char *p = malloc(strlen(dir) + strlen(name) + 2);
        if (!p)
            break;
        sprintf(p, "%s/%s", dir, name);
        int fd = open(p, O_RDWR | O_NOFOLLOW | O_NONBLOCK);
        struct stat st;
        struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
            fcntl(fd, F_SETLK, &lk) == 0)
            unlink(p);
        if (fd >= 0)
            close(fd); /* closing releases the lock */
        free(p);
    }
    if (d)
        closedir(d);
    free(dir);
}

/* Writes through write(f, ctx) to a locked temporary file beside the real file (see above),
 * with the mode of the file it replaces (or 0666 less the umask for a new one, as any new
 * file), fsyncs it, renames it over the file and fsyncs the directory. A failure removes the
 * temporary file. */
bool mlc_replace_file(const char *path, bool (*write)(FILE *f, void *ctx), void *ctx, char *err,
                      size_t errlen) {
    char *real;
    struct stat old;
    if (!check_replace(path, &real, &old, err, errlen))
        return false;
    remove_stale_temps(real);
    size_t plen = strlen(real);
    char *tmp = malloc(plen + strlen(TMP_TAG) + 7);
    if (!tmp) {
        free(real);
        return mlc_fail(err, errlen, "%s: out of memory", path);
    }
    sprintf(tmp, "%s%sXXXXXX", real, TMP_TAG);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        mlc_fail(err, errlen, "%s: cannot create %s: %s", path, tmp, strerror(errno));
        free(tmp);
        free(real);
        return false;
    }
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    fcntl(fd, F_SETLK, &lk); /* a fresh file: nobody else can hold it */
    /* mkstemp makes the file private; keep the mode of the file replaced, else 0666 less the
     * umask, as open(2) would give a new file. */
    mode_t mode;
    if (old.st_mode) {
        mode = old.st_mode & 07777;
        /* the owner too, where we may (root); a file that changes owner loses set-id bits */
        if (fchown(fd, old.st_uid, old.st_gid) != 0)
            mode &= ~(mode_t)(S_ISUID | S_ISGID);
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    fchmod(fd, mode);
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        mlc_fail(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        unlink(tmp);
        close(fd);
        free(tmp);
        free(real);
        return false;
    }

    errno = 0;
    bool ok = write(f, ctx);
    int saved = errno ? errno : EIO;
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (!ok)
        saved = errno;
    if (ok && rename(tmp, real) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok)
        unlink(tmp); /* before fclose drops the lock, so no cleaner races for it */
    if (fclose(f) != 0 && ok) {
        ok = false; /* after the rename: the data was fsynced, so this cannot lose it */
        saved = errno;
    }
    if (ok) { /* the rename itself reaches the disk with the directory */
        char *dir = dir_of(real);
        int dfd = dir ? open(dir, O_RDONLY) : -1;
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(dir);
    }
    if (!ok)
        mlc_fail(err, errlen, "%s: cannot write: %s", path, strerror(saved));
    free(tmp);
    free(real);
    return ok;
}
