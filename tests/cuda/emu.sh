#!/bin/sh
# emu.sh MLC ST_COMPARE MODEL WORKDIR [DATA [--no-train]]: the CUDA target's kernels against the
# C target's,
# in the emulation (runtime/cuda/mlc_cuda_emu.h), on the CPU.
#   1. mlc --emit cuda MODEL, compiled by the host C++ compiler with -DMLC_CUDA_EMU (every
#      CUDA thread a coroutine, OpenBLAS for cuBLAS), linked with the runtime;
#   2. the same model built by the C target;
#   3. both programs' --grads (the loss and every gradient on one batch: the first training
#      batch of DATA, the fuzz corpus's <name>_batch.safetensors, or the model's constant
#      input at batch 1 and 7) must agree within 1e-5 relative or 1e-6 absolute
#      (st_compare): a convolution's products sum in another order than OpenBLAS's (each
#      tile's k in order, the batch in parts), which moves a gradient of 0.1 by up to about
#      5e-7, and a bias before batch norm has a gradient of 0 up to rounding;
#   4. with DATA, one epoch of training in file order at the model's batch size, every
#      kernel launched and every product's epilogue a kernel of its own (MLC_CUDA_GRAPHS=0,
#      MLC_CUBLASLT=0; elsewhere a bias and relu go into the product, mlc_gemm_bias), and one
#      shuffled, at batch 100 (a partial last batch), with Adam (whose state stays on the
#      host): every printed loss and test line within 1e-5 relative, and the saved weights
#      of the second within 1e-5 relative (1e-6 absolute); the same for an epoch of SGD with
#      Nesterov momentum and weight decay. (Optimizers other than plain SGD update on the
#      device with the runtime's own element function, mlc_optim_update.) And two shuffled
#      epochs of plain SGD at batch 100 with CUDA Graphs (the default): each step captured
#      once per batch size and rate and replayed, as a CUDA Graph keeps it. From those weights: --eval,
#      --predict and --outputs against the C target's; and a run of two epochs against
#      one resumed from a checkpoint after the first, bit for bit.
# With --no-train, only step 3.
# Needs: $MLC_RUNTIME_LIB (libmlc_runtime.a), $MLC_CBLAS_INCLUDE, $MLC_EMU_LIBS (what the
# runtime links), $CXX (default c++; without one the test is skipped).
set -eu
mlc=$1 compare=$2 model=$3 work=$4 data=${5:-} train=${6:-}
name=$(basename "$model" .model)
src=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v "${CXX:-c++}" >/dev/null 2>&1; then
    echo "emu.sh: no C++ compiler (${CXX:-c++}; scripts/install-deps.sh installs g++): skipped"
    exit 77
fi
mkdir -p "$work"
"$mlc" --emit cuda "$model" >"$work/$name.cu"
${CXX:-c++} -std=c++17 -O1 -Wall -Wextra -Werror -DMLC_CUDA_EMU -I"$src/runtime" \
    -I"$src/runtime/cuda" -I"$MLC_CBLAS_INCLUDE" -x c++ "$work/$name.cu" -x none \
    "$MLC_RUNTIME_LIB" $MLC_EMU_LIBS -o "$work/${name}_emu"
"$mlc" "$model" -o "$work/${name}_c"

# the runs, as: label and the options of the program
batch=${model%.model}_batch.safetensors
if [ -n "$data" ]; then
    set -- "data" "--data $data"
elif [ -f "$batch" ]; then
    set -- "inputs" "--inputs $batch"
else
    set -- "batch1" "--batch 1" "batch7" "--batch 7"
