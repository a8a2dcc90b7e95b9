#!/bin/sh
# host.sh ST_COMPARE SRCDIR WORK: the firmware target's code on the host (CTest
# firmware/host, after firmware/setup).
#   - it compiles without a warning at C99 with -Wall -Wextra -pedantic -Werror under gcc
#     (and clang, when installed), and needs nothing but expf from outside (no malloc, no
#     stdio, no BLAS);
#   - its outputs for every test image equal the trainer's evaluation outputs (--outputs)
#     within 1e-5; its predictions go to WORK/predictions.txt for firmware/qemu.
set -eu
st_compare=$1 src=$2 work=$3
fail() {
    echo "FAIL: $*"
    exit 1
}
cd "$work"
[ -f gen/fashion.c ] || fail "no generated code: run firmware/setup first"
strict="-std=c99 -Wall -Wextra -pedantic -Werror -O2"
gcc $strict -c gen/fashion.c -o fashion.o || fail "gcc warns or fails on gen/fashion.c"
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
