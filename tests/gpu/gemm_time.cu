/* gemm_time: the time a list of products takes on the GPU through cuBLAS alone, repeated as
 * a training loop repeats them; the yardstick for "an epoch takes at most twice the time of
 * its cuBLAS GEMMs" (tests/gpu/run.sh).
 *
 *   gemm_time STEPS [--tf32] < PRODUCTS
 *
 * PRODUCTS has one product per line, "ta tb m n k" as the CUDA target's mlc_gemm takes them
 * (row-major C = op(A) op(B), op(A) m x k, op(B) k x n; ta, tb: true or false). Every
 * product gets its own operands (zeros) and runs with the generated programs' cuBLAS setup:
 * a stream of its own, a 32 MiB workspace, FP32 unless --tf32. Prints the time per step
 * (one pass over the list) and for all STEPS, after one pass to warm up.
 */
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vector>

#define CHECK(call)                                                                          \
    do {                                                                                     \
        cudaError_t e_ = (call);                                                             \
        if (e_ != cudaSuccess) {                                                             \
            fprintf(stderr, "gemm_time: %s failed: %s\n", #call, cudaGetErrorString(e_));    \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)
#define CHECK_BLAS(call)                                                                     \
    do {                                                                                     \
        cublasStatus_t s_ = (call);                                                          \
        if (s_ != CUBLAS_STATUS_SUCCESS) {                                                   \
            fprintf(stderr, "gemm_time: %s failed: %s\n", #call, cublasGetStatusString(s_)); \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

struct Product {
    bool ta, tb;
    int m, n, k;
    float *a, *b, *c;
};

static bool parse_bool(const char *s, bool *v) {
    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
        return *v = true, true;
    if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
        return *v = false, true;
    return false;
}

/* one pass over the list, as mlc_gemm runs each product (cuBLAS is column-major: B first) */
static void run(cublasHandle_t h, const std::vector<Product> &list) {
    const float one = 1.0f, zero = 0.0f;
    for (const Product &p : list)
        CHECK_BLAS(cublasSgemm(h, p.tb ? CUBLAS_OP_T : CUBLAS_OP_N, p.ta ? CUBLAS_OP_T : CUBLAS_OP_N,
                               p.n, p.m, p.k, &one, p.b, p.tb ? p.k : p.n, p.a,
                               p.ta ? p.m : p.k, &zero, p.c, p.n));
}

int main(int argc, char **argv) {
    if (argc < 2 || atoi(argv[1]) < 1 || (argc > 2 && strcmp(argv[2], "--tf32") != 0)) {
        fprintf(stderr, "usage: gemm_time STEPS [--tf32] < PRODUCTS (lines: ta tb m n k)\n");
        return 2;
    }
    const int steps = atoi(argv[1]);
    const bool tf32 = argc > 2;
    std::vector<Product> list;
    char ta[16], tb[16];
    int m, n, k, line = 0;
    while (++line, scanf("%15s %15s %d %d %d", ta, tb, &m, &n, &k) == 5) {
        Product p = {};
        if (!parse_bool(ta, &p.ta) || !parse_bool(tb, &p.tb) || m < 1 || n < 1 || k < 1) {
            fprintf(stderr, "gemm_time: line %d: expected 'ta tb m n k'\n", line);
            return 2;
        }
        p.m = m, p.n = n, p.k = k;
        CHECK(cudaMalloc(&p.a, sizeof(float) * m * k));
        CHECK(cudaMalloc(&p.b, sizeof(float) * k * n));
        CHECK(cudaMalloc(&p.c, sizeof(float) * m * n));
        CHECK(cudaMemset(p.a, 0, sizeof(float) * m * k));
        CHECK(cudaMemset(p.b, 0, sizeof(float) * k * n));
        list.push_back(p);
    }
    if (list.empty()) {
        fprintf(stderr, "gemm_time: no products on the standard input\n");
        return 2;
    }
    cublasHandle_t h;
    cudaStream_t stream;
    void *workspace;
    const size_t bytes = 32u << 20;
    CHECK_BLAS(cublasCreate(&h));
    CHECK(cudaStreamCreate(&stream));
    CHECK_BLAS(cublasSetStream(h, stream));
    CHECK(cudaMalloc(&workspace, bytes));
    CHECK_BLAS(cublasSetWorkspace(h, workspace, bytes));
    CHECK_BLAS(cublasSetMathMode(h, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
    run(h, list); /* warm up */
    cudaEvent_t start, stop;
    CHECK(cudaEventCreate(&start));
    CHECK(cudaEventCreate(&stop));
    CHECK(cudaEventRecord(start, stream));
    for (int s = 0; s < steps; s++)
        run(h, list);
    CHECK(cudaEventRecord(stop, stream));
    CHECK(cudaEventSynchronize(stop));
    float ms = 0.0f;
    CHECK(cudaEventElapsedTime(&ms, start, stop));
    printf("%zu products a step, %d steps: %.4f s, %.1f us per step\n", list.size(), steps,
           ms / 1000.0, 1000.0 * ms / steps);
    return 0;
}
