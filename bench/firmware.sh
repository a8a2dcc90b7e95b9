#!/bin/sh
# firmware.sh — the firmware target for the quickstart's network (models/fashion.model),
# measured in one run, beside PyTorch eager at batch 1:
#   - microseconds per inference at batch 1 on this machine: the generated code compiled
#     with $CC (default cc) -std=c99 -O2 -march=native, no -ffast-math (bench/firmware_bench.c),
#     and, for scale, the time to read the weights once (they stream through the caches on
#     every inference);
#   - the warnings of that compile with -Wall -Wextra -pedantic;
#   - static RAM and flash: size(1) of the object, and arm-none-eabi-size for a Cortex-M4F
#     when arm-none-eabi-gcc is installed;
#   - the same for the --quantize int8 code, with the accuracies its header states;
#   - PyTorch eager at batch 1 under torch.no_grad(), 1 thread and the default, with the same
#     weights and images (bench/firmware_torch.py, /usr/bin/python3 with python3-torch), and
#     whether its predictions are the firmware code's.
#
# Usage: bench/firmware.sh [--weights W.safetensors] [--data DIR] [--mlc build/mlc]
# Without --weights it trains fashion for one epoch first. A benchmark, not a test: it
# measures and asserts nothing; timings on a shared machine vary from run to run.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
mlc=$root/build/mlc weights= data=
while [ $# -gt 0 ]; do
    case $1 in
    --weights) weights=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --data) data=$(cd "$2" && pwd); shift 2 ;;
    --mlc) mlc=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    *) echo "usage: bench/firmware.sh [--weights FILE] [--data DIR] [--mlc MLC]" >&2; exit 2 ;;
    esac
done
[ -x "$mlc" ] || { echo "firmware.sh: no $mlc: build mlc first (see README.md)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
if [ -z "$data" ]; then
    data=$work/data
    "$root/scripts/get-data.sh" "$data" >/dev/null
fi
cd "$work"
if [ -z "$weights" ]; then
    echo "training fashion for one epoch (no --weights given) ..."
    "$mlc" "$root/models/fashion.model" -o train_fashion
    ./train_fashion --data "$data" --epochs 1 --quiet --save weights.safetensors >/dev/null
    weights=$work/weights.safetensors
fi
"$mlc" "$root/models/fashion.model" --target firmware --weights "$weights" -o gen
"$mlc" "$root/models/fashion.model" --target firmware --weights "$weights" --quantize int8 \
    --data "$data" -o gen-int8
gzip -dc "$data/t10k-images-idx3-ubyte.gz" >t10k-images

cc=${CC:-cc}
flags="-std=c99 -O2 -march=native"
$cc $flags -Wall -Wextra -pedantic -c gen/fashion.c -o fashion.o 2>warnings.txt
nwarn=$(grep -c 'warning:' warnings.txt || true)
$cc $flags -Igen "$root/bench/firmware_bench.c" fashion.o -lm -o firmware_bench
weight_bytes=$(sed -n 's/.*flash: \([0-9]*\) bytes of weights.*/\1/p' gen/fashion.h)
./firmware_bench t10k-images "$weight_bytes" predictions.txt >bench.txt 2>/dev/null
$cc $flags -Wall -Wextra -pedantic -c gen-int8/fashion.c -o fashion-int8.o 2>warnings-int8.txt
nwarn_int8=$(grep -c 'warning:' warnings-int8.txt || true)
$cc $flags -Igen-int8 "$root/bench/firmware_bench.c" fashion-int8.o -lm -o firmware_bench_int8
weight_bytes_int8=$(sed -n 's/.*flash: \([0-9]*\) bytes of weights.*/\1/p' gen-int8/fashion.h)
./firmware_bench_int8 t10k-images "$weight_bytes_int8" predictions-int8.txt >bench-int8.txt \
    2>/dev/null
set -- $(size fashion.o | tail -1)
host_text=$1 host_data=$2 host_bss=$3
arm="(arm-none-eabi-gcc not installed)" arm_int8=$arm
if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    arm-none-eabi-gcc -std=c99 -O2 -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb \
        -c gen/fashion.c -o fashion-m4.o
    set -- $(arm-none-eabi-size fashion-m4.o | tail -1)
    arm="flash $1 B (text; data $2), RAM $(($2 + $3)) B (bss $3)"
    arm-none-eabi-gcc -std=c99 -O2 -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb \
        -c gen-int8/fashion.c -o fashion-int8-m4.o
    set -- $(arm-none-eabi-size fashion-int8-m4.o | tail -1)
    arm_int8="flash $1 B (text; data $2), RAM $(($2 + $3)) B (bss $3)"
fi
value() { sed -n "s/^$1 //p" "$2"; }

echo
echo "firmware target, $root/models/fashion.model, batch 1 ($cc $flags, no -ffast-math)"
printf '  %-28s %s\n' "microseconds per inference:" \
    "$(value us_best bench.txt) best, $(value us_median bench.txt) median (1000 test images x 30)"
printf '  %-28s %s\n' "reading the weights once:" \
    "$(value us_read_weights bench.txt) us ($weight_bytes bytes, for scale: every inference streams them)"
printf '  %-28s %s\n' "warnings:" "$nwarn (-Wall -Wextra -pedantic)"
printf '  %-28s %s\n' "static RAM (host):" \
    "$host_bss B of bss; data $host_data B (on x86-64 the class names' pointers are relocated data)"
printf '  %-28s %s\n' "flash (host, x86-64):" "$host_text B (text)"
printf '  %-28s %s\n' "Cortex-M4F:" "$arm"
set -- $(size fashion-int8.o | tail -1)
echo "int8 (--quantize int8): $(sed -n 's/.*Test accuracy (\([0-9]*\) images): \(.*\)\./\2 on \1 test images/p' gen-int8/fashion.h)"
printf '  %-28s %s\n' "microseconds per inference:" \
    "$(value us_best bench-int8.txt) best, $(value us_median bench-int8.txt) median"
printf '  %-28s %s\n' "warnings:" "$nwarn_int8 (-Wall -Wextra -pedantic)"
printf '  %-28s %s\n' "static RAM (host):" "$3 B of bss"
printf '  %-28s %s\n' "flash (host, x86-64):" "$1 B (text)"
printf '  %-28s %s\n' "Cortex-M4F:" "$arm_int8"
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    /usr/bin/python3 "$root/bench/firmware_torch.py" "$weights" t10k-images predictions.txt \
        >torch.txt
    echo "PyTorch $(value torch_version torch.txt) eager, batch 1, torch.no_grad()"
    sed -n 's/^torch_threads_\([0-9]*\) \([^ ]*\) \([^ ]*\)$/\1 \2 \3/p' torch.txt |
        while read -r t best median; do
            printf '  %-28s %s\n' "$t thread(s):" "$best best, $median median microseconds"
        done
    set -- $(value same_predictions torch.txt)
    printf '  %-28s %s\n' "same predictions:" "$1 of $2 test images"
    best=$(value us_best bench.txt)
    torch1=$(sed -n 's/^torch_threads_1 \([^ ]*\) .*/\1/p' torch.txt | head -1)
    printf '  %-28s %s\n' "speed-up, 1 thread:" "$(echo "$torch1 $best" | awk '{printf "%.1fx", $1 / $2}')"
else
    echo "PyTorch: /usr/bin/python3 has no torch (Debian's python3-torch), not measured"
fi
