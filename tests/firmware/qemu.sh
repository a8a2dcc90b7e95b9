#!/bin/sh
# qemu.sh SRCDIR WORK [int8|cnn|cnn_int8]: the firmware target's code on a Cortex-M4F (CTest
# firmware/qemu after firmware/host; with int8, the --quantize int8 code: firmware/qemu_int8
# after firmware/int8; with cnn, models/fashion_cnn.model's: firmware/qemu_cnn after
# firmware/cnn; with cnn_int8, its int8 code's: firmware/qemu_cnn_int8 after
# firmware/cnn_int8). Compiles it with arm-none-eabi-gcc (C99, -Wall -Wextra -pedantic
# -Werror, hard float), checks the flash and RAM its header states against
# arm-none-eabi-size, links it with startup.c, main.c and the first NIMAGES test images
# for QEMU's mps2-an386 (newlib, semihosting), runs it under
# `qemu-system-arm -M mps2-an386 -nographic -semihosting -icount shift=0`, and requires its
# predictions to equal the host's. Prints the sizes and the instructions per inference.
# Needs the Debian packages gcc-arm-none-eabi, libnewlib-arm-none-eabi and qemu-system-arm
# (scripts/install-deps.sh installs them).
set -eu
src=$1 work=$2 variant=${3:-float}
nimages=300
fail() {
    echo "FAIL: $*"
    exit 1
}
for tool in arm-none-eabi-gcc arm-none-eabi-size qemu-system-arm; do
    command -v $tool >/dev/null 2>&1 ||
        fail "$tool is not installed (gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm)"
done
cd "$work"
gen=gen host=predictions.txt obj=fashion-m4 elf=fashion model=fashion
if [ "$variant" = int8 ]; then
    gen=gen-int8 host=int8-predictions.txt obj=fashion-int8-m4 elf=fashion-int8
elif [ "$variant" = cnn ]; then
    # about 33 million instructions an image: 200 take about 15 seconds
    host=cnn-predictions.txt obj=fashion_cnn-m4 elf=fashion_cnn model=fashion_cnn nimages=200
elif [ "$variant" = cnn_int8 ]; then
    # about 28 million instructions an image
    gen=gen-cnn-int8 host=cnn-int8-predictions.txt obj=fashion_cnn-int8-m4 elf=fashion_cnn-int8
    model=fashion_cnn nimages=200
fi
[ -f $host ] || fail "no host predictions ($host): run firmware/host (firmware/int8) first"
here=$src/tests/firmware
arch="-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb"
arm-none-eabi-gcc -std=c99 -Wall -Wextra -pedantic -Werror -O2 $arch -c $gen/$model.c \
    -o $obj.o || fail "arm-none-eabi-gcc warns or fails on $gen/$model.c"

# The header's figures: weights and class names in flash, the arena in RAM.
weights=$(sed -n 's/.*flash: \([0-9]*\) bytes of weights.*/\1/p' $gen/$model.h)
names=$(sed -n 's/.* \([0-9]*\) bytes of class names and \([0-9]*\) pointers.*/\1 \2/p' $gen/$model.h)
ram=$(sed -n 's/.*RAM: *\([0-9]*\) bytes.*/\1/p' $gen/$model.h)
[ -n "$weights" ] && [ -n "$names" ] && [ -n "$ram" ] || fail "$gen/$model.h states no flash and RAM"
set -- $names
consts=$((weights + $1 + 4 * $2))
set -- $(arm-none-eabi-size $obj.o | tail -1)
text=$1 data=$2 bss=$3
echo "arm-none-eabi-size: text $text, data $data, bss $bss (header: $consts bytes of constants + code, RAM $ram)"
[ "$data" -eq 0 ] || fail "$gen/$model.c has $data bytes of initialised RAM"
[ "$bss" -ge "$ram" ] && [ "$bss" -lt $((ram + 8)) ] || fail "bss $bss, the header says $ram"
code=$((text - consts))
[ "$code" -ge 0 ] && [ "$code" -lt 4096 ] ||
    fail "text $text is not the header's $consts bytes of constants plus the code"
echo "flash: $text bytes ($consts of weights and class names, $code of code); RAM: $bss bytes"

tail -c +17 t10k-images | head -c $((nimages * 784)) >images.bin
upper=$(echo $model | tr a-z A-Z)
sed "s/fashion/$model/g; s/FASHION/$upper/g" "$here/main.c" >$model-main.c
arm-none-eabi-gcc -std=c99 -O2 -Wall -Wextra -Werror $arch -I$gen -I. $model-main.c \
    "$here/startup.c" "$here/images.S" $obj.o -T "$here/mps2-an386.ld" -nostartfiles \
    --specs=rdimon.specs -lm -o $elf.elf || fail "cannot link the firmware image"
arm-none-eabi-size $elf.elf
timeout 120 qemu-system-arm -M mps2-an386 -nographic -semihosting -icount shift=0 \
    -kernel $elf.elf >qemu-$variant.txt 2>qemu.err || fail "qemu exited with $?: $(cat qemu.err)"
grep -v '^instructions' qemu-$variant.txt >qemu-$variant-predictions.txt
[ "$(wc -l <qemu-$variant-predictions.txt)" -eq "$nimages" ] ||
    fail "the firmware printed $(wc -l <qemu-$variant-predictions.txt) predictions, not $nimages"
head -n $nimages $host | cmp -s - qemu-$variant-predictions.txt ||
    fail "the Cortex-M4F's predictions differ from the host's"
grep '^instructions' qemu-$variant.txt
echo "qemu ($variant): $nimages predictions, the same as the host's"
