/* mlc_cuda.h: what a program of the CUDA target includes, besides mlc_runtime.h.
 *
 * The generated .cu holds the model's kernels (plain __global__ functions), the host
 * functions that launch them, and the MlcModel with its device (mlc_cuda_device below); the
 * runtime (mlc_main and everything around the math) is the CPU trainer's, unchanged: it
 * allocates the model's blocks through the device, keeps host mirrors of the parameters and
 * the state, and reads the loss only when it prints it.
 *
 * Compiled two ways from the same source:
 *   - by nvcc, for a GPU: cuda_runtime and cuBLAS, every call checked, and a failure named
 *     by its call, file and line (for a kernel launch, by the kernel);
 *   - by a host C++ compiler with MLC_CUDA_EMU defined, for testing without a GPU: the
 *     kernels run in the emulation of mlc_cuda_emu.h (each block after the other, each CUDA
 *     thread a coroutine), host memory stands in for device memory and cblas_sgemm for
 *     cublasSgemm, the call the C target makes, so the products are the C target's bit for
 *     bit and every difference comes from the generated kernels.
 *
 * Numerics: FP32 everywhere, cuBLAS without TF32 unless --tf32 is given. Sums accumulate in
 * double in a fixed order (a warp's lanes combined by a butterfly of shuffles, the warps of
 * a block in order): no float atomics, so a run gives the same bits each time.
 */
#ifndef MLC_CUDA_H
#define MLC_CUDA_H

#ifdef MLC_CUDA_EMU
#include "mlc_cuda_emu.h"
#include <cblas.h>
#else
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#endif
#include "mlc_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Threads per block of every kernel: a multiple of the warp size (32). */
#define MLC_THREADS 256

/* The most blocks a grid-stride kernel is launched with. In the emulation, where each CUDA
 * thread costs a context switch, a few blocks stride over everything: the same code paths,
 * in less time. */
#ifdef MLC_CUDA_EMU
#define MLC_MAX_BLOCKS 4
#else
#define MLC_MAX_BLOCKS 65535
#endif

/* The blocks of MLC_THREADS threads that cover `work` items (elements, or rows times 32 for
 * a kernel with one warp per row), at most MLC_MAX_BLOCKS: the kernels stride over the rest. */
static inline unsigned mlc_blocks(int64_t work) {
    int64_t b = (work + MLC_THREADS - 1) / MLC_THREADS;
    return (unsigned)(b < 1 ? 1 : b > MLC_MAX_BLOCKS ? MLC_MAX_BLOCKS : b);
}

/* The blocks of a kernel with one block per item (a tile), at most MLC_MAX_BLOCKS: the
 * kernel strides over the rest. */
static inline unsigned mlc_grid(int64_t items) {
    return (unsigned)(items < 1 ? 1 : items > MLC_MAX_BLOCKS ? MLC_MAX_BLOCKS : items);
}

/* ---- error checks: a failure names the call (or kernel), the file and the line ---------- */

#ifdef MLC_CUDA_EMU
/* The arguments are evaluated at the launch and kept, as a GPU keeps them (a graph too): a
 * launch may pass *p of a local that is gone when a graph replays it. */
template <class... P, class... A>
static inline void mlc_emu_launch_with(dim3 grid, dim3 block, void (*kernel)(P...), A... args) {
    mlc_emu_launch(grid, block, [=]() { kernel(args...); });
}
#define MLC_LAUNCH(kernel, blocks, threads, ...) \
    mlc_emu_launch_with(blocks, threads, kernel, __VA_ARGS__)
#else
/* True while a training step is captured as a CUDA Graph: a failure then says how to run
 * without graphs. */
