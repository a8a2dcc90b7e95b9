/* build.c: compiling generated C into a program.
 *
 * Runs the system C compiler ($CC, default cc) on the generated file with -O3 -march=native
 * (and OpenMP, where the compiler has it: the image kernels split the batch across threads)
 * and links the runtime and what it needs (OpenBLAS, cJSON, zlib, libm). The runtime is found
 * next to the mlc program: after `cmake --install`, mlc lives in <prefix>/bin and the runtime
 * in <prefix>/lib/mlc and <prefix>/include/mlc; in a build tree, the paths CMake wrote into
 * config.h are used. $MLC_CFLAGS adds compiler options.
 *
 * Nothing is left half done: the source goes into a scratch directory, the compiler writes
 * the program under a temporary name beside its destination, and only a compiler that
 * succeeded has its output renamed into place. If mlc is stopped by a signal meanwhile, it
 * stops the compiler (its whole process group) and removes every scratch file first.
 */
#include "mlc.h"

#include <signal.h>

/* ---- scratch files, removed whatever happens ------------------------------------------------ */

/* Paths a signal handler may remove (fixed arrays: the handler may not allocate) and the
 * compiler's process group, to stop it. */
static char scratch_dir[4096], scratch_src[4096], scratch_out[4096];
static volatile pid_t compiler_group;

static void remove_scratch(void) {
    if (scratch_out[0])
        unlink(scratch_out);
    if (scratch_src[0])
        unlink(scratch_src);
    if (scratch_dir[0])
        rmdir(scratch_dir);
    scratch_out[0] = scratch_src[0] = scratch_dir[0] = '\0';
}

/* SIGINT, SIGTERM, SIGHUP: stop the compiler, clean up, then die of the same signal. */
static void on_signal(int sig) {
    if (compiler_group > 0)
        kill(-compiler_group, SIGTERM);
    remove_scratch();
    signal(sig, SIG_DFL);
    raise(sig);
}

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};

const char *scratch_open(const char *name, const char *extension) {
    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    if (snprintf(scratch_dir, sizeof scratch_dir, "%s/mlc-XXXXXX", tmp) >=
            (int)sizeof scratch_dir ||
        !mkdtemp(scratch_dir)) {
        fprintf(stderr, "mlc: cannot create a temporary directory in %s: %s\n", tmp,
                strerror(errno));
        scratch_dir[0] = '\0';
        return NULL;
    }
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        signal(stop_signals[i], on_signal);
    if (snprintf(scratch_src, sizeof scratch_src, "%s/%s%s", scratch_dir, name, extension) >=
        (int)sizeof scratch_src) {
        fprintf(stderr, "mlc: the model name '%s' is too long for a file name\n", name);
        scratch_close();
        return NULL;
    }
    return scratch_src;
}

void scratch_close(void) {
    remove_scratch();
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        signal(stop_signals[i], SIG_DFL);
}

/* Where a program written to path really goes: through a symbolic link (even one whose
 * target does not exist yet) to its target. Allocated. */
static char *destination(const char *path) {
    char *real = realpath(path, NULL);
    if (real)
        return real;
    char link[4096];
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n <= 0)
        return strdup(path);
    link[n] = '\0';
    if (link[0] == '/')
        return strdup(link);
    char *copy = strdup(path), *out = malloc(strlen(path) + (size_t)n + 2);
    if (copy && out)
        sprintf(out, "%s/%s", dirname(copy), link);
    free(copy);
    return out;
}

bool output_path_ok(const char *out, const char *model) {
    struct stat so, sm;
    char *dest = destination(out), *dir = dest ? strdup(dest) : NULL;
    bool dir_ok = dir && access(dirname(dir), W_OK) == 0;
    int err = errno;
    free(dir);
    free(dest);
    if (!dir_ok) {
        fprintf(stderr, "mlc: cannot write %s: %s\n", out, strerror(err));
        return false;
    }
    if (stat(out, &so) != 0)
        return true; /* a new file */
    if (!S_ISREG(so.st_mode)) {
        fprintf(stderr, "mlc: %s: not a regular file, so mlc will not replace it\n", out);
        return false;
    }
    if (stat(model, &sm) == 0 && so.st_dev == sm.st_dev && so.st_ino == sm.st_ino) {
        fprintf(stderr, "mlc: -o %s is the model file itself; give another name\n", out);
        return false;
    }
    return true;
}

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

