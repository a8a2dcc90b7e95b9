#!/bin/sh
# pytorch.sh MLC ST_COMPARE MODEL INIT EXPECTED WORKDIR [DATA]: mlc's gradients against
# PyTorch's. Builds MODEL, loads the initial weights INIT (a PyTorch state_dict saved by
# tests/fixtures/make_fashion_fixtures.py), computes the loss and every gradient on the first
# batch (--grads) and compares them with EXPECTED, which PyTorch computed from the same
# weights and data.
set -eu
mlc=$1 compare=$2 model=$3 init=$4 expected=$5 work=$6 data=${7:-}
name=$(basename "$model" .model)
mkdir -p "$work"
"$mlc" "$model" -o "$work/$name"
"$work/$name" --load "$init" --grads "$work/$name.grads.safetensors" ${data:+--data "$data"}
"$compare" "$expected" "$work/$name.grads.safetensors" 1e-3 1e-6