static bool mlc_capturing;
static inline void mlc_cuda_failed(const char *what, const char *file, int line, const char *why) {
    fflush(stdout);
    fprintf(stderr, "%s:%d: %s failed: %s%s\n", file, line, what, why,
            mlc_capturing ? " (while capturing a training step as a CUDA Graph; "
                            "MLC_CUDA_GRAPHS=0 runs without graphs)"
                          : "");
    exit(1);
}
static inline void mlc_cuda_check(cudaError_t e, const char *what, const char *file, int line) {
    if (e != cudaSuccess)
        mlc_cuda_failed(what, file, line, cudaGetErrorString(e));
}
static inline void mlc_cublas_check(cublasStatus_t s, const char *what, const char *file,
                                    int line) {
    if (s != CUBLAS_STATUS_SUCCESS)
        mlc_cuda_failed(what, file, line, cublasGetStatusString(s));
}
#define MLC_CUDA_CHECK(call)   mlc_cuda_check((call), #call, __FILE__, __LINE__)
#define MLC_CUBLAS_CHECK(call) mlc_cublas_check((call), #call, __FILE__, __LINE__)
/* A launch is checked at once (a bad configuration); a fault inside the kernel shows at the
 * next synchronising call, which names itself. */
/* Every launch and product goes to mlc_stream, a stream of the program's own (a graph's
 * capture needs one), made in mlc_cuda_open. */
static cudaStream_t mlc_stream;
#define MLC_LAUNCH(kernel, blocks, threads, ...)                                      \
    do {                                                                              \
        kernel<<<(blocks), (threads), 0, mlc_stream>>>(__VA_ARGS__);                  \
        mlc_cuda_check(cudaGetLastError(), "launch of " #kernel, __FILE__, __LINE__); \
    } while (0)
static cublasHandle_t mlc_cublas;
static cublasLtHandle_t mlc_cublaslt;
/* cuBLAS's and cuBLASLt's workspace, set once: they must not allocate while a graph is
 * captured */
static void *mlc_workspace;
static const size_t mlc_workspace_bytes = 32u << 20;
static bool mlc_tf32;
#endif

/* A switch that is on unless the environment sets NAME=0; *on caches it (-1: not read yet). */
static bool mlc_switch_on(const char *name, int *on) {
    if (*on < 0) {
        const char *e = getenv(name);
        *on = !(e && strcmp(e, "0") == 0);
    }
    return *on == 1;
}

/* CUDA Graphs for the training step (MLC_CUDA_GRAPHS=0: none). */
static bool mlc_graphs_on(void) {
    static int on = -1;
    return mlc_switch_on("MLC_CUDA_GRAPHS", &on);
}

/* ---- reductions inside a kernel ------------------------------------------------------------ */

/* The sum of v over the 32 lanes of a warp, in every lane: a butterfly, the same order each
 * time. */
static __device__ inline double mlc_warp_sum(double v) {
    for (int lane_mask = 16; lane_mask > 0; lane_mask >>= 1)
        v += __shfl_xor_sync(0xffffffffu, v, lane_mask);
    return v;
}

/* The largest v over the warp's lanes, in every lane (fmaxf: a NaN only where all are). */
static __device__ inline float mlc_warp_max(float v) {
    for (int lane_mask = 16; lane_mask > 0; lane_mask >>= 1)
        v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, lane_mask));
    return v;
}

/* The sum of v over the block's threads, returned to thread 0: each warp's sum, then the
 * warps' sums in order. Every thread of the block must call it. */
static __device__ inline double mlc_block_sum(double v) {
    __shared__ double warp_sums[32];
    v = mlc_warp_sum(v);
    __syncthreads(); /* warp_sums may still be read from a previous call */
    if (threadIdx.x % 32 == 0)
        warp_sums[threadIdx.x / 32] = v;
    __syncthreads();
    double total = 0.0;
    if (threadIdx.x == 0)
        for (unsigned w = 0; w < blockDim.x / 32; w++)
            total += warp_sums[w];
    return total;
}

/* ---- the device: MlcDevice's functions ---------------------------------------------------- */

