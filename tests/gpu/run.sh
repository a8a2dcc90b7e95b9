#!/bin/sh
# run.sh [--no-gpu] [DATA]: the CUDA target on a GPU machine, in one call.
#   1. builds mlc (build-gpu/, Release) and runs the CUDA tests (ctest -L cuda: the kernels
#      in the CPU emulation against the C target, and nvcc for sm_80 and sm_90);
#   2. builds the fashion trainer twice, with the c target and the cuda target, and writes
#      one set of initial weights;
#   3. trains both from those weights for $EPOCHS epochs (default 5) at batch 64, and checks
#      that every loss printed in epoch 1 agrees within 1e-4 relative; prints each run's
#      time per epoch and per step (--time), and the largest difference of each epoch's test
#      loss;
#   4. the GPU run again with each training step replayed as a CUDA Graph
#      (MLC_CUDA_GRAPHS=1): the same losses, and its times;
#   5. the same at batch 1024 (2 epochs); the CNN for an epoch on both (its losses
#      reported); the GPU at batch 64 with --tf32.
# DATA is FashionMNIST's directory (default data/fashion-mnist, else the tests' 2048-sample
# subset). --no-gpu stops after step 2 and the CPU run: what can be checked without a GPU.
# Exit status 0 when everything ran and agreed.
set -eu
gpu=1
if [ "${1:-}" = --no-gpu ]; then
    gpu=0
    shift
fi
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$src/build-gpu}
work=$build/gpu-run
epochs=${EPOCHS:-5}
data=${1:-$src/data/fashion-mnist}
if [ ! -e "$data/train-images-idx3-ubyte.gz" ] && [ ! -e "$data/train-images-idx3-ubyte" ]; then
    echo "run.sh: no FashionMNIST in $data (scripts/get-data.sh gets it); using the tests'" \
        "subset of 2048 samples"
    data=$src/tests/e2e/data
fi
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}

echo "== the machine"
if [ $gpu = 1 ]; then
    nvidia-smi -L || { echo "run.sh: nvidia-smi finds no GPU (run with --no-gpu)"; exit 1; }
fi
nvcc=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
"$nvcc" --version | tail -1

echo "== build and the CUDA tests"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$jobs" >/dev/null
if ! (cd "$build" && ctest -L cuda -j"$jobs" --output-on-failure >"$build/cuda-tests.log" 2>&1)
then
    tail -40 "$build/cuda-tests.log"
    echo "run.sh: the CUDA tests failed (all of it: $build/cuda-tests.log)"
    exit 1
fi
grep "tests passed" "$build/cuda-tests.log"

echo "== the trainers"
mkdir -p "$work"
mlc=$build/mlc
"$mlc" "$src/models/fashion.model" -o "$work/train_c"
start=$(date +%s)
"$mlc" "$src/models/fashion.model" --target cuda -o "$work/train_gpu"
echo "mlc --target cuda: built in $(($(date +%s) - start)) s"
"$mlc" "$src/models/fashion.model" --emit cuda | wc -c | sed 's/$/ bytes of CUDA/'
"$work/train_c" --data "$data" --epochs 0 --save "$work/init.safetensors" --no-checkpoint \
    >/dev/null

# run NAME PROGRAM OPTIONS...: trains from the initial weights; NAME.txt, NAME.time
run() {
    name=$1 prog=$2
    shift 2
    "$prog" --data "$data" --load "$work/init.safetensors" --no-progress --time "$@" \
        >"$work/$name.txt" 2>"$work/$name.time"
}

# report NAME STEPS: seconds per epoch (training, then the test pass) and per step
report() {
    awk -v name="$1" -v steps="$2" '
        /^time: epoch/ { t = $5; e = $8; n++; sum += t
            printf "%-10s epoch %s: train %.4f s (%.1f us per step), test %.4f s\n", name, n,
                t, 1e6 * t / steps, e }
        END { if (n) printf "%-10s mean: %.4f s per epoch, %.1f us per step\n", name,
                sum / n, 1e6 * sum / n / steps }' "$work/$1.time"
}

