#!/bin/sh
# check.sh MLC ST_COMPARE WORKDIR: the image layers against PyTorch. Builds
# tests/image/cnn.model, twice.model, activations.model, losses.model, algebra.model and
# frozen.model, loads the weights and running statistics PyTorch made
# (make_fixtures.py), runs one training forward and backward on PyTorch's batch (--grads) and
# compares the loss, every gradient and the updated running statistics with PyTorch's; and
# the output in evaluation mode (--outputs), with the loaded running statistics.
set -eu
mlc=$1 compare=$2 work=$3
here=$(dirname "$0")
mkdir -p "$work"
for name in cnn twice activations losses algebra frozen; do
    "$mlc" "$here/$name.model" -o "$work/$name"
    "$work/$name" --load "$here/${name}_init.safetensors" \
        --inputs "$here/${name}_init.safetensors" \
        --grads "$work/$name.grads.safetensors" 2>"$work/$name.err"
    "$compare" "$here/${name}_grads.safetensors" "$work/$name.grads.safetensors" 1e-4 1e-6
done
"$work/cnn" --load "$here/cnn_init.safetensors" --inputs "$here/cnn_init.safetensors" \
    --outputs "$work/cnn.eval.safetensors" 2>>"$work/cnn.err"
"$compare" "$here/cnn_eval.safetensors" "$work/cnn.eval.safetensors" 1e-4 1e-6