static bool mlc_cuda_open(bool tf32, char *err, size_t errlen) {
#ifdef MLC_CUDA_EMU
    (void)tf32, (void)err, (void)errlen;
    return true;
#else
    int count = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (e != cudaSuccess || count == 0) {
        snprintf(err, errlen,
                 "no CUDA device: %s (this program was built for an NVIDIA GPU; build the "
                 "model with --target c for the CPU)",
                 e != cudaSuccess ? cudaGetErrorString(e) : "none found");
        return false;
    }
    MLC_CUDA_CHECK(cudaSetDevice(0));
    MLC_CUBLAS_CHECK(cublasCreate(&mlc_cublas));
    MLC_CUBLAS_CHECK(cublasLtCreate(&mlc_cublaslt));
    /* a stream of its own, which a graph can capture (blocking: the copies on the legacy
     * stream wait for it), and the workspace, with or without graphs, so both runs pick the
     * same kernels */
    MLC_CUDA_CHECK(cudaStreamCreate(&mlc_stream));
    MLC_CUBLAS_CHECK(cublasSetStream(mlc_cublas, mlc_stream));
    MLC_CUDA_CHECK(cudaMalloc(&mlc_workspace, mlc_workspace_bytes));
    MLC_CUBLAS_CHECK(cublasSetWorkspace(mlc_cublas, mlc_workspace, mlc_workspace_bytes));
    /* FP32 products as on the CPU, unless --tf32 */
    mlc_tf32 = tf32;
    MLC_CUBLAS_CHECK(
        cublasSetMathMode(mlc_cublas, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
    return true;
#endif
}

static void *mlc_cuda_alloc(size_t bytes) {
    void *p = NULL;
#ifdef MLC_CUDA_EMU
    p = calloc(bytes ? bytes : 1, 1);
    if (!p) {
        fprintf(stderr, "out of memory for %zu bytes\n", bytes);
        exit(1);
    }
#else
    MLC_CUDA_CHECK(cudaMalloc(&p, bytes ? bytes : 1));
    MLC_CUDA_CHECK(cudaMemset(p, 0, bytes ? bytes : 1));
#endif
    return p;
}

static void mlc_cuda_release(void *p) {
#ifdef MLC_CUDA_EMU
    free(p);
#else
    MLC_CUDA_CHECK(cudaFree(p));
#endif
}

static void mlc_cuda_upload(void *dst, const void *src, size_t bytes) {
#ifdef MLC_CUDA_EMU
    memcpy(dst, src, bytes);
#else
    MLC_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice));
#endif
}

static void mlc_cuda_download(void *dst, const void *src, size_t bytes) {
#ifdef MLC_CUDA_EMU
    memcpy(dst, src, bytes);
#else
    MLC_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost));
#endif
}

/* A batch gathered from a data set on the device (MlcDevice.gather): one thread per input
 * value, the first of each sample's also copying its target. */
__global__ void mlc_cuda_gather_kernel(const MlcDataset set, const int64_t *order, int64_t start,
                                       int64_t n, float *x, void *y) {
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    const int64_t size = (int64_t)set.x_size;
    for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n * size; k += stride) {
        const int64_t i = k / size, c = k % size;
        const int64_t s = order ? order[start + i] : start + i;
        x[k] = set.x ? set.x[s * size + c] : (float)set.x8[s * size + c] * set.scale;
        if (c != 0)
            continue;
        if (set.y)
            ((int32_t *)y)[i] = set.y[s];
        for (int64_t j = 0; set.yf && j < (int64_t)set.y_size; j++)
            ((float *)y)[i * (int64_t)set.y_size + j] = set.yf[s * (int64_t)set.y_size + j];
    }
}

static void mlc_cuda_gather(const MlcDataset *set, const int64_t *order, int64_t start, int64_t n,
                            float *x, void *y) {
    MLC_LAUNCH(mlc_cuda_gather_kernel, mlc_blocks(n * (int64_t)set->x_size), MLC_THREADS, *set,
               order, start, n, x, y);
}

/* An optimizer step (MlcDevice.optim_step): every parameter in one grid-stride launch, each
 * element updated by the runtime's own mlc_optim_update. */
__global__ void mlc_cuda_optim_kernel(const MlcOptimCoefs c, float *w, const float *grad, float *s0,
                                      float *s1, float *s2, int64_t n) {
    float *const slot[3] = {s0, s1, s2};
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t k = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; k < n; k += stride)
        mlc_optim_update(&c, w, grad[k], slot, (size_t)k);
}