# compare A B TOL EPOCH: the loss lines of epoch EPOCH (or all, with 0) within TOL relative
compare() {
    awk -v tol="$3" -v only="$4" '
        /^Epoch / { epoch = $2 }
        /^loss:/ || /Avg loss/ {
            if (only && epoch != only) next
            v = $0; sub(/.*loss: */, "", v); sub(/ .*/, "", v)
            if (NR == FNR) { want[++n] = v; next }
            got = v; k++
            d = got - want[k]; if (d < 0) d = -d
            r = d / (want[k] < 0 ? -want[k] : want[k])
            if (r > worst) worst = r
            if (r > tol) { printf "loss %d: %s against %s\n", k, got, want[k]; bad = 1 }
        }
        END {
            if (k != n) { printf "%d loss lines against %d\n", k, n; bad = 1 }
            printf "%d losses compared, largest relative difference %.2e (limit %g)\n", k,
                worst, tol
            exit bad }' "$work/$1.txt" "$work/$2.txt"
}

steps=$(awk -v n="$(zcat -f "$data"/train-labels-idx1-ubyte* | wc -c)" \
    'BEGIN { printf "%d", (n - 8 + 63) / 64 }')
echo "== batch 64, $epochs epochs on the CPU ($steps steps per epoch)"
run cpu64 "$work/train_c" --epochs "$epochs"
report cpu64 "$steps"
if [ $gpu = 0 ]; then
    echo "run.sh: --no-gpu: stopping before the GPU runs"
    exit 0
fi

echo "== batch 64, $epochs epochs on the GPU"
run gpu64 "$work/train_gpu" --epochs "$epochs"
report gpu64 "$steps"
echo "epoch 1, GPU against CPU:"
compare cpu64 gpu64 1e-4 1
echo "every epoch, GPU against CPU (for the record):"
compare cpu64 gpu64 1 0 || true

echo "== batch 64, $epochs epochs on the GPU, each step a CUDA Graph (MLC_CUDA_GRAPHS=1)"
MLC_CUDA_GRAPHS=1 run graph64 "$work/train_gpu" --epochs "$epochs"
report graph64 "$steps"
echo "epoch 1, GPU with graphs against CPU:"
compare cpu64 graph64 1e-4 1
echo "every epoch, with graphs against without (reported: cuBLAS may pick other kernels"
echo "with the workspace the graphs set):"
compare gpu64 graph64 1e-6 0 || true

steps1024=$(( (steps * 64 + 1023) / 1024 ))
echo "== batch 1024, 2 epochs ($steps1024 steps per epoch)"
run cpu1024 "$work/train_c" --epochs 2 --batch 1024
report cpu1024 "$steps1024"
run gpu1024 "$work/train_gpu" --epochs 2 --batch 1024
report gpu1024 "$steps1024"
compare cpu1024 gpu1024 1e-4 1

echo "== the CNN (models/fashion_cnn.model), 1 epoch at batch 64"
"$mlc" "$src/models/fashion_cnn.model" -o "$work/train_cnn_c"
"$mlc" "$src/models/fashion_cnn.model" --target cuda -o "$work/train_cnn_gpu"
"$work/train_cnn_c" --data "$data" --epochs 0 --save "$work/init.safetensors" --no-checkpoint \
    >/dev/null
run cnn_cpu "$work/train_cnn_c" --epochs 1
report cnn_cpu "$steps"
run cnn_gpu "$work/train_cnn_gpu" --epochs 1
report cnn_gpu "$steps"
echo "epoch 1, the CNN on the GPU against the CPU (its weight gradients sum the images in"
echo "another order, so this is reported, not required):"
compare cnn_cpu cnn_gpu 1e-4 1 || true

echo "== batch 64 on the GPU with --tf32"
"$work/train_c" --data "$data" --epochs 0 --save "$work/init.safetensors" --no-checkpoint \
    >/dev/null
run tf32 "$work/train_gpu" --epochs 1 --tf32
report tf32 "$steps"
compare cpu64 tf32 1 1 || true
echo "run.sh: done"
