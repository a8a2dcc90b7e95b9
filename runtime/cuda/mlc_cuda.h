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
/* Every launch and product goes to mlc_stream: the legacy default stream, or with CUDA
 * Graphs a stream of its own (a capture needs one). */
static cudaStream_t mlc_stream;
#define MLC_LAUNCH(kernel, blocks, threads, ...)                                      \
    do {                                                                              \
        kernel<<<(blocks), (threads), 0, mlc_stream>>>(__VA_ARGS__);                  \
        mlc_cuda_check(cudaGetLastError(), "launch of " #kernel, __FILE__, __LINE__); \
    } while (0)
static cublasHandle_t mlc_cublas;
#endif

/* CUDA Graphs for the training step: on, unless MLC_CUDA_GRAPHS=0 is set in the environment. */
static bool mlc_graphs_on(void) {
    static int on = -1;
    if (on < 0) {
        const char *e = getenv("MLC_CUDA_GRAPHS");
        on = !(e && strcmp(e, "0") == 0);
    }
    return on == 1;
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
    if (mlc_graphs_on()) {
        /* a stream to capture (blocking: the copies on the legacy stream wait for it), and
         * a workspace of cuBLAS's own, which it must not allocate while captured */
        static void *workspace;
        const size_t bytes = 32u << 20;
        MLC_CUDA_CHECK(cudaStreamCreate(&mlc_stream));
        MLC_CUBLAS_CHECK(cublasSetStream(mlc_cublas, mlc_stream));
        MLC_CUDA_CHECK(cudaMalloc(&workspace, bytes));
        MLC_CUBLAS_CHECK(cublasSetWorkspace(mlc_cublas, workspace, bytes));
    }
    /* FP32 products as on the CPU, unless --tf32 */
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

/* ---- image ops -----------------------------------------------------------------------------
 * A convolution is, per image (and group), columns and one product, as in the C target; these
 * are the columns (im2col), their sum back into an image (col2im) and the bias. Each value is
 * a copy, or a sum in the C target's order, so the results are the C target's. */

/* cols[row][p ow + q] = x[ch][p sh - ph + i dh][q sw - pw + j dw] (0 in the padding), with
 * row = (ch kh + i) kw + j: one thread per entry. */
__global__ void mlc_cuda_im2col_kernel(const float *x, const MlcWindow g, float *cols) {
    const int64_t ncols = g.oh * g.ow, total = g.c * g.kh * g.kw * ncols;
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += stride) {
        const int64_t row = e / ncols, p = e % ncols / g.ow, q = e % g.ow;
        const int64_t j = row % g.kw, i = row / g.kw % g.kh, ch = row / (g.kw * g.kh);
        const int64_t r = mlc_window_at(p, i, g.sh, g.ph, g.dh);
        const int64_t c = mlc_window_at(q, j, g.sw, g.pw, g.dw);
        cols[e] = r >= 0 && r < g.h && c >= 0 && c < g.w ? x[(ch * g.h + r) * g.w + c] : 0.0f;
    }
}

/* x = the sum of the column entries taken from each of its positions (mlc_col2im): one thread
 * per position, adding in the order of (i, j), as mlc_col2im does. */
__global__ void mlc_cuda_col2im_kernel(const float *cols, const MlcWindow g, float *x) {
    const int64_t total = g.c * g.h * g.w, ncols = g.oh * g.ow;
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += stride) {
        const int64_t ch = e / (g.h * g.w), r = e / g.w % g.h, c = e % g.w;
        float sum = 0.0f;
        for (int64_t i = 0; i < g.kh; i++) {
            const int64_t at = r + g.ph - i * g.dh; /* = p sh */
            if (at < 0 || at % g.sh != 0 || at / g.sh >= g.oh)
                continue;
            for (int64_t j = 0; j < g.kw; j++) {
                const int64_t bt = c + g.pw - j * g.dw; /* = q sw */
                if (bt < 0 || bt % g.sw != 0 || bt / g.sw >= g.ow)
                    continue;
                sum += cols[((ch * g.kh + i) * g.kw + j) * ncols + at / g.sh * g.ow + bt / g.sw];
            }
        }
        x[e] = sum;
    }
}