static void mlc_cuda_optim_step(const MlcOptimCoefs *c, float *w, const float *grad,
                                float *const *slot, size_t n) {
    MLC_LAUNCH(mlc_cuda_optim_kernel, mlc_blocks((int64_t)n), MLC_THREADS, *c, w, grad, slot[0],
               slot[1], slot[2], (int64_t)n);
}

/* A test batch's share of the test pass (MlcModel.eval_accumulate): acc[0] += the loss;
 * with an output of class scores, acc[1] += the samples whose largest score (the first on
 * ties, NaN counting as largest, as the runtime's argmax) is the label. One block. */
__global__ void mlc_cuda_eval_kernel(const float *loss, const float *out, const int32_t *label,
                                     int64_t n, int64_t nclass, double *acc) {
    double correct = 0.0;
    for (int64_t i = threadIdx.x; out && i < n; i += blockDim.x) {
        const float *v = out + i * nclass;
        int64_t best = 0;
        for (int64_t j = 1; j < nclass; j++) {
            if (isnan(v[best]))
                break;
            if (isnan(v[j]) || v[j] > v[best])
                best = j;
        }
        correct += best == label[i] ? 1.0 : 0.0;
    }
    correct = mlc_block_sum(correct);
    if (threadIdx.x == 0) {
        acc[0] += (double)loss[0];
        acc[1] += correct;
    }
}

static inline void mlc_cuda_eval_accumulate(const float *loss, const float *out,
                                            const int32_t *label, int64_t n, int64_t nclass,
                                            double *acc) {
    MLC_LAUNCH(mlc_cuda_eval_kernel, 1, MLC_THREADS, loss, out, label, n, nclass, acc);
}

static void mlc_cuda_close(void) {
#ifndef MLC_CUDA_EMU
    cublasDestroy(mlc_cublas);
#endif
}

static const MlcDevice mlc_cuda_device = {"CUDA",           mlc_cuda_open,       mlc_cuda_alloc,
                                          mlc_cuda_release, mlc_cuda_upload,     mlc_cuda_download,
                                          mlc_cuda_gather,  mlc_cuda_optim_step, mlc_cuda_close};

/* ---- matrix products ---------------------------------------------------------------------- */

/* C = alpha op(A) op(B) + beta C, row-major (as cblas_sgemm with CblasRowMajor): op(A) is
 * m x k, op(B) k x n. cuBLAS is column-major, where the same memory holds the transposes, so
 * it computes Cᵀ = op(B)ᵀ op(A)ᵀ: B first. */
static inline void mlc_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha,
                            const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                            float *c, int64_t ldc) {
#ifdef MLC_CUDA_EMU
    mlc_emu_host([=]() {
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                    (int)m, (int)n, (int)k, alpha, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
    });
#else
    MLC_CUBLAS_CHECK(cublasSgemm(mlc_cublas, tb ? CUBLAS_OP_T : CUBLAS_OP_N,
                                 ta ? CUBLAS_OP_T : CUBLAS_OP_N, (int)n, (int)m, (int)k, &alpha, b,
                                 (int)ldb, a, (int)lda, &beta, c, (int)ldc));
#endif
}

/* ---- products with their epilogue: cuBLASLt ------------------------------------------------
 * C = op(A) op(B) + bias (bias[j] added to column j), then relu where asked, row-major as
 * mlc_gemm: the product and its epilogue in one cuBLASLt call (CUBLASLT_EPILOGUE_BIAS,
 * CUBLASLT_EPILOGUE_RELU_BIAS; in cuBLASLt's column-major terms the bias runs along D's
 * rows, which are C's columns). False where cuBLASLt offers no algorithm for the product,
 * or MLC_CUBLASLT=0 is set: the caller then runs mlc_gemm and its generated epilogue kernel.
 * Each shape's descriptors and algorithm are made once and kept (MLC_LT_CACHE of them), for
 * the alignment its pointers have (cuBLASLt assumes 256 bytes unless told; a buffer of the
 * memory plan may start at any float). A call that cuBLASLt refuses all the same falls back
 * too, after saying so once. In the emulation: cblas_sgemm, then the epilogue on the host,
 * with the same arithmetic. */
