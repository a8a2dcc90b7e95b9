#!/bin/sh
# cnn_int8.sh MLC SRCDIR WORK: the firmware target's int8 code for models/fashion_cnn.model
# (CTest firmware/cnn_int8, after firmware/cnn, whose trained weights and 1000 test images
# it uses; calibrated on the subset's training set).
#   - it compiles without a warning at C99 with -Wall -Wextra -pedantic -Werror under gcc
#     and clang, and needs nothing but expf (the final softmax) from outside;
#   - its convolutions and max pools are int8 (no float arrays but the last layer's scales);
#   - its accuracy is the int8 accuracy its header states (mlc simulates the same integer
#     arithmetic), the header's float accuracy is the float code's, and the two are within
#     1 point; its predictions go to WORK/cnn-int8-predictions.txt for qemu.sh cnn_int8.
set -eu
mlc=$1 src=$2 work=$3
fail() {
    echo "FAIL: $*"
    exit 1
}
cd "$work"
[ -f fashion_cnn-weights.safetensors ] && [ -f cnn-predictions.txt ] ||
    fail "no trained CNN: run firmware/cnn first"
"$mlc" "$src/models/fashion_cnn.model" --target firmware --weights fashion_cnn-weights.safetensors \
    --quantize int8 --data cnn-data -o gen-cnn-int8 || fail "mlc --quantize int8 failed"
strict="-std=c99 -Wall -Wextra -pedantic -Werror -Wdouble-promotion -O2"
gcc $strict -c gen-cnn-int8/fashion_cnn.c -o cnn-int8.o || fail "gcc warns or fails on the int8 code"
if command -v clang >/dev/null 2>&1; then
    clang $strict -c gen-cnn-int8/fashion_cnn.c -o /dev/null || fail "clang warns or fails on the int8 code"
fi
needs=$(nm -u cnn-int8.o | awk '{print $2}' | tr '\n' ' ')
[ "$needs" = "expf " ] || fail "the int8 code needs '$needs' from outside; expected only expf"
nfloat=$(grep -c '^static const float' gen-cnn-int8/fashion_cnn.c)
[ "$nfloat" -eq 1 ] || fail "the int8 code has $nfloat float arrays; expected the last layer's scales"
gcc -std=c99 -O2 -Wall -Wextra -Werror -Igen-cnn-int8 fashion_cnn-host.c cnn-int8.o -lm \
    -o cnn-int8-host || fail "cannot build the host driver for the int8 CNN"
./cnn-int8-host cnn-images cnn-int8-outputs.safetensors cnn-int8-predictions.txt ||
    fail "the int8 CNN failed on the host"

gzip -dc cnn-data/t10k-labels-idx1-ubyte.gz | tail -c +9 | od -An -v -tu1 -w1 | tr -d ' ' \
    >cnn-labels.txt
accuracy() {
    paste -d' ' "$1" cnn-labels.txt | awk '$1 == $2 { c++ } END { printf "%.2f", 100 * c / NR }'
}
float=$(accuracy cnn-predictions.txt)
int8=$(accuracy cnn-int8-predictions.txt)
stated=$(sed -n 's/.*float \([0-9.]*\)%, int8 \([0-9.]*\)%.*/\1 \2/p' gen-cnn-int8/fashion_cnn.h)
[ -n "$stated" ] || fail "gen-cnn-int8/fashion_cnn.h states no accuracies"
set -- $stated
echo "cnn int8: accuracy $int8% (header: $2%), float code $float% (header: $1%)"
[ "$int8" = "$2" ] || fail "the int8 code's accuracy $int8% is not the $2% its header states"
[ "$float" = "$1" ] || fail "the float code's accuracy $float% is not the $1% the header states"
awk -v a="$float" -v b="$int8" 'BEGIN { d = a - b; exit !(d <= 1.0 && d >= -1.0) }' ||
    fail "int8 accuracy $int8% is more than 1 point from float's $float%"
echo "cnn int8: within 1 point of float on $(wc -l <cnn-labels.txt) test images"
