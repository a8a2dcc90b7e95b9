#!/bin/sh
# nvcc.sh MLC WORKDIR: the cuda target with the real CUDA toolkit (skipped, status 77,
# where there is no nvcc).
#   1. every example model (models/*.model) and the grad models with the target's own
#      element functions, losses, layout and axis kernels: the .cu compiles with nvcc for sm_80 and sm_90 in one
#      call each, warnings as errors;
#   2. mlc --target cuda builds the fashion trainer (nvcc, cuBLAS, the runtime), and nvcc
#      builds tests/gpu/gemm_time.cu (run.sh's yardstick);
#   3. on a machine without a GPU, the trainer says so and exits 1 (on one with a GPU,
#      tests/gpu/run.sh runs it).
set -eu
mlc=$1 work=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
nvcc=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
if [ ! -x "$nvcc" ]; then
    echo "nvcc.sh: no nvcc (the CUDA toolkit): skipped"
    exit 77
fi
mkdir -p "$work"
for model in "$src"/models/*.model "$src"/tests/grad/dropout.model "$src"/tests/grad/losses.model \
    "$src"/tests/grad/activations.model "$src"/tests/grad/algebra.model \
    "$src"/tests/grad/adaptive_avgpool2d.model "$src"/tests/grad/batchnorm_frozen.model \
    "$src"/tests/grad/conv2d.model "$src"/tests/grad/batchnorm_fused.model; do
    name=$(basename "$model" .model)
    "$mlc" --emit cuda "$model" >"$work/$name.cu"
    start=$(date +%s)
    "$nvcc" -c -std=c++17 -O3 -Werror all-warnings -gencode arch=compute_80,code=sm_80 \
        -gencode arch=compute_90,code=sm_90 -I"$src/runtime" -I"$src/runtime/cuda" \
        "$work/$name.cu" -o "$work/$name.o"
    echo "$name: $(wc -c <"$work/$name.cu") bytes of CUDA, compiled for sm_80 and sm_90 in" \
        "$(($(date +%s) - start)) s"
done

"$mlc" "$src/models/fashion.model" --target cuda -o "$work/train_fashion_gpu"
"$nvcc" -std=c++17 -O2 -Werror all-warnings -gencode arch=compute_90,code=sm_90 \
    "$src/tests/gpu/gemm_time.cu" -lcublas -o "$work/gemm_time"
echo "tests/gpu/gemm_time.cu: built"
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    echo "a GPU is here: tests/gpu/run.sh runs the trainer"
    exit 0
fi
status=0
"$work/train_fashion_gpu" --data "$src/tests/e2e/data" --epochs 1 >"$work/out.txt" \
    2>"$work/err.txt" || status=$?
cat "$work/err.txt"
if [ "$status" -ne 1 ] || ! grep -q "^train_fashion_gpu: no CUDA device: " "$work/err.txt"; then
    echo "without a GPU the trainer must say so and exit 1 (it exited $status)"
    exit 1
fi
if [ -s "$work/out.txt" ]; then
    echo "without a GPU the trainer printed:"
    cat "$work/out.txt"
    exit 1
fi
echo "without a GPU: a clear error, exit status 1"
