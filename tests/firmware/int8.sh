#!/bin/sh
# int8.sh MLC SRCDIR WORK: the firmware target's int8 code (--quantize int8, calibrated on
# the data set of firmware/setup) on the host (CTest firmware/int8, after firmware/host).
#   - it compiles without a warning at C99 with -Wall -Wextra -pedantic -Werror under gcc
#     (and clang, when installed) and needs nothing but expf from outside;
#   - its accuracy on every test image is the int8 accuracy its header states (mlc
#     simulates the same integer arithmetic), and within 1 point of the float code's;
#   - its predictions go to WORK/int8-predictions.txt for firmware/qemu_int8.
set -eu
mlc=$1 src=$2 work=$3
fail() {
    echo "FAIL: $*"
    exit 1
}
cd "$work"
[ -f data-dir ] || fail "no trained weights: run firmware/setup first"
"$mlc" "$src/models/fashion.model" --target firmware --weights weights.safetensors \
    --quantize int8 --data "$(cat data-dir)" -o gen-int8 || fail "mlc --quantize int8 failed"
[ -f predictions.txt ] || fail "no float predictions: run firmware/host first"
strict="-std=c99 -Wall -Wextra -pedantic -Werror -Wdouble-promotion -O2"
gcc $strict -c gen-int8/fashion.c -o fashion-int8.o || fail "gcc warns or fails on the int8 code"
if command -v clang >/dev/null 2>&1; then
    clang $strict -c gen-int8/fashion.c -o /dev/null || fail "clang warns or fails on the int8 code"
fi
needs=$(nm -u fashion-int8.o | awk '{print $2}' | tr '\n' ' ')
[ "$needs" = "expf " ] || fail "the int8 code needs '$needs' from outside; expected only expf"
gcc -std=c99 -O2 -Wall -Wextra -Werror -Igen-int8 "$src/tests/firmware/host.c" fashion-int8.o \
    -lm -o host-int8 || fail "cannot build the host driver for int8"
./host-int8 t10k-images int8-outputs.safetensors int8-predictions.txt || fail "host-int8 failed"

# accuracies: predictions against the labels (the IDX label file after its 8-byte header)
tail -c +9 t10k-labels | od -An -v -tu1 -w1 | tr -d ' ' >labels.txt
accuracy() {
    paste -d' ' "$1" labels.txt | awk '$1 == $2 { c++ } END { printf "%.2f", 100 * c / NR }'
}
float=$(accuracy predictions.txt)
int8=$(accuracy int8-predictions.txt)
stated=$(sed -n 's/.*float \([0-9.]*\)%, int8 \([0-9.]*\)%.*/\1 \2/p' gen-int8/fashion.h)
[ -n "$stated" ] || fail "gen-int8/fashion.h states no accuracies"
set -- $stated
echo "int8: accuracy $int8% (header: $2%), float code $float% (header: $1%)"
[ "$int8" = "$2" ] || fail "the int8 code's accuracy $int8% is not the $2% its header states"
awk -v a="$float" -v b="$int8" 'BEGIN { d = a - b; exit !(d <= 1.0 && d >= -1.0) }' ||
    fail "int8 accuracy $int8% is more than 1 point from float's $float%"
echo "int8: within 1 point of float on $(wc -l <labels.txt) test images"
