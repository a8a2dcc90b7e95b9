#!/bin/sh
# peak_rss.sh [MLC] [DATA]: the peak resident memory of train_fashion for one epoch on the
# whole FashionMNIST (GNU time's "Maximum resident set size"), with one OpenBLAS thread.
# Defaults: build/mlc and ../shared/data/fashion-mnist, relative to the repository root.
# The images stay bytes in memory (a batch becomes floats when it is used): about 62 MB,
# where a float32 copy of the training set alone is 188 MB (the peak was 234 MB).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
mlc=${1:-$root/build/mlc}
data=${2:-$root/../shared/data/fashion-mnist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
"$mlc" "$root/models/fashion.model" -o "$work/train_fashion"
/usr/bin/time -v "$work/train_fashion" --data "$data" --epochs 1 --threads 1 --quiet \
    2>"$work/time.txt" >/dev/null
grep "Maximum resident set size" "$work/time.txt"
