#!/bin/sh
# setup.sh MLC SRCDIR WORK: what the firmware tests share (CTest fixture firmware/setup).
# Trains models/fashion.model (3 epochs, lr 0.05) on the small subset in tests/e2e/data, writes
# the trainer's evaluation outputs of the test set (--outputs) and the firmware target's
# source for the trained weights, and unpacks the test images; the same for
# tests/firmware/ops.model (other ops) on the subset. The test set: the full FashionMNIST's
# (10000 images) when a verified copy is on the machine ($MLC_DATA_COPY,
# ../shared/data/fashion-mnist beside the source, or data/fashion-mnist in it), else the
# subset's (512 images); data-dir names it for int8.sh.
set -eu
mlc=$1 src=$2 work=$3
fail() {
    echo "FAIL: $*"
    exit 1
}
data=$src/tests/e2e/data
for d in "${MLC_DATA_COPY:-}" "$src/../shared/data/fashion-mnist" "$src/data/fashion-mnist"; do
    if [ -n "$d" ] && [ -f "$d/t10k-images-idx3-ubyte.gz" ] && [ -f "$d/train-images-idx3-ubyte.gz" ]; then
        data=$d
        break
    fi
done
echo "data: $data"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
"$mlc" "$src/models/fashion.model" -o train_fashion || fail "mlc could not build the trainer"
./train_fashion --data "$src/tests/e2e/data" --epochs 3 --lr 0.05 --quiet \
    --save weights.safetensors >train.txt || fail "training failed"
./train_fashion --data "$data" --load weights.safetensors --outputs expected.safetensors ||
    fail "--outputs failed"
"$mlc" "$src/models/fashion.model" --target firmware --weights weights.safetensors -o gen ||
    fail "mlc --target firmware failed"
[ -f gen/fashion.c ] && [ -f gen/fashion.h ] || fail "no gen/fashion.c and gen/fashion.h"
gzip -dc "$data/t10k-images-idx3-ubyte.gz" >t10k-images || fail "cannot unpack the test images"
gzip -dc "$data/t10k-labels-idx1-ubyte.gz" >t10k-labels || fail "cannot unpack the test labels"
echo "$data" >data-dir

subset=$src/tests/e2e/data
"$mlc" "$src/tests/firmware/ops.model" -o train_ops || fail "mlc could not build ops"
./train_ops --data "$subset" --quiet --save ops-weights.safetensors >train-ops.txt ||
    fail "training ops failed"
./train_ops --data "$subset" --load ops-weights.safetensors --outputs ops-expected.safetensors ||
    fail "--outputs failed for ops"
"$mlc" "$src/tests/firmware/ops.model" --target firmware --weights ops-weights.safetensors \
    -o gen || fail "mlc --target firmware failed for ops"
gzip -dc "$subset/t10k-images-idx3-ubyte.gz" >subset-images || fail "cannot unpack the subset"
echo "setup: trained, generated gen/fashion.c, gen/fashion.h, gen/ops.c and gen/ops.h"