/* build_program and build_cuda: the same steps, with the C compiler or nvcc. */
static bool build_with(const char *c_path, const char *exe_path, bool verbose, bool cuda) {
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
    char inc_flag[4200], cuda_inc_flag[4200], blas_flag[4200];
    snprintf(inc_flag, sizeof inc_flag, "-I%s", inc);
    snprintf(cuda_inc_flag, sizeof cuda_inc_flag, "-I%s/cuda", inc);
    snprintf(blas_flag, sizeof blas_flag, "-I%s", MLC_CBLAS_INCLUDE_DIR);
    if (cuda) {
        const char *nvcc = getenv("NVCC") && *getenv("NVCC") ? getenv("NVCC") : MLC_NVCC;
        if (!*nvcc) {
            fprintf(stderr, "mlc: the cuda target needs nvcc (the CUDA toolkit), which was not "
                            "found when mlc was built; set NVCC to its path\n");
            return false;
        }
        /* code for the A100 (sm_80) and the H100 (sm_90), and PTX for later GPUs */
        extra = getenv("MLC_NVCCFLAGS") ? getenv("MLC_NVCCFLAGS") : "";
        snprintf(words, sizeof words,
                 "%s -O3 -std=c++17 -gencode arch=compute_80,code=sm_80 -gencode "
                 "arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90 %s",
                 nvcc, extra);
    } else {
        /* the user's flags last, so that they win: MLC_CFLAGS=-march=x86-64-v2 for a program
         * that runs on other machines */
        snprintf(words, sizeof words, "%s -std=c99 -O3 -march=native %s %s %s", cc, MLC_OPENMP_FLAG,
                 MLC_PROGRAM_FLAGS, extra);
    }
    argc = split_words(words, argv, 200);
    argv[argc++] = inc_flag;
    if (cuda)
        argv[argc++] = cuda_inc_flag;
    argv[argc++] = blas_flag;
    argv[argc++] = (char *)c_path;
    argv[argc++] = lib;
    static char cublas[] = "-lcublas", cublaslt[] = "-lcublasLt";
    if (cuda) {
        argv[argc++] = cublas;
        argv[argc++] = cublaslt;
    }
    static char libs[] = MLC_LINK_LIBS;
    char libs_copy[sizeof libs];
    memcpy(libs_copy, libs, sizeof libs);
    argc += split_words(libs_copy, argv + argc, 40);
    /* the program is written beside its destination (rename stays on one file system),
     * through a symbolic link to where it points */
    char *dest = destination(exe_path);
    const char *target = dest ? dest : exe_path;
    if (snprintf(scratch_out, sizeof scratch_out, "%s.mlc-%ld.tmp", target, (long)getpid()) >=
        (int)sizeof scratch_out) {
        fprintf(stderr, "mlc: %s: the path is too long\n", exe_path);
        scratch_out[0] = '\0';
        free(dest);
        return false;
    }
    static char dash_o[] = "-o";
    argv[argc++] = dash_o;
    argv[argc++] = scratch_out;
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
        setpgid(0, 0); /* its own process group, so a signal to mlc can stop all of it */
        execvp(argv[0], argv);
        fprintf(stderr, "mlc: cannot run the %s '%s'\n", cuda ? "CUDA compiler" : "C compiler",
                argv[0]);
        _exit(127);
    }
    setpgid(pid, pid); /* as the child does, whichever runs first */
    compiler_group = pid;
    int status;
    bool ok = waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    compiler_group = 0;
    if (!ok)
        fprintf(stderr, "mlc: the %s failed on %s\n", cuda ? "CUDA compiler" : "C compiler",
                c_path);
    if (ok && rename(scratch_out, target) != 0) {
        fprintf(stderr, "mlc: cannot write %s: %s\n", exe_path, strerror(errno));
        ok = false;
    }
    if (ok)
        scratch_out[0] = '\0';
    else
        unlink(scratch_out);
    free(dest);
    return ok;
}

bool build_program(const char *c_path, const char *exe_path, bool verbose) {
    return build_with(c_path, exe_path, verbose, false);
}

bool build_cuda(const char *cu_path, const char *exe_path, bool verbose) {
    return build_with(cu_path, exe_path, verbose, true);
}