static inline void mlc_cuda_im2col(const float *x, const MlcWindow *g, float *cols) {
    MLC_LAUNCH(mlc_cuda_im2col_kernel, mlc_blocks(g->c * g->kh * g->kw * g->oh * g->ow),
               MLC_THREADS, x, *g, cols);
}
static inline void mlc_cuda_col2im(const float *cols, const MlcWindow *g, float *x) {
    MLC_LAUNCH(mlc_cuda_col2im_kernel, mlc_blocks(g->c * g->h * g->w), MLC_THREADS, cols, *g, x);
}

/* y[n][c][k] = bias[c] for total values of planes of `plane` values, c in [0, channels). */
__global__ void mlc_cuda_bias_kernel(float *y, const float *bias, int64_t total, int64_t plane,
                                     int64_t channels) {
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += stride)
        y[e] = bias[e / plane % channels];
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

/* ---- CUDA Graphs ----------------------------------------------------------------------------
 * Unless MLC_CUDA_GRAPHS=0, a training step (train_step) is captured as a graph the first time
 * it runs with a given batch (its device pointers and size) and rate, and replayed after
 * that: one launch instead of one per kernel. What a graph keeps are the arguments as they
 * were when it was captured, so a step whose arguments change (the last, smaller batch of an
 * epoch, a new epoch's rate) is captured again; a model with dropout, whose masks change
 * every step, is never captured. */
static struct {
    bool valid, capturing;
    const void *state, *x, *y;
    int64_t n;
    float lr;
#ifndef MLC_CUDA_EMU
    cudaGraphExec_t exec;
#endif
} mlc_graph;

/* At the start of a step: true after replaying the graph of a step with these arguments;
 * false when the step must run its launches (which are captured, with graphs on). */
static inline bool mlc_graph_replay(const void *state, const void *x, const void *y, int64_t n,
                                    float lr) {
    if (!mlc_graphs_on())
        return false;
    if (mlc_graph.valid && mlc_graph.state == state && mlc_graph.x == x && mlc_graph.y == y &&
        mlc_graph.n == n && mlc_graph.lr == lr) {
#ifdef MLC_CUDA_EMU
        mlc_emu_graph_replay();
#else
        MLC_CUDA_CHECK(cudaGraphLaunch(mlc_graph.exec, mlc_stream));
#endif
        return true;
    }
#ifdef MLC_CUDA_EMU
    mlc_emu_graph_begin();
#else
    if (mlc_graph.valid)
        MLC_CUDA_CHECK(cudaGraphExecDestroy(mlc_graph.exec));
    MLC_CUDA_CHECK(cudaStreamBeginCapture(mlc_stream, cudaStreamCaptureModeThreadLocal));
    mlc_capturing = true;
#endif
    mlc_graph.valid = false;
    mlc_graph.capturing = true;
    mlc_graph.state = state;
    mlc_graph.x = x;
    mlc_graph.y = y;
    mlc_graph.n = n;
    mlc_graph.lr = lr;
    return false;
}

/* At the end of a step: a step that was captured is made a graph and run. */
static inline void mlc_graph_end(void) {
    if (!mlc_graph.capturing)
        return;
    mlc_graph.capturing = false;
#ifdef MLC_CUDA_EMU
    mlc_emu_graph_end();
    mlc_emu_graph_replay();
#else
    cudaGraph_t graph;
    MLC_CUDA_CHECK(cudaStreamEndCapture(mlc_stream, &graph));
    MLC_CUDA_CHECK(cudaGraphInstantiate(&mlc_graph.exec, graph, 0));
    mlc_capturing = false;
    MLC_CUDA_CHECK(cudaGraphDestroy(graph));
    MLC_CUDA_CHECK(cudaGraphLaunch(mlc_graph.exec, mlc_stream));
#endif
    mlc_graph.valid = true;
}

#endif
