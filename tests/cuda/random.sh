#!/bin/sh
# random.sh MLC ST_COMPARE FUZZ_MODELS WORKDIR [SEED [COUNT]]: random image models in the CUDA
# emulation against the C target. The fuzzer's generator (tests/fuzz/gen.c) prints COUNT
# models (default 160) from SEED (default 9000); each one with convolutions, pools or batch
# norm (about one in ten) goes through emu.sh (its loss and gradients at batch 1 and 7), and
# again at batch 40, where a convolution's weight gradient sums several images in each of
# its parts (within 1e-5 relative or 1e-6 absolute, as emu.sh). Exit status 1 if any differs.
set -eu
mlc=$1 compare=$2 fuzz=$3 work=$4 seed=${5:-9000} count=${6:-160}
src=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$work"
mkdir -p "$work/models"
"$fuzz" --print --seed "$seed" --count "$count" |
    awk -v dir="$work/models" '/^model /{ n++; f = sprintf("%s/r%03d.model", dir, n) } f { print > f }'
models=$(grep -l "conv2d\|pool2d\|batchnorm2d" "$work"/models/*.model || true)
if [ -z "$models" ]; then
    echo "random.sh: no image model among $count from seed $seed"
    exit 1
fi
failed=0 checked=0
for model in $models; do
    name=$(basename "$model" .model)
    status=0
    sh "$src/tests/cuda/emu.sh" "$mlc" "$compare" "$model" "$work" >"$work/$name.log" 2>&1 ||
        status=$?
    if [ $status -eq 77 ]; then
        cat "$work/$name.log"
        exit 77
    fi
    if [ $status -eq 0 ]; then
        "$work/${name}_c" --batch 40 --grads "$work/${name}_c_40.safetensors" >/dev/null &&
            "$work/${name}_emu" --batch 40 --grads "$work/${name}_emu_40.safetensors" >/dev/null &&
            "$compare" "$work/${name}_c_40.safetensors" "$work/${name}_emu_40.safetensors" 1e-5 \
                1e-6 >>"$work/$name.log" 2>&1 || status=$?
    fi
    checked=$((checked + 1))
    if [ $status -ne 0 ]; then
        failed=$((failed + 1))
        echo "$name ($(sed -n 's/^model //p' "$model")): the cuda target differs"
        grep -v " ok$" "$work/$name.log" | tail -15
        echo "the model: $model"
    fi
done
echo "random.sh: $checked image models of $count (seed $seed), $failed differ"
[ $failed -eq 0 ]
