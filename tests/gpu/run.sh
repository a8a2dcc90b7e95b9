#!/bin/sh
# run.sh [--no-gpu] [--emu] [DATA]: the CUDA target on a GPU machine, in one call of a few
# minutes. Every step runs even when an earlier one disagrees; the end lists what failed.
#   1. builds mlc (build-gpu/, Release); with --emu also the CUDA tests of the CPU emulation
#      (ctest -L cuda, which CI runs anyway);
#   2. the fashion trainer, built with the c and the cuda targets from one set of initial
#      weights, trained $EPOCHS epochs (default 5) at batch 64: every loss printed in epoch 1
#      within 1e-4 relative; each run's time per epoch and per step (--time);
#   3. the same on the GPU without CUDA Graphs and cuBLASLt's epilogues (MLC_CUDA_GRAPHS=0
#      MLC_CUBLASLT=0: every kernel launched, each product's epilogue a kernel): the same
#      losses, its times;
#   4. batch 1024 (2 epochs), and the training step's products alone through cuBLAS as many
#      times as an epoch runs them (tests/gpu/gemm_time.cu): the epoch's time over theirs
#      (the aim: at most 2);
#   5. for every model of tests/grad, the fuzz corpus and autograd_demo: the loss and every
#      gradient on one batch (--grads) on the GPU against the C target's, within 1e-4
#      relative or 1e-5 absolute (the products sum in cuBLAS's order): which op is wrong,
#      if one is;
#   6. the GPU at batch 64 with --tf32 (reported); the CNN (models/fashion_cnn.model) for an
#      epoch on both (its losses reported);
#   7. with compute-sanitizer (if the toolkit has it, and SANITIZE is not 0): memcheck on the
#      fashion trainer and the CNN, racecheck (shared memory) on the CNN, an epoch of the
#      tests' 2048 samples at batch 256, each cut off after 120 s.
# The times come first, so that a run cut short still has them.
# DATA is FashionMNIST's directory (default data/fashion-mnist, else the tests' subset of 2048
# samples; the device tool carries data/fashion-mnist when asked to). --no-gpu runs step 1
# and the CPU part of step 2: what can be checked without a GPU. The whole output is worth
# keeping: it has the times and every difference.
# Exit status 0 when everything ran and agreed.
set -u
gpu=1 emu=0
while [ $# -gt 0 ]; do
    case $1 in
    --no-gpu) gpu=0 ;;
    --emu) emu=1 ;;
    *) break ;;
    esac
    shift
done
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$src/build-gpu}
work=$build/gpu-run
epochs=${EPOCHS:-5}
subset=$src/tests/e2e/data
data=${1:-$src/data/fashion-mnist}
if [ ! -e "$data/train-images-idx3-ubyte.gz" ] && [ ! -e "$data/train-images-idx3-ubyte" ]; then
    echo "run.sh: no FashionMNIST in $data (scripts/get-data.sh gets it); using the tests'" \
        "subset of 2048 samples"
    data=$subset
fi
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
failed=""
# failure NAME: NAME joins the list of what failed
failure() {
    failed="$failed $1"
    echo "run.sh: FAILED: $1"
}

echo "== the machine"
if [ $gpu = 1 ]; then
    nvidia-smi -L || { echo "run.sh: nvidia-smi finds no GPU (run with --no-gpu)"; exit 1; }
    nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,memory.total --format=csv
fi
nvcc=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
"$nvcc" --version | tail -1

echo "== build"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 1
cmake --build "$build" -j"$jobs" >"$build/build.log" 2>&1 || { tail -30 "$build/build.log"; exit 1; }
mlc=$build/mlc
compare_st=$build/tests/st_compare
mkdir -p "$work"
if [ $emu = 1 ]; then
    if (cd "$build" && ctest -L cuda -j"$jobs" --output-on-failure >"$build/cuda-tests.log" 2>&1)
    then
        grep "tests passed" "$build/cuda-tests.log"
    else
        tail -40 "$build/cuda-tests.log"
        failure "ctest -L cuda (all of it: $build/cuda-tests.log)"
    fi
fi

