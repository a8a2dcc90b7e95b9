#!/bin/sh
# host.sh ST_COMPARE SRCDIR WORK: the firmware target's code on the host (CTest
# firmware/host, after firmware/setup).
#   - it compiles without a warning at C99 with -Wall -Wextra -pedantic -Werror under gcc
#     (and clang, when installed), and needs nothing but expf from outside (no malloc, no
#     stdio, no BLAS);
#   - its outputs for every test image equal the trainer's evaluation outputs (--outputs)
#     within 1e-5; its predictions go to WORK/predictions.txt for firmware/qemu;
#   - its matrix products' loops over the outputs are vectorised at -O2 (gcc's report);
#   - the same for tests/firmware/ops.model (host.c with its names), which needs expf, logf
#     and tanhf.
set -eu
st_compare=$1 src=$2 work=$3
fail() {
    echo "FAIL: $*"
    exit 1
}
cd "$work"
[ -f gen/fashion.c ] || fail "no generated code: run firmware/setup first"
strict="-std=c99 -Wall -Wextra -pedantic -Werror -Wdouble-promotion -O2"
gcc $strict -fopt-info-vec-optimized=vec.txt -c gen/fashion.c -o fashion.o ||
    fail "gcc warns or fails on gen/fashion.c"
if command -v clang >/dev/null 2>&1; then
    clang $strict -c gen/fashion.c -o fashion-clang.o || fail "clang warns or fails on gen/fashion.c"
    echo "clang: no warnings"
else
    echo "clang: not installed, not tried"
fi
# what the object needs from outside: only expf (softmax)
needs=$(nm -u fashion.o | awk '{print $2}' | tr '\n' ' ')
[ "$needs" = "expf " ] || fail "gen/fashion.c needs '$needs' from outside; expected only expf"
gcc -std=c99 -O2 -Wall -Wextra -Werror -Igen "$src/tests/firmware/host.c" fashion.o -lm \
    -o host || fail "cannot build the host driver"
./host t10k-images outputs.safetensors predictions.txt || fail "the host driver failed"
"$st_compare" expected.safetensors outputs.safetensors 0 1e-5 ||
    fail "the firmware code's outputs differ from the trainer's by more than 1e-5"
echo "host: $(wc -l <predictions.txt) images, outputs within 1e-5 of the trainer's"

# Each loop that adds four terms to the partial sums of a block of 16 of 512 outputs (the
# two hidden layers, whose weights are stored in blocks of 4 rows x 16 columns) must be
# vectorised: gcc reported it (vec.txt) at the line of its 'for'.
nloops=0
for line in $(grep -n 'float acc = ' gen/fashion.c | cut -d: -f1); do
    loop=$((line - 1))
    sed -n "${loop}p" gen/fashion.c | grep -q 'j < 16' || continue
    sed -n "$((loop - 1))p" gen/fashion.c | grep -q 'jb < 512' || continue
    nloops=$((nloops + 1))
    grep -q "fashion.c:$loop:.*loop vectorized" vec.txt ||
        fail "gcc -O2 did not vectorise the loop at gen/fashion.c:$loop: $(sed -n "${loop}p" gen/fashion.c)"
done
[ "$nloops" -eq 2 ] || fail "found $nloops matrix-product loops over 512 outputs, expected 2"
echo "host: gcc -O2 vectorises both hidden layers' loops"

# ops.model: the driver with its names
sed 's/fashion/ops/g; s/FASHION/OPS/g' "$src/tests/firmware/host.c" >ops-host.c
gcc $strict -c gen/ops.c -o ops.o || fail "gcc warns or fails on gen/ops.c"
needs=$(nm -u ops.o | awk '{print $2}' | sort | tr '\n' ' ')
[ "$needs" = "expf logf tanhf " ] || fail "gen/ops.c needs '$needs'; expected expf logf tanhf"
gcc -std=c99 -O2 -Wall -Wextra -Werror -Igen ops-host.c ops.o -lm -o ops-host ||
    fail "cannot build the host driver for ops"
./ops-host subset-images ops-outputs.safetensors ops-predictions.txt || fail "ops-host failed"
"$st_compare" ops-expected.safetensors ops-outputs.safetensors 0 1e-5 ||
    fail "ops: the firmware code's outputs differ from the trainer's by more than 1e-5"
echo "host: ops, outputs within 1e-5 of the trainer's"
