#!/bin/sh
# check.sh MLC ST_COMPARE WORKDIR: precision.model at batch 1, 7, 1000 and 60000 against the
# exact values (tests/precision/make_fixtures.py). Every sample is the same, so the loss and
# the gradients must not change with the batch size; a sum accumulated in one float drifts
# by 1e-3 and more at batch 60000 (the mean over 47 million elements by half). The
# tolerance is 2e-5 relative per element (and 1e-7 absolute, for gradients near zero):
# PyTorch's own float32 at batch 60000 misses the exact values by up to 4e-6 of the largest
# gradient (make_fixtures.py prints it), in the weight gradients, whose GEMMs sum 60000
# products in float; everything else it gets within 1e-6. Those GEMMs are OpenBLAS's, and
# its kernel depends on the processor: the AVX-512 one (SkylakeX, chosen on Zen 4) misses
# by 1e-5 at batch 1000 where the AVX2 ones (Haswell, Zen) miss by 2e-6.
set -eu
mlc=$1 compare=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
"$mlc" "$here/precision.model" -o "$work/precision"
for batch in 1 7 1000 60000; do
    echo "batch $batch:"
    "$work/precision" --load "$here/precision_init.safetensors" --batch "$batch" \
        --grads "$work/grads_$batch.safetensors"
    "$compare" "$here/precision_grads.safetensors" "$work/grads_$batch.safetensors" 2e-5 1e-7
done