static bool mlc_cublaslt_on(void) {
    static int on = -1;
    return mlc_switch_on("MLC_CUBLASLT", &on);
}

#ifndef MLC_CUDA_EMU
enum {
    MLC_LT_CACHE = 64
};
/* The alignment of a pointer in bytes: the largest power of two that divides it, up to 256. */
static uint32_t mlc_alignment(const void *p) {
    uint32_t bytes = 256;
    while (bytes > 4 && (uintptr_t)p % bytes != 0)
        bytes /= 2;
    return bytes;
}

/* One product's cuBLASLt setup: its key (the shape, and the alignment of A, B, C and the
 * bias), and whether cuBLASLt can do it. */
typedef struct MlcLtPlan {
    bool ta, tb, relu, ok;
    int64_t m, n, k, lda, ldb, ldc;
    uint32_t align[4];
    cublasLtMatmulDesc_t desc;
    cublasLtMatrixLayout_t a, b, c; /* cuBLASLt's A (our B), B (our A), C and D */
    cublasLtMatmulAlgo_t algo;
} MlcLtPlan;

static MlcLtPlan *mlc_lt_plan(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float *a,
                              int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc,
                              const float *bias, bool relu) {
    static MlcLtPlan plans[MLC_LT_CACHE];
    static int nplans;
    const uint32_t align[4] = {mlc_alignment(a), mlc_alignment(b), mlc_alignment(c),
                               mlc_alignment(bias)};
    for (int i = 0; i < nplans; i++) {
        MlcLtPlan *p = &plans[i];
        if (p->ta == ta && p->tb == tb && p->relu == relu && p->m == m && p->n == n && p->k == k &&
            p->lda == lda && p->ldb == ldb && p->ldc == ldc &&
            memcmp(p->align, align, sizeof align) == 0)
            return p;
    }
    if (nplans == MLC_LT_CACHE)
        return NULL; /* more products than kept: mlc_gemm and the epilogue kernel */
    MlcLtPlan *p = &plans[nplans++];
    *p = MlcLtPlan{};
    p->ta = ta, p->tb = tb, p->relu = relu;
    p->m = m, p->n = n, p->k = k, p->lda = lda, p->ldb = ldb, p->ldc = ldc;
    memcpy(p->align, align, sizeof align);
    MLC_CUBLAS_CHECK(cublasLtMatmulDescCreate(
        &p->desc, mlc_tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F, CUDA_R_32F));
    cublasOperation_t opa = tb ? CUBLAS_OP_T : CUBLAS_OP_N, opb = ta ? CUBLAS_OP_T : CUBLAS_OP_N;
    cublasLtEpilogue_t epilogue = relu ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_BIAS;
    MLC_CUBLAS_CHECK(
        cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_TRANSA, &opa, sizeof opa));
    MLC_CUBLAS_CHECK(
        cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_TRANSB, &opb, sizeof opb));
    MLC_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_EPILOGUE,
                                                    &epilogue, sizeof epilogue));
    /* the heuristic reads the bias's alignment from its pointer */
    MLC_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER,
                                                    &bias, sizeof bias));
    /* column-major: our B (k x n, or n x k when tb) is cuBLASLt's A, our A its B */
    MLC_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&p->a, CUDA_R_32F, tb ? k : n, tb ? n : k, ldb));
    MLC_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&p->b, CUDA_R_32F, ta ? m : k, ta ? k : m, lda));
    MLC_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&p->c, CUDA_R_32F, n, m, ldc));
    cublasLtMatmulPreference_t pref;
    MLC_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&pref));
    MLC_CUBLAS_CHECK(
        cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                             &mlc_workspace_bytes, sizeof mlc_workspace_bytes));
    /* the pointers' alignment: cuBLASLt's A is our b, its B our a, its C and D our c */
    const struct {
        cublasLtMatmulPreferenceAttributes_t what;
        uint32_t bytes;
    } min_align[] = {{CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, align[1]},
                     {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, align[0]},
                     {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, align[2]},
                     {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, align[2]}};
    for (size_t i = 0; i < sizeof min_align / sizeof min_align[0]; i++)
        MLC_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(
            pref, min_align[i].what, &min_align[i].bytes, sizeof min_align[i].bytes));
    cublasLtMatmulHeuristicResult_t found;
    int count = 0;
    cublasStatus_t s = cublasLtMatmulAlgoGetHeuristic(mlc_cublaslt, p->desc, p->a, p->b, p->c, p->c,
                                                      pref, 1, &found, &count);
    MLC_CUBLAS_CHECK(cublasLtMatmulPreferenceDestroy(pref));
    p->ok = s == CUBLAS_STATUS_SUCCESS && count > 0;
    if (p->ok)
        p->algo = found.algo;
    return p;
}
#endif