fi
while [ $# -gt 0 ]; do
    label=$1 opts=$2
    shift 2
    # shellcheck disable=SC2086 # the options are words
    "$work/${name}_c" $opts --grads "$work/${name}_c_$label.safetensors"
    # shellcheck disable=SC2086
    "$work/${name}_emu" $opts --grads "$work/${name}_emu_$label.safetensors"
    echo "$name ($label): the cuda target's gradients against the c target's"
    "$compare" "$work/${name}_c_$label.safetensors" "$work/${name}_emu_$label.safetensors" 1e-5 1e-6
done

[ -n "$data" ] && [ "$train" != --no-train ] || exit 0
# same_lines A B: the same lines, the numbers in them within 1e-5 relative
same_lines() {
awk -v tol=1e-5 '
    NR == FNR { want[FNR] = $0; n = FNR; next }
    {
        if (!(FNR in want)) { print "extra line: " $0; bad = 1; next }
        na = split(want[FNR], a, /[ :\[\]\/%,]+/); nb = split($0, b, /[ :\[\]\/%,]+/)
        if (na != nb) { print "c:    " want[FNR] "\ncuda: " $0; bad = 1; next }
        for (i = 1; i <= na; i++) {
            if (a[i] == b[i]) continue
            d = a[i] - b[i]; if (d < 0) d = -d
            s = a[i] < 0 ? -a[i] : a[i]
            if (a[i] + 0 != a[i] || d > tol * s) { print "c:    " want[FNR] "\ncuda: " $0; bad = 1; break }
        }
        lines = FNR
    }
    END {
        if (lines != n) { print "cuda printed " lines " lines, c " n; bad = 1 }
        if (bad) exit 1
        print "training: " n " lines agree (numbers within " tol " relative)"
    }' "$1" "$2"
}
for prog in c emu; do
    MLC_CUDA_GRAPHS=0 MLC_CUBLASLT=0 "$work/${name}_$prog" --data "$data" --epochs 1 \
        >"$work/${name}_${prog}_1.txt"
    "$work/${name}_$prog" --data "$data" --epochs 1 --shuffle --batch 100 --optimizer adam \
        --save "$work/${name}_${prog}_adam.safetensors" --no-checkpoint >"$work/${name}_${prog}_2.txt"
    "$work/${name}_$prog" --data "$data" --epochs 1 --optimizer sgd --momentum 0.9 --nesterov \
        --weight-decay 1e-3 --lr 0.01 --save "$work/${name}_${prog}_sgd.safetensors" \
        --no-checkpoint --quiet >/dev/null
    "$work/${name}_$prog" --data "$data" --epochs 2 --shuffle --batch 100 \
        --save "$work/${name}_${prog}_graph.safetensors" --no-checkpoint >"$work/${name}_${prog}_3.txt"
done
same_lines "$work/${name}_c_1.txt" "$work/${name}_emu_1.txt"
same_lines "$work/${name}_c_2.txt" "$work/${name}_emu_2.txt"
same_lines "$work/${name}_c_3.txt" "$work/${name}_emu_3.txt"
echo "$name: the weights after a shuffled epoch with Adam"
"$compare" "$work/${name}_c_adam.safetensors" "$work/${name}_emu_adam.safetensors" 1e-5 1e-6
echo "$name: the weights after an epoch of SGD with Nesterov momentum and weight decay"
"$compare" "$work/${name}_c_sgd.safetensors" "$work/${name}_emu_sgd.safetensors" 1e-5 1e-6
echo "$name: the weights after two shuffled epochs of plain SGD, the step replayed as a graph"
"$compare" "$work/${name}_c_graph.safetensors" "$work/${name}_emu_graph.safetensors" 1e-5 1e-6

# evaluation from saved weights: --eval's lines, --predict's, --outputs' values
w=$work/${name}_c_graph.safetensors
for prog in c emu; do
    "$work/${name}_$prog" --data "$data" --load "$w" --eval --predict 3 \
        --outputs "$work/${name}_${prog}_outputs.safetensors" >"$work/${name}_${prog}_4.txt"
done
same_lines "$work/${name}_c_4.txt" "$work/${name}_emu_4.txt"
echo "$name: --outputs of the test set"
"$compare" "$work/${name}_c_outputs.safetensors" "$work/${name}_emu_outputs.safetensors" 1e-5 1e-7

# a checkpoint resumes on the device as on the host: bit for bit
e=$work/${name}_emu
$e --data "$data" --epochs 2 --optimizer sgd --momentum 0.9 --quiet --save "$e.full.safetensors" \
    --no-checkpoint >/dev/null
$e --data "$data" --epochs 1 --optimizer sgd --momentum 0.9 --quiet --checkpoint "$e.ck.safetensors" >/dev/null
$e --data "$data" --epochs 2 --optimizer sgd --momentum 0.9 --quiet --resume "$e.ck.safetensors" \
    --save "$e.resumed.safetensors" --no-checkpoint >/dev/null
echo "$name: two epochs against one and a resumed one (momentum SGD), bit for bit"
"$compare" "$e.full.safetensors" "$e.resumed.safetensors" 0 0

# what only one of the two programs does, said plainly
expect_error() { # PROGRAM MESSAGE OPTIONS...: exit status 1 and MESSAGE on stderr
    prog=$1 message=$2
    shift 2
    status=0
    "$prog" "$@" >/dev/null 2>"$work/err.txt" || status=$?
    if [ $status -ne 1 ] || ! grep -qF -e "$message" "$work/err.txt"; then
        echo "$(basename "$prog") $*: expected exit status 1 and '$message', got $status:"
        cat "$work/err.txt"
        exit 1
    fi
}
expect_error "$work/${name}_emu" "--check-grads runs on the CPU" --data "$data" --check-grads
expect_error "$work/${name}_c" "--tf32: this program runs on the CPU" --data "$data" --tf32
echo "$name: --check-grads on the device and --tf32 on the CPU are refused"
