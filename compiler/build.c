/* build.c: compiling generated C into a program.
 *
 * Runs the system C compiler ($CC, default cc) on the generated file with -O3 -march=native
 * and links the runtime and what it needs (OpenBLAS, cJSON, zlib, libm). The runtime is found
 * next to the mlc program: after `cmake --install`, mlc lives in <prefix>/bin and the runtime
 * in <prefix>/lib/mlc and <prefix>/include/mlc; in a build tree, the paths CMake wrote into
 * config.h are used. $MLC_CFLAGS adds compiler options.
 */
#include "mlc.h"

static bool exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* The directory holding the running mlc, or NULL. */
static char *exe_dir(void) {
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0)
        return NULL;
    path[n] = '\0';
    return strdup(dirname(path));
}

/* Splits s at blanks into argv (s is modified). */
static int split_words(char *s, char **argv, int max) {
    int n = 0;
    for (char *tok = strtok(s, " \t"); tok && n < max; tok = strtok(NULL, " \t"))
        argv[n++] = tok;
    return n;
}

bool build_program(const char *c_path, const char *exe_path, bool verbose) {
    char inc[4096], lib[4096];
    char *dir = exe_dir();
    bool found = false;
    if (dir) {
        snprintf(inc, sizeof inc, "%s/../%s/mlc", dir, MLC_INSTALL_INCDIR);
        snprintf(lib, sizeof lib, "%s/../%s/mlc/libmlc_runtime.a", dir, MLC_INSTALL_LIBDIR);
        char header[4200];
        snprintf(header, sizeof header, "%s/mlc_runtime.h", inc);
        found = exists(header) && exists(lib);
        free(dir);
    }
    if (!found) {
        snprintf(inc, sizeof inc, "%s/runtime", MLC_SOURCE_DIR);
        snprintf(lib, sizeof lib, "%s/runtime/libmlc_runtime.a", MLC_BUILD_DIR);
        if (!exists(lib)) {
            fprintf(stderr,
                    "mlc: cannot find the runtime library (looked in %s and next to "
                    "the mlc program)\n",
                    lib);
            return false;
        }
    }

    char words[8192];
    char *argv[256];
    int argc = 0;
    const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
    const char *extra = getenv("MLC_CFLAGS") ? getenv("MLC_CFLAGS") : "";
    char inc_flag[4200], blas_flag[4200];
    snprintf(inc_flag, sizeof inc_flag, "-I%s", inc);
    snprintf(blas_flag, sizeof blas_flag, "-I%s", MLC_CBLAS_INCLUDE_DIR);
    /* the user's flags last, so that they win: MLC_CFLAGS=-march=x86-64-v2 for a program
     * that runs on other machines */
    snprintf(words, sizeof words, "%s -std=c99 -O3 -march=native %s %s", cc, MLC_PROGRAM_FLAGS,
             extra);
    argc = split_words(words, argv, 200);
    argv[argc++] = inc_flag;
    argv[argc++] = blas_flag;
    argv[argc++] = (char *)c_path;
    argv[argc++] = lib;
    static char libs[] = MLC_LINK_LIBS;
    char libs_copy[sizeof libs];
    memcpy(libs_copy, libs, sizeof libs);
    argc += split_words(libs_copy, argv + argc, 40);
    static char dash_o[] = "-o";
    argv[argc++] = dash_o;
    argv[argc++] = (char *)exe_path;
    argv[argc] = NULL;

    if (verbose) {
        for (int i = 0; i < argc; i++)
            fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
        fprintf(stderr, "\n");
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("mlc: fork");
        return false;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "mlc: cannot run the C compiler '%s'\n", argv[0]);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "mlc: the C compiler failed on %s\n", c_path);
        return false;
    }
    return true;
}