static inline bool mlc_gemm_bias(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float *a,
                                 int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc,
                                 const float *bias, bool relu) {
    if (!mlc_cublaslt_on())
        return false;
#ifdef MLC_CUDA_EMU
    mlc_emu_host([=]() {
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                    (int)m, (int)n, (int)k, 1.0f, a, (int)lda, b, (int)ldb, 0.0f, c, (int)ldc);
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                const float v = c[i * ldc + j] + bias[j];
                c[i * ldc + j] = relu ? mlc_relu(v) : v;
            }
    });
    return true;
#else
    MlcLtPlan *p = mlc_lt_plan(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, bias, relu);
    if (!p || !p->ok)
        return false;
    MLC_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER,
                                                    &bias, sizeof bias));
    const float one = 1.0f, zero = 0.0f;
    cublasStatus_t s =
        cublasLtMatmul(mlc_cublaslt, p->desc, &one, b, p->a, a, p->b, &zero, c, p->c, c, p->c,
                       &p->algo, mlc_workspace, mlc_workspace_bytes, mlc_stream);
    if (s != CUBLAS_STATUS_SUCCESS) { /* refused before anything ran: the caller falls back */
        static bool said;
        if (!said)
            fprintf(stderr,
                    "cuBLASLt refused a product (%s); it and any like it run through "
                    "cuBLAS and a kernel\n",
                    cublasGetStatusString(s));
        said = true;
        p->ok = false;
        return false;
    }
    return true;
#endif
}

/* ---- products inside a kernel: convolutions ------------------------------------------------
 * A convolution is an implicit product: per image (and group), its weights times the columns
 * of its input, the columns computed where they are read and never stored (see the CUDA
 * target's emit_conv_body). mlc_tile_gemm is that product for one tile of the result:
 *     C[m][n] = sum_k A[m][k] B[k][n],  m in [m0, m0 + 64), n in [n0, n0 + 64)
 * with A (M x K) and B (K x Nc) given as functions a(m, k) and b(k, n) that return an element
 * (so B can be a convolution's columns), and store(m, n, v) told each result. The block's 256
 * threads load 64 x 16 of A and 16 x 64 of B at a time into shared memory (0 past the
 * edges); each thread then sums its 4 x 4 values of the tile (rows ty + 16 i, columns
 * tx + 16 j), in float within a slice of 16 values of k and the slices in double (a weight
 * gradient's k runs over every position of many images), k in order: no atomics, the same
 * bits each time. Every thread of the block must call it, with the same arguments but the
 * functions. */