# grads MODEL: its --grads on the GPU against the C target's (both built before)
grads() {
    model=$1 name=$(basename "$1" .model)
    batch=${model%.model}_batch.safetensors
    if [ -f "$batch" ]; then
        set -- "inputs" "--inputs $batch"
    else
        set -- "batch1" "--batch 1" "batch7" "--batch 7"
    fi
    while [ $# -gt 0 ]; do
        label=$1 opts=$2
        shift 2
        out=$work/g/${name}_$label
        # shellcheck disable=SC2086 # the options are words
        if ! "$work/g/${name}_c" $opts --grads "${out}_c.st" >"$out.log" 2>&1 ||
            ! "$work/g/${name}_gpu" $opts --grads "${out}_gpu.st" >>"$out.log" 2>&1 ||
            ! "$compare_st" "${out}_c.st" "${out}_gpu.st" 1e-4 1e-5 >>"$out.log" 2>&1; then
            grep -v " ok$" "$out.log" | tail -12
            failure "gradients of $name ($label)"
        fi
    done
}

echo "== the trainers"
"$mlc" "$src/models/fashion.model" -o "$work/train_c" || exit 1
start=$(date +%s)
"$mlc" "$src/models/fashion.model" --target cuda -o "$work/train_gpu" || exit 1
echo "mlc --target cuda: built in $(($(date +%s) - start)) s"
"$mlc" "$src/models/fashion.model" --emit cuda | wc -c | sed 's/$/ bytes of CUDA/'
"$work/train_c" --data "$data" --epochs 0 --save "$work/init.safetensors" --no-checkpoint \
    >/dev/null

# run NAME PROGRAM OPTIONS...: trains from the initial weights; NAME.txt, NAME.time
run() {
    name=$1 prog=$2
    shift 2
    if ! "$prog" --data "$data" --load "$work/init.safetensors" --no-progress --time "$@" \
        >"$work/$name.txt" 2>"$work/$name.time"; then
        tail -5 "$work/$name.txt" "$work/$name.time"
        failure "the run $name ($prog $*)"
    fi
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
# required A B TOL EPOCH: compare, and a failure if they differ
required() {
    compare "$@" || failure "losses of $2 against $1"
}

steps=$(awk -v n="$(zcat -f "$data"/train-labels-idx1-ubyte* | wc -c)" \
    'BEGIN { printf "%d", (n - 8 + 63) / 64 }')
echo "== batch 64, $epochs epochs on the CPU ($steps steps per epoch)"
run cpu64 "$work/train_c" --epochs "$epochs"
report cpu64 "$steps"
if [ $gpu = 0 ]; then
    echo "run.sh: --no-gpu: stopping before the GPU runs${failed:+; FAILED:$failed}"
    [ -z "$failed" ]
    exit
fi

echo "== batch 64, $epochs epochs on the GPU, each step a CUDA Graph (the default)"
run gpu64 "$work/train_gpu" --epochs "$epochs"
report gpu64 "$steps"
echo "epoch 1, GPU against CPU:"
required cpu64 gpu64 1e-4 1
echo "every epoch, GPU against CPU (for the record):"
compare cpu64 gpu64 1 0

echo "== batch 64, $epochs epochs on the GPU, every kernel launched, no cuBLASLt"
MLC_CUDA_GRAPHS=0 MLC_CUBLASLT=0 run plain64 "$work/train_gpu" --epochs "$epochs"
report plain64 "$steps"
echo "epoch 1, GPU without graphs and cuBLASLt against CPU:"
required cpu64 plain64 1e-4 1
echo "every epoch, without graphs and cuBLASLt against with them (reported: cuBLASLt may sum"
echo "in another order than cuBLAS):"
compare gpu64 plain64 1e-6 0

steps1024=$(((steps * 64 + 1023) / 1024))
echo "== batch 1024, 2 epochs ($steps1024 steps per epoch)"
run cpu1024 "$work/train_c" --epochs 2 --batch 1024
report cpu1024 "$steps1024"
run gpu1024 "$work/train_gpu" --epochs 2 --batch 1024
report gpu1024 "$steps1024"
required cpu1024 gpu1024 1e-4 1
echo "the training step's products alone (cuBLAS, tests/gpu/gemm_time.cu), $steps1024 steps:"
# each mlc_gemm call of the program at N = 1024, but the SGD-folded copies (alpha -lr) of the
# weight gradients' products (fashion has no separate evaluation pass)
"$mlc" "$src/models/fashion.model" --emit cuda | awk -v N=1024 '
    /^ *mlc_gemm\(/ { call = ""; p = 1 }
    p { call = call $0 }
    p && /\);/ { p = 0; sub(/.*mlc_gemm\(/, "", call); split(call, a, / *, */)
        if (a[6] == "-lr") next
        for (i = 3; i <= 5; i++) { v = a[i]; gsub(/N/, N, v)
            if (split(v, f, / *\* */) == 2) v = f[1] * f[2]; a[i] = v }
        print a[1], a[2], a[3], a[4], a[5] }' >"$work/products.txt"
if "$nvcc" -O2 -std=c++17 -arch=native "$src/tests/gpu/gemm_time.cu" -lcublas \
    -o "$work/gemm_time" && "$work/gemm_time" "$steps1024" <"$work/products.txt" >"$work/gemm.txt"
then
    cat "$work/gemm.txt"
    awk -v gemm="$(awk '{ print $7 }' "$work/gemm.txt")" '/^time: epoch/ { t += $5; n++ }
        END { printf "an epoch at batch 1024: %.4f s, its products alone %.4f s: %.2f times" \
            " (the aim: at most 2)\n", t / n, gemm, t / n / gemm }' "$work/gpu1024.time"
else
    failure "timing the products alone (gemm_time)"
fi

echo "== gradients on the GPU against the CPU, every test model"
mkdir -p "$work/g"
start=$(date +%s)
models=$(ls "$src"/tests/grad/*.model "$src"/tests/fuzz/corpus/*.model \
    "$src/models/autograd_demo.model")
# both targets' programs, $jobs models at a time
# shellcheck disable=SC2016 # the script's variables are its own
echo "$models" | xargs -n 1 -P "$jobs" sh -c 'n=$(basename "$2" .model)
    "$0" "$2" -o "$1/${n}_c" && "$0" "$2" --target cuda -o "$1/${n}_gpu" ||
        echo "run.sh: FAILED to build $2"' "$mlc" "$work/g"
echo "built $(echo "$models" | wc -w) models for both targets in $(($(date +%s) - start)) s"
before=$(echo "$failed" | wc -w)
for m in $models; do
    grads "$m"
done
echo "gradients: $(($(echo "$failed" | wc -w) - before)) models disagree of" \
    "$(echo "$models" | wc -w), in $(($(date +%s) - start)) s with the builds"

echo "== batch 64 on the GPU with --tf32 (reported)"
run tf32 "$work/train_gpu" --epochs 1 --tf32
report tf32 "$steps"
compare cpu64 tf32 1 1

echo "== the CNN (models/fashion_cnn.model), 1 epoch at batch 64"
if ! "$mlc" "$src/models/fashion_cnn.model" -o "$work/train_cnn_c" ||
    ! "$mlc" "$src/models/fashion_cnn.model" --target cuda -o "$work/train_cnn_gpu"; then
    failure "building the CNN"
fi
cp "$work/init.safetensors" "$work/init_mlp.safetensors"
"$work/train_cnn_c" --data "$data" --epochs 0 --save "$work/init.safetensors" --no-checkpoint \
    >/dev/null
run cnn_gpu "$work/train_cnn_gpu" --epochs 1
report cnn_gpu "$steps"
run cnn_cpu "$work/train_cnn_c" --epochs 1
report cnn_cpu "$steps"
echo "epoch 1, the CNN on the GPU against the CPU (its sums run in another order, and a"
echo "convolution's bias before batch norm has a gradient of 0 up to rounding, so this is"
echo "reported, not required):"
compare cnn_cpu cnn_gpu 1e-4 1

sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
if [ "${SANITIZE:-1}" = 0 ]; then
    echo "== compute-sanitizer: skipped (SANITIZE=0)"
elif [ -x "$sanitizer" ]; then
    echo "== compute-sanitizer, an epoch of the tests' 2048 samples at batch 256"
    # sanitize TOOL PROGRAM WEIGHTS
    sanitize() {
        log=$work/sanitize_$1_$(basename "$2").log
        if timeout 120 "$sanitizer" --tool "$1" --error-exitcode 9 "$2" --data "$subset" \
            --epochs 1 --batch 256 --load "$3" --no-progress >"$log" 2>&1; then
            echo "$1 $(basename "$2"): $(tail -1 "$log")"
        else
            grep -m 20 "=========" "$log"
            failure "compute-sanitizer --tool $1 on $(basename "$2") ($log)"
        fi
    }
    sanitize memcheck "$work/train_gpu" "$work/init_mlp.safetensors"
    sanitize memcheck "$work/train_cnn_gpu" "$work/init.safetensors"
    sanitize racecheck "$work/train_cnn_gpu" "$work/init.safetensors"
else
    echo "== no compute-sanitizer in this toolkit: skipped"
fi

if [ -n "$failed" ]; then
    echo "run.sh: done; FAILED:$failed"
    exit 1
fi
echo "run.sh: done, everything agreed"
