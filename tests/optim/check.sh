#!/bin/sh
# check.sh MLC ST_COMPARE WORKDIR: every optimizer and schedule against torch.optim. For each
# case of cases.txt (made by make_fixtures.py with Debian's python3-torch), net.model gets a
# train block with the case's optimizer, schedule and warm-up, trains from init.safetensors
# for the case's epochs (24 to 40 steps) on tests/e2e/data, and its weights must equal
# PyTorch's within 2e-5 relative or 2e-5 absolute. Nearly all agree to 1e-7; the few that do
# not are weights of pixels lit in a handful of images, whose gradient is a sum of few,
# cancelling terms: OpenBLAS and PyTorch round that sum differently, and Adam's and
# RMSprop's normalisation (g / sqrt(mean g^2)) turns a rounding difference of a tiny
# gradient into a visible one (on 1 or 2 of 25088 weights: up to 4e-6 with OpenBLAS's AVX2
# kernels, 1.1e-5 with its AVX-512 one, which it picks on Zen 4). test_rt_optim
# checks the update rules alone, on the same gradients, to a few float ulps; this test
# checks the rest (the schedule's rate per epoch, the warm-up, the state across steps and
# epochs): a rate off by one epoch moves the weights by 1e-3.
set -eu
mlc=$1 compare=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../e2e/data
mkdir -p "$work"
cd "$work"
status=0
while IFS='|' read -r name epochs optimizer schedule warmup; do
    {
        cat "$here/net.model"
        printf 'train {\n    data = idx("%s")\n    scale = 1/255\n    batch = 256\n' "$data"
        printf '    epochs = %s\n    optimizer = %s\n' "$epochs" "$optimizer"
        [ -z "$schedule" ] || printf '    schedule = %s\n' "$schedule"
        [ -z "$warmup" ] || printf '    warmup = %s\n' "$warmup"
        printf '}\n'
    } >"$name.model"
    "$mlc" "$name.model" -o "$name"
    "./$name" --load "$here/init.safetensors" --quiet --save "$name.safetensors" >"$name.txt"
    echo "$name: $optimizer ${schedule:+schedule $schedule} ${warmup:+warmup $warmup}"
    "$compare" "$here/$name.safetensors" "$name.safetensors" 2e-5 2e-5 || status=1
done <"$here/cases.txt"
exit $status