enum {
    MLC_TILE = 64,  /* rows and columns of a tile */
    MLC_TILE_K = 16 /* the slice of k in shared memory at a time */
};
static_assert(MLC_THREADS == 256, "mlc_tile_gemm: 16 x 16 threads, 4 x 4 values each");
template <class A, class B, class Store>
static __device__ inline void mlc_tile_gemm(int M, int Nc, int K, int m0, int n0, A a, B b,
                                            Store store) {
    __shared__ float as[MLC_TILE_K][MLC_TILE + 1]; /* + 1: stores without bank conflicts */
    __shared__ float bs[MLC_TILE_K][MLC_TILE];
    const int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    double acc[4][4] = {{0.0}};
    for (int k0 = 0; k0 < K; k0 += MLC_TILE_K) {
        __syncthreads(); /* the previous slice has been read */
        for (int l = threadIdx.x; l < MLC_TILE * MLC_TILE_K; l += blockDim.x) {
            const int ak = l % MLC_TILE_K, am = l / MLC_TILE_K; /* A along k: rows in memory */
            const int bk = l / MLC_TILE, bn = l % MLC_TILE;     /* B along n */
            as[ak][am] = m0 + am < M && k0 + ak < K ? a(m0 + am, k0 + ak) : 0.0f;
            bs[bk][bn] = n0 + bn < Nc && k0 + bk < K ? b(k0 + bk, n0 + bn) : 0.0f;
        }
        __syncthreads();
        float slice[4][4] = {{0.0f}};
        for (int k = 0; k < MLC_TILE_K; k++)
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    slice[i][j] += as[k][ty + 16 * i] * bs[k][tx + 16 * j];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                acc[i][j] += (double)slice[i][j];
    }
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            if (m0 + ty + 16 * i < M && n0 + tx + 16 * j < Nc)
                store(m0 + ty + 16 * i, n0 + tx + 16 * j, (float)acc[i][j]);
}

/* out[e] = the sum of parts[p * size + e] over p = 0, 1, ..., nparts - 1, in that order: a
 * convolution's weight gradient from its parts of the batch. */
__global__ void mlc_cuda_sum_parts_kernel(const float *parts, int64_t nparts, int64_t size,
                                          float *out) {
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < size; e += stride) {
        float sum = parts[e];
        for (int64_t p = 1; p < nparts; p++)
            sum += parts[p * size + e];
        out[e] = sum;
    }
}
static inline void mlc_cuda_sum_parts(const float *parts, int64_t nparts, int64_t size,
                                      float *out) {
    MLC_LAUNCH(mlc_cuda_sum_parts_kernel, mlc_blocks(size), MLC_THREADS, parts, nparts, size, out);
}

/* y[0 .. total - 1] = 0 (what a pad's copy does not write). */
__global__ void mlc_cuda_zero_kernel(float *y, int64_t total) {
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += stride)
        y[e] = 0.0f;
}
static inline void mlc_cuda_zero(float *y, int64_t total) {
    MLC_LAUNCH(mlc_cuda_zero_kernel, mlc_blocks(total), MLC_THREADS, y, total);
}

/* ---- dropout's seed, made on the device ----------------------------------------------------
 * A kernel that draws dropout masks reads the step's seed from device memory, dseed[0]. The
 * training forward pass makes it first, on the device, from the run's seed and the step's
 * number, dseed[1], which it then counts on (mlc_cuda_seed): so a graph that replays a step
 * makes that step's seed, the one the C target's runtime hands its kernels. The host uploads
 * the number only where the device would not count to it (the first step, a resumed run,
 * --grads), which is never inside a capture (a step is captured the second time its
 * arguments come, right after the first). */
__global__ void mlc_cuda_seed_kernel(uint64_t base, uint64_t *dseed) {
    if (blockIdx.x == 0 && threadIdx.x == 0) {
        dseed[0] = mlc_step_seed(base, dseed[1]);
        dseed[1]++;
    }
}
static uint64_t mlc_seed_next = UINT64_MAX; /* the step number dseed[1] holds */
static inline void mlc_cuda_seed(uint64_t *dseed, uint64_t base, uint64_t step) {
    if (step != mlc_seed_next)
        mlc_cuda_upload(dseed + 1, &step, sizeof step);
    MLC_LAUNCH(mlc_cuda_seed_kernel, 1, 32, base, dseed);
    mlc_seed_next = step + 1;
}
/* A step that a graph replayed made its seed on the device, which counted on. */
static inline void mlc_cuda_seed_replayed(void) {
    mlc_seed_next++;
}

/* ---- CUDA Graphs ----------------------------------------------------------------------------
 * Unless MLC_CUDA_GRAPHS=0, a training step (train_step) is replayed as a graph: one launch
 * instead of one per kernel. A graph keeps the arguments it was captured with, so each set of
 * arguments (the batch's device pointers and size, and the rate: the full batch, the last
 * smaller one, a new epoch's rate) has a graph of its own, the MLC_GRAPHS used last kept. The
 * first step with a set of arguments runs as it is, so that cuBLAS and cuBLASLt set
 * themselves up (load their kernels, choose algorithms) outside a capture; the second is
 * captured (and run), the rest replay it. A model with dropout makes each step's seed on the
 * device (mlc_cuda_seed), so its steps replay too. */
