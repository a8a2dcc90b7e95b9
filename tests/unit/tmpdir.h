/* tmpdir.h: a scratch directory for a unit test's files, made once and removed at the end.
 *
 *   if (!tmpdir_make("mlc_test_idx"))  return 1;   ... files under dir ...   tmpdir_remove();
 */
#ifndef TMPDIR_H
#define TMPDIR_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h> /* mkdtemp, with _POSIX_C_SOURCE 200809L */
#include <unistd.h>

static char dir[64];

/* Makes /tmp/NAME_XXXXXX and puts its path in dir. */
static inline bool tmpdir_make(const char *name) {
    snprintf(dir, sizeof dir, "/tmp/%s_XXXXXX", name);
    if (mkdtemp(dir))
        return true;
    perror("mkdtemp");
    return false;
}

/* Removes dir and the files in it (the tests make no subdirectories). */
static inline void tmpdir_remove(void) {
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[512];
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

#endif
