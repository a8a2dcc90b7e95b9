#!/bin/sh
# train.sh MLC ST_COMPARE SRCDIR WORK: the firmware target's training step (CTest
# firmware/train). From the same starting weights, on the first 100 samples of the subset in
# tests/e2e/data, in order, with learning rate 0.01:
#   - the trainer runs one epoch at batch 1 with plain SGD (--batch 1);
#   - `mlc --target firmware --train` writes tiny_train_step for tests/firmware/train.model,
#     which compiles without a warning (C99, -Wall -Wextra -pedantic -Werror; gcc, clang and
#     arm-none-eabi-gcc) and needs only expf (the prediction's softmax) and log (the loss);
#   - tests/firmware/train.c runs the 100 steps on the host: the weights must equal the
#     trainer's within 1e-5 (and differ from the starting ones);
#   - the same program on a Cortex-M4F under QEMU (mps2-an386) must print the same bits of
#     every weight as the host; its flash and RAM are checked against the header.
set -eu
mlc=$1 st_compare=$2 src=$3 work=$4
fail() {
    echo "FAIL: $*"
    exit 1
}
here=$src/tests/firmware subset=$src/tests/e2e/data
mkdir -p "$work"
cd "$work"
rm -rf train-data gen-train
mkdir train-data

# the first 100 training samples, as an IDX data set (the test set is the subset's)
be32() {
    printf "\\$(printf %o $(($1 >> 24 & 255)))\\$(printf %o $(($1 >> 16 & 255)))\\$(printf %o $(($1 >> 8 & 255)))\\$(printf %o $(($1 & 255)))"
}
gzip -dc "$subset/train-images-idx3-ubyte.gz" >train-images-all || fail "cannot unpack the subset"
gzip -dc "$subset/train-labels-idx1-ubyte.gz" >train-labels-all || fail "cannot unpack the subset"
tail -c +17 train-images-all | head -c $((100 * 784)) >train-images.bin
tail -c +9 train-labels-all | head -c 100 >train-labels.bin
{ head -c 4 train-images-all; be32 100; head -c 16 train-images-all | tail -c 8; cat train-images.bin; } |
    gzip -c >train-data/train-images-idx3-ubyte.gz
{ head -c 4 train-labels-all; be32 100; cat train-labels.bin; } |
    gzip -c >train-data/train-labels-idx1-ubyte.gz
ln -s "$subset/t10k-images-idx3-ubyte.gz" "$subset/t10k-labels-idx1-ubyte.gz" train-data/

"$mlc" "$here/train.model" -o train_tiny || fail "mlc could not build the trainer"
./train_tiny --data train-data --epochs 0 --save start.safetensors >/dev/null ||
    fail "cannot save the starting weights"
./train_tiny --data train-data --load start.safetensors --batch 1 --lr 0.01 --no-checkpoint \
    --quiet --save trained.safetensors || fail "training at batch 1 failed"

"$mlc" "$here/train.model" --target firmware --train --weights start.safetensors -o gen-train ||
    fail "mlc --target firmware --train failed"
strict="-std=c99 -Wall -Wextra -pedantic -Werror -Wdouble-promotion -O2"
gcc $strict -c gen-train/tiny.c -o tiny.o || fail "gcc warns or fails on gen-train/tiny.c"
if command -v clang >/dev/null 2>&1; then
    clang $strict -c gen-train/tiny.c -o tiny-clang.o || fail "clang warns or fails on gen-train/tiny.c"
fi
needs=$(nm -u tiny.o | awk '{print $2}' | sort | tr '\n' ' ')
[ "$needs" = "expf log " ] || fail "gen-train/tiny.c needs '$needs'; expected expf log"

gcc -std=c99 -O2 -Wall -Wextra -pedantic -Werror -Igen-train -I. -DSAVE_TO='"device.safetensors"' \
    "$here/train.c" "$here/train_data.S" tiny.o -lm -o train-host || fail "cannot build train.c"
./train-host >host-weights.txt || fail "the training steps failed on the host"
"$st_compare" trained.safetensors device.safetensors 0 1e-5 ||
    fail "100 steps of tiny_train_step differ from the trainer's by more than 1e-5"
if "$st_compare" start.safetensors device.safetensors 0 1e-5 >/dev/null; then
    fail "tiny_train_step left the weights as they were"
fi
echo "host: 100 steps, the weights within 1e-5 of the trainer's at batch 1 ($(tail -1 host-weights.txt))"

for tool in arm-none-eabi-gcc arm-none-eabi-size qemu-system-arm; do
    command -v $tool >/dev/null 2>&1 ||
        fail "$tool is not installed (gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm)"
done
arch="-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb"
arm-none-eabi-gcc -std=c99 -Wall -Wextra -pedantic -Werror -O2 $arch -c gen-train/tiny.c \
    -o tiny-m4.o || fail "arm-none-eabi-gcc warns or fails on gen-train/tiny.c"
# the header's figures: the weights are initialised RAM, the gradients and the arena zeroed
weights=$(sed -n 's/.*RAM: *\([0-9]*\) bytes of weights.*/\1/p' gen-train/tiny.h)
rest=$(sed -n 's/.* \([0-9]*\) bytes of gradients and \([0-9]*\) bytes of the static arena.*/\1 \2/p' gen-train/tiny.h)
[ -n "$weights" ] && [ -n "$rest" ] || fail "gen-train/tiny.h states no RAM"
set -- $rest
zeroed=$(($1 + $2))
set -- $(arm-none-eabi-size tiny-m4.o | tail -1)
echo "arm-none-eabi-size: text $1, data $2, bss $3 (header: $weights bytes of weights, $zeroed zeroed)"
[ "$2" -eq "$weights" ] || fail "data $2, the header says $weights bytes of weights"
[ "$3" -ge "$zeroed" ] && [ "$3" -lt $((zeroed + 8)) ] || fail "bss $3, the header says $zeroed"
arm-none-eabi-gcc -std=c99 -O2 -Wall -Wextra -Werror $arch -Igen-train -I. "$here/train.c" \
    "$here/startup.c" "$here/train_data.S" tiny-m4.o -T "$here/mps2-an386.ld" -nostartfiles \
    --specs=rdimon.specs -lm -o train.elf || fail "cannot link the firmware image"
timeout 120 qemu-system-arm -M mps2-an386 -nographic -semihosting -icount shift=0 \
    -kernel train.elf >m4-weights.txt 2>qemu.err || fail "qemu exited with $?: $(cat qemu.err)"
# every weight's bits (the loss, through the C library's log, is not compared)
grep -v '^mean loss' host-weights.txt >host-bits.txt
grep -v '^mean loss' m4-weights.txt >m4-bits.txt
[ "$(wc -l <host-bits.txt)" -gt 25000 ] || fail "the host printed $(wc -l <host-bits.txt) weights"
cmp -s host-bits.txt m4-bits.txt || fail "the Cortex-M4F's weights differ from the host's"
echo "qemu: 100 steps on the Cortex-M4F, every weight bit for bit the host's ($(tail -1 m4-weights.txt))"
