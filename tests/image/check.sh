#!/bin/sh
# check.sh MLC ST_COMPARE WORKDIR: the image layers against PyTorch. Builds
# tests/image/cnn.model, loads the weights and running statistics PyTorch made
# (make_fixtures.py), runs one training forward and backward on PyTorch's batch (--grads) and
# compares the loss, every gradient and the updated running statistics with PyTorch's.
set -eu
mlc=$1 compare=$2 work=$3
here=$(dirname "$0")
mkdir -p "$work"
"$mlc" "$here/cnn.model" -o "$work/cnn"
"$work/cnn" --load "$here/cnn_init.safetensors" --inputs "$here/cnn_init.safetensors" \
    --grads "$work/cnn.grads.safetensors" 2>"$work/cnn.err"
"$compare" "$here/cnn_grads.safetensors" "$work/cnn.grads.safetensors" 1e-4 1e-6
