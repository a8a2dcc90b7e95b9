#!/bin/sh
# refuse.sh MLC: the cuda target does not write image layers yet, and says so: mlc --target
# cuda on models/fashion_cnn.model exits 1 with exactly tests/cuda/fashion_cnn.err (one
# error at the line of each image layer) and writes nothing. Run from the source root.
set -u
mlc=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$mlc" --target cuda models/fashion_cnn.model -o "$out/train" 2>"$out/err"
status=$?
if [ "$status" -ne 1 ]; then
    echo "exit status $status, expected 1"
    cat "$out/err"
    exit 1
fi
if [ -e "$out/train" ]; then
    echo "a program was written"
    exit 1
fi
diff -u tests/cuda/fashion_cnn.err "$out/err" || exit 1
echo "refused, at each image layer's line"
