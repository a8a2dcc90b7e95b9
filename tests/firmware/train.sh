#!/bin/sh
# train.sh MLC ST_COMPARE SRCDIR WORK: the firmware target's training step (CTest
# firmware/train). From the same starting weights, on the first 100 samples of the subset in
# tests/e2e/data, in order:
#   - the trainer runs one epoch at batch 1 with plain SGD (--batch 1);
#   - `mlc --target firmware --train` writes tiny_train_step (both models are called tiny),
#     which compiles without a warning (C99, -Wall -Wextra -pedantic -Werror; gcc, clang and
#     arm-none-eabi-gcc) and needs only expf (the prediction's softmax), log (the loss) and
#     sqrt (batch norm) from the C library;
#   - models: tests/firmware/train.model (an MLP), train_cnn.model (convolutions, pooling),
#     and models/fashion_cnn.model (batch norm and dropout too, at learning rate 0.001);
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
rm -rf train-data gen-train gen-train_cnn gen-fashion_cnn
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
for tool in arm-none-eabi-gcc arm-none-eabi-size qemu-system-arm; do
    command -v $tool >/dev/null 2>&1 ||
        fail "$tool is not installed (gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm)"
done
arch="-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb"
strict="-std=c99 -Wall -Wextra -pedantic -Werror -Wdouble-promotion -O2"

# check NAME MODEL NVALUES LR NEEDS: trains MODEL (named tiny) both ways with learning rate LR
# and compares the NVALUES values of its parameters and running statistics; its code needs
# NEEDS from the C library
check() {
    model=$1 file=$2 nweights=$3 lr=$4 want=$5
    "$mlc" "$file" -o train_$model || fail "mlc could not build the trainer"
    ./train_$model --data train-data --epochs 0 --save $model-start.safetensors >/dev/null ||
        fail "cannot save the starting weights"
    ./train_$model --data train-data --load $model-start.safetensors --batch 1 --lr $lr \
        --optimizer sgd --epochs 1 --no-shuffle --no-checkpoint --quiet --save $model-trained.safetensors ||
        fail "training $model at batch 1 failed"

    "$mlc" "$file" --target firmware --train --weights $model-start.safetensors \
        -o gen-$model || fail "mlc --target firmware --train failed for $model"
    gcc $strict -c gen-$model/tiny.c -o $model.o || fail "gcc warns or fails on gen-$model/tiny.c"
    if command -v clang >/dev/null 2>&1; then
        clang $strict -c gen-$model/tiny.c -o $model-clang.o ||
            fail "clang warns or fails on gen-$model/tiny.c"
    fi
    # (gcc may make a loop that zeroes a call of memset, as in any freestanding code)
    needs=$(nm -u $model.o | awk '$2 != "memset" {print $2}' | sort | tr '\n' ' ')
    [ "$needs" = "$want" ] || fail "gen-$model/tiny.c needs '$needs'; expected '$want'"

    gcc -std=c99 -O2 -Wall -Wextra -pedantic -Werror -Igen-$model -I. -DLR=${lr}f \
        -DSAVE_TO="\"$model-device.safetensors\"" "$here/train.c" "$here/train_data.S" $model.o \
        -lm -o $model-host || fail "cannot build train.c"
    ./$model-host >$model-host.txt || fail "the training steps failed on the host"
    "$st_compare" $model-trained.safetensors $model-device.safetensors 0 1e-5 ||
        fail "100 steps of tiny_train_step differ from the trainer's by more than 1e-5"
    if "$st_compare" $model-start.safetensors $model-device.safetensors 0 1e-5 >/dev/null; then
        fail "tiny_train_step left the weights as they were"
    fi
    echo "$model host: 100 steps, the weights within 1e-5 of the trainer's at batch 1"

    arm-none-eabi-gcc -std=c99 -Wall -Wextra -pedantic -Werror -O2 $arch -c gen-$model/tiny.c \
        -o $model-m4.o || fail "arm-none-eabi-gcc warns or fails on gen-$model/tiny.c"
    # the header's figures: the weights, the gradients and the arena are the RAM (weights that
    # are all 0 go to .bss with the zeroed arrays, the others to .data)
    weights=$(sed -n 's/.*RAM: *\([0-9]*\) bytes of weights.*/\1/p' gen-$model/tiny.h)
    rest=$(sed -n 's/.* \([0-9]*\) bytes of gradients and \([0-9]*\) bytes of the .*/\1 \2/p' \
        gen-$model/tiny.h)
    [ -n "$weights" ] && [ -n "$rest" ] || fail "gen-$model/tiny.h states no RAM"
    set -- $rest
    zeroed=$(($1 + $2))
    if grep -q "16 bytes of dropout's seed" gen-$model/tiny.h; then
        zeroed=$((zeroed + 16))
    fi
    set -- $(arm-none-eabi-size $model-m4.o | tail -1)
    echo "arm-none-eabi-size: text $1, data $2, bss $3" \
        "(header: $weights bytes of weights, $zeroed zeroed)"
    ram=$(($2 + $3)) want=$((weights + zeroed))
    [ "$ram" -ge "$want" ] && [ "$ram" -lt $((want + 16)) ] ||
        fail "data + bss is $ram bytes, the header says $want"
    arm-none-eabi-gcc -std=c99 -O2 -Wall -Wextra -Werror $arch -Igen-$model -I. -DLR=${lr}f \
        "$here/train.c" "$here/startup.c" "$here/train_data.S" $model-m4.o \
        -T "$here/mps2-an386.ld" -nostartfiles --specs=rdimon.specs -lm -o $model.elf ||
        fail "cannot link the firmware image"
    timeout 120 qemu-system-arm -M mps2-an386 -nographic -semihosting -icount shift=0 \
        -kernel $model.elf >$model-m4.txt 2>qemu.err || fail "qemu exited with $?: $(cat qemu.err)"
    # every weight's bits (the loss, through the C library's log, is not compared)
    grep -v '^mean loss' $model-host.txt >$model-host-bits.txt
    grep -v '^mean loss' $model-m4.txt >$model-m4-bits.txt
    [ "$(wc -l <$model-host-bits.txt)" -eq "$nweights" ] ||
        fail "the host printed $(wc -l <$model-host-bits.txt) weights, not $nweights"
    cmp -s $model-host-bits.txt $model-m4-bits.txt ||
        fail "$model: the Cortex-M4F's weights differ from the host's"
    echo "$model qemu: 100 steps on the Cortex-M4F, every weight bit for bit the host's"
    echo "$model: $(tail -1 $model-host.txt) (host), $(tail -1 $model-m4.txt) (Cortex-M4F)"
}

check train "$here/train.model" 25818 0.01 "expf log "
check train_cnn "$here/train_cnn.model" 922 0.01 "expf log "
# models/fashion_cnn.model itself: batch norm (its running statistics too) and dropout (the
# trainer's masks), at a learning rate that keeps batch 1 with batch norm stable
sed 's/^model fashion_cnn$/model tiny/' "$src/models/fashion_cnn.model" >fashion_cnn.model
check fashion_cnn fashion_cnn.model 32446 0.001 "expf log sqrt "