#ifdef MLC_CUDA_EMU
typedef MlcEmuGraph *MlcGraphExec;
#else
typedef cudaGraphExec_t MlcGraphExec;
#endif
enum {
    MLC_GRAPHS = 4
};
typedef struct MlcGraph {
    const void *state, *x, *y;
    int64_t n;
    float lr;
    bool captured; /* exec holds the step's graph; else the step has run once as it is */
    uint64_t used; /* when it was last used: the least recently used makes room */
    MlcGraphExec exec;
} MlcGraph;
static struct {
    MlcGraph graph[MLC_GRAPHS];
    int n;
    uint64_t clock;
    MlcGraph *capturing; /* the graph being captured, or NULL */
} mlc_graphs;

static void mlc_graph_destroy(MlcGraph *g) {
    if (!g->captured)
        return;
#ifdef MLC_CUDA_EMU
    delete g->exec;
#else
    MLC_CUDA_CHECK(cudaGraphExecDestroy(g->exec));
#endif
    g->captured = false;
}

/* At the start of a step: true after replaying the graph of a step with these arguments;
 * false when the step must run its launches (captured, the second time). */
static inline bool mlc_graph_replay(const void *state, const void *x, const void *y, int64_t n,
                                    float lr) {
    if (!mlc_graphs_on())
        return false;
    MlcGraph *g = NULL;
    for (int i = 0; i < mlc_graphs.n && !g; i++) {
        MlcGraph *h = &mlc_graphs.graph[i];
        if (h->state == state && h->x == x && h->y == y && h->n == n && h->lr == lr)
            g = h;
    }
    if (g && g->captured) {
        g->used = ++mlc_graphs.clock;
#ifdef MLC_CUDA_EMU
        mlc_emu_graph_replay(g->exec);
#else
        MLC_CUDA_CHECK(cudaGraphLaunch(g->exec, mlc_stream));
#endif
        return true;
    }
    if (g) { /* the second step with these arguments: captured */
        g->used = ++mlc_graphs.clock;
        mlc_graphs.capturing = g;
#ifdef MLC_CUDA_EMU
        mlc_emu_graph_begin();
#else
        MLC_CUDA_CHECK(cudaStreamBeginCapture(mlc_stream, cudaStreamCaptureModeThreadLocal));
        mlc_capturing = true;
#endif
        return false;
    }
    /* the first: remembered, and run as it is */
    if (mlc_graphs.n < MLC_GRAPHS) {
        g = &mlc_graphs.graph[mlc_graphs.n++];
    } else {
        g = &mlc_graphs.graph[0];
        for (int i = 1; i < MLC_GRAPHS; i++)
            if (mlc_graphs.graph[i].used < g->used)
                g = &mlc_graphs.graph[i];
        mlc_graph_destroy(g);
    }
    g->state = state, g->x = x, g->y = y, g->n = n, g->lr = lr;
    g->captured = false;
    g->used = ++mlc_graphs.clock;
    return false;
}

/* At the end of a step: a step that was captured is made a graph and run. */
static inline void mlc_graph_end(void) {
    MlcGraph *g = mlc_graphs.capturing;
    if (!g)
        return;
    mlc_graphs.capturing = NULL;
#ifdef MLC_CUDA_EMU
    g->exec = mlc_emu_graph_end();
    mlc_emu_graph_replay(g->exec);
#else
    cudaGraph_t graph;
    MLC_CUDA_CHECK(cudaStreamEndCapture(mlc_stream, &graph));
    MLC_CUDA_CHECK(cudaGraphInstantiate(&g->exec, graph, 0));
    mlc_capturing = false;
    MLC_CUDA_CHECK(cudaGraphDestroy(graph));
    MLC_CUDA_CHECK(cudaGraphLaunch(g->exec, mlc_stream));
#endif
    g->captured = true;
}

#endif
