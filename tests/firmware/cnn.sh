#!/bin/sh
# cnn.sh MLC ST_COMPARE SRCDIR WORK: the firmware target's code for image models (CTest
# firmware/cnn, after firmware/setup, whose test set it uses: the full FashionMNIST's when a
# copy is on the machine, else the subset's).
#   - models/fashion_cnn.model, trained for one epoch on the subset in tests/e2e/data, and
#     tests/firmware/cnn_ops.model (the other image layers and activations) and
#     tests/firmware/algebra.model (the tensor algebra) likewise;
#   - each generated source compiles without a warning at C99 with -Wall -Wextra -pedantic
#     -Werror under gcc and clang, and needs nothing from outside but the libm functions its
#     ops call (no malloc, no stdio, no BLAS);
#   - fashion_cnn's batch norms are all folded into its convolutions, and gcc -O2 vectorises
#     the loops over the output columns of every convolution;
#   - the outputs equal the trainer's evaluation outputs (--outputs) within 1e-5, for the
#     first 1000 test images (fashion_cnn) and the subset's 512 (cnn_ops); fashion_cnn's
#     predictions go to WORK/cnn-predictions.txt for qemu.sh cnn.
set -eu
mlc=$1 st_compare=$2 src=$3 work=$4
fail() {
    echo "FAIL: $*"
    exit 1
}
cd "$work"
[ -f data-dir ] && [ -f t10k-images ] || fail "no test set: run firmware/setup first"
data=$(cat data-dir) subset=$src/tests/e2e/data
strict="-std=c99 -Wall -Wextra -pedantic -Werror -Wdouble-promotion -O2"

# check MODEL TEST-IMAGES NEEDS: trains, generates, compiles and compares one model
check() {
    model=$1 images=$2 needs=$3
    "$mlc" "$src/$model.model" -o train-$name || fail "mlc could not build $model"
    ./train-$name --data "$subset" --epochs 1 --quiet --save $name-weights.safetensors \
        >train-$name.txt || fail "training $model failed"
    ./train-$name --data "$tdata" --load $name-weights.safetensors \
        --outputs $name-expected.safetensors || fail "--outputs failed for $model"
    "$mlc" "$src/$model.model" --target firmware --weights $name-weights.safetensors -o gen ||
        fail "mlc --target firmware failed for $model"
    gcc $strict -fopt-info-vec-optimized=$name-vec.txt -c gen/$name.c -o $name.o ||
        fail "gcc warns or fails on gen/$name.c"
    if command -v clang >/dev/null 2>&1; then
        clang $strict -c gen/$name.c -o $name-clang.o || fail "clang warns or fails on gen/$name.c"
    fi
    got=$(nm -u $name.o | awk '{print $2}' | sort | tr '\n' ' ')
    [ "$got" = "$needs" ] || fail "gen/$name.c needs '$got' from outside; expected '$needs'"
    upper=$(echo $name | tr a-z A-Z)
    sed "s/fashion/$name/g; s/FASHION/$upper/g" "$src/tests/firmware/host.c" >$name-host.c
    gcc -std=c99 -O2 -Wall -Wextra -Werror -Igen $name-host.c $name.o -lm -o $name-host ||
        fail "cannot build the host driver for $name"
    ./$name-host $images $name-outputs.safetensors $name-predictions.txt ||
        fail "the host driver failed for $name"
    "$st_compare" $name-expected.safetensors $name-outputs.safetensors 0 1e-5 ||
        fail "$name: the firmware code's outputs differ from the trainer's by more than 1e-5"
    echo "$name: $(wc -l <$name-predictions.txt) images, outputs within 1e-5 of the trainer's"
}

# the first 1000 test images (all of them in the subset), as a data set for the trainer
count=$(od -An -tu1 -j4 -N4 t10k-images | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}')
n=$((count < 1000 ? count : 1000))
rm -rf cnn-data && mkdir cnn-data
ln -s "$subset/train-images-idx3-ubyte.gz" "$subset/train-labels-idx1-ubyte.gz" cnn-data/
# be32 N: N as the four bytes of a big-endian number (an IDX header's count)
be32() {
    printf "\\$(printf %o $(($1 >> 24 & 255)))\\$(printf %o $(($1 >> 16 & 255)))\\$(printf %o $(($1 >> 8 & 255)))\\$(printf %o $(($1 & 255)))"
}
{ head -c 4 t10k-images; be32 $n; tail -c +9 t10k-images | head -c $((8 + n * 784)); } \
    >cnn-images
gzip -c cnn-images >cnn-data/t10k-images-idx3-ubyte.gz
gzip -dc "$data/t10k-labels-idx1-ubyte.gz" >cnn-labels-all
{ head -c 4 cnn-labels-all; be32 $n; tail -c +9 cnn-labels-all | head -c $n; } |
    gzip -c >cnn-data/t10k-labels-idx1-ubyte.gz

name=fashion_cnn tdata=cnn-data
check models/fashion_cnn cnn-images "expf "
cp fashion_cnn-predictions.txt cnn-predictions.txt
grep -q '_scale\[' gen/fashion_cnn.c &&
    fail "gen/fashion_cnn.c scales per channel: a batch norm was not folded into its convolution"
nfolded=$(grep -c '^ \*   folded in: ' gen/fashion_cnn.c)
[ "$nfolded" -eq 4 ] || fail "$nfolded batch norms folded into convolutions, expected 4"
# Every convolution's loop over a row's output columns that runs a multiple of 4 (the first
# 24 and all 28 of the 28 columns of the first two convolutions, the first 12 of the 14 of
# the others) must be vectorised: gcc reported it at the line of its 'for'.
nloops=0
for line in $(grep -n 'yr\[q\] += wj' gen/fashion_cnn.c | cut -d: -f1); do
    loop=$((line - 1))
    sed -n "${loop}p" gen/fashion_cnn.c | grep -Eq 'q = [0-9]+; q < [0-9]+' || continue
    from=$(sed -n "${loop}p" gen/fashion_cnn.c | sed 's/.*q = \([0-9]*\); q < \([0-9]*\).*/\1 \2/')
    set -- $from
    [ $((($2 - $1) % 4)) -eq 0 ] && [ $(($2 - $1)) -ge 8 ] || continue
    nloops=$((nloops + 1))
    grep -q "fashion_cnn.c:$loop:.*loop vectorized" fashion_cnn-vec.txt ||
        fail "gcc -O2 did not vectorise the loop at gen/fashion_cnn.c:$loop"
done
[ "$nloops" -eq 12 ] || fail "found $nloops convolution loops to vectorise, expected 12"
echo "fashion_cnn: 4 batch norms folded, gcc -O2 vectorises the $nloops convolution loops"

name=cnn_ops tdata=$subset
gzip -dc "$subset/t10k-images-idx3-ubyte.gz" >subset-images || fail "cannot unpack the subset"
check tests/firmware/cnn_ops subset-images "erff expf expm1f log "

# the tensor algebra (its copies may become memmove, which gcc expects of any C environment)
name=algebra tdata=$subset
check tests/firmware/algebra subset-images "expf memmove tanhf "
